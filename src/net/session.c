/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/api.h"
#include "net/session.h"
#include "util/banned.h"

void signin_req_release(struct signin_req *r)
{
	if (!r)
		return;
	if (r->password)
		sodium_free(r->password); /* wipes */
	r->password = NULL;
	r->password_len = 0;
}

int session_signin_parse(const char *buf, size_t len, struct signin_req *out, struct gs_diag *d)
{
	json_t *root, *v;
	const char *key, *person, *pass;
	size_t pl, wl;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = api_json_object(buf, len, GS_NET_MAX_LOCAL_BODY, "", &root, d)))
		return ret;
	ret = GS_EINVAL;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "person") && strcmp(key, "password")) {
			gs_diag_set(d, GS_EINVAL, "unknown member '%.64s'", key);
			goto out;
		}
		if (!json_is_string(v)) {
			gs_diag_set(d, GS_EINVAL, "member '%s' is not a string", key);
			goto out;
		}
	}
	v = json_object_get(root, "person");
	if (!v) {
		gs_diag_set(d, GS_EINVAL, "missing member 'person'");
		goto out;
	}
	person = json_string_value(v);
	pl = json_string_length(v);
	if (strlen(person) != pl || !ident_id_is_valid(person)) {
		gs_diag_set(d, GS_EINVAL, "person is not 1 to %d of [A-Za-z0-9._-]", GS_MAX_ID - 1);
		goto out;
	}
	v = json_object_get(root, "password");
	if (!v) {
		gs_diag_set(d, GS_EINVAL, "missing member 'password'");
		goto out;
	}
	pass = json_string_value(v);
	wl = json_string_length(v);
	if (wl == 0 || strlen(pass) != wl) {
		gs_diag_set(d, GS_EINVAL, "password is empty or holds a NUL byte");
		goto out;
	}
	if (wl > GS_MAX_PASSPHRASE) {
		ret = gs_diag_set(d, GS_ELIMIT, "password longer than %d bytes", GS_MAX_PASSPHRASE);
		goto out;
	}
	out->password = sodium_malloc(wl + 1);
	if (!out->password) {
		ret = GS_ENOMEM;
		goto out;
	}
	memcpy(out->password, pass, wl + 1);
	out->password_len = wl;
	memcpy(out->person, person, pl + 1);
	ret = 0;
out:
	/* jansson's copy of the password is freed here; it is not wiped
	 * (jansson gives no hook), but it never outlives the request */
	json_decref(root);
	return ret;
}

int session_token_parse(const char *text, uint8_t token[AUTH_TOKEN_BYTES])
{
	char again[SESSION_TOKEN_STR];
	size_t bin = 0, i;
	const char *end = NULL;

	if (!text || strlen(text) != SESSION_TOKEN_CHARS)
		return GS_EINVAL;
	/* libsodium's decoder takes some bytes outside the alphabet (0xcc,
	 * found by fuzz/fuzz_local_body.c): check the alphabet first, and
	 * take only the one spelling that encodes the decoded bytes. */
	for (i = 0; i < SESSION_TOKEN_CHARS; i++) {
		char ch = text[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return GS_EINVAL;
	}
	if (sodium_base642bin(token, AUTH_TOKEN_BYTES, text, SESSION_TOKEN_CHARS, NULL, &bin, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    bin != AUTH_TOKEN_BYTES || end != text + SESSION_TOKEN_CHARS)
		return GS_EINVAL;
	session_token_encode(token, again);
	if (strcmp(again, text))
		return GS_EINVAL;
	return 0;
}

int session_bearer_parse(const char *header, uint8_t token[AUTH_TOKEN_BYTES])
{
	if (!header || strncasecmp(header, "Bearer ", 7))
		return GS_EINVAL;
	return session_token_parse(header + 7, token);
}

void session_csrf_of(const uint8_t token[AUTH_TOKEN_BYTES], char out[SESSION_TOKEN_STR])
{
	static const char label[] = "gsomia csrf v1";
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, token, AUTH_TOKEN_BYTES);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)label, sizeof(label) - 1);
	crypto_auth_hmacsha256_final(&st, mac);
	session_token_encode(mac, out);
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

int session_csrf_check(const uint8_t token[AUTH_TOKEN_BYTES], const char *given)
{
	char want[SESSION_TOKEN_STR];
	int ok;

	if (!given || strlen(given) != SESSION_TOKEN_CHARS)
		return GS_EDENIED;
	session_csrf_of(token, want);
	ok = sodium_memcmp(want, given, SESSION_TOKEN_CHARS) == 0;
	sodium_memzero(want, sizeof(want));
	return ok ? 0 : GS_EDENIED;
}

void session_token_encode(const uint8_t token[AUTH_TOKEN_BYTES], char out[SESSION_TOKEN_STR])
{
	sodium_bin2base64(out, SESSION_TOKEN_STR, token, AUTH_TOKEN_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- the limiter ---- */

void signin_limiter_init(struct signin_limiter *l)
{
	memset(l->slot, 0, sizeof(l->slot));
	pthread_mutex_init(&l->lock, NULL);
}

void signin_limiter_destroy(struct signin_limiter *l)
{
	pthread_mutex_destroy(&l->lock);
}

static struct signin_slot *slot_find(struct signin_limiter *l, const char *person)
{
	size_t i;

	for (i = 0; i < SIGNIN_SLOTS; i++)
		if (l->slot[i].fails && !strcmp(l->slot[i].person, person))
			return &l->slot[i];
	return NULL;
}

static int slot_live(const struct signin_slot *s, int64_t now)
{
	return s->fails && now - s->since < SIGNIN_WINDOW;
}

static int slot_blocked(const struct signin_slot *s, int64_t now)
{
	return slot_live(s, now) && s->fails >= SIGNIN_MAX_FAILS;
}

/* A slot for a new id: a free or ended one, else the live one whose window
 * began first among those not blocked. A blocked slot is never given up
 * before its window ends (else filling the table would reset it); NULL
 * when every slot is blocked. */
static struct signin_slot *slot_for_new(struct signin_limiter *l, int64_t now)
{
	struct signin_slot *s = NULL;
	size_t i;

	for (i = 0; i < SIGNIN_SLOTS; i++) {
		if (!slot_live(&l->slot[i], now))
			return &l->slot[i];
		if (!slot_blocked(&l->slot[i], now) && (!s || l->slot[i].since < s->since))
			s = &l->slot[i];
	}
	return s;
}

int signin_limiter_blocked(struct signin_limiter *l, const char *person, int64_t now)
{
	struct signin_slot *s;
	int blocked;

	pthread_mutex_lock(&l->lock);
	s = slot_find(l, person);
	/* an id with no slot while every slot is blocked: refused too, since
	 * its failures could not be counted (fail closed) */
	blocked = s ? slot_blocked(s, now) : !slot_for_new(l, now);
	pthread_mutex_unlock(&l->lock);
	return blocked;
}

void signin_limiter_fail(struct signin_limiter *l, const char *person, int64_t now)
{
	struct signin_slot *s;

	if (strlen(person) >= GS_MAX_ID)
		return;
	pthread_mutex_lock(&l->lock);
	s = slot_find(l, person);
	if (s && !slot_live(s, now))
		s->fails = 0;
	if (!s) {
		if (!(s = slot_for_new(l, now))) {
			pthread_mutex_unlock(&l->lock);
			return;
		}
		memset(s, 0, sizeof(*s));
		memcpy(s->person, person, strlen(person) + 1);
	}
	if (s->fails == 0)
		s->since = now;
	if (s->fails < SIGNIN_MAX_FAILS)
		s->fails++;
	pthread_mutex_unlock(&l->lock);
}

void signin_limiter_clear(struct signin_limiter *l, const char *person)
{
	struct signin_slot *s;

	pthread_mutex_lock(&l->lock);
	s = slot_find(l, person);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&l->lock);
}
