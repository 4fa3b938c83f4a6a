/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/ledger_store.h"
#include "store/pg.h"
#include "store/store_internal.h"
#include "util/banned.h"

static const char *const stmt_sql[STORE_STMT_MAX] = {
	[STMT_LEDGER_LOG_GET] = "SELECT id, size FROM ledger_logs WHERE origin = ?",
	[STMT_LEDGER_LOG_ADD] = "INSERT INTO ledger_logs (origin, peer, size) VALUES (?, ?, 0) RETURNING id",
	[STMT_LEDGER_LOG_SIZE] = "UPDATE ledger_logs SET size = size + 1 WHERE id = ? AND size = ?",
	[STMT_LEDGER_ENTRY_PUT] = "INSERT INTO ledger_entries (log, idx, time, kind, entry, leaf) "
				  "VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_LEDGER_ENTRY_GET] = "SELECT entry, leaf FROM ledger_entries WHERE log = ? AND idx = ?",
	[STMT_LEDGER_LEAF_GET] = "SELECT leaf FROM ledger_entries WHERE log = ? AND idx = ?",
	[STMT_LEDGER_HASH_PUT] = "INSERT INTO ledger_hashes (log, level, idx, hash) VALUES (?, ?, ?, ?) "
				 "ON CONFLICT (log, level, idx) DO UPDATE SET hash = excluded.hash",
	[STMT_LEDGER_HASH_GET] = "SELECT hash FROM ledger_hashes WHERE log = ? AND level = ? AND idx = ?",
};

/* A cached statement, reset, with args bound as fmt says
 * (store/store_internal.h); NULL on failure. */
static dbs *cached(struct store *st, enum store_stmt which, const char *fmt, ...)
{
	dbs *s = st->stmts[which];
	va_list ap;
	int rc;

	if (!s) {
		if (dbs_prepare(st, stmt_sql[which], &s, true) != SQLITE_OK)
			return NULL;
		st->stmts[which] = s;
	}
	dbs_reset(s);
	dbs_clear_bindings(s);
	va_start(ap, fmt);
	rc = stmt_bindv(s, false, fmt, ap); /* the hot path: the caller's bytes, not a copy */
	va_end(ap);
	return rc == 0 ? s : NULL;
}

/* A one-off statement for the cold paths, bound like cached() but
 * copied; NULL on failure. */
static dbs *oneoff(struct store *st, const char *sql, const char *fmt, ...)
{
	dbs *s;
	va_list ap;
	int ret;

	if (dbs_prepare(st, sql, &s, false) != SQLITE_OK)
		return NULL;
	va_start(ap, fmt);
	ret = stmt_bindv(s, true, fmt, ap);
	va_end(ap);
	if (ret) {
		dbs_finalize(s);
		return NULL;
	}
	return s;
}

/* Steps a cached statement that returns no row and resets it, so that it
 * holds no lock or bound pointer afterwards. */
static int cached_done(dbs *s)
{
	int rc;

	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	dbs_reset(s);
	dbs_clear_bindings(s);
	if (rc == SQLITE_CONSTRAINT)
		return GS_EEXIST;
	return rc == SQLITE_DONE ? 0 : GS_EIO;
}

static int oneoff_done(dbs *s)
{
	return s ? stmt_done(s) : GS_EIO;
}

static void cached_end(dbs *s)
{
	dbs_reset(s);
	dbs_clear_bindings(s);
}

/* Copies a 32-byte blob column; GS_EIO if it has another length (a
 * damaged row). */
static int col_hash(dbs *s, int i, uint8_t out[32])
{
	if (dbs_column_bytes(s, i) != 32 || !dbs_column_blob(s, i))
		return GS_EIO;
	memcpy(out, dbs_column_blob(s, i), 32);
	return 0;
}

static int col_blob_dup(dbs *s, int i, uint8_t **out, size_t *len)
{
	return (*out = stmt_blob_dup(s, i, len)) ? 0 : GS_ENOMEM;
}

int store_in_transaction(struct store *st)
{
	return st->backend == STORE_POSTGRESQL ? pg_in_transaction(st) : !sqlite3_get_autocommit(st->db);
}

int store_ledger_log(struct store *st, const char *origin, const char *peer, int create,
		     int64_t *id, uint64_t *size)
{
	dbs *s;
	int rc;

	s = cached(st, STMT_LEDGER_LOG_GET, "s", origin);
	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		int64_t sz = dbs_column_int64(s, 1);

		*id = dbs_column_int64(s, 0);
		*size = sz < 0 ? 0 : (uint64_t)sz;
		cached_end(s);
		return sz < 0 ? GS_EIO : 0;
	}
	cached_end(s);
	if (rc != SQLITE_DONE)
		return GS_EIO;
	if (!create)
		return GS_ENOTFOUND;
	if (!(s = cached(st, STMT_LEDGER_LOG_ADD, "ss", origin, peer ? peer : "")))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		*id = dbs_column_int64(s, 0);
	cached_end(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_CONSTRAINT ? GS_EEXIST : GS_EIO;
	*size = 0;
	return 0;
}

int store_ledger_log_each(struct store *st,
			  int (*fn)(void *ctx, int64_t id, const char *origin, const char *peer,
				    uint64_t size),
			  void *ctx)
{
	dbs *s = oneoff(st, "SELECT id, origin, peer, size FROM ledger_logs ORDER BY origin", "");
	int rc = SQLITE_DONE, ret = 0;

	if (!s)
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, dbs_column_int64(s, 0), (const char *)dbs_column_text(s, 1),
			 (const char *)dbs_column_text(s, 2),
			 (uint64_t)dbs_column_int64(s, 3));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_ledger_entry_add(struct store *st, int64_t log, uint64_t idx, int64_t time,
			   const char *kind, const uint8_t *entry, size_t len,
			   const uint8_t leaf[32])
{
	int ret;

	if (idx >= (uint64_t)INT64_MAX)
		return GS_ELIMIT;
	ret = cached_done(cached(st, STMT_LEDGER_ENTRY_PUT, "iiisbb", log, (int64_t)idx, time, kind,
				 entry, len, leaf, (size_t)32));
	if (ret)
		return ret;
	/* The size moves only from idx to idx + 1: a concurrent writer or a
	 * wrong index cannot leave a gap. */
	ret = cached_done(cached(st, STMT_LEDGER_LOG_SIZE, "ii", log, (int64_t)idx));
	if (ret)
		return ret;
	return dbs_changes(st) == 1 ? 0 : GS_ESTATE;
}

int store_ledger_entry_get(struct store *st, int64_t log, uint64_t idx, uint8_t **entry,
			   size_t *len, uint8_t leaf[32])
{
	dbs *s = cached(st, STMT_LEDGER_ENTRY_GET, "ii", log, (int64_t)idx);
	int rc, ret;

	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		uint8_t h[32];

		ret = col_hash(s, 1, h);
		if (!ret)
			ret = col_blob_dup(s, 0, entry, len);
		if (!ret)
			memcpy(leaf, h, 32);
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	cached_end(s);
	return ret;
}

int store_ledger_entry_each(struct store *st, int64_t log, uint64_t from, uint64_t to,
			    int (*fn)(void *ctx, uint64_t idx, int64_t time, const char *kind,
				      const uint8_t *entry, size_t len, const uint8_t *leaf,
				      size_t leaflen),
			    void *ctx)
{
	dbs *s;
	int rc = SQLITE_DONE, ret = 0;

	if (to > (uint64_t)INT64_MAX)
		to = (uint64_t)INT64_MAX;
	if (from > to)
		return 0;
	s = oneoff(st, "SELECT idx, time, kind, entry, leaf FROM ledger_entries "
		       "WHERE log = ? AND idx >= ? AND idx < ? ORDER BY idx",
		   "iii", log, (int64_t)from, (int64_t)to);
	if (!s)
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		const uint8_t *e = dbs_column_blob(s, 3);
		size_t elen = (size_t)dbs_column_bytes(s, 3);
		const uint8_t *l = dbs_column_blob(s, 4);
		size_t llen = (size_t)dbs_column_bytes(s, 4);
		const unsigned char *kind = dbs_column_text(s, 2);

		ret = fn(ctx, (uint64_t)dbs_column_int64(s, 0), dbs_column_int64(s, 1),
			 kind ? (const char *)kind : "", e ? e : (const uint8_t *)"", elen,
			 l ? l : (const uint8_t *)"", llen);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_ledger_hash_put(struct store *st, int64_t log, uint64_t level, uint64_t idx,
			  const uint8_t hash[32])
{
	if (level == 0 || level >= 64 || idx >= (uint64_t)INT64_MAX)
		return GS_EINVAL;
	return cached_done(cached(st, STMT_LEDGER_HASH_PUT, "iiib", log, (int64_t)level,
				  (int64_t)idx, hash, (size_t)32));
}

int store_ledger_hash_get(struct store *st, int64_t log, uint64_t level, uint64_t idx,
			  uint8_t hash[32])
{
	dbs *s;
	int rc, ret;

	if (level >= 64 || idx >= (uint64_t)INT64_MAX)
		return GS_ENOTFOUND;
	if (level == 0)
		s = cached(st, STMT_LEDGER_LEAF_GET, "ii", log, (int64_t)idx);
	else
		s = cached(st, STMT_LEDGER_HASH_GET, "iii", log, (int64_t)level, (int64_t)idx);
	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		ret = col_hash(s, 0, hash);
	else
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	cached_end(s);
	return ret;
}

int store_ledger_checkpoint_put(struct store *st, int64_t log, uint64_t size,
				const uint8_t root[32], const uint8_t *note, size_t len,
				int64_t signed_at)
{
	return oneoff_done(oneoff(st, "INSERT INTO ledger_checkpoints (log, size, root, note, signed_at) "
				      "VALUES (?, ?, ?, ?, ?)",
				  "iibbi", log, (int64_t)size, root, (size_t)32, note, len, signed_at));
}

int store_ledger_checkpoint_latest(struct store *st, int64_t log, uint64_t *size,
				   uint8_t root[32], uint8_t **note, size_t *len)
{
	dbs *s = oneoff(st, "SELECT size, root, note FROM ledger_checkpoints WHERE log = ? "
				     "ORDER BY size DESC LIMIT 1", "i", log);
	uint8_t h[32];
	int rc, ret;

	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		ret = col_hash(s, 1, h);
		if (!ret)
			ret = col_blob_dup(s, 2, note, len);
		if (!ret) {
			*size = (uint64_t)dbs_column_int64(s, 0);
			memcpy(root, h, 32);
		}
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_ledger_checkpoint_each(struct store *st, int64_t log,
				 int (*fn)(void *ctx, uint64_t size, const uint8_t *root,
					   size_t rootlen, const uint8_t *note, size_t len,
					   int64_t signed_at),
				 void *ctx)
{
	dbs *s = oneoff(st, "SELECT size, root, note, signed_at FROM ledger_checkpoints "
				     "WHERE log = ? ORDER BY size", "i", log);
	int rc = SQLITE_DONE, ret = 0;

	if (!s)
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		const uint8_t *r = dbs_column_blob(s, 1);
		size_t rlen = (size_t)dbs_column_bytes(s, 1);
		const uint8_t *nt = dbs_column_blob(s, 2);
		size_t nlen = (size_t)dbs_column_bytes(s, 2);

		ret = fn(ctx, (uint64_t)dbs_column_int64(s, 0), r ? r : (const uint8_t *)"", rlen,
			 nt ? nt : (const uint8_t *)"", nlen, dbs_column_int64(s, 3));
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_ledger_peer_checkpoint_put(struct store *st, const char *origin, uint64_t size,
				     const uint8_t *note, size_t len, int64_t received_at)
{
	dbs *s = oneoff(st, "SELECT note FROM ledger_peer_checkpoints WHERE origin = ? AND size = ?",
				 "si", origin, (int64_t)size);
	int rc, same = 0;

	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		same = (size_t)dbs_column_bytes(s, 0) == len &&
		       (len == 0 || !memcmp(dbs_column_blob(s, 0), note, len));
	dbs_finalize(s);
	if (rc == SQLITE_ROW)
		return same ? 0 : GS_EEXIST;
	if (rc != SQLITE_DONE)
		return GS_EIO;
	return oneoff_done(oneoff(st, "INSERT INTO ledger_peer_checkpoints (origin, size, note, received_at) "
				      "VALUES (?, ?, ?, ?)",
				  "sibi", origin, (int64_t)size, note, len, received_at));
}

int store_ledger_peer_checkpoint_latest(struct store *st, const char *origin, uint64_t *size,
					uint8_t **note, size_t *len)
{
	dbs *s = oneoff(st, "SELECT size, note FROM ledger_peer_checkpoints WHERE origin = ? "
				     "ORDER BY size DESC, received_at DESC LIMIT 1", "s", origin);
	int rc, ret;

	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		ret = col_blob_dup(s, 1, note, len);
		if (!ret)
			*size = (uint64_t)dbs_column_int64(s, 0);
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}
