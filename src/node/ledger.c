/* SPDX-License-Identifier: Apache-2.0 */
#include "node/ledger.h"
#include "node/restore.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/note.h"
#include "node/node.h"
#include "store/ledger_store.h"
#include "util/encode.h"
#include "util/utf8.h"
#include "util/banned.h"

#define HB MERKLE_HASH_BYTES
#define MAGIC "GSLG"
#define MAGIC_LEN 4
/* magic, version, type, time, nonce, digest alg, digest */
#define FIXED_LEN (MAGIC_LEN + 1 + 1 + 8 + LEDGER_NONCE_BYTES + 1 + LEDGER_DIGEST_BYTES)
#define INTERNAL "internal"
#define CACHED_LOGS 4

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

static int code_ok(const char *c, size_t len)
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
	if (plen == sizeof(e->party) || !code_ok(e->party, plen))
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
	if (get_str8(&r, e->party, sizeof(e->party), &n) || !code_ok(e->party, n))
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

/* ---- names ------------------------------------------------------------ */

void ledger_origin(const char *code, bool exercise, const char *peer, char out[GS_MAX_NAME])
{
	char key[GS_MAX_NAME];

	int n;

	party_key_name(code, exercise, key);
	/* A key name is "gsomia[-exercise]/" + a party code: never truncated. */
	n = snprintf(out, GS_MAX_NAME, "%.64s/ledger/%.8s", key, peer && *peer ? peer : INTERNAL);
	(void)n;
}

int ledger_origin_peer(const struct party *p, const char *origin, char peer[GS_MAX_CODE])
{
	char key[GS_MAX_NAME];
	size_t kl;
	const char *rest;

	party_key_name(p->code, p->exercise, key);
	kl = strlen(key);
	if (strncmp(origin, key, kl) || strncmp(origin + kl, "/ledger/", 8))
		return GS_EINVAL;
	rest = origin + kl + 8;
	if (!strcmp(rest, INTERNAL)) {
		peer[0] = 0;
		return 0;
	}
	if (strlen(rest) != 3 || !code_ok(rest, 3) || !strcmp(rest, p->code))
		return GS_EINVAL;
	memcpy(peer, rest, 4);
	return 0;
}

/* ---- the stored tree -------------------------------------------------- */

struct ledger_cache {
	struct store *st;
	size_t next;
	struct {
		int64_t id; /* 0: unused */
		uint8_t last[HB];
		struct merkle_range range;
	} logs[CACHED_LOGS];
};

struct tree_ctx {
	struct store *st;
	int64_t log;
};

static int tree_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[HB])
{
	struct tree_ctx *t = ctx;

	return store_ledger_hash_get(t->st, t->log, level, index, out);
}

static int tree_put(void *ctx, uint64_t level, uint64_t index, const uint8_t hash[HB])
{
	struct tree_ctx *t = ctx;

	if (level == 0) /* the leaf is stored with its entry */
		return 0;
	return store_ledger_hash_put(t->st, t->log, level, index, hash);
}

void ledger_node_release(struct node *n)
{
	if (n && n->ledger) {
		free(n->ledger);
		n->ledger = NULL;
	}
}

/* Resolves the log for peer; create makes it if absent. */
static int open_log(struct node *n, const char *peer, int create, int64_t *id, uint64_t *size,
		    char origin[GS_MAX_NAME], struct gs_diag *d)
{
	int ret;

	if (peer && *peer) {
		if (!code_ok(peer, strlen(peer)))
			return gs_diag_set(d, GS_EUSAGE, "'%s' is not a party code", peer);
		if (!strcmp(peer, n->self.code))
			return gs_diag_set(d, GS_EUSAGE, "'%s' is this node's own party; its events go to the internal log",
					   peer);
	}
	ledger_origin(n->self.code, n->self.exercise, peer, origin);
	ret = store_ledger_log(n->st, origin, peer ? peer : "", create, id, size);
	if (ret == GS_ENOTFOUND) {
		*id = 0;
		*size = 0;
		return 0;
	}
	if (ret)
		return gs_diag_set(d, ret, "ledger '%s': cannot read the log", origin);
	return 0;
}

/* The compact range of the log at size, from the cache when it still
 * describes the stored tree (same size and same last leaf: leaves carry a
 * random nonce, so a rolled-back or foreign history cannot match), else
 * rebuilt from the stored hashes. */
static int range_for(struct node *n, int64_t id, uint64_t size, struct merkle_range *out,
		     size_t *slot)
{
	struct ledger_cache *c = n->ledger;
	struct tree_ctx t = { n->st, id };
	uint8_t last[HB];
	size_t i;
	int ret;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return GS_ENOMEM;
		n->ledger = c;
	}
	if (c->st != n->st) {
		memset(c, 0, sizeof(*c));
		c->st = n->st;
	}
	for (i = 0; i < CACHED_LOGS; i++) {
		if (c->logs[i].id != id || c->logs[i].range.size != size)
			continue;
		if (size == 0)
			break;
		if ((ret = store_ledger_hash_get(n->st, id, 0, size - 1, last)))
			return ret;
		if (!memcmp(last, c->logs[i].last, HB))
			break;
	}
	if (i == CACHED_LOGS) {
		for (i = 0; i < CACHED_LOGS; i++)
			if (c->logs[i].id == id)
				break;
		if (i == CACHED_LOGS) {
			i = c->next;
			c->next = (c->next + 1) % CACHED_LOGS;
		}
		c->logs[i].id = 0;
		if ((ret = merkle_range_load(&c->logs[i].range, size, tree_get, &t)))
			return ret;
		if (size && (ret = store_ledger_hash_get(n->st, id, 0, size - 1, c->logs[i].last)))
			return ret;
		c->logs[i].id = id;
	}
	*out = c->logs[i].range;
	*slot = i;
	return 0;
}

int ledger_append_raw(struct node *n, const char *peer, const uint8_t *entry, size_t len,
		      const char *kind, gs_instant time, uint64_t *index_out, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct merkle_range *r;
	struct tree_ctx t;
	uint8_t leaf[HB];
	uint64_t size;
	int64_t id;
	size_t slot;
	int ret;

	if (!store_in_transaction(n->st))
		return gs_diag_set(d, GS_ESTATE, "ledger: an append must be inside the caller's transaction");
	if (len > GS_MAX_LEDGER_ENTRY)
		return gs_diag_set(d, GS_ELIMIT, "ledger: entry longer than %d bytes", GS_MAX_LEDGER_ENTRY);
	if ((ret = open_log(n, peer, 1, &id, &size, origin, d)))
		return ret;
	r = malloc(sizeof(*r));
	if (!r)
		return GS_ENOMEM;
	merkle_leaf_hash(entry, len, leaf);
	if ((ret = range_for(n, id, size, r, &slot))) {
		gs_diag_set(d, ret, "ledger '%s': cannot load the tree at size %" PRIu64, origin, size);
		goto out;
	}
	t.st = n->st;
	t.log = id;
	/* One pass: the completed subtree hashes go to the store as the
	 * range absorbs the leaf; the cache keeps the range for the next
	 * append of the transaction. */
	if ((ret = merkle_range_append(r, leaf, tree_put, &t)) ||
	    (ret = store_ledger_entry_add(n->st, id, size, time, kind, entry, len, leaf))) {
		gs_diag_set(d, ret, "ledger '%s': cannot append entry %" PRIu64, origin, size);
		goto out;
	}
	n->ledger->logs[slot].range = *r;
	memcpy(n->ledger->logs[slot].last, leaf, HB);
	if (index_out)
		*index_out = size;
out:
	free(r);
	return ret;
}

int ledger_append(struct node *n, const char *peer, const struct ledger_entry *e,
		  uint64_t *index_out, struct gs_diag *d)
{
	struct ledger_entry *x;
	uint8_t *buf;
	size_t len;
	int ret;

	if (!store_in_transaction(n->st))
		return gs_diag_set(d, GS_ESTATE, "ledger: an append must be inside the caller's transaction");
	/* a home restored from a backup does not fork what a peer cosigned */
	if ((ret = restore_hold_refuses(n, peer, d)))
		return ret;
	x = malloc(sizeof(*x));
	buf = malloc(GS_MAX_LEDGER_ENTRY);
	if (!x || !buf) {
		ret = GS_ENOMEM;
		goto out;
	}
	*x = *e;
	ledger_nonce(x->nonce);
	/* an entry that names no person is the act of the one the node acts for */
	if (!x->person[0] && n->actor[0])
		snprintf(x->person, sizeof(x->person), "%s", n->actor);
	if (x->time == GS_INSTANT_NONE && (ret = node_now(n, &x->time, d)))
		goto out;
	if ((ret = ledger_entry_encode(x, buf, GS_MAX_LEDGER_ENTRY, &len, d)))
		goto out;
	ret = ledger_append_raw(n, peer, buf, len, ledger_type_name(x->type), x->time, index_out, d);
out:
	free(buf);
	free(x);
	return ret;
}

int ledger_event(struct node *n, const char *peer, unsigned type, gs_instant at,
		 const char *item, struct gs_diag *d, ...)
{
	struct ledger_entry *e = calloc(1, sizeof(*e));
	const char *k, *v;
	va_list ap;
	int ret = 0;

	if (!e)
		return GS_ENOMEM;
	e->type = type;
	e->time = at;
	snprintf(e->item, sizeof(e->item), "%s", item ? item : "");
	snprintf(e->party, sizeof(e->party), "%s", n->self.code);
	va_start(ap, d);
	while (!ret && (k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (ledger_entry_field(e, k, v))
			ret = gs_diag_set(d, GS_ELIMIT, "ledger: too many fields");
	}
	va_end(ap);
	if (!ret)
		ret = ledger_append(n, peer, e, NULL, d);
	free(e);
	return ret;
}

int ledger_root(struct node *n, const char *peer, uint64_t size, uint8_t root[32],
		struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct tree_ctx t;
	uint64_t have;
	int64_t id;
	int ret;

	if ((ret = open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (size > have)
		return gs_diag_set(d, GS_EINVAL, "ledger '%s' has %" PRIu64 " entries, not %" PRIu64,
				   origin, have, size);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_root(tree_get, &t, size, root)))
		return gs_diag_set(d, ret, "ledger '%s': stored tree damaged (cannot compute the root of size %" PRIu64 ")",
				   origin, size);
	return 0;
}

int ledger_head(struct node *n, const char *peer, uint64_t *size, uint8_t root[32],
		struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	int64_t id;
	int ret;

	if ((ret = open_log(n, peer, 0, &id, size, origin, d)))
		return ret;
	return ledger_root(n, peer, *size, root, d);
}

int ledger_prove_inclusion(struct node *n, const char *peer, uint64_t index, uint64_t size,
			   uint8_t proof[][32], size_t *nproof, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct tree_ctx t;
	uint64_t have;
	int64_t id;
	int ret;

	if ((ret = open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (size > have || index >= size)
		return gs_diag_set(d, GS_EINVAL, "ledger '%s': no entry %" PRIu64 " in a tree of %" PRIu64
				   " (the log has %" PRIu64 ")", origin, index, size, have);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_prove_inclusion(tree_get, &t, index, size, proof, nproof)))
		return gs_diag_set(d, ret, "ledger '%s': cannot make the proof for entry %" PRIu64, origin,
				   index);
	return 0;
}

int ledger_prove_consistency(struct node *n, const char *peer, uint64_t first, uint64_t second,
			     uint8_t proof[][32], size_t *nproof, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct tree_ctx t;
	uint64_t have;
	int64_t id;
	int ret;

	if ((ret = open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (first > second || second > have)
		return gs_diag_set(d, GS_EINVAL, "ledger '%s': no consistency proof from size %" PRIu64
				   " to %" PRIu64 " (the log has %" PRIu64 ")", origin, first, second, have);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_prove_consistency(tree_get, &t, first, second, proof, nproof)))
		return gs_diag_set(d, ret, "ledger '%s': cannot make the consistency proof", origin);
	return 0;
}

/* ---- checkpoints ------------------------------------------------------ */

static int checkpoint_sign_store(struct node *n, const char *peer, char **note, size_t *len,
				 struct gs_diag *d)
{
	char origin[GS_MAX_NAME], text[CHECKPOINT_TEXT_SIZE];
	uint8_t (*proof)[HB] = NULL, root[HB], oldroot[HB], check[HB];
	uint8_t *old = NULL;
	struct checkpoint cp;
	struct tree_ctx t;
	uint64_t size, oldsize;
	size_t oldlen, np, tlen;
	gs_instant now;
	int64_t id;
	int ret;

	*note = NULL;
	if ((ret = open_log(n, peer, 0, &id, &size, origin, d)))
		return ret;
	if (id == 0)
		return gs_diag_set(d, GS_ENOTFOUND, "ledger '%s' has no entries yet; nothing to checkpoint",
				   origin);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_root(tree_get, &t, size, root)))
		return gs_diag_set(d, ret, "ledger '%s': stored tree damaged; not signing", origin);
	ret = store_ledger_checkpoint_latest(n->st, id, &oldsize, oldroot, &old, &oldlen);
	if (ret && ret != GS_ENOTFOUND)
		return gs_diag_set(d, ret, "ledger '%s': cannot read its checkpoints", origin);
	if (ret == 0) {
		/* Never sign two inconsistent checkpoints: the stored tree must
		 * still have the old root at the old size, and prove it. */
		proof = malloc(GS_MAX_PROOF_HASHES * sizeof(*proof));
		if (!proof) {
			ret = GS_ENOMEM;
			goto out;
		}
		if (oldsize > size ||
		    merkle_root(tree_get, &t, oldsize, check) || memcmp(check, oldroot, HB) ||
		    merkle_prove_consistency(tree_get, &t, oldsize, size, proof, &np) ||
		    merkle_verify_consistency(oldsize, size, oldroot, root,
					      (const uint8_t (*)[HB])proof, np)) {
			ret = gs_diag_set(d, GS_ECRYPTO,
					  "ledger '%s': the log is not consistent with its checkpoint at size %" PRIu64
					  "; refusing to sign (run 'gsomia ledger verify')", origin, oldsize);
			goto out;
		}
		if (oldsize == size) {
			*note = (char *)old;
			*len = oldlen;
			old = NULL;
			ret = 0;
			goto out;
		}
	}
	if (!n->keys_loaded) {
		ret = gs_diag_set(d, GS_ESTATE, "ledger '%s': the node's keys are locked; cannot sign a checkpoint",
				  origin);
		goto out;
	}
	memset(&cp, 0, sizeof(cp));
	snprintf(cp.origin, sizeof(cp.origin), "%s", origin);
	cp.size = size;
	memcpy(cp.root, root, HB);
	if ((ret = checkpoint_format(&cp, text, sizeof(text), &tlen))) {
		gs_diag_set(d, ret, "ledger '%s': cannot format the checkpoint", origin);
		goto out;
	}
	if ((ret = note_sign(text, tlen, origin, n->keys.sign_sk, note, len, d)))
		goto out;
	if ((ret = node_now(n, &now, d)))
		goto out;
	if ((ret = store_ledger_checkpoint_put(n->st, id, size, root, (const uint8_t *)*note, *len, now))) {
		gs_diag_set(d, ret, "ledger '%s': cannot store the checkpoint of size %" PRIu64, origin, size);
		goto out;
	}
out:
	if (ret && *note) {
		free(*note);
		*note = NULL;
	}
	free(proof);
	free(old);
	return ret;
}

int ledger_checkpoint(struct node *n, const char *peer, char **note, size_t *len,
		      struct gs_diag *d)
{
	int own = !store_in_transaction(n->st), ret;

	if (own && (ret = store_begin(n->st)))
		return gs_diag_set(d, ret, "ledger: cannot begin a transaction");
	ret = checkpoint_sign_store(n, peer, note, len, d);
	if (own) {
		if (!ret && (ret = store_commit(n->st)))
			gs_diag_set(d, ret, "ledger: cannot commit the checkpoint");
		if (ret)
			store_rollback(n->st);
	}
	if (ret && *note) {
		free(*note);
		*note = NULL;
	}
	return ret;
}

/* ---- proof files ------------------------------------------------------ */

int ledger_checkpoint_held(struct node *n, const char *peer, uint64_t *size, char **note, size_t *len,
			   struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	uint8_t root[HB], *buf = NULL;
	uint64_t have;
	int64_t id;
	size_t blen;
	char *s;
	int ret;

	*note = NULL;
	*len = 0;
	if ((ret = open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (!id)
		return gs_diag_set(d, GS_ENOTFOUND, "ledger '%s' has no entry yet", origin);
	ret = store_ledger_checkpoint_latest(n->st, id, size, root, &buf, &blen);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "ledger '%s' has no signed checkpoint yet", origin);
	if (ret)
		return gs_diag_set(d, ret, "ledger '%s': cannot read its checkpoints", origin);
	if (!(s = malloc(blen + 1))) {
		free(buf);
		return GS_ENOMEM;
	}
	memcpy(s, buf, blen);
	s[blen] = 0;
	free(buf);
	*note = s;
	*len = blen;
	return 0;
}

int ledger_proof_make(struct node *n, const char *peer, uint64_t index, char **out, size_t *len,
		      struct gs_diag *d)
{
	char origin[GS_MAX_NAME], cpeer[GS_MAX_CODE];
	struct ledger_proof *pf = NULL;
	struct checkpoint cp;
	uint8_t *entry = NULL, *cnote = NULL, leaf[HB], root[HB];
	char *buf = NULL, *p;
	size_t elen, clen, cap, i, used;
	uint64_t size, csize;
	int64_t id;
	int ret, k;

	*out = NULL;
	if ((ret = open_log(n, peer, 0, &id, &size, origin, d)))
		return ret;
	if (index >= size)
		return gs_diag_set(d, GS_ENOTFOUND, "ledger '%s' has no entry %" PRIu64 " (it has %" PRIu64 ")",
				   origin, index, size);
	pf = malloc(sizeof(*pf));
	if (!pf) {
		ret = GS_ENOMEM;
		goto out;
	}
	/* The latest checkpoint if it covers the entry, else a new one. */
	ret = store_ledger_checkpoint_latest(n->st, id, &csize, root, &cnote, &clen);
	if (ret == 0 && csize <= index) {
		free(cnote);
		cnote = NULL;
		ret = GS_ENOTFOUND;
	}
	if (ret == GS_ENOTFOUND) {
		char *c;

		if ((ret = ledger_checkpoint(n, peer, &c, &clen, d)))
			goto out;
		cnote = (uint8_t *)c;
	} else if (ret) {
		gs_diag_set(d, ret, "ledger '%s': cannot read its checkpoints", origin);
		goto out;
	}
	if ((ret = ledger_verify_checkpoint(&n->self, (const char *)cnote, clen, &cp, cpeer, d))) {
		gs_diag_prefix(d, "ledger '%s': stored checkpoint", origin);
		goto out;
	}
	if ((ret = ledger_prove_inclusion(n, peer, index, cp.size, pf->hashes, &pf->nhashes, d)))
		goto out;
	if ((ret = store_ledger_entry_get(n->st, id, index, &entry, &elen, leaf))) {
		gs_diag_set(d, ret, "ledger '%s': cannot read entry %" PRIu64, origin, index);
		goto out;
	}
	merkle_leaf_hash(entry, elen, root);
	if (memcmp(root, leaf, HB) ||
	    merkle_verify_inclusion(index, cp.size, leaf, (const uint8_t (*)[HB])pf->hashes, pf->nhashes,
				    cp.root)) {
		ret = gs_diag_set(d, GS_ECRYPTO, "ledger '%s': entry %" PRIu64 " does not verify against the checkpoint "
				  "(damaged log; run 'gsomia ledger verify')", origin, index);
		goto out;
	}
	if (elen > GS_MAX_LEDGER_ENTRY) {
		ret = gs_diag_set(d, GS_ELIMIT, "ledger '%s': entry %" PRIu64 " too large", origin, index);
		goto out;
	}
	cap = sizeof(LEDGER_PROOF_HEADER) + 8 + B64_ENCODED_SIZE(elen) + 32 +
	      pf->nhashes * (B64_ENCODED_SIZE(HB) + 1) + 2 + clen + 1;
	buf = malloc(cap);
	if (!buf) {
		ret = GS_ENOMEM;
		goto out;
	}
	p = buf;
	used = 0;
	k = snprintf(p, cap, "%s\nextra ", LEDGER_PROOF_HEADER);
	used = (size_t)k;
	if (b64_encode(entry, elen, buf + used, cap - used)) {
		ret = GS_ELIMIT;
		goto out;
	}
	used += strlen(buf + used);
	k = snprintf(buf + used, cap - used, "\nindex %" PRIu64 "\n", index);
	used += (size_t)k;
	for (i = 0; i < pf->nhashes; i++) {
		if (b64_encode(pf->hashes[i], HB, buf + used, cap - used)) {
			ret = GS_ELIMIT;
			goto out;
		}
		used += strlen(buf + used);
		buf[used++] = '\n';
	}
	buf[used++] = '\n';
	memcpy(buf + used, cnote, clen);
	used += clen;
	buf[used] = 0;
	*out = buf;
	*len = used;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	free(entry);
	free(cnote);
	free(pf);
	return ret;
}

/* The next '\n'-terminated line of buf from *pos. */
static int line_at(const char *buf, size_t len, size_t *pos, const char **line, size_t *ll)
{
	const char *nl;

	if (*pos >= len)
		return -1;
	nl = memchr(buf + *pos, '\n', len - *pos);
	if (!nl)
		return -1;
	*line = buf + *pos;
	*ll = (size_t)(nl - *line);
	*pos = (size_t)(nl - buf) + 1;
	return 0;
}

static int parse_dec(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int ledger_proof_parse(const char *buf, size_t len, struct ledger_proof *out, struct gs_diag *d)
{
	const char *line;
	size_t pos = 0, ll, lineno = 1;
	struct ledger_proof *pf;
	int ret = GS_EINVAL;

	if (len > GS_MAX_LEDGER_PROOF)
		return gs_diag_set(d, GS_ELIMIT, "proof file larger than %u bytes", GS_MAX_LEDGER_PROOF);
	pf = malloc(sizeof(*pf));
	if (!pf)
		return GS_ENOMEM;
	memset(pf, 0, offsetof(struct ledger_proof, hashes));
#define BAD(...) do { ret = gs_diag_set(d, GS_EINVAL, __VA_ARGS__); goto out; } while (0)
	if (line_at(buf, len, &pos, &line, &ll) || ll != strlen(LEDGER_PROOF_HEADER) ||
	    memcmp(line, LEDGER_PROOF_HEADER, ll))
		BAD("1: not a proof file (the first line must be '%s')", LEDGER_PROOF_HEADER);
	lineno++;
	if (line_at(buf, len, &pos, &line, &ll) || ll < 6 || memcmp(line, "extra ", 6))
		BAD("2: the proof carries no ledger entry (no 'extra' line)");
	if (ll - 6 > B64_ENCODED_SIZE(GS_MAX_LEDGER_ENTRY))
		BAD("2: the entry is larger than %d bytes", GS_MAX_LEDGER_ENTRY);
	if (b64_decode(line + 6, ll - 6, pf->entry, sizeof(pf->entry), &pf->entry_len) ||
	    pf->entry_len == 0)
		BAD("2:7: the entry must be canonical base64");
	lineno++;
	if (line_at(buf, len, &pos, &line, &ll) || ll < 6 || memcmp(line, "index ", 6) ||
	    parse_dec(line + 6, ll - 6, &pf->index))
		BAD("3: expected 'index N' (decimal, no leading zero)");
	for (;;) {
		lineno++;
		if (line_at(buf, len, &pos, &line, &ll))
			BAD("%zu: the proof ends before its checkpoint", lineno);
		if (ll == 0)
			break;
		if (pf->nhashes == GS_MAX_PROOF_HASHES) {
			ret = gs_diag_set(d, GS_ELIMIT, "%zu: more than %d proof hashes", lineno,
					  GS_MAX_PROOF_HASHES);
			goto out;
		}
		if (b64_decode_exact(line, ll, pf->hashes[pf->nhashes], HB))
			BAD("%zu: a proof hash must be canonical base64 of 32 bytes", lineno);
		pf->nhashes++;
	}
	if (pos >= len)
		BAD("%zu: no checkpoint after the blank line", lineno + 1);
	pf->note = buf + pos;
	pf->note_len = len - pos;
#undef BAD
	*out = *pf;
	ret = 0;
out:
	free(pf);
	return ret;
}

/* ---- verification with a party's identity ----------------------------- */

int ledger_verify_checkpoint(const struct party *p, const char *note, size_t len,
			     struct checkpoint *out, char peer[GS_MAX_CODE], struct gs_diag *d)
{
	struct signed_note *sn;
	struct checkpoint cp;
	char pr[GS_MAX_CODE];
	int ret;

	sn = malloc(sizeof(*sn));
	if (!sn)
		return GS_ENOMEM;
	if ((ret = note_parse(note, len, sn, d))) {
		gs_diag_prefix(d, "checkpoint");
		goto out;
	}
	if ((ret = checkpoint_parse(sn->text, sn->text_len, &cp, d)))
		goto out;
	if (ledger_origin_peer(p, cp.origin, pr)) {
		ret = gs_diag_set(d, GS_EDENIED, "checkpoint of '%s' is not a ledger of party '%s'",
				  cp.origin, p->code);
		goto out;
	}
	ret = checkpoint_open(note, len, cp.origin, p->sign_pk, &cp, NULL, d);
	/* A checkpoint carries no instant: one signed before a key rotation
	 * verifies under the key of its day, unless that key was reported
	 * compromised (node/keyhistory.h). */
	for (int k = 0; ret == GS_ENOTFOUND && k < p->nkeys && k < GS_MAX_PARTY_KEYS; k++)
		if (p->keys[k].compromised_since == GS_INSTANT_NONE && memcmp(p->keys[k].sign_pk, p->sign_pk, 32))
			ret = checkpoint_open(note, len, cp.origin, p->keys[k].sign_pk, &cp, NULL, d);
	if (ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, GS_ECRYPTO, "checkpoint of '%s' is not signed by %s's key (fingerprint differs or signature missing)",
				  cp.origin, p->code);
		goto out;
	}
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "checkpoint of '%s': signature does not verify (forged or damaged)",
				  cp.origin);
		goto out;
	}
	*out = cp;
	memcpy(peer, pr, sizeof(pr));
out:
	free(sn);
	return ret;
}

int ledger_verify_proof(const struct party *p, const struct ledger_proof *proof,
			struct ledger_verified *out, struct gs_diag *d)
{
	struct ledger_verified v;
	int ret;

	memset(&v, 0, sizeof(v));
	if ((ret = ledger_verify_checkpoint(p, proof->note, proof->note_len, &v.cp, v.peer, d)))
		return ret;
	if (proof->index >= v.cp.size)
		return gs_diag_set(d, GS_ECRYPTO, "proof for entry %" PRIu64 " but the checkpoint of '%s' has %" PRIu64
				   " entries", proof->index, v.cp.origin, v.cp.size);
	merkle_leaf_hash(proof->entry, proof->entry_len, v.leaf);
	ret = merkle_verify_inclusion(proof->index, v.cp.size, v.leaf,
				      (const uint8_t (*)[HB])proof->hashes, proof->nhashes, v.cp.root);
	if (ret)
		return gs_diag_set(d, GS_ECRYPTO, "entry %" PRIu64 " is not proved included in '%s' at size %" PRIu64
				   " (the entry or the proof was altered, or the proof is for another size)",
				   proof->index, v.cp.origin, v.cp.size);
	if ((ret = ledger_entry_decode(proof->entry, proof->entry_len, &v.entry, d)))
		return ret;
	v.index = proof->index;
	*out = v;
	return 0;
}

int ledger_verify_consistency(const struct party *p, const char *old_note, size_t old_len,
			      const char *new_note, size_t new_len, const uint8_t proof[][32],
			      size_t nproof, struct gs_diag *d)
{
	struct checkpoint a, b;
	char pa[GS_MAX_CODE], pb[GS_MAX_CODE];
	int ret;

	if ((ret = ledger_verify_checkpoint(p, old_note, old_len, &a, pa, d)) ||
	    (ret = ledger_verify_checkpoint(p, new_note, new_len, &b, pb, d)))
		return ret;
	if (strcmp(a.origin, b.origin))
		return gs_diag_set(d, GS_EINVAL, "checkpoints of two logs ('%s', '%s')", a.origin, b.origin);
	if (a.size > b.size)
		return gs_diag_set(d, GS_EINVAL, "'%s': the old checkpoint (%" PRIu64 ") is larger than the new (%" PRIu64 ")",
				   a.origin, a.size, b.size);
	if (merkle_verify_consistency(a.size, b.size, a.root, b.root, proof, nproof))
		return gs_diag_set(d, GS_ECRYPTO, "'%s': checkpoints at %" PRIu64 " and %" PRIu64
				   " are not proved consistent", a.origin, a.size, b.size);
	return 0;
}

static int peer_checkpoint_add(struct node *n, const char *peer, const char *note, size_t len,
			       const uint8_t proof[][32], size_t nproof, struct gs_diag *d)
{
	struct party *p;
	struct checkpoint cp, old;
	struct ledger_entry *e = NULL;
	char pr[GS_MAX_CODE], size[24], b64[B64_ENCODED_SIZE(32)];
	uint8_t *oldnote = NULL;
	uint64_t oldsize;
	size_t oldlen;
	gs_instant now;
	int ret;

	p = malloc(sizeof(*p));
	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, peer, p, d)))
		goto out;
	if ((ret = ledger_verify_checkpoint(p, note, len, &cp, pr, d)))
		goto out;
	if (strcmp(pr, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "checkpoint of '%s' is not %s's log of its relationship with %s",
				  cp.origin, peer, n->self.code);
		goto out;
	}
	ret = store_ledger_peer_checkpoint_latest(n->st, cp.origin, &oldsize, &oldnote, &oldlen);
	if (ret == 0) {
		char opr[GS_MAX_CODE];

		if ((ret = ledger_verify_checkpoint(p, (const char *)oldnote, oldlen, &old, opr, d))) {
			gs_diag_prefix(d, "stored peer checkpoint");
			goto out;
		}
		if (cp.size < old.size) {
			ret = gs_diag_set(d, GS_EDENIED, "checkpoint of '%s' at size %" PRIu64 " is older than the one held (%" PRIu64 ")",
					  cp.origin, cp.size, old.size);
			goto out;
		}
		if (merkle_verify_consistency(old.size, cp.size, old.root, cp.root, proof, nproof)) {
			ret = gs_diag_set(d, GS_ECRYPTO, "checkpoint of '%s' at size %" PRIu64
					  " is not proved consistent with the one held at size %" PRIu64,
					  cp.origin, cp.size, old.size);
			goto out;
		}
	} else if (ret != GS_ENOTFOUND) {
		gs_diag_set(d, ret, "cannot read the checkpoints held for '%s'", cp.origin);
		goto out;
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	ret = store_ledger_peer_checkpoint_put(n->st, cp.origin, cp.size, (const uint8_t *)note, len, now);
	if (ret == GS_EEXIST) {
		ret = gs_diag_set(d, GS_ECRYPTO, "'%s' signed two different checkpoints of size %" PRIu64,
				  cp.origin, cp.size);
		goto out;
	}
	if (ret) {
		gs_diag_set(d, ret, "cannot store the checkpoint of '%s'", cp.origin);
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		ret = GS_ENOMEM;
		goto out;
	}
	e->type = LEDGER_PEER_CHECKPOINT;
	e->time = now;
	snprintf(e->party, sizeof(e->party), "%s", peer);
	snprintf(size, sizeof(size), "%" PRIu64, cp.size);
	b64_encode(cp.root, 32, b64, sizeof(b64));
	ledger_entry_field(e, "origin", cp.origin);
	ledger_entry_field(e, "root", b64);
	ledger_entry_field(e, "size", size);
	ret = ledger_append(n, peer, e, NULL, d);
out:
	free(e);
	free(oldnote);
	free(p);
	return ret;
}

int ledger_peer_checkpoint_add(struct node *n, const char *peer, const char *note, size_t len,
			       const uint8_t proof[][32], size_t nproof, struct gs_diag *d)
{
	int own = !store_in_transaction(n->st), ret;

	if (own && (ret = store_begin(n->st)))
		return gs_diag_set(d, ret, "ledger: cannot begin a transaction");
	ret = peer_checkpoint_add(n, peer, note, len, proof, nproof, d);
	if (own) {
		if (!ret && (ret = store_commit(n->st)))
			gs_diag_set(d, ret, "ledger: cannot commit the peer checkpoint");
		if (ret)
			store_rollback(n->st);
	}
	return ret;
}

/* ---- reading and verifying the stored logs ---------------------------- */

struct each_ctx {
	int (*fn)(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32]);
	void *ctx;
	const char *origin;
	struct ledger_entry e;
	struct gs_diag *d;
};

static int each_one(void *ctx, uint64_t idx, int64_t time, const char *kind, const uint8_t *entry,
		    size_t len, const uint8_t *leaf, size_t leaflen)
{
	struct each_ctx *c = ctx;
	uint8_t h[HB];
	int ret;

	(void)time;
	(void)kind;
	if ((ret = ledger_entry_decode(entry, len, &c->e, c->d))) {
		gs_diag_prefix(c->d, "ledger '%s': entry %" PRIu64, c->origin, idx);
		return ret;
	}
	memset(h, 0, sizeof(h));
	if (leaflen == HB)
		memcpy(h, leaf, HB);
	return c->fn(c->ctx, idx, &c->e, h);
}

int ledger_each(struct node *n, const char *peer, uint64_t from, uint64_t to,
		int (*fn)(void *ctx, uint64_t index, const struct ledger_entry *e,
			  const uint8_t leaf[32]),
		void *ctx, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct each_ctx *c;
	uint64_t size;
	int64_t id;
	int ret;

	if ((ret = open_log(n, peer, 0, &id, &size, origin, d)))
		return ret;
	if (id == 0)
		return 0;
	c = malloc(sizeof(*c));
	if (!c)
		return GS_ENOMEM;
	c->fn = fn;
	c->ctx = ctx;
	c->origin = origin;
	c->d = d;
	ret = store_ledger_entry_each(n->st, id, from, to, each_one, c);
	free(c);
	if (ret == GS_EIO)
		gs_diag_set(d, ret, "ledger '%s': cannot read its entries", origin);
	return ret;
}

struct cp_row {
	uint64_t size;
	uint8_t root[HB];
	int root_ok;
	char *note;
	size_t len;
};

struct verify_ctx {
	struct node *n;
	struct gs_diag *d;
	const char *origin;
	int64_t id;
	struct merkle_range range;
	struct cp_row *cps;
	size_t ncps, cap, next_cp;
	uint64_t expect;
	struct ledger_entry e;
	int (*fn)(void *ctx, const struct ledger_log_report *r);
	void *fnctx;
	const char *only; /* NULL all logs, else this peer ("" internal) */
};

static int collect_cp(void *ctx, uint64_t size, const uint8_t *root, size_t rootlen,
		      const uint8_t *note, size_t len, int64_t signed_at)
{
	struct verify_ctx *v = ctx;
	struct cp_row *r;

	(void)signed_at;
	if (v->ncps == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		struct cp_row *nr = realloc(v->cps, cap * sizeof(*nr));

		if (!nr)
			return GS_ENOMEM;
		v->cps = nr;
		v->cap = cap;
	}
	r = &v->cps[v->ncps];
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->root_ok = rootlen == HB;
	if (r->root_ok)
		memcpy(r->root, root, HB);
	r->note = malloc(len + 1);
	if (!r->note)
		return GS_ENOMEM;
	memcpy(r->note, note, len);
	r->note[len] = 0;
	r->len = len;
	v->ncps++;
	return 0;
}

/* Compares every subtree hash an append completes with the stored one. */
static int compare_put(void *ctx, uint64_t level, uint64_t index, const uint8_t hash[HB])
{
	struct verify_ctx *v = ctx;
	uint8_t h[HB];
	uint64_t first, last;

	if (level == 0)
		return 0;
	first = index << level;
	last = first + ((uint64_t)1 << level) - 1;
	if (store_ledger_hash_get(v->n->st, v->id, level, index, h) || memcmp(h, hash, HB))
		return gs_diag_set(v->d, GS_ECRYPTO,
				   "ledger '%s': entries %" PRIu64 "-%" PRIu64 ": the stored subtree hash (level %" PRIu64
				   ", index %" PRIu64 ") does not match the entries (altered leaf hash or tree)",
				   v->origin, first, last, level, index);
	return 0;
}

static int check_cps_at(struct verify_ctx *v)
{
	uint8_t root[HB];

	while (v->next_cp < v->ncps && v->cps[v->next_cp].size == v->range.size) {
		struct cp_row *r = &v->cps[v->next_cp];

		merkle_range_root(&v->range, root);
		if (!r->root_ok || memcmp(root, r->root, HB))
			return gs_diag_set(v->d, GS_ECRYPTO,
					   "ledger '%s': checkpoint at size %" PRIu64 " does not match entries 0-%" PRIu64
					   " (an entry before it was altered)", v->origin, r->size,
					   r->size ? r->size - 1 : 0);
		v->next_cp++;
	}
	return 0;
}

static int verify_entry(void *ctx, uint64_t idx, int64_t time, const char *kind,
			const uint8_t *entry, size_t len, const uint8_t *leaf, size_t leaflen)
{
	struct verify_ctx *v = ctx;
	uint8_t h[HB];
	int ret;

	if (idx != v->expect)
		return gs_diag_set(v->d, GS_ECRYPTO, "ledger '%s': entry %" PRIu64 " is missing",
				   v->origin, v->expect);
	merkle_leaf_hash(entry, len, h);
	if (leaflen != HB || memcmp(h, leaf, HB))
		return gs_diag_set(v->d, GS_ECRYPTO,
				   "ledger '%s': entry %" PRIu64 ": its bytes do not hash to its stored leaf hash (altered entry)",
				   v->origin, idx);
	if ((ret = ledger_entry_decode(entry, len, &v->e, v->d))) {
		gs_diag_prefix(v->d, "ledger '%s': entry %" PRIu64, v->origin, idx);
		return GS_ECRYPTO;
	}
	if (strcmp(kind, ledger_type_name(v->e.type)) || time != v->e.time)
		return gs_diag_set(v->d, GS_ECRYPTO,
				   "ledger '%s': entry %" PRIu64 ": its kind or time columns differ from the entry",
				   v->origin, idx);
	if ((ret = merkle_range_append(&v->range, h, compare_put, v)))
		return ret == GS_ECRYPTO ? ret : gs_diag_set(v->d, ret, "ledger '%s': entry %" PRIu64,
							     v->origin, idx);
	v->expect++;
	return check_cps_at(v);
}

static void free_cps(struct verify_ctx *v)
{
	size_t i;

	for (i = 0; i < v->ncps; i++)
		free(v->cps[i].note);
	free(v->cps);
	v->cps = NULL;
	v->ncps = v->cap = v->next_cp = 0;
}

static int verify_log(void *ctx, int64_t id, const char *origin, const char *peer, uint64_t size)
{
	struct verify_ctx *v = ctx;
	struct ledger_log_report rep;
	struct checkpoint cp;
	char pr[GS_MAX_CODE], want[GS_MAX_NAME];
	size_t i;
	int ret;

	if (v->only && strcmp(v->only, peer))
		return 0;
	ledger_origin(v->n->self.code, v->n->self.exercise, peer, want);
	if (strcmp(want, origin))
		return gs_diag_set(v->d, GS_ECRYPTO, "ledger '%s' is not named as this node's log for '%s'",
				   origin, *peer ? peer : INTERNAL);
	v->origin = origin;
	v->id = id;
	v->expect = 0;
	merkle_range_init(&v->range);
	free_cps(v);
	if ((ret = store_ledger_checkpoint_each(v->n->st, id, collect_cp, v)))
		goto out;
	/* Every checkpoint is signed by this node for this log and says what
	 * its row says. */
	for (i = 0; i < v->ncps; i++) {
		ret = ledger_verify_checkpoint(&v->n->self, v->cps[i].note, v->cps[i].len, &cp, pr, v->d);
		if (ret) {
			gs_diag_prefix(v->d, "ledger '%s': checkpoint at size %" PRIu64, origin, v->cps[i].size);
			ret = GS_ECRYPTO;
			goto out;
		}
		if (strcmp(cp.origin, origin) || cp.size != v->cps[i].size || !v->cps[i].root_ok ||
		    memcmp(cp.root, v->cps[i].root, HB)) {
			ret = gs_diag_set(v->d, GS_ECRYPTO,
					  "ledger '%s': checkpoint at size %" PRIu64 " is not what its row says",
					  origin, v->cps[i].size);
			goto out;
		}
		if (v->cps[i].size > size) {
			ret = gs_diag_set(v->d, GS_ECRYPTO,
					  "ledger '%s': a checkpoint at size %" PRIu64 " but only %" PRIu64 " entries (entries removed)",
					  origin, v->cps[i].size, size);
			goto out;
		}
	}
	if ((ret = check_cps_at(v)))
		goto out;
	if ((ret = store_ledger_entry_each(v->n->st, id, 0, UINT64_MAX, verify_entry, v)))
		goto out;
	if (v->expect != size) {
		ret = gs_diag_set(v->d, GS_ECRYPTO, "ledger '%s': %" PRIu64 " entries but its size says %" PRIu64,
				  origin, v->expect, size);
		goto out;
	}
	memset(&rep, 0, sizeof(rep));
	snprintf(rep.origin, sizeof(rep.origin), "%s", origin);
	snprintf(rep.peer, sizeof(rep.peer), "%s", peer);
	rep.size = size;
	merkle_range_root(&v->range, rep.root);
	rep.checkpoints = v->ncps;
	ret = v->fn ? v->fn(v->fnctx, &rep) : 0;
out:
	if (ret == GS_EIO)
		gs_diag_set(v->d, ret, "ledger '%s': cannot read the database", origin);
	free_cps(v);
	return ret;
}

int ledger_verify_local(struct node *n, const char *peer,
			int (*fn)(void *ctx, const struct ledger_log_report *r), void *ctx,
			struct gs_diag *d)
{
	struct verify_ctx *v;
	int ret;

	v = calloc(1, sizeof(*v));
	if (!v)
		return GS_ENOMEM;
	v->n = n;
	v->d = d;
	v->fn = fn;
	v->fnctx = ctx;
	v->only = peer;
	ret = store_ledger_log_each(n->st, verify_log, v);
	free_cps(v);
	free(v);
	return ret;
}

struct logs_ctx {
	struct node *n;
	int (*fn)(void *ctx, const struct ledger_log_report *r);
	void *ctx;
	struct gs_diag *d;
};

static int logs_one(void *ctx, int64_t id, const char *origin, const char *peer, uint64_t size)
{
	struct logs_ctx *c = ctx;
	struct ledger_log_report r;
	struct tree_ctx t = { c->n->st, id };
	int ret;

	memset(&r, 0, sizeof(r));
	snprintf(r.origin, sizeof(r.origin), "%s", origin);
	snprintf(r.peer, sizeof(r.peer), "%s", peer);
	r.size = size;
	if ((ret = merkle_root(tree_get, &t, size, r.root)))
		return gs_diag_set(c->d, ret, "ledger '%s': stored tree damaged", origin);
	return c->fn(c->ctx, &r);
}

int ledger_logs(struct node *n, int (*fn)(void *ctx, const struct ledger_log_report *r),
		void *ctx, struct gs_diag *d)
{
	struct logs_ctx c = { n, fn, ctx, d };

	return store_ledger_log_each(n->st, logs_one, &c);
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
