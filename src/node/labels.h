/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_LABELS_H
#define GS_NODE_LABELS_H

/*
 * Labels the allies' tools read (docs/labels.md): STANAG 4774 labels and
 * 4778 bindings made from a node's bundles and holdings, verified against
 * the registered parties' identities; labels taken as a release's
 * classification; SPIFs turned into a party's levels and into proposed
 * annex rows. None of these changes the node's database: exporting and
 * verifying read, and a proposal is text for a treaty officer.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/label.h"
#include "node/node.h"
#include "xml/binding.h"

/* What an export or a verification found. */
struct label_binding_info {
	struct binding b;
	char signer[GS_MAX_CODE];      /* the party whose identity certifies the key */
	char item[GS_MAX_ID];          /* the bundle's item, when known */
	char bundle[40];               /* the bundle id, when known */
	bool payload_checked;          /* the data reference is the bundle's payload digest */
};

/*
 * A signed binding of the labels of a bundle file or of a held item
 * (source: an existing file path is a bundle, anything else an item id)
 * to the bundle's payload digest, written to output ("-": stdout). A
 * bundle file is verified first (its sender's signature and its payload);
 * an item must not be destroyed or returned. review: when the labels are
 * to be reviewed (GS_INSTANT_NONE: ten years after the bundle was made).
 * Needs the node's keys (the label key is derived from them).
 */
int node_label_export(struct node *n, const char *source, const char *output, gs_instant review,
		      struct label_binding_info *info, struct gs_diag *d) __attribute__((warn_unused_result));

/* The same binding for a held item, in memory (the local API's
 * GET /v1/local/items/{id}/binding). */
int node_label_binding(struct node *n, const char *item, char **xml, size_t *len, struct label_binding_info *info,
		       struct gs_diag *d) __attribute__((warn_unused_result));

/* Verifies a binding file: its structure, digests and signature by a key
 * a registered party's identity certifies; with bundle_path, also that
 * the bundle verifies and that the binding's data reference is its
 * payload digest. Changes nothing. */
int node_label_verify(struct node *n, const char *path, const char *bundle_path, struct label_binding_info *info,
		      struct gs_diag *d) __attribute__((warn_unused_result));

/* The classification a STANAG 4774 label file gives a release to `to`
 * (gsomia release --label): core/label.h's rules, and every Releasable To
 * value a registered party. */
int node_label_for_release(struct node *n, const char *path, const char *to, char out[GS_MAX_LABEL],
			   struct gs_diag *d) __attribute__((warn_unused_result));

/* The "policy:" and "level:" lines a SPIF gives (gsomia party levels
 * --from-spif), checked as `gsomia init --levels` will read them. Needs
 * no node. *text is malloc'd. */
int spif_file_levels(const char *path, char **text, size_t *len, struct gs_diag *d)
	__attribute__((warn_unused_result));

struct spif_annex_request {
	const char *path_a, *path_b;
	int annex_number;
	struct gs_date effective;      /* {0}: the node's date today, in UTC */
	int nrow_names;
	const char *const *row_names;
};

/* The annex rows two SPIFs propose (gsomia agreement annex --from-spif):
 * each SPIF's policy must be that of a registered party and its
 * classifications levels of that party's scheme. *text is malloc'd. */
int node_spif_annex(struct node *n, const struct spif_annex_request *r, char **text, size_t *len,
		    struct gs_diag *d) __attribute__((warn_unused_result));

/* The PEM public key of party code's label key (its identity's
 * label-key), for stock tools: xmlsec1 --verify --pubkey-pem. */
int node_label_key_pem(struct node *n, const char *code, char *pem, size_t cap, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
