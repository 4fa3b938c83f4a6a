/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Known answers for bundle v2 (docs/bundle-format.md "Test vectors"): with
 * the test keys and a deterministic random source, sealing gives exactly
 * the documented bytes; the documented bytes open, verify and check in
 * pieces; the chunk tree of a multi-chunk vector has the documented leaf
 * hashes and root.
 *
 * The random source: every randombytes_buf call takes the next bytes of
 * the ChaCha20 keystream (crypto_stream_chacha20, the original 64-bit
 * nonce variant) under the key 00 01 .. 1f and the nonce 0. Sealing draws,
 * in order, the age file key (16 bytes), the X25519 ephemeral secret (32)
 * and the payload nonce (16); the bundle id is given. Ed25519 is
 * deterministic. The source is installed before sodium_init, for this
 * program only.
 *
 * GSOMIA_WRITE_VECTOR=DIR writes the vectors (base64 and hex) to DIR, for
 * the documentation.
 */
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
#include "crypto/merkle.h"
#include "util/encode.h"
#include "util/err.h"

#include "bundle_v2_vector.h"

static char tmpdir[] = "/tmp/test_bundle_kat.XXXXXX";
static struct node_keys kor, jpn;

/* ---- the deterministic random source ----------------------------------- */

static uint64_t stream_pos;

static const char *det_name(void)
{
	return "gsomia-test-chacha20";
}

static void det_buf(void *const buf, const size_t size)
{
	static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t key[crypto_stream_chacha20_KEYBYTES], *tmp;
	size_t skip = (size_t)(stream_pos % 64);
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	tmp = calloc(1, skip + size);
	if (!tmp)
		abort();
	crypto_stream_chacha20_xor_ic(tmp, tmp, skip + size, nonce, stream_pos / 64, key);
	memcpy(buf, tmp + skip, size);
	free(tmp);
	stream_pos += size;
}

static uint32_t det_random(void)
{
	uint32_t r;

	det_buf(&r, sizeof(r));
	return r;
}

static void det_stir(void)
{
}

static struct randombytes_implementation det = {
	det_name, det_random, det_stir, NULL, det_buf, NULL,
};

/* ---- helpers ------------------------------------------------------------ */

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
	snprintf(m->bundle_id, sizeof(m->bundle_id), "6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10");
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

static uint8_t *read_all(const char *name, size_t *n)
{
	char p[256];
	struct stat st;
	uint8_t *b;
	int fd;

	path_of(p, sizeof(p), name);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return b;
}

/* The document of the multi-chunk vector: byte i is i mod 251. */
static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i % 251);
	return p;
}

/* Seals doc with the random source restarted; returns the bundle. */
static uint8_t *seal_det(const uint8_t *doc, size_t n, size_t *len, struct bundle_manifest *out)
{
	struct bundle_manifest m;
	struct gs_diag d = { "" };
	char in[256], ob[256];
	int ifd, ofd;

	path_of(in, sizeof(in), "doc.bin");
	path_of(ob, sizeof(ob), "v2.bundle");
	ifd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(ifd, doc, n), (ssize_t)n);
	close(ifd);
	ifd = open(in, O_RDONLY);
	ofd = open(ob, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	sample_manifest(&m);
	stream_pos = 0;
	if (bundle_seal(&m, ifd, ofd, jpn.box_pk, "gsomia/KOR", kor.sign_sk, out, NULL, &d) != 0)
		fail_msg("seal: %s", d.msg);
	close(ifd);
	close(ofd);
	return read_all("v2.bundle", len);
}

static uint8_t *unb64(const char *text, size_t *len)
{
	char *txt = calloc(1, strlen(text) + 1);
	uint8_t *b;
	size_t clean = 0, i;

	for (i = 0; text[i]; i++)
		if (text[i] != '\n')
			txt[clean++] = text[i];
	b = calloc(1, clean + 1);
	assert_int_equal(b64_decode(txt, clean, b, clean, len), 0);
	free(txt);
	return b;
}

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

static void hex_of(const uint8_t *p, size_t n, char *out)
{
	hex_encode(p, n, out, 2 * n + 1);
}

/* ---- the tests ---------------------------------------------------------- */

/* The random source itself: its first bytes are the ChaCha20 keystream
 * (so anyone can rebuild it), and draws continue the stream. */
static void test_random_source(void **state)
{
	static const uint8_t nonce[8];
	uint8_t key[32], a[100], b[100];
	int i;

	(void)state;
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	crypto_stream_chacha20(a, sizeof(a), nonce, key);
	stream_pos = 0;
	randombytes_buf(b, 16);
	randombytes_buf(b + 16, 32);
	randombytes_buf(b + 48, 52);
	assert_memory_equal(a, b, sizeof(a));
}

/* "Hello, JPN.\n" sealed gives the documented bundle, byte for byte; it
 * opens to the document and verifies whole and in pieces. */
static void test_small_vector(void **state)
{
	struct bundle_open_keys k = { 0 };
	struct bundle_manifest sealed, opened;
	struct bundle_check *c;
	struct gs_diag d = { "" };
	uint8_t *want, *got, *plain;
	size_t wlen, glen, plen;
	char p[256];
	int fd, out;

	(void)state;
	want = unb64(bundle_v2_vector_b64, &wlen);
	got = seal_det((const uint8_t *)"Hello, JPN.\n", 12, &glen, &sealed);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	assert_int_equal(sealed.version, 2);
	assert_int_equal(sealed.chunk_hashes, 64);
	{
		char hx[65];

		hex_of(sealed.payload_root, 32, hx);
		assert_string_equal(hx, bundle_v2_vector_root);
	}
	/* it opens */
	path_of(p, sizeof(p), "plain.out");
	out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	path_of(p, sizeof(p), "v2.bundle");
	fd = open(p, O_RDONLY);
	k.key_name = "gsomia/KOR";
	k.sender_pk = kor.sign_pk;
	k.box_pk = jpn.box_pk;
	k.box_sk = jpn.box_sk;
	if (bundle_open(fd, &k, out, 0, &opened, &d) != 0)
		fail_msg("open: %s", d.msg);
	close(fd);
	close(out);
	plain = read_all("plain.out", &plen);
	assert_int_equal(plen, 12);
	assert_memory_equal(plain, "Hello, JPN.\n", 12);
	assert_true(bundle_manifest_equal(&sealed, &opened));
	/* it verifies, and checks in pieces, one byte at a time */
	fd = open(p, O_RDONLY);
	assert_int_equal(bundle_verify(fd, "gsomia/KOR", kor.sign_pk, &opened, &d), 0);
	close(fd);
	assert_int_equal(bundle_check_new(kor_key, NULL, &c, NULL), 0);
	for (plen = 0; plen < wlen; plen++)
		assert_int_equal(bundle_check_update(c, want + plen, 1, &d), 0);
	assert_int_equal(bundle_check_finish(c, &opened, &d), 0);
	assert_true(bundle_manifest_equal(&sealed, &opened));
	bundle_check_free(c);
	free(plain);
	free(got);
	free(want);
}

/* The chunk tree of the multi-chunk vector (a 140 000-byte document,
 * byte i = i mod 251): its leaf hashes and root, and the SHA-256 of the
 * whole bundle. */
static void test_tree_vector(void **state)
{
	struct bundle_manifest sealed;
	uint8_t *doc, *b, sha[32];
	char hx[65];
	size_t len, i, sec_off;
	const uint8_t *nl;

	(void)state;
	doc = pattern(140000);
	b = seal_det(doc, 140000, &len, &sealed);
	assert_int_equal(sealed.chunk_hashes, 4 * 32);
	assert_int_equal(sealed.payload_size, bundle_v2_tree_payload_size);
	assert_int_equal(len, bundle_v2_tree_bundle_size);
	nl = memchr(b, '\n', 40);
	sec_off = (size_t)(nl + 1 - b) + strtoul((const char *)b + 17, NULL, 10);
	for (i = 0; i < 4; i++) {
		hex_of(b + sec_off + 32 * i, 32, hx);
		assert_string_equal(hx, bundle_v2_tree_leaves[i]);
	}
	hex_of(sealed.payload_root, 32, hx);
	assert_string_equal(hx, bundle_v2_tree_root);
	/* the root is RFC 6962's over those leaves: node(node(l0, l1), node(l2, l3)) */
	{
		uint8_t l[4][32], n01[32], n23[32], root[32];
		size_t got;

		for (i = 0; i < 4; i++)
			assert_int_equal(hex_decode(bundle_v2_tree_leaves[i], 64, l[i], 32, &got), 0);
		merkle_node_hash(l[0], l[1], n01);
		merkle_node_hash(l[2], l[3], n23);
		merkle_node_hash(n01, n23, root);
		assert_memory_equal(root, sealed.payload_root, 32);
	}
	crypto_hash_sha256(sha, b, len);
	hex_of(sha, 32, hx);
	assert_string_equal(hx, bundle_v2_tree_bundle_sha256);
	free(b);
	free(doc);
}

/* GSOMIA_WRITE_VECTOR=DIR: the vectors as the documentation shows them. */
static void write_vectors(const char *dir)
{
	struct bundle_manifest sealed;
	uint8_t *b, *doc, sha[32];
	char *enc, hx[65], p[512];
	size_t len, i, sec_off;
	const uint8_t *nl;
	FILE *f;

	b = seal_det((const uint8_t *)"Hello, JPN.\n", 12, &len, &sealed);
	enc = malloc(B64_ENCODED_SIZE(len));
	assert_int_equal(b64_encode(b, len, enc, B64_ENCODED_SIZE(len)), 0);
	snprintf(p, sizeof(p), "%s/v2-small.b64", dir);
	f = fopen(p, "w");
	for (i = 0; i < strlen(enc); i += 76)
		fprintf(f, "%.76s\n", enc + i);
	fclose(f);
	snprintf(p, sizeof(p), "%s/v2-small.bundle", dir);
	f = fopen(p, "w");
	fwrite(b, 1, len, f);
	fclose(f);
	free(enc);
	free(b);
	doc = pattern(140000);
	b = seal_det(doc, 140000, &len, &sealed);
	snprintf(p, sizeof(p), "%s/v2-tree.txt", dir);
	f = fopen(p, "w");
	nl = memchr(b, '\n', 40);
	sec_off = (size_t)(nl + 1 - b) + strtoul((const char *)b + 17, NULL, 10);
	fprintf(f, "bundle %zu payload %llu\n", len, (unsigned long long)sealed.payload_size);
	for (i = 0; i < sealed.chunk_hashes / 32; i++) {
		hex_of(b + sec_off + 32 * i, 32, hx);
		fprintf(f, "leaf %zu %s\n", i, hx);
	}
	hex_of(sealed.payload_root, 32, hx);
	fprintf(f, "root %s\n", hx);
	crypto_hash_sha256(sha, b, len);
	hex_of(sha, 32, hx);
	fprintf(f, "sha256 %s\n", hx);
	fclose(f);
	free(b);
	free(doc);
}

static int setup(void **state)
{
	(void)state;
	if (randombytes_set_implementation(&det) != 0 || sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	seeded(&kor, 0x40, 0x80);
	seeded(&jpn, 0x60, 0xa0);
	if (getenv("GSOMIA_WRITE_VECTOR"))
		write_vectors(getenv("GSOMIA_WRITE_VECTOR"));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	keys_release(&kor);
	keys_release(&jpn);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_source),
		cmocka_unit_test(test_small_vector),
		cmocka_unit_test(test_tree_vector),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
