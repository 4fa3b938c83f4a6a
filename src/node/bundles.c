/* SPDX-License-Identifier: Apache-2.0 */
/* Bundle files as a person handles them (node/bundles.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/bundle.h"
#include "node/bundles.h"
#include "node/items.h"
#include "node/items_internal.h"
#include "node/partial.h"
#include "util/encode.h"
#include "util/banned.h"

bool node_bundle_name_ok(const char *name)
{
	return bundle_name_is_valid(name);
}

int node_bundle_describe(const char *file, json_t **out, struct gs_diag *d)
{
	struct bundle_manifest *m = calloc(1, sizeof(*m));
	struct bundle_sig sig;
	char hex[65], when[GS_INSTANT_STR];
	json_t *o;
	int fd, ret;

	*out = NULL;
	if (!m)
		return GS_ENOMEM;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(m);
		return gs_diag_set(d, GS_EIO, "%s: cannot open", file);
	}
	ret = bundle_read_manifest(fd, m, &sig, d);
	close(fd);
	if (ret) {
		gs_diag_prefix(d, "%s", file);
		free(m);
		return ret;
	}
	hex_encode(bundle_payload_digest(m), 32, hex, sizeof(hex));
	instant_format(m->created, when);
	o = json_object();
	json_object_set_new(o, "format", json_integer(m->version));
	json_object_set_new(o, "bundle", json_string(m->bundle_id));
	json_object_set_new(o, "item", json_string(m->item));
	json_object_set_new(o, "originator", json_string(m->originator));
	json_object_set_new(o, "sender", json_string(m->sender));
	json_object_set_new(o, "recipient", json_string(m->recipient));
	json_object_set_new(o, "agreement", json_string(m->agreement));
	json_object_set_new(o, "agreement_version", json_integer(m->agreement_version));
	json_object_set_new(o, "purpose", json_string(m->purpose));
	json_object_set_new(o, "topic", json_string(m->topic));
	json_object_set_new(o, "form", json_string(m->form));
	json_object_set_new(o, "title", json_string(m->title));
	json_object_set_new(o, "banner_originator", json_string(m->banner_originator));
	json_object_set_new(o, "banner_recipient", json_string(m->banner_recipient));
	json_object_set_new(o, "created", json_string(when));
	json_object_set_new(o, "exercise", json_boolean(m->exercise));
	json_object_set_new(o, "consent", json_string(m->consent));
	if (m->version == 1) {
		json_object_set_new(o, "payload_sha256", json_string(hex));
	} else {
		json_object_set_new(o, "payload_root", json_string(hex));
		json_object_set_new(o, "chunks", json_integer((json_int_t)(m->chunk_hashes / 32 - 1)));
	}
	json_object_set_new(o, "payload_size", json_integer((json_int_t)m->payload_size));
	json_object_set_new(o, "signed_by", json_string(sig.key_name));
	json_object_set_new(o, "verified", json_false());
	free(m);
	*out = o;
	return 0;
}

int node_bundle_verify_file(struct node *n, const char *file, json_t **out, struct gs_diag *d)
{
	struct bundle_manifest *m = calloc(1, sizeof(*m));
	struct partial_keys k = { n, NULL };
	uint64_t prefix = 0;
	struct stat st;
	int fd, complete = 0, ret;
	json_t *o;

	*out = NULL;
	if (!m)
		return GS_ENOMEM;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		free(m);
		return gs_diag_set(d, GS_EIO, "%s: cannot open", file);
	}
	ret = bundle_verified_prefix(fd, partial_bundle_key, &k, &prefix, &complete, m, d);
	close(fd);
	if (ret) {
		gs_diag_prefix(d, "%s", file);
		free(m);
		return ret;
	}
	o = json_pack("{s:s, s:b, s:I, s:I}", "file", file, "complete", complete, "verified_bytes", (json_int_t)prefix,
		      "bytes", (json_int_t)st.st_size);
	if (o && complete) {
		json_object_set_new(o, "bundle", json_string(m->bundle_id));
		json_object_set_new(o, "sender", json_string(m->sender));
		json_object_set_new(o, "recipient", json_string(m->recipient));
	}
	free(m);
	if (!o)
		return GS_ENOMEM;
	*out = o;
	return 0;
}

int node_bundle_export(struct node *n, const char *item, const char *output, struct gs_diag *d)
{
	char path[GS_PATH_MAX];
	json_t *rec = NULL;
	int ret;

	if ((ret = node_item_get(n, item, &rec, d)))
		return ret;
	ret = item_object_path(n, json_string_value(json_object_get(rec, "bundle")), "", path, sizeof(path));
	json_decref(rec);
	return ret ? gs_diag_set(d, ret, "item '%s': its bundle's path is too long", item) : node_copy_file(path, output, d);
}
