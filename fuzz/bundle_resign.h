/* SPDX-License-Identifier: Apache-2.0 */
/*
 * For the bundle harnesses: the test keys of docs/bundle-format.md, and a
 * way past the signature. An input that is a bundle whose manifest text
 * parses is signed again with KOR's test key, so that the fuzzer reaches
 * what a valid signature guards (the chunk-hash section, the age header,
 * the chunks) instead of stopping at it. For v2, when the payload has as
 * many leaves as the section holds hashes, the section and payload-root
 * are first made to match the payload, so that what the tree guards (the
 * age header's parse, the stanza, the chunks' tags) is reached as well.
 */
#ifndef GS_FUZZ_BUNDLE_RESIGN_H
#define GS_FUZZ_BUNDLE_RESIGN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/bundle.h"
#include "crypto/merkle.h"
#include "crypto/note.h"

static uint8_t kor_sign_pk[32], kor_sign_sk[64], jpn_box_pk[32], jpn_box_sk[32];

__attribute__((unused)) static void test_keys(void)
{
	static int ready;
	uint8_t seed[32];
	int i;

	if (ready)
		return;
	if (sodium_init() < 0)
		abort();
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x40 + i);
	crypto_sign_seed_keypair(kor_sign_pk, kor_sign_sk, seed);
	for (i = 0; i < 32; i++)
		jpn_box_sk[i] = (uint8_t)(0xa0 + i);
	crypto_scalarmult_base(jpn_box_pk, jpn_box_sk);
	ready = 1;
}

__attribute__((unused)) static int kor_key(void *ctx, const char *sender, char key_name[GS_MAX_NAME], uint8_t pk[32],
		   struct gs_diag *d)
{
	(void)ctx;
	(void)sender;
	(void)d;
	snprintf(key_name, GS_MAX_NAME, "gsomia/KOR");
	memcpy(pk, kor_sign_pk, 32);
	return 0;
}

/* body = section (sec bytes) + age file: if the age file's leaves (the
 * header with the nonce, then 64 KiB chunks) are as many as the section
 * holds, writes their hashes into it and their RFC 6962 root to root. */
static int retree(uint8_t *body, size_t sec, size_t len, uint8_t root[32])
{
	const uint8_t *age = body + sec, *p;
	size_t alen = len - sec, off, n, i = 0, leaves = sec / 32;
	struct merkle_range r;

	for (p = age; p + 4 <= age + alen && memcmp(p, "\n---", 4); p++)
		;
	if (p + 4 > age + alen || !(p = memchr(p + 1, '\n', (size_t)(age + alen - p - 1))))
		return 0;
	off = (size_t)(p + 1 - age) + 16;
	if (off > alen || leaves < 2)
		return 0;
	merkle_range_init(&r);
	merkle_leaf_hash(age, off, body);
	if (merkle_range_append(&r, body, NULL, NULL) != 0)
		return 0;
	for (i = 1; off < alen && i < leaves; i++, off += n) {
		n = alen - off < 65552 ? alen - off : 65552;
		merkle_leaf_hash(age + off, n, body + 32 * i);
		if (merkle_range_append(&r, body + 32 * i, NULL, NULL) != 0)
			return 0;
	}
	if (i != leaves || off < alen)
		return 0;
	merkle_range_root(&r, root);
	return 1;
}

/* data as "gsomia-bundle/vN L\n" + manifest + rest, with the manifest's
 * text signed again by KOR; NULL if it is not shaped so. malloc'd. */
__attribute__((unused)) static uint8_t *resign(const uint8_t *data, size_t size, size_t *outlen)
{
	struct signed_note *note;
	struct bundle_manifest m;
	const uint8_t *nl = memchr(data, '\n', size < 32 ? size : 32);
	char *signed_note = NULL, *text = NULL, first[48];
	unsigned long mlen;
	uint8_t *out = NULL;
	size_t slen, fl, rest;
	int tlen;

	if (!nl || size < 17 || memcmp(data, "gsomia-bundle/v", 15))
		return NULL;
	mlen = strtoul((const char *)data + 17, NULL, 10);
	if (mlen == 0 || mlen > GS_BUNDLE_MAX_MANIFEST || (size_t)(nl + 1 - data) + mlen > size)
		return NULL;
	note = malloc(sizeof(*note));
	if (!note)
		return NULL;
	if (note_parse((const char *)nl + 1, mlen, note, NULL) != 0)
		goto out;
	rest = size - (size_t)(nl + 1 - data) - mlen;
	out = malloc(48 + GS_BUNDLE_MAX_MANIFEST + rest + 1);
	if (!out)
		goto out;
	/* the body as it is, its tree made to match (v2) */
	memcpy(out + 48 + GS_BUNDLE_MAX_MANIFEST, nl + 1 + mlen, rest);
	text = malloc(GS_BUNDLE_MAX_MANIFEST);
	if (text && bundle_manifest_parse(note->text, note->text_len, &m, NULL) == 0 &&
	    m.version == 2 && m.chunk_hashes <= rest &&
	    retree(out + 48 + GS_BUNDLE_MAX_MANIFEST, (size_t)m.chunk_hashes, rest, m.payload_root) &&
	    (tlen = bundle_manifest_format(&m, text, GS_BUNDLE_MAX_MANIFEST, NULL)) > 0) {
		if (note_sign(text, (size_t)tlen, "gsomia/KOR", kor_sign_sk, &signed_note, &slen, NULL) != 0)
			goto fail;
	} else if (note_sign(note->text, note->text_len, "gsomia/KOR", kor_sign_sk, &signed_note, &slen,
			     NULL) != 0) {
		goto fail;
	}
	fl = (size_t)snprintf(first, sizeof(first), "%.17s%zu\n", (const char *)data, slen);
	memmove(out + fl + slen, out + 48 + GS_BUNDLE_MAX_MANIFEST, rest);
	memcpy(out, first, fl);
	memcpy(out + fl, signed_note, slen);
	*outlen = fl + slen + rest;
	goto out;
fail:
	free(out);
	out = NULL;
out:
	free(text);
	free(signed_note);
	free(note);
	return out;
}

#endif
