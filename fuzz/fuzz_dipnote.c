/* SPDX-License-Identifier: Apache-2.0 */
/* dipnote_parse on arbitrary bytes; whatever parses must format to a
 * canonical text that parses back to the same note, and formatting that
 * again must give the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lifecycle.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[GS_MAX_NOTE_BYTES + 1], buf2[GS_MAX_NOTE_BYTES + 1];
	struct dipnote n, m;
	struct gs_diag d;
	int len, len2;

	if (dipnote_parse((const char *)data, size, &n, &d) != 0)
		return 0;
	len = dipnote_format(&n, buf, sizeof(buf));
	if (len < 0)
		abort();
	if (dipnote_parse(buf, (size_t)len, &m, &d) != 0)
		abort();
	if (!dipnote_equal(&n, &m))
		abort();
	len2 = dipnote_format(&m, buf2, sizeof(buf2));
	if (len2 != len || memcmp(buf, buf2, (size_t)len))
		abort();
	return 0;
}
