/* SPDX-License-Identifier: Apache-2.0 */
/* Known-answer tests for the agreement lifecycle: every lifecycle vector of docs/lifecycle.md
 * (KOR-JPN, default settings) and the configurable variants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agreement.h"
#include "core/lifecycle.h"
#include "core/time.h"
#include "util/err.h"
#include "util/banned.h"

#define KST (9 * 3600)

static struct agreement *kor_jpn(void)
{
	struct agreement *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	snprintf(a->id, sizeof(a->id), "KOR-JPN-2016");
	snprintf(a->title, sizeof(a->title), "Korea-Japan GSOMIA");
	a->version = 1;
	a->kind = AGREEMENT_TREATY;
	a->binding = true;
	a->nparties = 2;
	snprintf(a->parties[0], sizeof(a->parties[0]), "KOR");
	snprintf(a->parties[1], sizeof(a->parties[1]), "JPN");
	a->zone = KST;
	a->signed_on = (struct gs_date){ 2016, 11, 23 };
	a->term.eif = EIF_LATER_OF_NOTES;
	a->term.model = TERM_ANNUAL;
	a->term.leap_day = GS_LEAP_DAY_FEB28;
	a->term.notice_days = 90;
	a->term.notice_rule = NOTICE_LAST_DAY;
	a->term.late_notice = LATE_CARRY_FORWARD;
	a->term.suspension = SUSPENSION_STRICT_TREATY;
	return a;
}

static gs_instant T(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, KST, &t), 0);
	return t;
}

static struct gs_date D(const char *s)
{
	struct gs_date d;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* Appends a note to the history. */
static struct dipnote *add(struct dipnote *notes, size_t *n, enum dipnote_kind k,
			   const char *agreement, const char *from, const char *when)
{
	struct dipnote *x = &notes[(*n)++];

	memset(x, 0, sizeof(*x));
	snprintf(x->agreement, sizeof(x->agreement), "%s", agreement);
	x->kind = k;
	snprintf(x->from, sizeof(x->from), "%s", from);
	x->delivered = T(when);
	x->zone = KST;
	x->terminate_at = GS_INSTANT_NONE;
	return x;
}

/* The 2016 history: both domestic notes on the afternoon of 2016-11-23. */
static size_t history_2016(struct dipnote *notes)
{
	size_t n = 0;

	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "KOR", "2016-11-23T14:00:00+09:00");
	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "JPN", "2016-11-23T15:00:00+09:00");
	return n;
}

static struct lifecycle_status st;

static void at(const struct agreement *a, const struct dipnote *notes, size_t n, const char *when)
{
	struct lifecycle_status fast;

	assert_int_equal(lifecycle_at(a, true, notes, n, T(when), &st), 0);
	/* The fast path agrees on everything but the text. */
	assert_int_equal(lifecycle_state_at(a, true, notes, n, T(when), &fast), 0);
	assert_int_equal(fast.state, st.state);
	assert_int_equal(fast.term, st.term);
	assert_int_equal(fast.term_start, st.term_start);
	assert_int_equal(fast.term_end, st.term_end);
	assert_int_equal(fast.terminates_at, st.terminates_at);
	assert_int_equal(fast.version, st.version);
	assert_int_equal(fast.nevents, st.nevents);
	assert_string_equal(fast.reason, "");
	assert_true(st.reason[0] != '\0');
}

static void assert_deadline(const char *date)
{
	assert_true(st.has_notice_deadline);
	assert_int_equal(date_cmp(st.notice_deadline, D(date)), 0);
}

static void assert_instant(gs_instant t, const char *utc)
{
	char s[GS_INSTANT_STR];

	assert_true(t != GS_INSTANT_NONE);
	instant_format(t, s);
	assert_string_equal(s, utc);
}

/* docs/lifecycle.md vector: release at 2016-11-22T23:59+09:00 refused, at 2016-11-23T00:00+09:00 allowed. */
static void test_entry_into_force(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);

	(void)state;
	at(a, notes, n, "2016-11-22T23:59:00+09:00");
	assert_int_equal(st.state, STATE_SIGNED);
	assert_false(state_allows_release(st.state));
	assert_int_equal(st.term, 0);
	assert_int_equal(st.in_force_since, GS_INSTANT_NONE);
	assert_int_equal(st.term_end, GS_INSTANT_NONE);
	assert_false(st.has_notice_deadline);

	assert_int_equal(lifecycle_at(a, false, notes, 0, T("2016-11-22T23:59:00+09:00"), &st), 0);
	assert_int_equal(st.state, STATE_DRAFT);

	at(a, notes, n, "2016-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_true(state_allows_release(st.state));
	assert_int_equal(st.term, 1);
	assert_instant(st.in_force_since, "2016-11-22T15:00:00Z");
	assert_instant(st.term_start, "2016-11-22T15:00:00Z");
	assert_instant(st.term_end, "2017-11-22T15:00:00Z");
	assert_deadline("2017-08-24");
	assert_int_equal(st.terminates_at, GS_INSTANT_NONE);
	assert_int_equal(st.version, 1);
	assert_int_equal(st.nevents, 0); /* the notes came later that day */

	at(a, notes, n, "2016-11-23T16:00:00+09:00");
	assert_int_equal(st.nevents, 2);
	assert_int_equal(st.events[0].effect, EFFECT_APPLIED);
	assert_string_equal(st.events[0].what,
			    "domestic-procedures-complete note by KOR delivered 2016-11-23: "
			    "recorded; waiting for JPN");
	assert_string_equal(st.events[1].what,
			    "domestic-procedures-complete note by JPN delivered 2016-11-23: "
			    "every party has notified; in force from 2016-11-23T00:00:00+09:00");
	assert_int_equal(st.events[1].state_after, STATE_IN_FORCE);

	/* Only one party's note: not in force. */
	at(a, notes, 1, "2017-01-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_SIGNED);
	free(a);
}

static void test_terms_and_deadlines(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);

	(void)state;
	at(a, notes, n, "2019-11-22T23:59:59+09:00");
	assert_int_equal(st.term, 3);
	assert_deadline("2019-08-24");
	assert_instant(st.term_end, "2019-11-22T15:00:00Z");
	at(a, notes, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.term, 4);
	assert_instant(st.term_start, "2019-11-22T15:00:00Z");
	assert_deadline("2020-08-24");
	at(a, notes, n, "2123-01-01T00:00:00+09:00");
	assert_int_equal(st.term, 107);
	assert_deadline("2123-08-24");
	free(a);
}

/* docs/lifecycle.md vector: notice by KOR delivered 2019-08-23: valid; ends 2019-11-23T00:00+09:00 unless suspended. */
static void test_notice_0823(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4], *c;
	size_t n = history_2016(notes);
	struct gs_diag d;

	(void)state;
	c = add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T15:00:00+09:00");
	snprintf(c->to, sizeof(c->to), "JPN");
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, c, &d), 0);
	at(a, notes, n, "2019-09-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_true(state_allows_release(st.state));
	assert_int_equal(st.term, 3);
	assert_deadline("2019-08-24");
	assert_instant(st.terminates_at, "2019-11-22T15:00:00Z");
	assert_int_equal(st.nevents, 3);
	assert_string_equal(st.events[2].what,
			    "termination notice by KOR delivered 2019-08-23: timely; agreement ends "
			    "2019-11-23T00:00:00+09:00 unless suspended or withdrawn");
	assert_int_equal(st.events[2].note, 2);
	assert_int_equal(st.events[2].state_after, STATE_NOTICE_PENDING);

	/* The counterfactual: no suspension. In force one second before. */
	at(a, notes, n, "2019-11-22T23:59:59+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_true(state_allows_release(st.state));
	at(a, notes, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_false(state_allows_release(st.state));
	assert_int_equal(st.term, 0);
	assert_int_equal(st.term_start, GS_INSTANT_NONE);
	assert_int_equal(st.term_end, GS_INSTANT_NONE);
	assert_false(st.has_notice_deadline);
	assert_instant(st.terminates_at, "2019-11-22T15:00:00Z");
	assert_instant(st.in_force_since, "2016-11-22T15:00:00Z");
	assert_non_null(strstr(st.reason, "stays protected"));
	free(a);
}

static void notice_on(enum notice_rule rule, const char *when, const char *ends_utc)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);
	struct gs_diag d;

	a->term.notice_rule = rule;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", when);
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, &notes[n - 1], &d), 0);
	at(a, notes, n, "2019-09-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, ends_utc);
	assert_deadline(rule == NOTICE_LAST_DAY ? "2019-08-24" : "2019-08-25");
	free(a);
}

/* docs/lifecycle.md vector: 2019-08-24 valid under both rules; 2019-08-25: last-day carries
 * forward to 2020-11-23, anniversary valid for 2019. */
static void test_notice_rules(void **state)
{
	(void)state;
	notice_on(NOTICE_LAST_DAY, "2019-08-24T23:59:59+09:00", "2019-11-22T15:00:00Z");
	notice_on(NOTICE_ANNIVERSARY, "2019-08-24T10:00:00+09:00", "2019-11-22T15:00:00Z");
	notice_on(NOTICE_LAST_DAY, "2019-08-25T00:00:00+09:00", "2020-11-22T15:00:00Z");
	notice_on(NOTICE_ANNIVERSARY, "2019-08-25T10:00:00+09:00", "2019-11-22T15:00:00Z");
	notice_on(NOTICE_ANNIVERSARY, "2019-08-26T00:00:00+09:00", "2020-11-22T15:00:00Z");
	/* The day is the agreement's: 2019-08-24T16:00Z is 2019-08-25 in Seoul. */
	notice_on(NOTICE_LAST_DAY, "2019-08-24T16:00:00Z", "2020-11-22T15:00:00Z");
}

static void test_late_message(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);

	(void)state;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-25T09:00:00+09:00");
	at(a, notes, n, "2019-09-01T00:00:00+09:00");
	assert_string_equal(st.events[2].what,
			    "termination notice by KOR delivered 2019-08-25: late for 2019-11-23 "
			    "(last day 2019-08-24), carried forward; agreement ends "
			    "2020-11-23T00:00:00+09:00 unless suspended or withdrawn");
	/* Still in force after the 2019 anniversary, terminated at 2020's. */
	at(a, notes, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_int_equal(st.term, 4);
	at(a, notes, n, "2020-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	free(a);
}

/* Late notice refused under LATE_REFUSE. */
static void test_late_refused(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);
	struct gs_diag d;

	(void)state;
	a->term.late_notice = LATE_REFUSE;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-25T09:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, &notes[n - 1], &d), GS_EDENIED);
	assert_string_equal(d.msg, "agreement 'KOR-JPN-2016': termination notice by 'KOR' "
				   "delivered 2019-08-25 is late for 2019-11-23 (last day 2019-08-24)");
	at(a, notes, n, "2019-09-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_int_equal(st.events[2].effect, EFFECT_IGNORED);
	assert_non_null(strstr(st.events[2].what, "ineffective"));
	at(a, notes, n, "2020-12-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_int_equal(st.term, 5);
	free(a);
}

/* lifecycle_admit: which notes of a history apply. */
static int nignored;
static char ignored_what[4][256];

static void on_ignored(void *ctx, const struct dipnote *note, int err, const char *reason)
{
	(void)ctx;
	(void)err;
	snprintf(ignored_what[nignored++ % 4], sizeof(ignored_what[0]), "%s %s: %s",
		 dipnote_kind_name(note->kind), note->from, reason);
}

static void test_admit(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8];
	size_t n = history_2016(notes), k;

	(void)state;
	/* a late notice under LATE_REFUSE, then a timely one: the first is
	 * ignored and does not count against the second */
	a->term.late_notice = LATE_REFUSE;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-25T09:00:00+09:00");
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2020-08-20T09:00:00+09:00");
	nignored = 0;
	assert_int_equal(lifecycle_admit(a, true, notes, n, &k, on_ignored, NULL), 0);
	assert_int_equal(k, 3);
	assert_int_equal(nignored, 1);
	assert_non_null(strstr(ignored_what[0], "termination-notice KOR: agreement 'KOR-JPN-2016': "
					       "termination notice by 'KOR' delivered 2019-08-25 is late"));
	assert_int_equal(notes[2].delivered, T("2020-08-20T09:00:00+09:00"));
	at(a, notes, k, "2020-12-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);

	/* a backdated notice before a history that already holds the 2019
	 * notice: the 2019 notice no longer applies (terminated in 2018) */
	free(a);
	a = kor_jpn();
	n = history_2016(notes);
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2018-01-01T10:00:00+09:00");
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T15:00:00+09:00");
	nignored = 0;
	assert_int_equal(lifecycle_admit(a, true, notes, n, &k, on_ignored, NULL), 0);
	assert_int_equal(k, 3);
	assert_int_equal(nignored, 1);
	assert_non_null(strstr(ignored_what[0], "terminated at 2018-11-23T00:00:00+09:00"));
	/* until every party signed, nothing is judged */
	n = 4;
	assert_int_equal(lifecycle_admit(a, false, notes, n, &k, NULL, NULL), 0);
	assert_int_equal(k, 4);
	assert_int_equal(lifecycle_admit(a, true, NULL, 1, &k, NULL, NULL), GS_EINVAL);
	free(a);
}

/* The 2019-2023 history. */
static size_t history_2023(struct dipnote *notes)
{
	size_t n = history_2016(notes);

	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T15:00:00+09:00");
	add(notes, &n, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-22T18:00:00+09:00");
	add(notes, &n, DIPNOTE_WITHDRAWAL, "KOR-JPN-2016", "KOR", "2023-03-21T10:00:00+09:00")
		->withdraws = WITHDRAW_BOTH;
	return n;
}

/* docs/lifecycle.md vector: suspension 2019-11-22T18:00+09:00: no termination, term 4 begins;
 * release at 2019-11-23T00:00:01+09:00 allowed; withdrawal of both
 * 2023-03-21: in force, next deadline 2023-08-24. */
static void test_suspension_and_withdrawal(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8];
	size_t n = history_2023(notes);
	struct gs_diag d;
	size_t i;

	(void)state;
	for (i = 2; i < n; i++)
		assert_int_equal(lifecycle_check_note(a, true, notes, i, &notes[i], &d), 0);
	at(a, notes, n, "2019-11-22T18:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_int_equal(st.term, 3);
	assert_int_equal(st.terminates_at, GS_INSTANT_NONE);
	assert_string_equal(st.events[3].what,
			    "suspension of the termination notice by KOR delivered 2019-11-22: notice "
			    "suspended; the agreement does not end at 2019-11-23T00:00:00+09:00 and "
			    "keeps renewing");

	at(a, notes, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_int_equal(st.term, 4);
	assert_instant(st.term_start, "2019-11-22T15:00:00Z");
	assert_instant(st.term_end, "2020-11-22T15:00:00Z");
	assert_deadline("2020-08-24");
	at(a, notes, n, "2019-11-23T00:00:01+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_true(state_allows_release(st.state));

	at(a, notes, n, "2022-12-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_int_equal(st.term, 7);

	at(a, notes, n, "2023-03-21T09:59:59+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	at(a, notes, n, "2023-03-21T12:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_int_equal(st.term, 7);
	assert_deadline("2023-08-24");
	assert_instant(st.term_end, "2023-11-22T15:00:00Z");
	assert_instant(st.term_start, "2022-11-22T15:00:00Z");
	assert_int_equal(st.terminates_at, GS_INSTANT_NONE);
	assert_int_equal(st.nevents, 5);
	assert_string_equal(st.events[4].what,
			    "withdrawal of the termination notice and its suspension by KOR delivered "
			    "2023-03-21: back in force");
	assert_string_equal(st.reason,
			    "agreement 'KOR-JPN-2016' is in force since 2016-11-23T00:00:00+09:00; "
			    "term 7 ends 2023-11-23T00:00:00+09:00 and renews unless a party gives "
			    "notice by 2023-08-24");
	free(a);
}

/* Notes given out of delivery order give the same answer. */
static void test_unsorted(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8], shuffled[8];
	size_t n = history_2023(notes);
	static const int perm[5] = { 4, 2, 0, 3, 1 };
	size_t i;

	(void)state;
	for (i = 0; i < n; i++)
		shuffled[i] = notes[perm[i]];
	at(a, shuffled, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_int_equal(st.term, 4);
	assert_int_equal(st.nevents, 4);
	assert_int_equal(st.events[0].note, 2);
	assert_int_equal(st.events[1].note, 4);
	assert_int_equal(st.events[2].note, 1);
	assert_int_equal(st.events[3].note, 3);
	at(a, shuffled, n, "2023-03-22T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	free(a);
}

/* Notes out of order after the instant asked about, and an agreement
 * not signed by all given notes out of order: both are replayed in
 * delivery order. */
static void test_unsorted_late(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8], tmp;
	struct lifecycle_status s;
	size_t n = history_2016(notes);
	struct dipnote *c;

	(void)state;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T10:00:00+09:00");
	add(notes, &n, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-22T18:00:00+09:00");
	add(notes, &n, DIPNOTE_WITHDRAWAL, "KOR-JPN-2016", "KOR", "2023-03-21T10:00:00+09:00");
	notes[4].withdraws = WITHDRAW_BOTH;
	/* the last two swapped: in order up to 2019-09-01 */
	tmp = notes[3];
	notes[3] = notes[4];
	notes[4] = tmp;
	at(a, notes, n, "2019-09-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_int_equal(st.nevents, 3);
	at(a, notes, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_int_equal(st.nevents, 4);
	assert_int_equal(st.events[3].note, 4);

	/* Not signed by all: a draft, whose amendment consents still count. */
	n = 0;
	c = add(notes, &n, DIPNOTE_AMENDMENT_CONSENT, "KOR-JPN-2016", "JPN", "2023-11-01T10:00:00+09:00");
	c->version = 2;
	c->effective = D("2023-12-01");
	c = add(notes, &n, DIPNOTE_AMENDMENT_CONSENT, "KOR-JPN-2016", "KOR", "2023-10-01T10:00:00+09:00");
	c->version = 2;
	c->effective = D("2023-12-01");
	assert_int_equal(lifecycle_state_at(a, false, notes, n, T("2023-10-15T00:00:00+09:00"), &s), 0);
	assert_int_equal(s.state, STATE_DRAFT);
	assert_int_equal(s.nevents, 1);
	assert_int_equal(s.version, 1);
	assert_int_equal(lifecycle_at(a, false, notes, n, T("2023-10-15T00:00:00+09:00"), &st), 0);
	assert_int_equal(st.nevents, 1);
	assert_int_equal(st.events[0].note, 1);
	assert_int_equal(lifecycle_state_at(a, false, notes, n, T("2024-01-01T00:00:00+09:00"), &s), 0);
	assert_int_equal(s.nevents, 2);
	assert_int_equal(s.version, 2);
	free(a);
}

/* Reactivation under strict-treaty: a fresh notice at the withdrawal. */
static void test_reactivation_strict(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8];
	size_t n = history_2016(notes);
	struct gs_diag d;

	(void)state;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T15:00:00+09:00");
	add(notes, &n, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-22T18:00:00+09:00");
	add(notes, &n, DIPNOTE_WITHDRAWAL, "KOR-JPN-2016", "KOR", "2020-03-01T10:00:00+09:00")
		->withdraws = WITHDRAW_SUSPENSION;
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, &notes[n - 1], &d), 0);
	at(a, notes, n, "2020-03-02T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2020-11-22T15:00:00Z");
	assert_string_equal(st.events[4].what,
			    "withdrawal of the suspension by KOR delivered 2020-03-01: the notice runs "
			    "again; agreement ends 2020-11-23T00:00:00+09:00 unless suspended or "
			    "withdrawn");
	at(a, notes, n, "2020-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);

	/* Reactivated after the 2020 deadline: the next anniversary. */
	notes[n - 1].delivered = T("2020-09-01T10:00:00+09:00");
	at(a, notes, n, "2020-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2021-11-22T15:00:00Z");
	assert_int_equal(st.term, 5);
	/* ... and refused when late notices are. */
	a->term.late_notice = LATE_REFUSE;
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, &notes[n - 1], &d), GS_EDENIED);
	at(a, notes, n, "2020-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_int_equal(st.events[4].effect, EFFECT_IGNORED);
	free(a);
}

/* Reactivation under at-any-time: ends at the named instant, not before the note. */
static void test_reactivation_at_any_time(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8], *w;
	size_t n = history_2016(notes);

	(void)state;
	a->term.suspension = SUSPENSION_AT_ANY_TIME;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T15:00:00+09:00");
	add(notes, &n, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-22T18:00:00+09:00");
	w = add(notes, &n, DIPNOTE_WITHDRAWAL, "KOR-JPN-2016", "KOR", "2020-03-01T10:00:00+09:00");
	w->withdraws = WITHDRAW_SUSPENSION;
	w->terminate_at = T("2020-04-01T00:00:00+09:00");
	at(a, notes, n, "2020-03-31T23:59:59+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2020-03-31T15:00:00Z");
	at(a, notes, n, "2020-04-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_instant(st.terminates_at, "2020-03-31T15:00:00Z");

	/* No instant named, or one in the past: ends on delivery. */
	w->terminate_at = GS_INSTANT_NONE;
	at(a, notes, n, "2020-03-01T09:59:59+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	at(a, notes, n, "2020-03-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_instant(st.terminates_at, "2020-03-01T01:00:00Z");
	w->terminate_at = T("2020-01-01T00:00:00+09:00");
	at(a, notes, n, "2020-03-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_instant(st.terminates_at, "2020-03-01T01:00:00Z");
	free(a);
}

/* NL-SWE: indefinite, ends 6 months after receipt. */
static void test_receipt_anchored(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = 0;

	(void)state;
	snprintf(a->id, sizeof(a->id), "NL-SWE-1984");
	snprintf(a->parties[0], sizeof(a->parties[0]), "NLD");
	snprintf(a->parties[1], sizeof(a->parties[1]), "SWE");
	a->zone = 3600;
	a->term.model = TERM_INDEFINITE;
	a->term.notice_period = (struct gs_period){ 0, 6, 0 };
	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "NL-SWE-1984", "NLD", "1984-05-01T12:00:00+01:00");
	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "NL-SWE-1984", "SWE", "1984-06-11T12:00:00+01:00");
	at(a, notes, n, "1984-06-11T00:00:00+01:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_int_equal(st.term, 1);
	assert_instant(st.term_start, "1984-06-10T23:00:00Z");
	assert_int_equal(st.term_end, GS_INSTANT_NONE);
	assert_false(st.has_notice_deadline);

	add(notes, &n, DIPNOTE_TERMINATION, "NL-SWE-1984", "SWE", "2020-01-15T10:00:00+01:00");
	at(a, notes, n, "2020-07-15T09:59:59+01:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_int_equal(st.term, 1);
	assert_int_equal(st.term_end, GS_INSTANT_NONE);
	assert_false(st.has_notice_deadline);
	assert_instant(st.terminates_at, "2020-07-15T09:00:00Z");
	assert_string_equal(st.events[2].what,
			    "termination notice by SWE delivered 2020-01-15: received; agreement ends "
			    "2020-07-15T10:00:00+01:00 unless suspended or withdrawn");
	at(a, notes, n, "2020-07-15T10:00:00+01:00");
	assert_int_equal(st.state, STATE_TERMINATED);

	/* End of month: 31 August + 6 months = 28 February. */
	notes[2].delivered = T("2021-08-31T23:30:00+01:00");
	at(a, notes, n, "2021-09-01T00:00:00+01:00");
	assert_instant(st.terminates_at, "2022-02-28T22:30:00Z");
	free(a);
}

/* EIF on 29 February: anniversaries under both leap-day policies. */
static void test_leap_day(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = 0;

	(void)state;
	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "KOR", "2016-02-29T10:00:00+09:00");
	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "JPN", "2016-02-29T11:00:00+09:00");

	a->term.leap_day = GS_LEAP_DAY_FEB28;
	at(a, notes, n, "2016-06-01T00:00:00+09:00");
	assert_instant(st.term_end, "2017-02-27T15:00:00Z"); /* 2017-02-28 00:00 KST */
	assert_deadline("2016-11-29");
	at(a, notes, n, "2017-02-28T12:00:00+09:00");
	assert_int_equal(st.term, 2);
	at(a, notes, n, "2019-06-01T00:00:00+09:00");
	assert_int_equal(st.term, 4);
	assert_instant(st.term_start, "2019-02-27T15:00:00Z");
	assert_instant(st.term_end, "2020-02-28T15:00:00Z"); /* 2020-02-29 00:00 KST */
	at(a, notes, n, "2020-02-29T00:00:00+09:00");
	assert_int_equal(st.term, 5);
	assert_instant(st.term_end, "2021-02-27T15:00:00Z");

	a->term.leap_day = GS_LEAP_DAY_MAR01;
	at(a, notes, n, "2016-06-01T00:00:00+09:00");
	assert_instant(st.term_end, "2017-02-28T15:00:00Z"); /* 2017-03-01 00:00 KST */
	assert_deadline("2016-11-30");
	at(a, notes, n, "2017-02-28T12:00:00+09:00");
	assert_int_equal(st.term, 1);
	at(a, notes, n, "2017-03-01T00:00:00+09:00");
	assert_int_equal(st.term, 2);
	at(a, notes, n, "2019-06-01T00:00:00+09:00");
	assert_int_equal(st.term, 4);
	assert_instant(st.term_start, "2019-02-28T15:00:00Z");
	assert_instant(st.term_end, "2020-02-28T15:00:00Z");
	at(a, notes, n, "2020-02-29T00:00:00+09:00");
	assert_int_equal(st.term, 5);
	assert_instant(st.term_end, "2021-02-28T15:00:00Z");
	free(a);
}

static void test_eif_rules(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);

	(void)state;
	a->term.eif = EIF_ON_SIGNATURE;
	a->signed_on = (struct gs_date){ 2016, 11, 1 };
	at(a, notes, 0, "2016-11-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_instant(st.in_force_since, "2016-10-31T15:00:00Z");
	assert_int_equal(lifecycle_at(a, false, notes, 0, T("2016-11-02T00:00:00+09:00"), &st), 0);
	assert_int_equal(st.state, STATE_DRAFT);

	a->term.eif = EIF_DAYS_AFTER_NOTES;
	a->term.eif_days = 30;
	at(a, notes, n, "2016-12-22T23:59:59+09:00");
	assert_int_equal(st.state, STATE_SIGNED);
	assert_non_null(strstr(st.reason, "enters into force at 2016-12-23T00:00:00+09:00"));
	at(a, notes, n, "2016-12-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_instant(st.term_end, "2017-12-22T15:00:00Z");
	free(a);
}

static void test_duplicate_domestic(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);

	(void)state;
	add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "KOR", "2016-11-24T10:00:00+09:00");
	at(a, notes, n, "2017-01-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_int_equal(st.nevents, 3);
	assert_int_equal(st.events[2].effect, EFFECT_IGNORED);
	assert_string_equal(st.events[2].what,
			    "domestic-procedures-complete note by KOR delivered 2016-11-24: "
			    "ignored, KOR already notified");
	free(a);
}

/* Amendment: version 2 from its effective date once both consented. */
static void test_amendment(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8], *c;
	size_t n = history_2016(notes);
	struct gs_diag d;

	(void)state;
	c = add(notes, &n, DIPNOTE_AMENDMENT_CONSENT, "KOR-JPN-2016", "KOR", "2023-10-01T10:00:00+09:00");
	c->version = 2;
	c->effective = D("2024-01-01");
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, c, &d), 0);
	c = add(notes, &n, DIPNOTE_AMENDMENT_CONSENT, "KOR-JPN-2016", "JPN", "2023-11-01T10:00:00+09:00");
	c->version = 2;
	c->effective = D("2024-01-01");
	at(a, notes, n, "2023-10-15T00:00:00+09:00");
	assert_int_equal(st.version, 1);
	assert_string_equal(st.events[2].what,
			    "amendment consent to version 2 by KOR delivered 2023-10-01: recorded; "
			    "waiting for the other parties");
	at(a, notes, n, "2023-12-31T23:59:59+09:00");
	assert_int_equal(st.version, 1);
	assert_string_equal(st.events[3].what,
			    "amendment consent to version 2 by JPN delivered 2023-11-01: every party "
			    "consented; version 2 effective 2024-01-01");
	at(a, notes, n, "2024-01-01T00:00:00+09:00");
	assert_int_equal(st.version, 2);
	assert_int_equal(st.state, STATE_IN_FORCE);

	/* Version 1 is not an amendment. */
	c->version = 1;
	assert_int_equal(lifecycle_check_note(a, true, notes, n - 1, c, &d), GS_EINVAL);
	free(a);
}

static void test_check_note_refusals(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8], cand;
	size_t n = history_2016(notes), m;
	struct gs_diag d;

	(void)state;
	/* A non-party sender, then recipient. */
	cand = notes[0];
	snprintf(cand.from, sizeof(cand.from), "USA");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &cand, &d), GS_ENOTFOUND);
	assert_string_equal(d.msg, "agreement 'KOR-JPN-2016': party 'USA' is not a party");
	cand = notes[0];
	snprintf(cand.to, sizeof(cand.to), "USA");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &cand, &d), GS_ENOTFOUND);
	assert_string_equal(d.msg, "agreement 'KOR-JPN-2016': party 'USA' is not a party");
	/* Another agreement. */
	cand = notes[0];
	snprintf(cand.agreement, sizeof(cand.agreement), "US-JPN-2007");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &cand, &d), GS_ENOTFOUND);
	assert_string_equal(d.msg, "agreement 'KOR-JPN-2016': the note is for agreement 'US-JPN-2007'");

	/* A suspension with nothing pending. */
	m = n;
	add(notes, &m, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-22T18:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), GS_ESTATE);
	assert_string_equal(d.msg, "agreement 'KOR-JPN-2016': party 'KOR' has no pending "
				   "termination notice to suspend");
	/* A withdrawal with nothing to withdraw. */
	m = n;
	add(notes, &m, DIPNOTE_WITHDRAWAL, "KOR-JPN-2016", "KOR", "2019-11-22T18:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), GS_ESTATE);
	/* A notice before entry into force. */
	m = n;
	add(notes, &m, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2016-11-22T18:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), GS_ESTATE);

	/* After termination (the counterfactual). */
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-23T15:00:00+09:00");
	m = n;
	add(notes, &m, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-23T00:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), GS_ESTATE);
	assert_string_equal(d.msg, "agreement 'KOR-JPN-2016': terminated at 2019-11-23T00:00:00+09:00; "
				   "the suspension note by 'KOR' delivered 2019-11-23T00:00:00+09:00 "
				   "comes after");
	/* A second notice by the same party while one is pending. */
	m = n;
	add(notes, &m, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-24T15:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), GS_ESTATE);
	/* Japan may not suspend Korea's notice, but may give its own. */
	m = n;
	add(notes, &m, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "JPN", "2019-11-22T18:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), GS_ESTATE);
	m = n;
	add(notes, &m, DIPNOTE_TERMINATION, "KOR-JPN-2016", "JPN", "2019-08-24T15:00:00+09:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &notes[n], &d), 0);

	/* lifecycle_at ignores a note delivered after termination. */
	add(notes, &n, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "KOR", "2019-11-23T00:00:00+09:00");
	at(a, notes, n, "2019-12-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_int_equal(st.nevents, 4);
	assert_int_equal(st.events[3].effect, EFFECT_IGNORED);
	assert_int_equal(st.events[3].state_after, STATE_TERMINATED);
	free(a);
}

/* Two parties' notices: the earlier end wins; suspending one leaves the other. */
static void test_two_notices(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[8];
	size_t n = history_2016(notes);

	(void)state;
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-09-01T10:00:00+09:00");
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "JPN", "2019-08-01T10:00:00+09:00");
	at(a, notes, n, "2019-10-01T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2019-11-22T15:00:00Z");
	add(notes, &n, DIPNOTE_SUSPENSION, "KOR-JPN-2016", "JPN", "2019-11-01T10:00:00+09:00");
	at(a, notes, n, "2019-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2020-11-22T15:00:00Z");
	at(a, notes, n, "2020-11-23T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_non_null(strstr(st.reason, "on the notice by KOR"));
	free(a);
}

/* The arithmetic anniversaries agree with date_add_years over centuries,
 * for entries into force around the turn of a year and of February. */
static void test_anniversaries_arithmetic(void **state)
{
	static const char *const eifs[] = { "2016-11-23", "2016-01-01", "2015-12-31",
					     "2016-02-28", "2016-03-01", "1999-02-28",
					     "2000-02-29", "1900-03-01", "2016-02-29" };
	struct agreement *a = kor_jpn();
	struct dipnote notes[2];
	struct lifecycle_status s;
	size_t i, n;
	int64_t day;
	int leap;

	(void)state;
	for (leap = 0; leap < 2; leap++) {
		a->term.leap_day = leap ? GS_LEAP_DAY_MAR01 : GS_LEAP_DAY_FEB28;
		for (i = 0; i < sizeof(eifs) / sizeof(eifs[0]); i++) {
			struct gs_date e = D(eifs[i]);
			gs_instant t0 = date_midnight(e, KST) + 3600;

			n = 0;
			add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "KOR", "2000-01-01");
			add(notes, &n, DIPNOTE_DOMESTIC_COMPLETE, "KOR-JPN-2016", "JPN", "2000-01-01");
			notes[0].delivered = notes[1].delivered = t0;
			for (day = days_from_date(e); day < days_from_date(e) + 450 * 366; day += 13) {
				gs_instant at = date_midnight(date_from_days(day), KST);

				assert_int_equal(lifecycle_state_at(a, true, notes, n, at, &s), 0);
				assert_int_equal(s.state, STATE_IN_FORCE);
				assert_int_equal(s.term_end,
						 date_midnight(date_add_years(e, s.term, a->term.leap_day), KST));
				assert_int_equal(s.term_start,
						 date_midnight(date_add_years(e, s.term - 1, a->term.leap_day), KST));
				assert_true(s.term_start <= at && at < s.term_end);
			}
		}
	}
	free(a);
}

/* Sentences write instants as instant_format_local() does, in the
 * agreement's zone, west of UTC too. */
static void test_text_zone_west(void **state)
{
	struct agreement *a = kor_jpn();
	struct dipnote notes[4];
	size_t n = history_2016(notes);
	char want[GS_INSTANT_STR], sentence[GS_MAX_NAME];

	(void)state;
	a->zone = -(5 * 3600 + 1800);
	add(notes, &n, DIPNOTE_TERMINATION, "KOR-JPN-2016", "KOR", "2019-08-01T15:00:00+09:00");
	at(a, notes, n, "2019-09-01T00:00:00+09:00");
	instant_format_local(st.terminates_at, a->zone, want);
	assert_string_equal(want, "2019-11-23T00:00:00-05:30");
	snprintf(sentence, sizeof(sentence),
		 "termination notice by KOR delivered 2019-08-01: timely; agreement ends %s "
		 "unless suspended or withdrawn", want);
	assert_string_equal(st.events[2].what, sentence);
	free(a);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(state_name(STATE_DRAFT), "draft");
	assert_string_equal(state_name(STATE_SIGNED), "signed");
	assert_string_equal(state_name(STATE_IN_FORCE), "in_force");
	assert_string_equal(state_name(STATE_NOTICE_PENDING), "notice_pending");
	assert_string_equal(state_name(STATE_NOTICE_SUSPENDED), "notice_suspended");
	assert_string_equal(state_name(STATE_TERMINATED), "terminated");
	assert_string_equal(dipnote_kind_name(DIPNOTE_TERMINATION), "termination-notice");
	assert_false(state_allows_release(STATE_DRAFT));
	assert_false(state_allows_release(STATE_SIGNED));
	assert_false(state_allows_release(STATE_TERMINATED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_into_force),
		cmocka_unit_test(test_terms_and_deadlines),
		cmocka_unit_test(test_notice_0823),
		cmocka_unit_test(test_notice_rules),
		cmocka_unit_test(test_late_message),
		cmocka_unit_test(test_late_refused),
		cmocka_unit_test(test_admit),
		cmocka_unit_test(test_suspension_and_withdrawal),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_unsorted_late),
		cmocka_unit_test(test_reactivation_strict),
		cmocka_unit_test(test_reactivation_at_any_time),
		cmocka_unit_test(test_receipt_anchored),
		cmocka_unit_test(test_leap_day),
		cmocka_unit_test(test_eif_rules),
		cmocka_unit_test(test_duplicate_domestic),
		cmocka_unit_test(test_amendment),
		cmocka_unit_test(test_check_note_refusals),
		cmocka_unit_test(test_two_notices),
		cmocka_unit_test(test_anniversaries_arithmetic),
		cmocka_unit_test(test_text_zone_west),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
