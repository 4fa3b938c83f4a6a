/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_REGISTERS_H
#define GS_NODE_REGISTERS_H

/*
 * The node's registers of persons and facilities. Each is stored as a
 * JSON record (docs/commands.md shows the fields); these functions check
 * a record against the node's parties and schemes before it is stored,
 * so the decision engine only ever sees valid registers.
 */

#include <jansson.h>

#include "core/person.h"
#include "node/node.h"

/* Adds or replaces a person. The employer must be a registered party, the
 * PSC level a label of its scheme, nationalities party codes (any ISO
 * alpha-3 code: third-country nationals are recorded too), the facility
 * (if any) a registered facility; the person is put on its register. */
int node_person_put(struct node *n, const struct person *p, struct gs_diag *d);
int node_person_get(struct node *n, const char *id, struct person *out, struct gs_diag *d);
int node_person_each(struct node *n, int (*fn)(void *ctx, const struct person *p), void *ctx);
/* Drops the person records node_person_get() keeps parsed (node_close()). */
void node_person_cache_release(struct node *n);

int node_facility_put(struct node *n, const struct facility *f, struct gs_diag *d);
/* A facility, copied into *out. */
int node_facility_get(struct node *n, const char *id, struct facility *out, struct gs_diag *d);
/* The same without a copy: *out is the node's kept parse, valid until the
 * next call about facilities on this node (a facility's register makes it
 * about 150 KiB, too much to copy on every decision). */
int node_facility_borrow(struct node *n, const char *id, const struct facility **out, struct gs_diag *d)
	__attribute__((warn_unused_result));
int node_facility_each(struct node *n, int (*fn)(void *ctx, const struct facility *f), void *ctx);
/* Records a periodic security inspection of contractor facility id at
 * `at` (NONE: now), not in the future nor before its initial inspection
 * (Art 16(g); core/inspection.h). */
int node_facility_inspect(struct node *n, const char *id, gs_instant at, struct gs_diag *d);
/* Adds (add != 0) or removes a person on a facility's register. */
int node_facility_register(struct node *n, const char *facility, const char *person, int add,
			   struct gs_diag *d);

json_t *person_to_json(const struct person *p);
int person_from_json(json_t *j, struct person *out);
json_t *facility_to_json(const struct facility *f);
int facility_from_json(json_t *j, struct facility *out);

int role_parse(const char *s, unsigned *bit);
const char *role_name(unsigned bit);

#endif
