/* SPDX-License-Identifier: Apache-2.0 */
#include "core/person.h"

#include <string.h>

#include "util/banned.h"

/* FNV-1a, 64 bits: cheap, and a register lookup only needs it to spread
 * ids; equal hashes are resolved by comparing the ids. */
static uint64_t id_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

static int entry_cmp(uint64_t ha, const char *a, uint64_t hb, const char *b)
{
	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a, b);
}

/* First index whose entry is >= (h, id). */
static int lower_bound(const struct facility *f, uint64_t h, const char *id)
{
	int lo = 0, hi = f->nregister;

	if (hi < 0 || hi > GS_MAX_REGISTER)
		return 0;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (entry_cmp(f->reg_hash[mid], f->reg_id[mid], h, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void facility_init(struct facility *f)
{
	memset(f, 0, sizeof(*f));
	f->initial_inspection = GS_INSTANT_NONE;
	f->periodic_inspection = GS_INSTANT_NONE;
}

int facility_register_add(struct facility *f, const char *person_id)
{
	size_t len = strlen(person_id);
	uint64_t h;
	int at;

	if (len == 0 || len >= GS_MAX_ID)
		return GS_EINVAL;
	if (f->nregister < 0 || f->nregister >= GS_MAX_REGISTER)
		return GS_ELIMIT;
	h = id_hash(person_id);
	at = lower_bound(f, h, person_id);
	if (at < f->nregister && f->reg_hash[at] == h && strcmp(f->reg_id[at], person_id) == 0)
		return GS_EEXIST;
	memmove(&f->reg_hash[at + 1], &f->reg_hash[at],
		(size_t)(f->nregister - at) * sizeof(f->reg_hash[0]));
	memmove(&f->reg_id[at + 1], &f->reg_id[at],
		(size_t)(f->nregister - at) * sizeof(f->reg_id[0]));
	f->reg_hash[at] = h;
	memcpy(f->reg_id[at], person_id, len + 1);
	f->nregister++;
	return 0;
}

int facility_register_remove(struct facility *f, const char *person_id)
{
	uint64_t h = id_hash(person_id);
	int at = lower_bound(f, h, person_id);

	if (at >= f->nregister || f->reg_hash[at] != h || strcmp(f->reg_id[at], person_id) != 0)
		return GS_ENOTFOUND;
	memmove(&f->reg_hash[at], &f->reg_hash[at + 1],
		(size_t)(f->nregister - at - 1) * sizeof(f->reg_hash[0]));
	memmove(&f->reg_id[at], &f->reg_id[at + 1],
		(size_t)(f->nregister - at - 1) * sizeof(f->reg_id[0]));
	f->nregister--;
	return 0;
}

bool facility_register_has(const struct facility *f, const char *person_id)
{
	uint64_t h;
	int at;

	if (!person_id[0])
		return false;
	h = id_hash(person_id);
	at = lower_bound(f, h, person_id);
	return at < f->nregister && f->reg_hash[at] == h && strcmp(f->reg_id[at], person_id) == 0;
}

const char *item_status_name(enum item_status s)
{
	switch (s) {
	case ITEM_ACTIVE: return "active";
	case ITEM_RETURNED: return "returned";
	case ITEM_DESTROYED: return "destroyed";
	case ITEM_LOST: return "lost";
	case ITEM_COMPROMISED: return "compromised";
	case ITEM_SUSPENDED: return "suspended";
	}
	return "unknown";
}

const char *item_form_name(enum item_form f)
{
	switch (f) {
	case FORM_ORAL: return "oral";
	case FORM_VISUAL: return "visual";
	case FORM_ELECTRONIC: return "electronic";
	case FORM_MAGNETIC: return "magnetic";
	case FORM_DOCUMENT: return "document";
	case FORM_EQUIPMENT: return "equipment";
	case FORM_TECHNOLOGY: return "technology";
	}
	return "unknown";
}

const char *consent_kind_name(enum consent_kind k)
{
	switch (k) {
	case CONSENT_ONWARD: return "onward";
	case CONSENT_USE: return "use";
	case CONSENT_ACCESS: return "access";
	}
	return "unknown";
}
