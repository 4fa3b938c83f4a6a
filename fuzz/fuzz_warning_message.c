/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/warning_message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes as a travelling warning message (docs/warnings.md
 * "The message"); whatever parses must write back to the very same bytes
 * (one spelling) and its warning must be valid. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct warning_message m;
	static char out[WARNING_MESSAGE_MAX];
	struct gs_diag d;
	size_t len;

	if (warning_message_parse((const char *)data, size, &m, &d) != 0)
		return 0;
	if (warning_validate(&m.w, &d) != 0 || m.nhops < 1 || m.nhops > WARNING_MAX_HOPS)
		abort();
	if (warning_message_write(&m, out, sizeof(out), &len) != 0 || len != size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
