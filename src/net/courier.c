/* SPDX-License-Identifier: Apache-2.0 */
/* The courier: carries the outbox's due entries to the peers over mutual
 * TLS (net/courier.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "net/client.h"
#include "net/courier.h"
#include "node/outbox.h"
#include "util/banned.h"

/* Where a bundle's delivery resumes: the verified length the peer keeps
 * of an interrupted delivery (GET /v1/peer/deliver-file). 0 when there is
 * none, or when the peer's node does not resume deliveries (one older than
 * bundle v2 answers 405), so the whole file goes as before. */
static uint64_t resume_offset(struct node *n, const struct party *p, const char *id,
			      const char *path)
{
	char url[GS_MAX_NAME + 64], *reply = NULL;
	struct gs_diag ignored = { { 0 } };
	uint64_t off = 0;
	struct stat sb;
	long status = 0;
	json_t *j;

	snprintf(url, sizeof(url), "/v1/peer/deliver-file?kind=bundle&id=%s", id);
	if (peer_get(n, p, url, &status, &reply, &ignored) == 0 && status == 200 &&
	    (j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL)) != NULL) {
		json_t *o = json_object_get(j, "offset");

		if (json_is_integer(o) && json_integer_value(o) > 0 && stat(path, &sb) == 0 &&
		    (uint64_t)json_integer_value(o) <= (uint64_t)sb.st_size)
			off = (uint64_t)json_integer_value(o);
		json_decref(j);
	}
	free(reply);
	return off;
}

/* A 409 that names an offset: the peer keeps another length of this
 * delivery than asked for (or is taking it now); try again. */
static int is_resume_conflict(long status, const char *reply)
{
	json_t *j;
	int yes;

	if (status != 409 || !reply || !(j = json_loads(reply, 0, NULL)))
		return 0;
	yes = json_is_integer(json_object_get(j, "offset"));
	json_decref(j);
	return yes;
}

int courier_deliver_due(struct node *n, int *delivered, int *refused, int *retry, struct gs_diag *d)
{
	struct outbox_entry *due = NULL;
	size_t i, count = 0;
	int ret;

	*delivered = *refused = *retry = 0;
	if ((ret = node_outbox_due(n, SIZE_MAX, &due, &count, d)))
		return ret;
	for (i = 0; i < count; i++) {
		struct outbox_entry *e = &due[i];
		struct gs_diag ed = { { 0 } }, sd = { { 0 } };
		struct party p;
		char url[GS_NET_MAX_KIND + GS_MAX_NAME + 96], msg[GS_DIAG_MAX], *reply = NULL;
		enum outbox_outcome outcome;
		uint64_t offset = 0;
		long status = 0;
		int r;

		r = node_party_get(n, e->peer, &p, &ed);
		/* a bundle resumes where an interrupted delivery stopped */
		if (!r && !strcmp(e->kind, "bundle"))
			offset = resume_offset(n, &p, e->ref, e->path);
		/* the file as the raw body, streamed: any size up to GS_NET_MAX_UPLOAD */
		if (!r && (size_t)snprintf(url, sizeof(url), offset ? "/v1/peer/deliver-file?kind=%s&id=%s&offset=%llu"
								    : "/v1/peer/deliver-file?kind=%s&id=%s",
					   e->kind, e->ref, (unsigned long long)offset) >= sizeof(url))
			r = gs_diag_set(&ed, GS_ELIMIT, "kind or id too long");
		if (!r)
			r = peer_post_file(n, &p, url, e->path, offset, &status, &reply, &ed);
		msg[0] = 0;
		if (!r && status == 200) {
			struct stat sb;

			outcome = OUTBOX_DELIVERED;
			if (offset && stat(e->path, &sb) == 0)
				snprintf(msg, sizeof(msg), "delivered, resumed at byte %llu of %llu",
					 (unsigned long long)offset, (unsigned long long)sb.st_size);
			(*delivered)++;
		} else if (!r && status >= 400 && status < 500 && !is_resume_conflict(status, reply)) {
			json_t *j = reply ? json_loads(reply, 0, NULL) : NULL;
			const char *why = json_string_value(json_object_get(j, "error"));

			outcome = OUTBOX_REFUSED;
			snprintf(msg, sizeof(msg), "refused by %s (HTTP %ld): %.900s", e->peer, status, why ? why : "");
			json_decref(j);
			(*refused)++;
		} else {
			outcome = OUTBOX_RETRY;
			if (r) {
				snprintf(msg, sizeof(msg), "%.900s", ed.msg[0] ? ed.msg : gs_strerror(r));
			} else {
				json_t *j = reply ? json_loads(reply, 0, NULL) : NULL;
				const char *why = json_string_value(json_object_get(j, "error"));

				snprintf(msg, sizeof(msg), "HTTP %ld from %s%s%.900s", status, e->peer,
					 why ? ": " : "", why ? why : "");
				json_decref(j);
			}
			(*retry)++;
		}
		/* a settle that cannot be written leaves the entry due: sent
		 * again, kept once by the peer */
		(void)node_outbox_settle(n, e, outcome, msg, reply, &sd);
		free(reply);
	}
	free(due);
	return 0;
}
