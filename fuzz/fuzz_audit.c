/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "node/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is "name=value" lines, each an audit filter member as a query
 * argument or an option gives it. What is set holds what the filter
 * promises; what fails says why and leaves the filter as it was; a match
 * against one entry agrees with the filter; the entry's row writes as CSV. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_filter f, before;
	struct ledger_entry e;
	struct gs_diag d;
	char *buf = malloc(size + 1), *line, *next, *eq, *csv = NULL;
	json_t *rows;
	size_t len = 0;
	int ret;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	audit_filter_init(&f);
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = 0;
		before = f;
		d.msg[0] = 0;
		ret = audit_filter_set(&f, line, eq + 1, 9 * 3600, &d);
		if (ret) {
			if (!d.msg[0] || memcmp(&before, &f, sizeof(f)))
				abort();
			continue;
		}
		if ((f.party[0] && !party_code_is_valid(f.party)) || (f.kind && !ledger_type_name(f.kind)) ||
		    memchr(f.person, 0, sizeof(f.person)) == NULL || memchr(f.item, 0, sizeof(f.item)) == NULL)
			abort();
		if (f.since != GS_INSTANT_NONE && f.before != GS_INSTANT_NONE && f.before <= f.since)
			abort();
	}
	/* one entry, made of the filter's own values: it must match */
	memset(&e, 0, sizeof(e));
	e.type = f.kind ? f.kind : 1;
	e.time = f.since != GS_INSTANT_NONE ? f.since : f.before != GS_INSTANT_NONE ? f.before - 1 : 0;
	memcpy(e.person, f.person, sizeof(e.person));
	memcpy(e.item, f.item, sizeof(e.item));
	memcpy(e.party, f.party, sizeof(e.party));
	if (!audit_match(&f, f.one_log ? f.log : "", &e))
		abort();
	rows = json_array();
	if (rows) {
		json_array_append_new(rows, audit_row("o", f.log, 7, &e, NULL));
		if (audit_csv(rows, &csv, &len, &d) == 0 && (!csv || strlen(csv) != len))
			abort();
		free(csv);
		json_decref(rows);
	}
	free(buf);
	return 0;
}
