/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_DYNBUF_H
#define GS_DYNBUF_H

/*
 * A growable byte buffer with a cap, for replies, request bodies and the
 * text and JSON a node builds: every such buffer has a named cap
 * (util/limits.h), and this is where it is enforced, once.
 *
 *     struct dynbuf b;
 *     dynbuf_init(&b, GS_NET_MAX_REPLY);
 *     dynbuf_adds(&b, "head\n");
 *     dynbuf_addf(&b, "%d rows\n", n);
 *     if ((ret = dynbuf_error(&b)))        // GS_ELIMIT or GS_ENOMEM
 *             return dynbuf_free(&b), ret;
 *     text = dynbuf_take(&b, &len);        // the caller frees it
 *
 * The contents are always followed by a NUL (not counted in the length),
 * so a buffer of text is a C string. An error is sticky: once an add fails
 * the contents are freed, every later add does nothing and returns the same
 * error, so a builder may add many pieces and check once at the end.
 */

#include <stddef.h>

struct dynbuf {
	char *p;     /* NULL until the first byte is added */
	size_t len;  /* bytes held, the NUL not counted */
	size_t cap;  /* bytes allocated */
	size_t max;  /* the most len may reach */
	int err;     /* 0, or the first error (sticky) */
};

/* Starts an empty buffer that may hold at most max bytes. Allocates nothing. */
void dynbuf_init(struct dynbuf *b, size_t max);
/* Appends n bytes. GS_ELIMIT if len would pass max, GS_ENOMEM if memory
 * ran out; either frees the contents and sticks. */
int dynbuf_add(struct dynbuf *b, const void *p, size_t n);
/* Appends a C string. */
int dynbuf_adds(struct dynbuf *b, const char *s);
/* Appends printf-formatted text. */
int dynbuf_addf(struct dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents (an empty string before anything was added) and their length. */
const char *dynbuf_ptr(const struct dynbuf *b);
size_t dynbuf_len(const struct dynbuf *b);
/* The first error of an add, or 0. */
int dynbuf_error(const struct dynbuf *b);
/* Hands the contents to the caller (who frees them) and leaves the buffer
 * empty, keeping its cap; NULL if an add failed. *len may be NULL. An
 * empty buffer gives an allocated empty string. */
char *dynbuf_take(struct dynbuf *b, size_t *len);
/* Empties the buffer and clears its error, keeping its memory. */
void dynbuf_reset(struct dynbuf *b);
/* Frees the contents; the buffer is empty again, as after dynbuf_init. */
void dynbuf_free(struct dynbuf *b);

#endif
