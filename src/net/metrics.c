/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/metrics.h"
#include "node/ledger.h"
#include "node/stats.h"
#include "util/dynbuf.h"
#include "util/banned.h"

/* The statuses a route can answer; anything else is counted as "other". */
static const unsigned codes[] = { 200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404,
				  405, 409, 410, 413, 415, 422, 429, 500, 501, 503 };
#define NCODES (sizeof(codes) / sizeof(codes[0]))

const double metrics_latency_bounds[METRICS_LATENCY_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60,
};

struct route_stats {
	_Atomic(const char *) method;
	_Atomic(const char *) path;
	_Atomic uint64_t by_code[NCODES + 1];
	_Atomic uint64_t bucket[METRICS_LATENCY_BUCKETS + 1]; /* not cumulative; last +Inf */
	_Atomic uint64_t sum_us;
};

static struct route_stats routes[METRICS_MAX_ROUTES];
static _Atomic int64_t started_at;

void metrics_request(unsigned route, const char *method, const char *path, unsigned status,
		     double seconds)
{
	struct route_stats *r;
	unsigned i;

	if (route >= METRICS_MAX_ROUTES || !method || !path)
		return;
	r = &routes[route];
	/* the same static strings every time: storing them again is harmless */
	atomic_store_explicit(&r->method, method, memory_order_relaxed);
	atomic_store_explicit(&r->path, path, memory_order_release);
	for (i = 0; i < NCODES && codes[i] != status; i++)
		;
	atomic_fetch_add_explicit(&r->by_code[i], 1, memory_order_relaxed);
	for (i = 0; i < METRICS_LATENCY_BUCKETS && seconds > metrics_latency_bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&r->bucket[i], 1, memory_order_relaxed);
	if (seconds < 0)
		seconds = 0;
	atomic_fetch_add_explicit(&r->sum_us, (uint64_t)(seconds * 1e6 + 0.5), memory_order_relaxed);
}

void metrics_started(void)
{
	atomic_store(&started_at, (int64_t)time(NULL));
}

/* ---- the text ---- */

static void family(struct dynbuf *t, const char *name, const char *type, const char *help)
{
	dynbuf_addf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values here are route templates, party codes and log origins:
 * none holds '"', '\\' or a newline, but escape them anyway. */
static void label_value(char *out, size_t cap, const char *v)
{
	size_t o = 0;

	for (; *v && o + 3 < cap; v++) {
		if (*v == '"' || *v == '\\') {
			out[o++] = '\\';
			out[o++] = *v;
		} else if (*v == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *v;
		}
	}
	out[o] = 0;
}

static void bound_text(double b, char out[32])
{
	snprintf(out, 32, "%g", b);
}

static void render_requests(struct dynbuf *t)
{
	char m[64], p[256], b[32];
	unsigned r, i;
	uint64_t cum;

	family(t, "gsomia_http_requests_total", "counter",
	       "HTTP requests answered, by method, route template and status code.");
	for (r = 0; r < METRICS_MAX_ROUTES; r++) {
		const char *path = atomic_load_explicit(&routes[r].path, memory_order_acquire);

		if (!path)
			continue;
		label_value(m, sizeof(m), atomic_load_explicit(&routes[r].method, memory_order_relaxed));
		label_value(p, sizeof(p), path);
		for (i = 0; i <= NCODES; i++) {
			uint64_t v = atomic_load_explicit(&routes[r].by_code[i], memory_order_relaxed);

			if (!v)
				continue;
			if (i < NCODES)
				dynbuf_addf(t, "gsomia_http_requests_total{method=\"%s\",route=\"%s\",code=\"%u\"} %" PRIu64 "\n",
				    m, p, codes[i], v);
			else
				dynbuf_addf(t, "gsomia_http_requests_total{method=\"%s\",route=\"%s\",code=\"other\"} %" PRIu64 "\n",
				    m, p, v);
		}
	}
	family(t, "gsomia_http_request_duration_seconds", "histogram",
	       "Time from a request's arrival to the end of its answer, by method and route template.");
	for (r = 0; r < METRICS_MAX_ROUTES; r++) {
		const char *path = atomic_load_explicit(&routes[r].path, memory_order_acquire);
		uint64_t sum;

		if (!path)
			continue;
		label_value(m, sizeof(m), atomic_load_explicit(&routes[r].method, memory_order_relaxed));
		label_value(p, sizeof(p), path);
		cum = 0;
		for (i = 0; i <= METRICS_LATENCY_BUCKETS; i++) {
			cum += atomic_load_explicit(&routes[r].bucket[i], memory_order_relaxed);
			if (i < METRICS_LATENCY_BUCKETS)
				bound_text(metrics_latency_bounds[i], b);
			else
				snprintf(b, sizeof(b), "+Inf");
			dynbuf_addf(t, "gsomia_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%s\"} %" PRIu64 "\n",
			    m, p, b, cum);
		}
		sum = atomic_load_explicit(&routes[r].sum_us, memory_order_relaxed);
		dynbuf_addf(t, "gsomia_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %" PRIu64 ".%06" PRIu64 "\n",
		    m, p, sum / 1000000, sum % 1000000);
		dynbuf_addf(t, "gsomia_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %" PRIu64 "\n", m, p,
		    cum);
	}
}

/* Failed sign-ins are the sign-in routes' refusals: 401 for a wrong
 * person or password, 429 while the person's id is held back after too
 * many. */
static void render_signin(struct dynbuf *t)
{
	uint64_t refused = 0, throttled = 0;
	unsigned r, i;

	for (r = 0; r < METRICS_MAX_ROUTES; r++) {
		const char *path = atomic_load_explicit(&routes[r].path, memory_order_acquire);
		const char *method = atomic_load_explicit(&routes[r].method, memory_order_relaxed);

		if (!path || !method || strcmp(method, "POST") ||
		    (strcmp(path, "/v1/session") && strcmp(path, "/v1/session/cookie")))
			continue;
		for (i = 0; i < NCODES; i++) {
			uint64_t v = atomic_load_explicit(&routes[r].by_code[i], memory_order_relaxed);

			if (codes[i] == 401)
				refused += v;
			else if (codes[i] == 429)
				throttled += v;
		}
	}
	family(t, "gsomia_signin_failures_total", "counter",
	       "Failed sign-ins to the local API: refused (wrong person or password) or throttled (too many failures).");
	dynbuf_addf(t, "gsomia_signin_failures_total{reason=\"refused\"} %" PRIu64 "\n", refused);
	dynbuf_addf(t, "gsomia_signin_failures_total{reason=\"throttled\"} %" PRIu64 "\n", throttled);
}

static void render_commits(struct dynbuf *t)
{
	struct store_commit_stats cs;
	char b[32];
	unsigned i;

	node_commit_stats(&cs);
	family(t, "gsomia_commit_batch_actions", "histogram",
	       "Actions made durable by each database commit (one fsync each); 1 while every action commits on its own.");
	for (i = 0; i < NODE_BATCH_BUCKETS; i++) {
		uint64_t bound = node_batch_bound(i);

		if (bound)
			snprintf(b, sizeof(b), "%" PRIu64, bound);
		else
			snprintf(b, sizeof(b), "+Inf");
		dynbuf_addf(t, "gsomia_commit_batch_actions_bucket{le=\"%s\"} %" PRIu64 "\n", b, cs.bucket[i]);
	}
	dynbuf_addf(t, "gsomia_commit_batch_actions_sum %" PRIu64 "\n", cs.actions);
	dynbuf_addf(t, "gsomia_commit_batch_actions_count %" PRIu64 "\n", cs.commits);
}

struct outbox_walk {
	struct dynbuf *t;
	int64_t now;
	int pass;
};

static int outbox_line(void *ctx, const struct store_outbox_peer *p)
{
	struct outbox_walk *w = ctx;
	char peer[32];
	uint64_t done = p->delivered + p->refused;

	label_value(peer, sizeof(peer), p->peer);
	switch (w->pass) {
	case 0:
		dynbuf_addf(w->t, "gsomia_outbox_pending{peer=\"%s\"} %" PRIu64 "\n", peer, p->pending);
		break;
	case 1:
		dynbuf_addf(w->t, "gsomia_outbox_oldest_pending_age_seconds{peer=\"%s\"} %" PRId64 "\n", peer,
		    p->pending && w->now > p->oldest_pending_at ? w->now - p->oldest_pending_at : 0);
		break;
	case 2:
		dynbuf_addf(w->t, "gsomia_deliveries_total{peer=\"%s\",result=\"delivered\"} %" PRIu64 "\n", peer,
		    p->delivered);
		dynbuf_addf(w->t, "gsomia_deliveries_total{peer=\"%s\",result=\"refused\"} %" PRIu64 "\n", peer,
		    p->refused);
		break;
	default:
		/* every attempt but the one that ended an entry failed */
		dynbuf_addf(w->t, "gsomia_delivery_failures_total{peer=\"%s\"} %" PRIu64 "\n", peer,
		    p->attempts > done ? p->attempts - done : 0);
		break;
	}
	return 0;
}

static int render_outbox(struct dynbuf *t, struct node *n, struct gs_diag *d)
{
	static const struct {
		const char *name, *type, *help;
	} fams[] = {
		{ "gsomia_outbox_pending", "gauge", "Deliveries waiting in the outbox for each peer." },
		{ "gsomia_outbox_oldest_pending_age_seconds", "gauge",
		  "Age of the oldest delivery still waiting for each peer (0 when none waits)." },
		{ "gsomia_deliveries_total", "counter",
		  "Outbox entries ended, by peer: delivered, or refused by the peer (4xx)." },
		{ "gsomia_delivery_failures_total", "counter",
		  "Delivery attempts that failed and were retried later, by peer." },
	};
	struct outbox_walk w = { t, (int64_t)time(NULL), 0 };
	int ret;

	for (w.pass = 0; w.pass < 4; w.pass++) {
		family(t, fams[w.pass].name, fams[w.pass].type, fams[w.pass].help);
		if ((ret = node_outbox_summary(n, outbox_line, &w, d)))
			return ret;
	}
	return 0;
}

static int ledger_line(void *ctx, const struct ledger_log_report *r)
{
	char origin[GS_MAX_NAME * 2], peer[32];

	label_value(origin, sizeof(origin), r->origin);
	label_value(peer, sizeof(peer), r->peer[0] ? r->peer : "internal");
	dynbuf_addf(ctx, "gsomia_ledger_entries{origin=\"%s\",log=\"%s\"} %" PRIu64 "\n", origin, peer, r->size);
	return 0;
}

int metrics_render(struct node *n, char **out, size_t *len, struct gs_diag *d)
{
	struct dynbuf t;
	int64_t since = atomic_load(&started_at);
	int ret;

	dynbuf_init(&t, GS_NET_MAX_METRICS);
	family(&t, "gsomia_build_info", "gauge", "The running gsomia's version and party (always 1).");
	dynbuf_addf(&t, "gsomia_build_info{version=\"%s\",party=\"%s\",exercise=\"%s\"} 1\n", GSOMIA_VERSION,
	    node_self(n)->code, node_self(n)->exercise ? "yes" : "no");
	family(&t, "gsomia_start_time_seconds", "gauge", "When the server started (Unix seconds).");
	dynbuf_addf(&t, "gsomia_start_time_seconds %" PRId64 "\n", since);
	render_requests(&t);
	render_signin(&t);
	render_commits(&t);
	if ((ret = render_outbox(&t, n, d)))
		goto fail;
	family(&t, "gsomia_ledger_entries", "gauge", "Entries in each of the node's ledgers (logs), by origin.");
	if ((ret = ledger_logs(n, ledger_line, &t, d)))
		goto fail;
	if ((ret = dynbuf_error(&t))) {
		ret = gs_diag_set(d, ret, "metrics: %s", gs_strerror(ret));
		goto fail;
	}
	*out = dynbuf_take(&t, len);
	return 0;
fail:
	dynbuf_free(&t);
	return ret;
}
