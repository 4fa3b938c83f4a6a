/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "net/api.h"
#include "net/client.h"
#include "net/witness_client.h"
#include "node/witness.h"
#include "util/banned.h"

/* The peer's refusal as an error with its reason. */
static int refusal(const struct witness_request *r, long status, json_t *j, struct gs_diag *d)
{
	const char *why = json_string_value(json_object_get(j, "error"));
	int err = status == 422 ? GS_ECRYPTO : status == 403 ? GS_EDENIED : status == 409 ? GS_ESTATE :
		  status >= 400 && status < 500 ? GS_EINVAL : GS_EIO;

	return gs_diag_set(d, err, "%s refused the checkpoint of '%s' at size %" PRIu64 " (HTTP %ld): %.700s",
			   r->peer, r->cp.origin, r->cp.size, status, why ? why : "no reason given");
}

int witness_peer(struct node *n, const char *peer, struct witness_result *res, struct gs_diag *d)
{
	struct witness_request *r;
	struct party *p;
	char *body = NULL, *reply = NULL;
	json_t *j = NULL;
	long status = 0;
	int ret, attempt;

	memset(res, 0, sizeof(*res));
	r = malloc(sizeof(*r));
	p = malloc(sizeof(*p));
	if (!r || !p) {
		free(r);
		free(p);
		return GS_ENOMEM;
	}
	if ((ret = node_party_get(n, peer, p, d)))
		goto out_free;
	if ((ret = witness_request_make(n, peer, r, d)))
		goto out_free;
	res->size = r->cp.size;
	res->old_size = r->old_size;
	if (r->old_size == r->cp.size) {
		res->already = true;
		goto out;
	}
	for (attempt = 0;; attempt++) {
		body = api_checkpoint_json(r->note, r->len, r->old_size, (const uint8_t (*)[32])r->proof,
					   r->nproof);
		if (!body) {
			ret = GS_ENOMEM;
			goto out;
		}
		if ((ret = peer_post(n, p, "/v1/peer/checkpoint", body, &status, &reply, d)))
			goto out;
		free(body);
		body = NULL;
		j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL);
		if (status == 200) {
			const char *line = json_string_value(json_object_get(j, "cosignature"));

			if (!line) {
				ret = gs_diag_set(d, GS_ECRYPTO, "%s answered without a cosignature", peer);
				goto out;
			}
			ret = witness_cosignature_accept(n, r, line, strlen(line), &res->timestamp, d);
			goto out;
		}
		if (status == 409 && attempt == 0 && json_is_integer(json_object_get(j, "size")) &&
		    json_integer_value(json_object_get(j, "size")) >= 0) {
			uint64_t from = (uint64_t)json_integer_value(json_object_get(j, "size"));

			if ((ret = witness_request_reprove(n, r, from, d)))
				goto out;
			res->old_size = from;
			res->retried = true;
			json_decref(j);
			j = NULL;
			free(reply);
			reply = NULL;
			continue;
		}
		ret = refusal(r, status, j, d);
		goto out;
	}
out:
	json_decref(j);
	free(reply);
	free(body);
	witness_request_free(r);
out_free:
	free(r);
	free(p);
	return ret;
}

struct due_ctx {
	char (*v)[GS_MAX_CODE];
	size_t n, cap;
};

static int due_one(void *ctx, const struct witness_status *s)
{
	struct due_ctx *c = ctx;

	if (!s->has_endpoint || s->size == 0 || (s->cosigned && s->cosigned_size >= s->size))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		char (*v)[GS_MAX_CODE] = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return GS_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	memcpy(c->v[c->n++], s->peer, GS_MAX_CODE);
	return 0;
}

int witness_due(struct node *n,
		void (*fn)(void *ctx, const char *peer, int ret, const struct witness_result *res,
			   const struct gs_diag *d),
		void *ctx, struct gs_diag *d)
{
	struct due_ctx c = { NULL, 0, 0 };
	size_t i;
	int ret;

	if ((ret = witness_status_each(n, due_one, &c, d))) {
		free(c.v);
		return ret;
	}
	for (i = 0; i < c.n; i++) {
		struct witness_result res;
		struct gs_diag pd = { { 0 } };
		bool need = false;
		int r;

		r = witness_needed(n, c.v[i], &need, &pd);
		if (!r && !need)
			continue;
		if (!r)
			r = witness_peer(n, c.v[i], &res, &pd);
		else
			memset(&res, 0, sizeof(res));
		if (fn)
			fn(ctx, c.v[i], r, &res, &pd);
	}
	free(c.v);
	return 0;
}
