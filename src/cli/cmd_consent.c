/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/outbox.h"
#include "node/consent.h"
#include "node/onward.h"
#include "util/banned.h"

static const char consent_help[] =
	"usage: gsomia consent request ITEM --for PARTY --purpose P [--expires T] [--kind K] [--text TEXT] -o FILE\n"
	"       gsomia consent grant REQUEST_FILE [--expires T] [--topic TOPIC] [--text TEXT] -o FILE\n"
	"       gsomia consent grant (--item ITEM | --topic TOPIC) --to HOLDER --third-party CODE\n"
	"                            --purpose P --expires T [--kind K] [--text TEXT] -o FILE\n"
	"       gsomia consent refuse REQUEST_FILE [--text TEXT] -o FILE\n"
	"       gsomia consent refuse (--item ITEM | --topic TOPIC) --to HOLDER --third-party CODE --purpose P -o FILE\n"
	"       gsomia consent import FILE [--json]\n"
	"       gsomia consent list [--json]\n"
	"common options: --home DIR, --passphrase-file FILE, --json\n\n"
	"The originator's written consent (Art 5; docs/consent.md). A holder asks with\n"
	"'request' (a note signed by the holder, for the originator); the originator\n"
	"answers with 'grant' or 'refuse' (a note signed by the originator naming the\n"
	"item or its topic, the holder, the third party, the purpose and the expiry);\n"
	"the holder and the third party 'import' it (the originator's signature is\n"
	"verified first). K is onward (default), use or access. Each step is a ledger\n"
	"entry in the log for the other party.\n";

enum { O_FOR = 256, O_PURPOSE, O_EXPIRES, O_KIND, O_TEXT, O_ITEM, O_TOPIC, O_TO, O_THIRD };

static void print_consent(json_t *o)
{
	const char *item = json_string_value(json_object_get(o, "item"));

	printf("%.16s  %-9s %-6s from %s to %s", json_string_value(json_object_get(o, "id")),
	       json_string_value(json_object_get(o, "decision")), json_string_value(json_object_get(o, "kind")),
	       json_string_value(json_object_get(o, "originator")), json_string_value(json_object_get(o, "holder")));
	if (json_string_length(json_object_get(o, "third_party")))
		printf(" for %s", json_string_value(json_object_get(o, "third_party")));
	if (item && *item)
		printf("  item %s", item);
	else
		printf("  topic %s", json_string_value(json_object_get(o, "topic")));
	printf("  purpose %s", json_string_value(json_object_get(o, "purpose")));
	if (json_is_string(json_object_get(o, "expires")))
		printf("  expires %s", json_string_value(json_object_get(o, "expires")));
	if (json_is_string(json_object_get(o, "state")))
		printf("  [%s]", json_string_value(json_object_get(o, "state")));
	printf("\n");
}

int cmd_consent(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "for", required_argument, NULL, O_FOR },
		{ "purpose", required_argument, NULL, O_PURPOSE },
		{ "expires", required_argument, NULL, O_EXPIRES },
		{ "kind", required_argument, NULL, O_KIND },
		{ "text", required_argument, NULL, O_TEXT },
		{ "item", required_argument, NULL, O_ITEM },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "to", required_argument, NULL, O_TO },
		{ "third-party", required_argument, NULL, O_THIRD },
		{ NULL, 0, NULL, 0 },
	};
	struct consent_request_args rq;
	struct consent_grant_args gr;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL, *output = NULL, *verb;
	char id[CONSENT_ID_HEX] = "", *note = NULL;
	size_t len = 0;
	struct node *n;
	bool json = false;
	int c, ret;

	memset(&rq, 0, sizeof(rq));
	memset(&gr, 0, sizeof(gr));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case O_FOR: rq.third_party = optarg; break;
		case O_PURPOSE: rq.purpose = gr.purpose = optarg; break;
		case O_EXPIRES: rq.expires = gr.expires = optarg; break;
		case O_KIND: rq.kind = gr.kind = optarg; break;
		case O_TEXT: rq.text = gr.text = optarg; break;
		case O_ITEM: gr.item = optarg; break;
		case O_TOPIC: gr.topic = optarg; break;
		case O_TO: gr.holder = optarg; break;
		case O_THIRD: gr.third_party = optarg; break;
		case 'h': fputs(consent_help, stdout); return EXIT_OK;
		default: return usage_error("consent", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("consent", "give request, grant, refuse, import or list");
	verb = argv[optind++];
	if (!strcmp(verb, "list")) {
		json_t *all;
		size_t i;

		if (optind != argc)
			return usage_error("consent", "list takes no argument");
		if ((ret = open_node_read(home, &n)))
			return ret;
		ret = node_consents(n, &all, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		if (json) {
			print_json(all);
			return EXIT_OK;
		}
		for (i = 0; i < json_array_size(all); i++)
			print_consent(json_array_get(all, i));
		json_decref(all);
		return EXIT_OK;
	}
	if (!strcmp(verb, "import")) {
		json_t *rec;
		bool already;

		if (optind + 1 != argc)
			return usage_error("consent", "import takes one FILE");
		if ((ret = open_node(home, &n)))
			return ret;
		ret = node_consent_import(n, argv[optind], &rec, &already, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		json_object_set_new(rec, "already_held", json_boolean(already));
		if (json) {
			print_json(rec);
			return EXIT_OK;
		}
		if (already)
			printf("consent %.16s is already held; nothing changed\n",
			       json_string_value(json_object_get(rec, "id")));
		else
			printf("consent %.16s verified (signed by %s) and recorded\n",
			       json_string_value(json_object_get(rec, "id")),
			       json_string_value(json_object_get(rec, "originator")));
		print_consent(rec);
		json_decref(rec);
		return EXIT_OK;
	}
	if (strcmp(verb, "request") && strcmp(verb, "grant") && strcmp(verb, "refuse"))
		return usage_error("consent", "unknown subcommand '%s'", verb);
	if (!output)
		return usage_error("consent", "%s needs -o FILE", verb);
	if (!strcmp(verb, "request")) {
		if (optind + 1 != argc || !rq.purpose)
			return usage_error("consent", "request needs ITEM, --for PARTY and --purpose P");
		if (gr.item || gr.topic || gr.holder || gr.third_party)
			return usage_error("consent", "request takes --for, --purpose, --expires, --kind and --text");
		rq.item = argv[optind];
	} else {
		if (optind + 1 == argc)
			gr.request_file = argv[optind];
		else if (optind != argc)
			return usage_error("consent", "%s takes at most one REQUEST_FILE", verb);
		if (rq.third_party)
			return usage_error("consent", "--for is for 'request'; the originator names --third-party");
		gr.refuse = !strcmp(verb, "refuse");
	}
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	if (!strcmp(verb, "request"))
		ret = node_consent_request(n, &rq, &note, &len, id, &d);
	else
		ret = node_consent_grant(n, &gr, &note, &len, id, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	ret = write_output(output, note, len);
	free(note);
	if (ret)
		return ret;
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "decision", json_string(!strcmp(verb, "request") ? "requested"
							      : gr.refuse ? "refused" : "granted"));
		json_object_set_new(o, "output", json_string(output));
		print_json(o);
	} else if (strcmp(output, "-")) {
		printf("%s %s written to %s\n", !strcmp(verb, "request") ? "request" : gr.refuse ? "refusal" : "consent",
		       id, output);
	}
	return EXIT_OK;
}

static const char onward_help[] =
	"usage: gsomia release --item ITEM --to PARTY --agreement ID [--arrangement ID] -o BUNDLE\n"
	"common options: --home DIR, --passphrase-file FILE, --json\n\n"
	"Passes on an item this node holds from its originator (an onward release,\n"
	"Art 5; TISA leg 2). Decides the route and topic gate of the arrangement, if\n"
	"given, and the release under the leg's agreement, with the originator's\n"
	"consents held here (gsomia consent import); then seals the held document\n"
	"again for PARTY: the manifest names the true originator, this node as the\n"
	"sender, and the consent. A refusal prints the rule and the reason and exits 1.\n";

int cmd_release_onward(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "item", required_argument, NULL, O_ITEM },
		{ "to", required_argument, NULL, O_TO },
		{ "agreement", required_argument, NULL, 'A' },
		{ "arrangement", required_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ "deliver", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	bool deliver = false;
	struct onward_request r;
	struct release_result res;
	struct decision dec;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL;
	struct node *n;
	bool json = false;
	int c, ret;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case O_ITEM: r.item = optarg; break;
		case O_TO: r.to = optarg; break;
		case 'A': r.agreement = optarg; break;
		case 'R': r.arrangement = optarg; break;
		case 'o': r.output = optarg; break;
		case 'D': deliver = true; break;
		case 'h': fputs(onward_help, stdout); return EXIT_OK;
		default: return usage_error("release", "unknown option for --item (see 'gsomia release --item X --help')");
		}
	}
	if (optind != argc)
		return usage_error("release", "--item takes no FILE: the held document is released");
	if (!r.item || !r.to || !r.agreement || (!r.output && !deliver))
		return usage_error("release", "--item, --to, --agreement and -o (or --deliver) are required");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_release_onward(n, &r, &res, &dec, &d);
	if (!ret && deliver) {
		char path[GS_PATH_MAX];
		int dl, rf, rt;

		snprintf(path, sizeof(path), "%s/objects/%s.bundle", n->home, res.bundle);
		ret = outbox_enqueue(n, r.to, "bundle", res.bundle, path, &d);
		if (!ret)
			outbox_deliver_due(n, &dl, &rf, &rt, &d);
	}
	node_close(n);
	if (ret == GS_EDENIED && dec.rule_id && !d.msg[0]) {
		char reason[GS_MAX_LINE];

		decision_reason(&dec, reason, sizeof(reason));
		if (json) {
			json_t *o = json_object();

			json_object_set_new(o, "decision", json_string("deny"));
			json_object_set_new(o, "rule", json_string(dec.rule_id));
			json_object_set_new(o, "reason", json_string(reason));
			print_json(o);
		}
		fprintf(stderr, "gsomia: %s [%s]\n", reason, dec.rule_id);
		return EXIT_FAIL;
	}
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
		printf("passed item %s on to %s under %s%s%s as bundle %s (%s)\n", res.item, r.to, r.agreement,
		       r.arrangement ? " via " : "", r.arrangement ? r.arrangement : "", res.bundle,
		       r.output ? r.output : "queued for delivery");
		printf("the recipient will mark it %s\n", res.banner_recipient);
	}
	return EXIT_OK;
}
