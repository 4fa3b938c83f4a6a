/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/pg.h"
#include "store/store_internal.h"
#include "store/stats_store.h"
#include "store/store.h"
#include "util/banned.h"

/* Migration N brings user_version from N-1 to N. Append only. */
static const char *const migrations[] = {
	/* 1 */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
	"CREATE TABLE parties ("
	"  code TEXT PRIMARY KEY, name TEXT NOT NULL, fingerprint TEXT NOT NULL,"
	"  identity BLOB NOT NULL, imported_at INTEGER NOT NULL, is_self INTEGER NOT NULL) STRICT;"
	"CREATE TABLE agreements ("
	"  id TEXT NOT NULL, version INTEGER NOT NULL, definition BLOB NOT NULL,"
	"  imported_at INTEGER NOT NULL, PRIMARY KEY (id, version)) STRICT;"
	"CREATE TABLE signatures ("
	"  agreement TEXT NOT NULL, version INTEGER NOT NULL, party TEXT NOT NULL,"
	"  note BLOB NOT NULL, imported_at INTEGER NOT NULL,"
	"  PRIMARY KEY (agreement, version, party),"
	"  FOREIGN KEY (agreement, version) REFERENCES agreements (id, version)) STRICT;"
	"CREATE TABLE dipnotes ("
	"  id TEXT PRIMARY KEY, agreement TEXT NOT NULL, kind TEXT NOT NULL,"
	"  sender TEXT NOT NULL, delivered INTEGER NOT NULL, note BLOB NOT NULL,"
	"  imported_at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX dipnotes_by_agreement ON dipnotes (agreement, delivered);"
	"CREATE TABLE persons (id TEXT PRIMARY KEY, record TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE facilities (id TEXT PRIMARY KEY, record TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
	"  subject TEXT NOT NULL, detail TEXT NOT NULL) STRICT;",
	/* 2: the ledger (store/ledger_store.h); the ledger replaces events. */
	"CREATE TABLE ledger_logs (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE,"
	"  peer TEXT NOT NULL, size INTEGER NOT NULL CHECK (size >= 0)) STRICT;"
	"CREATE TABLE ledger_entries ("
	"  log INTEGER NOT NULL REFERENCES ledger_logs (id), idx INTEGER NOT NULL,"
	"  time INTEGER NOT NULL, kind TEXT NOT NULL, entry BLOB NOT NULL, leaf BLOB NOT NULL,"
	"  PRIMARY KEY (log, idx)) STRICT;"
	"CREATE TABLE ledger_hashes ("
	"  log INTEGER NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
	"  PRIMARY KEY (log, level, idx)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE ledger_checkpoints ("
	"  log INTEGER NOT NULL REFERENCES ledger_logs (id), size INTEGER NOT NULL,"
	"  root BLOB NOT NULL, note BLOB NOT NULL, signed_at INTEGER NOT NULL,"
	"  PRIMARY KEY (log, size)) STRICT;"
	"CREATE TABLE ledger_peer_checkpoints ("
	"  origin TEXT NOT NULL, size INTEGER NOT NULL, note BLOB NOT NULL,"
	"  received_at INTEGER NOT NULL, PRIMARY KEY (origin, size)) STRICT;"
	"DROP TABLE events;",
	/* 3: holdings, releases and the custody chain (store.h "items") */
	"CREATE TABLE items (id TEXT PRIMARY KEY, record TEXT NOT NULL, file_key BLOB,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE releases (bundle TEXT PRIMARY KEY, item TEXT NOT NULL,"
	"  recipient TEXT NOT NULL, record TEXT NOT NULL, receipt BLOB,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX releases_by_item ON releases (item);"
	"CREATE TABLE custody (seq INTEGER PRIMARY KEY, item TEXT NOT NULL, at INTEGER NOT NULL,"
	"  event TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL) STRICT;"
	"CREATE INDEX custody_by_item ON custody (item, seq);",
	/* the outbox: what waits to be delivered to a peer (store.h "outbox") */
	"CREATE TABLE outbox (id TEXT PRIMARY KEY, peer TEXT NOT NULL, kind TEXT NOT NULL,"
	"  ref TEXT NOT NULL, path TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL, next_at INTEGER NOT NULL, last_error TEXT NOT NULL,"
	"  done_at INTEGER) STRICT;"
	"CREATE INDEX outbox_due ON outbox (state, next_at);",
	/* 5: originators' consents and incidents (store/consent_store.h) */
	"CREATE TABLE consents (id TEXT PRIMARY KEY, originator TEXT NOT NULL,"
	"  decision TEXT NOT NULL, record TEXT NOT NULL, note BLOB NOT NULL,"
	"  imported_at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX consents_by_originator ON consents (originator);"
	"CREATE TABLE incidents (id TEXT PRIMARY KEY, item TEXT NOT NULL, record TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX incidents_by_item ON incidents (item);",
	/* 6: witnessing (store/witness_store.h): cosigned checkpoints, both
	 * ways, and evidence of a peer's inconsistent checkpoints */
	"CREATE TABLE ledger_cosigned (origin TEXT NOT NULL, witness TEXT NOT NULL,"
	"  size INTEGER NOT NULL CHECK (size >= 0), note BLOB NOT NULL, cosigned_at INTEGER NOT NULL,"
	"  PRIMARY KEY (origin, witness, size)) STRICT;"
	"CREATE TABLE ledger_evidence (id INTEGER PRIMARY KEY, peer TEXT NOT NULL, origin TEXT NOT NULL,"
	"  problem TEXT NOT NULL, held_size INTEGER NOT NULL, held_note BLOB NOT NULL,"
	"  new_size INTEGER NOT NULL, new_note BLOB NOT NULL, proof TEXT NOT NULL,"
	"  detail TEXT NOT NULL, found_at INTEGER NOT NULL,"
	"  UNIQUE (origin, held_size, new_note)) STRICT;"
	"CREATE INDEX ledger_evidence_by_peer ON ledger_evidence (peer, id);",
	/* 7: persons' password hashes and sign-in sessions (store/auth_store.h) */
	"CREATE TABLE person_passwords (person TEXT PRIMARY KEY, hash TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, person TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER) STRICT;"
	"CREATE INDEX sessions_by_person ON sessions (person);",
	/* 8: parties' key histories and visits (store/key_store.h,
	 * store/visit_store.h) */
	"CREATE TABLE party_keys (code TEXT NOT NULL, fingerprint TEXT NOT NULL,"
	"  sign_pk BLOB NOT NULL, box_pk BLOB NOT NULL, valid_from INTEGER, valid_until INTEGER,"
	"  compromised_since INTEGER, identity BLOB, rotation BLOB, compromise BLOB, box_sk_sealed BLOB,"
	"  recorded_at INTEGER NOT NULL, PRIMARY KEY (code, fingerprint)) STRICT;"
	"CREATE TABLE visits (id TEXT PRIMARY KEY, visitor TEXT NOT NULL, host TEXT NOT NULL,"
	"  state TEXT NOT NULL, record TEXT NOT NULL, request BLOB NOT NULL, answer BLOB,"
	"  updated_at INTEGER NOT NULL) STRICT;",
	/* 9: missile warnings (store/warning_store.h): the standing publish
	 * and relay rules, and the warnings held here with what the hub told */
	"CREATE TABLE warning_rules (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('publish', 'relay')),"
	"  origin TEXT NOT NULL, to_party TEXT NOT NULL, under TEXT NOT NULL, agreement TEXT NOT NULL,"
	"  topic TEXT NOT NULL, purpose TEXT NOT NULL, added_at INTEGER NOT NULL, added_by TEXT NOT NULL,"
	"  UNIQUE (kind, origin, to_party, under, topic)) STRICT;"
	"CREATE TABLE warnings (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL CHECK (kind IN ('warning', 'relay-refusal')), originator TEXT NOT NULL,"
	"  id TEXT NOT NULL, item TEXT NOT NULL, record TEXT NOT NULL, at_ms INTEGER NOT NULL) STRICT;"
	"CREATE UNIQUE INDEX warnings_once ON warnings (originator, id) WHERE kind = 'warning';"
	"CREATE INDEX warnings_by_item ON warnings (item);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* SQLite's word that the file is not a sound database. */
static int damaged_code(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

static int db_err(struct store *st, struct gs_diag *d, const char *what)
{
	if (damaged_code(sqlite3_extended_errcode(st->db)))
		return gs_diag_set(d, GS_EIO, "database '%s' is damaged (%s: %s); restore it from a backup",
				   sqlite3_db_filename(st->db, "main"), what, sqlite3_errmsg(st->db));
	return gs_diag_set(d, GS_EIO, "database: %s: %s", what, sqlite3_errmsg(st->db));
}

static int exec(struct store *st, const char *sql)
{
	return dbs_exec(st, sql);
}

static int user_version(struct store *st, int *v)
{
	dbs *s;
	int rc;

	if (dbs_prepare(st, "PRAGMA user_version", &s, false) != SQLITE_OK)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		*v = dbs_column_int(s, 0);
	dbs_finalize(s);
	return rc == SQLITE_ROW ? 0 : GS_EIO;
}

static int no_schema(struct store *st, struct gs_diag *d)
{
	return gs_diag_set(d, GS_EIO, "database '%s' holds no node (an empty file, or no gsomia database): "
			   "it is left as it is; restore it from a backup", sqlite3_db_filename(st->db, "main"));
}

static int migrate(struct store *st, enum store_mode mode, struct gs_diag *d)
{
	char sql[64];
	int v, ret;

	if (exec(st, "BEGIN IMMEDIATE"))
		return db_err(st, d, "begin migration");
	if ((ret = user_version(st, &v)))
		goto fail;
	/* checked again under the lock: another process may have made it */
	if (v == 0 && mode != STORE_CREATE) {
		store_rollback(st);
		return no_schema(st, d);
	}
	if (v > NMIGRATIONS) {
		store_rollback(st);
		return gs_diag_set(d, GS_ESTATE,
				   "database schema %d is newer than this program (%d)", v,
				   NMIGRATIONS);
	}
	for (; v < NMIGRATIONS; v++) {
		if (exec(st, migrations[v]))
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(st, sql))
			goto fail;
	}
	if (exec(st, "COMMIT"))
		goto fail;
	return 0;
fail:
	ret = db_err(st, d, "migration");
	store_rollback(st);
	return ret;
}

/* The database and its -wal and -shm files: no access for group and
 * others (they hold password and session hashes). SQLite gives the -wal
 * and -shm files the mode of the database when it makes them. */
static void make_private(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[4200];
	struct stat sb;

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (stat(p, &sb) == 0 && (sb.st_mode & 077))
			(void)chmod(p, sb.st_mode & 0700);
	}
}

static void on_row_change(void *ctx, int op, const char *db, const char *table, sqlite3_int64 row)
{
	struct store *st = ctx;

	(void)db;
	(void)row;
	if (op != SQLITE_DELETE && !strcmp(table, "outbox"))
		st->outbox_dirty = 1;
	if (!store_table_busy(table))
		st->evidence_gen++;
}

/* A PostgreSQL database (store/pg.c): the schema is made or checked
 * there. */
static int open_pg(const char *locator, enum store_mode mode, struct store **out, struct gs_diag *d)
{
	struct store *st = calloc(1, sizeof(*st));
	int ret;

	if (!st)
		return GS_ENOMEM;
	st->backend = STORE_POSTGRESQL;
	if ((ret = pg_open(st, locator, mode, d))) {
		store_close(st);
		return ret;
	}
	*out = st;
	return 0;
}

int store_open(const char *path, enum store_mode mode, struct store **out, struct gs_diag *d)
{
	struct store *st;
	int flags = SQLITE_OPEN_FULLMUTEX, fd, v, ret;

	if (pg_locator(path))
		return open_pg(path, mode, out, d);

	if (mode == STORE_CREATE) {
		/* made here, 0600, so that SQLite never makes it with its 0644 */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return gs_diag_set(d, GS_EIO, "cannot create database '%s': %s", path, strerror(errno));
		close(fd);
	}
	flags |= mode == STORE_READ_ONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	st = calloc(1, sizeof(*st));
	if (!st)
		return GS_ENOMEM;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		ret = gs_diag_set(d, GS_EIO, "cannot open database '%s': %s", path,
				  st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_update_hook(st->db, on_row_change, st);
	/* Before anything could write to it: a database with no schema is
	 * refused, never rebuilt (except the one STORE_CREATE just made). */
	if ((ret = user_version(st, &v))) {
		ret = db_err(st, d, "read the schema version");
		goto fail;
	}
	if (v == 0 && mode != STORE_CREATE) {
		ret = no_schema(st, d);
		goto fail;
	}
	if (mode == STORE_READ_ONLY) {
		if (v != NMIGRATIONS) {
			ret = gs_diag_set(d, GS_ESTATE,
					  v > NMIGRATIONS ? "database schema %d is newer than this program (%d)"
							  : "database schema %d is older than this program (%d): a command "
							    "that only reads does not migrate it; any command that changes "
							    "the node (or 'gsomia serve') does",
					  v, NMIGRATIONS);
			goto fail;
		}
		if (exec(st, "PRAGMA foreign_keys=ON")) {
			ret = db_err(st, d, "configure");
			goto fail;
		}
		*out = st;
		return 0;
	}
	make_private(path);
	/* WAL with FULL sync: a commit is on disk when it returns. */
	if (exec(st, "PRAGMA journal_mode=WAL") || exec(st, "PRAGMA synchronous=FULL") ||
	    exec(st, "PRAGMA foreign_keys=ON") || exec(st, "PRAGMA journal_size_limit=67108864")) {
		ret = db_err(st, d, "configure");
		goto fail;
	}
	if ((ret = migrate(st, mode, d)))
		goto fail;
	make_private(path);
	*out = st;
	return 0;
fail:
	sqlite3_close(st->db);
	free(st);
	return ret;
}

int store_check(struct store *st, struct gs_diag *d)
{
	dbs *s = NULL;
	const char *what = NULL;
	char first[256] = "";
	int rc;

	if (st->backend == STORE_POSTGRESQL) /* PostgreSQL checks its own pages */
		return pg_unavailable(st) ? gs_diag_set(d, GS_EIO, "database: %s", pg_errmsg(st)) : 0;
	if (damaged_code(sqlite3_extended_errcode(st->db)))
		return db_err(st, d, "read");
	rc = dbs_prepare(st, "PRAGMA quick_check(1)", &s, false);
	if (rc == SQLITE_OK && (rc = dbs_step(s)) == SQLITE_ROW) {
		what = (const char *)dbs_column_text(s, 0);
		if (what)
			snprintf(first, sizeof(first), "%s", what);
	}
	dbs_finalize(s);
	if (rc == SQLITE_ROW && !strcmp(first, "ok"))
		return 0;
	if (rc != SQLITE_ROW)
		return db_err(st, d, "check");
	return gs_diag_set(d, GS_EIO, "database '%s' is damaged (%s); restore it from a backup",
			   sqlite3_db_filename(st->db, "main"), first);
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < STORE_STMT_MAX; i++)
		dbs_finalize(st->stmts[i]);
	for (i = 0; i < STORE_HOT_MAX; i++)
		dbs_finalize(st->hot[i]);
	if (st->backend == STORE_POSTGRESQL)
		pg_close(st);
	else
		sqlite3_close(st->db);
	free(st);
}

dbs *store_hot(struct store *st, enum store_hot which, const char *sql)
{
	dbs *s = st->hot[which];

	if (!s) {
		if (dbs_prepare(st, sql, &s, true) != SQLITE_OK)
			return NULL;
		st->hot[which] = s;
	}
	dbs_reset(s);
	dbs_clear_bindings(s);
	return s;
}

int store_begin_read(struct store *st)
{
	if (st->backend == STORE_POSTGRESQL)
		return pg_begin(st, false);
	return exec(st, "BEGIN DEFERRED");
}

int store_begin(struct store *st)
{
	int ret = st->backend == STORE_POSTGRESQL ? pg_begin(st, true) : exec(st, "BEGIN IMMEDIATE");

	st->writing = !ret;
	return ret;
}

int store_commit(struct store *st)
{
	return store_commit_actions(st, 1);
}

/* A write transaction's commit is a durable batch (store/stats_store.h);
 * a read snapshot's is not. */
int store_commit_actions(struct store *st, uint64_t actions)
{
	int writing = st->writing, ret = st->backend == STORE_POSTGRESQL ? pg_commit(st) : exec(st, "COMMIT");

	if (!ret) {
		st->writing = 0;
		if (writing)
			store_commit_observe(actions);
		if (st->outbox_dirty) {
			st->outbox_dirty = 0;
			if (st->on_outbox)
				st->on_outbox(st->on_outbox_ctx);
		}
	}
	return ret;
}

void store_on_outbox_commit(struct store *st, void (*fn)(void *ctx), void *ctx)
{
	st->on_outbox = fn;
	st->on_outbox_ctx = ctx;
}

void store_rollback(struct store *st)
{
	st->outbox_dirty = 0;
	st->writing = 0;
	if (st->backend == STORE_POSTGRESQL)
		pg_rollback(st);
	else if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_savepoint(struct store *st)
{
	return exec(st, "SAVEPOINT action");
}

int store_savepoint_release(struct store *st)
{
	return exec(st, "RELEASE action");
}

void store_savepoint_rollback(struct store *st)
{
	(void)dbs_exec(st, "ROLLBACK TO action");
	(void)dbs_exec(st, "RELEASE action");
}

/* PRAGMA data_version sees other handles' commits, not this one's;
 * sqlite3_total_changes64() counts this handle's rows changed. */
int store_data_version(struct store *st, uint64_t *external, uint64_t *internal)
{
	dbs *s;
	int rc;

	if (st->backend == STORE_POSTGRESQL) {
		uint64_t evidence;

		*internal = (uint64_t)pg_total_changes(st);
		return pg_versions(st, external, &evidence);
	}
	s = store_hot(st, HOT_DATA_VERSION, "PRAGMA data_version");
	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		*external = (uint64_t)dbs_column_int64(s, 0);
	dbs_reset(s);
	if (rc != SQLITE_ROW)
		return GS_EIO;
	*internal = (uint64_t)sqlite3_total_changes64(st->db);
	return 0;
}

int store_evidence_version(struct store *st, uint64_t *external, uint64_t *evidence)
{
	uint64_t internal;
	int ret;

	/* PostgreSQL: every process's commits that changed evidence count,
	 * this one's too (the counter is bumped in the commit) */
	if (st->backend == STORE_POSTGRESQL)
		ret = pg_versions(st, &internal, external);
	else
		ret = store_data_version(st, external, &internal);

	/* inside a write transaction, what is read may yet be rolled back:
	 * a version no read outside one can have */
	*evidence = st->evidence_gen | (store_in_write(st) ? (uint64_t)1 << 63 : 0);
	return ret;
}

int store_in_write(struct store *st)
{
	if (st->backend == STORE_POSTGRESQL)
		return st->writing;
	return sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_WRITE;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO meta (key, value) VALUES (?, ?) "
			 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		 "ss", key, value))
		return GS_EIO;
	return stmt_done(s);
}

int store_meta_get(struct store *st, const char *key, char **value)
{
	dbs *s;
	int rc;

	if (stmt_prepare(st, &s, "SELECT value FROM meta WHERE key = ?", "s", key))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		*value = stmt_text_dup(s, 0);
	dbs_finalize(s);
	if (rc == SQLITE_ROW)
		return *value ? 0 : GS_ENOMEM;
	return rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
}

void store_party_release(struct store_party *p)
{
	free(p->code);
	free(p->name);
	free(p->fingerprint);
	free(p->identity);
	memset(p, 0, sizeof(*p));
}

static int party_row(dbs *s, struct store_party *p)
{
	memset(p, 0, sizeof(*p));
	p->code = stmt_text_dup(s, 0);
	p->name = stmt_text_dup(s, 1);
	p->fingerprint = stmt_text_dup(s, 2);
	p->identity = stmt_blob_dup(s, 3, &p->identity_len);
	p->imported_at = dbs_column_int64(s, 4);
	p->is_self = dbs_column_int(s, 5);
	if (!p->code || !p->name || !p->fingerprint || !p->identity) {
		store_party_release(p);
		return GS_ENOMEM;
	}
	return 0;
}

int store_party_get(struct store *st, const char *code, struct store_party *out)
{
	dbs *s = store_hot(st, HOT_PARTY_GET, "SELECT code, name, fingerprint, identity, "
				    "imported_at, is_self FROM parties WHERE code = ?");
	int rc, ret;

	if (!s || dbs_bind_text(s, 1, code, true) != SQLITE_OK)
		return GS_EIO;
	rc = dbs_step(s);
	ret = rc == SQLITE_ROW ? party_row(s, out) : rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	dbs_reset(s);
	dbs_clear_bindings(s);
	return ret;
}

int store_party_put(struct store *st, const struct store_party *p)
{
	struct store_party old;
	dbs *s;
	int ret;

	ret = store_party_get(st, p->code, &old);
	if (ret == 0) {
		/* Re-importing the same identity is a no-op; another key for the
		 * same code is refused (rotation is an explicit act). */
		int same = old.identity_len == p->identity_len &&
			   !memcmp(old.identity, p->identity, p->identity_len);

		store_party_release(&old);
		return same ? 0 : GS_EEXIST;
	}
	if (ret != GS_ENOTFOUND)
		return ret;
	if (stmt_prepare(st, &s, "INSERT INTO parties (code, name, fingerprint, identity, imported_at, is_self) "
			 "VALUES (?, ?, ?, ?, ?, ?)",
		 "sssbii", p->code, p->name, p->fingerprint, p->identity, p->identity_len,
		 p->imported_at, (int64_t)p->is_self))
		return GS_EIO;
	return stmt_done(s);
}

int store_party_replace(struct store *st, const struct store_party *p)
{
	dbs *s;
	int ret;

	if (stmt_prepare(st, &s, "UPDATE parties SET name = ?, fingerprint = ?, identity = ?, imported_at = ? WHERE code = ?",
		 "ssbis", p->name, p->fingerprint, p->identity, p->identity_len, p->imported_at, p->code))
		return GS_EIO;
	if ((ret = stmt_done(s)))
		return ret;
	return dbs_changes(st) == 1 ? 0 : GS_ENOTFOUND;
}

int store_party_each(struct store *st, int (*fn)(void *ctx, const struct store_party *p), void *ctx)
{
	struct store_party p;
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT code, name, fingerprint, identity, imported_at, is_self "
			 "FROM parties ORDER BY code", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		if ((ret = party_row(s, &p)))
			break;
		ret = fn(ctx, &p);
		store_party_release(&p);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_agreement_put(struct store *st, const char *id, int version, const uint8_t *def,
			size_t len, int64_t now)
{
	uint8_t *old;
	size_t oldlen;
	dbs *s;
	int ret;

	ret = store_agreement_get(st, id, version, &old, &oldlen);
	if (ret == 0) {
		int same = oldlen == len && !memcmp(old, def, len);

		free(old);
		return same ? 0 : GS_EEXIST;
	}
	if (ret != GS_ENOTFOUND)
		return ret;
	if (stmt_prepare(st, &s, "INSERT INTO agreements (id, version, definition, imported_at) "
			 "VALUES (?, ?, ?, ?)", "sibi", id, (int64_t)version, def, len, now))
		return GS_EIO;
	return stmt_done(s);
}

int store_agreement_get(struct store *st, const char *id, int version, uint8_t **def, size_t *len)
{
	dbs *s;
	int rc, ret;

	if (stmt_prepare(st, &s, "SELECT definition FROM agreements WHERE id = ? AND version = ?", "si",
		 id, (int64_t)version))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*def = stmt_blob_dup(s, 0, len);
		ret = *def ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_agreement_latest(struct store *st, const char *id, int *version)
{
	dbs *s;
	int rc, ret = GS_ENOTFOUND;

	if (stmt_prepare(st, &s, "SELECT max(version) FROM agreements WHERE id = ?", "s", id))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW && dbs_column_type(s, 0) != SQLITE_NULL) {
		*version = dbs_column_int(s, 0);
		ret = 0;
	} else if (rc != SQLITE_ROW) {
		ret = GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_agreement_each(struct store *st, int (*fn)(void *ctx, const char *id, int version), void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT id, max(version) FROM agreements GROUP BY id ORDER BY id", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0), dbs_column_int(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_signature_put(struct store *st, const char *id, int version, const char *party,
			const uint8_t *note, size_t len, int64_t now)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO signatures (agreement, version, party, note, imported_at) "
			 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (agreement, version, party) DO UPDATE SET note = excluded.note",
		 "sisbi", id, (int64_t)version, party, note, len, now))
		return GS_EIO;
	return stmt_done(s);
}

int store_signature_each(struct store *st, const char *id, int version,
			 int (*fn)(void *ctx, const char *party, const uint8_t *note, size_t len),
			 void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT party, note FROM signatures WHERE agreement = ? AND version = ? "
			 "ORDER BY party", "si", id, (int64_t)version))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0), dbs_column_blob(s, 1),
			 (size_t)dbs_column_bytes(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_dipnote_put(struct store *st, const struct store_dipnote *n, int64_t now)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO dipnotes (id, agreement, kind, sender, delivered, note, imported_at) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?)",
		 "ssssibi", n->id, n->agreement, n->kind, n->sender, n->delivered, n->note,
		 n->note_len, now))
		return GS_EIO;
	return stmt_done(s);
}

int store_dipnote_each(struct store *st, const char *agreement,
		       int (*fn)(void *ctx, const struct store_dipnote *n), void *ctx)
{
	struct store_dipnote n;
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT id, agreement, kind, sender, delivered, note FROM dipnotes "
			 "WHERE agreement = ? ORDER BY delivered, rowid", "s", agreement))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		n.id = (const char *)dbs_column_text(s, 0);
		n.agreement = (const char *)dbs_column_text(s, 1);
		n.kind = (const char *)dbs_column_text(s, 2);
		n.sender = (const char *)dbs_column_text(s, 3);
		n.delivered = dbs_column_int64(s, 4);
		n.note = dbs_column_blob(s, 5);
		n.note_len = (size_t)dbs_column_bytes(s, 5);
		ret = fn(ctx, &n);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_dipnote_find(struct store *st, const char *id, char full[65], struct store_dipnote *n,
		       uint8_t **note)
{
	dbs *s;
	size_t len = strlen(id);
	int rc, found = 0, ret = 0;

	*note = NULL;
	if (len < 8 || len > 64 || strspn(id, "0123456789abcdef") != len)
		return GS_ENOTFOUND;
	if (stmt_prepare(st, &s, "SELECT id, delivered, note FROM dipnotes WHERE substr(id, 1, ?) = ? LIMIT 2",
		 "is", (int64_t)len, id))
		return GS_EIO;
	while ((rc = dbs_step(s)) == SQLITE_ROW) {
		if (found++)
			break;
		snprintf(full, 65, "%s", (const char *)dbs_column_text(s, 0));
		n->delivered = dbs_column_int64(s, 1);
		n->note_len = (size_t)dbs_column_bytes(s, 2);
		*note = malloc(n->note_len ? n->note_len : 1);
		if (!*note) {
			ret = GS_ENOMEM;
			break;
		}
		memcpy(*note, dbs_column_blob(s, 2), n->note_len);
		n->note = *note;
		n->id = full;
	}
	if (!ret && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	if (!ret && found == 0)
		ret = GS_ENOTFOUND;
	if (!ret && found > 1)
		ret = GS_EEXIST;
	if (ret) {
		free(*note);
		*note = NULL;
	}
	return ret;
}

int store_dipnote_delete(struct store *st, const char *id)
{
	dbs *s;
	int ret;

	if (stmt_prepare(st, &s, "DELETE FROM dipnotes WHERE id = ?", "s", id))
		return GS_EIO;
	if ((ret = stmt_done(s)))
		return ret;
	return dbs_changes(st) ? 0 : GS_ENOTFOUND;
}

/* Kept in meta as note-given:<id> = the instant: no table of its own. */
int store_dipnote_given(struct store *st, const char *id, int64_t *at)
{
	char key[96], *v = NULL;
	int ret;

	snprintf(key, sizeof(key), "note-given:%.64s", id);
	if ((ret = store_meta_get(st, key, &v)))
		return ret;
	*at = strtoll(v, NULL, 10);
	free(v);
	return 0;
}

int store_dipnote_set_given(struct store *st, const char *id, int64_t at)
{
	char key[96], v[32];

	snprintf(key, sizeof(key), "note-given:%.64s", id);
	snprintf(v, sizeof(v), "%lld", (long long)at);
	return store_meta_set(st, key, v);
}

/* Record tables are named by the caller; only these exist. */
static const char *record_table(const char *table)
{
	if (!strcmp(table, "persons"))
		return "persons";
	if (!strcmp(table, "facilities"))
		return "facilities";
	if (!strcmp(table, "items"))
		return "items";
	return NULL;
}

int store_record_put(struct store *st, const char *table, const char *id, const char *json, int64_t now)
{
	char sql[160];
	dbs *s;
	const char *t = record_table(table);

	if (!t)
		return GS_EINVAL;
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, record, updated_at) VALUES (?, ?, ?) "
		 "ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at", t);
	if (stmt_prepare(st, &s, sql, "ssi", id, json, now))
		return GS_EIO;
	return stmt_done(s);
}

int store_record_get(struct store *st, const char *table, const char *id, char **json)
{
	char sql[96];
	dbs *s;
	const char *t = record_table(table);
	int rc, ret, hot = 1;

	if (!t)
		return GS_EINVAL;
	/* persons and facilities are read on every API call */
	if (!strcmp(t, "persons"))
		s = store_hot(st, HOT_PERSON_GET, "SELECT record FROM persons WHERE id = ?");
	else if (!strcmp(t, "facilities"))
		s = store_hot(st, HOT_FACILITY_GET, "SELECT record FROM facilities WHERE id = ?");
	else
		hot = 0;
	if (hot) {
		if (!s || dbs_bind_text(s, 1, id, true) != SQLITE_OK)
			return GS_EIO;
	} else {
		snprintf(sql, sizeof(sql), "SELECT record FROM %s WHERE id = ?", t);
		if (stmt_prepare(st, &s, sql, "s", id))
			return GS_EIO;
	}
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*json = stmt_text_dup(s, 0);
		ret = *json ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	if (hot) {
		dbs_reset(s);
		dbs_clear_bindings(s);
	} else {
		dbs_finalize(s);
	}
	return ret;
}

int store_record_each(struct store *st, const char *table,
		      int (*fn)(void *ctx, const char *id, const char *json), void *ctx)
{
	char sql[96];
	dbs *s;
	const char *t = record_table(table);
	int rc, ret = 0;

	if (!t)
		return GS_EINVAL;
	snprintf(sql, sizeof(sql), "SELECT id, record FROM %s ORDER BY id", t);
	if (stmt_prepare(st, &s, sql, ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0),
			 (const char *)dbs_column_text(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_item_rows_each(struct store *st, int (*fn)(void *ctx, const struct store_item_row *r), void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT id, json_extract(record, '$.originator'), json_extract(record, '$.originator_name'), "
			 "json_extract(record, '$.label'), json_extract(record, '$.marking'), "
			 "json_extract(record, '$.status'), "
			 "coalesce(json_extract(record, '$.released_at'), json_extract(record, '$.created_at')), "
			 "json_extract(record, '$.title'), json_extract(record, '$.name'), json_extract(record, '$.topic'), "
			 "json_extract(record, '$.purpose'), json_extract(record, '$.agreement') FROM items ORDER BY id", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		struct store_item_row r;
		const char **col[] = { &r.id, &r.originator, &r.originator_name, &r.label, &r.marking, &r.status,
				       &r.when, &r.title, &r.name, &r.topic, &r.purpose, &r.agreement };
		size_t i;

		for (i = 0; i < sizeof(col) / sizeof(col[0]); i++) {
			const char *v = (const char *)dbs_column_text(s, (int)i);

			*col[i] = v ? v : "";
		}
		ret = fn(ctx, &r);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_item_key_set(struct store *st, const char *id, const uint8_t *key, size_t len)
{
	dbs *s;

	if (stmt_prepare(st, &s, "UPDATE items SET file_key = ? WHERE id = ?", "bs", key, len, id))
		return GS_EIO;
	if (!key) {
		dbs_finalize(s);
		if (stmt_prepare(st, &s, "UPDATE items SET file_key = NULL WHERE id = ?", "s", id))
			return GS_EIO;
	}
	return stmt_done(s);
}

int store_item_key_get(struct store *st, const char *id, uint8_t **key, size_t *len)
{
	dbs *s;
	int rc, ret;

	if (stmt_prepare(st, &s, "SELECT file_key FROM items WHERE id = ?", "s", id))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW && dbs_column_type(s, 0) != SQLITE_NULL) {
		*key = stmt_blob_dup(s, 0, len);
		ret = *key ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_release_put(struct store *st, const char *bundle, const char *item, const char *recipient,
		      const char *json, int64_t now)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO releases (bundle, item, recipient, record, updated_at) "
			 "VALUES (?, ?, ?, ?, ?)", "ssssi", bundle, item, recipient, json, now))
		return GS_EIO;
	return stmt_done(s);
}

int store_release_get(struct store *st, const char *bundle, char **json, uint8_t **receipt,
		      size_t *receipt_len)
{
	dbs *s;
	int rc, ret;

	if (stmt_prepare(st, &s, "SELECT record, receipt FROM releases WHERE bundle = ?", "s", bundle))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*json = stmt_text_dup(s, 0);
		*receipt = NULL;
		*receipt_len = 0;
		if (dbs_column_type(s, 1) != SQLITE_NULL)
			*receipt = stmt_blob_dup(s, 1, receipt_len);
		ret = *json ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_release_receipt(struct store *st, const char *bundle, const uint8_t *receipt, size_t len,
			  int64_t now)
{
	dbs *s;

	if (stmt_prepare(st, &s, "UPDATE releases SET receipt = ?, updated_at = ? WHERE bundle = ?", "bis",
		 receipt, len, now, bundle))
		return GS_EIO;
	return stmt_done(s);
}

int store_release_each(struct store *st, const char *item,
		       int (*fn)(void *ctx, const char *bundle, const char *json, int has_receipt),
		       void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	/* two statements: "? = '' OR item = ?" would keep SQLite from the
	 * index on item, and every item's releases would scan the table */
	if (item[0] ? stmt_prepare(st, &s, "SELECT bundle, record, receipt IS NOT NULL FROM releases "
				   "WHERE item = ? ORDER BY rowid", "s", item)
		    : stmt_prepare(st, &s, "SELECT bundle, record, receipt IS NOT NULL FROM releases ORDER BY rowid", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0),
			 (const char *)dbs_column_text(s, 1), dbs_column_int(s, 2));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_release_all(struct store *st,
		      int (*fn)(void *ctx, const char *item, const char *bundle, const char *json, int has_receipt),
		      void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT item, bundle, record, receipt IS NOT NULL FROM releases ORDER BY rowid", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0), (const char *)dbs_column_text(s, 1),
			 (const char *)dbs_column_text(s, 2), dbs_column_int(s, 3));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_custody_all(struct store *st,
		      int (*fn)(void *ctx, const char *item, int64_t at, const char *event, const char *actor,
				const char *detail),
		      void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT item, at, event, actor, detail FROM custody ORDER BY item, seq", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0), dbs_column_int64(s, 1),
			 (const char *)dbs_column_text(s, 2), (const char *)dbs_column_text(s, 3),
			 (const char *)dbs_column_text(s, 4));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_custody_add(struct store *st, const char *item, int64_t at, const char *event,
		      const char *actor, const char *detail)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO custody (item, at, event, actor, detail) VALUES (?, ?, ?, ?, ?)",
		 "sisss", item, at, event, actor, detail))
		return GS_EIO;
	return stmt_done(s);
}

int store_custody_each(struct store *st, const char *item,
		       int (*fn)(void *ctx, int64_t at, const char *event, const char *actor,
				 const char *detail),
		       void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT at, event, actor, detail FROM custody WHERE item = ? ORDER BY seq",
		 "s", item))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, dbs_column_int64(s, 0), (const char *)dbs_column_text(s, 1),
			 (const char *)dbs_column_text(s, 2), (const char *)dbs_column_text(s, 3));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_item_with_bundle(struct store *st, const char *bundle)
{
	dbs *s;
	int rc;

	if (stmt_prepare(st, &s, "SELECT 1 FROM items WHERE json_extract(record, '$.bundle') = ? LIMIT 1", "s", bundle))
		return GS_EIO;
	rc = dbs_step(s);
	dbs_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
}

int store_outbox_add(struct store *st, const struct store_outbox *o)
{
	dbs *s;

	if (stmt_prepare(st, &s, "INSERT INTO outbox (id, peer, kind, ref, path, state, attempts, created_at,"
			 " next_at, last_error) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, '')"
			 " ON CONFLICT (id) DO NOTHING",
		 "sssssii", o->id, o->peer, o->kind, o->ref, o->path, o->created_at, o->next_at))
		return GS_EIO;
	return stmt_done(s);
}

int store_outbox_update(struct store *st, const char *id, const char *state, int64_t attempts,
			int64_t next_at, const char *last_error, int64_t done_at)
{
	dbs *s;

	if (stmt_prepare(st, &s, st->backend == STORE_POSTGRESQL
			 ? "UPDATE outbox SET state = ?, attempts = ?, next_at = ?, last_error = ?,"
			   " done_at = NULLIF(?, 0), claimed_pid = NULL WHERE id = ?"
			 : "UPDATE outbox SET state = ?, attempts = ?, next_at = ?, last_error = ?,"
			   " done_at = NULLIF(?, 0) WHERE id = ?",
		 "siisis", state, attempts, next_at, last_error, done_at, id))
		return GS_EIO;
	return stmt_done(s);
}

int store_outbox_wake(struct store *st, const char *peer, int64_t now)
{
	return stmt_exec(st, "UPDATE outbox SET next_at = ? WHERE peer = ? AND state = 'pending' AND next_at > ?", "isi",
			 now, peer, now);
}

/* Calls fn for each row of s (the outbox's columns in order) and
 * finalizes it. */
static int outbox_rows(dbs *s, int (*fn)(void *ctx, const struct store_outbox *o), void *ctx)
{
	struct store_outbox o;
	int rc = SQLITE_DONE, ret = 0;

	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		o.id = (const char *)dbs_column_text(s, 0);
		o.peer = (const char *)dbs_column_text(s, 1);
		o.kind = (const char *)dbs_column_text(s, 2);
		o.ref = (const char *)dbs_column_text(s, 3);
		o.path = (const char *)dbs_column_text(s, 4);
		o.state = (const char *)dbs_column_text(s, 5);
		o.attempts = dbs_column_int64(s, 6);
		o.created_at = dbs_column_int64(s, 7);
		o.next_at = dbs_column_int64(s, 8);
		o.last_error = (const char *)dbs_column_text(s, 9);
		o.done_at = dbs_column_int64(s, 10);
		ret = fn(ctx, &o);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_outbox_each(struct store *st, int due_only, int64_t now,
		      int (*fn)(void *ctx, const struct store_outbox *o), void *ctx)
{
	dbs *s;

	if (stmt_prepare(st, &s, "SELECT id, peer, kind, ref, path, state, attempts, created_at, next_at,"
			 " last_error, coalesce(done_at, 0) FROM outbox"
			 " WHERE ? = 0 OR (state = 'pending' AND next_at <= ?) ORDER BY rowid",
		 "ii", (int64_t)due_only, now))
		return GS_EIO;
	return outbox_rows(s, fn, ctx);
}

/* PostgreSQL: several processes' couriers share the outbox. The due
 * entries are taken in one statement that marks them with the database
 * session of this process (its backend's pid and start), skipping rows
 * another process is taking, and entries marked by a session that is gone
 * are due again at once: each delivery is made by one process, and if it
 * dies, another one's courier makes it. store_outbox_update() clears the
 * mark. fn sees the rows in the outbox's order. SQLite: one server per
 * home, and the due entries as they are. */
int store_outbox_claim(struct store *st, int64_t now, size_t max,
		       int (*fn)(void *ctx, const struct store_outbox *o), void *ctx)
{
	dbs *s;

	if (st->backend != STORE_POSTGRESQL)
		return store_outbox_each(st, 1, now, fn, ctx);
	if (stmt_prepare(st, &s, "WITH due AS (SELECT id FROM outbox o WHERE state = 'pending' AND next_at <= ?"
			 " AND (claimed_pid IS NULL OR claimed_pid = pg_backend_pid() OR NOT EXISTS (SELECT 1"
			 " FROM pg_stat_activity a WHERE a.pid = o.claimed_pid AND a.backend_start = o.claimed_start))"
			 " ORDER BY rowid LIMIT ? FOR UPDATE SKIP LOCKED), taken AS (UPDATE outbox o"
			 " SET claimed_pid = pg_backend_pid(), claimed_start = (SELECT backend_start FROM"
			 " pg_stat_activity WHERE pid = pg_backend_pid()) FROM due WHERE o.id = due.id"
			 " RETURNING o.rowid, o.id, o.peer, o.kind, o.ref, o.path, o.state, o.attempts, o.created_at,"
			 " o.next_at, o.last_error, o.done_at)"
			 " SELECT id, peer, kind, ref, path, state, attempts, created_at, next_at, last_error,"
			 " coalesce(done_at, 0) FROM taken ORDER BY rowid",
			 "ii", now, (int64_t)(max && max < 1000000 ? max : 1000000)))
		return GS_EIO;
	return outbox_rows(s, fn, ctx);
}
