/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_SDNOTIFY_H
#define GS_NET_SDNOTIFY_H

/*
 * The service manager's notification protocol (sd_notify(3)), spoken
 * directly: one datagram of "KEY=VALUE\n" lines to the AF_UNIX socket
 * named by $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace).
 * It is a few lines of code, so gsomia does not link libsystemd for it.
 * Without $NOTIFY_SOCKET (not under systemd, or Type= is not notify)
 * every call does nothing.
 *
 *     READY=1        the server listens and the node is open
 *     RELOADING=1    a SIGHUP reload began (READY=1 again when done)
 *     STOPPING=1     a SIGTERM stop began
 *     WATCHDOG=1     alive; sent every half of $WATCHDOG_USEC
 *     STATUS=...     a line for `systemctl status`
 */

#include <stdint.h>

/* Sends state (lines without a trailing newline needed). 1 if sent, 0 if
 * there is no $NOTIFY_SOCKET, -1 if sending failed. */
int sd_notify_send(const char *state);

/* The watchdog interval the manager asks for, in microseconds ($WATCHDOG_USEC,
 * for this process if $WATCHDOG_PID is set), or 0 if none. */
uint64_t sd_watchdog_usec(void);

#endif
