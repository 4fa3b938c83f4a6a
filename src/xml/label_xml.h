/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_XML_LABEL_XML_H
#define GS_XML_LABEL_XML_H

/*
 * STANAG 4774 confidentiality labels in XML (docs/labels.md, "Labels"),
 * namespace urn:nato:stanag:4774:confidentialitymetadatalabel:1:0.
 *
 * gsomia writes, and reads, this subset of the standard's schema:
 *
 *   originatorConfidentialityLabel | alternativeConfidentialityLabel
 *     @ReviewDateTime (xs:dateTime, with a time zone) - written always
 *     @Id (xs:ID) - read and ignored
 *     ConfidentialityInformation
 *       PolicyIdentifier (xs:token) @URI (urn:oid:)
 *       Classification (xs:token; @URI refused: the standard forbids it)
 *       Category* @Type (RESTRICTIVE | PERMISSIVE | INFORMATIVE) @TagName @URI?
 *         GenericValue*
 *     OriginatorID? @IDType (read and ignored)
 *     CreationDateTime (xs:dateTime)
 *
 * Refused, never guessed: another root (metadataConfidentialityLabel,
 * the legacy ConfidentialityLabel), PrivacyMark, IntegerValue and
 * BitStringValue (the standard forbids them), SuccessionHandling, any
 * element of another namespace, a missing CreationDateTime, a date-time
 * without a time zone.
 */

#include <stddef.h>

#include <libxml/tree.h>

#include "core/label.h"
#include "util/err.h"

/* Parses a label document (at most GS_MAX_LABEL_XML bytes) with
 * xml_parse(). */
int label_xml_parse(const char *buf, size_t len, struct conf_label *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Reads one label element. */
int label_xml_read(const xmlNode *el, struct conf_label *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Appends the label element (its namespace declared on it, prefix
 * "slab"), indented by `indent` spaces with two more per level, to
 * out[cap] at *off. false once it no longer fits. */
bool label_xml_write(const struct conf_label *l, int indent, char *out, size_t cap, size_t *off);

/* A label as a document of its own (XML declaration, then the element),
 * malloc'd. */
int label_xml_document(const struct conf_label *l, char **out, size_t *len, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
