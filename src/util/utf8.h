/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_UTF8_H
#define GS_UTF8_H

/*
 * The one UTF-8 decoder. Strict, as RFC 3629 §3 and §4 require of a
 * reader: a sequence is the shortest encoding of a Unicode scalar value,
 * so overlong forms (C0 80), surrogates (ED A0 80, U+D800..U+DFFF), code
 * points past U+10FFFF (F4 90 80 80) and a sequence cut short are all
 * refused. What a format allows beyond that (control characters, spaces,
 * bidirectional controls) is the format's rule, decided by its parser on
 * the code point this returns. Pure: no allocation, no I/O.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_MAX 0x10ffffu /* the last code point */

/* Decodes the sequence at s (n bytes available, n may be 0). Returns its
 * length, 1 to 4, and the code point in *cp (cp may be NULL), or 0 if
 * the bytes are not a well-formed sequence. A NUL byte decodes as U+0000. */
size_t utf8_decode(const void *s, size_t n, uint32_t *cp);

/* Whether all of s[0..n) is well-formed UTF-8. */
bool utf8_valid(const void *s, size_t n);

/* The length of s[0..len) cut to at most max bytes without splitting a
 * character: len if it fits, else max moved back to the start of the
 * character it would split. For text that is valid UTF-8. */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* Replaces each byte of the C string s that is not part of a well-formed
 * sequence with '?', in place: for a message that may quote what a caller
 * sent and must itself be UTF-8 (a JSON string). */
void utf8_scrub(char *s);

#endif
