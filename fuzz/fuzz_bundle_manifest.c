/* SPDX-License-Identifier: Apache-2.0 */
/* bundle_manifest_parse on arbitrary bytes: whatever parses must format
 * back to the same bytes. The same bytes as a whole bundle file (through
 * a memfd): bundle_read_manifest, then bundle_verify and bundle_open with
 * fixed keys, which must fail cleanly or agree with each other; and the
 * same again with the manifest signed anew by the test key
 * (bundle_resign.h), so that the chunk-hash section, the age header and
 * the chunks behind a valid signature are explored too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/bundle.h"
#include "util/err.h"
#include "util/limits.h"

#include "bundle_resign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole-file readers on one bundle: an open implies a verify, and a
 * refusal writes nothing. */
static void whole_file(const uint8_t *data, size_t size)
{
	struct bundle_manifest m, m2;
	struct bundle_open_keys k = { 0 };
	struct bundle_sig sig;
	struct gs_diag d;
	int fd, out, r1, r2, r3;

	fd = memfd_create("bundle", 0);
	out = memfd_create("plain", 0);
	if (fd < 0 || out < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	(void)bundle_read_manifest(fd, &m, &sig, &d);
	lseek(fd, 0, SEEK_SET);
	r1 = bundle_verify(fd, "gsomia/KOR", kor_sign_pk, &m, &d);
	lseek(fd, 0, SEEK_SET);
	k.key_name = "gsomia/KOR";
	k.sender_pk = kor_sign_pk;
	k.box_pk = jpn_box_pk;
	k.box_sk = jpn_box_sk;
	r2 = bundle_open(fd, &k, out, BUNDLE_OPEN_THREADS(1), &m2, &d);
	/* a bundle that opens has verified */
	if (r2 == 0 && r1 != 0)
		abort();
	/* nothing reaches the output of a bundle that fails verification */
	if (r1 != 0 && lseek(out, 0, SEEK_END) != 0)
		abort();
	/* the section re-read in small windows gives the same answer */
	lseek(fd, 0, SEEK_SET);
	lseek(out, 0, SEEK_SET);
	if (ftruncate(out, 0) != 0)
		abort();
	r3 = bundle_open(fd, &k, out, BUNDLE_OPEN_THREADS(1) | BUNDLE_OPEN_SMALL_WINDOWS, &m2, &d);
	if ((r3 == 0) != (r2 == 0))
		abort();
	close(fd);
	close(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[GS_BUNDLE_MAX_MANIFEST + 1];
	struct bundle_manifest m, m2;
	struct gs_diag d;
	uint8_t *again;
	size_t alen;
	int len;

	test_keys();
	if (bundle_manifest_parse((const char *)data, size, &m, &d) == 0) {
		len = bundle_manifest_format(&m, buf, sizeof(buf), &d);
		if (len < 0 || (size_t)len != size || memcmp(buf, data, size))
			abort();
		if (bundle_manifest_parse(buf, (size_t)len, &m2, &d) != 0 ||
		    !bundle_manifest_equal(&m, &m2))
			abort();
	}
	whole_file(data, size);
	again = resign(data, size, &alen);
	if (again) {
		whole_file(again, alen);
		free(again);
	}
	return 0;
}
