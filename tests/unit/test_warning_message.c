/* SPDX-License-Identifier: Apache-2.0 */
/* core/warning_message: a warning as it travels, with its hops, against the
 * known-answer file examples/warnings/message/ (docs/warnings.md "The
 * message"), and every way a message is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/warning_message.h"

static char *slurp(const char *rel, size_t *len)
{
	const char *root = getenv("SRCDIR");
	char path[1024];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct warning_message m;
static char out[WARNING_MESSAGE_MAX], edited[WARNING_MESSAGE_MAX + 2];

static void test_vector(void **state)
{
	size_t len, olen;
	char *buf = slurp("examples/warnings/message/kor-dprk-2023-12-18.msg", &len);
	struct gs_diag d = { { 0 } };
	int64_t t;

	(void)state;
	assert_int_equal(warning_message_parse(buf, len, &m, &d), 0);
	assert_string_equal(m.w.id, "KOR-20231218-0824");
	assert_int_equal(m.w.ntrack, 10);
	assert_int_equal(m.nhops, 2);
	assert_string_equal(m.hops[0].party, "KOR");
	assert_int_equal(m.hops[0].received, -1);
	assert_int_equal(warning_time_parse("2023-12-17T23:24:43.120Z", &t, NULL), 0);
	assert_int_equal(m.hops[0].sent, t);
	assert_string_equal(m.hops[1].party, "USA");
	assert_int_equal(m.hops[1].received, t + 1);
	assert_int_equal(m.hops[1].sent, t + 3);
	/* written back: the same bytes */
	assert_int_equal(warning_message_write(&m, out, sizeof(out), &olen), 0);
	assert_int_equal(olen, len);
	assert_memory_equal(out, buf, len);
	free(buf);
}

/* The vector with `from` replaced by `to` (first occurrence) must be refused
 * with `why` in the message. */
static void refused(const char *from, const char *to, const char *why)
{
	size_t len;
	char *buf = slurp("examples/warnings/message/kor-dprk-2023-12-18.msg", &len);
	char *p = strstr(buf, from);
	struct gs_diag d = { { 0 } };
	size_t k;

	assert_non_null(p);
	k = (size_t)(p - buf);
	memcpy(edited, buf, k);
	memcpy(edited + k, to, strlen(to));
	memcpy(edited + k + strlen(to), p + strlen(from), len - k - strlen(from));
	len = len - strlen(from) + strlen(to);
	assert_int_not_equal(warning_message_parse(edited, len, &m, &d), 0);
	if (!strstr(d.msg, why))
		fail_msg("'%s' not in '%s'", why, d.msg);
	/* nothing is left filled */
	assert_int_equal(m.nhops, 0);
	assert_string_equal(m.w.id, "");
	free(buf);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("gsomia-warning/v1", "gsomia-warning/v2", "line 1");
	refused("{\"version\":1,", "{ \"version\":1,", "line 2");
	refused("\"confidence\":90", "\"confidence\":90.0", "canonical");
	refused("hop KOR sent", "hop USA sent", "not the originator");
	refused("hop USA received", "hop KOR received", "a hop twice");
	refused("43.120Z", "43.12Z", "line 3");
	refused("43.120Z", "43.120+00:00", "line 3");
	refused("hop USA received 2023-12-17T23:24:43.121Z sent", "hop USA sent", "line 4");
	refused("hop KOR sent", "hop KOR received 2023-12-17T23:24:43.000Z sent", "line 3");
	refused("hop USA", "hop usa", "line 4");
	refused("43.123Z\n", "43.123Z", "line 4");
	refused("43.123Z\n", "43.123Z\nhop\n", "line 5");
	refused("43.123Z\n", "43.123Z \n", "line 4");
}

static void test_no_hop_and_caps(void **state)
{
	size_t len, k;
	char *buf = slurp("examples/warnings/message/kor-dprk-2023-12-18.msg", &len);
	char *hops = strstr(buf, "hop KOR");
	struct gs_diag d = { { 0 } };
	static const char *const parties[] = { "USA", "JPN", "GBR", "FRA", "DEU", "AUS", "CAN", "NZL" };

	(void)state;
	assert_non_null(hops);
	k = (size_t)(hops - buf);
	assert_int_not_equal(warning_message_parse(buf, k, &m, &d), 0);
	assert_non_null(strstr(d.msg, "no hop"));
	/* WARNING_MAX_HOPS hops read; one more is refused */
	memcpy(edited, buf, k);
	k += (size_t)sprintf(edited + k, "hop KOR sent 2023-12-17T23:24:43.120Z\n");
	for (int i = 0; i < WARNING_MAX_HOPS - 1; i++)
		k += (size_t)sprintf(edited + k, "hop %s received 2023-12-17T23:24:43.121Z sent 2023-12-17T23:24:43.122Z\n",
				     parties[i]);
	assert_int_equal(warning_message_parse(edited, k, &m, &d), 0);
	assert_int_equal(m.nhops, WARNING_MAX_HOPS);
	k += (size_t)sprintf(edited + k, "hop %s received 2023-12-17T23:24:43.121Z sent 2023-12-17T23:24:43.122Z\n",
			     parties[WARNING_MAX_HOPS - 1]);
	memset(&d, 0, sizeof(d));
	assert_int_not_equal(warning_message_parse(edited, k, &m, &d), 0);
	assert_non_null(strstr(d.msg, "more than"));
	/* a message too long for its cap is refused before it is read */
	assert_int_equal(warning_message_parse(edited, WARNING_MESSAGE_MAX + 1, &m, &d), GS_ELIMIT);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_no_hop_and_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
