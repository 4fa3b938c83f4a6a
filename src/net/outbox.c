/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/client.h"
#include "net/outbox.h"
#include "node/items.h"
#include "util/encode.h"
#include "util/banned.h"

#define BACKOFF_MAX 300

int outbox_enqueue(struct node *n, const char *peer, const char *kind, const char *ref,
		   const char *path, struct gs_diag *d)
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
	return ret ? gs_diag_set(d, ret, "cannot queue %s for %s", id, peer) : 0;
}

struct due {
	char id[GS_MAX_NAME], peer[GS_MAX_CODE], kind[GS_NET_MAX_KIND], ref[GS_MAX_NAME];
	char path[GS_HOME_MAX + 128];
	int64_t attempts;
};

struct due_list {
	struct due *v;
	size_t n, cap;
};

static int collect(void *ctx, const struct store_outbox *o)
{
	struct due_list *l = ctx;
	struct due *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct due *v = realloc(l->v, cap * sizeof(*v));

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

/* A bundle's reply carries the recipient's receipt: import it now. */
static int take_receipt(struct node *n, const char *reply, struct gs_diag *d)
{
	json_t *j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL);
	const char *b64 = json_string_value(json_object_get(j, "receipt_b64"));
	char path[GS_HOME_MAX + 64], bundle[BUNDLE_ID_HEX];
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
	snprintf(path, sizeof(path), "%s/receipts", n->home);
	(void)mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/receipts/received-%ld.receipt", n->home, (long)getpid());
	if ((ret = write_file_atomic(path, buf, len, 0600, d)))
		goto out;
	ret = node_receipt_import(n, path, bundle, d);
	unlink(path);
out:
	free(buf);
	json_decref(j);
	return ret;
}

int outbox_deliver_due(struct node *n, int *delivered, int *refused, int *retry, struct gs_diag *d)
{
	struct due_list l = { NULL, 0, 0 };
	int64_t timer = node_timer();
	gs_instant now;
	size_t i;
	int ret;

	*delivered = *refused = *retry = 0;
	if ((ret = node_now(n, &now, d)))
		return ret;
	if ((ret = store_outbox_each(n->st, 1, timer, collect, &l))) {
		free(l.v);
		return gs_diag_set(d, ret, "cannot read the outbox");
	}
	for (i = 0; i < l.n; i++) {
		struct due *e = &l.v[i];
		struct gs_diag ed = { { 0 } };
		struct party p;
		char url[GS_NET_MAX_KIND + GS_MAX_NAME + 64], *reply = NULL;
		long status = 0;
		int r;

		r = node_party_get(n, e->peer, &p, &ed);
		/* the file as the raw body, streamed: any size up to GS_NET_MAX_UPLOAD */
		if (!r && (size_t)snprintf(url, sizeof(url), "/v1/peer/deliver-file?kind=%s&id=%s", e->kind,
					   e->ref) >= sizeof(url))
			r = gs_diag_set(&ed, GS_ELIMIT, "kind or id too long");
		if (!r)
			r = peer_post_file(n, &p, url, e->path, &status, &reply, &ed);
		if (!r && status == 200) {
			struct gs_diag rd = { { 0 } };

			if (!strcmp(e->kind, "bundle") && take_receipt(n, reply, &rd))
				snprintf(ed.msg, sizeof(ed.msg), "delivered; receipt not accepted: %.900s", rd.msg);
			store_outbox_update(n->st, e->id, "delivered", e->attempts + 1, timer, ed.msg, now);
			(*delivered)++;
		} else if (!r && status >= 400 && status < 500) {
			json_t *j = reply ? json_loads(reply, 0, NULL) : NULL;
			const char *why = json_string_value(json_object_get(j, "error"));
			char msg[GS_DIAG_MAX];

			snprintf(msg, sizeof(msg), "refused by %s (HTTP %ld): %.900s", e->peer, status, why ? why : "");
			store_outbox_update(n->st, e->id, "refused", e->attempts + 1, timer, msg, now);
			json_decref(j);
			(*refused)++;
		} else {
			int64_t wait = (int64_t)1 << (e->attempts < 9 ? e->attempts : 9);
			char msg[GS_DIAG_MAX];

			if (wait > BACKOFF_MAX)
				wait = BACKOFF_MAX;
			if (r)
				snprintf(msg, sizeof(msg), "%.900s", ed.msg[0] ? ed.msg : gs_strerror(r));
			else
				snprintf(msg, sizeof(msg), "HTTP %ld from %s", status, e->peer);
			store_outbox_update(n->st, e->id, "pending", e->attempts + 1, timer + wait, msg, 0);
			(*retry)++;
		}
		free(reply);
	}
	free(l.v);
	return 0;
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

int outbox_list(struct node *n, json_t **out, struct gs_diag *d)
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
