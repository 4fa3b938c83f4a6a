/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/time.h"
#include "core/warning.h"
#include "node/warnings.h"
#include "util/file.h"
#include "util/banned.h"

/* How far past the clock an observed instant may be (docs/warnings.md
 * "Rules"): sensors' and nodes' clocks differ by this much at most. */
#define WARN_DEFAULT_SKEW_SECONDS 10

static const char warn_help[] =
	"usage: gsomia warn check FILE|- [--cot] [--to-cot] [--at T] [--skew SECONDS]\n"
	"       gsomia warn rule add --to PARTY --under AGREEMENT --topic TOPIC [--agreement LEG] [--purpose P]\n"
	"       gsomia warn rule list | remove ID\n"
	"       gsomia warn relay add --from PARTY --to PARTY --arrangement ID --topic TOPIC [--agreement LEG]\n"
	"       gsomia warn relay list | remove ID\n"
	"       gsomia warn publish FILE|- [--json]\n"
	"       gsomia warn list --as PERSON [--since SEQ] [--json]\n"
	"       gsomia warn watch --as PERSON [--since SEQ] [--json | --cot] [--once]\n"
	"       gsomia warn listen --cot 127.0.0.1:PORT --under ID --topic T --classification L [--sensor NAME]\n"
	"  (all but check take --home H and --passphrase-file F)\n\n"
	"rule: the originator's standing rules: publish sends each warning under\n"
	"AGREEMENT (an agreement or an arrangement) about TOPIC to PARTY. relay: a\n"
	"hub's standing rules: each warning of PARTY (--from) under the arrangement\n"
	"about TOPIC is decided again here and passed on to --to. publish releases a\n"
	"warning of this node to every party a rule names, each a sealed item with\n"
	"its ledger entry, delivered by the outbox. list and watch show the warnings\n"
	"held here that PERSON may open (each shown is logged as an access); watch\n"
	"waits for more (Ctrl-C ends it). listen takes Cursor on Target events from\n"
	"a local sensor feed over TCP and publishes each as a warning.\n\n"
	"check reads a missile warning in JSON, checks it (its members, their\n"
	"types and ranges, the order of its instants, nothing observed later than\n"
	"--at plus --skew: default the machine's clock and 10 seconds) and prints its\n"
	"canonical JSON, the bytes that are sealed and hashed. A malformed warning is\n"
	"refused in one line, naming the member or the byte offset. --cot reads\n"
	"Cursor on Target events instead (the launch event, then one per impact);\n"
	"--to-cot prints the warning as CoT events. Formats: docs/warnings.md.\n";

/* The whole of FILE, or of standard input for "-". */
static int read_input(const char *path, size_t cap, char **buf, size_t *len, struct gs_diag *d)
{
	uint8_t *b;
	int ret = read_file(strcmp(path, "-") ? path : "/dev/stdin", cap, &b, len, d);

	if (!ret)
		*buf = (char *)b;
	return ret;
}

static int warn_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "skew", required_argument, NULL, 's' },
		{ "cot", no_argument, NULL, 'c' },
		{ "to-cot", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *at = NULL, *skew_arg = NULL, *path;
	static struct warning w;
	static char out[NODE_COT_MAX_OUT > WARNING_MAX_CANONICAL ? NODE_COT_MAX_OUT : WARNING_MAX_CANONICAL];
	struct gs_diag d = { { 0 } };
	int64_t now_ms, skew = WARN_DEFAULT_SKEW_SECONDS;
	size_t len, outlen;
	char *buf = NULL;
	bool from_cot = false, to_cot = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': at = optarg; break;
		case 's': skew_arg = optarg; break;
		case 'c': from_cot = true; break;
		case 't': to_cot = true; break;
		case 'h': fputs(warn_help, stdout); return EXIT_OK;
		default: return usage_error("warn", "see 'gsomia warn --help'");
		}
	}
	if (optind != argc - 1)
		return usage_error("warn", "check takes one FILE (or - for standard input)");
	path = argv[optind];
	if (skew_arg) {
		char *end;

		skew = strtoll(skew_arg, &end, 10);
		if (*end || end == skew_arg || skew < 0 || skew > 3600)
			return usage_error("warn", "--skew takes 0 to 3600 seconds");
	}
	if (at) {
		gs_instant t;

		if (instant_parse(at, 0, &t))
			return usage_error("warn", "--at '%s' is not an RFC 3339 instant", at);
		now_ms = t * 1000;
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	if ((ret = read_input(path, from_cot ? NODE_COT_MAX_XML : WARNING_MAX_JSON, &buf, &len, &d)))
		return fail(ret, &d);
	ret = from_cot ? node_warning_from_cot(buf, len, NULL, &w, &d) : warning_json_parse(buf, len, &w, &d);
	if (!ret)
		ret = warning_check_time(&w, now_ms, skew * 1000, &d);
	free(buf);
	if (ret) {
		gs_diag_prefix(&d, "%s", path);
		return fail(ret, &d);
	}
	ret = to_cot ? node_warning_to_cot(&w, out, sizeof(out), &outlen) : warning_json_write(&w, out, sizeof(out), &outlen);
	if (ret)
		return failf(ret, "%s: the canonical form does not fit", path);
	fwrite(out, 1, outlen, stdout);
	return EXIT_OK;
}

#include "cli/warn.h"

int cmd_warn(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(warn_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return warn_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rule") || !strcmp(argv[1], "relay"))
		return warn_rule(argc - 1, argv + 1);
	if (!strcmp(argv[1], "publish"))
		return warn_publish(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "watch"))
		return warn_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "listen"))
		return warn_listen(argc - 1, argv + 1);
	return usage_error("warn", "unknown subcommand '%s'", argv[1]);
}
