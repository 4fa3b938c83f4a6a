/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_RESTORE_VIEW_H
#define GS_CLI_RESTORE_VIEW_H

/* The restorations of a peer's log that this node received (node/restore.h),
 * as 'gsomia ledger peers' and 'gsomia restore status' show them
 * (cli/cmd_backup.c). */

#include <jansson.h>
#include <stdio.h>

#include "node/node.h"
#include "node/restore.h"

/* One line on a restoration. */
void restoration_print(FILE *f, const char *indent, const struct restoration *r);
/* The restorations peer notified this node of: printed (one line each),
 * or as a JSON array. */
int restorations_print(struct node *n, const char *peer, FILE *f, const char *indent, struct gs_diag *d);
json_t *restorations_json(struct node *n, const char *peer, struct gs_diag *d);

#endif
