/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_FILE_H
#define GS_FILE_H

/*
 * Whole files, and the few system-call loops every writer needs, once:
 * a read capped at a named size, an atomic replace (util/outfile.h), a new
 * file that never replaces one, a write that finishes, a directory synced
 * after a name in it changed. Every function says what failed and where in
 * d ("PATH: reason"), never what the file holds.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Reads all of path, at most cap bytes, into a new buffer with a NUL
 * after the last byte (not counted in *len); the caller frees *out.
 * GS_ENOTFOUND if there is no such file, GS_ELIMIT if it is larger than
 * cap, GS_EIO otherwise. */
int read_file(const char *path, size_t cap, uint8_t **out, size_t *len, struct gs_diag *d);

/* Writes path as a whole (util/outfile.h: a temporary file, synced and
 * renamed into place; "-" is standard output; a device is written in
 * place). mode applies to a new file. */
int write_file_atomic(const char *path, const void *buf, size_t len, int mode, struct gs_diag *d);

/* Makes path, which must not exist (GS_EEXIST), writes buf and syncs it.
 * On failure nothing is left at path. */
int write_file_new(const char *path, const void *buf, size_t len, int mode, struct gs_diag *d);

/* Writes all of buf to fd, retrying short and interrupted writes. 0, or
 * GS_EIO with errno set (EIO if the file took no more bytes). */
int write_all(int fd, const void *buf, size_t len);

/* Syncs the directory dir, so that a name made, renamed or removed in it
 * survives a crash. 0, or GS_EIO with errno set. */
int fsync_dir(const char *dir);

#endif
