/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "node/kvtext.h"
#include "util/banned.h"

bool kv_value_ok(const char *v)
{
	size_t n;

	if (!v || !*v)
		return false;
	n = strlen(v);
	if (v[0] == ' ' || v[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

static void put(struct kvbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 512) + n;
		char *p = realloc(b->buf, cap);

		if (!p) {
			b->err = GS_ENOMEM;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = 0;
}

void kv_begin(struct kvbuf *b, const char *magic)
{
	memset(b, 0, sizeof(*b));
	put(b, magic, strlen(magic));
	put(b, "\n", 1);
}

void kv_add(struct kvbuf *b, const char *key, const char *value)
{
	if (!value || !*value || b->err)
		return;
	if (!kv_value_ok(value)) {
		b->err = GS_EINVAL;
		b->bad_key = key;
		return;
	}
	put(b, key, strlen(key));
	put(b, " ", 1);
	put(b, value, strlen(value));
	put(b, "\n", 1);
}

void kv_add_instant(struct kvbuf *b, const char *key, gs_instant t)
{
	char s[GS_INSTANT_STR];

	if (t == GS_INSTANT_NONE)
		return;
	instant_format(t, s);
	kv_add(b, key, s);
}

int kv_end(struct kvbuf *b, struct gs_diag *d)
{
	if (!b->err)
		return 0;
	free(b->buf);
	b->buf = NULL;
	if (b->err == GS_EINVAL)
		return gs_diag_set(d, GS_EINVAL, "the value of '%s' must be one line without control characters "
				   "and without leading or trailing spaces", b->bad_key);
	return gs_diag_set(d, b->err, "out of memory");
}

int kv_instant(const char *s, gs_instant *out)
{
	char back[GS_INSTANT_STR];

	if (instant_parse(s, 0, out))
		return GS_EINVAL;
	instant_format(*out, back);
	return strcmp(back, s) ? GS_EINVAL : 0;
}

int kv_parse(const char *text, size_t len, const char *magic, struct kv_field *f, size_t nf,
	     struct gs_diag *d)
{
	const char *p = text, *end = text + len;
	size_t next = 0, mlen = strlen(magic);
	int line = 1;

	for (size_t i = 0; i < nf; i++)
		f[i].val[0] = 0;
	if (len < mlen + 1 || memcmp(text, magic, mlen) || text[mlen] != '\n')
		return gs_diag_set(d, GS_EINVAL, "line 1: not a %s text", magic);
	p += mlen + 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t klen, vlen, i;

		line++;
		if (!nl)
			return gs_diag_set(d, GS_EINVAL, "line %d: no line end", line);
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (!sp || sp == p)
			return gs_diag_set(d, GS_EINVAL, "line %d: expected 'key value'", line);
		klen = (size_t)(sp - p);
		vlen = (size_t)(nl - sp - 1);
		for (i = next; i < nf; i++)
			if (strlen(f[i].key) == klen && !memcmp(f[i].key, p, klen))
				break;
		if (i == nf)
			return gs_diag_set(d, GS_EINVAL, "line %d: unknown, repeated or misplaced key '%.*s'", line,
					   (int)(klen < 64 ? klen : 64), p);
		for (size_t k = next; k < i; k++)
			if (f[k].required)
				return gs_diag_set(d, GS_EINVAL, "line %d: '%s' is missing before '%s'", line,
						   f[k].key, f[i].key);
		if (vlen == 0 || vlen >= f[i].cap)
			return gs_diag_set(d, GS_EINVAL, "line %d: the value of '%s' is %s", line, f[i].key,
					   vlen ? "too long" : "empty");
		memcpy(f[i].val, sp + 1, vlen);
		f[i].val[vlen] = 0;
		if (!kv_value_ok(f[i].val))
			return gs_diag_set(d, GS_EINVAL, "line %d: bad value of '%s'", line, f[i].key);
		next = i + 1;
		p = nl + 1;
	}
	for (size_t k = next; k < nf; k++)
		if (f[k].required)
			return gs_diag_set(d, GS_EINVAL, "line %d: '%s' is missing", line, f[k].key);
	return 0;
}
