/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_ENCODE_H
#define GS_ENCODE_H

/*
 * Hex and base64 (RFC 4648 §4, standard alphabet, padded).
 *
 * Encoders write a NUL-terminated string into a caller buffer of at least
 * *_encoded_size(n) bytes. Decoders are strict: every input byte must be
 * part of the encoding (no whitespace, no line breaks), and base64 must be
 * canonical, i.e. re-encoding the result gives back the input exactly
 * (padding present, unused trailing bits zero). Decoders write at most
 * outsz bytes, set *outlen only on success, and return:
 *   GS_EINVAL  not a valid or not a canonical encoding
 *   GS_ELIMIT  the decoded bytes do not fit in outsz
 * The hex decoder accepts upper and lower case; the encoder writes lower.
 */

#include <stddef.h>
#include <stdint.h>

/* Bytes needed to hold the encoding of n bytes, NUL included. */
#define HEX_ENCODED_SIZE(n) (2 * (n) + 1)
#define B64_ENCODED_SIZE(n) (4 * (((n) + 2) / 3) + 1)
/* Largest number of bytes that a base64 text of len characters decodes to. */
#define B64_DECODED_MAX(len) ((len) / 4 * 3)

int hex_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
int hex_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
	       size_t *outlen);

int b64_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
int b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
	       size_t *outlen);

/* Decodes exactly n bytes, GS_EINVAL for any other length. */
int b64_decode_exact(const char *in, size_t len, uint8_t *out, size_t n);

#endif
