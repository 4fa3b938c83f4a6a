/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/encode.h"
#include "util/limits.h"
#include "util/banned.h"

#define SEALED_PT (crypto_sign_SECRETKEYBYTES + crypto_box_SECRETKEYBYTES)
#define SEALED_CT (SEALED_PT + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* A fuzzing build only (meson -Dfuzz=true, scripts/fuzz.sh): the same
 * parser, Argon2id and checks, with costs small enough for millions of
 * runs (1 to 3 passes over 8 to 64 KiB). Such a build can neither read a
 * real key file (its costs are above these) nor run gsomia (cli/main.c). */
#define KDF_OPS_MIN 1u
#define KDF_MEM_MIN (8u << 10)
#define KDF_OPS_MAX 3
#define KDF_MEM_MAX (64u << 10)
#else
#define KDF_OPS_MIN crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
#define KDF_MEM_MIN crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE
#define KDF_OPS_MAX GS_MAX_KDF_OPS
#define KDF_MEM_MAX GS_MAX_KDF_MEM
#endif

static const char magic[] = "gsomia-keys/v1";
static const char wrong_pass[] = "wrong passphrase or damaged key file";

static int keys_alloc(struct node_keys *k)
{
	if (sodium_init() < 0)
		return GS_ECRYPTO;
	memset(k, 0, sizeof(*k));
	k->sign_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	k->box_sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
	if (!k->sign_sk || !k->box_sk) {
		keys_release(k);
		return GS_ENOMEM;
	}
	return 0;
}

void keys_release(struct node_keys *k)
{
	if (k->sign_sk)
		sodium_free(k->sign_sk);
	if (k->box_sk)
		sodium_free(k->box_sk);
	memset(k, 0, sizeof(*k));
}

int keys_generate(struct node_keys *out)
{
	struct node_keys k;
	int ret = keys_alloc(&k);

	if (ret)
		return ret;
	crypto_sign_keypair(k.sign_pk, k.sign_sk);
	crypto_box_keypair(k.box_pk, k.box_sk);
	*out = k;
	return 0;
}

int keys_from_seeds(const uint8_t sign_seed[32], const uint8_t box_sk[32],
		    struct node_keys *out)
{
	struct node_keys k;
	int ret = keys_alloc(&k);

	if (ret)
		return ret;
	crypto_sign_seed_keypair(k.sign_pk, k.sign_sk, sign_seed);
	memcpy(k.box_sk, box_sk, crypto_box_SECRETKEYBYTES);
	crypto_scalarmult_base(k.box_pk, k.box_sk);
	*out = k;
	return 0;
}

void keys_fingerprint(const uint8_t pk[32], char out[KEYS_FINGERPRINT_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t h[crypto_hash_sha256_BYTES];
	size_t i, pos = 0;

	crypto_hash_sha256(h, pk, 32);
	for (i = 0; i < 16; i++) {
		if (i > 0 && i % 2 == 0)
			out[pos++] = ' ';
		out[pos++] = digits[h[i] >> 4];
		out[pos++] = digits[h[i] & 0xf];
	}
	out[pos] = '\0';
}

static int kdf_check(uint64_t ops, uint64_t mem)
{
	if (ops < KDF_OPS_MIN || mem < KDF_MEM_MIN)
		return GS_EINVAL;
	if (ops > KDF_OPS_MAX || mem > KDF_MEM_MAX)
		return GS_ELIMIT;
	return 0;
}

/* Argon2id key into a guarded buffer of 32 bytes. */
static int derive(const char *pass, size_t passlen, const uint8_t *salt,
		  uint64_t ops, size_t mem, uint8_t **key)
{
	uint8_t *k = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

	if (!k)
		return GS_ENOMEM;
	if (crypto_pwhash(k, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, pass,
			  passlen, salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(k);
		return GS_ENOMEM; /* Argon2id fails only when it cannot allocate */
	}
	*key = k;
	return 0;
}

/* The header (associated data) of a key file. */
static int format_header(char *out, size_t outsz, const uint8_t sign_pk[32],
			 const uint8_t box_pk[32], uint64_t ops, uint64_t mem,
			 const uint8_t salt[16], const uint8_t nonce[24])
{
	char spk[B64_ENCODED_SIZE(32)], bpk[B64_ENCODED_SIZE(32)];
	char s[B64_ENCODED_SIZE(16)], n[B64_ENCODED_SIZE(24)];
	int len;

	if (b64_encode(sign_pk, 32, spk, sizeof(spk)) ||
	    b64_encode(box_pk, 32, bpk, sizeof(bpk)) ||
	    b64_encode(salt, 16, s, sizeof(s)) || b64_encode(nonce, 24, n, sizeof(n)))
		return -1;
	len = snprintf(out, outsz,
		       "%s\nsign-pk %s\nbox-pk %s\nkdf argon2id %" PRIu64 " %" PRIu64
		       "\nsalt %s\nnonce %s\n",
		       magic, spk, bpk, ops, mem, s, n);
	if (len < 0 || (size_t)len >= outsz)
		return -1;
	return len;
}

int keys_seal(const struct node_keys *k, const char *pass, size_t passlen,
	      const struct keys_kdf *kdf, char **out, size_t *outlen)
{
	uint64_t ops = KDF_OPS_MIN;
	size_t mem = KDF_MEM_MIN;
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	uint8_t ct[SEALED_CT];
	char ctb64[B64_ENCODED_SIZE(SEALED_CT)];
	uint8_t *key = NULL, *pt = NULL;
	char *file = NULL;
	size_t cap = 1024;
	int hlen, n, ret;

	if (sodium_init() < 0)
		return GS_ECRYPTO;
	if (kdf) {
		ops = kdf->ops;
		mem = kdf->mem;
	}
	ret = kdf_check(ops, mem);
	if (ret)
		return ret;
	if (passlen == 0 || passlen > GS_MAX_PASSPHRASE)
		return GS_EINVAL;
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	file = malloc(cap);
	pt = sodium_malloc(SEALED_PT);
	if (!file || !pt) {
		ret = GS_ENOMEM;
		goto out;
	}
	hlen = format_header(file, cap, k->sign_pk, k->box_pk, ops, mem, salt, nonce);
	if (hlen < 0) {
		ret = GS_ELIMIT;
		goto out;
	}
	ret = derive(pass, passlen, salt, ops, mem, &key);
	if (ret)
		goto out;
	memcpy(pt, k->sign_sk, crypto_sign_SECRETKEYBYTES);
	memcpy(pt + crypto_sign_SECRETKEYBYTES, k->box_sk, crypto_box_SECRETKEYBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, pt, SEALED_PT,
						   (const uint8_t *)file, (size_t)hlen,
						   NULL, nonce, key);
	if (b64_encode(ct, sizeof(ct), ctb64, sizeof(ctb64))) {
		ret = GS_ELIMIT;
		goto out;
	}
	n = snprintf(file + hlen, cap - (size_t)hlen, "sealed %s\n", ctb64);
	if (n < 0 || (size_t)n >= cap - (size_t)hlen) {
		ret = GS_ELIMIT;
		goto out;
	}
	*out = file;
	*outlen = (size_t)hlen + (size_t)n;
	file = NULL;
	ret = 0;
out:
	if (key)
		sodium_free(key);
	if (pt)
		sodium_free(pt);
	free(file);
	return ret;
}

struct keyfile {
	uint8_t sign_pk[32], box_pk[32];
	uint64_t ops, mem;
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	uint8_t ct[SEALED_CT];
	size_t adlen; /* bytes before the "sealed" line */
};

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return GS_EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return GS_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Line `lineno` of buf must be "<key> <value>"; returns the value. */
static int field(const char *buf, size_t len, size_t *pos, const char *key,
		 const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *nl;

	if (*pos >= len)
		return GS_EINVAL;
	nl = memchr(buf + *pos, '\n', len - *pos);
	if (!nl)
		return GS_EINVAL;
	if ((size_t)(nl - (buf + *pos)) < klen + 1 ||
	    memcmp(buf + *pos, key, klen) != 0 || buf[*pos + klen] != ' ')
		return GS_EINVAL;
	*val = buf + *pos + klen + 1;
	*vlen = (size_t)(nl - *val);
	*pos = (size_t)(nl - buf) + 1;
	return 0;
}

static int parse_keyfile(const char *buf, size_t len, struct keyfile *kf,
			 struct gs_diag *d)
{
	const char *v, *sp;
	size_t vlen, pos = 0;
	size_t mlen = sizeof(magic) - 1;

	if (len > GS_MAX_KEYFILE_BYTES)
		return gs_diag_set(d, GS_ELIMIT, "key file is larger than %d bytes",
				   GS_MAX_KEYFILE_BYTES);
	if (len < mlen + 1 || memcmp(buf, magic, mlen) != 0 || buf[mlen] != '\n')
		return gs_diag_set(d, GS_EINVAL, "key file line 1: expected '%s'", magic);
	pos = mlen + 1;
	if (field(buf, len, &pos, "sign-pk", &v, &vlen) ||
	    b64_decode_exact(v, vlen, kf->sign_pk, 32))
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 2: expected 'sign-pk' and 32 bytes in base64");
	if (field(buf, len, &pos, "box-pk", &v, &vlen) ||
	    b64_decode_exact(v, vlen, kf->box_pk, 32))
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 3: expected 'box-pk' and 32 bytes in base64");
	if (field(buf, len, &pos, "kdf", &v, &vlen) || vlen < 9 ||
	    memcmp(v, "argon2id ", 9) != 0 ||
	    !(sp = memchr(v + 9, ' ', vlen - 9)) ||
	    parse_u64(v + 9, (size_t)(sp - (v + 9)), &kf->ops) ||
	    parse_u64(sp + 1, vlen - (size_t)(sp + 1 - v), &kf->mem))
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 4: expected 'kdf argon2id <ops> <mem>'");
	switch (kdf_check(kf->ops, kf->mem)) {
	case GS_EINVAL:
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 4: argon2id costs below the minimum (%u passes, %u bytes)",
				   KDF_OPS_MIN, KDF_MEM_MIN);
	case GS_ELIMIT:
		return gs_diag_set(d, GS_ELIMIT,
				   "key file line 4: argon2id costs above the limit (%d passes, %u bytes)",
				   KDF_OPS_MAX, KDF_MEM_MAX);
	}
	if (field(buf, len, &pos, "salt", &v, &vlen) ||
	    b64_decode_exact(v, vlen, kf->salt, sizeof(kf->salt)))
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 5: expected 'salt' and 16 bytes in base64");
	if (field(buf, len, &pos, "nonce", &v, &vlen) ||
	    b64_decode_exact(v, vlen, kf->nonce, sizeof(kf->nonce)))
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 6: expected 'nonce' and 24 bytes in base64");
	kf->adlen = pos;
	if (field(buf, len, &pos, "sealed", &v, &vlen) ||
	    b64_decode_exact(v, vlen, kf->ct, sizeof(kf->ct)))
		return gs_diag_set(d, GS_EINVAL,
				   "key file line 7: expected 'sealed' and %u bytes in base64",
				   (unsigned)SEALED_CT);
	if (pos != len)
		return gs_diag_set(d, GS_EINVAL, "key file line 8: unexpected data");
	return 0;
}

int keys_public(const char *buf, size_t len, uint8_t sign_pk[32],
		uint8_t box_pk[32], struct gs_diag *d)
{
	struct keyfile kf;
	int ret = parse_keyfile(buf, len, &kf, d);

	if (ret)
		return ret;
	memcpy(sign_pk, kf.sign_pk, 32);
	memcpy(box_pk, kf.box_pk, 32);
	return 0;
}

int keys_unseal(const char *buf, size_t len, const char *pass, size_t passlen,
		struct node_keys *out, struct gs_diag *d)
{
	uint8_t pk[32], *key = NULL, *pt = NULL;
	struct node_keys k = { 0 };
	struct keyfile kf;
	int ret;

	if (sodium_init() < 0)
		return GS_ECRYPTO;
	ret = parse_keyfile(buf, len, &kf, d);
	if (ret)
		return ret;
	if (passlen > GS_MAX_PASSPHRASE)
		return gs_diag_set(d, GS_ELIMIT, "passphrase is longer than %d bytes",
				   GS_MAX_PASSPHRASE);
	pt = sodium_malloc(SEALED_PT);
	if (!pt)
		return GS_ENOMEM;
	ret = derive(pass, passlen, kf.salt, kf.ops, (size_t)kf.mem, &key);
	if (ret)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL, kf.ct, SEALED_CT,
						       (const uint8_t *)buf, kf.adlen,
						       kf.nonce, key) != 0) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s", wrong_pass);
		goto out;
	}
	ret = keys_alloc(&k);
	if (ret)
		goto out;
	memcpy(k.sign_sk, pt, crypto_sign_SECRETKEYBYTES);
	memcpy(k.box_sk, pt + crypto_sign_SECRETKEYBYTES, crypto_box_SECRETKEYBYTES);
	memcpy(k.sign_pk, kf.sign_pk, 32);
	memcpy(k.box_pk, kf.box_pk, 32);
	/* The seed must give the public key the file shows, and so must the
	 * X25519 secret. */
	{
		uint8_t spk[32];
		uint8_t *ssk = sodium_malloc(crypto_sign_SECRETKEYBYTES);

		if (!ssk) {
			ret = GS_ENOMEM;
			goto out;
		}
		crypto_sign_seed_keypair(spk, ssk, k.sign_sk);
		ret = sodium_memcmp(ssk, k.sign_sk, crypto_sign_SECRETKEYBYTES) ||
		      memcmp(spk, kf.sign_pk, 32) != 0;
		sodium_free(ssk);
	}
	if (ret == 0 && (crypto_scalarmult_base(pk, k.box_sk) != 0 ||
			 memcmp(pk, kf.box_pk, 32) != 0))
		ret = 1;
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s", wrong_pass);
		goto out;
	}
	*out = k;
	k.sign_sk = k.box_sk = NULL;
	ret = 0;
out:
	keys_release(&k);
	if (key)
		sodium_free(key);
	sodium_free(pt);
	return ret;
}
