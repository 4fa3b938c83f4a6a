/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/party.h"
#include "node/partial.h"
#include "util/file.h"
#include "util/banned.h"

#define FEED_BLOCK (1u << 20)

struct partial {
	int fd;
	int keep;                 /* partial_interrupted: the file stays */
	struct bundle_check *check;
	struct partial_keys keys; /* bundle_check's key callback borrows it */
	char path[GS_PATH_MAX];
};

int partial_bundle_key(void *ctx, const char *sender, char key_name[GS_MAX_NAME], uint8_t pk[32],
		       struct gs_diag *d)
{
	const struct partial_keys *k = ctx;
	struct party *p = malloc(sizeof(*p));
	int ret;

	if (!p)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	if (k->lock)
		pthread_mutex_lock(k->lock);
	if (!strcmp(sender, k->n->self.code)) {
		*p = k->n->self;
		ret = 0;
	} else {
		ret = node_party_get(k->n, sender, p, d);
	}
	if (k->lock)
		pthread_mutex_unlock(k->lock);
	if (ret == 0) {
		party_key_name(p->code, p->exercise, key_name);
		memcpy(pk, p->sign_pk, 32);
	}
	free(p);
	return ret;
}

static int path_of(const struct partial_keys *k, const char *peer, const char *id, char *out,
		   size_t cap, struct gs_diag *d)
{
	char dir[GS_PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/partial", k->n->home);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot make %s: %s", dir, strerror(errno));
	if ((size_t)snprintf(out, cap, "%s/%s-%s", dir, peer, id) >= cap)
		return gs_diag_set(d, GS_ELIMIT, "bundle id too long");
	return 0;
}

/* Interrupted deliveries kept for peer, other than `id`'s. */
static size_t pending_for(const struct partial_keys *k, const char *peer, const char *id)
{
	char dir[GS_PATH_MAX], mine[GS_MAX_CODE + 80];
	size_t n = 0, pl = strlen(peer);
	struct dirent *e;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/partial", k->n->home);
	snprintf(mine, sizeof(mine), "%s-%s", peer, id);
	if (!(dp = opendir(dir)))
		return 0;
	while ((e = readdir(dp)))
		if (!strncmp(e->d_name, peer, pl) && e->d_name[pl] == '-' && strcmp(e->d_name, mine))
			n++;
	closedir(dp);
	return n;
}

/* Opens and locks the file of (peer, id); GS_ESTATE if it is locked. */
static int open_locked(const char *path, const char *peer, const char *id, int create, int *fd,
		       struct gs_diag *d)
{
	*fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (*fd < 0) {
		if (errno == ENOENT)
			return GS_ENOTFOUND;
		return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(errno));
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return gs_diag_set(d, GS_ESTATE, "a delivery of bundle %s from %s is under way", id,
					   peer);
		return gs_diag_set(d, GS_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}

/*
 * Feeds the first `limit` bytes of fd (all if UINT64_MAX) to a fresh check.
 * Returns 0 with *out set, the check holding exactly its verified prefix:
 * if the file holds more (an incomplete or bad chunk, bytes past the end),
 * the file is cut to that prefix and the check made again from it. An
 * error for a file whose first regions do not verify.
 */
static int feed_file(const struct partial_keys *k, int fd, struct bundle_check **out,
		     struct gs_diag *d)
{
	struct bundle_check *c = NULL;
	struct gs_diag ld = { { 0 } };
	uint64_t good = UINT64_MAX, left;
	uint8_t *buf = malloc(FEED_BLOCK);
	ssize_t r;
	int ret, pass;

	if (!buf)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	for (pass = 0; pass < 2; pass++) {
		if ((ret = bundle_check_new(partial_bundle_key, (void *)k, &c, d)) != 0)
			goto out;
		if (lseek(fd, 0, SEEK_SET) != 0) {
			ret = gs_diag_set(d, GS_EIO, "partial delivery: cannot seek");
			goto out;
		}
		left = good;
		ret = 0;
		while (left > 0) {
			r = read(fd, buf, left < FEED_BLOCK ? (size_t)left : FEED_BLOCK);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				ret = gs_diag_set(d, GS_EIO, "partial delivery: read failed");
				goto out;
			}
			if (r == 0)
				break;
			if (left != UINT64_MAX)
				left -= (uint64_t)r;
			if ((ret = bundle_check_update(c, buf, (size_t)r, &ld)) != 0)
				break;
		}
		if (ret == 0 && bundle_check_taken(c) == bundle_check_verified(c))
			break;
		/* more than the verified prefix: keep only that */
		if (bundle_check_verified(c) == 0 && ret != 0) {
			*d = ld;
			goto out;
		}
		good = bundle_check_verified(c);
		bundle_check_free(c);
		c = NULL;
		if (ftruncate(fd, (off_t)good) != 0) {
			ret = gs_diag_set(d, GS_EIO, "partial delivery: %s", strerror(errno));
			goto out;
		}
	}
	if (lseek(fd, 0, SEEK_END) < 0) {
		ret = gs_diag_set(d, GS_EIO, "partial delivery: cannot seek");
		goto out;
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	bundle_check_free(c);
	free(buf);
	return ret;
}

int partial_begin(const struct partial_keys *k, const char *peer, const char *id,
		  uint64_t offset, struct partial **out, uint64_t *have, struct gs_diag *d)
{
	struct partial *p = calloc(1, sizeof(*p));
	int ret;

	*have = 0;
	if (!p)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	p->fd = -1;
	p->keys = *k;
	if ((ret = path_of(k, peer, id, p->path, sizeof(p->path), d)) != 0)
		goto fail;
	if (pending_for(k, peer, id) >= GS_NET_MAX_PARTIALS) {
		ret = gs_diag_set(d, GS_ELIMIT,
				  "%s has %d interrupted deliveries here already; finish one first",
				  peer, GS_NET_MAX_PARTIALS);
		goto fail;
	}
	if ((ret = open_locked(p->path, peer, id, 1, &p->fd, d)) != 0)
		goto fail;
	if (offset == PARTIAL_ASK) {
		/* no offset named: a verified part kept here is said (409 with
		 * its length), so that a sender that lost count of an
		 * interrupted delivery (it crashed) resumes instead of
		 * sending it all again; nothing kept starts afresh */
		struct gs_diag ignored = { { 0 } }; /* a kept part that fails is dropped */
		struct stat sb;

		offset = 0;
		if (fstat(p->fd, &sb) == 0 && sb.st_size > 0) {
			if (feed_file(&p->keys, p->fd, &p->check, &ignored) == 0 &&
			    (*have = bundle_check_verified(p->check)) > 0) {
				p->keep = 1;
				ret = gs_diag_set(d, GS_ESTATE,
						  "bundle %s: %" PRIu64 " bytes are kept here; resume from there",
						  id, *have);
				goto fail;
			}
			bundle_check_free(p->check);
			p->check = NULL;
			*have = 0;
		}
	}
	if (offset == 0) {
		/* afresh, whatever was kept */
		if (ftruncate(p->fd, 0) != 0) {
			ret = gs_diag_set(d, GS_EIO, "partial delivery: %s", strerror(errno));
			goto fail;
		}
		if ((ret = bundle_check_new(partial_bundle_key, &p->keys, &p->check, d)) != 0)
			goto fail;
	} else {
		if ((ret = feed_file(&p->keys, p->fd, &p->check, d)) != 0) {
			/* nothing of it holds: gone, and the sender starts again */
			if (ftruncate(p->fd, 0) == 0)
				ret = gs_diag_set(d, GS_ESTATE, "the kept part of bundle %s did not verify; start from 0", id);
			goto fail;
		}
		*have = bundle_check_verified(p->check);
		if (*have != offset) {
			p->keep = 1;
			ret = gs_diag_set(d, GS_ESTATE,
					  "bundle %s: %" PRIu64 " bytes are kept here, not %" PRIu64 "; resume from there",
					  id, *have, offset);
			goto fail;
		}
	}
	*out = p;
	return 0;
fail:
	partial_free(p);
	return ret;
}

uint64_t partial_verified(const struct partial *p)
{
	return bundle_check_verified(p->check);
}

int partial_write(struct partial *p, const void *data, size_t n, struct gs_diag *d)
{
	int ret = bundle_check_update(p->check, data, n, d);

	/* the bytes are kept only if they are of the bundle; a refusal stays
	 * in the check and partial_finish returns it */
	if (ret == 0 && write_all(p->fd, data, n) != 0)
		return gs_diag_set(d, GS_EIO, "partial delivery: %s", strerror(errno));
	return ret;
}

int partial_finish(struct partial *p, const char **path, struct gs_diag *d)
{
	/* a short bundle (the body ended before it did) is GS_EINVAL */
	int ret = bundle_check_finish(p->check, NULL, d);

	if (ret)
		return ret;
	if (fsync(p->fd) != 0)
		return gs_diag_set(d, GS_EIO, "partial delivery: %s", strerror(errno));
	*path = p->path;
	return 0;
}

void partial_interrupted(struct partial *p)
{
	/* a refusal before the drop: nothing is kept */
	if (bundle_check_error(p->check) != 0)
		return;
	if (bundle_check_verified(p->check) > 0 &&
	    ftruncate(p->fd, (off_t)bundle_check_verified(p->check)) == 0 && fsync(p->fd) == 0)
		p->keep = 1;
}

void partial_free(struct partial *p)
{
	if (!p)
		return;
	if (p->fd >= 0) {
		if (!p->keep)
			unlink(p->path); /* while locked: no one else has it open for writing */
		close(p->fd);
	}
	bundle_check_free(p->check);
	free(p);
}

int partial_offset(const struct partial_keys *k, const char *peer, const char *id, uint64_t *have,
		   struct gs_diag *d)
{
	struct bundle_check *c = NULL;
	char path[GS_PATH_MAX];
	int fd, ret;

	*have = 0;
	if ((ret = path_of(k, peer, id, path, sizeof(path), d)) != 0)
		return ret;
	ret = open_locked(path, peer, id, 0, &fd, d);
	if (ret == GS_ENOTFOUND)
		return 0;
	if (ret)
		return ret;
	if (feed_file(k, fd, &c, d) != 0) {
		unlink(path); /* nothing of it holds */
	} else {
		*have = bundle_check_verified(c);
		if (*have == 0)
			unlink(path);
		else
			(void)fsync(fd);
	}
	bundle_check_free(c);
	close(fd);
	return 0;
}

void partial_sweep(const char *home)
{
	char dir[GS_PATH_MAX];
	time_t old = time(NULL) - (time_t)GS_NET_PARTIAL_DAYS * 86400;
	struct dirent *e;
	struct stat st;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/partial", home);
	if (!(dp = opendir(dir)))
		return;
	while ((e = readdir(dp)))
		if (e->d_name[0] != '.' && fstatat(dirfd(dp), e->d_name, &st, 0) == 0 &&
		    st.st_mtime < old)
			(void)unlinkat(dirfd(dp), e->d_name, 0);
	closedir(dp);
}
