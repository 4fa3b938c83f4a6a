/* SPDX-License-Identifier: Apache-2.0 */
/* Per-peer quotas of uploads at a receiving node (core/peerquota.h). */
#include <stdio.h>
#include <string.h>

#include "core/peerquota.h"
#include "util/banned.h"

void peer_quota_init(struct peer_quotas *q, unsigned max_uploads, uint64_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->max_uploads = max_uploads;
	q->max_bytes = max_bytes;
}

static struct peer_quota_use *find(const struct peer_quotas *q, const char *peer)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (!strcmp(q->use[i].code, peer))
			return (struct peer_quota_use *)&q->use[i];
	return NULL;
}

enum peer_quota_verdict peer_quota_begin(struct peer_quotas *q, const char *peer, uint64_t bytes)
{
	struct peer_quota_use *u = find(q, peer);
	unsigned uploads = u ? u->uploads : 0;
	uint64_t held = u ? u->bytes : 0;

	if (uploads >= q->max_uploads)
		return PEER_QUOTA_UPLOADS;
	/* one upload larger than the whole quota is refused as well: it
	 * could never be taken */
	if (bytes > q->max_bytes || held > q->max_bytes - bytes)
		return PEER_QUOTA_BYTES;
	if (!u) {
		if (q->n == PEER_QUOTA_SLOTS)
			return PEER_QUOTA_FULL;
		u = &q->use[q->n++];
		memset(u, 0, sizeof(*u));
		snprintf(u->code, sizeof(u->code), "%s", peer);
	}
	u->uploads++;
	u->bytes += bytes;
	return PEER_QUOTA_OK;
}

enum peer_quota_verdict peer_quota_grow(struct peer_quotas *q, const char *peer, uint64_t more)
{
	struct peer_quota_use *u = find(q, peer);

	if (!u)
		return PEER_QUOTA_FULL; /* no upload began: nothing to grow */
	if (more > q->max_bytes || u->bytes > q->max_bytes - more)
		return PEER_QUOTA_BYTES;
	u->bytes += more;
	return PEER_QUOTA_OK;
}

void peer_quota_end(struct peer_quotas *q, const char *peer, uint64_t bytes)
{
	struct peer_quota_use *u = find(q, peer);

	if (!u)
		return;
	u->bytes -= bytes < u->bytes ? bytes : u->bytes;
	if (u->uploads)
		u->uploads--;
	if (!u->uploads)
		*u = q->use[--q->n]; /* the slot is free again */
}

void peer_quota_of(const struct peer_quotas *q, const char *peer, unsigned *uploads, uint64_t *bytes)
{
	const struct peer_quota_use *u = find(q, peer);

	*uploads = u ? u->uploads : 0;
	*bytes = u ? u->bytes : 0;
}
