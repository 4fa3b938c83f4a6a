/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "xml/binding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int trust_any(void *ctx, const uint8_t pk[GS_LABEL_PK_BYTES], struct gs_diag *d)
{
	(void)ctx;
	(void)pk;
	(void)d;
	return 0;
}

/* Reads arbitrary bytes as a STANAG 4778 binding: the structure and the
 * labels without the signature, then the whole verification (digests,
 * the certificate, the signature) with any key trusted. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct binding b;
	static int init;
	struct gs_diag d;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	if (binding_inspect((const char *)data, size, &b, &d) == 0 &&
	    (b.nalts < 0 || b.nalts > GS_MAX_ALT_LABELS || b.orig.alternative))
		abort();
	(void)binding_verify((const char *)data, size, trust_any, NULL, &b, &d);
	return 0;
}
