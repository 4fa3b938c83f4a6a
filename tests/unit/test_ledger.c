/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>

#include "crypto/merkle.h"
#include "node/ledger.h"
#include "node/node.h"
#include "store/ledger_store.h"
#include "util/encode.h"

#define HB 32

static char tmpdir[] = "/tmp/gsomia-test-ledger-XXXXXX";
static char kor_home[256], jpn_home[256];
static struct node *kor, *jpn;

static void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t got;

	assert_int_equal(hex_decode(s, strlen(s), out, n, &got), 0);
	assert_int_equal(got, n);
}

/* Runs one SQL statement on a home's database behind the node's back, as
 * someone with file access would. */
static void tamper(const char *home, const char *sql)
{
	char path[300];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/gsomia.db", home);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db) > 0, 1);
	sqlite3_close(db);
}

static int group_setup(void **state)
{
	struct gs_diag d = { { 0 } };
	char *id = NULL;
	size_t idlen;
	struct party p;
	char fpr[80];

	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	snprintf(kor_home, sizeof(kor_home), "%s/kor", tmpdir);
	snprintf(jpn_home, sizeof(jpn_home), "%s/jpn", tmpdir);
	if (node_init(kor_home, "KOR", NULL, NULL, NULL, true, "pw", 2, &d) ||
	    node_init(jpn_home, "JPN", NULL, NULL, NULL, true, "pw", 2, &d) ||
	    node_open(kor_home, &kor, &d) || node_open(jpn_home, &jpn, &d) ||
	    node_unlock(kor, "pw", 2, &d) || node_unlock(jpn, "pw", 2, &d)) {
		fprintf(stderr, "setup: %s\n", d.msg);
		return -1;
	}
	/* Each knows the other. */
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

/* ---- entry encoding ---------------------------------------------------- */

/* The example of docs/ledger.md, computed independently from the layout. */
static const char entry_hex[] =
	"47534c470101000000005dd7a390000102030405060708090a0b0c0d0e0f02a0a1a2a3a4a5a6a7a8a9aa"
	"abacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0d4b4f522d323031392d30303031034b4f52096b69"
	"6d2e6d696e6a69030961677265656d656e74000c4b4f522d4a504e2d32303136056c6162656c0011eab5"
	"b0ec82ac4949eab889ebb984ebb08009726563697069656e7400034a504e";
static const char entry_leaf_hex[] =
	"4675902acf18937d816a4218a2b609a210d6697da784fe567f26a864067749de";

static void example_entry(struct ledger_entry *e)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	e->type = LEDGER_RELEASE;
	e->time = 1574413200; /* 2019-11-22T09:00:00Z */
	for (i = 0; i < 16; i++)
		e->nonce[i] = (uint8_t)i;
	snprintf(e->item, sizeof(e->item), "KOR-2019-0001");
	e->digest_alg = LEDGER_DIGEST_BLAKE2B256;
	for (i = 0; i < 32; i++)
		e->digest[i] = (uint8_t)(0xa0 + i);
	snprintf(e->party, sizeof(e->party), "KOR");
	snprintf(e->person, sizeof(e->person), "kim.minji");
	/* Out of order on purpose: the encoding sorts them. */
	assert_int_equal(ledger_entry_field(e, "recipient", "JPN"), 0);
	assert_int_equal(ledger_entry_field(e, "agreement", "KOR-JPN-2016"), 0);
	assert_int_equal(ledger_entry_field(e, "label", "군사II급비밀"), 0);
}

static void test_entry_vector(void **state)
{
	struct ledger_entry e, back;
	uint8_t want[156], buf[GS_MAX_LEDGER_ENTRY], buf2[GS_MAX_LEDGER_ENTRY], leaf[HB], wl[HB];
	size_t len, len2;

	(void)state;
	example_entry(&e);
	assert_int_equal(strlen(entry_hex) / 2, sizeof(want));
	unhex(entry_hex, want, sizeof(want));
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, len);
	merkle_leaf_hash(buf, len, leaf);
	unhex(entry_leaf_hex, wl, HB);
	assert_memory_equal(leaf, wl, HB);

	assert_int_equal(ledger_entry_decode(buf, len, &back, NULL), 0);
	assert_int_equal(back.type, LEDGER_RELEASE);
	assert_int_equal(back.time, 1574413200);
	assert_string_equal(back.item, "KOR-2019-0001");
	assert_string_equal(back.person, "kim.minji");
	assert_int_equal(back.nfields, 3);
	assert_int_equal(back.fields[0].key_len, 9);
	assert_memory_equal(back.fields[0].key, "agreement", 9);
	assert_memory_equal(back.fields[1].value, "군사II급비밀", back.fields[1].value_len);
	assert_int_equal(ledger_entry_encode(&back, buf2, sizeof(buf2), &len2, NULL), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	assert_string_equal(ledger_type_name(LEDGER_ACCESS_REFUSAL), "access-refusal");
	assert_int_equal(ledger_type_parse("peer-checkpoint"), LEDGER_PEER_CHECKPOINT);
	assert_int_equal(ledger_type_parse("nonsense"), 0);
}

static void test_entry_rejects(void **state)
{
	struct ledger_entry e, out;
	struct gs_diag d;
	uint8_t buf[GS_MAX_LEDGER_ENTRY], bad[GS_MAX_LEDGER_ENTRY + 8];
	size_t len, i;
	static char big[GS_MAX_LEDGER_ENTRY];

	(void)state;
	example_entry(&e);
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, NULL), 0);

	/* Every truncation and one stray byte. */
	for (i = 0; i < len; i++)
		assert_int_not_equal(ledger_entry_decode(buf, i, &out, &d), 0);
	memcpy(bad, buf, len);
	bad[len] = 0;
	assert_int_equal(ledger_entry_decode(bad, len + 1, &out, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "stray"));
	/* Version 2, unknown type, bad magic. */
	memcpy(bad, buf, len);
	bad[4] = 2;
	assert_int_equal(ledger_entry_decode(bad, len, &out, &d), GS_EINVAL);
	memcpy(bad, buf, len);
	bad[5] = 200;
	assert_int_equal(ledger_entry_decode(bad, len, &out, &d), GS_EINVAL);
	memcpy(bad, buf, len);
	bad[0] = 'X';
	assert_int_equal(ledger_entry_decode(bad, len, &out, &d), GS_EINVAL);
	/* Fields out of order: swap the first key "agreement" for "zgreement". */
	memcpy(bad, buf, len);
	for (i = 0; i + 9 <= len; i++)
		if (!memcmp(bad + i, "agreement", 9)) {
			bad[i] = 'z';
			break;
		}
	assert_int_equal(ledger_entry_decode(bad, len, &out, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "order"));

	/* Encoding refuses bad input. */
	e.nfields = 0;
	assert_int_equal(ledger_entry_field(&e, "Bad Key", "x"), 0);
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_EINVAL);
	e.nfields = 0;
	assert_int_equal(ledger_entry_field(&e, "k", "a"), 0);
	assert_int_equal(ledger_entry_field(&e, "k", "b"), 0);
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "twice"));
	e.nfields = 0;
	assert_int_equal(ledger_entry_field(&e, "k", "bell\a"), 0);
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_EINVAL);
	e.nfields = 0;
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(ledger_entry_field(&e, "k", big), 0);
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_ELIMIT);
	e.nfields = 0;
	snprintf(e.party, sizeof(e.party), "kor");
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_EINVAL);
	snprintf(e.party, sizeof(e.party), "KOR");
	e.type = 0;
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_EINVAL);
	e.type = LEDGER_NOTE;
	e.digest_alg = LEDGER_DIGEST_NONE;
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), GS_EINVAL);
	memset(e.digest, 0, sizeof(e.digest));
	assert_int_equal(ledger_entry_encode(&e, buf, sizeof(buf), &len, &d), 0);
}

/* ---- the stored tree --------------------------------------------------- */

static const char *rfc_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *rfc_roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void test_rfc6962_stored(void **state)
{
	struct gs_diag d = { { 0 } };
	uint8_t in[16], root[HB], want[HB];
	uint64_t idx, size;
	size_t i, n;

	(void)state;
	/* Three transactions (3 + 1 + 4) so that the cached range and the
	 * reload from the stored hashes both meet the vectors. */
	for (i = 0; i < 8; i++) {
		if (i == 0 || i == 3 || i == 4)
			assert_int_equal(store_begin(kor->st), 0);
		n = strlen(rfc_leaves[i]) / 2;
		if (n)
			unhex(rfc_leaves[i], in, n);
		assert_int_equal(ledger_append_raw(kor, "XYZ", in, n, "raw", 0, &idx, &d), 0);
		assert_int_equal(idx, i);
		assert_int_equal(ledger_root(kor, "XYZ", i + 1, root, &d), 0);
		unhex(rfc_roots[i], want, HB);
		assert_memory_equal(root, want, HB);
		if (i == 2 || i == 3 || i == 7)
			assert_int_equal(store_commit(kor->st), 0);
	}
	/* Every prefix again from the committed store. */
	for (i = 0; i < 8; i++) {
		assert_int_equal(ledger_root(kor, "XYZ", i + 1, root, &d), 0);
		unhex(rfc_roots[i], want, HB);
		assert_memory_equal(root, want, HB);
	}
	merkle_empty_root(want);
	assert_int_equal(ledger_root(kor, "XYZ", 0, root, &d), 0);
	assert_memory_equal(root, want, HB);
	assert_int_equal(ledger_head(kor, "XYZ", &size, root, &d), 0);
	assert_int_equal(size, 8);
	/* An append outside a transaction is refused. */
	assert_int_equal(ledger_append_raw(kor, "XYZ", in, 1, "raw", 0, &idx, &d), GS_ESTATE);
	/* The raw bytes are no entries: verify says so and names one. */
	assert_int_equal(ledger_verify_local(kor, "XYZ", NULL, NULL, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "entry 0"));
}

struct leaves {
	uint8_t h[64][HB];
	size_t n;
};

static int collect_leaf(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	struct leaves *l = ctx;

	(void)e;
	assert_int_equal(index, l->n);
	memcpy(l->h[l->n++], leaf, HB);
	return 0;
}

static void append_note(struct node *n, const char *peer, int i)
{
	char v[32];
	struct gs_diag d = { { 0 } };
	int ret;

	snprintf(v, sizeof(v), "entry %d", i);
	ret = ledger_event(n, peer, LEDGER_NOTE, GS_INSTANT_NONE, "TEST", &d, "text", v, NULL);
	if (ret)
		fprintf(stderr, "append: %s\n", d.msg);
	assert_int_equal(ret, 0);
}

static void test_proofs_all_pairs(void **state)
{
	struct gs_diag d = { { 0 } };
	struct leaves *l = calloc(1, sizeof(*l));
	struct merkle_mem mem;
	uint8_t (*proof)[HB] = malloc(GS_MAX_PROOF_HASHES * HB);
	uint8_t (*mp)[HB] = malloc(GS_MAX_PROOF_HASHES * HB);
	uint8_t roots[21][HB], r[HB];
	uint64_t size, m, k;
	size_t np, nm;
	int i;

	(void)state;
	assert_non_null(l);
	assert_non_null(proof);
	assert_non_null(mp);
	/* 7 entries, a rolled-back batch of 5, then 13 more in one batch. */
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 0; i < 7; i++)
		append_note(kor, "ABC", i);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 0; i < 5; i++)
		append_note(kor, "ABC", 100 + i);
	store_rollback(kor->st);
	assert_int_equal(ledger_head(kor, "ABC", &size, r, &d), 0);
	assert_int_equal(size, 7);
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 7; i < 20; i++)
		append_note(kor, "ABC", i);
	assert_int_equal(store_commit(kor->st), 0);

	assert_int_equal(ledger_each(kor, "ABC", 0, UINT64_MAX, collect_leaf, l, &d), 0);
	assert_int_equal(l->n, 20);
	/* The stored tree agrees with an in-memory tree of the same leaves. */
	merkle_mem_init(&mem);
	merkle_empty_root(roots[0]);
	for (size = 1; size <= 20; size++) {
		assert_int_equal(merkle_mem_append_hash(&mem, l->h[size - 1]), 0);
		assert_int_equal(ledger_root(kor, "ABC", size, roots[size], &d), 0);
		assert_int_equal(merkle_root(merkle_mem_get, &mem, size, r), 0);
		assert_memory_equal(r, roots[size], HB);
	}
	for (size = 1; size <= 20; size++)
		for (k = 0; k < size; k++) {
			assert_int_equal(ledger_prove_inclusion(kor, "ABC", k, size, proof, &np, &d), 0);
			assert_int_equal(merkle_verify_inclusion(k, size, l->h[k], (const uint8_t (*)[HB])proof,
								 np, roots[size]), 0);
			assert_int_equal(merkle_prove_inclusion(merkle_mem_get, &mem, k, size, mp, &nm), 0);
			assert_int_equal(nm, np);
			assert_memory_equal(mp, proof, np * HB);
			/* The same proof fails for the neighbour leaf. */
			if (size > 1)
				assert_int_not_equal(merkle_verify_inclusion(k, size, l->h[(k + 1) % size],
									     (const uint8_t (*)[HB])proof,
									     np, roots[size]), 0);
		}
	for (size = 0; size <= 20; size++)
		for (m = 0; m <= size; m++) {
			assert_int_equal(ledger_prove_consistency(kor, "ABC", m, size, proof, &np, &d), 0);
			assert_int_equal(merkle_verify_consistency(m, size, roots[m], roots[size],
								   (const uint8_t (*)[HB])proof, np), 0);
			if (m > 0 && m < size)
				assert_int_not_equal(merkle_verify_consistency(m, size, roots[m], roots[size - 1],
									       (const uint8_t (*)[HB])proof, np), 0);
		}
	assert_int_equal(ledger_prove_inclusion(kor, "ABC", 20, 20, proof, &np, &d), GS_EINVAL);
	assert_int_equal(ledger_prove_consistency(kor, "ABC", 3, 21, proof, &np, &d), GS_EINVAL);
	assert_int_equal(ledger_verify_local(kor, "ABC", NULL, NULL, &d), 0);
	merkle_mem_free(&mem);
	free(proof);
	free(mp);
	free(l);
}

static int count_rows(const char *home, const char *sql)
{
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	snprintf(path, sizeof(path), "%s/gsomia.db", home);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void test_checkpoints(void **state)
{
	struct gs_diag d = { { 0 } };
	struct checkpoint c1, c2;
	char *n1 = NULL, *n2 = NULL, *n3 = NULL, peer[GS_MAX_CODE];
	size_t l1, l2, l3, np;
	uint8_t (*proof)[HB] = malloc(GS_MAX_PROOF_HASHES * HB);
	int i, before;

	(void)state;
	assert_non_null(proof);
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 0; i < 5; i++)
		append_note(kor, "CKP", i);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(ledger_checkpoint(kor, "CKP", &n1, &l1, &d), 0);
	assert_int_equal(ledger_verify_checkpoint(&kor->self, n1, l1, &c1, peer, &d), 0);
	assert_string_equal(c1.origin, "gsomia-exercise/KOR/ledger/CKP");
	assert_string_equal(peer, "CKP");
	assert_int_equal(c1.size, 5);
	/* Not grown: the same checkpoint, no new signature. */
	assert_int_equal(ledger_checkpoint(kor, "CKP", &n2, &l2, &d), 0);
	assert_int_equal(l2, l1);
	assert_memory_equal(n2, n1, l1);
	free(n2);
	/* Grown: a new checkpoint, provably consistent with the first. */
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 5; i < 12; i++)
		append_note(kor, "CKP", i);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(ledger_checkpoint(kor, "CKP", &n2, &l2, &d), 0);
	assert_int_equal(ledger_verify_checkpoint(&kor->self, n2, l2, &c2, peer, &d), 0);
	assert_int_equal(c2.size, 12);
	assert_int_equal(ledger_prove_consistency(kor, "CKP", 5, 12, proof, &np, &d), 0);
	assert_int_equal(ledger_verify_consistency(&kor->self, n1, l1, n2, l2, (const uint8_t (*)[HB])proof,
						   np, &d), 0);
	/* Swapped, or with another party's key: refused. */
	assert_int_not_equal(ledger_verify_consistency(&kor->self, n2, l2, n1, l1,
						       (const uint8_t (*)[HB])proof, np, &d), 0);
	assert_int_not_equal(ledger_verify_checkpoint(&jpn->self, n2, l2, &c2, peer, &d), 0);
	/* A flipped byte in the root line or the signature. */
	n2[l2 - 10] ^= 1;
	assert_int_not_equal(ledger_verify_checkpoint(&kor->self, n2, l2, &c2, peer, &d), 0);
	n2[l2 - 10] ^= 1;
	n2[strlen(c2.origin) + 4] ^= 1;
	assert_int_not_equal(ledger_verify_checkpoint(&kor->self, n2, l2, &c2, peer, &d), 0);
	n2[strlen(c2.origin) + 4] ^= 1;

	/* Rewriting history under the latest checkpoint: the node refuses
	 * to sign anything inconsistent with it, and stores nothing. */
	assert_int_equal(store_begin(kor->st), 0);
	append_note(kor, "CKP", 12);
	assert_int_equal(store_commit(kor->st), 0);
	tamper(kor_home, "UPDATE ledger_hashes SET hash = zeroblob(32) WHERE level = 3 AND idx = 0 AND "
			 "log = (SELECT id FROM ledger_logs WHERE origin LIKE '%/CKP')");
	before = count_rows(kor_home, "SELECT count(*) FROM ledger_checkpoints");
	assert_int_equal(ledger_checkpoint(kor, "CKP", &n3, &l3, &d), GS_ECRYPTO);
	assert_null(n3);
	assert_non_null(strstr(d.msg, "refusing to sign"));
	assert_int_equal(count_rows(kor_home, "SELECT count(*) FROM ledger_checkpoints"), before);
	/* verify names the entries under the damaged subtree. */
	assert_int_equal(ledger_verify_local(kor, "CKP", NULL, NULL, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "entries 0-7"));
	free(n1);
	free(n2);
	free(proof);
}

static void test_proof_file(void **state)
{
	struct gs_diag d = { { 0 } };
	struct ledger_proof *pf = malloc(sizeof(*pf));
	struct ledger_verified *v = malloc(sizeof(*v));
	char *file = NULL, *file2 = NULL, *bad;
	size_t len, len2, i, hpos;
	int fails = 0;

	(void)state;
	assert_non_null(pf);
	assert_non_null(v);
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 0; i < 11; i++)
		append_note(kor, "PRF", (int)i);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(ledger_proof_make(kor, "PRF", 6, &file, &len, &d), 0);
	assert_int_equal(strncmp(file, "c2sp.org/tlog-proof@v1\nextra ", 29), 0);
	assert_non_null(strstr(file, "\nindex 6\n"));
	assert_int_equal(ledger_proof_parse(file, len, pf, &d), 0);
	assert_int_equal(pf->index, 6);
	assert_int_equal(pf->nhashes, 4);
	assert_int_equal(ledger_verify_proof(&kor->self, pf, v, &d), 0);
	assert_int_equal(v->index, 6);
	assert_int_equal(v->cp.size, 11);
	assert_int_equal(v->entry.type, LEDGER_NOTE);
	assert_memory_equal(v->entry.fields[0].value, "entry 6", 7);
	/* Another party's identity: refused. */
	assert_int_not_equal(ledger_verify_proof(&jpn->self, pf, v, &d), 0);

	/* Every single flipped bit anywhere in the file is caught by parse or
	 * verify, except in the signature line's base64 padding-free tail
	 * where a flip still changes the signature, so: every one. */
	bad = malloc(len);
	assert_non_null(bad);
	for (i = 0; i < len; i++) {
		memcpy(bad, file, len);
		bad[i] ^= 0x01;
		if (ledger_proof_parse(bad, len, pf, &d) == 0 &&
		    ledger_verify_proof(&kor->self, pf, v, &d) == 0) {
			fprintf(stderr, "flip at %zu passed: %.40s\n", i, file + i);
			fails++;
		}
	}
	assert_int_equal(fails, 0);
	/* Every truncation. */
	for (i = 0; i < len; i++)
		if (ledger_proof_parse(file, i, pf, &d) == 0 &&
		    ledger_verify_proof(&kor->self, pf, v, &d) == 0)
			fails++;
	assert_int_equal(fails, 0);
	free(bad);

	/* The proof of entry 6 at size 11 under a checkpoint of size 12:
	 * the wrong size is refused. */
	assert_int_equal(store_begin(kor->st), 0);
	append_note(kor, "PRF", 11);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(ledger_proof_make(kor, "PRF", 11, &file2, &len2, &d), 0);
	hpos = (size_t)(strstr(file, "\n\n") - file) + 2;
	bad = malloc(hpos + len2);
	assert_non_null(bad);
	memcpy(bad, file, hpos);
	i = (size_t)(strstr(file2, "\n\n") - file2) + 2;
	memcpy(bad + hpos, file2 + i, len2 - i);
	assert_int_equal(ledger_proof_parse(bad, hpos + len2 - i, pf, &d), 0);
	assert_int_equal(ledger_verify_proof(&kor->self, pf, v, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "size 12"));
	free(bad);

	/* Proofs for entries past the log, and malformed files. */
	free(file2);
	assert_int_equal(ledger_proof_make(kor, "PRF", 12, &file2, &len2, &d), GS_ENOTFOUND);
	assert_null(file2);
	assert_int_equal(ledger_proof_parse("c2sp.org/tlog-proof@v1\nindex 1\n\nx\n", 35, pf, &d), GS_EINVAL);
	free(file);
	free(file2);
	free(pf);
	free(v);
}

static void test_peer_checkpoints(void **state)
{
	struct gs_diag d = { { 0 } };
	char *n1 = NULL, *n2 = NULL, *ni = NULL;
	size_t l1, l2, li, np;
	uint8_t (*proof)[HB] = malloc(GS_MAX_PROOF_HASHES * HB);
	uint64_t size;
	uint8_t root[HB];
	int i;

	(void)state;
	assert_non_null(proof);
	/* KOR's log of its relationship with JPN. */
	assert_int_equal(store_begin(kor->st), 0);
	for (i = 0; i < 3; i++)
		append_note(kor, "JPN", i);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(ledger_checkpoint(kor, "JPN", &n1, &l1, &d), 0);
	assert_int_equal(ledger_head(jpn, "KOR", &size, root, &d), 0);
	assert_int_equal(size, 1); /* the import of KOR's identity */
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", n1, l1, NULL, 0, &d), 0);
	/* Cross-logged: JPN's log for KOR now holds KOR's checkpoint. */
	assert_int_equal(ledger_head(jpn, "KOR", &size, root, &d), 0);
	assert_int_equal(size, 2);
	/* Again: harmless (same size, same note). */
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", n1, l1, NULL, 0, &d), 0);

	assert_int_equal(store_begin(kor->st), 0);
	for (i = 3; i < 9; i++)
		append_note(kor, "JPN", i);
	assert_int_equal(store_commit(kor->st), 0);
	assert_int_equal(ledger_checkpoint(kor, "JPN", &n2, &l2, &d), 0);
	/* A growth without a proof, or with a wrong one, is refused. */
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", n2, l2, NULL, 0, &d), GS_ECRYPTO);
	assert_int_equal(ledger_prove_consistency(kor, "JPN", 3, 10, proof, &np, &d), 0);
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", n2, l2, (const uint8_t (*)[HB])proof, np, &d),
			 GS_ECRYPTO);
	assert_int_equal(ledger_prove_consistency(kor, "JPN", 4, 10, proof, &np, &d), 0);
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", n2, l2, (const uint8_t (*)[HB])proof, np, &d), 0);
	/* Older than the one held: refused. */
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", n1, l1, NULL, 0, &d), GS_EDENIED);
	/* KOR's internal log is none of JPN's business. */
	assert_int_equal(ledger_checkpoint(kor, NULL, &ni, &li, &d), 0);
	assert_int_equal(ledger_peer_checkpoint_add(jpn, "KOR", ni, li, NULL, 0, &d), GS_EDENIED);
	/* JPN's own ledger still verifies. */
	assert_int_equal(ledger_verify_local(jpn, NULL, NULL, NULL, &d), 0);
	free(n1);
	free(n2);
	free(ni);
	free(proof);
}

static void test_verify_names_entry(void **state)
{
	struct gs_diag d = { { 0 } };
	char *note = NULL;
	size_t len;
	int i;

	(void)state;
	assert_int_equal(store_begin(jpn->st), 0);
	for (i = 0; i < 6; i++)
		append_note(jpn, "VER", i);
	assert_int_equal(store_commit(jpn->st), 0);
	assert_int_equal(ledger_checkpoint(jpn, "VER", &note, &len, &d), 0);
	free(note);
	assert_int_equal(ledger_verify_local(jpn, "VER", NULL, NULL, &d), 0);
	/* An entry altered in place. */
	tamper(jpn_home, "UPDATE ledger_entries SET entry = CAST(replace(CAST(entry AS TEXT), 'entry 4', "
			 "'entry 5') AS BLOB) WHERE idx = 4 AND log = (SELECT id FROM ledger_logs WHERE origin LIKE '%/VER')");
	assert_int_equal(ledger_verify_local(jpn, "VER", NULL, NULL, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "entry 4"));
	/* ... with its leaf hash recomputed too: the tree above catches it. */
	tamper(jpn_home, "UPDATE ledger_entries SET leaf = (SELECT leaf FROM ledger_entries e2 WHERE e2.log = "
			 "ledger_entries.log AND e2.idx = 5) WHERE idx = 4 AND log = (SELECT id FROM ledger_logs "
			 "WHERE origin LIKE '%/VER')");
	assert_int_equal(ledger_verify_local(jpn, "VER", NULL, NULL, &d), GS_ECRYPTO);
	/* A checkpoint altered in place. */
	tamper(jpn_home, "UPDATE ledger_checkpoints SET note = CAST(replace(CAST(note AS TEXT), '\n6\n', '\n7\n') "
			 "AS BLOB) WHERE log = (SELECT id FROM ledger_logs WHERE origin LIKE '%/VER')");
	assert_int_equal(ledger_verify_local(jpn, "VER", NULL, NULL, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "checkpoint at size 6"));
}

static void test_mem_append(void **state)
{
	struct ledger_mem m;
	struct ledger_entry e;
	uint64_t idx;
	int i;

	(void)state;
	example_entry(&e);
	ledger_mem_init(&m);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(ledger_mem_append(&m, &e, &idx, NULL), 0);
		assert_int_equal(idx, (uint64_t)i);
	}
	assert_int_equal(m.tree.range.size, 1000);
	ledger_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_vector),
		cmocka_unit_test(test_entry_rejects),
		cmocka_unit_test(test_rfc6962_stored),
		cmocka_unit_test(test_proofs_all_pairs),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_proof_file),
		cmocka_unit_test(test_peer_checkpoints),
		cmocka_unit_test(test_verify_names_entry),
		cmocka_unit_test(test_mem_append),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
