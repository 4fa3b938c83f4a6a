/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_CUSTODY_H
#define GS_NODE_CUSTODY_H

/*
 * The rest of an item's custody chain at a node (docs/rules.md;
 * docs/items.md):
 *
 *   copy         a reproduction (Art 14): a new item <ITEM>-c<k> linked to
 *                its original, with the same markings, sharing its
 *                ciphertext (the file key is sealed again under the new id)
 *   translate    a translation (Art 15) by a cleared translator: the
 *                translated file sealed for this node itself, a new item
 *                <ITEM>-t<k> with a note in the target language naming the
 *                originator
 *   reclassify   the originator's signed notice (Art 6(g)); the recipient
 *                applies it to the item and every copy and translation
 *   destroy,     (Art 6(h), 13) the item's key is destroyed, then its
 *   return       ciphertext when no other item shares it; who, when, how
 *                and the witness are recorded; every later action is refused
 *
 * Each action checks, then stores in one transaction the item records, the
 * custody events and the ledger entries, or nothing.
 *
 * A refusal returns GS_EDENIED and fills *ref with the rule that decided
 * (a decide.h rule id such as "access.psc-none", or one of this module's:
 * "translate.role", "translate.psc", "custody.status", "custody.copies",
 * "reclassify.signature", ...) and a sentence. Other errors fill d.
 */

#include <jansson.h>

#include "crypto/bundle.h"
#include "node/node.h"

#define CUSTODY_MAX_COPIES 100      /* copies made by one command */

struct custody_refusal {
	char rule[64];
	char reason[GS_MAX_LINE];
	bool logged;      /* the refusal is a ledger entry (access refusals) */
};

struct copy_request {
	const char *item;
	const char *person;
	const char *facility; /* NULL: where the original is kept */
	int count;            /* 1 to CUSTODY_MAX_COPIES */
};

/* Makes count copies; their ids go into the array *ids (caller frees). */
int node_copy(struct node *n, const struct copy_request *r, json_t **ids, struct custody_refusal *ref,
	      struct gs_diag *d);

struct translate_request {
	const char *item;
	const char *person;
	const char *language; /* BCP 47 primary tag: ko, ja, en, ... */
	const char *file;     /* the translated document */
};

struct translate_result {
	char item[GS_MAX_ID];
	char bundle[BUNDLE_ID_HEX];
	char note[GS_MAX_LINE];
};

int node_translate(struct node *n, const struct translate_request *r, struct translate_result *res,
		   struct custody_refusal *ref, struct gs_diag *d);

/* The note a translation into language carries, naming originator (a
 * party code; name is used for parties the table does not know). */
void translation_note(const char *language, const char *originator, const char *name, char *out,
		      size_t cap);

/* What leaves the node about a reclassification: one signed file per
 * party, kept under HOME/outgoing (path), for the outbox (kind
 * "reclassification", ref) or to be carried by hand. */
struct reclassify_delivery {
	char to[GS_MAX_CODE];
	char ref[GS_MAX_ID];
	char path[GS_PATH_MAX];
};

struct reclassify_deliveries {
	int n;
	struct reclassify_delivery v[GS_MAX_PARTIES];
};

/* At the originator: signs a reclassification notice for item (one of
 * this node's own originals), applies it to its own record and copies,
 * and logs it in the log of every party the item was released to. The
 * signed notice goes to *note (malloc'd, *len bytes), and is kept for
 * delivery to each of those parties (*out). */
int node_reclassify_notice(struct node *n, const char *item, const char *label, char **note, size_t *len,
			   struct reclassify_deliveries *out, struct custody_refusal *ref, struct gs_diag *d);

struct reclassify_result {
	char item[GS_MAX_ID];
	char label[GS_MAX_LABEL];
	char marking[GS_BUNDLE_MAX_BANNER];
	bool already_applied;
	json_t *applied;  /* ids changed (caller frees) */
	/* the forwards this node made for the parties it passed the item on
	 * to (TISA: at the hub), each signed here */
	struct reclassify_deliveries forwards;
};

/* At a holder: verifies the originator's notice (alone, or forwarded by
 * the party that passed the item on to this node) and applies it; a node
 * that passed the item on forwards it in turn (res->forwards). */
int node_reclassify_apply(struct node *n, const char *path, struct reclassify_result *res,
			  struct custody_refusal *ref, struct gs_diag *d);

struct dispose_request {
	const char *item;
	const char *person;
	const char *method;   /* destroy: required; return: may be NULL */
	const char *witness;  /* destroy: required; return: may be NULL */
	bool destroy;         /* true: destroy; false: return to the originator */
};

struct dispose_result {
	bool object_removed;  /* the ciphertext was unlinked */
	char object[GS_PATH_MAX];
};

int node_dispose(struct node *n, const struct dispose_request *r, struct dispose_result *res,
		 struct custody_refusal *ref, struct gs_diag *d);

#endif
