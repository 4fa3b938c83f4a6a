/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "crypto/note.h"
#include "node/agreements.h"
#include "node/incident.h"
#include "node/items.h"
#include "core/kvtext.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "store/consent_store.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

struct incident_text {
	char id[GS_MAX_ID];
	char step[16];
	char seq[8];
	char item[GS_MAX_ID];
	char originator[GS_MAX_CODE];
	char holder[GS_MAX_CODE];
	char agreement[GS_MAX_ID];
	char version[12];
	char kind[32];
	char detected[GS_INSTANT_STR];
	char deadline[GS_INSTANT_STR];
	char at[GS_INSTANT_STR];
	char late[4];
	char holding[16];
	char text[1024];
	char measures[1024];
	char exercise[8];
};

static const char *const kinds[] = { "possible-loss", "confirmed-loss", "possible-compromise",
				     "confirmed-compromise" };

static bool kind_ok(const char *k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(k, kinds[i]))
			return true;
	return false;
}

static bool holding_ok(const char *s)
{
	return !strcmp(s, "active") || !strcmp(s, "suspended") || !strcmp(s, "lost") || !strcmp(s, "compromised");
}

/* What a report does to the holding (docs/incidents.md). */
static const char *status_for(const char *kind)
{
	if (!strcmp(kind, "confirmed-loss"))
		return "lost";
	if (!strcmp(kind, "confirmed-compromise"))
		return "compromised";
	return "suspended"; /* possible: no access until the results */
}

static int text_fields(struct incident_text *t, struct kv_field *f)
{
	struct kv_field all[] = {
		{ "incident", t->id, sizeof(t->id), true },
		{ "step", t->step, sizeof(t->step), true },
		{ "seq", t->seq, sizeof(t->seq), true },
		{ "item", t->item, sizeof(t->item), true },
		{ "originator", t->originator, sizeof(t->originator), true },
		{ "holder", t->holder, sizeof(t->holder), true },
		{ "agreement", t->agreement, sizeof(t->agreement), true },
		{ "agreement-version", t->version, sizeof(t->version), true },
		{ "kind", t->kind, sizeof(t->kind), true },
		{ "detected", t->detected, sizeof(t->detected), true },
		{ "deadline", t->deadline, sizeof(t->deadline), true },
		{ "at", t->at, sizeof(t->at), true },
		{ "late", t->late, sizeof(t->late), false },
		{ "holding", t->holding, sizeof(t->holding), true },
		{ "text", t->text, sizeof(t->text), false },
		{ "measures", t->measures, sizeof(t->measures), false },
		{ "exercise", t->exercise, sizeof(t->exercise), false },
	};

	memcpy(f, all, sizeof(all));
	return (int)(sizeof(all) / sizeof(all[0]));
}

static int incident_text_parse(const char *text, size_t len, struct incident_text *t, struct gs_diag *d)
{
	struct kv_field f[17];
	gs_instant x;
	int nf, ret;

	memset(t, 0, sizeof(*t));
	nf = text_fields(t, f);
	if ((ret = kv_parse(text, len, INCIDENT_MAGIC, f, (size_t)nf, d)))
		return ret;
	if (strcmp(t->step, "notice") && strcmp(t->step, "investigation") && strcmp(t->step, "result"))
		return gs_diag_set(d, GS_EINVAL, "step must be notice, investigation or result");
	if (strspn(t->seq, "0123456789") != strlen(t->seq) || (t->seq[0] == '0' && t->seq[1]) ||
	    (!strcmp(t->step, "notice") != !strcmp(t->seq, "0")))
		return gs_diag_set(d, GS_EINVAL, "seq must be 0 for the notice and count the steps after it");
	if (!party_code_is_valid(t->originator) || !party_code_is_valid(t->holder) ||
	    !strcmp(t->originator, t->holder))
		return gs_diag_set(d, GS_EINVAL, "originator and holder must be two party codes");
	if (!kind_ok(t->kind))
		return gs_diag_set(d, GS_EINVAL, "unknown incident kind '%s'", t->kind);
	if (kv_instant(t->detected, &x) || kv_instant(t->deadline, &x) || kv_instant(t->at, &x))
		return gs_diag_set(d, GS_EINVAL, "detected, deadline and at must be instants in UTC (2019-11-22T15:00:00Z)");
	if (!strcmp(t->step, "notice") ? (strcmp(t->late, "yes") && strcmp(t->late, "no")) : t->late[0] != 0)
		return gs_diag_set(d, GS_EINVAL, "late (yes or no) belongs to the notice only");
	if (!holding_ok(t->holding))
		return gs_diag_set(d, GS_EINVAL, "unknown holding status '%s'", t->holding);
	if (!strcmp(t->step, "result") != !!t->measures[0])
		return gs_diag_set(d, GS_EINVAL, "measures belong to the result, which needs them");
	if (strcmp(t->step, "notice") && !t->text[0])
		return gs_diag_set(d, GS_EINVAL, "an investigation or result step needs its text");
	if (t->exercise[0] && strcmp(t->exercise, "yes"))
		return gs_diag_set(d, GS_EINVAL, "exercise must be 'yes' or absent");
	return 0;
}

static int incident_text_format(const struct incident_text *t, char **out, struct gs_diag *d)
{
	struct kvbuf b;
	int ret;

	kv_begin(&b, INCIDENT_MAGIC);
	kv_add(&b, "incident", t->id);
	kv_add(&b, "step", t->step);
	kv_add(&b, "seq", t->seq);
	kv_add(&b, "item", t->item);
	kv_add(&b, "originator", t->originator);
	kv_add(&b, "holder", t->holder);
	kv_add(&b, "agreement", t->agreement);
	kv_add(&b, "agreement-version", t->version);
	kv_add(&b, "kind", t->kind);
	kv_add(&b, "detected", t->detected);
	kv_add(&b, "deadline", t->deadline);
	kv_add(&b, "at", t->at);
	kv_add(&b, "late", t->late);
	kv_add(&b, "holding", t->holding);
	kv_add(&b, "text", t->text);
	kv_add(&b, "measures", t->measures);
	kv_add(&b, "exercise", t->exercise);
	if ((ret = kv_end(&b, d)))
		return ret;
	*out = b.buf;
	return 0;
}

/* Makes the note: format, read back, sign. */
static int make_note(struct node *n, const struct incident_text *t, char **note, size_t *len,
		     struct gs_diag *d)
{
	struct incident_text *back = calloc(1, sizeof(*back));
	char *text = NULL;
	int ret;

	if (!back)
		return GS_ENOMEM;
	if (!(ret = incident_text_format(t, &text, d)) &&
	    !(ret = incident_text_parse(text, strlen(text), back, d)))
		ret = node_sign(n, text, strlen(text), note, len, d);
	free(text);
	free(back);
	return ret;
}

static json_t *step_json(const struct incident_text *t, const char *note, size_t len, gs_instant received)
{
	json_t *s = json_object();
	char id[65];
	uint8_t h[32];

	crypto_hash_sha256(h, (const uint8_t *)note, len);
	hex_encode(h, sizeof(h), id, sizeof(id));
	json_object_set_new(s, "step", json_string(t->step));
	json_object_set_new(s, "seq", json_integer(strtol(t->seq, NULL, 10)));
	json_object_set_new(s, "at", json_string(t->at));
	json_object_set_new(s, "holding", json_string(t->holding));
	json_object_set_new(s, "text", json_string(t->text));
	if (t->measures[0])
		json_object_set_new(s, "measures", json_string(t->measures));
	if (received != GS_INSTANT_NONE) {
		char r[GS_INSTANT_STR];

		instant_format(received, r);
		json_object_set_new(s, "received_at", json_string(r));
	}
	json_object_set_new(s, "note_sha256", json_string(id));
	json_object_set_new(s, "note", json_stringn(note, len));
	return s;
}

static int put_incident(struct node *n, json_t *rec, gs_instant now)
{
	char *js = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int ret;

	if (!js)
		return GS_ENOMEM;
	ret = store_incident_put(n->st, jstr(rec, "id"), jstr(rec, "item"), js, now);
	free(js);
	return ret;
}

static int put_item_status(struct node *n, json_t *item, const char *status, gs_instant now)
{
	char *js;
	int ret;

	json_object_set_new(item, "status", json_string(status));
	js = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!js)
		return GS_ENOMEM;
	ret = store_record_put(n->st, "items", jstr(item, "id"), js, now);
	free(js);
	return ret;
}

/* Stores the record, the holding's status (item may be NULL), custody and
 * the ledger entry in one transaction. */
static int commit_step(struct node *n, json_t *rec, json_t *item, const char *status,
		       const struct incident_text *t, const char *peer, const char *peer2,
		       const char *custody_actor, gs_instant now, struct gs_diag *d)
{
	char ev[32];
	int ret;

	snprintf(ev, sizeof(ev), "incident-%s", t->step);
	if ((ret = store_begin(n->st)))
		return gs_diag_set(d, ret, "cannot begin a transaction");
	if (!(ret = put_incident(n, rec, now)) && item && status)
		ret = put_item_status(n, item, status, now);
	if (!ret && item)
		ret = store_custody_add(n->st, t->item, now, ev, custody_actor, t->id);
	/* in the log for the originator, and for the hub it came through */
	for (int k = 0; !ret && k < 2; k++) {
		const char *p = k ? peer2 : peer;

		if (!p || !p[0])
			continue;
		ret = ledger_event(n, p, LEDGER_INCIDENT, now, t->item, d, "incident", t->id, "step", t->step,
				   "seq", t->seq, "kind", t->kind, "originator", t->originator, "holder", t->holder,
				   "detected", t->detected, "deadline", t->deadline, "at", t->at, "late", t->late,
				   "holding", t->holding, (const char *)NULL);
	}
	if (!ret)
		ret = store_commit(n->st);
	if (ret) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the incident");
	}
	return ret;
}

/* The agreement's deadline (hours) for the holding's agreement version. */
static int deadline_hours(struct node *n, const char *agreement, int version, int *hours, struct gs_diag *d)
{
	struct agreement_view v;
	const struct agreement *a;
	int ret;

	if ((ret = agreement_view_load(n, agreement, &v, d)))
		return ret;
	a = agreement_view_version(&v, version);
	if (!a)
		a = agreement_view_base(&v);
	*hours = a ? a->rules.incident_deadline_hours : 24;
	agreement_view_release(&v);
	return 0;
}

static void fill_times(json_t *rec, const struct incident_text *t, int hours)
{
	json_object_set_new(rec, "kind", json_string(t->kind));
	json_object_set_new(rec, "detected", json_string(t->detected));
	json_object_set_new(rec, "deadline_hours", json_integer(hours));
	json_object_set_new(rec, "notify_deadline", json_string(t->deadline));
	json_object_set_new(rec, "notified_at", json_string(t->at));
}

int node_incident_report(struct node *n, const struct incident_report_args *a, char **note, size_t *len,
			 json_t **rec, struct gs_diag *d)
{
	struct incident_text *t = NULL;
	struct holding h;
	json_t *item = NULL, *steps;
	gs_instant now, detected, deadline;
	const char *status;
	uint8_t rnd[8];
	char rndhex[17];
	int hours = 24, ret;

	*note = NULL;
	*rec = NULL;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (!kind_ok(a->kind))
		return gs_diag_set(d, GS_EUSAGE, "--kind must be possible-loss, confirmed-loss, possible-compromise "
				   "or confirmed-compromise");
	if (instant_parse(a->detected, 0, &detected))
		return gs_diag_set(d, GS_EUSAGE, "--detected: '%s' is not an instant (2019-12-01T09:00:00+09:00)",
				   a->detected);
	if (a->text && !kv_value_ok(a->text))
		return gs_diag_set(d, GS_EUSAGE, "--text must be one line without control characters");
	if ((ret = node_now(n, &now, d)))
		return ret;
	if (detected > now)
		return gs_diag_set(d, GS_EUSAGE, "--detected is after now: an incident is reported once detected");
	if ((ret = node_item_get(n, a->item, &item, d)))
		return ret;
	item_to_holding(item, &h);
	if (!strcmp(h.item.originator, n->self.code)) {
		ret = gs_diag_set(d, GS_EUSAGE, "%s is the originator of item '%s': incidents are reported by a "
				  "recipient to the originator", n->self.code, a->item);
		goto out;
	}
	if (h.status == ITEM_DESTROYED || h.status == ITEM_RETURNED) {
		ret = gs_diag_set(d, GS_ESTATE, "item '%s' is %s: it is no longer held", a->item,
				  item_status_name(h.status));
		goto out;
	}
	if ((ret = deadline_hours(n, h.agreement, h.agreement_version, &hours, d)))
		goto out;
	t = calloc(1, sizeof(*t));
	if (!t) {
		ret = GS_ENOMEM;
		goto out;
	}
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), rndhex, sizeof(rndhex));
	snprintf(t->id, sizeof(t->id), "INC-%s-%s", n->self.code, rndhex);
	copy_str(t->step, sizeof(t->step), "notice");
	copy_str(t->seq, sizeof(t->seq), "0");
	copy_str(t->item, sizeof(t->item), h.item.id);
	copy_str(t->originator, sizeof(t->originator), h.item.originator);
	copy_str(t->holder, sizeof(t->holder), n->self.code);
	copy_str(t->agreement, sizeof(t->agreement), h.agreement);
	snprintf(t->version, sizeof(t->version), "%d", h.agreement_version);
	copy_str(t->kind, sizeof(t->kind), a->kind);
	instant_format(detected, t->detected);
	deadline = detected + (gs_instant)hours * 3600;
	instant_format(deadline, t->deadline);
	instant_format(now, t->at);
	copy_str(t->late, sizeof(t->late), now > deadline ? "yes" : "no");
	/* A later report never relaxes an earlier one: lost and compromised stay. */
	status = h.status == ITEM_LOST || h.status == ITEM_COMPROMISED ? item_status_name(h.status) : status_for(a->kind);
	copy_str(t->holding, sizeof(t->holding), status);
	copy_str(t->text, sizeof(t->text), a->text);
	if (n->self.exercise)
		copy_str(t->exercise, sizeof(t->exercise), "yes");
	if ((ret = make_note(n, t, note, len, d)))
		goto out;
	*rec = json_object();
	json_object_set_new(*rec, "id", json_string(t->id));
	json_object_set_new(*rec, "role", json_string("holder"));
	json_object_set_new(*rec, "item", json_string(t->item));
	json_object_set_new(*rec, "originator", json_string(t->originator));
	json_object_set_new(*rec, "holder", json_string(t->holder));
	json_object_set_new(*rec, "agreement", json_string(t->agreement));
	json_object_set_new(*rec, "agreement_version", json_integer(h.agreement_version));
	fill_times(*rec, t, hours);
	json_object_set_new(*rec, "late", json_boolean(now > deadline));
	json_object_set_new(*rec, "holding", json_string(status));
	json_object_set_new(*rec, "text", json_string(t->text));
	/* an item received through a hub: the hub, which provided it, is told
	 * too (Art 17; TISA) */
	json_object_set_new(*rec, "provider", json_string(h.released_by[0] && strcmp(h.released_by, h.item.originator)
							  ? h.released_by : ""));
	steps = json_array();
	json_array_append_new(steps, step_json(t, *note, *len, GS_INSTANT_NONE));
	json_object_set_new(*rec, "steps", steps);
	ret = commit_step(n, *rec, item, status, t, t->originator, jstr(*rec, "provider"), n->self.code, now, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
		json_decref(*rec);
		*rec = NULL;
	}
	json_decref(item);
	free(t);
	return ret;
}

static int incident_get(struct node *n, const char *id, json_t **rec, struct gs_diag *d)
{
	char *js = NULL;
	int ret = store_incident_get(n->st, id, &js);

	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown incident '%s'", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read incident '%s'", id);
	*rec = json_loads(js, 0, NULL);
	free(js);
	return *rec ? 0 : gs_diag_set(d, GS_EIO, "damaged record of incident '%s'", id);
}

int node_incident_step(struct node *n, const struct incident_step_args *a, char **note, size_t *len,
		       json_t **rec, struct gs_diag *d)
{
	struct incident_text *t = NULL;
	json_t *item = NULL, *steps;
	gs_instant now;
	const char *status = NULL;
	int ret;

	*note = NULL;
	*rec = NULL;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (!a->investigation == !a->result || (a->result && !a->measures) || (a->investigation && a->measures))
		return gs_diag_set(d, GS_EUSAGE, "give --investigation TEXT, or --result TEXT with --measures TEXT");
	if (a->holding && (!a->result || !holding_ok(a->holding)))
		return gs_diag_set(d, GS_EUSAGE, "--holding (active, suspended, lost, compromised) goes with --result");
	if ((a->investigation && !kv_value_ok(a->investigation)) || (a->result && !kv_value_ok(a->result)) ||
	    (a->measures && !kv_value_ok(a->measures)))
		return gs_diag_set(d, GS_EUSAGE, "texts must be one line without control characters");
	if ((ret = node_now(n, &now, d)) || (ret = incident_get(n, a->id, rec, d)))
		return ret;
	if (strcmp(jstr(*rec, "role"), "holder")) {
		ret = gs_diag_set(d, GS_EUSAGE, "incident '%s' was reported by %s: its investigation is the holder's",
				  a->id, jstr(*rec, "holder"));
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		ret = GS_ENOMEM;
		goto out;
	}
	steps = json_object_get(*rec, "steps");
	copy_str(t->id, sizeof(t->id), a->id);
	copy_str(t->step, sizeof(t->step), a->result ? "result" : "investigation");
	snprintf(t->seq, sizeof(t->seq), "%zu", json_array_size(steps));
	copy_str(t->item, sizeof(t->item), jstr(*rec, "item"));
	copy_str(t->originator, sizeof(t->originator), jstr(*rec, "originator"));
	copy_str(t->holder, sizeof(t->holder), jstr(*rec, "holder"));
	copy_str(t->agreement, sizeof(t->agreement), jstr(*rec, "agreement"));
	snprintf(t->version, sizeof(t->version), "%d", (int)json_integer_value(json_object_get(*rec, "agreement_version")));
	copy_str(t->kind, sizeof(t->kind), jstr(*rec, "kind"));
	copy_str(t->detected, sizeof(t->detected), jstr(*rec, "detected"));
	copy_str(t->deadline, sizeof(t->deadline), jstr(*rec, "notify_deadline"));
	instant_format(now, t->at);
	status = a->holding ? a->holding : NULL;
	copy_str(t->holding, sizeof(t->holding), status ? status : jstr(*rec, "holding"));
	copy_str(t->text, sizeof(t->text), a->result ? a->result : a->investigation);
	copy_str(t->measures, sizeof(t->measures), a->measures);
	if (n->self.exercise)
		copy_str(t->exercise, sizeof(t->exercise), "yes");
	if ((ret = make_note(n, t, note, len, d)))
		goto out;
	json_array_append_new(steps, step_json(t, *note, *len, GS_INSTANT_NONE));
	json_object_set_new(*rec, "holding", json_string(t->holding));
	if (node_item_get(n, t->item, &item, NULL))
		item = NULL;
	ret = commit_step(n, *rec, item, status, t, t->originator, jstr(*rec, "provider"), n->self.code, now, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
		json_decref(*rec);
		*rec = NULL;
	}
	json_decref(item);
	free(t);
	return ret;
}

/* Whether this node passed item on to holder (an onward release). */
struct passed_ctx {
	const char *holder;
	bool found;
};

static int passed_one(void *ctx, const char *bundle, const char *json, int has_receipt)
{
	struct passed_ctx *c = ctx;
	json_t *o = json_loads(json, 0, NULL);

	(void)bundle;
	(void)has_receipt;
	if (!o)
		return GS_EIO;
	if (json_is_true(json_object_get(o, "onward")) && !strcmp(jstr(o, "recipient"), c->holder))
		c->found = true;
	json_decref(o);
	return 0;
}

static bool passed_on(struct node *n, const char *item, const char *holder)
{
	struct passed_ctx c = { holder, false };

	return !store_release_each(n->st, item, passed_one, &c) && c.found;
}

int node_incident_import(struct node *n, const char *path, json_t **rec, bool *already,
			 struct gs_diag *d)
{
	struct incident_text *t = NULL;
	struct signed_note *sn = NULL;
	struct party *holder = NULL;
	json_t *item = NULL, *steps;
	uint8_t *buf = NULL;
	size_t len = 0, seq;
	const char *role;
	gs_instant now, at, deadline;
	int ret, hours;

	*rec = NULL;
	*already = false;
	if ((ret = node_now(n, &now, d)) || (ret = read_file(path, GS_MAX_NOTE_BYTES, &buf, &len, d)))
		return ret;
	t = calloc(1, sizeof(*t));
	sn = calloc(1, sizeof(*sn));
	holder = calloc(1, sizeof(*holder));
	if (!t || !sn || !holder) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)buf, len, sn, d)) ||
	    (ret = incident_text_parse(sn->text, sn->text_len, t, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	/* The holder's signature before anything is believed. */
	if ((ret = node_party_get(n, t->holder, holder, d))) {
		gs_diag_prefix(d, "%s: cannot verify the holder's signature", path);
		goto out;
	}
	/* with the key the holder held at the step's instant */
	if (kv_instant(t->at, &at))
		at = GS_INSTANT_NONE;
	ret = party_note_verify_at(holder, sn, at, d);
	if (ret == GS_EDENIED) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s: %s", path, ret == GS_ENOTFOUND
				  ? "the notice is not signed by the holder"
				  : "the holder's signature does not verify (forged or damaged)");
		goto out;
	}
	/* for the originator, or for the hub that passed the item on to the
	 * holder (it provided it, and is told too) */
	if (strcmp(t->originator, n->self.code) && !passed_on(n, t->item, t->holder)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the notice is for the originator %s, and %s did not pass "
				  "item '%s' on to %s", path, t->originator, n->self.code, t->item, t->holder);
		goto out;
	}
	role = strcmp(t->originator, n->self.code) ? "provider" : "originator";
	if (!!t->exercise[0] != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s notice refused by %s node", path,
				  t->exercise[0] ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	seq = (size_t)strtoul(t->seq, NULL, 10);
	{
		char *held = NULL;

		ret = store_incident_get(n->st, t->id, &held);
		free(held);
	}
	if (ret == 0) {
		json_t *old;

		if ((ret = incident_get(n, t->id, &old, d)))
			goto out;
		steps = json_object_get(old, "steps");
		if (seq < json_array_size(steps)) {
			json_t *s = json_array_get(steps, seq);
			const char *held = jstr(s, "note");

			ret = strlen(held) == len && !memcmp(held, buf, len) ? 0
			      : gs_diag_set(d, GS_EEXIST, "%s: a different step %zu of incident '%s' is already held",
					    path, seq, t->id);
			*already = !ret;
			*rec = old;
			if (ret) {
				json_decref(old);
				*rec = NULL;
			}
			goto out;
		}
		if (seq > json_array_size(steps)) {
			ret = gs_diag_set(d, GS_ESTATE, "%s: step %zu of incident '%s' comes before step %zu is held; "
					  "import the steps in order", path, seq, t->id, json_array_size(steps));
			json_decref(old);
			goto out;
		}
		if (strcmp(jstr(old, "holder"), t->holder) || strcmp(jstr(old, "item"), t->item)) {
			ret = gs_diag_set(d, GS_EDENIED, "%s: the step does not match incident '%s'", path, t->id);
			json_decref(old);
			goto out;
		}
		*rec = old;
	} else if (ret == GS_ENOTFOUND) {
		if (seq != 0) {
			ret = gs_diag_set(d, GS_ESTATE, "%s: incident '%s' is unknown here: import its notice first", path,
					  t->id);
			goto out;
		}
		/* The deadline by this node's own copy of the agreement, if it
		 * holds it (under TISA the leg's agreement may not be its own). */
		kv_instant(t->deadline, &deadline);
		kv_instant(t->at, &at);
		if (!deadline_hours(n, t->agreement, (int)strtol(t->version, NULL, 10), &hours, NULL)) {
			gs_instant det;

			kv_instant(t->detected, &det);
			deadline = det + (gs_instant)hours * 3600;
			instant_format(deadline, t->deadline);
		} else {
			hours = -1;
		}
		*rec = json_object();
		json_object_set_new(*rec, "id", json_string(t->id));
		json_object_set_new(*rec, "role", json_string(role));
		json_object_set_new(*rec, "item", json_string(t->item));
		json_object_set_new(*rec, "originator", json_string(t->originator));
		json_object_set_new(*rec, "holder", json_string(t->holder));
		json_object_set_new(*rec, "agreement", json_string(t->agreement));
		json_object_set_new(*rec, "agreement_version", json_integer(strtol(t->version, NULL, 10)));
		fill_times(*rec, t, hours);
		if (hours < 0)
			json_object_set_new(*rec, "deadline_hours", json_null());
		json_object_set_new(*rec, "late", json_boolean(at > deadline));
		json_object_set_new(*rec, "holding", json_string(t->holding));
		json_object_set_new(*rec, "text", json_string(t->text));
		json_object_set_new(*rec, "steps", json_array());
	} else {
		ret = gs_diag_set(d, ret, "cannot read the incidents");
		goto out;
	}
	json_array_append_new(json_object_get(*rec, "steps"), step_json(t, (const char *)buf, len, now));
	json_object_set_new(*rec, "holding", json_string(t->holding));
	if (node_item_get(n, t->item, &item, NULL))
		item = NULL;
	ret = commit_step(n, *rec, item, NULL, t, t->holder, NULL, t->holder, now, d);
	if (ret) {
		json_decref(*rec);
		*rec = NULL;
	}
out:
	json_decref(item);
	free(buf);
	free(t);
	free(sn);
	free(holder);
	return ret;
}

/* Adds the summary a reader needs: state, step instants, missed deadlines. */
static void summarise(json_t *rec)
{
	json_t *steps = json_object_get(rec, "steps"), *missed = json_array(), *s;
	const char *inv = NULL, *res = NULL;
	size_t i;

	json_array_foreach(steps, i, s) {
		if (!strcmp(jstr(s, "step"), "investigation") && !inv)
			inv = jstr(s, "at");
		if (!strcmp(jstr(s, "step"), "result"))
			res = jstr(s, "at");
	}
	json_object_set_new(rec, "investigation_started_at", inv ? json_string(inv) : json_null());
	json_object_set_new(rec, "results_sent_at", res ? json_string(res) : json_null());
	json_object_set_new(rec, "state", json_string(res ? "results-sent" : inv ? "investigating" : "notified"));
	if (json_is_true(json_object_get(rec, "late")))
		json_array_append_new(missed, json_string("notification"));
	json_object_set_new(rec, "missed", missed);
}

static int list_one(void *ctx, const char *id, const char *json)
{
	json_t *o = json_loads(json, 0, NULL), *steps, *s;
	size_t i;

	(void)id;
	if (!o)
		return GS_EIO;
	summarise(o);
	/* The list shows the steps without their notes. */
	steps = json_object_get(o, "steps");
	json_array_foreach(steps, i, s)
		json_object_del(s, "note");
	json_array_append_new(ctx, o);
	return 0;
}

int node_incidents(struct node *n, json_t **out, struct gs_diag *d)
{
	json_t *arr = json_array();
	int ret = store_incident_each(n->st, list_one, arr);

	if (ret) {
		json_decref(arr);
		return gs_diag_set(d, ret, "cannot read the incidents");
	}
	*out = arr;
	return 0;
}
