/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_TLSPIN_H
#define GS_CORE_TLSPIN_H

/*
 * The TLS pin a party's identity carries (docs/identity-format.md,
 * `tls-pin`): "sha256//" followed by the base64 (standard alphabet,
 * padded, canonical) of the SHA-256 of the TLS key's DER
 * SubjectPublicKeyInfo. It is the form libcurl's CURLOPT_PINNEDPUBLICKEY
 * takes, so the pin signed in an identity is handed to the TLS client as
 * it is. This is the pin's format, once, and pure: identities and key
 * rotation notes parse it here, crypto/tls.c formats it from a certificate.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_PIN_PREFIX "sha256//"
#define TLS_PIN_HASH_BYTES 32 /* SHA-256 */
#define TLS_PIN_LEN 52        /* "sha256//" + 44 base64 characters */
#define TLS_PIN_SIZE (TLS_PIN_LEN + 1)

/* The pin of a key whose SPKI hashes to hash. */
void tls_pin_format(const uint8_t hash[TLS_PIN_HASH_BYTES], char pin[TLS_PIN_SIZE]);

/* Reads a pin of len bytes (no NUL needed) into its hash. GS_EINVAL if it
 * is not exactly the prefix and the canonical base64 of 32 bytes. */
int tls_pin_parse(const char *s, size_t len, uint8_t hash[TLS_PIN_HASH_BYTES]);

/* Whether the C string s is a pin. */
bool tls_pin_is_valid(const char *s);

/* Whether a and b are pins of the same key (both valid, same hash). */
bool tls_pin_equal(const char *a, const char *b);

#endif
