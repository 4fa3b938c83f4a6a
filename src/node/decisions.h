/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_DECISIONS_H
#define GS_NODE_DECISIONS_H

/*
 * "Would this be allowed?": the decision engine of core/decide.h asked
 * with what the node holds (agreements and their notes, parties'
 * schemes, the registers) about a hypothetical item, at any instant.
 * Nothing is changed and nothing is recorded.
 */

#include "core/decide.h"
#include "node/node.h"

struct decide_query {
	const char *agreement;   /* release, access: the agreement; onward: the arrangement or NULL */
	const char *originator;  /* NULL = this node's party */
	const char *label;       /* the item's classification in the originator's scheme */
	const char *purpose;
	const char *topic;
	const char *to;          /* release, onward: the recipient */
	const char *person;      /* access */
	const char *facility;    /* access: NULL = the person's facility */
	gs_instant at;
	/* the agreement's state to decide by: NULL, the state at `at` from the
	 * notes held; else another (a history replayed without a note) */
	const struct lifecycle_status *status;
};

int node_decide_release(struct node *n, const struct decide_query *q, struct decision *out,
			struct gs_diag *d);
int node_decide_access(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d);
int node_decide_onward(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d);

#endif
