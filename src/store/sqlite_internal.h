/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_SQLITE_INTERNAL_H
#define GS_SQLITE_INTERNAL_H

/*
 * The SQLite backend's handle, shared by the files of the backend
 * (sqlite.c, ledger_store.c) and nobody else. Hot statements are prepared
 * once per handle into stmts[] and finalized by store_close().
 */

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

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmts[STORE_STMT_MAX];
};

#endif
