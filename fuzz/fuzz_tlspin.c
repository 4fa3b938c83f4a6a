/* SPDX-License-Identifier: Apache-2.0 */
/* tls_pin_parse on arbitrary bytes: whatever parses formats back to the
 * same bytes (one spelling per key), and is equal to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlspin.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[TLS_PIN_HASH_BYTES];
	char pin[TLS_PIN_SIZE];

	if (tls_pin_parse((const char *)data, size, h) != 0)
		return 0;
	tls_pin_format(h, pin);
	if (size != TLS_PIN_LEN || memcmp(pin, data, size) || !tls_pin_equal(pin, pin))
		abort();
	return 0;
}
