/* SPDX-License-Identifier: Apache-2.0 */
/* Receiving a bundle: verified outside the node's lock, kept, marked for
 * this party, recorded in a group commit, and its signed receipt made. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "node/warnings.h"
#include "util/banned.h"

static int make_receipt(struct node *n, const struct bundle_manifest *m, const char *labels,
			gs_instant at, uint64_t index, char **out, size_t *outlen, struct gs_diag *d)
{
	char *proof = NULL, *text = NULL, *b64 = NULL, hex[65], when[GS_INSTANT_STR], origin[GS_MAX_NAME];
	size_t plen = 0, cap;
	int k, ret;

	if ((ret = ledger_proof_make(n, m->sender, index, &proof, &plen, d)))
		return ret;
	cap = B64_ENCODED_SIZE(plen);
	b64 = malloc(cap);
	text = malloc(cap + 4096);
	if (!b64 || !text) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = b64_encode((const uint8_t *)proof, plen, b64, cap)) < 0)
		goto out;
	hex_encode(bundle_payload_digest(m), 32, hex, sizeof(hex));
	instant_format(at, when);
	ledger_origin(n->self.code, n->self.exercise, m->sender, origin);
	k = snprintf(text, cap + 4096,
		     RECEIPT_MAGIC "bundle %s\nitem %s\noriginator %s\nsender %s\nrecipient %s\n"
		     "agreement %s\nagreement-version %u\npayload-sha256 %s\nreceived %s\n"
		     "marking %s\nexercise %s\nledger %s\nindex %llu\nproof %s\n",
		     m->bundle_id, m->item, m->originator, m->sender, m->recipient, m->agreement,
		     m->agreement_version, hex, when, labels, m->exercise ? "yes" : "no", origin,
		     (unsigned long long)index, b64);
	if (k < 0 || (size_t)k >= cap + 4096) {
		ret = gs_diag_set(d, GS_ELIMIT, "receipt too long");
		goto out;
	}
	ret = node_sign(n, text, (size_t)k, out, outlen, d);
out:
	free(proof);
	free(b64);
	free(text);
	return ret;
}

/* Both ends of a release must have been members of the agreement at its
 * instant: a party that left a multilateral agreement neither releases
 * nor receives under it (docs/lifecycle.md, "Members"). */
static int members_at_release(const char *bundle_path, const struct agreement *a,
			      const struct lifecycle_status *st, const char *sender, const char *self,
			      gs_instant created, struct gs_diag *d)
{
	const char *who[2] = { sender, self };
	char when[GS_INSTANT_STR];

	for (int i = 0; i < 2 && st->nmembers > 0; i++) {
		const struct lifecycle_member *m = lifecycle_member_find(st, who[i]);

		if (m && member_state_allows_release(m->state))
			continue;
		instant_format_local(created, a->zone, when);
		return gs_diag_set(d, GS_EDENIED, "%s: %s was not a member of agreement '%s' at the "
				   "release instant %s (%s); refused", bundle_path, who[i], a->id, when,
				   m ? member_state_name(m->state) : "not a party");
	}
	return 0;
}

int node_receive(struct node *n, const char *bundle_path, const char *receipt_out,
		 struct receive_result *res, struct gs_diag *d)
{
	return node_receive_marked(n, bundle_path, receipt_out, NULL, res, d);
}

/* What one receipt of a bundle writes, as a member of a group commit
 * (node/commit.h): its ledger entry, the item with the entry's index, its
 * sealed key, custody. */
struct receive_write {
	json_t *rec;
	const char *item, *sender;
	const uint8_t *skey;
	gs_instant now;
	struct ledger_entry *e;
	uint64_t *index;
};

static int receive_write(struct node *n, void *ctx, struct gs_diag *d)
{
	struct receive_write *w = ctx;
	char *held = NULL;
	int ret;

	/* the same item received meanwhile by another call */
	if (store_record_get(n->st, "items", w->item, &held) == 0) {
		free(held);
		return gs_diag_set(d, GS_EEXIST, "item '%s' is already held", w->item);
	}
	if ((ret = ledger_append(n, w->sender, w->e, w->index, d)))
		return ret;
	json_object_set_new(w->rec, "receipt_index", json_integer((json_int_t)*w->index));
	json_object_set_new(w->rec, "receipt_at", jinstant(w->now));
	if ((ret = item_put(n, w->rec, w->now)) ||
	    (ret = store_item_key_set(n->st, w->item, w->skey, SEALED_KEY_BYTES)) ||
	    (ret = store_custody_add(n->st, w->item, w->now, "received", n->self.code, w->sender)))
		return ret;
	return 0;
}

/* Copies the bundle (open as in, which is read from its start) to dst, a
 * new file, without syncing it: the batch that commits its records does
 * (node/commit.h). *out is the new file, open, for that. */
static int copy_unsynced(int in, const char *src, const char *dst, int *out, struct gs_diag *d)
{
	char buf[65536];
	struct stat sb;
	ssize_t r, w;
	size_t off;
	int fd;

	if (lseek(in, 0, SEEK_SET) != 0)
		return gs_diag_set(d, GS_EIO, "%s: cannot seek", src);
	unlink(dst); /* a pending copy left by an interrupted attempt */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", dst, strerror(errno));
	progress_phase("copying", fstat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0);
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			gs_diag_set(d, GS_EIO, "%s: %s", src, strerror(errno));
			goto fail;
		}
		for (off = 0; off < (size_t)r; off += (size_t)w) {
			w = write(fd, buf + off, (size_t)r - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				gs_diag_set(d, GS_EIO, "%s: %s", dst, w < 0 ? strerror(errno) : "short write");
				goto fail;
			}
		}
		progress_add((uint64_t)r);
	}
	*out = fd;
	return 0;
fail:
	close(fd);
	unlink(dst);
	return GS_EIO;
}

static int receive_marked(struct node *n, const char *bundle_path, const char *receipt_out, const char *marking,
			  struct receive_result *res, struct gs_diag *d);

/* A received missile warning is indexed, shown and relayed once its
 * receipt is recorded (node/warnings.h); a bundle that is not one is
 * left as it is. Also for a bundle already held: a crash between the two
 * leaves it to the next delivery. */
int node_receive_marked(struct node *n, const char *bundle_path, const char *receipt_out, const char *marking,
			struct receive_result *res, struct gs_diag *d)
{
	int ret = receive_marked(n, bundle_path, receipt_out, marking, res, d);

	if (!ret)
		node_warning_received(n, res->item);
	return ret;
}

/* The bundles being received in this process. Two receipts of the same
 * bundle at once (a sender's retry racing its first attempt) would share
 * its pending file objects/BUNDLE.tmp, and one could remove or rename the
 * other's: the second waits until the first is done, then finds the item
 * held (and answers with the same receipt). */
#define RECEIVING_MAX 128
static pthread_mutex_t receiving_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t receiving_done = PTHREAD_COND_INITIALIZER;
static char receiving[RECEIVING_MAX][BUNDLE_ID_HEX];

static int receiving_find(const char *bundle)
{
	for (int i = 0; i < RECEIVING_MAX; i++)
		if (!strcmp(receiving[i], bundle))
			return i;
	return -1;
}

static void receiving_claim(const char *bundle)
{
	int free_slot;

	pthread_mutex_lock(&receiving_lock);
	while (receiving_find(bundle) >= 0 || (free_slot = receiving_find("")) < 0)
		pthread_cond_wait(&receiving_done, &receiving_lock);
	copy_str(receiving[free_slot], sizeof(receiving[0]), bundle);
	pthread_mutex_unlock(&receiving_lock);
}

static void receiving_release(const char *bundle)
{
	int i;

	pthread_mutex_lock(&receiving_lock);
	if ((i = receiving_find(bundle)) >= 0)
		receiving[i][0] = 0;
	pthread_cond_broadcast(&receiving_done);
	pthread_mutex_unlock(&receiving_lock);
}

static int receive_marked(struct node *n, const char *bundle_path, const char *receipt_out, const char *marking,
			  struct receive_result *res, struct gs_diag *d)
{
	struct bundle_manifest *m = NULL;
	struct bundle_sig sig;
	struct party *sender = NULL, *originator = NULL;
	struct lifecycle_status *st = NULL;
	const struct agreement *a;
	const struct annex_version *annex;
	struct decision md = { 0 };
	char keyname[GS_MAX_NAME], obj[GS_HOME_MAX + 96], tmp[GS_HOME_MAX + 96], hex[65], labels[GS_BUNDLE_MAX_BANNER];
	uint8_t fk[AGE_FILE_KEY_BYTES], skey[SEALED_KEY_BYTES], box_used[32];
	const uint8_t *sender_pk, *unused_box;
	gs_instant now;
	json_t *rec = NULL, *old = NULL;
	char *receipt = NULL;
	size_t rlen = 0;
	struct receive_write w;
	struct node_commit_member cm;
	struct ledger_entry *e = NULL;
	char version[16];
	int fd = -1, copy = -1, ret, placed = 0, locked = 0, claimed = 0;

	memset(res, 0, sizeof(*res));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)))
		return ret;
	m = calloc(1, sizeof(*m));
	sender = calloc(1, sizeof(*sender));
	originator = calloc(1, sizeof(*originator));
	st = calloc(1, sizeof(*st));
	e = calloc(1, sizeof(*e));
	if (!m || !sender || !originator || !st || !e) {
		ret = GS_ENOMEM;
		goto out;
	}
	fd = open(bundle_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", bundle_path, strerror(errno));
		goto out;
	}
	/* Who says they sent it: only a hint until the signature verifies. */
	if ((ret = bundle_read_manifest(fd, m, &sig, d))) {
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	node_mutex_lock(n);
	locked = 1;
	if ((ret = node_party_get(n, m->sender, sender, d)))
		goto out;
	node_mutex_unlock(n);
	locked = 0;
	party_key_name(sender->code, sender->exercise, keyname);
	/* the sender's key of the release instant (node/keyhistory.h) */
	if ((ret = party_keys_at(sender, m->created, &sender_pk, &unused_box, d))) {
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	/* the whole bundle is verified outside the node's lock */
	if (lseek(fd, 0, SEEK_SET) != 0 || (ret = bundle_verify(fd, keyname, sender_pk, m, d))) {
		if (!ret)
			ret = gs_diag_set(d, GS_EIO, "%s: cannot seek", bundle_path);
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	if (strcmp(m->recipient, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: bundle is for '%s', not for this node (%s)",
				  bundle_path, m->recipient, n->self.code);
		goto out;
	}
	if (m->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: %s bundle refused by %s node", bundle_path,
				  m->exercise ? "an exercise" : "a real", n->self.exercise ? "an exercise" : "a real");
		goto out;
	}
	/* one receipt of this bundle at a time, from here to the end */
	receiving_claim(m->bundle_id);
	claimed = 1;
	node_mutex_lock(n);
	locked = 1;
	if (!node_item_get(n, m->item, &old, NULL)) {
		if (!strcmp(jstr(old, "bundle"), m->bundle_id)) {
			/* The same bundle delivered twice is held once; the
			 * receipt is made again if asked for (a crash may have
			 * come between the commit and the receipt). */
			res->already_held = true;
			copy_str(res->item, sizeof(res->item), m->item);
			copy_str(res->bundle, sizeof(res->bundle), m->bundle_id);
			ret = 0;
			if (receipt_out && json_is_integer(json_object_get(old, "receipt_index"))) {
				json_t *mk = json_object_get(old, "marking");
				gs_instant at = now;
				size_t i;

				for (i = 0; i < json_array_size(mk) && i < GS_MAX_MARK_LABELS; i++)
					copy_str(res->marking.labels[res->marking.nlabels++], GS_MAX_LABEL,
						 json_string_value(json_array_get(mk, i)));
				copy_str(res->marking.originator_name, GS_MAX_NAME, jstr(old, "originator_name"));
				item_join_labels(&res->marking, labels, sizeof(labels));
				if (json_is_string(json_object_get(old, "receipt_at")))
					instant_parse(jstr(old, "receipt_at"), 0, &at);
				res->ledger_index = (uint64_t)json_integer_value(json_object_get(old, "receipt_index"));
				if (!(ret = make_receipt(n, m, labels, at, res->ledger_index, &receipt, &rlen, d))) {
					copy_str(res->receipt_path, sizeof(res->receipt_path), receipt_out);
					ret = !strcmp(receipt_out, "-")
						      ? (fwrite(receipt, 1, rlen, stdout) == rlen ? 0 : GS_EIO)
						      : write_file_atomic(receipt_out, receipt, rlen, 0644, d);
				}
			}
			goto out;
		}
		ret = gs_diag_set(d, GS_EEXIST, "%s: item '%s' is already held from another bundle",
				  bundle_path, m->item);
		goto out;
	}
	/* The agreement must have been in force when the sender released it. */
	/* the node's kept view (its lock is held): valid until a call that
	 * may refill the views, so taken again after onward_accept() */
	if ((ret = item_agreement_kept_at(n, m->agreement, m->created, st, &a, d)))
		goto out;
	if (!state_allows_release(st->state)) {
		char when[GS_INSTANT_STR];

		instant_format_local(m->created, a->zone, when);
		ret = gs_diag_set(d, GS_EDENIED, "%s: agreement '%s' was %s at the release instant %s; refused",
				  bundle_path, a->id, state_name(st->state), when);
		goto out;
	}
	if (agreement_party_index(a, m->sender) < 0) {
		ret = gs_diag_set(d, GS_EDENIED, "%s: sender '%s' is not a party to '%s'", bundle_path,
				  m->sender, a->id);
		goto out;
	}
	if ((ret = members_at_release(bundle_path, a, st, m->sender, n->self.code, m->created, d)))
		goto out;
	if (strcmp(m->originator, m->sender) && (ret = onward_accept(n, m, a, &res->marking, d))) {
		/* An onward release: the third party accepts it only with the
		 * originator's signed consent, held and verified here (node/onward.c). */
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	if ((ret = item_agreement_kept_at(n, m->agreement, m->created, st, &a, d)))
		goto out;
	*originator = *sender;
	annex = agreement_annex_at(a, date_of_instant(m->created, a->zone));
	if (!strcmp(m->originator, m->sender)) {
		char reason[GS_MAX_LINE];

		if ((ret = node_ruled(decide_marking(a, annex, originator, &n->self, m->banner_originator,
						     &res->marking, &md), "marking", d)))
			goto out;
		if (!md.permit) {
			decision_reason(&md, reason, sizeof(reason));
			ret = gs_diag_set(d, GS_EDENIED, "%s: %s", bundle_path, annex ? reason : "no annex in effect");
			goto out;
		}
	}
	/* The recipient's choice among the equivalent labels of its cell. */
	if (marking && (ret = marking_choose(&res->marking, marking))) {
		char cands[GS_BUNDLE_MAX_BANNER] = "";

		for (int k = 0; k < res->marking.ncandidates; k++) {
			size_t used = strlen(cands);

			snprintf(cands + used, sizeof(cands) - used, "%s%s", k ? ", " : "", res->marking.candidates[k]);
		}
		if (ret == GS_ESTATE)
			ret = gs_diag_set(d, GS_EINVAL, "%s: --marking %s: agreement '%s' keeps the originator's label; "
					  "there is no marking to choose", bundle_path, marking, a->id);
		else
			ret = gs_diag_set(d, GS_EINVAL, "%s: --marking %s is not one of the labels %s may mark this item "
					  "with (%s)", bundle_path, marking, n->self.code, cands);
		goto out;
	}
	if ((ret = node_unwrap_bundle_key(n, fd, fk, box_used, d))) {
		gs_diag_prefix(d, "%s", bundle_path);
		goto out;
	}
	item_seal_key(n, m->item, fk, skey);
	sodium_memzero(fk, sizeof(fk));
	node_mutex_unlock(n);
	locked = 0;

	/* Ciphertext only: the bundle file, as received, under objects/,
	 * pending until the commit (see items_recover); its bytes reach the
	 * disk with the batch that commits its records (node/commit.h). */
	if ((ret = item_ensure_dir(n, "objects", d)))
		goto out;
	item_object_path(n, m->bundle_id, ".tmp", tmp, sizeof(tmp));
	item_object_path(n, m->bundle_id, "", obj, sizeof(obj));
	if ((ret = copy_unsynced(fd, bundle_path, tmp, &copy, d)))
		goto out;
	placed = 1;
	fault_point("receive-stored");

	item_join_labels(&res->marking, labels, sizeof(labels));
	hex_encode(bundle_payload_digest(m), 32, hex, sizeof(hex));
	rec = json_object();
	json_object_set_new(rec, "id", json_string(m->item));
	json_object_set_new(rec, "originator", json_string(m->originator));
	json_object_set_new(rec, "originator_name", json_string(res->marking.originator_name));
	json_object_set_new(rec, "label", json_string(m->banner_originator));
	json_object_set_new(rec, "holder", json_string(n->self.code));
	json_object_set_new(rec, "marking", item_labels_json(res->marking.labels, res->marking.nlabels));
	json_object_set_new(rec, "candidates", item_labels_json(res->marking.candidates, res->marking.ncandidates));
	json_object_set_new(rec, "protect_as", json_boolean(res->marking.protect_as));
	json_object_set_new(rec, "agreement", json_string(m->agreement));
	json_object_set_new(rec, "agreement_version", json_integer(m->agreement_version));
	json_object_set_new(rec, "released_by", json_string(m->sender));
	json_object_set_new(rec, "released_at", jinstant(m->created));
	json_object_set_new(rec, "purpose", json_string(m->purpose));
	json_object_set_new(rec, "topic", json_string(m->topic));
	json_object_set_new(rec, "form", json_string(m->form));
	json_object_set_new(rec, "title", json_string(m->title));
	json_object_set_new(rec, "name", json_string(m->name));
	json_object_set_new(rec, "status", json_string("active"));
	json_object_set_new(rec, "facility", json_string(""));
	json_object_set_new(rec, "copy_of", json_string(""));
	json_object_set_new(rec, "translation_of", json_string(""));
	json_object_set_new(rec, "bundle", json_string(m->bundle_id));
	json_object_set_new(rec, "payload_sha256", json_string(hex));
	json_object_set_new(rec, "created_at", jinstant(now));
	if (m->consent[0])
		json_object_set_new(rec, "consent", json_string(m->consent));
	if (memcmp(box_used, n->self.box_pk, 32)) {
		/* sealed to a key this node has rotated away: opened with it */
		char b64[B64_ENCODED_SIZE(32)];

		b64_encode(box_used, 32, b64, sizeof(b64));
		json_object_set_new(rec, "box_key", json_string(b64));
	}
	ledger_entry_start(e, n, LEDGER_RECEIPT, now, m->item, NULL);
	ledger_entry_digest(e, bundle_payload_digest(m));
	snprintf(version, sizeof(version), "%u", m->agreement_version);
	ledger_entry_field(e, "bundle", m->bundle_id);
	ledger_entry_field(e, "sender", m->sender);
	ledger_entry_field(e, "originator", m->originator);
	ledger_entry_field(e, "agreement", m->agreement);
	ledger_entry_field(e, "agreement-version", version);
	ledger_entry_field(e, "label", m->banner_originator);
	ledger_entry_field(e, "marking", labels);
	if (m->consent[0])
		ledger_entry_field(e, "consent", m->consent);
	memset(&w, 0, sizeof(w));
	w.rec = rec;
	w.item = m->item;
	w.sender = m->sender;
	w.skey = skey;
	w.now = now;
	w.e = e;
	w.index = &res->ledger_index;
	memset(&cm, 0, sizeof(cm));
	cm.write = receive_write;
	cm.ctx = &w;
	cm.d = d;
	cm.sync_fd = copy;
	if ((ret = node_commit(n, &cm))) {
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the receipt of '%s'", m->item);
		goto out;
	}
	placed = 0;
	fault_point("receive-committed");
	if (rename(tmp, obj) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s (the item is recorded; reopening the home completes it)",
				  obj, strerror(errno));
		goto out;
	}
	copy_str(res->item, sizeof(res->item), m->item);
	copy_str(res->bundle, sizeof(res->bundle), m->bundle_id);
	/* The receipt is made after the commit: it proves the entry is in
	 * the log, so the entry must be there first. */
	node_mutex_lock(n);
	ret = make_receipt(n, m, labels, now, res->ledger_index, &receipt, &rlen, d);
	node_mutex_unlock(n);
	if (ret)
		goto out;
	if (!receipt_out) {
		if ((ret = item_ensure_dir(n, "receipts", d)))
			goto out;
		snprintf(res->receipt_path, sizeof(res->receipt_path), "%s/receipts/%s.receipt", n->home,
			 m->bundle_id);
		receipt_out = res->receipt_path;
	} else {
		copy_str(res->receipt_path, sizeof(res->receipt_path), receipt_out);
	}
	if (!strcmp(receipt_out, "-"))
		ret = fwrite(receipt, 1, rlen, stdout) == rlen ? 0 : GS_EIO;
	else
		ret = write_file_atomic(receipt_out, receipt, rlen, 0644, d);
out:
	if (locked)
		node_mutex_unlock(n);
	if (fd >= 0)
		close(fd);
	if (copy >= 0)
		close(copy);
	if (placed)
		unlink(tmp);
	if (claimed)
		receiving_release(m->bundle_id);
	sodium_memzero(fk, sizeof(fk));
	json_decref(rec);
	json_decref(old);
	free(receipt);
	free(m);
	free(sender);
	free(originator);
	free(st);
	free(e);
	return ret;
}

/* Reads "key value" lines of a receipt text. */
