/* SPDX-License-Identifier: Apache-2.0 */
#include "core/warning.h"

#include <stdio.h>
#include <string.h>

#include "core/party.h"
#include "core/time.h"
#include "util/ident.h"
#include "util/banned.h"

static const char *const type_names[WARNING_TYPE_COUNT] = {
	[WARNING_TYPE_UNKNOWN] = "unknown",
	[WARNING_TYPE_SRBM] = "srbm",
	[WARNING_TYPE_MRBM] = "mrbm",
	[WARNING_TYPE_IRBM] = "irbm",
	[WARNING_TYPE_ICBM] = "icbm",
	[WARNING_TYPE_SLBM] = "slbm",
	[WARNING_TYPE_HGV] = "hgv",
	[WARNING_TYPE_CRUISE] = "cruise",
	[WARNING_TYPE_SPACE_LAUNCH] = "space-launch",
};

const char *warning_type_name(enum warning_type t)
{
	return (int)t >= 0 && t < WARNING_TYPE_COUNT ? type_names[t] : NULL;
}

int warning_type_parse(const char *s, enum warning_type *out)
{
	int i;

	for (i = 0; i < WARNING_TYPE_COUNT; i++)
		if (!strcmp(s, type_names[i])) {
			*out = (enum warning_type)i;
			return 0;
		}
	return GS_EINVAL;
}

/* ---- instants ---- */

void warning_time_format(int64_t ms, char out[WARNING_TIME_STR])
{
	/* floor division, so that instants before 1970 keep a positive
	 * millisecond part */
	int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int milli = (int)(ms - sec * 1000);
	char base[GS_INSTANT_STR];

	instant_format(sec, base); /* "2023-12-18T01:37:12Z" */
	snprintf(out, WARNING_TIME_STR, "%.19s.%03dZ", base, milli);
}

int warning_time_parse(const char *s, int64_t *out, struct gs_diag *d)
{
	char whole[GS_INSTANT_STR];
	size_t len = strlen(s), i, nfrac = 0;
	const char *frac = NULL, *zone;
	int milli = 0;
	gs_instant sec;

	/* the shape instant_parse() accepts more loosely: seconds and a zone
	 * are required here */
	if (len < 20 || len >= sizeof(whole) + 10 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return gs_diag_set(d, GS_EINVAL, "'%.40s' is not an RFC 3339 instant with seconds and a zone "
				   "(2023-12-18T01:37:12.345Z)", s);
	zone = s + 19;
	if (*zone == '.') {
		frac = zone + 1;
		for (zone = frac; *zone >= '0' && *zone <= '9'; zone++)
			nfrac++;
		if (nfrac == 0 || nfrac > 9)
			return gs_diag_set(d, GS_EINVAL, "'%.40s': a fraction of a second has 1 to 9 digits", s);
		for (i = 3; i < nfrac; i++)
			if (frac[i] != '0')
				return gs_diag_set(d, GS_EINVAL, "'%.40s' is more precise than a millisecond", s);
		for (i = 0; i < 3; i++)
			milli = milli * 10 + (i < nfrac ? frac[i] - '0' : 0);
	}
	if (strcmp(zone, "Z") && (strlen(zone) != 6 || (zone[0] != '+' && zone[0] != '-')))
		return gs_diag_set(d, GS_EINVAL, "'%.40s' has no time zone ('Z' or '+09:00')", s);
	snprintf(whole, sizeof(whole), "%.19s%s", s, zone);
	if (instant_parse(whole, 0, &sec))
		return gs_diag_set(d, GS_EINVAL, "'%.40s' is not a valid instant", s);
	*out = sec * 1000 + milli;
	return 0;
}

/* ---- decimals ---- */

static void range_text(int64_t v, int scale, char *out, size_t cap)
{
	char t[WARNING_DECIMAL_STR];

	warning_decimal_format(v, scale, t);
	snprintf(out, cap, "%s", t);
}

int warning_decimal_parse(const char *s, size_t n, int scale, int64_t min, int64_t max,
			  enum warning_decimal_mode mode, int64_t *out, struct gs_diag *d)
{
	/* the significant digits, without leading zeros; the value is
	 * digits * 10^exp */
	char digits[24];
	int nd = 0, dropped_nonzero = 0;
	int64_t exp = 0, e = 0, v = 0;
	bool neg = false, any = false, esign = false;
	size_t i = 0, start;
	int k;

	if (i < n && (s[i] == '-' || (s[i] == '+' && mode == WARNING_DECIMAL_ROUND)))
		neg = s[i++] == '-';
	/* the integer part: JSON forbids leading zeros ("01") */
	start = i;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		any = true;
		if (nd == 0 && s[i] == '0')
			continue;
		if (nd < (int)sizeof(digits))
			digits[nd++] = s[i];
		else {
			exp++;
			dropped_nonzero |= s[i] != '0';
		}
	}
	if (mode == WARNING_DECIMAL_EXACT && (i == start || (i - start > 1 && s[start] == '0')))
		goto syntax;
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			any = true;
			if (nd == 0 && s[i] == '0') {
				exp--;
				continue;
			}
			if (nd < (int)sizeof(digits)) {
				digits[nd++] = s[i];
				exp--;
			} else {
				dropped_nonzero |= s[i] != '0';
			}
		}
		if (i == f && mode == WARNING_DECIMAL_EXACT)
			goto syntax;
	}
	if (!any)
		goto syntax;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t f;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			esign = s[i++] == '-';
		for (f = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		if (i == f)
			goto syntax;
		exp += esign ? -e : e;
	}
	if (i != n)
		goto syntax;
	/* drop trailing zeros of the significant digits */
	while (nd > 0 && digits[nd - 1] == '0') {
		nd--;
		exp++;
	}
	exp += scale;
	if (nd == 0) {
		v = 0;
	} else if (exp >= 0) {
		if (nd + exp > 15)
			goto range;
		for (k = 0; k < nd; k++)
			v = v * 10 + (digits[k] - '0');
		for (; exp > 0; exp--)
			v *= 10;
	} else {
		/* digits beyond the scale: digits[keep] is the first one */
		int keep = (int)(nd + exp);

		if (mode == WARNING_DECIMAL_EXACT)
			goto precise;
		if (keep > 15)
			goto range;
		for (k = 0; k < keep; k++)
			v = v * 10 + (digits[k] - '0');
		if (keep >= 0 && digits[keep] >= '5') /* half away from zero */
			v++;
	}
	if (mode == WARNING_DECIMAL_EXACT && dropped_nonzero)
		goto precise;
	if (neg)
		v = -v;
	if (v < min || v > max) {
		char lo[WARNING_DECIMAL_STR], hi[WARNING_DECIMAL_STR];

		range_text(min, scale, lo, sizeof(lo));
		range_text(max, scale, hi, sizeof(hi));
		return gs_diag_set(d, GS_EINVAL, "%.*s is out of range [%s, %s]", (int)(n > 40 ? 40 : n), s, lo, hi);
	}
	*out = v;
	return 0;
syntax:
	return gs_diag_set(d, GS_EINVAL, "'%.*s' is not a decimal number", (int)(n > 40 ? 40 : n), s);
precise:
	{
		char unit[WARNING_DECIMAL_STR];

		warning_decimal_format(1, scale, unit);
		return gs_diag_set(d, GS_EINVAL, "%.*s is more precise than %s", (int)(n > 40 ? 40 : n), s, unit);
	}
range:
	{
		char lo[WARNING_DECIMAL_STR], hi[WARNING_DECIMAL_STR];

		range_text(min, scale, lo, sizeof(lo));
		range_text(max, scale, hi, sizeof(hi));
		return gs_diag_set(d, GS_EINVAL, "%.*s is out of range [%s, %s]", (int)(n > 40 ? 40 : n), s, lo, hi);
	}
}

void warning_decimal_format(int64_t v, int scale, char out[WARNING_DECIMAL_STR])
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p = 1;
	int k, nfrac = scale;
	uint64_t frac;

	for (k = 0; k < scale; k++)
		p *= 10;
	frac = a % p;
	while (nfrac > 0 && frac % 10 == 0) {
		frac /= 10;
		nfrac--;
	}
	if (nfrac == 0)
		snprintf(out, WARNING_DECIMAL_STR, "%s%llu", v < 0 ? "-" : "", (unsigned long long)(a / p));
	else
		snprintf(out, WARNING_DECIMAL_STR, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(a / p),
			 nfrac, (unsigned long long)frac);
}

/* ---- rules ---- */

/* One line of UTF-8 (the JSON and XML readers have checked the encoding):
 * no control characters, no space at either end, not empty. */
static bool text_is_line(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool topic_is_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return i > 0;
}

static int check_position(const char *path, int32_t lat, int32_t lon, struct gs_diag *d)
{
	if (lat < -WARNING_LAT_MAX || lat > WARNING_LAT_MAX)
		return gs_diag_set(d, GS_EINVAL, "%s.lat: out of range [-90, 90]", path);
	if (lon < -WARNING_LON_MAX || lon > WARNING_LON_MAX)
		return gs_diag_set(d, GS_EINVAL, "%s.lon: out of range [-180, 180]", path);
	return 0;
}

static int check_alt(const char *path, int32_t alt, struct gs_diag *d)
{
	if (alt < WARNING_ALT_MIN || alt > WARNING_ALT_MAX)
		return gs_diag_set(d, GS_EINVAL, "%s.alt: out of range [-12000, 10000000] metres", path);
	return 0;
}

int warning_validate(const struct warning *w, struct gs_diag *d)
{
	char path[48];
	int i, ret;

	if (!ident_id_is_valid(w->id))
		return gs_diag_set(d, GS_EINVAL, "id: '%.64s' is not 1 to %d of [A-Za-z0-9._-], not starting with '.'",
				   w->id, GS_MAX_ID - 1);
	if (!party_code_is_valid(w->originator))
		return gs_diag_set(d, GS_EINVAL, "originator: '%.16s' is not a party code (three capital letters)",
				   w->originator);
	if (!ident_id_is_valid(w->agreement))
		return gs_diag_set(d, GS_EINVAL, "agreement: '%.64s' is not an agreement or arrangement id", w->agreement);
	if (!topic_is_valid(w->topic))
		return gs_diag_set(d, GS_EINVAL, "topic: '%.64s' is not a topic (letters, digits, '-', '_', '.')",
				   w->topic);
	if (!text_is_line(w->classification))
		return gs_diag_set(d, GS_EINVAL, "classification: empty, or not one line without outer spaces");
	if (!party_code_is_valid(w->sensor_party))
		return gs_diag_set(d, GS_EINVAL, "sensor.party: '%.16s' is not a party code (three capital letters)",
				   w->sensor_party);
	if (!text_is_line(w->sensor))
		return gs_diag_set(d, GS_EINVAL, "sensor.name: empty, or not one line without outer spaces");
	if (!warning_type_name(w->type))
		return gs_diag_set(d, GS_EINVAL, "type: not a type of docs/warnings.md");
	if (w->confidence < 0 || w->confidence > 100)
		return gs_diag_set(d, GS_EINVAL, "confidence: %d is out of range [0, 100]", w->confidence);
	if ((ret = check_position("launch", w->launch.lat, w->launch.lon, d)))
		return ret;
	if (w->launch.alt < WARNING_ALT_MIN || w->launch.alt > WARNING_LAUNCH_ALT_MAX)
		return gs_diag_set(d, GS_EINVAL, "launch.alt: out of range [-12000, 100000] metres");
	if (w->launch.time > w->detected)
		return gs_diag_set(d, GS_EINVAL, "launch.time: after the detection");
	if (w->ntrack < 0 || w->ntrack > WARNING_MAX_TRACK)
		return gs_diag_set(d, GS_ELIMIT, "track: more than %d points", WARNING_MAX_TRACK);
	for (i = 0; i < w->ntrack; i++) {
		const struct warning_track_point *p = &w->track[i];

		snprintf(path, sizeof(path), "track[%d]", i);
		if ((ret = check_position(path, p->lat, p->lon, d)) || (ret = check_alt(path, p->alt, d)))
			return ret;
		if (p->speed < 0 || p->speed > WARNING_SPEED_MAX)
			return gs_diag_set(d, GS_EINVAL, "%s.speed: out of range [0, 12000] metres/second", path);
		if (p->course < 0 || p->course >= WARNING_COURSE_END)
			return gs_diag_set(d, GS_EINVAL, "%s.course: out of range [0, 360) degrees", path);
		if (i == 0 && p->time < w->launch.time)
			return gs_diag_set(d, GS_EINVAL, "%s.time: before the launch", path);
		if (i > 0 && p->time <= w->track[i - 1].time)
			return gs_diag_set(d, GS_EINVAL, "%s.time: not after track[%d].time", path, i - 1);
	}
	if (w->nimpacts < 0 || w->nimpacts > WARNING_MAX_IMPACTS)
		return gs_diag_set(d, GS_ELIMIT, "impacts: more than %d", WARNING_MAX_IMPACTS);
	for (i = 0; i < w->nimpacts; i++) {
		const struct warning_impact *p = &w->impacts[i];

		snprintf(path, sizeof(path), "impacts[%d]", i);
		if ((ret = check_position(path, p->lat, p->lon, d)))
			return ret;
		if (p->time <= w->launch.time)
			return gs_diag_set(d, GS_EINVAL, "%s.time: not after the launch", path);
		if (w->ntrack > 0 && p->time < w->track[w->ntrack - 1].time)
			return gs_diag_set(d, GS_EINVAL, "%s.time: before the last track point", path);
		if (p->semi_minor <= 0 || p->semi_major > WARNING_AXIS_MAX)
			return gs_diag_set(d, GS_EINVAL, "%s.ellipse: semi-axes out of range (0, 5000000] metres", path);
		if (p->semi_minor > p->semi_major)
			return gs_diag_set(d, GS_EINVAL, "%s.ellipse.semi_minor: larger than semi_major", path);
		if (p->orientation < 0 || p->orientation >= WARNING_ORIENTATION_END)
			return gs_diag_set(d, GS_EINVAL, "%s.ellipse.orientation: out of range [0, 180) degrees", path);
	}
	return 0;
}

int warning_check_time(const struct warning *w, int64_t now_ms, int64_t skew_ms, struct gs_diag *d)
{
	int64_t limit = now_ms + skew_ms;
	char t[WARNING_TIME_STR], now[WARNING_TIME_STR];
	int i;

	warning_time_format(now_ms, now);
	if (w->detected > limit) {
		warning_time_format(w->detected, t);
		return gs_diag_set(d, GS_EINVAL, "detected: %s is in the future (now %s)", t, now);
	}
	if (w->launch.time > limit) {
		warning_time_format(w->launch.time, t);
		return gs_diag_set(d, GS_EINVAL, "launch.time: %s is in the future (now %s)", t, now);
	}
	for (i = 0; i < w->ntrack; i++)
		if (w->track[i].time > limit) {
			warning_time_format(w->track[i].time, t);
			return gs_diag_set(d, GS_EINVAL, "track[%d].time: %s is in the future (now %s)", i, t, now);
		}
	return 0;
}
