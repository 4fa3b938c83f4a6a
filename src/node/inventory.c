/* SPDX-License-Identifier: Apache-2.0 */
/* The inventory: item records with their custody chains and releases. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/note.h"
#include "node/agreements.h"
#include "node/commit.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/outbox.h"
#include "util/outfile.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/onward.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/progress.h"
#include "util/encode.h"
#include "util/fault.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

struct items_ctx {
	struct node *n;
	json_t *arr;
	json_t *byid; /* item id -> its record in arr */
};

static int custody_one(void *ctx, int64_t at, const char *event, const char *actor, const char *detail)
{
	json_t *o = json_object();

	json_object_set_new(o, "at", jinstant(at));
	json_object_set_new(o, "event", json_string(event));
	json_object_set_new(o, "actor", json_string(actor));
	json_object_set_new(o, "detail", json_string(detail));
	json_array_append_new(ctx, o);
	return 0;
}

static int release_one(void *ctx, const char *bundle, const char *json, int has_receipt)
{
	json_t *o = json_loads(json, 0, NULL);

	(void)bundle;
	if (!o)
		return GS_EIO;
	json_object_set_new(o, "receipt", json_boolean(has_receipt));
	json_array_append_new(ctx, o);
	return 0;
}

static int item_one(void *ctx, const char *id, const char *json)
{
	struct items_ctx *c = ctx;
	json_t *rec = json_loads(json, JSON_REJECT_DUPLICATES, NULL);

	if (!rec)
		return GS_EIO;
	json_object_set_new(rec, "custody", json_array());
	json_object_set_new(rec, "releases", json_array());
	json_object_set_new(rec, "copies", json_integer(0));
	json_object_set(c->byid, id, rec);
	json_array_append_new(c->arr, rec);
	return 0;
}

/* The custody and releases of every item, each read once for the whole
 * inventory (not a query per item: an inventory may hold thousands). */
static int custody_of(void *ctx, const char *item, int64_t at, const char *event, const char *actor,
		      const char *detail)
{
	json_t *rec = json_object_get(((struct items_ctx *)ctx)->byid, item);

	return rec ? custody_one(json_object_get(rec, "custody"), at, event, actor, detail) : 0;
}

static int releases_of(void *ctx, const char *item, const char *bundle, const char *json, int has_receipt)
{
	json_t *rec = json_object_get(((struct items_ctx *)ctx)->byid, item);

	return rec ? release_one(json_object_get(rec, "releases"), bundle, json, has_receipt) : 0;
}

int node_items(struct node *n, json_t **out, struct gs_diag *d)
{
	struct items_ctx c = { n, json_array(), json_object() };
	int ret = c.arr && c.byid ? store_record_each(n->st, "items", item_one, &c) : GS_ENOMEM;
	json_t *counts;
	size_t i, j;

	if (!ret && !(ret = store_custody_all(n->st, custody_of, &c)))
		ret = store_release_all(n->st, releases_of, &c);
	json_decref(c.byid);
	if (ret) {
		json_decref(c.arr);
		return gs_diag_set(d, ret, "cannot read the inventory");
	}
	/* Copies and translations count against their original: counted in
	 * one pass by the original's id (an inventory may hold thousands). */
	if (!(counts = json_object())) {
		json_decref(c.arr);
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	}
	for (i = 0; i < json_array_size(c.arr); i++) {
		json_t *b = json_array_get(c.arr, i);
		const char *of[2] = { jstr(b, "copy_of"), jstr(b, "translation_of") };

		for (j = 0; j < 2; j++)
			if (of[j][0])
				json_object_set_new(counts, of[j],
						    json_integer(json_integer_value(json_object_get(counts, of[j])) + 1));
	}
	for (i = 0; i < json_array_size(c.arr); i++) {
		json_t *a = json_array_get(c.arr, i);

		json_object_set_new(a, "copies", json_integer(json_integer_value(json_object_get(counts, jstr(a, "id")))));
	}
	json_decref(counts);
	*out = c.arr;
	return 0;
}

int node_item_full(struct node *n, const char *id, json_t **out, struct gs_diag *d)
{
	json_t *rec = NULL, *custody = json_array(), *rels = json_array(), *consents;
	int ret;

	*out = NULL;
	if (!custody || !rels)
		ret = GS_ENOMEM;
	else if (!(ret = node_item_get(n, id, &rec, d)) &&
		 ((ret = store_custody_each(n->st, id, custody_one, custody)) ||
		  (ret = store_release_each(n->st, id, release_one, rels))))
		gs_diag_set(d, ret, "cannot read the custody of item '%s'", id);
	if (ret) {
		json_decref(rec);
		json_decref(custody);
		json_decref(rels);
		return ret;
	}
	json_object_set_new(rec, "custody", custody);
	json_object_set_new(rec, "releases", rels);
	/* the originator's consents about it: who else may see it, what for */
	if ((ret = node_item_consents(n, rec, &consents, d))) {
		json_decref(rec);
		return ret;
	}
	json_object_set_new(rec, "consents", consents);
	*out = rec;
	return 0;
}
