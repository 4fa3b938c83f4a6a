/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_ACCESS_H
#define GS_NODE_ACCESS_H

/*
 * What a person may open, without opening it: the access decision that
 * node_open_item() takes for a held item (the person at their facility,
 * the agreement the item was released under, at an instant), asked for
 * every item of the inventory. Nothing is logged or changed: a listing is
 * not an access.
 */

#include <jansson.h>

#include "core/decide.h"
#include "node/node.h"

/* The decision on person opening the held item rec (a record of
 * node_items() / node_item_get()) at `at`. 0 with *dec filled (permit or
 * deny), or an error when the question cannot be asked (GS_ENOTFOUND: no
 * such person or facility). */
int node_item_access(struct node *n, json_t *rec, const char *person, gs_instant at,
		     struct decision *dec, struct gs_diag *d) __attribute__((warn_unused_result));

/* The inventory (as node_items()) restricted to the items person may open
 * at `at`. */
int node_items_open_to(struct node *n, const char *person, gs_instant at, json_t **out,
		       struct gs_diag *d) __attribute__((warn_unused_result));

#endif
