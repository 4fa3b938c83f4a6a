/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_SESSION_H
#define GS_NET_SESSION_H

/*
 * Sign-in for the local API (docs/api.md "Sessions"): the body of
 * POST /v1/session, the bearer token of every later call, and the
 * limiter of failed sign-ins. Pure: no I/O and no node (node/auth.h keeps
 * the hashes and the sessions), so that the parsers can be fuzzed
 * (fuzz/fuzz_local_body.c) and the limiter tested with a fixed clock.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "node/auth.h"
#include "util/err.h"
#include "util/limits.h"

/* A token as the client sees it: base64url without padding, 43 chars. */
#define SESSION_TOKEN_CHARS 43
#define SESSION_TOKEN_STR (SESSION_TOKEN_CHARS + 1)

/* The body of POST /v1/session: {"person": "yamada", "password": "..."}.
 * Exactly these two string members, no duplicate; person 1 to
 * GS_MAX_ID - 1 bytes of [A-Za-z0-9._-]; password 1 to GS_MAX_PASSPHRASE
 * bytes without NUL. The password is copied into guarded memory. */
struct signin_req {
	char person[GS_MAX_ID];
	char *password; /* sodium_malloc'd, NUL-terminated */
	size_t password_len;
};

/* GS_EINVAL or GS_ELIMIT with a sentence in d (never the password). On
 * error *out holds nothing to release. */
int session_signin_parse(const char *buf, size_t len, struct signin_req *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* Wipes and frees the password. */
void signin_req_release(struct signin_req *r);

/* The token of an Authorization header "Bearer <token>" (the scheme in
 * any case, one space). GS_EINVAL if there is none or it is malformed. */
int session_bearer_parse(const char *header, uint8_t token[AUTH_TOKEN_BYTES])
	__attribute__((warn_unused_result));
void session_token_encode(const uint8_t token[AUTH_TOKEN_BYTES], char out[SESSION_TOKEN_STR]);
/* The token of its text form (the cookie of a browser's session). */
int session_token_parse(const char *text, uint8_t token[AUTH_TOKEN_BYTES])
	__attribute__((warn_unused_result));

/* The CSRF token of a session (docs/console.md): HMAC-SHA-256 keyed by the
 * session's token over a fixed label, base64url. A page of the node's own
 * origin learns it from the sign-in or GET /v1/session; another site can
 * neither read it nor derive it, since the cookie is HttpOnly. */
void session_csrf_of(const uint8_t token[AUTH_TOKEN_BYTES], char out[SESSION_TOKEN_STR]);
/* 0 if given is the session's CSRF token (compared in constant time),
 * else GS_EDENIED. */
int session_csrf_check(const uint8_t token[AUTH_TOKEN_BYTES], const char *given)
	__attribute__((warn_unused_result));

/*
 * Failed sign-ins per person id: after SIGNIN_MAX_FAILS failures within
 * SIGNIN_WINDOW seconds, every sign-in of that id (right password or
 * not) is refused until the window that began with the first failure has
 * passed. Unknown ids count like known ones, so the limiter says nothing
 * about who exists. A fixed table: when it is full, the entry whose
 * window ended (else the oldest) is reused. Thread-safe.
 */
#define SIGNIN_MAX_FAILS 5
#define SIGNIN_WINDOW 60
#define SIGNIN_SLOTS 256

struct signin_slot {
	char person[GS_MAX_ID];
	int64_t since; /* first failure of the window */
	unsigned fails;
};

struct signin_limiter {
	pthread_mutex_t lock;
	struct signin_slot slot[SIGNIN_SLOTS];
};

void signin_limiter_init(struct signin_limiter *l);
void signin_limiter_destroy(struct signin_limiter *l);
/* 1 if person may not try now, else 0. */
int signin_limiter_blocked(struct signin_limiter *l, const char *person, int64_t now);
void signin_limiter_fail(struct signin_limiter *l, const char *person, int64_t now);
/* A successful sign-in forgets the failures. */
void signin_limiter_clear(struct signin_limiter *l, const char *person);

#endif
