/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/attention.h"
#include "node/attention.h"
#include "util/banned.h"

static const char attention_help[] =
	"usage: gsomia attention [--within 30d] [--json] [--home DIR]\n\n"
	"What needs attention at the node's clock, for each agreement and holding:\n"
	"notice deadlines coming and agreements ending, PSCs expiring, receipts\n"
	"overdue, incident steps late or outstanding (Art 17), contractors'\n"
	"inspections due (Art 16(g)), consents about to expire (Art 5) and visits\n"
	"to answer or about to start (Art 8). --within is how far ahead to look:\n"
	"N h, d or w (default 30d); what is past due is always shown, marked\n"
	"OVERDUE. Exit 0 either way.\n";

int cmd_attention(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "within", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *within_s = "30d";
	struct node *n;
	json_t *out = NULL, *it;
	int64_t within;
	bool json = false;
	size_t i;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'w': within_s = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(attention_help, stdout); return EXIT_OK;
		default: return usage_error("attention", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("attention", "takes no argument");
	if (attention_window_parse(within_s, &within))
		return usage_error("attention", "--within '%s': expected N h, d or w (30d, 2w, 12h; at most 3660 days)",
				   within_s);
	if ((ret = open_node_read(home, &n)))
		return ret;
	ret = node_attention(n, within, &out, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	if (json) {
		print_json(out);
		return EXIT_OK;
	}
	if (json_array_size(json_object_get(out, "items")) == 0)
		printf("nothing needs attention within %s of %s\n", within_s, jstr(out, "at"));
	json_array_foreach(json_object_get(out, "items"), i, it)
		printf("%-17s %-22s %s%s\n", jstr(it, "kind"),
		       json_is_string(json_object_get(it, "due")) ? jstr(it, "due") : "-",
		       json_is_true(json_object_get(it, "overdue")) ? "OVERDUE: " : "", jstr(it, "what"));
	json_decref(out);
	return EXIT_OK;
}
