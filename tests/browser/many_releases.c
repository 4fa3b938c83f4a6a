/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fills a node's inventory for the console's browser tests (run.sh): COUNT
 * real releases, each decided, sealed, stored and logged by node_release as
 * `gsomia release` makes them, spread over three years of the exercise
 * clock (from December 2016, 30 months), with titles, names, topics and
 * classifications (the LABELs, in turn) that differ, so that the holdings
 * table has something to search, sort and page.
 *
 *     many_releases HOME COUNT TO AGREEMENT LABEL...   (GSOMIA_PASSPHRASE unlocks HOME)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/items.h"
#include "node/node.h"

int main(int argc, char **argv)
{
	static const char *const topics[] = { "dprk-missiles", "dprk-nuclear", "maritime", "logistics" };
	struct gs_diag d = { { 0 } };
	struct release_request r;
	struct release_result res;
	struct decision dec;
	struct node *n = NULL;
	const char *pass = getenv("GSOMIA_PASSPHRASE");
	char doc[4200], title[128], name[64], now[64], label[GS_MAX_LABEL];
	gs_instant t0 = 1480550400; /* 2016-12-01T00:00:00Z */
	int i, count;
	FILE *f;

	if (argc < 6 || (count = atoi(argv[2])) < 1 || !pass) {
		fprintf(stderr, "usage: GSOMIA_PASSPHRASE=... many_releases HOME COUNT TO AGREEMENT LABEL...\n");
		return 2;
	}
	if (node_open(argv[1], &n, &d) || node_unlock(n, pass, strlen(pass), &d)) {
		fprintf(stderr, "many_releases: %s\n", d.msg);
		return 1;
	}
	snprintf(doc, sizeof(doc), "%s/many-releases.txt", argv[1]);
	for (i = 0; i < count; i++) {
		gs_instant t = t0 + (gs_instant)i * (900 * 86400 / count);
		char when[GS_INSTANT_STR];

		instant_format(t, when);
		snprintf(now, sizeof(now), "%s", when);
		setenv("GSOMIA_NOW", now, 1);
		f = fopen(doc, "w");
		if (!f || fprintf(f, "Exercise report %05d (%s)\n", i + 1, topics[i % 4]) < 0 || fclose(f)) {
			fprintf(stderr, "many_releases: cannot write %s\n", doc);
			return 1;
		}
		snprintf(label, sizeof(label), "%s", argv[5 + i % (argc - 5)]);
		snprintf(title, sizeof(title), "Exercise report %05d on %s", i + 1, topics[i % 4]);
		snprintf(name, sizeof(name), "report-%05d.txt", i + 1);
		memset(&r, 0, sizeof(r));
		r.file = doc;
		r.to = argv[3];
		r.agreement = argv[4];
		r.label = label;
		r.purpose = "defence-cooperation";
		r.topic = topics[i % 4];
		r.title = title;
		r.name = name;
		if (node_release(n, &r, &res, &dec, &d)) {
			fprintf(stderr, "many_releases: release %d at %s: %s\n", i + 1, now, d.msg);
			return 1;
		}
	}
	remove(doc);
	node_close(n);
	return 0;
}
