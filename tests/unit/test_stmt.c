/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store/key_store.h"
#include "store/store_internal.h"
#include "util/err.h"

static int setup(void **state)
{
	struct store *st = calloc(1, sizeof(*st));

	if (!st || sqlite3_open(":memory:", &st->db) != SQLITE_OK ||
	    sqlite3_exec(st->db, "CREATE TABLE t (k TEXT PRIMARY KEY, v ANY) STRICT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	struct store *st = *state;

	sqlite3_close(st->db);
	free(st);
	return 0;
}

/* The type SQLite holds for key k, and its bytes as text. */
static void row(struct store *st, const char *k, const char *type, const char *hex)
{
	dbs *s;

	assert_int_equal(stmt_prepare(st, &s, "SELECT typeof(v), hex(v) FROM t WHERE k = ?", "s", k), 0);
	assert_int_equal(dbs_step(s), SQLITE_ROW);
	assert_string_equal((const char *)dbs_column_text(s, 0), type);
	assert_string_equal((const char *)dbs_column_text(s, 1), hex);
	dbs_finalize(s);
}

/* Each format letter binds what it says, NULLs included. */
static void test_formats(void **state)
{
	struct store *st = *state;
	const char *ins = "INSERT INTO t (k, v) VALUES (?, ?)";

	assert_int_equal(stmt_exec(st, ins, "ss", "text", "hé"), 0);
	assert_int_equal(stmt_exec(st, ins, "ss", "null text", NULL), 0);
	assert_int_equal(stmt_exec(st, ins, "sb", "blob", "\x01\x00\x02", (size_t)3), 0);
	assert_int_equal(stmt_exec(st, ins, "sb", "empty blob", NULL, (size_t)0), 0);
	assert_int_equal(stmt_exec(st, ins, "sB", "null blob", NULL, (size_t)0), 0);
	assert_int_equal(stmt_exec(st, ins, "sB", "B blob", "ab", (size_t)2), 0);
	assert_int_equal(stmt_exec(st, ins, "si", "int", (int64_t)-5000000000), 0);
	assert_int_equal(stmt_exec(st, ins, "st", "instant", (int64_t)1700000000), 0);
	assert_int_equal(stmt_exec(st, ins, "st", "no instant", (int64_t)STORE_NO_INSTANT), 0);
	row(st, "text", "text", "68C3A9");
	row(st, "null text", "null", "");
	row(st, "blob", "blob", "010002");
	row(st, "empty blob", "blob", "");
	row(st, "null blob", "null", "");
	row(st, "B blob", "blob", "6162");
	row(st, "int", "integer", "2D35303030303030303030"); /* hex() of the text "-5000000000" */
	row(st, "instant", "integer", "31373030303030303030");
	row(st, "no instant", "null", "");
}

/* A row that is already there is GS_EEXIST; bad SQL or a letter this
 * helper does not know is refused and leaves nothing to finalize. */
static void test_refusals(void **state)
{
	struct store *st = *state;
	dbs *s = (dbs *)1;

	assert_int_equal(stmt_exec(st, "INSERT INTO t (k, v) VALUES (?, ?)", "si", "dup", (int64_t)1), 0);
	assert_int_equal(stmt_exec(st, "INSERT INTO t (k, v) VALUES (?, ?)", "si", "dup", (int64_t)2), GS_EEXIST);
	assert_int_equal(stmt_exec(st, "INSERT INTO nowhere VALUES (?)", "i", (int64_t)1), GS_EIO);
	assert_int_equal(stmt_prepare(st, &s, "SELECT ?", "x", 1), GS_EIO);
	assert_null(s);
	/* more letters than parameters: SQLite's range error */
	assert_int_equal(stmt_prepare(st, &s, "SELECT ?", "ii", (int64_t)1, (int64_t)2), GS_EIO);
	assert_int_equal(stmt_exec(st, "UPDATE t SET v = ? WHERE k = ?", "is", (int64_t)3, "dup"), 0);
	row(st, "dup", "integer", "33");
}

static void test_column_copies(void **state)
{
	struct store *st = *state;
	dbs *s;
	size_t len = 99;
	uint8_t *b;
	char *t;

	assert_int_equal(stmt_prepare(st, &s, "SELECT ?, ?, NULL, x''", "sb", "word", "\x00z", (size_t)2), 0);
	assert_int_equal(dbs_step(s), SQLITE_ROW);
	t = stmt_text_dup(s, 0);
	assert_string_equal(t, "word");
	free(t);
	b = stmt_blob_dup(s, 1, &len);
	assert_int_equal(len, 2);
	assert_memory_equal(b, "\x00z\x00", 3); /* a NUL after the bytes */
	free(b);
	t = stmt_text_dup(s, 2); /* NULL reads as "" */
	assert_string_equal(t, "");
	free(t);
	b = stmt_blob_dup(s, 3, &len);
	assert_non_null(b);
	assert_int_equal(len, 0);
	assert_int_equal(b[0], 0);
	free(b);
	dbs_finalize(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_column_copies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
