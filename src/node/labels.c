/* SPDX-License-Identifier: Apache-2.0 */
#include "node/labels.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/bundle.h"
#include "crypto/labelkey.h"
#include "crypto/payload_digest.h"
#include "node/agreements.h"
#include "node/items.h"
#include "node/items_internal.h"
#include "node/record.h"
#include "util/encode.h"
#include "xml/label_xml.h"
#include "xml/spif_xml.h"
#include "util/file.h"
#include "util/banned.h"

#define REVIEW_YEARS 10
#define CERT_MAX 16384

/* ---- the facts of a bundle ---- */

/* The sender's signature and the payload of a bundle file, verified as
 * `receive` verifies them; the manifest into *m. */
static int verify_bundle_file(struct node *n, const char *path, struct bundle_manifest *m,
			      struct payload_digest *pd, struct gs_diag *d)
{
	struct bundle_sig sig;
	struct party *sender = calloc(1, sizeof(*sender));
	char keyname[GS_MAX_NAME];
	int fd, ret;

	if (!sender)
		return GS_ENOMEM;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ret = gs_diag_set(d, errno == ENOENT ? GS_ENOTFOUND : GS_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((ret = bundle_read_manifest(fd, m, &sig, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	if ((ret = node_party_get(n, m->sender, sender, d)))
		goto out;
	if (m->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s bundle, and this is %s node; refused", path,
				  m->exercise ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	party_key_name(sender->code, sender->exercise, keyname);
	if (lseek(fd, 0, SEEK_SET) != 0 || (ret = bundle_verify(fd, keyname, sender->sign_pk, m, d)) ||
	    lseek(fd, 0, SEEK_SET) != 0 || (ret = bundle_payload_ni(fd, m, pd, d))) {
		if (!ret)
			ret = gs_diag_set(d, GS_EIO, "%s: cannot read", path);
		else
			gs_diag_prefix(d, "%s", path);
	}
out:
	if (fd >= 0)
		close(fd);
	free(sender);
	return ret;
}

/* The facts a binding needs, gathered from a bundle or a holding. */
struct label_source {
	struct bundle_manifest m;
	char classification[GS_MAX_LABEL]; /* the originator's, now */
	char holder[GS_MAX_CODE];          /* a holding: who holds it ("" for a bundle file) */
	char holder_marking[GS_MAX_LABEL]; /* its marking, if the holder is not the originator */
	struct payload_digest pd;          /* what the binding names (crypto/payload_digest.h) */
};

static int source_of_item(struct node *n, const char *id, struct label_source *s, struct gs_diag *d)
{
	json_t *rec = NULL, *marking;
	char path[GS_PATH_MAX], hex[HEX_ENCODED_SIZE(64)];
	struct bundle_sig sig;
	const char *status;
	int fd = -1, ret;

	if ((ret = node_item_get(n, id, &rec, d)))
		return ret;
	status = jstr(rec, "status");
	if (!strcmp(status, "destroyed") || !strcmp(status, "returned")) {
		ret = gs_diag_set(d, GS_ESTATE, "item '%s' was %s: there is no payload left to bind a label to", id,
				  status);
		goto out;
	}
	if ((ret = item_object_path(n, jstr(rec, "bundle"), "", path, sizeof(path)))) {
		gs_diag_set(d, ret, "item '%s': bundle path too long", id);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ret = gs_diag_set(d, GS_EIO, "item '%s': its bundle %s cannot be read: %s", id, path, strerror(errno));
		goto out;
	}
	/* the node verified this bundle when it sealed or received it; its
	 * digest must still be the one the record holds */
	if ((ret = bundle_read_manifest(fd, &s->m, &sig, d)))
		goto out;
	hex_encode(bundle_payload_digest(&s->m), 32, hex, sizeof(hex));
	if (strcmp(hex, jstr(rec, "payload_sha256"))) {
		ret = gs_diag_set(d, GS_ECRYPTO, "item '%s': its stored bundle is not the one its record names", id);
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || (ret = bundle_payload_ni(fd, &s->m, &s->pd, d))) {
		ret = ret ? ret : gs_diag_set(d, GS_EIO, "item '%s': its bundle %s cannot be read", id, path);
		goto out;
	}
	copy_str(s->classification, sizeof(s->classification), jstr(rec, "label"));
	copy_str(s->holder, sizeof(s->holder), jstr(rec, "holder"));
	marking = json_object_get(rec, "marking");
	if (strcmp(s->holder, s->m.originator) && json_array_size(marking) > 0)
		copy_str(s->holder_marking, sizeof(s->holder_marking), json_string_value(json_array_get(marking, 0)));
out:
	if (fd >= 0)
		close(fd);
	json_decref(rec);
	return ret;
}

/* ---- the labels ---- */

static gs_instant review_default(gs_instant created)
{
	struct gs_date day = date_of_instant(created, 0);
	gs_instant midnight = date_midnight(day, 0);

	return date_midnight(date_add_years(day, REVIEW_YEARS, GS_LEAP_DAY_FEB28), 0) + (created - midnight);
}

static void add_code(const char **codes, int *n, const char *code)
{
	int i;

	if (!code || !*code)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(codes[i], code))
			return;
	codes[(*n)++] = code;
}

/* The originator's label and the other parties' alternatives. */
static int make_labels(struct node *n, const struct label_source *s, gs_instant review, struct conf_label *orig,
		       struct conf_label *alts, int *nalts, struct gs_diag *d)
{
	struct agreement_view *v = calloc(1, sizeof(*v));
	const struct agreement *a;
	struct party *parties = NULL, *op;
	const char *codes[4];
	int nc = 0, i, ret;

	*nalts = 0;
	if (!v)
		return GS_ENOMEM;
	/* the view is the node's own copy, verified now: the calls below
	 * may read the node again */
	if ((ret = agreement_view_load(n, s->m.agreement, v, d))) {
		free(v);
		return ret;
	}
	a = agreement_view_version(v, (int)s->m.agreement_version);
	if (!a) {
		ret = gs_diag_set(d, GS_ENOTFOUND, "agreement '%s' version %u is not held here", s->m.agreement,
				  s->m.agreement_version);
		goto out;
	}
	if (!(parties = calloc(GS_MAX_PARTIES, sizeof(*parties)))) {
		ret = GS_ENOMEM;
		goto out;
	}
	for (i = 0; i < a->nparties; i++) {
		const struct party *p = party_set_find(&v->parties, a->parties[i]);

		if (p)
			parties[i] = *p;
		else if ((ret = node_party_get(n, a->parties[i], &parties[i], d)))
			goto out;
	}
	if ((i = agreement_party_index(a, s->m.originator)) < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "'%s' is not a party to '%s'", s->m.originator, a->id);
		goto out;
	}
	op = &parties[i];
	add_code(codes, &nc, s->m.originator);
	add_code(codes, &nc, s->m.sender);
	add_code(codes, &nc, s->m.recipient);
	if (review == GS_INSTANT_NONE)
		review = review_default(s->m.created);
	if ((ret = label_make(op, s->classification, s->m.created, review, codes, nc, false, orig, d)))
		goto out;
	ret = label_alternatives(a, agreement_annex_at(a, date_of_instant(s->m.created, a->zone)), parties,
				 s->m.originator, orig, s->holder[0] ? s->holder : NULL, s->holder_marking, alts, nalts, d);
out:
	free(parties);
	agreement_view_release(v);
	free(v);
	return ret;
}

/* The node's label key, checked against what its identity certifies. */
static int own_label_key(struct node *n, struct label_key **k, uint8_t **cert, size_t *certlen, struct gs_diag *d)
{
	char path[GS_PATH_MAX];
	uint8_t pk[GS_LABEL_PK_BYTES];
	int ret;

	*k = NULL;
	*cert = NULL;
	if (!n->self.has_label_key)
		return gs_diag_set(d, GS_ESTATE,
				   "this node's identity certifies no label key (it was made before labels; docs/labels.md)");
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = labelkey_derive(n->keys.sign_sk, n->self.exercise, k, d)))
		return ret;
	labelkey_public(*k, pk);
	if (memcmp(pk, n->self.label_pk, sizeof(pk))) {
		ret = gs_diag_set(d, GS_ECRYPTO, "this node's identity certifies another label key than its keys give");
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/%s", n->home, NODE_LABEL_CRT_NAME);
	if ((ret = read_file(path, CERT_MAX, cert, certlen, d)) || (ret = labelkey_cert_public(*cert, *certlen, pk, d)))
		goto fail;
	if (memcmp(pk, n->self.label_pk, sizeof(pk))) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s is not a certificate of this node's label key", path);
		goto fail;
	}
	return 0;
fail:
	labelkey_free(*k);
	*k = NULL;
	free(*cert);
	*cert = NULL;
	return ret;
}

static int make_binding(struct node *n, const struct label_source *s, gs_instant review, char **xml, size_t *len,
			struct label_binding_info *info, struct gs_diag *d)
{
	struct conf_label *labels = calloc(GS_MAX_ALT_LABELS + 1, sizeof(*labels));
	struct binding_request r;
	struct label_key *key = NULL;
	char uri[BINDING_MAX_URI];
	uint8_t *cert = NULL;
	size_t certlen = 0;
	gs_instant now;
	int nalts = 0, ret;

	*xml = NULL;
	if (!labels)
		return GS_ENOMEM;
	if ((ret = make_labels(n, s, review, &labels[0], &labels[1], &nalts, d)) || (ret = node_now(n, &now, d)) ||
	    (ret = own_label_key(n, &key, &cert, &certlen, d)))
		goto out;
	if ((ret = binding_ni_uri(s->pd.alg, s->pd.bytes, s->pd.len, uri, sizeof(uri)))) {
		gs_diag_set(d, ret, "cannot name the payload digest");
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.orig = &labels[0];
	r.alts = &labels[1];
	r.nalts = nalts;
	r.data_uri = uri;
	r.id = s->m.bundle_id;
	r.signed_at = now;
	r.key = key;
	r.cert = cert;
	r.certlen = certlen;
	if ((ret = binding_make(&r, xml, len, d)))
		goto out;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->b.orig = labels[0];
		memcpy(info->b.alts, &labels[1], sizeof(info->b.alts));
		info->b.nalts = nalts;
		copy_str(info->b.data_uri, sizeof(info->b.data_uri), uri);
		snprintf(info->b.id, sizeof(info->b.id), "binding-%s", s->m.bundle_id);
		labelkey_public(key, info->b.signer_pk);
		info->b.signed_at = now;
		copy_str(info->signer, sizeof(info->signer), n->self.code);
		copy_str(info->item, sizeof(info->item), s->m.item);
		copy_str(info->bundle, sizeof(info->bundle), s->m.bundle_id);
		info->payload_checked = true;
	}
out:
	labelkey_free(key);
	free(cert);
	free(labels);
	return ret;
}

static int source_of(struct node *n, const char *source, struct label_source *s, struct gs_diag *d)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (stat(source, &st) == 0) {
		int ret = verify_bundle_file(n, source, &s->m, &s->pd, d);

		if (!ret)
			copy_str(s->classification, sizeof(s->classification), s->m.banner_originator);
		return ret;
	}
	if (strchr(source, '/'))
		return gs_diag_set(d, GS_ENOTFOUND, "%s: %s", source, strerror(errno));
	return source_of_item(n, source, s, d);
}

int node_label_export(struct node *n, const char *source, const char *output, gs_instant review,
		      struct label_binding_info *info, struct gs_diag *d)
{
	struct label_source *s = calloc(1, sizeof(*s));
	char *xml = NULL;
	size_t len = 0;
	int ret;

	if (!s)
		return GS_ENOMEM;
	if (!(ret = source_of(n, source, s, d)) && !(ret = make_binding(n, s, review, &xml, &len, info, d)))
		ret = write_file_atomic(output, xml, len, 0644, d);
	free(xml);
	free(s);
	return ret;
}

int node_label_binding(struct node *n, const char *item, char **xml, size_t *len, struct label_binding_info *info,
		       struct gs_diag *d)
{
	struct label_source *s = calloc(1, sizeof(*s));
	int ret;

	*xml = NULL;
	if (!s)
		return GS_ENOMEM;
	if (!(ret = source_of_item(n, item, s, d)))
		ret = make_binding(n, s, GS_INSTANT_NONE, xml, len, info, d);
	free(s);
	return ret;
}

/* ---- verifying ---- */

struct trust_ctx {
	struct node *n;
	const uint8_t *pk;
	char code[GS_MAX_CODE];
};

static int trust_one(void *ctx, const struct store_party *sp)
{
	struct trust_ctx *t = ctx;
	struct party *p = calloc(1, sizeof(*p));
	int found = 0;

	if (!p)
		return GS_ENOMEM;
	/* an identity that does not verify certifies nothing */
	if (!node_party_get(t->n, sp->code, p, NULL) && p->has_label_key &&
	    !memcmp(p->label_pk, t->pk, GS_LABEL_PK_BYTES)) {
		copy_str(t->code, sizeof(t->code), p->code);
		found = 1;
	}
	free(p);
	return found;
}

static int trust_registered(void *ctx, const uint8_t pk[GS_LABEL_PK_BYTES], struct gs_diag *d)
{
	struct trust_ctx *t = ctx;
	int ret;

	t->pk = pk;
	t->code[0] = '\0';
	ret = store_party_each(t->n->st, trust_one, t);
	if (ret < 0)
		return gs_diag_set(d, ret, "cannot read the registered parties");
	if (ret == 0)
		return gs_diag_set(d, GS_EDENIED,
				   "the binding is signed by a label key that no registered party's identity certifies; refused");
	return 0;
}

int node_label_verify(struct node *n, const char *path, const char *bundle_path, struct label_binding_info *info,
		      struct gs_diag *d)
{
	struct trust_ctx t = { n, NULL, "" };
	struct bundle_manifest *m = NULL;
	struct payload_digest pd;
	uint8_t *buf = NULL, digest[64];
	char alg[16];
	size_t len = 0, dlen = 0;
	int ret;

	memset(info, 0, sizeof(*info));
	if ((ret = read_file(path, GS_MAX_BINDING_XML, &buf, &len, d)))
		return ret;
	if ((ret = binding_verify((const char *)buf, len, trust_registered, &t, &info->b, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	copy_str(info->signer, sizeof(info->signer), t.code);
	if (binding_ni_parse(info->b.data_uri, alg, sizeof(alg), digest, sizeof(digest), &dlen)) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: the data reference '%.100s' is not an ni: digest URI (RFC 6920)", path,
				  info->b.data_uri);
		goto out;
	}
	if (!bundle_path)
		goto out;
	if (!(m = calloc(1, sizeof(*m)))) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = verify_bundle_file(n, bundle_path, m, &pd, d)))
		goto out;
	if (strcmp(alg, pd.alg) || dlen != pd.len || memcmp(digest, pd.bytes, dlen)) {
		char want[BINDING_MAX_URI];

		if (binding_ni_uri(pd.alg, pd.bytes, pd.len, want, sizeof(want)))
			want[0] = '\0';
		ret = gs_diag_set(d, GS_ECRYPTO,
				  "%s: the binding's data reference %s is not the payload digest of %s (%s); refused", path,
				  info->b.data_uri, bundle_path, want);
		goto out;
	}
	copy_str(info->item, sizeof(info->item), m->item);
	copy_str(info->bundle, sizeof(info->bundle), m->bundle_id);
	info->payload_checked = true;
out:
	free(m);
	free(buf);
	if (ret)
		memset(info, 0, sizeof(*info));
	return ret;
}

/* ---- labels taken for a release ---- */

int node_label_for_release(struct node *n, const char *path, const char *to, char out[GS_MAX_LABEL],
			   struct gs_diag *d)
{
	struct conf_label *l = calloc(1, sizeof(*l));
	struct store_party sp;
	const char *cls = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int i, k, ret;

	out[0] = '\0';
	if (!l)
		return GS_ENOMEM;
	if ((ret = read_file(path, GS_MAX_LABEL_XML, &buf, &len, d)))
		goto out;
	if ((ret = label_xml_parse((const char *)buf, len, l, d)) ||
	    (ret = label_release_classification(l, &n->self, to, &cls, d))) {
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	for (i = 0; i < l->ncategories; i++)
		for (k = 0; k < l->categories[i].nvalues; k++) {
			if (store_party_get(n->st, l->categories[i].values[k], &sp)) {
				ret = gs_diag_set(d, GS_EDENIED,
						  "%s: '" LABEL_RELEASABLE_TO "' names %s, which is not a registered party; refused",
						  path, l->categories[i].values[k]);
				goto out;
			}
			store_party_release(&sp);
		}
	copy_str(out, GS_MAX_LABEL, cls);
out:
	free(buf);
	free(l);
	return ret;
}

/* ---- SPIFs ---- */

static int read_spif(const char *path, struct spif *s, struct gs_diag *d)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if ((ret = read_file(path, GS_MAX_SPIF_XML, &buf, &len, d)))
		return ret;
	if ((ret = spif_xml_parse((const char *)buf, len, s, d)))
		gs_diag_prefix(d, "%s", path);
	free(buf);
	return ret;
}

int spif_file_levels(const char *path, char **text, size_t *len, struct gs_diag *d)
{
	static const char head[] = "gsomia-party/v1\ncode: XXX\nname: check\nzone: +00:00\n"
				   "sign-key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
				   "box-key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	struct spif *s = calloc(1, sizeof(*s));
	struct party *p = calloc(1, sizeof(*p));
	char *buf = malloc(GS_MAX_NOTE_BYTES), *id = malloc(GS_MAX_NOTE_BYTES);
	int n = 0, ret;

	*text = NULL;
	if (!s || !p || !buf || !id) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = read_spif(path, s, d)))
		goto out;
	if ((n = spif_levels_text(s, buf, GS_MAX_NOTE_BYTES, d)) < 0) {
		ret = n;
		gs_diag_prefix(d, "%s", path);
		goto out;
	}
	/* exactly what `gsomia init --levels` will accept */
	snprintf(id, GS_MAX_NOTE_BYTES, "%s%s", head, buf);
	if ((ret = party_parse(id, strlen(id), p, d))) {
		gs_diag_prefix(d, "%s: the levels it gives are not a valid scheme", path);
		goto out;
	}
	*text = buf;
	*len = (size_t)n;
	buf = NULL;
out:
	free(id);
	free(buf);
	free(p);
	free(s);
	return ret;
}

struct policy_find {
	struct node *n;
	const char *uri;
	struct party *p;
	int found;
};

static int policy_one(void *ctx, const struct store_party *sp)
{
	struct policy_find *f = ctx;

	if (node_party_get(f->n, sp->code, f->p, NULL) || strcmp(f->p->policy, f->uri))
		return 0;
	f->found = 1;
	return 1;
}

/* The registered party whose scheme is s's policy, and every
 * classification of s a level of that scheme. */
static int spif_party(struct node *n, const char *path, const struct spif *s, struct party *p, struct gs_diag *d)
{
	char uri[GS_MAX_POLICY_URI + 16];
	struct policy_find f = { n, uri, p, 0 };
	int i, ret;

	snprintf(uri, sizeof(uri), "urn:oid:%s", s->policy_id);
	if ((ret = store_party_each(n->st, policy_one, &f)) < 0)
		return gs_diag_set(d, ret, "cannot read the registered parties");
	if (!f.found)
		return gs_diag_set(d, GS_ENOTFOUND,
				   "%s: policy %s ('%s') is not the policy of any registered party (import its identity first)",
				   path, uri, s->policy_name);
	for (i = 0; i < s->nclasses; i++)
		if (scheme_find(&p->scheme, s->classes[i].name) < 0)
			return gs_diag_set(d, GS_EINVAL, "%s:%d: '%s' is not a level of %s's scheme; refused", path,
					   s->classes[i].line, s->classes[i].name, p->code);
	return 0;
}

int node_spif_annex(struct node *n, const struct spif_annex_request *r, char **text, size_t *len,
		    struct gs_diag *d)
{
	struct spif *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct party *pa = calloc(1, sizeof(*pa)), *pb = calloc(1, sizeof(*pb));
	char *buf = malloc(GS_MAX_AGREEMENT_BYTES);
	struct annex_proposal o;
	gs_instant now;
	int ret;

	*text = NULL;
	if (!a || !b || !pa || !pb || !buf) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = read_spif(r->path_a, a, d)) || (ret = read_spif(r->path_b, b, d)) ||
	    (ret = spif_party(n, r->path_a, a, pa, d)) || (ret = spif_party(n, r->path_b, b, pb, d)))
		goto out;
	if (!strcmp(pa->code, pb->code)) {
		ret = gs_diag_set(d, GS_EINVAL, "both SPIFs are %s's policy: give one SPIF per party", pa->code);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.code_a = pa->code;
	o.code_b = pb->code;
	o.file_a = r->path_a;
	o.file_b = r->path_b;
	o.annex_number = r->annex_number > 0 ? r->annex_number : 1;
	o.effective = r->effective;
	if (!o.effective.year) {
		if ((ret = node_now(n, &now, d)))
			goto out;
		o.effective = date_of_instant(now, 0);
	}
	o.nrow_names = r->nrow_names;
	o.row_names = r->row_names;
	if ((ret = spif_annex_propose(a, b, &o, buf, GS_MAX_AGREEMENT_BYTES, d)) < 0)
		goto out;
	*len = (size_t)ret;
	*text = buf;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	free(pa);
	free(pb);
	free(a);
	free(b);
	return ret;
}

int node_label_key_pem(struct node *n, const char *code, char *pem, size_t cap, struct gs_diag *d)
{
	struct party *p = calloc(1, sizeof(*p));
	char buf[LABELKEY_PEM_MAX];
	int ret;

	if (!p)
		return GS_ENOMEM;
	if ((ret = node_party_get(n, code, p, d)) == 0) {
		if (!p->has_label_key) {
			ret = gs_diag_set(d, GS_ENOTFOUND, "%s's identity certifies no label key", code);
		} else {
			labelkey_public_pem(p->label_pk, buf);
			if (strlen(buf) >= cap)
				ret = GS_ELIMIT;
			else
				memcpy(pem, buf, strlen(buf) + 1);
		}
	}
	free(p);
	return ret;
}
