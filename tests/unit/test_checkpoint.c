/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "crypto/checkpoint.h"
#include "crypto/merkle.h"
#include "util/encode.h"
#include "util/err.h"

#define EM "\xe2\x80\x94"

/* The example of c2sp.org/tlog-checkpoint. */
static const char sofa[] =
	"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

/* The same checkpoint signed by a log key (seed 32 x 0x01) and cosigned by
 * a witness (seed 00 01 .. 1f) at 1700000000, computed with an independent
 * Ed25519 implementation (Python cryptography). */
static const char sofa_cosigned[] =
	"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	"\n"
	EM " example.com/behind-the-sofa be1zqQx8hYrJJIfiWfY39ShElJ74dPrOjXSgJJ2qG3vny2U7JyHN2kKCWb5H5e2MfxP7My2OyDRrDvCH/RbVubiZ8AE=\n"
	EM " witness.example/w1 519lMgAAAABlU/EAEIjhLnL6i22xiHzP3Di14SFl2d034jCH6G3KxDQbrC1jPI3HMU33jTHL7lh171gnJ75A3NeO7YPW3H1ZrzZBCQ==\n";

static uint8_t log_pk[32], log_sk[64], wit_pk[32], wit_sk[64];

static int setup(void **state)
{
	uint8_t seed[32];
	int i;

	(void)state;
	memset(seed, 1, sizeof(seed));
	crypto_sign_seed_keypair(log_pk, log_sk, seed);
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(wit_pk, wit_sk, seed);
	return 0;
}

static void test_format_parse(void **state)
{
	struct checkpoint c, c2;
	struct gs_diag d;
	char text[CHECKPOINT_TEXT_SIZE], want[CHECKPOINT_TEXT_SIZE];
	size_t len, n;

	(void)state;
	assert_int_equal(checkpoint_parse(sofa, strlen(sofa), &c, &d), 0);
	assert_string_equal(c.origin, "example.com/behind-the-sofa");
	assert_int_equal(c.size, 20852163);
	assert_int_equal(checkpoint_format(&c, text, sizeof(text), &len), 0);
	assert_int_equal(len, strlen(sofa));
	assert_string_equal(text, sofa);

	/* The RFC 6962 eight-leaf root as a checkpoint. */
	memset(&c2, 0, sizeof(c2));
	snprintf(c2.origin, sizeof(c2.origin), "kor.example/ledger/jpn");
	c2.size = 8;
	assert_int_equal(hex_decode("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
				    64, c2.root, 32, &n), 0);
	assert_int_equal(checkpoint_format(&c2, text, sizeof(text), &len), 0);
	snprintf(want, sizeof(want), "kor.example/ledger/jpn\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
	assert_string_equal(text, want);
	c2.size = UINT64_MAX;
	assert_int_equal(checkpoint_format(&c2, text, sizeof(text), &len), 0);
	assert_int_equal(checkpoint_parse(text, len, &c, &d), 0);
	assert_int_equal(c.size, UINT64_MAX);
	assert_int_equal(checkpoint_format(&c2, text, 20, &len), GS_ELIMIT);
	snprintf(c2.origin, sizeof(c2.origin), "bad origin");
	assert_int_equal(checkpoint_format(&c2, text, sizeof(text), &len), GS_EINVAL);
}

static void test_parse_rejects(void **state)
{
	static const char *bad[] = {
		"o\n08\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nextension\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
		"o o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o+o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\n",
		"",
	};
	struct checkpoint c;
	struct gs_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(checkpoint_parse(bad[i], strlen(bad[i]), &c, &d), GS_EINVAL);
	assert_int_equal(checkpoint_parse(bad[0], strlen(bad[0]), &c, &d), GS_EINVAL);
	assert_string_equal(d.msg,
			    "checkpoint line 2: size must be a decimal number without leading zeros");
	assert_int_equal(checkpoint_parse(bad[10], strlen(bad[10]), &c, &d), GS_EINVAL);
	assert_string_equal(d.msg, "checkpoint line 4: extension lines are not accepted");
	assert_int_equal(checkpoint_parse("o\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
					  49, &c, &d), 0);
	assert_int_equal(c.size, 0);
}

static void test_cosigned_vector(void **state)
{
	struct signed_note n;
	struct checkpoint c;
	struct gs_diag d;
	uint64_t ts = 0;
	char *out = NULL;
	size_t outlen;

	(void)state;
	assert_int_equal(checkpoint_open(sofa_cosigned, strlen(sofa_cosigned),
					 "example.com/behind-the-sofa", log_pk, &c, &n, &d), 0);
	assert_int_equal(c.size, 20852163);
	assert_int_equal(n.nsigs, 2);
	assert_int_equal(n.sigs[1].key_id, cosig_key_id("witness.example/w1", wit_pk));
	assert_int_equal(cosig_verify(&n, "witness.example/w1", wit_pk, &ts), 0);
	assert_int_equal(ts, 1700000000);
	/* A cosignature is not a note signature, and the reverse. */
	assert_int_equal(note_verify(&n, "witness.example/w1", wit_pk), GS_ENOTFOUND);
	assert_int_equal(cosig_verify(&n, "example.com/behind-the-sofa", log_pk, &ts),
			 GS_ENOTFOUND);

	/* Signing reproduces the vector byte for byte. */
	assert_int_equal(note_sign(sofa, strlen(sofa), "example.com/behind-the-sofa", log_sk,
				   &out, &outlen, NULL), 0);
	{
		char *out2 = NULL;
		size_t out2len;

		assert_int_equal(cosig_sign(out, outlen, "witness.example/w1", wit_sk,
					    1700000000, &out2, &out2len, &d), 0);
		assert_int_equal(out2len, strlen(sofa_cosigned));
		assert_memory_equal(out2, sofa_cosigned, out2len);
		free(out2);
	}
	free(out);
}

/* The timestamp-decoding vector of transparency-dev/formats
 * (note_cosigv1_test.go, TestCoSigV1Timestamp). */
static void test_timestamp_vector(void **state)
{
	static const char n_text[] =
		"test\n123\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n"
		EM " w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==\n"
		EM " w eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=\n";
	struct signed_note n;
	uint64_t ts;

	(void)state;
	assert_int_equal(note_parse(n_text, strlen(n_text), &n, NULL), 0);
	assert_int_equal(n.nsigs, 2);
	assert_int_equal(cosig_timestamp(&n.sigs[0], &ts), 0);
	assert_int_equal(ts, 1727964367);
	assert_int_equal(cosig_timestamp(&n.sigs[1], &ts), GS_EINVAL);
}

static void test_flipped_bytes(void **state)
{
	size_t len = strlen(sofa_cosigned), i;
	struct signed_note n;
	struct checkpoint c;
	uint64_t ts;
	char buf[512];
	int rl, rw;

	(void)state;
	for (i = 0; i < len; i++) {
		memcpy(buf, sofa_cosigned, len);
		buf[i] = (char)(buf[i] ^ 0x01);
		rl = checkpoint_open(buf, len, "example.com/behind-the-sofa", log_pk, &c, &n,
				     NULL);
		if (rl != 0)
			continue;
		/* The log line survived: the change is in the witness line. */
		rw = cosig_verify(&n, "witness.example/w1", wit_pk, &ts);
		assert_int_not_equal(rw, 0);
	}
	/* A timestamp change breaks the cosignature. */
	{
		struct signed_note sn;
		uint8_t blob[72];
		char *out = NULL;
		size_t outlen;

		assert_int_equal(note_parse(sofa_cosigned, len, &sn, NULL), 0);
		memcpy(blob, sn.sigs[1].sig, 72);
		blob[7] ^= 1;
		sn.nsigs = 1;
		assert_int_equal(note_add_sig(sofa_cosigned, strlen(sofa) + 1 + sn.sigs[0].line_len,
					      "witness.example/w1", sn.sigs[1].key_id, blob, 72,
					      &out, &outlen, NULL), 0);
		assert_int_equal(note_parse(out, outlen, &sn, NULL), 0);
		assert_int_equal(cosig_verify(&sn, "witness.example/w1", wit_pk, &ts), GS_ECRYPTO);
		free(out);
	}
}

static void test_open_rejects(void **state)
{
	struct checkpoint c;
	struct gs_diag d;
	char *out = NULL;
	size_t outlen;

	(void)state;
	assert_int_equal(checkpoint_open(sofa_cosigned, strlen(sofa_cosigned),
					 "example.com/other", log_pk, &c, NULL, &d), GS_ENOTFOUND);
	assert_string_equal(d.msg, "checkpoint: no signature by log 'example.com/other'");
	assert_int_equal(checkpoint_open(sofa_cosigned, strlen(sofa_cosigned),
					 "example.com/behind-the-sofa", wit_pk, &c, NULL, &d),
			 GS_ENOTFOUND);
	/* Signed under a key name that is not the origin. */
	assert_int_equal(note_sign(sofa, strlen(sofa), "example.com/other", log_sk, &out,
				   &outlen, NULL), 0);
	assert_int_equal(checkpoint_open(out, outlen, "example.com/other", log_pk, &c, NULL,
					 &d), GS_EINVAL);
	assert_string_equal(d.msg,
			    "checkpoint: origin 'example.com/behind-the-sofa' is not 'example.com/other'");
	free(out);
	/* A witness cosigns checkpoints only. */
	assert_int_equal(cosig_sign("not a checkpoint\n", 17, "w", wit_sk, 1, &out, &outlen,
				    &d), GS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_cosigned_vector),
		cmocka_unit_test(test_timestamp_vector),
		cmocka_unit_test(test_flipped_bytes),
		cmocka_unit_test(test_open_rejects),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
