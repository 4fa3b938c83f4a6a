/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/party.h"
#include "core/person.h"
#include "net/local_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is up to three '\n'-separated values: ?originator=,
 * ?classification= and ?status= of GET /v1/local/items. */
struct args {
	char *v[3];
};

static const char *arg(void *ctx, const char *name)
{
	struct args *a = ctx;

	if (!strcmp(name, "originator"))
		return a->v[0];
	if (!strcmp(name, "classification"))
		return a->v[1];
	if (!strcmp(name, "status"))
		return a->v[2];
	return NULL;
}

/* What parses is what the filter promises; what fails says why. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct local_request r;
	struct call c;
	struct args a = { { NULL, NULL, NULL } };
	struct items_filter f;
	json_t *reply = NULL, *items;
	char *buf = malloc(size + 1), *p;
	unsigned status;
	int i, s;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (i = 0, p = buf; i < 3 && p; i++) {
		char *nl = strchr(p, '\n');

		a.v[i] = p;
		if (nl)
			*nl++ = 0;
		p = nl;
	}
	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	r.url = "/v1/local/items";
	r.arg = arg;
	r.arg_ctx = &a;
	c.r = &r;
	status = local_items_filter_parse(&c, &f, &reply);
	if (status) {
		if (status != 400 || !json_is_string(json_object_get(reply, "error")))
			abort();
		json_decref(reply);
		free(buf);
		return 0;
	}
	if (reply)
		abort();
	if (f.originator && !party_code_is_valid(f.originator))
		abort();
	if (f.classification && (!*f.classification || strlen(f.classification) >= GS_MAX_LABEL))
		abort();
	if (f.status) {
		for (s = ITEM_ACTIVE; s <= ITEM_SUSPENDED; s++)
			if (!strcmp(f.status, item_status_name((enum item_status)s)))
				break;
		if (s > ITEM_SUSPENDED)
			abort();
	}
	/* and selecting from a small inventory keeps only matching records */
	items = json_pack("[{s:s,s:s,s:s,s:[s],s:s},{s:s,s:s,s:s,s:[s],s:s}]", "originator", "KOR", "label",
			  "군사II급비밀", "holder", "JPN", "marking", "特定秘密", "status", "active", "originator",
			  "JPN", "label", "秘", "holder", "JPN", "marking", "秘", "status", "lost");
	if (items) {
		size_t k;
		json_t *rec;

		local_items_select(&f, items);
		json_array_foreach(items, k, rec) {
			if (!json_object_get(rec, "banners"))
				abort();
			if (f.status && strcmp(json_string_value(json_object_get(rec, "status")), f.status))
				abort();
			if (f.originator && strcmp(json_string_value(json_object_get(rec, "originator")), f.originator))
				abort();
		}
		json_decref(items);
	}
	free(buf);
	return 0;
}
