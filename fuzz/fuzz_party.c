/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes; whatever parses must format to a canonical
 * text that parses back to the same party and formats to itself. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[GS_MAX_NOTE_BYTES], out2[GS_MAX_NOTE_BYTES];
	struct party p, q;
	struct gs_diag d;
	int n, m, i;

	if (party_parse((const char *)data, size, &p, &d) != 0)
		return 0;
	n = party_format(&p, out, sizeof(out));
	if (n < 0)
		abort();
	if (party_parse(out, (size_t)n, &q, &d) != 0)
		abort();
	if (memcmp(&p, &q, sizeof(p)) != 0)
		abort();
	m = party_format(&q, out2, sizeof(out2));
	if (m != n || memcmp(out, out2, (size_t)n) != 0)
		abort();
	for (i = 0; i < p.scheme.nlevels; i++)
		if (scheme_find(&p.scheme, p.scheme.levels[i].label) != i ||
		    scheme_rank(&p.scheme, p.scheme.levels[i].label) != p.scheme.nlevels - i)
			abort();
	return 0;
}
