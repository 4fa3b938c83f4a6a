/* SPDX-License-Identifier: Apache-2.0 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/age.h"
#include "crypto/note.h"
#include "node/archive.h"
#include "node/backup.h"
#include "core/kvtext.h"
#include "node/ledger.h"
#include "util/outfile.h"
#include "node/restore.h"
#include "store/backup_store.h"
#include "util/encode.h"
#include "util/progress.h"
#include "util/file.h"
#include "util/banned.h"

#define KEYS_NAME "keys.sealed"
#define SERVE_LOCK "serve.lock"
#define FIRST_LINE_MAX 64

/* The directories of a home whose files a backup carries (node/archive.h),
 * and the files at its top. The database is copied, not linked. */
static const char *const backup_dirs[] = { "objects", "receipts", "outgoing", "inbox" };
static const char *const backup_tops[] = { "tls.crt", "tls.key" };

/* ---- the manifest ---------------------------------------------------- */

static int manifest_text(const struct backup_manifest *m, struct kvbuf *b, struct gs_diag *d)
{
	char t[GS_INSTANT_STR], num[24], hex[65], *k64;
	size_t cap = B64_ENCODED_SIZE(m->keys_len);

	k64 = malloc(cap);
	if (!k64)
		return GS_ENOMEM;
	b64_encode((const uint8_t *)m->keys, m->keys_len, k64, cap);
	kv_begin(b, BACKUP_MAGIC);
	kv_add(b, "party", m->party);
	kv_add(b, "exercise", m->exercise ? "yes" : "no");
	kv_add(b, "fingerprint", m->fingerprint);
	instant_format(m->taken, t);
	kv_add(b, "taken", t);
	snprintf(num, sizeof(num), "%d", m->schema);
	kv_add(b, "schema", num);
	snprintf(num, sizeof(num), "%" PRIu64, m->files);
	kv_add(b, "files", num);
	snprintf(num, sizeof(num), "%" PRIu64, m->archive_size);
	kv_add(b, "archive-size", num);
	snprintf(num, sizeof(num), "%" PRIu64, m->payload_size);
	kv_add(b, "payload-size", num);
	hex_encode(m->payload_sha256, 32, hex, sizeof(hex));
	kv_add(b, "payload-sha256", hex);
	kv_add(b, "keys", k64);
	free(k64);
	return kv_end(b, d);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

struct manifest_fields {
	char party[GS_MAX_CODE], exercise[8], fingerprint[KEYS_FINGERPRINT_SIZE], taken[GS_INSTANT_STR];
	char schema[8], files[24], archive[24], payload[24], sha[72], keys[B64_ENCODED_SIZE(BACKUP_MAX_KEYS)];
};

int backup_manifest_parse(const uint8_t *buf, size_t len, struct backup_manifest *m, size_t *payload_off,
			  struct gs_diag *d)
{
	struct manifest_fields *f = NULL;
	struct signed_note *sn = NULL;
	const uint8_t *nl;
	char keyname[GS_MAX_NAME], fpr[KEYS_FINGERPRINT_SIZE];
	uint64_t mlen, v;
	size_t first, klen = 0;
	int ret;

	memset(m, 0, sizeof(*m));
	nl = memchr(buf, '\n', len < FIRST_LINE_MAX ? len : FIRST_LINE_MAX);
	if (!nl || (size_t)(nl - buf) <= strlen(BACKUP_MAGIC) + 1 ||
	    memcmp(buf, BACKUP_MAGIC " ", strlen(BACKUP_MAGIC) + 1))
		return gs_diag_set(d, GS_EINVAL, "byte 0: not a gsomia backup (no '%s' line)", BACKUP_MAGIC);
	first = (size_t)(nl - buf) + 1;
	{
		char num[24];
		size_t n = first - 1 - strlen(BACKUP_MAGIC) - 1;

		if (n >= sizeof(num))
			return gs_diag_set(d, GS_EINVAL, "line 1: bad manifest length");
		memcpy(num, buf + strlen(BACKUP_MAGIC) + 1, n);
		num[n] = 0;
		if (parse_u64(num, BACKUP_MAX_MANIFEST, &mlen) || mlen == 0)
			return gs_diag_set(d, GS_EINVAL, "line 1: the manifest length must be 1 to %d", BACKUP_MAX_MANIFEST);
	}
	if (len < first + mlen)
		return gs_diag_set(d, GS_EINVAL, "the file ends inside its manifest (truncated)");
	sn = malloc(sizeof(*sn));
	f = malloc(sizeof(*f));
	if (!sn || !f) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)buf + first, (size_t)mlen, sn, d))) {
		gs_diag_prefix(d, "manifest");
		goto out;
	}
	{
		struct kv_field kv[] = {
			{ "party", f->party, sizeof(f->party), true },
			{ "exercise", f->exercise, sizeof(f->exercise), true },
			{ "fingerprint", f->fingerprint, sizeof(f->fingerprint), true },
			{ "taken", f->taken, sizeof(f->taken), true },
			{ "schema", f->schema, sizeof(f->schema), true },
			{ "files", f->files, sizeof(f->files), true },
			{ "archive-size", f->archive, sizeof(f->archive), true },
			{ "payload-size", f->payload, sizeof(f->payload), true },
			{ "payload-sha256", f->sha, sizeof(f->sha), true },
			{ "keys", f->keys, sizeof(f->keys), true },
		};

		if ((ret = kv_parse(sn->text, sn->text_len, BACKUP_MAGIC, kv, sizeof(kv) / sizeof(kv[0]), d))) {
			gs_diag_prefix(d, "manifest");
			goto out;
		}
	}
	ret = GS_EINVAL;
	if (!party_code_is_valid(f->party) || (strcmp(f->exercise, "yes") && strcmp(f->exercise, "no")) ||
	    kv_instant(f->taken, &m->taken) || parse_u64(f->schema, 100000, &v) ||
	    parse_u64(f->files, ARCHIVE_MAX_FILES, &m->files) || parse_u64(f->archive, UINT64_MAX / 2, &m->archive_size) ||
	    parse_u64(f->payload, UINT64_MAX / 2, &m->payload_size) || strlen(f->sha) != 64 ||
	    hex_decode(f->sha, 64, m->payload_sha256, 32, &klen) || klen != 32 ||
	    b64_decode(f->keys, strlen(f->keys), (uint8_t *)m->keys, sizeof(m->keys) - 1, &m->keys_len)) {
		gs_diag_set(d, GS_EINVAL, "manifest: a field is malformed");
		goto out;
	}
	m->schema = (int)v;
	m->keys[m->keys_len] = 0;
	memcpy(m->party, f->party, sizeof(m->party));
	m->exercise = !strcmp(f->exercise, "yes");
	memcpy(m->fingerprint, f->fingerprint, sizeof(m->fingerprint));
	if ((ret = keys_public(m->keys, m->keys_len, m->sign_pk, m->box_pk, d))) {
		gs_diag_prefix(d, "manifest: its key file");
		goto out;
	}
	keys_fingerprint(m->sign_pk, fpr);
	if (strcmp(fpr, m->fingerprint)) {
		ret = gs_diag_set(d, GS_ECRYPTO, "manifest: its key file is not the key of fingerprint %s", m->fingerprint);
		goto out;
	}
	party_key_name(m->party, m->exercise, keyname);
	if (note_verify(sn, keyname, m->sign_pk)) {
		ret = gs_diag_set(d, GS_ECRYPTO, "manifest: the signature of %s does not verify (altered)", keyname);
		goto out;
	}
	*payload_off = first + (size_t)mlen;
	ret = 0;
out:
	free(sn);
	free(f);
	return ret;
}

/* ---- helpers ----------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Removes a directory this module made, and all it holds. */
static void rm_tree(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void parent_of(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, cap, ".");
	else if (slash == path)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* ---- taking a backup ----------------------------------------------------- */

struct staged {
	char **names;
	unsigned *modes;
	uint64_t *sizes;
	size_t n, cap;
};

static void staged_free(struct staged *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->modes);
	free(s->sizes);
	memset(s, 0, sizeof(*s));
}

/* Links src into stage/name (same file system: the home's). An existing
 * link is kept (pass 2); a file gone meanwhile is skipped. */
static int link_in(const char *src, const char *stage, const char *name, struct gs_diag *d)
{
	char to[GS_PATH_MAX];

	snprintf(to, sizeof(to), "%s/%s", stage, name);
	if (link(src, to) == 0 || errno == EEXIST || errno == ENOENT)
		return 0;
	return gs_diag_set(d, GS_EIO, "cannot link %s into the backup: %s", src, strerror(errno));
}

static bool object_wanted(const char *dir, const char *name)
{
	size_t n = strlen(name);

	/* objects: the bundles, and those pending at a crash (items_recover
	 * settles them at the first open); no temporary file of sealing */
	if (strcmp(dir, "objects"))
		return true;
	return (n > 7 && !strcmp(name + n - 7, ".bundle")) || (n > 11 && !strcmp(name + n - 11, ".bundle.tmp"));
}

static int link_pass(const char *home, const char *stage, struct gs_diag *d)
{
	char src[GS_PATH_MAX], name[ARCHIVE_NAME_MAX + 1], sub[GS_PATH_MAX];
	struct dirent *e;
	struct stat sb;
	size_t i;
	DIR *dp;
	int ret = 0;

	for (i = 0; i < sizeof(backup_tops) / sizeof(backup_tops[0]) && !ret; i++) {
		snprintf(src, sizeof(src), "%s/%s", home, backup_tops[i]);
		ret = link_in(src, stage, backup_tops[i], d);
	}
	for (i = 0; i < sizeof(backup_dirs) / sizeof(backup_dirs[0]) && !ret; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", home, backup_dirs[i]);
		if (!(dp = opendir(sub)))
			continue;
		snprintf(src, sizeof(src), "%s/%s", stage, backup_dirs[i]);
		if (mkdir(src, 0700) != 0 && errno != EEXIST)
			ret = gs_diag_set(d, GS_EIO, "cannot make %s: %s", src, strerror(errno));
		while (!ret && (e = readdir(dp))) {
			if (snprintf(name, sizeof(name), "%s/%s", backup_dirs[i], e->d_name) >= (int)sizeof(name) ||
			    !archive_name_ok(name) || !object_wanted(backup_dirs[i], e->d_name))
				continue;
			if (snprintf(src, sizeof(src), "%s/%s", sub, e->d_name) >= (int)sizeof(src))
				continue;
			if (lstat(src, &sb) != 0 || !S_ISREG(sb.st_mode))
				continue;
			ret = link_in(src, stage, name, d);
		}
		closedir(dp);
	}
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int staged_add(struct staged *s, const char *name, const struct stat *sb)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **nn = realloc(s->names, cap * sizeof(*nn));
		unsigned *mm;
		uint64_t *ss;

		if (!nn)
			return GS_ENOMEM;
		s->names = nn;
		mm = realloc(s->modes, cap * sizeof(*mm));
		if (!mm)
			return GS_ENOMEM;
		s->modes = mm;
		ss = realloc(s->sizes, cap * sizeof(*ss));
		if (!ss)
			return GS_ENOMEM;
		s->sizes = ss;
		s->cap = cap;
	}
	if (!(s->names[s->n] = strdup(name)))
		return GS_ENOMEM;
	s->modes[s->n] = (sb->st_mode & 0044) ? 0644 : 0600;
	s->sizes[s->n] = (uint64_t)sb->st_size;
	s->n++;
	return 0;
}

/* The files staged, sorted as the archive wants them. */
static int staged_list(const char *stage, struct staged *s, struct gs_diag *d)
{
	char path[GS_PATH_MAX], name[ARCHIVE_NAME_MAX + 1];
	const char *const tops[] = { "gsomia.db", "tls.crt", "tls.key" };
	struct dirent *e;
	struct stat sb;
	size_t i;
	DIR *dp;
	int ret = 0;

	for (i = 0; i < sizeof(tops) / sizeof(tops[0]) && !ret; i++) {
		snprintf(path, sizeof(path), "%s/%s", stage, tops[i]);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			ret = staged_add(s, tops[i], &sb);
	}
	for (i = 0; i < sizeof(backup_dirs) / sizeof(backup_dirs[0]) && !ret; i++) {
		snprintf(path, sizeof(path), "%s/%s", stage, backup_dirs[i]);
		if (!(dp = opendir(path)))
			continue;
		while (!ret && (e = readdir(dp))) {
			if (snprintf(name, sizeof(name), "%s/%s", backup_dirs[i], e->d_name) >= (int)sizeof(name) ||
			    !archive_name_ok(name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", stage, name);
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
				ret = staged_add(s, name, &sb);
		}
		closedir(dp);
	}
	if (ret)
		return gs_diag_set(d, ret, "out of memory listing the backup");
	qsort(s->names, s->n, sizeof(*s->names), name_cmp);
	/* the modes and sizes again, in the sorted order */
	for (i = 0; i < s->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", stage, s->names[i]);
		if (stat(path, &sb) != 0)
			return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
		s->modes[i] = (sb.st_mode & 0044) ? 0644 : 0600;
		s->sizes[i] = (uint64_t)sb.st_size;
	}
	return 0;
}

/* The archive, written into a pipe that age_encrypt reads. */
struct writer {
	const char *stage;
	const struct staged *s;
	int fd;
	int ret;
	char msg[GS_DIAG_MAX];
};

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	char line[ARCHIVE_LINE_MAX], path[GS_PATH_MAX];
	uint8_t *buf = malloc(65536);
	size_t i;
	int k;

	if (!buf || write_all(w->fd, ARCHIVE_MAGIC, strlen(ARCHIVE_MAGIC))) {
		w->ret = GS_EIO;
		goto out;
	}
	for (i = 0; i < w->s->n && !w->ret; i++) {
		uint64_t left = w->s->sizes[i];
		int in;

		k = archive_file_line(w->s->names[i], w->s->modes[i], left, line);
		snprintf(path, sizeof(path), "%s/%s", w->stage, w->s->names[i]);
		in = open(path, O_RDONLY | O_CLOEXEC);
		if (k < 0 || in < 0 || write_all(w->fd, line, (size_t)k)) {
			snprintf(w->msg, sizeof(w->msg), "cannot read %.900s", path);
			w->ret = GS_EIO;
			if (in >= 0)
				close(in);
			break;
		}
		while (left) {
			ssize_t r = read(in, buf, left < 65536 ? (size_t)left : 65536);

			if (r < 0 && errno == EINTR)
				continue;
			/* a staged file is a link no one else writes: its size is fixed */
			if (r <= 0 || write_all(w->fd, buf, (size_t)r)) {
				snprintf(w->msg, sizeof(w->msg), "cannot copy %.900s into the backup", path);
				w->ret = GS_EIO;
				break;
			}
			left -= (uint64_t)r;
		}
		close(in);
	}
	if (!w->ret) {
		k = archive_end_line(w->s->n, line);
		if (write_all(w->fd, line, (size_t)k))
			w->ret = GS_EIO;
	}
out:
	free(buf);
	close(w->fd);
	return NULL;
}

/* The payload (the sealed archive) at fd's offset; the manifest's digest
 * and size filled in. */
static int seal_archive(struct node *n, const char *stage, const struct staged *s, int fd,
			struct backup_manifest *m, struct gs_diag *d)
{
	struct writer w = { stage, s, -1, 0, { 0 } };
	struct age_stream as;
	uint64_t count = 0;
	pthread_t t;
	int p[2], ret;

	if (pipe2(p, O_CLOEXEC) != 0)
		return gs_diag_set(d, GS_EIO, "pipe: %s", strerror(errno));
	w.fd = p[1];
	if (pthread_create(&t, NULL, writer_run, &w) != 0) {
		close(p[0]);
		close(p[1]);
		return gs_diag_set(d, GS_EIO, "cannot start the archive writer");
	}
	age_stream_init(&as);
	as.in_fd = p[0];
	as.in_len = m->archive_size;
	as.out_fd = fd;
	as.sha256 = m->payload_sha256;
	as.ciphertext_len = &count;
	progress_phase("backing up", m->archive_size);
	ret = age_encrypt((const uint8_t(*)[32])n->self.box_pk, 1, &as, NULL, d);
	close(p[0]); /* a writer still writing gets EPIPE and stops */
	pthread_join(t, NULL);
	if (!ret && w.ret)
		ret = gs_diag_set(d, w.ret, "%s", w.msg[0] ? w.msg : "the archive could not be written");
	if (!ret && count != m->payload_size)
		ret = gs_diag_set(d, GS_EIO, "the sealed archive has %" PRIu64 " bytes, not %" PRIu64, count,
				  m->payload_size);
	return ret;
}

static int read_keys(struct node *n, struct backup_manifest *m, struct gs_diag *d)
{
	char path[GS_PATH_MAX];
	uint8_t *buf;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", n->home, KEYS_NAME);
	if ((ret = read_file(path, BACKUP_MAX_KEYS - 1, &buf, &len, d)))
		return ret;
	memcpy(m->keys, buf, len);
	m->keys[len] = 0;
	m->keys_len = len;
	free(buf);
	return 0;
}

/* Writes the first line and the signed manifest at offset 0 of fd. */
static int manifest_write(struct node *n, const struct backup_manifest *m, int fd, size_t want_len,
			  size_t *out_len, struct gs_diag *d)
{
	char first[FIRST_LINE_MAX], *note = NULL;
	size_t notelen = 0;
	struct kvbuf b;
	int ret, k;

	if ((ret = manifest_text(m, &b, d)))
		return ret;
	ret = node_sign(n, b.buf, b.len, &note, &notelen, d);
	free(b.buf);
	if (ret)
		return ret;
	k = snprintf(first, sizeof(first), "%s %zu\n", BACKUP_MAGIC, notelen);
	if (want_len && (size_t)k + notelen != want_len) {
		free(note);
		return gs_diag_set(d, GS_EIO, "the manifest changed length while sealing");
	}
	if (pwrite(fd, first, (size_t)k, 0) != k || pwrite(fd, note, notelen, k) != (ssize_t)notelen)
		ret = gs_diag_set(d, GS_EIO, "cannot write the backup: %s", strerror(errno));
	*out_len = (size_t)k + notelen;
	free(note);
	return ret;
}

/* Removes what a process that died left in dir: entries named
 * PREFIX<pid>-... whose pid is gone (a backup's links, a restore's half
 * written home). */
static void sweep_dead(const char *dir, const char *prefix)
{
	char path[GS_PATH_MAX];
	struct dirent *e;
	size_t pl = strlen(prefix);
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((e = readdir(dp))) {
		long pid;
		char *end;

		if (strncmp(e->d_name, prefix, pl))
			continue;
		pid = strtol(e->d_name + pl, &end, 10);
		if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rm_tree(path);
	}
	closedir(dp);
}

static int stage_dir(const char *home, char *out, size_t cap, struct gs_diag *d)
{
	char tmp[GS_PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s/tmp", home);
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot make %s: %s", tmp, strerror(errno));
	sweep_dead(tmp, "backup-");
	if (snprintf(out, cap, "%s/backup-%ld-XXXXXX", tmp, (long)getpid()) >= (int)cap)
		return gs_diag_set(d, GS_ELIMIT, "%s: path too long", tmp);
	if (!mkdtemp(out))
		return gs_diag_set(d, GS_EIO, "cannot make a directory in %s: %s", tmp, strerror(errno));
	return 0;
}

/* Copies the regular file at from into fd (a device, a FIFO). */
static int copy_into(const char *from, int fd, struct gs_diag *d)
{
	uint8_t buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	int ret = 0;

	if (in < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", from, strerror(errno));
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write_all(fd, buf, (size_t)r)) {
			ret = gs_diag_set(d, GS_EIO, "cannot write the backup: %s", strerror(errno));
			break;
		}
	}
	close(in);
	return ret;
}

int node_backup(struct node *n, const char *output, struct backup_result *res, struct gs_diag *d)
{
	struct backup_manifest *m = calloc(1, sizeof(*m));
	struct staged s = { 0 };
	struct outfile o;
	char stage[GS_PATH_MAX], path[GS_PATH_MAX];
	size_t head = 0, written = 0;
	int ret, fd = -1, opened = 0, sealfd = -1;

	memset(res, 0, sizeof(*res));
	stage[0] = 0;
	if (!m)
		return GS_ENOMEM;
	if (!n->keys_loaded) {
		ret = gs_diag_set(d, GS_ESTATE, "the node's keys are locked (the manifest is signed)");
		goto out;
	}
	if ((ret = read_keys(n, m, d)) || (ret = stage_dir(n->home, stage, sizeof(stage), d)))
		goto out;
	/* links before the snapshot keep every object it may name, even one
	 * removed meanwhile; links after it add what came since */
	if ((ret = link_pass(n->home, stage, d)))
		goto out;
	if ((ret = node_now(n, &m->taken, d)))
		goto out;
	if (snprintf(path, sizeof(path), "%s/gsomia.db", stage) >= (int)sizeof(path)) {
		ret = gs_diag_set(d, GS_ELIMIT, "%s: path too long", stage);
		goto out;
	}
	if ((ret = store_snapshot(n->st, path, d)) || (ret = link_pass(n->home, stage, d)))
		goto out;
	if (store_schema_version(n->st, &m->schema)) {
		ret = gs_diag_set(d, GS_EIO, "cannot read the database's version");
		goto out;
	}
	if ((ret = staged_list(stage, &s, d)))
		goto out;
	snprintf(m->party, sizeof(m->party), "%s", n->self.code);
	m->exercise = n->self.exercise;
	keys_fingerprint(n->self.sign_pk, m->fingerprint);
	m->files = s.n;
	m->archive_size = archive_size(s.n, (const char *const *)s.names, s.modes, s.sizes);
	/* known before sealing, so that the manifest's length is too */
	m->payload_size = AGE_X25519_HEADER_SIZE(1) + age_payload_size(m->archive_size);
	if ((ret = outfile_open(&o, output, 0600, d)))
		goto out;
	opened = 1;
	fd = o.fd;
	if (o.in_place) {
		/* a device or a FIFO cannot be sought: seal into the stage first */
		if (snprintf(path, sizeof(path), "%s/backup.tmp", stage) >= (int)sizeof(path)) {
			ret = gs_diag_set(d, GS_ELIMIT, "%s: path too long", stage);
			goto out;
		}
		sealfd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (sealfd < 0) {
			ret = gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		fd = sealfd;
	}
	/* the manifest's length is known before its digest: reserve it */
	if ((ret = manifest_write(n, m, fd, 0, &head, d)))
		goto out;
	if (lseek(fd, (off_t)head, SEEK_SET) < 0) {
		ret = gs_diag_set(d, GS_EIO, "cannot seek the backup: %s", strerror(errno));
		goto out;
	}
	if ((ret = seal_archive(n, stage, &s, fd, m, d)) || (ret = manifest_write(n, m, fd, head, &head, d)))
		goto out;
	written = head + m->payload_size;
	if (sealfd >= 0 && (ret = copy_into(path, o.fd, d)))
		goto out;
	opened = 0;
	if ((ret = outfile_commit(&o, d)))
		goto out;
	snprintf(res->party, sizeof(res->party), "%s", m->party);
	res->taken = m->taken;
	res->files = m->files;
	res->size = written;
out:
	if (opened)
		outfile_abort(&o);
	if (sealfd >= 0)
		close(sealfd);
	staged_free(&s);
	rm_tree(stage);
	sodium_memzero(m->keys, sizeof(m->keys));
	free(m);
	return ret;
}

/* ---- restoring ----------------------------------------------------------- */

/* The archive's files, written into the new home. */
struct unpack {
	const char *dir;
	int fd;
	char path[GS_PATH_MAX];
	struct archive_reader r;
	struct gs_diag *d;
	int ret;
};

static int unpack_begin(void *ctx, const char *name, unsigned mode, uint64_t size)
{
	struct unpack *u = ctx;
	const char *slash = strchr(name, '/');

	(void)size;
	if (slash) {
		char sub[GS_PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%.*s", u->dir, (int)(slash - name), name);
		if (mkdir(sub, 0700) != 0 && errno != EEXIST)
			return gs_diag_set(u->d, GS_EIO, "cannot make %s: %s", sub, strerror(errno));
	}
	snprintf(u->path, sizeof(u->path), "%s/%s", u->dir, name);
	u->fd = open(u->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (u->fd < 0)
		return gs_diag_set(u->d, GS_EIO, "cannot write %s: %s", u->path, strerror(errno));
	return 0;
}

static int unpack_data(void *ctx, const uint8_t *p, size_t n)
{
	struct unpack *u = ctx;

	if (write_all(u->fd, p, n))
		return gs_diag_set(u->d, GS_EIO, "cannot write %s: %s", u->path, strerror(errno));
	return 0;
}

static int unpack_end(void *ctx)
{
	struct unpack *u = ctx;
	int ret = fsync(u->fd) != 0 || close(u->fd) != 0;

	u->fd = -1;
	return ret ? gs_diag_set(u->d, GS_EIO, "cannot write %s: %s", u->path, strerror(errno)) : 0;
}

static int unpack_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct unpack *u = ctx;

	return archive_feed(&u->r, p, n, u->d);
}

/* 1 if dir holds anything, 0 if it is empty or absent, -1 if it is not a
 * directory. */
static int dir_used(const char *dir)
{
	struct dirent *e;
	struct stat sb;
	DIR *dp;
	int used = 0;

	if (lstat(dir, &sb) != 0)
		return 0;
	if (!S_ISDIR(sb.st_mode))
		return -1;
	if (!(dp = opendir(dir)))
		return -1;
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			used = 1;
	closedir(dp);
	return used;
}

/* An existing home must be the same node's. */
static int same_node(const char *home, const struct backup_manifest *m, struct gs_diag *d)
{
	char fpr[KEYS_FINGERPRINT_SIZE];
	struct node *old = NULL;
	int ret;

	if ((ret = node_open_reader(home, &old, d))) {
		gs_diag_prefix(d, "the home to replace");
		return ret == GS_ENOTFOUND ? gs_diag_set(d, GS_EDENIED,
							 "home '%s' holds files but no node: move them away first",
							 home)
					   : ret;
	}
	keys_fingerprint(old->self.sign_pk, fpr);
	if (strcmp(old->self.code, m->party) || strcmp(fpr, m->fingerprint))
		ret = gs_diag_set(d, GS_EDENIED,
				  "the backup is of %s (fingerprint %s), sealed to that node; home '%s' is %s's (fingerprint %s): refused",
				  m->party, m->fingerprint, home, old->self.code, fpr);
	node_close(old);
	return ret;
}

/* Reads the manifest of the backup file at fd and checks the payload's
 * size and digest: a truncated or altered file is refused before anything
 * is decrypted. */
static int check_file(const char *file, int fd, struct backup_manifest *m, size_t *off, struct gs_diag *d)
{
	uint8_t *head = malloc(FIRST_LINE_MAX + BACKUP_MAX_MANIFEST);
	uint8_t sha[32];
	struct age_stream as;
	struct stat sb;
	uint64_t count = 0;
	ssize_t r;
	size_t got = 0;
	int ret;

	if (!head)
		return GS_ENOMEM;
	while (got < FIRST_LINE_MAX + BACKUP_MAX_MANIFEST) {
		r = read(fd, head + got, FIRST_LINE_MAX + BACKUP_MAX_MANIFEST - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	ret = backup_manifest_parse(head, got, m, off, d);
	free(head);
	if (ret) {
		gs_diag_prefix(d, "%s", file);
		return ret;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return gs_diag_set(d, GS_EINVAL, "%s: not a regular file", file);
	if ((uint64_t)sb.st_size != *off + m->payload_size)
		return gs_diag_set(d, GS_EINVAL, "%s: %" PRIu64 " bytes, but its manifest says %" PRIu64 " (%s)", file,
				   (uint64_t)sb.st_size, (uint64_t)*off + m->payload_size,
				   (uint64_t)sb.st_size < *off + m->payload_size ? "truncated" : "bytes added");
	if (lseek(fd, (off_t)*off, SEEK_SET) < 0)
		return gs_diag_set(d, GS_EIO, "%s: cannot seek", file);
	age_stream_init(&as);
	as.in_fd = fd;
	as.in_len = m->payload_size;
	as.sha256 = sha;
	as.ciphertext_len = &count;
	progress_phase("verifying", m->payload_size);
	if ((ret = age_hash_stream(&as, d))) {
		gs_diag_prefix(d, "%s", file);
		return ret;
	}
	if (count != m->payload_size || sodium_memcmp(sha, m->payload_sha256, 32))
		return gs_diag_set(d, GS_ECRYPTO, "%s: the payload does not match its manifest's SHA-256 (altered)", file);
	return 0;
}

/* Decrypts the payload at fd's offset off into the directory dir. */
static int unpack_payload(const char *file, int fd, size_t off, const struct backup_manifest *m,
			  const uint8_t box_sk[32], const char *dir, struct gs_diag *d)
{
	struct age_header *h = malloc(sizeof(*h));
	uint8_t *buf = malloc(GS_AGE_MAX_HEADER);
	uint8_t fk[AGE_FILE_KEY_BYTES];
	struct archive_sink sink = { unpack_begin, unpack_data, unpack_end, NULL };
	struct unpack *u = calloc(1, sizeof(*u));
	struct age_stream as;
	size_t got = 0;
	ssize_t r;
	int ret;

	if (!h || !buf || !u) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (lseek(fd, (off_t)off, SEEK_SET) < 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: cannot seek", file);
		goto out;
	}
	while (got < GS_AGE_MAX_HEADER && got < m->payload_size) {
		size_t want = GS_AGE_MAX_HEADER - got;

		if (want > m->payload_size - got)
			want = (size_t)(m->payload_size - got);
		r = read(fd, buf + got, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if ((ret = age_header_parse(buf, got, h, d))) {
		gs_diag_prefix(d, "%s: payload", file);
		goto out;
	}
	if (age_header_unwrap(h, buf, box_sk, fk, NULL)) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s: the payload is not sealed to this node's key (a backup of another node?)",
				  file);
		goto out;
	}
	u->dir = dir;
	u->fd = -1;
	u->d = d;
	sink.ctx = u;
	archive_reader_init(&u->r, &sink);
	age_stream_init(&as);
	as.in_pre = buf + h->len;
	as.in_pre_len = got - h->len;
	as.in_fd = fd;
	as.in_len = m->payload_size - h->len;
	as.sink = unpack_sink;
	as.sink_ctx = u;
	progress_phase("restoring", m->archive_size);
	if ((ret = age_decrypt_payload(fk, &as, d))) {
		gs_diag_prefix(d, "%s", file);
		goto out;
	}
	if ((ret = archive_finish(&u->r, d)))
		gs_diag_prefix(d, "%s", file);
	else if (u->r.files != m->files)
		ret = gs_diag_set(d, GS_EINVAL, "%s: %" PRIu64 " files, its manifest says %" PRIu64, file, u->r.files,
				  m->files);
out:
	if (u && u->fd >= 0)
		close(u->fd);
	sodium_memzero(fk, sizeof(fk));
	free(u);
	free(h);
	free(buf);
	return ret;
}

/* The restored home opens, holds the backup's node and keys, and its
 * ledger verifies; then it is put under the restore hold. */
static int check_restored(const char *dir, const struct backup_manifest *m, const char *pass, size_t passlen,
			  struct gs_diag *d)
{
	char fpr[KEYS_FINGERPRINT_SIZE];
	struct node *n = NULL;
	int ret;

	if ((ret = node_open(dir, &n, d)) || (ret = node_unlock(n, pass, passlen, d)))
		goto out;
	keys_fingerprint(n->self.sign_pk, fpr);
	if (strcmp(n->self.code, m->party) || strcmp(fpr, m->fingerprint)) {
		ret = gs_diag_set(d, GS_ECRYPTO, "the restored database is not %s's", m->party);
		goto out;
	}
	if ((ret = ledger_verify_local(n, NULL, NULL, NULL, d)))
		goto out;
	ret = restore_hold_begin(n, m->taken, d);
out:
	if (ret)
		gs_diag_prefix(d, "the restored home");
	node_close(n);
	return ret;
}

int node_restore(const char *file, const char *home, bool force, const char *pass, size_t passlen,
		 struct restore_result *res, struct gs_diag *d)
{
	struct backup_manifest *m = calloc(1, sizeof(*m));
	struct node_keys keys;
	char dir[GS_PATH_MAX], parent[GS_HOME_MAX], path[GS_PATH_MAX], when[GS_INSTANT_STR];
	size_t off = 0;
	int fd = -1, used, ret;

	memset(res, 0, sizeof(*res));
	memset(&keys, 0, sizeof(keys));
	dir[0] = 0;
	if (!m)
		return GS_ENOMEM;
	if (strlen(home) >= GS_HOME_MAX - 64) {
		ret = gs_diag_set(d, GS_ELIMIT, "home path too long");
		goto out;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = gs_diag_set(d, errno == ENOENT ? GS_ENOTFOUND : GS_EIO, "%s: %s", file, strerror(errno));
		goto out;
	}
	if ((ret = check_file(file, fd, m, &off, d)))
		goto out;
	used = dir_used(home);
	if (used < 0) {
		ret = gs_diag_set(d, GS_EINVAL, "home '%s' is not a directory", home);
		goto out;
	}
	if (used && !force) {
		ret = gs_diag_set(d, GS_EEXIST,
				  "home '%s' is not empty: restore refuses to overwrite it (--force keeps it aside and restores)",
				  home);
		goto out;
	}
	if (used && (ret = same_node(home, m, d)))
		goto out;
	if (used) {
		int lock;

		/* a home a server is using cannot be replaced under it */
		if ((ret = node_serving_lock(home, &lock, d))) {
			gs_diag_set(d, ret, "home '%s' is being served: stop the server ('systemctl stop gsomia') before restoring",
				    home);
			goto out;
		}
		close(lock);
	}
	if ((ret = keys_unseal(m->keys, m->keys_len, pass, passlen, &keys, d))) {
		gs_diag_prefix(d, "%s: its key file", file);
		goto out;
	}
	/* the new home is made beside the old, on the same file system */
	{
		char base[GS_PATH_MAX];
		const char *slash = strrchr(home, '/');

		parent_of(home, parent, sizeof(parent));
		snprintf(base, sizeof(base), "%s.restoring-", slash ? slash + 1 : home);
		sweep_dead(parent, base);
	}
	snprintf(dir, sizeof(dir), "%s.restoring-%ld-XXXXXX", home, (long)getpid());
	if (!mkdtemp(dir)) {
		ret = gs_diag_set(d, GS_EIO, "cannot make a directory beside '%s': %s", home, strerror(errno));
		dir[0] = 0;
		goto out;
	}
	if ((ret = unpack_payload(file, fd, off, m, keys.box_sk, dir, d)))
		goto out;
	if (snprintf(path, sizeof(path), "%s/%s", dir, KEYS_NAME) >= (int)sizeof(path)) {
		ret = gs_diag_set(d, GS_ELIMIT, "%s: path too long", dir);
		goto out;
	}
	if ((ret = write_file_atomic(path, m->keys, m->keys_len, 0600, d)) ||
	    (ret = check_restored(dir, m, pass, passlen, d)))
		goto out;
	/* the swap: the old home aside (kept), the new one in its place */
	parent_of(home, parent, sizeof(parent));
	if (used) {
		gs_instant now = (gs_instant)time(NULL);

		instant_format(now, when);
		snprintf(res->aside, sizeof(res->aside), "%s.before-restore-%s", home, when);
		if (rename(home, res->aside) != 0) {
			ret = gs_diag_set(d, GS_EIO, "cannot move '%s' aside: %s", home, strerror(errno));
			res->aside[0] = 0;
			goto out;
		}
	} else {
		rmdir(home); /* an empty directory: rename() takes only an absent one */
	}
	if (rename(dir, home) != 0) {
		ret = gs_diag_set(d, GS_EIO, "cannot put the restored home in place: %s", strerror(errno));
		if (res->aside[0] && rename(res->aside, home) == 0)
			res->aside[0] = 0;
		goto out;
	}
	dir[0] = 0;
	fsync_dir(parent);
	snprintf(res->party, sizeof(res->party), "%s", m->party);
	snprintf(res->fingerprint, sizeof(res->fingerprint), "%s", m->fingerprint);
	res->taken = m->taken;
	res->files = m->files;
out:
	if (fd >= 0)
		close(fd);
	rm_tree(dir);
	keys_release(&keys);
	sodium_memzero(m->keys, sizeof(m->keys));
	free(m);
	return ret;
}

int node_serving_lock(const char *home, int *fd, struct gs_diag *d)
{
	char path[GS_PATH_MAX];

	bool shared;

	/* a home on PostgreSQL is served by as many processes as its
	 * operator runs (docs/scale-out.md); a restore still needs it alone */
	snprintf(path, sizeof(path), "%s/db.conf", home);
	shared = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/%s", home, SERVE_LOCK);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
	if (flock(*fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return gs_diag_set(d, GS_ESTATE, "home '%s' is already served by another process", home);
		return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}
