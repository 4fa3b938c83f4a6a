/* SPDX-License-Identifier: Apache-2.0 */
/* A backup's first line and manifest (node/backup.h): whatever the parser
 * accepts points inside the input and names a valid party. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "node/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct backup_manifest m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gs_diag d;
	size_t off = 0;

	if (sodium_init() < 0)
		abort();
	if (backup_manifest_parse(data, size, &m, &off, &d) == 0) {
		if (off > size || !party_code_is_valid(m.party) || m.keys_len >= sizeof(m.keys))
			abort();
	}
	return 0;
}
