/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Members of an agreement over time (docs/lifecycle.md, "Members"): joins
 * at the entry into force or by accession, departures when a party's
 * notice takes effect. The lifecycle replay (core/lifecycle.c) drives it
 * note by note; nothing here reads a note or a clock.
 */
#include "core/lifecycle.h"

#include <string.h>

#include "util/banned.h"

const char *member_state_name(enum member_state s)
{
	switch (s) {
	case MEMBER_SIGNATORY: return "signatory";
	case MEMBER_ACCEDING: return "acceding";
	case MEMBER_IN_FORCE: return "in_force";
	case MEMBER_NOTICE_PENDING: return "notice_pending";
	case MEMBER_NOTICE_SUSPENDED: return "notice_suspended";
	case MEMBER_WITHDRAWN: return "withdrawn";
	case MEMBER_TERMINATED: return "terminated";
	}
	return "unknown";
}

bool member_state_allows_release(enum member_state s)
{
	return s == MEMBER_IN_FORCE || s == MEMBER_NOTICE_PENDING || s == MEMBER_NOTICE_SUSPENDED;
}

const struct lifecycle_member *lifecycle_member_find(const struct lifecycle_status *st,
						     const char *code)
{
	int i;

	if (!st || !code)
		return NULL;
	for (i = 0; i < st->nmembers && i < GS_MAX_PARTIES; i++)
		if (!strncmp(st->members[i].code, code, GS_MAX_CODE))
			return &st->members[i];
	return NULL;
}

void membership_init(struct membership *m, const char (*codes)[GS_MAX_CODE], int n)
{
	int p;

	if (n < 0)
		n = 0;
	if (n > GS_MAX_PARTIES)
		n = GS_MAX_PARTIES;
	m->norig = m->n = n;
	m->withdrawn = 0;
	for (p = 0; p < n; p++) {
		memcpy(m->code[p], codes[p], GS_MAX_CODE);
		m->code[p][GS_MAX_CODE - 1] = '\0';
		m->joined[p] = MEMBERSHIP_NEVER;
		m->left[p] = MEMBERSHIP_NEVER;
		m->accession_at[p] = GS_INSTANT_NONE;
		m->accepted_at[p] = MEMBERSHIP_NEVER;
		m->accepted_by[p] = 0;
	}
}

void membership_enter_into_force(struct membership *m, gs_instant eif)
{
	int p;

	for (p = 0; p < m->norig; p++)
		m->joined[p] = eif;
}

unsigned membership_mask_at(const struct membership *m, gs_instant t)
{
	unsigned mask = 0;
	int p;

	for (p = 0; p < m->n; p++)
		if (membership_is_member(m, p, t))
			mask |= 1u << p;
	return mask;
}

int membership_count_at(const struct membership *m, gs_instant t)
{
	int p, k = 0;

	for (p = 0; p < m->n; p++)
		k += membership_is_member(m, p, t);
	return k;
}

int membership_find(const struct membership *m, const char *code)
{
	int p;

	if (!code[0])
		return -1;
	for (p = 0; p < m->n; p++)
		if (!strncmp(m->code[p], code, GS_MAX_CODE))
			return p;
	return -1;
}

int membership_accede(struct membership *m, const char *code, gs_instant t)
{
	int p = m->n;
	size_t k;

	if (p >= GS_MAX_PARTIES)
		return -1;
	memset(m->code[p], 0, GS_MAX_CODE);
	for (k = 0; k < GS_MAX_CODE - 1 && code[k]; k++)
		m->code[p][k] = code[k];
	m->joined[p] = MEMBERSHIP_NEVER;
	m->left[p] = MEMBERSHIP_NEVER;
	m->accession_at[p] = t;
	m->accepted_at[p] = MEMBERSHIP_NEVER;
	m->accepted_by[p] = 0;
	m->n++;
	return p;
}

bool membership_accession_pending(const struct membership *m, int p)
{
	return p >= m->norig && p < m->n && m->accepted_at[p] == MEMBERSHIP_NEVER &&
	       m->left[p] == MEMBERSHIP_NEVER;
}

bool membership_complete_accession(struct membership *m, int p, unsigned required, gs_instant t,
				   gs_instant from)
{
	if (!membership_accession_pending(m, p) || (m->accepted_by[p] & required) != required)
		return false;
	m->accepted_at[p] = t;
	m->joined[p] = from > t ? from : t;
	return true;
}

void membership_leave(struct membership *m, int p, gs_instant t, bool own)
{
	m->left[p] = t;
	if (own)
		m->withdrawn |= 1u << p;
}

void membership_end(struct membership *m, gs_instant t)
{
	int p;

	for (p = 0; p < m->n; p++) {
		if (membership_is_member(m, p, t))
			m->left[p] = t;
		else if (m->left[p] == MEMBERSHIP_NEVER && m->joined[p] != MEMBERSHIP_NEVER)
			m->joined[p] = MEMBERSHIP_NEVER; /* would have joined later: never does */
		if (m->left[p] == t)
			m->withdrawn &= ~(1u << p); /* its notice ended the agreement */
	}
}
