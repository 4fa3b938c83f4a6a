/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_METRICS_H
#define GS_NET_METRICS_H

/*
 * GET /v1/metrics (docs/api.md "Metrics"): the node's health in the
 * Prometheus text exposition format 0.0.4, for a person with the monitor,
 * auditor or nsa-officer role.
 *
 * What the serving process counted since it started (requests by route
 * and status, their latencies as histograms, commit batch sizes) lives
 * here, in lock-free counters the server's threads add to; what the node's
 * store holds (the outbox per peer, deliveries and failed attempts,
 * ledger sizes) is read when the page is made, so it survives restarts.
 * Route labels are the route's template ("/v1/local/items/{}"), never a
 * URL a caller typed, so the number of series stays fixed.
 */

#include <stddef.h>

#include "node/node.h"

#define METRICS_MAX_ROUTES 96

/* Counts one answered request. route < METRICS_MAX_ROUTES is the
 * server's number for (method, path), both static strings; status the
 * HTTP status sent; seconds from the request's first byte to the end of
 * the answer. */
void metrics_request(unsigned route, const char *method, const char *path, unsigned status,
		     double seconds);

/* The server started now (gsomia_start_time_seconds). */
void metrics_started(void);

/* The exposition text for node n (the server's node, under its lock):
 * *out malloc'd, NUL-terminated, *len bytes. */
int metrics_render(struct node *n, char **out, size_t *len, struct gs_diag *d);

/* The bounds of the latency histogram, in seconds (METRICS_LATENCY_BUCKETS
 * of them, then +Inf). */
#define METRICS_LATENCY_BUCKETS 14
extern const double metrics_latency_bounds[METRICS_LATENCY_BUCKETS];

#endif
