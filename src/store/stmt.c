/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/err.h"
#include "util/banned.h"

int stmt_bindv(dbs *s, bool copy, const char *fmt, va_list ap)
{
	bool keep = !copy;
	int i, rc = SQLITE_OK;

	for (i = 0; fmt[i] && rc == SQLITE_OK; i++) {
		switch (fmt[i]) {
		case 's': {
			const char *t = va_arg(ap, const char *);

			rc = t ? dbs_bind_text(s, i + 1, t, keep) : dbs_bind_null(s, i + 1);
			break;
		}
		case 'b':
		case 'B': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			if (!p && fmt[i] == 'B')
				rc = dbs_bind_null(s, i + 1);
			else
				rc = dbs_bind_blob(s, i + 1, p, n, keep);
			break;
		}
		case 'i':
			rc = dbs_bind_int64(s, i + 1, va_arg(ap, int64_t));
			break;
		case 't': {
			int64_t t = va_arg(ap, int64_t);

			rc = t == INT64_MIN ? dbs_bind_null(s, i + 1) : dbs_bind_int64(s, i + 1, t);
			break;
		}
		default:
			return GS_EINTERNAL; /* a format letter this file does not know */
		}
	}
	return rc == SQLITE_OK ? 0 : GS_EIO;
}

int stmt_prepare(struct store *st, dbs **s, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (dbs_prepare(st, sql, s, false) != SQLITE_OK)
		return GS_EIO;
	va_start(ap, fmt);
	ret = stmt_bindv(*s, true, fmt, ap);
	va_end(ap);
	if (ret) {
		dbs_finalize(*s);
		*s = NULL;
		return GS_EIO;
	}
	return 0;
}

int stmt_done(dbs *s)
{
	int rc = dbs_step(s);

	dbs_finalize(s);
	if (rc == SQLITE_CONSTRAINT)
		return GS_EEXIST;
	return rc == SQLITE_DONE ? 0 : GS_EIO;
}

int stmt_exec(struct store *st, const char *sql, const char *fmt, ...)
{
	dbs *s;
	va_list ap;
	int ret;

	if (dbs_prepare(st, sql, &s, false) != SQLITE_OK)
		return GS_EIO;
	va_start(ap, fmt);
	ret = stmt_bindv(s, true, fmt, ap);
	va_end(ap);
	if (ret) {
		dbs_finalize(s);
		return GS_EIO;
	}
	return stmt_done(s);
}

char *stmt_text_dup(dbs *s, int i)
{
	const unsigned char *t = dbs_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

uint8_t *stmt_blob_dup(dbs *s, int i, size_t *len)
{
	const void *p = dbs_column_blob(s, i);
	size_t n = (size_t)dbs_column_bytes(s, i);
	uint8_t *b = malloc(n + 1);

	if (!b)
		return NULL;
	if (n)
		memcpy(b, p, n);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

int stmt_insert_id(struct store *st, int64_t *id, const char *sql, const char *fmt, ...)
{
	dbs *s;
	va_list ap;
	int rc, ret;

	if (dbs_prepare(st, sql, &s, false) != SQLITE_OK)
		return GS_EIO;
	va_start(ap, fmt);
	ret = stmt_bindv(s, true, fmt, ap);
	va_end(ap);
	if (ret) {
		dbs_finalize(s);
		return GS_EIO;
	}
	rc = dbs_step(s);
	if (rc == SQLITE_ROW && id)
		*id = dbs_column_int64(s, 0);
	dbs_finalize(s);
	if (rc == SQLITE_CONSTRAINT)
		return GS_EEXIST;
	return rc == SQLITE_ROW ? 0 : GS_EIO;
}
