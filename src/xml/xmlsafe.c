/* SPDX-License-Identifier: Apache-2.0 */
#include "xml/xmlsafe.h"

#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "util/limits.h"
#include "util/banned.h"

struct parse_state {
	bool doctype;
	int line, col;
};

/* A DOCTYPE stops the parser where it stands: nothing it declares is
 * read. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr c = ctx;
	struct parse_state *st = c->_private;

	(void)name;
	(void)ext;
	(void)sys;
	if (!st->doctype) {
		st->doctype = true;
		st->line = xmlSAX2GetLineNumber(c);
		st->col = xmlSAX2GetColumnNumber(c);
	}
	xmlStopParser(c);
}

/* libxml2 reports through the context; print nothing. */
static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int xml_parse(const char *buf, size_t len, size_t cap, xmlDocPtr *out, struct gs_diag *d)
{
	struct parse_state st = { false, 0, 0 };
	xmlParserCtxtPtr c;
	xmlDocPtr doc;
	int ret = 0;

	*out = NULL;
	if (len > cap)
		return gs_diag_set(d, GS_ELIMIT, "larger than %zu bytes", cap);
	if (len > (size_t)INT32_MAX)
		return gs_diag_set(d, GS_ELIMIT, "too large");
	/* UTF-8 only: refuse UTF-16 and UTF-32 by their first bytes */
	if (len >= 2 && ((buf[0] == '\xfe' && buf[1] == '\xff') || (buf[0] == '\xff' && buf[1] == '\xfe') ||
			 buf[0] == '\0' || buf[1] == '\0'))
		return gs_diag_set(d, GS_EINVAL, "1:1: not UTF-8 (only UTF-8 is read)");
	/* once per process (a no-op after the first call); then this thread's
	 * libxml2 (parser, canonicaliser) prints nothing: every failure is
	 * reported by the caller, in one line */
	xmlInitParser();
	xmlSetStructuredErrorFunc(NULL, quiet);
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	if (!(c = xmlNewParserCtxt()))
		return GS_ENOMEM;
	c->_private = &st;
	c->sax->internalSubset = refuse_doctype;
	c->sax->externalSubset = refuse_doctype;
	c->sax->entityDecl = NULL;
	c->sax->unparsedEntityDecl = NULL;
	c->sax->serror = quiet;
	c->sax->warning = NULL;
	c->sax->error = NULL;
	c->vctxt.error = NULL;
	c->vctxt.warning = NULL;
	doc = xmlCtxtReadMemory(c, buf, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (st.doctype) {
		ret = gs_diag_set(d, GS_EINVAL, "%d:%d: a DOCTYPE is not allowed (no DTD, no entities)", st.line,
				  st.col);
	} else if (!doc || !c->wellFormed) {
		xmlErrorPtr e = xmlCtxtGetLastError(c);
		char msg[256];
		size_t n;

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "not well-formed XML");
		n = strlen(msg);
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		ret = gs_diag_set(d, GS_EINVAL, "%d:%d: not well-formed XML: %s", e ? e->line : 0, e ? e->int2 : 0,
				  msg);
	} else if (doc->encoding && strcasecmp((const char *)doc->encoding, "UTF-8")) {
		ret = gs_diag_set(d, GS_EINVAL, "1:1: encoding '%.40s' (only UTF-8 is read)", (const char *)doc->encoding);
	} else if (doc->intSubset || doc->extSubset) {
		ret = gs_diag_set(d, GS_EINVAL, "1:1: a DOCTYPE is not allowed (no DTD, no entities)");
	}
	if (ret) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	c->_private = NULL;
	xmlFreeParserCtxt(c);
	*out = doc;
	return ret;
}

int xml_line(const xmlNode *n)
{
	return n ? (int)xmlGetLineNo(n) : 0;
}

bool xml_is(const xmlNode *n, const char *ns, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, ns) && !strcmp((const char *)n->name, local);
}

static bool blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static const char *node_kind(const xmlNode *k)
{
	switch (k->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE: return "text";
	case XML_COMMENT_NODE: return "a comment";
	case XML_PI_NODE: return "a processing instruction";
	case XML_ENTITY_REF_NODE: return "an entity reference";
	default: return "content";
	}
}

int xml_children(const xmlNode *parent, const xmlNode **kids, int max, int *n, bool comments_ok,
		 struct gs_diag *d)
{
	const xmlNode *k;

	*n = 0;
	for (k = parent->children; k; k = k->next) {
		if (k->type == XML_ELEMENT_NODE) {
			if (*n >= max)
				return gs_diag_set(d, GS_EINVAL, "%d: too many elements in <%s> (at most %d)",
						   xml_line(k), (const char *)parent->name, max);
			kids[(*n)++] = k;
			continue;
		}
		if (k->type == XML_TEXT_NODE && blank(k->content))
			continue;
		if (k->type == XML_COMMENT_NODE && comments_ok)
			continue;
		return gs_diag_set(d, GS_EINVAL, "%d: %s is not allowed in <%s>", xml_line(k->type == XML_ELEMENT_NODE ? k : parent),
				   node_kind(k), (const char *)parent->name);
	}
	return 0;
}

int xml_text(const xmlNode *n, char *out, size_t cap, bool comments_ok, struct gs_diag *d)
{
	const xmlNode *k;
	size_t off = 0;

	out[0] = '\0';
	for (k = n->children; k; k = k->next) {
		size_t l;

		if (k->type == XML_COMMENT_NODE && comments_ok)
			continue;
		if (k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE)
			return gs_diag_set(d, GS_EINVAL, "%d: <%s> holds %s; only text is allowed", xml_line(n),
					   (const char *)n->name, k->type == XML_ELEMENT_NODE ? "an element" : node_kind(k));
		l = k->content ? strlen((const char *)k->content) : 0;
		if (off + l >= cap)
			return gs_diag_set(d, GS_ELIMIT, "%d: the text of <%s> is too long (at most %zu bytes)",
					   xml_line(n), (const char *)n->name, cap - 1);
		memcpy(out + off, k->content, l);
		off += l;
		out[off] = '\0';
	}
	return 0;
}

void xml_collapse(char *s)
{
	char *w = s, *r = s;
	bool space = false;

	for (; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
}

int xml_token(const xmlNode *n, char *out, size_t cap, bool comments_ok, struct gs_diag *d)
{
	int ret = xml_text(n, out, cap, comments_ok, d);

	if (!ret)
		xml_collapse(out);
	return ret;
}

const char *xml_attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (!a->ns && !strcmp((const char *)a->name, name))
			return a->children && a->children->type == XML_TEXT_NODE && !a->children->next
				       ? (const char *)a->children->content
				       : a->children ? NULL : "";
	return NULL;
}

int xml_attrs_only(const xmlNode *n, const char *const *names, const char *other_ns, struct gs_diag *d)
{
	const xmlAttr *a;
	const char *const *k;

	for (a = n->properties; a; a = a->next) {
		if (a->ns) {
			if (other_ns && a->ns->href && !strcmp((const char *)a->ns->href, other_ns))
				continue;
			return gs_diag_set(d, GS_EINVAL, "%d: attribute '%s:%s' is not allowed on <%s>", xml_line(n),
					   a->ns->prefix ? (const char *)a->ns->prefix : "", (const char *)a->name,
					   (const char *)n->name);
		}
		for (k = names; k && *k; k++)
			if (!strcmp(*k, (const char *)a->name))
				break;
		if (!k || !*k)
			return gs_diag_set(d, GS_EINVAL, "%d: attribute '%s' is not allowed on <%s>", xml_line(n),
					   (const char *)a->name, (const char *)n->name);
		if (!xml_attr(n, (const char *)a->name))
			return gs_diag_set(d, GS_EINVAL, "%d: attribute '%s' of <%s> is not plain text", xml_line(n),
					   (const char *)a->name, (const char *)n->name);
	}
	return 0;
}

bool xml_escape(const char *s, char *out, size_t cap, size_t *off)
{
	for (; *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
				  : *s == '"' ? "&quot;" : *s == '\'' ? "&apos;" : NULL;
		size_t l = rep ? strlen(rep) : 1;

		if (*off + l >= cap)
			return false;
		if (rep)
			memcpy(out + *off, rep, l);
		else
			out[*off] = *s;
		*off += l;
	}
	out[*off] = '\0';
	return true;
}
