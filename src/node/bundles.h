/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_BUNDLES_H
#define GS_NODE_BUNDLES_H

/*
 * Bundle files as a person handles them (docs/bundle-format.md): what a
 * bundle says on its face, how much of one verifies, and a held item's
 * bundle written out again. The faces ask here instead of reading the
 * format themselves.
 */

#include <jansson.h>
#include <stdbool.h>

#include "node/node.h"

/* Whether name can travel as a bundle's file name (one line, no '/' or
 * '\', within the cap). */
bool node_bundle_name_ok(const char *name);

/* The manifest of the bundle in file, NOT verified (no key is needed):
 * format, bundle, item, originator, sender, recipient, agreement,
 * agreement_version, purpose, topic, form, title, banner_originator,
 * banner_recipient, created, exercise, consent, payload_sha256 (v1) or
 * payload_root and chunks (v2), payload_size, signed_by, verified:false. */
int node_bundle_describe(const char *file, json_t **out, struct gs_diag *d);

/* How much of the bundle (or partial bundle) in file verifies against its
 * sender's key registered here, without decrypting: *out gets file,
 * complete, verified_bytes, bytes, and for a whole one bundle, sender and
 * recipient. 0 whenever it could be read, whole or not; d says why a part
 * does not verify. */
int node_bundle_verify_file(struct node *n, const char *file, json_t **out, struct gs_diag *d);

/* Writes the bundle of held item `item` (as kept in the home) to output
 * ("-": standard output). */
int node_bundle_export(struct node *n, const char *item, const char *output, struct gs_diag *d);

#endif
