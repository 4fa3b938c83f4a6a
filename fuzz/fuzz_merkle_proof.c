/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Input: flags[1] || a[8] || b[8] || h1[32] || h2[32] || path hashes...
 * Verifies the decoded inclusion (a = index, b = size) or consistency
 * (a = first, b = second) proof: it must never crash. With flag bit 1 set
 * it also checks that proofs generated in a tree of (b % 300) leaves verify
 * for the given positions. The tree of 300 leaves is built once: a proof
 * or a root for a size n reads only the first n leaves, so every smaller
 * tree is a prefix of it, and an input costs proofs, not a tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/merkle.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HB MERKLE_HASH_BYTES

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#define TREE_LEAVES 300

/* Leaf i's data is i, as 8 bytes; built on first use, kept for the run. */
static struct merkle_mem *tree(void)
{
	static struct merkle_mem m;
	static int built;

	if (!built) {
		merkle_mem_init(&m);
		for (uint64_t i = 0; i < TREE_LEAVES; i++)
			if (merkle_mem_append(&m, &i, sizeof(i)) != 0)
				abort();
		built = 1;
	}
	return &m;
}

static void generated(uint64_t a, uint64_t b)
{
	uint8_t proof[GS_MAX_PROOF_HASHES][HB], leaf[HB], r1[HB], r2[HB];
	struct merkle_mem *m = tree();
	uint64_t n = b % TREE_LEAVES, i;
	size_t np;

	if (n > 0) {
		i = a % n;
		if (merkle_prove_inclusion(merkle_mem_get, m, i, n, proof, &np) != 0 ||
		    merkle_mem_get(m, 0, i, leaf) != 0 ||
		    merkle_root(merkle_mem_get, m, n, r2) != 0 ||
		    merkle_verify_inclusion(i, n, leaf, (const uint8_t (*)[HB])proof, np, r2) != 0)
			abort();
	}
	i = n ? a % (n + 1) : 0;
	if (merkle_prove_consistency(merkle_mem_get, m, i, n, proof, &np) != 0 ||
	    merkle_root(merkle_mem_get, m, i, r1) != 0 ||
	    merkle_root(merkle_mem_get, m, n, r2) != 0 ||
	    merkle_verify_consistency(i, n, r1, r2, (const uint8_t (*)[HB])proof, np) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t (*path)[HB];
	uint64_t a, b;
	size_t n;

	if (size < 1 + 16 + 2 * HB)
		return 0;
	a = be64(data + 1);
	b = be64(data + 9);
	n = (size - 1 - 16 - 2 * HB) / HB;
	path = malloc(n ? n * HB : 1);
	if (!path)
		return 0;
	memcpy(path, data + 1 + 16 + 2 * HB, n * HB);
	if (data[0] & 1)
		(void)!merkle_verify_consistency(a, b, data + 17, data + 17 + HB,
						 (const uint8_t (*)[HB])path, n);
	else
		(void)!merkle_verify_inclusion(a, b, data + 17, (const uint8_t (*)[HB])path, n,
					       data + 17 + HB);
	free(path);
	if (data[0] & 2)
		generated(a, b);
	return 0;
}
