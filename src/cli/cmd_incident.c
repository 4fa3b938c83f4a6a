/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/incident.h"
#include "util/banned.h"

static const char incident_help[] =
	"usage: gsomia incident report ITEM --kind KIND --detected T [--text TEXT] -o NOTICE\n"
	"       gsomia incident step ID --investigation TEXT -o FILE\n"
	"       gsomia incident step ID --result TEXT --measures TEXT [--holding STATUS] -o FILE\n"
	"       gsomia incident import FILE [--json]\n"
	"       gsomia incident list [--json]\n"
	"common options: --home DIR, --passphrase-file FILE, --json\n\n"
	"Loss and compromise (Art 17; docs/incidents.md). KIND is possible-loss,\n"
	"confirmed-loss, possible-compromise or confirmed-compromise. 'report', at the\n"
	"holder, records the incident, suspends the holding (a possible incident), or\n"
	"marks it lost or compromised (a confirmed one), and writes the signed notice\n"
	"for the originator; a notice made after the agreement's incident deadline,\n"
	"counted from T, is flagged late. 'step' sends the investigation and then the\n"
	"results and measures against recurrence, each signed and time-stamped.\n"
	"'import', at the originator, verifies the holder's signature and records each\n"
	"in order. Works after the agreement's termination (survival).\n";

enum { O_KIND = 256, O_DETECTED, O_TEXT, O_INVESTIGATION, O_RESULT, O_MEASURES, O_HOLDING };

static void print_incident(json_t *o)
{
	json_t *missed = json_object_get(o, "missed"), *steps = json_object_get(o, "steps"), *s;
	size_t i;

	printf("%s  %s  item %s  %s -> %s  [%s]%s\n", json_string_value(json_object_get(o, "id")),
	       json_string_value(json_object_get(o, "kind")), json_string_value(json_object_get(o, "item")),
	       json_string_value(json_object_get(o, "holder")), json_string_value(json_object_get(o, "originator")),
	       json_string_value(json_object_get(o, "state")) ? json_string_value(json_object_get(o, "state")) : "",
	       json_array_size(missed) ? "  LATE NOTIFICATION" : "");
	printf("    detected %s  notify by %s  notified %s  holding %s\n",
	       json_string_value(json_object_get(o, "detected")),
	       json_string_value(json_object_get(o, "notify_deadline")),
	       json_string_value(json_object_get(o, "notified_at")), json_string_value(json_object_get(o, "holding")));
	json_array_foreach(steps, i, s) {
		printf("    %s  %-13s %s", json_string_value(json_object_get(s, "at")),
		       json_string_value(json_object_get(s, "step")), json_string_value(json_object_get(s, "text")));
		if (json_is_string(json_object_get(s, "measures")))
			printf("; measures: %s", json_string_value(json_object_get(s, "measures")));
		printf("\n");
	}
}

int cmd_incident(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, O_KIND },
		{ "detected", required_argument, NULL, O_DETECTED },
		{ "text", required_argument, NULL, O_TEXT },
		{ "investigation", required_argument, NULL, O_INVESTIGATION },
		{ "result", required_argument, NULL, O_RESULT },
		{ "measures", required_argument, NULL, O_MEASURES },
		{ "holding", required_argument, NULL, O_HOLDING },
		{ NULL, 0, NULL, 0 },
	};
	struct incident_report_args ra;
	struct incident_step_args sa;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL, *output = NULL, *verb;
	char *note = NULL;
	size_t len = 0;
	json_t *rec = NULL;
	struct node *n;
	bool json = false;
	int c, ret;

	memset(&ra, 0, sizeof(ra));
	memset(&sa, 0, sizeof(sa));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case O_KIND: ra.kind = optarg; break;
		case O_DETECTED: ra.detected = optarg; break;
		case O_TEXT: ra.text = optarg; break;
		case O_INVESTIGATION: sa.investigation = optarg; break;
		case O_RESULT: sa.result = optarg; break;
		case O_MEASURES: sa.measures = optarg; break;
		case O_HOLDING: sa.holding = optarg; break;
		case 'h': fputs(incident_help, stdout); return EXIT_OK;
		default: return usage_error("incident", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("incident", "give report, step, import or list");
	verb = argv[optind++];
	if (!strcmp(verb, "list")) {
		json_t *all;
		size_t i;

		if (optind != argc)
			return usage_error("incident", "list takes no argument");
		if ((ret = open_node_read(home, &n)))
			return ret;
		ret = node_incidents(n, &all, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		if (json) {
			print_json(all);
			return EXIT_OK;
		}
		for (i = 0; i < json_array_size(all); i++)
			print_incident(json_array_get(all, i));
		json_decref(all);
		return EXIT_OK;
	}
	if (!strcmp(verb, "import")) {
		bool already;

		if (optind + 1 != argc)
			return usage_error("incident", "import takes one FILE");
		if ((ret = open_node(home, &n)))
			return ret;
		ret = node_incident_import(n, argv[optind], &rec, &already, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		if (json) {
			json_t *o = json_object();
			json_t *steps = json_object_get(rec, "steps");

			json_object_set_new(o, "incident", json_incref(json_object_get(rec, "id")));
			json_object_set_new(o, "role", json_incref(json_object_get(rec, "role")));
			json_object_set_new(o, "already_held", json_boolean(already));
			json_object_set_new(o, "steps", json_integer((json_int_t)json_array_size(steps)));
			json_object_set_new(o, "late", json_incref(json_object_get(rec, "late")));
			json_object_set_new(o, "holding", json_incref(json_object_get(rec, "holding")));
			print_json(o);
		} else {
			printf("%s of incident %s (%s of item %s at %s)%s\n", already ? "already held: step" : "recorded: step",
			       json_string_value(json_object_get(rec, "id")), json_string_value(json_object_get(rec, "kind")),
			       json_string_value(json_object_get(rec, "item")), json_string_value(json_object_get(rec, "holder")),
			       json_is_true(json_object_get(rec, "late")) ? "; the notification was LATE" : "");
		}
		json_decref(rec);
		return EXIT_OK;
	}
	if (strcmp(verb, "report") && strcmp(verb, "step"))
		return usage_error("incident", "unknown subcommand '%s'", verb);
	if (!output)
		return usage_error("incident", "%s needs -o FILE", verb);
	if (optind + 1 != argc)
		return usage_error("incident", "%s needs %s", verb, strcmp(verb, "report") ? "an incident ID" : "an ITEM");
	if (!strcmp(verb, "report")) {
		if (!ra.kind || !ra.detected)
			return usage_error("incident", "report needs --kind and --detected");
		if (sa.investigation || sa.result || sa.measures || sa.holding)
			return usage_error("incident", "--investigation, --result, --measures and --holding are for 'step'");
		ra.item = argv[optind];
	} else {
		if (ra.kind || ra.detected || ra.text)
			return usage_error("incident", "--kind, --detected and --text are for 'report'");
		sa.id = argv[optind];
	}
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	if (!strcmp(verb, "report"))
		ret = node_incident_report(n, &ra, &note, &len, &rec, &d);
	else
		ret = node_incident_step(n, &sa, &note, &len, &rec, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	ret = write_output(output, note, len);
	free(note);
	if (ret) {
		json_decref(rec);
		return ret;
	}
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "incident", json_incref(json_object_get(rec, "id")));
		json_object_set_new(o, "step", json_integer((json_int_t)json_array_size(json_object_get(rec, "steps")) - 1));
		json_object_set_new(o, "late", json_incref(json_object_get(rec, "late")));
		json_object_set_new(o, "notify_deadline", json_incref(json_object_get(rec, "notify_deadline")));
		json_object_set_new(o, "holding", json_incref(json_object_get(rec, "holding")));
		json_object_set_new(o, "originator", json_incref(json_object_get(rec, "originator")));
		json_object_set_new(o, "provider", json_incref(json_object_get(rec, "provider")));
		json_object_set_new(o, "output", json_string(output));
		print_json(o);
	} else if (strcmp(output, "-")) {
		if (!strcmp(verb, "report"))
			printf("incident %s recorded; holding %s; notice for %s%s%s written to %s%s\n",
			       json_string_value(json_object_get(rec, "id")), json_string_value(json_object_get(rec, "holding")),
			       json_string_value(json_object_get(rec, "originator")),
			       jstr(rec, "provider")[0] ? " and the hub " : "", jstr(rec, "provider"), output,
			       json_is_true(json_object_get(rec, "late")) ? " (LATE: after the notification deadline)" : "");
		else
			printf("%s step of incident %s written to %s\n", sa.result ? "result" : "investigation",
			       json_string_value(json_object_get(rec, "id")), output);
	}
	json_decref(rec);
	return EXIT_OK;
}
