/* SPDX-License-Identifier: Apache-2.0 */
/* The inbox: what peers deliver, kept once and acted on (node/inbox.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "node/agreements.h"
#include "node/backup.h"
#include "node/consent.h"
#include "node/custody.h"
#include "node/inbox.h"
#include "node/incident.h"
#include "node/items.h"
#include "node/outbox.h"
#include "node/restore.h"
#include "node/visits.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/ident.h"
#include "node/warnings.h"
#include "util/banned.h"

static int act_on_restoration(struct node *n, const char *peer, const char *path, json_t *r, struct gs_diag *d)
{
	struct restoration res;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool already;
	int ret;

	if ((ret = read_file(path, GS_MAX_NOTE_BYTES, &buf, &len, d)))
		return ret;
	ret = restore_notice_import(n, peer, buf, len, &res, &already, d);
	free(buf);
	if (!ret) {
		char lost[64];

		/* the server logs it (peer-restored, docs/operations.md "Logs") */
		snprintf(lost, sizeof(lost), "%" PRIu64 "-%" PRIu64, res.lost_from, res.lost_to);
		json_object_set_new(r, "restoration", json_string(res.id));
		json_object_set_new(r, "origin", json_string(res.origin));
		json_object_set_new(r, "lost", json_string(res.lost_to ? lost : "none"));
	}
	return ret;
}

/* Acts on a delivery kept in the inbox: a bundle is received (its
 * receipt goes back in the reply), a receipt or a note imported, a
 * consent (or a holder's request for one) or an incident notice or step
 * imported, a reclassification notice applied (and forwarded on by a
 * hub). A refusal
 * removes it from the inbox, so that a good copy can come later, and
 * answers 4xx: the sender's outbox stops retrying. Only these kinds are
 * taken (node_delivery_kind_taken). */
static int act_on(struct node *n, const char *peer, const char *kind, const char *path, int dup,
		  char **reply_json, struct gs_diag *d)
{
	json_t *r = json_pack("{s:b, s:b}", "accepted", 1, "duplicate", dup);
	int ret = 0;

	if (!r)
		return GS_ENOMEM;
	if (!strcmp(kind, "bundle")) {
		struct receive_result res;
		char receipt[GS_HOME_MAX + 256];
		uint8_t *buf = NULL;
		size_t len = 0;

		/* a name of this call's own: the same bundle delivered twice at
		 * once (a sender's retry racing its first attempt) makes two
		 * receipts, each answered to its own request */
		snprintf(receipt, sizeof(receipt), "%s.receipt-%08x", path, randombytes_random());
		ret = node_receive(n, path, receipt, &res, d);
		if (!ret && !read_file(receipt, GS_NET_MAX_REPLY / 2, &buf, &len, NULL)) {
			char *b64 = malloc(B64_ENCODED_SIZE(len));

			if (b64 && b64_encode(buf, len, b64, B64_ENCODED_SIZE(len)) >= 0)
				json_object_set_new(r, "receipt_b64", json_string(b64));
			free(b64);
			json_object_set_new(r, "item", json_string(res.item));
		}
		free(buf);
		unlink(receipt);
	} else if (!strcmp(kind, "receipt")) {
		char bundle[BUNDLE_ID_HEX];

		ret = node_receipt_import(n, path, bundle, d);
	} else if (!strcmp(kind, "note")) {
		struct import_summary sum;
		char named[GS_HOME_MAX + 256];

		/* the importer classifies files by name: a fresh name in HOME/tmp
		 * (emptied when the server starts), never one a delivery could
		 * take or a crash leave in the way */
		snprintf(named, sizeof(named), "%s/tmp/note-%08x%08x.note", n->home, randombytes_random(),
			 randombytes_random());
		if (link(path, named) == 0) {
			ret = node_agreement_import(n, named, &sum, d);
			unlink(named);
		} else {
			ret = gs_diag_set(d, GS_EIO, "inbox: %s", strerror(errno));
		}
	} else if (!strcmp(kind, "consent")) {
		/* a holder's request (kept to be answered), a consent or a refusal */
		json_t *rec = NULL;
		bool already;

		ret = node_consent_receive(n, path, &rec, &already, d);
		if (!ret)
			json_object_set_new(r, "consent", json_incref(json_object_get(rec, "id")));
		json_decref(rec);
	} else if (!strcmp(kind, "visit")) {
		/* a visit request at the host, or the host's answer at the visitor */
		json_t *rec = NULL;
		bool already;

		ret = node_visit_import(n, path, &rec, &already, d);
		if (!ret)
			json_object_set_new(r, "visit", json_incref(json_object_get(rec, "id")));
		json_decref(rec);
	} else if (!strcmp(kind, "reclassification")) {
		/* the originator's notice, alone or forwarded by a hub; a node
		 * that passed the item on forwards it in turn */
		struct reclassify_result res;
		struct custody_refusal ref;

		ret = node_reclassify_apply(n, path, &res, &ref, d);
		if (ret == GS_EDENIED && ref.rule[0])
			gs_diag_set(d, ret, "%s [%s]", ref.reason, ref.rule);
		for (int i = 0; !ret && i < res.forwards.n; i++) {
			struct gs_diag qd = { { 0 } };

			if (node_outbox_add(n, res.forwards.v[i].to, "reclassification", res.forwards.v[i].ref,
					   res.forwards.v[i].path, &qd))
				/* the server logs it; the file stays for 'gsomia outbox' by hand */
				json_object_set_new(r, "not_queued", json_pack("{s:s,s:s,s:s}", "to", res.forwards.v[i].to,
									    "path", res.forwards.v[i].path, "error", qd.msg));
		}
		if (!ret) {
			json_object_set_new(r, "item", json_string(res.item));
			json_object_set_new(r, "marking", json_string(res.marking));
			json_object_set_new(r, "forwarded_to", json_integer(res.forwards.n));
		}
		json_decref(res.applied);
	} else if (!strcmp(kind, "warning_refusal")) {
		/* a hub refused to relay one of this node's warnings */
		json_t *rec = NULL;
		uint8_t *buf = NULL;
		size_t len = 0;

		ret = read_file(path, GS_NET_MAX_BODY, &buf, &len, d);
		if (!ret)
			ret = node_warning_refusal_import(n, peer, buf, len, &rec, d);
		if (!ret)
			json_object_set_new(r, "warning", json_incref(json_object_get(rec, "warning")));
		json_decref(rec);
		free(buf);
	} else if (!strcmp(kind, "restoration")) {
		/* the peer restored its log from a backup (node/restore.h) */
		ret = act_on_restoration(n, peer, path, r, d);
	} else if (!strcmp(kind, "incident")) {
		/* a holder's notice or a later step, at the originator */
		json_t *rec = NULL;
		bool already;

		ret = node_incident_import(n, path, &rec, &already, d);
		/* A step that came before the one it follows (the sender's
		 * outbox retries each entry on its own schedule): not a
		 * refusal, so that it is sent again. */
		if (ret == GS_ESTATE)
			ret = GS_EIO;
		if (!ret)
			json_object_set_new(r, "incident", json_incref(json_object_get(rec, "id")));
		json_decref(rec);
	}
	if (ret) {
		size_t pl = strlen(path);

		json_decref(r);
		if (!dup)
			unlink(path);
		/* the sender is told what is wrong, not where this node keeps it */
		if (d && !strncmp(d->msg, path, pl) && !strncmp(d->msg + pl, ": ", 2))
			memmove(d->msg, d->msg + pl + 2, strlen(d->msg + pl + 2) + 1);
		gs_diag_prefix(d, "%s from %s", kind, peer);
		return ret;
	}
	*reply_json = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return *reply_json ? 0 : GS_ENOMEM;
}

/* The kinds a node acts on (act_on): nothing else is kept, so that a peer
 * cannot fill the inbox with data no command would ever take. */
bool node_delivery_kind_taken(const char *kind)
{
	static const char *const kinds[] = { "bundle", "receipt", "note", "consent", "incident", "visit",
					      "reclassification", "restoration", "warning_refusal" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

/* Links the synced file tmp into the inbox as KIND-ID, then acts on it.
 * link() never replaces, so of two deliveries of the same (kind, id), at
 * once or years apart, exactly one is kept; the other is acknowledged and
 * dropped. tmp is left for the caller to remove. */
static int inbox_take(struct node *n, const char *peer, const char *kind, const char *id,
		      const char *tmp, char **reply_json, struct gs_diag *d)
{
	char path[GS_HOME_MAX + 128];
	int dup = 0, dfd;

	snprintf(path, sizeof(path), "%s/inbox/%s-%s", n->home, kind, id);
	if (link(tmp, path) != 0) {
		if (errno != EEXIST)
			return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(errno));
		dup = 1;
	} else {
		char dir[GS_HOME_MAX + 16];

		snprintf(dir, sizeof(dir), "%s/inbox", n->home);
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return act_on(n, peer, kind, path, dup, reply_json, d);
}

/* Where a delivery of (kind, id) is kept: inbox/KIND-ID, for the kinds the
 * node takes. */
static int inbox_path(const struct node *n, const char *kind, const char *id, char *path, size_t cap,
		      struct gs_diag *d)
{
	if (!ident_kind_is_valid(kind) || !ident_id_is_valid(id))
		return gs_diag_set(d, GS_EINVAL, "bad kind or id");
	if (!node_delivery_kind_taken(kind))
		return gs_diag_set(d, GS_EINVAL, "this node takes no deliveries of kind '%s'", kind);
	snprintf(path, cap, "%s/inbox/%s-%s", n->home, kind, id);
	return 0;
}

/* Keeps a delivery as inbox/KIND-ID: written to a temporary file, synced,
 * then linked into place (inbox_take). */
int node_deliver(struct node *n, const char *peer, const char *kind, const char *id, const uint8_t *body,
		 size_t len, char **reply_json, struct gs_diag *d)
{
	char path[GS_HOME_MAX + 128], tmp[GS_HOME_MAX + 160];
	uint32_t rnd = randombytes_random();
	int fd, ret;

	if ((ret = inbox_path(n, kind, id, path, sizeof(path), d)))
		return ret;
	if (access(path, F_OK) == 0)
		return act_on(n, peer, kind, path, 1, reply_json, d);
	snprintf(tmp, sizeof(tmp), "%s/inbox/.tmp-%s-%s-%08x", n->home, kind, id, rnd);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(errno));
	/* close() releases the descriptor even when it fails: it is closed
	 * exactly once, as another thread may already hold the number again */
	ret = write_all(fd, body, len) || fsync(fd) ? errno : 0;
	if (close(fd) != 0 && !ret)
		ret = errno;
	if (ret) {
		unlink(tmp);
		return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(ret));
	}
	ret = inbox_take(n, peer, kind, id, tmp, reply_json, d);
	unlink(tmp);
	return ret;
}

/* The same for a delivery streamed to a file (POST /v1/peer/deliver-file):
 * the file is in HOME/tmp, on the inbox's file system; synced, then linked. */
int node_deliver_file(struct node *n, const char *peer, const char *kind, const char *id, const char *file,
		      char **reply_json, struct gs_diag *d)
{
	char path[GS_HOME_MAX + 128];
	struct stat sb;
	int fd, ret;

	if ((ret = inbox_path(n, kind, id, path, sizeof(path), d)))
		return ret;
	if (access(path, F_OK) == 0)
		return act_on(n, peer, kind, path, 1, reply_json, d);
	/* only a bundle may be large: notes, receipts and the rest keep the
	 * cap of POST /v1/peer/deliver */
	if (strcmp(kind, "bundle") && (stat(file, &sb) != 0 || (uint64_t)sb.st_size > GS_NET_MAX_BODY))
		return gs_diag_set(d, GS_ELIMIT, "a delivery of kind '%s' carries at most %u bytes", kind,
				   GS_NET_MAX_BODY);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(e));
	}
	close(fd);
	return inbox_take(n, peer, kind, id, file, reply_json, d);
}

int node_inbox_ready(struct node *n, struct gs_diag *d)
{
	char dir[GS_HOME_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/inbox", n->home);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot make %s: %s", dir, strerror(errno));
	return 0;
}
