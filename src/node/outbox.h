/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_OUTBOX_H
#define GS_NODE_OUTBOX_H

/*
 * The durable outbox, as the node keeps it (docs/api.md "The outbox"):
 * releases, receipts and notes wait here until the peer's node has taken
 * them. An entry is a row naming a file kept in the home; it is added in
 * the same transaction as the action that made the file when the action
 * delivers (node_release with deliver set), so that a crash never leaves
 * a release that is never sent. Entries are idempotent on
 * (kind, ref, peer): an entry is added once.
 *
 * The courier (net/courier.h) takes the due entries, speaks HTTPS, and
 * settles each one here: delivered (a bundle's reply carries the
 * recipient's signed receipt, imported at once), refused by the peer (a
 * 4xx: the entry ends with the peer's reason), or left for a retry with
 * exponential backoff (1 s doubling to 5 min, on the machine's clock);
 * the first delivery to a peer after failures ends the backoff of the
 * rest of its backlog.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "node/node.h"

/* Whether the outbox can carry something to party code: registered, with
 * an endpoint and a TLS pin in its identity (GS_ESTATE if not). Checked
 * before anything is made for it. */
int node_outbox_reachable(struct node *n, const char *code, struct gs_diag *d);

/* Queues file `path` (kept where it is) for delivery to peer. Inside the
 * caller's transaction when there is one, else on its own. */
int node_outbox_add(struct node *n, const char *peer, const char *kind, const char *ref, const char *path,
		    struct gs_diag *d);

/*
 * The outbox's bell: rung after every COMMIT that queued or changed an
 * entry (and after an entry queued on its own), so that a courier waiting
 * in node_outbox_wait() starts at once instead of at its next round. One
 * per process: every node handle of the process rings the same bell.
 */
void node_outbox_ring(void);
/* Waits until the bell rang since *seen (the count a previous call left)
 * or ms passed; *seen becomes the current count. Whether it rang. */
bool node_outbox_wait(uint64_t *seen, unsigned ms);
/* Makes n's commits ring the bell (node_open() does it). */
void node_outbox_bell_attach(struct node *n);

/* Keeps a note made for peers as HOME/outgoing/KIND-REF.note (the outbox
 * names files that stay; path gets its name) and queues it for each. */
int node_outbox_keep_and_queue(struct node *n, const char *kind, const char *ref, const char *note, size_t len,
			       const char *const *peers, size_t npeers, char *path, size_t cap,
			       struct gs_diag *d);

/* One entry due for delivery, as the courier takes it. */
struct outbox_entry {
	char id[GS_MAX_NAME];
	char peer[GS_MAX_CODE];
	char kind[GS_NET_MAX_KIND];
	char ref[GS_MAX_NAME];
	char path[GS_HOME_MAX + 128];
	int64_t attempts;
};

/* The entries due now (pending, their next attempt reached), oldest
 * first, at most max of them: *out is malloc'd (free it). */
int node_outbox_due(struct node *n, size_t max, struct outbox_entry **out, size_t *count, struct gs_diag *d);

enum outbox_outcome {
	OUTBOX_DELIVERED, /* the peer took it (HTTP 200); reply: its JSON answer */
	OUTBOX_REFUSED,   /* the peer refused it (4xx): it is not sent again */
	OUTBOX_RETRY,     /* anything else: tried again after a backoff */
};

/* Records what became of one attempt at entry e. why: the courier's
 * words (the peer's reason, the error on the way, or a note on a
 * delivered one). For a delivered bundle, the recipient's receipt in the
 * reply (receipt_b64) is imported; a receipt that is not accepted is
 * noted on the entry, which stays delivered. An entry delivered after
 * failed attempts makes every other pending entry for its peer due now:
 * the peer is back, and its backlog goes at once. */
int node_outbox_settle(struct node *n, const struct outbox_entry *e, enum outbox_outcome outcome,
		       const char *why, const char *reply, struct gs_diag *d);

/* What became of one attempt, for node_outbox_settle_many. */
struct outbox_settlement {
	const struct outbox_entry *e;
	enum outbox_outcome outcome;
	const char *why, *reply; /* as for node_outbox_settle */
};

/* node_outbox_settle for several attempts at once (those that ended
 * together): receipts imported one by one, then every entry's new state
 * in one transaction. On failure no entry changed state: each stays due,
 * is sent again, and is kept once by the peer. */
int node_outbox_settle_many(struct node *n, const struct outbox_settlement *s, size_t count, struct gs_diag *d);

/* Puts entry `id` (refused, or pending) back to be delivered at the next
 * pass: after the peer fixed what made it refuse (a node upgraded to read
 * bundle v2, a party registered). GS_ENOTFOUND no such entry, GS_ESTATE
 * it was delivered. */
int node_outbox_retry(struct node *n, const char *id, struct gs_diag *d);

/* The outbox as JSON (every entry, newest last). */
int node_outbox_list(struct node *n, json_t **out, struct gs_diag *d);

#endif
