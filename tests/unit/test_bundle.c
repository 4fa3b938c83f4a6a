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

#include "crypto/bundle.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
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

/* bundle_key_fn: KOR is the one sender known here. */
static int kor_key(void *ctx, const char *sender, char key_name[GS_MAX_NAME], uint8_t pk[32],
		   struct gs_diag *d)
{
	(void)ctx;
	if (strcmp(sender, "KOR"))
		return gs_diag_set(d, GS_ENOTFOUND, "unknown sender '%s'", sender);
	snprintf(key_name, GS_MAX_NAME, "gsomia/KOR");
	memcpy(pk, kor.sign_pk, 32);
	return 0;
}

/* msg contains one of the '|'-separated words of what. */
static int mentions(const char *msg, const char *what)
{
	char alt[256], *save = NULL, *w;

	snprintf(alt, sizeof(alt), "%s", what);
	for (w = strtok_r(alt, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (strstr(msg, w))
			return 1;
	return 0;
}

/* Where the regions of a sealed bundle are (computed from its bytes). */
struct layout {
	size_t line, man, sec_off, sec_len, pay_off, hdr_leaf, chunk0;
	size_t nchunks;
};

static void layout_of(const uint8_t *b, size_t len, const struct bundle_manifest *m,
		      struct layout *l)
{
	const uint8_t *nl = memchr(b, '\n', 40), *p;

	assert_non_null(nl);
	l->line = (size_t)(nl + 1 - b);
	l->man = strtoul((const char *)b + 17, NULL, 10);
	l->sec_off = l->line + l->man;
	l->sec_len = m->version == 2 ? (size_t)m->chunk_hashes : 0;
	l->pay_off = l->sec_off + l->sec_len;
	assert_int_equal(len, l->pay_off + m->payload_size);
	/* the age header ends with the "---" line */
	p = (const uint8_t *)strstr((const char *)b + l->pay_off, "\n--- ");
	assert_non_null(p);
	p = memchr(p + 1, '\n', 100);
	l->hdr_leaf = (size_t)(p + 1 - b) - l->pay_off + AGE_NONCE_BYTES;
	l->chunk0 = l->pay_off + l->hdr_leaf;
	l->nchunks = (len - l->chunk0 + AGE_ENC_CHUNK - 1) / AGE_ENC_CHUNK;
}

static const char v2_text[] =
	"gsomia-bundle/v2\n"
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
	"chunk-hashes 96\n"
	"payload-root abababababababababababababababababababababababababababababababab\n"
	"payload-size 1234\n";

static void test_manifest_text(void **state)
{
	struct bundle_manifest m, back;
	char buf[4096];
	int n;

	(void)state;
	sample_manifest(&m);
	m.version = 1;
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
	assert_int_equal(back.version, 1);
	assert_ptr_equal(bundle_payload_digest(&back), back.payload_sha256);
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

	/* v2: the section's length and the tree's root instead of the digest */
	sample_manifest(&m);
	m.version = 2;
	snprintf(m.bundle_id, sizeof(m.bundle_id), "00112233445566778899aabbccddeeff");
	m.payload_size = 1234;
	m.chunk_hashes = 96;
	memset(m.payload_root, 0xab, 32);
	n = bundle_manifest_format(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	assert_string_equal(buf, v2_text);
	assert_int_equal(bundle_manifest_parse(buf, (size_t)n, &back, NULL), 0);
	assert_true(bundle_manifest_equal(&m, &back));
	assert_int_equal(back.version, 2);
	assert_ptr_equal(bundle_payload_digest(&back), back.payload_root);
	m.version = 0;
	assert_int_equal(bundle_manifest_format(&m, buf, sizeof(buf), NULL), GS_EINVAL);
}

static void apply_edits(const char *good, const char *const (*edits)[2], size_t n)
{
	struct bundle_manifest back;
	char ed[4096];
	const char *at;
	size_t i;

	assert_int_equal(bundle_manifest_parse(good, strlen(good), &back, NULL), 0);
	for (i = 0; i < n; i++) {
		at = strstr(good, edits[i][0]);
		assert_non_null(at);
		snprintf(ed, sizeof(ed), "%.*s%s%s", (int)(at - good), good, edits[i][1],
			 at + strlen(edits[i][0]));
		if (bundle_manifest_parse(ed, strlen(ed), &back, NULL) == 0)
			fail_msg("edit %zu parsed: %s", i, edits[i][1]);
	}
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
		{ "gsomia-bundle/v1\n", "gsomia-bundle/v3\n" },
		{ "payload-sha256 ab", "chunk-hashes 96\npayload-root ab" },
		{ "payload-size 1234\n", "payload-size 1234" },
		{ "exercise yes\n", "exercise yes\r\n" },
	};
	/* v2: its own lines, in their order, with their rules */
	static const char *const edits2[][2] = {
		{ "gsomia-bundle/v2\n", "gsomia-bundle/v1\n" },
		{ "gsomia-bundle/v2\n", "gsomia-bundle/v02\n" },
		{ "chunk-hashes 96\n", "" },
		{ "chunk-hashes 96\n", "chunk-hashes 0\n" },
		{ "chunk-hashes 96\n", "chunk-hashes 32\n" },   /* no chunk */
		{ "chunk-hashes 96\n", "chunk-hashes 97\n" },   /* not 32 a leaf */
		{ "chunk-hashes 96\n", "chunk-hashes 096\n" },
		{ "chunk-hashes 96\n", "chunk-hashes 2592\n" }, /* 80 chunks in 1234 bytes */
		{ "chunk-hashes 96\npayload-root ab", "payload-root ab" },
		{ "payload-root ab", "payload-root AB" },
		{ "payload-root abab", "payload-root ab" },
		{ "payload-root ab", "payload-sha256 ab" },
		{ "chunk-hashes 96\npayload-root abababababababababababababababababababababababababababababababab\n",
		  "payload-root abababababababababababababababababababababababababababababababab\nchunk-hashes 96\n" },
		{ "exercise yes\n", "exercise yes\npayload-sha256 abababababababababababababababababababababababababababababababab\n" },
	};
	struct bundle_manifest m;
	char buf[4096];
	int n;

	(void)state;
	sample_manifest(&m);
	m.version = 1;
	snprintf(m.bundle_id, sizeof(m.bundle_id), "00112233445566778899aabbccddeeff");
	m.payload_size = 1234;
	memset(m.payload_sha256, 0xab, 32);
	n = bundle_manifest_format(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	apply_edits(buf, edits, sizeof(edits) / sizeof(edits[0]));
	apply_edits(v2_text, edits2, sizeof(edits2) / sizeof(edits2[0]));
}

/* The leaf hashes and root of a v2 bundle, worked out here from its bytes
 * (docs/bundle-format.md "Chunk tree"): the section must hold exactly
 * these, and the manifest that root. */
static void check_tree(const uint8_t *b, size_t len, const struct bundle_manifest *m,
		       const struct layout *l)
{
	struct merkle_mem *mm = calloc(1, sizeof(*mm));
	uint8_t leaf[32], root[32];
	size_t off, i;

	assert_non_null(mm);
	merkle_mem_init(mm);
	assert_int_equal(l->sec_len, (1 + l->nchunks) * 32);
	merkle_leaf_hash(b + l->pay_off, l->hdr_leaf, leaf);
	assert_memory_equal(b + l->sec_off, leaf, 32);
	assert_int_equal(merkle_mem_append(mm, b + l->pay_off, l->hdr_leaf), 0);
	for (i = 0, off = l->chunk0; off < len; i++, off += AGE_ENC_CHUNK) {
		size_t cl = len - off < AGE_ENC_CHUNK ? len - off : AGE_ENC_CHUNK;

		merkle_leaf_hash(b + off, cl, leaf);
		assert_memory_equal(b + l->sec_off + 32 * (i + 1), leaf, 32);
		assert_int_equal(merkle_mem_append(mm, b + off, cl), 0);
	}
	assert_int_equal(i, l->nchunks);
	assert_int_equal(merkle_root(merkle_mem_get, mm, 1 + i, root), 0);
	assert_memory_equal(root, m->payload_root, 32);
	merkle_mem_free(mm);
	free(mm);
}

/* Every size around the chunk edges, both versions, every way of opening:
 * the same document back, the same manifest; inspect, verify, unwrap and
 * the file key agree; someone else's key is refused before any byte. */
static void test_seal_open(void **state)
{
	/* the sample manifest's inner header is 20 + 229 + 64 bytes, so
	 * 65536 - 313 document bytes fill exactly one chunk */
	static const size_t sizes[] = { 0, 1, 1000, 65536 - 313, 65536 - 312, 65536, 5 * 65536 + 17,
					9 * 65536 };
	struct bundle_manifest m, sealed, opened, inspected;
	struct bundle_sig sig;
	struct gs_diag d = { "" };
	uint8_t *doc, *b, *plain, fk[16];
	size_t i, len, outlen, mi;
	unsigned v;
	int fd;

	(void)state;
	doc = malloc(9 * 65536);
	randombytes_buf(doc, 9 * 65536);
	for (v = 1; v <= 2; v++) {
		unsigned modes1[] = { 0, BUNDLE_OPEN_ONE_PASS, BUNDLE_OPEN_THREADS(1),
				      BUNDLE_OPEN_ONE_PASS | BUNDLE_OPEN_THREADS(1) };
		unsigned modes2[] = { 0, BUNDLE_OPEN_THREADS(1), BUNDLE_OPEN_SMALL_WINDOWS,
				      BUNDLE_OPEN_SMALL_WINDOWS | BUNDLE_OPEN_THREADS(1) };
		unsigned *modes = v == 1 ? modes1 : modes2;

		sample_manifest(&m);
		m.version = v == 1 ? 1 : 0; /* 0: what bundle_seal writes, v2 */
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct layout l;

			b = seal(&m, doc, sizes[i], &len, &sealed);
			assert_int_equal(sealed.version, v);
			assert_int_equal(strlen(sealed.bundle_id), 32);
			assert_memory_equal(b, v == 1 ? "gsomia-bundle/v1 " : "gsomia-bundle/v2 ", 17);
			layout_of(b, len, &sealed, &l);
			if (v == 1) {
				uint8_t sha[32];

				crypto_hash_sha256(sha, b + l.pay_off, sealed.payload_size);
				assert_memory_equal(sha, sealed.payload_sha256, 32);
			} else {
				check_tree(b, len, &sealed, &l);
				if (sizes[i] == 65536 - 313)
					assert_int_equal(l.nchunks, 1); /* a full final chunk */
				if (sizes[i] == 65536 - 312)
					assert_int_equal(l.nchunks, 2); /* and one byte more */
			}
			for (mi = 0; mi < 4; mi++) {
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
	}
	free(doc);
}

/* Opens b (v2) with every reader and wants the same refusal from each:
 * the error, a message containing `what`, and nothing written. */
static void refused_everywhere(const uint8_t *b, size_t len, const char *what, const char *where)
{
	static const unsigned modes[] = { 0, BUNDLE_OPEN_THREADS(1), BUNDLE_OPEN_SMALL_WINDOWS };
	struct bundle_manifest m;
	struct bundle_check *c;
	struct gs_diag d = { "" };
	size_t outlen, i;
	int fd, ret;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ret = open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, modes[i], NULL, &outlen, NULL, &d);
		if (ret == 0 || outlen != 0 || !mentions(d.msg, what) || strchr(d.msg, '\n'))
			fail_msg("%s (mode %x): ret %d, %zu bytes out, '%s' wanted in '%s'", where,
				 modes[i], ret, outlen, what, d.msg);
	}
	fd = open_tmp("in.bundle", O_RDONLY);
	ret = bundle_verify(fd, "gsomia/KOR", kor.sign_pk, &m, &d);
	close(fd);
	if (ret == 0 || !mentions(d.msg, what))
		fail_msg("%s (verify): ret %d, '%s' wanted in '%s'", where, ret, what, d.msg);
	/* and as it arrives in pieces */
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	ret = bundle_check_update(c, b, len, &d);
	if (ret == 0)
		ret = bundle_check_finish(c, NULL, &d);
	if (ret == 0 || !mentions(d.msg, what))
		fail_msg("%s (in pieces): ret %d, '%s' wanted in '%s'", where, ret, what, d.msg);
	bundle_check_free(c);
}

/* Every region of a v2 bundle damaged in turn: the first line, the
 * manifest, the chunk-hash section, the header leaf (the age header and
 * the nonce), each chunk, a truncation anywhere, a byte appended. Each is
 * refused by every reader with one line that names the region (or the
 * chunk by number), and nothing reaches the output. */
static void test_tamper_regions(void **state)
{
	struct bundle_manifest m, sealed;
	struct layout l;
	uint8_t *doc, *b;
	char what[128], where[128];
	size_t len, i, k, doclen = 3 * 65536 + 1000;

	(void)state;
	doc = malloc(doclen);
	randombytes_buf(doc, doclen);
	sample_manifest(&m);
	b = seal(&m, doc, doclen, &len, &sealed);
	layout_of(b, len, &sealed, &l);
	assert_int_equal(l.nchunks, 4);
	/* the first line: every byte; the manifest: every fifth (test_flips_v1
	 * flips each, through the same reader) */
	for (i = 0; i < l.sec_off; i += i < l.line ? 1 : 5) {
		b[i] ^= 0x01;
		snprintf(where, sizeof(where), "flip at %zu (%s)", i, i < l.line ? "first line" : "manifest");
		refused_everywhere(b, len, i < l.line ? "line 1|manifest" : "manifest", where);
		b[i] ^= 0x01;
	}
	/* the section: every byte */
	for (i = l.sec_off; i < l.pay_off; i++) {
		b[i] ^= 0x80;
		snprintf(where, sizeof(where), "flip at %zu (section, leaf %zu)", i, (i - l.sec_off) / 32);
		refused_everywhere(b, len, "chunk-hash section does not match the signed payload-root", where);
		b[i] ^= 0x80;
	}
	/* the header leaf: every byte of the age header and the nonce */
	for (i = l.pay_off; i < l.chunk0; i++) {
		b[i] ^= 0x01;
		snprintf(where, sizeof(where), "flip at %zu (header leaf)", i);
		refused_everywhere(b, len, "age header", where);
		b[i] ^= 0x01;
	}
	/* each chunk: its first, a middle and its last byte */
	for (k = 0; k < l.nchunks; k++) {
		size_t start = l.chunk0 + k * AGE_ENC_CHUNK;
		size_t end = start + AGE_ENC_CHUNK < len ? start + AGE_ENC_CHUNK : len;
		size_t at[3] = { start, (start + end) / 2, end - 1 };

		snprintf(what, sizeof(what), "chunk %zu does not match its hash", k);
		for (i = 0; i < 3; i++) {
			b[at[i]] ^= 0x01;
			snprintf(where, sizeof(where), "flip at %zu (chunk %zu)", at[i], k);
			refused_everywhere(b, len, what, where);
			b[at[i]] ^= 0x01;
		}
	}
	/* truncated: in each region and at every edge between them */
	{
		size_t cuts[] = { 5, l.line, l.line + 10, l.sec_off, l.sec_off + 40, l.pay_off,
				  l.pay_off + 50, l.chunk0 - 1, l.chunk0, l.chunk0 + 1,
				  l.chunk0 + AGE_ENC_CHUNK, l.chunk0 + 2 * AGE_ENC_CHUNK + 7, len - 1 };

		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			const char *region = cuts[i] < l.line	     ? "line 1"
					     : cuts[i] < l.sec_off   ? "manifest"
					     : cuts[i] < l.pay_off   ? "truncated in the chunk-hash section"
					     : cuts[i] < l.chunk0 - AGE_NONCE_BYTES ? "truncated in the age header"
					     : "truncated";

			if (cuts[i] >= l.chunk0) {
				snprintf(what, sizeof(what), "truncated in chunk %zu of 4",
					 (cuts[i] - l.chunk0) / AGE_ENC_CHUNK);
				region = what;
			}
			snprintf(where, sizeof(where), "cut at %zu", cuts[i]);
			refused_everywhere(b, cuts[i], region, where);
		}
	}
	/* a byte appended */
	{
		uint8_t *longer = malloc(len + 1);

		memcpy(longer, b, len);
		longer[len] = 'x';
		refused_everywhere(longer, len + 1, "after the", "one byte appended");
		free(longer);
	}
	/* and untouched, it opens */
	{
		struct gs_diag d = { "" };
		size_t outlen;

		assert_int_equal(open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, 0, NULL, &outlen, NULL,
					 &d), 0);
		assert_int_equal(outlen, doclen);
	}
	free(b);
	free(doc);
}

/* A manifest, validly signed, whose chunk-hash section has the wrong
 * length for its payload (one hash too many, one too few), with a root
 * that matches that section: refused for the count, nothing written. */
static void test_wrong_length(void **state)
{
	struct bundle_manifest m, sealed, bad;
	struct layout l;
	struct merkle_mem *mm = calloc(1, sizeof(*mm));
	uint8_t doc[200000], *b, *out, extra[32];
	char *text, *note = NULL, first[64];
	size_t len, notelen, olen, i, leaves;
	int delta, n;

	(void)state;
	randombytes_buf(doc, sizeof(doc));
	randombytes_buf(extra, sizeof(extra));
	sample_manifest(&m);
	b = seal(&m, doc, sizeof(doc), &len, &sealed);
	layout_of(b, len, &sealed, &l);
	text = malloc(GS_BUNDLE_MAX_MANIFEST);
	for (delta = -1; delta <= 1; delta += 2) {
		leaves = l.sec_len / 32 + (size_t)(ssize_t)delta;
		merkle_mem_init(mm);
		for (i = 0; i < leaves; i++)
			assert_int_equal(merkle_mem_append_hash(mm, i < l.sec_len / 32 ? b + l.sec_off + 32 * i
										    : extra), 0);
		bad = sealed;
		bad.chunk_hashes = leaves * 32;
		assert_int_equal(merkle_root(merkle_mem_get, mm, leaves, bad.payload_root), 0);
		merkle_mem_free(mm);
		n = bundle_manifest_format(&bad, text, GS_BUNDLE_MAX_MANIFEST, NULL);
		assert_true(n > 0);
		assert_int_equal(note_sign(text, (size_t)n, "gsomia/KOR", kor.sign_sk, &note, &notelen,
					   NULL), 0);
		n = snprintf(first, sizeof(first), "gsomia-bundle/v2 %zu\n", notelen);
		out = malloc(len + 64 + notelen);
		olen = 0;
		memcpy(out, first, (size_t)n);
		olen += (size_t)n;
		memcpy(out + olen, note, notelen);
		olen += notelen;
		for (i = 0; i < leaves; i++, olen += 32)
			memcpy(out + olen, i < l.sec_len / 32 ? b + l.sec_off + 32 * i : extra, 32);
		memcpy(out + olen, b + l.pay_off, len - l.pay_off);
		olen += len - l.pay_off;
		refused_everywhere(out, olen, "the chunk-hash section holds", delta < 0 ? "one hash short"
											 : "one hash over");
		free(out);
		free(note);
		note = NULL;
	}
	free(text);
	free(mm);
	free(b);
}

/* Every byte of the first line, the manifest and the age header flipped,
 * and a sample of the payload, in a v1 bundle: each rejected before any
 * plaintext byte reaches the output fd, in both opening modes.
 * Truncations fail. */
static void test_flips_v1(void **state)
{
	struct bundle_manifest m, sealed;
	struct gs_diag d = { "" };
	uint8_t doc[3000], *b;
	size_t len, outlen, i, hdr_end;
	struct layout l;
	unsigned mode;
	int ret;

	(void)state;
	randombytes_buf(doc, sizeof(doc));
	sample_manifest(&m);
	m.version = 1;
	b = seal(&m, doc, sizeof(doc), &len, &sealed);
	layout_of(b, len, &sealed, &l);
	hdr_end = l.pay_off + AGE_X25519_HEADER_SIZE(1);
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
 * manifest signed: v1 refused by its digest; v2 by its header leaf, and
 * with the other bundle's section too, by the root. Nothing written. */
static void test_swapped_payload(void **state)
{
	struct bundle_manifest m, s1, s2;
	struct gs_diag d = { "" };
	struct layout l1, l2;
	uint8_t doc[100], *b1, *b2;
	size_t l1n, l2n, outlen;

	(void)state;
	memset(doc, 'a', sizeof(doc));
	sample_manifest(&m);
	m.version = 1;
	b1 = seal(&m, doc, sizeof(doc), &l1n, &s1);
	b2 = seal(&m, doc, sizeof(doc), &l2n, &s2);
	assert_int_equal(l1n, l2n);
	memcpy(b1 + l1n - s1.payload_size, b2 + l2n - s2.payload_size, s1.payload_size);
	assert_int_equal(open_as(b1, l1n, jpn.box_sk, jpn.box_pk, NULL, 0, NULL, &outlen, NULL,
				 &d), GS_ECRYPTO);
	assert_int_equal(outlen, 0);
	assert_non_null(strstr(d.msg, "SHA-256"));
	assert_int_equal(open_as(b1, l1n, jpn.box_sk, jpn.box_pk, NULL, BUNDLE_OPEN_ONE_PASS,
				 NULL, &outlen, NULL, &d), GS_ECRYPTO);
	free(b1);
	free(b2);
	/* v2 */
	m.version = 0;
	b1 = seal(&m, doc, sizeof(doc), &l1n, &s1);
	b2 = seal(&m, doc, sizeof(doc), &l2n, &s2);
	layout_of(b1, l1n, &s1, &l1);
	layout_of(b2, l2n, &s2, &l2);
	memcpy(b1 + l1.pay_off, b2 + l2.pay_off, s1.payload_size);
	refused_everywhere(b1, l1n, "age header does not match its hash (leaf 0)", "payload swapped");
	memcpy(b1 + l1.sec_off, b2 + l2.sec_off, l1.sec_len);
	refused_everywhere(b1, l1n, "does not match the signed payload-root", "section and payload swapped");
	free(b1);
	free(b2);
}

/* v2 opens from a pipe (read once, never seeked); a section larger than
 * one window cannot be read again from a pipe and is refused up front. */
static void test_pipe(void **state)
{
	struct bundle_open_keys k = { 0 };
	struct bundle_manifest m, sealed, opened;
	struct gs_diag d = { "" };
	uint8_t *doc, *b, *plain;
	size_t len, n, doclen = 300000;
	unsigned flags[] = { 0, BUNDLE_OPEN_SMALL_WINDOWS };
	size_t i;
	int p[2], out, ret;
	pid_t pid;

	(void)state;
	doc = malloc(doclen);
	randombytes_buf(doc, doclen);
	sample_manifest(&m);
	b = seal(&m, doc, doclen, &len, &sealed);
	k.key_name = "gsomia/KOR";
	k.sender_pk = kor.sign_pk;
	k.box_pk = jpn.box_pk;
	k.box_sk = jpn.box_sk;
	for (i = 0; i < 2; i++) {
		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			(void)!write(p[1], b, len);
			_exit(0);
		}
		close(p[1]);
		out = open_tmp("pipe.out", O_WRONLY | O_CREAT | O_TRUNC);
		ret = bundle_open(p[0], &k, out, flags[i], &opened, &d);
		close(p[0]);
		close(out);
		waitpid(pid, NULL, 0);
		plain = read_tmp("pipe.out", &n);
		if (i == 0) {
			assert_int_equal(ret, 0);
			assert_int_equal(n, doclen);
			assert_memory_equal(plain, doc, doclen);
			assert_true(bundle_manifest_equal(&sealed, &opened));
		} else {
			assert_int_equal(ret, GS_EINVAL);
			assert_non_null(strstr(d.msg, "seekable"));
			assert_int_equal(n, 0);
		}
		free(plain);
	}
	free(b);
	free(doc);
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
	m.version = 3;
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

/* The plaintext output cannot be written: the open fails cleanly, both
 * versions, every mode, with or without threads. */
static void test_open_write_fails(void **state)
{
	struct bundle_open_keys k = { 0 };
	struct bundle_manifest m, sealed;
	struct gs_diag d = { "" };
	uint8_t *doc, *b;
	size_t len;
	unsigned flags[] = { 0, BUNDLE_OPEN_ONE_PASS, BUNDLE_OPEN_THREADS(1) };
	size_t i;
	unsigned v;
	int in, ro;

	(void)state;
	doc = malloc(300000);
	randombytes_buf(doc, 300000);
	k.key_name = "gsomia/KOR";
	k.sender_pk = kor.sign_pk;
	k.box_pk = jpn.box_pk;
	k.box_sk = jpn.box_sk;
	for (v = 1; v <= 2; v++) {
		sample_manifest(&m);
		m.version = v;
		b = seal(&m, doc, 300000, &len, &sealed);
		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			in = open_tmp("b.bundle", O_RDONLY);
			ro = open_tmp("b.bundle", O_RDONLY);
			assert_int_equal(bundle_open(in, &k, ro, flags[i], &m, &d), GS_EIO);
			assert_non_null(strstr(d.msg, "write failed"));
			close(in);
			close(ro);
		}
		free(b);
	}
	free(doc);
}

/* The payload is a standard age file, in both versions: the stock tool
 * decrypts it with the recipient's exported identity, giving the inner
 * header then the document. */
static void test_stock_age(void **state)
{
	struct bundle_manifest m, sealed;
	char id[AGE_IDENTITY_SIZE], cmd[1024], line[128];
	uint8_t *doc, *b, *out;
	size_t len, n, ilen, doclen = 200000;
	unsigned v;
	int ret;

	(void)state;
	if (system("age --version >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	doc = malloc(doclen);
	randombytes_buf(doc, doclen);
	age_identity_encode(jpn.box_sk, id);
	n = (size_t)snprintf(line, sizeof(line), "%s\n", id);
	write_tmp("jpn.key", (const uint8_t *)line, n);
	sodium_memzero(id, sizeof(id));
	sodium_memzero(line, sizeof(line));
	for (v = 1; v <= 2; v++) {
		sample_manifest(&m);
		m.version = v;
		b = seal(&m, doc, doclen, &len, &sealed);
		snprintf(cmd, sizeof(cmd), "tail -c %llu %s/b.bundle | age -d -i %s/jpn.key > %s/stock.out",
			 (unsigned long long)sealed.payload_size, tmpdir, tmpdir, tmpdir);
		ret = system(cmd);
		assert_int_equal(ret, 0);
		out = read_tmp("stock.out", &n);
		assert_true(n > doclen + 20 + 64);
		assert_memory_equal(out, BUNDLE_INNER_MAGIC, sizeof(BUNDLE_INNER_MAGIC));
		ilen = (size_t)out[16] << 24 | (size_t)out[17] << 16 | (size_t)out[18] << 8 | out[19];
		assert_int_equal(n, 20 + ilen + 64 + doclen);
		assert_memory_equal(out + 20, "bundle ", 7);
		assert_memory_equal(out + n - doclen, doc, doclen);
		free(out);
		free(b);
	}
	free(doc);
}

/* The v1 test vector of docs/bundle-format.md: KOR's keys from the seeds
 * 40..5f / 80..9f, JPN's from 60..7f / a0..bf; document "Hello, JPN.\n".
 * It still opens, verifies and reads as version 1. */
#include "bundle_vector.h"

static uint8_t *unb64(const char *text, size_t *len)
{
	char *txt = calloc(1, strlen(text) + 1);
	uint8_t *b;
	size_t clean = 0, i;

	assert_non_null(txt);
	for (i = 0; text[i]; i++)
		if (text[i] != '\n')
			txt[clean++] = text[i];
	b = calloc(1, clean + 1);
	assert_non_null(b);
	assert_int_equal(b64_decode(txt, clean, b, clean, len), 0);
	free(txt);
	return b;
}

static void test_vector_v1(void **state)
{
	struct bundle_manifest m;
	struct gs_diag d = { "" };
	uint8_t *b, *plain;
	size_t len, outlen;
	int fd;

	(void)state;
	b = unb64(bundle_vector_b64, &len);
	if (open_as(b, len, jpn.box_sk, jpn.box_pk, NULL, 0, &plain, &outlen, &m, &d) != 0)
		fail_msg("vector: %s", d.msg);
	assert_int_equal(outlen, 12);
	assert_memory_equal(plain, "Hello, JPN.\n", 12);
	assert_string_equal(m.bundle_id, "6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10");
	assert_int_equal(m.version, 1);
	free(plain);
	fd = open_tmp("in.bundle", O_RDONLY);
	assert_int_equal(bundle_verify(fd, "gsomia/KOR", kor.sign_pk, &m, &d), 0);
	close(fd);
	free(b);
}

/* Feeds b to a check in pieces of `piece` bytes (0: random sizes). The
 * verified prefix only grows, never past what was taken, and lands on a
 * region or chunk edge. */
static void feed(struct bundle_check *c, const uint8_t *b, size_t len, size_t piece,
		 uint64_t *edges, size_t nedges)
{
	uint64_t last = 0, v;
	size_t off = 0, n, e;
	struct gs_diag d;

	while (off < len) {
		n = piece ? piece : 1 + randombytes_uniform(70000);
		if (n > len - off)
			n = len - off;
		if (bundle_check_update(c, b + off, n, &d) != 0)
			fail_msg("piece at %zu: %s", off, d.msg);
		off += n;
		v = bundle_check_verified(c);
		assert_true(v >= last && v <= off);
		assert_int_equal(bundle_check_taken(c), off);
		for (e = 0; e < nedges && edges[e] != v; e++)
			;
		if (v && e == nedges)
			fail_msg("verified prefix %llu is not an edge", (unsigned long long)v);
		last = v;
	}
}

/* A bundle in pieces of any size (one byte, odd sizes, random, whole):
 * verified as it comes, to the end; each leaf can be checked on its own,
 * in any order; a v1 bundle verifies its manifest, then all at the end. */
static void test_check_pieces(void **state)
{
	static const size_t pieces[] = { 1, 7, 4096, 65552, 0, SIZE_MAX };
	struct bundle_manifest m, sealed, got;
	struct bundle_check *c;
	struct gs_diag d;
	struct layout l;
	uint64_t edges[16], off, sl;
	char what[64];
	uint8_t *doc, *b;
	size_t len, i, ne, doclen = 5 * 65536 + 3;
	int64_t k;

	(void)state;
	doc = malloc(doclen);
	randombytes_buf(doc, doclen);
	sample_manifest(&m);
	b = seal(&m, doc, doclen, &len, &sealed);
	layout_of(b, len, &sealed, &l);
	ne = 0;
	edges[ne++] = l.sec_off;
	edges[ne++] = l.pay_off;
	for (off = l.chunk0; off < len; off += AGE_ENC_CHUNK)
		edges[ne++] = off;
	edges[ne++] = len;
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
		assert_int_equal(bundle_check_leaves(c), 0);
		feed(c, b, len, pieces[i] == SIZE_MAX ? len : pieces[i], edges, ne);
		assert_int_equal(bundle_check_verified(c), len);
		assert_int_equal(bundle_check_error(c), 0);
		assert_int_equal(bundle_check_finish(c, &got, &d), 0);
		assert_true(bundle_manifest_equal(&got, &sealed));
		/* ranges: every leaf, last first */
		assert_int_equal(bundle_check_leaves(c), 1 + l.nchunks);
		for (k = (int64_t)l.nchunks; k >= 0; k--) {
			assert_int_equal(bundle_check_leaf_span(c, (uint64_t)k, &off, &sl), 0);
			assert_int_equal(off, k ? l.chunk0 + (size_t)(k - 1) * AGE_ENC_CHUNK : l.pay_off);
			assert_int_equal(bundle_check_leaf(c, (uint64_t)k, b + off, (size_t)sl, &d), 0);
			b[off + sl / 2] ^= 1;
			assert_int_equal(bundle_check_leaf(c, (uint64_t)k, b + off, (size_t)sl, &d),
					 GS_ECRYPTO);
			assert_non_null(strstr(d.msg, k ? "does not match its hash" : "leaf 0"));
			b[off + sl / 2] ^= 1;
			assert_int_equal(bundle_check_leaf(c, (uint64_t)k, b + off, (size_t)sl - 1, &d),
					 GS_EINVAL);
		}
		assert_int_equal(bundle_check_leaf_span(c, 1 + l.nchunks, &off, &sl), GS_EINVAL);
		/* nothing more may come */
		assert_int_equal(bundle_check_update(c, "x", 1, &d), GS_EINVAL);
		assert_non_null(strstr(d.msg, "after the end"));
		bundle_check_free(c);
	}
	/* a short one is not finished, and says where it ends */
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	assert_int_equal(bundle_check_update(c, b, l.chunk0 + 100, &d), 0);
	assert_int_equal(bundle_check_verified(c), l.chunk0);
	assert_int_equal(bundle_check_finish(c, NULL, &d), GS_EINVAL);
	snprintf(what, sizeof(what), "truncated in chunk 0 of %zu", l.nchunks);
	assert_non_null(strstr(d.msg, what));
	bundle_check_free(c);
	/* a bad chunk is final, and the prefix stops before it */
	b[l.chunk0 + 2 * AGE_ENC_CHUNK + 5] ^= 1;
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	assert_int_equal(bundle_check_update(c, b, len, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "chunk 2 does not match its hash"));
	assert_int_equal(bundle_check_verified(c), l.chunk0 + 2 * AGE_ENC_CHUNK);
	assert_int_equal(bundle_check_error(c), GS_ECRYPTO);
	assert_int_equal(bundle_check_update(c, b, 1, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "chunk 2 does not match its hash"));
	assert_int_equal(bundle_check_finish(c, NULL, &d), GS_ECRYPTO);
	bundle_check_free(c);
	b[l.chunk0 + 2 * AGE_ENC_CHUNK + 5] ^= 1;
	free(b);
	/* v1: the manifest, then nothing more until the whole digest */
	m.version = 1;
	b = seal(&m, doc, doclen, &len, &sealed);
	layout_of(b, len, &sealed, &l);
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	assert_int_equal(bundle_check_update(c, b, len - 1, &d), 0);
	assert_int_equal(bundle_check_verified(c), l.pay_off);
	assert_int_equal(bundle_check_leaves(c), 0);
	assert_int_equal(bundle_check_update(c, b + len - 1, 1, &d), 0);
	assert_int_equal(bundle_check_finish(c, &got, &d), 0);
	assert_int_equal(bundle_check_verified(c), len);
	assert_true(bundle_manifest_equal(&got, &sealed));
	bundle_check_free(c);
	b[len - 3] ^= 1;
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	assert_int_equal(bundle_check_update(c, b, len, &d), 0);
	assert_int_equal(bundle_check_finish(c, NULL, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "SHA-256"));
	bundle_check_free(c);
	free(b);
	/* an unknown sender is the key callback's refusal */
	sample_manifest(&m);
	snprintf(m.sender, sizeof(m.sender), "USA");
	snprintf(m.originator, sizeof(m.originator), "USA");
	b = seal(&m, doc, 10, &len, &sealed);
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	assert_int_equal(bundle_check_update(c, b, len, &d), GS_ENOTFOUND);
	assert_non_null(strstr(d.msg, "USA"));
	bundle_check_free(c);
	free(b);
	free(doc);
}

/* The longest verified prefix of a partial file: through the manifest,
 * then the section, the header, and each whole chunk; a torn or damaged
 * chunk ends it there; damage before the chunks is an error. */
static void test_verified_prefix(void **state)
{
	struct bundle_manifest m, sealed, got;
	struct gs_diag d;
	struct layout l;
	uint8_t *doc, *b;
	uint64_t prefix;
	size_t len, i, doclen = 4 * 65536;
	int complete, fd;

	(void)state;
	doc = malloc(doclen);
	randombytes_buf(doc, doclen);
	sample_manifest(&m);
	b = seal(&m, doc, doclen, &len, &sealed);
	layout_of(b, len, &sealed, &l);
	{
		size_t cuts[] = { 0, 3, l.sec_off - 1, l.sec_off, l.pay_off - 1, l.pay_off, l.chunk0 - 1,
				  l.chunk0, l.chunk0 + 1, l.chunk0 + AGE_ENC_CHUNK + 9, len - 1, len };
		size_t want[] = { 0, 0, 0, l.sec_off, l.sec_off, l.pay_off, l.pay_off,
				  l.chunk0, l.chunk0, l.chunk0 + AGE_ENC_CHUNK,
				  l.chunk0 + (l.nchunks - 1) * AGE_ENC_CHUNK,
				  len };

		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			write_tmp("part.bundle", b, cuts[i]);
			fd = open_tmp("part.bundle", O_RDONLY);
			assert_int_equal(bundle_verified_prefix(fd, kor_key, NULL, &prefix, &complete, &got,
								&d), 0);
			close(fd);
			if (prefix != want[i])
				fail_msg("cut %zu: prefix %llu, want %zu", cuts[i],
					 (unsigned long long)prefix, want[i]);
			assert_int_equal(complete, cuts[i] == len);
		}
	}
	/* garbage after two good chunks (a torn write): the prefix ends there */
	memset(b + l.chunk0 + 2 * AGE_ENC_CHUNK, 0, 3000);
	write_tmp("part.bundle", b, len);
	fd = open_tmp("part.bundle", O_RDONLY);
	assert_int_equal(bundle_verified_prefix(fd, kor_key, NULL, &prefix, &complete, &got, &d), 0);
	close(fd);
	assert_int_equal(prefix, l.chunk0 + 2 * AGE_ENC_CHUNK);
	assert_false(complete);
	/* a damaged section: nothing of the file can be used */
	b[l.sec_off + 7] ^= 1;
	write_tmp("part.bundle", b, l.chunk0 + 10);
	fd = open_tmp("part.bundle", O_RDONLY);
	assert_int_equal(bundle_verified_prefix(fd, kor_key, NULL, &prefix, &complete, &got, &d),
			 GS_ECRYPTO);
	close(fd);
	assert_non_null(strstr(d.msg, "chunk-hash section"));
	assert_int_equal(prefix, 0);
	free(b);
	free(doc);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	seeded(&kor, 0x40, 0x80);
	seeded(&jpn, 0x60, 0xa0);
	seeded(&usa, 0x10, 0x30);
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
		cmocka_unit_test(test_tamper_regions),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_flips_v1),
		cmocka_unit_test(test_swapped_payload),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_seal_errors),
		cmocka_unit_test(test_open_write_fails),
		cmocka_unit_test(test_stock_age),
		cmocka_unit_test(test_vector_v1),
		cmocka_unit_test(test_check_pieces),
		cmocka_unit_test(test_verified_prefix),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
