/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_SSE_H
#define GS_NET_SSE_H

/*
 * The warnings stream of the local API (GET /v1/local/warnings/stream,
 * docs/api.md "Warnings"): server-sent events, one per record a person
 * may see (node/warnings.h), as they are recorded. The connection is
 * suspended while there is nothing to send and resumed when the node
 * records a warning (its watchers), or every second (rows recorded by
 * another process; a keep-alive comment every 15 seconds).
 */

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "node/node.h"

/* The response for person's stream, from the records after `after`; it
 * ends when the session of token does (signed out, expired).
 * lock: the server's node lock. NULL when out of memory. */
struct MHD_Response *sse_response(struct MHD_Connection *conn, struct node *n, pthread_mutex_t *lock,
				  const char *person, const uint8_t token[32], int64_t after);
/* Ends every stream (before the daemon stops: none stays suspended). */
void sse_stop_all(void);

#endif
