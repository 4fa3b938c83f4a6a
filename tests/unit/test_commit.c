/* SPDX-License-Identifier: Apache-2.0 */
/* Group commit (node/commit.h): releases by 64 threads at once are all
 * recorded, in fewer commits than releases, with a ledger that verifies;
 * refused releases among them take nothing else down; in one batch, a
 * member whose writes fail is undone alone and its batch-mates commit. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "node/agreements.h"
#include "node/commit.h"
#include "node/items.h"
#include "node/ledger.h"
#include "node/node.h"
#include "util/file.h"
#include "store/stats_store.h"

#define CALLERS 64
#define EACH 3

static char tmpdir[] = "/tmp/gsomia-test-commit-XXXXXX";
static char doc[300];
static struct node *node;

static uint8_t *slurp(const char *rel, size_t *len)
{
	char path[512];
	uint8_t *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", getenv("SRCDIR"), rel);
	assert_int_equal(read_file(path, 1 << 20, &buf, len, NULL), 0);
	return buf;
}

/* An exercise home made from the example keys, with JPN and KOR-JPN-2016. */
static int setup(void **state)
{
	char home[300], dir[512];
	struct gs_diag d = { { 0 } };
	struct import_summary sum;
	struct party p;
	uint8_t *keys, *id, body[1024];
	size_t klen, idlen;
	char fpr[80];
	FILE *f;

	(void)state;
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return -1;
	setenv("GSOMIA_NOW", "2023-05-01T10:00:00+09:00", 1);
	snprintf(home, sizeof(home), "%s/kor", tmpdir);
	keys = slurp("examples/keys/KOR.keys", &klen);
	id = slurp("examples/parties/JPN.id", &idlen);
	snprintf(dir, sizeof(dir), "%s/examples/agreements/kor-jpn-2016", getenv("SRCDIR"));
	if (node_init_with_keys(home, "KOR", NULL, NULL, NULL, true, "example", 7, (const char *)keys, klen, &d) ||
	    node_open(home, &node, &d) || node_unlock(node, "example", 7, &d) ||
	    node_party_import(node, id, idlen, &p, fpr, &d) || node_agreement_import(node, dir, &sum, &d)) {
		fprintf(stderr, "setup: %s\n", d.msg);
		return -1;
	}
	free(keys);
	free(id);
	snprintf(doc, sizeof(doc), "%s/doc.bin", tmpdir);
	randombytes_buf(body, sizeof(body));
	f = fopen(doc, "wb");
	if (!f || fwrite(body, 1, sizeof(body), f) != sizeof(body) || fclose(f))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	node_close(node);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static uint64_t log_size(const char *peer)
{
	uint8_t root[32];
	uint64_t size = 0;
	struct gs_diag d = { { 0 } };

	assert_int_equal(ledger_head(node, peer, &size, root, &d), 0);
	return size;
}

static void ledger_verifies(void)
{
	struct gs_diag d = { { 0 } };

	if (ledger_verify_local(node, NULL, NULL, NULL, &d))
		fail_msg("ledger verify: %s", d.msg);
}

struct caller {
	pthread_t t;
	int index;
	int ok, refused;
	char items[EACH][GS_MAX_ID];
	char bundles[EACH][BUNDLE_ID_HEX];
	char msg[sizeof(((struct gs_diag *)0)->msg)];
};

/* EACH releases; every eighth caller makes its second one with a label
 * the scheme does not have (refused, in the middle of the others). */
static void *caller_run(void *arg)
{
	struct caller *c = arg;
	struct release_request r;
	struct release_result res;
	struct decision dec;
	int i;

	memset(&r, 0, sizeof(r));
	r.file = doc;
	r.to = "JPN";
	r.agreement = "KOR-JPN-2016";
	r.purpose = "defence-cooperation";
	r.topic = "dprk-missiles";
	for (i = 0; i < EACH; i++) {
		struct gs_diag d = { { 0 } };
		bool bad = c->index % 8 == 0 && i == 1;

		r.label = bad ? "no-such-level" : "군사II급비밀";
		if (node_release(node, &r, &res, &dec, &d) == 0) {
			snprintf(c->items[c->ok], GS_MAX_ID, "%s", res.item);
			snprintf(c->bundles[c->ok], BUNDLE_ID_HEX, "%s", res.bundle);
			c->ok++;
		} else if (bad && strstr(d.msg, "unknown classification label 'no-such-level'")) {
			c->refused++;
		} else {
			snprintf(c->msg, sizeof(c->msg), "%s", d.msg);
		}
	}
	return NULL;
}

static void test_concurrent_releases(void **state)
{
	struct caller *c = calloc(CALLERS, sizeof(*c));
	struct store_commit_stats s0, s1;
	uint64_t before = log_size("JPN"), commits, records;
	int i, j, ok = 0, refused = 0;
	char path[600];
	struct stat sb;
	json_t *rec;
	struct dirent *e;
	DIR *dp;

	(void)state;
	assert_non_null(c);
	store_commit_stats_get(&s0);
	for (i = 0; i < CALLERS; i++) {
		c[i].index = i;
		assert_int_equal(pthread_create(&c[i].t, NULL, caller_run, &c[i]), 0);
	}
	for (i = 0; i < CALLERS; i++) {
		assert_int_equal(pthread_join(c[i].t, NULL), 0);
		if (c[i].msg[0])
			fail_msg("caller %d: %s", i, c[i].msg);
		ok += c[i].ok;
		refused += c[i].refused;
	}
	store_commit_stats_get(&s1);
	assert_int_equal(refused, CALLERS / 8);
	assert_int_equal(ok, CALLERS * EACH - CALLERS / 8);
	/* every release is recorded: its item, its bundle in place, its entry */
	for (i = 0; i < CALLERS; i++)
		for (j = 0; j < c[i].ok; j++) {
			assert_int_equal(node_item_get(node, c[i].items[j], &rec, NULL), 0);
			assert_string_equal(json_string_value(json_object_get(rec, "bundle")), c[i].bundles[j]);
			json_decref(rec);
			snprintf(path, sizeof(path), "%s/kor/objects/%s.bundle", tmpdir, c[i].bundles[j]);
			assert_int_equal(stat(path, &sb), 0);
		}
	assert_int_equal(log_size("JPN"), before + (uint64_t)ok);
	/* nothing pending is left behind */
	snprintf(path, sizeof(path), "%s/kor/objects", tmpdir);
	dp = opendir(path);
	assert_non_null(dp);
	while ((e = readdir(dp)))
		assert_null(strstr(e->d_name, ".tmp"));
	closedir(dp);
	ledger_verifies();
	/* the releases shared commits */
	commits = s1.commits - s0.commits;
	records = s1.actions - s0.actions;
	assert_int_equal(records, (uint64_t)ok);
	assert_true(commits < records);
	printf("# %d releases by %d callers in %llu commits\n", ok, CALLERS, (unsigned long long)commits);
	free(c);
}

/* ---- one batch, one member failing ---- */

#define MEMBERS 8
#define FAILING 3

struct member_job {
	pthread_t t;
	int index;
	struct node_commit_member m;
	struct gs_diag d;
	int ret;
};

/* Appends an entry to the internal log; the FAILING one then fails, after
 * its append: its entry must go, the others' stay. */
static int member_write(struct node *n, void *ctx, struct gs_diag *d)
{
	struct member_job *j = ctx;
	char idx[16];
	int ret;

	snprintf(idx, sizeof(idx), "%d", j->index);
	if ((ret = ledger_event(n, NULL, LEDGER_KEY_EVENT, GS_INSTANT_NONE, "batch-test", d, "member", idx, NULL)))
		return ret;
	if (j->index == FAILING)
		return gs_diag_set(d, GS_EINVAL, "member %d refused after its append", j->index);
	return 0;
}

static void *member_run(void *arg)
{
	struct member_job *j = arg;

	j->m.write = member_write;
	j->m.ctx = j;
	j->m.d = &j->d;
	j->m.sync_fd = -1;
	j->ret = node_commit(node, &j->m);
	return NULL;
}

static void test_failing_member(void **state)
{
	struct member_job jobs[MEMBERS];
	struct store_commit_stats s0, s1;
	uint64_t before = log_size("");
	int i;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	store_commit_stats_get(&s0);
	/* the lock held: every member queues, then one batch takes them all */
	node_mutex_lock(node);
	for (i = 0; i < MEMBERS; i++) {
		jobs[i].index = i;
		assert_int_equal(pthread_create(&jobs[i].t, NULL, member_run, &jobs[i]), 0);
	}
	while (node_commit_queued(node) < MEMBERS)
		sched_yield();
	node_mutex_unlock(node);
	for (i = 0; i < MEMBERS; i++)
		assert_int_equal(pthread_join(jobs[i].t, NULL), 0);
	store_commit_stats_get(&s1);
	for (i = 0; i < MEMBERS; i++) {
		if (i == FAILING) {
			assert_int_equal(jobs[i].ret, GS_EINVAL);
			assert_string_equal(jobs[i].d.msg, "member 3 refused after its append");
		} else {
			assert_int_equal(jobs[i].ret, 0);
			assert_string_equal(jobs[i].d.msg, "");
		}
	}
	assert_int_equal(s1.commits - s0.commits, 1);
	assert_int_equal(s1.actions - s0.actions, MEMBERS - 1);
	assert_int_equal(log_size(""), before + MEMBERS - 1);
	ledger_verifies();
	/* the ledger's kept tree follows the rollback: the next append is right */
	jobs[0].index = 100;
	member_run(&jobs[0]);
	assert_int_equal(jobs[0].ret, 0);
	assert_int_equal(log_size(""), before + MEMBERS);
	ledger_verifies();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_releases),
		cmocka_unit_test(test_failing_member),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
