/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/labelkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "util/encode.h"
#include "util/banned.h"

#define LABELKEY_CONTEXT "gsomia label key v1"
#define LABELKEY_CONTEXT_EXERCISE "gsomia-exercise label key v1"
#define LABELKEY_GROUP "prime256v1"
#define CERT_MAX (16u << 10)

struct label_key {
	EVP_PKEY *pkey;
	uint8_t pk[GS_LABEL_PK_BYTES];
};

void labelkey_free(struct label_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey); /* OpenSSL clears the private scalar */
	free(k);
}

void labelkey_public(const struct label_key *k, uint8_t pk[GS_LABEL_PK_BYTES])
{
	memcpy(pk, k->pk, GS_LABEL_PK_BYTES);
}

/* An EVP_PKEY of group P-256 from its public point and, if priv is not
 * NULL, its private scalar. */
static EVP_PKEY *pkey_from(const uint8_t pk[GS_LABEL_PK_BYTES], const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, LABELKEY_GROUP, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pk, GS_LABEL_PK_BYTES) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	if (!(params = OSSL_PARAM_BLD_to_param(bld)) || !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

int labelkey_check_public(const uint8_t pk[GS_LABEL_PK_BYTES])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	int ok;

	ok = p && pk[0] == 0x04 && EC_POINT_oct2point(g, p, pk, GS_LABEL_PK_BYTES, NULL) == 1 &&
	     !EC_POINT_is_at_infinity(g, p) && EC_POINT_is_on_curve(g, p, NULL) == 1;
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ok ? 0 : GS_EINVAL;
}

int labelkey_derive(const uint8_t seed[LABELKEY_SEED_BYTES], bool exercise, struct label_key **out,
		    struct gs_diag *d)
{
	const char *context = exercise ? LABELKEY_CONTEXT_EXERCISE : LABELKEY_CONTEXT;
	uint8_t h[crypto_generichash_BYTES_MAX];
	EC_GROUP *g = NULL;
	EC_POINT *P = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *x = NULL, *nm1 = NULL, *priv = NULL;
	struct label_key *k = NULL;
	int ret = gs_diag_set(d, GS_ECRYPTO, "cannot derive the label key");

	*out = NULL;
	if (crypto_generichash(h, sizeof(h), (const uint8_t *)context, strlen(context), seed, LABELKEY_SEED_BYTES) != 0)
		goto out;
	if (!(k = calloc(1, sizeof(*k)))) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (!(g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) || !(bnctx = BN_CTX_secure_new()) ||
	    !(x = BN_secure_new()) || !(nm1 = BN_new()) || !(priv = BN_secure_new()) || !(P = EC_POINT_new(g)))
		goto out;
	/* d = (H mod (n - 1)) + 1: never zero; the bias of reducing 512 bits
	 * modulo a 256-bit order is about 2^-256. */
	if (!BN_bin2bn(h, sizeof(h), x) || !BN_copy(nm1, EC_GROUP_get0_order(g)) || !BN_sub_word(nm1, 1) ||
	    !BN_mod(priv, x, nm1, bnctx) || !BN_add_word(priv, 1))
		goto out;
	if (!EC_POINT_mul(g, P, priv, NULL, NULL, bnctx) ||
	    EC_POINT_point2oct(g, P, POINT_CONVERSION_UNCOMPRESSED, k->pk, GS_LABEL_PK_BYTES, bnctx) !=
		    GS_LABEL_PK_BYTES)
		goto out;
	if (!(k->pkey = pkey_from(k->pk, priv)))
		goto out;
	*out = k;
	k = NULL;
	ret = 0;
	if (d)
		d->msg[0] = '\0';
out:
	sodium_memzero(h, sizeof(h));
	BN_clear_free(x);
	BN_clear_free(priv);
	BN_free(nm1);
	BN_CTX_free(bnctx);
	EC_POINT_free(P);
	EC_GROUP_free(g);
	labelkey_free(k);
	return ret;
}

int labelkey_sign(const struct label_key *k, const void *msg, size_t len, uint8_t sig[LABELKEY_SIG_BYTES],
		  struct gs_diag *d)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t dlen = sizeof(der);
	ECDSA_SIG *es = NULL;
	int ret = gs_diag_set(d, GS_ECRYPTO, "cannot sign with the label key");

	if (!mctx || EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, k->pkey) <= 0 ||
	    EVP_DigestSign(mctx, der, &dlen, msg, len) <= 0)
		goto out;
	if (!(es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) != 32)
		goto out;
	ret = 0;
	if (d)
		d->msg[0] = '\0';
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(mctx);
	return ret;
}

int labelkey_verify(const uint8_t pk[GS_LABEL_PK_BYTES], const void *msg, size_t len,
		    const uint8_t sig[LABELKEY_SIG_BYTES])
{
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *mctx = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int dlen, ret = GS_ECRYPTO;

	if (labelkey_check_public(pk) || !(pkey = pkey_from(pk, NULL)))
		return GS_EINVAL;
	if (!(es = ECDSA_SIG_new()) || !(r = BN_bin2bn(sig, 32, NULL)) || !(s = BN_bin2bn(sig + 32, 32, NULL)))
		goto out;
	if (!ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* owned by es now */
	if ((dlen = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto out;
	if (!(mctx = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(mctx, NULL, EVP_sha256(), NULL, pkey) <= 0)
		goto out;
	if (EVP_DigestVerify(mctx, der, (size_t)dlen, msg, len) == 1)
		ret = 0;
out:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pkey);
	return ret;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!(ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)))
		return 0;
	ok = X509_add_ext(x, ex, -1);
	X509_EXTENSION_free(ex);
	return ok;
}

int labelkey_certificate(const struct label_key *k, const char *cn, gs_instant not_before, uint8_t **der,
			 size_t *len, struct gs_diag *d)
{
	uint8_t serial[crypto_hash_sha256_BYTES];
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	BIGNUM *sn = NULL;
	unsigned char *out = NULL;
	int n, ret = gs_diag_set(d, GS_ECRYPTO, "cannot make the label key's certificate");

	*der = NULL;
	*len = 0;
	/* The serial names the key: the first 16 bytes of SHA-256 of its
	 * point, made positive (RFC 5280 §4.1.2.2). */
	crypto_hash_sha256(serial, k->pk, GS_LABEL_PK_BYTES);
	serial[0] &= 0x7f;
	if (!x || !X509_set_version(x, 2) || !(sn = BN_bin2bn(serial, 16, NULL)) ||
	    !BN_to_ASN1_INTEGER(sn, X509_get_serialNumber(x)))
		goto out;
	if (!(name = X509_NAME_new()) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name))
		goto out;
	if (!ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before) ||
	    !ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "99991231235959Z"))
		goto out;
	if (!X509_set_pubkey(x, k->pkey) || !add_ext(x, NID_key_usage, "critical,digitalSignature,nonRepudiation") ||
	    !add_ext(x, NID_subject_key_identifier, "hash") || !X509_sign(x, k->pkey, EVP_sha256()))
		goto out;
	if ((n = i2d_X509(x, &out)) <= 0)
		goto out;
	if (!(*der = malloc((size_t)n))) {
		ret = GS_ENOMEM;
		goto out;
	}
	memcpy(*der, out, (size_t)n);
	*len = (size_t)n;
	ret = 0;
	if (d)
		d->msg[0] = '\0';
out:
	OPENSSL_free(out);
	BN_free(sn);
	X509_NAME_free(name);
	X509_free(x);
	return ret;
}

int labelkey_cert_public(const uint8_t *der, size_t len, uint8_t pk[GS_LABEL_PK_BYTES], struct gs_diag *d)
{
	const unsigned char *p = der;
	char group[32];
	size_t glen = 0, plen = 0;
	X509 *x = NULL;
	EVP_PKEY *pkey;
	int ret = gs_diag_set(d, GS_EINVAL, "the certificate is not a self-signed one of a P-256 key");

	if (len == 0 || len > CERT_MAX || !(x = d2i_X509(NULL, &p, (long)len)) || p != der + len)
		goto out;
	/* self-signed by the key it carries: a certificate altered anywhere is
	 * refused, though the trust in the key comes from the identity */
	if (!(pkey = X509_get0_pubkey(x)) || !EVP_PKEY_is_a(pkey, "EC") || X509_verify(x, pkey) != 1 ||
	    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) ||
	    strcmp(group, LABELKEY_GROUP) ||
	    !EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pk, GS_LABEL_PK_BYTES, &plen) ||
	    plen != GS_LABEL_PK_BYTES || pk[0] != 0x04)
		goto out;
	ret = 0;
	if (d)
		d->msg[0] = '\0';
out:
	X509_free(x);
	return ret;
}

void labelkey_public_pem(const uint8_t pk[GS_LABEL_PK_BYTES], char out[LABELKEY_PEM_MAX])
{
	uint8_t spki[GS_LABEL_SPKI_BYTES];
	char b64[B64_ENCODED_SIZE(GS_LABEL_SPKI_BYTES)];
	size_t off = 0, i, n;

	memcpy(spki, gs_label_spki_prefix, GS_LABEL_SPKI_PREFIX_BYTES);
	memcpy(spki + GS_LABEL_SPKI_PREFIX_BYTES, pk, GS_LABEL_PK_BYTES);
	b64_encode(spki, sizeof(spki), b64, sizeof(b64));
	n = strlen(b64);
	off += (size_t)snprintf(out, LABELKEY_PEM_MAX, "-----BEGIN PUBLIC KEY-----\n");
	for (i = 0; i < n; i += 64)
		off += (size_t)snprintf(out + off, LABELKEY_PEM_MAX - off, "%.64s\n", b64 + i);
	snprintf(out + off, LABELKEY_PEM_MAX - off, "-----END PUBLIC KEY-----\n");
}
