/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_AGREEMENTS_H
#define GS_NODE_AGREEMENTS_H

/*
 * Agreements as a node holds them: each version's definition, the
 * parties' signatures over its exact bytes, and the diplomatic notes.
 * An agreement counts as signed only when every party's valid signature
 * is held. The same view is built from a node's database or from a
 * directory (docs/agreement-format.md, "directory layout"), so that
 * `gsomia agreement status DIR` needs no home.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/agreement.h"
#include "core/lifecycle.h"
#include "core/party.h"
#include "node/node.h"

#define GS_MAX_VERSIONS 8

struct party_set {
	int n;
	struct party p[GS_MAX_PARTIES * 2];
};

const struct party *party_set_find(const struct party_set *s, const char *code);

/* A note of the evidence that does not apply (lifecycle_admit), and why. */
struct ignored_note {
	struct dipnote note;
	int err;                              /* lifecycle_check_note's code */
	char reason[GS_DIAG_MAX];
};

struct agreement_view {
	int nversions;                        /* by ascending version number */
	struct agreement *versions[GS_MAX_VERSIONS];
	bool signed_by[GS_MAX_VERSIONS][GS_MAX_PARTIES];
	struct dipnote *notes;                /* the notes that apply, in delivery order */
	size_t nnotes;
	struct ignored_note *ignored;         /* the verified notes that do not, in delivery order */
	size_t nignored;
	struct party_set parties;             /* identities of the parties */
};

void agreement_view_release(struct agreement_view *v);
/* Version 1: its term rules drive the lifecycle. */
const struct agreement *agreement_view_base(const struct agreement_view *v);
/* The definition of a version number, or NULL. */
const struct agreement *agreement_view_version(const struct agreement_view *v, int version);
bool agreement_view_signed(const struct agreement_view *v, int version_index);
/* Comma-separated codes of the parties whose signature is missing. */
void agreement_view_missing(const struct agreement_view *v, int version_index, char *out, size_t cap);

int agreement_view_load(struct node *n, const char *id, struct agreement_view *out, struct gs_diag *d);
int agreement_view_load_dir(const char *dir, struct agreement_view *out, struct gs_diag *d);

/*
 * The same view, kept: loading a view checks every signature and note
 * (milliseconds), so the questions that only read (decisions, listings,
 * the local API) borrow a view the node keeps until the database changes
 * (store_data_version(): through this node or any other handle). The
 * view belongs to the node: valid until the next call on the node; do
 * not release it.
 */
int agreement_view_cached(struct node *n, const char *id, const struct agreement_view **out,
			  struct gs_diag *d) __attribute__((warn_unused_result));
/* Drops the kept views (node_close() calls it). */
void agreement_cache_release(struct node *n);

/* Whether party `code` may hold the agreement: it is a party to a
 * version of it, or the agreement is open to accession (a state holds the
 * text it accedes to). */
bool agreement_view_concerns(const struct agreement_view *v, const char *code);

/* The state at `at` and the version in effect then. */
int agreement_view_status(const struct agreement_view *v, gs_instant at, struct lifecycle_status *st);
/* The state st of v at instant at as JSON: `gsomia agreement status --json`
 * and GET /v1/local/agreements/{id}/status (docs/lifecycle.md). */
json_t *agreement_status_json(const struct agreement_view *v, const struct lifecycle_status *st, gs_instant at);
/* st->members as JSON: party, original, state and the instants of its
 * transitions (docs/commands.md, agreement status). */
json_t *members_json(const struct lifecycle_status *st);

struct import_summary {
	char id[GS_MAX_ID];
	int definitions;   /* new definitions stored */
	int signatures;    /* new party signatures stored */
	int notes;         /* new notes stored */
	int already;       /* items already held */
};

/* Imports a file or a directory: definitions, signatures, notes. All or
 * nothing. */
int node_agreement_import(struct node *n, const char *path, struct import_summary *sum,
			  struct gs_diag *d);

/* Signs the definition of agreement `id` (version, 0 = latest) held in
 * the node, stores the signature, returns the signature file. */
int node_agreement_sign(struct node *n, const char *id, int version, char **out, size_t *outlen,
			struct gs_diag *d);

/* Makes, checks, records and returns a diplomatic note from this node.
 * The whole history is replayed with the note in its place: if the note,
 * or any note held, would not apply, nothing is stored and d names the
 * conflicting note. given: the note leaves the node at once (written to a
 * file, queued for a peer), so it can no longer be discarded. */
int node_note_make(struct node *n, struct dipnote *note, bool given, char **out, size_t *outlen,
		   struct gs_diag *d);

/* A note made here, as its signed bytes (*out malloc'd), now given out:
 * from then on it cannot be discarded. GS_ENOTFOUND if no such note of
 * this node is held. */
int node_note_export(struct node *n, const char *id, char **out, size_t *outlen, struct gs_diag *d);

/* Discards a note made here and never given out (node_note_make with
 * given false, and no node_note_export since). Refused (GS_EDENIED) once it
 * was given out, for a note another party made, or if the history without
 * it would leave another note not applying. id: the note's id or a prefix
 * of at least 8 hex digits. *kind and *agreement (may be NULL) get what
 * it was. */
int node_note_discard(struct node *n, const char *id, struct dipnote *discarded, struct gs_diag *d);

/* Calls fn for each agreement id held. */
int node_agreement_each(struct node *n, int (*fn)(void *ctx, const char *id, int version), void *ctx);

#endif
