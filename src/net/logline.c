/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/time.h"
#include "net/logline.h"
#include "util/banned.h"

#define LOG_LINE_MAX 4096

struct line {
	char *p;
	size_t len, cap;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->len + n >= l->cap)
		n = l->cap - l->len - 1;
	memcpy(l->p + l->len, s, n);
	l->len += n;
	l->p[l->len] = 0;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static int bare(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	if (!*p)
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._:/@+-,=", *p)))
			return 0;
	return 1;
}

static void put_value(struct line *l, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	char esc[8];

	if (bare(v)) {
		puts_(l, v);
		return;
	}
	put(l, "\"", 1);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(l, esc, 2);
		} else if (*p == '\n') {
			put(l, "\\n", 2);
		} else if (*p == '\t') {
			put(l, "\\t", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			put(l, esc, 4);
		} else {
			put(l, (const char *)p, 1);
		}
	}
	put(l, "\"", 1);
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_ERROR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_DEBUG: return "debug";
	default: return "info";
	}
}

static void vformat(struct line *l, enum log_level level, const char *event, va_list ap)
{
	const char *k, *v;

	puts_(l, "level=");
	puts_(l, level_name(level));
	puts_(l, " event=");
	put_value(l, event);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (!v)
			continue;
		put(l, " ", 1);
		puts_(l, k);
		put(l, "=", 1);
		put_value(l, v);
	}
}

void log_kv_format(char *out, unsigned long cap, enum log_level level, const char *event, ...)
{
	struct line l = { out, 0, cap };
	va_list ap;

	if (!cap)
		return;
	out[0] = 0;
	va_start(ap, event);
	vformat(&l, level, event, ap);
	va_end(ap);
}

/* journald sets JOURNAL_STREAM to the device and inode of the stream it
 * gave us; standard error may have been redirected since. */
static int under_journald(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &sb) != 0)
		return 0;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void log_kv(enum log_level level, const char *event, ...)
{
	char buf[LOG_LINE_MAX];
	struct line l = { buf, 0, sizeof(buf) - 1 };
	char prefix[48];
	va_list ap;

	buf[0] = 0;
	if (under_journald()) {
		snprintf(prefix, sizeof(prefix), "<%d>", (int)level);
	} else {
		char t[GS_INSTANT_STR];

		instant_format((gs_instant)time(NULL), t);
		snprintf(prefix, sizeof(prefix), "time=%s ", t);
	}
	puts_(&l, prefix);
	va_start(ap, event);
	vformat(&l, level, event, ap);
	va_end(ap);
	buf[l.len++] = '\n';
	/* one write per line: lines of several threads never interleave */
	if (write(STDERR_FILENO, buf, l.len) < 0)
		return;
}
