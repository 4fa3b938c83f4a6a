/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_INCIDENT_H
#define GS_NODE_INCIDENT_H

/*
 * Loss and compromise (docs/rules.md; Art 17; docs/incidents.md). The
 * holder reports an incident (possible or confirmed, loss or compromise):
 * it is recorded, the holding is suspended, lost or compromised, and a
 * signed notice (gsomia-incident/v1) goes to the true originator at once.
 * The agreement's incident deadline runs from detection; a notice made
 * after it is flagged late. The holder then sends its investigation
 * steps, and its results with the measures against recurrence, each as a
 * time-stamped signed note; the originator imports each after checking
 * the holder's signature. Nothing here depends on the agreement's state:
 * a loss reported after termination is still notified and investigated
 * (survival, docs/lifecycle.md).
 */

#include <jansson.h>
#include <stdbool.h>

#include "node/node.h"

#define INCIDENT_MAGIC "gsomia-incident/v1"

struct incident_report_args {
	const char *item;
	const char *kind;     /* possible-loss, confirmed-loss, possible-compromise, confirmed-compromise */
	const char *detected; /* an instant, not after now */
	const char *text;
};

/* At the holder: records, changes the holding's status, logs and returns
 * the signed notice (*note malloc'd) and the incident's record. */
int node_incident_report(struct node *n, const struct incident_report_args *a, char **note, size_t *len,
			 json_t **rec, struct gs_diag *d);

struct incident_step_args {
	const char *id;
	const char *investigation; /* or result with measures */
	const char *result;
	const char *measures;
	const char *holding;       /* result only, optional: active, lost, compromised, suspended */
};

/* At the holder: an investigation step or the results, signed, logged. */
int node_incident_step(struct node *n, const struct incident_step_args *a, char **note, size_t *len,
		       json_t **rec, struct gs_diag *d);

/* At the originator: a notice or a step, verified and recorded in order. */
int node_incident_import(struct node *n, const char *path, json_t **rec, bool *already,
			 struct gs_diag *d);

/* Every incident, with its deadline and whether it was missed. */
int node_incidents(struct node *n, json_t **out, struct gs_diag *d);

#endif
