/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_COMMON_H
#define GS_CLI_COMMON_H

/* What every command shares: the home, the passphrase, errors, JSON. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/time.h"
#include "node/node.h"
#include "node/record.h"
#include "util/err.h"

/* Prints "gsomia: <msg>" on stderr and returns the exit status for err
 * (1 for a refusal or failure, 2 for bad usage). */
int fail(int err, const struct gs_diag *d);
int failf(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The passphrase: $GSOMIA_PASSPHRASE, else --passphrase-file, else a
 * prompt on the terminal. The buffer is guarded memory; free it with
 * passphrase_free(). */
int passphrase_get(const char *file, bool confirm, char **out, size_t *len, struct gs_diag *d);
void passphrase_free(char *p, size_t len);
/* Removes the variable name from the environment and wipes its bytes
 * where the C library keeps them ("NAME=value"), so that a long-running
 * process (gsomia serve) no longer shows a secret it was given in
 * /proc/PID/environ, nor passes it on. Call it before any thread starts. */
void env_forget(const char *name);
/* The same for another secret: $envname, else file, else a prompt
 * "what: " on the terminal; free it with passphrase_free(). */
int secret_get(const char *envname, const char *what, const char *file, bool confirm, char **out,
	       size_t *len, struct gs_diag *d);

/* Opens the node at --home (or its defaults). */
int open_node(const char *home_flag, struct node **out);
/* The same for a command that only reads: the database read-only, never
 * created, migrated nor written (node_open_read). */
int open_node_read(const char *home_flag, struct node **out);
/* Opens and unlocks (asks for the passphrase). */
int open_node_unlocked(const char *home_flag, const char *passfile, struct node **out);

/* Prints a JSON value on stdout (indented, keys in order) and frees it. */
void print_json(json_t *j);


/* Writes buf to path ("-" = stdout) atomically. */
int write_output(const char *path, const void *buf, size_t len);

#endif
