/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "core/kvtext.h"
#include "util/limits.h"
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
	dynbuf_add(&b->text, s, n); /* an error stays in the buffer for kv_end */
}

void kv_begin(struct kvbuf *b, const char *magic)
{
	memset(b, 0, sizeof(*b));
	dynbuf_init(&b->text, GS_MAX_NOTE_BYTES);
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
	int err = b->err ? b->err : dynbuf_error(&b->text);

	if (!err && (b->buf = dynbuf_take(&b->text, &b->len)))
		return 0;
	dynbuf_free(&b->text);
	if (err == GS_EINVAL)
		return gs_diag_set(d, GS_EINVAL, "the value of '%s' must be one line without control characters "
				   "and without leading or trailing spaces", b->bad_key);
	if (err == GS_ELIMIT)
		return gs_diag_set(d, GS_ELIMIT, "the text is longer than %u bytes", GS_MAX_NOTE_BYTES);
	return gs_diag_set(d, GS_ENOMEM, "out of memory");
}

int kv_instant(const char *s, gs_instant *out)
{
	char back[GS_INSTANT_STR];

	if (instant_parse(s, 0, out))
		return GS_EINVAL;
	instant_format(*out, back);
	return strcmp(back, s) ? GS_EINVAL : 0;
}

/* Where a line's key sits in the order: fields are 0..nf-1 at positions
 * 2*i+1, the list (if any) at position 2*after; -1 if unknown. */
static long key_position(const struct kv_field *f, size_t nf, const struct kv_list *l, const char *k,
			 size_t klen)
{
	if (l && strlen(l->key) == klen && !memcmp(l->key, k, klen))
		return 2 * (long)l->after;
	for (size_t i = 0; i < nf; i++)
		if (strlen(f[i].key) == klen && !memcmp(f[i].key, k, klen))
			return 2 * (long)i + 1;
	return -1;
}

/* The first required field (or list) strictly between positions from and to. */
static const char *missing_between(const struct kv_field *f, size_t nf, const struct kv_list *l,
				   long from, long to, bool list_seen)
{
	for (long pos = from + 1; pos < to; pos++) {
		if (pos % 2 == 0) {
			if (l && pos == 2 * (long)l->after && l->required && !list_seen)
				return l->key;
		} else if ((size_t)(pos / 2) < nf && f[pos / 2].required) {
			return f[pos / 2].key;
		}
	}
	return NULL;
}

int kv_parse_list(const char *text, size_t len, const char *magic, struct kv_field *f, size_t nf,
		  const struct kv_list *l, struct gs_diag *d)
{
	const char *p = text, *end = text + len;
	size_t mlen = strlen(magic), nl_count = 0;
	long last = -1; /* position of the last key read */
	int line = 1;
	const char *miss;

	for (size_t i = 0; i < nf; i++)
		f[i].val[0] = 0;
	if (l && l->count)
		*l->count = 0;
	if (len < mlen + 1 || memcmp(text, magic, mlen) || text[mlen] != '\n')
		return gs_diag_set(d, GS_EINVAL, "line 1: not a %s text", magic);
	p += mlen + 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t klen, vlen, cap;
		long pos;
		char *val;

		line++;
		if (!nl)
			return gs_diag_set(d, GS_EINVAL, "line %d: no line end", line);
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (!sp || sp == p)
			return gs_diag_set(d, GS_EINVAL, "line %d: expected 'key value'", line);
		klen = (size_t)(sp - p);
		vlen = (size_t)(nl - sp - 1);
		pos = key_position(f, nf, l, p, klen);
		/* each key after the last one; only the list's key may repeat */
		if (pos < 0 || pos < last || (pos == last && pos % 2 == 1))
			return gs_diag_set(d, GS_EINVAL, "line %d: unknown, repeated or misplaced key '%.*s'", line,
					   (int)(klen < 64 ? klen : 64), p);
		if ((miss = missing_between(f, nf, l, last, pos, nl_count > 0)))
			return gs_diag_set(d, GS_EINVAL, "line %d: '%s' is missing before '%.*s'", line, miss,
					   (int)(klen < 64 ? klen : 64), p);
		if (pos % 2 == 0) {
			if (nl_count >= l->max)
				return gs_diag_set(d, GS_EINVAL, "line %d: more than %zu '%s' lines", line, l->max,
						   l->key);
			val = l->vals + nl_count * l->cap;
			cap = l->cap;
		} else {
			val = f[pos / 2].val;
			cap = f[pos / 2].cap;
		}
		if (vlen == 0 || vlen >= cap)
			return gs_diag_set(d, GS_EINVAL, "line %d: the value of '%.*s' is %s", line,
					   (int)(klen < 64 ? klen : 64), p, vlen ? "too long" : "empty");
		memcpy(val, sp + 1, vlen);
		val[vlen] = 0;
		/* a NUL byte would cut the value short of what was signed */
		if (strlen(val) != vlen || !kv_value_ok(val))
			return gs_diag_set(d, GS_EINVAL, "line %d: bad value of '%.*s'", line,
					   (int)(klen < 64 ? klen : 64), p);
		if (pos % 2 == 0) {
			nl_count++;
			if (l->count)
				*l->count = nl_count;
		}
		last = pos;
		p = nl + 1;
	}
	if ((miss = missing_between(f, nf, l, last, 2 * (long)nf + 1, nl_count > 0)))
		return gs_diag_set(d, GS_EINVAL, "line %d: '%s' is missing", line, miss);
	return 0;
}

int kv_parse(const char *text, size_t len, const char *magic, struct kv_field *f, size_t nf,
	     struct gs_diag *d)
{
	return kv_parse_list(text, len, magic, f, nf, NULL, d);
}
