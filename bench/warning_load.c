/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client side of bench_warning (bench/bench_warning.sh): publishes
 * warnings at one node's local API and reads them back from another node's
 * warning stream, with libcurl multi in one thread, so that the time from
 * publish to arrival is read on one clock. Also the two floors printed
 * beside the figures: an HTTPS round trip over mutual TLS, and a 1 KiB
 * write made durable by fdatasync.
 *
 *   warning_load sync DIR COUNT
 *   warning_load rtt URL CERT KEY COUNT
 *   warning_load run --publish URL --token T --stream URL --stream-token T
 *                    --template FILE --prefix P [--rate R] [--secs S]
 *                    [--conns C] [--warmup N] [--drain S] [--ids FILE]
 *
 * Each prints `name value` lines for the script to read. `run` publishes
 * copies of the template (a canonical warning) whose id is replaced by
 * P-0000001, P-0000002...: paced at R a second, or with R 0 as fast as C
 * connections take them, for S seconds, after N warm-up warnings that must
 * all arrive first (the stream is then surely live, the connections
 * made). It then waits until every accepted warning has arrived, or none
 * has for the drain time. Latency is from just before the POST is handed
 * to libcurl to the moment the record's bytes are read from the stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util/banned.h"

#define TEMPLATE_ID "KOR-20231218-0824"
#define MAX_CONNS 64
#define NSTAGES 7

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long number(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "warning_load: %s: '%s' is not a number in [%ld, %ld]\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of them at or below. */
static double pct(double *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return NAN;
	k = (size_t)ceil(p * (double)n);
	return v[k ? k - 1 : 0];
}

static void print_dist(const char *name, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s_n %zu\n", name, n);
	printf("%s_p50 %.2f\n%s_p90 %.2f\n%s_p99 %.2f\n%s_max %.2f\n", name, pct(v, n, 0.5), name,
	       pct(v, n, 0.9), name, pct(v, n, 0.99), name, n ? v[n - 1] : NAN);
}

/* ---- floor: a 1 KiB write made durable ---- */

static int cmd_sync(const char *dir, long count)
{
	char path[4096], buf[1024];
	double *v = calloc((size_t)count, sizeof(*v));
	long i;
	int fd;

	snprintf(path, sizeof(path), "%s/fdatasync.probe", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!v || fd < 0) {
		fprintf(stderr, "warning_load: %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < count; i++) {
		double t = mono_ms();

		/* appended, as a WAL grows */
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || fdatasync(fd)) {
			fprintf(stderr, "warning_load: %s: %s\n", path, strerror(errno));
			return 1;
		}
		v[i] = mono_ms() - t;
	}
	close(fd);
	unlink(path);
	print_dist("sync", v, (size_t)count);
	free(v);
	return 0;
}

/* ---- floor: an HTTPS round trip over mutual TLS, keep-alive ---- */

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

static int cmd_rtt(const char *url, const char *cert, const char *key, long count)
{
	CURL *c = curl_easy_init();
	double *v = calloc((size_t)count, sizeof(*v));
	long i, code = 0;

	if (!c || !v)
		return 1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
	curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	/* the first call makes the connection; the round trips reuse it */
	for (i = -1; i < count; i++) {
		double t = mono_ms();
		CURLcode rc = curl_easy_perform(c);

		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (rc != CURLE_OK || code != 200) {
			fprintf(stderr, "warning_load: %s: %s (HTTP %ld)\n", url, curl_easy_strerror(rc), code);
			return 1;
		}
		if (i >= 0)
			v[i] = mono_ms() - t;
	}
	print_dist("rtt", v, (size_t)count);
	curl_easy_cleanup(c);
	free(v);
	return 0;
}

/* ---- run: publish and read back ---- */

/* One warning, from publish to arrival. */
struct sample {
	double sent_mono, sent_real; /* just before the POST went to libcurl */
	double acked_mono;           /* its 200 read */
	double arrived_mono;         /* its record read from the stream */
	int state;                   /* 0 not sent, 1 in flight, 2 accepted, 3 refused */
	int arrivals;                /* records of it read (1 is right) */
	/* from the record: instants on the nodes' clocks, ms since the epoch */
	double kor_sent, usa_received, usa_sent, jpn_received;
	double hop1, hop2; /* the record's hops[].ms */
};

struct publisher {
	CURL *c;
	struct curl_slist *h;
	char *body;
	size_t idx;
	char reply[512];
	size_t reply_len;
	bool busy;
};

struct run {
	const char *prefix;
	char *tmpl_head, *tmpl_tail;
	struct sample *s;
	size_t cap, sent, accepted, refused, arrived, foreign, dups, bad_records;
	char first_error[600];
	/* the stream */
	CURL *stream;
	struct curl_slist *stream_h;
	char *buf;
	size_t len, bufcap;
	bool stream_ok, stream_ended;
	double last_arrival;
	size_t relay_refusals;
};

static int idx_of(const struct run *r, const char *id, size_t *idx)
{
	size_t pl = strlen(r->prefix);
	char *end;
	unsigned long v;

	if (strncmp(id, r->prefix, pl) || id[pl] != '-')
		return -1;
	errno = 0;
	v = strtoul(id + pl + 1, &end, 10);
	if (errno || *end || v < 1 || v > r->cap)
		return -1;
	*idx = v - 1;
	return 0;
}

/* "2023-12-17T23:24:43.211Z" as ms since the epoch; NAN if not that. */
static double instant_ms(const json_t *j)
{
	const char *s = json_string_value(j);
	struct tm tm = { 0 };
	int ms = 0, n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &n) != 7 ||
	    s[n])
		return NAN;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) * 1e3 + ms;
}

static void take_record(struct run *r, const char *data, double now)
{
	json_error_t err;
	json_t *rec = json_loads(data, 0, &err), *w, *chain, *hops, *e;
	struct sample *s;
	size_t idx, i;
	const char *id;

	w = json_object_get(rec, "warning");
	id = json_string_value(json_object_get(w, "id"));
	if (!id) {
		r->bad_records++;
		json_decref(rec);
		return;
	}
	if (idx_of(r, id, &idx) || idx >= r->sent) {
		r->foreign++;
		json_decref(rec);
		return;
	}
	s = &r->s[idx];
	if (s->arrivals++) {
		r->dups++;
		json_decref(rec);
		return;
	}
	s->arrived_mono = now;
	r->arrived++;
	r->last_arrival = now;
	s->kor_sent = s->usa_received = s->usa_sent = s->jpn_received = NAN;
	s->hop1 = s->hop2 = NAN;
	chain = json_object_get(rec, "chain");
	json_array_foreach(chain, i, e) {
		const char *p = json_string_value(json_object_get(e, "party"));

		if (!p)
			continue;
		if (i == 0)
			s->kor_sent = instant_ms(json_object_get(e, "sent"));
		else if (i == 1) {
			s->usa_received = instant_ms(json_object_get(e, "received"));
			s->usa_sent = instant_ms(json_object_get(e, "sent"));
		} else if (i == 2)
			s->jpn_received = instant_ms(json_object_get(e, "received"));
	}
	hops = json_object_get(rec, "hops");
	json_array_foreach(hops, i, e) {
		double ms = json_number_value(json_object_get(e, "ms"));

		if (i == 0)
			s->hop1 = ms;
		else if (i == 1)
			s->hop2 = ms;
	}
	json_decref(rec);
}

/* One event of the stream: `event: NAME` and `data: ...` lines. */
static void take_event(struct run *r, char *ev, double now)
{
	char *line = ev, *next, *event = NULL, *data = NULL;

	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "event:", 6))
			event = line + 6 + (line[6] == ' ');
		else if (!strncmp(line, "data:", 5))
			data = line + 5 + (line[5] == ' ');
	}
	if (!data)
		return; /* a comment (keepalive) */
	if (event && !strcmp(event, "relay-refusal"))
		r->relay_refusals++;
	else if (!event || !strcmp(event, "warning"))
		take_record(r, data, now);
}

static size_t on_stream(char *p, size_t size, size_t n, void *u)
{
	struct run *r = u;
	double now = mono_ms();
	size_t len = size * n, start = 0, i;

	if (r->len + len + 1 > r->bufcap) {
		size_t cap = (r->len + len + 1) * 2;
		char *b = realloc(r->buf, cap);

		if (!b)
			return 0;
		r->buf = b;
		r->bufcap = cap;
	}
	memcpy(r->buf + r->len, p, len);
	r->len += len;
	r->buf[r->len] = '\0';
	for (i = 0; i + 1 < r->len; i++)
		if (r->buf[i] == '\n' && r->buf[i + 1] == '\n') {
			r->buf[i] = '\0';
			take_event(r, r->buf + start, now);
			start = i + 2;
			i++;
		}
	memmove(r->buf, r->buf + start, r->len - start);
	r->len -= start;
	return len;
}

static size_t on_stream_header(char *p, size_t size, size_t n, void *u)
{
	struct run *r = u;

	if (size * n > 12 && !strncmp(p, "HTTP/", 5) && strstr(p, " 200"))
		r->stream_ok = true;
	return size * n;
}

static size_t on_reply(char *p, size_t size, size_t n, void *u)
{
	struct publisher *pb = u;
	size_t len = size * n, room = sizeof(pb->reply) - 1 - pb->reply_len;

	if (len < room)
		room = len;
	memcpy(pb->reply + pb->reply_len, p, room);
	pb->reply_len += room;
	pb->reply[pb->reply_len] = '\0';
	return len;
}

static int publish(CURLM *m, struct run *r, struct publisher *pb)
{
	size_t idx = r->sent;
	struct sample *s;
	int len;

	if (idx >= r->cap)
		return -1;
	free(pb->body);
	len = asprintf(&pb->body, "%s%s-%07zu%s", r->tmpl_head, r->prefix, idx + 1, r->tmpl_tail);
	if (len < 0)
		return -1;
	curl_easy_setopt(pb->c, CURLOPT_POSTFIELDS, pb->body);
	curl_easy_setopt(pb->c, CURLOPT_POSTFIELDSIZE, (long)len);
	pb->idx = idx;
	pb->reply_len = 0;
	pb->busy = true;
	s = &r->s[idx];
	s->state = 1;
	s->sent_real = real_ms();
	s->sent_mono = mono_ms();
	r->sent++;
	curl_multi_add_handle(m, pb->c);
	return 0;
}

static void settle(CURLM *m, struct run *r, struct publisher *pubs, int conns)
{
	CURLMsg *msg;
	int left, i;

	while ((msg = curl_multi_info_read(m, &left))) {
		struct publisher *pb = NULL;
		long code = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		if (msg->easy_handle == r->stream) {
			r->stream_ended = true;
			if (!r->first_error[0])
				snprintf(r->first_error, sizeof(r->first_error), "the stream ended: %s",
					 curl_easy_strerror(msg->data.result));
			continue;
		}
		for (i = 0; i < conns; i++)
			if (pubs[i].c == msg->easy_handle)
				pb = &pubs[i];
		if (!pb)
			continue;
		curl_easy_getinfo(pb->c, CURLINFO_RESPONSE_CODE, &code);
		curl_multi_remove_handle(m, pb->c);
		pb->busy = false;
		r->s[pb->idx].acked_mono = mono_ms();
		if (msg->data.result == CURLE_OK && code == 200) {
			r->s[pb->idx].state = 2;
			r->accepted++;
		} else {
			r->s[pb->idx].state = 3;
			r->refused++;
			if (!r->first_error[0])
				snprintf(r->first_error, sizeof(r->first_error), "HTTP %ld %s: %s", code,
					 curl_easy_strerror(msg->data.result), pb->reply);
		}
	}
}

static int read_template(struct run *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *t, *at;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return -1;
	t = calloc(1, (size_t)len + 1);
	if (!t || fread(t, 1, (size_t)len, f) != (size_t)len)
		return -1;
	fclose(f);
	at = strstr(t, "\"" TEMPLATE_ID "\"");
	if (!at)
		return -1;
	at[1] = '\0';
	r->tmpl_head = t;
	r->tmpl_tail = at + 1 + strlen(TEMPLATE_ID);
	return 0;
}

struct run_opts {
	const char *publish, *token, *stream, *stream_token, *tmpl, *ids;
	long rate, secs, conns, warmup, drain;
};

static void setup_publisher(struct publisher *pb, const struct run_opts *o, const char *url)
{
	char auth[600];

	pb->c = curl_easy_init();
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->token);
	pb->h = curl_slist_append(pb->h, auth);
	pb->h = curl_slist_append(pb->h, "Content-Type: application/json");
	pb->h = curl_slist_append(pb->h, "Expect:"); /* no 100-continue round trip */
	curl_easy_setopt(pb->c, CURLOPT_URL, url);
	curl_easy_setopt(pb->c, CURLOPT_HTTPHEADER, pb->h);
	curl_easy_setopt(pb->c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(pb->c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(pb->c, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(pb->c, CURLOPT_WRITEDATA, pb);
	curl_easy_setopt(pb->c, CURLOPT_TIMEOUT, 60L);
}

/* Publishes until the index or the instant: paced (`rate` > 0, from t0)
 * or as fast as the connections free up. */
static void drive(CURLM *m, struct run *r, struct publisher *pubs, int conns, long rate, double t0,
		  size_t until_idx, double until_ms, double *late_max)
{
	size_t first = r->sent;

	for (;;) {
		double now = mono_ms(), wait;
		int running, i, free_slot = -1;

		if (r->stream_ended)
			return;
		if (r->sent >= until_idx || now >= until_ms)
			return;
		for (i = 0; i < conns; i++)
			if (!pubs[i].busy) {
				free_slot = i;
				break;
			}
		wait = 100;
		if (free_slot >= 0) {
			/* paced: the k-th of this phase is due at t0 + k / rate */
			double due = rate > 0 ? t0 + (double)(r->sent - first) * 1e3 / (double)rate : now;

			if (due <= now) {
				if (now - due > *late_max)
					*late_max = now - due;
				if (publish(m, r, &pubs[free_slot]))
					return;
				continue;
			}
			wait = due - now;
		}
		curl_multi_perform(m, &running);
		settle(m, r, pubs, conns);
		curl_multi_poll(m, NULL, 0, wait < 1 ? 1 : (int)wait, NULL);
		curl_multi_perform(m, &running);
		settle(m, r, pubs, conns);
	}
}

/* Runs the transfers until every publisher is idle and every accepted
 * warning has arrived, or nothing has arrived for `drain` seconds. */
static void finish(CURLM *m, struct run *r, struct publisher *pubs, int conns, long drain)
{
	double quiet_since = mono_ms();
	size_t seen = r->arrived;

	for (;;) {
		int running, i, busy = 0;

		curl_multi_perform(m, &running);
		settle(m, r, pubs, conns);
		for (i = 0; i < conns; i++)
			busy += pubs[i].busy;
		if (!busy && r->arrived >= r->accepted)
			return;
		if (r->stream_ended)
			return;
		if (r->arrived != seen) {
			seen = r->arrived;
			quiet_since = mono_ms();
		} else if (mono_ms() - quiet_since > (double)drain * 1e3 && !busy)
			return;
		curl_multi_poll(m, NULL, 0, 50, NULL);
	}
}

static int cmd_run(const struct run_opts *o, const char *prefix)
{
	struct run r = { 0 };
	struct publisher pubs[MAX_CONNS] = { 0 };
	CURLM *m = curl_multi_init();
	char url[1024], auth[600];
	int conns = (int)o->conns, running, i;
	double t0, t_end_pub, cpu0, late_max = 0;
	size_t first, n, k, lost = 0, refused_measured;
	double *lat, *ack, *st[NSTAGES];
	size_t nl = 0, na = 0, ns[NSTAGES] = { 0 };
	/* publish -> KOR sent -> USA received -> USA sent -> JPN received -> read */
	const char *stname[NSTAGES] = { "at_kor", "kor_usa", "at_usa", "usa_jpn", "to_reader", "hop1", "hop2" };

	r.prefix = prefix;
	r.cap = (size_t)o->warmup + (size_t)(o->rate > 0 ? o->rate * o->secs + 16 : 10000 * o->secs + 16);
	r.s = calloc(r.cap, sizeof(*r.s));
	if (!m || !r.s || read_template(&r, o->tmpl)) {
		fprintf(stderr, "warning_load: %s: not a warning with the id " TEMPLATE_ID "\n", o->tmpl);
		return 1;
	}
	/* the stream, as the cleared reader at the far end */
	r.stream = curl_easy_init();
	snprintf(url, sizeof(url), "%s/v1/local/warnings/stream", o->stream);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->stream_token);
	r.stream_h = curl_slist_append(NULL, auth);
	r.stream_h = curl_slist_append(r.stream_h, "Accept: text/event-stream");
	curl_easy_setopt(r.stream, CURLOPT_URL, url);
	curl_easy_setopt(r.stream, CURLOPT_HTTPHEADER, r.stream_h);
	curl_easy_setopt(r.stream, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(r.stream, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(r.stream, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(r.stream, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(r.stream, CURLOPT_HEADERFUNCTION, on_stream_header);
	curl_easy_setopt(r.stream, CURLOPT_HEADERDATA, &r);
	curl_multi_add_handle(m, r.stream);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conns + 4);
	snprintf(url, sizeof(url), "%s/v1/local/warnings", o->publish);
	for (i = 0; i < conns; i++)
		setup_publisher(&pubs[i], o, url);
	for (t0 = mono_ms(); !r.stream_ok && !r.stream_ended && mono_ms() - t0 < 10e3;) {
		curl_multi_perform(m, &running);
		settle(m, &r, pubs, conns);
		curl_multi_poll(m, NULL, 0, 20, NULL);
	}
	if (!r.stream_ok) {
		fprintf(stderr, "warning_load: the stream %s/v1/local/warnings/stream did not answer 200\n",
			o->stream);
		return 1;
	}
	/* warm-up: one at a time-ish, every one must arrive */
	drive(m, &r, pubs, conns < 4 ? conns : 4, 50, mono_ms(), (size_t)o->warmup, 1e300, &late_max);
	finish(m, &r, pubs, conns, o->drain);
	if (r.accepted != (size_t)o->warmup || r.arrived != r.accepted) {
		fprintf(stderr, "warning_load: warm-up: %zu sent, %zu accepted, %zu arrived%s%s\n", r.sent,
			r.accepted, r.arrived, r.first_error[0] ? ": " : "", r.first_error);
		return 1;
	}
	first = r.sent;
	late_max = 0;
	cpu0 = cpu_s();
	t0 = mono_ms();
	drive(m, &r, pubs, conns, o->rate, t0, r.cap, t0 + (double)o->secs * 1e3, &late_max);
	t_end_pub = mono_ms();
	finish(m, &r, pubs, conns, o->drain);

	n = r.sent - first;
	lat = calloc(n + 1, sizeof(*lat));
	ack = calloc(n + 1, sizeof(*ack));
	for (i = 0; i < NSTAGES; i++)
		st[i] = calloc(n + 1, sizeof(double));
	refused_measured = 0;
	for (k = first; k < r.sent; k++) {
		struct sample *s = &r.s[k];
		double v[NSTAGES];

		if (s->state == 3) {
			refused_measured++;
			continue;
		}
		ack[na++] = s->acked_mono - s->sent_mono;
		if (!s->arrivals) {
			lost++;
			continue;
		}
		lat[nl++] = s->arrived_mono - s->sent_mono;
		/* where the time goes, on the machine's clock (ms resolution) */
		v[0] = s->kor_sent - s->sent_real;
		v[1] = s->usa_received - s->kor_sent;
		v[2] = s->usa_sent - s->usa_received;
		v[3] = s->jpn_received - s->usa_sent;
		v[4] = (s->sent_real + (s->arrived_mono - s->sent_mono)) - s->jpn_received;
		v[5] = s->hop1;
		v[6] = s->hop2;
		for (i = 0; i < NSTAGES; i++)
			if (!isnan(v[i]))
				st[i][ns[i]++] = v[i];
	}
	{
		double dur = (t_end_pub - t0) / 1e3, e2e = (r.last_arrival - t0) / 1e3,
		       cpu = cpu_s() - cpu0;

		printf("sent %zu\naccepted %zu\nrefused %zu\narrived %zu\nlost %zu\n", n,
		       n - refused_measured, refused_measured, nl, lost);
		printf("duplicates %zu\nforeign %zu\nbad_records %zu\nrelay_refusals %zu\n", r.dups,
		       r.foreign, r.bad_records, r.relay_refusals);
		printf("publish_secs %.3f\npublish_rate %.1f\n", dur, dur > 0 ? (double)n / dur : 0);
		printf("e2e_secs %.3f\ne2e_rate %.1f\n", e2e, e2e > 0 ? (double)nl / e2e : 0);
		printf("late_max %.2f\n", late_max);
		printf("client_cpu_secs %.3f\nclient_cpu_share %.3f\n", cpu, e2e > 0 ? cpu / e2e : 0);
		printf("error %s\n", r.first_error[0] ? r.first_error : "-");
	}
	print_dist("lat", lat, nl);
	print_dist("ack", ack, na);
	for (i = 0; i < NSTAGES; i++)
		print_dist(stname[i], st[i], ns[i]);
	for (i = 0; i < NSTAGES; i++)
		free(st[i]);
	free(lat);
	free(ack);
	if (o->ids) {
		FILE *f = fopen(o->ids, "w");

		if (!f)
			return 1;
		for (k = 0; k < r.sent; k++)
			if (r.s[k].state == 2)
				fprintf(f, "%s-%07zu\n", prefix, k + 1);
		if (fclose(f))
			return 1;
	}
	curl_multi_remove_handle(m, r.stream);
	curl_easy_cleanup(r.stream);
	curl_slist_free_all(r.stream_h);
	for (i = 0; i < conns; i++) {
		if (pubs[i].busy)
			curl_multi_remove_handle(m, pubs[i].c);
		curl_easy_cleanup(pubs[i].c);
		curl_slist_free_all(pubs[i].h);
		free(pubs[i].body);
	}
	curl_multi_cleanup(m);
	free(r.buf);
	free(r.s);
	free(r.tmpl_head);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: warning_load sync DIR COUNT\n"
			"       warning_load rtt URL CERT KEY COUNT\n"
			"       warning_load run --publish URL --token T --stream URL --stream-token T\n"
			"                        --template FILE --prefix P [--rate R] [--secs S] [--conns C]\n"
			"                        [--warmup N] [--drain S] [--ids FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct run_opts o = { .rate = 0, .secs = 10, .conns = 8, .warmup = 20, .drain = 30 };
	const char *prefix = NULL;
	int i, rc;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "sync") && argc == 4)
		return cmd_sync(argv[2], number(argv[3], 1, 1000000, "COUNT"));
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return 1;
	if (!strcmp(argv[1], "rtt") && argc == 6)
		return cmd_rtt(argv[2], argv[3], argv[4], number(argv[5], 1, 1000000, "COUNT"));
	if (strcmp(argv[1], "run"))
		return usage();
	for (i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "--publish"))
			o.publish = v;
		else if (!strcmp(k, "--token"))
			o.token = v;
		else if (!strcmp(k, "--stream"))
			o.stream = v;
		else if (!strcmp(k, "--stream-token"))
			o.stream_token = v;
		else if (!strcmp(k, "--template"))
			o.tmpl = v;
		else if (!strcmp(k, "--prefix"))
			prefix = v;
		else if (!strcmp(k, "--ids"))
			o.ids = v;
		else if (!strcmp(k, "--rate"))
			o.rate = number(v, 0, 100000, "--rate");
		else if (!strcmp(k, "--secs"))
			o.secs = number(v, 1, 3600, "--secs");
		else if (!strcmp(k, "--conns"))
			o.conns = number(v, 1, MAX_CONNS, "--conns");
		else if (!strcmp(k, "--warmup"))
			o.warmup = number(v, 1, 10000, "--warmup");
		else if (!strcmp(k, "--drain"))
			o.drain = number(v, 1, 3600, "--drain");
		else
			return usage();
	}
	if (i != argc || !o.publish || !o.token || !o.stream || !o.stream_token || !o.tmpl || !prefix)
		return usage();
	rc = cmd_run(&o, prefix);
	curl_global_cleanup();
	return rc;
}
