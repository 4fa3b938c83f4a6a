/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/local_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parsed member is a NUL-terminated string within its buffer. */
static void check_str(const char *s, size_t cap)
{
	if (memchr(s, 0, cap) == NULL)
		abort();
}

/* Nothing is left behind by a failed parse. */
static void check_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			abort();
}

#define STR(b, m) check_str((b).m, sizeof((b).m))

/* The same bytes as the body of each console action that takes JSON:
 * whatever parses holds what the parser promises; whatever fails says
 * why and holds nothing. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct consent_request_body cr;
	struct consent_answer_body ca;
	struct incident_report_body ir;
	struct incident_step_body is;
	struct note_body nb;
	struct gs_diag d;

	d.msg[0] = 0;
	if (local_consent_request_parse(buf, size, &cr, &d)) {
		if (!d.msg[0])
			abort();
		check_zero(&cr, sizeof(cr));
	} else {
		STR(cr, item), STR(cr, to), STR(cr, third_party), STR(cr, purpose), STR(cr, kind);
		STR(cr, expires), STR(cr, text);
	}

	d.msg[0] = 0;
	if (local_consent_answer_parse(buf, size, &ca, &d)) {
		if (!d.msg[0])
			abort();
		check_zero(&ca, sizeof(ca));
	} else {
		STR(ca, text), STR(ca, expires), STR(ca, topic);
	}

	d.msg[0] = 0;
	if (local_incident_report_parse(buf, size, &ir, &d)) {
		if (!d.msg[0])
			abort();
		check_zero(&ir, sizeof(ir));
	} else {
		STR(ir, item), STR(ir, kind), STR(ir, detected), STR(ir, text);
	}

	d.msg[0] = 0;
	if (local_incident_step_parse(buf, size, &is, &d)) {
		if (!d.msg[0])
			abort();
		check_zero(&is, sizeof(is));
	} else {
		STR(is, investigation), STR(is, result), STR(is, measures), STR(is, holding);
	}

	d.msg[0] = 0;
	if (local_note_parse(buf, size, &nb, &d)) {
		if (!d.msg[0])
			abort();
		check_zero(&nb, sizeof(nb));
	} else {
		STR(nb, kind), STR(nb, text), STR(nb, to), STR(nb, delivered), STR(nb, withdraws);
		STR(nb, terminate_at), STR(nb, effective), STR(nb, acceding);
		if (nb.version < 0 || nb.version > 1000)
			abort();
	}

	/* the same bytes as the X-Gsomia-Release header (a header is a C string) */
	{
		struct release_body rb;
		char *hd = malloc(size + 1);
		char name[512];

		if (!hd)
			return 0;
		memcpy(hd, buf, size);
		hd[size] = 0;
		d.msg[0] = 0;
		if (local_release_header_parse(hd, &rb, &d)) {
			if (!d.msg[0])
				abort();
			check_zero(&rb, sizeof(rb));
		} else {
			STR(rb, agreement), STR(rb, to), STR(rb, classification), STR(rb, purpose), STR(rb, topic);
			STR(rb, title), STR(rb, form), STR(rb, name);
			/* and whatever it names, the name an opened item is saved under */
			local_download_name(rb.name, rb.title, rb.classification, 1, "KOR-1", name, sizeof(name));
			if (!memchr(name, 0, sizeof(name)) || strpbrk(name, "/\\:*?\"<>|"))
				abort();
		}
		free(hd);
	}
	return 0;
}
