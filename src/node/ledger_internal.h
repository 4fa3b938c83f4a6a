/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_LEDGER_INTERNAL_H
#define GS_NODE_LEDGER_INTERNAL_H

/* What the ledger's files (node/ledger*.c) share and nothing else sees. */

#include "crypto/merkle.h"
#include "node/ledger.h"

#define HB MERKLE_HASH_BYTES
#define MAGIC "GSLG"
#define MAGIC_LEN 4
/* magic, version, type, time, nonce, digest alg, digest */
#define FIXED_LEN (MAGIC_LEN + 1 + 1 + 8 + LEDGER_NONCE_BYTES + 1 + LEDGER_DIGEST_BYTES)
#define INTERNAL "internal"
#define CACHED_LOGS 4

/* A party code in an entry: three capital letters, or empty. */
int ledger_code_ok(const char *c, size_t len);

/* The stored log for peer (NULL or "": the internal log), made if create
 * and missing: its row id (0 when missing and not made), its size and its
 * origin line. */
int ledger_open_log(struct node *n, const char *peer, int create, int64_t *id, uint64_t *size,
		    char origin[GS_MAX_NAME], struct gs_diag *d);

/* The stored tree of one log, as crypto/merkle.h reads it. */
struct ledger_tree_ctx {
	struct store *st;
	int64_t log;
};
int ledger_tree_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[HB]);

#endif
