/* SPDX-License-Identifier: Apache-2.0 */
#include "util/encode.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/err.h"
#include "util/banned.h"

int hex_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (outsz < HEX_ENCODED_SIZE(n) || n > (SIZE_MAX - 1) / 2)
		return GS_ELIMIT;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
	       size_t *outlen)
{
	size_t i;

	if (len % 2)
		return GS_EINVAL;
	for (i = 0; i < len; i++)
		if (hex_nibble(in[i]) < 0)
			return GS_EINVAL;
	if (len / 2 > outsz)
		return GS_ELIMIT;
	for (i = 0; i < len / 2; i++)
		out[i] = (uint8_t)(hex_nibble(in[2 * i]) << 4 | hex_nibble(in[2 * i + 1]));
	*outlen = len / 2;
	return 0;
}

int b64_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	if (n > (SIZE_MAX - 4) / 4 * 3 || outsz < B64_ENCODED_SIZE(n))
		return GS_ELIMIT;
	sodium_bin2base64(out, outsz, in, n, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

/* libsodium's decoder does the alphabet and padding; canonicality (zero
 * trailing bits) is checked by encoding the result again and comparing. */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
	       size_t *outlen)
{
	uint8_t stackbuf[512];
	uint8_t *tmp = stackbuf;
	char stackenc[700];
	char *enc = stackenc;
	const char *end = NULL;
	size_t max, n = 0;
	int ret = GS_EINVAL;

	if (len % 4)
		return GS_EINVAL;
	max = B64_DECODED_MAX(len);
	if (max > sizeof(stackbuf)) {
		tmp = malloc(max);
		enc = malloc(len + 1);
		if (!tmp || !enc) {
			ret = GS_ENOMEM;
			goto out;
		}
	}
	if (sodium_base642bin(tmp, max, in, len, NULL, &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != in + len)
		goto out;
	sodium_bin2base64(enc, len + 1, tmp, n, sodium_base64_VARIANT_ORIGINAL);
	if (strlen(enc) != len || memcmp(enc, in, len) != 0)
		goto out;
	if (n > outsz) {
		ret = GS_ELIMIT;
		goto out;
	}
	memcpy(out, tmp, n);
	*outlen = n;
	ret = 0;
out:
	if (tmp && tmp != stackbuf) {
		sodium_memzero(tmp, max);
		free(tmp);
	}
	if (enc != stackenc)
		free(enc);
	sodium_memzero(stackbuf, sizeof(stackbuf));
	return ret;
}

int b64_decode_exact(const char *in, size_t len, uint8_t *out, size_t n)
{
	uint8_t buf[128];
	size_t got;
	int ret;

	if (n > sizeof(buf) || len != 4 * ((n + 2) / 3))
		return GS_EINVAL;
	ret = b64_decode(in, len, buf, sizeof(buf), &got);
	if (ret == 0 && got != n)
		ret = GS_EINVAL;
	if (ret == 0)
		memcpy(out, buf, n);
	sodium_memzero(buf, sizeof(buf));
	return ret == GS_ELIMIT ? GS_EINVAL : ret;
}
