/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_CONSOLE_H
#define GS_NET_CONSOLE_H

/*
 * The web console's static files (docs/console.md), built into the binary
 * from console/ (scripts/embed-assets.py makes console_assets.c), served
 * at /console/ with a strict Content-Security-Policy. The console itself
 * calls the local API (net/local_api.h) with the browser's cookie session.
 */

#include <microhttpd.h>
#include <stddef.h>

struct console_asset {
	const char *path; /* "/console/app.js" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

/* The generated table, ending with a NULL path. */
extern const struct console_asset console_assets[];

/* The asset served at url, or NULL ("/console/" is index.html). */
const struct console_asset *console_asset_find(const char *url);

/* True for "/" and every path under /console. */
int console_owns(const char *url);

/* Answers a GET or HEAD of a console path: the asset, a redirect from "/",
 * 404 or 405. */
enum MHD_Result console_respond(struct MHD_Connection *c, const char *method, const char *url);

/* The headers every answer carries: nosniff, no referrer, no framing, and
 * csp (NULL: the policy for API replies, which load nothing). */
void console_secure_headers(struct MHD_Response *resp, const char *csp);

/* The policy of the console's pages: scripts, styles and images of the
 * node itself only, no inline code, no other origin. */
#define CONSOLE_CSP                                                                           \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " \
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

#endif
