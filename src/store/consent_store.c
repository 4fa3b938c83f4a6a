/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/consent_store.h"
#include "store/sqlite_internal.h"
#include "util/banned.h"

static int done(sqlite3_stmt *s, int rc)
{
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_CONSTRAINT)
		return GS_EEXIST;
	return rc == SQLITE_DONE ? 0 : GS_EIO;
}

static char *dup_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

int store_consent_put(struct store *st, const char *id, const char *originator, const char *decision,
		      const char *json, const uint8_t *note, size_t len, int64_t now)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO consents (id, originator, decision, record, note, imported_at) "
				       "VALUES (?, ?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, originator, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 3, decision, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, json, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob64(s, 5, note ? (const void *)note : "", len, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 6, now);
	return done(s, rc);
}

int store_consent_record_set(struct store *st, const char *id, const char *json)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "UPDATE consents SET record = ? WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	rc = sqlite3_bind_text(s, 1, json, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
	return done(s, rc);
}

int store_consent_get(struct store *st, const char *id, char **json, uint8_t **note, size_t *len)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT record, note FROM consents WHERE id = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return GS_EIO;
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		sqlite3_finalize(s);
		return GS_EIO;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*json = dup_text(s, 0);
		if (!*json)
			ret = GS_ENOMEM;
		if (!ret && note) {
			size_t n = (size_t)sqlite3_column_bytes(s, 1);

			*note = malloc(n + 1);
			if (!*note) {
				free(*json);
				*json = NULL;
				ret = GS_ENOMEM;
			} else {
				if (n)
					memcpy(*note, sqlite3_column_blob(s, 1), n);
				(*note)[n] = 0;
				*len = n;
			}
		}
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	sqlite3_finalize(s);
	return ret;
}

static int each(struct store *st, const char *sql, int (*fn)(void *ctx, const char *id, const char *json),
		void *ctx)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ret = fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	sqlite3_finalize(s);
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
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO incidents (id, item, record, updated_at) VALUES (?, ?, ?, ?) "
				       "ON CONFLICT (id) DO UPDATE SET record = excluded.record, "
				       "updated_at = excluded.updated_at", -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, item, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 3, json, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 4, now);
	return done(s, rc);
}

int store_incident_get(struct store *st, const char *id, char **json)
{
	sqlite3_stmt *s;
	int rc, ret;

	if (sqlite3_prepare_v2(st->db, "SELECT record FROM incidents WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		sqlite3_finalize(s);
		return GS_EIO;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*json = dup_text(s, 0);
		ret = *json ? 0 : GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	sqlite3_finalize(s);
	return ret;
}

int store_incident_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json),
			void *ctx)
{
	return each(st, "SELECT id, record FROM incidents ORDER BY rowid", fn, ctx);
}
