/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_PERSON_H
#define GS_CORE_PERSON_H

/*
 * The plain data the decisions of core/decide.h work on: persons on a
 * node's register, facilities with their registers, items and holdings
 * (an item as one party holds it, with the marking that party shows),
 * and the originator's consents. Pure data: no I/O, no allocation; every
 * field has a fixed size with a cap from util/limits.h.
 *
 * Strings are NUL-terminated; "" means "not set". Instants are UTC
 * seconds (core/time.h); GS_INSTANT_NONE means "not set" (for a validity
 * bound: unbounded, except where a field says otherwise).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

/* ---- persons -------------------------------------------------------- */

enum person_role {
	ROLE_NSA_OFFICER = 1u << 0, /* registers agreements, notes, consents */
	ROLE_REGISTRY = 1u << 1,    /* releases, receives, custody */
	ROLE_READER = 1u << 2,      /* opens what they are entitled to */
	ROLE_AUDITOR = 1u << 3,     /* verifies the ledger */
	ROLE_TRANSLATOR = 1u << 4,  /* translates (needs a PSC, Art 15) */
	ROLE_MONITOR = 1u << 5,     /* reads the node's metrics, nothing else */
};
#define ROLE_LAST ROLE_MONITOR

/* A personnel security clearance, in the employer party's national
 * scheme. level "" = no PSC. Valid on [valid_from, valid_until); a
 * bound of GS_INSTANT_NONE is open. */
struct psc {
	char level[GS_MAX_LABEL];
	gs_instant valid_from;
	gs_instant valid_until;
};

/* One need-to-know entry from a person's official duties. */
enum duty_kind {
	DUTY_TOPIC = 0,   /* covers every item of this topic */
	DUTY_PURPOSE = 1, /* covers every item released for this purpose */
	DUTY_ITEM = 2,    /* covers this item (and its copies and translations) */
};

struct duty {
	enum duty_kind kind;
	char value[GS_MAX_NAME];
};

/* Fields that every access decision reads come first (fewer cache lines). */
struct person {
	char id[GS_MAX_ID];
	char facility[GS_MAX_ID]; /* facility whose register should list the person */
	char employer[GS_MAX_CODE]; /* party code; the PSC is in its scheme */
	int nnationalities;
	char nationalities[GS_MAX_NATIONALITIES][GS_MAX_CODE]; /* a set of party codes */
	struct psc psc;
	unsigned roles;           /* enum person_role bits */
	int nduties;
	char name[GS_MAX_NAME];   /* as it should appear in a sentence: 山田花子 */
	struct duty duties[GS_MAX_DUTIES];
};

/* ---- facilities ----------------------------------------------------- */

/* Art 16 (a)-(o): bit n is item ('a' + n), set when recorded. */
#define FACILITY_CHECKLIST_ITEMS 15
#define FACILITY_CHECKLIST_ALL ((1u << FACILITY_CHECKLIST_ITEMS) - 1u)

/*
 * A government or contractor facility and its register of authorised
 * persons (Art 6(e)). reg_index is an open-addressing hash index over
 * reg_id (slot = index + 1, 0 = empty) so that a lookup costs one or two
 * probes: change the register only through facility_register_add/remove.
 * Entries written by hand are not indexed and so never found (closed:
 * the person is "not on the register").
 */
#define FACILITY_INDEX_SLOTS (2 * GS_MAX_REGISTER) /* a power of two */
struct facility {
	char id[GS_MAX_ID];
	char party[GS_MAX_CODE];  /* the party the facility belongs to */
	char name[GS_MAX_NAME];
	bool contractor;
	uint32_t checklist;       /* FACILITY_CHECKLIST_* bits recorded */
	gs_instant initial_inspection;  /* NONE = not recorded */
	gs_instant periodic_inspection; /* latest periodic inspection, NONE = none yet */
	int nregister;
	uint64_t reg_hash[GS_MAX_REGISTER];
	char reg_id[GS_MAX_REGISTER][GS_MAX_ID];
	uint16_t reg_index[FACILITY_INDEX_SLOTS];
};

/* Resets f (an empty register, no inspections). */
void facility_init(struct facility *f);
/* Adds a person id to the register. Returns 0, GS_EEXIST if present,
 * GS_EINVAL if id is empty or too long, GS_ELIMIT if the register is full. */
int facility_register_add(struct facility *f, const char *person_id);
/* Removes a person id. Returns 0 or GS_ENOTFOUND. */
int facility_register_remove(struct facility *f, const char *person_id);
/* True if person_id is on the register. */
bool facility_register_has(const struct facility *f, const char *person_id);

/* ---- items and holdings --------------------------------------------- */

enum item_form {
	FORM_ORAL = 0,
	FORM_VISUAL = 1,
	FORM_ELECTRONIC = 2,
	FORM_MAGNETIC = 3,
	FORM_DOCUMENT = 4,
	FORM_EQUIPMENT = 5,
	FORM_TECHNOLOGY = 6,
};

enum item_status {
	ITEM_ACTIVE = 0,
	ITEM_RETURNED = 1,
	ITEM_DESTROYED = 2,
	ITEM_LOST = 3,
	ITEM_COMPROMISED = 4,
	ITEM_SUSPENDED = 5, /* suspended after a (possible) compromise */
};

/* One piece of classified military information as its originator made
 * it. The true originator survives every hop (TISA). */
struct item {
	char id[GS_MAX_ID];
	char originator[GS_MAX_CODE];  /* party code */
	char label[GS_MAX_LABEL];      /* classification in the originator's scheme */
	char purpose[GS_MAX_NAME];
	char topic[GS_MAX_NAME];
	enum item_form form;
	char copy_of[GS_MAX_ID];        /* "" unless a reproduction */
	char translation_of[GS_MAX_ID]; /* "" unless a translation */
};

/* The marking a holder shows (Art 4). labels[0] is the holder's own
 * label when the mode converts; candidates are the labels the holder
 * may choose from for a many-to-one row (candidates[0] = default). */
struct marking {
	int nlabels;
	char labels[GS_MAX_MARK_LABELS][GS_MAX_LABEL];
	int ncandidates;
	char candidates[GS_MAX_LABELS_PER_CELL][GS_MAX_LABEL];
	char originator_name[GS_MAX_NAME]; /* "Republic of Korea" */
	bool protect_as;                   /* no true equivalent: protected as labels[0] */
};

/* An item as one party holds it. At the originator's node holder equals
 * item.originator and the marking shows the original label. */
struct holding {
	enum item_status status;
	char holder[GS_MAX_CODE];      /* party code of the node holding it */
	char facility[GS_MAX_ID];      /* where it is kept; "" = any facility of the holder */
	struct item item;
	struct marking marking;        /* what the holder shows */
	char agreement[GS_MAX_ID];     /* released under ("" at the originator) */
	int agreement_version;
	char released_by[GS_MAX_CODE]; /* the party that released it to the holder */
	gs_instant released_at;        /* NONE at the originator */
};

/* ---- consents ------------------------------------------------------- */

enum consent_kind {
	CONSENT_ONWARD = 0, /* release to a third party (Art 5; TISA leg 2) */
	CONSENT_USE = 1,    /* use for another purpose (Art 5) */
	CONSENT_ACCESS = 2, /* access by nationals of a country the agreement does not allow */
};

/*
 * The originator's written approval. It names either one item (item) or
 * a class of items (topic, with item ""); the party it is given to
 * (holder, "" = any holder); the third party (for CONSENT_ONWARD the
 * recipient, for CONSENT_ACCESS the nationality; "" for CONSENT_USE);
 * the purpose; and an expiry. A consent without an expiry, not granted,
 * or outside [granted_at, expires) does not count.
 */
struct consent {
	char id[GS_MAX_ID];
	enum consent_kind kind;
	char originator[GS_MAX_CODE];
	char item[GS_MAX_ID];
	char topic[GS_MAX_NAME];
	char holder[GS_MAX_CODE];
	char third_party[GS_MAX_CODE];
	char purpose[GS_MAX_NAME];
	gs_instant granted_at;  /* NONE = not recorded (then not checked) */
	gs_instant expires;     /* required */
	bool granted;           /* false: a recorded refusal */
};

const char *item_status_name(enum item_status s); /* "active", "destroyed", ... */
const char *item_form_name(enum item_form f);     /* "document", ... */
const char *consent_kind_name(enum consent_kind k);

#endif
