/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_INBOX_H
#define GS_NODE_INBOX_H

/*
 * The inbox: what a peer's node delivers (POST /v1/peer/deliver and
 * /v1/peer/deliver-file, docs/api.md "Deliveries") is kept as
 * HOME/inbox/KIND-ID, once each, and acted on at once:
 *
 *   bundle             received (node_receive); the signed receipt goes
 *                      back in the reply (receipt_b64)
 *   receipt            imported at the originator
 *   note               a diplomatic note about an agreement, imported
 *   consent            a consent, a refusal or a holder's request for one
 *   visit              a visit request at the host, or its answer
 *   incident           a holder's notice or a later step, at the originator
 *   reclassification   the originator's notice, applied (and forwarded on
 *                      by a node that passed the item on)
 *   restoration        a peer restored its log from a backup
 *
 * Nothing else is kept, so that a peer cannot fill the inbox with data no
 * command would take. A second delivery of the same (kind, id), at once
 * or years apart, is acknowledged and acted on as the first was
 * (idempotent: the peer keeps it once). A refusal removes the file, so
 * that a good copy can come later, and returns an error (the server
 * answers 4xx: the sender's outbox stops retrying); an error that may
 * pass (an incident step that came before the one it follows) is GS_EIO,
 * so that the sender tries again.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node.h"

/* Makes HOME/inbox if it is not there (a server, before it takes any). */
int node_inbox_ready(struct node *n, struct gs_diag *d);

/* Whether this node takes deliveries of kind at all. */
bool node_delivery_kind_taken(const char *kind);

/* A delivery of len bytes from peer. On success *reply_json is the
 * answer (malloc'd JSON: {"accepted":true,"duplicate":...} and what the
 * kind adds: "receipt_b64" and "item" for a bundle, "restoration",
 * "origin" and "lost" for a restoration, "not_queued" for a forward that
 * could not be queued). */
int node_deliver(struct node *n, const char *peer, const char *kind, const char *id, const uint8_t *body,
		 size_t len, char **reply_json, struct gs_diag *d);
/* The same for a delivery streamed to file (in HOME/tmp, on the inbox's
 * file system): synced, then linked into the inbox; file is left for the
 * caller to remove. Only a bundle may be larger than GS_NET_MAX_BODY. */
int node_deliver_file(struct node *n, const char *peer, const char *kind, const char *id, const char *file,
		      char **reply_json, struct gs_diag *d);

#endif
