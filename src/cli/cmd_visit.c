/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "node/visits.h"
#include "util/banned.h"

static const char visit_help[] =
	"usage: gsomia visit request --agreement ID --host CODE --facility F --from T --until T\n"
	"                            --purpose P --topic T --max-level LABEL --person ID:PSC [--person ID:PSC]...\n"
	"                            [--text TEXT] (-o FILE | --deliver) [--json]\n"
	"       gsomia visit approve ID [--max-level LABEL] [--text TEXT] (-o FILE | --deliver) [--json]\n"
	"       gsomia visit refuse ID [--text TEXT] (-o FILE | --deliver) [--json]\n"
	"       gsomia visit import FILE [--json]\n"
	"       gsomia visit list [--json]\n"
	"       gsomia visit show ID [--json]\n"
	"common options: --home DIR, --passphrase-file FILE\n\n"
	"Visits (Art 8, 18; docs/visits.md). The visiting party asks the host with a\n"
	"signed request naming the agreement, the host's facility, the dates, the\n"
	"purpose and topic, the highest level to be disclosed (a label of the host's\n"
	"scheme) and each person with the PSC level the visiting party certifies (a\n"
	"label of its own scheme). The agreement's visit-lead-time is enforced. Only\n"
	"the host approves (it may lower the level) or refuses; the answer is a\n"
	"signed note for the visitor. import takes a request at the host and an\n"
	"answer at the visitor; --deliver queues the note for the other party's node.\n"
	"During an approved visit, 'gsomia open ITEM --as VISITOR' at the host decides\n"
	"the visitor's access against the visit: its dates, facility and level.\n"
	"ID is a visit's id or its first 16 digits.\n";

enum { O_AGREEMENT = 256, O_HOST, O_FACILITY, O_FROM, O_UNTIL, O_PURPOSE, O_TOPIC, O_MAX, O_PERSON, O_TEXT, O_DELIVER };

static int refusal(const struct decision *dec, bool json)
{
	char reason[GS_MAX_LINE];

	decision_reason(dec, reason, sizeof(reason));
	if (json)
		print_json(json_pack("{s:s,s:s,s:s}", "decision", "deny", "rule", dec->rule_id, "reason", reason));
	fprintf(stderr, "gsomia: %s [%s]\n", reason, dec->rule_id);
	return EXIT_FAIL;
}

static void print_visit(json_t *o, bool long_form)
{
	json_t *p;
	size_t i;

	printf("%.16s  %-9s %s -> %s at %s  from %s until %s  up to %s", jstr(o, "id"), jstr(o, "state"),
	       jstr(o, "visitor"), jstr(o, "host"), jstr(o, "facility"), jstr(o, "from"), jstr(o, "until"),
	       jstr(o, "max_level"));
	if (json_is_string(json_object_get(o, "phase")))
		printf("  [%s]", jstr(o, "phase"));
	printf("\n");
	if (!long_form)
		return;
	printf("  id %s\n  agreement %s\n  purpose %s, topic %s\n  requested %s%s\n", jstr(o, "id"), jstr(o, "agreement"),
	       jstr(o, "purpose"), jstr(o, "topic"), jstr(o, "requested_at"), json_is_true(json_object_get(o, "made_here"))
	       ? " (here)" : "");
	if (json_is_string(json_object_get(o, "answered_at")))
		printf("  answered %s%s%s\n", jstr(o, "answered_at"), *jstr(o, "answer_text") ? ": " : "",
		       jstr(o, "answer_text"));
	json_array_foreach(json_object_get(o, "persons"), i, p)
		printf("  person %s (PSC %s)\n", jstr(p, "id"), jstr(p, "psc"));
}

/* Writes the note to -o and, with --deliver, queues it for peer. */
static int hand_over(struct node *n, const char *note, size_t len, const char *id, const char *peer,
		     const char *output, bool deliver, struct gs_diag *d)
{
	char path[GS_PATH_MAX], ref[17];
	const char *peers[1] = { peer };
	int ret = 0, dl, rf, rt;

	if (output && (ret = write_output(output, note, len)))
		return ret;
	if (!deliver)
		return 0;
	snprintf(ref, sizeof(ref), "%.16s", id);
	if ((ret = node_outbox_keep_and_queue(n, "visit", ref, note, len, peers, 1, path, sizeof(path), d)))
		return ret;
	courier_deliver_due(n, &dl, &rf, &rt, d);
	d->msg[0] = 0; /* a peer that is down is retried later; the note is queued */
	return 0;
}

int cmd_visit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "agreement", required_argument, NULL, O_AGREEMENT },
		{ "host", required_argument, NULL, O_HOST },
		{ "facility", required_argument, NULL, O_FACILITY },
		{ "from", required_argument, NULL, O_FROM },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "purpose", required_argument, NULL, O_PURPOSE },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "max-level", required_argument, NULL, O_MAX },
		{ "person", required_argument, NULL, O_PERSON },
		{ "text", required_argument, NULL, O_TEXT },
		{ "deliver", no_argument, NULL, O_DELIVER },
		{ NULL, 0, NULL, 0 },
	};
	const char *persons[GS_MAX_VISIT_PERSONS + 1];
	struct visit_request_args ra;
	struct gs_diag d = { { 0 } };
	struct decision dec;
	const char *home = NULL, *passfile = NULL, *output = NULL, *verb;
	char id[VISIT_ID_HEX] = "", *note = NULL;
	size_t len = 0;
	struct node *n = NULL;
	json_t *rec = NULL;
	bool json = false, deliver = false;
	int c, ret;

	memset(&ra, 0, sizeof(ra));
	memset(&dec, 0, sizeof(dec));
	ra.persons = persons;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case O_AGREEMENT: ra.agreement = optarg; break;
		case O_HOST: ra.host = optarg; break;
		case O_FACILITY: ra.facility = optarg; break;
		case O_FROM: ra.from = optarg; break;
		case O_UNTIL: ra.until = optarg; break;
		case O_PURPOSE: ra.purpose = optarg; break;
		case O_TOPIC: ra.topic = optarg; break;
		case O_MAX: ra.max_level = optarg; break;
		case O_TEXT: ra.text = optarg; break;
		case O_DELIVER: deliver = true; break;
		case O_PERSON:
			if (ra.npersons >= GS_MAX_VISIT_PERSONS)
				return usage_error("visit", "at most %d --person", GS_MAX_VISIT_PERSONS);
			persons[ra.npersons++] = optarg;
			break;
		case 'h': fputs(visit_help, stdout); return EXIT_OK;
		default: return usage_error("visit", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("visit", "give request, approve, refuse, import, list or show");
	verb = argv[optind++];
	if (!strcmp(verb, "list") || !strcmp(verb, "show")) {
		bool show = !strcmp(verb, "show");
		size_t i;
		json_t *o;

		if (show ? optind + 1 != argc : optind != argc)
			return usage_error("visit", show ? "show takes a visit id" : "list takes no argument");
		if ((ret = open_node_read(home, &n)))
			return ret;
		ret = show ? node_visit_get(n, argv[optind], &rec, &d) : node_visits(n, &rec, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		if (json) {
			print_json(rec);
			return EXIT_OK;
		}
		if (show)
			print_visit(rec, true);
		else
			json_array_foreach(rec, i, o)
				print_visit(o, false);
		json_decref(rec);
		return EXIT_OK;
	}
	if (!strcmp(verb, "import")) {
		bool already;

		if (optind + 1 != argc)
			return usage_error("visit", "import takes one FILE");
		if ((ret = open_node(home, &n)))
			return ret;
		ret = node_visit_import(n, argv[optind], &rec, &already, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		json_object_set_new(rec, "already_held", json_boolean(already));
		if (json) {
			print_json(rec);
			return EXIT_OK;
		}
		printf("%s visit %.16s of %s to %s%s\n", jstr(rec, "state"), jstr(rec, "id"), jstr(rec, "visitor"),
		       jstr(rec, "host"), already ? " (already held)" : "");
		json_decref(rec);
		return EXIT_OK;
	}
	if (strcmp(verb, "request") && strcmp(verb, "approve") && strcmp(verb, "refuse"))
		return usage_error("visit", "unknown subcommand '%s'", verb);
	if (!output && !deliver)
		return usage_error("visit", "%s writes a signed note: give -o FILE or --deliver", verb);
	if (!strcmp(verb, "request") ? optind != argc : optind + 1 != argc)
		return usage_error("visit", !strcmp(verb, "request") ? "request takes options only" : "%s takes a visit id",
				   verb);
	if (strcmp(verb, "request") && (ra.agreement || ra.host || ra.facility || ra.from || ra.until || ra.purpose ||
					ra.topic || ra.npersons))
		return usage_error("visit", "%s answers a request: it takes --max-level and --text only", verb);
	if (!strcmp(verb, "refuse") && ra.max_level)
		return usage_error("visit", "refuse takes no --max-level");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	if (!strcmp(verb, "request"))
		ret = node_visit_request(n, &ra, &note, &len, id, &dec, &d);
	else
		ret = node_visit_answer(n, argv[optind], !strcmp(verb, "refuse"), ra.max_level, ra.text, &note, &len, &dec,
					&d);
	if (!ret) {
		const char *peer;

		if (!strcmp(verb, "request")) {
			peer = ra.host;
		} else {
			ret = node_visit_get(n, argv[optind], &rec, &d);
			peer = jstr(rec, "visitor");
			copy_str(id, sizeof(id), jstr(rec, "id"));
		}
		if (!ret)
			ret = hand_over(n, note, len, id, peer, output, deliver, &d);
	}
	if (!ret && !rec)
		ret = node_visit_get(n, id, &rec, &d);
	node_close(n);
	free(note);
	if (ret == GS_EDENIED && dec.rule_id && !d.msg[0])
		return refusal(&dec, json);
	if (ret) {
		json_decref(rec);
		return fail(ret, &d);
	}
	if (json) {
		json_object_set_new(rec, "queued", json_boolean(deliver));
		print_json(rec);
		return EXIT_OK;
	}
	printf("visit %.16s %s: %s -> %s at %s from %s until %s, up to %s\n", jstr(rec, "id"), jstr(rec, "state"),
	       jstr(rec, "visitor"), jstr(rec, "host"), jstr(rec, "facility"), jstr(rec, "from"), jstr(rec, "until"),
	       jstr(rec, "max_level"));
	if (output && strcmp(output, "-"))
		printf("signed note written to %s%s\n", output, deliver ? " and queued for delivery" : "");
	else if (deliver)
		printf("signed note queued for delivery\n");
	json_decref(rec);
	return EXIT_OK;
}
