/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local API's calls for running the node (docs/api.md "Metrics",
 * "Reports"): the metrics page for monitoring, and a term's report for
 * the annual review. Routes and roles: local_api.c.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/local_internal.h"
#include "net/metrics.h"
#include "node/report.h"
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

/* GET /v1/local/agreements/{id}/report?term=N[&format=json|csv|html]:
 * the report of 'gsomia report', JSON by default; csv and html come as
 * files to save or print. */
unsigned local_h_report(struct call *c, json_t **reply)
{
	static const char *const known[] = { "term", "format", NULL };
	const char *t = local_arg(c, "term"), *format = local_arg(c, "format");
	struct gs_diag d = { { 0 } };
	char id[GS_MAX_ID], *end;
	unsigned long term;
	unsigned status;
	json_t *r = NULL;
	size_t len = 0;
	char *text;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if (local_path_segment(c->r->url, 3, id, sizeof(id))) {
		*reply = local_error("bad agreement id in the path");
		return MHD_HTTP_BAD_REQUEST;
	}
	term = t ? strtoul(t, &end, 10) : 0;
	if (!t || !*t || *end || term < 1 || term > 1000) {
		*reply = local_error("?term= is required: 1 to 1000");
		return MHD_HTTP_BAD_REQUEST;
	}
	if (!format || !*format)
		format = "json";
	if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html")) {
		*reply = local_error("?format= is json, csv or html");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = node_report(c->n, id, (int)term, &r, &d)))
		return local_fail(ret, &d, reply);
	if (!strcmp(format, "json")) {
		*reply = r;
		return MHD_HTTP_OK;
	}
	text = !strcmp(format, "csv") ? report_csv(r, &len) : report_html(r, &len);
	json_decref(r);
	if (!text) {
		*reply = local_error("out of memory");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	c->out->text = text;
	c->out->text_len = len;
	snprintf(c->out->text_type, sizeof(c->out->text_type), "%s",
		 !strcmp(format, "csv") ? "text/csv; charset=utf-8" : "text/html; charset=utf-8");
	/* named EXERCISE on an exercise node, as every file the node offers */
	snprintf(c->out->download.name, sizeof(c->out->download.name), "%s%.64s-term-%lu.%s",
		 node_self(c->n)->exercise ? "EXERCISE " : "", id, term, format);
	*reply = json_object();
	return MHD_HTTP_OK;
}
