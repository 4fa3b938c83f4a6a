/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_VISIT_STORE_H
#define GS_VISIT_STORE_H

/*
 * Rows of the visits (migration 8 of store/sqlite.c): one per visit
 * request, keyed by the hex SHA-256 of the signed request note, with the
 * host's signed answer once it is held. node/visits.c owns the JSON
 * record. Same conventions as store.h.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Inserts or replaces the visit id. answer may be NULL (none yet). */
int store_visit_put(struct store *st, const char *id, const char *visitor, const char *host,
		    const char *state, const char *json, const uint8_t *request, size_t request_len,
		    const uint8_t *answer, size_t answer_len, int64_t now);
/* GS_ENOTFOUND if not held. Any output may be NULL when not wanted;
 * *answer is NULL when no answer is held. */
int store_visit_get(struct store *st, const char *id, char **json, uint8_t **request,
		    size_t *request_len, uint8_t **answer, size_t *answer_len);
/* Calls fn for each visit in the order they were recorded. */
int store_visit_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json), void *ctx);

#endif
