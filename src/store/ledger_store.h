/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_LEDGER_STORE_H
#define GS_LEDGER_STORE_H

/*
 * Rows of the node's ledger (node/ledger.h gives them meaning): logs,
 * entries with their leaf hashes, the perfect-subtree hashes above the
 * leaves, the checkpoints the node signed and those its peers sent.
 *
 *   ledger_logs       id, origin (unique), peer ("" for internal), size
 *   ledger_entries    (log, idx) -> time, kind, entry bytes, leaf hash
 *   ledger_hashes     (log, level >= 1, idx) -> hash of the perfect
 *                     subtree of 2^level leaves starting at idx * 2^level
 *   ledger_checkpoints       (log, size) -> root, signed note, signed_at
 *   ledger_peer_checkpoints  (origin, size) -> note, received_at
 *
 * Level 0 of the tree is the leaf column of ledger_entries, so a hash is
 * one primary-key read at any level and a proof is O(log n) reads.
 *
 * Nothing here begins or commits a transaction: callers do (store.h).
 * Hot statements are prepared once per handle. Blobs returned through
 * out-parameters are malloc'd and owned by the caller.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* 1 if a transaction is open on st. */
int store_in_transaction(struct store *st);

/* The log named origin: its id and size. GS_ENOTFOUND if absent and
 * create is 0; otherwise an absent log is made empty, for peer ("" for
 * the internal log). */
int store_ledger_log(struct store *st, const char *origin, const char *peer, int create,
		     int64_t *id, uint64_t *size);
/* Calls fn for each log in origin order. */
int store_ledger_log_each(struct store *st,
			  int (*fn)(void *ctx, int64_t id, const char *origin, const char *peer,
				    uint64_t size),
			  void *ctx);

/* Adds the entry at idx, which must be the log's size, and grows the size
 * by one. GS_EEXIST if idx is taken, GS_ESTATE if idx is not the size. */
int store_ledger_entry_add(struct store *st, int64_t log, uint64_t idx, int64_t time,
			   const char *kind, const uint8_t *entry, size_t len,
			   const uint8_t leaf[32]);
int store_ledger_entry_get(struct store *st, int64_t log, uint64_t idx, uint8_t **entry,
			   size_t *len, uint8_t leaf[32]); /* GS_ENOTFOUND */
/* Calls fn for the entries [from, to) in index order (to = UINT64_MAX:
 * to the end); the pointers live until fn returns. */
int store_ledger_entry_each(struct store *st, int64_t log, uint64_t from, uint64_t to,
			    int (*fn)(void *ctx, uint64_t idx, int64_t time, const char *kind,
				      const uint8_t *entry, size_t len, const uint8_t *leaf,
				      size_t leaflen),
			    void *ctx);

/* Subtree hashes; level 0 reads the leaf column. put refuses level 0. */
int store_ledger_hash_put(struct store *st, int64_t log, uint64_t level, uint64_t idx,
			  const uint8_t hash[32]);
int store_ledger_hash_get(struct store *st, int64_t log, uint64_t level, uint64_t idx,
			  uint8_t hash[32]); /* GS_ENOTFOUND */

/* Checkpoints the node signed. */
int store_ledger_checkpoint_put(struct store *st, int64_t log, uint64_t size,
				const uint8_t root[32], const uint8_t *note, size_t len,
				int64_t signed_at);
/* The one with the largest size. GS_ENOTFOUND if none. */
int store_ledger_checkpoint_latest(struct store *st, int64_t log, uint64_t *size,
				   uint8_t root[32], uint8_t **note, size_t *len);
/* In size order. */
int store_ledger_checkpoint_each(struct store *st, int64_t log,
				 int (*fn)(void *ctx, uint64_t size, const uint8_t *root,
					   size_t rootlen, const uint8_t *note, size_t len,
					   int64_t signed_at),
				 void *ctx);

/* Checkpoints received from peers, by origin. put: GS_EEXIST if (origin,
 * size) is held with other bytes, 0 if with the same. */
int store_ledger_peer_checkpoint_put(struct store *st, const char *origin, uint64_t size,
				     const uint8_t *note, size_t len, int64_t received_at);
int store_ledger_peer_checkpoint_latest(struct store *st, const char *origin, uint64_t *size,
					uint8_t **note, size_t *len); /* GS_ENOTFOUND */

#endif
