/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "net/restore_client.h"
#include "node/backup.h"
#include "node/restore.h"
#include "cli/restore_view.h"
#include "util/banned.h"

static const char backup_help[] =
	"usage: gsomia backup -o FILE [--json] [--home DIR] [--passphrase-file FILE]\n\n"
	"Writes a backup of the node home to FILE (docs/backup-format.md): a copy of\n"
	"the database taken with SQLite's online backup (so the node may be serving),\n"
	"its objects, receipts and TLS key, sealed with age to the node's own X25519\n"
	"key, and the sealed key file unchanged, all under a manifest the node signs.\n"
	"Restoring needs the file and the passphrase of that key file. Needs the\n"
	"passphrase (the manifest is signed).\n";

static const char restore_help[] =
	"usage: gsomia restore FILE [--force] [--json] [--home DIR] [--passphrase-file FILE]\n"
	"       gsomia restore check [--json] [--home DIR]\n"
	"       gsomia restore notice [--text TEXT] [--json] [--home DIR] [--passphrase-file FILE]\n"
	"       gsomia restore status [--json] [--home DIR]\n\n"
	"Restores a backup into the home (docs/operations.md \"Restore\"). A truncated,\n"
	"altered or foreign backup is refused and nothing is written; a home that\n"
	"holds anything is refused unless --force, which keeps it aside as\n"
	"HOME.before-restore-<instant> (it must be the same node's). Then each peer is\n"
	"asked for the checkpoint it cosigned of this node's log for it: a restored log\n"
	"shorter than that would fork the history the peer holds, so the node refuses\n"
	"to append to it, and says which entries are missing, until a newer backup is\n"
	"restored or an officer records a restoration notice.\n"
	"'check' asks the peers again (exit 1 while a log is held). 'notice' signs a\n"
	"restoration notice for every log still held, records it and queues it for the\n"
	"peer, which records and shows it; the node appends again. 'status' shows the\n"
	"hold and the restorations made here or received from peers.\n";

/* Opens a home for reading while it may be serving (no recovery), with its
 * keys unlocked. */
static int open_reader_unlocked(const char *home, const char *passfile, struct node **out)
{
	struct gs_diag d = { { 0 } };
	char *pass = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	if ((ret = node_open_reader(node_home_path(home), out, &d)) ||
	    (ret = passphrase_get(passfile, false, &pass, &len, &d)) || (ret = node_unlock(*out, pass, len, &d))) {
		passphrase_free(pass, len);
		node_close(*out);
		*out = NULL;
		return fail(ret, &d);
	}
	passphrase_free(pass, len);
	return 0;
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *output = NULL;
	struct gs_diag d = { { 0 } };
	struct backup_result res;
	char taken[GS_INSTANT_STR];
	struct node *n;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(backup_help, stdout); return EXIT_OK;
		default: return usage_error("backup", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("backup", "unexpected argument '%s'", argv[optind]);
	if (!output)
		return usage_error("backup", "-o FILE is required");
	if ((ret = open_reader_unlocked(home, passfile, &n)))
		return ret;
	ret = node_backup(n, output, &res, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	instant_format(res.taken, taken);
	if (json)
		print_json(json_pack("{s:s, s:s, s:I, s:I, s:s}", "party", res.party, "taken", taken, "files",
				     (json_int_t)res.files, "bytes", (json_int_t)res.size, "file", output));
	else
		printf("backup of %s taken at %s: %" PRIu64 " files, %" PRIu64 " bytes, in %s\n", res.party, taken,
		       res.files, res.size, output);
	return EXIT_OK;
}

/* ---- restore ---------------------------------------------------------- */

struct check_print {
	bool json;
	json_t *list;
	int held;
};

static json_t *verdict_json(const char *peer, int ret, const struct restore_verdict *v, const struct gs_diag *d)
{
	if (ret)
		return json_pack("{s:s, s:s, s:s}", "peer", peer, "state", ret == GS_ECRYPTO ? "refused" : "unchecked",
				 "detail", d->msg[0] ? d->msg : gs_strerror(ret));
	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "peer", peer, "origin", v->origin, "size",
			 (json_int_t)v->size, "held", (json_int_t)v->held, "state", v->state[0] ? v->state :
			 rollback_verdict_name(v->verdict), "detail", v->detail);
}

static void check_heard(void *ctx, const char *peer, int ret, const struct restore_verdict *v,
			const struct gs_diag *d)
{
	struct check_print *p = ctx;
	json_t *j = verdict_json(peer, ret, v, d);
	const char *state = json_string_value(json_object_get(j, "state"));

	if (ret || v->verdict != ROLLBACK_OK)
		p->held += strcmp(state, "noticed") != 0;
	/* what is held goes to stderr also with --json, as an inconsistency
	 * does in 'ledger peers' */
	if (!p->json && !ret && v->verdict == ROLLBACK_OK)
		printf("%s: ok: %s\n", peer, v->detail);
	else if (!p->json && !strcmp(state, "noticed"))
		printf("%s: noticed: %s (a restoration notice was signed)\n", peer,
		       json_string_value(json_object_get(j, "detail")));
	else if (ret || v->verdict != ROLLBACK_OK)
		fprintf(stderr, "gsomia: HELD: %s: %s\n", peer, json_string_value(json_object_get(j, "detail")));
	json_array_append_new(p->list, j);
}

static void advise(int held)
{
	if (held)
		fprintf(stderr,
			"gsomia: the node refuses to append to %s until a newer backup is restored, or an officer "
			"records what was lost with 'gsomia restore notice' (docs/operations.md)\n",
			held == 1 ? "that log" : "those logs");
}

static int do_restore(const char *file, const char *home, const char *passfile, bool force, bool json)
{
	struct gs_diag d = { { 0 } };
	struct restore_result res;
	struct check_print cp = { json, json_array(), 0 };
	char taken[GS_INSTANT_STR], *pass = NULL;
	struct node *n = NULL;
	size_t len = 0;
	int ret;

	if ((ret = passphrase_get(passfile, false, &pass, &len, &d))) {
		json_decref(cp.list);
		return fail(ret, &d);
	}
	ret = node_restore(file, node_home_path(home), force, pass, len, &res, &d);
	passphrase_free(pass, len);
	if (ret) {
		json_decref(cp.list);
		return fail(ret, &d);
	}
	instant_format(res.taken, taken);
	if (!json) {
		printf("restored %s (fingerprint %s) from the backup taken at %s: %" PRIu64 " files\n", res.party,
		       res.fingerprint, taken, res.files);
		if (res.aside[0])
			printf("the home it replaced is kept as %s\n", res.aside);
		printf("comparing the ledger with what the peers cosigned:\n");
		fflush(stdout);
	}
	if ((ret = node_open(node_home_path(home), &n, &d)) || (ret = restore_check_peers(n, check_heard, &cp, &d))) {
		node_close(n);
		json_decref(cp.list);
		return fail(ret, &d);
	}
	node_close(n);
	if (json)
		print_json(json_pack("{s:s, s:s, s:s, s:I, s:s?, s:o, s:b}", "party", res.party, "fingerprint",
				     res.fingerprint, "taken", taken, "files", (json_int_t)res.files, "aside",
				     res.aside[0] ? res.aside : NULL, "logs", cp.list, "held", cp.held > 0));
	else
		json_decref(cp.list);
	advise(cp.held);
	return EXIT_OK;
}

static int do_check(const char *home, bool json)
{
	struct gs_diag d = { { 0 } };
	struct check_print cp = { json, json_array(), 0 };
	struct node *n;
	int ret;

	if ((ret = open_node(home, &n))) {
		json_decref(cp.list);
		return ret;
	}
	ret = restore_check_peers(n, check_heard, &cp, &d);
	node_close(n);
	if (ret) {
		json_decref(cp.list);
		return fail(ret, &d);
	}
	if (json)
		print_json(json_pack("{s:o, s:b}", "logs", cp.list, "held", cp.held > 0));
	else
		json_decref(cp.list);
	advise(cp.held);
	return cp.held ? EXIT_FAIL : EXIT_OK;
}

struct queued {
	struct node *n;
	json_t *list;
	bool json;
};

static int queue_notice(void *ctx, const char *peer, const char *id, const char *path)
{
	struct queued *q = ctx;
	struct gs_diag d = { { 0 } };
	int ret = node_outbox_add(q->n, peer, "restoration", id, path, &d);

	json_array_append_new(q->list, json_pack("{s:s, s:s, s:s, s:b}", "peer", peer, "notice", id, "file", path,
						 "queued", !ret));
	if (!q->json) {
		if (ret)
			fprintf(stderr, "gsomia: the notice to %s is recorded but not queued: %s; send %s by hand\n", peer,
				d.msg, path);
		else
			printf("restoration notice %.16s for %s signed and queued (%s)\n", id, peer, path);
	}
	return 0;
}

static int do_notice(const char *home, const char *passfile, const char *text, bool json)
{
	struct gs_diag d = { { 0 } };
	struct queued q = { NULL, json_array(), json };
	int ret, dl = 0, rf = 0, rt = 0;

	if ((ret = open_node_unlocked(home, passfile, &q.n))) {
		json_decref(q.list);
		return ret;
	}
	ret = restore_notice_make(q.n, text, queue_notice, &q, &d);
	if (!ret) {
		struct gs_diag od = { { 0 } };

		/* try at once; the outbox retries a peer that is down */
		if (courier_deliver_due(q.n, &dl, &rf, &rt, &od) == 0 && !json && dl)
			printf("delivered to %d peer%s\n", dl, dl == 1 ? "" : "s");
	}
	node_close(q.n);
	if (ret) {
		json_decref(q.list);
		return fail(ret, &d);
	}
	if (json)
		print_json(json_pack("{s:o, s:i}", "notices", q.list, "delivered", dl));
	else
		json_decref(q.list);
	return EXIT_OK;
}

static json_t *restoration_json(const struct restoration *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:s, s:s, s:s, s:b, s:I}", "id", r->id, "party",
			 r->party, "peer", r->peer, "origin", r->origin, "restored_size", (json_int_t)r->restored_size,
			 "held_size", r->held_known || !r->made_here ? json_integer((json_int_t)r->held_size) : json_null(),
			 "lost_from", r->lost_to ? json_integer((json_int_t)r->lost_from) : json_null(), "lost_to",
			 r->lost_to ? json_integer((json_int_t)r->lost_to) : json_null(), "backup_taken", r->backup_taken,
			 "restored_at", r->restored_at, "text", r->text, "made_here", r->made_here, "index",
			 (json_int_t)r->index);
}

static int collect(void *ctx, const struct restoration *r)
{
	json_array_append_new(ctx, restoration_json(r));
	return 0;
}

void restoration_print(FILE *f, const char *indent, const struct restoration *r)
{
	if (r->made_here)
		fprintf(f, "%sthis node restored its log for %s from a backup taken %s (notice %.16s, %s): size %" PRIu64
			   "%s\n",
			indent, r->peer, r->backup_taken, r->id, r->restored_at, r->restored_size,
			r->lost_to ? "; entries lost" : "");
	else if (r->lost_to)
		fprintf(f, "%sRESTORED: %s restored its log '%s' from a backup taken %s (notice %.16s, %s): entries %" PRIu64
			   " to %" PRIu64 " that this node had cosigned are lost%s%s\n",
			indent, r->party, r->origin, r->backup_taken, r->id, r->restored_at, r->lost_from, r->lost_to - 1,
			r->text[0] ? ": " : "", r->text);
	else
		fprintf(f, "%sRESTORED: %s restored its log '%s' from a backup taken %s (notice %.16s, %s): nothing this node cosigned is lost%s%s\n",
			indent, r->party, r->origin, r->backup_taken, r->id, r->restored_at, r->text[0] ? ": " : "",
			r->text);
}

static int print_one(void *ctx, const struct restoration *r)
{
	(void)ctx;
	restoration_print(stdout, "  ", r);
	return 0;
}

struct print_walk {
	FILE *f;
	const char *indent;
};

static int print_received(void *ctx, const struct restoration *r)
{
	struct print_walk *w = ctx;

	if (!r->made_here)
		restoration_print(w->f, w->indent, r);
	return 0;
}

int restorations_print(struct node *n, const char *peer, FILE *f, const char *indent, struct gs_diag *d)
{
	struct print_walk w = { f, indent };

	return restore_notices_each(n, peer, print_received, &w, d);
}

static int collect_received(void *ctx, const struct restoration *r)
{
	if (!r->made_here)
		json_array_append_new(ctx, restoration_json(r));
	return 0;
}

json_t *restorations_json(struct node *n, const char *peer, struct gs_diag *d)
{
	json_t *a = json_array();

	if (a && restore_notices_each(n, peer, collect_received, a, d)) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int do_status(const char *home, bool json)
{
	struct gs_diag d = { { 0 } };
	json_t *hold = NULL, *list = json_array(), *l;
	struct node *n;
	size_t i;
	int ret, held = 0;

	if ((ret = open_node(home, &n))) {
		json_decref(list);
		return ret;
	}
	if ((ret = restore_hold_get(n, &hold, &d)) ||
	    (ret = restore_notices_each(n, NULL, json ? collect : print_one, list, &d))) {
		node_close(n);
		json_decref(hold);
		json_decref(list);
		return fail(ret, &d);
	}
	node_close(n);
	if (hold)
		json_array_foreach(json_object_get(hold, "logs"), i, l) {
			const char *s = json_string_value(json_object_get(l, "state"));

			held += s && (!strcmp(s, "unchecked") || !strcmp(s, "behind") || !strcmp(s, "forked"));
		}
	if (json) {
		print_json(json_pack("{s:o, s:o, s:b}", "hold", hold ? hold : json_null(), "restorations", list, "held",
				     held > 0));
		return EXIT_OK;
	}
	json_decref(list);
	if (!hold) {
		printf("this home was not restored from a backup\n");
	} else {
		printf("restored from the backup taken %s (at %s)\n",
		       json_string_value(json_object_get(hold, "backup_taken")),
		       json_string_value(json_object_get(hold, "restored_at")));
		json_array_foreach(json_object_get(hold, "logs"), i, l)
			printf("  %-4s %-9s %s\n", json_string_value(json_object_get(l, "peer")),
			       json_string_value(json_object_get(l, "state")),
			       json_string_value(json_object_get(l, "detail")));
	}
	json_decref(hold);
	advise(held);
	return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "text", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *text = NULL, *what;
	bool json = false, force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 't': text = optarg; break;
		case 'f': force = true; break;
		case 'j': json = true; break;
		case 'h': fputs(restore_help, stdout); return EXIT_OK;
		default: return usage_error("restore", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("restore", "give one FILE, or check, notice or status");
	what = argv[optind];
	if (text && strcmp(what, "notice"))
		return usage_error("restore", "--text goes with 'notice'");
	if (force && (!strcmp(what, "check") || !strcmp(what, "notice") || !strcmp(what, "status")))
		return usage_error("restore", "--force goes with a FILE");
	if (!strcmp(what, "check"))
		return do_check(home, json);
	if (!strcmp(what, "notice"))
		return do_notice(home, passfile, text, json);
	if (!strcmp(what, "status"))
		return do_status(home, json);
	return do_restore(what, home, passfile, force, json);
}
