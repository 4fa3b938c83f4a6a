/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/consent_store.h"
#include "store/store_internal.h"
#include "util/banned.h"

int store_consent_put(struct store *st, const char *id, const char *originator, const char *decision,
		      const char *json, const uint8_t *note, size_t len, int64_t now)
{
	return stmt_exec(st, "INSERT INTO consents (id, originator, decision, record, note, imported_at) "
			 "VALUES (?, ?, ?, ?, ?, ?)", "ssssbi", id, originator, decision, json, note, len, now);
}

int store_consent_record_set(struct store *st, const char *id, const char *json)
{
	return stmt_exec(st, "UPDATE consents SET record = ? WHERE id = ?", "ss", json, id);
}

int store_consent_get(struct store *st, const char *id, char **json, uint8_t **note, size_t *len)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT record, note FROM consents WHERE id = ?", "s", id))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*json = stmt_text_dup(s, 0);
		if (!*json)
			ret = GS_ENOMEM;
		if (!ret && note && !(*note = stmt_blob_dup(s, 1, len))) {
			free(*json);
			*json = NULL;
			ret = GS_ENOMEM;
		}
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

static int each(struct store *st, const char *sql, int (*fn)(void *ctx, const char *id, const char *json),
		void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, sql, ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)dbs_column_text(s, 0), (const char *)dbs_column_text(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_consent_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json),
		       void *ctx)
{
	return each(st, "SELECT id, record FROM consents ORDER BY rowid", fn, ctx);
}

int store_incident_put(struct store *st, const char *id, const char *item, const char *json,
		       int64_t now)
{
	return stmt_exec(st, "INSERT INTO incidents (id, item, record, updated_at) VALUES (?, ?, ?, ?) "
			 "ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
			 "sssi", id, item, json, now);
}

int store_incident_get(struct store *st, const char *id, char **json)
{
	dbs *s;
	int rc, ret;

	if (stmt_prepare(st, &s, "SELECT record FROM incidents WHERE id = ?", "s", id))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW) {
		*json = stmt_text_dup(s, 0);
		ret = *json ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	return ret;
}

int store_incident_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json),
			void *ctx)
{
	return each(st, "SELECT id, record FROM incidents ORDER BY rowid", fn, ctx);
}
