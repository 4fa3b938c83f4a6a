/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/reclass.h"
#include "util/err.h"

/*
 * Known answers for the texts of reclassification (docs/items.md): each
 * has one spelling, parse(format(x)) == x, and every malformed text gets
 * one "LINE:COL: what".
 */

static const char notice_text[] =
	"gsomia-reclassification/v1\n"
	"item KOR-8f45b8c522dbdb89\n"
	"originator KOR\n"
	"agreement KOR-JPN-2016\n"
	"previous 군사II급비밀\n"
	"label 군사III급비밀\n"
	"instant 2023-06-01T00:00:00Z\n";

static void test_notice_roundtrip(void **state)
{
	struct reclassify_notice n;
	struct gs_diag d;
	char buf[1024];
	int len;

	(void)state;
	assert_int_equal(reclassify_notice_parse(notice_text, strlen(notice_text), &n, &d), 0);
	assert_string_equal(n.item, "KOR-8f45b8c522dbdb89");
	assert_string_equal(n.originator, "KOR");
	assert_string_equal(n.previous, "군사II급비밀");
	assert_string_equal(n.label, "군사III급비밀");
	assert_int_equal(n.instant, 1685577600);
	len = reclassify_notice_format(&n, buf, sizeof(buf));
	assert_int_equal(len, (int)strlen(notice_text));
	assert_string_equal(buf, notice_text);
	assert_int_equal(reclassify_notice_format(&n, buf, 10), GS_ELIMIT);
}

static void expect_notice_error(const char *text, const char *msg)
{
	struct reclassify_notice n;
	struct gs_diag d;

	assert_int_not_equal(reclassify_notice_parse(text, strlen(text), &n, &d), 0);
	assert_string_equal(d.msg, msg);
	assert_string_equal(n.item, "");
}

static void test_notice_errors(void **state)
{
	char t[1024];

	(void)state;
	expect_notice_error("hello\n", "1:1: not a reclassification notice (expected 'gsomia-reclassification/v1')");
	snprintf(t, sizeof(t), "%s", notice_text);
	memcpy(strstr(t, "originator"), "originatir", 10);
	expect_notice_error(t, "3:1: 'originator VALUE' expected");
	snprintf(t, sizeof(t), "%s", notice_text);
	memcpy(strstr(t, "2023-06-01T00:00:00Z"), "2023-06-01T09:00+09", 19);
	expect_notice_error(t, "7:9: invalid instant '2023-06-01T09:00+09Z' (expected like 2023-06-01T00:00:00Z)");
	snprintf(t, sizeof(t), "%sextra line\n", notice_text);
	expect_notice_error(t, "8:1: unexpected line after the last field");
	snprintf(t, sizeof(t), "%s", notice_text);
	memcpy(strstr(t, "KOR\n"), "kor\n", 4);
	expect_notice_error(t, "3:12: invalid party code 'kor'");
	snprintf(t, sizeof(t), "%s", notice_text);
	memcpy(strstr(t, "label "), "label  ", 6);
	t[strlen(t) - 1] = '\0'; /* no newline at the end */
	{
		struct reclassify_notice n;
		struct gs_diag d;

		assert_int_equal(reclassify_notice_parse(t, strlen(t), &n, &d), GS_EINVAL);
	}
}

static void test_forward_roundtrip(void **state)
{
	struct reclassify_forward f, g;
	struct gs_diag d;
	static char buf[8192];
	int len;

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(f.notice_sha256, 0xab, 32);
	snprintf(f.item, sizeof(f.item), "KOR-8f45b8c522dbdb89");
	snprintf(f.from, sizeof(f.from), "USA");
	snprintf(f.to, sizeof(f.to), "JPN");
	snprintf(f.agreement, sizeof(f.agreement), "US-JPN-2007");
	snprintf(f.label, sizeof(f.label), "CONFIDENTIAL");
	f.instant = 1685584800;
	memcpy(f.notice, notice_text, strlen(notice_text));
	f.notice_len = strlen(notice_text);
	len = reclassify_forward_format(&f, buf, sizeof(buf));
	assert_true(len > 0);
	assert_non_null(strstr(buf, "gsomia-reclassification-forward/v1\nnotice abababab"));
	assert_non_null(strstr(buf, "\nfrom USA\nto JPN\nagreement US-JPN-2007\nlabel CONFIDENTIAL\n"
				    "instant 2023-06-01T02:00:00Z\nnotice-file Z3NvbWlh"));
	assert_true(reclassify_is_forward(buf, (size_t)len));
	assert_false(reclassify_is_forward(notice_text, strlen(notice_text)));
	assert_int_equal(reclassify_forward_parse(buf, (size_t)len, &g, &d), 0);
	assert_memory_equal(&f, &g, sizeof(f));
	/* a forward to its own sender, or carrying nothing, cannot be written */
	snprintf(f.to, sizeof(f.to), "USA");
	assert_int_equal(reclassify_forward_format(&f, buf, sizeof(buf)), GS_EINVAL);
	snprintf(f.to, sizeof(f.to), "JPN");
	f.notice_len = 0;
	assert_int_equal(reclassify_forward_format(&f, buf, sizeof(buf)), GS_EINVAL);
}

static void test_forward_errors(void **state)
{
	static const char head[] = "gsomia-reclassification-forward/v1\n";
	struct reclassify_forward f;
	struct gs_diag d;
	char t[2048];

	(void)state;
	snprintf(t, sizeof(t), "%snotice ABAB\n", head);
	assert_int_equal(reclassify_forward_parse(t, strlen(t), &f, &d), GS_EINVAL);
	assert_string_equal(d.msg, "2:8: 'notice' is 64 lowercase hex digits");
	snprintf(t, sizeof(t), "%snotice %064d\nitem K\nfrom USA\nto USA\nagreement A\nlabel L\n"
		 "instant 2023-06-01T02:00:00Z\nnotice-file YQ==\n", head, 0);
	assert_int_equal(reclassify_forward_parse(t, strlen(t), &f, &d), GS_EINVAL);
	assert_string_equal(d.msg, "5:4: forward from 'USA' to itself");
	snprintf(t, sizeof(t), "%snotice %064d\nitem K\nfrom USA\nto JPN\nagreement A\nlabel L\n"
		 "instant 2023-06-01T02:00:00Z\nnotice-file YQ=\n", head, 0);
	assert_int_equal(reclassify_forward_parse(t, strlen(t), &f, &d), GS_EINVAL);
	assert_string_equal(d.msg, "9:13: 'notice-file' is not canonical base64");
	snprintf(t, sizeof(t), "%snotice %064d\nitem K\nfrom USA\nto JPN\nagreement A\nlabel L\n"
		 "instant 2023-06-01T02:00:00Z\nnotice-file YQ==\n", head, 0);
	assert_int_equal(reclassify_forward_parse(t, strlen(t), &f, &d), 0);
	assert_int_equal(f.notice_len, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notice_roundtrip),
		cmocka_unit_test(test_notice_errors),
		cmocka_unit_test(test_forward_roundtrip),
		cmocka_unit_test(test_forward_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
