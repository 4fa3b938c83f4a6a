/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "node/bundles.h"
#include "node/consent.h"
#include "node/items.h"
#include "node/labels.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/banned.h"

static const char release_help[] =
	"usage: gsomia release FILE --to PARTY --agreement ID --classification LABEL\n"
	"                      --purpose P --topic T [--title TEXT] [--form FORM]\n"
	"                      (or --label LABEL.xml instead of --classification)\n"
	"                      [--name NAME] [-o BUNDLE] [--deliver]\n"
	"       gsomia release --item ITEM --to PARTY --agreement ID [--arrangement ID] -o BUNDLE\n"
	"common options: --home DIR, --passphrase-file FILE, --json\n\n"
	"Releases one item to one party: decides (docs/rules.md), seals the file into a\n"
	"signed bundle for the recipient (docs/bundle-format.md), and records the item,\n"
	"its custody and a ledger entry, all or nothing. LABEL is in this node's scheme;\n"
	"--label takes it from a STANAG 4774 originator label in this node's policy\n"
	"(docs/labels.md): an unknown policy, classification or category is refused.\n"
	"A refusal prints the rule and the reason and exits 1. --deliver queues the\n"
	"bundle in the outbox for the recipient's node (docs/api.md) and tries once.\n"
	"The bundle carries the file's own name (--name: another), so that the\n"
	"recipient saves it under that name.\n"
	"With --item, passes on an item held from its originator (docs/consent.md).\n";

static const char receive_help[] =
	"usage: gsomia receive BUNDLE [--receipt OUT] [--marking LABEL] [--home DIR] [--json]\n\n"
	"Verifies a bundle (the sender's signature, the ciphertext digest, that this\n"
	"node is the recipient, that the agreement was in force at the release\n"
	"instant), stores the ciphertext only, marks the holding as the agreement\n"
	"says, logs it, and writes a signed receipt carrying this node's ledger proof.\n"
	"Where the annex row offers this party several equivalent labels (JPN:\n"
	"特定秘密 or 極秘), --marking picks one; the default is the first.\n"
	"Receiving the same bundle twice holds it once.\n";

static const char open_help[] =
	"usage: gsomia open ITEM --as PERSON [--purpose P] [--facility F] [-o FILE]\n"
	"                   [--home DIR] [--json]\n\n"
	"Decides whether PERSON may open ITEM here (docs/rules.md) and, if so,\n"
	"decrypts it into FILE (default: standard output). --purpose is the use the\n"
	"item is opened for (default: the purpose it was released for); another\n"
	"purpose needs the originator's consent for that use (Art 5). --facility is\n"
	"where (default: the person's facility). Every grant and every refusal is a\n"
	"ledger entry.\n";

static const char items_help[] =
	"usage: gsomia items [--json] [--home DIR]\n"
	"       gsomia items show ITEM [--json]\n\n"
	"The inventory: holdings with originator, markings, status, custody and copies.\n";

static int opt_common(int c, const char **home, const char **passfile, bool *json)
{
	switch (c) {
	case 'H': *home = optarg; return 1;
	case 'P': *passfile = optarg; return 1;
	case 'j': *json = true; return 1;
	}
	return 0;
}

#define COMMON_OPTS                                                   \
	{ "home", required_argument, NULL, 'H' },                     \
	{ "passphrase-file", required_argument, NULL, 'P' },          \
	{ "json", no_argument, NULL, 'j' },                           \
	{ "help", no_argument, NULL, 'h' }

static void print_banner(const char *labels, const char *originator)
{
	printf("==== %s — %s ====\n", labels, originator);
}

static int print_refusal(const struct decision *dec, bool json)
{
	char reason[GS_MAX_LINE];

	decision_reason(dec, reason, sizeof(reason));
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "decision", json_string("deny"));
		json_object_set_new(o, "rule", json_string(dec->rule_id ? dec->rule_id : ""));
		json_object_set_new(o, "reason", json_string(reason));
		print_json(o);
	}
	fprintf(stderr, "gsomia: %s [%s]\n", reason, dec->rule_id ? dec->rule_id : "");
	return EXIT_FAIL;
}

int cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "to", required_argument, NULL, 't' },
		{ "agreement", required_argument, NULL, 'A' },
		{ "classification", required_argument, NULL, 'c' },
		{ "purpose", required_argument, NULL, 'p' },
		{ "topic", required_argument, NULL, 'T' },
		{ "title", required_argument, NULL, 'i' },
		{ "form", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "deliver", no_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	bool deliver = false;
	const char *label_file = NULL;
	char label_cls[GS_MAX_LABEL];
	struct release_request r;
	struct release_result res;
	struct decision dec;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL;
	struct node *n;
	bool json = false;
	int c, ret;

	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "--item") || !strncmp(argv[c], "--item=", 7))
			return cmd_release_onward(argc, argv); /* a held item: cmd_consent.c */
	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 't': r.to = optarg; break;
		case 'A': r.agreement = optarg; break;
		case 'c': r.label = optarg; break;
		case 'p': r.purpose = optarg; break;
		case 'T': r.topic = optarg; break;
		case 'i': r.title = optarg; break;
		case 'f': r.form = optarg; break;
		case 'N': r.name = optarg; break;
		case 'o': r.output = optarg; break;
		case 'D': deliver = true; break;
		case 'L': label_file = optarg; break;
		case 'h': fputs(release_help, stdout); return EXIT_OK;
		default: return usage_error("release", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("release", "give exactly one FILE to release");
	r.file = argv[optind];
	/* the bundle carries the file's own name, so that the recipient saves
	 * it as it was; one a file system of theirs would not take is left out */
	if (!r.name) {
		const char *base = strrchr(r.file, '/') ? strrchr(r.file, '/') + 1 : r.file;

		r.name = node_bundle_name_ok(base) && strcmp(base, "-") ? base : NULL;
	}
	if (label_file && r.label)
		return usage_error("release", "give --classification or --label, not both");
	if (!r.to || !r.agreement || (!r.label && !label_file) || !r.purpose || !r.topic || (!r.output && !deliver))
		return usage_error("release", "--to, --agreement, --classification (or --label), --purpose, --topic and -o (or --deliver) are required");
	if (access(r.file, R_OK) != 0)
		return failf(GS_EIO, "%s: cannot read", r.file);
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	/* the classification a STANAG 4774 label gives, or nothing released */
	if (label_file && (ret = node_label_for_release(n, label_file, r.to, label_cls, &d))) {
		node_close(n);
		return fail(ret, &d);
	}
	if (label_file)
		r.label = label_cls;
	r.deliver = deliver;
	ret = node_release(n, &r, &res, &dec, &d);
	if (!ret && deliver) {
		/* queued with the release; the first attempt is made now, the
		 * rest by 'gsomia serve' or 'gsomia outbox send' */
		int dl, rf, rt;
		struct gs_diag cd = { { 0 } };

		(void)courier_deliver_due(n, &dl, &rf, &rt, &cd);
	}
	node_close(n);
	if (ret == GS_EDENIED && dec.rule_id)
		return print_refusal(&dec, json);
	if (ret)
		return fail(ret, &d);
	if (json) {
		json_t *o = json_object();

		char reason[GS_MAX_LINE];

		decision_reason(&dec, reason, sizeof(reason));
		json_object_set_new(o, "decision", json_string("permit"));
		json_object_set_new(o, "rule", json_string(dec.rule_id ? dec.rule_id : ""));
		json_object_set_new(o, "reason", json_string(reason));
		json_object_set_new(o, "item", json_string(res.item));
		json_object_set_new(o, "bundle", json_string(res.bundle));
		json_object_set_new(o, "banner_recipient", json_string(res.banner_recipient));
		json_object_set_new(o, "ledger_index", json_integer((json_int_t)res.ledger_index));
		print_json(o);
	} else if (!r.output || strcmp(r.output, "-")) {
		printf("released item %s to %s under %s as bundle %s (%s)\n", res.item, r.to, r.agreement,
		       res.bundle, r.output ? r.output : "queued for delivery");
		printf("the recipient will mark it %s\n", res.banner_recipient);
	}
	return EXIT_OK;
}

int cmd_receive(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "receipt", required_argument, NULL, 'r' },
		{ "marking", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct receive_result res;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL, *receipt = NULL, *marking = NULL;
	char labels[GS_BUNDLE_MAX_BANNER] = "";
	struct node *n;
	bool json = false;
	int c, ret, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 'r': receipt = optarg; break;
		case 'm': marking = optarg; break;
		case 'h': fputs(receive_help, stdout); return EXIT_OK;
		default: return usage_error("receive", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("receive", "give exactly one BUNDLE");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_receive_marked(n, argv[optind], receipt, marking, &res, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	for (i = 0; i < res.marking.nlabels; i++) {
		size_t used = strlen(labels);

		snprintf(labels + used, sizeof(labels) - used, "%s%s", i ? ", " : "", res.marking.labels[i]);
	}
	if (json) {
		json_t *o = json_object(), *m = json_array();

		for (i = 0; i < res.marking.nlabels; i++)
			json_array_append_new(m, json_string(res.marking.labels[i]));
		json_object_set_new(o, "item", json_string(res.item));
		json_object_set_new(o, "bundle", json_string(res.bundle));
		json_object_set_new(o, "already_held", json_boolean(res.already_held));
		json_object_set_new(o, "marking", m);
		json_object_set_new(o, "originator", json_string(res.marking.originator_name));
		json_object_set_new(o, "receipt", res.already_held ? json_null() : json_string(res.receipt_path));
		print_json(o);
	} else if (res.already_held) {
		printf("bundle %s (item %s) is already held; nothing changed\n", res.bundle, res.item);
	} else {
		print_banner(labels, res.marking.originator_name);
		printf("received item %s; held as %s, originator %s\nreceipt written to %s\n", res.item, labels,
		       res.marking.originator_name, res.receipt_path);
		print_banner(labels, res.marking.originator_name);
	}
	return EXIT_OK;
}

int cmd_receipt(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, { NULL, 0, NULL, 0 } };
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL;
	char bundle[BUNDLE_ID_HEX] = "";
	struct node *n;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		if (c == 'h') {
			fputs("usage: gsomia receipt import RECEIPT [--home DIR] [--json]\n\n"
			      "Checks a recipient's receipt (its signature, the release it names, and the\n"
			      "recipient's ledger proof that it logged the receipt) and records it.\n", stdout);
			return EXIT_OK;
		}
		return usage_error("receipt", "unknown option");
	}
	if (optind + 2 != argc || strcmp(argv[optind], "import"))
		return usage_error("receipt", "usage: gsomia receipt import RECEIPT");
	if ((ret = open_node(home, &n)))
		return ret;
	ret = node_receipt_import(n, argv[optind + 1], bundle, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "bundle", json_string(bundle));
		json_object_set_new(o, "receipt", json_string("verified"));
		print_json(o);
	} else {
		printf("receipt for bundle %s verified and recorded\n", bundle);
	}
	return EXIT_OK;
}

int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "as", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "purpose", required_argument, NULL, 'p' },
		{ "facility", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct decision dec;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL, *person = NULL, *output = "-", *purpose = NULL,
		   *facility = NULL;
	struct node *n;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 'a': person = optarg; break;
		case 'o': output = optarg; break;
		case 'p': purpose = optarg; break;
		case 'F': facility = optarg; break;
		case 'h': fputs(open_help, stdout); return EXIT_OK;
		default: return usage_error("open", "unknown option");
		}
	}
	if (optind + 1 != argc || !person)
		return usage_error("open", "give ITEM and --as PERSON");
	if (json && !strcmp(output, "-"))
		return usage_error("open", "--json needs -o FILE");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_open_item_at(n, argv[optind], person, facility, purpose, output, &dec, &d);
	node_close(n);
	if (ret == GS_EDENIED && dec.rule_id)
		return print_refusal(&dec, json);
	if (ret)
		return fail(ret, &d);
	if (json) {
		json_t *o = json_object();
		char reason[GS_MAX_LINE];

		decision_reason(&dec, reason, sizeof(reason));
		json_object_set_new(o, "decision", json_string("permit"));
		json_object_set_new(o, "rule", json_string(dec.rule_id));
		json_object_set_new(o, "reason", json_string(reason));
		json_object_set_new(o, "output", json_string(output));
		print_json(o);
	} else if (strcmp(output, "-")) {
		fprintf(stderr, "opened %s for %s into %s\n", argv[optind], person, output);
	}
	return EXIT_OK;
}

static void item_print(json_t *it)
{
	json_t *m = json_object_get(it, "marking"), *cu = json_object_get(it, "custody");
	size_t i;

	printf("%s  ", json_string_value(json_object_get(it, "id")));
	for (i = 0; i < json_array_size(m); i++)
		printf("%s%s", i ? ", " : "", json_string_value(json_array_get(m, i)));
	printf("  originator %s (%s)  [%s]  %s\n", json_string_value(json_object_get(it, "originator_name")),
	       json_string_value(json_object_get(it, "label")), json_string_value(json_object_get(it, "status")),
	       json_string_value(json_object_get(it, "title")));
	if (json_is_object(json_object_get(it, "key_compromise")))
		/* signed by a key since reported compromised (docs/keys.md) */
		printf("    KEY COMPROMISED: signed by %s's key %s, compromised since %s\n",
		       jstr(json_object_get(it, "key_compromise"), "party"),
		       jstr(json_object_get(it, "key_compromise"), "fingerprint"),
		       jstr(json_object_get(it, "key_compromise"), "since"));
	for (i = 0; i < json_array_size(cu); i++) {
		json_t *e = json_array_get(cu, i);

		printf("    %s  %-10s %s %s\n", json_string_value(json_object_get(e, "at")),
		       json_string_value(json_object_get(e, "event")), json_string_value(json_object_get(e, "actor")),
		       json_string_value(json_object_get(e, "detail")));
	}
	cu = json_object_get(it, "consents");
	for (i = 0; i < json_array_size(cu); i++) {
		json_t *e = json_array_get(cu, i);
		const char *third = json_string_value(json_object_get(e, "third_party"));

		printf("    consent %.16s  %s %s by %s to %s%s%s for '%s', %s until %s\n",
		       json_string_value(json_object_get(e, "id")), json_string_value(json_object_get(e, "kind")),
		       json_string_value(json_object_get(e, "decision")),
		       json_string_value(json_object_get(e, "originator")),
		       json_string_value(json_object_get(e, "holder"))[0]
			       ? json_string_value(json_object_get(e, "holder")) : "any holder",
		       third && third[0] ? ", third party " : "", third ? third : "",
		       json_string_value(json_object_get(e, "purpose")),
		       json_string_value(json_object_get(e, "state")),
		       json_is_string(json_object_get(e, "expires"))
			       ? json_string_value(json_object_get(e, "expires")) : "-");
	}
}

int cmd_items(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, { NULL, 0, NULL, 0 } };
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL, *show = NULL;
	struct node *n;
	bool json = false;
	json_t *all;
	size_t i;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		if (c == 'h') {
			fputs(items_help, stdout);
			return EXIT_OK;
		}
		return usage_error("items", "unknown option");
	}
	if (optind + 2 == argc && !strcmp(argv[optind], "show"))
		show = argv[optind + 1];
	else if (optind != argc)
		return usage_error("items", "unexpected argument '%s'", argv[optind]);
	if ((ret = open_node_read(home, &n)))
		return ret;
	ret = node_items(n, &all, &d);
	if (ret) {
		node_close(n);
		return fail(ret, &d);
	}
	if (show) {
		json_t *found = NULL, *consents = NULL;

		for (i = 0; i < json_array_size(all); i++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(all, i), "id")), show))
				found = json_incref(json_array_get(all, i));
		json_decref(all);
		if (!found) {
			node_close(n);
			return failf(GS_ENOTFOUND, "unknown item '%s'", show);
		}
		/* the originator's consents about it */
		ret = node_item_consents(n, found, &consents, &d);
		node_close(n);
		if (ret) {
			json_decref(found);
			return fail(ret, &d);
		}
		json_object_set_new(found, "consents", consents);
		all = found;
		if (json)
			print_json(all);
		else {
			item_print(all);
			json_decref(all);
		}
		return EXIT_OK;
	}
	node_close(n);
	if (json) {
		print_json(all);
		return EXIT_OK;
	}
	for (i = 0; i < json_array_size(all); i++)
		item_print(json_array_get(all, i));
	json_decref(all);
	return EXIT_OK;
}

/* gsomia bundle verify FILE: the longest verified prefix against the
 * sender's registered key; exit 0 only for a whole bundle. */
static int bundle_verify_cmd(const char *file, const char *home, bool json)
{
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	json_t *o = NULL;
	unsigned long long prefix, total;
	int ret, complete;

	if ((ret = open_node_read(home, &n)))
		return ret;
	ret = node_bundle_verify_file(n, file, &o, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	complete = json_is_true(json_object_get(o, "complete"));
	prefix = (unsigned long long)json_integer_value(json_object_get(o, "verified_bytes"));
	total = (unsigned long long)json_integer_value(json_object_get(o, "bytes"));
	if (!complete)
		fprintf(stderr, "gsomia: %s: %s; the first %llu of %llu bytes verify (a delivery resumes there)\n",
			file, d.msg[0] ? d.msg : "not a whole bundle", prefix, total);
	if (json) {
		json_object_del(o, "sender");
		json_object_del(o, "recipient");
		print_json(o);
		o = NULL;
	} else if (complete) {
		printf("%s: verified: bundle %s from %s to %s, %llu bytes\n", file, jstr(o, "bundle"), jstr(o, "sender"),
		       jstr(o, "recipient"), total);
	} else {
		printf("%s: the first %llu of these %llu bytes verify; the rest is missing or damaged\n", file, prefix,
		       total);
	}
	json_decref(o);
	return complete ? EXIT_OK : EXIT_FAIL;
}

int cmd_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *output = NULL;
	struct gs_diag d = { { 0 } };
	json_t *m = NULL;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		if (c == 'o') {
			output = optarg;
			continue;
		}
		if (c == 'h') {
			fputs("usage: gsomia bundle inspect BUNDLE [--json]\n"
			      "       gsomia bundle verify BUNDLE [--json] [--home DIR]\n"
			      "       gsomia bundle export ITEM -o FILE [--home DIR]\n\n"
			      "inspect shows a bundle's manifest and banner without keys. Nothing in it is\n"
			      "verified: 'gsomia receive' verifies. verify checks a bundle, or the part of\n"
			      "one received so far, against its sender's registered key without\n"
			      "decrypting: the signature, the chunk-hash section against the signed\n"
			      "root, then the age header and each chunk; it says how many bytes verify\n"
			      "and exits 0 only for a whole bundle that verifies. export writes the\n"
			      "bundle of an item this node released or holds (as kept in the home) again.\n",
			      stdout);
			return EXIT_OK;
		}
		return usage_error("bundle", "unknown option");
	}
	if (optind + 2 <= argc && !strcmp(argv[optind], "export")) {
		struct node *n;

		if (optind + 2 != argc || !output)
			return usage_error("bundle", "usage: gsomia bundle export ITEM -o FILE");
		if ((ret = open_node_read(home, &n)))
			return ret;
		ret = node_bundle_export(n, argv[optind + 1], output, &d);
		node_close(n);
		return ret ? fail(ret, &d) : EXIT_OK;
	}
	if (optind + 2 == argc && !strcmp(argv[optind], "verify"))
		return bundle_verify_cmd(argv[optind + 1], home, json);
	if (optind + 2 != argc || strcmp(argv[optind], "inspect"))
		return usage_error("bundle",
				   "usage: gsomia bundle inspect BUNDLE | verify BUNDLE | export ITEM -o FILE");
	if ((ret = node_bundle_describe(argv[optind + 1], &m, &d)))
		return fail(ret, &d);
	if (json) {
		print_json(m);
		return EXIT_OK;
	}
	printf("==== %s // %s ====%s\n", jstr(m, "banner_originator"), jstr(m, "banner_recipient"),
	       json_is_true(json_object_get(m, "exercise")) ? "  EXERCISE" : "");
	printf("bundle     %s\nitem       %s  %s\noriginator %s\nsender     %s\nrecipient  %s\n"
	       "agreement  %s version %lld\npurpose    %s\ntopic      %s\nform       %s\ncreated    %s\n"
	       "payload    %lld bytes, %s %s\nsigned by  %s (not verified)\n",
	       jstr(m, "bundle"), jstr(m, "item"), jstr(m, "title"), jstr(m, "originator"), jstr(m, "sender"),
	       jstr(m, "recipient"), jstr(m, "agreement"), (long long)json_integer_value(json_object_get(m, "agreement_version")),
	       jstr(m, "purpose"), jstr(m, "topic"), jstr(m, "form"), jstr(m, "created"),
	       (long long)json_integer_value(json_object_get(m, "payload_size")),
	       json_integer_value(json_object_get(m, "format")) == 1 ? "sha256" : "chunk-tree root",
	       json_integer_value(json_object_get(m, "format")) == 1 ? jstr(m, "payload_sha256") : jstr(m, "payload_root"),
	       jstr(m, "signed_by"));
	printf("==== %s // %s ====%s\n", jstr(m, "banner_originator"), jstr(m, "banner_recipient"),
	       json_is_true(json_object_get(m, "exercise")) ? "  EXERCISE" : "");
	json_decref(m);
	return EXIT_OK;
}

int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL, *output = NULL;
	struct node *n;
	bool json = false;
	char *buf;
	size_t len;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		if (c == 'o') {
			output = optarg;
			continue;
		}
		if (c == 'h') {
			fputs("usage: gsomia key export-age-identity -o FILE [--home DIR]\n\n"
			      "Writes this node's X25519 identity in age's format (mode 0600) so that a\n"
			      "holder can decrypt a bundle's payload with the stock age tool:\n"
			      "  tail -c +$((HEADER+1)) BUNDLE | age -d -i FILE\n"
			      "It is the node's secret key: keep it as safe as the home.\n", stdout);
			return EXIT_OK;
		}
		return usage_error("key", "unknown option");
	}
	if (optind + 1 != argc || strcmp(argv[optind], "export-age-identity") || !output)
		return usage_error("key", "usage: gsomia key export-age-identity -o FILE");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_export_age_identity(n, &buf, &len, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	if (!strcmp(output, "-"))
		ret = fwrite(buf, 1, len, stdout) == len ? 0 : GS_EIO;
	else
		ret = write_file_atomic(output, buf, len, 0600, &d);
	sodium_free(buf);
	return ret ? fail(ret, &d) : EXIT_OK;
}
