/* SPDX-License-Identifier: Apache-2.0 */
#include "xml/binding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/valid.h>
#include <libxml/xmlIO.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "util/encode.h"
#include "util/limits.h"
#include "xml/label_xml.h"
#include "xml/xmlsafe.h"
#include "util/banned.h"

#define ALG_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ECDSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define ALG_SHA384 "http://www.w3.org/2001/04/xmldsig-more#sha384"
#define TYPE_SIGPROPS "http://www.w3.org/2000/09/xmldsig#SignatureProperties"
#define CONTENT_TYPE "application/octet-stream"
#define DIGEST_BYTES 48 /* SHA-384 */
#define MAX_IDS 64

/* The elements of a binding, found by check_structure(). */
struct parts {
	xmlNodePtr signature, signed_info, sig_value, props, created, binding, data_ref;
	xmlNodePtr digest[2];  /* DigestValue of the binding's and of the properties' reference */
	xmlNodePtr cert;
	xmlNodePtr metadata[GS_MAX_ALT_LABELS + 1];
	int nmetadata;
	const char *sig_id, *props_id, *binding_id;
};

/* ---- the document, strictly ---- */

#define NOT_ALLOWED(n) gs_diag_set(d, GS_EINVAL, "%d: <%s> is not what a binding holds here", xml_line(n), (const char *)(n)->name)

/* Exactly the element children listed, in order. */
static int expect_children(xmlNodePtr parent, const char *const *ns, const char *const *names, int count,
			   xmlNodePtr *out, struct gs_diag *d)
{
	const xmlNode *kids[8];
	int n, i, ret;

	if ((ret = xml_children(parent, kids, 8, &n, false, d)))
		return ret;
	for (i = 0; i < count; i++) {
		if (i >= n)
			return gs_diag_set(d, GS_EINVAL, "%d: <%s> lacks <%s>", xml_line(parent),
					   (const char *)parent->name, names[i]);
		if (!xml_is(kids[i], ns[i], names[i]))
			return gs_diag_set(d, GS_EINVAL, "%d: expected <%s>, found <%s>", xml_line(kids[i]), names[i],
					   (const char *)kids[i]->name);
		out[i] = (xmlNodePtr)kids[i];
	}
	if (n > count)
		return NOT_ALLOWED(kids[count]);
	return 0;
}

static int leaf(xmlNodePtr n, const char *const *attrs, const char *other_ns, struct gs_diag *d)
{
	const xmlNode *kids[1];
	int k, ret;

	if ((ret = xml_attrs_only(n, attrs, other_ns, d)) || (ret = xml_children(n, kids, 1, &k, false, d)))
		return ret;
	return k ? NOT_ALLOWED(kids[0]) : 0;
}

static int algorithm(xmlNodePtr n, const char *want, struct gs_diag *d)
{
	static const char *const attrs[] = { "Algorithm", NULL };
	const char *alg = xml_attr(n, "Algorithm");
	int ret;

	if ((ret = leaf(n, attrs, NULL, d)))
		return ret;
	if (!alg || strcmp(alg, want))
		return gs_diag_set(d, GS_EINVAL, "%d: <%s> Algorithm '%.100s' (this profile uses %s)", xml_line(n),
				   (const char *)n->name, alg ? alg : "", want);
	return 0;
}

/* A reference: one exclusive C14N transform, SHA-384. */
static int reference(xmlNodePtr r, xmlNodePtr *digest, struct gs_diag *d)
{
	static const char *const ns[] = { XML_NS_DSIG, XML_NS_DSIG, XML_NS_DSIG };
	static const char *const names[] = { "Transforms", "DigestMethod", "DigestValue" };
	static const char *const tns[] = { XML_NS_DSIG };
	static const char *const tnames[] = { "Transform" };
	static const char *const attrs[] = { "URI", "Type", NULL };
	xmlNodePtr k[3], t[1];
	int ret;

	if ((ret = xml_attrs_only(r, attrs, NULL, d)) || (ret = expect_children(r, ns, names, 3, k, d)) ||
	    (ret = xml_attrs_only(k[0], NULL, NULL, d)) || (ret = expect_children(k[0], tns, tnames, 1, t, d)) ||
	    (ret = algorithm(t[0], ALG_C14N, d)) || (ret = algorithm(k[1], ALG_SHA384, d)) ||
	    (ret = xml_attrs_only(k[2], NULL, NULL, d)))
		return ret;
	*digest = k[2];
	return 0;
}

/* Every Id-like attribute of the document (Id, ID, id, xml:id) and its
 * value: none may repeat, so that an Id names one element. */
static int ids_unique(xmlNodePtr n, const char **seen, int *nseen, struct gs_diag *d)
{
	xmlNodePtr k;
	xmlAttrPtr a;
	int i, ret;

	for (; n; n = n->next) {
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE || n->type == XML_ENTITY_REF_NODE ||
		    n->type == XML_DTD_NODE)
			return gs_diag_set(d, GS_EINVAL, "%d: %s is not allowed in a binding", xml_line(n->parent ? n->parent : n),
					   n->type == XML_COMMENT_NODE ? "a comment" : n->type == XML_PI_NODE ? "a processing instruction" : "an entity or DTD");
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a; a = a->next) {
			const char *v;

			if (strcasecmp((const char *)a->name, "id"))
				continue;
			if (!a->children || a->children->type != XML_TEXT_NODE || a->children->next)
				return gs_diag_set(d, GS_EINVAL, "%d: an Id attribute is not plain text", xml_line(n));
			v = (const char *)a->children->content;
			for (i = 0; i < *nseen; i++)
				if (!strcmp(seen[i], v))
					return gs_diag_set(d, GS_EINVAL, "%d: Id '%.64s' appears twice in the document",
							   xml_line(n), v);
			if (*nseen >= MAX_IDS)
				return gs_diag_set(d, GS_EINVAL, "%d: too many Id attributes", xml_line(n));
			seen[(*nseen)++] = v;
		}
		k = n->children;
		if (k && (ret = ids_unique(k, seen, nseen, d)))
			return ret;
	}
	return 0;
}

/* Registers the Id attribute of n as an ID (the schema would, libxml2
 * has none) and returns its value. */
static const char *register_id(xmlDocPtr doc, xmlNodePtr n, struct gs_diag *d)
{
	xmlAttrPtr a = xmlHasNsProp(n, (const xmlChar *)"Id", NULL);
	const char *v = xml_attr(n, "Id");

	if (!a || !v || !*v) {
		gs_diag_set(d, GS_EINVAL, "%d: <%s> needs an Id", xml_line(n), (const char *)n->name);
		return NULL;
	}
	if (xmlValidateNCName((const xmlChar *)v, 0) != 0) {
		gs_diag_set(d, GS_EINVAL, "%d: Id '%.64s' is not an NCName", xml_line(n), v);
		return NULL;
	}
	if (!xmlGetID(doc, (const xmlChar *)v) && !xmlAddID(NULL, doc, (const xmlChar *)v, a)) {
		gs_diag_set(d, GS_EINVAL, "%d: cannot register Id '%.64s'", xml_line(n), v);
		return NULL;
	}
	return v;
}

/* A same-document reference "#ID" must resolve, through the registered
 * IDs, to want itself. */
static int points_to(xmlDocPtr doc, xmlNodePtr ref, xmlNodePtr want, const char *want_type, struct gs_diag *d)
{
	const char *uri = xml_attr(ref, "URI"), *type = xml_attr(ref, "Type");
	xmlAttrPtr a;

	if (!uri || uri[0] != '#' || !(a = xmlGetID(doc, (const xmlChar *)uri + 1)) || a->parent != want)
		return gs_diag_set(d, GS_EINVAL, "%d: Reference URI '%.100s' does not name the <%s> this binding holds",
				   xml_line(ref), uri ? uri : "", (const char *)want->name);
	if (want_type ? !type || strcmp(type, want_type) : type != NULL)
		return gs_diag_set(d, GS_EINVAL, "%d: Reference Type '%.100s' (expected %s)", xml_line(ref),
				   type ? type : "", want_type ? want_type : "none");
	return 0;
}

static int check_structure(xmlDocPtr doc, struct parts *p, struct gs_diag *d)
{
	static const char *const ns2[] = { XML_NS_DSIG, XML_NS_4778 };
	static const char *const root_kids[] = { "Signature", "MetadataBindingContainer" };
	static const char *const dsig4[] = { XML_NS_DSIG, XML_NS_DSIG, XML_NS_DSIG, XML_NS_DSIG };
	static const char *const sig_kids[] = { "SignedInfo", "SignatureValue", "KeyInfo", "Object" };
	static const char *const si_kids[] = { "CanonicalizationMethod", "SignatureMethod", "Reference", "Reference" };
	static const char *const x509[] = { "X509Data" }, *const x509c[] = { "X509Certificate" };
	static const char *const sps[] = { "SignatureProperties" }, *const sp[] = { "SignatureProperty" };
	static const char *const wsu[] = { XML_NS_WSU }, *const ts[] = { "Timestamp" }, *const cr[] = { "Created" };
	static const char *const mb[] = { XML_NS_4778 }, *const mbind[] = { "MetadataBinding" };
	static const char *const id_attr[] = { "Id", NULL }, *const target[] = { "Target", NULL };
	static const char *const uri_attr[] = { "URI", NULL };
	xmlNodePtr root = xmlDocGetRootElement(doc), top[2], sig[4], si[4], k[1], x[1], props[1], prop[1], stamp[1];
	const xmlNode *kids[GS_MAX_ALT_LABELS + 3];
	const char *seen[MAX_IDS], *tgt;
	int nseen = 0, n, i, ret;

	memset(p, 0, sizeof(*p));
	if (!xml_is(root, XML_NS_4778, "BindingInformation"))
		return gs_diag_set(d, GS_EINVAL, "%d: not a STANAG 4778 binding (root <BindingInformation> in namespace " XML_NS_4778 ")",
				   xml_line(root));
	if ((ret = ids_unique(root, seen, &nseen, d)) || (ret = xml_attrs_only(root, NULL, NULL, d)) ||
	    (ret = expect_children(root, ns2, root_kids, 2, top, d)))
		return ret;
	/* the signature */
	p->signature = top[0];
	if ((ret = xml_attrs_only(p->signature, id_attr, NULL, d)) ||
	    (ret = expect_children(p->signature, dsig4, sig_kids, 4, sig, d)) ||
	    (ret = xml_attrs_only(sig[0], NULL, NULL, d)) || (ret = expect_children(sig[0], dsig4, si_kids, 4, si, d)) ||
	    (ret = algorithm(si[0], ALG_C14N, d)) || (ret = algorithm(si[1], ALG_ECDSA_SHA256, d)) ||
	    (ret = reference(si[2], &p->digest[0], d)) || (ret = reference(si[3], &p->digest[1], d)))
		return ret;
	p->signed_info = sig[0];
	p->sig_value = sig[1];
	if ((ret = xml_attrs_only(sig[1], NULL, NULL, d)) || (ret = xml_attrs_only(sig[2], NULL, NULL, d)) ||
	    (ret = expect_children(sig[2], dsig4, x509, 1, x, d)) || (ret = xml_attrs_only(x[0], NULL, NULL, d)) ||
	    (ret = expect_children(x[0], dsig4, x509c, 1, k, d)) || (ret = xml_attrs_only(k[0], NULL, NULL, d)))
		return ret;
	p->cert = k[0];
	if ((ret = xml_attrs_only(sig[3], NULL, NULL, d)) || (ret = expect_children(sig[3], dsig4, sps, 1, props, d)) ||
	    (ret = xml_attrs_only(props[0], id_attr, NULL, d)) || (ret = expect_children(props[0], dsig4, sp, 1, prop, d)) ||
	    (ret = xml_attrs_only(prop[0], target, NULL, d)) || (ret = expect_children(prop[0], wsu, ts, 1, stamp, d)) ||
	    (ret = xml_attrs_only(stamp[0], NULL, NULL, d)) || (ret = expect_children(stamp[0], wsu, cr, 1, k, d)) ||
	    (ret = xml_attrs_only(k[0], NULL, NULL, d)))
		return ret;
	p->props = props[0];
	p->created = k[0];
	/* the binding */
	if ((ret = xml_attrs_only(top[1], NULL, NULL, d)) || (ret = expect_children(top[1], mb, mbind, 1, k, d)) ||
	    (ret = xml_attrs_only(k[0], id_attr, NULL, d)))
		return ret;
	p->binding = k[0];
	if ((ret = xml_children(p->binding, kids, GS_MAX_ALT_LABELS + 3, &n, false, d)))
		return ret;
	for (i = 0; i < n && xml_is(kids[i], XML_NS_4778, "Metadata"); i++) {
		const xmlNode *label[2];
		int m;

		if ((ret = xml_attrs_only(kids[i], NULL, NULL, d)) || (ret = xml_children(kids[i], label, 2, &m, false, d)))
			return ret;
		if (m != 1)
			return gs_diag_set(d, GS_EINVAL, "%d: a Metadata holds exactly one label", xml_line(kids[i]));
		if (p->nmetadata > GS_MAX_ALT_LABELS)
			return gs_diag_set(d, GS_ELIMIT, "%d: too many labels (at most %d alternatives)", xml_line(kids[i]),
					   GS_MAX_ALT_LABELS);
		p->metadata[p->nmetadata++] = (xmlNodePtr)label[0];
	}
	if (p->nmetadata == 0)
		return gs_diag_set(d, GS_EINVAL, "%d: the MetadataBinding holds no Metadata", xml_line(p->binding));
	if (i >= n || !xml_is(kids[i], XML_NS_4778, "DataReference"))
		return gs_diag_set(d, GS_EINVAL, "%d: the MetadataBinding needs a DataReference after its Metadata",
				   xml_line(i < n ? kids[i] : p->binding));
	p->data_ref = (xmlNodePtr)kids[i++];
	if (i < n)
		return NOT_ALLOWED(kids[i]);
	if ((ret = leaf(p->data_ref, uri_attr, XML_NS_XMIME, d)))
		return ret;
	if (!xml_attr(p->data_ref, "URI"))
		return gs_diag_set(d, GS_EINVAL, "%d: the DataReference has no URI", xml_line(p->data_ref));
	/* the Ids, registered, and the references to exactly these elements */
	if (!(p->sig_id = register_id(doc, p->signature, d)) || !(p->props_id = register_id(doc, p->props, d)) ||
	    !(p->binding_id = register_id(doc, p->binding, d)))
		return GS_EINVAL;
	tgt = xml_attr(prop[0], "Target");
	if (!tgt || tgt[0] != '#' || strcmp(tgt + 1, p->sig_id))
		return gs_diag_set(d, GS_EINVAL, "%d: SignatureProperty Target '%.100s' is not this signature",
				   xml_line(prop[0]), tgt ? tgt : "");
	if ((ret = points_to(doc, si[2], p->binding, NULL, d)) || (ret = points_to(doc, si[3], p->props, TYPE_SIGPROPS, d)))
		return ret;
	return 0;
}

/* ---- canonical forms and digests ---- */

/* In the node-set of the subtree at root (ctx)? Attributes and namespace
 * nodes are judged by their element. */
static int in_subtree(void *ctx, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr n = node;

	if (!node)
		return 0;
	if (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE)
		n = parent;
	for (; n; n = n->parent)
		if (n == (xmlNodePtr)ctx)
			return 1;
	return 0;
}

/* Exclusive XML canonicalisation, without comments, of the subtree at
 * root: what a same-document reference "#id" with this profile's
 * transform digests, and what SignedInfo is signed as. */
static int c14n(xmlDocPtr doc, xmlNodePtr root, uint8_t **out, size_t *len, struct gs_diag *d)
{
	xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
	const xmlChar *content;
	size_t n;

	*out = NULL;
	if (!ob)
		return GS_ENOMEM;
	if (xmlC14NExecute(doc, in_subtree, root, XML_C14N_EXCLUSIVE_1_0, NULL, 0, ob) < 0) {
		xmlOutputBufferClose(ob);
		return gs_diag_set(d, GS_EINVAL, "%d: cannot canonicalise <%s>", xml_line(root), (const char *)root->name);
	}
	content = xmlOutputBufferGetContent(ob);
	n = xmlOutputBufferGetSize(ob);
	if (!content || !(*out = malloc(n ? n : 1))) {
		xmlOutputBufferClose(ob);
		return GS_ENOMEM;
	}
	memcpy(*out, content, n);
	*len = n;
	xmlOutputBufferClose(ob);
	return 0;
}

static int digest_of(xmlDocPtr doc, xmlNodePtr root, uint8_t md[DIGEST_BYTES], struct gs_diag *d)
{
	uint8_t *c = NULL;
	size_t n = 0;
	unsigned int mdlen = 0;
	int ret;

	if ((ret = c14n(doc, root, &c, &n, d)))
		return ret;
	if (!EVP_Digest(c, n, md, &mdlen, EVP_sha384(), NULL) || mdlen != DIGEST_BYTES)
		ret = gs_diag_set(d, GS_ECRYPTO, "SHA-384 failed");
	free(c);
	return ret;
}

/* Base64 text of an element, whitespace removed (xs:base64Binary allows
 * it), decoded to exactly want bytes (0: any, up to cap). */
static int base64_of(xmlNodePtr n, uint8_t *out, size_t cap, size_t want, size_t *got, struct gs_diag *d)
{
	char *text = malloc(GS_MAX_BINDING_XML), *w;
	const char *r;
	size_t len = 0;
	int ret;

	if (!text)
		return GS_ENOMEM;
	if ((ret = xml_text(n, text, GS_MAX_BINDING_XML, false, d)))
		goto out;
	for (r = w = text; *r; r++)
		if (*r != ' ' && *r != '\t' && *r != '\n' && *r != '\r')
			*w++ = *r;
	*w = '\0';
	if (b64_decode(text, strlen(text), out, cap, &len) || (want && len != want) || len == 0)
		ret = gs_diag_set(d, GS_EINVAL, "%d: <%s> is not the base64 of %s", xml_line(n), (const char *)n->name,
				  want == DIGEST_BYTES ? "a SHA-384 digest" : want == LABELKEY_SIG_BYTES ? "an ECDSA P-256 signature (r || s)" : "a certificate");
	else if (got)
		*got = len;
out:
	free(text);
	return ret;
}

/* ---- reading ---- */

static int read_binding(const char *buf, size_t len, bool verify, binding_trust_fn trust, void *ctx,
			struct binding *out, struct gs_diag *d)
{
	xmlDocPtr doc = NULL;
	struct parts p;
	uint8_t md[DIGEST_BYTES], want[DIGEST_BYTES], sig[LABELKEY_SIG_BYTES], *cert = NULL, *si = NULL;
	size_t certlen = 0, silen = 0;
	char when[GS_MAX_NAME];
	const char *uri;
	int i, ret;

	memset(out, 0, sizeof(*out));
	if ((ret = xml_parse(buf, len, GS_MAX_BINDING_XML, &doc, d)) || (ret = check_structure(doc, &p, d)))
		goto out;
	if (!(cert = malloc(16384))) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = base64_of(p.cert, cert, 16384, 0, &certlen, d)) ||
	    (ret = labelkey_cert_public(cert, certlen, out->signer_pk, d)))
		goto out;
	if (verify) {
		for (i = 0; i < 2; i++) {
			if ((ret = base64_of(p.digest[i], want, sizeof(want), DIGEST_BYTES, NULL, d)) ||
			    (ret = digest_of(doc, i ? p.props : p.binding, md, d)))
				goto out;
			if (sodium_memcmp(md, want, DIGEST_BYTES)) {
				ret = gs_diag_set(d, GS_ECRYPTO,
						  "%d: the digest of the %s does not match its reference: the binding was altered",
						  xml_line(p.digest[i]), i ? "signing time" : "labels and data reference");
				goto out;
			}
		}
		if ((ret = trust(ctx, out->signer_pk, d)))
			goto out;
		if ((ret = base64_of(p.sig_value, sig, sizeof(sig), LABELKEY_SIG_BYTES, NULL, d)) ||
		    (ret = c14n(doc, p.signed_info, &si, &silen, d)))
			goto out;
		if (labelkey_verify(out->signer_pk, si, silen, sig)) {
			ret = gs_diag_set(d, GS_ECRYPTO, "%d: the signature does not verify: the binding was altered or forged",
					  xml_line(p.sig_value));
			goto out;
		}
	}
	/* only now what it says */
	if ((ret = label_xml_read(p.metadata[0], &out->orig, d)))
		goto out;
	if (out->orig.alternative) {
		ret = gs_diag_set(d, GS_EINVAL, "%d: the first Metadata must hold the originatorConfidentialityLabel",
				  xml_line(p.metadata[0]));
		goto out;
	}
	for (i = 1; i < p.nmetadata; i++) {
		if ((ret = label_xml_read(p.metadata[i], &out->alts[i - 1], d)))
			goto out;
		if (!out->alts[i - 1].alternative) {
			ret = gs_diag_set(d, GS_EINVAL, "%d: a binding has one originator label; the others are alternativeConfidentialityLabel",
					  xml_line(p.metadata[i]));
			goto out;
		}
	}
	out->nalts = p.nmetadata - 1;
	uri = xml_attr(p.data_ref, "URI");
	if (strlen(uri) >= sizeof(out->data_uri) || strlen(p.binding_id) >= sizeof(out->id)) {
		ret = gs_diag_set(d, GS_ELIMIT, "%d: URI or Id too long", xml_line(p.data_ref));
		goto out;
	}
	memcpy(out->data_uri, uri, strlen(uri) + 1);
	memcpy(out->id, p.binding_id, strlen(p.binding_id) + 1);
	if ((ret = xml_token(p.created, when, sizeof(when), false, d)))
		goto out;
	if (strlen(when) < 20 || when[10] != 'T' || instant_parse(when, 0, &out->signed_at)) {
		ret = gs_diag_set(d, GS_EINVAL, "%d: wsu:Created '%.64s' is not a date-time with a time zone",
				  xml_line(p.created), when);
		goto out;
	}
out:
	free(cert);
	free(si);
	xmlFreeDoc(doc);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int binding_verify(const char *buf, size_t len, binding_trust_fn trust, void *ctx, struct binding *out,
		   struct gs_diag *d)
{
	return read_binding(buf, len, true, trust, ctx, out, d);
}

int binding_inspect(const char *buf, size_t len, struct binding *out, struct gs_diag *d)
{
	return read_binding(buf, len, false, NULL, NULL, out, d);
}

/* ---- making ---- */

struct w {
	char *out;
	size_t cap, off;
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
	n = vsnprintf(w->out + w->off, w->cap - w->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->off) {
		w->ok = false;
		return;
	}
	w->off += (size_t)n;
}

static bool id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '.' || id[i] == '-' || id[i] == '_'))
			return false;
	return true;
}

/* The binding's text with empty DigestValue and SignatureValue. */
static int template(const struct binding_request *r, struct w *w)
{
	char b64cert[B64_ENCODED_SIZE(16384)], t[GS_INSTANT_STR];
	int i;

	if (r->certlen == 0 || r->certlen > 16384 || b64_encode(r->cert, r->certlen, b64cert, sizeof(b64cert)))
		return GS_EINVAL;
	instant_format(r->signed_at, t);
	wr(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<mb:BindingInformation xmlns:mb=\"" XML_NS_4778 "\" xmlns:xmime=\"" XML_NS_XMIME "\">\n"
	      "  <ds:Signature xmlns:ds=\"" XML_NS_DSIG "\" Id=\"signature-%s\">\n"
	      "    <ds:SignedInfo>\n"
	      "      <ds:CanonicalizationMethod Algorithm=\"" ALG_C14N "\"/>\n"
	      "      <ds:SignatureMethod Algorithm=\"" ALG_ECDSA_SHA256 "\"/>\n",
	   r->id);
	for (i = 0; i < 2; i++)
		wr(w, "      <ds:Reference URI=\"#%s-%s\"%s>\n"
		      "        <ds:Transforms>\n"
		      "          <ds:Transform Algorithm=\"" ALG_C14N "\"/>\n"
		      "        </ds:Transforms>\n"
		      "        <ds:DigestMethod Algorithm=\"" ALG_SHA384 "\"/>\n"
		      "        <ds:DigestValue></ds:DigestValue>\n"
		      "      </ds:Reference>\n",
		   i ? "signing-time" : "binding", r->id, i ? " Type=\"" TYPE_SIGPROPS "\"" : "");
	wr(w, "    </ds:SignedInfo>\n"
	      "    <ds:SignatureValue></ds:SignatureValue>\n"
	      "    <ds:KeyInfo>\n"
	      "      <ds:X509Data>\n"
	      "        <ds:X509Certificate>%s</ds:X509Certificate>\n"
	      "      </ds:X509Data>\n"
	      "    </ds:KeyInfo>\n"
	      "    <ds:Object>\n"
	      "      <ds:SignatureProperties Id=\"signing-time-%s\">\n"
	      "        <ds:SignatureProperty Target=\"#signature-%s\">\n"
	      "          <wsu:Timestamp xmlns:wsu=\"" XML_NS_WSU "\">\n"
	      "            <wsu:Created>%s</wsu:Created>\n"
	      "          </wsu:Timestamp>\n"
	      "        </ds:SignatureProperty>\n"
	      "      </ds:SignatureProperties>\n"
	      "    </ds:Object>\n"
	      "  </ds:Signature>\n"
	      "  <mb:MetadataBindingContainer>\n"
	      "    <mb:MetadataBinding Id=\"binding-%s\">\n",
	   b64cert, r->id, r->id, t, r->id);
	for (i = 0; i <= r->nalts; i++) {
		wr(w, "      <mb:Metadata>\n");
		if (w->ok && !label_xml_write(i ? &r->alts[i - 1] : r->orig, 8, w->out, w->cap, &w->off))
			w->ok = false;
		wr(w, "      </mb:Metadata>\n");
	}
	wr(w, "      <mb:DataReference URI=\"");
	if (w->ok && !xml_escape(r->data_uri, w->out, w->cap, &w->off))
		w->ok = false;
	wr(w, "\" xmime:contentType=\"" CONTENT_TYPE "\"/>\n"
	      "    </mb:MetadataBinding>\n"
	      "  </mb:MetadataBindingContainer>\n"
	      "</mb:BindingInformation>\n");
	return 0;
}

static void set_b64(xmlNodePtr n, const uint8_t *bytes, size_t len)
{
	char b64[B64_ENCODED_SIZE(64)];

	if (len > 64 || b64_encode(bytes, len, b64, sizeof(b64)))
		b64[0] = '\0'; /* refused by the verification that follows */
	xmlNodeSetContent(n, (const xmlChar *)b64);
}

struct own_key {
	uint8_t pk[GS_LABEL_PK_BYTES];
};

static int trust_own(void *ctx, const uint8_t pk[GS_LABEL_PK_BYTES], struct gs_diag *d)
{
	const struct own_key *k = ctx;

	return memcmp(k->pk, pk, GS_LABEL_PK_BYTES) ? gs_diag_set(d, GS_ECRYPTO, "the certificate is not of the signing key") : 0;
}

int binding_make(const struct binding_request *r, char **out, size_t *len, struct gs_diag *d)
{
	struct w w = { NULL, GS_MAX_BINDING_XML, 0, true };
	struct parts p;
	struct own_key own;
	struct binding *check = NULL;
	xmlDocPtr doc = NULL;
	xmlChar *mem = NULL;
	uint8_t md[DIGEST_BYTES], sig[LABELKEY_SIG_BYTES], *si = NULL;
	size_t silen = 0;
	int i, size = 0, ret;

	*out = NULL;
	*len = 0;
	if (!id_ok(r->id) || r->nalts < 0 || r->nalts > GS_MAX_ALT_LABELS)
		return gs_diag_set(d, GS_EINVAL, "binding id '%.64s' or label count out of range", r->id);
	if (!(w.out = malloc(w.cap)) || !(check = malloc(sizeof(*check)))) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = template(r, &w)) || !w.ok) {
		ret = gs_diag_set(d, ret ? ret : GS_ELIMIT, "the binding does not fit in %zu bytes", w.cap);
		goto out;
	}
	if ((ret = xml_parse(w.out, w.off, GS_MAX_BINDING_XML, &doc, d)) || (ret = check_structure(doc, &p, d)))
		goto out;
	for (i = 0; i < 2; i++) {
		if ((ret = digest_of(doc, i ? p.props : p.binding, md, d)))
			goto out;
		set_b64(p.digest[i], md, sizeof(md));
	}
	if ((ret = c14n(doc, p.signed_info, &si, &silen, d)) || (ret = labelkey_sign(r->key, si, silen, sig, d)))
		goto out;
	set_b64(p.sig_value, sig, sizeof(sig));
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (!mem || size <= 0) {
		ret = GS_ENOMEM;
		goto out;
	}
	/* what a recipient will check, checked here first */
	labelkey_public(r->key, own.pk);
	if ((ret = binding_verify((const char *)mem, (size_t)size, trust_own, &own, check, d))) {
		gs_diag_prefix(d, "the binding made does not verify");
		goto out;
	}
	if (!(*out = malloc((size_t)size))) {
		ret = GS_ENOMEM;
		goto out;
	}
	memcpy(*out, mem, (size_t)size);
	*len = (size_t)size;
out:
	xmlFree(mem);
	xmlFreeDoc(doc);
	free(si);
	free(check);
	free(w.out);
	return ret;
}

/* ---- RFC 6920 names ---- */

int binding_ni_uri(const char *alg, const uint8_t *digest, size_t n, char *out, size_t cap)
{
	char b64[B64_ENCODED_SIZE(64)];
	size_t i, len;
	int k;

	if (n == 0 || n > 64 || b64_encode(digest, n, b64, sizeof(b64)))
		return GS_EINVAL;
	len = strlen(b64);
	while (len && b64[len - 1] == '=')
		b64[--len] = '\0';
	for (i = 0; i < len; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	k = snprintf(out, cap, "ni:///%s;%s", alg, b64);
	return k < 0 || (size_t)k >= cap ? GS_ELIMIT : 0;
}

int binding_ni_parse(const char *uri, char *alg, size_t algcap, uint8_t *digest, size_t cap, size_t *n)
{
	char b64[B64_ENCODED_SIZE(64) + 4];
	const char *semi;
	size_t i, len, alen;

	if (strncmp(uri, "ni:///", 6) || !(semi = strchr(uri + 6, ';')))
		return GS_EINVAL;
	alen = (size_t)(semi - (uri + 6));
	if (alen == 0 || alen >= algcap)
		return GS_EINVAL;
	memcpy(alg, uri + 6, alen);
	alg[alen] = '\0';
	len = strlen(semi + 1);
	if (len == 0 || len + 3 >= sizeof(b64))
		return GS_EINVAL;
	for (i = 0; i < len; i++) {
		char c = semi[1 + i];

		if (c == '+' || c == '/' || c == '=')
			return GS_EINVAL; /* base64url, unpadded */
		b64[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	while (i % 4)
		b64[i++] = '=';
	b64[i] = '\0';
	return b64_decode(b64, i, digest, cap, n) ? GS_EINVAL : 0;
}
