/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "net/api.h"
#include "util/encode.h"
#include "util/banned.h"

unsigned api_bundle_status(int err)
{
	switch (err) {
	case GS_EINVAL:
	case GS_ELIMIT:
	case GS_ECRYPTO:
	case GS_ENOTFOUND: return 422;
	case GS_EDENIED: return 403;
	case GS_EEXIST:
	case GS_ESTATE: return 409;
	default: return 500;
	}
}

void deliver_req_release(struct deliver_req *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

/* A string member that must be there; json_string_length() also catches
 * an embedded NUL, which strlen() would hide. */
int api_json_object(const char *buf, size_t len, size_t cap, const char *where, json_t **out,
		    struct gs_diag *d)
{
	json_error_t jerr;

	*out = NULL;
	if (len > cap)
		return gs_diag_set(d, GS_ELIMIT, "body larger than %zu bytes", cap);
	*out = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return gs_diag_set(d, GS_EINVAL, "%s%d:%d: %s", where, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return gs_diag_set(d, GS_EINVAL, "the body is not a JSON object");
	}
	return 0;
}

static int member_copy(json_t *v, const struct api_member *m, void *out, struct gs_diag *d)
{
	if (m->type == API_INT) {
		json_int_t i;

		if (!json_is_integer(v))
			return gs_diag_set(d, GS_EINVAL, "member '%s' is not an integer", m->key);
		i = json_integer_value(v);
		if (i < m->lo || i > m->hi)
			return gs_diag_set(d, GS_EINVAL, "member '%s' is not from %d to %d", m->key, m->lo, m->hi);
		*(int *)((char *)out + m->off) = (int)i;
		return 0;
	}
	if (!json_is_string(v))
		return gs_diag_set(d, GS_EINVAL, "member '%s' is not a string", m->key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return gs_diag_set(d, GS_EINVAL, "member '%s' holds a NUL byte", m->key);
	if (json_string_length(v) >= m->cap)
		return gs_diag_set(d, GS_EINVAL, "member '%s' is longer than %zu bytes", m->key, m->cap - 1);
	memcpy((char *)out + m->off, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int api_members_parse(const char *buf, size_t len, const struct api_member *ms, size_t nm, void *out,
		      size_t size, const char *where, struct gs_diag *d)
{
	json_t *root, *v;
	const char *key;
	size_t i;
	int ret;

	memset(out, 0, size);
	if ((ret = api_json_object(buf, len, GS_NET_MAX_LOCAL_BODY, where, &root, d)))
		return ret;
	json_object_foreach(root, key, v) {
		for (i = 0; i < nm; i++)
			if (!strcmp(key, ms[i].key))
				break;
		if (i == nm) {
			ret = gs_diag_set(d, GS_EINVAL, "unknown member '%.64s'", key);
			break;
		}
		if ((ret = member_copy(v, &ms[i], out, d)))
			break;
	}
	json_decref(root);
	if (ret)
		memset(out, 0, size);
	return ret;
}

static const char *member(json_t *o, const char *key, size_t *len, struct gs_diag *d)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (!v) {
		gs_diag_set(d, GS_EINVAL, "missing member '%s'", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		gs_diag_set(d, GS_EINVAL, "member '%s' is not a string", key);
		return NULL;
	}
	s = json_string_value(v);
	*len = json_string_length(v);
	if (strlen(s) != *len) {
		gs_diag_set(d, GS_EINVAL, "member '%s' holds a NUL byte", key);
		return NULL;
	}
	return s;
}

int api_deliver_parse(const char *buf, size_t len, struct deliver_req *out, struct gs_diag *d)
{
	json_t *root;
	const char *kind, *id, *b64, *key;
	size_t kl, il, bl, cap, outlen;
	json_t *v;
	uint8_t *body = NULL;
	int ret = GS_EINVAL;

	memset(out, 0, sizeof(*out));
	if ((ret = api_json_object(buf, len, GS_NET_MAX_BODY, "", &root, d)))
		return ret;
	ret = GS_EINVAL;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "kind") && strcmp(key, "id") && strcmp(key, "body_b64")) {
			gs_diag_set(d, GS_EINVAL, "unknown member '%.64s'", key);
			goto out;
		}
	}
	if (!(kind = member(root, "kind", &kl, d)) || !(id = member(root, "id", &il, d)) ||
	    !(b64 = member(root, "body_b64", &bl, d)))
		goto out;
	if (!ident_kind_is_valid(kind)) {
		gs_diag_set(d, GS_EINVAL, "kind '%.64s' is not 1 to %d of [a-z0-9_]", kind,
			    GS_NET_MAX_KIND - 1);
		goto out;
	}
	if (!ident_id_is_valid(id)) {
		gs_diag_set(d, GS_EINVAL, "id '%.80s' is not 1 to %d of [A-Za-z0-9._-] (not starting with '.')",
			    id, GS_MAX_ID - 1);
		goto out;
	}
	cap = bl / 4 * 3 + 1;
	body = malloc(cap);
	if (!body) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (bl % 4 || sodium_base642bin(body, cap, b64, bl, NULL, &outlen, NULL,
					 sodium_base64_VARIANT_ORIGINAL) != 0) {
		gs_diag_set(d, GS_EINVAL, "body_b64 is not standard padded base64");
		goto out;
	}
	memcpy(out->kind, kind, kl + 1);
	memcpy(out->id, id, il + 1);
	out->body = body;
	out->len = outlen;
	body = NULL;
	ret = 0;
out:
	free(body);
	json_decref(root);
	return ret;
}

void checkpoint_req_release(struct checkpoint_req *r)
{
	if (!r)
		return;
	free(r->note);
	r->note = NULL;
	r->len = 0;
}

int api_checkpoint_parse(const char *buf, size_t len, struct checkpoint_req *out, struct gs_diag *d)
{
	json_t *root, *v, *proof, *h;
	const char *note, *key;
	size_t nl, i;
	json_int_t old;
	int ret = GS_EINVAL;

	out->note = NULL;
	out->len = 0;
	out->old_size = 0;
	out->nproof = 0;
	if ((ret = api_json_object(buf, len, GS_NET_MAX_BODY, "", &root, d)))
		return ret;
	ret = GS_EINVAL;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "checkpoint") && strcmp(key, "old_size") && strcmp(key, "proof")) {
			gs_diag_set(d, GS_EINVAL, "unknown member '%.64s'", key);
			goto out;
		}
	}
	if (!(note = member(root, "checkpoint", &nl, d)))
		goto out;
	if (nl == 0 || nl > GS_MAX_NOTE_BYTES) {
		ret = gs_diag_set(d, nl ? GS_ELIMIT : GS_EINVAL, "checkpoint: 1 to %d bytes", GS_MAX_NOTE_BYTES);
		goto out;
	}
	v = json_object_get(root, "old_size");
	if (!v) {
		gs_diag_set(d, GS_EINVAL, "missing member 'old_size'");
		goto out;
	}
	if (!json_is_integer(v) || (old = json_integer_value(v)) < 0) {
		gs_diag_set(d, GS_EINVAL, "member 'old_size' is not an integer >= 0");
		goto out;
	}
	proof = json_object_get(root, "proof");
	if (!proof) {
		gs_diag_set(d, GS_EINVAL, "missing member 'proof'");
		goto out;
	}
	if (!json_is_array(proof)) {
		gs_diag_set(d, GS_EINVAL, "member 'proof' is not an array");
		goto out;
	}
	if (json_array_size(proof) > GS_MAX_PROOF_HASHES) {
		ret = gs_diag_set(d, GS_ELIMIT, "proof: more than %d hashes", GS_MAX_PROOF_HASHES);
		goto out;
	}
	json_array_foreach(proof, i, h) {
		const char *s = json_string_value(h);

		if (!s || json_string_length(h) != strlen(s) ||
		    b64_decode_exact(s, strlen(s), out->proof[i], 32)) {
			gs_diag_set(d, GS_EINVAL, "proof[%zu] is not canonical base64 of 32 bytes", i);
			goto out;
		}
	}
	out->note = malloc(nl + 1);
	if (!out->note) {
		ret = GS_ENOMEM;
		goto out;
	}
	memcpy(out->note, note, nl + 1);
	out->len = nl;
	out->old_size = (uint64_t)old;
	out->nproof = json_array_size(proof);
	ret = 0;
out:
	json_decref(root);
	return ret;
}

char *api_checkpoint_json(const char *note, size_t len, uint64_t old_size,
			  const uint8_t proof[][32], size_t nproof)
{
	char b64[B64_ENCODED_SIZE(32)];
	json_t *j, *a = json_array();
	char *out = NULL;
	size_t i;

	if (!a || old_size > (uint64_t)INT64_MAX) {
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < nproof; i++) {
		if (b64_encode(proof[i], 32, b64, sizeof(b64)) < 0 ||
		    json_array_append_new(a, json_string(b64))) {
			json_decref(a);
			return NULL;
		}
	}
	j = json_pack("{s:s%, s:I, s:o}", "checkpoint", note, len, "old_size", (json_int_t)old_size,
		      "proof", a);
	if (j)
		out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}
