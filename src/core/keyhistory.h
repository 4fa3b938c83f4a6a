/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_KEYHISTORY_H
#define GS_CORE_KEYHISTORY_H

/*
 * A party's keys over time (docs/keys.md "Rotation and compromise"). A
 * party rotates its signing, X25519 and TLS keys with a rotation note
 * signed by the old key (and by the new one, which proves it is held);
 * every signature is then verified against the key that was valid at its
 * instant, so that receipts, notes and checkpoints made before stay
 * verifiable. A compromise note says that one key was compromised from
 * an instant on: nothing signed by it at or after that instant is
 * trusted.
 *
 * The history is struct party's keys[] (core/party.h), oldest first; the
 * node keeps it. Pure: the notes' texts are parsed and written here (the
 * signatures around them are checked by crypto/ and node/), and every
 * question is a decision (core/decide.h) on plain values and an instant.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/decide.h"
#include "core/party.h"
#include "core/time.h"
#include "util/err.h"
#include "util/limits.h"

#define KEY_ROTATION_MAGIC "gsomia-key-rotation/v1"
#define KEY_COMPROMISE_MAGIC "gsomia-key-compromise/v1"

struct key_rotation {
	char party[GS_MAX_CODE];
	uint8_t old_key[32];        /* the signing key retired */
	uint8_t new_key[32];        /* the signing key from effective on */
	uint8_t new_box_key[32];    /* the X25519 key from effective on */
	char new_tls_pin[GS_MAX_NAME]; /* "" if the note names none */
	gs_instant effective;
	bool exercise;
	char text[512];
};

struct key_compromise {
	char party[GS_MAX_CODE];    /* whose key */
	uint8_t key[32];            /* the compromised signing key */
	gs_instant since;           /* nothing it signs at or after this is trusted */
	char reported_by[GS_MAX_CODE]; /* the party that signs the note */
	gs_instant reported;
	bool exercise;
	char text[512];
};

/* Strict `key value` texts (core/kvtext.h; docs/keys.md has the format).
 * *out is reset first. GS_EINVAL with "line N: what" in d. */
int key_rotation_parse(const char *text, size_t len, struct key_rotation *out, struct gs_diag *d);
int key_compromise_parse(const char *text, size_t len, struct key_compromise *out, struct gs_diag *d);
/* The canonical texts (parse(format(x)) == x); *out is malloc'd. */
int key_rotation_format(const struct key_rotation *r, char **out, struct gs_diag *d);
int key_compromise_format(const struct key_compromise *c, char **out, struct gs_diag *d);

/* Index in p->keys of the key whose sign_pk is pk, or -1. */
int party_key_index(const struct party *p, const uint8_t pk[32]);

/*
 * Which signing key of p a signature of instant at must verify under:
 * *key is set to it (p->sign_pk when p has no history), *index to its
 * place in p->keys (-1 then). at NONE: the current key.
 *
 * Order: key.unknown (no key of p was valid at at), key.compromised (that
 * key was reported compromised at or before at), key.permit.
 */
int decide_key(const struct party *p, gs_instant at, const uint8_t **key, int *index,
	       struct decision *out);

/*
 * May rotation r (its signatures already verified by both keys) join
 * p's history? p is the party as registered now, its current key
 * p->sign_pk.
 *
 * Order: rotation.party (r is about p), rotation.old-key (r retires the
 * current key), rotation.new-key (a key never used before by p),
 * rotation.order (effective after the current key's start, and not in
 * the future of now), rotation.compromised (the old key was not already
 * compromised at effective: a thief could rotate), rotation.permit.
 */
int decide_key_rotation(const struct party *p, const struct key_rotation *r, gs_instant now,
			struct decision *out);

/*
 * May compromise note c join p's history at now? reported_by must be p
 * itself (a party declares its own keys) or self_code (this node's own
 * record about p).
 *
 * Order: compromise.party, compromise.unknown-key (the key is one of p's),
 * compromise.future (since is not after the report, nor after now),
 * compromise.known (not already reported from an earlier or the same
 * instant), compromise.permit.
 */
int decide_key_compromise(const struct party *p, const struct key_compromise *c,
			  const char *self_code, gs_instant now, struct decision *out);

/* The sentences of the key.*, rotation.* and compromise.* rules
 * (decision_reason() calls it). */
int key_reason(const struct decision *d, const char *t, char *buf, size_t cap);

#endif
