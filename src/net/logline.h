/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_LOGLINE_H
#define GS_NET_LOGLINE_H

/*
 * What `gsomia serve` says while it runs: one line per event on standard
 * error, as key=value pairs (docs/operations.md "Logs"), so that journald
 * keeps it as it is and a reader can filter it with grep or
 * `journalctl -o cat | grep event=`:
 *
 *     level=info event=listening address=127.0.0.1:8443
 *     level=warning event=witness-failed peer=JPN msg="cannot reach https://..."
 *
 * A value of letters, digits and ._:/@+-,= is written bare; anything else
 * is quoted, with \" \\ \n \t and other control characters escaped, so a
 * line never breaks. Under journald (JOURNAL_STREAM names our standard
 * error) each line starts with its syslog priority, <6> for info, which
 * journald takes as the line's priority; elsewhere it starts with
 * time=<RFC 3339 UTC>. Callers never pass secrets: a line is kept for
 * years.
 */

enum log_level { LOG_ERROR = 3, LOG_WARNING = 4, LOG_INFO = 6, LOG_DEBUG = 7 };

/* Writes one line: level, event, then the key, value pairs (value may be
 * NULL: then the pair is left out), ending with a NULL key. Thread-safe:
 * one write(2) per line. */
void log_kv(enum log_level level, const char *event, ...) __attribute__((sentinel));

/* The line log_kv would write, without the priority or time prefix and
 * without the newline, into out (cut at cap). For tests. */
void log_kv_format(char *out, unsigned long cap, enum log_level level, const char *event, ...)
	__attribute__((sentinel));

#endif
