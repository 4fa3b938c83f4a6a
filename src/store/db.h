/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_STORE_DB_H
#define GS_STORE_DB_H

/*
 * One statement API over the two backends of the store (docs/scale-out.md
 * "Backends"): SQLite (the default, one file in the home) and PostgreSQL
 * (libpq; several serve processes share one database). The store's files
 * write their SQL once, in the dialect both accept, with '?' parameters;
 * the PostgreSQL side turns '?' into $n and the few SQLite words it does
 * not know into its own (store/pg.c, pg_translate).
 *
 * The calls mirror SQLite's and answer SQLite's result codes
 * (SQLITE_ROW, SQLITE_DONE, SQLITE_CONSTRAINT...), whatever the backend:
 * a store function reads the same on both.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct store;
struct pg_stmt;

enum store_backend { STORE_SQLITE, STORE_POSTGRESQL };

typedef struct dbs {
	struct store *st;
	sqlite3_stmt *lite;  /* SQLite: the statement */
	struct pg_stmt *pg;  /* PostgreSQL: the statement (store/pg.c) */
} dbs;

/* SQLITE_OK, or an error code with nothing to finalize. persistent: a
 * statement kept for the handle's life (SQLite's PREPARE_PERSISTENT). */
int dbs_prepare(struct store *st, const char *sql, dbs **out, bool persistent);
int dbs_step(dbs *s);
void dbs_reset(dbs *s);
void dbs_clear_bindings(dbs *s);
void dbs_finalize(dbs *s);

/* Values are copied (the PostgreSQL side always; SQLite unless keep). */
int dbs_bind_text(dbs *s, int i, const char *v, bool keep);
int dbs_bind_blob(dbs *s, int i, const void *p, size_t n, bool keep);
int dbs_bind_int64(dbs *s, int i, int64_t v);
int dbs_bind_null(dbs *s, int i);

/* Columns of the current row, as SQLite gives them: text NULL for NULL,
 * integers 0 for NULL (and for a PostgreSQL boolean, 1 for true). */
const unsigned char *dbs_column_text(dbs *s, int i);
int64_t dbs_column_int64(dbs *s, int i);
int dbs_column_int(dbs *s, int i);
const void *dbs_column_blob(dbs *s, int i);
int dbs_column_bytes(dbs *s, int i);
int dbs_column_type(dbs *s, int i); /* SQLITE_NULL or another type */

/* Rows changed by the last statement stepped on st. */
int64_t dbs_changes(struct store *st);
/* Runs sql (no parameters; several statements for SQLite): 0 or GS_EIO. */
int dbs_exec(struct store *st, const char *sql);
/* The backend's last error message on st (for a diagnostic). */
const char *dbs_errmsg(struct store *st);

#endif
