/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_RESTORE_H
#define GS_NODE_RESTORE_H

/*
 * After a restore (docs/operations.md "Restore"): a restored home may hold
 * a shorter ledger than its peers have cosigned. Appending to such a log
 * would give it a second history at indexes a peer has already seen (a
 * fork, core/rollback.h). So a restore puts a hold on every log for a
 * peer, the node compares each with the checkpoint the peer holds
 * (GET /v1/peer/checkpoint), and refuses to append to a log until it is
 * found whole, or until the officer signs a restoration notice saying
 * what was lost, which the peer receives, records and shows.
 *
 * The hold is the meta value "restore" (JSON), one record per peer log:
 *     {"backup_taken": T, "restored_at": T,
 *      "logs": [{"peer", "origin", "size", "state", "held", "detail"}]}
 * with state "unchecked" (the peer was not reached yet), "behind",
 * "forked", "ok" (the peer's checkpoint is in the restored log) or
 * "noticed" (a restoration notice was signed for it).
 *
 * The restoration notice is a signed note by the node's key (kvtext):
 *
 *     gsomia-restoration/v1
 *     party KOR
 *     peer JPN
 *     origin gsomia/KOR/ledger/JPN
 *     restored-size 7
 *     restored-root <base64 of 32 bytes>
 *     checkpoint <base64 of the node's signed checkpoint at restored-size>
 *     held-size 27                 (what the peer holds; absent if unknown)
 *     held-root <base64>           (absent if unknown)
 *     backup-taken 2023-05-01T01:00:00Z
 *     restored-at 2023-05-02T09:00:00Z
 *     text <the officer's words>   (optional)
 *
 * Both sides log it as a `restoration` entry in their log for the other,
 * with the whole notice, so that it stays in both histories.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rollback.h"
#include "core/time.h"
#include "node/node.h"

#define RESTORATION_MAGIC "gsomia-restoration/v1"

/* Puts the hold on a freshly restored home: every log for a peer,
 * "unchecked", with the backup's instant. */
int restore_hold_begin(struct node *n, gs_instant taken, struct gs_diag *d) __attribute__((warn_unused_result));

/* The hold as JSON (above), or *out = NULL if the home has none. */
int restore_hold_get(struct node *n, json_t **out, struct gs_diag *d) __attribute__((warn_unused_result));

/* Whether ledger_append may append to the log for peer (NULL or "" = the
 * internal log, never held): 0, or GS_ESTATE with the sentence that says
 * which entries are missing, which peer cosigned them, and what to do. */
int restore_hold_refuses(struct node *n, const char *peer, struct gs_diag *d) __attribute__((warn_unused_result));

struct restore_verdict {
	char peer[GS_MAX_CODE];
	char origin[GS_MAX_NAME];
	uint64_t size;       /* the restored log's size */
	uint64_t held;       /* the size of the peer's checkpoint (0: none) */
	enum rollback_verdict verdict;
	char state[16];      /* the log's state in the hold after this */
	char detail[512];
};

/* Judges the log for peer against the checkpoint the peer holds of it
 * (note: this node's own signed checkpoint, as the peer returned it; NULL
 * if the peer holds none) and records the result in the hold. GS_ECRYPTO
 * if the note is not this node's checkpoint of that log. */
int restore_judge(struct node *n, const char *peer, const char *note, size_t len, struct restore_verdict *out,
		  struct gs_diag *d) __attribute__((warn_unused_result));

/* Records that peer could not be asked (why), leaving its log unchecked. */
int restore_unreachable(struct node *n, const char *peer, const char *why, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The officer's restoration notice: for every log still held (behind,
 * forked or unchecked), signs a checkpoint of the restored log and a
 * notice (text: the officer's words, may be NULL), logs it, lifts the
 * hold on that log, and keeps it as HOME/outgoing/restoration-ID.note;
 * fn is told of each (to queue it for the peer). Needs the keys.
 * GS_ESTATE if nothing is held. */
int restore_notice_make(struct node *n, const char *text,
			int (*fn)(void *ctx, const char *peer, const char *id, const char *path), void *ctx,
			struct gs_diag *d) __attribute__((warn_unused_result));

struct restoration {
	char id[65];            /* 32 hex digits: the first half of the signed notice's SHA-256 */
	char party[GS_MAX_CODE];
	char peer[GS_MAX_CODE];
	char origin[GS_MAX_NAME];
	uint64_t restored_size;
	uint64_t held_size;     /* as the notice says (0 and !held_known if absent) */
	bool held_known;
	uint64_t lost_from, lost_to; /* the entries the receiver had cosigned and are gone: [from, to) */
	char backup_taken[GS_INSTANT_STR];
	char restored_at[GS_INSTANT_STR];
	char text[512];
	bool made_here;
	uint64_t index;         /* its entry in the log */
};

/* Parses a restoration notice: the signed note's syntax and its fields
 * (codes, sizes, root, instants), verifying nothing. GS_EINVAL malformed,
 * GS_ELIMIT too large. Pure (fuzzed). */
int restore_notice_parse(const uint8_t *buf, size_t len, struct restoration *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* A peer's restoration notice (delivered, or imported by hand): verified
 * with the sender's registered key, addressed to this node, about the
 * sender's log for this node, with a valid checkpoint at the restored
 * size. Then, in one transaction: what this node held of that log beyond
 * the restored size (checkpoints received and cosigned) is forgotten, the
 * restored checkpoint becomes the one held, and a restoration entry is
 * appended to this node's log for the sender. The same notice twice
 * changes nothing (*already). */
int restore_notice_import(struct node *n, const char *sender, const uint8_t *buf, size_t len,
			  struct restoration *out, bool *already, struct gs_diag *d) __attribute__((warn_unused_result));

/* Every restoration in the node's logs (made here or received), in log
 * order per peer. */
int restore_notices_each(struct node *n, const char *peer, int (*fn)(void *ctx, const struct restoration *r),
			 void *ctx, struct gs_diag *d) __attribute__((warn_unused_result));

/* The witness side of the check: the latest checkpoint this node holds of
 * peer's log for it (*note NULL and *size 0 if none; malloc'd). */
int restore_peer_log_held(struct node *n, const char *peer, uint64_t *size, char **note, size_t *len,
			  struct gs_diag *d) __attribute__((warn_unused_result));

#endif
