/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/decide.h"
#include "crypto/note.h"
#include "node/custody.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

#define MAX_CHAIN 32 /* links from a copy of a copy ... to its original */

static int refuse_decision(struct custody_refusal *ref, const struct decision *dec)
{
	copy_str(ref->rule, sizeof(ref->rule), dec->rule_id ? dec->rule_id : "unknown");
	decision_reason(dec, ref->reason, sizeof(ref->reason));
	return GS_EDENIED;
}

static void join_labels(json_t *a, char *out, size_t cap)
{
	size_t i, used = 0;
	int k;

	out[0] = 0;
	for (i = 0; i < json_array_size(a); i++) {
		k = snprintf(out + used, cap - used, "%s%s", i ? "," : "", json_string_value(json_array_get(a, i)));
		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
}

static json_t *marking_labels(const struct marking *m, bool candidates)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < (candidates ? m->ncandidates : m->nlabels); i++)
		json_array_append_new(a, json_string(candidates ? m->candidates[i] : m->labels[i]));
	return a;
}

/* The log an event about an item goes to: its originator's when it came
 * from a peer, else the node's internal log. */
static const char *item_peer(const struct node *n, json_t *rec)
{
	return strcmp(jstr(rec, "originator"), n->self.code) ? jstr(rec, "originator") : NULL;
}

static bool status_final(const char *status)
{
	return !strcmp(status, "destroyed") || !strcmp(status, "returned");
}

static const char *parent_of(json_t *rec);

/* The facts decide_custody reads about rec, for action. */
static void custody_facts_of(const struct node *n, json_t *rec, const struct holding *h,
			     enum custody_action action, struct custody_facts *f)
{
	json_t *disp = json_object_get(rec, "disposal");
	gs_instant at;

	memset(f, 0, sizeof(*f));
	f->action = action;
	f->holding = h;
	f->self = n->self.code;
	f->is_copy = parent_of(rec)[0] != 0;
	f->disposed_at = GS_INSTANT_NONE;
	if (!instant_parse(jstr(disp, "at"), 0, &at))
		f->disposed_at = at;
	f->disposed_by = jstr(disp, "by");
	f->live_copies = "";
}

/* decide_custody, a refusal as *ref (an error is no refusal: node_ruled). */
static int custody_check(const struct custody_facts *f, struct custody_refusal *ref, struct gs_diag *d)
{
	struct decision dec;
	int ret;

	if ((ret = node_ruled(decide_custody(f, &dec), "custody action", d)))
		return ret;
	return dec.permit ? 0 : refuse_decision(ref, &dec);
}

/* Refuses every action on an item that was destroyed or returned. */
static int check_not_disposed(const struct node *n, json_t *rec, enum custody_action action,
			      struct custody_refusal *ref, struct gs_diag *d)
{
	struct holding *h = calloc(1, sizeof(*h));
	struct custody_facts f;
	int ret;

	if (!h)
		return GS_ENOMEM;
	item_to_holding(rec, h);
	custody_facts_of(n, rec, h, action, &f);
	ret = custody_check(&f, ref, d);
	free(h);
	return ret;
}

/* ---- the item family: copies and translations of an original ---------- */

struct all_ctx {
	json_t *byid;
};

static int all_one(void *ctx, const char *id, const char *json)
{
	struct all_ctx *c = ctx;
	json_t *rec = json_loads(json, JSON_REJECT_DUPLICATES, NULL);

	if (!rec)
		return GS_EIO;
	json_object_set_new(c->byid, id, rec);
	return 0;
}

static int load_all(struct node *n, json_t **out, struct gs_diag *d)
{
	struct all_ctx c = { json_object() };
	int ret;

	if (!c.byid)
		return GS_ENOMEM;
	ret = store_record_each(n->st, "items", all_one, &c);
	if (ret) {
		json_decref(c.byid);
		return gs_diag_set(d, ret, "cannot read the inventory");
	}
	*out = c.byid;
	return 0;
}

static const char *parent_of(json_t *rec)
{
	const char *p = jstr(rec, "copy_of");

	return p[0] ? p : jstr(rec, "translation_of");
}

/* Every copy and translation descending from root (copies of copies,
 * copies of translations...), as records of all (borrowed), in id order. */
static json_t *family_of(json_t *all, const char *root)
{
	json_t *out = json_array(), *rec;
	const char *id;

	json_object_foreach(all, id, rec) {
		json_t *r = rec;
		int k;

		for (k = 0; k < MAX_CHAIN && parent_of(r)[0]; k++) {
			const char *p = parent_of(r);

			if (!strcmp(p, root)) {
				json_array_append(out, rec);
				break;
			}
			r = json_object_get(all, p);
			if (!r)
				break;
		}
	}
	return out;
}

/* The first id base-<kind><k>, k = 1, 2, ..., not yet used. */
static int next_id(struct node *n, const char *base, char kind, char out[GS_MAX_ID], struct gs_diag *d)
{
	char *s;
	int k, len, ret;

	for (k = 1; k < 100000; k++) {
		len = snprintf(out, GS_MAX_ID, "%s-%c%d", base, kind, k);
		if (len < 0 || len >= GS_MAX_ID)
			return gs_diag_set(d, GS_ELIMIT, "item id '%s-%c%d' is too long", base, kind, k);
		ret = store_record_get(n->st, "items", out, &s);
		if (ret == GS_ENOTFOUND)
			return 0;
		if (ret)
			return gs_diag_set(d, ret, "cannot read the inventory");
		free(s);
	}
	return gs_diag_set(d, GS_ELIMIT, "too many copies of '%s'", base);
}

/* ---- access for a copy or a translation ----------------------------- */

struct actor {
	struct person p;
	struct holding h;
	struct decision dec;
};

/* Appends an access refusal for person's action on item (its own
 * transaction): a refused attempt is recorded like a refused opening. */
static int log_refusal(struct node *n, json_t *rec, const char *person, const char *facility,
		       const char *action, struct custody_refusal *ref, gs_instant now, struct gs_diag *d)
{
	struct ledger_entry e;
	int ret;

	if ((ret = store_begin(n->st)))
		return gs_diag_set(d, ret, "cannot record the refusal");
	ledger_entry_start(&e, n, LEDGER_ACCESS_REFUSAL, now, jstr(rec, "id"), person);
	ledger_entry_field(&e, "action", action);
	ledger_entry_field(&e, "rule", ref->rule);
	ledger_entry_field(&e, "reason", ref->reason);
	ledger_entry_field(&e, "facility", facility);
	if ((ret = ledger_append(n, item_peer(n, rec), &e, NULL, d)) || (ret = store_commit(n->st))) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the refusal");
		return ret;
	}
	ref->logged = true;
	return 0;
}

/* The access decision 'gsomia open' takes for person on the item
 * (node_judge_access); a refusal is logged and returned as GS_EDENIED
 * with *ref. */
static int access_check(struct node *n, json_t *rec, const char *person, const char *action, gs_instant now,
			struct actor *ac, struct custody_refusal *ref, struct gs_diag *d)
{
	int ret;

	item_to_holding(rec, &ac->h);
	if ((ret = node_person_get(n, person, &ac->p, d)))
		return ret;
	if ((ret = node_judge_access(n, &ac->h, person, ac->p.facility, NULL, now, &ac->dec, d)))
		return ret;
	if (ac->dec.permit)
		return 0;
	refuse_decision(ref, &ac->dec);
	if ((ret = log_refusal(n, rec, person, ac->p.facility, action, ref, now, d)))
		return ret;
	return GS_EDENIED;
}

/* ---- copy (Art 14) --------------------------------------------------- */

int node_copy(struct node *n, const struct copy_request *r, json_t **ids, struct custody_refusal *ref,
	      struct gs_diag *d)
{
	struct actor *ac = NULL;
	struct facility *keep = NULL;
	json_t *rec = NULL, *out = NULL;
	uint8_t fk[AGE_FILE_KEY_BYTES], skey[SEALED_KEY_BYTES];
	const char *facility;
	gs_instant now;
	int ret, k;

	memset(ref, 0, sizeof(*ref));
	*ids = NULL;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (r->count < 1 || r->count > CUSTODY_MAX_COPIES)
		return gs_diag_set(d, GS_EUSAGE, "--count must be 1 to %d", CUSTODY_MAX_COPIES);
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, r->item, &rec, d)))
		return ret;
	ac = calloc(1, sizeof(*ac));
	keep = calloc(1, sizeof(*keep));
	out = json_array();
	if (!ac || !keep || !out) {
		ret = GS_ENOMEM;
		goto out;
	}
	facility = jstr(rec, "facility");
	if (r->facility) {
		if ((ret = node_facility_get(n, r->facility, keep, d)))
			goto out;
		facility = r->facility;
	}
	if ((ret = check_not_disposed(n, rec, CUSTODY_COPY, ref, d)))
		goto out;
	if ((ret = access_check(n, rec, r->person, "copy", now, ac, ref, d)))
		goto out;
	if ((ret = item_unseal_key(n, r->item, fk, d)))
		goto out;
	if ((ret = store_begin(n->st)))
		goto out;
	for (k = 0; k < r->count; k++) {
		char cid[GS_MAX_ID], labels[GS_BUNDLE_MAX_BANNER];
		json_t *c;
		struct ledger_entry e;

		if ((ret = next_id(n, r->item, 'c', cid, d)))
			break;
		c = json_deep_copy(rec);
		if (!c) {
			ret = GS_ENOMEM;
			break;
		}
		json_object_set_new(c, "id", json_string(cid));
		json_object_set_new(c, "copy_of", json_string(r->item));
		json_object_set_new(c, "translation_of", json_string(""));
		json_object_set_new(c, "facility", json_string(facility));
		json_object_set_new(c, "copied_by", json_string(r->person));
		json_object_set_new(c, "created_at", jinstant(now));
		json_object_del(c, "recipient_of_bundle");
		item_seal_key(n, cid, fk, skey);
		join_labels(json_object_get(c, "marking"), labels, sizeof(labels));
		ledger_entry_start(&e, n, LEDGER_COPY, now, cid, r->person);
		ledger_entry_field(&e, "copy-of", r->item);
		ledger_entry_field(&e, "facility", facility);
		ledger_entry_field(&e, "marking", labels);
		ledger_entry_field(&e, "rule", ac->dec.rule_id);
		ret = item_put(n, c, now);
		json_decref(c);
		if (ret || (ret = store_item_key_set(n->st, cid, skey, sizeof(skey))) ||
		    (ret = store_custody_add(n->st, cid, now, "copy-of", r->person, r->item)) ||
		    (ret = store_custody_add(n->st, r->item, now, "copied", r->person, cid)) ||
		    (ret = ledger_append(n, item_peer(n, rec), &e, NULL, d)))
			break;
		json_array_append_new(out, json_string(cid));
	}
	sodium_memzero(skey, sizeof(skey));
	if (ret || (ret = store_commit(n->st))) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the copy of '%s'", r->item);
		goto out;
	}
	*ids = out;
	out = NULL;
out:
	sodium_memzero(fk, sizeof(fk));
	json_decref(rec);
	json_decref(out);
	free(ac);
	free(keep);
	return ret;
}

/* ---- translate (Art 15) ---------------------------------------------- */

/* The note is before + the originator's name in the language + after. */
struct note_lang {
	const char *lang;
	const char *before, *after;
};

static const struct note_lang note_langs[] = {
	{ "en", "This translation contains classified military information of ", "" },
	{ "ja", "この翻訳には", "の秘密軍事情報が含まれている" },
	{ "ko", "이 번역물에는 ", "의 군사비밀정보가 포함되어 있다" },
};

struct party_names {
	const char *code, *en, *ja, *ko;
};

static const struct party_names party_names[] = {
	{ "KOR", "the Republic of Korea", "大韓民国", "대한민국" },
	{ "JPN", "Japan", "日本国", "일본국" },
	{ "USA", "the United States of America", "アメリカ合衆国", "미합중국" },
};

void translation_note(const char *language, const char *originator, const char *name, char *out, size_t cap)
{
	char primary[9];
	const struct note_lang *l = &note_langs[0];
	const char *who = name && name[0] ? name : originator;
	size_t i;

	copy_str(primary, sizeof(primary), language);
	primary[strcspn(primary, "-_")] = 0;
	for (i = 0; primary[i]; i++)
		if (primary[i] >= 'A' && primary[i] <= 'Z')
			primary[i] = (char)(primary[i] - 'A' + 'a');
	for (i = 0; i < sizeof(note_langs) / sizeof(note_langs[0]); i++)
		if (!strcmp(primary, note_langs[i].lang))
			l = &note_langs[i];
	for (i = 0; i < sizeof(party_names) / sizeof(party_names[0]); i++) {
		if (strcmp(originator, party_names[i].code))
			continue;
		who = !strcmp(l->lang, "ja") ? party_names[i].ja
		      : !strcmp(l->lang, "ko") ? party_names[i].ko : party_names[i].en;
	}
	snprintf(out, cap, "%s%s%s", l->before, who, l->after);
}

/* A language tag: letters, digits and '-', 2 to 35 bytes, a letter first. */
static bool language_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len < 2 || len > 35 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int node_translate(struct node *n, const struct translate_request *r, struct translate_result *res,
		   struct custody_refusal *ref, struct gs_diag *d)
{
	struct actor *ac = NULL;
	struct bundle_manifest *m = NULL, *sealed = NULL;
	json_t *rec = NULL, *t = NULL;
	char keyname[GS_MAX_NAME], obj[GS_PATH_MAX], tmp[GS_PATH_MAX], hex[65], rndhex[17];
	uint8_t fk[AGE_FILE_KEY_BYTES], skey[SEALED_KEY_BYTES], rnd[8];
	gs_instant now;
	int ret, in = -1, out = -1, placed = 0;

	memset(ref, 0, sizeof(*ref));
	memset(res, 0, sizeof(*res));
	tmp[0] = 0;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (!language_valid(r->language))
		return gs_diag_set(d, GS_EUSAGE, "'%s' is not a language tag (ko, ja, en, ...)", r->language);
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, r->item, &rec, d)))
		return ret;
	ac = calloc(1, sizeof(*ac));
	m = calloc(1, sizeof(*m));
	sealed = calloc(1, sizeof(*sealed));
	if (!ac || !m || !sealed) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = check_not_disposed(n, rec, CUSTODY_TRANSLATE, ref, d)))
		goto out;
	in = open(r->file, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", r->file, strerror(errno));
		goto out;
	}
	if ((ret = access_check(n, rec, r->person, "translate", now, ac, ref, d)))
		goto out;
	/* Art 15: only persons holding a PSC translate, and only translators. */
	{
		struct decision td;

		if ((ret = node_ruled(decide_translator(&ac->p, &td), "translation", d)))
			goto out;
		if (!td.permit) {
			refuse_decision(ref, &td);
			if (!(ret = log_refusal(n, rec, r->person, ac->p.facility, "translate", ref, now, d)))
				ret = GS_EDENIED;
			goto out;
		}
	}
	if ((ret = next_id(n, r->item, 't', res->item, d)))
		goto out;
	translation_note(r->language, jstr(rec, "originator"), jstr(rec, "originator_name"), res->note,
			 sizeof(res->note));

	/* Sealed for this node itself, the originator kept, the markings kept. */
	copy_str(m->item, sizeof(m->item), res->item);
	copy_str(m->originator, sizeof(m->originator), jstr(rec, "originator"));
	copy_str(m->sender, sizeof(m->sender), n->self.code);
	copy_str(m->recipient, sizeof(m->recipient), n->self.code);
	copy_str(m->agreement, sizeof(m->agreement), jstr(rec, "agreement"));
	m->agreement_version = (uint32_t)json_integer_value(json_object_get(rec, "agreement_version"));
	copy_str(m->purpose, sizeof(m->purpose), jstr(rec, "purpose"));
	copy_str(m->topic, sizeof(m->topic), jstr(rec, "topic"));
	copy_str(m->form, sizeof(m->form), jstr(rec, "form"));
	copy_str(m->title, sizeof(m->title), jstr(rec, "title"));
	copy_str(m->banner_originator, sizeof(m->banner_originator), jstr(rec, "label"));
	join_labels(json_object_get(rec, "marking"), m->banner_recipient, sizeof(m->banner_recipient));
	m->created = now;
	m->exercise = n->self.exercise;
	if ((ret = item_ensure_dir(n, "objects", d)))
		goto out;
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), rndhex, sizeof(rndhex));
	snprintf(tmp, sizeof(tmp), "%s/objects/translate-%s.tmp", n->home, rndhex);
	out = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", tmp, strerror(errno));
		tmp[0] = 0;
		goto out;
	}
	party_key_name(n->self.code, n->self.exercise, keyname);
	if ((ret = bundle_seal(m, in, out, n->self.box_pk, keyname, n->keys.sign_sk, sealed, fk, d)))
		goto out;
	if (fsync(out) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((ret = item_object_path(n, sealed->bundle_id, "", obj, sizeof(obj))) || rename(tmp, obj) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", obj, strerror(errno));
		goto out;
	}
	tmp[0] = 0;
	placed = 1;
	item_seal_key(n, res->item, fk, skey);
	sodium_memzero(fk, sizeof(fk));
	copy_str(res->bundle, sizeof(res->bundle), sealed->bundle_id);

	t = json_deep_copy(rec);
	if (!t) {
		ret = GS_ENOMEM;
		goto out;
	}
	hex_encode(bundle_payload_digest(sealed), 32, hex, sizeof(hex));
	json_object_set_new(t, "id", json_string(res->item));
	json_object_set_new(t, "copy_of", json_string(""));
	json_object_set_new(t, "translation_of", json_string(r->item));
	json_object_set_new(t, "bundle", json_string(sealed->bundle_id));
	json_object_set_new(t, "payload_sha256", json_string(hex));
	json_object_set_new(t, "created_at", jinstant(now));
	json_object_set_new(t, "language", json_string(r->language));
	json_object_set_new(t, "translation_note", json_string(res->note));
	json_object_set_new(t, "translated_by", json_string(r->person));
	json_object_del(t, "recipient_of_bundle");
	json_object_del(t, "copied_by");
	if ((ret = store_begin(n->st)))
		goto out;
	{
		struct ledger_entry e;

		ledger_entry_start(&e, n, LEDGER_TRANSLATION, now, res->item, r->person);
		ledger_entry_digest(&e, bundle_payload_digest(sealed));
		ledger_entry_field(&e, "translation-of", r->item);
		ledger_entry_field(&e, "language", r->language);
		ledger_entry_field(&e, "bundle", sealed->bundle_id);
		ledger_entry_field(&e, "marking", m->banner_recipient);
		ledger_entry_field(&e, "rule", ac->dec.rule_id);
		if ((ret = item_put(n, t, now)) || (ret = store_item_key_set(n->st, res->item, skey, sizeof(skey))) ||
		    (ret = store_custody_add(n->st, res->item, now, "translation-of", r->person, r->item)) ||
		    (ret = store_custody_add(n->st, r->item, now, "translated", r->person, res->item)) ||
		    (ret = ledger_append(n, item_peer(n, rec), &e, NULL, d)) || (ret = store_commit(n->st))) {
			store_rollback(n->st);
			if (!d || !d->msg[0])
				gs_diag_set(d, ret, "cannot record the translation of '%s'", r->item);
			goto out;
		}
	}
	placed = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (tmp[0] && ret)
		unlink(tmp);
	if (placed)
		unlink(obj);
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(skey, sizeof(skey));
	json_decref(rec);
	json_decref(t);
	free(ac);
	free(m);
	free(sealed);
	return ret;
}

/* ---- reclassification (Art 6(g)) ------------------------------------- */

static int release_peer(void *ctx, const char *bundle, const char *json, int has_receipt)
{
	json_t *peers = ctx, *o = json_loads(json, 0, NULL);
	const char *r;
	size_t i;

	(void)bundle;
	(void)has_receipt;
	if (!o)
		return GS_EIO;
	r = jstr(o, "recipient");
	for (i = 0; i < json_array_size(peers); i++)
		if (!strcmp(json_string_value(json_array_get(peers, i)), r))
			break;
	if (i == json_array_size(peers) && r[0])
		json_array_append_new(peers, json_string(r));
	json_decref(o);
	return 0;
}

/* The onward releases of an item (this node passed it on, not as its
 * originator): {recipient, agreement} each, once per recipient. */
static int onward_one(void *ctx, const char *bundle, const char *json, int has_receipt)
{
	json_t *legs = ctx, *o = json_loads(json, 0, NULL), *l;
	size_t i;

	(void)bundle;
	(void)has_receipt;
	if (!o)
		return GS_EIO;
	if (json_is_true(json_object_get(o, "onward"))) {
		json_array_foreach(legs, i, l)
			if (!strcmp(jstr(l, "recipient"), jstr(o, "recipient")))
				break;
		if (i == json_array_size(legs))
			json_array_append_new(legs, json_pack("{s:s,s:s}", "recipient", jstr(o, "recipient"),
							      "agreement", jstr(o, "agreement")));
	}
	json_decref(o);
	return 0;
}

/* Sets a record's classification: the originator's label, the marking,
 * and the history entry. */
static void record_reclassify(json_t *rec, const struct reclassify_notice *nt, const struct marking *mk,
			      gs_instant now, const char *digest_hex, const char *note, const char *via)
{
	json_t *hist = json_object_get(rec, "reclassifications"), *e = json_object();

	if (!json_is_array(hist)) {
		hist = json_array();
		json_object_set_new(rec, "reclassifications", hist);
	}
	json_object_set_new(e, "applied_at", jinstant(now));
	json_object_set_new(e, "instant", jinstant(nt->instant));
	json_object_set_new(e, "by", json_string(nt->originator));
	if (via && via[0])
		json_object_set_new(e, "forwarded_by", json_string(via));
	json_object_set_new(e, "previous", json_string(jstr(rec, "label")));
	json_object_set_new(e, "label", json_string(nt->label));
	json_object_set_new(e, "previous_marking", json_deep_copy(json_object_get(rec, "marking")));
	json_object_set_new(e, "notice_sha256", json_string(digest_hex));
	if (note)
		json_object_set_new(e, "notice", json_string(note));
	json_array_append_new(hist, e);
	json_object_set_new(rec, "label", json_string(nt->label));
	json_object_set_new(rec, "marking", marking_labels(mk, false));
	json_object_set_new(rec, "candidates",
			    marking_labels(mk, true));
	json_object_set_new(rec, "protect_as", json_boolean(mk->protect_as));
}

/* Writes rec and every active record of fam with the new classification,
 * each with a custody event and a ledger entry in peers (NULL: the log
 * for the item's peer). Inside the caller's transaction. */
static int apply_to_family(struct node *n, json_t *rec, json_t *fam, const struct reclassify_notice *nt,
			   const struct marking *mk, gs_instant now, const uint8_t digest[32], const char *note,
			   const char *via, json_t *peers, json_t *applied, struct gs_diag *d)
{
	char hex[65], detail[GS_MAX_LINE], labels[GS_BUNDLE_MAX_BANNER], when[GS_INSTANT_STR];
	size_t i, j;
	int ret;

	hex_encode(digest, 32, hex, sizeof(hex));
	instant_format(nt->instant, when);
	for (i = 0; i <= json_array_size(fam); i++) {
		json_t *r = i == 0 ? rec : json_array_get(fam, i - 1);
		char id[GS_MAX_ID], previous[GS_MAX_LABEL];

		if (status_final(jstr(r, "status")))
			continue;
		copy_str(id, sizeof(id), jstr(r, "id"));
		copy_str(previous, sizeof(previous), jstr(r, "label"));
		record_reclassify(r, nt, mk, now, hex, i == 0 ? note : NULL, via);
		join_labels(json_object_get(r, "marking"), labels, sizeof(labels));
		snprintf(detail, sizeof(detail), "%s -> %s; marked %s (notice %.16s%s%s)", previous, nt->label, labels,
			 hex, via && via[0] ? ", forwarded by " : "", via ? via : "");
		if ((ret = item_put(n, r, now)) ||
		    (ret = store_custody_add(n->st, id, now, "reclassified", nt->originator, detail)))
			return ret;
		for (j = 0; j < (i == 0 && peers ? json_array_size(peers) : 1); j++) {
			struct ledger_entry e;
			const char *peer = i == 0 && peers ? json_string_value(json_array_get(peers, j))
							   : item_peer(n, r);

			ledger_entry_start(&e, n, LEDGER_RECLASSIFICATION, now, id, NULL);
			ledger_entry_digest(&e, digest);
			ledger_entry_field(&e, "originator", nt->originator);
			ledger_entry_field(&e, "notice-item", nt->item);
			ledger_entry_field(&e, "previous", previous);
			ledger_entry_field(&e, "label", nt->label);
			ledger_entry_field(&e, "marking", labels);
			ledger_entry_field(&e, "instant", when);
			if (via && via[0])
				ledger_entry_field(&e, "forwarded-by", via);
			if ((ret = ledger_append(n, peer, &e, NULL, d)))
				return ret;
		}
		json_array_append_new(applied, json_string(id));
	}
	return 0;
}

/* Keeps a signed text that leaves this node as HOME/outgoing/NAME (the
 * outbox names files that stay): path out. */
static int keep_outgoing(struct node *n, const char *name, const char *buf, size_t len, char *path, size_t cap,
			 struct gs_diag *d)
{
	int ret, k;

	if ((ret = item_ensure_dir(n, "outgoing", d)))
		return ret;
	k = snprintf(path, cap, "%s/outgoing/%s", n->home, name);
	if (k < 0 || (size_t)k >= cap)
		return gs_diag_set(d, GS_ELIMIT, "path too long: %s/outgoing/%s", n->home, name);
	return write_file_atomic(path, buf, len, 0600, d);
}

static void add_delivery(struct reclassify_deliveries *out, const char *to, const char *ref, const char *path)
{
	struct reclassify_delivery *x;

	if (out->n >= GS_MAX_PARTIES)
		return;
	x = &out->v[out->n++];
	copy_str(x->to, sizeof(x->to), to);
	copy_str(x->ref, sizeof(x->ref), ref);
	copy_str(x->path, sizeof(x->path), path);
}

int node_reclassify_notice(struct node *n, const char *item, const char *label, char **note, size_t *len,
			   struct reclassify_deliveries *out, struct custody_refusal *ref, struct gs_diag *d)
{
	struct holding *h = NULL;
	struct party *rp = NULL;
	struct marking *mk = NULL;
	struct lifecycle_status *st = NULL;
	struct reclassify_notice nt;
	struct decision dec;
	json_t *rec = NULL, *all = NULL, *fam = NULL, *peers = NULL, *applied = NULL;
	char text[GS_MAX_LINE * 2], hex[65], name[GS_MAX_NAME], path[GS_PATH_MAX];
	uint8_t digest[32];
	gs_instant now;
	size_t i;
	int ret, k;

	memset(ref, 0, sizeof(*ref));
	memset(out, 0, sizeof(*out));
	*note = NULL;
	*len = 0;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, item, &rec, d)))
		return ret;
	h = calloc(1, sizeof(*h));
	rp = calloc(1, sizeof(*rp));
	mk = calloc(1, sizeof(*mk));
	st = calloc(1, sizeof(*st));
	peers = json_array();
	applied = json_array();
	if (!h || !rp || !mk || !st || !peers || !applied) {
		ret = GS_ENOMEM;
		goto out;
	}
	item_to_holding(rec, h);
	if ((ret = check_not_disposed(n, rec, CUSTODY_RECLASSIFY, ref, d)))
		goto out;
	if ((ret = node_ruled(decide_reclassify(h, &n->self, n->self.code, label, &dec), "reclassification", d)))
		goto out;
	if (!dec.permit) {
		ret = refuse_decision(ref, &dec);
		goto out;
	}
	/* The new label must be releasable to every party that holds it, under
	 * the annex in effect now. */
	if ((ret = store_release_each(n->st, item, release_peer, peers))) {
		gs_diag_set(d, ret, "cannot read the releases of '%s'", item);
		goto out;
	}
	{
		struct agreement_view v;
		const struct agreement *a;
		const struct annex_version *annex;

		if ((ret = item_agreement_at(n, jstr(rec, "agreement"), now, &v, st, &a, d)))
			goto out;
		if (json_array_size(peers) == 0)
			for (k = 0; k < a->nparties; k++)
				if (strcmp(a->parties[k], n->self.code))
					json_array_append_new(peers, json_string(a->parties[k]));
		annex = agreement_annex_at(a, date_of_instant(now, a->zone));
		for (i = 0; !ret && i < json_array_size(peers); i++) {
			if ((ret = node_party_get(n, json_string_value(json_array_get(peers, i)), rp, d)))
				break;
			if (!(ret = node_ruled(decide_marking(a, annex, &n->self, rp, label, mk, &dec), "marking", d)) &&
			    !dec.permit)
				ret = refuse_decision(ref, &dec);
		}
		agreement_view_release(&v);
		if (ret)
			goto out;
	}
	memset(&nt, 0, sizeof(nt));
	copy_str(nt.item, sizeof(nt.item), item);
	copy_str(nt.originator, sizeof(nt.originator), n->self.code);
	copy_str(nt.agreement, sizeof(nt.agreement), jstr(rec, "agreement"));
	copy_str(nt.previous, sizeof(nt.previous), jstr(rec, "label"));
	copy_str(nt.label, sizeof(nt.label), label);
	nt.instant = now;
	if ((k = reclassify_notice_format(&nt, text, sizeof(text))) < 0) {
		ret = gs_diag_set(d, k, "cannot write the reclassification notice");
		goto out;
	}
	if ((ret = node_sign(n, text, (size_t)k, note, len, d)))
		goto out;
	crypto_hash_sha256(digest, (const uint8_t *)*note, *len);
	hex_encode(digest, 32, hex, sizeof(hex));
	/* kept for delivery to every party it was released to */
	snprintf(name, sizeof(name), "reclassification-%.16s.note", hex);
	if ((ret = keep_outgoing(n, name, *note, *len, path, sizeof(path), d)))
		goto out;
	for (i = 0; i < json_array_size(peers); i++) {
		char r[GS_MAX_ID];

		snprintf(r, sizeof(r), "%.16s-%s", hex, json_string_value(json_array_get(peers, i)));
		add_delivery(out, json_string_value(json_array_get(peers, i)), r, path);
	}
	/* At the originator the marking is the label itself. */
	memset(mk, 0, sizeof(*mk));
	mk->nlabels = 1;
	copy_str(mk->labels[0], GS_MAX_LABEL, label);
	if ((ret = load_all(n, &all, d)))
		goto out;
	fam = family_of(all, item);
	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = apply_to_family(n, rec, fam, &nt, mk, now, digest, *note, NULL, peers, applied, d)) ||
	    (ret = store_commit(n->st))) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the reclassification of '%s'", item);
		goto out;
	}
out:
	if (ret) {
		free(*note);
		*note = NULL;
		*len = 0;
		memset(out, 0, sizeof(*out));
	}
	json_decref(rec);
	json_decref(all);
	json_decref(fam);
	json_decref(peers);
	json_decref(applied);
	free(h);
	free(rp);
	free(mk);
	free(st);
	return ret;
}

/* The signed text of path: a notice, or a forward carrying one. The
 * originator's notice bytes go to *notice (inside buf or fw), its parse
 * to nt; the check of each signature to the facts. */
struct notice_read {
	uint8_t *buf;                    /* the file */
	size_t len;
	struct signed_note sn;           /* the outer note */
	struct signed_note inner;        /* the originator's notice, if forwarded */
	struct reclassify_forward fw;
	bool forwarded;
	const uint8_t *notice;           /* the originator's signed notice */
	size_t notice_len;
	struct reclassify_notice nt;
	struct party originator, forwarder;
};

static enum notice_signature check_signature(struct node *n, const struct signed_note *sn, const char *code,
					     gs_instant at, struct party *out)
{
	int ret;

	if (node_party_get(n, code, out, NULL))
		return NOTICE_SIGNER_UNKNOWN;
	/* with the key the party held at `at`, none reported compromised by
	 * then (node/keyhistory.h); at NONE any key of its history */
	ret = party_note_verify_at(out, sn, at, NULL);
	return !ret ? NOTICE_SIGNED : ret == GS_EDENIED ? NOTICE_KEY_UNTRUSTED
	       : ret == GS_ENOTFOUND ? NOTICE_NOT_SIGNED : NOTICE_FORGED;
}

static int notice_read(struct node *n, const char *path, struct notice_read *r, struct notice_facts *f,
		       struct gs_diag *d)
{
	const struct signed_note *sn = &r->sn;
	uint8_t digest[32];
	int ret;

	if ((ret = read_file(path, GS_MAX_NOTE_BYTES, &r->buf, &r->len, d)))
		return ret;
	if ((ret = note_parse((const char *)r->buf, r->len, &r->sn, d)))
		goto bad;
	r->notice = r->buf;
	r->notice_len = r->len;
	if (reclassify_is_forward(r->sn.text, r->sn.text_len)) {
		if ((ret = reclassify_forward_parse(r->sn.text, r->sn.text_len, &r->fw, d)))
			goto bad;
		r->forwarded = true;
		f->forward = &r->fw;
		f->forward_signature = check_signature(n, &r->sn, r->fw.from, GS_INSTANT_NONE, &r->forwarder);
		r->notice = r->fw.notice;
		r->notice_len = r->fw.notice_len;
		crypto_hash_sha256(digest, r->notice, r->notice_len);
		f->forward_digest_ok = !sodium_memcmp(digest, r->fw.notice_sha256, 32);
		if ((ret = note_parse((const char *)r->notice, r->notice_len, &r->inner, d))) {
			gs_diag_prefix(d, "the notice the forward carries");
			goto bad;
		}
		sn = &r->inner;
	}
	if ((ret = reclassify_notice_parse(sn->text, sn->text_len, &r->nt, d)))
		goto bad;
	f->notice = &r->nt;
	f->signature = check_signature(n, sn, r->nt.originator, r->nt.instant, &r->originator);
	f->originator = f->signature == NOTICE_SIGNER_UNKNOWN ? NULL : &r->originator;
	return 0;
bad:
	gs_diag_prefix(d, "%s", path);
	return ret;
}

/* The label this node shows that belongs to its own scheme: what the
 * party it passed the item to marks it from. */
static const char *own_label(const struct node *n, const struct marking *mk)
{
	for (int i = 0; i < mk->nlabels; i++)
		if (scheme_find(&n->self.scheme, mk->labels[i]) >= 0)
			return mk->labels[i];
	return mk->nlabels ? mk->labels[0] : "";
}

/* For each party this node passed the item on to: a forward of the
 * originator's notice, signed here, kept under HOME/outgoing and logged
 * in the log for that party (inside the caller's transaction). */
static int make_forwards(struct node *n, const struct notice_read *r, const char *item, const struct marking *mk,
			 gs_instant now, struct reclassify_deliveries *out, struct gs_diag *d)
{
	struct reclassify_forward *fw = calloc(1, sizeof(*fw));
	json_t *legs = json_array(), *l;
	char *text = NULL, *signed_text = NULL, hex[65], name[GS_MAX_NAME], path[GS_PATH_MAX], r16[GS_MAX_ID];
	size_t i, slen;
	int ret = 0, k;

	if (!fw || !legs || !(text = malloc(GS_MAX_NOTE_BYTES))) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = store_release_each(n->st, item, onward_one, legs))) {
		gs_diag_set(d, ret, "cannot read the releases of '%s'", item);
		goto out;
	}
	if (json_array_size(legs) && !n->keys_loaded) {
		ret = gs_diag_set(d, GS_ESTATE, "the node's keys are locked: the notice must be forwarded to the "
				  "parties this node passed '%s' on to", item);
		goto out;
	}
	crypto_hash_sha256(fw->notice_sha256, r->notice, r->notice_len);
	hex_encode(fw->notice_sha256, 32, hex, sizeof(hex));
	json_array_foreach(legs, i, l) {
		struct ledger_entry e;

		copy_str(fw->item, sizeof(fw->item), item);
		copy_str(fw->from, sizeof(fw->from), n->self.code);
		copy_str(fw->to, sizeof(fw->to), jstr(l, "recipient"));
		copy_str(fw->agreement, sizeof(fw->agreement), jstr(l, "agreement"));
		copy_str(fw->label, sizeof(fw->label), own_label(n, mk));
		fw->instant = now;
		memcpy(fw->notice, r->notice, r->notice_len);
		fw->notice_len = r->notice_len;
		if ((k = reclassify_forward_format(fw, text, GS_MAX_NOTE_BYTES)) < 0) {
			ret = gs_diag_set(d, k, "cannot write the forward of the notice to %s", fw->to);
			goto out;
		}
		if ((ret = node_sign(n, text, (size_t)k, &signed_text, &slen, d)))
			goto out;
		snprintf(name, sizeof(name), "reclassification-%.16s-%s.note", hex, fw->to);
		ret = keep_outgoing(n, name, signed_text, slen, path, sizeof(path), d);
		free(signed_text);
		signed_text = NULL;
		if (ret)
			goto out;
		snprintf(r16, sizeof(r16), "%.16s-%s", hex, fw->to);
		add_delivery(out, fw->to, r16, path);
		ledger_entry_start(&e, n, LEDGER_RECLASSIFICATION, now, item, NULL);
		ledger_entry_digest(&e, fw->notice_sha256);
		ledger_entry_field(&e, "originator", r->nt.originator);
		ledger_entry_field(&e, "label", r->nt.label);
		ledger_entry_field(&e, "forwarded-to", fw->to);
		ledger_entry_field(&e, "agreement", fw->agreement);
		ledger_entry_field(&e, "marking", fw->label);
		if ((ret = ledger_append(n, fw->to, &e, NULL, d)))
			goto out;
	}
out:
	free(fw);
	free(text);
	json_decref(legs);
	return ret;
}

int node_reclassify_apply(struct node *n, const char *path, struct reclassify_result *res,
			  struct custody_refusal *ref, struct gs_diag *d)
{
	struct notice_read *r = NULL;
	struct holding *h = NULL;
	struct marking *mk = NULL;
	struct lifecycle_status *st = NULL;
	struct notice_facts f;
	struct decision dec;
	json_t *rec = NULL, *all = NULL, *fam = NULL, *hist, *disp;
	uint8_t digest[32];
	char hex[65];
	size_t i;
	gs_instant now, t;
	bool same = false;
	int ret;

	memset(ref, 0, sizeof(*ref));
	memset(res, 0, sizeof(*res));
	memset(&f, 0, sizeof(f));
	if ((ret = node_now(n, &now, d)))
		return ret;
	r = calloc(1, sizeof(*r));
	h = calloc(1, sizeof(*h));
	mk = calloc(1, sizeof(*mk));
	st = calloc(1, sizeof(*st));
	res->applied = json_array();
	if (!r || !h || !mk || !st || !res->applied) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = notice_read(n, path, r, &f, d)))
		goto out;
	/* the originator's notice names it, forwarded or not */
	crypto_hash_sha256(digest, r->notice, r->notice_len);
	hex_encode(digest, 32, hex, sizeof(hex));
	copy_str(res->item, sizeof(res->item), r->nt.item);
	copy_str(res->label, sizeof(res->label), r->nt.label);

	/* The facts: who signed, what is held, what was applied before. */
	f.self = n->self.code;
	f.now = now;
	f.last_applied = GS_INSTANT_NONE;
	f.disposed_at = GS_INSTANT_NONE;
	f.disposed_by = "";
	if (f.signature == NOTICE_SIGNED && !node_item_get(n, r->nt.item, &rec, NULL)) {
		item_to_holding(rec, h);
		f.holding = h;
		f.is_copy = parent_of(rec)[0] != 0;
		disp = json_object_get(rec, "disposal");
		if (!instant_parse(jstr(disp, "at"), 0, &t))
			f.disposed_at = t;
		f.disposed_by = jstr(disp, "by");
		hist = json_object_get(rec, "reclassifications");
		for (i = 0; i < json_array_size(hist); i++) {
			json_t *e = json_array_get(hist, i);

			if (!strcmp(jstr(e, "notice_sha256"), hex)) {
				same = true;
				continue;
			}
			if (!instant_parse(jstr(e, "instant"), 0, &t) &&
			    (f.last_applied == GS_INSTANT_NONE || t > f.last_applied))
				f.last_applied = t;
		}
	}
	if ((ret = node_ruled(decide_reclassify_notice(&f, &dec), "reclassification notice", d)))
		goto out;
	if (!dec.permit) {
		ret = refuse_decision(ref, &dec);
		goto out;
	}
	if (same) {
		/* the same notice again changes nothing */
		res->already_applied = true;
		join_labels(json_object_get(rec, "marking"), res->marking, sizeof(res->marking));
		goto out;
	}
	/* The holder's marking for the new label, by the annex in effect at
	 * the notice's instant: from the originator's label, or through a hub
	 * from the hub's own label under the leg it released the item on. */
	{
		struct agreement_view v;
		const struct agreement *a;

		if ((ret = item_agreement_at(n, h->agreement, r->nt.instant, &v, st, &a, d)))
			goto out;
		if (!(ret = node_ruled(decide_marking(a, agreement_annex_at(a, date_of_instant(r->nt.instant, a->zone)),
						      r->forwarded ? &r->forwarder : &r->originator, &n->self,
						      r->forwarded ? r->fw.label : r->nt.label, mk, &dec),
				       "marking", d)) &&
		    !dec.permit)
			ret = refuse_decision(ref, &dec);
		agreement_view_release(&v);
		if (ret)
			goto out;
		/* the true originator stays named on the holding */
		copy_str(mk->originator_name, sizeof(mk->originator_name), jstr(rec, "originator_name"));
	}
	if ((ret = load_all(n, &all, d)))
		goto out;
	fam = family_of(all, r->nt.item);
	if ((ret = store_begin(n->st)))
		goto out;
	{
		char *text = strndup((const char *)r->notice, r->notice_len);

		ret = text ? 0 : GS_ENOMEM;
		if (!ret)
			ret = apply_to_family(n, rec, fam, &r->nt, mk, now, digest, text,
					      r->forwarded ? r->fw.from : NULL, NULL, res->applied, d);
		free(text);
	}
	/* and on to whoever this node passed the item on to (TISA: the hub) */
	if (!ret)
		ret = make_forwards(n, r, r->nt.item, mk, now, &res->forwards, d);
	if (ret || (ret = store_commit(n->st))) {
		store_rollback(n->st);
		memset(&res->forwards, 0, sizeof(res->forwards));
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the reclassification of '%s'", r->nt.item);
		goto out;
	}
	join_labels(json_object_get(rec, "marking"), res->marking, sizeof(res->marking));
out:
	if (r)
		free(r->buf);
	free(r);
	free(h);
	free(mk);
	free(st);
	json_decref(rec);
	json_decref(all);
	json_decref(fam);
	return ret;
}

/* ---- return and destruction (Art 6(h), 13) --------------------------- */

int node_dispose(struct node *n, const struct dispose_request *r, struct dispose_result *res,
		 struct custody_refusal *ref, struct gs_diag *d)
{
	struct person *p = NULL, *w = NULL;
	struct holding *h = NULL;
	json_t *rec = NULL, *all = NULL, *fam = NULL, *disp, *sharers = NULL, *other;
	const char *action = r->destroy ? "destroyed" : "returned", *id;
	char list[GS_MAX_LINE] = "", detail[GS_MAX_LINE], when[GS_INSTANT_STR];
	gs_instant now;
	size_t i, used = 0;
	int ret;

	memset(ref, 0, sizeof(*ref));
	memset(res, 0, sizeof(*res));
	if (r->destroy && (!r->method || !r->method[0]))
		return gs_diag_set(d, GS_EUSAGE, "a destruction records how: give --method");
	if (r->destroy && (!r->witness || !r->witness[0]))
		return gs_diag_set(d, GS_EUSAGE, "a destruction is witnessed: give --witness PERSON");
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, r->item, &rec, d)))
		return ret;
	p = calloc(1, sizeof(*p));
	w = calloc(1, sizeof(*w));
	h = calloc(1, sizeof(*h));
	sharers = json_array();
	if (!p || !w || !h || !sharers) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = load_all(n, &all, d)))
		goto out;
	/* Copies and translations go first, each by its own record. */
	fam = family_of(all, r->item);
	for (i = 0; i < json_array_size(fam); i++) {
		json_t *c = json_array_get(fam, i);
		int k;

		if (status_final(jstr(c, "status")))
			continue;
		k = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", jstr(c, "id"));
		if (k > 0 && (size_t)k < sizeof(list) - used)
			used += (size_t)k;
	}
	{
		struct custody_facts f;

		item_to_holding(rec, h);
		custody_facts_of(n, rec, h, r->destroy ? CUSTODY_DESTROY : CUSTODY_RETURN, &f);
		f.person = r->person;
		f.witness = r->witness;
		f.live_copies = list;
		if ((ret = custody_check(&f, ref, d)))
			goto out;
	}
	if ((ret = node_person_get(n, r->person, p, d)))
		goto out;
	if (r->witness && r->witness[0] && (ret = node_person_get(n, r->witness, w, d)))
		goto out;
	/* The ciphertext goes when no other item still able to open it shares it. */
	json_object_foreach(all, id, other) {
		if (!strcmp(id, r->item) || strcmp(jstr(other, "bundle"), jstr(rec, "bundle")) ||
		    status_final(jstr(other, "status")))
			continue;
		json_array_append_new(sharers, json_string(id));
	}
	if ((ret = item_object_path(n, jstr(rec, "bundle"), "", res->object, sizeof(res->object)))) {
		gs_diag_set(d, ret, "object path too long");
		goto out;
	}
	instant_format(now, when);
	disp = json_object();
	json_object_set_new(disp, "action", json_string(r->destroy ? "destruction" : "return"));
	json_object_set_new(disp, "at", json_string(when));
	json_object_set_new(disp, "by", json_string(r->person));
	json_object_set_new(disp, "method", json_string(r->method ? r->method : ""));
	json_object_set_new(disp, "witness", json_string(r->witness ? r->witness : ""));
	if (!r->destroy)
		json_object_set_new(disp, "to", json_string(jstr(rec, "originator")));
	json_object_set_new(disp, "key", json_string("destroyed"));
	json_object_set_new(disp, "ciphertext", json_string(json_array_size(sharers) ? "kept (shared)" : "removed"));
	if (json_array_size(sharers))
		json_object_set(disp, "shared_with", sharers);
	json_object_set_new(rec, "disposal", disp);
	json_object_set_new(rec, "status", json_string(action));
	if (r->destroy)
		snprintf(detail, sizeof(detail), "method %s; witness %s", r->method, r->witness);
	else
		snprintf(detail, sizeof(detail), "to %s%s%s; witness %s", jstr(rec, "originator"),
			 r->method && r->method[0] ? " by " : "", r->method ? r->method : "",
			 r->witness && r->witness[0] ? r->witness : "none");
	if ((ret = store_begin(n->st)))
		goto out;
	{
		struct ledger_entry e;

		ledger_entry_start(&e, n, r->destroy ? LEDGER_DESTRUCTION : LEDGER_RETURN, now, r->item, r->person);
		ledger_entry_field(&e, "method", r->method ? r->method : "");
		ledger_entry_field(&e, "witness", r->witness ? r->witness : "");
		ledger_entry_field(&e, "bundle", jstr(rec, "bundle"));
		ledger_entry_field(&e, "ciphertext", json_array_size(sharers) ? "kept" : "removed");
		if (!r->destroy)
			ledger_entry_field(&e, "to", jstr(rec, "originator"));
		/* The key first (crypto-shredding), then the record. */
		if ((ret = store_item_key_set(n->st, r->item, NULL, 0)) || (ret = item_put(n, rec, now)) ||
		    (ret = store_custody_add(n->st, r->item, now, action, r->person, detail)) ||
		    (ret = ledger_append(n, item_peer(n, rec), &e, NULL, d)) || (ret = store_commit(n->st))) {
			store_rollback(n->st);
			if (!d || !d->msg[0])
				gs_diag_set(d, ret, "cannot record the %s of '%s'", r->destroy ? "destruction" : "return",
					    r->item);
			goto out;
		}
	}
	/* The key is gone for good: now the ciphertext. */
	if (!json_array_size(sharers)) {
		if (unlink(res->object) != 0 && errno != ENOENT) {
			ret = gs_diag_set(d, GS_EIO, "item '%s' is %s and its key destroyed, but %s could not be removed: %s",
					  r->item, action, res->object, strerror(errno));
			goto out;
		}
		res->object_removed = true;
	}
out:
	json_decref(rec);
	json_decref(all);
	json_decref(fam);
	json_decref(sharers);
	free(p);
	free(w);
	free(h);
	return ret;
}
