/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local API's calls that change the node (docs/api.md "Console
 * actions"): release an uploaded file, receive an uploaded bundle, open
 * an item, ask for and answer the originator's consent, report an
 * incident and its steps, give a diplomatic note. Each calls the same
 * node function as the command that does the same thing, so the rules,
 * the ledger entries and the refusals are the same; what it makes for a
 * peer is kept in the home and queued in the outbox (node/outbox.h) for
 * `gsomia serve`'s courier. A call that a check refuses before the node
 * function runs changes nothing: whether the peer can be reached is
 * checked first.
 */
#include <errno.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/time.h"
#include "net/api.h"
#include "net/local_internal.h"
#include "node/outbox.h"
#include "node/agreements.h"
#include "node/consent.h"
#include "node/incident.h"
#include "node/items.h"
#include "core/kvtext.h"
#include "util/encode.h"
#include "node/record.h"
#include "util/utf8.h"
#include "util/file.h"
#include "util/banned.h"

/* ---- strict bodies: string members (or one integer), none unknown or twice ---- */

/* A body of this module: api_members_parse(), its errors prefixed "body ". */
static int body_parse(const char *buf, size_t len, const struct api_member *ms, size_t nm, void *out, size_t size,
		      struct gs_diag *d)
{
	return api_members_parse(buf, len, ms, nm, out, size, "body ", d);
}

#define S(type, m) API_STR_MEMBER(type, m)
#define N(type, m) { #m, offsetof(struct type, m), sizeof(int), API_INT, 1, 1000 }

int local_consent_request_parse(const char *buf, size_t len, struct consent_request_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		S(consent_request_body, item), S(consent_request_body, to),
		S(consent_request_body, third_party), S(consent_request_body, purpose),
		S(consent_request_body, kind), S(consent_request_body, expires),
		S(consent_request_body, text),
	};

	return body_parse(buf, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), d);
}

int local_consent_answer_parse(const char *buf, size_t len, struct consent_answer_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		S(consent_answer_body, text), S(consent_answer_body, expires), S(consent_answer_body, topic),
	};

	return body_parse(buf, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), d);
}

int local_incident_report_parse(const char *buf, size_t len, struct incident_report_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		S(incident_report_body, item), S(incident_report_body, kind),
		S(incident_report_body, detected), S(incident_report_body, text),
	};

	return body_parse(buf, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), d);
}

int local_incident_step_parse(const char *buf, size_t len, struct incident_step_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		S(incident_step_body, investigation), S(incident_step_body, result),
		S(incident_step_body, measures), S(incident_step_body, holding),
	};

	return body_parse(buf, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), d);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %XX to the byte; any other '%' is an error. */
static int percent_decode(const char *in, char *out, size_t cap, size_t *len)
{
	size_t k = 0;
	int hi, lo;

	for (; *in; in++) {
		if (k + 1 >= cap)
			return GS_ELIMIT;
		if (*in != '%') {
			out[k++] = *in;
			continue;
		}
		hi = hex_digit(in[1]);
		lo = hi < 0 ? -1 : hex_digit(in[2]);
		if (lo < 0)
			return GS_EINVAL;
		out[k++] = (char)(hi * 16 + lo);
		in += 2;
	}
	out[k] = 0;
	*len = k;
	return 0;
}

int local_release_header_parse(const char *header, struct release_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		S(release_body, agreement), S(release_body, to), S(release_body, classification),
		S(release_body, purpose), S(release_body, topic), S(release_body, title),
		S(release_body, form), S(release_body, name),
	};
	char *json;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!(json = malloc(GS_NET_MAX_RELEASE_HEADER)))
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	ret = percent_decode(header, json, GS_NET_MAX_RELEASE_HEADER, &len);
	if (ret == GS_ELIMIT)
		ret = gs_diag_set(d, GS_EINVAL, "header " LOCAL_RELEASE_HEADER " is longer than %d bytes",
				  GS_NET_MAX_RELEASE_HEADER - 1);
	else if (ret)
		ret = gs_diag_set(d, GS_EINVAL, "header " LOCAL_RELEASE_HEADER " holds a '%%' that is not %%XX");
	else if ((ret = api_members_parse(json, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), "", d)))
		gs_diag_prefix(d, "header " LOCAL_RELEASE_HEADER);
	free(json);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int local_note_parse(const char *buf, size_t len, struct note_body *out, struct gs_diag *d)
{
	static const struct api_member ms[] = {
		S(note_body, kind), S(note_body, text), S(note_body, to), S(note_body, delivered),
		S(note_body, withdraws), S(note_body, terminate_at), N(note_body, version),
		S(note_body, effective), S(note_body, acceding),
	};

	return body_parse(buf, len, ms, sizeof(ms) / sizeof(ms[0]), out, sizeof(*out), d);
}

#undef S
#undef N

/* ---- shared ---- */

/* A string member of a record, "" if absent. */
static const char *opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

static int need(const char *v, const char *name, struct gs_diag *d)
{
	return v && v[0] ? 0 : gs_diag_set(d, GS_EINVAL, "missing member '%s'", name);
}

/* The node's sentences name the command's options ("--expires"): here
 * they are members ('expires'; --for is 'third_party'). */
static void unflag(struct gs_diag *d)
{
	char buf[GS_DIAG_MAX], word[64];
	size_t i = 0, k = 0, w;

	while (d->msg[i] && k + 1 < sizeof(buf)) {
		if (d->msg[i] == '-' && d->msg[i + 1] == '-' && (i == 0 || d->msg[i - 1] == ' ') &&
		    d->msg[i + 2] >= 'a' && d->msg[i + 2] <= 'z') {
			for (w = 0, i += 2; ((d->msg[i] >= 'a' && d->msg[i] <= 'z') || d->msg[i] == '-') &&
					    w + 1 < sizeof(word); i++)
				word[w++] = d->msg[i] == '-' ? '_' : d->msg[i];
			word[w] = 0;
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "'%s'", !strcmp(word, "for") ? "third_party" : word);
			if (k >= sizeof(buf))
				k = sizeof(buf) - 1;
			continue;
		}
		buf[k++] = d->msg[i++];
	}
	buf[k] = 0;
	memcpy(d->msg, buf, k + 1);
}

/* The node's errors as statuses; forged or damaged bytes are 422. */
static unsigned fail(int err, const struct gs_diag *in, json_t **reply)
{
	struct gs_diag dd = *in, *d = &dd;

	unflag(d);
	if (err == GS_ECRYPTO) {
		*reply = local_error("%s", d->msg[0] ? d->msg : gs_strerror(err));
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	}
	return local_fail(err, d, reply);
}

/* Says `as` where a message names a temporary file. */
static void unpath(struct gs_diag *d, const char *path, const char *as)
{
	char buf[GS_DIAG_MAX];
	size_t pl = strlen(path);
	char *p;
	int i;

	for (i = 0; pl && i < 8 && (p = strstr(d->msg, path)); i++) {
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - d->msg), d->msg, as, p + pl);
		memcpy(d->msg, buf, sizeof(buf));
	}
}

/* A decision's refusal: 403 with its rule and reason. */
static unsigned refusal(const char *what, const struct decision *dec, json_t **reply)
{
	char reason[GS_MAX_LINE];

	decision_reason(dec, reason, sizeof(reason));
	*reply = json_pack("{s:s,s:s,s:s,s:s}", "error", "", "decision", "deny", "rule",
			   dec->rule_id ? dec->rule_id : "", "reason", reason);
	if (*reply) {
		char msg[GS_MAX_LINE + 128];

		snprintf(msg, sizeof(msg), "%s refused [%.64s]: %s", what, dec->rule_id ? dec->rule_id : "", reason);
		json_object_set_new(*reply, "error", json_string(msg));
	}
	return MHD_HTTP_FORBIDDEN;
}

/* What went wrong after the node recorded the action: it stands, but the
 * peer will not get it unless queued by hand. */
static unsigned not_queued(int err, struct gs_diag *d, const char *what, json_t **reply)
{
	if (!d->msg[0])
		gs_diag_set(d, err, "%s", gs_strerror(err));
	gs_diag_prefix(d, "%s is recorded but not queued", what);
	unflag(d);
	*reply = local_error("%s", d->msg);
	return MHD_HTTP_INTERNAL_SERVER_ERROR; /* never a 4xx: something did change */
}

/* A temporary name under HOME/tmp. */
static void tmp_path(struct node *n, const char *prefix, char *out, size_t cap)
{
	uint8_t rnd[12];
	char hex[25];

	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), hex, sizeof(hex));
	snprintf(out, cap, "%s/tmp/%s-%s", node_home(n), prefix, hex);
}

/* A query argument: absent or empty is NULL; too long or holding a
 * control character is refused. */
static int arg(struct call *c, const char *name, size_t cap, int required, const char **out, struct gs_diag *d)
{
	const char *v = local_arg(c, name);
	const unsigned char *p;

	*out = NULL;
	if (!v || !*v)
		return required ? gs_diag_set(d, GS_EINVAL, "missing query argument '%s'", name) : 0;
	if (strlen(v) >= cap)
		return gs_diag_set(d, GS_EINVAL, "query argument '%s' is longer than %zu bytes", name, cap - 1);
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return gs_diag_set(d, GS_EINVAL, "query argument '%s' holds a control character", name);
	*out = v;
	return 0;
}

/* ---- release and receive (uploads) ---- */

/* The release's members from the LOCAL_RELEASE_HEADER header (the
 * console's way: nothing of it in the URL), else from the query (scripts);
 * never both. */
static unsigned release_members(struct call *c, struct release_body *b, struct release_request *r, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	static const char *const known[] = { "agreement", "to", "classification", "purpose", "topic",
					     "title", "form", "name", NULL };
	static const char *const none[] = { NULL };
	const char *hd = c->r->header ? c->r->header(c->r->arg_ctx, LOCAL_RELEASE_HEADER) : NULL;
	const char *name = NULL;
	unsigned status;
	int ret;

	if (hd) {
		if ((status = local_args_known(c, none, reply))) {
			json_decref(*reply);
			*reply = local_error("the release's members are in the " LOCAL_RELEASE_HEADER
					     " header: give none in the query");
			return status;
		}
		if ((ret = local_release_header_parse(hd, b, &d)) || (ret = need(b->agreement, "agreement", &d)) ||
		    (ret = need(b->to, "to", &d)) || (ret = need(b->classification, "classification", &d)) ||
		    (ret = need(b->purpose, "purpose", &d)) || (ret = need(b->topic, "topic", &d)))
			return fail(ret, &d, reply);
		r->agreement = b->agreement;
		r->to = b->to;
		r->label = b->classification;
		r->purpose = b->purpose;
		r->topic = b->topic;
		r->title = opt(b->title);
		r->form = opt(b->form);
		name = opt(b->name);
	} else {
		if ((status = local_args_known(c, known, reply)))
			return status;
		if ((ret = arg(c, "agreement", GS_MAX_ID, 1, &r->agreement, &d)) ||
		    (ret = arg(c, "to", GS_MAX_CODE, 1, &r->to, &d)) ||
		    (ret = arg(c, "classification", GS_MAX_LABEL, 1, &r->label, &d)) ||
		    (ret = arg(c, "purpose", GS_MAX_NAME, 1, &r->purpose, &d)) ||
		    (ret = arg(c, "topic", GS_MAX_NAME, 1, &r->topic, &d)) ||
		    (ret = arg(c, "title", GS_MAX_NAME, 0, &r->title, &d)) ||
		    (ret = arg(c, "form", 32, 0, &r->form, &d)) || (ret = arg(c, "name", GS_MAX_NAME, 0, &name, &d)))
			return fail(ret, &d, reply);
	}
	/* The file's own name, without a folder: carried in the bundle, and
	 * the title if none is given. */
	if (name) {
		const char *p;

		for (p = name; *p; p++)
			if (*p == '/' || *p == '\\')
				name = p + 1;
		r->name = opt(name);
		if (!r->title)
			r->title = r->name;
	}
	return 0;
}

/* The release itself, once its members are read: 0 with *res and *dec,
 * or the HTTP status with the reply. */
static unsigned release_upload(struct call *c, const struct release_request *rq, struct release_result *res,
			       struct decision *dec, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct release_request r = *rq;
	int ret;

	if (!c->r->upload_path || !c->r->upload_len) {
		*reply = local_error("the body is empty: send the file to release as the body");
		return MHD_HTTP_BAD_REQUEST;
	}
	r.file = c->r->upload_path;
	r.deliver = true; /* the release and its outbox entry: one transaction */
	r.actor = c->who->id;
	/* The route holds no lock (LOCAL_OWN_LOCK): the node takes its own for
	 * the decision and the commit, so that callers at once share commits. */
	ret = node_release(c->n, &r, res, dec, &d);
	if (ret == GS_EDENIED && dec->rule_id)
		return refusal("release", dec, reply);
	if (ret) {
		unpath(&d, c->r->upload_path, "the uploaded file");
		return fail(ret, &d, reply);
	}
	return 0;
}

/* POST /v1/local/release, what it is in the LOCAL_RELEASE_HEADER header
 * (or ?agreement=&to=&classification=&purpose=&topic=[&title=][&form=]
 * [&name=]): the body is the file (gsomia release --deliver). */
unsigned local_h_release(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct release_request r;
	struct release_result res;
	struct release_body *b;
	struct decision dec;
	char reason[GS_MAX_LINE];
	unsigned status;

	memset(&r, 0, sizeof(r));
	memset(&dec, 0, sizeof(dec));
	if (!(b = calloc(1, sizeof(*b))))
		return local_fail(GS_ENOMEM, &d, reply);
	status = release_members(c, b, &r, reply);
	if (!status)
		status = release_upload(c, &r, &res, &dec, reply);
	if (!status) {
		decision_reason(&dec, reason, sizeof(reason));
		*reply = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:I}", "item", res.item, "bundle",
				   res.bundle, "to", r.to, "title", r.title ? r.title : "", "name",
				   r.name ? r.name : "", "banner_recipient", res.banner_recipient, "queued", 1,
				   "decision", "permit", "rule", dec.rule_id ? dec.rule_id : "", "reason", reason,
				   "ledger_index", (json_int_t)res.ledger_index);
		status = MHD_HTTP_OK;
	}
	free(b);
	return status;
}

/* POST /v1/local/receive: the body is a bundle (gsomia receive); the
 * receipt goes back to the sender through the outbox. */
unsigned local_h_receive(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } }, qd = { { 0 } };
	struct receive_result res;
	json_t *rec = NULL, *receipt;
	const char *sender;
	static const char *const known[] = { "name", NULL };
	unsigned status;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if (!c->r->upload_path || !c->r->upload_len) {
		*reply = local_error("the body is empty: send the bundle as the body");
		return MHD_HTTP_BAD_REQUEST;
	}
	ret = node_receive(c->n, c->r->upload_path, NULL, &res, &d);
	if (ret) {
		/* as a peer's delivery of the same bytes is answered */
		unpath(&d, c->r->upload_path, "the uploaded bundle");
		unflag(&d);
		*reply = local_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
		return api_bundle_status(ret);
	}
	if ((ret = node_item_get(c->n, res.item, &rec, &d)))
		return fail(ret, &d, reply);
	sender = jstr(rec, "released_by");
	receipt = json_pack("{s:s,s:b}", "to", sender, "queued", 0);
	if (!res.already_held && sender[0]) {
		if (!(ret = node_outbox_reachable(c->n, sender, &qd)))
			ret = node_outbox_add(c->n, sender, "receipt", res.bundle, res.receipt_path, &qd);
		if (!ret)
			json_object_set_new(receipt, "queued", json_true());
		else
			json_object_set_new(receipt, "error", json_string(qd.msg[0] ? qd.msg : gs_strerror(ret)));
	}
	*reply = json_pack("{s:s,s:s,s:b,s:o,s:o}", "item", res.item, "bundle", res.bundle, "already_held",
			   res.already_held, "receipt", receipt, "record", rec);
	return MHD_HTTP_OK;
}

/* ---- open ---- */

/* Appends src to out as a file name's part: a character no common file
 * system takes (/ \\ : * ? " < > | and controls) becomes '_', and so does a
 * byte that is not well-formed UTF-8. */
static void name_part(char *out, size_t cap, size_t *k, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;

	for (; *p && *k + 1 < cap; p++) {
		int bad = *p < 0x20 || *p == 0x7f || strchr("/\\:*?\"<>|", *p);
		size_t l = *p >= 0x80 ? utf8_decode(p, strnlen((const char *)p, 4), NULL) : 0;

		if (l > 1) { /* a whole UTF-8 character or nothing */
			if (*k + l >= cap)
				break;
			memcpy(out + *k, p, l);
			*k += l;
			p += l - 1;
			continue;
		}
		out[(*k)++] = bad || *p >= 0x80 ? '_' : (char)*p;
	}
	out[*k] = 0;
}

void local_download_name(const char *name, const char *title, const char *marking, bool exercise,
			 const char *item, char *out, size_t cap)
{
	size_t k = 0;

	if (!cap)
		return;
	out[0] = 0;
	if (exercise)
		name_part(out, cap, &k, "EXERCISE ");
	if (marking && marking[0]) {
		name_part(out, cap, &k, marking);
		name_part(out, cap, &k, " - ");
	}
	if (name && name[0])
		name_part(out, cap, &k, name);
	else if (title && title[0]) {
		name_part(out, cap, &k, title);
		name_part(out, cap, &k, ".bin");
	} else {
		name_part(out, cap, &k, item);
		name_part(out, cap, &k, ".bin");
	}
}

/* POST /v1/local/items/{id}/open[?facility=][&purpose=]: as the
 * signed-in person (gsomia open --as): the plaintext as a download, or
 * the refusal. */
unsigned local_h_open(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct decision dec;
	char item[GS_MAX_ID], out[GS_PATH_MAX];
	const char *facility = NULL, *purpose = NULL;
	static const char *const known[] = { "facility", "purpose", NULL };
	json_t *rec = NULL;
	unsigned status;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if (local_path_segment(c->r->url, 3, item, sizeof(item)) || !ident_id_is_valid(item)) {
		*reply = local_error("not an item id");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = arg(c, "facility", GS_MAX_ID, 0, &facility, &d)) ||
	    (ret = arg(c, "purpose", GS_MAX_NAME, 0, &purpose, &d)))
		return fail(ret, &d, reply);
	if ((ret = node_item_get(c->n, item, &rec, &d)))
		return fail(ret, &d, reply);
	tmp_path(c->n, "open", out, sizeof(out));
	ret = node_open_item_at(c->n, item, c->who->id, facility, purpose, out, &dec, &d);
	if (ret) {
		unlink(out);
		json_decref(rec);
		if (ret == GS_EDENIED && dec.rule_id)
			return refusal("open", &dec, reply);
		unpath(&d, out, "the opened file");
		return fail(ret, &d, reply);
	}
	snprintf(c->out->download.path, sizeof(c->out->download.path), "%s", out);
	snprintf(c->out->download.type, sizeof(c->out->download.type), "application/octet-stream");
	{
		char marking[GS_MAX_MARK_LABELS * GS_MAX_LABEL];

		local_marking_text(rec, marking, sizeof(marking));
		local_download_name(jstr(rec, "name"), jstr(rec, "title"), marking, node_self(c->n)->exercise, item,
				    c->out->download.name, sizeof(c->out->download.name));
	}
	c->out->download.unlink_after = 1;
	json_decref(rec);
	*reply = json_pack("{s:s}", "item", item);
	return MHD_HTTP_OK;
}

/* ---- consents ---- */

#define REF_HEX 48 /* a note's id in a delivery: the first 48 of its 64 hex digits */

static void ref_of(const char *id, char out[REF_HEX + 1])
{
	snprintf(out, REF_HEX + 1, "%.*s", REF_HEX, id);
}

/* POST /v1/local/consents: a request to the item's originator (gsomia
 * consent request). */
unsigned local_h_consent_request(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct consent_request_body b;
	struct consent_request_args a;
	char id[CONSENT_ID_HEX], ref[REF_HEX + 1], path[GS_PATH_MAX], originator[GS_MAX_CODE];
	const char *peers[1];
	char *note = NULL;
	size_t len = 0;
	json_t *rec = NULL;
	int ret;

	if ((ret = local_consent_request_parse(c->r->body, c->r->len, &b, &d)) || (ret = need(b.item, "item", &d)) ||
	    (ret = need(b.purpose, "purpose", &d)))
		return fail(ret, &d, reply);
	if ((ret = node_item_get(c->n, b.item, &rec, &d)))
		return fail(ret, &d, reply);
	snprintf(originator, sizeof(originator), "%s", jstr(rec, "originator"));
	json_decref(rec);
	if (b.to[0] && strcmp(b.to, originator)) {
		*reply = local_error("a request goes to the item's originator %s, not to '%s'", originator, b.to);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (strcmp(originator, node_self(c->n)->code) && (ret = node_outbox_reachable(c->n, originator, &d)))
		return fail(ret, &d, reply);
	memset(&a, 0, sizeof(a));
	a.item = b.item;
	a.third_party = opt(b.third_party);
	a.purpose = b.purpose;
	a.expires = opt(b.expires);
	a.kind = opt(b.kind);
	a.text = opt(b.text);
	if ((ret = node_consent_request(c->n, &a, &note, &len, id, &d)))
		return fail(ret, &d, reply);
	ref_of(id, ref);
	peers[0] = originator;
	ret = node_outbox_keep_and_queue(c->n, "consent", ref, note, len, peers, 1, path, sizeof(path), &d);
	free(note);
	if (ret)
		return not_queued(ret, &d, "the request", reply);
	*reply = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id", id, "decision", "requested", "item", b.item,
			   "to", originator, "third_party", b.third_party, "purpose", b.purpose, "kind",
			   b.kind[0] ? b.kind : "onward", "queued", 1);
	return MHD_HTTP_OK;
}

struct answered {
	const char *request;
	char by[CONSENT_ID_HEX];
	char decision[16];
};

static bool hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

/* POST /v1/local/consents/{id}/grant and .../refuse: the originator
 * answers a request it holds (gsomia consent grant|refuse REQUEST). */
static unsigned consent_answer(struct call *c, bool refuse, json_t **reply)
{
	struct gs_diag d = { { 0 } }, qd = { { 0 } };
	struct consent_answer_body b;
	struct consent_grant_args a;
	char reqid[CONSENT_ID_HEX], id[CONSENT_ID_HEX], ref[REF_HEX + 1], path[GS_PATH_MAX],
		tmp[GS_PATH_MAX], holder[GS_MAX_CODE], third[GS_MAX_CODE], as[64];
	const char *peers[1];
	json_t *rec = NULL, *all = NULL, *o, *queued, *nq;
	char *note = NULL, *answer = NULL;
	size_t len = 0, alen = 0, i;
	unsigned status;
	int ret;

	if (local_path_segment(c->r->url, 3, reqid, sizeof(reqid)) || !hex64(reqid)) {
		*reply = local_error("not a consent request id (64 lowercase hex digits)");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = local_consent_answer_parse(c->r->body, c->r->len, &b, &d)))
		return fail(ret, &d, reply);
	if (refuse && (b.expires[0] || b.topic[0])) {
		*reply = local_error("a refusal takes only 'text'");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = node_consent_note(c->n, reqid, &note, &len, &rec, &d)))
		return fail(ret, &d, reply);
	if (strcmp(jstr(rec, "decision"), "requested") ||
	    json_is_true(json_object_get(rec, "made_here"))) {
		const char *dec = jstr(rec, "decision");

		if (strcmp(dec, "requested"))
			*reply = local_error("%.16s is a %s consent, not a request to answer", reqid, dec);
		else
			*reply = local_error("request %.16s was made here: its originator %s answers it", reqid,
					     jstr(rec, "originator"));
		status = MHD_HTTP_CONFLICT;
		goto out;
	}
	snprintf(holder, sizeof(holder), "%s", jstr(rec, "holder"));
	snprintf(third, sizeof(third), "%s", jstr(rec, "third_party"));
	/* One answer per request. */
	if ((ret = node_consents(c->n, &all, &d))) {
		status = fail(ret, &d, reply);
		goto out;
	}
	json_array_foreach(all, i, o) {
		const char *r = jstr(o, "request");

		if (r && !strcmp(r, reqid)) {
			*reply = local_error("request %.16s was already answered: %s by %.16s", reqid,
					     jstr(o, "decision"),
					     jstr(o, "id"));
			status = MHD_HTTP_CONFLICT;
			goto out;
		}
	}
	if ((ret = node_outbox_reachable(c->n, holder, &d))) {
		status = fail(ret, &d, reply);
		goto out;
	}
	tmp_path(c->n, "request", tmp, sizeof(tmp));
	if ((ret = write_file_atomic(tmp, note, len, 0600, &d))) {
		status = fail(ret, &d, reply);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.refuse = refuse;
	a.request_file = tmp;
	a.expires = opt(b.expires);
	a.topic = opt(b.topic);
	a.text = opt(b.text);
	ret = node_consent_grant(c->n, &a, &answer, &alen, id, &d);
	unlink(tmp);
	if (ret) {
		snprintf(as, sizeof(as), "request %.16s", reqid);
		unpath(&d, tmp, as);
		status = fail(ret, &d, reply);
		goto out;
	}
	ref_of(id, ref);
	peers[0] = holder;
	if ((ret = node_outbox_keep_and_queue(c->n, "consent", ref, answer, alen, peers, 1, path, sizeof(path), &d))) {
		status = not_queued(ret, &d, refuse ? "the refusal" : "the consent", reply);
		goto out;
	}
	queued = json_array();
	nq = json_array();
	json_array_append_new(queued, json_string(holder));
	/* The third party verifies the consent before it accepts the item:
	 * it gets a copy when it can be reached. */
	if (!refuse && third[0] && strcmp(third, holder)) {
		if (!(ret = node_outbox_reachable(c->n, third, &qd)))
			ret = node_outbox_add(c->n, third, "consent", ref, path, &qd);
		if (!ret)
			json_array_append_new(queued, json_string(third));
		else
			json_array_append_new(nq, json_pack("{s:s,s:s}", "to", third, "error",
							     qd.msg[0] ? qd.msg : gs_strerror(ret)));
	}
	*reply = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", id, "decision", refuse ? "refused" : "granted",
			   "request", reqid, "holder", holder, "third_party", third, "queued", queued, "not_queued", nq);
	status = MHD_HTTP_OK;
out:
	json_decref(rec);
	json_decref(all);
	free(note);
	free(answer);
	return status;
}

unsigned local_h_consent_grant(struct call *c, json_t **reply)
{
	return consent_answer(c, false, reply);
}

unsigned local_h_consent_refuse(struct call *c, json_t **reply)
{
	return consent_answer(c, true, reply);
}

/* ---- incidents ---- */

/* The record without the notes' texts. */
static json_t *incident_view(json_t *rec)
{
	json_t *o = json_deep_copy(rec), *s;
	size_t i;

	json_array_foreach(json_object_get(o, "steps"), i, s)
		json_object_del(s, "note");
	return o;
}

static unsigned incident_reply(json_t *rec, const char *ref, json_t **reply)
{
	json_t *steps = json_object_get(rec, "steps");
	json_t *last = json_array_get(steps, json_array_size(steps) - 1);

	*reply = json_pack("{s:O?,s:O?,s:{s:O?,s:O?,s:O?},s:O?,s:s,s:b,s:o}", "id", json_object_get(rec, "id"), "step",
			   json_object_get(last, "step"), "deadlines", "notify_by", json_object_get(rec, "notify_deadline"),
			   "hours", json_object_get(rec, "deadline_hours"), "late", json_object_get(rec, "late"), "holding",
			   json_object_get(rec, "holding"), "ref", ref, "queued", 1, "incident", incident_view(rec));
	if (!*reply) {
		*reply = local_error("out of memory");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return MHD_HTTP_OK;
}

/* POST /v1/local/incidents: a loss or compromise of a held item, noticed
 * to its originator (gsomia incident report). */
unsigned local_h_incident_report(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct incident_report_body b;
	struct incident_report_args a;
	char originator[GS_MAX_CODE], ref[GS_MAX_ID], path[GS_PATH_MAX];
	const char *peers[2];
	json_t *rec = NULL;
	char *note = NULL;
	size_t len = 0;
	unsigned status;
	int ret;

	if ((ret = local_incident_report_parse(c->r->body, c->r->len, &b, &d)) || (ret = need(b.item, "item", &d)) ||
	    (ret = need(b.kind, "kind", &d)) || (ret = need(b.detected, "detected", &d)))
		return fail(ret, &d, reply);
	if ((ret = node_item_get(c->n, b.item, &rec, &d)))
		return fail(ret, &d, reply);
	snprintf(originator, sizeof(originator), "%s", jstr(rec, "originator"));
	if (strcmp(jstr(rec, "released_by"), originator) && jstr(rec, "released_by")[0] &&
	    (ret = node_outbox_reachable(c->n, jstr(rec, "released_by"), &d))) {
		json_decref(rec);
		return fail(ret, &d, reply);
	}
	json_decref(rec);
	rec = NULL;
	if (strcmp(originator, node_self(c->n)->code) && (ret = node_outbox_reachable(c->n, originator, &d)))
		return fail(ret, &d, reply);
	memset(&a, 0, sizeof(a));
	a.item = b.item;
	a.kind = b.kind;
	a.detected = b.detected;
	a.text = opt(b.text);
	if ((ret = node_incident_report(c->n, &a, &note, &len, &rec, &d)))
		return fail(ret, &d, reply);
	snprintf(ref, sizeof(ref), "%s-0", jstr(rec, "id"));
	/* to the originator, and to the hub it came through */
	peers[0] = originator;
	peers[1] = jstr(rec, "provider");
	ret = node_outbox_keep_and_queue(c->n, "incident", ref, note, len, peers, peers[1][0] ? 2 : 1, path, sizeof(path), &d);
	status = ret ? not_queued(ret, &d, "the incident", reply) : incident_reply(rec, ref, reply);
	free(note);
	json_decref(rec);
	return status;
}

/* POST /v1/local/incidents/{id}/step: the holder's investigation, or its
 * results and measures (gsomia incident step). */
unsigned local_h_incident_step(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct incident_step_body b;
	struct incident_step_args a;
	char id[GS_MAX_ID], originator[GS_MAX_CODE] = "", ref[GS_MAX_ID + 16], path[GS_PATH_MAX];
	const char *peers[2];
	json_t *all = NULL, *o, *rec = NULL;
	char *note = NULL;
	size_t len = 0, i;
	unsigned status;
	int ret, found = 0;

	if (local_path_segment(c->r->url, 3, id, sizeof(id)) || !ident_id_is_valid(id)) {
		*reply = local_error("not an incident id");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = local_incident_step_parse(c->r->body, c->r->len, &b, &d)))
		return fail(ret, &d, reply);
	if ((ret = node_incidents(c->n, &all, &d)))
		return fail(ret, &d, reply);
	json_array_foreach(all, i, o) {
		if (!strcmp(jstr(o, "id"), id)) {
			found = 1;
			snprintf(originator, sizeof(originator), "%s",
				 jstr(o, "originator"));
		}
	}
	json_decref(all);
	if (!found) {
		*reply = local_error("unknown incident '%s'", id);
		return MHD_HTTP_NOT_FOUND;
	}
	if (strcmp(originator, node_self(c->n)->code) && (ret = node_outbox_reachable(c->n, originator, &d)))
		return fail(ret, &d, reply);
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.investigation = opt(b.investigation);
	a.result = opt(b.result);
	a.measures = opt(b.measures);
	a.holding = opt(b.holding);
	if ((ret = node_incident_step(c->n, &a, &note, &len, &rec, &d)))
		return fail(ret, &d, reply);
	snprintf(ref, sizeof(ref), "%s-%zu", id, json_array_size(json_object_get(rec, "steps")) - 1);
	peers[0] = originator;
	peers[1] = jstr(rec, "provider");
	ret = node_outbox_keep_and_queue(c->n, "incident", ref, note, len, peers, peers[1][0] ? 2 : 1, path, sizeof(path), &d);
	status = ret ? not_queued(ret, &d, "the step", reply) : incident_reply(rec, ref, reply);
	free(note);
	json_decref(rec);
	return status;
}

/* ---- diplomatic notes ---- */

static int note_kind(const char *s, enum dipnote_kind *k)
{
	int i;

	for (i = DIPNOTE_DOMESTIC_COMPLETE; i <= DIPNOTE_ACCESSION_ACCEPTANCE; i++) {
		if (!strcmp(s, dipnote_kind_name((enum dipnote_kind)i))) {
			*k = (enum dipnote_kind)i;
			return 0;
		}
	}
	return GS_EINVAL;
}

/* The note from the body, as gsomia agreement note reads its options. */
static int note_of(struct call *c, const char *agreement, const struct note_body *b, struct dipnote *note,
		   struct gs_diag *d)
{
	int32_t zone = node_self(c->n)->zone;

	note->delivered = GS_INSTANT_NONE;
	note->terminate_at = GS_INSTANT_NONE;
	if (note_kind(b->kind, &note->kind))
		return gs_diag_set(d, GS_EINVAL, "unknown note kind '%.64s' (domestic-procedures-complete, "
				   "termination-notice, suspension, withdrawal, amendment-consent, accession, "
				   "accession-acceptance)", b->kind);
	if (b->text[0] && !kv_value_ok(b->text))
		return gs_diag_set(d, GS_EINVAL, "member 'text' must be one line without control characters");
	if (!strcmp(b->to, node_self(c->n)->code))
		return gs_diag_set(d, GS_EINVAL, "member 'to' names this party (%s): a note goes to another",
				   b->to);
	snprintf(note->agreement, sizeof(note->agreement), "%s", agreement);
	snprintf(note->to, sizeof(note->to), "%s", b->to);
	snprintf(note->text, sizeof(note->text), "%s", b->text);
	if (b->withdraws[0]) {
		if (!strcmp(b->withdraws, "notice"))
			note->withdraws = WITHDRAW_NOTICE;
		else if (!strcmp(b->withdraws, "suspension"))
			note->withdraws = WITHDRAW_SUSPENSION;
		else if (!strcmp(b->withdraws, "both"))
			note->withdraws = WITHDRAW_BOTH;
		else
			return gs_diag_set(d, GS_EINVAL, "'withdraws' takes notice, suspension or both");
	} else if (note->kind == DIPNOTE_WITHDRAWAL) {
		return gs_diag_set(d, GS_EINVAL, "a withdrawal needs 'withdraws': notice, suspension or both");
	}
	if (note->kind == DIPNOTE_ACCESSION_ACCEPTANCE && !party_code_is_valid(b->acceding))
		return gs_diag_set(d, GS_EINVAL, "an accession-acceptance needs 'acceding': the acceding "
				   "state's code");
	if (note->kind != DIPNOTE_ACCESSION_ACCEPTANCE && b->acceding[0])
		return gs_diag_set(d, GS_EINVAL, "member 'acceding' is for an accession-acceptance note");
	snprintf(note->acceding, sizeof(note->acceding), "%s", b->acceding);
	note->version = b->version;
	if (note->kind == DIPNOTE_AMENDMENT_CONSENT &&
	    (!b->version || !b->effective[0] || date_parse(b->effective, &note->effective)))
		return gs_diag_set(d, GS_EINVAL, "amendment-consent needs 'version' (an integer) and 'effective' "
				   "(YYYY-MM-DD)");
	if ((b->delivered[0] && instant_parse(b->delivered, zone, &note->delivered)) ||
	    (b->terminate_at[0] && instant_parse(b->terminate_at, zone, &note->terminate_at)))
		return gs_diag_set(d, GS_EINVAL, "instants are RFC 3339, e.g. 2019-08-23T15:00:00+09:00");
	return 0;
}

/* POST /v1/local/agreements/{id}/notes: a diplomatic note from this
 * party (gsomia agreement note), recorded here and queued to the other
 * parties (or to 'to'). */
unsigned local_h_note(struct call *c, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	struct note_body b;
	struct dipnote *note = NULL;
	const struct agreement_view *v;
	const struct agreement *a;
	struct lifecycle_status *st = NULL;
	char agreement[GS_MAX_ID], ref[REF_HEX + 1], path[GS_PATH_MAX],
		peers_buf[GS_MAX_PARTIES][GS_MAX_CODE];
	const char *peers[GS_MAX_PARTIES];
	size_t npeers = 0, outlen = 0, i;
	char *out = NULL;
	json_t *q;
	gs_instant now;
	unsigned status;
	int ret;

	if (local_path_segment(c->r->url, 3, agreement, sizeof(agreement)) || !ident_id_is_valid(agreement)) {
		*reply = local_error("not an agreement id");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = local_note_parse(c->r->body, c->r->len, &b, &d)) || (ret = need(b.kind, "kind", &d)))
		return fail(ret, &d, reply);
	if (!(note = calloc(1, sizeof(*note))) || !(st = calloc(1, sizeof(*st)))) {
		free(note);
		return fail(GS_ENOMEM, &d, reply);
	}
	if ((ret = note_of(c, agreement, &b, note, &d)) || (ret = agreement_view_cached(c->n, agreement, &v, &d))) {
		status = fail(ret, &d, reply);
		goto out;
	}
	/* Who gets it: 'to', else every other party that has not left (an
	 * acceding state's too); each must be reachable. */
	a = agreement_view_base(v);
	if ((ret = node_now(c->n, &now, &d)) || (ret = agreement_view_status(v, now, st))) {
		status = fail(ret, &d, reply);
		goto out;
	}
	if (b.to[0] && agreement_party_index(a, b.to) < 0 && !lifecycle_member_find(st, b.to)) {
		*reply = local_error("'%s' is not a party to '%s'", b.to, agreement);
		status = MHD_HTTP_BAD_REQUEST;
		goto out;
	}
	for (i = 0; i < (size_t)st->nmembers && i < GS_MAX_PARTIES; i++) {
		const struct lifecycle_member *m = &st->members[i];

		if (!strcmp(m->code, node_self(c->n)->code) || (b.to[0] && strcmp(m->code, b.to)) ||
		    m->state == MEMBER_WITHDRAWN)
			continue;
		snprintf(peers_buf[npeers], GS_MAX_CODE, "%s", m->code);
		peers[npeers] = peers_buf[npeers];
		npeers++;
	}
	if (agreement_party_index(a, node_self(c->n)->code) < 0 && !lifecycle_member_find(st, node_self(c->n)->code) &&
	    note->kind != DIPNOTE_ACCESSION) {
		*reply = local_error("%s is not a party to '%s': it gives no notes on it", node_self(c->n)->code, agreement);
		status = MHD_HTTP_FORBIDDEN;
		goto out;
	}
	for (i = 0; i < npeers; i++) {
		if ((ret = node_outbox_reachable(c->n, peers[i], &d))) {
			status = fail(ret, &d, reply);
			goto out;
		}
	}
	if ((ret = node_note_make(c->n, note, true, &out, &outlen, &d))) {
		status = fail(ret, &d, reply);
		goto out;
	}
	ref_of(note->id, ref);
	if ((ret = node_outbox_keep_and_queue(c->n, "note", ref, out, outlen, peers, npeers, path, sizeof(path), &d))) {
		status = not_queued(ret, &d, "the note", reply);
		goto out;
	}
	/* The state it leaves the agreement in, now. */
	if ((ret = node_now(c->n, &now, &d)) || (ret = agreement_view_cached(c->n, agreement, &v, &d)) ||
	    (ret = agreement_view_status(v, now, st))) {
		status = not_queued(ret, &d, "the note", reply);
		goto out;
	}
	q = json_array();
	for (i = 0; i < npeers; i++)
		json_array_append_new(q, json_string(peers[i]));
	*reply = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:o}", "note", note->id, "kind",
			   dipnote_kind_name(note->kind), "agreement", agreement, "from", note->from, "delivered",
			   jinstant(note->delivered), "state_after", state_name(st->state), "reason",
			   st->reason, "terminates_at", jinstant(st->terminates_at), "queued", q);
	status = MHD_HTTP_OK;
out:
	free(out);
	free(note);
	free(st);
	return status;
}
