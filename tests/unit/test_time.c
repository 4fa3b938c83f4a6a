/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/time.h"
#include "util/err.h"

static void test_days_roundtrip(void **state)
{
	int64_t n;

	(void)state;
	assert_int_equal(days_from_date((struct gs_date){ 1970, 1, 1 }), 0);
	assert_int_equal(days_from_date((struct gs_date){ 2000, 3, 1 }), 11017);
	for (n = -719162; n < 2932897; n += 97) {
		struct gs_date d = date_from_days(n);

		assert_true(date_is_valid(d));
		assert_int_equal(days_from_date(d), n);
	}
}

static void test_kor_jpn_expiry_instant(void **state)
{
	gs_instant t;
	char s[GS_INSTANT_STR];

	(void)state;
	t = date_midnight((struct gs_date){ 2019, 11, 23 }, 9 * 3600);
	instant_format(t, s);
	assert_string_equal(s, "2019-11-22T15:00:00Z");
	instant_format_local(t, 9 * 3600, s);
	assert_string_equal(s, "2019-11-23T00:00:00+09:00");
	assert_int_equal(instant_parse("2019-11-23T00:00+09:00", 0, &t), 0);
	instant_format(t, s);
	assert_string_equal(s, "2019-11-22T15:00:00Z");
}

static void test_parse_rejects(void **state)
{
	gs_instant t;
	struct gs_date d;
	int32_t z;

	(void)state;
	assert_int_equal(date_parse("2019-02-29", &d), GS_EINVAL);
	assert_int_equal(date_parse("2020-02-29", &d), 0);
	assert_int_equal(date_parse("2019-1-01", &d), GS_EINVAL);
	assert_int_equal(instant_parse("2019-11-23T24:00:00Z", 0, &t), GS_EINVAL);
	assert_int_equal(instant_parse("2019-11-23T10:00:00", 0, &t), GS_EINVAL);
	assert_int_equal(instant_parse("2019-11-23T10:00:00+9:00", 0, &t), GS_EINVAL);
	assert_int_equal(instant_parse("2019-11-23T10:00:00.123Z", 0, &t), 0);
	assert_int_equal(instant_parse("2019-08-23", 9 * 3600, &t), 0);
	assert_int_equal(t, date_midnight((struct gs_date){ 2019, 8, 23 }, 9 * 3600));
	assert_int_equal(zone_parse("-05:30", &z), 0);
	assert_int_equal(z, -(5 * 3600 + 1800));
	assert_int_equal(zone_parse("+19:00", &z), GS_EINVAL);
}

static void test_date_arith(void **state)
{
	struct gs_date d;
	char s[GS_DATE_STR];

	(void)state;
	d = date_add_days((struct gs_date){ 2019, 11, 23 }, -91);
	date_format(d, s);
	assert_string_equal(s, "2019-08-24");
	d = date_add_years((struct gs_date){ 2016, 2, 29 }, 1, GS_LEAP_DAY_FEB28);
	assert_int_equal(date_cmp(d, (struct gs_date){ 2017, 2, 28 }), 0);
	d = date_add_years((struct gs_date){ 2016, 2, 29 }, 1, GS_LEAP_DAY_MAR01);
	assert_int_equal(date_cmp(d, (struct gs_date){ 2017, 3, 1 }), 0);
	d = date_add_years((struct gs_date){ 2016, 2, 29 }, 4, GS_LEAP_DAY_MAR01);
	assert_int_equal(date_cmp(d, (struct gs_date){ 2020, 2, 29 }), 0);
	d = date_add_months((struct gs_date){ 2019, 8, 31 }, 6);
	assert_int_equal(date_cmp(d, (struct gs_date){ 2020, 2, 29 }), 0);
	d = date_of_instant(date_midnight((struct gs_date){ 2019, 11, 23 }, 9 * 3600) - 1, 9 * 3600);
	assert_int_equal(date_cmp(d, (struct gs_date){ 2019, 11, 22 }), 0);
	d = date_of_instant(-1, 0);
	assert_int_equal(date_cmp(d, (struct gs_date){ 1969, 12, 31 }), 0);
}

/* A date-only end of validity is the end of that day in the zone. */
static void test_parse_end(void **state)
{
	gs_instant t, u;
	char out[GS_INSTANT_STR];

	(void)state;
	assert_int_equal(instant_parse_end("2019-06-01", 9 * 3600, &t), 0);
	instant_format(t, out);
	assert_string_equal(out, "2019-06-01T15:00:00Z"); /* 2019-06-02T00:00+09:00 */
	assert_int_equal(instant_parse("2019-06-01", 9 * 3600, &u), 0);
	assert_int_equal(t - u, 86400);
	/* a full instant means itself */
	assert_int_equal(instant_parse_end("2019-06-01T10:00:00+09:00", 0, &t), 0);
	instant_format(t, out);
	assert_string_equal(out, "2019-06-01T01:00:00Z");
	/* 31 December rolls into the next year */
	assert_int_equal(instant_parse_end("2019-12-31", 0, &t), 0);
	instant_format(t, out);
	assert_string_equal(out, "2020-01-01T00:00:00Z");
	assert_int_equal(instant_parse_end("2019-13-01", 0, &t), GS_EINVAL);
	assert_int_equal(instant_parse_end("yesterday", 0, &t), GS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_roundtrip),
		cmocka_unit_test(test_kor_jpn_expiry_instant),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_date_arith),
		cmocka_unit_test(test_parse_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
