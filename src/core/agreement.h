/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_AGREEMENT_H
#define GS_CORE_AGREEMENT_H

/*
 * An agreement (or a non-binding arrangement) made executable: its
 * parties, zone, term model, the configurable rules of docs/lifecycle.md and docs/rules.md and its
 * versioned equivalence annex. Parsed from the human-writable text format
 * of docs/agreement-format.md; every party signs those exact bytes.
 *
 * A struct agreement is large (fixed arrays, so that decisions never
 * allocate): allocate it with agreement_new() and free it with
 * agreement_free(). Once parsed it is read-only; every function here and
 * in lifecycle.h / decide.h takes it const.
 *
 * Party indexes: an agreement lists its parties in order; "party index"
 * everywhere means an index into agreement.parties.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

enum agreement_kind {
	AGREEMENT_TREATY = 0,      /* a binding agreement (GSOMIA) */
	AGREEMENT_ARRANGEMENT = 1, /* rides on agreements, e.g. TISA */
};

/* When the agreement enters into force (docs/lifecycle.md). */
enum eif_rule {
	EIF_LATER_OF_NOTES = 0,  /* day of the later domestic-procedures note */
	EIF_ON_SIGNATURE = 1,    /* the signing date */
	EIF_DAYS_AFTER_NOTES = 2 /* eif_days after the later note */
};

enum term_model {
	TERM_ANNUAL = 0,    /* one year, renewed each anniversary unless notice */
	TERM_INDEFINITE = 1 /* until a notice period after receipt of notice */
};

/* Last timely day for a notice against anniversary A (TERM_ANNUAL). */
enum notice_rule {
	NOTICE_LAST_DAY = 0,    /* on or before A - (notice_days + 1) days */
	NOTICE_ANNIVERSARY = 1, /* on or before A - notice_days days */
};

enum late_notice {
	LATE_CARRY_FORWARD = 0, /* targets the next anniversary it is timely for */
	LATE_REFUSE = 1,        /* ineffective; refused at import */
};

/* What a party's withdrawal of its suspension (a reactivation) does. */
enum suspension_policy {
	SUSPENSION_STRICT_TREATY = 0, /* a fresh notice, timely only for a later anniversary */
	SUSPENSION_AT_ANY_TIME = 1,   /* ends at the instant the party names, >= delivery */
};

/* How a state that did not sign at first joins (docs/lifecycle.md,
 * "Accession"): its accession note, accepted by every member or by the
 * depositary named in the definition. */
enum accession_rule {
	ACCESSION_CLOSED = 0,         /* no state may accede */
	ACCESSION_BY_ALL_MEMBERS = 1, /* every member at the time accepts */
	ACCESSION_BY_DEPOSITARY = 2,  /* the depositary party accepts */
};

enum marking_mode {
	MARKING_RECIPIENT_CONVERTS = 0, /* KOR-JPN: holder's equivalent + originator's name */
	MARKING_ORIGINATOR_DUAL = 1,    /* NL-SWE: originator marks both */
	MARKING_KEEP_ORIGINAL = 2,      /* NATO: originator's label kept */
};

enum nationality_policy {
	NATIONALITY_HOLDER_ONLY = 0, /* the holding party's nationals only */
	NATIONALITY_PARTIES = 1,     /* nationals of any party to the agreement */
};

/* A period such as "90 days", "6 months", "1 year". */
struct gs_period {
	int years;
	int months;
	int days;
};

struct agreement_term {
	enum eif_rule eif;
	int eif_days;               /* EIF_DAYS_AFTER_NOTES */
	enum term_model model;
	enum gs_leap_day leap_day;  /* anniversaries of 29 February */
	/* TERM_ANNUAL */
	int notice_days;            /* 90 */
	enum notice_rule notice_rule;
	enum late_notice late_notice;
	/* TERM_INDEFINITE: ends this long after receipt of notice */
	struct gs_period notice_period;
	enum suspension_policy suspension;
	enum accession_rule accession;
	char depositary[GS_MAX_CODE]; /* ACCESSION_BY_DEPOSITARY: one of parties; else "" */
};

/* One party's labels for one annex row. labels[0] is the default when
 * the recipient converts; a many-to-one row has several. protect_as: the
 * party has no true equivalent and safeguards items of this row as
 * labels[0]; it can receive under this row but not release under it. */
struct annex_cell {
	int nlabels; /* 0 = this party has no label for the row */
	char labels[GS_MAX_LABELS_PER_CELL][GS_MAX_LABEL];
	bool protect_as;
};

/* One level of the annex. Rows are ordered most sensitive first; a row's
 * rank is (nrows - index). */
struct annex_row {
	char level[GS_MAX_NAME]; /* common name: SECRET */
	struct annex_cell cells[GS_MAX_PARTIES]; /* by party index */
};

/* A label that may never be released (KOR 군사I급비밀 under KOR-JPN). */
struct annex_never {
	int party;
	char label[GS_MAX_LABEL];
};

struct annex_version {
	int number;            /* 1, 2, ... */
	struct gs_date effective;
	int nrows;
	struct annex_row rows[GS_MAX_ANNEX_ROWS];
	int nnever;
	struct annex_never never[GS_MAX_NEVER];
};

struct agreement_rules {
	enum marking_mode marking;
	enum nationality_policy nationality;
	bool dual_nationals_allowed;  /* a holder's national with another nationality too */
	char psc_from[GS_MAX_NAME];   /* annex level from which a PSC is required; "" = all */
	char receipts_from[GS_MAX_NAME]; /* annex level from which receipts are required; "" = all */
	int npurposes;                /* 0 = any */
	char purposes[GS_MAX_SCOPE][GS_MAX_NAME];
	int ntopics;                  /* 0 = any */
	char topics[GS_MAX_SCOPE][GS_MAX_NAME];
	int incident_deadline_hours;  /* notify the originator within; 24 */
	int visit_lead_days;          /* 0 for KOR-JPN */
	int inspection_interval_days; /* contractors' periodic inspections (Art 16(g)); 0 = none set */
	int receipt_deadline_days;    /* a receipt is overdue this long after its release; 7 */
};

struct agreement {
	char id[GS_MAX_ID];           /* KOR-JPN-2016 */
	char title[GS_MAX_TITLE];
	int version;                  /* 1; an amendment is a new version */
	struct gs_date effective;     /* version > 1: effective date of the amendment;
	                               * {0, 0, 0} for version 1 */
	enum agreement_kind kind;
	bool binding;                 /* false for arrangements such as TISA */
	int nparties;
	char parties[GS_MAX_PARTIES][GS_MAX_CODE];
	int32_t zone;                 /* day boundaries: +09:00 = 32400 */
	struct gs_date signed_on;
	struct agreement_term term;
	struct agreement_rules rules;
	int nannex;                   /* annex versions, by ascending effective date */
	struct annex_version annex[GS_MAX_ANNEX_VERSIONS];
	/* arrangements */
	char hub[GS_MAX_CODE];        /* "" if none */
	int nrelies;
	char relies_on[GS_MAX_RELIES_ON][GS_MAX_ID];
};

struct agreement *agreement_new(void);
void agreement_free(struct agreement *a);

/* Parses the definition text (docs/agreement-format.md) into *out (which
 * is reset first). On error returns GS_EINVAL (or GS_ELIMIT) with
 * "LINE:COL: what" in d; the caller prefixes the file name. */
int agreement_parse(const char *text, size_t len, struct agreement *out, struct gs_diag *d);

/* Index of party code in a->parties, or -1. */
int agreement_party_index(const struct agreement *a, const char *code);

/* The annex version in effect on local date day (the latest whose
 * effective date is <= day), or NULL if none is yet. */
const struct annex_version *agreement_annex_at(const struct agreement *a, struct gs_date day);

/* Row index of party's label in annex version v, or -1 if it has none.
 * *is_never (may be NULL) is set if the label is on the never-release
 * list, cleared otherwise. Protect-as cells never match: a party cannot
 * release under a row it only safeguards. */
int annex_find(const struct annex_version *v, int party, const char *label, bool *is_never);

#endif
