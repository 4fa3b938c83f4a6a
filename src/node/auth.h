/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_AUTH_H
#define GS_NODE_AUTH_H

/*
 * Persons signing in to the node's local API (docs/api.md "Sessions").
 *
 * A password is kept only as an Argon2id string (crypto_pwhash_str,
 * interactive limits) in its own table, never in the person's record and
 * never in a diag. A session is 32 random bytes handed to the person once
 * as its token; the node keeps only the token's SHA-256, with the person,
 * the creation and the expiry (seconds of node_timer(): a session's
 * lifetime is a wait, so it runs out in real time even on an exercise
 * node, whose clock stands still; the local API shows them on the node's
 * clock), and the revocation.
 *
 * Roles are not kept with the session: the caller reads the person's
 * record on every call, so a role taken away counts at once.
 *
 * Errors: 0 or a negative gs_err with a sentence in d (never a secret).
 */

#include <sodium.h>
#include <stdint.h>

#include "node/node.h"

#define AUTH_TOKEN_BYTES 32
#define AUTH_MIN_PASSWORD 8           /* bytes */
#define AUTH_HASH_STR crypto_pwhash_STRBYTES

/* Sets the password of a registered person (GS_ENOTFOUND if none, GS_EINVAL
 * if shorter than AUTH_MIN_PASSWORD or longer than GS_MAX_PASSPHRASE).
 * Logged as a person event (no secret in it). Slow on purpose. */
int node_password_set(struct node *n, const char *person, const char *pass, size_t len,
		      struct gs_diag *d) __attribute__((warn_unused_result));

/* The stored hash of person's password; GS_ENOTFOUND if the person has
 * none (or does not exist). */
int node_password_hash(struct node *n, const char *person, char out[AUTH_HASH_STR],
		       struct gs_diag *d) __attribute__((warn_unused_result));

/* 0 if pass matches hash, else GS_EDENIED. Touches no node, so that a
 * server can run it outside its lock: it costs tens of milliseconds. */
int auth_password_check(const char *hash, const char *pass, size_t len)
	__attribute__((warn_unused_result));

/* A hash that matches no password: checked when the person is unknown,
 * so that an unknown person costs as much time as a wrong password. */
const char *auth_dummy_hash(void);

struct node_session {
	char person[GS_MAX_ID];
	int64_t created_at;
	int64_t expires_at;
};

/* Opens a session for person at now for ttl seconds: fills token with
 * fresh random bytes and stores its hash. Also drops sessions that ended
 * a day ago. */
int node_session_open(struct node *n, const char *person, int64_t now, int64_t ttl,
		      uint8_t token[AUTH_TOKEN_BYTES], struct node_session *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The live session of a token: GS_EDENIED if the token is unknown, expired
 * or revoked (d says which, for logs; a client is told only 401). */
int node_session_find(struct node *n, const uint8_t token[AUTH_TOKEN_BYTES], int64_t now,
		      struct node_session *out, struct gs_diag *d) __attribute__((warn_unused_result));

/* Revokes the session of a token (sign out); GS_EDENIED if not live. */
int node_session_close(struct node *n, const uint8_t token[AUTH_TOKEN_BYTES], int64_t now,
		       struct gs_diag *d) __attribute__((warn_unused_result));

#endif
