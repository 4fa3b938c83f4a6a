/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_XML_COT_H
#define GS_XML_COT_H

/*
 * Cursor on Target (CoT 2.0) events, as the TAK family of tools exchange
 * them, for missile warnings (docs/warnings.md "CoT mapping"):
 *
 *   the launch event   uid = the warning's id, type a-h-A-W-M (a hostile
 *                      missile in flight), time = detection, start =
 *                      launch, point = the launch point; <detail> holds
 *                      <track course speed/> of the last track point and
 *                      <__gsomia_warning> with what CoT has no place for
 *                      and one <trackpoint/> per track point;
 *   an impact event    per predicted impact: uid = "<id>.impact.<n>",
 *                      type u-d-c-e (an ellipse), point = the impact
 *                      point, ce = the semi-major axis; <detail> holds
 *                      <link uid=id relation="p-p"/>, <shape><ellipse
 *                      major minor angle/></shape> (semi-axes, metres;
 *                      degrees from true north) and <__gsomia_impact
 *                      time/>.
 *
 * Each event is an XML document of its own, as a CoT stream carries them
 * one after the other. Read through xml_parse() (no DOCTYPE, no entities,
 * no network); the elements and attributes gsomia reads are read strictly,
 * other elements of <detail> (contact, remarks, __group...) are passed
 * over, as CoT leaves <detail> open to every tool.
 */

#include <stddef.h>

#include "core/warning.h"
#include "util/err.h"

#define COT_MAX_XML (1u << 20)     /* bytes of a stream of events, as read */
#define COT_MAX_OUT (256u << 10)   /* bytes of the events of one warning: always enough */
#define COT_STALE_MS (5 * 60 * 1000) /* an event is stale 5 minutes after the warning's last instant */

/*
 * Reads a warning from a stream of CoT events: the launch event first,
 * then an impact event for each predicted impact, in order. base (may be
 * NULL) gives what a launch event without <__gsomia_warning> does not say
 * (originator, agreement, topic, classification, sensor, type,
 * confidence): a sensor's own feed. Numbers are rounded to the warning's
 * precision (docs/warnings.md); then warning_validate(). One line in d:
 * "event N: LINE: what". *out is zeroed on failure.
 */
int cot_read(const char *buf, size_t len, const struct warning *base, struct warning *out, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* The events of w (launch, then one per impact), each a document ending
 * with a line feed, into out[cap]. GS_ELIMIT if cap is too small. The same
 * warning always gives the same bytes. */
int cot_write(const struct warning *w, char *out, size_t cap, size_t *len) __attribute__((warn_unused_result));

#endif
