/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/utf8.h"

/* Known answers: the bytes, the length decoded (0: refused) and the code
 * point. The refusals are RFC 3629's and Markus Kuhn's classic cases. */
static const struct {
	const char *what;
	const char *bytes;
	size_t n;
	size_t len;
	uint32_t cp;
} kat[] = {
	{ "NUL", "\x00", 1, 1, 0x0 },
	{ "ASCII A", "A", 1, 1, 0x41 },
	{ "DEL", "\x7f", 1, 1, 0x7f },
	{ "first 2-byte", "\xc2\x80", 2, 2, 0x80 },
	{ "e acute", "\xc3\xa9", 2, 2, 0xe9 },
	{ "last 2-byte", "\xdf\xbf", 2, 2, 0x7ff },
	{ "first 3-byte", "\xe0\xa0\x80", 3, 3, 0x800 },
	{ "em dash", "\xe2\x80\x94", 3, 3, 0x2014 },
	{ "hangul", "\xed\x95\x9c", 3, 3, 0xd55c },
	{ "before surrogates", "\xed\x9f\xbf", 3, 3, 0xd7ff },
	{ "after surrogates", "\xee\x80\x80", 3, 3, 0xe000 },
	{ "BOM", "\xef\xbb\xbf", 3, 3, 0xfeff },
	{ "last 3-byte", "\xef\xbf\xbf", 3, 3, 0xffff },
	{ "first 4-byte", "\xf0\x90\x80\x80", 4, 4, 0x10000 },
	{ "emoji", "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
	{ "4-byte max U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "followed by more", "\xc3\xa9z", 3, 2, 0xe9 },
	/* refused */
	{ "empty", "", 0, 0, 0 },
	{ "lone continuation", "\x80", 1, 0, 0 },
	{ "continuation 0xbf", "\xbf", 1, 0, 0 },
	{ "overlong NUL C0 80", "\xc0\x80", 2, 0, 0 },
	{ "overlong '/' C0 AF", "\xc0\xaf", 2, 0, 0 },
	{ "overlong C1 BF", "\xc1\xbf", 2, 0, 0 },
	{ "overlong 3-byte '/'", "\xe0\x80\xaf", 3, 0, 0 },
	{ "overlong 3-byte U+07FF", "\xe0\x9f\xbf", 3, 0, 0 },
	{ "overlong 4-byte '/'", "\xf0\x80\x80\xaf", 4, 0, 0 },
	{ "overlong 4-byte U+FFFF", "\xf0\x8f\xbf\xbf", 4, 0, 0 },
	{ "surrogate U+D800", "\xed\xa0\x80", 3, 0, 0 },
	{ "surrogate U+DBFF", "\xed\xaf\xbf", 3, 0, 0 },
	{ "surrogate U+DC00", "\xed\xb0\x80", 3, 0, 0 },
	{ "surrogate U+DFFF", "\xed\xbf\xbf", 3, 0, 0 },
	{ "U+110000", "\xf4\x90\x80\x80", 4, 0, 0 },
	{ "lead F5", "\xf5\x80\x80\x80", 4, 0, 0 },
	{ "lead F8 (5-byte form)", "\xf8\x88\x80\x80\x80", 5, 0, 0 },
	{ "lead FE", "\xfe", 1, 0, 0 },
	{ "lead FF", "\xff", 1, 0, 0 },
	{ "truncated 2-byte", "\xc3", 1, 0, 0 },
	{ "truncated 3-byte", "\xe2\x80", 2, 0, 0 },
	{ "truncated 4-byte", "\xf0\x9f\x98", 3, 0, 0 },
	{ "truncated by n, bytes follow", "\xe2\x80\x94", 2, 0, 0 },
	{ "continuation missing", "\xe2\x41\x94", 3, 0, 0 },
	{ "NUL inside", "\xc3\x00", 2, 0, 0 },
};

static void test_decode_kat(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t len = utf8_decode(kat[i].bytes, kat[i].n, &cp);

		print_message("%s\n", kat[i].what);
		assert_int_equal(len, kat[i].len);
		if (len)
			assert_int_equal(cp, kat[i].cp);
		else
			assert_int_equal(cp, 0xdeadbeef); /* untouched when refused */
		assert_int_equal(utf8_decode(kat[i].bytes, kat[i].n, NULL), kat[i].len);
	}
}

/* Every code point: the shortest encoding decodes to it, or is refused
 * exactly when it is a surrogate. */
static void test_decode_every_code_point(void **state)
{
	(void)state;
	for (uint32_t c = 0; c <= UTF8_MAX; c++) {
		unsigned char b[4];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			b[0] = (unsigned char)c;
			n = 1;
		} else if (c < 0x800) {
			b[0] = (unsigned char)(0xc0 | c >> 6);
			b[1] = (unsigned char)(0x80 | (c & 0x3f));
			n = 2;
		} else if (c < 0x10000) {
			b[0] = (unsigned char)(0xe0 | c >> 12);
			b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			b[2] = (unsigned char)(0x80 | (c & 0x3f));
			n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | c >> 18);
			b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
			b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			b[3] = (unsigned char)(0x80 | (c & 0x3f));
			n = 4;
		}
		if (c >= 0xd800 && c <= 0xdfff) {
			if (utf8_decode(b, n, &cp) != 0)
				fail_msg("surrogate U+%04X accepted", (unsigned)c);
		} else if (utf8_decode(b, n, &cp) != n || cp != c) {
			fail_msg("U+%04X not decoded", (unsigned)c);
		}
	}
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("plain ASCII", 11));
	assert_true(utf8_valid("\xed\x95\x9c\xea\xb5\xad \xe6\x97\xa5\xe6\x9c\xac", 13)); /* 한국 日本 */
	assert_true(utf8_valid("a\0b", 3));
	assert_false(utf8_valid("ok\xc0\x80", 4));
	assert_false(utf8_valid("ok\xed\xa0\x80", 5));
	assert_false(utf8_valid("ok\xf0\x9f\x98", 5)); /* cut at the end */
	assert_true(utf8_valid("ok\xf0\x9f\x98\x80", 6));
}

static void test_cut(void **state)
{
	const char *s = "ab\xe2\x80\x94z"; /* a b — z: 6 bytes */

	(void)state;
	assert_int_equal(utf8_cut(s, 6, 10), 6); /* fits */
	assert_int_equal(utf8_cut(s, 6, 6), 6);
	assert_int_equal(utf8_cut(s, 6, 5), 5);  /* after the dash */
	assert_int_equal(utf8_cut(s, 6, 4), 2);  /* would split the dash */
	assert_int_equal(utf8_cut(s, 6, 3), 2);
	assert_int_equal(utf8_cut(s, 6, 2), 2);
	assert_int_equal(utf8_cut(s, 6, 0), 0);
	assert_int_equal(utf8_cut("\xf0\x9f\x98\x80", 4, 3), 0);
}

static void test_scrub(void **state)
{
	char a[] = "caf\xc3\xa9 ok";
	char b[] = "bad\xc0\x80 \xed\xa0\x80 \xff end\xe2\x80";
	char c[] = "\x80\x80";

	(void)state;
	utf8_scrub(a);
	assert_string_equal(a, "caf\xc3\xa9 ok"); /* valid text is left as it is */
	utf8_scrub(b);
	assert_string_equal(b, "bad?? ??? ? end??");
	assert_true(utf8_valid(b, strlen(b)));
	utf8_scrub(c);
	assert_string_equal(c, "??");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_kat),
		cmocka_unit_test(test_decode_every_code_point),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_scrub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
