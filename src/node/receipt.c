/* SPDX-License-Identifier: Apache-2.0 */
/* A recipient's signed receipt, imported back at the originator. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/note.h"
#include "node/agreements.h"
#include "node/commit.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/outbox.h"
#include "util/outfile.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/onward.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/progress.h"
#include "util/encode.h"
#include "util/fault.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

static const char *receipt_field(const char *text, size_t len, const char *key, size_t *vlen)
{
	const char *p = text, *end = text + len;
	size_t klen = strlen(key);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		if ((size_t)(nl - p) > klen && !memcmp(p, key, klen) && p[klen] == ' ') {
			*vlen = (size_t)(nl - p) - klen - 1;
			return p + klen + 1;
		}
		p = nl + 1;
	}
	return NULL;
}

static int field_eq(const char *text, size_t len, const char *key, const char *want)
{
	size_t vlen;
	const char *v = receipt_field(text, len, key, &vlen);

	return v && vlen == strlen(want) && !memcmp(v, want, vlen);
}

/* What importing a receipt writes, as a member of a group commit
 * (node/commit.h). The same receipt imported twice at once: the second
 * finds the first's and changes nothing (as an import of a receipt
 * already held does). */
struct receipt_write {
	const char *bundle, *item, *by;
	const uint8_t *receipt;
	size_t len;
	gs_instant now;
	struct ledger_entry *e;
};

static int receipt_write(struct node *n, void *ctx, struct gs_diag *d)
{
	struct receipt_write *w = ctx;
	uint8_t *held = NULL;
	char *relj = NULL;
	size_t hlen = 0;
	int ret, same;

	if ((ret = store_release_get(n->st, w->bundle, &relj, &held, &hlen)))
		return gs_diag_set(d, ret, "cannot read release '%s'", w->bundle);
	free(relj);
	if (held) {
		same = hlen == w->len && !memcmp(held, w->receipt, hlen);
		free(held);
		return same ? 0 : gs_diag_set(d, GS_EEXIST, "a different receipt for '%s' is already held",
						 w->bundle);
	}
	if ((ret = store_release_receipt(n->st, w->bundle, w->receipt, w->len, w->now)) ||
	    (ret = store_custody_add(n->st, w->item, w->now, "receipt", w->by, w->bundle)) ||
	    (ret = ledger_append(n, w->by, w->e, NULL, d)))
		return ret;
	return 0;
}

int node_receipt_import_bytes(struct node *n, const char *path, const uint8_t *buf, size_t len,
			      char bundle_out[BUNDLE_ID_HEX], struct gs_diag *d)
{
	struct signed_note *sn = NULL;
	struct party *rcpt = NULL;
	struct ledger_proof *proof = NULL;
	struct ledger_verified *ver = NULL;
	uint8_t *old_receipt = NULL, *pbuf = NULL;
	size_t vlen, old_len, plen = 0;
	const char *v;
	char bundle[BUNDLE_ID_HEX] = "", *relj = NULL;
	json_t *rel = NULL;
	gs_instant now;
	struct receipt_write w;
	struct node_commit_member cm;
	struct ledger_entry *e = NULL;
	char idx[24];
	int ret, locked = 0;

	if ((ret = node_now(n, &now, d)))
		return ret;
	sn = calloc(1, sizeof(*sn));
	rcpt = calloc(1, sizeof(*rcpt));
	proof = calloc(1, sizeof(*proof));
	ver = calloc(1, sizeof(*ver));
	e = calloc(1, sizeof(*e));
	if (!sn || !rcpt || !proof || !ver || !e) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)buf, len, sn, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if (sn->text_len < sizeof(RECEIPT_MAGIC) - 1 || memcmp(sn->text, RECEIPT_MAGIC, sizeof(RECEIPT_MAGIC) - 1)) {
		ret = gs_diag_set(d, GS_EINVAL, "%s:1:1: not a receipt", path);
		goto out;
	}
	v = receipt_field(sn->text, sn->text_len, "bundle", &vlen);
	if (!v || vlen != BUNDLE_ID_HEX - 1) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: receipt names no bundle", path);
		goto out;
	}
	memcpy(bundle, v, vlen);
	bundle[vlen] = 0;
	node_mutex_lock(n);
	locked = 1;
	ret = store_release_get(n->st, bundle, &relj, &old_receipt, &old_len);
	if (ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, ret, "%s: this node made no release with bundle '%s'", path, bundle);
		goto out;
	}
	if (ret)
		goto out;
	rel = json_loads(relj, 0, NULL);
	if (!rel) {
		ret = GS_EIO;
		goto out;
	}
	if ((ret = node_party_get(n, jstr(rel, "recipient"), rcpt, d)))
		goto out;
	{
		/* with the key the recipient held when it received */
		gs_instant at = GS_INSTANT_NONE;
		char when[GS_INSTANT_STR];

		v = receipt_field(sn->text, sn->text_len, "received", &vlen);
		if (v && vlen < sizeof(when)) {
			memcpy(when, v, vlen);
			when[vlen] = 0;
			if (instant_parse(when, 0, &at))
				at = GS_INSTANT_NONE;
		}
		ret = party_note_verify_at(rcpt, sn, at, d);
	}
	if (ret == GS_EDENIED) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s: %s", path,
				  ret == GS_ENOTFOUND ? "the receipt is not signed by the recipient"
						      : "the recipient's signature does not verify (forged or damaged)");
		goto out;
	}
	if (!field_eq(sn->text, sn->text_len, "recipient", rcpt->code) ||
	    !field_eq(sn->text, sn->text_len, "item", jstr(rel, "item")) ||
	    !field_eq(sn->text, sn->text_len, "payload-sha256", jstr(rel, "payload_sha256")) ||
	    !field_eq(sn->text, sn->text_len, "sender", n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the receipt does not match release '%s'", path, bundle);
		goto out;
	}
	/* The recipient's proof that it logged the receipt. */
	v = receipt_field(sn->text, sn->text_len, "proof", &vlen);
	if (!v) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: the receipt carries no ledger proof", path);
		goto out;
	}
	pbuf = malloc(vlen + 1);
	if (!pbuf) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (b64_decode(v, vlen, pbuf, vlen + 1, &plen) < 0 ||
	    (ret = ledger_proof_parse((const char *)pbuf, plen, proof, d)) ||
	    (ret = ledger_verify_proof(rcpt, proof, ver, d))) {
		if (!ret)
			ret = GS_EINVAL;
		gs_diag_prefix(d, "%s: ledger proof", path);
		goto out;
	}
	if (ver->entry.type != LEDGER_RECEIPT || strcmp(ver->entry.item, jstr(rel, "item")) ||
	    strcmp(ver->peer, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the proof is not of the receipt of '%s' in %s's log for %s",
				  path, jstr(rel, "item"), rcpt->code, n->self.code);
		goto out;
	}
	if (old_receipt) {
		ret = old_len == len && !memcmp(old_receipt, buf, len) ? 0
		      : gs_diag_set(d, GS_EEXIST, "%s: a different receipt for '%s' is already held", path, bundle);
		copy_str(bundle_out, BUNDLE_ID_HEX, bundle);
		goto out;
	}
	node_mutex_unlock(n);
	locked = 0;
	{
		uint8_t digest[32];

		crypto_hash_sha256(digest, buf, len);
		ledger_entry_start(e, n, LEDGER_RECEIPT, now, jstr(rel, "item"), NULL);
		ledger_entry_digest(e, digest);
	}
	snprintf(idx, sizeof(idx), "%llu", (unsigned long long)ver->index);
	ledger_entry_field(e, "bundle", bundle);
	ledger_entry_field(e, "acknowledged-by", rcpt->code);
	ledger_entry_field(e, "peer-origin", ver->cp.origin);
	ledger_entry_field(e, "peer-index", idx);
	memset(&w, 0, sizeof(w));
	w.bundle = bundle;
	w.item = jstr(rel, "item");
	w.by = rcpt->code;
	w.receipt = buf;
	w.len = len;
	w.now = now;
	w.e = e;
	memset(&cm, 0, sizeof(cm));
	cm.write = receipt_write;
	cm.ctx = &w;
	cm.d = d;
	cm.sync_fd = -1;
	if ((ret = node_commit(n, &cm))) {
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the receipt");
		goto out;
	}
	copy_str(bundle_out, BUNDLE_ID_HEX, bundle);
out:
	if (locked)
		node_mutex_unlock(n);
	free(e);
	free(old_receipt);
	free(pbuf);
	free(relj);
	json_decref(rel);
	free(sn);
	free(rcpt);
	free(proof);
	free(ver);
	return ret;
}

/* The verified plaintext of a held item's stored bundle, to out_fd, with
 * the item's sealed file key (no access decision: for the node's own
 * re-sealing, e.g. an onward release). */
/* The X25519 public key a held bundle was sealed to: the one this node
 * opened it with when that was a key since rotated away (the record's
 * box_key), else the recipient's key of the sealing instant. */

int node_receipt_import(struct node *n, const char *path, char bundle_out[BUNDLE_ID_HEX],
			struct gs_diag *d)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = read_file(path, GS_MAX_NOTE_BYTES * 4, &buf, &len, d);

	if (!ret)
		ret = node_receipt_import_bytes(n, path, buf, len, bundle_out, d);
	free(buf);
	return ret;
}
