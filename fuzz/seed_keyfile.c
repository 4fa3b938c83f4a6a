/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prints a key file sealed under fuzz/fuzz_keyfile.c's passphrase at the
 * costs of a fuzzing build (crypto/keys.c): the seed scripts/fuzz.sh gives
 * that harness on each run, so that mutations start from a file whose MAC
 * verifies. Built only with meson -Dfuzz=true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"

int main(void)
{
	static const char pass[] = "correct horse battery staple";
	uint8_t sign_seed[32], box_sk[32];
	struct node_keys k;
	char *out = NULL;
	size_t len = 0;

	memset(sign_seed, 0x5a, sizeof(sign_seed));
	memset(box_sk, 0xa5, sizeof(box_sk));
	if (keys_from_seeds(sign_seed, box_sk, &k) || keys_seal(&k, pass, sizeof(pass) - 1, NULL, &out, &len)) {
		fputs("seed_keyfile: cannot seal\n", stderr);
		return 1;
	}
	keys_release(&k);
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}
