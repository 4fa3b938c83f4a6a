/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/outfile.h"
#include "util/banned.h"

int read_file(const char *path, size_t cap, uint8_t **out, size_t *len, struct gs_diag *d)
{
	FILE *f;
	uint8_t *buf;
	size_t n = 0, got;
	int ret = GS_EIO;

	f = fopen(path, "rb");
	if (!f)
		return gs_diag_set(d, errno == ENOENT ? GS_ENOTFOUND : GS_EIO, "%s: %s", path,
				   strerror(errno));
	buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return GS_ENOMEM;
	}
	while ((got = fread(buf + n, 1, cap + 1 - n, f)) > 0) {
		n += got;
		if (n > cap) {
			ret = gs_diag_set(d, GS_ELIMIT, "%s: larger than %zu bytes", path, cap);
			goto fail;
		}
	}
	if (ferror(f)) {
		ret = gs_diag_set(d, GS_EIO, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
fail:
	fclose(f);
	free(buf);
	return ret;
}

int write_file_atomic(const char *path, const void *buf, size_t len, int mode, struct gs_diag *d)
{
	struct outfile o;
	int ret;

	if ((ret = outfile_open(&o, path, mode, d)))
		return ret;
	if ((ret = outfile_write(&o, buf, len, d))) {
		outfile_abort(&o);
		return ret;
	}
	return outfile_commit(&o, d);
}

int write_file_new(const char *path, const void *buf, size_t len, int mode, struct gs_diag *d)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return gs_diag_set(d, errno == EEXIST ? GS_EEXIST : GS_EIO, "%s: %s", path,
				   strerror(errno));
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1; /* released even when close fails */
		goto fail;
	}
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(err));
}

int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return GS_EIO;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret, err;

	if (fd < 0)
		return GS_EIO;
	ret = fsync(fd);
	err = errno;
	close(fd);
	errno = err;
	return ret ? GS_EIO : 0;
}
