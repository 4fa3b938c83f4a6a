/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_ATTENTION_H
#define GS_NODE_ATTENTION_H

/*
 * What needs attention at this node (docs/commands.md "attention"): for
 * each agreement and holding, the deadlines the node follows that fall
 * within a window from its clock, or are past: notice deadlines and
 * pending ends, PSCs expiring, receipts overdue, incident steps late or
 * outstanding, contractors' inspections due, consents about to expire,
 * visits to answer or about to start. Reads only.
 */

#include <jansson.h>
#include <stdint.h>

#include "node/node.h"

/* {at, within_seconds, total, counts: {kind: n}, items: [{kind, subject,
 * agreement, due, overdue, what}]} sorted by due (undated first). */
int node_attention(struct node *n, int64_t within, json_t **out, struct gs_diag *d);

#endif
