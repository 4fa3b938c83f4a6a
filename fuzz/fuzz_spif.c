/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/label.h"
#include "xml/spif_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A policy the fuzzed SPIF may declare equivalences to (docs/labels.md). */
static void other(struct spif *s)
{
	static const char *const names[] = { "C", "B", "A" };
	int i;

	memset(s, 0, sizeof(*s));
	memcpy(s->policy_id, "2.25.2", 7);
	memcpy(s->policy_name, "OTHER", 6);
	for (i = 0; i < 3; i++) {
		memcpy(s->classes[i].name, names[i], 2);
		s->classes[i].lacv = (unsigned long)i + 1;
		s->classes[i].hierarchy = i + 1;
	}
	s->nclasses = 3;
}

/* Parses arbitrary bytes as an XML SPIF; whatever parses is turned into
 * levels and into annex rows against another policy, which must either
 * succeed within the buffer or refuse with a message. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spif a, b;
	static char buf[65536];
	struct annex_proposal o;
	struct gs_diag d;
	int n;

	if (spif_xml_parse((const char *)data, size, &a, &d) != 0)
		return 0;
	n = spif_levels_text(&a, buf, sizeof(buf), &d);
	if (n >= 0 && (size_t)n != strlen(buf))
		abort();
	other(&b);
	memset(&o, 0, sizeof(o));
	o.code_a = "AAA";
	o.code_b = "BBB";
	o.file_a = "a.xml";
	o.file_b = "b.xml";
	o.annex_number = 1;
	o.effective = (struct gs_date){ 2020, 1, 1 };
	d.msg[0] = '\0';
	n = spif_annex_propose(&a, &b, &o, buf, sizeof(buf), &d);
	if ((n >= 0 && (size_t)n != strlen(buf)) || (n < 0 && !d.msg[0] && n != GS_ENOMEM))
		abort();
	return 0;
}
