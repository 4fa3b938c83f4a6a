/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole of keys_unseal with a fixed passphrase (parse, Argon2id, AEAD,
 * the checks of the keys against the file's public keys), and keys_public:
 * never a crash, never more Argon2id work than the bounds allow. In a
 * fuzzing build the bounds are 1 to 3 passes over 8 to 64 KiB
 * (crypto/keys.c), so an input costs microseconds instead of the
 * interactive cost's 64 MiB; the parser is the same. scripts/fuzz.sh seeds
 * it with a file sealed at those costs (fuzz/seed_keyfile.c), so that the
 * fuzzer starts past the MAC.
 */
#include <stdint.h>
#include <stdlib.h>

#include "crypto/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pass[] = "correct horse battery staple";
	struct node_keys k;
	struct gs_diag d;
	uint8_t spk[32], bpk[32];

	(void)!keys_public((const char *)data, size, spk, bpk, &d);
	if (keys_unseal((const char *)data, size, pass, sizeof(pass) - 1, &k, &d) == 0)
		keys_release(&k);
	return 0;
}
