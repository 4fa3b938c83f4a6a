/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CRYPTO_PAYLOAD_DIGEST_H
#define GS_CRYPTO_PAYLOAD_DIGEST_H

/*
 * "The bundle's payload digest": the one value that names a bundle's
 * ciphertext, as its signed manifest gives it (docs/bundle-format.md).
 * Everything outside crypto/bundle.c that names a payload by its digest
 * (a STANAG 4778 binding's data reference, docs/labels.md) asks this
 * function, so that a new bundle version that digests its payload
 * differently changes one place. It is the SHA-256 of the whole age
 * payload, which any tool can compute over the payload's bytes: version 1
 * carries it in its manifest (payload-sha256); version 2 names its payload
 * by a chunk tree's root instead, so it is computed from the file.
 */

#include <stddef.h>
#include <stdint.h>

#include "crypto/bundle.h"

struct payload_digest {
	char alg[16];       /* as RFC 6920's Named Information registry spells it: "sha-256" */
	uint8_t bytes[64];
	size_t len;
};

/* fd: the verified bundle file, seekable, positioned at its start. */
int bundle_payload_ni(int fd, const struct bundle_manifest *m, struct payload_digest *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

#endif
