/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_LOCAL_API_H
#define GS_NET_LOCAL_API_H

/*
 * The local API (docs/api.md "Local API"): the node's own people, signed
 * in with a password, calling /v1/session and /v1/local/... with the
 * session's bearer token. No client certificate is needed (browsers);
 * every call but the sign-in needs a live session, and every route lists
 * the roles it admits in one table (local_api.c, `routes`): 401 without
 * a live session, 403 for a role not listed. A refused call changes
 * nothing.
 *
 * The server (server.c) owns the HTTP: it finds the route, reads the body
 * (capped at GS_NET_MAX_LOCAL_BODY) and hands over a local_request; this
 * module takes the node's lock around every call into the node.
 */

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

#include "node/node.h"
#include "util/err.h"

#define LOCAL_SESSION_TTL (8 * 3600) /* seconds a session lasts by default */

struct local_api;

/* session_ttl: seconds a session lasts (0: LOCAL_SESSION_TTL). */
int local_api_new(int64_t session_ttl, struct local_api **out) __attribute__((warn_unused_result));
void local_api_free(struct local_api *api);

/* True if url is a path of this API (/v1/session, /v1/local/...). */
int local_api_owns(const char *url);
/* The route for (method, url): an index >= 0, or -1; then *allow names a
 * method the path takes (for 405), or is NULL when no route has the path. */
int local_api_route(const char *method, const char *url, const char **allow);

/* What a route is, for the server: */
#define LOCAL_WRITES 1 /* changes the node: no read snapshot; with a cookie, needs the CSRF token */
#define LOCAL_UPLOAD 2 /* its body is a file, streamed to disk, up to GS_NET_MAX_UPLOAD bytes */
/* takes the node's lock itself, for its short phases only: callers at once
 * share group commits (node/commit.h) */
#define LOCAL_OWN_LOCK 4
/* runs on the keyed handle, without a read snapshot, yet only reads what
 * the caller asks (a GET, no CSRF token): what it shows is logged */
#define LOCAL_KEYED 8
int local_api_route_flags(int route);
/* The method and path template ("/v1/local/items/{}") of a route, static
 * strings, for metrics; -1 if there is no such route. */
int local_api_route_label(int route, const char **method, const char **path);

/* The cookie that carries a browser's session (docs/console.md):
 * "__Host-gsomia-JPN", "__Host-gsomia-JPN-exercise". Browsers keep cookies
 * by host, not by port: each node on one host needs its own name, or
 * signing in at one node would sign out of another. __Host- makes the
 * browser refuse it unless Secure, Path=/ and without Domain. */
#define LOCAL_COOKIE_MAX 48
void local_cookie_name(const struct node *n, char out[LOCAL_COOKIE_MAX]);
/* The header that carries the CSRF token of a cookie session. */
#define LOCAL_CSRF_HEADER "X-CSRF-Token"
/* The header that carries what a release is (agreement, recipient,
 * classification, title...), so that none of it is in the URL, which
 * proxies and logs keep (docs/api.md "Console actions"). */
#define LOCAL_RELEASE_HEADER "X-Gsomia-Release"

/* A file sent instead of a JSON reply (an opened item, a proof file). */
struct local_download {
	char path[GS_PATH_MAX]; /* empty: answer with the JSON reply */
	char type[64];                /* Content-Type */
	char name[512];               /* the file name offered to the browser (UTF-8) */
	int unlink_after;             /* a temporary file: removed once opened */
};

/* What the handler adds to the HTTP answer besides its body. */
struct local_out {
	char set_cookie[256]; /* a Set-Cookie header, or empty */
	struct local_download download;
	/* a text sent instead of the JSON reply (metrics, a report as CSV or
	 * HTML): malloc'd, the server frees it; text_type is its Content-Type,
	 * and download.name, if set, the file name offered to save it as */
	char *text;
	size_t text_len;
	char text_type[64];
	/* a stream of events instead (net/sse.h): the person whose records,
	 * from after which seq */
	bool stream;
	char stream_person[GS_MAX_ID];
	int64_t stream_after;
	uint8_t stream_token[32]; /* the session's: the stream ends with it */
};

struct local_request {
	int route;                 /* from local_api_route() */
	const char *method;
	const char *url;
	const char *authorization; /* the Authorization header, or NULL */
	const char *cookie;        /* the session cookie's value, or NULL */
	const char *csrf;          /* the LOCAL_CSRF_HEADER header, or NULL */
	const char *origin;        /* the Origin header, or NULL */
	const char *host;          /* the Host header, or NULL */
	const char *at;            /* the ?at= argument, or NULL */
	/* any ?name= argument of the URL (NULL: none) */
	const char *(*arg)(void *ctx, const char *name);
	/* calls fn with the name of every ?name= argument, until fn returns
	 * non-zero (then returns that) */
	int (*args_each)(void *ctx, int (*fn)(void *fnctx, const char *name), void *fnctx);
	void *arg_ctx;
	/* any request header (NULL: none); ctx is arg_ctx */
	const char *(*header)(void *ctx, const char *name);
	const char *body;          /* may be NULL when len is 0 */
	size_t len;
	const char *upload_path;   /* LOCAL_UPLOAD routes: the body, in a file */
	uint64_t upload_len;
};

/* Answers a request: the HTTP status and a JSON reply (never NULL unless
 * out of memory), and in *out what else the answer carries. lock
 * serialises the node's use. */
unsigned local_api_handle(struct local_api *api, struct node *n, pthread_mutex_t *lock,
			  const struct local_request *r, struct local_out *out, json_t **reply);

/* For LOCAL_UPLOAD routes, before the body is read: 0 if the caller may
 * make this call (live session, role, CSRF), else the HTTP status with
 * the reply, so that a refused upload is never stored. */
unsigned local_api_precheck(struct local_api *api, struct node *n, pthread_mutex_t *lock,
			    const struct local_request *r, json_t **reply);

/* The body of POST /v1/local/decide/access and .../release:
 *     {"agreement": "KOR-JPN-2016", "classification": "...", "purpose": "...",
 *      "topic": "...", "originator": "KOR", "person": "yamada", "to": "JPN",
 *      "facility": "F", "at": "2019-11-23T00:00:00+09:00"}
 * String members only, none unknown or twice, each within its cap, no
 * NUL. Which are required is the handler's business. Pure (fuzzed). */
struct decide_body {
	char agreement[GS_MAX_ID];
	char originator[GS_MAX_CODE];
	char classification[GS_MAX_LABEL];
	char purpose[GS_MAX_NAME];
	char topic[GS_MAX_NAME];
	char person[GS_MAX_ID];
	char to[GS_MAX_CODE];
	char facility[GS_MAX_ID];
	char at[GS_MAX_NAME];
};

int local_decide_parse(const char *buf, size_t len, struct decide_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
