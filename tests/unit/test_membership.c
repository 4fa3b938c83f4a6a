/* SPDX-License-Identifier: Apache-2.0 */
/* Known-answer tests for multilateral agreements (docs/lifecycle.md,
 * "Members"): a notice of termination takes effect for its sender only;
 * the agreement ends when fewer than two members remain; a state accedes
 * later. Four parties (indefinite term, notice 1 year, days-after-notes
 * 30, accession by a depositary) and three parties (annual terms,
 * accession by every member), and the bilateral case unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agreement.h"
#include "core/decide.h"
#include "core/lifecycle.h"
#include "core/time.h"
#include "util/err.h"
#include "util/banned.h"

#define CET 3600
#define KST (9 * 3600)

/* The four-party framework: DEU FRA NLD POL; SWE accedes in 2023. */
static const char FA4[] =
	"gsomia-agreement/v1\n"
	"id: EU-FA-2020\n"
	"title: Framework agreement on the protection of classified information\n"
	"parties: DEU FRA NLD POL\n"
	"zone: +01:00\n"
	"signed: 2020-01-15\n"
	"entry-into-force: days-after-notes 30\n"
	"term: indefinite\n"
	"notice: 1 year\n"
	"accession: by-depositary\n"
	"depositary: DEU\n"
	"marking: keep-original\n"
	"[annex 1 effective 2020-01-15]\n"
	"SECRET = DEU: GEHEIM | FRA: SECRET | NLD: STG. GEHEIM | POL: TAJNE\n"
	"CONFIDENTIAL = DEU: VS-VERTRAULICH | FRA: CONFIDENTIEL | NLD: STG. CONFIDENTIEEL | POL: POUFNE\n";

/* Version 2: SWE's cells, once it has acceded. */
static const char FA4_V2[] =
	"gsomia-agreement/v1\n"
	"id: EU-FA-2020\n"
	"title: Framework agreement on the protection of classified information\n"
	"version: 2\n"
	"effective: 2023-03-21\n"
	"parties: DEU FRA NLD POL SWE\n"
	"zone: +01:00\n"
	"signed: 2020-01-15\n"
	"entry-into-force: days-after-notes 30\n"
	"term: indefinite\n"
	"notice: 1 year\n"
	"accession: by-depositary\n"
	"depositary: DEU\n"
	"marking: keep-original\n"
	"[annex 1 effective 2020-01-15]\n"
	"SECRET = DEU: GEHEIM | FRA: SECRET | NLD: STG. GEHEIM | POL: TAJNE | SWE: HEMLIG\n"
	"CONFIDENTIAL = DEU: VS-VERTRAULICH | FRA: CONFIDENTIEL | NLD: STG. CONFIDENTIEEL | "
	"POL: POUFNE | SWE: protect-as HEMLIG\n";

/* A trilateral one: KOR JPN USA, annual terms; AUS accedes, accepted by every member. */
static const char TRI[] =
	"gsomia-agreement/v1\n"
	"id: TRI-2020\n"
	"title: Trilateral agreement on the protection of classified military information\n"
	"parties: KOR JPN USA\n"
	"zone: +09:00\n"
	"signed: 2020-01-06\n"
	"entry-into-force: later-of-notes\n"
	"term: annual\n"
	"notice: 90 days\n"
	"accession: by-all-members\n"
	"[annex 1 effective 2020-01-06]\n"
	"SECRET = KOR: 군사II급비밀 | JPN: 特定秘密 | USA: SECRET\n";

static struct agreement *parse(const char *text)
{
	struct agreement *a = agreement_new();
	struct gs_diag d = { { 0 } };

	assert_non_null(a);
	if (agreement_parse(text, strlen(text), a, &d))
		fail_msg("%s", d.msg);
	return a;
}

static gs_instant T(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 0, &t), 0);
	return t;
}

static struct dipnote *add(struct dipnote *notes, size_t *n, const struct agreement *a,
			   enum dipnote_kind k, const char *from, const char *when)
{
	struct dipnote *x = &notes[(*n)++];

	memset(x, 0, sizeof(*x));
	snprintf(x->agreement, sizeof(x->agreement), "%s", a->id);
	x->kind = k;
	snprintf(x->from, sizeof(x->from), "%s", from);
	x->delivered = T(when);
	x->zone = a->zone;
	x->terminate_at = GS_INSTANT_NONE;
	return x;
}

static struct dipnote *accept(struct dipnote *notes, size_t *n, const struct agreement *a,
			      const char *by, const char *acceding, const char *when)
{
	struct dipnote *x = add(notes, n, a, DIPNOTE_ACCESSION_ACCEPTANCE, by, when);

	snprintf(x->acceding, sizeof(x->acceding), "%s", acceding);
	return x;
}

/* Consent to version 2, effective 2023-03-21. */
static void consent(struct dipnote *notes, size_t *n, const struct agreement *a, const char *by,
		    const char *when)
{
	struct dipnote *x = add(notes, n, a, DIPNOTE_AMENDMENT_CONSENT, by, when);

	x->version = 2;
	x->effective = (struct gs_date){ 2023, 3, 21 };
}

static struct lifecycle_status st;

/* The state at `when`, by both entry points, which agree on all but text. */
static void at(const struct agreement *a, const struct dipnote *notes, size_t n, const char *when)
{
	static struct lifecycle_status fast;
	int i;

	assert_int_equal(lifecycle_at(a, true, notes, n, T(when), &st), 0);
	assert_int_equal(lifecycle_state_at(a, true, notes, n, T(when), &fast), 0);
	assert_int_equal(fast.state, st.state);
	assert_int_equal(fast.terminates_at, st.terminates_at);
	assert_int_equal(fast.version, st.version);
	assert_int_equal(fast.nmembers, st.nmembers);
	for (i = 0; i < st.nmembers; i++) {
		assert_string_equal(fast.members[i].code, st.members[i].code);
		assert_int_equal(fast.members[i].state, st.members[i].state);
		assert_int_equal(fast.members[i].joined_at, st.members[i].joined_at);
		assert_int_equal(fast.members[i].left_at, st.members[i].left_at);
		assert_int_equal(fast.members[i].leaves_at, st.members[i].leaves_at);
	}
}

static const struct lifecycle_member *member(const char *code)
{
	const struct lifecycle_member *m = lifecycle_member_find(&st, code);

	if (!m)
		fail_msg("no member %s", code);
	return m;
}

static void assert_member(const char *code, enum member_state s)
{
	const struct lifecycle_member *m = member(code);

	if (m->state != s)
		fail_msg("%s is %s, wanted %s", code, member_state_name(m->state), member_state_name(s));
}

static void assert_instant(gs_instant t, const char *utc)
{
	char s[GS_INSTANT_STR];

	if (!utc) {
		assert_int_equal(t, GS_INSTANT_NONE);
		return;
	}
	assert_true(t != GS_INSTANT_NONE);
	instant_format(t, s);
	assert_string_equal(s, utc);
}

static void assert_reason(const char *needle)
{
	if (!strstr(st.reason, needle))
		fail_msg("'%s' not in: %s", needle, st.reason);
}

/* ---- four parties -------------------------------------------------- */

/* Entry into force: 30 days after the later note (POL, 2020-03-02). */
static size_t fa4_eif(const struct agreement *a, struct dipnote *notes)
{
	size_t n = 0;

	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "DEU", "2020-02-01T10:00:00+01:00");
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "FRA", "2020-02-10T10:00:00+01:00");
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "NLD", "2020-03-02T10:00:00+01:00");
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "POL", "2020-03-02T16:00:00+01:00");
	return n;
}

static void test_four_in_force(void **state)
{
	struct agreement *a = parse(FA4);
	struct dipnote notes[8];
	size_t n = fa4_eif(a, notes);

	(void)state;
	assert_int_equal(a->term.accession, ACCESSION_BY_DEPOSITARY);
	assert_string_equal(a->term.depositary, "DEU");
	at(a, notes, n, "2020-03-31T23:59:59+01:00");
	assert_int_equal(st.state, STATE_SIGNED);
	assert_int_equal(st.nmembers, 4);
	assert_member("NLD", MEMBER_SIGNATORY);
	assert_instant(member("NLD")->joined_at, NULL);
	at(a, notes, n, "2020-04-01T00:00:00+01:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(st.members[i].state, MEMBER_IN_FORCE);
		assert_true(st.members[i].original);
		assert_instant(st.members[i].joined_at, "2020-03-31T23:00:00Z");
		assert_instant(st.members[i].left_at, NULL);
		assert_instant(st.members[i].accession_at, NULL);
	}
	assert_reason("members: DEU FRA NLD POL");
	agreement_free(a);
}

/* NLD gives notice: it leaves a year later; DEU, FRA and POL go on. */
static void test_four_party_leaves(void **state)
{
	struct agreement *a = parse(FA4);
	struct dipnote notes[8];
	size_t n = fa4_eif(a, notes);

	(void)state;
	add(notes, &n, a, DIPNOTE_TERMINATION, "NLD", "2021-06-15T12:00:00+01:00");
	at(a, notes, n, "2021-06-15T12:00:00+01:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, NULL); /* three others remain */
	assert_member("NLD", MEMBER_NOTICE_PENDING);
	assert_instant(member("NLD")->notice_at, "2021-06-15T11:00:00Z");
	assert_instant(member("NLD")->leaves_at, "2022-06-15T11:00:00Z");
	assert_member("DEU", MEMBER_IN_FORCE);
	assert_string_equal(st.events[4].what, "termination notice by NLD delivered 2021-06-15: received; NLD "
					       "leaves the agreement at 2022-06-15T12:00:00+01:00 unless "
					       "suspended or withdrawn");
	assert_reason("the termination notice by NLD is pending: NLD leaves agreement 'EU-FA-2020' at "
		      "2022-06-15T12:00:00+01:00; unless a notice is suspended or withdrawn, the "
		      "agreement stays in force among the others; members: DEU FRA NLD POL");

	at(a, notes, n, "2022-06-15T11:59:59+01:00");
	assert_member("NLD", MEMBER_NOTICE_PENDING);
	at(a, notes, n, "2022-06-15T12:00:00+01:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_instant(st.terminates_at, NULL);
	assert_member("NLD", MEMBER_WITHDRAWN);
	assert_instant(member("NLD")->left_at, "2022-06-15T11:00:00Z");
	assert_instant(member("NLD")->leaves_at, NULL);
	assert_member("DEU", MEMBER_IN_FORCE);
	assert_member("FRA", MEMBER_IN_FORCE);
	assert_member("POL", MEMBER_IN_FORCE);
	assert_reason("members: DEU FRA POL; NLD left at 2022-06-15T12:00:00+01:00");
	at(a, notes, n, "2030-01-01T00:00:00+01:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_member("NLD", MEMBER_WITHDRAWN);
	agreement_free(a);
}

/* The whole story: NLD leaves, FRA gives notice and withdraws it, SWE
 * accedes (accepted by the depositary) and POL gives notice. */
static size_t fa4_story(const struct agreement *a, struct dipnote *notes)
{
	size_t n = fa4_eif(a, notes);

	add(notes, &n, a, DIPNOTE_TERMINATION, "NLD", "2021-06-15T12:00:00+01:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "FRA", "2022-09-01T10:00:00+01:00");
	add(notes, &n, a, DIPNOTE_WITHDRAWAL, "FRA", "2023-01-10T10:00:00+01:00")->withdraws =
		WITHDRAW_NOTICE;
	add(notes, &n, a, DIPNOTE_ACCESSION, "SWE", "2023-02-01T10:00:00+01:00");
	accept(notes, &n, a, "DEU", "SWE", "2023-02-20T10:00:00+01:00");
	/* version 2 gives SWE its cells: the members consent (NLD has left) */
	consent(notes, &n, a, "DEU", "2023-03-01T10:00:00+01:00");
	consent(notes, &n, a, "FRA", "2023-03-01T11:00:00+01:00");
	consent(notes, &n, a, "POL", "2023-03-01T12:00:00+01:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "POL", "2024-01-05T09:00:00+01:00");
	return n;
}

static void test_four_notice_withdrawn(void **state)
{
	struct agreement *a = parse(FA4);
	struct dipnote notes[16];
	size_t n = fa4_story(a, notes);

	(void)state;
	at(a, notes, n, "2022-09-01T10:00:00+01:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, NULL); /* DEU and POL would remain */
	assert_member("FRA", MEMBER_NOTICE_PENDING);
	assert_instant(member("FRA")->leaves_at, "2023-09-01T09:00:00Z");
	at(a, notes, n, "2023-01-10T10:00:00+01:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_member("FRA", MEMBER_IN_FORCE);
	assert_instant(member("FRA")->leaves_at, NULL);
	assert_instant(member("FRA")->notice_at, NULL);
	/* a year after the withdrawn notice FRA is still a member */
	at(a, notes, n, "2023-09-01T10:00:00+01:00");
	assert_member("FRA", MEMBER_IN_FORCE);
	agreement_free(a);
}

/* SWE accedes: a member 30 days after the depositary's acceptance
 * (days-after-notes 30), at 00:00 local. */
static void test_four_party_joins_later(void **state)
{
	struct agreement *a = parse(FA4);
	struct dipnote notes[16];
	size_t n = fa4_story(a, notes);
	const struct lifecycle_member *m;

	(void)state;
	at(a, notes, n, "2023-01-31T00:00:00+01:00");
	assert_int_equal(st.nmembers, 4);
	assert_null(lifecycle_member_find(&st, "SWE"));
	at(a, notes, n, "2023-02-01T10:00:00+01:00");
	assert_int_equal(st.nmembers, 5);
	assert_member("SWE", MEMBER_ACCEDING);
	m = member("SWE");
	assert_false(m->original);
	assert_instant(m->accession_at, "2023-02-01T09:00:00Z");
	assert_instant(m->accepted_at, NULL);
	assert_instant(m->joined_at, NULL);
	assert_reason("acceding: SWE");
	assert_true(strstr(st.events[st.nevents - 1].what, "waiting for its acceptance by the depositary DEU") != NULL);

	at(a, notes, n, "2023-02-20T10:00:00+01:00");
	assert_member("SWE", MEMBER_ACCEDING);
	assert_instant(member("SWE")->accepted_at, "2023-02-20T09:00:00Z");
	assert_instant(member("SWE")->joined_at, "2023-03-21T23:00:00Z");
	assert_true(strstr(st.events[st.nevents - 1].what,
			   "the accession of SWE is accepted; it is a member from 2023-03-22T00:00:00+01:00") != NULL);
	at(a, notes, n, "2023-03-21T23:59:59+01:00");
	assert_member("SWE", MEMBER_ACCEDING);
	at(a, notes, n, "2023-03-22T00:00:00+01:00");
	assert_member("SWE", MEMBER_IN_FORCE);
	assert_reason("members: DEU FRA POL SWE; NLD left at 2022-06-15T12:00:00+01:00");

	/* POL leaves in turn; DEU, FRA and SWE go on */
	at(a, notes, n, "2025-01-05T09:00:00+01:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_member("POL", MEMBER_WITHDRAWN);
	assert_instant(member("POL")->left_at, "2025-01-05T08:00:00Z");
	assert_member("SWE", MEMBER_IN_FORCE);
	agreement_free(a);
}

/* The releases the issue names, a year after NLD's notice: NLD->DEU and
 * POL->NLD are refused by release.member, DEU->POL is permitted; SWE
 * releases only once it is a member under version 2. */
static void release(const struct agreement *a, const char *from, const char *to, const char *label,
		    const char *when, struct decision *d)
{
	struct holding h;

	memset(&h, 0, sizeof(h));
	snprintf(h.item.id, sizeof(h.item.id), "%s-1", from);
	snprintf(h.item.originator, sizeof(h.item.originator), "%s", from);
	snprintf(h.item.label, sizeof(h.item.label), "%s", label);
	snprintf(h.item.purpose, sizeof(h.item.purpose), "defence");
	snprintf(h.item.topic, sizeof(h.item.topic), "any");
	snprintf(h.holder, sizeof(h.holder), "%s", from);
	h.status = ITEM_ACTIVE;
	h.released_at = GS_INSTANT_NONE;
	decide_release(a, &st, NULL, NULL, &h, from, to, NULL, 0, T(when), d);
}

static void test_four_releases_per_pair(void **state)
{
	struct agreement *a = parse(FA4), *a2 = parse(FA4_V2);
	struct dipnote notes[16];
	size_t n = fa4_story(a, notes);
	struct decision d;
	char why[GS_MAX_LINE];

	(void)state;
	at(a, notes, n, "2022-07-01T10:00:00+01:00");
	release(a, "DEU", "POL", "GEHEIM", "2022-07-01T10:00:00+01:00", &d);
	assert_true(d.permit);
	release(a, "NLD", "DEU", "STG. GEHEIM", "2022-07-01T10:00:00+01:00", &d);
	assert_false(d.permit);
	assert_string_equal(d.rule_id, "release.member");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: NLD left agreement 'EU-FA-2020' at 2022-06-15T12:00:00+01:00 "
				 "(its notice of termination took effect); nothing new is released to or "
				 "by it under the agreement");
	release(a, "POL", "NLD", "TAJNE", "2022-07-01T10:00:00+01:00", &d);
	assert_false(d.permit);
	assert_string_equal(d.rule_id, "release.member");
	/* before NLD's notice took effect, both ways were open */
	at(a, notes, n, "2022-06-15T11:59:59+01:00");
	release(a, "POL", "NLD", "TAJNE", "2022-06-15T11:59:59+01:00", &d);
	assert_true(d.permit);

	/* SWE: accepted, not yet in effect, under version 2 */
	at(a, notes, n, "2023-03-20T12:00:00+01:00");
	assert_int_equal(st.version, 1);
	at(a, notes, n, "2023-03-21T12:00:00+01:00");
	assert_int_equal(st.version, 2);
	release(a2, "DEU", "SWE", "GEHEIM", "2023-03-21T12:00:00+01:00", &d);
	assert_false(d.permit);
	assert_string_equal(d.rule_id, "release.member");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: SWE is not yet a member of agreement 'EU-FA-2020': its "
				 "accession takes effect at 2023-03-22T00:00:00+01:00");
	at(a, notes, n, "2023-03-22T00:00:00+01:00");
	release(a2, "DEU", "SWE", "GEHEIM", "2023-03-22T00:00:00+01:00", &d);
	assert_true(d.permit);
	/* under version 1 SWE is not a party at all: its cells come by amendment */
	at(a, notes, n, "2023-03-20T12:00:00+01:00");
	release(a, "DEU", "SWE", "GEHEIM", "2023-03-20T12:00:00+01:00", &d);
	assert_string_equal(d.rule_id, "release.party");
	agreement_free(a);
	agreement_free(a2);
}

static void expect_refused(const struct agreement *a, const struct dipnote *notes, size_t n,
			   const struct dipnote *c, int code, const char *msg)
{
	struct gs_diag d = { { 0 } };

	assert_int_equal(lifecycle_check_note(a, true, notes, n, c, &d), code);
	if (!strstr(d.msg, msg))
		fail_msg("'%s' not in: %s", msg, d.msg);
	assert_null(strchr(d.msg, '\n'));
}

static void test_four_bad_notes(void **state)
{
	struct agreement *a = parse(FA4);
	struct dipnote notes[16], c[4];
	size_t n = fa4_story(a, notes), k = 0;

	(void)state;
	/* an accession from a party that is already a member */
	add(c, &k, a, DIPNOTE_ACCESSION, "FRA", "2023-02-02T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE,
		       "agreement 'EU-FA-2020': 'FRA' is already a member; an accession is for a state that is not");
	/* a second accession while the first is pending */
	k = 0;
	add(c, &k, a, DIPNOTE_ACCESSION, "SWE", "2023-02-05T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "the accession of 'SWE' (delivered 2023-02-01T10:00:00+01:00) is already pending");
	/* a notice from a party that left */
	k = 0;
	add(c, &k, a, DIPNOTE_TERMINATION, "NLD", "2022-07-01T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE,
		       "agreement 'EU-FA-2020': 'NLD' left it at 2022-06-15T12:00:00+01:00, when its notice of termination took effect; its termination-notice note has no effect");
	/* ... nor can it accede again, or accept */
	k = 0;
	add(c, &k, a, DIPNOTE_ACCESSION, "NLD", "2023-02-02T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "'NLD' left it at");
	k = 0;
	accept(c, &k, a, "NLD", "SWE", "2023-02-10T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "'NLD' left it at");
	/* an acceptance by a member that is not the depositary */
	k = 0;
	accept(c, &k, a, "FRA", "SWE", "2023-02-10T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_EDENIED,
		       "agreement 'EU-FA-2020': only the depositary DEU accepts an accession, not 'FRA'");
	/* by a state that is not a party at all */
	k = 0;
	accept(c, &k, a, "ITA", "SWE", "2023-02-10T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ENOTFOUND, "party 'ITA' is not a party");
	/* nothing to accept */
	k = 0;
	accept(c, &k, a, "DEU", "SWE", "2023-01-20T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "'SWE' has no accession pending to accept");
	k = 0;
	accept(c, &k, a, "DEU", "SWE", "2023-03-01T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "'SWE' has no accession pending to accept");
	/* an acceding state gives no notice before it is a member */
	k = 0;
	add(c, &k, a, DIPNOTE_TERMINATION, "SWE", "2023-03-01T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "'SWE' is not yet a member at 2023-03-01T10:00:00+01:00");
	/* an accession before entry into force */
	k = 0;
	add(c, &k, a, DIPNOTE_ACCESSION, "ITA", "2020-03-01T10:00:00+01:00");
	expect_refused(a, notes, n, &c[0], GS_ESTATE, "not in force at 2020-03-01T10:00:00+01:00; an accession needs it in force");
	/* what is admissible is admitted */
	k = 0;
	add(c, &k, a, DIPNOTE_TERMINATION, "SWE", "2023-04-01T10:00:00+01:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &c[0], NULL), 0);
	k = 0;
	add(c, &k, a, DIPNOTE_ACCESSION, "ITA", "2023-04-01T10:00:00+01:00");
	assert_int_equal(lifecycle_check_note(a, true, notes, n, &c[0], NULL), 0);
	agreement_free(a);
}

/* The replay ignores what check_note refuses, with a reason. */
static void test_four_replay_ignores(void **state)
{
	struct agreement *a = parse(FA4);
	struct dipnote notes[16];
	size_t n = fa4_eif(a, notes);

	(void)state;
	add(notes, &n, a, DIPNOTE_TERMINATION, "NLD", "2021-06-15T12:00:00+01:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "NLD", "2022-07-01T10:00:00+01:00");
	add(notes, &n, a, DIPNOTE_ACCESSION, "FRA", "2022-07-02T10:00:00+01:00");
	accept(notes, &n, a, "FRA", "ITA", "2022-07-03T10:00:00+01:00");
	at(a, notes, n, "2022-08-01T00:00:00+01:00");
	assert_int_equal(st.events[5].effect, EFFECT_IGNORED);
	assert_string_equal(st.events[5].what, "termination notice by NLD delivered 2022-07-01: ignored, "
					       "NLD left the agreement at 2022-06-15T12:00:00+01:00");
	assert_int_equal(st.events[6].effect, EFFECT_IGNORED);
	assert_string_equal(st.events[6].what, "accession by FRA delivered 2022-07-02: ignored, FRA is "
					       "already a party");
	assert_int_equal(st.events[7].effect, EFFECT_IGNORED);
	assert_string_equal(st.events[7].what, "acceptance of the accession of ITA by FRA delivered "
					       "2022-07-03: ignored, only the depositary DEU accepts an accession");
	assert_int_equal(st.state, STATE_IN_FORCE);
	agreement_free(a);
}

/* ---- three parties ------------------------------------------------- */

static size_t tri_eif(const struct agreement *a, struct dipnote *notes)
{
	size_t n = 0;

	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "KOR", "2020-01-08T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "JPN", "2020-01-09T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "USA", "2020-01-10T10:00:00+09:00");
	return n;
}

/* USA leaves at the first anniversary; then JPN, the last but one, gives
 * notice: it ends the agreement for both. */
static void test_three_last_but_one_leaves(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[8];
	size_t n = tri_eif(a, notes);

	(void)state;
	add(notes, &n, a, DIPNOTE_TERMINATION, "USA", "2020-06-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "JPN", "2021-03-01T10:00:00+09:00");
	at(a, notes, n, "2020-06-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, NULL);
	assert_int_equal(st.term, 1);
	assert_instant(member("USA")->leaves_at, "2021-01-09T15:00:00Z");

	at(a, notes, n, "2021-01-10T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_int_equal(st.term, 2);
	assert_member("USA", MEMBER_WITHDRAWN);
	assert_member("KOR", MEMBER_IN_FORCE);
	assert_member("JPN", MEMBER_IN_FORCE);
	assert_true(st.has_notice_deadline);
	assert_int_equal(date_cmp(st.notice_deadline, (struct gs_date){ 2021, 10, 11 }), 0);

	/* two members left: JPN's notice ends the agreement itself, as a bilateral one */
	at(a, notes, n, "2021-03-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2022-01-09T15:00:00Z");
	assert_reason("the termination notice by JPN is pending: agreement 'TRI-2020' ends at "
		      "2022-01-10T00:00:00+09:00 unless it is suspended or withdrawn");
	assert_string_equal(st.events[4].what, "termination notice by JPN delivered 2021-03-01: timely; JPN "
					       "leaves the agreement at 2022-01-10T00:00:00+09:00 unless "
					       "suspended or withdrawn, and the agreement then ends (fewer than "
					       "two members would remain)");
	at(a, notes, n, "2022-01-09T23:59:59+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	at(a, notes, n, "2022-01-10T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_instant(st.terminates_at, "2022-01-09T15:00:00Z");
	assert_member("USA", MEMBER_WITHDRAWN);
	assert_member("JPN", MEMBER_TERMINATED);
	assert_member("KOR", MEMBER_TERMINATED);
	assert_instant(member("KOR")->left_at, "2022-01-09T15:00:00Z");
	assert_instant(member("USA")->left_at, "2021-01-09T15:00:00Z");
	assert_reason("terminated at 2022-01-10T00:00:00+09:00 on the notice by JPN, which left fewer "
		      "than two members");
	agreement_free(a);
}

/* Two notices at once among three: the agreement ends when the second
 * of them takes effect (here the same anniversary). */
static void test_three_two_notices(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[8];
	size_t n = tri_eif(a, notes);

	(void)state;
	add(notes, &n, a, DIPNOTE_TERMINATION, "USA", "2020-06-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "JPN", "2020-07-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_SUSPENSION, "JPN", "2020-12-01T10:00:00+09:00");
	at(a, notes, n, "2020-07-01T10:00:00+09:00");
	assert_instant(st.terminates_at, "2021-01-09T15:00:00Z");
	assert_reason("the termination notices by JPN USA are pending: JPN leaves agreement 'TRI-2020' at "
		      "2021-01-10T00:00:00+09:00; USA leaves agreement 'TRI-2020' at 2021-01-10T00:00:00+09:00; "
		      "unless a notice is suspended or withdrawn, the agreement ends at 2021-01-10T00:00:00+09:00");
	/* JPN suspends its notice: USA alone leaves */
	at(a, notes, n, "2020-12-01T10:00:00+09:00");
	assert_string_equal(st.events[5].what, "suspension of the termination notice by JPN delivered "
					       "2020-12-01: notice suspended; JPN does not leave at "
					       "2021-01-10T00:00:00+09:00 and the agreement keeps renewing");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, NULL);
	assert_member("JPN", MEMBER_NOTICE_SUSPENDED);
	at(a, notes, n, "2021-01-10T00:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_SUSPENDED);
	assert_member("USA", MEMBER_WITHDRAWN);
	assert_member("JPN", MEMBER_NOTICE_SUSPENDED);
	assert_member("KOR", MEMBER_IN_FORCE);
	agreement_free(a);
}

/* Ending it by common consent: every member gives notice for the same
 * anniversary; the agreement ends then, for all of them. */
static void test_three_common_consent(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[8];
	size_t n = tri_eif(a, notes);

	(void)state;
	add(notes, &n, a, DIPNOTE_TERMINATION, "KOR", "2020-06-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "JPN", "2020-06-01T11:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "USA", "2020-06-01T12:00:00+09:00");
	at(a, notes, n, "2020-06-01T12:00:00+09:00");
	assert_instant(st.terminates_at, "2021-01-09T15:00:00Z");
	at(a, notes, n, "2021-01-10T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_instant(st.terminates_at, "2021-01-09T15:00:00Z");
	assert_member("KOR", MEMBER_TERMINATED);
	assert_member("JPN", MEMBER_TERMINATED);
	assert_member("USA", MEMBER_TERMINATED);
	agreement_free(a);
}

/* AUS accedes: KOR and JPN accept, USA does not but gives notice; when it
 * leaves, no member's acceptance is missing and AUS is a member. JPN's
 * notice is withdrawn. */
static void test_three_accession_by_all(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[16];
	size_t n = tri_eif(a, notes);

	(void)state;
	add(notes, &n, a, DIPNOTE_ACCESSION, "AUS", "2020-03-01T10:00:00+09:00");
	accept(notes, &n, a, "KOR", "AUS", "2020-03-05T10:00:00+09:00");
	accept(notes, &n, a, "JPN", "AUS", "2020-03-06T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "USA", "2020-06-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "JPN", "2021-02-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_WITHDRAWAL, "JPN", "2021-05-01T10:00:00+09:00")->withdraws = WITHDRAW_NOTICE;

	at(a, notes, n, "2020-03-06T10:00:00+09:00");
	assert_member("AUS", MEMBER_ACCEDING);
	assert_true(strstr(st.events[st.nevents - 1].what, "recorded; waiting for its acceptance by USA") != NULL);
	assert_instant(member("AUS")->accepted_at, NULL);
	at(a, notes, n, "2021-01-09T23:59:59+09:00");
	assert_member("AUS", MEMBER_ACCEDING);
	at(a, notes, n, "2021-01-10T00:00:00+09:00");
	assert_member("USA", MEMBER_WITHDRAWN);
	assert_member("AUS", MEMBER_IN_FORCE);
	assert_instant(member("AUS")->joined_at, "2021-01-09T15:00:00Z");
	assert_instant(member("AUS")->accepted_at, "2021-01-09T15:00:00Z");

	/* JPN's notice among KOR, JPN and AUS: the agreement would go on */
	at(a, notes, n, "2021-02-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, NULL);
	assert_instant(member("JPN")->leaves_at, "2022-01-09T15:00:00Z");
	at(a, notes, n, "2021-05-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_member("JPN", MEMBER_IN_FORCE);
	at(a, notes, n, "2022-01-10T00:00:00+09:00");
	assert_int_equal(st.state, STATE_IN_FORCE);
	assert_member("JPN", MEMBER_IN_FORCE);
	assert_member("AUS", MEMBER_IN_FORCE);
	assert_reason("members: KOR JPN AUS; USA left at 2021-01-10T00:00:00+09:00");
	agreement_free(a);
}

/* Amendments among members: USA, which gives notice, does not consent;
 * once it has left, KOR and JPN's consents suffice. */
static void test_three_amendment_among_members(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[16];
	size_t n = tri_eif(a, notes);

	(void)state;
	assert_int_equal(a->term.accession, ACCESSION_BY_ALL_MEMBERS);
	add(notes, &n, a, DIPNOTE_TERMINATION, "USA", "2020-06-01T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_AMENDMENT_CONSENT, "KOR", "2020-07-01T10:00:00+09:00")->version = 2;
	notes[n - 1].effective = (struct gs_date){ 2020, 8, 1 };
	add(notes, &n, a, DIPNOTE_AMENDMENT_CONSENT, "JPN", "2020-07-02T10:00:00+09:00")->version = 2;
	notes[n - 1].effective = (struct gs_date){ 2020, 8, 1 };
	at(a, notes, n, "2020-09-01T00:00:00+09:00");
	assert_int_equal(st.version, 1); /* USA is still a member */
	assert_true(strstr(st.events[st.nevents - 1].what, "waiting for the other parties") != NULL);
	at(a, notes, n, "2021-01-09T23:59:59+09:00");
	assert_int_equal(st.version, 1);
	at(a, notes, n, "2021-01-10T00:00:00+09:00");
	assert_int_equal(st.version, 2); /* USA left */
	agreement_free(a);
}

/* ---- two parties: exactly as before, with members reported -------- */

static void test_bilateral_members(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[8];
	size_t n = 0;

	(void)state;
	/* the same text with two parties and no accession */
	a->nparties = 2;
	a->term.accession = ACCESSION_CLOSED;
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "KOR", "2020-01-08T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_DOMESTIC_COMPLETE, "JPN", "2020-01-10T10:00:00+09:00");
	add(notes, &n, a, DIPNOTE_TERMINATION, "KOR", "2020-06-01T10:00:00+09:00");
	at(a, notes, n, "2020-06-01T10:00:00+09:00");
	assert_int_equal(st.state, STATE_NOTICE_PENDING);
	assert_instant(st.terminates_at, "2021-01-09T15:00:00Z");
	assert_int_equal(st.nmembers, 2);
	assert_member("KOR", MEMBER_NOTICE_PENDING);
	assert_member("JPN", MEMBER_IN_FORCE);
	assert_null(strstr(st.reason, "members:"));
	at(a, notes, n, "2021-01-10T00:00:00+09:00");
	assert_int_equal(st.state, STATE_TERMINATED);
	assert_member("KOR", MEMBER_TERMINATED);
	assert_member("JPN", MEMBER_TERMINATED);
	assert_string_equal(st.reason, "agreement 'TRI-2020' terminated at 2021-01-10T00:00:00+09:00 on the "
				       "notice by KOR: nothing new may be released, and everything "
				       "released under it stays protected");
	agreement_free(a);
}

/* A closed agreement takes no accession, and says so. */
static void test_closed_agreement(void **state)
{
	struct agreement *a = parse(TRI);
	struct dipnote notes[8], c[2];
	size_t n, k = 0;

	(void)state;
	a->term.accession = ACCESSION_CLOSED;
	n = tri_eif(a, notes);
	add(c, &k, a, DIPNOTE_ACCESSION, "AUS", "2020-03-01T10:00:00+09:00");
	expect_refused(a, notes, n, &c[0], GS_EDENIED,
		       "agreement 'TRI-2020': it allows no accession (accession: closed); the accession note by 'AUS' has no effect");
	add(notes, &n, a, DIPNOTE_ACCESSION, "AUS", "2020-03-01T10:00:00+09:00");
	at(a, notes, n, "2020-04-01T00:00:00+09:00");
	assert_int_equal(st.nmembers, 3);
	assert_int_equal(st.events[3].effect, EFFECT_IGNORED);
	agreement_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_in_force),
		cmocka_unit_test(test_four_party_leaves),
		cmocka_unit_test(test_four_notice_withdrawn),
		cmocka_unit_test(test_four_party_joins_later),
		cmocka_unit_test(test_four_releases_per_pair),
		cmocka_unit_test(test_four_bad_notes),
		cmocka_unit_test(test_four_replay_ignores),
		cmocka_unit_test(test_three_last_but_one_leaves),
		cmocka_unit_test(test_three_two_notices),
		cmocka_unit_test(test_three_common_consent),
		cmocka_unit_test(test_three_accession_by_all),
		cmocka_unit_test(test_three_amendment_among_members),
		cmocka_unit_test(test_bilateral_members),
		cmocka_unit_test(test_closed_agreement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
