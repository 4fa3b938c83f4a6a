/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_ITEMS_INTERNAL_H
#define GS_NODE_ITEMS_INTERNAL_H

/*
 * What node/items.c shares with the other modules that keep items
 * (node/custody.c): the sealing of item file keys at rest, the objects/
 * folder, the item record writer and the agreement in effect at an
 * instant. Internal to node/: faces never include it.
 */

#include <jansson.h>
#include <sodium.h>

#include "crypto/age.h"
#include "node/agreements.h"
#include "node/node.h"

#define SEALED_KEY_BYTES (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + AGE_FILE_KEY_BYTES + \
			  crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* The storage key that seals item file keys at rest, derived from an
 * X25519 secret ("gsomia storage key v1", docs/design.md). */
void item_storage_key(const uint8_t box_sk[32], uint8_t key[32]);
/* Seals every held file key again under the storage key of new_box_sk
 * (a key rotation), inside the caller's transaction; *count of them. */
int items_reseal_keys(struct node *n, const uint8_t new_box_sk[32], int *count, struct gs_diag *d);
/* Seals an item's age file key under the node's storage key, bound to the
 * item id (so a sealed key never opens under another id). */
void item_seal_key(const struct node *n, const char *item, const uint8_t fk[AGE_FILE_KEY_BYTES],
		   uint8_t out[SEALED_KEY_BYTES]);
/* The file key of a held item; GS_ESTATE when it was destroyed. */
int item_unseal_key(struct node *n, const char *item, uint8_t fk[AGE_FILE_KEY_BYTES], struct gs_diag *d);
/* <home>/objects/<bundle>.bundle<suffix>; GS_ELIMIT if it does not fit. */
int item_object_path(const struct node *n, const char *bundle, const char *suffix, char *out, size_t cap);
/* Opens the held bundle read-only (its path in path): a descriptor, or
 * an error with d set. A bundle whose receipt is committed but not yet
 * renamed into place is read from its pending file. */
int item_object_open(const struct node *n, const char *bundle, char *path, size_t cap, struct gs_diag *d);
/* Creates <home>/<name> (mode 0700) if missing. */
int item_ensure_dir(const struct node *n, const char *name, struct gs_diag *d);
/* Stores an item record (inside the caller's transaction). */
int item_put(struct node *n, json_t *rec, gs_instant now);
/* A marking's labels joined with ",", cut to cap. */
void item_join_labels(const struct marking *m, char *out, size_t cap);
/* The agreement definition in effect at instant at, and its state. */
int item_agreement_at(struct node *n, const char *id, gs_instant at, struct agreement_view *v,
		      struct lifecycle_status *st, const struct agreement **a, struct gs_diag *d);
/* The same from the node's kept views (agreement_view_cached): *a is
 * valid until the next call that may refill them. */
int item_agreement_kept_at(struct node *n, const char *id, gs_instant at, struct lifecycle_status *st,
			   const struct agreement **a, struct gs_diag *d);
/* A marking's labels as a JSON array. */
json_t *item_labels_json(char (*labels)[GS_MAX_LABEL], int n);
/* The forms of an item (docs/items.md), in the order of enum item_form. */
#define ITEM_FORMS 7
extern const char *const item_form_names[ITEM_FORMS];
/* The start of a receipt file (docs/receipts.md). */
#define RECEIPT_MAGIC "gsomia-receipt/v1\n"

#endif
