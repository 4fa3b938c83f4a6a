/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_RESTORE_CLIENT_H
#define GS_NET_RESTORE_CLIENT_H

/*
 * The check after a restore (node/restore.h): each peer is asked, over
 * mutual TLS, for the checkpoint it holds of this node's log for it
 * (GET /v1/peer/checkpoint), and the restored log is judged against it.
 * A peer that cannot be reached leaves its log unchecked (held).
 */

#include "node/restore.h"

/* Checks the log of every peer in the restore hold (every peer with a log
 * when the home has no hold). fn hears of each: ret 0 with the verdict,
 * or the error that left it unchecked. */
int restore_check_peers(struct node *n,
			void (*fn)(void *ctx, const char *peer, int ret, const struct restore_verdict *v,
				   const struct gs_diag *d),
			void *ctx, struct gs_diag *d) __attribute__((warn_unused_result));

#endif
