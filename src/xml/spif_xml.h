/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_XML_SPIF_XML_H
#define GS_XML_SPIF_XML_H

/*
 * XML SPIFs (Security Policy Information Files, namespace
 * http://www.xmlspif.org/spif, schema versions 2.0 and 2.1; docs/labels.md
 * "SPIFs"): what gsomia reads of them is the policy's name and object
 * identifier, its classifications (name, lacv, hierarchy, and the
 * markingData phrases that give a romanisation and an English gloss) and
 * their equivalentClassification elements, resolved through the
 * equivalentPolicies list.
 *
 * Everything else the schema allows (category tag sets, privacy marks,
 * marking qualifiers, update information, extensions) is skipped.
 * Refused: another namespace or schema version; duplicate names, lacv or
 * hierarchy values (a hierarchy must be a strict order); an equivalence
 * whose policyRef names no equivalentPolicy (dangling); conditional
 * equivalences (requiredCategory under an equivalence). Obsolete
 * classifications (obsolete="true") are left out.
 */

#include <stddef.h>

#include "core/label.h"
#include "util/err.h"

/* Parses a SPIF (at most GS_MAX_SPIF_XML bytes) into *out (heap: it is
 * large). Errors "LINE: what" (the caller prefixes the file name). */
int spif_xml_parse(const char *buf, size_t len, struct spif *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
