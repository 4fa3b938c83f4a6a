/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_STORE_PG_H
#define GS_STORE_PG_H

/*
 * The PostgreSQL backend's half of store/db.h (store/pg.c): one libpq
 * connection per store handle, statements prepared once per connection,
 * and what a lost connection or a promoted standby asks of the handle
 * (docs/scale-out.md).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store;
struct pg_stmt;

/* Whether a database locator names PostgreSQL (postgresql:// or
 * postgres://, or libpq's keyword form "host=... dbname=..."). */
bool pg_locator(const char *locator);

/* The SQL the store writes as PostgreSQL takes it (store/pg.c,
 * translate): *out malloc'd, *nparams the $n made, *guard whether no row
 * inserted is to be answered as a constraint. For the unit tests. */
int pg_translate(const char *sql, char **out, int *nparams, bool *guard);

int pg_open(struct store *st, const char *uri, enum store_mode mode, struct gs_diag *d);
void pg_close(struct store *st);

int pg_stmt_prepare(struct store *st, const char *sql, struct pg_stmt **out);
int pg_stmt_step(struct pg_stmt *s);
void pg_stmt_reset(struct pg_stmt *s);
void pg_stmt_clear(struct pg_stmt *s);
void pg_stmt_free(struct pg_stmt *s);
/* format 0: v is NUL-terminated text; 1: n bytes; v NULL: SQL NULL */
int pg_stmt_bind(struct pg_stmt *s, int i, const void *v, size_t n, int format);

const char *pg_col_text(struct pg_stmt *s, int i);
int64_t pg_col_int64(struct pg_stmt *s, int i);
const void *pg_col_blob(struct pg_stmt *s, int i, int *len);
int pg_col_type(struct pg_stmt *s, int i);

int pg_exec(struct store *st, const char *sql);
/* Rows changed by the last statement; by every statement of the handle. */
int64_t pg_changes(struct store *st);
int64_t pg_total_changes(struct store *st);
const char *pg_errmsg(struct store *st);
bool pg_in_transaction(struct store *st);

int pg_begin(struct store *st, bool write);
int pg_commit(struct store *st);
void pg_rollback(struct store *st);
/* The node-wide counters (docs/scale-out.md "Caches"): data changes with
 * every commit by any process, evidence with any change to a table
 * outside the busy ones. */
int pg_versions(struct store *st, uint64_t *data, uint64_t *evidence);
/* Whether the database could not be reached on the last try: a caller
 * answers 503 and tries again later. */
bool pg_unavailable(struct store *st);
int pg_schema_version(struct store *st, int *v);

#endif
