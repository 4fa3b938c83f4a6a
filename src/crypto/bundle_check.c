/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bundles checked as they arrive (crypto/bundle.h, "bundles arriving in
 * pieces"; docs/bundle-format.md "Partial verification"). A small state
 * machine walks the regions of the file in order — first line, manifest,
 * chunk-hash section, age header, chunks (v2) or the one-digest payload
 * (v1) — gathering each region until it is whole and checking it then,
 * with the same rules as the whole-file reader (crypto/bundle_internal.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/bundle_internal.h"
#include "crypto/merkle.h"
#include "util/banned.h"

enum stage { ST_LINE, ST_MANIFEST, ST_SECTION, ST_HEADER, ST_CHUNKS, ST_V1_PAYLOAD, ST_DONE };

struct bundle_check {
	bundle_key_fn key;
	void *key_ctx;
	enum stage st;
	int err;                 /* a refusal, final */
	enum stage err_st;       /* the stage it came in */
	struct gs_diag diag;
	uint64_t taken, verified;
	unsigned version;
	/* the region being gathered: first line, manifest or age header */
	uint8_t *buf;
	size_t len;
	uint64_t man_len;
	struct signed_note *note;
	struct bundle_manifest m;
	/* v2 */
	uint8_t *section;
	uint64_t leaves, sec_have;
	uint64_t pay_off;        /* where the age payload starts in the bundle */
	uint64_t end;            /* the bundle's length */
	size_t hlen;             /* the age header's, once known */
	uint64_t chunk;          /* the chunk being gathered */
	uint8_t *cbuf;
	size_t chave;
	/* v1 */
	EVP_MD_CTX *sha;
};

#define GATHER_MAX (GS_AGE_MAX_HEADER + AGE_NONCE_BYTES)

int bundle_check_new(bundle_key_fn key, void *ctx, struct bundle_check **out,
		     struct gs_diag *d)
{
	struct bundle_check *c = calloc(1, sizeof(*c));

	if (!c || !(c->buf = malloc(GATHER_MAX > GS_BUNDLE_MAX_MANIFEST ? GATHER_MAX
									 : GS_BUNDLE_MAX_MANIFEST)) ||
	    !(c->note = malloc(sizeof(*c->note)))) {
		bundle_check_free(c);
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	}
	c->key = key;
	c->key_ctx = ctx;
	*out = c;
	return 0;
}

void bundle_check_free(struct bundle_check *c)
{
	if (!c)
		return;
	free(c->buf);
	free(c->note);
	free(c->section);
	free(c->cbuf);
	EVP_MD_CTX_free(c->sha);
	free(c);
}

uint64_t bundle_check_taken(const struct bundle_check *c)
{
	return c->taken;
}

uint64_t bundle_check_verified(const struct bundle_check *c)
{
	return c->verified;
}

int bundle_check_error(const struct bundle_check *c)
{
	return c->err;
}

/* Records a refusal (err, the sentence in d); it stays, and every later
 * call gives it again. */
static int refused(struct bundle_check *c, int err, const struct gs_diag *d)
{
	c->err = err;
	c->err_st = c->st;
	if (d)
		c->diag = *d;
	return err;
}

static int refuse(struct bundle_check *c, struct gs_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(struct bundle_check *c, struct gs_diag *d, int err, const char *fmt, ...)
{
	struct gs_diag ld;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ld.msg, sizeof(ld.msg), fmt, ap);
	va_end(ap);
	if (d)
		*d = ld;
	return refused(c, err, &ld);
}

/* Takes up to want - c->len bytes into c->buf; returns how many. */
static size_t gather(struct bundle_check *c, size_t want, const uint8_t *p, size_t n)
{
	size_t take = want - c->len < n ? want - c->len : n;

	memcpy(c->buf + c->len, p, take);
	c->len += take;
	return take;
}

static int take_line(struct bundle_check *c, const uint8_t *p, size_t n, size_t *used,
		     struct gs_diag *d)
{
	const uint8_t *nl = memchr(p, '\n', n);
	size_t want = nl ? (size_t)(nl - p) + 1 : n;
	uint64_t mlen;
	size_t line;
	int ret;

	if (c->len + want > BUNDLE_FIRST_LINE_MAX)
		want = BUNDLE_FIRST_LINE_MAX - c->len;
	*used = gather(c, BUNDLE_FIRST_LINE_MAX, p, want);
	if (c->buf[c->len - 1] != '\n' && c->len < BUNDLE_FIRST_LINE_MAX)
		return 0;
	if ((ret = bundle_first_line_parse(c->buf, c->len, &c->version, &mlen, &line, d)) != 0) {
		return refused(c, ret, d);
	}
	c->man_len = mlen;
	c->len = 0;
	c->st = ST_MANIFEST;
	return 0;
}

static int take_manifest(struct bundle_check *c, const uint8_t *p, size_t n, size_t *used,
			 struct gs_diag *d)
{
	struct bundle_manifest hint;
	char key_name[GS_MAX_NAME];
	uint8_t pk[32];
	int ret;

	*used = gather(c, (size_t)c->man_len, p, n);
	if (c->len < c->man_len)
		return 0;
	/* who says they sent it: only a hint until the signature verifies */
	if ((ret = bundle_note_parse(c->buf, c->len, c->note, d)) != 0 ||
	    (ret = bundle_manifest_parse(c->note->text, c->note->text_len, &hint, d)) != 0)
		goto bad;
	if ((ret = c->key(c->key_ctx, hint.sender, key_name, pk, d)) != 0) {
		gs_diag_prefix(d, "bundle manifest: sender");
		goto bad;
	}
	if ((ret = bundle_note_verify(c->note, key_name, pk, c->version, &c->m, d)) != 0)
		goto bad;
	c->verified = c->taken + *used;
	c->len = 0;
	if (c->m.version == 1) {
		c->pay_off = c->verified;
		c->end = c->pay_off + c->m.payload_size;
		c->sha = EVP_MD_CTX_new();
		if (!c->sha || EVP_DigestInit_ex(c->sha, EVP_sha256(), NULL) != 1)
			return refuse(c, d, GS_ENOMEM, "out of memory");
		c->st = c->m.payload_size ? ST_V1_PAYLOAD : ST_DONE;
		return 0;
	}
	if (c->m.chunk_hashes > GS_BUNDLE_MAX_CHECK_SECTION)
		return refuse(c, d, GS_ELIMIT,
			    "bundle: a chunk-hash section of %" PRIu64 " bytes is over the %u this check holds; verify the whole file",
			    c->m.chunk_hashes, GS_BUNDLE_MAX_CHECK_SECTION);
	c->leaves = c->m.chunk_hashes / AGE_LEAF_HASH;
	c->section = malloc((size_t)c->m.chunk_hashes);
	if (!c->section)
		return refuse(c, d, GS_ENOMEM, "out of memory");
	c->pay_off = c->verified + c->m.chunk_hashes;
	c->end = c->pay_off + c->m.payload_size;
	c->st = ST_SECTION;
	return 0;
bad:
	return refused(c, ret, d);
}

static int take_section(struct bundle_check *c, const uint8_t *p, size_t n, size_t *used,
			struct gs_diag *d)
{
	struct merkle_range *r;
	uint8_t root[32];
	uint64_t i;
	size_t take = c->m.chunk_hashes - c->sec_have < n ? (size_t)(c->m.chunk_hashes - c->sec_have)
							   : n;

	memcpy(c->section + c->sec_have, p, take);
	c->sec_have += take;
	*used = take;
	if (c->sec_have < c->m.chunk_hashes)
		return 0;
	r = malloc(sizeof(*r));
	if (!r)
		return refuse(c, d, GS_ENOMEM, "out of memory");
	merkle_range_init(r);
	for (i = 0; i < c->leaves; i++)
		if (merkle_range_append(r, c->section + i * AGE_LEAF_HASH, NULL, NULL) != 0)
			break;
	merkle_range_root(r, root);
	free(r);
	if (i < c->leaves || memcmp(root, c->m.payload_root, 32) != 0)
		return refuse(c, d, GS_ECRYPTO,
			    "bundle: the chunk-hash section does not match the signed payload-root");
	c->verified = c->pay_off;
	c->st = ST_HEADER;
	return 0;
}

static int take_header(struct bundle_check *c, const uint8_t *p, size_t n, size_t *used,
		       struct gs_diag *d)
{
	uint8_t leaf[AGE_LEAF_HASH];
	size_t start = c->len, leaf_len;
	long hl;
	int ret;

	*used = gather(c, GATHER_MAX, p, n);
	hl = bundle_age_header_len(c->buf, c->len);
	if (hl < 0 || c->len < (size_t)hl + AGE_NONCE_BYTES) {
		if (hl < 0 && c->len >= GS_AGE_MAX_HEADER)
			return refuse(c, d, GS_EINVAL, "bundle: the age header has no MAC line");
		return 0;
	}
	/* the leaf is the header and the nonce; what was gathered past it
	 * stays in p for the chunks */
	leaf_len = (size_t)hl + AGE_NONCE_BYTES;
	*used = leaf_len - start;
	merkle_leaf_hash(c->buf, leaf_len, leaf);
	if (memcmp(leaf, c->section, AGE_LEAF_HASH) != 0)
		return refuse(c, d, GS_ECRYPTO,
			    "bundle: the age header does not match its hash (leaf 0) in the chunk-hash section");
	if ((ret = bundle_geometry_check(&c->m, (size_t)hl, d)) != 0) {
		return refused(c, ret, d);
	}
	c->hlen = (size_t)hl;
	c->cbuf = malloc(AGE_ENC_CHUNK);
	if (!c->cbuf)
		return refuse(c, d, GS_ENOMEM, "out of memory");
	c->verified = c->pay_off + leaf_len;
	c->len = 0;
	c->st = ST_CHUNKS;
	return 0;
}

/* Length of chunk i. */
static size_t chunk_len(const struct bundle_check *c, uint64_t i)
{
	uint64_t off = c->pay_off + c->hlen + AGE_NONCE_BYTES + i * AGE_ENC_CHUNK;

	return c->end - off < AGE_ENC_CHUNK ? (size_t)(c->end - off) : AGE_ENC_CHUNK;
}

static int take_chunks(struct bundle_check *c, const uint8_t *p, size_t n, size_t *used,
		       struct gs_diag *d)
{
	uint8_t leaf[AGE_LEAF_HASH];
	size_t want = chunk_len(c, c->chunk), take;

	take = want - c->chave < n ? want - c->chave : n;
	memcpy(c->cbuf + c->chave, p, take);
	c->chave += take;
	*used = take;
	if (c->chave < want)
		return 0;
	merkle_leaf_hash(c->cbuf, want, leaf);
	if (memcmp(leaf, c->section + (c->chunk + 1) * AGE_LEAF_HASH, AGE_LEAF_HASH) != 0)
		return refuse(c, d, GS_ECRYPTO,
			    "bundle payload: chunk %" PRIu64 " does not match its hash in the chunk-hash section",
			    c->chunk);
	c->verified += want;
	c->chave = 0;
	if (++c->chunk + 1 == c->leaves)
		c->st = ST_DONE;
	return 0;
}

static int take_v1(struct bundle_check *c, const uint8_t *p, size_t n, size_t *used,
		   struct gs_diag *d)
{
	uint64_t left = c->end - c->taken;
	size_t take = left < n ? (size_t)left : n;

	if (EVP_DigestUpdate(c->sha, p, take) != 1)
		return refuse(c, d, GS_ECRYPTO, "hash failed");
	*used = take;
	if (c->taken + take == c->end)
		c->st = ST_DONE;
	return 0;
}

int bundle_check_update(struct bundle_check *c, const void *data, size_t n, struct gs_diag *d)
{
	const uint8_t *p = data;
	size_t used;
	int ret = 0;

	if (c->err) {
		if (d)
			*d = c->diag;
		return c->err;
	}
	while (n > 0) {
		used = 0;
		switch (c->st) {
		case ST_LINE: ret = take_line(c, p, n, &used, d); break;
		case ST_MANIFEST: ret = take_manifest(c, p, n, &used, d); break;
		case ST_SECTION: ret = take_section(c, p, n, &used, d); break;
		case ST_HEADER: ret = take_header(c, p, n, &used, d); break;
		case ST_CHUNKS: ret = take_chunks(c, p, n, &used, d); break;
		case ST_V1_PAYLOAD: ret = take_v1(c, p, n, &used, d); break;
		case ST_DONE:
			return refuse(c, d, GS_EINVAL,
				      "bundle: more bytes after the end of the bundle (%zu after %" PRIu64 ")",
				      n, c->taken);
		}
		if (ret)
			return ret;
		c->taken += used;
		p += used;
		n -= used;
	}
	return 0;
}

int bundle_check_finish(struct bundle_check *c, struct bundle_manifest *m, struct gs_diag *d)
{
	uint8_t md[32];
	unsigned int mdlen;

	if (c->err) {
		if (d)
			*d = c->diag;
		return c->err;
	}
	switch (c->st) {
	case ST_LINE:
		return gs_diag_set(d, GS_EINVAL, "bundle line 1: truncated (%" PRIu64 " bytes)", c->taken);
	case ST_MANIFEST:
		return gs_diag_set(d, GS_EINVAL, "bundle: truncated in the manifest (%" PRIu64 " bytes)",
				   c->taken);
	case ST_SECTION:
		return gs_diag_set(d, GS_EINVAL, "bundle: truncated in the chunk-hash section (%" PRIu64 " bytes)",
				   c->taken);
	case ST_HEADER:
		return gs_diag_set(d, GS_EINVAL, "bundle: truncated in the age header (%" PRIu64 " bytes)",
				   c->taken);
	case ST_CHUNKS:
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: truncated in chunk %" PRIu64 " of %" PRIu64 " (%" PRIu64 " of %" PRIu64 " bytes)",
				   c->chunk, c->leaves - 1, c->taken, c->end);
	case ST_V1_PAYLOAD:
		return gs_diag_set(d, GS_EINVAL, "bundle: truncated in the payload (%" PRIu64 " of %" PRIu64 " bytes)",
				   c->taken, c->end);
	case ST_DONE:
		break;
	}
	if (c->m.version == 1) {
		if (EVP_DigestFinal_ex(c->sha, md, &mdlen) != 1)
			return refuse(c, d, GS_ECRYPTO, "hash failed");
		if (sodium_memcmp(md, c->m.payload_sha256, 32) != 0)
			return refuse(c, d, GS_ECRYPTO, "bundle: payload SHA-256 does not match the manifest");
		c->verified = c->end;
	}
	if (m)
		*m = c->m;
	return 0;
}

uint64_t bundle_check_leaves(const struct bundle_check *c)
{
	return c->st == ST_CHUNKS || c->st == ST_DONE ? c->leaves : 0;
}

int bundle_check_leaf_span(const struct bundle_check *c, uint64_t i, uint64_t *off,
			   uint64_t *len)
{
	if (bundle_check_leaves(c) == 0 || c->m.version != 2)
		return GS_ESTATE;
	if (i >= c->leaves)
		return GS_EINVAL;
	if (i == 0) {
		*off = c->pay_off;
		*len = c->hlen + AGE_NONCE_BYTES;
	} else {
		*off = c->pay_off + c->hlen + AGE_NONCE_BYTES + (i - 1) * AGE_ENC_CHUNK;
		*len = chunk_len(c, i - 1);
	}
	return 0;
}

int bundle_check_leaf(const struct bundle_check *c, uint64_t i, const void *p, size_t n,
		      struct gs_diag *d)
{
	uint8_t leaf[AGE_LEAF_HASH];
	uint64_t off, len;

	if (bundle_check_leaf_span(c, i, &off, &len) != 0)
		return gs_diag_set(d, i >= c->leaves && c->leaves ? GS_EINVAL : GS_ESTATE,
				   "bundle: no leaf %" PRIu64 " (the age header is not in yet, or past the last)", i);
	if (n != len)
		return gs_diag_set(d, GS_EINVAL, "bundle: leaf %" PRIu64 " is %" PRIu64 " bytes, not %zu",
				   i, len, n);
	merkle_leaf_hash(p, n, leaf);
	if (memcmp(leaf, c->section + i * AGE_LEAF_HASH, AGE_LEAF_HASH) != 0)
		return i == 0 ? gs_diag_set(d, GS_ECRYPTO,
					    "bundle: the age header does not match its hash (leaf 0) in the chunk-hash section")
			      : gs_diag_set(d, GS_ECRYPTO,
					    "bundle payload: chunk %" PRIu64 " does not match its hash in the chunk-hash section",
					    i - 1);
	return 0;
}

int bundle_verified_prefix(int fd, bundle_key_fn key, void *ctx, uint64_t *prefix,
			   int *complete, struct bundle_manifest *m, struct gs_diag *d)
{
	struct bundle_check *c = NULL;
	struct gs_diag ld = { { 0 } };
	uint8_t *buf;
	ssize_t r;
	int ret;

	*prefix = 0;
	*complete = 0;
	buf = malloc(1 << 20);
	if (!buf)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	if ((ret = bundle_check_new(key, ctx, &c, d)) != 0)
		goto out;
	for (;;) {
		r = read(fd, buf, 1 << 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = gs_diag_set(d, GS_EIO, "bundle: read failed");
			goto out;
		}
		if (r == 0)
			break;
		if ((ret = bundle_check_update(c, buf, (size_t)r, &ld)) != 0)
			break;
	}
	if (ret) {
		/* a bad chunk, or bytes past the end, only end the prefix */
		if (d)
			*d = ld;
		if (c->err_st != ST_CHUNKS && c->err_st != ST_DONE)
			goto out;
		ret = 0;
	} else if (bundle_check_finish(c, m, &ld) == 0) {
		*complete = 1;
	} else {
		if (d)
			*d = ld; /* where it ends */
		if (c->err) {
			/* a v1 digest that does not match: nothing of the payload holds */
			ret = c->err;
			goto out;
		}
	}
	*prefix = c->verified;
out:
	bundle_check_free(c);
	free(buf);
	return ret;
}
