/* SPDX-License-Identifier: Apache-2.0 */
#include "xml/label_xml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "xml/xmlsafe.h"
#include "util/banned.h"

#define MAX_KIDS 64

/* xs:dateTime with seconds and a time zone: "2019-11-28T08:34:56Z",
 * "2019-11-28T17:34:56.5+09:00". */
static int parse_datetime(const xmlNode *n, const char *s, gs_instant *out, struct gs_diag *d)
{
	if (strlen(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || instant_parse(s, 0, out))
		return gs_diag_set(d, GS_EINVAL,
				   "%d: '%.64s' is not a date-time with seconds and a time zone (2019-11-28T08:34:56Z)",
				   xml_line(n), s);
	return 0;
}

static int read_category(const xmlNode *el, struct label_category *c, struct gs_diag *d)
{
	static const char *const attrs[] = { "Type", "TagName", "URI", NULL };
	const xmlNode *kids[GS_MAX_CATEGORY_VALUES + 1];
	const char *type = xml_attr(el, "Type"), *tag = xml_attr(el, "TagName"), *uri = xml_attr(el, "URI");
	int n, i, ret;

	memset(c, 0, sizeof(*c));
	if ((ret = xml_attrs_only(el, attrs, NULL, d)))
		return ret;
	if (!type || !tag)
		return gs_diag_set(d, GS_EINVAL, "%d: a Category needs Type and TagName", xml_line(el));
	if (!strcmp(type, "RESTRICTIVE"))
		c->type = LABEL_CAT_RESTRICTIVE;
	else if (!strcmp(type, "PERMISSIVE"))
		c->type = LABEL_CAT_PERMISSIVE;
	else if (!strcmp(type, "INFORMATIVE"))
		c->type = LABEL_CAT_INFORMATIVE;
	else
		return gs_diag_set(d, GS_EINVAL, "%d: Category Type '%.40s' is not RESTRICTIVE, PERMISSIVE or INFORMATIVE",
				   xml_line(el), type);
	if (strlen(tag) >= sizeof(c->tag_name) || (uri && strlen(uri) >= sizeof(c->uri)))
		return gs_diag_set(d, GS_ELIMIT, "%d: Category TagName or URI too long", xml_line(el));
	memcpy(c->tag_name, tag, strlen(tag) + 1);
	if (uri)
		memcpy(c->uri, uri, strlen(uri) + 1);
	if ((ret = xml_children(el, kids, GS_MAX_CATEGORY_VALUES, &n, true, d)))
		return ret;
	for (i = 0; i < n; i++) {
		if (xml_is(kids[i], XML_NS_4774, "IntegerValue") || xml_is(kids[i], XML_NS_4774, "BitStringValue"))
			return gs_diag_set(d, GS_EINVAL, "%d: <%s> is not allowed (STANAG 4774 uses GenericValue only)",
					   xml_line(kids[i]), (const char *)kids[i]->name);
		if (!xml_is(kids[i], XML_NS_4774, "GenericValue"))
			return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> in a Category", xml_line(kids[i]),
					   (const char *)kids[i]->name);
		if ((ret = xml_attrs_only(kids[i], NULL, NULL, d)) ||
		    (ret = xml_text(kids[i], c->values[i], sizeof(c->values[i]), true, d)))
			return ret;
	}
	c->nvalues = n;
	return 0;
}

static int read_information(const xmlNode *el, struct conf_label *out, struct gs_diag *d)
{
	const xmlNode *kids[MAX_KIDS];
	const char *uri;
	int n, i = 0, ret;

	if ((ret = xml_attrs_only(el, NULL, NULL, d)) || (ret = xml_children(el, kids, MAX_KIDS, &n, true, d)))
		return ret;
	if (i >= n || !xml_is(kids[i], XML_NS_4774, "PolicyIdentifier"))
		return gs_diag_set(d, GS_EINVAL, "%d: ConfidentialityInformation must begin with PolicyIdentifier",
				   xml_line(i < n ? kids[i] : el));
	{
		static const char *const attrs[] = { "URI", NULL };

		if ((ret = xml_attrs_only(kids[i], attrs, NULL, d)) ||
		    (ret = xml_token(kids[i], out->policy_name, sizeof(out->policy_name), true, d)))
			return ret;
		uri = xml_attr(kids[i], "URI");
		if (uri) {
			if (!policy_uri_is_valid(uri))
				return gs_diag_set(d, GS_EINVAL,
						   "%d: PolicyIdentifier URI '%.128s' is not urn:oid:<object identifier>",
						   xml_line(kids[i]), uri);
			memcpy(out->policy_uri, uri, strlen(uri) + 1);
		}
		if (!out->policy_name[0])
			return gs_diag_set(d, GS_EINVAL, "%d: empty PolicyIdentifier", xml_line(kids[i]));
		i++;
	}
	if (i >= n || !xml_is(kids[i], XML_NS_4774, "Classification"))
		return gs_diag_set(d, GS_EINVAL, "%d: a Classification must follow the PolicyIdentifier",
				   xml_line(i < n ? kids[i] : el));
	if (xml_attr(kids[i], "URI"))
		return gs_diag_set(d, GS_EINVAL, "%d: Classification URI is not allowed (STANAG 4774 Table 6)",
				   xml_line(kids[i]));
	if ((ret = xml_attrs_only(kids[i], NULL, NULL, d)) ||
	    (ret = xml_token(kids[i], out->classification, sizeof(out->classification), true, d)))
		return ret;
	if (!out->classification[0])
		return gs_diag_set(d, GS_EINVAL, "%d: empty Classification", xml_line(kids[i]));
	i++;
	if (i < n && xml_is(kids[i], XML_NS_4774, "PrivacyMark"))
		return gs_diag_set(d, GS_EINVAL, "%d: a PrivacyMark is not understood here; refused", xml_line(kids[i]));
	for (; i < n; i++) {
		if (!xml_is(kids[i], XML_NS_4774, "Category"))
			return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> in ConfidentialityInformation",
					   xml_line(kids[i]), (const char *)kids[i]->name);
		if (out->ncategories >= GS_MAX_LABEL_CATEGORIES)
			return gs_diag_set(d, GS_ELIMIT, "%d: too many categories (at most %d)", xml_line(kids[i]),
					   GS_MAX_LABEL_CATEGORIES);
		if ((ret = read_category(kids[i], &out->categories[out->ncategories], d)))
			return ret;
		out->ncategories++;
	}
	return 0;
}

static int read_label(const xmlNode *el, struct conf_label *out, struct gs_diag *d)
{
	static const char *const attrs[] = { "ReviewDateTime", "Id", NULL };
	const xmlNode *kids[MAX_KIDS];
	char when[GS_MAX_NAME];
	const char *review;
	int n, i = 0, ret;

	if (xml_is(el, XML_NS_4774, "originatorConfidentialityLabel"))
		out->alternative = false;
	else if (xml_is(el, XML_NS_4774, "alternativeConfidentialityLabel"))
		out->alternative = true;
	else
		return gs_diag_set(d, GS_EINVAL,
				   "%d: <%s> is not an originatorConfidentialityLabel or alternativeConfidentialityLabel of STANAG 4774 (namespace " XML_NS_4774 ")",
				   xml_line(el), (const char *)el->name);
	if ((ret = xml_attrs_only(el, attrs, NULL, d)))
		return ret;
	out->review = GS_INSTANT_NONE;
	if ((review = xml_attr(el, "ReviewDateTime"))) {
		snprintf(when, sizeof(when), "%s", review);
		xml_collapse(when);
		if ((ret = parse_datetime(el, when, &out->review, d)))
			return ret;
	}
	if ((ret = xml_children(el, kids, MAX_KIDS, &n, true, d)))
		return ret;
	if (i >= n || !xml_is(kids[i], XML_NS_4774, "ConfidentialityInformation"))
		return gs_diag_set(d, GS_EINVAL, "%d: the label must begin with ConfidentialityInformation",
				   xml_line(i < n ? kids[i] : el));
	if ((ret = read_information(kids[i++], out, d)))
		return ret;
	if (i < n && xml_is(kids[i], XML_NS_4774, "OriginatorID")) {
		static const char *const idattrs[] = { "IDType", NULL };

		if ((ret = xml_attrs_only(kids[i], idattrs, NULL, d)) || (ret = xml_text(kids[i], when, sizeof(when), true, d)))
			return ret;
		if (!xml_attr(kids[i], "IDType"))
			return gs_diag_set(d, GS_EINVAL, "%d: OriginatorID needs IDType", xml_line(kids[i]));
		i++;
	}
	if (i >= n || !xml_is(kids[i], XML_NS_4774, "CreationDateTime"))
		return gs_diag_set(d, GS_EINVAL, "%d: the label has no CreationDateTime (STANAG 4774 requires it)",
				   xml_line(i < n ? kids[i] : el));
	if ((ret = xml_attrs_only(kids[i], NULL, NULL, d)) || (ret = xml_token(kids[i], when, sizeof(when), true, d)) ||
	    (ret = parse_datetime(kids[i], when, &out->created, d)))
		return ret;
	i++;
	if (i < n && xml_is(kids[i], XML_NS_4774, "SuccessionHandling"))
		return gs_diag_set(d, GS_EINVAL, "%d: SuccessionHandling is not understood here; refused", xml_line(kids[i]));
	if (i < n)
		return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> after CreationDateTime", xml_line(kids[i]),
				   (const char *)kids[i]->name);
	return 0;
}

int label_xml_read(const xmlNode *el, struct conf_label *out, struct gs_diag *d)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = read_label(el, out, d);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int label_xml_parse(const char *buf, size_t len, struct conf_label *out, struct gs_diag *d)
{
	xmlDocPtr doc = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = xml_parse(buf, len, GS_MAX_LABEL_XML, &doc, d)))
		return ret;
	ret = label_xml_read(xmlDocGetRootElement(doc), out, d);
	xmlFreeDoc(doc);
	return ret;
}

/* ---- writing ---- */

struct w {
	char *out;
	size_t cap, *off;
	bool ok;
};

__attribute__((format(printf, 2, 3)))
static void wr(struct w *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!w->ok)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->out + *w->off, w->cap - *w->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - *w->off) {
		w->ok = false;
		return;
	}
	*w->off += (size_t)n;
}

static void esc(struct w *w, const char *s)
{
	if (w->ok && !xml_escape(s, w->out, w->cap, w->off))
		w->ok = false;
}

static const char *const cat_types[] = { "RESTRICTIVE", "PERMISSIVE", "INFORMATIVE" };

bool label_xml_write(const struct conf_label *l, int indent, char *out, size_t cap, size_t *off)
{
	struct w w = { out, cap, off, true };
	const char *root = l->alternative ? "alternativeConfidentialityLabel" : "originatorConfidentialityLabel";
	char t[GS_INSTANT_STR];
	int i, k;

	wr(&w, "%*s<slab:%s xmlns:slab=\"" XML_NS_4774 "\"", indent, "", root);
	if (l->review != GS_INSTANT_NONE) {
		instant_format(l->review, t);
		wr(&w, " ReviewDateTime=\"%s\"", t);
	}
	wr(&w, ">\n%*s<slab:ConfidentialityInformation>\n", indent + 2, "");
	wr(&w, "%*s<slab:PolicyIdentifier", indent + 4, "");
	if (l->policy_uri[0]) {
		wr(&w, " URI=\"");
		esc(&w, l->policy_uri);
		wr(&w, "\"");
	}
	wr(&w, ">");
	esc(&w, l->policy_name);
	wr(&w, "</slab:PolicyIdentifier>\n%*s<slab:Classification>", indent + 4, "");
	esc(&w, l->classification);
	wr(&w, "</slab:Classification>\n");
	for (i = 0; i < l->ncategories; i++) {
		const struct label_category *c = &l->categories[i];

		wr(&w, "%*s<slab:Category Type=\"%s\" TagName=\"", indent + 4, "", cat_types[c->type % 3]);
		esc(&w, c->tag_name);
		wr(&w, "\"");
		if (c->uri[0]) {
			wr(&w, " URI=\"");
			esc(&w, c->uri);
			wr(&w, "\"");
		}
		wr(&w, ">\n");
		for (k = 0; k < c->nvalues; k++) {
			wr(&w, "%*s<slab:GenericValue>", indent + 6, "");
			esc(&w, c->values[k]);
			wr(&w, "</slab:GenericValue>\n");
		}
		wr(&w, "%*s</slab:Category>\n", indent + 4, "");
	}
	instant_format(l->created, t);
	wr(&w, "%*s</slab:ConfidentialityInformation>\n%*s<slab:CreationDateTime>%s</slab:CreationDateTime>\n%*s</slab:%s>\n",
	   indent + 2, "", indent + 2, "", t, indent, "", root);
	return w.ok;
}

int label_xml_document(const struct conf_label *l, char **out, size_t *len, struct gs_diag *d)
{
	static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	size_t cap = GS_MAX_LABEL_XML, off = sizeof(decl) - 1;
	char *buf = malloc(cap);

	*out = NULL;
	*len = 0;
	if (!buf)
		return GS_ENOMEM;
	memcpy(buf, decl, off + 1);
	if (!label_xml_write(l, 0, buf, cap, &off)) {
		free(buf);
		return gs_diag_set(d, GS_ELIMIT, "the label does not fit in %zu bytes", cap);
	}
	*out = buf;
	*len = off;
	return 0;
}
