/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_WARNINGS_H
#define GS_NODE_WARNINGS_H

/*
 * Missile warnings at a node (docs/warnings.md): the message's forms
 * (JSON, CoT), the standing rules that send them on, publishing at the
 * originator, relaying at a hub, and showing them to cleared persons as
 * they arrive.
 *
 * A warning travels as an item like any other: sealed and signed for
 * each recipient (the plaintext is its message, core/warning_message.h),
 * with the recipient's marking, a ledger entry and a receipt at every hop.
 * The node keeps one row per warning (store/warning_store.h) with what
 * the transport did (the hops, the releases, the relays), never the
 * warning's own content, which stays sealed in its bundle and is opened
 * in memory to be shown.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/warning.h"
#include "node/node.h"
#include "util/err.h"

/* The caps of the CoT form (xml/cot.h): what is read, what is written. */
#define NODE_COT_MAX_XML (1u << 20)   /* bytes of a stream of events, as read */
#define NODE_COT_MAX_OUT (256u << 10) /* bytes of the events of one warning */

/* A CoT event (or events) as a warning; base fills what a plain sensor
 * event does not carry (NULL: none). */
int node_warning_from_cot(const char *buf, size_t len, const struct warning *base, struct warning *out,
			  struct gs_diag *d);
/* A warning as CoT events, into out (cap bytes): *len written. */
int node_warning_to_cot(const struct warning *w, char *out, size_t cap, size_t *len)
	__attribute__((warn_unused_result));

/* The purpose a warning is released for when its rule names none. */
#define WARNING_DEFAULT_PURPOSE "missile-warning"
/* How far ahead of the node's clock an observed instant may be. */
#define WARNING_SKEW_MS 10000

/* ---- standing rules (docs/warnings.md "Standing rules") ---- */

struct warning_rule {
	const char *kind;      /* "publish" (at the originator) or "relay" (at a hub) */
	const char *from;      /* relay: the originator it relays for; publish: NULL (this node) */
	const char *to;        /* the party it sends to */
	const char *under;     /* the agreement or arrangement the warnings name */
	const char *agreement; /* the leg's agreement; NULL: the one between the two parties that `under` is or relies on */
	const char *topic;
	const char *purpose;   /* NULL: WARNING_DEFAULT_PURPOSE */
};

/* Adds a rule (logged: warning-rule, internal log). GS_EEXIST when the
 * same rule is there; GS_ENOTFOUND for an unknown party or agreement. */
int node_warning_rule_add(struct node *n, const struct warning_rule *r, int64_t *id, struct gs_diag *d)
	__attribute__((warn_unused_result));
int node_warning_rule_remove(struct node *n, int64_t id, struct gs_diag *d) __attribute__((warn_unused_result));
/* {"publish": [rule...], "relay": [rule...]} */
int node_warning_rules(struct node *n, json_t **out, struct gs_diag *d) __attribute__((warn_unused_result));

/* ---- publish, relay, receive ---- */

/*
 * Publishes the warning in buf (its JSON): read strictly, its instants
 * checked against the node's clock, its originator this node, its id not
 * published before; then released, each in its own transaction with its
 * ledger entry and its delivery, to every party a publish rule names for
 * its agreement and topic. *out: {"warning", "originator", "seq",
 * "published": [...], "refused": [...]}. GS_EINVAL (nothing stored) for a
 * bad or duplicate warning or when no rule names a party; GS_EDENIED
 * when every release was refused (*out says why; nothing stored).
 */
int node_warning_publish(struct node *n, const char *buf, size_t len, const char *actor, json_t **out,
			 struct gs_diag *d)
	__attribute__((warn_unused_result));

/* After an item was received (node_receive): if it is a warning, indexed
 * once (a replay is not shown again), told to the watchers, and relayed by
 * the standing relay rules. A refused relay is recorded with its rule;
 * nothing here undoes the receipt. A transient failure (memory, a file,
 * the database) keeps the item for node_warnings_retry(). */
void node_warning_received(struct node *n, const char *item);

/* Tries again the items a transient failure stopped (gsomia serve, every
 * round of its courier). *done: finished now; *left: still failing (the
 * last failure is returned). */
int node_warnings_retry(struct node *n, unsigned *done, unsigned *left) __attribute__((warn_unused_result));

/* Finishes what a crash cut short (gsomia serve, at start): every held
 * warning item not yet indexed, or whose relays were not all made, is
 * taken as if it had just arrived. *done: how many. */
int node_warnings_recover(struct node *n, unsigned *done, struct gs_diag *d) __attribute__((warn_unused_result));

/* A hub's word that it refused to relay one of this node's warnings (the
 * body of a `warning_refusal` delivery from peer): recorded once and
 * logged (relay-refusal, in the log for the hub). */
int node_warning_refusal_import(struct node *n, const char *peer, const uint8_t *body, size_t len, json_t **out,
				struct gs_diag *d) __attribute__((warn_unused_result));

/* ---- showing them ---- */

/*
 * The records after seq `after` (oldest first, at most limit; 0: all)
 * that person may see: a warning whose item the person may open (the
 * access decision of node/access.h, at the node's clock), with its
 * content; a relay refusal about such a warning. With log_access, each
 * warning shown is logged as an access-grant in the originator's log.
 * *next: the seq to ask after next time (the last row read, shown or not).
 */
int node_warnings_for(struct node *n, const char *person, int64_t after, unsigned limit, bool log_access,
		      json_t **records, int64_t *next, struct gs_diag *d) __attribute__((warn_unused_result));

/* Watchers in this process: fn(ctx, seq) after each row is recorded (from
 * the recording thread: it must not block). A token to unsubscribe, 0 if
 * full. */
unsigned node_warning_subscribe(void (*fn)(void *ctx, int64_t seq), void *ctx);
void node_warning_unsubscribe(unsigned token);

#endif
