/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_RECLASS_H
#define GS_CORE_RECLASS_H

/*
 * The texts of reclassification (Art 6(g); docs/items.md): the
 * originator's notice, and the forward by which a party that passed the
 * item on (a hub, TISA) hands the originator's notice to the party it
 * released the item to. Both are the text of a C2SP signed note; the
 * signatures are checked outside core/ (crypto/note.h).
 *
 * Each text has exactly one spelling: fields in a fixed order, one
 * "key value" line each, values without control characters or leading or
 * trailing spaces, instants in canonical UTC (2023-06-01T00:00:00Z), LF
 * line ends. The parsers accept only that spelling, so the signed bytes
 * are the bytes read: parse(format(x)) == x.
 *
 * Errors are "LINE:COL: what" with GS_EINVAL (GS_ELIMIT for a value or a
 * text over its cap); the caller prefixes the file name.
 */

#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

#define RECLASSIFY_MAGIC "gsomia-reclassification/v1\n"
#define RECLASSIFY_FORWARD_MAGIC "gsomia-reclassification-forward/v1\n"
/* The originator's signed notice a forward carries (a few hundred bytes;
 * in base64 it must fit one line of GS_MAX_LINE). */
#define RECLASSIFY_MAX_NOTICE 1400

/* The originator's notice:
 *
 *   gsomia-reclassification/v1
 *   item KOR-8f45b8c522dbdb89
 *   originator KOR
 *   agreement KOR-JPN-2016       the agreement the originator released it under
 *   previous 군사II급비밀
 *   label 군사III급비밀
 *   instant 2023-06-01T00:00:00Z
 */
struct reclassify_notice {
	char item[GS_MAX_ID];
	char originator[GS_MAX_CODE];
	char agreement[GS_MAX_ID];
	char previous[GS_MAX_LABEL];
	char label[GS_MAX_LABEL];
	gs_instant instant;
};

/* A forward, signed by `from`:
 *
 *   gsomia-reclassification-forward/v1
 *   notice 3f0c…(64 hex)         SHA-256 of the originator's signed notice file
 *   item KOR-8f45b8c522dbdb89
 *   from USA                     the party that released the item to `to`
 *   to JPN
 *   agreement US-JPN-2007        the leg from `from` to `to`
 *   label CONFIDENTIAL           from's own marking after the notice: the label
 *                                to's marking follows from under `agreement`
 *   instant 2023-06-01T02:00:00Z when from applied the notice
 *   notice-file <base64>         the originator's signed notice, byte for byte
 */
struct reclassify_forward {
	uint8_t notice_sha256[32];
	char item[GS_MAX_ID];
	char from[GS_MAX_CODE];
	char to[GS_MAX_CODE];
	char agreement[GS_MAX_ID];
	char label[GS_MAX_LABEL];
	gs_instant instant;
	size_t notice_len;
	uint8_t notice[RECLASSIFY_MAX_NOTICE];
};

int reclassify_notice_parse(const char *text, size_t len, struct reclassify_notice *out,
			    struct gs_diag *d) __attribute__((warn_unused_result));
/* The canonical text (NUL-terminated); its length, GS_ELIMIT if cap is too
 * small, GS_EINVAL if a field cannot be written as one that parses back. */
int reclassify_notice_format(const struct reclassify_notice *n, char *buf, size_t cap);

int reclassify_forward_parse(const char *text, size_t len, struct reclassify_forward *out,
			     struct gs_diag *d) __attribute__((warn_unused_result));
int reclassify_forward_format(const struct reclassify_forward *f, char *buf, size_t cap);

/* Whether text starts as a forward (else it is taken for a notice). */
int reclassify_is_forward(const char *text, size_t len);

#endif
