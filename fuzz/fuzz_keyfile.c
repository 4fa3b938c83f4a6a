/* SPDX-License-Identifier: Apache-2.0 */
/* keys_unseal with a fixed passphrase: never a crash, and never more
 * Argon2id work than the caps allow (the harness runs with an RSS limit). */
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
