/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_DECIDE_H
#define GS_CORE_DECIDE_H

/*
 * The rules of docs/rules.md as pure decisions. Each decide_*() takes plain
 * values (agreement, parties, holding, person, facility, consents, an
 * instant), never allocates, never does I/O, and fills a struct decision:
 * permit or deny, the stable id of the rule that decided (docs/rules.md)
 * and the few values its sentence needs. The sentence itself is formatted
 * only on request by decision_reason(), so a permit costs no formatting.
 *
 * Every decide_*() returns 0 when it permits and GS_EDENIED when it
 * refuses: both are answers. GS_EINVAL means it was asked with impossible
 * input (a NULL pointer): no rule answered, and the caller has a defect.
 * *out is then a deny by invalid-input, so a caller that reads only
 * out->permit still refuses, but a caller passes the error on
 * (decide_error) instead of showing it as a rule's refusal. Rules are
 * checked in a fixed order, documented above each function and in
 * docs/rules.md; the first rule that fails decides.
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
#include "core/reclass.h"
#include "core/time.h"
#include "util/limits.h"

/* Every rule a decision can name. The stable text id of each is
 * decide_rule_id(rule): "release.in-force", "access.psc-level", ... */
enum decide_rule {
	RULE_NONE = 0,
	/* release */
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
	/* marking */
	RULE_MARKING_PARTY,
	RULE_MARKING_ANNEX,
	RULE_MARKING_NEVER,
	RULE_MARKING_NO_EQUIVALENT,
	RULE_MARKING_PERMIT,
	/* access */
	RULE_ACCESS_STATUS,
	RULE_ACCESS_AGREEMENT,
	RULE_ACCESS_HOLDER,
	RULE_ACCESS_FACILITY,
	RULE_ACCESS_CONTRACTOR,
	RULE_ACCESS_REGISTER,
	RULE_ACCESS_NATIONALITY,
	RULE_ACCESS_DUAL_NATIONAL,
	RULE_ACCESS_THIRD_COUNTRY,
	RULE_ACCESS_CONSENT_EXPIRED,
	RULE_ACCESS_PSC_EMPLOYER,
	RULE_ACCESS_PSC_NONE,
	RULE_ACCESS_PSC_EXPIRED,
	RULE_ACCESS_LEVEL_UNKNOWN,
	RULE_ACCESS_PSC_LEVEL,
	RULE_ACCESS_NEED_TO_KNOW,
	RULE_ACCESS_PERMIT,
	/* purpose */
	RULE_USE_STATUS,
	RULE_USE_CONSENT,
	RULE_USE_CONSENT_EXPIRED,
	RULE_USE_PERMIT,
	/* third parties and arrangements */
	RULE_ONWARD_STATUS,
	RULE_ONWARD_ROUTE,
	RULE_ONWARD_TOPIC_GATE,
	RULE_ONWARD_ORIGINATOR,
	RULE_ONWARD_CONSENT,
	RULE_ONWARD_CONSENT_EXPIRED,
	RULE_ONWARD_PERMIT,
	/* reclassification */
	RULE_RECLASSIFY_ORIGINATOR_ONLY,
	RULE_RECLASSIFY_STATUS,
	RULE_RECLASSIFY_ORIGINAL,
	RULE_RECLASSIFY_SAME,
	RULE_RECLASSIFY_LABEL,
	RULE_RECLASSIFY_PERMIT,
	/* a reclassification notice at a holder */
	RULE_RECLASSIFY_SIGNATURE,
	RULE_RECLASSIFY_ITEM,
	RULE_RECLASSIFY_FORWARD,
	RULE_RECLASSIFY_AGREEMENT,
	RULE_RECLASSIFY_INSTANT,
	RULE_RECLASSIFY_STALE,
	/* custody: copies, translations, return, destruction */
	RULE_CUSTODY_STATUS,
	RULE_CUSTODY_RETURN,
	RULE_CUSTODY_WITNESS,
	RULE_CUSTODY_COPIES,
	RULE_CUSTODY_PERMIT,
	RULE_TRANSLATE_ORIGINATOR,
	RULE_TRANSLATE_ROLE,
	RULE_TRANSLATE_PSC,
	RULE_TRANSLATE_PERMIT,
	/* contractors */
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

/* The error in what a decide_*() returned: 0 when the rules answered
 * (permit or refusal: read out->permit), else the error itself, for the
 * caller to pass on as a failure. A decision never allocates nor does I/O,
 * so GS_EINVAL is the only one it can return. */
int decide_error(int ret);

/* "release.in-force", ... ("unknown" out of range). */
const char *decide_rule_id(enum decide_rule r);

/* The sentence a person can read, e.g.
 *   refused: agreement 'KOR-JPN-2016' is terminated (since 2019-11-23T00:00:00+09:00);
 *   nothing new may be released under it
 * NUL-terminated in buf (truncated to cap). Returns the length it would
 * have had, like snprintf, or GS_EINVAL. */
int decision_reason(const struct decision *d, char *buf, size_t cap);

/*
 * Release (Art 1, 4, 5, 21): may releasing_party provide the
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
 * Marking (Art 4): the labels holder must show on an item of
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
 * v is the annex version in effect (NULL: none is, and marking.annex
 * refuses).
 *
 * Order: marking.party, marking.annex, marking.never, marking.no-equivalent,
 * marking.permit.
 */
int decide_marking(const struct agreement *a, const struct annex_version *v,
		   const struct party *originator, const struct party *holder,
		   const char *original_label, struct marking *m, struct decision *out);

/*
 * Access (Art 5, 6, 7): may person p open holding h,
 * held by party holder, at facility f at instant at, for purpose? One
 * question, as a struct so that a new fact is a new member, not a new
 * argument at every caller.
 */
struct access_query {
	/* The agreement the holding was released under (h->agreement; any at
	 * the originator's own node), as in effect at `at`. It supplies the
	 * nationality policy, the annex and psc_from; its lifecycle state is
	 * deliberately not an input: termination never relaxes access
	 * (survival). */
	const struct agreement *agreement;
	const struct party *holder;    /* this node's party, with its scheme */
	const struct holding *holding;
	const struct person *person;
	const struct facility *facility;
	const char *purpose;           /* the use the item is opened for; NULL = the
					* purpose it was released for */
	/* Every consent the node holds (NULL, 0 for none): CONSENT_ACCESS for a
	 * nationality the agreement does not allow, CONSENT_USE for a purpose
	 * other than the one released for. Other kinds are ignored. */
	const struct consent *consents;
	size_t nconsents;
	gs_instant at;
};

/*
 * Order: access.status, access.agreement, access.holder,
 * use.purpose-consent (or -expired: another purpose than the one
 * released for needs the originator's CONSENT_USE, Art 5),
 * access.facility, access.contractor, access.facility-register,
 * access.third-country / access.nationality / access.dual-national /
 * access.consent-expired, then (unless the holding's annex level is
 * below psc_from) access.psc-employer, access.psc-none,
 * access.psc-expired, access.level-unknown, access.psc-level; then
 * access.need-to-know, access.permit.
 *
 * Nationality: every nationality of the person is judged. One outside
 * the agreement's parties (a third country) needs the originator's
 * CONSENT_ACCESS naming it, whatever the dual-nationals setting: allowing
 * dual nationals admits a second nationality of a party, never a third
 * country. With dual-nationals refused, a second nationality (even of a
 * party the policy allows) needs such a consent too.
 *
 * The PSC level and the holding's level are compared as ranks in the
 * holder's own scheme, so a PSC may be above every annex row (군사I급비밀).
 * Need-to-know is a duty naming the item's topic, the item (or the
 * original of a copy or translation), or the purpose of this use.
 */
int decide_access(const struct access_query *q, struct decision *out);

/*
 * Purpose (Art 5): may the holder use h for purpose? The
 * purpose released for is permitted; any other needs a CONSENT_USE from
 * the originator naming the item or its topic, the holder and the purpose.
 *
 * Order: use.status, use.purpose-consent (or -expired), use.permit.
 */
int decide_use(const struct holding *h, const char *purpose,
	       const struct consent *consents, size_t nconsents, gs_instant at,
	       struct decision *out);

/*
 * Third parties and arrangements (Art 5, TISA): may
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
 * Reclassification at the originator (Art 6(g)): only the
 * originator changes a classification, of an original (the change
 * reaches its copies and translations with it), to another level of its
 * own scheme. originator supplies that scheme.
 *
 * Order: reclassify.originator-only, reclassify.status,
 * reclassify.original, reclassify.same, reclassify.label,
 * reclassify.permit.
 */
int decide_reclassify(const struct holding *h, const struct party *originator,
		      const char *requesting_party, const char *new_label,
		      struct decision *out);

/* What the node found when it checked the notice's signature. */
enum notice_signature {
	NOTICE_SIGNED = 0,        /* by the originator it names, and it verifies */
	NOTICE_SIGNER_UNKNOWN,    /* the originator named is not a registered party */
	NOTICE_NOT_SIGNED,        /* no signature by that originator's key */
	NOTICE_FORGED,            /* its signature does not verify */
	NOTICE_KEY_UNTRUSTED,     /* by a key not the originator's at the notice's instant, or
	                             reported compromised by then (docs/keys.md) */
};

/*
 * A reclassification notice at a holder (Art 6(g),
 * TISA): the facts the node gathered about one notice.
 */
struct notice_facts {
	const struct reclassify_notice *notice;
	enum notice_signature signature;
	const struct party *originator; /* the registered signer; NULL if unknown */
	const char *self;               /* this node's party */
	const struct holding *holding;  /* NULL: the item is not held here */
	bool is_copy;                   /* the holding is a copy or translation */
	gs_instant disposed_at;         /* when destroyed or returned (NONE if not) */
	const char *disposed_by;
	/* An item that reached this node through another party (released_by
	 * is not the originator, TISA) has its notice forwarded by that party:
	 * the forward (NULL if the notice came alone), the check of its
	 * signature by its sender, and whether the digest it names is the
	 * notice's. */
	const struct reclassify_forward *forward;
	enum notice_signature forward_signature;
	bool forward_digest_ok;
	gs_instant last_applied;        /* the latest notice instant applied, NONE */
	gs_instant now;
	int32_t zone;                   /* for sentences */
};

/*
 * Order: reclassify.signature, reclassify.item,
 * reclassify.originator-only (this node is the originator),
 * reclassify.original, custody.status, reclassify.originator-only /
 * reclassify.label (decide_reclassify by the signer), reclassify.forward
 * (an item received through a hub needs that hub's signed forward, for
 * this node and the leg it holds the item under; one received from its
 * originator takes the notice alone), reclassify.agreement (received
 * from the originator: the notice names the agreement it is held under),
 * reclassify.instant, reclassify.stale, reclassify.permit.
 */
int decide_reclassify_notice(const struct notice_facts *f, struct decision *out);

/*
 * Custody (Art 6(h), 13, 14, 15): may the item be
 * copied, translated, reclassified, destroyed or returned at all? (Who
 * may do it is decide_access, and for a translation decide_translator.)
 */
enum custody_action {
	CUSTODY_COPY = 0,
	CUSTODY_TRANSLATE,
	CUSTODY_RECLASSIFY,
	CUSTODY_DESTROY,
	CUSTODY_RETURN,
};

struct custody_facts {
	enum custody_action action;
	const struct holding *holding;
	const char *self;            /* this node's party */
	bool is_copy;                /* a copy or translation made here */
	gs_instant disposed_at;      /* when destroyed or returned (NONE if not) */
	const char *disposed_by;
	const char *person;          /* who acts (destroy, return) */
	const char *witness;         /* NULL or "" for none */
	const char *live_copies;     /* ids of copies and translations not destroyed
				      * or returned, comma-separated; "" if none */
	int32_t zone;                /* for sentences */
};

/*
 * Order: custody.status (destroyed or returned: nothing more, ever; for a
 * destruction or return also lost), translate.originator (Art 15 is
 * about another party's information), custody.return (the originator has
 * no one to return to; a copy is destroyed, not returned),
 * custody.witness (no one witnesses their own act), custody.copies
 * (copies and translations go first), custody.permit.
 */
int decide_custody(const struct custody_facts *f, struct decision *out);

/*
 * Translators (Art 15): only a person with the translator
 * role holding a PSC translates.
 *
 * Order: translate.role, translate.psc, translate.permit.
 */
int decide_translator(const struct person *p, struct decision *out);

/*
 * Contractors (Art 16): may CMI go to facility f at instant
 * at? A government facility always may; a contractor facility needs every
 * item (a)-(o) recorded and an initial inspection done by at.
 *
 * Order: contractor.checklist, contractor.inspection, contractor.permit.
 */
int decide_contractor(const struct facility *f, gs_instant at, struct decision *out);

/*
 * Survival (Art 21, docs/lifecycle.md): does holding h stay protected by every rule of the
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
