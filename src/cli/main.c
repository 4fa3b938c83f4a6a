/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli/assets.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "util/banned.h"

static const struct command commands[] = {
	{ "init", cmd_init, "make a node home: database and sealed keys" },
	{ "party", cmd_party, "export, import, list and show party identities" },
	{ "agreement", cmd_agreement, "import, sign, give notes on, and follow agreements" },
	{ "person", cmd_person, "add, list and show persons: clearances, duties, roles" },
	{ "facility", cmd_facility, "facilities and their registers of authorised persons" },
	{ "decide", cmd_decide, "ask whether a release, access or onward release would be allowed" },
	{ "ledger", cmd_ledger, "show, verify, checkpoint and prove the node's Merkle ledger" },
	{ "release", cmd_release, "release an item to a party as a sealed, signed bundle" },
	{ "receive", cmd_receive, "verify and hold a bundle; write a signed receipt" },
	{ "receipt", cmd_receipt, "import a recipient's receipt" },
	{ "open", cmd_open, "decide access and decrypt an item for a person" },
	{ "copy", cmd_copy, "reproduce an item: a counted copy linked to its original" },
	{ "translate", cmd_translate, "record a translation of an item by a cleared translator" },
	{ "reclassify", cmd_reclassify, "the originator's reclassification notice: make or apply" },
	{ "destroy", cmd_destroy, "destroy an item: key and ciphertext, witnessed" },
	{ "return", cmd_return, "return an item to its originator: key and ciphertext destroyed" },
	{ "items", cmd_items, "the inventory: holdings, markings, status, custody" },
	{ "bundle", cmd_bundle, "inspect a bundle without keys, verify it (or a part), export one" },
	{ "consent", cmd_consent, "request, grant, refuse, import and list originators' consents" },
	{ "incident", cmd_incident, "report, import and follow losses and compromises" },
	{ "visit", cmd_visit, "request, approve, refuse, import and list visits (Art 8, 18)" },
	{ "attention", cmd_attention, "what needs attention: deadlines, expiries, overdue steps" },
	{ "key", cmd_key, "export the node's X25519 identity for the age tool" },
	{ "label", cmd_label, "STANAG 4774 labels and 4778 bindings: export, verify, key" },
	{ "warn", cmd_warn, "missile warnings: check one and print its canonical form, CoT" },
	{ "serve", cmd_serve, "serve the node's HTTPS API to peers (mutual TLS)" },
	{ "peer", cmd_peer, "reach peer nodes over HTTPS: ping" },
	{ "outbox", cmd_outbox, "deliveries waiting for peers, and why; send them now" },
	{ "demo", cmd_demo, "play the exercise: KOR, JPN and USA nodes, 2016-2023" },
	{ "backup", cmd_backup, "a backup of the home, sealed to the node's key, while it serves" },
	{ "restore", cmd_restore, "restore a backup; check the ledger with peers; the restoration notice" },
	{ "report", cmd_report, "a term's figures for the annual review: JSON, CSV, printable HTML" },
	{ "metrics", cmd_metrics, "a monitoring system's token for GET /v1/metrics" },
	{ "version", cmd_version, "print the version" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: gsomia <command> [options]\n\n"
		   "gsomia carries out a General Security of Military Information\n"
		   "Agreement: one node per party. Commands:\n\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'gsomia <command> --help' describes each command.\n");
}

/* The version, and where the data installed with this binary is (the
 * examples, the demo's scripts: cli/assets.h). */
int cmd_version(int argc, char **argv)
{
	char dir[4096];

	(void)argc;
	(void)argv;
	printf("gsomia %s\n", GSOMIA_VERSION);
	if (!assets_dir(dir, sizeof(dir)))
		printf("data %s\n", dir);
	return EXIT_OK;
}

/* The commands whose work can be long: they draw a progress bar on a
 * terminal (cli/progress_bar.h), unless asked for --json. */
static int shows_progress(const char *name)
{
	static const char *const long_work[] = { "release", "receive", "open", "bundle", "backup", "restore" };
	size_t i;

	for (i = 0; i < sizeof(long_work) / sizeof(long_work[0]); i++)
		if (!strcmp(name, long_work[i]))
			return 1;
	return 0;
}

static int run(const struct command *c, int argc, char **argv)
{
	bool json = false;
	int i, rc;

	if (!shows_progress(c->name))
		return c->fn(argc, argv);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			json = true;
	progress_bar_start(json);
	rc = c->fn(argc, argv);
	progress_bar_stop();
	return rc;
}

int main(int argc, char **argv)
{
	size_t i;

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* built for the fuzz harnesses: key file costs too small to keep a
	 * secret (crypto/keys.c) */
	(void)argc;
	(void)argv;
	(void)i;
	fprintf(stderr, "gsomia: this is a fuzzing build (meson -Dfuzz=true); it refuses to run\n");
	return EXIT_FAIL;
#endif
	/* A decision assembles an agreement's view in a few hundred KiB
	 * (node/agreements.c); above glibc's default threshold each such
	 * block is a fresh mmap whose pages fault in as they are zeroed,
	 * which was a third of a hub's time relaying warnings
	 * (docs/warnings.md "Speed"). Kept in the heap, the pages are reused. */
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	if (sodium_init() < 0) {
		fprintf(stderr, "gsomia: cannot initialise libsodium\n");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return run(&commands[i], argc - 1, argv + 1);
	fprintf(stderr, "gsomia: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
