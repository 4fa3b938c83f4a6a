/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "node/audit.h"

#define JST (9 * 3600)

static gs_instant at(const char *s)
{
	gs_instant t;

	assert_int_equal(instant_parse(s, 0, &t), 0);
	return t;
}

static void entry(struct ledger_entry *e, unsigned type, const char *when, const char *party, const char *person,
		  const char *item)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->time = at(when);
	snprintf(e->party, sizeof(e->party), "%s", party);
	snprintf(e->person, sizeof(e->person), "%s", person);
	snprintf(e->item, sizeof(e->item), "%s", item);
}

/* Each member read from its text; a bad one is one sentence and changes nothing. */
static void test_filter_set(void **state)
{
	struct audit_filter f, was;
	struct gs_diag d = { { 0 } };

	(void)state;
	audit_filter_init(&f);
	assert_int_equal(audit_filter_set(&f, "kind", "access-refusal", JST, &d), 0);
	assert_int_equal(f.kind, LEDGER_ACCESS_REFUSAL);
	assert_int_equal(audit_filter_set(&f, "person", "kato", JST, &d), 0);
	assert_string_equal(f.person, "kato");
	assert_int_equal(audit_filter_set(&f, "party", "KOR", JST, &d), 0);
	/* a date is a whole day in the zone: 2019-11-01 from 2019-10-31T15:00Z */
	assert_int_equal(audit_filter_set(&f, "since", "2019-11-01", JST, &d), 0);
	assert_true(f.since == at("2019-10-31T15:00:00Z"));
	assert_int_equal(audit_filter_set(&f, "until", "2019-11-01", JST, &d), 0);
	assert_true(f.before == at("2019-11-01T15:00:00Z"));
	/* an instant: until is inclusive */
	assert_int_equal(audit_filter_set(&f, "until", "2019-11-01T12:00:00+09:00", JST, &d), 0);
	assert_true(f.before == at("2019-11-01T03:00:01Z"));
	assert_int_equal(audit_filter_set(&f, "log", "internal", JST, &d), 0);
	assert_true(f.one_log && f.log[0] == 0);
	assert_int_equal(audit_filter_set(&f, "log", "JPN", JST, &d), 0);
	assert_string_equal(f.log, "JPN");

	was = f;
	assert_int_equal(audit_filter_set(&f, "kind", "releases", JST, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "kind 'releases' is not a ledger entry kind"));
	assert_int_equal(audit_filter_set(&f, "person", "two words", JST, &d), GS_EINVAL);
	assert_int_equal(audit_filter_set(&f, "person", "", JST, &d), GS_EINVAL);
	assert_int_equal(audit_filter_set(&f, "party", "kor", JST, &d), GS_EINVAL);
	assert_int_equal(audit_filter_set(&f, "log", "external", JST, &d), GS_EINVAL);
	assert_int_equal(audit_filter_set(&f, "since", "1 Nov", JST, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "since '1 Nov' is not an RFC 3339 instant or a date"));
	assert_int_equal(audit_filter_set(&f, "since", "2019-12-01", JST, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "since '2019-12-01' is after until"));
	assert_int_equal(audit_filter_set(&f, "until", "2019-10-01", JST, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "until '2019-10-01' is before since"));
	assert_memory_equal(&f, &was, sizeof(f));
	assert_int_equal(audit_filter_set(&f, "colour", "red", JST, &d), GS_ENOTFOUND);
}

/* Every member narrows; party is the actor's or the log's. */
static void test_match(void **state)
{
	struct audit_filter f;
	struct ledger_entry e;
	struct gs_diag d = { { 0 } };

	(void)state;
	entry(&e, LEDGER_RELEASE, "2019-11-01T03:00:00Z", "KOR", "kim", "KOR-0001");
	audit_filter_init(&f);
	assert_true(audit_match(&f, "JPN", &e));
	assert_int_equal(audit_filter_set(&f, "kind", "release", JST, &d), 0);
	assert_true(audit_match(&f, "JPN", &e));
	assert_int_equal(audit_filter_set(&f, "person", "kim", JST, &d), 0);
	assert_true(audit_match(&f, "JPN", &e));
	assert_int_equal(audit_filter_set(&f, "party", "JPN", JST, &d), 0);
	assert_true(audit_match(&f, "JPN", &e));  /* the log kept with JPN */
	assert_false(audit_match(&f, "USA", &e)); /* neither actor nor log */
	assert_int_equal(audit_filter_set(&f, "party", "KOR", JST, &d), 0);
	assert_true(audit_match(&f, "USA", &e));  /* the actor */
	assert_int_equal(audit_filter_set(&f, "since", "2019-11-01", JST, &d), 0);
	assert_int_equal(audit_filter_set(&f, "until", "2019-11-01", JST, &d), 0);
	assert_true(audit_match(&f, "JPN", &e));
	e.time = at("2019-11-01T15:00:00Z"); /* 2 November in Tokyo */
	assert_false(audit_match(&f, "JPN", &e));
	e.time = at("2019-10-31T14:59:59Z");
	assert_false(audit_match(&f, "JPN", &e));
	e.time = at("2019-10-31T15:00:00Z");
	assert_true(audit_match(&f, "JPN", &e));
	e.type = LEDGER_RECEIPT;
	assert_false(audit_match(&f, "JPN", &e));
	e.type = LEDGER_RELEASE;
	snprintf(e.person, sizeof(e.person), "park");
	assert_false(audit_match(&f, "JPN", &e));
	snprintf(e.person, sizeof(e.person), "kim");
	assert_int_equal(audit_filter_set(&f, "item", "KOR-0002", JST, &d), 0);
	assert_false(audit_match(&f, "JPN", &e));
	assert_int_equal(audit_filter_set(&f, "item", "KOR-0001", JST, &d), 0);
	assert_int_equal(audit_filter_set(&f, "log", "internal", JST, &d), 0);
	assert_false(audit_match(&f, "JPN", &e));
	assert_true(audit_match(&f, "", &e));
}

/* The row, and its CSV (known answer, RFC 4180). */
static void test_row_csv(void **state)
{
	struct ledger_entry e;
	json_t *rows = json_array(), *row;
	char *csv = NULL;
	size_t len = 0;

	(void)state;
	entry(&e, LEDGER_ACCESS_REFUSAL, "2019-11-01T03:00:00Z", "JPN", "sato", "KOR-0001");
	ledger_entry_field(&e, "reason", "refused: sato holds no PSC, \"none\"");
	ledger_entry_field(&e, "rule", "access.psc-none");
	row = audit_row("gsomia-exercise/JPN/ledger/KOR", "KOR", 3, &e, NULL);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "log")), "KOR");
	assert_string_equal(json_string_value(json_object_get(row, "kind")), "access-refusal");
	assert_string_equal(json_string_value(json_object_get(row, "rule")), "access.psc-none");
	assert_string_equal(json_string_value(json_object_get(row, "at")), "2019-11-01T03:00:00Z");
	json_array_append_new(rows, row);
	entry(&e, LEDGER_PERSON, "2019-11-01T04:00:00Z", "JPN", "", " lead space");
	json_array_append_new(rows, audit_row("gsomia-exercise/JPN/ledger/internal", "", 0, &e, NULL));
	assert_int_equal(audit_csv(rows, &csv, &len, NULL), 0);
	assert_string_equal(csv,
			    "log,index,at,kind,person,party,item,rule,fields\r\n"
			    "KOR,3,2019-11-01T03:00:00Z,access-refusal,sato,JPN,KOR-0001,access.psc-none,"
			    "\"{\"\"reason\"\":\"\"refused: sato holds no PSC, \\\"\"none\\\"\"\"\",\"\"rule\"\":\"\"access.psc-none\"\"}\"\r\n"
			    "internal,0,2019-11-01T04:00:00Z,person,,JPN,\" lead space\",,{}\r\n");
	assert_int_equal(len, strlen(csv));
	free(csv);
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_set),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_row_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
