/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_BACKUP_H
#define GS_NODE_BACKUP_H

/*
 * Backups of a node home (docs/backup-format.md, docs/operations.md):
 *
 *     gsomia-backup/v1 <manifest length>\n
 *     <manifest: a signed note by the node's key>
 *     <payload: an age file sealed to the node's own X25519 key, whose
 *      plaintext is the archive of node/archive.h>
 *
 * The manifest (kvtext, in this order):
 *
 *     gsomia-backup/v1
 *     party KOR
 *     exercise yes|no
 *     fingerprint 2631 ee78 b148 6699 e7d9 82a0 a8d7 a37d
 *     taken 2023-05-01T01:00:00Z      the node's clock when the database was copied
 *     schema 6                        the database's version
 *     files 14
 *     archive-size 123456             bytes of the archive (the payload's plaintext)
 *     payload-size 123689             bytes of the age file
 *     payload-sha256 <64 hex>
 *     keys <base64 of keys.sealed>    the sealed key file, unchanged
 *
 * The key file travels outside the payload, still sealed under the
 * passphrase, because the payload can be opened only with the secret key
 * it holds: a restore needs the backup and the passphrase, nothing else.
 *
 * A backup is taken while the node serves: the database by SQLite's
 * online backup (one read snapshot), the files of the home by hard links
 * made before and after that snapshot, so that an object removed meanwhile
 * (an item destroyed) is still in the backup if the snapshot names it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"
#include "crypto/keys.h"
#include "node/node.h"

#define BACKUP_MAGIC "gsomia-backup/v1"
#define BACKUP_MAX_MANIFEST 16384
#define BACKUP_MAX_KEYS 8192

struct backup_manifest {
	char party[GS_MAX_CODE];
	bool exercise;
	char fingerprint[KEYS_FINGERPRINT_SIZE];
	gs_instant taken;
	int schema;
	uint64_t files;
	uint64_t archive_size;
	uint64_t payload_size;
	uint8_t payload_sha256[32];
	char keys[BACKUP_MAX_KEYS]; /* the sealed key file, NUL-terminated */
	size_t keys_len;
	uint8_t sign_pk[32], box_pk[32]; /* from the key file */
};

/* Parses and verifies a backup's first line and manifest from buf (the
 * start of the file, at least the first line and the manifest): the
 * manifest must be signed by the key its own key file names, and that key
 * must have the fingerprint stated. *payload_off gets where the payload
 * starts. Pure (fuzzed). GS_EINVAL malformed, GS_ECRYPTO a bad signature,
 * GS_ELIMIT too large. */
int backup_manifest_parse(const uint8_t *buf, size_t len, struct backup_manifest *m, size_t *payload_off,
			  struct gs_diag *d) __attribute__((warn_unused_result));

struct backup_result {
	char party[GS_MAX_CODE];
	gs_instant taken;
	uint64_t files;
	uint64_t size; /* bytes written */
};

/* Takes a backup of the home of n (a reader handle, unlocked: the
 * manifest is signed) into output (util/outfile.h: a new or regular file
 * through a temporary file, a device or FIFO in place). */
int node_backup(struct node *n, const char *output, struct backup_result *res, struct gs_diag *d)
	__attribute__((warn_unused_result));

struct restore_result {
	char party[GS_MAX_CODE];
	char fingerprint[KEYS_FINGERPRINT_SIZE];
	gs_instant taken;
	uint64_t files;
	char aside[GS_PATH_MAX]; /* where the old home was kept, or "" */
};

/*
 * Restores the backup file into home. Everything is checked before the
 * home is touched: the manifest's signature, the payload's size and
 * SHA-256 (a truncated or tampered file is refused), the passphrase
 * (it must unseal the key file), that the payload is sealed to that key,
 * the archive's grammar, and the restored home itself (its identity holds
 * those keys, its ledger verifies). The files are written into a new
 * directory beside home, which then takes its place.
 *
 * A home that holds anything is refused (GS_EEXIST) unless force: then it
 * must be the same node's (GS_EDENIED for another party or key), and it is
 * kept aside as HOME.before-restore-<instant>. The restored home is put
 * under the restore hold (node/restore.h) until its logs are compared with
 * its peers'.
 */
int node_restore(const char *file, const char *home, bool force, const char *pass, size_t passlen,
		 struct restore_result *res, struct gs_diag *d) __attribute__((warn_unused_result));

/* A server holds HOME/serve.lock (flock, exclusive) while it serves the
 * home, so that a second server, or a restore, cannot take a home in use.
 * *fd is the lock, kept open until the server stops. GS_ESTATE if
 * another process holds it. */
int node_serving_lock(const char *home, int *fd, struct gs_diag *d) __attribute__((warn_unused_result));

#endif
