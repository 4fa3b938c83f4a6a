/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CONSENT_STORE_H
#define GS_CONSENT_STORE_H

/*
 * Rows for the originators' consents and for incidents (migration 4 of
 * store/sqlite.c). The node layer (node/consent.c, node/incident.c) owns
 * the JSON record of each row; the store keeps rows and bytes only.
 * Same conventions as store.h: 0 or a negative gs_err, malloc'd outputs
 * owned by the caller, writes inside the caller's transaction.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* consents: one row per signed consent note (or request, or refusal),
 * keyed by the hex SHA-256 of the note. GS_EEXIST if id is held. */
int store_consent_put(struct store *st, const char *id, const char *originator, const char *decision,
		      const char *json, const uint8_t *note, size_t len, int64_t now);
/* GS_ENOTFOUND if not held; note may be NULL when not wanted. */
int store_consent_get(struct store *st, const char *id, char **json, uint8_t **note, size_t *len);
/* Replaces the JSON record of consent id (a flag added to it). */
int store_consent_record_set(struct store *st, const char *id, const char *json);
/* Calls fn for each consent in import order. */
int store_consent_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json),
		       void *ctx);

/* incidents: one row per incident, updated as its steps come in. */
int store_incident_put(struct store *st, const char *id, const char *item, const char *json,
		       int64_t now);
int store_incident_get(struct store *st, const char *id, char **json); /* GS_ENOTFOUND */
int store_incident_each(struct store *st, int (*fn)(void *ctx, const char *id, const char *json),
			void *ctx);

#endif
