/* SPDX-License-Identifier: Apache-2.0 */
/* Reading and verifying the stored logs, entry by entry, against the
 * tree and the checkpoints kept (node/ledger.h, `gsomia ledger verify`). */
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

	if ((ret = ledger_open_log(n, peer, 0, &id, &size, origin, d)))
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
	struct ledger_tree_ctx t = { c->n->st, id };
	int ret;

	memset(&r, 0, sizeof(r));
	snprintf(r.origin, sizeof(r.origin), "%s", origin);
	snprintf(r.peer, sizeof(r.peer), "%s", peer);
	r.size = size;
	if ((ret = merkle_root(ledger_tree_get, &t, size, r.root)))
		return gs_diag_set(c->d, ret, "ledger '%s': stored tree damaged", origin);
	return c->fn(c->ctx, &r);
}

int ledger_logs(struct node *n, int (*fn)(void *ctx, const struct ledger_log_report *r),
		void *ctx, struct gs_diag *d)
{
	struct logs_ctx c = { n, fn, ctx, d };

	return store_ledger_log_each(n->st, logs_one, &c);
}
