/* SPDX-License-Identifier: Apache-2.0 */
/* age_header_parse on arbitrary bytes, then age_header_unwrap with a
 * fixed identity (the age test kit's), and, if a file key comes out, the
 * payload that follows, decrypted inline into a sink that drops it. Caps
 * bound the work: at most GS_AGE_MAX_STANZAS scalar multiplications and
 * a payload no longer than the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/age.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char identity[] =
	"AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6";

static int drop(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct age_header h;
	static uint8_t sk[32];
	static int ready;
	struct age_stream s;
	struct gs_diag d;
	uint8_t fk[AGE_FILE_KEY_BYTES];

	if (!ready) {
		if (age_identity_parse(identity, strlen(identity), sk) != 0)
			abort();
		ready = 1;
	}
	if (age_header_parse(data, size, &h, &d) != 0)
		return 0;
	if (h.len > size || h.mac_off >= h.len || h.nstanzas == 0 ||
	    h.nstanzas > GS_AGE_MAX_STANZAS)
		abort();
	memset(fk, 0x42, sizeof(fk));
	(void)age_header_verify_mac(&h, data, fk);
	if (age_header_unwrap(&h, data, sk, fk, &d) != 0)
		return 0;
	age_stream_init(&s);
	s.in_pre = data + h.len;
	s.in_pre_len = size - h.len;
	s.sink = drop;
	s.threads = 1;
	(void)age_decrypt_payload(fk, &s, &d);
	return 0;
}
