/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <time.h>

#include "core/person.h"
#include "node/registers.h"
#include "node/stats.h"
#include "util/banned.h"

int node_outbox_summary(struct node *n, int (*fn)(void *ctx, const struct store_outbox_peer *p),
			void *ctx, struct gs_diag *d)
{
	int ret = store_outbox_summary(n->st, fn, ctx);

	if (ret == GS_EIO)
		gs_diag_set(d, ret, "cannot read the outbox");
	return ret;
}

void node_commit_stats(struct store_commit_stats *out)
{
	store_commit_stats_get(out);
}

int node_monitor_session_open(struct node *n, const char *person, unsigned days,
			      uint8_t token[AUTH_TOKEN_BYTES], struct node_session *out, struct gs_diag *d)
{
	struct person *p;
	int ret;

	if (days < 1 || days > NODE_MONITOR_MAX_DAYS)
		return gs_diag_set(d, GS_EUSAGE, "a monitoring token lasts 1 to %d days", NODE_MONITOR_MAX_DAYS);
	p = calloc(1, sizeof(*p));
	if (!p)
		return GS_ENOMEM;
	ret = node_person_get(n, person, p, d);
	if (!ret && p->roles != ROLE_MONITOR)
		ret = gs_diag_set(d, GS_EDENIED,
				  "'%s' has roles other than monitor (or none): a long-lived token is given only to a person whose one role is monitor",
				  person);
	free(p);
	if (ret)
		return ret;
	return node_session_open(n, person, (int64_t)time(NULL), (int64_t)days * 86400, token, out, d);
}

int node_health(struct node *n, struct gs_diag *d)
{
	uint64_t ext, in;

	if (store_data_version(n->st, &ext, &in))
		return gs_diag_set(d, GS_EIO, "the database in '%s' does not answer", n->home);
	return 0;
}

uint64_t node_batch_bound(unsigned i)
{
	return store_batch_bound(i);
}
