/* SPDX-License-Identifier: Apache-2.0 */
#include "node/witness.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/merkle.h"
#include "crypto/note.h"
#include "node/ledger.h"
#include "store/ledger_store.h"
#include "util/encode.h"
#include "util/banned.h"

#define HB 32
#define PROBLEM_SPLIT "split-view"
#define PROBLEM_UNPROVED "unproved"

void witness_name(const char *code, bool exercise, char out[GS_MAX_NAME])
{
	char key[GS_MAX_NAME];

	party_key_name(code, exercise, key);
	/* a key name is "gsomia[-exercise]/" + a code: never truncated */
	snprintf(out, GS_MAX_NAME, "%.64s%s", key, WITNESS_NAME_SUFFIX);
}

/* The proof as base64 lines, each ending in '\n' (malloc'd). */
static char *proof_text(const uint8_t proof[][32], size_t nproof)
{
	size_t cap = nproof * B64_ENCODED_SIZE(HB) + 1, used = 0, i;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = 0;
	for (i = 0; i < nproof; i++) {
		if (b64_encode(proof[i], HB, s + used, cap - used) < 0) {
			free(s);
			return NULL;
		}
		used += strlen(s + used);
		s[used++] = '\n';
		s[used] = 0;
	}
	return s;
}

/* ---- the witness side ------------------------------------------------- */

struct held {
	bool found;
	struct checkpoint cp;
	uint8_t *note;
	size_t len;
};

/* Keeps a contradiction of the checkpoint held as evidence, and records it
 * in this node's log for peer, once. Returns GS_ECRYPTO with the problem
 * in d (or another error if it could not be kept). */
static int keep_evidence(struct node *n, const char *peer, const char *problem, const struct held *h,
			 const char *note, size_t len, const struct checkpoint *cp,
			 const uint8_t proof[][32], size_t nproof, struct witness_answer *a,
			 struct gs_diag *d)
{
	char detail[GS_DIAG_MAX], size[24], hsize[24], root[B64_ENCODED_SIZE(HB)], hroot[B64_ENCODED_SIZE(HB)];
	struct store_evidence e;
	struct ledger_entry *le;
	char *pt;
	gs_instant now;
	int ret;

	if (!strcmp(problem, PROBLEM_SPLIT))
		snprintf(detail, sizeof(detail),
			 "%s signed two checkpoints of '%s' at size %" PRIu64 " with different roots (a split view)",
			 peer, cp->origin, cp->size);
	else
		snprintf(detail, sizeof(detail),
			 "%s's checkpoint of '%s' at size %" PRIu64 " is not proved consistent with the one cosigned at size %" PRIu64,
			 peer, cp->origin, cp->size, h->cp.size);
	if ((ret = node_now(n, &now, d)))
		return ret;
	pt = proof_text(proof, nproof);
	if (!pt)
		return GS_ENOMEM;
	memset(&e, 0, sizeof(e));
	e.peer = peer;
	e.origin = cp->origin;
	e.problem = problem;
	e.held_size = h->cp.size;
	e.held_note = h->note;
	e.held_len = h->len;
	e.new_size = cp->size;
	e.new_note = (const uint8_t *)note;
	e.new_len = len;
	e.proof = pt;
	e.detail = detail;
	e.found_at = now;
	ret = store_ledger_evidence_add(n->st, &e);
	free(pt);
	if (ret == GS_EEXIST) {
		a->evidence = true; /* kept before: nothing new to log */
		return gs_diag_set(d, GS_ECRYPTO, "inconsistent: %s (kept as evidence before)", detail);
	}
	if (ret)
		return gs_diag_set(d, ret, "cannot keep the evidence: %s", detail);
	le = calloc(1, sizeof(*le));
	if (!le)
		return GS_ENOMEM;
	le->type = LEDGER_PEER_CHECKPOINT;
	le->time = now;
	snprintf(le->party, sizeof(le->party), "%s", peer);
	snprintf(size, sizeof(size), "%" PRIu64, cp->size);
	snprintf(hsize, sizeof(hsize), "%" PRIu64, h->cp.size);
	b64_encode(cp->root, HB, root, sizeof(root));
	b64_encode(h->cp.root, HB, hroot, sizeof(hroot));
	ledger_entry_field(le, "origin", cp->origin);
	ledger_entry_field(le, "size", size);
	ledger_entry_field(le, "root", root);
	ledger_entry_field(le, "inconsistent", "yes");
	ledger_entry_field(le, "problem", problem);
	ledger_entry_field(le, "held-size", hsize);
	ledger_entry_field(le, "held-root", hroot);
	ret = ledger_append(n, peer, le, NULL, d);
	free(le);
	if (ret)
		return ret;
	a->evidence = true;
	return gs_diag_set(d, GS_ECRYPTO, "inconsistent: %s (kept as evidence)", detail);
}

/* Cosigns note and keeps the cosigned checkpoint; a->cosignature gets the
 * line. */
static int cosign(struct node *n, const char *note, size_t len, const struct checkpoint *cp,
		  struct witness_answer *a, struct gs_diag *d)
{
	char name[GS_MAX_NAME];
	struct signed_note *sn = NULL;
	char *out = NULL;
	size_t outlen, i;
	uint32_t id;
	gs_instant now;
	int ret;

	if ((ret = node_now(n, &now, d)))
		return ret;
	if (now < 0)
		return gs_diag_set(d, GS_ESTATE, "the clock is before 1970; cannot cosign");
	witness_name(n->self.code, n->self.exercise, name);
	if ((ret = cosig_sign(note, len, name, n->keys.sign_sk, (uint64_t)now, &out, &outlen, d)))
		return ret;
	sn = malloc(sizeof(*sn));
	if (!sn) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse(out, outlen, sn, d)))
		goto out;
	id = cosig_key_id(name, n->self.sign_pk);
	ret = GS_EIO;
	for (i = sn->nsigs; i-- > 0;) {
		const struct note_sig *s = &sn->sigs[i];

		if (s->key_id == id && !strcmp(s->name, name) && s->line_len > 1 &&
		    s->line_len <= sizeof(a->cosignature)) {
			memcpy(a->cosignature, s->line, s->line_len - 1);
			a->cosignature[s->line_len - 1] = 0;
			ret = 0;
			break;
		}
	}
	if (ret) {
		gs_diag_set(d, ret, "cosignature line not found after signing");
		goto out;
	}
	if ((ret = store_ledger_cosigned_put(n->st, cp->origin, n->self.code, cp->size, (const uint8_t *)out,
					     outlen, now)))
		gs_diag_set(d, ret, "cannot keep the cosigned checkpoint of '%s'", cp->origin);
out:
	free(sn);
	free(out);
	return ret;
}

static int add_checkpoint(struct node *n, const char *peer, const char *note, size_t len,
			  uint64_t old_size, const uint8_t proof[][32], size_t nproof,
			  struct witness_answer *a, struct gs_diag *d)
{
	struct party *p;
	struct checkpoint cp;
	struct held h = { false, { { 0 }, 0, { 0 } }, NULL, 0 };
	char pr[GS_MAX_CODE], hpr[GS_MAX_CODE];
	uint64_t hsize, last;
	bool add = true;
	int ret;

	p = malloc(sizeof(*p));
	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, peer, p, d)))
		goto out;
	ret = ledger_verify_checkpoint(p, note, len, &cp, pr, d);
	if (ret == GS_ECRYPTO)
		ret = GS_EDENIED; /* no valid signature by the peer's key */
	if (ret)
		goto out;
	if (strcmp(pr, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "checkpoint of '%s' is not %s's log for %s: this node witnesses only its own relationship with %s",
				  cp.origin, peer, n->self.code, peer);
		goto out;
	}
	if (old_size > cp.size) {
		ret = gs_diag_set(d, GS_EINVAL, "old size %" PRIu64 " is larger than the checkpoint's size %" PRIu64,
				  old_size, cp.size);
		goto out;
	}
	ret = store_ledger_peer_checkpoint_latest(n->st, cp.origin, &hsize, &h.note, &h.len);
	if (ret == 0) {
		if ((ret = ledger_verify_checkpoint(p, (const char *)h.note, h.len, &h.cp, hpr, d))) {
			gs_diag_prefix(d, "the checkpoint held for '%s'", cp.origin);
			ret = GS_EIO;
			goto out;
		}
		h.found = true;
	} else if (ret != GS_ENOTFOUND) {
		ret = gs_diag_set(d, ret, "cannot read the checkpoints held for '%s'", cp.origin);
		goto out;
	}
	last = h.found ? h.cp.size : 0;
	if (old_size != last) {
		a->size = last;
		ret = gs_diag_set(d, GS_ESTATE, "old size %" PRIu64 " is not the size last cosigned for '%s' (%" PRIu64 ")",
				  old_size, cp.origin, last);
		goto out;
	}
	if (!h.found) {
		if (nproof) {
			ret = gs_diag_set(d, GS_EINVAL, "a consistency proof from size 0 must be empty");
			goto out;
		}
	} else if (cp.size == h.cp.size) {
		if (memcmp(cp.root, h.cp.root, HB)) {
			ret = keep_evidence(n, peer, PROBLEM_SPLIT, &h, note, len, &cp, proof, nproof, a, d);
			goto out;
		}
		if (nproof) {
			ret = gs_diag_set(d, GS_EINVAL, "a consistency proof between equal sizes must be empty");
			goto out;
		}
		add = false; /* the one held: cosign it again */
	} else if (merkle_verify_consistency(h.cp.size, cp.size, h.cp.root, cp.root, proof, nproof)) {
		ret = keep_evidence(n, peer, PROBLEM_UNPROVED, &h, note, len, &cp, proof, nproof, a, d);
		goto out;
	}
	if (add && (ret = ledger_peer_checkpoint_add(n, peer, note, len, proof, nproof, d)))
		goto out;
	ret = cosign(n, note, len, &cp, a, d);
out:
	free(h.note);
	free(p);
	return ret;
}

int witness_add_checkpoint(struct node *n, const char *peer, const char *note, size_t len,
			   uint64_t old_size, const uint8_t proof[][32], size_t nproof,
			   struct witness_answer *a, struct gs_diag *d)
{
	int ret, keep;

	memset(a, 0, sizeof(*a));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_EIO, "this node's keys are locked; it cannot cosign");
	if (nproof > GS_MAX_PROOF_HASHES)
		return gs_diag_set(d, GS_ELIMIT, "more than %d proof hashes", GS_MAX_PROOF_HASHES);
	if (store_in_transaction(n->st))
		return gs_diag_set(d, GS_ESTATE, "witness: called inside a transaction");
	if ((ret = store_begin(n->st)))
		return gs_diag_set(d, ret, "witness: cannot begin a transaction");
	ret = add_checkpoint(n, peer, note, len, old_size, proof, nproof, a, d);
	/* A cosignature and evidence are both kept; a refusal keeps nothing. */
	keep = ret == 0 || (ret == GS_ECRYPTO && a->evidence);
	if (keep) {
		int c = store_commit(n->st);

		if (c) {
			store_rollback(n->st);
			a->evidence = false;
			a->cosignature[0] = 0;
			return gs_diag_set(d, GS_EIO, "witness: cannot commit");
		}
	} else {
		store_rollback(n->st);
		a->cosignature[0] = 0;
	}
	return ret;
}

/* ---- the client side -------------------------------------------------- */

void witness_request_free(struct witness_request *r)
{
	if (!r)
		return;
	free(r->note);
	r->note = NULL;
	r->len = 0;
}

int witness_request_reprove(struct node *n, struct witness_request *r, uint64_t from,
			    struct gs_diag *d)
{
	if (from > r->cp.size)
		return gs_diag_set(d, GS_ECRYPTO, "%s says it cosigned size %" PRIu64 " of '%s', but the log has only %" PRIu64
				   " entries in this checkpoint (a split view of this node's log, or a lost history)",
				   r->peer, from, r->cp.origin, r->cp.size);
	r->old_size = from;
	r->nproof = 0;
	if (from == 0 || from == r->cp.size)
		return 0;
	return ledger_prove_consistency(n, r->peer, from, r->cp.size, r->proof, &r->nproof, d);
}

int witness_request_make(struct node *n, const char *peer, struct witness_request *r,
			 struct gs_diag *d)
{
	char pr[GS_MAX_CODE];
	uint64_t last = 0;
	int ret;

	memset(r, 0, offsetof(struct witness_request, proof));
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	if ((ret = ledger_checkpoint(n, peer, &r->note, &r->len, d)))
		return ret;
	if ((ret = ledger_verify_checkpoint(&n->self, r->note, r->len, &r->cp, pr, d)))
		goto fail;
	ret = store_ledger_cosigned_latest(n->st, r->cp.origin, peer, &last, NULL, NULL, NULL);
	if (ret == GS_ENOTFOUND)
		last = 0;
	else if (ret) {
		gs_diag_set(d, ret, "cannot read the cosignatures of '%s'", r->cp.origin);
		goto fail;
	}
	if ((ret = witness_request_reprove(n, r, last, d)))
		goto fail;
	return 0;
fail:
	witness_request_free(r);
	return ret;
}

int witness_cosignature_accept(struct node *n, const struct witness_request *r, const char *line,
			       size_t line_len, uint64_t *timestamp, struct gs_diag *d)
{
	struct signed_note *sn = NULL;
	struct party *p = NULL;
	char name[GS_MAX_NAME], *buf = NULL;
	uint64_t ts = 0;
	int ret;

	if (line_len == 0 || memchr(line, '\n', line_len) || line_len >= WITNESS_COSIG_LINE)
		return gs_diag_set(d, GS_ECRYPTO, "%s's reply is not one cosignature line", r->peer);
	p = malloc(sizeof(*p));
	sn = malloc(sizeof(*sn));
	buf = malloc(r->len + line_len + 2);
	if (!p || !sn || !buf) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_party_get(n, r->peer, p, d)))
		goto out;
	memcpy(buf, r->note, r->len);
	memcpy(buf + r->len, line, line_len);
	buf[r->len + line_len] = '\n';
	buf[r->len + line_len + 1] = 0;
	if ((ret = note_parse(buf, r->len + line_len + 1, sn, d))) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s's cosignature line is malformed", r->peer);
		goto out;
	}
	witness_name(p->code, p->exercise, name);
	ret = cosig_verify(sn, name, p->sign_pk, &ts);
	if (ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s's reply carries no cosignature by '%s'", r->peer, name);
		goto out;
	}
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s's cosignature of '%s' at size %" PRIu64 " does not verify",
				  r->peer, r->cp.origin, r->cp.size);
		goto out;
	}
	if (ts > (uint64_t)INT64_MAX) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s's cosignature has an impossible time", r->peer);
		goto out;
	}
	if ((ret = store_ledger_cosigned_put(n->st, r->cp.origin, p->code, r->cp.size, (const uint8_t *)buf,
					     r->len + line_len + 1, (int64_t)ts))) {
		gs_diag_set(d, ret, "cannot keep the cosigned checkpoint of '%s'", r->cp.origin);
		goto out;
	}
	if (timestamp)
		*timestamp = ts;
out:
	free(buf);
	free(sn);
	free(p);
	return ret;
}

struct need_ctx {
	bool need;
};

static int need_one(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	struct need_ctx *c = ctx;

	(void)index;
	(void)leaf;
	if (e->type != LEDGER_PEER_CHECKPOINT) {
		c->need = true;
		return 1;
	}
	return 0;
}

int witness_needed(struct node *n, const char *peer, bool *need, struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	struct need_ctx c = { false };
	uint8_t root[HB];
	uint64_t size, last = 0;
	int ret;

	*need = false;
	if ((ret = ledger_head(n, peer, &size, root, d)))
		return ret;
	ledger_origin(n->self.code, n->self.exercise, peer, origin);
	ret = store_ledger_cosigned_latest(n->st, origin, peer, &last, NULL, NULL, NULL);
	if (ret && ret != GS_ENOTFOUND)
		return gs_diag_set(d, ret, "cannot read the cosignatures of '%s'", origin);
	if (size <= last)
		return 0;
	ret = ledger_each(n, peer, last, size, need_one, &c, d);
	if (ret < 0)
		return ret;
	*need = c.need;
	return 0;
}

/* ---- status ----------------------------------------------------------- */

struct codes {
	char (*v)[GS_MAX_CODE];
	size_t n, cap;
};

static int collect_code(void *ctx, const struct store_party *p)
{
	struct codes *c = ctx;

	if (p->is_self)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		char (*v)[GS_MAX_CODE] = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return GS_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	snprintf(c->v[c->n++], GS_MAX_CODE, "%s", p->code);
	return 0;
}

static int count_one(void *ctx, const struct store_evidence *e)
{
	(void)e;
	(*(size_t *)ctx)++;
	return 0;
}

static int status_of(struct node *n, const char *code, struct witness_status *s, struct gs_diag *d)
{
	struct party *p = malloc(sizeof(*p));
	uint8_t root[HB];
	int64_t at;
	int ret;

	if (!p)
		return GS_ENOMEM;
	memset(s, 0, sizeof(*s));
	if ((ret = node_party_get(n, code, p, d)))
		goto out;
	snprintf(s->peer, sizeof(s->peer), "%s", p->code);
	s->has_endpoint = p->endpoint[0] && p->tls_pin[0];
	ledger_origin(n->self.code, n->self.exercise, code, s->origin);
	ledger_origin(p->code, p->exercise, n->self.code, s->peer_origin);
	if ((ret = ledger_head(n, code, &s->size, root, d)))
		goto out;
	ret = store_ledger_cosigned_latest(n->st, s->origin, code, &s->cosigned_size, NULL, NULL, &at);
	if (ret == 0) {
		s->cosigned = true;
		s->cosigned_at = at;
	} else if (ret != GS_ENOTFOUND) {
		goto io;
	}
	ret = store_ledger_peer_checkpoint_when(n->st, s->peer_origin, &s->verified_size, &at);
	if (ret == 0) {
		s->verified = true;
		s->verified_at = at;
	} else if (ret != GS_ENOTFOUND) {
		goto io;
	}
	ret = store_ledger_cosigned_latest(n->st, s->peer_origin, n->self.code, &s->witnessed_size, NULL, NULL,
					   &at);
	if (ret == 0) {
		s->witnessed = true;
		s->witnessed_at = at;
	} else if (ret != GS_ENOTFOUND) {
		goto io;
	}
	if ((ret = store_ledger_evidence_each(n->st, code, count_one, &s->evidence)))
		goto io;
	ret = 0;
	goto out;
io:
	ret = gs_diag_set(d, ret, "cannot read the witnessing state of %s", code);
out:
	free(p);
	return ret;
}

int witness_status_each(struct node *n, int (*fn)(void *ctx, const struct witness_status *s),
			void *ctx, struct gs_diag *d)
{
	struct codes c = { NULL, 0, 0 };
	struct witness_status s;
	size_t i;
	int ret;

	if ((ret = store_party_each(n->st, collect_code, &c))) {
		free(c.v);
		return gs_diag_set(d, ret, "cannot read the registered parties");
	}
	for (i = 0; i < c.n && !ret; i++) {
		if ((ret = status_of(n, c.v[i], &s, d)))
			break;
		ret = fn(ctx, &s);
	}
	free(c.v);
	return ret;
}

int witness_evidence_each(struct node *n, const char *peer,
			  int (*fn)(void *ctx, const struct store_evidence *e), void *ctx,
			  struct gs_diag *d)
{
	int ret = store_ledger_evidence_each(n->st, peer, fn, ctx);

	if (ret == GS_EIO || ret == GS_ENOMEM)
		gs_diag_set(d, ret, "cannot read the evidence kept");
	return ret;
}
