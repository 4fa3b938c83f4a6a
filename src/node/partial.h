/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_PARTIAL_H
#define GS_NET_PARTIAL_H

/*
 * Bundle deliveries that resume (docs/api.md "Resuming a bundle
 * delivery"). A bundle posted to /v1/peer/deliver-file is kept, as it
 * arrives, in HOME/partial/PEER-ID and checked piece by piece
 * (crypto/bundle.h, bundle_check): the manifest's signature by its
 * sender's registered key, the chunk-hash section against the signed
 * root, the age header, then each chunk. If the connection drops, the
 * file is cut back to its verified prefix and kept; the sender asks for
 * that length (GET) and sends only the rest. So what is kept is only ever
 * a verified prefix of a bundle its registered sender signed; a piece
 * that does not verify ends the delivery (4xx, naming the chunk) and the
 * file is removed: nothing of it is stored.
 *
 * One delivery of a (peer, id) at a time: the file is locked (flock)
 * while a request writes it; another gets GS_ESTATE. A peer keeps at most
 * GS_NET_MAX_PARTIALS interrupted deliveries; a starting server removes
 * those older than GS_NET_PARTIAL_DAYS.
 *
 * The node is used only to find the sender's key, under node_lock.
 */

#include <pthread.h>
#include <stdint.h>

#include "crypto/bundle.h"
#include "node/node.h"
#include "util/err.h"

#define GS_NET_MAX_PARTIALS 16 /* interrupted deliveries kept per peer */
#define GS_NET_PARTIAL_DAYS 7  /* days an interrupted delivery is kept */

struct partial;

/* bundle_key_fn over a node's registry: the sender's note key name and
 * Ed25519 key. ctx is a struct partial_keys. */
struct partial_keys {
	struct node *n;
	pthread_mutex_t *lock; /* taken around the lookup, or NULL */
};
int partial_bundle_key(void *ctx, const char *sender, char key_name[GS_MAX_NAME], uint8_t pk[32],
		       struct gs_diag *d);

/*
 * Starts (offset 0) or resumes (offset > 0) the delivery of bundle `id`
 * from `peer`: opens and locks HOME/partial/PEER-ID, checks what it holds
 * and cuts it to its verified prefix (*have). offset must equal *have,
 * else GS_ESTATE with *have set (the caller answers 409 with it); offset 0
 * starts afresh. PARTIAL_ASK (the sender named no offset) starts afresh
 * if nothing verified is kept, else is GS_ESTATE with *have. GS_ESTATE
 * also if another request is writing it, GS_ELIMIT if the peer has too
 * many deliveries pending.
 */
#define PARTIAL_ASK UINT64_MAX
int partial_begin(const struct partial_keys *k, const char *peer, const char *id,
		  uint64_t offset, struct partial **out, uint64_t *have, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Appends the next piece of the body and checks it. A refusal is final:
 * later pieces are dropped and partial_finish returns it. */
int partial_write(struct partial *p, const void *data, size_t n, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * The body ended. 0 if the file now holds the whole bundle, verified:
 * *path is where (synced; the caller links it where it keeps it, then
 * frees p, which removes the file). Otherwise the refusal (the region or
 * chunk named; GS_EINVAL "truncated" if the body stopped short), and the
 * file is removed.
 */
int partial_finish(struct partial *p, const char **path, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The connection dropped before the body ended: the file is cut to its
 * verified prefix, synced and kept for a resumption. */
void partial_interrupted(struct partial *p);

/* Bytes written and verified so far. */
uint64_t partial_verified(const struct partial *p);

/* Closes p; removes the file unless partial_interrupted kept it. */
void partial_free(struct partial *p);

/* GET: the verified length of what is kept for (peer, id), 0 if nothing;
 * cuts the file to it. GS_ESTATE if a request is writing it now. */
int partial_offset(const struct partial_keys *k, const char *peer, const char *id, uint64_t *have,
		   struct gs_diag *d) __attribute__((warn_unused_result));

/* Removes interrupted deliveries older than GS_NET_PARTIAL_DAYS. */
void partial_sweep(const char *home);

#endif
