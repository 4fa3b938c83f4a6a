/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "net/api.h"
#include "util/banned.h"

int api_kind_is_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= GS_NET_MAX_KIND)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int api_id_is_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= GS_MAX_ID || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
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
	json_error_t jerr;
	const char *kind, *id, *b64, *key;
	size_t kl, il, bl, cap, outlen;
	json_t *v;
	uint8_t *body = NULL;
	int ret = GS_EINVAL;

	memset(out, 0, sizeof(*out));
	if (len > GS_NET_MAX_BODY)
		return gs_diag_set(d, GS_ELIMIT, "body larger than %u bytes", GS_NET_MAX_BODY);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return gs_diag_set(d, GS_EINVAL, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		gs_diag_set(d, GS_EINVAL, "the body is not a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "kind") && strcmp(key, "id") && strcmp(key, "body_b64")) {
			gs_diag_set(d, GS_EINVAL, "unknown member '%.64s'", key);
			goto out;
		}
	}
	if (!(kind = member(root, "kind", &kl, d)) || !(id = member(root, "id", &il, d)) ||
	    !(b64 = member(root, "body_b64", &bl, d)))
		goto out;
	if (!api_kind_is_valid(kind)) {
		gs_diag_set(d, GS_EINVAL, "kind '%.64s' is not 1 to %d of [a-z0-9_]", kind,
			    GS_NET_MAX_KIND - 1);
		goto out;
	}
	if (!api_id_is_valid(id)) {
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
