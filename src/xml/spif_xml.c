/* SPDX-License-Identifier: Apache-2.0 */
#include "xml/spif_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "xml/xmlsafe.h"
#include "util/banned.h"

#define MAX_KIDS 256

struct eq_policy {
	char name[GS_MAX_LABEL];
	char id[GS_MAX_POLICY_URI];
	int line;
};

struct reader {
	struct spif *s;
	int npolicies;
	struct eq_policy policies[GS_MAX_SPIF_POLICIES];
};

/* A decimal integer, optionally negative, that fits a long. */
static bool parse_long(const char *v, bool allow_negative, long *out)
{
	char buf[32], *end = NULL;
	long x;

	if (!v)
		return false;
	snprintf(buf, sizeof(buf), "%s", v);
	xml_collapse(buf);
	if (!buf[0] || strlen(v) >= sizeof(buf) || (buf[0] == '-' && !allow_negative) || buf[0] == '+')
		return false;
	errno = 0;
	x = strtol(buf, &end, 10);
	if (errno || !end || *end || end == buf)
		return false;
	*out = x;
	return true;
}

static bool oid_ok(const char *id)
{
	char uri[GS_MAX_POLICY_URI];
	int n = snprintf(uri, sizeof(uri), "urn:oid:%s", id);

	return n > 0 && (size_t)n < sizeof(uri) && policy_uri_is_valid(uri);
}

static int copy_attr(const xmlNode *n, const char *name, char *out, size_t cap, bool token, struct gs_diag *d)
{
	const char *v = xml_attr(n, name);

	if (!v)
		return gs_diag_set(d, GS_EINVAL, "%d: <%s> needs the attribute %s", xml_line(n), (const char *)n->name,
				   name);
	if (strlen(v) >= cap)
		return gs_diag_set(d, GS_ELIMIT, "%d: %s of <%s> too long (at most %zu bytes)", xml_line(n), name,
				   (const char *)n->name, cap - 1);
	memcpy(out, v, strlen(v) + 1);
	if (token)
		xml_collapse(out);
	if (!out[0])
		return gs_diag_set(d, GS_EINVAL, "%d: empty %s on <%s>", xml_line(n), name, (const char *)n->name);
	return 0;
}

/* The xml:lang of n ("" if none). */
static const char *lang_of(const xmlNode *n)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (a->ns && a->ns->href && !strcmp((const char *)a->ns->href, XML_NS_XML) &&
		    !strcmp((const char *)a->name, "lang") && a->children && a->children->content)
			return (const char *)a->children->content;
	return "";
}

/* markingData in English gives the gloss; in a Latin-script form of
 * another language ("ko-Latn", "ja-Latn") the romanisation. */
static void read_marking(const xmlNode *m, struct spif_class *c)
{
	const char *lang = lang_of(m), *phrase = xml_attr(m, "phrase");
	char *dst = NULL;

	if (!phrase || !*phrase)
		return;
	if ((!strncmp(lang, "en", 2) && (lang[2] == '\0' || lang[2] == '-')))
		dst = c->gloss;
	else if (strstr(lang, "-Latn") && strncmp(lang, "en", 2))
		dst = c->roman;
	if (dst && !dst[0] && strlen(phrase) < GS_MAX_LABEL) {
		memcpy(dst, phrase, strlen(phrase) + 1);
		xml_collapse(dst);
	}
}

static int read_equiv(const xmlNode *e, struct spif_class *c, struct gs_diag *d)
{
	static const char *const attrs[] = { "policyRef", "lacv", "applied", NULL };
	const xmlNode *kids[MAX_KIDS];
	struct spif_equiv *q;
	const char *applied;
	long lacv;
	int n, ret;

	if (c->nequiv >= GS_MAX_SPIF_EQUIVS)
		return gs_diag_set(d, GS_ELIMIT, "%d: too many equivalent classifications for '%s' (at most %d)",
				   xml_line(e), c->name, GS_MAX_SPIF_EQUIVS);
	q = &c->equiv[c->nequiv];
	memset(q, 0, sizeof(*q));
	q->line = xml_line(e);
	if ((ret = xml_attrs_only(e, attrs, NULL, d)) ||
	    (ret = copy_attr(e, "policyRef", q->policy_ref, sizeof(q->policy_ref), true, d)))
		return ret;
	if (!parse_long(xml_attr(e, "lacv"), false, &lacv))
		return gs_diag_set(d, GS_EINVAL, "%d: equivalentClassification needs a lacv (a number)", xml_line(e));
	q->lacv = (unsigned long)lacv;
	applied = xml_attr(e, "applied");
	if (applied && !strcmp(applied, "encrypt"))
		q->applied = SPIF_APPLIED_ENCRYPT;
	else if (applied && !strcmp(applied, "decrypt"))
		q->applied = SPIF_APPLIED_DECRYPT;
	else if (applied && !strcmp(applied, "both"))
		q->applied = SPIF_APPLIED_BOTH;
	else
		return gs_diag_set(d, GS_EINVAL, "%d: equivalentClassification applied must be encrypt, decrypt or both",
				   xml_line(e));
	if ((ret = xml_children(e, kids, MAX_KIDS, &n, true, d)))
		return ret;
	if (n)
		return gs_diag_set(d, GS_EINVAL,
				   "%d: a conditional equivalence (<%s> under equivalentClassification) cannot be an annex row; refused",
				   xml_line(kids[0]), (const char *)kids[0]->name);
	c->nequiv++;
	return 0;
}

static int read_class(struct reader *r, const xmlNode *el, struct gs_diag *d)
{
	static const char *const attrs[] = { "name", "lacv", "hierarchy", "color", "obsolete", NULL };
	const xmlNode *kids[MAX_KIDS];
	const char *obsolete = xml_attr(el, "obsolete");
	struct spif_class *c;
	long lacv, h;
	int n, i, ret;

	if ((ret = xml_attrs_only(el, attrs, NULL, d)))
		return ret;
	if (obsolete && !strcmp(obsolete, "true"))
		return 0; /* not for new labels, nor new rows */
	if (r->s->nclasses >= GS_MAX_SPIF_CLASSES)
		return gs_diag_set(d, GS_ELIMIT, "%d: too many classifications (at most %d)", xml_line(el),
				   GS_MAX_SPIF_CLASSES);
	c = &r->s->classes[r->s->nclasses];
	memset(c, 0, sizeof(*c));
	c->line = xml_line(el);
	if ((ret = copy_attr(el, "name", c->name, sizeof(c->name), true, d)))
		return ret;
	if (!parse_long(xml_attr(el, "lacv"), false, &lacv) || !parse_long(xml_attr(el, "hierarchy"), true, &h))
		return gs_diag_set(d, GS_EINVAL, "%d: securityClassification '%s' needs a numeric lacv and hierarchy",
				   xml_line(el), c->name);
	c->lacv = (unsigned long)lacv;
	c->hierarchy = h;
	for (i = 0; i < r->s->nclasses; i++) {
		const struct spif_class *o = &r->s->classes[i];

		if (!strcmp(o->name, c->name))
			return gs_diag_set(d, GS_EINVAL, "%d: duplicate classification '%s' (first on line %d)",
					   c->line, c->name, o->line);
		if (o->lacv == c->lacv)
			return gs_diag_set(d, GS_EINVAL, "%d: '%s' has the lacv %lu of '%s' (line %d)", c->line,
					   c->name, c->lacv, o->name, o->line);
		if (o->hierarchy == c->hierarchy)
			return gs_diag_set(d, GS_EINVAL,
					   "%d: '%s' and '%s' (line %d) have the same hierarchy %ld: the order must be strict, or dominance goes round in a cycle",
					   c->line, c->name, o->name, o->line, c->hierarchy);
	}
	if ((ret = xml_children(el, kids, MAX_KIDS, &n, true, d)))
		return ret;
	for (i = 0; i < n; i++) {
		if (xml_is(kids[i], XML_NS_SPIF, "equivalentClassification")) {
			if ((ret = read_equiv(kids[i], c, d)))
				return ret;
		} else if (xml_is(kids[i], XML_NS_SPIF, "markingData")) {
			read_marking(kids[i], c);
		} else if (!xml_is(kids[i], XML_NS_SPIF, "markingQualifier") &&
			   !xml_is(kids[i], XML_NS_SPIF, "requiredCategory")) {
			return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> in securityClassification", xml_line(kids[i]),
					   (const char *)kids[i]->name);
		}
	}
	r->s->nclasses++;
	return 0;
}

static int read_policies(struct reader *r, const xmlNode *el, struct gs_diag *d)
{
	static const char *const attrs[] = { "name", "id", "docRefURI", NULL };
	const xmlNode *kids[MAX_KIDS];
	int n, i, k, m, ret;

	if ((ret = xml_children(el, kids, MAX_KIDS, &n, true, d)))
		return ret;
	for (i = 0; i < n; i++) {
		struct eq_policy *p = &r->policies[r->npolicies];
		const xmlNode *sub[MAX_KIDS];

		if (!xml_is(kids[i], XML_NS_SPIF, "equivalentPolicy"))
			return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> in equivalentPolicies", xml_line(kids[i]),
					   (const char *)kids[i]->name);
		if (r->npolicies >= GS_MAX_SPIF_POLICIES)
			return gs_diag_set(d, GS_ELIMIT, "%d: too many equivalent policies (at most %d)",
					   xml_line(kids[i]), GS_MAX_SPIF_POLICIES);
		p->line = xml_line(kids[i]);
		if ((ret = xml_attrs_only(kids[i], attrs, NULL, d)) ||
		    (ret = copy_attr(kids[i], "name", p->name, sizeof(p->name), true, d)) ||
		    (ret = copy_attr(kids[i], "id", p->id, sizeof(p->id), true, d)))
			return ret;
		if (!oid_ok(p->id))
			return gs_diag_set(d, GS_EINVAL, "%d: equivalentPolicy id '%s' is not an object identifier",
					   p->line, p->id);
		if ((ret = xml_children(kids[i], sub, MAX_KIDS, &m, true, d)))
			return ret;
		if (m)
			return gs_diag_set(d, GS_EINVAL,
					   "%d: a conditional equivalent policy (<%s>) cannot give annex rows; refused",
					   xml_line(sub[0]), (const char *)sub[0]->name);
		for (k = 0; k < r->npolicies; k++)
			if (!strcmp(r->policies[k].name, p->name))
				return gs_diag_set(d, GS_EINVAL, "%d: duplicate equivalentPolicy '%s'", p->line, p->name);
		r->npolicies++;
	}
	return 0;
}

/* The SPIF's top-level elements, in the schema's order. */
static const char *const top_order[] = {
	"defaultSecurityPolicyId", "securityPolicyId", "updateInfo", "securityClassifications",
	"securityCategoryTagSets", "privacyMarks", "equivalentPolicies", "markingData", "markingQualifier",
	"extensions", NULL,
};

static int read_spif(struct reader *r, const xmlNode *root, struct gs_diag *d)
{
	static const char *const attrs[] = { "schemaVersion", "version", "creationDate", "originatorDN", "keyIdentifier",
					     "privilegeId", "rbacId", "userRefURI", "docRefURI", "notBefore",
					     "notAfter", NULL };
	const xmlNode *kids[MAX_KIDS];
	const char *ver;
	int seen[16] = { 0 };
	int n, i, k, rank = 0, seen_policy = 0, seen_classes = 0, ret;

	if (!xml_is(root, XML_NS_SPIF, "SPIF"))
		return gs_diag_set(d, GS_EINVAL, "%d: not an XML SPIF (root <SPIF> in namespace " XML_NS_SPIF ")",
				   xml_line(root));
	if ((ret = xml_attrs_only(root, attrs, XML_NS_XML, d)))
		return ret;
	ver = xml_attr(root, "schemaVersion");
	if (!ver || (strcmp(ver, "2.0") && strcmp(ver, "2.1")))
		return gs_diag_set(d, GS_EINVAL, "%d: SPIF schemaVersion '%.16s' (gsomia reads 2.0 and 2.1)", xml_line(root),
				   ver ? ver : "");
	if ((ret = xml_children(root, kids, MAX_KIDS, &n, true, d)))
		return ret;
	for (i = 0; i < n; i++) {
		const xmlNode *k0 = kids[i];

		for (k = 0; top_order[k]; k++)
			if (xml_is(k0, XML_NS_SPIF, top_order[k]))
				break;
		if (!top_order[k])
			return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> in a SPIF", xml_line(k0), (const char *)k0->name);
		if (k < rank)
			return gs_diag_set(d, GS_EINVAL, "%d: <%s> out of place (the schema's order)", xml_line(k0),
					   (const char *)k0->name);
		if (k != 7 && k != 8 && seen[k]++) /* markingData and markingQualifier repeat */
			return gs_diag_set(d, GS_EINVAL, "%d: a second <%s>", xml_line(k0), (const char *)k0->name);
		rank = k;
		if (k == 1) {
			static const char *const pattrs[] = { "name", "id", NULL };

			seen_policy = 1;
			if ((ret = xml_attrs_only(k0, pattrs, NULL, d)) ||
			    (ret = copy_attr(k0, "name", r->s->policy_name, sizeof(r->s->policy_name), true, d)) ||
			    (ret = copy_attr(k0, "id", r->s->policy_id, sizeof(r->s->policy_id), true, d)))
				return ret;
			if (!oid_ok(r->s->policy_id))
				return gs_diag_set(d, GS_EINVAL, "%d: securityPolicyId id '%s' is not an object identifier",
						   xml_line(k0), r->s->policy_id);
		} else if (k == 3) {
			const xmlNode *cls[MAX_KIDS];
			int m, j;

			seen_classes = 1;
			if ((ret = xml_children(k0, cls, MAX_KIDS, &m, true, d)))
				return ret;
			for (j = 0; j < m; j++) {
				if (xml_is(cls[j], XML_NS_SPIF, "securityClassification")) {
					if ((ret = read_class(r, cls[j], d)))
						return ret;
				} else if (!xml_is(cls[j], XML_NS_SPIF, "markingData") &&
					   !xml_is(cls[j], XML_NS_SPIF, "markingQualifier")) {
					return gs_diag_set(d, GS_EINVAL, "%d: unexpected <%s> in securityClassifications",
							   xml_line(cls[j]), (const char *)cls[j]->name);
				}
			}
		} else if (k == 6) {
			if ((ret = read_policies(r, k0, d)))
				return ret;
		}
	}
	if (!seen_policy)
		return gs_diag_set(d, GS_EINVAL, "%d: the SPIF has no securityPolicyId", xml_line(root));
	if (!seen_classes || r->s->nclasses == 0)
		return gs_diag_set(d, GS_EINVAL, "%d: the SPIF has no securityClassification", xml_line(root));
	/* every equivalence names a policy the SPIF lists */
	for (i = 0; i < r->s->nclasses; i++) {
		struct spif_class *c = &r->s->classes[i];

		for (k = 0; k < c->nequiv; k++) {
			struct spif_equiv *q = &c->equiv[k];
			int p;

			for (p = 0; p < r->npolicies; p++)
				if (!strcmp(r->policies[p].name, q->policy_ref))
					break;
			if (p == r->npolicies)
				return gs_diag_set(d, GS_EINVAL,
						   "%d: '%s' is equivalent under policyRef '%s', which no equivalentPolicy names (a dangling equivalence)",
						   q->line, c->name, q->policy_ref);
			memcpy(q->policy_id, r->policies[p].id, sizeof(q->policy_id));
			for (p = 0; p < k; p++)
				if (!strcmp(c->equiv[p].policy_id, q->policy_id) && c->equiv[p].lacv == q->lacv)
					return gs_diag_set(d, GS_EINVAL, "%d: '%s' repeats its equivalence to lacv %lu of '%s'",
							   q->line, c->name, q->lacv, q->policy_ref);
		}
	}
	return 0;
}

int spif_xml_parse(const char *buf, size_t len, struct spif *out, struct gs_diag *d)
{
	struct reader *r = calloc(1, sizeof(*r));
	xmlDocPtr doc = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!r)
		return GS_ENOMEM;
	r->s = out;
	if ((ret = xml_parse(buf, len, GS_MAX_SPIF_XML, &doc, d)) == 0)
		ret = read_spif(r, xmlDocGetRootElement(doc), d);
	xmlFreeDoc(doc);
	free(r);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
