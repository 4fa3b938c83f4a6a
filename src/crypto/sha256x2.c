/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/sha256x2.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA256X2_X86 1
#else
#define SHA256X2_X86 0
#endif

#include "util/banned.h"

/*
 * FIPS 180-4 SHA-256 on the SHA-NI instructions. The state is kept as the
 * instructions want it, (A,B,E,F) and (C,D,G,H) in two 128-bit registers;
 * each group of four rounds adds four message words to their round
 * constants and runs two SHA256RNDS2; the message schedule of the next
 * words is SHA256MSG1, an add of W[t-7] (PALIGNR) and SHA256MSG2. Every
 * step is done for stream A, then for stream B: they do not depend on
 * each other, so the second fills the first's latency.
 */

#if SHA256X2_X86

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* The two streams' states: [stream][0] = ABEF, [stream][1] = CDGH. */
struct x2 {
	__m128i s[2][2];
};

SHA_TARGET static void x2_init(struct x2 *x)
{
	__m128i t, s1;
	int i;

	for (i = 0; i < 2; i++) {
		t = _mm_loadu_si128((const __m128i *)&H0[0]);   /* D C B A */
		s1 = _mm_loadu_si128((const __m128i *)&H0[4]);  /* H G F E */
		t = _mm_shuffle_epi32(t, 0xB1);                 /* C D A B */
		s1 = _mm_shuffle_epi32(s1, 0x1B);               /* E F G H */
		x->s[i][0] = _mm_alignr_epi8(t, s1, 8);         /* A B E F */
		x->s[i][1] = _mm_blend_epi16(s1, t, 0xF0);      /* C D G H */
	}
}

SHA_TARGET static void x2_final(const struct x2 *x, uint8_t out_a[32], uint8_t out_b[32])
{
	uint32_t w[8];
	uint8_t *out;
	__m128i t, s0, s1;
	int i, j;

	for (i = 0; i < 2; i++) {
		t = _mm_shuffle_epi32(x->s[i][0], 0x1B);        /* F E B A */
		s1 = _mm_shuffle_epi32(x->s[i][1], 0xB1);       /* D C H G */
		s0 = _mm_blend_epi16(t, s1, 0xF0);              /* D C B A */
		s1 = _mm_alignr_epi8(s1, t, 8);                 /* H G F E */
		_mm_storeu_si128((__m128i *)&w[0], s0);
		_mm_storeu_si128((__m128i *)&w[4], s1);
		out = i == 0 ? out_a : out_b;
		for (j = 0; j < 8; j++) {
			out[4 * j] = (uint8_t)(w[j] >> 24);
			out[4 * j + 1] = (uint8_t)(w[j] >> 16);
			out[4 * j + 2] = (uint8_t)(w[j] >> 8);
			out[4 * j + 3] = (uint8_t)w[j];
		}
	}
}

/* W[t..t+3] from the four groups before it, m[g & 3] being W[t-16..t-13]. */
#define SCHEDULE(m, g)                                                                        \
	((m)[(g) & 3] = _mm_sha256msg2_epu32(                                                 \
		 _mm_add_epi32(_mm_sha256msg1_epu32((m)[(g) & 3], (m)[((g) + 1) & 3]),         \
			       _mm_alignr_epi8((m)[((g) + 3) & 3], (m)[((g) + 2) & 3], 4)),    \
		 (m)[((g) + 3) & 3]))

/* One 64-byte block of each stream. */
SHA_TARGET static void x2_block(struct x2 *x, const uint8_t *pa, const uint8_t *pb)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i ma[4], mb[4], a0 = x->s[0][0], a1 = x->s[0][1], b0 = x->s[1][0], b1 = x->s[1][1];
	__m128i k, ta, tb;
	int g;

	for (g = 0; g < 4; g++) {
		ma[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 16 * g)), bswap);
		mb[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 16 * g)), bswap);
	}
	/* written out, so that every index is a constant and the sixteen
	 * message registers stay in registers */
#define QUAD(g)                                                          \
	do {                                                             \
		if ((g) >= 4) {                                          \
			SCHEDULE(ma, g);                                 \
			SCHEDULE(mb, g);                                 \
		}                                                        \
		k = _mm_loadu_si128((const __m128i *)&K[4 * (g)]);       \
		ta = _mm_add_epi32(ma[(g) & 3], k);                      \
		tb = _mm_add_epi32(mb[(g) & 3], k);                      \
		a1 = _mm_sha256rnds2_epu32(a1, a0, ta);                  \
		b1 = _mm_sha256rnds2_epu32(b1, b0, tb);                  \
		ta = _mm_shuffle_epi32(ta, 0x0E);                        \
		tb = _mm_shuffle_epi32(tb, 0x0E);                        \
		a0 = _mm_sha256rnds2_epu32(a0, a1, ta);                  \
		b0 = _mm_sha256rnds2_epu32(b0, b1, tb);                  \
	} while (0)
	QUAD(0); QUAD(1); QUAD(2); QUAD(3); QUAD(4); QUAD(5); QUAD(6); QUAD(7);
	QUAD(8); QUAD(9); QUAD(10); QUAD(11); QUAD(12); QUAD(13); QUAD(14); QUAD(15);
#undef QUAD
	x->s[0][0] = _mm_add_epi32(a0, x->s[0][0]);
	x->s[0][1] = _mm_add_epi32(a1, x->s[0][1]);
	x->s[1][0] = _mm_add_epi32(b0, x->s[1][0]);
	x->s[1][1] = _mm_add_epi32(b1, x->s[1][1]);
}

static int cpu_avx = -1;

int sha256x2_available(void)
{
	static int known = -1;
	unsigned a, b, c, d;

	if (known < 0) {
		cpu_avx = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) && (c & bit_OSXSAVE);
		known = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
			__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
	}
	return known;
}

/* The SHA instructions exist only in the legacy SSE encoding. After wide
 * AVX code that leaves the upper halves of the vector registers in use
 * (OpenSSL's ChaCha20 runs just before, on the same chunks), every such
 * instruction pays for merging them: measured here, the leaf hashes ran
 * at half speed. VZEROUPPER clears them first. */
__attribute__((target("avx"))) static void clear_upper(void)
{
	_mm256_zeroupper();
}

/* Bytes [from, from + 64) of prefix || data (the message of len + 1 bytes),
 * for a block that starts before data does or runs past its end (then
 * with the padding: 0x80, zeros, the bit length in the last 8 bytes of
 * the final block). */
static void message_block(uint8_t prefix, const uint8_t *data, size_t len, size_t from,
			  uint8_t out[64])
{
	size_t total = len + 1, i, at;
	uint64_t bits = (uint64_t)total * 8;

	for (i = 0; i < 64; i++) {
		at = from + i;
		out[i] = at == 0 ? prefix : at < total ? data[at - 1] : at == total ? 0x80 : 0;
	}
	/* the last block of the padded message ends with the length */
	if (from + 64 == ((total + 8) / 64 + 1) * 64)
		for (i = 0; i < 8; i++)
			out[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
}

void sha256x2_prefixed(uint8_t prefix, const uint8_t *a, const uint8_t *b, size_t len,
		       uint8_t out_a[32], uint8_t out_b[32])
{
	size_t total = len + 1, blocks = (total + 8) / 64 + 1, k;
	uint8_t ba[64], bb[64];
	struct x2 x;

	if (cpu_avx > 0)
		clear_upper();
	x2_init(&x);
	for (k = 0; k < blocks; k++) {
		/* blocks wholly inside the data are read in place */
		if (k > 0 && 64 * k + 64 <= total) {
			x2_block(&x, a + 64 * k - 1, b + 64 * k - 1);
			continue;
		}
		message_block(prefix, a, len, 64 * k, ba);
		message_block(prefix, b, len, 64 * k, bb);
		x2_block(&x, ba, bb);
	}
	x2_final(&x, out_a, out_b);
}

#else

int sha256x2_available(void)
{
	return 0;
}

void sha256x2_prefixed(uint8_t prefix, const uint8_t *a, const uint8_t *b, size_t len,
		       uint8_t out_a[32], uint8_t out_b[32])
{
	(void)prefix;
	(void)a;
	(void)b;
	(void)len;
	memset(out_a, 0, 32);
	memset(out_b, 0, 32);
}

#endif
