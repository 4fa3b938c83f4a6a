/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/agreements.h"
#include "node/decisions.h"
#include "node/registers.h"
#include "util/banned.h"

/* Everything a decision reads, on the heap (the structs are large). */
struct scene {
	const struct agreement_view *view; /* kept by the node (agreement_view_cached) */
	struct lifecycle_status st;
	struct party originator, recipient;
	struct holding holding;
	struct person person;
	const struct facility *facility; /* kept by the node (node_facility_borrow) */
	bool have_view;
};

static void scene_free(struct scene *s)
{
	free(s);
}

/* The definition in effect at the instant (amendments), else version 1. */
static const struct agreement *in_effect(const struct scene *s)
{
	const struct agreement *a = agreement_view_version(s->view, s->st.version);

	return a ? a : agreement_view_base(s->view);
}

/* Builds the holding this node would hold: its own item (marked with the
 * original label) or one received from the originator under agreement a
 * (marked as the agreement's marking mode says). */
static int make_holding(struct node *n, struct scene *s, const struct agreement *a,
			const struct decide_query *q, struct gs_diag *d)
{
	struct holding *h = &s->holding;
	struct decision md = { 0 };

	memset(h, 0, sizeof(*h));
	snprintf(h->item.id, sizeof(h->item.id), "%s", "hypothetical");
	snprintf(h->item.originator, sizeof(h->item.originator), "%s", s->originator.code);
	snprintf(h->item.label, sizeof(h->item.label), "%s", q->label);
	snprintf(h->item.purpose, sizeof(h->item.purpose), "%s", q->purpose ? q->purpose : "");
	snprintf(h->item.topic, sizeof(h->item.topic), "%s", q->topic ? q->topic : "");
	h->item.form = FORM_DOCUMENT;
	snprintf(h->holder, sizeof(h->holder), "%s", n->self.code);
	h->status = ITEM_ACTIVE;
	h->released_at = GS_INSTANT_NONE;
	if (scheme_find(&s->originator.scheme, q->label) < 0)
		return gs_diag_set(d, GS_EINVAL, "unknown classification label '%s' in the scheme of %s",
				   q->label, s->originator.code);
	if (!strcmp(s->originator.code, n->self.code) || !a) {
		h->marking.nlabels = 1;
		snprintf(h->marking.labels[0], sizeof(h->marking.labels[0]), "%s", q->label);
		snprintf(h->marking.originator_name, sizeof(h->marking.originator_name), "%s",
			 s->originator.name);
		return 0;
	}
	snprintf(h->agreement, sizeof(h->agreement), "%s", a->id);
	h->agreement_version = a->version;
	snprintf(h->released_by, sizeof(h->released_by), "%s", s->originator.code);
	h->released_at = q->at;
	{
		const struct annex_version *v = agreement_annex_at(a, date_of_instant(q->at, a->zone));

		if (!v)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s' has no annex in effect at that instant", a->id);
		if (decide_marking(a, v, &s->originator, &n->self, q->label, &h->marking, &md) || !md.permit) {
			char reason[GS_MAX_LINE];

			decision_reason(&md, reason, sizeof(reason));
			return gs_diag_set(d, GS_EDENIED, "%s", reason);
		}
	}
	return 0;
}

/* The engine returns GS_EDENIED with the decision filled in for a deny:
 * that is an answer, not a failure. */
static int answered(int ret)
{
	return ret == GS_EDENIED || ret == GS_EINVAL ? 0 : ret;
}

static int load_scene(struct node *n, const struct decide_query *q, struct scene **out, struct gs_diag *d)
{
	struct scene *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return GS_ENOMEM;
	if (q->agreement) {
		if ((ret = agreement_view_cached(n, q->agreement, &s->view, d)))
			goto fail;
		s->have_view = true;
		if (q->status)
			s->st = *q->status;
		else if ((ret = agreement_view_status(s->view, q->at, &s->st)))
			goto fail;
	}
	if (q->originator && strcmp(q->originator, n->self.code)) {
		if ((ret = node_party_get(n, q->originator, &s->originator, d)))
			goto fail;
	} else {
		s->originator = n->self;
	}
	if (q->to && (ret = node_party_get(n, q->to, &s->recipient, d)))
		goto fail;
	*out = s;
	return 0;
fail:
	scene_free(s);
	return ret;
}

int node_decide_release(struct node *n, const struct decide_query *q, struct decision *out,
			struct gs_diag *d)
{
	struct scene *s;
	const struct agreement *a;
	int ret;

	if ((ret = load_scene(n, q, &s, d)))
		return ret;
	a = in_effect(s);
	if (!(ret = make_holding(n, s, agreement_party_index(a, s->originator.code) >= 0 ? a : NULL, q, d)))
		ret = answered(decide_release(a, &s->st, &s->originator, &s->recipient, &s->holding,
					      n->self.code, q->to, NULL, 0, q->at, out));
	scene_free(s);
	return ret;
}

int node_decide_access(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d)
{
	struct scene *s;
	const struct agreement *a;
	int ret;

	if ((ret = load_scene(n, q, &s, d)))
		return ret;
	a = in_effect(s);
	if ((ret = node_person_get(n, q->person, &s->person, d)))
		goto out;
	if (q->facility || s->person.facility[0]) {
		if ((ret = node_facility_borrow(n, q->facility ? q->facility : s->person.facility, &s->facility, d)))
			goto out;
	} else {
		ret = gs_diag_set(d, GS_EUSAGE, "person '%s' has no facility: give --facility", q->person);
		goto out;
	}
	if ((ret = make_holding(n, s, a, q, d)))
		goto out;
	snprintf(s->holding.facility, sizeof(s->holding.facility), "%s", s->facility->id);
	ret = answered(decide_access(a, &n->self, &s->holding, &s->person, s->facility, NULL, 0,
				     q->at, out));
out:
	scene_free(s);
	return ret;
}

int node_decide_onward(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d)
{
	struct scene *s;
	int ret;

	if ((ret = load_scene(n, q, &s, d)))
		return ret;
	if (!(ret = make_holding(n, s, NULL, q, d)))
		ret = answered(decide_onward(s->have_view ? in_effect(s) : NULL, &s->holding, n->self.code,
					     q->to, q->purpose, NULL, 0, q->at, out));
	scene_free(s);
	return ret;
}
