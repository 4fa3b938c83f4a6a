/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_DECISION_KIT_H
#define GS_CORE_DECISION_KIT_H

/*
 * The few steps every decide_*() takes on its struct decision (start
 * refused, keep a value for the sentence, end with a rule), for the rule
 * modules beside core/decide.c (visit.c, keyhistory.c, inspection.c), so
 * that they fill a decision exactly as decide.c does. Internal to core/.
 */

#include <stdbool.h>
#include <string.h>

#include "core/decide.h"
#include "util/utf8.h"

/* Resets d to "refused: invalid input" (GS_EINVAL): what a decision says
 * until a rule decides. */
static inline int kit_begin(struct decision *d)
{
	d->permit = false;
	d->rule = RULE_INVALID;
	d->rule_id = decide_rule_id(RULE_INVALID);
	d->n = 0;
	d->t = GS_INSTANT_NONE;
	d->zone = 0;
	for (int i = 0; i < GS_DECISION_ARGS; i++)
		d->arg[i][0] = '\0';
	return GS_EINVAL;
}

/* Keeps s as argument i, cut on a UTF-8 boundary. */
static inline void kit_put(struct decision *d, int i, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "";
	while (n < GS_DECISION_ARG - 1 && s[n])
		n++;
	if (s[n]) /* longer: cut without splitting a character */
		n = utf8_cut(s, n + 1, n);
	memcpy(d->arg[i], s, n);
	d->arg[i][n] = '\0';
}

static inline int kit_deny(struct decision *d, enum decide_rule r)
{
	d->permit = false;
	d->rule = r;
	d->rule_id = decide_rule_id(r);
	return GS_EDENIED;
}

static inline int kit_permit(struct decision *d, enum decide_rule r)
{
	d->permit = true;
	d->rule = r;
	d->rule_id = decide_rule_id(r);
	return 0;
}

#endif
