/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/peerquota.h"

/*
 * Per-peer quotas at a receiving node (docs/api.md "Server limits"): one
 * peer's deliveries under way count against its own quota, never
 * another's, and what ends gives its share back.
 */

static struct peer_quotas q;

static void uploads_are_per_peer(void **state)
{
	unsigned n;
	uint64_t b;

	(void)state;
	peer_quota_init(&q, 2, 1000);
	assert_int_equal(peer_quota_begin(&q, "KOR", 100), PEER_QUOTA_OK);
	assert_int_equal(peer_quota_begin(&q, "KOR", 100), PEER_QUOTA_OK);
	/* KOR has its two under way: a third waits */
	assert_int_equal(peer_quota_begin(&q, "KOR", 100), PEER_QUOTA_UPLOADS);
	/* USA is not held by KOR's */
	assert_int_equal(peer_quota_begin(&q, "USA", 100), PEER_QUOTA_OK);
	peer_quota_of(&q, "KOR", &n, &b);
	assert_int_equal(n, 2);
	assert_int_equal(b, 200);
	/* one ends: KOR has room again */
	peer_quota_end(&q, "KOR", 100);
	assert_int_equal(peer_quota_begin(&q, "KOR", 100), PEER_QUOTA_OK);
}

static void bytes_are_per_peer(void **state)
{
	unsigned n;
	uint64_t b;

	(void)state;
	peer_quota_init(&q, 10, 1000);
	assert_int_equal(peer_quota_begin(&q, "KOR", 600), PEER_QUOTA_OK);
	assert_int_equal(peer_quota_begin(&q, "KOR", 500), PEER_QUOTA_BYTES);
	assert_int_equal(peer_quota_begin(&q, "KOR", 400), PEER_QUOTA_OK);
	assert_int_equal(peer_quota_begin(&q, "JPN", 1000), PEER_QUOTA_OK);
	/* a refusal counts nothing */
	peer_quota_of(&q, "KOR", &n, &b);
	assert_int_equal(n, 2);
	assert_int_equal(b, 1000);
	/* larger than the whole quota: never, not even alone */
	assert_int_equal(peer_quota_begin(&q, "USA", 1001), PEER_QUOTA_BYTES);
	peer_quota_of(&q, "USA", &n, &b);
	assert_int_equal(n, 0);
	assert_int_equal(b, 0);
	/* no overflow at the edge */
	assert_int_equal(peer_quota_begin(&q, "USA", UINT64_MAX), PEER_QUOTA_BYTES);
}

static void an_undeclared_body_grows(void **state)
{
	unsigned n;
	uint64_t b;

	(void)state;
	peer_quota_init(&q, 10, 1000);
	assert_int_equal(peer_quota_begin(&q, "KOR", 0), PEER_QUOTA_OK);
	assert_int_equal(peer_quota_grow(&q, "KOR", 700), PEER_QUOTA_OK);
	assert_int_equal(peer_quota_grow(&q, "KOR", 301), PEER_QUOTA_BYTES);
	assert_int_equal(peer_quota_grow(&q, "KOR", UINT64_MAX), PEER_QUOTA_BYTES);
	peer_quota_of(&q, "KOR", &n, &b);
	assert_int_equal(b, 700);
	/* a peer with nothing under way has nothing to grow */
	assert_int_equal(peer_quota_grow(&q, "JPN", 1), PEER_QUOTA_FULL);
	peer_quota_end(&q, "KOR", 700);
	peer_quota_of(&q, "KOR", &n, &b);
	assert_int_equal(n, 0);
	assert_int_equal(b, 0);
}

static void slots_are_reused(void **state)
{
	char code[8];
	unsigned n;
	uint64_t b;
	int i;

	(void)state;
	peer_quota_init(&q, 1, 10);
	/* as many peers as slots, then one more */
	for (i = 0; i < PEER_QUOTA_SLOTS; i++) {
		snprintf(code, sizeof(code), "P%03d", i);
		assert_int_equal(peer_quota_begin(&q, code, 1), PEER_QUOTA_OK);
	}
	assert_int_equal(peer_quota_begin(&q, "ZZZ", 1), PEER_QUOTA_FULL);
	/* one ends in the middle: its slot serves the next, and the others
	 * keep their counts */
	peer_quota_end(&q, "P007", 1);
	assert_int_equal(peer_quota_begin(&q, "ZZZ", 1), PEER_QUOTA_OK);
	peer_quota_of(&q, "P255", &n, &b);
	assert_int_equal(n, 1);
	assert_int_equal(b, 1);
	peer_quota_of(&q, "P007", &n, &b);
	assert_int_equal(n, 0);
	/* ending what never began changes nothing */
	peer_quota_end(&q, "NONE", 5);
	assert_int_equal(q.n, PEER_QUOTA_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uploads_are_per_peer),
		cmocka_unit_test(bytes_are_per_peer),
		cmocka_unit_test(an_undeclared_body_grows),
		cmocka_unit_test(slots_are_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
