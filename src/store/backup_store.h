/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_STORE_BACKUP_H
#define GS_STORE_BACKUP_H

/*
 * What backups and restores need of the store (node/backup.h,
 * node/restore.h): a consistent copy of the database while others write,
 * the restoration entries of a log, and rewinding what the node holds of
 * a peer's log to the size the peer restored it to.
 */

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Copies the whole database into a new file at path with SQLite's online
 * backup, in one step: one read snapshot, so the copy is a state the
 * database was in, whatever other handles and processes commit
 * meanwhile (WAL lets them). The copy's journal is deleted, not WAL. */
int store_snapshot(struct store *st, const char *path, struct gs_diag *d);

/* The schema version of the database (PRAGMA user_version). */
int store_schema_version(struct store *st, int *out);

/* The entries of kind in the log named origin, in order: fn gets the
 * index and the entry bytes (valid until fn returns). */
int store_ledger_kind_each(struct store *st, const char *origin, const char *kind,
			   int (*fn)(void *ctx, uint64_t idx, const uint8_t *entry, size_t len), void *ctx);

/* Forgets a peer's checkpoints of origin larger than size (held and
 * cosigned by witness), after that peer restored its log to size. */
int store_ledger_peer_rewind(struct store *st, const char *origin, const char *witness, uint64_t size);

#endif
