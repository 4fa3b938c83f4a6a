/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_ITEMS_H
#define GS_NODE_ITEMS_H

/*
 * Items and their custody at a node: release (decide, seal, store, log),
 * receive (verify, mark, store ciphertext only, log, receipt), open
 * (decide access, log the grant or the refusal, decrypt), receipts back at
 * the originator, and the inventory.
 *
 * A held item is a JSON record (docs/items.md) plus, in the database, its
 * age file key sealed under the node's storage key (derived from its
 * X25519 secret), and in the home, the bundle file under objects/. The
 * plaintext is never stored. Each action is one transaction: the item,
 * its custody event and its ledger entry are written together or not at
 * all; the bundle file is put in place (fsync, rename) before the commit
 * and removed again if the commit fails.
 */

#include <jansson.h>

#include "core/decide.h"
#include "crypto/bundle.h"
#include "node/node.h"

struct release_request {
	const char *file;       /* the document */
	const char *to;         /* recipient party */
	const char *agreement;
	const char *label;      /* classification in this node's scheme */
	const char *purpose;
	const char *topic;
	const char *title;      /* may be NULL */
	const char *name;       /* the file's own name ("report.pdf"), carried in the bundle; may be NULL */
	const char *form;       /* NULL = document */
	const char *output;     /* bundle path ("-" = stdout) */
	bool deliver;           /* queue the bundle for the recipient's node in the same transaction */
	const char *actor;      /* the person it is released for (ledger entry); NULL: the node's actor */
	/* the document from memory instead of a file (file is then NULL):
	 * sealed from an anonymous memory file, never through the disk */
	const uint8_t *data;
	size_t data_len;
	/* more writes in the release's own transaction (may be NULL): a
	 * failure undoes the release with them */
	int (*also)(struct node *n, void *ctx, const char *item, const char *bundle, struct gs_diag *d);
	void *also_ctx;
};

struct release_result {
	char item[GS_MAX_ID];
	char bundle[BUNDLE_ID_HEX];
	char banner_recipient[GS_BUNDLE_MAX_BANNER];
	uint64_t ledger_index;
};

/* GS_EDENIED with *dec filled when a rule refuses: nothing is stored.
 * With r->deliver, the recipient must be reachable (node/outbox.h) and
 * the outbox entry is written in the release's own transaction: a
 * recorded release is always sent. */
int node_release(struct node *n, const struct release_request *r, struct release_result *res,
		 struct decision *dec, struct gs_diag *d);

struct receive_result {
	char item[GS_MAX_ID];
	char bundle[BUNDLE_ID_HEX];
	struct marking marking;
	bool already_held;
	uint64_t ledger_index;
	char receipt_path[GS_PATH_MAX];
};

/* Receives a bundle file; writes the signed receipt to receipt_out (NULL:
 * into the home's receipts/ folder, named in res->receipt_path). */
int node_receive(struct node *n, const char *bundle_path, const char *receipt_out,
		 struct receive_result *res, struct gs_diag *d);
/* The same, marking the holding with `marking` (NULL: the default), one
 * of the equivalent labels the annex row offers this party (Art 4:
 * 特定秘密 or 極秘); any other label is refused and nothing is stored. */
int node_receive_marked(struct node *n, const char *bundle_path, const char *receipt_out, const char *marking,
			struct receive_result *res, struct gs_diag *d);

/* Imports a receipt at the originator: the recipient's signature, the
 * release it acknowledges, and the recipient's ledger inclusion proof. */
int node_receipt_import(struct node *n, const char *path, char bundle_out[BUNDLE_ID_HEX],
			struct gs_diag *d);
/* The same for a receipt held in memory (a delivery's reply); name says
 * where it came from in messages. */
int node_receipt_import_bytes(struct node *n, const char *name, const uint8_t *buf, size_t len,
			      char bundle_out[BUNDLE_ID_HEX], struct gs_diag *d);

/* Decides access for person and, if permitted, decrypts the item into
 * output ("-" = stdout). The grant or the refusal is a ledger entry either
 * way. GS_EDENIED with *dec filled when refused. */
int node_open_item(struct node *n, const char *item, const char *person, const char *output,
		   struct decision *dec, struct gs_diag *d);
/* The same, with person at facility (NULL or "": the person's own), for
 * purpose (NULL or "": the purpose it was released for; another needs the
 * originator's consent for that use, Art 5); the decision still asks that
 * the person be on that facility's register. */
int node_open_item_at(struct node *n, const char *item, const char *person, const char *facility,
		      const char *purpose, const char *output, struct decision *dec, struct gs_diag *d);

/* Decrypts a held item's stored bundle into out_fd (every check of
 * bundle_open), without an access decision: for re-sealing only. */
int node_item_decrypt(struct node *n, json_t *rec, int out_fd, struct gs_diag *d);

/* The item record (JSON, caller frees) and as a holding for decisions. */
int node_item_get(struct node *n, const char *id, json_t **rec, struct gs_diag *d);
int item_to_holding(json_t *rec, struct holding *h);

/* One item's record as the inventory shows it: with its custody chain,
 * (at the originator) its releases, and the originator's consents about
 * it (node_item_consents). GS_ENOTFOUND if not held. */
int node_item_full(struct node *n, const char *id, json_t **out, struct gs_diag *d);

/* Every held item's row as the store keeps it for lists (id, marking,
 * title...: no custody chain), in one pass: the console's pages. */
struct item_row {
	const char *id, *originator, *originator_name, *label, *marking, *status, *when, *title, *name, *topic,
		*purpose, *agreement;
};
int node_item_rows(struct node *n, int (*fn)(void *ctx, const struct item_row *r), void *ctx, struct gs_diag *d);

/* Inventory: every item record, with its custody chain and releases. */
int node_items(struct node *n, json_t **out, struct gs_diag *d);

/* Completes or undoes a release or receipt that a crash interrupted
 * (node_open calls it). Returns the number of files put right. */
int items_recover(struct node *n);

/* Writes this node's X25519 identity in age's format (AGE-SECRET-KEY-1...). */
int node_export_age_identity(struct node *n, char **out, size_t *len, struct gs_diag *d);

#endif
