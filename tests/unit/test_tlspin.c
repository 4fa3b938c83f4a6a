/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/tlspin.h"
#include "util/err.h"

/* The known-answer certificate's pin (tests/unit/test_tls.c) and its hash. */
static const char ka_pin[] = "sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY=";
static const uint8_t ka_hash[32] = {
	0x93, 0x19, 0xd0, 0x84, 0xd5, 0xd2, 0x9d, 0x56, 0x25, 0x2d, 0x28, 0xab, 0x21, 0xc0, 0xcc, 0x20,
	0x29, 0x06, 0x78, 0x3b, 0xe0, 0x50, 0xfa, 0xaf, 0xec, 0xf5, 0x49, 0x2b, 0x07, 0x43, 0x5e, 0xb6,
};

static void test_format_kat(void **state)
{
	char pin[TLS_PIN_SIZE];
	uint8_t zero[32] = { 0 };

	(void)state;
	tls_pin_format(ka_hash, pin);
	assert_string_equal(pin, ka_pin);
	assert_int_equal(strlen(pin), TLS_PIN_LEN);
	tls_pin_format(zero, pin);
	assert_string_equal(pin, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

static void test_parse(void **state)
{
	uint8_t h[32];

	(void)state;
	assert_int_equal(tls_pin_parse(ka_pin, strlen(ka_pin), h), 0);
	assert_memory_equal(h, ka_hash, 32);
	assert_true(tls_pin_is_valid(ka_pin));
}

/* Each refusal: the bytes are not exactly one canonical pin. */
static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"sha256//",
		"sha1//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY=",   /* another hash */
		"SHA256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY=", /* the prefix is lower case */
		"kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY=",         /* no prefix */
		"sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY",  /* padding missing */
		"sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrZ=", /* trailing bits not zero */
		"sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY==",
		"sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY= ",
		" sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDX=",
		"sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdD-rY=", /* base64url alphabet */
		"sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrYA", /* 33 bytes' worth, no padding */
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", /* 31 bytes */
	};
	uint8_t h[32];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(tls_pin_parse(bad[i], strlen(bad[i]), h), GS_EINVAL);
		assert_false(tls_pin_is_valid(bad[i]));
	}
	/* a NUL inside is not read past */
	assert_int_equal(tls_pin_parse("sha256//kxnQ\0", 13, h), GS_EINVAL);
}

static void test_equal(void **state)
{
	char other[TLS_PIN_SIZE];
	uint8_t h[32];

	(void)state;
	memcpy(h, ka_hash, 32);
	h[31] ^= 1;
	tls_pin_format(h, other);
	assert_true(tls_pin_equal(ka_pin, ka_pin));
	assert_false(tls_pin_equal(ka_pin, other));
	assert_false(tls_pin_equal("", "")); /* no pin matches nothing */
	assert_false(tls_pin_equal(ka_pin, ""));
	assert_false(tls_pin_equal("sha256//x", "sha256//x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_kat),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
