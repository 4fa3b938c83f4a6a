/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/warning.h"
#include "xml/cot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes as a stream of CoT events (docs/warnings.md "CoT
 * mapping"), with and without a base warning; whatever parses must be
 * valid, and its events must read back to the same warning. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct warning base, w, v;
	static char out[COT_MAX_OUT];
	struct gs_diag d;
	size_t len;
	int pass;

	memset(&base, 0, sizeof(base));
	memcpy(base.originator, "KOR", 4);
	memcpy(base.agreement, "TISA-2014", 10);
	memcpy(base.topic, "dprk-nuclear-missile-threats", 29);
	memcpy(base.classification, "SECRET", 7);
	memcpy(base.sensor_party, "KOR", 4);
	memcpy(base.sensor, "radar", 6);
	for (pass = 0; pass < 2; pass++) {
		if (cot_read((const char *)data, size, pass ? &base : NULL, &w, &d) != 0)
			continue;
		if (warning_validate(&w, &d) != 0)
			abort();
		if (cot_write(&w, out, sizeof(out), &len) != 0)
			abort();
		if (cot_read(out, len, NULL, &v, &d) != 0)
			abort();
		if (memcmp(&w, &v, sizeof(w)) != 0)
			abort();
	}
	return 0;
}
