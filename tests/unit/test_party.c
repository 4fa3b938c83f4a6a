/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/party.h"
#include "util/err.h"

#define KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" /* bytes 0..31 */
#define KEY_B "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=" /* bytes 32..63 */
#define PIN "sha256//q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="

#define KOR_HEAD                    \
	"gsomia-party/v1\n"         \
	"code: KOR\n"               \
	"name: Republic of Korea\n" \
	"zone: +09:00\n"            \
	"exercise: no\n"            \
	"sign-key: " KEY_A "\n"     \
	"box-key: " KEY_B "\n"

/* The canonical text, exactly as party_format writes it. */
static const char kor_canonical[] =
	KOR_HEAD
	"endpoint: https://127.0.0.1:8443\n"
	"tls-pin: " PIN "\n"
	"level: 군사I급비밀 | GUNSA I-KUP BIMIL | military secret grade I\n"
	"level: 군사II급비밀 | GUNSA II-KUP BIMIL | military secret grade II\n"
	"level: 군사III급비밀 | GUNSA III-KUP BIMIL | military secret grade III\n";

static char *read_file(const char *rel, size_t *len)
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

static void test_parse_kor(void **state)
{
	struct party p, q;
	struct gs_diag d = { { 0 } };
	char out[4096];
	int n, i;

	(void)state;
	assert_int_equal(party_parse(kor_canonical, strlen(kor_canonical), &p, &d), 0);
	assert_string_equal(p.code, "KOR");
	assert_string_equal(p.name, "Republic of Korea");
	assert_int_equal(p.zone, 9 * 3600);
	assert_false(p.exercise);
	for (i = 0; i < 32; i++) {
		assert_int_equal(p.sign_pk[i], i);
		assert_int_equal(p.box_pk[i], 32 + i);
	}
	assert_string_equal(p.endpoint, "https://127.0.0.1:8443");
	assert_string_equal(p.tls_pin, PIN);
	assert_int_equal(p.scheme.nlevels, 3);
	assert_string_equal(p.scheme.levels[1].label, "군사II급비밀");
	assert_string_equal(p.scheme.levels[1].roman, "GUNSA II-KUP BIMIL");
	assert_string_equal(p.scheme.levels[1].gloss, "military secret grade II");
	assert_int_equal(scheme_find(&p.scheme, "군사I급비밀"), 0);
	assert_int_equal(scheme_find(&p.scheme, "군사III급비밀"), 2);
	assert_int_equal(scheme_find(&p.scheme, "秘"), -1);
	assert_int_equal(scheme_rank(&p.scheme, "군사I급비밀"), 3);
	assert_int_equal(scheme_rank(&p.scheme, "군사III급비밀"), 1);
	assert_int_equal(scheme_rank(&p.scheme, "nothing"), 0);

	n = party_format(&p, out, sizeof(out));
	assert_int_equal(n, (int)strlen(kor_canonical));
	assert_string_equal(out, kor_canonical);
	assert_int_equal(party_parse(out, (size_t)n, &q, &d), 0);
	assert_memory_equal(&p, &q, sizeof(p));

	/* too small a buffer */
	assert_int_equal(party_format(&p, out, 40), GS_ELIMIT);
	assert_string_equal(out, "");
	assert_int_equal(party_format(&p, out, (size_t)n), GS_ELIMIT);
	assert_int_equal(party_format(&p, out, (size_t)n + 1), n);
}

/* Comments, any key order and optional fields; format gives canonical. */
static void test_lenient_input_canonical_output(void **state)
{
	static const char text[] =
		"gsomia-party/v1\n"
		"# the United States\n"
		"code: USA\n"
		"level: TOP SECRET\n"
		"name: United States of America   # trailing comment\n"
		"box-key: " KEY_B "\n"
		"\n"
		"sign-key: " KEY_A "\n"
		"exercise: yes\n"
		"zone: Z\n"
		"level: SECRET |  | secret\n"
		"level: CONFIDENTIAL | CONFIDENTIAL\n";
	static const char want[] =
		"gsomia-party/v1\n"
		"code: USA\n"
		"name: United States of America\n"
		"zone: +00:00\n"
		"exercise: yes\n"
		"sign-key: " KEY_A "\n"
		"box-key: " KEY_B "\n"
		"level: TOP SECRET\n"
		"level: SECRET |  | secret\n"
		"level: CONFIDENTIAL | CONFIDENTIAL\n";
	struct party p, q;
	struct gs_diag d = { { 0 } };
	char out[2048];
	int n;

	(void)state;
	assert_int_equal(party_parse(text, sizeof(text) - 1, &p, &d), 0);
	assert_true(p.exercise);
	assert_int_equal(p.zone, 0);
	assert_string_equal(p.endpoint, "");
	assert_string_equal(p.scheme.levels[0].roman, "");
	assert_string_equal(p.scheme.levels[1].roman, "");
	assert_string_equal(p.scheme.levels[1].gloss, "secret");
	assert_string_equal(p.scheme.levels[2].roman, "CONFIDENTIAL");
	n = party_format(&p, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, want);
	assert_int_equal(party_parse(out, (size_t)n, &q, &d), 0);
	assert_memory_equal(&p, &q, sizeof(p));
}

/* The example national schemes, with a header, parse. */
static void test_example_levels(void **state)
{
	static const char *const files[] = { "examples/parties/KOR.levels",
					     "examples/parties/JPN.levels",
					     "examples/parties/USA.levels" };
	static const char *const tops[] = { "군사I급비밀", "機密", "TOP SECRET" };
	static const int counts[] = { 3, 4, 3 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char text[8192];
		struct party p;
		struct gs_diag d = { { 0 } };
		size_t len;
		char *levels = read_file(files[i], &len);
		int n = snprintf(text, sizeof(text), "%s%s", KOR_HEAD, levels);

		assert_int_equal(party_parse(text, (size_t)n, &p, &d), 0);
		assert_int_equal(p.scheme.nlevels, counts[i]);
		assert_string_equal(p.scheme.levels[0].label, tops[i]);
		free(levels);
	}
}

struct bad {
	const char *text;
	int err;
	const char *msg;
};

static const struct bad bad_cases[] = {
	{ "gsomia-party/v2\n", GS_EINVAL, "1:1: expected 'gsomia-party/v1' on the first line" },
	{ KOR_HEAD, GS_EINVAL, "8:1: missing key 'level' (at least one)" },
	{ "gsomia-party/v1\ncode: KOR\nlevel: A\n", GS_EINVAL, "4:1: missing key 'name'" },
	{ KOR_HEAD "colour: red\nlevel: A\n", GS_EINVAL, "8:1: unknown key 'colour'" },
	{ KOR_HEAD "code: JPN\nlevel: A\n", GS_EINVAL, "8:1: duplicate key 'code' (first on line 2)" },
	{ "gsomia-party/v1\ncode: Kor\n", GS_EINVAL,
	  "2:7: invalid party code 'Kor' (three letters A-Z)" },
	{ "gsomia-party/v1\ncode: KORE\n", GS_EINVAL,
	  "2:7: invalid party code 'KORE' (three letters A-Z)" },
	{ "gsomia-party/v1\nzone: +9\n", GS_EINVAL, "2:7: invalid zone '+9'" },
	{ "gsomia-party/v1\nexercise: true\n", GS_EINVAL,
	  "2:11: exercise is 'yes' or 'no', not 'true'" },
	{ "gsomia-party/v1\nsign-key: AAEC\n", GS_EINVAL,
	  "2:11: sign-key is not the base64 of a 32-byte key: 'AAEC'" },
	{ "gsomia-party/v1\nbox-key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n", GS_EINVAL,
	  "2:10: box-key is not the base64 of a 32-byte key: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9='" },
	{ "gsomia-party/v1\nendpoint: http://x\n", GS_EINVAL,
	  "2:11: endpoint must be https://host[:port]: 'http://x'" },
	{ "gsomia-party/v1\ntls-pin: sha1//AAAA\n", GS_EINVAL,
	  "2:10: tls-pin must be sha256//<base64 of 32 bytes>: 'sha1//AAAA'" },
	{ KOR_HEAD "level: A\nlevel: A | a\n", GS_EINVAL, "9:8: duplicate level 'A'" },
	{ KOR_HEAD "level:  | a\n", GS_EINVAL, "8:9: empty level label" },
	{ KOR_HEAD "level: A | b | c | d\n", GS_EINVAL,
	  "8:18: a level has at most 3 fields (label | romanisation | gloss)" },
	{ KOR_HEAD "level: A, B\n", GS_EINVAL, "8:8: ',' not allowed in a level: 'A, B'" },
	{ KOR_HEAD "level: A |#b\n", GS_EINVAL,
	  "8:11: a level field cannot begin with '#' (after a space it starts a comment)" },
	{ KOR_HEAD "level: A\r\n", GS_EINVAL, "8:9: carriage return (lines end with LF only)" },
	{ "gsomia-party/v1\npolicy: 2.25.1\n", GS_EINVAL,
	  "2:9: policy must be urn:oid:<dotted object identifier>: '2.25.1'" },
	{ "gsomia-party/v1\npolicy: urn:oid:2.025\n", GS_EINVAL,
	  "2:9: policy must be urn:oid:<dotted object identifier>: 'urn:oid:2.025'" },
	{ "gsomia-party/v1\npolicy: urn:oid:3.1\n", GS_EINVAL,
	  "2:9: policy must be urn:oid:<dotted object identifier>: 'urn:oid:3.1'" },
	{ "gsomia-party/v1\npolicy: urn:oid:2\n", GS_EINVAL,
	  "2:9: policy must be urn:oid:<dotted object identifier>: 'urn:oid:2'" },
	{ "gsomia-party/v1\npolicy: urn:oid:2.25. | X\n", GS_EINVAL,
	  "2:9: policy must be urn:oid:<dotted object identifier>: 'urn:oid:2.25.'" },
	{ "gsomia-party/v1\npolicy: urn:oid:2.25.7 |\n", GS_EINVAL,
	  "2:25: invalid policy name '' (1-79 bytes, no ',' or '|')" },
	{ "gsomia-party/v1\npolicy: urn:oid:2.25.7 | A | B\n", GS_EINVAL,
	  "2:26: invalid policy name 'A | B' (1-79 bytes, no ',' or '|')" },
	{ "gsomia-party/v1\nlabel-key: " KEY_A "\n", GS_EINVAL,
	  "2:12: label-key is not the base64 of a P-256 public key (DER SubjectPublicKeyInfo): '" KEY_A "'" },
	/* an Ed25519 SubjectPublicKeyInfo is not a P-256 one */
	{ "gsomia-party/v1\nlabel-key: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n", GS_EINVAL,
	  "2:12: label-key is not the base64 of a P-256 public key (DER SubjectPublicKeyInfo): 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE='" },
};

/* The label key of the test vectors (docs/labels.md): derived from the
 * Ed25519 seed 40 41 ... 5f. */
#define LABEL_KEY "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtGdHgbLyKpYUGGg2nC3/Zn1+Ca2sNiJcBp5vMZah+xo6Ef5iiYEzB8fwWEFJK4iYH6vHW8dPMW1MYaD1f7G+Yw=="

static void test_policy_and_label_key(void **state)
{
	static const char text[] = KOR_HEAD
		"policy: urn:oid:2.25.67063040280692152367391139728737801794 | KOR-MIL\n"
		"label-key: " LABEL_KEY "\n"
		"level: 군사II급비밀\n";
	static const char no_name[] = KOR_HEAD "policy: urn:oid:1.3.26.1.3.1\nlevel: A\n";
	struct party p;
	struct gs_diag d = { { 0 } };
	char out[4096];
	int n;

	(void)state;
	assert_int_equal(party_parse(text, strlen(text), &p, &d), 0);
	assert_string_equal(p.policy, "urn:oid:2.25.67063040280692152367391139728737801794");
	assert_string_equal(p.policy_name, "KOR-MIL");
	assert_true(p.has_label_key);
	assert_int_equal(p.label_pk[0], 0x04);
	assert_int_equal(p.label_pk[1], 0xb4);
	assert_int_equal(p.label_pk[64], 0x63);
	n = party_format(&p, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, text);
	assert_int_equal(party_parse(no_name, strlen(no_name), &p, &d), 0);
	assert_string_equal(p.policy, "urn:oid:1.3.26.1.3.1");
	assert_string_equal(p.policy_name, "");
	assert_false(p.has_label_key);
	n = party_format(&p, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, no_name);
	assert_true(policy_uri_is_valid("urn:oid:0.0"));
	assert_true(policy_uri_is_valid("urn:oid:2.25.253640067928503725326359405469762299823"));
	assert_false(policy_uri_is_valid("urn:oid:"));
	assert_false(policy_uri_is_valid("urn:oid:1..2"));
	assert_false(policy_uri_is_valid("urn:oid:1.2 "));
	assert_false(policy_uri_is_valid("URN:OID:1.2"));
	assert_false(policy_uri_is_valid(NULL));
	assert_true(policy_name_is_valid("KOR-MIL", 7));
	assert_false(policy_name_is_valid("KOR  MIL", 8));
	assert_false(policy_name_is_valid(" KOR", 4));
	assert_false(policy_name_is_valid("#KOR", 4));
	assert_false(policy_name_is_valid("", 0));
}

static void test_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct party p;
		struct gs_diag d = { { 0 } };
		int ret = party_parse(bad_cases[i].text, strlen(bad_cases[i].text), &p, &d);

		if (ret != bad_cases[i].err || strcmp(d.msg, bad_cases[i].msg) != 0)
			print_error("case %zu: got %d '%s'\n          want %d '%s'\n", i, ret, d.msg,
				    bad_cases[i].err, bad_cases[i].msg);
		assert_int_equal(ret, bad_cases[i].err);
		assert_string_equal(d.msg, bad_cases[i].msg);
		assert_string_equal(p.code, "");
	}
}

static void test_too_many_levels(void **state)
{
	char text[4096];
	struct party p;
	struct gs_diag d = { { 0 } };
	int off, i;

	(void)state;
	off = snprintf(text, sizeof(text), "%s", KOR_HEAD);
	for (i = 0; i <= GS_MAX_SCHEME_LEVELS; i++)
		off += snprintf(text + off, sizeof(text) - (size_t)off, "level: L%d\n", i);
	assert_int_equal(party_parse(text, (size_t)off, &p, &d), GS_ELIMIT);
	assert_string_equal(d.msg, "20:8: too many levels (at most 12)");
}

static void test_code_is_valid(void **state)
{
	(void)state;
	assert_true(party_code_is_valid("KOR"));
	assert_true(party_code_is_valid("USA"));
	assert_false(party_code_is_valid("KO"));
	assert_false(party_code_is_valid("KORA"));
	assert_false(party_code_is_valid("kor"));
	assert_false(party_code_is_valid("K1R"));
	assert_false(party_code_is_valid(""));
	assert_false(party_code_is_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kor),
		cmocka_unit_test(test_lenient_input_canonical_output),
		cmocka_unit_test(test_example_levels),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many_levels),
		cmocka_unit_test(test_code_is_valid),
		cmocka_unit_test(test_policy_and_label_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
