/* SPDX-License-Identifier: Apache-2.0 */
#include "core/keyhistory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decision_kit.h"
#include "core/kvtext.h"
#include "util/encode.h"
#include "core/tlspin.h"
#include "util/banned.h"

/* ---- the notes' texts ------------------------------------------------- */

#define KEY_B64 B64_ENCODED_SIZE(32) /* 45: 44 characters and a NUL */

static int key_from(const char *s, uint8_t out[32])
{
	return strlen(s) == KEY_B64 - 1 && !b64_decode_exact(s, KEY_B64 - 1, out, 32) ? 0 : GS_EINVAL;
}

static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

int key_rotation_parse(const char *text, size_t len, struct key_rotation *out, struct gs_diag *d)
{
	char party[GS_MAX_CODE], old_key[KEY_B64 + 1], new_key[KEY_B64 + 1], box[KEY_B64 + 1];
	char pin[GS_MAX_NAME], eff[GS_INSTANT_STR], ex[8], txt[512];
	struct kv_field f[] = {
		{ "party", party, sizeof(party), true },
		{ "old-key", old_key, sizeof(old_key), true },
		{ "new-key", new_key, sizeof(new_key), true },
		{ "new-box-key", box, sizeof(box), true },
		{ "new-tls-pin", pin, sizeof(pin), false },
		{ "effective", eff, sizeof(eff), true },
		{ "exercise", ex, sizeof(ex), false },
		{ "text", txt, sizeof(txt), false },
	};
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = kv_parse(text, len, KEY_ROTATION_MAGIC, f, sizeof(f) / sizeof(f[0]), d)))
		return ret;
	if (!party_code_is_valid(party))
		ret = gs_diag_set(d, GS_EINVAL, "party must be a party code (three capital letters)");
	else if (key_from(old_key, out->old_key) || key_from(new_key, out->new_key) ||
		 key_from(box, out->new_box_key))
		ret = gs_diag_set(d, GS_EINVAL, "old-key, new-key and new-box-key are 32-byte keys in canonical base64");
	else if (pin[0] && !tls_pin_is_valid(pin))
		ret = gs_diag_set(d, GS_EINVAL, "new-tls-pin must be sha256// and the base64 of 32 bytes");
	else if (kv_instant(eff, &out->effective))
		ret = gs_diag_set(d, GS_EINVAL, "'%.40s' is not an instant in UTC (2023-06-01T00:00:00Z)", eff);
	else if (ex[0] && strcmp(ex, "yes"))
		ret = gs_diag_set(d, GS_EINVAL, "exercise must be 'yes' or absent");
	else if (!memcmp(out->old_key, out->new_key, 32))
		ret = gs_diag_set(d, GS_EINVAL, "the new key is the old key");
	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	copy(out->party, sizeof(out->party), party);
	copy(out->new_tls_pin, sizeof(out->new_tls_pin), pin);
	copy(out->text, sizeof(out->text), txt);
	out->exercise = ex[0] != 0;
	return 0;
}

int key_rotation_format(const struct key_rotation *r, char **out, struct gs_diag *d)
{
	char k1[KEY_B64], k2[KEY_B64], k3[KEY_B64];
	struct kvbuf b;
	int ret;

	*out = NULL;
	b64_encode(r->old_key, 32, k1, sizeof(k1));
	b64_encode(r->new_key, 32, k2, sizeof(k2));
	b64_encode(r->new_box_key, 32, k3, sizeof(k3));
	kv_begin(&b, KEY_ROTATION_MAGIC);
	kv_add(&b, "party", r->party);
	kv_add(&b, "old-key", k1);
	kv_add(&b, "new-key", k2);
	kv_add(&b, "new-box-key", k3);
	kv_add(&b, "new-tls-pin", r->new_tls_pin);
	kv_add_instant(&b, "effective", r->effective);
	kv_add(&b, "exercise", r->exercise ? "yes" : NULL);
	kv_add(&b, "text", r->text);
	if ((ret = kv_end(&b, d)))
		return ret;
	*out = b.buf;
	return 0;
}

int key_compromise_parse(const char *text, size_t len, struct key_compromise *out, struct gs_diag *d)
{
	char party[GS_MAX_CODE], key[KEY_B64 + 1], since[GS_INSTANT_STR], by[GS_MAX_CODE];
	char rep[GS_INSTANT_STR], ex[8], txt[512];
	struct kv_field f[] = {
		{ "party", party, sizeof(party), true },
		{ "key", key, sizeof(key), true },
		{ "since", since, sizeof(since), true },
		{ "reported-by", by, sizeof(by), true },
		{ "reported", rep, sizeof(rep), true },
		{ "exercise", ex, sizeof(ex), false },
		{ "text", txt, sizeof(txt), false },
	};
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = kv_parse(text, len, KEY_COMPROMISE_MAGIC, f, sizeof(f) / sizeof(f[0]), d)))
		return ret;
	if (!party_code_is_valid(party) || !party_code_is_valid(by))
		ret = gs_diag_set(d, GS_EINVAL, "party and reported-by must be party codes (three capital letters)");
	else if (key_from(key, out->key))
		ret = gs_diag_set(d, GS_EINVAL, "key is a 32-byte key in canonical base64");
	else if (kv_instant(since, &out->since) || kv_instant(rep, &out->reported))
		ret = gs_diag_set(d, GS_EINVAL, "since and reported must be instants in UTC (2023-06-01T00:00:00Z)");
	else if (ex[0] && strcmp(ex, "yes"))
		ret = gs_diag_set(d, GS_EINVAL, "exercise must be 'yes' or absent");
	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	copy(out->party, sizeof(out->party), party);
	copy(out->reported_by, sizeof(out->reported_by), by);
	copy(out->text, sizeof(out->text), txt);
	out->exercise = ex[0] != 0;
	return 0;
}

int key_compromise_format(const struct key_compromise *c, char **out, struct gs_diag *d)
{
	char k[KEY_B64];
	struct kvbuf b;
	int ret;

	*out = NULL;
	b64_encode(c->key, 32, k, sizeof(k));
	kv_begin(&b, KEY_COMPROMISE_MAGIC);
	kv_add(&b, "party", c->party);
	kv_add(&b, "key", k);
	kv_add_instant(&b, "since", c->since);
	kv_add(&b, "reported-by", c->reported_by);
	kv_add_instant(&b, "reported", c->reported);
	kv_add(&b, "exercise", c->exercise ? "yes" : NULL);
	kv_add(&b, "text", c->text);
	if ((ret = kv_end(&b, d)))
		return ret;
	*out = b.buf;
	return 0;
}

/* ---- decisions ---------------------------------------------------------- */

int party_key_index(const struct party *p, const uint8_t pk[32])
{
	for (int i = 0; i < p->nkeys && i < GS_MAX_PARTY_KEYS; i++)
		if (!memcmp(p->keys[i].sign_pk, pk, 32))
			return i;
	return -1;
}

/* Names key i of p in a sentence by its window: arg 2 from, arg 3 until. */
static void put_window(struct decision *d, const struct party_key *k, int32_t zone)
{
	char s[GS_INSTANT_STR];

	if (k->valid_from == GS_INSTANT_NONE) {
		kit_put(d, 2, "its registration");
	} else {
		instant_format_local(k->valid_from, zone, s);
		kit_put(d, 2, s);
	}
	if (k->valid_until == GS_INSTANT_NONE) {
		kit_put(d, 3, "now");
	} else {
		instant_format_local(k->valid_until, zone, s);
		kit_put(d, 3, s);
	}
}

int decide_key(const struct party *p, gs_instant at, const uint8_t **key, int *index, struct decision *d)
{
	const struct party_key *k = NULL;
	int i;

	if (!d)
		return GS_EINVAL;
	kit_begin(d);
	if (!p || !key || !index)
		return GS_EINVAL;
	*key = NULL;
	*index = -1;
	d->zone = p->zone;
	kit_put(d, 0, p->code);
	if (p->nkeys <= 0) {
		*key = p->sign_pk;
		return kit_permit(d, RULE_KEY_PERMIT);
	}
	/* 1. the key whose window holds the instant (NONE: the current one) */
	for (i = 0; i < p->nkeys && i < GS_MAX_PARTY_KEYS; i++) {
		const struct party_key *c = &p->keys[i];

		if (at == GS_INSTANT_NONE ? c->valid_until == GS_INSTANT_NONE && !memcmp(c->sign_pk, p->sign_pk, 32)
					  : (c->valid_from == GS_INSTANT_NONE || at >= c->valid_from) &&
						    (c->valid_until == GS_INSTANT_NONE || at < c->valid_until)) {
			k = c;
			break;
		}
	}
	if (!k) {
		d->t = at;
		return kit_deny(d, RULE_KEY_UNKNOWN);
	}
	/* 2. not after its reported compromise */
	if (k->compromised_since != GS_INSTANT_NONE && (at == GS_INSTANT_NONE || at >= k->compromised_since)) {
		d->t = at == GS_INSTANT_NONE ? k->compromised_since : at;
		put_window(d, k, p->zone);
		instant_format_local(k->compromised_since, p->zone, d->arg[1]);
		return kit_deny(d, RULE_KEY_COMPROMISED);
	}
	*key = k->sign_pk;
	*index = i;
	return kit_permit(d, RULE_KEY_PERMIT);
}

int decide_key_rotation(const struct party *p, const struct key_rotation *r, gs_instant now,
			struct decision *d)
{
	int cur;
	gs_instant start = GS_INSTANT_NONE;

	if (!d)
		return GS_EINVAL;
	kit_begin(d);
	if (!p || !r)
		return GS_EINVAL;
	d->zone = p->zone;
	kit_put(d, 0, p->code);
	if (strcmp(p->code, r->party)) {
		kit_put(d, 1, r->party);
		return kit_deny(d, RULE_ROTATION_PARTY);
	}
	/* 1. it retires the key registered now */
	if (memcmp(r->old_key, p->sign_pk, 32))
		return kit_deny(d, RULE_ROTATION_OLD_KEY);
	/* 2. to a key never used before */
	if (!memcmp(r->new_key, p->sign_pk, 32) || party_key_index(p, r->new_key) >= 0)
		return kit_deny(d, RULE_ROTATION_NEW_KEY);
	/* 3. after the current key's start, and not ahead of the clock */
	cur = party_key_index(p, p->sign_pk);
	if (cur >= 0)
		start = p->keys[cur].valid_from;
	if ((start != GS_INSTANT_NONE && r->effective <= start) || r->effective > now) {
		d->t = r->effective;
		d->n = r->effective > now;
		if (!d->n)
			instant_format_local(start, p->zone, d->arg[1]);
		return kit_deny(d, RULE_ROTATION_ORDER);
	}
	/* 4. a key known to be compromised at that instant cannot hand over */
	if (cur >= 0 && p->keys[cur].compromised_since != GS_INSTANT_NONE &&
	    r->effective >= p->keys[cur].compromised_since) {
		d->t = p->keys[cur].compromised_since;
		return kit_deny(d, RULE_ROTATION_COMPROMISED);
	}
	d->t = r->effective;
	return kit_permit(d, RULE_ROTATION_PERMIT);
}

int decide_key_compromise(const struct party *p, const struct key_compromise *c, const char *self_code,
			  gs_instant now, struct decision *d)
{
	int i;

	if (!d)
		return GS_EINVAL;
	kit_begin(d);
	if (!p || !c || !self_code)
		return GS_EINVAL;
	d->zone = p->zone;
	kit_put(d, 0, c->party);
	kit_put(d, 1, c->reported_by);
	/* 1. about p, from p itself or this node's own record */
	if (strcmp(c->party, p->code) || (strcmp(c->reported_by, p->code) && strcmp(c->reported_by, self_code)))
		return kit_deny(d, RULE_COMPROMISE_PARTY);
	/* 2. a key p has or had */
	i = party_key_index(p, c->key);
	if (i < 0 && memcmp(c->key, p->sign_pk, 32))
		return kit_deny(d, RULE_COMPROMISE_UNKNOWN_KEY);
	/* 3. a compromise known by the time it is reported */
	if (c->since > c->reported || c->since > now) {
		d->t = c->since;
		return kit_deny(d, RULE_COMPROMISE_FUTURE);
	}
	/* 4. news: not already reported from an earlier or the same instant */
	if (i >= 0 && p->keys[i].compromised_since != GS_INSTANT_NONE &&
	    p->keys[i].compromised_since <= c->since) {
		d->t = p->keys[i].compromised_since;
		return kit_deny(d, RULE_COMPROMISE_KNOWN);
	}
	d->t = c->since;
	return kit_permit(d, RULE_COMPROMISE_PERMIT);
}

int key_reason(const struct decision *d, const char *t, char *buf, size_t cap)
{
	const char *a0 = d->arg[0], *a1 = d->arg[1], *a2 = d->arg[2], *a3 = d->arg[3];

	switch (d->rule) {
	case RULE_KEY_UNKNOWN:
		return snprintf(buf, cap, "refused: %s had no signing key registered here at %s", a0,
				t[0] ? t : "that instant");
	case RULE_KEY_COMPROMISED:
		return snprintf(buf, cap, "refused: %s's signing key of %s until %s was reported compromised "
				"since %s; a signature of %s by it is not trusted", a0, a2, a3, a1, t);
	case RULE_KEY_PERMIT:
		return snprintf(buf, cap, "permitted: signed with the key %s held at that instant", a0);
	case RULE_ROTATION_PARTY:
		return snprintf(buf, cap, "refused: the rotation is about %s, not %s", a1, a0);
	case RULE_ROTATION_OLD_KEY:
		return snprintf(buf, cap, "refused: the rotation does not retire %s's key registered here; "
				"rotations are imported in order", a0);
	case RULE_ROTATION_NEW_KEY:
		return snprintf(buf, cap, "refused: %s's new key was already used by %s; a rotation needs a "
				"fresh key", a0, a0);
	case RULE_ROTATION_ORDER:
		if (d->n)
			return snprintf(buf, cap, "refused: the rotation of %s takes effect at %s, in the future",
					a0, t);
		return snprintf(buf, cap, "refused: the rotation of %s takes effect at %s, not after its "
				"current key's start (%s)", a0, t, a1);
	case RULE_ROTATION_COMPROMISED:
		return snprintf(buf, cap, "refused: %s's current key is reported compromised since %s; a "
				"rotation it signs after that is not trusted", a0, t);
	case RULE_ROTATION_PERMIT:
		return snprintf(buf, cap, "permitted: %s's keys rotate at %s", a0, t);
	case RULE_COMPROMISE_PARTY:
		return snprintf(buf, cap, "refused: a compromise of %s's key is declared by %s itself or "
				"recorded by this node, not by %s", a0, a0, a1);
	case RULE_COMPROMISE_UNKNOWN_KEY:
		return snprintf(buf, cap, "refused: the key named is not one of %s's keys registered here", a0);
	case RULE_COMPROMISE_FUTURE:
		return snprintf(buf, cap, "refused: a compromise since %s is in the future of its report", t);
	case RULE_COMPROMISE_KNOWN:
		return snprintf(buf, cap, "refused: that key of %s is already reported compromised since %s", a0,
				t);
	case RULE_COMPROMISE_PERMIT:
		return snprintf(buf, cap, "permitted: %s's key is compromised since %s", a0, t);
	default:
		break;
	}
	return snprintf(buf, cap, "refused: invalid input");
}
