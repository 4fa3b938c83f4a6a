/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_OUTFILE_H
#define GS_OUTFILE_H

/*
 * Where an output goes (docs/commands.md, "Output files").
 *
 * A regular file, or a path that does not exist yet, is written to a
 * temporary file beside it, synced and renamed into place: a reader never
 * sees half a file, and a failure leaves whatever was there before.
 * Anything else that already exists — a device such as /dev/null, a FIFO,
 * a terminal, a socket — is written in place, without a temporary file, a
 * rename, a sync or a change of mode: renaming over it would replace the
 * device with a regular file. "-" is standard output.
 *
 *     struct outfile o;
 *     if ((ret = outfile_open(&o, path, 0644, d)))
 *             return ret;
 *     ret = outfile_write(&o, buf, len, d);
 *     return ret ? (outfile_abort(&o), ret) : outfile_commit(&o, d);
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/limits.h"

struct outfile {
	int fd;
	bool in_place; /* standard output, a device, a FIFO... */
	char path[GS_PATH_MAX];
	char tmp[GS_PATH_MAX + 32]; /* path.tmp.PID.N */
};

/* Opens path for writing as above; mode applies to a new regular file. */
int outfile_open(struct outfile *o, const char *path, int mode, struct gs_diag *d);
/* Writes all of buf (retrying short writes). */
int outfile_write(struct outfile *o, const void *buf, size_t len, struct gs_diag *d);
/* Finishes: a regular file is synced and renamed into place. On failure
 * the temporary file is removed and the old file is left as it was. */
int outfile_commit(struct outfile *o, struct gs_diag *d);
/* Gives up: closes and removes the temporary file (nothing is renamed). */
void outfile_abort(struct outfile *o);

#endif
