/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_RECORD_H
#define GS_NODE_RECORD_H

/*
 * Small helpers for the JSON records the node keeps (items, consents,
 * incidents) and the replies built from them: one definition, shared by
 * node/ and net/.
 */

#include <jansson.h>
#include <stdio.h>

#include "core/time.h"

/* The string member k of o, or "" when it is missing or not a string. */
static inline const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* src (NULL: "") into dst, cut to cap. */
static inline void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* An instant as RFC 3339 UTC, or null for GS_INSTANT_NONE. */
static inline json_t *jinstant(gs_instant t)
{
	char s[GS_INSTANT_STR];

	if (t == GS_INSTANT_NONE)
		return json_null();
	instant_format(t, s);
	return json_string(s);
}

#endif
