/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_MERKLE_H
#define GS_MERKLE_H

/*
 * RFC 6962 / RFC 9162 SHA-256 Merkle trees.
 *
 *   leaf hash   = SHA-256(0x00 || entry)
 *   node hash   = SHA-256(0x01 || left || right)
 *   MTH({})     = SHA-256("")
 *   MTH(D[0:n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of 2 < n
 *
 * Storage is the caller's: appends report every hash they complete through
 * a merkle_put_fn, and proofs read them back through a merkle_get_fn. A
 * stored hash is addressed by (level, index): the root of the perfect
 * subtree of 2^level leaves that starts at leaf index * 2^level; level 0
 * holds the leaf hashes. Only complete subtrees are stored, so stored
 * hashes never change. struct merkle_mem implements both in memory.
 *
 * Proofs hold at most GS_MAX_PROOF_HASHES hashes (trees up to 2^62 leaves).
 * Errors: GS_EINVAL sizes or indexes out of range, GS_ECRYPTO a proof that
 * does not match, GS_ELIMIT a proof longer than the cap, or whatever a
 * callback returns.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

#define MERKLE_HASH_BYTES 32

typedef int (*merkle_get_fn)(void *ctx, uint64_t level, uint64_t index,
			     uint8_t out[MERKLE_HASH_BYTES]);
typedef int (*merkle_put_fn)(void *ctx, uint64_t level, uint64_t index,
			     const uint8_t hash[MERKLE_HASH_BYTES]);

void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[MERKLE_HASH_BYTES]);
void merkle_node_hash(const uint8_t left[MERKLE_HASH_BYTES],
		      const uint8_t right[MERKLE_HASH_BYTES],
		      uint8_t out[MERKLE_HASH_BYTES]);
/* The leaf hashes of n entries (entries[i] of lens[i] bytes) at once: the
 * same as merkle_leaf_hash on each, computed two at a time where two
 * neighbours have the same length and the CPU has SHA extensions
 * (crypto/sha256x2.h), about twice as fast on one core: a bundle's chunks
 * (docs/bundle-format.md). */
void merkle_leaf_hashes(const uint8_t *const *entries, const size_t *lens, size_t n,
			uint8_t (*out)[MERKLE_HASH_BYTES]);
/* SHA-256 of nothing: the root of the empty tree. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_BYTES]);

/*
 * A compact range [0, size): the roots of the perfect subtrees that make up
 * the tree, one per set bit of size, largest (leftmost) first. Enough to
 * append and to compute the current root without storage.
 */
struct merkle_range {
	uint64_t size;
	size_t n;
	uint8_t hashes[64][MERKLE_HASH_BYTES];
};

void merkle_range_init(struct merkle_range *r);
/* Appends one leaf hash; put (may be NULL) receives the leaf at (0, size)
 * and every subtree root the append completes. The range changes only if
 * every put succeeds. GS_ELIMIT at 2^63 leaves. */
int merkle_range_append(struct merkle_range *r, const uint8_t leaf[MERKLE_HASH_BYTES],
			merkle_put_fn put, void *ctx);
/* The root of the tree of r->size leaves. */
void merkle_range_root(const struct merkle_range *r, uint8_t out[MERKLE_HASH_BYTES]);
/* Rebuilds the compact range of a stored tree of `size` leaves. */
int merkle_range_load(struct merkle_range *r, uint64_t size, merkle_get_fn get,
		      void *ctx);

/* The root of the first `size` leaves of a stored tree (size may be smaller
 * than what is stored). */
int merkle_root(merkle_get_fn get, void *ctx, uint64_t size,
		uint8_t out[MERKLE_HASH_BYTES]);

/* RFC 9162 §2.1.3.1 PATH(index, D[size]) into proof (room for
 * GS_MAX_PROOF_HASHES), *n its length. */
int merkle_prove_inclusion(merkle_get_fn get, void *ctx, uint64_t index,
			   uint64_t size, uint8_t proof[][MERKLE_HASH_BYTES], size_t *n);
/* RFC 9162 §2.1.4.1 PROOF(first, D[second]); empty when first == 0 or
 * first == second. */
int merkle_prove_consistency(merkle_get_fn get, void *ctx, uint64_t first,
			     uint64_t second, uint8_t proof[][MERKLE_HASH_BYTES],
			     size_t *n);

/* RFC 9162 §2.1.3.2: 0 if leaf is at index in the tree of size leaves with
 * this root. */
int merkle_verify_inclusion(uint64_t index, uint64_t size,
			    const uint8_t leaf[MERKLE_HASH_BYTES],
			    const uint8_t proof[][MERKLE_HASH_BYTES], size_t n,
			    const uint8_t root[MERKLE_HASH_BYTES])
	__attribute__((warn_unused_result));
/* RFC 9162 §2.1.4.2, with the edges: first == second needs an empty proof
 * and equal roots; first == 0 is consistent with anything (empty proof);
 * first > second is GS_EINVAL. */
int merkle_verify_consistency(uint64_t first, uint64_t second,
			      const uint8_t root1[MERKLE_HASH_BYTES],
			      const uint8_t root2[MERKLE_HASH_BYTES],
			      const uint8_t proof[][MERKLE_HASH_BYTES], size_t n)
	__attribute__((warn_unused_result));

/*
 * An in-memory store: one growable array of hashes per level. For tests,
 * benches and small tools; the node keeps its hashes in the database.
 */
struct merkle_mem {
	struct merkle_range range;
	struct {
		uint8_t (*h)[MERKLE_HASH_BYTES];
		uint64_t n, cap;
	} lv[64];
};

void merkle_mem_init(struct merkle_mem *m);
void merkle_mem_free(struct merkle_mem *m);
/* Appends an entry (hashed as a leaf) or a ready leaf hash. GS_ENOMEM. */
int merkle_mem_append(struct merkle_mem *m, const void *entry, size_t len);
int merkle_mem_append_hash(struct merkle_mem *m, const uint8_t leaf[MERKLE_HASH_BYTES]);
/* merkle_get_fn and merkle_put_fn over a struct merkle_mem (ctx). GS_ENOTFOUND
 * for a hash not stored. */
int merkle_mem_get(void *ctx, uint64_t level, uint64_t index,
		   uint8_t out[MERKLE_HASH_BYTES]);
int merkle_mem_put(void *ctx, uint64_t level, uint64_t index,
		   const uint8_t hash[MERKLE_HASH_BYTES]);

#endif
