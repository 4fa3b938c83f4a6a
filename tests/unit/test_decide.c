/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/decide.h"
#include "core/person.h"
#include "node/decisions.h"
#include "util/err.h"

/*
 * Fixtures built by hand (no parser): KOR, JPN and USA with their
 * schemes; KOR-JPN-2016 with its two-row annex; US-JPN-2007; TISA as an
 * arrangement through the USA hub. One test per rule: each fails if the
 * rule it names is removed or reordered past it.
 */

#define TOPIC_DPRK "DPRK nuclear and missile threats"
#define PURPOSE_DEF "defence of the parties"

static struct party kor, jpn, usa;
static struct agreement *korjpn, *usjpn, *tisa;
static struct facility *fac;      /* JPN-MOD-1 */
static struct facility *cfac;     /* a JPN contractor facility */

static gs_instant T(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 9 * 3600, &t), 0);
	return t;
}

static void cpy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}
#define CPY(dst, src) cpy((dst), sizeof(dst), (src))

static void scheme_set(struct party *p, const char *code, const char *name,
		       const char *const *labels, int n)
{
	memset(p, 0, sizeof(*p));
	CPY(p->code, code);
	CPY(p->name, name);
	p->zone = 9 * 3600;
	p->scheme.nlevels = n;
	for (int i = 0; i < n; i++)
		CPY(p->scheme.levels[i].label, labels[i]);
}

static void cell(struct annex_version *v, int row, int party, const char *l1, const char *l2)
{
	struct annex_cell *c = &v->rows[row].cells[party];

	c->nlabels = 0;
	if (l1)
		CPY(c->labels[c->nlabels++], l1);
	if (l2)
		CPY(c->labels[c->nlabels++], l2);
}

static void never(struct annex_version *v, int party, const char *label)
{
	v->never[v->nnever].party = party;
	CPY(v->never[v->nnever].label, label);
	v->nnever++;
}

static struct agreement *agreement_make(const char *id, const char *p0, const char *p1)
{
	struct agreement *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	CPY(a->id, id);
	a->version = 1;
	a->kind = AGREEMENT_TREATY;
	a->binding = true;
	a->nparties = 2;
	CPY(a->parties[0], p0);
	CPY(a->parties[1], p1);
	a->zone = 9 * 3600;
	a->rules.marking = MARKING_RECIPIENT_CONVERTS;
	a->rules.nationality = NATIONALITY_HOLDER_ONLY;
	a->nannex = 1;
	return a;
}

static void fixtures(void)
{
	static const char *const kl[] = { "군사I급비밀", "군사II급비밀", "군사III급비밀" };
	static const char *const jl[] = { "機密", "特定秘密", "極秘", "秘" };
	static const char *const ul[] = { "TOP SECRET", "SECRET", "CONFIDENTIAL" };
	struct annex_version *v;

	scheme_set(&kor, "KOR", "Republic of Korea", kl, 3);
	scheme_set(&jpn, "JPN", "Japan", jl, 4);
	scheme_set(&usa, "USA", "United States of America", ul, 3);
	usa.zone = -5 * 3600;

	/* KOR-JPN-2016: KOR = 0, JPN = 1 */
	korjpn = agreement_make("KOR-JPN-2016", "KOR", "JPN");
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
	never(v, 0, "군사I급비밀");
	never(v, 1, "機密");

	/* US-JPN-2007: USA = 0, JPN = 1 */
	usjpn = agreement_make("US-JPN-2007", "USA", "JPN");
	v = &usjpn->annex[0];
	v->number = 1;
	v->effective = (struct gs_date){ 2007, 8, 10 };
	v->nrows = 3;
	CPY(v->rows[0].level, "TOP SECRET");
	cell(v, 0, 0, "TOP SECRET", NULL);
	cell(v, 0, 1, "機密", NULL);
	CPY(v->rows[1].level, "SECRET");
	cell(v, 1, 0, "SECRET", NULL);
	cell(v, 1, 1, "特定秘密", "極秘");
	CPY(v->rows[2].level, "CONFIDENTIAL");
	cell(v, 2, 0, "CONFIDENTIAL", NULL);
	cell(v, 2, 1, "秘", NULL);

	/* TISA: an arrangement through the USA hub, one topic */
	tisa = agreement_make("TISA-2014", "KOR", "USA");
	tisa->kind = AGREEMENT_ARRANGEMENT;
	tisa->binding = false;
	tisa->nparties = 3;
	CPY(tisa->parties[2], "JPN");
	CPY(tisa->hub, "USA");
	tisa->rules.ntopics = 1;
	CPY(tisa->rules.topics[0], TOPIC_DPRK);
	tisa->nannex = 0;

	fac = malloc(sizeof(*fac));
	assert_non_null(fac);
	facility_init(fac);
	CPY(fac->id, "JPN-MOD-1");
	CPY(fac->party, "JPN");
	CPY(fac->name, "Ministry of Defense, Ichigaya");

	cfac = malloc(sizeof(*cfac));
	assert_non_null(cfac);
	facility_init(cfac);
	CPY(cfac->id, "JPN-MHI-2");
	CPY(cfac->party, "JPN");
	cfac->contractor = true;
}

static int setup(void **state)
{
	(void)state;
	fixtures();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(korjpn);
	free(usjpn);
	free(tisa);
	free(fac);
	free(cfac);
	return 0;
}

/* A KOR 군사II급비밀 item at its originator. */
static struct holding kor_item(const char *id, const char *label)
{
	struct holding h;

	memset(&h, 0, sizeof(h));
	CPY(h.item.id, id);
	CPY(h.item.originator, "KOR");
	CPY(h.item.label, label);
	CPY(h.item.purpose, PURPOSE_DEF);
	CPY(h.item.topic, TOPIC_DPRK);
	h.item.form = FORM_DOCUMENT;
	CPY(h.holder, "KOR");
	h.marking.nlabels = 1;
	CPY(h.marking.labels[0], label);
	h.released_at = GS_INSTANT_NONE;
	h.status = ITEM_ACTIVE;
	return h;
}

/* The same item as JPN holds it, marked jlabel. */
static struct holding jpn_holding(const char *id, const char *klabel, const char *jlabel)
{
	struct holding h = kor_item(id, klabel);

	CPY(h.holder, "JPN");
	CPY(h.marking.labels[0], jlabel);
	CPY(h.marking.originator_name, "Republic of Korea");
	CPY(h.agreement, "KOR-JPN-2016");
	h.agreement_version = 1;
	CPY(h.released_by, "KOR");
	h.released_at = T("2017-03-01T10:00:00+09:00");
	CPY(h.facility, "JPN-MOD-1");
	return h;
}

/* 山田花子, a cleared JPN officer at JPN-MOD-1, on its register. */
static struct person yamada(const char *psc)
{
	struct person p;

	memset(&p, 0, sizeof(p));
	CPY(p.id, "JPN-P-0001");
	CPY(p.name, "山田花子");
	p.nnationalities = 1;
	CPY(p.nationalities[0], "JPN");
	CPY(p.employer, "JPN");
	CPY(p.psc.level, psc);
	p.psc.valid_from = T("2015-01-01T00:00:00+09:00");
	p.psc.valid_until = T("2030-01-01T00:00:00+09:00");
	p.nduties = 1;
	p.duties[0].kind = DUTY_TOPIC;
	CPY(p.duties[0].value, TOPIC_DPRK);
	CPY(p.facility, "JPN-MOD-1");
	p.roles = ROLE_READER;
	if (!facility_register_has(fac, p.id))
		assert_int_equal(facility_register_add(fac, p.id), 0);
	return p;
}

static struct lifecycle_status in_force(void)
{
	struct lifecycle_status st;

	memset(&st, 0, sizeof(st));
	st.state = STATE_IN_FORCE;
	st.version = 1;
	st.terminates_at = GS_INSTANT_NONE;
	return st;
}

static struct consent kor_consent(enum consent_kind kind, const char *item, const char *holder,
				  const char *third, const char *expires)
{
	struct consent c;

	memset(&c, 0, sizeof(c));
	CPY(c.id, "KOR-C-7");
	c.kind = kind;
	CPY(c.originator, "KOR");
	CPY(c.item, item);
	CPY(c.holder, holder);
	CPY(c.third_party, third);
	CPY(c.purpose, PURPOSE_DEF);
	c.granted_at = T("2017-01-01T00:00:00+09:00");
	c.expires = T(expires);
	c.granted = true;
	return c;
}

static char reason_buf[1024];

static const char *why(const struct decision *d)
{
	assert_true(decision_reason(d, reason_buf, sizeof(reason_buf)) > 0);
	return reason_buf;
}

#define assert_rule(d, id) assert_string_equal((d).rule_id, (id))

/* ---- release --------------------------------------------------------- */

static int release_kor(const struct holding *h, const struct lifecycle_status *st,
		       const char *at, struct decision *d)
{
	return decide_release(korjpn, st, &kor, &jpn, h, "KOR", "JPN", NULL, 0, T(at), d);
}

static void test_release_in_force(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	assert_int_equal(release_kor(&h, &st, "2016-11-23T00:00:00+09:00", &d), 0);
	assert_true(d.permit);
	assert_rule(d, "release.permit");
	st.state = STATE_NOTICE_SUSPENDED;
	assert_int_equal(release_kor(&h, &st, "2019-11-23T00:00:01+09:00", &d), 0);
	st.state = STATE_NOTICE_PENDING;
	assert_int_equal(release_kor(&h, &st, "2019-09-01T00:00:00+09:00", &d), 0);
}

static void test_release_before_eif(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	st.state = STATE_SIGNED;
	assert_int_equal(release_kor(&h, &st, "2016-11-22T23:59:00+09:00", &d), GS_EDENIED);
	assert_false(d.permit);
	assert_rule(d, "release.in-force");
	assert_string_equal(why(&d), "refused: agreement 'KOR-JPN-2016' is not in force at "
			    "2016-11-22T23:59:00+09:00 (state signed); nothing may be released under it");
}

static void test_release_after_termination(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	st.state = STATE_TERMINATED;
	st.terminates_at = T("2019-11-23T00:00:00+09:00");
	assert_int_equal(release_kor(&h, &st, "2019-11-23T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.in-force");
	assert_string_equal(why(&d), "refused: agreement 'KOR-JPN-2016' is terminated (since "
			    "2019-11-23T00:00:00+09:00); nothing new may be released under it");
}

static void test_release_version(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	st.version = 2;
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.version");
}

/* A refusal is an answer (decide_error: 0, the decision denies); impossible
 * input is no answer (decide_error passes GS_EINVAL on) though the
 * decision still denies, so a careless caller fails closed. */
static void test_refusal_is_no_error(void **state)
{
	struct holding h = kor_item("K-1", "군사I급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;
	struct marking m;
	int ret;

	(void)state;
	ret = release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d);
	assert_int_equal(ret, GS_EDENIED);
	assert_int_equal(decide_error(ret), 0);
	assert_false(d.permit);
	assert_rule(d, "release.never");
	h = kor_item("K-2", "군사II급비밀");
	ret = release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d);
	assert_int_equal(decide_error(ret), 0);
	assert_true(d.permit);
	ret = decide_release(NULL, &st, &kor, &jpn, &h, "KOR", "JPN", NULL, 0, T("2018-01-01T00:00:00+09:00"), &d);
	assert_int_equal(ret, GS_EINVAL);
	assert_int_equal(decide_error(ret), GS_EINVAL);
	assert_false(d.permit);
	assert_rule(d, "invalid-input");
	ret = decide_marking(korjpn, NULL, &kor, &jpn, NULL, &m, &d);
	assert_int_equal(decide_error(ret), GS_EINVAL);
	assert_false(d.permit);
	assert_int_equal(decide_error(GS_ENOMEM), GS_ENOMEM);
}

/* The node passes the engine's answers on as answers and its impossible
 * input on as its own defect, with a sentence. */
static void test_node_ruled(void **state)
{
	struct gs_diag dg = { "" };

	(void)state;
	assert_int_equal(node_ruled(0, "release", &dg), 0);
	assert_int_equal(node_ruled(GS_EDENIED, "release", &dg), 0);
	assert_string_equal(dg.msg, "");
	assert_int_equal(node_ruled(GS_EINVAL, "release", &dg), GS_EINTERNAL);
	assert_non_null(strstr(dg.msg, "could not decide the release"));
}

static void test_release_party(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	assert_int_equal(decide_release(korjpn, &st, &kor, &usa, &h, "KOR", "USA", NULL, 0,
					T("2018-01-01T00:00:00+09:00"), &d), GS_EDENIED);
	assert_rule(d, "release.party");
	assert_string_equal(why(&d), "refused: 'USA' is not a party to agreement 'KOR-JPN-2016'");
	assert_int_equal(decide_release(korjpn, &st, &kor, &kor, &h, "KOR", "KOR", NULL, 0,
					T("2018-01-01T00:00:00+09:00"), &d), GS_EDENIED);
	assert_rule(d, "release.party");
}

static void test_release_holder(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.holder");
}

static void test_release_status(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	h.status = ITEM_DESTROYED;
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.status");
	assert_string_equal(why(&d), "refused: item 'K-1' is destroyed; it cannot be released");
}

static void test_release_annex_in_effect(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	/* the state says in force (a caller's mistake), but no annex yet */
	assert_int_equal(release_kor(&h, &st, "2016-11-22T12:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.annex");
}

static void test_release_never(void **state)
{
	struct holding h = kor_item("K-1", "군사I급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.never");
	assert_string_equal(why(&d), "refused: item 'K-1' is marked 군사I급비밀, which agreement "
			    "'KOR-JPN-2016' never allows to be released");
}

static void test_release_annex_row(void **state)
{
	struct holding h = kor_item("K-1", "대외비");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.annex-row");
	/* TOP SECRET-like, not on the never list, still not rounded down */
	korjpn->annex[0].nnever = 1; /* drop JPN 機密 from the never list */
	{
		struct holding j = kor_item("J-1", "機密");

		CPY(j.item.originator, "JPN");
		CPY(j.holder, "JPN");
		assert_int_equal(decide_release(korjpn, &st, &jpn, &kor, &j, "JPN", "KOR", NULL, 0,
						T("2018-01-01T00:00:00+09:00"), &d), GS_EDENIED);
		assert_rule(d, "release.annex-row");
	}
	korjpn->annex[0].nnever = 2;
}

static void test_release_protect_as(void **state)
{
	struct holding j = kor_item("J-2", "秘");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	CPY(j.item.originator, "JPN");
	CPY(j.holder, "JPN");
	korjpn->annex[0].rows[1].cells[1].protect_as = true;
	assert_int_equal(decide_release(korjpn, &st, &jpn, &kor, &j, "JPN", "KOR", NULL, 0,
					T("2018-01-01T00:00:00+09:00"), &d), GS_EDENIED);
	korjpn->annex[0].rows[1].cells[1].protect_as = false;
	assert_rule(d, "release.protect-as");
	assert_int_equal(decide_release(korjpn, &st, &jpn, &kor, &j, "JPN", "KOR", NULL, 0,
					T("2018-01-01T00:00:00+09:00"), &d), 0);
}

static void test_release_no_equivalent(void **state)
{
	struct holding h = kor_item("K-3", "군사III급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	korjpn->annex[0].rows[1].cells[1].nlabels = 0;
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	korjpn->annex[0].rows[1].cells[1].nlabels = 1;
	assert_rule(d, "release.no-equivalent");
}

static void test_release_scope(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	korjpn->rules.npurposes = 1;
	CPY(korjpn->rules.purposes[0], PURPOSE_DEF);
	korjpn->rules.ntopics = 1;
	CPY(korjpn->rules.topics[0], TOPIC_DPRK);
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), 0);
	CPY(h.item.purpose, "export promotion");
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.scope-purpose");
	CPY(h.item.purpose, PURPOSE_DEF);
	CPY(h.item.topic, "fisheries");
	assert_int_equal(release_kor(&h, &st, "2018-01-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "release.scope-topic");
	korjpn->rules.npurposes = 0;
	korjpn->rules.ntopics = 0;
}

/* TISA leg 2 as a release under US-JPN: USA holds a KOR item as SECRET. */
static struct holding usa_holding(void)
{
	struct holding h = kor_item("K-9", "군사II급비밀");

	CPY(h.holder, "USA");
	CPY(h.marking.labels[0], "SECRET");
	CPY(h.marking.originator_name, "Republic of Korea");
	CPY(h.agreement, "US-KOR-1987");
	CPY(h.released_by, "KOR");
	h.released_at = T("2018-05-01T09:00:00+09:00");
	return h;
}

static void test_release_originator_consent(void **state)
{
	struct holding h = usa_holding();
	struct lifecycle_status st = in_force();
	struct consent c = kor_consent(CONSENT_ONWARD, "K-9", "USA", "JPN", "2019-01-01T00:00:00+09:00");
	struct decision d;
	gs_instant at = T("2018-06-01T00:00:00+09:00");

	(void)state;
	assert_int_equal(decide_release(usjpn, &st, &kor, &jpn, &h, "USA", "JPN", NULL, 0, at, &d),
			 GS_EDENIED);
	assert_rule(d, "release.originator-consent");
	assert_string_equal(why(&d), "refused: USA is not the originator of item 'K-9' and holds "
			    "no consent from Republic of Korea to release it to JPN");
	assert_int_equal(decide_release(usjpn, &st, &kor, &jpn, &h, "USA", "JPN", &c, 1, at, &d), 0);
	assert_rule(d, "release.permit");
	assert_int_equal(decide_release(usjpn, &st, &kor, &jpn, &h, "USA", "JPN", &c, 1,
					T("2019-01-01T00:00:00+09:00"), &d), GS_EDENIED);
	assert_rule(d, "release.originator-consent-expired");
}

static void test_release_arrangement(void **state)
{
	struct holding h = kor_item("K-9", "군사II급비밀");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	assert_int_equal(decide_release(tisa, &st, &kor, &usa, &h, "KOR", "USA", NULL, 0,
					T("2018-06-01T00:00:00+09:00"), &d), GS_EDENIED);
	assert_rule(d, "release.arrangement");
}

static void test_release_back_to_originator(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct lifecycle_status st = in_force();
	struct decision d;

	(void)state;
	/* JPN gives KOR's item back to KOR: no consent needed */
	assert_int_equal(decide_release(korjpn, &st, &jpn, &kor, &h, "JPN", "KOR", NULL, 0,
					T("2018-06-01T00:00:00+09:00"), &d), 0);
	assert_rule(d, "release.permit");
	assert_int_equal(decide_onward(NULL, &h, "JPN", "KOR", NULL, NULL, 0,
				       T("2018-06-01T00:00:00+09:00"), &d), 0);
	assert_rule(d, "onward.originator");
}

/* ---- marking --------------------------------------------------------- */

static void test_marking_recipient_converts(void **state)
{
	struct marking m;
	struct decision d;

	(void)state;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사III급비밀",
					&m, &d), 0);
	assert_rule(d, "marking.permit");
	assert_int_equal(m.nlabels, 1);
	assert_string_equal(m.labels[0], "秘");
	assert_string_equal(m.originator_name, "Republic of Korea");
	assert_false(m.protect_as);
	/* many-to-one: candidates with a default */
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사II급비밀",
					&m, &d), 0);
	assert_string_equal(m.labels[0], "特定秘密");
	assert_int_equal(m.ncandidates, 2);
	assert_string_equal(m.candidates[0], "特定秘密");
	assert_string_equal(m.candidates[1], "極秘");
	/* and the reverse direction */
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &jpn, &kor, "極秘", &m, &d), 0);
	assert_string_equal(m.labels[0], "군사II급비밀");
	assert_string_equal(m.originator_name, "Japan");
}

static void test_marking_choose(void **state)
{
	struct marking m;
	struct decision d;

	(void)state;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사II급비밀",
					&m, &d), 0);
	assert_int_equal(marking_choose(&m, "極秘"), 0);
	assert_string_equal(m.labels[0], "極秘");
	assert_int_equal(marking_choose(&m, "特定秘密"), 0);
	assert_string_equal(m.labels[0], "特定秘密");
	assert_int_equal(marking_choose(&m, "秘"), GS_EINVAL);
	korjpn->rules.marking = MARKING_KEEP_ORIGINAL;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사II급비밀",
					&m, &d), 0);
	korjpn->rules.marking = MARKING_RECIPIENT_CONVERTS;
	assert_int_equal(marking_choose(&m, "極秘"), GS_ESTATE);
}

static void test_marking_modes(void **state)
{
	struct marking m;
	struct decision d;

	(void)state;
	korjpn->rules.marking = MARKING_ORIGINATOR_DUAL;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사II급비밀",
					&m, &d), 0);
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(m.labels[0], "군사II급비밀");
	assert_string_equal(m.labels[1], "特定秘密");
	korjpn->rules.marking = MARKING_KEEP_ORIGINAL;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사II급비밀",
					&m, &d), 0);
	assert_int_equal(m.nlabels, 1);
	assert_string_equal(m.labels[0], "군사II급비밀");
	korjpn->rules.marking = MARKING_RECIPIENT_CONVERTS;
	/* protect-as: the holder's cell has no true equivalent */
	korjpn->annex[0].rows[1].cells[1].protect_as = true;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사III급비밀",
					&m, &d), 0);
	korjpn->annex[0].rows[1].cells[1].protect_as = false;
	assert_true(m.protect_as);
}

static void test_marking_refusals(void **state)
{
	struct marking m;
	struct decision d;

	(void)state;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사I급비밀",
					&m, &d), GS_EDENIED);
	assert_rule(d, "marking.never");
	assert_int_equal(m.nlabels, 0);
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "대외비", &m, &d),
			 GS_EDENIED);
	assert_rule(d, "marking.no-equivalent");
	korjpn->annex[0].rows[1].cells[1].nlabels = 0;
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &kor, &jpn, "군사III급비밀",
					&m, &d), GS_EDENIED);
	korjpn->annex[0].rows[1].cells[1].nlabels = 1;
	assert_rule(d, "marking.no-equivalent");
	assert_int_equal(decide_marking(korjpn, &korjpn->annex[0], &usa, &jpn, "SECRET", &m, &d),
			 GS_EDENIED);
	assert_rule(d, "marking.party");
}

/* ---- access ---------------------------------------------------------- */

/* decide_access as the positional call it replaces */
static int access_(const struct agreement *a, const struct party *holder, const struct holding *h,
		   const struct person *p, const struct facility *f, const struct consent *c, size_t n,
		   gs_instant at, struct decision *d)
{
	struct access_query q = { .agreement = a, .holder = holder, .holding = h, .person = p,
				  .facility = f, .consents = c, .nconsents = n, .at = at };

	return decide_access(&q, d);
}

static int open_(const struct holding *h, const struct person *p, const struct facility *f,
		 const struct consent *c, size_t n, const char *at, struct decision *d)
{
	return access_(korjpn, &jpn, h, p, f, c, n, T(at), d);
}

#define AT "2019-06-01T10:00:00+09:00"

static void test_access_permit(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	assert_true(d.permit);
	assert_rule(d, "access.permit");
	assert_string_equal(why(&d), "permitted: 山田花子 may open item 'K-1'");
	/* a PSC above every annex row is fine */
	p = yamada("機密");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
}

static void test_access_psc_level(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("秘");
	struct decision d;

	(void)state;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-level");
	assert_string_equal(why(&d), "refused: 山田花子 holds a PSC at 秘, below the item's 特定秘密");
	/* in JPN's scheme 特定秘密 is above 極秘: the holder's own label counts */
	p = yamada("極秘");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-level");
	h = jpn_holding("K-1", "군사II급비밀", "極秘");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	/* a label of another scheme is no PSC here */
	p = yamada("군사II급비밀");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-level");
}

static void test_access_psc_none(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("");
	struct decision d;

	(void)state;
	p.roles = ROLE_NSA_OFFICER | ROLE_REGISTRY; /* a post gives nothing */
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-none");
	assert_string_equal(why(&d), "refused: 山田花子 holds no PSC");
}

static void test_access_psc_expired(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	p.psc.valid_until = T("2019-06-01T00:00:00+09:00");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-expired");
	assert_string_equal(why(&d), "refused: 山田花子's PSC expired at 2019-06-01T00:00:00+09:00");
	p = yamada("特定秘密");
	p.psc.valid_from = T("2019-07-01T00:00:00+09:00");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-expired");
}

static void test_access_psc_employer(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	CPY(p.employer, "KOR");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-employer");
}

static void test_access_nationality(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	/* a Korean national at the JPN node */
	CPY(p.name, "김민준");
	CPY(p.nationalities[0], "KOR");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.nationality");
	assert_string_equal(why(&d), "refused: 김민준 is a national of KOR; only nationals of JPN "
			    "may open item 'K-1'");
	/* nationals of any party, if the agreement says so */
	korjpn->rules.nationality = NATIONALITY_PARTIES;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	korjpn->rules.nationality = NATIONALITY_HOLDER_ONLY;
	p.nnationalities = 0;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.nationality");
}

static void test_access_dual_national(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	p.nnationalities = 2;
	CPY(p.nationalities[1], "KOR");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.dual-national");
	korjpn->rules.dual_nationals_allowed = true;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	korjpn->rules.dual_nationals_allowed = false;
}

static void test_access_third_country(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct consent c = kor_consent(CONSENT_ACCESS, "K-1", "JPN", "USA", "2020-01-01T00:00:00+09:00");
	struct decision d;

	(void)state;
	CPY(p.nationalities[0], "USA");
	korjpn->rules.nationality = NATIONALITY_PARTIES;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.third-country");
	/* only with the originator's consent */
	assert_int_equal(open_(&h, &p, fac, &c, 1, AT, &d), 0);
	assert_int_equal(open_(&h, &p, fac, &c, 1, "2020-01-01T00:00:00+09:00", &d), GS_EDENIED);
	korjpn->rules.nationality = NATIONALITY_HOLDER_ONLY;
}

/* Issue: 'dual-nationals: allow' waived the third-country rule. Allowing
 * dual nationals of the parties never admits a national of a third
 * country: every nationality is judged. */
static void test_access_dual_national_third_country(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct consent c = kor_consent(CONSENT_ACCESS, "K-1", "JPN", "USA", "2020-01-01T00:00:00+09:00");
	struct decision d;

	(void)state;
	p.nnationalities = 2;
	CPY(p.nationalities[1], "USA");
	korjpn->rules.dual_nationals_allowed = true;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.third-country");
	assert_string_equal(why(&d), "refused: 山田花子 is a national of USA, a third country, and "
			    "holds no consent from the originator");
	/* under either nationality policy */
	korjpn->rules.nationality = NATIONALITY_PARTIES;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.third-country");
	/* the originator's consent for that nationality admits */
	assert_int_equal(open_(&h, &p, fac, &c, 1, AT, &d), 0);
	/* and one out of its validity says so */
	assert_int_equal(open_(&h, &p, fac, &c, 1, "2020-02-01T00:00:00+09:00", &d), GS_EDENIED);
	assert_rule(d, "access.consent-expired");
	assert_string_equal(why(&d), "refused: consent 'KOR-C-7' for access by a national of USA to "
			    "item 'K-1' is expired at 2020-01-01T00:00:00+09:00");
	/* the nationality first: a USA+JPN order changes nothing */
	CPY(p.nationalities[0], "USA");
	CPY(p.nationalities[1], "JPN");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.third-country");
	korjpn->rules.nationality = NATIONALITY_HOLDER_ONLY;
	korjpn->rules.dual_nationals_allowed = false;
}

/* Another shortcut of the same kind: under 'nationality: parties', a
 * dual national of two parties passed 'dual-nationals: refuse' unseen. */
static void test_access_dual_national_parties_policy(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct consent c = kor_consent(CONSENT_ACCESS, "K-1", "JPN", "KOR", "2020-01-01T00:00:00+09:00");
	struct decision d;

	(void)state;
	p.nnationalities = 2;
	CPY(p.nationalities[1], "KOR");
	korjpn->rules.nationality = NATIONALITY_PARTIES;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.dual-national");
	assert_int_equal(open_(&h, &p, fac, &c, 1, AT, &d), 0);
	korjpn->rules.dual_nationals_allowed = true;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	korjpn->rules.dual_nationals_allowed = false;
	korjpn->rules.nationality = NATIONALITY_HOLDER_ONLY;
}

/* Use for another purpose (Art 5) is part of the access decision. */
static void test_access_purpose(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct consent c = kor_consent(CONSENT_USE, "K-1", "JPN", "", "2020-01-01T00:00:00+09:00");
	struct access_query q = { .agreement = korjpn, .holder = &jpn, .holding = &h, .person = &p,
				  .facility = fac, .purpose = "training", .at = T(AT) };
	struct decision d;

	(void)state;
	CPY(c.purpose, "training");
	assert_int_equal(decide_access(&q, &d), GS_EDENIED);
	assert_rule(d, "use.purpose-consent");
	assert_string_equal(why(&d), "refused: item 'K-1' was not released for 'training'; JPN holds no "
			    "consent from KOR for that purpose");
	q.consents = &c;
	q.nconsents = 1;
	assert_int_equal(decide_access(&q, &d), 0);
	assert_string_equal(why(&d), "permitted: 山田花子 may open item 'K-1' for 'training' (by the "
			    "originator's consent)");
	q.at = T("2020-01-01T00:00:00+09:00");
	assert_int_equal(decide_access(&q, &d), GS_EDENIED);
	assert_rule(d, "use.purpose-consent-expired");
	/* the purpose released for needs nothing; NULL means that one */
	q.purpose = PURPOSE_DEF;
	assert_int_equal(decide_access(&q, &d), 0);
	q.purpose = NULL;
	assert_int_equal(decide_access(&q, &d), 0);
	assert_rule(d, "access.permit");
	/* need-to-know for the use: a purpose duty names the purpose of this use */
	p.duties[0].kind = DUTY_PURPOSE;
	CPY(p.duties[0].value, "training");
	q.purpose = "training";
	q.at = T(AT);
	assert_int_equal(decide_access(&q, &d), 0);
	q.purpose = NULL;
	assert_int_equal(decide_access(&q, &d), GS_EDENIED);
	assert_rule(d, "access.need-to-know");
}

/* A person on no facility can open nothing: a decision, not an error. */
static void test_access_no_facility(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	p.facility[0] = '\0';
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.facility");
	assert_string_equal(why(&d), "refused: 山田花子 belongs to no facility and can open nothing");
}

static void test_access_need_to_know(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	CPY(p.duties[0].value, "maritime surveillance");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.need-to-know");
	p.duties[0].kind = DUTY_ITEM;
	CPY(p.duties[0].value, "K-1");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	p.duties[0].kind = DUTY_PURPOSE;
	CPY(p.duties[0].value, PURPOSE_DEF);
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	/* a duty naming the original covers its copy */
	p.duties[0].kind = DUTY_ITEM;
	CPY(p.duties[0].value, "K-1");
	CPY(h.item.id, "K-1/c1");
	CPY(h.item.copy_of, "K-1");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
}

static void test_access_register(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	assert_int_equal(facility_register_remove(fac, p.id), 0);
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.facility-register");
	assert_string_equal(why(&d), "refused: 山田花子 is not on the register of facility 'JPN-MOD-1'");
	assert_int_equal(facility_register_add(fac, p.id), 0);
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
}

static void test_access_facility(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	CPY(p.facility, "JPN-MOD-9");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.facility");
	p = yamada("特定秘密");
	CPY(h.facility, "JPN-MOD-9");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.facility");
}

static void test_access_contractor(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	CPY(p.id, "JPN-C-0042");
	CPY(p.facility, "JPN-MHI-2");
	CPY(h.facility, "JPN-MHI-2");
	assert_int_equal(facility_register_add(cfac, p.id), 0);
	cfac->checklist = FACILITY_CHECKLIST_ALL & ~(1u << 6); /* (g) missing */
	assert_int_equal(open_(&h, &p, cfac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.contractor");
	assert_string_equal(why(&d), "refused: contractor facility 'JPN-MHI-2' lacks Art 16 "
			    "checklist items (g)");
	cfac->checklist = FACILITY_CHECKLIST_ALL;
	assert_int_equal(open_(&h, &p, cfac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.contractor");
	cfac->initial_inspection = T("2018-01-01T00:00:00+09:00");
	assert_int_equal(open_(&h, &p, cfac, NULL, 0, AT, &d), 0);
}

static void test_access_status(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;
	const enum item_status bad[] = { ITEM_DESTROYED, ITEM_RETURNED, ITEM_SUSPENDED,
					 ITEM_LOST, ITEM_COMPROMISED };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.status = bad[i];
		assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
		assert_rule(d, "access.status");
	}
	h.status = ITEM_DESTROYED;
	assert_string_equal(why(&d), "refused: item 'K-1' is compromised; no one may open it");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_string_equal(why(&d), "refused: item 'K-1' is destroyed; no one may open it");
}

static void test_access_holder(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.holder");
}

static void test_access_level_from_annex(void **state)
{
	/* keep-original: JPN shows 군사II급비밀; its level comes through the annex */
	struct holding h = jpn_holding("K-1", "군사II급비밀", "군사II급비밀");
	struct person p = yamada("極秘");
	struct decision d;

	(void)state;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-level");
	assert_string_equal(why(&d), "refused: 山田花子 holds a PSC at 極秘, below the item's 特定秘密");
	p = yamada("特定秘密");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	/* a label that maps to nothing is refused, not guessed */
	h = jpn_holding("K-1", "대외비", "대외비");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.level-unknown");
}

static void test_access_psc_from(void **state)
{
	struct holding h = jpn_holding("K-3", "군사III급비밀", "秘");
	struct person p = yamada("");
	struct decision d;

	(void)state;
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-none");
	CPY(korjpn->rules.psc_from, "SECRET"); /* NATO-like: below SECRET needs no PSC */
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), 0);
	h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	assert_rule(d, "access.psc-none");
	korjpn->rules.psc_from[0] = '\0';
}

static void test_access_agreement(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	/* the rules of another agreement (say, a looser one) do not apply */
	assert_int_equal(access_(usjpn, &jpn, &h, &p, fac, NULL, 0, T(AT), &d), GS_EDENIED);
	assert_rule(d, "access.agreement");
}

/* TISA: JPN holds a KOR item received from USA under US-JPN; KOR is not a
 * party to US-JPN, so psc_from goes by the holder's own label. */
static void test_access_psc_from_foreign_originator(void **state)
{
	struct holding h = jpn_holding("K-9", "군사III급비밀", "秘");
	struct person p = yamada("");
	struct decision d;

	(void)state;
	CPY(h.agreement, "US-JPN-2007");
	CPY(h.released_by, "USA");
	assert_int_equal(access_(usjpn, &jpn, &h, &p, fac, NULL, 0, T(AT), &d), GS_EDENIED);
	assert_rule(d, "access.psc-none");
	CPY(usjpn->rules.psc_from, "SECRET");
	assert_int_equal(access_(usjpn, &jpn, &h, &p, fac, NULL, 0, T(AT), &d), 0);
	usjpn->rules.psc_from[0] = '\0';
	p = yamada("秘");
	assert_int_equal(access_(usjpn, &jpn, &h, &p, fac, NULL, 0, T(AT), &d), 0);
}

/* Survival: access is decided without the agreement's state, so a
 * terminated agreement protects exactly as before. */
static void test_access_survives_termination(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct holding kh = kor_item("K-2", "군사II급비밀");
	struct person cleared = yamada("特定秘密"), uncleared = yamada("");
	struct lifecycle_status st = in_force();
	struct decision d;
	const char *after = "2020-01-01T00:00:00+09:00";

	(void)state;
	st.state = STATE_TERMINATED;
	st.terminates_at = T("2019-11-23T00:00:00+09:00");
	assert_int_equal(release_kor(&kh, &st, after, &d), GS_EDENIED);
	assert_rule(d, "release.in-force");
	assert_int_equal(open_(&h, &uncleared, fac, NULL, 0, after, &d), GS_EDENIED);
	assert_rule(d, "access.psc-none");
	CPY(cleared.nationalities[0], "KOR");
	assert_int_equal(open_(&h, &cleared, fac, NULL, 0, after, &d), GS_EDENIED);
	assert_rule(d, "access.nationality");
	cleared = yamada("特定秘密");
	assert_int_equal(open_(&h, &cleared, fac, NULL, 0, after, &d), 0);
	/* the third-party ban survives too */
	assert_int_equal(decide_onward(NULL, &h, "JPN", "USA", NULL, NULL, 0, T(after), &d),
			 GS_EDENIED);
	assert_rule(d, "onward.consent");
}

/* ---- onward (TISA) --------------------------------------------------- */

static void test_onward_tisa(void **state)
{
	struct holding h = usa_holding();
	struct consent c = kor_consent(CONSENT_ONWARD, "K-9", "USA", "JPN", "2019-01-01T00:00:00+09:00");
	struct decision d;
	gs_instant at = T("2018-06-01T00:00:00+09:00");

	(void)state;
	/* USA -> JPN with KOR's consent */
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), 0);
	assert_rule(d, "onward.permit");
	/* without it */
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, NULL, 0, at, &d), GS_EDENIED);
	assert_rule(d, "onward.consent");
	assert_string_equal(why(&d), "refused: USA holds no consent from KOR to pass item 'K-9' on to JPN");
	/* a consent for another third party, purpose or item does not count */
	CPY(c.third_party, "AUS");
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), GS_EDENIED);
	CPY(c.third_party, "JPN");
	CPY(c.purpose, "training");
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), GS_EDENIED);
	CPY(c.purpose, PURPOSE_DEF);
	CPY(c.item, "K-10");
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), GS_EDENIED);
	/* a class of items: the topic */
	c.item[0] = '\0';
	CPY(c.topic, TOPIC_DPRK);
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), 0);
	/* a refusal is no consent, nor one without an expiry */
	c.granted = false;
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), GS_EDENIED);
	c.granted = true;
	c.expires = GS_INSTANT_NONE;
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), GS_EDENIED);
}

static void test_onward_consent_expired(void **state)
{
	struct holding h = usa_holding();
	struct consent c = kor_consent(CONSENT_ONWARD, "K-9", "USA", "JPN", "2018-06-01T00:00:00+09:00");
	struct decision d;

	(void)state;
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1,
				       T("2018-06-01T00:00:00+09:00"), &d), GS_EDENIED);
	assert_rule(d, "onward.consent-expired");
	assert_string_equal(why(&d), "refused: consent 'KOR-C-7' from KOR to pass an item on to "
			    "JPN is expired at 2018-06-01T00:00:00+09:00");
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1,
				       T("2018-05-31T23:59:59+09:00"), &d), 0);
}

static void test_onward_topic_gate(void **state)
{
	struct holding h = usa_holding();
	struct consent c = kor_consent(CONSENT_ONWARD, "K-9", "USA", "JPN", "2019-01-01T00:00:00+09:00");
	struct decision d;
	gs_instant at = T("2018-06-01T00:00:00+09:00");

	(void)state;
	CPY(h.item.topic, "PLA naval movements");
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1, at, &d), GS_EDENIED);
	assert_rule(d, "onward.topic-gate");
	/* without the arrangement there is no topic gate, only the consent */
	c.item[0] = '\0';
	CPY(c.item, "K-9");
	assert_int_equal(decide_onward(NULL, &h, "USA", "JPN", NULL, &c, 1, at, &d), 0);
}

static void test_onward_route(void **state)
{
	struct holding h = kor_item("K-9", "군사II급비밀");
	struct decision d;
	gs_instant at = T("2018-06-01T00:00:00+09:00");

	(void)state;
	/* leg 1: the originator to the hub needs no consent */
	assert_int_equal(decide_onward(tisa, &h, "KOR", "USA", NULL, NULL, 0, at, &d), 0);
	assert_rule(d, "onward.originator");
	/* KOR and JPN do not exchange directly under TISA */
	assert_int_equal(decide_onward(tisa, &h, "KOR", "JPN", NULL, NULL, 0, at, &d), GS_EDENIED);
	assert_rule(d, "onward.route");
	assert_string_equal(why(&d), "refused: under arrangement 'TISA-2014' KOR cannot send to "
			    "JPN directly; the route runs through the hub USA");
	assert_int_equal(decide_onward(tisa, &h, "KOR", "AUS", NULL, NULL, 0, at, &d), GS_EDENIED);
	assert_rule(d, "onward.route");
}

static void test_onward_status(void **state)
{
	struct holding h = usa_holding();
	struct consent c = kor_consent(CONSENT_ONWARD, "K-9", "USA", "JPN", "2019-01-01T00:00:00+09:00");
	struct decision d;

	(void)state;
	h.status = ITEM_SUSPENDED;
	assert_int_equal(decide_onward(tisa, &h, "USA", "JPN", NULL, &c, 1,
				       T("2018-06-01T00:00:00+09:00"), &d), GS_EDENIED);
	assert_rule(d, "onward.status");
}

/* ---- purpose, reclassification, contractors --------------------------- */

static void test_use_purpose(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct consent c = kor_consent(CONSENT_USE, "K-1", "JPN", "", "2020-01-01T00:00:00+09:00");
	struct decision d;
	gs_instant at = T(AT);

	(void)state;
	assert_int_equal(decide_use(&h, PURPOSE_DEF, NULL, 0, at, &d), 0);
	assert_rule(d, "use.permit");
	assert_int_equal(decide_use(&h, "training", NULL, 0, at, &d), GS_EDENIED);
	assert_rule(d, "use.purpose-consent");
	CPY(c.purpose, "training");
	assert_int_equal(decide_use(&h, "training", &c, 1, at, &d), 0);
	assert_int_equal(decide_use(&h, "training", &c, 1, T("2020-02-01T00:00:00+09:00"), &d),
			 GS_EDENIED);
	assert_rule(d, "use.purpose-consent-expired");
	h.status = ITEM_RETURNED;
	assert_int_equal(decide_use(&h, PURPOSE_DEF, NULL, 0, at, &d), GS_EDENIED);
	assert_rule(d, "use.status");
}

static void test_reclassify(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct decision d;

	(void)state;
	assert_int_equal(decide_reclassify(&h, &kor, "JPN", "秘", &d), GS_EDENIED);
	assert_rule(d, "reclassify.originator-only");
	assert_string_equal(why(&d), "refused: only the originator KOR may change the "
			    "classification of item 'K-1'; JPN may not");
	assert_int_equal(decide_reclassify(&h, &kor, "KOR", "군사III급비밀", &d), 0);
	assert_rule(d, "reclassify.permit");
	assert_int_equal(decide_reclassify(&h, &kor, "KOR", "秘", &d), GS_EDENIED);
	assert_rule(d, "reclassify.label");
	h.status = ITEM_DESTROYED;
	assert_int_equal(decide_reclassify(&h, &kor, "KOR", "군사III급비밀", &d), GS_EDENIED);
	assert_rule(d, "reclassify.status");
}

static void test_reclassify_original_same(void **state)
{
	struct holding h = kor_item("K-1", "군사II급비밀");
	struct decision d;

	(void)state;
	assert_int_equal(decide_reclassify(&h, &kor, "KOR", "군사II급비밀", &d), GS_EDENIED);
	assert_rule(d, "reclassify.same");
	CPY(h.item.copy_of, "K-0");
	assert_int_equal(decide_reclassify(&h, &kor, "KOR", "군사III급비밀", &d), GS_EDENIED);
	assert_rule(d, "reclassify.original");
	assert_string_equal(why(&d), "refused: 'K-1' is a copy or translation of 'K-0'; the notice names "
			    "the original, and it applies to every copy");
	/* the originator's scheme is an input, not optional */
	assert_int_equal(decide_reclassify(&h, NULL, "KOR", "군사III급비밀", &d), GS_EINVAL);
}

/* A notice at a holder: JPN holds K-9 from USA under US-JPN (TISA). */
static void test_reclassify_notice(void **state)
{
	struct holding h = jpn_holding("K-9", "군사II급비밀", "極秘");
	struct reclassify_notice nt;
	struct notice_facts f;
	struct decision d;

	(void)state;
	memset(&nt, 0, sizeof(nt));
	CPY(nt.item, "K-9");
	CPY(nt.originator, "KOR");
	CPY(nt.agreement, "KOR-JPN-2016");
	CPY(nt.label, "군사III급비밀");
	nt.instant = T("2019-01-01T00:00:00+09:00");
	memset(&f, 0, sizeof(f));
	f.notice = &nt;
	f.signature = NOTICE_SIGNED;
	f.originator = &kor;
	f.self = "JPN";
	f.holding = &h;
	f.disposed_at = GS_INSTANT_NONE;
	f.last_applied = GS_INSTANT_NONE;
	f.now = T(AT);
	assert_int_equal(decide_reclassify_notice(&f, &d), 0);
	assert_rule(d, "reclassify.permit");
	f.signature = NOTICE_FORGED;
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.signature");
	f.signature = NOTICE_SIGNED;
	f.originator = &jpn; /* signed by another party than the item's originator */
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.originator-only");
	f.originator = &kor;
	f.holding = NULL;
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.item");
	f.holding = &h;
	f.last_applied = T("2019-02-01T00:00:00+09:00");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.stale");
	f.last_applied = GS_INSTANT_NONE;
	nt.instant = T("2016-01-01T00:00:00+09:00");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.instant");
	nt.instant = T("2019-01-01T00:00:00+09:00");
	h.status = ITEM_DESTROYED;
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.status");
	h.status = ITEM_ACTIVE;

	/* through the hub: held under US-JPN, the notice names KOR's own leg
	 * and comes forwarded by USA */
	struct reclassify_forward fw;

	CPY(h.agreement, "US-JPN-2007");
	CPY(h.released_by, "USA");
	CPY(nt.agreement, "US-KOR-1987");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.forward");
	assert_string_equal(why(&d), "refused: item 'K-9' reached this node through USA; the originator's "
			    "notice must come forwarded and signed by USA");
	memset(&fw, 0, sizeof(fw));
	CPY(fw.item, "K-9");
	CPY(fw.from, "USA");
	CPY(fw.to, "JPN");
	CPY(fw.agreement, "US-JPN-2007");
	CPY(fw.label, "CONFIDENTIAL");
	f.forward = &fw;
	f.forward_signature = NOTICE_SIGNED;
	f.forward_digest_ok = true;
	assert_int_equal(decide_reclassify_notice(&f, &d), 0);
	assert_rule(d, "reclassify.permit");
	/* the forward must be the releasing party's, signed */
	f.forward_signature = NOTICE_FORGED;
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.forward");
	f.forward_signature = NOTICE_SIGNED;
	CPY(fw.from, "KOR");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	CPY(fw.from, "USA");
	/* carrying the notice it names */
	f.forward_digest_ok = false;
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.forward");
	f.forward_digest_ok = true;
	/* for this node, on the leg it holds the item under */
	CPY(fw.agreement, "US-KOR-1987");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_string_equal(why(&d), "refused: the forward is for JPN under 'US-KOR-1987', but item 'K-9' is "
			    "held here under 'US-JPN-2007'");
	CPY(fw.agreement, "US-JPN-2007");
	CPY(fw.to, "GBR");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	CPY(fw.to, "JPN");
	/* an item received from its originator takes the notice alone */
	CPY(h.released_by, "KOR");
	CPY(h.agreement, "US-KOR-1987");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.forward");
	f.forward = NULL;
	assert_int_equal(decide_reclassify_notice(&f, &d), 0);
	CPY(h.agreement, "KOR-JPN-2016");
	assert_int_equal(decide_reclassify_notice(&f, &d), GS_EDENIED);
	assert_rule(d, "reclassify.agreement");
}

static void test_custody(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct custody_facts f;
	struct decision d;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.holding = &h;
	f.self = "JPN";
	f.action = CUSTODY_COPY;
	f.disposed_at = GS_INSTANT_NONE;
	assert_int_equal(decide_custody(&f, &d), 0);
	assert_rule(d, "custody.permit");
	h.status = ITEM_DESTROYED;
	f.disposed_at = T("2019-03-01T00:00:00+00:00");
	f.disposed_by = "kato";
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.status");
	assert_string_equal(why(&d), "refused: item 'K-1' was destroyed at 2019-03-01T00:00:00+00:00 by "
			    "kato; it cannot be copied");
	h.status = ITEM_LOST;
	assert_int_equal(decide_custody(&f, &d), 0); /* a lost item's copy stays a copy */
	f.action = CUSTODY_DESTROY;
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.status");
	h.status = ITEM_ACTIVE;
	f.person = "kato";
	f.witness = "kato";
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.witness");
	f.witness = "yamada";
	f.live_copies = "K-1-c1, K-1-t1";
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.copies");
	f.live_copies = "";
	assert_int_equal(decide_custody(&f, &d), 0);
	f.action = CUSTODY_RETURN;
	f.is_copy = true;
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.return");
	f.is_copy = false;
	f.self = "KOR";
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "custody.return");
	f.action = CUSTODY_TRANSLATE;
	assert_int_equal(decide_custody(&f, &d), GS_EDENIED);
	assert_rule(d, "translate.originator");
}

static void test_translator(void **state)
{
	struct person p = yamada("特定秘密");
	struct decision d;

	(void)state;
	assert_int_equal(decide_translator(&p, &d), GS_EDENIED);
	assert_rule(d, "translate.role");
	p.roles |= ROLE_TRANSLATOR;
	assert_int_equal(decide_translator(&p, &d), 0);
	p.psc.level[0] = '\0';
	assert_int_equal(decide_translator(&p, &d), GS_EDENIED);
	assert_rule(d, "translate.psc");
}

static void test_contractor(void **state)
{
	struct facility *f = malloc(sizeof(*f));
	struct decision d;
	gs_instant at = T(AT);

	(void)state;
	assert_non_null(f);
	facility_init(f);
	CPY(f->id, "JPN-KHI-1");
	CPY(f->party, "JPN");
	assert_int_equal(decide_contractor(f, at, &d), 0);
	f->contractor = true;
	f->checklist = FACILITY_CHECKLIST_ALL & ~((1u << 0) | (1u << 14));
	assert_int_equal(decide_contractor(f, at, &d), GS_EDENIED);
	assert_rule(d, "contractor.checklist");
	assert_string_equal(why(&d), "refused: contractor facility 'JPN-KHI-1' lacks Art 16 "
			    "checklist items (a,o)");
	f->checklist = FACILITY_CHECKLIST_ALL;
	assert_int_equal(decide_contractor(f, at, &d), GS_EDENIED);
	assert_rule(d, "contractor.inspection");
	f->initial_inspection = T("2019-07-01T00:00:00+09:00"); /* after at */
	assert_int_equal(decide_contractor(f, at, &d), GS_EDENIED);
	f->initial_inspection = T("2019-01-01T00:00:00+09:00");
	assert_int_equal(decide_contractor(f, at, &d), 0);
	assert_rule(d, "contractor.permit");
	free(f);
}

/* Survival (docs/lifecycle.md): what was released stays protected after termination. */
static void test_survival(void **state)
{
	struct holding h = jpn_holding("KOR-1", "군사II급비밀", "特定秘密");
	gs_instant end = T("2019-11-23T00:00:00+09:00");
	char why[512];

	(void)state;
	assert_true(holding_survives(&h, end, 9 * 3600, why, sizeof(why)));
	assert_non_null(strstr(why, "released 2017-03-01T10:00:00+09:00 while the agreement was in force"));
	assert_non_null(strstr(why, "after 2019-11-23T00:00:00+09:00 (survival, docs/lifecycle.md)"));
	h.status = ITEM_LOST;
	assert_true(holding_survives(&h, end, 9 * 3600, why, sizeof(why)));
	assert_non_null(strstr(why, "incident is still reported"));
	h.released_at = T("2019-11-23T00:00:00+09:00"); /* cannot happen; never relaxes */
	assert_true(holding_survives(&h, end, 9 * 3600, why, sizeof(why)));
	assert_non_null(strstr(why, "never relaxes"));
	h.status = ITEM_DESTROYED;
	assert_false(holding_survives(&h, end, 9 * 3600, why, sizeof(why)));
	assert_non_null(strstr(why, "destroyed: no longer held"));
	h = kor_item("KOR-2", "군사II급비밀");
	assert_true(holding_survives(&h, GS_INSTANT_NONE, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "own information"));
	assert_true(holding_survives(&h, end, 0, NULL, 0));
	assert_false(holding_survives(NULL, end, 0, why, sizeof(why)));
	assert_true(holding_survives(&h, end, 0, why, 8));
	assert_int_equal(strlen(why), 7);
}

/* ---- plumbing --------------------------------------------------------- */

static void test_register(void **state)
{
	struct facility *f = malloc(sizeof(*f));
	char id[GS_MAX_ID];

	(void)state;
	assert_non_null(f);
	facility_init(f);
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof(id), "P-%04d", (i * 7919) % 500);
		assert_int_equal(facility_register_add(f, id), 0);
	}
	assert_int_equal(facility_register_add(f, "P-0007"), GS_EEXIST);
	assert_int_equal(facility_register_add(f, ""), GS_EINVAL);
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof(id), "P-%04d", i);
		assert_true(facility_register_has(f, id));
	}
	assert_false(facility_register_has(f, "P-0500"));
	assert_int_equal(facility_register_remove(f, "P-0250"), 0);
	assert_false(facility_register_has(f, "P-0250"));
	assert_true(facility_register_has(f, "P-0251"));
	assert_int_equal(facility_register_remove(f, "P-0250"), GS_ENOTFOUND);
	facility_init(f);
	for (int i = 0; i < GS_MAX_REGISTER; i++) {
		snprintf(id, sizeof(id), "Q%d", i);
		assert_int_equal(facility_register_add(f, id), 0);
	}
	assert_int_equal(facility_register_add(f, "Q-extra"), GS_ELIMIT);
	free(f);
}

static void test_reason_plumbing(void **state)
{
	struct holding h = jpn_holding("K-1", "군사II급비밀", "特定秘密");
	struct person p = yamada("秘");
	struct decision d;
	char small[8];
	int n;

	(void)state;
	assert_int_equal(access_(NULL, &jpn, &h, &p, fac, NULL, 0, 0, &d), GS_EINVAL);
	assert_false(d.permit);
	assert_rule(d, "invalid-input");
	assert_int_equal(access_(korjpn, &jpn, &h, &p, fac, NULL, 0, T(AT), NULL), GS_EINVAL);
	assert_int_equal(open_(&h, &p, fac, NULL, 0, AT, &d), GS_EDENIED);
	n = decision_reason(&d, small, sizeof(small));
	assert_true(n > (int)sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(decide_rule_id(RULE_ACCESS_PSC_LEVEL), "access.psc-level");
	assert_string_equal(decide_rule_id((enum decide_rule)9999), "unknown");
	for (int r = RULE_NONE + 1; r < RULE_COUNT_; r++) {
		d.rule = (enum decide_rule)r;
		assert_string_not_equal(decide_rule_id(d.rule), "unknown");
		assert_true(decision_reason(&d, reason_buf, sizeof(reason_buf)) > 0);
	}
	/* the decision owns its values: inputs may go */
	{
		struct person *q = malloc(sizeof(*q));

		assert_non_null(q);
		*q = yamada("秘");
		assert_int_equal(open_(&h, q, fac, NULL, 0, AT, &d), GS_EDENIED);
		memset(q, 'x', sizeof(*q));
		free(q);
		assert_string_equal(why(&d), "refused: 山田花子 holds a PSC at 秘, below the item's 特定秘密");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_in_force),
		cmocka_unit_test(test_release_before_eif),
		cmocka_unit_test(test_release_after_termination),
		cmocka_unit_test(test_release_version),
		cmocka_unit_test(test_release_party),
		cmocka_unit_test(test_refusal_is_no_error),
		cmocka_unit_test(test_node_ruled),
		cmocka_unit_test(test_release_holder),
		cmocka_unit_test(test_release_status),
		cmocka_unit_test(test_release_annex_in_effect),
		cmocka_unit_test(test_release_never),
		cmocka_unit_test(test_release_annex_row),
		cmocka_unit_test(test_release_protect_as),
		cmocka_unit_test(test_release_no_equivalent),
		cmocka_unit_test(test_release_scope),
		cmocka_unit_test(test_release_originator_consent),
		cmocka_unit_test(test_release_arrangement),
		cmocka_unit_test(test_release_back_to_originator),
		cmocka_unit_test(test_marking_recipient_converts),
		cmocka_unit_test(test_marking_choose),
		cmocka_unit_test(test_marking_modes),
		cmocka_unit_test(test_marking_refusals),
		cmocka_unit_test(test_access_permit),
		cmocka_unit_test(test_access_psc_level),
		cmocka_unit_test(test_access_psc_none),
		cmocka_unit_test(test_access_psc_expired),
		cmocka_unit_test(test_access_psc_employer),
		cmocka_unit_test(test_access_nationality),
		cmocka_unit_test(test_access_dual_national),
		cmocka_unit_test(test_access_third_country),
		cmocka_unit_test(test_access_dual_national_third_country),
		cmocka_unit_test(test_access_dual_national_parties_policy),
		cmocka_unit_test(test_access_purpose),
		cmocka_unit_test(test_access_no_facility),
		cmocka_unit_test(test_access_need_to_know),
		cmocka_unit_test(test_access_register),
		cmocka_unit_test(test_access_facility),
		cmocka_unit_test(test_access_contractor),
		cmocka_unit_test(test_access_status),
		cmocka_unit_test(test_access_holder),
		cmocka_unit_test(test_access_level_from_annex),
		cmocka_unit_test(test_access_psc_from),
		cmocka_unit_test(test_access_agreement),
		cmocka_unit_test(test_access_psc_from_foreign_originator),
		cmocka_unit_test(test_access_survives_termination),
		cmocka_unit_test(test_onward_tisa),
		cmocka_unit_test(test_onward_consent_expired),
		cmocka_unit_test(test_onward_topic_gate),
		cmocka_unit_test(test_onward_route),
		cmocka_unit_test(test_onward_status),
		cmocka_unit_test(test_use_purpose),
		cmocka_unit_test(test_reclassify),
		cmocka_unit_test(test_reclassify_original_same),
		cmocka_unit_test(test_reclassify_notice),
		cmocka_unit_test(test_custody),
		cmocka_unit_test(test_translator),
		cmocka_unit_test(test_contractor),
		cmocka_unit_test(test_survival),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_reason_plumbing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
