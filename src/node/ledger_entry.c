/* SPDX-License-Identifier: Apache-2.0 */
/* Ledger entries: their names, their canonical encoding both ways, the
 * builder every entry is made with, and the in-memory log of tests and
 * tools (node/ledger.h, docs/ledger.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/note.h"
#include "node/ledger.h"
#include "node/ledger_internal.h"
#include "node/node.h"
#include "node/restore.h"
#include "store/ledger_store.h"
#include "util/encode.h"
#include "util/utf8.h"
#include "util/banned.h"

static const char *const type_names[LEDGER_TYPE_MAX + 1] = {
	[LEDGER_RELEASE] = "release",
	[LEDGER_RECEIPT] = "receipt",
	[LEDGER_ACCESS_GRANT] = "access-grant",
	[LEDGER_ACCESS_REFUSAL] = "access-refusal",
	[LEDGER_COPY] = "copy",
	[LEDGER_TRANSLATION] = "translation",
	[LEDGER_RECLASSIFICATION] = "reclassification",
	[LEDGER_DESTRUCTION] = "destruction",
	[LEDGER_RETURN] = "return",
	[LEDGER_CONSENT_REQUEST] = "consent-request",
	[LEDGER_CONSENT_GRANT] = "consent-grant",
	[LEDGER_CONSENT_REFUSAL] = "consent-refusal",
	[LEDGER_INCIDENT] = "incident",
	[LEDGER_NOTE] = "note",
	[LEDGER_PEER_CHECKPOINT] = "peer-checkpoint",
	[LEDGER_KEY_EVENT] = "key-event",
	[LEDGER_PARTY_IMPORT] = "party-import",
	[LEDGER_AGREEMENT_IMPORT] = "agreement-import",
	[LEDGER_AGREEMENT_SIGN] = "agreement-sign",
	[LEDGER_PERSON] = "person",
	[LEDGER_FACILITY] = "facility",
	[LEDGER_REGISTER_ADD] = "register-add",
	[LEDGER_REGISTER_REMOVE] = "register-remove",
	[LEDGER_VISIT] = "visit",
	[LEDGER_RESTORATION] = "restoration",
	[LEDGER_WARNING_RULE] = "warning-rule",
	[LEDGER_RELAY_REFUSAL] = "relay-refusal",
};

const char *ledger_type_name(unsigned type)
{
	return type >= 1 && type <= LEDGER_TYPE_MAX ? type_names[type] : NULL;
}

unsigned ledger_type_parse(const char *name)
{
	unsigned t;

	for (t = 1; t <= LEDGER_TYPE_MAX; t++)
		if (!strcmp(type_names[t], name))
			return t;
	return 0;
}

/* ---- entries ---------------------------------------------------------- */

/* Valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), no NUL, no control character but '\n' when nl is set. */
static int text_ok(const uint8_t *s, size_t len, int nl)
{
	size_t i, n;
	uint32_t c;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		if (n == 0 || (c < 0x20 && !(nl && c == '\n')) || c == 0x7f)
			return 0;
	}
	return 1;
}

static int key_ok(const char *k, size_t len)
{
	size_t i;

	if (len == 0 || len >= GS_MAX_LEDGER_KEY)
		return 0;
	for (i = 0; i < len; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '-'))
			return 0;
	return 1;
}

int ledger_code_ok(const char *c, size_t len)
{
	return len == 0 || (len == 3 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' &&
			    c[2] >= 'A' && c[2] <= 'Z');
}

static int keycmp(const struct ledger_field *a, size_t alen, const struct ledger_field *b,
		  size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	int c = memcmp(a->key, b->key, m);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int over;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->over || n > w->cap - w->len) {
		w->over = 1;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u8(struct wbuf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static void put_u16(struct wbuf *w, size_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void put_str8(struct wbuf *w, const char *s, size_t len)
{
	put_u8(w, (unsigned)len);
	put(w, s, len);
}

int ledger_entry_encode(const struct ledger_entry *e, uint8_t *out, size_t cap, size_t *len,
			struct gs_diag *d)
{
	size_t order[GS_MAX_LEDGER_FIELDS], klen[GS_MAX_LEDGER_FIELDS], vlen[GS_MAX_LEDGER_FIELDS];
	size_t ilen, plen, pslen, i, j, t;
	struct wbuf w = { out, cap < GS_MAX_LEDGER_ENTRY ? cap : GS_MAX_LEDGER_ENTRY, 0, 0 };
	uint64_t tm;
	uint8_t tb[8];
	static const uint8_t zero[LEDGER_DIGEST_BYTES];

	if (!ledger_type_name(e->type))
		return gs_diag_set(d, GS_EINVAL, "ledger entry: unknown type %u", e->type);
	if (e->time == GS_INSTANT_NONE)
		return gs_diag_set(d, GS_EINVAL, "ledger entry: no time");
	if (e->digest_alg > LEDGER_DIGEST_BLAKE2B256)
		return gs_diag_set(d, GS_EINVAL, "ledger entry: unknown digest algorithm %u", e->digest_alg);
	if (e->digest_alg == LEDGER_DIGEST_NONE && memcmp(e->digest, zero, sizeof(zero)))
		return gs_diag_set(d, GS_EINVAL, "ledger entry: a digest without an algorithm");
	ilen = strnlen(e->item, sizeof(e->item));
	plen = strnlen(e->party, sizeof(e->party));
	pslen = strnlen(e->person, sizeof(e->person));
	if (ilen == sizeof(e->item) || !text_ok((const uint8_t *)e->item, ilen, 0))
		return gs_diag_set(d, GS_EINVAL, "ledger entry: bad item id");
	if (plen == sizeof(e->party) || !ledger_code_ok(e->party, plen))
		return gs_diag_set(d, GS_EINVAL, "ledger entry: bad party code '%.8s'", e->party);
	if (pslen == sizeof(e->person) || !text_ok((const uint8_t *)e->person, pslen, 0))
		return gs_diag_set(d, GS_EINVAL, "ledger entry: bad person id");
	if (e->nfields > GS_MAX_LEDGER_FIELDS)
		return gs_diag_set(d, GS_ELIMIT, "ledger entry: more than %d fields", GS_MAX_LEDGER_FIELDS);
	/* Insertion sort by key: fields usually come sorted or nearly. */
	for (i = 0; i < e->nfields; i++) {
		const struct ledger_field *f = &e->fields[i];

		if (!f->key)
			return gs_diag_set(d, GS_EINVAL, "ledger entry: field %zu has no key", i);
		klen[i] = f->key_len ? f->key_len : strlen(f->key);
		vlen[i] = f->value ? (f->value_len ? f->value_len : strlen(f->value)) : 0;
		if (!key_ok(f->key, klen[i]))
			return gs_diag_set(d, GS_EINVAL, "ledger entry: bad field key '%.*s'",
					   (int)(klen[i] < 40 ? klen[i] : 40), f->key);
		if (vlen[i] > 0xffff || (vlen[i] && !text_ok((const uint8_t *)f->value, vlen[i], 1)))
			return gs_diag_set(d, GS_EINVAL, "ledger entry: field '%.*s': value is not text",
					   (int)klen[i], f->key);
		for (j = i; j > 0; j--) {
			int c = keycmp(&e->fields[order[j - 1]], klen[order[j - 1]], f, klen[i]);

			if (c == 0)
				return gs_diag_set(d, GS_EINVAL, "ledger entry: field '%.*s' twice",
						   (int)klen[i], f->key);
			if (c < 0)
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
	put(&w, MAGIC, MAGIC_LEN);
	put_u8(&w, LEDGER_VERSION);
	put_u8(&w, e->type);
	tm = (uint64_t)e->time;
	for (i = 0; i < 8; i++)
		tb[i] = (uint8_t)(tm >> (56 - 8 * i));
	put(&w, tb, 8);
	put(&w, e->nonce, LEDGER_NONCE_BYTES);
	put_u8(&w, e->digest_alg);
	put(&w, e->digest, LEDGER_DIGEST_BYTES);
	put_str8(&w, e->item, ilen);
	put_str8(&w, e->party, plen);
	put_str8(&w, e->person, pslen);
	put_u8(&w, (unsigned)e->nfields);
	for (i = 0; i < e->nfields; i++) {
		t = order[i];
		put_str8(&w, e->fields[t].key, klen[t]);
		put_u16(&w, vlen[t]);
		if (vlen[t])
			put(&w, e->fields[t].value, vlen[t]);
	}
	if (w.over)
		return gs_diag_set(d, GS_ELIMIT, "ledger entry: longer than %zu bytes", w.cap);
	*len = w.len;
	return 0;
}

struct rbuf {
	const uint8_t *p;
	size_t len, pos;
};

static int get_bytes(struct rbuf *r, size_t n, const uint8_t **out)
{
	if (n > r->len - r->pos)
		return -1;
	*out = r->p + r->pos;
	r->pos += n;
	return 0;
}

static int get_u8(struct rbuf *r, unsigned *v)
{
	const uint8_t *b;

	if (get_bytes(r, 1, &b))
		return -1;
	*v = b[0];
	return 0;
}

/* A u8-length-prefixed string into a NUL-terminated buffer of cap. */
static int get_str8(struct rbuf *r, char *out, size_t cap, size_t *len)
{
	const uint8_t *b;
	unsigned n;

	if (get_u8(r, &n) || n >= cap || get_bytes(r, n, &b))
		return -1;
	memcpy(out, b, n);
	out[n] = 0;
	*len = n;
	return 0;
}

int ledger_entry_decode(const uint8_t *buf, size_t len, struct ledger_entry *out,
			struct gs_diag *d)
{
	struct rbuf r = { buf, len, 0 };
	struct ledger_entry *e;
	const uint8_t *b;
	unsigned v = 0, klen;
	uint64_t tm = 0;
	size_t i, n;
	int ret = GS_EINVAL;
	static const uint8_t zero[LEDGER_DIGEST_BYTES];

	if (len > GS_MAX_LEDGER_ENTRY)
		return gs_diag_set(d, GS_ELIMIT, "ledger entry: longer than %d bytes", GS_MAX_LEDGER_ENTRY);
	e = calloc(1, sizeof(*e));
	if (!e)
		return GS_ENOMEM;
#define BAD(...) do { ret = gs_diag_set(d, GS_EINVAL, __VA_ARGS__); goto out; } while (0)
	if (get_bytes(&r, MAGIC_LEN, &b) || memcmp(b, MAGIC, MAGIC_LEN))
		BAD("ledger entry: not a ledger entry (no 'GSLG' magic)");
	if (get_u8(&r, &v) || v != LEDGER_VERSION)
		BAD("ledger entry: version %u is not supported", v);
	if (get_u8(&r, &e->type))
		BAD("ledger entry: truncated at byte %zu", r.pos);
	if (!ledger_type_name(e->type))
		BAD("ledger entry: unknown type %u", e->type);
	if (get_bytes(&r, 8, &b))
		BAD("ledger entry: truncated at byte %zu", r.pos);
	for (i = 0; i < 8; i++)
		tm = tm << 8 | b[i];
	e->time = (gs_instant)tm;
	if (e->time == GS_INSTANT_NONE)
		BAD("ledger entry: no time");
	if (get_bytes(&r, LEDGER_NONCE_BYTES, &b))
		BAD("ledger entry: truncated at byte %zu", r.pos);
	memcpy(e->nonce, b, LEDGER_NONCE_BYTES);
	if (get_u8(&r, &e->digest_alg) || get_bytes(&r, LEDGER_DIGEST_BYTES, &b))
		BAD("ledger entry: truncated at byte %zu", r.pos);
	memcpy(e->digest, b, LEDGER_DIGEST_BYTES);
	if (e->digest_alg > LEDGER_DIGEST_BLAKE2B256)
		BAD("ledger entry: unknown digest algorithm %u", e->digest_alg);
	if (e->digest_alg == LEDGER_DIGEST_NONE && memcmp(e->digest, zero, sizeof(zero)))
		BAD("ledger entry: a digest without an algorithm");
	if (get_str8(&r, e->item, sizeof(e->item), &n) || !text_ok((const uint8_t *)e->item, n, 0))
		BAD("ledger entry: bad item id at byte %zu", r.pos);
	if (get_str8(&r, e->party, sizeof(e->party), &n) || !ledger_code_ok(e->party, n))
		BAD("ledger entry: bad party code at byte %zu", r.pos);
	if (get_str8(&r, e->person, sizeof(e->person), &n) ||
	    !text_ok((const uint8_t *)e->person, n, 0))
		BAD("ledger entry: bad person id at byte %zu", r.pos);
	if (get_u8(&r, &v) || v > GS_MAX_LEDGER_FIELDS)
		BAD("ledger entry: bad field count at byte %zu", r.pos);
	e->nfields = v;
	for (i = 0; i < e->nfields; i++) {
		struct ledger_field *f = &e->fields[i];

		if (get_u8(&r, &klen) || get_bytes(&r, klen, &b) || !key_ok((const char *)b, klen))
			BAD("ledger entry: field %zu: bad key at byte %zu", i, r.pos);
		f->key = (const char *)b;
		f->key_len = klen;
		if (i > 0 && keycmp(&e->fields[i - 1], e->fields[i - 1].key_len, f, klen) >= 0)
			BAD("ledger entry: field '%.*s' out of order", (int)klen, f->key);
		if (get_bytes(&r, 2, &b))
			BAD("ledger entry: truncated at byte %zu", r.pos);
		f->value_len = (size_t)b[0] << 8 | b[1];
		if (get_bytes(&r, f->value_len, &b) || !text_ok(b, f->value_len, 1))
			BAD("ledger entry: field '%.*s': bad value", (int)klen, f->key);
		f->value = (const char *)b;
	}
	if (r.pos != len)
		BAD("ledger entry: %zu stray bytes at the end", len - r.pos);
#undef BAD
	*out = *e;
	ret = 0;
out:
	free(e);
	return ret;
}

int ledger_entry_field(struct ledger_entry *e, const char *key, const char *value)
{
	if (e->nfields >= GS_MAX_LEDGER_FIELDS)
		return GS_ELIMIT;
	e->fields[e->nfields].key = key;
	e->fields[e->nfields].key_len = 0;
	e->fields[e->nfields].value = value ? value : "";
	e->fields[e->nfields].value_len = 0;
	e->nfields++;
	return 0;
}

/* Nonces come from a per-thread pool refilled from the system CSPRNG, so
 * that an append costs no system call; used bytes are wiped. */
void ledger_nonce(uint8_t out[LEDGER_NONCE_BYTES])
{
	static __thread uint8_t pool[4096];
	static __thread size_t used = sizeof(pool);

	if (used == sizeof(pool)) {
		randombytes_buf(pool, sizeof(pool));
		used = 0;
	}
	memcpy(out, pool + used, LEDGER_NONCE_BYTES);
	sodium_memzero(pool + used, LEDGER_NONCE_BYTES);
	used += LEDGER_NONCE_BYTES;
}


void ledger_entry_start(struct ledger_entry *e, const struct node *n, unsigned type, gs_instant at,
			const char *item, const char *person)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->time = at;
	snprintf(e->item, sizeof(e->item), "%s", item ? item : "");
	snprintf(e->party, sizeof(e->party), "%s", n->self.code);
	if (person)
		snprintf(e->person, sizeof(e->person), "%s", person);
}

void ledger_entry_digest(struct ledger_entry *e, const uint8_t sha256[32])
{
	e->digest_alg = LEDGER_DIGEST_SHA256;
	memcpy(e->digest, sha256, 32);
}


/* ---- in memory -------------------------------------------------------- */

void ledger_mem_init(struct ledger_mem *m)
{
	merkle_mem_init(&m->tree);
}

void ledger_mem_free(struct ledger_mem *m)
{
	merkle_mem_free(&m->tree);
}

int ledger_mem_append(struct ledger_mem *m, const struct ledger_entry *e, uint64_t *index_out,
		      struct gs_diag *d)
{
	uint8_t buf[GS_MAX_LEDGER_ENTRY];
	struct ledger_entry x;
	uint64_t idx = m->tree.range.size;
	size_t len;
	int ret;

	x = *e;
	ledger_nonce(x.nonce);
	if ((ret = ledger_entry_encode(&x, buf, sizeof(buf), &len, d)))
		return ret;
	if ((ret = merkle_mem_append(&m->tree, buf, len)))
		return gs_diag_set(d, ret, "ledger: in-memory append failed");
	if (index_out)
		*index_out = idx;
	return 0;
}
