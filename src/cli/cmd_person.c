/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/auth.h"
#include "node/registers.h"
#include "util/banned.h"

static const char person_help[] =
	"usage: gsomia person add ID --name NAME --nationality CODE [--nationality CODE]\n"
	"                         --employer CODE [--psc LABEL [--psc-from T] [--psc-until T]]\n"
	"                         [--duty topic:T|purpose:P|item:I]... [--facility F]\n"
	"                         [--role nsa-officer|registry|reader|auditor|translator|monitor]...\n"
	"       gsomia person list [--json]\n"
	"       gsomia person show ID [--json]\n"
	"       gsomia person password ID [--password-file FILE]\n"
	"common options: --home DIR\n\n"
	"The register of persons: nationalities, employer party, personnel security\n"
	"clearance (a label of the employer's scheme, with its validity), duties that\n"
	"give need-to-know, facility (the person is put on its register) and roles.\n"
	"add replaces a person with the same id.\n"
	"password sets the password the person signs in to the node's API with\n"
	"(docs/api.md): from $GSOMIA_PERSON_PASSWORD, else --password-file (one\n"
	"trailing newline dropped), else asked twice on the terminal; at least 8\n"
	"bytes. Only an Argon2id hash of it is kept.\n";

static const char facility_help[] =
	"usage: gsomia facility add ID --name NAME [--party CODE] [--contractor]\n"
	"                           [--checklist LETTERS] [--initial-inspection T]\n"
	"                           [--periodic-inspection T]\n"
	"       gsomia facility inspect ID [--at T]\n"
	"       gsomia facility register ID PERSON\n"
	"       gsomia facility unregister ID PERSON\n"
	"       gsomia facility list [--json]\n"
	"       gsomia facility show ID [--json]\n"
	"common options: --home DIR\n\n"
	"Facilities and their registers of authorised persons (Art. 6(e)). A\n"
	"contractor facility receives nothing until every item (a)-(o) of Art. 16 is\n"
	"recorded (--checklist abcdefghijklmno) and an initial inspection is done.\n"
	"inspect records a periodic security inspection of a contractor facility\n"
	"(Art 16(g)) at T (default: now); where an agreement sets an\n"
	"inspection-interval, access at a contractor facility whose next inspection\n"
	"is overdue is refused (access.inspection-overdue).\n";

static void person_print(const struct person *p)
{
	char s[GS_INSTANT_STR];
	int i;
	unsigned bit;

	printf("%s  %s\n  nationality", p->id, p->name);
	for (i = 0; i < p->nnationalities; i++)
		printf(" %s", p->nationalities[i]);
	printf("\n  employer %s\n  PSC %s", p->employer, p->psc.level[0] ? p->psc.level : "(none)");
	if (p->psc.valid_from != GS_INSTANT_NONE) {
		instant_format(p->psc.valid_from, s);
		printf(" from %s", s);
	}
	if (p->psc.valid_until != GS_INSTANT_NONE) {
		instant_format(p->psc.valid_until, s);
		printf(" until %s", s);
	}
	printf("\n  duties");
	for (i = 0; i < p->nduties; i++)
		printf(" %s:%s", p->duties[i].kind == DUTY_TOPIC ? "topic" : p->duties[i].kind == DUTY_PURPOSE ? "purpose" : "item",
		       p->duties[i].value);
	printf("\n  facility %s\n  roles", p->facility[0] ? p->facility : "(none)");
	for (bit = 1; bit <= ROLE_LAST; bit <<= 1)
		if (p->roles & bit)
			printf(" %s", role_name(bit));
	printf("\n");
}

struct list_ctx {
	bool json;
	json_t *arr;
};

static int person_list_one(void *ctx, const struct person *p)
{
	struct list_ctx *c = ctx;

	if (c->json)
		json_array_append_new(c->arr, person_to_json(p));
	else
		printf("%-16s %-32s %-4s %s\n", p->id, p->name, p->employer, p->psc.level[0] ? p->psc.level : "-");
	return 0;
}

static int facility_list_one(void *ctx, const struct facility *f)
{
	struct list_ctx *c = ctx;

	if (c->json)
		json_array_append_new(c->arr, facility_to_json(f));
	else
		printf("%-16s %-4s %-32s %s, %d on register\n", f->id, f->party, f->name,
		       f->contractor ? "contractor" : "government", f->nregister);
	return 0;
}

static int parse_instant_opt(const char *s, gs_instant *out)
{
	return instant_parse(s, 0, out);
}

/* --psc-from and --psc-until: a bare date is a day in the zone of the
 * party that granted the PSC (the employer), from its start, until its
 * end (instant_parse_end), as the day boundaries of its agreements are. */
static int psc_dates(struct node *n, struct person *p, const char *from, const char *until)
{
	struct party *emp = calloc(1, sizeof(*emp));
	int32_t zone = node_self(n)->zone;
	int ret = 0;

	if (!emp)
		return failf(GS_ENOMEM, "out of memory");
	if (!node_party_get(n, p->employer, emp, NULL))
		zone = emp->zone;
	free(emp);
	if (from && instant_parse(from, zone, &p->psc.valid_from))
		ret = usage_error("person", "'%s' is not an RFC 3339 instant or a date", from);
	else if (until && instant_parse_end(until, zone, &p->psc.valid_until))
		ret = usage_error("person", "'%s' is not an RFC 3339 instant or a date", until);
	return ret;
}

int cmd_person(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'n' },
		{ "nationality", required_argument, NULL, 'N' },
		{ "employer", required_argument, NULL, 'e' },
		{ "psc", required_argument, NULL, 'p' },
		{ "psc-from", required_argument, NULL, 'f' },
		{ "psc-until", required_argument, NULL, 'u' },
		{ "duty", required_argument, NULL, 'd' },
		{ "facility", required_argument, NULL, 'F' },
		{ "role", required_argument, NULL, 'r' },
		{ "password-file", required_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct person *p = calloc(1, sizeof(*p));
	const char *pwfile = NULL, *psc_from = NULL, *psc_until = NULL;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *sub;
	struct node *n = NULL;
	bool json = false;
	unsigned bit;
	int c, ret = 0;

	if (!p)
		return failf(GS_ENOMEM, "out of memory");
	p->psc.valid_from = p->psc.valid_until = GS_INSTANT_NONE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'n': snprintf(p->name, sizeof(p->name), "%s", optarg); break;
		case 'N':
			if (p->nnationalities == GS_MAX_NATIONALITIES) {
				ret = usage_error("person", "at most %d nationalities", GS_MAX_NATIONALITIES);
				goto out;
			}
			snprintf(p->nationalities[p->nnationalities++], GS_MAX_CODE, "%s", optarg);
			break;
		case 'e': snprintf(p->employer, sizeof(p->employer), "%s", optarg); break;
		case 'p': snprintf(p->psc.level, sizeof(p->psc.level), "%s", optarg); break;
		case 'f': psc_from = optarg; break;
		case 'u': psc_until = optarg; break;
		case 'd': {
			const char *colon = strchr(optarg, ':');
			struct duty *du = &p->duties[p->nduties];

			if (p->nduties == GS_MAX_DUTIES || !colon || !colon[1]) {
				ret = usage_error("person", "--duty takes topic:T, purpose:P or item:I (at most %d)", GS_MAX_DUTIES);
				goto out;
			}
			if (!strncmp(optarg, "topic:", 6))
				du->kind = DUTY_TOPIC;
			else if (!strncmp(optarg, "purpose:", 8))
				du->kind = DUTY_PURPOSE;
			else if (!strncmp(optarg, "item:", 5))
				du->kind = DUTY_ITEM;
			else {
				ret = usage_error("person", "unknown duty kind in '%s'", optarg);
				goto out;
			}
			snprintf(du->value, sizeof(du->value), "%s", colon + 1);
			p->nduties++;
			break;
		}
		case 'F': snprintf(p->facility, sizeof(p->facility), "%s", optarg); break;
		case 'r':
			if (role_parse(optarg, &bit)) {
				ret = usage_error("person", "unknown role '%s'", optarg);
				goto out;
			}
			p->roles |= bit;
			break;
		case 'W': pwfile = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(person_help, stdout); goto out;
		default: ret = usage_error("person", "unknown option"); goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error("person", "missing subcommand (add, list, show, password)");
		goto out;
	}
	sub = argv[optind++];
	if (!strcmp(sub, "list")) {
		struct list_ctx lc = { json, NULL };

		if ((ret = open_node_read(home, &n)))
			goto out;
		lc.arr = json_array();
		ret = node_person_each(n, person_list_one, &lc);
		if (!ret && json)
			print_json(lc.arr);
		else
			json_decref(lc.arr);
	} else if (!strcmp(sub, "show") && optind + 1 == argc) {
		if ((ret = open_node_read(home, &n)))
			goto out;
		if (!(ret = node_person_get(n, argv[optind], p, &d))) {
			if (json)
				print_json(person_to_json(p));
			else
				person_print(p);
		}
	} else if (!strcmp(sub, "add") && optind + 1 == argc) {
		snprintf(p->id, sizeof(p->id), "%s", argv[optind]);
		if (!p->name[0] || !p->employer[0]) {
			ret = usage_error("person", "add needs --name and --employer");
			goto out;
		}
		if ((ret = open_node(home, &n)) || (ret = psc_dates(n, p, psc_from, psc_until)))
			goto out;
		if (!(ret = node_person_put(n, p, &d)))
			printf("registered %s (%s)\n", p->id, p->name);
	} else if (!strcmp(sub, "password") && optind + 1 == argc) {
		char *pw = NULL;
		size_t pwlen = 0;

		if ((ret = open_node(home, &n)))
			goto out;
		if ((ret = node_person_get(n, argv[optind], p, &d)) ||
		    (ret = secret_get("GSOMIA_PERSON_PASSWORD", "password", pwfile, true, &pw, &pwlen, &d)))
			goto failed;
		ret = node_password_set(n, p->id, pw, pwlen, &d);
		passphrase_free(pw, pwlen);
		if (!ret)
			printf("password set for %s\n", p->id);
	} else {
		ret = usage_error("person", "unknown subcommand or wrong arguments: '%s'", sub);
		goto out;
	}
failed:
	if (ret)
		ret = fail(ret, &d);
out:
	node_close(n);
	free(p);
	return ret;
}

int cmd_facility(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'n' },
		{ "party", required_argument, NULL, 'p' },
		{ "contractor", no_argument, NULL, 'c' },
		{ "checklist", required_argument, NULL, 'k' },
		{ "initial-inspection", required_argument, NULL, 'i' },
		{ "periodic-inspection", required_argument, NULL, 'I' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct facility *f = calloc(1, sizeof(*f));
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *party = NULL, *sub, *k;
	struct node *n = NULL;
	gs_instant inspected = GS_INSTANT_NONE;
	bool json = false;
	int c, ret = 0;

	if (!f)
		return failf(GS_ENOMEM, "out of memory");
	facility_init(f);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'n': snprintf(f->name, sizeof(f->name), "%s", optarg); break;
		case 'p': party = optarg; break;
		case 'c': f->contractor = true; break;
		case 'k':
			for (k = optarg; *k; k++) {
				if (*k < 'a' || *k >= 'a' + FACILITY_CHECKLIST_ITEMS) {
					ret = usage_error("facility", "checklist items are letters a to o, not '%c'", *k);
					goto out;
				}
				f->checklist |= 1u << (*k - 'a');
			}
			break;
		case 'i':
		case 'I':
			if (parse_instant_opt(optarg, c == 'i' ? &f->initial_inspection : &f->periodic_inspection)) {
				ret = usage_error("facility", "'%s' is not an RFC 3339 instant or a date", optarg);
				goto out;
			}
			break;
		case 'a':
			if (parse_instant_opt(optarg, &inspected)) {
				ret = usage_error("facility", "--at '%s' is not an RFC 3339 instant or a date", optarg);
				goto out;
			}
			break;
		case 'j': json = true; break;
		case 'h': fputs(facility_help, stdout); goto out;
		default: ret = usage_error("facility", "unknown option"); goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error("facility", "missing subcommand (add, inspect, register, unregister, list, show)");
		goto out;
	}
	sub = argv[optind++];
	/* list and show only read */
	if ((ret = !strcmp(sub, "list") || !strcmp(sub, "show") ? open_node_read(home, &n) : open_node(home, &n)))
		goto out;
	if (!strcmp(sub, "list") && optind == argc) {
		struct list_ctx lc = { json, json_array() };

		ret = node_facility_each(n, facility_list_one, &lc);
		if (!ret && json)
			print_json(lc.arr);
		else
			json_decref(lc.arr);
	} else if (!strcmp(sub, "show") && optind + 1 == argc) {
		if (!(ret = node_facility_get(n, argv[optind], f, &d))) {
			json_t *j = facility_to_json(f);

			if (json) {
				print_json(j);
			} else {
				char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

				puts(s ? s : "");
				free(s);
				json_decref(j);
			}
		}
	} else if (!strcmp(sub, "add") && optind + 1 == argc) {
		struct facility *old = calloc(1, sizeof(*old));

		snprintf(f->id, sizeof(f->id), "%s", argv[optind]);
		snprintf(f->party, sizeof(f->party), "%s", party ? party : node_self(n)->code);
		if (!f->name[0]) {
			free(old);
			ret = usage_error("facility", "add needs --name");
			goto out;
		}
		/* Re-adding keeps the register. */
		if (old && !node_facility_get(n, f->id, old, NULL)) {
			int i;

			for (i = 0; i < old->nregister; i++)
				facility_register_add(f, old->reg_id[i]);
		}
		free(old);
		if (!(ret = node_facility_put(n, f, &d)))
			printf("registered facility %s (%s)\n", f->id, f->name);
	} else if (!strcmp(sub, "inspect") && optind + 1 == argc) {
		if (!(ret = node_facility_inspect(n, argv[optind], inspected, &d)))
			printf("periodic inspection of %s recorded\n", argv[optind]);
	} else if ((!strcmp(sub, "register") || !strcmp(sub, "unregister")) && optind + 2 == argc) {
		if (!(ret = node_facility_register(n, argv[optind], argv[optind + 1], !strcmp(sub, "register"), &d)))
			printf("%s %s the register of %s\n", argv[optind + 1],
			       !strcmp(sub, "register") ? "added to" : "removed from", argv[optind]);
	} else {
		ret = usage_error("facility", "unknown subcommand or wrong arguments: '%s'", sub);
		goto out;
	}
	if (ret)
		ret = fail(ret, &d);
out:
	node_close(n);
	free(f);
	return ret;
}
