/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/client.h"
#include "net/restore_client.h"
#include "node/ledger.h"
#include "node/record.h"
#include "node/witness.h"
#include "util/banned.h"

/* Asks peer and judges its log. */
static int check_one(struct node *n, const char *peer, struct restore_verdict *v, struct gs_diag *d)
{
	struct party *p = malloc(sizeof(*p));
	json_error_t je;
	json_t *j = NULL;
	char *reply = NULL;
	long status = 0;
	const char *note;
	int ret;

	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, peer, p, d)))
		goto out;
	if ((ret = peer_get(n, p, "/v1/peer/checkpoint", &status, &reply, d)))
		goto out;
	j = json_loads(reply, JSON_REJECT_DUPLICATES, &je);
	if (status != 200 || !json_is_object(j)) {
		ret = gs_diag_set(d, GS_EIO, "%s answered HTTP %ld: %.200s", peer, status,
				  j ? jstr(j, "error") : "not JSON");
		goto out;
	}
	note = json_string_value(json_object_get(j, "checkpoint"));
	ret = restore_judge(n, peer, note, note ? strlen(note) : 0, v, d);
out:
	json_decref(j);
	free(reply);
	free(p);
	return ret;
}

struct peers_walk {
	struct node *n;
	void (*fn)(void *ctx, const char *peer, int ret, const struct restore_verdict *v, const struct gs_diag *d);
	void *ctx;
	int ret;
};

static void check_peer(struct peers_walk *w, const char *peer)
{
	struct restore_verdict v;
	struct gs_diag pd = { { 0 } }, rd = { { 0 } };
	int ret;

	memset(&v, 0, sizeof(v));
	ret = check_one(w->n, peer, &v, &pd);
	if (ret && ret != GS_ECRYPTO && restore_unreachable(w->n, peer, pd.msg[0] ? pd.msg : gs_strerror(ret), &rd))
		w->ret = GS_EIO;
	if (w->fn)
		w->fn(w->ctx, peer, ret, &v, &pd);
}

static int peer_with_log(void *ctx, const struct witness_status *s)
{
	if (s->size)
		check_peer(ctx, s->peer);
	return 0;
}

int restore_check_peers(struct node *n,
			void (*fn)(void *ctx, const char *peer, int ret, const struct restore_verdict *v,
				   const struct gs_diag *d),
			void *ctx, struct gs_diag *d)
{
	struct peers_walk w = { n, fn, ctx, 0 };
	json_t *hold = NULL, *l;
	size_t i;
	int ret;

	if ((ret = restore_hold_get(n, &hold, d)))
		return ret;
	if (!hold) {
		if ((ret = witness_status_each(n, peer_with_log, &w, d)))
			return ret;
	} else {
		json_array_foreach(json_object_get(hold, "logs"), i, l)
			check_peer(&w, jstr(l, "peer"));
		json_decref(hold);
	}
	if (w.ret)
		return gs_diag_set(d, w.ret, "cannot record the checks");
	return 0;
}
