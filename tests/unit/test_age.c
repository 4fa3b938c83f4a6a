/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/age.h"
#include "crypto/merkle.h"
#include "util/encode.h"
#include "util/err.h"

static char tmpdir[] = "/tmp/test_age.XXXXXX";

static void unhex(const char *h, uint8_t *out, size_t n)
{
	size_t got;

	assert_int_equal(hex_decode(h, strlen(h), out, n, &got), 0);
	assert_int_equal(got, n);
}

/* ---- RFC 5869 appendix A, test cases 1-3 ------------------------------ */

static void test_hkdf_rfc5869(void **state)
{
	uint8_t ikm[80], salt[80], info[80], okm[82], want[82];
	size_t i;

	(void)state;
	/* case 1 */
	memset(ikm, 0x0b, 22);
	for (i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < 10; i++)
		info[i] = (uint8_t)(0xf0 + i);
	assert_int_equal(age_hkdf_sha256(salt, 13, ikm, 22, info, 10, okm, 42), 0);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	      "34007208d5b887185865", want, 42);
	assert_memory_equal(okm, want, 42);
	/* case 2: long inputs, 82 bytes out */
	for (i = 0; i < 80; i++) {
		ikm[i] = (uint8_t)i;
		salt[i] = (uint8_t)(0x60 + i);
		info[i] = (uint8_t)(0xb0 + i);
	}
	assert_int_equal(age_hkdf_sha256(salt, 80, ikm, 80, info, 80, okm, 82), 0);
	unhex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	      "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	      "cc30c58179ec3e87c14c01d5c1f3434f1d87", want, 82);
	assert_memory_equal(okm, want, 82);
	/* case 3: no salt, no info */
	memset(ikm, 0x0b, 22);
	assert_int_equal(age_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, okm, 42), 0);
	unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	      "9d201395faa4b61a96c8", want, 42);
	assert_memory_equal(okm, want, 42);
	assert_int_equal(age_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, okm, 255 * 32 + 1),
			 GS_EINVAL);
}

/* ---- Bech32 keys ------------------------------------------------------- */

/* Pairs published with other age implementations' tests. */
static const char *const pairs[][2] = {
	{ "AGE-SECRET-KEY-13W6UT6Z3H72N3YY9MXJMPPMN2K0KQGW863HPH258UCUXKLK3S3RQA32XH3",
	  "age12v6newahxev3mukn7tmr2ycvu5wa0tzkf2yuwret3j8mjg49mggqnawwlu" },
	{ "AGE-SECRET-KEY-1XLS8V9YY2HKFFU3QWGHWC7CUTY9A08NSSZU8MAQHECDJC2E26EJQHS7AG7",
	  "age18nv85p4lm076rfe5nmkpk8vq66u3eql09ruxalxlfsxu86dlyq0sfgykj4" },
};

static void test_bech32(void **state)
{
	uint8_t sk[32], pk[32], pk2[32];
	char id[AGE_IDENTITY_SIZE], rc[AGE_RECIPIENT_SIZE], bad[100];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(age_identity_parse(pairs[i][0], strlen(pairs[i][0]), sk), 0);
		assert_int_equal(crypto_scalarmult_base(pk, sk), 0);
		assert_int_equal(age_recipient_encode(pk, rc), 0);
		assert_string_equal(rc, pairs[i][1]);
		assert_int_equal(age_identity_encode(sk, id), 0);
		assert_string_equal(id, pairs[i][0]);
		assert_int_equal(age_recipient_parse(rc, strlen(rc), pk2), 0);
		assert_memory_equal(pk, pk2, 32);
		/* every single-character change is caught by the checksum */
		for (j = 0; j < strlen(rc); j++) {
			snprintf(bad, sizeof(bad), "%s", rc);
			bad[j] = bad[j] == 'q' ? 'p' : 'q';
			assert_int_not_equal(age_recipient_parse(bad, strlen(bad), pk2), 0);
		}
	}
	/* wrong case for the kind, mixed case, wrong prefix, wrong length */
	for (i = 0; i < strlen(rc); i++)
		bad[i] = (char)(rc[i] >= 'a' && rc[i] <= 'z' ? rc[i] - 32 : rc[i]);
	assert_int_not_equal(age_recipient_parse(bad, strlen(rc), pk2), 0);
	snprintf(bad, sizeof(bad), "%s", pairs[0][0]);
	bad[20] = (char)(bad[20] + 32);
	assert_int_not_equal(age_identity_parse(bad, strlen(bad), sk), 0);
	for (i = 0; i < strlen(pairs[0][0]); i++)
		bad[i] = (char)(pairs[0][0][i] >= 'A' && pairs[0][0][i] <= 'Z' ?
				pairs[0][0][i] + 32 : pairs[0][0][i]);
	assert_int_not_equal(age_identity_parse(bad, strlen(pairs[0][0]), sk), 0);
	assert_int_not_equal(age_identity_parse(pairs[0][1], strlen(pairs[0][1]), sk), 0);
	assert_int_not_equal(age_recipient_parse(pairs[0][1], strlen(pairs[0][1]) - 1, pk2), 0);
}

/* ---- age test kit headers (C2SP/age testkit, FiloSottile/age
 * testdata/testkit): the header part of each file; file key "YELLOW
 * SUBMARINE". ---------------------------------------------------------- */

#define KIT_ID "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6"
#define KIT_FK "59454c4c4f57205355424d4152494e45"

struct kit {
	const char *name;
	int expect; /* 0 success, GS_EINVAL header failure, GS_ECRYPTO no match */
	const char *header;
};

static const struct kit kits[] = {
	{ "x25519", 0,
	  "age-encryption.org/v1\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	  "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
	  "--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n" },
	{ "stanza_valid_characters", 0,
	  "age-encryption.org/v1\n"
	  "-> !\"#$%&' ()*+,-./ 01234567 89:;<=>? @ABCDEFG HIJKLMNO\n"
	  "\n"
	  "-> PQRSTUVW XYZ[\\]^_ `abcdefg hijklmno pqrstuvw xyz{|}~\n"
	  "\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	  "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
	  "--- x538z9xJq9XEK1aTTTv80aWDVvVdROvaXn2tpqXPC8g\n" },
	{ "x25519_extra_argument", GS_EINVAL,
	  "age-encryption.org/v1\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc 1234\n"
	  "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
	  "--- hQQySEUXL8pOuIOuw0qXzi66RphDJP9IKMNEChNJIPk\n" },
	{ "x25519_bad_tag", GS_ECRYPTO,
	  "age-encryption.org/v1\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	  "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw0o\n"
	  "--- tG0k9bg4iIuBdMWb13n7FFYDzoBbtsLppNLhbh22aKg\n" },
	{ "hmac_not_canonical", GS_EINVAL,
	  "age-encryption.org/v1\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	  "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE\n"
	  "--- WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNh\n" },
	{ "stanza_base64_padding", GS_EINVAL,
	  "age-encryption.org/v1\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	  "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
	  "-> stanza\n"
	  "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	  "QUE=\n"
	  "--- OtG7IuNHaf2SHZuowmxg/fhbhtz0/DI5g5OGd7WH7S0\n" },
	{ "stanza_not_canonical", GS_EINVAL,
	  "age-encryption.org/v1\n"
	  "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	  "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
	  "-> stanza\n"
	  "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	  "QUF\n"
	  "--- nQM2VCzmNLPrUurNWN+SW9wVp/9uTMQ/6CTUM7l8c84\n" },
};

static int kit_open(const char *hdr, uint8_t fk[16])
{
	struct age_header h;
	uint8_t id[32];
	int ret;

	assert_int_equal(age_identity_parse(KIT_ID, strlen(KIT_ID), id), 0);
	ret = age_header_parse((const uint8_t *)hdr, strlen(hdr), &h, NULL);
	if (ret == 0) {
		assert_int_equal(h.len, strlen(hdr));
		ret = age_header_unwrap(&h, (const uint8_t *)hdr, id, fk, NULL);
	}
	return ret;
}

static void test_testkit(void **state)
{
	uint8_t fk[16], want[16];
	size_t i;

	(void)state;
	unhex(KIT_FK, want, 16);
	for (i = 0; i < sizeof(kits) / sizeof(kits[0]); i++) {
		memset(fk, 0, sizeof(fk));
		if (kit_open(kits[i].header, fk) != kits[i].expect)
			fail_msg("testkit %s: want %d", kits[i].name, kits[i].expect);
		if (kits[i].expect == 0)
			assert_memory_equal(fk, want, 16);
	}
}

/* ---- round trips ------------------------------------------------------- */

struct membuf {
	uint8_t *p;
	size_t n, cap;
};

static int mem_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct membuf *m = ctx;

	if (m->n + n > m->cap)
		return GS_ELIMIT;
	memcpy(m->p + m->n, p, n);
	m->n += n;
	return 0;
}

static int tmpfile_fd(const char *name, int flags)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, flags, 0600);
	assert_true(fd >= 0);
	return fd;
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	int fd = tmpfile_fd(name, O_WRONLY | O_CREAT | O_TRUNC);

	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static uint8_t *read_file(const char *name, size_t *n)
{
	int fd = tmpfile_fd(name, O_RDONLY);
	struct stat st;
	uint8_t *p;

	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

/* Encrypts pt to pk into "enc.age" and returns its bytes. */
static uint8_t *seal_to_file(const uint8_t *pt, size_t n, const uint8_t pk[32],
			     unsigned threads, size_t *outlen, uint8_t sha[32])
{
	struct age_stream s;
	uint8_t fk[16];
	uint64_t count = 0;
	int in, out;

	write_file("pt.bin", pt, n);
	in = tmpfile_fd("pt.bin", O_RDONLY);
	out = tmpfile_fd("enc.age", O_WRONLY | O_CREAT | O_TRUNC);
	age_stream_init(&s);
	s.in_fd = in;
	s.in_len = threads == 3 ? AGE_LEN_UNKNOWN : n;
	s.out_fd = out;
	s.sha256 = sha;
	s.ciphertext_len = &count;
	s.threads = threads == 3 ? 0 : threads;
	assert_int_equal(age_encrypt((const uint8_t(*)[32])pk, 1, &s, fk, NULL), 0);
	close(in);
	close(out);
	{
		uint8_t *p = read_file("enc.age", outlen);

		assert_int_equal(count, *outlen);
		return p;
	}
}

static int open_mem(const uint8_t *enc, size_t len, const uint8_t sk[32],
		    unsigned threads, struct membuf *m, uint8_t sha[32])
{
	struct age_header h;
	struct age_stream s;
	uint8_t fk[16];
	int ret;

	ret = age_header_parse(enc, len, &h, NULL);
	if (ret)
		return ret;
	ret = age_header_unwrap(&h, enc, sk, fk, NULL);
	if (ret)
		return ret;
	age_stream_init(&s);
	s.in_pre = enc + h.len;
	s.in_pre_len = len - h.len;
	s.sink = mem_sink;
	s.sink_ctx = m;
	s.hash_pre = enc;
	s.hash_pre_len = h.len;
	s.sha256 = sha;
	s.threads = threads;
	return age_decrypt_payload(fk, &s, NULL);
}

static void test_round_trips(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536,
					4 * 65536, 4 * 65536 + 1, 9 * 65536 + 5 };
	uint8_t sk[32], pk[32], sha1[32], sha2[32], check[32];
	struct membuf m;
	uint8_t *pt, *enc;
	size_t i, len;
	unsigned t;

	(void)state;
	crypto_box_keypair(pk, sk);
	pt = malloc(9 * 65536 + 5);
	m.p = malloc(9 * 65536 + 5);
	m.cap = 9 * 65536 + 5;
	assert_non_null(pt);
	randombytes_buf(pt, 9 * 65536 + 5);
	for (t = 0; t <= 3; t++) {
		if (t == 2)
			continue;
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			enc = seal_to_file(pt, sizes[i], pk, t, &len, sha1);
			assert_int_equal(len, AGE_X25519_HEADER_SIZE(1) + age_payload_size(sizes[i]));
			crypto_hash_sha256(check, enc, len);
			assert_memory_equal(check, sha1, 32);
			m.n = 0;
			assert_int_equal(open_mem(enc, len, sk, t == 3 ? 0 : t, &m, sha2), 0);
			assert_int_equal(m.n, sizes[i]);
			assert_memory_equal(m.p, pt, sizes[i]);
			assert_memory_equal(sha1, sha2, 32);
			free(enc);
		}
	}
	/* the sizes age 1.1.1 writes */
	assert_int_equal(AGE_X25519_HEADER_SIZE(1) + age_payload_size(0), 200);
	assert_int_equal(AGE_X25519_HEADER_SIZE(1) + age_payload_size(1), 201);
	assert_int_equal(AGE_X25519_HEADER_SIZE(1) + age_payload_size(65535), 65735);
	assert_int_equal(AGE_X25519_HEADER_SIZE(1) + age_payload_size(65536), 65736);
	assert_int_equal(AGE_X25519_HEADER_SIZE(1) + age_payload_size(65537), 65753);
	free(pt);
	free(m.p);
}

/* Several recipients: each can open it. */
static void test_multi_recipient(void **state)
{
	uint8_t sk[3][32], pk[3][32], other_sk[32], other_pk[32], fk[16];
	uint8_t buf[4096];
	struct age_header h;
	size_t len, i;

	(void)state;
	for (i = 0; i < 3; i++)
		crypto_box_keypair(pk[i], sk[i]);
	crypto_box_keypair(other_pk, other_sk);
	randombytes_buf(fk, 16);
	assert_int_equal(age_header_write((const uint8_t(*)[32])pk, 3, fk, buf, sizeof(buf),
					  &len), 0);
	assert_int_equal(len, AGE_X25519_HEADER_SIZE(3));
	assert_int_equal(age_header_parse(buf, len, &h, NULL), 0);
	assert_int_equal(h.nstanzas, 3);
	for (i = 0; i < 3; i++) {
		uint8_t got[16];

		assert_int_equal(age_header_unwrap(&h, buf, sk[i], got, NULL), 0);
		assert_memory_equal(got, fk, 16);
	}
	assert_int_equal(age_header_unwrap(&h, buf, other_sk, fk, NULL), GS_ECRYPTO);
	assert_int_equal(age_header_write((const uint8_t(*)[32])pk, 0, fk, buf, sizeof(buf),
					  &len), GS_EINVAL);
	assert_int_equal(age_header_write((const uint8_t(*)[32])pk, 3, fk, buf, 100, &len),
			 GS_ELIMIT);
}

/* Caps: a ninth stanza is refused before any scalar multiplication. */
static void test_caps(void **state)
{
	char hdr[8192];
	struct age_header h;
	size_t o = 0, i;

	(void)state;
	o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "age-encryption.org/v1\n");
	for (i = 0; i < GS_AGE_MAX_STANZAS + 1; i++)
		o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "-> X25519 %s\n%s\n",
				      "TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc",
				      "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U");
	o += (size_t)snprintf(hdr + o, sizeof(hdr) - o,
			      "--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n");
	assert_int_equal(age_header_parse((uint8_t *)hdr, o, &h, NULL), GS_ELIMIT);
	/* too many arguments */
	o = (size_t)snprintf(hdr, sizeof(hdr),
			     "age-encryption.org/v1\n-> a b c d e f g h i\n\n--- %s\n",
			     "Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0");
	assert_int_equal(age_header_parse((uint8_t *)hdr, o, &h, NULL), GS_ELIMIT);
	/* a body of exactly GS_AGE_MAX_BODY bytes parses; one more byte does not */
	{
		uint8_t body[GS_AGE_MAX_BODY + 1];
		char b64[B64_ENCODED_SIZE(GS_AGE_MAX_BODY + 1)];
		size_t n, j, blen;

		for (n = GS_AGE_MAX_BODY; n <= GS_AGE_MAX_BODY + 1; n++) {
			memset(body, 'A', sizeof(body));
			assert_int_equal(b64_encode(body, n, b64, sizeof(b64)), 0);
			blen = strlen(b64);
			while (blen && b64[blen - 1] == '=')
				blen--;
			o = (size_t)snprintf(hdr, sizeof(hdr), "age-encryption.org/v1\n-> big\n");
			for (j = 0; j < blen; j += 64)
				o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "%.*s\n",
						      (int)(blen - j < 64 ? blen - j : 64), b64 + j);
			if (blen % 64 == 0)
				o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "\n");
			o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "--- %s\n",
					      "Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0");
			assert_int_equal(age_header_parse((uint8_t *)hdr, o, &h, NULL),
					 n == GS_AGE_MAX_BODY ? 0 : GS_ELIMIT);
		}
		assert_int_equal(h.stanzas[0].bodylen, GS_AGE_MAX_BODY);
	}
	/* an unterminated header longer than the cap */
	memset(hdr, 'A', sizeof(hdr));
	memcpy(hdr, "age-encryption.org/v1\n-> x\n", 27);
	assert_int_equal(age_header_parse((uint8_t *)hdr, sizeof(hdr), &h, NULL), GS_EINVAL);
	{
		uint8_t *big = malloc(GS_AGE_MAX_HEADER + 100);

		assert_non_null(big);
		memset(big, 'A', GS_AGE_MAX_HEADER + 100);
		memcpy(big, "age-encryption.org/v1\n-> x\n", 27);
		assert_int_equal(age_header_parse(big, GS_AGE_MAX_HEADER + 100, &h, NULL),
				 GS_ELIMIT);
		free(big);
	}
}

/* Every byte of the header flipped, and a sample of payload bytes: each
 * fails cleanly; truncation fails. */
static void test_tamper(void **state)
{
	uint8_t sk[32], pk[32], sha[32];
	struct membuf m;
	uint8_t *pt, *enc;
	size_t n = 2 * 65536 + 100, len, i;

	(void)state;
	crypto_box_keypair(pk, sk);
	pt = malloc(n);
	m.p = malloc(n);
	m.cap = n;
	randombytes_buf(pt, n);
	enc = seal_to_file(pt, n, pk, 1, &len, sha);
	for (i = 0; i < (size_t)AGE_X25519_HEADER_SIZE(1); i++) {
		enc[i] ^= 0x01;
		m.n = 0;
		assert_int_not_equal(open_mem(enc, len, sk, 1, &m, sha), 0);
		assert_int_equal(m.n, 0);
		enc[i] ^= 0x01;
	}
	for (i = AGE_X25519_HEADER_SIZE(1); i < len; i += 997) {
		enc[i] ^= 0x80;
		m.n = 0;
		assert_int_not_equal(open_mem(enc, len, sk, 1, &m, sha), 0);
		enc[i] ^= 0x80;
	}
	/* the first and the last byte of every chunk and the nonce */
	for (i = 0; i < 3; i++) {
		size_t first = AGE_X25519_HEADER_SIZE(1) + 16 + i * AGE_ENC_CHUNK;
		size_t last = first + AGE_ENC_CHUNK - 1 < len - 1 ? first + AGE_ENC_CHUNK - 1 : len - 1;

		enc[first] ^= 1;
		m.n = 0;
		assert_int_equal(open_mem(enc, len, sk, 0, &m, sha), GS_ECRYPTO);
		enc[first] ^= 1;
		enc[last] ^= 1;
		assert_int_equal(open_mem(enc, len, sk, 0, &m, sha), GS_ECRYPTO);
		enc[last] ^= 1;
	}
	/* truncations: inside the last chunk, at a chunk boundary (no final
	 * chunk), inside the nonce, no payload at all */
	m.n = 0;
	assert_int_equal(open_mem(enc, len, sk, 1, &m, sha), 0);
	for (i = 1; i < 40; i += 7)
		assert_int_not_equal(open_mem(enc, len - i, sk, 1, &m, sha), 0);
	assert_int_not_equal(open_mem(enc, AGE_X25519_HEADER_SIZE(1) + 16 + 2 * AGE_ENC_CHUNK,
				      sk, 1, &m, sha), 0);
	assert_int_not_equal(open_mem(enc, AGE_X25519_HEADER_SIZE(1) + 16 + 2 * AGE_ENC_CHUNK,
				      sk, 0, &m, sha), 0);
	assert_int_not_equal(open_mem(enc, AGE_X25519_HEADER_SIZE(1) + 16 + AGE_ENC_CHUNK,
				      sk, 1, &m, sha), 0);
	assert_int_not_equal(open_mem(enc, AGE_X25519_HEADER_SIZE(1) + 10, sk, 1, &m, sha), 0);
	assert_int_not_equal(open_mem(enc, AGE_X25519_HEADER_SIZE(1) + 16, sk, 1, &m, sha), 0);
	assert_int_not_equal(open_mem(enc, AGE_X25519_HEADER_SIZE(1), sk, 1, &m, sha), 0);
	/* trailing garbage after the final chunk */
	{
		uint8_t *longer = malloc(len + 1);

		memcpy(longer, enc, len);
		longer[len] = 0;
		assert_int_not_equal(open_mem(longer, len + 1, sk, 1, &m, sha), 0);
		assert_int_not_equal(open_mem(longer, len + 1, sk, 0, &m, sha), 0);
		free(longer);
	}
	free(enc);
	free(pt);
	free(m.p);
}

/* ---- interop with the stock age 1.1.1 tool ----------------------------- */

static int have_age(void)
{
	return system("age --version >/dev/null 2>&1 && age-keygen --version >/dev/null 2>&1") == 0;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_interop(void **state)
{
	static const size_t sizes[] = { 0, 1, 65536, 65537, 5 * 65536 + 3 };
	uint8_t sk[32], pk[32], sha[32];
	char id[AGE_IDENTITY_SIZE], rc[AGE_RECIPIENT_SIZE];
	uint8_t *pt, *enc, *back;
	size_t i, len, blen;
	int fd, out;

	(void)state;
	if (!have_age()) {
		skip();
		return;
	}
	pt = malloc(5 * 65536 + 3);
	randombytes_buf(pt, 5 * 65536 + 3);
	crypto_box_keypair(pk, sk);
	age_identity_encode(sk, id);
	age_recipient_encode(pk, rc);
	{
		char line[200];
		int n = snprintf(line, sizeof(line), "# test identity\n%s\n", id);

		write_file("key.txt", (const uint8_t *)line, (size_t)n);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* ours -> age -d */
		enc = seal_to_file(pt, sizes[i], pk, 0, &len, sha);
		free(enc);
		/* (age -o creates its output only on the first write) */
		assert_int_equal(run("age -d -i %s/key.txt %s/enc.age > %s/back.bin",
				     tmpdir, tmpdir, tmpdir), 0);
		back = read_file("back.bin", &blen);
		assert_int_equal(blen, sizes[i]);
		assert_memory_equal(back, pt, sizes[i]);
		free(back);
		/* age -r -> ours */
		assert_int_equal(run("age -r %s %s/pt.bin > %s/stock.age", rc, tmpdir, tmpdir), 0);
		fd = tmpfile_fd("stock.age", O_RDONLY);
		out = tmpfile_fd("mine.bin", O_WRONLY | O_CREAT | O_TRUNC);
		assert_int_equal(age_decrypt_fd(fd, sk, out, NULL), 0);
		close(fd);
		close(out);
		back = read_file("mine.bin", &blen);
		assert_int_equal(blen, sizes[i]);
		assert_memory_equal(back, pt, sizes[i]);
		free(back);
		back = read_file("stock.age", &blen);
		assert_int_equal(blen, AGE_X25519_HEADER_SIZE(1) + age_payload_size(sizes[i]));
		free(back);
	}
	/* a key made by age-keygen parses to the recipient it prints */
	assert_int_equal(run("age-keygen -o %s/kg.txt 2>/dev/null", tmpdir), 0);
	{
		uint8_t *kg = read_file("kg.txt", &blen);
		char *pub, *sec;
		uint8_t ksk[32], kpk[32], kpk2[32];

		kg[blen] = 0;
		pub = strstr((char *)kg, "# public key: ");
		sec = strstr((char *)kg, "AGE-SECRET-KEY-1");
		assert_non_null(pub);
		assert_non_null(sec);
		pub += 14;
		assert_int_equal(age_recipient_parse(pub, 62, kpk), 0);
		assert_int_equal(age_identity_parse(sec, 74, ksk), 0);
		assert_int_equal(crypto_scalarmult_base(kpk2, ksk), 0);
		assert_memory_equal(kpk, kpk2, 32);
		sodium_memzero(kg, blen);
		free(kg);
	}
	sodium_memzero(id, sizeof(id));
	free(pt);
}

/* ---- leaves (bundle v2) ------------------------------------------------ */

struct leaves {
	uint8_t h[64][AGE_LEAF_HASH];
	uint64_t n;
	uint64_t bad;   /* expect: this leaf's hash is given wrong (0: none) */
	uint64_t asked; /* expect: leaves asked for so far */
	int last_seen;
};

static int collect_leaves(void *ctx, uint64_t first, const uint8_t (*h)[AGE_LEAF_HASH], size_t n,
			  struct gs_diag *d)
{
	struct leaves *l = ctx;
	size_t i;

	(void)d;
	assert_int_equal(first, l->n); /* in order, leaf 0 first */
	for (i = 0; i < n; i++)
		memcpy(l->h[l->n++], h[i], AGE_LEAF_HASH);
	return 0;
}

static int give_leaves(void *ctx, uint64_t first, size_t n, int last,
		       uint8_t (*out)[AGE_LEAF_HASH], struct gs_diag *d)
{
	struct leaves *l = ctx;
	size_t i;

	assert_int_equal(first, l->asked + 1); /* in order, chunks only */
	if (first + n > l->n)
		return gs_diag_set(d, GS_EINVAL, "more chunks than leaves");
	for (i = 0; i < n; i++) {
		memcpy(out[i], l->h[first + i], AGE_LEAF_HASH);
		if (first + i == l->bad)
			out[i][5] ^= 1;
	}
	l->asked += n;
	if (last)
		l->last_seen = 1;
	return 0;
}

/* age_encrypt reports the leaf hashes of exactly the bytes it wrote (the
 * header and nonce, then each chunk), with any number of threads;
 * decrypting and hashing against them succeed, and a wrong one is named
 * and stops the stream before that chunk's plaintext is released. */
static void test_leaves(void **state)
{
	static const size_t sizes[] = { 0, 1, 65536, 65537, 9 * 65536 + 5 };
	uint8_t sk[32], pk[32], fk[16], leaf[AGE_LEAF_HASH];
	struct leaves *l = calloc(1, sizeof(*l));
	struct age_header h;
	struct age_stream s;
	struct membuf m;
	struct gs_diag d;
	uint8_t *pt, *enc;
	size_t i, len, off, c, hl;
	unsigned t;
	int in, out;

	(void)state;
	assert_non_null(l);
	/* the chunk geometry of a payload (nonce and chunks) */
	assert_int_equal(age_leaf_count(15), 0);
	assert_int_equal(age_leaf_count(31), 0);
	assert_int_equal(age_leaf_count(32), 2);      /* empty plaintext: one empty chunk */
	assert_int_equal(age_leaf_count(33), 2);
	assert_int_equal(age_leaf_count(16 + 65552), 2);
	assert_int_equal(age_leaf_count(16 + 65552 + 15), 0);
	assert_int_equal(age_leaf_count(16 + 65552 + 16), 0); /* no empty final chunk after data */
	assert_int_equal(age_leaf_count(16 + 65552 + 17), 3);
	assert_int_equal(age_leaf_count(16 + 2 * 65552), 3);
	crypto_box_keypair(pk, sk);
	pt = malloc(9 * 65536 + 5);
	m.p = malloc(9 * 65536 + 5);
	m.cap = 9 * 65536 + 5;
	randombytes_buf(pt, 9 * 65536 + 5);
	for (t = 0; t <= 1; t++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			memset(l, 0, sizeof(*l));
			write_file("pt.bin", pt, sizes[i]);
			in = tmpfile_fd("pt.bin", O_RDONLY);
			out = tmpfile_fd("enc.age", O_WRONLY | O_CREAT | O_TRUNC);
			age_stream_init(&s);
			s.in_fd = in;
			s.in_len = sizes[i];
			s.out_fd = out;
			s.leaves = collect_leaves;
			s.leaves_ctx = l;
			s.threads = t;
			assert_int_equal(age_encrypt((const uint8_t(*)[32])pk, 1, &s, fk, NULL), 0);
			close(in);
			close(out);
			enc = read_file("enc.age", &len);
			assert_int_equal(l->n, age_leaf_count(len - AGE_X25519_HEADER_SIZE(1)));
			/* leaf 0: header and nonce; then each chunk */
			hl = AGE_X25519_HEADER_SIZE(1) + AGE_NONCE_BYTES;
			merkle_leaf_hash(enc, hl, leaf);
			assert_memory_equal(leaf, l->h[0], 32);
			for (c = 1, off = hl; off < len; c++, off += AGE_ENC_CHUNK) {
				size_t cl = len - off < AGE_ENC_CHUNK ? len - off : AGE_ENC_CHUNK;

				merkle_leaf_hash(enc + off, cl, leaf);
				assert_memory_equal(leaf, l->h[c], 32);
			}
			assert_int_equal(c, l->n);
			/* decrypting against them */
			assert_int_equal(age_header_parse(enc, len, &h, NULL), 0);
			assert_int_equal(age_header_unwrap(&h, enc, sk, fk, NULL), 0);
			age_stream_init(&s);
			s.in_pre = enc + h.len;
			s.in_pre_len = len - h.len;
			s.sink = mem_sink;
			s.sink_ctx = &m;
			s.expect = give_leaves;
			s.leaves_ctx = l;
			s.threads = t;
			m.n = 0;
			assert_int_equal(age_decrypt_payload(fk, &s, NULL), 0);
			assert_int_equal(m.n, sizes[i]);
			assert_memory_equal(m.p, pt, sizes[i]);
			assert_true(l->last_seen);
			assert_int_equal(l->asked, l->n - 1);
			/* hashing against them (input from chunk 0) */
			l->asked = 0;
			s.in_pre = enc + hl;
			s.in_pre_len = len - hl;
			s.sink = NULL;
			assert_int_equal(age_hash_stream(&s, NULL), 0);
			/* a chunk whose hash is not the one held: named, and
			 * nothing from it on reaches the output */
			if (l->n > 3) {
				l->bad = 3;
				l->asked = 0;
				m.n = 0;
				s.in_pre = enc + h.len;
				s.in_pre_len = len - h.len;
				s.sink = mem_sink;
				assert_int_equal(age_decrypt_payload(fk, &s, &d), GS_ECRYPTO);
				assert_non_null(strstr(d.msg, "chunk 2 does not match its hash"));
				assert_true(m.n <= 2 * 65536);
				l->asked = 0;
				s.in_pre = enc + hl;
				s.in_pre_len = len - hl;
				s.sink = NULL;
				assert_int_equal(age_hash_stream(&s, &d), GS_ECRYPTO);
				assert_non_null(strstr(d.msg, "chunk 2 does not match its hash"));
			}
			free(enc);
		}
	}
	free(pt);
	free(m.p);
	free(l);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_bech32),
		cmocka_unit_test(test_testkit),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_multi_recipient),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_interop),
		cmocka_unit_test(test_leaves),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
