/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NET_LOCAL_INTERNAL_H
#define GS_NET_LOCAL_INTERNAL_H

/*
 * What the local API's handler modules share (net/local_api.c holds the
 * route table and the sessions; local_views.c the read-only views the
 * console draws; local_actions.c the calls that change the node). Not a
 * public interface: only net/local_*.c include it.
 */

#include <jansson.h>
#include <pthread.h>

#include "core/person.h"
#include "net/local_api.h"
#include "net/session.h"
#include "node/auth.h"
#include "node/node.h"
#include "node/record.h"

#define ROLES_ANY (ROLE_NSA_OFFICER | ROLE_REGISTRY | ROLE_READER | ROLE_AUDITOR | ROLE_TRANSLATOR)
/* Roles that may ask about, or list for, persons other than themselves. */
#define ROLES_FOR_OTHERS (ROLE_NSA_OFFICER | ROLE_REGISTRY | ROLE_AUDITOR)

struct local_api {
	int64_t ttl;
	struct signin_limiter limiter;
	/* each worker thread's own read-only handle on the home (node_open_reader):
	 * calls that only read run on it in parallel, without the node's lock */
	pthread_key_t reader;
	int have_reader;
};

/* One call: the request, and once authenticated, who makes it. A handler
 * answers with JSON in *reply, or, to send a file instead (an opened
 * item, a proof), fills out->download: the server streams that file with
 * that type and name, then removes it if unlink_after. */
struct call {
	struct local_api *api;
	struct node *n;
	pthread_mutex_t *lock;
	const struct local_request *r;
	uint8_t token[AUTH_TOKEN_BYTES];
	struct node_session session;
	struct person *who;
	int by_cookie;          /* the session came in the browser's cookie */
	struct local_out *out;  /* Set-Cookie, or a file to send instead of JSON */
};

typedef unsigned (*local_fn)(struct call *c, json_t **reply);

json_t *local_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The reply and status for an error code, with d's sentence. */
unsigned local_fail(int err, const struct gs_diag *d, json_t **reply);
unsigned local_status_for(int err);
json_t *local_roles_json(unsigned roles);
/* The instant of at (RFC 3339, or a bare date: midnight in zone), else the
 * node's clock when at is NULL or empty. */
int local_instant_of(struct node *n, const char *at, int32_t zone, gs_instant *out, struct gs_diag *d);
/* The index-th segment of url (0: "v1"), copied into out. GS_EINVAL if
 * missing, empty or too long. */
int local_path_segment(const char *url, int index, char *out, size_t cap);
/* The value of ?name= in the request, or NULL. */
const char *local_arg(const struct call *c, const char *name);
/* 0 if every ?name= argument of the request is one of known (a NULL-ended
 * list), else 400 with a reply naming the first that is not. */
unsigned local_args_known(const struct call *c, const char *const *known, json_t **reply);

/* ---- the read-only views the console draws (local_views.c) ---- */

struct agreement_view;
struct lifecycle_status;
/* GET .../agreements/{id}/status's object (local_api.c). */

/* GET /v1/local/items's query: ?originator=&classification=&status=
 * (each optional). 0, or 400 with the reply. */
struct items_filter {
	const char *originator, *classification, *status;
};
unsigned local_items_filter_parse(const struct call *c, struct items_filter *f, json_t **reply);
/* The labels a record shows, joined by ',' as on a bundle's banner. */
void local_marking_text(json_t *rec, char *out, size_t cap);
/* Drops from items what f does not select; adds "banners" to the rest. */
void local_items_select(const struct items_filter *f, json_t *items);

/* A page of GET /v1/local/items: ?q= (words in the title, id, file name,
 * topic, purpose, originator or marking), ?sort=released|classification|
 * originator|title, ?order=asc|desc, ?offset=, ?limit= (1..500). paged is
 * set when any of them is given. 0, or 400 with the reply. */
struct items_page {
	int paged;
	char q[200];
	char sort[16];
	int desc;
	uint64_t offset, limit;
};
unsigned local_items_page_parse(const struct call *c, struct items_page *pg, json_t **reply);
/* Takes items (the records the caller may see): the page of them f and
 * pg select, with "total", "offset", "limit", "next", and "facets" (the
 * originators, classifications and statuses of the whole list, for
 * the choices of a filter). MHD_HTTP_OK, or the error's status with the reply. */
unsigned local_items_page(struct call *c, const struct items_filter *f, const struct items_page *pg, json_t *items,
			  json_t **reply);

unsigned h_view_parties(struct call *c, json_t **reply);
unsigned h_view_agreement(struct call *c, json_t **reply);
unsigned h_view_whatif(struct call *c, json_t **reply);
unsigned h_view_item(struct call *c, json_t **reply);
unsigned h_view_queues(struct call *c, json_t **reply);
unsigned h_view_checkpoints(struct call *c, json_t **reply);
unsigned h_view_entries(struct call *c, json_t **reply);
unsigned h_view_proof(struct call *c, json_t **reply);
/* local_attention.c */
unsigned h_view_attention(struct call *c, json_t **reply);
unsigned h_view_visits(struct call *c, json_t **reply);
unsigned h_view_audit(struct call *c, json_t **reply);
/* missile warnings (local_warnings.c) */
unsigned local_h_warning_publish(struct call *c, json_t **reply);
unsigned local_h_warnings(struct call *c, json_t **reply);
unsigned local_h_warning_stream(struct call *c, json_t **reply);
unsigned local_h_warning_rules(struct call *c, json_t **reply);
unsigned h_view_binding(struct call *c, json_t **reply);

/* ---- the calls that change the node (local_actions.c) ---- */

unsigned local_h_release(struct call *c, json_t **reply);
unsigned local_h_receive(struct call *c, json_t **reply);
unsigned local_h_open(struct call *c, json_t **reply);
unsigned local_h_consent_request(struct call *c, json_t **reply);
unsigned local_h_consent_grant(struct call *c, json_t **reply);
unsigned local_h_consent_refuse(struct call *c, json_t **reply);
unsigned local_h_incident_report(struct call *c, json_t **reply);
unsigned local_h_incident_step(struct call *c, json_t **reply);
unsigned local_h_note(struct call *c, json_t **reply);

/* ---- operations (local_ops.c) ---- */

unsigned local_h_metrics(struct call *c, json_t **reply);
unsigned local_h_report(struct call *c, json_t **reply);

/* Their bodies (docs/api.md "Console actions"): JSON objects of string
 * members (a note's "version" is an integer), none unknown or twice,
 * each within its cap, no NUL; an absent member is "". Which are
 * required is the handler's business. On error *out is all zero. Pure
 * (fuzzed by fuzz/fuzz_local_actions.c). */
struct consent_request_body {
	char item[GS_MAX_ID];
	char to[GS_MAX_CODE];          /* the originator, if given: checked */
	char third_party[GS_MAX_CODE];
	char purpose[GS_MAX_NAME];
	char kind[16];                 /* onward (default), use, access */
	char expires[GS_MAX_NAME];
	char text[512];
};
struct consent_answer_body {
	char text[512];
	char expires[GS_MAX_NAME];     /* grant: required unless the request names one */
	char topic[GS_MAX_NAME];       /* grant: widen to the item's class */
};
struct incident_report_body {
	char item[GS_MAX_ID];
	char kind[32];
	char detected[GS_MAX_NAME];
	char text[1024];
};
struct incident_step_body {
	char investigation[1024];
	char result[1024];
	char measures[1024];
	char holding[16];
};
/* What a release is, in the LOCAL_RELEASE_HEADER header: the JSON object
 * percent-encoded (as encodeURIComponent does, so that a header can carry
 * any UTF-8), e.g. %7B%22agreement%22%3A%22KOR-JPN-2016%22%2C...%7D. */
#define GS_NET_MAX_RELEASE_HEADER 4096 /* the header, decoded, incl. NUL */
struct release_body {
	char agreement[GS_MAX_ID];
	char to[GS_MAX_CODE];
	char classification[GS_MAX_LABEL];
	char purpose[GS_MAX_NAME];
	char topic[GS_MAX_NAME];
	char title[GS_MAX_TITLE];
	char form[32];
	char name[256];
};
struct note_body {
	char kind[40];
	char text[GS_MAX_TITLE];
	char to[GS_MAX_CODE];
	char delivered[GS_MAX_NAME];
	char withdraws[16];
	char terminate_at[GS_MAX_NAME];
	int version;                   /* 0: absent; else 1..1000 */
	char effective[16];
	char acceding[GS_MAX_CODE];    /* accession-acceptance: the acceding state */
};

int local_consent_request_parse(const char *buf, size_t len, struct consent_request_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
int local_consent_answer_parse(const char *buf, size_t len, struct consent_answer_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
int local_incident_report_parse(const char *buf, size_t len, struct incident_report_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
int local_incident_step_parse(const char *buf, size_t len, struct incident_step_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
/* The name an opened item is saved under: EXERCISE (on an exercise
 * node), the marking this node shows, then the file's own name (else the
 * title, else the item id, with ".bin"); characters no common file system
 * takes become '_'. UTF-8, cut to cap on a character's boundary.
 *     "EXERCISE 特定秘密 - assessment.txt" */
void local_download_name(const char *name, const char *title, const char *marking, bool exercise,
			 const char *item, char *out, size_t cap);
int local_release_header_parse(const char *header, struct release_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));
int local_note_parse(const char *buf, size_t len, struct note_body *out, struct gs_diag *d)
	__attribute__((warn_unused_result));


#endif
