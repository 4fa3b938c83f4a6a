/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_TIME_H
#define GS_CORE_TIME_H

/*
 * Instants, civil dates and fixed-offset zones. Pure: no clock, no TZ
 * database, no libc time functions (banned.h forbids gmtime/localtime).
 *
 * An instant is whole seconds since 1970-01-01T00:00:00Z (UTC, no leap
 * seconds). All comparisons are done on instants; day boundaries use an
 * agreement's zone, a fixed offset from UTC in seconds (+09:00 = 32400).
 * Dates are proleptic Gregorian, years 1..9999.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t gs_instant;

#define GS_INSTANT_NONE INT64_MIN /* "no instant" (null in JSON) */

struct gs_date {
	int year;  /* 1..9999 */
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

/* What a year added to 29 February lands on in a common year. */
enum gs_leap_day {
	GS_LEAP_DAY_FEB28 = 0, /* default */
	GS_LEAP_DAY_MAR01 = 1,
};

bool date_is_valid(struct gs_date d);
bool year_is_leap(int year);
int days_in_month(int year, int month);

/* Days since 1970-01-01 (may be negative) and back. */
int64_t days_from_date(struct gs_date d);
struct gs_date date_from_days(int64_t days);

/* Arithmetic on dates. Adding years or months to a day that does not
 * exist in the target month clamps to its last day, except 29 February
 * plus years, which follows leap. */
struct gs_date date_add_days(struct gs_date d, int64_t n);
struct gs_date date_add_months(struct gs_date d, int n);
struct gs_date date_add_years(struct gs_date d, int n, enum gs_leap_day leap);
int date_cmp(struct gs_date a, struct gs_date b); /* <0, 0, >0 */

/* The instant of 00:00 local time on date d in a zone of offset seconds. */
gs_instant date_midnight(struct gs_date d, int32_t zone_offset);
/* The local date of instant t in a zone of offset seconds. */
struct gs_date date_of_instant(gs_instant t, int32_t zone_offset);

/* Parsers: the whole string must match. Return 0 or GS_EINVAL.
 * date_parse:    "2019-08-23"
 * zone_parse:    "+09:00", "-05:00", "Z", "UTC" (-> 0); |offset| <= 18:00
 * instant_parse: RFC 3339 "2019-11-23T00:00:00+09:00", also without
 *                seconds ("2019-11-23T00:00+09:00"), "Z" or "z", an
 *                optional fraction (ignored; truncated to the second), and
 *                a bare date "2019-08-23" meaning 00:00 in default_zone. */
int date_parse(const char *s, struct gs_date *out);
int zone_parse(const char *s, int32_t *out);
int instant_parse(const char *s, int32_t default_zone, gs_instant *out);
/* The same for the end of a validity period [from, until): a bare date
 * "2019-08-23" means the end of that day in default_zone (00:00 of the next
 * day), so that a PSC valid until a date is valid all that day. */
int instant_parse_end(const char *s, int32_t default_zone, gs_instant *out);

/* Formatters (NUL-terminated, never truncated with these sizes):
 * date_format:    "2019-08-24"                     (GS_DATE_STR bytes)
 * zone_format:    "+09:00"                         (GS_ZONE_STR bytes)
 * instant_format: "2019-11-22T15:00:00Z"           (GS_INSTANT_STR bytes)
 * instant_format_local: "2019-11-23T00:00:00+09:00" (GS_INSTANT_STR bytes) */
#define GS_DATE_STR 11
#define GS_ZONE_STR 7
#define GS_INSTANT_STR 32
void date_format(struct gs_date d, char out[GS_DATE_STR]);
void zone_format(int32_t offset, char out[GS_ZONE_STR]);
void instant_format(gs_instant t, char out[GS_INSTANT_STR]);
void instant_format_local(gs_instant t, int32_t zone_offset, char out[GS_INSTANT_STR]);

#endif
