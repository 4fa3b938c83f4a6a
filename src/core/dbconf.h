/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CORE_DBCONF_H
#define GS_CORE_DBCONF_H

/*
 * HOME/db.conf: a home whose database is PostgreSQL names it there, with
 * the party and key fingerprint whose node it holds (docs/scale-out.md):
 *
 *     # the database of this home (docs/scale-out.md)
 *     db postgresql://gsomia@db1,db2/gsomia_kor?target_session_attrs=read-write
 *     party KOR
 *     fingerprint f3a5 4711 c476 5781 a4a3 9f7b 59b6 5e37
 *
 * Lines are "key value"; '#' lines and empty lines are comments; each key
 * once; all three keys needed; no other key; no NUL or control byte.
 */

#include <stddef.h>

#define DBCONF_DB_MAX 4000
#define DBCONF_CODE_MAX 8
#define DBCONF_FPR_MAX 80

struct dbconf {
	char db[DBCONF_DB_MAX + 1];
	char party[DBCONF_CODE_MAX];
	char fingerprint[DBCONF_FPR_MAX];
};

/* 0, or GS_EINVAL with what and on which line in msg (msgn bytes). */
int dbconf_parse(const char *text, size_t len, struct dbconf *out, char *msg, size_t msgn);
/* The file's text into out (n bytes): its length, or GS_ELIMIT. */
int dbconf_format(const struct dbconf *c, char *out, size_t n);

#endif
