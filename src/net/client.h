/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_CLIENT_H
#define GS_NET_CLIENT_H

/*
 * Reaching a peer's `gsomia serve` (docs/api.md): libcurl over GnuTLS,
 * TLS 1.3, mutual TLS with this node's tls.key and tls.crt, and the
 * peer's server key pinned to the tls-pin of its signed identity. The
 * pin is the whole of the trust: there is no CA and no host name check
 * (peers' certificates are self-signed). No redirects; timeouts; replies
 * capped at GS_NET_MAX_REPLY bytes.
 *
 * Each call makes its own curl handle, so calls may run on several
 * threads at once. All of them share one connection cache and one TLS
 * session cache: a connection to a peer stays open for the next request.
 */

#include <curl/curl.h>
#include <stdint.h>

#include "node/node.h"
#include "util/err.h"

/* GET / POST path (e.g. "/v1/peer/whoami") at peer's endpoint. On
 * success (the peer answered, with any HTTP status) sets *status and
 * *reply (malloc'd, NUL-terminated; free it). Fails with GS_ESTATE if
 * the identity has no endpoint or no tls-pin, GS_ECRYPTO if the server's
 * key does not match the pin, GS_ELIMIT if the reply is too large,
 * GS_EIO for anything else on the way. */
int peer_get(const struct node *n, const struct party *peer, const char *path, long *status,
	     char **reply, struct gs_diag *d) __attribute__((warn_unused_result));
int peer_post(const struct node *n, const struct party *peer, const char *path, const char *json,
	      long *status, char **reply, struct gs_diag *d) __attribute__((warn_unused_result));
/* POSTs the file at `file`, from byte `offset` on (a delivery that
 * resumes), as the raw body (application/octet-stream), streamed, for a
 * file of up to GS_NET_MAX_UPLOAD bytes; no overall time limit, but the
 * transfer must keep moving. */
int peer_post_file(const struct node *n, const struct party *peer, const char *path,
		   const char *file, uint64_t offset, long *status, char **reply,
		   struct gs_diag *d) __attribute__((warn_unused_result));

/* A file delivery set up and not yet run, for a caller that runs several
 * at once on one thread (curl_multi; net/courier.c): the same request,
 * checks and limits as peer_post_file. */
struct peer_call;
int peer_call_file(const struct node *n, const struct party *peer, const char *path, const char *file,
		   uint64_t offset, struct peer_call **out, struct gs_diag *d) __attribute__((warn_unused_result));
/* A GET set up the same way. */
int peer_call_get(const struct node *n, const struct party *peer, const char *path, struct peer_call **out,
		  struct gs_diag *d) __attribute__((warn_unused_result));
/* Its libcurl handle (to add to a multi handle), and back. */
CURL *peer_call_handle(struct peer_call *c);
struct peer_call *peer_call_of(CURL *h);
/* What came of it once libcurl is done (rc): as peer_post_file. */
int peer_call_result(struct peer_call *c, CURLcode rc, long *status, char **reply, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* Frees it (remove its handle from any multi handle first). */
void peer_call_free(struct peer_call *c);

#endif
