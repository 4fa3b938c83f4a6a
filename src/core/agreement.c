/* SPDX-License-Identifier: Apache-2.0 */
#include "core/agreement.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "core/textfmt.h"
#include "util/banned.h"

#define AGREEMENT_MAGIC "gsomia-agreement/v1"

/* Header keys, in the order docs/agreement-format.md lists them. */
enum key {
	K_ID, K_TITLE, K_KIND, K_BINDING, K_VERSION, K_EFFECTIVE, K_PARTIES, K_ZONE, K_SIGNED,
	K_EIF, K_TERM, K_LEAP, K_NOTICE, K_NOTICE_DEADLINE, K_LATE, K_SUSPENSION, K_ACCESSION,
	K_DEPOSITARY, K_MARKING, K_NATIONALITY, K_DUAL, K_PSC, K_RECEIPTS, K_PURPOSES, K_TOPICS,
	K_INCIDENT, K_VISIT, K_INSPECTION, K_RECEIPT_DEADLINE, K_HUB, K_RELIES, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"id", "title", "kind", "binding", "version", "effective", "parties", "zone", "signed",
	"entry-into-force", "term", "leap-day", "notice", "notice-deadline", "late-notice",
	"suspension", "accession", "depositary", "marking", "nationality", "dual-nationals",
	"psc-required-from", "receipts-from", "purposes", "topics", "incident-deadline",
	"visit-lead-time", "inspection-interval", "receipt-deadline", "hub", "relies-on",
};

struct choice {
	const char *name;
	int value;
};

struct parser {
	struct agreement *a;
	struct gs_diag *d;
	struct textfmt_line line[K_COUNT]; /* line of each key; no == 0 if absent */
	struct span val[K_COUNT];
	int end_line;                      /* first line after the header */
};

/* Formats "LINE:COL: " + message into the diag. */
__attribute__((format(printf, 5, 6)))
static int fail(struct parser *ps, int err, const struct textfmt_line *l, const char *p,
		const char *fmt, ...)
{
	char msg[GS_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gs_diag_set(ps->d, err, "%d:%d: %s", l->no, l->start ? textfmt_col(l, p) : 1, msg);
}

static int fail_key(struct parser *ps, int err, enum key k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_key(struct parser *ps, int err, enum key k, const char *fmt, ...)
{
	char msg[GS_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gs_diag_set(ps->d, err, "%d:%d: %s", ps->line[k].no,
			   textfmt_col(&ps->line[k], ps->val[k].p), msg);
}

static bool has(const struct parser *ps, enum key k)
{
	return ps->line[k].no != 0;
}

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static bool is_ident(struct span s)
{
	size_t i;

	if (s.n == 0)
		return false;
	for (i = 0; i < s.n; i++)
		if (!is_ident_char(s.p[i]))
			return false;
	return true;
}

/* Annex level names: ASCII letters, digits, '-', '_' and single inner
 * spaces (TOP SECRET). */
static bool is_level_name(struct span s)
{
	size_t i;

	if (s.n == 0)
		return false;
	for (i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (c == ' ' && i > 0 && s.p[i - 1] != ' ')
			continue;
		if (c == ' ' || !is_ident_char(c) || c == '.')
			return false;
	}
	return true;
}

static int parse_choice(struct parser *ps, enum key k, const struct choice *c, size_t n,
			int *out)
{
	char list[256];
	size_t i, off = 0;

	for (i = 0; i < n; i++) {
		if (span_eq(ps->val[k], c[i].name)) {
			*out = c[i].value;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? " | " : "", c[i].name);

		if (w < 0 || (size_t)w >= sizeof(list) - off)
			break;
		off += (size_t)w;
	}
	return fail_key(ps, GS_EINVAL, k, "invalid %s '%.*s' (%s)", key_names[k],
			(int)ps->val[k].n, ps->val[k].p, list);
}

static int parse_date_value(struct parser *ps, enum key k, struct gs_date *out)
{
	char buf[16];

	if (!span_copy(ps->val[k], buf, sizeof(buf)) || date_parse(buf, out))
		return fail_key(ps, GS_EINVAL, k, "invalid date '%.*s' (YYYY-MM-DD)",
				(int)ps->val[k].n, ps->val[k].p);
	return 0;
}

/* "N unit": a number, one space, a unit. Returns the unit in *unit. */
static bool split_amount(struct span v, long max, long *n, struct span *unit)
{
	long sp = span_find(v, ' ');

	if (sp <= 0)
		return false;
	if (!span_uint((struct span){ v.p, (size_t)sp }, max, n))
		return false;
	*unit = (struct span){ v.p + sp + 1, v.n - (size_t)sp - 1 };
	return unit->n > 0;
}

static bool unit_is(struct span u, long n, const char *singular)
{
	char plural[16];

	snprintf(plural, sizeof(plural), "%ss", singular);
	return span_eq(u, plural) || (n == 1 && span_eq(u, singular));
}

/* Splits a comma-separated list of identifiers ("any" = empty list). */
static int parse_ident_list(struct parser *ps, enum key k, char (*dst)[GS_MAX_NAME],
			    size_t dst_size, int cap, int *count)
{
	struct span v = ps->val[k];
	const struct textfmt_line *l = &ps->line[k];

	*count = 0;
	if (span_eq(v, "any"))
		return 0;
	for (;;) {
		long comma = span_find(v, ',');
		struct span item = span_trim(comma < 0 ? v : (struct span){ v.p, (size_t)comma });
		int i;

		if (item.n == 0)
			return fail(ps, GS_EINVAL, l, comma < 0 ? v.p : v.p + comma,
				    "empty entry in %s", key_names[k]);
		if (!is_ident(item))
			return fail(ps, GS_EINVAL, l, item.p,
				    "invalid %s entry '%.*s' (letters, digits, '-', '_', '.')",
				    key_names[k], (int)item.n, item.p);
		if (*count >= cap)
			return fail(ps, GS_ELIMIT, l, item.p, "too many %s entries (at most %d)",
				    key_names[k], cap);
		if (!span_copy(item, dst[*count], dst_size))
			return fail(ps, GS_ELIMIT, l, item.p, "%s entry '%.*s' too long (at most %zu bytes)",
				    key_names[k], (int)item.n, item.p, dst_size - 1);
		for (i = 0; i < *count; i++)
			if (!strcmp(dst[i], dst[*count]))
				return fail(ps, GS_EINVAL, l, item.p, "duplicate %s entry '%s'",
					    key_names[k], dst[i]);
		(*count)++;
		if (comma < 0)
			return 0;
		v = (struct span){ v.p + comma + 1, v.n - (size_t)comma - 1 };
	}
}

static void parties_list(const struct agreement *a, char *buf, size_t cap)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < a->nparties; i++) {
		int w = snprintf(buf + off, cap - off, "%s%s", i ? ", " : "", a->parties[i]);

		if (w < 0 || (size_t)w >= cap - off)
			return;
		off += (size_t)w;
	}
}

static int party_of(struct parser *ps, const struct textfmt_line *l, struct span code)
{
	char list[GS_MAX_PARTIES * 6 + 1];
	char c[GS_MAX_CODE];
	int i = -1;

	if (span_copy(code, c, sizeof(c)))
		i = agreement_party_index(ps->a, c);
	if (i >= 0)
		return i;
	parties_list(ps->a, list, sizeof(list));
	return fail(ps, GS_EINVAL, l, code.p, "unknown party '%.*s' (parties are %s)",
		    (int)code.n, code.p, list);
}

static int parse_parties(struct parser *ps)
{
	struct agreement *a = ps->a;
	const struct textfmt_line *l = &ps->line[K_PARTIES];
	struct span v = ps->val[K_PARTIES];
	size_t i = 0;
	int j;

	while (i < v.n) {
		struct span code;

		while (i < v.n && v.p[i] == ' ')
			i++;
		code.p = v.p + i;
		while (i < v.n && v.p[i] != ' ')
			i++;
		code.n = (size_t)(v.p + i - code.p);
		if (code.n == 0)
			break;
		if (code.n != 3 || !party_code_is_valid((char[4]){ code.p[0], code.p[1], code.p[2], 0 }))
			return fail(ps, GS_EINVAL, l, code.p,
				    "invalid party code '%.*s' (three letters A-Z)", (int)code.n, code.p);
		if (a->nparties >= GS_MAX_PARTIES)
			return fail(ps, GS_ELIMIT, l, code.p, "too many parties (at most %d)",
				    GS_MAX_PARTIES);
		for (j = 0; j < a->nparties; j++)
			if (!memcmp(a->parties[j], code.p, 3))
				return fail(ps, GS_EINVAL, l, code.p, "duplicate party '%.*s'",
					    (int)code.n, code.p);
		span_copy(code, a->parties[a->nparties++], GS_MAX_CODE);
	}
	if (a->nparties < 2)
		return fail(ps, GS_EINVAL, l, v.p, "at least 2 parties are needed, separated by spaces");
	return 0;
}

static int parse_notice(struct parser *ps)
{
	struct agreement_term *t = &ps->a->term;
	struct span unit;
	long n;

	if (!has(ps, K_NOTICE)) {
		t->notice_days = 90;
		t->notice_period = (struct gs_period){ 0, 0, 90 };
		return 0;
	}
	if (!split_amount(ps->val[K_NOTICE], 36500, &n, &unit))
		return fail_key(ps, GS_EINVAL, K_NOTICE, "invalid notice '%.*s' (e.g. '90 days')",
				(int)ps->val[K_NOTICE].n, ps->val[K_NOTICE].p);
	if (unit_is(unit, n, "day")) {
		t->notice_period.days = (int)n;
	} else if (t->model == TERM_INDEFINITE && unit_is(unit, n, "month")) {
		t->notice_period.months = (int)n;
	} else if (t->model == TERM_INDEFINITE && unit_is(unit, n, "year")) {
		t->notice_period.years = (int)n;
	} else {
		return fail(ps, GS_EINVAL, &ps->line[K_NOTICE], unit.p,
			    "invalid notice unit '%.*s' (%s)", (int)unit.n, unit.p,
			    t->model == TERM_ANNUAL ? "term: annual counts notice in days"
						    : "days | months | years");
	}
	t->notice_days = t->model == TERM_ANNUAL ? (int)n : 0;
	return 0;
}

static int parse_eif(struct parser *ps)
{
	static const char prefix[] = "days-after-notes ";
	struct span v = ps->val[K_EIF];
	long n;

	if (!has(ps, K_EIF) || span_eq(v, "later-of-notes")) {
		ps->a->term.eif = EIF_LATER_OF_NOTES;
		return 0;
	}
	if (span_eq(v, "on-signature")) {
		ps->a->term.eif = EIF_ON_SIGNATURE;
		return 0;
	}
	if (v.n > sizeof(prefix) - 1 && !memcmp(v.p, prefix, sizeof(prefix) - 1)) {
		struct span num = { v.p + sizeof(prefix) - 1, v.n - (sizeof(prefix) - 1) };

		if (!span_uint(num, 3650, &n))
			return fail(ps, GS_EINVAL, &ps->line[K_EIF], num.p,
				    "invalid number of days '%.*s' (0 to 3650)", (int)num.n, num.p);
		ps->a->term.eif = EIF_DAYS_AFTER_NOTES;
		ps->a->term.eif_days = (int)n;
		return 0;
	}
	return fail_key(ps, GS_EINVAL, K_EIF,
			"invalid entry-into-force '%.*s' (later-of-notes | on-signature | days-after-notes N)",
			(int)v.n, v.p);
}

/* accession: closed | by-all-members | by-depositary, and the depositary
 * it names: one of the parties, required with by-depositary and refused
 * otherwise (docs/agreement-format.md). */
static int parse_accession(struct parser *ps, const struct choice *c, size_t n)
{
	struct agreement_term *t = &ps->a->term;
	int ret, v = ACCESSION_CLOSED, d;

	if (has(ps, K_ACCESSION) && (ret = parse_choice(ps, K_ACCESSION, c, n, &v)) != 0)
		return ret;
	t->accession = (enum accession_rule)v;
	t->depositary[0] = '\0';
	if (t->accession != ACCESSION_BY_DEPOSITARY) {
		if (has(ps, K_DEPOSITARY))
			return fail_key(ps, GS_EINVAL, K_DEPOSITARY,
					"'depositary' applies only to accession: by-depositary");
		return 0;
	}
	if (!has(ps, K_DEPOSITARY))
		return fail_key(ps, GS_EINVAL, K_ACCESSION,
				"accession: by-depositary needs 'depositary: PARTY'");
	d = party_of(ps, &ps->line[K_DEPOSITARY], ps->val[K_DEPOSITARY]);
	if (d < 0)
		return d;
	memcpy(t->depositary, ps->a->parties[d], GS_MAX_CODE);
	return 0;
}

/* "N hours" / "N days" -> hours; "N days" / "N weeks" -> days. */
static int parse_duration(struct parser *ps, enum key k, bool hours, int *out)
{
	struct span unit, v = ps->val[k];
	long n;

	if (!split_amount(v, 100000, &n, &unit))
		return fail_key(ps, GS_EINVAL, k, "invalid %s '%.*s' (e.g. '%s')", key_names[k],
				(int)v.n, v.p, hours ? "24 hours" : "0 days");
	if (hours && unit_is(unit, n, "hour") && n <= 8784)
		*out = (int)n;
	else if (hours && unit_is(unit, n, "day") && n <= 366)
		*out = (int)n * 24;
	else if (!hours && unit_is(unit, n, "day") && n <= 3660)
		*out = (int)n;
	else if (!hours && unit_is(unit, n, "week") && n <= 520)
		*out = (int)n * 7;
	else
		return fail_key(ps, GS_EINVAL, k, "invalid %s '%.*s' (%s)", key_names[k], (int)v.n,
				v.p, hours ? "hours or days, at most a year" : "days or weeks, at most ten years");
	return 0;
}

static int parse_level_ref(struct parser *ps, enum key k, char *dst)
{
	if (!has(ps, k) || span_eq(ps->val[k], "all")) {
		dst[0] = '\0';
		return 0;
	}
	if (!is_level_name(ps->val[k]) || !span_copy(ps->val[k], dst, GS_MAX_NAME))
		return fail_key(ps, GS_EINVAL, k, "invalid %s '%.*s' (an annex level, or 'all')",
				key_names[k], (int)ps->val[k].n, ps->val[k].p);
	return 0;
}

/* Interprets the collected header keys, in dependency order. */
static int finish_header(struct parser *ps)
{
	static const struct choice kinds[] = { { "agreement", AGREEMENT_TREATY },
					       { "arrangement", AGREEMENT_ARRANGEMENT } };
	static const struct choice yesno[] = { { "yes", 1 }, { "no", 0 } };
	static const struct choice terms[] = { { "annual", TERM_ANNUAL },
					       { "indefinite", TERM_INDEFINITE } };
	static const struct choice leaps[] = { { "feb-28", GS_LEAP_DAY_FEB28 },
					       { "mar-01", GS_LEAP_DAY_MAR01 } };
	static const struct choice deadlines[] = { { "last-day", NOTICE_LAST_DAY },
						   { "anniversary", NOTICE_ANNIVERSARY } };
	static const struct choice lates[] = { { "carry-forward", LATE_CARRY_FORWARD },
					       { "refuse", LATE_REFUSE } };
	static const struct choice susps[] = { { "strict-treaty", SUSPENSION_STRICT_TREATY },
					       { "at-any-time", SUSPENSION_AT_ANY_TIME } };
	static const struct choice accessions[] = { { "closed", ACCESSION_CLOSED },
						    { "by-all-members", ACCESSION_BY_ALL_MEMBERS },
						    { "by-depositary", ACCESSION_BY_DEPOSITARY } };
	static const struct choice marks[] = { { "recipient-converts", MARKING_RECIPIENT_CONVERTS },
					       { "originator-dual", MARKING_ORIGINATOR_DUAL },
					       { "keep-original", MARKING_KEEP_ORIGINAL } };
	static const struct choice nats[] = { { "holder-only", NATIONALITY_HOLDER_ONLY },
					      { "parties", NATIONALITY_PARTIES } };
	static const struct choice duals[] = { { "refuse", 0 }, { "allow", 1 } };
	static const enum key required[] = { K_ID, K_TITLE, K_PARTIES, K_ZONE, K_SIGNED };
	struct agreement *a = ps->a;
	size_t i;
	int ret, v;
	long n;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!has(ps, required[i]))
			return gs_diag_set(ps->d, GS_EINVAL, "%d:1: missing key '%s'", ps->end_line,
					   key_names[required[i]]);

	if (!is_ident(ps->val[K_ID]))
		return fail_key(ps, GS_EINVAL, K_ID, "invalid id '%.*s' (letters, digits, '-', '_', '.')",
				(int)ps->val[K_ID].n, ps->val[K_ID].p);
	if (!span_copy(ps->val[K_ID], a->id, sizeof(a->id)))
		return fail_key(ps, GS_ELIMIT, K_ID, "id too long (at most %zu bytes)",
				sizeof(a->id) - 1);
	if (!span_copy(ps->val[K_TITLE], a->title, sizeof(a->title)))
		return fail_key(ps, GS_ELIMIT, K_TITLE, "title too long (at most %zu bytes)",
				sizeof(a->title) - 1);

	a->kind = AGREEMENT_TREATY;
	if (has(ps, K_KIND) && (ret = parse_choice(ps, K_KIND, kinds, 2, &v)) != 0)
		return ret;
	if (has(ps, K_KIND))
		a->kind = (enum agreement_kind)v;
	a->binding = a->kind == AGREEMENT_TREATY;
	if (has(ps, K_BINDING)) {
		if ((ret = parse_choice(ps, K_BINDING, yesno, 2, &v)) != 0)
			return ret;
		if (a->kind == AGREEMENT_ARRANGEMENT && v)
			return fail_key(ps, GS_EINVAL, K_BINDING,
					"an arrangement is not legally binding (binding: no)");
		a->binding = v;
	}

	a->version = 1;
	if (has(ps, K_VERSION)) {
		if (!span_uint(ps->val[K_VERSION], 9999, &n) || n < 1)
			return fail_key(ps, GS_EINVAL, K_VERSION, "invalid version '%.*s' (1 to 9999)",
					(int)ps->val[K_VERSION].n, ps->val[K_VERSION].p);
		a->version = (int)n;
	}
	if (a->version > 1 && !has(ps, K_EFFECTIVE))
		return fail_key(ps, GS_EINVAL, K_VERSION,
				"version %d is an amendment and needs 'effective: DATE'", a->version);
	if (a->version == 1 && has(ps, K_EFFECTIVE))
		return fail_key(ps, GS_EINVAL, K_EFFECTIVE,
				"'effective' applies to amendments (version 2 and later)");
	if (has(ps, K_EFFECTIVE) && (ret = parse_date_value(ps, K_EFFECTIVE, &a->effective)) != 0)
		return ret;

	if ((ret = parse_parties(ps)) != 0)
		return ret;
	{
		char z[16];

		if (!span_copy(ps->val[K_ZONE], z, sizeof(z)) || zone_parse(z, &a->zone))
			return fail_key(ps, GS_EINVAL, K_ZONE, "invalid zone '%.*s' (e.g. +09:00)",
					(int)ps->val[K_ZONE].n, ps->val[K_ZONE].p);
	}
	if ((ret = parse_date_value(ps, K_SIGNED, &a->signed_on)) != 0)
		return ret;
	if (has(ps, K_EFFECTIVE) && date_cmp(a->effective, a->signed_on) < 0)
		return fail_key(ps, GS_EINVAL, K_EFFECTIVE,
				"amendment effective '%.*s' is before the signing date",
				(int)ps->val[K_EFFECTIVE].n, ps->val[K_EFFECTIVE].p);

	if ((ret = parse_eif(ps)) != 0)
		return ret;
	if (has(ps, K_TERM) && (ret = parse_choice(ps, K_TERM, terms, 2, &v)) != 0)
		return ret;
	a->term.model = has(ps, K_TERM) ? (enum term_model)v : TERM_ANNUAL;
	if (has(ps, K_LEAP) && (ret = parse_choice(ps, K_LEAP, leaps, 2, &v)) != 0)
		return ret;
	a->term.leap_day = has(ps, K_LEAP) ? (enum gs_leap_day)v : GS_LEAP_DAY_FEB28;
	if ((ret = parse_notice(ps)) != 0)
		return ret;
	if (a->term.model == TERM_INDEFINITE && has(ps, K_NOTICE_DEADLINE))
		return fail_key(ps, GS_EINVAL, K_NOTICE_DEADLINE,
				"'notice-deadline' applies only to term: annual");
	if (a->term.model == TERM_INDEFINITE && has(ps, K_LATE))
		return fail_key(ps, GS_EINVAL, K_LATE, "'late-notice' applies only to term: annual");
	if (has(ps, K_NOTICE_DEADLINE) &&
	    (ret = parse_choice(ps, K_NOTICE_DEADLINE, deadlines, 2, &v)) != 0)
		return ret;
	a->term.notice_rule = has(ps, K_NOTICE_DEADLINE) ? (enum notice_rule)v : NOTICE_LAST_DAY;
	if (has(ps, K_LATE) && (ret = parse_choice(ps, K_LATE, lates, 2, &v)) != 0)
		return ret;
	a->term.late_notice = has(ps, K_LATE) ? (enum late_notice)v : LATE_CARRY_FORWARD;
	if (has(ps, K_SUSPENSION) && (ret = parse_choice(ps, K_SUSPENSION, susps, 2, &v)) != 0)
		return ret;
	a->term.suspension = has(ps, K_SUSPENSION) ? (enum suspension_policy)v
						   : SUSPENSION_STRICT_TREATY;
	if ((ret = parse_accession(ps, accessions, sizeof(accessions) / sizeof(accessions[0]))) != 0)
		return ret;

	if (has(ps, K_MARKING) && (ret = parse_choice(ps, K_MARKING, marks, 3, &v)) != 0)
		return ret;
	a->rules.marking = has(ps, K_MARKING) ? (enum marking_mode)v : MARKING_RECIPIENT_CONVERTS;
	if (has(ps, K_NATIONALITY) && (ret = parse_choice(ps, K_NATIONALITY, nats, 2, &v)) != 0)
		return ret;
	a->rules.nationality = has(ps, K_NATIONALITY) ? (enum nationality_policy)v
						      : NATIONALITY_HOLDER_ONLY;
	if (has(ps, K_DUAL) && (ret = parse_choice(ps, K_DUAL, duals, 2, &v)) != 0)
		return ret;
	a->rules.dual_nationals_allowed = has(ps, K_DUAL) && v;
	if ((ret = parse_level_ref(ps, K_PSC, a->rules.psc_from)) != 0 ||
	    (ret = parse_level_ref(ps, K_RECEIPTS, a->rules.receipts_from)) != 0)
		return ret;
	if (has(ps, K_PURPOSES) &&
	    (ret = parse_ident_list(ps, K_PURPOSES, a->rules.purposes, GS_MAX_NAME, GS_MAX_SCOPE,
				    &a->rules.npurposes)) != 0)
		return ret;
	if (has(ps, K_TOPICS) &&
	    (ret = parse_ident_list(ps, K_TOPICS, a->rules.topics, GS_MAX_NAME, GS_MAX_SCOPE,
				    &a->rules.ntopics)) != 0)
		return ret;
	a->rules.incident_deadline_hours = 24;
	if (has(ps, K_INCIDENT) &&
	    (ret = parse_duration(ps, K_INCIDENT, true, &a->rules.incident_deadline_hours)) != 0)
		return ret;
	if (has(ps, K_VISIT) &&
	    (ret = parse_duration(ps, K_VISIT, false, &a->rules.visit_lead_days)) != 0)
		return ret;
	if (has(ps, K_INSPECTION) &&
	    (ret = parse_duration(ps, K_INSPECTION, false, &a->rules.inspection_interval_days)) != 0)
		return ret;
	a->rules.receipt_deadline_days = 7;
	if (has(ps, K_RECEIPT_DEADLINE) &&
	    (ret = parse_duration(ps, K_RECEIPT_DEADLINE, false, &a->rules.receipt_deadline_days)) != 0)
		return ret;

	if (a->kind == AGREEMENT_TREATY) {
		if (has(ps, K_HUB))
			return fail_key(ps, GS_EINVAL, K_HUB, "'hub' applies only to kind: arrangement");
		if (has(ps, K_RELIES))
			return fail_key(ps, GS_EINVAL, K_RELIES,
					"'relies-on' applies only to kind: arrangement");
		return 0;
	}
	if (has(ps, K_HUB)) {
		int h = party_of(ps, &ps->line[K_HUB], ps->val[K_HUB]);

		if (h < 0)
			return h;
		memcpy(a->hub, a->parties[h], GS_MAX_CODE);
	}
	if (!has(ps, K_RELIES))
		return gs_diag_set(ps->d, GS_EINVAL,
				   "%d:1: missing key 'relies-on' (an arrangement relies on agreements)",
				   ps->end_line);
	{
		char tmp[GS_MAX_RELIES_ON][GS_MAX_NAME];
		int k;

		if (span_eq(ps->val[K_RELIES], "any"))
			return fail_key(ps, GS_EINVAL, K_RELIES,
					"relies-on names the agreements, not 'any'");
		ret = parse_ident_list(ps, K_RELIES, tmp, GS_MAX_ID, GS_MAX_RELIES_ON, &a->nrelies);
		if (ret)
			return ret;
		for (k = 0; k < a->nrelies; k++) {
			memcpy(a->relies_on[k], tmp[k], GS_MAX_ID);
			if (!strcmp(tmp[k], a->id))
				return fail_key(ps, GS_EINVAL, K_RELIES,
						"an arrangement cannot rely on itself ('%s')", a->id);
		}
	}
	return 0;
}

/* "[annex N effective YYYY-MM-DD]" */
static int begin_annex(struct parser *ps, const struct textfmt_line *l)
{
	struct agreement *a = ps->a;
	struct span inner;
	struct span tok[5];
	struct annex_version *v;
	char date[16];
	size_t i = 0;
	int nt = 0;
	long n;

	if (l->body.n < 2 || l->body.p[l->body.n - 1] != ']')
		return fail(ps, GS_EINVAL, l, l->body.p, "expected '[annex N effective YYYY-MM-DD]'");
	inner = (struct span){ l->body.p + 1, l->body.n - 2 };
	while (i < inner.n && nt < 5) {
		while (i < inner.n && inner.p[i] == ' ')
			i++;
		if (i == inner.n)
			break;
		tok[nt].p = inner.p + i;
		while (i < inner.n && inner.p[i] != ' ')
			i++;
		tok[nt].n = (size_t)(inner.p + i - tok[nt].p);
		nt++;
	}
	if (nt != 4 || !span_eq(tok[0], "annex") || !span_eq(tok[2], "effective"))
		return fail(ps, GS_EINVAL, l, l->body.p, "expected '[annex N effective YYYY-MM-DD]'");
	if (a->nannex >= GS_MAX_ANNEX_VERSIONS)
		return fail(ps, GS_ELIMIT, l, l->body.p, "too many annex versions (at most %d)",
			    GS_MAX_ANNEX_VERSIONS);
	if (!span_uint(tok[1], 1000, &n) || n != a->nannex + 1)
		return fail(ps, GS_EINVAL, l, tok[1].p,
			    "annex versions are numbered 1, 2, ... in order: expected %d, not '%.*s'",
			    a->nannex + 1, (int)tok[1].n, tok[1].p);
	v = &a->annex[a->nannex];
	if (!span_copy(tok[3], date, sizeof(date)) || date_parse(date, &v->effective))
		return fail(ps, GS_EINVAL, l, tok[3].p, "invalid date '%.*s' (YYYY-MM-DD)",
			    (int)tok[3].n, tok[3].p);
	if (a->nannex > 0 && date_cmp(v->effective, a->annex[a->nannex - 1].effective) <= 0)
		return fail(ps, GS_EINVAL, l, tok[3].p,
			    "annex %ld must take effect after annex %d ('%.*s' is not later)", n,
			    a->nannex, (int)tok[3].n, tok[3].p);
	v->number = (int)n;
	a->nannex++;
	return 0;
}

/* Where party already uses label in version v: a row name, "never", or
 * NULL. Protect-as cells do not count: they name another row's label. */
static const char *label_used(const struct annex_version *v, int nrows, int party,
			      const char *label)
{
	int r, j;

	for (r = 0; r < nrows; r++) {
		const struct annex_cell *c = &v->rows[r].cells[party];

		if (c->protect_as)
			continue;
		for (j = 0; j < c->nlabels; j++)
			if (!strcmp(c->labels[j], label))
				return v->rows[r].level;
	}
	for (j = 0; j < v->nnever; j++)
		if (v->never[j].party == party && !strcmp(v->never[j].label, label))
			return "never";
	return NULL;
}

/* One cell "CODE: label, label" (or "CODE: protect-as LABEL") of a row. */
static int parse_cell(struct parser *ps, const struct textfmt_line *l, struct span cell,
		      struct annex_version *v, bool never, bool *seen_party, const char *level)
{
	static const char pa[] = "protect-as ";
	long colon = span_find(cell, ':');
	struct annex_cell *c;
	struct span labels;
	bool protect = false;
	int party;

	if (colon < 0)
		return fail(ps, GS_EINVAL, l, cell.p, "expected 'PARTY: label, ...', not '%.*s'",
			    (int)cell.n, cell.p);
	party = party_of(ps, l, span_trim((struct span){ cell.p, (size_t)colon }));
	if (party < 0)
		return party;
	if (seen_party[party])
		return fail(ps, GS_EINVAL, l, cell.p, "party %s appears twice in row '%s'",
			    ps->a->parties[party], level);
	seen_party[party] = true;
	labels = span_trim((struct span){ cell.p + colon + 1, cell.n - (size_t)colon - 1 });
	if (labels.n > sizeof(pa) - 1 && !memcmp(labels.p, pa, sizeof(pa) - 1)) {
		if (never)
			return fail(ps, GS_EINVAL, l, labels.p, "protect-as is not allowed in 'never'");
		protect = true;
		labels = span_trim((struct span){ labels.p + sizeof(pa) - 1,
						  labels.n - (sizeof(pa) - 1) });
		if (span_find(labels, ',') >= 0)
			return fail(ps, GS_EINVAL, l, labels.p, "protect-as takes one label, not '%.*s'",
				    (int)labels.n, labels.p);
	}
	c = never ? NULL : &v->rows[v->nrows].cells[party];
	if (c)
		c->protect_as = protect;
	for (;;) {
		long comma = span_find(labels, ',');
		struct span lab = span_trim(comma < 0 ? labels
						      : (struct span){ labels.p, (size_t)comma });
		char buf[GS_MAX_LABEL];
		const char *where;

		if (lab.n == 0)
			return fail(ps, GS_EINVAL, l, comma < 0 ? labels.p : labels.p + comma,
				    "empty label for %s", ps->a->parties[party]);
		if (lab.p[0] == '#')
			return fail(ps, GS_EINVAL, l, lab.p,
				    "a label cannot begin with '#' (after a space it starts a comment)");
		if (!span_copy(lab, buf, sizeof(buf)))
			return fail(ps, GS_ELIMIT, l, lab.p, "label '%.*s' too long (at most %d bytes)",
				    (int)lab.n, lab.p, GS_MAX_LABEL - 1);
		if (protect) {
			where = label_used(v, v->nrows, party, buf);
			if (!where || !strcmp(where, "never"))
				return fail(ps, GS_EINVAL, l, lab.p,
					    "protect-as '%s' is not a label of %s in a row above", buf,
					    ps->a->parties[party]);
		} else {
			int j;

			where = label_used(v, never ? v->nrows : v->nrows + 1, party, buf);
			if (where)
				return fail(ps, GS_EINVAL, l, lab.p,
					    "duplicate label '%s' for %s (already in '%s')", buf,
					    ps->a->parties[party], where);
			if (c)
				for (j = 0; j < c->nlabels; j++)
					if (!strcmp(c->labels[j], buf))
						return fail(ps, GS_EINVAL, l, lab.p,
							    "duplicate label '%s' for %s (already in '%s')",
							    buf, ps->a->parties[party], level);
		}
		if (never) {
			if (v->nnever >= GS_MAX_NEVER)
				return fail(ps, GS_ELIMIT, l, lab.p,
					    "too many never-release labels (at most %d)", GS_MAX_NEVER);
			v->never[v->nnever].party = party;
			memcpy(v->never[v->nnever].label, buf, sizeof(buf));
			v->nnever++;
		} else {
			if (c->nlabels >= GS_MAX_LABELS_PER_CELL)
				return fail(ps, GS_ELIMIT, l, lab.p,
					    "too many labels for %s in one row (at most %d)",
					    ps->a->parties[party], GS_MAX_LABELS_PER_CELL);
			memcpy(c->labels[c->nlabels++], buf, sizeof(buf));
		}
		if (comma < 0)
			return 0;
		labels = (struct span){ labels.p + comma + 1, labels.n - (size_t)comma - 1 };
	}
}

/* "LEVEL = KOR: label, label | JPN: label" or "never = ..." */
static int parse_row(struct parser *ps, const struct textfmt_line *l, bool *never_line)
{
	struct agreement *a = ps->a;
	struct annex_version *v = &a->annex[a->nannex - 1];
	long eq = span_find(l->body, '=');
	bool seen[GS_MAX_PARTIES] = { false };
	struct span level, rest;
	char name[GS_MAX_NAME];
	bool never;
	int i, ret;

	if (eq < 0) {
		for (i = 0; i < K_COUNT; i++) {
			size_t kn = strlen(key_names[i]);

			if (l->body.n > kn && !memcmp(l->body.p, key_names[i], kn) &&
			    l->body.p[kn] == ':')
				return fail(ps, GS_EINVAL, l, l->body.p,
					    "key '%s' must come before the first annex section",
					    key_names[i]);
		}
		return fail(ps, GS_EINVAL, l, l->body.p,
			    "expected 'LEVEL = PARTY: label, ... | PARTY: label, ...'");
	}
	level = span_trim((struct span){ l->body.p, (size_t)eq });
	rest = span_trim((struct span){ l->body.p + eq + 1, l->body.n - (size_t)eq - 1 });
	never = span_eq(level, "never");
	if (!is_level_name(level))
		return fail(ps, GS_EINVAL, l, l->body.p,
			    "invalid level name '%.*s' (letters, digits, '-', '_', single spaces)",
			    (int)level.n, level.p);
	if (!span_copy(level, name, sizeof(name)))
		return fail(ps, GS_ELIMIT, l, level.p, "level name too long (at most %d bytes)",
			    GS_MAX_NAME - 1);
	if (span_eq(level, "all") || span_eq(level, "any"))
		return fail(ps, GS_EINVAL, l, level.p, "'%s' is reserved and cannot name a level",
			    name);
	if (never) {
		if (*never_line)
			return fail(ps, GS_EINVAL, l, level.p,
				    "duplicate 'never' row in annex %d", v->number);
		*never_line = true;
	} else {
		for (i = 0; i < v->nrows; i++)
			if (!strcmp(v->rows[i].level, name))
				return fail(ps, GS_EINVAL, l, level.p,
					    "duplicate level '%s' in annex %d", name, v->number);
		if (v->nrows >= GS_MAX_ANNEX_ROWS)
			return fail(ps, GS_ELIMIT, l, level.p, "too many rows in annex %d (at most %d)",
				    v->number, GS_MAX_ANNEX_ROWS);
		memcpy(v->rows[v->nrows].level, name, sizeof(name));
	}
	if (rest.n == 0)
		return fail(ps, GS_EINVAL, l, l->body.p + eq, "row '%s' has no cells", name);
	for (;;) {
		long bar = span_find(rest, '|');
		struct span cell = span_trim(bar < 0 ? rest : (struct span){ rest.p, (size_t)bar });

		if (cell.n == 0)
			return fail(ps, GS_EINVAL, l, bar < 0 ? rest.p : rest.p + bar,
				    "empty cell in row '%s'", name);
		ret = parse_cell(ps, l, cell, v, never, seen, name);
		if (ret)
			return ret;
		if (bar < 0)
			break;
		rest = (struct span){ rest.p + bar + 1, rest.n - (size_t)bar - 1 };
	}
	if (never)
		return 0;
	for (i = 0; i < a->nparties; i++)
		if (!seen[i])
			return fail(ps, GS_EINVAL, l, level.p,
				    "row '%s' has no cell for %s (use 'PARTY: protect-as LABEL' for a level with no equivalent)",
				    name, a->parties[i]);
	v->nrows++;
	return 0;
}

static int check_level_ref(struct parser *ps, enum key k, const char *level)
{
	const struct agreement *a = ps->a;
	int i, r;

	if (!level[0])
		return 0;
	if (a->nannex == 0)
		return fail_key(ps, GS_EINVAL, k, "%s '%s' names a level, but there is no annex",
				key_names[k], level);
	for (i = 0; i < a->nannex; i++) {
		for (r = 0; r < a->annex[i].nrows; r++)
			if (!strcmp(a->annex[i].rows[r].level, level))
				break;
		if (r == a->annex[i].nrows)
			return fail_key(ps, GS_EINVAL, k, "%s '%s' is not a level of annex %d",
					key_names[k], level, a->annex[i].number);
	}
	return 0;
}

static int parse_into(const char *text, size_t len, struct parser *ps)
{
	struct agreement *a = ps->a;
	struct textfmt r;
	struct textfmt_line l, annex_line = { 0 };
	bool in_annex = false, never_line = false, more;
	int ret, last = 1;

	ret = textfmt_open(&r, text, len, GS_MAX_AGREEMENT_BYTES, ps->d);
	if (ret)
		return ret;
	if (!textfmt_next(&r, &l) || l.no != 1 || l.body.p != l.start ||
	    !span_eq(l.body, AGREEMENT_MAGIC))
		return gs_diag_set(ps->d, GS_EINVAL,
				   "1:1: expected '" AGREEMENT_MAGIC "' on the first line");
	for (;;) {
		more = textfmt_next(&r, &l);
		if (more)
			last = l.no;
		if (!in_annex && (!more || l.body.p[0] == '[')) {
			ps->end_line = more ? l.no : last + 1;
			ret = finish_header(ps);
			if (ret)
				return ret;
			in_annex = true;
		}
		if (in_annex && a->nannex > 0 && (!more || l.body.p[0] == '[') &&
		    a->annex[a->nannex - 1].nrows == 0)
			return fail(ps, GS_EINVAL, &annex_line, annex_line.body.p,
				    "annex %d has no rows", a->nannex);
		if (!more)
			break;
		if (l.body.p[0] == '[') {
			ret = begin_annex(ps, &l);
			if (ret)
				return ret;
			annex_line = l;
			never_line = false;
			continue;
		}
		if (in_annex) {
			ret = parse_row(ps, &l, &never_line);
			if (ret)
				return ret;
			continue;
		}
		{
			struct span key, val;
			int k;

			if (!textfmt_key_value(&l, &key, &val, ps->d))
				return GS_EINVAL;
			for (k = 0; k < K_COUNT; k++)
				if (span_eq(key, key_names[k]))
					break;
			if (k == K_COUNT)
				return fail(ps, GS_EINVAL, &l, key.p, "unknown key '%.*s'", (int)key.n,
					    key.p);
			if (has(ps, (enum key)k))
				return fail(ps, GS_EINVAL, &l, key.p,
					    "duplicate key '%s' (first on line %d)", key_names[k],
					    ps->line[k].no);
			ps->line[k] = l;
			ps->val[k] = val;
		}
	}
	if (a->kind == AGREEMENT_TREATY && a->nannex == 0)
		return gs_diag_set(ps->d, GS_EINVAL,
				   "%d:1: missing annex (at least one '[annex 1 effective YYYY-MM-DD]' section)",
				   last + 1);
	if ((ret = check_level_ref(ps, K_PSC, a->rules.psc_from)) != 0 ||
	    (ret = check_level_ref(ps, K_RECEIPTS, a->rules.receipts_from)) != 0)
		return ret;
	return 0;
}

int agreement_parse(const char *text, size_t len, struct agreement *out, struct gs_diag *d)
{
	struct parser ps;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.a = out;
	ps.d = d;
	ret = parse_into(text, len, &ps);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

struct agreement *agreement_new(void)
{
	return calloc(1, sizeof(struct agreement));
}

void agreement_free(struct agreement *a)
{
	free(a);
}

int agreement_party_index(const struct agreement *a, const char *code)
{
	int i;

	for (i = 0; i < a->nparties && i < GS_MAX_PARTIES; i++)
		if (!strcmp(a->parties[i], code))
			return i;
	return -1;
}

const struct annex_version *agreement_annex_at(const struct agreement *a, struct gs_date day)
{
	const struct annex_version *best = NULL;
	int i;

	for (i = 0; i < a->nannex && i < GS_MAX_ANNEX_VERSIONS; i++)
		if (date_cmp(a->annex[i].effective, day) <= 0)
			best = &a->annex[i];
	return best;
}

int annex_find(const struct annex_version *v, int party, const char *label, bool *is_never)
{
	int r, j;

	if (is_never)
		*is_never = false;
	if (!v || party < 0 || party >= GS_MAX_PARTIES)
		return -1;
	for (r = 0; r < v->nrows && r < GS_MAX_ANNEX_ROWS; r++) {
		const struct annex_cell *c = &v->rows[r].cells[party];

		if (c->protect_as)
			continue;
		for (j = 0; j < c->nlabels; j++)
			if (!strcmp(c->labels[j], label))
				return r;
	}
	for (j = 0; j < v->nnever && j < GS_MAX_NEVER; j++) {
		if (v->never[j].party == party && !strcmp(v->never[j].label, label)) {
			if (is_never)
				*is_never = true;
			break;
		}
	}
	return -1;
}
