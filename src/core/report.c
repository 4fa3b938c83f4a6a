/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "util/banned.h"

/* The order sections print in. */
static const char *const sections[] = { "releases", "receipts", "acknowledged", "onward", "consents", "refusals",
					"access",   "incidents", "visits",      "custody" };

static int section_rank(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!strcmp(s, sections[i]))
			return (int)i;
	return (int)i;
}

void report_tally_init(struct report_tally *t, gs_instant start, gs_instant end)
{
	memset(t, 0, sizeof(*t));
	t->start = start;
	t->end = end;
}

static void cp(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
}

/* Adds one to the row (section, peer, direction, originator, label, key). */
static int bump(struct report_tally *t, const char *section, const char *peer, const char *direction,
		const char *originator, const char *label, const char *key)
{
	struct report_row r;
	size_t i;

	memset(&r, 0, sizeof(r));
	cp(r.section, sizeof(r.section), section);
	cp(r.peer, sizeof(r.peer), peer);
	cp(r.direction, sizeof(r.direction), direction);
	cp(r.originator, sizeof(r.originator), originator);
	cp(r.label, sizeof(r.label), label);
	cp(r.key, sizeof(r.key), key);
	for (i = 0; i < t->nrows; i++) {
		struct report_row *x = &t->rows[i];

		if (!strcmp(x->section, r.section) && !strcmp(x->peer, r.peer) && !strcmp(x->direction, r.direction) &&
		    !strcmp(x->originator, r.originator) && !strcmp(x->label, r.label) && !strcmp(x->key, r.key)) {
			x->count++;
			return 0;
		}
	}
	if (t->nrows == REPORT_MAX_ROWS)
		return GS_ELIMIT;
	r.count = 1;
	t->rows[t->nrows++] = r;
	return 0;
}

static bool in_term(const struct report_tally *t, gs_instant at)
{
	return at != GS_INSTANT_NONE && at >= t->start && (t->end == GS_INSTANT_NONE || at < t->end);
}

/* An onward release: the item's originator is neither side of the leg. */
static bool onward(const struct report_event *e)
{
	return e->originator && e->originator[0] && strcmp(e->originator, e->self) && strcmp(e->originator, e->peer);
}

int report_count(struct report_tally *t, const struct report_event *e)
{
	int ret = 0;

	if (!in_term(t, e->at))
		return 0;
	switch (e->fact) {
	case FACT_RELEASE:
		ret = bump(t, "releases", e->peer, "out", e->originator, e->label, "");
		if (!ret && onward(e))
			ret = bump(t, "onward", e->peer, "out", e->originator, e->label, "");
		break;
	case FACT_RECEIPT:
		ret = bump(t, "receipts", e->peer, "in", e->originator, e->label, "");
		if (!ret && onward(e))
			ret = bump(t, "onward", e->peer, "in", e->originator, e->label, "");
		break;
	case FACT_ACKNOWLEDGED:
		ret = bump(t, "acknowledged", e->peer, "out", e->originator, e->label, "");
		break;
	case FACT_CONSENT:
		ret = bump(t, "consents", e->peer, e->made_here ? "out" : "in", e->originator, "", e->kind);
		break;
	case FACT_ACCESS_GRANT:
		ret = bump(t, "access", "", "", e->originator, "", "grant");
		break;
	case FACT_ACCESS_REFUSAL:
		ret = bump(t, "refusals", "", "", "", e->action && *e->action ? e->action : "open", e->rule);
		break;
	case FACT_INCIDENT:
		/* the notice says whether it was timely; the results end it */
		if (e->step && !strcmp(e->step, "notice"))
			ret = bump(t, "incidents", e->peer, "", e->originator, e->late ? "late" : "timely", e->kind);
		else if (e->step && !strcmp(e->step, "results"))
			ret = bump(t, "incidents", e->peer, "", e->originator, "results", e->kind);
		else
			return 0;
		break;
	case FACT_VISIT:
		ret = bump(t, "visits", e->peer, "", "", "", "");
		break;
	case FACT_DESTRUCTION:
		ret = bump(t, "custody", "", "", e->originator, "", "destruction");
		break;
	case FACT_RETURN:
		ret = bump(t, "custody", "", "", e->originator, "", "return");
		break;
	case FACT_COPY:
		ret = bump(t, "custody", "", "", e->originator, "", "copy");
		break;
	case FACT_TRANSLATION:
		ret = bump(t, "custody", "", "", e->originator, "", "translation");
		break;
	case FACT_RECLASSIFICATION:
		ret = bump(t, "custody", "", "", e->originator, "", "reclassification");
		break;
	default:
		return 0;
	}
	if (!ret)
		t->counted++;
	return ret;
}

static bool match(const char *field, const char *want)
{
	return !want || !strcmp(field, want);
}

uint64_t report_sum(const struct report_tally *t, const char *section, const char *peer, const char *direction,
		    const char *originator, const char *label, const char *key)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct report_row *r = &t->rows[i];

		if (match(r->section, section) && match(r->peer, peer) && match(r->direction, direction) &&
		    match(r->originator, originator) && match(r->label, label) && match(r->key, key))
			sum += r->count;
	}
	return sum;
}

static int row_cmp(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	int c = section_rank(x->section) - section_rank(y->section);

	if (c)
		return c;
	if ((c = strcmp(x->peer, y->peer)) || (c = strcmp(x->direction, y->direction)) ||
	    (c = strcmp(x->originator, y->originator)) || (c = strcmp(x->label, y->label)))
		return c;
	return strcmp(x->key, y->key);
}

void report_sort(struct report_tally *t)
{
	qsort(t->rows, t->nrows, sizeof(t->rows[0]), row_cmp);
}

int report_term_bounds(const struct agreement *a, bool signed_by_all, const struct dipnote *notes, size_t nnotes,
		       int term, gs_instant *start, gs_instant *end, struct gs_diag *d)
{
	struct lifecycle_status *st = malloc(sizeof(*st));
	/* a probe late enough to know the entry into force, early enough for
	 * the lifecycle's range (notes until 9000) */
	gs_instant t = (gs_instant)(8999 - 1970) * 31556952;
	int k, ret = 0;

	if (!st)
		return GS_ENOMEM;
	if (term < 1) {
		ret = gs_diag_set(d, GS_EUSAGE, "terms are numbered from 1");
		goto out;
	}
	if ((ret = lifecycle_state_at(a, signed_by_all, notes, nnotes, t, st)))
		goto out;
	if (st->in_force_since == GS_INSTANT_NONE) {
		ret = gs_diag_set(d, GS_ENOTFOUND, "agreement '%s' has never been in force: it has no terms", a->id);
		goto out;
	}
	t = st->in_force_since;
	for (k = 1;; k++) {
		if ((ret = lifecycle_state_at(a, signed_by_all, notes, nnotes, t, st)))
			goto out;
		if (st->term != k) {
			ret = gs_diag_set(d, GS_ENOTFOUND, "agreement '%s' ended during term %d: it has no term %d", a->id,
					  k - 1, term);
			goto out;
		}
		if (k == term) {
			*start = st->term_start;
			*end = st->term_end;
			goto out;
		}
		if (st->term_end == GS_INSTANT_NONE) {
			ret = gs_diag_set(d, GS_ENOTFOUND, "agreement '%s' has no term after term %d", a->id, k);
			goto out;
		}
		t = st->term_end;
	}
out:
	free(st);
	return ret;
}
