/* SPDX-License-Identifier: Apache-2.0 */
#include "core/visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decision_kit.h"
#include "core/kvtext.h"
#include "util/banned.h"

/* ---- the notes' texts ------------------------------------------------- */

/* The fields of either note, as text. */
struct visit_text {
	char decision[16];
	char request[VISIT_ID_HEX];
	char agreement[GS_MAX_ID];
	char visitor[GS_MAX_CODE];
	char host[GS_MAX_CODE];
	char facility[GS_MAX_ID];
	char from[GS_INSTANT_STR];
	char until[GS_INSTANT_STR];
	char purpose[GS_MAX_NAME];
	char topic[GS_MAX_NAME];
	char max_level[GS_MAX_LABEL];
	char persons[GS_MAX_VISIT_PERSONS][GS_MAX_ID + GS_MAX_LABEL];
	size_t npersons;
	char when[GS_INSTANT_STR]; /* requested or answered */
	char exercise[8];
	char text[512];
};

static bool ident_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

static bool hex64_ok(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Checks the fields and fills v from t (answer: the answer's own fields). */
static int from_text(const struct visit_text *t, bool answer, struct visit *v, struct gs_diag *d)
{
	memset(v, 0, sizeof(*v));
	v->answered = GS_INSTANT_NONE;
	if (answer) {
		if (!strcmp(t->decision, "approved"))
			v->state = VISIT_APPROVED;
		else if (!strcmp(t->decision, "refused"))
			v->state = VISIT_REFUSED;
		else
			return gs_diag_set(d, GS_EINVAL, "decision must be 'approved' or 'refused', not '%s'",
					   t->decision);
		if (!hex64_ok(t->request))
			return gs_diag_set(d, GS_EINVAL, "request must be 64 lowercase hex digits");
		copy(v->request, sizeof(v->request), t->request);
	}
	if (!ident_ok(t->agreement))
		return gs_diag_set(d, GS_EINVAL, "invalid agreement id '%.40s'", t->agreement);
	if (!party_code_is_valid(t->visitor) || !party_code_is_valid(t->host))
		return gs_diag_set(d, GS_EINVAL, "visitor and host must be party codes (three capital letters)");
	if (!strcmp(t->visitor, t->host))
		return gs_diag_set(d, GS_EINVAL, "a party does not visit itself ('%s')", t->host);
	if (!ident_ok(t->facility))
		return gs_diag_set(d, GS_EINVAL, "invalid facility id '%.40s' (A-Z a-z 0-9 . _ -)", t->facility);
	if (kv_instant(t->from, &v->from) || kv_instant(t->until, &v->until))
		return gs_diag_set(d, GS_EINVAL, "from and until must be instants in UTC (2023-06-10T00:00:00Z)");
	if (v->until <= v->from)
		return gs_diag_set(d, GS_EINVAL, "the visit ends (%s) before it starts (%s)", t->until, t->from);
	if (!ident_ok(t->purpose) || !ident_ok(t->topic))
		return gs_diag_set(d, GS_EINVAL, "purpose and topic are names (A-Z a-z 0-9 . _ -)");
	if (kv_instant(t->when, answer ? &v->answered : &v->requested))
		return gs_diag_set(d, GS_EINVAL, "'%.40s' is not an instant in UTC (2023-05-01T01:00:00Z)", t->when);
	if (answer)
		v->requested = GS_INSTANT_NONE;
	if (t->exercise[0] && strcmp(t->exercise, "yes"))
		return gs_diag_set(d, GS_EINVAL, "exercise must be 'yes' or absent");
	copy(v->agreement, sizeof(v->agreement), t->agreement);
	copy(v->visitor, sizeof(v->visitor), t->visitor);
	copy(v->host, sizeof(v->host), t->host);
	copy(v->facility, sizeof(v->facility), t->facility);
	copy(v->purpose, sizeof(v->purpose), t->purpose);
	copy(v->topic, sizeof(v->topic), t->topic);
	copy(v->max_level, sizeof(v->max_level), t->max_level);
	copy(v->text, sizeof(v->text), t->text);
	v->exercise = t->exercise[0] != 0;
	for (size_t i = 0; i < t->npersons; i++) {
		const char *line = t->persons[i], *sp = strchr(line, ' ');
		size_t idn = sp ? (size_t)(sp - line) : 0;

		if (!sp || idn >= GS_MAX_ID || strlen(sp + 1) >= GS_MAX_LABEL)
			return gs_diag_set(d, GS_EINVAL, "person %zu: expected 'person ID PSC-LEVEL'", i + 1);
		memcpy(v->persons[i].id, line, idn);
		v->persons[i].id[idn] = 0;
		copy(v->persons[i].psc, sizeof(v->persons[i].psc), sp + 1);
		if (!ident_ok(v->persons[i].id))
			return gs_diag_set(d, GS_EINVAL, "person %zu: invalid person id '%.40s'", i + 1, v->persons[i].id);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(v->persons[k].id, v->persons[i].id))
				return gs_diag_set(d, GS_EINVAL, "person '%s' is named twice", v->persons[i].id);
		v->npersons++;
	}
	return 0;
}

static int parse(const char *text, size_t len, bool answer, struct visit *v, struct gs_diag *d)
{
	struct visit_text *t = calloc(1, sizeof(*t));
	struct kv_field fields[] = {
		{ "decision", t ? t->decision : NULL, sizeof(t->decision), true },
		{ "request", t ? t->request : NULL, sizeof(t->request), true },
		{ "agreement", t ? t->agreement : NULL, sizeof(t->agreement), true },
		{ "visitor", t ? t->visitor : NULL, sizeof(t->visitor), true },
		{ "host", t ? t->host : NULL, sizeof(t->host), true },
		{ "facility", t ? t->facility : NULL, sizeof(t->facility), true },
		{ "from", t ? t->from : NULL, sizeof(t->from), true },
		{ "until", t ? t->until : NULL, sizeof(t->until), true },
		{ "purpose", t ? t->purpose : NULL, sizeof(t->purpose), true },
		{ "topic", t ? t->topic : NULL, sizeof(t->topic), true },
		{ "max-level", t ? t->max_level : NULL, sizeof(t->max_level), true },
		{ answer ? "answered" : "requested", t ? t->when : NULL, sizeof(t->when), true },
		{ "exercise", t ? t->exercise : NULL, sizeof(t->exercise), false },
		{ "text", t ? t->text : NULL, sizeof(t->text), false },
	};
	struct kv_list persons = { "person", t ? t->persons[0] : NULL, sizeof(t->persons[0]),
				   GS_MAX_VISIT_PERSONS, t ? &t->npersons : NULL, 11, true };
	size_t skip = answer ? 0 : 2;
	int ret;

	if (!t)
		return GS_ENOMEM;
	/* a request has no decision and no request line: its fields start at 2 */
	persons.after -= skip;
	ret = kv_parse_list(text, len, answer ? VISIT_ANSWER_MAGIC : VISIT_REQUEST_MAGIC, fields + skip,
			    sizeof(fields) / sizeof(fields[0]) - skip, &persons, d);
	if (!ret)
		ret = from_text(t, answer, v, d);
	if (ret)
		memset(v, 0, sizeof(*v));
	free(t);
	return ret;
}

int visit_request_parse(const char *text, size_t len, struct visit *v, struct gs_diag *d)
{
	return parse(text, len, false, v, d);
}

int visit_answer_parse(const char *text, size_t len, struct visit *v, struct gs_diag *d)
{
	return parse(text, len, true, v, d);
}

static int format(const struct visit *v, bool answer, char **out, struct gs_diag *d)
{
	char line[GS_MAX_ID + GS_MAX_LABEL + 2];
	struct kvbuf b;
	int ret;

	*out = NULL;
	kv_begin(&b, answer ? VISIT_ANSWER_MAGIC : VISIT_REQUEST_MAGIC);
	if (answer) {
		kv_add(&b, "decision", v->state == VISIT_REFUSED ? "refused" : "approved");
		kv_add(&b, "request", v->request);
	}
	kv_add(&b, "agreement", v->agreement);
	kv_add(&b, "visitor", v->visitor);
	kv_add(&b, "host", v->host);
	kv_add(&b, "facility", v->facility);
	kv_add_instant(&b, "from", v->from);
	kv_add_instant(&b, "until", v->until);
	kv_add(&b, "purpose", v->purpose);
	kv_add(&b, "topic", v->topic);
	kv_add(&b, "max-level", v->max_level);
	for (int i = 0; i < v->npersons && i < GS_MAX_VISIT_PERSONS; i++) {
		snprintf(line, sizeof(line), "%s %s", v->persons[i].id, v->persons[i].psc);
		kv_add(&b, "person", line);
	}
	kv_add_instant(&b, answer ? "answered" : "requested", answer ? v->answered : v->requested);
	kv_add(&b, "exercise", v->exercise ? "yes" : NULL);
	kv_add(&b, "text", v->text);
	if ((ret = kv_end(&b, d)))
		return ret;
	*out = b.buf;
	return 0;
}

int visit_request_format(const struct visit *v, char **out, struct gs_diag *d)
{
	return format(v, false, out, d);
}

int visit_answer_format(const struct visit *v, char **out, struct gs_diag *d)
{
	return format(v, true, out, d);
}

const char *visit_state_name(enum visit_state s)
{
	switch (s) {
	case VISIT_REQUESTED: return "requested";
	case VISIT_APPROVED: return "approved";
	case VISIT_REFUSED: return "refused";
	}
	return "unknown";
}

int visit_person_index(const struct visit *v, const char *person_id)
{
	for (int i = 0; i < v->npersons && i < GS_MAX_VISIT_PERSONS; i++)
		if (!strcmp(v->persons[i].id, person_id))
			return i;
	return -1;
}

/* ---- levels through the annex ----------------------------------------- */

/* Row of label in party pi's cell of annex version v (protect-as cells
 * included: they state what a party safeguards the row as), or -1. */
static int row_with(const struct annex_version *v, int pi, const char *label)
{
	if (!v || pi < 0 || pi >= GS_MAX_PARTIES)
		return -1;
	for (int r = 0; r < v->nrows && r < GS_MAX_ANNEX_ROWS; r++) {
		const struct annex_cell *c = &v->rows[r].cells[pi];

		for (int k = 0; k < c->nlabels && k < GS_MAX_LABELS_PER_CELL; k++)
			if (!strcmp(c->labels[k], label))
				return r;
	}
	return -1;
}

static bool never_listed(const struct annex_version *v, int pi, const char *label)
{
	for (int i = 0; v && i < v->nnever && i < GS_MAX_NEVER; i++)
		if (v->never[i].party == pi && !strcmp(v->never[i].label, label))
			return true;
	return false;
}

/* The highest rank, in scheme s, of the labels of party pi's cell of row r. */
static int cell_rank(const struct annex_version *v, int r, int pi, const struct scheme *s)
{
	const struct annex_cell *c = &v->rows[r].cells[pi];
	int best = 0;

	for (int k = 0; k < c->nlabels && k < GS_MAX_LABELS_PER_CELL; k++) {
		int rank = scheme_rank(s, c->labels[k]);

		if (rank > best)
			best = rank;
	}
	return best;
}

/* The holding's level in the host's scheme (rank, and the label), as
 * access decides it: the highest host label it shows; the original label
 * at the host's own item; else the host's cell of the item's annex row. */
static int host_rank(const struct agreement *a, const struct party *host, const struct holding *h,
		     const struct annex_version *v, const char **label)
{
	int best = 0;

	*label = NULL;
	for (int k = 0; k < h->marking.nlabels && k < GS_MAX_MARK_LABELS; k++) {
		int r = scheme_rank(&host->scheme, h->marking.labels[k]);

		if (r > best) {
			best = r;
			*label = h->marking.labels[k];
		}
	}
	if (!best && !strcmp(h->item.originator, host->code) &&
	    (best = scheme_rank(&host->scheme, h->item.label)) > 0)
		*label = h->item.label;
	if (!best && v) {
		int oi = agreement_party_index(a, h->item.originator), hi = agreement_party_index(a, host->code);
		int row = row_with(v, oi, h->item.label);

		if (row >= 0 && hi >= 0) {
			const struct annex_cell *c = &v->rows[row].cells[hi];

			for (int k = 0; k < c->nlabels && k < GS_MAX_LABELS_PER_CELL; k++) {
				int r = scheme_rank(&host->scheme, c->labels[k]);

				if (r > best) {
					best = r;
					*label = c->labels[k];
				}
			}
		}
	}
	return best;
}

/* ---- requests and answers ----------------------------------------------- */

static bool new_exchanges(enum agreement_state s)
{
	return s == STATE_IN_FORCE || s == STATE_NOTICE_PENDING || s == STATE_NOTICE_SUSPENDED;
}

int decide_visit_request(const struct agreement *a, const struct lifecycle_status *st,
			 const struct party *host, const struct party *visitor, const struct visit *v,
			 const struct facility *f, const char *deciding, gs_instant now,
			 struct decision *d)
{
	const struct annex_version *annex;
	int hi, vi, row;

	if (!d)
		return GS_EINVAL;
	kit_begin(d);
	if (!a || !st || !host || !visitor || !v || !deciding)
		return GS_EINVAL;
	d->zone = a->zone;
	kit_put(d, 0, a->id);
	kit_put(d, 1, v->visitor);
	kit_put(d, 2, v->host);
	/* 1. only while the agreement allows new exchanges (survival: a
	 *    terminated agreement protects what was released, nothing new) */
	if (!new_exchanges(st->state) || a->kind == AGREEMENT_ARRANGEMENT) {
		d->n = a->kind == AGREEMENT_ARRANGEMENT ? -1 : (int)st->state;
		d->t = st->state == STATE_TERMINATED ? st->terminates_at : now;
		return kit_deny(d, RULE_VISIT_IN_FORCE);
	}
	/* 2. visitor and host are parties, the one acting the right one */
	hi = agreement_party_index(a, v->host);
	vi = agreement_party_index(a, v->visitor);
	if (hi < 0 || vi < 0 || hi == vi || strcmp(host->code, v->host) || strcmp(visitor->code, v->visitor)) {
		kit_put(d, 3, hi < 0 ? v->host : v->visitor);
		d->n = hi >= 0 && hi == vi;
		return kit_deny(d, RULE_VISIT_PARTY);
	}
	if (!f && strcmp(deciding, v->visitor)) {
		kit_put(d, 3, deciding);
		d->n = 2; /* the visiting party's authority asks (R8.4) */
		return kit_deny(d, RULE_VISIT_PARTY);
	}
	/* 3. only the host authorises (R8.2) */
	if (f && strcmp(deciding, v->host)) {
		kit_put(d, 3, deciding);
		return kit_deny(d, RULE_VISIT_HOST);
	}
	/* 4. the facility is the host's */
	if (f && (strcmp(f->id, v->facility) || strcmp(f->party, v->host))) {
		kit_put(d, 3, f->party);
		kit_put(d, 1, v->facility);
		return kit_deny(d, RULE_VISIT_FACILITY);
	}
	/* 5. dates: a visit that is over cannot be arranged */
	if (v->until <= v->from || v->until <= now) {
		d->n = v->until <= v->from ? 0 : 1;
		d->t = v->until;
		return kit_deny(d, RULE_VISIT_DATES);
	}
	/* 6. asked in time: the agreement's lead time before the first day */
	if (v->requested == GS_INSTANT_NONE || v->from - v->requested < (gs_instant)a->rules.visit_lead_days * 86400) {
		d->n = a->rules.visit_lead_days;
		d->t = v->from;
		if (v->requested != GS_INSTANT_NONE)
			instant_format_local(v->requested, a->zone, d->arg[3]);
		return kit_deny(d, RULE_VISIT_LEAD_TIME);
	}
	/* 7. the highest level: the host's label, with an equivalent for the visitor */
	kit_put(d, 3, v->max_level);
	if (scheme_rank(&host->scheme, v->max_level) == 0) {
		d->n = 0;
		return kit_deny(d, RULE_VISIT_LEVEL);
	}
	annex = agreement_annex_at(a, date_of_instant(v->from, a->zone));
	if (annex && never_listed(annex, hi, v->max_level)) {
		d->n = 2;
		return kit_deny(d, RULE_VISIT_LEVEL);
	}
	row = row_with(annex, hi, v->max_level);
	if (row < 0 || cell_rank(annex, row, vi, &visitor->scheme) == 0) {
		d->n = 1;
		return kit_deny(d, RULE_VISIT_LEVEL);
	}
	/* 8. the persons, each with a PSC of the visitor's scheme */
	if (v->npersons <= 0) {
		d->n = 0;
		return kit_deny(d, RULE_VISIT_PERSONS);
	}
	for (int i = 0; i < v->npersons && i < GS_MAX_VISIT_PERSONS; i++) {
		if (scheme_rank(&visitor->scheme, v->persons[i].psc) == 0) {
			kit_put(d, 3, v->persons[i].id);
			kit_put(d, 0, v->persons[i].psc);
			d->n = 1;
			return kit_deny(d, RULE_VISIT_PERSONS);
		}
		for (int k = 0; k < i; k++)
			if (!strcmp(v->persons[k].id, v->persons[i].id)) {
				kit_put(d, 3, v->persons[i].id);
				d->n = 2;
				return kit_deny(d, RULE_VISIT_PERSONS);
			}
	}
	kit_put(d, 0, v->facility);
	d->t = v->from;
	return kit_permit(d, RULE_VISIT_ADMISSIBLE);
}

/* ---- access during a visit -------------------------------------------- */

static void put_instant(struct decision *d, int i, gs_instant t, int32_t zone)
{
	char s[GS_INSTANT_STR];

	instant_format_local(t, zone, s);
	kit_put(d, i, s);
}

static int visit_deny(struct decision *d, const struct person *p, const struct holding *h,
		      enum decide_rule r)
{
	kit_put(d, 0, p->name[0] ? p->name : p->id);
	kit_put(d, 1, h->item.id);
	return kit_deny(d, r);
}

int decide_visit_access(const struct agreement *a, const struct party *host,
			const struct party *visitor, const struct holding *h, const struct person *p,
			const struct facility *f, const struct visit *visits, size_t nvisits,
			gs_instant at, struct decision *d)
{
	const struct visit *named = NULL, *approved = NULL, *here = NULL, *now = NULL;
	const struct annex_version *annex;
	const struct visit_person *vp;
	const char *hlabel;
	int hrank, need, prank, hi, vi, row;

	if (!d)
		return GS_EINVAL;
	kit_begin(d);
	if (!a || !host || !visitor || !h || !p || !f || (!visits && nvisits))
		return GS_EINVAL;
	d->zone = a->zone;
	/* 1. only an active holding is ever shown */
	if (h->status != ITEM_ACTIVE) {
		kit_put(d, 2, item_status_name(h->status));
		return visit_deny(d, p, h, RULE_VISIT_STATUS);
	}
	/* 2. the host's or the visitor's own information only: a third
	 *    party's is never disclosed to a visitor (Art 5) */
	if (strcmp(h->item.originator, host->code) && strcmp(h->item.originator, visitor->code)) {
		kit_put(d, 2, h->item.originator);
		kit_put(d, 3, visitor->code);
		return visit_deny(d, p, h, RULE_VISIT_ORIGINATOR);
	}
	/* 3-6. a visit that names the person, approved, here, now */
	for (size_t i = 0; i < nvisits; i++) {
		const struct visit *v = &visits[i];

		if (strcmp(v->host, host->code) || strcmp(v->visitor, visitor->code) ||
		    strcmp(v->agreement, a->id) || visit_person_index(v, p->id) < 0)
			continue;
		if (!named)
			named = v;
		if (v->state != VISIT_APPROVED)
			continue;
		if (!approved)
			approved = v;
		if (strcmp(v->facility, f->id) || (h->facility[0] && strcmp(h->facility, f->id)))
			continue;
		if (!here)
			here = v;
		if (at < v->from || at >= v->until)
			continue;
		now = v;
		break;
	}
	kit_put(d, 3, visitor->code);
	if (!named) {
		kit_put(d, 2, host->code);
		return visit_deny(d, p, h, RULE_VISIT_PERSON);
	}
	if (!approved) {
		kit_put(d, 2, named->id);
		d->n = (int)named->state;
		kit_put(d, 3, host->code);
		return visit_deny(d, p, h, RULE_VISIT_APPROVED);
	}
	if (!here) {
		kit_put(d, 2, approved->id);
		d->n = strcmp(approved->facility, f->id) ? 0 : 1;
		kit_put(d, 3, d->n ? h->facility : approved->facility);
		/* the facility asked about, in the sentence */
		kit_put(d, 1, d->n ? h->item.id : f->id);
		kit_put(d, 0, p->name[0] ? p->name : p->id);
		return kit_deny(d, RULE_VISIT_WHERE);
	}
	if (!now) {
		put_instant(d, 2, here->from, a->zone);
		put_instant(d, 3, here->until, a->zone);
		d->t = at;
		kit_put(d, 1, here->id);
		kit_put(d, 0, p->name[0] ? p->name : p->id);
		return kit_deny(d, RULE_VISIT_WHEN);
	}
	/* 7. a national of the visiting party; never of a third country */
	if (p->nnationalities <= 0 || p->nnationalities > GS_MAX_NATIONALITIES) {
		kit_put(d, 2, "");
		return visit_deny(d, p, h, RULE_VISIT_NATIONALITY);
	}
	{
		bool of_visitor = false;

		for (int i = 0; i < p->nnationalities; i++)
			if (!strcmp(p->nationalities[i], visitor->code))
				of_visitor = true;
		for (int i = 0; i < p->nnationalities; i++) {
			const char *nat = p->nationalities[i];
			bool party = agreement_party_index(a, nat) >= 0;

			if (!strcmp(nat, visitor->code))
				continue;
			/* another party's nationality counts only where the
			 * agreement admits dual nationals; a third country never */
			if (party && of_visitor && a->rules.dual_nationals_allowed)
				continue;
			kit_put(d, 2, nat);
			d->n = !party ? 2 : of_visitor ? 1 : 0;
			return visit_deny(d, p, h, RULE_VISIT_NATIONALITY);
		}
		if (!of_visitor) {
			kit_put(d, 2, p->nationalities[0]);
			return visit_deny(d, p, h, RULE_VISIT_NATIONALITY);
		}
	}
	/* 8. the certified PSC dominates the holding's level, through the annex */
	annex = agreement_annex_at(a, date_of_instant(at, a->zone));
	hrank = host_rank(a, host, h, annex, &hlabel);
	vp = &now->persons[visit_person_index(now, p->id)];
	hi = agreement_party_index(a, host->code);
	vi = agreement_party_index(a, visitor->code);
	need = 0;
	if (!strcmp(h->item.originator, visitor->code))
		need = scheme_rank(&visitor->scheme, h->item.label);
	else if (hlabel && (row = row_with(annex, hi, hlabel)) >= 0)
		need = cell_rank(annex, row, vi, &visitor->scheme);
	prank = scheme_rank(&visitor->scheme, vp->psc);
	if (hrank == 0 || need == 0 || prank < need) {
		kit_put(d, 2, vp->psc);
		kit_put(d, 3, hlabel ? hlabel : h->item.label);
		d->n = hrank == 0 || need == 0;
		return visit_deny(d, p, h, RULE_VISIT_PSC);
	}
	/* 9. never above the visit's highest level (R8.3) */
	if (hrank > scheme_rank(&host->scheme, now->max_level)) {
		kit_put(d, 2, hlabel);
		kit_put(d, 3, now->max_level);
		return visit_deny(d, p, h, RULE_VISIT_LEVEL_CAP);
	}
	/* 10. within the visit's topic */
	if (strcmp(h->item.topic, now->topic)) {
		kit_put(d, 2, h->item.topic);
		kit_put(d, 3, now->topic);
		return visit_deny(d, p, h, RULE_VISIT_NEED_TO_KNOW);
	}
	kit_put(d, 0, p->name[0] ? p->name : p->id);
	kit_put(d, 1, h->item.id);
	kit_put(d, 2, now->id);
	kit_put(d, 3, now->max_level);
	return kit_permit(d, RULE_VISIT_PERMIT);
}

/* ---- sentences ---------------------------------------------------------- */

static const char *state_word(int n)
{
	switch (n) {
	case STATE_DRAFT: return "a draft";
	case STATE_SIGNED: return "signed but not in force";
	case STATE_TERMINATED: return "terminated";
	default: return "not in force";
	}
}

int visit_reason(const struct decision *d, const char *t, char *buf, size_t cap)
{
	const char *a0 = d->arg[0], *a1 = d->arg[1], *a2 = d->arg[2], *a3 = d->arg[3];

	switch (d->rule) {
	case RULE_VISIT_IN_FORCE:
		if (d->n < 0)
			return snprintf(buf, cap, "refused: '%s' is an arrangement; a visit is arranged under an "
					"agreement", a0);
		if (d->n == STATE_TERMINATED && t[0])
			return snprintf(buf, cap, "refused: agreement '%s' is terminated (since %s); no new visit "
					"may be arranged under it", a0, t);
		return snprintf(buf, cap, "refused: agreement '%s' is %s; no visit may be arranged under it",
				a0, state_word(d->n));
	case RULE_VISIT_PARTY:
		if (d->n == 1)
			return snprintf(buf, cap, "refused: a party does not visit itself ('%s')", a2);
		if (d->n == 2)
			return snprintf(buf, cap, "refused: %s cannot ask for a visit by %s's representatives; "
					"the visiting party's authority asks (Art 8)", a3, a1);
		return snprintf(buf, cap, "refused: '%s' is not a party to agreement '%s'", a3, a0);
	case RULE_VISIT_HOST:
		return snprintf(buf, cap, "refused: only the host %s authorises a visit to its facility; "
				"%s may not (Art 8)", a2, a3);
	case RULE_VISIT_FACILITY:
		return snprintf(buf, cap, "refused: facility '%s' belongs to %s, not to the host %s", a1,
				a3[0] ? a3 : "no party", a2);
	case RULE_VISIT_DATES:
		if (d->n == 0)
			return snprintf(buf, cap, "refused: the visit ends before it starts");
		return snprintf(buf, cap, "refused: the visit of %s to %s ended at %s; it cannot be arranged "
				"any more", a1, a2, t);
	case RULE_VISIT_LEAD_TIME:
		return snprintf(buf, cap, "refused: a visit under agreement '%s' is requested at least %d days "
				"ahead; asked %s for a visit from %s", a0, d->n, a3[0] ? a3 : "at no recorded instant",
				t);
	case RULE_VISIT_LEVEL:
		if (d->n == 2)
			return snprintf(buf, cap, "refused: %s may never be disclosed under agreement '%s'", a3, a0);
		if (d->n == 1)
			return snprintf(buf, cap, "refused: %s has no equivalent for %s under agreement '%s'", a3,
					a1, a0);
		return snprintf(buf, cap, "refused: the highest level %s is not a level of %s's scheme", a3, a2);
	case RULE_VISIT_PERSONS:
		if (d->n == 0)
			return snprintf(buf, cap, "refused: a visit request names at least one person");
		if (d->n == 1)
			return snprintf(buf, cap, "refused: %s's PSC level %s is not a level of %s's scheme", a3, a0,
					a1);
		return snprintf(buf, cap, "refused: %s is named twice", a3);
	case RULE_VISIT_ADMISSIBLE:
		return snprintf(buf, cap, "permitted: %s may visit facility '%s' of %s from %s, with disclosure "
				"up to %s", a1, a0, a2, t, a3);
	case RULE_VISIT_STATUS:
		return snprintf(buf, cap, "refused: item '%s' is %s; it is shown to no one", a1, a2);
	case RULE_VISIT_ORIGINATOR:
		return snprintf(buf, cap, "refused: item '%s' is information of %s, a third party to the visit "
				"by %s; it is never shown to visitors", a1, a2, a3);
	case RULE_VISIT_PERSON:
		return snprintf(buf, cap, "refused: %s is named in no visit of %s to %s", a0, a3, a2);
	case RULE_VISIT_APPROVED:
		return snprintf(buf, cap, "refused: visit %.16s of %s is %s, not approved by %s", a2, a0,
				visit_state_name((enum visit_state)d->n), a3);
	case RULE_VISIT_WHERE:
		if (d->n)
			return snprintf(buf, cap, "refused: item '%s' is kept at facility '%s', not where visit "
					"%.16s of %s takes place", a1, a3, a2, a0);
		return snprintf(buf, cap, "refused: visit %.16s of %s is to facility '%s', not '%s'", a2, a0, a3,
				a1);
	case RULE_VISIT_WHEN:
		return snprintf(buf, cap, "refused: visit %.16s of %s runs from %s until %s; not at %s", a1, a0,
				a2, a3, t);
	case RULE_VISIT_NATIONALITY:
		if (!a2[0])
			return snprintf(buf, cap, "refused: %s has no recorded nationality", a0);
		if (d->n == 2)
			return snprintf(buf, cap, "refused: %s is a national of %s, a third country; no visitor of "
					"a third country is shown anything", a0, a2);
		if (d->n == 1)
			return snprintf(buf, cap, "refused: %s is also a national of %s, and the agreement does not "
					"admit dual nationals", a0, a2);
		return snprintf(buf, cap, "refused: %s is a national of %s, not of the visiting party %s", a0, a2,
				a3);
	case RULE_VISIT_PSC:
		if (d->n)
			return snprintf(buf, cap, "refused: the level of item '%s' (%s) has no equivalent for the "
					"visiting party", a1, a3);
		return snprintf(buf, cap, "refused: %s's PSC as certified by the visiting party (%s) is below "
				"the level of item '%s' (%s)", a0, a2, a1, a3);
	case RULE_VISIT_LEVEL_CAP:
		return snprintf(buf, cap, "refused: item '%s' is marked %s, above the highest level %s "
				"of the visit (Art 8)", a1, a2, a3);
	case RULE_VISIT_NEED_TO_KNOW:
		return snprintf(buf, cap, "refused: item '%s' (topic '%s') is outside the topic '%s' of the visit",
				a1, a2, a3);
	case RULE_VISIT_PERMIT:
		return snprintf(buf, cap, "permitted: %s may be shown item '%s' during visit %.16s (up to %s)",
				a0, a1, a2, a3);
	default:
		break;
	}
	return snprintf(buf, cap, "refused: invalid input");
}
