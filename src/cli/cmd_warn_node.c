/* SPDX-License-Identifier: Apache-2.0 */
/* 'gsomia warn' at a node: standing rules, publish, list, watch, listen
 * (docs/warnings.md "Commands"). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/warn.h"
#include "node/warnings.h"
#include "util/file.h"
#include "util/banned.h"

enum { O_TO = 256, O_FROM, O_UNDER, O_AGREEMENT, O_TOPIC, O_PURPOSE, O_AS, O_SINCE, O_ONCE, O_COT, O_CLASS,
       O_SENSOR, O_TYPE, O_CONF };

#define COMMON_OPTS                                              \
	{ "home", required_argument, NULL, 'H' },                \
	{ "passphrase-file", required_argument, NULL, 'P' },     \
	{ "json", no_argument, NULL, 'j' },                      \
	{ "help", no_argument, NULL, 'h' }

static int read_input(const char *path, size_t cap, char **buf, size_t *len, struct gs_diag *d)
{
	uint8_t *b;
	int ret = read_file(strcmp(path, "-") ? path : "/dev/stdin", cap, &b, len, d);

	if (!ret)
		*buf = (char *)b;
	return ret;
}

static int warn_help_out(void)
{
	static char w[] = "warn", h[] = "--help";
	char *args[] = { w, h, NULL };

	return cmd_warn(2, args);
}

/* ---- rule, relay ---- */

int warn_rule(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, O_TO },
		{ "from", required_argument, NULL, O_FROM },
		{ "under", required_argument, NULL, O_UNDER },
		{ "arrangement", required_argument, NULL, O_UNDER },
		{ "agreement", required_argument, NULL, O_AGREEMENT },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "purpose", required_argument, NULL, O_PURPOSE },
		COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *kind = !strcmp(argv[0], "rule") ? "publish" : "relay", *home = NULL, *passfile = NULL, *verb;
	struct warning_rule r = { .kind = kind };
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_TO: r.to = optarg; break;
		case O_FROM: r.from = optarg; break;
		case O_UNDER: r.under = optarg; break;
		case O_AGREEMENT: r.agreement = optarg; break;
		case O_TOPIC: r.topic = optarg; break;
		case O_PURPOSE: r.purpose = optarg; break;
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'h': return warn_help_out();
		default: return usage_error("warn", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("warn", "%s: give add, list or remove", argv[0]);
	verb = argv[optind++];
	if (!strcmp(verb, "list")) {
		json_t *all, *mine;

		if (optind != argc)
			return usage_error("warn", "%s list takes no argument", argv[0]);
		if ((ret = open_node_read(home, &n)))
			return ret;
		ret = node_warning_rules(n, &all, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		mine = json_incref(json_object_get(all, kind));
		json_decref(all);
		if (json) {
			print_json(mine);
			return EXIT_OK;
		}
		for (size_t i = 0; i < json_array_size(mine); i++) {
			json_t *o = json_array_get(mine, i);

			printf("%lld  %s -> %s  under %s  topic %s%s%s  purpose %s\n",
			       (long long)json_integer_value(json_object_get(o, "id")),
			       json_string_value(json_object_get(o, "from")), json_string_value(json_object_get(o, "to")),
			       json_string_value(json_object_get(o, "under")), json_string_value(json_object_get(o, "topic")),
			       json_string_value(json_object_get(o, "agreement"))[0] ? "  leg " : "",
			       json_string_value(json_object_get(o, "agreement")),
			       json_string_value(json_object_get(o, "purpose")));
		}
		if (!json_array_size(mine))
			printf("no %s rules\n", kind);
		json_decref(mine);
		return EXIT_OK;
	}
	if (!strcmp(verb, "remove")) {
		char *end;
		long long id;

		if (optind + 1 != argc)
			return usage_error("warn", "%s remove takes one ID", argv[0]);
		id = strtoll(argv[optind], &end, 10);
		if (*end || id <= 0)
			return usage_error("warn", "'%s' is not a rule id", argv[optind]);
		if ((ret = open_node(home, &n)))
			return ret;
		ret = node_warning_rule_remove(n, id, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		printf("%s rule %lld removed\n", kind, id);
		return EXIT_OK;
	}
	if (strcmp(verb, "add"))
		return usage_error("warn", "%s: unknown verb '%s' (add, list, remove)", argv[0], verb);
	if (optind != argc)
		return usage_error("warn", "%s add takes options only", argv[0]);
	if (!r.to || !r.under || !r.topic)
		return usage_error("warn", "%s add needs --to, %s and --topic", argv[0],
				   strcmp(kind, "relay") ? "--under" : "--arrangement");
	if (!strcmp(kind, "relay") && !r.from)
		return usage_error("warn", "relay add needs --from, the originator it relays for");
	if ((ret = open_node(home, &n)))
		return ret;
	{
		int64_t id = 0;

		(void)passfile;
		ret = node_warning_rule_add(n, &r, &id, &d);
		node_close(n);
		if (ret)
			return fail(ret, &d);
		if (json)
			print_json(json_pack("{s:I,s:s}", "id", (json_int_t)id, "kind", kind));
		else
			printf("%s rule %lld: %s -> %s under %s, topic %s\n", kind, (long long)id, r.from ? r.from : "this node",
			       r.to, r.under, r.topic);
	}
	return EXIT_OK;
}

/* ---- publish ---- */

static void print_published(json_t *o)
{
	json_t *p = json_object_get(o, "published"), *r = json_object_get(o, "refused");

	for (size_t i = 0; i < json_array_size(p); i++) {
		json_t *e = json_array_get(p, i);

		printf("warning %s released to %s under %s: item %s, marked %s there\n",
		       json_string_value(json_object_get(o, "warning")), json_string_value(json_object_get(e, "to")),
		       json_string_value(json_object_get(e, "agreement")), json_string_value(json_object_get(e, "item")),
		       json_string_value(json_object_get(e, "banner_recipient")));
	}
	for (size_t i = 0; i < json_array_size(r); i++) {
		json_t *e = json_array_get(r, i);

		printf("not to %s: %s [%s]\n", json_string_value(json_object_get(e, "to")),
		       json_string_value(json_object_get(e, "reason")), json_string_value(json_object_get(e, "rule")));
	}
}

int warn_publish(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, { NULL, 0, NULL, 0 } };
	const char *home = NULL, *passfile = NULL;
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	json_t *out = NULL;
	char *buf = NULL;
	size_t len;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'h': return warn_help_out();
		default: return usage_error("warn", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("warn", "publish takes one FILE (or - for standard input)");
	if ((ret = read_input(argv[optind], WARNING_MAX_JSON, &buf, &len, &d))) {
		gs_diag_prefix(&d, "%s", argv[optind]);
		return fail(ret, &d);
	}
	if ((ret = open_node_unlocked(home, passfile, &n))) {
		free(buf);
		return ret;
	}
	ret = node_warning_publish(n, buf, len, NULL, &out, &d);
	node_close(n);
	free(buf);
	if (ret == GS_EDENIED && out) {
		if (json)
			print_json(json_incref(out));
		else
			print_published(out);
	}
	if (ret) {
		json_decref(out);
		gs_diag_prefix(&d, "%s", argv[optind]);
		return fail(ret, &d);
	}
	if (json)
		print_json(out);
	else {
		print_published(out);
		json_decref(out);
	}
	return EXIT_OK;
}

/* ---- list, watch ---- */

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static double jnum(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* A record as a person reads it on a terminal. */
static void print_record(json_t *r)
{
	json_t *w = json_object_get(r, "warning"), *l = json_object_get(w, "launch"), *imp = json_object_get(w, "impacts");
	json_t *chain = json_object_get(r, "chain"), *hops = json_object_get(r, "hops");

	if (!strcmp(js(r, "kind"), "relay-refusal")) {
		printf("#%lld RELAY REFUSED: %s's warning %s, by %s to %s: %s [%s]\n",
		       (long long)json_integer_value(json_object_get(r, "seq")), js(r, "originator"), js(r, "warning"),
		       js(r, "hub"), js(r, "to"), js(r, "reason"), js(r, "rule"));
		return;
	}
	printf("==== %s%s ====\n", json_is_true(json_object_get(r, "exercise")) ? "EXERCISE " : "",
	       js(r, "banner_recipient")[0] ? js(r, "banner_recipient") : js(r, "banner_originator"));
	printf("#%lld WARNING %s: %s, confidence %d%%, detected %s by %s (%s)\n",
	       (long long)json_integer_value(json_object_get(r, "seq")), js(w, "id"), js(w, "type"),
	       (int)json_integer_value(json_object_get(w, "confidence")), js(w, "detected"),
	       js(json_object_get(w, "sensor"), "party"), js(json_object_get(w, "sensor"), "name"));
	printf("  launch %.4f %.4f at %s; %zu track points\n", jnum(l, "lat"), jnum(l, "lon"), js(l, "time"),
	       json_array_size(json_object_get(w, "track")));
	for (size_t i = 0; i < json_array_size(imp); i++) {
		json_t *p = json_array_get(imp, i), *e = json_object_get(p, "ellipse");

		printf("  impact %.4f %.4f at %s, ellipse %.0f x %.0f m at %.1f deg\n", jnum(p, "lat"), jnum(p, "lon"),
		       js(p, "time"), jnum(e, "semi_major"), jnum(e, "semi_minor"), jnum(e, "orientation"));
	}
	printf("  chain");
	for (size_t i = 0; i < json_array_size(chain); i++) {
		json_t *h = json_array_get(chain, i);

		printf("%s%s", i ? " -> " : " ", js(h, "party"));
		if (i > 0 && i - 1 < json_array_size(hops))
			printf(" (%lld ms)", (long long)json_integer_value(json_object_get(json_array_get(hops, i - 1), "ms")));
	}
	printf("; originator's classification %s\n", js(r, "banner_originator"));
	for (size_t i = 0; i < json_array_size(json_object_get(r, "relays")); i++) {
		json_t *x = json_array_get(json_object_get(r, "relays"), i);

		printf("  relay to %s: %s%s%s\n", js(x, "to"), js(x, "outcome"), js(x, "reason")[0] ? ": " : "",
		       js(x, "reason"));
	}
}

/* A record's warning as CoT events. */
static int print_cot(json_t *r)
{
	static struct warning w;
	static char out[NODE_COT_MAX_OUT];
	char *text;
	size_t len;
	int ret;

	if (strcmp(js(r, "kind"), "warning"))
		return 0;
	text = json_dumps(json_object_get(r, "warning"), JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!text)
		return GS_ENOMEM;
	ret = warning_json_parse(text, strlen(text), &w, NULL);
	free(text);
	if (!ret)
		ret = node_warning_to_cot(&w, out, sizeof(out), &len);
	if (!ret)
		fwrite(out, 1, len, stdout);
	return ret;
}

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

int warn_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, O_AS },
		{ "since", required_argument, NULL, O_SINCE },
		{ "once", no_argument, NULL, O_ONCE },
		{ "cot", no_argument, NULL, O_COT },
		COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *as = NULL, *since_arg = NULL;
	bool json = false, cot = false, once = !strcmp(argv[0], "list");
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	json_t *all = NULL;
	int64_t after = 0, next;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_AS: as = optarg; break;
		case O_SINCE: since_arg = optarg; break;
		case O_ONCE: once = true; break;
		case O_COT: cot = true; break;
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': json = true; break;
		case 'h': return warn_help_out();
		default: return usage_error("warn", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("warn", "%s takes options only", argv[0]);
	if (!as)
		return usage_error("warn", "%s needs --as PERSON: what is shown is what that person may open", argv[0]);
	if (json && cot)
		return usage_error("warn", "--json or --cot, not both");
	if (since_arg) {
		char *end;

		after = strtoll(since_arg, &end, 10);
		if (*end || after < 0)
			return usage_error("warn", "--since takes a record number (0: all)");
	}
	if ((ret = open_node_unlocked(home, passfile, &n)))
		return ret;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGPIPE, SIG_IGN);
	all = json_array();
	for (;;) {
		json_t *recs = NULL;

		ret = node_warnings_for(n, as, after, 256, true, &recs, &next, &d);
		if (ret)
			break;
		if (json && !strcmp(argv[0], "list")) {
			/* list --json: one array of everything, printed at the end */
			json_array_extend(all, recs);
			json_decref(recs);
			recs = NULL;
		}
		for (size_t i = 0; i < json_array_size(recs); i++) {
			json_t *r = json_array_get(recs, i);

			if (json) {
				char *s = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));

				if (s)
					puts(s);
				free(s);
			} else if (cot) {
				ret = print_cot(r);
			} else {
				print_record(r);
			}
		}
		json_decref(recs);
		fflush(stdout);
		if (ret || ferror(stdout))
			break;
		if (next > after) {
			after = next;
			continue; /* more may be there already */
		}
		if (once || watch_stop)
			break;
		/* another process records them: ask again shortly */
		usleep(50 * 1000);
		if (watch_stop)
			break;
	}
	node_close(n);
	if (ret) {
		json_decref(all);
		return fail(ret, &d);
	}
	if (json && !strcmp(argv[0], "list"))
		print_json(all);
	else
		json_decref(all);
	return EXIT_OK;
}

/* ---- listen: CoT from a local sensor feed ---- */

/* The end of the first complete <event>...</event> in buf[0, len), or 0. */
static size_t event_end(const char *buf, size_t len)
{
	static const char tail[] = "</event>";
	const char *p = memmem(buf, len, tail, sizeof(tail) - 1);

	return p ? (size_t)(p - buf) + sizeof(tail) - 1 : 0;
}

/* Whether the event at buf is an impact event (it links to its launch). */
static bool is_impact(const char *buf, size_t len)
{
	return memmem(buf, len, "type=\"u-d-c-e\"", 14) != NULL;
}

struct listen_ctx {
	struct node *n;
	struct warning base;
	bool json;
};

/* Publishes the events in buf[0, len): one launch and its impacts. */
static void publish_events(struct listen_ctx *lc, const char *buf, size_t len)
{
	static struct warning w;
	static char canon[WARNING_MAX_CANONICAL];
	struct gs_diag d = { { 0 } };
	json_t *out = NULL;
	size_t clen;
	int ret;

	if ((ret = node_warning_from_cot(buf, len, &lc->base, &w, &d)) == 0 &&
	    (ret = warning_json_write(&w, canon, sizeof(canon), &clen)) == 0)
		ret = node_warning_publish(lc->n, canon, clen, NULL, &out, &d);
	if (ret) {
		fprintf(stderr, "gsomia: warn listen: %s\n", d.msg[0] ? d.msg : gs_strerror(ret));
	} else if (lc->json) {
		char *s = json_dumps(out, JSON_COMPACT);

		if (s)
			puts(s);
		free(s);
	} else {
		print_published(out);
	}
	fflush(stdout);
	json_decref(out);
}

/* One sensor connection: events are cut after each </event>; a launch
 * event and the impact events that follow it at once are one warning,
 * published when the next launch begins, the feed pauses (20 ms) or the
 * connection ends. */
static void listen_conn(struct listen_ctx *lc, int fd)
{
	char *buf = malloc(NODE_COT_MAX_XML);
	size_t len = 0, start = 0, upto = 0;

	if (!buf)
		return;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, upto > start ? 20 : 1000);
		ssize_t k = 0;

		if (r > 0) {
			k = read(fd, buf + len, NODE_COT_MAX_XML - len);
			if (k <= 0)
				break;
			len += (size_t)k;
		}
		/* whole events from upto on */
		for (;;) {
			size_t e = event_end(buf + upto, len - upto);

			if (!e)
				break;
			if (upto > start && !is_impact(buf + upto, e)) {
				publish_events(lc, buf + start, upto - start);
				start = upto;
			}
			upto += e;
		}
		if (r == 0 && upto > start) {
			publish_events(lc, buf + start, upto - start);
			start = upto;
		}
		if (start == len) {
			len = start = upto = 0;
		} else if (len == NODE_COT_MAX_XML) {
			fprintf(stderr, "gsomia: warn listen: an event longer than %u bytes: connection closed\n",
				NODE_COT_MAX_XML);
			break;
		}
		if (watch_stop)
			break;
	}
	if (upto > start)
		publish_events(lc, buf + start, upto - start);
	for (size_t i = upto; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t') {
			fprintf(stderr, "gsomia: warn listen: the feed closed in the middle of an event (%zu bytes "
				"dropped)\n", len - upto);
			break;
		}
	free(buf);
}

int warn_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cot", required_argument, NULL, O_COT },
		{ "under", required_argument, NULL, O_UNDER },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "classification", required_argument, NULL, O_CLASS },
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ "type", required_argument, NULL, O_TYPE },
		{ "confidence", required_argument, NULL, O_CONF },
		COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL, *addr = NULL, *under = NULL, *topic = NULL, *cls = NULL;
	const char *sensor = "local sensor feed", *type = "unknown", *conf = "50";
	static struct listen_ctx lc;
	struct sockaddr_in sa;
	char host[64], *colon, *end;
	long port, confidence;
	int c, ret, s, one = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_COT: addr = optarg; break;
		case O_UNDER: under = optarg; break;
		case O_TOPIC: topic = optarg; break;
		case O_CLASS: cls = optarg; break;
		case O_SENSOR: sensor = optarg; break;
		case O_TYPE: type = optarg; break;
		case O_CONF: conf = optarg; break;
		case 'H': home = optarg; break;
		case 'P': passfile = optarg; break;
		case 'j': lc.json = true; break;
		case 'h': return warn_help_out();
		default: return usage_error("warn", "unknown option");
		}
	}
	if (optind != argc || !addr || !under || !topic || !cls)
		return usage_error("warn", "listen needs --cot 127.0.0.1:PORT, --under ID, --topic T and --classification L");
	colon = strrchr(addr, ':');
	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		return usage_error("warn", "--cot takes HOST:PORT (a loopback address)");
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = 0;
	port = strtol(colon + 1, &end, 10);
	confidence = strtol(conf, &end, 10);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127)
		return usage_error("warn", "--cot takes a loopback address and a port (127.0.0.1:8087): a sensor feed is local");
	if (*end || confidence < 0 || confidence > 100)
		return usage_error("warn", "--confidence takes 0 to 100");
	/* what a sensor's own events do not say */
	memset(&lc.base, 0, sizeof(lc.base));
	snprintf(lc.base.agreement, sizeof(lc.base.agreement), "%s", under);
	snprintf(lc.base.topic, sizeof(lc.base.topic), "%s", topic);
	snprintf(lc.base.classification, sizeof(lc.base.classification), "%s", cls);
	snprintf(lc.base.sensor, sizeof(lc.base.sensor), "%s", sensor);
	if (warning_type_parse(type, &lc.base.type))
		return usage_error("warn", "--type: unknown type '%s'", type);
	lc.base.confidence = (int)confidence;
	if ((ret = open_node_unlocked(home, passfile, &lc.n)))
		return ret;
	snprintf(lc.base.originator, sizeof(lc.base.originator), "%s", node_self(lc.n)->code);
	snprintf(lc.base.sensor_party, sizeof(lc.base.sensor_party), "%s", node_self(lc.n)->code);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 8) != 0) {
		ret = failf(GS_EIO, "warn listen: %s: %s", addr, strerror(errno));
		if (s >= 0)
			close(s);
		node_close(lc.n);
		return ret;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	fprintf(stderr, "gsomia: listening for CoT events on %s\n", addr);
	while (!watch_stop) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 500) <= 0)
			continue;
		fd = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		listen_conn(&lc, fd);
		close(fd);
	}
	close(s);
	node_close(lc.n);
	return EXIT_OK;
}
