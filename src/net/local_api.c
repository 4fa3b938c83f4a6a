/* SPDX-License-Identifier: Apache-2.0 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/person.h"
#include "net/api.h"
#include "net/local_api.h"
#include "net/local_internal.h"
#include "node/outbox.h"
#include "net/session.h"
#include "node/access.h"
#include "node/agreements.h"
#include "node/auth.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/ledger.h"
#include "node/registers.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/utf8.h"
#include "util/banned.h"


/* The one answer to a failed sign-in, whoever the person. */
#define SIGNIN_REFUSED "wrong person or password"

enum auth_kind {
	AUTH_NONE = 0,   /* the sign-in itself */
	AUTH_SESSION,    /* any live session, whatever the roles */
	AUTH_ROLES,      /* a live session of a person holding one of roles */
};

struct local_route {
	const char *method;
	const char *path; /* "{}" matches one segment */
	enum auth_kind auth;
	unsigned roles;
	local_fn fn;
	int flags; /* LOCAL_WRITES, LOCAL_UPLOAD (net/local_api.h) */
};

json_t *local_error(const char *fmt, ...)
{
	char msg[GS_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_scrub(msg); /* a sentence may quote what the caller sent */
	return json_pack("{s:s}", "error", msg);
}

unsigned local_status_for(int err)
{
	switch (err) {
	case GS_EINVAL:
	case GS_EUSAGE: return MHD_HTTP_BAD_REQUEST;
	case GS_EDENIED: return MHD_HTTP_FORBIDDEN;
	case GS_ELIMIT: return MHD_HTTP_CONTENT_TOO_LARGE;
	case GS_ESTATE:
	case GS_EEXIST: return MHD_HTTP_CONFLICT;
	case GS_ENOTFOUND: return MHD_HTTP_NOT_FOUND;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

unsigned local_fail(int err, const struct gs_diag *d, json_t **reply)
{
	*reply = local_error("%s", d->msg[0] ? d->msg : gs_strerror(err));
	return local_status_for(err);
}

json_t *local_roles_json(unsigned roles)
{
	json_t *a = json_array();
	unsigned bit;

	for (bit = 1; bit <= ROLE_LAST; bit <<= 1)
		if (roles & bit)
			json_array_append_new(a, json_string(role_name(bit)));
	return a;
}

/* The instant of ?at= or a body's "at" (a bare date is midnight in zone),
 * else the node's clock. */
int local_instant_of(struct node *n, const char *at, int32_t zone, gs_instant *out, struct gs_diag *d)
{
	if (at && *at) {
		if (instant_parse(at, zone, out))
			return gs_diag_set(d, GS_EINVAL, "at '%.64s' is not an RFC 3339 instant or a date", at);
		return 0;
	}
	return node_now(n, out, d);
}

/* ---- request bodies ---- */

int local_decide_parse(const char *buf, size_t len, struct decide_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		API_STR_MEMBER(decide_body, agreement), API_STR_MEMBER(decide_body, originator),
		API_STR_MEMBER(decide_body, classification), API_STR_MEMBER(decide_body, purpose),
		API_STR_MEMBER(decide_body, topic), API_STR_MEMBER(decide_body, person),
		API_STR_MEMBER(decide_body, to), API_STR_MEMBER(decide_body, facility),
		API_STR_MEMBER(decide_body, at),
	};

	return api_members_parse(buf, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), "", d);
}

/* ---- sessions ---- */

/* A session's lifetime is a wait (node_timer: it runs out in real time
 * even on an exercise node, whose clock stands still); its instants are
 * shown on the node's clock (node_now), as every instant the node shows. */
static json_t *timer_instant(gs_instant now, int64_t timer, int64_t t)
{
	return jinstant(now + (gs_instant)(t - timer));
}

/* timer: node_timer() at the moment the node's clock reads now. */
static json_t *session_json(struct node *n, int64_t timer, const struct node_session *s,
			    const struct person *p)
{
	json_t *o = json_object();
	gs_instant now = 0;

	if (node_now(n, &now, NULL))
		now = (gs_instant)timer;

	json_object_set_new(o, "person", json_string(s->person));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "roles", local_roles_json(p->roles));
	json_object_set_new(o, "created", timer_instant(now, timer, s->created_at));
	json_object_set_new(o, "expires", timer_instant(now, timer, s->expires_at));
	return o;
}

/* POST /v1/session. The password is checked outside the node's lock (it
 * takes tens of milliseconds); an unknown person is checked against a
 * hash nobody matches, so that both refusals cost the same and read the
 * same. */
static unsigned signin(struct call *c, int cookie, json_t **reply)
{
	struct signin_req req;
	struct gs_diag d = { { 0 } };
	char hash[AUTH_HASH_STR];
	uint8_t token[AUTH_TOKEN_BYTES];
	char tok[SESSION_TOKEN_STR];
	struct node_session s;
	struct person *p = NULL;
	int64_t wait_clock = node_timer(); /* the throttle's window is a wait */
	unsigned status;
	int ret, known;

	if ((ret = session_signin_parse(c->r->body ? c->r->body : "", c->r->len, &req, &d)))
		return local_fail(ret, &d, reply);
	if (signin_limiter_blocked(&c->api->limiter, req.person, wait_clock)) {
		*reply = local_error("too many failed sign-ins for '%s': wait a minute", req.person);
		status = MHD_HTTP_TOO_MANY_REQUESTS;
		goto out;
	}
	pthread_mutex_lock(c->lock);
	ret = node_password_hash(c->n, req.person, hash, &d);
	pthread_mutex_unlock(c->lock);
	if (ret && ret != GS_ENOTFOUND) {
		status = local_fail(ret, &d, reply);
		goto out;
	}
	known = ret == 0;
	ret = auth_password_check(known ? hash : auth_dummy_hash(), req.password, req.password_len);
	if (ret || !known) {
		signin_limiter_fail(&c->api->limiter, req.person, wait_clock);
		*reply = local_error(SIGNIN_REFUSED);
		status = MHD_HTTP_UNAUTHORIZED;
		goto out;
	}
	signin_limiter_clear(&c->api->limiter, req.person);
	if (!(p = calloc(1, sizeof(*p)))) {
		status = local_fail(GS_ENOMEM, &d, reply);
		goto out;
	}
	pthread_mutex_lock(c->lock);
	ret = node_person_get(c->n, req.person, p, &d);
	if (!ret)
		ret = node_session_open(c->n, req.person, (wait_clock = node_timer()), c->api->ttl, token, &s, &d);
	pthread_mutex_unlock(c->lock);
	if (ret == GS_ENOTFOUND) { /* a password left behind by a removed person */
		*reply = local_error(SIGNIN_REFUSED);
		status = MHD_HTTP_UNAUTHORIZED;
		goto out;
	}
	if (ret) {
		status = local_fail(ret, &d, reply);
		goto out;
	}
	session_token_encode(token, tok);
	*reply = session_json(c->n, wait_clock, &s, p);
	if (cookie) {
		char csrf[SESSION_TOKEN_STR];

		session_csrf_of(token, csrf);
		json_object_set_new(*reply, "csrf", json_string(csrf));
		char name[LOCAL_COOKIE_MAX];

		local_cookie_name(c->n, name);
		snprintf(c->out->set_cookie, sizeof(c->out->set_cookie),
			 "%s=%s; Path=/; Max-Age=%lld; Secure; HttpOnly; SameSite=Strict", name, tok,
			 (long long)c->api->ttl);
	} else {
		json_object_set_new(*reply, "token", json_string(tok));
	}
	sodium_memzero(token, sizeof(token));
	sodium_memzero(tok, sizeof(tok));
	status = MHD_HTTP_OK;
out:
	sodium_memzero(hash, sizeof(hash));
	signin_req_release(&req);
	free(p);
	return status;
}

static unsigned h_signin(struct call *c, json_t **reply)
{
	return signin(c, 0, reply);
}

/* POST /v1/session/cookie: the browser's sign-in. The token goes into an
 * HttpOnly, SameSite=Strict cookie the page's scripts cannot read; the
 * reply carries the CSRF token instead. */
static unsigned h_signin_cookie(struct call *c, json_t **reply)
{
	return signin(c, 1, reply);
}

static unsigned h_whoami(struct call *c, json_t **reply)
{
	*reply = session_json(c->n, node_timer(), &c->session, c->who);
	if (c->by_cookie) {
		char csrf[SESSION_TOKEN_STR];

		session_csrf_of(c->token, csrf);
		json_object_set_new(*reply, "csrf", json_string(csrf));
	}
	return MHD_HTTP_OK;
}

static unsigned h_signout(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	int ret = node_session_close(c->n, c->token, node_timer(), &d);

	if (ret == GS_EDENIED) {
		*reply = local_error("no open session");
		return MHD_HTTP_UNAUTHORIZED;
	}
	if (ret)
		return local_fail(ret, &d, reply);
	if (c->by_cookie) {
		char name[LOCAL_COOKIE_MAX];

		local_cookie_name(c->n, name);
		snprintf(c->out->set_cookie, sizeof(c->out->set_cookie),
			 "%s=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict", name);
	}
	*reply = json_pack("{s:b}", "signed_out", 1);
	return MHD_HTTP_OK;
}

/* ---- agreements ---- */

struct agreements_ctx {
	struct node *n;
	gs_instant now;
	json_t *arr;
	struct lifecycle_status *st;
};

static int agreement_one(void *ctx, const char *id, int version)
{
	struct agreements_ctx *c = ctx;
	const struct agreement_view *v;
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "version", json_integer(version));
	if (!agreement_view_cached(c->n, id, &v, NULL)) {
		const struct agreement *a = agreement_view_base(v);

		json_object_set_new(o, "title", json_string(a->title));
		json_object_set_new(o, "signed", json_boolean(agreement_view_signed(v, 0)));
		if (!agreement_view_status(v, c->now, c->st))
			json_object_set_new(o, "state", json_string(state_name(c->st->state)));
	}
	json_array_append_new(c->arr, o);
	return 0;
}

static unsigned h_agreements(struct call *c, json_t **reply)
{
	struct agreements_ctx ac = { c->n, 0, json_array(), calloc(1, sizeof(struct lifecycle_status)) };
	struct gs_diag d = { { 0 } };
	int ret;

	if (!ac.arr || !ac.st) {
		ret = GS_ENOMEM;
	} else if (!(ret = node_now(c->n, &ac.now, &d))) {
		ret = node_agreement_each(c->n, agreement_one, &ac);
		if (ret)
			gs_diag_set(&d, ret, "cannot list the agreements");
	}
	free(ac.st);
	if (ret) {
		json_decref(ac.arr);
		return local_fail(ret, &d, reply);
	}
	*reply = json_pack("{s:o,s:o}", "agreements", ac.arr, "at", jinstant(ac.now));
	return MHD_HTTP_OK;
}

/* The {id} segment of /v1/local/agreements/{id}/status. */
int local_path_segment(const char *url, int index, char *out, size_t cap)
{
	const char *p = url, *end;
	int i;

	for (i = 0; i <= index; i++) {
		p = strchr(p, '/');
		if (!p)
			return GS_EINVAL;
		p++;
	}
	end = strchr(p, '/');
	if (!end)
		end = p + strlen(p);
	if ((size_t)(end - p) >= cap || end == p)
		return GS_EINVAL;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return 0;
}

static unsigned h_agreement_status(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	const struct agreement_view *v;
	struct lifecycle_status *st;
	char id[GS_MAX_ID];
	gs_instant at;
	int ret;

	if (local_path_segment(c->r->url, 3, id, sizeof(id)) || !ident_id_is_valid(id)) {
		*reply = local_error("not an agreement id");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = agreement_view_cached(c->n, id, &v, &d)))
		return local_fail(ret, &d, reply);
	st = calloc(1, sizeof(*st));
	if (!st)
		ret = GS_ENOMEM;
	else if (!(ret = local_instant_of(c->n, c->r->at, agreement_view_base(v)->zone, &at, &d)) &&
		 (ret = agreement_view_status(v, at, st)))
		gs_diag_set(&d, ret, "cannot compute the state of '%s'", id);
	if (!ret)
		*reply = agreement_status_json(v, st, at);
	free(st);
	return ret ? local_fail(ret, &d, reply) : MHD_HTTP_OK;
}

/* ---- decisions ---- */

static unsigned decision_reply(const struct decision *dec, gs_instant at, json_t **reply)
{
	char reason[GS_MAX_LINE];

	decision_reason(dec, reason, sizeof(reason));
	*reply = json_pack("{s:s,s:s,s:s,s:o}", "decision", dec->permit ? "permit" : "deny", "rule",
			   dec->rule_id, "reason", reason, "at", jinstant(at));
	return MHD_HTTP_OK;
}

static const char *opt(const char *s)
{
	return s[0] ? s : NULL;
}

/* Fills q from the body; the instant in the agreement's zone. */
static int decide_query_of(struct call *c, struct decide_body *b, struct decide_query *q, struct gs_diag *d)
{
	const struct agreement_view *v;
	int32_t zone = node_self(c->n)->zone;

	memset(q, 0, sizeof(*q));
	q->agreement = b->agreement;
	q->originator = opt(b->originator);
	q->label = b->classification;
	q->purpose = b->purpose;
	q->topic = b->topic;
	q->to = opt(b->to);
	q->person = opt(b->person);
	q->facility = opt(b->facility);
	if (b->at[0] && !agreement_view_cached(c->n, b->agreement, &v, NULL))
		zone = agreement_view_base(v)->zone;
	return local_instant_of(c->n, b->at, zone, &q->at, d);
}

static int need(const char *v, const char *name, struct gs_diag *d)
{
	return v[0] ? 0 : gs_diag_set(d, GS_EINVAL, "missing member '%s'", name);
}

static unsigned h_decide_access(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct decide_body b;
	struct decide_query q;
	struct decision dec;
	int ret;

	if ((ret = local_decide_parse(c->r->body ? c->r->body : "", c->r->len, &b, &d)) ||
	    (ret = need(b.agreement, "agreement", &d)) || (ret = need(b.classification, "classification", &d)) ||
	    (ret = need(b.purpose, "purpose", &d)) || (ret = need(b.topic, "topic", &d)))
		return local_fail(ret, &d, reply);
	if (b.to[0])
		return local_fail(gs_diag_set(&d, GS_EINVAL, "member 'to' is for release"), &d, reply);
	if (!b.person[0])
		memcpy(b.person, c->who->id, sizeof(b.person));
	if (strcmp(b.person, c->who->id) && !(c->who->roles & ROLES_FOR_OTHERS)) {
		*reply = local_error("'%s' may ask only about themself", c->who->id);
		return MHD_HTTP_FORBIDDEN;
	}
	if ((ret = decide_query_of(c, &b, &q, &d)) || (ret = node_decide_access(c->n, &q, &dec, &d)))
		return local_fail(ret, &d, reply);
	return decision_reply(&dec, q.at, reply);
}

static unsigned h_decide_release(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct decide_body b;
	struct decide_query q;
	struct decision dec;
	int ret;

	if ((ret = local_decide_parse(c->r->body ? c->r->body : "", c->r->len, &b, &d)) ||
	    (ret = need(b.agreement, "agreement", &d)) || (ret = need(b.to, "to", &d)) ||
	    (ret = need(b.classification, "classification", &d)) || (ret = need(b.purpose, "purpose", &d)) ||
	    (ret = need(b.topic, "topic", &d)))
		return local_fail(ret, &d, reply);
	if (b.person[0] || b.facility[0])
		return local_fail(gs_diag_set(&d, GS_EINVAL, "members 'person' and 'facility' are for access"), &d,
			    reply);
	if ((ret = decide_query_of(c, &b, &q, &d)) || (ret = node_decide_release(c->n, &q, &dec, &d)))
		return local_fail(ret, &d, reply);
	return decision_reply(&dec, q.at, reply);
}

/* ---- inventory, ledger, outbox ---- */

static unsigned h_items(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct items_filter f;
	struct items_page pg;
	json_t *items = NULL;
	gs_instant now = 0;
	int all = (c->who->roles & (ROLE_REGISTRY | ROLE_AUDITOR)) != 0, ret;
	unsigned status;

	if ((status = local_items_filter_parse(c, &f, reply)) || (status = local_items_page_parse(c, &pg, reply)))
		return status;
	/* a page of the inventory: local_items_page reads what it needs of
	 * each item from the store, and whole records for the page only */
	if (all && pg.paged)
		ret = 0;
	else if (all)
		ret = node_items(c->n, &items, &d);
	else if (!(ret = node_now(c->n, &now, &d)))
		ret = node_items_open_to(c->n, c->who->id, now, &items, &d);
	if (ret)
		return local_fail(ret, &d, reply);
	if (pg.paged) {
		if ((status = local_items_page(c, &f, &pg, items, reply)) != MHD_HTTP_OK)
			return status;
		json_object_set_new(*reply, "view", json_string(all ? "inventory" : "may-open"));
		if (!all)
			json_object_set_new(*reply, "at", jinstant(now));
		return MHD_HTTP_OK;
	}
	local_items_select(&f, items);
	*reply = json_pack("{s:o,s:s}", "items", items, "view", all ? "inventory" : "may-open");
	if (!all)
		json_object_set_new(*reply, "at", jinstant(now));
	return MHD_HTTP_OK;
}

static int log_one(void *ctx, const struct ledger_log_report *r)
{
	char b64[B64_ENCODED_SIZE(32)];

	b64_encode(r->root, 32, b64, sizeof(b64));
	json_array_append_new(ctx, json_pack("{s:s,s:o,s:I,s:s}", "origin", r->origin, "peer",
					     r->peer[0] ? json_string(r->peer) : json_null(), "size",
					     (json_int_t)r->size, "root", b64));
	return 0;
}

static unsigned h_ledger(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	json_t *logs = json_array();
	int ret;

	if (!logs)
		return local_fail(GS_ENOMEM, &d, reply);
	if ((ret = ledger_logs(c->n, log_one, logs, &d))) {
		json_decref(logs);
		return local_fail(ret, &d, reply);
	}
	*reply = json_pack("{s:o}", "logs", logs);
	return MHD_HTTP_OK;
}

static unsigned h_outbox(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	json_t *list = NULL;
	int ret;

	if ((ret = node_outbox_list(c->n, &list, &d)))
		return local_fail(ret, &d, reply);
	*reply = json_pack("{s:o}", "outbox", list);
	return MHD_HTTP_OK;
}

/* ---- routes: who may call what, in one place ---- */

static const struct local_route routes[] = {
	{ "POST", "/v1/session", AUTH_NONE, 0, h_signin, LOCAL_WRITES },
	{ "POST", "/v1/session/cookie", AUTH_NONE, 0, h_signin_cookie, LOCAL_WRITES },
	{ "GET", "/v1/session", AUTH_SESSION, 0, h_whoami, 0 },
	{ "DELETE", "/v1/session", AUTH_SESSION, 0, h_signout, LOCAL_WRITES },
	{ "GET", "/v1/local/agreements", AUTH_ROLES, ROLES_ANY, h_agreements, 0 },
	{ "GET", "/v1/local/agreements/{}/status", AUTH_ROLES, ROLES_ANY, h_agreement_status, 0 },
	/* a reader or translator asks only about themself (h_decide_access) */
	{ "POST", "/v1/local/decide/access", AUTH_ROLES, ROLES_ANY, h_decide_access, 0 },
	{ "POST", "/v1/local/decide/release", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY, h_decide_release, 0 },
	/* registry, auditor: the inventory; reader: what they may open now */
	{ "GET", "/v1/local/items", AUTH_ROLES, ROLE_REGISTRY | ROLE_AUDITOR | ROLE_READER, h_items, 0 },
	{ "GET", "/v1/local/ledger", AUTH_ROLES, ROLE_AUDITOR | ROLE_NSA_OFFICER, h_ledger, 0 },
	{ "GET", "/v1/local/outbox", AUTH_ROLES, ROLE_REGISTRY | ROLE_NSA_OFFICER, h_outbox, 0 },

	/* ---- views (local_views.c) ---- */
	{ "GET", "/v1/local/parties", AUTH_ROLES, ROLES_ANY, h_view_parties, 0 },
	{ "GET", "/v1/local/agreements/{}", AUTH_ROLES, ROLES_ANY, h_view_agreement, 0 },
	{ "GET", "/v1/local/agreements/{}/whatif", AUTH_ROLES, ROLES_ANY, h_view_whatif, 0 },
	/* registry, auditor: any item; a reader: one they may open now (h_view_item) */
	{ "GET", "/v1/local/items/{}", AUTH_ROLES, ROLE_REGISTRY | ROLE_AUDITOR | ROLE_READER, h_view_item, 0 },
	/* signs with the node's label key, so it runs on the keyed handle */
	{ "GET", "/v1/local/items/{}/binding", AUTH_ROLES, ROLE_REGISTRY | ROLE_AUDITOR | ROLE_NSA_OFFICER,
	  h_view_binding, LOCAL_WRITES },
	{ "GET", "/v1/local/queues", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY | ROLE_AUDITOR, h_view_queues, 0 },
	{ "GET", "/v1/local/ledger/checkpoints", AUTH_ROLES, ROLE_AUDITOR | ROLE_NSA_OFFICER, h_view_checkpoints, 0 },
	{ "GET", "/v1/local/ledger/{}/entries", AUTH_ROLES, ROLE_AUDITOR | ROLE_NSA_OFFICER, h_view_entries, 0 },
	{ "GET", "/v1/local/attention", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY | ROLE_AUDITOR, h_view_attention, 0 },
	{ "GET", "/v1/local/visits", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY | ROLE_AUDITOR, h_view_visits, 0 },
	/* may sign a checkpoint that covers the entry, as 'gsomia ledger prove' */
	{ "GET", "/v1/local/ledger/{}/proof", AUTH_ROLES, ROLE_AUDITOR | ROLE_NSA_OFFICER, h_view_proof, LOCAL_WRITES },
	/* the ledger's entries by kind, person, item, party and time (node/audit.h) */
	{ "GET", "/v1/local/audit", AUTH_ROLES, ROLE_AUDITOR | ROLE_NSA_OFFICER, h_view_audit, 0 },

	/* ---- actions (local_actions.c) ---- */
	{ "POST", "/v1/local/release", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY, local_h_release,
	  LOCAL_WRITES | LOCAL_UPLOAD | LOCAL_OWN_LOCK },
	{ "POST", "/v1/local/receive", AUTH_ROLES, ROLE_REGISTRY | ROLE_NSA_OFFICER, local_h_receive,
	  LOCAL_WRITES | LOCAL_UPLOAD },
	/* as the signed-in person: the decision says who may open what */
	{ "POST", "/v1/local/items/{}/open", AUTH_ROLES, ROLES_ANY, local_h_open, LOCAL_WRITES },
	{ "POST", "/v1/local/consents", AUTH_ROLES, ROLE_NSA_OFFICER, local_h_consent_request, LOCAL_WRITES },
	{ "POST", "/v1/local/consents/{}/grant", AUTH_ROLES, ROLE_NSA_OFFICER, local_h_consent_grant, LOCAL_WRITES },
	{ "POST", "/v1/local/consents/{}/refuse", AUTH_ROLES, ROLE_NSA_OFFICER, local_h_consent_refuse, LOCAL_WRITES },
	{ "POST", "/v1/local/incidents", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY, local_h_incident_report,
	  LOCAL_WRITES },
	{ "POST", "/v1/local/incidents/{}/step", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY, local_h_incident_step,
	  LOCAL_WRITES },
	{ "POST", "/v1/local/agreements/{}/notes", AUTH_ROLES, ROLE_NSA_OFFICER, local_h_note, LOCAL_WRITES },

	/* ---- missile warnings (local_warnings.c): what a person is shown is
	 * logged as an access, so the reads run on the keyed handle ---- */
	{ "POST", "/v1/local/warnings", AUTH_ROLES, ROLE_NSA_OFFICER | ROLE_REGISTRY, local_h_warning_publish,
	  LOCAL_WRITES | LOCAL_OWN_LOCK },
	{ "GET", "/v1/local/warnings", AUTH_ROLES, ROLES_ANY, local_h_warnings, LOCAL_KEYED | LOCAL_OWN_LOCK },
	{ "GET", "/v1/local/warnings/stream", AUTH_ROLES, ROLES_ANY, local_h_warning_stream, LOCAL_KEYED },
	{ "GET", "/v1/local/warnings/rules", AUTH_ROLES, ROLES_ANY, local_h_warning_rules, 0 },

	/* ---- operations (local_ops.c): metrics for monitoring, the annual report ---- */
	{ "GET", "/v1/metrics", AUTH_ROLES, ROLE_MONITOR | ROLE_AUDITOR | ROLE_NSA_OFFICER, local_h_metrics, 0 },
	/* may sign a checkpoint of each log read, as 'gsomia report' */
	{ "GET", "/v1/local/agreements/{}/report", AUTH_ROLES, ROLE_AUDITOR | ROLE_NSA_OFFICER, local_h_report,
	  LOCAL_WRITES },

};

#define NROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

/* Segment by segment; "{}" takes any one non-empty segment. */
static int path_matches(const char *pattern, const char *url)
{
	while (*pattern && *url) {
		if (!strncmp(pattern, "{}", 2)) {
			size_t seg = strcspn(url, "/");

			if (seg == 0)
				return 0;
			url += seg;
			pattern += 2;
			continue;
		}
		if (*pattern != *url)
			return 0;
		pattern++;
		url++;
	}
	return !*pattern && !*url;
}

int local_api_owns(const char *url)
{
	return !strcmp(url, "/v1/session") || !strcmp(url, "/v1/session/cookie") ||
	       !strncmp(url, "/v1/local/", 10) || !strcmp(url, "/v1/metrics");
}

int local_api_route_label(int route, const char **method, const char **path)
{
	if (route < 0 || route >= NROUTES)
		return -1;
	*method = routes[route].method;
	*path = routes[route].path;
	return 0;
}

void local_cookie_name(const struct node *n, char out[LOCAL_COOKIE_MAX])
{
	snprintf(out, LOCAL_COOKIE_MAX, "__Host-gsomia-%s%s", node_self(n)->code, node_self(n)->exercise ? "-exercise" : "");
}

int local_api_route_flags(int route)
{
	return route >= 0 && route < NROUTES ? routes[route].flags : 0;
}

const char *local_arg(const struct call *c, const char *name)
{
	return c->r->arg ? c->r->arg(c->r->arg_ctx, name) : NULL;
}

struct args_check {
	const char *const *known;
	const char *unknown;
};

static int arg_known(void *ctx, const char *name)
{
	struct args_check *a = ctx;
	const char *const *k;

	for (k = a->known; *k; k++)
		if (!strcmp(*k, name))
			return 0;
	a->unknown = name;
	return 1;
}

unsigned local_args_known(const struct call *c, const char *const *known, json_t **reply)
{
	struct args_check a = { known, NULL };

	if (!c->r->args_each || !c->r->args_each(c->r->arg_ctx, arg_known, &a))
		return 0;
	*reply = local_error("unknown query argument '%.64s'", a.unknown);
	return MHD_HTTP_BAD_REQUEST;
}

int local_api_route(const char *method, const char *url, const char **allow)
{
	int i;

	*allow = NULL;
	for (i = 0; i < NROUTES; i++) {
		if (!path_matches(routes[i].path, url))
			continue;
		if (!strcmp(method, routes[i].method))
			return i;
		if (!*allow)
			*allow = routes[i].method;
	}
	return -1;
}

static void reader_close(void *p)
{
	node_close(p);
}

int local_api_new(int64_t session_ttl, struct local_api **out)
{
	struct local_api *api = calloc(1, sizeof(*api));

	if (!api)
		return GS_ENOMEM;
	api->ttl = session_ttl > 0 ? session_ttl : LOCAL_SESSION_TTL;
	signin_limiter_init(&api->limiter);
	api->have_reader = pthread_key_create(&api->reader, reader_close) == 0;
	*out = api;
	return 0;
}

void local_api_free(struct local_api *api)
{
	if (!api)
		return;
	/* the worker threads have ended, and closed their handles */
	if (api->have_reader)
		pthread_key_delete(api->reader);
	signin_limiter_destroy(&api->limiter);
	free(api);
}

/* This thread's read-only handle on n's home, opened on first use; NULL
 * if it cannot be (then the call reads through n, under the lock). */
static struct node *reader_of(struct local_api *api, const struct node *n)
{
	struct node *r;

	if (!api->have_reader)
		return NULL;
	if ((r = pthread_getspecific(api->reader)))
		return r;
	if (node_open_reader(node_home(n), &r, NULL))
		return NULL;
	if (pthread_setspecific(api->reader, r)) {
		node_close(r);
		return NULL;
	}
	return r;
}

/* A browser's Origin header, when it sends one, must be this server's
 * own: another site's page can make the browser call us, never with our
 * origin. */
static int origin_ok(const struct local_request *r)
{
	char own[320];

	if (!r->origin)
		return 1;
	if (!r->host)
		return 0;
	snprintf(own, sizeof(own), "https://%s", r->host);
	return !strcmp(r->origin, own);
}

/* Who calls, and may they: the session (a bearer token, else the
 * browser's cookie), its person, the route's roles, and for a cookie the
 * CSRF token on every call but a GET. 0, or the HTTP status with the
 * reply. Runs under the lock. */
static unsigned authorize(struct call *c, const struct local_route *route, json_t **reply)
{
	const struct local_request *r = c->r;
	struct gs_diag d = { { 0 } };
	int ret;

	if (!origin_ok(r)) {
		*reply = local_error("the call comes from another origin (%.200s)", r->origin);
		return MHD_HTTP_FORBIDDEN;
	}
	if (route->auth == AUTH_NONE)
		return 0;
	if (r->authorization) {
		if (session_bearer_parse(r->authorization, c->token)) {
			*reply = local_error("the Authorization header is not 'Bearer <token>'");
			return MHD_HTTP_UNAUTHORIZED;
		}
	} else if (r->cookie && !session_token_parse(r->cookie, c->token)) {
		c->by_cookie = 1;
	} else {
		*reply = local_error("sign in first: Authorization: Bearer <token> from POST /v1/session");
		return MHD_HTTP_UNAUTHORIZED;
	}
	ret = node_session_find(c->n, c->token, node_timer(), &c->session, &d);
	if (!ret)
		ret = node_person_get(c->n, c->session.person, c->who, &d);
	if (ret == GS_EDENIED || ret == GS_ENOTFOUND) {
		/* unknown, expired, closed, or its person was removed */
		*reply = local_error("the session is not valid: sign in again");
		return MHD_HTTP_UNAUTHORIZED;
	}
	if (ret)
		return local_fail(ret, &d, reply);
	/* by cookie, every call that is not a GET, and every call that writes */
	if (c->by_cookie && (strcmp(r->method, "GET") || (route->flags & LOCAL_WRITES)) &&
	    session_csrf_check(c->token, r->csrf)) {
		*reply = local_error("missing or wrong " LOCAL_CSRF_HEADER " header for a call by cookie");
		return MHD_HTTP_FORBIDDEN;
	}
	if (route->auth == AUTH_ROLES && !(c->who->roles & route->roles)) {
		*reply = local_error("'%s' has no role that may call %s %s", c->who->id, route->method,
				     route->path);
		return MHD_HTTP_FORBIDDEN;
	}
	return 0;
}

static unsigned call_begin(struct local_api *api, struct node *n, pthread_mutex_t *lock,
			   const struct local_request *r, struct local_out *out, struct call *c,
			   json_t **reply)
{
	memset(c, 0, sizeof(*c));
	c->api = api;
	c->n = n;
	c->lock = lock;
	c->r = r;
	c->out = out;
	*reply = NULL;
	if (r->route < 0 || r->route >= NROUTES) {
		*reply = local_error("no such endpoint");
		return MHD_HTTP_NOT_FOUND;
	}
	if (routes[r->route].auth != AUTH_NONE && !(c->who = calloc(1, sizeof(*c->who)))) {
		*reply = local_error("out of memory");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return 0;
}

static void call_end(struct call *c)
{
	sodium_memzero(c->token, sizeof(c->token));
	free(c->who);
	c->who = NULL;
}

unsigned local_api_precheck(struct local_api *api, struct node *n, pthread_mutex_t *lock,
			    const struct local_request *r, json_t **reply)
{
	struct local_out out;
	struct call c;
	unsigned status;

	memset(&out, 0, sizeof(out));
	if ((status = call_begin(api, n, lock, r, &out, &c, reply)))
		return status;
	pthread_mutex_lock(lock);
	status = authorize(&c, &routes[r->route], reply);
	pthread_mutex_unlock(lock);
	call_end(&c);
	return status;
}

unsigned local_api_handle(struct local_api *api, struct node *n, pthread_mutex_t *lock,
			  const struct local_request *r, struct local_out *out, json_t **reply)
{
	const struct local_route *route;
	pthread_mutex_t *held = lock;
	struct call c;
	unsigned status;
	int reading = 0;

	memset(out, 0, sizeof(*out));
	if ((status = call_begin(api, n, lock, r, out, &c, reply)))
		return status;
	route = &routes[r->route];
	if (route->auth == AUTH_NONE) {
		status = origin_ok(r) ? route->fn(&c, reply) : authorize(&c, route, reply);
		call_end(&c);
		return status;
	}
	/* a call that only reads runs on this thread's own handle, in
	 * parallel with the others; one that writes takes the node's lock */
	if (!(route->flags & (LOCAL_WRITES | LOCAL_KEYED)) && (c.n = reader_of(api, n)))
		held = NULL;
	else
		c.n = n;
	if (held)
		pthread_mutex_lock(held);
	if (!(route->flags & (LOCAL_WRITES | LOCAL_KEYED))) {
		if (node_read_begin(c.n)) {
			if (held)
				pthread_mutex_unlock(held);
			call_end(&c);
			*reply = local_error("the database is busy");
			return MHD_HTTP_SERVICE_UNAVAILABLE;
		}
		reading = 1;
	}
	status = authorize(&c, route, reply);
	if (!status && (route->flags & LOCAL_OWN_LOCK)) {
		/* it locks the node for its short phases itself and names the
		 * signed-in person in what it records (c.who) */
		if (held)
			pthread_mutex_unlock(held);
		held = NULL;
		status = route->fn(&c, reply);
	} else if (!status) {
		/* what the call writes to the ledger, the signed-in person did */
		if (!reading)
			node_set_actor(c.n, c.who->id);
		status = route->fn(&c, reply);
		node_set_actor(c.n, NULL);
	}
	if (reading)
		node_read_end(c.n);
	if (held)
		pthread_mutex_unlock(held);
	call_end(&c);
	return status;
}
