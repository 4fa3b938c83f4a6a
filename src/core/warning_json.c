/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON form of a warning (docs/warnings.md "JSON"): a strict reader
 * that walks the caller's buffer against the one shape a warning has, and
 * the canonical writer. In core, without jansson and without allocation,
 * so that the reader can say which member and which byte offset is wrong,
 * see every number's digits before they become a value (no binary
 * floating point ever touches a coordinate) and refuse a duplicate member
 * (a general parser keeps the first or the last).
 */
#include "core/warning.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define PATH_MAX_LEN 128

struct reader {
	const char *s;
	size_t n, i;
	struct gs_diag *d;
	char path[PATH_MAX_LEN]; /* the member being read, "track[3].lat" */
};

static int syntax(struct reader *r, const char *what)
{
	if (r->i >= r->n)
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: the text ends early", r->i, what);
	return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s", r->i, what);
}

static void ws(struct reader *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static bool take(struct reader *r, char c)
{
	ws(r);
	if (r->i < r->n && r->s[r->i] == c) {
		r->i++;
		return true;
	}
	return false;
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 if it is
 * malformed, overlong, a surrogate or beyond U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, k;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

static int hex4(struct reader *r, uint32_t *out)
{
	uint32_t v = 0;
	int k;

	if (r->i + 4 > r->n)
		return syntax(r, "a \\u escape needs four hex digits");
	for (k = 0; k < 4; k++) {
		char c = r->s[r->i + k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return syntax(r, "a \\u escape needs four hex digits");
	}
	r->i += 4;
	*out = v;
	return 0;
}

static bool put(char *out, size_t cap, size_t *o, const char *p, size_t n)
{
	if (*o + n >= cap)
		return false;
	memcpy(out + *o, p, n);
	*o += n;
	out[*o] = '\0';
	return true;
}

/* A string into out[cap] (NUL-terminated). what names it in messages:
 * the member (a value) or "a member name". */
static int read_string(struct reader *r, char *out, size_t cap, const char *what)
{
	size_t o = 0, start;

	out[0] = '\0';
	if (!take(r, '"'))
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: a string is expected", r->i, what);
	start = r->i;
	for (;;) {
		unsigned char c;
		char enc[4];
		size_t l;

		if (r->i >= r->n)
			return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: the string is not closed", start - 1, what);
		c = (unsigned char)r->s[r->i];
		if (c == '"') {
			r->i++;
			return 0;
		}
		if (c < 0x20)
			return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: a control character in a string", r->i, what);
		if (c == '\\') {
			uint32_t cp;

			if (++r->i >= r->n)
				return syntax(r, "an escape is not finished");
			c = (unsigned char)r->s[r->i++];
			switch (c) {
			case '"': case '\\': case '/': enc[0] = (char)c, l = 1; break;
			case 'b': enc[0] = '\b', l = 1; break;
			case 'f': enc[0] = '\f', l = 1; break;
			case 'n': enc[0] = '\n', l = 1; break;
			case 'r': enc[0] = '\r', l = 1; break;
			case 't': enc[0] = '\t', l = 1; break;
			case 'u':
				if (hex4(r, &cp))
					return GS_EINVAL;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return syntax(r, "a lone low surrogate in a \\u escape");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					uint32_t lo;

					if (r->i + 2 > r->n || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
						return syntax(r, "a high surrogate without its low surrogate");
					r->i += 2;
					if (hex4(r, &lo))
						return GS_EINVAL;
					if (lo < 0xdc00 || lo > 0xdfff)
						return syntax(r, "a high surrogate without its low surrogate");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (cp == 0)
					return syntax(r, "\\u0000 is not allowed in a string");
				if (cp < 0x80) {
					enc[0] = (char)cp, l = 1;
				} else if (cp < 0x800) {
					enc[0] = (char)(0xc0 | (cp >> 6)), enc[1] = (char)(0x80 | (cp & 0x3f)), l = 2;
				} else if (cp < 0x10000) {
					enc[0] = (char)(0xe0 | (cp >> 12)), enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[2] = (char)(0x80 | (cp & 0x3f)), l = 3;
				} else {
					enc[0] = (char)(0xf0 | (cp >> 18)), enc[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
					enc[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), enc[3] = (char)(0x80 | (cp & 0x3f));
					l = 4;
				}
				break;
			default:
				r->i--;
				return syntax(r, "an unknown escape in a string");
			}
			if (!put(out, cap, &o, enc, l))
				return gs_diag_set(r->d, GS_ELIMIT, "offset %zu: %s: longer than %zu bytes", start, what,
						   cap - 1);
			continue;
		}
		if (!(l = utf8_len((const unsigned char *)r->s + r->i, r->n - r->i)))
			return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: not UTF-8", r->i, what);
		if (!put(out, cap, &o, r->s + r->i, l))
			return gs_diag_set(r->d, GS_ELIMIT, "offset %zu: %s: longer than %zu bytes", start, what, cap - 1);
		r->i += l;
	}
}

/* Puts "offset N: path: " before what a value's parser said. */
static int at_member(struct reader *r, int err, size_t at)
{
	char msg[GS_DIAG_MAX];

	if (!r->d)
		return err;
	snprintf(msg, sizeof(msg), "%s", r->d->msg);
	return gs_diag_set(r->d, err, "offset %zu: %s: %.900s", at, r->path, msg);
}

/* A number token (its extent only; warning_decimal_parse reads it). */
static int read_number(struct reader *r, int scale, int64_t min, int64_t max, int64_t *out)
{
	size_t start;
	int ret;

	ws(r);
	start = r->i;
	while (r->i < r->n && r->s[r->i] && strchr("+-.0123456789eE", r->s[r->i]))
		r->i++;
	if (r->i == start)
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: a number is expected", start, r->path);
	ret = warning_decimal_parse(r->s + start, r->i - start, scale, min, max, WARNING_DECIMAL_EXACT, out, r->d);
	return ret ? at_member(r, ret, start) : 0;
}

static int read_int32(struct reader *r, int scale, int64_t min, int64_t max, int32_t *out)
{
	int64_t v;
	int ret = read_number(r, scale, min, max, &v);

	if (!ret)
		*out = (int32_t)v;
	return ret;
}

static int read_time(struct reader *r, int64_t *out)
{
	char s[64];
	size_t start;
	int ret;

	ws(r);
	start = r->i;
	if ((ret = read_string(r, s, sizeof(s), r->path)))
		return ret;
	if ((ret = warning_time_parse(s, out, r->d)))
		return at_member(r, ret, start);
	return 0;
}

static int read_text(struct reader *r, char *out, size_t cap)
{
	return read_string(r, out, cap, r->path);
}

/* ---- objects: exactly their members, each once ---- */

struct members {
	const char *const *names;
	unsigned seen;
};

/* Reads the next member name of an object and finds it among m's; *k is
 * its index, or -1 at the end of the object. */
static int next_member(struct reader *r, struct members *m, bool *first, const char *where, int *k)
{
	/* messages name the object ("launch: "), the warning's own members
	 * need no name */
	const char *sep = where[0] ? ": " : "";
	char name[64];
	size_t at;
	int ret, j;

	if (take(r, '}')) {
		for (j = 0; m->names[j]; j++)
			if (!(m->seen & (1u << j)))
				return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s%smember '%s' is missing", r->i - 1,
						   where, sep, m->names[j]);
		*k = -1;
		return 0;
	}
	if (!*first && !take(r, ','))
		return syntax(r, "',' or '}' is expected");
	*first = false;
	ws(r);
	at = r->i;
	if ((ret = read_string(r, name, sizeof(name), "a member name")))
		return ret == GS_ELIMIT ? gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s%sunknown member", at, where, sep)
					: ret;
	for (j = 0; m->names[j]; j++)
		if (!strcmp(name, m->names[j]))
			break;
	if (!m->names[j])
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s%sunknown member '%.40s'", at, where, sep, name);
	if (m->seen & (1u << j))
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s%smember '%s' appears twice", at, where, sep, name);
	m->seen |= 1u << j;
	if (!take(r, ':'))
		return syntax(r, "':' is expected after a member name");
	if (where[0])
		snprintf(r->path, sizeof(r->path), "%.60s.%.60s", where, name);
	else
		snprintf(r->path, sizeof(r->path), "%.60s", name);
	ws(r);
	*k = j;
	return 0;
}

static int open_object(struct reader *r, const char *where)
{
	if (!take(r, '{'))
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: an object is expected", r->i, where[0] ? where : "the warning");
	return 0;
}

static int read_sensor(struct reader *r, struct warning *w)
{
	static const char *const names[] = { "party", "name", NULL };
	struct members m = { names, 0 };
	bool first = true;
	int k, ret;

	if ((ret = open_object(r, "sensor")))
		return ret;
	for (;;) {
		if ((ret = next_member(r, &m, &first, "sensor", &k)) || k < 0)
			return ret;
		ret = k == 0 ? read_text(r, w->sensor_party, sizeof(w->sensor_party))
			     : read_text(r, w->sensor, sizeof(w->sensor));
		if (ret)
			return ret;
	}
}

static int read_launch(struct reader *r, struct warning_launch *l)
{
	static const char *const names[] = { "time", "lat", "lon", "alt", NULL };
	struct members m = { names, 0 };
	bool first = true;
	int k, ret;

	if ((ret = open_object(r, "launch")))
		return ret;
	for (;;) {
		if ((ret = next_member(r, &m, &first, "launch", &k)) || k < 0)
			return ret;
		switch (k) {
		case 0: ret = read_time(r, &l->time); break;
		case 1: ret = read_int32(r, WARNING_SCALE_DEG, -WARNING_LAT_MAX, WARNING_LAT_MAX, &l->lat); break;
		case 2: ret = read_int32(r, WARNING_SCALE_DEG, -WARNING_LON_MAX, WARNING_LON_MAX, &l->lon); break;
		default: ret = read_int32(r, WARNING_SCALE_TENTH, WARNING_ALT_MIN, WARNING_LAUNCH_ALT_MAX, &l->alt); break;
		}
		if (ret)
			return ret;
	}
}

static int read_point(struct reader *r, const char *where, struct warning_track_point *p)
{
	static const char *const names[] = { "time", "lat", "lon", "alt", "speed", "course", NULL };
	struct members m = { names, 0 };
	bool first = true;
	int k, ret;

	if ((ret = open_object(r, where)))
		return ret;
	for (;;) {
		if ((ret = next_member(r, &m, &first, where, &k)) || k < 0)
			return ret;
		switch (k) {
		case 0: ret = read_time(r, &p->time); break;
		case 1: ret = read_int32(r, WARNING_SCALE_DEG, -WARNING_LAT_MAX, WARNING_LAT_MAX, &p->lat); break;
		case 2: ret = read_int32(r, WARNING_SCALE_DEG, -WARNING_LON_MAX, WARNING_LON_MAX, &p->lon); break;
		case 3: ret = read_int32(r, WARNING_SCALE_TENTH, WARNING_ALT_MIN, WARNING_ALT_MAX, &p->alt); break;
		case 4: ret = read_int32(r, WARNING_SCALE_TENTH, 0, WARNING_SPEED_MAX, &p->speed); break;
		default: ret = read_int32(r, WARNING_SCALE_TENTH, 0, WARNING_COURSE_END - 1, &p->course); break;
		}
		if (ret)
			return ret;
	}
}

static int read_ellipse(struct reader *r, const char *where, struct warning_impact *p)
{
	static const char *const names[] = { "semi_major", "semi_minor", "orientation", NULL };
	struct members m = { names, 0 };
	bool first = true;
	int k, ret;

	if ((ret = open_object(r, where)))
		return ret;
	for (;;) {
		if ((ret = next_member(r, &m, &first, where, &k)) || k < 0)
			return ret;
		switch (k) {
		case 0: ret = read_int32(r, WARNING_SCALE_TENTH, 1, WARNING_AXIS_MAX, &p->semi_major); break;
		case 1: ret = read_int32(r, WARNING_SCALE_TENTH, 1, WARNING_AXIS_MAX, &p->semi_minor); break;
		default: ret = read_int32(r, WARNING_SCALE_TENTH, 0, WARNING_ORIENTATION_END - 1, &p->orientation); break;
		}
		if (ret)
			return ret;
	}
}

static int read_impact(struct reader *r, const char *where, struct warning_impact *p)
{
	static const char *const names[] = { "time", "lat", "lon", "ellipse", NULL };
	struct members m = { names, 0 };
	char inner[PATH_MAX_LEN];
	bool first = true;
	int k, ret;

	if ((ret = open_object(r, where)))
		return ret;
	for (;;) {
		if ((ret = next_member(r, &m, &first, where, &k)) || k < 0)
			return ret;
		switch (k) {
		case 0: ret = read_time(r, &p->time); break;
		case 1: ret = read_int32(r, WARNING_SCALE_DEG, -WARNING_LAT_MAX, WARNING_LAT_MAX, &p->lat); break;
		case 2: ret = read_int32(r, WARNING_SCALE_DEG, -WARNING_LON_MAX, WARNING_LON_MAX, &p->lon); break;
		default:
			snprintf(inner, sizeof(inner), "%s", r->path);
			ret = read_ellipse(r, inner, p);
			break;
		}
		if (ret)
			return ret;
	}
}

/* An array of at most cap objects, each read by one(r, path, index). */
static int read_array(struct reader *r, const char *name, int cap, int *count,
		      int (*one)(struct reader *, const char *, int, void *), void *ctx)
{
	char where[PATH_MAX_LEN];
	int ret;

	*count = 0;
	if (!take(r, '['))
		return gs_diag_set(r->d, GS_EINVAL, "offset %zu: %s: an array is expected", r->i, name);
	if (take(r, ']'))
		return 0;
	for (;;) {
		if (*count >= cap)
			return gs_diag_set(r->d, GS_ELIMIT, "offset %zu: %s: more than %d elements", r->i, name, cap);
		snprintf(where, sizeof(where), "%s[%d]", name, *count);
		if ((ret = one(r, where, *count, ctx)))
			return ret;
		(*count)++;
		if (take(r, ']'))
			return 0;
		if (!take(r, ','))
			return syntax(r, "',' or ']' is expected");
	}
}

static int one_point(struct reader *r, const char *where, int i, void *ctx)
{
	return read_point(r, where, &((struct warning *)ctx)->track[i]);
}

static int one_impact(struct reader *r, const char *where, int i, void *ctx)
{
	return read_impact(r, where, &((struct warning *)ctx)->impacts[i]);
}

static int read_warning(struct reader *r, struct warning *w)
{
	static const char *const names[] = { "version", "id", "originator", "agreement", "topic",
					     "classification", "sensor", "detected", "type", "confidence",
					     "launch", "track", "impacts", NULL };
	struct members m = { names, 0 };
	char type[32];
	bool first = true;
	int64_t v;
	size_t at;
	int k, ret;

	if ((ret = open_object(r, "")))
		return ret;
	for (;;) {
		if ((ret = next_member(r, &m, &first, "", &k)) || k < 0)
			return ret;
		switch (k) {
		case 0:
			if ((ret = read_number(r, 0, 0, 1000, &v)))
				return ret;
			if (v != 1)
				return gs_diag_set(r->d, GS_EINVAL, "version: %lld is not 1 (this version of gsomia reads "
						   "version 1)", (long long)v);
			break;
		case 1: ret = read_text(r, w->id, sizeof(w->id)); break;
		case 2: ret = read_text(r, w->originator, sizeof(w->originator)); break;
		case 3: ret = read_text(r, w->agreement, sizeof(w->agreement)); break;
		case 4: ret = read_text(r, w->topic, sizeof(w->topic)); break;
		case 5: ret = read_text(r, w->classification, sizeof(w->classification)); break;
		case 6: ret = read_sensor(r, w); break;
		case 7: ret = read_time(r, &w->detected); break;
		case 8:
			at = r->i;
			if ((ret = read_text(r, type, sizeof(type))))
				return ret == GS_ELIMIT ? gs_diag_set(r->d, GS_EINVAL, "offset %zu: type: unknown", at)
							: ret;
			if (warning_type_parse(type, &w->type))
				return gs_diag_set(r->d, GS_EINVAL, "offset %zu: type: '%s' is not one of unknown, srbm, "
						   "mrbm, irbm, icbm, slbm, hgv, cruise, space-launch", at, type);
			break;
		case 9:
			if (!(ret = read_number(r, 0, 0, 100, &v)))
				w->confidence = (int)v;
			break;
		case 10: ret = read_launch(r, &w->launch); break;
		case 11: ret = read_array(r, "track", WARNING_MAX_TRACK, &w->ntrack, one_point, w); break;
		default: ret = read_array(r, "impacts", WARNING_MAX_IMPACTS, &w->nimpacts, one_impact, w); break;
		}
		if (ret)
			return ret;
	}
}

int warning_json_parse(const char *buf, size_t len, struct warning *out, struct gs_diag *d)
{
	struct reader r = { buf, len, 0, d, "" };
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > WARNING_MAX_JSON)
		return gs_diag_set(d, GS_ELIMIT, "larger than %u bytes", WARNING_MAX_JSON);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		return gs_diag_set(d, GS_EINVAL, "offset 0: a byte order mark is not allowed");
	ret = read_warning(&r, out);
	if (!ret) {
		ws(&r);
		if (r.i != r.n)
			ret = syntax(&r, "nothing may follow the warning");
	}
	if (!ret)
		ret = warning_validate(out, d);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* ---- the canonical form ---- */

struct writer {
	char *out;
	size_t cap, o;
	bool full;
};

static void w_raw(struct writer *w, const char *s)
{
	size_t n = strlen(s);

	if (w->full || w->o + n >= w->cap) {
		w->full = true;
		return;
	}
	memcpy(w->out + w->o, s, n);
	w->o += n;
	w->out[w->o] = '\0';
}

/* "name": with the separator before it unless it is the first */
static void w_name(struct writer *w, const char *name, bool first)
{
	if (!first)
		w_raw(w, ",");
	w_raw(w, "\"");
	w_raw(w, name);
	w_raw(w, "\":");
}

static void w_string(struct writer *w, const char *name, bool first, const char *s)
{
	char c[2] = { 0, 0 };

	w_name(w, name, first);
	w_raw(w, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			w_raw(w, "\\");
		c[0] = *s;
		w_raw(w, c);
	}
	w_raw(w, "\"");
}

static void w_number(struct writer *w, const char *name, bool first, int64_t v, int scale)
{
	char t[WARNING_DECIMAL_STR];

	warning_decimal_format(v, scale, t);
	w_name(w, name, first);
	w_raw(w, t);
}

static void w_time(struct writer *w, const char *name, bool first, int64_t ms)
{
	char t[WARNING_TIME_STR];

	warning_time_format(ms, t);
	w_name(w, name, first);
	w_raw(w, "\"");
	w_raw(w, t);
	w_raw(w, "\"");
}

int warning_json_write(const struct warning *wa, char *out, size_t cap, size_t *len)
{
	struct writer w = { out, cap, 0, cap == 0 };
	int i;

	if (cap)
		out[0] = '\0';
	w_raw(&w, "{");
	w_number(&w, "version", true, 1, 0);
	w_string(&w, "id", false, wa->id);
	w_string(&w, "originator", false, wa->originator);
	w_string(&w, "agreement", false, wa->agreement);
	w_string(&w, "topic", false, wa->topic);
	w_string(&w, "classification", false, wa->classification);
	w_name(&w, "sensor", false);
	w_raw(&w, "{");
	w_string(&w, "party", true, wa->sensor_party);
	w_string(&w, "name", false, wa->sensor);
	w_raw(&w, "}");
	w_time(&w, "detected", false, wa->detected);
	w_string(&w, "type", false, warning_type_name(wa->type) ? warning_type_name(wa->type) : "unknown");
	w_number(&w, "confidence", false, wa->confidence, 0);
	w_name(&w, "launch", false);
	w_raw(&w, "{");
	w_time(&w, "time", true, wa->launch.time);
	w_number(&w, "lat", false, wa->launch.lat, WARNING_SCALE_DEG);
	w_number(&w, "lon", false, wa->launch.lon, WARNING_SCALE_DEG);
	w_number(&w, "alt", false, wa->launch.alt, WARNING_SCALE_TENTH);
	w_raw(&w, "}");
	w_name(&w, "track", false);
	w_raw(&w, "[");
	for (i = 0; i < wa->ntrack && i < WARNING_MAX_TRACK; i++) {
		const struct warning_track_point *p = &wa->track[i];

		w_raw(&w, i ? ",{" : "{");
		w_time(&w, "time", true, p->time);
		w_number(&w, "lat", false, p->lat, WARNING_SCALE_DEG);
		w_number(&w, "lon", false, p->lon, WARNING_SCALE_DEG);
		w_number(&w, "alt", false, p->alt, WARNING_SCALE_TENTH);
		w_number(&w, "speed", false, p->speed, WARNING_SCALE_TENTH);
		w_number(&w, "course", false, p->course, WARNING_SCALE_TENTH);
		w_raw(&w, "}");
	}
	w_raw(&w, "]");
	w_name(&w, "impacts", false);
	w_raw(&w, "[");
	for (i = 0; i < wa->nimpacts && i < WARNING_MAX_IMPACTS; i++) {
		const struct warning_impact *p = &wa->impacts[i];

		w_raw(&w, i ? ",{" : "{");
		w_time(&w, "time", true, p->time);
		w_number(&w, "lat", false, p->lat, WARNING_SCALE_DEG);
		w_number(&w, "lon", false, p->lon, WARNING_SCALE_DEG);
		w_name(&w, "ellipse", false);
		w_raw(&w, "{");
		w_number(&w, "semi_major", true, p->semi_major, WARNING_SCALE_TENTH);
		w_number(&w, "semi_minor", false, p->semi_minor, WARNING_SCALE_TENTH);
		w_number(&w, "orientation", false, p->orientation, WARNING_SCALE_TENTH);
		w_raw(&w, "}}");
	}
	w_raw(&w, "]}\n");
	if (w.full)
		return GS_ELIMIT;
	*len = w.o;
	return 0;
}
