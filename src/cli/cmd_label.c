/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/labels.h"
#include "util/banned.h"

static const char label_help[] =
	"usage: gsomia label export BUNDLE|ITEM -o FILE.bdo [--review T] [--json]\n"
	"       gsomia label verify FILE.bdo [--bundle BUNDLE] [--json]\n"
	"       gsomia label key [CODE] [-o FILE]\n"
	"common options: --home DIR, --passphrase-file FILE\n\n"
	"export writes a STANAG 4778 binding of the STANAG 4774 labels of a bundle\n"
	"file, or of a held item, to the bundle's payload digest: the originator's\n"
	"label (its policy, classification, creation and review instants, the parties\n"
	"it is releasable to) and one alternative label per other party of the\n"
	"agreement, from the annex row; signed with this node's label key (ECDSA P-256,\n"
	"certified by its identity) so that `xmlsec1 --verify` checks it. --review:\n"
	"when the labels are to be reviewed (default: ten years after the bundle).\n"
	"verify checks a binding's signature against the registered parties'\n"
	"identities and, with --bundle, that it binds that bundle's payload.\n"
	"key writes a party's label key (default: this node's) as PEM, for\n"
	"`xmlsec1 --verify --pubkey-pem`. Formats: docs/labels.md.\n";

static json_t *label_json(const struct conf_label *l)
{
	json_t *o = json_object(), *cats = json_array();
	int i, k;

	json_object_set_new(o, "kind", json_string(l->alternative ? "alternative" : "originator"));
	json_object_set_new(o, "policy", json_string(l->policy_name));
	json_object_set_new(o, "policy_uri", json_string(l->policy_uri));
	json_object_set_new(o, "classification", json_string(l->classification));
	json_object_set_new(o, "created", jinstant(l->created));
	json_object_set_new(o, "review", jinstant(l->review));
	for (i = 0; i < l->ncategories; i++) {
		json_t *c = json_object(), *v = json_array();
		static const char *const types[] = { "RESTRICTIVE", "PERMISSIVE", "INFORMATIVE" };

		json_object_set_new(c, "tag_name", json_string(l->categories[i].tag_name));
		json_object_set_new(c, "type", json_string(types[l->categories[i].type % 3]));
		for (k = 0; k < l->categories[i].nvalues; k++)
			json_array_append_new(v, json_string(l->categories[i].values[k]));
		json_object_set_new(c, "values", v);
		json_array_append_new(cats, c);
	}
	json_object_set_new(o, "categories", cats);
	return o;
}

static json_t *info_json(const struct label_binding_info *info)
{
	json_t *o = json_object(), *alts = json_array();
	int i;

	json_object_set_new(o, "signer", json_string(info->signer));
	json_object_set_new(o, "signed_at", jinstant(info->b.signed_at));
	json_object_set_new(o, "binding", json_string(info->b.id));
	json_object_set_new(o, "data_reference", json_string(info->b.data_uri));
	json_object_set_new(o, "item", info->item[0] ? json_string(info->item) : json_null());
	json_object_set_new(o, "bundle", info->bundle[0] ? json_string(info->bundle) : json_null());
	json_object_set_new(o, "payload_checked", json_boolean(info->payload_checked));
	json_object_set_new(o, "originator_label", label_json(&info->b.orig));
	for (i = 0; i < info->b.nalts; i++)
		json_array_append_new(alts, label_json(&info->b.alts[i]));
	json_object_set_new(o, "alternative_labels", alts);
	return o;
}

static void label_print(const char *what, const struct conf_label *l)
{
	int i, k;

	printf("  %s: %s %s (%s)", what, l->policy_name, l->classification, l->policy_uri);
	for (i = 0; i < l->ncategories; i++) {
		printf("; %s", l->categories[i].tag_name);
		for (k = 0; k < l->categories[i].nvalues; k++)
			printf("%s%s", k ? ", " : " ", l->categories[i].values[k]);
	}
	printf("\n");
}

static void info_print(const struct label_binding_info *info)
{
	char t[GS_INSTANT_STR];
	int i;

	label_print("originator label", &info->b.orig);
	for (i = 0; i < info->b.nalts; i++)
		label_print("alternative label", &info->b.alts[i]);
	instant_format(info->b.signed_at, t);
	printf("  data reference: %s%s\n  signed by %s's label key at %s\n", info->b.data_uri,
	       info->payload_checked && info->bundle[0] ? " (the bundle's payload digest)" : "", info->signer, t);
}

int cmd_label(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "review", required_argument, NULL, 'r' },
		{ "bundle", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *output = NULL, *review_s = NULL, *bundle = NULL, *sub;
	struct label_binding_info *info = NULL;
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	gs_instant review = GS_INSTANT_NONE;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case 'r': review_s = optarg; break;
		case 'b': bundle = optarg; break;
		case 'h': fputs(label_help, stdout); return EXIT_OK;
		default: return usage_error("label", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("label", "missing subcommand (export, verify, key)");
	sub = argv[optind++];
	if (!strcmp(sub, "export")) {
		if (optind + 1 != argc || !output)
			return usage_error("label", "export needs one BUNDLE or ITEM and -o FILE");
		if (bundle)
			return usage_error("label", "--bundle is for verify");
		if (review_s && instant_parse(review_s, 0, &review))
			return usage_error("label", "--review '%s' is not an RFC 3339 instant or a date", review_s);
	} else if (!strcmp(sub, "verify")) {
		if (optind + 1 != argc || output || review_s)
			return usage_error("label", "verify takes one FILE and optionally --bundle BUNDLE");
	} else if (!strcmp(sub, "key")) {
		if (optind + 1 < argc || review_s || bundle || json)
			return usage_error("label", "key takes at most one party CODE and -o FILE");
	} else {
		return usage_error("label", "unknown subcommand '%s'", sub);
	}
	if (!(info = calloc(1, sizeof(*info))))
		return failf(GS_ENOMEM, "out of memory");
	if (!strcmp(sub, "export"))
		ret = open_node_unlocked(home, passfile, &n);
	else
		ret = open_node(home, &n);
	if (ret) {
		free(info);
		return ret;
	}
	if (!strcmp(sub, "export")) {
		ret = node_label_export(n, argv[optind], output, review, info, &d);
		if (!ret && json)
			print_json(info_json(info));
		else if (!ret && strcmp(output, "-")) {
			printf("labels of item %s (bundle %s) bound to its payload in %s\n", info->item, info->bundle, output);
			info_print(info);
		}
	} else if (!strcmp(sub, "verify")) {
		ret = node_label_verify(n, argv[optind], bundle, info, &d);
		if (!ret && json) {
			print_json(info_json(info));
		} else if (!ret) {
			printf("%s: binding verified: signed by %s\n", argv[optind], info->signer);
			info_print(info);
			if (!bundle)
				printf("  (give --bundle BUNDLE to check that it binds that bundle's payload)\n");
		}
	} else {
		char pem[512];

		ret = node_label_key_pem(n, optind < argc ? argv[optind] : node_self(n)->code, pem, sizeof(pem), &d);
		if (!ret) {
			node_close(n);
			free(info);
			return write_output(output ? output : "-", pem, strlen(pem));
		}
	}
	node_close(n);
	free(info);
	return ret ? fail(ret, &d) : EXIT_OK;
}
