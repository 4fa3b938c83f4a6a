/* SPDX-License-Identifier: Apache-2.0 */
/* xml/: the safe XML reader, STANAG 4774 labels, XML SPIFs and STANAG 4778
 * bindings, with the known-answer files of tests/data/labels/
 * (docs/labels.md "Test vectors"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "crypto/labelkey.h"
#include "util/encode.h"
#include "util/limits.h"
#include "xml/binding.h"
#include "xml/label_xml.h"
#include "xml/spif_xml.h"
#include "xml/xmlsafe.h"

#define KOR_POLICY "urn:oid:2.25.67063040280692152367391139728737801794"
#define VECTOR_PK "04b4674781b2f22a96141868369c2dff667d7e09adac36225c069e6f3196a1fb1a" \
		  "3a11fe6289813307c7f05841492b88981fabc75bc74f316d4c61a0f57fb1be63"

static char *slurp(const char *rel, size_t *len)
{
	const char *root = getenv("SRCDIR");
	char path[1024];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* ---- the reader ---- */

struct refusal {
	const char *xml;
	int err;
	const char *msg; /* a part of the message */
};

static const struct refusal parse_refusals[] = {
	/* the billion laughs: refused at the DOCTYPE, before any entity */
	{ "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
	  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n<x>&lol2;</x>\n",
	  GS_EINVAL, "a DOCTYPE is not allowed (no DTD, no entities)" },
	/* an external entity */
	{ "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>", GS_EINVAL,
	  "1:13: a DOCTYPE is not allowed" },
	{ "<!DOCTYPE x SYSTEM \"http://example.org/x.dtd\"><x/>", GS_EINVAL, "a DOCTYPE is not allowed" },
	/* an entity never declared */
	{ "<x>&e;</x>", GS_EINVAL, "not well-formed XML: Entity 'e' not defined" },
	{ "<x><y></x>", GS_EINVAL, "1:11: not well-formed XML" },
	{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><x/>", GS_EINVAL, "encoding 'ISO-8859-1' (only UTF-8 is read)" },
	{ "\xff\xfe<\0x\0/\0>\0", GS_EINVAL, "1:1: not UTF-8 (only UTF-8 is read)" },
	{ "<x>\xc3\x28</x>", GS_EINVAL, "not well-formed XML" },
};

static void test_parse_refusals(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_refusals) / sizeof(parse_refusals[0]); i++) {
		const struct refusal *r = &parse_refusals[i];
		size_t len = strlen(r->xml);
		struct gs_diag d = { { 0 } };
		xmlDocPtr doc = NULL;
		int ret;

		if (r->xml[0] == '\xff')
			len = 10;
		ret = xml_parse(r->xml, len, 4096, &doc, &d);
		if (ret != r->err || !strstr(d.msg, r->msg))
			print_error("case %zu: got %d '%s', want %d '...%s...'\n", i, ret, d.msg, r->err, r->msg);
		assert_int_equal(ret, r->err);
		assert_non_null(strstr(d.msg, r->msg));
		assert_null(doc);
	}
	{
		struct gs_diag d = { { 0 } };
		xmlDocPtr doc = NULL;

		assert_int_equal(xml_parse("<x/>", 4, 3, &doc, &d), GS_ELIMIT);
		assert_int_equal(xml_parse("\xef\xbb\xbf<x>ok</x>", 12, 100, &doc, &d), 0);
		assert_non_null(doc);
		xmlFreeDoc(doc);
	}
}

/* ---- labels ---- */

static void test_label_known_answer(void **state)
{
	struct conf_label l;
	struct gs_diag d = { { 0 } };
	size_t len, olen;
	char *xml = slurp("tests/data/labels/kor-originator-label.xml", &len), *out = NULL;
	char t[GS_INSTANT_STR];

	(void)state;
	assert_int_equal(label_xml_parse(xml, len, &l, &d), 0);
	assert_false(l.alternative);
	assert_string_equal(l.policy_uri, KOR_POLICY);
	assert_string_equal(l.policy_name, "KOR-MIL");
	assert_string_equal(l.classification, "군사II급비밀");
	assert_int_equal(l.ncategories, 1);
	assert_string_equal(l.categories[0].tag_name, "Releasable To");
	assert_int_equal(l.categories[0].type, LABEL_CAT_PERMISSIVE);
	assert_int_equal(l.categories[0].nvalues, 2);
	assert_string_equal(l.categories[0].values[0], "KOR");
	instant_format(l.created, t);
	assert_string_equal(t, "2019-11-28T08:34:56Z");
	instant_format(l.review, t);
	assert_string_equal(t, "2029-11-28T08:34:56Z");
	/* written again, byte for byte */
	assert_int_equal(label_xml_document(&l, &out, &olen, &d), 0);
	assert_int_equal(olen, len);
	assert_memory_equal(out, xml, len);
	free(out);
	free(xml);
}

#define NS " xmlns:slab=\"urn:nato:stanag:4774:confidentialitymetadatalabel:1:0\""
#define INFO "<slab:ConfidentialityInformation><slab:PolicyIdentifier URI=\"" KOR_POLICY "\">KOR-MIL</slab:PolicyIdentifier>" \
	     "<slab:Classification>군사II급비밀</slab:Classification></slab:ConfidentialityInformation>"
#define CREATED "<slab:CreationDateTime>2019-11-28T08:34:56Z</slab:CreationDateTime>"

static const struct refusal label_refusals[] = {
	{ "<slab:metadataConfidentialityLabel" NS ">" INFO CREATED "</slab:metadataConfidentialityLabel>", GS_EINVAL,
	  "<metadataConfidentialityLabel> is not an originatorConfidentialityLabel or alternativeConfidentialityLabel" },
	{ "<originatorConfidentialityLabel>" "</originatorConfidentialityLabel>", GS_EINVAL,
	  "is not an originatorConfidentialityLabel" },
	{ "<slab:originatorConfidentialityLabel" NS ">" INFO "</slab:originatorConfidentialityLabel>", GS_EINVAL,
	  "the label has no CreationDateTime (STANAG 4774 requires it)" },
	{ "<slab:originatorConfidentialityLabel" NS " ReviewDateTime=\"2029-11-28T08:34:56\">" INFO CREATED
	  "</slab:originatorConfidentialityLabel>", GS_EINVAL,
	  "'2029-11-28T08:34:56' is not a date-time with seconds and a time zone" },
	{ "<slab:originatorConfidentialityLabel" NS " Colour=\"red\">" INFO CREATED "</slab:originatorConfidentialityLabel>",
	  GS_EINVAL, "attribute 'Colour' is not allowed on <originatorConfidentialityLabel>" },
	{ "<slab:originatorConfidentialityLabel" NS "><slab:ConfidentialityInformation><slab:PolicyIdentifier>KOR-MIL</slab:PolicyIdentifier>"
	  "<slab:Classification URI=\"urn:oid:1.2\">X</slab:Classification></slab:ConfidentialityInformation>" CREATED
	  "</slab:originatorConfidentialityLabel>", GS_EINVAL, "Classification URI is not allowed (STANAG 4774 Table 6)" },
	{ "<slab:originatorConfidentialityLabel" NS "><slab:ConfidentialityInformation><slab:PolicyIdentifier>KOR-MIL</slab:PolicyIdentifier>"
	  "<slab:Classification>X</slab:Classification><slab:PrivacyMark>P</slab:PrivacyMark></slab:ConfidentialityInformation>" CREATED
	  "</slab:originatorConfidentialityLabel>", GS_EINVAL, "a PrivacyMark is not understood here; refused" },
	{ "<slab:originatorConfidentialityLabel" NS "><slab:ConfidentialityInformation><slab:PolicyIdentifier>KOR-MIL</slab:PolicyIdentifier>"
	  "<slab:Classification>X</slab:Classification><slab:Category Type=\"PERMISSIVE\" TagName=\"Releasable To\">"
	  "<slab:IntegerValue>1</slab:IntegerValue></slab:Category></slab:ConfidentialityInformation>" CREATED
	  "</slab:originatorConfidentialityLabel>", GS_EINVAL, "<IntegerValue> is not allowed (STANAG 4774 uses GenericValue only)" },
	{ "<slab:originatorConfidentialityLabel" NS "><slab:ConfidentialityInformation><slab:PolicyIdentifier>KOR-MIL</slab:PolicyIdentifier>"
	  "<slab:Classification>X</slab:Classification><slab:Category Type=\"permissive\" TagName=\"R\"/>"
	  "</slab:ConfidentialityInformation>" CREATED "</slab:originatorConfidentialityLabel>", GS_EINVAL,
	  "Category Type 'permissive' is not RESTRICTIVE, PERMISSIVE or INFORMATIVE" },
	{ "<slab:originatorConfidentialityLabel" NS "><slab:ConfidentialityInformation><slab:PolicyIdentifier URI=\"urn:uuid:1\">KOR-MIL</slab:PolicyIdentifier>"
	  "<slab:Classification>X</slab:Classification></slab:ConfidentialityInformation>" CREATED
	  "</slab:originatorConfidentialityLabel>", GS_EINVAL, "PolicyIdentifier URI 'urn:uuid:1' is not urn:oid:<object identifier>" },
	{ "<slab:originatorConfidentialityLabel" NS ">" INFO CREATED "<other xmlns=\"urn:x\"/></slab:originatorConfidentialityLabel>",
	  GS_EINVAL, "unexpected <other> after CreationDateTime" },
	{ "<slab:originatorConfidentialityLabel" NS ">" INFO "text" CREATED "</slab:originatorConfidentialityLabel>",
	  GS_EINVAL, "text is not allowed in <originatorConfidentialityLabel>" },
	{ "<slab:originatorConfidentialityLabel" NS ">" INFO CREATED "<slab:SuccessionHandling/></slab:originatorConfidentialityLabel>",
	  GS_EINVAL, "SuccessionHandling is not understood here; refused" },
};

static void test_label_refusals(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(label_refusals) / sizeof(label_refusals[0]); i++) {
		const struct refusal *r = &label_refusals[i];
		struct conf_label l;
		struct gs_diag d = { { 0 } };
		int ret = label_xml_parse(r->xml, strlen(r->xml), &l, &d);

		if (ret != r->err || !strstr(d.msg, r->msg))
			print_error("case %zu: got %d '%s', want %d '...%s...'\n", i, ret, d.msg, r->err, r->msg);
		assert_int_equal(ret, r->err);
		assert_non_null(strstr(d.msg, r->msg));
		assert_string_equal(l.classification, "");
	}
}

static void test_label_lenient_reading(void **state)
{
	/* whitespace around tokens, a comment, an OriginatorID and a zone
	 * offset: the label the standard allows, read as it means */
	static const char xml[] =
		"<?xml version=\"1.0\"?>\n<!-- written by another tool -->\n"
		"<originatorConfidentialityLabel xmlns=\"urn:nato:stanag:4774:confidentialitymetadatalabel:1:0\" Id=\"l1\">\n"
		" <ConfidentialityInformation>\n  <PolicyIdentifier URI=\"" KOR_POLICY "\">\n   KOR-MIL\n  </PolicyIdentifier>\n"
		"  <Classification> 군사III급비밀 </Classification>\n </ConfidentialityInformation>\n"
		" <OriginatorID IDType=\"rfc822Name\">officer@example.org</OriginatorID>\n"
		" <CreationDateTime>\n  2019-11-28T17:34:56.25+09:00\n </CreationDateTime>\n"
		"</originatorConfidentialityLabel>\n";
	struct conf_label l;
	struct gs_diag d = { { 0 } };
	char t[GS_INSTANT_STR];

	(void)state;
	assert_int_equal(label_xml_parse(xml, strlen(xml), &l, &d), 0);
	assert_string_equal(l.policy_name, "KOR-MIL");
	assert_string_equal(l.classification, "군사III급비밀");
	assert_int_equal(l.review, GS_INSTANT_NONE);
	instant_format(l.created, t);
	assert_string_equal(t, "2019-11-28T08:34:56Z");
}

/* ---- SPIFs ---- */

static void test_spif_example(void **state)
{
	struct spif *s = calloc(1, sizeof(*s));
	struct gs_diag d = { { 0 } };
	size_t len;
	char *xml = slurp("examples/spif/KOR.spif.xml", &len);

	(void)state;
	assert_non_null(s);
	assert_int_equal(spif_xml_parse(xml, len, s, &d), 0);
	assert_string_equal(s->policy_id, "2.25.67063040280692152367391139728737801794");
	assert_string_equal(s->policy_name, "KOR-MIL");
	assert_int_equal(s->nclasses, 3);
	assert_string_equal(s->classes[1].name, "군사II급비밀");
	assert_int_equal(s->classes[1].lacv, 2);
	assert_int_equal(s->classes[1].hierarchy, 2);
	assert_string_equal(s->classes[1].roman, "GUNSA II-KUP BIMIL");
	assert_string_equal(s->classes[1].gloss, "military secret grade II");
	assert_int_equal(s->classes[1].nequiv, 1);
	assert_string_equal(s->classes[1].equiv[0].policy_id, "2.25.253640067928503725326359405469762299823");
	assert_string_equal(s->classes[1].equiv[0].policy_ref, "JPN-GOV");
	assert_int_equal(s->classes[1].equiv[0].lacv, 2);
	assert_int_equal(s->classes[1].equiv[0].applied, SPIF_APPLIED_BOTH);
	assert_int_equal(s->classes[2].nequiv, 0);
	free(xml);
	free(s);
}

#define SPIF_OPEN "<SPIF xmlns=\"http://www.xmlspif.org/spif\" schemaVersion=\"2.1\">" \
		  "<securityPolicyId name=\"P\" id=\"2.25.1\"/>"
#define SPIF_CLOSE "</SPIF>"

static const struct refusal spif_refusals[] = {
	{ "<SPIF xmlns=\"http://www.xmlspif.org/spif\" schemaVersion=\"3.0\"/>", GS_EINVAL,
	  "SPIF schemaVersion '3.0' (gsomia reads 2.0 and 2.1)" },
	{ "<SPIF schemaVersion=\"2.1\"/>", GS_EINVAL, "not an XML SPIF" },
	{ SPIF_OPEN "<securityClassifications><securityClassification name=\"A\" lacv=\"1\" hierarchy=\"1\"/>"
	  "<securityClassification name=\"B\" lacv=\"2\" hierarchy=\"1\"/></securityClassifications>" SPIF_CLOSE,
	  GS_EINVAL, "'B' and 'A' (line 1) have the same hierarchy 1: the order must be strict, or dominance goes round in a cycle" },
	{ SPIF_OPEN "<securityClassifications><securityClassification name=\"A\" lacv=\"1\" hierarchy=\"1\"/>"
	  "<securityClassification name=\"A\" lacv=\"2\" hierarchy=\"2\"/></securityClassifications>" SPIF_CLOSE,
	  GS_EINVAL, "duplicate classification 'A'" },
	{ SPIF_OPEN "<securityClassifications><securityClassification name=\"A\" lacv=\"1\" hierarchy=\"1\">"
	  "<equivalentClassification policyRef=\"Q\" lacv=\"1\" applied=\"both\"/></securityClassification>"
	  "</securityClassifications>" SPIF_CLOSE,
	  GS_EINVAL, "'A' is equivalent under policyRef 'Q', which no equivalentPolicy names (a dangling equivalence)" },
	{ SPIF_OPEN "<securityClassifications><securityClassification name=\"A\" lacv=\"1\" hierarchy=\"1\">"
	  "<equivalentClassification policyRef=\"Q\" lacv=\"1\" applied=\"both\"><requiredCategory operation=\"all\"/>"
	  "</equivalentClassification></securityClassification></securityClassifications>"
	  "<equivalentPolicies><equivalentPolicy name=\"Q\" id=\"2.25.2\"/></equivalentPolicies>" SPIF_CLOSE,
	  GS_EINVAL, "a conditional equivalence (<requiredCategory> under equivalentClassification) cannot be an annex row; refused" },
	{ SPIF_OPEN "<securityClassifications><securityClassification name=\"A\" lacv=\"1\" hierarchy=\"1\">"
	  "<equivalentClassification policyRef=\"Q\" lacv=\"1\" applied=\"sometimes\"/></securityClassification>"
	  "</securityClassifications>" SPIF_CLOSE,
	  GS_EINVAL, "equivalentClassification applied must be encrypt, decrypt or both" },
	{ SPIF_OPEN "<equivalentPolicies/><securityClassifications/>" SPIF_CLOSE, GS_EINVAL,
	  "<securityClassifications> out of place (the schema's order)" },
	{ "<SPIF xmlns=\"http://www.xmlspif.org/spif\" schemaVersion=\"2.1\"><securityPolicyId name=\"P\" id=\"2.x\"/>" SPIF_CLOSE,
	  GS_EINVAL, "securityPolicyId id '2.x' is not an object identifier" },
	{ SPIF_OPEN "<securityClassifications><securityClassification name=\"A\" lacv=\"-1\" hierarchy=\"1\"/>"
	  "</securityClassifications>" SPIF_CLOSE,
	  GS_EINVAL, "securityClassification 'A' needs a numeric lacv and hierarchy" },
	{ SPIF_OPEN "<securityClassifications/>" SPIF_CLOSE, GS_EINVAL, "the SPIF has no securityClassification" },
	{ SPIF_OPEN "<securityClassifications/><bogus/>" SPIF_CLOSE, GS_EINVAL, "unexpected <bogus> in a SPIF" },
};

static void test_spif_refusals(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(spif_refusals) / sizeof(spif_refusals[0]); i++) {
		const struct refusal *r = &spif_refusals[i];
		struct spif *s = calloc(1, sizeof(*s));
		struct gs_diag d = { { 0 } };
		int ret = spif_xml_parse(r->xml, strlen(r->xml), s, &d);

		if (ret != r->err || !strstr(d.msg, r->msg))
			print_error("case %zu: got %d '%s', want %d '...%s...'\n", i, ret, d.msg, r->err, r->msg);
		assert_int_equal(ret, r->err);
		assert_non_null(strstr(d.msg, r->msg));
		assert_int_equal(s->nclasses, 0);
		free(s);
	}
}

static void test_spif_obsolete_skipped(void **state)
{
	static const char xml[] = SPIF_OPEN
		"<securityClassifications><securityClassification name=\"OLD\" lacv=\"9\" hierarchy=\"9\" obsolete=\"true\"/>"
		"<securityClassification name=\"A\" lacv=\"1\" hierarchy=\"1\"><markingData phrase=\"a\" xml:lang=\"en-GB\"/></securityClassification>"
		"</securityClassifications>" SPIF_CLOSE;
	struct spif *s = calloc(1, sizeof(*s));
	struct gs_diag d = { { 0 } };

	(void)state;
	assert_int_equal(spif_xml_parse(xml, strlen(xml), s, &d), 0);
	assert_int_equal(s->nclasses, 1);
	assert_string_equal(s->classes[0].name, "A");
	assert_string_equal(s->classes[0].gloss, "a");
	free(s);
}

/* ---- bindings ---- */

struct trust {
	uint8_t pk[GS_LABEL_PK_BYTES];
	int calls;
};

static int trust_vector(void *ctx, const uint8_t pk[GS_LABEL_PK_BYTES], struct gs_diag *d)
{
	struct trust *t = ctx;

	t->calls++;
	return memcmp(pk, t->pk, GS_LABEL_PK_BYTES) ? gs_diag_set(d, GS_EDENIED, "untrusted key") : 0;
}

static void trust_init(struct trust *t)
{
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	assert_int_equal(hex_decode(VECTOR_PK, strlen(VECTOR_PK), t->pk, sizeof(t->pk), &n), 0);
}

static void test_binding_known_answer(void **state)
{
	struct binding *b = calloc(1, sizeof(*b));
	struct trust t;
	struct gs_diag d = { { 0 } };
	uint8_t digest[32];
	char alg[16], hex[65], when[GS_INSTANT_STR];
	size_t len, n = 0;
	char *xml = slurp("tests/data/labels/kor-jpn-vector.bdo", &len);

	(void)state;
	trust_init(&t);
	assert_int_equal(binding_verify(xml, len, trust_vector, &t, b, &d), 0);
	assert_int_equal(t.calls, 1);
	assert_string_equal(b->id, "binding-6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10");
	assert_string_equal(b->orig.classification, "군사II급비밀");
	assert_int_equal(b->nalts, 1);
	assert_string_equal(b->alts[0].classification, "特定秘密");
	assert_string_equal(b->alts[0].policy_name, "JPN-GOV");
	instant_format(b->signed_at, when);
	assert_string_equal(when, "2019-11-28T08:34:56Z");
	/* the data reference is the payload digest of the bundle test vector
	 * (docs/bundle-format.md) */
	assert_int_equal(binding_ni_parse(b->data_uri, alg, sizeof(alg), digest, sizeof(digest), &n), 0);
	assert_string_equal(alg, "sha-256");
	assert_int_equal(n, 32);
	hex_encode(digest, n, hex, sizeof(hex));
	assert_string_equal(hex, "4460f44e25b5f13c9b95bd60952fafd27388e47ffb22d9ffc7d593e4ea34b9c1");
	/* an untrusted key */
	t.pk[10] ^= 1;
	assert_int_equal(binding_verify(xml, len, trust_vector, &t, b, &d), GS_EDENIED);
	assert_string_equal(d.msg, "untrusted key");
	free(xml);
	free(b);
}

/* Replaces the first occurrence of from by to in a copy of src. */
static char *replace(const char *src, const char *from, const char *to)
{
	const char *at = strstr(src, from);
	size_t n = strlen(src) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
	return out;
}

#define MB_ID "binding-6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10"

static void test_binding_tampering(void **state)
{
	struct tamper {
		const char *from, *to;
		int err;
		const char *msg;
	} cases[] = {
		/* what was signed */
		{ "<slab:Classification>特定秘密", "<slab:Classification>極秘", GS_ECRYPTO,
		  "the digest of the labels and data reference does not match its reference: the binding was altered" },
		{ "ni:///sha-256;RGD0", "ni:///sha-256;RGD1", GS_ECRYPTO, "the binding was altered" },
		{ "<wsu:Created>2019", "<wsu:Created>2018", GS_ECRYPTO,
		  "the digest of the signing time does not match its reference" },
		{ "<ds:SignatureValue>/8Dy", "<ds:SignatureValue>/8Dz", GS_ECRYPTO,
		  "the signature does not verify: the binding was altered or forged" },
		{ "<ds:CanonicalizationMethod", "<ds:CanonicalizationMethod Id=\"x\"", GS_EINVAL,
		  "attribute 'Id' is not allowed on <CanonicalizationMethod>" },
		/* signature wrapping: the signed element moved where nothing reads it,
		 * a forged one in its place */
		{ "<ds:Object>", "<ds:Object><mb:MetadataBinding Id=\"" MB_ID "\"/>", GS_EINVAL,
		  "Id '" MB_ID "' appears twice in the document" },
		{ "<ds:Object>", "<ds:Object><mb:MetadataBinding Id=\"elsewhere\"/>", GS_EINVAL,
		  "expected <SignatureProperties>, found <MetadataBinding>" },
		{ "<ds:Reference URI=\"#" MB_ID "\"", "<ds:Reference URI=\"#signing-time-6f1c2a0e9b3d4c5e8f7a6b5c4d3e2f10\"",
		  GS_EINVAL, "does not name the <MetadataBinding> this binding holds" },
		{ "<ds:Reference URI=\"#" MB_ID "\"", "<ds:Reference URI=\"\"", GS_EINVAL,
		  "Reference URI '' does not name the <MetadataBinding>" },
		{ "</mb:MetadataBindingContainer>", "<mb:MetadataBinding Id=\"x2\"/></mb:MetadataBindingContainer>",
		  GS_EINVAL, "<MetadataBinding> is not what a binding holds here" },
		{ "</mb:BindingInformation>", "<mb:MetadataBindingContainer/></mb:BindingInformation>", GS_EINVAL,
		  "is not what a binding holds here" },
		{ "<mb:Metadata>", "<mb:Metadata><!-- c -->", GS_EINVAL, "a comment is not allowed in a binding" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE x>", GS_EINVAL,
		  "a DOCTYPE is not allowed" },
		/* the profile's algorithms, and nothing else */
		{ "xmldsig-more#sha384", "xmlenc#sha256", GS_EINVAL, "<DigestMethod> Algorithm 'http://www.w3.org/2001/04/xmlenc#sha256'" },
		{ "xmldsig-more#ecdsa-sha256", "xmldsig-more#rsa-sha256", GS_EINVAL, "<SignatureMethod> Algorithm" },
		{ "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
		  "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/>", GS_EINVAL,
		  "<Transform> Algorithm 'http://www.w3.org/TR/1999/REC-xpath-19991116'" },
		{ "</ds:Transforms>", "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>",
		  GS_EINVAL, "<Transform> is not what a binding holds here" },
		{ "Target=\"#signature-", "Target=\"#other-", GS_EINVAL, "SignatureProperty Target '#other-" },
		{ "slab:originatorConfidentialityLabel xmlns", "slab:alternativeConfidentialityLabel xmlns", GS_EINVAL,
		  "not well-formed XML" },
	};
	struct binding *b = calloc(1, sizeof(*b));
	struct trust t;
	size_t len, i;
	char *xml = slurp("tests/data/labels/kor-jpn-vector.bdo", &len);

	(void)state;
	trust_init(&t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs_diag d = { { 0 } };
		char *bad = replace(xml, cases[i].from, cases[i].to);
		int ret = binding_verify(bad, strlen(bad), trust_vector, &t, b, &d);

		if (ret != cases[i].err || !strstr(d.msg, cases[i].msg))
			print_error("case %zu: got %d '%s', want %d '...%s...'\n", i, ret, d.msg, cases[i].err,
				    cases[i].msg);
		assert_int_equal(ret, cases[i].err);
		assert_non_null(strstr(d.msg, cases[i].msg));
		assert_string_equal(b->orig.classification, "");
		free(bad);
	}
	/* every byte after the XML declaration counts: flip a sample */
	for (i = (size_t)(strchr(xml, '\n') - xml) + 1; i < len; i += 13) {
		struct gs_diag d = { { 0 } };
		char *bad = malloc(len);

		assert_non_null(bad);
		memcpy(bad, xml, len);
		bad[i] ^= 1;
		if (binding_verify(bad, len, trust_vector, &t, b, &d) == 0)
			print_error("flipping byte %zu ('%c') verifies\n", i, xml[i]);
		assert_int_not_equal(binding_verify(bad, len, trust_vector, &t, b, &d), 0);
		free(bad);
	}
	free(xml);
	free(b);
}

static void test_binding_round_trip(void **state)
{
	uint8_t seed[32], *cert = NULL, digest[32];
	struct label_key *k = NULL;
	struct party kor, jpn;
	struct conf_label labels[2];
	struct binding_request r;
	struct binding *b = calloc(1, sizeof(*b));
	struct trust t;
	struct gs_diag d = { { 0 } };
	const char *codes[] = { "KOR", "JPN" };
	char uri[BINDING_MAX_URI], *xml = NULL, alg[16];
	size_t certlen = 0, len = 0, n = 0;
	gs_instant now = 1700000000;
	int i;

	(void)state;
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x40 + i);
	assert_int_equal(labelkey_derive(seed, false, &k, &d), 0);
	assert_int_equal(labelkey_certificate(k, "gsomia label key KOR", now, &cert, &certlen, &d), 0);
	memset(&kor, 0, sizeof(kor));
	memset(&jpn, 0, sizeof(jpn));
	snprintf(kor.code, sizeof(kor.code), "KOR");
	snprintf(kor.policy, sizeof(kor.policy), KOR_POLICY);
	snprintf(jpn.code, sizeof(jpn.code), "JPN");
	snprintf(jpn.policy, sizeof(jpn.policy), "urn:oid:2.25.2");
	/* names that need escaping are escaped */
	snprintf(jpn.policy_name, sizeof(jpn.policy_name), "A&B <\"x\">");
	assert_int_equal(label_make(&kor, "군사III급비밀", now, now + 1, codes, 2, false, &labels[0], &d), 0);
	assert_int_equal(label_make(&jpn, "秘", now, now + 1, codes, 2, true, &labels[1], &d), 0);
	memset(digest, 0xab, sizeof(digest));
	assert_int_equal(binding_ni_uri("sha-256", digest, sizeof(digest), uri, sizeof(uri)), 0);
	assert_string_equal(uri, "ni:///sha-256;q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s");
	memset(&r, 0, sizeof(r));
	r.orig = &labels[0];
	r.alts = &labels[1];
	r.nalts = 1;
	r.data_uri = uri;
	r.id = "abc";
	r.signed_at = now;
	r.key = k;
	r.cert = cert;
	r.certlen = certlen;
	assert_int_equal(binding_make(&r, &xml, &len, &d), 0);
	trust_init(&t);
	assert_int_equal(binding_verify(xml, len, trust_vector, &t, b, &d), 0);
	assert_string_equal(b->alts[0].policy_name, "A&B <\"x\">");
	assert_string_equal(b->orig.classification, "군사III급비밀");
	assert_string_equal(b->data_uri, uri);
	assert_int_equal(b->signed_at, now);
	assert_int_equal(binding_inspect(xml, len, b, &d), 0);
	assert_string_equal(b->id, "binding-abc");
	/* a bad id is refused before anything is signed */
	r.id = "a b";
	free(xml);
	assert_int_equal(binding_make(&r, &xml, &len, &d), GS_EINVAL);
	assert_null(xml);
	/* ni: names */
	assert_int_equal(binding_ni_parse(uri, alg, sizeof(alg), digest, sizeof(digest), &n), 0);
	assert_int_equal(n, 32);
	assert_int_equal(binding_ni_parse("ni:///sha-256;q6ur+6ur", alg, sizeof(alg), digest, sizeof(digest), &n),
			 GS_EINVAL);
	assert_int_equal(binding_ni_parse("ni://host/sha-256;q6ur", alg, sizeof(alg), digest, sizeof(digest), &n),
			 GS_EINVAL);
	assert_int_equal(binding_ni_parse("ni:///;q6ur", alg, sizeof(alg), digest, sizeof(digest), &n), GS_EINVAL);
	free(cert);
	free(b);
	labelkey_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_label_known_answer),
		cmocka_unit_test(test_label_refusals),
		cmocka_unit_test(test_label_lenient_reading),
		cmocka_unit_test(test_spif_example),
		cmocka_unit_test(test_spif_refusals),
		cmocka_unit_test(test_spif_obsolete_skipped),
		cmocka_unit_test(test_binding_known_answer),
		cmocka_unit_test(test_binding_tampering),
		cmocka_unit_test(test_binding_round_trip),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
