/* SPDX-License-Identifier: Apache-2.0 */
/* crypto/labelkey.c: the ECDSA P-256 label key derived from the Ed25519
 * seed, its signatures and its certificate (docs/labels.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "crypto/labelkey.h"
#include "util/encode.h"

/* Known answers, computed apart from this code (Python: BLAKE2b from
 * hashlib, P-256 arithmetic written out, OpenSSL's command line for the
 * signature; docs/labels.md "Test vectors"): the seed 40 41 ... 5f gives
 *   d = 2f2cb342e7dc200999b9d5369402ea39cd333fb92ce51e61bd3fd390b4b4a942
 * and this point; `openssl dgst -sha256 -sign` with d signed the message
 * below as (r, s). */
static const char vector_pk[] =
	"04b4674781b2f22a96141868369c2dff667d7e09adac36225c069e6f3196a1fb1a"
	"3a11fe6289813307c7f05841492b88981fabc75bc74f316d4c61a0f57fb1be63";
static const char vector_msg[] = "gsomia label key test vector\n";
/* the same seed on an exercise node (context "gsomia-exercise label key v1") */
static const char vector_pk_exercise[] =
	"0465f99336b64d44c14561b2872b4e1df9df292170083847d483bb8a606209a87d"
	"aacfe522b0cdd9325c29cb135b55dc806a898cb74ccde39124039d3b0471320a";
static const char vector_sig[] =
	"7cea62165612157538150bff4aa00f80f66003f4e50dfca4f5529c7c5dda97e0"
	"706f95c88aa1aebf964cfea2742927a6073b0339691f807e2570fb76ba8ec078";

static void seed_of_vector(uint8_t seed[32])
{
	int i;

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x40 + i);
}

static void hex(const char *h, uint8_t *out, size_t n)
{
	size_t got = 0;

	assert_int_equal(hex_decode(h, strlen(h), out, n, &got), 0);
	assert_int_equal(got, n);
}

static void test_derive_known_answer(void **state)
{
	uint8_t seed[32], pk[GS_LABEL_PK_BYTES], want[GS_LABEL_PK_BYTES];
	struct label_key *k = NULL, *k2 = NULL;
	struct gs_diag d = { { 0 } };

	(void)state;
	seed_of_vector(seed);
	hex(vector_pk, want, sizeof(want));
	assert_int_equal(labelkey_derive(seed, false, &k, &d), 0);
	labelkey_public(k, pk);
	assert_memory_equal(pk, want, sizeof(pk));
	/* the same seed, the same key; another seed, another key */
	assert_int_equal(labelkey_derive(seed, false, &k2, &d), 0);
	labelkey_public(k2, pk);
	assert_memory_equal(pk, want, sizeof(pk));
	labelkey_free(k2);
	/* an exercise node's key is another key */
	assert_int_equal(labelkey_derive(seed, true, &k2, &d), 0);
	labelkey_public(k2, pk);
	hex(vector_pk_exercise, want, sizeof(want));
	assert_memory_equal(pk, want, sizeof(pk));
	hex(vector_pk, want, sizeof(want));
	labelkey_free(k2);
	seed[0] ^= 1;
	assert_int_equal(labelkey_derive(seed, false, &k2, &d), 0);
	labelkey_public(k2, pk);
	assert_memory_not_equal(pk, want, sizeof(pk));
	labelkey_free(k2);
	labelkey_free(k);
}

static void test_verify_known_answer(void **state)
{
	uint8_t pk[GS_LABEL_PK_BYTES], sig[LABELKEY_SIG_BYTES];

	(void)state;
	hex(vector_pk, pk, sizeof(pk));
	hex(vector_sig, sig, sizeof(sig));
	assert_int_equal(labelkey_verify(pk, vector_msg, strlen(vector_msg), sig), 0);
	sig[63] ^= 1;
	assert_int_equal(labelkey_verify(pk, vector_msg, strlen(vector_msg), sig), GS_ECRYPTO);
	sig[63] ^= 1;
	assert_int_equal(labelkey_verify(pk, vector_msg, strlen(vector_msg) - 1, sig), GS_ECRYPTO);
	/* r = 0 is no signature */
	memset(sig, 0, 32);
	assert_int_equal(labelkey_verify(pk, vector_msg, strlen(vector_msg), sig), GS_ECRYPTO);
}

static void test_sign_round_trip(void **state)
{
	uint8_t seed[32], pk[GS_LABEL_PK_BYTES], sig[LABELKEY_SIG_BYTES], sig2[LABELKEY_SIG_BYTES];
	struct label_key *k = NULL;
	struct gs_diag d = { { 0 } };
	size_t i;

	(void)state;
	seed_of_vector(seed);
	assert_int_equal(labelkey_derive(seed, false, &k, &d), 0);
	labelkey_public(k, pk);
	assert_int_equal(labelkey_sign(k, "abc", 3, sig, &d), 0);
	assert_int_equal(labelkey_verify(pk, "abc", 3, sig), 0);
	/* ECDSA is randomised here: two signatures differ, both verify */
	assert_int_equal(labelkey_sign(k, "abc", 3, sig2, &d), 0);
	assert_memory_not_equal(sig, sig2, sizeof(sig));
	assert_int_equal(labelkey_verify(pk, "abc", 3, sig2), 0);
	for (i = 0; i < sizeof(sig); i += 7) {
		sig[i] ^= 0x10;
		assert_int_equal(labelkey_verify(pk, "abc", 3, sig), GS_ECRYPTO);
		sig[i] ^= 0x10;
	}
	labelkey_free(k);
}

static void test_public_checks(void **state)
{
	uint8_t pk[GS_LABEL_PK_BYTES], sig[LABELKEY_SIG_BYTES] = { 1 };

	(void)state;
	hex(vector_pk, pk, sizeof(pk));
	assert_int_equal(labelkey_check_public(pk), 0);
	pk[64] ^= 1; /* off the curve */
	assert_int_equal(labelkey_check_public(pk), GS_EINVAL);
	assert_int_equal(labelkey_verify(pk, "x", 1, sig), GS_EINVAL);
	pk[64] ^= 1;
	pk[0] = 0x02; /* compressed forms are not taken */
	assert_int_equal(labelkey_check_public(pk), GS_EINVAL);
	memset(pk, 0, sizeof(pk));
	assert_int_equal(labelkey_check_public(pk), GS_EINVAL);
}

static void test_certificate(void **state)
{
	uint8_t seed[32], pk[GS_LABEL_PK_BYTES], got[GS_LABEL_PK_BYTES], *der = NULL;
	struct label_key *k = NULL;
	struct gs_diag d = { { 0 } };
	size_t len = 0;

	(void)state;
	seed_of_vector(seed);
	assert_int_equal(labelkey_derive(seed, false, &k, &d), 0);
	labelkey_public(k, pk);
	assert_int_equal(labelkey_certificate(k, "gsomia label key KOR", 1574930096, &der, &len, &d), 0);
	assert_true(len > 200 && len < 1024);
	assert_int_equal(labelkey_cert_public(der, len, got, &d), 0);
	assert_memory_equal(got, pk, sizeof(pk));
	/* a truncated or padded certificate is not one */
	assert_int_equal(labelkey_cert_public(der, len - 1, got, &d), GS_EINVAL);
	assert_string_equal(d.msg, "the certificate is not a self-signed one of a P-256 key");
	assert_int_equal(labelkey_cert_public(pk, sizeof(pk), got, &d), GS_EINVAL);
	free(der);
	labelkey_free(k);
}

static void test_pem(void **state)
{
	uint8_t pk[GS_LABEL_PK_BYTES];
	char pem[LABELKEY_PEM_MAX];

	(void)state;
	hex(vector_pk, pk, sizeof(pk));
	labelkey_public_pem(pk, pem);
	assert_string_equal(pem, "-----BEGIN PUBLIC KEY-----\n"
				 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtGdHgbLyKpYUGGg2nC3/Zn1+Ca2s\n"
				 "NiJcBp5vMZah+xo6Ef5iiYEzB8fwWEFJK4iYH6vHW8dPMW1MYaD1f7G+Yw==\n"
				 "-----END PUBLIC KEY-----\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive_known_answer),
		cmocka_unit_test(test_verify_known_answer),
		cmocka_unit_test(test_sign_round_trip),
		cmocka_unit_test(test_public_checks),
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_pem),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
