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
#include "core/inspection.h"
#include "util/err.h"

/*
 * Contractors' periodic inspections (Art 16(g)): when the next one falls
 * due, and access at a contractor facility refused once it is overdue
 * (access.inspection-overdue), in decide_access's order.
 */

static gs_instant T(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 9 * 3600, &t), 0);
	return t;
}

#define CPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static struct party jpn;
static struct agreement *a;
static struct facility *mhi;
static struct person yamada;
static struct holding h;

static int setup(void **state)
{
	static const char *const jl[] = { "機密", "特定秘密", "極秘", "秘" };

	(void)state;
	memset(&jpn, 0, sizeof(jpn));
	CPY(jpn.code, "JPN");
	jpn.zone = 9 * 3600;
	jpn.scheme.nlevels = 4;
	for (int i = 0; i < 4; i++)
		CPY(jpn.scheme.levels[i].label, jl[i]);
	a = calloc(1, sizeof(*a));
	CPY(a->id, "KOR-JPN-2016");
	a->nparties = 2;
	CPY(a->parties[0], "KOR");
	CPY(a->parties[1], "JPN");
	a->zone = 9 * 3600;
	a->rules.inspection_interval_days = 365;
	mhi = calloc(1, sizeof(*mhi));
	facility_init(mhi);
	CPY(mhi->id, "JPN-MHI-2");
	CPY(mhi->party, "JPN");
	mhi->contractor = true;
	mhi->checklist = FACILITY_CHECKLIST_ALL;
	mhi->initial_inspection = T("2022-04-01");
	assert_int_equal(facility_register_add(mhi, "yamada"), 0);
	memset(&yamada, 0, sizeof(yamada));
	CPY(yamada.id, "yamada");
	CPY(yamada.name, "山田花子");
	CPY(yamada.facility, "JPN-MHI-2");
	CPY(yamada.employer, "JPN");
	yamada.nnationalities = 1;
	CPY(yamada.nationalities[0], "JPN");
	CPY(yamada.psc.level, "特定秘密");
	yamada.psc.valid_from = yamada.psc.valid_until = GS_INSTANT_NONE;
	yamada.nduties = 1;
	CPY(yamada.duties[0].value, "dprk-missiles");
	memset(&h, 0, sizeof(h));
	h.status = ITEM_ACTIVE;
	CPY(h.holder, "JPN");
	CPY(h.item.id, "J-1");
	CPY(h.item.originator, "JPN");
	CPY(h.item.label, "極秘");
	CPY(h.item.topic, "dprk-missiles");
	h.marking.nlabels = 1;
	CPY(h.marking.labels[0], "極秘");
	h.released_at = GS_INSTANT_NONE;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(a);
	free(mhi);
	return 0;
}

static void test_due(void **state)
{
	struct facility *f = calloc(1, sizeof(*f));

	(void)state;
	*f = *mhi;
	assert_true(inspection_due(f, 365) == T("2023-04-01"));
	/* the latest inspection counts */
	f->periodic_inspection = T("2023-03-15");
	assert_true(inspection_due(f, 365) == T("2024-03-14"));
	assert_false(inspection_overdue(f, 365, T("2024-03-13T23:59:59+09:00")));
	assert_true(inspection_overdue(f, 365, T("2024-03-14")));
	/* no interval, a government facility, or no inspection ever: nothing due */
	assert_true(inspection_due(f, 0) == GS_INSTANT_NONE);
	f->contractor = false;
	assert_true(inspection_due(f, 365) == GS_INSTANT_NONE);
	f->contractor = true;
	f->initial_inspection = f->periodic_inspection = GS_INSTANT_NONE;
	assert_true(inspection_due(f, 365) == GS_INSTANT_NONE);
	free(f);
}

/* decide_access for yamada at mhi, with no consents */
static int access_at(gs_instant at, struct decision *d)
{
	struct access_query q = { 0 };

	q.agreement = a;
	q.holder = &jpn;
	q.holding = &h;
	q.person = &yamada;
	q.facility = mhi;
	q.at = at;
	return decide_access(&q, d);
}

static void test_access_refused_when_overdue(void **state)
{
	struct decision d;
	char why[512];

	(void)state;
	assert_int_equal(access_at(T("2023-03-31"), &d), 0);
	assert_int_equal(access_at(T("2023-04-01"), &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "access.inspection-overdue");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: contractor facility 'JPN-MHI-2' is overdue for its periodic security "
				 "inspection (due 2023-04-01T00:00:00+09:00, every 365 days; Art 16(g))");
	/* recorded: allowed again */
	mhi->periodic_inspection = T("2023-04-02");
	assert_int_equal(access_at(T("2023-04-03"), &d), 0);
	mhi->periodic_inspection = GS_INSTANT_NONE;
	/* the checklist and the initial inspection come first */
	mhi->checklist &= ~1u;
	assert_int_equal(access_at(T("2024-01-01"), &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "access.contractor");
	mhi->checklist = FACILITY_CHECKLIST_ALL;
	/* an agreement with no interval asks for none */
	a->rules.inspection_interval_days = 0;
	assert_int_equal(access_at(T("2030-01-01"), &d), 0);
	a->rules.inspection_interval_days = 365;
}

/* The agreement keys: inspection-interval (none by default) and
 * receipt-deadline (7 days by default), in days. */
static void test_agreement_keys(void **state)
{
	char path[4096], *text, *more;
	struct agreement *ag = agreement_new();
	struct gs_diag d;
	FILE *f;
	long len;

	(void)state;
	snprintf(path, sizeof(path), "%s/examples/agreements/kor-jpn-2016/agreement.txt", getenv("SRCDIR"));
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_int_equal(agreement_parse(text, (size_t)len, ag, &d), 0);
	assert_int_equal(ag->rules.inspection_interval_days, 0);
	assert_int_equal(ag->rules.receipt_deadline_days, 7);
	more = calloc(1, (size_t)len + 128);
	snprintf(more, (size_t)len + 128, "%.*s", (int)(strstr(text, "visit-lead-time") - text), text);
	strcat(more, "inspection-interval: 52 weeks\nreceipt-deadline: 10 days\n");
	strcat(more, strstr(text, "visit-lead-time"));
	assert_int_equal(agreement_parse(more, strlen(more), ag, &d), 0);
	assert_int_equal(ag->rules.inspection_interval_days, 364);
	assert_int_equal(ag->rules.receipt_deadline_days, 10);
	strcpy(strstr(more, "inspection-interval: 52 weeks"), "inspection-interval: 2 months\n");
	strcat(more, strstr(text, "visit-lead-time"));
	assert_int_equal(agreement_parse(more, strlen(more), ag, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "inspection-interval"));
	free(more);
	free(text);
	agreement_free(ag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_access_refused_when_overdue),
		cmocka_unit_test(test_agreement_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
