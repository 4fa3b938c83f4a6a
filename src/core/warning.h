/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_WARNING_H
#define GS_CORE_WARNING_H

/*
 * A missile warning (docs/warnings.md): what one party's sensors saw of a
 * launch, shared in real time under an agreement or arrangement. Pure: a
 * fixed-size struct with caps, its rules and its canonical JSON form;
 * no clock (the caller passes "now"), no allocation, no I/O.
 *
 * Numbers are fixed-point integers so that a warning has one exact value
 * and one canonical spelling (what gets sealed and hashed):
 *
 *   latitude, longitude   1e-7 degree      (WARNING_SCALE_DEG digits)
 *   altitude, distance    0.1 metre        (WARNING_SCALE_TENTH)
 *   speed                 0.1 metre/second
 *   course, orientation   0.1 degree
 *   instants              milliseconds since 1970-01-01T00:00:00Z
 *
 * Altitudes are heights above the WGS 84 ellipsoid (HAE), as Cursor on
 * Target gives them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/limits.h"

/* Caps of the warning format. */
#define WARNING_MAX_TRACK 256          /* track points in one warning */
#define WARNING_MAX_IMPACTS 8          /* predicted impact points in one warning */
#define WARNING_MAX_TEXT 128           /* the sensor's name, incl. NUL */
#define WARNING_MAX_JSON (256u << 10)  /* bytes of one warning in JSON, as read */
#define WARNING_MAX_CANONICAL (96u << 10) /* bytes of the canonical form: always enough */

/* Digits after the decimal point of each kind of number. */
#define WARNING_SCALE_DEG 7   /* latitude, longitude */
#define WARNING_SCALE_TENTH 1 /* metres, metres/second, course and orientation */

/* Bounds, in the scaled units above. */
#define WARNING_LAT_MAX 900000000          /* 90 degrees */
#define WARNING_LON_MAX 1800000000         /* 180 degrees */
#define WARNING_ALT_MIN (-120000)          /* -12,000 m: below the deepest sea */
#define WARNING_ALT_MAX 100000000          /* 10,000 km: above any ballistic apogee */
#define WARNING_LAUNCH_ALT_MAX 1000000     /* 100 km: a launch is from the ground, the sea or the air */
#define WARNING_SPEED_MAX 120000           /* 12,000 m/s: above escape velocity */
#define WARNING_COURSE_END 3600            /* course in [0, 360) degrees */
#define WARNING_ORIENTATION_END 1800       /* an ellipse's orientation in [0, 180) */
#define WARNING_AXIS_MAX 50000000          /* 5,000 km: an ellipse's semi-axis */

/* The assessed type of what was launched. */
enum warning_type {
	WARNING_TYPE_UNKNOWN = 0,
	WARNING_TYPE_SRBM,         /* short-range ballistic missile */
	WARNING_TYPE_MRBM,         /* medium-range */
	WARNING_TYPE_IRBM,         /* intermediate-range */
	WARNING_TYPE_ICBM,         /* intercontinental */
	WARNING_TYPE_SLBM,         /* submarine-launched */
	WARNING_TYPE_HGV,          /* hypersonic glide vehicle */
	WARNING_TYPE_CRUISE,       /* cruise missile */
	WARNING_TYPE_SPACE_LAUNCH, /* a satellite launch vehicle */
	WARNING_TYPE_COUNT
};

/* "srbm", "space-launch"...; NULL for a value out of the enum. */
const char *warning_type_name(enum warning_type t);
/* 0, or GS_EINVAL for a name that is none of them. */
int warning_type_parse(const char *s, enum warning_type *out);

struct warning_launch {
	int64_t time;             /* the launch instant, as assessed */
	int32_t lat, lon, alt;
};

struct warning_track_point {
	int64_t time;
	int32_t lat, lon, alt;
	int32_t speed;            /* magnitude of the velocity */
	int32_t course;           /* direction of the velocity over the ground, from true north */
};

/* A predicted impact point and its error ellipse. */
struct warning_impact {
	int64_t time;             /* predicted instant of impact */
	int32_t lat, lon;
	int32_t semi_major, semi_minor; /* semi-axes of the error ellipse */
	int32_t orientation;      /* of the major axis, clockwise from true north */
};

struct warning {
	char id[GS_MAX_ID];               /* the originator's id of the event */
	char originator[GS_MAX_CODE];     /* the party that issues the warning */
	char agreement[GS_MAX_ID];        /* the agreement or arrangement it travels under */
	char topic[GS_MAX_NAME];          /* a topic of that agreement's scope */
	char classification[GS_MAX_LABEL]; /* a level of the originator's scheme */
	char sensor_party[GS_MAX_CODE];   /* the party whose sensor detected it */
	char sensor[WARNING_MAX_TEXT];    /* which sensor */
	int64_t detected;                 /* the instant of first detection */
	enum warning_type type;
	int confidence;                   /* the originator's confidence, percent */
	struct warning_launch launch;
	int ntrack;
	struct warning_track_point track[WARNING_MAX_TRACK];
	int nimpacts;
	struct warning_impact impacts[WARNING_MAX_IMPACTS];
};

/*
 * Every rule that needs no clock (docs/warnings.md "Rules"): ids and codes
 * well formed, texts one line of UTF-8, every number in range, instants
 * in order (launch <= detection, launch <= first track point, track
 * strictly increasing, every impact after the launch and not before the
 * last track point), 0 < semi-minor <= semi-major. GS_EINVAL with the
 * member's path ("track[3].time: ...").
 */
int warning_validate(const struct warning *w, struct gs_diag *d) __attribute__((warn_unused_result));

/* What was observed is not in the future: detection, launch and every
 * track point at most skew_ms after now_ms (both milliseconds). A
 * predicted impact may be. GS_EINVAL naming the member. */
int warning_check_time(const struct warning *w, int64_t now_ms, int64_t skew_ms, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* ---- numbers and instants, as the JSON and CoT forms spell them ---- */

/* "2023-12-18T01:37:12.345Z": always UTC, always milliseconds. */
#define WARNING_TIME_STR 32
void warning_time_format(int64_t ms, char out[WARNING_TIME_STR]);
/* RFC 3339 with seconds and an explicit zone ("Z" or "+09:00"), a fraction
 * of up to nine digits of which only the first three may be non-zero:
 * nothing finer than a millisecond is dropped in silence. 0 or GS_EINVAL
 * with the reason in d. */
int warning_time_parse(const char *s, int64_t *out, struct gs_diag *d) __attribute__((warn_unused_result));

enum warning_decimal_mode {
	WARNING_DECIMAL_EXACT, /* JSON: RFC 8259 grammar; more digits than the scale are refused */
	WARNING_DECIMAL_ROUND, /* CoT (xs:double): an optional '+', rounded half away from zero */
};

/* Reads the n bytes at s as a decimal number times 10^scale, into
 * [min, max]. No NaN, no infinity. 0, or GS_EINVAL with the reason
 * ("more precise than 0.1", "out of range [-90, 90]") in d. */
int warning_decimal_parse(const char *s, size_t n, int scale, int64_t min, int64_t max,
			  enum warning_decimal_mode mode, int64_t *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* The shortest spelling of v / 10^scale: no exponent, no trailing zeros
 * after the point, no point for a whole number, "0" for zero. */
#define WARNING_DECIMAL_STR 32
void warning_decimal_format(int64_t v, int scale, char out[WARNING_DECIMAL_STR]);

/* ---- JSON (docs/warnings.md "JSON") ---- */

/*
 * Reads one warning in JSON (at most WARNING_MAX_JSON bytes): an object
 * with exactly the members of docs/warnings.md, each once, each of its
 * type (strings, numbers without excess precision, arrays within their
 * caps), nothing after it but white space; then warning_validate(). No
 * allocation. GS_EINVAL/GS_ELIMIT with one line: "offset N: ..." for the
 * syntax, the member's path for a value. *out is zeroed on failure.
 */
int warning_json_parse(const char *buf, size_t len, struct warning *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * The canonical JSON of w into out[cap] (WARNING_MAX_CANONICAL is always
 * enough): members in the fixed order of docs/warnings.md, no white space
 * but the final line feed, numbers as warning_decimal_format() spells
 * them, instants as warning_time_format(), strings as UTF-8 with only '"'
 * and '\' escaped. The same warning always gives the same bytes.
 * GS_ELIMIT if cap is too small. *len excludes the terminating NUL.
 */
int warning_json_write(const struct warning *w, char *out, size_t cap, size_t *len)
	__attribute__((warn_unused_result));

#endif
