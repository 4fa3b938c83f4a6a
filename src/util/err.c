/* SPDX-License-Identifier: Apache-2.0 */
#include "util/err.h"

#include <stdio.h>
#include <string.h>

const char *gs_strerror(int err)
{
	switch (err) {
	case GS_OK: return "success";
	case GS_EINVAL: return "malformed input";
	case GS_ENOMEM: return "out of memory";
	case GS_EIO: return "input/output error";
	case GS_ECRYPTO: return "verification failed";
	case GS_ENOTFOUND: return "not found";
	case GS_EEXIST: return "already exists";
	case GS_EDENIED: return "refused";
	case GS_ESTATE: return "not allowed in this state";
	case GS_EUSAGE: return "bad usage";
	case GS_ELIMIT: return "limit exceeded";
	case GS_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

int gs_diag_set(struct gs_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

void gs_diag_prefix(struct gs_diag *d, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, mlen;
	va_list ap;
	int n;

	if (!d)
		return;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	plen = strlen(prefix);
	prefix[plen++] = ':';
	/* "file" + "12:5: what" reads "file:12:5: what" */
	if (!(d->msg[0] >= '0' && d->msg[0] <= '9'))
		prefix[plen++] = ' ';
	mlen = strnlen(d->msg, sizeof(d->msg) - 1);
	if (plen + mlen >= sizeof(d->msg))
		mlen = sizeof(d->msg) - 1 - plen;
	memmove(d->msg + plen, d->msg, mlen);
	memcpy(d->msg, prefix, plen);
	d->msg[plen + mlen] = '\0';
}

void gs_diag_clear(struct gs_diag *d)
{
	if (d)
		d->msg[0] = '\0';
}
