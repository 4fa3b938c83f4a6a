/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend (docs/scale-out.md). One libpq connection per
 * store handle. What SQLite gives the store for nothing is made here:
 *
 * - one writer at a time: a write transaction takes a transaction-level
 *   advisory lock first, so that writers of every process take turns as
 *   they do on SQLite's BEGIN IMMEDIATE, and every rule that reads and
 *   then writes keeps holding across processes (ledger appends included:
 *   a log is never forked);
 * - data_version: a row of counters bumped in the commit of each write
 *   transaction (store_evidence_version);
 * - a constraint that only fails its statement: an INSERT ... VALUES that
 *   would break a unique key does nothing instead (ON CONFLICT DO
 *   NOTHING) and is answered SQLITE_CONSTRAINT, so the transaction goes
 *   on as on SQLite, where a failed statement does not abort it.
 *
 * A lost connection (the primary killed, a standby promoted) fails what
 * was under way; the next statement outside a transaction reconnects,
 * trying the hosts of the locator in turn (target_session_attrs picks
 * the one that takes writes), and statements are prepared again.
 */
#include <errno.h>
#include <stdatomic.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/pg.h"
#include "store/store_internal.h"
#include "util/banned.h"

#define PG_MAX_PARAMS 32
#define PG_CACHE_SLOTS 1024
/* The key of the advisory lock that writers take (any number: one
 * database holds one node). */
#define PG_WRITE_LOCK "7147025"

struct pg_prepared {
	char *sql;   /* as the store wrote it */
	char *text;  /* as PostgreSQL takes it */
	char name[16];
	unsigned gen; /* the connection it was prepared on */
	int nparams;
	bool guard;  /* an INSERT given ON CONFLICT DO NOTHING: no row is a constraint */
	unsigned uses; /* on this connection: prepared from the second on */
	bool write;
	bool evidence; /* writes a table outside the busy ones */
	bool outbox;
};

struct pg_conn {
	PGconn *c;
	char *uri;
	unsigned gen;   /* bumped at each (re)connection */
	bool lost;      /* the connection failed; reconnect before the next statement */
	bool writing;
	bool evidence_dirty;
	int64_t changes;
	int64_t total_changes;
	unsigned next_name;
	char err[512];
	struct pg_prepared cache[PG_CACHE_SLOTS];
};

struct pg_stmt {
	struct store *st;
	struct pg_prepared *p;
	struct pg_prepared own; /* when the cache is full */
	char *vals[PG_MAX_PARAMS];
	int lens[PG_MAX_PARAMS];
	int fmts[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	bool done;
	unsigned char *blob[PG_MAX_PARAMS];
	size_t bloblen[PG_MAX_PARAMS];
	int blobrow[PG_MAX_PARAMS];
};

bool pg_locator(const char *l)
{
	return !strncmp(l, "postgresql://", 13) || !strncmp(l, "postgres://", 11) || strstr(l, "dbname=") != NULL;
}

static void set_err(struct pg_conn *pc, const char *what)
{
	const char *m = pc->c ? PQerrorMessage(pc->c) : "out of memory";
	size_t n;

	snprintf(pc->err, sizeof(pc->err), "%s%s%s", what, what[0] ? ": " : "", m);
	n = strlen(pc->err);
	while (n && (pc->err[n - 1] == '\n' || pc->err[n - 1] == ' '))
		pc->err[--n] = 0;
	/* libpq's message may run over lines: one line, for one-line errors */
	for (char *p = pc->err; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

/* Whether a failed result means the server is gone or will not take
 * writes (a standby): the connection is dropped and made again. */
static bool conn_failure(struct pg_conn *pc, PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(pc->c) != CONNECTION_OK)
		return true;
	if (!state)
		return !r;
	return !strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
	       !strcmp(state, "57P03") || !strcmp(state, "25006");
}

/* store_unreachable(): one node per process, so one flag */
static _Atomic bool unreachable;

bool store_unreachable(void)
{
	return unreachable;
}

static void mark_lost(struct pg_conn *pc, bool lost)
{
	pc->lost = lost;
	unreachable = lost;
}

static void forget_prepared(struct pg_conn *pc)
{
	pc->gen++;
	for (int i = 0; i < PG_CACHE_SLOTS; i++)
		pc->cache[i].uses = 0;
}

/* Reconnects if the connection was lost and no transaction was under
 * way on it: 0, or GS_EIO with the handle still lost. */
static int ensure(struct pg_conn *pc)
{
	if (!pc->lost && PQstatus(pc->c) == CONNECTION_OK)
		return 0;
	if (pc->writing)
		return GS_EIO; /* the transaction is gone: the caller rolls back first */
	PQreset(pc->c);
	if (PQstatus(pc->c) != CONNECTION_OK) {
		set_err(pc, "cannot reach the database");
		mark_lost(pc, true);
		return GS_EIO;
	}
	mark_lost(pc, false);
	forget_prepared(pc);
	return 0;
}

static PGresult *run(struct pg_conn *pc, const char *sql)
{
	PGresult *r;

	if (ensure(pc))
		return NULL;
	r = PQexec(pc->c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		set_err(pc, "");
		if (conn_failure(pc, r))
			mark_lost(pc, true);
		PQclear(r);
		return NULL;
	}
	return r;
}

int pg_exec(struct store *st, const char *sql)
{
	PGresult *r = run(st->pg, sql);

	if (!r)
		return GS_EIO;
	PQclear(r);
	return 0;
}

const char *pg_errmsg(struct store *st)
{
	return st->pg->err[0] ? st->pg->err : "no error";
}

int64_t pg_changes(struct store *st)
{
	return st->pg->changes;
}

int64_t pg_total_changes(struct store *st)
{
	return st->pg->total_changes;
}

bool pg_unavailable(struct store *st)
{
	return st->backend == STORE_POSTGRESQL && st->pg && st->pg->lost;
}

bool pg_in_transaction(struct store *st)
{
	return PQtransactionStatus(st->pg->c) != PQTRANS_IDLE;
}

/* ---- the SQL the store writes, as PostgreSQL takes it ---- */

static bool word_at(const char *p, const char *w)
{
	return !strncasecmp(p, w, strlen(w));
}

/* The table an INSERT, UPDATE or DELETE writes, into t. */
static bool write_target(const char *sql, char *t, size_t tn)
{
	const char *p = sql;
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (word_at(p, "INSERT OR IGNORE INTO "))
		p += 22;
	else if (word_at(p, "INSERT INTO "))
		p += 12;
	else if (word_at(p, "UPDATE "))
		p += 7;
	else if (word_at(p, "DELETE FROM "))
		p += 12;
	else
		return false;
	while (*p && *p != ' ' && *p != '(' && n + 1 < tn)
		t[n++] = *p++;
	t[n] = 0;
	return true;
}

struct sbuf {
	char *b;
	size_t n, cap;
};

static int put(struct sbuf *s, const char *p, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		size_t cap = (s->n + n + 1) * 2;
		char *b = realloc(s->b, cap);

		if (!b)
			return GS_ENOMEM;
		s->b = b;
		s->cap = cap;
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = 0;
	return 0;
}

/* '?' -> $n (outside quotes); json_extract(col, '$.name') ->
 * (col::json ->> 'name'); INSERT OR IGNORE and a plain INSERT ... VALUES
 * get ON CONFLICT DO NOTHING (the second is guarded: no row inserted is
 * the constraint SQLite would have answered). */
static int translate(struct pg_prepared *p)
{
	struct sbuf o = { 0 };
	const char *s = p->sql, *ret;
	bool ignore = false, quote = false, conflict, insert;
	int n = 0;
	char num[16];

	while (*s == ' ')
		s++;
	if (word_at(s, "INSERT OR IGNORE INTO ")) {
		ignore = true;
		if (put(&o, "INSERT INTO ", 12))
			goto nomem;
		s += 22;
	}
	insert = ignore || word_at(s, "INSERT INTO ");
	conflict = strstr(p->sql, "ON CONFLICT") != NULL;
	ret = strstr(s, " RETURNING ");
	for (; *s; s++) {
		if (ret && s == ret && insert && !conflict) {
			if (put(&o, " ON CONFLICT DO NOTHING", 23))
				goto nomem;
			p->guard = !ignore;
			conflict = true;
		}
		if (*s == '\'') {
			quote = !quote;
		} else if (!quote && *s == '?') {
			snprintf(num, sizeof(num), "$%d", ++n);
			if (put(&o, num, strlen(num)))
				goto nomem;
			continue;
		} else if (!quote && word_at(s, "json_extract(")) {
			const char *col = s + 13, *c = strchr(col, ','), *q, *e;

			if (c && (q = strstr(c, "'$.")) && (e = strstr(q, "')"))) {
				if (put(&o, "(", 1) || put(&o, col, (size_t)(c - col)) || put(&o, "::json ->> '", 12) ||
				    put(&o, q + 3, (size_t)(e - q - 3)) || put(&o, "')", 2))
					goto nomem;
				s = e + 1;
				continue;
			}
		}
		if (put(&o, s, 1))
			goto nomem;
	}
	if (insert && !conflict && strstr(p->sql, " VALUES")) {
		if (put(&o, " ON CONFLICT DO NOTHING", 23))
			goto nomem;
		p->guard = !ignore;
	} else if (ignore && !conflict) {
		if (put(&o, " ON CONFLICT DO NOTHING", 23))
			goto nomem;
	}
	if (n > PG_MAX_PARAMS) {
		free(o.b);
		return GS_ELIMIT;
	}
	p->nparams = n;
	p->text = o.b ? o.b : strdup("");
	return p->text ? 0 : GS_ENOMEM;
nomem:
	free(o.b);
	return GS_ENOMEM;
}

int pg_translate(const char *sql, char **out, int *nparams, bool *guard)
{
	struct pg_prepared p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.sql = (char *)sql;
	if ((ret = translate(&p)))
		return ret;
	*out = p.text;
	*nparams = p.nparams;
	*guard = p.guard;
	return 0;
}

static uint64_t hash_sql(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int fill(struct pg_conn *pc, struct pg_prepared *p, const char *sql)
{
	char t[64];
	int ret;

	memset(p, 0, sizeof(*p));
	if (!(p->sql = strdup(sql)))
		return GS_ENOMEM;
	if ((ret = translate(p))) {
		free(p->sql);
		p->sql = NULL;
		return ret;
	}
	if (write_target(sql, t, sizeof(t))) {
		p->write = true;
		p->evidence = !store_table_busy(t);
		p->outbox = !strcmp(t, "outbox") && !word_at(sql, "DELETE");
	}
	snprintf(p->name, sizeof(p->name), "g%u", ++pc->next_name);
	p->gen = pc->gen - 1; /* not yet prepared on this connection */
	return 0;
}

static void clear_prepared(struct pg_prepared *p)
{
	free(p->sql);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

int pg_stmt_prepare(struct store *st, const char *sql, struct pg_stmt **out)
{
	struct pg_conn *pc = st->pg;
	struct pg_stmt *s = calloc(1, sizeof(*s));
	uint64_t h = hash_sql(sql);
	size_t i, slot = (size_t)(h % PG_CACHE_SLOTS);
	int ret;

	if (!s)
		return SQLITE_NOMEM;
	s->st = st;
	s->row = -1;
	for (i = 0; i < 8; i++) {
		struct pg_prepared *p = &pc->cache[(slot + i) % PG_CACHE_SLOTS];

		if (p->sql && !strcmp(p->sql, sql)) {
			s->p = p;
			break;
		}
		if (!p->sql) {
			if ((ret = fill(pc, p, sql))) {
				free(s);
				return ret == GS_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
			}
			s->p = p;
			break;
		}
	}
	if (!s->p) { /* the neighbourhood is full: a statement of its own, unnamed */
		if ((ret = fill(pc, &s->own, sql))) {
			free(s);
			return ret == GS_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
		}
		s->own.name[0] = 0;
		s->p = &s->own;
	}
	*out = s;
	return SQLITE_OK;
}

static void drop_blobs(struct pg_stmt *s)
{
	for (int i = 0; i < PG_MAX_PARAMS; i++) {
		if (s->blob[i])
			PQfreemem(s->blob[i]);
		s->blob[i] = NULL;
	}
}

void pg_stmt_reset(struct pg_stmt *s)
{
	drop_blobs(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->done = false;
}

void pg_stmt_clear(struct pg_stmt *s)
{
	for (int i = 0; i < PG_MAX_PARAMS; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
		s->lens[i] = 0;
		s->fmts[i] = 0;
	}
}

void pg_stmt_free(struct pg_stmt *s)
{
	if (!s)
		return;
	pg_stmt_reset(s);
	pg_stmt_clear(s);
	if (s->p == &s->own)
		clear_prepared(&s->own);
	free(s);
}

int pg_stmt_bind(struct pg_stmt *s, int i, const void *v, size_t n, int format)
{
	char *c = NULL;

	if (i < 1 || i > PG_MAX_PARAMS)
		return SQLITE_RANGE;
	if (v) {
		if (!(c = malloc(n + 1)))
			return SQLITE_NOMEM;
		if (n)
			memcpy(c, v, n);
		c[n] = 0;
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = c;
	s->lens[i - 1] = (int)n;
	s->fmts[i - 1] = format;
	return SQLITE_OK;
}

static int step_error(struct pg_stmt *s, PGresult *r)
{
	struct pg_conn *pc = s->st->pg;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int rc = state && !strncmp(state, "23", 2) ? SQLITE_CONSTRAINT : SQLITE_ERROR;

	set_err(pc, "");
	if (conn_failure(pc, r)) {
		mark_lost(pc, true);
		rc = SQLITE_IOERR;
	}
	PQclear(r);
	return rc;
}

int pg_stmt_step(struct pg_stmt *s)
{
	struct pg_conn *pc = s->st->pg;
	struct pg_prepared *p = s->p;
	PGresult *r;

	if (s->done)
		return SQLITE_DONE;
	if (s->res) {
		drop_blobs(s);
		if (++s->row < s->nrows)
			return SQLITE_ROW;
		s->done = true;
		return SQLITE_DONE;
	}
	if (ensure(pc))
		return SQLITE_IOERR;
	/* a statement run once costs one round trip unprepared, two
	 * prepared: prepared from its second use on this connection */
	if (p->gen != pc->gen && p->uses < 1) {
		p->uses++;
		r = PQexecParams(pc->c, p->text, p->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0);
		goto ran;
	}
	if (p->name[0] && p->gen != pc->gen) {
		r = PQprepare(pc->c, p->name, p->text, p->nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return step_error(s, r);
		PQclear(r);
		p->gen = pc->gen;
	}
	if (p->name[0])
		r = PQexecPrepared(pc->c, p->name, p->nparams, (const char *const *)s->vals, s->lens, s->fmts, 0);
	else
		r = PQexecParams(pc->c, p->text, p->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0);
ran:
	if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK) {
		const char *ct = PQcmdTuples(r);

		pc->changes = ct[0] ? strtoll(ct, NULL, 10) : 0;
		if (p->write) {
			pc->total_changes += pc->changes;
			if (pc->changes && p->evidence) {
				pc->evidence_dirty = true;
				s->st->evidence_gen++;
			}
			if (pc->changes && p->outbox)
				s->st->outbox_dirty = 1;
		}
		if (p->guard && pc->changes == 0) {
			snprintf(pc->err, sizeof(pc->err), "a row with that key is already there");
			PQclear(r);
			s->done = true;
			return SQLITE_CONSTRAINT;
		}
		s->res = r;
		s->nrows = PQntuples(r);
		s->row = 0;
		if (s->nrows > 0)
			return SQLITE_ROW;
		s->done = true;
		return SQLITE_DONE;
	}
	return step_error(s, r);
}

#define BYTEAOID 17
#define BOOLOID 16

static bool has_col(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res) &&
	       !PQgetisnull(s->res, s->row, i);
}

const char *pg_col_text(struct pg_stmt *s, int i)
{
	return has_col(s, i) ? PQgetvalue(s->res, s->row, i) : NULL;
}

int64_t pg_col_int64(struct pg_stmt *s, int i)
{
	const char *v;

	if (!has_col(s, i))
		return 0;
	v = PQgetvalue(s->res, s->row, i);
	if (PQftype(s->res, i) == BOOLOID)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

const void *pg_col_blob(struct pg_stmt *s, int i, int *len)
{
	*len = 0;
	if (!has_col(s, i))
		return NULL;
	if (PQftype(s->res, i) != BYTEAOID || i >= PG_MAX_PARAMS) {
		*len = PQgetlength(s->res, s->row, i);
		return PQgetvalue(s->res, s->row, i);
	}
	if (!s->blob[i]) {
		s->blob[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &s->bloblen[i]);
		if (!s->blob[i])
			return NULL;
	}
	*len = (int)s->bloblen[i];
	return s->blob[i];
}

int pg_col_type(struct pg_stmt *s, int i)
{
	if (!has_col(s, i))
		return SQLITE_NULL;
	switch (PQftype(s->res, i)) {
	case BYTEAOID:
		return SQLITE_BLOB;
	case 20: case 21: case 23: case 1700: case BOOLOID:
		return SQLITE_INTEGER;
	default:
		return SQLITE_TEXT;
	}
}

/* ---- transactions and counters ---- */

int pg_begin(struct store *st, bool write)
{
	struct pg_conn *pc = st->pg;
	PGresult *r;

	r = run(pc, write ? "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")"
			  : "BEGIN ISOLATION LEVEL REPEATABLE READ");
	if (!r)
		return GS_EIO;
	PQclear(r);
	pc->writing = write;
	pc->evidence_dirty = false;
	return 0;
}

int pg_commit(struct store *st)
{
	struct pg_conn *pc = st->pg;
	PGresult *r;

	if (pc->writing)
		r = PQexec(pc->c, pc->evidence_dirty ? "UPDATE gsomia_versions SET data = data + 1, evidence = evidence + 1; COMMIT"
						     : "UPDATE gsomia_versions SET data = data + 1; COMMIT");
	else
		r = PQexec(pc->c, "COMMIT");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_err(pc, "commit");
		if (conn_failure(pc, r))
			mark_lost(pc, true);
		PQclear(r);
		return GS_EIO;
	}
	PQclear(r);
	/* a COMMIT of an aborted transaction is answered ROLLBACK */
	if (PQtransactionStatus(pc->c) != PQTRANS_IDLE)
		return GS_EIO;
	pc->writing = false;
	pc->evidence_dirty = false;
	return 0;
}

void pg_rollback(struct store *st)
{
	struct pg_conn *pc = st->pg;

	pc->writing = false;
	pc->evidence_dirty = false;
	if (PQstatus(pc->c) != CONNECTION_OK) {
		mark_lost(pc, true);
		return;
	}
	if (PQtransactionStatus(pc->c) != PQTRANS_IDLE)
		PQclear(PQexec(pc->c, "ROLLBACK"));
}

int pg_versions(struct store *st, uint64_t *data, uint64_t *evidence)
{
	static const char sql[] = "SELECT data, evidence FROM gsomia_versions";
	dbs *s = store_hot(st, HOT_DATA_VERSION, sql);
	int rc;

	if (!s)
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*data = (uint64_t)dbs_column_int64(s, 0);
		*evidence = (uint64_t)dbs_column_int64(s, 1);
	}
	dbs_reset(s);
	return rc == SQLITE_ROW ? 0 : GS_EIO;
}

/* ---- the schema ---- */

/* Version N of the schema is SQLite's migration N (store/sqlite.c); a
 * PostgreSQL database starts at the version this program made it with,
 * and later migrations are added to both lists. Text is compared byte by
 * byte (COLLATE "C"), as SQLite does, whatever the database's locale. */
#define T "TEXT COLLATE \"C\""
static const char pg_schema_9[] =
	"CREATE TABLE gsomia_schema (version INTEGER NOT NULL);"
	"CREATE TABLE gsomia_versions (data BIGINT NOT NULL, evidence BIGINT NOT NULL);"
	"INSERT INTO gsomia_versions VALUES (0, 0);"
	"CREATE TABLE meta (key " T " PRIMARY KEY, value " T " NOT NULL);"
	"CREATE TABLE parties (code " T " PRIMARY KEY, name " T " NOT NULL, fingerprint " T " NOT NULL,"
	"  identity BYTEA NOT NULL, imported_at BIGINT NOT NULL, is_self BIGINT NOT NULL);"
	"CREATE TABLE agreements (id " T " NOT NULL, version BIGINT NOT NULL, definition BYTEA NOT NULL,"
	"  imported_at BIGINT NOT NULL, PRIMARY KEY (id, version));"
	"CREATE TABLE signatures (agreement " T " NOT NULL, version BIGINT NOT NULL, party " T " NOT NULL,"
	"  note BYTEA NOT NULL, imported_at BIGINT NOT NULL, PRIMARY KEY (agreement, version, party),"
	"  FOREIGN KEY (agreement, version) REFERENCES agreements (id, version));"
	"CREATE TABLE dipnotes (rowid BIGSERIAL, id " T " PRIMARY KEY, agreement " T " NOT NULL, kind " T " NOT NULL,"
	"  sender " T " NOT NULL, delivered BIGINT NOT NULL, note BYTEA NOT NULL, imported_at BIGINT NOT NULL);"
	"CREATE INDEX dipnotes_by_agreement ON dipnotes (agreement, delivered);"
	"CREATE TABLE persons (id " T " PRIMARY KEY, record " T " NOT NULL, updated_at BIGINT NOT NULL);"
	"CREATE TABLE facilities (id " T " PRIMARY KEY, record " T " NOT NULL, updated_at BIGINT NOT NULL);"
	"CREATE TABLE ledger_logs (id BIGSERIAL PRIMARY KEY, origin " T " NOT NULL UNIQUE, peer " T " NOT NULL,"
	"  size BIGINT NOT NULL CHECK (size >= 0));"
	"CREATE TABLE ledger_entries (log BIGINT NOT NULL REFERENCES ledger_logs (id), idx BIGINT NOT NULL,"
	"  time BIGINT NOT NULL, kind " T " NOT NULL, entry BYTEA NOT NULL, leaf BYTEA NOT NULL,"
	"  PRIMARY KEY (log, idx));"
	"CREATE TABLE ledger_hashes (log BIGINT NOT NULL, level BIGINT NOT NULL, idx BIGINT NOT NULL,"
	"  hash BYTEA NOT NULL, PRIMARY KEY (log, level, idx));"
	"CREATE TABLE ledger_checkpoints (log BIGINT NOT NULL REFERENCES ledger_logs (id), size BIGINT NOT NULL,"
	"  root BYTEA NOT NULL, note BYTEA NOT NULL, signed_at BIGINT NOT NULL, PRIMARY KEY (log, size));"
	"CREATE TABLE ledger_peer_checkpoints (origin " T " NOT NULL, size BIGINT NOT NULL, note BYTEA NOT NULL,"
	"  received_at BIGINT NOT NULL, PRIMARY KEY (origin, size));"
	"CREATE TABLE items (id " T " PRIMARY KEY, record " T " NOT NULL, file_key BYTEA,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE TABLE releases (rowid BIGSERIAL, bundle " T " PRIMARY KEY, item " T " NOT NULL,"
	"  recipient " T " NOT NULL, record " T " NOT NULL, receipt BYTEA, updated_at BIGINT NOT NULL);"
	"CREATE INDEX releases_by_item ON releases (item);"
	"CREATE TABLE custody (seq BIGSERIAL PRIMARY KEY, item " T " NOT NULL, at BIGINT NOT NULL,"
	"  event " T " NOT NULL, actor " T " NOT NULL, detail " T " NOT NULL);"
	"CREATE INDEX custody_by_item ON custody (item, seq);"
	"CREATE TABLE outbox (rowid BIGSERIAL, id " T " PRIMARY KEY, peer " T " NOT NULL, kind " T " NOT NULL,"
	"  ref " T " NOT NULL, path " T " NOT NULL, state " T " NOT NULL, attempts BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL, next_at BIGINT NOT NULL, last_error " T " NOT NULL, done_at BIGINT,"
	"  claimed_pid INTEGER, claimed_start TIMESTAMPTZ);"
	"CREATE INDEX outbox_due ON outbox (state, next_at);"
	"CREATE TABLE consents (rowid BIGSERIAL, id " T " PRIMARY KEY, originator " T " NOT NULL,"
	"  decision " T " NOT NULL, record " T " NOT NULL, note BYTEA NOT NULL, imported_at BIGINT NOT NULL);"
	"CREATE INDEX consents_by_originator ON consents (originator);"
	"CREATE TABLE incidents (rowid BIGSERIAL, id " T " PRIMARY KEY, item " T " NOT NULL, record " T " NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX incidents_by_item ON incidents (item);"
	"CREATE TABLE ledger_cosigned (origin " T " NOT NULL, witness " T " NOT NULL,"
	"  size BIGINT NOT NULL CHECK (size >= 0), note BYTEA NOT NULL, cosigned_at BIGINT NOT NULL,"
	"  PRIMARY KEY (origin, witness, size));"
	"CREATE TABLE ledger_evidence (id BIGSERIAL PRIMARY KEY, peer " T " NOT NULL, origin " T " NOT NULL,"
	"  problem " T " NOT NULL, held_size BIGINT NOT NULL, held_note BYTEA NOT NULL,"
	"  new_size BIGINT NOT NULL, new_note BYTEA NOT NULL, proof " T " NOT NULL,"
	"  detail " T " NOT NULL, found_at BIGINT NOT NULL, UNIQUE (origin, held_size, new_note));"
	"CREATE INDEX ledger_evidence_by_peer ON ledger_evidence (peer, id);"
	"CREATE TABLE person_passwords (person " T " PRIMARY KEY, hash " T " NOT NULL, updated_at BIGINT NOT NULL);"
	"CREATE TABLE sessions (token_hash BYTEA PRIMARY KEY, person " T " NOT NULL,"
	"  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT);"
	"CREATE INDEX sessions_by_person ON sessions (person);"
	"CREATE TABLE party_keys (code " T " NOT NULL, fingerprint " T " NOT NULL,"
	"  sign_pk BYTEA NOT NULL, box_pk BYTEA NOT NULL, valid_from BIGINT, valid_until BIGINT,"
	"  compromised_since BIGINT, identity BYTEA, rotation BYTEA, compromise BYTEA, box_sk_sealed BYTEA,"
	"  recorded_at BIGINT NOT NULL, PRIMARY KEY (code, fingerprint));"
	"CREATE TABLE visits (rowid BIGSERIAL, id " T " PRIMARY KEY, visitor " T " NOT NULL, host " T " NOT NULL,"
	"  state " T " NOT NULL, record " T " NOT NULL, request BYTEA NOT NULL, answer BYTEA,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE TABLE warning_rules (id BIGSERIAL PRIMARY KEY, kind " T " NOT NULL CHECK (kind IN ('publish', 'relay')),"
	"  origin " T " NOT NULL, to_party " T " NOT NULL, under " T " NOT NULL, agreement " T " NOT NULL,"
	"  topic " T " NOT NULL, purpose " T " NOT NULL, added_at BIGINT NOT NULL, added_by " T " NOT NULL,"
	"  UNIQUE (kind, origin, to_party, under, topic));"
	"CREATE TABLE warnings (seq BIGSERIAL PRIMARY KEY,"
	"  kind " T " NOT NULL CHECK (kind IN ('warning', 'relay-refusal')), originator " T " NOT NULL,"
	"  id " T " NOT NULL, item " T " NOT NULL, record " T " NOT NULL, at_ms BIGINT NOT NULL);"
	"CREATE UNIQUE INDEX warnings_once ON warnings (originator, id) WHERE kind = 'warning';"
	"CREATE INDEX warnings_by_item ON warnings (item);"
	"INSERT INTO gsomia_schema VALUES (9);";
#undef T

/* The first schema version this list starts at, and its steps (append
 * only, as SQLite's). */
#define PG_FIRST_VERSION 9
static const char *const pg_migrations[] = { pg_schema_9 };
#define PG_VERSION (PG_FIRST_VERSION + (int)(sizeof(pg_migrations) / sizeof(pg_migrations[0])) - 1)

int pg_schema_version(struct store *st, int *v)
{
	PGresult *r = run(st->pg, "SELECT to_regclass('gsomia_schema') IS NOT NULL");

	if (!r)
		return GS_EIO;
	if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "t")) {
		PQclear(r);
		*v = 0;
		return 0;
	}
	PQclear(r);
	if (!(r = run(st->pg, "SELECT max(version) FROM gsomia_schema")))
		return GS_EIO;
	*v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? (int)strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return 0;
}

static int schema(struct store *st, enum store_mode mode, struct gs_diag *d)
{
	struct pg_conn *pc = st->pg;
	int v, ret;

	if (pg_begin(st, true))
		return gs_diag_set(d, GS_EIO, "database: begin migration: %s", pg_errmsg(st));
	if ((ret = pg_schema_version(st, &v)))
		goto fail;
	if (v == 0 && mode != STORE_CREATE) {
		pg_rollback(st);
		return gs_diag_set(d, GS_EIO, "database '%s' holds no node (no gsomia schema): it is left as it is",
				   pc->uri);
	}
	if (v != 0 && mode == STORE_CREATE) {
		pg_rollback(st);
		return gs_diag_set(d, GS_EEXIST, "database '%s' already holds a node: a new node needs a database "
				   "of its own; nothing was made", pc->uri);
	}
	if (v > PG_VERSION) {
		pg_rollback(st);
		return gs_diag_set(d, GS_ESTATE, "database schema %d is newer than this program (%d)", v, PG_VERSION);
	}
	if (mode == STORE_READ_ONLY && v != PG_VERSION) {
		pg_rollback(st);
		return gs_diag_set(d, GS_ESTATE, "database schema %d is older than this program (%d): a command "
				   "that only reads does not migrate it; any command that changes the node (or "
				   "'gsomia serve') does", v, PG_VERSION);
	}
	if (v == 0)
		v = PG_FIRST_VERSION - 1;
	for (; v < PG_VERSION; v++)
		if ((ret = pg_exec(st, pg_migrations[v - PG_FIRST_VERSION + 1])))
			goto fail;
	pc->writing = false; /* the counters start at 0: no bump for the schema */
	{
		PGresult *r = PQexec(pc->c, "COMMIT");
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK && PQtransactionStatus(pc->c) == PQTRANS_IDLE;

		PQclear(r);
		if (!ok)
			goto fail;
	}
	return 0;
fail:
	ret = gs_diag_set(d, GS_EIO, "database: migration: %s", pg_errmsg(st));
	pg_rollback(st);
	return ret;
}

int pg_open(struct store *st, const char *uri, enum store_mode mode, struct gs_diag *d)
{
	struct pg_conn *pc = calloc(1, sizeof(*pc));
	int ret;

	if (!pc || !(pc->uri = strdup(uri))) {
		free(pc);
		return GS_ENOMEM;
	}
	st->pg = pc;
	pc->gen = 1;
	pc->c = PQconnectdb(uri);
	if (PQstatus(pc->c) != CONNECTION_OK) {
		set_err(pc, "");
		return gs_diag_set(d, GS_EIO, "cannot reach the database: %s", pc->err);
	}
	/* ints, text and bytea as this file reads them, whatever the role's settings */
	if (pg_exec(st, "SET bytea_output = 'hex'; SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'"))
		return gs_diag_set(d, GS_EIO, "database: configure: %s", pc->err);
	if ((ret = schema(st, mode, d)))
		return ret;
	if (mode == STORE_READ_ONLY && pg_exec(st, "SET default_transaction_read_only = on"))
		return gs_diag_set(d, GS_EIO, "database: configure: %s", pc->err);
	return 0;
}

void pg_close(struct store *st)
{
	struct pg_conn *pc = st->pg;

	if (!pc)
		return;
	for (int i = 0; i < PG_CACHE_SLOTS; i++)
		clear_prepared(&pc->cache[i]);
	PQfinish(pc->c);
	free(pc->uri);
	free(pc);
	st->pg = NULL;
}
