/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local API's lists for what needs following: what needs attention
 * (GET /v1/local/attention, as 'gsomia attention') and the visits
 * (GET /v1/local/visits, as 'gsomia visit list'). Reads only.
 */
#include <microhttpd.h>

#include "core/attention.h"
#include "net/local_internal.h"
#include "node/attention.h"
#include "node/visits.h"
#include "util/banned.h"

/* GET /v1/local/attention?within=30d */
unsigned h_view_attention(struct call *c, json_t **reply)
{
	static const char *const known[] = { "within", NULL };
	struct gs_diag d = { { 0 } };
	const char *w = local_arg(c, "within");
	int64_t within;
	unsigned st;
	int ret;

	if ((st = local_args_known(c, known, reply)))
		return st;
	if (attention_window_parse(w && *w ? w : "30d", &within)) {
		*reply = local_error("?within= is N h, d or w (30d, 2w, 12h; at most 3660 days)");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = node_attention(c->n, within, reply, &d)))
		return local_fail(ret, &d, reply);
	return MHD_HTTP_OK;
}

/* GET /v1/local/visits */
unsigned h_view_visits(struct call *c, json_t **reply)
{
	static const char *const known[] = { NULL };
	struct gs_diag d = { { 0 } };
	unsigned st;
	int ret;

	if ((st = local_args_known(c, known, reply)))
		return st;
	if ((ret = node_visits(c->n, reply, &d)))
		return local_fail(ret, &d, reply);
	return MHD_HTTP_OK;
}
