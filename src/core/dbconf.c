/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "core/dbconf.h"
#include "util/err.h"
#include "util/banned.h"

static int value(const char *v, size_t n, char *out, size_t cap, const char *key, int line, char *msg,
		 size_t msgn)
{
	if (n == 0 || n >= cap) {
		snprintf(msg, msgn, "line %d: '%s' needs a value of 1 to %zu bytes", line, key, cap - 1);
		return GS_EINVAL;
	}
	if (out[0]) {
		snprintf(msg, msgn, "line %d: '%s' is given twice", line, key);
		return GS_EINVAL;
	}
	memcpy(out, v, n);
	out[n] = 0;
	return 0;
}

int dbconf_parse(const char *text, size_t len, struct dbconf *out, char *msg, size_t msgn)
{
	size_t i = 0;
	int line = 0, ret;

	memset(out, 0, sizeof(*out));
	if (msgn)
		msg[0] = 0;
	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *sp;
		size_t n = nl ? (size_t)(nl - l) : len - i;

		i += n + (nl ? 1 : 0);
		line++;
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)l[k] < 0x20 || l[k] == 0x7f) {
				snprintf(msg, msgn, "line %d: a control byte", line);
				return GS_EINVAL;
			}
		if (n == 0 || l[0] == '#')
			continue;
		sp = memchr(l, ' ', n);
		if (!sp) {
			snprintf(msg, msgn, "line %d: not 'key value'", line);
			return GS_EINVAL;
		}
		if ((size_t)(sp - l) == 2 && !memcmp(l, "db", 2))
			ret = value(sp + 1, n - 3, out->db, sizeof(out->db), "db", line, msg, msgn);
		else if ((size_t)(sp - l) == 5 && !memcmp(l, "party", 5))
			ret = value(sp + 1, n - 6, out->party, sizeof(out->party), "party", line, msg, msgn);
		else if ((size_t)(sp - l) == 11 && !memcmp(l, "fingerprint", 11))
			ret = value(sp + 1, n - 12, out->fingerprint, sizeof(out->fingerprint), "fingerprint", line,
				    msg, msgn);
		else {
			snprintf(msg, msgn, "line %d: unknown key '%.*s'", line, (int)(sp - l > 32 ? 32 : sp - l), l);
			return GS_EINVAL;
		}
		if (ret)
			return ret;
	}
	if (!out->db[0] || !out->party[0] || !out->fingerprint[0]) {
		snprintf(msg, msgn, "it needs 'db', 'party' and 'fingerprint' lines");
		return GS_EINVAL;
	}
	return 0;
}

int dbconf_format(const struct dbconf *c, char *out, size_t n)
{
	int len = snprintf(out, n, "# the database of this home (docs/scale-out.md)\ndb %s\nparty %s\nfingerprint %s\n",
			   c->db, c->party, c->fingerprint);

	return len < 0 || (size_t)len >= n ? GS_ELIMIT : len;
}
