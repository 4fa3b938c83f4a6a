/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_SQLITE_INTERNAL_H
#define GS_SQLITE_INTERNAL_H

/*
 * The SQLite backend's handle, shared by the files of the backend
 * (sqlite.c, ledger_store.c) and nobody else. Hot statements are prepared
 * once per handle into stmts[] and finalized by store_close().
 */

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store/db.h"

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

struct pg_conn;

struct store {
	enum store_backend backend;
	sqlite3 *db;            /* SQLite */
	struct pg_conn *pg;     /* PostgreSQL (store/pg.c) */
	dbs *stmts[STORE_STMT_MAX];
	dbs *hot[STORE_HOT_MAX];
	int writing; /* in a transaction begun by store_begin() */
	uint64_t evidence_gen; /* rows this handle changed outside the busy tables (store_evidence_version) */
	bool outbox_dirty;     /* the outbox changed in the open transaction */
	void (*on_outbox)(void *ctx); /* told after a COMMIT that changed the outbox */
	void *on_outbox_ctx;
};

/* The hot statement which (prepared from sql on first use), reset and
 * unbound; NULL on failure. Reset it again once its rows are read. */
dbs *store_hot(struct store *st, enum store_hot which, const char *sql);

/*
 * Statements (store/stmt.c), so that a query is its SQL and one line of
 * arguments rather than a bind call per column:
 *
 *     if (stmt_prepare(st, &s, "UPDATE t SET a = ? WHERE id = ?", "bs", p, n, id))
 *             return GS_EIO;
 *     return stmt_done(s);
 *
 * fmt has one letter per '?', in order:
 *   s  text (const char *; NULL binds NULL)
 *   b  blob (const void *, size_t; a NULL pointer binds an empty blob)
 *   B  blob or NULL (const void *, size_t; a NULL pointer binds NULL)
 *   i  integer (int64_t)
 *   t  instant (int64_t; STORE_NO_INSTANT, INT64_MIN, binds NULL)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Binds args to s from parameter 1 on. copy: SQLite keeps its own copy of
 * text and blobs (else they must outlive the statement's next reset). */
int stmt_bindv(dbs *s, bool copy, const char *fmt, va_list ap);
/* Prepares a one-off statement with args bound (copied); 0, or GS_EIO
 * with nothing left to finalize. */
int stmt_prepare(struct store *st, dbs **s, const char *sql, const char *fmt, ...);
/* Steps a one-off statement that returns no row and finalizes it: 0,
 * GS_EEXIST on a constraint (a row that is already there), GS_EIO. */
int stmt_done(dbs *s);
/* stmt_prepare then stmt_done. */
int stmt_exec(struct store *st, const char *sql, const char *fmt, ...);
/* An INSERT ... RETURNING id with args bound: *id gets the id of the row
 * made (NULL: not wanted); 0, GS_EEXIST on a constraint, GS_EIO. */
int stmt_insert_id(struct store *st, int64_t *id, const char *sql, const char *fmt, ...);
/* Column i of the current row copied: text as a string ("" if NULL), a
 * blob with a NUL after its bytes (not counted in *len). NULL when memory
 * ran out. */
char *stmt_text_dup(dbs *s, int i);
uint8_t *stmt_blob_dup(dbs *s, int i, size_t *len);
/* Whether a change to table leaves the evidence version as it was (the
 * busy tables every action writes; store_evidence_version). */
bool store_table_busy(const char *table);

#endif
