/* SPDX-License-Identifier: Apache-2.0 */
/* visit_request_parse and visit_answer_parse on arbitrary bytes; a text
 * either accepts must be the canonical form: formatting what it parsed
 * gives back the same bytes, and that parses to the same visit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/visit.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, bool answer)
{
	static struct visit v, w;
	struct gs_diag d;
	char *text = NULL;

	if ((answer ? visit_answer_parse : visit_request_parse)((const char *)data, size, &v, &d) != 0)
		return;
	if ((answer ? visit_answer_format : visit_request_format)(&v, &text, &d) != 0)
		abort();
	if (strlen(text) != size || memcmp(text, data, size))
		abort();
	if ((answer ? visit_answer_parse : visit_request_parse)(text, strlen(text), &w, &d) != 0 ||
	    memcmp(&v, &w, sizeof(v)))
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, false);
	check(data, size, true);
	return 0;
}
