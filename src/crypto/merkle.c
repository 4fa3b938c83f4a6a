/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/merkle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/sha256x2.h"
#include "util/err.h"
#include "util/banned.h"

#define HB MERKLE_HASH_BYTES

/*
 * SHA-256 for the tree comes from OpenSSL's libcrypto when it can: with the
 * CPU's SHA extensions it hashes a 65-byte node about 3x faster than
 * libsodium 1.0.18's portable code, which is what the proof and append
 * targets need (docs/crypto.md). The digest is fetched once; each thread
 * keeps one EVP_MD_CTX, freed when the thread exits. If libcrypto cannot
 * give either, libsodium computes the same hash.
 */
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha_key;
static int sha_key_ok;
static EVP_MD *sha_md;

static void sha_ctx_free(void *p)
{
	EVP_MD_CTX_free(p);
}

static void sha_init(void)
{
	sha_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	sha_key_ok = pthread_key_create(&sha_key, sha_ctx_free) == 0;
}

static EVP_MD_CTX *sha_ctx(void)
{
	EVP_MD_CTX *ctx;

	if (pthread_once(&sha_once, sha_init) != 0 || !sha_md || !sha_key_ok)
		return NULL;
	ctx = pthread_getspecific(sha_key);
	if (!ctx) {
		ctx = EVP_MD_CTX_new();
		if (ctx && pthread_setspecific(sha_key, ctx) != 0) {
			EVP_MD_CTX_free(ctx);
			ctx = NULL;
		}
	}
	return ctx;
}

/* SHA-256(prefix || a || b). */
static void sha256_3(uint8_t prefix, const void *a, size_t alen, const void *b,
		     size_t blen, uint8_t out[HB])
{
	EVP_MD_CTX *ctx = sha_ctx();
	crypto_hash_sha256_state st;
	unsigned int olen;

	if (ctx && EVP_DigestInit_ex2(ctx, sha_md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, &prefix, 1) == 1 &&
	    (alen == 0 || EVP_DigestUpdate(ctx, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &olen) == 1 && olen == HB)
		return;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, a, alen);
	crypto_hash_sha256_update(&st, b, blen);
	crypto_hash_sha256_final(&st, out);
}

void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[HB])
{
	sha256_3(0x00, entry, len, NULL, 0, out);
}

void merkle_leaf_hashes(const uint8_t *const *entries, const size_t *lens, size_t n,
			uint8_t (*out)[HB])
{
	int x2 = sha256x2_available();
	size_t i = 0;

	while (i < n) {
		if (x2 && i + 1 < n && lens[i] == lens[i + 1]) {
			sha256x2_prefixed(0x00, entries[i], entries[i + 1], lens[i], out[i], out[i + 1]);
			i += 2;
		} else {
			merkle_leaf_hash(entries[i], lens[i], out[i]);
			i++;
		}
	}
}

void merkle_node_hash(const uint8_t left[HB], const uint8_t right[HB], uint8_t out[HB])
{
	uint8_t buf[2 * HB];

	/* Copy first: out may alias left or right. */
	memcpy(buf, left, HB);
	memcpy(buf + HB, right, HB);
	sha256_3(0x01, buf, 2 * HB, NULL, 0, out);
}

void merkle_empty_root(uint8_t out[HB])
{
	crypto_hash_sha256(out, NULL, 0);
}

static unsigned log2_floor(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

/* The largest power of two strictly smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	return (uint64_t)1 << log2_floor(n - 1);
}

void merkle_range_init(struct merkle_range *r)
{
	memset(r, 0, sizeof(*r));
}

int merkle_range_append(struct merkle_range *r, const uint8_t leaf[HB],
			merkle_put_fn put, void *ctx)
{
	uint8_t cur[HB];
	uint64_t idx = r->size;
	uint64_t level = 0;
	size_t n = r->n;
	int ret;

	if (r->size >= (uint64_t)1 << 63)
		return GS_ELIMIT;
	memcpy(cur, leaf, HB);
	if (put && (ret = put(ctx, 0, idx, cur)) != 0)
		return ret;
	while (idx & 1) {
		merkle_node_hash(r->hashes[n - 1], cur, cur);
		n--;
		idx >>= 1;
		level++;
		if (put && (ret = put(ctx, level, idx, cur)) != 0)
			return ret;
	}
	memcpy(r->hashes[n], cur, HB);
	r->n = n + 1;
	r->size++;
	return 0;
}

static void fold(uint8_t (*h)[HB], size_t n, uint8_t out[HB])
{
	uint8_t acc[HB];
	size_t i;

	memcpy(acc, h[n - 1], HB);
	for (i = n - 1; i-- > 0;)
		merkle_node_hash(h[i], acc, acc);
	memcpy(out, acc, HB);
}

void merkle_range_root(const struct merkle_range *r, uint8_t out[HB])
{
	if (r->n == 0) {
		merkle_empty_root(out);
		return;
	}
	fold((uint8_t (*)[HB])r->hashes, r->n, out);
}

/* The perfect-subtree hashes covering [start, start + len), largest first;
 * start must be a multiple of the largest. Returns how many, or < 0. */
static int decompose(merkle_get_fn get, void *ctx, uint64_t start, uint64_t len,
		     uint8_t (*h)[HB])
{
	int n = 0, ret;
	unsigned lvl;

	while (len > 0) {
		lvl = log2_floor(len);
		ret = get(ctx, lvl, start >> lvl, h[n]);
		if (ret)
			return ret;
		n++;
		start += (uint64_t)1 << lvl;
		len -= (uint64_t)1 << lvl;
	}
	return n;
}

/* MTH(D[start : start + len]), len >= 1. */
static int subtree_hash(merkle_get_fn get, void *ctx, uint64_t start, uint64_t len,
			uint8_t out[HB])
{
	uint8_t h[64][HB];
	int n = decompose(get, ctx, start, len, h);

	if (n < 0)
		return n;
	fold(h, (size_t)n, out);
	return 0;
}

int merkle_range_load(struct merkle_range *r, uint64_t size, merkle_get_fn get,
		      void *ctx)
{
	struct merkle_range tmp;
	int n;

	if (size >= (uint64_t)1 << 63)
		return GS_EINVAL;
	merkle_range_init(&tmp);
	n = decompose(get, ctx, 0, size, tmp.hashes);
	if (n < 0)
		return n;
	tmp.n = (size_t)n;
	tmp.size = size;
	*r = tmp;
	return 0;
}

int merkle_root(merkle_get_fn get, void *ctx, uint64_t size, uint8_t out[HB])
{
	if (size == 0) {
		merkle_empty_root(out);
		return 0;
	}
	return subtree_hash(get, ctx, 0, size, out);
}

static void reverse_into(uint8_t (*src)[HB], size_t n, uint8_t (*dst)[HB])
{
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(dst[i], src[n - 1 - i], HB);
}

int merkle_prove_inclusion(merkle_get_fn get, void *ctx, uint64_t index,
			   uint64_t size, uint8_t proof[][HB], size_t *nout)
{
	uint8_t tmp[64][HB];
	uint64_t start = 0, n = size, m = index, k;
	size_t cnt = 0;
	int ret;

	if (index >= size)
		return GS_EINVAL;
	/* Walk from the root down; siblings come out top first. */
	while (n > 1) {
		if (cnt == 64)
			return GS_ELIMIT;
		k = split_point(n);
		if (m < k) {
			ret = subtree_hash(get, ctx, start + k, n - k, tmp[cnt]);
			n = k;
		} else {
			ret = get(ctx, log2_floor(k), start >> log2_floor(k), tmp[cnt]);
			start += k;
			m -= k;
			n -= k;
		}
		if (ret)
			return ret;
		cnt++;
	}
	if (cnt > GS_MAX_PROOF_HASHES)
		return GS_ELIMIT;
	reverse_into(tmp, cnt, proof);
	*nout = cnt;
	return 0;
}

int merkle_prove_consistency(merkle_get_fn get, void *ctx, uint64_t first,
			     uint64_t second, uint8_t proof[][HB], size_t *nout)
{
	uint8_t tmp[66][HB];
	uint64_t start = 0, m = first, n = second, k;
	size_t cnt = 0;
	int whole = 1, ret;

	if (first > second)
		return GS_EINVAL;
	if (first == 0 || first == second) {
		*nout = 0;
		return 0;
	}
	while (m != n) {
		if (cnt == 65)
			return GS_ELIMIT;
		k = split_point(n);
		if (m <= k) {
			ret = subtree_hash(get, ctx, start + k, n - k, tmp[cnt]);
			n = k;
		} else {
			ret = get(ctx, log2_floor(k), start >> log2_floor(k), tmp[cnt]);
			start += k;
			m -= k;
			n -= k;
			whole = 0;
		}
		if (ret)
			return ret;
		cnt++;
	}
	if (!whole) {
		ret = subtree_hash(get, ctx, start, m, tmp[cnt]);
		if (ret)
			return ret;
		cnt++;
	}
	if (cnt > GS_MAX_PROOF_HASHES)
		return GS_ELIMIT;
	reverse_into(tmp, cnt, proof);
	*nout = cnt;
	return 0;
}

int merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[HB],
			    const uint8_t proof[][HB], size_t n, const uint8_t root[HB])
{
	uint64_t fn = index, sn;
	uint8_t r[HB];
	size_t i;

	if (index >= size)
		return GS_EINVAL;
	if (n > GS_MAX_PROOF_HASHES)
		return GS_ELIMIT;
	sn = size - 1;
	memcpy(r, leaf, HB);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return GS_ECRYPTO;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(r, root, HB) != 0)
		return GS_ECRYPTO;
	return 0;
}

int merkle_verify_consistency(uint64_t first, uint64_t second,
			      const uint8_t root1[HB], const uint8_t root2[HB],
			      const uint8_t proof[][HB], size_t n)
{
	uint64_t fn, sn;
	uint8_t fr[HB], sr[HB];
	size_t i;

	if (first > second)
		return GS_EINVAL;
	if (n > GS_MAX_PROOF_HASHES)
		return GS_ELIMIT;
	if (first == second)
		return n == 0 && memcmp(root1, root2, HB) == 0 ? 0 : GS_ECRYPTO;
	if (first == 0)
		return n == 0 ? 0 : GS_ECRYPTO;
	if (n == 0)
		return GS_ECRYPTO;
	/* When first is a power of two, the proof omits root1, its first node. */
	i = 0;
	if ((first & (first - 1)) == 0) {
		memcpy(fr, root1, HB);
	} else {
		memcpy(fr, proof[0], HB);
		i = 1;
	}
	memcpy(sr, fr, HB);
	fn = first - 1;
	sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return GS_ECRYPTO;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(fr, root1, HB) != 0 || memcmp(sr, root2, HB) != 0)
		return GS_ECRYPTO;
	return 0;
}

void merkle_mem_init(struct merkle_mem *m)
{
	memset(m, 0, sizeof(*m));
	merkle_range_init(&m->range);
}

void merkle_mem_free(struct merkle_mem *m)
{
	size_t i;

	for (i = 0; i < 64; i++)
		free(m->lv[i].h);
	merkle_mem_init(m);
}

int merkle_mem_put(void *ctx, uint64_t level, uint64_t index, const uint8_t hash[HB])
{
	struct merkle_mem *m = ctx;
	uint8_t (*nh)[HB];
	uint64_t cap;

	if (level >= 64 || index > m->lv[level].n)
		return GS_EINVAL;
	if (index == m->lv[level].cap) {
		cap = m->lv[level].cap ? 2 * m->lv[level].cap : 16;
		if (cap > SIZE_MAX / HB)
			return GS_ENOMEM;
		nh = realloc(m->lv[level].h, (size_t)cap * HB);
		if (!nh)
			return GS_ENOMEM;
		m->lv[level].h = nh;
		m->lv[level].cap = cap;
	}
	/* A retried append may put the same hash again. */
	memcpy(m->lv[level].h[index], hash, HB);
	if (index == m->lv[level].n)
		m->lv[level].n++;
	return 0;
}

int merkle_mem_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[HB])
{
	struct merkle_mem *m = ctx;

	if (level >= 64 || index >= m->lv[level].n)
		return GS_ENOTFOUND;
	memcpy(out, m->lv[level].h[index], HB);
	return 0;
}

int merkle_mem_append_hash(struct merkle_mem *m, const uint8_t leaf[HB])
{
	return merkle_range_append(&m->range, leaf, merkle_mem_put, m);
}

int merkle_mem_append(struct merkle_mem *m, const void *entry, size_t len)
{
	uint8_t leaf[HB];

	merkle_leaf_hash(entry, len, leaf);
	return merkle_mem_append_hash(m, leaf);
}
