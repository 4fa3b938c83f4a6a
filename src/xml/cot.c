/* SPDX-License-Identifier: Apache-2.0 */
#include "xml/cot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml/xmlsafe.h"
#include "util/banned.h"

#define COT_MISSILE_TYPE "a-h-A-W-M"
#define COT_ELLIPSE_TYPE "u-d-c-e"
#define COT_HOW "m-f"             /* machine, fused */
#define COT_UNKNOWN "9999999.0"   /* CoT's value for an unknown height or error */
#define COT_UNKNOWN_SCALED 99999990 /* the same, in tenths */
#define MAX_DETAIL 64              /* children of one <detail> */

/* ---- reading ---- */

/* CoT elements are in no namespace. */
static bool is_named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}


static int num_attr(const xmlNode *n, const char *name, int scale, int64_t min, int64_t max, int64_t *out,
		    struct gs_diag *d)
{
	const char *v = xml_attr(n, name);
	int ret;

	if (!v)
		return gs_diag_set(d, GS_EINVAL, "%d: <%s> has no %s", xml_line(n), (const char *)n->name, name);
	if ((ret = warning_decimal_parse(v, strlen(v), scale, min, max, WARNING_DECIMAL_ROUND, out, d))) {
		char msg[GS_DIAG_MAX];

		snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
		return gs_diag_set(d, ret, "%d: <%s %s>: %.900s", xml_line(n), (const char *)n->name, name, msg);
	}
	return 0;
}

static int num32_attr(const xmlNode *n, const char *name, int scale, int64_t min, int64_t max, int32_t *out,
		      struct gs_diag *d)
{
	int64_t v;
	int ret = num_attr(n, name, scale, min, max, &v, d);

	if (!ret)
		*out = (int32_t)v;
	return ret;
}

static int time_attr(const xmlNode *n, const char *name, int64_t *out, struct gs_diag *d)
{
	const char *v = xml_attr(n, name);
	int ret;

	if (!v)
		return gs_diag_set(d, GS_EINVAL, "%d: <%s> has no %s", xml_line(n), (const char *)n->name, name);
	if ((ret = warning_time_parse(v, out, d))) {
		char msg[GS_DIAG_MAX];

		snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
		return gs_diag_set(d, ret, "%d: <%s %s>: %.900s", xml_line(n), (const char *)n->name, name, msg);
	}
	return 0;
}

static int text_attr(const xmlNode *n, const char *name, char *out, size_t cap, struct gs_diag *d)
{
	const char *v = xml_attr(n, name);

	if (!v)
		return gs_diag_set(d, GS_EINVAL, "%d: <%s> has no %s", xml_line(n), (const char *)n->name, name);
	if (strlen(v) >= cap)
		return gs_diag_set(d, GS_ELIMIT, "%d: <%s %s> is longer than %zu bytes", xml_line(n),
				   (const char *)n->name, name, cap - 1);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* <point lat lon hae ce le/>: CoT requires all five. */
static int read_point(const xmlNode *p, int32_t *lat, int32_t *lon, int32_t *hae, struct gs_diag *d)
{
	static const char *const attrs[] = { "lat", "lon", "hae", "ce", "le", NULL };
	int64_t ce, le, h;
	int ret;

	if ((ret = xml_attrs_only(p, attrs, NULL, d)) ||
	    (ret = num32_attr(p, "lat", WARNING_SCALE_DEG, -WARNING_LAT_MAX, WARNING_LAT_MAX, lat, d)) ||
	    (ret = num32_attr(p, "lon", WARNING_SCALE_DEG, -WARNING_LON_MAX, WARNING_LON_MAX, lon, d)) ||
	    (ret = num_attr(p, "hae", WARNING_SCALE_TENTH, WARNING_ALT_MIN, COT_UNKNOWN_SCALED, &h, d)) ||
	    (ret = num_attr(p, "ce", WARNING_SCALE_TENTH, 0, COT_UNKNOWN_SCALED, &ce, d)) ||
	    (ret = num_attr(p, "le", WARNING_SCALE_TENTH, 0, COT_UNKNOWN_SCALED, &le, d)))
		return ret;
	if (hae) {
		/* an unknown height is taken as 0: the ellipsoid */
		if (h == COT_UNKNOWN_SCALED)
			h = 0;
		if (h > WARNING_ALT_MAX)
			return gs_diag_set(d, GS_EINVAL, "%d: <point hae>: out of range [-12000, 10000000] metres",
					   xml_line(p));
		*hae = (int32_t)h;
	}
	return 0;
}

/* The envelope every event has: attributes, then <point> and <detail>. */
struct envelope {
	const char *uid, *type;
	int64_t time, start, stale;
	const xmlNode *point, *detail;
};

static int read_envelope(const xmlNode *ev, struct envelope *e, struct gs_diag *d)
{
	static const char *const attrs[] = { "version", "uid", "type", "time", "start", "stale", "how",
					     "access", "qos", "opex", NULL };
	const xmlNode *kids[3];
	const char *version;
	int n, ret;

	memset(e, 0, sizeof(*e));
	if (!is_named(ev, "event"))
		return gs_diag_set(d, GS_EINVAL, "%d: <%s> is not a CoT <event> (in no namespace)", xml_line(ev),
				   (const char *)ev->name);
	if ((ret = xml_attrs_only(ev, attrs, NULL, d)))
		return ret;
	version = xml_attr(ev, "version");
	if (!version || strcmp(version, "2.0"))
		return gs_diag_set(d, GS_EINVAL, "%d: <event version> is not 2.0", xml_line(ev));
	e->uid = xml_attr(ev, "uid");
	e->type = xml_attr(ev, "type");
	if (!e->uid || !e->type || !xml_attr(ev, "how"))
		return gs_diag_set(d, GS_EINVAL, "%d: <event> needs uid, type and how", xml_line(ev));
	if ((ret = time_attr(ev, "time", &e->time, d)) || (ret = time_attr(ev, "start", &e->start, d)) ||
	    (ret = time_attr(ev, "stale", &e->stale, d)))
		return ret;
	if (e->stale <= e->time || e->stale <= e->start)
		return gs_diag_set(d, GS_EINVAL, "%d: <event stale> is not after its time and start", xml_line(ev));
	if ((ret = xml_children(ev, kids, 3, &n, true, d)))
		return ret;
	if (n < 1 || !is_named(kids[0], "point"))
		goto order;
	e->point = kids[0];
	if (n >= 2) {
		if (n > 2 || !is_named(kids[1], "detail"))
			goto order;
		e->detail = kids[1];
		if ((ret = xml_attrs_only(e->detail, NULL, NULL, d)))
			return ret;
	}
	return 0;
order:
	return gs_diag_set(d, GS_EINVAL, "%d: an <event> holds <point> and then <detail>, nothing else",
			   xml_line(n ? kids[n > 1 ? 1 : 0] : ev));
}

/* A child of <detail> named name (in no namespace), or NULL; refused if
 * there are two. */
static int detail_child(const xmlNode *detail, const char *name, const xmlNode **out, struct gs_diag *d)
{
	const xmlNode *k;

	*out = NULL;
	if (!detail)
		return 0;
	for (k = detail->children; k; k = k->next) {
		if (!is_named(k, name))
			continue;
		if (*out)
			return gs_diag_set(d, GS_EINVAL, "%d: a second <%s> in <detail>", xml_line(k), name);
		*out = k;
	}
	return 0;
}

static int read_trackpoint(const xmlNode *t, struct warning_track_point *p, struct gs_diag *d)
{
	static const char *const attrs[] = { "time", "lat", "lon", "hae", "speed", "course", NULL };
	int64_t course;
	int ret;

	if ((ret = xml_attrs_only(t, attrs, NULL, d)) || (ret = time_attr(t, "time", &p->time, d)) ||
	    (ret = num32_attr(t, "lat", WARNING_SCALE_DEG, -WARNING_LAT_MAX, WARNING_LAT_MAX, &p->lat, d)) ||
	    (ret = num32_attr(t, "lon", WARNING_SCALE_DEG, -WARNING_LON_MAX, WARNING_LON_MAX, &p->lon, d)) ||
	    (ret = num32_attr(t, "hae", WARNING_SCALE_TENTH, WARNING_ALT_MIN, WARNING_ALT_MAX, &p->alt, d)) ||
	    (ret = num32_attr(t, "speed", WARNING_SCALE_TENTH, 0, WARNING_SPEED_MAX, &p->speed, d)) ||
	    (ret = num_attr(t, "course", WARNING_SCALE_TENTH, 0, WARNING_COURSE_END, &course, d)))
		return ret;
	/* 359.96 rounds to 360.0, which is north again */
	p->course = (int32_t)(course % WARNING_COURSE_END);
	return 0;
}

/* <__gsomia_warning>: what CoT has no place for, and the track. */
static int read_gsomia(const xmlNode *g, struct warning *w, struct gs_diag *d)
{
	static const char *const attrs[] = { "version", "originator", "agreement", "topic", "classification",
					     "sensor_party", "sensor", "type", "confidence", NULL };
	const xmlNode *k;
	char type[32];
	int64_t v;
	int ret;

	if ((ret = xml_attrs_only(g, attrs, NULL, d)))
		return ret;
	if (!xml_attr(g, "version") || strcmp(xml_attr(g, "version"), "1"))
		return gs_diag_set(d, GS_EINVAL, "%d: <__gsomia_warning version> is not 1", xml_line(g));
	if ((ret = text_attr(g, "originator", w->originator, sizeof(w->originator), d)) ||
	    (ret = text_attr(g, "agreement", w->agreement, sizeof(w->agreement), d)) ||
	    (ret = text_attr(g, "topic", w->topic, sizeof(w->topic), d)) ||
	    (ret = text_attr(g, "classification", w->classification, sizeof(w->classification), d)) ||
	    (ret = text_attr(g, "sensor_party", w->sensor_party, sizeof(w->sensor_party), d)) ||
	    (ret = text_attr(g, "sensor", w->sensor, sizeof(w->sensor), d)) ||
	    (ret = text_attr(g, "type", type, sizeof(type), d)))
		return ret;
	if (warning_type_parse(type, &w->type))
		return gs_diag_set(d, GS_EINVAL, "%d: <__gsomia_warning type> '%s' is not a type of docs/warnings.md",
				   xml_line(g), type);
	/* a percentage is a whole number even in CoT */
	{
		const char *c = xml_attr(g, "confidence");

		if (!c)
			return gs_diag_set(d, GS_EINVAL, "%d: <__gsomia_warning> has no confidence", xml_line(g));
		if ((ret = warning_decimal_parse(c, strlen(c), 0, 0, 100, WARNING_DECIMAL_EXACT, &v, d)))
			return gs_diag_set(d, ret, "%d: <__gsomia_warning confidence> '%.20s' is not 0 to 100",
					   xml_line(g), c);
		w->confidence = (int)v;
	}
	w->ntrack = 0;
	for (k = g->children; k; k = k->next) {
		if (k->type == XML_COMMENT_NODE)
			continue;
		if (k->type == XML_TEXT_NODE) {
			const xmlChar *s;

			for (s = k->content; s && *s; s++)
				if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
					return gs_diag_set(d, GS_EINVAL, "%d: text is not allowed in <__gsomia_warning>",
							   xml_line(g));
			continue;
		}
		if (!is_named(k, "trackpoint"))
			return gs_diag_set(d, GS_EINVAL, "%d: <%s> is not allowed in <__gsomia_warning>", xml_line(k),
					   (const char *)k->name);
		if (w->ntrack >= WARNING_MAX_TRACK)
			return gs_diag_set(d, GS_ELIMIT, "%d: more than %d <trackpoint>s", xml_line(k), WARNING_MAX_TRACK);
		if ((ret = read_trackpoint(k, &w->track[w->ntrack], d)))
			return ret;
		w->ntrack++;
	}
	return 0;
}

static int read_launch(const xmlNode *ev, const struct warning *base, struct warning *w, struct gs_diag *d)
{
	struct envelope e;
	const xmlNode *g;
	int ret;

	if ((ret = read_envelope(ev, &e, d)))
		return ret;
	if (strncmp(e.type, "a-", 2) || strlen(e.type) < 5 || strncmp(e.type + 3, "-A", 2))
		return gs_diag_set(d, GS_EINVAL, "%d: <event type> '%.40s' is not an air track (a-?-A...): the first "
				   "event is the launch", xml_line(ev), e.type);
	if (strlen(e.uid) >= sizeof(w->id))
		return gs_diag_set(d, GS_ELIMIT, "%d: <event uid> is longer than %d bytes", xml_line(ev), GS_MAX_ID - 1);
	memcpy(w->id, e.uid, strlen(e.uid) + 1);
	w->detected = e.time;
	w->launch.time = e.start;
	if ((ret = read_point(e.point, &w->launch.lat, &w->launch.lon, &w->launch.alt, d)) ||
	    (ret = detail_child(e.detail, "__gsomia_warning", &g, d)))
		return ret;
	if (g)
		return read_gsomia(g, w, d);
	if (!base)
		return gs_diag_set(d, GS_EINVAL, "%d: the event has no <__gsomia_warning> in its <detail>: it does not "
				   "say its originator, agreement, topic and classification", xml_line(ev));
	memcpy(w->originator, base->originator, sizeof(w->originator));
	memcpy(w->agreement, base->agreement, sizeof(w->agreement));
	memcpy(w->topic, base->topic, sizeof(w->topic));
	memcpy(w->classification, base->classification, sizeof(w->classification));
	memcpy(w->sensor_party, base->sensor_party, sizeof(w->sensor_party));
	memcpy(w->sensor, base->sensor, sizeof(w->sensor));
	w->type = base->type;
	w->confidence = base->confidence;
	return 0;
}

static int read_impact(const xmlNode *ev, const struct warning *w, struct warning_impact *p, struct gs_diag *d)
{
	static const char *const link_attrs[] = { "uid", "type", "relation", NULL };
	static const char *const ellipse_attrs[] = { "major", "minor", "angle", NULL };
	const xmlNode *link, *shape, *ellipse, *gi, *kids[2];
	const char *uid, *rel;
	struct envelope e;
	int64_t angle;
	int n, ret;

	if ((ret = read_envelope(ev, &e, d)))
		return ret;
	if ((ret = read_point(e.point, &p->lat, &p->lon, NULL, d)) ||
	    (ret = detail_child(e.detail, "link", &link, d)) || (ret = detail_child(e.detail, "shape", &shape, d)) ||
	    (ret = detail_child(e.detail, "__gsomia_impact", &gi, d)))
		return ret;
	if (!link || !shape || !gi)
		return gs_diag_set(d, GS_EINVAL, "%d: an impact event needs <link>, <shape> and <__gsomia_impact> in its "
				   "<detail>", xml_line(ev));
	if ((ret = xml_attrs_only(link, link_attrs, NULL, d)))
		return ret;
	uid = xml_attr(link, "uid");
	rel = xml_attr(link, "relation");
	if (!uid || strcmp(uid, w->id) || !rel || strcmp(rel, "p-p"))
		return gs_diag_set(d, GS_EINVAL, "%d: <link> does not name the launch event '%s' as its parent (relation "
				   "p-p)", xml_line(link), w->id);
	if ((ret = xml_attrs_only(shape, NULL, NULL, d)) || (ret = xml_children(shape, kids, 2, &n, true, d)))
		return ret;
	if (n != 1 || !is_named(kids[0], "ellipse"))
		return gs_diag_set(d, GS_EINVAL, "%d: <shape> holds one <ellipse>", xml_line(shape));
	ellipse = kids[0];
	if ((ret = xml_attrs_only(ellipse, ellipse_attrs, NULL, d)) ||
	    (ret = num32_attr(ellipse, "major", WARNING_SCALE_TENTH, 1, WARNING_AXIS_MAX, &p->semi_major, d)) ||
	    (ret = num32_attr(ellipse, "minor", WARNING_SCALE_TENTH, 1, WARNING_AXIS_MAX, &p->semi_minor, d)) ||
	    (ret = num_attr(ellipse, "angle", WARNING_SCALE_TENTH, 0, 2 * WARNING_COURSE_END, &angle, d)))
		return ret;
	/* an ellipse turned half a circle is the same ellipse */
	p->orientation = (int32_t)(angle % WARNING_ORIENTATION_END);
	{
		static const char *const gi_attrs[] = { "time", NULL };

		if ((ret = xml_attrs_only(gi, gi_attrs, NULL, d)) || (ret = time_attr(gi, "time", &p->time, d)))
			return ret;
	}
	return 0;
}

/* The end of the next event in buf: just after its "</event>". */
static size_t event_end(const char *buf, size_t len)
{
	static const char tag[] = "</event>";
	size_t i;

	for (i = 0; i + sizeof(tag) - 1 <= len; i++)
		if (!memcmp(buf + i, tag, sizeof(tag) - 1))
			return i + sizeof(tag) - 1;
	return len;
}

static bool blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* "event N: " before the reader's "LINE:COL: what". */
static int in_event(int nevent, int err, struct gs_diag *d)
{
	char msg[GS_DIAG_MAX];

	if (!d)
		return err;
	snprintf(msg, sizeof(msg), "%s", d->msg);
	return gs_diag_set(d, err, "event %d: %.1000s", nevent, msg);
}

static int read_stream(const char *buf, size_t len, const struct warning *base, struct warning *w, struct gs_diag *d)
{
	size_t off = 0;
	int nevent = 0, ret;

	if (len > COT_MAX_XML)
		return gs_diag_set(d, GS_ELIMIT, "larger than %u bytes", COT_MAX_XML);
	while (off < len && !blank(buf + off, len - off)) {
		xmlDocPtr doc = NULL;
		const xmlNode *root;
		size_t end;

		/* the white space between two events */
		while (buf[off] == ' ' || buf[off] == '\t' || buf[off] == '\n' || buf[off] == '\r')
			off++;
		end = off + event_end(buf + off, len - off);

		nevent++;
		if (nevent > 1 + WARNING_MAX_IMPACTS)
			return gs_diag_set(d, GS_ELIMIT, "event %d: more than %d impact events", nevent, WARNING_MAX_IMPACTS);
		if ((ret = xml_parse(buf + off, end - off, COT_MAX_XML, &doc, d)))
			return in_event(nevent, ret, d);
		root = xmlDocGetRootElement(doc);
		if (nevent == 1) {
			ret = read_launch(root, base, w, d);
		} else {
			ret = read_impact(root, w, &w->impacts[w->nimpacts], d);
			if (!ret)
				w->nimpacts++;
		}
		xmlFreeDoc(doc);
		if (ret)
			return in_event(nevent, ret, d);
		off = end;
	}
	if (!nevent)
		return gs_diag_set(d, GS_EINVAL, "no CoT <event>");
	return warning_validate(w, d);
}

int cot_read(const char *buf, size_t len, const struct warning *base, struct warning *out, struct gs_diag *d)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = read_stream(buf, len, base, out, d);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* ---- writing ---- */

struct out {
	char *p;
	size_t cap, o;
	bool full;
};

static void raw(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->full || o->o + n >= o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->o, s, n);
	o->o += n;
	o->p[o->o] = '\0';
}

static void attr_text(struct out *o, const char *name, const char *v)
{
	raw(o, " ");
	raw(o, name);
	raw(o, "=\"");
	if (!o->full && !xml_escape(v, o->p, o->cap, &o->o))
		o->full = true;
	raw(o, "\"");
}

static void attr_num(struct out *o, const char *name, int64_t v, int scale)
{
	char t[WARNING_DECIMAL_STR];

	warning_decimal_format(v, scale, t);
	attr_text(o, name, t);
}

static void attr_time(struct out *o, const char *name, int64_t ms)
{
	char t[WARNING_TIME_STR];

	warning_time_format(ms, t);
	attr_text(o, name, t);
}

static void envelope_open(struct out *o, const char *uid, const char *type, int64_t time, int64_t start, int64_t stale)
{
	raw(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<event version=\"2.0\"");
	attr_text(o, "uid", uid);
	attr_text(o, "type", type);
	attr_time(o, "time", time);
	attr_time(o, "start", start);
	attr_time(o, "stale", stale);
	attr_text(o, "how", COT_HOW);
	raw(o, ">\n");
}

int cot_write(const struct warning *w, char *out, size_t cap, size_t *len)
{
	struct out o = { out, cap, 0, cap == 0 };
	int64_t last = w->detected, stale;
	char uid[GS_MAX_ID + 32];
	int i;

	if (cap)
		out[0] = '\0';
	if (w->ntrack > 0 && w->track[w->ntrack - 1].time > last)
		last = w->track[w->ntrack - 1].time;
	for (i = 0; i < w->nimpacts; i++)
		if (w->impacts[i].time > last)
			last = w->impacts[i].time;
	stale = last + COT_STALE_MS;

	envelope_open(&o, w->id, COT_MISSILE_TYPE, w->detected, w->launch.time, stale);
	raw(&o, "  <point");
	attr_num(&o, "lat", w->launch.lat, WARNING_SCALE_DEG);
	attr_num(&o, "lon", w->launch.lon, WARNING_SCALE_DEG);
	attr_num(&o, "hae", w->launch.alt, WARNING_SCALE_TENTH);
	raw(&o, " ce=\"" COT_UNKNOWN "\" le=\"" COT_UNKNOWN "\"/>\n  <detail>\n");
	if (w->ntrack > 0) {
		raw(&o, "    <track");
		attr_num(&o, "course", w->track[w->ntrack - 1].course, WARNING_SCALE_TENTH);
		attr_num(&o, "speed", w->track[w->ntrack - 1].speed, WARNING_SCALE_TENTH);
		raw(&o, "/>\n");
	}
	raw(&o, "    <__gsomia_warning version=\"1\"");
	attr_text(&o, "originator", w->originator);
	attr_text(&o, "agreement", w->agreement);
	attr_text(&o, "topic", w->topic);
	attr_text(&o, "classification", w->classification);
	attr_text(&o, "sensor_party", w->sensor_party);
	attr_text(&o, "sensor", w->sensor);
	attr_text(&o, "type", warning_type_name(w->type) ? warning_type_name(w->type) : "unknown");
	attr_num(&o, "confidence", w->confidence, 0);
	raw(&o, w->ntrack > 0 ? ">\n" : "/>\n");
	for (i = 0; i < w->ntrack && i < WARNING_MAX_TRACK; i++) {
		const struct warning_track_point *p = &w->track[i];

		raw(&o, "      <trackpoint");
		attr_time(&o, "time", p->time);
		attr_num(&o, "lat", p->lat, WARNING_SCALE_DEG);
		attr_num(&o, "lon", p->lon, WARNING_SCALE_DEG);
		attr_num(&o, "hae", p->alt, WARNING_SCALE_TENTH);
		attr_num(&o, "speed", p->speed, WARNING_SCALE_TENTH);
		attr_num(&o, "course", p->course, WARNING_SCALE_TENTH);
		raw(&o, "/>\n");
	}
	if (w->ntrack > 0)
		raw(&o, "    </__gsomia_warning>\n");
	raw(&o, "  </detail>\n</event>\n");

	for (i = 0; i < w->nimpacts && i < WARNING_MAX_IMPACTS; i++) {
		const struct warning_impact *p = &w->impacts[i];

		snprintf(uid, sizeof(uid), "%s.impact.%d", w->id, i + 1);
		envelope_open(&o, uid, COT_ELLIPSE_TYPE, w->detected, w->detected, stale);
		raw(&o, "  <point");
		attr_num(&o, "lat", p->lat, WARNING_SCALE_DEG);
		attr_num(&o, "lon", p->lon, WARNING_SCALE_DEG);
		raw(&o, " hae=\"" COT_UNKNOWN "\"");
		attr_num(&o, "ce", p->semi_major, WARNING_SCALE_TENTH);
		raw(&o, " le=\"" COT_UNKNOWN "\"/>\n  <detail>\n    <link");
		attr_text(&o, "uid", w->id);
		attr_text(&o, "type", COT_MISSILE_TYPE);
		raw(&o, " relation=\"p-p\"/>\n    <shape><ellipse");
		attr_num(&o, "major", p->semi_major, WARNING_SCALE_TENTH);
		attr_num(&o, "minor", p->semi_minor, WARNING_SCALE_TENTH);
		attr_num(&o, "angle", p->orientation, WARNING_SCALE_TENTH);
		raw(&o, "/></shape>\n    <__gsomia_impact");
		attr_time(&o, "time", p->time);
		raw(&o, "/>\n  </detail>\n</event>\n");
	}
	if (o.full)
		return GS_ELIMIT;
	*len = o.o;
	return 0;
}
