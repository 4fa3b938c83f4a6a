/* SPDX-License-Identifier: Apache-2.0 */
#include "core/time.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/banned.h"

bool year_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && year_is_leap(y) ? 29 : dim[m - 1];
}

bool date_is_valid(struct gs_date d)
{
	return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 &&
	       d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian
 * calendar, no tables, no loops. */
int64_t days_from_date(struct gs_date d)
{
	int64_t y = d.year - (d.month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (d.month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct gs_date date_from_days(int64_t z)
{
	struct gs_date d;
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(y + (d.month <= 2));
	return d;
}

struct gs_date date_add_days(struct gs_date d, int64_t n)
{
	return date_from_days(days_from_date(d) + n);
}

struct gs_date date_add_months(struct gs_date d, int n)
{
	int total = d.year * 12 + (d.month - 1) + n;
	int dim;

	d.year = total / 12;
	d.month = total % 12 + 1;
	dim = days_in_month(d.year, d.month);
	if (d.day > dim)
		d.day = dim;
	return d;
}

struct gs_date date_add_years(struct gs_date d, int n, enum gs_leap_day leap)
{
	bool was_feb29 = d.month == 2 && d.day == 29;

	d.year += n;
	if (was_feb29 && !year_is_leap(d.year)) {
		if (leap == GS_LEAP_DAY_MAR01) {
			d.month = 3;
			d.day = 1;
		} else {
			d.day = 28;
		}
	}
	return d;
}

int date_cmp(struct gs_date a, struct gs_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

gs_instant date_midnight(struct gs_date d, int32_t zone_offset)
{
	return days_from_date(d) * 86400 - zone_offset;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct gs_date date_of_instant(gs_instant t, int32_t zone_offset)
{
	return date_from_days(floor_div(t + zone_offset, 86400));
}

/* Reads exactly n decimal digits. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool parse_date_prefix(const char *s, struct gs_date *d)
{
	if (!digits(s, 4, &d->year) || s[4] != '-' || !digits(s + 5, 2, &d->month) ||
	    s[7] != '-' || !digits(s + 8, 2, &d->day))
		return false;
	return date_is_valid(*d);
}

int date_parse(const char *s, struct gs_date *out)
{
	struct gs_date d;

	if (strlen(s) != 10 || !parse_date_prefix(s, &d))
		return GS_EINVAL;
	*out = d;
	return 0;
}

int zone_parse(const char *s, int32_t *out)
{
	int hh, mm;

	if (!strcmp(s, "Z") || !strcmp(s, "z") || !strcmp(s, "UTC")) {
		*out = 0;
		return 0;
	}
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &hh) ||
	    s[3] != ':' || !digits(s + 4, 2, &mm) || mm > 59 || hh * 60 + mm > 18 * 60)
		return GS_EINVAL;
	*out = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return 0;
}

int instant_parse(const char *s, int32_t default_zone, gs_instant *out)
{
	struct gs_date d;
	int hh, mi, ss = 0;
	int32_t zone;
	const char *p;

	if (strlen(s) < 10 || !parse_date_prefix(s, &d))
		return GS_EINVAL;
	if (s[10] == '\0') {
		*out = date_midnight(d, default_zone);
		return 0;
	}
	if ((s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &hh) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi))
		return GS_EINVAL;
	p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &ss))
			return GS_EINVAL;
		p += 3;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return GS_EINVAL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (hh > 23 || mi > 59 || ss > 59)
		return GS_EINVAL;
	if (zone_parse(p, &zone))
		return GS_EINVAL;
	*out = days_from_date(d) * 86400 + hh * 3600 + mi * 60 + ss - zone;
	return 0;
}

int instant_parse_end(const char *s, int32_t default_zone, gs_instant *out)
{
	struct gs_date d;

	if (strlen(s) == 10 && parse_date_prefix(s, &d)) {
		*out = date_midnight(date_add_days(d, 1), default_zone);
		return 0;
	}
	return instant_parse(s, default_zone, out);
}

void date_format(struct gs_date d, char out[GS_DATE_STR])
{
	snprintf(out, GS_DATE_STR, "%04u-%02u-%02u", (unsigned)d.year % 10000u,
		 (unsigned)d.month % 100u, (unsigned)d.day % 100u);
}

void zone_format(int32_t offset, char out[GS_ZONE_STR])
{
	int32_t a = offset < 0 ? -offset : offset;

	snprintf(out, GS_ZONE_STR, "%c%02u:%02u", offset < 0 ? '-' : '+',
		 (unsigned)(a / 3600) % 100u, (unsigned)(a % 3600) / 60u % 100u);
}

static void format_with_zone(gs_instant t, int32_t zone, const char *suffix,
			     char out[GS_INSTANT_STR])
{
	int64_t local = t + zone;
	int64_t days = floor_div(local, 86400);
	int64_t sod = local - days * 86400;
	struct gs_date d = date_from_days(days);

	snprintf(out, GS_INSTANT_STR, "%04u-%02u-%02uT%02u:%02u:%02u%.6s",
		 (unsigned)d.year % 10000u, (unsigned)d.month % 100u, (unsigned)d.day % 100u,
		 (unsigned)(sod / 3600) % 100u, (unsigned)(sod % 3600 / 60) % 100u,
		 (unsigned)(sod % 60) % 100u, suffix);
}

void instant_format(gs_instant t, char out[GS_INSTANT_STR])
{
	format_with_zone(t, 0, "Z", out);
}

void instant_format_local(gs_instant t, int32_t zone_offset, char out[GS_INSTANT_STR])
{
	char z[GS_ZONE_STR];

	zone_format(zone_offset, z);
	format_with_zone(t, zone_offset, z, out);
}
