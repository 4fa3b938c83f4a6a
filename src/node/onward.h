/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_ONWARD_H
#define GS_NODE_ONWARD_H

/*
 * Onward releases (docs/rules.md; Art 5; TISA): a holder that is
 * not the originator passes a held item on to a third party, under the
 * agreement of that leg and, optionally, an arrangement (TISA: the route
 * through the hub and the topic gate), with the originator's consent.
 *
 * At the hub, node_release_onward decides (decide_onward, decide_release
 * with the consents held), opens the stored bundle with the item's file
 * key into an anonymous memory file (memfd: the plaintext never touches
 * the disk), seals it again for the recipient with manifest originator =
 * the true originator, sender = this node, consent = the consent's note
 * id, and the marking the leg's agreement gives the recipient from this
 * node's own label. At the third party, onward_accept is what
 * node_receive asks before it holds such a bundle.
 */

#include "core/decide.h"
#include "crypto/bundle.h"
#include "node/items.h"
#include "node/node.h"

struct onward_request {
	const char *item;        /* held here, originated elsewhere */
	const char *to;
	const char *agreement;   /* the leg's agreement */
	const char *arrangement; /* may be NULL */
	const char *output;      /* bundle path ("-" = stdout) */
	bool deliver;            /* queue it for the recipient in the same transaction (node/outbox.h) */
	/* what is sealed for the recipient, when not the held plaintext as it
	 * is (a warning with the hub's own hop added, node/warnings.h): NULL
	 * seals the held item's plaintext */
	const uint8_t *data;
	size_t data_len;
};

/* GS_EDENIED with *dec filled when a rule refuses: nothing is stored. */
int node_release_onward(struct node *n, const struct onward_request *r, struct release_result *res,
			struct decision *dec, struct gs_diag *d);

/*
 * At the recipient of an onward bundle (manifest m verified, sender !=
 * originator, agreement a of the leg in force at m->created): accepts
 * only if this node holds the originator's consent whose note id is
 * m->consent, granted, naming this node as the third party, the sender
 * (or any holder), the item or its topic, the purpose, and valid at the
 * release instant m->created. Fills *mk with this node's marking under a
 * (from the sender's label) and the true originator's name.
 * GS_EDENIED with the reason in d.
 */
int onward_accept(struct node *n, const struct bundle_manifest *m, const struct agreement *a,
		  struct marking *mk, struct gs_diag *d);

#endif
