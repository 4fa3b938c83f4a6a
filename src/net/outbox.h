/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_OUTBOX_H
#define GS_NET_OUTBOX_H

/*
 * The durable outbox: releases, receipts and notes wait here until the
 * peer's node has taken them. An entry is a row (store.h) naming a file
 * kept in the home; delivery POSTs it to the peer's /v1/peer/deliver over
 * mutual TLS, retried with exponential backoff (1 s doubling to 5 min,
 * on the system clock) while the peer is down, and survives restarts of
 * either node. Deliveries are idempotent on (kind, id) at both ends: an
 * entry is added once, and the peer keeps a thing delivered twice once.
 * A 4xx answer (the peer refused it) ends the entry as "refused" with the
 * peer's reason; anything else is retried.
 *
 * The reply to a bundle carries the recipient's signed receipt, which is
 * imported at once (receipt import), closing the loop.
 */

#include <jansson.h>

#include "node/node.h"

/* Queues file `path` (kept where it is) for delivery to peer. */
int outbox_enqueue(struct node *n, const char *peer, const char *kind, const char *ref,
		   const char *path, struct gs_diag *d);

/* Keeps a note made for peers as HOME/outgoing/KIND-REF.note (the outbox
 * names files that stay; path gets its name) and queues it for each. */
int outbox_keep_and_queue(struct node *n, const char *kind, const char *ref, const char *note, size_t len,
			  const char *const *peers, size_t npeers, char *path, size_t cap, struct gs_diag *d);

/* Attempts every due entry once. Counts what was delivered, refused,
 * and left for a retry. */
int outbox_deliver_due(struct node *n, int *delivered, int *refused, int *retry, struct gs_diag *d);

/* Puts entry `id` (refused, or pending) back to be delivered at the next
 * pass: after the peer fixed what made it refuse (a node upgraded to read
 * bundle v2, a party registered). GS_ENOTFOUND no such entry, GS_ESTATE
 * it was delivered. */
int outbox_retry(struct node *n, const char *id, struct gs_diag *d);

/* The outbox as JSON (every entry, newest last). */
int outbox_list(struct node *n, json_t **out, struct gs_diag *d);

#endif
