/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/agreements.h"
#include "node/labels.h"
#include "util/banned.h"

static const char agreement_help[] =
	"usage: gsomia agreement import PATH\n"
	"       gsomia agreement sign ID [--version N] [-o FILE]\n"
	"       gsomia agreement note KIND --agreement ID [--to CODE] [--delivered T]\n"
	"                        [--withdraws notice|suspension|both] [--terminate-at T]\n"
	"                        [--version N --effective DATE] [--acceding CODE]\n"
	"                        [--text TEXT] [-o FILE | --keep]\n"
	"       gsomia agreement note export ID [-o FILE]\n"
	"       gsomia agreement note discard ID\n"
	"       gsomia agreement status ID|DIR [--at T] [--json]\n"
	"       gsomia agreement list [--json]\n"
	"       gsomia agreement show ID [--json]\n"
	"       gsomia agreement annex --from-spif A.xml B.xml [--annex N] [--effective DATE]\n"
	"                        [--row-names NAME,NAME...] [-o FILE]\n"
	"common options: --home DIR, --passphrase-file FILE\n\n"
	"import takes a definition, signature or note file, or a directory holding\n"
	"them (.txt definitions, .sig signatures, .note notes). An agreement counts as\n"
	"signed only when every party's valid signature is held. KIND is one of\n"
	"domestic-procedures-complete, termination-notice, suspension, withdrawal,\n"
	"amendment-consent, accession (by a state joining an agreement open to it) or\n"
	"accession-acceptance (by a member or the depositary, with --acceding CODE).\n"
	"A note is refused if the history replayed with it in its place would leave\n"
	"any note not applying. It is written to FILE (or standard output) and so\n"
	"given out, or with --keep only kept here: such a note can be discarded until\n"
	"'note export' gives it out.\n"
	"status with a directory needs no home: it reads the\n"
	"definition, signatures, notes and the parties' identity files (.id) from it.\n"
	"Instants are RFC 3339 (2019-11-23T00:00:00+09:00); a bare date means 00:00 in\n"
	"the agreement's zone. annex proposes the annex rows two parties' XML SPIFs\n"
	"imply (their equivalentClassification elements, both directions checked; a\n"
	"one-way equivalence is shown as such), as text in the agreement format for a\n"
	"treaty officer to review and sign: nothing is imported (docs/labels.md).\n";

struct opts {
	const char *home, *passfile, *output, *at, *agreement, *to, *delivered, *withdraws,
		*terminate_at, *effective, *text, *acceding, *row_names;
	int version, annex;
	bool json, keep, from_spif;
};

/* Each party's standing, for an agreement with more than two parties
 * (a bilateral one says it all in its state). */
static void members_print(const struct agreement *a, const struct lifecycle_status *st)
{
	char s[GS_INSTANT_STR];
	int i;

	if (st->nmembers <= 2)
		return;
	printf("  members:\n");
	for (i = 0; i < st->nmembers; i++) {
		const struct lifecycle_member *m = &st->members[i];
		const char *what = NULL;
		gs_instant t = GS_INSTANT_NONE;

		if (m->left_at != GS_INSTANT_NONE)
			what = "left", t = m->left_at;
		else if (m->leaves_at != GS_INSTANT_NONE)
			what = "leaves", t = m->leaves_at;
		else if (m->joined_at != GS_INSTANT_NONE)
			what = "member since", t = m->joined_at;
		else if (m->accession_at != GS_INSTANT_NONE)
			what = "acceded", t = m->accession_at;
		printf("    %-4s %s", m->code, member_state_name(m->state));
		if (what) {
			instant_format_local(t, a->zone, s);
			printf(" (%s %s)", what, s);
		}
		printf("%s\n", m->original ? "" : ", by accession");
	}
}

/* gsomia agreement annex --from-spif A.xml B.xml */
static int do_annex(const struct opts *o, const char *a, const char *b)
{
	struct spif_annex_request r;
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	char names_buf[GS_MAX_LINE], *names[GS_MAX_ANNEX_ROWS + 1], *save = NULL, *tok;
	char *text = NULL;
	size_t len = 0;
	int ret;

	memset(&r, 0, sizeof(r));
	r.path_a = a;
	r.path_b = b;
	r.annex_number = o->annex;
	if (o->effective && date_parse(o->effective, &r.effective))
		return usage_error("agreement", "--effective '%s' is not a date (YYYY-MM-DD)", o->effective);
	if (o->row_names) {
		snprintf(names_buf, sizeof(names_buf), "%s", o->row_names);
		for (tok = strtok_r(names_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			if (r.nrow_names >= GS_MAX_ANNEX_ROWS)
				return usage_error("agreement", "--row-names: at most %d names", GS_MAX_ANNEX_ROWS);
			names[r.nrow_names++] = tok;
		}
		r.row_names = (const char *const *)names;
	}
	if ((ret = open_node(o->home, &n)))
		return ret;
	ret = node_spif_annex(n, &r, &text, &len, &d);
	node_close(n);
	if (ret)
		return fail(ret, &d);
	ret = write_output(o->output ? o->output : "-", text, len);
	free(text);
	return ret;
}

static void status_print(const struct agreement_view *v, const struct lifecycle_status *st, gs_instant at)
{
	const struct agreement *a = agreement_view_base(v);
	char s[GS_INSTANT_STR], date[GS_DATE_STR], missing[GS_MAX_NAME];
	int i;

	instant_format_local(at, a->zone, s);
	printf("%s at %s: %s\n", a->id, s, state_name(st->state));
	printf("  %s\n", st->reason);
	if (st->term) {
		printf("  term %d", st->term);
		if (st->term_end != GS_INSTANT_NONE) {
			instant_format_local(st->term_end, a->zone, s);
			printf(", ends %s", s);
		}
		printf("\n");
	}
	if (st->has_notice_deadline) {
		date_format(st->notice_deadline, date);
		printf("  last day for a timely termination notice: %s\n", date);
	}
	if (st->terminates_at != GS_INSTANT_NONE) {
		instant_format_local(st->terminates_at, a->zone, s);
		printf("  terminates at %s\n", s);
	}
	if (!agreement_view_signed(v, 0)) {
		agreement_view_missing(v, 0, missing, sizeof(missing));
		printf("  missing signatures: %s\n", missing);
	}
	members_print(a, st);
	for (i = 0; i < st->nevents && i < GS_MAX_EVENTS; i++)
		printf("  - %s%s\n", st->events[i].what,
		       st->events[i].effect == EFFECT_IGNORED ? " (ignored)" : "");
	for (size_t k = 0; k < v->nignored; k++) {
		const struct ignored_note *x = &v->ignored[k];

		if (x->note.delivered > at)
			continue;
		instant_format_local(x->note.delivered, a->zone, s);
		printf("  - ignored: %s note by %s delivered %s (%.16s): %s\n", dipnote_kind_name(x->note.kind),
		       x->note.from, s, x->note.id, x->reason);
	}
}

static int do_status(const struct opts *o, const char *what)
{
	struct gs_diag d = { { 0 } };
	struct agreement_view v;
	struct lifecycle_status *st;
	struct node *n = NULL;
	struct stat sb;
	gs_instant at;
	int ret;

	if (stat(what, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		ret = agreement_view_load_dir(what, &v, &d);
	} else {
		if ((ret = open_node_read(o->home, &n)))
			return ret;
		ret = agreement_view_load(n, what, &v, &d);
	}
	if (ret)
		goto out;
	if (o->at) {
		if (instant_parse(o->at, agreement_view_base(&v)->zone, &at)) {
			agreement_view_release(&v);
			node_close(n);
			return usage_error("agreement", "--at '%s' is not an RFC 3339 instant or a date", o->at);
		}
	} else if ((ret = node_now(n, &at, &d))) {
		agreement_view_release(&v);
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		ret = GS_ENOMEM;
	} else if ((ret = agreement_view_status(&v, at, st)) == 0) {
		if (o->json)
			print_json(agreement_status_json(&v, st, at));
		else
			status_print(&v, st, at);
	}
	free(st);
	agreement_view_release(&v);
out:
	node_close(n);
	return ret ? fail(ret, &d) : EXIT_OK;
}

static int parse_kind(const char *s, enum dipnote_kind *k)
{
	int i;

	for (i = DIPNOTE_DOMESTIC_COMPLETE; i <= DIPNOTE_ACCESSION_ACCEPTANCE; i++) {
		if (!strcmp(s, dipnote_kind_name((enum dipnote_kind)i))) {
			*k = (enum dipnote_kind)i;
			return 0;
		}
	}
	return GS_EINVAL;
}

/* agreement note export|discard ID */
static int do_note_own(const struct opts *o, const char *what, const char *id)
{
	struct gs_diag d = { { 0 } };
	struct dipnote *note = NULL;
	struct node *n = NULL;
	char *out = NULL;
	size_t outlen;
	int ret;

	if (!strcmp(what, "discard") && o->output)
		return usage_error("agreement", "note discard takes no -o");
	if ((ret = open_node(o->home, &n)))
		return ret;
	if (!strcmp(what, "export")) {
		if (!(ret = node_note_export(n, id, &out, &outlen, &d))) {
			ret = write_output(o->output, out, outlen);
			if (!ret && o->output)
				fprintf(stderr, "note %.16s written to %s; it can no longer be discarded\n", id,
					o->output);
			free(out);
			node_close(n);
			return ret;
		}
	} else if (!(note = calloc(1, sizeof(*note)))) {
		ret = GS_ENOMEM;
	} else if (!(ret = node_note_discard(n, id, note, &d))) {
		if (o->json) {
			json_t *j = json_object();

			json_object_set_new(j, "discarded", json_string(note->id));
			json_object_set_new(j, "kind", json_string(dipnote_kind_name(note->kind)));
			json_object_set_new(j, "agreement", json_string(note->agreement));
			print_json(j);
		} else {
			printf("%s note %s on %s discarded\n", dipnote_kind_name(note->kind), note->id,
			       note->agreement);
		}
	}
	free(note);
	node_close(n);
	return ret ? fail(ret, &d) : EXIT_OK;
}

static int do_note(const struct opts *o, const char *kind)
{
	struct gs_diag d = { { 0 } };
	struct dipnote *note;
	struct node *n = NULL;
	char *out = NULL;
	size_t outlen;
	int ret;

	note = calloc(1, sizeof(*note));
	if (!note)
		return failf(GS_ENOMEM, "out of memory");
	note->delivered = GS_INSTANT_NONE;
	note->terminate_at = GS_INSTANT_NONE;
	if (parse_kind(kind, &note->kind)) {
		free(note);
		return usage_error("agreement", "unknown note kind '%s'", kind);
	}
	if (!o->agreement) {
		free(note);
		return usage_error("agreement", "note needs --agreement ID");
	}
	if (o->keep && o->output) {
		free(note);
		return usage_error("agreement", "--keep keeps the note here: no -o");
	}
	snprintf(note->agreement, sizeof(note->agreement), "%s", o->agreement);
	snprintf(note->to, sizeof(note->to), "%s", o->to ? o->to : "");
	snprintf(note->text, sizeof(note->text), "%s", o->text ? o->text : "");
	if (o->withdraws) {
		if (!strcmp(o->withdraws, "notice"))
			note->withdraws = WITHDRAW_NOTICE;
		else if (!strcmp(o->withdraws, "suspension"))
			note->withdraws = WITHDRAW_SUSPENSION;
		else if (!strcmp(o->withdraws, "both"))
			note->withdraws = WITHDRAW_BOTH;
		else {
			free(note);
			return usage_error("agreement", "--withdraws takes notice, suspension or both");
		}
	} else if (note->kind == DIPNOTE_WITHDRAWAL) {
		free(note);
		return usage_error("agreement", "a withdrawal needs --withdraws notice|suspension|both");
	}
	if (note->kind == DIPNOTE_ACCESSION_ACCEPTANCE) {
		if (!o->acceding || !party_code_is_valid(o->acceding)) {
			free(note);
			return usage_error("agreement", "accession-acceptance needs --acceding CODE (the acceding state)");
		}
		snprintf(note->acceding, sizeof(note->acceding), "%s", o->acceding);
	} else if (o->acceding) {
		free(note);
		return usage_error("agreement", "--acceding is for an accession-acceptance note");
	}
	note->version = o->version;
	if (note->kind == DIPNOTE_AMENDMENT_CONSENT &&
	    (!o->version || !o->effective || date_parse(o->effective, &note->effective))) {
		free(note);
		return usage_error("agreement", "amendment-consent needs --version N and --effective YYYY-MM-DD");
	}
	if ((ret = open_node_unlocked(o->home, o->passfile, &n))) {
		free(note);
		return ret;
	}
	if ((o->delivered && instant_parse(o->delivered, node_self(n)->zone, &note->delivered)) ||
	    (o->terminate_at && instant_parse(o->terminate_at, node_self(n)->zone, &note->terminate_at))) {
		free(note);
		node_close(n);
		return usage_error("agreement", "instants are RFC 3339, e.g. 2019-08-23T15:00:00+09:00");
	}
	ret = node_note_make(n, note, !o->keep, &out, &outlen, &d);
	if (!ret) {
		if (o->keep)
			printf("%s note %s kept here, not given out: 'gsomia agreement note export %.16s -o FILE' "
			       "gives it out, 'gsomia agreement note discard %.16s' drops it\n", kind, note->id,
			       note->id, note->id);
		else
			ret = write_output(o->output, out, outlen);
		if (!ret && o->output)
			fprintf(stderr, "%s note %.16s written to %s\n", kind, note->id, o->output);
		free(out);
		free(note);
		node_close(n);
		return ret;
	}
	free(note);
	node_close(n);
	return fail(ret, &d);
}

struct list_ctx {
	struct node *n;
	bool json;
	json_t *arr;
	gs_instant now;
};

static int list_one(void *ctx, const char *id, int version)
{
	struct list_ctx *c = ctx;
	struct agreement_view v;
	struct lifecycle_status *st = calloc(1, sizeof(*st));
	struct gs_diag d = { { 0 } };
	const char *state = "unverifiable";

	if (!st)
		return GS_ENOMEM;
	if (!agreement_view_load(c->n, id, &v, &d)) {
		if (!agreement_view_status(&v, c->now, st))
			state = state_name(st->state);
		agreement_view_release(&v);
	}
	if (c->json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "version", json_integer(version));
		json_object_set_new(o, "state", json_string(state));
		json_array_append_new(c->arr, o);
	} else {
		printf("%-20s v%-3d %s\n", id, version, state);
	}
	free(st);
	return 0;
}

int cmd_agreement(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'a' },
		{ "agreement", required_argument, NULL, 'A' },
		{ "to", required_argument, NULL, 't' },
		{ "delivered", required_argument, NULL, 'd' },
		{ "withdraws", required_argument, NULL, 'w' },
		{ "terminate-at", required_argument, NULL, 'T' },
		{ "version", required_argument, NULL, 'v' },
		{ "effective", required_argument, NULL, 'e' },
		{ "text", required_argument, NULL, 'x' },
		{ "acceding", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "from-spif", no_argument, NULL, 'S' },
		{ "annex", required_argument, NULL, 'N' },
		{ "row-names", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	const char *sub;
	char *end;
	int c, ret;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'H': o.home = optarg; break;
		case 'P': o.passfile = optarg; break;
		case 'o': o.output = optarg; break;
		case 'a': o.at = optarg; break;
		case 'A': o.agreement = optarg; break;
		case 't': o.to = optarg; break;
		case 'd': o.delivered = optarg; break;
		case 'w': o.withdraws = optarg; break;
		case 'T': o.terminate_at = optarg; break;
		case 'v':
			o.version = (int)strtol(optarg, &end, 10);
			if (*end || o.version < 1 || o.version > 1000)
				return usage_error("agreement", "--version takes a number from 1");
			break;
		case 'e': o.effective = optarg; break;
		case 'x': o.text = optarg; break;
		case 'C': o.acceding = optarg; break;
		case 'S': o.from_spif = true; break;
		case 'N':
			o.annex = (int)strtol(optarg, &end, 10);
			if (*end || o.annex < 1 || o.annex > GS_MAX_ANNEX_VERSIONS)
				return usage_error("agreement", "--annex takes a number from 1 to %d", GS_MAX_ANNEX_VERSIONS);
			break;
		case 'R': o.row_names = optarg; break;
		case 'j': o.json = true; break;
		case 'k': o.keep = true; break;
		case 'h': fputs(agreement_help, stdout); return EXIT_OK;
		default: return usage_error("agreement", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("agreement", "missing subcommand (import, sign, note, status, list, show)");
	sub = argv[optind++];
	if (!strcmp(sub, "annex")) {
		if (!o.from_spif || optind + 2 != argc || o.json)
			return usage_error("agreement", "annex takes --from-spif and two SPIF files, A.xml B.xml");
		return do_annex(&o, argv[optind], argv[optind + 1]);
	}
	if (o.from_spif || o.annex || o.row_names)
		return usage_error("agreement", "--from-spif, --annex and --row-names are for 'agreement annex'");
	if (!strcmp(sub, "list")) {
		struct list_ctx lc;

		if (optind != argc)
			return usage_error("agreement", "list takes no arguments");
		if ((ret = open_node_read(o.home, &n)))
			return ret;
		lc.n = n;
		lc.json = o.json;
		lc.arr = json_array();
		if ((ret = node_now(n, &lc.now, &d)) == 0)
			ret = node_agreement_each(n, list_one, &lc);
		if (!ret && o.json)
			print_json(lc.arr);
		else
			json_decref(lc.arr);
		node_close(n);
		return ret ? fail(ret, &d) : EXIT_OK;
	}
	if (!strcmp(sub, "note") && optind < argc &&
	    (!strcmp(argv[optind], "export") || !strcmp(argv[optind], "discard"))) {
		if (optind + 2 != argc)
			return usage_error("agreement", "note %s takes the note's id", argv[optind]);
		return do_note_own(&o, argv[optind], argv[optind + 1]);
	}
	if (optind + 1 != argc)
		return usage_error("agreement", "'%s' takes exactly one argument", sub);
	if (!strcmp(sub, "status") || !strcmp(sub, "show"))
		return do_status(&o, argv[optind]);
	if (!strcmp(sub, "note"))
		return do_note(&o, argv[optind]);
	if (!strcmp(sub, "import")) {
		struct import_summary sum;

		if ((ret = open_node(o.home, &n)))
			return ret;
		ret = node_agreement_import(n, argv[optind], &sum, &d);
		if (!ret) {
			if (o.json) {
				json_t *j = json_object();

				json_object_set_new(j, "agreement", json_string(sum.id));
				json_object_set_new(j, "definitions", json_integer(sum.definitions));
				json_object_set_new(j, "signatures", json_integer(sum.signatures));
				json_object_set_new(j, "notes", json_integer(sum.notes));
				json_object_set_new(j, "already_held", json_integer(sum.already));
				print_json(j);
			} else {
				printf("imported %s: %d definition(s), %d signature(s), %d note(s) new; %d already held\n",
				       sum.id, sum.definitions, sum.signatures, sum.notes, sum.already);
			}
		}
		node_close(n);
		return ret ? fail(ret, &d) : EXIT_OK;
	}
	if (!strcmp(sub, "sign")) {
		char *out;
		size_t outlen;

		if ((ret = open_node_unlocked(o.home, o.passfile, &n)))
			return ret;
		ret = node_agreement_sign(n, argv[optind], o.version, &out, &outlen, &d);
		if (!ret) {
			ret = write_output(o.output, out, outlen);
			free(out);
			node_close(n);
			return ret;
		}
		node_close(n);
		return fail(ret, &d);
	}
	return usage_error("agreement", "unknown subcommand '%s'", sub);
}
