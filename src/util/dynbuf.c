/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynbuf.h"
#include "util/err.h"
#include "util/banned.h"

#define DYNBUF_FIRST 256 /* the first allocation: most builders stay under it */

void dynbuf_init(struct dynbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static int fail(struct dynbuf *b, int err)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = err;
	return err;
}

/* Makes room for n more bytes and the NUL, doubling (at most to max + 1). */
static int grow(struct dynbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (n > b->max - b->len)
		return fail(b, GS_ELIMIT);
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : DYNBUF_FIRST;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->max < SIZE_MAX && cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->p, cap);
	if (!p)
		return fail(b, GS_ENOMEM);
	b->p = p;
	b->cap = cap;
	return 0;
}

int dynbuf_add(struct dynbuf *b, const void *p, size_t n)
{
	int ret = grow(b, n);

	if (ret)
		return ret;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int dynbuf_adds(struct dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s));
}

int dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	if (b->err)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(b, GS_EINVAL);
	if ((ret = grow(b, (size_t)n)))
		return ret;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *dynbuf_ptr(const struct dynbuf *b)
{
	return b->p ? b->p : "";
}

size_t dynbuf_len(const struct dynbuf *b)
{
	return b->len;
}

int dynbuf_error(const struct dynbuf *b)
{
	return b->err;
}

char *dynbuf_take(struct dynbuf *b, size_t *len)
{
	char *p;

	if (b->err)
		return NULL;
	p = b->p ? b->p : calloc(1, 1);
	if (!p)
		return NULL;
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void dynbuf_reset(struct dynbuf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->p)
		b->p[0] = 0;
}

void dynbuf_free(struct dynbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
