/* SPDX-License-Identifier: Apache-2.0 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/stats_store.h"
#include "util/banned.h"

static _Atomic uint64_t commits, actions_total, buckets[STORE_BATCH_BUCKETS];

uint64_t store_batch_bound(unsigned i)
{
	return i + 1 < STORE_BATCH_BUCKETS ? (uint64_t)1 << i : 0;
}

void store_commit_observe(uint64_t actions)
{
	unsigned i;

	atomic_fetch_add_explicit(&commits, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&actions_total, actions, memory_order_relaxed);
	/* cumulative buckets, as the exposition format has them */
	for (i = 0; i < STORE_BATCH_BUCKETS; i++)
		if (!store_batch_bound(i) || actions <= store_batch_bound(i))
			atomic_fetch_add_explicit(&buckets[i], 1, memory_order_relaxed);
}

void store_commit_stats_get(struct store_commit_stats *out)
{
	unsigned i;

	/* +Inf first and commits last: a reader never sees a bucket above
	 * the count */
	memset(out, 0, sizeof(*out));
	for (i = STORE_BATCH_BUCKETS; i-- > 0;)
		out->bucket[i] = atomic_load_explicit(&buckets[i], memory_order_relaxed);
	out->actions = atomic_load_explicit(&actions_total, memory_order_relaxed);
	out->commits = out->bucket[STORE_BATCH_BUCKETS - 1];
}

int store_outbox_summary(struct store *st, int (*fn)(void *ctx, const struct store_outbox_peer *p),
			 void *ctx)
{
	static const char sql[] =
		"SELECT peer,"
		" sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),"
		" coalesce(min(CASE WHEN state = 'pending' THEN created_at END), 0),"
		" sum(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END),"
		" sum(CASE WHEN state = 'refused' THEN 1 ELSE 0 END), sum(attempts)"
		" FROM outbox GROUP BY peer ORDER BY peer";
	struct store_outbox_peer p;
	dbs *s;
	int rc, ret = 0;

	if (dbs_prepare(st, sql, &s, false) != SQLITE_OK)
		return GS_EIO;
	while ((rc = dbs_step(s)) == SQLITE_ROW) {
		const unsigned char *peer = dbs_column_text(s, 0);

		memset(&p, 0, sizeof(p));
		snprintf(p.peer, sizeof(p.peer), "%s", peer ? (const char *)peer : "");
		p.pending = (uint64_t)dbs_column_int64(s, 1);
		p.oldest_pending_at = dbs_column_int64(s, 2);
		p.delivered = (uint64_t)dbs_column_int64(s, 3);
		p.refused = (uint64_t)dbs_column_int64(s, 4);
		p.attempts = (uint64_t)dbs_column_int64(s, 5);
		if ((ret = fn(ctx, &p)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}
