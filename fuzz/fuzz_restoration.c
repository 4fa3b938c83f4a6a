/* SPDX-License-Identifier: Apache-2.0 */
/* A restoration notice (node/restore.h): whatever the parser accepts has
 * valid party codes and a lost range that makes sense. */
#include <stdint.h>
#include <stdlib.h>

#include "core/party.h"
#include "node/restore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct restoration r;
	struct gs_diag d;

	if (restore_notice_parse(data, size, &r, &d) == 0) {
		if (!party_code_is_valid(r.party) || !party_code_is_valid(r.peer) || r.lost_from > r.lost_to ||
		    (r.lost_to && r.lost_from != r.restored_size))
			abort();
	}
	return 0;
}
