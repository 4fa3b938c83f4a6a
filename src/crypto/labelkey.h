/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CRYPTO_LABELKEY_H
#define GS_CRYPTO_LABELKEY_H

/*
 * The node's label key: an ECDSA P-256 key that signs STANAG 4778
 * bindings (docs/labels.md, "The label key"). The allies' stock tools
 * verify XML signatures with ECDSA (Debian's xmlsec 1.2.37 has no
 * Ed25519), so the node's Ed25519 key cannot sign them itself; instead
 * the label key is derived from the Ed25519 seed, and its public half is
 * written into the party's self-signed identity (label-key), which is
 * what makes it the party's key.
 *
 *     d = (BLAKE2b-512(key = Ed25519 seed, "gsomia label key v1") mod (n - 1)) + 1
 *
 * where n is the order of P-256; an exercise node's context is
 * "gsomia-exercise label key v1", so that, as with signed-note key names,
 * an exercise binding can never verify as a real one. Deriving it means the key needs no file
 * of its own: it is as secret as the sealed key file, comes back with a
 * key backup (init --keys) and is wiped with the node's keys.
 *
 * Signatures are ECDSA with SHA-256 in the XML-DSig form: r || s, each 32
 * bytes big-endian (RFC 4050 / XML Signature 1.1 §6.4.3).
 *
 * The private key lives only inside OpenSSL's EVP_PKEY (freed with
 * labelkey_free, which clears it); nothing here prints or logs it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/party.h"
#include "core/time.h"
#include "util/err.h"

#define LABELKEY_SEED_BYTES 32
#define LABELKEY_SIG_BYTES 64

struct label_key;

/* Derives the label key from the node's 32-byte Ed25519 seed, for a real
 * or an exercise node. */
int labelkey_derive(const uint8_t seed[LABELKEY_SEED_BYTES], bool exercise, struct label_key **out,
		    struct gs_diag *d) __attribute__((warn_unused_result));
void labelkey_free(struct label_key *k);

/* The public key, 04 || X || Y. */
void labelkey_public(const struct label_key *k, uint8_t pk[GS_LABEL_PK_BYTES]);

/* ECDSA-SHA256 over msg, as r || s. */
int labelkey_sign(const struct label_key *k, const void *msg, size_t len,
		  uint8_t sig[LABELKEY_SIG_BYTES], struct gs_diag *d)
	__attribute__((warn_unused_result));

/* 0 if sig (r || s) is pk's ECDSA-SHA256 signature of msg; GS_ECRYPTO if
 * not; GS_EINVAL if pk is not a point of P-256. */
int labelkey_verify(const uint8_t pk[GS_LABEL_PK_BYTES], const void *msg, size_t len,
		    const uint8_t sig[LABELKEY_SIG_BYTES]) __attribute__((warn_unused_result));

/* 0 if pk is an uncompressed point of P-256 (not the point at infinity),
 * else GS_EINVAL. */
int labelkey_check_public(const uint8_t pk[GS_LABEL_PK_BYTES]) __attribute__((warn_unused_result));

/* A self-signed X.509 v3 certificate of the label key (DER, malloc'd),
 * subject and issuer "CN=<cn>", valid from not_before with no expiry
 * (99991231235959Z, RFC 5280 §4.1.2.5), key usage digitalSignature and
 * nonRepudiation. It is only the carrier XML-DSig's KeyInfo asks for
 * (ADatP-4778.2 Annex B): the trust comes from the identity. */
int labelkey_certificate(const struct label_key *k, const char *cn, gs_instant not_before,
			 uint8_t **der, size_t *len, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The P-256 public key of a DER certificate that this key signed itself;
 * GS_EINVAL if it is not one (cap: 16 KiB). */
int labelkey_cert_public(const uint8_t *der, size_t len, uint8_t pk[GS_LABEL_PK_BYTES],
			 struct gs_diag *d) __attribute__((warn_unused_result));

/* PEM "PUBLIC KEY" text of pk (the SubjectPublicKeyInfo), for stock tools:
 * `xmlsec1 --verify --pubkey-pem`. out needs LABELKEY_PEM_MAX bytes. */
#define LABELKEY_PEM_MAX 200
void labelkey_public_pem(const uint8_t pk[GS_LABEL_PK_BYTES], char out[LABELKEY_PEM_MAX]);

#endif
