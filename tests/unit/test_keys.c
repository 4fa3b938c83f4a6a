/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "crypto/keys.h"
#include "util/err.h"
#include "util/limits.h"

static const char pass[] = "correct horse battery staple";

/* Keys from the seeds 40 41 .. 5f (Ed25519) and 80 81 .. 9f (X25519)
 * sealed under `pass`; checked with an independent implementation (Python
 * cryptography's Argon2id and ChaCha20-Poly1305 with HChaCha20). */
static const char vector[] =
	"gsomia-keys/v1\n"
	"sign-pk JUO5L/EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0=\n"
	"box-pk ST6C/HRGSlkmiBdiPSBTxeuOLMSpiLT+4XnsawENUx0=\n"
	"kdf argon2id 2 67108864\n"
	"salt QhxdALDAQgpoNkrrg7LbGw==\n"
	"nonce Hxos9nma85uoV+FDBv+8cN2y+2v0+CZB\n"
	"sealed sj9cz32aRHwdVTtO8PQ5VmulVvN8KO9GppTLMY8U/RhC3ml+JDNSbu+z8cWqQEzRjj2F/FA0KfJLZR5L0QjLP/puoZih854FBoInOi4vcUzQcubELjqwD/vNTQV2FSyVUH2Bw11tOovI4y5//BtXOg==\n";

static void seeds(uint8_t s1[32], uint8_t s2[32])
{
	int i;

	for (i = 0; i < 32; i++) {
		s1[i] = (uint8_t)(0x40 + i);
		s2[i] = (uint8_t)(0x80 + i);
	}
}

static void test_vector(void **state)
{
	struct node_keys k, want;
	uint8_t s1[32], s2[32], spk[32], bpk[32];
	char fp[KEYS_FINGERPRINT_SIZE];
	struct gs_diag d;

	(void)state;
	seeds(s1, s2);
	assert_int_equal(keys_from_seeds(s1, s2, &want), 0);
	assert_int_equal(keys_unseal(vector, strlen(vector), pass, strlen(pass), &k, &d), 0);
	assert_memory_equal(k.sign_pk, want.sign_pk, 32);
	assert_memory_equal(k.box_pk, want.box_pk, 32);
	assert_memory_equal(k.sign_sk, want.sign_sk, 64);
	assert_memory_equal(k.box_sk, want.box_sk, 32);
	assert_int_equal(keys_public(vector, strlen(vector), spk, bpk, &d), 0);
	assert_memory_equal(spk, want.sign_pk, 32);
	assert_memory_equal(bpk, want.box_pk, 32);
	keys_fingerprint(k.sign_pk, fp);
	assert_string_equal(fp, "0339 6219 237f 75a6 4f12 aeb7 f397 23ab");
	keys_release(&k);
	keys_release(&want);
	assert_null(k.sign_sk);
	assert_null(k.box_sk);
}

static void test_wrong_passphrase(void **state)
{
	struct node_keys k;
	struct gs_diag d;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(keys_unseal(vector, strlen(vector), "correct horse battery stapler",
				     29, &k, &d), GS_ECRYPTO);
	assert_string_equal(d.msg, "wrong passphrase or damaged key file");
	assert_null(k.sign_sk);
	assert_int_equal(keys_unseal(vector, strlen(vector), "", 0, &k, &d), GS_ECRYPTO);
}

/* Changing any byte of the file is refused: a parse error, or an AEAD
 * failure, since every header byte is associated data. Argon2id runs for
 * each change that parses, so this samples the positions. */
static void test_tampered(void **state)
{
	size_t len = strlen(vector), i;
	struct node_keys k;
	char *buf = malloc(len);
	int ret;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < len; i += 13) {
		memcpy(buf, vector, len);
		buf[i] = (char)(buf[i] ^ 0x01);
		ret = keys_unseal(buf, len, pass, strlen(pass), &k, NULL);
		assert_int_not_equal(ret, 0);
	}
	free(buf);
}

static void test_roundtrip(void **state)
{
	struct node_keys k, k2;
	struct keys_kdf kdf;
	char *file = NULL, *file2 = NULL;
	size_t len, len2;
	struct gs_diag d;

	(void)state;
	assert_int_equal(keys_generate(&k), 0);
	assert_int_equal(keys_seal(&k, pass, strlen(pass), NULL, &file, &len), 0);
	assert_int_equal(strlen(file), len);
	assert_int_equal(keys_unseal(file, len, pass, strlen(pass), &k2, &d), 0);
	assert_memory_equal(k.sign_sk, k2.sign_sk, 64);
	assert_memory_equal(k.box_sk, k2.box_sk, 32);
	keys_release(&k2);
	/* Two seals differ (fresh salt and nonce). */
	assert_int_equal(keys_seal(&k, pass, strlen(pass), NULL, &file2, &len2), 0);
	assert_true(len != len2 || memcmp(file, file2, len) != 0);
	/* The sealed secret of one file under the header of the other. */
	{
		const char *s1 = strstr(file, "sealed "), *s2 = strstr(file2, "sealed ");
		size_t h1 = (size_t)(s1 - file);
		char *mix = malloc(h1 + strlen(s2) + 1);

		assert_non_null(mix);
		memcpy(mix, file, h1);
		memcpy(mix + h1, s2, strlen(s2) + 1);
		assert_int_equal(keys_unseal(mix, strlen(mix), pass, strlen(pass), &k2, &d),
				 GS_ECRYPTO);
		free(mix);
	}
	free(file2);
	free(file);

	/* Costs: below INTERACTIVE or above the caps is refused. */
	kdf.ops = 1;
	kdf.mem = 64u << 20;
	assert_int_equal(keys_seal(&k, pass, strlen(pass), &kdf, &file, &len), GS_EINVAL);
	kdf.ops = 2;
	kdf.mem = 8u << 20;
	assert_int_equal(keys_seal(&k, pass, strlen(pass), &kdf, &file, &len), GS_EINVAL);
	kdf.mem = GS_MAX_KDF_MEM + 1;
	assert_int_equal(keys_seal(&k, pass, strlen(pass), &kdf, &file, &len), GS_ELIMIT);
	kdf.ops = GS_MAX_KDF_OPS + 1;
	kdf.mem = 64u << 20;
	assert_int_equal(keys_seal(&k, pass, strlen(pass), &kdf, &file, &len), GS_ELIMIT);
	kdf.ops = 3;
	assert_int_equal(keys_seal(&k, pass, strlen(pass), &kdf, &file, &len), 0);
	assert_non_null(strstr(file, "\nkdf argon2id 3 67108864\n"));
	assert_int_equal(keys_unseal(file, len, pass, strlen(pass), &k2, &d), 0);
	keys_release(&k2);
	free(file);
	assert_int_equal(keys_seal(&k, "", 0, NULL, &file, &len), GS_EINVAL);
	keys_release(&k);
}

static void replace(char *dst, size_t dstsz, const char *src, const char *from,
		    const char *to)
{
	const char *p = strstr(src, from);
	size_t pre;

	assert_non_null(p);
	pre = (size_t)(p - src);
	assert_true(strlen(src) - strlen(from) + strlen(to) < dstsz);
	memcpy(dst, src, pre);
	memcpy(dst + pre, to, strlen(to));
	memcpy(dst + pre + strlen(to), p + strlen(from), strlen(p + strlen(from)) + 1);
}

static void test_malformed(void **state)
{
	struct node_keys k;
	struct gs_diag d;
	char buf[2048];

	(void)state;
	replace(buf, sizeof(buf), vector, "kdf argon2id 2 67108864", "kdf argon2id 2 1073741824");
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_ELIMIT);
	assert_string_equal(d.msg,
			    "key file line 4: argon2id costs above the limit (4 passes, 268435456 bytes)");
	replace(buf, sizeof(buf), vector, "kdf argon2id 2 67108864", "kdf argon2id 1 67108864");
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_EINVAL);
	replace(buf, sizeof(buf), vector, "kdf argon2id 2 67108864", "kdf argon2id 02 67108864");
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_EINVAL);
	replace(buf, sizeof(buf), vector, "kdf argon2id 2 67108864", "kdf scrypt 2 67108864");
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_EINVAL);
	assert_string_equal(d.msg, "key file line 4: expected 'kdf argon2id <ops> <mem>'");
	replace(buf, sizeof(buf), vector, "gsomia-keys/v1", "gsomia-keys/v2");
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_EINVAL);
	assert_string_equal(d.msg, "key file line 1: expected 'gsomia-keys/v1'");
	replace(buf, sizeof(buf), vector, "sign-pk ", "sign-pk  ");
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_EINVAL);
	assert_int_equal(keys_unseal(vector, strlen(vector) - 1, pass, strlen(pass), &k, &d),
			 GS_EINVAL);
	snprintf(buf, sizeof(buf), "%sextra\n", vector);
	assert_int_equal(keys_unseal(buf, strlen(buf), pass, strlen(pass), &k, &d), GS_EINVAL);
	assert_string_equal(d.msg, "key file line 8: unexpected data");
	assert_int_equal(keys_unseal(vector, GS_MAX_KEYFILE_BYTES + 1, pass, strlen(pass), &k,
				     &d), GS_ELIMIT);
}

static void test_fingerprint(void **state)
{
	uint8_t pk[32];
	char fp[KEYS_FINGERPRINT_SIZE];

	(void)state;
	memset(pk, 0, sizeof(pk));
	/* SHA-256 of 32 zero bytes = 66687aadf862bd776c8fc18b8e9f8e20... */
	keys_fingerprint(pk, fp);
	assert_string_equal(fp, "6668 7aad f862 bd77 6c8f c18b 8e9f 8e20");
	assert_int_equal(strlen(fp), KEYS_FINGERPRINT_SIZE - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_fingerprint),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
