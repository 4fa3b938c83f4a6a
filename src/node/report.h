/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_REPORT_H
#define GS_NODE_REPORT_H

/*
 * Reports for the annual review (docs/reports.md): for one agreement and
 * one term, what this node's ledger says it did (core/report.h counts),
 * computed at a signed checkpoint of each log read, so that the other
 * party can check the figures against its own log ('gsomia report check').
 *
 * The logs read are this node's logs for the agreement's other parties
 * and its internal log (its people's use of its own items); each only up
 * to the size of its checkpoint. With the node's keys a fresh checkpoint
 * is signed first; without, the latest one held is used and the report
 * says how many entries came after it.
 *
 * Formats: JSON (the whole report, with the signed checkpoints), CSV (one
 * row per figure, then the term and the checkpoints as rows) and a
 * printable HTML page with the agreement's markings.
 */

#include <jansson.h>
#include <stddef.h>

#include "core/report.h"
#include "node/node.h"

#define REPORT_FORMAT "gsomia-report/v1"

/* Computes the report; *out is a JSON object (docs/reports.md). */
int node_report(struct node *n, const char *agreement, int term, json_t **out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The report as CSV, and as a printable HTML page (malloc'd, NUL-terminated). */
char *report_csv(json_t *report, size_t *len);
char *report_html(json_t *report, size_t *len);

/* Checks another party's report (JSON) against this node's own log for
 * that party: its checkpoints are signed by the party's registered key;
 * what it says it released to this node is what this node received from
 * it, by originator and label, and the reverse; the consents granted and
 * refused between them (a request is logged by both only when it travels
 * through the outbox, so requests are not compared). *out gets one entry per
 * figure compared (section, originator, label, theirs, ours, agree).
 * Returns 0 when everything agrees, GS_EDENIED when a figure differs,
 * or an error (a forged checkpoint, a report about another term...). */
int node_report_check(struct node *n, json_t *theirs, json_t **out, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
