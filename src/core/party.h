/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_PARTY_H
#define GS_CORE_PARTY_H

/*
 * A party (a state) and its national classification scheme, as carried
 * in its signed identity file (docs/identity-format.md). Pure data and
 * pure parsing: the signature around the text is checked by crypto/ and
 * node/ before party_parse() ever sees the text.
 *
 * The scheme is an ordered ladder, most sensitive first: levels[0] is
 * the top. A level's rank is (nlevels - index), so higher rank = more
 * sensitive and rank 0 means "no level".
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

#define GS_SIGN_PK_BYTES 32 /* Ed25519 public key */
#define GS_BOX_PK_BYTES 32  /* X25519 public key */
#define GS_LABEL_PK_BYTES 65 /* ECDSA P-256 public key, uncompressed point 04 || X || Y */
/* The DER SubjectPublicKeyInfo of a P-256 key is this prefix and the point. */
#define GS_LABEL_SPKI_PREFIX_BYTES 26
#define GS_LABEL_SPKI_BYTES (GS_LABEL_SPKI_PREFIX_BYTES + GS_LABEL_PK_BYTES)
extern const unsigned char gs_label_spki_prefix[GS_LABEL_SPKI_PREFIX_BYTES];

struct scheme_level {
	char label[GS_MAX_LABEL]; /* native script: 군사II급비밀 */
	char roman[GS_MAX_LABEL]; /* romanisation: GUNSA II-KUP BIMIL */
	char gloss[GS_MAX_LABEL]; /* English gloss: military secret grade II */
};

struct scheme {
	int nlevels;
	struct scheme_level levels[GS_MAX_SCHEME_LEVELS]; /* top first */
};

/*
 * One key pair a party has signed and received with, and when: valid on
 * [valid_from, valid_until) (GS_INSTANT_NONE: open), and reported
 * compromised from compromised_since (NONE: never). A party's key history
 * (docs/keys.md "Rotation and compromise") is kept by the node, not
 * written in the identity text; core/keyhistory.h decides with it.
 */
struct party_key {
	uint8_t sign_pk[32];
	uint8_t box_pk[32];
	gs_instant valid_from;
	gs_instant valid_until;
	gs_instant compromised_since;
};

struct party {
	char code[GS_MAX_CODE];   /* ISO 3166 alpha-3: KOR */
	char name[GS_MAX_NAME];   /* Republic of Korea */
	int32_t zone;             /* offset from UTC in seconds */
	bool exercise;            /* made by `init --exercise` */
	struct scheme scheme;
	uint8_t sign_pk[GS_SIGN_PK_BYTES];
	uint8_t box_pk[GS_BOX_PK_BYTES];
	char endpoint[GS_MAX_NAME]; /* https://host:port, or empty */
	char tls_pin[GS_MAX_NAME];  /* sha256//base64 of the TLS key, or empty */
	/* The key history, oldest first, the current key among them; nkeys
	 * 0 = none recorded (sign_pk and box_pk have always been the keys).
	 * Filled by the node from its register; party_parse() leaves it
	 * empty and party_format() never writes it. */
	int nkeys;
	struct party_key keys[GS_MAX_PARTY_KEYS];
	/* The scheme's security policy (docs/labels.md): the urn:oid: URI that
	 * STANAG 4774 labels and SPIFs name it by, and the name they show
	 * (PolicyIdentifier); both empty if the identity names none. */
	char policy[GS_MAX_POLICY_URI];
	char policy_name[GS_MAX_LABEL];
	/* The node's ECDSA P-256 key for signing STANAG 4778 bindings, which
	 * this self-signed identity certifies; absent in identities made
	 * before labels existed. */
	bool has_label_key;
	uint8_t label_pk[GS_LABEL_PK_BYTES];
};

/* Parses the text of an identity (without its signature lines), format
 * in docs/identity-format.md; *out is reset first and left zeroed on
 * error. On error returns GS_EINVAL (GS_ELIMIT for a cap) with
 * "line:col: what" in d (the caller prefixes the file name). */
int party_parse(const char *text, size_t len, struct party *out, struct gs_diag *d);

/* Writes the canonical text of p into buf (NUL-terminated). Returns the
 * length, or GS_ELIMIT if cap is too small. party_parse(party_format(p))
 * gives p back. */
int party_format(const struct party *p, char *buf, size_t cap);

/* Index of label in the scheme (0 = top), or -1. Exact byte match. */
int scheme_find(const struct scheme *s, const char *label);
/* Rank of label: nlevels - index, or 0 if unknown. */
int scheme_rank(const struct scheme *s, const char *label);

/* True if uri is "urn:oid:" and a dotted object identifier (first arc
 * 0-2, no leading zeros, at least two arcs), within GS_MAX_POLICY_URI. */
bool policy_uri_is_valid(const char *uri);

/* True if name may be a policy's name (PolicyIdentifier): 1-79 bytes of
 * UTF-8 without control characters, ',' or '|', no leading '#', no
 * leading, trailing or doubled space (an XML token). */
bool policy_name_is_valid(const char *name, size_t len);

/* True if code is three upper-case ASCII letters. */
bool party_code_is_valid(const char *code);

#endif
