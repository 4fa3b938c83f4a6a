/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Durable releases of 1 KiB items: decision, seal, store, ledger entry,
 * committed (WAL, synchronous=FULL), one transaction per release, in
 * process on an exercise home made from the example keys. Target (issue):
 * >= 5,000 per second with group commit; anchor: Tessera's POSIX backend,
 * ~2,900 appends/s on 12 cores.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/agreements.h"
#include "node/items.h"
#include "node/node.h"
#include "util/file.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int slurp(const char *path, uint8_t **buf, size_t *len)
{
	struct gs_diag d = { { 0 } };

	return read_file(path, 1 << 20, buf, len, &d);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/gsomia-bench-release-XXXXXX", home[256], doc[300];
	struct gs_diag d = { { 0 } };
	struct import_summary sum;
	struct release_request r;
	struct release_result res;
	struct decision dec;
	struct party p;
	struct node *n = NULL;
	uint8_t *keys, *id, body[1024];
	size_t keyslen, idlen;
	char fpr[80];
	int i, count = argc > 1 ? atoi(argv[1]) : 500;
	double t0, t1;
	FILE *f;

	if (sodium_init() < 0 || !mkdtemp(dir))
		return 1;
	setenv("GSOMIA_NOW", "2023-05-01T10:00:00+09:00", 1);
	snprintf(home, sizeof(home), "%s/kor", dir);
	if (slurp(SRCDIR "/examples/keys/KOR.keys", &keys, &keyslen) ||
	    node_init_with_keys(home, "KOR", NULL, NULL, NULL, true, "example", 7, (const char *)keys,
				keyslen, &d) ||
	    node_open(home, &n, &d) || node_unlock(n, "example", 7, &d) ||
	    slurp(SRCDIR "/examples/parties/JPN.id", &id, &idlen) ||
	    node_party_import(n, id, idlen, &p, fpr, &d) ||
	    node_agreement_import(n, SRCDIR "/examples/agreements/kor-jpn-2016", &sum, &d)) {
		fprintf(stderr, "bench_release: setup: %s\n", d.msg);
		return 1;
	}
	snprintf(doc, sizeof(doc), "%s/doc.bin", dir);
	randombytes_buf(body, sizeof(body));
	f = fopen(doc, "wb");
	if (!f || fwrite(body, 1, sizeof(body), f) != sizeof(body) || fclose(f))
		return 1;
	memset(&r, 0, sizeof(r));
	r.file = doc;
	r.to = "JPN";
	r.agreement = "KOR-JPN-2016";
	r.label = "군사II급비밀";
	r.purpose = "defence-cooperation";
	r.topic = "dprk-missiles";
	t0 = now_s();
	for (i = 0; i < count; i++) {
		if (node_release(n, &r, &res, &dec, &d)) {
			fprintf(stderr, "bench_release: release %d: %s\n", i, d.msg);
			return 1;
		}
	}
	t1 = now_s();
	printf("durable releases of 1 KiB (decide, seal, store, ledger, commit; one transaction each)\n");
	printf("  %d releases in %.2f s: %.0f /s   target >= 5000 /s with group commit   %s\n", count, t1 - t0,
	       count / (t1 - t0), count / (t1 - t0) >= 5000 ? "ok" : "MISSED");
	printf("  anchor: Tessera POSIX backend ~2,900 appends/s on 12 cores (published)\n");
	node_close(n);
	snprintf(doc, sizeof(doc), "rm -rf '%s'", dir);
	return system(doc) == 0 ? 0 : 1;
}
