/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_ASSETS_H
#define GS_CLI_ASSETS_H

/*
 * Where gsomia's data is (the demo's scripts, the examples): beside the
 * running binary as installed (BINDIR/../DATADIR/gsomia, found from
 * /proc/self/exe, so that an installed tree still works once moved or
 * staged under a DESTDIR), else the source tree it was built from (a
 * binary run from its build directory). The web console's files need no
 * finding: they are built into the binary (net/console.h).
 */

#include <stddef.h>

/* 0 and the directory in out, or -1 if neither place holds the data. */
int assets_dir(char *out, size_t cap);

/* The running binary's own path (for scripts that call it back). */
int assets_self(char *out, size_t cap);

#endif
