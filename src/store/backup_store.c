/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "store/backup_store.h"
#include "store/pg.h"
#include "store/store_internal.h"
#include "util/banned.h"

int store_snapshot(struct store *st, const char *path, struct gs_diag *d)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if (st->backend == STORE_POSTGRESQL)
		return gs_diag_set(d, GS_ESTATE, "this node's database is PostgreSQL: back it up with PostgreSQL's "
				   "own tools (a standby, pg_basebackup and WAL archiving; docs/scale-out.md), not "
				   "'gsomia backup'");
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = gs_diag_set(d, GS_EIO, "cannot make '%s': %s", path, dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return rc;
	}
	sqlite3_busy_timeout(st->db, 5000);
	b = sqlite3_backup_init(dst, "main", st->db, "main");
	if (!b) {
		rc = gs_diag_set(d, GS_EIO, "cannot copy the database: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return rc;
	}
	/* -1: every page in one step, under one read lock of the source */
	do
		rc = sqlite3_backup_step(b, -1);
	while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		rc = gs_diag_set(d, GS_EIO, "cannot copy the database: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return rc;
	}
	/* one self-contained file: no -wal beside it */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = gs_diag_set(d, GS_EIO, "cannot finish the copy: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return rc;
	}
	if (sqlite3_close(dst) != SQLITE_OK)
		return gs_diag_set(d, GS_EIO, "cannot close the copy '%s'", path);
	return 0;
}

int store_schema_version(struct store *st, int *out)
{
	dbs *s;
	int rc;

	if (st->backend == STORE_POSTGRESQL)
		return pg_schema_version(st, out);
	if (dbs_prepare(st, "PRAGMA user_version", &s, false) != SQLITE_OK)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		*out = dbs_column_int(s, 0);
	dbs_finalize(s);
	return rc == SQLITE_ROW ? 0 : GS_EIO;
}

int store_ledger_kind_each(struct store *st, const char *origin, const char *kind,
			   int (*fn)(void *ctx, uint64_t idx, const uint8_t *entry, size_t len), void *ctx)
{
	static const char sql[] = "SELECT e.idx, e.entry FROM ledger_entries e JOIN ledger_logs l ON e.log = l.id"
				  " WHERE l.origin = ? AND e.kind = ? ORDER BY e.idx";
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, sql, "ss", origin, kind))
		return GS_EIO;
	while ((rc = dbs_step(s)) == SQLITE_ROW) {
		const void *b = dbs_column_blob(s, 1);

		if ((ret = fn(ctx, (uint64_t)dbs_column_int64(s, 0), b ? b : "",
			      (size_t)dbs_column_bytes(s, 1))))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_ledger_peer_rewind(struct store *st, const char *origin, const char *witness, uint64_t size)
{
	int ret;

	if ((ret = stmt_exec(st, "DELETE FROM ledger_peer_checkpoints WHERE origin = ? AND size > ?", "si", origin,
			     (int64_t)size)))
		return ret;
	return stmt_exec(st, "DELETE FROM ledger_cosigned WHERE origin = ? AND witness = ? AND size > ?", "ssi",
			 origin, witness, (int64_t)size);
}
