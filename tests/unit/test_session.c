/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "net/local_api.h"
#include "net/console.h"
#include "net/session.h"
#include "util/err.h"
#include "util/limits.h"

static int signin(const char *s, struct signin_req *r)
{
	return session_signin_parse(s, strlen(s), r, NULL);
}

static void test_signin_parse(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{}", "{\"person\":\"yamada\"}", "{\"password\":\"secret-1\"}",
		"{\"person\":\"yamada\",\"password\":\"\"}",
		"{\"person\":\"\",\"password\":\"secret-1\"}",
		"{\"person\":\"../x\",\"password\":\"secret-1\"}",
		"{\"person\":\"yamada\",\"password\":\"a\\u0000b\"}",
		"{\"person\":\"yamada\",\"password\":7}",
		"{\"person\":\"yamada\",\"password\":\"secret-1\",\"x\":\"y\"}",
		"{\"person\":\"yamada\",\"person\":\"sato\",\"password\":\"secret-1\"}",
	};
	struct signin_req r;
	size_t i;

	(void)state;
	assert_int_equal(signin("{\"password\":\"s3cret pass\",\"person\":\"yamada\"}", &r), 0);
	assert_string_equal(r.person, "yamada");
	assert_int_equal(r.password_len, 11);
	assert_string_equal(r.password, "s3cret pass");
	signin_req_release(&r);
	assert_null(r.password);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(signin(bad[i], &r), GS_EINVAL);
		assert_null(r.password);
	}
}

static void test_signin_caps(void **state)
{
	static char json[GS_MAX_PASSPHRASE + 128];
	char pw[GS_MAX_PASSPHRASE + 2];
	struct signin_req r;

	(void)state;
	memset(pw, 'p', sizeof(pw));
	pw[GS_MAX_PASSPHRASE] = 0;
	snprintf(json, sizeof(json), "{\"person\":\"p\",\"password\":\"%s\"}", pw);
	assert_int_equal(signin(json, &r), 0);
	assert_int_equal(r.password_len, GS_MAX_PASSPHRASE);
	signin_req_release(&r);
	pw[GS_MAX_PASSPHRASE] = 'p';
	pw[GS_MAX_PASSPHRASE + 1] = 0;
	snprintf(json, sizeof(json), "{\"person\":\"p\",\"password\":\"%s\"}", pw);
	assert_int_equal(signin(json, &r), GS_ELIMIT);
	assert_int_equal(session_signin_parse("{}", GS_NET_MAX_LOCAL_BODY + 1, &r, NULL), GS_ELIMIT);
}

static void test_bearer(void **state)
{
	uint8_t tok[AUTH_TOKEN_BYTES], back[AUTH_TOKEN_BYTES];
	char s[SESSION_TOKEN_STR], hdr[SESSION_TOKEN_STR + 16];

	(void)state;
	randombytes_buf(tok, sizeof(tok));
	session_token_encode(tok, s);
	assert_int_equal(strlen(s), SESSION_TOKEN_CHARS);
	assert_null(strchr(s, '='));
	snprintf(hdr, sizeof(hdr), "Bearer %s", s);
	assert_int_equal(session_bearer_parse(hdr, back), 0);
	assert_memory_equal(tok, back, sizeof(tok));
	snprintf(hdr, sizeof(hdr), "bearer %s", s);
	assert_int_equal(session_bearer_parse(hdr, back), 0);
	assert_int_equal(session_bearer_parse(NULL, back), GS_EINVAL);
	assert_int_equal(session_bearer_parse("", back), GS_EINVAL);
	assert_int_equal(session_bearer_parse("Basic eWFtYWRhOnB3", back), GS_EINVAL);
	snprintf(hdr, sizeof(hdr), "Bearer  %s", s);
	assert_int_equal(session_bearer_parse(hdr, back), GS_EINVAL);
	snprintf(hdr, sizeof(hdr), "Bearer %s=", s);
	assert_int_equal(session_bearer_parse(hdr, back), GS_EINVAL);
	snprintf(hdr, sizeof(hdr), "Bearer %.42s", s);
	assert_int_equal(session_bearer_parse(hdr, back), GS_EINVAL);
	snprintf(hdr, sizeof(hdr), "Bearer %.42s+", s);
	assert_int_equal(session_bearer_parse(hdr, back), GS_EINVAL);
	/* a byte libsodium's decoder lets through */
	snprintf(hdr, sizeof(hdr), "Bearer %.20s\xcc%s", s, s + 21);
	assert_int_equal(session_bearer_parse(hdr, back), GS_EINVAL);
}

static void test_cookie_and_csrf(void **state)
{
	uint8_t tok[AUTH_TOKEN_BYTES], other[AUTH_TOKEN_BYTES], back[AUTH_TOKEN_BYTES];
	char s[SESSION_TOKEN_STR], csrf[SESSION_TOKEN_STR], csrf2[SESSION_TOKEN_STR];

	(void)state;
	/* the cookie holds the token as is */
	randombytes_buf(tok, sizeof(tok));
	session_token_encode(tok, s);
	assert_int_equal(session_token_parse(s, back), 0);
	assert_memory_equal(tok, back, sizeof(tok));
	assert_int_equal(session_token_parse(NULL, back), GS_EINVAL);
	assert_int_equal(session_token_parse("", back), GS_EINVAL);
	s[5] = '/';
	assert_int_equal(session_token_parse(s, back), GS_EINVAL);

	/* known answer: the all-zero token (openssl dgst -sha256 -mac HMAC over "gsomia csrf v1") */
	memset(tok, 0, sizeof(tok));
	session_csrf_of(tok, csrf);
	assert_int_equal(strlen(csrf), SESSION_TOKEN_CHARS);
	assert_string_equal(csrf, "AoBIrBPJ5EuPWaml67EW507whnBayd189Q1kyf20er4");
	assert_int_equal(session_csrf_check(tok, csrf), 0);
	/* derived, stable, and different per session */
	session_csrf_of(tok, csrf2);
	assert_string_equal(csrf, csrf2);
	memset(other, 0, sizeof(other));
	other[31] = 1;
	assert_int_equal(session_csrf_check(other, csrf), GS_EDENIED);
	/* the token itself is not its CSRF token */
	session_token_encode(tok, s);
	assert_int_equal(session_csrf_check(tok, s), GS_EDENIED);
	assert_int_equal(session_csrf_check(tok, NULL), GS_EDENIED);
	assert_int_equal(session_csrf_check(tok, ""), GS_EDENIED);
	csrf[SESSION_TOKEN_CHARS - 1] ^= 1;
	assert_int_equal(session_csrf_check(tok, csrf), GS_EDENIED);
}

static void test_limiter(void **state)
{
	struct signin_limiter *l = malloc(sizeof(*l));
	char name[32];
	int i;

	(void)state;
	assert_non_null(l);
	signin_limiter_init(l);
	for (i = 0; i < SIGNIN_MAX_FAILS; i++) {
		assert_false(signin_limiter_blocked(l, "yamada", 1000 + i));
		signin_limiter_fail(l, "yamada", 1000 + i);
	}
	assert_true(signin_limiter_blocked(l, "yamada", 1010));
	assert_false(signin_limiter_blocked(l, "sato", 1010));
	/* the window began with the first failure */
	assert_true(signin_limiter_blocked(l, "yamada", 1000 + SIGNIN_WINDOW - 1));
	assert_false(signin_limiter_blocked(l, "yamada", 1000 + SIGNIN_WINDOW));
	/* a new failure after the window starts a new count */
	signin_limiter_fail(l, "yamada", 1100);
	assert_false(signin_limiter_blocked(l, "yamada", 1101));
	/* a success forgets */
	for (i = 0; i < SIGNIN_MAX_FAILS - 2; i++)
		signin_limiter_fail(l, "yamada", 1101);
	signin_limiter_clear(l, "yamada");
	signin_limiter_fail(l, "yamada", 1102);
	assert_false(signin_limiter_blocked(l, "yamada", 1102));
	/* a full table still counts a live entry */
	for (i = 0; i < SIGNIN_MAX_FAILS; i++)
		signin_limiter_fail(l, "kim", 2000);
	for (i = 0; i < SIGNIN_SLOTS - 1; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		signin_limiter_fail(l, name, 2001);
	}
	assert_true(signin_limiter_blocked(l, "kim", 2002));
	/* filling the table with new ids never frees a blocked one */
	for (i = 0; i < 3 * SIGNIN_SLOTS; i++) {
		snprintf(name, sizeof(name), "q%d", i);
		signin_limiter_fail(l, name, 2003);
	}
	assert_true(signin_limiter_blocked(l, "kim", 2004));
	/* every slot blocked: a new id is refused too, its failures uncounted */
	for (i = 0; i < SIGNIN_SLOTS; i++) {
		int k;

		snprintf(name, sizeof(name), "r%d", i);
		for (k = 0; k < SIGNIN_MAX_FAILS; k++)
			signin_limiter_fail(l, name, 2005);
	}
	assert_true(signin_limiter_blocked(l, "newcomer", 2006));
	/* until the windows end */
	assert_false(signin_limiter_blocked(l, "newcomer", 2005 + SIGNIN_WINDOW + 1));
	assert_false(signin_limiter_blocked(l, "kim", 2000 + SIGNIN_WINDOW));
	signin_limiter_destroy(l);
	free(l);
}

static void test_decide_parse(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{\"agreement\":1}", "{\"agreement\":\"A\",\"agreement\":\"B\"}",
		"{\"colour\":\"red\"}", "{\"to\":\"TOOLONGCODE\"}", "{\"person\":\"a\\u0000b\"}",
	};
	struct decide_body b;
	size_t i;

	(void)state;
	assert_int_equal(local_decide_parse("{\"agreement\":\"KOR-JPN-2016\",\"to\":\"KOR\",\"at\":\"2020-01-01\"}",
					    strlen("{\"agreement\":\"KOR-JPN-2016\",\"to\":\"KOR\",\"at\":\"2020-01-01\"}"),
					    &b, NULL), 0);
	assert_string_equal(b.agreement, "KOR-JPN-2016");
	assert_string_equal(b.to, "KOR");
	assert_string_equal(b.at, "2020-01-01");
	assert_string_equal(b.person, "");
	assert_int_equal(local_decide_parse("{}", 2, &b, NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(local_decide_parse(bad[i], strlen(bad[i]), &b, NULL), GS_EINVAL);
	assert_int_equal(local_decide_parse("{}", GS_NET_MAX_LOCAL_BODY + 1, &b, NULL), GS_ELIMIT);
}

static void test_routes(void **state)
{
	const char *allow;

	(void)state;
	assert_true(local_api_owns("/v1/session"));
	assert_true(local_api_owns("/v1/local/items"));
	assert_false(local_api_owns("/v1/peer/whoami"));
	assert_false(local_api_owns("/v1/sessions"));
	assert_true(local_api_owns("/v1/session/cookie"));
	assert_true(local_api_route_flags(local_api_route("POST", "/v1/session/cookie", &allow)) & LOCAL_WRITES);
	assert_false(local_api_route_flags(local_api_route("GET", "/v1/session", &allow)) & LOCAL_WRITES);
	assert_int_equal(local_api_route_flags(-1), 0);
	/* the console's files, built in */
	assert_true(console_owns("/"));
	assert_true(console_owns("/console/app.js"));
	assert_false(console_owns("/consoles"));
	assert_non_null(console_asset_find("/console/"));
	assert_string_equal(console_asset_find("/console/")->path, "/console/index.html");
	assert_string_equal(console_asset_find("/console/index.html")->type, "text/html; charset=utf-8");
	assert_string_equal(console_asset_find("/console/app.js")->type, "text/javascript; charset=utf-8");
	assert_true(console_asset_find("/console/app.css")->len > 0);
	assert_null(console_asset_find("/console/../tls.key"));
	assert_null(console_asset_find("/console/nothing.js"));
	assert_null(console_asset_find("/console"));
	assert_true(local_api_route("POST", "/v1/session", &allow) >= 0);
	assert_true(local_api_route("GET", "/v1/local/agreements/KOR-JPN-2016/status", &allow) >= 0);
	assert_int_equal(local_api_route("GET", "/v1/local/agreements//status", &allow), -1);
	assert_null(allow);
	assert_int_equal(local_api_route("GET", "/v1/local/agreements/A/B/status", &allow), -1);
	assert_int_equal(local_api_route("PUT", "/v1/local/items", &allow), -1);
	assert_string_equal(allow, "GET");
	assert_int_equal(local_api_route("GET", "/v1/local/items/", &allow), -1);
	assert_null(allow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signin_parse),
		cmocka_unit_test(test_signin_caps),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_cookie_and_csrf),
		cmocka_unit_test(test_limiter),
		cmocka_unit_test(test_decide_parse),
		cmocka_unit_test(test_routes),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
