/* SPDX-License-Identifier: Apache-2.0 */
/* Missile warnings through the local API (docs/api.md "Warnings"):
 * publish, the records a person may see, their stream, the rules. */
#include <jansson.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "net/local_internal.h"
#include "node/warnings.h"
#include "util/banned.h"

#define WARNINGS_PAGE_MAX 1000

/* A record number (?since= or Last-Event-ID): 0 and up. */
static int seq_of(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s) {
		*out = 0;
		return 0;
	}
	v = strtoll(s, &end, 10);
	if (*end || v < 0 || s[0] == '-' || s[0] == '+')
		return GS_EINVAL;
	*out = v;
	return 0;
}

unsigned local_h_warning_publish(struct call *c, json_t **reply)
{
	static const char *const known[] = { NULL };
	struct gs_diag d = { { 0 } };
	json_t *out = NULL;
	unsigned status;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if (!c->r->len) {
		*reply = local_error("the body is the warning, in JSON (docs/warnings.md)");
		return MHD_HTTP_BAD_REQUEST;
	}
	ret = node_warning_publish(c->n, c->r->body, c->r->len, c->who->id, &out, &d);
	if (ret == GS_EDENIED && out) {
		json_object_set_new(out, "error", json_string(d.msg));
		*reply = out;
		return MHD_HTTP_FORBIDDEN;
	}
	if (ret) {
		json_decref(out);
		return local_fail(ret == GS_ELIMIT ? GS_EINVAL : ret, &d, reply);
	}
	*reply = out;
	return MHD_HTTP_OK;
}

unsigned local_h_warnings(struct call *c, json_t **reply)
{
	static const char *const known[] = { "since", "limit", NULL };
	struct gs_diag d = { { 0 } };
	json_t *recs = NULL;
	int64_t after, limit = 100, next;
	unsigned status;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if (seq_of(local_arg(c, "since"), &after) || seq_of(local_arg(c, "limit"), &limit) || limit > WARNINGS_PAGE_MAX) {
		*reply = local_error("?since= is a record number, ?limit= 1 to %d", WARNINGS_PAGE_MAX);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (!limit)
		limit = 100;
	ret = node_warnings_for(c->n, c->who->id, after, (unsigned)limit, true, &recs, &next, &d);
	if (ret)
		return local_fail(ret, &d, reply);
	*reply = json_pack("{s:o,s:I}", "warnings", recs, "next", (json_int_t)next);
	return *reply ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR;
}

unsigned local_h_warning_stream(struct call *c, json_t **reply)
{
	static const char *const known[] = { "since", NULL };
	const char *last = c->r->header ? c->r->header(c->r->arg_ctx, "Last-Event-ID") : NULL;
	int64_t after;
	unsigned status;

	if ((status = local_args_known(c, known, reply)))
		return status;
	/* a reconnecting browser says where it was */
	if (seq_of(last && *last ? last : local_arg(c, "since"), &after)) {
		*reply = local_error("?since= (or Last-Event-ID) is a record number");
		return MHD_HTTP_BAD_REQUEST;
	}
	c->out->stream = true;
	snprintf(c->out->stream_person, sizeof(c->out->stream_person), "%s", c->who->id);
	c->out->stream_after = after;
	_Static_assert(sizeof(c->out->stream_token) == sizeof(c->token), "a session token");
	memcpy(c->out->stream_token, c->token, sizeof(c->token));
	*reply = json_object();
	return MHD_HTTP_OK;
}

unsigned local_h_warning_rules(struct call *c, json_t **reply)
{
	static const char *const known[] = { NULL };
	struct gs_diag d = { { 0 } };
	unsigned status;
	int ret;

	if ((status = local_args_known(c, known, reply)))
		return status;
	if ((ret = node_warning_rules(c->n, reply, &d)))
		return local_fail(ret, &d, reply);
	return MHD_HTTP_OK;
}
