/* SPDX-License-Identifier: Apache-2.0 */
/* bundle_check (a bundle checked as it arrives) on arbitrary bytes, fed in
 * pieces whose sizes the first input byte chooses, as they are and with
 * the manifest signed anew by the test key (bundle_resign.h). The
 * verified prefix only grows and never passes what was taken; a finished
 * check agrees with bundle_verify on the whole file and with
 * bundle_verified_prefix; every leaf of a finished v2 bundle checks on
 * its own. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crypto/bundle.h"
#include "util/err.h"

#include "bundle_resign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *b, size_t len, size_t piece)
{
	struct bundle_check *c;
	struct bundle_manifest m, m2;
	struct gs_diag d;
	uint64_t last = 0, prefix, off, sl, i;
	size_t at = 0, n;
	int ret = 0, fin, ver, complete, fd;

	if (bundle_check_new(kor_key, NULL, &c, &d) != 0)
		abort();
	while (at < len) {
		n = len - at < piece ? len - at : piece;
		ret = bundle_check_update(c, b + at, n, &d);
		if (ret)
			break;
		at += n;
		if (bundle_check_verified(c) < last || bundle_check_verified(c) > bundle_check_taken(c) ||
		    bundle_check_taken(c) != at)
			abort();
		last = bundle_check_verified(c);
	}
	fin = ret == 0 ? bundle_check_finish(c, &m, &d) : ret;
	if (fin == 0 && bundle_check_verified(c) != len)
		abort();
	fd = memfd_create("bundle", 0);
	if (fd < 0 || write(fd, b, len) != (ssize_t)len)
		abort();
	lseek(fd, 0, SEEK_SET);
	ver = bundle_verify(fd, "gsomia/KOR", kor_sign_pk, &m2, &d);
	if ((fin == 0) != (ver == 0))
		abort();
	if (fin == 0 && !bundle_manifest_equal(&m, &m2))
		abort();
	lseek(fd, 0, SEEK_SET);
	if (bundle_verified_prefix(fd, kor_key, NULL, &prefix, &complete, &m2, &d) == 0 &&
	    (complete != (fin == 0) || (fin == 0 && prefix != len)))
		abort();
	close(fd);
	if (fin == 0 && m.version == 2)
		for (i = 0; i < bundle_check_leaves(c); i++)
			if (bundle_check_leaf_span(c, i, &off, &sl) != 0 || off + sl > len ||
			    bundle_check_leaf(c, i, b + off, (size_t)sl, &d) != 0)
				abort();
	bundle_check_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t pieces[] = { 1, 3, 17, 64, 4096, 65552, SIZE_MAX };
	uint8_t *again;
	size_t alen, piece;

	if (size < 1)
		return 0;
	test_keys();
	piece = pieces[data[0] % (sizeof(pieces) / sizeof(pieces[0]))];
	check(data + 1, size - 1, piece);
	again = resign(data + 1, size - 1, &alen);
	if (again) {
		check(again, alen, piece);
		free(again);
	}
	return 0;
}
