/* SPDX-License-Identifier: Apache-2.0 */
#include "core/inspection.h"

#include <stdio.h>

#include "core/decision_kit.h"
#include "util/banned.h"

gs_instant inspection_due(const struct facility *f, int interval_days)
{
	gs_instant last;

	if (!f || !f->contractor || interval_days <= 0)
		return GS_INSTANT_NONE;
	last = f->periodic_inspection != GS_INSTANT_NONE ? f->periodic_inspection : f->initial_inspection;
	if (f->periodic_inspection != GS_INSTANT_NONE && f->initial_inspection != GS_INSTANT_NONE &&
	    f->initial_inspection > last)
		last = f->initial_inspection;
	if (last == GS_INSTANT_NONE)
		return GS_INSTANT_NONE;
	return last + (gs_instant)interval_days * 86400;
}

bool inspection_overdue(const struct facility *f, int interval_days, gs_instant at)
{
	gs_instant due = inspection_due(f, interval_days);

	return due != GS_INSTANT_NONE && at >= due;
}

int inspection_deny(const struct facility *f, int interval_days, int32_t zone, struct decision *d)
{
	kit_put(d, 0, f->id);
	d->n = interval_days;
	d->t = inspection_due(f, interval_days);
	d->zone = zone;
	return kit_deny(d, RULE_ACCESS_INSPECTION);
}

int inspection_reason(const struct decision *d, const char *t, char *buf, size_t cap)
{
	return snprintf(buf, cap, "refused: contractor facility '%s' is overdue for its periodic security "
			"inspection (due %s, every %d days; Art 16(g))", d->arg[0], t, d->n);
}
