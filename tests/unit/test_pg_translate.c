/* SPDX-License-Identifier: Apache-2.0 */
/* The store's SQL as PostgreSQL takes it (store/pg.c, docs/scale-out.md
 * "Backends"): known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "store/pg.h"

static void check(const char *sql, const char *want, int nparams, bool guard)
{
	char *got = NULL;
	int n = -1;
	bool g = !guard;

	assert_int_equal(pg_translate(sql, &got, &n, &g), 0);
	assert_string_equal(got, want);
	assert_int_equal(n, nparams);
	assert_int_equal(g, guard);
	free(got);
}

/* '?' becomes $1, $2... in order, never inside a quoted string. */
static void test_parameters(void **state)
{
	(void)state;
	check("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2", 2, false);
	check("SELECT '?' FROM t WHERE b = ?", "SELECT '?' FROM t WHERE b = $1", 1, false);
	check("UPDATE t SET a = ? WHERE id = ?", "UPDATE t SET a = $1 WHERE id = $2", 2, false);
	check("SELECT 1", "SELECT 1", 0, false);
}

/* A plain INSERT ... VALUES does nothing on a key already held, and is
 * guarded (no row: the constraint SQLite answers); INSERT OR IGNORE does
 * nothing, unguarded; an INSERT that names its conflict is left alone. */
static void test_inserts(void **state)
{
	(void)state;
	check("INSERT INTO t (a, b) VALUES (?, ?)", "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2,
	      true);
	check("INSERT OR IGNORE INTO t (a) VALUES (?)", "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING", 1, false);
	check("INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = excluded.a",
	      "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a", 1, false);
	check("INSERT INTO t (a) VALUES (?) RETURNING id",
	      "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id", 1, true);
}

/* SQLite's json_extract of a record's member is PostgreSQL's ->>. */
static void test_json(void **state)
{
	(void)state;
	check("SELECT json_extract(record, '$.title') FROM items WHERE json_extract(record, '$.bundle') = ?",
	      "SELECT (record::json ->> 'title') FROM items WHERE (record::json ->> 'bundle') = $1", 1, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parameters),
		cmocka_unit_test(test_inserts),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
