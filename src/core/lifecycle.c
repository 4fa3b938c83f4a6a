/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agreement lifecycle (SPEC §3): a replay of the diplomatic notes in
 * delivery order, then a projection of terms and anniversaries onto the
 * instant asked about. Pure and allocation-free; anniversaries are
 * computed from the year difference, never by walking year by year.
 *
 * Model: each party holds at most one termination notice, pending or
 * suspended. The agreement ends at the earliest instant among pending
 * notices; a suspended notice ends nothing and the terms keep renewing.
 */
#include "core/lifecycle.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/banned.h"

/* Notes outside these instants are ignored (and refused by
 * lifecycle_check_note), so that date arithmetic stays in 1..9999. */
#define MIN_INSTANT (-2208988800LL)  /* 1900-01-01T00:00:00Z */
#define MAX_INSTANT (221845392000LL) /* 9000-01-01T00:00:00Z */
#define NO_END INT64_MAX
/* For the helpers of the replay loop, which runs once per note. */
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))
/* A late notice is carried forward at most this many anniversaries. */
#define MAX_CARRY 64

enum slot_state {
	SLOT_NONE = 0,
	SLOT_PENDING,
	SLOT_SUSPENDED,
};

/* One party's termination notice. */
struct slot {
	enum slot_state st;
	gs_instant ends; /* SLOT_PENDING: when the agreement ends */
};

struct amend {
	int version;
	unsigned mask; /* parties that consented */
	struct gs_date effective; /* the latest effective date consented to */
};

struct replay {
	const struct agreement *a;
	bool signed_by_all;
	int np;
	unsigned all_mask;
	uint64_t pword[GS_MAX_PARTIES]; /* party codes as words, for quick lookup */
	bool sorted;                    /* notes given in delivery order */
	/* the agreement's term rules, read once */
	int32_t zone;
	bool indefinite;                /* TERM_INDEFINITE, else annual terms */
	int64_t notice_lead;            /* deadline_day(A) = A - notice_lead */
	int64_t fast_lead;              /* midnight(A) - the end of its timely notices, s */
	/* the last term looked up: [A_{ck-1}, A_ck) as local day numbers, and
	 * as instants [t_lo, t_hi); a notice in it is timely for A_ck if
	 * delivered before t_fast (t_lo is NO_END while ck is 0) */
	int ck;
	int64_t cprev, ccur;
	gs_instant t_lo, t_hi, t_fast;
	/* entry into force, from the whole history */
	bool has_eif;
	struct gs_date eif_date;
	int64_t eif_day;
	gs_instant eif;
	gs_instant eif_from;            /* eif, or NO_END without one: in force at a
					 * note's instant t if t >= eif_from */
	bool at_any_time;               /* SUSPENSION_AT_ANY_TIME */
	bool eif_feb29;                 /* anniversaries need the leap-day policy */
	int64_t anniv_base;             /* A_k = anniv_base + 365 k + leaps_through(anniv_y0 + k) */
	int64_t anniv_y0;
	unsigned domestic_all; /* parties with a domestic note anywhere in the history */
	/* the replay so far */
	unsigned domestic_seen;
	struct slot slot[GS_MAX_PARTIES];
	int npending, nsuspended;
	gs_instant min_ends; /* earliest end among pending notices, or NO_END */
	/* A note delivered at t, MIN_INSTANT <= t < lane_end, is delivered
	 * by the instant replayed to and no later than MAX_INSTANT, the
	 * agreement has not terminated and no notice ends by t: apply_note's
	 * checks before the note's own would do nothing. idle_end: lane_end
	 * with no notice pending. */
	gs_instant lane_end, idle_end;
	int min_party;
	bool terminated;
	gs_instant terminated_at;
	int term_party;
	int namend;
	struct amend amend[GS_MAX_AMENDMENTS];
};

/* What applying one note did: for the event and for check_note. */
enum outcome {
	OUT_APPLIED = 0,
	OUT_UNKNOWN_PARTY,
	OUT_AFTER_TERMINATION,
	OUT_NOT_IN_FORCE,
	OUT_DUPLICATE,
	OUT_ALREADY_PENDING,
	OUT_LATE_REFUSED,
	OUT_NOTHING_TO_SUSPEND,
	OUT_NOTHING_TO_WITHDRAW,
	OUT_BAD_VERSION,
	OUT_TOO_MANY_VERSIONS,
	OUT_OUT_OF_RANGE,
};

/* Details of a termination target, for messages. */
struct target {
	gs_instant ends;
	bool late;          /* the first anniversary was not timely */
	int64_t late_aday;  /* that anniversary, local day number */
	int64_t late_dday;  /* and its last timely day */
};

static int64_t floor_div(int64_t x, int64_t y)
{
	int64_t q = x / y;

	return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
}

static int64_t local_day(gs_instant t, int32_t zone)
{
	return floor_div(t + zone, 86400);
}

static gs_instant day_midnight(int64_t day, int32_t zone)
{
	return day * 86400 - zone;
}

static gs_instant clamp_instant(gs_instant t)
{
	return t < MIN_INSTANT ? MIN_INSTANT : t > MAX_INSTANT ? MAX_INSTANT : t;
}

/* Party codes are short: a plain loop beats a libc call here. */
static bool code_eq(const char *x, const char *y)
{
	int i;

	for (i = 0; i < GS_MAX_CODE; i++) {
		if (x[i] != y[i])
			return false;
		if (!x[i])
			return true;
	}
	return true;
}

static int party_index(const struct agreement *a, const char *code)
{
	int i, n = a->nparties < GS_MAX_PARTIES ? a->nparties : GS_MAX_PARTIES;

	if (!code[0])
		return -1;
	for (i = 0; i < n; i++)
		if (code_eq(a->parties[i], code))
			return i;
	return -1;
}

/* Leap years in 1..y (y >= 0; unsigned division is cheaper). */
static int64_t leaps_through(int64_t y)
{
	uint32_t u = (uint32_t)y;

	return (int64_t)(u / 4 - u / 100 + u / 400);
}

static uint64_t code_word(const char *code)
{
	uint64_t w;

	memcpy(&w, code, sizeof(w));
	return w;
}

/* party_index() with the codes compared as 8-byte words first: codes are
 * NUL-terminated within GS_MAX_CODE (8) bytes, so equal words are equal
 * codes; unequal words may still be equal codes (bytes after the NUL
 * differ), hence the fallback. */
HOT int replay_party(const struct replay *r, const char *code)
{
	uint64_t w = code_word(code);
	int p;

	for (p = 0; p < r->np; p++)
		if (r->pword[p] == w)
			return p;
	return party_index(r->a, code);
}

/* replay_party() with at least one party (np >= 1): pword[1] repeats
 * pword[0] when there is only one, so it cannot match first. */
HOT int replay_party1(const struct replay *r, const char *code)
{
	uint64_t w = code_word(code);
	int p;

	if (r->pword[0] == w)
		return 0;
	if (r->pword[1] == w)
		return 1;
	for (p = 2; p < r->np; p++)
		if (r->pword[p] == w)
			return p;
	return party_index(r->a, code);
}

/* Local day number of anniversary A_k (A_0 = entry into force): 365 days
 * a year plus the 29 Februaries crossed, without calendar conversions;
 * an entry into force on 29 February goes through date_add_years for
 * its leap-day policy. */
static int64_t anniv_day(const struct replay *r, int k)
{
	if (r->eif_feb29)
		return k == 0 ? r->eif_day :
				days_from_date(date_add_years(r->eif_date, k, r->a->term.leap_day));
	return r->anniv_base + 365 * (int64_t)k + leaps_through(r->anniv_y0 + k);
}

/* Sets up anniv_day() from the entry into force: A_k is A_0 plus 365
 * days a year and the Februaries 29 crossed, those of years y0+1..y0+k
 * for an entry into force after February, y0..y0+k-1 otherwise. */
static void anniv_init(struct replay *r)
{
	int64_t y0 = r->eif_date.month > 2 ? r->eif_date.year : r->eif_date.year - 1;

	r->eif_feb29 = r->eif_date.month == 2 && r->eif_date.day == 29;
	r->anniv_y0 = y0;
	r->anniv_base = r->eif_day - leaps_through(y0);
}

/* Remembers term k, [A_{k-1}, A_k) = [prev, cur), also as instants. */
HOT void term_cache(struct replay *r, int k, int64_t prev, int64_t cur)
{
	r->ck = k;
	r->cprev = prev;
	r->ccur = cur;
	r->t_lo = day_midnight(prev, r->zone);
	r->t_hi = day_midnight(cur, r->zone);
	r->t_fast = r->t_hi - r->fast_lead;
}

/* Moves the term cache (ck >= 1) on to the next term, without
 * anniv_day(): A_{k+1} - A_k is 365 days, plus one if the February of
 * year anniv_y0 + k + 1 has a 29th. Not for an EIF on 29 February. */
HOT void term_step(struct replay *r)
{
	uint32_t y = (uint32_t)(r->anniv_y0 + r->ck + 1);
	int64_t days = 365 + ((y & 3) == 0 && (y % 100 != 0 || y % 400 == 0));

	r->ck++;
	r->cprev = r->ccur;
	r->ccur += days;
	r->t_lo = r->t_hi;
	r->t_hi += days * 86400;
	r->t_fast = r->t_hi - r->fast_lead;
}

/* The smallest k >= 1 with A_k after local day `day`: the term that
 * contains `day` (for day >= EIF). Estimated from the mean Gregorian
 * year (146097 days in 400 years), then corrected by at most a step.
 * Sets *aday to A_k. */
static int first_anniv_after(struct replay *r, int64_t day, int64_t *aday)
{
	int64_t span, ak, prev;
	int k, step;

	/* Notes come in delivery order: usually the same term as the last
	 * lookup, or one of the next few. */
	if (r->ck && day >= r->cprev) {
		for (step = 0; step < 4 && day >= r->ccur; step++) {
			if (r->eif_feb29)
				term_cache(r, r->ck + 1, r->ccur, anniv_day(r, r->ck + 1));
			else
				term_step(r);
		}
		if (day < r->ccur) {
			*aday = r->ccur;
			return r->ck;
		}
	}
	span = day - r->eif_day;
	k = span <= 0 ? 1 : (int)(span * 400 / 146097) + 1;
	prev = anniv_day(r, k - 1);
	ak = anniv_day(r, k);
	while (k > 1 && prev > day) {
		k--;
		ak = prev;
		prev = anniv_day(r, k - 1);
	}
	while (ak <= day) {
		k++;
		prev = ak;
		ak = anniv_day(r, k);
	}
	term_cache(r, k, prev, ak);
	*aday = ak;
	return k;
}

static int64_t deadline_day(const struct replay *r, int64_t aday)
{
	return aday - r->notice_lead;
}

/* Adds the notice period to the local date-time of t. */
static gs_instant add_period(const struct replay *r, gs_instant t)
{
	const struct gs_period *p = &r->a->term.notice_period;
	int32_t zone = r->a->zone;
	int64_t day = local_day(t, zone);
	int64_t sod = t + zone - day * 86400;
	struct gs_date d = date_from_days(day);

	d = date_add_years(d, p->years, r->a->term.leap_day);
	d = date_add_months(d, p->months);
	return day_midnight(days_from_date(d) + p->days, zone) + sod;
}

/* notice_target() in general. */
COLD bool notice_target_slow(struct replay *r, gs_instant t, struct target *tg)
{
	int64_t day, aday;
	int k, i;

	tg->late = false;
	if (r->indefinite) {
		tg->ends = add_period(r, t);
		return true;
	}
	day = local_day(t, r->zone);
	k = first_anniv_after(r, day, &aday);
	if (day > deadline_day(r, aday)) {
		tg->late = true;
		tg->late_aday = aday;
		tg->late_dday = deadline_day(r, aday);
		if (r->a->term.late_notice == LATE_REFUSE)
			return false;
		for (i = 0; i < MAX_CARRY && day > deadline_day(r, aday); i++)
			aday = anniv_day(r, ++k);
	}
	tg->ends = day_midnight(aday, r->zone);
	return true;
}

/* When a notice delivered at t ends the agreement. Returns false if it
 * is late and late notices are refused. Usually t is in the term last
 * looked up and timely: local day >= A_{k-1} is t >= t_lo, and so on,
 * without a division. */
HOT bool notice_target(struct replay *r, gs_instant t, struct target *tg)
{
	if (t >= r->t_lo) {
		if (t >= r->t_hi && !r->eif_feb29)
			term_step(r);
		if (t < r->t_fast) {
			tg->ends = r->t_hi;
			return true;
		}
	}
	return notice_target_slow(r, t, tg);
}

/* After a change to min_ends, before termination (check_termination
 * closes the lane for good). */
HOT void set_lane(struct replay *r)
{
	r->lane_end = r->min_ends < r->idle_end ? r->min_ends : r->idle_end;
}

/* Opens the lane for a replay up to `at`. Without parties, no note
 * applies. */
static void open_lane(struct replay *r, gs_instant at)
{
	r->idle_end = r->np == 0 || at < MIN_INSTANT ? MIN_INSTANT :
		      at > MAX_INSTANT ? MAX_INSTANT + 1 : at + 1;
	if (!r->terminated)
		set_lane(r);
}

/* For t >= MIN_INSTANT. */
HOT bool in_lane(const struct replay *r, gs_instant t)
{
	return t < r->lane_end;
}

COLD void update_min(struct replay *r)
{
	int p;

	r->min_ends = NO_END;
	r->min_party = -1;
	for (p = 0; p < r->np; p++) {
		if (r->slot[p].st == SLOT_PENDING && r->slot[p].ends < r->min_ends) {
			r->min_ends = r->slot[p].ends;
			r->min_party = p;
		}
	}
	set_lane(r);
}

/* Party p's notice became pending (its ends is set). */
HOT void min_add(struct replay *r, int p)
{
	gs_instant e = r->slot[p].ends;

	if (e < r->min_ends || (e == r->min_ends && p < r->min_party)) {
		r->min_ends = e;
		r->min_party = p;
		set_lane(r);
	}
}

/* Party p's notice is no longer pending. */
HOT void min_drop(struct replay *r, int p)
{
	if (p != r->min_party)
		return;
	if (r->npending) {
		update_min(r);
	} else {
		r->min_ends = NO_END;
		r->min_party = -1;
		r->lane_end = r->idle_end;
	}
}

HOT void check_termination(struct replay *r, gs_instant t)
{
	if (!r->terminated && r->npending > 0 && r->min_ends <= t) {
		r->terminated = true;
		r->terminated_at = r->min_ends;
		r->term_party = r->min_party;
		r->lane_end = MIN_INSTANT;
	}
}

HOT bool in_force_at(const struct replay *r, gs_instant t)
{
	return r->has_eif && t >= r->eif;
}

static enum agreement_state state_of(const struct replay *r, gs_instant t)
{
	if (r->terminated || (r->npending > 0 && r->min_ends <= t))
		return STATE_TERMINATED;
	if (!in_force_at(r, t))
		return r->signed_by_all ? STATE_SIGNED : STATE_DRAFT;
	if (r->npending > 0)
		return STATE_NOTICE_PENDING;
	if (r->nsuspended > 0)
		return STATE_NOTICE_SUSPENDED;
	return STATE_IN_FORCE;
}

/* Notes the first domestic-procedures note of each party among
 * notes[from..to) in first[]. */
static void scan_domestic(struct replay *r, const struct dipnote *notes, size_t from, size_t to,
			  gs_instant *first)
{
	size_t i;
	int p;

	for (i = from; i < to; i++) {
		gs_instant t = notes[i].delivered;

		if (notes[i].kind != DIPNOTE_DOMESTIC_COMPLETE || t < MIN_INSTANT || t > MAX_INSTANT)
			continue;
		p = replay_party(r, notes[i].from);
		if (p < 0)
			continue;
		r->domestic_all |= 1u << p;
		if (t < first[p])
			first[p] = t;
	}
}

/* The number of notes in delivery order at the start of notes[0..n),
 * the first delivered no earlier than prev. */
static size_t in_order(const struct dipnote *notes, size_t n, gs_instant prev)
{
	const struct dipnote *nt = notes, *end = notes + n;

	for (; end - nt >= 4; nt += 4) {
		gs_instant t0 = nt[0].delivered, t1 = nt[1].delivered;
		gs_instant t2 = nt[2].delivered, t3 = nt[3].delivered;

		if (t0 < prev || t1 < t0 || t2 < t1 || t3 < t2)
			break;
		prev = t3;
	}
	for (; nt < end && nt->delivered >= prev; nt++)
		prev = nt->delivered;
	return (size_t)(nt - notes);
}

/* Whether the notes are in delivery order; entry into force depends only
 * on dates, so it is found from every note given, whatever the instant
 * asked about. Notes in delivery order are read for domestic notes only
 * until every party has one: a party's first is its earliest. lazy:
 * notes past those are not checked for order, and sorted only means
 * that the replay must check it (replay_checked). */
static void find_eif(struct replay *r, const struct dipnote *notes, size_t n, bool lazy)
{
	const struct agreement *a = r->a;
	gs_instant first[GS_MAX_PARTIES], latest = INT64_MIN, prev;
	size_t i;
	int p;

	r->sorted = true;
	if (!r->signed_by_all) {
		/* An agreement some party has not signed never enters into
		 * force, whatever notes are held (SPEC §3: draft until every
		 * signature). */
		if (!lazy)
			r->sorted = in_order(notes, n, INT64_MIN) == n;
		return;
	}
	for (p = 0; p < r->np; p++)
		first[p] = NO_END;
	/* In delivery order while domestic notes are missing... */
	prev = INT64_MIN;
	for (i = 0; i < n && r->domestic_all != r->all_mask; i++) {
		gs_instant t = notes[i].delivered;

		if (t < prev)
			break;
		prev = t;
		scan_domestic(r, notes, i, i + 1, first);
	}
	/* ...then for the order alone; out of order, every note is read. */
	if (i < n && (notes[i].delivered < prev || !lazy) &&
	    i + in_order(notes + i, n - i, prev) < n) {
		r->sorted = false;
		scan_domestic(r, notes, i, n, first);
	}
	if (a->term.eif == EIF_ON_SIGNATURE) {
		if (!date_is_valid(a->signed_on))
			return;
		r->eif_date = a->signed_on;
	} else {
		if (r->np == 0 || r->domestic_all != r->all_mask)
			return;
		for (p = 0; p < r->np; p++)
			if (first[p] > latest)
				latest = first[p];
		r->eif_day = local_day(latest, a->zone);
		if (a->term.eif == EIF_DAYS_AFTER_NOTES)
			r->eif_day += a->term.eif_days > 0 ? a->term.eif_days : 0;
		r->eif_date = date_from_days(r->eif_day);
	}
	r->has_eif = true;
	if (a->term.eif == EIF_ON_SIGNATURE)
		r->eif_day = days_from_date(r->eif_date);
	r->eif = day_midnight(r->eif_day, a->zone);
	r->eif_from = r->eif;
	anniv_init(r);
	/* the first term, for the first notices */
	if (!r->indefinite)
		term_cache(r, 1, r->eif_day, anniv_day(r, 1));
}

static void replay_init(struct replay *r, const struct agreement *a, bool signed_by_all,
			const struct dipnote *notes, size_t n, bool lazy)
{
	r->a = a;
	r->signed_by_all = signed_by_all;
	r->np = a->nparties < 0 ? 0 : a->nparties > GS_MAX_PARTIES ? GS_MAX_PARTIES : a->nparties;
	r->all_mask = (1u << r->np) - 1;
	for (int p = 0; p < r->np; p++)
		r->pword[p] = code_word(a->parties[p]);
	if (r->np == 1)
		r->pword[1] = r->pword[0];
	r->zone = a->zone;
	r->indefinite = a->term.model == TERM_INDEFINITE;
	r->notice_lead = (a->term.notice_days > 0 ? a->term.notice_days : 0) +
			 (a->term.notice_rule == NOTICE_LAST_DAY ? 1 : 0);
	/* timely for A: local day <= A - lead, before midnight(A - lead + 1),
	 * which can be later than midnight(A) only with a lead of 0 */
	r->fast_lead = (r->notice_lead > 1 ? r->notice_lead - 1 : 0) * 86400;
	r->ck = 0;
	r->cprev = r->ccur = 0;
	r->t_lo = NO_END;
	r->t_hi = r->t_fast = 0;
	r->has_eif = false;
	r->eif_feb29 = false;
	r->eif_day = 0;
	r->eif = GS_INSTANT_NONE;
	r->eif_from = NO_END;
	r->at_any_time = a->term.suspension == SUSPENSION_AT_ANY_TIME;
	r->domestic_all = 0;
	r->domestic_seen = 0;
	memset(r->slot, 0, sizeof(r->slot));
	r->npending = 0;
	r->nsuspended = 0;
	r->min_ends = NO_END;
	r->min_party = -1;
	r->terminated = false;
	r->terminated_at = GS_INSTANT_NONE;
	r->term_party = -1;
	r->lane_end = r->idle_end = MIN_INSTANT;
	r->namend = 0;
	find_eif(r, notes, n, lazy);
}

/* ---- readable text ---- */

struct sb {
	char *s;
	size_t cap, len;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

/* Fixed-width decimal, for the formatters below: they write exactly what
 * instant_format_local() and date_format() write, without printf, which
 * would cost more than the replay. */
static char *put_num(char *p, unsigned v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *put_date(char *p, struct gs_date d)
{
	p = put_num(p, (unsigned)d.year % 10000u, 4);
	*p++ = '-';
	p = put_num(p, (unsigned)d.month % 100u, 2);
	*p++ = '-';
	return put_num(p, (unsigned)d.day % 100u, 2);
}

struct fmt_t {
	char s[GS_INSTANT_STR];
};

static struct fmt_t fmt_local(const struct replay *r, gs_instant t)
{
	struct fmt_t f;
	int32_t zone = r->a->zone, az = zone < 0 ? -zone : zone;
	int64_t day = local_day(t, zone), sod = t + zone - day * 86400;
	char *p = put_date(f.s, date_from_days(day));

	*p++ = 'T';
	p = put_num(p, (unsigned)(sod / 3600) % 100u, 2);
	*p++ = ':';
	p = put_num(p, (unsigned)(sod % 3600 / 60) % 100u, 2);
	*p++ = ':';
	p = put_num(p, (unsigned)(sod % 60) % 100u, 2);
	*p++ = zone < 0 ? '-' : '+';
	p = put_num(p, (unsigned)(az / 3600) % 100u, 2);
	*p++ = ':';
	p = put_num(p, (unsigned)(az % 3600) / 60u % 100u, 2);
	*p = '\0';
	return f;
}

struct fmt_d {
	char s[GS_DATE_STR];
};

static struct fmt_d fmt_day(int64_t day)
{
	struct fmt_d f;

	*put_date(f.s, date_from_days(day)) = '\0';
	return f;
}

static const char *party_code(const struct replay *r, int p)
{
	return p >= 0 && p < r->np ? r->a->parties[p] : "?";
}

static const char *withdraw_phrase(enum withdraw_what w)
{
	switch (w) {
	case WITHDRAW_NOTICE: return "withdrawal of the termination notice";
	case WITHDRAW_SUSPENSION: return "withdrawal of the suspension";
	case WITHDRAW_BOTH: return "withdrawal of the termination notice and its suspension";
	}
	return "withdrawal";
}

/* ---- applying one note ---- */

HOT enum outcome apply_termination(struct replay *r, int p, gs_instant t, struct target *tg)
{
	if (t < r->eif_from)
		return OUT_NOT_IN_FORCE;
	if (r->slot[p].st == SLOT_PENDING)
		return OUT_ALREADY_PENDING;
	if (!notice_target(r, t, tg))
		return OUT_LATE_REFUSED;
	if (r->slot[p].st == SLOT_SUSPENDED)
		r->nsuspended--;
	r->slot[p].st = SLOT_PENDING;
	r->slot[p].ends = tg->ends;
	r->npending++;
	min_add(r, p);
	return OUT_APPLIED;
}

HOT enum outcome apply_withdrawal(struct replay *r, int p, const struct dipnote *nt,
				     struct target *tg)
{
	struct slot *s = &r->slot[p];

	switch (nt->withdraws) {
	case WITHDRAW_NOTICE:
	case WITHDRAW_BOTH:
		if (s->st == SLOT_NONE)
			return OUT_NOTHING_TO_WITHDRAW;
		if (s->st == SLOT_PENDING) {
			r->npending--;
			s->st = SLOT_NONE;
			min_drop(r, p);
		} else {
			r->nsuspended--;
			s->st = SLOT_NONE;
		}
		return OUT_APPLIED;
	case WITHDRAW_SUSPENSION:
		if (s->st != SLOT_SUSPENDED)
			return OUT_NOTHING_TO_WITHDRAW;
		if (r->at_any_time) {
			tg->ends = nt->terminate_at != GS_INSTANT_NONE &&
						   nt->terminate_at > nt->delivered ?
					   nt->terminate_at :
					   nt->delivered;
		} else if (!notice_target(r, nt->delivered, tg)) {
			return OUT_LATE_REFUSED;
		}
		s->st = SLOT_PENDING;
		s->ends = tg->ends;
		r->nsuspended--;
		r->npending++;
		min_add(r, p);
		return OUT_APPLIED;
	}
	return OUT_NOTHING_TO_WITHDRAW;
}

static enum outcome apply_amendment(struct replay *r, int p, const struct dipnote *nt)
{
	int i;

	if (nt->version < 2 || !date_is_valid(nt->effective))
		return OUT_BAD_VERSION;
	for (i = 0; i < r->namend; i++)
		if (r->amend[i].version == nt->version)
			break;
	if (i == r->namend) {
		if (r->namend == GS_MAX_AMENDMENTS)
			return OUT_TOO_MANY_VERSIONS;
		r->amend[i].version = nt->version;
		r->amend[i].mask = 0;
		r->amend[i].effective = nt->effective;
		r->namend++;
	}
	r->amend[i].mask |= 1u << p;
	if (date_cmp(nt->effective, r->amend[i].effective) > 0)
		r->amend[i].effective = nt->effective;
	return OUT_APPLIED;
}

/* Applies one note delivered at nt->delivered (after every earlier one).
 * If what is non-NULL, writes a sentence about it. open: in_lane() is
 * known to hold. */
HOT enum outcome apply_note(struct replay *r, const struct dipnote *nt, struct sb *what, bool open)
{
	gs_instant t = nt->delivered;
	struct target tg;
	enum outcome o;
	unsigned missing;
	int p, q;

	if (what)
		tg = (struct target){ 0 };
	if (!open && (t < MIN_INSTANT || t > MAX_INSTANT)) {
		if (what)
			sb_add(what, "%s note: ignored, delivery instant out of range",
			       dipnote_kind_name(nt->kind));
		return OUT_OUT_OF_RANGE;
	}
	p = open ? replay_party1(r, nt->from) : replay_party(r, nt->from);
	if (!open)
		check_termination(r, t);
	if (what) {
		if (nt->kind == DIPNOTE_WITHDRAWAL)
			sb_add(what, "%s", withdraw_phrase(nt->withdraws));
		else if (nt->kind == DIPNOTE_AMENDMENT_CONSENT)
			sb_add(what, "amendment consent to version %d", nt->version);
		else if (nt->kind == DIPNOTE_DOMESTIC_COMPLETE)
			sb_add(what, "domestic-procedures-complete note");
		else
			sb_add(what, "%s", nt->kind == DIPNOTE_TERMINATION ? "termination notice" :
					   nt->kind == DIPNOTE_SUSPENSION ? "suspension of the termination notice" :
					   "note");
		sb_add(what, " by %s delivered %s: ", p >= 0 ? r->a->parties[p] : nt->from,
		       fmt_day(local_day(t, r->a->zone)).s);
	}
	if (p < 0) {
		if (what)
			sb_add(what, "ignored, not a party");
		return OUT_UNKNOWN_PARTY;
	}
	if (!open && r->terminated) {
		if (what)
			sb_add(what, "ignored, the agreement terminated at %s",
			       fmt_local(r, r->terminated_at).s);
		return OUT_AFTER_TERMINATION;
	}

	/* by how often each kind comes: a chain of tests costs less than a
	 * jump table for the first ones */
	if (nt->kind == DIPNOTE_WITHDRAWAL) {
		o = apply_withdrawal(r, p, nt, &tg);
		if (!what)
			return o;
		if (o == OUT_NOTHING_TO_WITHDRAW)
			sb_add(what, "ignored, nothing to withdraw");
		else if (o == OUT_LATE_REFUSED)
			sb_add(what, "reactivated notice late for %s (last day %s), ineffective",
			       fmt_day(tg.late_aday).s, fmt_day(tg.late_dday).s);
		else if (nt->withdraws == WITHDRAW_SUSPENSION)
			sb_add(what, "the notice runs again%s; agreement ends %s unless suspended or withdrawn",
			       tg.late ? " (carried forward)" : "", fmt_local(r, tg.ends).s);
		else if (r->npending || r->nsuspended)
			sb_add(what, "withdrawn; another party's notice remains");
		else
			sb_add(what, "back in force");
		return o;
	}
	if (nt->kind == DIPNOTE_TERMINATION) {
		o = apply_termination(r, p, t, &tg);
		if (!what)
			return o;
		if (o == OUT_NOT_IN_FORCE) {
			sb_add(what, "ignored, the agreement is not in force");
		} else if (o == OUT_ALREADY_PENDING) {
			sb_add(what, "ignored, a notice by %s is already pending", r->a->parties[p]);
		} else {
			if (tg.late)
				sb_add(what, "late for %s (last day %s)", fmt_day(tg.late_aday).s,
				       fmt_day(tg.late_dday).s);
			else if (r->a->term.model == TERM_ANNUAL)
				sb_add(what, "timely");
			else
				sb_add(what, "received");
			if (o == OUT_LATE_REFUSED)
				sb_add(what, ", ineffective");
			else
				sb_add(what, "%s; agreement ends %s unless suspended or withdrawn",
				       tg.late ? ", carried forward" : "", fmt_local(r, tg.ends).s);
		}
		return o;
	}
	if (nt->kind == DIPNOTE_SUSPENSION) {
		if (r->slot[p].st != SLOT_PENDING) {
			if (what)
				sb_add(what, "ignored, %s has no pending notice", r->a->parties[p]);
			return OUT_NOTHING_TO_SUSPEND;
		}
		if (what)
			sb_add(what, "notice suspended; the agreement does not end at %s and keeps renewing",
			       fmt_local(r, r->slot[p].ends).s);
		r->slot[p].st = SLOT_SUSPENDED;
		r->npending--;
		r->nsuspended++;
		min_drop(r, p);
		return OUT_APPLIED;
	}
	if (nt->kind == DIPNOTE_DOMESTIC_COMPLETE) {
		if (r->domestic_seen & (1u << p)) {
			if (what)
				sb_add(what, "ignored, %s already notified", r->a->parties[p]);
			return OUT_DUPLICATE;
		}
		r->domestic_seen |= 1u << p;
		if (!what)
			return OUT_APPLIED;
		missing = r->all_mask & ~r->domestic_seen;
		if (r->a->term.eif == EIF_ON_SIGNATURE) {
			sb_add(what, "recorded; entry into force is on signature");
		} else if (missing) {
			sb_add(what, "recorded; waiting for");
			for (q = 0; q < r->np; q++)
				if (missing & (1u << q))
					sb_add(what, " %s", r->a->parties[q]);
		} else if (r->has_eif) {
			sb_add(what, "every party has notified; in force from %s",
			       fmt_local(r, r->eif).s);
		}
		return OUT_APPLIED;
	}
	if (nt->kind == DIPNOTE_AMENDMENT_CONSENT) {
		o = apply_amendment(r, p, nt);
		if (!what)
			return o;
		if (o == OUT_BAD_VERSION) {
			sb_add(what, "ignored, invalid version or date");
		} else if (o == OUT_TOO_MANY_VERSIONS) {
			sb_add(what, "ignored, too many versions");
		} else {
			for (q = 0; q < r->namend && r->amend[q].version != nt->version; q++)
				;
			if (r->amend[q].mask == r->all_mask) {
				char ed[GS_DATE_STR];

				date_format(r->amend[q].effective, ed);
				sb_add(what, "every party consented; version %d effective %s",
				       nt->version, ed);
			} else {
				sb_add(what, "recorded; waiting for the other parties");
			}
		}
		return o;
	}
	if (what)
		sb_add(what, "ignored, unknown kind");
	return OUT_UNKNOWN_PARTY;
}

/* ---- order ---- */

/* Notes are usually given in delivery order (replay_init found out); if
 * not, they are sorted through one int64 key each on the stack: the
 * delivery instant (clamped: notes out of range are ignored anyway) times
 * GS_MAX_NOTES plus the index, so keys are distinct, ties keep array
 * order and the sort touches 8 bytes per note rather than whole notes.
 * Runs of SORT_RUN keys by insertion, then merged bottom-up. */
#define SORT_RUN 8
_Static_assert((GS_MAX_NOTES & (GS_MAX_NOTES - 1)) == 0, "GS_MAX_NOTES is a power of two");

static void sort_notes(const struct dipnote *notes, size_t n, uint16_t *idx)
{
	int64_t key[GS_MAX_NOTES], tmp[GS_MAX_NOTES], *src = key, *dst = tmp, *sw, k;
	size_t i, j, w, lo;

	if (n > GS_MAX_NOTES)
		n = GS_MAX_NOTES;
	for (i = 0; i < n; i++) {
		gs_instant t = notes[i].delivered;

		if ((uint64_t)t - (uint64_t)MIN_INSTANT > (uint64_t)(MAX_INSTANT - MIN_INSTANT))
			t = t < MIN_INSTANT ? MIN_INSTANT - 1 : MAX_INSTANT + 1;
		key[i] = t * GS_MAX_NOTES + (int64_t)i;
	}
	for (lo = 0; lo < n; lo += SORT_RUN) {
		size_t hi = n - lo < SORT_RUN ? n : lo + SORT_RUN;

		for (i = lo + 1; i < hi; i++) {
			k = key[i];
			for (j = i; j > lo && key[j - 1] > k; j--)
				key[j] = key[j - 1];
			key[j] = k;
		}
	}
	for (w = SORT_RUN; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			size_t mid = n - lo < w ? n : lo + w;
			size_t hi = n - lo < 2 * w ? n : lo + 2 * w;
			const int64_t *x = src + lo, *xe = src + mid, *y = xe, *ye = src + hi;
			int64_t *o = dst + lo;

			if (mid < hi && src[mid - 1] > src[mid]) {
				while (x < xe && y < ye)
					*o++ = *y < *x ? *y++ : *x++;
			}
			memcpy(o, x, (size_t)(xe - x) * sizeof(*o));
			o += xe - x;
			memcpy(o, y, (size_t)(ye - y) * sizeof(*o));
		}
		sw = src;
		src = dst;
		dst = sw;
	}
	for (i = 0; i < n; i++)
		idx[i] = (uint16_t)((uint64_t)src[i] & (GS_MAX_NOTES - 1));
}

/* Applies the notes delivered by `at`, in delivery order: notes[] as
 * given, or through idx[] (sort_notes). Returns how many. */
static size_t replay_to(struct replay *r, const struct dipnote *notes, size_t n,
			const uint16_t *idx, gs_instant at)
{
	size_t j;

	open_lane(r, at);
	if (!idx) {
		const struct dipnote *nt = notes, *end = notes + n;

		for (; nt < end; nt++) {
			if (in_lane(r, nt->delivered) && nt->delivered >= MIN_INSTANT) {
				apply_note(r, nt, NULL, true);
			} else {
				if (nt->delivered > at)
					break;
				apply_note(r, nt, NULL, false);
			}
		}
		j = (size_t)(nt - notes);
	} else {
		for (j = 0; j < n; j++) {
			const struct dipnote *nt = &notes[idx[j]];

			if (in_lane(r, nt->delivered) && nt->delivered >= MIN_INSTANT) {
				apply_note(r, nt, NULL, true);
			} else {
				if (nt->delivered > at)
					break;
				apply_note(r, nt, NULL, false);
			}
		}
	}
	return j;
}

/* replay_to() on notes in array order, checking that it is delivery
 * order (after replay_init(..., lazy)): one pass over the notes rather
 * than two. Returns SIZE_MAX if it is not, and r must start again. */
static size_t replay_checked(struct replay *r, const struct dipnote *notes, size_t n,
			     gs_instant at)
{
	const struct dipnote *nt = notes, *end = notes + n;
	gs_instant prev = INT64_MIN, t;

	open_lane(r, at);
	/* Notes before MIN_INSTANT come first, and after them in_lane()
	 * needs no lower bound: an earlier note is out of order. */
	for (; nt < end && (t = nt->delivered) < MIN_INSTANT; nt++) {
		if (t < prev)
			return SIZE_MAX;
		prev = t;
		if (t > at)
			goto after;
		apply_note(r, nt, NULL, false);
	}
	for (; nt < end; nt++) {
		t = nt->delivered;
		if (t < prev)
			return SIZE_MAX;
		prev = t;
		if (in_lane(r, t)) {
			apply_note(r, nt, NULL, true);
		} else {
			if (t > at)
				goto after;
			apply_note(r, nt, NULL, false);
		}
	}
	return n;
after:
	/* the rest must be in order too */
	if (in_order(nt, (size_t)(end - nt), t) < (size_t)(end - nt))
		return SIZE_MAX;
	return (size_t)(nt - notes);
}

/* ---- status ---- */

static void set_reason(const struct replay *r, gs_instant at, struct lifecycle_status *out)
{
	struct sb b = { out->reason, sizeof(out->reason), 0 };
	const char *id = r->a->id;
	int p;

	out->reason[0] = '\0';
	switch (out->state) {
	case STATE_DRAFT:
		sb_add(&b, "agreement '%s' is a draft: not every party's signature on its text is held",
		       id);
		break;
	case STATE_SIGNED:
		if (r->has_eif) {
			sb_add(&b, "agreement '%s' is signed by all parties and enters into force at %s",
			       id, fmt_local(r, r->eif).s);
		} else if (r->a->term.eif == EIF_ON_SIGNATURE) {
			sb_add(&b, "agreement '%s' is signed by all parties but has no valid signing date",
			       id);
		} else {
			sb_add(&b, "agreement '%s' is signed by all parties but not in force: "
				   "waiting for the domestic-procedures notes of", id);
			for (p = 0; p < r->np; p++)
				if (!(r->domestic_all & (1u << p)))
					sb_add(&b, " %s", r->a->parties[p]);
		}
		break;
	case STATE_IN_FORCE:
		if (r->a->term.model == TERM_ANNUAL)
			sb_add(&b, "agreement '%s' is in force since %s; term %d ends %s and renews "
				   "unless a party gives notice by %s",
			       id, fmt_local(r, r->eif).s, out->term,
			       fmt_local(r, out->term_end).s,
			       fmt_day(days_from_date(out->notice_deadline)).s);
		else
			sb_add(&b, "agreement '%s' is in force since %s, until a party gives notice",
			       id, fmt_local(r, r->eif).s);
		break;
	case STATE_NOTICE_PENDING:
		sb_add(&b, "the termination notice by %s is pending: agreement '%s' ends at %s "
			   "unless it is suspended or withdrawn",
		       party_code(r, r->min_party), id, fmt_local(r, r->min_ends).s);
		break;
	case STATE_NOTICE_SUSPENDED:
		for (p = 0; p < r->np && r->slot[p].st != SLOT_SUSPENDED; p++)
			;
		sb_add(&b, "the termination notice by %s is suspended: agreement '%s' stays in force",
		       party_code(r, p), id);
		if (out->term_end != GS_INSTANT_NONE)
			sb_add(&b, " and renews at %s", fmt_local(r, out->term_end).s);
		break;
	case STATE_TERMINATED:
		sb_add(&b, "agreement '%s' terminated at %s on the notice by %s: nothing new may be "
			   "released, and everything released under it stays protected",
		       id, fmt_local(r, r->terminated_at).s, party_code(r, r->term_party));
		break;
	}
	(void)at;
}

static int status_at(const struct agreement *a, bool signed_by_all,
		     const struct dipnote *notes, size_t nnotes, gs_instant at,
		     struct lifecycle_status *out, bool text)
{
	struct replay r;
	uint16_t idx[GS_MAX_NOTES];
	bool sorted;
	size_t j;
	int i;

	if (!a || !out || (!notes && nnotes))
		return GS_EINVAL;
	if (nnotes > GS_MAX_NOTES)
		return GS_ELIMIT;
	out->nevents = 0;
	if (!text) {
		replay_init(&r, a, signed_by_all, notes, nnotes, true);
		if (r.sorted) {
			j = replay_checked(&r, notes, nnotes, at);
			if (j != SIZE_MAX) {
				out->nevents = (int)j;
				goto replayed;
			}
			replay_init(&r, a, signed_by_all, notes, nnotes, false);
		}
		sort_notes(notes, nnotes, idx);
		out->nevents = (int)replay_to(&r, notes, nnotes, idx, at);
	} else {
		replay_init(&r, a, signed_by_all, notes, nnotes, false);
		sorted = r.sorted;
		if (!sorted)
			sort_notes(notes, nnotes, idx);
		for (j = 0; j < nnotes; j++) {
			size_t ni = sorted ? j : idx[j];
			const struct dipnote *nt = &notes[ni];
			struct lifecycle_event *ev;
			enum outcome o;

			if (nt->delivered > at)
				break;
			if (out->nevents < GS_MAX_EVENTS) {
				struct sb b;

				ev = &out->events[out->nevents];
				ev->what[0] = '\0';
				b = (struct sb){ ev->what, sizeof(ev->what), 0 };
				o = apply_note(&r, nt, &b, false);
				ev->note = (int)ni;
				ev->effect = o == OUT_APPLIED ? EFFECT_APPLIED : EFFECT_IGNORED;
				ev->state_after = state_of(&r, nt->delivered);
			} else {
				apply_note(&r, nt, NULL, false);
			}
			out->nevents++;
		}
	}
replayed:
	check_termination(&r, at);

	out->state = state_of(&r, at);
	out->term = 0;
	out->in_force_since = in_force_at(&r, at) ? r.eif : GS_INSTANT_NONE;
	out->term_start = GS_INSTANT_NONE;
	out->term_end = GS_INSTANT_NONE;
	out->has_notice_deadline = false;
	out->notice_deadline = (struct gs_date){ 0, 0, 0 };
	out->terminates_at = GS_INSTANT_NONE;
	switch (out->state) {
	case STATE_IN_FORCE:
	case STATE_NOTICE_PENDING:
	case STATE_NOTICE_SUSPENDED:
		if (a->term.model == TERM_ANNUAL) {
			int64_t aday;
			int k = first_anniv_after(&r, local_day(clamp_instant(at), a->zone), &aday);

			out->term = k;
			out->term_start = day_midnight(r.cprev, a->zone);
			out->term_end = day_midnight(aday, a->zone);
			out->has_notice_deadline = true;
			out->notice_deadline = date_from_days(deadline_day(&r, aday));
		} else {
			out->term = 1;
			out->term_start = r.eif;
		}
		if (out->state == STATE_NOTICE_PENDING)
			out->terminates_at = r.min_ends;
		break;
	case STATE_TERMINATED:
		out->terminates_at = r.terminated_at;
		break;
	default:
		break;
	}

	out->version = 1;
	for (i = 0; i < r.namend; i++) {
		if (r.amend[i].mask == r.all_mask && r.amend[i].version > out->version &&
		    date_midnight(r.amend[i].effective, a->zone) <= at)
			out->version = r.amend[i].version;
	}
	if (text)
		set_reason(&r, at, out);
	else
		out->reason[0] = '\0';
	return 0;
}

int lifecycle_at(const struct agreement *a, bool signed_by_all,
		 const struct dipnote *notes, size_t nnotes, gs_instant at,
		 struct lifecycle_status *out)
{
	return status_at(a, signed_by_all, notes, nnotes, at, out, true);
}

int lifecycle_state_at(const struct agreement *a, bool signed_by_all,
		       const struct dipnote *notes, size_t nnotes, gs_instant at,
		       struct lifecycle_status *out)
{
	return status_at(a, signed_by_all, notes, nnotes, at, out, false);
}

int lifecycle_check_note(const struct agreement *a, bool signed_by_all,
			 const struct dipnote *notes, size_t nnotes,
			 const struct dipnote *c, struct gs_diag *d)
{
	struct replay r;
	uint16_t idx[GS_MAX_NOTES];
	struct target tg = { 0 };
	bool sorted;
	int p;
	gs_instant t;

	if (!a || !c || (!notes && nnotes))
		return gs_diag_set(d, GS_EINVAL, "no agreement or note");
	if (nnotes >= GS_MAX_NOTES)
		return gs_diag_set(d, GS_ELIMIT, "agreement '%s': more than %d notes", a->id,
				   GS_MAX_NOTES);
	if (strncmp(c->agreement, a->id, GS_MAX_ID))
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': the note is for agreement '%.*s'",
				   a->id, GS_MAX_ID - 1, c->agreement);
	p = party_index(a, c->from);
	if (p < 0)
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': party '%.*s' is not a party",
				   a->id, GS_MAX_CODE - 1, c->from);
	if (c->to[0] && party_index(a, c->to) < 0)
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': party '%.*s' is not a party",
				   a->id, GS_MAX_CODE - 1, c->to);
	if (c->to[0] && !strncmp(c->to, c->from, GS_MAX_CODE))
		return gs_diag_set(d, GS_EDENIED, "agreement '%s': party '%s' cannot send a note to itself",
				   a->id, a->parties[p]);
	t = c->delivered;
	if (t < MIN_INSTANT || t > MAX_INSTANT)
		return gs_diag_set(d, GS_EINVAL, "agreement '%s': the %s note by '%s' has no valid "
				   "delivery instant", a->id, dipnote_kind_name(c->kind), a->parties[p]);

	replay_init(&r, a, signed_by_all, notes, nnotes, false);
	sorted = r.sorted;
	if (!sorted)
		sort_notes(notes, nnotes, idx);
	replay_to(&r, notes, nnotes, sorted ? NULL : idx, t);
	check_termination(&r, t);
	if (r.terminated)
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': terminated at %s; the %s note by '%s' "
				   "delivered %s comes after", a->id, fmt_local(&r, r.terminated_at).s,
				   dipnote_kind_name(c->kind), a->parties[p], fmt_local(&r, t).s);

	switch (c->kind) {
	case DIPNOTE_DOMESTIC_COMPLETE:
		return 0;
	case DIPNOTE_TERMINATION:
		if (!in_force_at(&r, t))
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': not in force at %s; a "
					   "termination notice needs it in force", a->id,
					   fmt_local(&r, t).s);
		if (r.slot[p].st == SLOT_PENDING)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' already has a "
					   "termination notice pending", a->id, a->parties[p]);
		if (!notice_target(&r, t, &tg))
			return gs_diag_set(d, GS_EDENIED, "agreement '%s': termination notice by '%s' "
					   "delivered %s is late for %s (last day %s)", a->id,
					   a->parties[p], fmt_day(local_day(t, a->zone)).s,
					   fmt_day(tg.late_aday).s, fmt_day(tg.late_dday).s);
		return 0;
	case DIPNOTE_SUSPENSION:
		if (r.slot[p].st != SLOT_PENDING)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' has no pending "
					   "termination notice to suspend", a->id, a->parties[p]);
		return 0;
	case DIPNOTE_WITHDRAWAL:
		if ((unsigned)c->withdraws > WITHDRAW_BOTH)
			return gs_diag_set(d, GS_EINVAL, "agreement '%s': unknown withdrawal", a->id);
		if (c->withdraws == WITHDRAW_SUSPENSION) {
			if (r.slot[p].st != SLOT_SUSPENDED)
				return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' has no "
						   "suspended notice to reactivate", a->id,
						   a->parties[p]);
			if (a->term.suspension == SUSPENSION_STRICT_TREATY &&
			    !notice_target(&r, t, &tg))
				return gs_diag_set(d, GS_EDENIED, "agreement '%s': reactivated notice by "
						   "'%s' delivered %s is late for %s (last day %s)",
						   a->id, a->parties[p],
						   fmt_day(local_day(t, a->zone)).s,
						   fmt_day(tg.late_aday).s, fmt_day(tg.late_dday).s);
			return 0;
		}
		if (r.slot[p].st == SLOT_NONE)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' has no "
					   "termination notice to withdraw", a->id, a->parties[p]);
		return 0;
	case DIPNOTE_AMENDMENT_CONSENT:
		if (c->version < 2)
			return gs_diag_set(d, GS_EINVAL, "agreement '%s': amendment consent by '%s' "
					   "names version %d (amendments are versions 2 and up)",
					   a->id, a->parties[p], c->version);
		if (!date_is_valid(c->effective))
			return gs_diag_set(d, GS_EINVAL, "agreement '%s': amendment consent by '%s' "
					   "has no valid effective date", a->id, a->parties[p]);
		return 0;
	}
	return gs_diag_set(d, GS_EINVAL, "agreement '%s': unknown note kind", a->id);
}

int lifecycle_admit(const struct agreement *a, bool signed_by_all, struct dipnote *notes,
		    size_t nnotes, size_t *nadmitted,
		    void (*ignored)(void *ctx, const struct dipnote *note, int err, const char *reason),
		    void *ctx)
{
	struct gs_diag d;
	size_t i, k = 0;
	int ret;

	if (!a || !nadmitted || (!notes && nnotes))
		return GS_EINVAL;
	*nadmitted = 0;
	if (nnotes > GS_MAX_NOTES)
		return GS_ELIMIT;
	for (i = 0; i < nnotes; i++) {
		d.msg[0] = '\0';
		ret = signed_by_all ? lifecycle_check_note(a, true, notes, k, &notes[i], &d) : 0;
		if (ret) {
			if (ignored)
				ignored(ctx, &notes[i], ret, d.msg);
			continue;
		}
		if (k != i)
			notes[k] = notes[i];
		k++;
	}
	*nadmitted = k;
	return 0;
}

bool state_allows_release(enum agreement_state s)
{
	return s == STATE_IN_FORCE || s == STATE_NOTICE_PENDING || s == STATE_NOTICE_SUSPENDED;
}

const char *state_name(enum agreement_state s)
{
	switch (s) {
	case STATE_DRAFT: return "draft";
	case STATE_SIGNED: return "signed";
	case STATE_IN_FORCE: return "in_force";
	case STATE_NOTICE_PENDING: return "notice_pending";
	case STATE_NOTICE_SUSPENDED: return "notice_suspended";
	case STATE_TERMINATED: return "terminated";
	}
	return "unknown";
}
