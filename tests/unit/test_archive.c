/* SPDX-License-Identifier: Apache-2.0 */
/* The archive inside a backup (node/archive.h): its bytes for known files
 * (a known answer), the reader's callbacks, and every malformed archive
 * refused with the byte it failed at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "node/archive.h"

/* Two files: the known answer of the format (docs/backup-format.md). */
static const char kat[] = "gsomia-archive/v1\n"
			  "F 600 5 gsomia.db\n"
			  "hello"
			  "F 644 3 objects/0123abcd.bundle\n"
			  "abc"
			  "E 2\n";

struct seen {
	char names[8][ARCHIVE_NAME_MAX + 1];
	unsigned modes[8];
	uint64_t sizes[8];
	char data[64];
	size_t nfiles, ndata, ends;
};

static int on_begin(void *ctx, const char *name, unsigned mode, uint64_t size)
{
	struct seen *s = ctx;

	snprintf(s->names[s->nfiles], sizeof(s->names[0]), "%s", name);
	s->modes[s->nfiles] = mode;
	s->sizes[s->nfiles] = size;
	s->nfiles++;
	return 0;
}

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
	struct seen *s = ctx;

	memcpy(s->data + s->ndata, p, n);
	s->ndata += n;
	return 0;
}

static int on_end(void *ctx)
{
	((struct seen *)ctx)->ends++;
	return 0;
}

/* Feeds text in pieces of step bytes; 0 or the error, with d. */
static int feed(const char *text, size_t len, size_t step, struct seen *s, struct gs_diag *d)
{
	struct archive_sink sink = { on_begin, on_data, on_end, s };
	struct archive_reader r;
	size_t off;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	archive_reader_init(&r, &sink);
	for (off = 0; off < len && !ret; off += step)
		ret = archive_feed(&r, (const uint8_t *)text + off, len - off < step ? len - off : step, d);
	return ret ? ret : archive_finish(&r, d);
}

static void test_known_answer(void **state)
{
	const char *names[] = { "gsomia.db", "objects/0123abcd.bundle" };
	unsigned modes[] = { 0600, 0644 };
	uint64_t sizes[] = { 5, 3 };
	char line[ARCHIVE_LINE_MAX];
	char buf[256];
	size_t len = 0;
	int k;

	(void)state;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", ARCHIVE_MAGIC);
	k = archive_file_line(names[0], modes[0], sizes[0], line);
	assert_true(k > 0);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%shello", line);
	k = archive_file_line(names[1], modes[1], sizes[1], line);
	assert_true(k > 0);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%sabc", line);
	k = archive_end_line(2, line);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", line);
	assert_int_equal(len, strlen(kat));
	assert_memory_equal(buf, kat, len);
	assert_int_equal(archive_size(2, names, modes, sizes), strlen(kat));
}

static void test_read_whole_and_bytewise(void **state)
{
	struct gs_diag d = { { 0 } };
	struct seen s;
	size_t step;

	(void)state;
	for (step = 1; step <= sizeof(kat); step++) {
		assert_int_equal(feed(kat, strlen(kat), step, &s, &d), 0);
		assert_int_equal(s.nfiles, 2);
		assert_int_equal(s.ends, 2);
		assert_string_equal(s.names[0], "gsomia.db");
		assert_int_equal(s.modes[0], 0600);
		assert_string_equal(s.names[1], "objects/0123abcd.bundle");
		assert_int_equal(s.modes[1], 0644);
		assert_int_equal(s.sizes[1], 3);
		assert_int_equal(s.ndata, 8);
		assert_memory_equal(s.data, "helloabc", 8);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_true(archive_name_ok("gsomia.db"));
	assert_true(archive_name_ok("tls.key"));
	assert_true(archive_name_ok("inbox/bundle-0123"));
	assert_true(archive_name_ok("outgoing/restoration-ab.note"));
	assert_false(archive_name_ok("keys.sealed")); /* it travels in the manifest */
	assert_false(archive_name_ok("gsomia.db-wal"));
	assert_false(archive_name_ok("objects/../gsomia.db"));
	assert_false(archive_name_ok("objects/.hidden"));
	assert_false(archive_name_ok("objects/"));
	assert_false(archive_name_ok("objects/a/b"));
	assert_false(archive_name_ok("/etc/passwd"));
	assert_false(archive_name_ok("tmp/x"));
	assert_false(archive_name_ok("objects/a b"));
}

static void refused(const char *text, const char *what)
{
	struct gs_diag d = { { 0 } };
	struct seen s;

	assert_int_not_equal(feed(text, strlen(text), strlen(text) ? strlen(text) : 1, &s, &d), 0);
	if (!strstr(d.msg, what)) {
		fprintf(stderr, "'%s' not in '%s'\n", what, d.msg);
		fail();
	}
}

static void test_refusals(void **state)
{
	(void)state;
	refused("", "before its end line (truncated)");
	refused("tar-archive/v1\n", "byte 0: not a gsomia archive");
	refused("gsomia-archive/v1\nF 600 5 gsomia.db\nhel", "truncated");
	refused("gsomia-archive/v1\nF 600 5 gsomia.db\nhelloE 1\nX", "data after the end line");
	refused("gsomia-archive/v1\nF 600 5 gsomia.db\nhelloE 2\n", "does not count 1 files");
	refused("gsomia-archive/v1\nF 600 1 tls.key\nxE 1\n", "no gsomia.db");
	refused("gsomia-archive/v1\nF 755 1 gsomia.db\nxE 1\n", "mode must be 600 or 644");
	refused("gsomia-archive/v1\nF 600 01 gsomia.db\nxE 1\n", "bad size");
	refused("gsomia-archive/v1\nF 600 1 objects/../x\nx", "is not a file a home may hold");
	refused("gsomia-archive/v1\nF 600 1 gsomia.db\nxF 600 1 gsomia.db\nxE 2\n", "out of order or repeated");
	refused("gsomia-archive/v1\nF 600 1 tls.key\nxF 600 1 gsomia.db\nxE 2\n", "out of order or repeated");
	refused("gsomia-archive/v1\nF 600 1 gsomia.db\tx", "control character");
	refused("gsomia-archive/v1\nF 600 1\n", "'F MODE SIZE NAME'");
	refused("gsomia-archive/v1\nG 600 1 gsomia.db\n", "expected a file line or the end line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_read_whole_and_bytewise),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
