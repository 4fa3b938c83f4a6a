/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_KEYHISTORY_H
#define GS_NODE_KEYHISTORY_H

/*
 * Parties' keys over time at a node (docs/keys.md "Rotation and
 * compromise"): this node rotating its own signing, X25519 and TLS keys;
 * the rotation notes and new identities of peers; compromise notes; and
 * the one question every verification asks: which key of a party signs
 * at an instant (core/keyhistory.h decides it).
 *
 * The history lives in the party_keys rows (store/key_store.h): one per
 * signing key with its window, its compromise and the signed notes that
 * made them known. The current identity stays in the parties register,
 * so node_party_get() returns it, with the history filled in p->keys.
 */

#include <jansson.h>
#include <stdbool.h>

#include "core/keyhistory.h"
#include "crypto/note.h"
#include "node/node.h"

#define KEY_NOTE_ID_HEX 65

/* Fills p->keys (p->nkeys) from the node's history of p->code: nkeys 0
 * when none was ever recorded. */
int node_party_keys_load(struct node *n, struct party *p, struct gs_diag *d);

/* Verifies that sn is signed by party p (its history loaded) with the key
 * that was p's at instant at (decide_key); at NONE: by any key of its
 * history. As note_verify(): 0, GS_ENOTFOUND (no signature by it) or
 * GS_ECRYPTO (its signature fails), d untouched, so that callers say
 * what was not signed; or GS_EDENIED with the sentence in d: signed by a
 * key of p compromised by then, or by another key than p's of that
 * instant. */
int party_note_verify_at(const struct party *p, const struct signed_note *sn, gs_instant at,
			 struct gs_diag *d);

/* The signing and X25519 keys p had at instant at (decide_key): *sign
 * and *box point into p. GS_EDENIED (compromised) or GS_ENOTFOUND with a
 * sentence in d. */
int party_keys_at(const struct party *p, gs_instant at, const uint8_t **sign, const uint8_t **box,
		  struct gs_diag *d);

/* GS_EDENIED if p announced a rotation whose new identity is not
 * imported yet (nothing may be sealed to its old X25519 key), naming
 * what is refused. */
int party_ready_to_seal(const struct party *p, struct gs_diag *d);

/* Unwraps a bundle's file key with this node's current X25519 secret or,
 * for a bundle a peer sealed to a key this node has since rotated away,
 * with that retired secret; *box_pk (32 bytes) is the public key that
 * opened it. */
int node_unwrap_bundle_key(struct node *n, int fd, uint8_t file_key[16], uint8_t box_pk[32],
			   struct gs_diag *d);

struct key_rotate_result {
	char old_fingerprint[80];
	char new_fingerprint[80];
	gs_instant effective;
	int resealed;  /* item keys sealed again under the new storage key */
	char id[KEY_NOTE_ID_HEX];
};

/*
 * Rotates this node's keys at the node's clock: fresh Ed25519 and X25519
 * keys and a fresh TLS key, a new self-signed identity, and the rotation
 * note signed by the old key and the new one (*note, malloc'd). One
 * transaction records the history, seals every item key under the new
 * storage key and logs the rotation; the new key file (sealed under
 * pass) and TLS files are put in place after the commit (a crash in
 * between is completed when the home is next opened).
 */
int node_keys_rotate(struct node *n, const char *pass, size_t passlen, const char *text, char **note,
		     size_t *len, struct key_rotate_result *res, struct gs_diag *d);

/* Completes a rotation a crash interrupted (node_open calls it). */
void keyhistory_recover(struct node *n);

/*
 * Imports a peer's rotation note (signed by its old key and its new one)
 * or compromise note, or this node's own record; *out gets a summary
 * (caller decrefs). *already if it was held.
 */
int node_key_note_import(struct node *n, const uint8_t *buf, size_t len, json_t **out, bool *already,
			 struct gs_diag *d);

/* node_party_import() of an identity whose code is registered with
 * another key: accepted only as the new identity a held rotation note
 * announced (the same signing and X25519 keys and TLS pin), which then
 * becomes the party's current identity, its history kept. *done if so;
 * GS_EEXIST (import the rotation first) or GS_EDENIED otherwise. */
int keyhistory_identity_rotated(struct node *n, const struct party *np, const uint8_t *buf, size_t len,
				const char *fingerprint, bool *done, struct gs_diag *d);

/* True if buf is a rotation or a compromise note (by its first line). */
bool key_note_is(const uint8_t *buf, size_t len);

struct key_compromise_args {
	const char *party;       /* whose key */
	const char *since;       /* instant */
	const char *fingerprint; /* NULL: the key the party had at since */
	const char *text;        /* NULL or a remark */
};

/*
 * Records that a key of party (this node's own retired key, or a peer's)
 * is compromised since an instant: signs the compromise note (*note),
 * flags the items received from that party and signed by that key since
 * then, and the consents it signed since then (no decision counts them
 * any more), and logs it. Refuses a key the party never had here.
 */
int node_key_compromised(struct node *n, const struct key_compromise_args *a, char **note, size_t *len,
			 json_t **out, struct gs_diag *d);

/* A party's key history as JSON: each key's fingerprint, window,
 * compromise, and whether its identity is held. */
int node_party_key_history(struct node *n, const char *code, json_t **out, struct gs_diag *d);

#endif
