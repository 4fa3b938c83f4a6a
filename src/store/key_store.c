/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/key_store.h"
#include "store/store_internal.h"
#include "util/banned.h"

void store_party_key_release(struct store_party_key *k)
{
	free(k->identity);
	free(k->rotation);
	free(k->compromise);
	free(k->box_sk_sealed);
	k->identity = k->rotation = k->compromise = k->box_sk_sealed = NULL;
}

int store_party_key_put(struct store *st, const struct store_party_key *k)
{
	_Static_assert(STORE_NO_INSTANT == INT64_MIN, "'t' binds STORE_NO_INSTANT as NULL");
	int ret = stmt_exec(st, "INSERT INTO party_keys (code, fingerprint, sign_pk, box_pk, valid_from, "
			    "valid_until, compromised_since, identity, rotation, compromise, box_sk_sealed, "
			    "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			    "ON CONFLICT (code, fingerprint) DO UPDATE SET sign_pk = excluded.sign_pk, "
			    "box_pk = excluded.box_pk, valid_from = excluded.valid_from, valid_until = excluded.valid_until, "
			    "compromised_since = excluded.compromised_since, identity = excluded.identity, "
			    "rotation = excluded.rotation, compromise = excluded.compromise, "
			    "box_sk_sealed = excluded.box_sk_sealed, recorded_at = excluded.recorded_at",
			    "ssbbtttBBBBi", k->code, k->fingerprint, k->sign_pk, (size_t)32, k->box_pk, (size_t)32,
			    k->valid_from, k->valid_until, k->compromised_since, k->identity, k->identity_len,
			    k->rotation, k->rotation_len, k->compromise, k->compromise_len, k->box_sk_sealed,
			    k->box_sk_sealed_len, k->recorded_at);

	return ret == GS_EEXIST ? GS_EIO : ret;
}

static int64_t col_instant(dbs *s, int i)
{
	return dbs_column_type(s, i) == SQLITE_NULL ? STORE_NO_INSTANT : dbs_column_int64(s, i);
}

/* Points *p at column i's bytes (valid until the next step), NULL if null. */
static void col_blob(dbs *s, int i, uint8_t **p, size_t *n)
{
	*p = dbs_column_type(s, i) == SQLITE_NULL ? NULL : (uint8_t *)dbs_column_blob(s, i);
	*n = (size_t)dbs_column_bytes(s, i);
	if (!*p && dbs_column_type(s, i) != SQLITE_NULL)
		*p = (uint8_t *)""; /* an empty blob */
}

int store_party_key_each(struct store *st, const char *code,
			 int (*fn)(void *ctx, const struct store_party_key *k), void *ctx)
{
	struct store_party_key k;
	dbs *s;
	int rc, ret = 0;

	if (stmt_prepare(st, &s,
			 "SELECT code, fingerprint, sign_pk, box_pk, valid_from, valid_until, compromised_since, "
			 "identity, rotation, compromise, box_sk_sealed, recorded_at FROM party_keys "
			 "WHERE code = ? ORDER BY valid_from IS NOT NULL, valid_from, recorded_at", "s", code))
		return GS_EIO;
	while (!ret && (rc = dbs_step(s)) == SQLITE_ROW) {
		const char *c = (const char *)dbs_column_text(s, 0), *f = (const char *)dbs_column_text(s, 1);

		memset(&k, 0, sizeof(k));
		if (!c || !f || strlen(c) >= sizeof(k.code) || strlen(f) >= sizeof(k.fingerprint) ||
		    dbs_column_bytes(s, 2) != 32 || dbs_column_bytes(s, 3) != 32) {
			ret = GS_EIO;
			break;
		}
		memcpy(k.code, c, strlen(c) + 1);
		memcpy(k.fingerprint, f, strlen(f) + 1);
		memcpy(k.sign_pk, dbs_column_blob(s, 2), 32);
		memcpy(k.box_pk, dbs_column_blob(s, 3), 32);
		k.valid_from = col_instant(s, 4);
		k.valid_until = col_instant(s, 5);
		k.compromised_since = col_instant(s, 6);
		col_blob(s, 7, &k.identity, &k.identity_len);
		col_blob(s, 8, &k.rotation, &k.rotation_len);
		col_blob(s, 9, &k.compromise, &k.compromise_len);
		col_blob(s, 10, &k.box_sk_sealed, &k.box_sk_sealed_len);
		k.recorded_at = dbs_column_int64(s, 11);
		ret = fn(ctx, &k);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = GS_EIO;
	dbs_finalize(s);
	return ret;
}
