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

#include <openssl/evp.h>
#include <sodium.h>

#include "core/party.h"
#include "crypto/bundle_internal.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "util/progress.h"
#include "util/encode.h"
#include "util/utf8.h"
#include "util/banned.h"

/* The first line, the largest manifest and the largest age header: what
 * every reader loads before it looks at the payload. */
#define HEAD_MAX (BUNDLE_FIRST_LINE_MAX + GS_BUNDLE_MAX_MANIFEST + GS_AGE_MAX_HEADER)
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

/* UTF-8 text on one line: no control characters, no leading or trailing
 * space, 1..cap-1 bytes; `comma` 0 forbids ','. */
static int is_text(const char *s, size_t cap, int comma)
{
	size_t n = strnlen(s, cap), i, l;
	uint32_t c;

	if (n == 0 || n >= cap || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i += l) {
		l = utf8_decode(s + i, n - i, &c);
		if (l == 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (!comma && c == ','))
			return 0;
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
	if (m->version != 1 && m->version != 2)
		return gs_diag_set(d, GS_EINVAL, "version: %u is not 1 or 2", m->version);
	/* v2: 32 bytes a leaf, a header leaf and at least one chunk, and no
	 * more chunks than the payload has room for (each at least a tag) */
	if (m->version == 2 &&
	    (m->chunk_hashes % AGE_LEAF_HASH || m->chunk_hashes < 2 * AGE_LEAF_HASH ||
	     m->chunk_hashes / AGE_LEAF_HASH - 1 > m->payload_size / AGE_TAG))
		return gs_diag_set(d, GS_EINVAL,
				   "chunk-hashes: %" PRIu64 " bytes is not 32 per leaf for a payload of %" PRIu64 " bytes",
				   m->chunk_hashes, m->payload_size);
	return 0;
}

const uint8_t *bundle_payload_digest(const struct bundle_manifest *m)
{
	return m->version == 1 ? m->payload_sha256 : m->payload_root;
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
	hex_encode(bundle_payload_digest(m), 32, sha, sizeof(sha));
	tb_add(&b, "%s\n", m->version == 1 ? BUNDLE_MAGIC_V1 : BUNDLE_MAGIC_V2);
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
	if (m->version == 1) {
		tb_add(&b, "payload-sha256 %s\n", sha);
	} else {
		tb_add(&b, "chunk-hashes %" PRIu64 "\n", m->chunk_hashes);
		tb_add(&b, "payload-root %s\n", sha);
	}
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
	unsigned versions; /* bit v set: the line is in version v */
};

#define V1 (1u << 1)
#define V2 (1u << 2)
#define FLDV(k, opt, t, member, v) \
	{ k, opt, t, offsetof(struct bundle_manifest, member), \
	  sizeof(((struct bundle_manifest *)0)->member), v }
#define FLD(k, opt, t, member) FLDV(k, opt, t, member, V1 | V2)

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
	FLDV("payload-sha256", 0, F_SHA, payload_sha256, V1),
	FLDV("chunk-hashes", 0, F_U64, chunk_hashes, V2),
	FLDV("payload-root", 0, F_SHA, payload_root, V2),
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
		memcpy(dst, &u, sizeof(u));
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
		if (n != 64 || hex_decode(v, n, (uint8_t *)dst, 32, &got) || got != 32)
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
	size_t pos = 0, lineno = 1, fi, ml = strlen(BUNDLE_MAGIC_V1), klen;
	int ret = GS_EINVAL, n;

	memset(&m, 0, sizeof(m));
	m.created = GS_INSTANT_NONE;
	if (len > GS_BUNDLE_MAX_MANIFEST)
		return gs_diag_set(d, GS_ELIMIT, "manifest is longer than %d bytes",
				   GS_BUNDLE_MAX_MANIFEST);
	if (len >= ml + 1 && !memcmp(text, BUNDLE_MAGIC_V1, ml) && text[ml] == '\n')
		m.version = 1;
	else if (len >= ml + 1 && !memcmp(text, BUNDLE_MAGIC_V2, ml) && text[ml] == '\n')
		m.version = 2;
	else
		return gs_diag_set(d, GS_EINVAL, "manifest line 1: expected '%s' or '%s'",
				   BUNDLE_MAGIC_V2, BUNDLE_MAGIC_V1);
	pos = ml + 1;
	for (fi = 0; fi < sizeof(fields) / sizeof(fields[0]); fi++) {
		const struct field *f = &fields[fi];

		if (!(f->versions & (1u << m.version)))
			continue;
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
	return a->version == b->version &&
	       !strcmp(a->bundle_id, b->bundle_id) && !strcmp(a->item, b->item) &&
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
	       !memcmp(a->payload_root, b->payload_root, 32) &&
	       a->chunk_hashes == b->chunk_hashes && a->payload_size == b->payload_size;
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

/* ---- the pieces of a bundle (shared with crypto/bundle_check.c) --------- */

int bundle_first_line_parse(const uint8_t *buf, size_t len, unsigned *version,
			    uint64_t *mlen, size_t *line_len, struct gs_diag *d)
{
	static const char prefix[] = "gsomia-bundle/v";
	const uint8_t *nl = memchr(buf, '\n', len < BUNDLE_FIRST_LINE_MAX ? len : BUNDLE_FIRST_LINE_MAX);
	const uint8_t *sp;
	uint64_t v;

	if (!nl || len < sizeof(prefix) - 1 || memcmp(buf, prefix, sizeof(prefix) - 1))
		return gs_diag_set(d, GS_EINVAL,
				   "bundle line 1: expected '%s <manifest length>' (or v1)", BUNDLE_MAGIC_V2);
	sp = memchr(buf, ' ', (size_t)(nl - buf));
	if (!sp || parse_dec((const char *)buf + sizeof(prefix) - 1,
			     (size_t)(sp - buf) - (sizeof(prefix) - 1), UINT32_MAX, &v))
		return gs_diag_set(d, GS_EINVAL,
				   "bundle line 1: expected '%s <manifest length>' (or v1)", BUNDLE_MAGIC_V2);
	if (v != 1 && v != 2)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle line 1: version %" PRIu64 " is not one this node reads (v1, v2)", v);
	if (parse_dec((const char *)sp + 1, (size_t)(nl - sp - 1), UINT64_MAX, mlen))
		return gs_diag_set(d, GS_EINVAL, "bundle line 1: bad manifest length");
	if (*mlen > GS_BUNDLE_MAX_MANIFEST)
		return gs_diag_set(d, GS_ELIMIT, "bundle line 1: manifest longer than %d bytes",
				   GS_BUNDLE_MAX_MANIFEST);
	*version = (unsigned)v;
	*line_len = (size_t)(nl - buf) + 1;
	return 0;
}

int bundle_note_parse(const uint8_t *p, size_t len, struct signed_note *note,
		      struct gs_diag *d)
{
	int ret = note_parse((const char *)p, len, note, d);

	if (ret) {
		gs_diag_prefix(d, "bundle manifest");
		return ret;
	}
	if (note->nsigs != 1)
		return gs_diag_set(d, GS_EINVAL, "bundle manifest: must carry exactly one signature");
	return 0;
}

int bundle_note_verify(const struct signed_note *note, const char *key_name,
		       const uint8_t pk[32], unsigned version, struct bundle_manifest *m,
		       struct gs_diag *d)
{
	int ret = note_verify(note, key_name, pk);

	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "bundle manifest: not signed by '%s'", key_name);
	if (ret)
		return gs_diag_set(d, GS_ECRYPTO, "bundle manifest: bad signature by '%s'", key_name);
	if ((ret = bundle_manifest_parse(note->text, note->text_len, m, d)) != 0)
		return ret;
	if (m->version != version)
		return gs_diag_set(d, GS_EINVAL, "bundle: the first line says v%u, the manifest v%u",
				   version, m->version);
	return 0;
}

long bundle_age_header_len(const uint8_t *p, size_t len)
{
	const uint8_t *q = p, *end = p + (len < GS_AGE_MAX_HEADER ? len : GS_AGE_MAX_HEADER), *nl;

	/* the header ends with the line that starts with "---" */
	while (q < end && (nl = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		if (nl - q >= 3 && !memcmp(q, "---", 3))
			return (long)(nl + 1 - p);
		q = nl + 1;
	}
	return -1;
}

int bundle_geometry_check(const struct bundle_manifest *m, size_t header_len,
			  struct gs_diag *d)
{
	uint64_t leaves = m->chunk_hashes / AGE_LEAF_HASH, have;

	have = m->payload_size < header_len ? 0 : age_leaf_count(m->payload_size - header_len);
	if (have == 0)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: a payload of %" PRIu64 " bytes with a %zu-byte age header is not whole chunks",
				   m->payload_size, header_len);
	if (have != leaves)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: the chunk-hash section holds %" PRIu64 " hashes, the payload has %" PRIu64
				   " leaves (its header and %" PRIu64 " chunks)",
				   leaves, have, have - 1);
	return 0;
}

/* ---- reading a bundle -------------------------------------------------- */

struct head {
	uint8_t *buf;      /* HEAD_MAX bytes: the first read of the file */
	size_t len;        /* bytes in buf */
	int eof;           /* the file ended within buf */
	off_t start;       /* fd offset at entry; -1 if not seekable */
	unsigned version;  /* from the first line */
	size_t man_off, man_len;
	size_t body_off;   /* after the manifest: the payload (v1), the chunk-hash section (v2) */
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
	uint64_t mlen;
	size_t line;
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
	h->eof = h->len < HEAD_MAX;
	if ((ret = bundle_first_line_parse(h->buf, h->len, &h->version, &mlen, &line, d)) != 0)
		goto fail;
	h->man_off = line;
	h->man_len = (size_t)mlen;
	h->body_off = h->man_off + h->man_len;
	if (h->body_off > h->len) {
		ret = gs_diag_set(d, GS_EINVAL, "bundle: truncated manifest");
		goto fail;
	}
	if ((ret = bundle_note_parse(h->buf + h->man_off, h->man_len, h->note, d)) != 0)
		goto fail;
	return 0;
fail:
	head_free(h);
	return ret;
}

/* Signature (first), then the fields. */
static int head_verify(struct head *h, const char *key_name, const uint8_t pk[32],
		       struct bundle_manifest *m, struct gs_diag *d)
{
	return bundle_note_verify(h->note, key_name, pk, h->version, m, d);
}

/* Where the age payload starts, from the start of the bundle. */
static uint64_t payload_offset(const struct head *h, const struct bundle_manifest *m)
{
	return h->body_off + (m->version == 2 ? m->chunk_hashes : 0);
}

int bundle_payload_sha256(int fd, const struct bundle_manifest *m, uint8_t out[32], struct gs_diag *d)
{
	crypto_hash_sha256_state st;
	uint8_t *buf;
	struct head h;
	off_t off;
	ssize_t r;
	int ret;

	if (m->version == 1) {
		memcpy(out, m->payload_sha256, 32);
		return 0;
	}
	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	off = h.start < 0 ? -1 : h.start + (off_t)payload_offset(&h, m);
	head_free(&h);
	if (off < 0 || lseek(fd, off, SEEK_SET) < 0)
		return gs_diag_set(d, GS_EINVAL, "bundle: not a seekable file");
	if (!(buf = malloc(1 << 16)))
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	crypto_hash_sha256_init(&st);
	while ((r = read(fd, buf, 1 << 16)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return gs_diag_set(d, GS_EIO, "bundle: read failed: %s", strerror(errno));
		}
		crypto_hash_sha256_update(&st, buf, (unsigned long long)r);
	}
	crypto_hash_sha256_final(&st, out);
	free(buf);
	return 0;
}

/* The payload size as the file says, before reading the payload (regular
 * files; other input is counted as it is read). For v2, hlen is the age
 * header's length, so that a short file names the chunk it ends in. */
static int head_check_size(int fd, const struct head *h, const struct bundle_manifest *m,
			   size_t hlen, struct gs_diag *d)
{
	uint64_t before = (uint64_t)h->start + payload_offset(h, m), have;
	struct stat st;

	if (h->start < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if ((uint64_t)st.st_size < before)
		return gs_diag_set(d, GS_EINVAL, "bundle: truncated before the payload (%" PRIu64
				   " of %" PRIu64 " bytes before it)", (uint64_t)st.st_size - (uint64_t)h->start,
				   before - (uint64_t)h->start);
	have = (uint64_t)st.st_size - before;
	if (have < m->payload_size && m->version == 2)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: truncated in chunk %" PRIu64 " of %" PRIu64
				   " (%" PRIu64 " of the payload's %" PRIu64 " bytes are there)",
				   (have - hlen - AGE_NONCE_BYTES) / AGE_ENC_CHUNK,
				   m->chunk_hashes / AGE_LEAF_HASH - 1, have, m->payload_size);
	if (have < m->payload_size)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: truncated: the payload is %" PRIu64 " bytes, the manifest says %" PRIu64,
				   have, m->payload_size);
	if (have != m->payload_size)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: more bytes after the end of the bundle (%" PRIu64 ")",
				   have - m->payload_size);
	return 0;
}

/* The bytes after some of the head buffer: the rest of it, then the fd. */
struct src {
	struct head *h;
	size_t pos; /* next byte of h->buf */
	int fd;
};

static int src_read(struct src *s, uint8_t *out, size_t n, size_t *got)
{
	size_t take = s->h->len - s->pos < n ? s->h->len - s->pos : n, more = 0;

	memcpy(out, s->h->buf + s->pos, take);
	s->pos += take;
	if (take < n && !s->h->eof) {
		if (read_full(s->fd, out + take, n - take, &more) != 0)
			return GS_EIO;
		if (more < n - take)
			s->h->eof = 1;
	}
	*got = take + more;
	return 0;
}

/* Moves what is left of the head buffer to its front and fills it again
 * from the fd: the age header then starts at h->buf. */
static int src_refill(struct src *s)
{
	struct head *h = s->h;
	size_t got = 0;

	memmove(h->buf, h->buf + s->pos, h->len - s->pos);
	h->len -= s->pos;
	s->pos = 0;
	if (!h->eof) {
		if (read_full(s->fd, h->buf + h->len, HEAD_MAX - h->len, &got) != 0)
			return GS_EIO;
		if (got < HEAD_MAX - h->len)
			h->eof = 1;
		h->len += got;
	}
	return 0;
}

/* ---- the chunk-hash section (v2) --------------------------------------- */

/*
 * The section is read once, in windows of `window` leaves, into a Merkle
 * range whose root must equal the signed payload-root; only then is any
 * chunk looked at. A section of one window stays in memory. A larger one
 * (a payload over 2 GiB) keeps the SHA-256 of each window and reads a
 * window again (pread) when its chunks come, checking it against that
 * digest, so memory stays constant for any size and nothing read again
 * is trusted unchecked.
 */
#define SECTION_WINDOW 32768u    /* leaves: 1 MiB of hashes, 2 GiB of payload */
#define SECTION_WINDOW_TEST 4u   /* BUNDLE_OPEN_SMALL_WINDOWS */

struct section {
	uint64_t leaves, window, nwin, loaded;
	uint8_t *buf;                 /* one window */
	uint8_t (*digest)[32];        /* nwin > 1: each window's SHA-256 */
	int fd;                       /* to read a window again */
	off_t off;                    /* where the section is in fd */
	uint64_t bad;                 /* a chunk's leaf found wrong here, or 0 */
};

static void section_free(struct section *sec)
{
	free(sec->buf);
	free(sec->digest);
	memset(sec, 0, sizeof(*sec));
}

static void window_digest(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1)
		crypto_hash_sha256(out, p, n);
}

/* Reads and checks the section from in. fd and off (or -1) let a window
 * be read again. */
static int section_load(struct section *sec, struct src *in, int fd, off_t off,
			const struct bundle_manifest *m, uint64_t window, struct gs_diag *d)
{
	struct merkle_range *r = NULL;
	uint8_t root[32];
	uint64_t w, i, n;
	size_t got;
	int ret = 0;

	memset(sec, 0, sizeof(*sec));
	sec->leaves = m->chunk_hashes / AGE_LEAF_HASH;
	sec->window = window;
	sec->nwin = (sec->leaves + window - 1) / window;
	sec->fd = fd;
	sec->off = off;
	sec->loaded = UINT64_MAX;
	if (sec->nwin > 1 && off < 0)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: a chunk-hash section of more than %" PRIu64 " hashes is read from a seekable file only",
				   window);
	sec->buf = malloc((size_t)(sec->leaves < window ? sec->leaves : window) * AGE_LEAF_HASH);
	sec->digest = sec->nwin > 1 ? malloc((size_t)sec->nwin * 32) : NULL;
	r = malloc(sizeof(*r));
	if (!sec->buf || (sec->nwin > 1 && !sec->digest) || !r) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	merkle_range_init(r);
	for (w = 0; w < sec->nwin; w++) {
		n = sec->leaves - w * window < window ? sec->leaves - w * window : window;
		if ((ret = src_read(in, sec->buf, (size_t)n * AGE_LEAF_HASH, &got)) != 0) {
			gs_diag_set(d, ret, "bundle: read failed");
			goto out;
		}
		if (got < n * AGE_LEAF_HASH) {
			ret = gs_diag_set(d, GS_EINVAL, "bundle: truncated in the chunk-hash section");
			goto out;
		}
		for (i = 0; i < n; i++)
			if ((ret = merkle_range_append(r, sec->buf + i * AGE_LEAF_HASH, NULL, NULL)) != 0) {
				gs_diag_set(d, ret, "bundle: chunk-hash section too large");
				goto out;
			}
		if (sec->digest)
			window_digest(sec->buf, (size_t)n * AGE_LEAF_HASH, sec->digest[w]);
	}
	merkle_range_root(r, root);
	if (memcmp(root, m->payload_root, 32) != 0) {
		ret = gs_diag_set(d, GS_ECRYPTO,
				  "bundle: the chunk-hash section does not match the signed payload-root");
		goto out;
	}
	sec->loaded = sec->nwin - 1; /* the last window read is in buf */
out:
	free(r);
	if (ret)
		section_free(sec);
	return ret;
}

/* The hash of leaf i, from the verified section. */
static int section_get(struct section *sec, uint64_t i, uint8_t out[AGE_LEAF_HASH],
		       struct gs_diag *d)
{
	uint64_t w = i / sec->window, n;
	uint8_t dg[32];
	ssize_t r;
	size_t got = 0;

	if (w != sec->loaded) {
		n = sec->leaves - w * sec->window < sec->window ? sec->leaves - w * sec->window
								: sec->window;
		while (got < n * AGE_LEAF_HASH) {
			r = pread(sec->fd, sec->buf + got, (size_t)n * AGE_LEAF_HASH - got,
				  sec->off + (off_t)(w * sec->window * AGE_LEAF_HASH + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return gs_diag_set(d, GS_EIO, "bundle: cannot read the chunk-hash section again");
			got += (size_t)r;
		}
		window_digest(sec->buf, got, dg);
		if (memcmp(dg, sec->digest[w], 32) != 0) {
			sec->loaded = UINT64_MAX;
			return gs_diag_set(d, GS_ECRYPTO,
					   "bundle: the chunk-hash section changed while it was read");
		}
		sec->loaded = w;
	}
	memcpy(out, sec->buf + (i % sec->window) * AGE_LEAF_HASH, AGE_LEAF_HASH);
	return 0;
}

/* age_expect_fn: the section's hashes for the chunks as they are read. */
static int section_expect(void *ctx, uint64_t first, size_t n, int last,
			  uint8_t (*out)[AGE_LEAF_HASH], struct gs_diag *d)
{
	struct section *sec = ctx;
	size_t i;
	int ret;

	if (first + n > sec->leaves)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: the payload goes on after its last chunk (%" PRIu64 ")",
				   sec->leaves - 2);
	if (last && first + n != sec->leaves)
		return gs_diag_set(d, GS_EINVAL,
				   "bundle: truncated: the payload ends before chunk %" PRIu64 " of %" PRIu64,
				   first + n - 1, sec->leaves - 1);
	for (i = 0; i < n; i++)
		if ((ret = section_get(sec, first + i, out[i], d)) != 0)
			return ret;
	return 0;
}

/*
 * v2, after the manifest verified: the section against the root, then
 * the age header (leaf 0) against the section, then the chunk count. On
 * success the age header starts at h->buf (src refilled) and *hlen is its
 * length; the caller reads the payload from there.
 */
static int v2_prepare(int fd, struct head *h, const struct bundle_manifest *m,
		      unsigned flags, struct section *sec, struct src *in, size_t *hlen,
		      struct gs_diag *d)
{
	uint8_t leaf[AGE_LEAF_HASH], want[AGE_LEAF_HASH];
	uint64_t window = flags & BUNDLE_OPEN_SMALL_WINDOWS ? SECTION_WINDOW_TEST : SECTION_WINDOW;
	off_t off = h->start < 0 ? -1 : h->start + (off_t)h->body_off;
	long hl;
	int ret;

	in->h = h;
	in->pos = h->body_off;
	in->fd = fd;
	if ((ret = section_load(sec, in, fd, off, m, window, d)) != 0)
		return ret;
	if ((ret = src_refill(in)) != 0) {
		ret = gs_diag_set(d, ret, "bundle: read failed");
		goto fail;
	}
	hl = bundle_age_header_len(h->buf, h->len);
	if (hl < 0 || (uint64_t)hl + AGE_NONCE_BYTES > h->len) {
		ret = h->len < GS_AGE_MAX_HEADER && h->eof
			      ? gs_diag_set(d, GS_EINVAL, "bundle: truncated in the age header")
			      : gs_diag_set(d, GS_EINVAL, "bundle: the age header has no MAC line");
		goto fail;
	}
	merkle_leaf_hash(h->buf, (size_t)hl + AGE_NONCE_BYTES, leaf);
	if ((ret = section_get(sec, 0, want, d)) != 0)
		goto fail;
	if (memcmp(leaf, want, sizeof(leaf)) != 0) {
		ret = gs_diag_set(d, GS_ECRYPTO,
				  "bundle: the age header does not match its hash (leaf 0) in the chunk-hash section");
		goto fail;
	}
	if ((ret = bundle_geometry_check(m, (size_t)hl, d)) != 0 ||
	    (ret = head_check_size(fd, h, m, (size_t)hl, d)) != 0)
		goto fail;
	*hlen = (size_t)hl;
	return 0;
fail:
	section_free(sec);
	return ret;
}

/* Hashes the v1 payload from the head buffer on (a phase of the progress
 * meter, util/progress.h: payload_size bytes). */
static int v1_hash(int fd, const struct head *h, unsigned threads, uint8_t sha[32],
		   uint64_t *count, uint64_t payload_size, struct gs_diag *d)
{
	struct age_stream s;

	progress_phase("verifying", payload_size);
	age_stream_init(&s);
	s.in_pre = h->buf + h->body_off;
	s.in_pre_len = h->len - h->body_off;
	s.in_fd = h->eof ? -1 : fd;
	s.sha256 = sha;
	s.ciphertext_len = count;
	s.threads = threads;
	return age_hash_stream(&s, d);
}

static int v1_check_digest(const uint8_t sha[32], uint64_t count,
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

int bundle_read_manifest(int fd, struct bundle_manifest *m,
			 struct bundle_sig *sig, struct gs_diag *d)
{
	struct bundle_manifest tmp;
	struct head h;
	int ret;

	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	ret = bundle_manifest_parse(h.note->text, h.note->text_len, &tmp, d);
	if (ret == 0 && tmp.version != h.version)
		ret = gs_diag_set(d, GS_EINVAL, "bundle: the first line says v%u, the manifest v%u",
				  h.version, tmp.version);
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
	struct section sec;
	struct age_stream s;
	struct head h;
	struct src in;
	uint8_t sha[32];
	uint64_t count;
	size_t hlen;
	int ret;

	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	if ((ret = head_verify(&h, key_name, sender_pk, &tmp, d)) != 0 ||
	    (tmp.version == 1 && (ret = head_check_size(fd, &h, &tmp, 0, d)) != 0))
		goto out;
	if (tmp.version == 1) {
		if ((ret = v1_hash(fd, &h, 0, sha, &count, tmp.payload_size, d)) != 0 ||
		    (ret = v1_check_digest(sha, count, &tmp, d)) != 0)
			goto out;
	} else {
		if ((ret = v2_prepare(fd, &h, &tmp, 0, &sec, &in, &hlen, d)) != 0)
			goto out;
		/* every chunk against the section, on every core */
		progress_phase("verifying", tmp.payload_size - hlen - AGE_NONCE_BYTES);
		age_stream_init(&s);
		s.in_pre = h.buf + hlen + AGE_NONCE_BYTES;
		s.in_pre_len = h.len - hlen - AGE_NONCE_BYTES;
		s.in_fd = h.eof ? -1 : fd;
		s.in_len = tmp.payload_size - hlen - AGE_NONCE_BYTES;
		s.expect = section_expect;
		s.leaves_ctx = &sec;
		ret = age_hash_stream(&s, d);
		section_free(&sec);
		if (ret) {
			gs_diag_prefix(d, "bundle payload");
			goto out;
		}
	}
	*m = tmp;
out:
	head_free(&h);
	return ret;
}

int bundle_unwrap_key(int fd, const uint8_t box_sk[32],
		      uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	struct bundle_manifest tmp;
	struct age_header *ah = NULL;
	struct head h;
	struct src in;
	uint8_t skip[4096];
	uint64_t left;
	size_t got;
	int ret;

	if ((ret = head_load(fd, &h, d)) != 0)
		return ret;
	if ((ret = bundle_manifest_parse(h.note->text, h.note->text_len, &tmp, d)) != 0)
		goto out;
	/* past the chunk-hash section (v2), unchecked: bundle_verify checks */
	in.h = &h;
	in.pos = h.body_off;
	in.fd = fd;
	left = tmp.version == 2 ? tmp.chunk_hashes : 0;
	while (left > 0) {
		if ((ret = src_read(&in, skip, left < sizeof(skip) ? (size_t)left : sizeof(skip),
				    &got)) != 0 || got == 0) {
			ret = gs_diag_set(d, GS_EINVAL, "bundle: truncated in the chunk-hash section");
			goto out;
		}
		left -= got;
	}
	if ((ret = src_refill(&in)) != 0) {
		gs_diag_set(d, ret, "bundle: read failed");
		goto out;
	}
	ah = malloc(sizeof(*ah));
	if (!ah) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	ret = age_header_parse(h.buf, h.len, ah, d);
	if (ret == 0)
		ret = age_header_unwrap(ah, h.buf, box_sk, file_key, d);
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
	struct section sec;
	struct age_stream s;
	struct head h;
	struct src in;
	uint8_t *fk = NULL;
	uint8_t sha[32];
	uint64_t count = 0;
	size_t age_at, age_len, hlen2 = 0;
	unsigned threads = (flags >> 8) & 0xff;
	int one_pass = (flags & BUNDLE_OPEN_ONE_PASS) != 0, have_sec = 0;
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
	if (tmp.version == 1 && (ret = head_check_size(fd, &h, &tmp, 0, d)) != 0)
		goto out;
	if (tmp.version == 2) {
		/* one verified pass: the section against the signed root, the
		 * header against the section, then each chunk against the
		 * section before it is decrypted */
		if ((ret = v2_prepare(fd, &h, &tmp, flags, &sec, &in, &hlen2, d)) != 0)
			goto out;
		have_sec = 1;
		age_at = 0;
		age_len = h.len;
	} else {
		if (!one_pass) {
			if (h.start < 0) {
				ret = gs_diag_set(d, GS_EINVAL,
						  "bundle: not a seekable file (open it in one pass)");
				goto out;
			}
			if ((ret = v1_hash(fd, &h, threads, sha, &count, tmp.payload_size, d)) != 0 ||
			    (ret = v1_check_digest(sha, count, &tmp, d)) != 0)
				goto out;
			if (lseek(fd, h.start + (off_t)h.len, SEEK_SET) < 0) {
				ret = gs_diag_set(d, GS_EIO, "bundle: cannot seek");
				goto out;
			}
		}
		age_at = h.body_off;
		age_len = h.len - h.body_off;
	}
	ah = malloc(sizeof(*ah));
	o = malloc(sizeof(*o));
	fk = sodium_malloc(AGE_FILE_KEY_BYTES);
	if (!ah || !o || !fk) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	ret = age_header_parse(h.buf + age_at, age_len, ah, d);
	if (ret == 0 && have_sec && ah->len != hlen2)
		ret = gs_diag_set(d, GS_EINVAL, "age header: malformed MAC line");
	if (ret == 0) {
		if (k->file_key) {
			memcpy(fk, k->file_key, AGE_FILE_KEY_BYTES);
			if (age_header_verify_mac(ah, h.buf + age_at, fk) != 0)
				ret = gs_diag_set(d, GS_ECRYPTO, "age header: bad header MAC");
		} else {
			ret = age_header_unwrap(ah, h.buf + age_at, k->box_sk, fk, d);
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
	s.in_pre = h.buf + age_at + ah->len;
	s.in_pre_len = age_len - ah->len;
	s.in_fd = h.eof ? -1 : fd;
	s.sink = open_sink_write;
	s.sink_ctx = o;
	s.threads = threads;
	if (have_sec) {
		s.in_len = tmp.payload_size - ah->len;
		s.expect = section_expect;
		s.leaves_ctx = &sec;
	} else if (one_pass) {
		s.hash_pre = h.buf + age_at;
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
	if (!have_sec && one_pass && (ret = v1_check_digest(sha, count, &tmp, d)) != 0)
		goto out;
	*m = tmp;
	ret = 0;
out:
	if (o) {
		sodium_memzero(o, sizeof(*o));
		free(o);
	}
	if (have_sec)
		section_free(&sec);
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

/*
 * The chunk-hash section as the sealer writes it: leaf hashes arrive in
 * order from the stream's ordered stage, go into a Merkle range (the
 * root) and, a block at a time, to their place between the manifest and
 * the payload.
 */
#define SECTION_OUT_BLOCK 2048 /* leaves: 64 KiB a write */

struct section_out {
	int fd;
	off_t off;
	uint64_t leaves, next;
	struct merkle_range range;
	uint64_t block_first;
	size_t block_n;
	uint8_t block[SECTION_OUT_BLOCK][AGE_LEAF_HASH];
};

static int section_flush(struct section_out *so)
{
	int ret = pwrite_all(so->fd, so->block, so->block_n * AGE_LEAF_HASH,
			     so->off + (off_t)(so->block_first * AGE_LEAF_HASH));

	so->block_first += so->block_n;
	so->block_n = 0;
	return ret;
}

static int section_put(void *ctx, uint64_t first, const uint8_t (*hashes)[AGE_LEAF_HASH],
		       size_t n, struct gs_diag *d)
{
	struct section_out *so = ctx;
	size_t i;

	if (first != so->next || n > so->leaves - so->next)
		return gs_diag_set(d, GS_EIO, "bundle: the payload has more chunks than planned");
	for (i = 0; i < n; i++) {
		if (merkle_range_append(&so->range, hashes[i], NULL, NULL) != 0)
			return gs_diag_set(d, GS_ELIMIT, "bundle: too many chunks");
		memcpy(so->block[so->block_n++], hashes[i], AGE_LEAF_HASH);
		so->next++;
		if (so->block_n == SECTION_OUT_BLOCK && section_flush(so) != 0)
			return gs_diag_set(d, GS_EIO, "bundle: write failed");
	}
	return 0;
}

int bundle_seal(const struct bundle_manifest *m, int in_fd, int out_fd,
		const uint8_t recipient_box_pk[32], const char *key_name,
		const uint8_t sender_sign_sk[64], struct bundle_manifest *out_m,
		uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	struct bundle_manifest mm = *m;
	struct section_out *so = NULL;
	struct age_stream s;
	struct stat st;
	uint8_t id[16], inner[INNER_MAX], sha[32], *fk = NULL;
	char first[BUNDLE_FIRST_LINE_MAX], *note = NULL;
	size_t inner_len, notelen, plen;
	uint64_t doc_len, count = 0, sec_len = 0;
	off_t in_off, base;
	int fl, ret;

	if (sodium_init() < 0)
		return gs_diag_set(d, GS_ECRYPTO, "libsodium cannot start");
	if (!mm.bundle_id[0]) {
		randombytes_buf(id, sizeof(id));
		hex_encode(id, sizeof(id), mm.bundle_id, sizeof(mm.bundle_id));
	}
	if (mm.version == 0)
		mm.version = BUNDLE_VERSION;
	/* an empty payload's sizes, until the real ones are known */
	mm.payload_size = AGE_X25519_HEADER_SIZE(1) + age_payload_size(0);
	mm.chunk_hashes = mm.version == 2 ? 2 * AGE_LEAF_HASH : 0;
	memset(mm.payload_sha256, 0, 32);
	memset(mm.payload_root, 0, 32);
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
	/* Every size is known now, so the manifest's length is too (the
	 * digest is fixed-width hex and an Ed25519 line has a fixed length):
	 * the payload goes after the room for the first line, the manifest
	 * and the chunk-hash section, which are written last. */
	mm.payload_size = AGE_X25519_HEADER_SIZE(1) + age_payload_size(inner_len + doc_len);
	if (mm.version == 2) {
		mm.chunk_hashes = age_leaf_count(mm.payload_size - AGE_X25519_HEADER_SIZE(1)) *
				  AGE_LEAF_HASH;
		sec_len = mm.chunk_hashes;
	}
	if ((ret = sign_manifest(&mm, key_name, sender_sign_sk, &note, &notelen, d)) != 0)
		return ret;
	free(note);
	note = NULL;
	fl = snprintf(first, sizeof(first), "%s %zu\n",
		      mm.version == 1 ? BUNDLE_MAGIC_V1 : BUNDLE_MAGIC_V2, notelen);
	plen = (size_t)fl + notelen;
	if (lseek(out_fd, base + (off_t)plen + (off_t)sec_len, SEEK_SET) < 0)
		return gs_diag_set(d, GS_EIO, "bundle: cannot seek the output");
	age_stream_init(&s);
	s.in_pre = inner;
	s.in_pre_len = inner_len;
	s.in_fd = in_fd;
	s.in_len = inner_len + doc_len;
	s.out_fd = out_fd;
	s.ciphertext_len = &count;
	if (mm.version == 1) {
		s.sha256 = sha;
	} else {
		so = calloc(1, sizeof(*so));
		if (!so) {
			ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
			goto out;
		}
		so->fd = out_fd;
		so->off = base + (off_t)plen;
		so->leaves = sec_len / AGE_LEAF_HASH;
		merkle_range_init(&so->range);
		s.leaves = section_put;
		s.leaves_ctx = so;
	}
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
	if (mm.version == 1) {
		memcpy(mm.payload_sha256, sha, 32);
	} else {
		if (so->next != so->leaves || (so->block_n && section_flush(so) != 0)) {
			ret = gs_diag_set(d, GS_EIO, so->next != so->leaves
						       ? "bundle: the payload has fewer chunks than planned"
						       : "bundle: write failed");
			goto out;
		}
		merkle_range_root(&so->range, mm.payload_root);
	}
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
	if (lseek(out_fd, base + (off_t)plen + (off_t)sec_len + (off_t)count, SEEK_SET) < 0) {
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
	free(so);
	free(note);
	return ret;
}
