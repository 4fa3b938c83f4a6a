/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Durable releases of 1 KiB items: decision, seal, store, ledger entry,
 * committed (WAL, synchronous=FULL), in process on an exercise home made
 * from the example keys. One caller, then 64 callers at once whose
 * releases share commits (group commit, node/commit.h). Printed beside
 * the target (>= 5,000/s) and beside the ceiling of this filesystem
 * measured in the same run: how many fdatasync()s of a 1-byte write it
 * takes a second. Anchor: Tessera's POSIX backend, ~2,900 appends/s on 12
 * cores.
 *
 *   bench_release [RELEASES_PER_CALLER [CALLERS]]   (default 40, 64)
 */
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/agreements.h"
#include "node/items.h"
#include "node/node.h"
#include "store/stats_store.h"
#include "util/file.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define TARGET 5000

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

struct caller {
	pthread_t t;
	struct node *n;
	const struct release_request *r;
	int count;
	int failed;
	char msg[sizeof(((struct gs_diag *)0)->msg)];
};

static void *caller_run(void *arg)
{
	struct caller *c = arg;
	struct release_result res;
	struct decision dec;
	struct gs_diag d = { { 0 } };
	int i;

	for (i = 0; i < c->count; i++)
		if (node_release(c->n, c->r, &res, &dec, &d)) {
			c->failed++;
			snprintf(c->msg, sizeof(c->msg), "%s", d.msg);
		}
	return NULL;
}

/* Releases by `callers` threads at once, `each` releases apiece: per
 * second, and the mean number of releases per commit. */
static int run(struct node *n, const struct release_request *r, int callers, int each, double *rate,
	       double *batch)
{
	struct caller *c = calloc((size_t)callers, sizeof(*c));
	struct store_commit_stats s0, s1;
	double t0, t1;
	int i, failed = 0;

	if (!c)
		return 1;
	store_commit_stats_get(&s0);
	t0 = now_s();
	for (i = 0; i < callers; i++) {
		c[i].n = n;
		c[i].r = r;
		c[i].count = each;
		if (pthread_create(&c[i].t, NULL, caller_run, &c[i]))
			return 1;
	}
	for (i = 0; i < callers; i++) {
		pthread_join(c[i].t, NULL);
		if (c[i].failed) {
			fprintf(stderr, "bench_release: %d releases failed: %s\n", c[i].failed, c[i].msg);
			failed = 1;
		}
	}
	t1 = now_s();
	store_commit_stats_get(&s1);
	*rate = callers * each / (t1 - t0);
	*batch = s1.commits > s0.commits ? (double)(s1.actions - s0.actions) / (double)(s1.commits - s0.commits) : 0;
	free(c);
	return failed;
}

/* The ceiling: 1-byte writes each made durable by fdatasync, in a second,
 * on the filesystem of the home. */
static double fdatasync_rate(const char *dir)
{
	char path[300];
	double t0, t1;
	int fd, i, count = 200;

	snprintf(path, sizeof(path), "%s/fdatasync.probe", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	t0 = now_s();
	for (i = 0; i < count; i++)
		if (pwrite(fd, "x", 1, i) != 1 || fdatasync(fd) != 0)
			break;
	t1 = now_s();
	close(fd);
	unlink(path);
	return i / (t1 - t0);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/gsomia-bench-release-XXXXXX", home[256], doc[300];
	struct gs_diag d = { { 0 } };
	struct import_summary sum;
	struct release_request r;
	struct party p;
	struct node *n = NULL;
	uint8_t *keys, *id, body[1024];
	size_t keyslen, idlen;
	char fpr[80];
	int each = argc > 1 ? atoi(argv[1]) : 40, callers = argc > 2 ? atoi(argv[2]) : 64;
	double one, many, b1, bn, ceiling;
	FILE *f;

	if (sodium_init() < 0 || !mkdtemp(dir) || each < 1 || callers < 1)
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
	ceiling = fdatasync_rate(dir);
	if (run(n, &r, 1, each * 4 < 200 ? each * 4 : 200, &one, &b1) ||
	    run(n, &r, callers, each, &many, &bn))
		return 1;
	printf("durable releases of 1 KiB (decide, seal, store, ledger entry, commit: WAL, synchronous=FULL)\n");
	printf("  ceiling of this filesystem: %.0f fdatasync/s (1-byte write + fdatasync)\n", ceiling);
	printf("  1 caller:    %6.0f /s   mean batch %.1f releases per commit\n", one, b1);
	printf("  %d callers: %6.0f /s   mean batch %.1f releases per commit   %.1fx the fdatasync ceiling\n",
	       callers, many, bn, ceiling > 0 ? many / ceiling : 0);
	printf("  target >= %d /s with %d callers: %s\n", TARGET, callers, many >= TARGET ? "ok" : "MISSED");
	printf("  anchor: Tessera POSIX backend ~2,900 appends/s on 12 cores (published)\n");
	node_close(n);
	free(keys);
	free(id);
	snprintf(doc, sizeof(doc), "rm -rf '%s'", dir);
	return system(doc) == 0 ? 0 : 1;
}
