/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_VISIT_H
#define GS_CORE_VISIT_H

/*
 * Visits (Art 8, 18; docs/visits.md): a representative of one party (the
 * visitor) visits a facility of another (the host) where access to CMI is
 * needed. The visiting party's competent authority asks the host's with a
 * signed request naming the persons (each with the PSC level the visiting
 * party certifies, Art 7), the facility, the dates, the purpose and topic
 * and the highest level that may be disclosed; only the host authorises
 * it, by a signed answer that may lower that level. During an approved
 * visit the visitor's access is decided here against the visit: its
 * dates, its facility, its level cap, and the persons' certified PSCs
 * through the annex.
 *
 * Pure: the notes' texts are parsed and written here (the signatures
 * around them are checked by crypto/ and node/ first); decisions take
 * plain values and an instant and fill a struct decision (core/decide.h).
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/agreement.h"
#include "core/decide.h"
#include "core/lifecycle.h"
#include "core/party.h"
#include "core/person.h"
#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

#define VISIT_REQUEST_MAGIC "gsomia-visit-request/v1"
#define VISIT_ANSWER_MAGIC "gsomia-visit/v1"
#define VISIT_ID_HEX 65 /* the SHA-256 of the signed request note, hex + NUL */

enum visit_state {
	VISIT_REQUESTED = 0, /* asked, not answered */
	VISIT_APPROVED = 1,  /* the host authorised it */
	VISIT_REFUSED = 2,   /* the host refused it */
};

/* One visitor: a person id (as the host registers the visitor) and the
 * PSC level the visiting party certifies, a label of its own scheme. */
struct visit_person {
	char id[GS_MAX_ID];
	char psc[GS_MAX_LABEL];
};

struct visit {
	char id[VISIT_ID_HEX];        /* the request's id (set by the node; sentences show 16 digits) */
	enum visit_state state;
	char request[VISIT_ID_HEX];   /* the answer: the request it answers ("" in a request) */
	char agreement[GS_MAX_ID];
	char visitor[GS_MAX_CODE];    /* the visiting party */
	char host[GS_MAX_CODE];       /* the party whose facility is visited */
	char facility[GS_MAX_ID];     /* the host's facility id */
	gs_instant from, until;       /* the visit runs on [from, until) */
	char purpose[GS_MAX_NAME];
	char topic[GS_MAX_NAME];      /* what may be discussed: the need-to-know */
	char max_level[GS_MAX_LABEL]; /* the highest level disclosed, in the host's scheme */
	int npersons;
	struct visit_person persons[GS_MAX_VISIT_PERSONS];
	gs_instant requested;         /* when the request was made */
	gs_instant answered;          /* when the host answered (NONE in a request) */
	bool exercise;
	char text[512];
};

/*
 * The request (signed by the visitor) and the answer (signed by the
 * host) as strict `key value` texts (core/kvtext.h; docs/visits.md has
 * the format). *v is reset first. GS_EINVAL with "line N: what" in d.
 */
int visit_request_parse(const char *text, size_t len, struct visit *v, struct gs_diag *d);
int visit_answer_parse(const char *text, size_t len, struct visit *v, struct gs_diag *d);
/* The canonical texts: parse(format(v)) == v. *out is malloc'd. */
int visit_request_format(const struct visit *v, char **out, struct gs_diag *d);
int visit_answer_format(const struct visit *v, char **out, struct gs_diag *d);

/* "requested", "approved", "refused". */
const char *visit_state_name(enum visit_state s);

/* Index of the visitor person_id in v, or -1. */
int visit_person_index(const struct visit *v, const char *person_id);

/*
 * May this visit be requested (f NULL: at the visiting party, which does
 * not hold the host's facilities) or approved (f the host's facility) at
 * instant now? a is the agreement between visitor and host, st its state
 * at now; host and visitor the parties (their schemes hold max_level and
 * the persons' PSC levels). New visits are refused once the agreement no
 * longer allows new exchanges (survival: only access to what was released
 * goes on).
 *
 * deciding is the party acting: the visitor when it requests (f NULL),
 * the host when it approves (only the host authorises a visit, R8.2).
 *
 * Order: visit.in-force, visit.party, visit.host (the host approves),
 * visit.facility (when f is given),
 * visit.dates, visit.lead-time (the request's instant against from, by
 * the agreement's visit-lead-time), visit.level, visit.persons,
 * visit.admissible.
 */
int decide_visit_request(const struct agreement *a, const struct lifecycle_status *st,
			 const struct party *host, const struct party *visitor, const struct visit *v,
			 const struct facility *f, const char *deciding, gs_instant now,
			 struct decision *out);

/*
 * May person p (a visitor, registered at the host) be shown holding h,
 * held by host at facility f, at instant at, under one of the visits
 * (those the node holds with this host; any state)? a is the agreement
 * the visits are under; visitor the visiting party (p's employer).
 *
 * Order: visit.status (the holding is active), visit.originator (only the
 * host's or the visitor's own information is shown: never a third
 * party's), visit.person (a visit names p), visit.approved (one naming p
 * is approved), visit.where (at f, where h is kept), visit.when (at lies
 * in its dates), visit.nationality (p is a national of the visiting party;
 * no third country), visit.psc (the certified PSC, through the annex,
 * dominates the holding's level), visit.level-cap (the holding is not
 * above the visit's highest level), visit.need-to-know (the item's topic
 * is the visit's), visit.permit.
 */
int decide_visit_access(const struct agreement *a, const struct party *host,
			const struct party *visitor, const struct holding *h, const struct person *p,
			const struct facility *f, const struct visit *visits, size_t nvisits,
			gs_instant at, struct decision *out);

/* The sentences of the visit.* rules (decision_reason() calls it). */
int visit_reason(const struct decision *d, const char *t, char *buf, size_t cap);

#endif
