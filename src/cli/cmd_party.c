/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/label.h"
#include "node/labels.h"
#include "util/banned.h"

static const char party_help[] =
	"usage: gsomia party export [-o FILE] [--home DIR]\n"
	"       gsomia party import FILE [--home DIR]\n"
	"       gsomia party list [--json] [--home DIR]\n"
	"       gsomia party show CODE [--json] [--home DIR]\n"
	"       gsomia party levels --from-spif SPIF.xml [-o FILE]\n\n"
	"export writes this node's signed public identity (code, name, zone, keys,\n"
	"classification scheme). import verifies another party's identity and\n"
	"registers it; compare the fingerprint it prints with the one the party gave\n"
	"you through another channel before trusting it. levels reads an XML SPIF and\n"
	"writes the 'policy:' and 'level:' lines of its scheme (most sensitive first),\n"
	"a levels file for 'gsomia init --levels' (docs/labels.md).\n";

static json_t *party_json(const struct party *p, const char *fpr, int is_self)
{
	json_t *o = json_object(), *levels = json_array();
	char zone[GS_ZONE_STR];
	int i;

	zone_format(p->zone, zone);
	json_object_set_new(o, "code", json_string(p->code));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "zone", json_string(zone));
	json_object_set_new(o, "exercise", json_boolean(p->exercise));
	json_object_set_new(o, "self", json_boolean(is_self));
	json_object_set_new(o, "fingerprint", json_string(fpr));
	json_object_set_new(o, "policy", p->policy[0] ? json_string(p->policy) : json_null());
	json_object_set_new(o, "policy_name", p->policy[0] ? json_string(party_policy_name(p)) : json_null());
	json_object_set_new(o, "label_key", json_boolean(p->has_label_key));
	for (i = 0; i < p->scheme.nlevels; i++) {
		json_t *l = json_object();

		json_object_set_new(l, "label", json_string(p->scheme.levels[i].label));
		json_object_set_new(l, "romanisation", json_string(p->scheme.levels[i].roman));
		json_object_set_new(l, "gloss", json_string(p->scheme.levels[i].gloss));
		json_array_append_new(levels, l);
	}
	json_object_set_new(o, "scheme", levels);
	return o;
}

static void party_print(const struct party *p, const char *fpr)
{
	char zone[GS_ZONE_STR];
	int i;

	zone_format(p->zone, zone);
	printf("%s  %s%s\n  zone %s\n  fingerprint %s\n", p->code, p->name, p->exercise ? "  [EXERCISE]" : "",
	       zone, fpr);
	if (p->policy[0])
		printf("  policy %s (%s)\n", p->policy, party_policy_name(p));
	if (p->has_label_key)
		printf("  label key: certified ('gsomia label key %s' writes it)\n", p->code);
	else
		printf("  label key: none\n");
	printf("  scheme (most sensitive first):\n");
	for (i = 0; i < p->scheme.nlevels; i++)
		printf("    %s  %s  (%s)\n", p->scheme.levels[i].label, p->scheme.levels[i].roman,
		       p->scheme.levels[i].gloss);
}

struct list_ctx {
	bool json;
	json_t *arr;
};

static int list_one(void *ctx, const struct store_party *sp)
{
	struct list_ctx *c = ctx;

	if (c->json) {
		json_t *o = json_object();

		json_object_set_new(o, "code", json_string(sp->code));
		json_object_set_new(o, "name", json_string(sp->name));
		json_object_set_new(o, "fingerprint", json_string(sp->fingerprint));
		json_object_set_new(o, "self", json_boolean(sp->is_self));
		json_array_append_new(c->arr, o);
	} else {
		printf("%-4s %-40s %s%s\n", sp->code, sp->name, sp->fingerprint, sp->is_self ? "  (this node)" : "");
	}
	return 0;
}

int cmd_party(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "from-spif", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *output = NULL, *spif = NULL, *sub;
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'o': output = optarg; break;
		case 'j': json = true; break;
		case 'S': spif = optarg; break;
		case 'h': fputs(party_help, stdout); return EXIT_OK;
		default: return usage_error("party", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("party", "missing subcommand (export, import, list, show)");
	sub = argv[optind++];
	if (!strcmp(sub, "levels")) {
		char *text = NULL;
		size_t len = 0;

		if (!spif || optind != argc || json)
			return usage_error("party", "levels takes --from-spif SPIF.xml and -o FILE");
		if ((ret = spif_file_levels(spif, &text, &len, &d)))
			return fail(ret, &d);
		ret = write_output(output ? output : "-", text, len);
		free(text);
		return ret;
	}
	if (spif)
		return usage_error("party", "--from-spif is for 'party levels'");
	if (strcmp(sub, "export") && strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "show"))
		return usage_error("party", "unknown subcommand '%s'", sub);
	if ((!strcmp(sub, "import") || !strcmp(sub, "show")) ? optind + 1 != argc : optind != argc)
		return usage_error("party", "wrong number of arguments for '%s'", sub);
	if ((ret = open_node(home, &n)))
		return ret;
	if (!strcmp(sub, "export")) {
		char *buf;
		size_t len;

		if ((ret = node_party_export(n, &buf, &len, &d)) == 0) {
			ret = write_output(output, buf, len);
			free(buf);
			node_close(n);
			return ret;
		}
	} else if (!strcmp(sub, "import")) {
		uint8_t *buf;
		size_t len;
		struct party *p = calloc(1, sizeof(*p));
		char fpr[80];

		if (!p)
			ret = GS_ENOMEM;
		else if ((ret = read_file(argv[optind], GS_MAX_NOTE_BYTES, &buf, &len, &d)) == 0) {
			ret = node_party_import(n, buf, len, p, fpr, &d);
			if (ret)
				gs_diag_prefix(&d, "%s", argv[optind]);
			else if (json)
				print_json(party_json(p, fpr, 0));
			else
				printf("imported %s (%s)\nfingerprint %s\ncompare it with the fingerprint %s gave you out of band\n",
				       p->code, p->name, fpr, p->code);
			free(buf);
		}
		free(p);
	} else if (!strcmp(sub, "list")) {
		struct list_ctx lc = { json, json_array() };

		ret = store_party_each(n->st, list_one, &lc);
		if (!ret && json)
			print_json(lc.arr);
		else
			json_decref(lc.arr);
	} else {
		struct party *p = calloc(1, sizeof(*p));
		struct store_party sp;

		if (!p) {
			ret = GS_ENOMEM;
		} else if ((ret = node_party_get(n, argv[optind], p, &d)) == 0 &&
			   (ret = store_party_get(n->st, argv[optind], &sp)) == 0) {
			if (json)
				print_json(party_json(p, sp.fingerprint, sp.is_self));
			else
				party_print(p, sp.fingerprint);
			store_party_release(&sp);
		}
		free(p);
	}
	node_close(n);
	return ret ? fail(ret, &d) : EXIT_OK;
}
