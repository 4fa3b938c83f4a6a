/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/outfile.h"
#include "util/banned.h"

static atomic_uint outfile_serial;

int outfile_open(struct outfile *o, const char *path, int mode, struct gs_diag *d)
{
	struct stat sb;
	int n;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	n = snprintf(o->path, sizeof(o->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(o->path))
		return gs_diag_set(d, GS_ELIMIT, "path too long: '%s'", path);
	if (!strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		o->in_place = true;
		return 0;
	}
	/* stat, not lstat: a link to /dev/null is written through, as a
	 * shell's redirection would. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode))
			return gs_diag_set(d, GS_EIO, "%s: is a directory", path);
		o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (o->fd < 0)
			return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
		o->in_place = true;
		return 0;
	}
	/* the pid and a counter: two threads of a server writing the same
	 * path each have their own temporary file, and the last rename wins */
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld.%u", path, (long)getpid(),
		 atomic_fetch_add(&outfile_serial, 1u));
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (o->fd < 0 && errno == EEXIST) {
		/* left by a process of the same pid that died: ours to reuse */
		unlink(o->tmp);
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	}
	if (o->fd < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

int outfile_write(struct outfile *o, const void *buf, size_t len, struct gs_diag *d)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = write(o->fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return gs_diag_set(d, GS_EIO, "%s: %s", o->path, w < 0 ? strerror(errno) : "short write");
		done += (size_t)w;
	}
	return 0;
}

int outfile_commit(struct outfile *o, struct gs_diag *d)
{
	int e;

	if (o->in_place) {
		if (o->fd != STDOUT_FILENO && close(o->fd) != 0) {
			o->fd = -1;
			return gs_diag_set(d, GS_EIO, "%s: %s", o->path, strerror(errno));
		}
		o->fd = -1;
		return 0;
	}
	e = fsync(o->fd) != 0 ? errno : 0;
	if (close(o->fd) != 0 && !e)
		e = errno;
	o->fd = -1;
	if (e) {
		unlink(o->tmp);
		return gs_diag_set(d, GS_EIO, "%s: %s", o->path, strerror(e));
	}
	if (rename(o->tmp, o->path) != 0) {
		e = errno;
		unlink(o->tmp);
		return gs_diag_set(d, GS_EIO, "%s: %s", o->path, strerror(e));
	}
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->fd >= 0 && o->fd != STDOUT_FILENO)
		close(o->fd);
	o->fd = -1;
	if (!o->in_place && o->tmp[0])
		unlink(o->tmp);
}
