/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_COMMIT_H
#define GS_NODE_COMMIT_H

/*
 * Group commit, and the node's lock (docs/design.md, "Group commit").
 *
 * Every durable action costs the disk one flush (WAL, synchronous=FULL).
 * Actions that arrive together share it: each caller hands its store
 * writes to the node as a member (a function and its context) and waits;
 * whichever caller holds the node's lock first runs every member waiting,
 * each inside its own SAVEPOINT of ONE transaction, commits it with one
 * flush, then tells each member its own result. A member that fails is
 * rolled back to its savepoint alone and gets its own error; its
 * batch-mates still commit. A commit that fails fails every member of the
 * batch, and none of them changed anything. No caller is told "done"
 * before the COMMIT that holds its record returned.
 *
 * Files that must be durable before the records that name them (a sealed
 * bundle) are flushed by the batch too: one fdatasync() for a batch of
 * one, one syncfs() of the home's filesystem for a larger batch, before
 * the COMMIT.
 *
 * The node's lock is held for the short phases that read or write the
 * store through the node's handle and its caches (decisions, the batch);
 * it is recursive, so that a caller that holds it (a face serialising
 * other calls) may still call an action that takes it. Sealing and
 * verifying large files happen outside it.
 */

#include <pthread.h>
#include <stdbool.h>

#include "node/node.h"

struct node_commit_member {
	/* Its writes, run inside the batch's transaction on the node's handle,
	 * with the node's lock held: 0, or an error with d set. */
	int (*write)(struct node *n, void *ctx, struct gs_diag *d);
	void *ctx;
	struct gs_diag *d;
	int sync_fd;  /* a file to make durable before the COMMIT, or -1 */
	/* the queue's own */
	int ret;
	bool done;
	struct node_commit_member *next;
};

/* Makes the node's lock and commit queue (node_open() and siblings). */
int node_commit_init(struct node *n);
void node_commit_fini(struct node *n);

/* Runs m in the next batch and returns once that batch committed (or
 * failed): m->write's result, or the commit's error. */
int node_commit(struct node *n, struct node_commit_member *m);

/* Members waiting for the next batch (for monitoring, and for a test that
 * lines a batch up). */
unsigned node_commit_queued(struct node *n);

/* The node's lock (recursive). */
void node_mutex_lock(struct node *n);
void node_mutex_unlock(struct node *n);
/* The same lock for a face that takes a pthread mutex (net/server.c). */
pthread_mutex_t *node_mutex(struct node *n);

/* Batches are counted where they commit, with the number of members each
 * made durable (store_commit_actions(); node_commit_stats() in
 * node/stats.h, the gsomia_commit_batch histogram of GET /v1/metrics). */

#endif
