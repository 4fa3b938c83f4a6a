/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_COURIER_H
#define GS_NET_COURIER_H

/*
 * The courier: it carries what the node's outbox (node/outbox.h) holds
 * to the peers (docs/api.md "The outbox"). Each due entry's file is
 * POSTed, streamed, to the peer's /v1/peer/deliver-file over mutual TLS
 * (net/client.h). Several go at once, up to a cap per peer, over
 * connections (and TLS sessions) kept open from one delivery to the next;
 * one thread runs them all (libcurl multi) and settles each in the node
 * as it ends, so the node is used from the caller's thread only. Order
 * per relationship is the ledger's, not the wire's.
 *
 * A fresh bundle goes straight; one tried before first asks the peer how
 * much of it is kept (an interrupted delivery resumes there), and a 409
 * naming an offset is followed at once. What became of each attempt is
 * settled in the node: delivered (a bundle's reply carries the
 * recipient's receipt), refused (a 4xx other than 408, 429), or retried
 * later (anything else). A delivery that succeeds after failures makes
 * the rest of that peer's backlog due (node_outbox_settle), and the same
 * pass takes it.
 */

#include "node/node.h"

#define COURIER_IN_FLIGHT 8      /* transfers in flight per peer, by default */
#define COURIER_MAX_IN_FLIGHT 64 /* and at most */

/* Attempts every due entry once (an entry made due during the pass, a
 * backlog woken, is attempted in the same pass), in_flight transfers at
 * once per peer (0: COURIER_IN_FLIGHT). Counts what was delivered,
 * refused, and left for a retry. */
int courier_send(struct node *n, unsigned in_flight, int *delivered, int *refused, int *retry,
		 struct gs_diag *d);

/* courier_send with the default cap. */
int courier_deliver_due(struct node *n, int *delivered, int *refused, int *retry, struct gs_diag *d);

#endif
