/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keyhistory.h"
#include "crypto/note.h"
#include "node/agreements.h"
#include "node/decisions.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/record.h"
#include "node/registers.h"
#include "node/visits.h"
#include "store/visit_store.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/banned.h"

static void note_id(const void *buf, size_t len, char out[VISIT_ID_HEX])
{
	uint8_t h[32];

	crypto_hash_sha256(h, buf, len);
	hex_encode(h, sizeof(h), out, VISIT_ID_HEX);
}

/* ---- the record ------------------------------------------------------- */

static json_t *visit_json(const struct visit *v, const char *id, bool made_here)
{
	json_t *o = json_object(), *ps = json_array();

	for (int i = 0; i < v->npersons; i++)
		json_array_append_new(ps, json_pack("{s:s,s:s}", "id", v->persons[i].id, "psc", v->persons[i].psc));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "state", json_string(visit_state_name(v->state)));
	json_object_set_new(o, "agreement", json_string(v->agreement));
	json_object_set_new(o, "visitor", json_string(v->visitor));
	json_object_set_new(o, "host", json_string(v->host));
	json_object_set_new(o, "facility", json_string(v->facility));
	json_object_set_new(o, "from", jinstant(v->from));
	json_object_set_new(o, "until", jinstant(v->until));
	json_object_set_new(o, "purpose", json_string(v->purpose));
	json_object_set_new(o, "topic", json_string(v->topic));
	json_object_set_new(o, "max_level", json_string(v->max_level));
	json_object_set_new(o, "requested_max_level", json_string(v->max_level));
	json_object_set_new(o, "persons", ps);
	json_object_set_new(o, "requested_at", jinstant(v->requested));
	json_object_set_new(o, "answered_at", json_null());
	json_object_set_new(o, "text", json_string(v->text));
	json_object_set_new(o, "answer_text", json_string(""));
	json_object_set_new(o, "made_here", json_boolean(made_here));
	return o;
}

/* The answer a into the record of its request. */
static void record_answer(json_t *o, const struct visit *a)
{
	json_object_set_new(o, "state", json_string(visit_state_name(a->state)));
	json_object_set_new(o, "max_level", json_string(a->max_level));
	json_object_set_new(o, "answered_at", jinstant(a->answered));
	json_object_set_new(o, "answer_text", json_string(a->text));
}

/* A record back as a visit, for decisions. */
static int visit_of(json_t *o, struct visit *v)
{
	json_t *ps = json_object_get(o, "persons"), *p;
	const char *st = jstr(o, "state");
	size_t i;

	memset(v, 0, sizeof(*v));
	copy_str(v->id, sizeof(v->id), jstr(o, "id"));
	v->state = !strcmp(st, "approved") ? VISIT_APPROVED : !strcmp(st, "refused") ? VISIT_REFUSED : VISIT_REQUESTED;
	copy_str(v->agreement, sizeof(v->agreement), jstr(o, "agreement"));
	copy_str(v->visitor, sizeof(v->visitor), jstr(o, "visitor"));
	copy_str(v->host, sizeof(v->host), jstr(o, "host"));
	copy_str(v->facility, sizeof(v->facility), jstr(o, "facility"));
	copy_str(v->purpose, sizeof(v->purpose), jstr(o, "purpose"));
	copy_str(v->topic, sizeof(v->topic), jstr(o, "topic"));
	copy_str(v->max_level, sizeof(v->max_level), jstr(o, "max_level"));
	if (instant_parse(jstr(o, "from"), 0, &v->from) || instant_parse(jstr(o, "until"), 0, &v->until))
		return GS_EIO;
	v->requested = v->answered = GS_INSTANT_NONE;
	instant_parse(jstr(o, "requested_at"), 0, &v->requested);
	instant_parse(jstr(o, "answered_at"), 0, &v->answered);
	json_array_foreach(ps, i, p) {
		if (v->npersons >= GS_MAX_VISIT_PERSONS)
			break;
		copy_str(v->persons[v->npersons].id, GS_MAX_ID, jstr(p, "id"));
		copy_str(v->persons[v->npersons].psc, GS_MAX_LABEL, jstr(p, "psc"));
		v->npersons++;
	}
	return 0;
}

/* A visit id, or its first 16 digits, resolved to the full id. */
struct find_ctx {
	const char *want;
	char id[VISIT_ID_HEX];
	int found;
};

static int find_one(void *ctx, const char *id, const char *json)
{
	struct find_ctx *c = ctx;

	(void)json;
	if (!strncmp(id, c->want, strlen(c->want))) {
		copy_str(c->id, sizeof(c->id), id);
		c->found++;
	}
	return 0;
}

static int resolve(struct node *n, const char *want, char id[VISIT_ID_HEX], struct gs_diag *d)
{
	struct find_ctx c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.want = want;
	if (strlen(want) < 16)
		return gs_diag_set(d, GS_EUSAGE, "a visit is named by its id or its first 16 digits, not '%s'", want);
	if ((ret = store_visit_each(n->st, find_one, &c)))
		return gs_diag_set(d, ret, "cannot read the visits");
	if (c.found != 1)
		return gs_diag_set(d, GS_ENOTFOUND, "%s visit %.16s held here", c.found ? "more than one" : "no", want);
	memcpy(id, c.id, VISIT_ID_HEX);
	return 0;
}

static int save(struct node *n, const char *id, json_t *rec, const char *request, size_t rlen, const char *answer,
		size_t alen, const char *peer, const char *event, gs_instant now, struct gs_diag *d)
{
	char *js = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER), persons[512] = "";
	json_t *p;
	size_t i;
	int ret;

	if (!js)
		return GS_ENOMEM;
	json_array_foreach(json_object_get(rec, "persons"), i, p) {
		size_t l = strlen(persons);

		snprintf(persons + l, sizeof(persons) - l, "%s%s", l ? "," : "", jstr(p, "id"));
	}
	if ((ret = store_begin(n->st))) {
		free(js);
		return gs_diag_set(d, ret, "cannot begin a transaction");
	}
	ret = store_visit_put(n->st, id, jstr(rec, "visitor"), jstr(rec, "host"), jstr(rec, "state"), js,
			      (const uint8_t *)request, rlen, (const uint8_t *)answer, alen, now);
	if (ret)
		gs_diag_set(d, ret, "cannot record visit %.16s", id);
	if (!ret)
		ret = ledger_event(n, peer, LEDGER_VISIT, now, NULL, d, "event", event, "visit", id, "state",
				   jstr(rec, "state"), "agreement", jstr(rec, "agreement"), "visitor", jstr(rec, "visitor"),
				   "host", jstr(rec, "host"), "facility", jstr(rec, "facility"), "from", jstr(rec, "from"),
				   "until", jstr(rec, "until"), "max-level", jstr(rec, "max_level"), "persons", persons,
				   (const char *)NULL);
	if (!ret)
		ret = store_commit(n->st);
	if (ret) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record visit %.16s", id);
	}
	free(js);
	return ret;
}

/* ---- the visiting party asks -------------------------------------------- */

int node_visit_request(struct node *n, const struct visit_request_args *a, char **note, size_t *len,
		       char id[VISIT_ID_HEX], struct decision *dec, struct gs_diag *d)
{
	struct agreement_view view;
	struct lifecycle_status *st = NULL;
	const struct agreement *ag;
	struct party *host = NULL;
	struct visit *v = NULL, *back = NULL;
	json_t *rec = NULL;
	char *text = NULL;
	gs_instant now;
	int ret, have_view = 0;

	*note = NULL;
	memset(dec, 0, sizeof(*dec));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (!a->agreement || !a->host || !a->facility || !a->from || !a->until || !a->purpose || !a->topic ||
	    !a->max_level || !a->npersons)
		return gs_diag_set(d, GS_EUSAGE, "a visit request needs --agreement, --host, --facility, --from, --until, "
				   "--purpose, --topic, --max-level and at least one --person ID:PSC");
	if (a->npersons > GS_MAX_VISIT_PERSONS)
		return gs_diag_set(d, GS_EUSAGE, "at most %d persons per visit", GS_MAX_VISIT_PERSONS);
	if ((ret = node_now(n, &now, d)))
		return ret;
	st = calloc(1, sizeof(*st));
	host = calloc(1, sizeof(*host));
	v = calloc(1, sizeof(*v));
	back = calloc(1, sizeof(*back));
	if (!st || !host || !v || !back) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = item_agreement_at(n, a->agreement, now, &view, st, &ag, d)))
		goto out;
	have_view = 1;
	if ((ret = node_party_get(n, a->host, host, d)))
		goto out;
	copy_str(v->agreement, sizeof(v->agreement), ag->id);
	copy_str(v->visitor, sizeof(v->visitor), n->self.code);
	copy_str(v->host, sizeof(v->host), host->code);
	copy_str(v->facility, sizeof(v->facility), a->facility);
	if (instant_parse(a->from, ag->zone, &v->from) || instant_parse(a->until, ag->zone, &v->until)) {
		ret = gs_diag_set(d, GS_EUSAGE, "--from and --until are instants (2023-06-10T09:00:00+09:00) or dates "
				  "(00:00 in the agreement's zone)");
		goto out;
	}
	copy_str(v->purpose, sizeof(v->purpose), a->purpose);
	copy_str(v->topic, sizeof(v->topic), a->topic);
	copy_str(v->max_level, sizeof(v->max_level), a->max_level);
	for (size_t i = 0; i < a->npersons; i++) {
		const char *colon = strchr(a->persons[i], ':');
		size_t idn = colon ? (size_t)(colon - a->persons[i]) : 0;

		if (!colon || !idn || idn >= GS_MAX_ID || !colon[1]) {
			ret = gs_diag_set(d, GS_EUSAGE, "--person '%s': expected ID:PSC-LEVEL (kim:군사II급비밀)", a->persons[i]);
			goto out;
		}
		memcpy(v->persons[v->npersons].id, a->persons[i], idn);
		v->persons[v->npersons].id[idn] = 0;
		copy_str(v->persons[v->npersons].psc, GS_MAX_LABEL, colon + 1);
		v->npersons++;
	}
	v->requested = now;
	v->answered = GS_INSTANT_NONE;
	v->exercise = n->self.exercise;
	copy_str(v->text, sizeof(v->text), a->text);
	/* Art 8: in force, the parties, dates, lead time, level, persons */
	if ((ret = node_ruled(decide_visit_request(ag, st, host, &n->self, v, NULL, n->self.code, now, dec),
			      "visit request", d)))
		goto out;
	if (!dec->permit) {
		ret = GS_EDENIED;
		goto out;
	}
	if ((ret = visit_request_format(v, &text, d)))
		goto out;
	/* what is signed must read back the same */
	if ((ret = visit_request_parse(text, strlen(text), back, d))) {
		gs_diag_prefix(d, "visit request");
		goto out;
	}
	if ((ret = node_sign(n, text, strlen(text), note, len, d)))
		goto out;
	note_id(*note, *len, id);
	rec = visit_json(v, id, true);
	ret = save(n, id, rec, *note, *len, NULL, 0, host->code, "request", now, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
	}
	if (have_view)
		agreement_view_release(&view);
	json_decref(rec);
	free(text);
	free(st);
	free(host);
	free(v);
	free(back);
	return ret;
}

/* ---- the host answers ----------------------------------------------------- */

int node_visit_answer(struct node *n, const char *want, bool refuse, const char *max_level, const char *text,
		      char **note, size_t *len, struct decision *dec, struct gs_diag *d)
{
	struct agreement_view view;
	struct lifecycle_status *st = NULL;
	const struct agreement *ag;
	struct party *visitor = NULL;
	struct facility *f = NULL;
	struct visit *v = NULL;
	struct signed_note *sn = NULL;
	json_t *rec = NULL;
	uint8_t *request = NULL;
	size_t rlen = 0;
	char id[VISIT_ID_HEX], *js = NULL, *atext = NULL;
	gs_instant now;
	int ret, have_view = 0;

	*note = NULL;
	memset(dec, 0, sizeof(*dec));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)) || (ret = resolve(n, want, id, d)))
		return ret;
	st = calloc(1, sizeof(*st));
	visitor = calloc(1, sizeof(*visitor));
	f = calloc(1, sizeof(*f));
	v = calloc(1, sizeof(*v));
	sn = calloc(1, sizeof(*sn));
	if (!st || !visitor || !f || !v || !sn) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = store_visit_get(n->st, id, &js, &request, &rlen, NULL, NULL))) {
		gs_diag_set(d, ret, "cannot read visit %.16s", id);
		goto out;
	}
	rec = json_loads(js, 0, NULL);
	if (!rec || note_parse((const char *)request, rlen, sn, NULL) ||
	    visit_request_parse(sn->text, sn->text_len, v, NULL)) {
		ret = gs_diag_set(d, GS_EIO, "damaged record of visit %.16s", id);
		goto out;
	}
	if (strcmp(v->host, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "visit %.16s is to %s; only the host %s answers it (Art 8)", id, v->host,
				  v->host);
		goto out;
	}
	if (strcmp(jstr(rec, "state"), "requested")) {
		ret = gs_diag_set(d, GS_ESTATE, "visit %.16s is already %s", id, jstr(rec, "state"));
		goto out;
	}
	if ((ret = item_agreement_at(n, v->agreement, now, &view, st, &ag, d)))
		goto out;
	have_view = 1;
	if ((ret = node_party_get(n, v->visitor, visitor, d)))
		goto out;
	copy_str(v->id, sizeof(v->id), id);
	if (!refuse) {
		if (max_level) {
			if (scheme_rank(&n->self.scheme, max_level) == 0 ||
			    scheme_rank(&n->self.scheme, max_level) > scheme_rank(&n->self.scheme, v->max_level)) {
				ret = gs_diag_set(d, GS_EUSAGE, "--max-level %s is not a level of %s's scheme at or below "
						  "the requested %s", max_level, n->self.code, v->max_level);
				goto out;
			}
			copy_str(v->max_level, sizeof(v->max_level), max_level);
		}
		if ((ret = node_facility_get(n, v->facility, f, d)))
			goto out;
		/* Art 8: in force, the host, its facility, dates, lead time, level, persons */
		if ((ret = node_ruled(decide_visit_request(ag, st, &n->self, visitor, v, f, n->self.code, now, dec),
				      "visit request", d)))
			goto out;
		if (!dec->permit) {
			ret = GS_EDENIED;
			goto out;
		}
	}
	v->state = refuse ? VISIT_REFUSED : VISIT_APPROVED;
	copy_str(v->request, sizeof(v->request), id);
	v->answered = now;
	v->exercise = n->self.exercise;
	copy_str(v->text, sizeof(v->text), text);
	if ((ret = visit_answer_format(v, &atext, d)))
		goto out;
	{
		struct visit back;

		if ((ret = visit_answer_parse(atext, strlen(atext), &back, d))) {
			gs_diag_prefix(d, "visit answer");
			goto out;
		}
	}
	if ((ret = node_sign(n, atext, strlen(atext), note, len, d)))
		goto out;
	record_answer(rec, v);
	ret = save(n, id, rec, (const char *)request, rlen, *note, *len, v->visitor, refuse ? "refusal" : "approval",
		   now, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
	}
	if (have_view)
		agreement_view_release(&view);
	json_decref(rec);
	free(js);
	free(request);
	free(atext);
	free(st);
	free(visitor);
	free(f);
	free(v);
	free(sn);
	return ret;
}

/* ---- the other end imports -------------------------------------------------- */

static int verify(struct node *n, const struct signed_note *sn, const char *code, const char *who, gs_instant at,
		  const char *path, struct gs_diag *d)
{
	struct party *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, code, p, d))) {
		gs_diag_prefix(d, "%s: cannot verify the %s's signature", path, who);
		free(p);
		return ret;
	}
	ret = party_note_verify_at(p, sn, at, d);
	free(p);
	if (ret == GS_EDENIED) {
		gs_diag_prefix(d, "%s", path);
		return ret;
	}
	if (ret)
		return gs_diag_set(d, GS_ECRYPTO, "%s: %s", path, ret == GS_ENOTFOUND ? "not signed by the party it names"
					: "the signature does not verify (forged or damaged)");
	return 0;
}

static int import_request(struct node *n, const uint8_t *buf, size_t len, const struct signed_note *sn,
			  const char *path, json_t **rec, bool *already, struct gs_diag *d)
{
	struct visit *v = calloc(1, sizeof(*v));
	char id[VISIT_ID_HEX], *js = NULL;
	gs_instant now;
	int ret;

	if (!v)
		return GS_ENOMEM;
	if ((ret = visit_request_parse(sn->text, sn->text_len, v, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if ((ret = verify(n, sn, v->visitor, "visitor", v->requested, path, d)))
		goto out;
	if (strcmp(v->host, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the visit request is for the host %s, not for %s", path, v->host,
				  n->self.code);
		goto out;
	}
	if (v->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s visit request refused by %s node", path,
				  v->exercise ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	note_id(buf, len, id);
	if (!store_visit_get(n->st, id, &js, NULL, NULL, NULL, NULL)) {
		*rec = json_loads(js, 0, NULL);
		*already = true;
		ret = *rec ? 0 : GS_EIO;
		goto out;
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	*rec = visit_json(v, id, false);
	ret = save(n, id, *rec, (const char *)buf, len, NULL, 0, v->visitor, "request", now, d);
out:
	if (ret) {
		json_decref(*rec);
		*rec = NULL;
	}
	free(js);
	free(v);
	return ret;
}

static int import_answer(struct node *n, const uint8_t *buf, size_t len, const struct signed_note *sn,
			 const char *path, json_t **rec, bool *already, struct gs_diag *d)
{
	struct visit *v = calloc(1, sizeof(*v)), *rq = calloc(1, sizeof(*rq));
	struct signed_note *rsn = calloc(1, sizeof(*rsn));
	uint8_t *request = NULL, *held = NULL;
	size_t rlen = 0, hlen = 0;
	char *js = NULL;
	gs_instant now;
	int ret;

	if (!v || !rq || !rsn) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = visit_answer_parse(sn->text, sn->text_len, v, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if ((ret = verify(n, sn, v->host, "host", v->answered, path, d)))
		goto out;
	if (strcmp(v->visitor, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the answer is to the visitor %s, not to %s", path, v->visitor,
				  n->self.code);
		goto out;
	}
	if (v->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s visit answer refused by %s node", path,
				  v->exercise ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	ret = store_visit_get(n->st, v->request, &js, &request, &rlen, &held, &hlen);
	if (ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, GS_ENOTFOUND, "%s: the answer is to visit %.16s, which this node did not request",
				  path, v->request);
		goto out;
	}
	if (ret)
		goto out;
	if (held) {
		ret = hlen == len && !memcmp(held, buf, len)
			      ? 0 : gs_diag_set(d, GS_EEXIST, "%s: visit %.16s already has another answer", path, v->request);
		*already = !ret;
		*rec = ret ? NULL : json_loads(js, 0, NULL);
		goto out;
	}
	/* it answers exactly what was asked (the host may lower the level) */
	if (note_parse((const char *)request, rlen, rsn, NULL) || visit_request_parse(rsn->text, rsn->text_len, rq, NULL)) {
		ret = gs_diag_set(d, GS_EIO, "damaged record of visit %.16s", v->request);
		goto out;
	}
	{
		struct party *host = calloc(1, sizeof(*host));
		bool same = strcmp(rq->agreement, v->agreement) == 0 && strcmp(rq->host, v->host) == 0 &&
			    strcmp(rq->facility, v->facility) == 0 && rq->from == v->from && rq->until == v->until &&
			    strcmp(rq->purpose, v->purpose) == 0 && strcmp(rq->topic, v->topic) == 0 &&
			    rq->npersons == v->npersons;

		for (int i = 0; same && i < rq->npersons; i++)
			same = !strcmp(rq->persons[i].id, v->persons[i].id) && !strcmp(rq->persons[i].psc, v->persons[i].psc);
		if (same && host && !node_party_get(n, v->host, host, NULL))
			same = scheme_rank(&host->scheme, v->max_level) > 0 &&
			       scheme_rank(&host->scheme, v->max_level) <= scheme_rank(&host->scheme, rq->max_level);
		free(host);
		if (!same) {
			ret = gs_diag_set(d, GS_EDENIED, "%s: the answer does not match visit %.16s as it was requested",
					  path, v->request);
			goto out;
		}
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	*rec = json_loads(js, 0, NULL);
	if (!*rec) {
		ret = GS_EIO;
		goto out;
	}
	record_answer(*rec, v);
	ret = save(n, v->request, *rec, (const char *)request, rlen, (const char *)buf, len, v->host,
		   v->state == VISIT_APPROVED ? "approval" : "refusal", now, d);
	if (ret) {
		json_decref(*rec);
		*rec = NULL;
	}
out:
	free(js);
	free(request);
	free(held);
	free(v);
	free(rq);
	free(rsn);
	return ret;
}

int node_visit_import(struct node *n, const char *path, json_t **rec, bool *already, struct gs_diag *d)
{
	struct signed_note *sn = calloc(1, sizeof(*sn));
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	*rec = NULL;
	*already = false;
	if (!sn)
		return GS_ENOMEM;
	if ((ret = read_file(path, GS_MAX_NOTE_BYTES, &buf, &len, d)))
		goto out;
	if ((ret = note_parse((const char *)buf, len, sn, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if (sn->text_len > strlen(VISIT_REQUEST_MAGIC) &&
	    !memcmp(sn->text, VISIT_REQUEST_MAGIC "\n", strlen(VISIT_REQUEST_MAGIC) + 1))
		ret = import_request(n, buf, len, sn, path, rec, already, d);
	else
		ret = import_answer(n, buf, len, sn, path, rec, already, d);
out:
	free(buf);
	free(sn);
	return ret;
}

/* ---- lists ------------------------------------------------------------------ */

struct list_ctx {
	json_t *arr;
	gs_instant now;
};

static int list_one(void *ctx, const char *id, const char *json)
{
	struct list_ctx *l = ctx;
	json_t *o = json_loads(json, 0, NULL);
	gs_instant from = GS_INSTANT_NONE, until = GS_INSTANT_NONE;

	(void)id;
	if (!o)
		return GS_EIO;
	instant_parse(jstr(o, "from"), 0, &from);
	instant_parse(jstr(o, "until"), 0, &until);
	json_object_set_new(o, "phase", json_string(l->now < from ? "upcoming" : l->now < until ? "under-way" : "over"));
	json_array_append_new(l->arr, o);
	return 0;
}

int node_visits(struct node *n, json_t **out, struct gs_diag *d)
{
	struct list_ctx l;
	int ret;

	if ((ret = node_now(n, &l.now, d)))
		return ret;
	l.arr = json_array();
	if ((ret = store_visit_each(n->st, list_one, &l))) {
		json_decref(l.arr);
		return gs_diag_set(d, ret, "cannot read the visits");
	}
	*out = l.arr;
	return 0;
}

int node_visit_get(struct node *n, const char *want, json_t **rec, struct gs_diag *d)
{
	char id[VISIT_ID_HEX], *js = NULL;
	json_t *all = NULL, *o;
	size_t i;
	int ret;

	*rec = NULL;
	if ((ret = resolve(n, want, id, d)) || (ret = node_visits(n, &all, d)))
		return ret;
	json_array_foreach(all, i, o)
		if (!strcmp(jstr(o, "id"), id))
			*rec = json_incref(o);
	json_decref(all);
	free(js);
	return *rec ? 0 : gs_diag_set(d, GS_ENOTFOUND, "no visit %.16s held here", want);
}

int node_visit_notes(struct node *n, const char *want, char **request, size_t *rlen, char **answer, size_t *alen,
		     struct gs_diag *d)
{
	char id[VISIT_ID_HEX];
	int ret;

	if ((ret = resolve(n, want, id, d)))
		return ret;
	ret = store_visit_get(n->st, id, NULL, (uint8_t **)request, rlen, (uint8_t **)answer, alen);
	return ret ? gs_diag_set(d, ret, "cannot read visit %.16s", id) : 0;
}

/* ---- access ------------------------------------------------------------------- */

struct person_visits {
	const char *person;
	const char *host;
	size_t n;
	struct visit *v;
	int ret;
};

static int person_one(void *ctx, const char *id, const char *json)
{
	struct person_visits *c = ctx;
	json_t *o = json_loads(json, 0, NULL), *p;
	bool named = false;
	size_t i;

	(void)id;
	if (!o)
		return GS_EIO;
	json_array_foreach(json_object_get(o, "persons"), i, p)
		if (!strcmp(jstr(p, "id"), c->person))
			named = true;
	if (named && !strcmp(jstr(o, "host"), c->host)) {
		struct visit *nv = realloc(c->v, (c->n + 1) * sizeof(*c->v));

		if (!nv) {
			json_decref(o);
			return GS_ENOMEM;
		}
		c->v = nv;
		if (!visit_of(o, &c->v[c->n]))
			c->n++;
	}
	json_decref(o);
	return 0;
}

/* The refusal of a holding whose bundle its sender signed with a key
 * reported compromised by then (core/keyhistory.h), or 0. */
static int signature_trusted(struct node *n, const struct holding *h, struct decision *dec)
{
	struct party *s;
	const uint8_t *key;
	struct decision kd;
	int i, ret = 0;

	if (!h->released_by[0] || !strcmp(h->released_by, n->self.code) || h->released_at == GS_INSTANT_NONE)
		return 0;
	if (!(s = calloc(1, sizeof(*s))))
		return GS_ENOMEM;
	if (!node_party_get(n, h->released_by, s, NULL) && s->nkeys > 0 &&
	    decide_key(s, h->released_at, &key, &i, &kd) == GS_EDENIED) {
		*dec = kd;
		ret = GS_EDENIED;
	}
	free(s);
	return ret;
}

int node_access_amend(struct node *n, const struct holding *h, const struct person *p, const struct facility *f,
		      gs_instant at, int ret, struct decision *dec)
{
	struct person_visits pv = { NULL, NULL, 0, NULL, 0 };
	struct agreement_view view;
	struct lifecycle_status *st = NULL;
	const struct agreement *ag;
	struct party *visitor = NULL;
	int r;

	if (ret != 0 && ret != GS_EDENIED)
		return ret;
	if ((r = signature_trusted(n, h, dec)))
		return r;
	/* a representative of another party, named in a visit to this host */
	if (ret != GS_EDENIED || !p->employer[0] || !strcmp(p->employer, n->self.code))
		return ret;
	pv.person = p->id;
	pv.host = n->self.code;
	/* a failure to read the facts is an error, never the refusal it
	 * interrupted; a visit under an agreement or by a party no longer
	 * known here leaves the refusal as it was */
	if ((r = store_visit_each(n->st, person_one, &pv)) || pv.n == 0) {
		free(pv.v);
		return r ? r : ret;
	}
	st = calloc(1, sizeof(*st));
	visitor = calloc(1, sizeof(*visitor));
	if (!st || !visitor) {
		ret = GS_ENOMEM;
	} else if (!(r = item_agreement_at(n, pv.v[0].agreement, at, &view, st, &ag, NULL))) {
		if (!(r = node_party_get(n, p->employer, visitor, NULL)))
			ret = decide_visit_access(ag, &n->self, visitor, h, p, f, pv.v, pv.n, at, dec);
		else if (r != GS_ENOTFOUND)
			ret = r;
		agreement_view_release(&view);
	} else if (r != GS_ENOTFOUND) {
		ret = r;
	}
	free(st);
	free(visitor);
	free(pv.v);
	return ret;
}
