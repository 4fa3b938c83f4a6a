/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_LEDGER_H
#define GS_LEDGER_H

/*
 * The node's ledger (docs/ledger.md): RFC 6962 SHA-256 Merkle
 * logs of ledger entries, one per counterparty relationship and one for
 * the node's internal events, with C2SP checkpoints signed by the node.
 *
 * Log names (origins) start with the node's key name:
 *
 *     gsomia/KOR/ledger/JPN          KOR's log of its relationship with JPN
 *     gsomia/KOR/ledger/internal     KOR's own events
 *     gsomia-exercise/KOR/ledger/... the same on an exercise node
 *
 * A checkpoint is signed with the node's Ed25519 key under the key name
 * = origin (c2sp.org/tlog-checkpoint), so anyone holding the party's
 * identity file can check it (ledger_verify_*), with no access to the node.
 *
 * An entry (ledger_entry_encode) is a canonical, versioned, length-prefixed
 * binary record with a 16-byte random nonce; the leaf hash is
 * SHA-256(0x00 || entry). Entries are not signed one by one: the signed
 * checkpoint commits to every entry before it, at one signature per
 * checkpoint instead of one per entry (docs/ledger.md says more).
 *
 * Transactions: ledger_append never begins or commits; it must be called
 * inside the caller's transaction (store_begin), so that the action and
 * its ledger entry are stored or refused together, and appends in one
 * transaction are integrated in one pass through a cached compact range
 * (group commit). ledger_checkpoint and ledger_peer_checkpoint_add join
 * the caller's transaction if one is open, else run in their own.
 *
 * Errors: 0 or a negative gs_err with a sentence in d.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/party.h"
#include "core/time.h"
#include "crypto/checkpoint.h"
#include "crypto/merkle.h"
#include "util/err.h"
#include "util/limits.h"

struct node;

#define LEDGER_VERSION 1
#define LEDGER_NONCE_BYTES 16
#define LEDGER_DIGEST_BYTES 32
#define LEDGER_PROOF_HEADER "c2sp.org/tlog-proof@v1"

enum ledger_type {
	LEDGER_RELEASE = 1,
	LEDGER_RECEIPT = 2,
	LEDGER_ACCESS_GRANT = 3,
	LEDGER_ACCESS_REFUSAL = 4,
	LEDGER_COPY = 5,
	LEDGER_TRANSLATION = 6,
	LEDGER_RECLASSIFICATION = 7,
	LEDGER_DESTRUCTION = 8,
	LEDGER_RETURN = 9,
	LEDGER_CONSENT_REQUEST = 10,
	LEDGER_CONSENT_GRANT = 11,
	LEDGER_CONSENT_REFUSAL = 12,
	LEDGER_INCIDENT = 13,
	LEDGER_NOTE = 14,          /* a diplomatic note made or recorded */
	LEDGER_PEER_CHECKPOINT = 15,
	LEDGER_KEY_EVENT = 16,     /* node made, keys rotated... */
	LEDGER_PARTY_IMPORT = 17,
	LEDGER_AGREEMENT_IMPORT = 18,
	LEDGER_AGREEMENT_SIGN = 19,
	LEDGER_PERSON = 20,
	LEDGER_FACILITY = 21,
	LEDGER_REGISTER_ADD = 22,
	LEDGER_REGISTER_REMOVE = 23,
	LEDGER_VISIT = 24,
	LEDGER_RESTORATION = 25,   /* a node restored its log from a backup (node/restore.h) */
	LEDGER_WARNING_RULE = 26,  /* a standing rule for missile warnings added or removed (node/warnings.h) */
	LEDGER_RELAY_REFUSAL = 27, /* a hub refused to relay a warning (node/warnings.h) */
	LEDGER_TYPE_MAX = 27,
};

enum ledger_digest {
	LEDGER_DIGEST_NONE = 0,    /* digest bytes all zero */
	LEDGER_DIGEST_SHA256 = 1,
	LEDGER_DIGEST_BLAKE2B256 = 2,
};

/* "release", "access-grant", ...; NULL for an unknown type. */
const char *ledger_type_name(unsigned type);
/* The type of a name, or 0. */
unsigned ledger_type_parse(const char *name);

/* One key/value of an entry's body. Keys are [a-z0-9-], 1 to
 * GS_MAX_LEDGER_KEY - 1 bytes; values UTF-8 without NUL. A length of 0
 * means strlen() when encoding; decoding sets both lengths and points
 * into the decoded buffer (not NUL-terminated). */
struct ledger_field {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

struct ledger_entry {
	unsigned type;                      /* enum ledger_type */
	gs_instant time;                    /* GS_INSTANT_NONE: ledger_append uses the node's clock */
	uint8_t nonce[LEDGER_NONCE_BYTES];  /* set by ledger_append */
	char item[GS_MAX_ID];               /* item, bundle, agreement... id; may be "" */
	unsigned digest_alg;                /* enum ledger_digest */
	uint8_t digest[LEDGER_DIGEST_BYTES];/* of the payload the entry refers to */
	char party[GS_MAX_CODE];            /* the actor's party; may be "" */
	char person[GS_MAX_ID];             /* the actor's person id; may be "" */
	size_t nfields;
	struct ledger_field fields[GS_MAX_LEDGER_FIELDS];
};

/* Encodes e (fields in any order; they are written sorted by key) into
 * out. GS_EINVAL a bad field (d says which), GS_ELIMIT over cap or
 * GS_MAX_LEDGER_ENTRY. */
int ledger_entry_encode(const struct ledger_entry *e, uint8_t *out, size_t cap, size_t *len,
			struct gs_diag *d) __attribute__((warn_unused_result));
/* Decodes strictly: only the canonical encoding of an entry is accepted
 * (decode(encode(e)) == e, and encode(decode(b)) == b). Field pointers
 * point into buf. GS_EINVAL with the offending offset in d. */
int ledger_entry_decode(const uint8_t *buf, size_t len, struct ledger_entry *out,
			struct gs_diag *d) __attribute__((warn_unused_result));
/* Starts entry e: every entry this node writes is built this way, then
 * given its digest and fields, then appended (ledger_append): type, at
 * instant at, about item (NULL: none), acted by this node's party, on
 * behalf of person (NULL: the node's current actor, docs/ledger.md). */
void ledger_entry_start(struct ledger_entry *e, const struct node *n, unsigned type, gs_instant at,
			const char *item, const char *person);
/* The SHA-256 digest e is about (a bundle's payload, a translation...). */
void ledger_entry_digest(struct ledger_entry *e, const uint8_t sha256[32]);
/* Sets a field of e (appends; NULL-safe for value = ""). GS_ELIMIT when
 * full. The strings must outlive e. */
int ledger_entry_field(struct ledger_entry *e, const char *key, const char *value);
/* Fills e->nonce with fresh random bytes. */
void ledger_nonce(uint8_t out[LEDGER_NONCE_BYTES]);

/* The origin of party code's log for peer (NULL or "" = the internal log). */
void ledger_origin(const char *code, bool exercise, const char *peer, char out[GS_MAX_NAME]);
/* Splits an origin of the party p: 0 and *peer = the peer code or ""
 * (internal); GS_EINVAL if the origin is not one of p's logs. */
int ledger_origin_peer(const struct party *p, const char *origin, char peer[GS_MAX_CODE]);

/* Appends e to the log for peer (NULL = internal) inside the caller's
 * transaction (GS_ESTATE without one). Sets the nonce, and the time if it
 * is GS_INSTANT_NONE. *index_out (may be NULL) gets the entry's index. */
int ledger_append(struct node *n, const char *peer, const struct ledger_entry *e,
		  uint64_t *index_out, struct gs_diag *d) __attribute__((warn_unused_result));

/* Appends bytes that need not be an entry (known-answer tests, tools):
 * what ledger_append does after encoding. 'ledger verify' rejects a log
 * holding anything but entries. */
int ledger_append_raw(struct node *n, const char *peer, const uint8_t *entry, size_t len,
		      const char *kind, gs_instant time, uint64_t *index_out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* A shorthand for ledger_append: an entry of type at instant at (NONE =
 * now) about item (may be NULL), acted by this node's party, with the
 * fields given as key, value pairs ending with NULL. */
int ledger_event(struct node *n, const char *peer, unsigned type, gs_instant at,
		 const char *item, struct gs_diag *d, ...)
	__attribute__((sentinel, warn_unused_result));

/* Size and root of the log (size 0 and the empty root for a log that has
 * no entry yet). */
int ledger_head(struct node *n, const char *peer, uint64_t *size, uint8_t root[32],
		struct gs_diag *d);

/*
 * Signs a checkpoint of the log at its current size and stores it; *note
 * is malloc'd (NUL-terminated, *len bytes). Refuses (GS_ECRYPTO) to sign
 * anything that is not consistent with the latest checkpoint stored; if
 * the log has not grown since, returns that checkpoint without signing.
 * GS_ESTATE if a signature is needed and the node's keys are locked,
 * GS_ENOTFOUND for a log with no entry yet.
 */
int ledger_checkpoint(struct node *n, const char *peer, char **note, size_t *len,
		      struct gs_diag *d) __attribute__((warn_unused_result));

/* The latest checkpoint of the log that the node signed and stored, as
 * it was signed (*note malloc'd, NUL-terminated, *len bytes), and the size
 * it covers. Reads only. GS_ENOTFOUND when none is held yet. */
int ledger_checkpoint_held(struct node *n, const char *peer, uint64_t *size, char **note, size_t *len,
			   struct gs_diag *d) __attribute__((warn_unused_result));
/* Proofs from the stored tree (room for GS_MAX_PROOF_HASHES hashes). */
int ledger_prove_inclusion(struct node *n, const char *peer, uint64_t index, uint64_t size,
			   uint8_t proof[][32], size_t *nproof, struct gs_diag *d);
int ledger_prove_consistency(struct node *n, const char *peer, uint64_t first, uint64_t second,
			     uint8_t proof[][32], size_t *nproof, struct gs_diag *d);
/* The root of the first size entries. */
/* The roots at sizes first and second of the log for peer, and the
 * consistency proof between them, checked as any verifier would:
 * GS_ECRYPTO if the stored tree does not prove them consistent. */
int ledger_consistency_checked(struct node *n, const char *peer, uint64_t first, uint64_t second,
			       uint8_t r1[32], uint8_t r2[32], uint8_t (*proof)[32], size_t *nproof,
			       struct gs_diag *d);
int ledger_root(struct node *n, const char *peer, uint64_t size, uint8_t root[32],
		struct gs_diag *d);

/*
 * A proof file (docs/ledger.md), after c2sp.org/tlog-proof@v1:
 *
 *     c2sp.org/tlog-proof@v1
 *     extra <base64 of the entry>
 *     index <decimal>
 *     <base64 hash>            (0 to 63 lines, the inclusion proof)
 *     <blank line>
 *     <signed checkpoint note>
 *
 * ledger_proof_make writes one for entry index, against the latest
 * checkpoint that covers it, or a new one (see ledger_checkpoint).
 */
int ledger_proof_make(struct node *n, const char *peer, uint64_t index, char **out, size_t *len,
		      struct gs_diag *d) __attribute__((warn_unused_result));

struct ledger_proof {
	uint64_t index;
	size_t nhashes;
	uint8_t hashes[GS_MAX_PROOF_HASHES][32];
	uint8_t entry[GS_MAX_LEDGER_ENTRY];
	size_t entry_len;
	const char *note; /* points into the parsed buffer */
	size_t note_len;
};

/* Parses a proof file strictly (nothing is verified). GS_EINVAL with
 * "line N: what" in d, GS_ELIMIT over a cap. */
int ledger_proof_parse(const char *buf, size_t len, struct ledger_proof *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * Verification against a party's identity (no node needed).
 *
 * ledger_verify_checkpoint: the note is a checkpoint of one of p's logs
 * (origin checked), signed by p's key. *peer gets the log's peer ("" for
 * internal).
 */
int ledger_verify_checkpoint(const struct party *p, const char *note, size_t len,
			     struct checkpoint *out, char peer[GS_MAX_CODE], struct gs_diag *d)
	__attribute__((warn_unused_result));

struct ledger_verified {
	struct checkpoint cp;
	char peer[GS_MAX_CODE];
	uint64_t index;
	uint8_t leaf[32];
	struct ledger_entry entry; /* points into proof->entry */
};

/* Checks a parsed proof: the checkpoint as above, the inclusion of the
 * entry at its index in that tree, and the entry's encoding. */
int ledger_verify_proof(const struct party *p, const struct ledger_proof *proof,
			struct ledger_verified *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Checks that two checkpoints of one of p's logs are consistent through
 * proof (old size <= new size). */
int ledger_verify_consistency(const struct party *p, const char *old_note, size_t old_len,
			      const char *new_note, size_t new_len, const uint8_t proof[][32],
			      size_t nproof, struct gs_diag *d) __attribute__((warn_unused_result));

/*
 * Records a checkpoint received from peer (its log of the relationship
 * with this node): verifies it with the peer's registered identity and,
 * when an earlier one is held, its consistency with the latest through
 * proof; stores it and appends a peer-checkpoint entry to this node's log
 * for that peer (cross-logging). GS_ECRYPTO bad signature or proof,
 * GS_EDENIED an older or foreign checkpoint.
 */
int ledger_peer_checkpoint_add(struct node *n, const char *peer, const char *note, size_t len,
			       const uint8_t proof[][32], size_t nproof, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Calls fn for the entries [from, to) of the log, decoded; stops at fn's
 * non-zero value. */
int ledger_each(struct node *n, const char *peer, uint64_t from, uint64_t to,
		int (*fn)(void *ctx, uint64_t index, const struct ledger_entry *e,
			  const uint8_t leaf[32]),
		void *ctx, struct gs_diag *d);

struct ledger_log_report {
	char origin[GS_MAX_NAME];
	char peer[GS_MAX_CODE];
	uint64_t size;
	uint8_t root[32];
	uint64_t checkpoints;
};

/*
 * Verifies the stored logs (peer NULL: every log, "" the internal log):
 * every entry decodes and hashes to its stored leaf; the tree recomputed
 * from the entries equals every stored subtree hash; every checkpoint
 * carries a valid signature by this node and the root of the entries
 * before it (so consecutive checkpoints are consistent). fn (may be NULL)
 * gets a report per verified log. The first failure returns GS_ECRYPTO
 * with the log and the entry named in d.
 */
int ledger_verify_local(struct node *n, const char *peer,
			int (*fn)(void *ctx, const struct ledger_log_report *r), void *ctx,
			struct gs_diag *d);

/* Calls fn for each log the node holds. */
int ledger_logs(struct node *n, int (*fn)(void *ctx, const struct ledger_log_report *r),
		void *ctx, struct gs_diag *d);

/* Frees the node's ledger cache (node_close calls it). */
void ledger_node_release(struct node *n);

/*
 * The in-memory append path (benches, tests, tools): the same encoding
 * and tree as ledger_append, without the database.
 */
struct ledger_mem {
	struct merkle_mem tree;
};
void ledger_mem_init(struct ledger_mem *m);
void ledger_mem_free(struct ledger_mem *m);
int ledger_mem_append(struct ledger_mem *m, const struct ledger_entry *e, uint64_t *index_out,
		      struct gs_diag *d) __attribute__((warn_unused_result));

#endif
