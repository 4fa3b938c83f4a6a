/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_CONSENT_H
#define GS_NODE_CONSENT_H

/*
 * The originator's written consent (docs/rules.md, Art 5, TISA) as
 * signed notes (docs/consent.md):
 *
 *   - a holder asks the originator with a signed request
 *     (gsomia-consent-request/v1), node_consent_request;
 *   - the originator answers with a signed consent or refusal
 *     (gsomia-consent/v1), node_consent_grant, naming the item or a class
 *     of items (topic), the holder it is given to, the third party, the
 *     purpose and an expiry;
 *   - the holder and the third party import it, node_consent_import,
 *     which verifies the originator's signature before anything is stored.
 *
 * A consent's id is the lowercase hex SHA-256 of the whole signed note
 * (as for diplomatic notes); a bundle's manifest names it in its
 * `consent` line. Each action is one transaction with its ledger entry
 * in the log for the other party.
 */

#include <jansson.h>
#include <stdbool.h>

#include "core/person.h"
#include "node/node.h"

#define CONSENT_MAGIC "gsomia-consent/v1"
#define CONSENT_REQUEST_MAGIC "gsomia-consent-request/v1"
#define CONSENT_ID_HEX 65 /* 64 hex digits + NUL */

struct consent_request_args {
	const char *item;        /* held here, originated elsewhere */
	const char *third_party; /* --for */
	const char *purpose;
	const char *expires;     /* may be NULL: the originator chooses */
	const char *kind;        /* NULL = onward */
	const char *text;        /* may be NULL */
};

/* Makes, logs and returns a signed request (*note malloc'd). */
int node_consent_request(struct node *n, const struct consent_request_args *a, char **note,
			 size_t *len, char id[CONSENT_ID_HEX], struct gs_diag *d);

struct consent_grant_args {
	bool refuse;
	const char *request_file; /* or the fields below */
	const char *item;         /* one of item, topic */
	const char *topic;
	const char *holder;       /* --to */
	const char *third_party;
	const char *purpose;
	const char *expires;      /* required for a grant */
	const char *kind;         /* NULL = onward (or the request's) */
	const char *text;
};

/* At the originator: makes, stores, logs and returns a signed consent or
 * refusal. */
int node_consent_grant(struct node *n, const struct consent_grant_args *a, char **note, size_t *len,
		       char id[CONSENT_ID_HEX], struct gs_diag *d);

/* Verifies the originator's signature and stores the consent. *rec gets
 * its record (caller decrefs); *already is set if it was held. */
int node_consent_import(struct node *n, const char *path, json_t **rec, bool *already,
			struct gs_diag *d);

/* What a peer delivers (serve): a holder's request, recorded at the
 * originator after its signature verifies, so that it can be answered;
 * or a consent or refusal, as node_consent_import. */
int node_consent_receive(struct node *n, const char *path, json_t **rec, bool *already,
			 struct gs_diag *d);

/* The signed note held under id (*note malloc'd, *len bytes) and its
 * record. GS_ENOTFOUND if not held. */
int node_consent_note(struct node *n, const char *id, char **note, size_t *len, json_t **rec,
		      struct gs_diag *d);

/* Every consent, request and refusal held, with its state at now. */
int node_consents(struct node *n, json_t **out, struct gs_diag *d);

/* Those that concern the held item rec (a record of node_items()): from
 * its originator, naming it, the original of a copy or translation, or
 * its topic as a class; each with its state now (gsomia items show). */
int node_item_consents(struct node *n, json_t *rec, json_t **out, struct gs_diag *d);

/* The consents held, as decisions take them; ids[i] is the full note id
 * of c[i] (c[i].id holds its first 16 digits, for sentences). */
struct consent_set {
	size_t n;
	struct consent *c;
	char (*ids)[CONSENT_ID_HEX];
};
int node_consent_set(struct node *n, struct consent_set *s, struct gs_diag *d);
void consent_set_free(struct consent_set *s);
/* The same without a copy: the node's kept set, valid until the next call
 * on this node that reads or changes consents; read again only when the
 * database changed (every decision reads it). */
int node_consents_borrow(struct node *n, const struct consent_set **out, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* Drops the kept set (node_close()). */
void node_consent_cache_release(struct node *n);

/* One consent by note id, as a decision takes it. GS_ENOTFOUND if not held. */
int node_consent_get(struct node *n, const char *id, struct consent *out, struct gs_diag *d);

#endif
