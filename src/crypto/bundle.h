/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_BUNDLE_H
#define GS_BUNDLE_H

/*
 * Sealed bundles: the one file that carries one release (docs/bundle-format.md).
 *
 *     gsomia-bundle/v2 <manifest length in bytes>\n
 *     <manifest: a C2SP signed note, signed by the sender>
 *     <chunk-hash section: 32 bytes a leaf, as many as the manifest says>
 *     <an age v1 file to the recipient's X25519 key>
 *
 * The manifest says what the bundle is (ids, parties, agreement, marking,
 * instants) and binds the ciphertext by its size and the RFC 6962 root of
 * a Merkle tree whose leaves are the age header (with the payload nonce)
 * and each 64 KiB ciphertext chunk; the section carries the leaf hashes.
 * It is readable without keys (`head -c`). Inside the encryption the
 * plaintext starts with an inner header signed by the sender that names
 * the bundle and the recipient's key (sign-encrypt-sign), then the
 * document bytes. Version 1 (one SHA-256 over the payload instead of the
 * tree, no section) is still read; bundle_seal writes version 2.
 *
 * Checks, in this order, when opening v2: the first line and the note's
 * syntax; the manifest signature by (key name, sender key), before any
 * field is read; the manifest fields; the payload size; the section
 * against the signed root; the age header against leaf 0; the number of
 * leaves against the payload; the age header's stanza and MAC; then, on
 * every core, each chunk's hash against the section before that chunk is
 * decrypted, its tag, the final chunk; the inner signature and that its
 * fields equal the manifest's and name this recipient's key. So the file
 * is read once, and nothing unverified reaches the caller's fd: plaintext
 * goes out chunk by chunk, each after its hash and tag verified, and the
 * call succeeds only when everything verified (v1: the payload SHA-256
 * before decrypting, unless BUNDLE_OPEN_ONE_PASS). Callers write to a
 * temporary file, rename it on success and unlink it on failure.
 *
 * Every refusal is one sentence that names the region: the first line,
 * a manifest line, the chunk-hash section, the age header (leaf 0) or a
 * chunk by number; a truncated file says where it ends.
 *
 * Ownership: manifests are plain values (fixed arrays), copied freely.
 * Secret keys are the caller's (struct node_keys keeps them in guarded
 * memory); file keys are 16-byte caller buffers that the caller wipes.
 *
 * Errors: GS_EINVAL malformed (d says which line or field) or cut short
 * (d says where it ends), GS_ELIMIT a cap in util/limits.h, GS_ECRYPTO a
 * signature, digest, MAC or tag failure, GS_ENOTFOUND no signature by the
 * given key, GS_EIO a read or write that failed, GS_ENOMEM. A bundle whose
 * bytes are at fault is never GS_EIO, so that a receiver can tell it from
 * its own failure (docs/api.md, "A damaged bundle").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "crypto/age.h"
#include "util/err.h"
#include "util/limits.h"

#define BUNDLE_MAGIC_V1 "gsomia-bundle/v1"
#define BUNDLE_MAGIC_V2 "gsomia-bundle/v2"
#define BUNDLE_VERSION 2     /* what bundle_seal writes unless asked for 1 */
#define BUNDLE_ID_HEX 33     /* 32 lowercase hex digits + NUL */
#define BUNDLE_FORM_MAX 16
#define BUNDLE_CONSENT_MAX 65 /* up to 64 lowercase hex digits + NUL */

/* The file name a bundle may carry, incl. NUL: what a file system takes. */
#define BUNDLE_NAME_MAX 256

struct bundle_manifest {
	unsigned version;                 /* 1 or 2; bundle_seal: 0 means BUNDLE_VERSION */
	char bundle_id[BUNDLE_ID_HEX];    /* random; bundle_seal makes one if "" */
	char item[GS_MAX_ID];
	char originator[GS_MAX_CODE];     /* the true originator, every hop */
	char sender[GS_MAX_CODE];         /* the releasing party */
	char recipient[GS_MAX_CODE];
	char agreement[GS_MAX_ID];
	uint32_t agreement_version;
	char purpose[GS_MAX_NAME];
	char topic[GS_MAX_NAME];
	char form[BUNDLE_FORM_MAX];       /* oral, visual, electronic, magnetic, document, equipment, technology */
	char title[GS_MAX_TITLE];         /* optional: "" for none */
	char name[BUNDLE_NAME_MAX];       /* optional: the file's own name ("report.pdf"), "" for none */
	char banner_originator[GS_MAX_LABEL];
	char banner_recipient[GS_BUNDLE_MAX_BANNER]; /* labels, comma-separated */
	gs_instant created;
	bool exercise;
	char consent[BUNDLE_CONSENT_MAX]; /* optional: "" for none */
	/* filled by bundle_seal: */
	uint8_t payload_sha256[32];       /* v1: SHA-256 of the payload */
	uint64_t chunk_hashes;            /* v2: bytes of the chunk-hash section */
	uint8_t payload_root[32];         /* v2: RFC 6962 root over the leaves */
	uint64_t payload_size;            /* bytes of the age file */
};

/* The digest that binds the payload: payload-root (v2) or payload-sha256
 * (v1). Receipts and ledger entries carry it. */
const uint8_t *bundle_payload_digest(const struct bundle_manifest *m);

/* The SHA-256 of the whole age payload, as a tool outside gsomia computes
 * it over the payload's bytes (a STANAG 4778 binding names the payload so,
 * docs/labels.md): v1 the manifest's payload-sha256; v2 read from fd (a
 * seekable bundle file, from its start) from the payload's first byte to
 * the end. The caller has verified the bundle. */
int bundle_payload_sha256(int fd, const struct bundle_manifest *m, uint8_t out[32], struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The manifest text (unsigned) into buf, NUL-terminated. Returns its
 * length or a negative gs_err: GS_EINVAL a field is invalid (d says which),
 * GS_ELIMIT buf too small. */
int bundle_manifest_format(const struct bundle_manifest *m, char *buf,
			   size_t cap, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Parses a manifest text (the text of the signed note, every line in
 * order, nothing else). GS_EINVAL with "line N: ..." in d. */
int bundle_manifest_parse(const char *text, size_t len,
			  struct bundle_manifest *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Field-by-field equality. */
/* A name the manifest's `name` line may hold: one line of UTF-8 without
 * '/' or '\\', not "." or "..", no space at either end, < BUNDLE_NAME_MAX. */
bool bundle_name_is_valid(const char *s);

bool bundle_manifest_equal(const struct bundle_manifest *a,
			   const struct bundle_manifest *b);

/*
 * Seals the document read from in_fd (a regular file, from its current
 * offset to its end) for one recipient, signed by the sender, and writes
 * the bundle at out_fd's current offset, leaving the offset at its end.
 * out_fd must be seekable and not O_APPEND (the manifest and the
 * chunk-hash section, which depend on the whole payload, are written
 * last, in front of it); bytes already past the bundle's end are not
 * removed, so write into an empty file. Chunks are encrypted and hashed
 * on every core (threads: one per CPU); the tree's root is built as the
 * hashes come, in order, so no serial pass over the payload is left.
 * m gives every field but the payload ones; m->version 0 writes
 * BUNDLE_VERSION (2), 1 the old format; an empty bundle_id gets a random
 * one. *out_m is m as sealed. If file_key is non-NULL it receives the age
 * file key (for a sender that keeps its own copy).
 */
int bundle_seal(const struct bundle_manifest *m, int in_fd, int out_fd,
		const uint8_t recipient_box_pk[32], const char *key_name,
		const uint8_t sender_sign_sk[64], struct bundle_manifest *out_m,
		uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The signature line of a manifest, as found (not verified). */
struct bundle_sig {
	char key_name[GS_MAX_NAME];
	uint32_t key_id;
};

/*
 * Reads the first line and the manifest from fd (its current offset) and
 * parses them, without keys and without verifying anything: for
 * `inspect` and to find which sender key to verify with. Nothing here is
 * trusted until bundle_verify or bundle_open succeeds.
 */
int bundle_read_manifest(int fd, struct bundle_manifest *m,
			 struct bundle_sig *sig, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * Verifies a bundle without decrypting: the manifest signature by
 * (key_name, sender_pk), then the payload's size and, v2, the section,
 * the header leaf and every chunk's hash, on every core (v1: the SHA-256).
 * What a node receiving a bundle checks before it stores the ciphertext.
 */
int bundle_verify(int fd, const char *key_name, const uint8_t sender_pk[32],
		  struct bundle_manifest *m, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * The age file key of a bundle for an X25519 secret key (header MAC
 * checked). A node keeps it sealed in its database and opens the stored
 * bundle with it later; destroying it destroys the item (crypto-shredding).
 * Call bundle_verify first: this reads only the age header.
 */
int bundle_unwrap_key(int fd, const uint8_t box_sk[32],
		      uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
	__attribute__((warn_unused_result));

struct bundle_open_keys {
	const char *key_name;         /* the sender's note key name */
	const uint8_t *sender_pk;     /* the sender's Ed25519 public key */
	const uint8_t *box_pk;        /* this recipient's X25519 public key */
	const uint8_t *box_sk;        /* this recipient's X25519 secret key, or NULL */
	const uint8_t *file_key;      /* or the file key (16 bytes), or NULL */
	const char *recipient_code;   /* optional: must equal the manifest's */
};

/* v1 only (v2 is always opened in one verified pass): hash the payload
 * while decrypting instead of before: one pass, but verified plaintext
 * may reach out_fd before a digest mismatch is found at the end (the
 * call still fails). */
#define BUNDLE_OPEN_ONE_PASS 1u
/* Tests: read a v2 chunk-hash section in windows of 4 hashes, as a bundle
 * of over 2 GiB is read (in windows of 32768), to exercise that path on
 * small files. */
#define BUNDLE_OPEN_SMALL_WINDOWS 2u
/* Threads for the stream (0 automatic, 1 inline); low byte of flags >> 8. */
#define BUNDLE_OPEN_THREADS(n) ((unsigned)(n) << 8)

/*
 * Opens a bundle: every check listed at the top, then the document bytes
 * to out_fd. fd may be a pipe for a v2 bundle of up to 2 GiB (a larger
 * section is read again from the file) and for v1 with
 * BUNDLE_OPEN_ONE_PASS; otherwise it must be seekable. *m receives the
 * verified manifest.
 */
int bundle_open(int fd, const struct bundle_open_keys *k, int out_fd,
		unsigned flags, struct bundle_manifest *m, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* ---- bundles arriving in pieces ---------------------------------------- */

/*
 * A bundle checked as its bytes arrive, in pieces of any size (a delivery
 * over the network, a resumed one), or a prefix of one: the manifest's
 * signature as soon as the manifest is in, the chunk-hash section against
 * the signed root as soon as it is in, then the age header (leaf 0) and
 * each chunk as soon as it is complete. The verified prefix only grows;
 * an interrupted delivery resumes from it and nothing after it need be
 * kept. A v1 bundle verifies its first line and manifest this way and its
 * payload at the end only (one SHA-256), so it resumes from the payload's
 * start.
 *
 * The sender's key is asked for through `key` once the manifest is in,
 * with the sender it names (not yet verified); the callback gives the
 * key name and Ed25519 public key to verify with, or an error.
 *
 * Memory: the section is held, at most GS_BUNDLE_MAX_CHECK_SECTION bytes
 * (a payload of 2 GiB; bundle_verify checks a larger file whole), plus
 * one chunk.
 */
typedef int (*bundle_key_fn)(void *ctx, const char *sender, char key_name[GS_MAX_NAME],
			     uint8_t pk[32], struct gs_diag *d);

struct bundle_check;

int bundle_check_new(bundle_key_fn key, void *ctx, struct bundle_check **out,
		     struct gs_diag *d) __attribute__((warn_unused_result));
void bundle_check_free(struct bundle_check *c);

/* Takes the next n bytes. A refusal names the region or the chunk and is
 * final: every later call returns it again. */
int bundle_check_update(struct bundle_check *c, const void *p, size_t n, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Bytes taken so far, the length of the prefix of them that verified, and
 * the refusal (a negative gs_err) if there was one, else 0. */
uint64_t bundle_check_taken(const struct bundle_check *c);
uint64_t bundle_check_verified(const struct bundle_check *c);
int bundle_check_error(const struct bundle_check *c);

/* 0 if the bytes taken are the whole bundle and every one verified (*m,
 * if not NULL, its manifest); GS_EINVAL saying where it ends if short. */
int bundle_check_finish(struct bundle_check *c, struct bundle_manifest *m, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* v2, once the age header is in (else 0 and GS_ESTATE): the number of
 * leaves, where leaf i lies in the bundle (offset and length), and
 * whether bytes are leaf i, checked against the verified section: any
 * chunk range can be verified against the signed root, in any order. */
uint64_t bundle_check_leaves(const struct bundle_check *c);
int bundle_check_leaf_span(const struct bundle_check *c, uint64_t i, uint64_t *off,
			   uint64_t *len) __attribute__((warn_unused_result));
int bundle_check_leaf(const struct bundle_check *c, uint64_t i, const void *p, size_t n,
		      struct gs_diag *d) __attribute__((warn_unused_result));

/*
 * The longest verified prefix of the (partial) bundle in fd, from its
 * current offset to its end: *prefix bytes, *complete set if that is the
 * whole bundle. A chunk that does not verify, or is incomplete, ends the
 * prefix (what follows is to be fetched again); a refusal of what comes
 * before the chunks (first line, signature, manifest, section, header) is
 * returned as an error, as nothing of such a file can be used. When the
 * prefix is not the whole bundle, d says why it ends there (the chunk
 * that does not verify, or where the file is cut).
 */
int bundle_verified_prefix(int fd, bundle_key_fn key, void *ctx, uint64_t *prefix,
			   int *complete, struct bundle_manifest *m, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The inner header's prefix and the domain of its signature. */
#define BUNDLE_INNER_MAGIC "gsomia-inner/v1" /* followed by a NUL byte */
#define BUNDLE_INNER_SIG_DOMAIN "gsomia-bundle/v1 inner signature" /* + NUL */

#endif
