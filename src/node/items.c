/* SPDX-License-Identifier: Apache-2.0 */
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

#define RECEIPT_MAGIC "gsomia-receipt/v1\n"

/* The key that seals item file keys at rest: derived from the node's
 * X25519 secret, so it is as safe as the sealed key file and needs no
 * extra secret. */
void item_storage_key(const uint8_t box_sk[32], uint8_t key[32])
{
	static const char ctx[] = "gsomia storage key v1";

	crypto_generichash(key, 32, (const uint8_t *)ctx, sizeof(ctx) - 1, box_sk, 32);
}

static void storage_key(const struct node *n, uint8_t key[32])
{
	item_storage_key(n->keys.box_sk, key);
}

static void seal_file_key(const struct node *n, const char *item, const uint8_t fk[AGE_FILE_KEY_BYTES],
			  uint8_t out[SEALED_KEY_BYTES])
{
	uint8_t key[32];

	storage_key(n, key);
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL,
						   fk, AGE_FILE_KEY_BYTES, (const uint8_t *)item,
						   strlen(item), NULL, out, key);
	sodium_memzero(key, sizeof(key));
}

static int unseal_file_key(struct node *n, const char *item, uint8_t fk[AGE_FILE_KEY_BYTES],
			   struct gs_diag *d)
{
	uint8_t key[32], *blob = NULL;
	size_t len = 0;
	int ret;

	ret = store_item_key_get(n->st, item, &blob, &len);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, GS_ESTATE, "item '%s' has no key: it was destroyed or returned", item);
	if (ret)
		return gs_diag_set(d, ret, "cannot read the key of item '%s'", item);
	storage_key(n, key);
	ret = len != SEALED_KEY_BYTES ||
	      crypto_aead_xchacha20poly1305_ietf_decrypt(fk, NULL, NULL,
						 blob + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						 len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						 (const uint8_t *)item, strlen(item), blob, key);
	sodium_memzero(key, sizeof(key));
	free(blob);
	return ret ? gs_diag_set(d, GS_ECRYPTO, "the stored key of item '%s' does not open (damaged database?)", item) : 0;
}

static int objects_path(const struct node *n, const char *bundle, const char *suffix, char *out, size_t cap)
{
	int k = snprintf(out, cap, "%s/objects/%s.bundle%s", n->home, bundle, suffix);

	return k < 0 || (size_t)k >= cap ? GS_ELIMIT : 0;
}

static int ensure_dir(const struct node *n, const char *name, struct gs_diag *d)
{
	char path[GS_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", n->home, name);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

/* Copies src into dst through a temporary file renamed into place. */
int node_copy_file(const char *src, const char *dst, struct gs_diag *d)
{
	struct outfile o;
	struct stat sb;
	char buf[65536];
	ssize_t r;
	int in, ret = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", src, strerror(errno));
	if ((ret = outfile_open(&o, dst, 0644, d))) {
		close(in);
		return ret;
	}
	progress_phase("copying", fstat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0);
	/* Into a file, the kernel copies (copy_file_range: no pass through
	 * this process, a shared extent where the file system can); a file
	 * system that cannot gets the plain copy below, from where it stopped. */
	while (!o.in_place) {
		ssize_t c = copy_file_range(in, NULL, o.fd, NULL, 8 << 20, 0);

		if (c < 0 && errno == EINTR)
			continue;
		if (c <= 0)
			break; /* the end, or no kernel copy here: read() goes on */
		progress_add((uint64_t)c);
	}
	while (!ret && (r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = gs_diag_set(d, GS_EIO, "%s: %s", src, strerror(errno));
		} else {
			ret = outfile_write(&o, buf, (size_t)r, d);
			progress_add((uint64_t)r);
		}
	}
	close(in);
	if (ret) {
		outfile_abort(&o);
		return ret;
	}
	return outfile_commit(&o, d);
}

void item_join_labels(const struct marking *m, char *out, size_t cap)
{
	size_t used = 0;
	int i, k;

	out[0] = 0;
	for (i = 0; i < m->nlabels; i++) {
		k = snprintf(out + used, cap - used, "%s%s", i ? "," : "", m->labels[i]);
		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
}

static json_t *labels_json(char (*labels)[GS_MAX_LABEL], int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(labels[i]));
	return a;
}

int item_to_holding(json_t *rec, struct holding *h)
{
	json_t *a;
	size_t i;
	gs_instant t;
	static const char *const statuses[] = { "active", "returned", "destroyed", "lost", "compromised", "suspended" };
	static const char *const forms[] = { "oral", "visual", "electronic", "magnetic", "document", "equipment", "technology" };

	memset(h, 0, sizeof(*h));
	copy_str(h->item.id, sizeof(h->item.id), jstr(rec, "id"));
	copy_str(h->item.originator, sizeof(h->item.originator), jstr(rec, "originator"));
	copy_str(h->item.label, sizeof(h->item.label), jstr(rec, "label"));
	copy_str(h->item.purpose, sizeof(h->item.purpose), jstr(rec, "purpose"));
	copy_str(h->item.topic, sizeof(h->item.topic), jstr(rec, "topic"));
	copy_str(h->item.copy_of, sizeof(h->item.copy_of), jstr(rec, "copy_of"));
	copy_str(h->item.translation_of, sizeof(h->item.translation_of), jstr(rec, "translation_of"));
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!strcmp(jstr(rec, "form"), forms[i]))
			h->item.form = (enum item_form)i;
	copy_str(h->holder, sizeof(h->holder), jstr(rec, "holder"));
	a = json_object_get(rec, "marking");
	for (i = 0; i < json_array_size(a) && i < GS_MAX_MARK_LABELS; i++)
		copy_str(h->marking.labels[h->marking.nlabels++], GS_MAX_LABEL, json_string_value(json_array_get(a, i)));
	a = json_object_get(rec, "candidates");
	for (i = 0; i < json_array_size(a) && i < GS_MAX_LABELS_PER_CELL; i++)
		copy_str(h->marking.candidates[h->marking.ncandidates++], GS_MAX_LABEL,
			 json_string_value(json_array_get(a, i)));
	copy_str(h->marking.originator_name, sizeof(h->marking.originator_name), jstr(rec, "originator_name"));
	h->marking.protect_as = json_is_true(json_object_get(rec, "protect_as"));
	copy_str(h->agreement, sizeof(h->agreement), jstr(rec, "agreement"));
	h->agreement_version = (int)json_integer_value(json_object_get(rec, "agreement_version"));
	copy_str(h->released_by, sizeof(h->released_by), jstr(rec, "released_by"));
	h->released_at = GS_INSTANT_NONE;
	if (json_is_string(json_object_get(rec, "released_at")) &&
	    !instant_parse(jstr(rec, "released_at"), 0, &t))
		h->released_at = t;
	copy_str(h->facility, sizeof(h->facility), jstr(rec, "facility"));
	h->status = ITEM_ACTIVE;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(jstr(rec, "status"), statuses[i]))
			h->status = (enum item_status)i;
	return 0;
}

int node_item_get(struct node *n, const char *id, json_t **rec, struct gs_diag *d)
{
	char *s;
	int ret = store_record_get(n->st, "items", id, &s);

	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown item '%s'", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read item '%s'", id);
	*rec = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	free(s);
	return *rec ? 0 : gs_diag_set(d, GS_EIO, "damaged record of item '%s'", id);
}

static int put_item(struct node *n, json_t *rec, gs_instant now)
{
	char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int ret;

	if (!s)
		return GS_ENOMEM;
	ret = store_record_put(n->st, "items", jstr(rec, "id"), s, now);
	free(s);
	return ret;
}

/* The definition in effect at instant `at` (amendments), and the state. */
static int agreement_at(struct node *n, const char *id, gs_instant at, struct agreement_view *v,
			struct lifecycle_status *st, const struct agreement **a, struct gs_diag *d)
{
	int ret;

	if ((ret = agreement_view_load(n, id, v, d)))
		return ret;
	if ((ret = agreement_view_status(v, at, st))) {
		agreement_view_release(v);
		return gs_diag_set(d, ret, "cannot compute the state of '%s'", id);
	}
	*a = agreement_view_version(v, st->version);
	if (!*a)
		*a = agreement_view_base(v);
	return 0;
}

/* The same from the node's kept views (agreement_view_cached): *a is
 * valid until the next call that may refill them, so take it again after
 * any other decision. */
static int agreement_kept_at(struct node *n, const char *id, gs_instant at, struct lifecycle_status *st,
			     const struct agreement **a, struct gs_diag *d)
{
	const struct agreement_view *v;
	int ret;

	if ((ret = agreement_view_cached(n, id, &v, d)))
		return ret;
	if ((ret = agreement_view_status(v, at, st)))
		return gs_diag_set(d, ret, "cannot compute the state of '%s'", id);
	*a = agreement_view_version(v, st->version);
	if (!*a)
		*a = agreement_view_base(v);
	return 0;
}

static const char *const form_names[] = { "oral", "visual", "electronic", "magnetic", "document",
					  "equipment", "technology" };

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
};

static int release_write(struct node *n, void *ctx, struct gs_diag *d)
{
	struct release_write *w = ctx;
	char saved[GS_MAX_ID];
	int ret;

	/* the entry names the person of this release, whoever commits the batch */
	memcpy(saved, n->actor, sizeof(saved));
	copy_str(n->actor, sizeof(n->actor), w->actor);
	if ((ret = put_item(n, w->rec, w->now)) ||
	    (ret = store_item_key_set(n->st, w->item, w->skey, SEALED_KEY_BYTES)) ||
	    (ret = store_release_put(n->st, w->bundle, w->item, w->to, w->relj, w->now)) ||
	    (ret = store_custody_add(n->st, w->item, w->now, "released", n->self.code, w->to)) ||
	    (ret = ledger_append(n, w->to, w->e, w->index, d)) ||
	    /* the delivery with the release: a recorded release is always sent */
	    (w->deliver_path && (ret = node_outbox_add(n, w->to, "bundle", w->bundle, w->deliver_path, d)))) {
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
		for (i = 0; i < sizeof(form_names) / sizeof(form_names[0]); i++)
			if (!strcmp(r->form, form_names[i]))
				break;
		if (i == sizeof(form_names) / sizeof(form_names[0]))
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
	if ((ret = agreement_kept_at(n, r->agreement, now, st, &a, d)))
		goto out;
	if ((ret = node_party_get(n, r->to, recipient, d)) || (ret = party_ready_to_seal(recipient, d)) ||
	    (r->deliver && (ret = node_outbox_reachable(n, r->to, d))))
		goto out;
	if (scheme_find(&n->self.scheme, r->label) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "unknown classification label '%s' in the scheme of %s",
				  r->label, n->self.code);
		goto out;
	}
	in = open(r->file, O_RDONLY | O_CLOEXEC);
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
	for (i = 0; r->form && i < sizeof(form_names) / sizeof(form_names[0]); i++)
		if (!strcmp(r->form, form_names[i]))
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
	if ((ret = agreement_kept_at(n, r->agreement, now, st, &a, d)))
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
	copy_str(m->form, sizeof(m->form), form_names[h->item.form]);
	copy_str(m->title, sizeof(m->title), r->title);
	copy_str(m->name, sizeof(m->name), r->name);
	copy_str(m->banner_originator, sizeof(m->banner_originator), r->label);
	item_join_labels(rm, m->banner_recipient, sizeof(m->banner_recipient));
	m->created = now;
	m->exercise = n->self.exercise;

	if ((ret = ensure_dir(n, "objects", d)))
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
	objects_path(n, sealed->bundle_id, ".tmp", pending, sizeof(pending));
	objects_path(n, sealed->bundle_id, "", obj, sizeof(obj));
	if (rename(tmp, pending) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", pending, strerror(errno));
		goto out;
	}
	placed = 1;
	fault_point("release-sealed");
	seal_file_key(n, h->item.id, fk, skey);
	sodium_memzero(fk, sizeof(fk));

	rec = json_object();
	json_object_set_new(rec, "id", json_string(h->item.id));
	json_object_set_new(rec, "originator", json_string(n->self.code));
	json_object_set_new(rec, "originator_name", json_string(n->self.name));
	json_object_set_new(rec, "label", json_string(r->label));
	json_object_set_new(rec, "holder", json_string(n->self.code));
	json_object_set_new(rec, "marking", labels_json(h->marking.labels, h->marking.nlabels));
	json_object_set_new(rec, "candidates", json_array());
	json_object_set_new(rec, "protect_as", json_false());
	json_object_set_new(rec, "agreement", json_string(agreement));
	json_object_set_new(rec, "agreement_version", json_integer(agreement_version));
	json_object_set_new(rec, "released_by", json_string(""));
	json_object_set_new(rec, "released_at", json_null());
	json_object_set_new(rec, "purpose", json_string(r->purpose));
	json_object_set_new(rec, "topic", json_string(r->topic));
	json_object_set_new(rec, "form", json_string(form_names[h->item.form]));
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
static int make_receipt(struct node *n, const struct bundle_manifest *m, const char *labels,
			gs_instant at, uint64_t index, char **out, size_t *outlen, struct gs_diag *d)
{
	char *proof = NULL, *text = NULL, *b64 = NULL, hex[65], when[GS_INSTANT_STR], origin[GS_MAX_NAME];
	size_t plen = 0, cap;
	int k, ret;

	if ((ret = ledger_proof_make(n, m->sender, index, &proof, &plen, d)))
		return ret;
	cap = B64_ENCODED_SIZE(plen);
	b64 = malloc(cap);
	text = malloc(cap + 4096);
	if (!b64 || !text) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = b64_encode((const uint8_t *)proof, plen, b64, cap)) < 0)
		goto out;
	hex_encode(bundle_payload_digest(m), 32, hex, sizeof(hex));
	instant_format(at, when);
	ledger_origin(n->self.code, n->self.exercise, m->sender, origin);
	k = snprintf(text, cap + 4096,
		     RECEIPT_MAGIC "bundle %s\nitem %s\noriginator %s\nsender %s\nrecipient %s\n"
		     "agreement %s\nagreement-version %u\npayload-sha256 %s\nreceived %s\n"
		     "marking %s\nexercise %s\nledger %s\nindex %llu\nproof %s\n",
		     m->bundle_id, m->item, m->originator, m->sender, m->recipient, m->agreement,
		     m->agreement_version, hex, when, labels, m->exercise ? "yes" : "no", origin,
		     (unsigned long long)index, b64);
	if (k < 0 || (size_t)k >= cap + 4096) {
		ret = gs_diag_set(d, GS_ELIMIT, "receipt too long");
		goto out;
	}
	ret = node_sign(n, text, (size_t)k, out, outlen, d);
out:
	free(proof);
	free(b64);
	free(text);
	return ret;
}

/* Both ends of a release must have been members of the agreement at its
 * instant: a party that left a multilateral agreement neither releases
 * nor receives under it (docs/lifecycle.md, "Members"). */
static int members_at_release(const char *bundle_path, const struct agreement *a,
			      const struct lifecycle_status *st, const char *sender, const char *self,
			      gs_instant created, struct gs_diag *d)
{
	const char *who[2] = { sender, self };
	char when[GS_INSTANT_STR];

	for (int i = 0; i < 2 && st->nmembers > 0; i++) {
		const struct lifecycle_member *m = lifecycle_member_find(st, who[i]);

		if (m && member_state_allows_release(m->state))
			continue;
		instant_format_local(created, a->zone, when);
		return gs_diag_set(d, GS_EDENIED, "%s: %s was not a member of agreement '%s' at the "
				   "release instant %s (%s); refused", bundle_path, who[i], a->id, when,
				   m ? member_state_name(m->state) : "not a party");
	}
	return 0;
}

int node_receive(struct node *n, const char *bundle_path, const char *receipt_out,
		 struct receive_result *res, struct gs_diag *d)
{
	return node_receive_marked(n, bundle_path, receipt_out, NULL, res, d);
}

/* What one receipt of a bundle writes, as a member of a group commit
 * (node/commit.h): its ledger entry, the item with the entry's index, its
 * sealed key, custody. */
struct receive_write {
	json_t *rec;
	const char *item, *sender;
	const uint8_t *skey;
	gs_instant now;
	struct ledger_entry *e;
	uint64_t *index;
};

static int receive_write(struct node *n, void *ctx, struct gs_diag *d)
{
	struct receive_write *w = ctx;
	char *held = NULL;
	int ret;

	/* the same item received meanwhile by another call */
	if (store_record_get(n->st, "items", w->item, &held) == 0) {
		free(held);
		return gs_diag_set(d, GS_EEXIST, "item '%s' is already held", w->item);
	}
	if ((ret = ledger_append(n, w->sender, w->e, w->index, d)))
		return ret;
	json_object_set_new(w->rec, "receipt_index", json_integer((json_int_t)*w->index));
	json_object_set_new(w->rec, "receipt_at", jinstant(w->now));
	if ((ret = put_item(n, w->rec, w->now)) ||
	    (ret = store_item_key_set(n->st, w->item, w->skey, SEALED_KEY_BYTES)) ||
	    (ret = store_custody_add(n->st, w->item, w->now, "received", n->self.code, w->sender)))
		return ret;
	return 0;
}

/* Copies the bundle (open as in, which is read from its start) to dst, a
 * new file, without syncing it: the batch that commits its records does
 * (node/commit.h). *out is the new file, open, for that. */
static int copy_unsynced(int in, const char *src, const char *dst, int *out, struct gs_diag *d)
{
	char buf[65536];
	struct stat sb;
	ssize_t r, w;
	size_t off;
	int fd;

	if (lseek(in, 0, SEEK_SET) != 0)
		return gs_diag_set(d, GS_EIO, "%s: cannot seek", src);
	unlink(dst); /* a pending copy left by an interrupted attempt */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", dst, strerror(errno));
	progress_phase("copying", fstat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0);
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			gs_diag_set(d, GS_EIO, "%s: %s", src, strerror(errno));
			goto fail;
		}
		for (off = 0; off < (size_t)r; off += (size_t)w) {
			w = write(fd, buf + off, (size_t)r - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				gs_diag_set(d, GS_EIO, "%s: %s", dst, w < 0 ? strerror(errno) : "short write");
				goto fail;
			}
		}
		progress_add((uint64_t)r);
	}
	*out = fd;
	return 0;
fail:
	close(fd);
	unlink(dst);
	return GS_EIO;
}

int node_receive_marked(struct node *n, const char *bundle_path, const char *receipt_out, const char *marking,
			struct receive_result *res, struct gs_diag *d)
{
	struct bundle_manifest *m = NULL;
	struct bundle_sig sig;
	struct party *sender = NULL, *originator = NULL;
	struct agreement_view v;
	struct lifecycle_status *st = NULL;
	const struct agreement *a;
	const struct annex_version *annex;
	struct decision md = { 0 };
	char keyname[GS_MAX_NAME], obj[GS_HOME_MAX + 96], tmp[GS_HOME_MAX + 96], hex[65], labels[GS_BUNDLE_MAX_BANNER];
	uint8_t fk[AGE_FILE_KEY_BYTES], skey[SEALED_KEY_BYTES], box_used[32];
	const uint8_t *sender_pk, *unused_box;
	gs_instant now;
	json_t *rec = NULL, *old = NULL;
	char *receipt = NULL;
	size_t rlen = 0;
	struct receive_write w;
	struct node_commit_member cm;
	struct ledger_entry *e = NULL;
	char version[16];
	int fd = -1, copy = -1, ret, have_view = 0, placed = 0, locked = 0;

	memset(res, 0, sizeof(*res));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)))
		return ret;
	m = calloc(1, sizeof(*m));
	sender = calloc(1, sizeof(*sender));
	originator = calloc(1, sizeof(*originator));
	st = calloc(1, sizeof(*st));
	e = calloc(1, sizeof(*e));
	if (!m || !sender || !originator || !st || !e) {
		ret = GS_ENOMEM;
		goto out;
	}
	fd = open(bundle_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", bundle_path, strerror(errno));
		goto out;
	}
	/* Who says they sent it: only a hint until the signature verifies. */
	if ((ret = bundle_read_manifest(fd, m, &sig, d))) {
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	node_mutex_lock(n);
	locked = 1;
	if ((ret = node_party_get(n, m->sender, sender, d)))
		goto out;
	node_mutex_unlock(n);
	locked = 0;
	party_key_name(sender->code, sender->exercise, keyname);
	/* the sender's key of the release instant (node/keyhistory.h) */
	if ((ret = party_keys_at(sender, m->created, &sender_pk, &unused_box, d))) {
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	/* the whole bundle is verified outside the node's lock */
	if (lseek(fd, 0, SEEK_SET) != 0 || (ret = bundle_verify(fd, keyname, sender_pk, m, d))) {
		if (!ret)
			ret = gs_diag_set(d, GS_EIO, "%s: cannot seek", bundle_path);
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	if (strcmp(m->recipient, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: bundle is for '%s', not for this node (%s)",
				  bundle_path, m->recipient, n->self.code);
		goto out;
	}
	if (m->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s bundle refused by %s node", bundle_path,
				  m->exercise ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	node_mutex_lock(n);
	locked = 1;
	if (!node_item_get(n, m->item, &old, NULL)) {
		if (!strcmp(jstr(old, "bundle"), m->bundle_id)) {
			/* The same bundle delivered twice is held once; the
			 * receipt is made again if asked for (a crash may have
			 * come between the commit and the receipt). */
			res->already_held = true;
			copy_str(res->item, sizeof(res->item), m->item);
			copy_str(res->bundle, sizeof(res->bundle), m->bundle_id);
			ret = 0;
			if (receipt_out && json_is_integer(json_object_get(old, "receipt_index"))) {
				json_t *mk = json_object_get(old, "marking");
				gs_instant at = now;
				size_t i;

				for (i = 0; i < json_array_size(mk) && i < GS_MAX_MARK_LABELS; i++)
					copy_str(res->marking.labels[res->marking.nlabels++], GS_MAX_LABEL,
						 json_string_value(json_array_get(mk, i)));
				copy_str(res->marking.originator_name, GS_MAX_NAME, jstr(old, "originator_name"));
				item_join_labels(&res->marking, labels, sizeof(labels));
				if (json_is_string(json_object_get(old, "receipt_at")))
					instant_parse(jstr(old, "receipt_at"), 0, &at);
				res->ledger_index = (uint64_t)json_integer_value(json_object_get(old, "receipt_index"));
				if (!(ret = make_receipt(n, m, labels, at, res->ledger_index, &receipt, &rlen, d))) {
					copy_str(res->receipt_path, sizeof(res->receipt_path), receipt_out);
					ret = !strcmp(receipt_out, "-")
						      ? (fwrite(receipt, 1, rlen, stdout) == rlen ? 0 : GS_EIO)
						      : write_file_atomic(receipt_out, receipt, rlen, 0644, d);
				}
			}
			goto out;
		}
		ret = gs_diag_set(d, GS_EEXIST, "%s: item '%s' is already held from another bundle",
				  bundle_path, m->item);
		goto out;
	}
	/* The agreement must have been in force when the sender released it. */
	if ((ret = agreement_at(n, m->agreement, m->created, &v, st, &a, d)))
		goto out;
	have_view = 1;
	if (!state_allows_release(st->state)) {
		char when[GS_INSTANT_STR];

		instant_format_local(m->created, a->zone, when);
		ret = gs_diag_set(d, GS_EDENIED, "%s: agreement '%s' was %s at the release instant %s; refused",
				  bundle_path, a->id, state_name(st->state), when);
		goto out;
	}
	if (agreement_party_index(a, m->sender) < 0) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: sender '%s' is not a party to '%s'", bundle_path,
				  m->sender, a->id);
		goto out;
	}
	if ((ret = members_at_release(bundle_path, a, st, m->sender, n->self.code, m->created, d)))
		goto out;
	if (strcmp(m->originator, m->sender) && (ret = onward_accept(n, m, a, &res->marking, d))) {
		/* An onward release: the third party accepts it only with the
		 * originator's signed consent, held and verified here (node/onward.c). */
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	*originator = *sender;
	annex = agreement_annex_at(a, date_of_instant(m->created, a->zone));
	if (!strcmp(m->originator, m->sender)) {
		char reason[GS_MAX_LINE];

		if ((ret = node_ruled(decide_marking(a, annex, originator, &n->self, m->banner_originator,
						     &res->marking, &md), "marking", d)))
			goto out;
		if (!md.permit) {
			decision_reason(&md, reason, sizeof(reason));
			ret = gs_diag_set(d, GS_EDENIED, "%s: %s", bundle_path, annex ? reason : "no annex in effect");
			goto out;
		}
	}
	/* The recipient's choice among the equivalent labels of its cell. */
	if (marking && (ret = marking_choose(&res->marking, marking))) {
		char cands[GS_BUNDLE_MAX_BANNER] = "";

		for (int k = 0; k < res->marking.ncandidates; k++) {
			size_t used = strlen(cands);

			snprintf(cands + used, sizeof(cands) - used, "%s%s", k ? ", " : "", res->marking.candidates[k]);
		}
		if (ret == GS_ESTATE)
			ret = gs_diag_set(d, GS_EINVAL, "%s: --marking %s: agreement '%s' keeps the originator's label; "
					  "there is no marking to choose", bundle_path, marking, a->id);
		else
			ret = gs_diag_set(d, GS_EINVAL, "%s: --marking %s is not one of the labels %s may mark this item "
					  "with (%s)", bundle_path, marking, n->self.code, cands);
		goto out;
	}
	if ((ret = node_unwrap_bundle_key(n, fd, fk, box_used, d))) {
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	seal_file_key(n, m->item, fk, skey);
	sodium_memzero(fk, sizeof(fk));
	node_mutex_unlock(n);
	locked = 0;

	/* Ciphertext only: the bundle file, as received, under objects/,
	 * pending until the commit (see items_recover); its bytes reach the
	 * disk with the batch that commits its records (node/commit.h). */
	if ((ret = ensure_dir(n, "objects", d)))
		goto out;
	objects_path(n, m->bundle_id, ".tmp", tmp, sizeof(tmp));
	objects_path(n, m->bundle_id, "", obj, sizeof(obj));
	if ((ret = copy_unsynced(fd, bundle_path, tmp, &copy, d)))
		goto out;
	placed = 1;
	fault_point("receive-stored");

	item_join_labels(&res->marking, labels, sizeof(labels));
	hex_encode(bundle_payload_digest(m), 32, hex, sizeof(hex));
	rec = json_object();
	json_object_set_new(rec, "id", json_string(m->item));
	json_object_set_new(rec, "originator", json_string(m->originator));
	json_object_set_new(rec, "originator_name", json_string(res->marking.originator_name));
	json_object_set_new(rec, "label", json_string(m->banner_originator));
	json_object_set_new(rec, "holder", json_string(n->self.code));
	json_object_set_new(rec, "marking", labels_json(res->marking.labels, res->marking.nlabels));
	json_object_set_new(rec, "candidates", labels_json(res->marking.candidates, res->marking.ncandidates));
	json_object_set_new(rec, "protect_as", json_boolean(res->marking.protect_as));
	json_object_set_new(rec, "agreement", json_string(a->id));
	json_object_set_new(rec, "agreement_version", json_integer(m->agreement_version));
	json_object_set_new(rec, "released_by", json_string(m->sender));
	json_object_set_new(rec, "released_at", jinstant(m->created));
	json_object_set_new(rec, "purpose", json_string(m->purpose));
	json_object_set_new(rec, "topic", json_string(m->topic));
	json_object_set_new(rec, "form", json_string(m->form));
	json_object_set_new(rec, "title", json_string(m->title));
	json_object_set_new(rec, "name", json_string(m->name));
	json_object_set_new(rec, "status", json_string("active"));
	json_object_set_new(rec, "facility", json_string(""));
	json_object_set_new(rec, "copy_of", json_string(""));
	json_object_set_new(rec, "translation_of", json_string(""));
	json_object_set_new(rec, "bundle", json_string(m->bundle_id));
	json_object_set_new(rec, "payload_sha256", json_string(hex));
	json_object_set_new(rec, "created_at", jinstant(now));
	if (m->consent[0])
		json_object_set_new(rec, "consent", json_string(m->consent));
	if (memcmp(box_used, n->self.box_pk, 32)) {
		/* sealed to a key this node has rotated away: opened with it */
		char b64[B64_ENCODED_SIZE(32)];

		b64_encode(box_used, 32, b64, sizeof(b64));
		json_object_set_new(rec, "box_key", json_string(b64));
	}
	ledger_entry_start(e, n, LEDGER_RECEIPT, now, m->item, NULL);
	ledger_entry_digest(e, bundle_payload_digest(m));
	snprintf(version, sizeof(version), "%u", m->agreement_version);
	ledger_entry_field(e, "bundle", m->bundle_id);
	ledger_entry_field(e, "sender", m->sender);
	ledger_entry_field(e, "originator", m->originator);
	ledger_entry_field(e, "agreement", m->agreement);
	ledger_entry_field(e, "agreement-version", version);
	ledger_entry_field(e, "label", m->banner_originator);
	ledger_entry_field(e, "marking", labels);
	if (m->consent[0])
		ledger_entry_field(e, "consent", m->consent);
	memset(&w, 0, sizeof(w));
	w.rec = rec;
	w.item = m->item;
	w.sender = m->sender;
	w.skey = skey;
	w.now = now;
	w.e = e;
	w.index = &res->ledger_index;
	memset(&cm, 0, sizeof(cm));
	cm.write = receive_write;
	cm.ctx = &w;
	cm.d = d;
	cm.sync_fd = copy;
	if ((ret = node_commit(n, &cm))) {
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the receipt of '%s'", m->item);
		goto out;
	}
	placed = 0;
	fault_point("receive-committed");
	if (rename(tmp, obj) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s (the item is recorded; reopening the home completes it)",
				  obj, strerror(errno));
		goto out;
	}
	copy_str(res->item, sizeof(res->item), m->item);
	copy_str(res->bundle, sizeof(res->bundle), m->bundle_id);
	/* The receipt is made after the commit: it proves the entry is in
	 * the log, so the entry must be there first. */
	node_mutex_lock(n);
	ret = make_receipt(n, m, labels, now, res->ledger_index, &receipt, &rlen, d);
	node_mutex_unlock(n);
	if (ret)
		goto out;
	if (!receipt_out) {
		if ((ret = ensure_dir(n, "receipts", d)))
			goto out;
		snprintf(res->receipt_path, sizeof(res->receipt_path), "%s/receipts/%s.receipt", n->home,
			 m->bundle_id);
		receipt_out = res->receipt_path;
	} else {
		copy_str(res->receipt_path, sizeof(res->receipt_path), receipt_out);
	}
	if (!strcmp(receipt_out, "-"))
		ret = fwrite(receipt, 1, rlen, stdout) == rlen ? 0 : GS_EIO;
	else
		ret = write_file_atomic(receipt_out, receipt, rlen, 0644, d);
out:
	if (locked)
		node_mutex_unlock(n);
	if (fd >= 0)
		close(fd);
	if (copy >= 0)
		close(copy);
	if (placed)
		unlink(tmp);
	sodium_memzero(fk, sizeof(fk));
	json_decref(rec);
	json_decref(old);
	free(receipt);
	if (have_view)
		agreement_view_release(&v);
	free(m);
	free(sender);
	free(originator);
	free(st);
	free(e);
	return ret;
}

/* Reads "key value" lines of a receipt text. */
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

int node_receipt_import(struct node *n, const char *path, char bundle_out[BUNDLE_ID_HEX],
			struct gs_diag *d)
{
	struct signed_note *sn = NULL;
	struct party *rcpt = NULL;
	struct ledger_proof *proof = NULL;
	struct ledger_verified *ver = NULL;
	uint8_t *buf = NULL, *old_receipt = NULL, *pbuf = NULL;
	size_t len, vlen, old_len, plen = 0;
	const char *v;
	char bundle[BUNDLE_ID_HEX] = "", *relj = NULL;
	json_t *rel = NULL;
	gs_instant now;
	struct receipt_write w;
	struct node_commit_member cm;
	struct ledger_entry *e = NULL;
	char idx[24];
	int ret, locked = 0;

	if ((ret = node_now(n, &now, d)) || (ret = read_file(path, GS_MAX_NOTE_BYTES * 4, &buf, &len, d)))
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
	free(buf);
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
static int item_box_key_at(json_t *rec, const struct party *recipient, gs_instant at, uint8_t out[32],
			   struct gs_diag *d)
{
	const char *b64 = jstr(rec, "box_key");
	const uint8_t *sign, *box;
	int ret;

	if (*b64 && !strcmp(recipient->code, jstr(rec, "holder")))
		return b64_decode_exact(b64, strlen(b64), out, 32) ? gs_diag_set(d, GS_EIO, "damaged box_key of item '%s'",
										   jstr(rec, "id"))
								  : 0;
	if ((ret = party_keys_at(recipient, at, &sign, &box, d)))
		return ret;
	memcpy(out, box, 32);
	return 0;
}

int node_item_decrypt(struct node *n, json_t *rec, int out_fd, struct gs_diag *d)
{
	struct bundle_manifest *m = calloc(1, sizeof(*m));
	struct party *sender = calloc(1, sizeof(*sender)), *r = calloc(1, sizeof(*r));
	struct bundle_open_keys k;
	char obj[GS_PATH_MAX], keyname[GS_MAX_NAME];
	uint8_t fk[AGE_FILE_KEY_BYTES], box[32];
	const uint8_t *unused;
	int fd = -1, ret;

	if (!m || !sender || !r) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = unseal_file_key(n, jstr(rec, "id"), fk, d)))
		goto out;
	objects_path(n, jstr(rec, "bundle"), "", obj, sizeof(obj));
	fd = open(obj, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", obj, strerror(errno));
		goto out;
	}
	if ((ret = bundle_read_manifest(fd, m, NULL, d)) || lseek(fd, 0, SEEK_SET) != 0) {
		ret = ret ? ret : GS_EIO;
		goto out;
	}
	if ((ret = node_party_get(n, m->sender, sender, d)) || (ret = node_party_get(n, m->recipient, r, d)))
		goto out;
	party_key_name(sender->code, sender->exercise, keyname);
	memset(&k, 0, sizeof(k));
	k.key_name = keyname;
	k.file_key = fk;
	/* the keys of the sealing instant (node/keyhistory.h) */
	if ((ret = party_keys_at(sender, m->created, &k.sender_pk, &unused, d)) ||
	    (ret = item_box_key_at(rec, r, m->created, box, d)))
		goto out;
	k.box_pk = box;
	ret = bundle_open(fd, &k, out_fd, 0, m, d);
out:
	sodium_memzero(fk, sizeof(fk));
	if (fd >= 0)
		close(fd);
	free(m);
	free(sender);
	free(r);
	return ret;
}

/* A refusal of the kept bundle's own bytes (cut short, altered: it was
 * whole and verified when it came) as GS_ECRYPTO naming the item, so that
 * it reads as damaged evidence (docs/api.md, "A damaged bundle"), not as
 * a bad request nor as a failure of the node; other errors as they are. */
static int kept_bundle_error(int ret, const char *item, struct gs_diag *d)
{
	if (ret != GS_EINVAL && ret != GS_ECRYPTO && ret != GS_ELIMIT)
		return ret;
	gs_diag_prefix(d, "the bundle kept for item '%s' is damaged", item);
	return GS_ECRYPTO;
}

int node_open_item(struct node *n, const char *item, const char *person, const char *output,
		   struct decision *dec, struct gs_diag *d)
{
	return node_open_item_at(n, item, person, NULL, NULL, output, dec, d);
}

int node_open_item_at(struct node *n, const char *item, const char *person, const char *facility,
		      const char *purpose, const char *output, struct decision *dec, struct gs_diag *d)
{
	struct person *p = NULL;
	struct holding *h = NULL;
	struct party *sender = NULL;
	struct bundle_open_keys k;
	struct bundle_manifest *m = NULL;
	json_t *rec = NULL;
	char reason[GS_MAX_LINE], obj[GS_PATH_MAX], keyname[GS_MAX_NAME];
	uint8_t fk[AGE_FILE_KEY_BYTES];
	struct outfile of;
	const char *peer;
	gs_instant now;
	int ret, fd = -1, granted;

	memset(dec, 0, sizeof(*dec));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, item, &rec, d)))
		return ret;
	p = calloc(1, sizeof(*p));
	h = calloc(1, sizeof(*h));
	sender = calloc(1, sizeof(*sender));
	m = calloc(1, sizeof(*m));
	if (!p || !h || !sender || !m) {
		ret = GS_ENOMEM;
		goto out;
	}
	item_to_holding(rec, h);
	if ((ret = node_person_get(n, person, p, d)))
		goto out;
	if (!facility || !facility[0])
		facility = p->facility;
	if (purpose && !purpose[0])
		purpose = NULL;
	/* The same decision 'gsomia decide access --item' takes
	 * (node/decisions.h): the state of the agreement is not an input,
	 * since termination never relaxes access to what was released under
	 * it (survival); the consents held are. */
	if ((ret = node_judge_access(n, h, person, facility, purpose, now, dec, d)))
		goto out;
	granted = dec->permit;
	decision_reason(dec, reason, sizeof(reason));
	/* The originator's log when the item came from a peer, else internal. */
	peer = strcmp(h->item.originator, n->self.code) ? h->item.originator : NULL;
	if ((ret = store_begin(n->st)))
		goto out;
	{
		struct ledger_entry e;

		ledger_entry_start(&e, n, granted ? LEDGER_ACCESS_GRANT : LEDGER_ACCESS_REFUSAL, now, item, person);
		ledger_entry_field(&e, "rule", dec->rule_id);
		ledger_entry_field(&e, "reason", reason);
		ledger_entry_field(&e, "facility", facility);
		if (purpose && strcmp(purpose, h->item.purpose))
			ledger_entry_field(&e, "purpose", purpose);
		if ((granted && (ret = store_custody_add(n->st, item, now, "opened", person, facility))) ||
		    (ret = ledger_append(n, peer, &e, NULL, d)) || (ret = store_commit(n->st))) {
			store_rollback(n->st);
			if (!d || !d->msg[0])
				gs_diag_set(d, ret, "cannot record the access decision");
			goto out;
		}
	}
	if (!granted) {
		ret = GS_EDENIED;
		goto out;
	}
	/* Decrypt with the item's key. */
	if ((ret = unseal_file_key(n, item, fk, d)))
		goto out;
	objects_path(n, jstr(rec, "bundle"), "", obj, sizeof(obj));
	fd = open(obj, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", obj, strerror(errno));
		goto out;
	}
	if ((ret = bundle_read_manifest(fd, m, NULL, d)) || lseek(fd, 0, SEEK_SET) != 0) {
		ret = ret ? kept_bundle_error(ret, item, d) : GS_EIO;
		goto out;
	}
	if ((ret = node_party_get(n, m->sender, sender, d)))
		goto out;
	party_key_name(sender->code, sender->exercise, keyname);
	memset(&k, 0, sizeof(k));
	k.key_name = keyname;
	k.file_key = fk;
	{
		/* The keys of the sealing instant (node/keyhistory.h); at the
		 * originator, its own copy is sealed to the recipient's key. */
		struct party *r = calloc(1, sizeof(*r));
		const uint8_t *unused;

		if (!r || (ret = party_keys_at(sender, m->created, &k.sender_pk, &unused, d)) ||
		    (ret = node_party_get(n, m->recipient, r, d)) ||
		    (ret = item_box_key_at(rec, r, m->created, sender->box_pk, d))) {
			free(r);
			ret = ret ? ret : GS_ENOMEM;
			goto out;
		}
		free(r);
		k.box_pk = sender->box_pk;
	}
	/* Into a temporary file renamed into place only when every check of
	 * the bundle has passed (a device or FIFO is written in place). */
	if ((ret = outfile_open(&of, output, 0600, d)))
		goto out;
	if ((ret = bundle_open(fd, &k, of.fd, 0, m, d))) {
		outfile_abort(&of);
		ret = kept_bundle_error(ret, item, d);
	} else {
		ret = outfile_commit(&of, d);
	}
out:
	sodium_memzero(fk, sizeof(fk));
	if (fd >= 0)
		close(fd);
	json_decref(rec);
	free(p);
	free(h);
	free(sender);
	free(m);
	return ret;
}

struct items_ctx {
	struct node *n;
	json_t *arr;
	json_t *byid; /* item id -> its record in arr */
};

static int custody_one(void *ctx, int64_t at, const char *event, const char *actor, const char *detail)
{
	json_t *o = json_object();

	json_object_set_new(o, "at", jinstant(at));
	json_object_set_new(o, "event", json_string(event));
	json_object_set_new(o, "actor", json_string(actor));
	json_object_set_new(o, "detail", json_string(detail));
	json_array_append_new(ctx, o);
	return 0;
}

static int release_one(void *ctx, const char *bundle, const char *json, int has_receipt)
{
	json_t *o = json_loads(json, 0, NULL);

	(void)bundle;
	if (!o)
		return GS_EIO;
	json_object_set_new(o, "receipt", json_boolean(has_receipt));
	json_array_append_new(ctx, o);
	return 0;
}

static int item_one(void *ctx, const char *id, const char *json)
{
	struct items_ctx *c = ctx;
	json_t *rec = json_loads(json, JSON_REJECT_DUPLICATES, NULL);

	if (!rec)
		return GS_EIO;
	json_object_set_new(rec, "custody", json_array());
	json_object_set_new(rec, "releases", json_array());
	json_object_set_new(rec, "copies", json_integer(0));
	json_object_set(c->byid, id, rec);
	json_array_append_new(c->arr, rec);
	return 0;
}

/* The custody and releases of every item, each read once for the whole
 * inventory (not a query per item: an inventory may hold thousands). */
static int custody_of(void *ctx, const char *item, int64_t at, const char *event, const char *actor,
		      const char *detail)
{
	json_t *rec = json_object_get(((struct items_ctx *)ctx)->byid, item);

	return rec ? custody_one(json_object_get(rec, "custody"), at, event, actor, detail) : 0;
}

static int releases_of(void *ctx, const char *item, const char *bundle, const char *json, int has_receipt)
{
	json_t *rec = json_object_get(((struct items_ctx *)ctx)->byid, item);

	return rec ? release_one(json_object_get(rec, "releases"), bundle, json, has_receipt) : 0;
}

int node_items(struct node *n, json_t **out, struct gs_diag *d)
{
	struct items_ctx c = { n, json_array(), json_object() };
	int ret = c.arr && c.byid ? store_record_each(n->st, "items", item_one, &c) : GS_ENOMEM;
	json_t *counts;
	size_t i, j;

	if (!ret && !(ret = store_custody_all(n->st, custody_of, &c)))
		ret = store_release_all(n->st, releases_of, &c);
	json_decref(c.byid);
	if (ret) {
		json_decref(c.arr);
		return gs_diag_set(d, ret, "cannot read the inventory");
	}
	/* Copies and translations count against their original: counted in
	 * one pass by the original's id (an inventory may hold thousands). */
	if (!(counts = json_object())) {
		json_decref(c.arr);
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	}
	for (i = 0; i < json_array_size(c.arr); i++) {
		json_t *b = json_array_get(c.arr, i);
		const char *of[2] = { jstr(b, "copy_of"), jstr(b, "translation_of") };

		for (j = 0; j < 2; j++)
			if (of[j][0])
				json_object_set_new(counts, of[j],
						    json_integer(json_integer_value(json_object_get(counts, of[j])) + 1));
	}
	for (i = 0; i < json_array_size(c.arr); i++) {
		json_t *a = json_array_get(c.arr, i);

		json_object_set_new(a, "copies", json_integer(json_integer_value(json_object_get(counts, jstr(a, "id")))));
	}
	json_decref(counts);
	*out = c.arr;
	return 0;
}

int node_item_full(struct node *n, const char *id, json_t **out, struct gs_diag *d)
{
	json_t *rec = NULL, *custody = json_array(), *rels = json_array(), *consents;
	int ret;

	*out = NULL;
	if (!custody || !rels)
		ret = GS_ENOMEM;
	else if (!(ret = node_item_get(n, id, &rec, d)) &&
		 ((ret = store_custody_each(n->st, id, custody_one, custody)) ||
		  (ret = store_release_each(n->st, id, release_one, rels))))
		gs_diag_set(d, ret, "cannot read the custody of item '%s'", id);
	if (ret) {
		json_decref(rec);
		json_decref(custody);
		json_decref(rels);
		return ret;
	}
	json_object_set_new(rec, "custody", custody);
	json_object_set_new(rec, "releases", rels);
	/* the originator's consents about it: who else may see it, what for */
	if ((ret = node_item_consents(n, rec, &consents, d))) {
		json_decref(rec);
		return ret;
	}
	json_object_set_new(rec, "consents", consents);
	*out = rec;
	return 0;
}

int node_export_age_identity(struct node *n, char **out, size_t *len, struct gs_diag *d)
{
	char id[AGE_IDENTITY_SIZE], rcpt[AGE_RECIPIENT_SIZE];
	char *buf;
	size_t cap = 512;
	int k;

	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (age_identity_encode(n->keys.box_sk, id) || age_recipient_encode(n->keys.box_pk, rcpt))
		return gs_diag_set(d, GS_EINVAL, "cannot encode the age identity");
	buf = sodium_malloc(cap);
	if (!buf) {
		sodium_memzero(id, sizeof(id));
		return GS_ENOMEM;
	}
	k = snprintf(buf, cap, "# gsomia node %s%s: X25519 identity in age format\n# public key: %s\n%s\n",
		     n->self.code, n->self.exercise ? " (EXERCISE)" : "", rcpt, id);
	sodium_memzero(id, sizeof(id));
	if (k < 0 || (size_t)k >= cap) {
		sodium_free(buf);
		return GS_ELIMIT;
	}
	*out = buf;
	*len = (size_t)k;
	return 0;
}

/* Completes or undoes what a crash interrupted: a pending object
 * (<bundle>.bundle.tmp) whose item was committed is put in place, any
 * other is removed, and so are temporary files of sealing. */
int items_recover(struct node *n)
{
	char dir[GS_PATH_MAX], from[GS_PATH_MAX], to[GS_PATH_MAX];
	struct dirent *e;
	DIR *dp;
	int fixed = 0;

	snprintf(dir, sizeof(dir), "%s/objects", n->home);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		char bundle[BUNDLE_ID_HEX];

		if (len < 4 || strcmp(e->d_name + len - 4, ".tmp"))
			continue;
		if (snprintf(from, sizeof(from), "%s/%s", dir, e->d_name) >= (int)sizeof(from))
			continue;
		if (len == BUNDLE_ID_HEX - 1 + strlen(".bundle.tmp") &&
		    !strcmp(e->d_name + BUNDLE_ID_HEX - 1, ".bundle.tmp")) {
			memcpy(bundle, e->d_name, BUNDLE_ID_HEX - 1);
			bundle[BUNDLE_ID_HEX - 1] = 0;
			if (store_item_with_bundle(n->st, bundle) == 0) {
				if (snprintf(to, sizeof(to), "%s/%s.bundle", dir, bundle) < (int)sizeof(to) &&
				    rename(from, to) == 0)
					fixed++;
				continue;
			}
		}
		if (unlink(from) == 0)
			fixed++;
	}
	closedir(dp);
	return fixed;
}

/* ---- shared with node/custody.c (node/items_internal.h) ---------------- */

void item_seal_key(const struct node *n, const char *item, const uint8_t fk[AGE_FILE_KEY_BYTES],
		   uint8_t out[SEALED_KEY_BYTES])
{
	seal_file_key(n, item, fk, out);
}

int item_unseal_key(struct node *n, const char *item, uint8_t fk[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	return unseal_file_key(n, item, fk, d);
}

int item_object_path(const struct node *n, const char *bundle, const char *suffix, char *out, size_t cap)
{
	return objects_path(n, bundle, suffix, out, cap);
}

int item_ensure_dir(const struct node *n, const char *name, struct gs_diag *d)
{
	return ensure_dir(n, name, d);
}

int item_put(struct node *n, json_t *rec, gs_instant now)
{
	return put_item(n, rec, now);
}

int item_agreement_at(struct node *n, const char *id, gs_instant at, struct agreement_view *v,
		      struct lifecycle_status *st, const struct agreement **a, struct gs_diag *d)
{
	return agreement_at(n, id, at, v, st, a, d);
}

/* A key rotation (node/keyhistory.c) changes the storage key with the
 * X25519 secret: every sealed file key is opened under the current key
 * and sealed again under the one derived from new_box_sk, inside the
 * caller's transaction. */
struct reseal_ctx {
	struct node *n;
	const uint8_t *new_box_sk;
	int count;
	int ret;
	struct gs_diag *d;
};

static int reseal_one(void *ctx, const char *id, const char *json)
{
	struct reseal_ctx *c = ctx;
	uint8_t fk[AGE_FILE_KEY_BYTES], sealed[SEALED_KEY_BYTES], key[32];
	int ret;

	(void)json;
	ret = unseal_file_key(c->n, id, fk, c->d);
	if (ret == GS_ESTATE) /* destroyed or returned: no key to carry over */
		return 0;
	if (ret)
		return ret;
	item_storage_key(c->new_box_sk, key);
	randombytes_buf(sealed, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, fk,
						   AGE_FILE_KEY_BYTES, (const uint8_t *)id, strlen(id), NULL, sealed,
						   key);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(fk, sizeof(fk));
	if ((ret = store_item_key_set(c->n->st, id, sealed, sizeof(sealed))))
		return gs_diag_set(c->d, ret, "cannot keep the key of item '%s'", id);
	c->count++;
	return 0;
}

int items_reseal_keys(struct node *n, const uint8_t new_box_sk[32], int *count, struct gs_diag *d)
{
	struct reseal_ctx c = { n, new_box_sk, 0, 0, d };
	int ret = store_record_each(n->st, "items", reseal_one, &c);

	if (ret && (!d || !d->msg[0]))
		gs_diag_set(d, ret, "cannot read the items");
	*count = c.count;
	return ret;
}

int node_item_rows(struct node *n, int (*fn)(void *ctx, const struct store_item_row *r), void *ctx,
		   struct gs_diag *d)
{
	int ret = store_item_rows_each(n->st, fn, ctx);

	return ret ? gs_diag_set(d, ret, "cannot read the inventory") : 0;
}
