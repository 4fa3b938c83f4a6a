/* SPDX-License-Identifier: Apache-2.0 */
#include <stdatomic.h>
#include <stddef.h>

#include "util/progress.h"
#include "util/banned.h"

static _Atomic unsigned phase;
static _Atomic(const char *) label;
static _Atomic uint64_t total, done;
static void (*_Atomic hook)(const struct progress_state *ended, const struct progress_state *begun);

void progress_phase(const char *l, uint64_t t)
{
	void (*fn)(const struct progress_state *, const struct progress_state *) = atomic_load(&hook);
	struct progress_state ended, begun;

	progress_get(&ended);
	atomic_store(&done, 0);
	atomic_store(&total, t);
	atomic_store(&label, l);
	atomic_fetch_add(&phase, 1);
	if (fn) {
		progress_get(&begun);
		fn(&ended, &begun);
	}
}

void progress_add(uint64_t n)
{
	uint64_t before = atomic_fetch_add_explicit(&done, n, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&total, memory_order_relaxed);
	void (*fn)(const struct progress_state *, const struct progress_state *);
	struct progress_state st;

	/* the phase has just completed: say so at once, before the caller
	 * goes on to print anything */
	if (t && before < t && before + n >= t && (fn = atomic_load(&hook))) {
		progress_get(&st);
		fn(&st, NULL);
	}
}

void progress_get(struct progress_state *out)
{
	out->phase = atomic_load(&phase);
	out->label = atomic_load(&label);
	out->total = atomic_load(&total);
	out->done = atomic_load_explicit(&done, memory_order_relaxed);
}

void progress_set_hook(void (*fn)(const struct progress_state *ended, const struct progress_state *begun))
{
	atomic_store(&hook, fn);
}
