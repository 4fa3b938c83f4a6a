/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_ledger: the ledger's append and proof paths.
 *
 *  1. in-memory appends/s: ledger_mem_append of a typical release entry
 *     (encode, nonce, leaf hash, compact-range append), 10^6 entries;
 *  2. durable appends/s in SQLite (WAL, synchronous=FULL) with group
 *     commit: ledger_append in transactions of 1000, and for contrast one
 *     append per transaction; and inclusion proofs read from that store;
 *  3. make + verify one inclusion proof in a tree of 10^7 entries held in
 *     memory (merkle_prove_inclusion + merkle_verify_inclusion), over
 *     random indexes.
 *
 * Measured, not tested: it prints each figure beside its target and does
 * not fail. Usage: bench_ledger [tree size for 3, default 10000000] [mem|durable|proof]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "crypto/merkle.h"
#include "node/ledger.h"
#include "node/node.h"

#include "util/banned.h"

#define MEM_APPENDS 1000000
#define DURABLE_APPENDS 100000
#define GROUP 1000
#define SINGLE_TXNS 200
#define PROOFS 200000
#define TARGET_MEM 500000.0
#define TARGET_PROOF_US 20.0

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A release as the release path will log it. */
static void release_entry(struct ledger_entry *e)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	e->type = LEDGER_RELEASE;
	e->time = 1574413200;
	snprintf(e->item, sizeof(e->item), "KOR-2019-000123");
	e->digest_alg = LEDGER_DIGEST_BLAKE2B256;
	for (i = 0; i < sizeof(e->digest); i++)
		e->digest[i] = (uint8_t)(i * 7);
	snprintf(e->party, sizeof(e->party), "KOR");
	snprintf(e->person, sizeof(e->person), "KOR-MND-P00042");
	ledger_entry_field(e, "agreement", "KOR-JPN-2016");
	ledger_entry_field(e, "label", "군사II급비밀");
	ledger_entry_field(e, "recipient", "JPN");
	ledger_entry_field(e, "rule", "release.permit");
}

static int bench_mem(void)
{
	struct ledger_mem m;
	struct ledger_entry e;
	uint64_t t0, t1, idx;
	double rate;
	int i;

	release_entry(&e);
	ledger_mem_init(&m);
	t0 = now_ns();
	for (i = 0; i < MEM_APPENDS; i++)
		if (ledger_mem_append(&m, &e, &idx, NULL)) {
			fprintf(stderr, "bench_ledger: in-memory append failed\n");
			return 1;
		}
	t1 = now_ns();
	ledger_mem_free(&m);
	rate = MEM_APPENDS / ((double)(t1 - t0) / 1e9);
	printf("%-44s %10.0f /s   target >= %.0f /s  %s\n", "in-memory appends (ledger_mem_append)", rate,
	       TARGET_MEM, rate >= TARGET_MEM ? "ok" : "MISSED");
	return 0;
}

static int bench_durable(const char *dir)
{
	struct gs_diag d = { { 0 } };
	struct ledger_entry e;
	struct node *n = NULL;
	char home[512];
	uint64_t t0, t1;
	int i, j, ret;

	snprintf(home, sizeof(home), "%s/kor", dir);
	if ((ret = node_init(home, "KOR", NULL, NULL, NULL, true, "bench", 5, &d)) ||
	    (ret = node_open(home, &n, &d))) {
		fprintf(stderr, "bench_ledger: %s\n", d.msg);
		return 1;
	}
	release_entry(&e);
	t0 = now_ns();
	for (i = 0; i < DURABLE_APPENDS / GROUP; i++) {
		if ((ret = store_begin(n->st)))
			goto fail;
		for (j = 0; j < GROUP; j++)
			if ((ret = ledger_append(n, "JPN", &e, NULL, &d)))
				goto fail;
		if ((ret = store_commit(n->st)))
			goto fail;
	}
	t1 = now_ns();
	printf("%-44s %10.0f /s   (%d per transaction, %.2f ms per commit)\n",
	       "SQLite durable appends, group commit", DURABLE_APPENDS / ((double)(t1 - t0) / 1e9), GROUP,
	       (double)(t1 - t0) / 1e6 / (DURABLE_APPENDS / GROUP));
	/* Proofs from the stored tree: O(log n) primary-key reads each. */
	{
		uint8_t proof[GS_MAX_PROOF_HASHES][32], root[32];
		uint64_t size, idx, k;
		size_t np;

		if ((ret = ledger_head(n, "JPN", &size, root, &d)))
			goto fail;
		t0 = now_ns();
		for (k = 0; k < 10000; k++) {
			idx = rnd() % size;
			if ((ret = ledger_prove_inclusion(n, "JPN", idx, size, proof, &np, &d)))
				goto fail;
		}
		t1 = now_ns();
		printf("%-44s %10.2f us   (%" PRIu64 " entries, %zu hashes)\n",
		       "make an inclusion proof from SQLite", (double)(t1 - t0) / 1e3 / 10000, size, np);
	}
	t0 = now_ns();
	for (i = 0; i < SINGLE_TXNS; i++) {
		if ((ret = store_begin(n->st)) || (ret = ledger_append(n, "USA", &e, NULL, &d)) ||
		    (ret = store_commit(n->st)))
			goto fail;
	}
	t1 = now_ns();
	printf("%-44s %10.0f /s   (for contrast)\n", "SQLite durable appends, one per transaction",
	       SINGLE_TXNS / ((double)(t1 - t0) / 1e9));
	node_close(n);
	return 0;
fail:
	store_rollback(n->st);
	fprintf(stderr, "bench_ledger: durable append: %s\n", d.msg[0] ? d.msg : gs_strerror(ret));
	node_close(n);
	return 1;
}

static int bench_proof(uint64_t size)
{
	struct merkle_mem *m = malloc(sizeof(*m));
	uint8_t leaf[32], root[32], proof[GS_MAX_PROOF_HASHES][32];
	uint64_t i, idx, t0, t1, k;
	size_t np;
	double us;

	if (!m)
		return 1;
	merkle_mem_init(m);
	t0 = now_ns();
	for (i = 0; i < size; i++) {
		/* Distinct leaf hashes without hashing: the proof cost does
		 * not depend on what the leaves are. */
		memset(leaf, 0, sizeof(leaf));
		memcpy(leaf, &i, sizeof(i));
		if (merkle_mem_append_hash(m, leaf)) {
			fprintf(stderr, "bench_ledger: out of memory building the tree\n");
			return 1;
		}
	}
	t1 = now_ns();
	merkle_range_root(&m->range, root);
	printf("%-44s %10.2f s    (%" PRIu64 " leaves)\n", "build in-memory tree", (double)(t1 - t0) / 1e9,
	       size);
	t0 = now_ns();
	for (k = 0; k < PROOFS; k++) {
		idx = rnd() % size;
		memset(leaf, 0, sizeof(leaf));
		memcpy(leaf, &idx, sizeof(idx));
		if (merkle_prove_inclusion(merkle_mem_get, m, idx, size, proof, &np) ||
		    merkle_verify_inclusion(idx, size, leaf, (const uint8_t (*)[32])proof, np, root)) {
			fprintf(stderr, "bench_ledger: proof of %" PRIu64 " failed\n", idx);
			return 1;
		}
	}
	t1 = now_ns();
	us = (double)(t1 - t0) / 1e3 / PROOFS;
	printf("%-44s %10.2f us   target <= %.0f us   %s  (%zu hashes)\n",
	       "make + verify inclusion proof at 10^7", us, TARGET_PROOF_US,
	       us <= TARGET_PROOF_US ? "ok" : "MISSED", np);
	merkle_mem_free(m);
	free(m);
	return 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/gsomia-bench-ledger-XXXXXX";
	char cmd[128];
	uint64_t size = 10000000;
	const char *only = argc > 2 ? argv[2] : "";
	int ret = 0;

	if (argc > 1) {
		char *end;

		size = strtoull(argv[1], &end, 10);
		if (*end || size < 2) {
			fprintf(stderr, "usage: bench_ledger [tree size >= 2]\n");
			return 2;
		}
	}
	if (sodium_init() < 0 || !mkdtemp(dir)) {
		fprintf(stderr, "bench_ledger: cannot start\n");
		return 1;
	}
	printf("bench_ledger: %d in-memory appends, %d durable appends, %d proofs\n", MEM_APPENDS,
	       DURABLE_APPENDS, PROOFS);
	if (!*only || !strcmp(only, "mem"))
		ret |= bench_mem();
	if (!*only || !strcmp(only, "durable"))
		ret |= bench_durable(dir);
	if (!*only || !strcmp(only, "proof"))
		ret |= bench_proof(size);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ret = 1;
	return ret;
}
