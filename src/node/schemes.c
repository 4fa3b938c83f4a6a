/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "node/schemes.h"
#include "util/banned.h"

/* National schemes shipped for convenience at `gsomia init`; a party can
 * give its own with --levels. Each names its security policy by a
 * FICTIONAL object identifier under the UUID arc 2.25 (ITU-T X.667), made
 * for this project from a random UUID: no state has published these, and
 * a real deployment puts its own policy's OID in its levels file
 * (docs/labels.md). Sources: the parties' published classification laws
 * (KOR: 군사기밀보호법 시행령 Art 3; JPN: SDS Act and administrative
 * labels; USA: E.O. 13526). */
static const struct builtin_scheme builtins[] = {
	{ "KOR", "Republic of Korea", "+09:00",
	  "policy: urn:oid:2.25.67063040280692152367391139728737801794 | KOR-MIL\n"
	  "level: 군사I급비밀 | GUNSA I-KUP BIMIL | military secret grade I\n"
	  "level: 군사II급비밀 | GUNSA II-KUP BIMIL | military secret grade II\n"
	  "level: 군사III급비밀 | GUNSA III-KUP BIMIL | military secret grade III\n" },
	{ "JPN", "Japan", "+09:00",
	  "policy: urn:oid:2.25.253640067928503725326359405469762299823 | JPN-GOV\n"
	  "level: 機密 | KIMITSU | top secret\n"
	  "level: 特定秘密 | TOKUTEI HIMITSU | specially designated secret\n"
	  "level: 極秘 | GOKUHI | top secret (administrative)\n"
	  "level: 秘 | HI | secret (administrative)\n" },
	{ "USA", "United States of America", "-05:00",
	  "policy: urn:oid:2.25.24432919453224814810900704441671399706 | USA-NSI\n"
	  "level: TOP SECRET | TOP SECRET | top secret\n"
	  "level: SECRET | SECRET | secret\n"
	  "level: CONFIDENTIAL | CONFIDENTIAL | confidential\n" },
};

const struct builtin_scheme *builtin_scheme(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].code, code))
			return &builtins[i];
	return NULL;
}
