/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"
#include "util/err.h"
#include "util/banned.h"

int stmt_bindv(sqlite3_stmt *s, bool copy, const char *fmt, va_list ap)
{
	sqlite3_destructor_type keep = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
	int i, rc = SQLITE_OK;

	for (i = 0; fmt[i] && rc == SQLITE_OK; i++) {
		switch (fmt[i]) {
		case 's':
			rc = sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, keep);
			break;
		case 'b':
		case 'B': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			if (!p && fmt[i] == 'B')
				rc = sqlite3_bind_null(s, i + 1);
			else /* never a NULL pointer: SQLite would bind NULL, not an empty blob */
				rc = sqlite3_bind_blob64(s, i + 1, p && n ? p : "", n, keep);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
			break;
		case 't': {
			int64_t t = va_arg(ap, int64_t);

			rc = t == INT64_MIN ? sqlite3_bind_null(s, i + 1) : sqlite3_bind_int64(s, i + 1, t);
			break;
		}
		default:
			return GS_EINTERNAL; /* a format letter this file does not know */
		}
	}
	return rc == SQLITE_OK ? 0 : GS_EIO;
}

int stmt_prepare(struct store *st, sqlite3_stmt **s, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return GS_EIO;
	va_start(ap, fmt);
	ret = stmt_bindv(*s, true, fmt, ap);
	va_end(ap);
	if (ret) {
		sqlite3_finalize(*s);
		*s = NULL;
		return GS_EIO;
	}
	return 0;
}

int stmt_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc == SQLITE_CONSTRAINT)
		return GS_EEXIST;
	return rc == SQLITE_DONE ? 0 : GS_EIO;
}

int stmt_exec(struct store *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int ret;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return GS_EIO;
	va_start(ap, fmt);
	ret = stmt_bindv(s, true, fmt, ap);
	va_end(ap);
	if (ret) {
		sqlite3_finalize(s);
		return GS_EIO;
	}
	return stmt_done(s);
}

char *stmt_text_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

uint8_t *stmt_blob_dup(sqlite3_stmt *s, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
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
