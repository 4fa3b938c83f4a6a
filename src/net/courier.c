/* SPDX-License-Identifier: Apache-2.0 */
/* The courier: carries the outbox's due entries to the peers over mutual
 * TLS, several at once (net/courier.h, docs/api.md "The outbox"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jansson.h>

#include "net/client.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "util/banned.h"

#define RESUME_TRIES 2 /* a 409 naming an offset is followed this often in one pass */
#define PASS_ROUNDS 8  /* due lists taken in one pass (a backlog woken is one more) */

/* A peer as the courier sees it in one pass: its identity, read once, and
 * the transfers in flight to it. */
struct peer_slot {
	char code[GS_MAX_CODE];
	struct party p;
	int lookup;         /* node_party_get's answer */
	struct gs_diag why; /* and its words */
	unsigned in_flight;
};

enum job_phase { JOB_WAITING, JOB_PROBE, JOB_POST, JOB_DONE };

/* One due entry on its way. */
struct job {
	struct outbox_entry *e;
	struct peer_slot *peer;
	enum job_phase phase;
	uint64_t offset; /* where the body starts (a resumed bundle) */
	int conflicts;   /* 409s with an offset followed */
	bool reprobed;   /* a fresh post cut short was followed by a probe */
	struct peer_call *call;
	/* how it went, until settled with the others that ended with it */
	enum outbox_outcome outcome;
	char *why, *reply;
};

struct pass {
	struct node *n;
	CURLM *m;
	unsigned cap; /* transfers in flight per peer */
	struct peer_slot **peers; /* each its own allocation: jobs point to them */
	size_t npeers, peers_cap;
	int delivered, refused, retry;
	int woke; /* a delivery after failures made the peer's backlog due */
	struct job **ended; /* to be settled */
	size_t nended;
};

static struct peer_slot *peer_slot(struct pass *ps, const char *code)
{
	struct peer_slot *s;
	size_t i;

	for (i = 0; i < ps->npeers; i++)
		if (!strcmp(ps->peers[i]->code, code))
			return ps->peers[i];
	if (ps->npeers == ps->peers_cap) {
		size_t cap = ps->peers_cap ? ps->peers_cap * 2 : 8;
		struct peer_slot **v = realloc(ps->peers, cap * sizeof(*v));

		if (!v)
			return NULL;
		ps->peers = v;
		ps->peers_cap = cap;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	ps->peers[ps->npeers++] = s;
	snprintf(s->code, sizeof(s->code), "%s", code);
	s->lookup = node_party_get(ps->n, code, &s->p, &s->why);
	return s;
}

/* A 409 that names an offset: the peer keeps another length of this
 * delivery than asked for (or is taking it now). */
static int conflict_offset(long status, const char *reply, uint64_t *offset)
{
	json_t *j, *o;
	int yes = 0;

	if (status != 409 || !reply || !(j = json_loads(reply, 0, NULL)))
		return 0;
	o = json_object_get(j, "offset");
	if (json_is_integer(o) && json_integer_value(o) >= 0) {
		*offset = (uint64_t)json_integer_value(o);
		yes = 1;
	}
	json_decref(j);
	return yes;
}

/* Whether a 4xx means "not now" rather than "not this": too many
 * requests (the peer's per-peer quota, docs/api.md "Server limits") and a
 * request timeout are tried again; the rest are refusals. */
static int is_transient(long status)
{
	return status == 429 || status == 408;
}

/* Where a bundle's delivery resumes, from the peer's answer to GET
 * /v1/peer/deliver-file: the verified length it keeps, if no longer than
 * the file; 0 when there is none, or when the peer's node does not
 * resume deliveries (one older than bundle v2 answers 405). */
static uint64_t probed_offset(long status, const char *reply, const char *path)
{
	struct stat sb;
	uint64_t off = 0;
	json_t *j, *o;

	if (status != 200 || !reply || !(j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL)))
		return 0;
	o = json_object_get(j, "offset");
	if (json_is_integer(o) && json_integer_value(o) > 0 && stat(path, &sb) == 0 &&
	    (uint64_t)json_integer_value(o) <= (uint64_t)sb.st_size)
		off = (uint64_t)json_integer_value(o);
	json_decref(j);
	return off;
}

/* Settles what ended since the last time, in one go (node/outbox.h):
 * many deliveries that end together cost the node one commit. */
static void settle_ended(struct pass *ps)
{
	struct outbox_settlement *v;
	struct gs_diag sd = { { 0 } };
	size_t i;

	if (!ps->nended)
		return;
	if ((v = calloc(ps->nended, sizeof(*v))) != NULL) {
		for (i = 0; i < ps->nended; i++) {
			v[i].e = ps->ended[i]->e;
			v[i].outcome = ps->ended[i]->outcome;
			v[i].why = ps->ended[i]->why;
			v[i].reply = ps->ended[i]->reply;
		}
		/* a settle that cannot be written leaves the entries due:
		 * sent again, kept once by the peer */
		(void)node_outbox_settle_many(ps->n, v, ps->nended, &sd);
		free(v);
	}
	for (i = 0; i < ps->nended; i++) {
		free(ps->ended[i]->why);
		free(ps->ended[i]->reply);
		ps->ended[i]->why = ps->ended[i]->reply = NULL;
	}
	ps->nended = 0;
}

/* The job ended (reply: the peer's answer, taken over, or NULL). */
static void settle(struct pass *ps, struct job *j, enum outbox_outcome outcome, const char *msg,
		   char *reply)
{
	switch (outcome) {
	case OUTBOX_DELIVERED:
		ps->delivered++;
		/* the peer is back: settling it makes the rest of its
		 * backlog due (node/outbox.h), which this pass takes too */
		if (j->e->attempts > 0)
			ps->woke = 1;
		break;
	case OUTBOX_REFUSED:
		ps->refused++;
		break;
	default:
		ps->retry++;
		break;
	}
	j->outcome = outcome;
	j->why = strdup(msg ? msg : "");
	j->reply = reply;
	j->phase = JOB_DONE;
	ps->ended[ps->nended++] = j;
}

/* Starts the job's next request: the resume probe for a bundle tried
 * before (its last attempt may have been cut short), else the file. A
 * fresh bundle goes straight: the peer answers 409 with the offset if it
 * keeps part of it under another length. */
static void start(struct pass *ps, struct job *j)
{
	struct outbox_entry *e = j->e;
	struct gs_diag d = { { 0 } };
	char url[GS_NET_MAX_KIND + GS_MAX_NAME + 96], msg[GS_DIAG_MAX];
	int r = 0;

	if (j->phase == JOB_WAITING && !strcmp(e->kind, "bundle") && (e->attempts > 0 || j->reprobed)) {
		snprintf(url, sizeof(url), "/v1/peer/deliver-file?kind=bundle&id=%s", e->ref);
		if (peer_call_get(ps->n, &j->peer->p, url, &j->call, &d) == 0) {
			j->phase = JOB_PROBE;
			goto add;
		}
		/* no probe: the whole file goes */
	}
	j->phase = JOB_POST;
	/* the file as the raw body, streamed: any size up to GS_NET_MAX_UPLOAD */
	/* no offset: the peer says (409) if it keeps part of it; an offset
	 * it named, 0 included, is sent as it was named */
	if ((size_t)snprintf(url, sizeof(url),
			     j->offset || j->conflicts ? "/v1/peer/deliver-file?kind=%s&id=%s&offset=%llu"
						       : "/v1/peer/deliver-file?kind=%s&id=%s",
			     e->kind, e->ref, (unsigned long long)j->offset) >= sizeof(url))
		r = gs_diag_set(&d, GS_ELIMIT, "kind or id too long");
	if (!r)
		r = peer_call_file(ps->n, &j->peer->p, url, e->path, j->offset, &j->call, &d);
	if (r) {
		snprintf(msg, sizeof(msg), "%.900s", d.msg[0] ? d.msg : gs_strerror(r));
		settle(ps, j, OUTBOX_RETRY, msg, NULL);
		return;
	}
add:
	if (curl_multi_add_handle(ps->m, peer_call_handle(j->call)) != CURLM_OK) {
		peer_call_free(j->call);
		j->call = NULL;
		settle(ps, j, OUTBOX_RETRY, "cannot start a transfer", NULL);
		return;
	}
	j->peer->in_flight++;
}

/* A transfer of job j ended (rc): the probe's answer starts the file; the
 * file's answer settles the entry, or starts it again at the offset a 409
 * names. */
static void finish(struct pass *ps, struct job *j, CURLcode rc)
{
	struct gs_diag d = { { 0 } };
	char msg[GS_DIAG_MAX], *reply = NULL;
	enum job_phase phase = j->phase;
	long status = 0;
	int r;

	curl_multi_remove_handle(ps->m, peer_call_handle(j->call));
	r = peer_call_result(j->call, rc, &status, &reply, &d);
	peer_call_free(j->call);
	j->call = NULL;
	j->peer->in_flight--;
	if (phase == JOB_PROBE) {
		j->offset = r ? 0 : probed_offset(status, reply, j->e->path);
		free(reply);
		start(ps, j);
		return;
	}
	msg[0] = 0;
	if (!r && status == 200) {
		struct stat sb;

		if (j->offset && stat(j->e->path, &sb) == 0)
			snprintf(msg, sizeof(msg), "delivered, resumed at byte %llu of %llu",
				 (unsigned long long)j->offset, (unsigned long long)sb.st_size);
		settle(ps, j, OUTBOX_DELIVERED, msg, reply);
		reply = NULL;
	} else if (!r && j->conflicts < RESUME_TRIES && conflict_offset(status, reply, &j->offset)) {
		j->conflicts++;
		j->phase = JOB_POST; /* straight to the file, no probe */
		start(ps, j);
	} else if (!r && status >= 400 && status < 500 && !is_transient(status) &&
		   !conflict_offset(status, reply, &(uint64_t){ 0 })) {
		json_t *jr = reply ? json_loads(reply, 0, NULL) : NULL;
		const char *why = json_string_value(json_object_get(jr, "error"));

		snprintf(msg, sizeof(msg), "refused by %s (HTTP %ld): %.900s", j->e->peer, status, why ? why : "");
		json_decref(jr);
		settle(ps, j, OUTBOX_REFUSED, msg, reply);
		reply = NULL;
	} else if (r && !j->offset && !j->conflicts && !j->reprobed && !strcmp(j->e->kind, "bundle")) {
		/* A fresh bundle cut short: the peer may have answered 409 (it
		 * keeps a part) before reading the body, which the sender sees
		 * as a reset. Ask it once where to resume, in this pass. */
		j->reprobed = true;
		j->phase = JOB_WAITING;
		free(reply);
		start(ps, j);
		return;
	} else {
		if (r) {
			snprintf(msg, sizeof(msg), "%.900s", d.msg[0] ? d.msg : gs_strerror(r));
		} else {
			json_t *jr = reply ? json_loads(reply, 0, NULL) : NULL;
			const char *why = json_string_value(json_object_get(jr, "error"));

			snprintf(msg, sizeof(msg), "HTTP %ld from %s%s%.900s", status, j->e->peer,
				 why ? ": " : "", why ? why : "");
			json_decref(jr);
		}
		settle(ps, j, OUTBOX_RETRY, msg, reply);
		reply = NULL;
	}
	free(reply);
}

/* Runs one due list: every entry started as its peer has room, oldest
 * first, and settled as its transfer ends. */
static int run_round(struct pass *ps, struct outbox_entry *due, size_t count)
{
	struct job *jobs = calloc(count ? count : 1, sizeof(*jobs));
	size_t i, first = 0, active = 0;

	if (!jobs || !(ps->ended = calloc(count ? count : 1, sizeof(*ps->ended)))) {
		free(jobs);
		return GS_ENOMEM;
	}
	ps->nended = 0;
	for (i = 0; i < count; i++) {
		jobs[i].e = &due[i];
		if (!(jobs[i].peer = peer_slot(ps, due[i].peer))) {
			free(jobs);
			free(ps->ended);
			ps->ended = NULL;
			return GS_ENOMEM;
		}
	}
	for (;;) {
		struct CURLMsg *msg;
		int running = 0, left;

		/* fill: each peer up to its cap, in queue order */
		while (first < count && jobs[first].phase != JOB_WAITING)
			first++;
		for (i = first; i < count; i++) {
			struct job *j = &jobs[i];

			if (j->phase != JOB_WAITING || j->peer->in_flight >= ps->cap)
				continue;
			if (j->peer->lookup) {
				char m[GS_DIAG_MAX];

				snprintf(m, sizeof(m), "%.900s",
					 j->peer->why.msg[0] ? j->peer->why.msg : gs_strerror(j->peer->lookup));
				settle(ps, j, OUTBOX_RETRY, m, NULL);
				continue;
			}
			start(ps, j);
		}
		active = 0;
		for (i = 0; i < ps->npeers; i++)
			active += ps->peers[i]->in_flight;
		if (!active)
			break;
		if (curl_multi_perform(ps->m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(ps->m, &left)) != NULL) {
			struct peer_call *c;

			if (msg->msg != CURLMSG_DONE)
				continue;
			c = peer_call_of(msg->easy_handle);
			for (i = 0; i < count; i++)
				if (jobs[i].call == c)
					break;
			if (i < count)
				finish(ps, &jobs[i], msg->data.result);
		}
		/* what ended together is settled together */
		settle_ended(ps);
		if (running)
			(void)curl_multi_poll(ps->m, NULL, 0, 1000, NULL);
	}
	/* a multi handle that failed leaves its transfers to the next pass */
	for (i = 0; i < count; i++)
		if (jobs[i].call) {
			curl_multi_remove_handle(ps->m, peer_call_handle(jobs[i].call));
			peer_call_free(jobs[i].call);
			jobs[i].peer->in_flight--;
		}
	settle_ended(ps);
	free(ps->ended);
	ps->ended = NULL;
	free(jobs);
	return active ? GS_EIO : 0;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int courier_send(struct node *n, unsigned in_flight, int *delivered, int *refused, int *retry,
		 struct gs_diag *d)
{
	struct pass ps;
	char(*tried)[GS_MAX_NAME] = NULL; /* ids attempted in this pass, sorted */
	size_t ntried = 0, round;
	int ret = 0;

	*delivered = *refused = *retry = 0;
	memset(&ps, 0, sizeof(ps));
	ps.n = n;
	ps.cap = in_flight ? in_flight : COURIER_IN_FLIGHT;
	if (ps.cap > COURIER_MAX_IN_FLIGHT)
		ps.cap = COURIER_MAX_IN_FLIGHT;
	if (!(ps.m = curl_multi_init()))
		return gs_diag_set(d, GS_ENOMEM, "cannot start the courier's transfers");
	/* one connection per transfer in flight, kept for the next */
	curl_multi_setopt(ps.m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)ps.cap);
	for (round = 0; round < PASS_ROUNDS; round++) {
		struct outbox_entry *due = NULL;
		size_t i, k = 0, count = 0;
		void *grown;

		ps.woke = 0;
		if ((ret = node_outbox_due(n, SIZE_MAX, &due, &count, d)))
			break;
		/* an entry goes once a pass: one tried already waits for its
		 * next pass, whatever its backoff says */
		for (i = 0; i < count; i++)
			if (!ntried || !bsearch(due[i].id, tried, ntried, sizeof(*tried), id_cmp))
				due[k++] = due[i];
		count = k;
		if (!count) {
			free(due);
			break;
		}
		if (!(grown = realloc(tried, (ntried + count) * sizeof(*tried)))) {
			free(due);
			ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
			break;
		}
		tried = grown;
		for (i = 0; i < count; i++)
			snprintf(tried[ntried + i], sizeof(*tried), "%s", due[i].id);
		ntried += count;
		qsort(tried, ntried, sizeof(*tried), id_cmp);
		if ((ret = run_round(&ps, due, count)))
			gs_diag_set(d, ret, "the courier's transfers stopped: %s", gs_strerror(ret));
		free(due);
		if (ret || !ps.woke)
			break;
	}
	*delivered = ps.delivered;
	*refused = ps.refused;
	*retry = ps.retry;
	curl_multi_cleanup(ps.m);
	for (round = 0; round < ps.npeers; round++)
		free(ps.peers[round]);
	free(ps.peers);
	free(tried);
	return ret;
}

int courier_deliver_due(struct node *n, int *delivered, int *refused, int *retry, struct gs_diag *d)
{
	return courier_send(n, 0, delivered, refused, retry, d);
}
