/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local API's calls for running the node (docs/api.md "Metrics"):
 * the metrics page for monitoring. Route and roles: local_api.c.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/local_internal.h"
#include "net/metrics.h"
#include "util/banned.h"

/* GET /v1/metrics: the Prometheus text exposition format. */
unsigned local_h_metrics(struct call *c, json_t **reply)
{
	static const char *const known[] = { NULL };
	struct gs_diag d = { { 0 } };
	unsigned status;
	char *text;
	size_t len;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if ((ret = metrics_render(c->n, &text, &len, &d)))
		return local_fail(ret, &d, reply);
	c->out->text = text;
	c->out->text_len = len;
	snprintf(c->out->text_type, sizeof(c->out->text_type), "text/plain; version=0.0.4; charset=utf-8");
	*reply = json_object();
	return MHD_HTTP_OK;
}
