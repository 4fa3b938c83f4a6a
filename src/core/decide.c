/* SPDX-License-Identifier: Apache-2.0 */
#include "core/decide.h"
#include "core/inspection.h"
#include "core/keyhistory.h"
#include "core/visit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/*
 * Implementation notes. The lookups below (party index, annex version,
 * annex row, scheme rank, state test) mirror helpers that agreement.c,
 * party.c and lifecycle.c export; they are private here so that the
 * decisions depend only on the data layout and stay allocation-free and
 * cheap. A decision records a rule and copies of at most
 * GS_DECISION_ARGS short strings; decision_reason() builds the sentence.
 */

static const char *const rule_ids[RULE_COUNT_] = {
	[RULE_NONE] = "none",
	[RULE_RELEASE_IN_FORCE] = "release.in-force",
	[RULE_RELEASE_ARRANGEMENT] = "release.arrangement",
	[RULE_RELEASE_VERSION] = "release.version",
	[RULE_RELEASE_PARTY] = "release.party",
	[RULE_RELEASE_MEMBER] = "release.member",
	[RULE_RELEASE_HOLDER] = "release.holder",
	[RULE_RELEASE_STATUS] = "release.status",
	[RULE_RELEASE_ANNEX] = "release.annex",
	[RULE_RELEASE_NEVER] = "release.never",
	[RULE_RELEASE_ANNEX_ROW] = "release.annex-row",
	[RULE_RELEASE_PROTECT_AS] = "release.protect-as",
	[RULE_RELEASE_NO_EQUIVALENT] = "release.no-equivalent",
	[RULE_RELEASE_SCOPE_PURPOSE] = "release.scope-purpose",
	[RULE_RELEASE_SCOPE_TOPIC] = "release.scope-topic",
	[RULE_RELEASE_CONSENT] = "release.originator-consent",
	[RULE_RELEASE_CONSENT_EXPIRED] = "release.originator-consent-expired",
	[RULE_RELEASE_PERMIT] = "release.permit",
	[RULE_MARKING_PARTY] = "marking.party",
	[RULE_MARKING_NEVER] = "marking.never",
	[RULE_MARKING_ANNEX] = "marking.annex",
	[RULE_MARKING_NO_EQUIVALENT] = "marking.no-equivalent",
	[RULE_MARKING_PERMIT] = "marking.permit",
	[RULE_ACCESS_STATUS] = "access.status",
	[RULE_ACCESS_AGREEMENT] = "access.agreement",
	[RULE_ACCESS_HOLDER] = "access.holder",
	[RULE_ACCESS_FACILITY] = "access.facility",
	[RULE_ACCESS_CONTRACTOR] = "access.contractor",
	[RULE_ACCESS_REGISTER] = "access.facility-register",
	[RULE_ACCESS_NATIONALITY] = "access.nationality",
	[RULE_ACCESS_DUAL_NATIONAL] = "access.dual-national",
	[RULE_ACCESS_THIRD_COUNTRY] = "access.third-country",
	[RULE_ACCESS_CONSENT_EXPIRED] = "access.consent-expired",
	[RULE_ACCESS_PSC_EMPLOYER] = "access.psc-employer",
	[RULE_ACCESS_PSC_NONE] = "access.psc-none",
	[RULE_ACCESS_PSC_EXPIRED] = "access.psc-expired",
	[RULE_ACCESS_LEVEL_UNKNOWN] = "access.level-unknown",
	[RULE_ACCESS_PSC_LEVEL] = "access.psc-level",
	[RULE_ACCESS_NEED_TO_KNOW] = "access.need-to-know",
	[RULE_ACCESS_PERMIT] = "access.permit",
	[RULE_USE_STATUS] = "use.status",
	[RULE_USE_CONSENT] = "use.purpose-consent",
	[RULE_USE_CONSENT_EXPIRED] = "use.purpose-consent-expired",
	[RULE_USE_PERMIT] = "use.permit",
	[RULE_ONWARD_STATUS] = "onward.status",
	[RULE_ONWARD_ROUTE] = "onward.route",
	[RULE_ONWARD_TOPIC_GATE] = "onward.topic-gate",
	[RULE_ONWARD_ORIGINATOR] = "onward.originator",
	[RULE_ONWARD_CONSENT] = "onward.consent",
	[RULE_ONWARD_CONSENT_EXPIRED] = "onward.consent-expired",
	[RULE_ONWARD_PERMIT] = "onward.permit",
	[RULE_RECLASSIFY_ORIGINATOR_ONLY] = "reclassify.originator-only",
	[RULE_RECLASSIFY_STATUS] = "reclassify.status",
	[RULE_RECLASSIFY_ORIGINAL] = "reclassify.original",
	[RULE_RECLASSIFY_SAME] = "reclassify.same",
	[RULE_RECLASSIFY_LABEL] = "reclassify.label",
	[RULE_RECLASSIFY_PERMIT] = "reclassify.permit",
	[RULE_RECLASSIFY_SIGNATURE] = "reclassify.signature",
	[RULE_RECLASSIFY_ITEM] = "reclassify.item",
	[RULE_RECLASSIFY_FORWARD] = "reclassify.forward",
	[RULE_RECLASSIFY_AGREEMENT] = "reclassify.agreement",
	[RULE_RECLASSIFY_INSTANT] = "reclassify.instant",
	[RULE_RECLASSIFY_STALE] = "reclassify.stale",
	[RULE_CUSTODY_STATUS] = "custody.status",
	[RULE_CUSTODY_RETURN] = "custody.return",
	[RULE_CUSTODY_WITNESS] = "custody.witness",
	[RULE_CUSTODY_COPIES] = "custody.copies",
	[RULE_CUSTODY_PERMIT] = "custody.permit",
	[RULE_TRANSLATE_ORIGINATOR] = "translate.originator",
	[RULE_TRANSLATE_ROLE] = "translate.role",
	[RULE_TRANSLATE_PSC] = "translate.psc",
	[RULE_TRANSLATE_PERMIT] = "translate.permit",
	[RULE_CONTRACTOR_CHECKLIST] = "contractor.checklist",
	[RULE_CONTRACTOR_INSPECTION] = "contractor.inspection",
	[RULE_CONTRACTOR_PERMIT] = "contractor.permit",
	[RULE_INVALID] = "invalid-input",
	/* rules decided in sibling modules (inspection.c, visit.c, keyhistory.c) */
	[RULE_ACCESS_INSPECTION] = "access.inspection-overdue",
	[RULE_VISIT_IN_FORCE] = "visit.in-force",
	[RULE_VISIT_PARTY] = "visit.party",
	[RULE_VISIT_HOST] = "visit.host",
	[RULE_VISIT_FACILITY] = "visit.facility",
	[RULE_VISIT_DATES] = "visit.dates",
	[RULE_VISIT_LEAD_TIME] = "visit.lead-time",
	[RULE_VISIT_LEVEL] = "visit.level",
	[RULE_VISIT_PERSONS] = "visit.persons",
	[RULE_VISIT_ADMISSIBLE] = "visit.admissible",
	[RULE_VISIT_STATUS] = "visit.status",
	[RULE_VISIT_ORIGINATOR] = "visit.originator",
	[RULE_VISIT_PERSON] = "visit.person",
	[RULE_VISIT_APPROVED] = "visit.approved",
	[RULE_VISIT_WHERE] = "visit.where",
	[RULE_VISIT_WHEN] = "visit.when",
	[RULE_VISIT_NATIONALITY] = "visit.nationality",
	[RULE_VISIT_PSC] = "visit.psc",
	[RULE_VISIT_LEVEL_CAP] = "visit.level-cap",
	[RULE_VISIT_NEED_TO_KNOW] = "visit.need-to-know",
	[RULE_VISIT_PERMIT] = "visit.permit",
	[RULE_KEY_UNKNOWN] = "key.unknown",
	[RULE_KEY_COMPROMISED] = "key.compromised",
	[RULE_KEY_PERMIT] = "key.permit",
	[RULE_ROTATION_PARTY] = "rotation.party",
	[RULE_ROTATION_OLD_KEY] = "rotation.old-key",
	[RULE_ROTATION_NEW_KEY] = "rotation.new-key",
	[RULE_ROTATION_ORDER] = "rotation.order",
	[RULE_ROTATION_COMPROMISED] = "rotation.compromised",
	[RULE_ROTATION_PERMIT] = "rotation.permit",
	[RULE_COMPROMISE_PARTY] = "compromise.party",
	[RULE_COMPROMISE_UNKNOWN_KEY] = "compromise.unknown-key",
	[RULE_COMPROMISE_FUTURE] = "compromise.future",
	[RULE_COMPROMISE_KNOWN] = "compromise.known",
	[RULE_COMPROMISE_PERMIT] = "compromise.permit",
};

const char *decide_rule_id(enum decide_rule r)
{
	if ((int)r < 0 || r >= RULE_COUNT_ || !rule_ids[r])
		return "unknown";
	return rule_ids[r];
}

/* ---- small private lookups ------------------------------------------- */

/* Inline: the strings compared here are short (codes, labels, ids) and
 * usually differ early, so a call to strcmp costs more than the loop. */
static inline bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Copies s into a decision argument, truncating on a UTF-8 boundary.
 * One pass, byte by byte: the values are short, and a library memcpy
 * (rep movs) costs more to start than the copy itself. */
static void put(struct decision *d, int i, const char *s)
{
	char *o = d->arg[i];
	size_t n = 0;

	if (!s)
		s = "";
	while (n < GS_DECISION_ARG - 1 && s[n]) {
		o[n] = s[n];
		n++;
	}
	if (s[n]) /* truncated: do not cut a multi-byte sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	o[n] = '\0';
}

int decide_error(int ret)
{
	return ret == GS_EDENIED ? 0 : ret;
}

static int begin(struct decision *d)
{
	d->permit = false;
	d->rule = RULE_INVALID;
	d->rule_id = rule_ids[RULE_INVALID];
	d->n = 0;
	d->t = GS_INSTANT_NONE;
	d->zone = 0;
	for (int i = 0; i < GS_DECISION_ARGS; i++)
		d->arg[i][0] = '\0';
	return GS_EINVAL;
}

static int deny(struct decision *d, enum decide_rule r)
{
	d->permit = false;
	d->rule = r;
	d->rule_id = rule_ids[r];
	return GS_EDENIED;
}

static int permit(struct decision *d, enum decide_rule r)
{
	d->permit = true;
	d->rule = r;
	d->rule_id = rule_ids[r];
	return 0;
}

static int party_at(const struct agreement *a, const char *code)
{
	for (int i = 0; i < a->nparties && i < GS_MAX_PARTIES; i++)
		if (streq(a->parties[i], code))
			return i;
	return -1;
}

/* The annex version in effect on local day: the latest effective <= day. */
static const struct annex_version *annex_on(const struct agreement *a, struct gs_date day)
{
	const struct annex_version *best = NULL;

	for (int i = 0; i < a->nannex && i < GS_MAX_ANNEX_VERSIONS; i++) {
		const struct annex_version *v = &a->annex[i];

		if (date_cmp(v->effective, day) <= 0 &&
		    (!best || date_cmp(v->effective, best->effective) >= 0))
			best = v;
	}
	return best;
}

static bool on_never_list(const struct annex_version *v, int party, const char *label)
{
	for (int i = 0; i < v->nnever && i < GS_MAX_NEVER; i++)
		if (v->never[i].party == party && streq(v->never[i].label, label))
			return true;
	return false;
}

/* Row of party's label in v, or -1. */
static int row_of(const struct annex_version *v, int party, const char *label)
{
	if (party < 0 || party >= GS_MAX_PARTIES)
		return -1;
	for (int r = 0; r < v->nrows && r < GS_MAX_ANNEX_ROWS; r++) {
		const struct annex_cell *c = &v->rows[r].cells[party];

		for (int k = 0; k < c->nlabels && k < GS_MAX_LABELS_PER_CELL; k++)
			if (streq(c->labels[k], label))
				return r;
	}
	return -1;
}

static int row_named(const struct annex_version *v, const char *level)
{
	for (int r = 0; r < v->nrows && r < GS_MAX_ANNEX_ROWS; r++)
		if (streq(v->rows[r].level, level))
			return r;
	return -1;
}

/* Rank of label in scheme s (nlevels - index; 0 if absent). */
static int rank_in(const struct scheme *s, const char *label)
{
	for (int i = 0; i < s->nlevels && i < GS_MAX_SCHEME_LEVELS; i++)
		if (streq(s->levels[i].label, label))
			return s->nlevels - i;
	return 0;
}

static bool releasable_state(enum agreement_state s)
{
	return s == STATE_IN_FORCE || s == STATE_NOTICE_PENDING || s == STATE_NOTICE_SUSPENDED;
}

static const char *state_str(enum agreement_state s)
{
	switch (s) {
	case STATE_DRAFT: return "draft";
	case STATE_SIGNED: return "signed";
	case STATE_IN_FORCE: return "in_force";
	case STATE_NOTICE_PENDING: return "notice_pending";
	case STATE_NOTICE_SUSPENDED: return "notice_suspended";
	case STATE_TERMINATED: return "terminated";
	}
	return "unknown";
}

static bool in_scope(int n, const char (*list)[GS_MAX_NAME], const char *s)
{
	if (n <= 0)
		return true; /* 0 = any */
	for (int i = 0; i < n && i < GS_MAX_SCOPE; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

static bool item_named(const struct item *it, const char *id)
{
	return streq(it->id, id) || (it->copy_of[0] && streq(it->copy_of, id)) ||
	       (it->translation_of[0] && streq(it->translation_of, id));
}

/*
 * Finds a consent of kind from the item's originator that names the item
 * (or its topic), is given to holder (or to any holder), names third
 * (unless third is NULL) and purpose, and is granted and unexpired at
 * at. Returns it, or NULL; then *stale is one that matched in every way
 * but its validity period (expired or not yet granted), if any.
 */
static const struct consent *find_consent(const struct consent *cs, size_t n,
					  enum consent_kind kind, const struct item *it,
					  const char *holder, const char *third,
					  const char *purpose, gs_instant at,
					  const struct consent **stale)
{
	*stale = NULL;
	if (!cs)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct consent *c = &cs[i];

		if (c->kind != kind || !c->granted || !streq(c->originator, it->originator))
			continue;
		if (c->item[0] ? !item_named(it, c->item) : !(c->topic[0] && streq(c->topic, it->topic)))
			continue;
		if (c->holder[0] && !streq(c->holder, holder))
			continue;
		if (third && !streq(c->third_party, third))
			continue;
		if (!streq(c->purpose, purpose))
			continue;
		if (c->expires == GS_INSTANT_NONE)
			continue; /* a consent must name an expiry */
		if ((c->granted_at != GS_INSTANT_NONE && at < c->granted_at) || at >= c->expires) {
			*stale = c;
			continue;
		}
		return c;
	}
	return NULL;
}

static const char *name_of(const struct party *p, const char *code)
{
	return p && p->name[0] ? p->name : code;
}

/* ---- release --------------------------------------------------------- */

/* Whether party code may release or receive under the agreement at the
 * instant of st: its membership (lifecycle_at). A status without members
 * (none computed) leaves the agreement's state alone to decide. If not,
 * d names the party, its state and the instant it left or joins. */
static bool member_at(const struct lifecycle_status *st, const char *code, struct decision *d)
{
	const struct lifecycle_member *m = NULL;

	if (st->nmembers <= 0)
		return true;
	for (int i = 0; i < st->nmembers && i < GS_MAX_PARTIES; i++)
		if (streq(st->members[i].code, code))
			m = &st->members[i];
	if (m && member_state_allows_release(m->state))
		return true;
	put(d, 1, code);
	d->n = m ? (int)m->state : -1;
	d->t = !m ? GS_INSTANT_NONE : m->left_at != GS_INSTANT_NONE ? m->left_at : m->joined_at;
	return false;
}

int decide_release(const struct agreement *a, const struct lifecycle_status *st,
		   const struct party *originator_party, const struct party *recipient_party,
		   const struct holding *h, const char *releasing, const char *recipient,
		   const struct consent *consents, size_t nconsents, gs_instant at,
		   struct decision *d)
{
	const struct item *it;
	const struct annex_version *v;
	const struct annex_cell *cell;
	const struct consent *c, *stale;
	const char *label = NULL;
	int ri, ci, row = -1;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!a || !st || !h || !releasing || !recipient)
		return GS_EINVAL;
	it = &h->item;
	d->zone = a->zone;
	put(d, 0, a->id);

	/* 1. in force at the release instant (Art 21; survival: never after) */
	if (!releasable_state(st->state)) {
		d->n = (int)st->state;
		d->t = st->state == STATE_TERMINATED ? st->terminates_at : at;
		return deny(d, RULE_RELEASE_IN_FORCE);
	}
	/* 2. an arrangement carries nothing itself: its legs run under agreements */
	if (a->kind == AGREEMENT_ARRANGEMENT)
		return deny(d, RULE_RELEASE_ARRANGEMENT);
	/* 3. the version in effect is the one given */
	if (st->version > 0 && st->version != a->version) {
		d->n = st->version;
		snprintf(d->arg[1], sizeof(d->arg[1]), "%d", a->version);
		return deny(d, RULE_RELEASE_VERSION);
	}
	/* 3. both sides are parties, and distinct */
	ri = party_at(a, releasing);
	ci = party_at(a, recipient);
	if (ri < 0 || ci < 0 || ri == ci) {
		put(d, 1, ri < 0 ? releasing : recipient);
		d->n = ri >= 0 && ri == ci;
		return deny(d, RULE_RELEASE_PARTY);
	}
	/* 3b. both are members at the instant (multilateral: a party that
	 *     left, or has not yet acceded, is out; docs/lifecycle.md) */
	if (!member_at(st, releasing, d) || !member_at(st, recipient, d))
		return deny(d, RULE_RELEASE_MEMBER);
	put(d, 1, it->id);
	/* 4. the releasing party holds the item */
	if (!streq(h->holder, releasing)) {
		put(d, 2, releasing);
		put(d, 3, h->holder);
		return deny(d, RULE_RELEASE_HOLDER);
	}
	/* 5. the holding is active */
	if (h->status != ITEM_ACTIVE) {
		put(d, 2, item_status_name(h->status));
		return deny(d, RULE_RELEASE_STATUS);
	}
	/* 6. an annex is in effect on the local day */
	v = annex_on(a, date_of_instant(at, a->zone));
	if (!v) {
		d->t = at;
		return deny(d, RULE_RELEASE_ANNEX);
	}
	/* 7-8. the releasing side's label: never-list, then its own row (never rounded) */
	if (streq(releasing, it->originator)) {
		label = it->label;
		if (on_never_list(v, ri, label)) {
			put(d, 2, label);
			return deny(d, RULE_RELEASE_NEVER);
		}
		row = row_of(v, ri, label);
	} else {
		for (int k = 0; k < h->marking.nlabels && k < GS_MAX_MARK_LABELS; k++) {
			const char *l = h->marking.labels[k];

			if (on_never_list(v, ri, l)) {
				put(d, 2, l);
				return deny(d, RULE_RELEASE_NEVER);
			}
			if (row < 0 && (row = row_of(v, ri, l)) >= 0)
				label = l;
		}
		if (!label)
			label = h->marking.nlabels > 0 ? h->marking.labels[0] : it->label;
	}
	if (row < 0) {
		put(d, 2, label);
		put(d, 3, releasing);
		return deny(d, RULE_RELEASE_ANNEX_ROW);
	}
	put(d, 2, label);
	put(d, 3, v->rows[row].level);
	/* 9. a protect-as cell receives but never releases */
	cell = &v->rows[row].cells[ri];
	if (cell->protect_as)
		return deny(d, RULE_RELEASE_PROTECT_AS);
	/* 10. the recipient has an equivalent (or protects as one) */
	cell = &v->rows[row].cells[ci];
	if (cell->nlabels <= 0) {
		put(d, 3, name_of(recipient_party, recipient));
		return deny(d, RULE_RELEASE_NO_EQUIVALENT);
	}
	/* 11-12. purpose and topic in scope */
	if (!in_scope(a->rules.npurposes, a->rules.purposes, it->purpose)) {
		put(d, 2, it->purpose);
		return deny(d, RULE_RELEASE_SCOPE_PURPOSE);
	}
	if (!in_scope(a->rules.ntopics, a->rules.topics, it->topic)) {
		put(d, 2, it->topic);
		return deny(d, RULE_RELEASE_SCOPE_TOPIC);
	}
	/* 13. a non-originator needs the originator's consent for this recipient
	 *     (not to give the item back to the originator) */
	if (!streq(releasing, it->originator) && !streq(recipient, it->originator)) {
		c = find_consent(consents, nconsents, CONSENT_ONWARD, it, releasing, recipient,
				 it->purpose, at, &stale);
		if (!c) {
			put(d, 0, releasing);
			put(d, 2, name_of(originator_party, it->originator));
			put(d, 3, recipient);
			if (stale) {
				put(d, 0, stale->id);
				d->t = stale->expires;
				d->n = at < stale->expires; /* 1 = not yet granted */
				if (d->n)
					d->t = stale->granted_at;
				return deny(d, RULE_RELEASE_CONSENT_EXPIRED);
			}
			return deny(d, RULE_RELEASE_CONSENT);
		}
	}
	put(d, 3, recipient);
	return permit(d, RULE_RELEASE_PERMIT);
}

/* ---- marking --------------------------------------------------------- */

static void mark_add(struct marking *m, const char *label)
{
	size_t n = strlen(label);

	if (m->nlabels >= GS_MAX_MARK_LABELS || n >= GS_MAX_LABEL)
		return;
	memcpy(m->labels[m->nlabels++], label, n + 1);
}

int decide_marking(const struct agreement *a, const struct annex_version *v,
		   const struct party *originator, const struct party *holder,
		   const char *original_label, struct marking *m, struct decision *d)
{
	const struct annex_cell *cell;
	int oi, hi, row;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!m)
		return GS_EINVAL;
	memset(m, 0, sizeof(*m));
	if (!a || !originator || !holder || !original_label ||
	    strlen(original_label) >= GS_MAX_LABEL)
		return GS_EINVAL;
	put(d, 0, original_label);
	put(d, 1, originator->code);
	put(d, 2, holder->code);
	put(d, 3, a->id);
	if (!v)
		return deny(d, RULE_MARKING_ANNEX);
	oi = party_at(a, originator->code);
	hi = party_at(a, holder->code);
	if (oi < 0 || hi < 0) {
		d->n = oi < 0 ? 0 : 1;
		return deny(d, RULE_MARKING_PARTY);
	}
	if (on_never_list(v, oi, original_label))
		return deny(d, RULE_MARKING_NEVER);
	row = row_of(v, oi, original_label);
	if (row < 0)
		return deny(d, RULE_MARKING_NO_EQUIVALENT);
	snprintf(m->originator_name, sizeof(m->originator_name), "%s",
		 name_of(originator, originator->code));
	if (oi == hi) {
		mark_add(m, original_label);
		m->ncandidates = 1;
		memcpy(m->candidates[0], m->labels[0], sizeof(m->candidates[0]));
		put(d, 1, original_label);
		return permit(d, RULE_MARKING_PERMIT);
	}
	cell = &v->rows[row].cells[hi];
	if (cell->nlabels <= 0) {
		memset(m, 0, sizeof(*m));
		d->n = 1; /* the holder's cell is empty */
		return deny(d, RULE_MARKING_NO_EQUIVALENT);
	}
	for (int k = 0; k < cell->nlabels && k < GS_MAX_LABELS_PER_CELL; k++)
		memcpy(m->candidates[m->ncandidates++], cell->labels[k], GS_MAX_LABEL);
	m->protect_as = cell->protect_as;
	switch (a->rules.marking) {
	case MARKING_ORIGINATOR_DUAL:
		mark_add(m, original_label);
		mark_add(m, cell->labels[0]);
		break;
	case MARKING_KEEP_ORIGINAL:
		mark_add(m, original_label);
		break;
	case MARKING_RECIPIENT_CONVERTS:
	default:
		mark_add(m, cell->labels[0]);
		break;
	}
	put(d, 1, m->labels[m->nlabels - 1]);
	return permit(d, RULE_MARKING_PERMIT);
}

int marking_choose(struct marking *m, const char *label)
{
	bool candidate = false;

	if (!m || !label || strlen(label) >= GS_MAX_LABEL)
		return GS_EINVAL;
	for (int k = 0; k < m->ncandidates && k < GS_MAX_LABELS_PER_CELL; k++)
		if (streq(m->candidates[k], label))
			candidate = true;
	if (!candidate)
		return GS_EINVAL;
	for (int i = 0; i < m->nlabels && i < GS_MAX_MARK_LABELS; i++)
		for (int k = 0; k < m->ncandidates && k < GS_MAX_LABELS_PER_CELL; k++)
			if (streq(m->labels[i], m->candidates[k])) {
				memcpy(m->labels[i], label, strlen(label) + 1);
				return 0;
			}
	return GS_ESTATE;
}

/* ---- contractors ----------------------------------------------------- */

static int contractor_check(const struct facility *f, gs_instant at, struct decision *d,
			    enum decide_rule checklist_rule, enum decide_rule inspection_rule)
{
	uint32_t missing = FACILITY_CHECKLIST_ALL & ~f->checklist;

	if (missing) {
		char *s = d->arg[1];
		int k = 0;

		for (int i = 0; i < FACILITY_CHECKLIST_ITEMS; i++)
			if (missing & (1u << i)) {
				if (k)
					s[k++] = ',';
				s[k++] = (char)('a' + i);
			}
		s[k] = '\0';
		d->n = 0;
		return deny(d, checklist_rule);
	}
	if (f->initial_inspection == GS_INSTANT_NONE || f->initial_inspection > at) {
		d->t = f->initial_inspection;
		d->n = 1;
		return deny(d, inspection_rule);
	}
	return 0;
}

int decide_contractor(const struct facility *f, gs_instant at, struct decision *d)
{
	int rc;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!f)
		return GS_EINVAL;
	put(d, 0, f->id);
	if (f->contractor) {
		rc = contractor_check(f, at, d, RULE_CONTRACTOR_CHECKLIST, RULE_CONTRACTOR_INSPECTION);
		if (rc)
			return rc;
	}
	d->n = f->contractor;
	return permit(d, RULE_CONTRACTOR_PERMIT);
}

/* ---- access ---------------------------------------------------------- */

/* The holding's level as a rank in the holder's scheme: the highest of
 * the labels it shows that belong to that scheme; failing that (a kept
 * original label), the holder's cell of the item's annex row. */
static int holding_rank(const struct agreement *a, const struct party *holder,
			const struct holding *h, const struct annex_version *v,
			const char **label)
{
	int best = 0;

	*label = NULL;
	for (int k = 0; k < h->marking.nlabels && k < GS_MAX_MARK_LABELS; k++) {
		int r = rank_in(&holder->scheme, h->marking.labels[k]);

		if (r > best) {
			best = r;
			*label = h->marking.labels[k];
		}
	}
	if (best == 0 && streq(h->holder, h->item.originator)) {
		best = rank_in(&holder->scheme, h->item.label);
		if (best)
			*label = h->item.label;
	}
	if (best == 0 && v) {
		int oi = party_at(a, h->item.originator), hi = party_at(a, h->holder);
		int row = oi >= 0 && hi >= 0 ? row_of(v, oi, h->item.label) : -1;

		if (row >= 0) {
			const struct annex_cell *c = &v->rows[row].cells[hi];

			for (int k = 0; k < c->nlabels && k < GS_MAX_LABELS_PER_CELL; k++) {
				int r = rank_in(&holder->scheme, c->labels[k]);

				if (r > best) {
					best = r;
					*label = c->labels[k];
				}
			}
		}
	}
	return best;
}

static const struct annex_version *holding_annex(const struct agreement *a,
						 const struct holding *h, gs_instant at)
{
	gs_instant when = h->released_at != GS_INSTANT_NONE ? h->released_at : at;

	return annex_on(a, date_of_instant(when, a->zone));
}

/* True if the holding's annex row is below psc_from (no PSC needed). */
static bool below_psc_from(const struct agreement *a, const struct annex_version *v,
			   const struct holding *h)
{
	int oi, row, from;

	if (!v)
		return false;
	from = row_named(v, a->rules.psc_from);
	oi = party_at(a, h->item.originator);
	row = oi >= 0 ? row_of(v, oi, h->item.label) : -1;
	/* rows are most sensitive first: a larger index is a lower level */
	if (row < 0) { /* an originator outside this agreement (TISA): the holder's label */
		int hi = party_at(a, h->holder);

		for (int k = 0; hi >= 0 && row < 0 && k < h->marking.nlabels &&
				k < GS_MAX_MARK_LABELS; k++)
			row = row_of(v, hi, h->marking.labels[k]);
	}
	return from >= 0 && row >= 0 && row > from;
}

/* A refusal names the person and the item; copied only when refusing. */
static int access_deny(struct decision *d, const struct person *p, const struct holding *h,
		       enum decide_rule r)
{
	put(d, 0, p->name[0] ? p->name : p->id);
	put(d, 1, h->item.id);
	return deny(d, r);
}

static bool nationality_allowed(const struct agreement *a, const struct holding *h,
				const char *code)
{
	if (a->rules.nationality == NATIONALITY_PARTIES)
		return party_at(a, code) >= 0;
	return streq(code, h->holder);
}

/*
 * Every nationality of the person, judged on its own (Art 5, 7). The one
 * kept is the holder's nationality if the person has it, else the first
 * the policy allows. Every other needs the originator's CONSENT_ACCESS
 * naming it, except a second nationality of a party when the agreement
 * admits dual nationals. A third country is never a party: no setting
 * admits it without consent. Returns 0 or the refusal (filled in d).
 */
static int nationality_check(const struct access_query *q, const char *purpose,
			     struct decision *d)
{
	const struct agreement *a = q->agreement;
	const struct holding *h = q->holding;
	const struct person *p = q->person;
	bool allowed[GS_MAX_NATIONALITIES];
	int nn = p->nnationalities, keep = -1;

	if (nn <= 0 || nn > GS_MAX_NATIONALITIES) {
		d->n = 1;
		return access_deny(d, p, h, RULE_ACCESS_NATIONALITY);
	}
	for (int i = 0; i < nn; i++) {
		allowed[i] = nationality_allowed(a, h, p->nationalities[i]);
		if (allowed[i] && (keep < 0 || streq(p->nationalities[i], h->holder)))
			keep = i;
	}
	for (int i = 0; i < nn; i++) {
		const char *nat = p->nationalities[i];
		const struct consent *stale;
		bool third = party_at(a, nat) < 0;

		if (i == keep)
			continue;
		if (find_consent(q->consents, q->nconsents, CONSENT_ACCESS, &h->item, h->holder, nat,
				 purpose, q->at, &stale))
			continue;
		/* a second nationality of a party, where dual nationals are admitted */
		if (!third && keep >= 0 && a->rules.dual_nationals_allowed)
			continue;
		put(d, 2, nat);
		put(d, 3, h->holder);
		d->n = a->rules.nationality == NATIONALITY_PARTIES;
		if (stale) {
			put(d, 3, stale->id);
			d->n = q->at < stale->expires; /* 1 = not yet granted */
			d->t = d->n ? stale->granted_at : stale->expires;
			return access_deny(d, p, h, RULE_ACCESS_CONSENT_EXPIRED);
		}
		if (third)
			return access_deny(d, p, h, RULE_ACCESS_THIRD_COUNTRY);
		if (keep >= 0)
			return access_deny(d, p, h, RULE_ACCESS_DUAL_NATIONAL);
		return access_deny(d, p, h, RULE_ACCESS_NATIONALITY);
	}
	return 0;
}

static bool need_to_know(const struct person *p, const struct item *it, const char *purpose)
{
	for (int i = 0; i < p->nduties && i < GS_MAX_DUTIES; i++) {
		const struct duty *u = &p->duties[i];

		switch (u->kind) {
		case DUTY_TOPIC:
			if (streq(u->value, it->topic))
				return true;
			break;
		case DUTY_PURPOSE:
			if (streq(u->value, purpose))
				return true;
			break;
		case DUTY_ITEM:
			if (item_named(it, u->value))
				return true;
			break;
		}
	}
	return false;
}

/* The use rule (Art 5), shared by decide_use and decide_access: the
 * purpose released for is permitted; another needs the originator's
 * CONSENT_USE. 0 on a permit (d->n = 1 if by consent), else the refusal. */
static int use_check(const struct holding *h, const char *purpose, const struct consent *consents,
		     size_t nconsents, gs_instant at, struct decision *d)
{
	const struct consent *stale;

	if (streq(purpose, h->item.purpose))
		return 0;
	if (find_consent(consents, nconsents, CONSENT_USE, &h->item, h->holder, NULL, purpose, at,
			 &stale)) {
		d->n = 1; /* by consent */
		return 0;
	}
	put(d, 0, h->holder);
	put(d, 1, h->item.id);
	put(d, 2, purpose);
	put(d, 3, h->item.originator);
	if (stale) {
		put(d, 3, stale->id);
		d->n = at < stale->expires;
		d->t = d->n ? stale->granted_at : stale->expires;
		return deny(d, RULE_USE_CONSENT_EXPIRED);
	}
	return deny(d, RULE_USE_CONSENT);
}

int decide_access(const struct access_query *q, struct decision *d)
{
	const struct agreement *a;
	const struct party *holder;
	const struct holding *h;
	const struct person *p;
	const struct facility *f;
	const struct annex_version *v = NULL;
	const char *hlabel, *purpose;
	gs_instant at;
	int hrank, prank;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!q || !q->agreement || !q->holder || !q->holding || !q->person || !q->facility)
		return GS_EINVAL;
	a = q->agreement;
	holder = q->holder;
	h = q->holding;
	p = q->person;
	f = q->facility;
	at = q->at;
	purpose = q->purpose ? q->purpose : h->item.purpose;
	d->zone = a->zone;

	/* 1. only an active holding can be opened (destroyed, returned, lost,
	 *    compromised and suspended ones cannot) */
	if (h->status != ITEM_ACTIVE) {
		put(d, 2, item_status_name(h->status));
		return access_deny(d, p, h, RULE_ACCESS_STATUS);
	}
	/* 2. the agreement given is the one it was released under */
	if (h->agreement[0] && !streq(h->agreement, a->id)) {
		put(d, 2, a->id);
		put(d, 3, h->agreement);
		return access_deny(d, p, h, RULE_ACCESS_AGREEMENT);
	}
	/* 3. this node holds it */
	if (!streq(holder->code, h->holder)) {
		put(d, 2, holder->code);
		put(d, 3, h->holder);
		return access_deny(d, p, h, RULE_ACCESS_HOLDER);
	}
	/* 4. used for the purpose released for, or by the originator's consent */
	if (use_check(h, purpose, q->consents, q->nconsents, at, d))
		return GS_EDENIED;
	d->n = 0;
	/* 5. the facility is the holder's, the person's, and where the item is kept */
	if (!p->facility[0]) {
		d->n = 3; /* no facility, no register: nothing to open anywhere */
		return access_deny(d, p, h, RULE_ACCESS_FACILITY);
	}
	if (!streq(f->party, h->holder) || !streq(p->facility, f->id) ||
	    (h->facility[0] && !streq(h->facility, f->id))) {
		put(d, 2, f->id);
		d->n = !streq(f->party, h->holder) ? 0 : !streq(p->facility, f->id) ? 1 : 2;
		put(d, 3, d->n == 0 ? f->party : d->n == 1 ? p->facility : h->facility);
		return access_deny(d, p, h, RULE_ACCESS_FACILITY);
	}
	/* 6. a contractor facility has its Art 16 checklist and inspection */
	if (f->contractor &&
	    contractor_check(f, at, d, RULE_ACCESS_CONTRACTOR, RULE_ACCESS_CONTRACTOR)) {
		put(d, 0, f->id);
		return GS_EDENIED;
	}
	/* 6b. and its periodic inspection is not overdue (Art 16(g); core/inspection.h) */
	if (f->contractor && inspection_overdue(f, a->rules.inspection_interval_days, at))
		return inspection_deny(f, a->rules.inspection_interval_days, a->zone, d);
	/* 7. on the facility register (Art 6(e)) */
	if (!facility_register_has(f, p->id)) {
		put(d, 2, f->id);
		return access_deny(d, p, h, RULE_ACCESS_REGISTER);
	}
	/* 8. every nationality allowed, or covered by the originator's consent */
	if (nationality_check(q, purpose, d))
		return GS_EDENIED;
	/* 9. PSC (Art 7), unless the level is below the agreement's psc_from */
	if (a->rules.psc_from[0]) {
		v = holding_annex(a, h, at);
		if (below_psc_from(a, v, h))
			goto need;
	}
	if (!streq(p->employer, h->holder)) {
		put(d, 2, p->employer);
		put(d, 3, h->holder);
		return access_deny(d, p, h, RULE_ACCESS_PSC_EMPLOYER);
	}
	if (!p->psc.level[0])
		return access_deny(d, p, h, RULE_ACCESS_PSC_NONE);
	if (p->psc.valid_from != GS_INSTANT_NONE && at < p->psc.valid_from) {
		d->n = 1;
		d->t = p->psc.valid_from;
		return access_deny(d, p, h, RULE_ACCESS_PSC_EXPIRED);
	}
	if (p->psc.valid_until != GS_INSTANT_NONE && at >= p->psc.valid_until) {
		d->t = p->psc.valid_until;
		return access_deny(d, p, h, RULE_ACCESS_PSC_EXPIRED);
	}
	/* the labels shown usually settle the level; the annex only if not */
	hrank = holding_rank(a, holder, h, NULL, &hlabel);
	if (hrank == 0) {
		if (!v)
			v = holding_annex(a, h, at);
		hrank = holding_rank(a, holder, h, v, &hlabel);
	}
	if (hrank == 0) {
		put(d, 2, h->marking.nlabels > 0 ? h->marking.labels[0] : h->item.label);
		put(d, 3, holder->code);
		return access_deny(d, p, h, RULE_ACCESS_LEVEL_UNKNOWN);
	}
	prank = rank_in(&holder->scheme, p->psc.level);
	if (prank < hrank) {
		put(d, 2, p->psc.level);
		put(d, 3, hlabel);
		d->n = prank == 0; /* not a level of the holder's scheme */
		return access_deny(d, p, h, RULE_ACCESS_PSC_LEVEL);
	}
need:
	/* 10. need-to-know from official duties, for this use */
	if (!need_to_know(p, &h->item, purpose)) {
		put(d, 2, h->item.topic);
		put(d, 3, purpose);
		return access_deny(d, p, h, RULE_ACCESS_NEED_TO_KNOW);
	}
	put(d, 0, p->name[0] ? p->name : p->id);
	put(d, 1, h->item.id);
	put(d, 2, streq(purpose, h->item.purpose) ? "" : purpose);
	return permit(d, RULE_ACCESS_PERMIT);
}

/* ---- purpose --------------------------------------------------------- */

int decide_use(const struct holding *h, const char *purpose,
	       const struct consent *consents, size_t nconsents, gs_instant at,
	       struct decision *d)
{
	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!h || !purpose)
		return GS_EINVAL;
	if (h->status != ITEM_ACTIVE) {
		put(d, 0, h->holder);
		put(d, 1, h->item.id);
		put(d, 2, item_status_name(h->status));
		return deny(d, RULE_USE_STATUS);
	}
	if (use_check(h, purpose, consents, nconsents, at, d))
		return GS_EDENIED;
	put(d, 0, h->holder);
	put(d, 1, h->item.id);
	put(d, 2, purpose);
	put(d, 3, h->item.originator);
	return permit(d, RULE_USE_PERMIT);
}

/* ---- onward release and arrangements ---------------------------------- */

int decide_onward(const struct agreement *arr, const struct holding *h,
		  const char *releasing, const char *third, const char *purpose,
		  const struct consent *consents, size_t nconsents, gs_instant at,
		  struct decision *d)
{
	const struct item *it;
	const struct consent *stale;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!h || !releasing || !third)
		return GS_EINVAL;
	it = &h->item;
	if (!purpose)
		purpose = it->purpose;
	put(d, 0, releasing);
	put(d, 1, it->id);
	put(d, 2, third);
	put(d, 3, it->originator);
	if (h->status != ITEM_ACTIVE) {
		put(d, 2, item_status_name(h->status));
		return deny(d, RULE_ONWARD_STATUS);
	}
	if (arr) {
		d->zone = arr->zone;
		/* route: every party a participant; through the hub if there is one */
		const char *who[3] = { releasing, third, it->originator };

		for (int i = 0; i < 3; i++)
			if (party_at(arr, who[i]) < 0) {
				put(d, 1, arr->id);
				put(d, 2, who[i]);
				d->n = 0;
				return deny(d, RULE_ONWARD_ROUTE);
			}
		if (arr->hub[0] && !streq(arr->hub, releasing) && !streq(arr->hub, third)) {
			put(d, 1, arr->id);
			put(d, 2, third);
			put(d, 3, arr->hub);
			d->n = 1;
			return deny(d, RULE_ONWARD_ROUTE);
		}
		if (!in_scope(arr->rules.ntopics, arr->rules.topics, it->topic)) {
			put(d, 2, it->topic);
			put(d, 3, arr->id);
			return deny(d, RULE_ONWARD_TOPIC_GATE);
		}
	}
	if (streq(releasing, it->originator) || streq(third, it->originator)) {
		d->n = !streq(releasing, it->originator);
		return permit(d, RULE_ONWARD_ORIGINATOR);
	}
	if (!find_consent(consents, nconsents, CONSENT_ONWARD, it, releasing, third, purpose, at,
			  &stale)) {
		if (stale) {
			put(d, 1, stale->id);
			d->n = at < stale->expires;
			d->t = d->n ? stale->granted_at : stale->expires;
			return deny(d, RULE_ONWARD_CONSENT_EXPIRED);
		}
		return deny(d, RULE_ONWARD_CONSENT);
	}
	return permit(d, RULE_ONWARD_PERMIT);
}

/* ---- reclassification ------------------------------------------------- */

int decide_reclassify(const struct holding *h, const struct party *originator,
		      const char *requesting, const char *new_label, struct decision *d)
{
	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!h || !originator || !requesting || !new_label)
		return GS_EINVAL;
	put(d, 0, requesting);
	put(d, 1, h->item.id);
	put(d, 2, h->item.originator);
	put(d, 3, new_label);
	if (!streq(requesting, h->item.originator) || !streq(originator->code, h->item.originator))
		return deny(d, RULE_RECLASSIFY_ORIGINATOR_ONLY);
	if (h->status == ITEM_DESTROYED || h->status == ITEM_RETURNED) {
		put(d, 3, item_status_name(h->status));
		return deny(d, RULE_RECLASSIFY_STATUS);
	}
	if (h->item.copy_of[0] || h->item.translation_of[0]) {
		put(d, 3, h->item.copy_of[0] ? h->item.copy_of : h->item.translation_of);
		return deny(d, RULE_RECLASSIFY_ORIGINAL);
	}
	if (streq(h->item.label, new_label))
		return deny(d, RULE_RECLASSIFY_SAME);
	if (rank_in(&originator->scheme, new_label) == 0)
		return deny(d, RULE_RECLASSIFY_LABEL);
	return permit(d, RULE_RECLASSIFY_PERMIT);
}

/* The leg the notice reached this node on: from the originator, the
 * notice alone, naming the agreement the item is held under; through a
 * hub, forwarded and signed by the party that released it here, for
 * this node, under the agreement it is held under (the notice itself names
 * the originator's own leg, which this node is no party to). 0 or the
 * refusal. */
static int notice_leg(const struct notice_facts *f, struct decision *d)
{
	const struct holding *h = f->holding;
	const struct reclassify_notice *nt = f->notice;
	const struct reclassify_forward *fw = f->forward;
	bool via_hub = h->released_by[0] && !streq(h->released_by, h->item.originator);

	put(d, 0, nt->agreement);
	put(d, 1, nt->item);
	put(d, 2, h->agreement);
	put(d, 3, via_hub ? h->released_by : h->item.originator);
	if (!via_hub) {
		if (fw) {
			d->n = 4;
			return deny(d, RULE_RECLASSIFY_FORWARD);
		}
		if (!streq(nt->agreement, h->agreement))
			return deny(d, RULE_RECLASSIFY_AGREEMENT);
		return 0;
	}
	if (!fw) {
		d->n = 0;
		return deny(d, RULE_RECLASSIFY_FORWARD);
	}
	if (!streq(fw->from, h->released_by) || f->forward_signature != NOTICE_SIGNED) {
		d->n = 1;
		return deny(d, RULE_RECLASSIFY_FORWARD);
	}
	if (!f->forward_digest_ok || !streq(fw->item, nt->item)) {
		d->n = 2;
		return deny(d, RULE_RECLASSIFY_FORWARD);
	}
	if (!streq(fw->to, f->self) || !streq(fw->agreement, h->agreement)) {
		put(d, 0, fw->to);
		put(d, 2, fw->agreement);
		put(d, 3, h->agreement);
		d->n = 3;
		return deny(d, RULE_RECLASSIFY_FORWARD);
	}
	return 0;
}

int decide_reclassify_notice(const struct notice_facts *f, struct decision *d)
{
	const struct reclassify_notice *nt;
	const struct holding *h;
	int ret;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!f || !f->notice || !f->self)
		return GS_EINVAL;
	nt = f->notice;
	h = f->holding;
	d->zone = f->zone;
	put(d, 0, nt->originator);
	put(d, 1, nt->item);
	put(d, 2, nt->originator);
	put(d, 3, nt->label);
	/* 1. only the originator's own signature counts */
	if (f->signature != NOTICE_SIGNED || !f->originator) {
		d->n = f->originator ? (int)f->signature : (int)NOTICE_SIGNER_UNKNOWN;
		return deny(d, RULE_RECLASSIFY_SIGNATURE);
	}
	/* 2. about an item held here */
	if (!h)
		return deny(d, RULE_RECLASSIFY_ITEM);
	/* 3. the originator reclassifies its own items by its own notice */
	if (streq(h->item.originator, f->self)) {
		put(d, 0, f->self);
		d->n = 1;
		return deny(d, RULE_RECLASSIFY_ORIGINATOR_ONLY);
	}
	/* 4. a notice names an original; it reaches the copies with it */
	if (f->is_copy) {
		put(d, 3, "");
		return deny(d, RULE_RECLASSIFY_ORIGINAL);
	}
	/* 5. nothing more happens to what was destroyed or returned */
	if (h->status == ITEM_DESTROYED || h->status == ITEM_RETURNED) {
		put(d, 2, item_status_name(h->status));
		put(d, 3, f->disposed_by ? f->disposed_by : "");
		put(d, 0, "reclassified");
		d->t = f->disposed_at;
		return deny(d, RULE_CUSTODY_STATUS);
	}
	/* 6. the signer is the item's originator, the label one of its scheme */
	if ((ret = decide_reclassify(h, f->originator, f->originator->code, nt->label, d)) ||
	    !d->permit) {
		if (d->rule == RULE_RECLASSIFY_SAME || d->rule == RULE_RECLASSIFY_ORIGINAL ||
		    d->rule == RULE_RECLASSIFY_STATUS)
			goto leg; /* the holder's own view of these is checked above or below */
		return ret ? ret : GS_EDENIED;
	}
leg:
	begin(d);
	d->zone = f->zone;
	/* 7. the leg it came on: the notice alone, or forwarded by the hub */
	if (notice_leg(f, d))
		return GS_EDENIED;
	put(d, 0, nt->agreement);
	put(d, 1, nt->item);
	put(d, 2, h->agreement);
	put(d, 3, nt->originator);
	/* 8. not in the future, not before the item was released here */
	if (nt->instant > f->now ||
	    (h->released_at != GS_INSTANT_NONE && nt->instant < h->released_at)) {
		d->t = nt->instant;
		d->n = nt->instant > f->now;
		return deny(d, RULE_RECLASSIFY_INSTANT);
	}
	/* 9. notices apply in the order of their instants */
	if (f->last_applied != GS_INSTANT_NONE && f->last_applied >= nt->instant) {
		d->t = f->last_applied;
		return deny(d, RULE_RECLASSIFY_STALE);
	}
	put(d, 0, nt->originator);
	put(d, 2, nt->originator);
	put(d, 3, nt->label);
	return permit(d, RULE_RECLASSIFY_PERMIT);
}

/* ---- custody ---------------------------------------------------------- */

static const char *const custody_verbs[] = {
	[CUSTODY_COPY] = "copied",
	[CUSTODY_TRANSLATE] = "translated",
	[CUSTODY_RECLASSIFY] = "reclassified",
	[CUSTODY_DESTROY] = "destroyed",
	[CUSTODY_RETURN] = "returned",
};

int decide_custody(const struct custody_facts *f, struct decision *d)
{
	const struct holding *h;
	bool dispose;

	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!f || !f->holding || !f->self || (int)f->action < 0 || f->action > CUSTODY_RETURN)
		return GS_EINVAL;
	h = f->holding;
	dispose = f->action == CUSTODY_DESTROY || f->action == CUSTODY_RETURN;
	d->zone = f->zone;
	put(d, 0, custody_verbs[f->action]);
	put(d, 1, h->item.id);
	/* 1. destroyed or returned: nothing more, ever (Art 6(h), 13); a lost
	 *    item cannot be destroyed or returned either */
	if (h->status == ITEM_DESTROYED || h->status == ITEM_RETURNED ||
	    (dispose && h->status == ITEM_LOST)) {
		put(d, 2, item_status_name(h->status));
		put(d, 3, f->disposed_by ? f->disposed_by : "");
		d->t = h->status == ITEM_LOST ? GS_INSTANT_NONE : f->disposed_at;
		return deny(d, RULE_CUSTODY_STATUS);
	}
	/* 2. Art 15 is about the other party's information */
	if (f->action == CUSTODY_TRANSLATE && streq(h->item.originator, f->self)) {
		put(d, 2, f->self);
		return deny(d, RULE_TRANSLATE_ORIGINATOR);
	}
	/* 3. a return goes to the originator, of what it released */
	if (f->action == CUSTODY_RETURN && (streq(h->item.originator, f->self) || f->is_copy)) {
		put(d, 2, f->self);
		d->n = f->is_copy && !streq(h->item.originator, f->self);
		return deny(d, RULE_CUSTODY_RETURN);
	}
	if (dispose) {
		/* 4. no one witnesses their own act */
		if (f->witness && f->witness[0] && f->person && streq(f->witness, f->person)) {
			put(d, 2, f->person);
			d->n = f->action == CUSTODY_DESTROY;
			return deny(d, RULE_CUSTODY_WITNESS);
		}
		/* 5. copies and translations go first */
		if (f->live_copies && f->live_copies[0]) {
			put(d, 2, f->live_copies);
			return deny(d, RULE_CUSTODY_COPIES);
		}
	}
	return permit(d, RULE_CUSTODY_PERMIT);
}

int decide_translator(const struct person *p, struct decision *d)
{
	if (!d)
		return GS_EINVAL;
	begin(d);
	if (!p)
		return GS_EINVAL;
	put(d, 0, p->name[0] ? p->name : p->id);
	if (!(p->roles & ROLE_TRANSLATOR))
		return deny(d, RULE_TRANSLATE_ROLE);
	if (!p->psc.level[0])
		return deny(d, RULE_TRANSLATE_PSC);
	return permit(d, RULE_TRANSLATE_PERMIT);
}

/* ---- sentences -------------------------------------------------------- */

int decision_reason(const struct decision *d, char *buf, size_t cap)
{
	char t[GS_INSTANT_STR] = "";
	const char *a0, *a1, *a2, *a3;

	if (!d || !buf || cap == 0)
		return GS_EINVAL;
	if (d->t != GS_INSTANT_NONE)
		instant_format_local(d->t, d->zone, t);
	/* Rules decided in sibling modules word their own sentences. */
	if (d->rule == RULE_ACCESS_INSPECTION)
		return inspection_reason(d, t, buf, cap);
	if (d->rule >= RULE_VISIT_IN_FORCE && d->rule <= RULE_VISIT_PERMIT)
		return visit_reason(d, t, buf, cap);
	if (d->rule >= RULE_KEY_UNKNOWN && d->rule <= RULE_COMPROMISE_PERMIT)
		return key_reason(d, t, buf, cap);
	a0 = d->arg[0];
	a1 = d->arg[1];
	a2 = d->arg[2];
	a3 = d->arg[3];

	switch (d->rule) {
	case RULE_RELEASE_IN_FORCE:
		if (d->n == STATE_TERMINATED && t[0])
			return snprintf(buf, cap, "refused: agreement '%s' is terminated (since %s); "
					"nothing new may be released under it", a0, t);
		if (d->n == STATE_TERMINATED)
			return snprintf(buf, cap, "refused: agreement '%s' is terminated; "
					"nothing new may be released under it", a0);
		return snprintf(buf, cap, "refused: agreement '%s' is not in force at %s (state %s); "
				"nothing may be released under it", a0, t,
				state_str((enum agreement_state)d->n));
	case RULE_RELEASE_ARRANGEMENT:
		return snprintf(buf, cap, "refused: '%s' is an arrangement; each leg is released "
				"under one of the agreements it relies on", a0);
	case RULE_RELEASE_VERSION:
		return snprintf(buf, cap, "refused: version %s of agreement '%s' was given, "
				"but version %d is in effect", a1, a0, d->n);
	case RULE_RELEASE_PARTY:
		if (d->n)
			return snprintf(buf, cap, "refused: a party cannot release to itself ('%s')", a1);
		return snprintf(buf, cap, "refused: '%s' is not a party to agreement '%s'", a1, a0);
	case RULE_RELEASE_MEMBER:
		if (d->n == MEMBER_WITHDRAWN && t[0])
			return snprintf(buf, cap, "refused: %s left agreement '%s' at %s (its notice of "
					"termination took effect); nothing new is released to or by it "
					"under the agreement", a1, a0, t);
		if (d->n == MEMBER_ACCEDING && t[0])
			return snprintf(buf, cap, "refused: %s is not yet a member of agreement '%s': its "
					"accession takes effect at %s", a1, a0, t);
		if (d->n == MEMBER_ACCEDING)
			return snprintf(buf, cap, "refused: %s is not yet a member of agreement '%s': its "
					"accession is not accepted", a1, a0);
		if (d->n < 0)
			return snprintf(buf, cap, "refused: %s is not a member of agreement '%s'", a1, a0);
		return snprintf(buf, cap, "refused: %s is not a member of agreement '%s' at this "
				"instant (%s)", a1, a0, member_state_name((enum member_state)d->n));
	case RULE_RELEASE_HOLDER:
		return snprintf(buf, cap, "refused: %s cannot release item '%s': it is held by %s",
				a2, a1, a3);
	case RULE_RELEASE_STATUS:
		return snprintf(buf, cap, "refused: item '%s' is %s; it cannot be released", a1, a2);
	case RULE_RELEASE_ANNEX:
		return snprintf(buf, cap, "refused: agreement '%s' has no equivalence annex in "
				"effect at %s", a0, t);
	case RULE_RELEASE_NEVER:
		return snprintf(buf, cap, "refused: item '%s' is marked %s, which agreement '%s' "
				"never allows to be released", a1, a2, a0);
	case RULE_RELEASE_ANNEX_ROW:
		return snprintf(buf, cap, "refused: %s has no row in the annex of agreement '%s' "
				"for %s; a label is never rounded to another level", a2, a0, a3);
	case RULE_RELEASE_PROTECT_AS:
		return snprintf(buf, cap, "refused: %s is only protected as %s under agreement '%s' "
				"and cannot be released from", a2, a3, a0);
	case RULE_RELEASE_NO_EQUIVALENT:
		return snprintf(buf, cap, "refused: %s has no equivalent for %s of item '%s' under "
				"agreement '%s'", a3, a2, a1, a0);
	case RULE_RELEASE_SCOPE_PURPOSE:
		return snprintf(buf, cap, "refused: purpose '%s' of item '%s' is outside the scope "
				"of agreement '%s'", a2, a1, a0);
	case RULE_RELEASE_SCOPE_TOPIC:
		return snprintf(buf, cap, "refused: topic '%s' of item '%s' is outside the scope "
				"of agreement '%s'", a2, a1, a0);
	case RULE_RELEASE_CONSENT:
		return snprintf(buf, cap, "refused: %s is not the originator of item '%s' and holds "
				"no consent from %s to release it to %s", a0, a1, a2, a3);
	case RULE_RELEASE_CONSENT_EXPIRED:
		return snprintf(buf, cap, "refused: consent '%s' from %s to release item '%s' to %s "
				"is %s %s", a0, a2, a1, a3, d->n ? "not valid until" : "expired at", t);
	case RULE_RELEASE_PERMIT:
		return snprintf(buf, cap, "permitted: item '%s' (%s) may be released to %s "
				"under agreement '%s'", a1, a2, a3, a0);
	case RULE_MARKING_PARTY:
		return snprintf(buf, cap, "refused: %s is not a party to agreement '%s'",
				d->n ? a2 : a1, a3);
	case RULE_MARKING_ANNEX:
		return snprintf(buf, cap, "refused: agreement '%s' has no equivalence annex in effect "
				"for %s to mark %s by", a3, a2, a0);
	case RULE_MARKING_NEVER:
		return snprintf(buf, cap, "refused: %s of %s may never be exchanged under "
				"agreement '%s'", a0, a1, a3);
	case RULE_MARKING_NO_EQUIVALENT:
		if (d->n)
			return snprintf(buf, cap, "refused: %s has no equivalent for %s of %s under "
					"agreement '%s'", a2, a0, a1, a3);
		return snprintf(buf, cap, "refused: %s of %s has no row in the annex of "
				"agreement '%s'", a0, a1, a3);
	case RULE_MARKING_PERMIT:
		return snprintf(buf, cap, "permitted: %s marks %s as %s under agreement '%s'",
				a2, a0, a1, a3);
	case RULE_ACCESS_STATUS:
		return snprintf(buf, cap, "refused: item '%s' is %s; no one may open it", a1, a2);
	case RULE_ACCESS_AGREEMENT:
		return snprintf(buf, cap, "refused: item '%s' was released under agreement '%s', "
				"not '%s'", a1, a3, a2);
	case RULE_ACCESS_HOLDER:
		return snprintf(buf, cap, "refused: item '%s' is held by %s, not by %s", a1, a3, a2);
	case RULE_ACCESS_FACILITY:
		if (d->n == 0)
			return snprintf(buf, cap, "refused: facility '%s' belongs to %s, not to the "
					"holder of item '%s'", a2, a3, a1);
		if (d->n == 1)
			return snprintf(buf, cap, "refused: %s works at facility '%s', not at '%s'",
					a0, a3, a2);
		if (d->n == 2)
			return snprintf(buf, cap, "refused: item '%s' is kept at facility '%s', not at '%s'",
					a1, a3, a2);
		return snprintf(buf, cap, "refused: %s belongs to no facility and can open nothing", a0);
	case RULE_ACCESS_CONTRACTOR:
		if (d->n == 0)
			return snprintf(buf, cap, "refused: contractor facility '%s' lacks Art 16 "
					"checklist items (%s)", a0, a1);
		return snprintf(buf, cap, "refused: contractor facility '%s' has no initial "
				"security inspection recorded", a0);
	case RULE_ACCESS_REGISTER:
		return snprintf(buf, cap, "refused: %s is not on the register of facility '%s'",
				a0, a2);
	case RULE_ACCESS_NATIONALITY:
		if (d->n && !a2[0])
			return snprintf(buf, cap, "refused: %s has no recorded nationality", a0);
		if (!a2[0])
			return snprintf(buf, cap, "refused: %s has no recorded nationality", a0);
		if (d->n)
			return snprintf(buf, cap, "refused: %s is a national of %s, which is not a "
					"party to the agreement", a0, a2);
		return snprintf(buf, cap, "refused: %s is a national of %s; only nationals of %s "
				"may open item '%s'", a0, a2, a3, a1);
	case RULE_ACCESS_DUAL_NATIONAL:
		return snprintf(buf, cap, "refused: %s is also a national of %s, and the agreement "
				"does not admit dual nationals", a0, a2);
	case RULE_ACCESS_THIRD_COUNTRY:
		return snprintf(buf, cap, "refused: %s is a national of %s, a third country, and "
				"holds no consent from the originator", a0, a2);
	case RULE_ACCESS_CONSENT_EXPIRED:
		return snprintf(buf, cap, "refused: consent '%s' for access by a national of %s to "
				"item '%s' is %s %s", a3, a2, a1,
				d->n ? "not valid until" : "expired at", t);
	case RULE_ACCESS_PSC_EMPLOYER:
		return snprintf(buf, cap, "refused: %s's clearance is not one granted by %s "
				"(employer: %s)", a0, a3, a2[0] ? a2 : "none");
	case RULE_ACCESS_PSC_NONE:
		return snprintf(buf, cap, "refused: %s holds no PSC", a0);
	case RULE_ACCESS_PSC_EXPIRED:
		if (d->n)
			return snprintf(buf, cap, "refused: %s's PSC is not valid until %s", a0, t);
		return snprintf(buf, cap, "refused: %s's PSC expired at %s", a0, t);
	case RULE_ACCESS_LEVEL_UNKNOWN:
		return snprintf(buf, cap, "refused: the level of item '%s' (%s) has no place in "
				"%s's scheme", a1, a2, a3);
	case RULE_ACCESS_PSC_LEVEL:
		if (d->n)
			return snprintf(buf, cap, "refused: %s holds a PSC at %s, which is not a level "
					"of the holder's scheme", a0, a2);
		return snprintf(buf, cap, "refused: %s holds a PSC at %s, below the item's %s",
				a0, a2, a3);
	case RULE_ACCESS_NEED_TO_KNOW:
		return snprintf(buf, cap, "refused: %s has no need-to-know for item '%s' "
				"(topic '%s', purpose '%s')", a0, a1, a2, a3);
	case RULE_ACCESS_PERMIT:
		if (a2[0])
			return snprintf(buf, cap, "permitted: %s may open item '%s' for '%s' (by the "
					"originator's consent)", a0, a1, a2);
		return snprintf(buf, cap, "permitted: %s may open item '%s'", a0, a1);
	case RULE_USE_STATUS:
		return snprintf(buf, cap, "refused: item '%s' is %s; it cannot be used", a1, a2);
	case RULE_USE_CONSENT:
		return snprintf(buf, cap, "refused: item '%s' was not released for '%s'; %s "
				"holds no consent from %s for that purpose", a1, a2, a0, a3);
	case RULE_USE_CONSENT_EXPIRED:
		return snprintf(buf, cap, "refused: consent '%s' to use item '%s' for '%s' is %s %s",
				a3, a1, a2, d->n ? "not valid until" : "expired at", t);
	case RULE_USE_PERMIT:
		return snprintf(buf, cap, "permitted: %s may use item '%s' for '%s'%s", a0, a1, a2,
				d->n ? " (by the originator's consent)" : "");
	case RULE_ONWARD_STATUS:
		return snprintf(buf, cap, "refused: item '%s' is %s; it cannot be passed on", a1, a2);
	case RULE_ONWARD_ROUTE:
		if (d->n)
			return snprintf(buf, cap, "refused: under arrangement '%s' %s cannot send to %s "
					"directly; the route runs through the hub %s", a1, a0, a2, a3);
		return snprintf(buf, cap, "refused: %s does not take part in arrangement '%s'", a2, a1);
	case RULE_ONWARD_TOPIC_GATE:
		return snprintf(buf, cap, "refused: topic '%s' is outside arrangement '%s'", a2, a3);
	case RULE_ONWARD_ORIGINATOR:
		if (d->n)
			return snprintf(buf, cap, "permitted: item '%s' goes back to its originator %s",
					a1, a2);
		return snprintf(buf, cap, "permitted: %s is the originator of item '%s' and needs "
				"no consent to send it to %s", a0, a1, a2);
	case RULE_ONWARD_CONSENT:
		return snprintf(buf, cap, "refused: %s holds no consent from %s to pass item '%s' "
				"on to %s", a0, a3, a1, a2);
	case RULE_ONWARD_CONSENT_EXPIRED:
		return snprintf(buf, cap, "refused: consent '%s' from %s to pass an item on to %s "
				"is %s %s", a1, a3, a2, d->n ? "not valid until" : "expired at", t);
	case RULE_ONWARD_PERMIT:
		return snprintf(buf, cap, "permitted: %s may pass item '%s' on to %s with the "
				"consent of %s", a0, a1, a2, a3);
	case RULE_RECLASSIFY_ORIGINATOR_ONLY:
		if (d->n)
			return snprintf(buf, cap, "refused: this node (%s) is the originator of '%s'; it "
					"reclassifies with 'gsomia reclassify notice'", a0, a1);
		return snprintf(buf, cap, "refused: only the originator %s may change the "
				"classification of item '%s'; %s may not", a2, a1, a0);
	case RULE_RECLASSIFY_STATUS:
		return snprintf(buf, cap, "refused: item '%s' is %s", a1, a3);
	case RULE_RECLASSIFY_ORIGINAL:
		if (a3[0])
			return snprintf(buf, cap, "refused: '%s' is a copy or translation of '%s'; the "
					"notice names the original, and it applies to every copy", a1, a3);
		return snprintf(buf, cap, "refused: '%s' is a copy or translation; a notice names an "
				"original", a1);
	case RULE_RECLASSIFY_SAME:
		return snprintf(buf, cap, "refused: item '%s' is already classified %s", a1, a3);
	case RULE_RECLASSIFY_SIGNATURE:
		if (d->n == NOTICE_SIGNER_UNKNOWN)
			return snprintf(buf, cap, "refused: the notice names originator '%s', a party "
					"this node does not know", a2);
		if (d->n == NOTICE_NOT_SIGNED)
			return snprintf(buf, cap, "refused: the notice is not signed by %s, the "
					"originator it names", a2);
		if (d->n == NOTICE_KEY_UNTRUSTED)
			return snprintf(buf, cap, "refused: the notice's signature by %s is not trusted: its "
					"key was not %s's at the notice's instant or was reported compromised "
					"by then", a2, a2);
		return snprintf(buf, cap, "refused: the signature of %s on the notice does not verify "
				"(forged or altered)", a2);
	case RULE_RECLASSIFY_ITEM:
		return snprintf(buf, cap, "refused: item '%s' is not held here", a1);
	case RULE_RECLASSIFY_FORWARD:
		switch (d->n) {
		case 0:
			return snprintf(buf, cap, "refused: item '%s' reached this node through %s; the "
					"originator's notice must come forwarded and signed by %s", a1, a3, a3);
		case 1:
			return snprintf(buf, cap, "refused: the forward is not signed by %s, which released "
					"item '%s' here", a3, a1);
		case 2:
			return snprintf(buf, cap, "refused: the forward names another notice or item than "
					"the notice it carries ('%s')", a1);
		case 3:
			return snprintf(buf, cap, "refused: the forward is for %s under '%s', but item '%s' "
					"is held here under '%s'", a0, a2, a1, a3);
		default:
			return snprintf(buf, cap, "refused: item '%s' came from its originator %s; its "
					"notice comes alone, not forwarded", a1, a3);
		}
	case RULE_RECLASSIFY_AGREEMENT:
		return snprintf(buf, cap, "refused: the notice names agreement '%s', but '%s' is "
				"held under '%s'", a0, a1, a2);
	case RULE_RECLASSIFY_INSTANT:
		return snprintf(buf, cap, "refused: the notice's instant %s is %s", t,
				d->n ? "in the future" : "before the item was released");
	case RULE_RECLASSIFY_STALE:
		return snprintf(buf, cap, "refused: a later notice of %s (%s) has already been "
				"applied to '%s'", a3, t, a1);
	case RULE_CUSTODY_STATUS:
		if (!strcmp(a2, "lost"))
			return snprintf(buf, cap, "refused: item '%s' is reported lost; it cannot be %s",
					a1, a0);
		return snprintf(buf, cap, "refused: item '%s' was %s at %s by %s; it cannot be %s",
				a1, a2, t, a3, a0);
	case RULE_CUSTODY_RETURN:
		if (d->n)
			return snprintf(buf, cap, "refused: '%s' is a copy or translation made here; it "
					"is destroyed, not returned", a1);
		return snprintf(buf, cap, "refused: this node (%s) is the originator of '%s'; there "
				"is no one to return it to", a2, a1);
	case RULE_CUSTODY_WITNESS:
		return snprintf(buf, cap, "refused: %s cannot witness their own %s", a2,
				d->n ? "destruction" : "return");
	case RULE_CUSTODY_COPIES:
		return snprintf(buf, cap, "refused: item '%s' still has copies or translations (%s); "
				"destroy them first", a1, a2);
	case RULE_CUSTODY_PERMIT:
		return snprintf(buf, cap, "permitted: item '%s' may be %s", a1, a0);
	case RULE_TRANSLATE_ORIGINATOR:
		return snprintf(buf, cap, "refused: this node (%s) is the originator of '%s'; Art 15 "
				"governs translations of another party's information, and the "
				"originator's own are new items it releases as such", a2, a1);
	case RULE_TRANSLATE_ROLE:
		return snprintf(buf, cap, "refused: %s is not a translator; only a person with the "
				"translator role and a PSC translates (Art 15)", a0);
	case RULE_TRANSLATE_PSC:
		return snprintf(buf, cap, "refused: %s holds no PSC; only a person holding a PSC "
				"translates (Art 15)", a0);
	case RULE_TRANSLATE_PERMIT:
		return snprintf(buf, cap, "permitted: %s may translate (translator role and a PSC, "
				"Art 15)", a0);
	case RULE_RECLASSIFY_LABEL:
		return snprintf(buf, cap, "refused: %s is not a level of %s's scheme", a3, a2);
	case RULE_RECLASSIFY_PERMIT:
		return snprintf(buf, cap, "permitted: %s reclassifies item '%s' as %s", a0, a1, a3);
	case RULE_CONTRACTOR_CHECKLIST:
		return snprintf(buf, cap, "refused: contractor facility '%s' lacks Art 16 checklist "
				"items (%s)", a0, a1);
	case RULE_CONTRACTOR_INSPECTION:
		return snprintf(buf, cap, "refused: contractor facility '%s' has no initial security "
				"inspection recorded", a0);
	case RULE_CONTRACTOR_PERMIT:
		return snprintf(buf, cap, "permitted: facility '%s' may hold CMI%s", a0,
				d->n ? " (contractor checklist complete)" : "");
	case RULE_INVALID:
	case RULE_NONE:
	case RULE_COUNT_:
	default: /* the sibling modules' rules, worded above */
		break;
	}
	return snprintf(buf, cap, "refused: invalid input");
}

bool holding_survives(const struct holding *h, gs_instant terminates_at, int32_t zone, char *why,
		      size_t cap)
{
	char rel[GS_INSTANT_STR], end[GS_INSTANT_STR];
	const char *incident;

	if (!why || !cap)
		return h && h->status != ITEM_RETURNED && h->status != ITEM_DESTROYED;
	why[0] = 0;
	if (!h)
		return false;
	if (terminates_at == GS_INSTANT_NONE)
		snprintf(end, sizeof(end), "termination");
	else
		instant_format_local(terminates_at, zone, end);
	if (h->status == ITEM_RETURNED || h->status == ITEM_DESTROYED) {
		snprintf(why, cap, "%s: no longer held here, nothing left to protect; its custody and ledger "
			 "entries are kept", item_status_name(h->status));
		return false;
	}
	incident = h->status == ITEM_LOST || h->status == ITEM_COMPROMISED || h->status == ITEM_SUSPENDED
			   ? "; the incident is still reported to the originator and investigated"
			   : "";
	if (h->released_at == GS_INSTANT_NONE) {
		snprintf(why, cap, "this party's own information: every party it was released to keeps "
			 "protecting it after %s (survival, docs/lifecycle.md)%s", end, incident);
		return true;
	}
	instant_format_local(h->released_at, zone, rel);
	if (terminates_at != GS_INSTANT_NONE && h->released_at >= terminates_at)
		snprintf(why, cap, "released %s, not before termination at %s: protected all the same, "
			 "termination never relaxes protection%s", rel, end, incident);
	else
		snprintf(why, cap, "released %s while the agreement was in force: access, third-party ban, "
			 "purpose, reclassification, return or destruction and incident reporting all keep "
			 "applying after %s (survival, docs/lifecycle.md)%s", rel, end, incident);
	return true;
}
