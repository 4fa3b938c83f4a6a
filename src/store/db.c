/* SPDX-License-Identifier: Apache-2.0 */
/* One statement API over SQLite and PostgreSQL (store/db.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/pg.h"
#include "store/store_internal.h"
#include "util/banned.h"

/* The tables every action writes (custody, the logs, the outbox,
 * sessions): a change there leaves what the evidence version stands for
 * as it was. Every other table counts, a table added later too. */
static const char *const busy_tables[] = {
	"items", "custody", "releases", "outbox", "sessions", "events", "person_passwords",
	"ledger_entries", "ledger_logs", "ledger_hashes", "ledger_checkpoints", "ledger_cosigned",
	"ledger_evidence", "ledger_peer_checkpoints", "warnings", "gsomia_versions",
};

bool store_table_busy(const char *table)
{
	for (size_t i = 0; i < sizeof(busy_tables) / sizeof(busy_tables[0]); i++)
		if (!strcmp(table, busy_tables[i]))
			return true;
	return false;
}

int dbs_prepare(struct store *st, const char *sql, dbs **out, bool persistent)
{
	dbs *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return SQLITE_NOMEM;
	s->st = st;
	if (st->backend == STORE_POSTGRESQL)
		rc = pg_stmt_prepare(st, sql, &s->pg);
	else
		rc = sqlite3_prepare_v3(st->db, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s->lite, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return SQLITE_OK;
}

int dbs_step(dbs *s)
{
	return s->pg ? pg_stmt_step(s->pg) : sqlite3_step(s->lite);
}

void dbs_reset(dbs *s)
{
	if (s->pg)
		pg_stmt_reset(s->pg);
	else
		sqlite3_reset(s->lite);
}

void dbs_clear_bindings(dbs *s)
{
	if (s->pg)
		pg_stmt_clear(s->pg);
	else
		sqlite3_clear_bindings(s->lite);
}

void dbs_finalize(dbs *s)
{
	if (!s)
		return;
	if (s->pg)
		pg_stmt_free(s->pg);
	else
		sqlite3_finalize(s->lite);
	free(s);
}

int dbs_bind_text(dbs *s, int i, const char *v, bool keep)
{
	if (s->pg)
		return pg_stmt_bind(s->pg, i, v, v ? strlen(v) : 0, 0);
	return sqlite3_bind_text(s->lite, i, v, -1, keep ? SQLITE_STATIC : SQLITE_TRANSIENT);
}

int dbs_bind_blob(dbs *s, int i, const void *p, size_t n, bool keep)
{
	/* never a NULL pointer: SQLite would bind NULL, not an empty blob */
	if (s->pg)
		return pg_stmt_bind(s->pg, i, p && n ? p : "", n, 1);
	return sqlite3_bind_blob64(s->lite, i, p && n ? p : "", n, keep ? SQLITE_STATIC : SQLITE_TRANSIENT);
}

int dbs_bind_int64(dbs *s, int i, int64_t v)
{
	if (s->pg) {
		char b[24];
		int n = snprintf(b, sizeof(b), "%lld", (long long)v);

		return pg_stmt_bind(s->pg, i, b, (size_t)n, 0);
	}
	return sqlite3_bind_int64(s->lite, i, v);
}

int dbs_bind_null(dbs *s, int i)
{
	return s->pg ? pg_stmt_bind(s->pg, i, NULL, 0, 0) : sqlite3_bind_null(s->lite, i);
}

const unsigned char *dbs_column_text(dbs *s, int i)
{
	return s->pg ? (const unsigned char *)pg_col_text(s->pg, i) : sqlite3_column_text(s->lite, i);
}

int64_t dbs_column_int64(dbs *s, int i)
{
	return s->pg ? pg_col_int64(s->pg, i) : sqlite3_column_int64(s->lite, i);
}

int dbs_column_int(dbs *s, int i)
{
	return s->pg ? (int)pg_col_int64(s->pg, i) : sqlite3_column_int(s->lite, i);
}

const void *dbs_column_blob(dbs *s, int i)
{
	int n;

	return s->pg ? pg_col_blob(s->pg, i, &n) : sqlite3_column_blob(s->lite, i);
}

int dbs_column_bytes(dbs *s, int i)
{
	int n;

	if (!s->pg)
		return sqlite3_column_bytes(s->lite, i);
	(void)pg_col_blob(s->pg, i, &n);
	return n;
}

int dbs_column_type(dbs *s, int i)
{
	return s->pg ? pg_col_type(s->pg, i) : sqlite3_column_type(s->lite, i);
}

int64_t dbs_changes(struct store *st)
{
	return st->backend == STORE_POSTGRESQL ? pg_changes(st) : sqlite3_changes64(st->db);
}

int dbs_exec(struct store *st, const char *sql)
{
	if (st->backend == STORE_POSTGRESQL)
		return pg_exec(st, sql);
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : GS_EIO;
}

const char *dbs_errmsg(struct store *st)
{
	return st->backend == STORE_POSTGRESQL ? pg_errmsg(st) : sqlite3_errmsg(st->db);
}
