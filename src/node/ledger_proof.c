/* SPDX-License-Identifier: Apache-2.0 */
/* Proofs and checkpoints as files and as other parties send them:
 * inclusion proofs made and parsed, checked against a party's identity,
 * and the peers' checkpoints kept as evidence (node/ledger.h). */
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
	if ((ret = ledger_open_log(n, peer, 0, &id, &have, origin, d)))
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
	if ((ret = ledger_open_log(n, peer, 0, &id, &size, origin, d)))
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


int ledger_consistency_checked(struct node *n, const char *peer, uint64_t first, uint64_t second,
			       uint8_t r1[32], uint8_t r2[32], uint8_t (*proof)[32], size_t *nproof,
			       struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	int ret;

	if ((ret = ledger_root(n, peer, first, r1, d)) || (ret = ledger_root(n, peer, second, r2, d)) ||
	    (ret = ledger_prove_consistency(n, peer, first, second, proof, nproof, d)))
		return ret;
	if (merkle_verify_consistency(first, second, r1, r2, (const uint8_t (*)[32])proof, *nproof)) {
		ledger_origin(n->self.code, n->self.exercise, peer, origin);
		return gs_diag_set(d, GS_ECRYPTO, "ledger '%s': the stored tree does not prove size %" PRIu64
				   " consistent with %" PRIu64 " (run 'gsomia ledger verify')", origin, first, second);
	}
	return 0;
}
