/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"
#include "store/visit_store.h"
#include "util/banned.h"

int store_visit_put(struct store *st, const char *id, const char *visitor, const char *host,
		    const char *state, const char *json, const uint8_t *request, size_t request_len,
		    const uint8_t *answer, size_t answer_len, int64_t now)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO visits (id, visitor, host, state, record, request, answer, updated_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
			       "record = excluded.record, answer = excluded.answer, updated_at = excluded.updated_at",
			       -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, visitor, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 3, host, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, state, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 5, json, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob64(s, 6, request_len ? (const void *)request : "", request_len, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = answer ? sqlite3_bind_blob64(s, 7, answer_len ? (const void *)answer : "", answer_len,
						  SQLITE_TRANSIENT)
			    : sqlite3_bind_null(s, 7);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 8, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : GS_EIO;
}

static int dup_blob(sqlite3_stmt *s, int i, uint8_t **out, size_t *len)
{
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	*out = malloc(n + 1);
	if (!*out)
		return GS_ENOMEM;
	if (n)
		memcpy(*out, sqlite3_column_blob(s, i), n);
	(*out)[n] = 0;
	if (len)
		*len = n;
	return 0;
}

int store_visit_get(struct store *st, const char *id, char **json, uint8_t **request,
		    size_t *request_len, uint8_t **answer, size_t *answer_len)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (json)
		*json = NULL;
	if (request)
		*request = NULL;
	if (answer)
		*answer = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT record, request, answer FROM visits WHERE id = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return GS_EIO;
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		sqlite3_finalize(s);
		return GS_EIO;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		if (json && !(*json = strdup(t ? (const char *)t : "")))
			ret = GS_ENOMEM;
		if (!ret && request)
			ret = dup_blob(s, 1, request, request_len);
		if (!ret && answer && sqlite3_column_type(s, 2) != SQLITE_NULL)
			ret = dup_blob(s, 2, answer, answer_len);
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	sqlite3_finalize(s);
	if (ret) {
		if (json) {
			free(*json);
			*json = NULL;
		}
		if (request) {
			free(*request);
			*request = NULL;
		}
		if (answer) {
			free(*answer);
			*answer = NULL;
		}
	}
	return ret;
}

int store_visit_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json), void *ctx)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT id, record FROM visits ORDER BY rowid", -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	sqlite3_finalize(s);
	return ret;
}
