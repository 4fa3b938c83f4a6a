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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver_ok),
		cmocka_unit_test(test_deliver_bad),
		cmocka_unit_test(test_deliver_caps),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
