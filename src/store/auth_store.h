/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_AUTH_STORE_H
#define GS_AUTH_STORE_H

/*
 * Rows for persons signing in to the node's API (migration 6 of
 * store/sqlite.c): one password hash per person (an Argon2id string made
 * by node/auth.c; the store keeps it as text and knows no crypto), and
 * the sessions, keyed by the SHA-256 of their token (the token itself is
 * never stored). Same conventions as store.h: 0 or a negative gs_err,
 * writes inside the caller's transaction when one is open.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_TOKEN_HASH_BYTES 32

/* Adds or replaces the hash of person. */
int store_password_put(struct store *st, const char *person, const char *hash, int64_t now);
/* GS_ENOTFOUND if person has no password; *hash is malloc'd. */
int store_password_get(struct store *st, const char *person, char **hash);

struct store_session {
	char *person;       /* malloc'd */
	int64_t created_at;
	int64_t expires_at;
	int64_t revoked_at; /* 0 while not revoked */
};
void store_session_release(struct store_session *s);

/* GS_EEXIST if the token hash is held already. */
int store_session_put(struct store *st, const uint8_t hash[STORE_TOKEN_HASH_BYTES], const char *person,
		      int64_t created_at, int64_t expires_at);
/* GS_ENOTFOUND if no session has this token hash. */
int store_session_get(struct store *st, const uint8_t hash[STORE_TOKEN_HASH_BYTES],
		      struct store_session *out);
/* Marks the session revoked at now; GS_ENOTFOUND if none is live. */
int store_session_revoke(struct store *st, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t now);
/* Removes sessions that expired or were revoked before `before`. */
int store_session_prune(struct store *st, int64_t before);

#endif
