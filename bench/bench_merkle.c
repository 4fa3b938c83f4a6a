/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Merkle tree figures beside their targets:
 *   appends per second into the in-memory store (entry hashed as a leaf)
 *   inclusion proof, made and verified, in a tree of 10^7 entries
 *   consistency proof, made and verified, in the same tree
 * Usage: bench_merkle [entries]   (default 10000000)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "crypto/merkle.h"
#include "util/banned.h"

#define HB MERKLE_HASH_BYTES

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

int main(int argc, char **argv)
{
	uint8_t proof[GS_MAX_PROOF_HASHES][HB], root[HB], r1[HB], leaf[HB];
	struct merkle_mem *m = malloc(sizeof(*m));
	uint64_t n = 10000000, i, idx, first, sink = 0;
	const int rounds = 100000;
	double t0, t1, rate, us;
	size_t np;
	int fails = 0;

	if (argc > 1) {
		char *end;

		n = strtoull(argv[1], &end, 10);
		if (*end || n < 2) {
			fprintf(stderr, "usage: bench_merkle [entries >= 2]\n");
			return 2;
		}
	}
	if (!m || sodium_init() < 0)
		return 1;
	merkle_mem_init(m);

	t0 = now();
	for (i = 0; i < n; i++) {
		if (merkle_mem_append(m, &i, sizeof(i)) != 0) {
			fprintf(stderr, "append failed at %" PRIu64 "\n", i);
			return 1;
		}
	}
	t1 = now();
	rate = (double)n / (t1 - t0);
	printf("append (in memory)         %12.0f /s   target >= 500000 /s   %s\n", rate,
	       rate >= 500000 ? "ok" : "MISSED");

	merkle_range_root(&m->range, root);
	t0 = now();
	for (i = 0; i < (uint64_t)rounds; i++) {
		idx = rng() % n;
		if (merkle_prove_inclusion(merkle_mem_get, m, idx, n, proof, &np) != 0 ||
		    merkle_mem_get(m, 0, idx, leaf) != 0 ||
		    merkle_verify_inclusion(idx, n, leaf, (const uint8_t (*)[HB])proof, np,
					    root) != 0)
			fails++;
		sink += np;
	}
	t1 = now();
	us = (t1 - t0) * 1e6 / rounds;
	printf("inclusion make+verify      %12.2f us  target <= 20 us        %s  (n=%" PRIu64
	       ", ~%" PRIu64 " hashes)\n", us, us <= 20 ? "ok" : "MISSED", n, sink / rounds);

	t0 = now();
	sink = 0;
	for (i = 0; i < (uint64_t)(rounds / 10); i++) {
		first = 1 + rng() % (n - 1);
		if (merkle_root(merkle_mem_get, m, first, r1) != 0 ||
		    merkle_prove_consistency(merkle_mem_get, m, first, n, proof, &np) != 0 ||
		    merkle_verify_consistency(first, n, r1, root, (const uint8_t (*)[HB])proof,
					      np) != 0)
			fails++;
		sink += np;
	}
	t1 = now();
	us = (t1 - t0) * 1e6 / (rounds / 10);
	printf("consistency root+make+verify %10.2f us  (no target)\n", us);
	merkle_mem_free(m);
	free(m);
	if (fails) {
		printf("%d proofs failed to verify\n", fails);
		return 1;
	}
	return 0;
}
