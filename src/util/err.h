/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_ERR_H
#define GS_ERR_H

/*
 * Errors. Every fallible function returns 0 on success or a negative
 * enum gs_err; outputs are set only on success. Functions that can say
 * more take a struct gs_diag and write one lowercase sentence into it,
 * quoting the subject and, for files, file:line:column:
 *
 *     agreement.txt:12:5: unknown party 'XYZ'
 *
 * A diag never holds secrets: callers must not format key bytes or
 * passphrases into it.
 */

#include <stdarg.h>
#include <stddef.h>

enum gs_err {
	GS_OK = 0,
	GS_EINVAL = -1,    /* malformed input */
	GS_ENOMEM = -2,    /* allocation failed */
	GS_EIO = -3,       /* file or database I/O failed */
	GS_ECRYPTO = -4,   /* signature, MAC or decryption failed */
	GS_ENOTFOUND = -5, /* unknown party, agreement, person... */
	GS_EEXIST = -6,    /* already exists */
	GS_EDENIED = -7,   /* a rule refused the action */
	GS_ESTATE = -8,    /* not allowed in the current state */
	GS_EUSAGE = -9,    /* bad command-line usage */
	GS_ELIMIT = -10,   /* a named cap (util/limits.h) was exceeded */
	GS_EINTERNAL = -11, /* a defect of this program: what should not happen did */
};

#define GS_DIAG_MAX 1024

struct gs_diag {
	char msg[GS_DIAG_MAX];
};

/* Returns a short constant name for an error code ("malformed input"). */
const char *gs_strerror(int err);

/* Formats into d (if d is non-NULL), replacing what it held. Returns err so
 * callers can write: return gs_diag_set(d, GS_EINVAL, "...", ...); */
int gs_diag_set(struct gs_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the current message with "prefix: " (e.g. a file name), or
 * with "prefix:" when the message starts with a line number, so that a
 * parser's "12:5: what" becomes "file.txt:12:5: what". */
void gs_diag_prefix(struct gs_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void gs_diag_clear(struct gs_diag *d);

#endif
