/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "crypto/merkle.h"
#include "util/encode.h"
#include "util/err.h"

#define HB MERKLE_HASH_BYTES

/* RFC 6962 test inputs and the roots of their prefixes (the tables of
 * certificate-transparency and transparency-dev/merkle). */
static const char *leaves_hex[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *roots_hex[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Published proofs (transparency-dev/merkle proof/verify_test.go); leaf
 * numbers there are 1-based, indexes here 0-based. */
static const struct {
	uint64_t index, size;
	size_t n;
	const char *hex[3];
} incl_vectors[] = {
	{ 0, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 5, 8, 3, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 1, 5, 3, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 0, 1, 0, { NULL } },
};

static const struct {
	uint64_t first, second;
	size_t n;
	const char *hex[3];
} cons_vectors[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, 2, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 6, 7, 3, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
};

static void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t got;

	assert_int_equal(hex_decode(s, strlen(s), out, n, &got), 0);
	assert_int_equal(got, n);
}

static struct merkle_mem tree8;
static uint8_t roots8[8][HB];
static uint8_t leaf8[8][HB];

static void build8(void)
{
	uint8_t entry[16];
	size_t i, n;

	merkle_mem_init(&tree8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(hex_decode(leaves_hex[i], strlen(leaves_hex[i]), entry,
					    sizeof(entry), &n), 0);
		merkle_leaf_hash(entry, n, leaf8[i]);
		assert_int_equal(merkle_mem_append(&tree8, entry, n), 0);
		unhex(roots_hex[i], roots8[i], HB);
	}
}

/* The RFC's recursive definition, straight from the text, over leaf hashes. */
static void ref_mth(uint8_t (*leaf)[HB], uint64_t n, uint8_t out[HB])
{
	uint8_t l[HB], r[HB];
	uint64_t k = 1;

	if (n == 0) {
		merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaf[0], HB);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	ref_mth(leaf, k, l);
	ref_mth(leaf + k, n - k, r);
	merkle_node_hash(l, r, out);
}

static void test_roots(void **state)
{
	struct merkle_range r;
	uint8_t root[HB], empty[HB];
	uint64_t i;

	(void)state;
	build8();
	unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty, HB);
	assert_int_equal(merkle_root(merkle_mem_get, &tree8, 0, root), 0);
	assert_memory_equal(root, empty, HB);
	merkle_range_init(&r);
	merkle_range_root(&r, root);
	assert_memory_equal(root, empty, HB);
	for (i = 1; i <= 8; i++) {
		assert_int_equal(merkle_root(merkle_mem_get, &tree8, i, root), 0);
		assert_memory_equal(root, roots8[i - 1], HB);
		assert_int_equal(merkle_range_append(&r, leaf8[i - 1], NULL, NULL), 0);
		merkle_range_root(&r, root);
		assert_memory_equal(root, roots8[i - 1], HB);
	}
	merkle_range_root(&tree8.range, root);
	assert_memory_equal(root, roots8[7], HB);
	/* Beyond what is stored. */
	assert_int_equal(merkle_root(merkle_mem_get, &tree8, 9, root), GS_ENOTFOUND);
	merkle_mem_free(&tree8);
}

static void test_published_proofs(void **state)
{
	uint8_t proof[GS_MAX_PROOF_HASHES][HB], want[3][HB];
	size_t i, j, n;

	(void)state;
	build8();
	for (i = 0; i < sizeof(incl_vectors) / sizeof(incl_vectors[0]); i++) {
		for (j = 0; j < incl_vectors[i].n; j++)
			unhex(incl_vectors[i].hex[j], want[j], HB);
		assert_int_equal(merkle_prove_inclusion(merkle_mem_get, &tree8,
							incl_vectors[i].index,
							incl_vectors[i].size, proof, &n), 0);
		assert_int_equal(n, incl_vectors[i].n);
		assert_memory_equal(proof, want, n * HB);
		assert_int_equal(merkle_verify_inclusion(incl_vectors[i].index,
							 incl_vectors[i].size,
							 leaf8[incl_vectors[i].index],
							 (const uint8_t (*)[HB])want, n,
							 roots8[incl_vectors[i].size - 1]), 0);
	}
	for (i = 0; i < sizeof(cons_vectors) / sizeof(cons_vectors[0]); i++) {
		for (j = 0; j < cons_vectors[i].n; j++)
			unhex(cons_vectors[i].hex[j], want[j], HB);
		assert_int_equal(merkle_prove_consistency(merkle_mem_get, &tree8,
							  cons_vectors[i].first,
							  cons_vectors[i].second, proof, &n), 0);
		assert_int_equal(n, cons_vectors[i].n);
		assert_memory_equal(proof, want, n * HB);
		assert_int_equal(merkle_verify_consistency(cons_vectors[i].first,
							   cons_vectors[i].second,
							   roots8[cons_vectors[i].first - 1],
							   roots8[cons_vectors[i].second - 1],
							   (const uint8_t (*)[HB])want, n), 0);
	}
	merkle_mem_free(&tree8);
}

/* Every way of damaging a good inclusion proof must fail. */
static void check_inclusion_corruptions(uint64_t index, uint64_t size,
					const uint8_t leaf[HB],
					uint8_t (*proof)[HB], size_t n,
					const uint8_t root[HB])
{
	uint8_t bad[GS_MAX_PROOF_HASHES + 1][HB], other[HB];
	size_t i;

	memset(other, 0xab, HB);
	assert_int_equal(merkle_verify_inclusion(index, size, leaf,
						 (const uint8_t (*)[HB])proof, n, root), 0);
	if (index > 0)
		assert_int_not_equal(merkle_verify_inclusion(index - 1, size, leaf,
				(const uint8_t (*)[HB])proof, n, root), 0);
	assert_int_not_equal(merkle_verify_inclusion(index + 1, size, leaf,
			(const uint8_t (*)[HB])proof, n, root), 0);
	if ((index ^ 2) < size)
		assert_int_not_equal(merkle_verify_inclusion(index ^ 2, size, leaf,
				(const uint8_t (*)[HB])proof, n, root), 0);
	assert_int_not_equal(merkle_verify_inclusion(index, size * 2, leaf,
			(const uint8_t (*)[HB])proof, n, root), 0);
	assert_int_not_equal(merkle_verify_inclusion(index, size / 2, leaf,
			(const uint8_t (*)[HB])proof, n, root), 0);
	assert_int_not_equal(merkle_verify_inclusion(index, size, other,
			(const uint8_t (*)[HB])proof, n, root), 0);
	assert_int_not_equal(merkle_verify_inclusion(index, size, leaf,
			(const uint8_t (*)[HB])proof, n, other), 0);
	/* Trailing and leading extra hashes. */
	memcpy(bad, proof, n * HB);
	memcpy(bad[n], root, HB);
	assert_int_not_equal(merkle_verify_inclusion(index, size, leaf,
			(const uint8_t (*)[HB])bad, n + 1, root), 0);
	memcpy(bad[0], root, HB);
	memcpy(bad + 1, proof, n * HB);
	assert_int_not_equal(merkle_verify_inclusion(index, size, leaf,
			(const uint8_t (*)[HB])bad, n + 1, root), 0);
	if (n > 0)
		assert_int_not_equal(merkle_verify_inclusion(index, size, leaf,
				(const uint8_t (*)[HB])proof, n - 1, root), 0);
	for (i = 0; i < n; i++) {
		memcpy(bad, proof, n * HB);
		bad[i][0] ^= 8;
		assert_int_equal(merkle_verify_inclusion(index, size, leaf,
				(const uint8_t (*)[HB])bad, n, root), GS_ECRYPTO);
	}
}

static void check_consistency_corruptions(uint64_t m, uint64_t n2,
					  const uint8_t r1[HB], const uint8_t r2[HB],
					  uint8_t (*proof)[HB], size_t n)
{
	uint8_t bad[GS_MAX_PROOF_HASHES + 1][HB], other[HB];
	size_t i;

	memset(other, 0xcd, HB);
	assert_int_equal(merkle_verify_consistency(m, n2, r1, r2,
						   (const uint8_t (*)[HB])proof, n), 0);
	if (n == 0)
		return;
	assert_int_not_equal(merkle_verify_consistency(m - 1, n2, r1, r2,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m + 1, n2, r1, r2,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m ^ 2, n2, r1, r2,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2 * 2, r1, r2,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2 / 2, r1, r2,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2, other, r2,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, other,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r2, r1,
			(const uint8_t (*)[HB])proof, n), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, r2,
			(const uint8_t (*)[HB])proof, 0), 0);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, r2,
			(const uint8_t (*)[HB])proof, n - 1), 0);
	memcpy(bad, proof, n * HB);
	memcpy(bad[n], r1, HB);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, r2,
			(const uint8_t (*)[HB])bad, n + 1), 0);
	memcpy(bad[n], r2, HB);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, r2,
			(const uint8_t (*)[HB])bad, n + 1), 0);
	memcpy(bad[0], r1, HB);
	memcpy(bad + 1, proof, n * HB);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, r2,
			(const uint8_t (*)[HB])bad, n + 1), 0);
	memcpy(bad[0], proof[0], HB);
	assert_int_not_equal(merkle_verify_consistency(m, n2, r1, r2,
			(const uint8_t (*)[HB])bad, n + 1), 0);
	for (i = 0; i < n; i++) {
		memcpy(bad, proof, n * HB);
		bad[i][0] ^= 16;
		assert_int_equal(merkle_verify_consistency(m, n2, r1, r2,
				(const uint8_t (*)[HB])bad, n), GS_ECRYPTO);
	}
}

/* All pairs up to 8 over the RFC inputs, and up to 70 over generated
 * leaves, against the recursive definition. */
static void test_all_pairs(void **state)
{
	enum { N = 70 };
	uint8_t (*leaf)[HB] = malloc(N * HB);
	uint8_t (*roots)[HB] = malloc((N + 1) * HB);
	uint8_t proof[GS_MAX_PROOF_HASHES][HB], root[HB];
	struct merkle_mem m;
	struct merkle_range r;
	uint64_t i, s, a;
	size_t n;

	(void)state;
	assert_non_null(leaf);
	assert_non_null(roots);
	build8();
	merkle_mem_init(&m);
	for (i = 0; i < N; i++) {
		uint8_t e[8];

		if (i < 8) {
			memcpy(leaf[i], leaf8[i], HB);
		} else {
			memcpy(e, &i, sizeof(e));
			merkle_leaf_hash(e, sizeof(e), leaf[i]);
		}
		assert_int_equal(merkle_mem_append_hash(&m, leaf[i]), 0);
	}
	for (s = 0; s <= N; s++) {
		ref_mth(leaf, s, roots[s]);
		assert_int_equal(merkle_root(merkle_mem_get, &m, s, root), 0);
		assert_memory_equal(root, roots[s], HB);
		assert_int_equal(merkle_range_load(&r, s, merkle_mem_get, &m), 0);
		merkle_range_root(&r, root);
		assert_memory_equal(root, roots[s], HB);
		if (s >= 1 && s <= 8)
			assert_memory_equal(roots[s], roots8[s - 1], HB);
	}
	for (s = 1; s <= N; s++) {
		for (i = 0; i < s; i++) {
			assert_int_equal(merkle_prove_inclusion(merkle_mem_get, &m, i, s,
								proof, &n), 0);
			check_inclusion_corruptions(i, s, leaf[i], proof, n, roots[s]);
		}
		assert_int_equal(merkle_prove_inclusion(merkle_mem_get, &m, s, s, proof, &n),
				 GS_EINVAL);
	}
	for (s = 0; s <= N; s++) {
		for (a = 0; a <= s; a++) {
			assert_int_equal(merkle_prove_consistency(merkle_mem_get, &m, a, s,
								  proof, &n), 0);
			if (a == 0 || a == s)
				assert_int_equal(n, 0);
			check_consistency_corruptions(a, s, roots[a], roots[s], proof, n);
		}
	}
	assert_int_equal(merkle_prove_consistency(merkle_mem_get, &m, 3, 2, proof, &n),
			 GS_EINVAL);
	merkle_mem_free(&m);
	merkle_mem_free(&tree8);
	free(leaf);
	free(roots);
}

/* The edge cases of transparency-dev/merkle's TestVerifyConsistency and
 * TestVerifyInclusion. */
static void test_edges(void **state)
{
	uint8_t r1[HB], r2[HB], empty[HB], some[HB], big[GS_MAX_PROOF_HASHES + 1][HB];

	(void)state;
	memset(r1, 1, HB);
	memset(r2, 2, HB);
	memset(some, 0x5a, HB);
	memset(big, 0, sizeof(big));
	merkle_empty_root(empty);
	assert_int_not_equal(merkle_verify_consistency(0, 0, r1, r2, NULL, 0), 0);
	assert_int_not_equal(merkle_verify_consistency(1, 1, r1, r2, NULL, 0), 0);
	assert_int_equal(merkle_verify_consistency(0, 0, r1, r1, NULL, 0), 0);
	assert_int_equal(merkle_verify_consistency(0, 1, r1, r2, NULL, 0), 0);
	assert_int_equal(merkle_verify_consistency(1, 1, r2, r2, NULL, 0), 0);
	assert_int_equal(merkle_verify_consistency(1, 0, r1, r2, NULL, 0), GS_EINVAL);
	assert_int_equal(merkle_verify_consistency(2, 1, r1, r2, NULL, 0), GS_EINVAL);
	assert_int_not_equal(merkle_verify_consistency(1, 2, r1, r2, NULL, 0), 0);
	assert_int_not_equal(merkle_verify_consistency(0, 0, empty, empty,
			(const uint8_t (*)[HB])&empty, 1), 0);
	assert_int_not_equal(merkle_verify_consistency(0, 1, empty, empty,
			(const uint8_t (*)[HB])&empty, 1), 0);
	assert_int_not_equal(merkle_verify_consistency(1, 1, empty, empty,
			(const uint8_t (*)[HB])&empty, 1), 0);
	assert_int_equal(merkle_verify_consistency(1, 3, r1, r2,
			(const uint8_t (*)[HB])big, GS_MAX_PROOF_HASHES + 1), GS_ELIMIT);

	assert_int_equal(merkle_verify_inclusion(0, 0, some, NULL, 0, empty), GS_EINVAL);
	assert_int_equal(merkle_verify_inclusion(1, 0, some, NULL, 0, empty), GS_EINVAL);
	assert_int_equal(merkle_verify_inclusion(2, 1, some, NULL, 0, empty), GS_EINVAL);
	assert_int_equal(merkle_verify_inclusion(0, 1, some, NULL, 0, empty), GS_ECRYPTO);
	assert_int_equal(merkle_verify_inclusion(0, 1, some, NULL, 0, some), 0);
	assert_int_equal(merkle_verify_inclusion(0, 2, some,
			(const uint8_t (*)[HB])big, GS_MAX_PROOF_HASHES + 1, some), GS_ELIMIT);
	/* A huge tree: index and size near 2^63 must not overflow. */
	assert_int_equal(merkle_verify_inclusion(UINT64_MAX - 1, UINT64_MAX, some,
			(const uint8_t (*)[HB])big, GS_MAX_PROOF_HASHES, some), GS_ECRYPTO);
	assert_int_equal(merkle_verify_consistency(UINT64_MAX - 1, UINT64_MAX, r1, r2,
			(const uint8_t (*)[HB])big, GS_MAX_PROOF_HASHES), GS_ECRYPTO);
}

static int put_fail_at = -1, put_count;

static int failing_put(void *ctx, uint64_t level, uint64_t index, const uint8_t h[HB])
{
	if (put_count++ == put_fail_at)
		return GS_EIO;
	return merkle_mem_put(ctx, level, index, h);
}

/* A failed store leaves the range as it was, and a retry completes it. */
static void test_put_failure(void **state)
{
	struct merkle_mem m;
	uint8_t leaf[HB], root[HB], want[HB];
	struct merkle_range before;
	int i;

	(void)state;
	merkle_mem_init(&m);
	for (i = 0; i < 7; i++) {
		merkle_leaf_hash(&i, sizeof(i), leaf);
		assert_int_equal(merkle_mem_append_hash(&m, leaf), 0);
	}
	merkle_leaf_hash(&i, sizeof(i), leaf);
	before = m.range;
	put_count = 0;
	put_fail_at = 2;
	assert_int_equal(merkle_range_append(&m.range, leaf, failing_put, &m), GS_EIO);
	assert_memory_equal(&before, &m.range, sizeof(before));
	put_fail_at = -1;
	assert_int_equal(merkle_range_append(&m.range, leaf, failing_put, &m), 0);
	merkle_range_root(&m.range, want);
	assert_int_equal(merkle_root(merkle_mem_get, &m, 8, root), 0);
	assert_memory_equal(root, want, HB);
	merkle_mem_free(&m);
}

/* The leaf hashes of many entries at once are merkle_leaf_hash's, for
 * every length around the 64-byte blocks and the padding edges (55, 56,
 * 63, 64 bytes with the prefix), a bundle chunk's 65 552 bytes, pairs of
 * equal and of unequal lengths, and the RFC 6962 inputs above; with the
 * CPU's SHA extensions (this machine's, if it has them) two at a time. */
static void test_leaf_hashes(void **state)
{
	enum { N = 8 };
	const uint8_t *ptr[N];
	uint8_t *buf, out[N][HB], want[HB], ref[HB];
	size_t lens[N], len, i, j, got;

	(void)state;
	buf = malloc(N * 65552);
	assert_non_null(buf);
	randombytes_buf(buf, N * 65552);
	for (len = 0; len <= 300; len++) {
		for (i = 0; i < N; i++) {
			ptr[i] = buf + i * 65552 + (i % 3); /* unaligned too */
			lens[i] = i == N - 1 ? len / 2 : len; /* the last one odd out */
		}
		merkle_leaf_hashes(ptr, lens, N, out);
		for (i = 0; i < N; i++) {
			merkle_leaf_hash(ptr[i], lens[i], want);
			if (memcmp(out[i], want, HB))
				fail_msg("length %zu, entry %zu", lens[i], i);
		}
	}
	/* chunk-sized, in pairs and alone */
	for (i = 0; i < N; i++) {
		ptr[i] = buf + i * 65552;
		lens[i] = i == 5 ? 9257 : 65552;
	}
	merkle_leaf_hashes(ptr, lens, N, out);
	for (i = 0; i < N; i++) {
		merkle_leaf_hash(ptr[i], lens[i], want);
		assert_memory_equal(out[i], want, HB);
	}
	/* known answers: RFC 6962's inputs, two by two */
	for (i = 0; i + 1 < 8; i += 2) {
		uint8_t e[2][16];

		for (j = 0; j < 2; j++) {
			assert_int_equal(hex_decode(leaves_hex[i + j], strlen(leaves_hex[i + j]), e[j],
						    sizeof(e[j]), &got), 0);
			ptr[j] = e[j];
			lens[j] = got;
		}
		merkle_leaf_hashes(ptr, lens, 2, out);
		for (j = 0; j < 2; j++) {
			uint8_t pre[17] = { 0 };

			memcpy(pre + 1, e[j], lens[j]);
			crypto_hash_sha256(ref, pre, lens[j] + 1);
			assert_memory_equal(out[j], ref, HB);
		}
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_published_proofs),
		cmocka_unit_test(test_all_pairs),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_put_failure),
		cmocka_unit_test(test_leaf_hashes),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
