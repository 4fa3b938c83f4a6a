/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/report.h"
#include "util/file.h"
#include "util/banned.h"

static const char report_help[] =
	"usage: gsomia report --agreement ID --term N [--format text|json|csv|html] [-o FILE]\n"
	"                     [--json] [--home DIR] [--passphrase-file FILE]\n"
	"       gsomia report check FILE [--json] [--home DIR]\n\n"
	"The figures of one term of an agreement for the annual review\n"
	"(docs/reports.md): releases and receipts by level and direction, refusals\n"
	"by rule, onward releases and consents, incidents and their timeliness,\n"
	"visits, destruction and returns, counted from this node's ledger at a\n"
	"signed checkpoint of each log, which the report carries. With the\n"
	"passphrase a fresh checkpoint is signed; without, the latest held is used.\n"
	"--format: text (default, on standard output), json (= --json), csv, or\n"
	"html (a printable page with the agreement's markings); -o writes a file.\n"
	"'check' takes another party's JSON report and compares its figures for\n"
	"this node with this node's own log (exit 1 if any differs).\n";

static bool passphrase_given(const char *passfile)
{
	const char *env = getenv("GSOMIA_PASSPHRASE"), *creds = getenv("CREDENTIALS_DIRECTORY");

	return passfile || (env && *env) || (creds && *creds);
}

static void print_text(json_t *r)
{
	json_t *row, *l;
	const char *section = "";
	size_t i;

	printf("%s%s, term %" PRId64 " (%s to %s%s), by %s at %s\n",
	       json_is_true(json_object_get(r, "exercise")) ? "EXERCISE: " : "", jstr(r, "agreement"),
	       (int64_t)json_integer_value(json_object_get(r, "term")), jstr(r, "term_start"),
	       json_is_string(json_object_get(r, "term_end")) ? jstr(r, "term_end") : "open",
	       json_is_true(json_object_get(r, "complete")) ? "" : ", in progress", jstr(r, "party"), jstr(r, "made_at"));
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		const char *const cols[] = { "direction", "peer", "originator", "label", "level", "key" };
		size_t k;

		if (strcmp(section, jstr(row, "section"))) {
			section = jstr(row, "section");
			printf("%s\n", section);
		}
		printf("  %6" PRId64, (int64_t)json_integer_value(json_object_get(row, "count")));
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			if (jstr(row, cols[k])[0])
				printf("  %s", jstr(row, cols[k]));
		putchar('\n');
	}
	if (!json_array_size(json_object_get(r, "rows")))
		printf("nothing under this agreement in this term\n");
	printf("computed at\n");
	json_array_foreach(json_object_get(r, "logs"), i, l) {
		printf("  %s  size %" PRId64 "  root %s", jstr(l, "origin"),
		       (int64_t)json_integer_value(json_object_get(l, "size")), jstr(l, "root"));
		if (json_integer_value(json_object_get(l, "after_checkpoint")))
			printf("  (%" PRId64 " entries after it not counted)",
			       (int64_t)json_integer_value(json_object_get(l, "after_checkpoint")));
		putchar('\n');
	}
}

static int do_check(const char *home, const char *file, bool json)
{
	struct gs_diag d = { { 0 } };
	json_error_t je;
	json_t *theirs, *res = NULL, *f;
	struct node *n;
	size_t i;
	int ret;

	theirs = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (!theirs)
		return failf(GS_EINVAL, "%s:%d:%d: %s", file, je.line, je.column, je.text);
	if ((ret = open_node(home, &n))) {
		json_decref(theirs);
		return ret;
	}
	ret = node_report_check(n, theirs, &res, &d);
	node_close(n);
	json_decref(theirs);
	if (res && json)
		print_json(json_incref(res));
	else if (res) {
		/* "agree   their releases, our receipts  KOR 군사II급비밀: 3 and 3" */
		json_array_foreach(json_object_get(res, "figures"), i, f)
			printf("%-6s  their %s, our %s  %s %s%s: %" PRId64 " and %" PRId64 "\n",
			       json_is_true(json_object_get(f, "agree")) ? "agree" : "DIFFER", jstr(f, "theirs"),
			       jstr(f, "ours"), jstr(f, "originator"), jstr(f, "label"), jstr(f, "key"),
			       (int64_t)json_integer_value(json_object_get(f, "their_count")),
			       (int64_t)json_integer_value(json_object_get(f, "our_count")));
		if (!ret)
			printf("%s's report agrees with this node's log (%zu figures)\n", jstr(res, "party"),
			       json_array_size(json_object_get(res, "figures")));
	}
	json_decref(res);
	fflush(stdout);
	return ret ? fail(ret, &d) : EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agreement", required_argument, NULL, 'a' },
		{ "term", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *agreement = NULL, *format = "text", *output = NULL;
	struct gs_diag d = { { 0 } };
	struct node *n;
	unsigned long term = 0;
	json_t *r = NULL;
	char *text = NULL, *end;
	size_t len = 0;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'a': agreement = optarg; break;
		case 't':
			errno = 0;
			term = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || term < 1 || term > 1000)
				return usage_error("report", "--term takes 1 to 1000");
			break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(report_help, stdout); return EXIT_OK;
		default: return usage_error("report", "unknown option");
		}
	}
	if (optind < argc && !strcmp(argv[optind], "check")) {
		if (optind + 2 != argc)
			return usage_error("report", "check takes one FILE");
		return do_check(home, argv[optind + 1], json);
	}
	if (optind != argc)
		return usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!agreement || !term)
		return usage_error("report", "--agreement and --term are required");
	if (json)
		format = "json";
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html"))
		return usage_error("report", "--format is text, json, csv or html");
	if ((ret = passphrase_given(passfile) ? open_node_unlocked(home, passfile, &n) : open_node(home, &n)))
		return ret;
	ret = node_report(n, agreement, (int)term, &r, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	if (!strcmp(format, "text") && !output) {
		print_text(r);
		json_decref(r);
		return EXIT_OK;
	}
	if (!strcmp(format, "csv"))
		text = report_csv(r, &len);
	else if (!strcmp(format, "html"))
		text = report_html(r, &len);
	else
		text = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(r);
	if (!text)
		return failf(GS_ENOMEM, "out of memory");
	if (!strcmp(format, "json") || !strcmp(format, "text")) {
		size_t l = strlen(text);
		char *t = realloc(text, l + 2);

		if (!t) {
			free(text);
			return failf(GS_ENOMEM, "out of memory");
		}
		text = t;
		text[l] = '\n';
		text[l + 1] = 0;
		len = l + 1;
	}
	ret = write_file_atomic(output ? output : "-", text, len, 0644, &d);
	free(text);
	return ret ? fail(ret, &d) : EXIT_OK;
}
