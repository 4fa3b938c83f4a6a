/* SPDX-License-Identifier: Apache-2.0 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/client.h"
#include "util/dynbuf.h"
#include "util/fault.h"
#include "util/banned.h"

#define CONNECT_TIMEOUT 10L /* seconds */
#define TOTAL_TIMEOUT 60L   /* seconds */
#define LOW_SPEED_LIMIT 1024L /* bytes a second a file upload keeps up, over TOTAL_TIMEOUT */

/* The reply, capped at GS_NET_MAX_REPLY: a bigger one aborts the transfer
 * and the buffer keeps GS_ELIMIT. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	size_t n = size * nmemb;

	return dynbuf_add(ctx, ptr, n) == 0 ? n : 0; /* 0 aborts the transfer */
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

/* A request with a JSON body (json), a file body (file, with its size),
 * or none. */
static int request(const struct node *n, const struct party *peer, const char *path,
		   const char *json, struct body *file, long *status, char **reply,
		   struct gs_diag *d)
{
	char url[GS_MAX_NAME * 2], cert[GS_PATH_MAX], key[GS_PATH_MAX];
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct dynbuf sink;
	size_t elen;
	CURLcode rc;
	CURL *h = NULL;
	long code = 0;
	int ret;

	*reply = NULL;
	dynbuf_init(&sink, GS_NET_MAX_REPLY);
	if (!peer->endpoint[0])
		return gs_diag_set(d, GS_ESTATE, "party '%s' has no endpoint in its identity", peer->code);
	if (!peer->tls_pin[0])
		return gs_diag_set(d, GS_ESTATE, "party '%s' has no tls-pin in its identity", peer->code);
	if (path[0] != '/')
		return gs_diag_set(d, GS_EINVAL, "path '%s' does not start with '/'", path);
	elen = strlen(peer->endpoint);
	while (elen > 0 && peer->endpoint[elen - 1] == '/')
		elen--;
	if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)elen, peer->endpoint, path) >= sizeof(url))
		return gs_diag_set(d, GS_ELIMIT, "URL too long");
	node_tls_files(n, cert, key);

	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK)
		return gs_diag_set(d, GS_EIO, "cannot initialise libcurl");
	h = curl_easy_init();
	if (!h)
		return GS_ENOMEM;
	errbuf[0] = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (curl_share)
		curl_easy_setopt(h, CURLOPT_SHARE, curl_share);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	if (file) {
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
	 * connection, fresh or reused. */
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
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "gsomia/0.1");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (json) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		/* No "Expect: 100-continue" round trip. */
		hdrs = curl_slist_append(hdrs, "Expect:");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	} else if (file) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/octet-stream");
		hdrs = curl_slist_append(hdrs, "Expect:");
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, file);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)file->size);
	}
	if (!hdrs) {
		ret = GS_ENOMEM;
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(h);
	if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		ret = gs_diag_set(d, GS_ECRYPTO, "%s (%s): the server's TLS key does not match the tls-pin in its identity; refused",
				  peer->code, url);
		goto out;
	}
	if (dynbuf_error(&sink) == GS_ELIMIT || rc == CURLE_FILESIZE_EXCEEDED) {
		ret = gs_diag_set(d, GS_ELIMIT, "%s (%s): reply larger than %u bytes", peer->code, url,
				  GS_NET_MAX_REPLY);
		goto out;
	}
	if (rc != CURLE_OK) {
		ret = gs_diag_set(d, GS_EIO, "%s (%s): %s", peer->code, url,
				  errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (!(*reply = dynbuf_take(&sink, NULL))) {
		ret = GS_ENOMEM;
		goto out;
	}
	*status = code;
	ret = 0;
out:
	dynbuf_free(&sink);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return ret;
}

int peer_get(const struct node *n, const struct party *peer, const char *path, long *status,
	     char **reply, struct gs_diag *d)
{
	return request(n, peer, path, NULL, NULL, status, reply, d);
}

int peer_post(const struct node *n, const struct party *peer, const char *path, const char *json,
	      long *status, char **reply, struct gs_diag *d)
{
	return request(n, peer, path, json, NULL, status, reply, d);
}

int peer_post_file(const struct node *n, const struct party *peer, const char *path,
		   const char *file, uint64_t offset, long *status, char **reply,
		   struct gs_diag *d)
{
	struct body b = { fopen(file, "rbe"), 0, 0 };
	struct stat sb;
	int ret;

	if (!b.f)
		return gs_diag_set(d, GS_EIO, "%s: %s", file, strerror(errno));
	if (fstat(fileno(b.f), &sb) != 0) {
		ret = gs_diag_set(d, GS_EIO, "%s: %s", file, strerror(errno));
	} else if ((uint64_t)sb.st_size > GS_NET_MAX_UPLOAD) {
		ret = gs_diag_set(d, GS_ELIMIT, "%s is larger than %llu bytes", file,
				  (unsigned long long)GS_NET_MAX_UPLOAD);
	} else if (offset > (uint64_t)sb.st_size || fseeko(b.f, (off_t)offset, SEEK_SET) != 0) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: no byte %llu to resume from", file,
				  (unsigned long long)offset);
	} else {
		b.size = (uint64_t)sb.st_size - offset;
		ret = request(n, peer, path, NULL, &b, status, reply, d);
	}
	fclose(b.f);
	return ret;
}
