/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_STATS_H
#define GS_NODE_STATS_H

/*
 * What a running node says about its health (docs/operations.md
 * "Monitoring"): read from the store, never changing it. The server's own
 * counters (requests, latencies) are net/metrics.h's.
 */

#include "node/auth.h"
#include "node/node.h"
#include "store/stats_store.h"

/* The outbox per peer: pending entries and the oldest one's age, and what
 * was delivered, refused and attempted. */
int node_outbox_summary(struct node *n, int (*fn)(void *ctx, const struct store_outbox_peer *p),
			void *ctx, struct gs_diag *d);

/* The commit batches of this process (store/stats_store.h). */
void node_commit_stats(struct store_commit_stats *out);

/* A session for a monitoring system to read GET /v1/metrics with, lasting
 * days (1 to NODE_MONITOR_MAX_DAYS) from now on the system clock: given
 * only to a person whose one role is monitor (GS_EDENIED otherwise), so
 * that no long-lived token can do more than read metrics. */
#define NODE_MONITOR_MAX_DAYS 400
int node_monitor_session_open(struct node *n, const char *person, unsigned days,
			      uint8_t token[AUTH_TOKEN_BYTES], struct node_session *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* A cheap proof that the node still works: its database answers a read.
 * The service's watchdog is fed only while it does. */
int node_health(struct node *n, struct gs_diag *d);

/* The commit-batch histogram's buckets (how many actions each database
 * commit made durable): NODE_BATCH_BUCKETS of them, the upper bound of
 * bucket i (0 for the last, +Inf). */
#define NODE_BATCH_BUCKETS STORE_BATCH_BUCKETS
uint64_t node_batch_bound(unsigned i);

#endif
