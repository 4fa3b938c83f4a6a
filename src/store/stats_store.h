/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_STORE_STATS_H
#define GS_STORE_STATS_H

/*
 * What the store can say about itself for monitoring (docs/operations.md
 * "Monitoring"): the size of each durable commit, and the outbox summed
 * per peer. Reads only; no rules.
 */

#include <stdint.h>

#include "store/store.h"

/*
 * Commit batches: how many actions each durable commit (one fsync) made
 * durable. Today every action is its own transaction, so every commit is
 * a batch of one; a commit path that batches several callers' actions
 * into one transaction (group commit) reports its batch through
 * store_commit_actions(), and the histogram stays true. Counted per
 * process, over every handle; only transactions that wrote count (a read
 * snapshot ended by store_commit() is not a commit).
 */
#define STORE_BATCH_BUCKETS 12 /* le 1, 2, 4, ... 1024, +Inf */

struct store_commit_stats {
	uint64_t commits;                      /* durable commits */
	uint64_t actions;                      /* actions they carried */
	uint64_t bucket[STORE_BATCH_BUCKETS];  /* cumulative: commits with batch <= 2^i; last +Inf */
};

/* The bound of bucket i (1, 2, 4, ...), or 0 for the last (+Inf). */
uint64_t store_batch_bound(unsigned i);
void store_commit_stats_get(struct store_commit_stats *out);

/* Commits the write transaction that carried `actions` actions
 * (store_commit() is store_commit_actions(st, 1)). */
int store_commit_actions(struct store *st, uint64_t actions);

/* Counted by the backend (sqlite.c) once a write transaction committed. */
void store_commit_observe(uint64_t actions);

/* The outbox per peer. */
struct store_outbox_peer {
	char peer[8];
	uint64_t pending;
	int64_t oldest_pending_at; /* created_at of the oldest pending entry; 0 if none */
	uint64_t delivered;
	uint64_t refused;
	uint64_t attempts;         /* every attempt made, successful or not */
};
/* Calls fn for each peer that has an outbox entry, in code order. */
int store_outbox_summary(struct store *st, int (*fn)(void *ctx, const struct store_outbox_peer *p),
			 void *ctx);

#endif
