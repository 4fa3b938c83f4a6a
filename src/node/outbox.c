/* SPDX-License-Identifier: Apache-2.0 */
/* The outbox's queue at the node (node/outbox.h, docs/api.md "The outbox"). */
#include <pthread.h>
#include <time.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/items.h"
#include "node/outbox.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/banned.h"

#define BACKOFF_MAX 300 /* seconds: the longest wait between two attempts */

int node_outbox_reachable(struct node *n, const char *code, struct gs_diag *d)
{
	struct party *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return GS_ENOMEM;
	ret = node_party_get(n, code, p, d);
	if (!ret && (!p->endpoint[0] || !p->tls_pin[0]))
		ret = gs_diag_set(d, GS_ESTATE, "party '%s' has no endpoint and TLS pin in its identity: the outbox "
				  "cannot reach it (use the command line and carry the file by hand)", code);
	free(p);
	return ret;
}

int node_outbox_add(struct node *n, const char *peer, const char *kind, const char *ref, const char *path,
		    struct gs_diag *d)
{
	struct store_outbox o;
	struct party p;
	char id[GS_MAX_NAME];
	gs_instant now;
	int ret;

	if ((ret = node_party_get(n, peer, &p, d)))
		return ret;
	if (!p.endpoint[0] || !p.tls_pin[0])
		return gs_diag_set(d, GS_ESTATE, "party '%s' has no endpoint and TLS pin in its identity; carry the file by hand",
				   peer);
	if ((ret = node_now(n, &now, d)))
		return ret;
	/* one entry per (kind, thing, peer): the same note for two parties
	 * is two deliveries */
	snprintf(id, sizeof(id), "%s-%s-%s", kind, ref, peer);
	memset(&o, 0, sizeof(o));
	o.id = id;
	o.peer = peer;
	o.kind = kind;
	o.ref = ref;
	o.path = path;
	/* queued at the node's clock; the retries wait on the machine's
	 * (node_timer): a backoff is a wait, not an instant of record */
	o.created_at = (int64_t)now;
	o.next_at = node_timer();
	ret = store_outbox_add(n->st, &o);
	if (ret)
		return gs_diag_set(d, ret, "cannot queue %s for %s", id, peer);
	if (!store_in_write(n->st))
		node_outbox_ring(); /* on its own: already committed */
	return 0;
}

/* The bell (node/outbox.h): one per process, since the courier and the
 * faces that queue hold handles of their own on the same home. */
static pthread_mutex_t bell_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bell_cond = PTHREAD_COND_INITIALIZER;
static uint64_t bell_rung;

void node_outbox_ring(void)
{
	pthread_mutex_lock(&bell_lock);
	bell_rung++;
	pthread_cond_broadcast(&bell_cond);
	pthread_mutex_unlock(&bell_lock);
}

static void ring_on_commit(void *ctx)
{
	(void)ctx;
	node_outbox_ring();
}

void node_outbox_bell_attach(struct node *n)
{
	store_on_outbox_commit(n->st, ring_on_commit, NULL);
}

bool node_outbox_wait(uint64_t *seen, unsigned ms)
{
	struct timespec until;
	bool rung;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&bell_lock);
	while (bell_rung == *seen)
		if (pthread_cond_timedwait(&bell_cond, &bell_lock, &until) != 0)
			break;
	rung = bell_rung != *seen;
	*seen = bell_rung;
	pthread_mutex_unlock(&bell_lock);
	return rung;
}

struct due_list {
	struct outbox_entry *v;
	size_t n, cap, max;
};

#define DUE_FULL 1 /* stops the walk: max entries taken */

static int collect(void *ctx, const struct store_outbox *o)
{
	struct due_list *l = ctx;
	struct outbox_entry *e;

	if (l->n == l->max)
		return DUE_FULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct outbox_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return GS_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	snprintf(e->id, sizeof(e->id), "%s", o->id);
	snprintf(e->peer, sizeof(e->peer), "%s", o->peer);
	snprintf(e->kind, sizeof(e->kind), "%s", o->kind);
	snprintf(e->ref, sizeof(e->ref), "%s", o->ref);
	snprintf(e->path, sizeof(e->path), "%s", o->path);
	e->attempts = o->attempts;
	return 0;
}

int node_outbox_due(struct node *n, size_t max, struct outbox_entry **out, size_t *count, struct gs_diag *d)
{
	struct due_list l = { NULL, 0, 0, max };
	/* taken from the other serve processes of the node while this one
	 * delivers them (docs/scale-out.md) */
	int ret = store_outbox_claim(n->st, node_timer(), max, collect, &l);

	*out = NULL;
	*count = 0;
	if (ret && ret != DUE_FULL) {
		free(l.v);
		return gs_diag_set(d, ret, "cannot read the outbox");
	}
	*out = l.v;
	*count = l.n;
	return 0;
}

/* A bundle's reply carries the recipient's receipt: import it now. */
static int take_receipt(struct node *n, const char *reply, struct gs_diag *d)
{
	json_t *j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL);
	const char *b64 = json_string_value(json_object_get(j, "receipt_b64"));
	char bundle[BUNDLE_ID_HEX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = 0;

	if (!b64) {
		json_decref(j);
		return 0;
	}
	buf = malloc(strlen(b64) + 1);
	if (!buf || b64_decode(b64, strlen(b64), buf, strlen(b64) + 1, &len) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "the peer's receipt is not base64");
		goto out;
	}
	/* imported from memory: no file is written for it */
	ret = node_receipt_import_bytes(n, "the peer's receipt", buf, len, bundle, d);
out:
	free(buf);
	json_decref(j);
	return ret;
}

/* The entry's new state (msg: what to note on it), inside the caller's
 * transaction. */
static int settle_one(struct node *n, const struct outbox_entry *e, enum outbox_outcome outcome, const char *msg,
		      int64_t timer, gs_instant now)
{
	int64_t wait;
	int ret;

	switch (outcome) {
	case OUTBOX_DELIVERED:
		ret = store_outbox_update(n->st, e->id, "delivered", e->attempts + 1, timer, msg, now);
		/* delivered after failures: the peer is back, and what waits
		 * for it goes now at full speed, not each after its own
		 * backoff */
		if (!ret && e->attempts > 0)
			ret = store_outbox_wake(n->st, e->peer, timer);
		return ret;
	case OUTBOX_REFUSED:
		return store_outbox_update(n->st, e->id, "refused", e->attempts + 1, timer, msg, now);
	default:
		wait = (int64_t)1 << (e->attempts < 9 ? e->attempts : 9);
		if (wait > BACKOFF_MAX)
			wait = BACKOFF_MAX;
		return store_outbox_update(n->st, e->id, "pending", e->attempts + 1, timer + wait, msg, 0);
	}
}

int node_outbox_settle_many(struct node *n, const struct outbox_settlement *s, size_t count, struct gs_diag *d)
{
	int64_t timer = node_timer();
	char (*msg)[GS_DIAG_MAX];
	gs_instant now;
	size_t i;
	int ret;

	if (!count)
		return 0;
	if ((ret = node_now(n, &now, d)))
		return ret;
	if (!(msg = calloc(count, sizeof(*msg))))
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	/* a receipt is imported on its own (its ledger entry is a
	 * transaction of its own), before its entry says delivered: a crash
	 * between the two sends the bundle again, which the peer keeps once
	 * and answers with the same receipt */
	for (i = 0; i < count; i++) {
		struct gs_diag rd = { { 0 } };

		snprintf(msg[i], sizeof(msg[i]), "%.900s", s[i].why ? s[i].why : "");
		if (s[i].outcome == OUTBOX_DELIVERED && !strcmp(s[i].e->kind, "bundle") &&
		    take_receipt(n, s[i].reply, &rd))
			snprintf(msg[i], sizeof(msg[i]), "delivered; receipt not accepted: %.900s", rd.msg);
	}
	/* the entries' new states in one transaction: one commit for the
	 * deliveries that ended together */
	if ((ret = store_begin(n->st)) == 0) {
		for (i = 0; i < count && !ret; i++)
			ret = settle_one(n, s[i].e, s[i].outcome, msg[i], timer, now);
		if (!ret)
			ret = store_commit(n->st);
		if (ret)
			store_rollback(n->st);
	}
	free(msg);
	return ret ? gs_diag_set(d, ret, "cannot record %zu outbox entr%s", count, count == 1 ? "y" : "ies") : 0;
}

int node_outbox_settle(struct node *n, const struct outbox_entry *e, enum outbox_outcome outcome,
		       const char *why, const char *reply, struct gs_diag *d)
{
	struct outbox_settlement s;

	memset(&s, 0, sizeof(s));
	s.e = e;
	s.outcome = outcome;
	s.why = why;
	s.reply = reply;
	return node_outbox_settle_many(n, &s, 1, d);
}

struct find_entry {
	const char *id;
	char state[16];
	int64_t attempts;
	int found;
};

static int find_one(void *ctx, const struct store_outbox *o)
{
	struct find_entry *f = ctx;

	if (strcmp(o->id, f->id))
		return 0;
	f->found = 1;
	f->attempts = o->attempts;
	snprintf(f->state, sizeof(f->state), "%s", o->state);
	return 0;
}

int node_outbox_retry(struct node *n, const char *id, struct gs_diag *d)
{
	struct find_entry f = { id, "", 0, 0 };
	int ret;

	if ((ret = store_outbox_each(n->st, 0, 0, find_one, &f)))
		return gs_diag_set(d, ret, "cannot read the outbox");
	if (!f.found)
		return gs_diag_set(d, GS_ENOTFOUND, "no outbox entry '%s' ('gsomia outbox' lists them)", id);
	if (!strcmp(f.state, "delivered"))
		return gs_diag_set(d, GS_ESTATE, "outbox entry '%s' was delivered already", id);
	ret = store_outbox_update(n->st, id, "pending", f.attempts, node_timer(), "to be sent again (outbox retry)", 0);
	return ret ? gs_diag_set(d, ret, "cannot update outbox entry '%s'", id) : 0;
}

struct list_ctx {
	json_t *arr;
	gs_instant now;  /* the node's clock */
	int64_t timer;   /* node_timer() at the same moment */
};

static json_t *instant_json(int64_t t)
{
	char s[GS_INSTANT_STR];

	if (t <= 0)
		return json_null();
	instant_format((gs_instant)t, s);
	return json_string(s);
}

static int list_one(void *ctx, const struct store_outbox *o)
{
	struct list_ctx *c = ctx;
	json_t *e = json_object();
	int64_t wait = o->next_at - c->timer;

	json_object_set_new(e, "id", json_string(o->id));
	json_object_set_new(e, "peer", json_string(o->peer));
	json_object_set_new(e, "kind", json_string(o->kind));
	json_object_set_new(e, "ref", json_string(o->ref));
	json_object_set_new(e, "state", json_string(o->state));
	json_object_set_new(e, "attempts", json_integer(o->attempts));
	json_object_set_new(e, "queued_at", instant_json(o->created_at));
	/* the wait left, shown on the node's clock */
	json_object_set_new(e, "next_attempt", !strcmp(o->state, "pending")
			    ? instant_json((int64_t)c->now + (wait > 0 ? wait : 0)) : json_null());
	json_object_set_new(e, "done_at", instant_json(o->done_at));
	json_object_set_new(e, "last_error", json_string(o->last_error));
	json_array_append_new(c->arr, e);
	return 0;
}

int node_outbox_list(struct node *n, json_t **out, struct gs_diag *d)
{
	struct list_ctx c = { json_array(), 0, node_timer() };
	int ret;

	if ((ret = node_now(n, &c.now, d))) {
		json_decref(c.arr);
		return ret;
	}
	ret = store_outbox_each(n->st, 0, 0, list_one, &c);
	if (ret) {
		json_decref(c.arr);
		return gs_diag_set(d, ret, "cannot read the outbox");
	}
	*out = c.arr;
	return 0;
}

int node_outbox_keep_and_queue(struct node *n, const char *kind, const char *ref, const char *note, size_t len,
			       const char *const *peers, size_t npeers, char *path, size_t cap,
			       struct gs_diag *d)
{
	char dir[GS_HOME_MAX + 16];
	size_t i;
	int ret;

	snprintf(dir, sizeof(dir), "%s/outgoing", n->home);
	snprintf(path, cap, "%s/%s-%s.note", dir, kind, ref);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot make %s: %s", dir, strerror(errno));
	if ((ret = write_file_atomic(path, note, len, 0600, d)))
		return ret;
	for (i = 0; i < npeers; i++)
		if ((ret = node_outbox_add(n, peers[i], kind, ref, path, d)))
			return ret;
	return 0;
}
