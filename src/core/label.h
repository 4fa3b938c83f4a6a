/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_LABEL_H
#define GS_CORE_LABEL_H

/*
 * Labels the allies' tools read (docs/labels.md): the pure model of a
 * STANAG 4774 confidentiality label and of an XML SPIF's classifications
 * and equivalences, and the rules that join them to gsomia's parties,
 * schemes and equivalence annexes. No XML here: xml/ parses and writes
 * the files, node/labels.c gathers the facts; every function in this
 * module is a function of plain values.
 *
 * A party's national scheme is a security policy, named by the urn:oid:
 * URI its identity carries (core/party.h). An annex row says which
 * labels of the parties' policies are equivalent; a SPIF says the same
 * from one policy's side, with a direction for each equivalence
 * ("applied": encrypt = when this policy's information is sent, decrypt =
 * when the other policy's information is received, both).
 *
 * Structs are fixed-size (caps in util/limits.h); the large ones
 * (struct spif) are for the heap.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/agreement.h"
#include "core/party.h"
#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

/* The one category gsomia reads and writes: the parties an item may be
 * released to, as their ISO 3166 alpha-3 codes. */
#define LABEL_RELEASABLE_TO "Releasable To"

enum label_category_type {
	LABEL_CAT_RESTRICTIVE = 0,
	LABEL_CAT_PERMISSIVE = 1,
	LABEL_CAT_INFORMATIVE = 2,
};

struct label_category {
	char tag_name[GS_MAX_LABEL];
	enum label_category_type type;
	char uri[GS_MAX_POLICY_URI]; /* optional: "" */
	int nvalues;
	char values[GS_MAX_CATEGORY_VALUES][GS_MAX_LABEL]; /* GenericValue */
};

/* A STANAG 4774 confidentiality label, in the subset of docs/labels.md. */
struct conf_label {
	bool alternative;                     /* alternativeConfidentialityLabel */
	char policy_uri[GS_MAX_POLICY_URI];   /* PolicyIdentifier/@URI, "" if none */
	char policy_name[GS_MAX_LABEL];       /* PolicyIdentifier text */
	char classification[GS_MAX_LABEL];
	int ncategories;
	struct label_category categories[GS_MAX_LABEL_CATEGORIES];
	gs_instant created;                   /* CreationDateTime */
	gs_instant review;                    /* ReviewDateTime, GS_INSTANT_NONE if absent */
};

/* The name a label shows for p's policy: its policy_name, else its code. */
const char *party_policy_name(const struct party *p);

/* Fills *out with the label p's policy gives classification, created at
 * `created`, to review at `review`, releasable to the codes listed (none:
 * no category). GS_EINVAL (d says why) if p names no policy. */
int label_make(const struct party *p, const char *classification, gs_instant created, gs_instant review,
	       const char *const *releasable_to, int nreleasable, bool alternative, struct conf_label *out,
	       struct gs_diag *d);

/*
 * The alternative labels of a binding (ADatP-4774.1 §4.2: the originator's
 * label is never overwritten; each other policy gets its equivalent as an
 * alternative label). For every party of agreement a but the originator,
 * in the agreement's order: the label of the same row of annex version v
 * as orig->classification (the cell's first label, its default; for a
 * protect-as cell the label the party safeguards it as). parties[i] is
 * the identity of a->parties[i]. holder (may be NULL) and holder_marking
 * override the default for the party that holds the item and marked it
 * otherwise (a many-to-one row). GS_EDENIED with d set when the label has
 * no row (never released, or unknown), GS_EINVAL when a party's identity
 * names no policy.
 */
int label_alternatives(const struct agreement *a, const struct annex_version *v,
		       const struct party *parties, const char *originator, const struct conf_label *orig,
		       const char *holder, const char *holder_marking, struct conf_label *alts, int *nalts,
		       struct gs_diag *d);

/*
 * The classification a label imported for a release gives, in self's
 * scheme (gsomia release --label). The label must be an originator label;
 * its policy is taken by its urn:oid: URI, which must be self's own (a
 * label naming its policy only by name, or another policy, is refused);
 * a PolicyIdentifier text, if not empty, must be self's policy name; the
 * classification must be a level of self's scheme, byte for byte; the
 * only category understood is PERMISSIVE "Releasable To", whose values
 * must be party codes and must include `to`. Anything else is refused,
 * never guessed: GS_EINVAL or GS_EDENIED with one sentence in d.
 * *label_out points into l.
 */
int label_release_classification(const struct conf_label *l, const struct party *self, const char *to,
				 const char **label_out, struct gs_diag *d);

/* ---- XML SPIF (docs/labels.md "SPIFs") ---- */

enum spif_applied {
	SPIF_APPLIED_ENCRYPT = 1, /* when this policy's information is sent */
	SPIF_APPLIED_DECRYPT = 2, /* when the other policy's information is received */
	SPIF_APPLIED_BOTH = 3,
};

struct spif_equiv {
	char policy_id[GS_MAX_POLICY_URI]; /* the other policy's OID, dotted */
	char policy_ref[GS_MAX_LABEL];     /* its name, as policyRef gave it */
	unsigned long lacv;                /* its classification's lacv */
	enum spif_applied applied;
	int line;
};

struct spif_class {
	char name[GS_MAX_LABEL];  /* the label, in the national script */
	char roman[GS_MAX_LABEL]; /* markingData in a Latin-script language tag */
	char gloss[GS_MAX_LABEL]; /* markingData xml:lang="en" */
	unsigned long lacv;
	long hierarchy;           /* larger = more sensitive */
	int line;
	int nequiv;
	struct spif_equiv equiv[GS_MAX_SPIF_EQUIVS];
};

struct spif {
	char policy_id[GS_MAX_POLICY_URI]; /* OID, dotted (no urn:oid:) */
	char policy_name[GS_MAX_LABEL];
	int nclasses;                      /* in document order */
	struct spif_class classes[GS_MAX_SPIF_CLASSES];
};

/* The classification of s with lacv, or -1. */
int spif_find_lacv(const struct spif *s, unsigned long lacv);

/* The "policy:" and "level:" lines of a levels file (docs/identity-format.md)
 * for s's policy and classifications, most sensitive first. GS_EINVAL
 * when a name cannot be a level, GS_ELIMIT beyond a cap. Returns the
 * length written or a negative gs_err. */
int spif_levels_text(const struct spif *s, char *buf, size_t cap, struct gs_diag *d);

struct annex_proposal {
	const char *code_a, *code_b;   /* the parties whose policies the SPIFs are */
	const char *file_a, *file_b;   /* the SPIFs' names, for messages */
	int annex_number;              /* [annex N effective DATE] */
	struct gs_date effective;
	int nrow_names;                /* names to give the rows, top first (0: derived) */
	const char *const *row_names;
};

/*
 * Proposes the annex rows that SPIFs a and b imply (docs/labels.md, "From
 * SPIFs to annex rows"), as an [annex] section in the agreement format,
 * for a treaty officer to review: an equivalence both SPIFs give in both
 * directions makes a row; one given in one direction only becomes a
 * protect-as cell (when it can be one) and is shown as one-way in a
 * comment; labels with no equivalence are listed as never released.
 * Refused: an equivalence naming a classification the other SPIF does not
 * have (dangling), and equivalences that contradict the SPIFs'
 * hierarchies (a cycle). Returns the length written, or a negative
 * gs_err with d set ("FILE:LINE: what").
 */
int spif_annex_propose(const struct spif *a, const struct spif *b, const struct annex_proposal *o, char *buf,
		       size_t cap, struct gs_diag *d);

#endif
