/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_bundle: sealing and opening a large file (1 GiB by default) with
 * crypto/bundle, timed in the same run beside the stock tools on the same
 * file: `age -r` (encrypt), `age -d` (decrypt), and `age -r` followed by
 * `minisign -S` over its output (encrypt + sign, the nearest stock
 * equivalent of a signed bundle). Bundles are version 2 (the chunk tree,
 * docs/bundle-format.md), with version 1 (one serial SHA-256) beside them
 * for reference. Each operation runs in its own child process, so peak
 * RSS (getrusage via wait4) is per operation. The input is made in a fresh
 * directory under /tmp and removed at the end; outputs go to /dev/null
 * where the tool allows it, and to a file otherwise (labelled). Times are
 * medians and bests of the runs, runs interleaved, with the median CPU
 * time (user + system, all threads) and the 1-minute load average at the
 * runs beside them; on a shared machine the best is the figure least
 * disturbed by other load.
 *
 * The ceiling: ChaCha20-Poly1305 and SHA-256 (OpenSSL) and the chunk leaf
 * hashes as age.c makes them (two SHA-256 streams at once where the CPU
 * has SHA extensions) are timed on one core in the same run, over 64 KiB
 * chunks; sealing or opening v2 does one cipher pass and one leaf-hash
 * pass per byte, so N free cores cannot beat N / (1/cipher + 1/leaves).
 * Measured, not tested: it prints, it does not fail.
 *
 * Usage: bench_bundle [MiB] [runs]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/age.h"
#include "crypto/bundle.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/sha256x2.h"

#include "util/banned.h"

#define MAX_RUNS 15

static char dir[] = "/tmp/bench_bundle.XXXXXX";
static struct node_keys sender, recipient;
static char recipient_str[AGE_RECIPIENT_SIZE];
static uint64_t size_bytes;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

struct result {
	double secs;
	double cpu; /* user + system seconds of the child */
	long rss_kb;
	int ok;
	double load; /* 1-minute load average when it ended */
};

static double load1(void)
{
	double l[3];

	return getloadavg(l, 3) == 3 ? l[0] : -1;
}

static double cpu_of(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* Runs fn in a child; time and peak RSS of the child. */
static struct result in_child(int (*fn)(void *), void *arg)
{
	struct result r = { 0, 0, 0, 0, 0 };
	struct rusage ru;
	double t0 = now_s();
	int st;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(fn(arg) == 0 ? 0 : 1);
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
		return r;
	r.secs = now_s() - t0;
	r.cpu = cpu_of(&ru);
	r.rss_kb = ru.ru_maxrss;
	r.ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	r.load = load1();
	return r;
}

/* Runs a command (argv, optional stdout file) in a child. */
static struct result run_cmd(const char *const argv[], const char *out)
{
	struct result r = { 0, 0, 0, 0, 0 };
	struct rusage ru;
	double t0 = now_s();
	int st, fd;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
		return r;
	r.secs = now_s() - t0;
	r.cpu = cpu_of(&ru);
	r.rss_kb = ru.ru_maxrss;
	r.ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	r.load = load1();
	return r;
}

static struct bundle_manifest manifest;

struct seal_arg {
	const char *out;
	unsigned version;
};

static int do_seal(void *p)
{
	struct seal_arg *a = p;
	struct bundle_manifest out;
	struct gs_diag d = { "" };
	char in[256];
	int ifd, ofd, ret;

	path(in, sizeof(in), "in.bin");
	ifd = open(in, O_RDONLY);
	ofd = open(a->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (ifd < 0 || ofd < 0)
		return 1;
	manifest.version = a->version;
	ret = bundle_seal(&manifest, ifd, ofd, recipient.box_pk, "gsomia/KOR", sender.sign_sk,
			  &out, NULL, &d);
	if (ret)
		fprintf(stderr, "seal: %s\n", d.msg);
	close(ifd);
	close(ofd);
	return ret;
}

struct open_arg {
	unsigned flags;
	const char *bundle;
};

static int do_open(void *p)
{
	struct open_arg *a = p;
	struct bundle_open_keys k = { 0 };
	struct bundle_manifest m;
	struct gs_diag d = { "" };
	char in[256];
	int ifd, ofd, ret;

	path(in, sizeof(in), a->bundle);
	ifd = open(in, O_RDONLY);
	ofd = open("/dev/null", O_WRONLY);
	if (ifd < 0 || ofd < 0)
		return 1;
	k.key_name = "gsomia/KOR";
	k.sender_pk = sender.sign_pk;
	k.box_pk = recipient.box_pk;
	k.box_sk = recipient.box_sk;
	ret = bundle_open(ifd, &k, ofd, a->flags, &m, &d);
	if (ret)
		fprintf(stderr, "open: %s\n", d.msg);
	close(ifd);
	close(ofd);
	return ret;
}

static int make_input(uint64_t n)
{
	static const uint8_t seed[randombytes_SEEDBYTES] = { 1 };
	uint8_t *buf = malloc(1 << 20), s2[randombytes_SEEDBYTES];
	char p[256];
	uint64_t done = 0, i = 0;
	size_t chunk;
	int fd;

	path(p, sizeof(p), "in.bin");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf)
		return -1;
	while (done < n) {
		chunk = n - done < (1 << 20) ? (size_t)(n - done) : (1 << 20);
		memcpy(s2, seed, sizeof(s2));
		memcpy(s2, &i, sizeof(i));
		randombytes_buf_deterministic(buf, chunk, s2);
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			return -1;
		done += chunk;
		i++;
	}
	free(buf);
	close(fd);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct series {
	const char *name;
	double t[MAX_RUNS];
	double cpu[MAX_RUNS];
	double load[MAX_RUNS];
	long rss;
	int n, failed;
};

static void add(struct series *s, struct result r)
{
	if (!r.ok)
		s->failed = 1;
	s->cpu[s->n] = r.cpu;
	s->load[s->n] = r.load;
	s->t[s->n++] = r.secs;
	if (r.rss_kb > s->rss)
		s->rss = r.rss_kb;
}

static double median_of(const double *v, int n)
{
	double t[MAX_RUNS];

	memcpy(t, v, sizeof(double) * (size_t)n);
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static double median(struct series *s)
{
	double t[MAX_RUNS];

	memcpy(t, s->t, sizeof(double) * (size_t)s->n);
	qsort(t, (size_t)s->n, sizeof(double), cmp_double);
	return s->n % 2 ? t[s->n / 2] : (t[s->n / 2 - 1] + t[s->n / 2]) / 2;
}

static double best(const struct series *s)
{
	double b = s->t[0];
	int i;

	for (i = 1; i < s->n; i++)
		if (s->t[i] < b)
			b = s->t[i];
	return b;
}

static void print(struct series *s)
{
	double m = median(s), b = best(s);

	printf("  %-36s %6.3f s %5.2f GiB/s | best %6.3f s %5.2f GiB/s | CPU %5.2f s | RSS %4.1f MiB | load %4.1f%s\n",
	       s->name, m, (double)size_bytes / m / (1 << 30), b,
	       (double)size_bytes / b / (1 << 30), median_of(s->cpu, s->n),
	       (double)s->rss / 1024.0, median_of(s->load, s->n), s->failed ? "  (FAILED)" : "");
}

/* Speed of a relative to b (time of b / time of a), by medians and by bests. */
static void ratio(const char *what, struct series *a, struct series *b, const char *target)
{
	printf("  %-48s %5.2fx (best %5.2fx)  %s\n", what, median(b) / median(a),
	       best(b) / best(a), target);
}

/* One core, in memory: GiB/s of ChaCha20-Poly1305 sealing and of SHA-256
 * over 64 KiB chunks through OpenSSL, and of the chunks' leaf hashes as
 * crypto/age.c computes them (merkle_leaf_hashes: two streams at once
 * with the CPU's SHA extensions, if it has them). */
static void per_core_rates(double *cipher, double *hash, double *leaves)
{
	const uint8_t *lp[4];
	size_t ll[4], i;
	uint8_t lo[4][32];
	double best_l = 1e9;
	static const uint8_t key[32] = { 1 }, nonce[12] = { 2 };
	const size_t chunk = 65536, total = (size_t)256 << 20;
	uint8_t *in = malloc(chunk), *out = malloc(chunk + 16), md[32];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	double t0, best_c = 1e9, best_h = 1e9;
	unsigned mdlen;
	size_t done;
	int outl, rep;

	*cipher = *hash = *leaves = 0;
	if (!in || !out || !c || !h)
		goto out;
	randombytes_buf(in, chunk);
	for (i = 0; i < 4; i++) {
		lp[i] = in;
		ll[i] = chunk;
	}
	for (rep = 0; rep < 3; rep++) {
		t0 = now_s();
		for (done = 0; done < total; done += chunk)
			if (EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) != 1 ||
			    EVP_EncryptUpdate(c, out, &outl, in, (int)chunk) != 1 ||
			    EVP_EncryptFinal_ex(c, out + outl, &outl) != 1 ||
			    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + chunk) != 1)
				goto out;
		if (now_s() - t0 < best_c)
			best_c = now_s() - t0;
		t0 = now_s();
		for (done = 0; done < total; done += chunk)
			if (EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1 ||
			    EVP_DigestUpdate(h, in, chunk) != 1 || EVP_DigestFinal_ex(h, md, &mdlen) != 1)
				goto out;
		if (now_s() - t0 < best_h)
			best_h = now_s() - t0;
		t0 = now_s();
		for (done = 0; done < total; done += 4 * chunk)
			merkle_leaf_hashes(lp, ll, 4, lo);
		if (now_s() - t0 < best_l)
			best_l = now_s() - t0;
	}
	*cipher = (double)total / best_c / (1 << 30);
	*hash = (double)total / best_h / (1 << 30);
	*leaves = (double)total / best_l / (1 << 30);
out:
	EVP_CIPHER_CTX_free(c);
	EVP_MD_CTX_free(h);
	free(in);
	free(out);
}

static void print_uptime(const char *when)
{
	char line[256];
	FILE *p = popen("uptime", "r");

	if (p && fgets(line, sizeof(line), p))
		printf("uptime %s:%s", when, line);
	if (p)
		pclose(p);
}

int main(int argc, char **argv)
{
	struct series seal_null = { .name = "gsomia seal v2 (bundle -> /dev/null)" };
	struct series seal_file = { .name = "gsomia seal v2 (bundle -> file)" };
	struct series seal1_null = { .name = "gsomia seal v1 (-> /dev/null)" };
	struct series age_r = { .name = "age -r (-> /dev/null)" };
	struct series age_r_file = { .name = "age -r (-> file)" };
	struct series age_sign = { .name = "age -r (-> file) + minisign -S" };
	struct series open2 = { .name = "gsomia open v2 (one verified pass)" };
	struct series open1 = { .name = "gsomia open v1 (digest, then decrypt)" };
	struct series age_d = { .name = "age -d (-> /dev/null)" };
	char in[256], enc[256], bundle[256], bundle1[256], key[256], mskey[256], mspub[256], sig[256];
	char cmd[1024];
	struct seal_arg sa_null = { "/dev/null", 2 }, sa_file = { NULL, 2 };
	struct seal_arg sa1_null = { "/dev/null", 1 }, sa1_file = { NULL, 1 };
	struct open_arg oa2 = { 0, "b.bundle" }, oa1 = { 0, "b1.bundle" };
	long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 1024;
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double cipher, hash, leaves, ceiling;
	int i, have_minisign;
	FILE *f;

	if (mib < 1 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_bundle [MiB >= 1] [runs 1..%d]\n", MAX_RUNS);
		return 2;
	}
	if (sodium_init() < 0 || !mkdtemp(dir))
		return 1;
	size_bytes = (uint64_t)mib << 20;
	path(in, sizeof(in), "in.bin");
	path(enc, sizeof(enc), "enc.age");
	path(bundle, sizeof(bundle), "b.bundle");
	path(bundle1, sizeof(bundle1), "b1.bundle");
	path(key, sizeof(key), "age.key");
	path(mskey, sizeof(mskey), "ms.key");
	path(mspub, sizeof(mspub), "ms.pub");
	path(sig, sizeof(sig), "enc.age.minisig");
	sa_file.out = bundle;
	sa1_file.out = bundle1;
	if (make_input(size_bytes) != 0 || keys_generate(&sender) != 0 ||
	    keys_generate(&recipient) != 0) {
		fprintf(stderr, "bench_bundle: setup failed\n");
		return 1;
	}
	/* the recipient's identity for age -d; the sealed file for age -d */
	age_recipient_encode(recipient.box_pk, recipient_str);
	{
		char id[AGE_IDENTITY_SIZE];

		age_identity_encode(recipient.box_sk, id);
		f = fopen(key, "w");
		if (!f)
			return 1;
		fprintf(f, "%s\n", id);
		fclose(f);
		sodium_memzero(id, sizeof(id));
	}
	snprintf(cmd, sizeof(cmd), "minisign -G -W -f -p %s -s %s >/dev/null 2>&1", mspub, mskey);
	have_minisign = system(cmd) == 0;
	snprintf(manifest.item, sizeof(manifest.item), "KOR-BENCH-1");
	snprintf(manifest.originator, sizeof(manifest.originator), "KOR");
	snprintf(manifest.sender, sizeof(manifest.sender), "KOR");
	snprintf(manifest.recipient, sizeof(manifest.recipient), "JPN");
	snprintf(manifest.agreement, sizeof(manifest.agreement), "KOR-JPN-2016");
	manifest.agreement_version = 1;
	snprintf(manifest.purpose, sizeof(manifest.purpose), "defence");
	snprintf(manifest.topic, sizeof(manifest.topic), "bench");
	snprintf(manifest.form, sizeof(manifest.form), "electronic");
	snprintf(manifest.banner_originator, sizeof(manifest.banner_originator), "SECRET");
	snprintf(manifest.banner_recipient, sizeof(manifest.banner_recipient), "SECRET");
	manifest.created = 1574930096;
	manifest.exercise = true;

	printf("bench_bundle: %ld MiB, %d runs (median), %ld CPUs\n", mib, runs, ncpu);
	print_uptime("at the start");
	per_core_rates(&cipher, &hash, &leaves);
	ceiling = cipher > 0 && leaves > 0 ? (double)ncpu / (1 / cipher + 1 / leaves) : 0;
	printf("one core, this run: ChaCha20-Poly1305 %.2f GiB/s, SHA-256 %.2f GiB/s (64 KiB chunks, OpenSSL);\n"
	       "  chunk leaf hashes as sealing and opening make them: %.2f GiB/s (%s)\n",
	       cipher, hash, leaves,
	       sha256x2_available() ? "two streams at once with the SHA extensions" : "OpenSSL, one stream");
	printf("ceiling for v2 on %ld cores (one cipher pass and one leaf-hash pass a byte): %.2f GiB/s\n",
	       ncpu, ceiling);
	/* the v1 bundle to open, made once */
	if (in_child(do_seal, &sa1_file).ok != 1) {
		fprintf(stderr, "bench_bundle: v1 seal failed\n");
		return 1;
	}
	for (i = 0; i < runs; i++) {
		const char *age_r_null[] = { "age", "-r", recipient_str, "-o", "/dev/null", in, NULL };
		const char *age_r_f[] = { "age", "-r", recipient_str, "-o", enc, in, NULL };
		const char *ms[] = { "minisign", "-S", "-s", mskey, "-m", enc, "-x", sig, NULL };
		const char *age_dec[] = { "age", "-d", "-i", key, "-o", "/dev/null", enc, NULL };
		struct result a, b;

		add(&seal_null, in_child(do_seal, &sa_null));
		add(&age_r, run_cmd(age_r_null, NULL));
		add(&seal1_null, in_child(do_seal, &sa1_null));
		add(&seal_file, in_child(do_seal, &sa_file));
		a = run_cmd(age_r_f, NULL);
		add(&age_r_file, a);
		if (have_minisign) {
			b = run_cmd(ms, NULL);
			a.secs += b.secs;
			a.cpu += b.cpu;
			a.ok = a.ok && b.ok;
			if (b.rss_kb > a.rss_kb)
				a.rss_kb = b.rss_kb;
			a.load = b.load;
			add(&age_sign, a);
		}
		add(&open2, in_child(do_open, &oa2));
		add(&age_d, run_cmd(age_dec, NULL));
		add(&open1, in_child(do_open, &oa1));
	}
	printf("seal\n");
	print(&seal_null);
	print(&age_r);
	print(&seal1_null);
	print(&seal_file);
	print(&age_r_file);
	if (have_minisign)
		print(&age_sign);
	printf("open\n");
	print(&open2);
	print(&age_d);
	print(&open1);
	printf("ratios (speed, higher is better; medians, bests in brackets)\n");
	ratio("seal v2 / age -r, both to /dev/null", &seal_null, &age_r, "(target >= 1.30)");
	ratio("seal v2 / seal v1, both to /dev/null", &seal_null, &seal1_null, "");
	ratio("seal v2 / age -r, both to a file", &seal_file, &age_r_file, "");
	if (have_minisign)
		ratio("seal v2 / (age -r + minisign -S), to a file", &seal_file, &age_sign, "");
	ratio("open v2 (one verified pass) / age -d", &open2, &age_d, "(target >= 1.80)");
	ratio("open v1 (digest first) / age -d", &open1, &age_d, "");
	printf("  %-48s %5.2f GiB/s (best seal v2), %.0f%% of the ceiling\n", "against the ceiling",
	       (double)size_bytes / best(&seal_null) / (1 << 30),
	       ceiling > 0 ? 100.0 * (double)size_bytes / best(&seal_null) / (1 << 30) / ceiling : 0);
	{
		long rss = seal_file.rss;

		if (seal_null.rss > rss)
			rss = seal_null.rss;
		if (open2.rss > rss)
			rss = open2.rss;
		printf("  %-48s %5.1f MiB (target <= 16)\n", "peak RSS of gsomia seal/open v2",
		       (double)rss / 1024.0);
	}
	print_uptime("at the end");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_bundle: could not remove %s\n", dir);
	keys_release(&sender);
	keys_release(&recipient);
	return 0;
}
