/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "node/archive.h"
#include "util/banned.h"

enum { ST_MAGIC, ST_LINE, ST_DATA, ST_DONE };

static const char *const dirs[] = { "objects/", "receipts/", "outgoing/", "inbox/" };
static const char *const tops[] = { "gsomia.db", "tls.crt", "tls.key" };

static bool file_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 128 || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool archive_name_ok(const char *name)
{
	size_t i;

	if (strlen(name) > ARCHIVE_NAME_MAX)
		return false;
	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		if (!strcmp(name, tops[i]))
			return true;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strncmp(name, dirs[i], strlen(dirs[i])))
			return file_name_ok(name + strlen(dirs[i]));
	return false;
}

int archive_file_line(const char *name, unsigned mode, uint64_t size, char out[ARCHIVE_LINE_MAX])
{
	int n;

	if (!archive_name_ok(name) || (mode != 0600 && mode != 0644) || size > ARCHIVE_MAX_FILE_SIZE)
		return GS_EINVAL;
	n = snprintf(out, ARCHIVE_LINE_MAX, "F %03o %" PRIu64 " %s\n", mode, size, name);
	return n > 0 && n < ARCHIVE_LINE_MAX ? n : GS_EINVAL;
}

int archive_end_line(uint64_t count, char out[ARCHIVE_LINE_MAX])
{
	return snprintf(out, ARCHIVE_LINE_MAX, "E %" PRIu64 "\n", count);
}

uint64_t archive_size(size_t n, const char *const *names, const unsigned *modes, const uint64_t *sizes)
{
	char line[ARCHIVE_LINE_MAX];
	uint64_t total = strlen(ARCHIVE_MAGIC);
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		k = archive_file_line(names[i], modes[i], sizes[i], line);
		total += (uint64_t)(k > 0 ? k : 0) + sizes[i];
	}
	return total + (uint64_t)archive_end_line(n, line);
}

void archive_reader_init(struct archive_reader *r, const struct archive_sink *sink)
{
	memset(r, 0, sizeof(*r));
	r->state = ST_MAGIC;
	r->sink = *sink;
}

/* A decimal with no sign, no leading zero (but "0"), at most max. */
static int decimal(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* One whole line (without its '\n'), at line_start bytes into the input. */
static int take_line(struct archive_reader *r, uint64_t at, struct gs_diag *d)
{
	char *l = r->line, *sp1, *sp2, *name;
	size_t n = r->line_len;
	uint64_t size, count;
	unsigned mode;
	int ret;

	l[n] = 0;
	if (r->state == ST_MAGIC) {
		if (strcmp(l, "gsomia-archive/v1"))
			return gs_diag_set(d, GS_EINVAL, "archive: byte 0: not a gsomia archive");
		r->state = ST_LINE;
		return 0;
	}
	if (n >= 2 && l[0] == 'E' && l[1] == ' ') {
		if (decimal(l + 2, n - 2, ARCHIVE_MAX_FILES, &count) || count != r->files)
			return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": the end line does not count %" PRIu64 " files",
					   at, r->files);
		if (!r->has_db)
			return gs_diag_set(d, GS_EINVAL, "archive: it holds no gsomia.db");
		r->state = ST_DONE;
		return 0;
	}
	if (n < 2 || l[0] != 'F' || l[1] != ' ')
		return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": expected a file line or the end line", at);
	sp1 = strchr(l + 2, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2)
		return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": a file line is 'F MODE SIZE NAME'", at);
	if (sp1 - (l + 2) != 3 || (strncmp(l + 2, "600", 3) && strncmp(l + 2, "644", 3)))
		return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": mode must be 600 or 644", at);
	mode = l[3] == '0' ? 0600 : 0644;
	if (decimal(sp1 + 1, (size_t)(sp2 - sp1 - 1), ARCHIVE_MAX_FILE_SIZE, &size))
		return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": bad size", at);
	name = sp2 + 1;
	if (!archive_name_ok(name))
		return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": '%.64s' is not a file a home may hold", at,
				   name);
	if (r->files && strcmp(name, r->last) <= 0)
		return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": '%s' is out of order or repeated", at, name);
	if (r->files >= ARCHIVE_MAX_FILES)
		return gs_diag_set(d, GS_ELIMIT, "archive: more than %u files", ARCHIVE_MAX_FILES);
	memcpy(r->last, name, strlen(name) + 1);
	if (!strcmp(name, "gsomia.db"))
		r->has_db = true;
	r->files++;
	r->left = size;
	if (r->sink.begin && (ret = r->sink.begin(r->sink.ctx, name, mode, size)))
		return ret;
	r->state = ST_DATA;
	if (!size) {
		r->state = ST_LINE;
		if (r->sink.end && (ret = r->sink.end(r->sink.ctx)))
			return ret;
	}
	return 0;
}

int archive_feed(struct archive_reader *r, const uint8_t *p, size_t n, struct gs_diag *d)
{
	int ret;

	while (n) {
		if (r->state == ST_DONE)
			return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": data after the end line", r->offset);
		if (r->state == ST_DATA) {
			size_t k = n < r->left ? n : (size_t)r->left;

			if (r->sink.data && (ret = r->sink.data(r->sink.ctx, p, k)))
				return ret;
			p += k;
			n -= k;
			r->left -= k;
			r->offset += k;
			if (!r->left) {
				r->state = ST_LINE;
				if (r->sink.end && (ret = r->sink.end(r->sink.ctx)))
					return ret;
			}
			continue;
		}
		/* a line, byte by byte: they are short */
		if (*p == '\n') {
			uint64_t at = r->offset - r->line_len;

			p++;
			n--;
			r->offset++;
			if ((ret = take_line(r, at, d)))
				return ret;
			r->line_len = 0;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": a control character in a line", r->offset);
		if (r->line_len >= ARCHIVE_LINE_MAX)
			return gs_diag_set(d, GS_EINVAL, "archive: byte %" PRIu64 ": a line longer than %d bytes", r->offset,
					   ARCHIVE_LINE_MAX);
		r->line[r->line_len++] = (char)*p;
		p++;
		n--;
		r->offset++;
	}
	return 0;
}

int archive_finish(const struct archive_reader *r, struct gs_diag *d)
{
	if (r->state != ST_DONE)
		return gs_diag_set(d, GS_EINVAL, "archive: it ends at byte %" PRIu64 " before its end line (truncated)",
				   r->offset);
	return 0;
}
