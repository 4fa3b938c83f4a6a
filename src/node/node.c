/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/labelkey.h"
#include "crypto/note.h"
#include "node/agreements.h"
#include "node/commit.h"
#include "node/consent.h"
#include "node/ledger.h"
#include "node/registers.h"
#include "node/items.h"
#include "node/keyhistory.h"
#include "node/node.h"
#include "node/outbox.h"
#include "node/warnings.h"
#include "core/dbconf.h"
#include "store/key_store.h"
#include "store/pg.h"
#include "util/outfile.h"
#include "node/schemes.h"
#include "crypto/tls.h"
#include "util/file.h"
#include "util/banned.h"

#define DB_NAME "gsomia.db"
/* A home whose database is PostgreSQL names it here (docs/scale-out.md). */
#define DB_CONF_NAME "db.conf"
#define KEYS_NAME NODE_KEYS_FILE
#define KEYS_MAX 8192

const char *node_home_path(const char *flag)
{
	const char *env = getenv("GSOMIA_HOME");

	if (flag && *flag)
		return flag;
	if (env && *env)
		return env;
	return "./gsomia-home";
}

void party_key_name(const char *code, bool exercise, char out[GS_MAX_NAME])
{
	snprintf(out, GS_MAX_NAME, "%s/%s", exercise ? "gsomia-exercise" : "gsomia", code);
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? GS_ELIMIT : 0;
}

/* A home is "existing" if the directory holds anything at all. */
static int home_is_free(const char *home)
{
	DIR *dir = opendir(home);
	struct dirent *e;
	int free_ = 1;

	if (!dir)
		return errno == ENOENT ? 1 : 0;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			free_ = 0;
	closedir(dir);
	return free_;
}

/* Builds this node's identity text from its fields and scheme. */
static int make_identity(struct party *p, const char *code, const char *name, const char *zone,
			 const char *levels, bool exercise, const char *endpoint, struct gs_diag *d)
{
	char *text;
	size_t cap = GS_MAX_LINE * (GS_MAX_SCHEME_LEVELS + 16);
	const char *b64z;
	int n, ret;

	text = malloc(cap);
	if (!text)
		return GS_ENOMEM;
	/* Placeholder keys (all zero) until the real ones are set: the text
	 * is only parsed here to validate the fields and the scheme. */
	b64z = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	n = snprintf(text, cap,
		     "gsomia-party/v1\ncode: %s\nname: %s\nzone: %s\nexercise: %s\n"
		     "sign-key: %s\nbox-key: %s\n%s%s%s%s",
		     code, name, zone, exercise ? "yes" : "no", b64z, b64z,
		     endpoint ? "endpoint: " : "", endpoint ? endpoint : "", endpoint ? "\n" : "",
		     levels);
	if (n < 0 || (size_t)n >= cap) {
		free(text);
		return gs_diag_set(d, GS_ELIMIT, "identity too long");
	}
	ret = party_parse(text, (size_t)n, p, d);
	free(text);
	if (ret)
		gs_diag_prefix(d, "identity");
	return ret;
}

/* Derives the label key, puts its public half in p and writes its
 * self-signed certificate (the carrier XML-DSig's KeyInfo asks for) to
 * label.crt in the home. */
static int label_identity_create(const char *home, const struct node_keys *keys, struct party *p,
				 bool exercise, struct gs_diag *d)
{
	struct label_key *lk = NULL;
	char path[GS_PATH_MAX], cn[64];
	uint8_t *der = NULL;
	size_t len = 0;
	gs_instant now;
	int ret;

	/* An exercise node's certificate starts at its exercise clock. */
	now = (gs_instant)time(NULL);
	if (exercise && (ret = node_now(NULL, &now, d)))
		return ret;
	if ((ret = labelkey_derive(keys->sign_sk, exercise, &lk, d)))
		return ret;
	labelkey_public(lk, p->label_pk);
	p->has_label_key = true;
	snprintf(cn, sizeof(cn), "%s label key %s", exercise ? "gsomia-exercise" : "gsomia", p->code);
	if ((ret = labelkey_certificate(lk, cn, now, &der, &len, d)) == 0 &&
	    (ret = join(path, sizeof(path), home, NODE_LABEL_CRT_NAME)) == 0)
		ret = write_file_atomic(path, der, len, 0644, d);
	free(der);
	labelkey_free(lk);
	return ret;
}

static void remove_home(const char *home)
{
	char path[GS_PATH_MAX];
	static const char *const names[] = { KEYS_NAME, DB_NAME, DB_NAME "-wal", DB_NAME "-shm", DB_CONF_NAME,
					      "identity.txt", TLS_KEY_NAME, TLS_CRT_NAME,
					      NODE_LABEL_CRT_NAME };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!join(path, sizeof(path), home, names[i]))
			unlink(path);
	rmdir(home);
}

int node_init(const char *home, const char *code, const char *name, const char *zone,
	      const char *levels_text, bool exercise, const char *pass, size_t passlen,
	      struct gs_diag *d)
{
	return node_init_full(home, code, name, zone, levels_text, exercise, NULL, NULL, pass, passlen,
			      NULL, 0, d);
}

int node_init_with_keys(const char *home, const char *code, const char *name, const char *zone,
			const char *levels_text, bool exercise, const char *pass, size_t passlen,
			const char *old_sealed, size_t old_sealedlen, struct gs_diag *d)
{
	return node_init_full(home, code, name, zone, levels_text, exercise, NULL, NULL, pass, passlen,
			      old_sealed, old_sealedlen, d);
}

/* HOME/db.conf (core/dbconf.h): the database's locator, and whose node
 * it holds (a home pointed at another party's database is refused at
 * open). */
static int db_conf_write(const char *home, const char *db, const char *code, const char *fpr, struct gs_diag *d)
{
	char path[GS_PATH_MAX], text[DBCONF_DB_MAX + 256];
	struct dbconf c;
	int n;

	memset(&c, 0, sizeof(c));
	if (strlen(db) > DBCONF_DB_MAX || strpbrk(db, "\n\r\t"))
		return gs_diag_set(d, GS_EUSAGE, "--db: one line of at most %d characters", DBCONF_DB_MAX);
	memcpy(c.db, db, strlen(db) + 1);
	snprintf(c.party, sizeof(c.party), "%s", code);
	snprintf(c.fingerprint, sizeof(c.fingerprint), "%s", fpr);
	if ((n = dbconf_format(&c, text, sizeof(text))) < 0)
		return gs_diag_set(d, n, "--db: too long");
	if (join(path, sizeof(path), home, DB_CONF_NAME))
		return gs_diag_set(d, GS_ELIMIT, "home path too long");
	return write_file_atomic(path, text, (size_t)n, 0600, d);
}

/* The locator of the home's database into out (its SQLite file, or what
 * db.conf names), and the party and fingerprint db.conf expects ("" for
 * a SQLite home). 0, or an error naming the file. */
static int db_locator(const char *home, char *out, size_t outn, char *code, char *fpr, struct gs_diag *d)
{
	char path[GS_PATH_MAX], msg[160];
	struct dbconf c;
	uint8_t *text = NULL;
	size_t len = 0;
	int ret;

	code[0] = fpr[0] = 0;
	if (join(path, sizeof(path), home, DB_CONF_NAME))
		return gs_diag_set(d, GS_ELIMIT, "home path too long");
	if (access(path, F_OK) != 0)
		return join(out, outn, home, DB_NAME) ? gs_diag_set(d, GS_ELIMIT, "home path too long") : 0;
	if ((ret = read_file(path, DBCONF_DB_MAX + 1024, &text, &len, d)))
		return ret;
	ret = dbconf_parse((const char *)text, len, &c, msg, sizeof(msg));
	free(text);
	if (ret)
		return gs_diag_set(d, GS_EINVAL, "'%s' is damaged: %s", path, msg);
	if (strlen(c.db) >= outn)
		return gs_diag_set(d, GS_ELIMIT, "'%s': the database's locator is too long", path);
	memcpy(out, c.db, strlen(c.db) + 1);
	memcpy(code, c.party, strlen(c.party) + 1);
	memcpy(fpr, c.fingerprint, strlen(c.fingerprint) + 1);
	return 0;
}

int node_init_full(const char *home, const char *code, const char *name, const char *zone,
		   const char *levels_text, bool exercise, const char *endpoint, const char *db, const char *pass,
		   size_t passlen, const char *old_sealed, size_t old_sealedlen, struct gs_diag *d)
{
	const struct builtin_scheme *b = builtin_scheme(code);
	struct node_keys keys;
	struct party *p = NULL;
	struct store *st = NULL;
	struct store_party sp;
	struct node *tmp = NULL;
	gs_instant at;
	char path[GS_PATH_MAX];
	char keyname[GS_MAX_NAME];
	char fpr[80];
	char *ptext = NULL, *identity = NULL, *sealed = NULL;
	size_t idlen = 0, sealedlen = 0;
	int ret, created = 0, plen;

	memset(&keys, 0, sizeof(keys));
	if (!party_code_is_valid(code))
		return gs_diag_set(d, GS_EUSAGE, "party code '%s' is not three capital letters (ISO 3166 alpha-3)", code);
	if (!levels_text && !b)
		return gs_diag_set(d, GS_EUSAGE, "no built-in scheme for '%s': give --levels FILE", code);
	if (!name)
		name = b ? b->name : code;
	if (!zone)
		zone = b ? b->zone : "+00:00";
	if (!levels_text)
		levels_text = b->levels;
	if (strlen(home) >= GS_HOME_MAX - 64)
		return gs_diag_set(d, GS_ELIMIT, "home path too long");
	if (!home_is_free(home))
		return gs_diag_set(d, GS_EEXIST, "home '%s' already exists; refusing to overwrite it", home);
	if (passlen == 0)
		return gs_diag_set(d, GS_EUSAGE, "empty passphrase");

	p = calloc(1, sizeof(*p));
	ptext = malloc(GS_MAX_NOTE_BYTES);
	if (!p || !ptext) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = make_identity(p, code, name, zone, levels_text, exercise, endpoint, d)))
		goto out;
	if (old_sealed)
		ret = keys_unseal(old_sealed, old_sealedlen, pass, passlen, &keys, d);
	else
		ret = keys_generate(&keys);
	if (ret)
		goto out;
	memcpy(p->sign_pk, keys.sign_pk, sizeof(p->sign_pk));
	memcpy(p->box_pk, keys.box_pk, sizeof(p->box_pk));

	if (mkdir(home, 0700) != 0 && errno != EEXIST) {
		ret = gs_diag_set(d, GS_EIO, "cannot create home '%s': %s", home, strerror(errno));
		goto out;
	}
	created = 1;
	/* The TLS key is the node's transport identity; its pin goes into the
	 * signed identity, so that peers trust the key, not a CA (crypto/tls.h). */
	if ((ret = tls_identity_create(home, p->tls_pin, d)))
		goto out;
	/* The label key (crypto/labelkey.h) is derived from the signing key;
	 * the identity certifies its public half (docs/labels.md). */
	if ((ret = label_identity_create(home, &keys, p, exercise, d)))
		goto out;
	plen = party_format(p, ptext, GS_MAX_NOTE_BYTES);
	if (plen < 0) {
		ret = gs_diag_set(d, plen, "cannot format identity");
		goto out;
	}
	party_key_name(code, exercise, keyname);
	if ((ret = note_sign(ptext, (size_t)plen, keyname, keys.sign_sk, &identity, &idlen, d)))
		goto out;
	if ((ret = keys_seal(&keys, pass, passlen, NULL, &sealed, &sealedlen)))
		goto out;
	join(path, sizeof(path), home, KEYS_NAME);
	if ((ret = write_file_atomic(path, sealed, sealedlen, 0600, d)))
		goto out;
	keys_fingerprint(keys.sign_pk, fpr);
	if (db && strcmp(db, "sqlite")) {
		if (!pg_locator(db)) {
			ret = gs_diag_set(d, GS_EUSAGE, "--db: 'sqlite' or a PostgreSQL URI (postgresql://...), not '%s'", db);
			goto out;
		}
		if ((ret = db_conf_write(home, db, code, fpr, d)))
			goto out;
		snprintf(path, sizeof(path), "%s", db);
	} else {
		join(path, sizeof(path), home, DB_NAME);
	}
	if ((ret = store_open(path, STORE_CREATE, &st, d)))
		goto out;
	sp.code = (char *)code;
	sp.name = p->name;
	sp.fingerprint = fpr;
	sp.identity = (uint8_t *)identity;
	sp.identity_len = idlen;
	sp.is_self = 1;
	/* The node's first ledger entry records its birth and key. */
	tmp = calloc(1, sizeof(*tmp));
	if (!tmp) {
		ret = GS_ENOMEM;
		goto out;
	}
	tmp->st = st;
	tmp->self = *p;
	/* An exercise node's ledger follows its exercise clock from the start. */
	if ((ret = node_now(tmp, &at, d)))
		goto out;
	sp.imported_at = (int64_t)at;
	if ((ret = store_begin(st)) || (ret = store_meta_set(st, "party", code)) ||
	    (ret = store_meta_set(st, "exercise", exercise ? "yes" : "no")) ||
	    (ret = store_party_put(st, &sp)) ||
	    (ret = ledger_event(tmp, NULL, LEDGER_KEY_EVENT, at, code, d,
				"event", "node-init", "fingerprint", fpr, "mode",
				exercise ? "exercise" : "real", NULL)) ||
	    (ret = store_commit(st))) {
		store_rollback(st);
		if (!d || !d->msg[0] || ret != GS_EIO)
			gs_diag_set(d, ret, "cannot write the database in '%s'", home);
		goto out;
	}
	ret = 0;
out:
	if (tmp)
		ledger_node_release(tmp);
	free(tmp);
	store_close(st);
	if (ret && created)
		remove_home(home);
	keys_release(&keys);
	free(identity);
	if (sealed)
		free(sealed);
	free(ptext);
	free(p);
	return ret;
}

static int key_is(void *ctx, const struct store_party_key *k)
{
	return !strcmp(ctx, k->fingerprint);
}

/* Whether fingerprint fpr is one of the keys the database holds for
 * party code (node/keyhistory.c keeps every key a party has had). */
static bool own_key_was(struct store *st, const char *code, const char *fpr)
{
	return store_party_key_each(st, code, key_is, (void *)fpr) == 1;
}

static int open_home(const char *home, enum store_mode mode, struct node **out, struct gs_diag *d)
{
	char path[GS_PATH_MAX];
	struct node *n;
	struct store_party sp;
	char *code = NULL;
	char fpr[80];
	int ret;

	char want_code[8], want_fpr[80];

	if (strlen(home) >= GS_HOME_MAX - 64)
		return gs_diag_set(d, GS_ELIMIT, "home path too long");
	if ((ret = db_locator(home, path, sizeof(path), want_code, want_fpr, d)))
		return ret;
	if (!want_code[0] && access(path, F_OK) != 0) {
		char keys[GS_PATH_MAX];

		join(keys, sizeof(keys), home, KEYS_NAME);
		if (access(keys, F_OK) == 0)
			return gs_diag_set(d, GS_ENOTFOUND, "home '%s' has no database: %s is missing (restore it from "
					   "a backup); nothing was made", home, path);
		return gs_diag_set(d, GS_ENOTFOUND, "no node home at '%s' (run 'gsomia init' or set --home / GSOMIA_HOME)", home);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return GS_ENOMEM;
	memcpy(n->home, home, strlen(home) + 1);
	n->open_lock = -1;
	if ((ret = node_commit_init(n)) || (ret = store_open(path, mode, &n->st, d)))
		goto fail;
	/* A read that fails here on a database that opened is most often a
	 * damaged file: say so, naming it, rather than what was not found. */
	if ((ret = store_meta_get(n->st, "party", &code))) {
		if (!(ret = store_check(n->st, d)))
			ret = gs_diag_set(d, GS_EIO, "home '%s' has no party in %s (damaged database?)", home, path);
		goto fail;
	}
	ret = store_party_get(n->st, code, &sp);
	free(code);
	if (ret) {
		if (!(ret = store_check(n->st, d)))
			ret = gs_diag_set(d, GS_EIO, "home '%s': own identity missing from %s (damaged database?)", home,
					  path);
		goto fail;
	}
	ret = identity_verify(sp.identity, sp.identity_len, &n->self, fpr, d);
	store_party_release(&sp);
	/* a shared database must be this home's node's, not another party's:
	 * its party, and a key it has had (a rotation leaves db.conf's) */
	if (!ret && want_code[0] && (strcmp(want_code, n->self.code) ||
				     (strcmp(want_fpr, fpr) && !own_key_was(n->st, want_code, want_fpr))))
		ret = gs_diag_set(d, GS_EDENIED, "the database named in %s/%s holds the node of %s (fingerprint %s), "
				  "not this home's %s (%s): refused", home, DB_CONF_NAME, n->self.code, fpr,
				  want_code, want_fpr);
	/* this node's own key history: its earlier signatures stay verifiable */
	if (!ret)
		ret = node_party_keys_load(n, &n->self, d);
	if (ret)
		goto fail;
	node_outbox_bell_attach(n);
	*out = n;
	return 0;
fail:
	store_close(n->st);
	node_commit_fini(n);
	free(n);
	return ret;
}

/* What an interrupted action left among the files (a pending bundle, a
 * key rotation half done) is finished or removed only by a process that
 * has the home to itself: another one's pending file is an action under
 * way, not a crash's leftover. Every handle that may write holds
 * HOME/open.lock shared while it is open; the recovery needs it
 * exclusive, and is left to a later open when it is not free. */
#define OPEN_LOCK "open.lock"

static void recover_when_alone(struct node *n)
{
	char path[GS_PATH_MAX];
	bool alone;

	if (join(path, sizeof(path), n->home, OPEN_LOCK) ||
	    (n->open_lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return; /* a home this user cannot lock: nothing is touched */
	alone = flock(n->open_lock, LOCK_EX | LOCK_NB) == 0;
	if (alone) {
		keyhistory_recover(n);
		items_recover(n);
	}
	/* shared from now on: others may open, none may recover under us */
	while (flock(n->open_lock, LOCK_SH) != 0 && errno == EINTR)
		;
}

int node_open(const char *home, struct node **out, struct gs_diag *d)
{
	int ret = open_home(home, STORE_WRITE, out, d);

	if (!ret)
		recover_when_alone(*out);
	return ret;
}

bool node_store_unreachable(void)
{
	return store_unreachable();
}

int node_open_read(const char *home, struct node **out, struct gs_diag *d)
{
	int ret = open_home(home, STORE_READ_ONLY, out, d);

	/* files only: an interrupted action's object put in place or removed */
	if (!ret)
		recover_when_alone(*out);
	return ret;
}

int node_open_reader(const char *home, struct node **out, struct gs_diag *d)
{
	return open_home(home, STORE_READ_ONLY, out, d);
}

static int count_party(void *ctx, const struct store_party *p)
{
	(void)p;
	(*(unsigned *)ctx)++;
	return 0;
}

int node_reload(struct node *n, unsigned *parties, struct gs_diag *d)
{
	struct store_party sp;
	struct party *self;
	char fpr[80];
	int ret;

	agreement_cache_release(n);
	node_identity_cache_release(n);
	node_person_cache_release(n);
	if ((ret = store_party_get(n->st, n->self.code, &sp)))
		return gs_diag_set(d, ret, "home '%s': own identity missing", n->home);
	self = malloc(sizeof(*self));
	ret = self ? identity_verify(sp.identity, sp.identity_len, self, fpr, d) : GS_ENOMEM;
	store_party_release(&sp);
	/* the keys loaded stay: they must still be the identity's */
	if (!ret && n->keys_loaded &&
	    (memcmp(self->sign_pk, n->self.sign_pk, sizeof(self->sign_pk)) ||
	     memcmp(self->box_pk, n->self.box_pk, sizeof(self->box_pk))))
		ret = gs_diag_set(d, GS_ECRYPTO, "home '%s': its identity now names other keys; restart the server",
				  n->home);
	if (!ret)
		n->self = *self;
	free(self);
	if (ret)
		return ret;
	*parties = 0;
	return store_party_each(n->st, count_party, parties);
}

int node_unlock(struct node *n, const char *pass, size_t passlen, struct gs_diag *d)
{
	char path[GS_PATH_MAX];
	uint8_t *buf;
	size_t len;
	int ret;

	if (n->keys_loaded)
		return 0;
	join(path, sizeof(path), n->home, KEYS_NAME);
	if ((ret = read_file(path, KEYS_MAX, &buf, &len, d)))
		return ret;
	ret = keys_unseal((const char *)buf, len, pass, passlen, &n->keys, d);
	free(buf);
	if (ret)
		return ret;
	if (memcmp(n->keys.sign_pk, n->self.sign_pk, sizeof(n->self.sign_pk)) ||
	    memcmp(n->keys.box_pk, n->self.box_pk, sizeof(n->self.box_pk))) {
		keys_release(&n->keys);
		return gs_diag_set(d, GS_ECRYPTO, "%s does not hold the keys of this node's identity", path);
	}
	n->keys_loaded = true;
	return 0;
}

void node_close(struct node *n)
{
	if (!n)
		return;
	if (n->keys_loaded)
		keys_release(&n->keys);
	ledger_node_release(n);
	agreement_cache_release(n);
	node_identity_cache_release(n);
	node_person_cache_release(n);
	node_consent_cache_release(n);
	store_close(n->st);
	node_commit_fini(n);
	if (n->open_lock >= 0)
		close(n->open_lock);
	free(n);
}

int node_read_begin(struct node *n)
{
	return store_begin_read(n->st) ? GS_EIO : 0;
}

void node_read_end(struct node *n)
{
	if (store_commit(n->st))
		store_rollback(n->st);
}

int node_now(const struct node *n, gs_instant *out, struct gs_diag *d)
{
	const char *env = getenv("GSOMIA_NOW");

	if (env && *env) {
		if (n && !n->self.exercise)
			return gs_diag_set(d, GS_EUSAGE, "GSOMIA_NOW is honoured only by exercise nodes; unset it on a real node");
		if (instant_parse(env, 0, out))
			return gs_diag_set(d, GS_EUSAGE, "GSOMIA_NOW: '%s' is not an RFC 3339 instant", env);
		return 0;
	}
	*out = (gs_instant)time(NULL);
	return 0;
}

int64_t node_timer(void)
{
	return (int64_t)time(NULL);
}

int node_sign(struct node *n, const char *text, size_t len, char **out, size_t *outlen,
	      struct gs_diag *d)
{
	char keyname[GS_MAX_NAME];

	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	party_key_name(n->self.code, n->self.exercise, keyname);
	return note_sign(text, len, keyname, n->keys.sign_sk, out, outlen, d);
}

const struct party *node_self(const struct node *n)
{
	return &n->self;
}

const char *node_home(const struct node *n)
{
	return n->home;
}

bool node_unlocked(const struct node *n)
{
	return n->keys_loaded;
}

void node_set_actor(struct node *n, const char *person)
{
	snprintf(n->actor, sizeof(n->actor), "%s", person ? person : "");
}

void node_fingerprint(const struct node *n, char out[80])
{
	keys_fingerprint(n->self.sign_pk, out);
}

void node_tls_files(const struct node *n, char cert[GS_PATH_MAX], char key[GS_PATH_MAX])
{
	snprintf(cert, GS_PATH_MAX, "%s/%s", n->home, TLS_CRT_NAME);
	snprintf(key, GS_PATH_MAX, "%s/%s", n->home, TLS_KEY_NAME);
}

int node_tls_identity(const struct node *n, char **key_pem, size_t *key_len, char **crt_pem, size_t *crt_len,
		      struct gs_diag *d)
{
	char cert[GS_PATH_MAX], key[GS_PATH_MAX];
	uint8_t *k = NULL, *c = NULL;
	int ret;

	node_tls_files(n, cert, key);
	if ((ret = read_file(key, 16384, &k, key_len, d)) || (ret = read_file(cert, 16384, &c, crt_len, d))) {
		free(k);
		if (ret == GS_ENOTFOUND)
			gs_diag_set(d, ret, "home '%s' has no TLS identity (tls.key, tls.crt); it was made before 'gsomia serve' existed",
				    n->home);
		return ret;
	}
	/* a damaged file is named here, in one line, before the TLS library
	 * would say it in its own words */
	if ((ret = tls_identity_check(n->home, (const char *)k, *key_len, (const char *)c, *crt_len, d))) {
		free(k);
		free(c);
		return ret;
	}
	*key_pem = (char *)k;
	*crt_pem = (char *)c;
	return 0;
}

int node_tls_pin_of_cert(const uint8_t *der, size_t len, char pin[GS_MAX_NAME], struct gs_diag *d)
{
	return tls_pin_of_cert_der(der, len, pin, d);
}
