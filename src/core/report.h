/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_REPORT_H
#define GS_CORE_REPORT_H

/*
 * The annual review's figures (docs/reports.md): what a node did under one
 * agreement in one term, counted from its ledger. Pure: the node layer
 * turns ledger entries into report_event facts; this module decides which
 * figure each counts toward, and the term's bounds.
 *
 * A fact counts in the term [start, end) that holds its instant. A release
 * and the matching receipt count by the release's instant on both sides
 * (the receiver takes it from the bundle), so that the two parties' figures
 * for a term agree even for a bundle released on the last evening of a
 * term and received on the first morning of the next.
 *
 * Figures are rows: a section, and what it is broken down by, with a count.
 *
 *   section        broken down by                      counts
 *   releases       peer, originator, label (direction out)   bundles released to the peer
 *   receipts       peer, originator, label (direction in)    bundles received from the peer
 *   acknowledged   peer                                      our releases the peer's receipt came back for
 *   onward         peer, originator, direction               onward releases (a third party's item)
 *   consents       peer, key = request|grant|refusal, direction (out: made here)
 *   refusals       key = the rule, label = the action refused
 *   access         key = grant                               opens permitted
 *   incidents      key = the kind; label = timely|late|results
 *   visits         peer
 *   custody        key = destruction|return|copy|translation|reclassification
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agreement.h"
#include "core/lifecycle.h"
#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

#define REPORT_MAX_ROWS 512
#define REPORT_KEY_MAX 64

/* What happened, as the node's ledger says (node/report.c fills it). */
enum report_fact {
	FACT_RELEASE = 1,      /* we released a bundle to peer */
	FACT_RECEIPT,          /* we received a bundle from peer */
	FACT_ACKNOWLEDGED,     /* peer's receipt for our release came back */
	FACT_CONSENT,          /* a consent request, grant or refusal */
	FACT_ACCESS_GRANT,
	FACT_ACCESS_REFUSAL,
	FACT_INCIDENT,
	FACT_VISIT,
	FACT_DESTRUCTION,
	FACT_RETURN,
	FACT_COPY,
	FACT_TRANSLATION,
	FACT_RECLASSIFICATION,
};

struct report_event {
	enum report_fact fact;
	gs_instant at;          /* when it counts (a release's instant for releases and receipts) */
	const char *self;       /* this node's party */
	const char *peer;       /* the counterparty ("" for none) */
	const char *originator; /* the item's originator ("" unknown) */
	const char *label;      /* the item's label in its originator's scheme */
	const char *rule;       /* refusals: the rule id */
	const char *action;     /* refusals: open, copy, translate... */
	const char *kind;       /* consents: request|grant|refusal; incidents: the kind */
	const char *step;       /* incidents: notice, investigation, results */
	bool late;              /* incidents: the notice came after its deadline */
	bool made_here;         /* consents: made by this node */
};

struct report_row {
	char section[16];
	char peer[GS_MAX_CODE];
	char direction[4];      /* "out", "in" or "" */
	char originator[GS_MAX_CODE];
	char label[GS_MAX_LABEL];
	char key[REPORT_KEY_MAX];
	uint64_t count;
};

struct report_tally {
	gs_instant start, end;  /* the term */
	size_t nrows;
	struct report_row rows[REPORT_MAX_ROWS];
	uint64_t counted;       /* facts that counted */
};

/* Starts a tally for the term [start, end). */
void report_tally_init(struct report_tally *t, gs_instant start, gs_instant end);

/* Counts e if it falls in the term. GS_ELIMIT when more than
 * REPORT_MAX_ROWS distinct rows would be needed. */
int report_count(struct report_tally *t, const struct report_event *e) __attribute__((warn_unused_result));

/* The count of the row that matches (NULL fields match anything); for
 * tests and the cross-check. */
uint64_t report_sum(const struct report_tally *t, const char *section, const char *peer, const char *direction,
		    const char *originator, const char *label, const char *key);

/* Sorts the rows (section order as above, then the fields), so that two
 * tallies of the same facts print the same. */
void report_sort(struct report_tally *t);

/* The bounds of term (1-based) of an agreement: [start, end), end
 * GS_INSTANT_NONE if the agreement ended within the term without a fixed
 * end. GS_ENOTFOUND if the agreement never had that term (not in force,
 * or terminated before it began). */
int report_term_bounds(const struct agreement *a, bool signed_by_all, const struct dipnote *notes, size_t nnotes,
		       int term, gs_instant *start, gs_instant *end, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
