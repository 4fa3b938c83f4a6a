/* SPDX-License-Identifier: Apache-2.0 */
/* The node's logs: one append-only Merkle log per peer (and the internal
 * one), stored as entries and tree nodes; appends, roots, proofs from
 * the stored tree and the node's signed checkpoints (node/ledger.h). */
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
#include "util/banned.h"

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
	if (strlen(rest) != 3 || !ledger_code_ok(rest, 3) || !strcmp(rest, p->code))
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

int ledger_tree_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[HB])
{
	struct ledger_tree_ctx *t = ctx;

	return store_ledger_hash_get(t->st, t->log, level, index, out);
}

static int tree_put(void *ctx, uint64_t level, uint64_t index, const uint8_t hash[HB])
{
	struct ledger_tree_ctx *t = ctx;

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
int ledger_open_log(struct node *n, const char *peer, int create, int64_t *id, uint64_t *size,
		    char origin[GS_MAX_NAME], struct gs_diag *d)
{
	int ret;

	if (peer && *peer) {
		if (!ledger_code_ok(peer, strlen(peer)))
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
	struct ledger_tree_ctx t = { n->st, id };
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
		if ((ret = merkle_range_load(&c->logs[i].range, size, ledger_tree_get, &t)))
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
	struct ledger_tree_ctx t;
	uint8_t leaf[HB];
	uint64_t size;
	int64_t id;
	size_t slot;
	int ret;

	if (!store_in_transaction(n->st))
		return gs_diag_set(d, GS_ESTATE, "ledger: an append must be inside the caller's transaction");
	if (len > GS_MAX_LEDGER_ENTRY)
		return gs_diag_set(d, GS_ELIMIT, "ledger: entry longer than %d bytes", GS_MAX_LEDGER_ENTRY);
	if ((ret = ledger_open_log(n, peer, 1, &id, &size, origin, d)))
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
	ledger_entry_start(e, n, type, at, item, NULL);
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
	struct ledger_tree_ctx t;
	uint64_t have;
	int64_t id;
	int ret;

	if ((ret = ledger_open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (size > have)
		return gs_diag_set(d, GS_EINVAL, "ledger '%s' has %" PRIu64 " entries, not %" PRIu64,
				   origin, have, size);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_root(ledger_tree_get, &t, size, root)))
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

	if ((ret = ledger_open_log(n, peer, 0, &id, size, origin, d)))
		return ret;
	return ledger_root(n, peer, *size, root, d);
}

int ledger_prove_inclusion(struct node *n, const char *peer, uint64_t index, uint64_t size,
			   uint8_t proof[][32], size_t *nproof, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct ledger_tree_ctx t;
	uint64_t have;
	int64_t id;
	int ret;

	if ((ret = ledger_open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (size > have || index >= size)
		return gs_diag_set(d, GS_EINVAL, "ledger '%s': no entry %" PRIu64 " in a tree of %" PRIu64
				   " (the log has %" PRIu64 ")", origin, index, size, have);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_prove_inclusion(ledger_tree_get, &t, index, size, proof, nproof)))
		return gs_diag_set(d, ret, "ledger '%s': cannot make the proof for entry %" PRIu64, origin,
				   index);
	return 0;
}

int ledger_prove_consistency(struct node *n, const char *peer, uint64_t first, uint64_t second,
			     uint8_t proof[][32], size_t *nproof, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct ledger_tree_ctx t;
	uint64_t have;
	int64_t id;
	int ret;

	if ((ret = ledger_open_log(n, peer, 0, &id, &have, origin, d)))
		return ret;
	if (first > second || second > have)
		return gs_diag_set(d, GS_EINVAL, "ledger '%s': no consistency proof from size %" PRIu64
				   " to %" PRIu64 " (the log has %" PRIu64 ")", origin, first, second, have);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_prove_consistency(ledger_tree_get, &t, first, second, proof, nproof)))
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
	struct ledger_tree_ctx t;
	uint64_t size, oldsize;
	size_t oldlen, np, tlen;
	gs_instant now;
	int64_t id;
	int ret;

	*note = NULL;
	if ((ret = ledger_open_log(n, peer, 0, &id, &size, origin, d)))
		return ret;
	if (id == 0)
		return gs_diag_set(d, GS_ENOTFOUND, "ledger '%s' has no entries yet; nothing to checkpoint",
				   origin);
	t.st = n->st;
	t.log = id;
	if ((ret = merkle_root(ledger_tree_get, &t, size, root)))
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
		    merkle_root(ledger_tree_get, &t, oldsize, check) || memcmp(check, oldroot, HB) ||
		    merkle_prove_consistency(ledger_tree_get, &t, oldsize, size, proof, &np) ||
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
