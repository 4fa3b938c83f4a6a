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
#include <stddef.h>
#include <stdint.h>

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

struct local_request {
	int route;                 /* from local_api_route() */
	const char *url;
	const char *authorization; /* the Authorization header, or NULL */
	const char *at;            /* the ?at= argument, or NULL */
	const char *body;          /* may be NULL when len is 0 */
	size_t len;
};

/* Answers a request: the HTTP status and a JSON reply (never NULL unless
 * out of memory). lock serialises the node's use. */
unsigned local_api_handle(struct local_api *api, struct node *n, pthread_mutex_t *lock,
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
