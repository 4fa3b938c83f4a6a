/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "util/limits.h"
#include "util/file.h"
#include "util/banned.h"

static int exit_for(int err)
{
	return err == GS_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
}

int fail(int err, const struct gs_diag *d)
{
	fprintf(stderr, "gsomia: %s\n", d && d->msg[0] ? d->msg : gs_strerror(err));
	return exit_for(err);
}

int failf(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("gsomia: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return exit_for(err);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gsomia %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'gsomia %s --help')\n", cmd);
	return EXIT_USAGE;
}

void env_forget(const char *name)
{
	char *value = getenv(name);
	size_t nl = strlen(name), vl;
	char *entry;

	if (!value)
		return;
	/* the C library keeps each variable as one string "NAME=value" and
	 * getenv() points into it; /proc/PID/environ shows the first ones in
	 * place, so removing the pointer is not enough */
	vl = strlen(value);
	entry = value - nl - 1;
	unsetenv(name);
	sodium_memzero(entry, nl + 1 + vl);
}

void passphrase_free(char *p, size_t len)
{
	(void)len;
	if (p)
		sodium_free(p);
}

static int read_prompt(const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok;

	if (!tty)
		return GS_EUSAGE;
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(buf, (int)cap, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!ok)
		return GS_EIO;
	*len = strcspn(buf, "\r\n");
	buf[*len] = 0;
	return 0;
}

/* Under systemd, LoadCredential=passphrase:FILE puts the passphrase in
 * $CREDENTIALS_DIRECTORY/passphrase, readable only by the service. It is
 * taken when neither GSOMIA_PASSPHRASE nor --passphrase-file is given;
 * without it the service stops with one line saying what is missing. */
int passphrase_get(const char *file, bool confirm, char **out, size_t *len, struct gs_diag *d)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY"), *env = getenv("GSOMIA_PASSPHRASE");
	char cred[4096];

	if ((!env || !*env) && !file && creds && *creds) {
		snprintf(cred, sizeof(cred), "%s/passphrase", creds);
		if (access(cred, R_OK) != 0)
			return gs_diag_set(d, GS_ENOTFOUND,
					   "no passphrase: the credential 'passphrase' is not in %s (give the unit LoadCredential=passphrase:FILE)",
					   creds);
		file = cred;
	}
	return secret_get("GSOMIA_PASSPHRASE", "passphrase", file, confirm, out, len, d);
}

int secret_get(const char *envname, const char *what, const char *file, bool confirm, char **out,
	       size_t *len, struct gs_diag *d)
{
	const char *env = getenv(envname);
	char prompt[64];
	char *p = sodium_malloc(GS_MAX_PASSPHRASE + 2);
	size_t n = 0;
	int ret = 0;

	if (!p)
		return GS_ENOMEM;
	if (env && *env) {
		n = strlen(env);
		if (n > GS_MAX_PASSPHRASE) {
			ret = gs_diag_set(d, GS_ELIMIT, "%s longer than %d bytes", envname, GS_MAX_PASSPHRASE);
			goto out;
		}
		memcpy(p, env, n + 1);
	} else if (file) {
		FILE *f = fopen(file, "rb");

		if (!f) {
			ret = gs_diag_set(d, GS_EIO, "%s file '%s': %s", what, file, strerror(errno));
			goto out;
		}
		n = fread(p, 1, GS_MAX_PASSPHRASE + 1, f);
		fclose(f);
		if (n > GS_MAX_PASSPHRASE) {
			ret = gs_diag_set(d, GS_ELIMIT, "%s file '%s' longer than %d bytes", what, file,
					  GS_MAX_PASSPHRASE);
			goto out;
		}
		/* One trailing newline is not part of the secret. */
		if (n && p[n - 1] == '\n')
			n--;
		p[n] = 0;
	} else if (isatty(STDIN_FILENO)) {
		snprintf(prompt, sizeof(prompt), "%s: ", what);
		if ((ret = read_prompt(prompt, p, GS_MAX_PASSPHRASE + 1, &n))) {
			ret = gs_diag_set(d, GS_EUSAGE, "cannot read a %s from the terminal", what);
			goto out;
		}
		if (confirm) {
			char *again = sodium_malloc(GS_MAX_PASSPHRASE + 2);
			size_t m = 0;

			if (!again) {
				ret = GS_ENOMEM;
				goto out;
			}
			ret = read_prompt("again: ", again, GS_MAX_PASSPHRASE + 1, &m);
			if (!ret && (m != n || sodium_memcmp(again, p, n)))
				ret = gs_diag_set(d, GS_EUSAGE, "the %ss differ", what);
			sodium_free(again);
			if (ret)
				goto out;
		}
	} else {
		ret = gs_diag_set(d, GS_EUSAGE, "a %s is needed: set %s, give --%s-file, or run on a terminal",
				  what, envname, what);
		goto out;
	}
	if (n == 0) {
		ret = gs_diag_set(d, GS_EUSAGE, "empty %s", what);
		goto out;
	}
out:
	if (ret) {
		sodium_free(p);
		return ret;
	}
	*out = p;
	*len = n;
	return 0;
}

int open_node(const char *home_flag, struct node **out)
{
	struct gs_diag d = { { 0 } };
	int ret = node_open(node_home_path(home_flag), out, &d);

	return ret ? fail(ret, &d) : 0;
}

int open_node_read(const char *home_flag, struct node **out)
{
	struct gs_diag d = { { 0 } };
	int ret = node_open_read(node_home_path(home_flag), out, &d);

	return ret ? fail(ret, &d) : 0;
}

int open_node_unlocked(const char *home_flag, const char *passfile, struct node **out)
{
	struct gs_diag d = { { 0 } };
	char *pass;
	size_t len;
	int ret;

	if ((ret = open_node(home_flag, out)))
		return ret;
	if ((ret = passphrase_get(passfile, false, &pass, &len, &d)) == 0) {
		ret = node_unlock(*out, pass, len, &d);
		passphrase_free(pass, len);
	}
	if (ret) {
		node_close(*out);
		*out = NULL;
		return fail(ret, &d);
	}
	return 0;
}

void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));

	if (s) {
		puts(s);
		free(s);
	}
	json_decref(j);
}

int write_output(const char *path, const void *buf, size_t len)
{
	struct gs_diag d = { { 0 } };
	int ret;

	if (!path || !strcmp(path, "-")) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
			return failf(GS_EIO, "cannot write to standard output");
		return 0;
	}
	ret = write_file_atomic(path, buf, len, 0644, &d);
	return ret ? fail(ret, &d) : 0;
}
