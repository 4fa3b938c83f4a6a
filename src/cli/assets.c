/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/assets.h"
#include "util/banned.h"

#ifndef GSOMIA_SOURCE_ROOT
#define GSOMIA_SOURCE_ROOT "."
#endif
#ifndef GSOMIA_BINDIR
#define GSOMIA_BINDIR "bin"
#endif
#ifndef GSOMIA_DATADIR
#define GSOMIA_DATADIR "share"
#endif

int assets_self(char *out, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", out, cap - 1);

	if (n <= 0 || (size_t)n >= cap - 1)
		return -1;
	out[n] = 0;
	return 0;
}

static int holds_data(const char *dir)
{
	char probe[PATH_MAX + 32];

	snprintf(probe, sizeof(probe), "%s/scripts/demo.sh", dir);
	return access(probe, R_OK) == 0;
}

int assets_dir(char *out, size_t cap)
{
	char exe[PATH_MAX], *slash;
	static const char bindir[] = GSOMIA_BINDIR;
	size_t i;
	int up = 1; /* the binary's own name */

	if (!assets_self(exe, sizeof(exe))) {
		/* the prefix: up from the binary by each part of bindir ("bin": one) */
		for (i = 0; bindir[i]; i++)
			up += bindir[i] != '/' && (i == 0 || bindir[i - 1] == '/');
		while (up-- > 0 && (slash = strrchr(exe, '/')))
			*slash = 0;
		if (GSOMIA_DATADIR[0] == '/')
			snprintf(out, cap, "%s/gsomia", GSOMIA_DATADIR);
		else
			snprintf(out, cap, "%s/%s/gsomia", exe, GSOMIA_DATADIR);
		if (holds_data(out))
			return 0;
	}
	snprintf(out, cap, "%s", GSOMIA_SOURCE_ROOT);
	return holds_data(out) ? 0 : -1;
}
