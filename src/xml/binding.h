/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_XML_BINDING_H
#define GS_XML_BINDING_H

/*
 * STANAG 4778 bindings (binding data objects, namespace
 * urn:nato:stanag:4778:bindinginformation:1:0) that bind a bundle's
 * confidentiality labels to its payload, signed with XML Signature so
 * that the stock xmlsec1 verifies them (docs/labels.md, "Bindings"):
 *
 *   mb:BindingInformation
 *     ds:Signature @Id
 *       ds:SignedInfo: exclusive C14N, ECDSA-SHA256, and two references,
 *         each with one exclusive C14N transform and a SHA-384 digest:
 *         #<MetadataBinding Id> and #<SignatureProperties Id>
 *       ds:SignatureValue (r || s), ds:KeyInfo/X509Data/X509Certificate
 *       ds:Object/SignatureProperties @Id/SignatureProperty @Target
 *         /wsu:Timestamp/wsu:Created (when the binding was signed)
 *     mb:MetadataBindingContainer
 *       mb:MetadataBinding @Id
 *         mb:Metadata: the originator's label; then one mb:Metadata per
 *           alternative label
 *         mb:DataReference @URI = ni:///sha-256;... (RFC 6920: the
 *           payload by its digest) @xmime:contentType
 *
 * Reading is strict, so that what was signed is what is read: exactly
 * this structure and nothing else (no comments, processing instructions
 * or other elements); every Id value in the document unique; the three
 * Id attributes registered explicitly (libxml2 knows no schema); each
 * reference's URI must resolve, through those registrations, to the very
 * element read (signature wrapping refused); algorithms exactly the ones
 * above. Then the digests, then the signature by the key in the
 * certificate, which the caller must trust (a registered party's
 * identity certifies it); only then are the labels read.
 */

#include <stddef.h>
#include <stdint.h>

#include "core/label.h"
#include "crypto/labelkey.h"
#include "util/err.h"

#define BINDING_MAX_URI 256
#define BINDING_MAX_ID 96

struct binding {
	char id[BINDING_MAX_ID];             /* the MetadataBinding's Id */
	struct conf_label orig;              /* the originator's label */
	int nalts;
	struct conf_label alts[GS_MAX_ALT_LABELS];
	char data_uri[BINDING_MAX_URI];      /* the DataReference */
	uint8_t signer_pk[GS_LABEL_PK_BYTES]; /* the key that signed it */
	gs_instant signed_at;                /* wsu:Created */
};

struct binding_request {
	const struct conf_label *orig;
	const struct conf_label *alts;
	int nalts;
	const char *data_uri;       /* from binding_ni_uri() */
	const char *id;             /* names the binding: [A-Za-z0-9._-], 1-63 bytes */
	gs_instant signed_at;
	const struct label_key *key;
	const uint8_t *cert;        /* the key's certificate, DER */
	size_t certlen;
};

/* Makes and signs a binding (malloc'd, at most GS_MAX_BINDING_XML
 * bytes), and verifies it again before returning it. */
int binding_make(const struct binding_request *r, char **out, size_t *len, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Decides whether a signing key is trusted: 0, or an error with d set. */
typedef int (*binding_trust_fn)(void *ctx, const uint8_t pk[GS_LABEL_PK_BYTES], struct gs_diag *d);

/* Verifies a binding as above and reads it into *out. GS_EINVAL
 * malformed or outside the profile ("LINE: what"), GS_ECRYPTO a digest or
 * the signature does not verify, or trust's error. */
int binding_verify(const char *buf, size_t len, binding_trust_fn trust, void *ctx, struct binding *out,
		   struct gs_diag *d) __attribute__((warn_unused_result));

/* The structure and the labels, WITHOUT checking digests or the
 * signature: for the fuzzer and for tests of the reader only. Nothing it
 * returns may be trusted. */
int binding_inspect(const char *buf, size_t len, struct binding *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* RFC 6920 "ni:///ALG;BASE64URL" of a digest; alg as the Named
 * Information registry spells it ("sha-256"). */
int binding_ni_uri(const char *alg, const uint8_t *digest, size_t n, char *out, size_t cap)
	__attribute__((warn_unused_result));
/* The reverse: GS_EINVAL unless uri is ni:///ALG;... with a canonical
 * unpadded base64url digest of at most cap bytes. */
int binding_ni_parse(const char *uri, char *alg, size_t algcap, uint8_t *digest, size_t cap, size_t *n)
	__attribute__((warn_unused_result));

#endif
