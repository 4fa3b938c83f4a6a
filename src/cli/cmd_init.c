/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "util/file.h"
#include "util/banned.h"

static const char init_help[] =
	"usage: gsomia init --party CODE [--name NAME] [--zone +HH:MM] [--levels FILE]\n"
	"                   [--exercise] [--keys FILE] [--endpoint https://HOST:PORT]\n"
	"                   [--home DIR] [--passphrase-file FILE] [--db sqlite|URI]\n\n"
	"Makes a node home: the database and this node's Ed25519 and X25519 keys,\n"
	"sealed under a passphrase (GSOMIA_PASSPHRASE, --passphrase-file, or a prompt).\n"
	"KOR, JPN and USA have built-in classification schemes; others give --levels\n"
	"(a file of 'level: LABEL | ROMANISATION | GLOSS' lines, most sensitive first).\n"
	"--exercise makes an exercise node: its clock follows GSOMIA_NOW and real\n"
	"nodes refuse what it makes. --keys keeps the keys of a sealed key file (a\n"
	"backup of keys.sealed) instead of making new ones. An existing home is never\n"
	"overwritten. Every home also gets a TLS key and certificate (tls.key,\n"
	"tls.crt) whose pin the identity carries; --endpoint adds the address where\n"
	"peers reach this node's 'gsomia serve'. --db postgresql://... keeps the\n"
	"node's database in PostgreSQL instead of the home's SQLite file, so that\n"
	"several 'gsomia serve' processes can share it (docs/scale-out.md); the URI\n"
	"is kept in HOME/db.conf, and the database must be empty.\n";

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "party", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "zone", required_argument, NULL, 'z' },
		{ "levels", required_argument, NULL, 'l' },
		{ "exercise", no_argument, NULL, 'x' },
		{ "keys", required_argument, NULL, 'k' },
		{ "home", required_argument, NULL, 'H' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *party = NULL, *name = NULL, *zone = NULL, *levels = NULL, *home = NULL,
		   *passfile = NULL, *keysfile = NULL, *endpoint = NULL, *db = NULL;
	uint8_t *sealed = NULL;
	size_t sealedlen = 0;
	struct gs_diag d = { { 0 } };
	uint8_t *levels_text = NULL;
	size_t levels_len, passlen;
	char *pass = NULL;
	bool exercise = false;
	int c, ret;
	struct node *n;
	char fpr[80];

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': party = optarg; break;
		case 'n': name = optarg; break;
		case 'z': zone = optarg; break;
		case 'l': levels = optarg; break;
		case 'x': exercise = true; break;
		case 'k': keysfile = optarg; break;
		case 'H': home = optarg; break;
		case 'e': endpoint = optarg; break;
		case 'P': passfile = optarg; break;
		case 'D': db = optarg; break;
		case 'h': fputs(init_help, stdout); return EXIT_OK;
		default: return usage_error("init", "unknown option");
		}
	}
	if (!party || optind != argc)
		return usage_error("init", "--party CODE is required");
	if (levels && (ret = read_file(levels, 65536, &levels_text, &levels_len, &d)))
		return fail(ret, &d);
	if (keysfile && (ret = read_file(keysfile, 8192, &sealed, &sealedlen, &d))) {
		free(levels_text);
		return fail(ret, &d);
	}
	home = node_home_path(home);
	if ((ret = passphrase_get(passfile, true, &pass, &passlen, &d)))
		goto out;
	ret = node_init_full(home, party, name, zone, (const char *)levels_text, exercise, endpoint,
			     db, pass, passlen, (const char *)sealed, sealedlen, &d);
	if (ret)
		goto out;
	if ((ret = node_open(home, &n, &d)))
		goto out;
	node_fingerprint(n, fpr);
	printf("initialised %snode for %s (%s) in %s\nfingerprint %s\n", exercise ? "EXERCISE " : "",
	       node_self(n)->code, node_self(n)->name, home, fpr);
	node_close(n);
out:
	passphrase_free(pass, passlen);
	free(levels_text);
	free(sealed);
	return ret ? fail(ret, &d) : EXIT_OK;
}
