/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes; on success, exercises the lookups over every
 * label the definition holds. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct agreement *a;
	struct gs_diag d;
	int v, r, p, j;

	if (!a)
		a = agreement_new();
	if (!a)
		abort();
	if (agreement_parse((const char *)data, size, a, &d) != 0) {
		if (a->id[0] || a->nparties || a->nannex)
			abort(); /* not reset on failure */
		return 0;
	}
	for (v = 0; v < a->nannex; v++) {
		const struct annex_version *av = &a->annex[v];
		bool never;

		if (agreement_annex_at(a, av->effective) != av)
			abort();
		for (r = 0; r < av->nrows; r++) {
			for (p = 0; p < a->nparties; p++) {
				const struct annex_cell *c = &av->rows[r].cells[p];

				for (j = 0; j < c->nlabels; j++) {
					int got = annex_find(av, p, c->labels[j], &never);

					if (!c->protect_as && (got != r || never))
						abort();
				}
			}
		}
		for (j = 0; j < av->nnever; j++) {
			if (annex_find(av, av->never[j].party, av->never[j].label, &never) != -1 ||
			    !never)
				abort();
		}
	}
	for (p = 0; p < a->nparties; p++)
		if (agreement_party_index(a, a->parties[p]) != p)
			abort();
	return 0;
}
