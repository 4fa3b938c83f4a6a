/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/client.h"
#include "net/outbox.h"
#include "node/items.h"
#include "util/encode.h"
#include "util/file.h"
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

/* Where a bundle's delivery resumes: the verified length the peer keeps
 * of an interrupted delivery (GET /v1/peer/deliver-file). 0 when there is
 * none, or when the peer's node does not resume deliveries (one older than
 * bundle v2 answers 405), so the whole file goes as before. */
static uint64_t resume_offset(struct node *n, const struct party *p, const char *id,
			      const char *path)
{
	char url[GS_MAX_NAME + 64], *reply = NULL;
	struct gs_diag ignored = { { 0 } };
	uint64_t off = 0;
	struct stat sb;
	long status = 0;
	json_t *j;

	snprintf(url, sizeof(url), "/v1/peer/deliver-file?kind=bundle&id=%s", id);
	if (peer_get(n, p, url, &status, &reply, &ignored) == 0 && status == 200 &&
	    (j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL)) != NULL) {
		json_t *o = json_object_get(j, "offset");

		if (json_is_integer(o) && json_integer_value(o) > 0 && stat(path, &sb) == 0 &&
		    (uint64_t)json_integer_value(o) <= (uint64_t)sb.st_size)
			off = (uint64_t)json_integer_value(o);
		json_decref(j);
	}
	free(reply);
	return off;
}

/* A 409 that names an offset: the peer keeps another length of this
 * delivery than asked for (or is taking it now); try again. */
static int is_resume_conflict(long status, const char *reply)
{
	json_t *j;
	int yes;

	if (status != 409 || !reply || !(j = json_loads(reply, 0, NULL)))
		return 0;
	yes = json_is_integer(json_object_get(j, "offset"));
	json_decref(j);
	return yes;
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
		char url[GS_NET_MAX_KIND + GS_MAX_NAME + 96], *reply = NULL;
		uint64_t offset = 0;
		long status = 0;
		int r, bundle = !strcmp(e->kind, "bundle");

		r = node_party_get(n, e->peer, &p, &ed);
		/* a bundle resumes where an interrupted delivery stopped */
		if (!r && bundle)
			offset = resume_offset(n, &p, e->ref, e->path);
		/* the file as the raw body, streamed: any size up to GS_NET_MAX_UPLOAD */
		if (!r && (size_t)snprintf(url, sizeof(url), offset ? "/v1/peer/deliver-file?kind=%s&id=%s&offset=%llu"
								    : "/v1/peer/deliver-file?kind=%s&id=%s",
					   e->kind, e->ref, (unsigned long long)offset) >= sizeof(url))
			r = gs_diag_set(&ed, GS_ELIMIT, "kind or id too long");
		if (!r)
			r = peer_post_file(n, &p, url, e->path, offset, &status, &reply, &ed);
		if (!r && status == 200) {
			struct gs_diag rd = { { 0 } };
			struct stat sb;

			if (offset && stat(e->path, &sb) == 0)
				snprintf(ed.msg, sizeof(ed.msg), "delivered, resumed at byte %llu of %llu",
					 (unsigned long long)offset, (unsigned long long)sb.st_size);
			if (bundle && take_receipt(n, reply, &rd))
				snprintf(ed.msg, sizeof(ed.msg), "delivered; receipt not accepted: %.900s", rd.msg);
			store_outbox_update(n->st, e->id, "delivered", e->attempts + 1, timer, ed.msg, now);
			(*delivered)++;
		} else if (!r && status >= 400 && status < 500 && !is_resume_conflict(status, reply)) {
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
			if (r) {
				snprintf(msg, sizeof(msg), "%.900s", ed.msg[0] ? ed.msg : gs_strerror(r));
			} else {
				json_t *j = reply ? json_loads(reply, 0, NULL) : NULL;
				const char *why = json_string_value(json_object_get(j, "error"));

				snprintf(msg, sizeof(msg), "HTTP %ld from %s%s%.900s", status, e->peer,
					 why ? ": " : "", why ? why : "");
				json_decref(j);
			}
			store_outbox_update(n->st, e->id, "pending", e->attempts + 1, timer + wait, msg, 0);
			(*retry)++;
		}
		free(reply);
	}
	free(l.v);
	return 0;
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

int outbox_retry(struct node *n, const char *id, struct gs_diag *d)
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

int outbox_keep_and_queue(struct node *n, const char *kind, const char *ref, const char *note, size_t len,
			  const char *const *peers, size_t npeers, char *path, size_t cap, struct gs_diag *d)
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
		if ((ret = outbox_enqueue(n, peers[i], kind, ref, path, d)))
			return ret;
	return 0;
}
