/* SPDX-License-Identifier: Apache-2.0 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/client.h"
#include "util/fault.h"
#include "util/banned.h"

#define CONNECT_TIMEOUT 10L /* seconds */
#define TOTAL_TIMEOUT 60L   /* seconds */
#define LOW_SPEED_LIMIT 1024L /* bytes a second a file upload keeps up, over TOTAL_TIMEOUT */

struct sink {
	char *buf;
	size_t len, cap;
	int too_large;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct sink *s = ctx;
	size_t n = size * nmemb;

	if (n > GS_NET_MAX_REPLY - s->len) {
		s->too_large = 1;
		return 0; /* aborts the transfer */
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;

		while (cap < s->len + n + 1)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return 0;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, ptr, n);
	s->len += n;
	s->buf[s->len] = 0;
	return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

/* One connection cache and TLS session cache for the whole process: a
 * courier delivering many things to one peer keeps its connection instead
 * of a handshake each time. libcurl reuses a connection only for a request
 * with the same TLS settings (client certificate, pinned key). */
static CURLSH *curl_share;
static pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];

static void share_lock_fn(CURL *h, curl_lock_data data, curl_lock_access access, void *ctx)
{
	(void)h;
	(void)access;
	(void)ctx;
	pthread_mutex_lock(&share_lock[data]);
}

static void share_unlock_fn(CURL *h, curl_lock_data data, void *ctx)
{
	(void)h;
	(void)ctx;
	pthread_mutex_unlock(&share_lock[data]);
}

static void curl_init(void)
{
	int i;

	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (curl_init_result != CURLE_OK)
		return;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&share_lock[i], NULL);
	curl_share = curl_share_init();
	if (curl_share && (curl_share_setopt(curl_share, CURLSHOPT_LOCKFUNC, share_lock_fn) ||
			   curl_share_setopt(curl_share, CURLSHOPT_UNLOCKFUNC, share_unlock_fn) ||
			   curl_share_setopt(curl_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) ||
			   curl_share_setopt(curl_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION))) {
		curl_share_cleanup(curl_share);
		curl_share = NULL; /* then every request has its own connection */
	}
}

/* A file body as libcurl reads it. */
struct body {
	FILE *f;
	uint64_t size, sent;
};

/* libcurl reads a file body through this. The crash point
 * "deliver-file-half" (util/fault.h) ends the process once half the body
 * has gone, as a dropped connection would end a delivery
 * (tests/cli/resume.sh). */
static size_t on_read(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct body *b = ctx;
	size_t n = fread(buf, size, nmemb, b->f);

	if (b->sent < b->size / 2 && b->sent + n >= b->size / 2)
		fault_point("deliver-file-half");
	b->sent += n;
	return n;
}

/* One request, set up and not yet run (client.h). */
struct peer_call {
	CURL *h;
	struct curl_slist *hdrs;
	struct sink sink;
	struct body body;        /* a file body: its own stream */
	char code[GS_MAX_CODE];  /* the peer, for messages */
	char url[GS_MAX_NAME * 2];
	char errbuf[CURL_ERROR_SIZE];
};

void peer_call_free(struct peer_call *c)
{
	if (!c)
		return;
	free(c->sink.buf);
	curl_slist_free_all(c->hdrs);
	if (c->h)
		curl_easy_cleanup(c->h);
	if (c->body.f)
		fclose(c->body.f);
	free(c);
}

/* A request with a JSON body (json), a file body (c->body.f set, with its
 * size), or none. */
static int call_setup(const struct node *n, const struct party *peer, const char *path,
		      const char *json, struct peer_call *c, struct gs_diag *d)
{
	char cert[GS_PATH_MAX], key[GS_PATH_MAX];
	size_t elen;
	CURL *h;

	if (!peer->endpoint[0])
		return gs_diag_set(d, GS_ESTATE, "party '%s' has no endpoint in its identity", peer->code);
	if (!peer->tls_pin[0])
		return gs_diag_set(d, GS_ESTATE, "party '%s' has no tls-pin in its identity", peer->code);
	if (path[0] != '/')
		return gs_diag_set(d, GS_EINVAL, "path '%s' does not start with '/'", path);
	elen = strlen(peer->endpoint);
	while (elen > 0 && peer->endpoint[elen - 1] == '/')
		elen--;
	if ((size_t)snprintf(c->url, sizeof(c->url), "%.*s%s", (int)elen, peer->endpoint, path) >= sizeof(c->url))
		return gs_diag_set(d, GS_ELIMIT, "URL too long");
	snprintf(c->code, sizeof(c->code), "%s", peer->code);
	node_tls_files(n, cert, key);

	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK)
		return gs_diag_set(d, GS_EIO, "cannot initialise libcurl");
	h = c->h = curl_easy_init();
	if (!h)
		return GS_ENOMEM;
	c->errbuf[0] = 0;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	if (curl_share)
		curl_easy_setopt(h, CURLOPT_SHARE, curl_share);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	if (c->body.f) {
		/* a large file takes as long as it takes, as long as it moves */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, TOTAL_TIMEOUT);
	} else {
		curl_easy_setopt(h, CURLOPT_TIMEOUT, TOTAL_TIMEOUT);
	}
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)GS_NET_MAX_REPLY);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
	/* Self-signed certificates: the pin is the trust, so neither the
	 * chain nor the host name is checked; the pin is checked on every
	 * connection, fresh or reused (libcurl reuses a connection only for
	 * a request with the same pinned key and client certificate). */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, peer->tls_pin);
	/* No certificate authority is trusted, so none is loaded: reading the
	 * system's CA bundle cost most of a delivery's time */
	curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
	curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_SSLKEY, key);
	curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->sink);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "gsomia/0.1");
	c->hdrs = curl_slist_append(c->hdrs, "Accept: application/json");
	if (json) {
		c->hdrs = c->hdrs ? curl_slist_append(c->hdrs, "Content-Type: application/json") : NULL;
		/* No "Expect: 100-continue" round trip. */
		c->hdrs = c->hdrs ? curl_slist_append(c->hdrs, "Expect:") : NULL;
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	} else if (c->body.f) {
		c->hdrs = c->hdrs ? curl_slist_append(c->hdrs, "Content-Type: application/octet-stream") : NULL;
		c->hdrs = c->hdrs ? curl_slist_append(c->hdrs, "Expect:") : NULL;
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body.size);
	}
	if (!c->hdrs)
		return GS_ENOMEM;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->hdrs);
	return 0;
}

CURL *peer_call_handle(struct peer_call *c)
{
	return c->h;
}

struct peer_call *peer_call_of(CURL *h)
{
	char *p = NULL;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, &p);
	return (struct peer_call *)p;
}

int peer_call_result(struct peer_call *c, CURLcode rc, long *status, char **reply, struct gs_diag *d)
{
	long code = 0;

	*reply = NULL;
	if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
		return gs_diag_set(d, GS_ECRYPTO, "%s (%s): the server's TLS key does not match the tls-pin in its identity; refused",
				   c->code, c->url);
	if (c->sink.too_large || rc == CURLE_FILESIZE_EXCEEDED)
		return gs_diag_set(d, GS_ELIMIT, "%s (%s): reply larger than %u bytes", c->code, c->url,
				   GS_NET_MAX_REPLY);
	if (rc != CURLE_OK)
		return gs_diag_set(d, GS_EIO, "%s (%s): %s", c->code, c->url,
				   c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	if (!c->sink.buf && !(c->sink.buf = calloc(1, 1)))
		return GS_ENOMEM;
	*status = code;
	*reply = c->sink.buf;
	c->sink.buf = NULL;
	return 0;
}

static int request(const struct node *n, const struct party *peer, const char *path,
		   const char *json, long *status, char **reply, struct gs_diag *d)
{
	struct peer_call *c = calloc(1, sizeof(*c));
	int ret;

	*reply = NULL;
	if (!c)
		return GS_ENOMEM;
	if (!(ret = call_setup(n, peer, path, json, c, d)))
		ret = peer_call_result(c, curl_easy_perform(c->h), status, reply, d);
	peer_call_free(c);
	return ret;
}

int peer_get(const struct node *n, const struct party *peer, const char *path, long *status,
	     char **reply, struct gs_diag *d)
{
	return request(n, peer, path, NULL, status, reply, d);
}

int peer_post(const struct node *n, const struct party *peer, const char *path, const char *json,
	      long *status, char **reply, struct gs_diag *d)
{
	return request(n, peer, path, json, status, reply, d);
}

int peer_call_file(const struct node *n, const struct party *peer, const char *path, const char *file,
		   uint64_t offset, struct peer_call **out, struct gs_diag *d)
{
	struct peer_call *c = calloc(1, sizeof(*c));
	struct stat sb;
	int ret;

	*out = NULL;
	if (!c)
		return GS_ENOMEM;
	if (!(c->body.f = fopen(file, "rbe"))) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", file, strerror(errno));
	} else if (fstat(fileno(c->body.f), &sb) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", file, strerror(errno));
	} else if ((uint64_t)sb.st_size > GS_NET_MAX_UPLOAD) {
		ret = gs_diag_set(d, GS_ELIMIT, "%s is larger than %llu bytes", file,
				  (unsigned long long)GS_NET_MAX_UPLOAD);
	} else if (offset > (uint64_t)sb.st_size || fseeko(c->body.f, (off_t)offset, SEEK_SET) != 0) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: no byte %llu to resume from", file,
				  (unsigned long long)offset);
	} else {
		c->body.size = (uint64_t)sb.st_size - offset;
		ret = call_setup(n, peer, path, NULL, c, d);
	}
	if (ret) {
		peer_call_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int peer_call_get(const struct node *n, const struct party *peer, const char *path, struct peer_call **out,
		  struct gs_diag *d)
{
	struct peer_call *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return GS_ENOMEM;
	if ((ret = call_setup(n, peer, path, NULL, c, d))) {
		peer_call_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int peer_post_file(const struct node *n, const struct party *peer, const char *path,
		   const char *file, uint64_t offset, long *status, char **reply,
		   struct gs_diag *d)
{
	struct peer_call *c;
	int ret;

	*reply = NULL;
	if ((ret = peer_call_file(n, peer, path, file, offset, &c, d)))
		return ret;
	ret = peer_call_result(c, curl_easy_perform(c->h), status, reply, d);
	peer_call_free(c);
	return ret;
}
