/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/warning.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes as a warning in JSON (docs/warnings.md); whatever
 * parses must be valid, and its canonical form must read back to the same
 * warning and give the same bytes again. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct warning w, v;
	static char a[WARNING_MAX_CANONICAL], b[WARNING_MAX_CANONICAL];
	struct gs_diag d;
	size_t alen, blen;

	if (warning_json_parse((const char *)data, size, &w, &d) != 0)
		return 0;
	if (warning_validate(&w, &d) != 0)
		abort();
	if (warning_json_write(&w, a, sizeof(a), &alen) != 0)
		abort();
	if (warning_json_parse(a, alen, &v, &d) != 0)
		abort();
	if (memcmp(&w, &v, sizeof(w)) != 0)
		abort();
	if (warning_json_write(&v, b, sizeof(b), &blen) != 0 || alen != blen || memcmp(a, b, alen) != 0)
		abort();
	(void)warning_check_time(&w, 1702855482500LL, 10000, &d);
	return 0;
}
