/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "util/banned.h"

static const char outbox_help[] =
	"usage: gsomia outbox [--json] [--home DIR]\n"
	"       gsomia outbox send [--in-flight N] [--json] [--home DIR] [--passphrase-file FILE]\n"
	"       gsomia outbox retry ID [--home DIR]\n\n"
	"What waits to be delivered to peers and why (the last error and the next\n"
	"attempt), and what was delivered or refused. 'send' attempts every due\n"
	"delivery once now ('gsomia serve' does it continuously), up to --in-flight\n"
	"(default 8, at most 64) under way to each peer at once over kept\n"
	"connections; a peer that answers again after failures gets the rest of its\n"
	"backlog in the same pass. 'retry' puts a\n"
	"refused (or waiting) entry back to be sent at the next attempt, once the\n"
	"peer can take it (an older node upgraded to read bundle v2, for one).\n";

int cmd_outbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "in-flight", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL;
	struct gs_diag d = { { 0 } };
	struct node *n;
	bool json = false, send = false;
	json_t *list;
	size_t i;
	int c, ret, dl = 0, rf = 0, rt = 0;
	unsigned long in_flight = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'F':
			errno = 0;
			in_flight = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || in_flight < 1 || in_flight > COURIER_MAX_IN_FLIGHT)
				return usage_error("outbox", "--in-flight takes 1 to %d", COURIER_MAX_IN_FLIGHT);
			break;
		case 'h': fputs(outbox_help, stdout); return EXIT_OK;
		default: return usage_error("outbox", "unknown option");
		}
	}
	if (optind + 2 == argc && !strcmp(argv[optind], "retry")) {
		if ((ret = open_node(home, &n)))
			return ret;
		ret = node_outbox_retry(n, argv[optind + 1], &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		printf("%s will be sent at the next attempt\n", argv[optind + 1]);
		return EXIT_OK;
	}
	if (optind < argc && !strcmp(argv[optind], "send")) {
		send = true;
		optind++;
	}
	if (optind != argc)
		return usage_error("outbox", "unexpected argument '%s'", argv[optind]);
	if ((ret = send ? open_node_unlocked(home, passfile, &n) : open_node_read(home, &n)))
		return ret;
	if (send) {
		ret = courier_send(n, (unsigned)in_flight, &dl, &rf, &rt, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		if (json) {
			print_json(json_pack("{s:i, s:i, s:i}", "delivered", dl, "refused", rf, "retry", rt));
		} else {
			printf("%d delivered, %d refused, %d to retry\n", dl, rf, rt);
		}
		return EXIT_OK;
	}
	ret = node_outbox_list(n, &list, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	if (json) {
		print_json(list);
		return EXIT_OK;
	}
	for (i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		const char *next = json_string_value(json_object_get(e, "next_attempt"));

		printf("%-9s %-4s %-8s %s  attempts %lld%s%s%s%s\n",
		       json_string_value(json_object_get(e, "state")), json_string_value(json_object_get(e, "peer")),
		       json_string_value(json_object_get(e, "kind")), json_string_value(json_object_get(e, "ref")),
		       (long long)json_integer_value(json_object_get(e, "attempts")), next ? "  next " : "",
		       next ? next : "", *json_string_value(json_object_get(e, "last_error")) ? "  — " : "",
		       json_string_value(json_object_get(e, "last_error")));
	}
	json_decref(list);
	return EXIT_OK;
}
