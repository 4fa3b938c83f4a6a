/* SPDX-License-Identifier: Apache-2.0 */
/* key_rotation_parse and key_compromise_parse on arbitrary bytes; a text
 * either accepts must be the canonical form: formatting what it parsed
 * gives back the same bytes, and that parses to the same note. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/keyhistory.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct key_rotation r, r2;
	struct key_compromise c, c2;
	struct gs_diag d;
	char *text = NULL;

	if (key_rotation_parse((const char *)data, size, &r, &d) == 0) {
		if (key_rotation_format(&r, &text, &d) != 0 || strlen(text) != size || memcmp(text, data, size) ||
		    key_rotation_parse(text, size, &r2, &d) != 0 || memcmp(&r, &r2, sizeof(r)))
			abort();
		free(text);
		text = NULL;
	}
	if (key_compromise_parse((const char *)data, size, &c, &d) == 0) {
		if (key_compromise_format(&c, &text, &d) != 0 || strlen(text) != size || memcmp(text, data, size) ||
		    key_compromise_parse(text, size, &c2, &d) != 0 || memcmp(&c, &c2, sizeof(c)))
			abort();
		free(text);
	}
	return 0;
}
