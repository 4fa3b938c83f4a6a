/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/encode.h"
#include "util/err.h"

/* RFC 4648 §10. */
static const struct {
	const char *bin, *b64, *hex;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "66" },
	{ "fo", "Zm8=", "666f" },
	{ "foo", "Zm9v", "666f6f" },
	{ "foob", "Zm9vYg==", "666f6f62" },
	{ "fooba", "Zm9vYmE=", "666f6f6261" },
	{ "foobar", "Zm9vYmFy", "666f6f626172" },
};

static void test_b64_vectors(void **state)
{
	char enc[64];
	uint8_t dec[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t blen = strlen(rfc4648[i].bin);

		assert_int_equal(b64_encode((const uint8_t *)rfc4648[i].bin, blen, enc,
					    sizeof(enc)), 0);
		assert_string_equal(enc, rfc4648[i].b64);
		assert_int_equal(b64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), dec,
					    sizeof(dec), &n), 0);
		assert_int_equal(n, blen);
		assert_memory_equal(dec, rfc4648[i].bin, blen);
		assert_int_equal(hex_encode((const uint8_t *)rfc4648[i].bin, blen, enc,
					    sizeof(enc)), 0);
		assert_string_equal(enc, rfc4648[i].hex);
		assert_int_equal(hex_decode(rfc4648[i].hex, strlen(rfc4648[i].hex), dec,
					    sizeof(dec), &n), 0);
		assert_int_equal(n, blen);
		assert_memory_equal(dec, rfc4648[i].bin, blen);
	}
}

static void test_b64_rejects(void **state)
{
	static const char *bad[] = {
		"Zh==",      /* non-zero trailing bits */
		"Zm9=",      /* non-zero trailing bits */
		"Zg",        /* no padding */
		"Zg=",       /* short padding */
		"Zg===",     /* extra padding */
		"Zm9v====",  /* padding block */
		"Zm9v\n",    /* line break */
		"Zm 9v",     /* space */
		"Z-_v",      /* URL alphabet */
		"=Zm9",      /* padding first */
		"Zg==Zg==",  /* padding in the middle */
		"Zm9v\0Zm9", /* NUL */
	};
	uint8_t dec[64];
	size_t i, n = 99;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);

		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			len = 8;
		assert_int_equal(b64_decode(bad[i], len, dec, sizeof(dec), &n), GS_EINVAL);
		assert_int_equal(n, 99);
	}
	/* Too small an output buffer. */
	assert_int_equal(b64_decode("Zm9vYmFy", 8, dec, 5, &n), GS_ELIMIT);
	assert_int_equal(b64_decode_exact("Zm9vYmFy", 8, dec, 6), 0);
	assert_int_equal(b64_decode_exact("Zm9vYmFy", 8, dec, 5), GS_EINVAL);
	assert_int_equal(b64_decode_exact("Zm9vYmE=", 8, dec, 6), GS_EINVAL);
	/* Encoder output room. */
	assert_int_equal(b64_encode((const uint8_t *)"foo", 3, (char *)dec, 4), GS_ELIMIT);
}

static void test_b64_long(void **state)
{
	uint8_t bin[3000], dec[3000];
	char enc[B64_ENCODED_SIZE(3000)];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(bin); i += 97) {
		assert_int_equal(b64_encode(bin, i, enc, sizeof(enc)), 0);
		assert_int_equal(strlen(enc), B64_ENCODED_SIZE(i) - 1);
		assert_int_equal(b64_decode(enc, strlen(enc), dec, sizeof(dec), &n), 0);
		assert_int_equal(n, i);
		assert_memory_equal(dec, bin, i);
	}
}

static void test_hex_rejects(void **state)
{
	uint8_t dec[8];
	size_t n = 99;
	char enc[5];

	(void)state;
	assert_int_equal(hex_decode("0A0b", 4, dec, sizeof(dec), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(dec[0], 0x0a);
	assert_int_equal(dec[1], 0x0b);
	n = 99;
	assert_int_equal(hex_decode("0", 1, dec, sizeof(dec), &n), GS_EINVAL);
	assert_int_equal(hex_decode("0g", 2, dec, sizeof(dec), &n), GS_EINVAL);
	assert_int_equal(hex_decode(" 0", 2, dec, sizeof(dec), &n), GS_EINVAL);
	assert_int_equal(hex_decode("000000000000000000", 18, dec, sizeof(dec), &n),
			 GS_ELIMIT);
	assert_int_equal(n, 99);
	assert_int_equal(hex_encode((const uint8_t *)"abc", 3, enc, sizeof(enc)), GS_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_vectors),
		cmocka_unit_test(test_b64_rejects),
		cmocka_unit_test(test_b64_long),
		cmocka_unit_test(test_hex_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
