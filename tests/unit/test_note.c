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

#include "crypto/note.h"
#include "util/encode.h"
#include "util/err.h"

#define EM "\xe2\x80\x94"

/* The example of c2sp.org/signed-note. */
static const char spec_vkey[] =
	"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
static const char spec_note[] =
	"This is an example message.\n"
	"\n"
	EM " example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

/* The example of golang.org/x/mod/sumdb/note (package documentation and
 * tests): PeterNeumann's secret key, both verifier keys and the note
 * signed by both. */
static const char peter_skey_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_vkey[] =
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char enoch_vkey[] =
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char go_text[] =
	"If you think cryptography is the answer to your problem,\n"
	"then you don't know what your problem is.\n";
static const char peter_sig[] =
	EM " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char enoch_sig[] =
	EM " EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

static struct signed_note note;

static void test_spec_example(void **state)
{
	struct note_vkey vk;
	struct gs_diag d = { "" };
	char enc[NOTE_VKEY_SIZE];

	(void)state;
	assert_int_equal(note_vkey_parse(spec_vkey, strlen(spec_vkey), &vk, &d), 0);
	assert_string_equal(vk.name, "example.com/foo");
	assert_int_equal(vk.key_id, 0x530d903a);
	assert_int_equal(vk.type, NOTE_TYPE_ED25519);
	assert_int_equal(note_key_id("example.com/foo", 1, vk.pk, 32), 0x530d903a);
	assert_int_equal(note_vkey_encode(vk.name, vk.type, vk.pk, enc, sizeof(enc)), 0);
	assert_string_equal(enc, spec_vkey);

	assert_int_equal(note_parse(spec_note, strlen(spec_note), &note, &d), 0);
	assert_int_equal(note.text_len, strlen("This is an example message.\n"));
	assert_memory_equal(note.text, "This is an example message.\n", note.text_len);
	assert_int_equal(note.nsigs, 1);
	assert_string_equal(note.sigs[0].name, "example.com/foo");
	assert_int_equal(note.sigs[0].key_id, 0x530d903a);
	assert_int_equal(note.sigs[0].siglen, 64);
	assert_int_equal(note_verify(&note, vk.name, vk.pk), 0);
	/* Same name, other key: no line for it. */
	vk.pk[0] ^= 1;
	assert_int_equal(note_verify(&note, vk.name, vk.pk), GS_ENOTFOUND);
}

static void load_vkey(const char *s, struct note_vkey *vk)
{
	assert_int_equal(note_vkey_parse(s, strlen(s), vk, NULL), 0);
}

static void test_go_example(void **state)
{
	uint8_t raw[33], pk[32], sk[64];
	struct note_vkey peter, enoch;
	char buf[1024], *out = NULL;
	size_t outlen;

	(void)state;
	load_vkey(peter_vkey, &peter);
	load_vkey(enoch_vkey, &enoch);
	assert_int_equal(b64_decode_exact(peter_skey_b64, strlen(peter_skey_b64), raw, 33), 0);
	assert_int_equal(raw[0], 1);
	crypto_sign_seed_keypair(pk, sk, raw + 1);
	assert_memory_equal(pk, peter.pk, 32);

	/* Signing reproduces the published signature byte for byte. */
	assert_int_equal(note_sign(go_text, strlen(go_text), "PeterNeumann", sk, &out,
				   &outlen, NULL), 0);
	snprintf(buf, sizeof(buf), "%s\n%s", go_text, peter_sig);
	assert_int_equal(outlen, strlen(buf));
	assert_memory_equal(out, buf, outlen);
	free(out);

	/* Signed by both; each key finds its own line. */
	snprintf(buf, sizeof(buf), "%s\n%s%s", go_text, peter_sig, enoch_sig);
	assert_int_equal(note_parse(buf, strlen(buf), &note, NULL), 0);
	assert_int_equal(note.nsigs, 2);
	assert_int_equal(note_verify(&note, "PeterNeumann", peter.pk), 0);
	assert_int_equal(note_verify(&note, "EnochRoot", enoch.pk), 0);
	assert_int_equal(note_verify(&note, "EnochRoot", peter.pk), GS_ENOTFOUND);
	assert_int_equal(note_verify(&note, "PeterNeumann", enoch.pk), GS_ENOTFOUND);

	/* Signing the signed note again with Peter's key changes nothing. */
	assert_int_equal(note_sign(buf, strlen(buf), "PeterNeumann", sk, &out, &outlen,
				   NULL), 0);
	assert_int_equal(outlen, strlen(buf));
	assert_memory_equal(out, buf, outlen);
	free(out);
	sodium_memzero(sk, sizeof(sk));
}

/* Every single-byte change of the example is refused: it no longer
 * parses, or the key finds no line, or the line fails. */
static void test_flipped_bytes(void **state)
{
	struct note_vkey vk;
	size_t len = strlen(spec_note), i;
	char buf[512];
	unsigned bit;
	int ret;

	(void)state;
	load_vkey(spec_vkey, &vk);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, spec_note, len);
			buf[i] = (char)(buf[i] ^ (1u << bit));
			ret = note_parse(buf, len, &note, NULL);
			if (ret == 0)
				assert_int_not_equal(note_verify(&note, vk.name, vk.pk), 0);
		}
	}
	/* A changed text with the original line is a bad signature, not a
	 * missing one. */
	memcpy(buf, spec_note, len);
	buf[0] = 't';
	assert_int_equal(note_parse(buf, len, &note, NULL), 0);
	assert_int_equal(note_verify(&note, vk.name, vk.pk), GS_ECRYPTO);
}

static void test_truncated(void **state)
{
	struct gs_diag d;
	struct note_vkey vk;
	size_t len = strlen(spec_note), i;
	int ret;

	(void)state;
	load_vkey(spec_vkey, &vk);
	for (i = 0; i < len; i++) {
		gs_diag_clear(&d);
		ret = note_parse(spec_note, i, &note, &d);
		assert_int_not_equal(ret, 0);
		assert_true(strlen(d.msg) > 0);
	}
	ret = note_parse(spec_note, len - 1, &note, &d);
	assert_int_equal(ret, GS_EINVAL);
	assert_string_equal(d.msg, "signed note does not end with a newline (truncated?)");
	ret = note_parse(spec_note, strlen("This is an example message.\n\n"), &note, &d);
	assert_int_equal(ret, GS_EINVAL);
	assert_string_equal(d.msg, "signed note has no signature lines");
	ret = note_parse(spec_note, strlen("This is an example message.\n"), &note, &d);
	assert_string_equal(d.msg, "signed note has no blank line before its signatures");
}

static void expect_bad(const char *s, int err, const char *msg)
{
	struct gs_diag d = { "" };

	assert_int_equal(note_parse(s, strlen(s), &note, &d), err);
	if (msg)
		assert_string_equal(d.msg, msg);
}

static void test_malformed(void **state)
{
	char *big;
	size_t i, pos;

	(void)state;
	expect_bad("a\tb\n\n" EM " k AAAAAAA=\n", GS_EINVAL,
		   "signed note 1:2: control character 0x09");
	expect_bad("a\n\xc0\xaf\n\n" EM " k AAAAAAA=\n", GS_EINVAL,
		   "signed note 2:1: invalid UTF-8");
	expect_bad("a\xed\xa0\x80\n\n" EM " k AAAAAAA=\n", GS_EINVAL, NULL); /* surrogate */
	expect_bad("a\n\n" EM " k AAAAAAA\n", GS_EINVAL, NULL);  /* no padding */
	expect_bad("a\n\n" EM " k AAAAAA==\n", GS_EINVAL, NULL); /* 4 bytes, no sig */
	expect_bad("a\n\n" EM " k AAAAAAB=\n", GS_EINVAL, NULL); /* non-canonical */
	expect_bad("a\n\n" EM " a+b AAAAAAA=\n", GS_EINVAL,
		   "signed note line 3: invalid key name");
	expect_bad("a\n\n" EM "  AAAAAAA=\n", GS_EINVAL, NULL);          /* empty name */
	expect_bad("a\n\n" EM " a\xc2\xa0" "b AAAAAAA=\n", GS_EINVAL, NULL); /* NBSP */
	expect_bad("a\n\n" EM " k AAAAAAA= x\n", GS_EINVAL, NULL);
	expect_bad("a\n\n- k AAAAAAA=\n", GS_EINVAL,
		   "signed note line 3: a signature line starts with an em dash and a space");
	expect_bad("a\n\n" EM " kAAAAAAA=\n", GS_EINVAL, NULL);
	expect_bad("a\n\n" EM " k AAAAAAA=\n\n", GS_EINVAL, NULL);
	/* The last blank line splits: a text may hold blank lines. */
	assert_int_equal(note_parse("a\n\nb\n\n" EM " k AAAAAAA=\n",
				    strlen("a\n\nb\n\n" EM " k AAAAAAA=\n"), &note, NULL), 0);
	assert_int_equal(note.text_len, 5);
	assert_int_equal(note.sigs[0].siglen, 1);

	/* Caps: GS_MAX_NOTE_SIGS lines parse, one more does not. */
	big = malloc(GS_MAX_NOTE_BYTES + 2);
	assert_non_null(big);
	pos = (size_t)snprintf(big, 8, "a\n\n");
	for (i = 0; i <= GS_MAX_NOTE_SIGS; i++)
		pos += (size_t)snprintf(big + pos, 64, EM " k%zu AAAAAAA=\n", i);
	assert_int_equal(note_parse(big, pos, &note, NULL), GS_ELIMIT);
	assert_int_equal(note_parse(big, pos - strlen(EM " k32 AAAAAAA=\n"), &note, NULL), 0);
	assert_int_equal(note.nsigs, GS_MAX_NOTE_SIGS);
	memset(big, 'a', GS_MAX_NOTE_BYTES + 1);
	assert_int_equal(note_parse(big, GS_MAX_NOTE_BYTES + 1, &note, NULL), GS_ELIMIT);
	free(big);
}

static void test_sign_merge(void **state)
{
	uint8_t pka[32], ska[64], pkb[32], skb[64], seed[32];
	char *one = NULL, *two = NULL, *three = NULL;
	size_t onelen, twolen, threelen;
	struct gs_diag d;
	const char *text = "gsomia/v1 note\nparties KOR JPN\n\nbody after a blank line\n";

	(void)state;
	memset(seed, 1, sizeof(seed));
	crypto_sign_seed_keypair(pka, ska, seed);
	memset(seed, 2, sizeof(seed));
	crypto_sign_seed_keypair(pkb, skb, seed);

	assert_int_equal(note_sign(text, strlen(text), "kor.example/mofa", ska, &one,
				   &onelen, NULL), 0);
	assert_int_equal(note_sign(one, onelen, "jpn.example/mofa", skb, &two, &twolen,
				   NULL), 0);
	assert_int_equal(note_parse(two, twolen, &note, NULL), 0);
	assert_int_equal(note.nsigs, 2);
	assert_int_equal(note.text_len, strlen(text));
	assert_int_equal(note_verify(&note, "kor.example/mofa", pka), 0);
	assert_int_equal(note_verify(&note, "jpn.example/mofa", pkb), 0);
	assert_int_equal(note_verify(&note, "jpn.example/mofa", pka), GS_ENOTFOUND);
	/* Re-signing by the same key keeps one line. */
	assert_int_equal(note_sign(two, twolen, "kor.example/mofa", ska, &three,
				   &threelen, NULL), 0);
	assert_int_equal(threelen, twolen);
	assert_memory_equal(three, two, twolen);
	free(three);
	/* The same key under another name is another line. */
	assert_int_equal(note_sign(two, twolen, "kor.example/other", ska, &three,
				   &threelen, NULL), 0);
	assert_int_equal(note_parse(three, threelen, &note, NULL), 0);
	assert_int_equal(note.nsigs, 3);
	free(three);

	/* Bad inputs. */
	assert_int_equal(note_sign("no newline", 10, "k", ska, &three, &threelen, &d),
			 GS_EINVAL);
	assert_string_equal(d.msg, "note text must end with a newline");
	assert_int_equal(note_sign("a\n", 2, "bad name", ska, &three, &threelen, &d),
			 GS_EINVAL);
	assert_int_equal(note_sign("a\rb\n", 4, "k", ska, &three, &threelen, &d), GS_EINVAL);
	/* A signed-looking input with a broken line is refused, not signed as text. */
	assert_int_equal(note_sign("a\n\n" EM " k !!!!\n", 14, "k", ska, &three, &threelen,
				   &d), GS_EINVAL);
	free(one);
	free(two);
	sodium_memzero(ska, sizeof(ska));
	sodium_memzero(skb, sizeof(skb));
}

static void test_vkey_rejects(void **state)
{
	struct note_vkey vk;
	struct gs_diag d;
	static const char *bad[] = {
		"example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
		"example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
		"example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
		"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
		"example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
		"+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
		"example.com/foo",
		"example.com/foo+530d903a",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(note_vkey_parse(bad[i], strlen(bad[i]), &vk, &d), GS_EINVAL);
	assert_int_equal(note_vkey_parse(bad[1], strlen(bad[1]), &vk, &d), GS_EINVAL);
	assert_string_equal(d.msg, "verifier key 'example.com/foo': key id does not match the key");
}

static void test_names(void **state)
{
	(void)state;
	assert_true(note_name_valid("a", 1));
	assert_true(note_name_valid("kor.example/ledger/jpn", 22));
	assert_true(note_name_valid("\xed\x95\x9c", 3)); /* 한 */
	assert_false(note_name_valid("", 0));
	assert_false(note_name_valid("a+b", 3));
	assert_false(note_name_valid("a b", 3));
	assert_false(note_name_valid("a\xe3\x80\x80" "b", 5)); /* ideographic space */
	assert_false(note_name_valid("a\xff", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_go_example),
		cmocka_unit_test(test_flipped_bytes),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_sign_merge),
		cmocka_unit_test(test_vkey_rejects),
		cmocka_unit_test(test_names),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
