/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_KEY_STORE_H
#define GS_KEY_STORE_H

/*
 * Rows of the parties' key histories (migration 8 of store/sqlite.c): one
 * per signing key a party has had, with its validity, its compromise and
 * the signed notes that made them known (node/keyhistory.c owns their
 * meaning). Same conventions as store.h: 0 or a negative gs_err, malloc'd
 * outputs owned by the caller, writes inside the caller's transaction.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_NO_INSTANT INT64_MIN /* a NULL instant column */

struct store_party_key {
	char code[8];
	char fingerprint[48];
	uint8_t sign_pk[32];
	uint8_t box_pk[32];
	int64_t valid_from;        /* STORE_NO_INSTANT: open */
	int64_t valid_until;       /* STORE_NO_INSTANT: current */
	int64_t compromised_since; /* STORE_NO_INSTANT: never */
	uint8_t *identity;         /* the signed identity of this key, if held */
	size_t identity_len;
	uint8_t *rotation;         /* the signed rotation note that made it current */
	size_t rotation_len;
	uint8_t *compromise;       /* the signed compromise note about it */
	size_t compromise_len;
	uint8_t *box_sk_sealed;    /* this node's own retired X25519 secret, sealed */
	size_t box_sk_sealed_len;
	int64_t recorded_at;
};

void store_party_key_release(struct store_party_key *k);
/* Inserts or replaces the row (code, fingerprint). */
int store_party_key_put(struct store *st, const struct store_party_key *k);
/* Calls fn for each key of code, oldest first; stops on non-zero. The
 * row's blobs live only during the call. */
int store_party_key_each(struct store *st, const char *code,
			 int (*fn)(void *ctx, const struct store_party_key *k), void *ctx);

#endif
