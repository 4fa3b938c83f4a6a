/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_COURIER_H
#define GS_NET_COURIER_H

/*
 * The courier: it carries what the node's outbox (node/outbox.h) holds
 * to the peers. Each due entry's file is POSTed, streamed, to the peer's
 * /v1/peer/deliver-file over mutual TLS (net/client.h); a bundle whose
 * delivery was interrupted resumes at the length the peer kept. What
 * became of each attempt is settled in the node: delivered (a bundle's
 * reply carries the recipient's receipt), refused (a 4xx), or retried
 * later (anything else).
 */

#include "node/node.h"

/* Attempts every due entry once. Counts what was delivered, refused,
 * and left for a retry. */
int courier_deliver_due(struct node *n, int *delivered, int *refused, int *retry, struct gs_diag *d);

#endif
