/* SPDX-License-Identifier: Apache-2.0 */
/* The pure rules of running a node for years: which term a fact counts in
 * and toward which figure (core/report.h), the terms of KOR-JPN by the
 * lifecycle, and whether a restored log may go on (core/rollback.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agreement.h"
#include "core/report.h"
#include "core/rollback.h"
#include "core/time.h"

static gs_instant at(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 0, &t), 0);
	return t;
}

static struct report_event ev(enum report_fact f, const char *when, const char *peer, const char *originator,
			      const char *label)
{
	struct report_event e;

	memset(&e, 0, sizeof(e));
	e.fact = f;
	e.at = at(when);
	e.self = "KOR";
	e.peer = peer;
	e.originator = originator;
	e.label = label;
	return e;
}

static void test_counts_in_term(void **state)
{
	struct report_tally *t = malloc(sizeof(*t));
	struct report_event e;

	(void)state;
	assert_non_null(t);
	/* KOR-JPN term 4: 2019-11-23T00:00+09:00 to 2020-11-23T00:00+09:00 */
	report_tally_init(t, at("2019-11-22T15:00:00Z"), at("2020-11-22T15:00:00Z"));
	e = ev(FACT_RELEASE, "2019-11-22T14:59:59Z", "JPN", "KOR", "군사II급비밀");
	assert_int_equal(report_count(t, &e), 0); /* the last second of term 3 */
	e = ev(FACT_RELEASE, "2019-11-22T15:00:00Z", "JPN", "KOR", "군사II급비밀");
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_RELEASE, "2020-06-01T00:00:00Z", "JPN", "KOR", "군사II급비밀");
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_RELEASE, "2020-06-01T00:00:00Z", "JPN", "KOR", "군사III급비밀");
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_RELEASE, "2020-11-22T15:00:00Z", "JPN", "KOR", "군사II급비밀");
	assert_int_equal(report_count(t, &e), 0); /* the first second of term 5 */
	e = ev(FACT_RECEIPT, "2020-01-01T00:00:00Z", "JPN", "JPN", "特定秘密");
	assert_int_equal(report_count(t, &e), 0);
	assert_int_equal(t->counted, 4);
	assert_int_equal(report_sum(t, "releases", "JPN", "out", "KOR", "군사II급비밀", NULL), 2);
	assert_int_equal(report_sum(t, "releases", NULL, NULL, NULL, "군사III급비밀", NULL), 1);
	assert_int_equal(report_sum(t, "releases", NULL, NULL, NULL, NULL, NULL), 3);
	assert_int_equal(report_sum(t, "receipts", "JPN", "in", "JPN", "特定秘密", NULL), 1);
	assert_int_equal(report_sum(t, "onward", NULL, NULL, NULL, NULL, NULL), 0);
	free(t);
}

static void test_sections(void **state)
{
	struct report_tally *t = malloc(sizeof(*t));
	struct report_event e;

	(void)state;
	assert_non_null(t);
	report_tally_init(t, at("2019-11-22T15:00:00Z"), GS_INSTANT_NONE);
	/* USA, the hub, releases KOR's item onward to JPN */
	e = ev(FACT_RELEASE, "2020-01-01T00:00:00Z", "JPN", "KOR", "SECRET");
	e.self = "USA";
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_ACCESS_REFUSAL, "2020-01-02T00:00:00Z", "", "JPN", "極秘");
	e.rule = "access.psc-level";
	assert_int_equal(report_count(t, &e), 0);
	e.action = "copy";
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_INCIDENT, "2020-01-03T00:00:00Z", "JPN", "KOR", "");
	e.step = "notice";
	e.kind = "possible-loss";
	e.late = true;
	assert_int_equal(report_count(t, &e), 0);
	e.step = "investigation"; /* steps between the notice and the results do not count */
	assert_int_equal(report_count(t, &e), 0);
	e.step = "results";
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_CONSENT, "2020-01-04T00:00:00Z", "JPN", "KOR", "");
	e.kind = "grant";
	e.made_here = true;
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_DESTRUCTION, "2020-01-05T00:00:00Z", "", "JPN", "");
	assert_int_equal(report_count(t, &e), 0);
	e = ev(FACT_VISIT, "2020-01-06T00:00:00Z", "JPN", "", "");
	assert_int_equal(report_count(t, &e), 0);
	assert_int_equal(report_sum(t, "onward", "JPN", "out", "KOR", NULL, NULL), 1);
	assert_int_equal(report_sum(t, "releases", "JPN", "out", "KOR", NULL, NULL), 1);
	assert_int_equal(report_sum(t, "refusals", NULL, NULL, NULL, "open", "access.psc-level"), 1);
	assert_int_equal(report_sum(t, "refusals", NULL, NULL, NULL, "copy", "access.psc-level"), 1);
	assert_int_equal(report_sum(t, "incidents", "JPN", NULL, "KOR", "late", "possible-loss"), 1);
	assert_int_equal(report_sum(t, "incidents", NULL, NULL, NULL, "results", NULL), 1);
	assert_int_equal(report_sum(t, "incidents", NULL, NULL, NULL, NULL, NULL), 2);
	assert_int_equal(report_sum(t, "consents", "JPN", "out", NULL, NULL, "grant"), 1);
	assert_int_equal(report_sum(t, "custody", NULL, NULL, NULL, NULL, "destruction"), 1);
	assert_int_equal(report_sum(t, "visits", "JPN", NULL, NULL, NULL, NULL), 1);
	report_sort(t);
	assert_string_equal(t->rows[0].section, "releases");
	assert_string_equal(t->rows[t->nrows - 1].section, "custody");
	free(t);
}

static void test_row_cap(void **state)
{
	struct report_tally *t = malloc(sizeof(*t));
	struct report_event e = ev(FACT_ACCESS_REFUSAL, "2020-01-02T00:00:00Z", "", "", "");
	char rule[32];
	int i, ret = 0;

	(void)state;
	assert_non_null(t);
	report_tally_init(t, at("2019-11-22T15:00:00Z"), GS_INSTANT_NONE);
	for (i = 0; i <= REPORT_MAX_ROWS && !ret; i++) {
		snprintf(rule, sizeof(rule), "rule-%d", i);
		e.rule = rule;
		ret = report_count(t, &e);
	}
	assert_int_equal(ret, GS_ELIMIT);
	assert_int_equal(t->nrows, REPORT_MAX_ROWS);
	free(t);
}

static const char kor_jpn[] =
	"gsomia-agreement/v1\n"
	"id: KOR-JPN-2016\n"
	"title: Agreement between the Government of Japan and the Government of the Republic of Korea\n"
	"parties: KOR JPN\n"
	"zone: +09:00\n"
	"signed: 2016-11-23\n"
	"entry-into-force: on-signature\n"
	"[annex 1 effective 2016-11-23]\n"
	"SECRET = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘\n";

static void test_term_bounds(void **state)
{
	struct agreement *a = agreement_new();
	struct gs_diag d = { { 0 } };
	gs_instant s, e;
	char t[GS_INSTANT_STR];

	(void)state;
	assert_non_null(a);
	assert_int_equal(agreement_parse(kor_jpn, strlen(kor_jpn), a, &d), 0);
	assert_int_equal(report_term_bounds(a, true, NULL, 0, 1, &s, &e, &d), 0);
	instant_format(s, t);
	assert_string_equal(t, "2016-11-22T15:00:00Z");
	instant_format(e, t);
	assert_string_equal(t, "2017-11-22T15:00:00Z");
	assert_int_equal(report_term_bounds(a, true, NULL, 0, 4, &s, &e, &d), 0);
	instant_format(s, t);
	assert_string_equal(t, "2019-11-22T15:00:00Z"); /* 2019-11-23T00:00+09:00, docs/lifecycle.md */
	instant_format(e, t);
	assert_string_equal(t, "2020-11-22T15:00:00Z");
	assert_int_equal(report_term_bounds(a, true, NULL, 0, 0, &s, &e, &d), GS_EUSAGE);
	/* not signed by every party: never in force */
	assert_int_equal(report_term_bounds(a, false, NULL, 0, 1, &s, &e, &d), GS_ENOTFOUND);
	assert_non_null(strstr(d.msg, "never been in force"));
	agreement_free(a);
}

static void test_rollback(void **state)
{
	char s[512];

	(void)state;
	assert_int_equal(rollback_judge(7, 0, true), ROLLBACK_OK);   /* the peer holds nothing */
	assert_int_equal(rollback_judge(7, 7, true), ROLLBACK_OK);
	assert_int_equal(rollback_judge(9, 7, true), ROLLBACK_OK);   /* a prefix */
	assert_int_equal(rollback_judge(7, 27, true), ROLLBACK_BEHIND);
	assert_int_equal(rollback_judge(7, 27, false), ROLLBACK_BEHIND);
	assert_int_equal(rollback_judge(9, 7, false), ROLLBACK_FORKED);
	assert_string_equal(rollback_verdict_name(ROLLBACK_BEHIND), "behind");
	rollback_explain(ROLLBACK_BEHIND, "gsomia/KOR/ledger/JPN", "JPN", 7, 27, s, sizeof(s));
	assert_string_equal(s, "log 'gsomia/KOR/ledger/JPN' has 7 entries, but JPN cosigned 27: entries 7 to 26 are missing");
	rollback_explain(ROLLBACK_BEHIND, "gsomia/KOR/ledger/JPN", "JPN", 7, 8, s, sizeof(s));
	assert_string_equal(s, "log 'gsomia/KOR/ledger/JPN' has 7 entries, but JPN cosigned 8: entry 7 is missing");
	rollback_explain(ROLLBACK_FORKED, "gsomia/KOR/ledger/JPN", "JPN", 9, 7, s, sizeof(s));
	assert_non_null(strstr(s, "differs from the one JPN cosigned at size 7"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_in_term),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_row_cap),
		cmocka_unit_test(test_term_bounds),
		cmocka_unit_test(test_rollback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
