/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "node/custody.h"
#include "util/file.h"
#include "util/banned.h"

static const char copy_help[] =
	"usage: gsomia copy ITEM --by PERSON [--count N] [--facility F] [--home DIR] [--json]\n\n"
	"Makes N (default 1) reproductions of ITEM (Art 14): PERSON must be allowed to\n"
	"open it here (a refusal is logged). Each copy is a new item ITEM-c<k> linked\n"
	"to its original, with the same markings and originator, kept at facility F\n"
	"(default: where the original is kept). Copies share the original's ciphertext.\n";

static const char translate_help[] =
	"usage: gsomia translate ITEM --by PERSON --language LANG --file FILE [--home DIR] [--json]\n\n"
	"Records FILE as a translation of ITEM into LANG (Art 15). PERSON must be allowed\n"
	"to open ITEM, hold a PSC and have the translator role. FILE is sealed for this\n"
	"node; the new item ITEM-t<k> keeps the markings and originator and carries a note\n"
	"in LANG that it holds the originator's information (ko, ja, en; other languages\n"
	"get the English note).\n";

static const char reclassify_help[] =
	"usage: gsomia reclassify notice ITEM --to LABEL [-o FILE] [--deliver] [--home DIR] [--json]\n"
	"       gsomia reclassify apply FILE [--deliver] [--home DIR] [--json]\n\n"
	"notice: at the originator, changes the classification of one of its items to\n"
	"LABEL (in its own scheme, releasable under the agreement's annex) and writes the\n"
	"signed notice (gsomia-reclassification/v1, docs/items.md) for the recipients;\n"
	"--deliver queues it for each party the item was released to.\n"
	"apply: at a recipient, verifies the originator's notice (alone, or forwarded by\n"
	"the party that passed the item on to this node) and applies it to the item and\n"
	"every copy and translation. A node that passed the item on (a hub) forwards\n"
	"the notice, signed, to each party it passed it to: the files are kept under\n"
	"HOME/outgoing and named here; --deliver queues them. A recipient cannot\n"
	"reclassify on its own.\n";

static const char destroy_help[] =
	"usage: gsomia destroy ITEM --by PERSON --method METHOD --witness PERSON2 [--home DIR] [--json]\n\n"
	"Destroys an item (Art 6(h), 13): its file key is destroyed, then its ciphertext\n"
	"when no other item shares it; who, when, how and the witness are recorded, and\n"
	"every later action on the item is refused. Copies and translations go first.\n";

static const char return_help[] =
	"usage: gsomia return ITEM --by PERSON [--method METHOD] [--witness PERSON2] [--home DIR] [--json]\n\n"
	"Records that an item went back to its originator (Art 6(h)): as for 'destroy',\n"
	"this node's key and ciphertext are destroyed and every later action is refused.\n";

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

static int print_refusal(const struct custody_refusal *ref, bool json)
{
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "decision", json_string("deny"));
		json_object_set_new(o, "rule", json_string(ref->rule));
		json_object_set_new(o, "reason", json_string(ref->reason));
		json_object_set_new(o, "logged", json_boolean(ref->logged));
		print_json(o);
	}
	fprintf(stderr, "gsomia: %s [%s]\n", ref->reason, ref->rule);
	return EXIT_FAIL;
}

static int finish(int ret, const struct custody_refusal *ref, const struct gs_diag *d, bool json)
{
	if (ret == GS_EDENIED && ref->rule[0])
		return print_refusal(ref, json);
	return fail(ret, d);
}

int cmd_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "by", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		{ "facility", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct copy_request r = { NULL, NULL, NULL, 1 };
	struct custody_refusal ref;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL;
	struct node *n;
	bool json = false;
	json_t *ids = NULL;
	char *end;
	size_t i;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 'b': r.person = optarg; break;
		case 'f': r.facility = optarg; break;
		case 'n':
			r.count = (int)strtol(optarg, &end, 10);
			if (*end || r.count < 1 || r.count > CUSTODY_MAX_COPIES)
				return usage_error("copy", "--count must be 1 to %d", CUSTODY_MAX_COPIES);
			break;
		case 'h': fputs(copy_help, stdout); return EXIT_OK;
		default: return usage_error("copy", "unknown option");
		}
	}
	if (optind + 1 != argc || !r.person)
		return usage_error("copy", "give ITEM and --by PERSON");
	r.item = argv[optind];
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_copy(n, &r, &ids, &ref, &d);
	node_close(n);
	if (ret)
		return finish(ret, &ref, &d, json);
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "decision", json_string("permit"));
		json_object_set_new(o, "copy_of", json_string(r.item));
		json_object_set_new(o, "items", ids);
		print_json(o);
		return EXIT_OK;
	}
	for (i = 0; i < json_array_size(ids); i++)
		printf("copied %s as %s for %s\n", r.item, json_string_value(json_array_get(ids, i)), r.person);
	json_decref(ids);
	return EXIT_OK;
}

int cmd_translate(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "by", required_argument, NULL, 'b' },
		{ "language", required_argument, NULL, 'l' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct translate_request r = { NULL, NULL, NULL, NULL };
	struct translate_result res;
	struct custody_refusal ref;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL;
	struct node *n;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 'b': r.person = optarg; break;
		case 'l': r.language = optarg; break;
		case 'f': r.file = optarg; break;
		case 'h': fputs(translate_help, stdout); return EXIT_OK;
		default: return usage_error("translate", "unknown option");
		}
	}
	if (optind + 1 != argc || !r.person || !r.language || !r.file)
		return usage_error("translate", "give ITEM, --by PERSON, --language LANG and --file FILE");
	r.item = argv[optind];
	if (access(r.file, R_OK) != 0)
		return failf(GS_EIO, "%s: cannot read", r.file);
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_translate(n, &r, &res, &ref, &d);
	node_close(n);
	if (ret)
		return finish(ret, &ref, &d, json);
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "decision", json_string("permit"));
		json_object_set_new(o, "item", json_string(res.item));
		json_object_set_new(o, "translation_of", json_string(r.item));
		json_object_set_new(o, "language", json_string(r.language));
		json_object_set_new(o, "bundle", json_string(res.bundle));
		json_object_set_new(o, "translation_note", json_string(res.note));
		print_json(o);
	} else {
		printf("translation %s of %s into %s recorded\nnote: %s\n", res.item, r.item, r.language, res.note);
	}
	return EXIT_OK;
}

/* Queues each file for its party in the outbox, and tries once. */
static int queue(struct node *n, const struct reclassify_deliveries *out, struct gs_diag *d)
{
	int dl, rf, rt, ret;

	for (int i = 0; i < out->n; i++)
		if ((ret = node_outbox_add(n, out->v[i].to, "reclassification", out->v[i].ref, out->v[i].path, d)))
			return ret;
	if (out->n)
		courier_deliver_due(n, &dl, &rf, &rt, d);
	return 0;
}

static json_t *deliveries_json(const struct reclassify_deliveries *out, bool queued)
{
	json_t *a = json_array();

	for (int i = 0; i < out->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "to", out->v[i].to, "file", out->v[i].path,
						   "queued", queued));
	return a;
}

static void deliveries_print(const struct reclassify_deliveries *out, bool queued, const char *what)
{
	for (int i = 0; i < out->n; i++)
		printf("%s for %s: %s%s\n", what, out->v[i].to, out->v[i].path, queued ? " (queued)" : "");
}

static int reclassify_notice(int argc, char **argv, const char *home, const char *passfile, const char *label,
			     const char *output, bool deliver, bool json)
{
	struct reclassify_deliveries out;
	struct custody_refusal ref;
	struct gs_diag d = { { 0 } };
	struct node *n;
	char *note = NULL;
	size_t len = 0;
	int ret;

	if (argc != 1 || !label || (!output && !deliver))
		return usage_error("reclassify", "usage: gsomia reclassify notice ITEM --to LABEL -o FILE (or --deliver)");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_reclassify_notice(n, argv[0], label, &note, &len, &out, &ref, &d);
	if (!ret && deliver)
		ret = queue(n, &out, &d);
	node_close(n);
	if (ret == GS_EDENIED && ref.rule[0])
		return finish(ret, &ref, &d, json);
	if (ret) {
		free(note);
		return fail(ret, &d);
	}
	if (output && !strcmp(output, "-"))
		ret = fwrite(note, 1, len, stdout) == len ? 0 : GS_EIO;
	else if (output)
		ret = write_file_atomic(output, note, len, 0644, &d);
	free(note);
	if (ret)
		return fail(ret, &d);
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "item", json_string(argv[0]));
		json_object_set_new(o, "label", json_string(label));
		json_object_set_new(o, "notice", output ? json_string(output) : json_null());
		json_object_set_new(o, "deliveries", deliveries_json(&out, deliver));
		print_json(o);
	} else if (!output || strcmp(output, "-")) {
		printf("item %s reclassified %s; signed notice %s\n", argv[0], label,
		       output ? "written" : "queued for delivery");
		deliveries_print(&out, deliver, "notice");
	}
	return EXIT_OK;
}

static int reclassify_apply(int argc, char **argv, const char *home, const char *passfile, bool deliver,
			    bool json)
{
	struct reclassify_result res;
	struct custody_refusal ref;
	struct gs_diag d = { { 0 } };
	struct node *n;
	size_t i;
	int ret;

	if (argc != 1)
		return usage_error("reclassify", "usage: gsomia reclassify apply FILE");
	/* unlocked: a node that passed the item on signs its forwards */
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_reclassify_apply(n, argv[0], &res, &ref, &d);
	if (!ret && deliver)
		ret = queue(n, &res.forwards, &d);
	node_close(n);
	if (ret) {
		json_decref(res.applied);
		return finish(ret, &ref, &d, json);
	}
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "item", json_string(res.item));
		json_object_set_new(o, "label", json_string(res.label));
		json_object_set_new(o, "marking", json_string(res.marking));
		json_object_set_new(o, "already_applied", json_boolean(res.already_applied));
		json_object_set_new(o, "applied_to", res.applied);
		json_object_set_new(o, "forwards", deliveries_json(&res.forwards, deliver));
		print_json(o);
		return EXIT_OK;
	}
	if (res.already_applied)
		printf("this notice was already applied to %s; nothing changed\n", res.item);
	for (i = 0; i < json_array_size(res.applied); i++)
		printf("%s reclassified %s by its originator; marked %s\n",
		       json_string_value(json_array_get(res.applied, i)), res.label, res.marking);
	deliveries_print(&res.forwards, deliver, "forward");
	json_decref(res.applied);
	return EXIT_OK;
}

int cmd_reclassify(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "deliver", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *label = NULL, *output = NULL;
	bool json = false, deliver = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 't': label = optarg; break;
		case 'o': output = optarg; break;
		case 'D': deliver = true; break;
		case 'h': fputs(reclassify_help, stdout); return EXIT_OK;
		default: return usage_error("reclassify", "unknown option");
		}
	}
	if (optind < argc && !strcmp(argv[optind], "notice"))
		return reclassify_notice(argc - optind - 1, argv + optind + 1, home, passfile, label, output, deliver,
					 json);
	if (optind < argc && !strcmp(argv[optind], "apply")) {
		if (label || output)
			return usage_error("reclassify", "apply takes only the notice FILE");
		return reclassify_apply(argc - optind - 1, argv + optind + 1, home, passfile, deliver, json);
	}
	return usage_error("reclassify", "give 'notice ITEM --to LABEL -o FILE' or 'apply FILE'");
}

static int dispose(int argc, char **argv, bool destroy)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "by", required_argument, NULL, 'b' },
		{ "method", required_argument, NULL, 'm' },
		{ "witness", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = destroy ? "destroy" : "return";
	struct dispose_request r = { NULL, NULL, NULL, NULL, destroy };
	struct dispose_result res;
	struct custody_refusal ref;
	struct gs_diag d = { { 0 } };
	const char *home = NULL, *passfile = NULL;
	struct node *n;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt_common(c, &home, &passfile, &json))
			continue;
		switch (c) {
		case 'b': r.person = optarg; break;
		case 'm': r.method = optarg; break;
		case 'w': r.witness = optarg; break;
		case 'h': fputs(destroy ? destroy_help : return_help, stdout); return EXIT_OK;
		default: return usage_error(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc || !r.person)
		return usage_error(cmd, "give ITEM and --by PERSON");
	if (destroy && (!r.method || !r.witness))
		return usage_error(cmd, "a destruction records how and its witness: give --method and --witness");
	r.item = argv[optind];
	if ((ret = open_node(home, &n)))
		return ret;
	ret = node_dispose(n, &r, &res, &ref, &d);
	node_close(n);
	if (ret)
		return finish(ret, &ref, &d, json);
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "item", json_string(r.item));
		json_object_set_new(o, "status", json_string(destroy ? "destroyed" : "returned"));
		json_object_set_new(o, "key", json_string("destroyed"));
		json_object_set_new(o, "ciphertext", json_string(res.object_removed ? "removed" : "kept (shared)"));
		print_json(o);
	} else {
		printf("item %s %s by %s%s%s; key destroyed; ciphertext %s\n", r.item, destroy ? "destroyed" : "returned",
		       r.person, r.witness ? ", witness " : "", r.witness ? r.witness : "",
		       res.object_removed ? "removed" : "kept for the items that share it");
	}
	return EXIT_OK;
}

int cmd_destroy(int argc, char **argv)
{
	return dispose(argc, argv, true);
}

int cmd_return(int argc, char **argv)
{
	return dispose(argc, argv, false);
}
