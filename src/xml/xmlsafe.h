/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_XML_XMLSAFE_H
#define GS_XML_XMLSAFE_H

/*
 * XML as the allies' labelling tools write it, read safely (docs/labels.md,
 * "Reading XML"). Every XML file gsomia reads goes through xml_parse():
 *
 *  - libxml2 with the network off (XML_PARSE_NONET), no entity
 *    substitution, no DTD loading or validation, no XInclude;
 *  - any DOCTYPE is refused the moment the parser meets it, before any
 *    declaration in it is read: no entity can be declared, so none can be
 *    expanded (no "billion laughs", no external entities);
 *  - UTF-8 only (a UTF-8 byte order mark is allowed), a size cap per
 *    format, libxml2's default depth and text limits (no XML_PARSE_HUGE);
 *  - errors are one line, "LINE:COL: what", nothing printed by libxml2.
 *
 * The walkers below read a document strictly: element children in the
 * order a format lists, nothing else but whitespace between them.
 */

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "util/err.h"

#define XML_NS_4774 "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
#define XML_NS_4778 "urn:nato:stanag:4778:bindinginformation:1:0"
#define XML_NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define XML_NS_XMIME "http://www.w3.org/2005/05/xmlmime"
#define XML_NS_SPIF "http://www.xmlspif.org/spif"
#define XML_NS_WSU "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define XML_NS_XML "http://www.w3.org/XML/1998/namespace"

/* Parses buf (at most cap bytes) as above. The caller frees *out with
 * xmlFreeDoc. GS_EINVAL "LINE:COL: what", GS_ELIMIT beyond cap. */
int xml_parse(const char *buf, size_t len, size_t cap, xmlDocPtr *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* True if n is an element named local in namespace ns. */
bool xml_is(const xmlNode *n, const char *ns, const char *local);

/* The element children of parent, in order, into kids[max]: any other
 * child but whitespace text (and comments, if comments_ok) is refused,
 * as are more than max elements. */
int xml_children(const xmlNode *parent, const xmlNode **kids, int max, int *n, bool comments_ok,
		 struct gs_diag *d) __attribute__((warn_unused_result));

/* The text of a leaf element (text and CDATA only), whitespace kept, into
 * out[cap]. GS_EINVAL for a child element, GS_ELIMIT if too long. */
int xml_text(const xmlNode *n, char *out, size_t cap, bool comments_ok, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* The same, as an XML Schema token: runs of spaces, tabs and line ends
 * become one space, none at either end (xs:token, xs:dateTime...). */
int xml_token(const xmlNode *n, char *out, size_t cap, bool comments_ok, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The value of attribute name (in no namespace) of n, or NULL. The
 * pointer is valid while the document lives. */
const char *xml_attr(const xmlNode *n, const char *name);
/* Refuses any attribute of n but those listed (in no namespace) and those
 * in namespace other_ns (if not NULL). */
int xml_attrs_only(const xmlNode *n, const char *const *names, const char *other_ns, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Collapses s in place as xs:token does. */
void xml_collapse(char *s);

/* "LINE: " prefix for messages about n. */
int xml_line(const xmlNode *n);

/* Escapes s for XML text or an attribute value (&, <, >, ", '), appending
 * to out[cap] at *off; false once it no longer fits. */
bool xml_escape(const char *s, char *out, size_t cap, size_t *off);

#endif
