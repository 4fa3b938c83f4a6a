/* SPDX-License-Identifier: Apache-2.0 */
/* checkpoint_parse must round-trip through checkpoint_format; signed
 * checkpoints are opened with a fixed key; whatever cosig_sign accepts must
 * cosign-verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pk[32], sk[64];
static struct signed_note note;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char text[CHECKPOINT_TEXT_SIZE];
	struct checkpoint c;
	struct gs_diag d;
	char *out = NULL;
	size_t len;
	uint64_t ts;

	if (!pk[0] && !pk[1]) {
		uint8_t seed[32];

		if (sodium_init() < 0)
			abort();
		memset(seed, 1, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
	}
	if (checkpoint_parse(buf, size, &c, &d) == 0) {
		if (checkpoint_format(&c, text, sizeof(text), &len) != 0 || len != size ||
		    memcmp(text, buf, size) != 0)
			abort();
	}
	if (checkpoint_open(buf, size, "example.com/behind-the-sofa", pk, &c, &note, &d) == 0)
		(void)!cosig_verify(&note, "witness.example/w1", pk, &ts);
	if (cosig_sign(buf, size, "witness.example/w1", sk, 1700000000, &out, &len, &d) == 0) {
		if (note_parse(out, len, &note, &d) != 0 ||
		    cosig_verify(&note, "witness.example/w1", pk, &ts) != 0 || ts != 1700000000)
			abort();
		free(out);
	}
	return 0;
}
