/* SPDX-License-Identifier: Apache-2.0 */
/* ledger_proof_parse on arbitrary bytes; whatever parses is verified
 * against the example KOR identity (examples/parties/KOR.id, the key of
 * the seed corpus) without crashing; an entry that decodes must encode
 * back to the same bytes; a proof that verifies must hold an entry that
 * decodes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger.h"
#include "util/encode.h"
#include "util/err.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char kor_sign_key[] = "nswkIdcyreQApR80JEQb3X+wOQEcER+aJu0k5DJFfaA=";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ledger_proof pf;
	static struct ledger_verified v;
	static struct ledger_entry e;
	static struct party kor;
	static uint8_t buf[GS_MAX_LEDGER_ENTRY];
	struct gs_diag d;
	size_t len;
	int ret;

	if (!kor.code[0]) {
		memcpy(kor.code, "KOR", 4);
		kor.exercise = true;
		if (b64_decode_exact(kor_sign_key, strlen(kor_sign_key), kor.sign_pk, 32))
			abort();
	}
	if (ledger_proof_parse((const char *)data, size, &pf, &d) != 0)
		return 0;
	if (pf.nhashes > GS_MAX_PROOF_HASHES || pf.entry_len == 0 ||
	    pf.entry_len > GS_MAX_LEDGER_ENTRY || pf.note < (const char *)data ||
	    pf.note + pf.note_len != (const char *)data + size)
		abort();
	if (ledger_entry_decode(pf.entry, pf.entry_len, &e, &d) == 0) {
		if (ledger_entry_encode(&e, buf, sizeof(buf), &len, &d) != 0)
			abort();
		if (len != pf.entry_len || memcmp(buf, pf.entry, len) != 0)
			abort();
	}
	ret = ledger_verify_proof(&kor, &pf, &v, &d);
	if (ret == 0 && (v.index != pf.index || v.index >= v.cp.size))
		abort();
	return 0;
}
