/* SPDX-License-Identifier: Apache-2.0 */
/* Missile warnings as the node reads and writes them (node/warnings.h). */
#include "node/warnings.h"
#include "xml/cot.h"
#include "util/banned.h"

_Static_assert(NODE_COT_MAX_XML == COT_MAX_XML && NODE_COT_MAX_OUT == COT_MAX_OUT, "node/warnings.h and xml/cot.h agree");

int node_warning_from_cot(const char *buf, size_t len, const struct warning *base, struct warning *out,
			  struct gs_diag *d)
{
	return cot_read(buf, len, base, out, d);
}

int node_warning_to_cot(const struct warning *w, char *out, size_t cap, size_t *len)
{
	return cot_write(w, out, cap, len);
}
