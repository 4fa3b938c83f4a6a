/* SPDX-License-Identifier: Apache-2.0 */
#include "core/textfmt.h"

#include <stdint.h>
#include <string.h>

#include "util/limits.h"
#include "util/utf8.h"
#include "util/banned.h"

static bool is_bidi_control(uint32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
	       c == 0x200f || c == 0x061c;
}

int textfmt_open(struct textfmt *r, const char *text, size_t len, size_t max,
		 struct gs_diag *d)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, line_bytes = 0;
	int line = 1, col = 1;

	memset(r, 0, sizeof(*r));
	if (len > max)
		return gs_diag_set(d, GS_ELIMIT, "1:1: text too long (%zu bytes, at most %zu)",
				   len, max);
	if (len == 0)
		return gs_diag_set(d, GS_EINVAL, "1:1: empty text");
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return gs_diag_set(d, GS_EINVAL, "1:1: byte order mark not allowed");
	while (i < len) {
		uint32_t cp;
		size_t n;

		if (s[i] == '\n') {
			if (line_bytes > GS_MAX_LINE)
				return gs_diag_set(d, GS_ELIMIT, "%d:1: line too long (%zu bytes, at most %d)",
						   line, line_bytes, GS_MAX_LINE);
			line++;
			col = 1;
			line_bytes = 0;
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return gs_diag_set(d, GS_EINVAL, "%d:%d: invalid UTF-8", line, col);
		if (cp == '\r')
			return gs_diag_set(d, GS_EINVAL, "%d:%d: carriage return (lines end with LF only)",
					   line, col);
		if (cp == '\t')
			return gs_diag_set(d, GS_EINVAL, "%d:%d: tab character (use spaces)", line, col);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			return gs_diag_set(d, GS_EINVAL, "%d:%d: control character U+%04X", line, col,
					   (unsigned)cp);
		if (cp == 0xfeff)
			return gs_diag_set(d, GS_EINVAL, "%d:%d: byte order mark not allowed", line, col);
		if (is_bidi_control(cp))
			return gs_diag_set(d, GS_EINVAL,
					   "%d:%d: bidirectional control character U+%04X not allowed",
					   line, col, (unsigned)cp);
		i += n;
		line_bytes += n;
		col++;
	}
	if (line_bytes > GS_MAX_LINE)
		return gs_diag_set(d, GS_ELIMIT, "%d:1: line too long (%zu bytes, at most %d)", line,
				   line_bytes, GS_MAX_LINE);
	if (s[len - 1] != '\n')
		return gs_diag_set(d, GS_EINVAL, "%d:%d: missing newline at end of text", line, col);
	r->text = text;
	r->end = text + len;
	r->pos = text;
	r->line = 0;
	return 0;
}

bool textfmt_next(struct textfmt *r, struct textfmt_line *l)
{
	while (r->pos && r->pos < r->end) {
		const char *start = r->pos;
		const char *nl = memchr(start, '\n', (size_t)(r->end - start));
		const char *stop, *p;
		struct span body;

		if (!nl)
			nl = r->end;
		r->pos = nl < r->end ? nl + 1 : r->end;
		r->line++;
		stop = nl;
		for (p = start; p < nl; p++) {
			if (*p == '#' && (p == start || p[-1] == ' ')) {
				stop = p;
				break;
			}
		}
		body = span_trim((struct span){ start, (size_t)(stop - start) });
		if (body.n == 0)
			continue;
		l->no = r->line;
		l->start = start;
		l->body = body;
		return true;
	}
	return false;
}

int textfmt_col(const struct textfmt_line *l, const char *p)
{
	const char *q;
	int col = 1;

	for (q = l->start; q < p; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			col++;
	return col;
}

struct span span_trim(struct span s)
{
	while (s.n > 0 && s.p[0] == ' ') {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && s.p[s.n - 1] == ' ')
		s.n--;
	return s;
}

bool span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

long span_find(struct span s, char c)
{
	const char *q = s.n ? memchr(s.p, c, s.n) : NULL;

	return q ? (long)(q - s.p) : -1;
}

bool span_copy(struct span s, char *buf, size_t cap)
{
	if (s.n >= cap)
		return false;
	if (s.n)
		memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return true;
}

bool textfmt_key_value(const struct textfmt_line *l, struct span *key, struct span *value,
		       struct gs_diag *d)
{
	struct span b = l->body;
	size_t i;

	for (i = 0; i < b.n; i++) {
		char c = b.p[i];

		if (c == ':')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
			gs_diag_set(d, GS_EINVAL, "%d:%d: expected 'key: value'", l->no,
				    textfmt_col(l, b.p));
			return false;
		}
	}
	if (i == 0 || i == b.n) {
		gs_diag_set(d, GS_EINVAL, "%d:%d: expected 'key: value'", l->no,
			    textfmt_col(l, b.p));
		return false;
	}
	key->p = b.p;
	key->n = i;
	if (i + 1 >= b.n || b.p[i + 1] != ' ') {
		gs_diag_set(d, GS_EINVAL, "%d:%d: key '%.*s' needs ': ' and a value", l->no,
			    textfmt_col(l, b.p + i), (int)i, b.p);
		return false;
	}
	*value = span_trim((struct span){ b.p + i + 1, b.n - i - 1 });
	return true;
}

bool span_uint(struct span s, long max, long *out)
{
	long v = 0;
	size_t i;

	if (s.n == 0 || s.n > 9 || (s.n > 1 && s.p[0] == '0'))
		return false;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (s.p[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}
