/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "node/access.h"
#include "node/agreements.h"
#include "node/items.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/banned.h"

/* Everything one decision reads, on the heap (the structs are large). */
struct access_scene {
	struct person person;
	struct facility facility;
	struct holding holding;
	struct lifecycle_status st;
};

/* The decision for a scene whose person and facility are loaded. As in
 * node_open_item(), the item's agreement as in effect at `at` decides;
 * its state is no input (survival). */
static int decide_one(struct node *n, struct access_scene *s, json_t *rec, gs_instant at,
		      struct decision *dec, struct gs_diag *d)
{
	const struct agreement_view *v;
	const struct agreement *a;
	int ret;

	memset(dec, 0, sizeof(*dec));
	item_to_holding(rec, &s->holding);
	if ((ret = agreement_view_cached(n, s->holding.agreement, &v, d)))
		return ret;
	if ((ret = agreement_view_status(v, at, &s->st)))
		return gs_diag_set(d, ret, "cannot compute the state of '%s'", s->holding.agreement);
	a = agreement_view_version(v, s->st.version);
	if (!a)
		a = agreement_view_base(v);
	ret = decide_access(a, &n->self, &s->holding, &s->person, &s->facility, NULL, 0, at, dec);
	ret = node_access_amend(n, &s->holding, &s->person, &s->facility, at, ret, dec); /* node/visits.h */
	return ret == GS_EDENIED || ret == GS_EINVAL ? 0 : ret;
}

static int load_person(struct node *n, struct access_scene *s, const char *person, struct gs_diag *d)
{
	int ret;

	if ((ret = node_person_get(n, person, &s->person, d)))
		return ret;
	if (!s->person.facility[0])
		return gs_diag_set(d, GS_EDENIED, "person '%s' belongs to no facility and can open nothing",
				   person);
	return node_facility_get(n, s->person.facility, &s->facility, d);
}

int node_item_access(struct node *n, json_t *rec, const char *person, gs_instant at,
		     struct decision *dec, struct gs_diag *d)
{
	struct access_scene *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return GS_ENOMEM;
	if (!(ret = load_person(n, s, person, d)))
		ret = decide_one(n, s, rec, at, dec, d);
	free(s);
	return ret;
}

int node_items_open_to(struct node *n, const char *person, gs_instant at, json_t **out,
		       struct gs_diag *d)
{
	struct access_scene *s = calloc(1, sizeof(*s));
	json_t *all = NULL, *mine = NULL;
	struct decision dec;
	size_t i;
	int ret;

	if (!s)
		return GS_ENOMEM;
	if (!(mine = json_array())) {
		ret = GS_ENOMEM;
		goto out;
	}
	ret = load_person(n, s, person, d);
	if (ret == GS_EDENIED) { /* no facility: nothing to open */
		ret = 0;
		goto done;
	}
	if (ret || (ret = node_items(n, &all, d)))
		goto out;
	for (i = 0; i < json_array_size(all); i++) {
		json_t *rec = json_array_get(all, i);

		/* an item whose question cannot be asked (its agreement is not
		 * held) is one the person cannot open */
		if (decide_one(n, s, rec, at, &dec, NULL) == 0 && dec.permit)
			json_array_append(mine, rec);
	}
done:
	*out = mine;
	mine = NULL;
out:
	json_decref(mine);
	json_decref(all);
	free(s);
	return ret;
}
