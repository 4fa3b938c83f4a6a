/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/witness_store.h"
#include "util/banned.h"

int store_ledger_cosigned_put(struct store *st, const char *origin, const char *witness,
			      uint64_t size, const uint8_t *note, size_t len, int64_t at)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO ledger_cosigned (origin, witness, size, note, cosigned_at) "
			 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin, witness, size) DO UPDATE "
			 "SET note = excluded.note, cosigned_at = excluded.cosigned_at",
			 "ssibi", origin, witness, (int64_t)size, note, len, at))
		return GS_EIO;
	return stmt_done(s);
}

int store_ledger_cosigned_latest(struct store *st, const char *origin, const char *witness,
				 uint64_t *size, uint8_t **note, size_t *len, int64_t *at)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT size, note, cosigned_at FROM ledger_cosigned "
			 "WHERE origin = ? AND witness = ? ORDER BY size DESC LIMIT 1",
			 "ss", origin, witness))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*size = (uint64_t)dbs_column_int64(s, 0);
		if (at)
			*at = dbs_column_int64(s, 2);
		if (note)
			ret = (*note = stmt_blob_dup(s, 1, len)) ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_ledger_peer_checkpoint_when(struct store *st, const char *origin, uint64_t *size,
			 int64_t *received_at)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT size, received_at FROM ledger_peer_checkpoints WHERE origin = ? "
			 "ORDER BY size DESC, received_at DESC LIMIT 1", "s", origin))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*size = (uint64_t)dbs_column_int64(s, 0);
		*received_at = dbs_column_int64(s, 1);
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_ledger_evidence_add(struct store *st, const struct store_evidence *e)
{
	dbs *s;
	int rc;

	if (stmt_prepare(st, &s, "INSERT INTO ledger_evidence (peer, origin, problem, held_size, held_note,"
			 " new_size, new_note, proof, detail, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			 " ON CONFLICT (origin, held_size, new_note) DO NOTHING",
			 "sssibibssi", e->peer, e->origin, e->problem, (int64_t)e->held_size,
			 e->held_note, e->held_len, (int64_t)e->new_size, e->new_note, e->new_len,
			 e->proof ? e->proof : "", e->detail ? e->detail : "", e->found_at))
		return GS_EIO;
	rc = dbs_step(s);
	dbs_finalize(s);
	if (rc != SQLITE_DONE)
		return GS_EIO;
	return dbs_changes(st) == 1 ? 0 : GS_EEXIST;
}

int store_ledger_evidence_each(struct store *st, const char *peer,
			       int (*fn)(void *ctx, const struct store_evidence *e), void *ctx)
{
	dbs *s;
	struct store_evidence e;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT id, peer, origin, problem, held_size, held_note, new_size, new_note,"
			 " proof, detail, found_at FROM ledger_evidence WHERE ? = '' OR peer = ?"
			 " ORDER BY id", "ss", peer ? peer : "", peer ? peer : ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		e.id = dbs_column_int64(s, 0);
		e.peer = (const char *)dbs_column_text(s, 1);
		e.origin = (const char *)dbs_column_text(s, 2);
		e.problem = (const char *)dbs_column_text(s, 3);
		e.held_size = (uint64_t)dbs_column_int64(s, 4);
		e.held_note = dbs_column_blob(s, 5);
		e.held_len = (size_t)dbs_column_bytes(s, 5);
		e.new_size = (uint64_t)dbs_column_int64(s, 6);
		e.new_note = dbs_column_blob(s, 7);
		e.new_len = (size_t)dbs_column_bytes(s, 7);
		e.proof = (const char *)dbs_column_text(s, 8);
		e.detail = (const char *)dbs_column_text(s, 9);
		e.found_at = dbs_column_int64(s, 10);
		ret = fn(ctx, &e);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}
