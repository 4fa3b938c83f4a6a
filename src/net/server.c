/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/peerquota.h"
#include "net/api.h"
#include "net/console.h"
#include "net/local_api.h"
#include "node/partial.h"
#include "net/metrics.h"
#include "net/server.h"
#include "net/sse.h"
#include "node/commit.h"
#include "node/restore.h"
#include "node/witness.h"
#include "util/dynbuf.h"
#include "util/file.h"
#include "util/banned.h"

#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3"
#define DEFAULT_THREADS 2

struct server {
	struct MHD_Daemon *daemon;
	struct node *node;
	/* The node's own lock (node/commit.h): calls into the node take it, one
	 * thread at a time, except a release through the local API, which takes
	 * it only for its short phases so that callers at once share commits. */
	pthread_mutex_t *node_lock;
	pthread_mutex_t own_lock;  /* for a node handle without one */
	struct server_config cfg;
	char *key_pem, *crt_pem;
	size_t key_len;
	char address[GS_MAX_NAME];
	struct local_api *local;   /* /v1/session and /v1/local/... (net/local_api.h) */
	bool starting;             /* the library's messages go into start_error, not stderr */
	char start_error[256];     /* its first message while starting, for the one line */
	/* every open connection, for the header watch */
	pthread_mutex_t conns_lock;
	pthread_cond_t watch_wake;
	struct conn_state *conns;
	unsigned header_timeout;
	bool watch_running, watch_stop;
	pthread_t watch;
	_Atomic int in_flight;     /* requests begun and not yet completed */
	/* each peer's deliveries under way, within its own quota */
	pthread_mutex_t quota_lock;
	struct peer_quotas quotas;
};

/* Who is at the other end of a connection, worked out once per
 * connection from its certificate. */
enum peer_state { PEER_UNCHECKED = 0, PEER_NONE, PEER_STRANGER, PEER_KNOWN };

struct conn_peer {
	enum peer_state state;
	char code[GS_MAX_CODE];
};

/* A connection as the server keeps it (its MHD socket context): the peer
 * behind it, and the deadline of the request header it waits for. A
 * connection must bring a whole request header within header_timeout
 * seconds of opening (TLS handshake included) or of its last reply, else
 * the header watch (header_watch) shuts its socket down: a client that
 * trickles a header a byte at a time never stays longer, although each
 * byte would keep it from the idle timeout (docs/api.md, "Server
 * limits"). The body that follows is under the idle timeout. */
struct conn_state {
	struct conn_peer peer;
	int fd;
	bool awaiting;       /* no whole header yet for its next request */
	bool cut;            /* shut down by the header watch */
	int64_t deadline_ms; /* on the monotonic clock */
	struct conn_state *prev, *next;
};

struct request;
typedef unsigned (*handler_fn)(struct request *r, json_t **reply);

struct route {
	const char *method;
	const char *path;
	int peer_only; /* needs an authenticated peer */
	handler_fn fn;
	int upload;    /* the body is a file, streamed to HOME/tmp */
};

struct request {
	struct server *srv;
	struct MHD_Connection *conn;
	const struct route *route;
	int path_known;          /* the path exists, perhaps for another method */
	int responded;           /* a response was queued before the body */
	int too_large;
	struct conn_peer peer;   /* copy of the connection's */
	int local;               /* a path of the local API (persons, bearer tokens) */
	int local_route;         /* its route, or -1 */
	const char *local_allow; /* a method its path takes, for 405 */
	size_t max_body;         /* GS_NET_MAX_BODY, GS_NET_MAX_LOCAL_BODY or GS_NET_MAX_UPLOAD */
	struct dynbuf body;      /* the body, capped at max_body (not LOCAL_UPLOAD routes) */
	int upload;              /* LOCAL_UPLOAD routes: the body goes to a file, */
	int upload_open;         /* open as upload_fd while the body comes in */
	int upload_fd;
	int upload_failed;
	char upload_path[GS_PATH_MAX];
	uint64_t upload_len;
	struct partial *partial;  /* a bundle delivery, kept and checked as it comes */
	int partial_err;          /* its refusal, in partial_diag */
	int partial_done;         /* the body ended (not interrupted) */
	struct gs_diag partial_diag;
	int quota_held;           /* a delivery counted in its peer's quota, */
	uint64_t quota_bytes;     /* with so many bytes */
	int over_quota;           /* a body beyond its declared length took the peer over */
	char nul_arg[48];         /* a query argument holding %00: refused once the body has passed */
	char cookie_name[LOCAL_COOKIE_MAX]; /* this node's session cookie */
	/* for metrics (net/metrics.h): when it came, and its route's label */
	struct timespec started;
	unsigned metric_route;
	const char *metric_method, *metric_path;
};

static json_t *json_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *json_error(const char *fmt, ...)
{
	char msg[GS_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", msg);
}

/* ---- handlers ---- */

static unsigned h_health(struct request *r, json_t **reply)
{
	const struct party *self = &(*node_self(r->srv->node));

	*reply = json_pack("{s:s,s:b}", "party", self->code, "exercise", self->exercise);
	return MHD_HTTP_OK;
}

static unsigned h_whoami(struct request *r, json_t **reply)
{
	*reply = json_pack("{s:s}", "peer", r->peer.code);
	return MHD_HTTP_OK;
}

static unsigned status_of(int err)
{
	switch (err) {
	case GS_EINVAL: return MHD_HTTP_BAD_REQUEST;
	case GS_EDENIED: return MHD_HTTP_FORBIDDEN;
	case GS_ELIMIT: return MHD_HTTP_CONTENT_TOO_LARGE;
	case GS_ESTATE: return MHD_HTTP_CONFLICT;
	case GS_EEXIST: return MHD_HTTP_CONFLICT;
	case GS_ENOTFOUND: return MHD_HTTP_NOT_FOUND;
	/* a forged signature, a wrong digest, a bad MAC: the sender's bytes
	 * are at fault, and sending them again will not help */
	case GS_ECRYPTO: return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case GS_EUSAGE: return MHD_HTTP_BAD_REQUEST;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

/* The reply to a delivery of kind: the hook's JSON text, or its error (a
 * bundle's as every route that takes one answers, api_bundle_status). */
static unsigned deliver_reply(const char *kind, int ret, char *text, const struct gs_diag *d, json_t **reply)
{
	json_error_t jerr;

	if (ret) {
		free(text);
		*reply = json_error("%s", d->msg[0] ? d->msg : gs_strerror(ret));
		return strcmp(kind, "bundle") ? status_of(ret) : api_bundle_status(ret);
	}
	if (!text) {
		*reply = json_pack("{s:b}", "accepted", 1);
		return MHD_HTTP_OK;
	}
	*reply = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!*reply) {
		*reply = json_error("the delivery handler gave no valid reply");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return MHD_HTTP_OK;
}

static unsigned h_deliver(struct request *r, json_t **reply)
{
	struct deliver_req dr;
	struct gs_diag d = { { 0 } };
	char *text = NULL;
	int ret;

	if ((ret = api_deliver_parse(dynbuf_ptr(&r->body), dynbuf_len(&r->body), &dr, &d))) {
		*reply = json_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
		return status_of(ret);
	}
	if (!r->srv->cfg.deliver) {
		deliver_req_release(&dr);
		*reply = json_error("this node takes no deliveries");
		return MHD_HTTP_NOT_IMPLEMENTED;
	}
	/* The handler acts on the node (a bundle is received): one thread at
	 * a time, as for every other call into the node. */
	pthread_mutex_lock(r->srv->node_lock);
	ret = r->srv->cfg.deliver(r->srv->cfg.deliver_ctx, r->peer.code, dr.kind, dr.id, dr.body,
				  dr.len, &text, &d);
	pthread_mutex_unlock(r->srv->node_lock);
	deliver_req_release(&dr); /* the body; kind stays */
	return deliver_reply(dr.kind, ret, text, &d, reply);
}

/* A peer's checkpoint of its log for this node, to cosign
 * (node/witness.h, docs/api.md). */
static unsigned h_checkpoint(struct request *r, json_t **reply)
{
	struct checkpoint_req *cr;
	struct witness_answer a;
	struct gs_diag d = { { 0 } };
	int ret;

	cr = malloc(sizeof(*cr));
	if (!cr) {
		*reply = json_error("out of memory");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if ((ret = api_checkpoint_parse(dynbuf_ptr(&r->body), dynbuf_len(&r->body), cr, &d))) {
		free(cr);
		*reply = json_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
		return status_of(ret);
	}
	pthread_mutex_lock(r->srv->node_lock);
	ret = witness_add_checkpoint(r->srv->node, r->peer.code, cr->note, cr->len, cr->old_size,
				     (const uint8_t (*)[32])cr->proof, cr->nproof, &a, &d);
	pthread_mutex_unlock(r->srv->node_lock);
	checkpoint_req_release(cr);
	free(cr);
	if (ret == 0) {
		*reply = json_pack("{s:s}", "cosignature", a.cosignature);
		return MHD_HTTP_OK;
	}
	*reply = json_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
	if (*reply && ret == GS_ESTATE)
		json_object_set_new(*reply, "size", json_integer((json_int_t)a.size));
	if (*reply && ret == GS_ECRYPTO)
		json_object_set_new(*reply, "evidence", json_boolean(a.evidence));
	return status_of(ret);
}

/* GET /v1/peer/checkpoint: the latest checkpoint this node holds of the
 * caller's log for it, so that a caller restored from a backup can see
 * whether it lost entries this node cosigned (node/restore.h). */
static unsigned h_checkpoint_held(struct request *r, json_t **reply)
{
	struct gs_diag d = { { 0 } };
	uint64_t size = 0;
	char *note = NULL;
	size_t len = 0;
	int ret;

	pthread_mutex_lock(r->srv->node_lock);
	ret = restore_peer_log_held(r->srv->node, r->peer.code, &size, &note, &len, &d);
	pthread_mutex_unlock(r->srv->node_lock);
	if (ret) {
		*reply = json_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
		return status_of(ret);
	}
	*reply = json_pack("{s:I, s:s?}", "size", (json_int_t)size, "checkpoint", note);
	free(note);
	return MHD_HTTP_OK;
}

/* POST /v1/peer/deliver-file?kind=K&id=ID: the same as /v1/peer/deliver,
 * with the data as the raw body, streamed to a file: no base64, and up to
 * GS_NET_MAX_UPLOAD bytes instead of GS_NET_MAX_BODY. A bundle is kept
 * and checked as it comes (node/partial.h) and may resume (&offset=N). */
static unsigned h_deliver_file(struct request *r, json_t **reply)
{
	const char *kind = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "kind");
	const char *id = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "id");
	const char *path = r->upload_path;
	struct gs_diag d = { { 0 } };
	char *text = NULL;
	int ret;

	if (!kind || !ident_kind_is_valid(kind) || !id || !ident_id_is_valid(id)) {
		*reply = json_error("?kind= (1-31 of [a-z0-9_]) and ?id= (1-63 of [A-Za-z0-9._-]) are required");
		return MHD_HTTP_BAD_REQUEST;
	}
	if (r->upload_failed) {
		*reply = json_error("cannot keep the delivered file");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (!r->srv->cfg.deliver_file) {
		*reply = json_error("this node takes no deliveries");
		return MHD_HTTP_NOT_IMPLEMENTED;
	}
	if (r->partial) {
		/* the bundle as received must be whole and verified, else it is
		 * refused naming the region or chunk, and nothing is kept */
		if ((ret = r->partial_err) != 0 ||
		    (ret = partial_finish(r->partial, &path, &r->partial_diag)) != 0) {
			gs_diag_prefix(&r->partial_diag, "bundle from %s", r->peer.code);
			return deliver_reply(kind, ret, NULL, &r->partial_diag, reply);
		}
	}
	pthread_mutex_lock(r->srv->node_lock);
	ret = r->srv->cfg.deliver_file(r->srv->cfg.deliver_ctx, r->peer.code, kind, id, path, &text, &d);
	pthread_mutex_unlock(r->srv->node_lock);
	return deliver_reply(kind, ret, text, &d, reply);
}

/* GET /v1/peer/deliver-file?kind=bundle&id=ID: how much of an interrupted
 * delivery of that bundle this node keeps, verified: {"offset": N}; the
 * sender posts the rest with &offset=N. */
static unsigned h_deliver_offset(struct request *r, json_t **reply)
{
	const char *kind = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "kind");
	const char *id = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "id");
	struct partial_keys k = { r->srv->node, r->srv->node_lock };
	struct gs_diag d = { { 0 } };
	uint64_t have = 0;
	int ret;

	if (!kind || strcmp(kind, "bundle") || !id || !ident_id_is_valid(id)) {
		*reply = json_error("?kind=bundle and ?id= (1-63 of [A-Za-z0-9._-]) are required: only bundle deliveries resume");
		return MHD_HTTP_BAD_REQUEST;
	}
	if ((ret = partial_offset(&k, r->peer.code, id, &have, &d)) != 0) {
		*reply = json_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
		return status_of(ret);
	}
	*reply = json_pack("{s:I}", "offset", (json_int_t)have);
	return MHD_HTTP_OK;
}

static const struct route routes[] = {
	{ "GET", "/v1/health", 0, h_health, 0 },
	{ "GET", "/v1/peer/whoami", 1, h_whoami, 0 },
	{ "POST", "/v1/peer/deliver", 1, h_deliver, 0 },
	{ "POST", "/v1/peer/deliver-file", 1, h_deliver_file, 1 },
	{ "GET", "/v1/peer/deliver-file", 1, h_deliver_offset, 0 },
	{ "POST", "/v1/peer/checkpoint", 1, h_checkpoint, 0 },
	{ "GET", "/v1/peer/checkpoint", 1, h_checkpoint_held, 0 },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct route *route_find(const char *method, const char *url, int *path_known)
{
	size_t i;

	*path_known = 0;
	for (i = 0; i < NROUTES; i++) {
		if (strcmp(url, routes[i].path))
			continue;
		*path_known = 1;
		if (!strcmp(method, routes[i].method))
			return &routes[i];
	}
	return NULL;
}

static const char *allowed_method(const char *url)
{
	int get = 0, post = 0;
	size_t i;

	for (i = 0; i < NROUTES; i++)
		if (!strcmp(url, routes[i].path)) {
			get |= !strcmp(routes[i].method, "GET");
			post |= !strcmp(routes[i].method, "POST");
		}
	return get && post ? "GET, POST" : post ? "POST" : "GET";
}

/* ---- the peer behind a connection ---- */

/* Maps the client certificate of the connection's TLS session to a
 * registered party by the pin of its public key. The handshake has
 * already proved that the client holds the key (CertificateVerify). */
static void peer_check(struct server *s, struct MHD_Connection *c, struct conn_peer *out)
{
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *certs;
	unsigned int ncerts = 0;
	gnutls_session_t sess;
	char pin[GS_MAX_NAME];
	struct party *p;

	memset(out, 0, sizeof(*out));
	out->state = PEER_NONE;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return;
	sess = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_type_get(sess) != GNUTLS_CRT_X509)
		return;
	certs = gnutls_certificate_get_peers(sess, &ncerts);
	if (!certs || ncerts == 0)
		return;
	out->state = PEER_STRANGER;
	if (node_tls_pin_of_cert(certs[0].data, certs[0].size, pin, NULL))
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	pthread_mutex_lock(s->node_lock);
	if (node_party_by_pin(s->node, pin, p, NULL) == 0 &&
	    p->exercise == node_self(s->node)->exercise) {
		out->state = PEER_KNOWN;
		memcpy(out->code, p->code, sizeof(out->code));
	}
	pthread_mutex_unlock(s->node_lock);
	free(p);
}

static struct conn_state *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void peer_of(struct server *s, struct MHD_Connection *c, struct conn_peer *out)
{
	struct conn_state *cs = conn_of(c);
	struct conn_peer *cp = cs ? &cs->peer : NULL;

	if (cp && cp->state != PEER_UNCHECKED) {
		*out = *cp;
		return;
	}
	peer_check(s, c, out);
	if (cp)
		*cp = *out;
}

/* ---- connections and the header watch ---- */

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The connection waits for a request header from now on (opened, or its
 * last request answered), or no longer (a whole header came). */
static void conn_awaits(struct server *s, struct conn_state *cs, bool awaiting)
{
	if (!cs)
		return;
	pthread_mutex_lock(&s->conns_lock);
	cs->awaiting = awaiting;
	cs->deadline_ms = monotonic_ms() + (int64_t)s->header_timeout * 1000;
	pthread_mutex_unlock(&s->conns_lock);
}

/* Libmicrohttpd says that a connection closes before it closes the socket,
 * and the watch shuts sockets down under the same lock: it never touches
 * a descriptor number that already belongs to another file. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;
	struct conn_state *cs;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		cs = calloc(1, sizeof(*cs));
		*socket_context = cs;
		if (!cs)
			return;
		cs->fd = ci ? ci->connect_fd : -1;
		pthread_mutex_lock(&s->conns_lock);
		cs->awaiting = cs->fd >= 0;
		cs->deadline_ms = monotonic_ms() + (int64_t)s->header_timeout * 1000;
		cs->next = s->conns;
		if (s->conns)
			s->conns->prev = cs;
		s->conns = cs;
		pthread_mutex_unlock(&s->conns_lock);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		cs = *socket_context;
		*socket_context = NULL;
		if (!cs)
			return;
		pthread_mutex_lock(&s->conns_lock);
		if (cs->prev)
			cs->prev->next = cs->next;
		else
			s->conns = cs->next;
		if (cs->next)
			cs->next->prev = cs->prev;
		pthread_mutex_unlock(&s->conns_lock);
		free(cs);
	}
}

/* Shuts down, a few times a second, every connection whose request
 * header is late: libmicrohttpd then sees the end of the stream and
 * closes it as it would any other. */
static void *header_watch(void *arg)
{
	struct server *s = arg;
	struct timespec until;

	pthread_mutex_lock(&s->conns_lock);
	while (!s->watch_stop) {
		int64_t now = monotonic_ms();

		for (struct conn_state *cs = s->conns; cs; cs = cs->next)
			if (cs->awaiting && !cs->cut && now >= cs->deadline_ms) {
				(void)shutdown(cs->fd, SHUT_RDWR);
				cs->cut = true;
			}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->watch_wake, &s->conns_lock, &until);
	}
	pthread_mutex_unlock(&s->conns_lock);
	return NULL;
}

/* ---- responses ---- */

static enum MHD_Result respond_with(struct MHD_Connection *c, unsigned status, json_t *j,
				    const char *header, const char *value)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text;
	size_t len;

	/* the database is out of reach (PostgreSQL down or failing over):
	 * nothing was written, and the caller may try again shortly */
	if (status == 500 && node_store_unreachable()) {
		status = 503;
		if (!header) {
			header = "Retry-After";
			value = "2";
		}
	}
	if (!j)
		j = json_error("out of memory");
	text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(j);
	if (!text)
		return MHD_NO;
	len = strlen(text);
	/* One trailing newline, so that curl output ends cleanly. */
	{
		char *t = realloc(text, len + 2);

		if (!t) {
			free(text);
			return MHD_NO;
		}
		text = t;
		text[len++] = '\n';
		text[len] = 0;
	}
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	console_secure_headers(resp, NULL);
	if (header && value)
		MHD_add_response_header(resp, header, value);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, json_t *j,
			       const char *allow)
{
	return respond_with(c, status, j, MHD_HTTP_HEADER_ALLOW, allow);
}

static const char *conn_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static const char *conn_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

struct args_walk {
	int (*fn)(void *fnctx, const char *name);
	void *fnctx;
	int ret;
};

static enum MHD_Result arg_visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct args_walk *w = cls;

	(void)kind;
	(void)value;
	w->ret = w->fn(w->fnctx, key ? key : "");
	return w->ret ? MHD_NO : MHD_YES;
}

static int conn_args_each(void *ctx, int (*fn)(void *fnctx, const char *name), void *fnctx)
{
	struct args_walk w = { fn, fnctx, 0 };

	MHD_get_connection_values(ctx, MHD_GET_ARGUMENT_KIND, arg_visit, &w);
	return w.ret;
}

/* What the local API needs of the HTTP request (net/local_api.h). */
static void local_request_of(struct request *r, const char *method, const char *url,
			     struct local_request *lr)
{
	struct MHD_Connection *c = r->conn;

	memset(lr, 0, sizeof(*lr));
	lr->route = r->local_route;
	lr->method = method;
	lr->url = url;
	lr->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	local_cookie_name(r->srv->node, r->cookie_name);
	lr->cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, r->cookie_name);
	lr->csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, LOCAL_CSRF_HEADER);
	lr->origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	lr->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	lr->at = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "at");
	lr->arg = conn_arg;
	lr->args_each = conn_args_each;
	lr->header = conn_header;
	lr->arg_ctx = c;
	lr->body = dynbuf_ptr(&r->body);
	lr->len = dynbuf_len(&r->body);
	if (r->upload) {
		lr->upload_path = r->upload_path;
		lr->upload_len = r->upload_len;
	}
}

/* attachment; filename="<ASCII, others '_'>"; filename*=UTF-8''<RFC 5987>:
 * a browser saves a UTF-8 name as it is (特定秘密), an old client the ASCII. */
static void content_disposition(const char *name, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t k;

	k = (size_t)snprintf(out, cap, "attachment; filename=\"");
	for (p = (const unsigned char *)name; *p && k + 4 < cap; p++)
		if ((*p & 0xc0) != 0x80) /* one '_' for each character that is not ASCII */
			out[k++] = *p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' ? '_' : (char)*p;
	k += (size_t)snprintf(out + k, cap - k, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p && k + 4 < cap; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			out[k++] = (char)*p;
		} else {
			out[k++] = '%';
			out[k++] = hex[*p >> 4];
			out[k++] = hex[*p & 15];
		}
	}
	out[k < cap ? k : cap - 1] = 0;
}

/* A file instead of JSON: an opened item, a proof. A temporary file is
 * removed once open; the descriptor keeps it until it is sent. */
static enum MHD_Result respond_file(struct MHD_Connection *c, const struct local_download *dl,
				    const char *set_cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	struct stat sb;
	char disp[2200];
	int fd = open(dl->path, O_RDONLY | O_CLOEXEC);

	if (dl->unlink_after)
		unlink(dl->path);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, json_error("cannot send the file"), NULL);
	}
	resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				dl->type[0] ? dl->type : "application/octet-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	content_disposition(dl->name[0] ? dl->name : "download", disp, sizeof(disp));
	MHD_add_response_header(resp, "Content-Disposition", disp);
	console_secure_headers(resp, NULL);
	if (set_cookie && set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, set_cookie);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A text instead of JSON: the metrics page, a report as CSV or HTML. */
static enum MHD_Result respond_text(struct MHD_Connection *c, struct local_out *out)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(out->text_len, out->text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(out->text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, out->text_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (out->download.name[0]) {
		char disp[2200];

		content_disposition(out->download.name, disp, sizeof(disp));
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	console_secure_headers(resp, NULL);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond_busy(struct request *r, unsigned seconds, json_t *reply);

/* A call of the local API, once its body is in (net/local_api.h). */
static enum MHD_Result respond_local(struct request *r, const char *method, const char *url)
{
	struct local_request lr;
	struct local_out out;
	json_t *reply = NULL;
	unsigned status;

	if (r->local_route < 0) {
		if (r->local_allow)
			return respond(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				       json_error("method %s not allowed on %s", method, url), r->local_allow);
		return respond(r->conn, MHD_HTTP_NOT_FOUND, json_error("no such endpoint: %s", url), NULL);
	}
	if (r->upload_failed)
		return respond(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			       json_error("cannot keep the uploaded file"), NULL);
	local_request_of(r, method, url, &lr);
	status = local_api_handle(r->srv->local, r->srv->node, r->srv->node_lock, &lr, &out, &reply);
	if (status == MHD_HTTP_OK && out.stream) {
		struct MHD_Response *resp = sse_response(r->conn, r->srv->node, r->srv->node_lock, out.stream_person,
							 out.stream_token, out.stream_after);
		sodium_memzero(out.stream_token, sizeof(out.stream_token));
		enum MHD_Result ret;

		json_decref(reply);
		if (!resp)
			return respond_busy(r, 5, json_error("no more streams can be opened here now; try again shortly"));
		console_secure_headers(resp, NULL);
		ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	if (status == MHD_HTTP_OK && out.download.path[0]) {
		json_decref(reply);
		return respond_file(r->conn, &out.download, out.set_cookie);
	}
	if (out.text) {
		json_decref(reply);
		if (status == MHD_HTTP_OK)
			return respond_text(r->conn, &out);
		free(out.text);
		reply = json_error("the answer could not be made");
	}
	if (status == MHD_HTTP_UNAUTHORIZED)
		return respond_with(r->conn, status, reply, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				    "Bearer realm=\"gsomia\"");
	if (out.set_cookie[0])
		return respond_with(r->conn, status, reply, MHD_HTTP_HEADER_SET_COOKIE, out.set_cookie);
	return respond(r->conn, status, reply, NULL);
}

/* 429 Too Many Requests, with when to come back. */
static enum MHD_Result respond_busy(struct request *r, unsigned seconds, json_t *reply)
{
	char after[16];

	r->responded = 1;
	r->partial_done = 1; /* nothing of it is kept */
	snprintf(after, sizeof(after), "%u", seconds);
	return respond_with(r->conn, MHD_HTTP_TOO_MANY_REQUESTS, reply, MHD_HTTP_HEADER_RETRY_AFTER, after);
}

/* A peer's delivery begins: counted in its own quota (core/peerquota.h),
 * or answered 429 before a byte of its body is kept. */
static enum MHD_Result quota_begin(struct request *r, uint64_t declared)
{
	struct server *s = r->srv;
	enum peer_quota_verdict v;

	pthread_mutex_lock(&s->quota_lock);
	v = peer_quota_begin(&s->quotas, r->peer.code, declared);
	pthread_mutex_unlock(&s->quota_lock);
	if (v == PEER_QUOTA_OK) {
		r->quota_held = 1;
		r->quota_bytes = declared;
		return MHD_YES;
	}
	if (v == PEER_QUOTA_UPLOADS)
		return respond_busy(r, 1, json_error("%s has as many deliveries under way here as it may (%u); try again shortly",
						     r->peer.code, s->quotas.max_uploads));
	return respond_busy(r, 1, json_error("%s's deliveries under way here would hold more than %llu bytes; try again shortly",
					     r->peer.code, (unsigned long long)s->quotas.max_bytes));
}

/* More body than declared (or none declared): counted as it comes. */
static int quota_grow(struct request *r, uint64_t total)
{
	enum peer_quota_verdict v;

	if (!r->quota_held || total <= r->quota_bytes)
		return 0;
	pthread_mutex_lock(&r->srv->quota_lock);
	v = peer_quota_grow(&r->srv->quotas, r->peer.code, total - r->quota_bytes);
	pthread_mutex_unlock(&r->srv->quota_lock);
	if (v != PEER_QUOTA_OK)
		return -1;
	r->quota_bytes = total;
	return 0;
}

/* A bundle delivered as a file: kept in HOME/partial and checked as it
 * comes, from &offset=N if it resumes (node/partial.h). A wrong offset is
 * 409 with the one to resume from. */
static enum MHD_Result bundle_upload_begin(struct request *r)
{
	const char *id = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "id");
	const char *off = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "offset");
	struct partial_keys k = { r->srv->node, r->srv->node_lock };
	struct gs_diag d = { { 0 } };
	uint64_t offset = PARTIAL_ASK, have = 0;
	json_t *reply;
	char *end;
	int ret;

	r->responded = 1;
	if (!id || !ident_id_is_valid(id))
		return respond(r->conn, MHD_HTTP_BAD_REQUEST,
			       json_error("?kind= (1-31 of [a-z0-9_]) and ?id= (1-63 of [A-Za-z0-9._-]) are required"),
			       NULL);
	if (off) {
		errno = 0;
		offset = strtoull(off, &end, 10);
		if (errno || end == off || *end || (off[0] == '0' && off[1]) || off[0] == '-' ||
		    offset > GS_NET_MAX_UPLOAD)
			return respond(r->conn, MHD_HTTP_BAD_REQUEST,
				       json_error("?offset= must be a byte count from 0 to %llu",
						  (unsigned long long)GS_NET_MAX_UPLOAD), NULL);
	}
	ret = partial_begin(&k, r->peer.code, id, offset, &r->partial, &have, &d);
	/* too many interrupted deliveries of this peer kept: it finishes one
	 * (or they age out), so this one is "later", not "never" */
	if (ret == GS_ELIMIT)
		return respond_busy(r, 60, json_error("%s", d.msg));
	if (ret) {
		reply = json_error("%s", d.msg[0] ? d.msg : gs_strerror(ret));
		if (reply && ret == GS_ESTATE)
			json_object_set_new(reply, "offset", json_integer((json_int_t)have));
		return respond(r->conn, status_of(ret), reply, NULL);
	}
	r->responded = 0;
	r->upload = 1;
	r->max_body = (size_t)(GS_NET_MAX_UPLOAD - (offset == PARTIAL_ASK ? 0 : offset));
	return MHD_YES;
}

/* An upload route: the caller is checked before a byte of the body is
 * kept (a peer by its certificate already, a person here), then the body
 * goes to a temporary file in HOME/tmp. */
static enum MHD_Result upload_begin(struct request *r, const char *method, const char *url)
{
	struct local_request lr;
	json_t *reply = NULL;
	unsigned status;

	if (r->local) {
		local_request_of(r, method, url, &lr);
		status = local_api_precheck(r->srv->local, r->srv->node, r->srv->node_lock, &lr, &reply);
		if (status) {
			r->responded = 1;
			return respond(r->conn, status, reply, NULL);
		}
	}
	if (!r->local) {
		const char *kind = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "kind");

		if (kind && !strcmp(kind, "bundle"))
			return bundle_upload_begin(r);
	}
	snprintf(r->upload_path, sizeof(r->upload_path), "%s/tmp/upload-XXXXXX", node_home(r->srv->node));
	r->upload_fd = mkostemp(r->upload_path, O_CLOEXEC);
	if (r->upload_fd < 0) {
		r->upload_path[0] = 0;
		r->responded = 1;
		return respond(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			       json_error("cannot keep an upload in %s/tmp", node_home(r->srv->node)), NULL);
	}
	r->upload = r->upload_open = 1;
	r->max_body = GS_NET_MAX_UPLOAD;
	return MHD_YES;
}

static int upload_write(struct request *r, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(r->upload_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		r->upload_len += (uint64_t)w;
	}
	return 0;
}

static enum MHD_Result refuse_peer(struct request *r)
{
	if (r->peer.state == PEER_NONE)
		return respond(r->conn, MHD_HTTP_UNAUTHORIZED,
			       json_error("a client certificate is required"), NULL);
	return respond(r->conn, MHD_HTTP_FORBIDDEN,
		       json_error("the client certificate belongs to no registered party"), NULL);
}

/* ---- metrics ---- */

/* Route numbers for metrics (net/metrics.h): the peer routes by their
 * index, then the console, anything else, and the local API's routes. */
#define METRIC_CONSOLE 14
#define METRIC_UNMATCHED 15
#define METRIC_LOCAL 16

/* A method as a static string (MHD's lives in the connection's buffer). */
static const char *method_label(const char *method)
{
	static const char *const known[] = { "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(method, known[i]))
			return known[i];
	return "OTHER";
}

static void metric_label(struct request *r, const char *method, const char *url)
{
	int local;

	clock_gettime(CLOCK_MONOTONIC, &r->started);
	r->metric_route = METRIC_UNMATCHED;
	r->metric_method = method_label(method);
	r->metric_path = "unmatched";
	if (r->route) {
		r->metric_route = (unsigned)(r->route - routes);
		r->metric_method = r->route->method;
		r->metric_path = r->route->path;
	} else if (local_api_owns(url)) {
		const char *allow;

		local = local_api_route(method, url, &allow);
		if (local >= 0 && METRIC_LOCAL + local < METRICS_MAX_ROUTES &&
		    !local_api_route_label(local, &r->metric_method, &r->metric_path))
			r->metric_route = METRIC_LOCAL + (unsigned)local;
	} else if (console_owns(url)) {
		r->metric_route = METRIC_CONSOLE;
		r->metric_path = "/console/";
	}
}

static void metric_count(struct request *r, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
	struct timespec now;
	double secs;

	if (!ci || !ci->http_status)
		return; /* no answer was sent: the connection ended first */
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - r->started.tv_sec) + (double)(now.tv_nsec - r->started.tv_nsec) / 1e9;
	metrics_request(r->metric_route, r->metric_method, r->metric_path, ci->http_status, secs);
}

/* ---- the access handler ---- */

/* The first query argument whose name or value holds a NUL byte (%00), its
 * name made printable: every reader of an argument takes it as a C string,
 * which the NUL would silently cut ("title=a%00b" stored as "a", two ids
 * "a%00b" and "a%00c" taken for one), so such a request is refused whole. */
struct nul_arg {
	char name[48];
	bool found;
};

static enum MHD_Result nul_arg_visit(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				     const char *value, size_t value_size)
{
	struct nul_arg *a = cls;
	size_t i, k = 0;

	(void)kind;
	if ((!key || strlen(key) == key_size) && (!value || strlen(value) == value_size))
		return MHD_YES;
	for (i = 0; key && i < key_size && k + 1 < sizeof(a->name); i++) {
		char ch = key[i];

		a->name[k++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
					       ch == '_' || ch == '-' || ch == '.'
				       ? ch
				       : '?';
	}
	a->name[k] = 0;
	a->found = true;
	return MHD_NO;
}

/* The two-step idiom: the first call only sets up the request (queueing a
 * response there would turn keep-alive off), later calls take the body
 * in pieces, the last one (no data) answers. Refusals that make the body
 * pointless (no peer, too large) are answered at once. */
/* The handler took what it needed of an upload: its file goes before the
 * answer does, so a client that reads the answer finds HOME/tmp as it was. */
static void upload_drop(struct request *r)
{
	if (r->upload_path[0]) {
		unlink(r->upload_path);
		r->upload_path[0] = 0;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct server *s = cls;
	struct request *r = *req_cls;
	const char *cl;
	json_t *reply = NULL;
	unsigned status;
	unsigned long long want;
	char *end;

	(void)version;
	if (!r) {
		conn_awaits(s, conn_of(c), false); /* a whole header came */
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*req_cls = r;
		r->srv = s;
		r->conn = c;
		r->route = route_find(method, url, &r->path_known);
		r->max_body = GS_NET_MAX_BODY;
		dynbuf_init(&r->body, r->max_body);
		atomic_fetch_add(&s->in_flight, 1);
		metric_label(r, method, url);
		{
			struct nul_arg na = { "", false };

			MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, nul_arg_visit, &na);
			if (na.found) {
				/* nothing of the request is taken: its body is read and
				 * dropped, then 400 (an answer sent while the client still
				 * sends would be lost in a reset connection) */
				snprintf(r->nul_arg, sizeof(r->nul_arg), "%s", na.name[0] ? na.name : "?");
				return MHD_YES;
			}
		}
		if (!r->route && local_api_owns(url)) {
			r->local = 1;
			r->local_route = local_api_route(method, url, &r->local_allow);
			r->max_body = GS_NET_MAX_LOCAL_BODY;
			dynbuf_init(&r->body, r->max_body); /* nothing is held yet */
			if (local_api_route_flags(r->local_route) & LOCAL_UPLOAD) {
				enum MHD_Result ret = upload_begin(r, method, url);

				if (r->responded)
					return ret;
			}
		} else if (!r->route && console_owns(url)) {
			r->responded = 1;
			return console_respond(c, method, url);
		}
		if (r->route && r->route->peer_only) {
			peer_of(s, c, &r->peer);
			if (r->peer.state != PEER_KNOWN) {
				r->responded = 1;
				return refuse_peer(r);
			}
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		want = 0;
		if (cl) {
			errno = 0;
			want = strtoull(cl, &end, 10);
			if (errno || end == cl || *end)
				want = ULLONG_MAX;
		}
		if (r->route && r->route->upload) {
			enum MHD_Result ret;

			/* a peer's own share of deliveries under way: a flood or a
			 * stall from one peer never holds another's */
			if (r->route->peer_only && want <= GS_NET_MAX_UPLOAD &&
			    (quota_begin(r, want), r->responded))
				return MHD_YES;
			ret = upload_begin(r, method, url);
			if (r->responded)
				return ret;
		}
		if (cl && want > r->max_body) {
			r->responded = 1;
			r->partial_done = 1; /* refused: nothing of it is kept */
			return respond(c, MHD_HTTP_CONTENT_TOO_LARGE,
				       json_error("request body larger than %zu bytes", r->max_body), NULL);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->responded || r->too_large || r->over_quota || r->nul_arg[0])
			return MHD_YES;
		if (r->upload) {
			if (r->upload_len + n > r->max_body) {
				r->too_large = 1;
			} else if (quota_grow(r, r->upload_len + n)) {
				r->over_quota = 1; /* the rest is read and dropped: 429 */
			} else if (r->partial) {
				if (!r->partial_err)
					r->partial_err = partial_write(r->partial, upload_data, n,
								       &r->partial_diag);
				r->upload_len += n;
			} else if (!r->upload_failed && upload_write(r, upload_data, n)) {
				r->upload_failed = 1;
			}
			return MHD_YES;
		}
		if (dynbuf_add(&r->body, upload_data, n) != 0) {
			if (dynbuf_error(&r->body) != GS_ELIMIT)
				return MHD_NO;
			r->too_large = 1; /* answered 413 once the body has passed */
		}
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	r->responded = 1;
	r->partial_done = 1; /* the body is all here: kept only if it is whole */
	if (r->nul_arg[0])
		return respond(c, MHD_HTTP_BAD_REQUEST,
			       json_error("query argument '%s' holds a NUL byte (%%00)", r->nul_arg), NULL);
	if (r->too_large)
		return respond(c, MHD_HTTP_CONTENT_TOO_LARGE,
			       json_error("request body larger than %zu bytes", r->max_body), NULL);
	if (r->over_quota) {
		r->partial_done = 0; /* what verified of a bundle stays, to resume */
		return respond_busy(r, 1, json_error("%s's deliveries under way here hold more than %llu bytes; try again shortly",
						     r->peer.code, (unsigned long long)r->srv->quotas.max_bytes));
	}
	if (r->upload_open) {
		r->upload_open = 0; /* the file stays until the handler has answered */
		if (close(r->upload_fd) != 0)
			r->upload_failed = 1;
	}
	if (r->local) {
		enum MHD_Result res = respond_local(r, method, url);

		upload_drop(r);
		return res;
	}
	if (!r->route) {
		if (r->path_known)
			return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				       json_error("method %s not allowed on %s", method, url),
				       allowed_method(url));
		return respond(c, MHD_HTTP_NOT_FOUND, json_error("no such endpoint: %s", url), NULL);
	}
	status = r->route->fn(r, &reply);
	upload_drop(r);
	return respond(c, status, reply, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *r = *req_cls;

	(void)toe;
	/* answered: the next request's header is due within the timeout */
	conn_awaits(cls, conn_of(c), true);
	if (!r)
		return;
	metric_count(r, c);
	atomic_fetch_sub(&r->srv->in_flight, 1);
	if (r->quota_held) {
		pthread_mutex_lock(&r->srv->quota_lock);
		peer_quota_end(&r->srv->quotas, r->peer.code, r->quota_bytes);
		pthread_mutex_unlock(&r->srv->quota_lock);
	}
	if (r->upload_open)
		close(r->upload_fd);
	if (r->upload_path[0])
		unlink(r->upload_path); /* the handler took what it needed */
	if (r->partial) {
		/* a dropped connection keeps the verified prefix to resume from;
		 * anything else is taken (linked into the inbox) or refused */
		if (!r->partial_done)
			partial_interrupted(r->partial);
		partial_free(r->partial);
	}
	dynbuf_free(&r->body);
	free(r);
	*req_cls = NULL;
}

/* libmicrohttpd's own messages: its format strings, not ours. */
static void on_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct server *s = cls;

	if (s->starting) {
		/* kept for server_start's one line: why it cannot listen */
		if (!s->start_error[0]) {
			vsnprintf(s->start_error, sizeof(s->start_error), fmt, ap);
			s->start_error[strcspn(s->start_error, "\n")] = 0;
		}
		return;
	}
	fputs("gsomia serve: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ---- */

int server_parse_listen(const char *listen, char *host, size_t hostcap, unsigned *port,
			struct gs_diag *d)
{
	const char *colon, *h = listen;
	size_t hl;
	unsigned long p;
	char *end;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			return gs_diag_set(d, GS_EUSAGE, "listen address '%s' is not [ADDR]:PORT", listen);
		h = listen + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || strchr(listen, ':') != colon)
			return gs_diag_set(d, GS_EUSAGE, "listen address '%s' is not ADDR:PORT", listen);
		hl = (size_t)(colon - listen);
	}
	if (hl == 0 || hl >= hostcap)
		return gs_diag_set(d, GS_EUSAGE, "listen address '%s' has no usable host", listen);
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p > 65535)
		return gs_diag_set(d, GS_EUSAGE, "listen address '%s' has no port 0-65535", listen);
	memcpy(host, h, hl);
	host[hl] = 0;
	*port = (unsigned)p;
	return 0;
}

/* HOME/tmp belongs to the server: uploads, opened items and proofs on
 * their way out. Whatever a server that died left there (an opened
 * item's plaintext among them) is removed before the next one starts. */
static void tmp_sweep(const char *dir)
{
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((e = readdir(dp)))
		if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..")))
			(void)unlinkat(dirfd(dp), e->d_name, 0);
	closedir(dp);
}

int server_start(struct node *n, const struct server_config *cfg, struct server **out,
		 struct gs_diag *d)
{
	struct server *s;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *di;
	char host[128];
	size_t crt_len = 0;
	unsigned port, threads, flags;
	int ret, v6 = 0;

	if ((ret = server_parse_listen(cfg->listen, host, sizeof(host), &port, d)))
		return ret;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		v6 = 1;
	} else {
		return gs_diag_set(d, GS_EUSAGE, "listen host '%s' is not a numeric IPv4 or IPv6 address",
				   host);
	}
	threads = cfg->threads ? cfg->threads : DEFAULT_THREADS;
	if (threads > GS_NET_MAX_THREADS)
		return gs_diag_set(d, GS_ELIMIT, "at most %d threads", GS_NET_MAX_THREADS);
	s = calloc(1, sizeof(*s));
	if (!s)
		return GS_ENOMEM;
	s->node = n;
	s->cfg = *cfg;
	pthread_mutex_init(&s->own_lock, NULL);
	s->node_lock = node_mutex(n) ? node_mutex(n) : &s->own_lock;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_cond_init(&s->watch_wake, NULL);
	pthread_mutex_init(&s->quota_lock, NULL);
	peer_quota_init(&s->quotas, cfg->peer_uploads ? cfg->peer_uploads : GS_NET_PEER_UPLOADS,
			cfg->peer_bytes ? cfg->peer_bytes : GS_NET_PEER_BYTES);
	s->header_timeout = cfg->header_timeout ? cfg->header_timeout : GS_NET_HEADER_TIMEOUT;
	if ((ret = local_api_new(cfg->session_ttl, &s->local)))
		goto fail;
	{
		char tmp[GS_PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s/tmp", node_home(n));
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
			ret = gs_diag_set(d, GS_EIO, "cannot make %s: %s", tmp, strerror(errno));
			goto fail;
		}
		tmp_sweep(tmp);
		partial_sweep(node_home(n));
	}
	if ((ret = node_tls_identity(n, &s->key_pem, &s->key_len, &s->crt_pem, &crt_len, d)))
		goto fail;
	if (pthread_create(&s->watch, NULL, header_watch, s) != 0) {
		ret = gs_diag_set(d, GS_ENOMEM, "cannot start the header watch");
		goto fail;
	}
	s->watch_running = true;
	/* ITC: server_drain() can stop the listening while requests finish */
	flags = MHD_USE_TLS | MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
		(v6 ? MHD_USE_IPv6 : 0);
	/* The trust list only makes the server ask for a client certificate
	 * (GNUTLS_CERT_REQUEST); it checks nothing. peer_check() does. */
	s->starting = true;
	s->daemon = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_HTTPS_MEM_KEY, s->key_pem,
		MHD_OPTION_HTTPS_MEM_CERT, s->crt_pem,
		MHD_OPTION_HTTPS_MEM_TRUST, s->crt_pem,
		MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)GS_NET_MAX_CONNECTIONS,
		/* one address cannot hold every connection (docs/api.md) */
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)(cfg->max_per_address ? cfg->max_per_address : GS_NET_MAX_PER_ADDRESS),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GS_NET_MAX_CONN_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)GS_NET_TIMEOUT,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		MHD_OPTION_END);
	s->starting = false;
	if (!s->daemon) {
		ret = gs_diag_set(d, GS_EIO, "cannot listen on %s: %s", cfg->listen,
				  s->start_error[0] ? s->start_error : "the address is in use or not this machine's");
		goto fail;
	}
	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (di)
		port = di->port;
	snprintf(s->address, sizeof(s->address), v6 ? "[%s]:%u" : "%s:%u", host, port);
	metrics_started();
	*out = s;
	return 0;
fail:
	server_stop(s);
	return ret;
}

const char *server_address(const struct server *s)
{
	return s->address;
}

int server_drain(struct server *s, unsigned seconds)
{
	MHD_socket fd;
	unsigned waited = 0;

	if (!s || !s->daemon)
		return 0;
	fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* every 10 ms, until nothing is in flight or the time is up */
	while (atomic_load(&s->in_flight) > 0 && waited < seconds * 100) {
		usleep(10 * 1000);
		waited++;
	}
	return atomic_load(&s->in_flight);
}

int server_in_flight(const struct server *s)
{
	return s ? atomic_load(&((struct server *)s)->in_flight) : 0;
}

int server_reload(struct server *s, unsigned *parties, struct gs_diag *d)
{
	int ret;

	pthread_mutex_lock(s->node_lock);
	ret = node_reload(s->node, parties, d);
	pthread_mutex_unlock(s->node_lock);
	return ret;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	if (s->watch_running) {
		pthread_mutex_lock(&s->conns_lock);
		s->watch_stop = true;
		pthread_cond_signal(&s->watch_wake);
		pthread_mutex_unlock(&s->conns_lock);
		pthread_join(s->watch, NULL);
	}
	if (s->daemon) {
		sse_stop_all(); /* no stream stays suspended */
		MHD_stop_daemon(s->daemon);
	}
	if (s->key_pem) {
		sodium_memzero(s->key_pem, s->key_len);
		free(s->key_pem);
	}
	free(s->crt_pem);
	local_api_free(s->local);
	pthread_mutex_destroy(&s->own_lock);
	pthread_cond_destroy(&s->watch_wake);
	pthread_mutex_destroy(&s->conns_lock);
	pthread_mutex_destroy(&s->quota_lock);
	free(s);
}
