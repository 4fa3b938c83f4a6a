/* SPDX-License-Identifier: Apache-2.0 */
/* HOME/db.conf (core/dbconf.h, docs/scale-out.md): known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/dbconf.h"
#include "util/err.h"

static const char good[] = "# the database of this home (docs/scale-out.md)\n"
			   "db postgresql://gsomia@db1,db2/gsomia_kor?target_session_attrs=read-write\n"
			   "party KOR\n"
			   "fingerprint f3a5 4711 c476 5781 a4a3 9f7b 59b6 5e37\n";

/* The file init writes parses, and formats back to the same bytes. */
static void test_round_trip(void **state)
{
	struct dbconf c;
	char msg[160], text[DBCONF_DB_MAX + 256];
	int n;

	(void)state;
	assert_int_equal(dbconf_parse(good, strlen(good), &c, msg, sizeof(msg)), 0);
	assert_string_equal(c.db, "postgresql://gsomia@db1,db2/gsomia_kor?target_session_attrs=read-write");
	assert_string_equal(c.party, "KOR");
	assert_string_equal(c.fingerprint, "f3a5 4711 c476 5781 a4a3 9f7b 59b6 5e37");
	n = dbconf_format(&c, text, sizeof(text));
	assert_int_equal(n, (int)strlen(good));
	assert_memory_equal(text, good, strlen(good));
}

static void refused(const char *text, const char *why)
{
	struct dbconf c;
	char msg[160];

	assert_int_equal(dbconf_parse(text, strlen(text), &c, msg, sizeof(msg)), GS_EINVAL);
	assert_non_null(strstr(msg, why));
}

/* Each damage is refused, saying what and where. */
static void test_refusals(void **state)
{
	(void)state;
	refused("db x\nparty KOR\n", "needs 'db', 'party' and 'fingerprint'");
	refused("db x\nparty KOR\nparty JPN\nfingerprint f\n", "line 3: 'party' is given twice");
	refused("db x\nparty KOREA-LONG\nfingerprint f\n", "line 2: 'party' needs a value");
	refused("db x\nhost y\n", "line 2: unknown key 'host'");
	refused("db\n", "line 1: not 'key value'");
	refused("db x\tz\nparty KOR\nfingerprint f\n", "line 1: a control byte");
	refused("", "needs 'db'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
