/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/file.h"
#include "util/limits.h"

static char dir[] = "/tmp/gsomia-test-file-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char p[GS_PATH_MAX];

	(void)state;
	while (dp && (e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (dp)
		closedir(dp);
	return rmdir(dir);
}

static void path(char *out, const char *name)
{
	snprintf(out, GS_PATH_MAX, "%s/%s", dir, name);
}

/* How many names the test directory holds: no temporary file is left. */
static int entries(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(dp)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

static void test_read(void **state)
{
	char p[GS_PATH_MAX];
	struct gs_diag d;
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	path(p, "eight");
	assert_int_equal(write_file_atomic(p, "12345678", 8, 0600, &d), 0);
	assert_int_equal(read_file(p, 8, &buf, &len, &d), 0); /* exactly the cap */
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "12345678", 9); /* NUL after */
	free(buf);
	buf = NULL;
	assert_int_equal(read_file(p, 7, &buf, &len, &d), GS_ELIMIT);
	assert_null(buf);
	assert_non_null(strstr(d.msg, "larger than 7 bytes"));
	assert_non_null(strstr(d.msg, p));
	path(p, "missing");
	assert_int_equal(read_file(p, 100, &buf, &len, &d), GS_ENOTFOUND);
	assert_non_null(strstr(d.msg, "No such file"));
	assert_int_equal(read_file(dir, 100, &buf, &len, &d), GS_EIO); /* a directory */
	path(p, "empty");
	assert_int_equal(write_file_atomic(p, "", 0, 0600, &d), 0);
	assert_int_equal(read_file(p, 100, &buf, &len, &d), 0);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], 0);
	free(buf);
	unlink(p);
	path(p, "eight");
	unlink(p);
}

static void test_write_atomic(void **state)
{
	char p[GS_PATH_MAX];
	struct gs_diag d;
	struct stat sb;
	uint8_t *buf;
	size_t len;

	(void)state;
	path(p, "atomic");
	assert_int_equal(write_file_atomic(p, "first", 5, 0640, &d), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640 & ~(unsigned)umask(umask(0)));
	assert_int_equal(write_file_atomic(p, "second", 6, 0600, &d), 0); /* replaces */
	assert_int_equal(read_file(p, 100, &buf, &len, &d), 0);
	assert_string_equal((char *)buf, "second");
	free(buf);
	assert_int_equal(entries(), 1); /* no temporary file left */
	/* a directory that does not exist: refused, nothing made */
	path(p, "no-such-dir/x");
	assert_int_not_equal(write_file_atomic(p, "x", 1, 0600, &d), 0);
	assert_int_equal(entries(), 1);
	path(p, "atomic");
	unlink(p);
}

static void test_write_new(void **state)
{
	char p[GS_PATH_MAX];
	struct gs_diag d;
	uint8_t *buf;
	size_t len;

	(void)state;
	path(p, "new");
	assert_int_equal(write_file_new(p, "mine", 4, 0600, &d), 0);
	assert_int_equal(write_file_new(p, "other", 5, 0600, &d), GS_EEXIST);
	assert_non_null(strstr(d.msg, p));
	assert_int_equal(read_file(p, 100, &buf, &len, &d), 0);
	assert_string_equal((char *)buf, "mine"); /* never replaced */
	free(buf);
	unlink(p);
}

static void test_write_all(void **state)
{
	char p[GS_PATH_MAX];
	struct gs_diag d;
	size_t n = 1 << 20, len;
	uint8_t *big = malloc(n), *back;
	int fd;

	(void)state;
	for (size_t i = 0; i < n; i++)
		big[i] = (uint8_t)(i * 7);
	path(p, "all");
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, big, n), 0);
	close(fd);
	assert_int_equal(read_file(p, n, &back, &len, &d), 0);
	assert_int_equal(len, n);
	assert_memory_equal(back, big, n);
	free(back);
	free(big);
	unlink(p);
	/* a descriptor that is not open: GS_EIO, errno says why */
	errno = 0;
	assert_int_equal(write_all(fd, "x", 1), GS_EIO);
	assert_int_equal(errno, EBADF);
	/* /dev/full: the disk is full */
	fd = open("/dev/full", O_WRONLY);
	if (fd >= 0) {
		assert_int_equal(write_all(fd, "x", 1), GS_EIO);
		assert_int_equal(errno, ENOSPC);
		close(fd);
	}
}

static void test_fsync_dir(void **state)
{
	char p[GS_PATH_MAX];

	(void)state;
	assert_int_equal(fsync_dir(dir), 0);
	path(p, "not-there");
	assert_int_equal(fsync_dir(p), GS_EIO);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_write_new),
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_fsync_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
