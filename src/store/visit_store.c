/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/visit_store.h"
#include "util/banned.h"

int store_visit_put(struct store *st, const char *id, const char *visitor, const char *host,
		    const char *state, const char *json, const uint8_t *request, size_t request_len,
		    const uint8_t *answer, size_t answer_len, int64_t now)
{
	int ret = stmt_exec(st, "INSERT INTO visits (id, visitor, host, state, record, request, answer, updated_at) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
			    "record = excluded.record, answer = excluded.answer, updated_at = excluded.updated_at",
			    "sssssbBi", id, visitor, host, state, json, request, request_len, answer, answer_len, now);

	return ret == GS_EEXIST ? GS_EIO : ret;
}

int store_visit_get(struct store *st, const char *id, char **json, uint8_t **request,
		    size_t *request_len, uint8_t **answer, size_t *answer_len)
{
	dbs *s;
	int rc, ret = 0;

	if (json)
		*json = NULL;
	if (request)
		*request = NULL;
	if (answer)
		*answer = NULL;
	if (stmt_prepare(st, &s, "SELECT record, request, answer FROM visits WHERE id = ?", "s", id))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		if (json && !(*json = stmt_text_dup(s, 0)))
			ret = GS_ENOMEM;
		if (!ret && request && !(*request = stmt_blob_dup(s, 1, request_len)))
			ret = GS_ENOMEM;
		if (!ret && answer && dbs_column_type(s, 2) != SQLITE_NULL &&
		    !(*answer = stmt_blob_dup(s, 2, answer_len)))
			ret = GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
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
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT id, record FROM visits ORDER BY rowid", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0), (const char *)dbs_column_text(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}
