/* SPDX-License-Identifier: Apache-2.0 */
/* The archive inside a backup (node/archive.h): fed whole and fed byte by
 * byte, the reader must reach the same verdict and see the same files;
 * every name it hands over must be one a home may hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t files, bytes;
	uint64_t digest;
};

static int on_begin(void *ctx, const char *name, unsigned mode, uint64_t size)
{
	struct seen *s = ctx;
	size_t i;

	/* no component may start with a dot: no ".", "..", hidden file */
	if (!archive_name_ok(name) || (mode != 0600 && mode != 0644) || name[0] == '.' || strstr(name, "/."))
		abort();
	s->files++;
	for (i = 0; name[i]; i++)
		s->digest = s->digest * 31 + (unsigned char)name[i];
	s->digest += size;
	return 0;
}

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
	struct seen *s = ctx;
	size_t i;

	s->bytes += n;
	for (i = 0; i < n; i++)
		s->digest = s->digest * 131 + p[i];
	return 0;
}

static int run(const uint8_t *data, size_t size, size_t step, struct seen *s)
{
	struct archive_sink sink = { on_begin, on_data, NULL, s };
	struct archive_reader r;
	struct gs_diag d;
	size_t off;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	archive_reader_init(&r, &sink);
	for (off = 0; off < size && !ret; off += step)
		ret = archive_feed(&r, data + off, size - off < step ? size - off : step, &d);
	if (!ret)
		ret = archive_finish(&r, &d);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen a, b;
	int ra = run(data, size, size ? size : 1, &a), rb = run(data, size, 1, &b);

	if ((ra == 0) != (rb == 0))
		abort();
	if (!ra && (a.files != b.files || a.bytes != b.bytes || a.digest != b.digest))
		abort();
	return 0;
}
