/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/warning_store.h"
#include "util/banned.h"

int store_warning_rule_add(struct store *st, const struct warning_rule_row *r, int64_t *id)
{
	return stmt_insert_id(st, id, "INSERT INTO warning_rules (kind, origin, to_party, under, agreement, topic, "
			      "purpose, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			      "sssssssis", r->kind, r->origin, r->to, r->under, r->agreement, r->topic, r->purpose,
			      r->added_at, r->added_by);
}

static void row_of(dbs *s, struct warning_rule_row *r)
{
	r->id = dbs_column_int64(s, 0);
	r->kind = (const char *)dbs_column_text(s, 1);
	r->origin = (const char *)dbs_column_text(s, 2);
	r->to = (const char *)dbs_column_text(s, 3);
	r->under = (const char *)dbs_column_text(s, 4);
	r->agreement = (const char *)dbs_column_text(s, 5);
	r->topic = (const char *)dbs_column_text(s, 6);
	r->purpose = (const char *)dbs_column_text(s, 7);
	r->added_at = dbs_column_int64(s, 8);
	r->added_by = (const char *)dbs_column_text(s, 9);
}

#define RULE_COLUMNS "id, kind, origin, to_party, under, agreement, topic, purpose, added_at, added_by"

int store_warning_rule_remove(struct store *st, int64_t id, char **row_json)
{
	dbs *s;
	int rc, ret;

	*row_json = NULL;
	if (stmt_prepare(st, &s, "SELECT " RULE_COLUMNS " FROM warning_rules WHERE id = ?", "i", id))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc != SQLITE_ROW) {
		dbs_finalize(s);
		return rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	{
		struct warning_rule_row r;
		char buf[1024];

		row_of(s, &r);
		snprintf(buf, sizeof(buf), "%s %s->%s under %s topic %s", r.kind, r.origin, r.to, r.under, r.topic);
		*row_json = strdup(buf);
	}
	dbs_finalize(s);
	if (!*row_json)
		return GS_ENOMEM;
	ret = stmt_exec(st, "DELETE FROM warning_rules WHERE id = ?", "i", id);
	if (ret) {
		free(*row_json);
		*row_json = NULL;
	}
	return ret;
}

int store_warning_rule_each(struct store *st, const char *kind, int (*fn)(void *ctx, const struct warning_rule_row *r),
			    void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (kind ? stmt_prepare(st, &s, "SELECT " RULE_COLUMNS " FROM warning_rules WHERE kind = ? ORDER BY id", "s", kind)
		 : stmt_prepare(st, &s, "SELECT " RULE_COLUMNS " FROM warning_rules ORDER BY id", ""))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		struct warning_rule_row r;

		row_of(s, &r);
		ret = fn(ctx, &r);
	}
	if (!ret && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_warning_add(struct store *st, const char *kind, const char *originator, const char *id,
		      const char *item, const char *record, int64_t at_ms, int64_t *seq)
{
	return stmt_insert_id(st, seq, "INSERT INTO warnings (kind, originator, id, item, record, at_ms) "
			      "VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
			      "sssssi", kind, originator, id, item, record, at_ms);
}

int store_warning_set_record(struct store *st, int64_t seq, const char *record)
{
	int ret = stmt_exec(st, "UPDATE warnings SET record = ? WHERE seq = ?", "si", record, seq);

	if (!ret && dbs_changes(st) != 1)
		return GS_ENOTFOUND;
	return ret == GS_EEXIST ? GS_EIO : ret;
}

static int one_row(dbs *s, int64_t *seq, char **item, char **record)
{
	int rc = dbs_step(s), ret = 0;

	if (rc == SQLITE_ROW) {
		if (seq)
			*seq = dbs_column_int64(s, 0);
		if (item && !(*item = stmt_text_dup(s, 1)))
			ret = GS_ENOMEM;
		if (!ret && record && !(*record = stmt_text_dup(s, 2)))
			ret = GS_ENOMEM;
	} else {
		ret = rc == SQLITE_DONE ? GS_ENOTFOUND : GS_EIO;
	}
	dbs_finalize(s);
	if (ret) {
		if (item) {
			free(*item);
			*item = NULL;
		}
		if (record) {
			free(*record);
			*record = NULL;
		}
	}
	return ret;
}

int store_warning_find(struct store *st, const char *originator, const char *id, int64_t *seq, char **item,
		       char **record)
{
	dbs *s;

	if (item)
		*item = NULL;
	if (record)
		*record = NULL;
	if (stmt_prepare(st, &s, "SELECT seq, item, record FROM warnings WHERE kind = 'warning' AND originator = ? AND id = ?",
			 "ss", originator, id))
		return GS_EIO;
	return one_row(s, seq, item, record);
}

int store_warning_of_item(struct store *st, const char *item, int64_t *seq, char **record)
{
	dbs *s;

	if (record)
		*record = NULL;
	if (stmt_prepare(st, &s, "SELECT seq, item, record FROM warnings WHERE kind = 'warning' AND item = ? "
			 "ORDER BY seq LIMIT 1", "s", item))
		return GS_EIO;
	return one_row(s, seq, NULL, record);
}

int store_warning_each_after(struct store *st, int64_t after, unsigned limit,
			     int (*fn)(void *ctx, int64_t seq, const char *kind, const char *item, const char *record),
			     void *ctx)
{
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s, "SELECT seq, kind, item, record FROM warnings WHERE seq > ? ORDER BY seq LIMIT ?", "ii",
			 after, limit ? (int64_t)limit : (int64_t)-1))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW)
		ret = fn(ctx, dbs_column_int64(s, 0), (const char *)dbs_column_text(s, 1),
			 (const char *)dbs_column_text(s, 2), (const char *)dbs_column_text(s, 3));
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}

int store_warning_last(struct store *st, int64_t *seq)
{
	dbs *s;
	int rc;

	*seq = 0;
	if (stmt_prepare(st, &s, "SELECT COALESCE(MAX(seq), 0) FROM warnings", ""))
		return GS_EIO;
	rc = dbs_step(s);
	if (rc == SQLITE_ROW)
		*seq = dbs_column_int64(s, 0);
	dbs_finalize(s);
	return rc == SQLITE_ROW ? 0 : GS_EIO;
}
