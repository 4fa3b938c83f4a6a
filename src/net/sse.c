/* SPDX-License-Identifier: Apache-2.0 */
/* The warnings stream (net/sse.h). */
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/sse.h"
#include "node/auth.h"
#include "node/warnings.h"
#include "util/dynbuf.h"
#include "util/banned.h"

#define SSE_KEEPALIVE_S 15
#define SSE_BATCH 64      /* records read at a time */
#define SSE_MAX_STREAMS 64

struct sse {
	struct MHD_Connection *conn;
	struct node *n;
	pthread_mutex_t *lock;
	char person[GS_MAX_ID];
	uint8_t token[AUTH_TOKEN_BYTES];
	int64_t after;
	struct dynbuf out;   /* events not yet sent */
	size_t sent;         /* of out */
	time_t last_write;
	bool suspended, news, ended;
	struct sse *next;
};

/* Every stream, for the node's word and the ticker; their flags are
 * read and written under streams_lock. */
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sse *streams;
static unsigned nstreams, bus_token;
static bool ticker_running;
static pthread_t ticker;

/* Resumes each suspended stream (new records, a tick); the others will
 * look again before they suspend. Under streams_lock. */
static void wake_all_locked(void)
{
	for (struct sse *s = streams; s; s = s->next) {
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->conn);
		} else {
			s->news = true;
		}
	}
}

static void on_record(void *ctx, int64_t seq)
{
	(void)ctx;
	(void)seq;
	pthread_mutex_lock(&streams_lock);
	wake_all_locked();
	pthread_mutex_unlock(&streams_lock);
}

static void *tick(void *arg)
{
	(void)arg;
	for (;;) {
		sleep(1);
		pthread_mutex_lock(&streams_lock);
		if (!streams) {
			ticker_running = false;
			pthread_mutex_unlock(&streams_lock);
			return NULL;
		}
		wake_all_locked();
		pthread_mutex_unlock(&streams_lock);
	}
}

void sse_stop_all(void)
{
	pthread_mutex_lock(&streams_lock);
	for (struct sse *s = streams; s; s = s->next)
		s->ended = true;
	wake_all_locked();
	pthread_mutex_unlock(&streams_lock);
}

/* One event per record: "id: SEQ", "event: KIND", "data: JSON". */
static int add_events(struct sse *s, json_t *recs)
{
	for (size_t i = 0; i < json_array_size(recs); i++) {
		json_t *r = json_array_get(recs, i);
		char head[96], *data;
		int ret;

		data = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
		if (!data)
			return GS_ENOMEM;
		snprintf(head, sizeof(head), "id: %lld\nevent: %s\ndata: ",
			 (long long)json_integer_value(json_object_get(r, "seq")),
			 json_string_value(json_object_get(r, "kind")));
		ret = dynbuf_adds(&s->out, head);
		if (!ret)
			ret = dynbuf_adds(&s->out, data);
		if (!ret)
			ret = dynbuf_adds(&s->out, "\n\n");
		free(data);
		if (ret)
			return ret;
	}
	return 0;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *s = cls;

	(void)pos;
	for (;;) {
		size_t pending = dynbuf_len(&s->out) - s->sent;

		if (pending) {
			size_t k = pending < max ? pending : max;

			memcpy(buf, dynbuf_ptr(&s->out) + s->sent, k);
			s->sent += k;
			if (s->sent == dynbuf_len(&s->out)) {
				dynbuf_reset(&s->out);
				s->sent = 0;
			}
			s->last_write = time(NULL);
			return (ssize_t)k;
		}
		pthread_mutex_lock(&streams_lock);
		s->news = false;
		if (s->ended) {
			pthread_mutex_unlock(&streams_lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		pthread_mutex_unlock(&streams_lock);
		{
			struct gs_diag d = { { 0 } };
			json_t *recs = NULL;
			int64_t next = s->after;
			int ret;

			struct node_session live;

			pthread_mutex_lock(s->lock);
			if (node_session_find(s->n, s->token, node_timer(), &live, NULL)) {
				/* signed out, or the session expired: so does the stream */
				pthread_mutex_unlock(s->lock);
				return MHD_CONTENT_READER_END_OF_STREAM;
			}
			node_set_actor(s->n, s->person);
			ret = node_warnings_for(s->n, s->person, s->after, SSE_BATCH, true, &recs, &next, &d);
			node_set_actor(s->n, NULL);
			pthread_mutex_unlock(s->lock);
			if (ret) /* the person is gone, the store fails: the stream ends */
				return MHD_CONTENT_READER_END_WITH_ERROR;
			s->after = next;
			ret = add_events(s, recs);
			json_decref(recs);
			if (ret)
				return MHD_CONTENT_READER_END_WITH_ERROR;
			if (dynbuf_len(&s->out))
				continue;
		}
		if (time(NULL) - s->last_write >= SSE_KEEPALIVE_S) {
			if (dynbuf_adds(&s->out, ": keepalive\n\n"))
				return MHD_CONTENT_READER_END_WITH_ERROR;
			continue;
		}
		/* nothing to send: wait for the node's word or the tick */
		pthread_mutex_lock(&streams_lock);
		if (s->news || s->ended) {
			pthread_mutex_unlock(&streams_lock);
			continue;
		}
		s->suspended = true;
		MHD_suspend_connection(s->conn);
		pthread_mutex_unlock(&streams_lock);
		return 0;
	}
}

static void release(void *cls)
{
	struct sse *s = cls;

	pthread_mutex_lock(&streams_lock);
	for (struct sse **p = &streams; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			nstreams--;
			break;
		}
	if (!streams && bus_token) {
		node_warning_unsubscribe(bus_token);
		bus_token = 0;
	}
	pthread_mutex_unlock(&streams_lock);
	dynbuf_free(&s->out);
	sodium_memzero(s->token, sizeof(s->token));
	free(s);
}

struct MHD_Response *sse_response(struct MHD_Connection *conn, struct node *n, pthread_mutex_t *lock,
				  const char *person, const uint8_t token[32], int64_t after)
{
	struct MHD_Response *resp;
	struct sse *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->conn = conn;
	s->n = n;
	s->lock = lock;
	snprintf(s->person, sizeof(s->person), "%s", person);
	memcpy(s->token, token, sizeof(s->token));
	s->after = after;
	s->last_write = time(NULL);
	dynbuf_init(&s->out, 4u << 20);
	/* the retry hint first: a browser reconnects after a second */
	if (dynbuf_adds(&s->out, "retry: 1000\n\n")) {
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&streams_lock);
	if (nstreams >= SSE_MAX_STREAMS) {
		pthread_mutex_unlock(&streams_lock);
		dynbuf_free(&s->out);
		free(s);
		return NULL;
	}
	if (!bus_token)
		bus_token = node_warning_subscribe(on_record, NULL);
	if (!ticker_running && pthread_create(&ticker, NULL, tick, NULL) == 0) {
		pthread_detach(ticker);
		ticker_running = true;
	}
	s->next = streams;
	streams = s;
	nstreams++;
	pthread_mutex_unlock(&streams_lock);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, reader, s, release);
	if (!resp) {
		release(s);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	return resp;
}
