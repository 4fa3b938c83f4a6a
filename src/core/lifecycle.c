/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agreement lifecycle (docs/lifecycle.md): a replay of the diplomatic notes in
 * delivery order, then a projection of terms and anniversaries onto the
 * instant asked about. Pure and allocation-free; anniversaries are
 * computed from the year difference, never by walking year by year.
 *
 * Model: each party holds at most one termination notice, pending or
 * suspended. A pending notice takes effect for its sender only: the
 * sender leaves (core/membership.c), and the agreement ends when fewer
 * than two members remain; with two parties, at the earliest instant
 * among pending notices. A suspended notice ends nothing and the terms
 * keep renewing. States that accede join the party table after the
 * original parties, in order of accession.
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
	gs_instant ends;  /* SLOT_PENDING: when it takes effect (the party leaves) */
	gs_instant given; /* its delivery */
};

struct amend {
	int version;
	unsigned mask; /* parties that consented */
	bool agreed;   /* every member had consented at some instant */
	struct gs_date effective; /* the latest effective date consented to */
};

struct replay {
	const struct agreement *a;
	bool signed_by_all;
	int np;                         /* original parties; mb.n with acceding states */
	unsigned all_mask;              /* the original parties */
	uint64_t pword[GS_MAX_PARTIES]; /* party codes as words, for quick lookup */
	struct membership mb;           /* who is a member when */
	unsigned gone;                  /* parties that left: their notes have no effect */
	int depositary;                 /* ACCESSION_BY_DEPOSITARY: its index, else -1 */
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
	 * agreement has not terminated, no party has left and no notice ends
	 * by t: apply_note's checks before the note's own would do nothing.
	 * idle_end: lane_end with no notice pending. */
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
	OUT_PARTY_LEFT,       /* the sender left the agreement */
	OUT_NOT_MEMBER,       /* the sender is not (yet) a member */
	OUT_NOT_ORIGINAL,     /* a domestic note from an acceding state */
	OUT_CLOSED,           /* an accession to an agreement that allows none */
	OUT_ALREADY_MEMBER,   /* an accession from a party */
	OUT_ACCESSION_PENDING, /* a second accession before the first is accepted */
	OUT_TOO_MANY_PARTIES,
	OUT_NOT_DEPOSITARY,   /* an acceptance by a member other than the depositary */
	OUT_NO_ACCESSION,     /* an acceptance with no pending accession to accept */
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

/* An original party, else an acceding state: by string. */
static int party_lookup_slow(const struct replay *r, const char *code)
{
	int p = party_index(r->a, code);

	return p >= 0 || r->mb.n == r->np ? p : membership_find(&r->mb, code);
}

/* party_index() with the codes compared as 8-byte words first: codes are
 * NUL-terminated within GS_MAX_CODE (8) bytes, so equal words are equal
 * codes; unequal words may still be equal codes (bytes after the NUL
 * differ), hence the fallback. */
HOT int replay_party(const struct replay *r, const char *code)
{
	uint64_t w = code_word(code);
	int p;

	for (p = 0; p < r->mb.n; p++)
		if (r->pword[p] == w)
			return p;
	return party_lookup_slow(r, code);
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
	for (p = 2; p < r->mb.n; p++)
		if (r->pword[p] == w)
			return p;
	return party_lookup_slow(r, code);
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
	for (p = 0; p < r->mb.n; p++) {
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

HOT bool in_force_at(const struct replay *r, gs_instant t)
{
	return r->has_eif && t >= r->eif;
}

/* ---- members ---- */

/* The members whose consent makes an amendment or (by-all-members) an
 * accession: before entry into force every original party, after it the
 * members at t. */
static unsigned members_required(const struct replay *r, gs_instant t)
{
	return t >= r->eif_from ? membership_mask_at(&r->mb, t) : r->all_mask;
}

/* An accession complete at t takes effect then, or under `days-after-notes
 * N` at 00:00 local N days after the day it completed: never earlier than
 * the instant it completed, so that a replay to an earlier instant never
 * changes its answer. */
static gs_instant accession_start(const struct replay *r, gs_instant t)
{
	if (r->a->term.eif != EIF_DAYS_AFTER_NOTES || r->a->term.eif_days <= 0)
		return t;
	return day_midnight(local_day(t, r->zone) + r->a->term.eif_days, r->zone);
}

/* Completes p's accession at t if everyone it needs has accepted it. */
static bool try_complete_accession(struct replay *r, int p, gs_instant t)
{
	unsigned need = r->a->term.accession != ACCESSION_BY_DEPOSITARY ? members_required(r, t) :
			r->depositary >= 0 ? 1u << r->depositary : ~0u;

	return membership_complete_accession(&r->mb, p, need, t, accession_start(r, t));
}

/* A member left at t: the consents it did not give are no longer needed. */
static void after_departure(struct replay *r, gs_instant t)
{
	unsigned need = members_required(r, t);
	int p, i;

	for (p = r->np; p < r->mb.n && r->a->term.accession == ACCESSION_BY_ALL_MEMBERS; p++)
		try_complete_accession(r, p, t);
	for (i = 0; i < r->namend; i++)
		if (!r->amend[i].agreed && (r->amend[i].mask & need) == need)
			r->amend[i].agreed = true;
}

/* The pending notices that took effect by t, in order: each sender
 * leaves; the agreement ends when fewer than two members remain
 * (docs/lifecycle.md, "Members": nothing new after, everything released
 * stays protected). */
COLD void take_effect(struct replay *r, gs_instant t)
{
	while (!r->terminated && r->npending > 0 && r->min_ends <= t) {
		int p = r->min_party;
		gs_instant e = r->min_ends;

		r->slot[p].st = SLOT_NONE;
		r->npending--;
		r->gone |= 1u << p;
		/* from now on every note takes the checked path (apply_note) */
		r->idle_end = MIN_INSTANT;
		membership_leave(&r->mb, p, e, true);
		if (membership_count_at(&r->mb, e) < 2) {
			r->terminated = true;
			r->terminated_at = e;
			r->term_party = p;
			membership_end(&r->mb, e);
			r->lane_end = MIN_INSTANT;
			return;
		}
		after_departure(r, e);
		update_min(r);
	}
}

HOT void check_termination(struct replay *r, gs_instant t)
{
	if (!r->terminated && r->npending > 0 && r->min_ends <= t)
		take_effect(r, t);
}

static enum agreement_state state_of(const struct replay *r, gs_instant t)
{
	if (r->terminated)
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
		 * force, whatever notes are held (docs/lifecycle.md: draft until every
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
	membership_enter_into_force(&r->mb, r->eif);
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
	membership_init(&r->mb, (const char(*)[GS_MAX_CODE])a->parties, r->np);
	r->gone = 0;
	r->depositary = a->term.accession == ACCESSION_BY_DEPOSITARY ?
				party_index(a, a->term.depositary) : -1;
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
	return p >= 0 && p < r->mb.n ? r->mb.code[p] : "?";
}

/* " DEU NLD": the codes of the parties in mask. */
static void add_codes(struct sb *b, const struct replay *r, unsigned mask)
{
	int p;

	for (p = 0; p < r->mb.n; p++)
		if (mask & (1u << p))
			sb_add(b, " %s", r->mb.code[p]);
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
	if (t < r->mb.joined[p])
		return t < r->eif_from ? OUT_NOT_IN_FORCE : OUT_NOT_MEMBER;
	if (r->slot[p].st == SLOT_PENDING)
		return OUT_ALREADY_PENDING;
	if (!notice_target(r, t, tg))
		return OUT_LATE_REFUSED;
	if (r->slot[p].st == SLOT_SUSPENDED)
		r->nsuspended--;
	r->slot[p].st = SLOT_PENDING;
	r->slot[p].ends = tg->ends;
	r->slot[p].given = t;
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
		s->given = nt->delivered;
		r->nsuspended--;
		r->npending++;
		min_add(r, p);
		return OUT_APPLIED;
	}
	return OUT_NOTHING_TO_WITHDRAW;
}

static enum outcome apply_amendment(struct replay *r, int p, const struct dipnote *nt)
{
	unsigned need;
	int i;

	if (p >= r->np && !membership_is_member(&r->mb, p, nt->delivered))
		return OUT_NOT_MEMBER;
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
		r->amend[i].agreed = false;
		r->amend[i].effective = nt->effective;
		r->namend++;
	}
	r->amend[i].mask |= 1u << p;
	if (date_cmp(nt->effective, r->amend[i].effective) > 0)
		r->amend[i].effective = nt->effective;
	need = members_required(r, nt->delivered);
	if ((r->amend[i].mask & need) == need)
		r->amend[i].agreed = true;
	return OUT_APPLIED;
}

/* An accession by a state that is not a party (p < 0), to an agreement in
 * force whose definition allows accession. */
static enum outcome apply_accession(struct replay *r, int p, const struct dipnote *nt)
{
	if (r->a->term.accession == ACCESSION_CLOSED)
		return OUT_CLOSED;
	if (p >= 0)
		return membership_accession_pending(&r->mb, p) ? OUT_ACCESSION_PENDING :
								   OUT_ALREADY_MEMBER;
	if (!nt->from[0])
		return OUT_UNKNOWN_PARTY;
	if (nt->delivered < r->eif_from)
		return OUT_NOT_IN_FORCE;
	p = membership_accede(&r->mb, nt->from, nt->delivered);
	if (p < 0)
		return OUT_TOO_MANY_PARTIES;
	r->pword[p] = code_word(r->mb.code[p]);
	return OUT_APPLIED;
}

/* Member p accepts the accession the note names; it completes when every
 * party it needs has accepted. *q: the acceding state's index, or -1. */
static enum outcome apply_acceptance(struct replay *r, int p, const struct dipnote *nt, int *q)
{
	gs_instant t = nt->delivered;

	*q = -1;
	if (!membership_is_member(&r->mb, p, t))
		return OUT_NOT_MEMBER;
	if (r->a->term.accession == ACCESSION_CLOSED)
		return OUT_CLOSED;
	if (r->a->term.accession == ACCESSION_BY_DEPOSITARY && p != r->depositary)
		return OUT_NOT_DEPOSITARY;
	*q = replay_party(r, nt->acceding);
	if (*q < 0 || !membership_accession_pending(&r->mb, *q))
		return OUT_NO_ACCESSION;
	if (r->mb.accepted_by[*q] & (1u << p))
		return OUT_DUPLICATE;
	r->mb.accepted_by[*q] |= 1u << p;
	try_complete_accession(r, *q, t);
	return OUT_APPLIED;
}

static gs_instant projected_end(const struct replay *r, gs_instant at);

/* What a notice of p's taking effect at `ends` does: with two parties it
 * ends the agreement; with more, p leaves, and the agreement ends with it
 * only if fewer than two members would remain (as of t). */
static void add_effect(struct sb *what, const struct replay *r, int p, const char *lead,
		       const char *late, gs_instant ends, gs_instant t)
{
	if (r->mb.n <= 2) {
		sb_add(what, "%s%s; agreement ends %s unless suspended or withdrawn", lead, late,
		       fmt_local(r, ends).s);
		return;
	}
	sb_add(what, "%s%s; %s leaves the agreement at %s unless suspended or withdrawn", lead, late,
	       r->mb.code[p], fmt_local(r, ends).s);
	if (projected_end(r, t) == ends)
		sb_add(what, ", and the agreement then ends (fewer than two members would remain)");
}

/* Who still has to accept acceding state q's accession at t. */
static void add_awaited(struct sb *b, const struct replay *r, int q, gs_instant t)
{
	if (r->a->term.accession == ACCESSION_BY_DEPOSITARY) {
		sb_add(b, "waiting for its acceptance by the depositary %s", r->a->term.depositary);
		return;
	}
	sb_add(b, "waiting for its acceptance by");
	add_codes(b, r, members_required(r, t) & ~r->mb.accepted_by[q]);
}

static void accession_text(const struct replay *r, const struct dipnote *nt, int p, enum outcome o,
			   struct sb *what)
{
	switch (o) {
	case OUT_APPLIED:
		sb_add(what, "%s accedes; ", nt->from);
		add_awaited(what, r, replay_party(r, nt->from), nt->delivered);
		return;
	case OUT_CLOSED:
		sb_add(what, "ignored, the agreement allows no accession");
		return;
	case OUT_ACCESSION_PENDING:
		sb_add(what, "ignored, the accession of %s is already pending", r->mb.code[p]);
		return;
	case OUT_ALREADY_MEMBER:
		sb_add(what, "ignored, %s is already a party", r->mb.code[p]);
		return;
	case OUT_NOT_IN_FORCE:
		sb_add(what, "ignored, the agreement is not in force");
		return;
	case OUT_TOO_MANY_PARTIES:
		sb_add(what, "ignored, the agreement already has %d parties", GS_MAX_PARTIES);
		return;
	default:
		sb_add(what, "ignored");
	}
}

static void acceptance_text(const struct replay *r, const struct dipnote *nt, int p, int q,
			    enum outcome o, struct sb *what)
{
	switch (o) {
	case OUT_APPLIED:
		if (r->mb.accepted_at[q] != MEMBERSHIP_NEVER) {
			sb_add(what, "the accession of %s is accepted; it is a member from %s",
			       r->mb.code[q], fmt_local(r, r->mb.joined[q]).s);
		} else {
			sb_add(what, "recorded; ");
			add_awaited(what, r, q, nt->delivered);
		}
		return;
	case OUT_NOT_MEMBER:
		sb_add(what, "ignored, %s is not a member", r->mb.code[p]);
		return;
	case OUT_CLOSED:
		sb_add(what, "ignored, the agreement allows no accession");
		return;
	case OUT_NOT_DEPOSITARY:
		sb_add(what, "ignored, only the depositary %s accepts an accession",
		       r->a->term.depositary);
		return;
	case OUT_NO_ACCESSION:
		sb_add(what, "ignored, %s has no accession pending", nt->acceding);
		return;
	case OUT_DUPLICATE:
		sb_add(what, "ignored, %s already accepted it", r->mb.code[p]);
		return;
	default:
		sb_add(what, "ignored");
	}
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
		else if (nt->kind == DIPNOTE_ACCESSION_ACCEPTANCE)
			sb_add(what, "acceptance of the accession of %s", nt->acceding);
		else
			sb_add(what, "%s", nt->kind == DIPNOTE_TERMINATION ? "termination notice" :
					   nt->kind == DIPNOTE_SUSPENSION ? "suspension of the termination notice" :
					   nt->kind == DIPNOTE_ACCESSION ? "accession" : "note");
		sb_add(what, " by %s delivered %s: ", p >= 0 ? r->mb.code[p] : nt->from,
		       fmt_day(local_day(t, r->a->zone)).s);
	}
	if (__builtin_expect(p < 0, 0) && nt->kind != DIPNOTE_ACCESSION) {
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
	/* r->gone is 0 until a party leaves (never, with two parties); after
	 * that the lane stays closed (take_effect), so an open note needs no
	 * test */
	if (!open && __builtin_expect(r->gone != 0, 0) && p >= 0 && ((r->gone >> p) & 1u)) {
		if (what)
			sb_add(what, "ignored, %s left the agreement at %s", r->mb.code[p],
			       fmt_local(r, r->mb.left[p]).s);
		return OUT_PARTY_LEFT;
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
			add_effect(what, r, p, "the notice runs again", tg.late ? " (carried forward)" : "",
				   tg.ends, nt->delivered);
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
		} else if (o == OUT_NOT_MEMBER) {
			sb_add(what, "ignored, %s is not yet a member", r->mb.code[p]);
		} else if (o == OUT_ALREADY_PENDING) {
			sb_add(what, "ignored, a notice by %s is already pending", r->mb.code[p]);
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
				add_effect(what, r, p, "", tg.late ? ", carried forward" : "", tg.ends, t);
		}
		return o;
	}
	if (nt->kind == DIPNOTE_SUSPENSION) {
		if (r->slot[p].st != SLOT_PENDING) {
			if (what)
				sb_add(what, "ignored, %s has no pending notice", r->mb.code[p]);
			return OUT_NOTHING_TO_SUSPEND;
		}
		if (what && r->mb.n <= 2)
			sb_add(what, "notice suspended; the agreement does not end at %s and keeps renewing",
			       fmt_local(r, r->slot[p].ends).s);
		else if (what)
			sb_add(what, "notice suspended; %s does not leave at %s and the agreement keeps "
				   "renewing", r->mb.code[p], fmt_local(r, r->slot[p].ends).s);
		r->slot[p].st = SLOT_SUSPENDED;
		r->npending--;
		r->nsuspended++;
		min_drop(r, p);
		return OUT_APPLIED;
	}
	if (nt->kind == DIPNOTE_DOMESTIC_COMPLETE) {
		if (p >= r->np) {
			if (what)
				sb_add(what, "ignored, %s accedes: its accession is its consent to be bound",
				       r->mb.code[p]);
			return OUT_NOT_ORIGINAL;
		}
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
		if (o == OUT_NOT_MEMBER) {
			sb_add(what, "ignored, %s is not yet a member", r->mb.code[p]);
		} else if (o == OUT_BAD_VERSION) {
			sb_add(what, "ignored, invalid version or date");
		} else if (o == OUT_TOO_MANY_VERSIONS) {
			sb_add(what, "ignored, too many versions");
		} else {
			for (q = 0; q < r->namend && r->amend[q].version != nt->version; q++)
				;
			if (r->amend[q].agreed) {
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
	if (nt->kind == DIPNOTE_ACCESSION) {
		o = apply_accession(r, p, nt);
		if (what)
			accession_text(r, nt, p, o, what);
		return o;
	}
	if (nt->kind == DIPNOTE_ACCESSION_ACCEPTANCE) {
		o = apply_acceptance(r, p, nt, &q);
		if (what)
			acceptance_text(r, nt, p, q, o, what);
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

/* With more than two parties: who the members are at `at`, who accedes
 * and who left (nothing with two parties, whose sentences stay as they
 * were). */
static void add_members(struct sb *b, const struct replay *r, gs_instant at)
{
	const struct membership *m = &r->mb;
	unsigned acceding = 0;
	int p;

	if (m->n <= 2)
		return;
	sb_add(b, "; members:");
	add_codes(b, r, membership_mask_at(m, at));
	for (p = m->norig; p < m->n; p++)
		if (m->left[p] > at && !membership_is_member(m, p, at))
			acceding |= 1u << p;
	if (acceding) {
		sb_add(b, "; acceding:");
		add_codes(b, r, acceding);
	}
	for (p = 0; p < m->n; p++)
		if ((m->withdrawn & (1u << p)) && m->left[p] <= at)
			sb_add(b, "; %s left at %s", m->code[p], fmt_local(r, m->left[p]).s);
}

/* The parties whose notice is pending. */
static unsigned pending_mask(const struct replay *r)
{
	unsigned mask = 0;
	int p;

	for (p = 0; p < r->mb.n; p++)
		if (r->slot[p].st == SLOT_PENDING)
			mask |= 1u << p;
	return mask;
}

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
		add_members(&b, r, at);
		break;
	case STATE_NOTICE_PENDING:
		if (r->mb.n <= 2 || (r->npending == 1 && out->terminates_at == r->min_ends)) {
			sb_add(&b, "the termination notice by %s is pending: agreement '%s' ends at %s "
				   "unless it is suspended or withdrawn",
			       party_code(r, r->min_party), id, fmt_local(r, r->min_ends).s);
		} else {
			/* a notice ends the agreement only for its sender */
			sb_add(&b, "the termination notice%s by", r->npending > 1 ? "s" : "");
			add_codes(&b, r, pending_mask(r));
			sb_add(&b, " %s pending:", r->npending > 1 ? "are" : "is");
			for (p = 0; p < r->mb.n; p++)
				if (pending_mask(r) & (1u << p))
					sb_add(&b, " %s leaves agreement '%s' at %s;", r->mb.code[p], id,
					       fmt_local(r, r->slot[p].ends).s);
			if (out->terminates_at == GS_INSTANT_NONE)
				sb_add(&b, " unless a notice is suspended or withdrawn, the agreement "
					   "stays in force among the others");
			else
				sb_add(&b, " unless a notice is suspended or withdrawn, the agreement "
					   "ends at %s", fmt_local(r, out->terminates_at).s);
		}
		add_members(&b, r, at);
		break;
	case STATE_NOTICE_SUSPENDED:
		for (p = 0; p < r->mb.n && r->slot[p].st != SLOT_SUSPENDED; p++)
			;
		sb_add(&b, "the termination notice by %s is suspended: agreement '%s' stays in force",
		       party_code(r, p), id);
		if (out->term_end != GS_INSTANT_NONE)
			sb_add(&b, " and renews at %s", fmt_local(r, out->term_end).s);
		add_members(&b, r, at);
		break;
	case STATE_TERMINATED:
		if (r->mb.n <= 2)
			sb_add(&b, "agreement '%s' terminated at %s on the notice by %s: nothing new may "
				   "be released, and everything released under it stays protected",
			       id, fmt_local(r, r->terminated_at).s, party_code(r, r->term_party));
		else
			sb_add(&b, "agreement '%s' terminated at %s on the notice by %s, which left fewer "
				   "than two members: nothing new may be released, and everything "
				   "released under it stays protected",
			       id, fmt_local(r, r->terminated_at).s, party_code(r, r->term_party));
		break;
	}
}

/* When the agreement itself ends if no other note comes: the first
 * pending notice whose sender's departure leaves fewer than two members
 * (members whose accession takes effect by then count). With two
 * parties, the earliest pending notice. NONE if no such departure. */
static gs_instant projected_end(const struct replay *r, gs_instant at)
{
	const struct membership *m = &r->mb;
	gs_instant ends[GS_MAX_PARTIES], joins[GS_MAX_PARTIES], x;
	int nd = 0, nj = 0, i, j, k, count = membership_count_at(m, at);

	for (i = 0; i < m->n; i++) {
		if (membership_is_member(m, i, at) && r->slot[i].st == SLOT_PENDING)
			ends[nd++] = r->slot[i].ends;
		else if (m->joined[i] > at && m->joined[i] != MEMBERSHIP_NEVER && m->left[i] > at)
			joins[nj++] = m->joined[i];
	}
	for (i = 1; i < nd; i++)
		for (k = i, x = ends[i]; k > 0 && ends[k - 1] > x; k--)
			ends[k] = ends[k - 1], ends[k - 1] = x;
	for (i = 1; i < nj; i++)
		for (k = i, x = joins[i]; k > 0 && joins[k - 1] > x; k--)
			joins[k] = joins[k - 1], joins[k - 1] = x;
	for (i = 0, j = 0; i < nd;) {
		if (j < nj && joins[j] <= ends[i]) {
			count++;
			j++;
			continue;
		}
		if (--count < 2)
			return ends[i];
		i++;
	}
	return GS_INSTANT_NONE;
}

static gs_instant or_none(gs_instant t, gs_instant at)
{
	return t == MEMBERSHIP_NEVER || t > at ? GS_INSTANT_NONE : t;
}

/* Each party's standing at `at` (after the replay to it). */
static void members_out(const struct replay *r, gs_instant at, struct lifecycle_status *out)
{
	const struct membership *m = &r->mb;
	int p;

	out->nmembers = m->n;
	for (p = 0; p < m->n; p++) {
		struct lifecycle_member *x = &out->members[p];
		const struct slot *sl = &r->slot[p];
		bool member = membership_is_member(m, p, at);

		memcpy(x->code, m->code[p], GS_MAX_CODE);
		x->original = p < m->norig;
		x->accession_at = m->accession_at[p];
		x->accepted_at = or_none(m->accepted_at[p], at);
		/* a future join is known once the accession is complete */
		x->joined_at = x->accepted_at != GS_INSTANT_NONE && m->joined[p] != MEMBERSHIP_NEVER ?
				       m->joined[p] : or_none(m->joined[p], at);
		x->left_at = or_none(m->left[p], at);
		x->notice_at = member && sl->st != SLOT_NONE ? sl->given : GS_INSTANT_NONE;
		x->leaves_at = member && sl->st == SLOT_PENDING ? sl->ends : GS_INSTANT_NONE;
		if (x->left_at != GS_INSTANT_NONE)
			x->state = (m->withdrawn & (1u << p)) ? MEMBER_WITHDRAWN : MEMBER_TERMINATED;
		else if (r->terminated)
			x->state = MEMBER_TERMINATED;
		else if (member)
			x->state = sl->st == SLOT_PENDING ? MEMBER_NOTICE_PENDING :
				   sl->st == SLOT_SUSPENDED ? MEMBER_NOTICE_SUSPENDED : MEMBER_IN_FORCE;
		else
			x->state = x->original ? MEMBER_SIGNATORY : MEMBER_ACCEDING;
	}
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
				check_termination(&r, nt->delivered);
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
			out->terminates_at = projected_end(&r, at);
		break;
	case STATE_TERMINATED:
		out->terminates_at = r.terminated_at;
		break;
	default:
		break;
	}

	out->version = 1;
	for (i = 0; i < r.namend; i++) {
		if (r.amend[i].agreed && r.amend[i].version > out->version &&
		    date_midnight(r.amend[i].effective, a->zone) <= at)
			out->version = r.amend[i].version;
	}
	members_out(&r, at, out);
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

/* An accession, to an agreement open to it (lifecycle_check_note has
 * refused one to a closed agreement), by a state that is not a party. p:
 * its index in the replay, or -1. */
static int check_accession(const struct replay *r, int p, const struct dipnote *c,
			   struct gs_diag *d)
{
	const struct agreement *a = r->a;
	gs_instant t = c->delivered;

	if (p >= 0 && membership_accession_pending(&r->mb, p))
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': the accession of '%s' (delivered %s) "
				   "is already pending", a->id, c->from,
				   fmt_local(r, r->mb.accession_at[p]).s);
	if (p >= 0)
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': '%s' is already %s; an accession is "
				   "for a state that is not", a->id, c->from,
				   membership_is_member(&r->mb, p, t) ? "a member" : "a party");
	if (!in_force_at(r, t))
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': not in force at %s; an accession "
				   "needs it in force", a->id, fmt_local(r, t).s);
	if (r->mb.n >= GS_MAX_PARTIES)
		return gs_diag_set(d, GS_ELIMIT, "agreement '%s': already %d states belong to it; "
				   "'%s' cannot accede", a->id, GS_MAX_PARTIES, c->from);
	return 0;
}

/* An acceptance (of an agreement open to accession): by a member
 * (by-all-members) or by the depositary, of an accession pending, once. */
static int check_acceptance(const struct replay *r, int p, const struct dipnote *c,
			    struct gs_diag *d)
{
	const struct agreement *a = r->a;
	gs_instant t = c->delivered;
	int q;

	if (!membership_is_member(&r->mb, p, t))
		return gs_diag_set(d, GS_EDENIED, "agreement '%s': '%s' is not a member at %s; only a "
				   "member accepts an accession", a->id, c->from, fmt_local(r, t).s);
	if (a->term.accession == ACCESSION_BY_DEPOSITARY && p != r->depositary)
		return gs_diag_set(d, GS_EDENIED, "agreement '%s': only the depositary %s accepts an "
				   "accession, not '%s'", a->id, a->term.depositary, c->from);
	q = replay_party(r, c->acceding);
	if (q < 0 || !membership_accession_pending(&r->mb, q))
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': '%.*s' has no accession pending to "
				   "accept", a->id, GS_MAX_CODE - 1, c->acceding);
	if (r->mb.accepted_by[q] & (1u << p))
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': '%s' has already accepted the "
				   "accession of '%s'", a->id, c->from, c->acceding);
	return 0;
}

int lifecycle_check_note(const struct agreement *a, bool signed_by_all,
			 const struct dipnote *notes, size_t nnotes,
			 const struct dipnote *c, struct gs_diag *d)
{
	struct replay r;
	uint16_t idx[GS_MAX_NOTES];
	struct target tg = { 0 };
	bool sorted, open_to;
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
	/* Only an agreement open to accession has parties beyond its
	 * definition's; they are known from the history replayed below. */
	open_to = a->term.accession != ACCESSION_CLOSED;
	if (!open_to && (c->kind == DIPNOTE_ACCESSION || c->kind == DIPNOTE_ACCESSION_ACCEPTANCE))
		return gs_diag_set(d, GS_EDENIED, "agreement '%s': it allows no accession "
				   "(accession: closed); the %s note by '%.*s' has no effect", a->id,
				   dipnote_kind_name(c->kind), GS_MAX_CODE - 1, c->from);
	if (!open_to && party_index(a, c->from) < 0)
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': party '%.*s' is not a party",
				   a->id, GS_MAX_CODE - 1, c->from);
	if (!open_to && c->to[0] && party_index(a, c->to) < 0)
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': party '%.*s' is not a party",
				   a->id, GS_MAX_CODE - 1, c->to);
	if (c->to[0] && !strncmp(c->to, c->from, GS_MAX_CODE))
		return gs_diag_set(d, GS_EDENIED, "agreement '%s': party '%.*s' cannot send a note to itself",
				   a->id, GS_MAX_CODE - 1, c->from);
	t = c->delivered;
	if (t < MIN_INSTANT || t > MAX_INSTANT)
		return gs_diag_set(d, GS_EINVAL, "agreement '%s': the %s note by '%.*s' has no valid "
				   "delivery instant", a->id, dipnote_kind_name(c->kind),
				   GS_MAX_CODE - 1, c->from);

	replay_init(&r, a, signed_by_all, notes, nnotes, false);
	sorted = r.sorted;
	if (!sorted)
		sort_notes(notes, nnotes, idx);
	replay_to(&r, notes, nnotes, sorted ? NULL : idx, t);
	check_termination(&r, t);
	p = replay_party(&r, c->from);
	if (p < 0 && c->kind != DIPNOTE_ACCESSION)
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': party '%.*s' is not a party",
				   a->id, GS_MAX_CODE - 1, c->from);
	if (c->to[0] && replay_party(&r, c->to) < 0)
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s': party '%.*s' is not a party",
				   a->id, GS_MAX_CODE - 1, c->to);
	if (r.terminated)
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': terminated at %s; the %s note by '%s' "
				   "delivered %s comes after", a->id, fmt_local(&r, r.terminated_at).s,
				   dipnote_kind_name(c->kind), c->from, fmt_local(&r, t).s);
	if (p >= 0 && (r.gone & (1u << p)))
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': '%s' left it at %s, when its notice "
				   "of termination took effect; its %s note has no effect", a->id, c->from,
				   fmt_local(&r, r.mb.left[p]).s, dipnote_kind_name(c->kind));
	if (c->kind == DIPNOTE_ACCESSION)
		return check_accession(&r, p, c, d);
	if (c->kind == DIPNOTE_ACCESSION_ACCEPTANCE)
		return check_acceptance(&r, p, c, d);
	if (p >= r.np && !membership_is_member(&r.mb, p, t) && c->kind != DIPNOTE_WITHDRAWAL &&
	    c->kind != DIPNOTE_SUSPENSION)
		return gs_diag_set(d, GS_ESTATE, "agreement '%s': '%s' is not yet a member at %s (its "
				   "accession is not in effect); it gives no %s note", a->id, c->from,
				   fmt_local(&r, t).s, dipnote_kind_name(c->kind));

	switch (c->kind) {
	case DIPNOTE_DOMESTIC_COMPLETE:
		if (p >= r.np)
			return gs_diag_set(d, GS_EDENIED, "agreement '%s': '%s' acceded: its accession "
					   "is its consent to be bound, not a domestic-procedures note",
					   a->id, c->from);
		return 0;
	case DIPNOTE_TERMINATION:
		if (!in_force_at(&r, t))
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': not in force at %s; a "
					   "termination notice needs it in force", a->id,
					   fmt_local(&r, t).s);
		if (r.slot[p].st == SLOT_PENDING)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' already has a "
					   "termination notice pending", a->id, c->from);
		if (!notice_target(&r, t, &tg))
			return gs_diag_set(d, GS_EDENIED, "agreement '%s': termination notice by '%s' "
					   "delivered %s is late for %s (last day %s)", a->id,
					   c->from, fmt_day(local_day(t, a->zone)).s,
					   fmt_day(tg.late_aday).s, fmt_day(tg.late_dday).s);
		return 0;
	case DIPNOTE_SUSPENSION:
		if (r.slot[p].st != SLOT_PENDING)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' has no pending "
					   "termination notice to suspend", a->id, c->from);
		return 0;
	case DIPNOTE_WITHDRAWAL:
		if ((unsigned)c->withdraws > WITHDRAW_BOTH)
			return gs_diag_set(d, GS_EINVAL, "agreement '%s': unknown withdrawal", a->id);
		if (c->withdraws == WITHDRAW_SUSPENSION) {
			if (r.slot[p].st != SLOT_SUSPENDED)
				return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' has no "
						   "suspended notice to reactivate", a->id, c->from);
			if (a->term.suspension == SUSPENSION_STRICT_TREATY &&
			    !notice_target(&r, t, &tg))
				return gs_diag_set(d, GS_EDENIED, "agreement '%s': reactivated notice by "
						   "'%s' delivered %s is late for %s (last day %s)",
						   a->id, c->from,
						   fmt_day(local_day(t, a->zone)).s,
						   fmt_day(tg.late_aday).s, fmt_day(tg.late_dday).s);
			return 0;
		}
		if (r.slot[p].st == SLOT_NONE)
			return gs_diag_set(d, GS_ESTATE, "agreement '%s': party '%s' has no "
					   "termination notice to withdraw", a->id, c->from);
		return 0;
	case DIPNOTE_AMENDMENT_CONSENT:
		if (c->version < 2)
			return gs_diag_set(d, GS_EINVAL, "agreement '%s': amendment consent by '%s' "
					   "names version %d (amendments are versions 2 and up)",
					   a->id, c->from, c->version);
		if (!date_is_valid(c->effective))
			return gs_diag_set(d, GS_EINVAL, "agreement '%s': amendment consent by '%s' "
					   "has no valid effective date", a->id, c->from);
		return 0;
	case DIPNOTE_ACCESSION:
	case DIPNOTE_ACCESSION_ACCEPTANCE:
		break;
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
