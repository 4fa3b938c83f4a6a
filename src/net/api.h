/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_API_H
#define GS_NET_API_H

/*
 * Pure parsing of the API's request bodies (docs/api.md): no I/O, no
 * server state, so that fuzz/fuzz_api_body.c can drive it directly.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/ident.h"
#include "util/limits.h"

/* buf (len bytes, NULL when 0) as one JSON object without duplicate keys,
 * at most cap bytes: *out to json_decref(), or GS_ELIMIT / GS_EINVAL with
 * a sentence in d ("<where>LINE:COL: what", "the body is not a JSON
 * object"). */
int api_json_object(const char *buf, size_t len, size_t cap, const char *where, json_t **out,
		    struct gs_diag *d) __attribute__((warn_unused_result));

/* A body of named members copied into a struct (the local API's bodies):
 * each member a string into a char[cap] at off, or an integer from lo to
 * hi into an int at off. */
enum { API_STR = 0, API_INT = 1 };
struct api_member {
	const char *key;
	size_t off, cap; /* API_STR: a char[cap]; API_INT: an int */
	int type;
	int lo, hi;      /* API_INT: the range */
};
#define API_STR_MEMBER(type, m) { #m, offsetof(struct type, m), sizeof(((struct type *)0)->m), API_STR, 0, 0 }

/* Parses buf (api_json_object, up to GS_NET_MAX_LOCAL_BODY bytes) into out
 * (size bytes, zeroed first): members of ms only, each of its type and
 * within its cap, a string without NUL. On error out is zeroed again. */
int api_members_parse(const char *buf, size_t len, const struct api_member *ms, size_t nm, void *out,
		      size_t size, const char *where, struct gs_diag *d) __attribute__((warn_unused_result));

/* The body of POST /v1/peer/deliver:
 *     {"kind": "receipt", "id": "KOR-2019-0001", "body_b64": "..."}
 * Exactly these three string members; duplicate keys are refused. kind is
 * [a-z0-9_], 1..31 bytes; id is [A-Za-z0-9._-], 1..63 bytes, not starting
 * with '.' (both become a file name: <kind>-<id>). body_b64 is standard
 * base64 with padding and may decode to nothing. */
struct deliver_req {
	char kind[GS_NET_MAX_KIND];
	char id[GS_MAX_ID];
	uint8_t *body; /* malloc'd (never NULL on success), len bytes */
	size_t len;
};

/* Parses buf (len bytes, no NUL needed). On success fills *out (release
 * it with deliver_req_release()); on error returns GS_EINVAL or
 * GS_ELIMIT with a sentence in d, and *out holds nothing to release. */
int api_deliver_parse(const char *buf, size_t len, struct deliver_req *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
void deliver_req_release(struct deliver_req *r);

/* The body of POST /v1/peer/checkpoint (node/witness.h):
 *     {"checkpoint": "<signed note>", "old_size": N, "proof": ["<b64>", ...]}
 * Exactly these three members; duplicate keys are refused. checkpoint is a
 * string of 1..GS_MAX_NOTE_BYTES bytes (parsed later, as a note); old_size
 * an integer >= 0; proof an array of at most GS_MAX_PROOF_HASHES strings,
 * each canonical standard base64 of 32 bytes. */
struct checkpoint_req {
	char *note; /* malloc'd, NUL-terminated, len bytes */
	size_t len;
	uint64_t old_size;
	size_t nproof;
	uint8_t proof[GS_MAX_PROOF_HASHES][32];
};

/* As api_deliver_parse. Release with checkpoint_req_release(). */
int api_checkpoint_parse(const char *buf, size_t len, struct checkpoint_req *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
void checkpoint_req_release(struct checkpoint_req *r);
/* The same body, as compact JSON text (malloc'd), or NULL. */
char *api_checkpoint_json(const char *note, size_t len, uint64_t old_size,
			  const uint8_t proof[][32], size_t nproof);

/* The HTTP status of a bundle refused by the node, the same on every route
 * that takes one (peer deliver and deliver-file, the local receive;
 * docs/api.md, "A damaged bundle"): 422 when its bytes are at fault (not a
 * bundle, cut short, bytes after its end, a field over its cap, altered,
 * forged, or naming a party, key or agreement unknown here: GS_EINVAL,
 * GS_ELIMIT, GS_ECRYPTO, GS_ENOTFOUND), 403 when a rule refuses it, 409 when
 * it conflicts with what is held, 500 when the node failed. */
unsigned api_bundle_status(int err);


#endif
