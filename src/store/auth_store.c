/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/auth_store.h"
#include "store/store_internal.h"
#include "util/banned.h"

int store_password_put(struct store *st, const char *person, const char *hash, int64_t now)
{
	return stmt_exec(st, "INSERT INTO person_passwords (person, hash, updated_at) VALUES (?, ?, ?) "
			 "ON CONFLICT (person) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
			 "ssi", person, hash, now);
}

int store_password_get(struct store *st, const char *person, char **hash)
{
	dbs *s;
	int rc, ret;

	if (stmt_prepare(st, &s, "SELECT hash FROM person_passwords WHERE person = ?", "s", person))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*hash = stmt_text_dup(s, 0);
		ret = *hash ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

void store_session_release(struct store_session *s)
{
	if (!s)
		return;
	free(s->person);
	memset(s, 0, sizeof(*s));
}

int store_session_put(struct store *st, const uint8_t hash[STORE_TOKEN_HASH_BYTES], const char *person,
		      int64_t created_at, int64_t expires_at)
{
	return stmt_exec(st, "INSERT INTO sessions (token_hash, person, created_at, expires_at) VALUES (?, ?, ?, ?)",
			 "bsii", hash, (size_t)STORE_TOKEN_HASH_BYTES, person, created_at, expires_at);
}

int store_session_get(struct store *st, const uint8_t hash[STORE_TOKEN_HASH_BYTES],
		      struct store_session *out)
{
	dbs *s = store_hot(st, HOT_SESSION_GET, "SELECT person, created_at, expires_at, "
				    "coalesce(revoked_at, 0) FROM sessions WHERE token_hash = ?");
	int rc, ret;

	memset(out, 0, sizeof(*out));
	if (!s)
		return GS_EIO;
	rc = dbs_bind_blob(s, 1, hash, STORE_TOKEN_HASH_BYTES, true);
	if (rc == SQLITE_OK)
		rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = dbs_column_text(s, 0);

		out->person = strdup(t ? (const char *)t : "");
		out->created_at = dbs_column_int64(s, 1);
		out->expires_at = dbs_column_int64(s, 2);
		out->revoked_at = dbs_column_int64(s, 3);
		ret = out->person ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_reset(s);
	dbs_clear_bindings(s);
	return ret;
}

int store_session_revoke(struct store *st, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t now)
{
	int ret = stmt_exec(st, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
			    "ib", now, hash, (size_t)STORE_TOKEN_HASH_BYTES);

	return ret ? (ret == GS_EEXIST ? GS_EIO : ret) : dbs_changes(st) ? 0 : GS_ENOTFOUND;
}

int store_session_prune(struct store *st, int64_t before)
{
	return stmt_exec(st, "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?", "ii", before, before);
}
