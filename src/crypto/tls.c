/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/tls.h"
#include "util/file.h"
#include "util/banned.h"

#define TLS_FILE_MAX 16384
/* Every node's certificate has the same subject and issuer: GnuTLS
 * clients send their certificate only if its issuer is among the names
 * the server advertises, and the server advertises its own. */
#define TLS_DN "O=gsomia,CN=gsomia node"
#define TLS_VALID_YEARS 20

static int path_join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? GS_ELIMIT : 0;
}

static int pin_of_crt(gnutls_x509_crt_t crt, char pin[GS_MAX_NAME], struct gs_diag *d)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	uint8_t hash[TLS_PIN_HASH_BYTES];
	int ret = GS_ECRYPTO;

	if (gnutls_pubkey_init(&pub) < 0)
		return GS_ENOMEM;
	if (gnutls_pubkey_import_x509(pub, crt, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) < 0) {
		ret = gs_diag_set(d, GS_ECRYPTO, "certificate: cannot read its public key");
		goto out;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, hash) < 0)
		goto out;
	tls_pin_format(hash, pin);
	ret = 0;
out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	return ret;
}

static int pin_of_cert(const uint8_t *buf, size_t len, gnutls_x509_crt_fmt_t fmt,
		       char pin[GS_MAX_NAME], struct gs_diag *d)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t dat;
	int ret;

	if (len > TLS_FILE_MAX || len > UINT32_MAX)
		return gs_diag_set(d, GS_ELIMIT, "certificate larger than %d bytes", TLS_FILE_MAX);
	if (gnutls_x509_crt_init(&crt) < 0)
		return GS_ENOMEM;
	dat.data = (unsigned char *)buf;
	dat.size = (unsigned int)len;
	if (gnutls_x509_crt_import(crt, &dat, fmt) < 0)
		ret = gs_diag_set(d, GS_EINVAL, "not an X.509 certificate");
	else
		ret = pin_of_crt(crt, pin, d);
	gnutls_x509_crt_deinit(crt);
	return ret;
}

int tls_pin_of_cert_der(const uint8_t *der, size_t len, char pin[GS_MAX_NAME], struct gs_diag *d)
{
	return pin_of_cert(der, len, GNUTLS_X509_FMT_DER, pin, d);
}

int tls_pin_of_cert_pem(const uint8_t *pem, size_t len, char pin[GS_MAX_NAME], struct gs_diag *d)
{
	return pin_of_cert(pem, len, GNUTLS_X509_FMT_PEM, pin, d);
}

int tls_identity_check(const char *home, const char *key_pem, size_t key_len, const char *crt_pem,
		       size_t crt_len, struct gs_diag *d)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kd, cd;
	unsigned char kid[64], cid[64];
	size_t klen = sizeof(kid), clen = sizeof(cid);
	int rc, ret = GS_ENOMEM;

	if (key_len > TLS_FILE_MAX || crt_len > TLS_FILE_MAX)
		return gs_diag_set(d, GS_ELIMIT, "%s/%s: larger than %d bytes", home,
				   key_len > TLS_FILE_MAX ? TLS_KEY_NAME : TLS_CRT_NAME, TLS_FILE_MAX);
	kd.data = (unsigned char *)key_pem;
	kd.size = (unsigned int)key_len;
	cd.data = (unsigned char *)crt_pem;
	cd.size = (unsigned int)crt_len;
	if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0)
		goto out;
	if ((rc = gnutls_x509_privkey_import(key, &kd, GNUTLS_X509_FMT_PEM)) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "%s/%s: not a usable TLS private key (%s)", home, TLS_KEY_NAME,
				  gnutls_strerror(rc));
		goto out;
	}
	if ((rc = gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_PEM)) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "%s/%s: not a usable TLS certificate (%s)", home, TLS_CRT_NAME,
				  gnutls_strerror(rc));
		goto out;
	}
	/* the key ids are hashes of the public key each holds */
	if (gnutls_x509_privkey_get_key_id(key, 0, kid, &klen) < 0 || gnutls_x509_crt_get_key_id(crt, 0, cid, &clen) < 0 ||
	    klen != clen || memcmp(kid, cid, klen)) {
		ret = gs_diag_set(d, GS_EINVAL, "%s/%s is not the key of %s/%s", home, TLS_KEY_NAME, home, TLS_CRT_NAME);
		goto out;
	}
	ret = 0;
out:
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return ret;
}

int tls_identity_pin(const char *home, char pin[GS_MAX_NAME], struct gs_diag *d)
{
	char path[GS_PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (path_join(path, sizeof(path), home, TLS_CRT_NAME))
		return gs_diag_set(d, GS_ELIMIT, "home path too long");
	if ((ret = read_file(path, TLS_FILE_MAX, &buf, &len, d)))
		return ret;
	ret = tls_pin_of_cert_pem(buf, len, pin, d);
	free(buf);
	if (ret)
		gs_diag_prefix(d, "%s", path);
	return ret;
}

/* A self-signed certificate for key, usable by a TLS server and client.
 * Its validity is on the machine's clock, not the node's: the TLS stacks
 * that check it (peers' and browsers') read the machine's, so an exercise
 * node's certificate must be valid in real time (docs/design.md, "The
 * clock"). */
static int make_cert(gnutls_x509_privkey_t key, gnutls_x509_crt_t crt, struct gs_diag *d)
{
	uint8_t serial[16];
	uint8_t kid[64];
	size_t kidlen = sizeof(kid);
	time_t now = time(NULL);
	const char *err = NULL;

	randombytes_buf(serial, sizeof(serial));
	serial[0] &= 0x7f; /* a positive INTEGER */
	serial[0] |= 0x40;
	if (gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, now + (time_t)TLS_VALID_YEARS * 365 * 86400) < 0 ||
	    gnutls_x509_crt_set_dn(crt, TLS_DN, &err) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0) < 0 ||
	    gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA1, kid, &kidlen) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(crt, kid, kidlen) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		return gs_diag_set(d, GS_ECRYPTO, "cannot make the TLS certificate");
	return 0;
}

int tls_identity_create(const char *home, char pin[GS_MAX_NAME], struct gs_diag *d)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = { NULL, 0 }, cpem = { NULL, 0 };
	char kpath[GS_PATH_MAX], cpath[GS_PATH_MAX];
	char newpin[GS_MAX_NAME];
	int ret = GS_ECRYPTO, wrote_key = 0;

	if (path_join(kpath, sizeof(kpath), home, TLS_KEY_NAME) ||
	    path_join(cpath, sizeof(cpath), home, TLS_CRT_NAME))
		return gs_diag_set(d, GS_ELIMIT, "home path too long");
	if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
					  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
					  0) < 0) {
		ret = gs_diag_set(d, GS_ECRYPTO, "cannot make the TLS key");
		goto out;
	}
	if ((ret = make_cert(key, crt, d)) || (ret = pin_of_crt(crt, newpin, d)))
		goto out;
	if (gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
					      &kpem) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem) < 0) {
		ret = gs_diag_set(d, GS_ECRYPTO, "cannot encode the TLS key or certificate");
		goto out;
	}
	if ((ret = write_file_new(kpath, kpem.data, kpem.size, 0600, d)))
		goto out;
	wrote_key = 1;
	if ((ret = write_file_new(cpath, cpem.data, cpem.size, 0644, d)))
		goto out;
	memcpy(pin, newpin, sizeof(newpin));
	ret = 0;
out:
	if (ret && wrote_key)
		unlink(kpath);
	if (kpem.data) {
		sodium_memzero(kpem.data, kpem.size);
		gnutls_free(kpem.data);
	}
	gnutls_free(cpem.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return ret;
}
