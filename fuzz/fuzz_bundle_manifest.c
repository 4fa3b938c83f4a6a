/* SPDX-License-Identifier: Apache-2.0 */
/* bundle_manifest_parse on arbitrary bytes: whatever parses must format
 * back to the same bytes. The same bytes as a whole bundle file (through
 * a memfd): bundle_read_manifest, then bundle_verify and bundle_open with
 * fixed keys, which must fail cleanly or agree with each other. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[GS_BUNDLE_MAX_MANIFEST + 1];
	static uint8_t sign_pk[32], box_pk[32], box_sk[32];
	static int ready;
	struct bundle_manifest m, m2;
	struct bundle_open_keys k = { 0 };
	struct bundle_sig sig;
	struct gs_diag d;
	int len, fd, out, r1, r2;

	if (!ready) {
		uint8_t seed[32], sk[64];
		int i;

		if (sodium_init() < 0)
			abort();
		/* KOR's and JPN's keys of the test vector (docs/bundle-format.md) */
		for (i = 0; i < 32; i++)
			seed[i] = (uint8_t)(0x40 + i);
		crypto_sign_seed_keypair(sign_pk, sk, seed);
		for (i = 0; i < 32; i++)
			box_sk[i] = (uint8_t)(0xa0 + i);
		crypto_scalarmult_base(box_pk, box_sk);
		ready = 1;
	}
	if (bundle_manifest_parse((const char *)data, size, &m, &d) == 0) {
		len = bundle_manifest_format(&m, buf, sizeof(buf), &d);
		if (len < 0 || (size_t)len != size || memcmp(buf, data, size))
			abort();
		if (bundle_manifest_parse(buf, (size_t)len, &m2, &d) != 0 ||
		    !bundle_manifest_equal(&m, &m2))
			abort();
	}
	fd = memfd_create("bundle", 0);
	out = memfd_create("plain", 0);
	if (fd < 0 || out < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	(void)bundle_read_manifest(fd, &m, &sig, &d);
	lseek(fd, 0, SEEK_SET);
	r1 = bundle_verify(fd, "gsomia/KOR", sign_pk, &m, &d);
	lseek(fd, 0, SEEK_SET);
	k.key_name = "gsomia/KOR";
	k.sender_pk = sign_pk;
	k.box_pk = box_pk;
	k.box_sk = box_sk;
	r2 = bundle_open(fd, &k, out, BUNDLE_OPEN_THREADS(1), &m2, &d);
	/* a bundle that opens has verified */
	if (r2 == 0 && r1 != 0)
		abort();
	/* nothing reaches the output of a bundle that fails verification */
	if (r1 != 0 && lseek(out, 0, SEEK_END) != 0)
		abort();
	close(fd);
	close(out);
	return 0;
}
