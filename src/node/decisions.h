/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_DECISIONS_H
#define GS_NODE_DECISIONS_H

/*
 * Every decision this node takes, with the facts it holds (docs/rules.md).
 * The rules are core/decide.h; this module only gathers what they read:
 * the agreement as in effect at the instant and its lifecycle state, the
 * parties, the person and the facility, and every consent the node holds.
 *
 * It is the one code path for the actions (release, onward release, open,
 * copy, translate, the inventory a person may open) and for "would this
 * be allowed?" (gsomia decide, the local API's decide calls): a
 * question asked at an instant gets exactly the answer the action would
 * get at that instant. The actions ask at the node's clock (node_now());
 * a question may name any instant. Nothing here changes or records
 * anything.
 *
 * Each node_judge_*() returns 0 with *out filled in, permit or deny (a
 * refusal is an answer, not a failure), or an error in d when the
 * question cannot be asked (an unknown agreement, party, person or
 * facility) or the node fails (GS_ENOMEM, GS_EIO): an error never passes
 * for a refusal, and a refusal is never an error.
 */

#include "core/decide.h"
#include "node/node.h"

/* What a decide_*() returned, as the node passes it on: 0 when the rules
 * answered (read the decision's permit), else GS_EINTERNAL with a
 * sentence in d naming the question: the node asked with impossible
 * input, a defect of the node that must never pass for a rule's refusal
 * (docs/rules.md). */
int node_ruled(int engine_ret, const char *question, struct gs_diag *d);

/* Release (Art 1, 4, 5, 21) of the holding h, held by this node, to party
 * `to` under agreement at `at`: the agreement's state and the version in
 * effect at `at`, the originator and recipient parties, every consent. */
int node_judge_release(struct node *n, const struct holding *h, const char *agreement, const char *to,
		       gs_instant at, struct decision *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Onward release (Art 5, TISA) of h, another party's item held here, to
 * `to`: decide_onward under arrangement (NULL: none; it must be an
 * arrangement in force at `at` relying on agreement), then, if agreement
 * is given, the leg's own release under it (node_judge_release). */
int node_judge_onward(struct node *n, const struct holding *h, const char *arrangement,
		      const char *agreement, const char *to, gs_instant at, struct decision *out,
		      struct gs_diag *d) __attribute__((warn_unused_result));

/* Access (Art 5, 6, 7): person opening h at facility (NULL or "": the
 * person's own) for purpose (NULL: the purpose released for) at `at`,
 * under the agreement h was released under as in effect at `at` (its
 * state is no input: survival). */
int node_judge_access(struct node *n, const struct holding *h, const char *person,
		      const char *facility, const char *purpose, gs_instant at, struct decision *out,
		      struct gs_diag *d) __attribute__((warn_unused_result));

/* ---- questions about a hypothetical item (gsomia decide) ---- */

struct decide_query {
	const char *agreement;   /* release, access: the agreement; onward: the leg's (may be NULL) */
	const char *arrangement; /* onward: the arrangement, or NULL */
	const char *item;        /* access, onward: a held item (then the four below are not used) */
	const char *originator;  /* NULL = this node's party */
	const char *label;       /* the item's classification in the originator's scheme */
	const char *purpose;     /* the purpose released for */
	const char *topic;
	const char *to;          /* release, onward: the recipient */
	const char *person;      /* access */
	const char *facility;    /* access: NULL = the person's facility */
	const char *use;         /* access: the purpose of this use; NULL = the purpose released for */
	gs_instant at;
	/* the agreement's state to decide by: NULL, the state at `at` from the
	 * notes held; else another (a history replayed without a note) */
	const struct lifecycle_status *status;
};

/* The holding the question is about: the held item q->item, or a
 * hypothetical one: this node's own (marked with the original label) or,
 * when q->originator is another party and agreement is given, one received
 * from it under that agreement at q->at (marked as the agreement says). */
int node_decide_release(struct node *n, const struct decide_query *q, struct decision *out,
			struct gs_diag *d);
int node_decide_access(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d);
int node_decide_onward(struct node *n, const struct decide_query *q, struct decision *out,
		       struct gs_diag *d);

#endif
