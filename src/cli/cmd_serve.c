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
#include "net/server.h"
#include "net/witness_client.h"
#include "node/backup.h"
#include "node/inbox.h"
#include "node/outbox.h"
#include "node/warnings.h"
#include "util/file.h"
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

/* What the node's inbox did that the log keeps (docs/operations.md
 * "Logs"): a peer's restoration, a forward that could not be queued. */
static void log_delivery(const char *peer, const char *reply)
{
	json_t *j = reply ? json_loads(reply, 0, NULL) : NULL;
	json_t *nq = json_object_get(j, "not_queued");

	if (json_is_string(json_object_get(j, "restoration")))
		log_kv(LOG_WARNING, "peer-restored", "peer", peer, "origin",
		       json_string_value(json_object_get(j, "origin")), "lost",
		       json_string_value(json_object_get(j, "lost")), (const char *)NULL);
	if (nq)
		log_kv(LOG_WARNING, "forward-not-queued", "to", json_string_value(json_object_get(nq, "to")), "path",
		       json_string_value(json_object_get(nq, "path")), "msg",
		       json_string_value(json_object_get(nq, "error")), (const char *)NULL);
	json_decref(j);
}

/* Deliveries go to the node's inbox (node/inbox.h), which decides. */
static int serve_deliver(void *ctx, const char *peer, const char *kind, const char *id, const uint8_t *body,
			 size_t len, char **reply_json, struct gs_diag *d)
{
	int ret = node_deliver(ctx, peer, kind, id, body, len, reply_json, d);

	if (!ret)
		log_delivery(peer, *reply_json);
	return ret;
}

static int serve_deliver_file(void *ctx, const char *peer, const char *kind, const char *id, const char *file,
			      char **reply_json, struct gs_diag *d)
{
	int ret = node_deliver_file(ctx, peer, kind, id, file, reply_json, d);

	if (!ret)
		log_delivery(peer, *reply_json);
	return ret;
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
	uint64_t bell = 0;
	struct timespec last, t;

	clock_gettime(CLOCK_MONOTONIC, &last);

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
		{
			unsigned done = 0, left = 0;
			int wr = node_warnings_retry(c->n, &done, &left);
			char a[16], b[16];

			if (done || left) {
				snprintf(a, sizeof(a), "%u", done);
				snprintf(b, sizeof(b), "%u", left);
				log_kv(left ? LOG_WARNING : LOG_INFO, "warnings-retried", "done", a, "left", b, "msg",
				       wr ? gs_strerror(wr) : "", (const char *)NULL);
			}
		}
		/* witnessing counts whole seconds of the machine's clock, however
		 * often the bell wakes the courier */
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec > last.tv_sec) {
			since += (unsigned)(t.tv_sec - last.tv_sec);
			last = t;
		}
		if (c->witness_every && since >= c->witness_every) {
			struct gs_diag wd = { { 0 } };

			since = 0;
			if (witness_due(c->n, witness_report, c, &wd))
				log_kv(LOG_WARNING, "witness-failed", "msg", wd.msg[0] ? wd.msg : "failed",
				       (const char *)NULL);
		}
		/* the next round when something is queued (the bell), else in a
		 * second at most (retries coming due, a stop) */
		if (!c->stop)
			(void)node_outbox_wait(&bell, 1000);
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
		if (node_self(n)->endpoint[0])
			listen_from_endpoint(node_self(n)->endpoint, addr, sizeof(addr));
		else
			snprintf(addr, sizeof(addr), "%s", DEFAULT_LISTEN);
		listen = addr;
	}
	if ((ret = node_inbox_ready(n, &d))) {
		ret = fail(ret, &d);
		goto out;
	}
	{
		/* warnings a crash left unshown or unrelayed (node/warnings.h) */
		unsigned redone = 0;
		char count[16];

		if (node_warnings_recover(n, &redone, &d))
			log_kv(LOG_WARNING, "warnings-recover-failed", "msg", d.msg, (const char *)NULL);
		if (redone) {
			snprintf(count, sizeof(count), "%u", redone);
			log_kv(LOG_INFO, "warnings-recovered", "count", count, (const char *)NULL);
		}
		memset(&d, 0, sizeof(d));
	}

	/* The signals are taken by service_run() below, never delivered to
	 * a worker: block them before the server's threads exist. */
	service_block_signals();
	if ((ret = node_open_reader(node_home(n), &hooks.health, &d))) {
		ret = fail(ret, &d);
		goto out;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen;
	cfg.threads = (unsigned)threads;
	cfg.deliver = serve_deliver;
	cfg.deliver_file = serve_deliver_file;
	cfg.deliver_ctx = n;
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
	if ((ret = node_serving_lock(node_home(n), &lock, &d))) {
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
		node_outbox_ring(); /* the courier stops now, not at its next round */
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
