/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "util/ident.h"
#include "util/limits.h"
#include "util/banned.h"

int ident_kind_is_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= GS_NET_MAX_KIND)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int ident_id_is_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= GS_MAX_ID || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}
