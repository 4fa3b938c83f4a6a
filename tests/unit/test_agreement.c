/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agreement.h"
#include "util/err.h"

/* Reads an example file from the source tree (SRCDIR, set by meson). */
static char *read_example(const char *rel, size_t *len)
{
	const char *root = getenv("SRCDIR");
	char path[1024];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct agreement *parse_example(const char *rel)
{
	struct agreement *a = agreement_new();
	struct gs_diag d = { { 0 } };
	size_t len;
	char *text = read_example(rel, &len);
	int ret;

	assert_non_null(a);
	ret = agreement_parse(text, len, a, &d);
	if (ret)
		print_error("%s: %s\n", rel, d.msg);
	assert_int_equal(ret, 0);
	free(text);
	return a;
}

static bool date_eq(struct gs_date d, int y, int m, int day)
{
	return d.year == y && d.month == m && d.day == day;
}

static void test_kor_jpn(void **state)
{
	struct agreement *a = parse_example("examples/agreements/kor-jpn-2016/agreement.txt");
	const struct annex_version *v;
	bool never;
	int kor, jpn;

	(void)state;
	assert_string_equal(a->id, "KOR-JPN-2016");
	assert_string_equal(a->title,
			    "Agreement between the Government of Japan and the Government of the "
			    "Republic of Korea on the Protection of Classified Military Information");
	assert_int_equal(a->kind, AGREEMENT_TREATY);
	assert_true(a->binding);
	assert_int_equal(a->version, 1);
	assert_true(date_eq(a->effective, 0, 0, 0));
	assert_int_equal(a->nparties, 2);
	assert_string_equal(a->parties[0], "KOR");
	assert_string_equal(a->parties[1], "JPN");
	assert_int_equal(a->zone, 9 * 3600);
	assert_true(date_eq(a->signed_on, 2016, 11, 23));
	assert_int_equal(a->term.eif, EIF_LATER_OF_NOTES);
	assert_int_equal(a->term.model, TERM_ANNUAL);
	assert_int_equal(a->term.leap_day, GS_LEAP_DAY_FEB28);
	assert_int_equal(a->term.notice_days, 90);
	assert_int_equal(a->term.notice_period.days, 90);
	assert_int_equal(a->term.notice_rule, NOTICE_LAST_DAY);
	assert_int_equal(a->term.late_notice, LATE_CARRY_FORWARD);
	assert_int_equal(a->term.suspension, SUSPENSION_STRICT_TREATY);
	assert_int_equal(a->term.accession, ACCESSION_CLOSED); /* the default */
	assert_string_equal(a->term.depositary, "");
	assert_int_equal(a->rules.marking, MARKING_RECIPIENT_CONVERTS);
	assert_int_equal(a->rules.nationality, NATIONALITY_HOLDER_ONLY);
	assert_false(a->rules.dual_nationals_allowed);
	assert_string_equal(a->rules.psc_from, "");
	assert_string_equal(a->rules.receipts_from, "");
	assert_int_equal(a->rules.npurposes, 0);
	assert_int_equal(a->rules.ntopics, 0);
	assert_int_equal(a->rules.incident_deadline_hours, 24);
	assert_int_equal(a->rules.visit_lead_days, 0);
	assert_string_equal(a->hub, "");
	assert_int_equal(a->nrelies, 0);

	assert_int_equal(a->nannex, 1);
	v = &a->annex[0];
	assert_int_equal(v->number, 1);
	assert_true(date_eq(v->effective, 2016, 11, 23));
	assert_int_equal(v->nrows, 2);
	assert_string_equal(v->rows[0].level, "SECRET");
	assert_string_equal(v->rows[1].level, "CONFIDENTIAL");
	kor = agreement_party_index(a, "KOR");
	jpn = agreement_party_index(a, "JPN");
	assert_int_equal(kor, 0);
	assert_int_equal(jpn, 1);
	assert_int_equal(agreement_party_index(a, "USA"), -1);
	assert_int_equal(v->rows[0].cells[jpn].nlabels, 2);
	assert_string_equal(v->rows[0].cells[jpn].labels[0], "特定秘密");
	assert_string_equal(v->rows[0].cells[jpn].labels[1], "極秘");
	assert_false(v->rows[0].cells[jpn].protect_as);
	assert_string_equal(v->rows[0].cells[kor].labels[0], "군사II급비밀");
	assert_string_equal(v->rows[1].cells[kor].labels[0], "군사III급비밀");
	assert_string_equal(v->rows[1].cells[jpn].labels[0], "秘");
	assert_int_equal(v->nnever, 2);

	assert_int_equal(annex_find(v, jpn, "特定秘密", &never), 0);
	assert_false(never);
	assert_int_equal(annex_find(v, jpn, "極秘", &never), 0);
	assert_int_equal(annex_find(v, jpn, "秘", &never), 1);
	assert_int_equal(annex_find(v, kor, "군사II급비밀", &never), 0);
	assert_int_equal(annex_find(v, kor, "군사III급비밀", NULL), 1);
	assert_int_equal(annex_find(v, kor, "군사I급비밀", &never), -1);
	assert_true(never);
	assert_int_equal(annex_find(v, jpn, "機密", &never), -1);
	assert_true(never);
	/* a label of the other party is not this party's */
	assert_int_equal(annex_find(v, kor, "秘", &never), -1);
	assert_false(never);
	assert_int_equal(annex_find(v, jpn, "TOP SECRET", &never), -1);
	assert_false(never);

	assert_null(agreement_annex_at(a, (struct gs_date){ 2016, 11, 22 }));
	assert_ptr_equal(agreement_annex_at(a, (struct gs_date){ 2016, 11, 23 }), v);
	assert_ptr_equal(agreement_annex_at(a, (struct gs_date){ 2019, 11, 23 }), v);
	agreement_free(a);
}

static void test_us_jpn_versions(void **state)
{
	struct agreement *a = parse_example("examples/agreements/us-jpn-2007/agreement.txt");
	const struct annex_version *v;
	int jpn = agreement_party_index(a, "JPN");
	bool never;

	(void)state;
	assert_string_equal(a->id, "US-JPN-2007");
	assert_int_equal(a->term.model, TERM_INDEFINITE);
	assert_int_equal(a->term.notice_period.days, 90);
	assert_int_equal(a->term.eif, EIF_ON_SIGNATURE);
	assert_int_equal(a->nannex, 2);
	assert_null(agreement_annex_at(a, (struct gs_date){ 2007, 8, 9 }));
	v = agreement_annex_at(a, (struct gs_date){ 2007, 8, 10 });
	assert_non_null(v);
	assert_int_equal(v->number, 1);
	assert_int_equal(annex_find(v, jpn, "防衛秘密", &never), 0);
	assert_int_equal(annex_find(v, jpn, "特定秘密", &never), -1);
	v = agreement_annex_at(a, (struct gs_date){ 2014, 12, 9 });
	assert_int_equal(v->number, 1);
	v = agreement_annex_at(a, (struct gs_date){ 2014, 12, 10 });
	assert_int_equal(v->number, 2);
	assert_int_equal(annex_find(v, jpn, "特定秘密", &never), 0);
	assert_int_equal(annex_find(v, jpn, "防衛秘密", &never), -1);
	assert_int_equal(annex_find(v, jpn, "極秘", &never), 1);
	assert_int_equal(annex_find(v, agreement_party_index(a, "USA"), "CONFIDENTIAL", &never), 2);
	v = agreement_annex_at(a, (struct gs_date){ 2026, 1, 1 });
	assert_int_equal(v->number, 2);
	agreement_free(a);
}

static void test_us_kor(void **state)
{
	struct agreement *a = parse_example("examples/agreements/us-kor-1987/agreement.txt");

	(void)state;
	assert_string_equal(a->id, "US-KOR-1987");
	assert_string_equal(a->parties[0], "USA");
	assert_int_equal(a->annex[0].nrows, 3);
	assert_int_equal(annex_find(&a->annex[0], 1, "군사I급비밀", NULL), 0);
	assert_true(date_eq(a->signed_on, 1987, 9, 24));
	agreement_free(a);
}

static void test_tisa(void **state)
{
	struct agreement *a = parse_example("examples/agreements/tisa-2014/agreement.txt");

	(void)state;
	assert_string_equal(a->id, "TISA-2014");
	assert_int_equal(a->kind, AGREEMENT_ARRANGEMENT);
	assert_false(a->binding);
	assert_int_equal(a->nparties, 3);
	assert_string_equal(a->hub, "USA");
	assert_int_equal(a->nrelies, 2);
	assert_string_equal(a->relies_on[0], "US-KOR-1987");
	assert_string_equal(a->relies_on[1], "US-JPN-2007");
	assert_int_equal(a->rules.ntopics, 1);
	assert_string_equal(a->rules.topics[0], "dprk-nuclear-missile-threats");
	assert_int_equal(a->term.eif, EIF_ON_SIGNATURE);
	assert_true(date_eq(a->signed_on, 2014, 12, 29));
	assert_int_equal(a->nannex, 0);
	assert_null(agreement_annex_at(a, (struct gs_date){ 2019, 1, 1 }));
	agreement_free(a);
}

/* NL-SWE 1984: asymmetric table, a protect-as cell, receipt-anchored notice. */
static void test_protect_as(void **state)
{
	static const char text[] =
		"gsomia-agreement/v1\n"
		"id: NLD-SWE-1984\n"
		"title: Agreement on Reciprocal Protection of Classified Military Information\n"
		"parties: NLD SWE\n"
		"zone: +01:00\n"
		"signed: 1984-05-01\n"
		"entry-into-force: days-after-notes 30\n"
		"term: indefinite\n"
		"notice: 6 months\n"
		"marking: originator-dual\n"
		"nationality: parties\n"
		"dual-nationals: allow\n"
		"psc-required-from: GEHEIM\n"
		"receipts-from: ZEER GEHEIM\n"
		"purposes: defence-cooperation, research\n"
		"incident-deadline: 2 days\n"
		"visit-lead-time: 4 weeks\n"
		"[annex 1 effective 1984-05-01]\n"
		"ZEER GEHEIM = NLD: STG. ZEER GEHEIM | SWE: HEMLIG AV SYNNERLIG BETYDELSE\n"
		"GEHEIM = NLD: STG. GEHEIM | SWE: HEMLIG\n"
		"CONFIDENTIEEL = NLD: STG. CONFIDENTIEEL | SWE: protect-as HEMLIG\n";
	struct agreement *a = agreement_new();
	struct gs_diag d = { { 0 } };
	const struct annex_version *v;

	(void)state;
	assert_int_equal(agreement_parse(text, sizeof(text) - 1, a, &d), 0);
	assert_int_equal(a->zone, 3600);
	assert_int_equal(a->term.eif, EIF_DAYS_AFTER_NOTES);
	assert_int_equal(a->term.eif_days, 30);
	assert_int_equal(a->term.model, TERM_INDEFINITE);
	assert_int_equal(a->term.notice_period.months, 6);
	assert_int_equal(a->term.notice_days, 0);
	assert_int_equal(a->rules.marking, MARKING_ORIGINATOR_DUAL);
	assert_int_equal(a->rules.nationality, NATIONALITY_PARTIES);
	assert_true(a->rules.dual_nationals_allowed);
	assert_string_equal(a->rules.psc_from, "GEHEIM");
	assert_string_equal(a->rules.receipts_from, "ZEER GEHEIM");
	assert_int_equal(a->rules.npurposes, 2);
	assert_string_equal(a->rules.purposes[1], "research");
	assert_int_equal(a->rules.incident_deadline_hours, 48);
	assert_int_equal(a->rules.visit_lead_days, 28);
	v = &a->annex[0];
	assert_int_equal(v->nrows, 3);
	assert_true(v->rows[2].cells[1].protect_as);
	assert_string_equal(v->rows[2].cells[1].labels[0], "HEMLIG");
	assert_int_equal(annex_find(v, 1, "HEMLIG", NULL), 1);
	assert_int_equal(annex_find(v, 0, "STG. CONFIDENTIEEL", NULL), 2);
	assert_int_equal(annex_find(v, 1, "HEMLIG AV SYNNERLIG BETYDELSE", NULL), 0);
	agreement_free(a);
}

#define MAGIC "gsomia-agreement/v1\n"
#define L_ID "id: T-1\n"
#define L_TITLE "title: Test\n"
#define L_PARTIES "parties: KOR JPN\n"
#define L_ZONE "zone: +09:00\n"
#define L_SIGNED "signed: 2016-11-23\n"
#define HEAD MAGIC L_ID L_TITLE L_PARTIES L_ZONE L_SIGNED
#define ANNEX "[annex 1 effective 2016-11-23]\n"
#define ROW_S "SECRET = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘\n"
#define ROW_C "CONFIDENTIAL = KOR: 군사III급비밀 | JPN: 秘\n"
#define ROW_N "never = KOR: 군사I급비밀 | JPN: 機密\n"
#define BODY ANNEX ROW_S ROW_C ROW_N

struct bad {
	const char *text;
	int err;
	const char *msg;
};

static const struct bad bad_cases[] = {
	{ "gsomia-agreement/v2\n" L_ID, GS_EINVAL,
	  "1:1: expected 'gsomia-agreement/v1' on the first line" },
	{ "# comment\n" HEAD BODY, GS_EINVAL,
	  "1:1: expected 'gsomia-agreement/v1' on the first line" },
	{ HEAD "colour: blue\n" BODY, GS_EINVAL, "7:1: unknown key 'colour'" },
	{ HEAD "Zone: +09:00\n" BODY, GS_EINVAL, "7:1: expected 'key: value'" },
	{ HEAD "zone:+09:00\n" BODY, GS_EINVAL, "7:5: key 'zone' needs ': ' and a value" },
	{ HEAD "zone: +09:00\n" BODY, GS_EINVAL, "7:1: duplicate key 'zone' (first on line 5)" },
	{ HEAD ANNEX "SECRET = KOR: 군사II급비밀 | XYZ: 特定秘密\n", GS_EINVAL,
	  "8:25: unknown party 'XYZ' (parties are KOR, JPN)" },
	{ MAGIC L_ID L_TITLE "parties: KOR jpn\n" L_ZONE L_SIGNED BODY, GS_EINVAL,
	  "4:14: invalid party code 'jpn' (three letters A-Z)" },
	{ MAGIC L_ID L_TITLE "parties: KOR KOR\n" L_ZONE L_SIGNED BODY, GS_EINVAL,
	  "4:14: duplicate party 'KOR'" },
	{ MAGIC L_ID L_TITLE "parties: KOR\n" L_ZONE L_SIGNED BODY, GS_EINVAL,
	  "4:10: at least 2 parties are needed, separated by spaces" },
	{ MAGIC L_ID L_TITLE "parties: AAA BBB CCC DDD EEE FFF GGG HHH III\n" L_ZONE L_SIGNED
	  BODY, GS_ELIMIT, "4:42: too many parties (at most 8)" },
	{ HEAD ANNEX ROW_S "CONFIDENTIAL = KOR: 군사III급비밀 | JPN: 極秘\n", GS_EINVAL,
	  "9:37: duplicate label '極秘' for JPN (already in 'SECRET')" },
	{ HEAD ANNEX "SECRET = KOR: 군사II급비밀 | JPN: 極秘, 極秘\n", GS_EINVAL,
	  "8:34: duplicate label '極秘' for JPN (already in 'SECRET')" },
	{ HEAD ANNEX ROW_S "never = KOR: 군사II급비밀\n", GS_EINVAL,
	  "9:14: duplicate label '군사II급비밀' for KOR (already in 'SECRET')" },
	{ MAGIC L_ID L_TITLE L_PARTIES L_ZONE "signed: 2016-02-30\n" BODY, GS_EINVAL,
	  "6:9: invalid date '2016-02-30' (YYYY-MM-DD)" },
	{ MAGIC L_ID L_TITLE L_PARTIES "zone: +25:00\n" L_SIGNED BODY, GS_EINVAL,
	  "5:7: invalid zone '+25:00' (e.g. +09:00)" },
	{ HEAD ANNEX "SECRET = KOR: 군사II급비밀\n", GS_EINVAL,
	  "8:1: row 'SECRET' has no cell for JPN (use 'PARTY: protect-as LABEL' for a level with no equivalent)" },
	{ HEAD ANNEX "SECRET = KOR: 군사II급비밀 | KOR: 극비\n", GS_EINVAL,
	  "8:25: party KOR appears twice in row 'SECRET'" },
	{ HEAD ANNEX "SECRET = KOR: 군사II급비밀 | JPN: protect-as 極秘\n", GS_EINVAL,
	  "8:41: protect-as '極秘' is not a label of JPN in a row above" },
	{ HEAD ANNEX "SECRET = KOR: a, b, c, d, e | JPN: 極秘\n", GS_ELIMIT,
	  "8:27: too many labels for KOR in one row (at most 4)" },
	{ HEAD ANNEX "SECRET KOR: 군사II급비밀\n", GS_EINVAL,
	  "8:1: expected 'LEVEL = PARTY: label, ... | PARTY: label, ...'" },
	{ HEAD ANNEX ROW_S "topics: any\n", GS_EINVAL,
	  "9:1: key 'topics' must come before the first annex section" },
	{ HEAD ANNEX ROW_S ROW_S, GS_EINVAL, "9:1: duplicate level 'SECRET' in annex 1" },
	{ HEAD ANNEX ROW_S ROW_N ROW_N, GS_EINVAL, "10:1: duplicate 'never' row in annex 1" },
	{ HEAD "[annex 2 effective 2016-11-23]\n" ROW_S, GS_EINVAL,
	  "7:8: annex versions are numbered 1, 2, ... in order: expected 1, not '2'" },
	{ HEAD ANNEX ROW_S "[annex 2 effective 2016-11-23]\n" ROW_S, GS_EINVAL,
	  "9:20: annex 2 must take effect after annex 1 ('2016-11-23' is not later)" },
	{ HEAD ANNEX "[annex 2 effective 2017-11-23]\n" ROW_S, GS_EINVAL,
	  "7:1: annex 1 has no rows" },
	{ HEAD "[annex 1 from 2016-11-23]\n" ROW_S, GS_EINVAL,
	  "7:1: expected '[annex N effective YYYY-MM-DD]'" },
	{ HEAD "psc-required-from: TOP SECRET\n" BODY, GS_EINVAL,
	  "7:20: psc-required-from 'TOP SECRET' is not a level of annex 1" },
	{ HEAD "receipts-from: secret!\n" BODY, GS_EINVAL,
	  "7:16: invalid receipts-from 'secret!' (an annex level, or 'all')" },
	{ HEAD "term: yearly\n" BODY, GS_EINVAL,
	  "7:7: invalid term 'yearly' (annual | indefinite)" },
	{ HEAD "notice: 6 months\n" BODY, GS_EINVAL,
	  "7:11: invalid notice unit 'months' (term: annual counts notice in days)" },
	{ HEAD "term: indefinite\nnotice-deadline: last-day\n" BODY, GS_EINVAL,
	  "8:18: 'notice-deadline' applies only to term: annual" },
	{ HEAD "hub: KOR\n" BODY, GS_EINVAL, "7:6: 'hub' applies only to kind: arrangement" },
	{ HEAD "accession: anyone\n" BODY, GS_EINVAL,
	  "7:12: invalid accession 'anyone' (closed | by-all-members | by-depositary)" },
	{ HEAD "depositary: KOR\n" BODY, GS_EINVAL,
	  "7:13: 'depositary' applies only to accession: by-depositary" },
	{ HEAD "accession: by-all-members\ndepositary: KOR\n" BODY, GS_EINVAL,
	  "8:13: 'depositary' applies only to accession: by-depositary" },
	{ HEAD "accession: by-depositary\n" BODY, GS_EINVAL,
	  "7:12: accession: by-depositary needs 'depositary: PARTY'" },
	{ HEAD "accession: by-depositary\ndepositary: USA\n" BODY, GS_EINVAL,
	  "8:13: unknown party 'USA' (parties are KOR, JPN)" },
	{ HEAD "kind: arrangement\nrelies-on: A-1\nhub: USA\n", GS_EINVAL,
	  "9:6: unknown party 'USA' (parties are KOR, JPN)" },
	{ HEAD "kind: arrangement\nrelies-on: A\nreceipts-from: SECRET\n", GS_EINVAL,
	  "9:16: receipts-from 'SECRET' names a level, but there is no annex" },
	{ HEAD "kind: arrangement\n", GS_EINVAL,
	  "8:1: missing key 'relies-on' (an arrangement relies on agreements)" },
	{ HEAD "kind: arrangement\nbinding: yes\nrelies-on: A\n", GS_EINVAL,
	  "8:10: an arrangement is not legally binding (binding: no)" },
	{ HEAD "version: 2\n" BODY, GS_EINVAL,
	  "7:10: version 2 is an amendment and needs 'effective: DATE'" },
	{ HEAD "effective: 2017-01-01\n" BODY, GS_EINVAL,
	  "7:12: 'effective' applies to amendments (version 2 and later)" },
	{ HEAD "purposes: a, , b\n" BODY, GS_EINVAL, "7:14: empty entry in purposes" },
	{ HEAD "topics: x, x\n" BODY, GS_EINVAL, "7:12: duplicate topics entry 'x'" },
	{ HEAD "incident-deadline: soon\n" BODY, GS_EINVAL,
	  "7:20: invalid incident-deadline 'soon' (e.g. '24 hours')" },
	{ MAGIC L_ID L_TITLE L_PARTIES L_SIGNED BODY, GS_EINVAL, "6:1: missing key 'zone'" },
	{ HEAD, GS_EINVAL,
	  "7:1: missing annex (at least one '[annex 1 effective YYYY-MM-DD]' section)" },
	{ "gsomia-agreement/v1\r\n" L_ID, GS_EINVAL,
	  "1:20: carriage return (lines end with LF only)" },
	{ HEAD "title:\tx\n", GS_EINVAL, "7:7: tab character (use spaces)" },
	{ HEAD BODY "never", GS_EINVAL, "11:6: missing newline at end of text" },
	{ HEAD "title: \xe2\x80\xae" "evil\n", GS_EINVAL,
	  "7:8: bidirectional control character U+202E not allowed" },
	{ HEAD "title: \xc3\x28\n", GS_EINVAL, "7:8: invalid UTF-8" },
	{ HEAD ANNEX "SECRET = KOR: a,#b | JPN: c\n", GS_EINVAL,
	  "8:17: a label cannot begin with '#' (after a space it starts a comment)" },
	{ HEAD "[annex]\n", GS_EINVAL, "7:1: expected '[annex N effective YYYY-MM-DD]'" },
	{ HEAD "[\n", GS_EINVAL, "7:1: expected '[annex N effective YYYY-MM-DD]'" },
	{ MAGIC "id: KOR JPN\n" L_TITLE L_PARTIES L_ZONE L_SIGNED BODY, GS_EINVAL,
	  "2:5: invalid id 'KOR JPN' (letters, digits, '-', '_', '.')" },
};

static void test_errors(void **state)
{
	struct agreement *a = agreement_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct gs_diag d = { { 0 } };
		int ret = agreement_parse(bad_cases[i].text, strlen(bad_cases[i].text), a, &d);

		if (ret != bad_cases[i].err || strcmp(d.msg, bad_cases[i].msg) != 0)
			print_error("case %zu: got %d '%s'\n          want %d '%s'\n", i, ret, d.msg,
				    bad_cases[i].err, bad_cases[i].msg);
		assert_int_equal(ret, bad_cases[i].err);
		assert_string_equal(d.msg, bad_cases[i].msg);
		assert_string_equal(a->id, ""); /* reset on failure */
	}
	agreement_free(a);
}

static void test_limits(void **state)
{
	struct agreement *a = agreement_new();
	struct gs_diag d = { { 0 } };
	size_t cap = GS_MAX_AGREEMENT_BYTES + 2, off;
	char *big = malloc(cap);
	int i;

	(void)state;
	assert_non_null(big);
	/* too many annex versions */
	off = (size_t)snprintf(big, cap, "%s", HEAD);
	for (i = 1; i <= GS_MAX_ANNEX_VERSIONS + 1; i++)
		off += (size_t)snprintf(big + off, cap - off,
					"[annex %d effective %04d-01-01]\n%s", i, 2000 + i, ROW_S);
	assert_int_equal(agreement_parse(big, off, a, &d), GS_ELIMIT);
	assert_string_equal(d.msg, "19:1: too many annex versions (at most 6)");
	/* too many rows */
	off = (size_t)snprintf(big, cap, "%s%s", HEAD, ANNEX);
	for (i = 0; i <= GS_MAX_ANNEX_ROWS; i++)
		off += (size_t)snprintf(big + off, cap - off, "L%d = KOR: k%d | JPN: j%d\n", i, i, i);
	assert_int_equal(agreement_parse(big, off, a, &d), GS_ELIMIT);
	assert_string_equal(d.msg, "18:1: too many rows in annex 1 (at most 10)");
	/* a line too long */
	off = (size_t)snprintf(big, cap, "%stitle: ", MAGIC);
	memset(big + off, 'x', GS_MAX_LINE);
	off += GS_MAX_LINE;
	big[off++] = '\n';
	assert_int_equal(agreement_parse(big, off, a, &d), GS_ELIMIT);
	assert_string_equal(d.msg, "2:1: line too long (2055 bytes, at most 2048)");
	/* the file too long */
	memset(big, '#', cap);
	assert_int_equal(agreement_parse(big, GS_MAX_AGREEMENT_BYTES + 1, a, &d), GS_ELIMIT);
	/* a label too long */
	off = (size_t)snprintf(big, cap, "%s%sS = KOR: ", HEAD, ANNEX);
	memset(big + off, 'k', GS_MAX_LABEL);
	off += GS_MAX_LABEL;
	off += (size_t)snprintf(big + off, cap - off, " | JPN: j\n");
	assert_int_equal(agreement_parse(big, off, a, &d), GS_ELIMIT);
	assert_int_equal(strncmp(d.msg, "8:10: label 'kkk", 16), 0);
	free(big);
	agreement_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kor_jpn),
		cmocka_unit_test(test_us_jpn_versions),
		cmocka_unit_test(test_us_kor),
		cmocka_unit_test(test_tisa),
		cmocka_unit_test(test_protect_as),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
