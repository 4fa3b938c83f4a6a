/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_DECIDE_H
#define GS_CORE_DECIDE_H

/*
 * The rules of SPEC §4 as pure decisions. Each decide_*() takes plain
 * values (agreement, parties, holding, person, facility, consents, an
 * instant), never allocates, never does I/O, and fills a struct decision:
 * permit or deny, the stable id of the rule that decided (docs/rules.md)
 * and the few values its sentence needs. The sentence itself is formatted
 * only on request by decision_reason(), so a permit costs no formatting.
 *
 * Every decide_*() returns 0 when it permits and GS_EDENIED when it
 * refuses (or GS_EINVAL, also a refusal, for impossible input such as a
 * NULL pointer). Rules are checked in a fixed order, documented above
 * each function and in docs/rules.md; the first rule that fails decides.
 *
 * A decision keeps copies of the values it names, so it stays valid after
 * its inputs are freed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/agreement.h"
#include "core/lifecycle.h"
#include "core/party.h"
#include "core/person.h"
#include "core/time.h"
#include "util/limits.h"

/* Every rule a decision can name. The stable text id of each is
 * decide_rule_id(rule): "release.in-force", "access.psc-level", ... */
enum decide_rule {
	RULE_NONE = 0,
	/* release (SPEC §4.1) */
	RULE_RELEASE_IN_FORCE,
	RULE_RELEASE_ARRANGEMENT,
	RULE_RELEASE_VERSION,
	RULE_RELEASE_PARTY,
	RULE_RELEASE_MEMBER,
	RULE_RELEASE_HOLDER,
	RULE_RELEASE_STATUS,
	RULE_RELEASE_ANNEX,
	RULE_RELEASE_NEVER,
	RULE_RELEASE_ANNEX_ROW,
	RULE_RELEASE_PROTECT_AS,
	RULE_RELEASE_NO_EQUIVALENT,
	RULE_RELEASE_SCOPE_PURPOSE,
	RULE_RELEASE_SCOPE_TOPIC,
	RULE_RELEASE_CONSENT,
	RULE_RELEASE_CONSENT_EXPIRED,
	RULE_RELEASE_PERMIT,
	/* marking (SPEC §4.2) */
	RULE_MARKING_PARTY,
	RULE_MARKING_NEVER,
	RULE_MARKING_NO_EQUIVALENT,
	RULE_MARKING_PERMIT,
	/* access (SPEC §4.3) */
	RULE_ACCESS_STATUS,
	RULE_ACCESS_AGREEMENT,
	RULE_ACCESS_HOLDER,
	RULE_ACCESS_FACILITY,
	RULE_ACCESS_CONTRACTOR,
	RULE_ACCESS_REGISTER,
	RULE_ACCESS_NATIONALITY,
	RULE_ACCESS_DUAL_NATIONAL,
	RULE_ACCESS_THIRD_COUNTRY,
	RULE_ACCESS_PSC_EMPLOYER,
	RULE_ACCESS_PSC_NONE,
	RULE_ACCESS_PSC_EXPIRED,
	RULE_ACCESS_LEVEL_UNKNOWN,
	RULE_ACCESS_PSC_LEVEL,
	RULE_ACCESS_NEED_TO_KNOW,
	RULE_ACCESS_PERMIT,
	/* purpose (SPEC §4.4) */
	RULE_USE_STATUS,
	RULE_USE_CONSENT,
	RULE_USE_CONSENT_EXPIRED,
	RULE_USE_PERMIT,
	/* third parties and arrangements (SPEC §4.5, §4.13) */
	RULE_ONWARD_STATUS,
	RULE_ONWARD_ROUTE,
	RULE_ONWARD_TOPIC_GATE,
	RULE_ONWARD_ORIGINATOR,
	RULE_ONWARD_CONSENT,
	RULE_ONWARD_CONSENT_EXPIRED,
	RULE_ONWARD_PERMIT,
	/* reclassification (SPEC §4.6) */
	RULE_RECLASSIFY_ORIGINATOR_ONLY,
	RULE_RECLASSIFY_STATUS,
	RULE_RECLASSIFY_LABEL,
	RULE_RECLASSIFY_PERMIT,
	/* contractors (SPEC §4.11) */
	RULE_CONTRACTOR_CHECKLIST,
	RULE_CONTRACTOR_INSPECTION,
	RULE_CONTRACTOR_PERMIT,
	/* bad input (a NULL pointer, an empty code) */
	RULE_INVALID,
	/* contractors' periodic inspections (Art 16(g); core/inspection.h) */
	RULE_ACCESS_INSPECTION,
	/* visits (Art 8, 18; core/visit.h): a request or its answer ... */
	RULE_VISIT_IN_FORCE,
	RULE_VISIT_PARTY,
	RULE_VISIT_HOST,
	RULE_VISIT_FACILITY,
	RULE_VISIT_DATES,
	RULE_VISIT_LEAD_TIME,
	RULE_VISIT_LEVEL,
	RULE_VISIT_PERSONS,
	RULE_VISIT_ADMISSIBLE,
	/* ... and access during it */
	RULE_VISIT_STATUS,
	RULE_VISIT_ORIGINATOR,
	RULE_VISIT_PERSON,
	RULE_VISIT_APPROVED,
	RULE_VISIT_WHERE,
	RULE_VISIT_WHEN,
	RULE_VISIT_NATIONALITY,
	RULE_VISIT_PSC,
	RULE_VISIT_LEVEL_CAP,
	RULE_VISIT_NEED_TO_KNOW,
	RULE_VISIT_PERMIT,
	/* party keys: the key valid at a signature's instant (core/keyhistory.h) */
	RULE_KEY_UNKNOWN,
	RULE_KEY_COMPROMISED,
	RULE_KEY_PERMIT,
	RULE_ROTATION_PARTY,
	RULE_ROTATION_OLD_KEY,
	RULE_ROTATION_NEW_KEY,
	RULE_ROTATION_ORDER,
	RULE_ROTATION_COMPROMISED,
	RULE_ROTATION_PERMIT,
	RULE_COMPROMISE_PARTY,
	RULE_COMPROMISE_UNKNOWN_KEY,
	RULE_COMPROMISE_FUTURE,
	RULE_COMPROMISE_KNOWN,
	RULE_COMPROMISE_PERMIT,
	RULE_COUNT_
};

struct decision {
	bool permit;
	enum decide_rule rule;
	const char *rule_id;  /* decide_rule_id(rule), static storage */
	int n;                /* a small number or variant the sentence uses */
	gs_instant t;         /* an instant the sentence names, or GS_INSTANT_NONE */
	int32_t zone;         /* offset t is shown in */
	char arg[GS_DECISION_ARGS][GS_DECISION_ARG]; /* names, labels, ids (truncated) */
};

/* "release.in-force", ... ("unknown" out of range). */
const char *decide_rule_id(enum decide_rule r);

/* The sentence a person can read, e.g.
 *   refused: agreement 'KOR-JPN-2016' is terminated (since 2019-11-23T00:00:00+09:00);
 *   nothing new may be released under it
 * NUL-terminated in buf (truncated to cap). Returns the length it would
 * have had, like snprintf, or GS_EINVAL. */
int decision_reason(const struct decision *d, char *buf, size_t cap);

/*
 * Release (SPEC §4.1; Art 1, 4, 5, 21): may releasing_party provide the
 * holding h (the releasing party's own holding) to recipient under
 * agreement a at instant at? at_release is the agreement's state at that
 * instant (lifecycle_at). originator_party / recipient_party may be NULL
 * (then codes are shown instead of names).
 *
 * Order: release.in-force, release.arrangement, release.version, release.party,
 * release.member (both are members at the instant: a party that left a
 * multilateral agreement, or whose accession is not yet in effect, neither
 * releases nor receives under it; at_release->members), release.holder, release.status, release.annex, release.never,
 * release.annex-row, release.protect-as, release.no-equivalent,
 * release.scope-purpose, release.scope-topic, release.originator-consent
 * (or -expired), release.permit.
 *
 * The label looked up is the item's original label when the releasing
 * party is the originator, else the holder's labels (the marking it
 * shows). Nothing is rounded: a label without its own row is refused.
 * Giving an item back to its originator needs no consent.
 */
int decide_release(const struct agreement *a, const struct lifecycle_status *at_release,
		   const struct party *originator_party, const struct party *recipient_party,
		   const struct holding *h, const char *releasing_party, const char *recipient,
		   const struct consent *consents, size_t nconsents, gs_instant at,
		   struct decision *out);

/*
 * Marking (SPEC §4.2; Art 4): the labels holder must show on an item of
 * originator marked original_label, under annex version v, per the
 * agreement's marking mode. *m is reset on entry and set on permit:
 *   recipient-converts: labels = { holder's default }, e.g. 군사III급비밀 -> 秘
 *   originator-dual:    labels = { original, holder's default }
 *   keep-original:      labels = { original }
 * candidates = every label of the holder's cell (many-to-one: 特定秘密,
 * 極秘; candidates[0] is the default), originator_name = originator's
 * name, protect_as copied from the holder's cell. When holder is the
 * originator, labels = { original }.
 *
 * Order: marking.party, marking.never, marking.no-equivalent, marking.permit.
 */
int decide_marking(const struct agreement *a, const struct annex_version *v,
		   const struct party *originator, const struct party *holder,
		   const char *original_label, struct marking *m, struct decision *out);

/*
 * Access (SPEC §4.3; Art 6, 7): may person p open holding h, held by
 * party holder, at facility f at instant at? The agreement supplies the
 * nationality policy, the annex and psc_from; its lifecycle state is
 * deliberately not an input: termination never relaxes access (survival).
 * It must be the agreement the holding was released under (h->agreement;
 * any, at the originator's own node).
 * consents: CONSENT_ACCESS consents for nationals of countries the
 * agreement does not allow.
 *
 * Order: access.status, access.agreement, access.holder, access.facility,
 * access.contractor, access.facility-register, access.nationality /
 * access.third-country / access.dual-national, then (unless the holding's
 * annex level is below psc_from) access.psc-employer, access.psc-none,
 * access.psc-expired, access.level-unknown, access.psc-level; then
 * access.need-to-know, access.permit.
 *
 * The PSC level and the holding's level are compared as ranks in the
 * holder's own scheme, so a PSC may be above every annex row (군사I급비밀).
 */
int decide_access(const struct agreement *a, const struct party *holder,
		  const struct holding *h, const struct person *p, const struct facility *f,
		  const struct consent *consents, size_t nconsents, gs_instant at,
		  struct decision *out);

/*
 * Purpose (SPEC §4.4; Art 5): may the holder use h for purpose? The
 * purpose released for is permitted; any other needs a CONSENT_USE from
 * the originator naming the item or its topic, the holder and the purpose.
 *
 * Order: use.status, use.purpose-consent (or -expired), use.permit.
 */
int decide_use(const struct holding *h, const char *purpose,
	       const struct consent *consents, size_t nconsents, gs_instant at,
	       struct decision *out);

/*
 * Third parties and arrangements (SPEC §4.5, §4.13; Art 5, TISA): may
 * releasing_party pass h on to third_party for purpose (NULL = the
 * item's purpose)? arrangement is NULL for a plain onward release, or the
 * arrangement (TISA) the route runs under: then every party named must be
 * a participant, the route goes through the hub, and the topic gate
 * applies. A non-originator needs a CONSENT_ONWARD from the originator
 * naming the item (or its topic), releasing_party (or any holder), the
 * third party and the purpose, unexpired at at.
 *
 * Order: onward.status, onward.route, onward.topic-gate,
 * onward.originator (a permit: the originator needs no consent, nor does
 * an item going back to its originator),
 * onward.consent (or -expired), onward.permit.
 */
int decide_onward(const struct agreement *arrangement, const struct holding *h,
		  const char *releasing_party, const char *third_party, const char *purpose,
		  const struct consent *consents, size_t nconsents, gs_instant at,
		  struct decision *out);

/*
 * Reclassification (SPEC §4.6; Art 6(g)): only the originator changes a
 * classification. originator (may be NULL) supplies the scheme the new
 * label must belong to.
 *
 * Order: reclassify.originator-only, reclassify.status,
 * reclassify.label, reclassify.permit.
 */
int decide_reclassify(const struct holding *h, const struct party *originator,
		      const char *requesting_party, const char *new_label,
		      struct decision *out);

/*
 * Contractors (SPEC §4.11; Art 16): may CMI go to facility f at instant
 * at? A government facility always may; a contractor facility needs every
 * item (a)-(o) recorded and an initial inspection done by at.
 *
 * Order: contractor.checklist, contractor.inspection, contractor.permit.
 */
int decide_contractor(const struct facility *f, gs_instant at, struct decision *out);

/*
 * Survival (SPEC §3): does holding h stay protected by every rule of the
 * agreement it was released under once that agreement terminates at
 * terminates_at (an instant; zone for the sentence)? Everything released
 * while the agreement was in force stays protected forever, and
 * termination never relaxes protection; only an item no longer held
 * (returned, destroyed) has nothing left to protect here. Writes one
 * sentence saying why into why (NUL-terminated, truncated to cap).
 */
bool holding_survives(const struct holding *h, gs_instant terminates_at, int32_t zone, char *why,
		      size_t cap);

/* Chooses label, one of m's candidates (many-to-one: 極秘 instead of the
 * default 特定秘密), as the holder's label. Returns 0, GS_EINVAL if it is
 * not a candidate, or GS_ESTATE if m shows no holder label (keep-original). */
int marking_choose(struct marking *m, const char *label);

#endif
