/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_UTIL_PROGRESS_H
#define GS_UTIL_PROGRESS_H

/*
 * Progress of long work (sealing, verifying, decrypting or copying a large
 * file; a backup; a restore), counted where the bytes move and shown by
 * whoever watches: the command line draws a bar on a terminal
 * (cli/progress_bar.h); nothing else looks. No I/O here.
 *
 * One meter per process: a phase (a label and the bytes it will take, 0
 * if unknown) and the bytes done so far. progress_add() is lock-free and
 * may be called from any thread (the age pipeline's readers).
 */

#include <stdint.h>

/* Begins a phase: label is a static string ("sealing", "verifying"...). */
void progress_phase(const char *label, uint64_t total);
/* Counts n more bytes done in the current phase. */
void progress_add(uint64_t n);

struct progress_state {
	unsigned phase;      /* changes with every progress_phase() */
	const char *label;   /* NULL before the first phase */
	uint64_t total;      /* 0: unknown */
	uint64_t done;
};
void progress_get(struct progress_state *out);

/* Called at the start of every phase, from the thread that began it, with
 * the state of the phase that ended (its label NULL if none) and of the
 * one that begins; and when a phase's bytes reach its total, from the
 * thread that counted the last of them, with that phase and begun NULL.
 * One hook per process; NULL removes it. */
void progress_set_hook(void (*fn)(const struct progress_state *ended, const struct progress_state *begun));

#endif
