/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CHECKPOINT_H
#define GS_CHECKPOINT_H

/*
 * C2SP checkpoints (https://c2sp.org/tlog-checkpoint) and Ed25519
 * cosignatures (https://c2sp.org/tlog-cosignature, cosignature/v1).
 *
 * Checkpoint text, exactly three lines:
 *
 *     <origin>\n                 a key name (crypto/note.h rules)
 *     <size>\n                   decimal, no sign, no leading zero
 *     <base64 of the 32-byte root>\n
 *
 * Extension lines are refused (the spec does not recommend them).
 *
 * A checkpoint is a signed note whose text is the checkpoint: the log signs
 * it with an ordinary Ed25519 note signature (note_sign, key name = origin).
 * A witness adds a cosignature line: key id = SHA-256(name || 0x0A || 0x04 ||
 * pk)[:4], and the signature is BE u64 timestamp || Ed25519 signature over
 *
 *     cosignature/v1\ntime <timestamp>\n<checkpoint text>
 */

#include <stddef.h>
#include <stdint.h>

#include "crypto/note.h"
#include "util/err.h"
#include "util/limits.h"

struct checkpoint {
	char origin[GS_MAX_NAME];
	uint64_t size;
	uint8_t root[32];
};

/* origin + '\n' + 20 digits + '\n' + 44 + '\n' + NUL */
#define CHECKPOINT_TEXT_SIZE (GS_MAX_NAME + 68)

/* Writes the text (NUL-terminated) into out; *outlen without the NUL.
 * GS_EINVAL bad origin, GS_ELIMIT outsz too small. */
int checkpoint_format(const struct checkpoint *c, char *out, size_t outsz,
		      size_t *outlen);
/* Parses a checkpoint text strictly. GS_EINVAL with a message in d. */
int checkpoint_parse(const char *text, size_t len, struct checkpoint *out,
		     struct gs_diag *d) __attribute__((warn_unused_result));

/*
 * Parses a signed checkpoint note, verifies the log's signature (key name
 * origin, Ed25519 key log_pk) and parses its text, which must name the same
 * origin. On success *out holds the checkpoint and, if n is non-NULL, *n the
 * parsed note (pointing into buf), e.g. to check cosignatures.
 * Errors: note_parse's, GS_ENOTFOUND (no signature by the log),
 * GS_ECRYPTO (a bad one), GS_EINVAL (bad text or another origin).
 */
int checkpoint_open(const char *buf, size_t len, const char *origin,
		    const uint8_t log_pk[32], struct checkpoint *out,
		    struct signed_note *n, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The cosignature/v1 key id of (name, pk). */
uint32_t cosig_key_id(const char *name, const uint8_t pk[32]);

/*
 * Adds a cosignature by witness `name` (Ed25519 secret key sk) at
 * `timestamp` (Unix seconds) to a signed checkpoint note (or a bare
 * checkpoint text); the text must parse as a checkpoint. The result is
 * malloc'd as in note_sign.
 */
int cosig_sign(const char *note, size_t len, const char *name,
	       const uint8_t sk[64], uint64_t timestamp, char **out,
	       size_t *outlen, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * Checks the cosignatures of witness (name, pk) on a parsed note: 0 and the
 * timestamp (of the latest, if several) in *timestamp when every line with
 * that name and cosignature key id verifies; GS_ENOTFOUND if there is none;
 * GS_ECRYPTO if one fails.
 */
int cosig_verify(const struct signed_note *n, const char *name,
		 const uint8_t pk[32], uint64_t *timestamp)
	__attribute__((warn_unused_result));

/* The timestamp of a cosignature line (8 + 64 bytes), without verifying
 * it. GS_EINVAL for a line of another length. */
int cosig_timestamp(const struct note_sig *s, uint64_t *timestamp);

#endif
