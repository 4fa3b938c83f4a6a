/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "util/utf8.h"
#include "util/banned.h"

size_t utf8_decode(const void *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = s;
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		len = 1;
		c = p[0];
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) { /* C0, C1: overlong forms of ASCII */
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) { /* F5..FF would pass U+10FFFF */
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0; /* a continuation byte, or a lead byte no sequence uses */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > UTF8_MAX ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp)
		*cp = c;
	return len;
}

bool utf8_valid(const void *s, size_t n)
{
	const unsigned char *p = s;
	size_t i = 0, k;

	while (i < n) {
		if (!(k = utf8_decode(p + i, n - i, NULL)))
			return false;
		i += k;
	}
	return true;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t k = max;

	if (len <= max)
		return len;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

void utf8_scrub(char *s)
{
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		k = utf8_decode(s + i, n - i, NULL);
		if (k == 0) {
			s[i] = '?';
			k = 1;
		}
		i += k;
	}
}
