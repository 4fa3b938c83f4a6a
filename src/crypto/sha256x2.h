/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_SHA256X2_H
#define GS_SHA256X2_H

/*
 * Two SHA-256 computations at once, with the CPU's SHA extensions (x86-64
 * SHA-NI). A bundle's chunk leaves (docs/bundle-format.md) are hashed two
 * at a time: one SHA-256 stream is bound by the latency of the SHA round
 * instruction, so a second, independent stream interleaved with it runs
 * in the gaps and nearly doubles what one core hashes. Used through
 * merkle_leaf_hashes (crypto/merkle.h); nothing else needs it.
 */

#include <stddef.h>
#include <stdint.h>

/* 1 if this CPU has the SHA extensions (and this build can use them). */
int sha256x2_available(void);

/*
 * out_a = SHA-256(prefix || a[0..len)), out_b = SHA-256(prefix || b[0..len))
 * for one prefix byte (RFC 6962's 0x00 leaf prefix) and two inputs of the
 * same length. Only when sha256x2_available().
 */
void sha256x2_prefixed(uint8_t prefix, const uint8_t *a, const uint8_t *b, size_t len,
		       uint8_t out_a[32], uint8_t out_b[32]);

#endif
