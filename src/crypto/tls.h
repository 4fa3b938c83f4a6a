/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CRYPTO_TLS_H
#define GS_CRYPTO_TLS_H

/*
 * A node's TLS identity: an ECDSA P-256 key and a self-signed X.509
 * certificate, kept in the home as tls.key (PKCS#8 PEM, mode 0600) and
 * tls.crt (PEM). Nobody trusts the certificate for its issuer: peers
 * trust the key, through its pin in the party's signed identity
 * (docs/identity-format.md, `tls-pin`).
 *
 * The pin's format is core/tlspin.h (pure); this module makes the key
 * and certificate and computes a certificate's pin: the SHA-256 of its
 * DER SubjectPublicKeyInfo, what `openssl x509 -pubkey | openssl pkey
 * -pubin -outform der | openssl dgst -sha256 -binary | base64` prints
 * after "sha256//".
 *
 * This is the one place for TLS key, certificate and pin I/O (GnuTLS and
 * files only): node_init() calls it to make the identity, net/ calls it
 * to pin peers.
 */

#include <stddef.h>
#include <stdint.h>

#include "core/tlspin.h"
#include "util/err.h"
#include "util/limits.h"

#define TLS_KEY_NAME "tls.key"
#define TLS_CRT_NAME "tls.crt"

/* Makes a fresh key and certificate in the existing directory home and
 * writes its pin. Refuses (GS_EEXIST) if either file is already there. */
int tls_identity_create(const char *home, char pin[GS_MAX_NAME], struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Checks that key_pem (home/tls.key) is a private key, crt_pem
 * (home/tls.crt) a certificate, and that they belong together, before a
 * server hands them to its TLS library: one sentence naming the file at
 * fault (GS_EINVAL), so that a damaged file is not reported by three
 * libraries in three lines. */
int tls_identity_check(const char *home, const char *key_pem, size_t key_len, const char *crt_pem,
		       size_t crt_len, struct gs_diag *d) __attribute__((warn_unused_result));

/* The pin of the certificate in home/tls.crt. */
int tls_identity_pin(const char *home, char pin[GS_MAX_NAME], struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The pin of a certificate, DER or PEM encoded. */
int tls_pin_of_cert_der(const uint8_t *der, size_t len, char pin[GS_MAX_NAME], struct gs_diag *d)
	__attribute__((warn_unused_result));
int tls_pin_of_cert_pem(const uint8_t *pem, size_t len, char pin[GS_MAX_NAME], struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
