/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_BUNDLE_H
#define GS_BUNDLE_H

/*
 * Sealed bundles: the one file that carries one release (docs/bundle-format.md).
 *
 *     gsomia-bundle/v1 <manifest length in bytes>\n
 *     <manifest: a C2SP signed note, signed by the sender>
 *     <an age v1 file to the recipient's X25519 key>
 *
 * The manifest says what the bundle is (ids, parties, agreement, marking,
 * instants) and binds the ciphertext by its size and SHA-256; it is
 * readable without keys (`head -c`). Inside the encryption the plaintext
 * starts with an inner header signed by the sender that names the bundle
 * and the recipient's key (sign-encrypt-sign), then the document bytes.
 *
 * Checks, in this order, when opening: the first line and the note's
 * syntax; the manifest signature by (key name, sender key), before any
 * field is read; the manifest fields; the payload size; the SHA-256 of
 * the age payload (before decrypting, unless BUNDLE_OPEN_ONE_PASS); the
 * age header and its MAC; each chunk; the inner signature and that its
 * fields equal the manifest's and name this recipient's key. Plaintext
 * goes to the caller's fd chunk by chunk after each verified, and the
 * call succeeds only when everything verified. Callers write to a
 * temporary file, rename it on success and unlink it on failure.
 *
 * Ownership: manifests are plain values (fixed arrays), copied freely.
 * Secret keys are the caller's (struct node_keys keeps them in guarded
 * memory); file keys are 16-byte caller buffers that the caller wipes.
 *
 * Errors: GS_EINVAL malformed (d says which line or field), GS_ELIMIT a cap
 * in util/limits.h, GS_ECRYPTO a signature, digest, MAC or tag failure,
 * GS_ENOTFOUND no signature by the given key, GS_EIO read/write failure or
 * a truncated file, GS_ENOMEM.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "crypto/age.h"
#include "util/err.h"
#include "util/limits.h"

#define BUNDLE_MAGIC "gsomia-bundle/v1"
#define BUNDLE_ID_HEX 33     /* 32 lowercase hex digits + NUL */
#define BUNDLE_FORM_MAX 16
#define BUNDLE_CONSENT_MAX 65 /* up to 64 lowercase hex digits + NUL */

/* The file name a bundle may carry, incl. NUL: what a file system takes. */
#define BUNDLE_NAME_MAX 256

struct bundle_manifest {
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
	uint8_t payload_sha256[32];       /* filled by bundle_seal */
	uint64_t payload_size;            /* filled by bundle_seal */
};

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
 * out_fd must be seekable and not O_APPEND (the manifest, which holds the
 * payload digest, is written last, in front); bytes already past the
 * bundle's end are not removed, so write into an empty file.
 * m gives every field but the payload ones; an empty bundle_id gets a
 * random one. *out_m is m as sealed. If file_key is non-NULL it receives
 * the age file key (for a sender that keeps its own copy).
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
 * (key_name, sender_pk), then the payload's size and SHA-256. What a node
 * receiving a bundle checks before it stores the ciphertext.
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

/* Hash the payload while decrypting instead of before: one pass, but
 * verified plaintext may reach out_fd before a digest mismatch is found
 * at the end (the call still fails). */
#define BUNDLE_OPEN_ONE_PASS 1u
/* Threads for the stream (0 automatic, 1 inline); low byte of flags >> 8. */
#define BUNDLE_OPEN_THREADS(n) ((unsigned)(n) << 8)

/*
 * Opens a bundle: every check listed at the top, then the document bytes
 * to out_fd. By default fd must be seekable (the payload is hashed, then
 * read again to decrypt). *m receives the verified manifest.
 */
int bundle_open(int fd, const struct bundle_open_keys *k, int out_fd,
		unsigned flags, struct bundle_manifest *m, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The inner header's prefix and the domain of its signature. */
#define BUNDLE_INNER_MAGIC "gsomia-inner/v1" /* followed by a NUL byte */
#define BUNDLE_INNER_SIG_DOMAIN "gsomia-bundle/v1 inner signature" /* + NUL */

#endif
