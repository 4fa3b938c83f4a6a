/* SPDX-License-Identifier: Apache-2.0 */
/* utf8_decode on arbitrary bytes: every character it accepts is a scalar
 * value whose shortest encoding is exactly the bytes read; utf8_valid
 * agrees with decoding character by character; utf8_scrub leaves valid
 * UTF-8 and changes nothing in text that was valid. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t encode(uint32_t c, uint8_t b[4])
{
	if (c < 0x80) {
		b[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | c >> 6);
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | c >> 12);
		b[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	}
	b[0] = (uint8_t)(0xf0 | c >> 18);
	b[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
	b[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
	b[3] = (uint8_t)(0x80 | (c & 0x3f));
	return 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4097];
	uint8_t b[4];
	size_t i = 0, n;
	uint32_t c;
	bool all = true;

	while (i < size) {
		n = utf8_decode(data + i, size - i, &c);
		if (n == 0) {
			all = false;
			i++;
			continue;
		}
		if (c > UTF8_MAX || (c >= 0xd800 && c <= 0xdfff) || encode(c, b) != n || memcmp(b, data + i, n))
			abort();
		i += n;
	}
	if (utf8_valid(data, size) != all)
		abort();
	n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	memcpy(buf, data, n);
	buf[n] = 0;
	n = strlen(buf);
	{
		bool was_valid = utf8_valid(buf, n);
		char copy[sizeof(buf)];

		memcpy(copy, buf, n + 1);
		utf8_scrub(buf);
		if (strlen(buf) != n || !utf8_valid(buf, n) || (was_valid && memcmp(buf, copy, n)))
			abort();
		if (was_valid && n > 0 && !utf8_valid(buf, utf8_cut(buf, n, n / 2)))
			abort();
	}
	return 0;
}
