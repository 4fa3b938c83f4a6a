/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/visit.h"
#include "util/err.h"

/*
 * Visits (Art 8, 18): the request and answer texts (known answers and
 * every refusal of the parser), the request rules and the access rules,
 * one test per rule on fixtures built by hand: KOR visits JPN's facility
 * ICHIGAYA under KOR-JPN-2016.
 */

static struct party kor, jpn;
static struct agreement *korjpn;
static struct lifecycle_status in_force, terminated;
static struct facility *ichigaya, *other;
static struct person kim;

static gs_instant T(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 9 * 3600, &t), 0);
	return t;
}

#define CPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void scheme_set(struct party *p, const char *code, const char *const *labels, int n)
{
	memset(p, 0, sizeof(*p));
	CPY(p->code, code);
	CPY(p->name, code);
	p->zone = 9 * 3600;
	p->scheme.nlevels = n;
	for (int i = 0; i < n; i++)
		CPY(p->scheme.levels[i].label, labels[i]);
}

static void cell(struct annex_version *v, int row, int party, const char *l1, const char *l2)
{
	struct annex_cell *c = &v->rows[row].cells[party];

	if (l1)
		CPY(c->labels[c->nlabels++], l1);
	if (l2)
		CPY(c->labels[c->nlabels++], l2);
}

static int setup(void **state)
{
	static const char *const kl[] = { "군사I급비밀", "군사II급비밀", "군사III급비밀" };
	static const char *const jl[] = { "機密", "特定秘密", "極秘", "秘" };
	struct annex_version *v;

	(void)state;
	scheme_set(&kor, "KOR", kl, 3);
	scheme_set(&jpn, "JPN", jl, 4);
	korjpn = calloc(1, sizeof(*korjpn));
	CPY(korjpn->id, "KOR-JPN-2016");
	korjpn->version = 1;
	korjpn->nparties = 2;
	CPY(korjpn->parties[0], "KOR");
	CPY(korjpn->parties[1], "JPN");
	korjpn->zone = 9 * 3600;
	korjpn->nannex = 1;
	v = &korjpn->annex[0];
	v->number = 1;
	v->effective = (struct gs_date){ 2016, 11, 23 };
	v->nrows = 2;
	CPY(v->rows[0].level, "SECRET");
	cell(v, 0, 0, "군사II급비밀", NULL);
	cell(v, 0, 1, "特定秘密", "極秘");
	CPY(v->rows[1].level, "CONFIDENTIAL");
	cell(v, 1, 0, "군사III급비밀", NULL);
	cell(v, 1, 1, "秘", NULL);
	v->nnever = 2;
	v->never[0].party = 0;
	CPY(v->never[0].label, "군사I급비밀");
	v->never[1].party = 1;
	CPY(v->never[1].label, "機密");
	memset(&in_force, 0, sizeof(in_force));
	in_force.state = STATE_IN_FORCE;
	in_force.terminates_at = GS_INSTANT_NONE;
	terminated = in_force;
	terminated.state = STATE_TERMINATED;
	terminated.terminates_at = T("2019-11-23T00:00:00+09:00");

	ichigaya = calloc(1, sizeof(*ichigaya));
	facility_init(ichigaya);
	CPY(ichigaya->id, "ICHIGAYA");
	CPY(ichigaya->party, "JPN");
	other = calloc(1, sizeof(*other));
	facility_init(other);
	CPY(other->id, "YOKOSUKA");
	CPY(other->party, "JPN");

	memset(&kim, 0, sizeof(kim));
	CPY(kim.id, "kim");
	CPY(kim.name, "김민준");
	CPY(kim.employer, "KOR");
	kim.nnationalities = 1;
	CPY(kim.nationalities[0], "KOR");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(korjpn);
	free(ichigaya);
	free(other);
	return 0;
}

/* The request of the examples: kim and lee, 10 to 13 June 2023, up to 極秘. */
static void request_make(struct visit *v)
{
	memset(v, 0, sizeof(*v));
	CPY(v->id, "5e1f0c2a9b7d4e63aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00");
	CPY(v->agreement, "KOR-JPN-2016");
	CPY(v->visitor, "KOR");
	CPY(v->host, "JPN");
	CPY(v->facility, "ICHIGAYA");
	v->from = T("2023-06-10T00:00:00+09:00");
	v->until = T("2023-06-13T00:00:00+09:00");
	CPY(v->purpose, "defence-cooperation");
	CPY(v->topic, "dprk-missiles");
	CPY(v->max_level, "極秘");
	v->npersons = 2;
	CPY(v->persons[0].id, "kim");
	CPY(v->persons[0].psc, "군사II급비밀");
	CPY(v->persons[1].id, "lee");
	CPY(v->persons[1].psc, "군사III급비밀");
	v->requested = T("2023-05-01T10:00:00+09:00");
	v->answered = GS_INSTANT_NONE;
	v->exercise = true;
}

static const char request_text[] =
	"gsomia-visit-request/v1\n"
	"agreement KOR-JPN-2016\n"
	"visitor KOR\n"
	"host JPN\n"
	"facility ICHIGAYA\n"
	"from 2023-06-09T15:00:00Z\n"
	"until 2023-06-12T15:00:00Z\n"
	"purpose defence-cooperation\n"
	"topic dprk-missiles\n"
	"max-level 極秘\n"
	"person kim 군사II급비밀\n"
	"person lee 군사III급비밀\n"
	"requested 2023-05-01T01:00:00Z\n"
	"exercise yes\n";

static void test_request_text(void **state)
{
	struct visit v, back;
	struct gs_diag d;
	char *text = NULL;

	(void)state;
	request_make(&v);
	assert_int_equal(visit_request_format(&v, &text, &d), 0);
	assert_string_equal(text, request_text);
	assert_int_equal(visit_request_parse(text, strlen(text), &back, &d), 0);
	assert_int_equal(back.npersons, 2);
	assert_string_equal(back.persons[1].id, "lee");
	assert_string_equal(back.persons[1].psc, "군사III급비밀");
	assert_true(back.from == v.from && back.until == v.until && back.requested == v.requested);
	assert_string_equal(back.max_level, "極秘");
	assert_true(back.exercise);
	assert_int_equal(back.state, VISIT_REQUESTED);
	free(text);
}

static void test_answer_text(void **state)
{
	struct visit v, back;
	struct gs_diag d;
	char *text = NULL;

	(void)state;
	request_make(&v);
	v.state = VISIT_APPROVED;
	CPY(v.request, v.id);
	v.answered = T("2023-05-02T09:00:00+09:00");
	CPY(v.text, "Approved by the Ministry of Defense");
	assert_int_equal(visit_answer_format(&v, &text, &d), 0);
	assert_non_null(strstr(text, "gsomia-visit/v1\ndecision approved\nrequest 5e1f0c2a"));
	assert_non_null(strstr(text, "person lee 군사III급비밀\nanswered 2023-05-02T00:00:00Z\nexercise yes\n"
				     "text Approved by the Ministry of Defense\n"));
	assert_int_equal(visit_answer_parse(text, strlen(text), &back, &d), 0);
	assert_int_equal(back.state, VISIT_APPROVED);
	assert_string_equal(back.request, v.id);
	assert_true(back.answered == v.answered);
	free(text);
	/* a request is not an answer, nor the reverse */
	assert_int_equal(visit_answer_parse(request_text, strlen(request_text), &back, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "not a gsomia-visit/v1 text"));
}

/* Each malformed request is refused with a line that says what. */
static void test_request_refused(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "person kim 군사II급비밀\nperson lee 군사III급비밀\n", "", "'person' is missing" },
		{ "person lee 군사III급비밀\n", "person kim 군사III급비밀\n", "named twice" },
		{ "person lee 군사III급비밀\n", "person lee\n", "expected 'person ID PSC-LEVEL'" },
		{ "until 2023-06-12T15:00:00Z\n", "until 2023-06-09T15:00:00Z\n", "ends" },
		{ "from 2023-06-09T15:00:00Z\n", "from 2023-06-10T00:00:00+09:00\n", "instants in UTC" },
		{ "host JPN\n", "host KOR\n", "does not visit itself" },
		{ "exercise yes\n", "exercise no\n", "exercise must be" },
		{ "topic dprk-missiles\n", "topic dprk missiles\n", "purpose and topic" },
		{ "max-level 極秘\n", "", "'max-level' is missing" },
		{ "visitor KOR\nhost JPN\n", "host JPN\nvisitor KOR\n", "'visitor' is missing before 'host'" },
		{ "requested 2023-05-01T01:00:00Z\n", "requested 2023-05-01T01:00:00Z\nperson x 秘\n",
		  "misplaced key 'person'" },
		{ "facility ICHIGAYA\n", "facility ICHI/GAYA\n", "invalid facility id" },
		{ "purpose defence-cooperation\n", "purpose  defence-cooperation\n", "bad value" },
	};
	struct visit v;
	struct gs_diag d;
	char buf[2048];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *at = strstr(request_text, cases[i].from);
		size_t pre;

		assert_non_null(at);
		pre = (size_t)(at - request_text);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, request_text, cases[i].to,
			 at + strlen(cases[i].from));
		memset(&d, 0, sizeof(d));
		assert_int_equal(visit_request_parse(buf, strlen(buf), &v, &d), GS_EINVAL);
		if (!strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: '%s' not in '%s'", i, cases[i].msg, d.msg);
		assert_int_equal(v.npersons, 0);
	}
}

/* A NUL byte inside a value would make the value read shorter than the
 * bytes signed: refused, as any control character. */
static void test_request_nul(void **state)
{
	char buf[sizeof(request_text)];
	struct visit v;
	struct gs_diag d;
	char *at;

	(void)state;
	memcpy(buf, request_text, sizeof(buf));
	at = strstr(buf, "topic dprk-missiles") + strlen("topic dprk");
	*at = '\0';
	assert_int_equal(visit_request_parse(buf, sizeof(buf) - 1, &v, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "bad value of 'topic'"));
}

static void test_request_rules(void **state)
{
	struct visit v;
	struct decision d;
	char why[512];
	gs_instant now = T("2023-05-01T10:00:00+09:00");

	(void)state;
	request_make(&v);
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), 0);
	assert_string_equal(d.rule_id, "visit.admissible");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "permitted: KOR may visit facility 'ICHIGAYA' of JPN from 2023-06-10T00:00:00+09:00, "
				 "with disclosure up to 極秘");
	/* approved at the host, at its facility */
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, ichigaya, "JPN", now, &d), 0);

	/* survival: nothing new after termination */
	assert_int_equal(decide_visit_request(korjpn, &terminated, &jpn, &kor, &v, NULL, "KOR", now, &d),
			 GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.in-force");
	decision_reason(&d, why, sizeof(why));
	assert_non_null(strstr(why, "terminated (since 2019-11-23T00:00:00+09:00); no new visit"));

	/* the visiting party asks; only the host approves */
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "JPN", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.party");
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, ichigaya, "KOR", now, &d),
			 GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.host");
	CPY(v.visitor, "USA");
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "USA", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.party");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: 'USA' is not a party to agreement 'KOR-JPN-2016'");

	/* the facility is the host's */
	request_make(&v);
	CPY(other->party, "KOR");
	CPY(v.facility, "YOKOSUKA");
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, other, "JPN", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.facility");
	CPY(other->party, "JPN");

	/* a visit that is over */
	request_make(&v);
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, ichigaya, "JPN",
					      T("2023-06-13T00:00:00+09:00"), &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.dates");

	/* the lead time (NL-SWE: 4 weeks): 40 days ahead passes, 28 - 1 s does not */
	korjpn->rules.visit_lead_days = 28;
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), 0);
	v.requested = v.from - 28 * 86400 + 1;
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.lead-time");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: a visit under agreement 'KOR-JPN-2016' is requested at least 28 days ahead; "
				 "asked 2023-05-13T00:00:01+09:00 for a visit from 2023-06-10T00:00:00+09:00");
	korjpn->rules.visit_lead_days = 0;
	/* lead time 0: never after the start */
	request_make(&v);
	v.requested = v.from + 1;
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.lead-time");

	/* the highest level: the host's scheme, never-listed, an equivalent */
	request_make(&v);
	CPY(v.max_level, "군사II급비밀");
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.level");
	CPY(v.max_level, "機密");
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.level");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: 機密 may never be disclosed under agreement 'KOR-JPN-2016'");

	/* the persons and their certified PSCs */
	request_make(&v);
	CPY(v.persons[1].psc, "TOP SECRET");
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.persons");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: lee's PSC level TOP SECRET is not a level of KOR's scheme");
	v.npersons = 0;
	assert_int_equal(decide_visit_request(korjpn, &in_force, &jpn, &kor, &v, NULL, "KOR", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.persons");
}

/* Holdings at JPN: its own 特定秘密 and 極秘 items, KOR's item marked 極秘,
 * and a USA item. */
static void holding_make(struct holding *h, const char *originator, const char *label, const char *mark)
{
	memset(h, 0, sizeof(*h));
	h->status = ITEM_ACTIVE;
	CPY(h->holder, "JPN");
	CPY(h->item.id, "X-1");
	CPY(h->item.originator, originator);
	CPY(h->item.label, label);
	CPY(h->item.purpose, "defence-cooperation");
	CPY(h->item.topic, "dprk-missiles");
	h->marking.nlabels = 1;
	CPY(h->marking.labels[0], mark);
	h->released_at = GS_INSTANT_NONE;
	if (strcmp(originator, "JPN")) {
		CPY(h->agreement, "KOR-JPN-2016");
		h->released_at = T("2023-01-10T00:00:00+09:00");
	}
}

static void approved(struct visit *v)
{
	request_make(v);
	v->state = VISIT_APPROVED;
	v->answered = T("2023-05-02T09:00:00+09:00");
}

static void test_access_rules(void **state)
{
	struct visit v[2];
	struct holding h;
	struct person p = kim;
	struct decision d;
	char why[512];
	gs_instant during = T("2023-06-11T10:00:00+09:00");

	(void)state;
	approved(&v[0]);
	holding_make(&h, "JPN", "極秘", "極秘");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), 0);
	assert_string_equal(d.rule_id, "visit.permit");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "permitted: 김민준 may be shown item 'X-1' during visit 5e1f0c2a9b7d4e63 (up to 極秘)");
	/* KOR's own item, marked 極秘 at JPN: certified 군사II급비밀 reaches it */
	holding_make(&h, "KOR", "군사II급비밀", "極秘");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), 0);

	/* 1. status */
	h.status = ITEM_SUSPENDED;
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.status");
	/* 2. a third party's item is never shown */
	holding_make(&h, "USA", "SECRET", "極秘");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.originator");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: item 'X-1' is information of USA, a third party to the visit by KOR; "
				 "it is never shown to visitors");
	holding_make(&h, "JPN", "極秘", "極秘");
	/* 3. named in no visit */
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 0, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.person");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: 김민준 is named in no visit of KOR to JPN");
	/* 4. asked but not approved */
	v[1] = v[0];
	v[1].state = VISIT_REQUESTED;
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, &v[1], 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.approved");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: visit 5e1f0c2a9b7d4e63 of 김민준 is requested, not approved by JPN");
	/* 5. at another facility */
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, other, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.where");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: visit 5e1f0c2a9b7d4e63 of 김민준 is to facility 'ICHIGAYA', not 'YOKOSUKA'");
	/* 6. outside its dates: the day before, and at its end */
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1,
					     T("2023-06-09T23:59:59+09:00"), &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.when");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: visit 5e1f0c2a9b7d4e63 of 김민준 runs from 2023-06-10T00:00:00+09:00 until "
				 "2023-06-13T00:00:00+09:00; not at 2023-06-09T23:59:59+09:00");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1,
					     T("2023-06-13T00:00:00+09:00"), &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.when");
	/* 7. nationality: a third country never; another party only if dual nationals are admitted */
	p.nnationalities = 2;
	CPY(p.nationalities[1], "USA");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.nationality");
	korjpn->rules.dual_nationals_allowed = true;
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.nationality");
	decision_reason(&d, why, sizeof(why));
	assert_non_null(strstr(why, "a third country"));
	CPY(p.nationalities[1], "JPN");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), 0);
	korjpn->rules.dual_nationals_allowed = false;
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.nationality");
	p = kim;
	/* 8. lee's certified 군사III급비밀 is below a 極秘 (SECRET) item */
	CPY(p.id, "lee");
	CPY(p.name, "이서연");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.psc");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: 이서연's PSC as certified by the visiting party (군사III급비밀) is below the "
				 "level of item 'X-1' (極秘)");
	/* but may be shown a 秘 item */
	holding_make(&h, "JPN", "秘", "秘");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), 0);
	p = kim;
	/* 9. the level cap: a 特定秘密 item is above the visit's 極秘 */
	holding_make(&h, "JPN", "特定秘密", "特定秘密");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.level-cap");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: item 'X-1' is marked 特定秘密, above the highest level 極秘 of the visit (Art 8)");
	/* 10. need-to-know: the visit's topic */
	holding_make(&h, "JPN", "極秘", "極秘");
	CPY(h.item.topic, "pla-naval-movements");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 1, during, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "visit.need-to-know");
	/* of two visits, the one in its dates decides */
	holding_make(&h, "JPN", "極秘", "極秘");
	v[1] = v[0];
	v[1].from = T("2023-07-01T00:00:00+09:00");
	v[1].until = T("2023-07-02T00:00:00+09:00");
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, &h, &p, ichigaya, v, 2,
					     T("2023-07-01T12:00:00+09:00"), &d), 0);
	/* bad input */
	assert_int_equal(decide_visit_access(korjpn, &jpn, &kor, NULL, &p, ichigaya, v, 1, during, &d), GS_EINVAL);
	assert_string_equal(d.rule_id, "invalid-input");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_text),
		cmocka_unit_test(test_answer_text),
		cmocka_unit_test(test_request_refused),
		cmocka_unit_test(test_request_nul),
		cmocka_unit_test(test_request_rules),
		cmocka_unit_test(test_access_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
