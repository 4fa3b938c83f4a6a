/* SPDX-License-Identifier: Apache-2.0 */
/* A warning as it travels, hop by hop (core/warning_message.h). */
#include <stdio.h>
#include <string.h>

#include "core/party.h"
#include "core/warning_message.h"
#include "util/banned.h"

/* The next line of buf from *off (without its '\n'): 0, or GS_EINVAL when
 * there is no '\n' to end it. */
static int next_line(const char *buf, size_t len, size_t *off, const char **line, size_t *n)
{
	const char *nl;

	if (*off >= len)
		return GS_EINVAL;
	nl = memchr(buf + *off, '\n', len - *off);
	if (!nl)
		return GS_EINVAL;
	*line = buf + *off;
	*n = (size_t)(nl - (buf + *off));
	*off += *n + 1;
	return 0;
}

/* "TOKEN " at the start of the line: the rest after it. */
static int take(const char **p, size_t *n, const char *token)
{
	size_t k = strlen(token);

	if (*n < k + 1 || memcmp(*p, token, k) || (*p)[k] != ' ')
		return GS_EINVAL;
	*p += k + 1;
	*n -= k + 1;
	return 0;
}

/* An instant of WARNING_TIME_STR's one spelling, up to the next space or
 * the end. */
static int take_time(const char **p, size_t *n, int64_t *out)
{
	char s[WARNING_TIME_STR], back[WARNING_TIME_STR];
	const char *sp = memchr(*p, ' ', *n);
	size_t k = sp ? (size_t)(sp - *p) : *n;

	if (k == 0 || k >= sizeof(s))
		return GS_EINVAL;
	memcpy(s, *p, k);
	s[k] = 0;
	if (warning_time_parse(s, out, NULL))
		return GS_EINVAL;
	warning_time_format(*out, back);
	if (strcmp(back, s))
		return GS_EINVAL; /* one spelling: UTC, milliseconds */
	*p += k;
	*n -= k;
	return 0;
}

static int parse_hop(const char *p, size_t n, bool first, struct warning_hop *h)
{
	char code[GS_MAX_CODE];

	if (take(&p, &n, "hop") || n < 4 || p[3] != ' ')
		return GS_EINVAL;
	memcpy(code, p, 3);
	code[3] = 0;
	if (!party_code_is_valid(code))
		return GS_EINVAL;
	memcpy(h->party, code, sizeof(code));
	p += 4;
	n -= 4;
	h->received = -1;
	if (!first) {
		if (take(&p, &n, "received") || take_time(&p, &n, &h->received) || n < 1 || *p != ' ')
			return GS_EINVAL;
		p++;
		n--;
	}
	if (n < 5 || memcmp(p, "sent ", 5))
		return GS_EINVAL;
	p += 5;
	n -= 5;
	if (take_time(&p, &n, &h->sent) || n != 0)
		return GS_EINVAL;
	return 0;
}

int warning_message_parse(const char *buf, size_t len, struct warning_message *m, struct gs_diag *d)
{
	char canon[WARNING_MAX_CANONICAL];
	const char *line;
	size_t off = 0, n, clen;
	int ret, lineno;

	memset(m, 0, sizeof(*m));
	if (len > WARNING_MESSAGE_MAX)
		return gs_diag_set(d, GS_ELIMIT, "warning message: longer than %u bytes", (unsigned)WARNING_MESSAGE_MAX);
	if (next_line(buf, len, &off, &line, &n) || n != strlen(WARNING_MESSAGE_MAGIC) ||
	    memcmp(line, WARNING_MESSAGE_MAGIC, n))
		return gs_diag_set(d, GS_EINVAL, "warning message: line 1: not '%s'", WARNING_MESSAGE_MAGIC);
	if (next_line(buf, len, &off, &line, &n))
		return gs_diag_set(d, GS_EINVAL, "warning message: line 2: no warning");
	/* the warning with its own line feed, exactly as it was written */
	if ((ret = warning_json_parse(line, n + 1, &m->w, d))) {
		gs_diag_prefix(d, "warning message: line 2");
		memset(m, 0, sizeof(*m));
		return ret;
	}
	if (warning_json_write(&m->w, canon, sizeof(canon), &clen) || clen != n + 1 || memcmp(canon, line, clen)) {
		memset(m, 0, sizeof(*m));
		return gs_diag_set(d, GS_EINVAL, "warning message: line 2: the warning is not in its canonical form");
	}
	for (lineno = 3; off < len; lineno++) {
		struct warning_hop *h;

		if (m->nhops == WARNING_MAX_HOPS) {
			ret = gs_diag_set(d, GS_ELIMIT, "warning message: line %d: more than %d hops", lineno, WARNING_MAX_HOPS);
			goto fail;
		}
		h = &m->hops[m->nhops];
		if (next_line(buf, len, &off, &line, &n) || parse_hop(line, n, m->nhops == 0, h)) {
			ret = gs_diag_set(d, GS_EINVAL, "warning message: line %d: not 'hop CODE %ssent INSTANT'", lineno,
					  m->nhops ? "received INSTANT " : "");
			goto fail;
		}
		if (m->nhops == 0 && strcmp(h->party, m->w.originator)) {
			ret = gs_diag_set(d, GS_EINVAL, "warning message: line %d: the first hop is %s, not the originator %s",
					  lineno, h->party, m->w.originator);
			goto fail;
		}
		for (int k = 0; k < m->nhops; k++)
			if (!strcmp(m->hops[k].party, h->party)) {
				ret = gs_diag_set(d, GS_EINVAL, "warning message: line %d: %s is a hop twice", lineno, h->party);
				goto fail;
			}
		m->nhops++;
	}
	if (m->nhops == 0) {
		ret = gs_diag_set(d, GS_EINVAL, "warning message: no hop");
		goto fail;
	}
	return 0;
fail:
	memset(m, 0, sizeof(*m));
	return ret;
}

int warning_message_write(const struct warning_message *m, char *out, size_t cap, size_t *len)
{
	size_t k, wl;
	int r;

	k = (size_t)snprintf(out, cap, "%s\n", WARNING_MESSAGE_MAGIC);
	if (k >= cap || warning_json_write(&m->w, out + k, cap - k, &wl))
		return GS_ELIMIT;
	k += wl;
	for (int i = 0; i < m->nhops; i++) {
		char sent[WARNING_TIME_STR], rec[WARNING_TIME_STR];

		warning_time_format(m->hops[i].sent, sent);
		if (i == 0) {
			r = snprintf(out + k, cap - k, "hop %s sent %s\n", m->hops[i].party, sent);
		} else {
			warning_time_format(m->hops[i].received, rec);
			r = snprintf(out + k, cap - k, "hop %s received %s sent %s\n", m->hops[i].party, rec, sent);
		}
		if (r < 0 || (size_t)r >= cap - k)
			return GS_ELIMIT;
		k += (size_t)r;
	}
	*len = k;
	return 0;
}
