/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The text of a diplomatic note (docs/notes.md): one "key value" per
 * line, keys in a fixed order, LF endings, UTF-8 without control
 * characters. The parser is strict so that a note has exactly one
 * spelling: the signed bytes are the canonical form.
 */
#include "core/lifecycle.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/utf8.h"
#include "util/banned.h"

#define NOTE_MAGIC "gsomia-note/v1"
#define MAX_VERSION 1000000
/* Instants outside this range are refused, so that writing one in any
 * zone (|offset| <= 18:00) stays within the years 1..9999. */
#define MIN_INSTANT (-2208988800LL)  /* 1900-01-01T00:00:00Z */
#define MAX_INSTANT (221845392000LL) /* 9000-01-01T00:00:00Z */
#define QUOTE_MAX 40                 /* bytes of a bad value quoted in a message */

static const char *const kind_names[] = {
	[DIPNOTE_DOMESTIC_COMPLETE] = "domestic-procedures-complete",
	[DIPNOTE_TERMINATION] = "termination-notice",
	[DIPNOTE_SUSPENSION] = "suspension",
	[DIPNOTE_WITHDRAWAL] = "withdrawal",
	[DIPNOTE_AMENDMENT_CONSENT] = "amendment-consent",
	[DIPNOTE_ACCESSION] = "accession",
	[DIPNOTE_ACCESSION_ACCEPTANCE] = "accession-acceptance",
};

static const char *const withdraw_names[] = {
	[WITHDRAW_NOTICE] = "notice",
	[WITHDRAW_SUSPENSION] = "suspension",
	[WITHDRAW_BOTH] = "both",
};

const char *dipnote_kind_name(enum dipnote_kind k)
{
	if ((unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[k];
	return "unknown";
}

/* Keys in their required order. */
enum key {
	K_AGREEMENT,
	K_KIND,
	K_FROM,
	K_TO,
	K_DELIVERED,
	K_WITHDRAWS,
	K_TERMINATE_AT,
	K_VERSION,
	K_EFFECTIVE,
	K_ACCEDING,
	K_EXERCISE,
	K_TEXT,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"agreement", "kind", "from", "to", "delivered", "withdraws",
	"terminate-at", "version", "effective", "acceding", "exercise", "text",
};

/* Length of the character at s (at most n bytes), or 0 if it is not
 * well-formed UTF-8 (util/utf8.h) or is a C0/C1 control character other
 * than LF, or DEL. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	if (len == 0 || (cp < 0x20 && cp != '\n') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* Quotes at most QUOTE_MAX bytes of a value (already valid UTF-8 without
 * controls), cut at a character boundary, with "..." if cut. */
static void quote(char out[QUOTE_MAX + 4], const char *v, size_t n)
{
	size_t k = utf8_cut(v, n, QUOTE_MAX);

	memcpy(out, v, k);
	if (k < n) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

/* Checks the byte-level rules over the whole text, so that the line
 * parser only sees short, clean lines. */
static int check_bytes(const char *text, size_t len, struct gs_diag *d)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, line = 1, col = 1, n;

	if (len == 0)
		return gs_diag_set(d, GS_EINVAL, "1:1: empty note");
	if (len > GS_MAX_NOTE_BYTES)
		return gs_diag_set(d, GS_ELIMIT, "1:1: note longer than %d bytes",
				   GS_MAX_NOTE_BYTES);
	while (i < len) {
		if (s[i] == '\n') {
			if (col == 1)
				return gs_diag_set(d, GS_EINVAL, "%zu:1: empty line", line);
			line++;
			col = 1;
			i++;
			continue;
		}
		if (s[i] == '\r')
			return gs_diag_set(d, GS_EINVAL,
					   "%zu:%zu: carriage return (lines end with LF only)",
					   line, col);
		n = utf8_char(s + i, len - i);
		if (n == 0) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return gs_diag_set(d, GS_EINVAL, "%zu:%zu: control character 0x%02x",
						   line, col, s[i]);
			return gs_diag_set(d, GS_EINVAL, "%zu:%zu: invalid UTF-8", line, col);
		}
		if (col + n > GS_MAX_LINE)
			return gs_diag_set(d, GS_ELIMIT, "%zu:%zu: line longer than %d bytes",
					   line, col, GS_MAX_LINE - 1);
		i += n;
		col += n;
	}
	if (col != 1)
		return gs_diag_set(d, GS_EINVAL, "%zu:%zu: missing newline at end of note",
				   line, col);
	return 0;
}

static bool is_id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static bool is_code_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Copies a value of n bytes into a field of cap bytes (NUL included). */
static bool copy_field(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return true;
}

/* An RFC 3339 instant with seconds and an explicit offset, no fraction:
 * "2019-08-23T15:00:00+09:00" or "2019-08-23T06:00:00Z". Also returns
 * the offset written. */
static bool parse_instant_value(const char *v, size_t n, gs_instant *t, int32_t *zone)
{
	char buf[32];

	if ((n != 20 || v[19] != 'Z') && (n != 25 || (v[19] != '+' && v[19] != '-')))
		return false;
	if (v[10] != 'T' || v[16] != ':')
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (instant_parse(buf, 0, t) || zone_parse(buf + 19, zone))
		return false;
	return *t >= MIN_INSTANT && *t < MAX_INSTANT;
}

struct line {
	size_t no;
	const char *key;
	size_t keylen;
	const char *val; /* after the single space */
	size_t vallen;
	size_t valcol;
};

static int key_lookup(const char *k, size_t n)
{
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (strlen(key_names[i]) == n && !memcmp(key_names[i], k, n))
			return i;
	return -1;
}

/* Whether key k is required / allowed for a note of kind kind. */
static bool key_required(int k, enum dipnote_kind kind)
{
	switch (k) {
	case K_AGREEMENT:
	case K_KIND:
	case K_FROM:
	case K_DELIVERED:
		return true;
	case K_WITHDRAWS:
		return kind == DIPNOTE_WITHDRAWAL;
	case K_VERSION:
	case K_EFFECTIVE:
		return kind == DIPNOTE_AMENDMENT_CONSENT;
	case K_ACCEDING:
		return kind == DIPNOTE_ACCESSION_ACCEPTANCE;
	default:
		return false;
	}
}

static bool key_allowed(int k, enum dipnote_kind kind)
{
	switch (k) {
	case K_WITHDRAWS:
	case K_TERMINATE_AT:
		return kind == DIPNOTE_WITHDRAWAL;
	case K_VERSION:
	case K_EFFECTIVE:
		return kind == DIPNOTE_AMENDMENT_CONSENT;
	case K_ACCEDING:
		return kind == DIPNOTE_ACCESSION_ACCEPTANCE;
	default:
		return true;
	}
}

static int parse_value(struct line *l, int k, struct dipnote *n,
		       struct gs_diag *d)
{
	char q[QUOTE_MAX + 4];
	const char *v = l->val;
	size_t vn = l->vallen, i;
	gs_instant t;
	int32_t zone;

	quote(q, v, vn);
	switch (k) {
	case K_AGREEMENT:
		for (i = 0; i < vn; i++)
			if (!is_id_char(v[i]))
				return gs_diag_set(d, GS_EINVAL,
						   "%zu:%zu: invalid character in agreement id '%s'",
						   l->no, l->valcol + i, q);
		if (!copy_field(n->agreement, sizeof(n->agreement), v, vn))
			return gs_diag_set(d, GS_ELIMIT,
					   "%zu:%zu: agreement id '%s' longer than %d bytes",
					   l->no, l->valcol, q, GS_MAX_ID - 1);
		return 0;
	case K_KIND:
		for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
			if (strlen(kind_names[i]) == vn && !memcmp(kind_names[i], v, vn)) {
				n->kind = (enum dipnote_kind)i;
				return 0;
			}
		}
		return gs_diag_set(d, GS_EINVAL, "%zu:%zu: unknown note kind '%s'", l->no,
				   l->valcol, q);
	case K_FROM:
	case K_TO:
	case K_ACCEDING:
		for (i = 0; i < vn; i++)
			if (!is_code_char(v[i]))
				return gs_diag_set(d, GS_EINVAL,
						   "%zu:%zu: invalid party code '%s' (A-Z, 0-9)",
						   l->no, l->valcol, q);
		if (!copy_field(k == K_FROM ? n->from : k == K_TO ? n->to : n->acceding, GS_MAX_CODE,
				v, vn))
			return gs_diag_set(d, GS_ELIMIT,
					   "%zu:%zu: party code '%s' longer than %d bytes",
					   l->no, l->valcol, q, GS_MAX_CODE - 1);
		if (k == K_TO && !strcmp(n->to, n->from))
			return gs_diag_set(d, GS_EINVAL, "%zu:%zu: note from '%s' to itself",
					   l->no, l->valcol, n->from);
		if (k == K_ACCEDING && !strcmp(n->acceding, n->from))
			return gs_diag_set(d, GS_EINVAL, "%zu:%zu: '%s' cannot accept its own accession",
					   l->no, l->valcol, n->from);
		return 0;
	case K_DELIVERED:
	case K_TERMINATE_AT:
		if (!parse_instant_value(v, vn, &t, &zone))
			return gs_diag_set(d, GS_EINVAL,
					   "%zu:%zu: invalid instant '%s' (expected like "
					   "2019-08-23T15:00:00+09:00, years 1900-8999)",
					   l->no, l->valcol, q);
		if (k == K_DELIVERED) {
			n->delivered = t;
			n->zone = zone;
		} else {
			n->terminate_at = t;
		}
		return 0;
	case K_WITHDRAWS:
		for (i = 0; i < sizeof(withdraw_names) / sizeof(withdraw_names[0]); i++) {
			if (strlen(withdraw_names[i]) == vn && !memcmp(withdraw_names[i], v, vn)) {
				n->withdraws = (enum withdraw_what)i;
				return 0;
			}
		}
		return gs_diag_set(d, GS_EINVAL,
				   "%zu:%zu: unknown withdrawal '%s' (notice, suspension or both)",
				   l->no, l->valcol, q);
	case K_VERSION: {
		int ver = 0;

		if (vn > 7 || v[0] == '0')
			goto bad_version;
		for (i = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9')
				goto bad_version;
			ver = ver * 10 + (v[i] - '0');
		}
		if (ver > MAX_VERSION)
			goto bad_version;
		n->version = ver;
		return 0;
bad_version:
		return gs_diag_set(d, GS_EINVAL,
				   "%zu:%zu: invalid version '%s' (a number from 1 to %d)",
				   l->no, l->valcol, q, MAX_VERSION);
	}
	case K_EFFECTIVE: {
		char buf[GS_DATE_STR];

		if (vn != 10 || !copy_field(buf, sizeof(buf), v, vn) ||
		    date_parse(buf, &n->effective))
			return gs_diag_set(d, GS_EINVAL,
					   "%zu:%zu: invalid date '%s' (expected like 2024-01-01)",
					   l->no, l->valcol, q);
		return 0;
	}
	case K_EXERCISE:
		if (vn != 3 || memcmp(v, "yes", 3))
			return gs_diag_set(d, GS_EINVAL,
					   "%zu:%zu: invalid exercise '%s' (only 'yes'; omit the line otherwise)",
					   l->no, l->valcol, q);
		n->exercise = true;
		return 0;
	case K_TEXT:
		if (!copy_field(n->text, sizeof(n->text), v, vn))
			return gs_diag_set(d, GS_ELIMIT, "%zu:%zu: text longer than %d bytes",
					   l->no, l->valcol, GS_MAX_TITLE - 1);
		return 0;
	}
	return gs_diag_set(d, GS_EINVAL, "%zu:1: unknown key", l->no);
}

int dipnote_parse(const char *text, size_t len, struct dipnote *out, struct gs_diag *d)
{
	struct dipnote n;
	struct line l;
	const char *p, *end, *eol, *sp;
	int ret, next = 0, k, m;
	bool kind_known = false;
	char q[QUOTE_MAX + 4];

	if (!text || !out)
		return gs_diag_set(d, GS_EINVAL, "1:1: no note");
	ret = check_bytes(text, len, d);
	if (ret)
		return ret;

	memset(&n, 0, sizeof(n));
	n.delivered = GS_INSTANT_NONE;
	n.terminate_at = GS_INSTANT_NONE;
	p = text;
	end = text + len;
	eol = memchr(p, '\n', (size_t)(end - p));
	if ((size_t)(eol - p) != strlen(NOTE_MAGIC) || memcmp(p, NOTE_MAGIC, strlen(NOTE_MAGIC)))
		return gs_diag_set(d, GS_EINVAL, "1:1: not a diplomatic note (expected '%s')",
				   NOTE_MAGIC);
	p = eol + 1;
	l.no = 1;
	while (p < end) {
		l.no++;
		eol = memchr(p, '\n', (size_t)(end - p));
		l.key = p;
		sp = memchr(p, ' ', (size_t)(eol - p));
		l.keylen = (size_t)((sp ? sp : eol) - p);
		k = key_lookup(l.key, l.keylen);
		if (k < 0) {
			quote(q, l.key, l.keylen);
			return gs_diag_set(d, GS_EINVAL, "%zu:1: unknown key '%s'", l.no, q);
		}
		if (k < next)
			return gs_diag_set(d, GS_EINVAL, "%zu:1: '%s' repeated or out of order",
					   l.no, key_names[k]);
		/* Required keys skipped over. K_KIND is always before any
		 * kind-dependent key, so n.kind is known when it matters. */
		for (m = next; m < k; m++)
			if (key_required(m, n.kind) && (kind_known || m <= K_KIND))
				return gs_diag_set(d, GS_EINVAL, "%zu:1: expected '%s', found '%s'",
						   l.no, key_names[m], key_names[k]);
		if (!key_allowed(k, n.kind))
			return gs_diag_set(d, GS_EINVAL, "%zu:1: '%s' is not allowed in %s %s note",
					   l.no, key_names[k], kind_names[n.kind][0] == 'a' ? "an" : "a",
					   kind_names[n.kind]);
		if (!sp || sp + 1 == eol)
			return gs_diag_set(d, GS_EINVAL, "%zu:%zu: missing value for '%s'", l.no,
					   l.keylen + 1 + (sp != NULL), key_names[k]);
		l.val = sp + 1;
		l.vallen = (size_t)(eol - l.val);
		l.valcol = l.keylen + 2;
		if (l.val[0] == ' ' || l.val[l.vallen - 1] == ' ')
			return gs_diag_set(d, GS_EINVAL, "%zu:%zu: extra space around the value of '%s'",
					   l.no, l.val[0] == ' ' ? l.valcol : l.valcol + l.vallen - 1,
					   key_names[k]);
		ret = parse_value(&l, k, &n, d);
		if (ret)
			return ret;
		if (k == K_KIND)
			kind_known = true;
		next = k + 1;
		p = eol + 1;
	}
	for (m = next; m < K_COUNT; m++)
		if (key_required(m, n.kind) && (kind_known || m <= K_KIND))
			return gs_diag_set(d, GS_EINVAL, "%zu:1: missing '%s'", l.no + 1,
					   key_names[m]);
	if (n.terminate_at != GS_INSTANT_NONE && n.withdraws != WITHDRAW_SUSPENSION)
		return gs_diag_set(d, GS_EINVAL,
				   "%zu:1: 'terminate-at' is only for the withdrawal of a suspension",
				   l.no);
	*out = n;
	return 0;
}

/* Appends to buf; tracks the length even past cap so the caller can
 * report GS_ELIMIT once. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, const char *key, const char *val)
{
	size_t kn = strlen(key), vn = strlen(val), need = kn + 1 + vn + 1;

	if (o->len + need < o->cap) {
		memcpy(o->buf + o->len, key, kn);
		o->buf[o->len + kn] = ' ';
		memcpy(o->buf + o->len + kn + 1, val, vn);
		o->buf[o->len + need - 1] = '\n';
		o->buf[o->len + need] = '\0';
	}
	o->len += need;
}

int dipnote_format(const struct dipnote *n, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	char t[GS_INSTANT_STR], num[16];
	struct dipnote back;

	if (!n || !buf || (unsigned)n->kind >= sizeof(kind_names) / sizeof(kind_names[0]) ||
	    !n->agreement[0] || !n->from[0] || n->delivered == GS_INSTANT_NONE)
		return GS_EINVAL;
	if (n->kind == DIPNOTE_WITHDRAWAL &&
	    (unsigned)n->withdraws >= sizeof(withdraw_names) / sizeof(withdraw_names[0]))
		return GS_EINVAL;
	if (cap == 0)
		return GS_ELIMIT;
	buf[0] = '\0';
	if (strlen(NOTE_MAGIC) + 1 < cap) {
		memcpy(buf, NOTE_MAGIC "\n", strlen(NOTE_MAGIC) + 2);
	}
	o.len = strlen(NOTE_MAGIC) + 1;
	put(&o, "agreement", n->agreement);
	put(&o, "kind", kind_names[n->kind]);
	put(&o, "from", n->from);
	if (n->to[0])
		put(&o, "to", n->to);
	instant_format_local(n->delivered, n->zone, t);
	put(&o, "delivered", t);
	if (n->kind == DIPNOTE_WITHDRAWAL) {
		put(&o, "withdraws", withdraw_names[n->withdraws]);
		if (n->terminate_at != GS_INSTANT_NONE) {
			instant_format_local(n->terminate_at, n->zone, t);
			put(&o, "terminate-at", t);
		}
	}
	if (n->kind == DIPNOTE_AMENDMENT_CONSENT) {
		snprintf(num, sizeof(num), "%d", n->version);
		put(&o, "version", num);
		date_format(n->effective, t);
		put(&o, "effective", t);
	}
	if (n->kind == DIPNOTE_ACCESSION_ACCEPTANCE)
		put(&o, "acceding", n->acceding);
	if (n->exercise)
		put(&o, "exercise", "yes");
	if (n->text[0])
		put(&o, "text", n->text);
	if (o.len >= cap || o.len > (size_t)GS_MAX_NOTE_BYTES) {
		buf[0] = '\0';
		return GS_ELIMIT;
	}
	/* Only text that parses back leaves here (a field with a newline, a
	 * bad code or a terminate-at without a reactivation does not). */
	if (dipnote_parse(buf, o.len, &back, NULL) != 0) {
		buf[0] = '\0';
		return GS_EINVAL;
	}
	return (int)o.len;
}

bool dipnote_equal(const struct dipnote *x, const struct dipnote *y)
{
	bool wd = x->kind == DIPNOTE_WITHDRAWAL, am = x->kind == DIPNOTE_AMENDMENT_CONSENT;
	bool ac = x->kind == DIPNOTE_ACCESSION_ACCEPTANCE;

	return !strcmp(x->id, y->id) && !strcmp(x->agreement, y->agreement) &&
	       x->kind == y->kind && !strcmp(x->from, y->from) && !strcmp(x->to, y->to) &&
	       x->delivered == y->delivered && x->zone == y->zone &&
	       (!wd || x->withdraws == y->withdraws) && x->terminate_at == y->terminate_at &&
	       (!am || (x->version == y->version && !date_cmp(x->effective, y->effective))) &&
	       (!ac || !strcmp(x->acceding, y->acceding)) &&
	       x->exercise == y->exercise && !strcmp(x->text, y->text);
}
