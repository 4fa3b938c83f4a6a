/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_WITNESS_H
#define GS_WITNESS_H

/*
 * Witnessing (docs/ledger.md "Witnessing"): each node cosigns
 * its peers' checkpoints of their logs for it, after checking that each
 * is consistent with the last one it cosigned, and keeps its own
 * checkpoints with the peer's cosignature. Two signed checkpoints of one
 * log that contradict each other are kept as evidence and raised.
 *
 * The cosignature is c2sp.org/tlog-cosignature (cosignature/v1, Ed25519)
 * by the node's Ed25519 key under the witness name "<key name>/witness",
 * e.g. "gsomia-exercise/JPN/witness". The cosignature key id has its own
 * type (0x04) and the signed message starts with "cosignature/v1\n", so
 * a cosignature can never stand for a note signature of the same key.
 *
 * Witness side (the node that cosigns): witness_add_checkpoint, what
 * POST /v1/peer/checkpoint does. Client side (the node whose log it is):
 * witness_request_make, then the network (net/witness_client.h), then
 * witness_cosignature_accept.
 *
 * Errors: 0 or a negative gs_err with a sentence in d.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "crypto/checkpoint.h"
#include "node/node.h"
#include "store/witness_store.h"
#include "util/err.h"
#include "util/limits.h"

#define WITNESS_NAME_SUFFIX "/witness"
/* The longest cosignature line: em dash, space, name, space, base64 of
 * key id (4) + timestamp (8) + signature (64), NUL. */
#define WITNESS_COSIG_LINE (GS_MAX_NAME + 112)

/* The witness key name of party code: "<key name>/witness". */
void witness_name(const char *code, bool exercise, char out[GS_MAX_NAME]);

/* ---- the witness side ---- */

struct witness_answer {
	uint64_t size;                      /* the size last cosigned (on GS_ESTATE) */
	char cosignature[WITNESS_COSIG_LINE]; /* on success: the line, no '\n' */
	bool evidence;                      /* on GS_ECRYPTO: evidence was kept */
};

/*
 * Takes a checkpoint that peer sent of its log for this node, with a
 * consistency proof from old_size, the last size this node cosigned for
 * that log (the latest checkpoint of it held, 0 if none), and cosigns it.
 * Checks and stores in one transaction of its own. Outcomes:
 *
 *   0            cosigned: a->cosignature; the checkpoint is held
 *                (ledger_peer_checkpoint_add: stored and cross-logged,
 *                unless it is the one already held) and the cosigned
 *                checkpoint kept
 *   GS_EINVAL    bad request: not a checkpoint note, old_size > size, a
 *                proof from size 0 that is not empty
 *   GS_EDENIED   not signed by peer's registered key, or not peer's log
 *                for this node
 *   GS_ESTATE    old_size is not the last size cosigned (a->size)
 *   GS_ECRYPTO   inconsistent: same size as the one held and another
 *                root, or a proof that does not lead from the one held to
 *                this one. Both checkpoints are kept as evidence
 *                (a->evidence) and a peer-checkpoint entry with
 *                inconsistent=yes is appended to this node's log for peer.
 *
 * The node must be unlocked (GS_EIO otherwise: it cannot cosign).
 */
int witness_add_checkpoint(struct node *n, const char *peer, const char *note, size_t len,
			   uint64_t old_size, const uint8_t proof[][32], size_t nproof,
			   struct witness_answer *a, struct gs_diag *d) __attribute__((warn_unused_result));

/* ---- the client side ---- */

struct witness_request {
	char peer[GS_MAX_CODE];
	char *note; /* this node's signed checkpoint of its log for peer (malloc'd) */
	size_t len;
	struct checkpoint cp;
	uint64_t old_size; /* the largest size peer has cosigned (0: none) */
	size_t nproof;     /* consistency proof from old_size to cp.size */
	uint8_t proof[GS_MAX_PROOF_HASHES][32];
};

/* Makes (or takes, if the log has not grown) the checkpoint of the log for
 * peer and the proof from the size peer last cosigned. GS_ENOTFOUND for an
 * empty log, GS_ESTATE if a signature is needed and the node is locked,
 * GS_ECRYPTO if peer has cosigned a size larger than the log. Free r with
 * witness_request_free. */
int witness_request_make(struct node *n, const char *peer, struct witness_request *r,
			 struct gs_diag *d) __attribute__((warn_unused_result));
/* Makes the proof again, from size from (a 409 from the peer). */
int witness_request_reprove(struct node *n, struct witness_request *r, uint64_t from,
			    struct gs_diag *d) __attribute__((warn_unused_result));
void witness_request_free(struct witness_request *r);

/* Checks peer's cosignature line (no '\n' needed) on r's checkpoint with
 * peer's registered key and keeps the cosigned checkpoint. *timestamp
 * (may be NULL) gets the cosignature's time. GS_ECRYPTO if it does not
 * verify. */
int witness_cosignature_accept(struct node *n, const struct witness_request *r, const char *line,
			       size_t line_len, uint64_t *timestamp, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The courier's rule: *need is set when the log for peer has grown since
 * the size peer last cosigned by an entry other than a peer-checkpoint
 * (so that two nodes do not cosign each other's cross-log entries for
 * ever; those wait for the next real entry). */
int witness_needed(struct node *n, const char *peer, bool *need, struct gs_diag *d);

/* ---- status ---- */

struct witness_status {
	char peer[GS_MAX_CODE];
	bool has_endpoint;
	/* this node's log for peer, and the largest size peer cosigned */
	char origin[GS_MAX_NAME];
	uint64_t size;
	bool cosigned;
	uint64_t cosigned_size;
	gs_instant cosigned_at; /* the cosignature's timestamp */
	/* peer's log for this node: the latest checkpoint held (verified
	 * consistent), and the largest size this node cosigned */
	char peer_origin[GS_MAX_NAME];
	bool verified;
	uint64_t verified_size;
	gs_instant verified_at;
	bool witnessed;
	uint64_t witnessed_size;
	gs_instant witnessed_at;
	size_t evidence; /* inconsistencies kept */
};

/* Calls fn for each registered peer (not this node's own party), in code
 * order. */
int witness_status_each(struct node *n, int (*fn)(void *ctx, const struct witness_status *s),
			void *ctx, struct gs_diag *d);
/* Calls fn for the evidence kept about peer (NULL: all). */
int witness_evidence_each(struct node *n, const char *peer,
			  int (*fn)(void *ctx, const struct store_evidence *e), void *ctx,
			  struct gs_diag *d);

#endif
