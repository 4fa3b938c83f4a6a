/* SPDX-License-Identifier: Apache-2.0 */
/* dbconf_parse on arbitrary bytes (HOME/db.conf, docs/scale-out.md):
 * whatever parses formats to a text that parses to the same values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbconf.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[DBCONF_DB_MAX + 256];
	struct dbconf a, b;
	char msg[160];
	int n;

	if (dbconf_parse((const char *)data, size, &a, msg, sizeof(msg)) != 0) {
		if (!msg[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	n = dbconf_format(&a, text, sizeof(text));
	if (n < 0 || dbconf_parse(text, (size_t)n, &b, msg, sizeof(msg)) != 0 || memcmp(&a, &b, sizeof(a)))
		abort();
	return 0;
}
