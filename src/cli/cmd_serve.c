/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "net/api.h"
#include "net/server.h"
#include "util/banned.h"

static const char serve_help[] =
	"usage: gsomia serve [--listen ADDR:PORT] [--threads N] [--pidfile FILE] [--home DIR]\n\n"
	"Serves this node's HTTPS API (docs/api.md) with mutual TLS: peers present\n"
	"the certificate whose key their signed identity pins (tls-pin). --listen\n"
	"takes a numeric address (127.0.0.1:8443, [::1]:8443; port 0 picks a free\n"
	"one); without it the server listens on the host and port of this node's\n"
	"endpoint, or 127.0.0.1:8443. Prints 'listening on https://ADDR:PORT' once\n"
	"ready; stops cleanly on SIGINT or SIGTERM. Deliveries from peers are kept\n"
	"in HOME/inbox/KIND-ID, once each.\n";

#define DEFAULT_LISTEN "127.0.0.1:8443"

struct inbox {
	char dir[GS_HOME_MAX + 16];
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

/* Keeps a delivery as inbox/KIND-ID: written to a temporary file, synced,
 * then linked into place. link() never replaces, so of two deliveries of
 * the same (kind, id), at once or years apart, exactly one is kept; the
 * other is acknowledged and dropped. */
static int inbox_deliver(void *ctx, const char *peer, const char *kind, const char *id,
			 const uint8_t *body, size_t len, char **reply_json, struct gs_diag *d)
{
	struct inbox *ib = ctx;
	char path[GS_HOME_MAX + 128], tmp[GS_HOME_MAX + 160];
	uint32_t rnd = randombytes_random();
	int fd, dup = 0, dfd;

	(void)peer;
	if (!api_kind_is_valid(kind) || !api_id_is_valid(id))
		return gs_diag_set(d, GS_EINVAL, "bad kind or id");
	snprintf(path, sizeof(path), "%s/%s-%s", ib->dir, kind, id);
	if (access(path, F_OK) == 0) {
		dup = 1;
		goto reply;
	}
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-%s-%08x", ib->dir, kind, id, rnd);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(errno));
	if (write_all(fd, body, len) || fsync(fd) || close(fd)) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(e));
	}
	if (link(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		if (e != EEXIST)
			return gs_diag_set(d, GS_EIO, "inbox: %s", strerror(e));
		dup = 1;
	} else {
		unlink(tmp);
		dfd = open(ib->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
reply:
	*reply_json = dup ? strdup("{\"accepted\": true, \"duplicate\": true}") : NULL;
	if (dup && !*reply_json)
		return GS_ENOMEM;
	return 0;
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

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "home", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *listen = NULL, *pidfile = NULL;
	struct server_config cfg;
	struct server *srv = NULL;
	struct node *n = NULL;
	struct gs_diag d = { { 0 } };
	struct inbox ib;
	char addr[GS_MAX_NAME], pid[32];
	sigset_t stop;
	unsigned long threads = 0;
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
		case 'p': pidfile = optarg; break;
		case 'H': home = optarg; break;
		case 'h': fputs(serve_help, stdout); return EXIT_OK;
		default: return usage_error("serve", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if ((ret = open_node(home, &n)))
		return ret;
	if (!listen) {
		if (n->self.endpoint[0])
			listen_from_endpoint(n->self.endpoint, addr, sizeof(addr));
		else
			snprintf(addr, sizeof(addr), "%s", DEFAULT_LISTEN);
		listen = addr;
	}
	snprintf(ib.dir, sizeof(ib.dir), "%s/inbox", n->home);
	if (mkdir(ib.dir, 0700) != 0 && errno != EEXIST) {
		ret = failf(GS_EIO, "cannot make %s: %s", ib.dir, strerror(errno));
		goto out;
	}

	/* The stop signals are taken by sigwait() below, never delivered to a
	 * worker: block them before the server's threads exist. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen;
	cfg.threads = (unsigned)threads;
	cfg.deliver = inbox_deliver;
	cfg.deliver_ctx = &ib;
	if ((ret = server_start(n, &cfg, &srv, &d))) {
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
	printf("listening on https://%s\n", server_address(srv));
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	ret = EXIT_OK;
out:
	server_stop(srv);
	if (pidfile && srv)
		unlink(pidfile);
	node_close(n);
	return ret;
}
