/* SPDX-License-Identifier: Apache-2.0 */
#include "core/person.h"

#include <string.h>

#include "util/banned.h"

/* A fast 64-bit hash of an id: 8 bytes at a time, mixed by multiplication.
 * Only needs to spread ids over the index; equal hashes are resolved by
 * comparing the ids. */
static uint64_t id_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (len * 0xC2B2AE3D27D4EB4Full);

	while (len > 0) {
		uint64_t w = 0;
		size_t n = len < 8 ? len : 8;

		memcpy(&w, s, n);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 29;
		s += n;
		len -= n;
	}
	h *= 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 32);
}

static size_t id_len(const char *id)
{
	return strnlen(id, GS_MAX_ID);
}

/* Index of person_id in the register, or -1. */
static int reg_find(const struct facility *f, const char *id, size_t len, uint64_t h)
{
	size_t slot = (size_t)h & (FACILITY_INDEX_SLOTS - 1);

	for (int probes = 0; probes < FACILITY_INDEX_SLOTS; probes++) {
		unsigned v = f->reg_index[slot];
		int at;

		if (v == 0)
			return -1;
		at = (int)v - 1;
		if (at < f->nregister && f->reg_hash[at] == h &&
		    memcmp(f->reg_id[at], id, len + 1) == 0)
			return at;
		slot = (slot + 1) & (FACILITY_INDEX_SLOTS - 1);
	}
	return -1;
}

static void reg_index_put(struct facility *f, int at)
{
	size_t slot = (size_t)f->reg_hash[at] & (FACILITY_INDEX_SLOTS - 1);

	while (f->reg_index[slot] != 0)
		slot = (slot + 1) & (FACILITY_INDEX_SLOTS - 1);
	f->reg_index[slot] = (uint16_t)(at + 1);
}

void facility_init(struct facility *f)
{
	memset(f, 0, sizeof(*f));
	f->initial_inspection = GS_INSTANT_NONE;
	f->periodic_inspection = GS_INSTANT_NONE;
}

int facility_register_add(struct facility *f, const char *person_id)
{
	size_t len = id_len(person_id);
	uint64_t h;
	int at;

	if (len == 0 || len >= GS_MAX_ID)
		return GS_EINVAL;
	if (f->nregister < 0 || f->nregister >= GS_MAX_REGISTER)
		return GS_ELIMIT;
	h = id_hash(person_id, len);
	if (reg_find(f, person_id, len, h) >= 0)
		return GS_EEXIST;
	at = f->nregister++;
	f->reg_hash[at] = h;
	memcpy(f->reg_id[at], person_id, len + 1);
	reg_index_put(f, at);
	return 0;
}

int facility_register_remove(struct facility *f, const char *person_id)
{
	size_t len = id_len(person_id);
	int at, last;

	if (len >= GS_MAX_ID)
		return GS_ENOTFOUND;
	at = reg_find(f, person_id, len, id_hash(person_id, len));
	if (at < 0)
		return GS_ENOTFOUND;
	last = f->nregister - 1;
	if (at != last) {
		f->reg_hash[at] = f->reg_hash[last];
		memcpy(f->reg_id[at], f->reg_id[last], sizeof(f->reg_id[at]));
	}
	f->nregister = last;
	/* removals are rare: rebuild the index */
	memset(f->reg_index, 0, sizeof(f->reg_index));
	for (int i = 0; i < f->nregister; i++)
		reg_index_put(f, i);
	return 0;
}

bool facility_register_has(const struct facility *f, const char *person_id)
{
	size_t len = id_len(person_id);

	if (len == 0 || len >= GS_MAX_ID || f->nregister <= 0 || f->nregister > GS_MAX_REGISTER)
		return false;
	return reg_find(f, person_id, len, id_hash(person_id, len)) >= 0;
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
