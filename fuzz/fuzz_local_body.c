/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/api.h"
#include "net/local_api.h"
#include "net/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every member of a parsed decide body is a NUL-terminated string within
 * its buffer. */
static void check_str(const char *s, size_t cap)
{
	if (memchr(s, 0, cap) == NULL)
		abort();
}

/* The same bytes as the body of POST /v1/session, of the decide
 * endpoints, and as an Authorization header. Whatever parses must hold
 * what the parser promises; whatever fails must say why and hold nothing. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signin_req sr;
	struct decide_body db;
	struct gs_diag d;
	uint8_t token[AUTH_TOKEN_BYTES];
	char *hdr;

	/* the password goes to sodium_malloc'd memory */
	if (sodium_init() < 0)
		abort();
	d.msg[0] = 0;
	if (session_signin_parse((const char *)data, size, &sr, &d) != 0) {
		if (sr.password || !d.msg[0])
			abort();
	} else {
		if (!sr.password || sr.password_len == 0 || sr.password_len > GS_MAX_PASSPHRASE ||
		    strlen(sr.password) != sr.password_len || !ident_id_is_valid(sr.person))
			abort();
		signin_req_release(&sr);
	}

	d.msg[0] = 0;
	if (local_decide_parse((const char *)data, size, &db, &d) != 0) {
		if (!d.msg[0] || db.agreement[0] || db.person[0])
			abort();
	} else {
		check_str(db.agreement, sizeof(db.agreement));
		check_str(db.originator, sizeof(db.originator));
		check_str(db.classification, sizeof(db.classification));
		check_str(db.purpose, sizeof(db.purpose));
		check_str(db.topic, sizeof(db.topic));
		check_str(db.person, sizeof(db.person));
		check_str(db.to, sizeof(db.to));
		check_str(db.facility, sizeof(db.facility));
		check_str(db.at, sizeof(db.at));
	}

	hdr = malloc(size + 1);
	if (!hdr)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = 0;
	if (session_bearer_parse(hdr, token) == 0) {
		char again[SESSION_TOKEN_STR];

		/* a token parses only in its one canonical spelling */
		session_token_encode(token, again);
		if (strlen(hdr) != 7 + SESSION_TOKEN_CHARS || strcmp(hdr + 7, again))
			abort();
	}
	/* the cookie's value: the same rule, and its CSRF token never the token */
	if (session_token_parse(hdr, token) == 0) {
		char again[SESSION_TOKEN_STR], csrf[SESSION_TOKEN_STR];

		session_token_encode(token, again);
		if (strcmp(hdr, again))
			abort();
		session_csrf_of(token, csrf);
		if (session_csrf_check(token, csrf) || !session_csrf_check(token, again))
			abort();
	}
	free(hdr);
	return 0;
}
