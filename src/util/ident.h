/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_UTIL_IDENT_H
#define GS_UTIL_IDENT_H

/*
 * The names a delivery, an item or a person goes by on the wire and in
 * the home's file names (docs/api.md "Deliveries"): a kind is 1 to
 * GS_NET_MAX_KIND - 1 of [a-z0-9_]; an id is 1 to GS_MAX_ID - 1 of
 * [A-Za-z0-9._-], not starting with '.', so that it is always one plain
 * file name.
 */

int ident_kind_is_valid(const char *s);
int ident_id_is_valid(const char *s);

#endif
