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

#include "crypto/checkpoint.h"
#include "crypto/note.h"
#include "node/ledger.h"
#include "node/node.h"
#include "node/witness.h"
#include "store/witness_store.h"

#define HB 32

static char tmpdir[] = "/tmp/gsomia-test-witness-XXXXXX";
static struct node *kor, *jpn;

static int group_setup(void **state)
{
	struct gs_diag d = { { 0 } };
	char kh[256], jh[256], fpr[80];
	char *id = NULL;
	size_t idlen;
	struct party p;

	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	snprintf(kh, sizeof(kh), "%s/kor", tmpdir);
	snprintf(jh, sizeof(jh), "%s/jpn", tmpdir);
	if (node_init(kh, "KOR", NULL, NULL, NULL, true, "pw", 2, &d) ||
	    node_init(jh, "JPN", NULL, NULL, NULL, true, "pw", 2, &d) || node_open(kh, &kor, &d) ||
	    node_open(jh, &jpn, &d) || node_unlock(kor, "pw", 2, &d) || node_unlock(jpn, "pw", 2, &d)) {
		fprintf(stderr, "setup: %s\n", d.msg);
		return -1;
	}
	if (node_party_export(kor, &id, &idlen, &d) ||
	    node_party_import(jpn, (uint8_t *)id, idlen, &p, fpr, &d))
		return -1;
	free(id);
	if (node_party_export(jpn, &id, &idlen, &d) ||
	    node_party_import(kor, (uint8_t *)id, idlen, &p, fpr, &d))
		return -1;
	free(id);
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

static void append(struct node *n, const char *peer, unsigned type, int count)
{
	struct gs_diag d = { { 0 } };
	char v[32];
	int i;

	assert_int_equal(store_begin(n->st), 0);
	for (i = 0; i < count; i++) {
		snprintf(v, sizeof(v), "entry %d", i);
		assert_int_equal(ledger_event(n, peer, type, GS_INSTANT_NONE, "TEST", &d, "text", v, NULL), 0);
	}
	assert_int_equal(store_commit(n->st), 0);
}

static uint64_t size_of(struct node *n, const char *peer)
{
	struct gs_diag d = { { 0 } };
	uint8_t root[HB];
	uint64_t size;

	assert_int_equal(ledger_head(n, peer, &size, root, &d), 0);
	return size;
}

/* A checkpoint of KOR's log for JPN signed by KOR's key, of any size and
 * root: what a node showing a split view would sign. */
static char *forge(uint64_t size, uint8_t fill, size_t *len)
{
	struct gs_diag d = { { 0 } };
	struct checkpoint cp;
	char text[CHECKPOINT_TEXT_SIZE], *note = NULL;
	size_t tl;

	memset(&cp, 0, sizeof(cp));
	ledger_origin("KOR", true, "JPN", cp.origin);
	cp.size = size;
	memset(cp.root, fill, HB);
	assert_int_equal(checkpoint_format(&cp, text, sizeof(text), &tl), 0);
	assert_int_equal(note_sign(text, tl, cp.origin, kor->keys.sign_sk, &note, len, &d), 0);
	return note;
}

static int count_evidence(void *ctx, const struct store_evidence *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static int evidence(void)
{
	struct gs_diag d = { { 0 } };
	int n = 0;

	assert_int_equal(witness_evidence_each(jpn, "KOR", count_evidence, &n, &d), 0);
	return n;
}

static void test_name(void **state)
{
	char name[GS_MAX_NAME];

	(void)state;
	witness_name("JPN", true, name);
	assert_string_equal(name, "gsomia-exercise/JPN/witness");
	witness_name("KOR", false, name);
	assert_string_equal(name, "gsomia/KOR/witness");
	assert_true(note_name_valid(name, strlen(name)));
}

static int status_one(void *ctx, const struct witness_status *s)
{
	*(struct witness_status *)ctx = *s;
	return 0;
}

static void test_round(void **state)
{
	struct gs_diag d = { { 0 } };
	struct witness_request *r = malloc(sizeof(*r));
	struct witness_answer a;
	struct witness_status st;
	char bad[WITNESS_COSIG_LINE];
	uint64_t ts, k1, j1;
	bool need;

	(void)state;
	assert_non_null(r);
	append(kor, "JPN", LEDGER_NOTE, 3);
	k1 = size_of(kor, "JPN");
	j1 = size_of(jpn, "KOR");
	assert_int_equal(witness_needed(kor, "JPN", &need, &d), 0);
	assert_true(need);

	/* The first checkpoint: from size 0, no proof. */
	assert_int_equal(witness_request_make(kor, "JPN", r, &d), 0);
	assert_int_equal(r->old_size, 0);
	assert_int_equal(r->cp.size, k1);
	assert_int_equal(r->nproof, 0);
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", r->note, r->len, r->old_size,
						(const uint8_t (*)[HB])r->proof, r->nproof, &a, &d), 0);
	assert_non_null(strstr(a.cosignature, "— gsomia-exercise/JPN/witness "));
	assert_null(strchr(a.cosignature, '\n'));
	assert_int_equal(size_of(jpn, "KOR"), j1 + 1); /* cross-logged */

	/* A damaged cosignature is refused; the right one kept. */
	snprintf(bad, sizeof(bad), "%s", a.cosignature);
	bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
	assert_int_equal(witness_cosignature_accept(kor, r, bad, strlen(bad), &ts, &d), GS_ECRYPTO);
	assert_int_equal(witness_cosignature_accept(kor, r, "x", 1, &ts, &d), GS_ECRYPTO);
	assert_int_equal(witness_cosignature_accept(kor, r, a.cosignature, strlen(a.cosignature), &ts, &d), 0);
	assert_true(ts > 0);
	witness_request_free(r);

	/* Nothing new: the request says so (the peer cosigned this size). */
	assert_int_equal(witness_needed(kor, "JPN", &need, &d), 0);
	assert_false(need);
	assert_int_equal(witness_request_make(kor, "JPN", r, &d), 0);
	assert_int_equal(r->old_size, r->cp.size);
	/* Sent again all the same, it is cosigned again and not logged twice. */
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", r->note, r->len, r->old_size, NULL, 0, &a, &d), 0);
	assert_int_equal(size_of(jpn, "KOR"), j1 + 1);
	witness_request_free(r);

	/* Cross-log entries alone do not call for a new round. */
	append(kor, "JPN", LEDGER_PEER_CHECKPOINT, 1);
	assert_int_equal(witness_needed(kor, "JPN", &need, &d), 0);
	assert_false(need);
	append(kor, "JPN", LEDGER_NOTE, 4);
	assert_int_equal(witness_needed(kor, "JPN", &need, &d), 0);
	assert_true(need);

	/* Growth: consistency from the size cosigned. */
	assert_int_equal(witness_request_make(kor, "JPN", r, &d), 0);
	assert_int_equal(r->old_size, k1);
	assert_true(r->nproof > 0);
	/* a wrong old size: 409 with the size last cosigned */
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", r->note, r->len, 1, (const uint8_t (*)[HB])r->proof,
						r->nproof, &a, &d), GS_ESTATE);
	assert_int_equal(a.size, k1);
	/* an old size past the checkpoint: 400 */
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", r->note, r->len, r->cp.size + 1, NULL, 0, &a, &d),
			 GS_EINVAL);
	/* the right one */
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", r->note, r->len, r->old_size,
						(const uint8_t (*)[HB])r->proof, r->nproof, &a, &d), 0);
	assert_int_equal(witness_cosignature_accept(kor, r, a.cosignature, strlen(a.cosignature), NULL, &d), 0);
	assert_int_equal(witness_status_each(kor, status_one, &st, &d), 0);
	assert_string_equal(st.peer, "JPN");
	assert_true(st.cosigned);
	assert_int_equal(st.cosigned_size, r->cp.size);
	assert_int_equal(st.size, r->cp.size);
	assert_int_equal(witness_status_each(jpn, status_one, &st, &d), 0);
	assert_true(st.verified && st.witnessed);
	assert_int_equal(st.verified_size, r->cp.size);
	assert_int_equal(st.witnessed_size, r->cp.size);
	assert_int_equal(st.evidence, 0);
	witness_request_free(r);
	assert_int_equal(evidence(), 0);
	free(r);
}

static void test_refusals(void **state)
{
	struct gs_diag d = { { 0 } };
	struct witness_answer a;
	char *note = NULL, *forged;
	size_t len;
	uint64_t held, j;

	(void)state;
	held = size_of(kor, "JPN");
	j = size_of(jpn, "KOR");
	assert_int_equal(ledger_checkpoint(kor, "JPN", &note, &len, &d), 0);
	/* A flipped byte in the root: not signed by KOR (403). */
	forged = strdup(note);
	assert_non_null(forged);
	{
		char *c = strchr(strchr(forged, '\n') + 1, '\n') + 1; /* the root */

		*c = *c == 'A' ? 'B' : 'A';
	}
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", forged, len, held, NULL, 0, &a, &d), GS_EDENIED);
	free(forged);
	free(note);
	/* KOR's internal log, and JPN's own log: not KOR's log for JPN. */
	assert_int_equal(ledger_checkpoint(kor, NULL, &note, &len, &d), 0);
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", note, len, 0, NULL, 0, &a, &d), GS_EDENIED);
	free(note);
	assert_int_equal(ledger_checkpoint(jpn, "KOR", &note, &len, &d), 0);
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", note, len, 0, NULL, 0, &a, &d), GS_EDENIED);
	free(note);
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", "junk", 4, 0, NULL, 0, &a, &d), GS_EINVAL);
	/* None of that is evidence or logged. */
	assert_int_equal(evidence(), 0);
	assert_int_equal(size_of(jpn, "KOR"), j);
}

static void test_split_view(void **state)
{
	struct gs_diag d = { { 0 } };
	struct witness_answer a;
	struct witness_status st;
	uint8_t proof[2][HB];
	char *note;
	size_t len;
	uint64_t held, j;

	(void)state;
	held = size_of(kor, "JPN");
	j = size_of(jpn, "KOR");
	/* KOR signs another tree of the size JPN cosigned. */
	note = forge(held, 0x5a, &len);
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", note, len, held, NULL, 0, &a, &d), GS_ECRYPTO);
	assert_true(a.evidence);
	assert_non_null(strstr(d.msg, "split view"));
	assert_int_equal(evidence(), 1);
	assert_int_equal(size_of(jpn, "KOR"), j + 1); /* logged in JPN's log for KOR */
	/* Again: still refused, kept once, logged once. */
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", note, len, held, NULL, 0, &a, &d), GS_ECRYPTO);
	assert_true(a.evidence);
	assert_int_equal(evidence(), 1);
	assert_int_equal(size_of(jpn, "KOR"), j + 1);
	free(note);

	/* A larger tree with a proof that does not lead from the one held. */
	note = forge(held + 5, 0x33, &len);
	memset(proof, 0x11, sizeof(proof));
	assert_int_equal(witness_add_checkpoint(jpn, "KOR", note, len, held, (const uint8_t (*)[HB])proof, 2, &a, &d),
			 GS_ECRYPTO);
	assert_true(a.evidence);
	assert_non_null(strstr(d.msg, "not proved consistent"));
	assert_int_equal(evidence(), 2);
	free(note);

	/* The witness still holds the real checkpoint, and says what it found. */
	assert_int_equal(witness_status_each(jpn, status_one, &st, &d), 0);
	assert_int_equal(st.verified_size, held);
	assert_int_equal(st.evidence, 2);
	/* and its own ledger verifies */
	assert_int_equal(ledger_verify_local(jpn, NULL, NULL, NULL, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_split_view),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
