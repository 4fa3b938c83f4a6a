/* SPDX-License-Identifier: Apache-2.0 */
#include "core/reclass.h"

#include <stdio.h>
#include <string.h>

#include "core/party.h"
#include "core/textfmt.h"
#include "util/encode.h"
#include "util/banned.h"

/* The largest text of either kind: a forward with its notice in base64. */
#define RECLASS_MAX_TEXT (B64_ENCODED_SIZE(RECLASSIFY_MAX_NOTICE) + 2048)

/* One "key value" line, in order. */
struct reader {
	const char *p, *end;
	int line;
	struct gs_diag *d;
};

/* Reads the next line, which must be "key VALUE": value and its length
 * out. A value is not empty and neither starts nor ends with a space;
 * the lexical rules (UTF-8, no control characters) were checked over the
 * whole text by textfmt_open(). */
static int field(struct reader *r, const char *key, const char **value, size_t *vlen)
{
	const char *nl;
	size_t klen = strlen(key);

	r->line++;
	nl = r->p < r->end ? memchr(r->p, '\n', (size_t)(r->end - r->p)) : NULL;
	if (!nl || (size_t)(nl - r->p) < klen + 2 || memcmp(r->p, key, klen) || r->p[klen] != ' ')
		return gs_diag_set(r->d, GS_EINVAL, "%d:1: '%s VALUE' expected", r->line, key);
	*value = r->p + klen + 1;
	*vlen = (size_t)(nl - *value);
	if ((*value)[0] == ' ' || (*value)[*vlen - 1] == ' ')
		return gs_diag_set(r->d, GS_EINVAL, "%d:%zu: extra space around the value of '%s'", r->line,
				   klen + 2, key);
	r->p = nl + 1;
	return 0;
}

static int copy_field(struct reader *r, const char *key, char *out, size_t cap)
{
	const char *v;
	size_t n;
	int ret;

	if ((ret = field(r, key, &v, &n)))
		return ret;
	if (n >= cap)
		return gs_diag_set(r->d, GS_ELIMIT, "%d:%zu: value of '%s' longer than %zu bytes", r->line,
				   strlen(key) + 2, key, cap - 1);
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* An id (item, agreement): printable ASCII without spaces. */
static int id_field(struct reader *r, const char *key, char *out, size_t cap)
{
	int ret = copy_field(r, key, out, cap);

	for (size_t i = 0; !ret && out[i]; i++)
		if (out[i] <= ' ' || out[i] > '~')
			ret = gs_diag_set(r->d, GS_EINVAL, "%d:%zu: invalid character in %s '%.40s'", r->line,
					  strlen(key) + 2 + i, key, out);
	return ret;
}

static int code_field(struct reader *r, const char *key, char *out, size_t cap)
{
	int ret = copy_field(r, key, out, cap);

	if (!ret && !party_code_is_valid(out))
		ret = gs_diag_set(r->d, GS_EINVAL, "%d:%zu: invalid party code '%.40s'", r->line,
				  strlen(key) + 2, out);
	return ret;
}

/* An instant in its one spelling: canonical UTC. */
static int instant_field(struct reader *r, const char *key, gs_instant *out)
{
	char s[GS_INSTANT_STR + 8], back[GS_INSTANT_STR];
	int ret = copy_field(r, key, s, sizeof(s));

	if (ret)
		return ret;
	if (instant_parse(s, 0, out) || (instant_format(*out, back), strcmp(back, s)))
		return gs_diag_set(r->d, GS_EINVAL, "%d:%zu: invalid instant '%.40s' (expected like "
				   "2023-06-01T00:00:00Z)", r->line, strlen(key) + 2, s);
	return 0;
}

static int begin(struct reader *r, const char *text, size_t len, const char *magic, const char *what,
		 struct gs_diag *d)
{
	struct textfmt t;
	size_t mlen = strlen(magic);
	int ret;

	r->p = text;
	r->end = text + len;
	r->line = 1;
	r->d = d;
	if ((ret = textfmt_open(&t, text, len, RECLASS_MAX_TEXT, d)))
		return ret;
	if (len < mlen || memcmp(text, magic, mlen))
		return gs_diag_set(d, GS_EINVAL, "1:1: not a %s (expected '%.*s')", what, (int)mlen - 1, magic);
	r->p += mlen;
	return 0;
}

static int finish(const struct reader *r)
{
	if (r->p != r->end)
		return gs_diag_set(r->d, GS_EINVAL, "%d:1: unexpected line after the last field", r->line + 1);
	return 0;
}

int reclassify_notice_parse(const char *text, size_t len, struct reclassify_notice *n,
			    struct gs_diag *d)
{
	struct reader r;
	int ret;

	memset(n, 0, sizeof(*n));
	if ((ret = begin(&r, text, len, RECLASSIFY_MAGIC, "reclassification notice", d)) ||
	    (ret = id_field(&r, "item", n->item, sizeof(n->item))) ||
	    (ret = code_field(&r, "originator", n->originator, sizeof(n->originator))) ||
	    (ret = id_field(&r, "agreement", n->agreement, sizeof(n->agreement))) ||
	    (ret = copy_field(&r, "previous", n->previous, sizeof(n->previous))) ||
	    (ret = copy_field(&r, "label", n->label, sizeof(n->label))) ||
	    (ret = instant_field(&r, "instant", &n->instant)) || (ret = finish(&r)))
		memset(n, 0, sizeof(*n));
	return ret;
}

int reclassify_notice_format(const struct reclassify_notice *n, char *buf, size_t cap)
{
	char when[GS_INSTANT_STR];
	int k;

	if (!n || !buf || !n->item[0] || !party_code_is_valid(n->originator) || !n->agreement[0] ||
	    !n->previous[0] || !n->label[0] || strchr(n->previous, '\n') || strchr(n->label, '\n'))
		return GS_EINVAL;
	instant_format(n->instant, when);
	k = snprintf(buf, cap, RECLASSIFY_MAGIC "item %s\noriginator %s\nagreement %s\nprevious %s\nlabel %s\n"
		     "instant %s\n", n->item, n->originator, n->agreement, n->previous, n->label, when);
	if (k < 0 || (size_t)k >= cap)
		return GS_ELIMIT;
	return k;
}

int reclassify_is_forward(const char *text, size_t len)
{
	size_t mlen = strlen(RECLASSIFY_FORWARD_MAGIC);

	return len >= mlen && !memcmp(text, RECLASSIFY_FORWARD_MAGIC, mlen);
}

int reclassify_forward_parse(const char *text, size_t len, struct reclassify_forward *f,
			     struct gs_diag *d)
{
	struct reader r;
	const char *v;
	size_t n;
	char hex[70];
	int ret;

	memset(f, 0, sizeof(*f));
	if ((ret = begin(&r, text, len, RECLASSIFY_FORWARD_MAGIC, "reclassification forward", d)) ||
	    (ret = copy_field(&r, "notice", hex, sizeof(hex))))
		goto out;
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64 ||
	    hex_decode(hex, 64, f->notice_sha256, sizeof(f->notice_sha256), &n) || n != 32) {
		ret = gs_diag_set(d, GS_EINVAL, "%d:8: 'notice' is 64 lowercase hex digits", r.line);
		goto out;
	}
	if ((ret = id_field(&r, "item", f->item, sizeof(f->item))) ||
	    (ret = code_field(&r, "from", f->from, sizeof(f->from))) ||
	    (ret = code_field(&r, "to", f->to, sizeof(f->to))) ||
	    (ret = id_field(&r, "agreement", f->agreement, sizeof(f->agreement))) ||
	    (ret = copy_field(&r, "label", f->label, sizeof(f->label))) ||
	    (ret = instant_field(&r, "instant", &f->instant)) || (ret = field(&r, "notice-file", &v, &n)))
		goto out;
	if (!strcmp(f->from, f->to)) {
		ret = gs_diag_set(d, GS_EINVAL, "5:4: forward from '%s' to itself", f->from);
		goto out;
	}
	ret = b64_decode(v, n, f->notice, sizeof(f->notice), &f->notice_len);
	if (ret == GS_ELIMIT)
		ret = gs_diag_set(d, GS_ELIMIT, "%d:13: the notice carried is longer than %d bytes", r.line,
				  RECLASSIFY_MAX_NOTICE);
	else if (ret || !f->notice_len)
		ret = gs_diag_set(d, GS_EINVAL, "%d:13: 'notice-file' is not canonical base64", r.line);
	if (!ret)
		ret = finish(&r);
out:
	if (ret)
		memset(f, 0, sizeof(*f));
	return ret;
}

int reclassify_forward_format(const struct reclassify_forward *f, char *buf, size_t cap)
{
	char when[GS_INSTANT_STR], hex[65], b64[B64_ENCODED_SIZE(RECLASSIFY_MAX_NOTICE)];
	int k;

	if (!f || !buf || !f->item[0] || !party_code_is_valid(f->from) || !party_code_is_valid(f->to) ||
	    !strcmp(f->from, f->to) || !f->agreement[0] || !f->label[0] || strchr(f->label, '\n') ||
	    !f->notice_len || f->notice_len > RECLASSIFY_MAX_NOTICE)
		return GS_EINVAL;
	instant_format(f->instant, when);
	hex_encode(f->notice_sha256, 32, hex, sizeof(hex));
	if (b64_encode(f->notice, f->notice_len, b64, sizeof(b64)) < 0)
		return GS_EINVAL;
	k = snprintf(buf, cap, RECLASSIFY_FORWARD_MAGIC "notice %s\nitem %s\nfrom %s\nto %s\nagreement %s\n"
		     "label %s\ninstant %s\nnotice-file %s\n", hex, f->item, f->from, f->to, f->agreement,
		     f->label, when, b64);
	if (k < 0 || (size_t)k >= cap)
		return GS_ELIMIT;
	return k;
}
