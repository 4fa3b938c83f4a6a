/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_SERVICE_H
#define GS_CLI_SERVICE_H

/*
 * `gsomia serve` as a service (docs/operations.md "The service"): what it
 * tells the service manager (sd_notify: ready, reloading, stopping, the
 * watchdog), and what it does on a signal:
 *
 *   SIGHUP           reload: the server forgets the identities, agreements
 *                    and persons it keeps read, and reads them again
 *   SIGTERM, SIGINT  stop: no new connection is taken, every request begun
 *                    is answered (up to SERVICE_DRAIN_SECONDS), the
 *                    courier ends its round, then the process exits 0
 *
 * Each of these is one log line (net/logline.h).
 */

#include "net/server.h"
#include "node/node.h"

#define SERVICE_DRAIN_SECONDS 60

struct service_hooks {
	/* called after a successful reload, to reload other handles */
	void (*reloaded)(void *ctx);
	void *ctx;
	/* a read-only handle on the home for the watchdog's health check */
	struct node *health;
};

/* Blocks SIGINT, SIGTERM and SIGHUP in every thread to come: call before
 * the server's threads exist; service_run() takes them with sigtimedwait. */
void service_block_signals(void);

/* Tells the manager and the log that the server listens at address. */
void service_ready(const char *address);

/* Runs until SIGTERM or SIGINT: reloads on SIGHUP, feeds the watchdog.
 * Returns the signal that stopped it. */
int service_run(struct server *srv, const struct service_hooks *h);

/* The stop: drains the server (server_drain) and says so. */
void service_stopping(struct server *srv, int sig);

/* The last line, once everything stopped. */
void service_stopped(void);

#endif
