/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/party.h"
#include "crypto/note.h"
#include "util/progress.h"
#include "util/encode.h"
#include "util/banned.h"

/* The first line, the largest manifest and the largest age header: what
 * every reader loads before it looks at the payload. */
#define FIRST_LINE_MAX 32
#define HEAD_MAX (FIRST_LINE_MAX + GS_BUNDLE_MAX_MANIFEST + GS_AGE_MAX_HEADER)
#define INNER_PREFIX 20 /* magic with its NUL (16) + u32 length */
#define INNER_MAX (INNER_PREFIX + GS_BUNDLE_MAX_INNER + 64)

static const char *const forms[] = {
	"oral", "visual", "electronic", "magnetic", "document", "equipment", "technology",
};

/* ---- field checks ------------------------------------------------------ */

/* Printable ASCII without spaces, 1..cap-1 bytes. */
static int is_token(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == 0 || n >= cap)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Length of one valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c < 0xa0))
		return 0;
	return n;
}

/* UTF-8 text on one line: no control characters, no leading or trailing
 * space, 1..cap-1 bytes; `comma` 0 forbids ','. */
static int is_text(const char *s, size_t cap, int comma)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, cap), l;

	if (n == 0 || n >= cap || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	while (*p) {
		if (*p < 0x20 || *p == 0x7f || (!comma && *p == ','))
			return 0;
		l = utf8_len(p);
		if (l == 0)
			return 0;
		p += l;
	}
	return 1;
}

bool bundle_name_is_valid(const char *s)
{
	size_t n = strnlen(s, BUNDLE_NAME_MAX);

	if (n >= BUNDLE_NAME_MAX || !is_text(s, BUNDLE_NAME_MAX, 1) || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return !strchr(s, '/') && !strchr(s, '\\');
}

/* One to GS_MAX_MARK_LABELS labels separated by ',' (no spaces around). */
static int is_banner_list(const char *s)
{
	char label[GS_MAX_LABEL];
	const char *p = s, *comma;
	size_t n, count = 0;

	if (strnlen(s, GS_BUNDLE_MAX_BANNER) >= GS_BUNDLE_MAX_BANNER)
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof(label) || ++count > GS_MAX_MARK_LABELS)
			return 0;
		memcpy(label, p, n);
		label[n] = '\0';
		if (!is_text(label, sizeof(label), 0))
			return 0;
		if (!comma)
			return 1;
		p = comma + 1;
	}
}

static int is_lower_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max || n % 2)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int is_form(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!strcmp(s, forms[i]))
			return 1;
	return 0;
}

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static int manifest_check(const struct bundle_manifest *m, struct gs_diag *d)
{
	char when[GS_INSTANT_STR];
	gs_instant t;

	if (!TERMINATED(m->bundle_id) || !is_lower_hex(m->bundle_id, 32, 32))
		return gs_diag_set(d, GS_EINVAL, "bundle: id must be 32 lowercase hex digits");
	if (!TERMINATED(m->item) || !is_token(m->item, sizeof(m->item)))
		return gs_diag_set(d, GS_EINVAL, "item: must be 1 to %zu printable characters, no spaces",
				   sizeof(m->item) - 1);
	if (!TERMINATED(m->originator) || !party_code_is_valid(m->originator))
		return gs_diag_set(d, GS_EINVAL, "originator: not a party code (three letters A-Z)");
	if (!TERMINATED(m->sender) || !party_code_is_valid(m->sender))
		return gs_diag_set(d, GS_EINVAL, "sender: not a party code (three letters A-Z)");
	if (!TERMINATED(m->recipient) || !party_code_is_valid(m->recipient))
		return gs_diag_set(d, GS_EINVAL, "recipient: not a party code (three letters A-Z)");
	/* sender == recipient only for a holder's own sealed object of another
	 * party's information (a translation it made, Art 15): never for a
	 * release, which the originator or a hub makes to another party. */
	if (!strcmp(m->sender, m->recipient) && !strcmp(m->sender, m->originator))
		return gs_diag_set(d, GS_EINVAL, "recipient: must differ from the sender");
	if (!TERMINATED(m->agreement) || !is_token(m->agreement, sizeof(m->agreement)))
		return gs_diag_set(d, GS_EINVAL, "agreement: must be 1 to %zu printable characters, no spaces",
				   sizeof(m->agreement) - 1);
	if (!TERMINATED(m->purpose) || !is_token(m->purpose, sizeof(m->purpose)))
		return gs_diag_set(d, GS_EINVAL, "purpose: must be printable characters, no spaces");
	if (!TERMINATED(m->topic) || !is_token(m->topic, sizeof(m->topic)))
		return gs_diag_set(d, GS_EINVAL, "topic: must be printable characters, no spaces");
	if (!TERMINATED(m->form) || !is_form(m->form))
		return gs_diag_set(d, GS_EINVAL, "form: unknown form '%.*s'",
				   (int)strnlen(m->form, sizeof(m->form)), m->form);
	if (!TERMINATED(m->title) || (m->title[0] && !is_text(m->title, sizeof(m->title), 1)))
		return gs_diag_set(d, GS_EINVAL, "title: must be one line of UTF-8 text");
	if (!TERMINATED(m->name) || (m->name[0] && !bundle_name_is_valid(m->name)))
		return gs_diag_set(d, GS_EINVAL, "name: must be a file name (one line of UTF-8, no '/' or '\\', not '.' or '..')");
	if (!TERMINATED(m->banner_originator) ||
	    !is_text(m->banner_originator, sizeof(m->banner_originator), 0))
		return gs_diag_set(d, GS_EINVAL, "banner-originator: must be one label (UTF-8, no comma)");
	if (!TERMINATED(m->banner_recipient) || !is_banner_list(m->banner_recipient))
		return gs_diag_set(d, GS_EINVAL,
				   "banner-recipient: must be 1 to %d labels separated by ','",
				   GS_MAX_MARK_LABELS);
	if (m->created == GS_INSTANT_NONE)
		return gs_diag_set(d, GS_EINVAL, "created: missing");
	instant_format(m->created, when);
	if (instant_parse(when, 0, &t) != 0 || t != m->created)
		return gs_diag_set(d, GS_EINVAL, "created: out of range");
	if (!TERMINATED(m->consent) || (m->consent[0] && !is_lower_hex(m->consent, 8, 64)))
		return gs_diag_set(d, GS_EINVAL, "consent: must be 8 to 64 lowercase hex digits");
	return 0;
}

/* ---- text building ----------------------------------------------------- */

struct tb {
	char *p;
	size_t cap, len;
	int over;
};

static void tb_add(struct tb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_add(struct tb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->over = 1;
	else
		b->len += (size_t)n;
}

int bundle_manifest_format(const struct bundle_manifest *m, char *buf,
			   size_t cap, struct gs_diag *d)
{
	char when[GS_INSTANT_STR], sha[65];
	struct tb b = { buf, cap, 0, 0 };
	int ret;

	if ((ret = manifest_check(m, d)) != 0)
		return ret;
	if (cap == 0)
		return GS_ELIMIT;
	instant_format(m->created, when);
	hex_encode(m->payload_sha256, 32, sha, sizeof(sha));
	tb_add(&b, "%s\n", BUNDLE_MAGIC);
	tb_add(&b, "bundle %s\n", m->bundle_id);
	tb_add(&b, "item %s\n", m->item);
	tb_add(&b, "originator %s\n", m->originator);
	tb_add(&b, "sender %s\n", m->sender);
	tb_add(&b, "recipient %s\n", m->recipient);
	tb_add(&b, "agreement %s\n", m->agreement);
	tb_add(&b, "agreement-version %" PRIu32 "\n", m->agreement_version);
	tb_add(&b, "purpose %s\n", m->purpose);
	tb_add(&b, "topic %s\n", m->topic);
	tb_add(&b, "form %s\n", m->form);
	if (m->title[0])
		tb_add(&b, "title %s\n", m->title);
	if (m->name[0])
		tb_add(&b, "name %s\n", m->name);
	tb_add(&b, "banner-originator %s\n", m->banner_originator);
	tb_add(&b, "banner-recipient %s\n", m->banner_recipient);
	tb_add(&b, "created %s\n", when);
	tb_add(&b, "exercise %s\n", m->exercise ? "yes" : "no");
	if (m->consent[0])
		tb_add(&b, "consent %s\n", m->consent);
	tb_add(&b, "payload-sha256 %s\n", sha);
	tb_add(&b, "payload-size %" PRIu64 "\n", m->payload_size);
	if (b.over)
		return gs_diag_set(d, GS_ELIMIT, "manifest does not fit in %zu bytes", cap);
	return (int)b.len;
}

/* ---- parsing ----------------------------------------------------------- */

enum ftype { F_TEXT, F_U32, F_U64, F_INSTANT, F_YESNO, F_SHA };

struct field {
	const char *key;
	int optional;
	enum ftype type;
	size_t off, size;
};

#define FLD(k, opt, t, member) \
	{ k, opt, t, offsetof(struct bundle_manifest, member), \
	  sizeof(((struct bundle_manifest *)0)->member) }

static const struct field fields[] = {
	FLD("bundle", 0, F_TEXT, bundle_id),
	FLD("item", 0, F_TEXT, item),
	FLD("originator", 0, F_TEXT, originator),
	FLD("sender", 0, F_TEXT, sender),
	FLD("recipient", 0, F_TEXT, recipient),
	FLD("agreement", 0, F_TEXT, agreement),
	FLD("agreement-version", 0, F_U32, agreement_version),
	FLD("purpose", 0, F_TEXT, purpose),
	FLD("topic", 0, F_TEXT, topic),
	FLD("form", 0, F_TEXT, form),
	FLD("title", 1, F_TEXT, title),
	FLD("name", 1, F_TEXT, name),
	FLD("banner-originator", 0, F_TEXT, banner_originator),
	FLD("banner-recipient", 0, F_TEXT, banner_recipient),
	FLD("created", 0, F_INSTANT, created),
	FLD("exercise", 0, F_YESNO, exercise),
	FLD("consent", 1, F_TEXT, consent),
	FLD("payload-sha256", 0, F_SHA, payload_sha256),
	FLD("payload-size", 0, F_U64, payload_size),
};

/* Canonical decimal: no sign, no leading zero, at most max. */
static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return GS_EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return GS_EINVAL;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return GS_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int set_field(const struct field *f, const char *v, size_t n,
		     struct bundle_manifest *m)
{
	char *dst = (char *)m + f->off;
	char tmp[GS_INSTANT_STR];
	uint64_t u;
	size_t got;

	switch (f->type) {
	case F_TEXT:
		if (n >= f->size || memchr(v, '\0', n))
			return GS_EINVAL;
		memcpy(dst, v, n);
		dst[n] = '\0';
		return 0;
	case F_U32:
		if (parse_dec(v, n, UINT32_MAX, &u))
			return GS_EINVAL;
		m->agreement_version = (uint32_t)u;
		return 0;
	case F_U64:
		if (parse_dec(v, n, UINT64_MAX, &u))
			return GS_EINVAL;
		m->payload_size = u;
		return 0;
	case F_INSTANT:
		if (n >= sizeof(tmp))
			return GS_EINVAL;
		memcpy(tmp, v, n);
		tmp[n] = '\0';
		if (instant_parse(tmp, 0, &m->created))
			return GS_EINVAL;
		return 0;
	case F_YESNO:
		if (n == 3 && !memcmp(v, "yes", 3))
			m->exercise = true;
		else if (n == 2 && !memcmp(v, "no", 2))
			m->exercise = false;
		else
			return GS_EINVAL;
		return 0;
	case F_SHA:
		if (n != 64 || hex_decode(v, n, m->payload_sha256, 32, &got) || got != 32)
			return GS_EINVAL;
		return 0;
	}
	return GS_EINVAL;
}

int bundle_manifest_parse(const char *text, size_t len,
			  struct bundle_manifest *out, struct gs_diag *d)
{
	struct bundle_manifest m;
	char *again = NULL;
	const char *line, *nl, *sp;
	size_t pos = 0, lineno = 1, fi, ml = strlen(BUNDLE_MAGIC), klen;
	int ret = GS_EINVAL, n;

	memset(&m, 0, sizeof(m));
	m.created = GS_INSTANT_NONE;
	if (len > GS_BUNDLE_MAX_MANIFEST)
		return gs_diag_set(d, GS_ELIMIT, "manifest is longer than %d bytes",
				   GS_BUNDLE_MAX_MANIFEST);
	if (len < ml + 1 || memcmp(text, BUNDLE_MAGIC, ml) || text[ml] != '\n')
		return gs_diag_set(d, GS_EINVAL, "manifest line 1: expected '%s'", BUNDLE_MAGIC);
	pos = ml + 1;
	for (fi = 0; fi < sizeof(fields) / sizeof(fields[0]); fi++) {
		const struct field *f = &fields[fi];

		lineno++;
		line = text + pos;
		nl = pos < len ? memchr(line, '\n', len - pos) : NULL;
		if (!nl) {
			if (f->optional) {
				lineno--;
				continue;
			}
			return gs_diag_set(d, GS_EINVAL, "manifest line %zu: expected '%s'",
					   lineno, f->key);
		}
		sp = memchr(line, ' ', (size_t)(nl - line));
		klen = sp ? (size_t)(sp - line) : (size_t)(nl - line);
		if (klen != strlen(f->key) || memcmp(line, f->key, klen)) {
			if (f->optional) {
				lineno--;
				continue;
			}
			return gs_diag_set(d, GS_EINVAL, "manifest line %zu: expected '%s'",
					   lineno, f->key);
		}
		if (!sp || set_field(f, sp + 1, (size_t)(nl - sp - 1), &m))
			return gs_diag_set(d, GS_EINVAL, "manifest line %zu: bad value for '%s'",
					   lineno, f->key);
		pos = (size_t)(nl - text) + 1;
	}
	if (pos != len)
		return gs_diag_set(d, GS_EINVAL, "manifest line %zu: unexpected text after 'payload-size'",
				   lineno + 1);
	if ((ret = manifest_check(&m, d)) != 0) {
		gs_diag_prefix(d, "manifest");
		return ret;
	}
	/* strict: the text must be exactly what we would write */
	again = malloc(len + 1);
	if (!again)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	n = bundle_manifest_format(&m, again, len + 1, d);
	if (n < 0 || (size_t)n != len || memcmp(again, text, len)) {
		ret = gs_diag_set(d, GS_EINVAL, "manifest: not in canonical form");
		goto out;
	}
	*out = m;
	ret = 0;
out:
	free(again);
	return ret;
}

bool bundle_manifest_equal(const struct bundle_manifest *a,
			   const struct bundle_manifest *b)
{
	return !strcmp(a->bundle_id, b->bundle_id) && !strcmp(a->item, b->item) &&
	       !strcmp(a->originator, b->originator) && !strcmp(a->sender, b->sender) &&
	       !strcmp(a->recipient, b->recipient) && !strcmp(a->agreement, b->agreement) &&
	       a->agreement_version == b->agreement_version &&
	       !strcmp(a->purpose, b->purpose) && !strcmp(a->topic, b->topic) &&
	       !strcmp(a->form, b->form) && !strcmp(a->title, b->title) &&
	       !strcmp(a->name, b->name) &&
	       !strcmp(a->banner_originator, b->banner_originator) &&
	       !strcmp(a->banner_recipient, b->banner_recipient) &&
	       a->created == b->created && a->exercise == b->exercise &&
	       !strcmp(a->consent, b->consent) &&
	       !memcmp(a->payload_sha256, b->payload_sha256, 32) &&
	       a->payload_size == b->payload_size;
}

/* ---- inner header ------------------------------------------------------ */

static int inner_text(const struct bundle_manifest *m, const uint8_t box_pk[32],
		      char *buf, size_t cap)
{
	uint8_t h[32];
	char hx[65], when[GS_INSTANT_STR];
	struct tb b = { buf, cap, 0, 0 };

	crypto_hash_sha256(h, box_pk, 32);
	hex_encode(h, 32, hx, sizeof(hx));
	instant_format(m->created, when);
	tb_add(&b, "bundle %s\n", m->bundle_id);
	tb_add(&b, "item %s\n", m->item);
	tb_add(&b, "originator %s\n", m->originator);
	tb_add(&b, "sender %s\n", m->sender);
	tb_add(&b, "recipient %s %s\n", m->recipient, hx);
	tb_add(&b, "banner-originator %s\n", m->banner_originator);
	tb_add(&b, "created %s\n", when);
	return b.over ? GS_ELIMIT : (int)b.len;
}

/* magic\0 || u32 BE length || text || Ed25519(sk, domain\0 || text) */
static int inner_build(const struct bundle_manifest *m, const uint8_t box_pk[32],
		       const uint8_t sk[64], uint8_t *out, size_t *outlen)
{
	static const char dom[] = BUNDLE_INNER_SIG_DOMAIN;
	uint8_t msg[sizeof(dom) + GS_BUNDLE_MAX_INNER];
	int n;

	n = inner_text(m, box_pk, (char *)out + INNER_PREFIX, GS_BUNDLE_MAX_INNER + 1);
	if (n < 0)
		return n;
	memcpy(out, BUNDLE_INNER_MAGIC, sizeof(BUNDLE_INNER_MAGIC));
	out[16] = (uint8_t)(n >> 24);
	out[17] = (uint8_t)(n >> 16);
	out[18] = (uint8_t)(n >> 8);
	out[19] = (uint8_t)n;
	memcpy(msg, dom, sizeof(dom));
	memcpy(msg + sizeof(dom), out + INNER_PREFIX, (size_t)n);
	crypto_sign_detached(out + INNER_PREFIX + n, NULL, msg, sizeof(dom) + (size_t)n, sk);
	*outlen = INNER_PREFIX + (size_t)n + 64;
	return 0;
}

/* Checks a complete inner header against the manifest and keys. */
static int inner_check(const uint8_t *p, size_t n, const struct bundle_manifest *m,
		       const uint8_t sender_pk[32], const uint8_t box_pk[32],
		       struct gs_diag *d)
{
	static const char dom[] = BUNDLE_INNER_SIG_DOMAIN;
	uint8_t msg[sizeof(dom) + GS_BUNDLE_MAX_INNER];
	char want[GS_BUNDLE_MAX_INNER + 1];
	size_t tlen = n - INNER_PREFIX - 64;
	int wl;

	memcpy(msg, dom, sizeof(dom));
	memcpy(msg + sizeof(dom), p + INNER_PREFIX, tlen);
	if (crypto_sign_verify_detached(p + INNER_PREFIX + tlen, msg, sizeof(dom) + tlen,
					sender_pk) != 0)
		return gs_diag_set(d, GS_ECRYPTO, "inner header: bad signature by the sender");
	wl = inner_text(m, box_pk, want, sizeof(want));
	if (wl < 0 || (size_t)wl != tlen || memcmp(want, p + INNER_PREFIX, tlen))
		return gs_diag_set(d, GS_ECRYPTO,
				   "inner header: does not match the manifest or is not for this recipient key");
	return 0;
}

/* ---- reading the head of a bundle -------------------------------------- */

struct head {
	uint8_t *buf;
	size_t len;
	off_t start; /* fd offset at entry; -1 if not seekable */
	size_t man_off, man_len, age_off;
	struct signed_note *note;
};

static void head_free(struct head *h)
{
	free(h->buf);
	free(h->note);
	h->buf = NULL;
	h->note = NULL;
}

static int read_full(int fd, uint8_t *buf, size_t cap, size_t *got)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return GS_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

/* Reads the first HEAD_MAX bytes, the first line and the note's syntax. */
static int head_load(int fd, struct head *h, struct gs_diag *d)
{
	static const char magic[] = BUNDLE_MAGIC " ";
	const uint8_t *nl;
	uint64_t mlen;
	int ret;

	memset(h, 0, sizeof(*h));
	h->start = lseek(fd, 0, SEEK_CUR);
	h->buf = malloc(HEAD_MAX);
	h->note = malloc(sizeof(*h->note));
	if (!h->buf || !h->note) {
		head_free(h);
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	}
	if ((ret = read_full(fd, h->buf, HEAD_MAX, &h->len)) != 0) {
		gs_diag_set(d, ret, "bundle: read failed");
		goto fail;
	}
	nl = memchr(h->buf, '\n', h->len < FIRST_LINE_MAX ? h->len : FIRST_LINE_MAX);
	if (h->len < sizeof(magic) - 1 || memcmp(h->buf, magic, sizeof(magic) - 1) || !nl ||
	    parse_dec((const char *)h->buf + sizeof(magic) - 1,
		      (size_t)(nl - h->buf) - (sizeof(magic) - 1), UINT64_MAX, &mlen)) {
		ret = gs_diag_set(d, GS_EINVAL, "bundle line 1: expected '%s<manifest length>'",
				  magic);
		goto fail;
	}
	if (mlen > GS_BUNDLE_MAX_MANIFEST) {
		ret = gs_diag_set(d, GS_ELIMIT, "bundle line 1: manifest longer than %d bytes",
				  GS_BUNDLE_MAX_MANIFEST);
		goto fail;
	}
	h->man_off = (size_t)(nl - h->buf) + 1;
	h->man_len = (size_t)mlen;
	h->age_off = h->man_off + h->man_len;
	if (h->age_off > h->len) {
		ret = gs_diag_set(d, GS_EIO, "bundle: truncated manifest");
		goto fail;
	}
	ret = note_parse((const char *)h->buf + h->man_off, h->man_len, h->note, d);
	if (ret) {
		gs_diag_prefix(d, "bundle manifest");
		goto fail;
	}
	if (h->note->nsigs != 1) {
		ret = gs_diag_set(d, GS_EINVAL, "bundle manifest: must carry exactly one signature");
		goto fail;
	}
	return 0;
fail:
	head_free(h);
	return ret;
}

/* Signature (first), then the fields. */
static int head_verify(struct head *h, const char *key_name, const uint8_t pk[32],
		       struct bundle_manifest *m, struct gs_diag *d)
{
	int ret = note_verify(h->note, key_name, pk);

	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "bundle manifest: not signed by '%s'", key_name);
	if (ret)
		return gs_diag_set(d, GS_ECRYPTO, "bundle manifest: bad signature by '%s'", key_name);
	return bundle_manifest_parse(h->note->text, h->note->text_len, m, d);
}

/* The payload size as the file says, before reading it (regular files). */
static int head_check_size(int fd, const struct head *h, const struct bundle_manifest *m,
			   struct gs_diag *d)
{
	struct stat st;
	uint64_t have;

	if (h->start < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0; /* counted while hashing instead */
	have = (uint64_t)st.st_size - (uint64_t)h->start - h->age_off;
	if ((uint64_t)st.st_size < (uint64_t)h->start + h->age_off || have != m->payload_size)
		return gs_diag_set(d, GS_ECRYPTO,
				   "bundle: payload is %" PRIu64 " bytes, the manifest says %" PRIu64,
				   (uint64_t)st.st_size < (uint64_t)h->start + h->age_off ? 0 : have,
				   m->payload_size);
	return 0;
}

static int check_digest(const uint8_t sha[32], uint64_t count,
			const struct bundle_manifest *m, struct gs_diag *d)
{
	if (count != m->payload_size)
		return gs_diag_set(d, GS_ECRYPTO,
				   "bundle: payload is %" PRIu64 " bytes, the manifest says %" PRIu64,
				   count, m->payload_size);
	if (sodium_memcmp(sha, m->payload_sha256, 32) != 0)
		return gs_diag_set(d, GS_ECRYPTO, "bundle: payload SHA-256 does not match the manifest");
	return 0;
}

/* Hashes the payload from the head buffer on (a phase of the progress
 * meter, util/progress.h: payload_size bytes). */
static int head_hash(int fd, const struct head *h, unsigned threads, uint8_t sha[32],
		     uint64_t *count, uint64_t payload_size, struct gs_diag *d)
{
	struct age_stream s;

	progress_phase("verifying", payload_size);
	age_stream_init(&s);
	s.in_pre = h->buf + h->age_off;
	s.in_pre_len = h->len - h->age_off;
	s.in_fd = h->len == HEAD_MAX ? fd : -1;
	s.sha256 = sha;
	s.ciphertext_len = count;
	s.threads = threads;
	return age_hash_stream(&s, d);
}

int bundle_read_manifest(int fd, struct bundle_manifest *m,
			 struct bundle_sig *sig, struct gs_diag *d)
{
	struct bundle_manifest tmp;
	struct head h;
	int ret;

	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	ret = bundle_manifest_parse(h.note->text, h.note->text_len, &tmp, d);
	if (ret == 0) {
		*m = tmp;
		if (sig) {
			memcpy(sig->key_name, h.note->sigs[0].name, sizeof(sig->key_name));
			sig->key_id = h.note->sigs[0].key_id;
		}
	}
	head_free(&h);
	return ret;
}

int bundle_verify(int fd, const char *key_name, const uint8_t sender_pk[32],
		  struct bundle_manifest *m, struct gs_diag *d)
{
	struct bundle_manifest tmp;
	struct head h;
	uint8_t sha[32];
	uint64_t count;
	int ret;

	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	if ((ret = head_verify(&h, key_name, sender_pk, &tmp, d)) != 0 ||
	    (ret = head_check_size(fd, &h, &tmp, d)) != 0 ||
	    (ret = head_hash(fd, &h, 0, sha, &count, tmp.payload_size, d)) != 0 ||
	    (ret = check_digest(sha, count, &tmp, d)) != 0)
		goto out;
	*m = tmp;
out:
	head_free(&h);
	return ret;
}

int bundle_unwrap_key(int fd, const uint8_t box_sk[32],
		      uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	struct age_header *ah;
	struct head h;
	int ret;

	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	ah = malloc(sizeof(*ah));
	if (!ah) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	ret = age_header_parse(h.buf + h.age_off, h.len - h.age_off, ah, d);
	if (ret == 0)
		ret = age_header_unwrap(ah, h.buf + h.age_off, box_sk, file_key, d);
	if (ret)
		gs_diag_prefix(d, "bundle payload");
out:
	free(ah);
	head_free(&h);
	return ret;
}

/* ---- opening ----------------------------------------------------------- */

struct open_sink {
	int out_fd;
	const struct bundle_manifest *m;
	const uint8_t *sender_pk, *box_pk;
	uint8_t inner[INNER_MAX];
	size_t have, need;
	int inner_ok;
	struct gs_diag *d;
};

static int open_sink_write(void *ctx, const uint8_t *p, size_t n)
{
	struct open_sink *o = ctx;
	size_t take, len;
	ssize_t r;
	int ret;

	while (!o->inner_ok && n > 0) {
		take = o->need - o->have < n ? o->need - o->have : n;
		memcpy(o->inner + o->have, p, take);
		o->have += take;
		p += take;
		n -= take;
		if (o->have < o->need)
			break;
		if (o->need == INNER_PREFIX) {
			if (memcmp(o->inner, BUNDLE_INNER_MAGIC, sizeof(BUNDLE_INNER_MAGIC)))
				return gs_diag_set(o->d, GS_ECRYPTO, "inner header: bad magic");
			len = (size_t)o->inner[16] << 24 | (size_t)o->inner[17] << 16 |
			      (size_t)o->inner[18] << 8 | o->inner[19];
			if (len == 0 || len > GS_BUNDLE_MAX_INNER)
				return gs_diag_set(o->d, GS_ELIMIT, "inner header: bad length");
			o->need = INNER_PREFIX + len + 64;
			continue;
		}
		if ((ret = inner_check(o->inner, o->need, o->m, o->sender_pk, o->box_pk,
				       o->d)) != 0)
			return ret;
		o->inner_ok = 1;
	}
	while (n > 0) {
		r = write(o->out_fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return gs_diag_set(o->d, GS_EIO, "write failed: %s", strerror(errno));
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int bundle_open(int fd, const struct bundle_open_keys *k, int out_fd,
		unsigned flags, struct bundle_manifest *m, struct gs_diag *d)
{
	struct bundle_manifest tmp;
	struct age_header *ah = NULL;
	struct open_sink *o = NULL;
	struct age_stream s;
	struct head h;
	uint8_t *fk = NULL;
	uint8_t sha[32];
	uint64_t count = 0;
	unsigned threads = (flags >> 8) & 0xff;
	int one_pass = (flags & BUNDLE_OPEN_ONE_PASS) != 0;
	int ret;

	if (!k || !k->key_name || !k->sender_pk || !k->box_pk || (!k->box_sk && !k->file_key))
		return gs_diag_set(d, GS_EINVAL, "bundle: missing keys");
	if (sodium_init() < 0)
		return gs_diag_set(d, GS_ECRYPTO, "libsodium cannot start");
	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	if ((ret = head_verify(&h, k->key_name, k->sender_pk, &tmp, d)) != 0)
		goto out;
	if (k->recipient_code && strcmp(k->recipient_code, tmp.recipient)) {
		ret = gs_diag_set(d, GS_EDENIED, "bundle: for '%s', not '%s'", tmp.recipient,
				  k->recipient_code);
		goto out;
	}
	if ((ret = head_check_size(fd, &h, &tmp, d)) != 0)
		goto out;
	if (!one_pass) {
		if (h.start < 0) {
			ret = gs_diag_set(d, GS_EINVAL,
					  "bundle: not a seekable file (open it in one pass)");
			goto out;
		}
		if ((ret = head_hash(fd, &h, threads, sha, &count, tmp.payload_size, d)) != 0 ||
		    (ret = check_digest(sha, count, &tmp, d)) != 0)
			goto out;
		if (lseek(fd, h.start + (off_t)h.len, SEEK_SET) < 0) {
			ret = gs_diag_set(d, GS_EIO, "bundle: cannot seek");
			goto out;
		}
	}
	ah = malloc(sizeof(*ah));
	o = malloc(sizeof(*o));
	fk = sodium_malloc(AGE_FILE_KEY_BYTES);
	if (!ah || !o || !fk) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	ret = age_header_parse(h.buf + h.age_off, h.len - h.age_off, ah, d);
	if (ret == 0) {
		if (k->file_key) {
			memcpy(fk, k->file_key, AGE_FILE_KEY_BYTES);
			if (age_header_verify_mac(ah, h.buf + h.age_off, fk) != 0)
				ret = gs_diag_set(d, GS_ECRYPTO, "age header: bad header MAC");
		} else {
			ret = age_header_unwrap(ah, h.buf + h.age_off, k->box_sk, fk, d);
		}
	}
	if (ret) {
		gs_diag_prefix(d, "bundle payload");
		goto out;
	}
	memset(o, 0, sizeof(*o));
	o->out_fd = out_fd;
	o->m = &tmp;
	o->sender_pk = k->sender_pk;
	o->box_pk = k->box_pk;
	o->need = INNER_PREFIX;
	o->d = d;
	age_stream_init(&s);
	s.in_pre = h.buf + h.age_off + ah->len;
	s.in_pre_len = h.len - h.age_off - ah->len;
	s.in_fd = h.len == HEAD_MAX ? fd : -1;
	s.sink = open_sink_write;
	s.sink_ctx = o;
	s.threads = threads;
	if (one_pass) {
		s.hash_pre = h.buf + h.age_off;
		s.hash_pre_len = ah->len;
		s.sha256 = sha;
		s.ciphertext_len = &count;
	}
	progress_phase("decrypting", tmp.payload_size > ah->len ? tmp.payload_size - ah->len : 0);
	if ((ret = age_decrypt_payload(fk, &s, d)) != 0) {
		gs_diag_prefix(d, "bundle payload");
		goto out;
	}
	if (!o->inner_ok) {
		ret = gs_diag_set(d, GS_ECRYPTO, "inner header: missing");
		goto out;
	}
	if (one_pass && (ret = check_digest(sha, count, &tmp, d)) != 0)
		goto out;
	*m = tmp;
	ret = 0;
out:
	if (o) {
		sodium_memzero(o, sizeof(*o));
		free(o);
	}
	free(ah);
	sodium_free(fk);
	head_free(&h);
	return ret;
}

/* ---- sealing ----------------------------------------------------------- */

static int pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	const uint8_t *b = p;
	ssize_t r;

	while (n > 0) {
		r = pwrite(fd, b, n, off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return GS_EIO;
		}
		b += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* Signs the manifest text of mm; *note is malloc'd. */
static int sign_manifest(const struct bundle_manifest *mm, const char *key_name,
			 const uint8_t sk[64], char **note, size_t *notelen,
			 struct gs_diag *d)
{
	char *text;
	int n, ret;

	text = malloc(GS_BUNDLE_MAX_MANIFEST);
	if (!text)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	n = bundle_manifest_format(mm, text, GS_BUNDLE_MAX_MANIFEST, d);
	if (n < 0) {
		free(text);
		return n;
	}
	ret = note_sign(text, (size_t)n, key_name, sk, note, notelen, d);
	free(text);
	if (ret == 0 && *notelen > GS_BUNDLE_MAX_MANIFEST) {
		free(*note);
		*note = NULL;
		return gs_diag_set(d, GS_ELIMIT, "manifest longer than %d bytes",
				   GS_BUNDLE_MAX_MANIFEST);
	}
	return ret;
}

int bundle_seal(const struct bundle_manifest *m, int in_fd, int out_fd,
		const uint8_t recipient_box_pk[32], const char *key_name,
		const uint8_t sender_sign_sk[64], struct bundle_manifest *out_m,
		uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	struct bundle_manifest mm = *m;
	struct age_stream s;
	struct stat st;
	uint8_t id[16], inner[INNER_MAX], sha[32], *fk = NULL;
	char first[FIRST_LINE_MAX], *note = NULL;
	size_t inner_len, notelen, plen;
	uint64_t doc_len, count = 0;
	off_t in_off, base;
	int fl, ret;

	if (sodium_init() < 0)
		return gs_diag_set(d, GS_ECRYPTO, "libsodium cannot start");
	if (!mm.bundle_id[0]) {
		randombytes_buf(id, sizeof(id));
		hex_encode(id, sizeof(id), mm.bundle_id, sizeof(mm.bundle_id));
	}
	mm.payload_size = 0;
	memset(mm.payload_sha256, 0, 32);
	if ((ret = manifest_check(&mm, d)) != 0)
		return ret;
	if (fstat(in_fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (in_off = lseek(in_fd, 0, SEEK_CUR)) < 0 || in_off > st.st_size)
		return gs_diag_set(d, GS_EINVAL, "bundle: the document must be a regular file");
	doc_len = (uint64_t)(st.st_size - in_off);
	base = lseek(out_fd, 0, SEEK_CUR);
	fl = fcntl(out_fd, F_GETFL);
	if (base < 0 || fl < 0 || (fl & O_APPEND))
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: the output must be a seekable file, not opened for appending");
	if ((ret = inner_build(&mm, recipient_box_pk, sender_sign_sk, inner, &inner_len)) != 0)
		return gs_diag_set(d, ret, "bundle: inner header too long");
	/* The payload's size is known now; the manifest's length too (the
	 * digest is fixed-width hex and an Ed25519 line has a fixed length). */
	mm.payload_size = AGE_X25519_HEADER_SIZE(1) + age_payload_size(inner_len + doc_len);
	if ((ret = sign_manifest(&mm, key_name, sender_sign_sk, &note, &notelen, d)) != 0)
		return ret;
	free(note);
	note = NULL;
	fl = snprintf(first, sizeof(first), "%s %zu\n", BUNDLE_MAGIC, notelen);
	plen = (size_t)fl + notelen;
	if (lseek(out_fd, base + (off_t)plen, SEEK_SET) < 0)
		return gs_diag_set(d, GS_EIO, "bundle: cannot seek the output");
	age_stream_init(&s);
	s.in_pre = inner;
	s.in_pre_len = inner_len;
	s.in_fd = in_fd;
	s.in_len = inner_len + doc_len;
	s.out_fd = out_fd;
	s.sha256 = sha;
	s.ciphertext_len = &count;
	fk = sodium_malloc(AGE_FILE_KEY_BYTES);
	if (!fk) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	progress_phase("sealing", inner_len + doc_len);
	if ((ret = age_encrypt((const uint8_t(*)[32])recipient_box_pk, 1, &s, fk, d)) != 0)
		goto out;
	if (count != mm.payload_size) {
		ret = gs_diag_set(d, GS_EIO, "bundle: payload size changed while sealing");
		goto out;
	}
	memcpy(mm.payload_sha256, sha, 32);
	if ((ret = sign_manifest(&mm, key_name, sender_sign_sk, &note, &notelen, d)) != 0)
		goto out;
	if ((size_t)fl + notelen != plen) {
		ret = gs_diag_set(d, GS_EINVAL, "bundle: manifest length changed while sealing");
		goto out;
	}
	if (pwrite_all(out_fd, first, (size_t)fl, base) ||
	    pwrite_all(out_fd, note, notelen, base + fl)) {
		ret = gs_diag_set(d, GS_EIO, "bundle: write failed");
		goto out;
	}
	if (lseek(out_fd, base + (off_t)plen + (off_t)count, SEEK_SET) < 0) {
		ret = gs_diag_set(d, GS_EIO, "bundle: cannot seek the output");
		goto out;
	}
	*out_m = mm;
	if (file_key)
		memcpy(file_key, fk, AGE_FILE_KEY_BYTES);
	ret = 0;
out:
	sodium_memzero(inner, sizeof(inner));
	sodium_free(fk);
	free(note);
	return ret;
}
