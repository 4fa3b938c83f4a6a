/* SPDX-License-Identifier: Apache-2.0 */
/* reclassify_notice_parse and reclassify_forward_parse on arbitrary bytes;
 * whatever parses must format to the very bytes read (each text has one
 * spelling), and parse back to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/reclass.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[GS_MAX_NOTE_BYTES];
	static struct reclassify_forward f, g;
	struct reclassify_notice n, m;
	struct gs_diag d;
	int len;

	if (reclassify_notice_parse((const char *)data, size, &n, &d) == 0) {
		len = reclassify_notice_format(&n, buf, sizeof(buf));
		if (len < 0 || (size_t)len != size || memcmp(buf, data, size))
			abort();
		if (reclassify_notice_parse(buf, (size_t)len, &m, &d) || memcmp(&n, &m, sizeof(n)))
			abort();
	}
	if (reclassify_forward_parse((const char *)data, size, &f, &d) == 0) {
		len = reclassify_forward_format(&f, buf, sizeof(buf));
		if (len < 0 || (size_t)len != size || memcmp(buf, data, size))
			abort();
		if (reclassify_forward_parse(buf, (size_t)len, &g, &d) || memcmp(&f, &g, sizeof(f)))
			abort();
	}
	return 0;
}
