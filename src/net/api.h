/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_API_H
#define GS_NET_API_H

/*
 * Pure parsing of the API's request bodies (docs/api.md): no I/O, no
 * server state, so that fuzz/fuzz_api_body.c can drive it directly.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/limits.h"

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

/* Validity of a delivery's kind and id, as above. */
int api_kind_is_valid(const char *s);
int api_id_is_valid(const char *s);

#endif
