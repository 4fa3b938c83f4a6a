/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/assets.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "util/banned.h"

static const char demo_help[] =
	"usage: gsomia demo [--keep]\n\n"
	"Plays the exercise from the scripts installed with gsomia (or the source\n"
	"tree's, for a binary run from its build directory): first the KOR-JPN\n"
	"agreement from 2016 to 2023 on two exercise nodes (scripts/demo.sh), then\n"
	"three exercise nodes, KOR, JPN and USA, serving on loopback ports and\n"
	"exchanging releases, receipts, consents and an incident over mutual TLS\n"
	"(scripts/exercise.sh). Everything runs in a temporary directory and stops\n"
	"at the end. It ends with the address of each node's web console and who\n"
	"signs in there; --keep leaves the three nodes and their consoles up.\n";

int cmd_demo(int argc, char **argv)
{
	char walk[4096], exercise[4096], cmd[8400], dir[4000], self[4096];
	int keep = 0, i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(demo_help, stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--keep")) {
			keep = 1;
		} else {
			return usage_error("demo", "unknown option '%s'", argv[i]);
		}
	}
	if (assets_dir(dir, sizeof(dir)))
		return failf(GS_ENOTFOUND, "the demo scripts are neither installed beside this binary nor in its source tree");
	snprintf(walk, sizeof(walk), "%s/scripts/demo.sh", dir);
	snprintf(exercise, sizeof(exercise), "%s/scripts/exercise.sh", dir);
	if (access(walk, X_OK) != 0 || access(exercise, X_OK) != 0)
		return failf(GS_ENOTFOUND, "the demo scripts at '%s/scripts' cannot be run", dir);
	/* the scripts run this very binary */
	if (!getenv("GSOMIA") && !assets_self(self, sizeof(self)))
		setenv("GSOMIA", self, 1);
	fflush(stdout);
	rc = system(walk);
	if (rc != 0)
		return failf(GS_EIO, "the 2016-2023 walk failed (status %d)", rc);
	snprintf(cmd, sizeof(cmd), "'%s'%s", exercise, keep ? " --keep" : "");
	rc = system(cmd);
	return rc == 0 ? EXIT_OK : failf(GS_EIO, "the exercise failed (status %d)", rc);
}
