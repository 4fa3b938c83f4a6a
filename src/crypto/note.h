/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NOTE_H
#define GS_NOTE_H

/*
 * C2SP signed notes (https://c2sp.org/signed-note):
 *
 *     <text: UTF-8, no control characters but '\n', ends in '\n'>
 *     <blank line>
 *     — <key name> <base64(key id, 4 bytes big-endian || signature)>\n   (one or more)
 *
 * The last blank line separates the text from the signature lines. Key names
 * are non-empty, shorter than GS_MAX_NAME bytes, and contain no Unicode space
 * and no '+'. Key id = SHA-256(name || 0x0A || type || public key)[:4]; type
 * 0x01 is Ed25519 over the text, 0x04 an Ed25519 cosignature (see
 * crypto/checkpoint.h).
 *
 * A note is at most GS_MAX_NOTE_BYTES bytes with at most GS_MAX_NOTE_SIGS
 * signature lines (the spec asks verifiers to accept at least 16).
 *
 * Verification follows the spec: lines whose (name, key id) is not the
 * asked-for key are ignored; a line that names the key must verify.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/limits.h"

#define NOTE_TYPE_ED25519 0x01
#define NOTE_TYPE_COSIGNATURE 0x04

/* Signature bytes a parsed line keeps (after the key id). Longer signatures
 * (ML-DSA, ...) are parsed and kept as a line, but never verify here. */
#define NOTE_SIG_KEEP 128

struct note_sig {
	char name[GS_MAX_NAME];
	uint32_t key_id;
	uint8_t sig[NOTE_SIG_KEEP]; /* the first min(siglen, NOTE_SIG_KEEP) bytes */
	size_t siglen;              /* decoded length after the key id, >= 1 */
	const char *line;           /* the whole line in the parsed buffer, '\n' included */
	size_t line_len;
};

struct signed_note {
	const char *text; /* points into the parsed buffer; ends with '\n' */
	size_t text_len;
	size_t nsigs;
	struct note_sig sigs[GS_MAX_NOTE_SIGS];
};

/*
 * Splits a signed note into its text and signature lines, checking the
 * whole format (UTF-8, control characters, names, canonical base64, at
 * least 5 decoded bytes per signature). Nothing is verified. The result
 * points into buf, which must outlive it.
 * Errors: GS_EINVAL malformed (d says where), GS_ELIMIT too large or too
 * many signatures.
 */
int note_parse(const char *buf, size_t len, struct signed_note *out,
	       struct gs_diag *d) __attribute__((warn_unused_result));

/* Checks a note text on its own: valid UTF-8, no control characters but
 * '\n', non-empty, ends in '\n', at most GS_MAX_NOTE_BYTES. 0 or GS_EINVAL /
 * GS_ELIMIT with a message in d. */
int note_text_check(const char *text, size_t len, struct gs_diag *d);

/* 1 if name is a valid key name (rules above), else 0. */
int note_name_valid(const char *name, size_t len);

uint32_t note_key_id(const char *name, uint8_t type, const uint8_t *pk,
		     size_t pklen);

/*
 * Adds one Ed25519 signature line by key `name` (secret key sk, 64 bytes as
 * libsodium makes them) and returns a new malloc'd note in *out (caller
 * frees; not NUL-terminated, *outlen bytes, though a NUL follows).
 * note_or_text is either a plain text (the result is text, blank line,
 * one line) or an already signed note (its lines are kept as they are and
 * the new one is appended). If a line with the same name and key id is
 * already there, the note is returned unchanged. An input whose last blank
 * line is followed by a line starting with an em dash and a space is taken
 * as a signed note and must parse as one (so a damaged note is refused,
 * never signed as plain text).
 * Errors: GS_EINVAL bad text or name, GS_ELIMIT the result would exceed
 * the caps, GS_ENOMEM.
 */
int note_sign(const char *note_or_text, size_t len, const char *name,
	      const uint8_t sk[64], char **out, size_t *outlen,
	      struct gs_diag *d) __attribute__((warn_unused_result));

/* The same with a ready signature (key id excluded): the building block of
 * note_sign and of cosignatures. */
int note_add_sig(const char *note_or_text, size_t len, const char *name,
		 uint32_t key_id, const uint8_t *sig, size_t siglen, char **out,
		 size_t *outlen, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * Verifies the note against one known Ed25519 key (name, pk).
 * 0 if a line with that name and key id verifies and none fails;
 * GS_ENOTFOUND if no line is from that key; GS_ECRYPTO if one fails.
 */
int note_verify(const struct signed_note *n, const char *name,
		const uint8_t pk[32]) __attribute__((warn_unused_result));

/*
 * Verifier keys: <name>+<8 lowercase hex key id>+<base64(type || pk)>,
 * e.g. example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k.
 * Types 0x01 and 0x04 (32-byte Ed25519 keys) are supported.
 */
struct note_vkey {
	char name[GS_MAX_NAME];
	uint32_t key_id;
	uint8_t type;
	uint8_t pk[32];
};

/* Bytes needed by note_vkey_encode: name + "+" + 8 + "+" + 44 + NUL. */
#define NOTE_VKEY_SIZE (GS_MAX_NAME + 56)

int note_vkey_encode(const char *name, uint8_t type, const uint8_t pk[32],
		     char *out, size_t outsz);
/* GS_EINVAL if malformed, of another type, or if the id does not match. */
int note_vkey_parse(const char *s, size_t len, struct note_vkey *out,
		    struct gs_diag *d) __attribute__((warn_unused_result));

#endif
