/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "net/api.h"
#include "net/local_internal.h"
#include "util/err.h"
#include "util/limits.h"

static int parse(const char *s, struct deliver_req *r)
{
	return api_deliver_parse(s, strlen(s), r, NULL);
}

static void test_deliver_ok(void **state)
{
	struct deliver_req r;

	(void)state;
	assert_int_equal(parse("{\"kind\":\"receipt\",\"id\":\"KOR-2019.0001_a\",\"body_b64\":\"aGVsbG8=\"}", &r), 0);
	assert_string_equal(r.kind, "receipt");
	assert_string_equal(r.id, "KOR-2019.0001_a");
	assert_int_equal(r.len, 5);
	assert_memory_equal(r.body, "hello", 5);
	deliver_req_release(&r);
	assert_int_equal(parse("{\"body_b64\":\"\",\"id\":\"x\",\"kind\":\"a_1\"}", &r), 0);
	assert_int_equal(r.len, 0);
	assert_non_null(r.body);
	deliver_req_release(&r);
}

static void test_deliver_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"\"x\"",
		"{\"kind\":\"receipt\",\"id\":\"R\"}",
		"{\"kind\":\"receipt\",\"id\":\"R\",\"body_b64\":\"\",\"extra\":1}",
		"{\"kind\":\"receipt\",\"id\":\"R\",\"id\":\"S\",\"body_b64\":\"\"}",
		"{\"kind\":1,\"id\":\"R\",\"body_b64\":\"\"}",
		"{\"kind\":\"Receipt\",\"id\":\"R\",\"body_b64\":\"\"}",
		"{\"kind\":\"re-ceipt\",\"id\":\"R\",\"body_b64\":\"\"}",
		"{\"kind\":\"\",\"id\":\"R\",\"body_b64\":\"\"}",
		"{\"kind\":\"receipt\",\"id\":\"\",\"body_b64\":\"\"}",
		"{\"kind\":\"receipt\",\"id\":\".hidden\",\"body_b64\":\"\"}",
		"{\"kind\":\"receipt\",\"id\":\"a/b\",\"body_b64\":\"\"}",
		"{\"kind\":\"receipt\",\"id\":\"a\\u0000b\",\"body_b64\":\"\"}",
		"{\"kind\":\"receipt\",\"id\":\"R\",\"body_b64\":\"aGVsbG8\"}",
		"{\"kind\":\"receipt\",\"id\":\"R\",\"body_b64\":\"aGVs bG8=\"}",
		"{\"kind\":\"receipt\",\"id\":\"R\",\"body_b64\":\"aGVsbG8=\"} x",
		"{\"kind\":\"receipt\",\"id\":\"R\",\"body_b64\":null}",
	};
	struct deliver_req r;
	struct gs_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.msg[0] = 0;
		if (api_deliver_parse(bad[i], strlen(bad[i]), &r, &d) != GS_EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(d.msg[0] != 0);
		assert_null(r.body);
	}
}

static void test_deliver_caps(void **state)
{
	char kind[GS_NET_MAX_KIND + 1], id[GS_MAX_ID + 1], json[512];
	struct deliver_req r;

	(void)state;
	memset(kind, 'k', sizeof(kind));
	kind[GS_NET_MAX_KIND - 1] = 0;
	memset(id, 'i', sizeof(id));
	id[GS_MAX_ID - 1] = 0;
	snprintf(json, sizeof(json), "{\"kind\":\"%s\",\"id\":\"%s\",\"body_b64\":\"\"}", kind, id);
	assert_int_equal(parse(json, &r), 0);
	deliver_req_release(&r);
	kind[GS_NET_MAX_KIND - 1] = 'k';
	kind[GS_NET_MAX_KIND] = 0;
	snprintf(json, sizeof(json), "{\"kind\":\"%s\",\"id\":\"%s\",\"body_b64\":\"\"}", kind, id);
	assert_int_equal(parse(json, &r), GS_EINVAL);
	assert_int_equal(api_deliver_parse("{}", GS_NET_MAX_BODY + 1, &r, NULL), GS_ELIMIT);
}

static const char H32[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

static void test_checkpoint_ok(void **state)
{
	struct checkpoint_req *r = malloc(sizeof(*r)), *r2 = malloc(sizeof(*r2));
	uint8_t h[2][32];
	char json[512], *out;
	size_t i;

	(void)state;
	assert_non_null(r);
	assert_non_null(r2);
	snprintf(json, sizeof(json), "{\"checkpoint\":\"o\\n1\\nx\\n\",\"old_size\":7,\"proof\":[\"%s\",\"%s\"]}",
		 H32, H32);
	assert_int_equal(api_checkpoint_parse(json, strlen(json), r, NULL), 0);
	assert_int_equal(r->len, 6);
	assert_string_equal(r->note, "o\n1\nx\n");
	assert_int_equal(r->old_size, 7);
	assert_int_equal(r->nproof, 2);
	for (i = 0; i < 32; i++)
		assert_int_equal(r->proof[1][i], i);
	/* What the client sends parses back to the same. */
	for (i = 0; i < 32; i++)
		h[0][i] = h[1][i] = (uint8_t)(255 - i);
	out = api_checkpoint_json(r->note, r->len, 12345678901ULL, (const uint8_t (*)[32])h, 2);
	assert_non_null(out);
	assert_int_equal(api_checkpoint_parse(out, strlen(out), r2, NULL), 0);
	assert_string_equal(r2->note, r->note);
	assert_int_equal(r2->old_size, 12345678901ULL);
	assert_int_equal(r2->nproof, 2);
	assert_memory_equal(r2->proof, h, sizeof(h));
	free(out);
	checkpoint_req_release(r2);
	out = api_checkpoint_json("a\n", 2, 0, NULL, 0);
	assert_non_null(out);
	assert_int_equal(api_checkpoint_parse(out, strlen(out), r2, NULL), 0);
	assert_int_equal(r2->nproof, 0);
	assert_int_equal(r2->old_size, 0);
	free(out);
	checkpoint_req_release(r2);
	checkpoint_req_release(r);
	free(r);
	free(r2);
}

static void test_checkpoint_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"checkpoint\":\"c\",\"old_size\":0}",
		"{\"checkpoint\":\"c\",\"proof\":[]}",
		"{\"old_size\":0,\"proof\":[]}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[],\"x\":1}",
		"{\"checkpoint\":\"c\",\"checkpoint\":\"d\",\"old_size\":0,\"proof\":[]}",
		"{\"checkpoint\":\"\",\"old_size\":0,\"proof\":[]}",
		"{\"checkpoint\":1,\"old_size\":0,\"proof\":[]}",
		"{\"checkpoint\":\"a\\u0000b\",\"old_size\":0,\"proof\":[]}",
		"{\"checkpoint\":\"c\",\"old_size\":-1,\"proof\":[]}",
		"{\"checkpoint\":\"c\",\"old_size\":1.5,\"proof\":[]}",
		"{\"checkpoint\":\"c\",\"old_size\":\"1\",\"proof\":[]}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":{}}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[1]}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[\"AAEC\"]}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"]}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\"]}",
		"{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[]} x",
	};
	struct checkpoint_req *r = malloc(sizeof(*r));
	struct gs_diag d;
	size_t i;

	(void)state;
	assert_non_null(r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.msg[0] = 0;
		if (api_checkpoint_parse(bad[i], strlen(bad[i]), r, &d) != GS_EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(d.msg[0] != 0);
		assert_null(r->note);
	}
	free(r);
}

static void test_checkpoint_caps(void **state)
{
	static char json[128 + (GS_MAX_PROOF_HASHES + 1) * 48];
	struct checkpoint_req *r = malloc(sizeof(*r));
	char *p;
	int i;

	(void)state;
	assert_non_null(r);
	for (int n = GS_MAX_PROOF_HASHES; n <= GS_MAX_PROOF_HASHES + 1; n++) {
		p = json + sprintf(json, "{\"checkpoint\":\"c\",\"old_size\":0,\"proof\":[");
		for (i = 0; i < n; i++)
			p += sprintf(p, "%s\"%s\"", i ? "," : "", H32);
		sprintf(p, "]}");
		assert_int_equal(api_checkpoint_parse(json, strlen(json), r, NULL),
				 n == GS_MAX_PROOF_HASHES ? 0 : GS_ELIMIT);
		if (n == GS_MAX_PROOF_HASHES)
			assert_int_equal(r->nproof, GS_MAX_PROOF_HASHES);
		checkpoint_req_release(r);
	}
	assert_int_equal(api_checkpoint_parse("{}", GS_NET_MAX_BODY + 1, r, NULL), GS_ELIMIT);
	free(r);
}

/* The name an opened item is saved under (known answers). */
static void test_download_name(void **state)
{
	char out[512];

	(void)state;
	local_download_name("assessment.txt", "Launch", "特定秘密", true, "KOR-1", out, sizeof(out));
	assert_string_equal(out, "EXERCISE 特定秘密 - assessment.txt");
	local_download_name("", "Console release: launch of 1 May 2023", "極秘,特定秘密", false, "KOR-1", out, sizeof(out));
	assert_string_equal(out, "極秘,特定秘密 - Console release_ launch of 1 May 2023.bin");
	local_download_name(NULL, "", "", false, "KOR-1", out, sizeof(out));
	assert_string_equal(out, "KOR-1.bin");
	local_download_name("a<b>|c?.txt", NULL, "秘", true, "KOR-1", out, sizeof(out));
	assert_string_equal(out, "EXERCISE 秘 - a_b__c_.txt");
	/* cut on a character's boundary */
	local_download_name("특정.txt", NULL, "", false, "K", out, 5);
	assert_string_equal(out, "특");
	/* bytes that are not UTF-8 (a lone lead byte, an overlong '/', a
	 * surrogate, a cut character) become '_': the name stays UTF-8 */
	local_download_name("a\xc3" "b\xc0\xaf\xed\xa0\x80.\xe2\x80", NULL, "", false, "K", out, sizeof(out));
	assert_string_equal(out, "a_b_____.__");
}

/* What a release is, in its header: percent-encoded JSON, strictly. */
static void test_release_header(void **state)
{
	struct release_body b;
	struct gs_diag d = { { 0 } };

	(void)state;
	assert_int_equal(local_release_header_parse("%7B%22agreement%22%3A%22KOR-JPN-2016%22%2C%22classification%22%3A"
						    "%22%EA%B5%B0%EC%82%ACII%EA%B8%89%EB%B9%84%EB%B0%80%22%2C"
						    "%22name%22%3A%22a%3Ab.txt%22%7D", &b, &d), 0);
	assert_string_equal(b.agreement, "KOR-JPN-2016");
	assert_string_equal(b.classification, "군사II급비밀");
	assert_string_equal(b.name, "a:b.txt");
	assert_int_equal(local_release_header_parse("{\"to\":\"JPN\"}", &b, &d), 0); /* plain ASCII JSON is its own encoding */
	assert_string_equal(b.to, "JPN");
	assert_int_equal(local_release_header_parse("%7B%22to%22%3A%22JPN%22%2C%22to%22%3A%22KOR%22%7D", &b, &d), GS_EINVAL);
	assert_int_equal(local_release_header_parse("%7B%22colour%22%3A%22red%22%7D", &b, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "X-Gsomia-Release"));
	assert_int_equal(local_release_header_parse("%7B%zz", &b, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "%XX"));
	assert_int_equal(local_release_header_parse("%7B%22to%22%3A%22J%00N%22%7D", &b, &d), GS_EINVAL);
	assert_int_equal(local_release_header_parse("[]", &b, &d), GS_EINVAL);
	assert_true(b.to[0] == 0 && b.agreement[0] == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver_ok),
		cmocka_unit_test(test_deliver_bad),
		cmocka_unit_test(test_deliver_caps),
		cmocka_unit_test(test_checkpoint_ok),
		cmocka_unit_test(test_checkpoint_bad),
		cmocka_unit_test(test_checkpoint_caps),
		cmocka_unit_test(test_download_name),
		cmocka_unit_test(test_release_header),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
