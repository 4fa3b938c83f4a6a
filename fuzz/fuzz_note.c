/* SPDX-License-Identifier: Apache-2.0 */
/* note_parse on anything; a parsed note is verified against a fixed key,
 * and whatever note_sign accepts must parse back and verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/checkpoint.h"
#include "crypto/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pk[32], sk[64];
static struct signed_note note;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct gs_diag d;
	struct note_vkey vk;
	char *out = NULL;
	size_t outlen;
	uint64_t ts;

	if (!pk[0] && !pk[1]) {
		uint8_t seed[32];

		if (sodium_init() < 0)
			abort();
		memset(seed, 7, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
	}
	if (note_parse(buf, size, &note, &d) == 0) {
		(void)!note_verify(&note, "example.com/foo", pk);
		(void)!cosig_verify(&note, "example.com/foo", pk, &ts);
		if (note.nsigs > 0)
			(void)!note_verify(&note, note.sigs[0].name, pk);
	}
	if (note_sign(buf, size, "fuzz.example/k", sk, &out, &outlen, &d) == 0) {
		if (note_parse(out, outlen, &note, &d) != 0 ||
		    note_verify(&note, "fuzz.example/k", pk) != 0)
			abort();
		free(out);
	}
	(void)!note_vkey_parse(buf, size, &vk, &d);
	return 0;
}
