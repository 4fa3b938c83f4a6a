/* SPDX-License-Identifier: Apache-2.0 */
/* core/warning: the model's rules, numbers and instants, the strict JSON
 * reader and the canonical writer, with the known-answer files of
 * examples/warnings/ (docs/warnings.md "Test vectors"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/warning.h"

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

static struct warning w, w2;
static char canon[WARNING_MAX_CANONICAL];

/* ---- known answers ---- */

static void check_vector(const char *name)
{
	char in_path[256], want_path[256];
	struct gs_diag d = { { 0 } };
	size_t inlen, wantlen, len, len2;
	char *in, *want;

	snprintf(in_path, sizeof(in_path), "examples/warnings/%s.json", name);
	snprintf(want_path, sizeof(want_path), "examples/warnings/canonical/%s.json", name);
	in = slurp(in_path, &inlen);
	want = slurp(want_path, &wantlen);
	if (warning_json_parse(in, inlen, &w, &d))
		fail_msg("%s: %s", in_path, d.msg);
	assert_int_equal(warning_json_write(&w, canon, sizeof(canon), &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(canon, want, len);
	/* the canonical form reads back to the same warning and bytes */
	assert_int_equal(warning_json_parse(canon, len, &w2, &d), 0);
	assert_memory_equal(&w, &w2, sizeof(w));
	assert_int_equal(warning_json_write(&w2, canon, sizeof(canon), &len2), 0);
	assert_int_equal(len2, wantlen);
	assert_memory_equal(canon, want, len2);
	free(in);
	free(want);
}

static void test_vectors(void **state)
{
	(void)state;
	check_vector("kor-dprk-2023-12-18");
	check_vector("kor-dprk-2023-12-18-first");
}

static void test_example_values(void **state)
{
	struct gs_diag d = { { 0 } };
	size_t len;
	char *in = slurp("examples/warnings/kor-dprk-2023-12-18.json", &len);

	(void)state;
	assert_int_equal(warning_json_parse(in, len, &w, &d), 0);
	assert_string_equal(w.id, "KOR-20231218-0824");
	assert_string_equal(w.originator, "KOR");
	assert_string_equal(w.agreement, "TISA-2014");
	assert_string_equal(w.classification, "군사II급비밀");
	assert_string_equal(w.sensor_party, "KOR");
	/* "2023-12-18T08:24:42.5+09:00" */
	assert_int_equal(w.detected, 1702855482500LL);
	assert_int_equal(w.launch.time, 1702855450000LL);
	assert_int_equal(w.launch.lat, 390396000);
	assert_int_equal(w.launch.lon, 1257612000);
	assert_int_equal(w.launch.alt, 380);
	assert_int_equal(w.type, WARNING_TYPE_MRBM);
	assert_int_equal(w.confidence, 90);
	assert_int_equal(w.ntrack, 10);
	assert_int_equal(w.track[5].alt, 3096400);
	assert_int_equal(w.track[0].course, 793);
	assert_int_equal(w.nimpacts, 1);
	assert_int_equal(w.impacts[0].semi_major, 180000);
	assert_int_equal(w.impacts[0].semi_minor, 60000);
	assert_int_equal(w.impacts[0].orientation, 872);
	free(in);
}

/* ---- numbers ---- */

struct decimal_case {
	const char *s;
	int scale;
	enum warning_decimal_mode mode;
	int64_t want;
	const char *refusal; /* NULL: accepted */
};

static const struct decimal_case decimals[] = {
	{ "39.0396", 7, WARNING_DECIMAL_EXACT, 390396000, NULL },
	{ "-125.7612000000", 7, WARNING_DECIMAL_EXACT, -1257612000, NULL },
	{ "1e-7", 7, WARNING_DECIMAL_EXACT, 1, NULL },
	{ "3.9E1", 7, WARNING_DECIMAL_EXACT, 390000000, NULL },
	{ "-0", 1, WARNING_DECIMAL_EXACT, 0, NULL },
	{ "0.0", 1, WARNING_DECIMAL_EXACT, 0, NULL },
	{ "18000", 1, WARNING_DECIMAL_EXACT, 180000, NULL },
	{ "39.03961234", 7, WARNING_DECIMAL_EXACT, 0, "more precise than 0.0000001" },
	{ "0.05", 1, WARNING_DECIMAL_EXACT, 0, "more precise than 0.1" },
	{ "1.0000000000000000000000000001", 1, WARNING_DECIMAL_EXACT, 0, "more precise" },
	{ "01", 1, WARNING_DECIMAL_EXACT, 0, "not a decimal number" },
	{ "1.", 1, WARNING_DECIMAL_EXACT, 0, "not a decimal number" },
	{ ".5", 1, WARNING_DECIMAL_EXACT, 0, "not a decimal number" },
	{ "+1", 1, WARNING_DECIMAL_EXACT, 0, "not a decimal number" },
	{ "1e", 1, WARNING_DECIMAL_EXACT, 0, "not a decimal number" },
	{ "NaN", 1, WARNING_DECIMAL_ROUND, 0, "not a decimal number" },
	{ "INF", 1, WARNING_DECIMAL_ROUND, 0, "not a decimal number" },
	{ "-", 1, WARNING_DECIMAL_ROUND, 0, "not a decimal number" },
	{ "1e400", 7, WARNING_DECIMAL_EXACT, 0, "out of range" },
	{ "180.0000001", 7, WARNING_DECIMAL_EXACT, 0, "out of range [-180, 180]" },
	/* CoT: rounded half away from zero */
	{ "+39.012345678", 7, WARNING_DECIMAL_ROUND, 390123457, NULL },
	{ "0.00000005", 7, WARNING_DECIMAL_ROUND, 1, NULL },
	{ "-0.00000005", 7, WARNING_DECIMAL_ROUND, -1, NULL },
	{ "0.000000049", 7, WARNING_DECIMAL_ROUND, 0, NULL },
	{ "9.99", 1, WARNING_DECIMAL_ROUND, 100, NULL },
	{ ".5", 1, WARNING_DECIMAL_ROUND, 5, NULL },
	{ "1e-400", 7, WARNING_DECIMAL_ROUND, 0, NULL },
};

static void test_decimals(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++) {
		const struct decimal_case *c = &decimals[i];
		struct gs_diag d = { { 0 } };
		int64_t v = -42;
		int ret = warning_decimal_parse(c->s, strlen(c->s), c->scale, -1800000000, 1800000000, c->mode, &v, &d);

		if (!c->refusal) {
			if (ret)
				fail_msg("'%s' refused: %s", c->s, d.msg);
			assert_int_equal(v, c->want);
		} else {
			if (!ret)
				fail_msg("'%s' accepted", c->s);
			if (!strstr(d.msg, c->refusal))
				fail_msg("'%s': '%s' has no '%s'", c->s, d.msg, c->refusal);
			assert_int_equal(v, -42);
		}
	}
}

static void test_decimal_format(void **state)
{
	char t[WARNING_DECIMAL_STR];

	(void)state;
	warning_decimal_format(390396000, 7, t);
	assert_string_equal(t, "39.0396");
	warning_decimal_format(-5, 1, t);
	assert_string_equal(t, "-0.5");
	warning_decimal_format(0, 7, t);
	assert_string_equal(t, "0");
	warning_decimal_format(180000, 1, t);
	assert_string_equal(t, "18000");
	warning_decimal_format(-1800000000, 7, t);
	assert_string_equal(t, "-180");
	warning_decimal_format(1, 7, t);
	assert_string_equal(t, "0.0000001");
}

/* ---- instants ---- */

static void test_times(void **state)
{
	struct gs_diag d = { { 0 } };
	char t[WARNING_TIME_STR];
	int64_t ms;

	(void)state;
	assert_int_equal(warning_time_parse("2023-12-18T08:24:42.5+09:00", &ms, &d), 0);
	assert_int_equal(ms, 1702855482500LL);
	warning_time_format(ms, t);
	assert_string_equal(t, "2023-12-17T23:24:42.500Z");
	assert_int_equal(warning_time_parse("2023-12-17T23:24:42.500000000Z", &ms, &d), 0);
	assert_int_equal(ms, 1702855482500LL);
	warning_time_format(-1, t);
	assert_string_equal(t, "1969-12-31T23:59:59.999Z");
	assert_int_equal(warning_time_parse("1969-12-31T23:59:59.999Z", &ms, &d), 0);
	assert_int_equal(ms, -1);
	/* refused: finer than a millisecond, no zone, no seconds, a bare
	 * date, ten fraction digits, a bad zone */
	assert_int_equal(warning_time_parse("2023-12-17T23:24:42.5001Z", &ms, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "more precise than a millisecond"));
	assert_int_equal(warning_time_parse("2023-12-17T23:24:42", &ms, &d), GS_EINVAL);
	assert_int_equal(warning_time_parse("2023-12-17T23:24Z", &ms, &d), GS_EINVAL);
	assert_int_equal(warning_time_parse("2023-12-17", &ms, &d), GS_EINVAL);
	assert_int_equal(warning_time_parse("2023-12-17T23:24:42.5000000000Z", &ms, &d), GS_EINVAL);
	assert_int_equal(warning_time_parse("2023-12-17T23:24:42+9:00", &ms, &d), GS_EINVAL);
	assert_int_equal(warning_time_parse("2023-02-30T23:24:42Z", &ms, &d), GS_EINVAL);
}

/* ---- refusals: one edit of the example each ---- */

struct refusal {
	const char *from, *to; /* replace the first `from` of the example */
	int err;
	const char *msg;       /* a part of the one line */
};

static const struct refusal refusals[] = {
	{ "\"version\": 1,", "\"version\": 1, \"extra\": 1,", GS_EINVAL, "offset 18: unknown member 'extra'" },
	{ "\"version\": 1,", "\"version\": 1, \"id\": \"X\",", GS_EINVAL, "member 'id' appears twice" },
	{ "\"confidence\": 90", "\"confidence\": \"90\"", GS_EINVAL, "confidence: a number is expected" },
	{ "\"confidence\": 90", "\"confidence\": 101", GS_EINVAL, "confidence: 101 is out of range [0, 100]" },
	{ "\"confidence\": 90", "\"confidence\": 90.5", GS_EINVAL, "confidence: 90.5 is more precise than 1" },
	{ "\"lat\": 39.0396", "\"lat\": 91", GS_EINVAL, "launch.lat: 91 is out of range [-90, 90]" },
	{ "\"lon\": 125.7612", "\"lon\": -180.5", GS_EINVAL, "launch.lon: -180.5 is out of range [-180, 180]" },
	{ "\"lat\": 39.0396", "\"lat\": 39.03961234", GS_EINVAL, "launch.lat: 39.03961234 is more precise than 0.0000001" },
	{ "\"lat\": 39.0396", "\"lat\": null", GS_EINVAL, "launch.lat: a number is expected" },
	{ "\"alt\": 38.0", "\"alt\": 100000.1", GS_EINVAL, "launch.alt: 100000.1 is out of range [-12000, 100000]" },
	{ "\"alt\": 18400", "\"alt\": 10000000.1", GS_EINVAL, "track[0].alt: 10000000.1 is out of range" },
	{ "\"speed\": 1341", "\"speed\": -1", GS_EINVAL, "track[0].speed: -1 is out of range" },
	{ "\"course\": 79.3", "\"course\": 360", GS_EINVAL, "track[0].course: 360 is out of range" },
	{ "\"time\": \"2023-12-17T23:25:10Z\"", "\"time\": \"2023-12-17T23:24:40Z\"", GS_EINVAL,
	  "track[1].time: not after track[0].time" },
	{ "\"time\": \"2023-12-17T23:24:10Z\"", "\"time\": \"2023-12-17T23:24:50Z\"", GS_EINVAL,
	  "launch.time: after the detection" },
	{ "\"time\": \"2023-12-17T23:24:10Z\"", "\"time\": \"2023-12-17T23:24:10\"", GS_EINVAL,
	  "launch.time: '2023-12-17T23:24:10' is not an RFC 3339 instant" },
	{ "\"time\": \"2023-12-17T23:33:30Z\"", "\"time\": \"2023-12-17T23:32:00Z\"", GS_EINVAL,
	  "impacts[0].time: before the last track point" },
	{ "\"semi_minor\": 6000.0", "\"semi_minor\": 18000.1", GS_EINVAL,
	  "impacts[0].ellipse.semi_minor: larger than semi_major" },
	{ "\"semi_minor\": 6000.0", "\"semi_minor\": 0", GS_EINVAL, "impacts[0].ellipse.semi_minor: 0 is out of range" },
	{ "\"orientation\": 87.2", "\"orientation\": 180", GS_EINVAL, "orientation: 180 is out of range [0, 179.9]" },
	{ "\"orientation\": 87.2", "\"orientation\": 87.2, \"angle\": 1", GS_EINVAL,
	  "impacts[0].ellipse: unknown member 'angle'" },
	{ "\"topic\": \"dprk-nuclear-missile-threats\",", "", GS_EINVAL, "member 'topic' is missing" },
	{ "\"originator\": \"KOR\"", "\"originator\": \"kor\"", GS_EINVAL, "originator: 'kor' is not a party code" },
	{ "\"party\": \"KOR\"", "\"party\": \"KOREA\"", GS_EINVAL, "sensor.party: 'KOREA' is not a party code" },
	{ "\"party\": \"KOR\"", "\"party\": \"KOREANPARTY\"", GS_ELIMIT, "sensor.party: longer than 7 bytes" },
	{ "\"id\": \"KOR-20231218-0824\"", "\"id\": \"../etc\"", GS_EINVAL, "id: '../etc' is not" },
	{ "\"version\": 1", "\"version\": 2", GS_EINVAL, "version: 2 is not 1" },
	{ "\"type\": \"mrbm\"", "\"type\": \"ballistic\"", GS_EINVAL, "type: 'ballistic' is not one of" },
	{ "\"type\": \"mrbm\"", "\"type\": \"MRBM\"", GS_EINVAL, "type: 'MRBM' is not one of" },
	{ "Green Pine", "Green\\u0000Pine", GS_EINVAL, "\\u0000 is not allowed" },
	{ "Green Pine", "Green\\nPine", GS_EINVAL, "sensor.name: empty, or not one line" },
	{ "Green Pine", "Green\xff Pine", GS_EINVAL, "sensor.name: not UTF-8" },
	{ "Green Pine", "Green\xc0\xa0Pine", GS_EINVAL, "sensor.name: not UTF-8" },
	{ "Green Pine", "Green\\ud800Pine", GS_EINVAL, "a high surrogate without its low surrogate" },
	{ "Green Pine", "Green\\qPine", GS_EINVAL, "an unknown escape" },
	{ "\"impacts\": [", "\"impacts\": [,", GS_EINVAL, "impacts[0]: an object is expected" },
	{ "\"track\": [", "\"track\": {", GS_EINVAL, "track: an array is expected" },
	{ "  ]\n}\n", "  ]\n}\n{}", GS_EINVAL, "nothing may follow the warning" },
	{ "  ]\n}\n", "  ]\n", GS_EINVAL, "the text ends early" },
	{ "{\n  \"version\"", "\xef\xbb\xbf{\n  \"version\"", GS_EINVAL, "offset 0: a byte order mark" },
	{ "\"version\": 1,", "\"version\": 1,,", GS_EINVAL, "offset 17: a member name: a string is expected" },
};

static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1, k;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	k = (size_t)(at - text);
	memcpy(out, text, k);
	memcpy(out + k, to, strlen(to));
	memcpy(out + k + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	return out;
}

static void test_refusals(void **state)
{
	size_t len, i;
	char *ex = slurp("examples/warnings/kor-dprk-2023-12-18.json", &len);

	(void)state;
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *c = &refusals[i];
		struct gs_diag d = { { 0 } };
		char *bad = edit(ex, c->from, c->to);
		int ret = warning_json_parse(bad, strlen(bad), &w, &d);

		if (ret != c->err)
			fail_msg("case %zu (%s): returned %d (%s), wanted %d", i, c->to, ret, d.msg, c->err);
		if (!strstr(d.msg, c->msg))
			fail_msg("case %zu: '%s' has no '%s'", i, d.msg, c->msg);
		assert_null(strchr(d.msg, '\n'));
		/* nothing of a refused warning is kept */
		assert_int_equal(w.ntrack, 0);
		assert_string_equal(w.id, "");
		free(bad);
	}
	free(ex);
}

/* The caps: 256 track points are read, 257 are not; a text too large
 * for WARNING_MAX_JSON is refused before it is read. */
static void test_caps(void **state)
{
	static char big[WARNING_MAX_JSON + 64];
	struct gs_diag d = { { 0 } };
	size_t o = 0;
	int i, n;

	(void)state;
	for (n = 256; n <= 257; n++) {
		o = (size_t)snprintf(big, sizeof(big),
				     "{\"version\":1,\"id\":\"A\",\"originator\":\"KOR\",\"agreement\":\"TISA-2014\","
				     "\"topic\":\"t\",\"classification\":\"c\",\"sensor\":{\"party\":\"KOR\",\"name\":\"s\"},"
				     "\"detected\":\"2023-12-17T23:00:00Z\",\"type\":\"unknown\",\"confidence\":0,"
				     "\"launch\":{\"time\":\"2023-12-17T23:00:00Z\",\"lat\":0,\"lon\":0,\"alt\":0},\"track\":[");
		for (i = 0; i < n; i++)
			o += (size_t)snprintf(big + o, sizeof(big) - o,
					      "%s{\"time\":\"2023-12-17T23:%02d:%02d.%03dZ\",\"lat\":0,\"lon\":0,\"alt\":0,"
					      "\"speed\":0,\"course\":0}", i ? "," : "", i / 60, i % 60, 0);
		o += (size_t)snprintf(big + o, sizeof(big) - o, "],\"impacts\":[]}");
		if (n == 256) {
			size_t len;

			if (warning_json_parse(big, o, &w, &d))
				fail_msg("256 points: %s", d.msg);
			assert_int_equal(w.ntrack, 256);
			assert_int_equal(warning_json_write(&w, canon, sizeof(canon), &len), 0);
			assert_int_equal(warning_json_write(&w, canon, 100, &len), GS_ELIMIT);
		} else {
			assert_int_equal(warning_json_parse(big, o, &w, &d), GS_ELIMIT);
			assert_non_null(strstr(d.msg, "track: more than 256 elements"));
		}
	}
	memset(big, ' ', sizeof(big));
	assert_int_equal(warning_json_parse(big, WARNING_MAX_JSON + 1, &w, &d), GS_ELIMIT);
}

/* The largest warning the caps allow still fits WARNING_MAX_CANONICAL. */
static void test_canonical_bound(void **state)
{
	size_t len;
	int i;

	(void)state;
	memset(&w, 0, sizeof(w));
	memset(w.id, 'I', sizeof(w.id) - 1);
	memset(w.agreement, 'A', sizeof(w.agreement) - 1);
	memset(w.topic, 'T', sizeof(w.topic) - 1);
	memset(w.classification, '"', sizeof(w.classification) - 1);
	memset(w.sensor, '\\', sizeof(w.sensor) - 1);
	memcpy(w.originator, "KOR", 4);
	memcpy(w.sensor_party, "KOR", 4);
	w.type = WARNING_TYPE_SPACE_LAUNCH;
	w.ntrack = WARNING_MAX_TRACK;
	w.nimpacts = WARNING_MAX_IMPACTS;
	for (i = 0; i < WARNING_MAX_TRACK; i++) {
		struct warning_track_point *p = &w.track[i];

		p->time = -62135596800000LL + 1; /* 0001-01-01 */
		p->lat = -899999999, p->lon = -1799999999, p->alt = -119999, p->speed = 119999, p->course = 3599;
	}
	for (i = 0; i < WARNING_MAX_IMPACTS; i++) {
		struct warning_impact *p = &w.impacts[i];

		p->time = 253402300799999LL; /* 9999-12-31T23:59:59.999Z */
		p->lat = -899999999, p->lon = -1799999999, p->semi_major = 49999999, p->semi_minor = 49999999;
		p->orientation = 1799;
	}
	assert_int_equal(warning_json_write(&w, canon, sizeof(canon), &len), 0);
	assert_true(len < WARNING_MAX_CANONICAL);
}

static void test_check_time(void **state)
{
	struct gs_diag d = { { 0 } };
	size_t len;
	char *in = slurp("examples/warnings/kor-dprk-2023-12-18.json", &len);

	(void)state;
	assert_int_equal(warning_json_parse(in, len, &w, &d), 0);
	/* the last track point is at 23:32:40Z: at 23:32:35Z it is 5 s ahead */
	assert_int_equal(warning_check_time(&w, 1702856000000LL - 45000, 5000, &d), 0);
	assert_int_equal(warning_check_time(&w, 1702856000000LL - 45000, 4999, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "track[9].time: 2023-12-17T23:32:40.000Z is in the future"));
	/* a detection ahead of the clock */
	assert_int_equal(warning_check_time(&w, 1702855482500LL - 20000, 10000, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "detected: "));
	/* the predicted impact may be ahead */
	assert_int_equal(warning_check_time(&w, 1702855960000LL, 0, &d), 0);
	free(in);
}

static void test_types(void **state)
{
	enum warning_type t;
	int i;

	(void)state;
	for (i = 0; i < WARNING_TYPE_COUNT; i++) {
		assert_non_null(warning_type_name((enum warning_type)i));
		assert_int_equal(warning_type_parse(warning_type_name((enum warning_type)i), &t), 0);
		assert_int_equal(t, i);
	}
	assert_null(warning_type_name(WARNING_TYPE_COUNT));
	assert_int_equal(warning_type_parse("", &t), GS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_example_values),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_decimal_format),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_canonical_bound),
		cmocka_unit_test(test_check_time),
		cmocka_unit_test(test_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
