/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/checkpoint.h"
#include "node/agreements.h"
#include "node/ledger.h"
#include "node/record.h"
#include "node/report.h"
#include "store/ledger_store.h"
#include "util/dynbuf.h"
#include "util/encode.h"
#include "util/banned.h"

/* ---- gathering the facts ---------------------------------------------- */

struct scan {
	struct node *n;
	const char *agreement;
	const char *peer;           /* the log's peer, "" for internal */
	json_t *items;              /* item id -> its record */
	struct report_tally *t;
	uint64_t entries;           /* entries read */
	int ret;
};

/* The value of field key of e, copied into out ("" if absent). */
static const char *fv(const struct ledger_entry *e, const char *key, char *out, size_t cap)
{
	size_t i, n, kl = strlen(key);

	out[0] = 0;
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].key_len == kl && !memcmp(e->fields[i].key, key, kl)) {
			n = e->fields[i].value_len < cap - 1 ? e->fields[i].value_len : cap - 1;
			memcpy(out, e->fields[i].value, n);
			out[n] = 0;
			break;
		}
	}
	return out;
}

static int item_into_map(void *ctx, const char *id, const char *json)
{
	json_error_t je;
	json_t *rec = json_loads(json, 0, &je);

	if (rec)
		json_object_set_new(ctx, id, rec);
	return 0;
}

static int scan_entry(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	struct scan *s = ctx;
	struct report_event ev;
	char agr[GS_MAX_ID], a1[GS_MAX_LABEL], a2[GS_MAX_LABEL], a3[GS_MAX_NAME], a4[GS_MAX_NAME], a5[16];
	json_t *item = json_object_get(s->items, e->item);
	gs_instant released = GS_INSTANT_NONE;

	(void)index;
	(void)leaf;
	s->entries++;
	/* the agreement: the entry's own, else its item's */
	fv(e, "agreement", agr, sizeof(agr));
	if (!agr[0] && item)
		snprintf(agr, sizeof(agr), "%s", jstr(item, "agreement"));
	if (strcmp(agr, s->agreement))
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.at = e->time;
	ev.self = s->n->self.code;
	ev.peer = s->peer;
	ev.originator = item ? jstr(item, "originator") : "";
	ev.label = item ? jstr(item, "label") : "";
	switch (e->type) {
	case LEDGER_RELEASE:
		if (fv(e, "onward-to", a1, sizeof(a1))[0])
			return 0; /* the originator's note of a hub's onward release, not a release of ours */
		ev.fact = FACT_RELEASE;
		ev.peer = fv(e, "recipient", a2, sizeof(a2))[0] ? a2 : s->peer;
		ev.originator = fv(e, "originator", a3, sizeof(a3))[0] ? a3 : s->n->self.code;
		ev.label = fv(e, "label", a1, sizeof(a1));
		break;
	case LEDGER_RECEIPT:
		if (fv(e, "acknowledged-by", a1, sizeof(a1))[0]) {
			ev.fact = FACT_ACKNOWLEDGED;
			break;
		}
		ev.fact = FACT_RECEIPT;
		ev.peer = fv(e, "sender", a2, sizeof(a2))[0] ? a2 : s->peer;
		ev.originator = fv(e, "originator", a3, sizeof(a3));
		ev.label = fv(e, "label", a1, sizeof(a1));
		/* by the release's instant, as the sender counts it */
		if (item && !instant_parse(jstr(item, "released_at"), 0, &released))
			ev.at = released;
		break;
	case LEDGER_ACCESS_GRANT:
		ev.fact = FACT_ACCESS_GRANT;
		break;
	case LEDGER_ACCESS_REFUSAL:
		ev.fact = FACT_ACCESS_REFUSAL;
		ev.rule = fv(e, "rule", a3, sizeof(a3));
		ev.action = fv(e, "action", a4, sizeof(a4));
		break;
	case LEDGER_CONSENT_REQUEST:
	case LEDGER_CONSENT_GRANT:
	case LEDGER_CONSENT_REFUSAL:
		ev.fact = FACT_CONSENT;
		ev.kind = e->type == LEDGER_CONSENT_REQUEST ? "request" : e->type == LEDGER_CONSENT_GRANT ? "grant" : "refusal";
		ev.made_here = !strcmp(fv(e, "made-here", a5, sizeof(a5)), "yes");
		if (fv(e, "originator", a3, sizeof(a3))[0])
			ev.originator = a3;
		break;
	case LEDGER_INCIDENT:
		ev.fact = FACT_INCIDENT;
		ev.step = fv(e, "step", a4, sizeof(a4));
		ev.kind = fv(e, "kind", a1, sizeof(a1));
		ev.late = !strcmp(fv(e, "late", a5, sizeof(a5)), "yes");
		if (fv(e, "originator", a3, sizeof(a3))[0])
			ev.originator = a3;
		break;
	case LEDGER_VISIT: ev.fact = FACT_VISIT; break;
	case LEDGER_DESTRUCTION: ev.fact = FACT_DESTRUCTION; break;
	case LEDGER_RETURN: ev.fact = FACT_RETURN; break;
	case LEDGER_COPY: ev.fact = FACT_COPY; break;
	case LEDGER_TRANSLATION: ev.fact = FACT_TRANSLATION; break;
	case LEDGER_RECLASSIFICATION: ev.fact = FACT_RECLASSIFICATION; break;
	default:
		return 0;
	}
	if ((s->ret = report_count(s->t, &ev)))
		return s->ret;
	return 0;
}

/* The checkpoint the log is read at: a fresh one if the node can sign,
 * else the latest held. */
static int log_checkpoint(struct node *n, const char *peer, json_t *logs, uint64_t *size, struct gs_diag *d)
{
	char origin[GS_MAX_NAME], pr[GS_MAX_CODE], r64[B64_ENCODED_SIZE(32)];
	struct checkpoint cp;
	uint8_t root[32];
	uint64_t head = 0;
	char *note = NULL;
	size_t len = 0;
	int ret;

	ledger_origin(n->self.code, n->self.exercise, peer, origin);
	if ((ret = ledger_head(n, peer, &head, root, d)))
		return ret;
	if (!head) {
		*size = 0;
		return 0; /* nothing happened with this party: nothing to read */
	}
	ret = n->keys_loaded ? ledger_checkpoint(n, peer, &note, &len, d)
			     : ledger_checkpoint_held(n, peer, size, &note, &len, d);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, GS_ESTATE, "log '%s' has no signed checkpoint yet: give the passphrase, so that one is signed",
				   origin);
	if (ret)
		return ret;
	if ((ret = ledger_verify_checkpoint(&n->self, note, len, &cp, pr, d))) {
		free(note);
		return ret;
	}
	*size = cp.size;
	b64_encode(cp.root, 32, r64, sizeof(r64));
	json_array_append_new(logs, json_pack("{s:s, s:s, s:I, s:s, s:I, s:s}", "peer", peer && *peer ? peer : "internal",
					      "origin", origin, "size", (json_int_t)cp.size, "root", r64,
					      "after_checkpoint", (json_int_t)(head - cp.size), "checkpoint", note));
	free(note);
	return 0;
}

/* The annex rows as the agreement marks them (the levels, each party's
 * labels). */
static json_t *markings_json(const struct agreement *a, gs_instant at)
{
	struct gs_date day;
	const struct annex_version *av;
	json_t *rows = json_array();
	int i, p, k;

	day = date_of_instant(at, a->zone);
	av = agreement_annex_at(a, day);
	if (!av && a->nannex)
		av = &a->annex[0];
	for (i = 0; av && i < av->nrows; i++) {
		json_t *labels = json_object();

		for (p = 0; p < a->nparties; p++) {
			json_t *l = json_array();

			for (k = 0; k < av->rows[i].cells[p].nlabels; k++)
				json_array_append_new(l, json_string(av->rows[i].cells[p].labels[k]));
			json_object_set_new(labels, a->parties[p], l);
		}
		json_array_append_new(rows, json_pack("{s:s, s:o}", "level", av->rows[i].level, "labels", labels));
	}
	return rows;
}

/* The annex level of (originator, label), or "". */
static const char *level_of(json_t *markings, const char *originator, const char *label)
{
	size_t i, k;
	json_t *row, *l;

	json_array_foreach(markings, i, row) {
		json_array_foreach(json_object_get(json_object_get(row, "labels"), originator), k, l)
			if (!strcmp(json_string_value(l), label))
				return jstr(row, "level");
	}
	return "";
}

static json_t *rows_json(const struct report_tally *t, json_t *markings)
{
	json_t *rows = json_array();
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct report_row *r = &t->rows[i];

		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "section", r->section,
						      "peer", r->peer, "direction", r->direction, "originator",
						      r->originator, "label", r->label, "level",
						      level_of(markings, r->originator, r->label), "key", r->key,
						      "count", (json_int_t)r->count));
	}
	return rows;
}

static json_t *totals_json(const struct report_tally *t)
{
	static const char *const names[] = { "releases", "receipts", "acknowledged", "onward", "consents", "refusals",
					      "access",   "incidents", "visits",      "custody" };
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)report_sum(t, names[i], NULL, NULL, NULL, NULL,
											NULL)));
	return o;
}

static json_t *instant_json(gs_instant t)
{
	char s[GS_INSTANT_STR];

	if (t == GS_INSTANT_NONE)
		return json_null();
	instant_format(t, s);
	return json_string(s);
}

int node_report(struct node *n, const char *agreement, int term, json_t **out, struct gs_diag *d)
{
	const struct agreement_view *v;
	const struct agreement *a;
	struct report_tally *t = NULL;
	json_t *items = json_object(), *logs = json_array(), *markings = NULL, *r = NULL;
	gs_instant start, end, now;
	struct scan s;
	int p, ret;

	*out = NULL;
	if (!items || !logs) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_now(n, &now, d)) || (ret = agreement_view_cached(n, agreement, &v, d)))
		goto out;
	a = agreement_view_base(v);
	if ((ret = report_term_bounds(a, agreement_view_signed(v, 0), v->notes, v->nnotes, term, &start, &end, d)))
		goto out;
	if (start > now) {
		ret = gs_diag_set(d, GS_ENOTFOUND, "term %d of '%s' has not begun", term, agreement);
		goto out;
	}
	if ((ret = store_record_each(n->st, "items", item_into_map, items))) {
		gs_diag_set(d, ret, "cannot read the inventory");
		goto out;
	}
	if (!(t = malloc(sizeof(*t)))) {
		ret = GS_ENOMEM;
		goto out;
	}
	report_tally_init(t, start, end);
	memset(&s, 0, sizeof(s));
	s.n = n;
	s.agreement = agreement;
	s.items = items;
	s.t = t;
	/* the logs for the other parties, then the internal log */
	for (p = 0; p <= a->nparties; p++) {
		const char *peer = p < a->nparties ? a->parties[p] : "";
		uint64_t size = 0;

		if (p < a->nparties && !strcmp(peer, n->self.code))
			continue;
		if ((ret = log_checkpoint(n, peer, logs, &size, d)))
			goto out;
		s.peer = peer;
		if (size && (ret = ledger_each(n, peer, 0, size, scan_entry, &s, d))) {
			if (s.ret)
				ret = gs_diag_set(d, s.ret, "more than %d distinct figures", REPORT_MAX_ROWS);
			goto out;
		}
	}
	report_sort(t);
	markings = markings_json(a, start);
	r = json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:b, s:s, s:s, s:b, s:o}", "report", REPORT_FORMAT, "agreement",
		      a->id, "title", a->title, "term", term, "term_start", instant_json(start), "term_end",
		      instant_json(end), "complete", end != GS_INSTANT_NONE && end <= now, "party", n->self.code,
		      "party_name", n->self.name, "exercise", n->self.exercise, "made_at", instant_json(now));
	if (!r) {
		ret = GS_ENOMEM;
		goto out;
	}
	json_object_set(r, "markings", markings);
	json_object_set(r, "logs", logs);
	json_object_set_new(r, "totals", totals_json(t));
	json_object_set_new(r, "rows", rows_json(t, markings));
	*out = r;
	r = NULL;
	ret = 0;
out:
	json_decref(r);
	json_decref(markings);
	json_decref(items);
	json_decref(logs);
	free(t);
	return ret;
}

/* ---- CSV ------------------------------------------------------------------ */

/* RFC 4180: a field with a comma, a quote or a line break is quoted, its
 * quotes doubled. */
static void csv_field(struct dynbuf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		dynbuf_adds(b, s);
		return;
	}
	dynbuf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			dynbuf_add(b, "\"", 1);
		dynbuf_add(b, s, 1);
	}
	dynbuf_add(b, "\"", 1);
}

static void csv_row(struct dynbuf *b, const char *const f[7], uint64_t count)
{
	int i;

	for (i = 0; i < 7; i++) {
		csv_field(b, f[i]);
		dynbuf_add(b, ",", 1);
	}
	dynbuf_addf(b, "%" PRIu64 "\r\n", count);
}

static char *finish(struct dynbuf *b, size_t *len)
{
	char *p = dynbuf_take(b, len);

	dynbuf_free(b);
	return p;
}

char *report_csv(json_t *r, size_t *len)
{
	struct dynbuf b;
	json_t *row, *l;
	size_t i;
	char span[80];

	dynbuf_init(&b, GS_MAX_EXPORT_TEXT);
	dynbuf_adds(&b, "section,peer,direction,originator,label,level,key,count\r\n");
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		const char *f[7] = { jstr(row, "section"), jstr(row, "peer"),  jstr(row, "direction"), jstr(row, "originator"),
				     jstr(row, "label"),   jstr(row, "level"), jstr(row, "key") };

		csv_row(&b, f, (uint64_t)json_integer_value(json_object_get(row, "count")));
	}
	/* what the figures were computed at: the term, and each log's checkpoint */
	snprintf(span, sizeof(span), "%s/%s", jstr(r, "term_start"),
		 json_is_string(json_object_get(r, "term_end")) ? jstr(r, "term_end") : "");
	{
		const char *f[7] = { "term", "", "", "", jstr(r, "agreement"), "", span };

		csv_row(&b, f, (uint64_t)json_integer_value(json_object_get(r, "term")));
	}
	json_array_foreach(json_object_get(r, "logs"), i, l) {
		const char *f[7] = { "ledger", jstr(l, "peer"), "", "", jstr(l, "root"), "", jstr(l, "origin") };

		csv_row(&b, f, (uint64_t)json_integer_value(json_object_get(l, "size")));
	}
	return finish(&b, len);
}

/* ---- HTML ----------------------------------------------------------------- */

static void html(struct dynbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': dynbuf_adds(b, "&lt;"); break;
		case '>': dynbuf_adds(b, "&gt;"); break;
		case '&': dynbuf_adds(b, "&amp;"); break;
		case '"': dynbuf_adds(b, "&quot;"); break;
		case '\'': dynbuf_adds(b, "&#39;"); break;
		default: dynbuf_add(b, s, 1);
		}
	}
}

static const struct {
	const char *section, *title, *cols;
} html_sections[] = {
	{ "releases", "Releases to the other party, by level", "peer,originator,label,level" },
	{ "receipts", "Receipts from the other party, by level", "peer,originator,label,level" },
	{ "acknowledged", "Releases whose receipt came back", "peer,originator,label,level" },
	{ "onward", "Onward releases (a third party's item)", "peer,direction,originator,label" },
	{ "consents", "Consents: requests, grants, refusals", "peer,direction,originator,key" },
	{ "refusals", "Refusals, by rule", "key,label" },
	{ "access", "Access granted (items opened)", "originator" },
	{ "incidents", "Incidents and their timeliness", "peer,originator,key,label" },
	{ "visits", "Visits", "peer" },
	{ "custody", "Destruction, return, copies, translations, reclassifications", "key,originator" },
};

static const char *col_title(const char *c)
{
	if (!strcmp(c, "key"))
		return "kind / rule";
	if (!strcmp(c, "label"))
		return "label / outcome";
	return c;
}

static void html_table(struct dynbuf *b, json_t *r, size_t k)
{
	char cols[64], *c, *save = NULL;
	const char *names[8];
	json_t *row;
	size_t i, nc = 0, rows = 0;
	uint64_t total = 0;

	snprintf(cols, sizeof(cols), "%s", html_sections[k].cols);
	for (c = strtok_r(cols, ",", &save); c && nc < 8; c = strtok_r(NULL, ",", &save))
		names[nc++] = c;
	dynbuf_adds(b, "<h2>");
	html(b, html_sections[k].title);
	dynbuf_adds(b, "</h2>\n<table><thead><tr>");
	for (i = 0; i < nc; i++) {
		dynbuf_adds(b, "<th>");
		html(b, col_title(names[i]));
		dynbuf_adds(b, "</th>");
	}
	dynbuf_adds(b, "<th class=\"n\">count</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		size_t j;

		if (strcmp(jstr(row, "section"), html_sections[k].section))
			continue;
		dynbuf_adds(b, "<tr>");
		for (j = 0; j < nc; j++) {
			dynbuf_adds(b, "<td>");
			html(b, jstr(row, names[j]));
			dynbuf_adds(b, "</td>");
		}
		dynbuf_addf(b, "<td class=\"n\">%" PRId64 "</td></tr>\n", (int64_t)json_integer_value(json_object_get(row, "count")));
		total += (uint64_t)json_integer_value(json_object_get(row, "count"));
		rows++;
	}
	if (!rows)
		dynbuf_addf(b, "<tr><td colspan=\"%zu\" class=\"none\">none in this term</td></tr>\n", nc + 1);
	else
		dynbuf_addf(b, "<tr class=\"total\"><td colspan=\"%zu\">total</td><td class=\"n\">%" PRIu64 "</td></tr>\n", nc,
		     total);
	dynbuf_adds(b, "</tbody></table>\n");
}

char *report_html(json_t *r, size_t *len)
{
	struct dynbuf b;
	char banner[512];
	json_t *m, *l, *lab;
	const char *code;
	size_t i, k;
	bool exercise = json_is_true(json_object_get(r, "exercise"));

	dynbuf_init(&b, GS_MAX_EXPORT_TEXT);
	snprintf(banner, sizeof(banner), "%s%s — annual review, term %" PRId64 " — %s",
		 exercise ? "EXERCISE — " : "", jstr(r, "agreement"), (int64_t)json_integer_value(json_object_get(r, "term")),
		 jstr(r, "party"));
	dynbuf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
	html(&b, banner);
	dynbuf_adds(&b, "</title>\n<style>\n"
		  "body{font-family:sans-serif;margin:2em;color:#111}\n"
		  ".banner{text-align:center;font-weight:bold;border:2px solid #111;padding:.3em;letter-spacing:.05em}\n"
		  "table{border-collapse:collapse;margin:.5em 0 1.5em;min-width:50%}\n"
		  "th,td{border:1px solid #999;padding:.2em .6em;text-align:left}\n"
		  "td.n,th.n{text-align:right}.total td{font-weight:bold}.none{color:#666;font-style:italic}\n"
		  "pre{font-size:.8em;white-space:pre-wrap;word-break:break-all;border:1px solid #ccc;padding:.4em}\n"
		  "@media print{body{margin:1cm}.banner{position:running(banner)}h2{break-after:avoid}table{break-inside:avoid}}\n"
		  "</style></head><body>\n<div class=\"banner\">");
	html(&b, banner);
	dynbuf_adds(&b, "</div>\n<h1>");
	html(&b, jstr(r, "title"));
	dynbuf_adds(&b, "</h1>\n<p>Agreement <b>");
	html(&b, jstr(r, "agreement"));
	dynbuf_addf(&b, "</b>, term <b>%" PRId64 "</b>: from ", (int64_t)json_integer_value(json_object_get(r, "term")));
	html(&b, jstr(r, "term_start"));
	dynbuf_adds(&b, " to ");
	html(&b, json_is_string(json_object_get(r, "term_end")) ? jstr(r, "term_end") : "(open)");
	dynbuf_adds(&b, json_is_true(json_object_get(r, "complete")) ? " (complete)" : " (in progress)");
	dynbuf_adds(&b, ".<br>Prepared by ");
	html(&b, jstr(r, "party_name"));
	dynbuf_adds(&b, " (");
	html(&b, jstr(r, "party"));
	dynbuf_adds(&b, ") at ");
	html(&b, jstr(r, "made_at"));
	dynbuf_adds(&b, ", from its ledger at the checkpoints listed at the end.</p>\n");
	/* the markings: the annex's levels and each party's labels */
	dynbuf_adds(&b, "<h2>Markings (the agreement's equivalence annex)</h2>\n<table><thead><tr><th>level</th>");
	m = json_array_get(json_object_get(r, "markings"), 0);
	json_object_foreach(json_object_get(m, "labels"), code, lab) {
		dynbuf_adds(&b, "<th>");
		html(&b, code);
		dynbuf_adds(&b, "</th>");
	}
	dynbuf_adds(&b, "</tr></thead><tbody>\n");
	json_array_foreach(json_object_get(r, "markings"), i, m) {
		dynbuf_adds(&b, "<tr><td>");
		html(&b, jstr(m, "level"));
		dynbuf_adds(&b, "</td>");
		json_object_foreach(json_object_get(m, "labels"), code, lab) {
			dynbuf_adds(&b, "<td>");
			json_array_foreach(lab, k, l) {
				if (k)
					dynbuf_adds(&b, ", ");
				html(&b, json_string_value(l));
			}
			dynbuf_adds(&b, "</td>");
		}
		dynbuf_adds(&b, "</tr>\n");
	}
	dynbuf_adds(&b, "</tbody></table>\n");
	for (k = 0; k < sizeof(html_sections) / sizeof(html_sections[0]); k++)
		html_table(&b, r, k);
	dynbuf_adds(&b, "<h2>Computed at these signed checkpoints</h2>\n<p>Each figure counts the entries of these logs up to "
		  "the size shown. The other party can check the figures for their relationship against its own log "
		  "(<code>gsomia report check</code>).</p>\n");
	json_array_foreach(json_object_get(r, "logs"), i, l) {
		dynbuf_adds(&b, "<h3>");
		html(&b, jstr(l, "origin"));
		dynbuf_addf(&b, " — size %" PRId64 "</h3>\n<pre>", (int64_t)json_integer_value(json_object_get(l, "size")));
		html(&b, jstr(l, "checkpoint"));
		dynbuf_adds(&b, "</pre>\n");
	}
	dynbuf_adds(&b, "<div class=\"banner\">");
	html(&b, banner);
	dynbuf_adds(&b, "</div>\n</body></html>\n");
	return finish(&b, len);
}

/* ---- checking another party's report ----------------------------------- */

/* Compares their rows of (section, peer = us) with our rows of the mirror
 * section (peer = them), by originator and label (or key). */
static void compare(json_t *out, json_t *theirs, json_t *ours, const char *their_section,
		    const char *our_section, const char *us, const char *them, bool by_key, int *differ)
{
	json_t *seen = json_object(), *row;
	size_t i, pass;

	/* every pair either side has */
	for (pass = 0; pass < 2; pass++) {
		json_t *rows = json_object_get(pass ? ours : theirs, "rows");
		const char *sec = pass ? our_section : their_section, *peer = pass ? them : us;

		json_array_foreach(rows, i, row) {
			char k[GS_MAX_CODE + GS_MAX_LABEL + REPORT_KEY_MAX + 8];

			if (strcmp(jstr(row, "section"), sec) || strcmp(jstr(row, "peer"), peer))
				continue;
			/* a request answered from a file is logged only by the
			 * party that made it: only decisions are both sides' */
			if (by_key && !strcmp(jstr(row, "key"), "request"))
				continue;
			snprintf(k, sizeof(k), "%s\x1f%s\x1f%s", jstr(row, "originator"), by_key ? "" : jstr(row, "label"),
				 by_key ? jstr(row, "key") : "");
			json_object_set_new(seen, k, json_pack("{s:s, s:s, s:s}", "originator", jstr(row, "originator"),
							       "label", by_key ? "" : jstr(row, "label"), "key",
							       by_key ? jstr(row, "key") : ""));
		}
	}
	{
		const char *k;
		json_t *v;

		json_object_foreach(seen, k, v) {
			json_int_t a = 0, b = 0;

			json_array_foreach(json_object_get(theirs, "rows"), i, row)
				if (!strcmp(jstr(row, "section"), their_section) && !strcmp(jstr(row, "peer"), us) &&
				    !strcmp(jstr(row, "originator"), jstr(v, "originator")) &&
				    (by_key ? !strcmp(jstr(row, "key"), jstr(v, "key"))
					    : !strcmp(jstr(row, "label"), jstr(v, "label"))))
					a += json_integer_value(json_object_get(row, "count"));
			json_array_foreach(json_object_get(ours, "rows"), i, row)
				if (!strcmp(jstr(row, "section"), our_section) && !strcmp(jstr(row, "peer"), them) &&
				    !strcmp(jstr(row, "originator"), jstr(v, "originator")) &&
				    (by_key ? !strcmp(jstr(row, "key"), jstr(v, "key"))
					    : !strcmp(jstr(row, "label"), jstr(v, "label"))))
					b += json_integer_value(json_object_get(row, "count"));
			if (a != b)
				(*differ)++;
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "theirs",
							     their_section, "ours", our_section, "originator",
							     jstr(v, "originator"), "label", jstr(v, "label"), "key",
							     jstr(v, "key"), "their_count", a, "our_count", b,
							     "agree", a == b));
		}
	}
	json_decref(seen);
}

int node_report_check(struct node *n, json_t *theirs, json_t **out, struct gs_diag *d)
{
	const char *them = jstr(theirs, "party"), *agreement = jstr(theirs, "agreement");
	json_t *ours = NULL, *list = NULL, *l;
	struct party *p = malloc(sizeof(*p));
	struct checkpoint cp;
	char pr[GS_MAX_CODE];
	bool found = false;
	size_t i;
	int ret, differ = 0, term = (int)json_integer_value(json_object_get(theirs, "term"));

	*out = NULL;
	if (!p)
		return GS_ENOMEM;
	if (strcmp(jstr(theirs, "report"), REPORT_FORMAT) || !them[0] || !agreement[0] || term < 1) {
		ret = gs_diag_set(d, GS_EINVAL, "not a %s report", REPORT_FORMAT);
		goto out;
	}
	if (!strcmp(them, n->self.code)) {
		ret = gs_diag_set(d, GS_EINVAL, "this is this node's own report: check a report of another party");
		goto out;
	}
	if ((ret = node_party_get(n, them, p, d)))
		goto out;
	/* their checkpoint of their log for us: signed by their key */
	json_array_foreach(json_object_get(theirs, "logs"), i, l) {
		const char *note = jstr(l, "checkpoint");

		if (strcmp(jstr(l, "peer"), n->self.code))
			continue;
		if ((ret = ledger_verify_checkpoint(p, note, strlen(note), &cp, pr, d)) || strcmp(pr, n->self.code) ||
		    cp.size != (uint64_t)json_integer_value(json_object_get(l, "size"))) {
			if (!ret)
				gs_diag_set(d, GS_ECRYPTO, "its checkpoint is of another log or size");
			gs_diag_prefix(d, "%s's report", them);
			ret = GS_ECRYPTO;
			goto out;
		}
		found = true;
	}
	if (!found) {
		ret = gs_diag_set(d, GS_EINVAL, "%s's report holds no checkpoint of its log for %s", them, n->self.code);
		goto out;
	}
	if ((ret = node_report(n, agreement, term, &ours, d)))
		goto out;
	list = json_array();
	compare(list, theirs, ours, "releases", "receipts", n->self.code, them, false, &differ);
	compare(list, theirs, ours, "receipts", "releases", n->self.code, them, false, &differ);
	compare(list, theirs, ours, "consents", "consents", n->self.code, them, true, &differ);
	*out = json_pack("{s:s, s:s, s:i, s:I, s:o, s:b}", "party", them, "agreement", agreement, "term", term,
			 "their_size", (json_int_t)cp.size, "figures", list, "agree", differ == 0);
	list = NULL;
	if (differ)
		ret = gs_diag_set(d, GS_EDENIED, "%d figure%s of %s's report differ%s from this node's log", differ,
				  differ == 1 ? "" : "s", them, differ == 1 ? "s" : "");
out:
	json_decref(ours);
	json_decref(list);
	free(p);
	return ret;
}
