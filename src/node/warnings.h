/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_WARNINGS_H
#define GS_NODE_WARNINGS_H

/*
 * Missile warnings as the node reads and writes them (docs/warnings.md):
 * the faces ask here for the Cursor-on-Target form (xml/cot.h), so that
 * no face reaches below the node.
 */

#include "core/warning.h"
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

#endif
