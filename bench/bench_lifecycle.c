/* SPDX-License-Identifier: Apache-2.0 */
/* lifecycle_at on KOR-JPN with 100 notes (notices, suspensions,
 * reactivations and withdrawals over 25 years). Target: <= 1000 ns per
 * call. Prints ns per call for the full status (with sentences) and for
 * lifecycle_state_at (no sentences), sorted and unsorted input.
 * Usage: bench_lifecycle [ITERATIONS [fast]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/agreement.h"
#include "core/lifecycle.h"
#include "core/time.h"
#include "util/banned.h"

#define NNOTES 100
#define KST (9 * 3600)
#define TARGET_NS 1000.0

static struct dipnote notes[NNOTES], shuffled[NNOTES];
static size_t nnotes;

static void add(enum dipnote_kind k, const char *from, int y, int m, int d,
		enum withdraw_what w)
{
	struct dipnote *x = &notes[nnotes++];

	memset(x, 0, sizeof(*x));
	snprintf(x->agreement, sizeof(x->agreement), "KOR-JPN-2016");
	snprintf(x->from, sizeof(x->from), "%s", from);
	x->kind = k;
	x->delivered = date_midnight((struct gs_date){ y, m, d }, KST) + 15 * 3600;
	x->zone = KST;
	x->terminate_at = GS_INSTANT_NONE;
	x->withdraws = w;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double run(int (*fn)(const struct agreement *, bool, const struct dipnote *, size_t,
			    gs_instant, struct lifecycle_status *),
		  const struct agreement *a, const struct dipnote *ns, gs_instant at,
		  struct lifecycle_status *st, long iters)
{
	volatile int sink = 0;
	double t0, t1;
	long i;

	for (i = 0; i < iters / 10; i++)
		sink += fn(a, true, ns, nnotes, at + (i & 1), st) + st->term;
	t0 = now_ns();
	for (i = 0; i < iters; i++)
		sink += fn(a, true, ns, nnotes, at + (i & 1), st) + st->term;
	t1 = now_ns();
	(void)sink;
	return (t1 - t0) / (double)iters;
}

int main(int argc, char **argv)
{
	struct agreement *a = calloc(1, sizeof(*a));
	struct lifecycle_status *st = malloc(sizeof(*st));
	long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	gs_instant at;
	double full, fast, unsorted;
	size_t i;
	int y;

	if (!a || !st || iters <= 0)
		return 1;
	snprintf(a->id, sizeof(a->id), "KOR-JPN-2016");
	a->version = 1;
	a->nparties = 2;
	snprintf(a->parties[0], sizeof(a->parties[0]), "KOR");
	snprintf(a->parties[1], sizeof(a->parties[1]), "JPN");
	a->zone = KST;
	a->signed_on = (struct gs_date){ 2016, 11, 23 };
	a->term.notice_days = 90;

	add(DIPNOTE_DOMESTIC_COMPLETE, "KOR", 2016, 11, 23, WITHDRAW_NOTICE);
	add(DIPNOTE_DOMESTIC_COMPLETE, "JPN", 2016, 11, 23, WITHDRAW_NOTICE);
	for (y = 2017; nnotes < NNOTES; y++) {
		const char *p = y % 2 ? "KOR" : "JPN";

		add(DIPNOTE_TERMINATION, p, y, 8, 1, WITHDRAW_NOTICE);
		if (nnotes < NNOTES)
			add(DIPNOTE_SUSPENSION, p, y, 11, 1, WITHDRAW_NOTICE);
		if (nnotes < NNOTES)
			add(DIPNOTE_WITHDRAWAL, p, y, 12, 1, WITHDRAW_SUSPENSION);
		if (nnotes < NNOTES)
			add(DIPNOTE_WITHDRAWAL, p, y + 1, 2, 1, WITHDRAW_NOTICE);
	}
	at = date_midnight((struct gs_date){ y + 1, 6, 1 }, KST);
	for (i = 0; i < nnotes; i++)
		shuffled[i] = notes[(i * 37) % nnotes];

	if (argc > 2 && !strcmp(argv[2], "fast")) {
		fast = run(lifecycle_state_at, a, notes, at, st, iters);
		printf("lifecycle_state_at, %zu notes: %.0f ns/call\n", nnotes, fast);
		return 0;
	}
	full = run(lifecycle_at, a, notes, at, st, iters);
	printf("lifecycle_at, %zu notes: %.0f ns/call (%s), state %s, term %d, %d events\n",
	       nnotes, full, full <= TARGET_NS ? "within" : "over", state_name(st->state),
	       st->term, st->nevents);
	fast = run(lifecycle_state_at, a, notes, at, st, iters);
	printf("lifecycle_state_at, %zu notes: %.0f ns/call (%s)\n", nnotes, fast,
	       fast <= TARGET_NS ? "within" : "over");
	unsorted = run(lifecycle_state_at, a, shuffled, at, st, iters);
	printf("lifecycle_state_at, %zu notes out of order: %.0f ns/call (%s)\n", nnotes,
	       unsorted, unsorted <= TARGET_NS ? "within" : "over");
	printf("target: <= %.0f ns per call\n", TARGET_NS);
	free(st);
	free(a);
	return 0;
}
