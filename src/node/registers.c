/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger.h"
#include "node/registers.h"
#include "node/record.h"
#include "util/banned.h"

static const struct {
	unsigned bit;
	const char *name;
} roles[] = {
	{ ROLE_NSA_OFFICER, "nsa-officer" }, { ROLE_REGISTRY, "registry" },
	{ ROLE_READER, "reader" },           { ROLE_AUDITOR, "auditor" },
	{ ROLE_TRANSLATOR, "translator" }, { ROLE_MONITOR, "monitor" },
};

int role_parse(const char *s, unsigned *bit)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (!strcmp(s, roles[i].name)) {
			*bit = roles[i].bit;
			return 0;
		}
	}
	return GS_EINVAL;
}

const char *role_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].bit == bit)
			return roles[i].name;
	return "unknown";
}

static const char *const duty_kinds[] = { "topic", "purpose", "item" };

static int instant_from(json_t *j, gs_instant *out)
{
	if (!j || json_is_null(j)) {
		*out = GS_INSTANT_NONE;
		return 0;
	}
	if (!json_is_string(j))
		return GS_EINVAL;
	return instant_parse(json_string_value(j), 0, out);
}

/* The JSON string j into out: GS_EINVAL if not a string, GS_ELIMIT if too long. */
static int string_member(json_t *j, char *out, size_t cap)
{
	const char *s;

	if (!json_is_string(j))
		return GS_EINVAL;
	s = json_string_value(j);
	if (strlen(s) >= cap)
		return GS_ELIMIT;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

json_t *person_to_json(const struct person *p)
{
	json_t *o = json_object(), *nat = json_array(), *duties = json_array(), *rl = json_array();
	json_t *psc = json_object();
	int i;
	size_t r;

	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	for (i = 0; i < p->nnationalities; i++)
		json_array_append_new(nat, json_string(p->nationalities[i]));
	json_object_set_new(o, "nationalities", nat);
	json_object_set_new(o, "employer", json_string(p->employer));
	json_object_set_new(psc, "level", p->psc.level[0] ? json_string(p->psc.level) : json_null());
	json_object_set_new(psc, "valid_from", jinstant(p->psc.valid_from));
	json_object_set_new(psc, "valid_until", jinstant(p->psc.valid_until));
	json_object_set_new(o, "psc", psc);
	for (i = 0; i < p->nduties; i++) {
		json_t *d = json_object();

		json_object_set_new(d, "kind", json_string(duty_kinds[p->duties[i].kind]));
		json_object_set_new(d, "value", json_string(p->duties[i].value));
		json_array_append_new(duties, d);
	}
	json_object_set_new(o, "duties", duties);
	json_object_set_new(o, "facility", p->facility[0] ? json_string(p->facility) : json_null());
	for (r = 0; r < sizeof(roles) / sizeof(roles[0]); r++)
		if (p->roles & roles[r].bit)
			json_array_append_new(rl, json_string(roles[r].name));
	json_object_set_new(o, "roles", rl);
	return o;
}

int person_from_json(json_t *j, struct person *out)
{
	struct person p;
	json_t *v, *psc;
	size_t i;

	memset(&p, 0, sizeof(p));
	if (!json_is_object(j) || string_member(json_object_get(j, "id"), p.id, sizeof(p.id)) ||
	    string_member(json_object_get(j, "name"), p.name, sizeof(p.name)) ||
	    string_member(json_object_get(j, "employer"), p.employer, sizeof(p.employer)))
		return GS_EINVAL;
	v = json_object_get(j, "nationalities");
	if (!json_is_array(v) || json_array_size(v) > GS_MAX_NATIONALITIES)
		return GS_EINVAL;
	for (i = 0; i < json_array_size(v); i++)
		if (string_member(json_array_get(v, i), p.nationalities[p.nnationalities++], GS_MAX_CODE))
			return GS_EINVAL;
	psc = json_object_get(j, "psc");
	if (!json_is_object(psc))
		return GS_EINVAL;
	v = json_object_get(psc, "level");
	if (v && !json_is_null(v) && string_member(v, p.psc.level, sizeof(p.psc.level)))
		return GS_EINVAL;
	if (instant_from(json_object_get(psc, "valid_from"), &p.psc.valid_from) ||
	    instant_from(json_object_get(psc, "valid_until"), &p.psc.valid_until))
		return GS_EINVAL;
	v = json_object_get(j, "duties");
	if (!json_is_array(v) || json_array_size(v) > GS_MAX_DUTIES)
		return GS_EINVAL;
	for (i = 0; i < json_array_size(v); i++) {
		json_t *d = json_array_get(v, i);
		const char *k = json_string_value(json_object_get(d, "kind"));
		int kk;

		for (kk = 0; kk < 3 && (!k || strcmp(k, duty_kinds[kk])); kk++)
			;
		if (kk == 3 || string_member(json_object_get(d, "value"), p.duties[p.nduties].value, GS_MAX_NAME))
			return GS_EINVAL;
		p.duties[p.nduties++].kind = (enum duty_kind)kk;
	}
	v = json_object_get(j, "facility");
	if (v && !json_is_null(v) && string_member(v, p.facility, sizeof(p.facility)))
		return GS_EINVAL;
	v = json_object_get(j, "roles");
	if (!json_is_array(v))
		return GS_EINVAL;
	for (i = 0; i < json_array_size(v); i++) {
		unsigned bit;

		if (!json_is_string(json_array_get(v, i)) ||
		    role_parse(json_string_value(json_array_get(v, i)), &bit))
			return GS_EINVAL;
		p.roles |= bit;
	}
	*out = p;
	return 0;
}

json_t *facility_to_json(const struct facility *f)
{
	json_t *o = json_object(), *reg = json_array(), *cl = json_string("");
	char items[FACILITY_CHECKLIST_ITEMS + 1];
	int i, k = 0;

	for (i = 0; i < FACILITY_CHECKLIST_ITEMS; i++)
		if (f->checklist & (1u << i))
			items[k++] = (char)('a' + i);
	items[k] = 0;
	json_decref(cl);
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "party", json_string(f->party));
	json_object_set_new(o, "name", json_string(f->name));
	json_object_set_new(o, "contractor", json_boolean(f->contractor));
	json_object_set_new(o, "checklist", json_string(items));
	json_object_set_new(o, "initial_inspection", jinstant(f->initial_inspection));
	json_object_set_new(o, "periodic_inspection", jinstant(f->periodic_inspection));
	for (i = 0; i < f->nregister; i++)
		json_array_append_new(reg, json_string(f->reg_id[i]));
	json_object_set_new(o, "register", reg);
	return o;
}

int facility_from_json(json_t *j, struct facility *out)
{
	struct facility *f = out;
	json_t *v;
	const char *cl;
	size_t i;

	facility_init(f);
	if (!json_is_object(j) || string_member(json_object_get(j, "id"), f->id, sizeof(f->id)) ||
	    string_member(json_object_get(j, "party"), f->party, sizeof(f->party)) ||
	    string_member(json_object_get(j, "name"), f->name, sizeof(f->name)))
		return GS_EINVAL;
	f->contractor = json_is_true(json_object_get(j, "contractor"));
	cl = json_string_value(json_object_get(j, "checklist"));
	for (; cl && *cl; cl++) {
		if (*cl < 'a' || *cl >= 'a' + FACILITY_CHECKLIST_ITEMS)
			return GS_EINVAL;
		f->checklist |= 1u << (*cl - 'a');
	}
	if (instant_from(json_object_get(j, "initial_inspection"), &f->initial_inspection) ||
	    instant_from(json_object_get(j, "periodic_inspection"), &f->periodic_inspection))
		return GS_EINVAL;
	v = json_object_get(j, "register");
	if (!json_is_array(v))
		return GS_EINVAL;
	for (i = 0; i < json_array_size(v); i++) {
		const char *id = json_string_value(json_array_get(v, i));

		if (!id || facility_register_add(f, id))
			return GS_EINVAL;
	}
	return 0;
}

static int put_record(struct node *n, const char *table, const char *id, json_t *j, struct gs_diag *d)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	gs_instant now;
	int ret;

	json_decref(j);
	if (!s)
		return GS_ENOMEM;
	if ((ret = node_now(n, &now, d)) == 0)
		ret = store_record_put(n->st, table, id, s, now);
	free(s);
	return ret;
}

/* The last facility record parsed, kept by its exact text like persons:
 * a register of thousands costs far more to parse than to copy. */
struct facility_kept {
	char *text;
	struct facility f;
};

/* Person records parsed before, by their exact text: the same text
 * parses the same way, so a hit needs no parsing and no invalidation.
 * Every API call reads its caller's record. */
#define PERSON_CACHE_SLOTS 16

struct person_cache {
	unsigned next;
	struct {
		char *text; /* NULL: free */
		struct person p;
	} slot[PERSON_CACHE_SLOTS];
	struct facility_kept facility[1];
};

static struct facility_kept *kept_facility(struct node *n)
{
	if (!n->persons)
		n->persons = calloc(1, sizeof(*n->persons));
	return n->persons ? n->persons->facility : NULL;
}

int node_facility_borrow(struct node *n, const char *id, const struct facility **out, struct gs_diag *d)
{
	struct facility_kept *k = kept_facility(n);
	struct facility *f;
	json_error_t e;
	json_t *j;
	char *s;
	int ret;

	if (!k)
		return GS_ENOMEM;
	ret = store_record_get(n->st, "facilities", id, &s);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown facility '%s'", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read facilities '%s'", id);
	if (k->text && !strcmp(k->text, s)) {
		free(s);
		*out = &k->f;
		return 0;
	}
	/* parsed aside, so that a damaged record leaves the kept one whole */
	if (!(f = malloc(sizeof(*f)))) {
		free(s);
		return GS_ENOMEM;
	}
	j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	ret = j ? facility_from_json(j, f) : GS_EIO;
	json_decref(j);
	if (ret) {
		free(f);
		free(s);
		return gs_diag_set(d, ret, "damaged facility record '%s'", id);
	}
	free(k->text);
	k->text = s;
	memcpy(&k->f, f, sizeof(k->f));
	free(f);
	*out = &k->f;
	return 0;
}

int node_facility_get(struct node *n, const char *id, struct facility *out, struct gs_diag *d)
{
	const struct facility *f;
	int ret = node_facility_borrow(n, id, &f, d);

	if (!ret)
		memcpy(out, f, sizeof(*out));
	return ret;
}

void node_person_cache_release(struct node *n)
{
	int i;

	if (!n->persons)
		return;
	for (i = 0; i < PERSON_CACHE_SLOTS; i++)
		free(n->persons->slot[i].text);
	free(n->persons->facility[0].text);
	free(n->persons);
	n->persons = NULL;
}

int node_person_get(struct node *n, const char *id, struct person *out, struct gs_diag *d)
{
	struct person_cache *c = n->persons;
	json_error_t e;
	json_t *j;
	char *s;
	int i, ret;

	if (!c)
		c = n->persons = calloc(1, sizeof(*c));
	ret = store_record_get(n->st, "persons", id, &s);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown person '%s'", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read persons '%s'", id);
	for (i = 0; c && i < PERSON_CACHE_SLOTS; i++) {
		if (c->slot[i].text && !strcmp(c->slot[i].text, s)) {
			*out = c->slot[i].p;
			free(s);
			return 0;
		}
	}
	j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		free(s);
		return gs_diag_set(d, GS_EIO, "damaged record '%s' in persons", id);
	}
	ret = person_from_json(j, out);
	json_decref(j);
	if (ret) {
		free(s);
		return gs_diag_set(d, ret, "damaged person record '%s'", id);
	}
	if (c) {
		i = (int)c->next;
		c->next = (c->next + 1) % PERSON_CACHE_SLOTS;
		free(c->slot[i].text);
		c->slot[i].text = s;
		c->slot[i].p = *out;
	} else {
		free(s);
	}
	return 0;
}

int node_person_put(struct node *n, const struct person *p, struct gs_diag *d)
{
	struct party *employer = calloc(1, sizeof(*employer));
	struct facility *f = NULL;
	gs_instant now;
	int ret, i;

	if (!employer)
		return GS_ENOMEM;
	if (!p->id[0]) {
		ret = gs_diag_set(d, GS_EUSAGE, "a person needs an id");
		goto out;
	}
	for (i = 0; i < p->nnationalities; i++) {
		if (!party_code_is_valid(p->nationalities[i])) {
			ret = gs_diag_set(d, GS_EINVAL, "nationality '%s' is not an ISO 3166 alpha-3 code",
					  p->nationalities[i]);
			goto out;
		}
	}
	if (!p->nnationalities) {
		ret = gs_diag_set(d, GS_EUSAGE, "person '%s' needs at least one --nationality", p->id);
		goto out;
	}
	if ((ret = node_party_get(n, p->employer, employer, d)))
		goto out;
	if (p->psc.level[0] && scheme_find(&employer->scheme, p->psc.level) < 0) {
		char levels[GS_MAX_LINE] = "";
		size_t used = 0;

		for (i = 0; i < employer->scheme.nlevels; i++) {
			int w = snprintf(levels + used, sizeof(levels) - used, "%s%s", i ? ", " : "",
					 employer->scheme.levels[i].label);

			if (w < 0 || (size_t)w >= sizeof(levels) - used)
				break;
			used += (size_t)w;
		}
		ret = gs_diag_set(d, GS_EINVAL, "unknown classification label '%s' in the scheme of %s (%s)",
				  p->psc.level, employer->code, levels);
		goto out;
	}
	if (p->psc.valid_from != GS_INSTANT_NONE && p->psc.valid_until != GS_INSTANT_NONE &&
	    p->psc.valid_until <= p->psc.valid_from) {
		ret = gs_diag_set(d, GS_EINVAL, "PSC of '%s' ends before it starts", p->id);
		goto out;
	}
	if ((ret = store_begin(n->st)))
		goto out;
	if (p->facility[0]) {
		f = calloc(1, sizeof(*f));
		if (!f) {
			ret = GS_ENOMEM;
			goto rollback;
		}
		if ((ret = node_facility_get(n, p->facility, f, d)))
			goto rollback;
		ret = facility_register_add(f, p->id);
		if (ret && ret != GS_EEXIST) {
			gs_diag_set(d, ret, "cannot add '%s' to the register of '%s'", p->id, f->id);
			goto rollback;
		}
		if ((ret = put_record(n, "facilities", f->id, facility_to_json(f), d)))
			goto rollback;
	}
	if ((ret = put_record(n, "persons", p->id, person_to_json(p), d)) ||
	    (ret = node_now(n, &now, d)) ||
	    (ret = ledger_event(n, NULL, LEDGER_PERSON, now, p->id, d, "facility", p->facility,
				"psc", p->psc.level, NULL)) ||
	    (ret = store_commit(n->st)))
		goto rollback;
	goto out;
rollback:
	store_rollback(n->st);
out:
	free(f);
	free(employer);
	return ret;
}

int node_facility_put(struct node *n, const struct facility *f, struct gs_diag *d)
{
	struct party *p = calloc(1, sizeof(*p));
	gs_instant now;
	int ret;

	if (!p)
		return GS_ENOMEM;
	if (!f->id[0]) {
		ret = gs_diag_set(d, GS_EUSAGE, "a facility needs an id");
		goto out;
	}
	if ((ret = node_party_get(n, f->party, p, d)))
		goto out;
	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = put_record(n, "facilities", f->id, facility_to_json(f), d)) ||
	    (ret = node_now(n, &now, d)) ||
	    (ret = ledger_event(n, NULL, LEDGER_FACILITY, now, f->id, d, "party", f->party, NULL)) ||
	    (ret = store_commit(n->st)))
		store_rollback(n->st);
out:
	free(p);
	return ret;
}

int node_facility_register(struct node *n, const char *facility, const char *person, int add,
			   struct gs_diag *d)
{
	struct facility *f = calloc(1, sizeof(*f));
	struct person *p = calloc(1, sizeof(*p));
	gs_instant now;
	int ret;

	if (!f || !p) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_facility_get(n, facility, f, d)) || (ret = node_person_get(n, person, p, d)))
		goto out;
	ret = add ? facility_register_add(f, person) : facility_register_remove(f, person);
	if (ret == GS_EEXIST || ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, ret, "'%s' is %s on the register of '%s'", person,
				  add ? "already" : "not", facility);
		goto out;
	}
	if (ret)
		goto out;
	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = put_record(n, "facilities", f->id, facility_to_json(f), d)) ||
	    (ret = node_now(n, &now, d)) ||
	    (ret = ledger_event(n, NULL, add ? LEDGER_REGISTER_ADD : LEDGER_REGISTER_REMOVE, now,
				facility, d, "person", person, NULL)) ||
	    (ret = store_commit(n->st)))
		store_rollback(n->st);
out:
	free(f);
	free(p);
	return ret;
}

struct each_ctx {
	int (*pfn)(void *ctx, const struct person *p);
	int (*ffn)(void *ctx, const struct facility *f);
	void *ctx;
};

static int each_person(void *ctx, const char *id, const char *json)
{
	struct each_ctx *c = ctx;
	struct person *p = calloc(1, sizeof(*p));
	json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	int ret;

	(void)id;
	ret = !p ? GS_ENOMEM : !j || person_from_json(j, p) ? GS_EIO : c->pfn(c->ctx, p);
	json_decref(j);
	free(p);
	return ret;
}

static int each_facility(void *ctx, const char *id, const char *json)
{
	struct each_ctx *c = ctx;
	struct facility *f = calloc(1, sizeof(*f));
	json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	int ret;

	(void)id;
	ret = !f ? GS_ENOMEM : !j || facility_from_json(j, f) ? GS_EIO : c->ffn(c->ctx, f);
	json_decref(j);
	free(f);
	return ret;
}

int node_person_each(struct node *n, int (*fn)(void *ctx, const struct person *p), void *ctx)
{
	struct each_ctx c = { fn, NULL, ctx };

	return store_record_each(n->st, "persons", each_person, &c);
}

int node_facility_each(struct node *n, int (*fn)(void *ctx, const struct facility *f), void *ctx)
{
	struct each_ctx c = { NULL, fn, ctx };

	return store_record_each(n->st, "facilities", each_facility, &c);
}

/* A periodic security inspection of a contractor facility (Art 16(g)),
 * recorded at `at` (NONE: the node's clock): the next one falls due an
 * agreement's inspection-interval later (core/inspection.h). */
int node_facility_inspect(struct node *n, const char *id, gs_instant at, struct gs_diag *d)
{
	struct facility *f = calloc(1, sizeof(*f));
	char when[GS_INSTANT_STR];
	gs_instant now;
	int ret;

	if (!f)
		return GS_ENOMEM;
	if ((ret = node_now(n, &now, d)) || (ret = node_facility_get(n, id, f, d)))
		goto out;
	if (at == GS_INSTANT_NONE)
		at = now;
	if (!f->contractor) {
		ret = gs_diag_set(d, GS_EDENIED, "facility '%s' is not a contractor facility; Art 16(g) inspections are "
				  "recorded for contractors", id);
		goto out;
	}
	if (at > now || (f->initial_inspection != GS_INSTANT_NONE && at < f->initial_inspection)) {
		ret = gs_diag_set(d, GS_EINVAL, "facility '%s': an inspection is recorded between its initial inspection "
				  "and now, not at %s", id, (instant_format(at, when), when));
		goto out;
	}
	if (f->periodic_inspection != GS_INSTANT_NONE && at <= f->periodic_inspection) {
		ret = gs_diag_set(d, GS_EEXIST, "facility '%s': an inspection of %s or later is already recorded", id,
				  (instant_format(at, when), when));
		goto out;
	}
	f->periodic_inspection = at;
	instant_format(at, when);
	if ((ret = store_begin(n->st)))
		goto out;
	if ((ret = put_record(n, "facilities", f->id, facility_to_json(f), d)) ||
	    (ret = ledger_event(n, NULL, LEDGER_FACILITY, now, f->id, d, "party", f->party, "event",
				"periodic-inspection", "at", when, NULL)) ||
	    (ret = store_commit(n->st)))
		store_rollback(n->st);
out:
	free(f);
	return ret;
}
