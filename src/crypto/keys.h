/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_KEYS_H
#define GS_KEYS_H

/*
 * A node's keys: an Ed25519 signing pair and an independent X25519 pair for
 * receiving (age recipients). Secret keys live only in sodium_malloc memory
 * (guard pages, locked, wiped on free); keys_release wipes and frees them.
 * At rest they are sealed under a passphrase in a small text file
 * (docs/keys.md):
 *
 *     gsomia-keys/v1
 *     sign-pk <base64 32>
 *     box-pk <base64 32>
 *     kdf argon2id <opslimit> <memlimit bytes>
 *     salt <base64 16>
 *     nonce <base64 24>
 *     sealed <base64 of XChaCha20-Poly1305(sign_sk[64] || box_sk[32])>
 *
 * The AEAD key is Argon2id(passphrase, salt, ops, mem); every byte before
 * "sealed" is associated data, so no header line can be changed or swapped.
 * Argon2id costs are at least INTERACTIVE (2 passes, 64 MiB) and at most
 * GS_MAX_KDF_OPS / GS_MAX_KDF_MEM, also when reading, so a file cannot make
 * the reader burn more memory than that.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct node_keys {
	uint8_t sign_pk[32];
	uint8_t box_pk[32];
	uint8_t *sign_sk; /* 64 bytes (seed || pk), sodium_malloc'd */
	uint8_t *box_sk;  /* 32 bytes, sodium_malloc'd */
};

struct keys_kdf {
	uint64_t ops;
	size_t mem; /* bytes */
};

/* Fresh random keys. GS_ENOMEM, GS_ECRYPTO if libsodium cannot start. */
int keys_generate(struct node_keys *out) __attribute__((warn_unused_result));
/* Deterministic keys from two 32-byte seeds, for tests and exercises. */
int keys_from_seeds(const uint8_t sign_seed[32], const uint8_t box_sk[32],
		    struct node_keys *out) __attribute__((warn_unused_result));
/* Wipes and frees the secret keys; the struct may be reused. */
void keys_release(struct node_keys *k);

/*
 * Seals k under the passphrase (at most GS_MAX_PASSPHRASE bytes) with
 * Argon2id costs kdf (NULL for INTERACTIVE). *out is malloc'd text, NUL
 * terminated, *outlen bytes. GS_EINVAL costs below INTERACTIVE or a bad
 * passphrase length, GS_ELIMIT above the caps, GS_ENOMEM.
 */
int keys_seal(const struct node_keys *k, const char *pass, size_t passlen,
	      const struct keys_kdf *kdf, char **out, size_t *outlen)
	__attribute__((warn_unused_result));

/*
 * Reads a sealed key file. GS_EINVAL malformed (d says which line),
 * GS_ELIMIT costs above the caps or file too large, GS_ECRYPTO "wrong
 * passphrase or damaged key file" (also when the secret keys do not match
 * the public keys), GS_ENOMEM.
 */
int keys_unseal(const char *buf, size_t len, const char *pass, size_t passlen,
		struct node_keys *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Reads only the public keys of a key file (no passphrase). */
int keys_public(const char *buf, size_t len, uint8_t sign_pk[32],
		uint8_t box_pk[32], struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * A fingerprint of a signing public key, for people to compare out of
 * band: the first 16 bytes of SHA-256(pk) in lowercase hex, in 8 groups of
 * 4 digits separated by spaces, e.g. "3f2a 9c01 77be 0d4e 5a10 c3f9 e2d8 0b61".
 */
#define KEYS_FINGERPRINT_SIZE 40
void keys_fingerprint(const uint8_t pk[32], char out[KEYS_FINGERPRINT_SIZE]);

#endif
