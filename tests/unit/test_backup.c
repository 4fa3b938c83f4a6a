/* SPDX-License-Identifier: Apache-2.0 */
/* Backups, restorations and what a running node says (node/backup.h,
 * node/restore.h, store/stats_store.h, net/logline.h): the manifest's
 * known answer from the example keys, a backup restored into a new home,
 * every damaged backup refused with nothing written, the restoration
 * notice's parser, the commit batch histogram, the log line format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "crypto/keys.h"
#include "crypto/note.h"
#include "net/logline.h"
#include "node/backup.h"
#include "node/ledger.h"
#include "node/node.h"
#include "node/restore.h"
#include "store/stats_store.h"
#include "util/encode.h"
#include "util/file.h"

static char tmpdir[] = "/tmp/gsomia-test-backup-XXXXXX";

/* SHA-256 of the first line and the manifest of test_manifest_known_answer */
#define MANIFEST_SHA256 "b25256e8b080c35c9c58649a5c94e5ddd58fec1af6dbe6f0b19ba909db15d2af"

static char *slurp(const char *path, size_t *len)
{
	uint8_t *buf = NULL;

	assert_int_equal(read_file(path, 1 << 24, &buf, len, NULL), 0);
	return (char *)buf;
}

/* The manifest of a backup of the example KOR node (examples/keys/KOR.keys,
 * passphrase "example"): text, then KOR's Ed25519 signature, which is
 * deterministic, so the whole manifest is a known answer. */
static void test_manifest_known_answer(void **state)
{
	char path[512], *keys, *k64, *text, *note = NULL, head[64], *file;
	struct backup_manifest *m = malloc(sizeof(*m));
	struct node_keys nk;
	struct gs_diag d = { { 0 } };
	size_t klen, notelen, off = 0, hl;
	uint8_t h[32];
	char hex[65];

	(void)state;
	assert_non_null(m);
	snprintf(path, sizeof(path), "%s/examples/keys/KOR.keys", getenv("SRCDIR"));
	keys = slurp(path, &klen);
	assert_int_equal(keys_unseal(keys, klen, "example", 7, &nk, &d), 0);
	k64 = malloc(B64_ENCODED_SIZE(klen));
	text = malloc(4096 + B64_ENCODED_SIZE(klen));
	assert_non_null(k64);
	assert_non_null(text);
	b64_encode((const uint8_t *)keys, klen, k64, B64_ENCODED_SIZE(klen));
	snprintf(text, 4096 + B64_ENCODED_SIZE(klen),
		 "gsomia-backup/v1\nparty KOR\nexercise yes\nfingerprint 2631 ee78 b148 6699 e7d9 82a0 a8d7 a37d\n"
		 "taken 2023-05-01T01:00:00Z\nschema 6\nfiles 4\narchive-size 1234\npayload-size 1458\n"
		 "payload-sha256 a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\nkeys %s\n",
		 k64);
	assert_int_equal(note_sign(text, strlen(text), "gsomia-exercise/KOR", nk.sign_sk, &note, &notelen, &d), 0);
	hl = (size_t)snprintf(head, sizeof(head), "gsomia-backup/v1 %zu\n", notelen);
	file = malloc(hl + notelen + 8);
	assert_non_null(file);
	memcpy(file, head, hl);
	memcpy(file + hl, note, notelen);
	memcpy(file + hl + notelen, "PAYLOAD", 8); /* and a NUL, for strstr below */
	/* the known answer: SHA-256 of the first line and the manifest */
	crypto_hash_sha256(h, (const uint8_t *)file, hl + notelen);
	hex_encode(h, 32, hex, sizeof(hex));
	assert_string_equal(hex, MANIFEST_SHA256);
	assert_int_equal(backup_manifest_parse((const uint8_t *)file, hl + notelen + 7, m, &off, &d), 0);
	assert_int_equal(off, hl + notelen);
	assert_string_equal(m->party, "KOR");
	assert_true(m->exercise);
	assert_int_equal(m->files, 4);
	assert_int_equal(m->archive_size, 1234);
	assert_int_equal(m->payload_size, 1458);
	assert_int_equal(m->payload_sha256[0], 0xa0);
	assert_int_equal(m->keys_len, klen);
	assert_memory_equal(m->keys, keys, klen);
	assert_memory_equal(m->sign_pk, nk.sign_pk, 32);
	/* a changed byte of the manifest's text (archive-size 1234 -> 1334):
	 * the signature does not verify */
	{
		char *p = strstr(file, "archive-size 1234") + strlen("archive-size 1");

		*p ^= 1;
		assert_int_equal(backup_manifest_parse((const uint8_t *)file, hl + notelen, m, &off, &d), GS_ECRYPTO);
		assert_non_null(strstr(d.msg, "does not verify"));
		*p ^= 1;
	}
	/* cut inside the manifest */
	assert_int_equal(backup_manifest_parse((const uint8_t *)file, hl + notelen - 1, m, &off, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "truncated"));
	assert_int_equal(backup_manifest_parse((const uint8_t *)"gsomia-backup/v2 10\n", 20, m, &off, &d), GS_EINVAL);
	keys_release(&nk);
	free(file);
	free(note);
	free(text);
	free(k64);
	free(keys);
	free(m);
}

static void test_backup_restore(void **state)
{
	char home[256], back[256], again[256], path[300];
	struct gs_diag d = { { 0 } };
	struct backup_result br;
	struct restore_result rr;
	struct node *n = NULL, *r = NULL;
	uint8_t root1[32], root2[32];
	uint64_t s1, s2;
	json_t *hold = NULL;
	size_t len;
	char *buf;
	FILE *f;

	(void)state;
	snprintf(home, sizeof(home), "%s/kor", tmpdir);
	snprintf(back, sizeof(back), "%s/kor.backup", tmpdir);
	snprintf(again, sizeof(again), "%s/kor-restored", tmpdir);
	assert_int_equal(node_init(home, "KOR", NULL, NULL, NULL, true, "pw", 2, &d), 0);
	assert_int_equal(node_open(home, &n, &d), 0);
	assert_int_equal(node_unlock(n, "pw", 2, &d), 0);
	assert_int_equal(node_backup(n, back, &br, &d), 0);
	assert_string_equal(br.party, "KOR");
	assert_true(br.files >= 3); /* gsomia.db, tls.crt, tls.key */
	assert_int_equal(ledger_head(n, NULL, &s1, root1, &d), 0);

	/* the wrong passphrase, a truncated file, a flipped byte: refused, nothing written */
	assert_int_equal(node_restore(back, again, false, "no", 2, &rr, &d), GS_ECRYPTO);
	assert_int_not_equal(access(again, F_OK), 0);
	buf = slurp(back, &len);
	snprintf(path, sizeof(path), "%s/cut.backup", tmpdir);
	assert_int_equal(write_file_atomic(path, buf, len - 1, 0600, &d), 0);
	assert_int_equal(node_restore(path, again, false, "pw", 2, &rr, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "truncated"));
	buf[len - 100] ^= 1;
	assert_int_equal(write_file_atomic(path, buf, len, 0600, &d), 0);
	assert_int_equal(node_restore(path, again, false, "pw", 2, &rr, &d), GS_ECRYPTO);
	assert_non_null(strstr(d.msg, "altered"));
	assert_int_not_equal(access(again, F_OK), 0);
	free(buf);

	/* a good one, into a new home */
	assert_int_equal(node_restore(back, again, false, "pw", 2, &rr, &d), 0);
	assert_string_equal(rr.party, "KOR");
	assert_string_equal(rr.aside, "");
	assert_int_equal(node_open(again, &r, &d), 0);
	assert_int_equal(ledger_head(r, NULL, &s2, root2, &d), 0);
	assert_int_equal(s1, s2);
	assert_memory_equal(root1, root2, 32);
	assert_int_equal(restore_hold_get(r, &hold, &d), 0);
	assert_non_null(hold); /* no peer: an empty hold, nothing held */
	assert_int_equal(json_array_size(json_object_get(hold, "logs")), 0);
	json_decref(hold);
	assert_int_equal(restore_hold_refuses(r, "JPN", &d), 0);
	/* a home that holds a node is not overwritten without force */
	assert_int_equal(node_restore(back, again, false, "pw", 2, &rr, &d), GS_EEXIST);
	snprintf(path, sizeof(path), "%s/gsomia.db", again);
	assert_int_equal(access(path, F_OK), 0);
	node_close(r);
	node_close(n);
	f = fopen(back, "rb");
	assert_non_null(f);
	fclose(f);
}

static void test_restoration_parse(void **state)
{
	struct gs_diag d = { { 0 } };
	struct restoration r;
	static const char bad[] = "gsomia-restoration/v1\nparty KOR\n\n— x AAAA\n";

	(void)state;
	assert_int_not_equal(restore_notice_parse((const uint8_t *)bad, strlen(bad), &r, &d), 0);
	assert_int_not_equal(restore_notice_parse((const uint8_t *)"", 0, &r, &d), 0);
}

static void test_commit_batches(void **state)
{
	struct store_commit_stats a, b;

	(void)state;
	store_commit_stats_get(&a);
	store_commit_observe(1);
	store_commit_observe(3);   /* a group commit of three actions */
	store_commit_observe(2000); /* beyond the last bound */
	store_commit_stats_get(&b);
	assert_int_equal(b.commits - a.commits, 3);
	assert_int_equal(b.actions - a.actions, 2004);
	assert_int_equal(store_batch_bound(0), 1);
	assert_int_equal(store_batch_bound(2), 4);
	assert_int_equal(store_batch_bound(STORE_BATCH_BUCKETS - 1), 0);
	assert_int_equal(b.bucket[0] - a.bucket[0], 1);  /* le 1 */
	assert_int_equal(b.bucket[1] - a.bucket[1], 1);  /* le 2 */
	assert_int_equal(b.bucket[2] - a.bucket[2], 2);  /* le 4: the 1 and the 3 */
	assert_int_equal(b.bucket[STORE_BATCH_BUCKETS - 2] - a.bucket[STORE_BATCH_BUCKETS - 2], 2); /* le 1024 */
	assert_int_equal(b.bucket[STORE_BATCH_BUCKETS - 1] - a.bucket[STORE_BATCH_BUCKETS - 1], 3); /* +Inf */
}

static void test_log_line(void **state)
{
	char line[512];

	(void)state;
	log_kv_format(line, sizeof(line), LOG_INFO, "listening", "address", "127.0.0.1:8443", "pid", "42",
		      (const char *)NULL);
	assert_string_equal(line, "level=info event=listening address=127.0.0.1:8443 pid=42");
	log_kv_format(line, sizeof(line), LOG_WARNING, "witness-failed", "peer", "JPN", "msg",
		      "cannot reach \"jpn\"\nat all", "skipped", (const char *)NULL, (const char *)NULL);
	assert_string_equal(line, "level=warning event=witness-failed peer=JPN msg=\"cannot reach \\\"jpn\\\"\\nat all\"");
	log_kv_format(line, sizeof(line), LOG_ERROR, "x", "v", "", (const char *)NULL);
	assert_string_equal(line, "level=error event=x v=\"\"");
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 || !mkdtemp(tmpdir) ? -1 : 0;
}

static int group_teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_known_answer),
		cmocka_unit_test(test_backup_restore),
		cmocka_unit_test(test_restoration_parse),
		cmocka_unit_test(test_commit_batches),
		cmocka_unit_test(test_log_line),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
