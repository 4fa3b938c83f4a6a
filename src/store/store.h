/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_STORE_H
#define GS_STORE_H

/*
 * The node's storage: rows and bytes, no crypto and no rules. The SQLite
 * backend keeps one file in the node home, in WAL mode with
 * synchronous=FULL (a committed transaction survives a crash), STRICT
 * tables, foreign keys on, and migrations keyed on PRAGMA user_version.
 *
 * Every change that belongs to one action happens between store_begin()
 * and store_commit(); on any error the caller calls store_rollback(), so
 * a refused or failed action leaves nothing behind.
 *
 * Ownership: blobs and strings returned through out-parameters are
 * malloc'd and owned by the caller (free()).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct store;

#define STORE_SCHEMA_VERSION 8

/* How a database is opened:
 *   STORE_CREATE     a new one (gsomia init): created mode 0600, schema made;
 *   STORE_WRITE      an existing one, migrated to STORE_SCHEMA_VERSION;
 *   STORE_READ_ONLY  an existing one, for commands that only read: never
 *                    created, migrated or written (SQLite refuses a write);
 *                    a schema other than this program's is refused.
 * An existing database with no schema (an empty file, or one that is no
 * node's) is refused in every mode: it is never rebuilt over what may be
 * evidence. A newer schema than this program's is refused. A file SQLite
 * finds damaged is refused, naming the file. The database and its -wal and
 * -shm files hold password and session hashes: they are made 0600, and a
 * writer takes group and other access away from an older home's. */
enum store_mode { STORE_CREATE, STORE_WRITE, STORE_READ_ONLY };
int store_open(const char *path, enum store_mode mode, struct store **out, struct gs_diag *d);
/* Whether SQLite finds the database damaged (PRAGMA quick_check, and the
 * last error of the handle): GS_EIO with "database 'PATH' is damaged: ..."
 * in d, else 0. For a caller whose read failed, to say why. */
int store_check(struct store *st, struct gs_diag *d);
void store_close(struct store *st);

int store_begin(struct store *st);    /* BEGIN IMMEDIATE */
/* BEGIN DEFERRED: one snapshot (and one lock) for a series of reads;
 * end it with store_commit(). */
int store_begin_read(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* Inside a write transaction, one action of a group commit
 * (node/commit.h): SAVEPOINT, then either RELEASE (its changes stay in
 * the transaction) or ROLLBACK TO and RELEASE (its changes are undone,
 * the rest of the transaction is untouched). */
int store_savepoint(struct store *st);
int store_savepoint_release(struct store *st);
void store_savepoint_rollback(struct store *st);

/* Changes whenever the database changes, through this handle or any
 * other (another handle, another process): for caches of what was read.
 * Starts a read of the database to learn about other handles' commits. */
int store_data_version(struct store *st, uint64_t *external, uint64_t *internal);

/* Like store_data_version for what agreements, parties and their keys
 * are read from: *external changes with any other handle's commit,
 * *evidence with this handle's changes to any table but the busy ones
 * every action writes (items, custody, releases, the logs, the outbox,
 * sessions), and differs inside a write transaction from any version
 * outside one. For caches of agreement views and parties, which a
 * release or a receipt leaves as they were. */
int store_evidence_version(struct store *st, uint64_t *external, uint64_t *evidence);

/* Whether this process's last try to reach its database failed (a
 * PostgreSQL server down or failing over; never for SQLite): a request
 * that failed then is answered 503, to be tried again. Cleared by the
 * next statement that reaches it. */
bool store_unreachable(void);

/* Whether a write transaction is open on this handle (what it has
 * changed may still be rolled back: nothing read now may be kept). */
int store_in_write(struct store *st);

/* meta: small key/value settings of the node (party code, exercise...) */
int store_meta_set(struct store *st, const char *key, const char *value);
int store_meta_get(struct store *st, const char *key, char **value); /* GS_ENOTFOUND */

/* parties: each registered identity, the node's own among them */
struct store_party {
	char *code;
	char *name;
	char *fingerprint;
	uint8_t *identity; /* the signed identity file as imported */
	size_t identity_len;
	int64_t imported_at;
	int is_self;
};
void store_party_release(struct store_party *p);
int store_party_put(struct store *st, const struct store_party *p); /* GS_EEXIST if code held with other bytes */
int store_party_get(struct store *st, const char *code, struct store_party *out);
/* Replaces the identity of a party already registered (a key rotation,
 * node/keyhistory.c). GS_ENOTFOUND if code is not registered. */
int store_party_replace(struct store *st, const struct store_party *p);
/* Calls fn for each party in code order; stops and returns fn's value if non-zero. */
int store_party_each(struct store *st, int (*fn)(void *ctx, const struct store_party *p), void *ctx);

/* agreements: each version of a definition, its signatures, its notes */
int store_agreement_put(struct store *st, const char *id, int version, const uint8_t *def,
			size_t len, int64_t now); /* GS_EEXIST if held with other bytes */
int store_agreement_get(struct store *st, const char *id, int version, uint8_t **def, size_t *len);
int store_agreement_latest(struct store *st, const char *id, int *version); /* GS_ENOTFOUND */
int store_agreement_each(struct store *st, int (*fn)(void *ctx, const char *id, int version), void *ctx);

int store_signature_put(struct store *st, const char *id, int version, const char *party,
			const uint8_t *note, size_t len, int64_t now);
int store_signature_each(struct store *st, const char *id, int version,
			 int (*fn)(void *ctx, const char *party, const uint8_t *note, size_t len),
			 void *ctx);

struct store_dipnote {
	const char *id; /* hex SHA-256 of the signed note */
	const char *agreement;
	const char *kind;
	const char *sender;
	int64_t delivered;
	const uint8_t *note;
	size_t note_len;
};
int store_dipnote_put(struct store *st, const struct store_dipnote *n, int64_t now); /* GS_EEXIST if id held */
int store_dipnote_each(struct store *st, const char *agreement,
		       int (*fn)(void *ctx, const struct store_dipnote *n), void *ctx);
/* The held note whose id is id, or whose id starts with the prefix id (at
 * least 8 characters, matching one note only): *full gets its id (65
 * bytes), *n its row (strings and bytes valid until the next call on
 * st). GS_ENOTFOUND, or GS_EEXIST if the prefix matches several. */
int store_dipnote_find(struct store *st, const char *id, char full[65], struct store_dipnote *n,
		       uint8_t **note);
int store_dipnote_delete(struct store *st, const char *id); /* GS_ENOTFOUND */
/* Whether a note this node made has been given out (written to a file or
 * queued for a peer): 0 if it has (*at: when), GS_ENOTFOUND if not. */
int store_dipnote_given(struct store *st, const char *id, int64_t *at);
int store_dipnote_set_given(struct store *st, const char *id, int64_t at);

/* persons and facilities: a JSON record per row (the node layer owns the
 * schema of the record; docs/commands.md shows it) */
int store_record_put(struct store *st, const char *table, const char *id, const char *json, int64_t now);
int store_record_get(struct store *st, const char *table, const char *id, char **json);
/* What a list of the inventory shows of an item, read by SQLite from its
 * record without parsing it here: a page of thousands is found, sorted
 * and cut before any record is loaded. Strings live until fn returns;
 * marking is the record's JSON array of labels; when is released_at, else
 * created_at. */
struct store_item_row {
	const char *id, *originator, *originator_name, *label, *marking, *status, *when, *title, *name, *topic,
		*purpose, *agreement;
};
int store_item_rows_each(struct store *st, int (*fn)(void *ctx, const struct store_item_row *r), void *ctx);
int store_record_each(struct store *st, const char *table,
		      int (*fn)(void *ctx, const char *id, const char *json), void *ctx);

/* items: holdings as JSON records (table "items" of store_record_*),
 * each with its age file key sealed under the node's storage key; the
 * key is deleted (NULL) when the item is destroyed. */
int store_item_key_set(struct store *st, const char *id, const uint8_t *key, size_t len);
int store_item_key_get(struct store *st, const char *id, uint8_t **key, size_t *len); /* GS_ENOTFOUND: none */

/* 0 if an item record names this bundle, GS_ENOTFOUND if none. */
int store_item_with_bundle(struct store *st, const char *bundle);

/* releases made by this node, with the recipient's receipt once imported */
int store_release_put(struct store *st, const char *bundle, const char *item, const char *recipient,
		      const char *json, int64_t now);
int store_release_get(struct store *st, const char *bundle, char **json, uint8_t **receipt,
		      size_t *receipt_len);
int store_release_receipt(struct store *st, const char *bundle, const uint8_t *receipt, size_t len,
			  int64_t now);
/* item "" = every release */
int store_release_each(struct store *st, const char *item,
		       int (*fn)(void *ctx, const char *bundle, const char *json, int has_receipt),
		       void *ctx);

/* every release, with its item: one query for a whole inventory */
int store_release_all(struct store *st,
		      int (*fn)(void *ctx, const char *item, const char *bundle, const char *json, int has_receipt),
		      void *ctx);

/* the outbox: deliveries to peers, retried until delivered or refused */
struct store_outbox {
	const char *id;         /* "<kind>-<ref>-<peer>": one delivery per thing and peer */
	const char *peer;
	const char *kind;       /* bundle, receipt, note, ... */
	const char *ref;        /* bundle id, note id, ... */
	const char *path;       /* the file delivered */
	const char *state;      /* pending, delivered, refused */
	int64_t attempts;
	int64_t created_at;
	int64_t next_at;        /* next attempt */
	const char *last_error;
	int64_t done_at;        /* 0 while pending */
};
int store_outbox_add(struct store *st, const struct store_outbox *o); /* a second add is ignored */
int store_outbox_update(struct store *st, const char *id, const char *state, int64_t attempts,
			int64_t next_at, const char *last_error, int64_t done_at);
/* Makes every pending entry for peer whose next attempt is after now due
 * at now (a peer back from an outage takes its backlog at once). */
int store_outbox_wake(struct store *st, const char *peer, int64_t now);
/* fn(ctx) is called after each COMMIT through st that added or changed
 * an outbox row (not for a statement outside a transaction: the caller
 * knows). NULL: nothing. */
void store_on_outbox_commit(struct store *st, void (*fn)(void *ctx), void *ctx);
/* The due entries for this process's courier to deliver, at most max
 * (0: all): on PostgreSQL marked as taken by this process until
 * store_outbox_update(), and not taken while another live process has
 * them (store/sqlite.c); fn may stop the walk. */
int store_outbox_claim(struct store *st, int64_t now, size_t max,
		       int (*fn)(void *ctx, const struct store_outbox *o), void *ctx);
/* due_only: pending entries whose next attempt is due at now */
int store_outbox_each(struct store *st, int due_only, int64_t now,
		      int (*fn)(void *ctx, const struct store_outbox *o), void *ctx);

/* the custody chain of each item, in order */
int store_custody_add(struct store *st, const char *item, int64_t at, const char *event,
		      const char *actor, const char *detail);
int store_custody_each(struct store *st, const char *item,
		       int (*fn)(void *ctx, int64_t at, const char *event, const char *actor,
				 const char *detail),
		       void *ctx);
/* every item's custody chain, item by item and each in order: one query */
int store_custody_all(struct store *st,
		      int (*fn)(void *ctx, const char *item, int64_t at, const char *event, const char *actor,
				const char *detail),
		      void *ctx);

#endif
