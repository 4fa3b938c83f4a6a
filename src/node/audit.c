/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit of the ledger (node/audit.h, docs/ledger.md "Audit"): one
 * filter and one row for the command line and the local API, so that an
 * auditor gets the same entries and the same CSV from either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "node/audit.h"
#include "node/node.h"
#include "node/record.h"
#include "util/encode.h"
#include "util/dynbuf.h"
#include "util/banned.h"

void audit_filter_init(struct audit_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since = GS_INSTANT_NONE;
	f->before = GS_INSTANT_NONE;
}

/* An id as ledger entries carry them: printable ASCII, no space. */
static int id_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	size_t i;

	if (n == 0 || n >= cap)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

int audit_filter_set(struct audit_filter *f, const char *name, const char *value, int32_t zone,
		     struct gs_diag *d)
{
	struct gs_date day;
	gs_instant t;
	unsigned k;

	if (!value)
		value = "";
	if (!strcmp(name, "kind")) {
		if (!(k = ledger_type_parse(value)))
			return gs_diag_set(d, GS_EINVAL, "kind '%.40s' is not a ledger entry kind (release, receipt, "
					   "access-grant, access-refusal, consent-request, note, ...)", value);
		f->kind = k;
	} else if (!strcmp(name, "person")) {
		if (!id_ok(value, sizeof(f->person)))
			return gs_diag_set(d, GS_EINVAL, "person '%.64s' is not a person id (1 to %zu printable "
					   "characters, no space)", value, sizeof(f->person) - 1);
		snprintf(f->person, sizeof(f->person), "%s", value);
	} else if (!strcmp(name, "item")) {
		if (!id_ok(value, sizeof(f->item)))
			return gs_diag_set(d, GS_EINVAL, "item '%.64s' is not an id (1 to %zu printable characters, "
					   "no space)", value, sizeof(f->item) - 1);
		snprintf(f->item, sizeof(f->item), "%s", value);
	} else if (!strcmp(name, "party")) {
		if (!party_code_is_valid(value))
			return gs_diag_set(d, GS_EINVAL, "party '%.16s' is not a party code (three capital letters)",
					   value);
		snprintf(f->party, sizeof(f->party), "%s", value);
	} else if (!strcmp(name, "log")) {
		if (strcmp(value, "internal") && !party_code_is_valid(value))
			return gs_diag_set(d, GS_EINVAL, "log '%.16s' is not 'internal' or a party code", value);
		f->one_log = true;
		snprintf(f->log, sizeof(f->log), "%s", strcmp(value, "internal") ? value : "");
	} else if (!strcmp(name, "since") || !strcmp(name, "until")) {
		int until = name[0] == 'u';

		if (!date_parse(value, &day)) /* a whole day: from its start, or to its end */
			t = date_midnight(until ? date_add_days(day, 1) : day, zone);
		else if (!instant_parse(value, zone, &t))
			t = until ? t + 1 : t; /* an instant: inclusive */
		else
			return gs_diag_set(d, GS_EINVAL, "%s '%.40s' is not an RFC 3339 instant or a date "
					   "(2019-11-23)", name, value);
		if (until ? f->since != GS_INSTANT_NONE && t <= f->since : f->before != GS_INSTANT_NONE && f->before <= t)
			return gs_diag_set(d, GS_EINVAL, until ? "until '%.40s' is before since" :
					   "since '%.40s' is after until", value);
		if (until)
			f->before = t;
		else
			f->since = t;
	} else {
		return gs_diag_set(d, GS_ENOTFOUND, "'%.40s' is not an audit filter (kind, person, item, party, "
				   "log, since, until)", name);
	}
	return 0;
}

bool audit_match(const struct audit_filter *f, const char *peer, const struct ledger_entry *e)
{
	if (f->one_log && strcmp(f->log, peer))
		return false;
	if (f->kind && e->type != f->kind)
		return false;
	if (f->person[0] && strcmp(e->person, f->person))
		return false;
	if (f->item[0] && strcmp(e->item, f->item))
		return false;
	/* a party is the one who acted, or the one the log is kept with */
	if (f->party[0] && strcmp(e->party, f->party) && strcmp(peer, f->party))
		return false;
	if (f->since != GS_INSTANT_NONE && e->time < f->since)
		return false;
	if (f->before != GS_INSTANT_NONE && e->time >= f->before)
		return false;
	return true;
}

json_t *audit_row(const char *origin, const char *peer, uint64_t index, const struct ledger_entry *e,
		  const uint8_t leaf[32])
{
	json_t *o = json_object(), *fields = json_object();
	char hex[HEX_ENCODED_SIZE(32)], key[GS_MAX_LEDGER_KEY];
	const char *kind = ledger_type_name(e->type);
	size_t i;

	if (!o || !fields) {
		json_decref(o);
		json_decref(fields);
		return NULL;
	}
	json_object_set_new(o, "log", json_string(peer[0] ? peer : "internal"));
	json_object_set_new(o, "origin", json_string(origin));
	json_object_set_new(o, "index", json_integer((json_int_t)index));
	json_object_set_new(o, "at", jinstant(e->time));
	json_object_set_new(o, "kind", json_string(kind ? kind : "unknown"));
	json_object_set_new(o, "person", json_string(e->person));
	json_object_set_new(o, "party", json_string(e->party));
	json_object_set_new(o, "item", json_string(e->item));
	json_object_set_new(o, "rule", json_string(""));
	for (i = 0; i < e->nfields; i++) {
		const struct ledger_field *fl = &e->fields[i];
		/* a length of 0 is strlen(), as for an entry being made */
		size_t vlen = fl->value_len || !fl->value ? fl->value_len : strlen(fl->value);

		snprintf(key, sizeof(key), "%.*s", (int)(fl->key_len ? fl->key_len : strlen(fl->key)), fl->key);
		json_object_set_new(fields, key, json_stringn(fl->value ? fl->value : "", vlen));
		if (!strcmp(key, "rule"))
			json_object_set_new(o, "rule", json_stringn(fl->value ? fl->value : "", vlen));
	}
	json_object_set_new(o, "fields", fields);
	if (e->digest_alg != LEDGER_DIGEST_NONE) {
		hex_encode(e->digest, 32, hex, sizeof(hex));
		json_object_set_new(o, "digest_alg",
				    json_string(e->digest_alg == LEDGER_DIGEST_SHA256 ? "sha256" : "blake2b-256"));
		json_object_set_new(o, "digest", json_string(hex));
	}
	if (leaf) {
		hex_encode(leaf, 32, hex, sizeof(hex));
		json_object_set_new(o, "leaf_hash", json_string(hex));
	}
	return o;
}

/* ---- collecting ---- */

struct row_ref {
	gs_instant at;
	const char *log;
	uint64_t index;
	json_t *row;
};

struct collect {
	struct node *n;
	const struct audit_filter *f;
	const char *peer;
	char origin[GS_MAX_NAME];
	struct row_ref *refs;
	size_t nrefs, cap;
	struct gs_diag *d;
};

static int collect_entry(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	struct collect *c = ctx;
	struct row_ref *r;

	if (!audit_match(c->f, c->peer, e))
		return 0;
	if (c->nrefs == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;

		if (!(r = realloc(c->refs, cap * sizeof(*r))))
			return GS_ENOMEM;
		c->refs = r;
		c->cap = cap;
	}
	r = &c->refs[c->nrefs];
	if (!(r->row = audit_row(c->origin, c->peer, index, e, leaf)))
		return GS_ENOMEM;
	r->at = e->time;
	r->index = index;
	r->log = json_string_value(json_object_get(r->row, "log"));
	c->nrefs++;
	return 0;
}

static int collect_log(void *ctx, const struct ledger_log_report *rep)
{
	struct collect *c = ctx;

	if (c->f->one_log && strcmp(c->f->log, rep->peer))
		return 0;
	c->peer = rep->peer;
	snprintf(c->origin, sizeof(c->origin), "%s", rep->origin);
	return rep->size ? ledger_each(c->n, rep->peer[0] ? rep->peer : NULL, 0, rep->size, collect_entry, c, c->d)
			 : 0;
}

static int older_first(const void *a, const void *b)
{
	const struct row_ref *x = a, *y = b;
	int k;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if ((k = strcmp(x->log, y->log)))
		return k;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int newer_first(const void *a, const void *b)
{
	return older_first(b, a);
}

int audit_collect(struct node *n, const struct audit_filter *f, bool newest_first, json_t **rows,
		  struct gs_diag *d)
{
	struct collect c;
	size_t i;
	int ret;

	memset(&c, 0, sizeof(c));
	c.n = n;
	c.f = f;
	c.d = d;
	*rows = NULL;
	ret = ledger_logs(n, collect_log, &c, d);
	if (!ret && !(*rows = json_array()))
		ret = GS_ENOMEM;
	if (!ret) {
		if (c.nrefs) /* no array at all when nothing matched */
			qsort(c.refs, c.nrefs, sizeof(*c.refs), newest_first ? newer_first : older_first);
		for (i = 0; i < c.nrefs && !ret; i++)
			if (json_array_append(*rows, c.refs[i].row))
				ret = GS_ENOMEM;
	}
	for (i = 0; i < c.nrefs; i++)
		json_decref(c.refs[i].row);
	free(c.refs);
	if (ret) {
		json_decref(*rows);
		*rows = NULL;
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot read the ledger for the audit");
	}
	return ret;
}

/* ---- CSV ---- */

/* One field: quoted when it holds a comma, a quote or a line break, or
 * begins or ends with a space; a quote inside doubled. */
static void put_field(struct dynbuf *b, const char *s)
{
	size_t n = strlen(s), i;

	if (!strpbrk(s, ",\"\r\n") && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
		dynbuf_add(b, s, n);
		return;
	}
	dynbuf_add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			dynbuf_add(b, "\"", 1);
		dynbuf_add(b, &s[i], 1);
	}
	dynbuf_add(b, "\"", 1);
}

int audit_csv(const json_t *rows, char **out, size_t *len, struct gs_diag *d)
{
	static const char *const cols[] = { "log", "index", "at", "kind", "person", "party", "item", "rule" };
	struct dynbuf b;
	const json_t *row;
	char num[24], *fields;
	size_t i, k;

	*out = NULL;
	*len = 0;
	dynbuf_init(&b, GS_MAX_EXPORT_TEXT);
	dynbuf_add(&b, "log,index,at,kind,person,party,item,rule,fields\r\n", 49);
	json_array_foreach(rows, i, row) {
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			const json_t *v = json_object_get(row, cols[k]);

			if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
				dynbuf_add(&b, num, strlen(num));
			} else {
				put_field(&b, json_is_string(v) ? json_string_value(v) : "");
			}
			dynbuf_add(&b, ",", 1);
		}
		fields = json_dumps(json_object_get(row, "fields"), JSON_COMPACT | JSON_SORT_KEYS);
		put_field(&b, fields ? fields : "{}");
		free(fields);
		dynbuf_add(&b, "\r\n", 2);
	}
	if (!(*out = dynbuf_take(&b, len))) {
		int err = dynbuf_error(&b) ? dynbuf_error(&b) : GS_ENOMEM;

		dynbuf_free(&b);
		return gs_diag_set(d, err, "the audit as CSV: %s (at most %u bytes)", gs_strerror(err),
				   GS_MAX_EXPORT_TEXT);
	}
	return 0;
}
