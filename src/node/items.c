/* SPDX-License-Identifier: Apache-2.0 */
/* Items at a node: what the rooms of an item's custody share (node/items_internal.h)
 * — the storage key and sealed file keys, the objects' places, the record
 * as stored — the age identity, and the recovery of an interrupted action. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/note.h"
#include "node/agreements.h"
#include "node/commit.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/outbox.h"
#include "util/outfile.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/onward.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/progress.h"
#include "util/encode.h"
#include "util/fault.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"



/* The key that seals item file keys at rest: derived from the node's
 * X25519 secret, so it is as safe as the sealed key file and needs no
 * extra secret. */
void item_storage_key(const uint8_t box_sk[32], uint8_t key[32])
{
	static const char ctx[] = "gsomia storage key v1";

	crypto_generichash(key, 32, (const uint8_t *)ctx, sizeof(ctx) - 1, box_sk, 32);
}

static void storage_key(const struct node *n, uint8_t key[32])
{
	item_storage_key(n->keys.box_sk, key);
}

static void seal_file_key(const struct node *n, const char *item, const uint8_t fk[AGE_FILE_KEY_BYTES],
			  uint8_t out[SEALED_KEY_BYTES])
{
	uint8_t key[32];

	storage_key(n, key);
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL,
						   fk, AGE_FILE_KEY_BYTES, (const uint8_t *)item,
						   strlen(item), NULL, out, key);
	sodium_memzero(key, sizeof(key));
}

static int unseal_file_key(struct node *n, const char *item, uint8_t fk[AGE_FILE_KEY_BYTES],
			   struct gs_diag *d)
{
	uint8_t key[32], *blob = NULL;
	size_t len = 0;
	int ret;

	ret = store_item_key_get(n->st, item, &blob, &len);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, GS_ESTATE, "item '%s' has no key: it was destroyed or returned", item);
	if (ret)
		return gs_diag_set(d, ret, "cannot read the key of item '%s'", item);
	storage_key(n, key);
	ret = len != SEALED_KEY_BYTES ||
	      crypto_aead_xchacha20poly1305_ietf_decrypt(fk, NULL, NULL,
						 blob + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						 len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						 (const uint8_t *)item, strlen(item), blob, key);
	sodium_memzero(key, sizeof(key));
	free(blob);
	return ret ? gs_diag_set(d, GS_ECRYPTO, "the stored key of item '%s' does not open (damaged database?)", item) : 0;
}

static int objects_path(const struct node *n, const char *bundle, const char *suffix, char *out, size_t cap)
{
	int k = snprintf(out, cap, "%s/objects/%s.bundle%s", n->home, bundle, suffix);

	return k < 0 || (size_t)k >= cap ? GS_ELIMIT : 0;
}

static int ensure_dir(const struct node *n, const char *name, struct gs_diag *d)
{
	char path[GS_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", n->home, name);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

/* Copies src into dst through a temporary file renamed into place. */
int node_copy_file(const char *src, const char *dst, struct gs_diag *d)
{
	struct outfile o;
	struct stat sb;
	char buf[65536];
	ssize_t r;
	int in, ret = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", src, strerror(errno));
	if ((ret = outfile_open(&o, dst, 0644, d))) {
		close(in);
		return ret;
	}
	progress_phase("copying", fstat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0);
	/* Into a file, the kernel copies (copy_file_range: no pass through
	 * this process, a shared extent where the file system can); a file
	 * system that cannot gets the plain copy below, from where it stopped. */
	while (!o.in_place) {
		ssize_t c = copy_file_range(in, NULL, o.fd, NULL, 8 << 20, 0);

		if (c < 0 && errno == EINTR)
			continue;
		if (c <= 0)
			break; /* the end, or no kernel copy here: read() goes on */
		progress_add((uint64_t)c);
	}
	while (!ret && (r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = gs_diag_set(d, GS_EIO, "%s: %s", src, strerror(errno));
		} else {
			ret = outfile_write(&o, buf, (size_t)r, d);
			progress_add((uint64_t)r);
		}
	}
	close(in);
	if (ret) {
		outfile_abort(&o);
		return ret;
	}
	return outfile_commit(&o, d);
}

void item_join_labels(const struct marking *m, char *out, size_t cap)
{
	size_t used = 0;
	int i, k;

	out[0] = 0;
	for (i = 0; i < m->nlabels; i++) {
		k = snprintf(out + used, cap - used, "%s%s", i ? "," : "", m->labels[i]);
		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
}

json_t *item_labels_json(char (*labels)[GS_MAX_LABEL], int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(labels[i]));
	return a;
}

int item_to_holding(json_t *rec, struct holding *h)
{
	json_t *a;
	size_t i;
	gs_instant t;
	static const char *const statuses[] = { "active", "returned", "destroyed", "lost", "compromised", "suspended" };
	static const char *const forms[] = { "oral", "visual", "electronic", "magnetic", "document", "equipment", "technology" };

	memset(h, 0, sizeof(*h));
	copy_str(h->item.id, sizeof(h->item.id), jstr(rec, "id"));
	copy_str(h->item.originator, sizeof(h->item.originator), jstr(rec, "originator"));
	copy_str(h->item.label, sizeof(h->item.label), jstr(rec, "label"));
	copy_str(h->item.purpose, sizeof(h->item.purpose), jstr(rec, "purpose"));
	copy_str(h->item.topic, sizeof(h->item.topic), jstr(rec, "topic"));
	copy_str(h->item.copy_of, sizeof(h->item.copy_of), jstr(rec, "copy_of"));
	copy_str(h->item.translation_of, sizeof(h->item.translation_of), jstr(rec, "translation_of"));
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!strcmp(jstr(rec, "form"), forms[i]))
			h->item.form = (enum item_form)i;
	copy_str(h->holder, sizeof(h->holder), jstr(rec, "holder"));
	a = json_object_get(rec, "marking");
	for (i = 0; i < json_array_size(a) && i < GS_MAX_MARK_LABELS; i++)
		copy_str(h->marking.labels[h->marking.nlabels++], GS_MAX_LABEL, json_string_value(json_array_get(a, i)));
	a = json_object_get(rec, "candidates");
	for (i = 0; i < json_array_size(a) && i < GS_MAX_LABELS_PER_CELL; i++)
		copy_str(h->marking.candidates[h->marking.ncandidates++], GS_MAX_LABEL,
			 json_string_value(json_array_get(a, i)));
	copy_str(h->marking.originator_name, sizeof(h->marking.originator_name), jstr(rec, "originator_name"));
	h->marking.protect_as = json_is_true(json_object_get(rec, "protect_as"));
	copy_str(h->agreement, sizeof(h->agreement), jstr(rec, "agreement"));
	h->agreement_version = (int)json_integer_value(json_object_get(rec, "agreement_version"));
	copy_str(h->released_by, sizeof(h->released_by), jstr(rec, "released_by"));
	h->released_at = GS_INSTANT_NONE;
	if (json_is_string(json_object_get(rec, "released_at")) &&
	    !instant_parse(jstr(rec, "released_at"), 0, &t))
		h->released_at = t;
	copy_str(h->facility, sizeof(h->facility), jstr(rec, "facility"));
	h->status = ITEM_ACTIVE;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(jstr(rec, "status"), statuses[i]))
			h->status = (enum item_status)i;
	return 0;
}

int node_item_get(struct node *n, const char *id, json_t **rec, struct gs_diag *d)
{
	char *s;
	int ret = store_record_get(n->st, "items", id, &s);

	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown item '%s'", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read item '%s'", id);
	*rec = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	free(s);
	return *rec ? 0 : gs_diag_set(d, GS_EIO, "damaged record of item '%s'", id);
}

static int put_item(struct node *n, json_t *rec, gs_instant now)
{
	char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int ret;

	if (!s)
		return GS_ENOMEM;
	ret = store_record_put(n->st, "items", jstr(rec, "id"), s, now);
	free(s);
	return ret;
}

/* The definition in effect at instant `at` (amendments), and the state. */
static int agreement_at(struct node *n, const char *id, gs_instant at, struct agreement_view *v,
			struct lifecycle_status *st, const struct agreement **a, struct gs_diag *d)
{
	int ret;

	if ((ret = agreement_view_load(n, id, v, d)))
		return ret;
	if ((ret = agreement_view_status(v, at, st))) {
		agreement_view_release(v);
		return gs_diag_set(d, ret, "cannot compute the state of '%s'", id);
	}
	*a = agreement_view_version(v, st->version);
	if (!*a)
		*a = agreement_view_base(v);
	return 0;
}

/* The same from the node's kept views (agreement_view_cached): *a is
 * valid until the next call that may refill them, so take it again after
 * any other decision. */
int item_agreement_kept_at(struct node *n, const char *id, gs_instant at, struct lifecycle_status *st,
			     const struct agreement **a, struct gs_diag *d)
{
	const struct agreement_view *v;
	int ret;

	if ((ret = agreement_view_cached(n, id, &v, d)))
		return ret;
	if ((ret = agreement_view_status(v, at, st)))
		return gs_diag_set(d, ret, "cannot compute the state of '%s'", id);
	*a = agreement_view_version(v, st->version);
	if (!*a)
		*a = agreement_view_base(v);
	return 0;
}


const char *const item_form_names[ITEM_FORMS] = { "oral", "visual", "electronic", "magnetic", "document",
						   "equipment", "technology" };

int node_export_age_identity(struct node *n, char **out, size_t *len, struct gs_diag *d)
{
	char id[AGE_IDENTITY_SIZE], rcpt[AGE_RECIPIENT_SIZE];
	char *buf;
	size_t cap = 512;
	int k;

	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (age_identity_encode(n->keys.box_sk, id) || age_recipient_encode(n->keys.box_pk, rcpt))
		return gs_diag_set(d, GS_EINVAL, "cannot encode the age identity");
	buf = sodium_malloc(cap);
	if (!buf) {
		sodium_memzero(id, sizeof(id));
		return GS_ENOMEM;
	}
	k = snprintf(buf, cap, "# gsomia node %s%s: X25519 identity in age format\n# public key: %s\n%s\n",
		     n->self.code, n->self.exercise ? " (EXERCISE)" : "", rcpt, id);
	sodium_memzero(id, sizeof(id));
	if (k < 0 || (size_t)k >= cap) {
		sodium_free(buf);
		return GS_ELIMIT;
	}
	*out = buf;
	*len = (size_t)k;
	return 0;
}

/* Completes or undoes what a crash interrupted: a pending object
 * (<bundle>.bundle.tmp) whose item was committed is put in place, any
 * other is removed, and so are temporary files of sealing. */
int items_recover(struct node *n)
{
	char dir[GS_PATH_MAX], from[GS_PATH_MAX], to[GS_PATH_MAX];
	struct dirent *e;
	DIR *dp;
	int fixed = 0;

	snprintf(dir, sizeof(dir), "%s/objects", n->home);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		char bundle[BUNDLE_ID_HEX];

		if (len < 4 || strcmp(e->d_name + len - 4, ".tmp"))
			continue;
		if (snprintf(from, sizeof(from), "%s/%s", dir, e->d_name) >= (int)sizeof(from))
			continue;
		if (len == BUNDLE_ID_HEX - 1 + strlen(".bundle.tmp") &&
		    !strcmp(e->d_name + BUNDLE_ID_HEX - 1, ".bundle.tmp")) {
			memcpy(bundle, e->d_name, BUNDLE_ID_HEX - 1);
			bundle[BUNDLE_ID_HEX - 1] = 0;
			if (store_item_with_bundle(n->st, bundle) == 0) {
				if (snprintf(to, sizeof(to), "%s/%s.bundle", dir, bundle) < (int)sizeof(to) &&
				    rename(from, to) == 0)
					fixed++;
				continue;
			}
		}
		if (unlink(from) == 0)
			fixed++;
	}
	closedir(dp);
	return fixed;
}

/* ---- shared with node/custody.c (node/items_internal.h) ---------------- */

void item_seal_key(const struct node *n, const char *item, const uint8_t fk[AGE_FILE_KEY_BYTES],
		   uint8_t out[SEALED_KEY_BYTES])
{
	seal_file_key(n, item, fk, out);
}

int item_unseal_key(struct node *n, const char *item, uint8_t fk[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	return unseal_file_key(n, item, fk, d);
}

int item_object_path(const struct node *n, const char *bundle, const char *suffix, char *out, size_t cap)
{
	return objects_path(n, bundle, suffix, out, cap);
}

int item_object_open(const struct node *n, const char *bundle, char *path, size_t cap, struct gs_diag *d)
{
	int fd, ret;

	if ((ret = objects_path(n, bundle, "", path, cap)))
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* A receipt commits its record, then renames the bundle into
		 * place: in between, the pending file is the bundle, made
		 * durable by the batch before the COMMIT (node/commit.h). */
		char pending[GS_PATH_MAX];

		if (!objects_path(n, bundle, ".tmp", pending, sizeof(pending)) &&
		    (fd = open(pending, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENOENT)
			fd = open(path, O_RDONLY | O_CLOEXEC); /* renamed since */
		if (fd < 0)
			errno = ENOENT;
	}
	if (fd < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
	return fd;
}

int item_ensure_dir(const struct node *n, const char *name, struct gs_diag *d)
{
	return ensure_dir(n, name, d);
}

int item_put(struct node *n, json_t *rec, gs_instant now)
{
	return put_item(n, rec, now);
}

int item_agreement_at(struct node *n, const char *id, gs_instant at, struct agreement_view *v,
		      struct lifecycle_status *st, const struct agreement **a, struct gs_diag *d)
{
	return agreement_at(n, id, at, v, st, a, d);
}

/* A key rotation (node/keyhistory.c) changes the storage key with the
 * X25519 secret: every sealed file key is opened under the current key
 * and sealed again under the one derived from new_box_sk, inside the
 * caller's transaction. */
struct reseal_ctx {
	struct node *n;
	const uint8_t *new_box_sk;
	int count;
	int ret;
	struct gs_diag *d;
};

static int reseal_one(void *ctx, const char *id, const char *json)
{
	struct reseal_ctx *c = ctx;
	uint8_t fk[AGE_FILE_KEY_BYTES], sealed[SEALED_KEY_BYTES], key[32];
	int ret;

	(void)json;
	ret = unseal_file_key(c->n, id, fk, c->d);
	if (ret == GS_ESTATE) /* destroyed or returned: no key to carry over */
		return 0;
	if (ret)
		return ret;
	item_storage_key(c->new_box_sk, key);
	randombytes_buf(sealed, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, fk,
						   AGE_FILE_KEY_BYTES, (const uint8_t *)id, strlen(id), NULL, sealed,
						   key);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(fk, sizeof(fk));
	if ((ret = store_item_key_set(c->n->st, id, sealed, sizeof(sealed))))
		return gs_diag_set(c->d, ret, "cannot keep the key of item '%s'", id);
	c->count++;
	return 0;
}

int items_reseal_keys(struct node *n, const uint8_t new_box_sk[32], int *count, struct gs_diag *d)
{
	struct reseal_ctx c = { n, new_box_sk, 0, 0, d };
	int ret = store_record_each(n->st, "items", reseal_one, &c);

	if (ret && (!d || !d->msg[0]))
		gs_diag_set(d, ret, "cannot read the items");
	*count = c.count;
	return ret;
}

struct rows_ctx {
	int (*fn)(void *ctx, const struct item_row *r);
	void *ctx;
};

/* The store's row as the node gives it (the faces see no store type). */
static int row_one(void *ctx, const struct store_item_row *sr)
{
	struct rows_ctx *c = ctx;
	const struct item_row r = { sr->id, sr->originator, sr->originator_name, sr->label, sr->marking, sr->status,
				    sr->when, sr->title, sr->name, sr->topic, sr->purpose, sr->agreement };

	return c->fn(c->ctx, &r);
}

int node_item_rows(struct node *n, int (*fn)(void *ctx, const struct item_row *r), void *ctx, struct gs_diag *d)
{
	struct rows_ctx c = { fn, ctx };
	int ret = store_item_rows_each(n->st, row_one, &c);

	return ret ? gs_diag_set(d, ret, "cannot read the inventory") : 0;
}
