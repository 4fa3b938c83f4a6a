/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes as the body of POST /v1/peer/deliver. Whatever
 * parses must hold a kind and an id that are safe as a file name, and a
 * decoded body no longer than the base64 could carry. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deliver_req r;
	struct gs_diag d;

	if (api_deliver_parse((const char *)data, size, &r, &d) != 0) {
		if (r.body || !d.msg[0])
			abort();
		return 0;
	}
	if (!r.body || r.len > size || !ident_kind_is_valid(r.kind) || !ident_id_is_valid(r.id) ||
	    strchr(r.id, '/') || strchr(r.kind, '-'))
		abort();
	deliver_req_release(&r);
	return 0;
}
