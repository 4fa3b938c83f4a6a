/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_WARNING_STORE_H
#define GS_WARNING_STORE_H

/*
 * Rows of the missile warnings (migration 9 of store/sqlite.c): the
 * standing rules that send warnings on (publish at the originator, relay
 * at a hub) and the warnings held here, one row per warning with its
 * record (node/warnings.c owns the JSON; never the warning's own
 * content, which stays sealed in its bundle), and the relay refusals a
 * hub reported. seq orders them as they were recorded: the stream's
 * event ids. Same conventions as store.h.
 */

#include <stdint.h>

#include "store/store.h"

struct warning_rule_row {
	int64_t id;
	const char *kind;      /* "publish" or "relay" */
	const char *origin;    /* publish: this node; relay: the originator it relays for */
	const char *to;
	const char *under;     /* the agreement or arrangement the warning names (relay: the arrangement) */
	const char *agreement; /* the leg's agreement; "" = the one found at the instant */
	const char *topic;
	const char *purpose;   /* "" = the default */
	int64_t added_at;
	const char *added_by;
};

/* GS_EEXIST if the same rule is there; *id the new rule's. */
int store_warning_rule_add(struct store *st, const struct warning_rule_row *r, int64_t *id);
/* GS_ENOTFOUND if there is no rule id; *out filled with a copy (JSON of the row). */
int store_warning_rule_remove(struct store *st, int64_t id, char **row_json);
/* Each rule, in the order they were added; kind NULL for both kinds. */
int store_warning_rule_each(struct store *st, const char *kind, int (*fn)(void *ctx, const struct warning_rule_row *r),
			    void *ctx);

/* A warning (kind "warning"; GS_EEXIST when the originator's id is held)
 * or a relay refusal; *seq its place. */
int store_warning_add(struct store *st, const char *kind, const char *originator, const char *id,
		      const char *item, const char *record, int64_t at_ms, int64_t *seq);
int store_warning_set_record(struct store *st, int64_t seq, const char *record);
/* The warning (kind "warning") of the originator's id: GS_ENOTFOUND if none. */
int store_warning_find(struct store *st, const char *originator, const char *id, int64_t *seq, char **item,
		       char **record);
/* The warning whose item is item: GS_ENOTFOUND if none. */
int store_warning_of_item(struct store *st, const char *item, int64_t *seq, char **record);
/* Rows after seq, oldest first, at most limit (0: all). */
int store_warning_each_after(struct store *st, int64_t after, unsigned limit,
			     int (*fn)(void *ctx, int64_t seq, const char *kind, const char *item, const char *record),
			     void *ctx);
/* The last seq (0 when none). */
int store_warning_last(struct store *st, int64_t *seq);

#endif
