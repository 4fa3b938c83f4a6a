/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_BUNDLE_INTERNAL_H
#define GS_BUNDLE_INTERNAL_H

/*
 * The pieces of the bundle format that crypto/bundle.c (whole files) and
 * crypto/bundle_check.c (bundles arriving in pieces) both read, so that
 * the two readers cannot disagree on a rule (docs/bundle-format.md).
 */

#include <stddef.h>
#include <stdint.h>

#include "crypto/bundle.h"
#include "crypto/note.h"

#define BUNDLE_FIRST_LINE_MAX 32

/* "gsomia-bundle/vN <manifest length>\n" at buf: N 1 or 2, the length at
 * most GS_BUNDLE_MAX_MANIFEST; *line_len counts the '\n'. GS_EINVAL (no
 * line within BUNDLE_FIRST_LINE_MAX bytes, another version), GS_ELIMIT. */
int bundle_first_line_parse(const uint8_t *buf, size_t len, unsigned *version,
			    uint64_t *mlen, size_t *line_len, struct gs_diag *d);

/* The manifest's signed-note syntax, with exactly one signature line. */
int bundle_note_parse(const uint8_t *p, size_t len, struct signed_note *note,
		      struct gs_diag *d);

/* The signature by (key_name, pk) first, then the fields, whose version
 * must be the first line's. */
int bundle_note_verify(const struct signed_note *note, const char *key_name,
		       const uint8_t pk[32], unsigned version, struct bundle_manifest *m,
		       struct gs_diag *d);

/* The length of the age header at p (through the '\n' of its "---" MAC
 * line), or -1 if none ends within len (or GS_AGE_MAX_HEADER) bytes. The
 * header leaf (leaf 0) is these bytes and the 16-byte nonce after them. */
long bundle_age_header_len(const uint8_t *p, size_t len);

/* v2: the chunk-hash section holds one hash for the header and one for
 * each chunk of a payload of m->payload_size bytes after a header of
 * header_len bytes. GS_EINVAL naming both counts otherwise. */
int bundle_geometry_check(const struct bundle_manifest *m, size_t header_len,
			  struct gs_diag *d);

#endif
