/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/agreements.h"
#include "node/decisions.h"
#include "node/items.h"
#include "util/banned.h"

static const char decide_help[] =
	"usage: gsomia decide release --agreement ID --to PARTY --classification LABEL\n"
	"                             --purpose P --topic T [--originator CODE]\n"
	"       gsomia decide access  --person ID --item ITEM [--purpose USE] [--facility F]\n"
	"       gsomia decide access  --person ID --agreement ID --classification LABEL\n"
	"                             --purpose P --topic T [--originator CODE] [--facility F]\n"
	"       gsomia decide onward  --item ITEM --to PARTY --agreement ID [--arrangement ID]\n"
	"       gsomia decide onward  --to PARTY --originator CODE --classification LABEL\n"
	"                             --purpose P --topic T [--arrangement ID]\n"
	"common options: --at T (default now), --json, --home DIR\n\n"
	"Asks the decision engine whether an action would be allowed, before acting,\n"
	"with what the node holds (agreements, parties, registers, consents): the\n"
	"answer the action would get at that instant.\n"
	"--item asks about a held item: 'access' as 'gsomia open ITEM --as ID\n"
	"[--purpose USE]' would decide, 'onward' as 'gsomia release --item ITEM ...'.\n"
	"Without --item the item is hypothetical: LABEL is in the originator's scheme\n"
	"(default originator: this node's party); 'access' asks about an item this node\n"
	"holds, its own or received from the originator under the agreement and marked\n"
	"as the agreement says; 'onward' decides the route, the topic gate and the\n"
	"originator's consent.\n"
	"Prints permit or deny, the rule that decided and the reason. Exit status 0\n"
	"for permit, 1 for deny.\n";

int cmd_decide(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "agreement", required_argument, NULL, 'A' },
		{ "arrangement", required_argument, NULL, 'R' },
		{ "to", required_argument, NULL, 't' },
		{ "classification", required_argument, NULL, 'c' },
		{ "purpose", required_argument, NULL, 'p' },
		{ "topic", required_argument, NULL, 'T' },
		{ "originator", required_argument, NULL, 'o' },
		{ "person", required_argument, NULL, 'P' },
		{ "facility", required_argument, NULL, 'F' },
		{ "item", required_argument, NULL, 'I' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct decide_query q;
	struct decision dec;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *at = NULL, *sub;
	char reason[GS_MAX_LINE];
	struct node *n = NULL;
	bool json = false;
	int c, ret;

	memset(&q, 0, sizeof(q));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'A': q.agreement = optarg; break;
		case 'R': q.arrangement = optarg; break;
		case 'I': q.item = optarg; break;
		case 't': q.to = optarg; break;
		case 'c': q.label = optarg; break;
		case 'p': q.purpose = optarg; break;
		case 'T': q.topic = optarg; break;
		case 'o': q.originator = optarg; break;
		case 'P': q.person = optarg; break;
		case 'F': q.facility = optarg; break;
		case 'a': at = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(decide_help, stdout); return EXIT_OK;
		default: return usage_error("decide", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("decide", "which decision? release, access or onward");
	sub = argv[optind];
	if (strcmp(sub, "release") && strcmp(sub, "access") && strcmp(sub, "onward"))
		return usage_error("decide", "unknown decision '%s'", sub);
	if (q.item && !strcmp(sub, "release"))
		return usage_error("decide", "release is about a new item of this node: give its --classification, --purpose and --topic, not --item");
	if (q.item && (q.label || q.topic || q.originator))
		return usage_error("decide", "--item names a held item: its classification, topic and originator are the item's");
	if (!q.item && (!q.label || !q.purpose || !q.topic))
		return usage_error("decide", "--classification, --purpose and --topic are required (or --item)");
	if (!strcmp(sub, "release") && (!q.agreement || !q.to))
		return usage_error("decide", "release needs --agreement and --to");
	if (!strcmp(sub, "access") && (!q.person || (!q.item && !q.agreement)))
		return usage_error("decide", "access needs --person, and --item or --agreement");
	if (!strcmp(sub, "access") && q.arrangement)
		return usage_error("decide", "--arrangement is for onward");
	if (!strcmp(sub, "onward") && (!q.to || (!q.item && !q.originator)))
		return usage_error("decide", "onward needs --to, and --item or --originator");
	if (!strcmp(sub, "onward") && q.item && !q.agreement)
		return usage_error("decide", "onward --item needs the leg's --agreement, as 'release --item' does");
	if (!strcmp(sub, "onward") && !q.item && q.agreement)
		return usage_error("decide", "onward --agreement decides the leg of a held item: give --item");
	if (q.item && !strcmp(sub, "access")) {
		/* the purpose of this use, as 'open --purpose' takes it */
		q.use = q.purpose;
		q.purpose = NULL;
	}
	if ((ret = open_node_read(home, &n)))
		return ret;
	if (at) {
		int32_t zone = node_self(n)->zone;
		struct agreement_view v;

		const char *which = q.agreement ? q.agreement : q.arrangement;
		json_t *rec = NULL;
		char held[GS_MAX_ID] = "";

		/* A bare date is midnight in the agreement's zone (a held item's:
		 * the one it was released under). */
		if (!which && q.item && !node_item_get(n, q.item, &rec, NULL)) {
			snprintf(held, sizeof(held), "%s", jstr(rec, "agreement"));
			json_decref(rec);
			which = held[0] ? held : NULL;
		}
		if (which && !agreement_view_load(n, which, &v, NULL)) {
			zone = agreement_view_base(&v)->zone;
			agreement_view_release(&v);
		}
		if (instant_parse(at, zone, &q.at)) {
			node_close(n);
			return usage_error("decide", "--at '%s' is not an RFC 3339 instant or a date", at);
		}
	} else if ((ret = node_now(n, &q.at, &d))) {
		node_close(n);
		return fail(ret, &d);
	}
	if (!strcmp(sub, "release"))
		ret = node_decide_release(n, &q, &dec, &d);
	else if (!strcmp(sub, "access"))
		ret = node_decide_access(n, &q, &dec, &d);
	else
		ret = node_decide_onward(n, &q, &dec, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	decision_reason(&dec, reason, sizeof(reason));
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "decision", json_string(dec.permit ? "permit" : "deny"));
		json_object_set_new(o, "rule", json_string(dec.rule_id));
		json_object_set_new(o, "reason", json_string(reason));
		json_object_set_new(o, "at", jinstant(q.at));
		print_json(o);
	} else {
		printf("%s  [%s]\n%s\n", dec.permit ? "permit" : "deny", dec.rule_id, reason);
	}
	return dec.permit ? EXIT_OK : EXIT_FAIL;
}
