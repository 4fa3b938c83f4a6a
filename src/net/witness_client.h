/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_WITNESS_CLIENT_H
#define GS_NET_WITNESS_CLIENT_H

/*
 * Having this node's logs witnessed by its peers (node/witness.h,
 * docs/ledger.md "Witnessing"): the checkpoint of the log for a peer, and
 * the consistency proof from the size the peer last cosigned, go to the
 * peer's POST /v1/peer/checkpoint over mutual TLS; on 409 the proof is
 * made again, once, from the size the peer reports; the cosignature that
 * comes back is verified with the peer's key and kept with the
 * checkpoint. Nothing is appended to the ledger.
 */

#include <stdbool.h>
#include <stdint.h>

#include "node/node.h"
#include "util/err.h"

struct witness_result {
	uint64_t size;      /* the size cosigned */
	uint64_t old_size;  /* the size the proof started from */
	uint64_t timestamp; /* the cosignature's time */
	bool already;       /* nothing sent: the peer had cosigned this size */
	bool retried;       /* the peer answered 409 first */
};

/* Witnesses the log for peer. Errors: as witness_request_make (GS_ESTATE
 * when the node is locked and a checkpoint must be signed), peer_post's
 * for the way there, and for the peer's answer GS_ECRYPTO (422: it found
 * the checkpoint inconsistent, or its cosignature does not verify),
 * GS_EDENIED (403), GS_ESTATE (409 twice), GS_EINVAL (other 4xx), GS_EIO
 * (5xx). */
int witness_peer(struct node *n, const char *peer, struct witness_result *res, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The courier's round: witness_peer for each peer with an endpoint whose
 * log needs it (witness_needed). fn (may be NULL) hears of each attempt. */
int witness_due(struct node *n,
		void (*fn)(void *ctx, const char *peer, int ret, const struct witness_result *res,
			   const struct gs_diag *d),
		void *ctx, struct gs_diag *d);

#endif
