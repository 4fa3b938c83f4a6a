/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/commit.h"
#include "node/agreements.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/items_internal.h"
#include "node/ledger.h"
#include "node/keyhistory.h"
#include "node/onward.h"
#include "node/outbox.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

int node_release_onward(struct node *n, const struct onward_request *r, struct release_result *res,
			struct decision *dec, struct gs_diag *d)
{
	struct lifecycle_status *st = NULL;
	const struct agreement *a = NULL;
	const char *arr_id = r->arrangement ? r->arrangement : "";
	const struct annex_version *annex;
	struct party *recipient = NULL;
	struct holding *h = NULL;
	struct marking *rm = NULL;
	struct bundle_manifest *m = NULL, *sealed = NULL;
	const struct consent_set *cs;
	struct decision md = { 0 }, one = { 0 };
	const char *label = NULL, *consent_id = "";
	char keyname[GS_MAX_NAME], obj[GS_PATH_MAX], tmp[GS_PATH_MAX], hex[65], rndhex[17];
	uint8_t rnd[8];
	gs_instant now;
	json_t *rec = NULL, *rel = NULL;
	char *relj = NULL;
	int mfd = -1, out = -1, ret, placed = 0, locked = 0, si;

	memset(res, 0, sizeof(*res));
	memset(dec, 0, sizeof(*dec));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)))
		return ret;
	st = calloc(1, sizeof(*st));
	recipient = calloc(1, sizeof(*recipient));
	h = calloc(1, sizeof(*h));
	rm = calloc(1, sizeof(*rm));
	m = calloc(1, sizeof(*m));
	sealed = calloc(1, sizeof(*sealed));
	if (!st || !recipient || !h || !rm || !m || !sealed) {
		ret = GS_ENOMEM;
		goto out;
	}
	/* The decision under the node's lock, as a release's (its kept views
	 * and caches are the handle's, shared by the server's threads); the
	 * sealing outside it; the record in one transaction under it. */
	node_mutex_lock(n);
	locked = 1;
	if ((ret = node_item_get(n, r->item, &rec, d)))
		goto out;
	item_to_holding(rec, h);
	if (!strcmp(h->item.originator, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "item '%s' is this node's own: it is not passed on but released, "
				  "with 'gsomia release FILE ...'; refused", r->item);
		goto out;
	}
	if ((ret = node_party_get(n, r->to, recipient, d)) || (ret = party_ready_to_seal(recipient, d)) ||
	    (r->deliver && (ret = node_outbox_reachable(n, r->to, d))))
		goto out;
	/* The route, the topic gate and the originator's consent, then the
	 * leg itself (in force, parties, annex, scope, consent again): the
	 * same decision 'gsomia decide onward --item' takes. */
	if ((ret = node_judge_onward(n, h, r->arrangement, r->agreement, r->to, now, dec, d)))
		goto out;
	if (!dec->permit) {
		ret = GS_EDENIED;
		goto out;
	}
	/* The consent the bundle names: the first that permits on its own. */
	/* the node's kept set, as node_judge_onward() read it (no second load) */
	if ((ret = node_consents_borrow(n, &cs, d)))
		goto out;
	for (size_t i = 0; i < cs->n && strcmp(r->to, h->item.originator); i++)
		if (!decide_onward(NULL, h, n->self.code, r->to, NULL, &cs->c[i], 1, now, &one) &&
		    one.rule == RULE_ONWARD_PERMIT) {
			consent_id = cs->ids[i];
			break;
		}
	/* The recipient's marking under this leg, from this node's label (the
	 * kept view, taken after the decision that may have refilled it). */
	if ((ret = item_agreement_kept_at(n, r->agreement, now, st, &a, d)))
		goto out;
	annex = agreement_annex_at(a, date_of_instant(now, a->zone));
	si = agreement_party_index(a, n->self.code);
	for (int k = 0; annex && k < h->marking.nlabels; k++)
		if (annex_find(annex, si, h->marking.labels[k], NULL) >= 0) {
			label = h->marking.labels[k];
			break;
		}
	if (!annex || !label) {
		*dec = md;
		ret = gs_diag_set(d, GS_EDENIED, "no annex row of '%s' for %s's marking of item '%s'", a->id,
				  n->self.code, r->item);
		goto out;
	}
	if ((ret = node_ruled(decide_marking(a, annex, &n->self, recipient, label, rm, &md), "marking", d)))
		goto out;
	if (!md.permit) {
		*dec = md;
		ret = GS_EDENIED;
		goto out;
	}
	copy_str(m->item, sizeof(m->item), h->item.id);
	copy_str(m->originator, sizeof(m->originator), h->item.originator);
	copy_str(m->sender, sizeof(m->sender), n->self.code);
	copy_str(m->recipient, sizeof(m->recipient), r->to);
	copy_str(m->agreement, sizeof(m->agreement), a->id);
	m->agreement_version = (uint32_t)a->version;
	copy_str(m->purpose, sizeof(m->purpose), h->item.purpose);
	copy_str(m->topic, sizeof(m->topic), h->item.topic);
	copy_str(m->form, sizeof(m->form), jstr(rec, "form"));
	copy_str(m->title, sizeof(m->title), jstr(rec, "title"));
	copy_str(m->name, sizeof(m->name), jstr(rec, "name"));
	copy_str(m->banner_originator, sizeof(m->banner_originator), h->item.label);
	item_join_labels(rm, m->banner_recipient, sizeof(m->banner_recipient));
	m->created = now;
	m->exercise = n->self.exercise;
	copy_str(m->consent, sizeof(m->consent), consent_id);
	node_mutex_unlock(n);
	locked = 0;

	/* The plaintext goes through memory only, never through a file on disk. */
	mfd = memfd_create("gsomia-onward", MFD_CLOEXEC);
	if (mfd < 0) {
		ret = gs_diag_set(d, GS_EIO, "memfd_create: %s", strerror(errno));
		goto out;
	}
	if (r->data ? (write_all(mfd, r->data, r->data_len) ? (ret = gs_diag_set(d, GS_EIO, "memfd: %s", strerror(errno)))
							  : 0)
		    : (ret = node_item_decrypt(n, rec, mfd, d)))
		goto out;
	if (lseek(mfd, 0, SEEK_SET) != 0) {
		ret = gs_diag_set(d, GS_EIO, "memfd: %s", strerror(errno));
		goto out;
	}
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), rndhex, sizeof(rndhex));
	snprintf(tmp, sizeof(tmp), "%s/objects/onward-%s.tmp", n->home, rndhex);
	out = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	party_key_name(n->self.code, n->self.exercise, keyname);
	ret = bundle_seal(m, mfd, out, recipient->box_pk, keyname, n->keys.sign_sk, sealed, NULL, d);
	close(mfd);
	mfd = -1;
	if (ret)
		goto out;
	if (fsync(out) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	snprintf(obj, sizeof(obj), "%s/objects/%s.bundle", n->home, sealed->bundle_id);
	if (rename(tmp, obj) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", obj, strerror(errno));
		goto out;
	}
	placed = 1;

	hex_encode(bundle_payload_digest(sealed), 32, hex, sizeof(hex));
	rel = json_object();
	json_object_set_new(rel, "bundle", json_string(sealed->bundle_id));
	json_object_set_new(rel, "item", json_string(h->item.id));
	json_object_set_new(rel, "recipient", json_string(r->to));
	json_object_set_new(rel, "agreement", json_string(m->agreement));
	json_object_set_new(rel, "agreement_version", json_integer(m->agreement_version));
	json_object_set_new(rel, "label", json_string(label));
	json_object_set_new(rel, "banner_recipient", json_string(sealed->banner_recipient));
	json_object_set_new(rel, "released_at", jinstant(now));
	json_object_set_new(rel, "payload_sha256", json_string(hex));
	json_object_set_new(rel, "onward", json_true());
	json_object_set_new(rel, "originator", json_string(h->item.originator));
	json_object_set_new(rel, "arrangement", json_string(arr_id));
	json_object_set_new(rel, "consent", json_string(m->consent));
	relj = json_dumps(rel, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!relj) {
		ret = GS_ENOMEM;
		goto out;
	}
	node_mutex_lock(n);
	locked = 1;
	if ((ret = store_begin(n->st)))
		goto out;
	{
		struct ledger_entry e;
		char version[16];

		ledger_entry_start(&e, n, LEDGER_RELEASE, now, h->item.id, NULL);
		ledger_entry_digest(&e, bundle_payload_digest(sealed));
		snprintf(version, sizeof(version), "%u", sealed->agreement_version);
		ledger_entry_field(&e, "bundle", sealed->bundle_id);
		ledger_entry_field(&e, "recipient", r->to);
		ledger_entry_field(&e, "originator", h->item.originator);
		ledger_entry_field(&e, "agreement", m->agreement);
		ledger_entry_field(&e, "agreement-version", version);
		ledger_entry_field(&e, "arrangement", arr_id);
		ledger_entry_field(&e, "label", label);
		ledger_entry_field(&e, "banner-recipient", sealed->banner_recipient);
		ledger_entry_field(&e, "purpose", h->item.purpose);
		ledger_entry_field(&e, "topic", h->item.topic);
		ledger_entry_field(&e, "consent", m->consent);
		ledger_entry_field(&e, "rule", dec->rule_id);
		if ((ret = store_release_put(n->st, sealed->bundle_id, h->item.id, r->to, relj, now)) ||
		    (ret = store_custody_add(n->st, h->item.id, now, "released", n->self.code, r->to)) ||
		    (ret = ledger_append(n, r->to, &e, &res->ledger_index, d)) ||
		    /* and in the log for the originator, which the onward leg concerns */
		    (strcmp(r->to, h->item.originator) &&
		     (ret = ledger_event(n, h->item.originator, LEDGER_RELEASE, now, h->item.id, d, "onward-to", r->to,
					 "bundle", sealed->bundle_id, "agreement", m->agreement, "arrangement",
					 arr_id, "consent", m->consent, (const char *)NULL))) ||
		    (r->deliver && (ret = node_outbox_add(n, r->to, "bundle", sealed->bundle_id, obj, d))) ||
		    (ret = store_commit(n->st))) {
			store_rollback(n->st);
			if (!d || !d->msg[0])
				gs_diag_set(d, ret, "cannot record the onward release");
			goto out;
		}
	}
	node_mutex_unlock(n);
	locked = 0;
	copy_str(res->item, sizeof(res->item), h->item.id);
	copy_str(res->bundle, sizeof(res->bundle), sealed->bundle_id);
	copy_str(res->banner_recipient, sizeof(res->banner_recipient), sealed->banner_recipient);
	placed = 0;
	if (r->output)
		ret = node_copy_file(obj, r->output, d);
out:
	if (locked)
		node_mutex_unlock(n);
	if (mfd >= 0)
		close(mfd);
	if (out >= 0)
		close(out);
	if (placed)
		unlink(obj);
	if (ret && out >= 0)
		unlink(tmp);
	json_decref(rec);
	json_decref(rel);
	free(relj);
	free(st);
	free(recipient);
	free(h);
	free(rm);
	free(m);
	free(sealed);
	return ret;
}

static bool cell_has(const struct annex_cell *c, const char *label, size_t len)
{
	for (int k = 0; k < c->nlabels && k < GS_MAX_LABELS_PER_CELL; k++)
		if (strlen(c->labels[k]) == len && !memcmp(c->labels[k], label, len))
			return true;
	return false;
}

int onward_accept(struct node *n, const struct bundle_manifest *m, const struct agreement *a,
		  struct marking *mk, struct gs_diag *d)
{
	struct consent c;
	struct holding *h = NULL;
	struct party *sender = NULL, *origp = NULL;
	const struct annex_version *annex;
	struct decision dec;
	char reason[GS_MAX_LINE], labels[GS_BUNDLE_MAX_BANNER];
	const char *sender_label = NULL;
	size_t flen;
	int ret, si, ri;

	if (!m->consent[0])
		return gs_diag_set(d, GS_EDENIED, "onward release of '%s' by %s names no consent of its originator %s; refused",
				   m->item, m->sender, m->originator);
	if ((ret = node_consent_get(n, m->consent, &c, d))) {
		if (ret == GS_ENOTFOUND)
			return gs_diag_set(d, GS_EDENIED, "onward release of '%s' by %s: the consent %.16s of its originator %s "
					   "is not held here, so this node cannot verify it (import it with 'gsomia consent "
					   "import FILE'); refused", m->item, m->sender, m->consent, m->originator);
		return ret;
	}
	h = calloc(1, sizeof(*h));
	sender = calloc(1, sizeof(*sender));
	origp = calloc(1, sizeof(*origp));
	if (!h || !sender || !origp) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_party_get(n, m->originator, origp, d)) || (ret = node_party_get(n, m->sender, sender, d)))
		goto out;
	if (!c.granted || strcmp(c.originator, m->originator)) {
		ret = gs_diag_set(d, GS_EDENIED, "onward release of '%s': consent %.16s is %s; refused", m->item, m->consent,
				  c.granted ? "not the originator's" : "a refusal");
		goto out;
	}
	/* The consent must allow exactly this leg, at the release instant. */
	copy_str(h->item.id, sizeof(h->item.id), m->item);
	copy_str(h->item.originator, sizeof(h->item.originator), m->originator);
	copy_str(h->item.purpose, sizeof(h->item.purpose), m->purpose);
	copy_str(h->item.topic, sizeof(h->item.topic), m->topic);
	copy_str(h->holder, sizeof(h->holder), m->sender);
	h->status = ITEM_ACTIVE;
	if ((ret = node_ruled(decide_onward(NULL, h, m->sender, n->self.code, m->purpose, &c, 1, m->created, &dec),
			      "onward release", d)))
		goto out;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		ret = gs_diag_set(d, GS_EDENIED, "onward release of '%s' by %s, consent %.16s: %s [%s]", m->item,
				  m->sender, m->consent, reason, dec.rule_id);
		goto out;
	}
	/* This node's marking under the leg's agreement, from the sender's label. */
	annex = agreement_annex_at(a, date_of_instant(m->created, a->zone));
	si = agreement_party_index(a, m->sender);
	ri = agreement_party_index(a, n->self.code);
	flen = strcspn(m->banner_recipient, ",");
	for (int row = 0; annex && si >= 0 && ri >= 0 && row < annex->nrows && !sender_label; row++) {
		const struct annex_row *rw = &annex->rows[row];

		if (rw->cells[si].nlabels > 0 && !rw->cells[si].protect_as &&
		    (cell_has(&rw->cells[ri], m->banner_recipient, flen) ||
		     cell_has(&rw->cells[si], m->banner_recipient, flen)))
			sender_label = rw->cells[si].labels[0];
	}
	if (!sender_label) {
		ret = gs_diag_set(d, GS_EDENIED, "onward release of '%s': banner '%s' has no row in the annex of '%s'; refused",
				  m->item, m->banner_recipient, a->id);
		goto out;
	}
	if ((ret = node_ruled(decide_marking(a, annex, sender, &n->self, sender_label, mk, &dec), "marking", d)))
		goto out;
	if (!dec.permit) {
		decision_reason(&dec, reason, sizeof(reason));
		ret = gs_diag_set(d, GS_EDENIED, "onward release of '%s': %s", m->item, reason);
		goto out;
	}
	item_join_labels(mk, labels, sizeof(labels));
	if (strcmp(labels, m->banner_recipient)) {
		ret = gs_diag_set(d, GS_EDENIED, "onward release of '%s': the sender marked it '%s', but agreement '%s' "
				  "gives %s '%s'; refused", m->item, m->banner_recipient, a->id, n->self.code, labels);
		goto out;
	}
	/* The true originator, not the hub, is named on the holding. */
	copy_str(mk->originator_name, sizeof(mk->originator_name), origp->name[0] ? origp->name : origp->code);
	ret = 0;
out:
	free(h);
	free(sender);
	free(origp);
	return ret;
}
