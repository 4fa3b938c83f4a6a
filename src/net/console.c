/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "net/console.h"
#include "util/banned.h"

int console_owns(const char *url)
{
	return !strcmp(url, "/") || !strcmp(url, "/console") || !strncmp(url, "/console/", 9);
}

const struct console_asset *console_asset_find(const char *url)
{
	const struct console_asset *a;

	if (!strcmp(url, "/console/"))
		url = "/console/index.html";
	for (a = console_assets; a->path; a++)
		if (!strcmp(a->path, url))
			return a;
	return NULL;
}

void console_secure_headers(struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
				csp ? csp : "default-src 'none'; frame-ancestors 'none'; sandbox");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text,
				 const char *header, const char *value)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	console_secure_headers(resp, NULL);
	if (header)
		MHD_add_response_header(resp, header, value);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result console_respond(struct MHD_Connection *c, const char *method, const char *url)
{
	const struct console_asset *a;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", MHD_HTTP_HEADER_ALLOW,
				 "GET, HEAD");
	if (!strcmp(url, "/") || !strcmp(url, "/console"))
		return send_text(c, MHD_HTTP_SEE_OTHER, "see /console/\n", MHD_HTTP_HEADER_LOCATION,
				 "/console/");
	if (!(a = console_asset_find(url)))
		return send_text(c, MHD_HTTP_NOT_FOUND, "no such page\n", NULL, NULL);
	resp = MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	/* the assets change with the binary: always ask again */
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	console_secure_headers(resp, CONSOLE_CSP);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
