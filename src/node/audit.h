/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_AUDIT_H
#define GS_NODE_AUDIT_H

/*
 * An audit of the node's ledger (docs/ledger.md, "Audit"): the entries of
 * every log, or of one, that match a filter — by kind, person, item,
 * party and time — as rows that the command line (`gsomia ledger show
 * --person ...`) and the local API (`GET /v1/local/audit`) print, page
 * and export alike, in JSON or CSV.
 *
 * The filter's parser and its match are pure (no I/O; fuzzed by
 * fuzz/fuzz_audit.c, tested by tests/unit/test_audit.c); audit_collect
 * reads the logs.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/time.h"
#include "node/ledger.h"
#include "util/err.h"
#include "util/limits.h"

struct node;

struct audit_filter {
	unsigned kind;            /* enum ledger_type; 0: any */
	char person[GS_MAX_ID];   /* the actor's person id; "": any */
	char item[GS_MAX_ID];     /* the entry's item (or bundle, agreement...) id; "": any */
	char party[GS_MAX_CODE];  /* the actor's party or the counterparty whose log holds it; "": any */
	gs_instant since;         /* from this instant on (inclusive); GS_INSTANT_NONE: open */
	gs_instant before;        /* up to this instant (exclusive); GS_INSTANT_NONE: open */
	bool one_log;             /* only the log named by log */
	char log[GS_MAX_CODE];    /* with one_log: a peer's code, or "" for the internal log */
};

/* An empty filter: every entry of every log. */
void audit_filter_init(struct audit_filter *f);

/*
 * Sets one member of f from its text, as a query argument or an option
 * gives it:
 *     kind    a ledger entry kind: release, access-grant, note...
 *     person  a person id           item    an item, bundle or agreement id
 *     party   a party code (ABC)    log     "internal" or a party code
 *     since   an RFC 3339 instant, or a date: from its start (00:00 in zone)
 *     until   an RFC 3339 instant (inclusive), or a date: to its end
 * zone is the offset (seconds) a bare date is read in. 0, or GS_EINVAL
 * with one sentence naming the member and what it must be (f unchanged);
 * GS_ENOTFOUND for a name that is none of these.
 */
int audit_filter_set(struct audit_filter *f, const char *name, const char *value, int32_t zone,
		     struct gs_diag *d) __attribute__((warn_unused_result));

/* Whether entry e of the log for peer ("" internal) is one f selects. */
bool audit_match(const struct audit_filter *f, const char *peer, const struct ledger_entry *e);

/*
 * The row of one entry, as both the API and `ledger show --json` give it:
 *     {"log": "JPN", "origin": "gsomia-exercise/KOR/ledger/JPN", "index": 4,
 *      "at": "2019-10-31T15:00:00Z", "kind": "release", "person": "kim",
 *      "party": "KOR", "item": "KOR-...", "rule": "release.permit",
 *      "fields": {...}, "digest_alg": "sha256", "digest": "...", "leaf_hash": "..."}
 * (log "internal" for the internal log; rule "" when the entry has none).
 */
json_t *audit_row(const char *origin, const char *peer, uint64_t index, const struct ledger_entry *e,
		  const uint8_t leaf[32]);

/* The rows of every entry f selects, newest first (or oldest first), in
 * a new array *rows. Ties in time go by log, then index. */
int audit_collect(struct node *n, const struct audit_filter *f, bool newest_first, json_t **rows,
		  struct gs_diag *d) __attribute__((warn_unused_result));

/*
 * The rows as CSV (RFC 4180: CRLF line ends, a field with a comma, a
 * quote, a line break or a space at either end in quotes, a quote
 * doubled), with a header line:
 *     log,index,at,kind,person,party,item,rule,fields
 * fields is the entry's fields as one compact JSON object. Every value is
 * written as the ledger holds it (a spreadsheet should open the file as
 * text). *out is malloc'd, NUL-terminated, *len bytes.
 */
int audit_csv(const json_t *rows, char **out, size_t *len, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
