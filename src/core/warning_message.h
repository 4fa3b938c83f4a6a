/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_WARNING_MESSAGE_H
#define GS_CORE_WARNING_MESSAGE_H

/*
 * A warning as it travels (docs/warnings.md "The message"): the plaintext
 * sealed into the item's bundle at every hop. Lines of text:
 *
 *   gsomia-warning/v1
 *   <the warning's canonical JSON, one line>
 *   hop KOR sent 2023-12-17T23:24:43.120Z
 *   hop USA received 2023-12-17T23:24:43.121Z sent 2023-12-17T23:24:43.123Z
 *
 * The first hop is the originator's (sent only); each relay adds its own
 * line (received, sent). The warning's bytes are exactly its canonical
 * form, so that every hop seals the originator's warning unchanged; the
 * hops are what the transport took, in milliseconds of each machine's
 * clock. Strict: one spelling, nothing else, at most WARNING_MAX_HOPS.
 */

#include <stddef.h>
#include <stdint.h>

#include "core/warning.h"

#define WARNING_MAX_HOPS 8
#define WARNING_MESSAGE_MAGIC "gsomia-warning/v1"
/* The longest message: the magic, the warning, the hops. */
#define WARNING_MESSAGE_MAX (WARNING_MAX_CANONICAL + 32 + WARNING_MAX_HOPS * 96)

struct warning_hop {
	char party[GS_MAX_CODE];
	int64_t received; /* -1 for the originator's hop */
	int64_t sent;
};

struct warning_message {
	struct warning w;
	int nhops;
	struct warning_hop hops[WARNING_MAX_HOPS];
};

/* Reads a message; warning_validate() holds for m->w, the first hop is the
 * originator's, each later hop received it after the one before sent it
 * (clocks may differ: not checked) and no party relays twice. GS_EINVAL
 * with one line naming the line. *m is zeroed on failure. */
int warning_message_parse(const char *buf, size_t len, struct warning_message *m, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Writes m into out[cap] (WARNING_MESSAGE_MAX is enough); GS_ELIMIT if not. */
int warning_message_write(const struct warning_message *m, char *out, size_t cap, size_t *len)
	__attribute__((warn_unused_result));

#endif
