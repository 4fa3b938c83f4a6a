/* SPDX-License-Identifier: Apache-2.0 */
/* Group commit: members that wait together share one transaction and one
 * flush (node/commit.h, docs/design.md "Group commit"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/commit.h"
#include "store/ledger_store.h" /* store_in_transaction() */
#include "store/stats_store.h" /* store_commit_actions() */
#include "util/fault.h"
#include "util/banned.h"

struct commit_queue {
	pthread_mutex_t node;    /* the node's lock: its handle and caches */
	pthread_mutex_t q;       /* the queue below */
	pthread_cond_t drained;  /* a batch ended */
	struct node_commit_member *head, **tail;
	bool draining;           /* a batch is being committed (node lock held) */
};

int node_commit_init(struct node *n)
{
	struct commit_queue *c = calloc(1, sizeof(*c));
	pthread_mutexattr_t a;

	if (!c)
		return GS_ENOMEM;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&c->node, &a);
	pthread_mutexattr_destroy(&a);
	pthread_mutex_init(&c->q, NULL);
	pthread_cond_init(&c->drained, NULL);
	c->tail = &c->head;
	n->commits = c;
	return 0;
}

void node_commit_fini(struct node *n)
{
	struct commit_queue *c = n->commits;

	if (!c)
		return;
	pthread_cond_destroy(&c->drained);
	pthread_mutex_destroy(&c->q);
	pthread_mutex_destroy(&c->node);
	free(c);
	n->commits = NULL;
}

void node_mutex_lock(struct node *n)
{
	if (n->commits)
		pthread_mutex_lock(&n->commits->node);
}

void node_mutex_unlock(struct node *n)
{
	if (n->commits)
		pthread_mutex_unlock(&n->commits->node);
}

pthread_mutex_t *node_mutex(struct node *n)
{
	return n->commits ? &n->commits->node : NULL;
}

/* The files the batch's records will name, on disk before the COMMIT: a
 * lone file is flushed by itself; several are flushed by one syncfs()
 * of their filesystem (every file of a batch is under the home). */
static int sync_files(struct node_commit_member *batch)
{
	struct node_commit_member *m;
	int fd = -1, nfiles = 0;

	for (m = batch; m; m = m->next)
		if (m->sync_fd >= 0) {
			fd = m->sync_fd;
			nfiles++;
		}
	if (nfiles == 0)
		return 0;
	if (nfiles == 1)
		return fdatasync(fd);
	return syncfs(fd);
}

static void fail_all(struct node_commit_member *batch, int ret, const char *what, int err)
{
	struct node_commit_member *m;

	for (m = batch; m; m = m->next) {
		if (m->ret)
			continue;
		m->ret = ret;
		if (err)
			gs_diag_set(m->d, ret, "%s: %s; nothing was recorded", what, strerror(err));
		else
			gs_diag_set(m->d, ret, "%s; nothing was recorded", what);
	}
}

/* One transaction for the whole batch; one savepoint per member. Runs
 * with the node's lock held. */
static void run_batch(struct node *n, struct node_commit_member *batch)
{
	struct node_commit_member *m;
	uint64_t ok = 0;

	for (m = batch; m; m = m->next)
		m->ret = 0;
	if (sync_files(batch) != 0) {
		fail_all(batch, GS_EIO, "cannot flush the sealed files to disk", errno);
		return;
	}
	if (store_begin(n->st)) {
		fail_all(batch, GS_EIO, "cannot begin a transaction (the database is busy or damaged)", 0);
		return;
	}
	for (m = batch; m; m = m->next) {
		if (store_savepoint(n->st)) {
			m->ret = gs_diag_set(m->d, GS_EIO, "cannot begin a savepoint; nothing was recorded");
			continue;
		}
		m->ret = m->write(n, m->ctx, m->d);
		if (!m->ret && store_savepoint_release(n->st))
			m->ret = gs_diag_set(m->d, GS_EIO, "cannot end a savepoint; nothing was recorded");
		if (m->ret) {
			/* its own changes only; the others' stay */
			store_savepoint_rollback(n->st);
			if (m->d && !m->d->msg[0])
				gs_diag_set(m->d, m->ret, "cannot record the action");
		} else {
			ok++;
		}
		if (!store_in_transaction(n->st)) {
			/* SQLite gave the whole transaction up (an I/O error, a full
			 * disk): what the members before wrote is gone too, and what
			 * follows must not run outside a transaction */
			fail_all(batch, GS_EIO, "the database ended the transaction", 0);
			return;
		}
	}
	if (!ok) {
		store_rollback(n->st);
	} else if (store_commit_actions(n->st, ok)) {
		store_rollback(n->st);
		fail_all(batch, GS_EIO, "the database did not take the commit", 0);
		ok = 0;
	}
	/* a crash here: the records are durable, the files not yet in place
	 * (items_recover completes them) */
	if (ok)
		fault_point("batch-committed");
}

int node_commit(struct node *n, struct node_commit_member *m)
{
	struct commit_queue *c = n->commits;
	struct node_commit_member *batch, *next;

	m->ret = 0;
	m->done = false;
	m->next = NULL;
	if (!c) {
		/* a handle with no queue (a home being made): alone */
		run_batch(n, m);
		return m->ret;
	}
	pthread_mutex_lock(&c->q);
	*c->tail = m;
	c->tail = &m->next;
	/* while a batch commits, join the next one */
	while (!m->done && c->draining)
		pthread_cond_wait(&c->drained, &c->q);
	if (m->done) {
		pthread_mutex_unlock(&c->q);
		return m->ret;
	}
	pthread_mutex_unlock(&c->q);
	pthread_mutex_lock(&c->node);
	pthread_mutex_lock(&c->q);
	if (!m->done) {
		/* whoever holds the node's lock first commits all that waits */
		batch = c->head;
		c->head = NULL;
		c->tail = &c->head;
		c->draining = true;
		pthread_mutex_unlock(&c->q);
		run_batch(n, batch);
		pthread_mutex_lock(&c->q);
		for (; batch; batch = next) {
			next = batch->next; /* a member may go as soon as it is done */
			batch->done = true;
		}
		c->draining = false;
		pthread_cond_broadcast(&c->drained);
	}
	pthread_mutex_unlock(&c->q);
	pthread_mutex_unlock(&c->node);
	return m->ret;
}

unsigned node_commit_queued(struct node *n)
{
	struct commit_queue *c = n->commits;
	struct node_commit_member *m;
	unsigned k = 0;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->q);
	for (m = c->head; m; m = m->next)
		k++;
	pthread_mutex_unlock(&c->q);
	return k;
}
