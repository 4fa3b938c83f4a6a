/* SPDX-License-Identifier: Apache-2.0 */
#include "core/attention.h"

#include <string.h>

#include "util/banned.h"

const char *attention_kind_name(enum attention_kind k)
{
	static const char *const names[ATTN_KINDS_] = {
		[ATTN_NOTICE_DEADLINE] = "notice-deadline", [ATTN_AGREEMENT_ENDS] = "agreement-ends",
		[ATTN_PSC_EXPIRING] = "psc-expiring",       [ATTN_RECEIPT_OVERDUE] = "receipt-overdue",
		[ATTN_INCIDENT] = "incident",               [ATTN_INSPECTION_DUE] = "inspection-due",
		[ATTN_CONSENT_EXPIRING] = "consent-expiring", [ATTN_VISIT] = "visit",
	};

	return (int)k >= 0 && k < ATTN_KINDS_ ? names[k] : "unknown";
}

enum attention_urgency attention_classify(gs_instant due, gs_instant now, int64_t within)
{
	if (due == GS_INSTANT_NONE)
		return ATTN_COMING;
	if (due <= now)
		return ATTN_OVERDUE;
	return due - now <= within ? ATTN_COMING : ATTN_LATER;
}

int attention_window_parse(const char *s, int64_t *out)
{
	int64_t n = 0, unit;
	size_t i, len = s ? strlen(s) : 0;

	if (len < 2 || len > 6 || s[0] == '0')
		return GS_EINVAL;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return GS_EINVAL;
		n = n * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return GS_EINVAL;
	}
	if (n * unit > (int64_t)3660 * 86400)
		return GS_EINVAL;
	*out = n * unit;
	return 0;
}
