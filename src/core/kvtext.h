/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_KVTEXT_H
#define GS_CORE_KVTEXT_H

/*
 * The strict "key value" texts that consents, consent requests,
 * incident notices, visit requests and answers, and key rotation and
 * compromise notes sign (docs/consent.md, docs/incidents.md,
 * docs/visits.md, docs/keys.md): a first
 * line naming the format, then one `key value` line per field, in a fixed
 * order, each at most once, single space, no empty value, no leading or
 * trailing space, no control character. One spelling per content, so the
 * bytes signed are the bytes parsed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/time.h"
#include "util/dynbuf.h"
#include "util/err.h"

/* A text is a signed note's text, so it holds at most GS_MAX_NOTE_BYTES. */
struct kvbuf {
	struct dynbuf text; /* the text as it is built */
	char *buf;          /* set by kv_end: the whole text */
	size_t len;
	int err;            /* a bad value (GS_EINVAL); the buffer keeps its own error */
	const char *bad_key;
};

/* Starts a text with its first line. */
void kv_begin(struct kvbuf *b, const char *magic);
/* Appends "key value\n"; NULL or "" values are skipped (optional fields). */
void kv_add(struct kvbuf *b, const char *key, const char *value);
void kv_add_instant(struct kvbuf *b, const char *key, gs_instant t);
/* 0 and the text in b->buf, b->len (caller frees), or the first error with d set. */
int kv_end(struct kvbuf *b, struct gs_diag *d);

/* A value is one line: non-empty, no control character, no leading or
 * trailing space. */
bool kv_value_ok(const char *v);

struct kv_field {
	const char *key;
	char *val;      /* receives the value, NUL-terminated ("" if absent) */
	size_t cap;
	bool required;
};

/* A field that repeats on consecutive lines (a visit's persons): its
 * lines come right after those of the fields before index `after`; up
 * to max values, the i-th at vals + i * cap, their number in *count. */
struct kv_list {
	const char *key;
	char *vals;
	size_t cap;
	size_t max;
	size_t *count;
	size_t after;
	bool required; /* at least one line */
};

/* Parses text (a signed note's text) against magic and the fields in
 * their order. GS_EINVAL with "line N: ..." in d. */
int kv_parse(const char *text, size_t len, const char *magic, struct kv_field *f, size_t nf,
	     struct gs_diag *d);
/* The same with one repeating field l (NULL: none). */
int kv_parse_list(const char *text, size_t len, const char *magic, struct kv_field *f, size_t nf,
		  const struct kv_list *l, struct gs_diag *d);

/* Parses a canonical UTC instant "2019-11-22T15:00:00Z". */
int kv_instant(const char *s, gs_instant *out);

#endif
