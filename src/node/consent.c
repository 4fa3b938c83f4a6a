/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "crypto/note.h"
#include "node/consent.h"
#include "node/items.h"
#include "node/keyhistory.h"
#include "core/kvtext.h"
#include "node/ledger.h"
#include "store/consent_store.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

/* The fields of a consent note and of a request, parsed. */
struct consent_text {
	char decision[16];
	char kind[16];
	char originator[GS_MAX_CODE];
	char holder[GS_MAX_CODE];
	char item[GS_MAX_ID];
	char topic[GS_MAX_NAME];
	char third_party[GS_MAX_CODE];
	char purpose[GS_MAX_NAME];
	char granted[GS_INSTANT_STR];   /* or "requested" for a request */
	char expires[GS_INSTANT_STR];
	char request[CONSENT_ID_HEX];
	char exercise[8];
	char text[512];
};

static void note_id(const void *buf, size_t len, char out[CONSENT_ID_HEX])
{
	uint8_t h[32];

	crypto_hash_sha256(h, buf, len);
	hex_encode(h, sizeof(h), out, CONSENT_ID_HEX);
}

static int kind_parse(const char *s, enum consent_kind *k)
{
	if (!s || !*s || !strcmp(s, "onward"))
		*k = CONSENT_ONWARD;
	else if (!strcmp(s, "use"))
		*k = CONSENT_USE;
	else if (!strcmp(s, "access"))
		*k = CONSENT_ACCESS;
	else
		return GS_EINVAL;
	return 0;
}

static bool hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Parses and checks a consent text (is_request: a request's). */
static int consent_text_parse(const char *text, size_t len, bool is_request, struct consent_text *c,
			      struct gs_diag *d)
{
	struct kv_field grant[] = {
		{ "decision", c->decision, sizeof(c->decision), true },
		{ "kind", c->kind, sizeof(c->kind), true },
		{ "originator", c->originator, sizeof(c->originator), true },
		{ "holder", c->holder, sizeof(c->holder), true },
		{ "item", c->item, sizeof(c->item), false },
		{ "topic", c->topic, sizeof(c->topic), false },
		{ "third-party", c->third_party, sizeof(c->third_party), false },
		{ "purpose", c->purpose, sizeof(c->purpose), true },
		{ "granted", c->granted, sizeof(c->granted), true },
		{ "expires", c->expires, sizeof(c->expires), false },
		{ "request", c->request, sizeof(c->request), false },
		{ "exercise", c->exercise, sizeof(c->exercise), false },
		{ "text", c->text, sizeof(c->text), false },
	};
	struct kv_field req[] = {
		{ "kind", c->kind, sizeof(c->kind), true },
		{ "originator", c->originator, sizeof(c->originator), true },
		{ "holder", c->holder, sizeof(c->holder), true },
		{ "item", c->item, sizeof(c->item), true },
		{ "topic", c->topic, sizeof(c->topic), false },
		{ "third-party", c->third_party, sizeof(c->third_party), false },
		{ "purpose", c->purpose, sizeof(c->purpose), true },
		{ "requested", c->granted, sizeof(c->granted), true },
		{ "expires", c->expires, sizeof(c->expires), false },
		{ "exercise", c->exercise, sizeof(c->exercise), false },
		{ "text", c->text, sizeof(c->text), false },
	};
	enum consent_kind k;
	gs_instant g, e;
	int ret;

	memset(c, 0, sizeof(*c));
	if (is_request)
		ret = kv_parse(text, len, CONSENT_REQUEST_MAGIC, req, sizeof(req) / sizeof(req[0]), d);
	else
		ret = kv_parse(text, len, CONSENT_MAGIC, grant, sizeof(grant) / sizeof(grant[0]), d);
	if (ret)
		return ret;
	if (is_request)
		copy_str(c->decision, sizeof(c->decision), "requested");
	else if (strcmp(c->decision, "granted") && strcmp(c->decision, "refused"))
		return gs_diag_set(d, GS_EINVAL, "decision must be 'granted' or 'refused', not '%s'", c->decision);
	if (kind_parse(c->kind, &k))
		return gs_diag_set(d, GS_EINVAL, "kind must be onward, use or access, not '%s'", c->kind);
	if (!party_code_is_valid(c->originator) || !party_code_is_valid(c->holder))
		return gs_diag_set(d, GS_EINVAL, "originator and holder must be party codes");
	if (!strcmp(c->originator, c->holder))
		return gs_diag_set(d, GS_EINVAL, "the holder is the originator itself");
	if (!!c->item[0] == !!c->topic[0] && !is_request)
		return gs_diag_set(d, GS_EINVAL, "a consent names either one item or one topic (a class of items)");
	if (k == CONSENT_USE ? c->third_party[0] != 0 : !party_code_is_valid(c->third_party))
		return gs_diag_set(d, GS_EINVAL, k == CONSENT_USE ? "a use consent names no third party"
								  : "third-party must be a party code");
	if (kv_instant(c->granted, &g))
		return gs_diag_set(d, GS_EINVAL, "'%s' is not an instant in UTC (2019-11-22T15:00:00Z)", c->granted);
	if (c->expires[0] && kv_instant(c->expires, &e))
		return gs_diag_set(d, GS_EINVAL, "'%s' is not an instant in UTC (2019-11-22T15:00:00Z)", c->expires);
	if (!strcmp(c->decision, "granted") && (!c->expires[0] || e <= g))
		return gs_diag_set(d, GS_EINVAL, "a consent needs an expiry after the instant it is granted");
	if (c->request[0] && !hex64(c->request))
		return gs_diag_set(d, GS_EINVAL, "request must be 64 lowercase hex digits");
	if (c->exercise[0] && strcmp(c->exercise, "yes"))
		return gs_diag_set(d, GS_EINVAL, "exercise must be 'yes' or absent");
	return 0;
}

static int consent_text_format(const struct consent_text *c, bool is_request, char **out,
			       struct gs_diag *d)
{
	struct kvbuf b;
	int ret;

	kv_begin(&b, is_request ? CONSENT_REQUEST_MAGIC : CONSENT_MAGIC);
	if (!is_request)
		kv_add(&b, "decision", c->decision);
	kv_add(&b, "kind", c->kind);
	kv_add(&b, "originator", c->originator);
	kv_add(&b, "holder", c->holder);
	kv_add(&b, "item", c->item);
	kv_add(&b, "topic", c->topic);
	kv_add(&b, "third-party", c->third_party);
	kv_add(&b, "purpose", c->purpose);
	kv_add(&b, is_request ? "requested" : "granted", c->granted);
	kv_add(&b, "expires", c->expires);
	if (!is_request)
		kv_add(&b, "request", c->request);
	kv_add(&b, "exercise", c->exercise);
	kv_add(&b, "text", c->text);
	if ((ret = kv_end(&b, d)))
		return ret;
	*out = b.buf;
	return 0;
}

static json_t *consent_json(const struct consent_text *c, const char *id, bool made_here)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "decision", json_string(c->decision));
	json_object_set_new(o, "kind", json_string(c->kind));
	json_object_set_new(o, "originator", json_string(c->originator));
	json_object_set_new(o, "holder", json_string(c->holder));
	json_object_set_new(o, "item", json_string(c->item));
	json_object_set_new(o, "topic", json_string(c->topic));
	json_object_set_new(o, "third_party", json_string(c->third_party));
	json_object_set_new(o, "purpose", json_string(c->purpose));
	json_object_set_new(o, strcmp(c->decision, "requested") ? "granted_at" : "requested_at",
			    json_string(c->granted));
	json_object_set_new(o, "expires", c->expires[0] ? json_string(c->expires) : json_null());
	json_object_set_new(o, "request", json_string(c->request));
	json_object_set_new(o, "text", json_string(c->text));
	json_object_set_new(o, "made_here", json_boolean(made_here));
	return o;
}

/* Stores the note with its record and its ledger entry, in one transaction. */
static int record(struct node *n, const struct consent_text *c, const char *id, const char *note,
		  size_t len, bool made_here, unsigned type, const char *peer, gs_instant now,
		  struct gs_diag *d)
{
	json_t *o = consent_json(c, id, made_here);
	char *js = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int ret;

	json_decref(o);
	if (!js)
		return GS_ENOMEM;
	if ((ret = store_begin(n->st))) {
		free(js);
		return gs_diag_set(d, ret, "cannot begin a transaction");
	}
	ret = store_consent_put(n->st, id, c->originator, c->decision, js, (const uint8_t *)note, len, now);
	if (ret == GS_EEXIST)
		gs_diag_set(d, ret, "consent %.16s is already held", id);
	if (!ret)
		ret = ledger_event(n, peer, type, now, c->item, d, "consent", id, "decision", c->decision,
				   "kind", c->kind, "originator", c->originator, "holder", c->holder,
				   "topic", c->topic, "third-party", c->third_party, "purpose", c->purpose,
				   "expires", c->expires, "request", c->request, "made-here",
				   made_here ? "yes" : "no", (const char *)NULL);
	if (!ret)
		ret = store_commit(n->st);
	if (ret) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the consent");
	}
	free(js);
	return ret;
}

/* An instant given on the command line (any offset), as canonical UTC. */
static int instant_arg(const char *what, const char *s, char out[GS_INSTANT_STR], gs_instant *t,
		       struct gs_diag *d)
{
	if (instant_parse(s, 0, t))
		return gs_diag_set(d, GS_EUSAGE, "%s: '%s' is not an instant (2019-11-23T00:00:00+09:00)", what, s);
	instant_format(*t, out);
	return 0;
}

int node_consent_request(struct node *n, const struct consent_request_args *a, char **note,
			 size_t *len, char id[CONSENT_ID_HEX], struct gs_diag *d)
{
	struct consent_text *c = NULL;
	struct holding h;
	enum consent_kind k;
	json_t *rec = NULL;
	char *text = NULL;
	gs_instant now, t;
	int ret;

	*note = NULL;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (kind_parse(a->kind, &k))
		return gs_diag_set(d, GS_EUSAGE, "--kind must be onward, use or access");
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, a->item, &rec, d)))
		return ret;
	item_to_holding(rec, &h);
	json_decref(rec);
	if (!strcmp(h.item.originator, n->self.code)) {
		return gs_diag_set(d, GS_EDENIED, "%s is the originator of item '%s': it needs no consent",
				   n->self.code, a->item);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return GS_ENOMEM;
	copy_str(c->decision, sizeof(c->decision), "requested");
	copy_str(c->kind, sizeof(c->kind), a->kind ? a->kind : "onward");
	copy_str(c->originator, sizeof(c->originator), h.item.originator);
	copy_str(c->holder, sizeof(c->holder), n->self.code);
	copy_str(c->item, sizeof(c->item), h.item.id);
	copy_str(c->topic, sizeof(c->topic), h.item.topic);
	if (k != CONSENT_USE) {
		if (!a->third_party || !party_code_is_valid(a->third_party)) {
			ret = gs_diag_set(d, GS_EUSAGE, "--for must name a party code");
			goto out;
		}
		if (!strcmp(a->third_party, n->self.code) || !strcmp(a->third_party, h.item.originator)) {
			ret = gs_diag_set(d, GS_EUSAGE, "%s is %s: no consent is needed", a->third_party,
					  strcmp(a->third_party, n->self.code) ? "the originator" : "this node");
			goto out;
		}
		copy_str(c->third_party, sizeof(c->third_party), a->third_party);
	}
	copy_str(c->purpose, sizeof(c->purpose), a->purpose);
	instant_format(now, c->granted);
	if (a->expires && (ret = instant_arg("--expires", a->expires, c->expires, &t, d)))
		goto out;
	if (n->self.exercise)
		copy_str(c->exercise, sizeof(c->exercise), "yes");
	copy_str(c->text, sizeof(c->text), a->text);
	if ((ret = consent_text_format(c, true, &text, d)))
		goto out;
	{
		/* What is signed must read back the same. */
		struct consent_text back;

		if ((ret = consent_text_parse(text, strlen(text), true, &back, d))) {
			gs_diag_prefix(d, "request");
			goto out;
		}
	}
	if ((ret = node_sign(n, text, strlen(text), note, len, d)))
		goto out;
	note_id(*note, *len, id);
	ret = record(n, c, id, *note, *len, true, LEDGER_CONSENT_REQUEST, c->originator, now, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
	}
	free(text);
	free(c);
	return ret;
}

/* Reads a signed note file: its bytes and parsed form (pointing into buf). */
static int read_note(const char *path, uint8_t **buf, size_t *len, struct signed_note *sn,
		     struct gs_diag *d)
{
	int ret;

	if ((ret = read_file(path, GS_MAX_NOTE_BYTES, buf, len, d)))
		return ret;
	if ((ret = note_parse((const char *)*buf, *len, sn, d))) {
		gs_diag_prefix(d, "%s", path);
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

/* The signature of party code, with the key it held at the note's
 * instant `when` (node/keyhistory.h). */
static int verify_by(struct node *n, const struct signed_note *sn, const char *code, const char *who,
		     const char *when, const char *path, struct gs_diag *d)
{
	struct party *p = calloc(1, sizeof(*p));
	gs_instant at = GS_INSTANT_NONE;
	int ret;

	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, code, p, d))) {
		gs_diag_prefix(d, "%s: cannot verify the %s's signature", path, who);
		free(p);
		return ret;
	}
	kv_instant(when, &at);
	ret = party_note_verify_at(p, sn, at, d);
	free(p);
	if (ret == GS_EDENIED) {
		gs_diag_prefix(d, "%s", path);
		return ret;
	}
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, GS_ECRYPTO, "%s: not signed by the %s %s", path, who, code);
	if (ret)
		return gs_diag_set(d, GS_ECRYPTO, "%s: the signature of the %s %s does not verify (forged or damaged)",
				   path, who, code);
	return 0;
}

static int same_or_usage(const char *opt, const char *given, const char *req, struct gs_diag *d)
{
	if (given && strcmp(given, req))
		return gs_diag_set(d, GS_EUSAGE, "%s '%s' differs from the request's '%s'", opt, given, req);
	return 0;
}

int node_consent_grant(struct node *n, const struct consent_grant_args *a, char **note, size_t *len,
		       char id[CONSENT_ID_HEX], struct gs_diag *d)
{
	struct consent_text *c = NULL, *rq = NULL;
	struct signed_note *sn = NULL;
	uint8_t *rbuf = NULL;
	size_t rlen = 0;
	enum consent_kind k;
	char *text = NULL;
	gs_instant now, exp = GS_INSTANT_NONE;
	int ret;

	*note = NULL;
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)))
		return ret;
	c = calloc(1, sizeof(*c));
	rq = calloc(1, sizeof(*rq));
	sn = calloc(1, sizeof(*sn));
	if (!c || !rq || !sn) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (a->request_file) {
		/* The holder's request: its signature first, then its fields. */
		if ((ret = read_note(a->request_file, &rbuf, &rlen, sn, d)))
			goto out;
		if ((ret = consent_text_parse(sn->text, sn->text_len, true, rq, d))) {
			gs_diag_prefix(d, "%s", a->request_file);
			goto out;
		}
		if ((ret = verify_by(n, sn, rq->holder, "holder", rq->granted, a->request_file, d)))
			goto out;
		if (strcmp(rq->originator, n->self.code)) {
			ret = gs_diag_set(d, GS_EDENIED, "%s: the request is addressed to the originator %s, not to %s",
					  a->request_file, rq->originator, n->self.code);
			goto out;
		}
		if (!!rq->exercise[0] != n->self.exercise) {
			ret = gs_diag_set(d, GS_EDENIED, "%s: %s request refused by %s node", a->request_file,
					  rq->exercise[0] ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
			goto out;
		}
		if ((ret = same_or_usage("--to", a->holder, rq->holder, d)) ||
		    (ret = same_or_usage("--third-party", a->third_party, rq->third_party, d)) ||
		    (ret = same_or_usage("--purpose", a->purpose, rq->purpose, d)) ||
		    (ret = same_or_usage("--item", a->item, rq->item, d)) ||
		    (ret = same_or_usage("--kind", a->kind, rq->kind, d)))
			goto out;
		copy_str(c->kind, sizeof(c->kind), rq->kind);
		copy_str(c->holder, sizeof(c->holder), rq->holder);
		copy_str(c->third_party, sizeof(c->third_party), rq->third_party);
		copy_str(c->purpose, sizeof(c->purpose), rq->purpose);
		/* --topic widens the answer to the item's class. */
		if (a->topic)
			copy_str(c->topic, sizeof(c->topic), a->topic);
		else
			copy_str(c->item, sizeof(c->item), rq->item);
		note_id(rbuf, rlen, c->request);
		if (!a->expires && rq->expires[0])
			copy_str(c->expires, sizeof(c->expires), rq->expires);
	} else {
		if (!a->holder || !a->purpose || (!a->item == !a->topic) || (!a->third_party && a->kind && strcmp(a->kind, "use"))) {
			ret = gs_diag_set(d, GS_EUSAGE, "give REQUEST_FILE, or --item ITEM or --topic TOPIC with --to, "
					  "--third-party and --purpose");
			goto out;
		}
		copy_str(c->kind, sizeof(c->kind), a->kind ? a->kind : "onward");
		copy_str(c->holder, sizeof(c->holder), a->holder);
		copy_str(c->third_party, sizeof(c->third_party), a->third_party);
		copy_str(c->purpose, sizeof(c->purpose), a->purpose);
		copy_str(c->item, sizeof(c->item), a->item);
		copy_str(c->topic, sizeof(c->topic), a->topic);
	}
	if (kind_parse(c->kind, &k)) {
		ret = gs_diag_set(d, GS_EUSAGE, "--kind must be onward, use or access");
		goto out;
	}
	if (c->item[0]) {
		json_t *rec = NULL;

		if ((ret = node_item_get(n, c->item, &rec, d)))
			goto out;
		ret = strcmp(jstr(rec, "originator"), n->self.code) ? GS_EDENIED : 0;
		if (ret)
			gs_diag_set(d, ret, "only the originator %s of item '%s' may consent to its use", jstr(rec, "originator"),
				    c->item);
		json_decref(rec);
		if (ret)
			goto out;
	}
	if (!party_code_is_valid(c->holder) || !strcmp(c->holder, n->self.code)) {
		ret = gs_diag_set(d, GS_EUSAGE, "--to must name the holder, a party other than %s", n->self.code);
		goto out;
	}
	if (k != CONSENT_USE && (!party_code_is_valid(c->third_party) || !strcmp(c->third_party, n->self.code) ||
				 !strcmp(c->third_party, c->holder))) {
		ret = gs_diag_set(d, GS_EUSAGE, "--third-party must name a party other than %s and %s", n->self.code,
				  c->holder);
		goto out;
	}
	if (k == CONSENT_USE)
		c->third_party[0] = 0;
	copy_str(c->decision, sizeof(c->decision), a->refuse ? "refused" : "granted");
	copy_str(c->originator, sizeof(c->originator), n->self.code);
	instant_format(now, c->granted);
	if (a->expires && (ret = instant_arg("--expires", a->expires, c->expires, &exp, d)))
		goto out;
	if (!a->refuse) {
		if (!c->expires[0]) {
			ret = gs_diag_set(d, GS_EUSAGE, "a consent needs --expires (Art 5: a consent names its expiry)");
			goto out;
		}
		kv_instant(c->expires, &exp);
		if (exp <= now) {
			ret = gs_diag_set(d, GS_EUSAGE, "--expires %s is not after now (%s)", c->expires, c->granted);
			goto out;
		}
	}
	if (n->self.exercise)
		copy_str(c->exercise, sizeof(c->exercise), "yes");
	copy_str(c->text, sizeof(c->text), a->text);
	if ((ret = consent_text_format(c, false, &text, d)))
		goto out;
	{
		struct consent_text back;

		if ((ret = consent_text_parse(text, strlen(text), false, &back, d))) {
			gs_diag_prefix(d, "consent");
			goto out;
		}
	}
	if ((ret = node_sign(n, text, strlen(text), note, len, d)))
		goto out;
	note_id(*note, *len, id);
	ret = record(n, c, id, *note, *len, true, a->refuse ? LEDGER_CONSENT_REFUSAL : LEDGER_CONSENT_GRANT,
		     c->holder, now, d);
out:
	if (ret) {
		free(*note);
		*note = NULL;
	}
	free(text);
	free(rbuf);
	free(c);
	free(rq);
	free(sn);
	return ret;
}

int node_consent_import(struct node *n, const char *path, json_t **rec, bool *already,
			struct gs_diag *d)
{
	struct consent_text *c = NULL;
	struct signed_note *sn = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	char id[CONSENT_ID_HEX], *js = NULL;
	gs_instant now;
	int ret;

	*rec = NULL;
	*already = false;
	if ((ret = node_now(n, &now, d)))
		return ret;
	c = calloc(1, sizeof(*c));
	sn = calloc(1, sizeof(*sn));
	if (!c || !sn) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = read_note(path, &buf, &len, sn, d)))
		goto out;
	if (sn->text_len > strlen(CONSENT_REQUEST_MAGIC) &&
	    !memcmp(sn->text, CONSENT_REQUEST_MAGIC "\n", strlen(CONSENT_REQUEST_MAGIC) + 1)) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: this is a request for consent; the originator answers it with "
				  "'gsomia consent grant %s' or 'gsomia consent refuse %s'", path, path, path);
		goto out;
	}
	if ((ret = consent_text_parse(sn->text, sn->text_len, false, c, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	/* The originator's signature, before anything is believed. */
	if ((ret = verify_by(n, sn, c->originator, "originator", c->granted, path, d)))
		goto out;
	if (!!c->exercise[0] != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s consent refused by %s node", path,
				  c->exercise[0] ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	note_id(buf, len, id);
	if (!store_consent_get(n->st, id, &js, NULL, NULL)) {
		*rec = json_loads(js, 0, NULL);
		*already = true;
		ret = *rec ? 0 : GS_EIO;
		goto out;
	}
	if (strcmp(c->holder, n->self.code) && strcmp(c->third_party, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the consent is given to %s%s%s; it does not concern %s", path,
				  c->holder, c->third_party[0] ? " for " : "", c->third_party, n->self.code);
		goto out;
	}
	if ((ret = record(n, c, id, (const char *)buf, len, false,
			  strcmp(c->decision, "granted") ? LEDGER_CONSENT_REFUSAL : LEDGER_CONSENT_GRANT,
			  strcmp(c->originator, n->self.code) ? c->originator : c->holder, now, d)))
		goto out;
	*rec = consent_json(c, id, false);
out:
	free(js);
	free(buf);
	free(c);
	free(sn);
	return ret;
}

struct list_ctx {
	json_t *arr;
	gs_instant now;
};

static int list_one(void *ctx, const char *id, const char *json)
{
	struct list_ctx *l = ctx;
	json_t *o = json_loads(json, 0, NULL);
	const char *dec, *state;
	gs_instant g = GS_INSTANT_NONE, e = GS_INSTANT_NONE;

	(void)id;
	if (!o)
		return GS_EIO;
	dec = jstr(o, "decision");
	kv_instant(jstr(o, "granted_at"), &g);
	if (kv_instant(jstr(o, "expires"), &e))
		e = GS_INSTANT_NONE;
	if (!strcmp(dec, "granted"))
		state = l->now < g ? "not-yet-valid" : (e != GS_INSTANT_NONE && l->now >= e) ? "expired" : "valid";
	else
		state = dec;
	if (json_object_get(o, "key_compromise"))
		state = "key-compromised";
	json_object_set_new(o, "state", json_string(state));
	json_array_append_new(l->arr, o);
	return 0;
}

int node_consents(struct node *n, json_t **out, struct gs_diag *d)
{
	struct list_ctx l;
	int ret;

	if ((ret = node_now(n, &l.now, d)))
		return ret;
	l.arr = json_array();
	if ((ret = store_consent_each(n->st, list_one, &l))) {
		json_decref(l.arr);
		return gs_diag_set(d, ret, "cannot read the consents");
	}
	*out = l.arr;
	return 0;
}

int node_item_consents(struct node *n, json_t *rec, json_t **out, struct gs_diag *d)
{
	json_t *all = NULL, *mine = json_array(), *c;
	const char *names[3] = { jstr(rec, "id"), jstr(rec, "copy_of"), jstr(rec, "translation_of") };
	size_t i;
	int ret;

	*out = NULL;
	if (!mine)
		return GS_ENOMEM;
	if ((ret = node_consents(n, &all, d))) {
		json_decref(mine);
		return ret;
	}
	json_array_foreach(all, i, c) {
		const char *item = jstr(c, "item");
		bool about = false;

		if (strcmp(jstr(c, "originator"), jstr(rec, "originator")))
			continue;
		for (int k = 0; k < 3; k++)
			about |= item[0] && names[k][0] && !strcmp(item, names[k]);
		about |= !item[0] && jstr(c, "topic")[0] && !strcmp(jstr(c, "topic"), jstr(rec, "topic"));
		if (about)
			json_array_append(mine, c);
	}
	json_decref(all);
	*out = mine;
	return 0;
}

static int to_consent(json_t *o, struct consent *c)
{
	enum consent_kind k;

	memset(c, 0, sizeof(*c));
	if (kind_parse(jstr(o, "kind"), &k))
		return GS_EINVAL;
	c->kind = k;
	copy_str(c->id, 17, jstr(o, "id"));
	copy_str(c->originator, sizeof(c->originator), jstr(o, "originator"));
	copy_str(c->item, sizeof(c->item), jstr(o, "item"));
	copy_str(c->topic, sizeof(c->topic), jstr(o, "topic"));
	copy_str(c->holder, sizeof(c->holder), jstr(o, "holder"));
	copy_str(c->third_party, sizeof(c->third_party), jstr(o, "third_party"));
	copy_str(c->purpose, sizeof(c->purpose), jstr(o, "purpose"));
	c->granted = !strcmp(jstr(o, "decision"), "granted");
	if (kv_instant(jstr(o, "granted_at"), &c->granted_at))
		c->granted_at = GS_INSTANT_NONE;
	if (kv_instant(jstr(o, "expires"), &c->expires))
		c->expires = GS_INSTANT_NONE;
	return 0;
}

static int set_one(void *ctx, const char *id, const char *json)
{
	struct consent_set *s = ctx;
	json_t *o = json_loads(json, 0, NULL);
	void *p;

	if (!o)
		return GS_EIO;
	/* a refusal, or a grant signed by a key since reported compromised
	 * (node/keyhistory.c), never counts */
	if (strcmp(jstr(o, "decision"), "granted") || json_object_get(o, "key_compromise")) {
		json_decref(o);
		return 0;
	}
	p = realloc(s->c, (s->n + 1) * sizeof(*s->c));
	if (p)
		s->c = p;
	p = p ? realloc(s->ids, (s->n + 1) * sizeof(*s->ids)) : NULL;
	if (p)
		s->ids = p;
	if (!p || to_consent(o, &s->c[s->n])) {
		json_decref(o);
		return p ? GS_EIO : GS_ENOMEM;
	}
	copy_str(s->ids[s->n], CONSENT_ID_HEX, id);
	s->n++;
	json_decref(o);
	return 0;
}

int node_consent_set(struct node *n, struct consent_set *s, struct gs_diag *d)
{
	int ret;

	memset(s, 0, sizeof(*s));
	if ((ret = store_consent_each(n->st, set_one, s))) {
		consent_set_free(s);
		return gs_diag_set(d, ret, "cannot read the consents");
	}
	return 0;
}

void consent_set_free(struct consent_set *s)
{
	free(s->c);
	free(s->ids);
	memset(s, 0, sizeof(*s));
}

struct consent_cache {
	bool filled;
	uint64_t external, internal; /* store_data_version() when filled */
	struct consent_set set;
};

int node_consents_borrow(struct node *n, const struct consent_set **out, struct gs_diag *d)
{
	struct consent_cache *c = n->consents;
	uint64_t ext, in;
	int ret;

	if (!c && !(c = n->consents = calloc(1, sizeof(*c))))
		return GS_ENOMEM;
	if ((ret = store_data_version(n->st, &ext, &in)))
		return gs_diag_set(d, ret, "cannot read the database");
	if (!c->filled || ext != c->external || in != c->internal) {
		consent_set_free(&c->set);
		c->filled = false;
		if ((ret = node_consent_set(n, &c->set, d)))
			return ret;
		c->filled = true;
		c->external = ext;
		c->internal = in;
	}
	*out = &c->set;
	return 0;
}

void node_consent_cache_release(struct node *n)
{
	if (!n->consents)
		return;
	consent_set_free(&n->consents->set);
	free(n->consents);
	n->consents = NULL;
}

int node_consent_get(struct node *n, const char *id, struct consent *out, struct gs_diag *d)
{
	char *js = NULL;
	json_t *o;
	int ret = store_consent_get(n->st, id, &js, NULL, NULL);

	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "consent %.16s is not held here (import it with 'gsomia consent import FILE')",
				   id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read consent %.16s", id);
	o = json_loads(js, 0, NULL);
	free(js);
	if (!o)
		return gs_diag_set(d, GS_EIO, "damaged record of consent %.16s", id);
	ret = to_consent(o, out);
	json_decref(o);
	return ret ? gs_diag_set(d, ret, "damaged record of consent %.16s", id) : 0;
}

/* At the originator: a holder's request, delivered, is recorded so that
 * it can be answered (node_consent_note gives its bytes back to
 * node_consent_grant). The holder's signature is verified first. */
static int request_import(struct node *n, const uint8_t *buf, size_t len, struct signed_note *sn,
			  const char *path, json_t **rec, bool *already, struct gs_diag *d)
{
	struct consent_text *c = calloc(1, sizeof(*c));
	char id[CONSENT_ID_HEX], *js = NULL;
	gs_instant now;
	int ret;

	if (!c)
		return GS_ENOMEM;
	if ((ret = node_now(n, &now, d)))
		goto out;
	if ((ret = consent_text_parse(sn->text, sn->text_len, true, c, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if ((ret = verify_by(n, sn, c->holder, "holder", c->granted, path, d)))
		goto out;
	if (strcmp(c->originator, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: the request is addressed to the originator %s, not to %s", path,
				  c->originator, n->self.code);
		goto out;
	}
	if (!!c->exercise[0] != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s request refused by %s node", path,
				  c->exercise[0] ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	note_id(buf, len, id);
	if (!store_consent_get(n->st, id, &js, NULL, NULL)) {
		*rec = json_loads(js, 0, NULL);
		*already = true;
		ret = *rec ? 0 : GS_EIO;
		goto out;
	}
	if ((ret = record(n, c, id, (const char *)buf, len, false, LEDGER_CONSENT_REQUEST, c->holder, now, d)))
		goto out;
	*rec = consent_json(c, id, false);
out:
	free(js);
	free(c);
	return ret;
}

int node_consent_receive(struct node *n, const char *path, json_t **rec, bool *already, struct gs_diag *d)
{
	struct signed_note *sn = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	*rec = NULL;
	*already = false;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return GS_ENOMEM;
	if ((ret = read_note(path, &buf, &len, sn, d)))
		goto out;
	if (sn->text_len > strlen(CONSENT_REQUEST_MAGIC) &&
	    !memcmp(sn->text, CONSENT_REQUEST_MAGIC "\n", strlen(CONSENT_REQUEST_MAGIC) + 1))
		ret = request_import(n, buf, len, sn, path, rec, already, d);
	else
		ret = node_consent_import(n, path, rec, already, d);
out:
	free(buf);
	free(sn);
	return ret;
}

int node_consent_note(struct node *n, const char *id, char **note, size_t *len, json_t **rec,
		      struct gs_diag *d)
{
	uint8_t *buf = NULL;
	char *js = NULL;
	int ret;

	*note = NULL;
	*rec = NULL;
	ret = store_consent_get(n->st, id, &js, &buf, len);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "no consent or request %.16s is held here", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read consent %.16s", id);
	*rec = json_loads(js, 0, NULL);
	free(js);
	if (!*rec) {
		free(buf);
		return gs_diag_set(d, GS_EIO, "damaged record of consent %.16s", id);
	}
	*note = (char *)buf;
	return 0;
}
