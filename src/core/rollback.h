/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_ROLLBACK_H
#define GS_CORE_ROLLBACK_H

/*
 * Whether a node restored from a backup may go on appending to its log
 * for a peer (docs/operations.md "Restore"). The peer has cosigned, and
 * holds, a checkpoint of that log; the restored log must contain it:
 *
 *   - shorter than the size the peer holds: the entries from the restored
 *     size up to the peer's size are lost, and any new entry would give
 *     the log a second history at those indexes, which the peer would
 *     rightly take as a fork (a split view). BEHIND.
 *   - as long or longer, but with another root at the peer's size: the
 *     restored log is not the one the peer saw. FORKED.
 *   - otherwise the peer's checkpoint is a prefix of the restored log. OK.
 *
 * Until every log is OK, or the officer has signed a restoration notice
 * saying what was lost, the node refuses to append to that log.
 * Pure: plain values in, a verdict and a sentence out.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rollback_verdict {
	ROLLBACK_OK = 0,
	ROLLBACK_BEHIND,
	ROLLBACK_FORKED,
};

/* restored: the restored log's size; held: the size of the peer's
 * checkpoint (0: it holds none); same_root: whether the restored log's
 * root at size held equals the checkpoint's (ignored when BEHIND). */
enum rollback_verdict rollback_judge(uint64_t restored, uint64_t held, bool same_root);

/* The verdict's name: "ok", "behind", "forked". */
const char *rollback_verdict_name(enum rollback_verdict v);

/* One sentence on the verdict for the log origin and peer, into out. */
void rollback_explain(enum rollback_verdict v, const char *origin, const char *peer, uint64_t restored,
		      uint64_t held, char *out, size_t cap);

#endif
