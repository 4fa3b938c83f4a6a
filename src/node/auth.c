/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/auth.h"
#include "node/ledger.h"
#include "node/registers.h"
#include "store/auth_store.h"
#include "util/banned.h"

static void token_hash(const uint8_t token[AUTH_TOKEN_BYTES], uint8_t out[STORE_TOKEN_HASH_BYTES])
{
	crypto_hash_sha256(out, token, AUTH_TOKEN_BYTES);
}

int node_password_set(struct node *n, const char *person, const char *pass, size_t len,
		      struct gs_diag *d)
{
	struct person *p = calloc(1, sizeof(*p));
	char hash[AUTH_HASH_STR];
	gs_instant now;
	int ret;

	if (!p)
		return GS_ENOMEM;
	if ((ret = node_person_get(n, person, p, d)))
		goto out;
	if (len < AUTH_MIN_PASSWORD || len > GS_MAX_PASSPHRASE) {
		ret = gs_diag_set(d, GS_EINVAL, "a password has %d to %d bytes", AUTH_MIN_PASSWORD,
				  GS_MAX_PASSPHRASE);
		goto out;
	}
	if (crypto_pwhash_str(hash, pass, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		ret = gs_diag_set(d, GS_ENOMEM, "cannot hash the password (out of memory)");
		goto out;
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	if ((ret = store_begin(n->st))) {
		ret = gs_diag_set(d, GS_EIO, "database: cannot begin");
		goto out;
	}
	if ((ret = store_password_put(n->st, p->id, hash, (int64_t)now))) {
		gs_diag_set(d, ret, "cannot store the password of '%s'", p->id);
		goto rollback;
	}
	if ((ret = ledger_event(n, NULL, LEDGER_PERSON, now, p->id, d, "password", "set", NULL)))
		goto rollback;
	if ((ret = store_commit(n->st))) {
		gs_diag_set(d, GS_EIO, "database: cannot commit");
		goto rollback;
	}
	goto out;
rollback:
	store_rollback(n->st);
out:
	sodium_memzero(hash, sizeof(hash));
	free(p);
	return ret;
}

int node_password_hash(struct node *n, const char *person, char out[AUTH_HASH_STR], struct gs_diag *d)
{
	char *h = NULL;
	size_t len;
	int ret;

	if ((ret = store_password_get(n->st, person, &h)))
		return ret == GS_ENOTFOUND ? gs_diag_set(d, ret, "'%s' has no password", person)
					   : gs_diag_set(d, ret, "cannot read the password of '%s'", person);
	len = strlen(h);
	if (len >= AUTH_HASH_STR) {
		free(h);
		return gs_diag_set(d, GS_EINVAL, "damaged password hash of '%s'", person);
	}
	memcpy(out, h, len + 1);
	free(h);
	return 0;
}

int auth_password_check(const char *hash, const char *pass, size_t len)
{
	return crypto_pwhash_str_verify(hash, pass, len) == 0 ? 0 : GS_EDENIED;
}

static char dummy[AUTH_HASH_STR];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* The hash of 32 random bytes nobody keeps. */
static void dummy_make(void)
{
	uint8_t r[32];

	randombytes_buf(r, sizeof(r));
	if (crypto_pwhash_str(dummy, (const char *)r, sizeof(r), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy[0] = 0; /* verify then fails at once: still no match */
	sodium_memzero(r, sizeof(r));
}

const char *auth_dummy_hash(void)
{
	pthread_once(&dummy_once, dummy_make);
	return dummy;
}

int node_session_open(struct node *n, const char *person, int64_t now, int64_t ttl,
		      uint8_t token[AUTH_TOKEN_BYTES], struct node_session *out, struct gs_diag *d)
{
	uint8_t h[STORE_TOKEN_HASH_BYTES];
	int ret;

	if (ttl <= 0)
		return gs_diag_set(d, GS_EINVAL, "a session lasts at least a second");
	if (strlen(person) >= sizeof(out->person))
		return gs_diag_set(d, GS_EINVAL, "person id too long");
	randombytes_buf(token, AUTH_TOKEN_BYTES);
	token_hash(token, h);
	if ((ret = store_begin(n->st)))
		return gs_diag_set(d, GS_EIO, "database: cannot begin");
	if ((ret = store_session_prune(n->st, now - 86400)) ||
	    (ret = store_session_put(n->st, h, person, now, now + ttl)) || (ret = store_commit(n->st))) {
		store_rollback(n->st);
		sodium_memzero(token, AUTH_TOKEN_BYTES);
		return gs_diag_set(d, ret, "cannot store the session");
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->person, person, strlen(person) + 1);
	out->created_at = now;
	out->expires_at = now + ttl;
	return 0;
}

int node_session_find(struct node *n, const uint8_t token[AUTH_TOKEN_BYTES], int64_t now,
		      struct node_session *out, struct gs_diag *d)
{
	uint8_t h[STORE_TOKEN_HASH_BYTES];
	struct store_session s;
	int ret;

	token_hash(token, h);
	if ((ret = store_session_get(n->st, h, &s)))
		return ret == GS_ENOTFOUND ? gs_diag_set(d, GS_EDENIED, "unknown session token")
					   : gs_diag_set(d, ret, "cannot read the session");
	if (s.revoked_at)
		ret = gs_diag_set(d, GS_EDENIED, "the session was closed");
	else if (now >= s.expires_at)
		ret = gs_diag_set(d, GS_EDENIED, "the session expired");
	else if (strlen(s.person) >= sizeof(out->person))
		ret = gs_diag_set(d, GS_EINVAL, "damaged session");
	if (!ret) {
		memset(out, 0, sizeof(*out));
		memcpy(out->person, s.person, strlen(s.person) + 1);
		out->created_at = s.created_at;
		out->expires_at = s.expires_at;
	}
	store_session_release(&s);
	return ret;
}

int node_session_close(struct node *n, const uint8_t token[AUTH_TOKEN_BYTES], int64_t now,
		       struct gs_diag *d)
{
	uint8_t h[STORE_TOKEN_HASH_BYTES];
	int ret;

	token_hash(token, h);
	ret = store_session_revoke(n->st, h, now);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, GS_EDENIED, "no open session for this token");
	return ret ? gs_diag_set(d, ret, "cannot close the session") : 0;
}
