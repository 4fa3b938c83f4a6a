/* SPDX-License-Identifier: Apache-2.0 */
#include "core/party.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/textfmt.h"
#include "core/time.h"
#include "core/tlspin.h"
#include "util/banned.h"

#define PARTY_MAGIC "gsomia-party/v1"
#define OID_URN_PREFIX "urn:oid:"

/* SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused
 * bits) ...: the fixed head of every P-256 SubjectPublicKeyInfo. */
const unsigned char gs_label_spki_prefix[GS_LABEL_SPKI_PREFIX_BYTES] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};

bool policy_uri_is_valid(const char *uri)
{
	size_t pl = strlen(OID_URN_PREFIX), i, arcs = 0, len;
	const char *p;

	if (!uri || strncmp(uri, OID_URN_PREFIX, pl) != 0)
		return false;
	len = strlen(uri);
	if (len >= GS_MAX_POLICY_URI)
		return false;
	p = uri + pl;
	if (*p < '0' || *p > '2' || (p[1] != '.' && p[1] != '\0'))
		return false;
	for (i = 0; p[i];) {
		size_t start = i;

		while (p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == start || (p[start] == '0' && i - start > 1))
			return false; /* an empty arc, or a leading zero */
		arcs++;
		if (p[i] == '.') {
			i++;
			if (!p[i])
				return false;
		} else if (p[i]) {
			return false;
		}
	}
	return arcs >= 2;
}

bool policy_name_is_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= GS_MAX_LABEL || name[0] == '#' || name[0] == ' ' || name[len - 1] == ' ')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c == ',' || c == '|')
			return false;
		if (c == ' ' && name[i + 1] == ' ')
			return false;
	}
	return true;
}

bool party_code_is_valid(const char *code)
{
	int i;

	if (!code)
		return false;
	for (i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return false;
	return code[3] == '\0';
}

int scheme_find(const struct scheme *s, const char *label)
{
	int i;

	for (i = 0; i < s->nlevels; i++)
		if (!strcmp(s->levels[i].label, label))
			return i;
	return -1;
}

int scheme_rank(const struct scheme *s, const char *label)
{
	int i = scheme_find(s, label);

	return i < 0 ? 0 : s->nlevels - i;
}

/* Decodes standard padded base64 of exactly n bytes; rejects any other
 * length and non-canonical encodings (libsodium checks the padding bits),
 * so one key has one spelling. */
static bool b64_decode_exact(struct span v, uint8_t *out, size_t n)
{
	const char *end = NULL;
	size_t got = 0;

	if (v.n != sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1)
		return false;
	if (sodium_base642bin(out, n, v.p, v.n, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return got == n && end == v.p + v.n;
}

static bool endpoint_is_valid(struct span v)
{
	size_t i;

	if (v.n <= 8 || memcmp(v.p, "https://", 8) != 0)
		return false;
	for (i = 8; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c <= ' ' || c >= 0x7f || c == '#' || c == '|' || c == ',')
			return false;
	}
	return true;
}

/* A level line: "label | romanisation | gloss"; the last two optional
 * and possibly empty. */
static int parse_level(const struct textfmt_line *l, struct span v, struct party *p,
		       struct gs_diag *d)
{
	struct scheme_level *lv;
	struct span f[3];
	int nf = 0, i;

	if (p->scheme.nlevels >= GS_MAX_SCHEME_LEVELS)
		return gs_diag_set(d, GS_ELIMIT, "%d:%d: too many levels (at most %d)", l->no,
				   textfmt_col(l, v.p), GS_MAX_SCHEME_LEVELS);
	lv = &p->scheme.levels[p->scheme.nlevels];
	for (;;) {
		long bar = span_find(v, '|');
		struct span part = bar < 0 ? v : (struct span){ v.p, (size_t)bar };

		if (nf == 3)
			return gs_diag_set(d, GS_EINVAL,
					   "%d:%d: a level has at most 3 fields (label | romanisation | gloss)",
					   l->no, textfmt_col(l, v.p - 1));
		f[nf++] = span_trim(part);
		if (bar < 0)
			break;
		v = (struct span){ v.p + bar + 1, v.n - (size_t)bar - 1 };
	}
	if (f[0].n == 0)
		return gs_diag_set(d, GS_EINVAL, "%d:%d: empty level label", l->no,
				   textfmt_col(l, f[0].p));
	for (i = 0; i < nf; i++) {
		char *dst = i == 0 ? lv->label : i == 1 ? lv->roman : lv->gloss;

		if (f[i].n && f[i].p[0] == '#')
			return gs_diag_set(d, GS_EINVAL,
					   "%d:%d: a level field cannot begin with '#' (after a space it starts a comment)",
					   l->no, textfmt_col(l, f[i].p));
		if (span_find(f[i], ',') >= 0)
			return gs_diag_set(d, GS_EINVAL, "%d:%d: ',' not allowed in a level: '%.*s'",
					   l->no, textfmt_col(l, f[i].p), (int)f[i].n, f[i].p);
		if (!span_copy(f[i], dst, GS_MAX_LABEL))
			return gs_diag_set(d, GS_ELIMIT, "%d:%d: '%.*s' too long (at most %d bytes)",
					   l->no, textfmt_col(l, f[i].p), (int)f[i].n, f[i].p,
					   GS_MAX_LABEL - 1);
	}
	if (scheme_find(&p->scheme, lv->label) >= 0)
		return gs_diag_set(d, GS_EINVAL, "%d:%d: duplicate level '%s'", l->no,
				   textfmt_col(l, f[0].p), lv->label);
	p->scheme.nlevels++;
	return 0;
}

/* "policy: urn:oid:OID" or "policy: urn:oid:OID | NAME". */
static int parse_policy(const struct textfmt_line *l, struct span v, struct party *p,
			struct gs_diag *d)
{
	long bar = span_find(v, '|');
	struct span uri = span_trim(bar < 0 ? v : (struct span){ v.p, (size_t)bar });
	struct span name = bar < 0 ? (struct span){ v.p + v.n, 0 }
				   : span_trim((struct span){ v.p + bar + 1, v.n - (size_t)bar - 1 });

	if (!span_copy(uri, p->policy, sizeof(p->policy)) || !policy_uri_is_valid(p->policy))
		return gs_diag_set(d, GS_EINVAL,
				   "%d:%d: policy must be urn:oid:<dotted object identifier>: '%.*s'",
				   l->no, textfmt_col(l, uri.p), (int)uri.n, uri.p);
	if (bar >= 0 && (!policy_name_is_valid(name.p, name.n) ||
			 !span_copy(name, p->policy_name, sizeof(p->policy_name))))
		return gs_diag_set(d, GS_EINVAL,
				   "%d:%d: invalid policy name '%.*s' (1-79 bytes, no ',' or '|')",
				   l->no, textfmt_col(l, name.p), (int)name.n, name.p);
	return 0;
}

/* The label key is written as the base64 of its DER SubjectPublicKeyInfo,
 * the form `openssl pkey -pubin` and xmlsec1 read once wrapped in PEM
 * lines (docs/labels.md); only an uncompressed P-256 key is accepted.
 * Whether the point is on the curve is checked by crypto/labelkey.h. */
static bool label_key_decode(struct span v, uint8_t pk[GS_LABEL_PK_BYTES])
{
	uint8_t spki[GS_LABEL_SPKI_BYTES];

	if (!b64_decode_exact(v, spki, sizeof(spki)) ||
	    memcmp(spki, gs_label_spki_prefix, GS_LABEL_SPKI_PREFIX_BYTES) != 0 ||
	    spki[GS_LABEL_SPKI_PREFIX_BYTES] != 0x04)
		return false;
	memcpy(pk, spki + GS_LABEL_SPKI_PREFIX_BYTES, GS_LABEL_PK_BYTES);
	return true;
}

enum { K_CODE, K_NAME, K_ZONE, K_EXERCISE, K_SIGN, K_BOX, K_ENDPOINT, K_PIN, K_POLICY, K_LABEL_KEY,
       K_COUNT };
static const char *const party_keys[K_COUNT] = {
	"code", "name", "zone", "exercise", "sign-key", "box-key", "endpoint", "tls-pin", "policy",
	"label-key",
};

static int party_parse_into(const char *text, size_t len, struct party *out, struct gs_diag *d)
{
	struct textfmt r;
	struct textfmt_line l;
	int seen[K_COUNT] = { 0 };
	int ret, i, last = 1;

	ret = textfmt_open(&r, text, len, GS_MAX_NOTE_BYTES, d);
	if (ret)
		return ret;
	if (!textfmt_next(&r, &l) || l.no != 1 || !span_eq(l.body, PARTY_MAGIC) ||
	    l.body.p != l.start)
		return gs_diag_set(d, GS_EINVAL, "1:1: expected '" PARTY_MAGIC "' on the first line");
	while (textfmt_next(&r, &l)) {
		struct span key, v;
		uint8_t pin_hash[TLS_PIN_HASH_BYTES];
		int col, k;

		last = l.no;
		if (!textfmt_key_value(&l, &key, &v, d))
			return GS_EINVAL;
		col = textfmt_col(&l, v.p);
		if (span_eq(key, "level")) {
			ret = parse_level(&l, v, out, d);
			if (ret)
				return ret;
			continue;
		}
		for (k = 0; k < K_COUNT; k++)
			if (span_eq(key, party_keys[k]))
				break;
		if (k == K_COUNT)
			return gs_diag_set(d, GS_EINVAL, "%d:%d: unknown key '%.*s'", l.no,
					   textfmt_col(&l, key.p), (int)key.n, key.p);
		if (seen[k])
			return gs_diag_set(d, GS_EINVAL, "%d:%d: duplicate key '%s' (first on line %d)",
					   l.no, textfmt_col(&l, key.p), party_keys[k], seen[k]);
		seen[k] = l.no;
		switch (k) {
		case K_CODE:
			if (!span_copy(v, out->code, sizeof(out->code)) ||
			    !party_code_is_valid(out->code))
				return gs_diag_set(d, GS_EINVAL,
						   "%d:%d: invalid party code '%.*s' (three letters A-Z)",
						   l.no, col, (int)v.n, v.p);
			break;
		case K_NAME:
			if (!span_copy(v, out->name, sizeof(out->name)))
				return gs_diag_set(d, GS_ELIMIT, "%d:%d: name too long (at most %zu bytes)",
						   l.no, col, sizeof(out->name) - 1);
			break;
		case K_ZONE: {
			char z[16];

			if (!span_copy(v, z, sizeof(z)) || zone_parse(z, &out->zone))
				return gs_diag_set(d, GS_EINVAL, "%d:%d: invalid zone '%.*s'", l.no, col,
						   (int)v.n, v.p);
			break;
		}
		case K_EXERCISE:
			if (span_eq(v, "yes"))
				out->exercise = true;
			else if (span_eq(v, "no"))
				out->exercise = false;
			else
				return gs_diag_set(d, GS_EINVAL, "%d:%d: exercise is 'yes' or 'no', not '%.*s'",
						   l.no, col, (int)v.n, v.p);
			break;
		case K_SIGN:
		case K_BOX:
			if (!b64_decode_exact(v, k == K_SIGN ? out->sign_pk : out->box_pk, 32))
				return gs_diag_set(d, GS_EINVAL,
						   "%d:%d: %s is not the base64 of a 32-byte key: '%.*s'",
						   l.no, col, party_keys[k], (int)v.n, v.p);
			break;
		case K_ENDPOINT:
			if (!endpoint_is_valid(v))
				return gs_diag_set(d, GS_EINVAL,
						   "%d:%d: endpoint must be https://host[:port]: '%.*s'",
						   l.no, col, (int)v.n, v.p);
			if (!span_copy(v, out->endpoint, sizeof(out->endpoint)))
				return gs_diag_set(d, GS_ELIMIT, "%d:%d: endpoint too long (at most %zu bytes)",
						   l.no, col, sizeof(out->endpoint) - 1);
			break;
		case K_PIN:
			if (tls_pin_parse(v.p, v.n, pin_hash))
				return gs_diag_set(d, GS_EINVAL,
						   "%d:%d: tls-pin must be sha256//<base64 of 32 bytes>: '%.*s'",
						   l.no, col, (int)v.n, v.p);
			if (!span_copy(v, out->tls_pin, sizeof(out->tls_pin)))
				return gs_diag_set(d, GS_ELIMIT, "%d:%d: tls-pin too long", l.no, col);
			break;
		case K_POLICY:
			if ((ret = parse_policy(&l, v, out, d)))
				return ret;
			break;
		case K_LABEL_KEY:
			if (!label_key_decode(v, out->label_pk))
				return gs_diag_set(d, GS_EINVAL,
						   "%d:%d: label-key is not the base64 of a P-256 public key (DER SubjectPublicKeyInfo): '%.*s'",
						   l.no, col, (int)v.n, v.p);
			out->has_label_key = true;
			break;
		}
	}
	for (i = 0; i < K_COUNT; i++) {
		if (i == K_EXERCISE || i == K_ENDPOINT || i == K_PIN || i == K_POLICY ||
		    i == K_LABEL_KEY)
			continue;
		if (!seen[i])
			return gs_diag_set(d, GS_EINVAL, "%d:1: missing key '%s'", last + 1,
					   party_keys[i]);
	}
	if (out->scheme.nlevels == 0)
		return gs_diag_set(d, GS_EINVAL, "%d:1: missing key 'level' (at least one)", last + 1);
	return 0;
}

int party_parse(const char *text, size_t len, struct party *out, struct gs_diag *d)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = party_parse_into(text, len, out, d);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* Appends to buf[cap] at *off; false once it no longer fits. */
__attribute__((format(printf, 4, 5)))
static bool put(char *buf, size_t cap, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= cap)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, cap - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *off) {
		*off = cap;
		return false;
	}
	*off += (size_t)n;
	return true;
}

int party_format(const struct party *p, char *buf, size_t cap)
{
	char zone[GS_ZONE_STR];
	char sign[sodium_base64_ENCODED_LEN(GS_SIGN_PK_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	char box[sodium_base64_ENCODED_LEN(GS_BOX_PK_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	char lkey[sodium_base64_ENCODED_LEN(GS_LABEL_SPKI_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	uint8_t spki[GS_LABEL_SPKI_BYTES];
	size_t off = 0;
	bool ok;
	int i;

	if (cap == 0 || cap > (size_t)INT32_MAX)
		return GS_ELIMIT;
	buf[0] = '\0';
	zone_format(p->zone, zone);
	sodium_bin2base64(sign, sizeof(sign), p->sign_pk, GS_SIGN_PK_BYTES,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(box, sizeof(box), p->box_pk, GS_BOX_PK_BYTES,
			  sodium_base64_VARIANT_ORIGINAL);
	ok = put(buf, cap, &off,
		 PARTY_MAGIC "\ncode: %.*s\nname: %.*s\nzone: %s\nexercise: %s\n"
			     "sign-key: %s\nbox-key: %s\n",
		 (int)sizeof(p->code), p->code, (int)sizeof(p->name), p->name, zone,
		 p->exercise ? "yes" : "no", sign, box);
	if (ok && p->endpoint[0])
		ok = put(buf, cap, &off, "endpoint: %.*s\n", (int)sizeof(p->endpoint), p->endpoint);
	if (ok && p->tls_pin[0])
		ok = put(buf, cap, &off, "tls-pin: %.*s\n", (int)sizeof(p->tls_pin), p->tls_pin);
	if (ok && p->policy[0])
		ok = put(buf, cap, &off, "policy: %.*s%s%.*s\n", (int)sizeof(p->policy), p->policy,
			 p->policy_name[0] ? " | " : "", (int)sizeof(p->policy_name), p->policy_name);
	if (ok && p->has_label_key) {
		memcpy(spki, gs_label_spki_prefix, GS_LABEL_SPKI_PREFIX_BYTES);
		memcpy(spki + GS_LABEL_SPKI_PREFIX_BYTES, p->label_pk, GS_LABEL_PK_BYTES);
		sodium_bin2base64(lkey, sizeof(lkey), spki, sizeof(spki), sodium_base64_VARIANT_ORIGINAL);
		ok = put(buf, cap, &off, "label-key: %s\n", lkey);
	}
	for (i = 0; ok && i < p->scheme.nlevels && i < GS_MAX_SCHEME_LEVELS; i++) {
		const struct scheme_level *lv = &p->scheme.levels[i];

		ok = put(buf, cap, &off, "level: %.*s", GS_MAX_LABEL, lv->label);
		if (ok && (lv->roman[0] || lv->gloss[0]))
			ok = put(buf, cap, &off, " | %.*s", GS_MAX_LABEL, lv->roman);
		if (ok && lv->gloss[0])
			ok = put(buf, cap, &off, " | %.*s", GS_MAX_LABEL, lv->gloss);
		if (ok)
			ok = put(buf, cap, &off, "\n");
	}
	if (!ok) {
		buf[0] = '\0';
		return GS_ELIMIT;
	}
	return (int)off;
}
