/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/session.h"
#include "node/stats.h"
#include "util/file.h"
#include "util/banned.h"

static const char metrics_help[] =
	"usage: gsomia metrics token PERSON [--days N] -o FILE [--json] [--home DIR]\n\n"
	"GET /v1/metrics on 'gsomia serve' gives the node's health in the Prometheus\n"
	"text format to a person with the monitor, auditor or nsa-officer role\n"
	"(docs/operations.md \"Monitoring\"). 'token' gives a monitoring system a\n"
	"bearer token for it: a session of PERSON, whose one role must be monitor,\n"
	"lasting N days (default 90, at most 400), written to FILE (mode 0600) for\n"
	"Prometheus' authorization.credentials_file. Only the token's hash is kept.\n";

int cmd_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "days", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *output = NULL, *person;
	struct gs_diag d = { { 0 } };
	struct node_session s;
	uint8_t token[AUTH_TOKEN_BYTES];
	char text[SESSION_TOKEN_STR + 1], until[GS_INSTANT_STR];
	unsigned long days = 90;
	struct node *n;
	bool json = false;
	char *end;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'o': output = optarg; break;
		case 'j': json = true; break;
		case 'd':
			errno = 0;
			days = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || days < 1 || days > NODE_MONITOR_MAX_DAYS)
				return usage_error("metrics", "--days takes 1 to %d", NODE_MONITOR_MAX_DAYS);
			break;
		case 'h': fputs(metrics_help, stdout); return EXIT_OK;
		default: return usage_error("metrics", "unknown option");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "token"))
		return usage_error("metrics", "what to do: token PERSON");
	if (optind + 2 != argc)
		return usage_error("metrics", "token takes one PERSON");
	person = argv[optind + 1];
	if (!output)
		return usage_error("metrics", "-o FILE is required: the token is a secret");
	if ((ret = open_node(home, &n)))
		return ret;
	ret = node_monitor_session_open(n, person, (unsigned)days, token, &s, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	session_token_encode(token, text);
	sodium_memzero(token, sizeof(token));
	text[SESSION_TOKEN_CHARS] = '\n';
	ret = write_file_atomic(output, text, SESSION_TOKEN_CHARS + 1, 0600, &d);
	sodium_memzero(text, sizeof(text));
	if (ret)
		return fail(ret, &d);
	instant_format((gs_instant)s.expires_at, until);
	if (json)
		print_json(json_pack("{s:s, s:s, s:s}", "person", person, "expires", until, "file", output));
	else
		printf("token for %s written to %s; it lasts until %s\n", person, output, until);
	return EXIT_OK;
}
