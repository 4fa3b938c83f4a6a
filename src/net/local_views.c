/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read-only views the web console draws (docs/api.md, "Console
 * views"): parties and their schemes, an agreement with its annex and
 * timeline, a what-if at any instant, one item, the queues, the ledger's
 * checkpoints, entries and proofs. Every handler here runs inside one
 * read snapshot (node_read_begin) under the node's lock and changes
 * nothing, except the proof, which may have to sign a checkpoint that
 * covers the entry (as `gsomia ledger prove` does): its route is
 * LOCAL_WRITES.
 */
#include <errno.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/decide.h"
#include "core/lifecycle.h"
#include "net/api.h"
#include "net/local_internal.h"
#include "node/outbox.h"
#include "node/access.h"
#include "node/agreements.h"
#include "node/audit.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/incident.h"
#include "node/items.h"
#include "node/labels.h"
#include "node/ledger.h"
#include "node/witness.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/banned.h"

#define ENTRIES_DEFAULT 100
#define ENTRIES_MAX 1000
#define TIMELINE_MAX_TERMS 200

/* A decimal without sign, leading zero or anything after it. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !s[0] || (s[0] == '0' && s[1]) || strlen(s) > 19)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

static unsigned bad_arg(json_t **reply, const char *name, const char *value, const char *what, const char *where)
{
	*reply = local_error("?%s='%.64s' is not %s (%s)", name, value, what, where);
	return MHD_HTTP_BAD_REQUEST;
}

/* The agreement named by the path's segment 3, or the reply. */
static unsigned agreement_of(struct call *c, char id[GS_MAX_ID], const struct agreement_view **v, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	int ret;

	if (local_path_segment(c->r->url, 3, id, GS_MAX_ID) || !ident_id_is_valid(id)) {
		*reply = local_error("%s: not an agreement id", c->r->url);
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = agreement_view_cached(c->n, id, v, &d)))
		return local_fail(ret, &d, reply);
	return 0;
}

/* ---- parties ---- */

static json_t *scheme_json(const struct scheme *s)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < s->nlevels; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i}", "label", s->levels[i].label,
						   "romanisation", s->levels[i].roman, "gloss",
						   s->levels[i].gloss, "level", s->nlevels - i));
	return a;
}

unsigned h_view_parties(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct party_entry *codes = NULL;
	struct party *p = calloc(1, sizeof(*p));
	json_t *arr = json_array();
	char zone[GS_ZONE_STR];
	size_t i, count = 0;
	int ret;

	if (!p || !arr) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_party_list(c->n, &codes, &count, &d)))
		goto out;
	for (i = 0; i < count; i++) {
		if ((ret = node_party_get(c->n, codes[i].code, p, &d)))
			goto out;
		zone_format(p->zone, zone);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b,s:b,s:o}", "code", p->code, "name",
						     p->name, "zone", zone, "exercise", p->exercise, "self",
						     !strcmp(p->code, node_self(c->n)->code), "scheme",
						     scheme_json(&p->scheme)));
	}
out:
	free(codes);
	free(p);
	if (ret) {
		json_decref(arr);
		return local_fail(ret, &d, reply);
	}
	*reply = json_pack("{s:s,s:o}", "self", node_self(c->n)->code, "parties", arr);
	return MHD_HTTP_OK;
}

/* ---- one agreement ---- */

static json_t *strings_json(const char (*s)[GS_MAX_NAME], int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

/* One label as the annex shows it: the party's romanisation and gloss
 * from its signed scheme when the party is known. */
static json_t *label_json(const struct party *p, const char *label)
{
	int i = p ? scheme_find(&p->scheme, label) : -1;

	return json_pack("{s:s,s:s,s:s}", "label", label, "romanisation", i >= 0 ? p->scheme.levels[i].roman : "",
			 "gloss", i >= 0 ? p->scheme.levels[i].gloss : "");
}

/* The party of code among the n known ones, or NULL. */
static const struct party *known_party(const struct party *known, int n, const char *code)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(known[i].code, code))
			return &known[i];
	return NULL;
}

static json_t *annex_json(const struct party *known, int nknown, const struct agreement *a,
			  const struct annex_version *x)
{
	json_t *o = json_object(), *parties = json_array(), *rows = json_array(), *never = json_array();
	int r, k, l;

	for (k = 0; k < a->nparties; k++)
		json_array_append_new(parties, json_string(a->parties[k]));
	json_object_set_new(o, "parties", parties);
	json_object_set_new(o, "version", x ? json_integer(x->number) : json_null());
	if (x) {
		char date[GS_DATE_STR];

		date_format(x->effective, date);
		json_object_set_new(o, "effective", json_string(date));
	}
	for (r = 0; x && r < x->nrows; r++) {
		json_t *row = json_object(), *cells = json_object();

		json_object_set_new(row, "level", json_string(x->rows[r].level));
		json_object_set_new(row, "rank", json_integer(x->nrows - r));
		for (k = 0; k < a->nparties; k++) {
			const struct annex_cell *cell = &x->rows[r].cells[k];
			const struct party *p = known_party(known, nknown, a->parties[k]);
			json_t *cj, *labels;

			if (!cell->nlabels) {
				json_object_set_new(cells, a->parties[k], json_null());
				continue;
			}
			cj = label_json(p, cell->labels[0]);
			labels = json_array();
			for (l = 0; l < cell->nlabels; l++)
				json_array_append_new(labels, label_json(p, cell->labels[l]));
			json_object_set_new(cj, "labels", labels);
			json_object_set_new(cj, "protect_as", json_boolean(cell->protect_as));
			json_object_set_new(cells, a->parties[k], cj);
		}
		json_object_set_new(row, "cells", cells);
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "rows", rows);
	for (l = 0; x && l < x->nnever; l++) {
		const char *code = x->never[l].party >= 0 && x->never[l].party < a->nparties
					   ? a->parties[x->never[l].party] : "";
		json_t *nj = label_json(known_party(known, nknown, code), x->never[l].label);

		json_object_set_new(nj, "party", json_string(code));
		json_array_append_new(never, nj);
	}
	json_object_set_new(o, "never", never);
	return o;
}

/* The terms from entry into force to the end of the last one that has
 * begun by `to` (or the termination), replayed term by term. */
static json_t *terms_json(const struct agreement_view *v, gs_instant from, gs_instant to,
			  struct lifecycle_status *st, gs_instant *last_end)
{
	json_t *a = json_array();
	gs_instant t = from;
	int k;

	*last_end = from;
	for (k = 0; t != GS_INSTANT_NONE && k < TIMELINE_MAX_TERMS; k++) {
		if (agreement_view_status(v, t, st) || !st->term || st->term_start == GS_INSTANT_NONE)
			break;
		json_array_append_new(a, json_pack("{s:i,s:o,s:o}", "term", st->term, "start",
						   jinstant(st->term_start), "end",
						   jinstant(st->term_end)));
		if (st->terminates_at != GS_INSTANT_NONE &&
		    (st->term_end == GS_INSTANT_NONE || st->terminates_at <= st->term_end)) {
			*last_end = st->terminates_at;
			break;
		}
		*last_end = st->term_end;
		if (st->term_end == GS_INSTANT_NONE || st->term_end > to || st->term_end <= t)
			break;
		t = st->term_end;
	}
	return a;
}

static json_t *events_json(const struct agreement_view *v, const struct lifecycle_status *st)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < st->nevents && i < GS_MAX_EVENTS; i++) {
		const struct lifecycle_event *ev = &st->events[i];
		const struct dipnote *dn = &v->notes[ev->note];

		json_array_append_new(a, json_pack("{s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "at",
						   jinstant(dn->delivered), "note", dn->id, "kind",
						   dipnote_kind_name(dn->kind), "from", dn->from, "to", dn->to,
						   "effect", ev->effect == EFFECT_APPLIED ? "applied" : "ignored",
						   "state_after", state_name(ev->state_after), "what", ev->what));
	}
	return a;
}

/* The annex in effect at t, else (before the first is effective) the
 * first: what the agreement will exchange. */
static const struct annex_version *annex_shown(const struct agreement *a, gs_instant t, int32_t zone)
{
	const struct annex_version *x = agreement_annex_at(a, date_of_instant(t, zone));

	return x ? x : a->nannex ? &a->annex[0] : NULL;
}

/* The next notice deadline still ahead at now: this term's, or once it
 * has passed with the agreement renewing, the next term's (the state at
 * the end of this term says when). As the instant the last timely day
 * ends, that day, and the end of the term such a notice would end it at. */
static void next_notice_json(const struct agreement_view *v, const struct lifecycle_status *st,
			     gs_instant now, int32_t zone, json_t *o)
{
	struct lifecycle_status *next = NULL;
	const struct lifecycle_status *from = st->has_notice_deadline ? st : NULL;
	char date[GS_DATE_STR];
	gs_instant end;

	if (from && date_midnight(date_add_days(from->notice_deadline, 1), zone) <= now &&
	    st->terminates_at == GS_INSTANT_NONE && st->term_end != GS_INSTANT_NONE &&
	    (next = calloc(1, sizeof(*next))) && !agreement_view_status(v, st->term_end, next) &&
	    next->has_notice_deadline)
		from = next;
	if (!from) {
		json_object_set_new(o, "next_notice_deadline", json_null());
		json_object_set_new(o, "next_notice_deadline_date", json_null());
		json_object_set_new(o, "next_notice_ends_term", json_null());
		free(next);
		return;
	}
	end = date_midnight(date_add_days(from->notice_deadline, 1), zone);
	date_format(from->notice_deadline, date);
	json_object_set_new(o, "next_notice_deadline", jinstant(end));
	json_object_set_new(o, "next_notice_deadline_date", json_string(date));
	json_object_set_new(o, "next_notice_ends_term", jinstant(from->term_end));
	free(next);
}

unsigned h_view_agreement(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	const struct agreement_view *v;
	const struct agreement *a, *va;
	struct lifecycle_status *st = NULL, *tl = NULL;
	struct party *known = NULL;
	int nknown = 0;
	char id[GS_MAX_ID], date[GS_DATE_STR];
	gs_instant now, last = GS_INSTANT_NONE, to, end;
	json_t *o, *parties, *timeline;
	unsigned status;
	size_t i;
	int k, ret;

	if ((status = agreement_of(c, id, &v, reply)))
		return status;
	a = agreement_view_base(v);
	st = calloc(1, sizeof(*st));
	tl = calloc(1, sizeof(*tl));
	known = calloc(GS_MAX_PARTIES, sizeof(*known));
	if (!st || !tl || !known) {
		ret = GS_ENOMEM;
		goto fail;
	}
	if ((ret = local_instant_of(c->n, c->r->at, a->zone, &now, &d)))
		goto fail;
	if ((ret = agreement_view_status(v, now, st))) {
		gs_diag_set(&d, ret, "cannot compute the state of '%s'", id);
		goto fail;
	}
	va = agreement_view_version(v, st->version);
	if (!va)
		va = a;
	o = json_object();
	parties = json_array();
	for (k = 0; k < a->nparties; k++)
		json_array_append_new(parties, json_string(a->parties[k]));
	json_object_set_new(o, "id", json_string(a->id));
	json_object_set_new(o, "title", json_string(va->title));
	json_object_set_new(o, "version", json_integer(st->version));
	json_object_set_new(o, "versions", json_integer(v->nversions));
	json_object_set_new(o, "signed", json_boolean(agreement_view_signed(v, 0)));
	json_object_set_new(o, "binding", json_boolean(a->binding));
	json_object_set_new(o, "parties", parties);
	zone_format(a->zone, date);
	json_object_set_new(o, "zone", json_string(date));
	date_format(a->signed_on, date);
	json_object_set_new(o, "signed_on", json_string(date));
	json_object_set_new(o, "status", agreement_status_json(v, st, now));
	json_object_set_new(o, "now", jinstant(now));
	next_notice_json(v, st, now, a->zone, o);
	json_object_set_new(o, "term_end", jinstant(st->term_end));
	json_object_set_new(o, "terminates_at", jinstant(st->terminates_at));
	/* the parties' schemes, for the annex's romanisations and glosses */
	for (k = 0; k < va->nparties; k++)
		if (!node_party_get(c->n, va->parties[k], &known[nknown], NULL))
			nknown++;
	json_object_set_new(o, "annex", annex_json(known, nknown, va, annex_shown(va, now, a->zone)));
	if (va->rules.npurposes)
		json_object_set_new(o, "purposes", strings_json(va->rules.purposes, va->rules.npurposes));
	if (va->rules.ntopics)
		json_object_set_new(o, "topics", strings_json(va->rules.topics, va->rules.ntopics));

	/* The timeline: every note held (also those after now, on an
	 * exercise clock), and the terms up to the later of now and the
	 * last note. */
	to = now;
	for (i = 0; i < v->nnotes; i++)
		if (v->notes[i].delivered > to)
			to = v->notes[i].delivered;
	if ((ret = agreement_view_status(v, to, tl))) {
		json_decref(o);
		gs_diag_set(&d, ret, "cannot compute the history of '%s'", id);
		goto fail;
	}
	timeline = json_object();
	json_object_set_new(timeline, "events", events_json(v, tl));
	/* each party's membership as known from every note held */
	json_object_set_new(timeline, "members", members_json(tl));
	if (tl->in_force_since != GS_INSTANT_NONE) {
		gs_instant since = tl->in_force_since;

		json_object_set_new(timeline, "terms", terms_json(v, since, to, tl, &end));
		last = end == GS_INSTANT_NONE || end < to ? to : end;
		json_object_set_new(timeline, "from", jinstant(since));
	} else {
		json_object_set_new(timeline, "terms", json_array());
		json_object_set_new(timeline, "from", json_null());
		last = to;
	}
	json_object_set_new(timeline, "to", jinstant(last));
	json_object_set_new(o, "timeline", timeline);
	*reply = o;
	free(st);
	free(tl);
	free(known);
	return MHD_HTTP_OK;
fail:
	free(st);
	free(tl);
	free(known);
	return local_fail(ret, &d, reply);
}

/* ---- what if ---- */

/* ?name= if given (400 if too long), else the agreement's first listed
 * value, else fallback. */
static unsigned scope_arg(struct call *c, const char *name, const char (*list)[GS_MAX_NAME], int n,
			  const char *fallback, char out[GS_MAX_NAME], json_t **reply)
{
	const char *s = local_arg(c, name);

	if (s && *s) {
		if (strlen(s) >= GS_MAX_NAME)
			return bad_arg(reply, name, s, "a name of fewer than 80 bytes", c->r->url);
		snprintf(out, GS_MAX_NAME, "%s", s);
	} else {
		snprintf(out, GS_MAX_NAME, "%s", n > 0 ? list[0] : fallback);
	}
	return 0;
}

static int release_one(struct call *c, const char *agreement, const char *label, const char *level,
		       const char *to, const char *purpose, const char *topic, gs_instant at,
		       const struct lifecycle_status *status, json_t *out, struct gs_diag *d)
{
	struct decide_query q;
	struct decision dec;
	char reason[GS_MAX_LINE];
	int ret;

	memset(&q, 0, sizeof(q));
	q.status = status;
	q.agreement = agreement;
	q.label = label;
	q.purpose = purpose;
	q.topic = topic;
	q.to = to;
	q.at = at;
	if ((ret = node_decide_release(c->n, &q, &dec, d))) {
		if (ret == GS_ENOMEM || ret == GS_EIO)
			return ret;
		/* the question cannot be asked (the recipient is not
		 * registered...): say so for this label, not for the view */
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "to", to, "classification", label,
						     "level", level, "decision", "unknown", "rule", "", "reason",
						     d->msg));
		d->msg[0] = 0;
		return 0;
	}
	decision_reason(&dec, reason, sizeof(reason));
	json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "to", to, "classification", label,
					     "level", level, "decision", dec.permit ? "permit" : "deny", "rule",
					     dec.rule_id, "reason", reason));
	return 0;
}

/* Whether rec was released under agreement id: received under it, or
 * (at the originator) released to someone under it. */
static int under_agreement(json_t *rec, const char *id)
{
	json_t *rels = json_object_get(rec, "releases"), *r;
	size_t i;

	if (!strcmp(jstr(rec, "agreement"), id))
		return 1;
	json_array_foreach(rels, i, r)
		if (!strcmp(jstr(r, "agreement"), id))
			return 1;
	return 0;
}

static int holdings_json(struct call *c, const char *id, gs_instant terminates_at, int32_t zone, json_t *out,
			 struct gs_diag *d)
{
	json_t *items = NULL, *rec;
	struct holding *h = calloc(1, sizeof(*h));
	char why[GS_MAX_LINE];
	size_t i;
	int ret;

	if (!h)
		return GS_ENOMEM;
	/* the holdings the caller may see, as GET /v1/local/items lists them:
	 * the inventory for the officers, what they may open now for others */
	if (c->who->roles & (ROLE_REGISTRY | ROLE_AUDITOR | ROLE_NSA_OFFICER)) {
		ret = node_items(c->n, &items, d);
	} else {
		gs_instant now = 0;

		if (!(ret = node_now(c->n, &now, d)))
			ret = node_items_open_to(c->n, c->who->id, now, &items, d);
	}
	if (ret) {
		free(h);
		return ret;
	}
	json_array_foreach(items, i, rec) {
		bool keep;

		if (!under_agreement(rec, id))
			continue;
		if (item_to_holding(rec, h)) {
			ret = gs_diag_set(d, GS_EIO, "item '%s': its record is damaged", jstr(rec, "id"));
			break;
		}
		keep = holding_survives(h, terminates_at, zone, why, sizeof(why));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:s}", "id", jstr(rec, "id"),
						     "title", jstr(rec, "title"), "originator",
						     jstr(rec, "originator"), "label", jstr(rec, "label"), "status",
						     jstr(rec, "status"), "released_at",
						     json_incref(json_object_get(rec, "released_at")
									 ? json_object_get(rec, "released_at")
									 : json_null()),
						     "protected", keep, "why", why));
	}
	json_decref(items);
	free(h);
	return ret;
}

/* What a termination notice from this node, given now, would do: the
 * lifecycle replayed with one more note held in memory only. */
static int notice_today(struct call *c, const struct agreement_view *v, const char *id, json_t **out,
			struct gs_diag *d)
{
	const struct agreement *a = agreement_view_base(v);
	bool signed_all = agreement_view_signed(v, 0);
	struct dipnote *notes = calloc(v->nnotes + 1, sizeof(*notes));
	struct lifecycle_status *st = calloc(1, sizeof(*st));
	struct gs_diag why = { { 0 } };
	struct dipnote *cand;
	const struct lifecycle_member *self;
	json_t *o = NULL, *holdings = json_array();
	gs_instant now, ends = GS_INSTANT_NONE;
	int k, ret;

	if (!notes || !st || !holdings) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_now(c->n, &now, d)))
		goto out;
	if (v->nnotes)
		memcpy(notes, v->notes, v->nnotes * sizeof(*notes));
	cand = &notes[v->nnotes];
	snprintf(cand->id, sizeof(cand->id), "what-if");
	snprintf(cand->agreement, sizeof(cand->agreement), "%s", a->id);
	cand->kind = DIPNOTE_TERMINATION;
	snprintf(cand->from, sizeof(cand->from), "%s", node_self(c->n)->code);
	for (k = 0; a->nparties == 2 && k < a->nparties; k++)
		if (strcmp(a->parties[k], node_self(c->n)->code))
			snprintf(cand->to, sizeof(cand->to), "%s", a->parties[k]);
	cand->delivered = now;
	cand->zone = a->zone;
	cand->withdraws = WITHDRAW_NOTICE;
	cand->terminate_at = GS_INSTANT_NONE;
	cand->exercise = node_self(c->n)->exercise;
	o = json_object();
	json_object_set_new(o, "given_at", jinstant(now));
	json_object_set_new(o, "from", json_string(node_self(c->n)->code));
	ret = lifecycle_check_note(a, signed_all, notes, v->nnotes, cand, &why);
	if (ret == GS_ENOMEM)
		goto out;
	if (ret) {
		/* no notice could be given now: the agreement goes on as it is */
		json_object_set_new(o, "possible", json_false());
		json_object_set_new(o, "refused", json_string(why.msg));
		if ((ret = agreement_view_status(v, now, st)))
			goto out;
	} else {
		json_object_set_new(o, "possible", json_true());
		if ((ret = lifecycle_at(a, signed_all, notes, v->nnotes + 1, now, st)))
			goto out;
	}
	/* with more than two members the notice ends the agreement for this
	 * party only: its holdings survive from the instant it leaves */
	ends = st->terminates_at;
	self = lifecycle_member_find(st, node_self(c->n)->code);
	json_object_set_new(o, "state_after", json_string(state_name(st->state)));
	json_object_set_new(o, "reason", json_string(st->reason));
	json_object_set_new(o, "terminates_at", jinstant(ends));
	json_object_set_new(o, "leaves_at", jinstant(self ? self->leaves_at : GS_INSTANT_NONE));
	if (ends == GS_INSTANT_NONE && self)
		ends = self->leaves_at;
	if ((ret = holdings_json(c, id, ends, a->zone, holdings, d)))
		goto out;
	json_object_set_new(o, "holdings", holdings);
	holdings = NULL;
	*out = o;
	o = NULL;
out:
	if (ret && !d->msg[0])
		gs_diag_set(d, ret, "cannot work out a notice of termination of '%s'", id);
	json_decref(o);
	json_decref(holdings);
	free(notes);
	free(st);
	return ret;
}

/* The release decision for every label of this node in annex x, to
 * each other party of va: at `at`, by the state status (NULL: the state
 * from the notes held). */
static int releases_json(struct call *c, const char *id, const struct agreement *va, const struct annex_version *x,
			 const char *purpose, const char *topic, gs_instant at, const struct lifecycle_status *status,
			 json_t *out, struct gs_diag *d)
{
	int self = agreement_party_index(va, node_self(c->n)->code), k, r, l, ret;

	for (k = 0; self >= 0 && x && k < va->nparties; k++) {
		if (k == self)
			continue;
		for (r = 0; r < x->nrows; r++)
			for (l = 0; l < x->rows[r].cells[self].nlabels; l++)
				if ((ret = release_one(c, id, x->rows[r].cells[self].labels[l], x->rows[r].level,
						       va->parties[k], purpose, topic, at, status, out, d)))
					return ret;
		for (l = 0; l < x->nnever; l++)
			if (x->never[l].party == self &&
			    (ret = release_one(c, id, x->never[l].label, "never", va->parties[k], purpose, topic, at,
					       status, out, d)))
				return ret;
	}
	return 0;
}

/* Sets key_actual (and "changed") on each of rows from the same member of
 * the actual rows, in the same order. */
static void beside_actual(json_t *rows, const json_t *actual, const char *key, const char *key_actual)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *was = json_object_get(json_array_get(actual, i), key);

		json_object_set(row, key_actual, was ? was : json_null());
		json_object_set_new(row, "changed", json_boolean(!json_equal(json_object_get(row, key), was)));
	}
}

/*
 * "What if" without one of the notes held (?without=NOTE): the history
 * replayed from every note but that one (docs/lifecycle.md), the state at
 * `at`, the release decisions beside the actual ones, and each holding's
 * protection at the termination that history leads to beside the actual.
 * Adds "without" to reply. 0, GS_ENOTFOUND for a note not held, or an
 * error (out of memory, a damaged record) with d's sentence.
 */
static int whatif_without(struct call *c, const struct agreement_view *v, const char *id, const char *note,
			  gs_instant at, const struct lifecycle_status *actual, const json_t *releases,
			  const char *purpose, const char *topic, json_t *reply, struct gs_diag *d)
{
	const struct agreement *a = agreement_view_base(v), *va;
	struct dipnote *notes = NULL;
	struct lifecycle_status *st = NULL;
	json_t *o = NULL, *rel = NULL, *hold = NULL, *hold_actual = NULL;
	size_t i, k, skip = v->nnotes;
	int ret;

	for (i = 0; i < v->nnotes; i++)
		if (!strcmp(v->notes[i].id, note))
			skip = i;
	if (skip == v->nnotes)
		return gs_diag_set(d, GS_ENOTFOUND, "%s: agreement '%s' holds no note '%.64s' (the timeline's events name them)",
				   c->r->url, id, note);
	notes = calloc(v->nnotes, sizeof(*notes));
	st = calloc(1, sizeof(*st));
	rel = json_array();
	hold = json_array();
	hold_actual = json_array();
	if (!notes || !st || !rel || !hold || !hold_actual) {
		ret = GS_ENOMEM;
		goto out;
	}
	for (i = 0, k = 0; i < v->nnotes; i++)
		if (i != skip)
			notes[k++] = v->notes[i];
	if ((ret = lifecycle_at(a, agreement_view_signed(v, 0), notes, k, at, st)))
		goto out;
	va = agreement_view_version(v, st->version);
	if (!va)
		va = a;
	if ((ret = releases_json(c, id, va, annex_shown(va, at, a->zone), purpose, topic, at, st, rel, d)) ||
	    (ret = holdings_json(c, id, st->terminates_at, a->zone, hold, d)) ||
	    (ret = holdings_json(c, id, actual->terminates_at, a->zone, hold_actual, d)))
		goto out;
	beside_actual(rel, releases, "decision", "decision_actual");
	beside_actual(hold, hold_actual, "protected", "protected_actual");
	o = json_object();
	json_object_set_new(o, "note", json_string(v->notes[skip].id));
	json_object_set_new(o, "kind", json_string(dipnote_kind_name(v->notes[skip].kind)));
	json_object_set_new(o, "from", json_string(v->notes[skip].from));
	json_object_set_new(o, "delivered", jinstant(v->notes[skip].delivered));
	json_object_set_new(o, "state", json_string(state_name(st->state)));
	json_object_set_new(o, "reason", json_string(st->reason));
	json_object_set_new(o, "terminates_at", jinstant(st->terminates_at));
	json_object_set_new(o, "terminates_at_actual", jinstant(actual->terminates_at));
	json_object_set_new(o, "state_actual", json_string(state_name(actual->state)));
	json_object_set_new(o, "releases", rel);
	json_object_set_new(o, "holdings", hold);
	rel = hold = NULL;
	json_object_set_new(reply, "without", o);
out:
	json_decref(rel);
	json_decref(hold);
	json_decref(hold_actual);
	free(notes);
	free(st);
	if (ret && !d->msg[0])
		gs_diag_set(d, ret, "cannot replay the history of '%s' without note '%.64s'", id, note);
	return ret;
}

unsigned h_view_whatif(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	const struct agreement_view *v;
	const struct agreement *a, *va;
	struct lifecycle_status *st = NULL;
	char id[GS_MAX_ID], purpose[GS_MAX_NAME], topic[GS_MAX_NAME];
	const char *without = local_arg(c, "without");
	json_t *releases = NULL, *notice = NULL;
	gs_instant at;
	unsigned status;
	int ret;

	if ((status = agreement_of(c, id, &v, reply)))
		return status;
	if (without && (!*without || strlen(without) >= sizeof(((struct dipnote *)0)->id)))
		return bad_arg(reply, "without", without, "the id of a note of the agreement", c->r->url);
	a = agreement_view_base(v);
	if ((status = scope_arg(c, "purpose", a->rules.purposes, a->rules.npurposes, "unspecified", purpose, reply)) ||
	    (status = scope_arg(c, "topic", a->rules.topics, a->rules.ntopics, "unspecified", topic, reply)))
		return status;
	if ((ret = local_instant_of(c->n, c->r->at, a->zone, &at, &d)))
		return local_fail(ret, &d, reply);
	if (!(st = calloc(1, sizeof(*st))) || !(releases = json_array())) {
		ret = GS_ENOMEM;
		goto fail;
	}
	if ((ret = agreement_view_status(v, at, st))) {
		gs_diag_set(&d, ret, "cannot compute the state of '%s'", id);
		goto fail;
	}
	va = agreement_view_version(v, st->version);
	if (!va)
		va = a;
	if ((ret = releases_json(c, id, va, annex_shown(va, at, a->zone), purpose, topic, at, NULL, releases, &d)) ||
	    (ret = notice_today(c, v, id, &notice, &d)))
		goto fail;
	*reply = json_pack("{s:s,s:o,s:s,s:s,s:i,s:s,s:s,s:o,s:o}", "agreement", id, "at", jinstant(at),
			   "state", state_name(st->state), "reason", st->reason, "version", st->version, "purpose",
			   purpose, "topic", topic, "releases", releases, "if_notice_today", notice);
	releases = NULL;
	if (without && (ret = whatif_without(c, v, id, without, at, st, json_object_get(*reply, "releases"), purpose,
					    topic, *reply, &d))) {
		json_decref(*reply);
		*reply = NULL;
		goto fail;
	}
	free(st);
	return MHD_HTTP_OK;
fail:
	json_decref(releases);
	free(st);
	return local_fail(ret, &d, reply);
}

/* ---- items ---- */

unsigned local_items_filter_parse(const struct call *c, struct items_filter *f, json_t **reply)
{
	int s;

	f->originator = local_arg(c, "originator");
	f->classification = local_arg(c, "classification");
	f->status = local_arg(c, "status");
	if (f->originator && !*f->originator)
		f->originator = NULL;
	if (f->classification && !*f->classification)
		f->classification = NULL;
	if (f->status && !*f->status)
		f->status = NULL;
	if (f->originator && !party_code_is_valid(f->originator))
		return bad_arg(reply, "originator", f->originator, "a party code (three capital letters)", c->r->url);
	if (f->classification && strlen(f->classification) >= GS_MAX_LABEL)
		return bad_arg(reply, "classification", f->classification, "a label of fewer than 80 bytes",
			       c->r->url);
	if (f->status) {
		for (s = ITEM_ACTIVE; s <= ITEM_SUSPENDED; s++)
			if (!strcmp(f->status, item_status_name((enum item_status)s)))
				break;
		if (s > ITEM_SUSPENDED)
			return bad_arg(reply, "status", f->status,
				       "an item status (active, returned, destroyed, lost, compromised, suspended)",
				       c->r->url);
	}
	return 0;
}

/* The labels a record shows, joined by ',' as on a bundle's banner. */
void local_marking_text(json_t *rec, char *out, size_t cap)
{
	json_t *m = json_object_get(rec, "marking"), *l;
	size_t i, used = 0;

	out[0] = 0;
	if (json_is_string(m)) {
		snprintf(out, cap, "%s", json_string_value(m));
		return;
	}
	json_array_foreach(m, i, l) {
		int k = snprintf(out + used, cap - used, "%s%s", i ? "," : "", json_string_value(l) ? json_string_value(l) : "");

		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
}

/* What the item carries top and bottom: the holder's marking in its own
 * scheme, and the originator's classification. */
static void add_banners(json_t *rec)
{
	char holder[GS_MAX_MARK_LABELS * GS_MAX_LABEL];
	const char *h = jstr(rec, "holder");

	local_marking_text(rec, holder, sizeof(holder));
	json_object_set_new(rec, "banners",
			    json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s}}", "holder", "scheme", h, "text", holder,
				      "originator", "scheme", jstr(rec, "originator"), "text", jstr(rec, "label"),
				      "name", jstr(rec, "originator_name")));
}

static int has_label(json_t *rec, const char *label)
{
	json_t *m = json_object_get(rec, "marking"), *l;
	size_t i;

	if (!strcmp(jstr(rec, "label"), label))
		return 1;
	if (json_is_string(m))
		return !strcmp(json_string_value(m), label);
	json_array_foreach(m, i, l)
		if (json_is_string(l) && !strcmp(json_string_value(l), label))
			return 1;
	return 0;
}

void local_items_select(const struct items_filter *f, json_t *items)
{
	size_t i = 0;

	while (i < json_array_size(items)) {
		json_t *rec = json_array_get(items, i);

		if ((f->originator && strcmp(jstr(rec, "originator"), f->originator)) ||
		    (f->classification && !has_label(rec, f->classification)) ||
		    (f->status && strcmp(jstr(rec, "status"), f->status))) {
			json_array_remove(items, i);
			continue;
		}
		add_banners(rec);
		i++;
	}
}

/* ---- a page of the inventory ---- */

#define ITEMS_PAGE_DEFAULT 50
#define ITEMS_PAGE_MAX 500

unsigned local_items_page_parse(const struct call *c, struct items_page *pg, json_t **reply)
{
	const char *q = local_arg(c, "q"), *sort = local_arg(c, "sort"), *order = local_arg(c, "order");
	const char *off = local_arg(c, "offset"), *lim = local_arg(c, "limit");

	memset(pg, 0, sizeof(*pg));
	pg->limit = ITEMS_PAGE_DEFAULT;
	snprintf(pg->sort, sizeof(pg->sort), "released");
	pg->desc = 1;
	pg->paged = q || sort || order || off || lim;
	if (q && strlen(q) >= sizeof(pg->q))
		return bad_arg(reply, "q", q, "a search of fewer than 200 bytes", c->r->url);
	if (q)
		snprintf(pg->q, sizeof(pg->q), "%s", q);
	if (sort && *sort) {
		if (strcmp(sort, "released") && strcmp(sort, "classification") && strcmp(sort, "originator") &&
		    strcmp(sort, "title"))
			return bad_arg(reply, "sort", sort, "released, classification, originator or title", c->r->url);
		snprintf(pg->sort, sizeof(pg->sort), "%s", sort);
		/* newest, and most sensitive, first; names from A */
		pg->desc = !strcmp(sort, "released") || !strcmp(sort, "classification");
	}
	if (order && *order) {
		if (strcmp(order, "asc") && strcmp(order, "desc"))
			return bad_arg(reply, "order", order, "asc or desc", c->r->url);
		pg->desc = !strcmp(order, "desc");
	}
	if (off && parse_u64(off, &pg->offset))
		return bad_arg(reply, "offset", off, "a number of items to skip", c->r->url);
	if (lim && (parse_u64(lim, &pg->limit) || pg->limit < 1 || pg->limit > ITEMS_PAGE_MAX))
		return bad_arg(reply, "limit", lim, "a number from 1 to 500", c->r->url);
	return 0;
}

/* Whether needle (ASCII letters in any case) is in hay. */
static int has_word(const char *hay, const char *needle, size_t n)
{
	size_t i, k;

	for (i = 0; hay[i]; i++) {
		for (k = 0; k < n && hay[i + k]; k++) {
			unsigned char a = (unsigned char)hay[i + k], b = (unsigned char)needle[k];

			if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
				break;
		}
		if (k == n)
			return 1;
	}
	return 0;
}

/* One item of a list to page through: what is searched and sorted, in
 * one allocation (buf), and its record when the list came as records. */
struct item_key {
	json_t *rec;       /* NULL: read by id for the page */
	char *buf;
	const char *id, *originator, *label, *marking, *status, *title;
	const char *when;  /* released_at, else created_at: RFC 3339 UTC, so they sort as text */
	const char *hay;   /* the searchable members, '\n'-separated */
	int rank;          /* the classification's level in its originator's scheme: higher is more sensitive */
};

/* Fills k from the members (copied into k->buf); marking is the labels
 * joined by ','. */
static int key_fill(struct item_key *k, const char *id, const char *originator, const char *originator_name,
		    const char *label, const char *marking, const char *status, const char *when, const char *title,
		    const char *name, const char *topic, const char *purpose, const char *agreement)
{
	const char *parts[] = { id, originator, label, marking, status, when, title };
	const char *hay[] = { title, id, name, topic, purpose, originator, originator_name, label, marking, status,
			      agreement };
	const char **out[] = { &k->id, &k->originator, &k->label, &k->marking, &k->status, &k->when, &k->title };
	size_t need = 1, i, at = 0;
	char *p;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		need += strlen(parts[i]) + 1;
	for (i = 0; i < sizeof(hay) / sizeof(hay[0]); i++)
		need += strlen(hay[i]) + 1;
	if (!(p = k->buf = malloc(need)))
		return GS_ENOMEM;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		*out[i] = p + at;
		at += (size_t)snprintf(p + at, need - at, "%s", parts[i]) + 1;
	}
	k->hay = p + at;
	for (i = 0; i < sizeof(hay) / sizeof(hay[0]); i++)
		at += (size_t)snprintf(p + at, need - at, "%s%s", i ? "\n" : "", hay[i]);
	return 0;
}

/* The labels of a record's JSON array text ["a","b"] joined by ','
 * (labels hold no quote, comma or bracket). */
static void marking_join(const char *json, char *out, size_t cap)
{
	size_t k = 0;

	for (; *json && k + 1 < cap; json++)
		if (*json != '[' && *json != ']' && *json != '"')
			out[k++] = *json;
	out[k] = 0;
}

/* Whether the labels joined by ',' hold label, or it is the originator's. */
static int key_has_label(const struct item_key *k, const char *label)
{
	size_t n = strlen(label);
	const char *p = k->marking;

	if (!strcmp(k->label, label))
		return 1;
	while (*p) {
		size_t w = strcspn(p, ",");

		if (w == n && !strncmp(p, label, n))
			return 1;
		p += w + (p[w] == ',');
	}
	return 0;
}

/* Every word of q is in one of the item's searchable members. */
static int key_found(const struct item_key *k, const char *q)
{
	const char *w = q;
	size_t n;

	while (*w) {
		while (*w == ' ')
			w++;
		n = strcspn(w, " ");
		if (!n)
			break;
		if (!has_word(k->hay, w, n))
			return 0;
		w += n;
	}
	return 1;
}

static int by_id(const struct item_key *a, const struct item_key *b)
{
	return strcmp(a->id, b->id);
}

static int by_when(const void *x, const void *y)
{
	const struct item_key *a = x, *b = y;
	int k = strcmp(a->when, b->when);

	return k ? k : by_id(a, b);
}

static int by_rank(const void *x, const void *y)
{
	const struct item_key *a = x, *b = y;

	return a->rank != b->rank ? (a->rank < b->rank ? -1 : 1) : by_when(x, y);
}

static int by_originator(const void *x, const void *y)
{
	const struct item_key *a = x, *b = y;
	int k = strcmp(a->originator, b->originator);

	return k ? k : by_when(x, y);
}

static int by_title(const void *x, const void *y)
{
	const struct item_key *a = x, *b = y;
	int k = strcmp(a->title, b->title);

	return k ? k : by_when(x, y);
}

/* The level of label in the scheme of party code (0: unknown), cached in ranks. */
static int label_rank(struct call *c, json_t *ranks, const char *code, const char *label)
{
	char key[GS_MAX_CODE + GS_MAX_LABEL + 2];
	json_t *r;
	struct party *p;
	int i = -1, rank = 0;

	snprintf(key, sizeof(key), "%s %s", code, label);
	if ((r = json_object_get(ranks, key)))
		return (int)json_integer_value(r);
	if (!strcmp(code, node_self(c->n)->code)) {
		i = scheme_find(&node_self(c->n)->scheme, label);
		rank = i >= 0 ? node_self(c->n)->scheme.nlevels - i : 0;
	} else if ((p = calloc(1, sizeof(*p)))) {
		if (!node_party_get(c->n, code, p, NULL) && (i = scheme_find(&p->scheme, label)) >= 0)
			rank = p->scheme.nlevels - i;
		free(p);
	}
	json_object_set_new(ranks, key, json_integer(rank));
	return rank;
}

static json_t *sorted_keys(json_t *set)
{
	json_t *a = json_array();
	const char *k;
	json_t *v;

	json_object_foreach(set, k, v)
		json_array_append_new(a, json_string(k));
	return a;
}

struct keys {
	struct item_key *k;
	size_t n, cap;
};

static struct item_key *keys_add(struct keys *ks)
{
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 256;
		struct item_key *k = realloc(ks->k, cap * sizeof(*k));

		if (!k)
			return NULL;
		ks->k = k;
		ks->cap = cap;
	}
	memset(&ks->k[ks->n], 0, sizeof(ks->k[0]));
	return &ks->k[ks->n++];
}

static int row_key(void *ctx, const struct item_row *r)
{
	char marking[GS_MAX_MARK_LABELS * GS_MAX_LABEL];
	struct item_key *k = keys_add(ctx);

	if (!k)
		return GS_ENOMEM;
	marking_join(r->marking, marking, sizeof(marking));
	return key_fill(k, r->id, r->originator, r->originator_name, r->label, marking, r->status, r->when, r->title,
			r->name, r->topic, r->purpose, r->agreement);
}

unsigned local_items_page(struct call *c, const struct items_filter *f, const struct items_page *pg, json_t *items,
			  json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct keys ks = { NULL, 0, 0 };
	json_t *page = json_array(), *origs = json_object(), *labels = json_object(), *statuses = json_object();
	json_t *ranks = json_object(), *rec;
	int (*cmp)(const void *, const void *) = !strcmp(pg->sort, "released") ? by_when
						 : !strcmp(pg->sort, "classification") ? by_rank
						 : !strcmp(pg->sort, "originator") ? by_originator : by_title;
	size_t i, n = 0;
	uint64_t k;
	int ret = 0;

	if (!page || !origs || !labels || !statuses || !ranks)
		ret = GS_ENOMEM;
	/* the list: the records given, else what the store reads of each item */
	if (!ret && items) {
		char marking[GS_MAX_MARK_LABELS * GS_MAX_LABEL];
		struct item_key *key;

		json_array_foreach(items, i, rec) {
			const char *when = json_is_string(json_object_get(rec, "released_at")) ? jstr(rec, "released_at")
												 : jstr(rec, "created_at");

			if (!(key = keys_add(&ks))) {
				ret = GS_ENOMEM;
				break;
			}
			local_marking_text(rec, marking, sizeof(marking));
			if ((ret = key_fill(key, jstr(rec, "id"), jstr(rec, "originator"), jstr(rec, "originator_name"),
					    jstr(rec, "label"), marking, jstr(rec, "status"), when, jstr(rec, "title"),
					    jstr(rec, "name"), jstr(rec, "topic"), jstr(rec, "purpose"),
					    jstr(rec, "agreement"))))
				break;
			key->rec = rec;
		}
	} else if (!ret) {
		ret = node_item_rows(c->n, row_key, &ks, &d);
	}
	for (i = 0; !ret && i < ks.n; i++) {
		struct item_key *key = &ks.k[i];
		const char *l, *p;

		/* the choices a filter offers: from the whole list */
		json_object_set_new(origs, key->originator, json_true());
		json_object_set_new(labels, key->label, json_true());
		for (p = key->marking; *p; p = l + (*l == ',')) {
			char one[GS_MAX_LABEL];

			l = p + strcspn(p, ",");
			snprintf(one, sizeof(one), "%.*s", (int)(l - p), p);
			json_object_set_new(labels, one, json_true());
		}
		json_object_set_new(statuses, key->status, json_true());
		if ((f->originator && strcmp(key->originator, f->originator)) ||
		    (f->classification && !key_has_label(key, f->classification)) ||
		    (f->status && strcmp(key->status, f->status)) || (pg->q[0] && !key_found(key, pg->q)))
			continue;
		if (cmp == by_rank)
			key->rank = label_rank(c, ranks, key->originator, key->label);
		if (n != i) { /* keep the selected ones at the front */
			struct item_key t = ks.k[n];

			ks.k[n] = *key;
			*key = t;
		}
		n++;
	}
	if (!ret && n) /* no array at all for an empty list */
		qsort(ks.k, n, sizeof(*ks.k), cmp);
	for (k = pg->offset; !ret && k < n && k < pg->offset + pg->limit; k++) {
		struct item_key *key = &ks.k[pg->desc ? n - 1 - k : k];

		if (key->rec)
			rec = json_incref(key->rec);
		else if ((ret = node_item_get(c->n, key->id, &rec, &d)))
			break;
		add_banners(rec);
		json_array_append_new(page, rec);
	}
	for (i = 0; i < ks.n; i++)
		free(ks.k[i].buf);
	free(ks.k);
	json_decref(ranks);
	json_decref(items);
	if (ret) {
		json_decref(page);
		json_decref(origs);
		json_decref(labels);
		json_decref(statuses);
		return local_fail(ret, &d, reply);
	}
	*reply = json_pack("{s:o,s:I,s:I,s:I,s:o,s:s,s:s,s:{s:o,s:o,s:o}}", "items", page, "total", (json_int_t)n,
			   "offset", (json_int_t)pg->offset, "limit", (json_int_t)pg->limit, "next",
			   pg->offset + pg->limit < n ? json_integer((json_int_t)(pg->offset + pg->limit)) : json_null(),
			   "sort", pg->sort, "order", pg->desc ? "desc" : "asc", "facets", "originators",
			   sorted_keys(origs), "classifications", sorted_keys(labels), "statuses", sorted_keys(statuses));
	json_decref(origs);
	json_decref(labels);
	json_decref(statuses);
	return MHD_HTTP_OK;
}

unsigned h_view_item(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	json_t *rec = NULL;
	char id[GS_MAX_ID], reason[GS_MAX_LINE];
	struct decision dec;
	gs_instant now;
	int ret;

	if (local_path_segment(c->r->url, 3, id, sizeof(id)) || !ident_id_is_valid(id)) {
		*reply = local_error("%s: not an item id", c->r->url);
		return MHD_HTTP_BAD_REQUEST;
	}
	ret = node_item_full(c->n, id, &rec, &d);
	if (ret == GS_ENOTFOUND) {
		*reply = local_error("%s: no item '%s' is held here", c->r->url, id);
		return MHD_HTTP_NOT_FOUND;
	}
	if (ret)
		return local_fail(ret, &d, reply);
	if (!(c->who->roles & (ROLE_REGISTRY | ROLE_AUDITOR))) {
		/* a reader: only what they may open now */
		if ((ret = node_now(c->n, &now, &d)) || (ret = node_item_access(c->n, rec, c->who->id, now, &dec, &d))) {
			json_decref(rec);
			if (ret == GS_ENOTFOUND) { /* the person's facility is not registered */
				*reply = local_error("'%s' may not open item '%s' now: %s", c->who->id, id, d.msg);
				return MHD_HTTP_FORBIDDEN;
			}
			return local_fail(ret, &d, reply);
		}
		if (!dec.permit) {
			decision_reason(&dec, reason, sizeof(reason));
			json_decref(rec);
			*reply = local_error("%s: '%s' may not open item '%s' now, so may not see its record", c->r->url,
					     c->who->id, id);
			json_object_set_new(*reply, "decision", json_string("deny"));
			json_object_set_new(*reply, "rule", json_string(dec.rule_id));
			json_object_set_new(*reply, "reason", json_string(reason));
			return MHD_HTTP_FORBIDDEN;
		}
	}
	add_banners(rec);
	*reply = rec;
	return MHD_HTTP_OK;
}

/* ---- queues ---- */

/* A request that has its answer here (a grant or a refusal naming it)
 * is no longer open: "answered" says how, by which, and when. */
static void answered_requests(json_t *consents)
{
	json_t *q, *a;
	size_t i, j;

	json_array_foreach(consents, i, q) {
		if (strcmp(jstr(q, "decision"), "requested"))
			continue;
		json_object_set_new(q, "answered", json_null());
		json_array_foreach(consents, j, a) {
			if (strcmp(jstr(a, "request"), jstr(q, "id")) || !strcmp(jstr(a, "decision"), "requested"))
				continue;
			json_object_set_new(q, "answered", json_pack("{s:s,s:s,s:O}", "decision", jstr(a, "decision"), "id",
								     jstr(a, "id"), "at",
								     json_object_get(a, "granted_at") ? json_object_get(a, "granted_at")
												     : json_null()));
		}
	}
}

unsigned h_view_queues(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	json_t *items = NULL, *consents = NULL, *incidents = NULL, *outbox = NULL, *pending, *rec, *rel;
	size_t i, j;
	int ret;

	if ((ret = node_items(c->n, &items, &d)) || (ret = node_consents(c->n, &consents, &d)) ||
	    (ret = node_incidents(c->n, &incidents, &d)) || (ret = node_outbox_list(c->n, &outbox, &d))) {
		json_decref(items);
		json_decref(consents);
		json_decref(incidents);
		json_decref(outbox);
		return local_fail(ret, &d, reply);
	}
	pending = json_array();
	json_array_foreach(items, i, rec) {
		json_array_foreach(json_object_get(rec, "releases"), j, rel) {
			if (json_is_true(json_object_get(rel, "receipt")))
				continue;
			json_array_append_new(pending, json_pack("{s:s,s:s,s:s,s:O,s:s,s:s}", "bundle",
								 jstr(rel, "bundle"), "item", jstr(rec, "id"),
								 "recipient", jstr(rel, "recipient"), "released_at",
								 json_object_get(rel, "released_at") ? json_object_get(rel, "released_at") : json_null(),
								 "title", jstr(rec, "title"), "agreement", jstr(rel, "agreement")));
		}
	}
	json_decref(items);
	answered_requests(consents);
	*reply = json_pack("{s:o,s:o,s:o,s:o}", "receipts_pending", pending, "consents", consents, "incidents",
			   incidents, "outbox", outbox);
	return MHD_HTTP_OK;
}

/* ---- ledger ---- */

struct ckpt_ctx {
	struct node *n;
	json_t *logs;
	struct gs_diag *d;
};

static int witness_one(void *ctx, const struct witness_status *s)
{
	struct ckpt_ctx *c = ctx;
	json_t *log = NULL, *l, *w;
	size_t i;
	const char *status;

	json_array_foreach(c->logs, i, l)
		if (!strcmp(jstr(l, "peer"), s->peer))
			log = l;
	if (!log)
		return 0;
	if (s->evidence)
		status = "evidence";
	else if (!s->cosigned)
		status = "never";
	else if (s->cosigned_size >= s->size)
		status = "verified";
	else
		status = "behind";
	w = json_pack("{s:s,s:s,s:b,s:I,s:o,s:o,s:I}", "peer", s->peer, "status", status, "endpoint", s->has_endpoint,
		      "size", (json_int_t)s->size, "cosigned_size",
		      s->cosigned ? json_integer((json_int_t)s->cosigned_size) : json_null(), "cosigned_at",
		      s->cosigned ? jinstant(s->cosigned_at) : json_null(), "evidence",
		      (json_int_t)s->evidence);
	json_object_set_new(w, "peer_log",
			    json_pack("{s:s,s:o,s:o}", "origin", s->peer_origin, "verified_size",
				      s->verified ? json_integer((json_int_t)s->verified_size) : json_null(),
				      "cosigned_size",
				      s->witnessed ? json_integer((json_int_t)s->witnessed_size) : json_null()));
	json_object_set_new(log, "witness", w);
	return 0;
}

static int log_one(void *ctx, const struct ledger_log_report *r)
{
	struct ckpt_ctx *c = ctx;
	char b64[B64_ENCODED_SIZE(32)];
	char *note = NULL;
	size_t len;
	uint64_t size = 0;
	json_t *o;
	int ret;

	b64_encode(r->root, 32, b64, sizeof(b64));
	o = json_pack("{s:s,s:s,s:I,s:s}", "origin", r->origin, "peer", r->peer[0] ? r->peer : "internal", "size",
		      (json_int_t)r->size, "root", b64);
	ret = ledger_checkpoint_held(c->n, r->peer, &size, &note, &len, c->d);
	if (ret == GS_ENOTFOUND) {
		json_object_set_new(o, "checkpoint", json_null());
		json_object_set_new(o, "checkpoint_size", json_null());
		ret = 0;
	} else if (!ret) {
		json_object_set_new(o, "checkpoint", json_stringn(note, len));
		json_object_set_new(o, "checkpoint_size", json_integer((json_int_t)size));
	}
	free(note);
	json_object_set_new(o, "witness", json_null());
	json_array_append_new(c->logs, o);
	return ret;
}

unsigned h_view_checkpoints(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct ckpt_ctx x = { c->n, json_array(), &d };
	int ret;

	if (!x.logs)
		return local_fail(GS_ENOMEM, &d, reply);
	if ((ret = ledger_logs(c->n, log_one, &x, &d)) || (ret = witness_status_each(c->n, witness_one, &x, &d))) {
		json_decref(x.logs);
		if (!d.msg[0])
			gs_diag_set(&d, ret, "cannot read the ledger's logs");
		return local_fail(ret, &d, reply);
	}
	*reply = json_pack("{s:o}", "logs", x.logs);
	return MHD_HTTP_OK;
}

/* The {peer} segment: "internal" (peer "") or a registered party other
 * than this node's own. */
static unsigned peer_of(struct call *c, char peer[GS_MAX_CODE], json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct party *sp;
	char seg[16];
	int ret;

	if (local_path_segment(c->r->url, 3, seg, sizeof(seg))) {
		*reply = local_error("%s: the ledger segment is not a party code or 'internal'", c->r->url);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (!strcmp(seg, "internal")) {
		peer[0] = 0;
		return 0;
	}
	if (!party_code_is_valid(seg)) {
		*reply = local_error("%s: '%s' is not a party code or 'internal'", c->r->url, seg);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (!strcmp(seg, node_self(c->n)->code)) {
		*reply = local_error("%s: '%s' is this node's own party; its events are in the 'internal' log",
				     c->r->url, seg);
		return MHD_HTTP_NOT_FOUND;
	}
	if (!(sp = calloc(1, sizeof(*sp))))
		return local_fail(GS_ENOMEM, &d, reply);
	ret = node_party_get(c->n, seg, sp, &d);
	free(sp);
	if (ret == GS_ENOTFOUND) {
		*reply = local_error("%s: no party '%s' is registered here", c->r->url, seg);
		return MHD_HTTP_NOT_FOUND;
	}
	if (ret)
		return local_fail(ret, &d, reply);
	memcpy(peer, seg, 4); /* three capital letters and the NUL */
	return 0;
}

static json_t *entry_json(uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	json_t *o = json_object(), *fields = json_object();
	char hex[HEX_ENCODED_SIZE(32)], key[GS_MAX_LEDGER_KEY];
	size_t i;

	json_object_set_new(o, "index", json_integer((json_int_t)index));
	json_object_set_new(o, "kind", json_string(ledger_type_name(e->type) ? ledger_type_name(e->type) : "unknown"));
	json_object_set_new(o, "at", jinstant(e->time));
	json_object_set_new(o, "item", json_string(e->item));
	json_object_set_new(o, "party", json_string(e->party));
	json_object_set_new(o, "person", json_string(e->person));
	if (e->digest_alg != LEDGER_DIGEST_NONE) {
		hex_encode(e->digest, 32, hex, sizeof(hex));
		json_object_set_new(o, "digest_alg",
				    json_string(e->digest_alg == LEDGER_DIGEST_SHA256 ? "sha256" : "blake2b-256"));
		json_object_set_new(o, "digest", json_string(hex));
	}
	for (i = 0; i < e->nfields; i++) {
		snprintf(key, sizeof(key), "%.*s", (int)e->fields[i].key_len, e->fields[i].key);
		json_object_set_new(fields, key, json_stringn(e->fields[i].value, e->fields[i].value_len));
	}
	json_object_set_new(o, "fields", fields);
	if (leaf) {
		hex_encode(leaf, 32, hex, sizeof(hex));
		json_object_set_new(o, "leaf_hash", json_string(hex));
	}
	return o;
}

static int entry_one(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	return json_array_append_new(ctx, entry_json(index, e, leaf)) ? GS_ENOMEM : 0;
}

unsigned h_view_entries(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	char peer[GS_MAX_CODE], origin[GS_MAX_NAME];
	const char *s;
	uint64_t from = 0, limit = ENTRIES_DEFAULT, size, to;
	uint8_t root[32];
	json_t *entries;
	unsigned status;
	int ret;

	if ((status = peer_of(c, peer, reply)))
		return status;
	if ((s = local_arg(c, "from")) && parse_u64(s, &from))
		return bad_arg(reply, "from", s, "an entry index (a decimal number)", c->r->url);
	if ((s = local_arg(c, "limit")) && (parse_u64(s, &limit) || limit < 1 || limit > ENTRIES_MAX))
		return bad_arg(reply, "limit", s, "a number from 1 to 1000", c->r->url);
	if ((ret = ledger_head(c->n, peer, &size, root, &d)))
		return local_fail(ret, &d, reply);
	ledger_origin(node_self(c->n)->code, node_self(c->n)->exercise, peer, origin);
	if (from > size)
		return bad_arg(reply, "from", local_arg(c, "from"), "an index within the log", origin);
	to = size - from < limit ? size : from + limit;
	if (!(entries = json_array()))
		return local_fail(GS_ENOMEM, &d, reply);
	if (to > from && (ret = ledger_each(c->n, peer, from, to, entry_one, entries, &d))) {
		json_decref(entries);
		return local_fail(ret, &d, reply);
	}
	*reply = json_pack("{s:s,s:s,s:I,s:I,s:o,s:o}", "origin", origin, "peer", peer[0] ? peer : "internal", "size",
			   (json_int_t)size, "from", (json_int_t)from, "next",
			   to < size ? json_integer((json_int_t)to) : json_null(), "entries", entries);
	return MHD_HTTP_OK;
}

/* Offers bytes as a file to download (a proof, a binding, the audit): written
 * to a temporary file in HOME/tmp that the server removes once sent. */
static int download_bytes(struct call *c, const char *bytes, size_t len, const char *name, const char *type,
			  struct gs_diag *d)
{
	struct local_download *dl = &c->out->download;
	size_t off = 0;
	int fd;

	snprintf(dl->path, sizeof(dl->path), "%s/tmp/download-XXXXXX", node_home(c->n));
	fd = mkstemp(dl->path);
	if (fd < 0) {
		dl->path[0] = 0;
		return gs_diag_set(d, GS_EIO, "cannot make a file in %s/tmp: %s", node_home(c->n), strerror(errno));
	}
	while (off < len) {
		ssize_t k = write(fd, bytes + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			close(fd);
			unlink(dl->path);
			dl->path[0] = 0;
			return gs_diag_set(d, GS_EIO, "cannot write the file to send");
		}
		off += (size_t)k;
	}
	close(fd);
	snprintf(dl->name, sizeof(dl->name), "%s", name);
	snprintf(dl->type, sizeof(dl->type), "%s", type);
	dl->unlink_after = 1;
	return 0;
}

/* The proof file, for a download. */
static int proof_file(struct call *c, const char *proof, size_t len, const char *origin, uint64_t index,
		      struct gs_diag *d)
{
	char name[GS_MAX_NAME], file[GS_MAX_NAME + 32];
	size_t i;

	snprintf(name, sizeof(name), "%s", origin);
	for (i = 0; name[i]; i++)
		if (name[i] == '/')
			name[i] = '-';
	snprintf(file, sizeof(file), "%s%.100s-%llu.proof", node_self(c->n)->exercise ? "EXERCISE " : "", name,
		 (unsigned long long)index);
	return download_bytes(c, proof, len, file, "text/plain; charset=utf-8", d);
}

unsigned h_view_proof(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct ledger_proof *pf = NULL;
	struct ledger_verified *vf = NULL;
	char peer[GS_MAX_CODE], origin[GS_MAX_NAME];
	const char *s = local_arg(c, "index"), *dl = local_arg(c, "download");
	char *proof = NULL;
	size_t len = 0;
	uint64_t index;
	unsigned status;
	int ret;

	if ((status = peer_of(c, peer, reply)))
		return status;
	if (!s)
		return bad_arg(reply, "index", "", "given: which entry to prove", c->r->url);
	if (parse_u64(s, &index))
		return bad_arg(reply, "index", s, "an entry index (a decimal number)", c->r->url);
	if (dl && strcmp(dl, "0") && strcmp(dl, "1"))
		return bad_arg(reply, "download", dl, "0 or 1", c->r->url);
	ledger_origin(node_self(c->n)->code, node_self(c->n)->exercise, peer, origin);
	pf = malloc(sizeof(*pf));
	vf = malloc(sizeof(*vf));
	if (!pf || !vf) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = ledger_proof_make(c->n, peer, index, &proof, &len, &d)))
		goto out;
	/* what anyone holding this node's identity would check */
	if ((ret = ledger_proof_parse(proof, len, pf, &d)) || (ret = ledger_verify_proof(&(*node_self(c->n)), pf, vf, &d))) {
		gs_diag_prefix(&d, "the proof of entry %llu of '%s' does not verify", (unsigned long long)index, origin);
		goto out;
	}
	if (dl && !strcmp(dl, "1")) {
		ret = proof_file(c, proof, len, origin, index, &d);
		goto out;
	}
	*reply = json_pack("{s:s,s:s,s:I,s:I,s:s%,s:b,s:o}", "origin", origin, "peer", peer[0] ? peer : "internal",
			   "index", (json_int_t)index, "size", (json_int_t)vf->cp.size, "proof", proof, len,
			   "verified", 1, "entry", entry_json(vf->index, &vf->entry, vf->leaf));
out:
	free(proof);
	free(pf);
	free(vf);
	if (ret)
		return local_fail(ret, &d, reply);
	return MHD_HTTP_OK;
}

/* ---- the audit ---- */

#define AUDIT_PAGE_DEFAULT 50
#define AUDIT_PAGE_MAX 1000

struct audit_args {
	struct audit_filter f;
	json_t *echo;    /* the filter as given, for the reply */
	const char *export;
	struct call *c;
	struct gs_diag *d;
	unsigned status;
	json_t **reply;
};

static int audit_arg(void *ctx, const char *name)
{
	struct audit_args *a = ctx;
	const char *v = local_arg(a->c, name);
	int ret;

	if (!strcmp(name, "offset") || !strcmp(name, "limit"))
		return 0;
	if (!strcmp(name, "export")) {
		a->export = v;
		if (!v || (strcmp(v, "csv") && strcmp(v, "json"))) {
			a->status = bad_arg(a->reply, "export", v ? v : "", "csv or json", a->c->r->url);
			return 1;
		}
		return 0;
	}
	if (v && !*v) /* an empty filter is no filter */
		return 0;
	ret = audit_filter_set(&a->f, name, v, node_self(a->c->n)->zone, a->d);
	if (ret == GS_ENOTFOUND) {
		*a->reply = local_error("unknown query argument '%.64s' (kind, person, item, party, log, since, until, "
					"offset, limit, export)", name);
		a->status = MHD_HTTP_BAD_REQUEST;
		return 1;
	}
	if (ret) {
		*a->reply = local_error("%s: %s", a->c->r->url, a->d->msg);
		a->status = MHD_HTTP_BAD_REQUEST;
		return 1;
	}
	json_object_set_new(a->echo, name, json_string(v));
	return 0;
}

/* GET /v1/local/audit?kind=&person=&item=&party=&log=&since=&until=
 * [&offset=&limit=] | [&export=csv|json]: the ledger's entries that match,
 * newest first, a page at a time, or all of them as a file. */
unsigned h_view_audit(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct audit_args a;
	const char *s;
	uint64_t offset = 0, limit = AUDIT_PAGE_DEFAULT, total, i;
	json_t *rows = NULL, *page;
	gs_instant now;
	char *text = NULL, name[128];
	size_t len = 0;
	int ret;

	memset(&a, 0, sizeof(a));
	audit_filter_init(&a.f);
	a.c = c;
	a.d = &d;
	a.reply = reply;
	if (!(a.echo = json_object()))
		return local_fail(GS_ENOMEM, &d, reply);
	if (c->r->args_each && c->r->args_each(c->r->arg_ctx, audit_arg, &a)) {
		json_decref(a.echo);
		return a.status;
	}
	if ((s = local_arg(c, "offset")) && parse_u64(s, &offset)) {
		json_decref(a.echo);
		return bad_arg(reply, "offset", s, "a number of entries to skip", c->r->url);
	}
	if ((s = local_arg(c, "limit")) && (parse_u64(s, &limit) || limit < 1 || limit > AUDIT_PAGE_MAX)) {
		json_decref(a.echo);
		return bad_arg(reply, "limit", s, "a number from 1 to 1000", c->r->url);
	}
	if ((ret = node_now(c->n, &now, &d)) || (ret = audit_collect(c->n, &a.f, true, &rows, &d))) {
		json_decref(a.echo);
		return local_fail(ret, &d, reply);
	}
	total = json_array_size(rows);
	snprintf(name, sizeof(name), "%sgsomia-%s-audit.%s", node_self(c->n)->exercise ? "EXERCISE " : "", node_self(c->n)->code,
		 a.export ? a.export : "json");
	if (a.export && !strcmp(a.export, "csv")) {
		if (!(ret = audit_csv(rows, &text, &len, &d)))
			ret = download_bytes(c, text, len, name, "text/csv; charset=utf-8", &d);
	} else if (a.export) {
		json_t *o = json_pack("{s:s,s:o,s:O,s:I,s:O}", "node", node_self(c->n)->code, "at", jinstant(now), "filter",
				      a.echo, "total", (json_int_t)total, "entries", rows);

		text = o ? json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		ret = text ? download_bytes(c, text, strlen(text), name, "application/json", &d)
			   : gs_diag_set(&d, GS_ENOMEM, "out of memory");
	}
	free(text);
	if (a.export) {
		json_decref(rows);
		json_decref(a.echo);
		if (ret)
			return local_fail(ret, &d, reply);
		*reply = json_pack("{s:I}", "total", (json_int_t)total);
		return MHD_HTTP_OK;
	}
	page = json_array();
	for (i = offset; page && i < total && i < offset + limit; i++)
		json_array_append(page, json_array_get(rows, (size_t)i));
	json_decref(rows);
	if (!page) {
		json_decref(a.echo);
		return local_fail(GS_ENOMEM, &d, reply);
	}
	*reply = json_pack("{s:o,s:o,s:I,s:I,s:I,s:o,s:o}", "at", jinstant(now), "filter", a.echo, "total",
			   (json_int_t)total, "offset", (json_int_t)offset, "limit", (json_int_t)limit, "next",
			   offset + limit < total ? json_integer((json_int_t)(offset + limit)) : json_null(), "entries",
			   page);
	return MHD_HTTP_OK;
}

/* GET /v1/local/items/{id}/binding: the item's STANAG 4778 binding of
 * its labels to its payload (docs/labels.md), signed now with the node's
 * label key, as a file (named EXERCISE on an exercise node, as every file
 * the node offers is: docs/console.md). */
unsigned h_view_binding(struct call *c, json_t **reply)
{
	static const char *const known[] = { NULL };
	struct label_binding_info *info = NULL;
	struct gs_diag d = { { 0 } };
	char id[GS_MAX_ID], name[GS_MAX_ID + 32];
	char *xml = NULL;
	size_t len = 0;
	unsigned status;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if (local_path_segment(c->r->url, 3, id, sizeof(id)) || !ident_id_is_valid(id)) {
		*reply = local_error("%s: not an item id", c->r->url);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (!(info = calloc(1, sizeof(*info))))
		return local_fail(GS_ENOMEM, &d, reply);
	ret = node_label_binding(c->n, id, &xml, &len, info, &d);
	if (ret == GS_ENOTFOUND && !d.msg[0])
		gs_diag_set(&d, ret, "no item '%s' is held here", id);
	if (!ret) {
		snprintf(name, sizeof(name), "%s%s.bdo", node_self(c->n)->exercise ? "EXERCISE " : "", id);
		ret = download_bytes(c, xml, len, name, "application/xml", &d);
	}
	free(xml);
	free(info);
	if (ret)
		return local_fail(ret, &d, reply);
	*reply = json_pack("{s:s}", "binding", name);
	return MHD_HTTP_OK;
}
