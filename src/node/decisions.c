/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/agreements.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/banned.h"

int node_ruled(int engine_ret, const char *question, struct gs_diag *d)
{
	int ret = decide_error(engine_ret);

	if (ret == 0)
		return 0;
	return gs_diag_set(d, GS_EINTERNAL, "the rules could not decide the %s: they were asked with "
			   "impossible input (%s); nothing was done", question, gs_strerror(ret));
}

/* What a judgement returns: a deny by the engine (GS_EDENIED, the decision
 * filled in) is an answer, 0; impossible input is a defect (node_ruled);
 * any other error (GS_ENOMEM, GS_EIO from gathering the facts) passes on
 * as it is, never as a refusal. */
static int answered(int ret, const char *question, struct gs_diag *d)
{
	return ret == GS_EINVAL ? node_ruled(ret, question, d) : decide_error(ret);
}

/* The definition of agreement id in effect at `at` (amendments: the
 * version its lifecycle gives, else version 1) and its state then. The
 * view is the node's kept one (agreement_view_cached). */
static int agreement_as_of(struct node *n, const char *id, gs_instant at, const struct lifecycle_status *given,
			   struct lifecycle_status *st, const struct agreement **a, struct gs_diag *d)
{
	const struct agreement_view *v;
	int ret;

	if ((ret = agreement_view_cached(n, id, &v, d)))
		return ret;
	if (given)
		*st = *given; /* a history replayed otherwise (what-if without a note) */
	else if ((ret = agreement_view_status(v, at, st)))
		return gs_diag_set(d, ret, "cannot compute the state of '%s'", id);
	*a = agreement_view_version(v, st->version);
	if (!*a)
		*a = agreement_view_base(v);
	return 0;
}

static int agreement_in_effect(struct node *n, const char *id, gs_instant at, struct lifecycle_status *st,
			       const struct agreement **a, struct gs_diag *d)
{
	return agreement_as_of(n, id, at, NULL, st, a, d);
}

/* ---- release ----------------------------------------------------------- */

struct release_facts {
	struct lifecycle_status st;
	struct party originator, recipient;
};

/* node_judge_release() with the agreement's state given (NULL: the state
 * at `at` from the notes held). */
static int judge_release(struct node *n, const struct holding *h, const char *agreement, const char *to,
			 gs_instant at, const struct lifecycle_status *given, struct decision *out,
			 struct gs_diag *d)
{
	struct release_facts *f = calloc(1, sizeof(*f));
	const struct consent_set *cs;
	const struct agreement *a;
	const struct party *orig = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!f)
		return GS_ENOMEM;
	if ((ret = agreement_as_of(n, agreement, at, given, &f->st, &a, d)) ||
	    (ret = node_party_get(n, to, &f->recipient, d)))
		goto out;
	if (!strcmp(h->item.originator, n->self.code))
		orig = &n->self;
	else if (!node_party_get(n, h->item.originator, &f->originator, NULL))
		orig = &f->originator; /* else: named by its code */
	/* the consents are read last: the calls above may change the kept views */
	if ((ret = node_consents_borrow(n, &cs, d)))
		goto out;
	ret = answered(decide_release(a, &f->st, orig, &f->recipient, h, n->self.code, to, cs->c, cs->n, at,
				      out), "release", d);
out:
	free(f);
	return ret;
}

int node_judge_release(struct node *n, const struct holding *h, const char *agreement, const char *to,
		       gs_instant at, struct decision *out, struct gs_diag *d)
{
	return judge_release(n, h, agreement, to, at, NULL, out, d);
}

/* ---- onward release ---------------------------------------------------- */

static bool relies_on(const struct agreement *arr, const char *id)
{
	for (int i = 0; i < arr->nrelies && i < GS_MAX_RELIES_ON; i++)
		if (!strcmp(arr->relies_on[i], id))
			return true;
	return false;
}

/* Both ends of a leg routed under an arrangement take part in it at the
 * instant: a participant that left it routes nothing (docs/lifecycle.md,
 * "Members"). */
static int arrangement_members(const struct agreement *arr, const struct lifecycle_status *ast,
			       const char *self, const char *to, struct gs_diag *d)
{
	const char *who[2] = { self, to };

	for (int i = 0; i < 2 && ast->nmembers > 0; i++) {
		const struct lifecycle_member *m = lifecycle_member_find(ast, who[i]);

		if (!m || member_state_allows_release(m->state))
			continue; /* a non-participant: decide_onward names the route it breaks */
		return gs_diag_set(d, GS_EDENIED, "%s is %s in arrangement '%s': nothing is routed "
				   "to or by it", who[i], member_state_name(m->state), arr->id);
	}
	return 0;
}

int node_judge_onward(struct node *n, const struct holding *h, const char *arrangement,
		      const char *agreement, const char *to, gs_instant at, struct decision *out,
		      struct gs_diag *d)
{
	struct lifecycle_status *st = calloc(1, sizeof(*st));
	const struct agreement *arr = NULL;
	const struct consent_set *cs;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st)
		return GS_ENOMEM;
	if (arrangement) {
		if ((ret = agreement_in_effect(n, arrangement, at, st, &arr, d)))
			goto out;
		if (arr->kind != AGREEMENT_ARRANGEMENT) {
			ret = gs_diag_set(d, GS_EUSAGE, "'%s' is an agreement, not an arrangement: give it as --agreement",
					  arr->id);
			goto out;
		}
		if (!state_allows_release(st->state)) {
			ret = gs_diag_set(d, GS_EDENIED, "arrangement '%s' is %s: nothing may be routed under it",
					  arr->id, state_name(st->state));
			goto out;
		}
		if ((ret = arrangement_members(arr, st, n->self.code, to, d)))
			goto out;
		if (agreement && !relies_on(arr, agreement)) {
			ret = gs_diag_set(d, GS_EDENIED, "arrangement '%s' does not rely on agreement '%s'; refused",
					  arr->id, agreement);
			goto out;
		}
	}
	/* the route, the topic gate and the originator's consent */
	if ((ret = node_consents_borrow(n, &cs, d)))
		goto out;
	ret = answered(decide_onward(arr, h, n->self.code, to, NULL, cs->c, cs->n, at, out), "onward release", d);
	/* then the leg itself: in force, parties, annex, scope, consent again */
	if (!ret && out->permit && agreement)
		ret = node_judge_release(n, h, agreement, to, at, out, d);
out:
	free(st);
	return ret;
}

/* ---- access ------------------------------------------------------------ */

struct access_facts {
	struct lifecycle_status st;
	struct person person;
	struct facility *none; /* for a person with no facility (rare: not kept inline) */
};

int node_judge_access(struct node *n, const struct holding *h, const char *person,
		      const char *facility, const char *purpose, gs_instant at, struct decision *out,
		      struct gs_diag *d)
{
	struct access_facts *f = calloc(1, sizeof(*f));
	const struct consent_set *cs;
	const struct facility *fac;
	struct access_query q;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!f)
		return GS_ENOMEM;
	memset(&q, 0, sizeof(q));
	if ((ret = node_person_get(n, person, &f->person, d)))
		goto out;
	if (!facility || !facility[0])
		facility = f->person.facility;
	if ((ret = agreement_in_effect(n, h->agreement, at, &f->st, &q.agreement, d)) ||
	    (ret = node_consents_borrow(n, &cs, d)))
		goto out;
	if (!facility[0]) {
		/* no facility, no register: decide_access refuses (access.facility) */
		if (!(f->none = malloc(sizeof(*f->none)))) {
			ret = GS_ENOMEM;
			goto out;
		}
		facility_init(f->none);
		q.facility = f->none;
	} else if ((ret = node_facility_borrow(n, facility, &fac, d))) {
		goto out; /* borrowed last: valid until the next call about facilities */
	} else {
		q.facility = fac;
	}
	q.holder = &n->self;
	q.holding = h;
	q.person = &f->person;
	q.purpose = purpose;
	q.consents = cs->c;
	q.nconsents = cs->n;
	q.at = at;
	ret = decide_access(&q, out);
	/* a visitor's access and a sender's compromised key (node/visits.h) */
	ret = answered(node_access_amend(n, h, &f->person, q.facility, at, ret, out), "access", d);
out:
	free(f->none);
	free(f);
	return ret;
}

/* ---- hypothetical items ------------------------------------------------ */

/* Builds into h the holding the question is about (decisions.h). */
static int make_holding(struct node *n, const struct decide_query *q, const char *agreement,
			struct holding *h, struct gs_diag *d)
{
	struct party *orig;
	const struct agreement *a = NULL;
	struct lifecycle_status *st;
	struct decision md = { 0 };
	json_t *rec;
	int ret;

	memset(h, 0, sizeof(*h));
	if (q->item) {
		if ((ret = node_item_get(n, q->item, &rec, d)))
			return ret;
		item_to_holding(rec, h);
		json_decref(rec);
		return 0;
	}
	orig = calloc(1, sizeof(*orig));
	st = calloc(1, sizeof(*st));
	if (!orig || !st) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (q->originator && strcmp(q->originator, n->self.code)) {
		if ((ret = node_party_get(n, q->originator, orig, d)))
			goto out;
	} else {
		*orig = n->self;
	}
	if (!q->label || scheme_find(&orig->scheme, q->label) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "unknown classification label '%s' in the scheme of %s",
				  q->label ? q->label : "", orig->code);
		goto out;
	}
	if (agreement && (ret = agreement_in_effect(n, agreement, q->at, st, &a, d)))
		goto out;
	snprintf(h->item.id, sizeof(h->item.id), "%s", "hypothetical");
	snprintf(h->item.originator, sizeof(h->item.originator), "%s", orig->code);
	snprintf(h->item.label, sizeof(h->item.label), "%s", q->label);
	snprintf(h->item.purpose, sizeof(h->item.purpose), "%s", q->purpose ? q->purpose : "");
	snprintf(h->item.topic, sizeof(h->item.topic), "%s", q->topic ? q->topic : "");
	h->item.form = FORM_DOCUMENT;
	snprintf(h->holder, sizeof(h->holder), "%s", n->self.code);
	h->status = ITEM_ACTIVE;
	h->released_at = GS_INSTANT_NONE;
	if (a)
		snprintf(h->agreement, sizeof(h->agreement), "%s", a->id);
	if (!strcmp(orig->code, n->self.code) || !a || agreement_party_index(a, orig->code) < 0) {
		/* this node's own item, or one whose marking the question does not fix */
		h->marking.nlabels = 1;
		snprintf(h->marking.labels[0], sizeof(h->marking.labels[0]), "%s", q->label);
		snprintf(h->marking.originator_name, sizeof(h->marking.originator_name), "%s", orig->name);
		if (strcmp(orig->code, n->self.code))
			snprintf(h->released_by, sizeof(h->released_by), "%s", orig->code);
		ret = 0;
		goto out;
	}
	/* received from the originator under a, marked as a says */
	h->agreement_version = a->version;
	snprintf(h->released_by, sizeof(h->released_by), "%s", orig->code);
	h->released_at = q->at;
	{
		const struct annex_version *v = agreement_annex_at(a, date_of_instant(q->at, a->zone));

		if (!v) {
			ret = gs_diag_set(d, GS_ESTATE, "agreement '%s' has no annex in effect at that instant", a->id);
			goto out;
		}
		if ((ret = node_ruled(decide_marking(a, v, orig, &n->self, q->label, &h->marking, &md), "marking",
				      d)))
			goto out;
		if (!md.permit) {
			char reason[GS_MAX_LINE];

			decision_reason(&md, reason, sizeof(reason));
			ret = gs_diag_set(d, GS_EDENIED, "%s", reason);
			goto out;
		}
	}
	ret = 0;
out:
	free(orig);
	free(st);
	return ret;
}

int node_decide_release(struct node *n, const struct decide_query *q, struct decision *out,
			struct gs_diag *d)
{
	struct holding *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return GS_ENOMEM;
	/* the holding before the release: the releasing party's own */
	if (!(ret = make_holding(n, q, NULL, h, d)))
		ret = judge_release(n, h, q->agreement, q->to, q->at, q->status, out, d);
	free(h);
	return ret;
}

int node_decide_access(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d)
{
	struct holding *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return GS_ENOMEM;
	if (!(ret = make_holding(n, q, q->agreement, h, d))) {
		if (!q->item && q->facility)
			snprintf(h->facility, sizeof(h->facility), "%s", q->facility);
		ret = node_judge_access(n, h, q->person, q->facility, q->use, q->at, out, d);
	}
	free(h);
	return ret;
}

int node_decide_onward(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d)
{
	struct holding *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return GS_ENOMEM;
	if (!(ret = make_holding(n, q, NULL, h, d)))
		ret = node_judge_onward(n, h, q->arrangement, q->agreement, q->to, q->at, out, d);
	free(h);
	return ret;
}
