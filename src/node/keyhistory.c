/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/bundle.h"
#include "crypto/keys.h"
#include "crypto/tls.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/record.h"
#include "store/consent_store.h"
#include "store/key_store.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/banned.h"

#define ROTATE_DIR "rotate.new" /* the next keys, until the rotation is committed */
#define RETIRED_AD "gsomia retired box key v1"
#define RETIRED_BYTES (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + 32 + crypto_aead_xchacha20poly1305_ietf_ABYTES)

static gs_instant from_store(int64_t t)
{
	return t == STORE_NO_INSTANT ? GS_INSTANT_NONE : (gs_instant)t;
}

static int64_t to_store(gs_instant t)
{
	return t == GS_INSTANT_NONE ? STORE_NO_INSTANT : (int64_t)t;
}

static void note_id(const void *buf, size_t len, char out[KEY_NOTE_ID_HEX])
{
	uint8_t h[32];

	crypto_hash_sha256(h, buf, len);
	hex_encode(h, sizeof(h), out, KEY_NOTE_ID_HEX);
}

/* ---- the history as decisions see it ---------------------------------- */

struct load_ctx {
	struct party *p;
};

static int load_one(void *ctx, const struct store_party_key *k)
{
	struct load_ctx *c = ctx;
	struct party_key *pk;

	if (c->p->nkeys >= GS_MAX_PARTY_KEYS)
		return GS_ELIMIT;
	pk = &c->p->keys[c->p->nkeys++];
	memcpy(pk->sign_pk, k->sign_pk, 32);
	memcpy(pk->box_pk, k->box_pk, 32);
	pk->valid_from = from_store(k->valid_from);
	pk->valid_until = from_store(k->valid_until);
	pk->compromised_since = from_store(k->compromised_since);
	return 0;
}

int node_party_keys_load(struct node *n, struct party *p, struct gs_diag *d)
{
	struct load_ctx c = { p };
	int ret;

	p->nkeys = 0;
	ret = store_party_key_each(n->st, p->code, load_one, &c);
	if (ret == GS_ELIMIT)
		return gs_diag_set(d, ret, "the key history of '%s' holds more than %d keys", p->code, GS_MAX_PARTY_KEYS);
	if (ret)
		return gs_diag_set(d, ret, "cannot read the key history of '%s'", p->code);
	return 0;
}

/* The key of p whose window holds at, whatever its compromise (NULL: none). */
static const struct party_key *key_in_window(const struct party *p, gs_instant at)
{
	for (int i = 0; i < p->nkeys && i < GS_MAX_PARTY_KEYS; i++) {
		const struct party_key *k = &p->keys[i];

		if ((k->valid_from == GS_INSTANT_NONE || at >= k->valid_from) &&
		    (k->valid_until == GS_INSTANT_NONE || at < k->valid_until))
			return k;
	}
	return NULL;
}

static void fingerprint_of(const uint8_t pk[32], char out[80])
{
	keys_fingerprint(pk, out);
}

int party_note_verify_at(const struct party *p, const struct signed_note *sn, gs_instant at,
			 struct gs_diag *d)
{
	char keyname[GS_MAX_NAME], reason[GS_MAX_LINE], fpr[80], when[GS_INSTANT_STR];
	const uint8_t *key;
	struct decision dec;
	int ret, i;

	party_key_name(p->code, p->exercise, keyname);
	if (p->nkeys <= 0)
		return note_verify(sn, keyname, p->sign_pk);
	if (at == GS_INSTANT_NONE) {
		/* no instant to place it: any key the party has had */
		ret = note_verify(sn, keyname, p->sign_pk);
		for (i = 0; ret == GS_ENOTFOUND && i < p->nkeys; i++)
			ret = note_verify(sn, keyname, p->keys[i].sign_pk);
		return ret;
	}
	if ((ret = node_ruled(decide_key(p, at, &key, &i, &dec), "signing key", d)))
		return ret;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		return gs_diag_set(d, GS_EDENIED, "%s [%s]", reason, dec.rule_id);
	}
	ret = note_verify(sn, keyname, key);
	if (ret != GS_ENOTFOUND)
		return ret;
	/* signed, but by another of its keys than the one of that instant */
	for (int k = 0; k < p->nkeys; k++) {
		if (k == i || note_verify(sn, keyname, p->keys[k].sign_pk))
			continue;
		fingerprint_of(p->keys[k].sign_pk, fpr);
		instant_format(at, when);
		return gs_diag_set(d, GS_EDENIED, "signed with %s's key %s, which was not its key at %s [key.unknown]",
				   p->code, fpr, when);
	}
	return GS_ENOTFOUND;
}

int party_keys_at(const struct party *p, gs_instant at, const uint8_t **sign, const uint8_t **box,
		  struct gs_diag *d)
{
	struct decision dec;
	char reason[GS_MAX_LINE];
	int i, ret;

	if ((ret = node_ruled(decide_key(p, at, sign, &i, &dec), "party's keys", d)))
		return ret;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		return gs_diag_set(d, dec.rule == RULE_KEY_COMPROMISED ? GS_EDENIED : GS_ENOTFOUND, "%s [%s]", reason,
				   dec.rule_id);
	}
	*box = i >= 0 ? p->keys[i].box_pk : p->box_pk;
	return 0;
}

int party_ready_to_seal(const struct party *p, struct gs_diag *d)
{
	for (int i = 0; i < p->nkeys && i < GS_MAX_PARTY_KEYS; i++) {
		const struct party_key *k = &p->keys[i];
		char when[GS_INSTANT_STR];

		if (k->valid_until != GS_INSTANT_NONE || !memcmp(k->sign_pk, p->sign_pk, 32))
			continue;
		instant_format_local(k->valid_from, p->zone, when);
		return gs_diag_set(d, GS_EDENIED, "%s rotated its keys at %s; import its new identity "
				   "('gsomia party import FILE') before sealing anything to it", p->code, when);
	}
	return 0;
}

/* ---- this node's retired X25519 secrets ---------------------------------- */

/* Seals a retired X25519 secret under the storage key of box_sk (the
 * current one), bound to its public key. */
static void retired_seal(const uint8_t box_sk[32], const uint8_t old_pk[32], const uint8_t old_sk[32],
			 uint8_t out[RETIRED_BYTES])
{
	uint8_t key[32], ad[sizeof(RETIRED_AD) - 1 + 32];

	item_storage_key(box_sk, key);
	memcpy(ad, RETIRED_AD, sizeof(RETIRED_AD) - 1);
	memcpy(ad + sizeof(RETIRED_AD) - 1, old_pk, 32);
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, old_sk, 32,
						   ad, sizeof(ad), NULL, out, key);
	sodium_memzero(key, sizeof(key));
}

static int retired_open(const uint8_t box_sk[32], const uint8_t old_pk[32], const uint8_t *blob, size_t len,
			uint8_t *old_sk)
{
	uint8_t key[32], ad[sizeof(RETIRED_AD) - 1 + 32];
	int ret;

	if (len != RETIRED_BYTES)
		return GS_ECRYPTO;
	item_storage_key(box_sk, key);
	memcpy(ad, RETIRED_AD, sizeof(RETIRED_AD) - 1);
	memcpy(ad + sizeof(RETIRED_AD) - 1, old_pk, 32);
	ret = crypto_aead_xchacha20poly1305_ietf_decrypt(old_sk, NULL, NULL,
							 blob + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
							 len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, sizeof(ad),
							 blob, key);
	sodium_memzero(key, sizeof(key));
	return ret ? GS_ECRYPTO : 0;
}

struct unwrap_ctx {
	struct node *n;
	int fd;
	uint8_t *fk;
	uint8_t *box_pk;
	int done;
};

static int unwrap_one(void *ctx, const struct store_party_key *k)
{
	struct unwrap_ctx *c = ctx;
	uint8_t *sk;

	if (!k->box_sk_sealed || c->done)
		return 0;
	sk = sodium_malloc(32);
	if (!sk)
		return GS_ENOMEM;
	if (!retired_open(c->n->keys.box_sk, k->box_pk, k->box_sk_sealed, k->box_sk_sealed_len, sk) &&
	    lseek(c->fd, 0, SEEK_SET) == 0 && !bundle_unwrap_key(c->fd, sk, c->fk, NULL)) {
		memcpy(c->box_pk, k->box_pk, 32);
		c->done = 1;
	}
	sodium_free(sk);
	return 0;
}

int node_unwrap_bundle_key(struct node *n, int fd, uint8_t file_key[16], uint8_t box_pk[32], struct gs_diag *d)
{
	struct unwrap_ctx c = { n, fd, file_key, box_pk, 0 };
	struct gs_diag first;
	int ret;

	memset(&first, 0, sizeof(first));
	if (lseek(fd, 0, SEEK_SET) != 0)
		return gs_diag_set(d, GS_EIO, "cannot seek");
	ret = bundle_unwrap_key(fd, n->keys.box_sk, file_key, &first);
	if (!ret) {
		memcpy(box_pk, n->self.box_pk, 32);
		return 0;
	}
	/* sealed to a key this node has since rotated away */
	if (!store_party_key_each(n->st, n->self.code, unwrap_one, &c) && c.done)
		return 0;
	if (d)
		*d = first;
	return ret;
}

/* ---- rotating this node's keys ------------------------------------------- */

static int path_in(char *out, size_t cap, const char *home, const char *a, const char *b)
{
	int k = b ? snprintf(out, cap, "%s/%s/%s", home, a, b) : snprintf(out, cap, "%s/%s", home, a);

	return k < 0 || (size_t)k >= cap ? GS_ELIMIT : 0;
}

static void remove_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char p[GS_PATH_MAX];

	if (dp) {
		while ((e = readdir(dp))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(dp);
	}
	rmdir(dir);
}

/* Puts the new key file and TLS files of ROTATE_DIR in place. */
static int rotate_finish(const char *home, struct gs_diag *d)
{
	static const char *const names[] = { TLS_KEY_NAME, TLS_CRT_NAME, NODE_KEYS_FILE };
	char from[GS_PATH_MAX], to[GS_PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (path_in(from, sizeof(from), home, ROTATE_DIR, names[i]) ||
		    path_in(to, sizeof(to), home, names[i], NULL))
			return gs_diag_set(d, GS_ELIMIT, "home path too long");
		if (access(from, F_OK) == 0 && rename(from, to) != 0)
			return gs_diag_set(d, GS_EIO, "%s: %s", to, strerror(errno));
	}
	path_in(from, sizeof(from), home, ROTATE_DIR, NULL);
	remove_dir(from);
	return 0;
}

void keyhistory_recover(struct node *n)
{
	char dir[GS_PATH_MAX], path[GS_PATH_MAX];
	uint8_t *buf = NULL, spk[32], bpk[32];
	size_t len = 0;

	if (path_in(dir, sizeof(dir), n->home, ROTATE_DIR, NULL) || access(dir, F_OK) != 0)
		return;
	/* committed if the identity in the database is the new key file's */
	if (!path_in(path, sizeof(path), n->home, ROTATE_DIR, NODE_KEYS_FILE) &&
	    !read_file(path, GS_MAX_KEYFILE_BYTES, &buf, &len, NULL) &&
	    !keys_public((const char *)buf, len, spk, bpk, NULL) && !memcmp(spk, n->self.sign_pk, 32)) {
		free(buf);
		rotate_finish(n->home, NULL);
		return;
	}
	free(buf);
	remove_dir(dir);
}

static int key_row(struct store_party_key *k, const char *code, const uint8_t sign_pk[32], const uint8_t box_pk[32],
		   gs_instant from, gs_instant until, gs_instant now)
{
	char fpr[KEYS_FINGERPRINT_SIZE];

	memset(k, 0, sizeof(*k));
	snprintf(k->code, sizeof(k->code), "%s", code);
	keys_fingerprint(sign_pk, fpr);
	memcpy(k->fingerprint, fpr, sizeof(fpr));
	memcpy(k->sign_pk, sign_pk, 32);
	memcpy(k->box_pk, box_pk, 32);
	k->valid_from = to_store(from);
	k->valid_until = to_store(until);
	k->compromised_since = STORE_NO_INSTANT;
	k->recorded_at = now;
	return 0;
}

/* Copies of the rows of code (blobs owned), oldest first. */
struct rows {
	size_t n;
	struct store_party_key k[GS_MAX_PARTY_KEYS + 1];
};

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *q;

	if (!p)
		return NULL;
	q = malloc(n + 1);
	if (q)
		memcpy(q, p, n);
	return q;
}

static int rows_one(void *ctx, const struct store_party_key *k)
{
	struct rows *r = ctx;
	struct store_party_key *c;

	if (r->n >= GS_MAX_PARTY_KEYS)
		return GS_ELIMIT;
	c = &r->k[r->n++];
	*c = *k;
	c->identity = dup_bytes(k->identity, k->identity_len);
	c->rotation = dup_bytes(k->rotation, k->rotation_len);
	c->compromise = dup_bytes(k->compromise, k->compromise_len);
	c->box_sk_sealed = dup_bytes(k->box_sk_sealed, k->box_sk_sealed_len);
	if ((k->identity && !c->identity) || (k->rotation && !c->rotation) || (k->compromise && !c->compromise) ||
	    (k->box_sk_sealed && !c->box_sk_sealed))
		return GS_ENOMEM;
	return 0;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		store_party_key_release(&r->k[i]);
	r->n = 0;
}

static int rows_load(struct node *n, const char *code, struct rows *r, struct gs_diag *d)
{
	int ret;

	r->n = 0;
	if ((ret = store_party_key_each(n->st, code, rows_one, r))) {
		rows_free(r);
		return gs_diag_set(d, ret, ret == GS_ELIMIT ? "the key history of '%s' is full" :
				   "cannot read the key history of '%s'", code);
	}
	return 0;
}

static struct store_party_key *row_of(struct rows *r, const uint8_t pk[32])
{
	for (size_t i = 0; i < r->n; i++)
		if (!memcmp(r->k[i].sign_pk, pk, 32))
			return &r->k[i];
	return NULL;
}

/* The row of p's current key, made from its registered identity when the
 * history is still empty. */
static int current_row(struct node *n, struct rows *r, const struct party *p, gs_instant now,
		       struct store_party_key **out, struct gs_diag *d)
{
	struct store_party_key *k = row_of(r, p->sign_pk);
	struct store_party sp;

	if (k) {
		*out = k;
		return 0;
	}
	if (r->n >= GS_MAX_PARTY_KEYS)
		return gs_diag_set(d, GS_ELIMIT, "the key history of '%s' is full", p->code);
	k = &r->k[r->n++];
	key_row(k, p->code, p->sign_pk, p->box_pk, GS_INSTANT_NONE, GS_INSTANT_NONE, now);
	if (store_party_get(n->st, p->code, &sp) == 0) {
		k->identity = sp.identity;
		k->identity_len = sp.identity_len;
		sp.identity = NULL;
		store_party_release(&sp);
	}
	*out = k;
	return 0;
}

static int rows_save(struct node *n, struct rows *r, struct gs_diag *d)
{
	int ret;

	for (size_t i = 0; i < r->n; i++)
		if ((ret = store_party_key_put(n->st, &r->k[i])))
			return gs_diag_set(d, ret, "cannot record the key history of '%s'", r->k[i].code);
	return 0;
}

int node_keys_rotate(struct node *n, const char *pass, size_t passlen, const char *text, char **note,
		     size_t *len, struct key_rotate_result *res, struct gs_diag *d)
{
	struct node_keys nk;
	struct party *np = NULL, *back = NULL;
	struct key_rotation r;
	struct decision dec;
	struct rows *rows = NULL;
	struct store_party sp;
	struct store_party_key *old, *k;
	char dir[GS_PATH_MAX], path[GS_PATH_MAX], keyname[GS_MAX_NAME], reason[GS_MAX_LINE], fpr[80];
	char *ptext = NULL, *identity = NULL, *rtext = NULL, *half = NULL, *sealed = NULL;
	size_t idlen = 0, halflen = 0, sealedlen = 0;
	uint8_t blob[RETIRED_BYTES];
	gs_instant now;
	int ret, plen, made_dir = 0, committed = 0;

	*note = NULL;
	memset(&nk, 0, sizeof(nk));
	memset(res, 0, sizeof(*res));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)))
		return ret;
	np = calloc(1, sizeof(*np));
	back = calloc(1, sizeof(*back));
	rows = calloc(1, sizeof(*rows));
	ptext = malloc(GS_MAX_NOTE_BYTES);
	if (!np || !back || !rows || !ptext) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_party_keys_load(n, &n->self, d)))
		goto out;
	if (path_in(dir, sizeof(dir), n->home, ROTATE_DIR, NULL)) {
		ret = gs_diag_set(d, GS_ELIMIT, "home path too long");
		goto out;
	}
	if (mkdir(dir, 0700) != 0) {
		ret = gs_diag_set(d, GS_ESTATE, "%s: %s (a rotation is under way, or was interrupted: open the home "
				  "again to complete or undo it)", dir, strerror(errno));
		goto out;
	}
	made_dir = 1;
	if ((ret = keys_generate(&nk)))
		goto out;
	/* the new identity: the same party, new keys, signed by the new key */
	*np = n->self;
	np->nkeys = 0;
	memcpy(np->sign_pk, nk.sign_pk, 32);
	memcpy(np->box_pk, nk.box_pk, 32);
	if ((ret = tls_identity_create(dir, np->tls_pin, d)))
		goto out;
	plen = party_format(np, ptext, GS_MAX_NOTE_BYTES);
	if (plen < 0) {
		ret = gs_diag_set(d, plen, "cannot format the new identity");
		goto out;
	}
	party_key_name(np->code, np->exercise, keyname);
	if ((ret = note_sign(ptext, (size_t)plen, keyname, nk.sign_sk, &identity, &idlen, d)))
		goto out;
	/* the rotation note: signed by the old key, then by the new one */
	memset(&r, 0, sizeof(r));
	snprintf(r.party, sizeof(r.party), "%s", n->self.code);
	memcpy(r.old_key, n->self.sign_pk, 32);
	memcpy(r.new_key, nk.sign_pk, 32);
	memcpy(r.new_box_key, nk.box_pk, 32);
	snprintf(r.new_tls_pin, sizeof(r.new_tls_pin), "%s", np->tls_pin);
	r.effective = now;
	r.exercise = n->self.exercise;
	if (text)
		snprintf(r.text, sizeof(r.text), "%s", text);
	if ((ret = node_ruled(decide_key_rotation(&n->self, &r, now, &dec), "key rotation", d)))
		goto out;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		ret = gs_diag_set(d, GS_EDENIED, "%s [%s]", reason, dec.rule_id);
		goto out;
	}
	if ((ret = key_rotation_format(&r, &rtext, d)))
		goto out;
	{
		struct key_rotation chk;

		if ((ret = key_rotation_parse(rtext, strlen(rtext), &chk, d))) {
			gs_diag_prefix(d, "rotation note");
			goto out;
		}
	}
	if ((ret = note_sign(rtext, strlen(rtext), keyname, n->keys.sign_sk, &half, &halflen, d)) ||
	    (ret = note_sign(half, halflen, keyname, nk.sign_sk, note, len, d)))
		goto out;
	note_id(*note, *len, res->id);
	/* the new key file, beside the old one until the commit */
	if ((ret = keys_seal(&nk, pass, passlen, NULL, &sealed, &sealedlen))) {
		gs_diag_set(d, ret, "cannot seal the new keys");
		goto out;
	}
	path_in(path, sizeof(path), n->home, ROTATE_DIR, NODE_KEYS_FILE);
	if ((ret = write_file_atomic(path, sealed, sealedlen, 0600, d)))
		goto out;
	fingerprint_of(n->self.sign_pk, res->old_fingerprint);
	fingerprint_of(nk.sign_pk, res->new_fingerprint);
	res->effective = now;

	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = rows_load(n, n->self.code, rows, d)) || (ret = current_row(n, rows, &n->self, now, &old, d)))
		goto fail;
	/* the retired X25519 secrets, kept for bundles still sealed to them,
	 * go under the new storage key */
	for (size_t i = 0; i < rows->n; i++) {
		uint8_t *sk;

		k = &rows->k[i];
		if (!k->box_sk_sealed)
			continue;
		sk = sodium_malloc(32);
		if (!sk) {
			ret = GS_ENOMEM;
			goto fail;
		}
		ret = retired_open(n->keys.box_sk, k->box_pk, k->box_sk_sealed, k->box_sk_sealed_len, sk);
		if (!ret) {
			retired_seal(nk.box_sk, k->box_pk, sk, blob);
			free(k->box_sk_sealed);
			k->box_sk_sealed = dup_bytes(blob, sizeof(blob));
			k->box_sk_sealed_len = sizeof(blob);
		}
		sodium_free(sk);
		if (ret || !k->box_sk_sealed) {
			ret = gs_diag_set(d, ret ? ret : GS_ENOMEM, "a retired key of this node does not open");
			goto fail;
		}
	}
	old->valid_until = now;
	retired_seal(nk.box_sk, n->self.box_pk, n->keys.box_sk, blob);
	free(old->box_sk_sealed);
	old->box_sk_sealed = dup_bytes(blob, sizeof(blob));
	old->box_sk_sealed_len = sizeof(blob);
	if (rows->n >= GS_MAX_PARTY_KEYS) {
		ret = gs_diag_set(d, GS_ELIMIT, "this node's key history is full (%d keys)", GS_MAX_PARTY_KEYS);
		goto fail;
	}
	k = &rows->k[rows->n++];
	key_row(k, n->self.code, nk.sign_pk, nk.box_pk, now, GS_INSTANT_NONE, now);
	k->identity = dup_bytes((const uint8_t *)identity, idlen);
	k->identity_len = idlen;
	k->rotation = dup_bytes((const uint8_t *)*note, *len);
	k->rotation_len = *len;
	if (!old->box_sk_sealed || !k->identity || !k->rotation) {
		ret = GS_ENOMEM;
		goto fail;
	}
	memset(&sp, 0, sizeof(sp));
	sp.code = n->self.code;
	sp.name = n->self.name;
	sp.fingerprint = res->new_fingerprint;
	sp.identity = (uint8_t *)identity;
	sp.identity_len = idlen;
	sp.imported_at = now;
	sp.is_self = 1;
	if ((ret = rows_save(n, rows, d)) || (ret = store_party_replace(n->st, &sp)) ||
	    (ret = items_reseal_keys(n, nk.box_sk, &res->resealed, d)))
		goto fail;
	{
		char eff[GS_INSTANT_STR];

		instant_format(now, eff);
		if ((ret = ledger_event(n, NULL, LEDGER_KEY_EVENT, now, n->self.code, d, "event", "key-rotation",
					"party", n->self.code, "old-fingerprint", res->old_fingerprint,
					"new-fingerprint", res->new_fingerprint, "effective", eff, "note", res->id,
					(const char *)NULL)))
			goto fail;
	}
	if ((ret = store_commit(n->st)))
		goto fail;
	committed = 1;
	/* the new files in place; a crash before this is completed at open */
	if ((ret = rotate_finish(n->home, d)))
		goto out;
	made_dir = 0;
	/* this handle now signs and opens with the new keys */
	if ((ret = identity_verify((const uint8_t *)identity, idlen, back, fpr, d)))
		goto out;
	keys_release(&n->keys);
	n->keys = nk;
	memset(&nk, 0, sizeof(nk));
	n->self = *back;
	node_identity_cache_release(n);
	ret = node_party_keys_load(n, &n->self, d);
	goto out;
fail:
	store_rollback(n->st);
	if (!d || !d->msg[0])
		gs_diag_set(d, ret, "cannot record the rotation");
out:
	if (made_dir && !committed)
		remove_dir(dir);
	if (ret && *note && !committed) {
		free(*note);
		*note = NULL;
	}
	keys_release(&nk);
	if (rows)
		rows_free(rows);
	free(rows);
	free(np);
	free(back);
	free(ptext);
	free(identity);
	free(rtext);
	free(half);
	free(sealed);
	sodium_memzero(blob, sizeof(blob));
	return ret;
}

/* ---- peers' rotations and new identities ----------------------------------- */

bool key_note_is(const uint8_t *buf, size_t len)
{
	size_t a = strlen(KEY_ROTATION_MAGIC), b = strlen(KEY_COMPROMISE_MAGIC);

	return (len > a && !memcmp(buf, KEY_ROTATION_MAGIC "\n", a + 1)) ||
	       (len > b && !memcmp(buf, KEY_COMPROMISE_MAGIC "\n", b + 1));
}

static int rotation_import(struct node *n, const uint8_t *buf, size_t len, const struct signed_note *sn,
			   json_t **out, bool *already, struct gs_diag *d)
{
	struct key_rotation r;
	struct party *p = NULL;
	struct rows *rows = NULL;
	struct store_party_key *old, *k;
	struct decision dec;
	char keyname[GS_MAX_NAME], reason[GS_MAX_LINE], id[KEY_NOTE_ID_HEX], oldf[80], newf[80], eff[GS_INSTANT_STR];
	gs_instant now;
	int ret;

	if ((ret = key_rotation_parse(sn->text, sn->text_len, &r, d)))
		return ret;
	if (!strcmp(r.party, n->self.code))
		return gs_diag_set(d, GS_EDENIED, "this is a rotation of this node's own keys; it is made here, "
				   "not imported");
	if ((ret = node_now(n, &now, d)))
		return ret;
	p = calloc(1, sizeof(*p));
	rows = calloc(1, sizeof(*rows));
	if (!p || !rows) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_party_get(n, r.party, p, d)))
		goto out;
	if (r.exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s rotation refused by %s node", r.exercise ? "an exercise" : "a real",
				  n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	/* signed by the old key (the party's own word) and the new (held) */
	party_key_name(r.party, r.exercise, keyname);
	fingerprint_of(r.old_key, oldf);
	fingerprint_of(r.new_key, newf);
	ret = note_verify(sn, keyname, r.old_key);
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "the rotation note is %s by %s's old key %s", ret == GS_ENOTFOUND ?
				  "not signed" : "not validly signed (forged or damaged)", r.party, oldf);
		goto out;
	}
	if ((ret = note_verify(sn, keyname, r.new_key))) {
		ret = gs_diag_set(d, GS_ECRYPTO, "the rotation note is not validly signed by the new key %s", newf);
		goto out;
	}
	note_id(buf, len, id);
	k = NULL;
	for (int i = 0; i < p->nkeys; i++)
		if (!memcmp(p->keys[i].sign_pk, r.new_key, 32))
			*already = p->keys[i].valid_from == r.effective;
	if (*already) {
		*out = json_pack("{s:s,s:s,s:s,s:s,s:o}", "kind", "rotation", "party", r.party, "old_fingerprint", oldf,
				 "new_fingerprint", newf, "effective", jinstant(r.effective));
		ret = 0;
		goto out;
	}
	if ((ret = party_ready_to_seal(p, NULL))) {
		ret = gs_diag_set(d, GS_ESTATE, "%s's previous rotation awaits its new identity; import it first",
				  r.party);
		goto out;
	}
	if ((ret = node_ruled(decide_key_rotation(p, &r, now, &dec), "key rotation", d)))
		goto out;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		ret = gs_diag_set(d, GS_EDENIED, "%s [%s]", reason, dec.rule_id);
		goto out;
	}
	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = rows_load(n, r.party, rows, d)) || (ret = current_row(n, rows, p, now, &old, d)))
		goto fail;
	old->valid_until = r.effective;
	if (rows->n >= GS_MAX_PARTY_KEYS) {
		ret = gs_diag_set(d, GS_ELIMIT, "the key history of '%s' is full", r.party);
		goto fail;
	}
	k = &rows->k[rows->n++];
	key_row(k, r.party, r.new_key, r.new_box_key, r.effective, GS_INSTANT_NONE, now);
	k->rotation = dup_bytes(buf, len);
	k->rotation_len = len;
	if (!k->rotation) {
		ret = GS_ENOMEM;
		goto fail;
	}
	instant_format(r.effective, eff);
	if ((ret = rows_save(n, rows, d)) ||
	    (ret = ledger_event(n, r.party, LEDGER_KEY_EVENT, now, r.party, d, "event", "key-rotation", "party",
				r.party, "old-fingerprint", oldf, "new-fingerprint", newf, "effective", eff, "note", id,
				(const char *)NULL)) ||
	    (ret = store_commit(n->st)))
		goto fail;
	node_identity_cache_release(n);
	*out = json_pack("{s:s,s:s,s:s,s:s,s:o,s:b}", "kind", "rotation", "party", r.party, "old_fingerprint", oldf,
			 "new_fingerprint", newf, "effective", jinstant(r.effective), "identity_held", 0);
	goto out;
fail:
	store_rollback(n->st);
	if (!d || !d->msg[0])
		gs_diag_set(d, ret, "cannot record the rotation");
out:
	if (rows)
		rows_free(rows);
	free(rows);
	free(p);
	return ret;
}

int keyhistory_identity_rotated(struct node *n, const struct party *np, const uint8_t *buf, size_t len,
				const char *fingerprint, bool *done, struct gs_diag *d)
{
	struct rows *rows = calloc(1, sizeof(*rows));
	struct store_party_key *k;
	struct store_party sp;
	struct key_rotation r;
	struct signed_note *sn = NULL;
	gs_instant now;
	int ret;

	*done = false;
	if (!rows)
		return GS_ENOMEM;
	if ((ret = node_now(n, &now, d)) || (ret = rows_load(n, np->code, rows, d)))
		goto out;
	k = row_of(rows, np->sign_pk);
	if (!k || !k->rotation) {
		ret = gs_diag_set(d, GS_EEXIST, "party '%s' is already registered with another key; import its rotation "
				  "note (signed by its old key) first", np->code);
		goto out;
	}
	if (k->identity) {
		ret = 0; /* imported before */
		*done = true;
		goto out;
	}
	sn = calloc(1, sizeof(*sn));
	if (!sn) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)k->rotation, k->rotation_len, sn, d)) ||
	    (ret = key_rotation_parse(sn->text, sn->text_len, &r, d)))
		goto out;
	if (memcmp(np->box_pk, r.new_box_key, 32) || (r.new_tls_pin[0] && strcmp(np->tls_pin, r.new_tls_pin))) {
		ret = gs_diag_set(d, GS_EDENIED, "the identity of '%s' does not carry the X25519 key and TLS pin its "
				  "rotation announced", np->code);
		goto out;
	}
	if ((ret = store_begin(n->st)))
		goto out;
	k->identity = dup_bytes(buf, len);
	k->identity_len = len;
	memset(&sp, 0, sizeof(sp));
	sp.code = (char *)np->code;
	sp.name = (char *)np->name;
	sp.fingerprint = (char *)fingerprint;
	sp.identity = (uint8_t *)buf;
	sp.identity_len = len;
	sp.imported_at = now;
	if (!k->identity)
		ret = GS_ENOMEM;
	if (ret || (ret = store_party_key_put(n->st, k)) || (ret = store_party_replace(n->st, &sp)) ||
	    (ret = ledger_event(n, np->code, LEDGER_PARTY_IMPORT, now, np->code, d, "code", np->code, "fingerprint",
				fingerprint, "name", np->name, "rotation", "yes", (const char *)NULL)) ||
	    (ret = store_commit(n->st))) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the new identity of '%s'", np->code);
		goto out;
	}
	node_identity_cache_release(n);
	*done = true;
out:
	rows_free(rows);
	free(rows);
	free(sn);
	return ret;
}

/* ---- compromises ------------------------------------------------------------- */

struct flag_ctx {
	const struct party *p;
	const uint8_t *key;
	gs_instant since;
	json_t *items;    /* ids to flag */
	json_t *consents; /* ids to flag */
};

static int flag_item_one(void *ctx, const char *id, const char *json)
{
	struct flag_ctx *c = ctx;
	json_t *o = json_loads(json, 0, NULL);
	const struct party_key *k;
	gs_instant rel = GS_INSTANT_NONE, got = GS_INSTANT_NONE;

	if (!o)
		return GS_EIO;
	if (!strcmp(jstr(o, "released_by"), c->p->code) && !json_object_get(o, "key_compromise")) {
		instant_parse(jstr(o, "released_at"), 0, &rel);
		instant_parse(jstr(o, "created_at"), 0, &got);
		k = rel != GS_INSTANT_NONE ? key_in_window(c->p, rel) : NULL;
		if ((k ? !memcmp(k->sign_pk, c->key, 32) : !memcmp(c->p->sign_pk, c->key, 32)) &&
		    ((rel != GS_INSTANT_NONE && rel >= c->since) || (got != GS_INSTANT_NONE && got >= c->since)))
			json_array_append_new(c->items, json_string(id));
	}
	json_decref(o);
	return 0;
}

static int flag_consent_one(void *ctx, const char *id, const char *json)
{
	struct flag_ctx *c = ctx;
	json_t *o = json_loads(json, 0, NULL);
	const struct party_key *k;
	gs_instant g = GS_INSTANT_NONE;

	if (!o)
		return GS_EIO;
	if (!strcmp(jstr(o, "originator"), c->p->code) && !json_object_get(o, "key_compromise") &&
	    !instant_parse(jstr(o, "granted_at"), 0, &g) && g >= c->since) {
		k = key_in_window(c->p, g);
		if (k ? !memcmp(k->sign_pk, c->key, 32) : !memcmp(c->p->sign_pk, c->key, 32))
			json_array_append_new(c->consents, json_string(id));
	}
	json_decref(o);
	return 0;
}

/* Flags what came from p signed by key since `since`: items (a record
 * field and a custody event) and consents (no decision counts them). */
static int flag_received(struct node *n, const struct party *p, const uint8_t key[32], gs_instant since,
			 json_t *mark, gs_instant now, json_t *items, json_t *consents, struct gs_diag *d)
{
	struct flag_ctx c = { p, key, since, items, consents };
	size_t i;
	json_t *v;
	int ret;

	if ((ret = store_record_each(n->st, "items", flag_item_one, &c)) ||
	    (ret = store_consent_each(n->st, flag_consent_one, &c)))
		return gs_diag_set(d, ret, "cannot read what %s sent", p->code);
	json_array_foreach(items, i, v) {
		json_t *rec = NULL;
		char detail[GS_MAX_LINE];

		if ((ret = node_item_get(n, json_string_value(v), &rec, d)))
			return ret;
		json_object_set(rec, "key_compromise", mark);
		snprintf(detail, sizeof(detail), "signed by %s's key %s, reported compromised since %s", p->code,
			 jstr(mark, "fingerprint"), jstr(mark, "since"));
		ret = item_put(n, rec, now);
		json_decref(rec);
		if (ret || (ret = store_custody_add(n->st, json_string_value(v), now, "key-compromise", p->code, detail)))
			return gs_diag_set(d, ret, "cannot flag item '%s'", json_string_value(v));
	}
	json_array_foreach(consents, i, v) {
		char *js = NULL, *out;
		json_t *o;

		if ((ret = store_consent_get(n->st, json_string_value(v), &js, NULL, NULL)))
			return gs_diag_set(d, ret, "cannot read consent %.16s", json_string_value(v));
		o = json_loads(js, 0, NULL);
		free(js);
		if (!o)
			return GS_EIO;
		json_object_set(o, "key_compromise", mark);
		out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		ret = out ? store_consent_record_set(n->st, json_string_value(v), out) : GS_ENOMEM;
		free(out);
		if (ret)
			return gs_diag_set(d, ret, "cannot flag consent %.16s", json_string_value(v));
	}
	return 0;
}

/* Records compromise c (already verified) of p, with its signed note, and
 * flags what it touches, in one transaction. */
static int compromise_record(struct node *n, const struct party *p, const struct key_compromise *c,
			     const uint8_t *note, size_t len, gs_instant now, json_t **out, struct gs_diag *d)
{
	struct rows *rows = calloc(1, sizeof(*rows));
	struct store_party_key *k;
	json_t *items = json_array(), *consents = json_array(), *mark = NULL;
	char fpr[80], id[KEY_NOTE_ID_HEX], since[GS_INSTANT_STR], nitems[16], ncons[16], list[1024] = "";
	size_t i;
	json_t *v;
	int ret;

	if (!rows || !items || !consents) {
		ret = GS_ENOMEM;
		goto out;
	}
	fingerprint_of(c->key, fpr);
	note_id(note, len, id);
	instant_format(c->since, since);
	mark = json_pack("{s:s,s:s,s:s,s:s,s:s}", "party", p->code, "fingerprint", fpr, "since", since, "reported_by",
			 c->reported_by, "note", id);
	if (!mark) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = rows_load(n, p->code, rows, d)))
		goto fail;
	k = row_of(rows, c->key);
	if (!k && (ret = current_row(n, rows, p, now, &k, d)))
		goto fail;
	k->compromised_since = c->since;
	free(k->compromise);
	k->compromise = dup_bytes(note, len);
	k->compromise_len = len;
	if (!k->compromise) {
		ret = GS_ENOMEM;
		goto fail;
	}
	if ((ret = rows_save(n, rows, d)) ||
	    (ret = flag_received(n, p, c->key, c->since, mark, now, items, consents, d)))
		goto fail;
	json_array_foreach(items, i, v) {
		size_t l = strlen(list);

		if (l + strlen(json_string_value(v)) + 2 >= sizeof(list))
			break;
		snprintf(list + l, sizeof(list) - l, "%s%s", l ? "," : "", json_string_value(v));
	}
	snprintf(nitems, sizeof(nitems), "%zu", json_array_size(items));
	snprintf(ncons, sizeof(ncons), "%zu", json_array_size(consents));
	if ((ret = ledger_event(n, strcmp(p->code, n->self.code) ? p->code : NULL, LEDGER_KEY_EVENT, now, p->code, d,
				"event", "key-compromise", "party", p->code, "fingerprint", fpr, "since", since,
				"reported-by", c->reported_by, "note", id, "flagged-items", nitems, "items", list,
				"flagged-consents", ncons, (const char *)NULL)) ||
	    (ret = store_commit(n->st)))
		goto fail;
	node_identity_cache_release(n);
	*out = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:O,s:O}", "kind", "compromise", "party", p->code, "fingerprint",
			 fpr, "since", jinstant(c->since), "reported_by", c->reported_by, "note", id, "flagged_items",
			 items, "flagged_consents", consents);
	goto out;
fail:
	store_rollback(n->st);
	if (!d || !d->msg[0])
		gs_diag_set(d, ret, "cannot record the compromise");
out:
	json_decref(mark);
	json_decref(items);
	json_decref(consents);
	if (rows)
		rows_free(rows);
	free(rows);
	return ret;
}

static int compromise_check(struct node *n, const struct party *p, const struct key_compromise *c, gs_instant now,
			    struct gs_diag *d)
{
	struct decision dec;
	char reason[GS_MAX_LINE];

	int ret;

	if ((ret = node_ruled(decide_key_compromise(p, c, n->self.code, now, &dec), "key compromise", d)))
		return ret;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		return gs_diag_set(d, GS_EDENIED, "%s [%s]", reason, dec.rule_id);
	}
	return 0;
}

static int compromise_import(struct node *n, const uint8_t *buf, size_t len, const struct signed_note *sn,
			     json_t **out, bool *already, struct gs_diag *d)
{
	struct key_compromise c;
	struct party *p = NULL;
	gs_instant now;
	int ret, i;

	if ((ret = key_compromise_parse(sn->text, sn->text_len, &c, d)) || (ret = node_now(n, &now, d)))
		return ret;
	if (!strcmp(c.party, n->self.code) || strcmp(c.reported_by, c.party))
		return gs_diag_set(d, GS_EDENIED, "a compromise note is imported from the party whose key it is (this "
				   "one is by %s about %s)", c.reported_by, c.party);
	if (c.exercise != n->self.exercise)
		return gs_diag_set(d, GS_EDENIED, "%s compromise note refused by %s node",
				   c.exercise ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
	p = calloc(1, sizeof(*p));
	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, c.party, p, d)))
		goto out;
	/* signed by the party with the key it held when it reported */
	ret = party_note_verify_at(p, sn, c.reported, d);
	if (ret == GS_ENOTFOUND || ret == GS_ECRYPTO) {
		ret = gs_diag_set(d, GS_ECRYPTO, "the compromise note is %s by %s's key of %s",
				  ret == GS_ENOTFOUND ? "not signed" : "not validly signed (forged or damaged)", c.party,
				  "its report");
		goto out;
	}
	if (ret)
		goto out;
	i = party_key_index(p, c.key);
	if (i >= 0 && p->keys[i].compromised_since != GS_INSTANT_NONE && p->keys[i].compromised_since <= c.since) {
		*already = true;
		*out = json_pack("{s:s,s:s,s:o}", "kind", "compromise", "party", c.party, "since",
				 jinstant(p->keys[i].compromised_since));
		goto out;
	}
	if ((ret = compromise_check(n, p, &c, now, d)))
		goto out;
	ret = compromise_record(n, p, &c, buf, len, now, out, d);
out:
	free(p);
	return ret;
}

int node_key_note_import(struct node *n, const uint8_t *buf, size_t len, json_t **out, bool *already,
			 struct gs_diag *d)
{
	struct signed_note *sn = calloc(1, sizeof(*sn));
	int ret;

	*out = NULL;
	*already = false;
	if (!sn)
		return GS_ENOMEM;
	if ((ret = note_parse((const char *)buf, len, sn, d)))
		goto out;
	if (sn->text_len > strlen(KEY_ROTATION_MAGIC) && !memcmp(sn->text, KEY_ROTATION_MAGIC "\n",
								  strlen(KEY_ROTATION_MAGIC) + 1))
		ret = rotation_import(n, buf, len, sn, out, already, d);
	else
		ret = compromise_import(n, buf, len, sn, out, already, d);
out:
	free(sn);
	return ret;
}

/* The key of p that fingerprint names (the history, or the registered
 * key), or NULL. */
static const uint8_t *key_by_fingerprint(const struct party *p, const char *fingerprint)
{
	char f[80];

	fingerprint_of(p->sign_pk, f);
	if (!strcmp(f, fingerprint))
		return p->sign_pk;
	for (int i = 0; i < p->nkeys; i++) {
		fingerprint_of(p->keys[i].sign_pk, f);
		if (!strcmp(f, fingerprint))
			return p->keys[i].sign_pk;
	}
	return NULL;
}

int node_key_compromised(struct node *n, const struct key_compromise_args *a, char **note, size_t *len,
			 json_t **out, struct gs_diag *d)
{
	struct key_compromise c;
	struct party *p = NULL;
	const struct party_key *k;
	const uint8_t *key;
	char *text = NULL;
	gs_instant now;
	int ret;

	*note = NULL;
	*out = NULL;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)))
		return ret;
	memset(&c, 0, sizeof(c));
	if (!a->since || instant_parse(a->since, n->self.zone, &c.since))
		return gs_diag_set(d, GS_EUSAGE, "--since: '%s' is not an instant (2023-05-20T00:00:00+09:00)",
				   a->since ? a->since : "");
	p = calloc(1, sizeof(*p));
	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, a->party, p, d)))
		goto out;
	if (a->fingerprint) {
		if (!(key = key_by_fingerprint(p, a->fingerprint))) {
			ret = gs_diag_set(d, GS_ENOTFOUND, "%s has no key with fingerprint '%s' registered here "
					  "(unknown key) [compromise.unknown-key]", p->code, a->fingerprint);
			goto out;
		}
	} else {
		k = key_in_window(p, c.since);
		key = k ? k->sign_pk : p->sign_pk;
	}
	/* the node's own current key signs everything it makes: retire it first */
	if (!strcmp(p->code, n->self.code) && !memcmp(key, n->self.sign_pk, 32)) {
		ret = gs_diag_set(d, GS_ESTATE, "the key named is this node's current key; rotate first "
				  "('gsomia party rotate'), then declare the old key compromised");
		goto out;
	}
	snprintf(c.party, sizeof(c.party), "%s", p->code);
	memcpy(c.key, key, 32);
	snprintf(c.reported_by, sizeof(c.reported_by), "%s", n->self.code);
	c.reported = now;
	c.exercise = n->self.exercise;
	if (a->text)
		snprintf(c.text, sizeof(c.text), "%s", a->text);
	if ((ret = compromise_check(n, p, &c, now, d)) || (ret = key_compromise_format(&c, &text, d)))
		goto out;
	if ((ret = node_sign(n, text, strlen(text), note, len, d)))
		goto out;
	ret = compromise_record(n, p, &c, (const uint8_t *)*note, *len, now, out, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
	}
	free(text);
	free(p);
	return ret;
}

struct history_ctx {
	json_t *arr;
	const uint8_t *current;
};

static int history_one(void *ctx, const struct store_party_key *k)
{
	struct history_ctx *c = ctx;
	json_t *o = json_pack("{s:s,s:o,s:o,s:o,s:b,s:b,s:b}", "fingerprint", k->fingerprint, "valid_from",
			      jinstant(from_store(k->valid_from)), "valid_until", jinstant(from_store(k->valid_until)),
			      "compromised_since", jinstant(from_store(k->compromised_since)), "current",
			      !memcmp(k->sign_pk, c->current, 32), "identity_held", k->identity != NULL, "rotation_held",
			      k->rotation != NULL);

	if (!o)
		return GS_ENOMEM;
	json_array_append_new(c->arr, o);
	return 0;
}

int node_party_key_history(struct node *n, const char *code, json_t **out, struct gs_diag *d)
{
	struct party *p = calloc(1, sizeof(*p));
	struct history_ctx c;
	int ret;

	*out = NULL;
	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, code, p, d)))
		goto out;
	c.arr = json_array();
	c.current = p->sign_pk;
	if ((ret = store_party_key_each(n->st, code, history_one, &c))) {
		json_decref(c.arr);
		ret = gs_diag_set(d, ret, "cannot read the key history of '%s'", code);
		goto out;
	}
	if (json_array_size(c.arr) == 0) {
		char fpr[80];

		fingerprint_of(p->sign_pk, fpr);
		json_array_append_new(c.arr, json_pack("{s:s,s:n,s:n,s:n,s:b,s:b,s:b}", "fingerprint", fpr, "valid_from",
						       "valid_until", "compromised_since", "current", 1,
						       "identity_held", 1, "rotation_held", 0));
	}
	*out = c.arr;
out:
	free(p);
	return ret;
}
