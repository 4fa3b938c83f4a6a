/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/keyhistory.h"
#include "util/err.h"

/*
 * A party's key history: the rotation and compromise texts (known
 * answers, refusals), which key a signature of an instant must verify
 * under, and the rules for joining a rotation or a compromise to the
 * history. Keys are fixed byte patterns: no cryptography here.
 */

static gs_instant T(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 9 * 3600, &t), 0);
	return t;
}

#define CPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* KOR with one key (0x11..) registered since always. */
static void kor_make(struct party *p)
{
	memset(p, 0, sizeof(*p));
	CPY(p->code, "KOR");
	CPY(p->name, "Republic of Korea");
	p->zone = 9 * 3600;
	memset(p->sign_pk, 0x11, 32);
	memset(p->box_pk, 0x21, 32);
}

/* KOR after rotating at R from key 0x11 to key 0x12. */
static void kor_rotated(struct party *p, gs_instant r)
{
	kor_make(p);
	p->nkeys = 2;
	memset(p->keys[0].sign_pk, 0x11, 32);
	memset(p->keys[0].box_pk, 0x21, 32);
	p->keys[0].valid_from = GS_INSTANT_NONE;
	p->keys[0].valid_until = r;
	p->keys[0].compromised_since = GS_INSTANT_NONE;
	memset(p->keys[1].sign_pk, 0x12, 32);
	memset(p->keys[1].box_pk, 0x22, 32);
	p->keys[1].valid_from = r;
	p->keys[1].valid_until = GS_INSTANT_NONE;
	p->keys[1].compromised_since = GS_INSTANT_NONE;
	memset(p->sign_pk, 0x12, 32);
	memset(p->box_pk, 0x22, 32);
}

static const char rotation_text[] =
	"gsomia-key-rotation/v1\n"
	"party KOR\n"
	"old-key ERERERERERERERERERERERERERERERERERERERERERE=\n"
	"new-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
	"new-box-key IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n"
	"new-tls-pin sha256//q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"
	"effective 2023-06-01T00:00:00Z\n"
	"exercise yes\n";

static void test_rotation_text(void **state)
{
	struct key_rotation r, back;
	struct gs_diag d;
	char *text = NULL;

	(void)state;
	memset(&r, 0, sizeof(r));
	CPY(r.party, "KOR");
	memset(r.old_key, 0x11, 32);
	memset(r.new_key, 0x12, 32);
	memset(r.new_box_key, 0x22, 32);
	CPY(r.new_tls_pin, "sha256//q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=");
	r.effective = T("2023-06-01T09:00:00+09:00");
	r.exercise = true;
	assert_int_equal(key_rotation_format(&r, &text, &d), 0);
	assert_string_equal(text, rotation_text);
	assert_int_equal(key_rotation_parse(text, strlen(text), &back, &d), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	free(text);
}

static void test_rotation_refused(void **state)
{
	static const char *const bad[] = {
		/* the same key twice */
		"gsomia-key-rotation/v1\nparty KOR\nold-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
		"new-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
		"new-box-key IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\neffective 2023-06-01T00:00:00Z\n",
		/* no effective instant */
		"gsomia-key-rotation/v1\nparty KOR\nold-key ERERERERERERERERERERERERERERERERERERERERERE=\n"
		"new-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
		"new-box-key IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n",
		/* a key whose unused bits are not zero (not canonical) */
		"gsomia-key-rotation/v1\nparty KOR\nold-key ERERERERERERERERERERERERERERERERERERERERERF=\n"
		"new-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
		"new-box-key IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\neffective 2023-06-01T00:00:00Z\n",
		/* a bad pin */
		"gsomia-key-rotation/v1\nparty KOR\nold-key ERERERERERERERERERERERERERERERERERERERERERE=\n"
		"new-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
		"new-box-key IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\nnew-tls-pin md5//x\n"
		"effective 2023-06-01T00:00:00Z\n",
		/* a party that is not a code */
		"gsomia-key-rotation/v1\nparty kor\nold-key ERERERERERERERERERERERERERERERERERERERERERE=\n"
		"new-key EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=\n"
		"new-box-key IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\neffective 2023-06-01T00:00:00Z\n",
	};
	struct key_rotation r;
	struct gs_diag d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0, sizeof(d));
		if (key_rotation_parse(bad[i], strlen(bad[i]), &r, &d) != GS_EINVAL)
			fail_msg("case %zu parsed", i);
		assert_true(d.msg[0] != 0);
		assert_int_equal(r.party[0], 0);
	}
}

static void test_compromise_text(void **state)
{
	struct key_compromise c, back;
	struct gs_diag d;
	char *text = NULL;

	(void)state;
	memset(&c, 0, sizeof(c));
	CPY(c.party, "KOR");
	memset(c.key, 0x11, 32);
	c.since = T("2023-05-20T00:00:00+09:00");
	CPY(c.reported_by, "JPN");
	c.reported = T("2023-06-02T10:00:00+09:00");
	CPY(c.text, "Reported by KOR's NSA by telephone");
	assert_int_equal(key_compromise_format(&c, &text, &d), 0);
	assert_string_equal(text, "gsomia-key-compromise/v1\n"
				  "party KOR\n"
				  "key ERERERERERERERERERERERERERERERERERERERERERE=\n"
				  "since 2023-05-19T15:00:00Z\n"
				  "reported-by JPN\n"
				  "reported 2023-06-02T01:00:00Z\n"
				  "text Reported by KOR's NSA by telephone\n");
	assert_int_equal(key_compromise_parse(text, strlen(text), &back, &d), 0);
	assert_memory_equal(&back, &c, sizeof(c));
	text[strlen(text) - 2] = '\t';
	assert_int_equal(key_compromise_parse(text, strlen(text), &back, &d), GS_EINVAL);
	free(text);
}

static void test_key_at(void **state)
{
	struct party p;
	struct decision d;
	const uint8_t *key;
	int i;
	char why[512];
	gs_instant r = T("2023-06-01T09:00:00+09:00");

	(void)state;
	/* no history: the registered key, whatever the instant */
	kor_make(&p);
	assert_int_equal(decide_key(&p, T("2016-01-01"), &key, &i, &d), 0);
	assert_ptr_equal(key, p.sign_pk);
	assert_int_equal(i, -1);
	/* after a rotation: the old key before, the new one from the instant on */
	kor_rotated(&p, r);
	assert_int_equal(decide_key(&p, r - 1, &key, &i, &d), 0);
	assert_int_equal(i, 0);
	assert_int_equal(key[0], 0x11);
	assert_int_equal(decide_key(&p, r, &key, &i, &d), 0);
	assert_int_equal(i, 1);
	assert_int_equal(key[0], 0x12);
	assert_string_equal(d.rule_id, "key.permit");
	assert_int_equal(decide_key(&p, GS_INSTANT_NONE, &key, &i, &d), 0);
	assert_int_equal(key[0], 0x12);
	/* the old key compromised since S: before S still trusted, from S not */
	p.keys[0].compromised_since = T("2023-05-20T00:00:00+09:00");
	assert_int_equal(decide_key(&p, T("2023-05-19T23:59:59+09:00"), &key, &i, &d), 0);
	assert_int_equal(decide_key(&p, T("2023-05-20T00:00:00+09:00"), &key, &i, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "key.compromised");
	assert_null(key);
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: KOR's signing key of its registration until 2023-06-01T09:00:00+09:00 was "
				 "reported compromised since 2023-05-20T00:00:00+09:00; a signature of "
				 "2023-05-20T00:00:00+09:00 by it is not trusted");
	/* the new key is not touched by it */
	assert_int_equal(decide_key(&p, r + 1, &key, &i, &d), 0);
	/* a history with a hole */
	p.keys[1].valid_from = r + 100;
	assert_int_equal(decide_key(&p, r + 50, &key, &i, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "key.unknown");
}

static void test_rotation_rules(void **state)
{
	struct party p;
	struct key_rotation r;
	struct decision d;
	gs_instant now = T("2023-06-01T10:00:00+09:00");

	(void)state;
	kor_make(&p);
	memset(&r, 0, sizeof(r));
	CPY(r.party, "KOR");
	memset(r.old_key, 0x11, 32);
	memset(r.new_key, 0x12, 32);
	r.effective = T("2023-06-01T09:00:00+09:00");
	assert_int_equal(decide_key_rotation(&p, &r, now, &d), 0);
	assert_string_equal(d.rule_id, "rotation.permit");
	CPY(r.party, "JPN");
	assert_int_equal(decide_key_rotation(&p, &r, now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "rotation.party");
	CPY(r.party, "KOR");
	/* not from the key registered now (a second rotation out of order) */
	memset(r.old_key, 0x13, 32);
	assert_int_equal(decide_key_rotation(&p, &r, now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "rotation.old-key");
	/* back to a key used before */
	kor_rotated(&p, r.effective);
	memset(r.old_key, 0x12, 32);
	memset(r.new_key, 0x11, 32);
	r.effective = now;
	assert_int_equal(decide_key_rotation(&p, &r, now + 10, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "rotation.new-key");
	/* effective before the current key's start, or in the future */
	memset(r.new_key, 0x14, 32);
	r.effective = T("2023-05-01");
	assert_int_equal(decide_key_rotation(&p, &r, now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "rotation.order");
	r.effective = now + 3600;
	assert_int_equal(decide_key_rotation(&p, &r, now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "rotation.order");
	/* a compromised key hands over nothing after its compromise */
	r.effective = now;
	p.keys[1].compromised_since = now - 60;
	assert_int_equal(decide_key_rotation(&p, &r, now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "rotation.compromised");
}

static void test_compromise_rules(void **state)
{
	struct party p;
	struct key_compromise c;
	struct decision d;
	char why[512];
	gs_instant now = T("2023-06-02T10:00:00+09:00");

	(void)state;
	kor_rotated(&p, T("2023-06-01T09:00:00+09:00"));
	memset(&c, 0, sizeof(c));
	CPY(c.party, "KOR");
	memset(c.key, 0x11, 32);
	c.since = T("2023-05-20");
	CPY(c.reported_by, "KOR");
	c.reported = now;
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), 0);
	assert_string_equal(d.rule_id, "compromise.permit");
	/* this node's own record about KOR */
	CPY(c.reported_by, "JPN");
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), 0);
	/* but not a third party's */
	CPY(c.reported_by, "USA");
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "compromise.party");
	CPY(c.reported_by, "KOR");
	/* a key KOR never had */
	memset(c.key, 0x77, 32);
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "compromise.unknown-key");
	decision_reason(&d, why, sizeof(why));
	assert_string_equal(why, "refused: the key named is not one of KOR's keys registered here");
	/* without history the registered key is known */
	kor_make(&p);
	memset(c.key, 0x11, 32);
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), 0);
	kor_rotated(&p, T("2023-06-01T09:00:00+09:00"));
	/* in the future */
	c.since = now + 1;
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "compromise.future");
	/* known: the same or a later instant changes nothing; an earlier one does */
	p.keys[0].compromised_since = T("2023-05-20");
	c.since = T("2023-05-21");
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), GS_EDENIED);
	assert_string_equal(d.rule_id, "compromise.known");
	c.since = T("2023-05-19");
	assert_int_equal(decide_key_compromise(&p, &c, "JPN", now, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation_text),
		cmocka_unit_test(test_rotation_refused),
		cmocka_unit_test(test_compromise_text),
		cmocka_unit_test(test_key_at),
		cmocka_unit_test(test_rotation_rules),
		cmocka_unit_test(test_compromise_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
