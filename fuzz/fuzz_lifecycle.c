/* SPDX-License-Identifier: Apache-2.0 */
/* The lifecycle replay on arbitrary agreements and note histories. The
 * input picks the agreement's term rules, then notes (kind, sender,
 * delivery as a step after the previous one, ...). Every note that
 * lifecycle_check_note() accepts joins the history; then:
 *  - every accepted note but a domestic one is applied by lifecycle_at();
 *  - lifecycle_at() and lifecycle_state_at() agree;
 *  - the state's instants are consistent with the instant asked about;
 *  - the history given in reverse order gives the same state;
 *  - members: at least two may release while the agreement is in force,
 *    none once it has terminated or before it is in force; instants
 *    consistent with the instant asked about.
 * Agreements have two to four parties and may be open to accession by
 * AUS and NZL. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreement.h"
#include "core/lifecycle.h"
#include "core/time.h"
#include "util/err.h"
#include "util/banned.h"

#define MAXN 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static const char *const codes[] = { "KOR", "JPN", "USA", "DEU", "AUS", "NZL" };

static void check_members(const struct lifecycle_status *s, gs_instant at)
{
	int i, open = 0;

	for (i = 0; i < s->nmembers; i++) {
		const struct lifecycle_member *m = &s->members[i];

		if (member_state_allows_release(m->state)) {
			open++;
			if (m->joined_at == GS_INSTANT_NONE || m->joined_at > at || m->left_at != GS_INSTANT_NONE)
				abort();
		}
		if (m->left_at != GS_INSTANT_NONE && m->left_at > at)
			abort();
		if ((m->state == MEMBER_NOTICE_PENDING) != (m->leaves_at != GS_INSTANT_NONE))
			abort();
		if (m->leaves_at != GS_INSTANT_NONE && m->leaves_at <= at)
			abort();
		if (m->original != (m->accession_at == GS_INSTANT_NONE))
			abort();
		if (lifecycle_member_find(s, m->code) != m)
			abort();
	}
	if (state_allows_release(s->state) ? open < 2 : open != 0)
		abort();
}

static bool members_equal(const struct lifecycle_status *x, const struct lifecycle_status *y)
{
	int i;

	if (x->nmembers != y->nmembers)
		return false;
	for (i = 0; i < x->nmembers; i++) {
		const struct lifecycle_member *p = &x->members[i], *q = &y->members[i];

		if (strcmp(p->code, q->code) || p->original != q->original || p->state != q->state ||
		    p->accession_at != q->accession_at || p->accepted_at != q->accepted_at ||
		    p->joined_at != q->joined_at || p->notice_at != q->notice_at ||
		    p->leaves_at != q->leaves_at || p->left_at != q->left_at)
			return false;
	}
	return true;
}

static void check_status(const struct agreement *a, const struct lifecycle_status *s, gs_instant at)
{
	check_members(s, at);
	switch (s->state) {
	case STATE_IN_FORCE:
	case STATE_NOTICE_PENDING:
	case STATE_NOTICE_SUSPENDED:
		if (s->term < 1 || s->in_force_since == GS_INSTANT_NONE || s->in_force_since > at ||
		    s->term_start > at)
			abort();
		if (a->term.model == TERM_ANNUAL) {
			if (at >= s->term_end || !s->has_notice_deadline ||
			    date_cmp(s->notice_deadline, date_of_instant(s->term_end, a->zone)) > 0)
				abort();
		} else if (s->term != 1 || s->term_end != GS_INSTANT_NONE || s->has_notice_deadline) {
			abort();
		}
		/* a notice pending may end the agreement itself, or only
		 * its sender's membership */
		if (s->state != STATE_NOTICE_PENDING && s->terminates_at != GS_INSTANT_NONE)
			abort();
		if (s->terminates_at != GS_INSTANT_NONE && s->terminates_at <= at)
			abort();
		break;
	case STATE_TERMINATED:
		if (s->term != 0 || s->terminates_at == GS_INSTANT_NONE || s->terminates_at > at ||
		    s->term_end != GS_INSTANT_NONE || s->has_notice_deadline)
			abort();
		break;
	default:
		if (s->term != 0 || s->in_force_since != GS_INSTANT_NONE)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct agreement a;
	static struct dipnote hist[MAXN], rev[MAXN];
	static struct lifecycle_status s1, s2;
	struct input in = { data, size };
	struct dipnote c;
	struct gs_diag d;
	gs_instant t = date_midnight((struct gs_date){ 2016, 1, 1 }, 9 * 3600), at;
	size_t n = 0, i;
	unsigned b;
	bool signed_by_all;

	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "X-1");
	b = take(&in);
	a.nparties = 2 + (int)(b % 3);
	for (i = 0; i < (size_t)a.nparties; i++)
		snprintf(a.parties[i], sizeof(a.parties[i]), "%s", codes[i]);
	a.term.accession = (enum accession_rule)((b / 3) % 3);
	if (a.term.accession == ACCESSION_BY_DEPOSITARY)
		snprintf(a.term.depositary, sizeof(a.term.depositary), "%s", codes[(b / 9) % 2]);
	a.zone = ((int)(take(&in) % 37) - 18) * 3600;
	a.signed_on = (struct gs_date){ 2016, 1 + (int)(take(&in) % 12), 1 + (int)(take(&in) % 28) };
	b = take(&in);
	a.term.eif = (enum eif_rule)(b % 3);
	a.term.model = (enum term_model)((b / 3) % 2);
	a.term.leap_day = (enum gs_leap_day)((b / 6) % 2);
	a.term.notice_rule = (enum notice_rule)((b / 12) % 2);
	a.term.late_notice = (enum late_notice)((b / 24) % 2);
	a.term.suspension = (enum suspension_policy)((b / 48) % 2);
	a.term.eif_days = (int)take(&in);
	a.term.notice_days = (int)(take(&in) * 2);
	b = take(&in);
	a.term.notice_period = (struct gs_period){ (int)(b % 3), (int)(b / 3 % 13), (int)(b / 39) };
	signed_by_all = take(&in) & 1;

	while (in.n > 0 && n < MAXN) {
		memset(&c, 0, sizeof(c));
		snprintf(c.agreement, sizeof(c.agreement), "X-1");
		b = take(&in);
		c.kind = (enum dipnote_kind)(b % 7);
		c.withdraws = (enum withdraw_what)((b / 7) % 3);
		snprintf(c.from, sizeof(c.from), "%s", codes[(b / 21) % 6]);
		/* steps from seconds to about a year */
		b = take(&in);
		t += (gs_instant)(b & 0x3f) * ((b & 0x40) ? 86400 * 7 : 3600) + ((b & 0x80) ? 1 : 0);
		c.delivered = t;
		b = take(&in);
		c.terminate_at = b & 1 ? GS_INSTANT_NONE : t + ((gs_instant)b - 128) * 86400;
		c.version = (int)(b % 4);
		c.effective = date_add_days(date_of_instant(t, 0), (int)(b % 64));
		if (c.kind == DIPNOTE_ACCESSION_ACCEPTANCE)
			snprintf(c.acceding, sizeof(c.acceding), "%s", codes[(b / 2) % 6]);
		if (lifecycle_check_note(&a, signed_by_all, hist, n, &c, &d) == 0)
			hist[n++] = c;
	}

	for (i = 0; i <= n; i++) {
		at = i < n ? hist[i].delivered : t + 400LL * 86400;
		if (lifecycle_at(&a, signed_by_all, hist, n, at, &s1) ||
		    lifecycle_state_at(&a, signed_by_all, hist, n, at, &s2))
			abort();
		if (s1.state != s2.state || s1.term != s2.term || s1.term_end != s2.term_end ||
		    s1.terminates_at != s2.terminates_at || s1.version != s2.version ||
		    s1.nevents != s2.nevents || !members_equal(&s1, &s2))
			abort();
		check_status(&a, &s1, at);
	}
	if (lifecycle_at(&a, signed_by_all, hist, n, t + 400LL * 86400, &s1))
		abort();
	for (i = 0; i < (size_t)s1.nevents && i < GS_MAX_EVENTS; i++)
		if (hist[s1.events[i].note].kind != DIPNOTE_DOMESTIC_COMPLETE &&
		    s1.events[i].effect != EFFECT_APPLIED)
			abort();
	/* Reverse order (distinct instants only: ties keep array order). */
	for (i = 1; i < n; i++)
		if (hist[i].delivered == hist[i - 1].delivered)
			return 0;
	for (i = 0; i < n; i++)
		rev[i] = hist[n - 1 - i];
	if (lifecycle_state_at(&a, signed_by_all, rev, n, t + 400LL * 86400, &s2))
		abort();
	if (s1.state != s2.state || s1.term != s2.term || s1.terminates_at != s2.terminates_at ||
	    s1.version != s2.version || s1.nmembers != s2.nmembers)
		abort();
	return 0;
}
