/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_PROGRESS_BAR_H
#define GS_CLI_PROGRESS_BAR_H

/*
 * The progress bar of long commands (docs/commands.md "Progress"): the
 * phases counted by util/progress.h, drawn on standard error with the
 * rate and the time left,
 *
 *     sealing    [##########..........]  52%  104.0 MiB  412.3 MiB/s  0:01 left
 *
 * only when standard error is a terminal, never with --json, and only for
 * a phase that has run longer than a second (GSOMIA_PROGRESS_AFTER=MS
 * sets another delay; 0 draws every phase). A phase that was drawn ends
 * with its last frame on a line of its own ("done in 0:03").
 */

#include <stdbool.h>

/* Starts drawing if standard error is a terminal and json is false. */
void progress_bar_start(bool json);
/* Ends the current phase's line and stops drawing. */
void progress_bar_stop(void);

/* One frame, for tests: label, bytes done and total (0: unknown),
 * seconds elapsed, whether the phase ended, the terminal's width. */
void progress_bar_frame(char *out, unsigned long cap, const char *label, unsigned long long done,
			unsigned long long total, double seconds, bool ended, unsigned cols);

#endif
