/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_MEMBERSHIP_H
#define GS_CORE_MEMBERSHIP_H

/*
 * Who is a member of an agreement at an instant (docs/lifecycle.md,
 * "Members"). Under treaty law a party's denunciation of a multilateral
 * agreement takes effect for that party only: the agreement stays in
 * force among the others and ends when fewer than two members remain.
 * A state that did not sign at first joins later by accession.
 *
 * The original parties (the definition's `parties`, in order) are
 * members from the agreement's entry into force; an acceding state from
 * its own, once its accession is accepted as the definition's
 * `accession` key says. Each is a member until its notice of termination
 * takes effect. With two parties and no accession this is exactly the
 * bilateral rule: the first notice that takes effect ends the agreement.
 *
 * struct membership is the part of the lifecycle replay (core/lifecycle.c)
 * that records joins and departures; it is pure and allocation-free. The
 * replay reports each party's standing in lifecycle_status.members.
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/time.h"
#include "util/limits.h"

/* A party's standing at an instant. */
enum member_state {
	MEMBER_SIGNATORY = 0,        /* an original party; the agreement is not yet in force */
	MEMBER_ACCEDING = 1,         /* its accession is held, not yet accepted or not yet in effect */
	MEMBER_IN_FORCE = 2,         /* a member */
	MEMBER_NOTICE_PENDING = 3,   /* a member whose notice of termination runs */
	MEMBER_NOTICE_SUSPENDED = 4, /* a member whose notice is suspended */
	MEMBER_WITHDRAWN = 5,        /* its notice took effect: it left, the others go on */
	MEMBER_TERMINATED = 6,       /* the agreement ended (fewer than two members remained) */
};

/* One party's standing and the instants of its transitions
 * (GS_INSTANT_NONE where there is none). */
struct lifecycle_member {
	char code[GS_MAX_CODE];
	bool original;            /* listed in the definition; else it acceded */
	enum member_state state;  /* at the instant asked about */
	gs_instant accession_at;  /* delivery of its accession note */
	gs_instant accepted_at;   /* its accession complete: the last acceptance it needed */
	gs_instant joined_at;     /* a member from: the entry into force, or its own */
	gs_instant notice_at;     /* delivery of its notice, pending or suspended now */
	gs_instant leaves_at;     /* when its pending notice takes effect */
	gs_instant left_at;       /* it left, or the agreement ended for it */
};

/* "in_force", "withdrawn", ... */
const char *member_state_name(enum member_state s);

/* Whether a party in state s may release or receive anything new. */
bool member_state_allows_release(enum member_state s);

/* ---- for the lifecycle replay ---- */

#define MEMBERSHIP_NEVER INT64_MAX /* not (yet) joined, not left */

struct membership {
	int norig;                             /* original parties: 0..norig-1 */
	int n;                                 /* and acceding states: norig..n-1 */
	char code[GS_MAX_PARTIES][GS_MAX_CODE];
	gs_instant joined[GS_MAX_PARTIES];     /* MEMBERSHIP_NEVER: not a member yet */
	gs_instant left[GS_MAX_PARTIES];       /* MEMBERSHIP_NEVER: has not left */
	unsigned withdrawn;                    /* left by its own notice (bit p) */
	gs_instant accession_at[GS_MAX_PARTIES];
	gs_instant accepted_at[GS_MAX_PARTIES]; /* MEMBERSHIP_NEVER: not yet complete */
	unsigned accepted_by[GS_MAX_PARTIES];  /* the members that accepted p's accession */
};

/* The original parties of the definition, none of them a member yet. */
void membership_init(struct membership *m, const char (*codes)[GS_MAX_CODE], int n);

/* The original parties become members at the entry into force. */
void membership_enter_into_force(struct membership *m, gs_instant eif);

static inline bool membership_is_member(const struct membership *m, int p, gs_instant t)
{
	return m->joined[p] <= t && t < m->left[p];
}

/* The members at t, as a bit mask by index, and how many. */
unsigned membership_mask_at(const struct membership *m, gs_instant t);
int membership_count_at(const struct membership *m, gs_instant t);

/* Index of a party code (original or acceding), or -1. */
int membership_find(const struct membership *m, const char *code);

/* Records the accession of code (delivered at t); returns its index, or
 * -1 when GS_MAX_PARTIES states already belong to the agreement. */
int membership_accede(struct membership *m, const char *code, gs_instant t);

/* Whether p's accession is held and not yet complete. */
bool membership_accession_pending(const struct membership *m, int p);

/* Completes p's accession at t if every party in `required` has accepted
 * it; p is then a member from `from` (no earlier than t). Returns whether
 * it completed now. */
bool membership_complete_accession(struct membership *m, int p, unsigned required, gs_instant t,
				   gs_instant from);

/* p leaves at t: by its own notice (own), or because the agreement ends. */
void membership_leave(struct membership *m, int p, gs_instant t, bool own);

/* The agreement ends at t: every member leaves, and the parties whose
 * notices took effect at t count as ended with it, not as withdrawn. */
void membership_end(struct membership *m, gs_instant t);

#endif
