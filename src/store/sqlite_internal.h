/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_SQLITE_INTERNAL_H
#define GS_SQLITE_INTERNAL_H

/*
 * The SQLite backend's handle, shared by the files of the backend
 * (sqlite.c, ledger_store.c) and nobody else. Hot statements are prepared
 * once per handle into stmts[] and finalized by store_close().
 */

#include <stdint.h>
#include <sqlite3.h>

enum store_stmt {
	STMT_LEDGER_LOG_GET,
	STMT_LEDGER_LOG_ADD,
	STMT_LEDGER_LOG_SIZE,
	STMT_LEDGER_ENTRY_PUT,
	STMT_LEDGER_ENTRY_GET,
	STMT_LEDGER_LEAF_GET,
	STMT_LEDGER_HASH_PUT,
	STMT_LEDGER_HASH_GET,
	STORE_STMT_MAX
};

/* Statements of the read paths that every API call takes (sqlite.c,
 * auth_store.c), prepared once like stmts[], and reset after each use so
 * that no read stays open. */
enum store_hot {
	HOT_PARTY_GET,
	HOT_PERSON_GET,
	HOT_FACILITY_GET,
	HOT_DATA_VERSION,
	HOT_SESSION_GET,
	STORE_HOT_MAX
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmts[STORE_STMT_MAX];
	sqlite3_stmt *hot[STORE_HOT_MAX];
	int writing; /* in a transaction begun by store_begin() */
	uint64_t evidence_gen; /* rows this handle changed outside the busy tables (store_evidence_version) */
};

/* The hot statement which (prepared from sql on first use), reset and
 * unbound; NULL on failure. Reset it again once its rows are read. */
sqlite3_stmt *store_hot(struct store *st, enum store_hot which, const char *sql);

#endif
