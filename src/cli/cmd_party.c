/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "node/keyhistory.h"
#include "core/label.h"
#include "node/labels.h"
#include "util/file.h"
#include "util/banned.h"

static const char party_help[] =
	"usage: gsomia party export [-o FILE] [--home DIR]\n"
	"       gsomia party import FILE... [--json] [--home DIR]\n"
	"       gsomia party list [--json] [--home DIR]\n"
	"       gsomia party show CODE [--json] [--home DIR]\n"
	"       gsomia party keys CODE [--json] [--home DIR]\n"
	"       gsomia party rotate [--text TEXT] -o FILE [--json] [--passphrase-file FILE]\n"
	"       gsomia party compromised CODE --since T [--key FINGERPRINT] [--text TEXT]\n"
	"                                [-o FILE] [--json] [--passphrase-file FILE]\n"
	"       gsomia party levels --from-spif SPIF.xml [-o FILE]\n\n"
	"export writes this node's signed public identity (code, name, zone, keys,\n"
	"classification scheme). import verifies another party's identity and\n"
	"registers it; compare the fingerprint it prints with the one the party gave\n"
	"you through another channel before trusting it. import also takes a\n"
	"party's rotation note (then its new identity) and its compromise notes.\n"
	"rotate gives this node fresh signing, X25519 and TLS keys and writes the\n"
	"rotation note, signed by the old key and the new one, for the peers; send\n"
	"them 'party export' too. compromised records that a key of CODE (this\n"
	"node's own retired key, or a peer's) is compromised since T: nothing it\n"
	"signs from then on is trusted, and what was received from it since then\n"
	"is flagged. keys shows a party's key history (docs/keys.md). levels reads\n"
	"an XML SPIF and writes the 'policy:' and 'level:' lines of its scheme (most\n"
	"sensitive first), a levels file for 'gsomia init --levels' (docs/labels.md).\n";

static json_t *party_json(const struct party *p, const char *fpr, int is_self)
{
	json_t *o = json_object(), *levels = json_array();
	char zone[GS_ZONE_STR];
	int i;

	zone_format(p->zone, zone);
	json_object_set_new(o, "code", json_string(p->code));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "zone", json_string(zone));
	json_object_set_new(o, "exercise", json_boolean(p->exercise));
	json_object_set_new(o, "self", json_boolean(is_self));
	json_object_set_new(o, "fingerprint", json_string(fpr));
	json_object_set_new(o, "policy", p->policy[0] ? json_string(p->policy) : json_null());
	json_object_set_new(o, "policy_name", p->policy[0] ? json_string(party_policy_name(p)) : json_null());
	json_object_set_new(o, "label_key", json_boolean(p->has_label_key));
	for (i = 0; i < p->scheme.nlevels; i++) {
		json_t *l = json_object();

		json_object_set_new(l, "label", json_string(p->scheme.levels[i].label));
		json_object_set_new(l, "romanisation", json_string(p->scheme.levels[i].roman));
		json_object_set_new(l, "gloss", json_string(p->scheme.levels[i].gloss));
		json_array_append_new(levels, l);
	}
	json_object_set_new(o, "scheme", levels);
	return o;
}

static void party_print(const struct party *p, const char *fpr)
{
	char zone[GS_ZONE_STR];
	int i;

	zone_format(p->zone, zone);
	printf("%s  %s%s\n  zone %s\n  fingerprint %s\n", p->code, p->name, p->exercise ? "  [EXERCISE]" : "",
	       zone, fpr);
	if (p->policy[0])
		printf("  policy %s (%s)\n", p->policy, party_policy_name(p));
	if (p->has_label_key)
		printf("  label key: certified ('gsomia label key %s' writes it)\n", p->code);
	else
		printf("  label key: none\n");
	printf("  scheme (most sensitive first):\n");
	for (i = 0; i < p->scheme.nlevels; i++)
		printf("    %s  %s  (%s)\n", p->scheme.levels[i].label, p->scheme.levels[i].roman,
		       p->scheme.levels[i].gloss);
}

static void list_one(bool json, json_t *arr, const struct party_entry *e)
{
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "code", json_string(e->code));
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "fingerprint", json_string(e->fingerprint));
		json_object_set_new(o, "self", json_boolean(e->is_self));
		json_array_append_new(arr, o);
	} else {
		printf("%-4s %-40s %s%s\n", e->code, e->name, e->fingerprint, e->is_self ? "  (this node)" : "");
	}
}

/* Imports one file: an identity, or a rotation or compromise note. */
static int import_one(struct node *n, const char *path, bool json, struct gs_diag *d)
{
	uint8_t *buf;
	size_t len;
	int ret;

	if ((ret = read_file(path, GS_MAX_NOTE_BYTES, &buf, &len, d)))
		return ret;
	if (key_note_is(buf, len)) {
		json_t *out = NULL;
		bool already;

		ret = node_key_note_import(n, buf, len, &out, &already, d);
		if (ret) {
			gs_diag_prefix(d, "%s", path);
		} else if (json) {
			json_object_set_new(out, "already_held", json_boolean(already));
			print_json(out);
			out = NULL;
		} else if (!strcmp(jstr(out, "kind"), "rotation")) {
			printf("%s: %s rotates its keys at %s\nold key %s\nnew key %s\n%s\n", path, jstr(out, "party"),
			       jstr(out, "effective"), jstr(out, "old_fingerprint"), jstr(out, "new_fingerprint"),
			       already ? "(already held)" : "import its new identity next: gsomia party import FILE");
		} else {
			printf("%s: %s's key %s compromised since %s%s\n", path, jstr(out, "party"),
			       jstr(out, "fingerprint"), jstr(out, "since"), already ? " (already held)" : "");
			if (!already)
				printf("flagged %zu item(s) and %zu consent(s) received since then\n",
				       json_array_size(json_object_get(out, "flagged_items")),
				       json_array_size(json_object_get(out, "flagged_consents")));
		}
		json_decref(out);
	} else {
		struct party *p = calloc(1, sizeof(*p));
		char fpr[80];

		if (!p)
			ret = GS_ENOMEM;
		else if ((ret = node_party_import(n, buf, len, p, fpr, d)))
			gs_diag_prefix(d, "%s", path);
		else if (json)
			print_json(party_json(p, fpr, 0));
		else
			printf("imported %s (%s)\nfingerprint %s\ncompare it with the fingerprint %s gave you out of band\n",
			       p->code, p->name, fpr, p->code);
		free(p);
	}
	free(buf);
	return ret;
}

/* party rotate: fresh keys for this node, and the rotation note. */
static int rotate(const char *home, const char *passfile, const char *text, const char *output, bool json)
{
	struct gs_diag d = { { 0 } };
	struct key_rotate_result res;
	struct node *n = NULL;
	char *pass = NULL, *note = NULL;
	size_t plen = 0, len = 0;
	int ret;

	if (!output)
		return usage_error("party", "rotate needs -o FILE for the rotation note");
	if ((ret = open_node(home, &n)))
		return ret;
	if (!(ret = passphrase_get(passfile, false, &pass, &plen, &d)) && !(ret = node_unlock(n, pass, plen, &d)) &&
	    !(ret = node_keys_rotate(n, pass, plen, text, &note, &len, &res, &d)))
		ret = write_output(output, note, len);
	if (pass)
		passphrase_free(pass, plen);
	node_close(n);
	free(note);
	if (ret)
		return d.msg[0] ? fail(ret, &d) : ret;
	if (json)
		print_json(json_pack("{s:s,s:s,s:o,s:i,s:s}", "old_fingerprint", res.old_fingerprint, "new_fingerprint",
				     res.new_fingerprint, "effective", jinstant(res.effective), "resealed", res.resealed,
				     "note", res.id));
	else
		printf("keys rotated at the node's clock\nold key %s\nnew key %s\n%d item key(s) sealed again\n"
		       "rotation note written to %s; send it with 'gsomia party export' to every peer\n"
		       "(restart 'gsomia serve': its TLS key changed too)\n",
		       res.old_fingerprint, res.new_fingerprint, res.resealed, strcmp(output, "-") ? output : "stdout");
	return EXIT_OK;
}

static int compromised(const char *home, const char *passfile, const struct key_compromise_args *a, const char *output,
		       bool json)
{
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	json_t *out = NULL;
	char *note = NULL;
	size_t len = 0;
	int ret;

	if (!a->since)
		return usage_error("party", "compromised needs --since T");
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	ret = node_key_compromised(n, a, &note, &len, &out, &d);
	node_close(n);
	if (!ret && output)
		ret = write_output(output, note, len);
	free(note);
	if (ret) {
		json_decref(out);
		return d.msg[0] ? fail(ret, &d) : ret;
	}
	if (json) {
		print_json(out);
		return EXIT_OK;
	}
	printf("%s's key %s recorded as compromised since %s\nflagged %zu item(s) and %zu consent(s) received since "
	       "then\n", jstr(out, "party"), jstr(out, "fingerprint"), jstr(out, "since"),
	       json_array_size(json_object_get(out, "flagged_items")),
	       json_array_size(json_object_get(out, "flagged_consents")));
	json_decref(out);
	return EXIT_OK;
}

enum { O_PASSFILE = 256, O_TEXT, O_SINCE, O_KEY };

int cmd_party(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "passphrase-file", required_argument, NULL, O_PASSFILE },
		{ "text", required_argument, NULL, O_TEXT },
		{ "since", required_argument, NULL, O_SINCE },
		{ "key", required_argument, NULL, O_KEY },
		{ "from-spif", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *output = NULL, *sub, *passfile = NULL, *text = NULL, *spif = NULL;
	struct key_compromise_args ca = { NULL, NULL, NULL, NULL };
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'o': output = optarg; break;
		case 'j': json = true; break;
		case O_PASSFILE: passfile = optarg; break;
		case O_TEXT: text = ca.text = optarg; break;
		case O_SINCE: ca.since = optarg; break;
		case O_KEY: ca.fingerprint = optarg; break;
		case 'S': spif = optarg; break;
		case 'h': fputs(party_help, stdout); return EXIT_OK;
		default: return usage_error("party", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("party", "missing subcommand (export, import, list, show, keys, rotate, compromised)");
	sub = argv[optind++];
	if (!strcmp(sub, "levels")) {
		char *levels = NULL;
		size_t len = 0;

		if (!spif || optind != argc || json)
			return usage_error("party", "levels takes --from-spif SPIF.xml and -o FILE");
		if ((ret = spif_file_levels(spif, &levels, &len, &d)))
			return fail(ret, &d);
		ret = write_output(output ? output : "-", levels, len);
		free(levels);
		return ret;
	}
	if (spif)
		return usage_error("party", "--from-spif is for 'party levels'");
	if (strcmp(sub, "export") && strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "show") &&
	    strcmp(sub, "keys") && strcmp(sub, "rotate") && strcmp(sub, "compromised"))
		return usage_error("party", "unknown subcommand '%s'", sub);
	if (!strcmp(sub, "import") ? optind >= argc
	    : (!strcmp(sub, "show") || !strcmp(sub, "keys") || !strcmp(sub, "compromised")) ? optind + 1 != argc
											     : optind != argc)
		return usage_error("party", "wrong number of arguments for '%s'", sub);
	if ((ca.since || ca.fingerprint) && strcmp(sub, "compromised"))
		return usage_error("party", "--since and --key are for 'compromised'");
	if (!strcmp(sub, "rotate"))
		return rotate(home, passfile, text, output, json);
	if (!strcmp(sub, "compromised")) {
		ca.party = argv[optind];
		return compromised(home, passfile, &ca, output, json);
	}
	/* import records; export, keys, list and show only read */
	if ((ret = strcmp(sub, "import") ? open_node_read(home, &n) : open_node(home, &n)))
		return ret;
	if (!strcmp(sub, "export")) {
		char *buf;
		size_t len;

		if ((ret = node_party_export(n, &buf, &len, &d)) == 0) {
			ret = write_output(output, buf, len);
			free(buf);
			node_close(n);
			return ret;
		}
	} else if (!strcmp(sub, "import")) {
		/* in order, each file on its own: a rotation note, then the new identity */
		for (ret = 0; !ret && optind < argc; optind++)
			ret = import_one(n, argv[optind], json, &d);
	} else if (!strcmp(sub, "keys")) {
		json_t *h = NULL;
		size_t i;
		json_t *k;

		if (!(ret = node_party_key_history(n, argv[optind], &h, &d))) {
			if (json) {
				print_json(h);
				h = NULL;
			} else {
				json_array_foreach(h, i, k) {
					printf("%s  from %s until %s%s%s%s\n", jstr(k, "fingerprint"),
					       json_is_string(json_object_get(k, "valid_from")) ? jstr(k, "valid_from") : "registration",
					       json_is_string(json_object_get(k, "valid_until")) ? jstr(k, "valid_until") : "now",
					       json_is_true(json_object_get(k, "current")) ? "  (current)" : "",
					       json_is_string(json_object_get(k, "compromised_since")) ? "  COMPROMISED since " : "",
					       json_is_string(json_object_get(k, "compromised_since"))
						       ? jstr(k, "compromised_since") : "");
				}
			}
			json_decref(h);
		}
	} else if (!strcmp(sub, "list")) {
		struct party_entry *all = NULL;
		json_t *arr = json_array();
		size_t i, count = 0;

		ret = node_party_list(n, &all, &count, &d);
		for (i = 0; !ret && i < count; i++)
			list_one(json, arr, &all[i]);
		if (!ret && json)
			print_json(arr);
		else
			json_decref(arr);
		free(all);
	} else {
		struct party *p = calloc(1, sizeof(*p));
		struct party_entry *all = NULL;
		size_t i, count = 0;

		if (!p) {
			ret = GS_ENOMEM;
		} else if ((ret = node_party_get(n, argv[optind], p, &d)) == 0 &&
			   (ret = node_party_list(n, &all, &count, &d)) == 0) {
			for (i = 0; i < count && strcmp(all[i].code, p->code); i++)
				;
			if (i == count)
				ret = gs_diag_set(&d, GS_ENOTFOUND, "party '%s' is not registered", p->code);
			else if (json)
				print_json(party_json(p, all[i].fingerprint, all[i].is_self));
			else
				party_print(p, all[i].fingerprint);
		}
		free(all);
		free(p);
	}
	node_close(n);
	return ret ? fail(ret, &d) : EXIT_OK;
}
