/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_TEXTFMT_H
#define GS_CORE_TEXTFMT_H

/*
 * The line reader shared by the strict, line-oriented text formats
 * (agreement definitions, party identities, notes). Pure: it reads a
 * caller's buffer and never allocates.
 *
 * Lexical rules every such format shares (docs/agreement-format.md §1):
 *  - UTF-8, no byte order mark, LF line endings, the text ends with LF;
 *  - no control characters (CR, TAB, NUL, C1), no DEL and no Unicode
 *    bidirectional controls (U+202A-U+202E, U+2066-U+2069), so that
 *    what a person reads is what every party signs;
 *  - '#' at the start of a line or after a space begins a comment that
 *    runs to the end of the line; blank and comment-only lines are
 *    skipped; leading and trailing spaces are not significant;
 *  - a line is at most GS_MAX_LINE bytes.
 *
 * Columns in diagnostics count Unicode code points from 1.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* A span of bytes inside the text; not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

struct textfmt_line {
	int no;            /* 1-based line number */
	const char *start; /* first byte of the raw line (for columns) */
	struct span body;  /* content: comment and outer spaces removed, non-empty */
};

struct textfmt {
	const char *text;
	const char *end;
	const char *pos;
	int line; /* number of the last line returned or skipped */
};

/* Checks the lexical rules above over the whole text (at most max
 * bytes: GS_ELIMIT beyond), then prepares to read it. Returns 0 or
 * GS_EINVAL/GS_ELIMIT with "LINE:COL: what" in d. */
int textfmt_open(struct textfmt *r, const char *text, size_t len, size_t max,
		 struct gs_diag *d);

/* Next non-blank line. Returns true and fills *l, or false at the end. */
bool textfmt_next(struct textfmt *r, struct textfmt_line *l);

/* Column (code points, from 1) of p within line l. */
int textfmt_col(const struct textfmt_line *l, const char *p);

/* Removes leading and trailing spaces. */
struct span span_trim(struct span s);
bool span_eq(struct span s, const char *lit);
/* Index of the first byte c in s, or -1. */
long span_find(struct span s, char c);
/* Copies s into buf[cap] with a NUL; false if it does not fit. */
bool span_copy(struct span s, char *buf, size_t cap);

/* Splits "key: value" at the first ':'. The key is [a-z0-9-]+ starting
 * at the line's first byte; the ':' must be followed by at least one
 * space and a non-empty value. Returns false (with d set to
 * "LINE:COL: what") if the line does not have that shape. */
bool textfmt_key_value(const struct textfmt_line *l, struct span *key, struct span *value,
		       struct gs_diag *d);

/* A decimal number without sign or leading zeros, 0..max. */
bool span_uint(struct span s, long max, long *out);

#endif
