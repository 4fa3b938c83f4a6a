/* SPDX-License-Identifier: Apache-2.0 */
/* core/label.c: labels for a release, alternative labels from an annex,
 * and SPIFs turned into levels and annex rows (docs/labels.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agreement.h"
#include "core/label.h"
#include "core/party.h"
#include "util/err.h"

#define KOR_POLICY "urn:oid:2.25.67063040280692152367391139728737801794"
#define JPN_POLICY "urn:oid:2.25.253640067928503725326359405469762299823"
#define KOR_OID "2.25.67063040280692152367391139728737801794"
#define JPN_OID "2.25.253640067928503725326359405469762299823"

static void party_of(struct party *p, const char *code, const char *policy, const char *name,
		     const char *const *levels, int n)
{
	int i;

	memset(p, 0, sizeof(*p));
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->policy, sizeof(p->policy), "%s", policy);
	snprintf(p->policy_name, sizeof(p->policy_name), "%s", name);
	for (i = 0; i < n; i++)
		snprintf(p->scheme.levels[i].label, GS_MAX_LABEL, "%s", levels[i]);
	p->scheme.nlevels = n;
}

static const char *const kor_levels[] = { "군사I급비밀", "군사II급비밀", "군사III급비밀" };
static const char *const jpn_levels[] = { "機密", "特定秘密", "極秘", "秘" };

static void kor(struct party *p)
{
	party_of(p, "KOR", KOR_POLICY, "KOR-MIL", kor_levels, 3);
}

static void jpn(struct party *p)
{
	party_of(p, "JPN", JPN_POLICY, "JPN-GOV", jpn_levels, 4);
}

/* A label as a file would give it: KOR's policy, a classification, and
 * Releasable To the codes listed. */
static void release_label(struct conf_label *l, const char *uri, const char *name, const char *cls,
			  const char *const *to, int nto)
{
	int i;

	memset(l, 0, sizeof(*l));
	snprintf(l->policy_uri, sizeof(l->policy_uri), "%s", uri);
	snprintf(l->policy_name, sizeof(l->policy_name), "%s", name);
	snprintf(l->classification, sizeof(l->classification), "%s", cls);
	if (nto >= 0) {
		l->ncategories = 1;
		snprintf(l->categories[0].tag_name, GS_MAX_LABEL, "%s", LABEL_RELEASABLE_TO);
		l->categories[0].type = LABEL_CAT_PERMISSIVE;
		for (i = 0; i < nto; i++)
			snprintf(l->categories[0].values[i], GS_MAX_LABEL, "%s", to[i]);
		l->categories[0].nvalues = nto;
	}
}

static void test_release_classification(void **state)
{
	static const char *const kj[] = { "KOR", "JPN" };
	static const char *const ku[] = { "KOR", "USA" };
	static const char *const bad[] = { "KOR", "J1N" };
	struct party self;
	struct conf_label l;
	struct gs_diag d = { { 0 } };
	const char *cls = NULL;

	(void)state;
	kor(&self);
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사III급비밀", kj, 2);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), 0);
	assert_string_equal(cls, "군사III급비밀");
	/* no category: the agreement alone decides */
	release_label(&l, KOR_POLICY, "", "군사II급비밀", NULL, -1);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), 0);
	assert_string_equal(cls, "군사II급비밀");

	release_label(&l, "", "KOR-MIL", "군사II급비밀", kj, 2);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "the label names its policy only as 'KOR-MIL', without its urn:oid: URI; refused, not guessed");
	assert_null(cls);
	release_label(&l, JPN_POLICY, "JPN-GOV", "秘", kj, 2);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "the label's policy " JPN_POLICY " ('JPN-GOV') is not KOR's policy (" KOR_POLICY "); refused");
	release_label(&l, KOR_POLICY, "ROK", "군사II급비밀", kj, 2);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EINVAL);
	assert_string_equal(d.msg, "the label names policy " KOR_POLICY " 'ROK', but KOR calls it 'KOR-MIL'; refused");
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사IV급비밀", kj, 2);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "'군사IV급비밀' is not a classification of KOR's policy " KOR_POLICY "; refused");
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사II급비밀", ku, 2);
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "the label does not make the item releasable to JPN; refused");
	/* two Releasable To categories: each must allow the recipient */
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사II급비밀", kj, 2);
	l.categories[1] = l.categories[0];
	l.categories[1].nvalues = 1; /* KOR only */
	l.ncategories = 2;
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "the label does not make the item releasable to JPN; refused");
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사II급비밀", bad, 2);
	assert_int_equal(label_release_classification(&l, &self, "KOR", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "'Releasable To' value 'J1N' is not a party code; refused");
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사II급비밀", kj, 2);
	snprintf(l.categories[0].tag_name, GS_MAX_LABEL, "Special Handling");
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	assert_string_equal(d.msg, "unknown category 'Special Handling' in the label (gsomia knows only the permissive 'Releasable To'); refused");
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사II급비밀", kj, 2);
	l.categories[0].type = LABEL_CAT_RESTRICTIVE;
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EDENIED);
	release_label(&l, KOR_POLICY, "KOR-MIL", "군사II급비밀", kj, 2);
	l.alternative = true;
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EINVAL);
	self.policy[0] = '\0';
	l.alternative = false;
	assert_int_equal(label_release_classification(&l, &self, "JPN", &cls, &d), GS_EINVAL);
	assert_string_equal(d.msg, "this node's identity names no security policy, so no label can be taken as its own");
}

static const char kor_jpn[] =
	"gsomia-agreement/v1\n"
	"id: KOR-JPN-2016\n"
	"title: test\n"
	"parties: KOR JPN\n"
	"zone: +09:00\n"
	"signed: 2016-11-23\n"
	"[annex 1 effective 2016-11-23]\n"
	"SECRET = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘\n"
	"CONFIDENTIAL = KOR: 군사III급비밀 | JPN: 秘\n"
	"never = KOR: 군사I급비밀 | JPN: 機密\n";

static void test_alternatives(void **state)
{
	static const char *const kj[] = { "KOR", "JPN" };
	struct agreement *a = agreement_new();
	struct party parties[2];
	struct conf_label orig, alts[GS_MAX_ALT_LABELS];
	struct gs_diag d = { { 0 } };
	gs_instant t;
	int n = -1;

	(void)state;
	assert_non_null(a);
	assert_int_equal(agreement_parse(kor_jpn, strlen(kor_jpn), a, &d), 0);
	kor(&parties[0]);
	jpn(&parties[1]);
	assert_int_equal(instant_parse("2019-11-28T08:34:56Z", 0, &t), 0);
	assert_int_equal(label_make(&parties[0], "군사II급비밀", t, t + 86400, kj, 2, false, &orig, &d), 0);
	assert_string_equal(orig.policy_uri, KOR_POLICY);
	assert_string_equal(orig.policy_name, "KOR-MIL");
	assert_int_equal(orig.ncategories, 1);
	assert_string_equal(orig.categories[0].values[1], "JPN");

	assert_int_equal(label_alternatives(a, &a->annex[0], parties, "KOR", &orig, NULL, NULL, alts, &n, &d), 0);
	assert_int_equal(n, 1);
	assert_true(alts[0].alternative);
	assert_string_equal(alts[0].policy_uri, JPN_POLICY);
	assert_string_equal(alts[0].classification, "特定秘密"); /* the row's default */
	assert_int_equal(alts[0].created, t);
	assert_int_equal(alts[0].review, t + 86400);
	assert_string_equal(alts[0].categories[0].tag_name, LABEL_RELEASABLE_TO);

	/* the holder that chose another candidate of a many-to-one row */
	assert_int_equal(label_alternatives(a, &a->annex[0], parties, "KOR", &orig, "JPN", "極秘", alts, &n, &d), 0);
	assert_string_equal(alts[0].classification, "極秘");

	/* from Japan's side: one alternative, in Korea's policy */
	assert_int_equal(label_make(&parties[1], "秘", t, t, NULL, 0, false, &orig, &d), 0);
	assert_int_equal(label_alternatives(a, &a->annex[0], parties, "JPN", &orig, NULL, NULL, alts, &n, &d), 0);
	assert_int_equal(n, 1);
	assert_string_equal(alts[0].classification, "군사III급비밀");
	assert_string_equal(alts[0].policy_name, "KOR-MIL");

	/* nothing is rounded */
	assert_int_equal(label_make(&parties[0], "군사I급비밀", t, t, NULL, 0, false, &orig, &d), 0);
	assert_int_equal(label_alternatives(a, &a->annex[0], parties, "KOR", &orig, NULL, NULL, alts, &n, &d),
			 GS_EDENIED);
	assert_string_equal(d.msg, "KOR's '군사I급비밀' may never be released under agreement 'KOR-JPN-2016': it has no equivalent");
	assert_int_equal(n, 0);
	assert_int_equal(label_alternatives(a, NULL, parties, "KOR", &orig, NULL, NULL, alts, &n, &d), GS_EDENIED);

	/* a party that names no policy gets no label */
	parties[1].policy[0] = '\0';
	assert_int_equal(label_make(&parties[0], "군사II급비밀", t, t, NULL, 0, false, &orig, &d), 0);
	assert_int_equal(label_alternatives(a, &a->annex[0], parties, "KOR", &orig, NULL, NULL, alts, &n, &d),
			 GS_EINVAL);
	assert_string_equal(d.msg, "JPN's identity names no security policy, so no label can name its scheme (docs/labels.md)");
	agreement_free(a);
}

/* ---- SPIFs ---- */

static void add_class(struct spif *s, const char *name, unsigned long lacv, long h, const char *roman,
		      const char *gloss)
{
	struct spif_class *c = &s->classes[s->nclasses++];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->roman, sizeof(c->roman), "%s", roman);
	snprintf(c->gloss, sizeof(c->gloss), "%s", gloss);
	c->lacv = lacv;
	c->hierarchy = h;
	c->line = 10 + s->nclasses;
}

static void add_equiv(struct spif *s, int cls, const char *oid, const char *ref, unsigned long lacv,
		      enum spif_applied applied)
{
	struct spif_equiv *q = &s->classes[cls].equiv[s->classes[cls].nequiv++];

	snprintf(q->policy_id, sizeof(q->policy_id), "%s", oid);
	snprintf(q->policy_ref, sizeof(q->policy_ref), "%s", ref);
	q->lacv = lacv;
	q->applied = applied;
	q->line = 100 + cls;
}

/* The example SPIFs (examples/spif/), as structs. */
static void kor_spif(struct spif *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->policy_id, sizeof(s->policy_id), KOR_OID);
	snprintf(s->policy_name, sizeof(s->policy_name), "KOR-MIL");
	add_class(s, "군사III급비밀", 3, 1, "GUNSA III-KUP BIMIL", "military secret grade III");
	add_class(s, "군사II급비밀", 2, 2, "GUNSA II-KUP BIMIL", "military secret grade II");
	add_class(s, "군사I급비밀", 1, 3, "GUNSA I-KUP BIMIL", "military secret grade I");
	add_equiv(s, 0, JPN_OID, "JPN-GOV", 4, SPIF_APPLIED_BOTH);
	add_equiv(s, 1, JPN_OID, "JPN-GOV", 2, SPIF_APPLIED_BOTH);
}

static void jpn_spif(struct spif *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->policy_id, sizeof(s->policy_id), JPN_OID);
	snprintf(s->policy_name, sizeof(s->policy_name), "JPN-GOV");
	add_class(s, "秘", 4, 1, "HI", "secret (administrative)");
	add_class(s, "極秘", 3, 2, "GOKUHI", "top secret (administrative)");
	add_class(s, "特定秘密", 2, 3, "TOKUTEI HIMITSU", "specially designated secret");
	add_class(s, "機密", 1, 4, "KIMITSU", "top secret");
	add_equiv(s, 0, KOR_OID, "KOR-MIL", 3, SPIF_APPLIED_BOTH);
	add_equiv(s, 1, KOR_OID, "KOR-MIL", 2, SPIF_APPLIED_BOTH);
	add_equiv(s, 2, KOR_OID, "KOR-MIL", 2, SPIF_APPLIED_BOTH);
}

static void test_spif_levels(void **state)
{
	struct spif *s = calloc(1, sizeof(*s));
	struct gs_diag d = { { 0 } };
	char buf[2048];
	int n;

	(void)state;
	assert_non_null(s);
	kor_spif(s);
	n = spif_levels_text(s, buf, sizeof(buf), &d);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "policy: " KOR_POLICY " | KOR-MIL\n"
				 "level: 군사I급비밀 | GUNSA I-KUP BIMIL | military secret grade I\n"
				 "level: 군사II급비밀 | GUNSA II-KUP BIMIL | military secret grade II\n"
				 "level: 군사III급비밀 | GUNSA III-KUP BIMIL | military secret grade III\n");
	/* no romanisation: the gloss keeps its place */
	s->classes[0].roman[0] = '\0';
	s->classes[1].roman[0] = s->classes[1].gloss[0] = '\0';
	assert_true(spif_levels_text(s, buf, sizeof(buf), &d) > 0);
	assert_non_null(strstr(buf, "level: 군사II급비밀\n"));
	assert_non_null(strstr(buf, "level: 군사III급비밀 |  | military secret grade III\n"));
	assert_int_equal(spif_levels_text(s, buf, 20, &d), GS_ELIMIT);
	snprintf(s->classes[2].name, GS_MAX_LABEL, "A, B");
	assert_int_equal(spif_levels_text(s, buf, sizeof(buf), &d), GS_EINVAL);
	assert_string_equal(d.msg, "13: classification 'A, B' cannot be a level ('|' or ',' in a name or marking, or a leading '#')");
	free(s);
}

static struct annex_proposal opts(void)
{
	struct annex_proposal o;

	memset(&o, 0, sizeof(o));
	o.code_a = "KOR";
	o.code_b = "JPN";
	o.file_a = "KOR.spif.xml";
	o.file_b = "JPN.spif.xml";
	o.annex_number = 1;
	o.effective = (struct gs_date){ 2016, 11, 23 };
	return o;
}

#define PROPOSAL_HEAD                                                                    \
	"# Annex rows proposed from the equivalent classifications of two SPIFs:\n"        \
	"#   KOR: policy KOR-MIL (" KOR_POLICY ")\n"                                            \
	"#   JPN: policy JPN-GOV (" JPN_POLICY ")\n"                                            \
	"# A proposal to review: it binds no one until every party signs an\n"             \
	"# agreement that contains it.\n"

static void test_annex_kor_jpn(void **state)
{
	static const char *const names[] = { "SECRET", "CONFIDENTIAL" };
	struct spif *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct annex_proposal o = opts();
	struct gs_diag d = { { 0 } };
	char buf[8192];
	int n;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	kor_spif(a);
	jpn_spif(b);
	/* the KOR-JPN 2016 annex, as examples/agreements/kor-jpn-2016 has it */
	o.nrow_names = 2;
	o.row_names = names;
	n = spif_annex_propose(a, b, &o, buf, sizeof(buf), &d);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, PROPOSAL_HEAD
			    "[annex 1 effective 2016-11-23]\n"
			    "SECRET = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘\n"
			    "CONFIDENTIAL = KOR: 군사III급비밀 | JPN: 秘\n"
			    "never = KOR: 군사I급비밀 | JPN: 機密\n");
	/* names from the first SPIF's English glosses */
	o.nrow_names = 0;
	assert_true(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d) > 0);
	assert_non_null(strstr(buf, "\nMILITARY SECRET GRADE II = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘\n"
				    "MILITARY SECRET GRADE III = KOR: 군사III급비밀 | JPN: 秘\n"));
	/* the other way round: the same rows, seen from Japan */
	o.code_a = "JPN";
	o.code_b = "KOR";
	o.file_a = "JPN.spif.xml";
	o.file_b = "KOR.spif.xml";
	o.nrow_names = 2;
	assert_true(spif_annex_propose(b, a, &o, buf, sizeof(buf), &d) > 0);
	assert_non_null(strstr(buf, "[annex 1 effective 2016-11-23]\n"
				    "SECRET = JPN: 特定秘密, 極秘 | KOR: 군사II급비밀\n"
				    "CONFIDENTIAL = JPN: 秘 | KOR: 군사III급비밀\n"
				    "never = JPN: 機密 | KOR: 군사I급비밀\n"));
	/* a row count and a name count that differ */
	o.nrow_names = 1;
	assert_int_equal(spif_annex_propose(b, a, &o, buf, sizeof(buf), &d), GS_EUSAGE);
	assert_string_equal(d.msg, "1 row names given for 2 rows");
	assert_string_equal(buf, "");
	free(a);
	free(b);
}

static void test_annex_one_way(void **state)
{
	struct spif *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct annex_proposal o = opts();
	struct gs_diag d = { { 0 } };
	char buf[8192];

	(void)state;
	kor_spif(a);
	jpn_spif(b);
	/* Japan takes Korean grade III as 秘 but releases 秘 to nobody: Korea's
	 * grade III has no way back, and Japan protects it as 極秘 */
	b->classes[0].nequiv = 0;
	a->classes[0].equiv[0].lacv = 3; /* KOR III -> JPN 極秘, both ways from Korea's side only */
	a->classes[0].equiv[0].applied = SPIF_APPLIED_ENCRYPT;
	assert_true(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d) > 0);
	assert_string_equal(buf, PROPOSAL_HEAD
			    "# one-way: KOR 군사III급비밀 is marked JPN 極秘 when KOR sends it (KOR's SPIF, encrypt), but not the reverse\n"
			    "#   row: JPN protects KOR 군사III급비밀 as 極秘\n"
			    "[annex 1 effective 2016-11-23]\n"
			    "MILITARY SECRET GRADE II = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘\n"
			    "MILITARY SECRET GRADE III = KOR: 군사III급비밀 | JPN: protect-as 極秘\n"
			    "never = KOR: 군사I급비밀 | JPN: 機密, 秘\n");
	/* one-way towards a label with no row: shown, not proposed */
	a->classes[0].equiv[0].lacv = 4; /* KOR III -> JPN 秘, encrypt only */
	assert_true(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d) > 0);
	assert_non_null(strstr(buf, "# one-way: KOR 군사III급비밀 is marked JPN 秘 when KOR sends it (KOR's SPIF, encrypt), but not the reverse\n"
				    "#   not a row: JPN 秘 has no row of its own to protect it as\n"));
	assert_non_null(strstr(buf, "never = KOR: 군사I급비밀, 군사III급비밀 | JPN: 機密, 秘\n"));
	/* the receiving side's SPIF alone (decrypt) is one-way too */
	kor_spif(a);
	jpn_spif(b);
	a->classes[0].nequiv = 0;
	b->classes[0].equiv[0].applied = SPIF_APPLIED_DECRYPT; /* JPN receives KOR III as 秘 */
	assert_true(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d) > 0);
	assert_non_null(strstr(buf, "# one-way: KOR 군사III급비밀 is marked JPN 秘 when KOR sends it (JPN's SPIF, decrypt), but not the reverse\n"));
	free(a);
	free(b);
}

static void test_annex_refusals(void **state)
{
	struct spif *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct annex_proposal o = opts();
	struct gs_diag d = { { 0 } };
	char buf[8192];

	(void)state;
	/* a dangling equivalence: JPN has no lacv 9 */
	kor_spif(a);
	jpn_spif(b);
	a->classes[1].equiv[0].lacv = 9;
	assert_int_equal(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d), GS_EINVAL);
	assert_string_equal(d.msg, "KOR.spif.xml:101: '군사II급비밀' is equivalent to lacv 9 of policy 'JPN-GOV', which JPN's SPIF does not define (a dangling equivalence)");
	assert_string_equal(buf, "");
	/* crossing equivalences: KOR III <-> JPN 特定秘密 and KOR II <-> JPN 秘 */
	kor_spif(a);
	jpn_spif(b);
	a->classes[0].equiv[0].lacv = 2;
	a->classes[1].equiv[0].lacv = 4;
	b->classes[0].equiv[0].lacv = 2;
	b->classes[1].nequiv = 0;
	b->classes[2].equiv[0].lacv = 3;
	assert_int_equal(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d), GS_EINVAL);
	assert_string_equal(d.msg, "KOR.spif.xml and JPN.spif.xml: the equivalences contradict the hierarchies (a cycle): a row cannot be both above and below another for KOR and JPN");
	/* one SPIF twice */
	kor_spif(a);
	assert_int_equal(spif_annex_propose(a, a, &o, buf, sizeof(buf), &d), GS_EINVAL);
	/* a row name the agreement format refuses */
	{
		static const char *const names[] = { "never", "CONFIDENTIAL" };

		jpn_spif(b);
		o.nrow_names = 2;
		o.row_names = names;
		assert_int_equal(spif_annex_propose(a, b, &o, buf, sizeof(buf), &d), GS_EINVAL);
		assert_non_null(strstr(d.msg, "the proposed rows do not make a valid annex"));
	}
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_classification),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_spif_levels),
		cmocka_unit_test(test_annex_kor_jpn),
		cmocka_unit_test(test_annex_one_way),
		cmocka_unit_test(test_annex_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
