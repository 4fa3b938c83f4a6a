/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/labelkey.h"
#include "crypto/note.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/node.h"
#include "core/tlspin.h"
#include "util/banned.h"

/* An identity is self-signed: the signature must verify under the key
 * the text itself names, with the key name its code and exercise flag
 * imply. The fingerprint is what people compare out of band. */
int identity_verify(const uint8_t *buf, size_t len, struct party *out, char fingerprint[80],
		    struct gs_diag *d)
{
	struct signed_note *sn;
	struct party *p;
	char keyname[GS_MAX_NAME];
	int ret;

	sn = calloc(1, sizeof(*sn));
	p = calloc(1, sizeof(*p));
	if (!sn || !p) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)buf, len, sn, d)))
		goto out;
	if ((ret = party_parse(sn->text, sn->text_len, p, d)))
		goto out;
	party_key_name(p->code, p->exercise, keyname);
	ret = note_verify(sn, keyname, p->sign_pk);
	if (ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, GS_ECRYPTO, "identity of '%s' carries no signature by its own key '%s'",
				  p->code, keyname);
		goto out;
	}
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "identity of '%s': signature does not verify (forged or damaged)",
				  p->code);
		goto out;
	}
	if (p->has_label_key && labelkey_check_public(p->label_pk)) {
		ret = gs_diag_set(d, GS_EINVAL, "identity of '%s': label-key is not a point of P-256", p->code);
		goto out;
	}
	keys_fingerprint(p->sign_pk, fingerprint);
	*out = *p;
out:
	free(sn);
	free(p);
	return ret;
}

int node_party_export(struct node *n, char **out, size_t *outlen, struct gs_diag *d)
{
	struct store_party sp;
	int ret;

	if ((ret = store_party_get(n->st, n->self.code, &sp)))
		return gs_diag_set(d, ret, "own identity missing");
	*out = (char *)sp.identity;
	*outlen = sp.identity_len;
	sp.identity = NULL;
	store_party_release(&sp);
	return 0;
}

int node_party_import(struct node *n, const uint8_t *buf, size_t len, struct party *out,
		      char fingerprint[80], struct gs_diag *d)
{
	struct store_party sp, held;
	struct party *p;
	gs_instant now;
	int ret, known = 0;

	p = calloc(1, sizeof(*p));
	if (!p)
		return GS_ENOMEM;
	if ((ret = identity_verify(buf, len, p, fingerprint, d)))
		goto out;
	if (p->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "identity of '%s' is %s but this node is %s; refused",
				  p->code, p->exercise ? "an exercise identity" : "a real identity",
				  n->self.exercise ? "an exercise node" : "a real node");
		goto out;
	}
	memset(&sp, 0, sizeof(sp));
	sp.code = p->code;
	sp.name = p->name;
	sp.fingerprint = fingerprint;
	sp.identity = (uint8_t *)buf;
	sp.identity_len = len;
	if ((ret = node_now(n, &now, d)))
		goto out;
	sp.imported_at = (int64_t)now;
	sp.is_self = !strcmp(p->code, n->self.code);
	if (sp.is_self && memcmp(p->sign_pk, n->self.sign_pk, sizeof(p->sign_pk))) {
		ret = gs_diag_set(d, GS_EDENIED, "identity claims to be '%s', this node's own party, with another key",
				  p->code);
		goto out;
	}
	if ((ret = store_begin(n->st)))
		goto out;
	if (store_party_get(n->st, p->code, &held) == 0) {
		known = held.identity_len == len && !memcmp(held.identity, buf, len);
		store_party_release(&held);
	}
	ret = store_party_put(n->st, &sp);
	if (ret == GS_EEXIST) {
		/* another key for a registered party: only as the new identity
		 * its rotation note announced (node/keyhistory.c) */
		bool rotated = false;

		store_rollback(n->st);
		if (!sp.is_self && (ret = keyhistory_identity_rotated(n, p, buf, len, fingerprint, &rotated, d)) == 0)
			*out = *p;
		else if (sp.is_self)
			gs_diag_set(d, ret, "party '%s' is already registered with another identity; refused", p->code);
		goto out;
	} else if (!ret && known) {
		store_rollback(n->st); /* the same identity again: nothing to do */
	} else if (!ret) {
		/* A peer's identity opens the log of the relationship with it:
		 * its first entry is the key this node pinned for the peer. */
		ret = ledger_event(n, sp.is_self ? NULL : p->code, LEDGER_PARTY_IMPORT,
				   now, p->code, d, "code", p->code,
				   "fingerprint", fingerprint, "name", p->name, NULL);
		if (!ret)
			ret = store_commit(n->st);
	}
	if (ret)
		store_rollback(n->st);
	if (!ret)
		*out = *p;
out:
	free(p);
	return ret;
}

/* Identities verified before, by the SHA-256 of their exact bytes: the
 * same bytes verify the same way, so a hit needs no signature check and
 * no invalidation. */
#define IDENTITY_CACHE_SLOTS 8

struct identity_cache {
	unsigned next;
	struct {
		bool used;
		uint8_t digest[crypto_hash_sha256_BYTES];
		struct party p;
	} slot[IDENTITY_CACHE_SLOTS];
	/* Whole parties as node_party_get() gave them (verified identity and
	 * key history), by code, while the database has not changed since
	 * (store_evidence_version): a decision asks for the same two or three
	 * parties again and again. */
	unsigned next_by_code;
	struct {
		bool used;
		uint64_t external, internal;
		struct party p;
	} by_code[IDENTITY_CACHE_SLOTS];
};

void node_identity_cache_release(struct node *n)
{
	free(n->identities);
	n->identities = NULL;
}

static int identity_verify_kept(struct node *n, const uint8_t *buf, size_t len, struct party *out,
				struct gs_diag *d)
{
	struct identity_cache *c = n->identities;
	uint8_t digest[crypto_hash_sha256_BYTES];
	char fpr[80];
	int i, ret;

	if (!c && !(c = n->identities = calloc(1, sizeof(*c))))
		return identity_verify(buf, len, out, fpr, d);
	crypto_hash_sha256(digest, buf, len);
	for (i = 0; i < IDENTITY_CACHE_SLOTS; i++) {
		if (c->slot[i].used && !memcmp(c->slot[i].digest, digest, sizeof(digest))) {
			*out = c->slot[i].p;
			return 0;
		}
	}
	if ((ret = identity_verify(buf, len, out, fpr, d)))
		return ret;
	i = (int)c->next;
	c->next = (c->next + 1) % IDENTITY_CACHE_SLOTS;
	c->slot[i].used = true;
	memcpy(c->slot[i].digest, digest, sizeof(digest));
	c->slot[i].p = *out;
	return 0;
}

/* The party kept for code while the database is as it was (0), or
 * GS_ENOTFOUND. *ext, *in: the database's version now. */
static int party_kept(struct node *n, const char *code, struct party *out, uint64_t *ext, uint64_t *in)
{
	struct identity_cache *c = n->identities;

	if (!c || store_evidence_version(n->st, ext, in))
		return GS_ENOTFOUND;
	for (int i = 0; i < IDENTITY_CACHE_SLOTS; i++)
		if (c->by_code[i].used && c->by_code[i].external == *ext && c->by_code[i].internal == *in &&
		    !strcmp(c->by_code[i].p.code, code)) {
			*out = c->by_code[i].p;
			return 0;
		}
	return GS_ENOTFOUND;
}

static void party_keep(struct node *n, const struct party *p, uint64_t ext, uint64_t in)
{
	struct identity_cache *c = n->identities;
	unsigned i;

	/* what a write transaction read may yet be rolled back */
	if (!c || (!ext && !in) || store_in_write(n->st))
		return;
	i = c->next_by_code;
	c->next_by_code = (c->next_by_code + 1) % IDENTITY_CACHE_SLOTS;
	c->by_code[i].used = true;
	c->by_code[i].external = ext;
	c->by_code[i].internal = in;
	c->by_code[i].p = *p;
}

int node_party_get(struct node *n, const char *code, struct party *out, struct gs_diag *d)
{
	struct store_party sp;
	uint64_t ext = 0, in = 0;
	int ret;

	if (party_kept(n, code, out, &ext, &in) == 0)
		return 0;
	ret = store_party_get(n->st, code, &sp);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown party '%s' (import its identity with 'gsomia party import FILE')", code);
	if (ret)
		return gs_diag_set(d, ret, "cannot read party '%s'", code);
	ret = identity_verify_kept(n, sp.identity, sp.identity_len, out, d);
	store_party_release(&sp);
	/* with its key history: signatures are checked against the key of
	 * their instant (node/keyhistory.h) */
	if (!ret)
		ret = node_party_keys_load(n, out, d);
	if (!ret)
		party_keep(n, out, ext, in);
	return ret;
}

struct by_pin {
	const char *pin;
	struct party *p;
	int found;
};

static int by_pin_one(void *ctx, const struct store_party *sp)
{
	struct by_pin *c = ctx;
	char fpr[80];

	if (sp->is_self)
		return 0;
	if (identity_verify(sp->identity, sp->identity_len, c->p, fpr, NULL))
		return 0;
	if (tls_pin_equal(c->p->tls_pin, c->pin)) {
		c->found = 1;
		return 1; /* stop */
	}
	return 0;
}

int node_party_by_pin(struct node *n, const char *pin, struct party *out, struct gs_diag *d)
{
	struct by_pin c;
	int ret;

	c.pin = pin;
	c.found = 0;
	c.p = calloc(1, sizeof(*c.p));
	if (!c.p)
		return GS_ENOMEM;
	ret = store_party_each(n->st, by_pin_one, &c);
	if (c.found) {
		*out = *c.p;
		ret = 0;
	} else if (ret >= 0) {
		ret = gs_diag_set(d, GS_ENOTFOUND, "no registered party has TLS key pin '%s'", pin);
	} else {
		gs_diag_set(d, ret, "cannot read the party register");
	}
	free(c.p);
	return ret;
}

struct party_list {
	struct party_entry *v;
	size_t n, cap;
};

static int list_one(void *ctx, const struct store_party *sp)
{
	struct party_list *l = ctx;
	struct party_entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct party_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return GS_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	snprintf(e->code, sizeof(e->code), "%s", sp->code);
	snprintf(e->name, sizeof(e->name), "%s", sp->name);
	snprintf(e->fingerprint, sizeof(e->fingerprint), "%s", sp->fingerprint);
	e->is_self = sp->is_self != 0;
	return 0;
}

int node_party_list(struct node *n, struct party_entry **out, size_t *count, struct gs_diag *d)
{
	struct party_list l = { NULL, 0, 0 };
	int ret = store_party_each(n->st, list_one, &l);

	*out = NULL;
	*count = 0;
	if (ret) {
		free(l.v);
		return gs_diag_set(d, ret, "cannot list the registered parties");
	}
	*out = l.v;
	*count = l.n;
	return 0;
}

