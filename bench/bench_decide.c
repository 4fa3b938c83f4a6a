/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_decide: the cost of one access decision (decide_access) on a
 * realistic JPN node under KOR-JPN-2016: ~1000 persons on a facility
 * register, ~1000 holdings, persons and holdings picked at random for
 * 10^6 calls. Times are taken per batch of BATCH calls with the
 * monotonic clock and divided by BATCH; p50 and p99 are over the
 * batches. Measured, not tested: it prints, it does not fail.
 *
 * Usage: bench_decide [calls]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/decide.h"
#include "core/person.h"

#include "util/banned.h"

#define NPERSONS 1000
#define NHOLDINGS 1000
#define NTOPICS 24
#define BATCH 100
#define TARGET_NS 200.0

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible, no libc state */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void cpy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}
#define CPY(dst, src) cpy((dst), sizeof(dst), (src))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct agreement *make_agreement(void)
{
	struct agreement *a = calloc(1, sizeof(*a));
	struct annex_version *v;

	if (!a)
		return NULL;
	CPY(a->id, "KOR-JPN-2016");
	a->version = 1;
	a->nparties = 2;
	CPY(a->parties[0], "KOR");
	CPY(a->parties[1], "JPN");
	a->zone = 9 * 3600;
	a->rules.marking = MARKING_RECIPIENT_CONVERTS;
	a->rules.nationality = NATIONALITY_HOLDER_ONLY;
	a->nannex = 1;
	v = &a->annex[0];
	v->number = 1;
	v->effective = (struct gs_date){ 2016, 11, 23 };
	v->nrows = 2;
	CPY(v->rows[0].level, "SECRET");
	v->rows[0].cells[0].nlabels = 1;
	CPY(v->rows[0].cells[0].labels[0], "군사II급비밀");
	v->rows[0].cells[1].nlabels = 2;
	CPY(v->rows[0].cells[1].labels[0], "特定秘密");
	CPY(v->rows[0].cells[1].labels[1], "極秘");
	CPY(v->rows[1].level, "CONFIDENTIAL");
	v->rows[1].cells[0].nlabels = 1;
	CPY(v->rows[1].cells[0].labels[0], "군사III급비밀");
	v->rows[1].cells[1].nlabels = 1;
	CPY(v->rows[1].cells[1].labels[0], "秘");
	v->nnever = 2;
	v->never[0].party = 0;
	CPY(v->never[0].label, "군사I급비밀");
	v->never[1].party = 1;
	CPY(v->never[1].label, "機密");
	return a;
}

struct run {
	const char *what;
	size_t calls;
	double p50, p99, mean;
	double permits;
};

static void measure(struct run *r, const struct agreement *a, const struct party *jpn,
		    const struct holding *hs, const struct person *ps, const struct facility *f,
		    const uint32_t *hi, const uint32_t *pi, size_t calls, gs_instant at)
{
	size_t nb = calls / BATCH, permits = 0;
	uint64_t *ns = malloc(nb * sizeof(*ns)), total = 0;
	struct decision d;

	if (!ns) {
		r->calls = 0;
		return;
	}
	for (size_t b = 0; b < nb; b++) {
		uint64_t t0 = now_ns();

		for (size_t k = b * BATCH; k < (b + 1) * BATCH; k++) {
			struct access_query q = { .agreement = a, .holder = jpn, .holding = &hs[hi[k]],
						  .person = &ps[pi[k]], .facility = f, .at = at };

			decide_access(&q, &d);
			permits += d.permit;
		}
		ns[b] = now_ns() - t0;
		total += ns[b];
	}
	qsort(ns, nb, sizeof(*ns), cmp_u64);
	r->calls = nb * BATCH;
	r->p50 = (double)ns[nb / 2] / BATCH;
	r->p99 = (double)ns[(nb * 99) / 100] / BATCH;
	r->mean = (double)total / (double)r->calls;
	r->permits = (double)permits / (double)r->calls;
	free(ns);
}

static void report(const struct run *r)
{
	printf("%-34s %9zu calls  p50 %7.1f ns  p99 %7.1f ns  mean %7.1f ns  permits %5.1f%%  %s\n",
	       r->what, r->calls, r->p50, r->p99, r->mean, 100.0 * r->permits,
	       r->p50 <= TARGET_NS ? "(p50 within target)" : "(p50 OVER target)");
}

int main(int argc, char **argv)
{
	static const char *const jl[] = { "機密", "特定秘密", "極秘", "秘" };
	static const char *const hold_labels[] = { "特定秘密", "極秘", "秘" };
	static const char *const orig_labels[] = { "군사II급비밀", "군사II급비밀", "군사III급비밀" };
	static const char *const psc_labels[] = { "機密", "特定秘密", "特定秘密", "極秘", "秘" };
	struct agreement *a = make_agreement();
	struct party *jpn = calloc(1, sizeof(*jpn));
	struct facility *f = malloc(sizeof(*f));
	struct holding *hs = calloc(NHOLDINGS, sizeof(*hs));
	struct person *ps = calloc(NPERSONS, sizeof(*ps));
	size_t calls = 1000000;
	uint32_t *hi, *pi, *phi, *ppi;
	char topics[NTOPICS][32];
	gs_instant at = date_midnight((struct gs_date){ 2019, 6, 1 }, 9 * 3600) + 36000;
	gs_instant from = date_midnight((struct gs_date){ 2015, 1, 1 }, 9 * 3600);
	gs_instant until = date_midnight((struct gs_date){ 2030, 1, 1 }, 9 * 3600);
	struct run mixed = { "decide_access, mixed", 0, 0, 0, 0, 0 };
	struct run full = { "decide_access, permits (full path)", 0, 0, 0, 0, 0 };
	size_t np = 0;

	if (argc > 1) {
		char *end;
		unsigned long long n = strtoull(argv[1], &end, 10);

		if (*end || n < BATCH * 10) {
			fprintf(stderr, "usage: bench_decide [calls >= %d]\n", BATCH * 10);
			return 2;
		}
		calls = (size_t)n;
	}
	hi = malloc(calls * sizeof(*hi));
	pi = malloc(calls * sizeof(*pi));
	phi = malloc(calls * sizeof(*phi));
	ppi = malloc(calls * sizeof(*ppi));
	if (!a || !jpn || !f || !hs || !ps || !hi || !pi || !phi || !ppi) {
		fprintf(stderr, "bench_decide: out of memory\n");
		return 1;
	}

	CPY(jpn->code, "JPN");
	CPY(jpn->name, "Japan");
	jpn->zone = 9 * 3600;
	jpn->scheme.nlevels = 4;
	for (int i = 0; i < 4; i++)
		CPY(jpn->scheme.levels[i].label, jl[i]);
	for (int i = 0; i < NTOPICS; i++)
		snprintf(topics[i], sizeof(topics[i]), "topic-%02d", i);

	facility_init(f);
	CPY(f->id, "JPN-MOD-1");
	CPY(f->party, "JPN");

	for (unsigned i = 0; i < NHOLDINGS; i++) {
		struct holding *h = &hs[i];
		unsigned l = pick(3);

		snprintf(h->item.id, sizeof(h->item.id), "KOR-2019-%06u", i);
		CPY(h->item.originator, "KOR");
		CPY(h->item.label, orig_labels[l]);
		CPY(h->item.purpose, pick(4) ? "defence of the parties" : "early warning");
		CPY(h->item.topic, topics[pick(NTOPICS)]);
		h->item.form = FORM_ELECTRONIC;
		CPY(h->holder, "JPN");
		h->marking.nlabels = 1;
		CPY(h->marking.labels[0], hold_labels[l]);
		CPY(h->marking.originator_name, "Republic of Korea");
		CPY(h->agreement, "KOR-JPN-2016");
		h->agreement_version = 1;
		CPY(h->released_by, "KOR");
		h->released_at = date_midnight((struct gs_date){ 2018, 1 + (int)pick(12), 1 }, 9 * 3600);
		CPY(h->facility, "JPN-MOD-1");
		h->status = pick(100) < 3 ? ITEM_DESTROYED : ITEM_ACTIVE;
	}
	for (unsigned i = 0; i < NPERSONS; i++) {
		struct person *p = &ps[i];

		snprintf(p->id, sizeof(p->id), "JPN-MOD-P%05u", i);
		snprintf(p->name, sizeof(p->name), "officer %u", i);
		p->nnationalities = 1;
		CPY(p->nationalities[0], pick(100) < 2 ? "KOR" : "JPN");
		CPY(p->employer, "JPN");
		CPY(p->psc.level, psc_labels[pick(5)]);
		p->psc.valid_from = from;
		p->psc.valid_until = pick(100) < 5 ? from + 86400 * 365 : until;
		p->nduties = 2 + (int)pick(7);
		for (int k = 0; k < p->nduties; k++) {
			p->duties[k].kind = pick(10) ? DUTY_TOPIC : DUTY_PURPOSE;
			CPY(p->duties[k].value, p->duties[k].kind == DUTY_TOPIC ?
				topics[pick(NTOPICS)] : "early warning");
		}
		CPY(p->facility, "JPN-MOD-1");
		p->roles = ROLE_READER;
		if (pick(100) < 95 && facility_register_add(f, p->id) != 0) {
			fprintf(stderr, "bench_decide: register full\n");
			return 1;
		}
	}
	for (size_t k = 0; k < calls; k++) {
		hi[k] = (uint32_t)pick(NHOLDINGS);
		pi[k] = (uint32_t)pick(NPERSONS);
	}
	/* a second sequence of (holding, person) pairs that are all permitted:
	 * every rule runs to the end */
	while (np < calls) {
		uint32_t h = (uint32_t)pick(NHOLDINGS), p = (uint32_t)pick(NPERSONS);
		struct decision d;
		struct access_query q = { .agreement = a, .holder = jpn, .holding = &hs[h], .person = &ps[p],
					  .facility = f, .at = at };

		if (decide_access(&q, &d) == 0) {
			phi[np] = h;
			ppi[np] = p;
			np++;
		}
	}

	/* warm up, then measure */
	measure(&mixed, a, jpn, hs, ps, f, hi, pi, calls / 10, at);
	measure(&mixed, a, jpn, hs, ps, f, hi, pi, calls, at);
	measure(&full, a, jpn, hs, ps, f, phi, ppi, calls, at);

	printf("bench_decide: %d persons (%d on the register), %d holdings, batches of %d\n",
	       NPERSONS, f->nregister, NHOLDINGS, BATCH);
	report(&mixed);
	report(&full);
	printf("target: decide_access p50 <= %.0f ns\n", TARGET_NS);
	printf("anchors: SAPL embedded p50 179-374 ns per decision (vendor); "
	       "Cedar: microseconds per decision; OPA: 1 ms budget per API decision\n");

	free(a);
	free(jpn);
	free(f);
	free(hs);
	free(ps);
	free(hi);
	free(pi);
	free(phi);
	free(ppi);
	return 0;
}
