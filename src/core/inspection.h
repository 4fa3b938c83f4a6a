/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_INSPECTION_H
#define GS_CORE_INSPECTION_H

/*
 * Contractors' periodic security inspections (Art 16(g); docs/rules.md
 * "Contractors"): the receiving party inspects each contractor facility
 * when it is cleared and then at the interval the agreement sets
 * (`inspection-interval`). Access at a contractor facility whose next
 * inspection has fallen due is refused (access.inspection-overdue) until
 * the inspection is recorded. Pure: plain values and an instant.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/decide.h"
#include "core/person.h"
#include "core/time.h"

/* When the next periodic inspection of f falls due: its latest
 * inspection (periodic, else initial) plus interval_days. NONE when f is
 * not a contractor facility, the interval is 0 (none set), or no
 * inspection was ever recorded (the initial inspection rule,
 * access.contractor, refuses that case). */
gs_instant inspection_due(const struct facility *f, int interval_days);

/* True if the next inspection of f is due at or before at. */
bool inspection_overdue(const struct facility *f, int interval_days, gs_instant at);

/* Refuses with access.inspection-overdue, naming f, when it was due and
 * the interval (shown in zone). Returns GS_EDENIED. */
int inspection_deny(const struct facility *f, int interval_days, int32_t zone, struct decision *d);

/* The sentence of access.inspection-overdue (decision_reason() calls it;
 * t is d->t formatted). */
int inspection_reason(const struct decision *d, const char *t, char *buf, size_t cap);

#endif
