/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_LIFECYCLE_H
#define GS_CORE_LIFECYCLE_H

/*
 * The state of an agreement at any instant, from its definition and its
 * diplomatic notes (docs/lifecycle.md), and each party's membership
 * (core/membership.h). Pure and allocation-free:
 * lifecycle_at() is a replay of the notes in delivery order up to the
 * instant asked about, then a projection of terms and anniversaries.
 *
 * Diplomatic notes are signed notes (docs/notes.md); their signature is
 * checked outside core/. dipnote_parse() reads the text of one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agreement.h"
#include "core/membership.h"
#include "core/time.h"
#include "util/err.h"

enum agreement_state {
	STATE_DRAFT = 0,            /* not every party's signature is held */
	STATE_SIGNED = 1,           /* signed by all, not yet in force */
	STATE_IN_FORCE = 2,
	STATE_NOTICE_PENDING = 3,   /* a termination notice runs */
	STATE_NOTICE_SUSPENDED = 4, /* the notice is suspended; terms keep renewing */
	STATE_TERMINATED = 5,       /* nothing new; everything released stays protected */
};

enum dipnote_kind {
	DIPNOTE_DOMESTIC_COMPLETE = 0, /* domestic procedures complete (entry into force) */
	DIPNOTE_TERMINATION = 1,       /* notice of termination */
	DIPNOTE_SUSPENSION = 2,        /* suspension of a termination notice */
	DIPNOTE_WITHDRAWAL = 3,        /* withdrawal of a notice and/or a suspension */
	DIPNOTE_AMENDMENT_CONSENT = 4, /* consent to version N */
	DIPNOTE_ACCESSION = 5,         /* a state that did not sign at first accedes */
	DIPNOTE_ACCESSION_ACCEPTANCE = 6, /* a member (or the depositary) accepts an accession */
};

/* What a withdrawal withdraws. Withdrawing only the suspension
 * reactivates the notice (see enum suspension_policy). */
enum withdraw_what {
	WITHDRAW_NOTICE = 0,     /* the notice (and with it any suspension) */
	WITHDRAW_SUSPENSION = 1, /* the suspension only: the notice runs again */
	WITHDRAW_BOTH = 2,       /* both notes (KOR, 2023-03-21) */
};

#define GS_NOTE_ID_HEX 65 /* hex SHA-256 of the signed note file, incl. NUL */

/* The parsed text of one diplomatic note. */
struct dipnote {
	char id[GS_NOTE_ID_HEX]; /* set by the caller: hex SHA-256 of the signed bytes */
	char agreement[GS_MAX_ID];
	enum dipnote_kind kind;
	char from[GS_MAX_CODE];  /* party code of the sender */
	char to[GS_MAX_CODE];    /* party code of the recipient, "" = all others */
	gs_instant delivered;    /* receipt through the diplomatic channel */
	int32_t zone;            /* UTC offset the note's instants were written in
				  * (of `delivered`); dipnote_format writes both
				  * instants in it. Not used by the lifecycle. */
	enum withdraw_what withdraws;   /* DIPNOTE_WITHDRAWAL */
	gs_instant terminate_at; /* at-any-time reactivation; else GS_INSTANT_NONE */
	int version;             /* DIPNOTE_AMENDMENT_CONSENT: the version consented to */
	struct gs_date effective; /* DIPNOTE_AMENDMENT_CONSENT: its effective date */
	char acceding[GS_MAX_CODE]; /* DIPNOTE_ACCESSION_ACCEPTANCE: the acceding state */
	bool exercise;           /* made by an exercise node */
	char text[GS_MAX_TITLE]; /* free text of the note (may be "") */
};

/* Parses the text of a note (docs/notes.md), without signature lines.
 * Checks syntax only: whether the note may apply to an agreement is
 * lifecycle_check_note()'s job. out->id is left "" for the caller.
 * On error: GS_EINVAL (or GS_ELIMIT for an over-long note, line or field),
 * "LINE:COL: what". */
int dipnote_parse(const char *text, size_t len, struct dipnote *out, struct gs_diag *d);

/* Canonical text of a note (parseable by dipnote_parse, NUL-terminated).
 * Returns the length (without the NUL), GS_ELIMIT if cap is too small, or
 * GS_EINVAL if the note cannot be written as text that parses back (unknown
 * kind, empty sender, a newline in the text...). */
int dipnote_format(const struct dipnote *n, char *buf, size_t cap);

/* Whether two notes have the same content, field by field (the id
 * included); parse(format(x)) is equal to x. */
bool dipnote_equal(const struct dipnote *x, const struct dipnote *y);

/* What happened to one note in the replay. */
enum note_effect {
	EFFECT_APPLIED = 0,
	EFFECT_IGNORED = 1, /* e.g. a second domestic note from the same party */
};

struct lifecycle_event {
	int note;                 /* index into the notes array given */
	enum note_effect effect;
	enum agreement_state state_after;
	char what[GS_MAX_NAME];   /* "termination notice by KOR: agreement ends 2019-11-23T00:00:00+09:00" */
};

#define GS_MAX_EVENTS 128 /* events reported by lifecycle_at (the rest are counted) */
#define GS_MAX_AMENDMENTS 16 /* distinct versions tracked from amendment consents */

struct lifecycle_status {
	enum agreement_state state;
	int term;                   /* 1-based current term, 0 = none (null) */
	gs_instant in_force_since;  /* EIF instant or GS_INSTANT_NONE */
	gs_instant term_start;      /* start of the current term or NONE */
	gs_instant term_end;        /* end of the current term or NONE (indefinite) */
	bool has_notice_deadline;
	struct gs_date notice_deadline; /* last timely local day for a notice for the current term */
	gs_instant terminates_at;   /* pending or past termination instant, or NONE: the
				     * instant fewer than two members would remain (with
				     * two parties, the first pending notice's end) */
	int version;                /* agreement version in effect, 1 if none: the highest
				     * version every party has consented to by a note
				     * delivered by `at`, once its effective date is reached */
	int nmembers;               /* the original parties in order, then acceding states */
	struct lifecycle_member members[GS_MAX_PARTIES]; /* each one's standing at `at` */
	int nevents;                /* notes delivered by the instant (all of them) */
	struct lifecycle_event events[GS_MAX_EVENTS]; /* the first GS_MAX_EVENTS */
	char reason[GS_MAX_TITLE];  /* one sentence: why this state */
};

/* The state at instant `at`. notes need not be sorted (they are taken
 * in order of delivery, ties by array order); notes delivered after `at`
 * are not applied. signed_by_all: every party's valid signature on the
 * definition is held. Notes must already have passed
 * lifecycle_check_note(); unknown senders, and notes delivered outside
 * 1900-01-01..9000-01-01 UTC (which check_note refuses), are ignored.
 *
 * Entry into force is a date: it is found from every domestic-procedures
 * note given, also those delivered later on the same local day as `at`
 * (KOR-JPN: notes delivered on the afternoon of 2016-11-23 put the
 * agreement in force from 00:00 that day).
 *
 * Returns 0, GS_EINVAL (a NULL argument) or GS_ELIMIT (more than
 * GS_MAX_NOTES notes). Only the fields listed in lifecycle_status and
 * events[0..min(nevents, GS_MAX_EVENTS)) are written. */
int lifecycle_at(const struct agreement *a, bool signed_by_all,
		 const struct dipnote *notes, size_t nnotes, gs_instant at,
		 struct lifecycle_status *out);

/* lifecycle_at() without the story: the same state, terms, instants,
 * version and nevents, but events[] is not written and reason is "".
 * For hot paths such as a release decision, where writing the events and
 * formatting the sentences would cost more than the replay itself. */
int lifecycle_state_at(const struct agreement *a, bool signed_by_all,
		       const struct dipnote *notes, size_t nnotes, gs_instant at,
		       struct lifecycle_status *out);

/* Whether a new note may join the history: its sender and recipient are
 * parties, the agreement id matches, it is not delivered after
 * termination, a notice is not late under LATE_REFUSE, a suspension has a
 * notice to suspend, a withdrawal has something to withdraw, an
 * amendment-consent names a version >= 2. The candidate is judged against
 * the state just before its delivery (history notes delivered at the same
 * instant come first). Rules, by sender: a party has at most one
 * termination notice at a time; only its sender may suspend or withdraw
 * it; a termination notice needs the sender to be a member; a party that
 * left has no note left to give. An accession comes from a state that is
 * not a party, to an agreement in force whose definition allows it; an
 * acceptance from a member (or the depositary) for a pending accession.
 * Returns 0, or GS_ENOTFOUND (non-party, other agreement), GS_ESTATE
 * (terminated, not in force, nothing to suspend/withdraw/accept, already a
 * member, left), GS_EDENIED (late under LATE_REFUSE, a note to oneself,
 * an acceptance by a non-member or not by the depositary, a closed
 * agreement), GS_ELIMIT (GS_MAX_PARTIES states already) or GS_EINVAL (no
 * delivery instant, version < 2), with a sentence in d. */
int lifecycle_check_note(const struct agreement *a, bool signed_by_all,
			 const struct dipnote *notes, size_t nnotes,
			 const struct dipnote *candidate, struct gs_diag *d);

/*
 * Which notes of a whole history apply: notes[0..nnotes) in delivery order
 * (ties as the caller sorted them), each judged by lifecycle_check_note()
 * against the notes admitted before it. A note that does not apply (a late
 * notice under `late-notice: refuse`, a note delivered after termination,
 * a second pending notice...) is ignored and does not count for the notes
 * after it. The admitted notes are moved, in order, to the front of notes
 * and *nadmitted is their count. For each note ignored, ignored(ctx, note,
 * err, reason) is called, in delivery order, before the note is
 * overwritten (ignored may be NULL). Until every party has signed
 * (signed_by_all false) every note is admitted: the order is checked once
 * the agreement is signed.
 *
 * A node keeps a history every note of which applies: it refuses to make
 * or import a note that would leave one ignored (docs/notes.md); a replay
 * of a directory lists the ignored ones. Returns 0, GS_EINVAL (NULL
 * arguments) or GS_ELIMIT (more than GS_MAX_NOTES notes).
 */
int lifecycle_admit(const struct agreement *a, bool signed_by_all, struct dipnote *notes,
		    size_t nnotes, size_t *nadmitted,
		    void (*ignored)(void *ctx, const struct dipnote *note, int err, const char *reason),
		    void *ctx);

/* Releases are allowed only in these states. */
bool state_allows_release(enum agreement_state s);

/* A party's entry in st->members, or NULL if it is neither an original
 * party nor an acceding state. A release between two parties needs both
 * in a state member_state_allows_release() accepts (docs/lifecycle.md). */
const struct lifecycle_member *lifecycle_member_find(const struct lifecycle_status *st,
						     const char *code);

/* "in_force", "notice_pending", ... */
const char *state_name(enum agreement_state s);
const char *dipnote_kind_name(enum dipnote_kind k);

#endif
