/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stand-in for close(), preloaded into a server under test
 * (tests/cli/badinput.sh). When CLOSE_FAILS names a fragment of a path,
 * closing a descriptor on a file whose path holds it releases the
 * descriptor, as close() always does, and then reports EIO, as close() may
 * on a network file system or a full disk. Closing the same number again
 * from the same thread, before anything else is closed, is the defect this
 * catches: in a threaded server the number may already be another thread's
 * file. The process then stops at once with "closed twice".
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int close(int fd);

static __thread int failed_fd = -1;

int close(int fd)
{
	static int (*real_close)(int);
	const char *fragment = getenv("CLOSE_FAILS");
	char link[64], target[4096];
	ssize_t n;

	if (!real_close) {
		void *sym = dlsym(RTLD_NEXT, "close");

		memcpy(&real_close, &sym, sizeof(real_close)); /* POSIX: a function's address */
	}
	if (failed_fd >= 0) {
		int was = failed_fd;

		failed_fd = -1;
		if (fd == was) {
			static const char msg[] = "close_fails: a descriptor closed twice\n";

			(void)!write(2, msg, sizeof(msg) - 1);
			abort();
		}
	}
	if (fragment && *fragment) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			if (strstr(target, fragment)) {
				real_close(fd);
				failed_fd = fd;
				errno = EIO;
				return -1;
			}
		}
	}
	return real_close(fd);
}
