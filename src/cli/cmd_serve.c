/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/service.h"
#include "net/api.h"
#include "net/logline.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "net/server.h"
#include "net/witness_client.h"
#include "node/agreements.h"
#include "node/consent.h"
#include "node/custody.h"
#include "node/incident.h"
#include "node/visits.h"
#include "node/backup.h"
#include "node/items.h"
#include "node/restore.h"
#include "util/encode.h"
#include "util/banned.h"

static const char serve_help[] =
	"usage: gsomia serve [--listen ADDR:PORT] [--threads N] [--pidfile FILE]\n"
	"                    [--witness-every SECONDS] [--session-ttl SECONDS]\n"
	"                    [--max-per-address N] [--header-timeout SECONDS]\n"
	"                    [--peer-uploads N] [--peer-upload-bytes N] [--in-flight N]\n"
	"                    [--home DIR]\n\n"
	"Serves this node's HTTPS API (docs/api.md) with mutual TLS: peers present\n"
	"the certificate whose key their signed identity pins (tls-pin). --listen\n"
	"takes a numeric address (127.0.0.1:8443, [::1]:8443; port 0 picks a free\n"
	"one); without it the server listens on the host and port of this node's\n"
	"endpoint, or 127.0.0.1:8443. Prints 'listening on https://ADDR:PORT' once\n"
	"ready. SIGHUP reloads the identities, agreements and persons it keeps read;\n"
	"SIGINT or SIGTERM stops it cleanly: no new connection, every request begun\n"
	"answered (docs/operations.md). Under systemd it says when it is ready and\n"
	"feeds the watchdog (sd_notify), and takes the passphrase from the\n"
	"credential 'passphrase' (LoadCredential=). Deliveries from peers are kept\n"
	"in HOME/inbox/KIND-ID, once each, and acted on: a bundle is received (the\n"
	"receipt goes back in the reply), a receipt, a diplomatic note, a consent\n"
	"(or a request for one), an incident notice or step, or a visit request or\n"
	"answer imported.\n"
	"The outbox is delivered while it runs. Peers' checkpoints are cosigned\n"
	"(POST /v1/peer/checkpoint), and every --witness-every seconds (default 10;\n"
	"0: never) this node's log for each peer with an endpoint is sent to that\n"
	"peer to be cosigned when it has grown ('gsomia ledger witness'). Needs the\n"
	"passphrase (GSOMIA_PASSPHRASE or --passphrase-file).\n"
	"The node's own people sign in at /v1/session with the password set by\n"
	"'gsomia person password' and call /v1/local/... with the token; a\n"
	"session lasts --session-ttl seconds (default 28800, 8 hours). The web\n"
	"console for them is at https://ADDR:PORT/console/ (docs/console.md).\n"
	"One client address holds at most --max-per-address connections (default\n"
	"32, of 256); a request's whole header must arrive within --header-timeout\n"
	"seconds (default 10) of the connection opening or of its last reply, else\n"
	"the connection is closed (docs/api.md, \"Server limits\"). Each peer may\n"
	"have --peer-uploads deliveries under way at once (default 16) holding\n"
	"--peer-upload-bytes bytes (default 2 GiB); beyond, 429 with Retry-After.\n"
	"The courier keeps --in-flight deliveries under way to each peer (default\n"
	"8, at most 64).\n";

#define DEFAULT_LISTEN "127.0.0.1:8443"

struct inbox {
	char dir[GS_HOME_MAX + 16];
	struct node *n; /* the server's node: deliveries are acted on at once */
};

static int write_all(int fd, const uint8_t *p, size_t len)
{
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = write(fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

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

		snprintf(lost, sizeof(lost), "%" PRIu64 "-%" PRIu64, res.lost_from, res.lost_to);
		log_kv(LOG_WARNING, "peer-restored", "peer", peer, "origin", res.origin, "lost",
		       res.lost_to ? lost : "none", (const char *)NULL);
		json_object_set_new(r, "restoration", json_string(res.id));
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
 * taken (kind_taken). */
static int act_on(struct inbox *ib, const char *peer, const char *kind, const char *path, int dup,
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

		snprintf(receipt, sizeof(receipt), "%s.receipt", path);
		ret = node_receive(ib->n, path, receipt, &res, d);
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

		ret = node_receipt_import(ib->n, path, bundle, d);
	} else if (!strcmp(kind, "note")) {
		struct import_summary sum;
		char named[GS_HOME_MAX + 256];

		/* the importer classifies files by name: a fresh name in HOME/tmp
		 * (emptied when the server starts), never one a delivery could
		 * take or a crash leave in the way */
		snprintf(named, sizeof(named), "%s/tmp/note-%08x%08x.note", ib->n->home, randombytes_random(),
			 randombytes_random());
		if (link(path, named) == 0) {
			ret = node_agreement_import(ib->n, named, &sum, d);
			unlink(named);
		} else {
			ret = gs_diag_set(d, GS_EIO, "inbox: %s", strerror(errno));
		}
	} else if (!strcmp(kind, "consent")) {
		/* a holder's request (kept to be answered), a consent or a refusal */
		json_t *rec = NULL;
		bool already;

		ret = node_consent_receive(ib->n, path, &rec, &already, d);
		if (!ret)
			json_object_set_new(r, "consent", json_incref(json_object_get(rec, "id")));
		json_decref(rec);
	} else if (!strcmp(kind, "visit")) {
		/* a visit request at the host, or the host's answer at the visitor */
		json_t *rec = NULL;
		bool already;

		ret = node_visit_import(ib->n, path, &rec, &already, d);
		if (!ret)
			json_object_set_new(r, "visit", json_incref(json_object_get(rec, "id")));
		json_decref(rec);
	} else if (!strcmp(kind, "reclassification")) {
		/* the originator's notice, alone or forwarded by a hub; a node
		 * that passed the item on forwards it in turn */
		struct reclassify_result res;
		struct custody_refusal ref;

		ret = node_reclassify_apply(ib->n, path, &res, &ref, d);
		if (ret == GS_EDENIED && ref.rule[0])
			gs_diag_set(d, ret, "%s [%s]", ref.reason, ref.rule);
		for (int i = 0; !ret && i < res.forwards.n; i++) {
			struct gs_diag qd = { { 0 } };

			if (node_outbox_add(ib->n, res.forwards.v[i].to, "reclassification", res.forwards.v[i].ref,
					   res.forwards.v[i].path, &qd))
				fprintf(stderr, "gsomia serve: the forward to %s is kept in %s but not queued: %s\n",
					res.forwards.v[i].to, res.forwards.v[i].path, qd.msg);
		}
		if (!ret) {
			json_object_set_new(r, "item", json_string(res.item));
			json_object_set_new(r, "marking", json_string(res.marking));
			json_object_set_new(r, "forwarded_to", json_integer(res.forwards.n));
		}
		json_decref(res.applied);
	} else if (!strcmp(kind, "restoration")) {
		/* the peer restored its log from a backup (node/restore.h) */
		ret = act_on_restoration(ib->n, peer, path, r, d);
	} else if (!strcmp(kind, "incident")) {
		/* a holder's notice or a later step, at the originator */
		json_t *rec = NULL;
		bool already;

		ret = node_incident_import(ib->n, path, &rec, &already, d);
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
static int kind_taken(const char *kind)
{
	static const char *const kinds[] = { "bundle", "receipt", "note", "consent", "incident", "visit",
					      "reclassification", "restoration" };
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
static int inbox_take(struct inbox *ib, const char *peer, const char *kind, const char *id,
		      const char *tmp, char **reply_json, struct gs_diag *d)
{
	char path[GS_HOME_MAX + 128];
	int dup = 0, dfd;

	snprintf(path, sizeof(path), "%s/%s-%s", ib->dir, kind, id);
	if (link(tmp, path) != 0) {
		if (errno != EEXIST)
			return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(errno));
		dup = 1;
	} else {
		dfd = open(ib->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return act_on(ib, peer, kind, path, dup, reply_json, d);
}

/* Where a delivery of (kind, id) is kept: inbox/KIND-ID, for the kinds the
 * node takes. */
static int inbox_path(const struct inbox *ib, const char *kind, const char *id, char *path, size_t cap,
		      struct gs_diag *d)
{
	if (!api_kind_is_valid(kind) || !api_id_is_valid(id))
		return gs_diag_set(d, GS_EINVAL, "bad kind or id");
	if (!kind_taken(kind))
		return gs_diag_set(d, GS_EINVAL, "this node takes no deliveries of kind '%s'", kind);
	snprintf(path, cap, "%s/%s-%s", ib->dir, kind, id);
	return 0;
}

/* Keeps a delivery as inbox/KIND-ID: written to a temporary file, synced,
 * then linked into place (inbox_take). */
static int inbox_deliver(void *ctx, const char *peer, const char *kind, const char *id,
			 const uint8_t *body, size_t len, char **reply_json, struct gs_diag *d)
{
	struct inbox *ib = ctx;
	char path[GS_HOME_MAX + 128], tmp[GS_HOME_MAX + 160];
	uint32_t rnd = randombytes_random();
	int fd, ret;

	if ((ret = inbox_path(ib, kind, id, path, sizeof(path), d)))
		return ret;
	if (access(path, F_OK) == 0)
		return act_on(ib, peer, kind, path, 1, reply_json, d);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-%s-%08x", ib->dir, kind, id, rnd);
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
	ret = inbox_take(ib, peer, kind, id, tmp, reply_json, d);
	unlink(tmp);
	return ret;
}

/* The same for a delivery streamed to a file (POST /v1/peer/deliver-file):
 * the file is in HOME/tmp, on the inbox's file system; synced, then linked. */
static int inbox_deliver_file(void *ctx, const char *peer, const char *kind, const char *id,
			      const char *file, char **reply_json, struct gs_diag *d)
{
	struct inbox *ib = ctx;
	char path[GS_HOME_MAX + 128];
	struct stat sb;
	int fd, ret;

	if ((ret = inbox_path(ib, kind, id, path, sizeof(path), d)))
		return ret;
	if (access(path, F_OK) == 0)
		return act_on(ib, peer, kind, path, 1, reply_json, d);
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
	return inbox_take(ib, peer, kind, id, file, reply_json, d);
}

/* The listen address from an endpoint https://HOST[:PORT][/path]: a
 * numeric host as it is, a name as every interface. */
static void listen_from_endpoint(const char *endpoint, char *out, size_t cap)
{
	const char *h = endpoint + strlen("https://"), *end, *colon;
	char host[128];
	unsigned port = 443;
	size_t hl;

	if (strncmp(endpoint, "https://", 8) || !*h) {
		snprintf(out, cap, "%s", DEFAULT_LISTEN);
		return;
	}
	if (*h == '[') {
		end = strchr(h, ']');
		if (!end) {
			snprintf(out, cap, "%s", DEFAULT_LISTEN);
			return;
		}
		end++;
	} else {
		end = h + strcspn(h, ":/");
	}
	hl = (size_t)(end - h);
	colon = *end == ':' ? end : NULL;
	if (colon)
		port = (unsigned)strtoul(colon + 1, NULL, 10);
	if (hl >= sizeof(host)) {
		snprintf(out, cap, "%s", DEFAULT_LISTEN);
		return;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	if (host[0] == '[' || strspn(host, "0123456789.") == hl)
		snprintf(out, cap, "%s:%u", host, port);
	else
		snprintf(out, cap, "0.0.0.0:%u", port);
}

/* Delivers the outbox while the server runs, on a node handle of its own
 * (SQLite serialises the writers; WAL lets them read side by side). */
#define COURIER_PEERS 16
#define DEFAULT_WITNESS_EVERY 10

struct courier {
	struct node *n;
	volatile int stop;
	pthread_t thread;
	volatile int reload;    /* SIGHUP: forget what the courier's handle keeps read */
	unsigned witness_every; /* seconds; 0: never */
	unsigned in_flight;     /* deliveries under way per peer; 0: the default */
	/* the last witnessing failure said per peer, so that a peer that is
	 * down is reported once, not every round */
	struct {
		char peer[GS_MAX_CODE];
		char msg[GS_DIAG_MAX];
	} said[COURIER_PEERS];
};

static void witness_report(void *ctx, const char *peer, int ret, const struct witness_result *res,
			   const struct gs_diag *d)
{
	struct courier *c = ctx;
	const char *msg = ret ? (d->msg[0] ? d->msg : gs_strerror(ret)) : "";
	size_t i;

	if (!ret) {
		char size[24];

		snprintf(size, sizeof(size), "%" PRIu64, res->size);
		log_kv(LOG_INFO, "witness-cosigned", "peer", peer, "size", size, (const char *)NULL);
	}
	for (i = 0; i < COURIER_PEERS; i++)
		if (!c->said[i].peer[0] || !strcmp(c->said[i].peer, peer))
			break;
	if (i == COURIER_PEERS) {
		if (ret)
			log_kv(LOG_WARNING, "witness-failed", "peer", peer, "msg", msg, (const char *)NULL);
		return;
	}
	if (ret && strcmp(c->said[i].msg, msg))
		log_kv(LOG_WARNING, "witness-failed", "peer", peer, "msg", msg, (const char *)NULL);
	snprintf(c->said[i].peer, sizeof(c->said[i].peer), "%s", peer);
	snprintf(c->said[i].msg, sizeof(c->said[i].msg), "%s", msg);
}

static void *courier_run(void *arg)
{
	struct courier *c = arg;
	unsigned since = 0;

	while (!c->stop) {
		struct gs_diag d = { { 0 } };
		int delivered, refused, retry;

		if (c->reload) {
			unsigned parties;

			c->reload = 0;
			if (node_reload(c->n, &parties, &d))
				log_kv(LOG_ERROR, "reload-failed", "thread", "courier", "msg", d.msg, (const char *)NULL);
		}
		if (!courier_send(c->n, c->in_flight, &delivered, &refused, &retry, &d) && (delivered || refused)) {
			char a[16], b[16], r[16];

			snprintf(a, sizeof(a), "%d", delivered);
			snprintf(b, sizeof(b), "%d", refused);
			snprintf(r, sizeof(r), "%d", retry);
			log_kv(LOG_INFO, "outbox", "delivered", a, "refused", b, "retry", r, (const char *)NULL);
		}
		if (c->witness_every && ++since >= c->witness_every) {
			struct gs_diag wd = { { 0 } };

			since = 0;
			if (witness_due(c->n, witness_report, c, &wd))
				log_kv(LOG_WARNING, "witness-failed", "msg", wd.msg[0] ? wd.msg : "failed",
				       (const char *)NULL);
		}
		for (int i = 0; i < 10 && !c->stop; i++)
			usleep(100 * 1000);
	}
	return NULL;
}

static void courier_reload(void *ctx)
{
	((struct courier *)ctx)->reload = 1;
}

static int open_two(const char *home, const char *passfile, struct node **a, struct node **b)
{
	struct gs_diag d = { { 0 } };
	char *pass = NULL;
	size_t len = 0;
	int ret;

	*a = *b = NULL;
	ret = node_open(node_home_path(home), a, &d);
	if (!ret && !(ret = node_open(node_home_path(home), b, &d)))
		ret = passphrase_get(passfile, false, &pass, &len, &d);
	/* read once: the server runs for months, and keeps no copy of it where
	 * another process of the same user could read it (/proc/PID/environ) */
	env_forget("GSOMIA_PASSPHRASE");
	if (ret || (ret = node_unlock(*a, pass, len, &d)) || (ret = node_unlock(*b, pass, len, &d))) {
		passphrase_free(pass, len);
		node_close(*a);
		node_close(*b);
		*a = *b = NULL;
		return fail(ret, &d);
	}
	passphrase_free(pass, len);
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "witness-every", required_argument, NULL, 'w' },
		{ "session-ttl", required_argument, NULL, 's' },
		{ "max-per-address", required_argument, NULL, 'm' },
		{ "header-timeout", required_argument, NULL, 'T' },
		{ "peer-uploads", required_argument, NULL, 'U' },
		{ "peer-upload-bytes", required_argument, NULL, 'B' },
		{ "in-flight", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *listen = NULL, *pidfile = NULL, *passfile = NULL;
	static struct courier courier;
	int courier_started = 0;
	struct server_config cfg;
	struct server *srv = NULL;
	struct node *n = NULL;
	struct gs_diag d = { { 0 } };
	struct inbox ib;
	struct service_hooks hooks = { courier_reload, &courier, NULL };
	char addr[GS_MAX_NAME], pid[32];
	int lock = -1;
	unsigned long threads = 0, every = DEFAULT_WITNESS_EVERY, ttl = 0, per_address = 0, header_timeout = 0;
	unsigned long peer_uploads = 0, in_flight = 0;
	unsigned long long peer_bytes = 0;
	char *end;
	int c, ret, sig = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 't':
			errno = 0;
			threads = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || threads < 1 || threads > GS_NET_MAX_THREADS)
				return usage_error("serve", "--threads takes 1 to %d", GS_NET_MAX_THREADS);
			break;
		case 's':
			errno = 0;
			ttl = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || ttl < 1 || ttl > 30 * 86400)
				return usage_error("serve", "--session-ttl takes 1 to %d seconds", 30 * 86400);
			break;
		case 'm':
			errno = 0;
			per_address = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || per_address < 1 || per_address > GS_NET_MAX_CONNECTIONS)
				return usage_error("serve", "--max-per-address takes 1 to %d", GS_NET_MAX_CONNECTIONS);
			break;
		case 'T':
			errno = 0;
			header_timeout = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || header_timeout < 1 || header_timeout > GS_NET_TIMEOUT)
				return usage_error("serve", "--header-timeout takes 1 to %d seconds", GS_NET_TIMEOUT);
			break;
		case 'U':
			errno = 0;
			peer_uploads = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || peer_uploads < 1 || peer_uploads > GS_NET_MAX_CONNECTIONS)
				return usage_error("serve", "--peer-uploads takes 1 to %d", GS_NET_MAX_CONNECTIONS);
			break;
		case 'B':
			errno = 0;
			peer_bytes = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || peer_bytes < 1)
				return usage_error("serve", "--peer-upload-bytes takes a byte count of 1 or more");
			break;
		case 'F':
			errno = 0;
			in_flight = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || in_flight < 1 || in_flight > COURIER_MAX_IN_FLIGHT)
				return usage_error("serve", "--in-flight takes 1 to %d", COURIER_MAX_IN_FLIGHT);
			break;
		case 'p': pidfile = optarg; break;
		case 'w':
			errno = 0;
			every = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || every > 86400)
				return usage_error("serve", "--witness-every takes 0 to 86400 seconds");
			break;
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'h': fputs(serve_help, stdout); return EXIT_OK;
		default: return usage_error("serve", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("serve", "unexpected argument '%s'", argv[optind]);
	memset(&courier, 0, sizeof(courier));
	courier.witness_every = (unsigned)every;
	courier.in_flight = (unsigned)in_flight;
	if ((ret = open_two(home, passfile, &n, &courier.n)))
		return ret;
	if (!listen) {
		if (n->self.endpoint[0])
			listen_from_endpoint(n->self.endpoint, addr, sizeof(addr));
		else
			snprintf(addr, sizeof(addr), "%s", DEFAULT_LISTEN);
		listen = addr;
	}
	snprintf(ib.dir, sizeof(ib.dir), "%s/inbox", n->home);
	ib.n = n;
	if (mkdir(ib.dir, 0700) != 0 && errno != EEXIST) {
		ret = failf(GS_EIO, "cannot make %s: %s", ib.dir, strerror(errno));
		goto out;
	}

	/* The signals are taken by service_run() below, never delivered to
	 * a worker: block them before the server's threads exist. */
	service_block_signals();
	if ((ret = node_open_reader(n->home, &hooks.health, &d))) {
		ret = fail(ret, &d);
		goto out;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen;
	cfg.threads = (unsigned)threads;
	cfg.deliver = inbox_deliver;
	cfg.deliver_file = inbox_deliver_file;
	cfg.deliver_ctx = &ib;
	cfg.session_ttl = (int64_t)ttl;
	cfg.max_per_address = (unsigned)per_address;
	cfg.header_timeout = (unsigned)header_timeout;
	cfg.peer_uploads = (unsigned)peer_uploads;
	cfg.peer_bytes = (uint64_t)peer_bytes;
	if ((ret = server_start(n, &cfg, &srv, &d))) {
		ret = fail(ret, &d);
		goto out;
	}
	/* one server per home; a restore waits for it to stop (node/backup.h) */
	if ((ret = node_serving_lock(n->home, &lock, &d))) {
		ret = fail(ret, &d);
		goto out;
	}
	if (pidfile) {
		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if ((ret = write_file_atomic(pidfile, pid, strlen(pid), 0644, &d))) {
			ret = fail(ret, &d);
			goto out;
		}
	}
	if (pthread_create(&courier.thread, NULL, courier_run, &courier) == 0)
		courier_started = 1;
	printf("listening on https://%s\n", server_address(srv));
	printf("web console at https://%s/console/\n", server_address(srv));
	fflush(stdout);
	service_ready(server_address(srv));
	sig = service_run(srv, &hooks);
	service_stopping(srv, sig);
	ret = EXIT_OK;
out:
	if (courier_started) {
		courier.stop = 1;
		pthread_join(courier.thread, NULL);
	}
	server_stop(srv);
	if (pidfile && srv)
		unlink(pidfile);
	node_close(hooks.health);
	node_close(courier.n);
	node_close(n);
	if (lock >= 0)
		close(lock);
	if (sig)
		service_stopped();
	return ret;
}
