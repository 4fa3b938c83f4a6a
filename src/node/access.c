/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "node/access.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/banned.h"

int node_item_access(struct node *n, json_t *rec, const char *person, gs_instant at,
		     struct decision *dec, struct gs_diag *d)
{
	struct holding *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return GS_ENOMEM;
	item_to_holding(rec, h);
	/* the decision node_open_item() takes, at the person's facility */
	ret = node_judge_access(n, h, person, NULL, NULL, at, dec, d);
	free(h);
	return ret;
}

int node_items_open_to(struct node *n, const char *person, gs_instant at, json_t **out,
		       struct gs_diag *d)
{
	struct person *p = calloc(1, sizeof(*p));
	json_t *all = NULL, *mine = NULL;
	struct decision dec;
	size_t i;
	int ret;

	if (!p)
		return GS_ENOMEM;
	if (!(mine = json_array())) {
		ret = GS_ENOMEM;
		goto out;
	}
	/* an unknown person is an error, not an empty list */
	if ((ret = node_person_get(n, person, p, d)) || (ret = node_items(n, &all, d)))
		goto out;
	for (i = 0; i < json_array_size(all); i++) {
		json_t *rec = json_array_get(all, i);

		/* an item whose question cannot be asked (its agreement is not
		 * held) is one the person cannot open */
		if (node_item_access(n, rec, person, at, &dec, NULL) == 0 && dec.permit)
			json_array_append(mine, rec);
	}
	*out = mine;
	mine = NULL;
out:
	json_decref(mine);
	json_decref(all);
	free(p);
	return ret;
}
