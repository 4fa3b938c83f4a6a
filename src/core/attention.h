/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_ATTENTION_H
#define GS_CORE_ATTENTION_H

/*
 * What needs attention (docs/commands.md "attention"): every deadline the
 * node follows, classified at an instant against a look-ahead window.
 * Pure: the node gathers the deadlines (node/attention.c), this module
 * says which of them are due, overdue or not yet worth a look.
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/time.h"
#include "util/err.h"

enum attention_kind {
	ATTN_NOTICE_DEADLINE = 0, /* the last day to give (or answer) a termination notice */
	ATTN_AGREEMENT_ENDS,      /* a pending notice ends the agreement */
	ATTN_PSC_EXPIRING,        /* a person's PSC ends */
	ATTN_RECEIPT_OVERDUE,     /* a release without the recipient's receipt */
	ATTN_INCIDENT,            /* an incident step late or outstanding (Art 17) */
	ATTN_INSPECTION_DUE,      /* a contractor facility's periodic inspection (Art 16(g)) */
	ATTN_CONSENT_EXPIRING,    /* an originator's consent ends (Art 5) */
	ATTN_VISIT,               /* a visit to answer, awaiting an answer, or about to start (Art 8) */
	ATTN_KINDS_
};

/* "notice-deadline", "agreement-ends", "psc-expiring", "receipt-overdue",
 * "incident", "inspection-due", "consent-expiring", "visit". */
const char *attention_kind_name(enum attention_kind k);

enum attention_urgency {
	ATTN_LATER = 0,   /* beyond the window: nothing to show */
	ATTN_COMING = 1,  /* due within the window */
	ATTN_OVERDUE = 2, /* due at or before now */
};

/* Where due falls: overdue at or before now, coming within
 * (now, now + within], later beyond. A NONE due is always "coming"
 * (something waits without a date, e.g. a request to answer). */
enum attention_urgency attention_classify(gs_instant due, gs_instant now, int64_t within);

/* A window as people write it: "30d", "2w", "12h" (1 to 3660 days).
 * Seconds in *out; GS_EINVAL otherwise. */
int attention_window_parse(const char *s, int64_t *out);

#endif
