/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_PEERQUOTA_H
#define GS_CORE_PEERQUOTA_H

/*
 * Per-peer quotas at a receiving node (docs/api.md "Server limits"): each
 * peer may have at most so many uploads being received at once
 * (deliveries in flight) and so many bytes in them, its own share, so that
 * a peer that floods, or stalls with slow bodies, uses up its own quota
 * and never another's. Over quota the server answers 429 with
 * Retry-After, and the peer's courier tries again later.
 *
 * Pure bookkeeping: the server takes its lock around each call.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

#define PEER_QUOTA_SLOTS GS_NET_MAX_CONNECTIONS /* an upload holds a connection */

struct peer_quota_use {
	char code[GS_MAX_CODE];
	unsigned uploads;
	uint64_t bytes;
};

struct peer_quotas {
	unsigned max_uploads; /* per peer, at once */
	uint64_t max_bytes;   /* per peer, in its uploads at once */
	struct peer_quota_use use[PEER_QUOTA_SLOTS]; /* peers with an upload under way */
	size_t n;
};

enum peer_quota_verdict {
	PEER_QUOTA_OK,
	PEER_QUOTA_UPLOADS, /* the peer has max_uploads under way already */
	PEER_QUOTA_BYTES,   /* these bytes would take it over max_bytes */
	PEER_QUOTA_FULL,    /* no slot left (cannot happen with one slot per connection) */
};

void peer_quota_init(struct peer_quotas *q, unsigned max_uploads, uint64_t max_bytes);

/* An upload of `bytes` (its declared length; 0 if unknown) begins for
 * peer: counted if within its quota, else nothing changes. */
enum peer_quota_verdict peer_quota_begin(struct peer_quotas *q, const char *peer, uint64_t bytes);

/* An upload under way brings `more` bytes than it declared: counted if
 * within the peer's byte quota, else nothing changes. */
enum peer_quota_verdict peer_quota_grow(struct peer_quotas *q, const char *peer, uint64_t more);

/* The upload that began (and grew) with `bytes` in all ended. */
void peer_quota_end(struct peer_quotas *q, const char *peer, uint64_t bytes);

/* What peer has under way (0, 0 if nothing). */
void peer_quota_of(const struct peer_quotas *q, const char *peer, unsigned *uploads, uint64_t *bytes);

#endif
