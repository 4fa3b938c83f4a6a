/* SPDX-License-Identifier: Apache-2.0 */
/* node_party_get() keeps whole parties while the database is unchanged:
 * what it gives is always what the database holds, also after a change
 * by another handle and after a rolled-back transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "node/node.h"

static char tmpdir[] = "/tmp/gsomia-test-parties-XXXXXX";
static char kh[256], jh[256];
static struct node *kor, *jpn;

static int group_setup(void **state)
{
	struct gs_diag d = { { 0 } };

	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	snprintf(kh, sizeof(kh), "%s/kor", tmpdir);
	snprintf(jh, sizeof(jh), "%s/jpn", tmpdir);
	if (node_init(kh, "KOR", NULL, NULL, NULL, true, "pw", 2, &d) ||
	    node_init(jh, "JPN", NULL, NULL, NULL, true, "pw", 2, &d) || node_open(kh, &kor, &d) ||
	    node_open(jh, &jpn, &d) || node_unlock(kor, "pw", 2, &d)) {
		fprintf(stderr, "setup: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[400];

	(void)state;
	node_close(kor);
	node_close(jpn);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A party registered inside a transaction that is rolled back is not
 * kept: asked again, it is unknown. */
static void test_rolled_back_party_is_not_kept(void **state)
{
	struct gs_diag d = { { 0 } };
	struct party *p = calloc(1, sizeof(*p));
	struct store_party sp;
	char *id = NULL, fpr[80];
	size_t len;

	(void)state;
	assert_non_null(p);
	assert_int_equal(node_party_export(jpn, &id, &len, &d), 0);
	assert_int_equal(identity_verify((uint8_t *)id, len, p, fpr, &d), 0);
	memset(&sp, 0, sizeof(sp));
	sp.code = p->code;
	sp.name = p->name;
	sp.fingerprint = fpr;
	sp.identity = (uint8_t *)id;
	sp.identity_len = len;
	assert_int_equal(store_begin(kor->st), 0);
	assert_int_equal(store_party_put(kor->st, &sp), 0);
	assert_int_equal(node_party_get(kor, "JPN", p, &d), 0);
	assert_int_equal(node_party_get(kor, "JPN", p, &d), 0);
	store_rollback(kor->st);
	assert_int_equal(node_party_get(kor, "JPN", p, &d), GS_ENOTFOUND);
	free(id);
	free(p);
}

/* Registered through another handle (another process's), a party is
 * seen at once by a handle that had asked for it before. */
static void test_other_handle_change_is_seen(void **state)
{
	struct gs_diag d = { { 0 } };
	struct party *p = calloc(1, sizeof(*p));
	struct node *other = NULL;
	char *id = NULL, fpr[80];
	size_t len;

	(void)state;
	assert_non_null(p);
	assert_int_equal(node_party_get(kor, "JPN", p, &d), GS_ENOTFOUND);
	assert_int_equal(node_party_get(kor, "KOR", p, &d), 0);
	assert_int_equal(node_open(kh, &other, &d), 0);
	assert_int_equal(node_party_export(jpn, &id, &len, &d), 0);
	assert_int_equal(node_party_import(other, (uint8_t *)id, len, p, fpr, &d), 0);
	node_close(other);
	memset(p, 0, sizeof(*p));
	assert_int_equal(node_party_get(kor, "JPN", p, &d), 0);
	assert_string_equal(p->code, "JPN");
	free(id);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rolled_back_party_is_not_kept),
		cmocka_unit_test(test_other_handle_change_is_seen),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
