/* SPDX-License-Identifier: Apache-2.0 */
/* xml/cot: missile warnings as Cursor on Target events, with the
 * known-answer file examples/warnings/cot/ (docs/warnings.md "CoT
 * mapping"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/warning.h"
#include "xml/cot.h"

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
static char out[COT_MAX_OUT];

static void load_example(void)
{
	struct gs_diag d = { { 0 } };
	size_t len;
	char *in = slurp("examples/warnings/kor-dprk-2023-12-18.json", &len);

	assert_int_equal(warning_json_parse(in, len, &w, &d), 0);
	free(in);
}

/* The example warning gives the committed events, byte for byte, and
 * they read back to the same warning. */
static void test_vector(void **state)
{
	struct gs_diag d = { { 0 } };
	size_t len, wantlen;
	char *want = slurp("examples/warnings/cot/kor-dprk-2023-12-18.cot", &wantlen);

	(void)state;
	load_example();
	assert_int_equal(cot_write(&w, out, sizeof(out), &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, len);
	if (cot_read(want, wantlen, NULL, &w2, &d))
		fail_msg("%s", d.msg);
	assert_memory_equal(&w, &w2, sizeof(w));
	/* the mapping's fixed points */
	assert_non_null(strstr(want, "uid=\"KOR-20231218-0824\" type=\"a-h-A-W-M\" time=\"2023-12-17T23:24:42.500Z\" "
				     "start=\"2023-12-17T23:24:10.000Z\" stale=\"2023-12-17T23:38:30.000Z\""));
	assert_non_null(strstr(want, "<track course=\"86.5\" speed=\"3444\"/>"));
	assert_non_null(strstr(want, "uid=\"KOR-20231218-0824.impact.1\" type=\"u-d-c-e\""));
	assert_non_null(strstr(want, "<ellipse major=\"18000\" minor=\"6000\" angle=\"87.2\"/>"));
	assert_int_equal(cot_write(&w, out, 200, &len), GS_ELIMIT);
	free(want);
}

static const char plain_event[] =
	"<event version=\"2.0\" uid=\"RADAR-7-T0042\" type=\"a-h-A-W-M-S-S\" how=\"m-r\" access=\"Unrestricted\""
	" time=\"2023-12-17T23:24:42.5Z\" start=\"2023-12-17T23:24:10Z\" stale=\"2023-12-17T23:34:10Z\">\n"
	"  <point lat=\"39.039612345\" lon=\"+125.76119999\" hae=\"9999999.0\" ce=\"250.04\" le=\"9999999\"/>\n"
	"  <detail><contact callsign=\"T0042\"/><__group name=\"Red\" role=\"Team Member\"/><remarks>boost</remarks>"
	"<track course=\"80\" speed=\"1341\"/></detail>\n"
	"</event>\n";

/* A sensor's own event, with no <__gsomia_warning>: the rest comes from
 * the base the caller gives; long decimals are rounded; other tools'
 * detail elements are passed over. */
static void test_plain_event(void **state)
{
	struct gs_diag d = { { 0 } };

	(void)state;
	assert_int_equal(cot_read(plain_event, strlen(plain_event), NULL, &w2, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "event 1: 1: the event has no <__gsomia_warning>"));
	load_example();
	if (cot_read(plain_event, strlen(plain_event), &w, &w2, &d))
		fail_msg("%s", d.msg);
	assert_string_equal(w2.id, "RADAR-7-T0042");
	assert_string_equal(w2.classification, w.classification);
	assert_int_equal(w2.launch.lat, 390396123);
	assert_int_equal(w2.launch.lon, 1257612000);
	assert_int_equal(w2.launch.alt, 0);
	assert_int_equal(w2.detected, 1702855482500LL);
	assert_int_equal(w2.ntrack, 0);
	assert_int_equal(w2.nimpacts, 0);
}

struct refusal {
	const char *from, *to;
	const char *msg;
};

static const struct refusal refusals[] = {
	{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<event",
	  "<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY x \"y\">]>\n<event", "event 1: 2:13: a DOCTYPE is not allowed" },
	{ "<event version=\"2.0\"", "<event version=\"1.0\"", "event 1: 2: <event version> is not 2.0" },
	{ "<event version=\"2.0\"", "<event xmlns=\"urn:x\" version=\"2.0\"", "is not a CoT <event>" },
	{ " how=\"m-f\"", " how=\"m-f\" colour=\"red\"", "attribute 'colour' is not allowed on <event>" },
	{ "lat=\"39.0396\"", "lat=\"90.1\"", "event 1: 3: <point lat>: 90.1 is out of range [-90, 90]" },
	{ "lat=\"39.0396\"", "lat=\"NaN\"", "<point lat>: 'NaN' is not a decimal number" },
	{ " ce=\"9999999.0\" le=\"9999999.0\"/>\n  <detail>\n    <track",
	  "/>\n  <detail>\n    <track", "<point> has no ce" },
	{ "stale=\"2023-12-17T23:38:30.000Z\"", "stale=\"2023-12-17T23:20:00.000Z\"", "<event stale> is not after" },
	{ "time=\"2023-12-17T23:24:42.500Z\" start", "time=\"2023-12-17T23:24:42.5001Z\" start",
	  "<event time>: '2023-12-17T23:24:42.5001Z' is more precise than a millisecond" },
	{ "type=\"a-h-A-W-M\"", "type=\"a-h-G-U-C\"", "is not an air track" },
	{ "confidence=\"90\"", "confidence=\"90\" colour=\"red\"", "attribute 'colour' is not allowed on <__gsomia_warning>" },
	{ "confidence=\"90\"", "confidence=\"90.5\"", "<__gsomia_warning confidence> '90.5' is not 0 to 100" },
	{ "type=\"mrbm\"", "type=\"MRBM\"", "<__gsomia_warning type> 'MRBM'" },
	{ "version=\"1\" originator", "version=\"2\" originator", "<__gsomia_warning version> is not 1" },
	{ "originator=\"KOR\"", "originator=\"Korea\"", "originator: 'Korea' is not a party code" },
	{ "<trackpoint time=\"2023-12-17T23:25:10.000Z\"", "<trackpoint time=\"2023-12-17T23:24:30.000Z\"",
	  "track[1].time: not after track[0].time" },
	{ "hae=\"18400\"", "hae=\"18400\" extra=\"1\"", "attribute 'extra' is not allowed on <trackpoint>" },
	/* a launch point's height is at most 100 km: CoT's "unknown" 9999999 is never one */
	{ "hae=\"38\"", "hae=\"100000.1\"", "launch.alt: out of range [-12000, 100000] metres" },
	{ "speed=\"1341\" course", "speed=\"12000.1\" course", "<trackpoint speed>: 12000.1 is out of range" },
	{ "<trackpoint", "<point/><trackpoint", "<point> is not allowed in <__gsomia_warning>" },
	{ "relation=\"p-p\"", "relation=\"p-c\"", "event 2: 5: <link> does not name the launch event" },
	{ "<link uid=\"KOR-20231218-0824\"", "<link uid=\"OTHER\"", "<link> does not name the launch event" },
	{ "minor=\"6000\"", "minor=\"19000\"", "impacts[0].ellipse.semi_minor: larger than semi_major" },
	{ "<__gsomia_impact time=\"2023-12-17T23:33:30.000Z\"/>", "",
	  "event 2: 2: an impact event needs <link>, <shape> and <__gsomia_impact>" },
	{ "</detail>\n</event>\n<?xml", "</detail>\n</event>\n<junk/>\n<?xml", "event 2: 3:1: not well-formed XML" },
	{ "  </detail>\n</event>\n<?xml", "  </detail>\n  <detail/>\n</event>\n<?xml",
	  "an <event> holds <point> and then <detail>, nothing else" },
};

static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1, k;
	char *o = malloc(n);

	if (!at)
		fail_msg("'%s' is not in the vector", from);
	assert_non_null(o);
	k = (size_t)(at - text);
	memcpy(o, text, k);
	memcpy(o + k, to, strlen(to));
	memcpy(o + k + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	return o;
}

static void test_refusals(void **state)
{
	size_t len, i;
	char *vec = slurp("examples/warnings/cot/kor-dprk-2023-12-18.cot", &len);

	(void)state;
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct gs_diag d = { { 0 } };
		char *bad = edit(vec, refusals[i].from, refusals[i].to);
		int ret = cot_read(bad, strlen(bad), NULL, &w2, &d);

		if (!ret)
			fail_msg("case %zu accepted", i);
		if (!strstr(d.msg, refusals[i].msg))
			fail_msg("case %zu: '%s' has no '%s'", i, d.msg, refusals[i].msg);
		assert_null(strchr(d.msg, '\n'));
		assert_string_equal(w2.id, "");
		free(bad);
	}
	free(vec);
}

/* What CoT rounds: an ellipse's angle is folded into [0, 180), a course
 * of 359.96 is north. */
static void test_angles(void **state)
{
	struct gs_diag d = { { 0 } };
	size_t len;
	char *vec = slurp("examples/warnings/cot/kor-dprk-2023-12-18.cot", &len);
	char *a = edit(vec, "angle=\"87.2\"", "angle=\"267.2\"");
	char *b = edit(vec, "course=\"79.3\"", "course=\"359.96\"");

	(void)state;
	if (cot_read(a, strlen(a), NULL, &w2, &d))
		fail_msg("%s", d.msg);
	assert_int_equal(w2.impacts[0].orientation, 872);
	if (cot_read(b, strlen(b), NULL, &w2, &d))
		fail_msg("%s", d.msg);
	assert_int_equal(w2.track[0].course, 0);
	free(a);
	free(b);
	free(vec);
}

/* A warning without track or impacts is one event, with no <track>. */
static void test_first_report(void **state)
{
	struct gs_diag d = { { 0 } };
	size_t len;

	(void)state;
	load_example();
	w.ntrack = 0;
	w.nimpacts = 0;
	memset(w.track, 0, sizeof(w.track));
	memset(w.impacts, 0, sizeof(w.impacts));
	assert_int_equal(cot_write(&w, out, sizeof(out), &len), 0);
	assert_null(strstr(out, "<track"));
	assert_null(strstr(out, ".impact."));
	assert_non_null(strstr(out, "confidence=\"90\"/>"));
	if (cot_read(out, len, NULL, &w2, &d))
		fail_msg("%s", d.msg);
	assert_memory_equal(&w, &w2, sizeof(w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_plain_event),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_angles),
		cmocka_unit_test(test_first_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
