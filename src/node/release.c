/* SPDX-License-Identifier: Apache-2.0 */
/* A release: decided under the node's lock, sealed outside it, recorded
 * (with its outbox row when it delivers) in the next group commit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
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

/* What one release writes, as a member of a group commit (node/commit.h):
 * the item, its sealed key, the release, custody and the ledger entry. */
struct release_write {
	json_t *rec;
	const char *item, *bundle, *to, *relj;
	const uint8_t *skey;
	gs_instant now;
	const char *actor;        /* the person the entry names ("" the node) */
	struct ledger_entry *e;
	uint64_t *index;
	const char *deliver_path; /* the bundle's place, queued in the outbox; NULL: not delivered */
	const struct release_request *r; /* its also() */
};

static int release_write(struct node *n, void *ctx, struct gs_diag *d)
{
	struct release_write *w = ctx;
	char saved[GS_MAX_ID];
	int ret;

	/* the entry names the person of this release, whoever commits the batch */
	memcpy(saved, n->actor, sizeof(saved));
	copy_str(n->actor, sizeof(n->actor), w->actor);
	if ((ret = item_put(n, w->rec, w->now)) ||
	    (ret = store_item_key_set(n->st, w->item, w->skey, SEALED_KEY_BYTES)) ||
	    (ret = store_release_put(n->st, w->bundle, w->item, w->to, w->relj, w->now)) ||
	    (ret = store_custody_add(n->st, w->item, w->now, "released", n->self.code, w->to)) ||
	    (ret = ledger_append(n, w->to, w->e, w->index, d)) ||
	    /* the delivery with the release: a recorded release is always sent */
	    (w->deliver_path && (ret = node_outbox_add(n, w->to, "bundle", w->bundle, w->deliver_path, d))) ||
	    (w->r->also && (ret = w->r->also(n, w->r->also_ctx, w->item, w->bundle, d)))) {
		if (d && !d->msg[0])
			gs_diag_set(d, ret, "cannot record the release");
	}
	memcpy(n->actor, saved, sizeof(saved));
	return ret;
}

/* The decisions and the records' contents are taken under the node's lock
 * (they read its caches); the sealing, which reads the whole file, runs
 * outside it; the records join the next group commit (node/commit.h). */
int node_release(struct node *n, const struct release_request *r, struct release_result *res,
		 struct decision *dec, struct gs_diag *d)
{
	struct lifecycle_status *st = NULL;
	const struct agreement *a;
	const struct annex_version *annex;
	struct party *recipient = NULL;
	struct holding *h = NULL;
	struct marking *rm = NULL;
	struct bundle_manifest *m = NULL, *sealed = NULL;
	struct ledger_entry *e = NULL;
	struct decision md = { 0 };
	struct release_write w;
	struct node_commit_member cm;
	char keyname[GS_MAX_NAME], obj[GS_HOME_MAX + 96], tmp[GS_HOME_MAX + 96], hex[65];
	char pending[GS_HOME_MAX + 96], agreement[GS_MAX_ID], actor[GS_MAX_ID], version[16];
	uint8_t fk[AGE_FILE_KEY_BYTES], skey[SEALED_KEY_BYTES], rnd[8];
	char rndhex[17];
	gs_instant now;
	json_t *rec = NULL, *rel = NULL;
	int in = -1, out = -1, ret, placed = 0, locked = 0, agreement_version;
	size_t i;
	char *relj = NULL;

	memset(res, 0, sizeof(*res));
	memset(dec, 0, sizeof(*dec));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (r->form) {
		for (i = 0; i < sizeof(item_form_names) / sizeof(item_form_names[0]); i++)
			if (!strcmp(r->form, item_form_names[i]))
				break;
		if (i == sizeof(item_form_names) / sizeof(item_form_names[0]))
			return gs_diag_set(d, GS_EUSAGE, "unknown form '%s' (oral, visual, electronic, magnetic, document, equipment, technology)", r->form);
	}
	if (r->name && r->name[0] && !bundle_name_is_valid(r->name))
		return gs_diag_set(d, GS_EINVAL, "name '%.80s' is not a file name (one line, no '/' or '\\', at most %d bytes)",
				   r->name, BUNDLE_NAME_MAX - 1);
	if ((ret = node_now(n, &now, d)))
		return ret;
	st = calloc(1, sizeof(*st));
	recipient = calloc(1, sizeof(*recipient));
	h = calloc(1, sizeof(*h));
	rm = calloc(1, sizeof(*rm));
	m = calloc(1, sizeof(*m));
	sealed = calloc(1, sizeof(*sealed));
	e = calloc(1, sizeof(*e));
	if (!st || !recipient || !h || !rm || !m || !sealed || !e) {
		ret = GS_ENOMEM;
		goto out;
	}
	node_mutex_lock(n);
	locked = 1;
	copy_str(actor, sizeof(actor), r->actor ? r->actor : n->actor);
	if ((ret = item_agreement_kept_at(n, r->agreement, now, st, &a, d)))
		goto out;
	if ((ret = node_party_get(n, r->to, recipient, d)) || (ret = party_ready_to_seal(recipient, d)) ||
	    (r->deliver && (ret = node_outbox_reachable(n, r->to, d))))
		goto out;
	if (scheme_find(&n->self.scheme, r->label) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "unknown classification label '%s' in the scheme of %s",
				  r->label, n->self.code);
		goto out;
	}
	if (r->data) {
		in = memfd_create("gsomia-release", MFD_CLOEXEC);
		if (in < 0 || write_all(in, r->data, r->data_len) || lseek(in, 0, SEEK_SET) != 0) {
			ret = gs_diag_set(d, GS_EIO, "a memory file for the document: %s", strerror(errno));
			goto out;
		}
	} else {
		in = open(r->file, O_RDONLY | O_CLOEXEC);
	}
	if (in < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", r->file, strerror(errno));
		goto out;
	}
	/* The item as this node holds it before the release: its own. */
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), rndhex, sizeof(rndhex));
	snprintf(h->item.id, sizeof(h->item.id), "%s-%s", n->self.code, rndhex);
	copy_str(h->item.originator, sizeof(h->item.originator), n->self.code);
	copy_str(h->item.label, sizeof(h->item.label), r->label);
	copy_str(h->item.purpose, sizeof(h->item.purpose), r->purpose);
	copy_str(h->item.topic, sizeof(h->item.topic), r->topic);
	h->item.form = FORM_DOCUMENT;
	for (i = 0; r->form && i < sizeof(item_form_names) / sizeof(item_form_names[0]); i++)
		if (!strcmp(r->form, item_form_names[i]))
			h->item.form = (enum item_form)i;
	copy_str(h->holder, sizeof(h->holder), n->self.code);
	h->marking.nlabels = 1;
	copy_str(h->marking.labels[0], GS_MAX_LABEL, r->label);
	copy_str(h->marking.originator_name, GS_MAX_NAME, n->self.name);
	h->released_at = GS_INSTANT_NONE;
	h->status = ITEM_ACTIVE;
	/* the same decision 'gsomia decide release' takes (node/decisions.h) */
	if ((ret = node_judge_release(n, h, r->agreement, r->to, now, dec, d)))
		goto out;
	if (!dec->permit) {
		ret = GS_EDENIED;
		goto out;
	}
	/* What the recipient will show: the banner of the bundle (the kept
	 * view again: the decision may have refilled it). */
	if ((ret = item_agreement_kept_at(n, r->agreement, now, st, &a, d)))
		goto out;
	annex = agreement_annex_at(a, date_of_instant(now, a->zone));
	if ((ret = node_ruled(decide_marking(a, annex, &n->self, recipient, r->label, rm, &md), "marking", d)))
		goto out;
	if (!md.permit) {
		*dec = md;
		ret = GS_EDENIED;
		goto out;
	}
	copy_str(agreement, sizeof(agreement), a->id);
	agreement_version = a->version;
	node_mutex_unlock(n);
	locked = 0;

	copy_str(m->item, sizeof(m->item), h->item.id);
	copy_str(m->originator, sizeof(m->originator), n->self.code);
	copy_str(m->sender, sizeof(m->sender), n->self.code);
	copy_str(m->recipient, sizeof(m->recipient), r->to);
	copy_str(m->agreement, sizeof(m->agreement), agreement);
	m->agreement_version = (uint32_t)agreement_version;
	copy_str(m->purpose, sizeof(m->purpose), r->purpose);
	copy_str(m->topic, sizeof(m->topic), r->topic);
	copy_str(m->form, sizeof(m->form), item_form_names[h->item.form]);
	copy_str(m->title, sizeof(m->title), r->title);
	copy_str(m->name, sizeof(m->name), r->name);
	copy_str(m->banner_originator, sizeof(m->banner_originator), r->label);
	item_join_labels(rm, m->banner_recipient, sizeof(m->banner_recipient));
	m->created = now;
	m->exercise = n->self.exercise;

	if ((ret = item_ensure_dir(n, "objects", d)))
		goto out;
	snprintf(tmp, sizeof(tmp), "%s/objects/release-%s.tmp", n->home, rndhex);
	out = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	party_key_name(n->self.code, n->self.exercise, keyname);
	if ((ret = bundle_seal(m, in, out, recipient->box_pk, keyname, n->keys.sign_sk, sealed, fk, d)))
		goto out;
	/* <bundle>.bundle.tmp is "pending": rolled forward at the next open
	 * of the home if the transaction below committed, else removed
	 * (items_recover). Its bytes reach the disk with the batch that
	 * commits its records, before the COMMIT (node/commit.h). */
	item_object_path(n, sealed->bundle_id, ".tmp", pending, sizeof(pending));
	item_object_path(n, sealed->bundle_id, "", obj, sizeof(obj));
	if (rename(tmp, pending) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", pending, strerror(errno));
		goto out;
	}
	placed = 1;
	fault_point("release-sealed");
	item_seal_key(n, h->item.id, fk, skey);
	sodium_memzero(fk, sizeof(fk));

	rec = json_object();
	json_object_set_new(rec, "id", json_string(h->item.id));
	json_object_set_new(rec, "originator", json_string(n->self.code));
	json_object_set_new(rec, "originator_name", json_string(n->self.name));
	json_object_set_new(rec, "label", json_string(r->label));
	json_object_set_new(rec, "holder", json_string(n->self.code));
	json_object_set_new(rec, "marking", item_labels_json(h->marking.labels, h->marking.nlabels));
	json_object_set_new(rec, "candidates", json_array());
	json_object_set_new(rec, "protect_as", json_false());
	json_object_set_new(rec, "agreement", json_string(agreement));
	json_object_set_new(rec, "agreement_version", json_integer(agreement_version));
	json_object_set_new(rec, "released_by", json_string(""));
	json_object_set_new(rec, "released_at", json_null());
	json_object_set_new(rec, "purpose", json_string(r->purpose));
	json_object_set_new(rec, "topic", json_string(r->topic));
	json_object_set_new(rec, "form", json_string(item_form_names[h->item.form]));
	json_object_set_new(rec, "title", json_string(r->title ? r->title : ""));
	json_object_set_new(rec, "name", json_string(r->name ? r->name : ""));
	json_object_set_new(rec, "status", json_string("active"));
	json_object_set_new(rec, "facility", json_string(""));
	json_object_set_new(rec, "copy_of", json_string(""));
	json_object_set_new(rec, "translation_of", json_string(""));
	json_object_set_new(rec, "bundle", json_string(sealed->bundle_id));
	json_object_set_new(rec, "recipient_of_bundle", json_string(r->to));
	hex_encode(bundle_payload_digest(sealed), 32, hex, sizeof(hex));
	json_object_set_new(rec, "payload_sha256", json_string(hex));
	json_object_set_new(rec, "created_at", jinstant(now));

	rel = json_object();
	json_object_set_new(rel, "bundle", json_string(sealed->bundle_id));
	json_object_set_new(rel, "item", json_string(h->item.id));
	json_object_set_new(rel, "recipient", json_string(r->to));
	json_object_set_new(rel, "agreement", json_string(agreement));
	json_object_set_new(rel, "agreement_version", json_integer(agreement_version));
	json_object_set_new(rel, "label", json_string(r->label));
	json_object_set_new(rel, "banner_recipient", json_string(sealed->banner_recipient));
	json_object_set_new(rel, "released_at", jinstant(now));
	json_object_set_new(rel, "payload_sha256", json_string(hex));
	relj = json_dumps(rel, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!relj) {
		ret = GS_ENOMEM;
		goto out;
	}
	ledger_entry_start(e, n, LEDGER_RELEASE, now, h->item.id, NULL);
	ledger_entry_digest(e, bundle_payload_digest(sealed));
	snprintf(version, sizeof(version), "%u", sealed->agreement_version);
	ledger_entry_field(e, "bundle", sealed->bundle_id);
	ledger_entry_field(e, "recipient", r->to);
	ledger_entry_field(e, "agreement", agreement);
	ledger_entry_field(e, "agreement-version", version);
	ledger_entry_field(e, "label", r->label);
	ledger_entry_field(e, "banner-recipient", sealed->banner_recipient);
	ledger_entry_field(e, "purpose", r->purpose);
	ledger_entry_field(e, "topic", r->topic);
	ledger_entry_field(e, "rule", dec->rule_id);
	memset(&w, 0, sizeof(w));
	w.rec = rec;
	w.item = h->item.id;
	w.bundle = sealed->bundle_id;
	w.to = r->to;
	w.relj = relj;
	w.skey = skey;
	w.now = now;
	w.actor = actor;
	w.e = e;
	w.index = &res->ledger_index;
	w.deliver_path = r->deliver ? obj : NULL;
	w.r = r;
	memset(&cm, 0, sizeof(cm));
	cm.write = release_write;
	cm.ctx = &w;
	cm.d = d;
	cm.sync_fd = out;
	if ((ret = node_commit(n, &cm)))
		goto out;
	copy_str(res->item, sizeof(res->item), h->item.id);
	copy_str(res->bundle, sizeof(res->bundle), sealed->bundle_id);
	copy_str(res->banner_recipient, sizeof(res->banner_recipient), sealed->banner_recipient);
	placed = 0; /* committed: the object stays */
	fault_point("release-committed");
	if (rename(pending, obj) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s (the release is recorded; reopening the home completes it)",
				  obj, strerror(errno));
		goto out;
	}
	if (r->output)
		ret = node_copy_file(obj, r->output, d);
out:
	if (locked)
		node_mutex_unlock(n);
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (placed)
		unlink(pending);
	if (ret && out >= 0)
		unlink(tmp);
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(skey, sizeof(skey));
	json_decref(rec);
	json_decref(rel);
	free(relj);
	free(st);
	free(recipient);
	free(h);
	free(rm);
	free(m);
	free(sealed);
	free(e);
	return ret;
}

/* The receipt: what the recipient signs back, with its ledger's proof
 * that the receipt entry is in its log for the sender (docs/items.md). */
