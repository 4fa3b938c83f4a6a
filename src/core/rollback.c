/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>

#include "core/rollback.h"
#include "util/banned.h"

enum rollback_verdict rollback_judge(uint64_t restored, uint64_t held, bool same_root)
{
	if (held > restored)
		return ROLLBACK_BEHIND;
	if (held && !same_root)
		return ROLLBACK_FORKED;
	return ROLLBACK_OK;
}

const char *rollback_verdict_name(enum rollback_verdict v)
{
	switch (v) {
	case ROLLBACK_BEHIND: return "behind";
	case ROLLBACK_FORKED: return "forked";
	default: return "ok";
	}
}

void rollback_explain(enum rollback_verdict v, const char *origin, const char *peer, uint64_t restored,
		      uint64_t held, char *out, size_t cap)
{
	switch (v) {
	case ROLLBACK_BEHIND:
		if (held - restored == 1)
			snprintf(out, cap,
				 "log '%s' has %" PRIu64 " entries, but %s cosigned %" PRIu64 ": entry %" PRIu64
				 " is missing",
				 origin, restored, peer, held, restored);
		else
			snprintf(out, cap,
				 "log '%s' has %" PRIu64 " entries, but %s cosigned %" PRIu64 ": entries %" PRIu64
				 " to %" PRIu64 " are missing",
				 origin, restored, peer, held, restored, held - 1);
		break;
	case ROLLBACK_FORKED:
		snprintf(out, cap,
			 "log '%s' differs from the one %s cosigned at size %" PRIu64
			 ": its first %" PRIu64 " entries are not those %s saw",
			 origin, peer, held, held, peer);
		break;
	default:
		if (held)
			snprintf(out, cap, "log '%s' (%" PRIu64 " entries) holds the %" PRIu64 " %s cosigned", origin,
				 restored, held, peer);
		else
			snprintf(out, cap, "log '%s' (%" PRIu64 " entries): %s holds no checkpoint of it", origin,
				 restored, peer);
		break;
	}
}
