/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_SERVER_H
#define GS_NET_SERVER_H

/*
 * The node's HTTPS server (`gsomia serve`, docs/api.md): libmicrohttpd
 * with GnuTLS, TLS 1.3 only, an epoll thread pool, and mutual TLS done
 * by hand: the server asks every client for a certificate, and on each
 * connection maps the SHA-256 pin of the certificate's public key to a
 * registered party whose signed identity carries that tls-pin. A
 * connection without a certificate is anonymous (401 on /v1/peer/...),
 * one with an unknown key is a stranger (403).
 *
 * The node's own people call /v1/session and /v1/local/... without a
 * certificate, with a session's bearer token instead (net/local_api.h).
 *
 * The server borrows the node: the caller keeps it open until
 * server_stop() returns. Calls into the node are serialised by the
 * server's lock, so the node's store is used by one thread at a time.
 */

#include <stddef.h>
#include <stdint.h>

#include "node/node.h"
#include "util/err.h"

/* What POST /v1/peer/deliver hands over once the body is parsed and the
 * peer authenticated. Returns 0 and sets *reply_json (malloc'd JSON text,
 * or NULL for {"accepted": true}), or a negative gs_err with a sentence
 * in d: GS_EINVAL 400, GS_EDENIED 403, GS_ELIMIT 413, GS_ESTATE 409,
 * anything else 500. Called from worker threads, possibly at once. */
typedef int (*server_deliver_fn)(void *ctx, const char *peer, const char *kind, const char *id,
				 const uint8_t *body, size_t len, char **reply_json,
				 struct gs_diag *d);

/* The same for POST /v1/peer/deliver-file: the data is in the file at
 * path (HOME/tmp, removed after the call: link it to keep it). */
typedef int (*server_deliver_file_fn)(void *ctx, const char *peer, const char *kind, const char *id,
				      const char *path, char **reply_json, struct gs_diag *d);

struct server_config {
	const char *listen;       /* "ADDR:PORT" or "[ADDR]:PORT"; port 0 picks one */
	unsigned threads;         /* worker threads; 0 for the default (2) */
	server_deliver_fn deliver; /* NULL: deliveries get 501 */
	server_deliver_file_fn deliver_file; /* NULL: file deliveries get 501 */
	void *deliver_ctx;        /* for both */
	int64_t session_ttl;      /* seconds a person's session lasts; 0 for 8 h */
	unsigned max_per_address; /* connections from one address; 0 for GS_NET_MAX_PER_ADDRESS */
	unsigned header_timeout;  /* seconds to a request's whole header; 0 for GS_NET_HEADER_TIMEOUT */
	unsigned peer_uploads;    /* deliveries one peer has under way at once; 0 for GS_NET_PEER_UPLOADS */
	uint64_t peer_bytes;      /* bytes in them; 0 for GS_NET_PEER_BYTES */
};

struct server;

/* Loads tls.key and tls.crt from the node's home and starts listening. */
int server_start(struct node *n, const struct server_config *cfg, struct server **out,
		 struct gs_diag *d) __attribute__((warn_unused_result));

/* The address the server listens on, with the port it got:
 * "127.0.0.1:8443" or "[::1]:8443". */
const char *server_address(const struct server *s);

/* Stops listening, and waits (up to seconds) until every request already
 * begun has been answered: what the server took, it finishes. Returns
 * how many requests were still in flight when it gave up (0: none). */
int server_drain(struct server *s, unsigned seconds);
/* Requests begun and not yet completed. */
int server_in_flight(const struct server *s);

/* Forgets what the server's node keeps read (identities, agreements,
 * persons) and reads its own identity again (SIGHUP). */
int server_reload(struct server *s, unsigned *parties, struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Stops accepting, finishes or drops open connections, frees s. */
void server_stop(struct server *s);

/* Splits "ADDR:PORT" / "[ADDR]:PORT" (numeric only). Exposed for tests. */
int server_parse_listen(const char *listen, char *host, size_t hostcap, unsigned *port,
			struct gs_diag *d);

#endif
