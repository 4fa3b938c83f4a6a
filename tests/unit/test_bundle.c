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
#include <unistd.h>

#include <sodium.h>

#include "crypto/bundle.h"
#include "crypto/keys.h"
#include "util/encode.h"
#include "util/err.h"

static char tmpdir[] = "/tmp/test_bundle.XXXXXX";
static struct node_keys kor, jpn, usa;

static void seeded(struct node_keys *k, uint8_t a, uint8_t b)
{
	uint8_t s1[32], s2[32];
	int i;

	for (i = 0; i < 32; i++) {
		s1[i] = (uint8_t)(a + i);
		s2[i] = (uint8_t)(b + i);
	}
	assert_int_equal(keys_from_seeds(s1, s2, k), 0);
}

static void sample_manifest(struct bundle_manifest *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->item, sizeof(m->item), "KOR-2019-0042");
	snprintf(m->originator, sizeof(m->originator), "KOR");
	snprintf(m->sender, sizeof(m->sender), "KOR");
	snprintf(m->recipient, sizeof(m->recipient), "JPN");
	snprintf(m->agreement, sizeof(m->agreement), "KOR-JPN-2016");
	m->agreement_version = 1;
	snprintf(m->purpose, sizeof(m->purpose), "defence");
	snprintf(m->topic, sizeof(m->topic), "dprk-nuclear-missile-threats");
	snprintf(m->form, sizeof(m->form), "document");
	snprintf(m->title, sizeof(m->title), "Launch report, 2019-11-28");
	snprintf(m->banner_originator, sizeof(m->banner_originator), "군사II급비밀");
	snprintf(m->banner_recipient, sizeof(m->banner_recipient), "極秘,特定秘密");
	m->created = 1574930096; /* 2019-11-28T08:34:56Z */
	m->exercise = true;
}

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static int open_tmp(const char *name, int flags)
{
	char p[256];
	int fd;

	path_of(p, sizeof(p), name);
	fd = open(p, flags, 0600);
	assert_true(fd >= 0);
	return fd;
}

static void write_tmp(const char *name, const uint8_t *p, size_t n)
{
	int fd = open_tmp(name, O_WRONLY | O_CREAT | O_TRUNC);

	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static uint8_t *read_tmp(const char *name, size_t *n)
{
	int fd = open_tmp(name, O_RDONLY);
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

/* Seals doc[0..n) from KOR to JPN into "b.bundle"; returns the bytes. */
static uint8_t *seal(const struct bundle_manifest *m, const uint8_t *doc, size_t n,
		     size_t *len, struct bundle_manifest *out_m)
{
	struct gs_diag d = { "" };
	int in, out, ret;

	write_tmp("doc.bin", doc, n);
	in = open_tmp("doc.bin", O_RDONLY);
	out = open_tmp("b.bundle", O_WRONLY | O_CREAT | O_TRUNC);
	ret = bundle_seal(m, in, out, jpn.box_pk, "gsomia/KOR", kor.sign_sk, out_m, NULL, &d);
	if (ret)
		fail_msg("seal: %s", d.msg);
	close(in);
	close(out);
	return read_tmp("b.bundle", len);
}

/* Opens bundle bytes as JPN; returns the error; *outlen the bytes the
 * output fd received (0 means nothing was written). */
static int open_as(const uint8_t *b, size_t len, const uint8_t *box_sk, const uint8_t *box_pk,
		   const uint8_t *file_key, unsigned flags, uint8_t **plain, size_t *outlen,
		   struct bundle_manifest *m, struct gs_diag *d)
{
	struct bundle_open_keys k = { 0 };
	struct bundle_manifest tmp;
	int in, out, ret;
	uint8_t *p;
	size_t n;

	char tmp_path[256], final_path[256];
	struct stat st;

	write_tmp("in.bundle", b, len);
	in = open_tmp("in.bundle", O_RDONLY);
	/* as the API asks: a temporary file, renamed only on success */
	out = open_tmp("out.bin.tmp", O_WRONLY | O_CREAT | O_TRUNC);
	k.key_name = "gsomia/KOR";
	k.sender_pk = kor.sign_pk;
	k.box_pk = box_pk;
	k.box_sk = box_sk;
	k.file_key = file_key;
	ret = bundle_open(in, &k, out, flags, m ? m : &tmp, d);
	assert_int_equal(fstat(out, &st), 0);
	*outlen = (size_t)st.st_size; /* what reached the fd, kept or not */
	close(in);
	close(out);
	path_of(tmp_path, sizeof(tmp_path), "out.bin.tmp");
	path_of(final_path, sizeof(final_path), "out.bin");
	if (ret != 0) {
		assert_int_equal(unlink(tmp_path), 0);
		if (plain)
			*plain = NULL;
		return ret;
	}
	assert_int_equal(rename(tmp_path, final_path), 0);
	p = read_tmp("out.bin", &n);
	assert_int_equal(n, *outlen);
	if (plain)
		*plain = p;
	else
		free(p);
	return ret;
}

static void test_manifest_text(void **state)
{
	struct bundle_manifest m, back;
	char buf[4096];
	int n;

	(void)state;
	sample_manifest(&m);
	snprintf(m.bundle_id, sizeof(m.bundle_id), "00112233445566778899aabbccddeeff");
	m.payload_size = 1234;
	memset(m.payload_sha256, 0xab, 32);
	n = bundle_manifest_format(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	assert_string_equal(buf,
			    "gsomia-bundle/v1\n"
			    "bundle 00112233445566778899aabbccddeeff\n"
			    "item KOR-2019-0042\n"
			    "originator KOR\n"
			    "sender KOR\n"
			    "recipient JPN\n"
			    "agreement KOR-JPN-2016\n"
			    "agreement-version 1\n"
			    "purpose defence\n"
			    "topic dprk-nuclear-missile-threats\n"
			    "form document\n"
			    "title Launch report, 2019-11-28\n"
			    "banner-originator 군사II급비밀\n"
			    "banner-recipient 極秘,特定秘密\n"
			    "created 2019-11-28T08:34:56Z\n"
			    "exercise yes\n"
			    "payload-sha256 abababababababababababababababababababababababababababababababab\n"
			    "payload-size 1234\n");
	assert_int_equal(bundle_manifest_parse(buf, (size_t)n, &back, NULL), 0);
	assert_true(bundle_manifest_equal(&m, &back));
	/* optional consent, no title */
	m.title[0] = '\0';
	snprintf(m.consent, sizeof(m.consent), "0123456789abcdef0123456789abcdef");
	n = bundle_manifest_format(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "exercise yes\nconsent 0123456789abcdef0123456789abcdef\n"));
	assert_null(strstr(buf, "title"));
	assert_int_equal(bundle_manifest_parse(buf, (size_t)n, &back, NULL), 0);
	assert_true(bundle_manifest_equal(&m, &back));
	assert_int_equal(bundle_manifest_format(&m, buf, 100, NULL), GS_ELIMIT);
	/* the file's own name, after the title (known answer) */
	snprintf(m.title, sizeof(m.title), "Launch report");
	snprintf(m.name, sizeof(m.name), "발사 평가: 2019-11-28.pdf");
	n = bundle_manifest_format(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "form document\ntitle Launch report\nname 발사 평가: 2019-11-28.pdf\n"
				    "banner-originator "));
	assert_int_equal(bundle_manifest_parse(buf, (size_t)n, &back, NULL), 0);
	assert_true(bundle_manifest_equal(&m, &back));
	assert_string_equal(back.name, "발사 평가: 2019-11-28.pdf");
	/* a name that is a path, or a dot, is not one */
	snprintf(m.name, sizeof(m.name), "../etc/passwd");
	assert_int_equal(bundle_manifest_format(&m, buf, sizeof(buf), NULL), GS_EINVAL);
	snprintf(m.name, sizeof(m.name), "..");
	assert_int_equal(bundle_manifest_format(&m, buf, sizeof(buf), NULL), GS_EINVAL);
	snprintf(m.name, sizeof(m.name), "a\\b.txt");
	assert_int_equal(bundle_manifest_format(&m, buf, sizeof(buf), NULL), GS_EINVAL);
	assert_true(bundle_name_is_valid("report 7.txt"));
	assert_false(bundle_name_is_valid(" lead.txt"));
	assert_false(bundle_name_is_valid("two\nlines"));
	assert_false(bundle_name_is_valid(""));
}

/* Texts that must not parse: each a small edit of a good one. */
static void test_manifest_strict(void **state)
{
	static const char *const edits[][2] = {
		{ "agreement-version 1\n", "agreement-version 01\n" },
		{ "agreement-version 1\n", "agreement-version +1\n" },
		{ "agreement-version 1\n", "agreement-version 4294967296\n" },
		{ "payload-size 1234\n", "payload-size 1234 \n" },
		{ "payload-size 1234\n", "payload-size 18446744073709551616\n" },
		{ "exercise yes\n", "exercise YES\n" },
		{ "exercise yes\n", "exercise  yes\n" },
		{ "form document\n", "form letter\n" },
		{ "sender KOR\n", "sender kor\n" },
		{ "recipient JPN\n", "recipient KOR\n" },
		{ "bundle 00112233445566778899aabbccddeeff\n", "bundle 00112233445566778899AABBCCDDEEFF\n" },
		{ "bundle 00112233445566778899aabbccddeeff\n", "bundle 00112233\n" },
		{ "created 2019-11-28T08:34:56Z\n", "created 2019-11-28T17:34:56+09:00\n" },
		{ "created 2019-11-28T08:34:56Z\n", "created 2019-11-28T08:34Z\n" },
		{ "item KOR-2019-0042\n", "item KOR 2019\n" },
		{ "sender KOR\nrecipient JPN\n", "recipient JPN\nsender KOR\n" },
		{ "topic dprk-nuclear-missile-threats\n", "" },
		{ "title Launch report, 2019-11-28\n", "title \n" },
		{ "title Launch report, 2019-11-28\n", "title Launch report, 2019-11-28\nname a/b.txt\n" },
		{ "title Launch report, 2019-11-28\n", "title Launch report, 2019-11-28\nname .\n" },
		{ "title Launch report, 2019-11-28\n", "name a.txt\ntitle Launch report, 2019-11-28\n" },
		{ "banner-originator", "name a.txt\nname b.txt\nbanner-originator" },
		{ "banner-recipient 極秘,特定秘密\n", "banner-recipient 極秘,,特定秘密\n" },
		{ "banner-recipient 極秘,特定秘密\n", "banner-recipient 極秘, 特定秘密\n" },
		{ "banner-recipient 極秘,特定秘密\n", "banner-recipient a,b,c,d,e\n" },
		{ "payload-size 1234\n", "payload-size 1234\nextra 1\n" },
		{ "exercise yes\n", "exercise yes\nunknown 1\n" },
		{ "payload-sha256 ab", "payload-sha256 AB" },
		{ "gsomia-bundle/v1\n", "gsomia-bundle/v2\n" },
		{ "payload-size 1234\n", "payload-size 1234" },
		{ "exercise yes\n", "exercise yes\r\n" },
	};
	struct bundle_manifest m, back;
	char buf[4096], ed[4096];
	size_t i;
	int n;
	char *at;

	(void)state;
	sample_manifest(&m);
	snprintf(m.bundle_id, sizeof(m.bundle_id), "00112233445566778899aabbccddeeff");
	m.payload_size = 1234;
	memset(m.payload_sha256, 0xab, 32);
	n = bundle_manifest_format(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		at = strstr(buf, edits[i][0]);
		assert_non_null(at);
		snprintf(ed, sizeof(ed), "%.*s%s%s", (int)(at - buf), buf, edits[i][1],
			 at + strlen(edits[i][0]));
		if (bundle_manifest_parse(ed, strlen(ed), &back, NULL) == 0)
			fail_msg("edit %zu parsed: %s", i, edits[i][1]);
	}
}

static void test_seal_open(void **state)
{
	static const size_t sizes[] = { 0, 1, 1000, 65536, 5 * 65536 + 17 };
	struct bundle_manifest m, sealed, opened, inspected;
	struct bundle_sig sig;
	struct gs_diag d = { "" };
	uint8_t *doc, *b, *plain, fk[16];
	size_t i, len, outlen;
	unsigned modes[] = { 0, BUNDLE_OPEN_ONE_PASS, BUNDLE_OPEN_THREADS(1),
			     BUNDLE_OPEN_ONE_PASS | BUNDLE_OPEN_THREADS(1) };
	size_t mi;
	int fd;

	(void)state;
	doc = malloc(5 * 65536 + 17);
	randombytes_buf(doc, 5 * 65536 + 17);
	sample_manifest(&m);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		b = seal(&m, doc, sizes[i], &len, &sealed);
		assert_int_equal(strlen(sealed.bundle_id), 32);
		/* the first line gives the manifest length; the rest is the payload */
		{
			size_t mlen = strtoul((const char *)b + 17, NULL, 10);
			const uint8_t *nl = memchr(b, '\n', 40);
			uint8_t sha[32];

			assert_memory_equal(b, "gsomia-bundle/v1 ", 17);
			assert_int_equal(len - (size_t)(nl + 1 - b) - mlen, sealed.payload_size);
			crypto_hash_sha256(sha, nl + 1 + mlen, sealed.payload_size);
			assert_memory_equal(sha, sealed.payload_sha256, 32);
		}
		for (mi = 0; mi < sizeof(modes) / sizeof(modes[0]); mi++) {
			assert_int_equal(open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, modes[mi],
						 &plain, &outlen, &opened, &d), 0);
			assert_int_equal(outlen, sizes[i]);
			assert_memory_equal(plain, doc, sizes[i]);
			assert_true(bundle_manifest_equal(&sealed, &opened));
			free(plain);
		}
		/* inspect, verify, unwrap then open with the file key */
		fd = open_tmp("in.bundle", O_RDONLY);
		assert_int_equal(bundle_read_manifest(fd, &inspected, &sig, &d), 0);
		assert_true(bundle_manifest_equal(&sealed, &inspected));
		assert_string_equal(sig.key_name, "gsomia/KOR");
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(bundle_verify(fd, "gsomia/KOR", kor.sign_pk, &inspected, &d), 0);
		assert_true(bundle_manifest_equal(&sealed, &inspected));
		assert_int_equal(bundle_verify(fd, "gsomia/KOR", kor.sign_pk, &inspected, &d),
				 GS_EINVAL); /* at end of file now */
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(bundle_verify(fd, "gsomia/JPN", kor.sign_pk, &inspected, &d),
				 GS_ENOTFOUND);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(bundle_unwrap_key(fd, jpn.box_sk, fk, &d), 0);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(bundle_unwrap_key(fd, usa.box_sk, fk + 0, &d), GS_ECRYPTO);
		close(fd);
		assert_int_equal(open_as(b, len, NULL, jpn.box_pk, fk, 0, &plain, &outlen,
					 &opened, &d), 0);
		assert_int_equal(outlen, sizes[i]);
		assert_memory_equal(plain, doc, sizes[i]);
		free(plain);
		/* someone else's key, or the right file key presented for
		 * another recipient key (forwarding): refused, nothing written */
		assert_int_equal(open_as(b, len, usa.box_sk, usa.box_pk, NULL, 0, NULL, &outlen,
					 NULL, &d), GS_ECRYPTO);
		assert_int_equal(outlen, 0);
		assert_int_equal(open_as(b, len, NULL, usa.box_pk, fk, 0, NULL, &outlen, NULL, &d),
				 GS_ECRYPTO);
		assert_int_equal(outlen, 0);
		assert_non_null(strstr(d.msg, "inner header"));
		free(b);
	}
	free(doc);
}

/* Every byte of the first line, the manifest and the age header flipped,
 * and a sample of the payload: each rejected before any plaintext byte
 * reaches the output fd, in both opening modes. Truncations fail. */
static void test_flips(void **state)
{
	struct bundle_manifest m, sealed;
	struct gs_diag d = { "" };
	uint8_t doc[3000], *b;
	size_t len, outlen, i, age_off, hdr_end, mlen;
	const uint8_t *nl;
	unsigned mode;
	int ret;

	(void)state;
	randombytes_buf(doc, sizeof(doc));
	sample_manifest(&m);
	b = seal(&m, doc, sizeof(doc), &len, &sealed);
	nl = memchr(b, '\n', 40);
	mlen = strtoul((const char *)b + 17, NULL, 10);
	age_off = (size_t)(nl + 1 - b) + mlen;
	hdr_end = age_off + AGE_X25519_HEADER_SIZE(1);
	assert_int_equal(len, age_off + sealed.payload_size);
	for (mode = 0; mode < 2; mode++) {
		unsigned flags = mode ? BUNDLE_OPEN_ONE_PASS : 0;

		for (i = 0; i < len; i += i < hdr_end ? 1 : 37) {
			b[i] ^= 0x01;
			ret = open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, flags, NULL, &outlen,
				      NULL, &d);
			if (ret == 0 || outlen != 0)
				fail_msg("flip at %zu (mode %u): ret %d, %zu bytes out", i, mode,
					 ret, outlen);
			b[i] ^= 0x01;
		}
		for (i = 1; i < len; i += i < 64 ? 1 : 257) {
			ret = open_as(b, len - i, jpn.box_sk, jpn.box_pk, NULL, flags, NULL,
				      &outlen, NULL, &d);
			if (ret == 0 || outlen != 0)
				fail_msg("truncated by %zu (mode %u): ret %d", i, mode, ret);
		}
	}
	/* a byte appended */
	{
		uint8_t *longer = malloc(len + 1);

		memcpy(longer, b, len);
		longer[len] = 'x';
		assert_int_not_equal(open_as(longer, len + 1, jpn.box_sk, jpn.box_pk, NULL, 0,
					     NULL, &outlen, NULL, &d), 0);
		assert_int_equal(outlen, 0);
		free(longer);
	}
	assert_int_equal(open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, 0, NULL, &outlen, NULL,
				 &d), 0);
	assert_int_equal(outlen, sizeof(doc));
	free(b);
}

/* A payload that is valid age for the recipient but not the one the
 * manifest signed (same size, another digest): refused, nothing written
 * in the default mode. */
static void test_swapped_payload(void **state)
{
	struct bundle_manifest m, s1, s2;
	struct gs_diag d = { "" };
	uint8_t doc[100], *b1, *b2;
	size_t l1, l2, outlen;

	(void)state;
	memset(doc, 'a', sizeof(doc));
	sample_manifest(&m);
	b1 = seal(&m, doc, sizeof(doc), &l1, &s1);
	b2 = seal(&m, doc, sizeof(doc), &l2, &s2);
	assert_int_equal(l1, l2);
	memcpy(b1 + l1 - s1.payload_size, b2 + l2 - s2.payload_size, s1.payload_size);
	assert_int_equal(open_as(b1, l1, jpn.box_sk, jpn.box_pk, NULL, 0, NULL, &outlen, NULL,
				 &d), GS_ECRYPTO);
	assert_int_equal(outlen, 0);
	assert_non_null(strstr(d.msg, "SHA-256"));
	assert_int_equal(open_as(b1, l1, jpn.box_sk, jpn.box_pk, NULL, BUNDLE_OPEN_ONE_PASS,
				 NULL, &outlen, NULL, &d), GS_ECRYPTO);
	free(b1);
	free(b2);
}

static void test_seal_errors(void **state)
{
	struct bundle_manifest m, out;
	struct gs_diag d = { "" };
	int in, outfd, p[2];

	(void)state;
	sample_manifest(&m);
	write_tmp("doc.bin", (const uint8_t *)"x", 1);
	in = open_tmp("doc.bin", O_RDONLY);
	outfd = open_tmp("e.bundle", O_WRONLY | O_CREAT | O_TRUNC);
	snprintf(m.recipient, sizeof(m.recipient), "KOR");
	assert_int_equal(bundle_seal(&m, in, outfd, jpn.box_pk, "gsomia/KOR", kor.sign_sk,
				     &out, NULL, &d), GS_EINVAL);
	sample_manifest(&m);
	snprintf(m.form, sizeof(m.form), "scroll");
	assert_int_equal(bundle_seal(&m, in, outfd, jpn.box_pk, "gsomia/KOR", kor.sign_sk,
				     &out, NULL, &d), GS_EINVAL);
	sample_manifest(&m);
	assert_int_equal(bundle_seal(&m, in, outfd, jpn.box_pk, "bad name", kor.sign_sk,
				     &out, NULL, &d), GS_EINVAL);
	/* an output opened for appending would put the manifest at the end */
	{
		int app = open_tmp("a.bundle", O_WRONLY | O_CREAT | O_APPEND);

		assert_int_equal(bundle_seal(&m, in, app, jpn.box_pk, "gsomia/KOR", kor.sign_sk,
					     &out, NULL, &d), GS_EINVAL);
		close(app);
	}
	/* a pipe is not seekable */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(bundle_seal(&m, in, p[1], jpn.box_pk, "gsomia/KOR", kor.sign_sk,
				     &out, NULL, &d), GS_EINVAL);
	assert_int_equal(bundle_seal(&m, p[0], outfd, jpn.box_pk, "gsomia/KOR", kor.sign_sk,
				     &out, NULL, &d), GS_EINVAL);
	close(p[0]);
	close(p[1]);
	/* writes that fail: a clean error, not a crash or a success */
	{
		int ro = open_tmp("e.bundle", O_RDONLY);

		assert_int_equal(bundle_seal(&m, in, ro, jpn.box_pk, "gsomia/KOR", kor.sign_sk,
					     &out, NULL, &d), GS_EIO);
		close(ro);
	}
	close(in);
	close(outfd);
}

/* The plaintext output cannot be written: the open fails cleanly, in
 * both modes and with or without threads. */
static void test_open_write_fails(void **state)
{
	struct bundle_open_keys k = { 0 };
	struct bundle_manifest m, sealed;
	struct gs_diag d = { "" };
	uint8_t *doc, *b;
	size_t len;
	unsigned flags[] = { 0, BUNDLE_OPEN_ONE_PASS, BUNDLE_OPEN_THREADS(1) };
	size_t i;
	int in, ro;

	(void)state;
	doc = malloc(300000);
	randombytes_buf(doc, 300000);
	sample_manifest(&m);
	b = seal(&m, doc, 300000, &len, &sealed);
	k.key_name = "gsomia/KOR";
	k.sender_pk = kor.sign_pk;
	k.box_pk = jpn.box_pk;
	k.box_sk = jpn.box_sk;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		in = open_tmp("b.bundle", O_RDONLY);
		ro = open_tmp("b.bundle", O_RDONLY);
		assert_int_equal(bundle_open(in, &k, ro, flags[i], &m, &d), GS_EIO);
		assert_non_null(strstr(d.msg, "write failed"));
		close(in);
		close(ro);
	}
	free(b);
	free(doc);
}

/* The payload is a standard age file: the stock tool decrypts it with the
 * recipient's exported identity, giving the inner header then the
 * document. */
static void test_stock_age(void **state)
{
	struct bundle_manifest m, sealed;
	char id[AGE_IDENTITY_SIZE], cmd[1024], line[128];
	uint8_t doc[70000], *b, *out;
	size_t len, n, ilen;
	int ret;

	(void)state;
	if (system("age --version >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	randombytes_buf(doc, sizeof(doc));
	sample_manifest(&m);
	b = seal(&m, doc, sizeof(doc), &len, &sealed);
	age_identity_encode(jpn.box_sk, id);
	n = (size_t)snprintf(line, sizeof(line), "%s\n", id);
	write_tmp("jpn.key", (const uint8_t *)line, n);
	sodium_memzero(id, sizeof(id));
	sodium_memzero(line, sizeof(line));
	snprintf(cmd, sizeof(cmd), "tail -c %llu %s/b.bundle | age -d -i %s/jpn.key > %s/stock.out",
		 (unsigned long long)sealed.payload_size, tmpdir, tmpdir, tmpdir);
	ret = system(cmd);
	assert_int_equal(ret, 0);
	out = read_tmp("stock.out", &n);
	assert_true(n > sizeof(doc) + 20 + 64);
	assert_memory_equal(out, BUNDLE_INNER_MAGIC, sizeof(BUNDLE_INNER_MAGIC));
	ilen = (size_t)out[16] << 24 | (size_t)out[17] << 16 | (size_t)out[18] << 8 | out[19];
	assert_int_equal(n, 20 + ilen + 64 + sizeof(doc));
	assert_memory_equal(out + 20, "bundle ", 7);
	assert_memory_equal(out + n - sizeof(doc), doc, sizeof(doc));
	free(out);
	free(b);
}

/* The test vector of docs/bundle-format.md: KOR's keys from the seeds
 * 40..5f / 80..9f, JPN's from 60..7f / a0..bf; document "Hello, JPN.\n". */
#include "bundle_vector.h"

static void test_vector(void **state)
{
	struct bundle_manifest m;
	struct gs_diag d = { "" };
	uint8_t *b, *plain;
	size_t len, outlen, clean = 0, i;
	char *txt;

	(void)state;
	txt = calloc(1, sizeof(bundle_vector_b64));
	assert_non_null(txt);
	for (i = 0; bundle_vector_b64[i]; i++)
		if (bundle_vector_b64[i] != '\n')
			txt[clean++] = bundle_vector_b64[i];
	b = calloc(1, clean + 1);
	assert_non_null(b);
	assert_int_equal(b64_decode(txt, clean, b, clean, &len), 0);
	if (open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, 0, &plain, &outlen, &m, &d) != 0)
		fail_msg("vector: %s", d.msg);
	assert_int_equal(outlen, 12);
	assert_memory_equal(plain, "Hello, JPN.\n", 12);
	assert_string_equal(m.bundle_id, "6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10");
	free(plain);
	free(txt);
	free(b);
}

/* GSOMIA_WRITE_VECTOR=path: seal the vector and write it as base64. */
static void write_vector(const char *path)
{
	struct bundle_manifest m, out;
	uint8_t *b;
	char *enc;
	size_t len, i;
	FILE *f;

	sample_manifest(&m);
	snprintf(m.bundle_id, sizeof(m.bundle_id), "6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10");
	b = seal(&m, (const uint8_t *)"Hello, JPN.\n", 12, &len, &out);
	enc = malloc(B64_ENCODED_SIZE(len));
	assert_int_equal(b64_encode(b, len, enc, B64_ENCODED_SIZE(len)), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < strlen(enc); i += 76)
		fprintf(f, "%.76s\n", enc + i);
	fclose(f);
	free(enc);
	free(b);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	seeded(&kor, 0x40, 0x80);
	seeded(&jpn, 0x60, 0xa0);
	seeded(&usa, 0x10, 0x30);
	if (getenv("GSOMIA_WRITE_VECTOR"))
		write_vector(getenv("GSOMIA_WRITE_VECTOR"));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	keys_release(&kor);
	keys_release(&jpn);
	keys_release(&usa);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_text),
		cmocka_unit_test(test_manifest_strict),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_flips),
		cmocka_unit_test(test_swapped_payload),
		cmocka_unit_test(test_seal_errors),
		cmocka_unit_test(test_open_write_fails),
		cmocka_unit_test(test_stock_age),
		cmocka_unit_test(test_vector),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
