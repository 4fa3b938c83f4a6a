/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_VISITS_H
#define GS_NODE_VISITS_H

/*
 * Visits at a node (Art 8, 18; docs/visits.md): the visiting party's
 * signed request, the host's signed approval or refusal, both imported at
 * the other end (by file or delivered by a peer, like consents), and the
 * visitor's access during an approved visit, decided in core/visit.h.
 *
 * A visit's id is the lowercase hex SHA-256 of the signed request note;
 * commands take it or its first 16 digits. Each step is one transaction
 * with a `visit` entry in the ledger for the other party.
 */

#include <jansson.h>
#include <stdbool.h>

#include "core/decide.h"
#include "core/visit.h"
#include "node/node.h"

struct visit_request_args {
	const char *agreement;
	const char *host;
	const char *facility;
	const char *from, *until; /* instants (a date: 00:00 in the agreement's zone) */
	const char *purpose;
	const char *topic;
	const char *max_level;    /* a label of the host's scheme */
	const char *const *persons; /* "ID:PSC-LABEL", the PSC in this party's scheme */
	size_t npersons;
	const char *text;         /* may be NULL */
};

/* At the visiting party: decides, signs, records and returns the request
 * (*note malloc'd); GS_EDENIED with *dec filled when a rule refuses. */
int node_visit_request(struct node *n, const struct visit_request_args *a, char **note, size_t *len,
		       char id[VISIT_ID_HEX], struct decision *dec, struct gs_diag *d);

/* At the host: approves (max_level NULL: as requested, else no higher) or
 * refuses the held request id; decides, signs and records the answer. */
int node_visit_answer(struct node *n, const char *id, bool refuse, const char *max_level, const char *text,
		      char **note, size_t *len, struct decision *dec, struct gs_diag *d);

/* Imports a request (at the host) or an answer (at the visitor) after its
 * signature verifies; *rec is the visit's record, *already if held. */
int node_visit_import(struct node *n, const char *path, json_t **rec, bool *already, struct gs_diag *d);

/* Every visit held, with its state and, at now, its phase (upcoming,
 * under-way, over). */
int node_visits(struct node *n, json_t **out, struct gs_diag *d);

/* One visit by id or its first 16 digits (GS_ENOTFOUND). */
int node_visit_get(struct node *n, const char *id, json_t **rec, struct gs_diag *d);

/* The signed notes of a visit: the request, and the answer if held. */
int node_visit_notes(struct node *n, const char *id, char **request, size_t *rlen, char **answer, size_t *alen,
		     struct gs_diag *d);

/*
 * What the access decisions add for the holding h at this node, after
 * decide_access() returned ret with *dec (node/items.c, node/access.c,
 * node/custody.c, node/decisions.c call it on their result):
 *   - a holding whose bundle was signed by a key of its sender that was
 *     reported compromised by then is refused to everyone (key.compromised);
 *   - a person employed by another party whom an approved visit to this
 *     host names is decided against the visits instead (visit.*).
 * Returns the (possibly new) result, *dec filled alike.
 */
int node_access_amend(struct node *n, const struct holding *h, const struct person *p,
		      const struct facility *f, gs_instant at, int ret, struct decision *dec);

#endif
