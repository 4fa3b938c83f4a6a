/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_WITNESS_STORE_H
#define GS_WITNESS_STORE_H

/*
 * Rows of witnessing (node/witness.h gives them meaning), migration 6:
 *
 *   ledger_cosigned  (origin, witness, size) -> note, cosigned_at
 *       a checkpoint of log `origin` with the cosignature line of party
 *       `witness` appended: the peer's logs this node cosigned (witness =
 *       this node's code) and this node's logs its peers cosigned
 *       (witness = the peer's code).
 *   ledger_evidence  id -> peer, origin, problem, the checkpoint held and
 *       the one that contradicts it (both signed by the peer), the proof
 *       that was offered (base64 lines), a sentence, found_at
 *       (unique on origin, held size and contradicting checkpoint).
 *
 * Nothing here begins or commits a transaction. Blobs returned through
 * out-parameters are malloc'd (NUL-terminated) and owned by the caller.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Keeps a cosigned checkpoint (replaces the note of the same origin,
 * witness and size: a later cosignature of the same tree). */
int store_ledger_cosigned_put(struct store *st, const char *origin, const char *witness,
			      uint64_t size, const uint8_t *note, size_t len, int64_t at);
/* The one with the largest size; note may be NULL. GS_ENOTFOUND if none. */
int store_ledger_cosigned_latest(struct store *st, const char *origin, const char *witness,
				 uint64_t *size, uint8_t **note, size_t *len, int64_t *at);

/* The latest checkpoint held from a peer for origin (size and when it was
 * received), from ledger_peer_checkpoints. GS_ENOTFOUND if none. */
int store_ledger_peer_checkpoint_when(struct store *st, const char *origin, uint64_t *size,
				      int64_t *received_at);

struct store_evidence {
	int64_t id;
	const char *peer, *origin, *problem;
	uint64_t held_size;
	const uint8_t *held_note;
	size_t held_len;
	uint64_t new_size;
	const uint8_t *new_note;
	size_t new_len;
	const char *proof, *detail;
	int64_t found_at;
};

/* Adds evidence; GS_EEXIST (nothing added) if the same contradiction of
 * the same held checkpoint is already kept. */
int store_ledger_evidence_add(struct store *st, const struct store_evidence *e);
/* Calls fn for the evidence about peer ("" or NULL: every peer), oldest
 * first; the pointers live until fn returns. */
int store_ledger_evidence_each(struct store *st, const char *peer,
			       int (*fn)(void *ctx, const struct store_evidence *e), void *ctx);

#endif
