/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_ARCHIVE_H
#define GS_NODE_ARCHIVE_H

/*
 * The archive inside a backup (docs/backup-format.md): the files of a
 * node home in one stream, sealed with age. Plain and strict:
 *
 *     gsomia-archive/v1\n
 *     F <mode> <size> <name>\n      mode "600" or "644"; size decimal, no leading zero
 *     <size bytes>
 *     ...                           names in strictly increasing byte order
 *     E <count>\n                   the number of files; nothing follows
 *
 * A name is "gsomia.db", "tls.key", "tls.crt", or "<dir>/<file>" with dir
 * one of objects, receipts, outgoing, inbox and file 1 to 128 of
 * [A-Za-z0-9._-] not starting with '.'. gsomia.db must be there. No other
 * name, no path that climbs, no link, no directory entry: a restore can
 * only ever write those files inside the new home.
 *
 * The reader is a push parser: feed it the plaintext in pieces of any
 * size (the age stream's chunks); it calls back per file. Pure: no I/O.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ARCHIVE_MAGIC "gsomia-archive/v1\n"
#define ARCHIVE_NAME_MAX 160
#define ARCHIVE_LINE_MAX (ARCHIVE_NAME_MAX + 48)
#define ARCHIVE_MAX_FILES 50000000u
#define ARCHIVE_MAX_FILE_SIZE (1ull << 44) /* 16 TiB */

/* 1 if name may be in an archive (rules above). */
bool archive_name_ok(const char *name);

/* The header line of a file, into out (ARCHIVE_LINE_MAX bytes); its
 * length, or GS_EINVAL for a name or mode that may not be archived. */
int archive_file_line(const char *name, unsigned mode, uint64_t size, char out[ARCHIVE_LINE_MAX]);
/* The last line. */
int archive_end_line(uint64_t count, char out[ARCHIVE_LINE_MAX]);
/* The bytes of a whole archive of n files with these names and sizes. */
uint64_t archive_size(size_t n, const char *const *names, const unsigned *modes, const uint64_t *sizes);

struct archive_sink {
	/* a file begins: name (NUL-terminated), mode (0600 or 0644), size */
	int (*begin)(void *ctx, const char *name, unsigned mode, uint64_t size);
	int (*data)(void *ctx, const uint8_t *p, size_t n);
	int (*end)(void *ctx);
	void *ctx;
};

struct archive_reader {
	int state;                       /* where in the grammar */
	char line[ARCHIVE_LINE_MAX + 1];
	size_t line_len;
	char last[ARCHIVE_NAME_MAX + 1]; /* the previous name, for the order */
	uint64_t left;                   /* bytes of the current file to come */
	uint64_t files;
	uint64_t offset;                 /* bytes read, for messages */
	bool has_db;
	struct archive_sink sink;
};

void archive_reader_init(struct archive_reader *r, const struct archive_sink *sink);
/* Takes the next n bytes. GS_EINVAL malformed (d says what and at which
 * byte), GS_ELIMIT a cap, or the sink's error. */
int archive_feed(struct archive_reader *r, const uint8_t *p, size_t n, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* The input ended: 0 only if it ended right after a valid end line. */
int archive_finish(const struct archive_reader *r, struct gs_diag *d) __attribute__((warn_unused_result));

#endif
