/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/service.h"
#include "net/logline.h"
#include "net/sdnotify.h"
#include "node/stats.h"
#include "util/banned.h"

void service_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void service_ready(const char *address)
{
	char status[256], pid[24];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	log_kv(LOG_INFO, "listening", "address", address, "pid", pid, (const char *)NULL);
	snprintf(status, sizeof(status), "READY=1\nSTATUS=serving on https://%s", address);
	sd_notify_send(status);
}

static void reload(struct server *srv, const struct service_hooks *h)
{
	struct gs_diag d = { { 0 } };
	struct timespec now;
	unsigned parties = 0;
	char msg[96], count[16];
	int ret;

	/* RELOADING=1 with the monotonic clock, as Type=notify-reload wants;
	 * older managers take RELOADING=1 alone */
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		 (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u);
	sd_notify_send(msg);
	ret = server_reload(srv, &parties, &d);
	if (!ret && h->reloaded)
		h->reloaded(h->ctx);
	if (ret) {
		log_kv(LOG_ERROR, "reload-failed", "msg", d.msg[0] ? d.msg : gs_strerror(ret), (const char *)NULL);
	} else {
		snprintf(count, sizeof(count), "%u", parties);
		log_kv(LOG_INFO, "reloaded", "parties", count, (const char *)NULL);
	}
	sd_notify_send("READY=1");
}

int service_run(struct server *srv, const struct service_hooks *h)
{
	uint64_t wd = sd_watchdog_usec();
	struct timespec tick;
	sigset_t set;
	int sig, said = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* half the watchdog interval, as sd_watchdog_enabled(3) advises;
	 * without a watchdog, wake each second anyway */
	if (wd) {
		tick.tv_sec = (time_t)(wd / 2 / 1000000u);
		tick.tv_nsec = (long)(wd / 2 % 1000000u) * 1000;
	} else {
		tick.tv_sec = 1;
		tick.tv_nsec = 0;
	}
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP) {
			reload(srv, h);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			return sig;
		if (sig < 0 && errno != EAGAIN && errno != EINTR)
			return SIGTERM;
		if (wd) {
			struct gs_diag d = { { 0 } };

			/* fed only while the database answers: a node that cannot
			 * reach its store is restarted by the manager */
			if (!h->health || !node_health(h->health, &d)) {
				sd_notify_send("WATCHDOG=1");
				said = 0;
			} else if (!said) {
				log_kv(LOG_ERROR, "unhealthy", "msg", d.msg, (const char *)NULL);
				said = 1;
			}
		}
	}
}

void service_stopping(struct server *srv, int sig)
{
	char n[16];
	int left;

	sd_notify_send("STOPPING=1\nSTATUS=stopping: finishing the requests in flight");
	snprintf(n, sizeof(n), "%d", server_in_flight(srv));
	log_kv(LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", "in-flight", n,
	       (const char *)NULL);
	left = server_drain(srv, SERVICE_DRAIN_SECONDS);
	if (left) {
		snprintf(n, sizeof(n), "%d", left);
		log_kv(LOG_WARNING, "drain-timeout", "in-flight", n, (const char *)NULL);
	}
}

void service_stopped(void)
{
	log_kv(LOG_INFO, "stopped", (const char *)NULL);
}
