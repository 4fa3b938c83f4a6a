/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attention.h"
#include "core/inspection.h"
#include "node/agreements.h"
#include "node/attention.h"
#include "node/consent.h"
#include "node/incident.h"
#include "node/record.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/banned.h"

struct gather {
	struct node *n;
	gs_instant now;
	int64_t within;
	json_t *items;
	int inspection_days; /* the shortest inspection interval of the agreements held, 0 = none */
	struct gs_diag *d;
};

/* Adds an item if due falls within the window (or is overdue). */
__attribute__((format(printf, 6, 7)))
static void add(struct gather *g, enum attention_kind k, const char *subject, const char *agreement, gs_instant due,
		const char *fmt, ...)
{
	enum attention_urgency u = attention_classify(due, g->now, g->within);
	char what[GS_MAX_LINE];
	va_list ap;

	if (u == ATTN_LATER)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	json_array_append_new(g->items, json_pack("{s:s,s:s,s:s,s:o,s:b,s:s}", "kind", attention_kind_name(k), "subject",
						  subject, "agreement", agreement ? agreement : "", "due", jinstant(due),
						  "overdue", u == ATTN_OVERDUE, "what", what));
}

static void local(gs_instant t, int32_t zone, char out[GS_INSTANT_STR])
{
	instant_format_local(t, zone, out);
}

/* ---- agreements: notice deadlines, pending ends, inspection intervals ---- */

static int agreement_one(void *ctx, const char *id, int version)
{
	struct gather *g = ctx;
	const struct agreement_view *v;
	const struct agreement *a;
	struct lifecycle_status *st = calloc(1, sizeof(*st));
	char when[GS_INSTANT_STR], day[GS_DATE_STR];

	(void)version;
	if (!st)
		return GS_ENOMEM;
	/* an agreement whose evidence does not verify has no deadline to show */
	if (agreement_view_cached(g->n, id, &v, NULL) || agreement_view_status(v, g->now, st)) {
		free(st);
		return 0;
	}
	a = agreement_view_base(v);
	if (a->kind == AGREEMENT_TREATY && agreement_party_index(a, g->n->self.code) >= 0 &&
	    a->rules.inspection_interval_days > 0 &&
	    (!g->inspection_days || a->rules.inspection_interval_days < g->inspection_days))
		g->inspection_days = a->rules.inspection_interval_days;
	if (st->has_notice_deadline && st->state == STATE_IN_FORCE) {
		/* the end of the last timely day, in the agreement's zone */
		gs_instant due = date_midnight(date_add_days(st->notice_deadline, 1), a->zone) - 1;

		date_format(st->notice_deadline, day);
		if (st->term_end != GS_INSTANT_NONE)
			local(st->term_end, a->zone, when);
		add(g, ATTN_NOTICE_DEADLINE, id, id, due,
		    "agreement '%s': the last day for a party to give notice of termination for the anniversary %s is %s",
		    id, st->term_end != GS_INSTANT_NONE ? when : "ahead", day);
	}
	if (st->terminates_at != GS_INSTANT_NONE && st->state == STATE_NOTICE_PENDING) {
		local(st->terminates_at, a->zone, when);
		add(g, ATTN_AGREEMENT_ENDS, id, id, st->terminates_at,
		    "agreement '%s' ends at %s by a pending notice; nothing new may be released after that", id, when);
	}
	free(st);
	return 0;
}

/* ---- persons and facilities -------------------------------------------------- */

static int person_one(void *ctx, const struct person *p)
{
	struct gather *g = ctx;
	char when[GS_INSTANT_STR];

	if (!p->psc.level[0] || p->psc.valid_until == GS_INSTANT_NONE)
		return 0;
	local(p->psc.valid_until, g->n->self.zone, when);
	add(g, ATTN_PSC_EXPIRING, p->id, NULL, p->psc.valid_until, "%s's PSC (%s) %s %s", p->name[0] ? p->name : p->id,
	    p->psc.level, p->psc.valid_until <= g->now ? "expired at" : "expires at", when);
	return 0;
}

static int facility_one(void *ctx, const struct facility *f)
{
	struct gather *g = ctx;
	gs_instant due = inspection_due(f, g->inspection_days);
	char when[GS_INSTANT_STR];

	if (due == GS_INSTANT_NONE)
		return 0;
	local(due, g->n->self.zone, when);
	add(g, ATTN_INSPECTION_DUE, f->id, NULL, due,
	    "contractor facility '%s': its periodic security inspection (every %d days, Art 16(g)) is due %s", f->id,
	    g->inspection_days, when);
	return 0;
}

/* ---- releases without a receipt ------------------------------------------------ */

static int release_one(void *ctx, const char *bundle, const char *json, int has_receipt)
{
	struct gather *g = ctx;
	const struct agreement_view *v;
	json_t *o;
	gs_instant at = GS_INSTANT_NONE;
	int days = 7;
	char when[GS_INSTANT_STR];

	if (has_receipt)
		return 0;
	if (!(o = json_loads(json, 0, NULL)))
		return GS_EIO;
	if (!instant_parse(jstr(o, "released_at"), 0, &at)) {
		if (!agreement_view_cached(g->n, jstr(o, "agreement"), &v, NULL))
			days = agreement_view_base(v)->rules.receipt_deadline_days;
		local(at + (gs_instant)days * 86400, g->n->self.zone, when);
		add(g, ATTN_RECEIPT_OVERDUE, jstr(o, "item"), jstr(o, "agreement"), at + (gs_instant)days * 86400,
		    "item '%s' released to %s (bundle %.16s): no receipt yet; due within %d days, by %s", jstr(o, "item"),
		    jstr(o, "recipient"), bundle, days, when);
	}
	json_decref(o);
	return 0;
}

/* ---- incidents, consents, visits ------------------------------------------------- */

static void incidents(struct gather *g, json_t *all)
{
	json_t *o;
	size_t i;

	json_array_foreach(all, i, o) {
		gs_instant due = GS_INSTANT_NONE;

		instant_parse(jstr(o, "notify_deadline"), 0, &due);
		if (json_array_size(json_object_get(o, "missed")) > 0) {
			add(g, ATTN_INCIDENT, jstr(o, "id"), jstr(o, "agreement"), due,
			    "incident %s on item '%s': the originator was notified after the deadline %s (Art 17)",
			    jstr(o, "id"), jstr(o, "item"), jstr(o, "notify_deadline"));
		} else if (strcmp(jstr(o, "state"), "results-sent")) {
			/* the investigation's results and measures are still owed (Art 17) */
			add(g, ATTN_INCIDENT, jstr(o, "id"), jstr(o, "agreement"), GS_INSTANT_NONE,
			    "incident %s on item '%s' is %s: the results and the measures against recurrence are "
			    "still to be sent (Art 17)", jstr(o, "id"), jstr(o, "item"), jstr(o, "state"));
		}
	}
}

static void consents(struct gather *g, json_t *all)
{
	json_t *o;
	size_t i;

	json_array_foreach(all, i, o) {
		gs_instant exp = GS_INSTANT_NONE;
		char when[GS_INSTANT_STR];

		if (strcmp(jstr(o, "state"), "valid") || instant_parse(jstr(o, "expires"), 0, &exp))
			continue;
		local(exp, g->n->self.zone, when);
		add(g, ATTN_CONSENT_EXPIRING, jstr(o, "id"), NULL, exp,
		    "consent %.16s from %s (%s, %s %s%s%s) expires at %s", jstr(o, "id"), jstr(o, "originator"),
		    jstr(o, "kind"), *jstr(o, "item") ? "item" : "topic", *jstr(o, "item") ? jstr(o, "item") : jstr(o, "topic"),
		    *jstr(o, "third_party") ? ", for " : "", jstr(o, "third_party"), when);
	}
}

static void visits(struct gather *g, json_t *all)
{
	json_t *o;
	size_t i;

	json_array_foreach(all, i, o) {
		gs_instant from = GS_INSTANT_NONE;
		const char *state = jstr(o, "state");
		bool host = !strcmp(jstr(o, "host"), g->n->self.code);

		instant_parse(jstr(o, "from"), 0, &from);
		/* a request waits for an answer whatever its dates: undated */
		if (!strcmp(state, "requested"))
			add(g, ATTN_VISIT, jstr(o, "id"), jstr(o, "agreement"), GS_INSTANT_NONE,
			    host ? "visit %.16s of %s to facility '%s' from %s awaits this node's answer (Art 8)"
				 : "visit %.16s of %s to facility '%s' from %s awaits the host's answer",
			    jstr(o, "id"), jstr(o, "visitor"), jstr(o, "facility"), jstr(o, "from"));
		else if (!strcmp(state, "approved") && !strcmp(jstr(o, "phase"), "upcoming"))
			add(g, ATTN_VISIT, jstr(o, "id"), jstr(o, "agreement"), from,
			    "approved visit %.16s of %s to facility '%s' starts at %s (up to %s)", jstr(o, "id"),
			    jstr(o, "visitor"), jstr(o, "facility"), jstr(o, "from"), jstr(o, "max_level"));
	}
}

static int by_due(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *dx = json_string_value(json_object_get(x, "due")), *dy = json_string_value(json_object_get(y, "due"));

	/* undated items (something to answer) first, then by due instant:
	 * canonical UTC strings sort as instants */
	if (!dx || !dy)
		return (dx != NULL) - (dy != NULL);
	return strcmp(dx, dy);
}

int node_attention(struct node *n, int64_t within, json_t **out, struct gs_diag *d)
{
	struct gather g;
	json_t *inc = NULL, *cons = NULL, *vis = NULL, *sorted, *counts;
	json_t **arr = NULL;
	size_t i, nitems;
	int ret;

	*out = NULL;
	memset(&g, 0, sizeof(g));
	g.n = n;
	g.within = within;
	g.d = d;
	if ((ret = node_now(n, &g.now, d)))
		return ret;
	g.items = json_array();
	if ((ret = node_agreement_each(n, agreement_one, &g)) || (ret = node_person_each(n, person_one, &g)) ||
	    (ret = node_facility_each(n, facility_one, &g)) || (ret = store_release_each(n->st, "", release_one, &g))) {
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot read what the node follows");
		goto out;
	}
	if ((ret = node_incidents(n, &inc, d)) || (ret = node_consents(n, &cons, d)) || (ret = node_visits(n, &vis, d)))
		goto out;
	incidents(&g, inc);
	consents(&g, cons);
	visits(&g, vis);
	nitems = json_array_size(g.items);
	arr = calloc(nitems ? nitems : 1, sizeof(*arr));
	if (!arr) {
		ret = GS_ENOMEM;
		goto out;
	}
	for (i = 0; i < nitems; i++)
		arr[i] = json_array_get(g.items, i);
	qsort(arr, nitems, sizeof(*arr), by_due);
	sorted = json_array();
	counts = json_object();
	for (i = 0; i < ATTN_KINDS_; i++)
		json_object_set_new(counts, attention_kind_name((enum attention_kind)i), json_integer(0));
	for (i = 0; i < nitems; i++) {
		const char *k = jstr(arr[i], "kind");

		json_array_append(sorted, arr[i]);
		json_object_set_new(counts, k, json_integer(json_integer_value(json_object_get(counts, k)) + 1));
	}
	*out = json_pack("{s:o,s:I,s:I,s:o,s:o}", "at", jinstant(g.now), "within_seconds", (json_int_t)within, "total",
			 (json_int_t)nitems, "counts", counts, "items", sorted);
	ret = *out ? 0 : GS_ENOMEM;
out:
	free(arr);
	json_decref(g.items);
	json_decref(inc);
	json_decref(cons);
	json_decref(vis);
	return ret;
}
