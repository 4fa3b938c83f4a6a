/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "core/tlspin.h"
#include "util/encode.h"
#include "util/err.h"
#include "util/banned.h"

#define PREFIX_LEN (sizeof(TLS_PIN_PREFIX) - 1)

void tls_pin_format(const uint8_t hash[TLS_PIN_HASH_BYTES], char pin[TLS_PIN_SIZE])
{
	memcpy(pin, TLS_PIN_PREFIX, PREFIX_LEN);
	/* 44 characters and a NUL fit: b64_encode cannot fail here */
	(void)b64_encode(hash, TLS_PIN_HASH_BYTES, pin + PREFIX_LEN, TLS_PIN_SIZE - PREFIX_LEN);
}

int tls_pin_parse(const char *s, size_t len, uint8_t hash[TLS_PIN_HASH_BYTES])
{
	if (len != TLS_PIN_LEN || memcmp(s, TLS_PIN_PREFIX, PREFIX_LEN) != 0)
		return GS_EINVAL;
	/* strict: canonical padding and trailing bits (util/encode.h) */
	return b64_decode_exact(s + PREFIX_LEN, len - PREFIX_LEN, hash, TLS_PIN_HASH_BYTES) ? GS_EINVAL : 0;
}

bool tls_pin_is_valid(const char *s)
{
	uint8_t h[TLS_PIN_HASH_BYTES];

	return tls_pin_parse(s, strnlen(s, TLS_PIN_SIZE), h) == 0;
}

bool tls_pin_equal(const char *a, const char *b)
{
	uint8_t ha[TLS_PIN_HASH_BYTES], hb[TLS_PIN_HASH_BYTES];

	return tls_pin_parse(a, strnlen(a, TLS_PIN_SIZE), ha) == 0 &&
	       tls_pin_parse(b, strnlen(b, TLS_PIN_SIZE), hb) == 0 && !memcmp(ha, hb, sizeof(ha));
}
