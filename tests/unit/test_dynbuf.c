/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/dynbuf.h"
#include "util/err.h"

static void test_empty(void **state)
{
	struct dynbuf b;
	size_t len = 99;
	char *p;

	(void)state;
	dynbuf_init(&b, 16);
	assert_string_equal(dynbuf_ptr(&b), "");
	assert_int_equal(dynbuf_len(&b), 0);
	assert_int_equal(dynbuf_error(&b), 0);
	p = dynbuf_take(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	dynbuf_free(&b);
}

static void test_add_and_take(void **state)
{
	struct dynbuf b;
	size_t len;
	char *p;

	(void)state;
	dynbuf_init(&b, 1 << 20);
	assert_int_equal(dynbuf_adds(&b, "head\n"), 0);
	assert_int_equal(dynbuf_addf(&b, "%d rows, %s\n", 42, "done"), 0);
	assert_int_equal(dynbuf_add(&b, "x\0y", 3), 0);
	assert_int_equal(dynbuf_len(&b), 5 + 14 + 3);
	assert_memory_equal(dynbuf_ptr(&b), "head\n42 rows, done\nx\0y", 23); /* NUL after */
	p = dynbuf_take(&b, &len);
	assert_int_equal(len, 22);
	assert_memory_equal(p, "head\n42 rows, done\nx\0y", 23);
	free(p);
	/* taken: empty again, and usable */
	assert_int_equal(dynbuf_len(&b), 0);
	assert_int_equal(dynbuf_adds(&b, "again"), 0);
	assert_string_equal(dynbuf_ptr(&b), "again");
	dynbuf_free(&b);
}

/* Many small adds cross every doubling; the contents stay exact. */
static void test_growth(void **state)
{
	struct dynbuf b;
	size_t i;

	(void)state;
	dynbuf_init(&b, 100000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(dynbuf_addf(&b, "%zu,", i % 10), 0);
	assert_int_equal(dynbuf_len(&b), 20000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(dynbuf_ptr(&b)[2 * i], (char)('0' + i % 10));
	assert_true(b.cap <= 100001);
	dynbuf_free(&b);
}

/* Exactly the cap fits; one byte more is GS_ELIMIT, sticky, and the
 * contents are gone. */
static void test_cap(void **state)
{
	struct dynbuf b;

	(void)state;
	dynbuf_init(&b, 8);
	assert_int_equal(dynbuf_adds(&b, "12345678"), 0);
	assert_int_equal(dynbuf_len(&b), 8);
	assert_true(b.cap <= 9); /* never more than the cap and its NUL */
	assert_int_equal(dynbuf_adds(&b, "9"), GS_ELIMIT);
	assert_int_equal(dynbuf_error(&b), GS_ELIMIT);
	assert_int_equal(dynbuf_len(&b), 0);
	assert_null(b.p);
	assert_int_equal(dynbuf_adds(&b, ""), GS_ELIMIT); /* sticky */
	assert_int_equal(dynbuf_addf(&b, "%s", "x"), GS_ELIMIT);
	assert_null(dynbuf_take(&b, NULL));
	/* reset clears the error */
	dynbuf_reset(&b);
	assert_int_equal(dynbuf_error(&b), 0);
	assert_int_equal(dynbuf_adds(&b, "ok"), 0);
	assert_string_equal(dynbuf_ptr(&b), "ok");
	dynbuf_free(&b);
}

/* A formatted add past the cap is refused whole, never cut. */
static void test_cap_printf(void **state)
{
	struct dynbuf b;

	(void)state;
	dynbuf_init(&b, 10);
	assert_int_equal(dynbuf_adds(&b, "abcde"), 0);
	assert_int_equal(dynbuf_addf(&b, "%s", "123456"), GS_ELIMIT);
	assert_int_equal(dynbuf_len(&b), 0);
	dynbuf_free(&b);
	dynbuf_init(&b, 0); /* a cap of zero holds only the empty string */
	assert_int_equal(dynbuf_add(&b, "", 0), 0);
	assert_string_equal(dynbuf_ptr(&b), "");
	assert_int_equal(dynbuf_adds(&b, "a"), GS_ELIMIT);
	dynbuf_free(&b);
}

static void test_reset_keeps_memory(void **state)
{
	struct dynbuf b;
	const char *before;

	(void)state;
	dynbuf_init(&b, 1024);
	assert_int_equal(dynbuf_adds(&b, "some text"), 0);
	before = b.p;
	dynbuf_reset(&b);
	assert_int_equal(dynbuf_len(&b), 0);
	assert_string_equal(dynbuf_ptr(&b), "");
	assert_ptr_equal(b.p, before);
	dynbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.max, 1024); /* free keeps the cap: the buffer can be used again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_and_take),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_printf),
		cmocka_unit_test(test_reset_keeps_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
