/* SPDX-License-Identifier: Apache-2.0 */
/* The diplomatic-note text format (docs/notes.md): round trips and every
 * error with its line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/lifecycle.h"
#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/banned.h"

static const char korea_2019[] =
	"gsomia-note/v1\n"
	"agreement KOR-JPN-2016\n"
	"kind termination-notice\n"
	"from KOR\n"
	"to JPN\n"
	"delivered 2019-08-23T15:00:00+09:00\n"
	"text Note verbale from the Ministry of Foreign Affairs of the Republic of Korea\n";

static const char withdrawal_2023[] =
	"gsomia-note/v1\n"
	"agreement KOR-JPN-2016\n"
	"kind withdrawal\n"
	"from KOR\n"
	"to JPN\n"
	"delivered 2023-03-21T10:00:00+09:00\n"
	"withdraws both\n"
	"text 대한민국 외교부는 2019년 8월 23일자 및 11월 22일자 통보를 철회한다\n";

static const char reactivation[] =
	"gsomia-note/v1\n"
	"agreement KOR-JPN-2016\n"
	"kind withdrawal\n"
	"from KOR\n"
	"delivered 2020-03-01T10:00:00+09:00\n"
	"withdraws suspension\n"
	"terminate-at 2020-04-01T00:00:00+09:00\n"
	"exercise yes\n";

static const char amendment[] =
	"gsomia-note/v1\n"
	"agreement KOR-JPN-2016\n"
	"kind amendment-consent\n"
	"from JPN\n"
	"to KOR\n"
	"delivered 2023-11-01T01:00:00Z\n"
	"version 2\n"
	"effective 2024-01-01\n";

/* Sweden accedes to a framework agreement; the depositary accepts. */
static const char accession[] =
	"gsomia-note/v1\n"
	"agreement EU-FA-2020\n"
	"kind accession\n"
	"from SWE\n"
	"to DEU\n"
	"delivered 2023-02-01T10:00:00+01:00\n"
	"text Instrument of accession of the Kingdom of Sweden\n";

static const char acceptance[] =
	"gsomia-note/v1\n"
	"agreement EU-FA-2020\n"
	"kind accession-acceptance\n"
	"from DEU\n"
	"delivered 2023-02-20T10:00:00+01:00\n"
	"acceding SWE\n";

static void roundtrip(const char *text, const char *canonical)
{
	struct dipnote n, m;
	struct gs_diag d = { "" };
	char buf[4096];
	int len;

	if (dipnote_parse(text, strlen(text), &n, &d) != 0)
		fail_msg("%s", d.msg);
	len = dipnote_format(&n, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(buf));
	assert_string_equal(buf, canonical ? canonical : text);
	assert_int_equal(dipnote_parse(buf, (size_t)len, &m, &d), 0);
	assert_true(dipnote_equal(&n, &m));
	/* Too small a buffer, by one byte. */
	assert_int_equal(dipnote_format(&n, buf, (size_t)len), GS_ELIMIT);
	assert_true(dipnote_format(&n, buf, (size_t)len + 1) == len);
}

static void test_roundtrip(void **state)
{
	(void)state;
	roundtrip(korea_2019, NULL);
	roundtrip(withdrawal_2023, NULL);
	roundtrip(reactivation, NULL);
	roundtrip(accession, NULL);
	roundtrip(acceptance, NULL);
	roundtrip(amendment,
		  "gsomia-note/v1\n"
		  "agreement KOR-JPN-2016\n"
		  "kind amendment-consent\n"
		  "from JPN\n"
		  "to KOR\n"
		  "delivered 2023-11-01T01:00:00+00:00\n"
		  "version 2\n"
		  "effective 2024-01-01\n");
}

static void test_fields(void **state)
{
	struct dipnote n;
	struct gs_diag d;
	gs_instant t;

	(void)state;
	assert_int_equal(dipnote_parse(korea_2019, strlen(korea_2019), &n, &d), 0);
	assert_string_equal(n.agreement, "KOR-JPN-2016");
	assert_int_equal(n.kind, DIPNOTE_TERMINATION);
	assert_string_equal(n.from, "KOR");
	assert_string_equal(n.to, "JPN");
	assert_int_equal(instant_parse("2019-08-23T06:00:00Z", 0, &t), 0);
	assert_int_equal(n.delivered, t);
	assert_int_equal(n.zone, 9 * 3600);
	assert_int_equal(n.terminate_at, GS_INSTANT_NONE);
	assert_false(n.exercise);
	assert_string_equal(n.id, "");

	assert_int_equal(dipnote_parse(reactivation, strlen(reactivation), &n, &d), 0);
	assert_int_equal(n.kind, DIPNOTE_WITHDRAWAL);
	assert_int_equal(n.withdraws, WITHDRAW_SUSPENSION);
	assert_string_equal(n.to, "");
	assert_int_equal(instant_parse("2020-03-31T15:00:00Z", 0, &t), 0);
	assert_int_equal(n.terminate_at, t);
	assert_true(n.exercise);

	assert_int_equal(dipnote_parse(amendment, strlen(amendment), &n, &d), 0);
	assert_int_equal(n.version, 2);
	assert_int_equal(date_cmp(n.effective, (struct gs_date){ 2024, 1, 1 }), 0);
	assert_int_equal(n.zone, 0);

	assert_int_equal(dipnote_parse(accession, strlen(accession), &n, &d), 0);
	assert_int_equal(n.kind, DIPNOTE_ACCESSION);
	assert_string_equal(dipnote_kind_name(n.kind), "accession");
	assert_string_equal(n.from, "SWE");
	assert_string_equal(n.to, "DEU");
	assert_string_equal(n.acceding, "");
	assert_int_equal(dipnote_parse(acceptance, strlen(acceptance), &n, &d), 0);
	assert_int_equal(n.kind, DIPNOTE_ACCESSION_ACCEPTANCE);
	assert_string_equal(dipnote_kind_name(n.kind), "accession-acceptance");
	assert_string_equal(n.acceding, "SWE");
	assert_int_equal(n.zone, 3600);
}

#define HEAD "gsomia-note/v1\nagreement KOR-JPN-2016\n"
#define TERM HEAD "kind termination-notice\nfrom KOR\n"

static void error_is(const char *text, size_t len, int err, const char *msg)
{
	struct dipnote n;
	struct gs_diag d = { "" };

	int got = dipnote_parse(text, len, &n, &d);

	if (got != err)
		fail_msg("got %d: %s", got, d.msg);
	assert_string_equal(d.msg, msg);
}

static void bad(const char *text, const char *msg)
{
	error_is(text, strlen(text), GS_EINVAL, msg);
}

static void test_errors(void **state)
{
	static char big[GS_MAX_NOTE_BYTES + 2];
	char line[GS_MAX_LINE + 64];

	(void)state;
	/* Bytes. */
	bad("", "1:1: empty note");
	bad("gsomia-note/v1", "1:15: missing newline at end of note");
	bad("gsomia-note/v1\r\n", "1:15: carriage return (lines end with LF only)");
	bad(HEAD "\n", "3:1: empty line");
	bad(HEAD "kind\ttermination-notice\n", "3:5: control character 0x09");
	bad(HEAD "kind \x7f\n", "3:6: control character 0x7f");
	bad(HEAD "text caf\xc3\n", "3:9: invalid UTF-8");
	bad(HEAD "text \xc0\xaf\n", "3:6: invalid UTF-8");        /* overlong */
	bad(HEAD "text \xed\xa0\x80\n", "3:6: invalid UTF-8");    /* surrogate */
	bad(HEAD "text \xc2\x85\n", "3:6: invalid UTF-8");        /* C1 control */
	error_is("gsomia-note/v1\n\0x\n", 18, GS_EINVAL, "2:1: control character 0x00");
	memset(big, 'a', sizeof(big) - 1);
	error_is(big, sizeof(big) - 1, GS_ELIMIT, "1:1: note longer than 65536 bytes");
	memset(line, 'x', sizeof(line));
	memcpy(line, "gsomia-note/v1\ntext ", 20);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	error_is(line, strlen(line), GS_ELIMIT, "2:2048: line longer than 2047 bytes");
	/* A multi-byte character across the limit (line 2 starts at byte 15). */
	memcpy(line + 15 + 2046, "\xe2\x80\x94\n", 4);
	error_is(line, 15 + 2046 + 4, GS_ELIMIT, "2:2047: line longer than 2047 bytes");
	/* Exactly 2047 bytes passes the byte checks (and fails later). */
	memcpy(line + 15 + 2044, "\xe2\x80\x94\n", 4);
	error_is(line, 15 + 2044 + 4, GS_EINVAL, "2:1: expected 'agreement', found 'text'");

	/* Structure. */
	bad("gsomia-note/v2\n", "1:1: not a diplomatic note (expected 'gsomia-note/v1')");
	bad("gsomia-note/v1\n", "2:1: missing 'agreement'");
	bad(HEAD, "3:1: missing 'kind'");
	bad(HEAD "kind terminate\n", "3:6: unknown note kind 'terminate'");
	bad(HEAD "from KOR\n", "3:1: expected 'kind', found 'from'");
	bad(TERM "date 2019-08-23\n", "5:1: unknown key 'date'");
	bad(TERM "kind suspension\n", "5:1: 'kind' repeated or out of order");
	bad(TERM "to JPN\nfrom KOR\n", "6:1: 'from' repeated or out of order");
	bad(TERM "to JPN\n", "6:1: missing 'delivered'");
	bad(TERM "to JPN\ntext x\n", "6:1: expected 'delivered', found 'text'");
	bad(TERM "delivered 2019-08-23T15:00:00+09:00\nwithdraws both\n",
	    "6:1: 'withdraws' is not allowed in a termination-notice note");
	bad(TERM "delivered 2019-08-23T15:00:00+09:00\nversion 2\n",
	    "6:1: 'version' is not allowed in a termination-notice note");
	bad(HEAD "kind withdrawal\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\n",
	    "6:1: missing 'withdraws'");
	bad(HEAD "kind withdrawal\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\nexercise yes\n",
	    "6:1: expected 'withdraws', found 'exercise'");
	bad(HEAD "kind withdrawal\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\n"
		 "withdraws both\nterminate-at 2020-01-01T00:00:00+09:00\n",
	    "7:1: 'terminate-at' is only for the withdrawal of a suspension");
	bad(HEAD "kind amendment-consent\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\n"
		 "version 2\n",
	    "7:1: missing 'effective'");

	/* Values. */
	bad(HEAD "kind\n", "3:5: missing value for 'kind'");
	bad(HEAD "kind \n", "3:6: missing value for 'kind'");
	bad(HEAD "kind  suspension\n", "3:6: extra space around the value of 'kind'");
	bad(HEAD "kind suspension \n", "3:16: extra space around the value of 'kind'");
	bad("gsomia-note/v1\nagreement KOR/JPN\n",
	    "2:14: invalid character in agreement id 'KOR/JPN'");
	bad(HEAD "kind suspension\nfrom kor\n", "4:6: invalid party code 'kor' (A-Z, 0-9)");
	error_is(HEAD "kind suspension\nfrom KOREAREP\n", strlen(HEAD) + 30, GS_ELIMIT,
		 "4:6: party code 'KOREAREP' longer than 7 bytes");
	bad(TERM "to KOR\n", "5:4: note from 'KOR' to itself");
	bad(TERM "delivered 2019-08-23\n",
	    "5:11: invalid instant '2019-08-23' (expected like 2019-08-23T15:00:00+09:00, "
	    "years 1900-8999)");
	bad(TERM "delivered 2019-08-23T15:00+09:00\n",
	    "5:11: invalid instant '2019-08-23T15:00+09:00' (expected like "
	    "2019-08-23T15:00:00+09:00, years 1900-8999)");
	bad(TERM "delivered 2019-02-29T15:00:00+09:00\n",
	    "5:11: invalid instant '2019-02-29T15:00:00+09:00' (expected like "
	    "2019-08-23T15:00:00+09:00, years 1900-8999)");
	bad(TERM "delivered 1899-12-31T23:00:00Z\n",
	    "5:11: invalid instant '1899-12-31T23:00:00Z' (expected like "
	    "2019-08-23T15:00:00+09:00, years 1900-8999)");
	bad(HEAD "kind withdrawal\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\nwithdraws all\n",
	    "6:11: unknown withdrawal 'all' (notice, suspension or both)");
	bad(HEAD "kind amendment-consent\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\n"
		 "version 02\n",
	    "6:9: invalid version '02' (a number from 1 to 1000000)");
	bad(HEAD "kind amendment-consent\nfrom KOR\ndelivered 2019-08-23T15:00:00+09:00\n"
		 "version 2\neffective 2024-1-1\n",
	    "7:11: invalid date '2024-1-1' (expected like 2024-01-01)");
	bad(TERM "delivered 2019-08-23T15:00:00+09:00\nexercise no\n",
	    "6:10: invalid exercise 'no' (only 'yes'; omit the line otherwise)");
	bad(TERM "delivered 2019-08-23T15:00:00+09:00\ntextual x\n", "6:1: unknown key 'textual'");

	/* Accession. */
	bad(HEAD "kind accession-acceptance\nfrom DEU\ndelivered 2023-02-20T10:00:00+01:00\n",
	    "6:1: missing 'acceding'");
	bad(HEAD "kind accession-acceptance\nfrom DEU\ndelivered 2023-02-20T10:00:00+01:00\n"
		 "text x\n",
	    "6:1: expected 'acceding', found 'text'");
	bad(HEAD "kind accession\nfrom SWE\ndelivered 2023-02-01T10:00:00+01:00\nacceding SWE\n",
	    "6:1: 'acceding' is not allowed in an accession note");
	bad(HEAD "kind accession-acceptance\nfrom DEU\ndelivered 2023-02-20T10:00:00+01:00\n"
		 "acceding swe\n",
	    "6:10: invalid party code 'swe' (A-Z, 0-9)");
	bad(HEAD "kind accession-acceptance\nfrom DEU\ndelivered 2023-02-20T10:00:00+01:00\n"
		 "acceding DEU\n",
	    "6:10: 'DEU' cannot accept its own accession");
}

static void test_long_values(void **state)
{
	char text[2048], val[600];

	(void)state;
	memset(val, 'A', 64);
	val[64] = '\0';
	snprintf(text, sizeof(text), "gsomia-note/v1\nagreement %s\n", val);
	error_is(text, strlen(text), GS_ELIMIT,
		 "2:11: agreement id 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...' longer than 63 bytes");
	memset(val, 'a', 512);
	val[512] = '\0';
	snprintf(text, sizeof(text), TERM "delivered 2019-08-23T15:00:00+09:00\ntext %s\n", val);
	error_is(text, strlen(text), GS_ELIMIT, "6:6: text longer than 511 bytes");
	val[511] = '\0';
	snprintf(text, sizeof(text), TERM "delivered 2019-08-23T15:00:00+09:00\ntext %s\n", val);
	roundtrip(text, NULL);
}

static void test_format_rejects(void **state)
{
	struct dipnote n;
	char buf[1024];

	(void)state;
	memset(&n, 0, sizeof(n));
	assert_int_equal(dipnote_format(&n, buf, sizeof(buf)), GS_EINVAL);
	snprintf(n.agreement, sizeof(n.agreement), "X");
	snprintf(n.from, sizeof(n.from), "KOR");
	n.delivered = GS_INSTANT_NONE;
	assert_int_equal(dipnote_format(&n, buf, sizeof(buf)), GS_EINVAL);
	n.delivered = 0;
	n.kind = (enum dipnote_kind)9;
	assert_int_equal(dipnote_format(&n, buf, sizeof(buf)), GS_EINVAL);
	n.kind = DIPNOTE_SUSPENSION;
	assert_true(dipnote_format(&n, buf, sizeof(buf)) > 0);
	snprintf(n.text, sizeof(n.text), "two\nlines");
	assert_int_equal(dipnote_format(&n, buf, sizeof(buf)), GS_EINVAL);
	assert_string_equal(buf, "");
	n.text[0] = '\0';
	n.kind = DIPNOTE_WITHDRAWAL;
	n.withdraws = WITHDRAW_BOTH;
	n.terminate_at = 3600;
	assert_int_equal(dipnote_format(&n, buf, sizeof(buf)), GS_EINVAL);
	n.withdraws = WITHDRAW_SUSPENSION;
	assert_true(dipnote_format(&n, buf, sizeof(buf)) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_format_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
