/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/label.h"
#include "xml/label_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses arbitrary bytes as a STANAG 4774 label; whatever parses must be
 * written and read back to the same label, and go through the release
 * rules (docs/labels.md) without harm. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_label l, m;
	static struct party self;
	struct gs_diag d;
	const char *cls;
	char *out = NULL;
	size_t len = 0;

	if (label_xml_parse((const char *)data, size, &l, &d) != 0)
		return 0;
	if (label_xml_document(&l, &out, &len, &d) != 0)
		abort();
	if (label_xml_parse(out, len, &m, &d) != 0)
		abort();
	if (strcmp(l.classification, m.classification) || strcmp(l.policy_uri, m.policy_uri) ||
	    l.ncategories != m.ncategories || l.created != m.created || l.alternative != m.alternative)
		abort();
	free(out);
	memset(&self, 0, sizeof(self));
	memcpy(self.code, "KOR", 4);
	memcpy(self.policy, l.policy_uri, sizeof(self.policy));
	memcpy(self.scheme.levels[0].label, l.classification, sizeof(l.classification));
	self.scheme.nlevels = 1;
	(void)label_release_classification(&l, &self, "JPN", &cls, &d);
	return 0;
}
