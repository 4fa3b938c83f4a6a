/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_H
#define GS_NODE_H

/*
 * One party's node: its home directory (the database gsomia.db and the
 * sealed key file keys.sealed), its clock and its keys. Every action of
 * the node (import a party, an agreement, a note; sign; register a
 * person) is one function here or in a sibling module that checks, then
 * stores in one transaction: a refused action leaves nothing behind.
 *
 * Faces (cli/, net/) call node/ only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/party.h"
#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

#define NODE_KEYS_FILE "keys.sealed" /* the sealed key file in the home (docs/keys.md) */
/* The label key's self-signed certificate (DER) in a home (docs/labels.md). */
#define NODE_LABEL_CRT_NAME "label.crt"

struct ledger_cache;
struct view_cache;
struct identity_cache;
struct person_cache;
struct consent_cache;
struct commit_queue;

/* What a node is, seen from node/ only: the faces (cli/, net/) hold a
 * struct node they cannot look into and ask through node_* functions
 * (docs/design.md "Floors"). node/ is built with GS_NODE_INTERNALS. */
#ifdef GS_NODE_INTERNALS
#include "crypto/keys.h"
#include "store/store.h"

struct node {
	char home[GS_HOME_MAX];
	struct store *st;
	struct party self;        /* this node's own identity */
	bool keys_loaded;
	struct node_keys keys;    /* secret halves in guarded memory once unlocked */
	struct ledger_cache *ledger; /* node/ledger.c's compact ranges */
	struct view_cache *views;    /* node/agreements.c's agreement views, for reads */
	struct identity_cache *identities; /* node/parties.c's verified identities */
	struct person_cache *persons; /* node/registers.c's parsed person records */
	struct consent_cache *consents; /* node/consent.c's consents, as decisions take them */
	/* The person on whose behalf the node acts now ("" for the node
	 * itself): set by the local API around a signed-in person's call, so
	 * that every ledger entry the call makes names them (docs/ledger.md). */
	char actor[GS_MAX_ID];
	int restore_hold;             /* node/restore.c: 0 not read yet, 1 none, 2 held */
	struct commit_queue *commits; /* node/commit.c: the node's lock and group commit */
	int open_lock;                /* HOME/open.lock, held shared while open (node/node.c); -1 none */
};
#else
struct node;
#endif

/* The node's own party (its signed identity as this node holds it). */
const struct party *node_self(const struct node *n);
/* The home directory: for the files a face keeps there itself (a server's
 * uploads in HOME/tmp, its TLS key and certificate), never for the
 * node's own files. */
const char *node_home(const struct node *n);
/* Whether the keys are unsealed (node_unlock). */
bool node_unlocked(const struct node *n);
/* The person on whose behalf the node acts from now on ("" or NULL: the
 * node itself): every ledger entry names them (docs/ledger.md). */
void node_set_actor(struct node *n, const char *person);
/* The node's TLS identity (tls.key, tls.crt in the home; docs/keys.md):
 * the files a client presents, and the PEM texts a server serves with,
 * checked (a damaged file is named in one line; GS_ENOTFOUND when the
 * home has none). */
void node_tls_files(const struct node *n, char cert[GS_PATH_MAX], char key[GS_PATH_MAX]);
int node_tls_identity(const struct node *n, char **key_pem, size_t *key_len, char **crt_pem, size_t *crt_len,
		      struct gs_diag *d);
/* The tls-pin of a peer's certificate (DER), as identities carry it. */
int node_tls_pin_of_cert(const uint8_t *der, size_t len, char pin[GS_MAX_NAME], struct gs_diag *d);
/* The fingerprint of the node's signing key (docs/keys.md). */
void node_fingerprint(const struct node *n, char out[80]);

/* Where the home is: --home, else $GSOMIA_HOME, else ./gsomia-home. */
const char *node_home_path(const char *flag);

/* Creates a new home with fresh keys sealed under pass. The scheme comes
 * from levels_text ("level:" lines, docs/identity-format.md) or, if
 * NULL, from the built-in scheme for code (KOR, JPN, USA). Refuses an
 * existing home. */
int node_init(const char *home, const char *code, const char *name, const char *zone,
	      const char *levels_text, bool exercise, const char *pass, size_t passlen,
	      struct gs_diag *d);
/* The same, keeping the keys of an existing sealed key file (a restore
 * from a key backup, or the example keys shipped in examples/keys/). */
int node_init_with_keys(const char *home, const char *code, const char *name, const char *zone,
			const char *levels_text, bool exercise, const char *pass, size_t passlen,
			const char *sealed, size_t sealedlen, struct gs_diag *d);
/* Both of the above, and endpoint (https://host:port, or NULL) for the
 * signed identity. Every init also makes the node's TLS key and
 * certificate (tls.key, tls.crt; crypto/tls.h) and signs their pin into the
 * identity as tls-pin. db: NULL or "sqlite" for the home's own SQLite
 * file, or a PostgreSQL URI recorded in HOME/db.conf (docs/scale-out.md). */
int node_init_full(const char *home, const char *code, const char *name, const char *zone,
		   const char *levels_text, bool exercise, const char *endpoint, const char *db, const char *pass,
		   size_t passlen, const char *sealed, size_t sealedlen, struct gs_diag *d);

int node_open(const char *home, struct node **out, struct gs_diag *d);
/* Whether this process's database was out of reach at its last try (a
 * PostgreSQL primary down or failing over, docs/scale-out.md): the API
 * answers a failed request 503 with Retry-After then. */
bool node_store_unreachable(void);
/* The home for a command that only reads: the database is opened
 * read-only, never created, migrated or written (an empty, missing or
 * older one is refused with one line, docs/design.md "The home's files").
 * What an interrupted action left among the files is finished or removed
 * as node_open() does (that touches files, never the database). */
int node_open_read(const char *home, struct node **out, struct gs_diag *d);
/* A second handle on an open home, for reads only (a server's worker
 * threads read in parallel, each with its own): the database read-only as
 * above; no recovery of interrupted actions, since the home's writer may
 * be in the middle of one; no keys. */
int node_open_reader(const char *home, struct node **out, struct gs_diag *d);
/* Forgets what the handle keeps read (verified identities, agreement
 * views, persons) and verifies its own identity again from the store, so
 * that what other processes changed counts from now on (a server's
 * SIGHUP). *parties gets the number of parties registered. */
int node_reload(struct node *n, unsigned *parties, struct gs_diag *d) __attribute__((warn_unused_result));
/* Unseals the keys (needed to sign). */
int node_unlock(struct node *n, const char *pass, size_t passlen, struct gs_diag *d);
void node_close(struct node *n);

/* One snapshot, and one lock of the database, for a series of reads that
 * change nothing (the local API's calls): 0 or GS_EIO. */
int node_read_begin(struct node *n) __attribute__((warn_unused_result));
void node_read_end(struct node *n);

/* The node's clock: the system clock, or GSOMIA_NOW on an exercise node.
 * A real node refuses GSOMIA_NOW. Every instant the node records, shows or
 * decides at comes from here (docs/design.md, "The clock"). */
int node_now(const struct node *n, gs_instant *out, struct gs_diag *d);

/* Seconds on the machine's own clock, for waits only (the outbox's retry
 * backoff, the sign-in throttle): never an instant of record, never shown.
 * An exercise node's clock stands still at GSOMIA_NOW, but a wait of a
 * second still passes. */
int64_t node_timer(void);

/* The signed-note key name a party signs with: "gsomia/KOR", or
 * "gsomia-exercise/KOR" for an exercise node, so that real and exercise
 * signatures can never stand for each other. */
void party_key_name(const char *code, bool exercise, char out[GS_MAX_NAME]);

/* Signs text with the node's key (the node must be unlocked). Output is a
 * malloc'd signed note. */
int node_sign(struct node *n, const char *text, size_t len, char **out, size_t *outlen,
	      struct gs_diag *d);

/* Party identities (node/parties.c). */
/* Verifies a signed identity file (self-signed by the key it names) and
 * parses it. */
int identity_verify(const uint8_t *buf, size_t len, struct party *out, char fingerprint[80],
		    struct gs_diag *d);
int node_party_export(struct node *n, char **out, size_t *outlen, struct gs_diag *d);
int node_party_import(struct node *n, const uint8_t *buf, size_t len, struct party *out,
		      char fingerprint[80], struct gs_diag *d);
int node_party_get(struct node *n, const char *code, struct party *out, struct gs_diag *d);
/* The registered party (other than this node's own) whose signed identity
 * carries tls-pin pin: how a server maps a client certificate to a peer.
 * GS_ENOTFOUND if none does. */
int node_party_by_pin(struct node *n, const char *pin, struct party *out, struct gs_diag *d);
/* One registered party as `party list` shows it. */
struct party_entry {
	char code[GS_MAX_CODE];
	char name[GS_MAX_NAME];
	char fingerprint[80];
	bool is_self;
};
/* Every registered party, this node's own among them, in code order:
 * *out is malloc'd (free it). */
int node_party_list(struct node *n, struct party_entry **out, size_t *count, struct gs_diag *d);
/* Drops the identities node_party_get() keeps verified (node_close()). */
void node_identity_cache_release(struct node *n);

/* Copies the file src to dst ("-": standard output), streaming, through a
 * synced temporary file renamed into place. */
int node_copy_file(const char *src, const char *dst, struct gs_diag *d);

#endif
