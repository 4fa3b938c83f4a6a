/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/note.h"
#include "node/agreements.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

#define MAX_FILES 2048
#define SRC_MAX 512

static const char DEF_MAGIC[] = "gsomia-agreement/v1\n";
static const char NOTE_MAGIC[] = "gsomia-note/v1\n";

/* One file's bytes and where they came from, for messages. */
struct blob {
	uint8_t *buf;
	size_t len;
	char src[SRC_MAX];
	bool held; /* loaded from the node's own database */
};

/* What a directory, a file or the database holds about one agreement,
 * before any of it is trusted. */
struct evidence {
	size_t ndefs, nsigs, nnotes, nids;
	struct blob defs[GS_MAX_VERSIONS * 2];
	struct blob sigs[GS_MAX_VERSIONS * GS_MAX_PARTIES * 2];
	struct blob *notes; /* GS_MAX_NOTES */
	struct blob ids[GS_MAX_PARTIES * 2];
};

static void evidence_release(struct evidence *e)
{
	size_t i;

	for (i = 0; i < e->ndefs; i++)
		free(e->defs[i].buf);
	for (i = 0; i < e->nsigs; i++)
		free(e->sigs[i].buf);
	for (i = 0; i < e->nnotes; i++)
		free(e->notes[i].buf);
	for (i = 0; i < e->nids; i++)
		free(e->ids[i].buf);
	free(e->notes);
	memset(e, 0, sizeof(*e));
}

static int evidence_init(struct evidence *e)
{
	memset(e, 0, sizeof(*e));
	e->notes = calloc(GS_MAX_NOTES, sizeof(*e->notes));
	return e->notes ? 0 : GS_ENOMEM;
}

/* Takes ownership of buf. */
static int evidence_add(struct evidence *e, struct blob *arr, size_t *n, size_t cap, uint8_t *buf,
			size_t len, const char *src, const char *what, struct gs_diag *d)
{
	(void)e;
	if (*n >= cap) {
		free(buf);
		return gs_diag_set(d, GS_ELIMIT, "%s: more than %zu %s", src, cap, what);
	}
	arr[*n].buf = buf;
	arr[*n].len = len;
	arr[*n].held = false;
	snprintf(arr[*n].src, SRC_MAX, "%s", src);
	(*n)++;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !memcmp(s + a - b, suffix, b);
}

/* Files are classified by extension: .txt a definition, .sig a signature
 * over one, .note a diplomatic note, .id a party identity. Others (a
 * README) are ignored. */
static int evidence_add_file(struct evidence *e, const char *path, bool explicit_file, struct gs_diag *d)
{
	uint8_t *buf;
	size_t len;
	int ret;
	bool sig = ends_with(path, ".sig"), note = ends_with(path, ".note"), id = ends_with(path, ".id");

	if (!sig && !note && !id && !ends_with(path, ".txt") && !explicit_file)
		return 0;
	if ((ret = read_file(path, GS_MAX_NOTE_BYTES, &buf, &len, d)))
		return ret;
	if (sig)
		return evidence_add(e, e->sigs, &e->nsigs, sizeof(e->sigs) / sizeof(e->sigs[0]), buf,
				    len, path, "signature files", d);
	if (note)
		return evidence_add(e, e->notes, &e->nnotes, GS_MAX_NOTES, buf, len, path, "notes", d);
	if (id)
		return evidence_add(e, e->ids, &e->nids, sizeof(e->ids) / sizeof(e->ids[0]), buf, len,
				    path, "identities", d);
	/* A .txt, or a single file given by name: classified by content. */
	if (len >= sizeof(DEF_MAGIC) - 1 && !memcmp(buf, DEF_MAGIC, sizeof(DEF_MAGIC) - 1)) {
		if (memmem(buf, len, "\n\n\xe2\x80\x94 ", 6))
			return evidence_add(e, e->sigs, &e->nsigs, sizeof(e->sigs) / sizeof(e->sigs[0]),
					    buf, len, path, "signature files", d);
		return evidence_add(e, e->defs, &e->ndefs, sizeof(e->defs) / sizeof(e->defs[0]), buf,
				    len, path, "definitions", d);
	}
	if (len >= sizeof(NOTE_MAGIC) - 1 && !memcmp(buf, NOTE_MAGIC, sizeof(NOTE_MAGIC) - 1))
		return evidence_add(e, e->notes, &e->nnotes, GS_MAX_NOTES, buf, len, path, "notes", d);
	free(buf);
	if (!explicit_file && ends_with(path, ".txt"))
		return 0; /* a .txt that is not a definition (notes to readers) */
	return gs_diag_set(d, GS_EINVAL, "%s:1:1: neither an agreement definition nor a diplomatic note", path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a directory and its subdirectories (one level deep), in name
 * order so that results never depend on the file system. */
static int evidence_add_dir(struct evidence *e, const char *dir, int depth, struct gs_diag *d)
{
	char **names = NULL;
	size_t n = 0, i;
	DIR *dp;
	struct dirent *de;
	struct stat sb;
	char path[GS_HOME_MAX];
	int ret = 0;

	dp = opendir(dir);
	if (!dp)
		return gs_diag_set(d, errno == ENOENT ? GS_ENOTFOUND : GS_EIO, "%s: %s", dir, strerror(errno));
	names = calloc(MAX_FILES, sizeof(*names));
	if (!names) {
		closedir(dp);
		return GS_ENOMEM;
	}
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == MAX_FILES) {
			ret = gs_diag_set(d, GS_ELIMIT, "%s: more than %d files", dir, MAX_FILES);
			goto out;
		}
		if (!(names[n++] = strdup(de->d_name))) {
			ret = GS_ENOMEM;
			goto out;
		}
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && !ret; i++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

		if (len < 0 || (size_t)len >= sizeof(path)) {
			ret = gs_diag_set(d, GS_ELIMIT, "path too long: '%s/%s'", dir, names[i]);
			break;
		}
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth < 1)
				ret = evidence_add_dir(e, path, depth + 1, d);
		} else if (S_ISREG(sb.st_mode)) {
			ret = evidence_add_file(e, path, false, d);
		}
	}
out:
	closedir(dp);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

const struct party *party_set_find(const struct party_set *s, const char *code)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->p[i].code, code))
			return &s->p[i];
	return NULL;
}

void agreement_view_release(struct agreement_view *v)
{
	int i;

	for (i = 0; i < v->nversions; i++)
		agreement_free(v->versions[i]);
	free(v->notes);
	free(v->ignored);
	memset(v, 0, sizeof(*v));
}

const struct agreement *agreement_view_base(const struct agreement_view *v)
{
	return v->nversions ? v->versions[0] : NULL;
}

const struct agreement *agreement_view_version(const struct agreement_view *v, int version)
{
	int i;

	for (i = 0; i < v->nversions; i++)
		if (v->versions[i]->version == version)
			return v->versions[i];
	return NULL;
}

bool agreement_view_signed(const struct agreement_view *v, int vi)
{
	int i;

	for (i = 0; i < v->versions[vi]->nparties; i++)
		if (!v->signed_by[vi][i])
			return false;
	return true;
}

void agreement_view_missing(const struct agreement_view *v, int vi, char *out, size_t cap)
{
	size_t used = 0;
	int i, n;

	out[0] = 0;
	for (i = 0; i < v->versions[vi]->nparties; i++) {
		if (v->signed_by[vi][i])
			continue;
		n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", v->versions[vi]->parties[i]);
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
}

/* Parties are looked up in a set given by the directory (.id files) or,
 * for a home, in the node's register. */
typedef int (*party_lookup_fn)(void *ctx, const char *code, struct party *out, struct gs_diag *d);

static int lookup_in_node(void *ctx, const char *code, struct party *out, struct gs_diag *d)
{
	return node_party_get(ctx, code, out, d);
}

static int lookup_in_set(void *ctx, const char *code, struct party *out, struct gs_diag *d)
{
	const struct party *p = party_set_find(ctx, code);

	if (!p)
		return gs_diag_set(d, GS_ENOTFOUND, "unknown party '%s': no identity file for it", code);
	*out = *p;
	return 0;
}

static int add_version(struct agreement_view *v, const struct blob *b, const char *text, size_t len,
		       const char **texts, size_t *lens, struct gs_diag *d)
{
	struct agreement *a;
	int i, j, ret;

	for (i = 0; i < v->nversions; i++)
		if (lens[i] == len && !memcmp(texts[i], text, len))
			return i;
	a = agreement_new();
	if (!a)
		return GS_ENOMEM;
	if ((ret = agreement_parse(text, len, a, d))) {
		gs_diag_prefix(d, "%s", b->src);
		agreement_free(a);
		return ret;
	}
	if (v->nversions && strcmp(a->id, v->versions[0]->id)) {
		ret = gs_diag_set(d, GS_EINVAL, "%s: agreement '%s' mixed with '%s'", b->src, a->id,
				  v->versions[0]->id);
		agreement_free(a);
		return ret;
	}
	for (i = 0; i < v->nversions; i++) {
		if (v->versions[i]->version == a->version) {
			ret = gs_diag_set(d, GS_EINVAL, "%s: two different texts of '%s' version %d",
					  b->src, a->id, a->version);
			agreement_free(a);
			return ret;
		}
	}
	if (v->nversions == GS_MAX_VERSIONS) {
		agreement_free(a);
		return gs_diag_set(d, GS_ELIMIT, "%s: more than %d versions", b->src, GS_MAX_VERSIONS);
	}
	/* Keep versions sorted by number. */
	for (i = v->nversions; i > 0 && v->versions[i - 1]->version > a->version; i--) {
		v->versions[i] = v->versions[i - 1];
		texts[i] = texts[i - 1];
		lens[i] = lens[i - 1];
		for (j = 0; j < GS_MAX_PARTIES; j++)
			v->signed_by[i][j] = v->signed_by[i - 1][j];
	}
	v->versions[i] = a;
	texts[i] = text;
	lens[i] = len;
	for (j = 0; j < GS_MAX_PARTIES; j++)
		v->signed_by[i][j] = false;
	v->nversions++;
	return i;
}

static void note_id(const uint8_t *buf, size_t len, char out[GS_NOTE_ID_HEX])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, buf, len);
	sodium_bin2hex(out, GS_NOTE_ID_HEX, h, sizeof(h));
}

static int cmp_note(const void *a, const void *b)
{
	const struct dipnote *x = a, *y = b;

	if (x->delivered != y->delivered)
		return x->delivered < y->delivered ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Collects the notes lifecycle_admit() ignores into v->ignored. */
struct ignore_ctx {
	struct agreement_view *v;
	int err;
};

static void ignore_one(void *ctx, const struct dipnote *note, int err, const char *reason)
{
	struct ignore_ctx *c = ctx;
	struct ignored_note *x;

	if (!c->v->ignored && !(c->v->ignored = calloc(GS_MAX_NOTES, sizeof(*c->v->ignored)))) {
		c->err = GS_ENOMEM;
		return;
	}
	if (c->v->nignored >= GS_MAX_NOTES)
		return;
	x = &c->v->ignored[c->v->nignored++];
	x->note = *note;
	x->err = err;
	snprintf(x->reason, sizeof(x->reason), "%s", reason);
}

/* Keeps, of notes[0..*n) sorted in delivery order, those that apply;
 * the others go to v->ignored (replacing what it held). */
static int admit(struct agreement_view *v, struct dipnote *notes, size_t *n)
{
	struct ignore_ctx c = { v, 0 };
	int ret;

	v->nignored = 0;
	ret = lifecycle_admit(v->versions[0], agreement_view_signed(v, 0), notes, *n, n, ignore_one, &c);
	return ret ? ret : c.err;
}

/* One line naming a note: its kind, sender, delivery and id. */
static void note_name(const struct dipnote *note, int32_t zone, char *out, size_t cap)
{
	char when[GS_INSTANT_STR];

	instant_format_local(note->delivered, zone, when);
	snprintf(out, cap, "%s note by %s delivered %s (%.16s)", dipnote_kind_name(note->kind), note->from,
		 when, note->id);
}

/*
 * The history held, with cand added (NULL: none) and the note `without`
 * removed (NULL: none), replayed in delivery order: 0 if every note
 * applies, else the refusal, naming the first note that would not: cand
 * itself (its reason), or a note held that would no longer apply.
 */
static int replay_with(const struct agreement_view *v, const struct dipnote *cand, const char *without,
		       struct gs_diag *d)
{
	struct agreement_view tmp;
	struct dipnote *notes;
	size_t i, n = 0;
	char name[GS_MAX_LINE];
	int ret;

	notes = calloc(v->nnotes + 1, sizeof(*notes));
	if (!notes)
		return GS_ENOMEM;
	for (i = 0; i < v->nnotes; i++)
		if (!without || strcmp(v->notes[i].id, without))
			notes[n++] = v->notes[i];
	if (cand)
		notes[n++] = *cand;
	qsort(notes, n, sizeof(*notes), cmp_note);
	tmp = *v;
	tmp.ignored = NULL;
	tmp.nignored = 0;
	ret = admit(&tmp, notes, &n);
	if (!ret && tmp.nignored) {
		const struct ignored_note *x = &tmp.ignored[0];

		if (cand && !strcmp(x->note.id, cand->id)) {
			ret = gs_diag_set(d, x->err, "%s", x->reason);
		} else {
			note_name(&x->note, v->versions[0]->zone, name, sizeof(name));
			if (cand)
				ret = gs_diag_set(d, GS_EDENIED, "this note would make the %s no longer apply: %s",
						  name, x->reason);
			else
				ret = gs_diag_set(d, GS_EDENIED, "without it, the %s would no longer apply: %s",
						  name, x->reason);
		}
	}
	free(tmp.ignored);
	free(notes);
	return ret;
}

/* Verifies the evidence and builds the view. Signatures and notes must
 * verify under the parties' keys; a signature line that claims a
 * party's key and fails is a forgery and refuses the whole set. */
static int assemble(struct evidence *e, party_lookup_fn lookup, void *lctx, int exercise,
		    struct agreement_view *v, struct gs_diag *d)
{
	const char *texts[GS_MAX_VERSIONS];
	size_t lens[GS_MAX_VERSIONS];
	struct signed_note *sn = NULL;
	char keyname[GS_MAX_NAME];
	size_t i;
	int ret = 0, vi, p;

	memset(v, 0, sizeof(*v));
	sn = calloc(1, sizeof(*sn));
	v->notes = calloc(GS_MAX_NOTES, sizeof(*v->notes));
	if (!sn || !v->notes) {
		ret = GS_ENOMEM;
		goto out;
	}
	for (i = 0; i < e->ndefs; i++)
		if ((vi = add_version(v, &e->defs[i], (const char *)e->defs[i].buf, e->defs[i].len,
				      texts, lens, d)) < 0) {
			ret = vi;
			goto out;
		}
	for (i = 0; i < e->nsigs; i++) {
		const struct blob *b = &e->sigs[i];
		const struct agreement *a;
		bool any = false;

		if ((ret = note_parse((const char *)b->buf, b->len, sn, d))) {
			gs_diag_prefix(d, "%s", b->src);
			goto out;
		}
		if ((vi = add_version(v, b, sn->text, sn->text_len, texts, lens, d)) < 0) {
			ret = vi;
			goto out;
		}
		a = v->versions[vi];
		for (p = 0; p < a->nparties; p++) {
			struct party party;

			if ((ret = lookup(lctx, a->parties[p], &party, d))) {
				gs_diag_prefix(d, "%s", b->src);
				goto out;
			}
			party_key_name(party.code, party.exercise, keyname);
			/* a definition's signature has no instant: any key of the
			 * party's history (node/keyhistory.h) */
			ret = party_note_verify_at(&party, sn, GS_INSTANT_NONE, NULL);
			if (ret == GS_ENOTFOUND)
				continue;
			if (ret) {
				ret = gs_diag_set(d, GS_ECRYPTO, "%s: signature by '%s' does not verify (forged or damaged)",
						  b->src, keyname);
				goto out;
			}
			v->signed_by[vi][p] = true;
			any = true;
		}
		ret = 0;
		if (!any) {
			ret = gs_diag_set(d, GS_ECRYPTO, "%s: no valid signature by a party to '%s'", b->src, a->id);
			goto out;
		}
	}
	if (!v->nversions) {
		ret = gs_diag_set(d, GS_ENOTFOUND, "no agreement definition found");
		goto out;
	}
	/* Notes: verified one by one, then checked in delivery order. */
	for (i = 0; i < e->nnotes; i++) {
		const struct blob *b = &e->notes[i];
		struct dipnote *n = &v->notes[v->nnotes];
		struct party party;
		int pi;

		if ((ret = note_parse((const char *)b->buf, b->len, sn, d)) ||
		    (ret = dipnote_parse(sn->text, sn->text_len, n, d))) {
			gs_diag_prefix(d, "%s", b->src);
			goto out;
		}
		note_id(b->buf, b->len, n->id);
		if (strcmp(n->agreement, v->versions[0]->id)) {
			ret = gs_diag_set(d, GS_EINVAL, "%s: note is about '%s', not '%s'", b->src,
					  n->agreement, v->versions[0]->id);
			goto out;
		}
		/* A state not in the definition speaks only to an agreement open
		 * to accession; whether it has acceded is the lifecycle's to say
		 * (lifecycle_check_note below). */
		pi = agreement_party_index(v->versions[0], n->from);
		if (pi < 0 && v->versions[0]->term.accession == ACCESSION_CLOSED) {
			ret = gs_diag_set(d, GS_ENOTFOUND, "%s: note from '%s', who is not a party to '%s'",
					  b->src, n->from, n->agreement);
			goto out;
		}
		if (exercise >= 0 && n->exercise != (exercise != 0)) {
			ret = gs_diag_set(d, GS_EDENIED, "%s: %s note refused by %s node", b->src,
					  n->exercise ? "an exercise" : "a real",
					  exercise ? "an exercise" : "a real");
			goto out;
		}
		if ((ret = lookup(lctx, n->from, &party, d))) {
			gs_diag_prefix(d, "%s", b->src);
			goto out;
		}
		/* with the sender's key of the delivery instant */
		ret = party_note_verify_at(&party, sn, n->delivered, d);
		if (ret == GS_EDENIED) {
			gs_diag_prefix(d, "%s", b->src);
			goto out;
		}
		if (ret) {
			ret = gs_diag_set(d, GS_ECRYPTO, "%s: %s", b->src,
					  ret == GS_ENOTFOUND ? "note is not signed by its sender"
							      : "sender's signature does not verify (forged or damaged)");
			goto out;
		}
		v->nnotes++;
	}
	qsort(v->notes, v->nnotes, sizeof(*v->notes), cmp_note);
	for (i = 1; i < v->nnotes; i++) {
		if (!strcmp(v->notes[i].id, v->notes[i - 1].id)) {
			memmove(&v->notes[i], &v->notes[i + 1], (v->nnotes - i - 1) * sizeof(*v->notes));
			v->nnotes--;
			i--;
		}
	}
	/* A replay applies what applies: a verified note the rules do not let
	 * apply (late under late-notice: refuse, after termination...) is
	 * listed with its reason, not fatal. Until every party has signed,
	 * the agreement is a draft whatever notes are held; they are checked
	 * in order once it is signed. */
	ret = admit(v, v->notes, &v->nnotes);
out:
	free(sn);
	if (ret)
		agreement_view_release(v);
	return ret;
}

int agreement_view_load_dir(const char *dir, struct agreement_view *out, struct gs_diag *d)
{
	struct evidence e;
	struct party_set *set;
	char fpr[80];
	size_t i;
	int ret;

	if ((ret = evidence_init(&e)))
		return ret;
	set = calloc(1, sizeof(*set));
	if (!set) {
		evidence_release(&e);
		return GS_ENOMEM;
	}
	if ((ret = evidence_add_dir(&e, dir, 0, d)))
		goto out;
	for (i = 0; i < e.nids; i++) {
		if (set->n == (int)(sizeof(set->p) / sizeof(set->p[0]))) {
			ret = gs_diag_set(d, GS_ELIMIT, "%s: too many identities", dir);
			goto out;
		}
		if ((ret = identity_verify(e.ids[i].buf, e.ids[i].len, &set->p[set->n], fpr, d))) {
			gs_diag_prefix(d, "%s", e.ids[i].src);
			goto out;
		}
		set->n++;
	}
	if ((ret = assemble(&e, lookup_in_set, set, -1, out, d)))
		goto out;
	out->parties = *set;
out:
	free(set);
	evidence_release(&e);
	return ret;
}

struct load_ctx {
	struct evidence *e;
	struct gs_diag *d;
	int version;
};

static int load_sig(void *ctx, const char *party, const uint8_t *note, size_t len)
{
	struct load_ctx *c = ctx;
	uint8_t *copy = malloc(len ? len : 1);
	char src[SRC_MAX];

	if (!copy)
		return GS_ENOMEM;
	memcpy(copy, note, len);
	snprintf(src, sizeof(src), "signature of %s (version %d)", party, c->version);
	if (evidence_add(c->e, c->e->sigs, &c->e->nsigs, sizeof(c->e->sigs) / sizeof(c->e->sigs[0]),
			 copy, len, src, "signatures", c->d))
		return GS_ELIMIT;
	c->e->sigs[c->e->nsigs - 1].held = true;
	return 0;
}

static int load_note(void *ctx, const struct store_dipnote *n)
{
	struct load_ctx *c = ctx;
	uint8_t *copy = malloc(n->note_len ? n->note_len : 1);
	char src[SRC_MAX];

	if (!copy)
		return GS_ENOMEM;
	memcpy(copy, n->note, n->note_len);
	snprintf(src, sizeof(src), "note %.16s", n->id);
	if (evidence_add(c->e, c->e->notes, &c->e->nnotes, GS_MAX_NOTES, copy, n->note_len, src,
			 "notes", c->d))
		return GS_ELIMIT;
	c->e->notes[c->e->nnotes - 1].held = true;
	return 0;
}

int agreement_view_load(struct node *n, const char *id, struct agreement_view *out, struct gs_diag *d)
{
	struct evidence e;
	struct load_ctx c;
	int latest, ver, ret;
	uint8_t *def;
	size_t len;
	char src[SRC_MAX];

	ret = store_agreement_latest(n->st, id, &latest);
	if (ret == GS_ENOTFOUND)
		return gs_diag_set(d, ret, "unknown agreement '%s'", id);
	if (ret)
		return gs_diag_set(d, ret, "cannot read agreement '%s'", id);
	if ((ret = evidence_init(&e)))
		return ret;
	c.e = &e;
	c.d = d;
	for (ver = 1; ver <= latest; ver++) {
		ret = store_agreement_get(n->st, id, ver, &def, &len);
		if (ret == GS_ENOTFOUND)
			continue;
		if (ret)
			goto out;
		snprintf(src, sizeof(src), "agreement '%s' version %d", id, ver);
		if ((ret = evidence_add(&e, e.defs, &e.ndefs, sizeof(e.defs) / sizeof(e.defs[0]), def,
					len, src, "definitions", d)))
			goto out;
		c.version = ver;
		if ((ret = store_signature_each(n->st, id, ver, load_sig, &c)))
			goto out;
	}
	if ((ret = store_dipnote_each(n->st, id, load_note, &c)))
		goto out;
	ret = assemble(&e, lookup_in_node, n, n->self.exercise, out, d);
out:
	evidence_release(&e);
	return ret;
}

bool agreement_view_concerns(const struct agreement_view *v, const char *code)
{
	int vi;

	for (vi = 0; vi < v->nversions; vi++)
		if (agreement_party_index(v->versions[vi], code) >= 0)
			return true;
	/* open to accession: a state may hold the text it means to accede to */
	return agreement_view_base(v)->term.accession != ACCESSION_CLOSED;
}

int agreement_view_status(const struct agreement_view *v, gs_instant at, struct lifecycle_status *st)
{
	return lifecycle_at(agreement_view_base(v), agreement_view_signed(v, 0), v->notes, v->nnotes,
			    at, st);
}

static int store_view(struct node *n, struct evidence *e, const struct agreement_view *v,
		      struct import_summary *sum, int64_t now, struct gs_diag *d)
{
	struct signed_note *sn;
	size_t i;
	int vi, ret = 0;

	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return GS_ENOMEM;
	/* Definitions: from .txt files and from the text of signature files. */
	for (vi = 0; vi < v->nversions; vi++) {
		const struct agreement *a = v->versions[vi];
		const uint8_t *text = NULL;
		size_t len = 0;

		for (i = 0; i < e->ndefs && !text; i++) {
			struct agreement *tmp = agreement_new();

			if (!tmp) {
				ret = GS_ENOMEM;
				goto out;
			}
			if (!agreement_parse((const char *)e->defs[i].buf, e->defs[i].len, tmp, NULL) &&
			    tmp->version == a->version) {
				text = e->defs[i].buf;
				len = e->defs[i].len;
			}
			agreement_free(tmp);
		}
		for (i = 0; i < e->nsigs && !text; i++) {
			struct agreement *tmp = agreement_new();

			if (!tmp) {
				ret = GS_ENOMEM;
				goto out;
			}
			if (!note_parse((const char *)e->sigs[i].buf, e->sigs[i].len, sn, NULL) &&
			    !agreement_parse(sn->text, sn->text_len, tmp, NULL) && tmp->version == a->version) {
				text = (const uint8_t *)sn->text;
				len = sn->text_len;
			}
			agreement_free(tmp);
		}
		if (!text)
			continue;
		{
			uint8_t *old;
			size_t oldlen;

			if (!store_agreement_get(n->st, a->id, a->version, &old, &oldlen)) {
				bool same = oldlen == len && !memcmp(old, text, len);

				free(old);
				if (same) {
					sum->already++;
					continue;
				}
			}
		}
		ret = store_agreement_put(n->st, a->id, a->version, text, len, now);
		if (ret == GS_EEXIST) {
			gs_diag_set(d, ret, "agreement '%s' version %d is already held with a different text; refused",
				    a->id, a->version);
			goto out;
		}
		if (ret)
			goto out;
		sum->definitions++;
	}
	/* Signatures: stored per party; each file may hold several. */
	for (i = 0; i < e->nsigs; i++) {
		struct agreement *tmp;
		int p;

		if (e->sigs[i].held)
			continue;
		tmp = agreement_new();
		if (!tmp) {
			ret = GS_ENOMEM;
			goto out;
		}
		if (note_parse((const char *)e->sigs[i].buf, e->sigs[i].len, sn, NULL) ||
		    agreement_parse(sn->text, sn->text_len, tmp, NULL)) {
			agreement_free(tmp);
			continue;
		}
		for (vi = 0; vi < v->nversions; vi++)
			if (v->versions[vi]->version == tmp->version)
				break;
		for (p = 0; vi < v->nversions && p < tmp->nparties; p++) {
			struct party party;

			if (node_party_get(n, tmp->parties[p], &party, NULL))
				continue;
			if (party_note_verify_at(&party, sn, GS_INSTANT_NONE, NULL))
				continue;
			if ((ret = store_signature_put(n->st, tmp->id, tmp->version, party.code,
						       e->sigs[i].buf, e->sigs[i].len, now))) {
				agreement_free(tmp);
				goto out;
			}
			sum->signatures++;
		}
		agreement_free(tmp);
	}
	/* Notes, already verified and checked in order by assemble(). */
	for (i = 0; i < e->nnotes; i++) {
		struct store_dipnote sd;
		struct dipnote *dn;
		char id[GS_NOTE_ID_HEX];

		if (e->notes[i].held)
			continue;
		dn = calloc(1, sizeof(*dn));
		if (!dn) {
			ret = GS_ENOMEM;
			goto out;
		}
		if (note_parse((const char *)e->notes[i].buf, e->notes[i].len, sn, NULL) ||
		    dipnote_parse(sn->text, sn->text_len, dn, NULL)) {
			free(dn);
			continue;
		}
		note_id(e->notes[i].buf, e->notes[i].len, id);
		sd.id = id;
		sd.agreement = dn->agreement;
		sd.kind = dipnote_kind_name(dn->kind);
		sd.sender = dn->from;
		sd.delivered = dn->delivered;
		sd.note = e->notes[i].buf;
		sd.note_len = e->notes[i].len;
		ret = store_dipnote_put(n->st, &sd, now);
		/* a note of this node's party that comes from outside is out
		 * already: it can never be discarded */
		if (!ret && !strcmp(dn->from, n->self.code))
			ret = store_dipnote_set_given(n->st, id, now);
		free(dn);
		if (ret == GS_EEXIST) {
			sum->already++;
			ret = 0;
			continue;
		}
		if (ret)
			goto out;
		sum->notes++;
	}
out:
	free(sn);
	return ret;
}

static bool holds_note(const struct dipnote *notes, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(notes[i].id, id))
			return true;
	return false;
}

/* An import never leaves a note that does not apply: a new note must
 * apply in its place in the whole history, and must not make a note held
 * here stop applying (held: the view before the import, or NULL). */
static int import_keeps_history(const struct agreement_view *v, const struct agreement_view *held,
				struct gs_diag *d)
{
	char name[GS_MAX_LINE];

	for (size_t i = 0; i < v->nignored; i++) {
		const struct ignored_note *x = &v->ignored[i];

		note_name(&x->note, v->versions[0]->zone, name, sizeof(name));
		if (held && holds_note(held->notes, held->nnotes, x->note.id))
			return gs_diag_set(d, GS_EDENIED, "this import would make the %s no longer apply: %s", name,
					   x->reason);
		{
			bool was_ignored = false; /* held from before these rules: tolerated, listed */

			for (size_t k = 0; held && k < held->nignored; k++)
				was_ignored |= !strcmp(held->ignored[k].note.id, x->note.id);
			if (!was_ignored)
				return gs_diag_set(d, x->err, "the %s does not apply: %s", name, x->reason);
		}
	}
	return 0;
}

int node_agreement_import(struct node *n, const char *path, struct import_summary *sum,
			  struct gs_diag *d)
{
	struct evidence e;
	struct agreement_view v, held;
	struct stat sb;
	gs_instant now;
	int ret, has_held = 0;
	char detail[128];

	memset(sum, 0, sizeof(*sum));
	memset(&held, 0, sizeof(held));
	if (stat(path, &sb) != 0)
		return gs_diag_set(d, GS_ENOTFOUND, "%s: %s", path, strerror(errno));
	if ((ret = node_now(n, &now, d)))
		return ret;
	if ((ret = evidence_init(&e)))
		return ret;
	ret = S_ISDIR(sb.st_mode) ? evidence_add_dir(&e, path, 0, d) : evidence_add_file(&e, path, true, d);
	if (ret)
		goto out;
	if (!e.ndefs && !e.nsigs && e.nnotes) {
		/* Notes alone: about an agreement the node already holds. */
		struct signed_note *sn = calloc(1, sizeof(*sn));
		struct dipnote *dn = calloc(1, sizeof(*dn));
		char id[GS_MAX_ID] = "";

		if (sn && dn && !note_parse((const char *)e.notes[0].buf, e.notes[0].len, sn, d) &&
		    !dipnote_parse(sn->text, sn->text_len, dn, d))
			snprintf(id, sizeof(id), "%s", dn->agreement);
		else if (!sn || !dn)
			ret = GS_ENOMEM;
		else
			ret = GS_EINVAL, gs_diag_prefix(d, "%s", e.notes[0].src);
		free(sn);
		free(dn);
		if (ret)
			goto out;
		if ((ret = agreement_view_load(n, id, &held, d)))
			goto out;
		has_held = 1;
	}
	if (has_held || e.ndefs || e.nsigs) {
		/* Whatever the node already holds about the agreement joins the
		 * evidence, so that notes are checked against the whole history. */
		struct load_ctx c = { &e, d, 0 };
		char id[GS_MAX_ID] = "";
		int latest, ver;

		if (has_held) {
			snprintf(id, sizeof(id), "%s", agreement_view_base(&held)->id);
		} else {
			struct agreement *tmp = agreement_new();
			struct signed_note *sn = calloc(1, sizeof(*sn));

			if (tmp && sn) {
				if (e.ndefs && !agreement_parse((const char *)e.defs[0].buf, e.defs[0].len, tmp, NULL))
					snprintf(id, sizeof(id), "%s", tmp->id);
				else if (e.nsigs && !note_parse((const char *)e.sigs[0].buf, e.sigs[0].len, sn, NULL) &&
					 !agreement_parse(sn->text, sn->text_len, tmp, NULL))
					snprintf(id, sizeof(id), "%s", tmp->id);
			}
			agreement_free(tmp);
			free(sn);
		}
		if (id[0] && !store_agreement_latest(n->st, id, &latest)) {
			for (ver = 1; ver <= latest; ver++) {
				uint8_t *def;
				size_t len;

				if (store_agreement_get(n->st, id, ver, &def, &len))
					continue;
				if ((ret = evidence_add(&e, e.defs, &e.ndefs, sizeof(e.defs) / sizeof(e.defs[0]),
							def, len, "held definition", "definitions", d)))
					goto out;
				e.defs[e.ndefs - 1].held = true;
				c.version = ver;
				if ((ret = store_signature_each(n->st, id, ver, load_sig, &c)))
					goto out;
			}
			if ((ret = store_dipnote_each(n->st, id, load_note, &c)))
				goto out;
		}
	}
	if ((ret = assemble(&e, lookup_in_node, n, n->self.exercise, &v, d)))
		goto out;
	snprintf(sum->id, sizeof(sum->id), "%s", agreement_view_base(&v)->id);
	if (!has_held && !agreement_view_load(n, sum->id, &held, NULL))
		has_held = 1;
	if ((ret = import_keeps_history(&v, has_held ? &held : NULL, d))) {
		agreement_view_release(&v);
		goto out;
	}
	if (!agreement_view_concerns(&v, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "agreement '%s': this node's party '%s' is not a party to it",
				  sum->id, n->self.code);
		agreement_view_release(&v);
		goto out;
	}
	if ((ret = store_begin(n->st))) {
		agreement_view_release(&v);
		goto out;
	}
	ret = store_view(n, &e, &v, sum, now, d);
	snprintf(detail, sizeof(detail), "%d definitions, %d signatures, %d notes", sum->definitions,
		 sum->signatures, sum->notes);
	if (!ret)
		ret = ledger_event(n, NULL, LEDGER_AGREEMENT_IMPORT, now, sum->id, d, "detail", detail,
				   NULL);
	if (!ret)
		ret = store_commit(n->st);
	if (ret) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot store agreement '%s'", sum->id);
	}
	agreement_view_release(&v);
out:
	if (has_held)
		agreement_view_release(&held);
	evidence_release(&e);
	return ret;
}

int node_agreement_sign(struct node *n, const char *id, int version, char **out, size_t *outlen,
			struct gs_diag *d)
{
	struct agreement_view v;
	const struct agreement *a;
	struct ledger_entry *e;
	uint8_t *def;
	size_t len;
	gs_instant now;
	char vs[16];
	int ret;

	if ((ret = node_now(n, &now, d)))
		return ret;
	if ((ret = agreement_view_load(n, id, &v, d)))
		return ret;
	a = version ? agreement_view_version(&v, version) : v.versions[v.nversions - 1];
	if (!a) {
		agreement_view_release(&v);
		return gs_diag_set(d, GS_ENOTFOUND, "agreement '%s' has no version %d", id, version);
	}
	version = a->version;
	if (agreement_party_index(a, n->self.code) < 0) {
		/* a state acceding to an agreement open to it holds the text
		 * but signs no version that does not list it */
		agreement_view_release(&v);
		return gs_diag_set(d, GS_EDENIED, "agreement '%s' version %d does not list %s among its "
				   "parties: this node does not sign it", id, version, n->self.code);
	}
	agreement_view_release(&v);
	if ((ret = store_agreement_get(n->st, id, version, &def, &len)))
		return gs_diag_set(d, ret, "cannot read agreement '%s'", id);
	ret = node_sign(n, (const char *)def, len, out, outlen, d);
	free(def);
	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(*out);
		*out = NULL;
		return GS_ENOMEM;
	}
	/* The entry commits to the signed note (the definition and this
	 * party's signature) by its digest. */
	e->type = LEDGER_AGREEMENT_SIGN;
	e->time = now;
	snprintf(e->item, sizeof(e->item), "%s", id);
	snprintf(e->party, sizeof(e->party), "%s", n->self.code);
	e->digest_alg = LEDGER_DIGEST_SHA256;
	crypto_hash_sha256(e->digest, (const uint8_t *)*out, *outlen);
	snprintf(vs, sizeof(vs), "%d", version);
	ledger_entry_field(e, "version", vs);
	ret = store_begin(n->st);
	if (!ret && !(ret = store_signature_put(n->st, id, version, n->self.code, (uint8_t *)*out, *outlen, now)) &&
	    !(ret = ledger_append(n, NULL, e, NULL, d)))
		ret = store_commit(n->st);
	free(e);
	if (ret) {
		store_rollback(n->st);
		free(*out);
		*out = NULL;
		return gs_diag_set(d, ret, "cannot record the signature");
	}
	return 0;
}

int node_note_make(struct node *n, struct dipnote *note, bool given, char **out, size_t *outlen,
		   struct gs_diag *d)
{
	struct agreement_view v;
	struct store_dipnote sd;
	char *text = NULL;
	gs_instant now;
	int len, ret;

	*out = NULL;
	if ((ret = node_now(n, &now, d)))
		return ret;
	if ((ret = agreement_view_load(n, note->agreement, &v, d)))
		return ret;
	snprintf(note->from, sizeof(note->from), "%s", n->self.code);
	note->exercise = n->self.exercise;
	if (note->delivered == GS_INSTANT_NONE)
		note->delivered = now;
	/* the note on its own first, for its own reason */
	ret = lifecycle_check_note(agreement_view_base(&v), agreement_view_signed(&v, 0), v.notes,
				   v.nnotes, note, d);
	if (!ret && !(text = malloc(GS_MAX_NOTE_BYTES)))
		ret = GS_ENOMEM;
	if (!ret && (len = dipnote_format(note, text, GS_MAX_NOTE_BYTES)) < 0)
		ret = gs_diag_set(d, len, "note too long");
	if (!ret)
		ret = node_sign(n, text, (size_t)len, out, outlen, d);
	free(text);
	if (!ret) {
		/* then the whole history with the note in its place: a note the
		 * node would refuse to import is never stored (docs/notes.md) */
		note_id((const uint8_t *)*out, *outlen, note->id);
		ret = replay_with(&v, note, NULL, d);
	}
	agreement_view_release(&v);
	if (ret) {
		free(*out);
		*out = NULL;
		return ret;
	}
	sd.id = note->id;
	sd.agreement = note->agreement;
	sd.kind = dipnote_kind_name(note->kind);
	sd.sender = note->from;
	sd.delivered = note->delivered;
	sd.note = (const uint8_t *)*out;
	sd.note_len = *outlen;
	if ((ret = store_begin(n->st)) || (ret = store_dipnote_put(n->st, &sd, now)) ||
	    (given && (ret = store_dipnote_set_given(n->st, note->id, now))) ||
	    (ret = ledger_event(n, NULL, LEDGER_NOTE, now, note->agreement, d, "kind", sd.kind,
				"note", note->id, NULL)) ||
	    (ret = store_commit(n->st))) {
		store_rollback(n->st);
		free(*out);
		*out = NULL;
		return gs_diag_set(d, ret, "cannot record the note");
	}
	return 0;
}

/* The held note id (or prefix) as made by this node: its row's bytes
 * (*buf malloc'd) and its parsed text. */
static int own_note(struct node *n, const char *id, char full[GS_NOTE_ID_HEX], uint8_t **buf, size_t *len,
		    struct dipnote *out, struct gs_diag *d)
{
	struct store_dipnote sd;
	struct signed_note *sn = calloc(1, sizeof(*sn));
	int ret;

	*buf = NULL;
	if (!sn)
		return GS_ENOMEM;
	ret = store_dipnote_find(n->st, id, full, &sd, buf);
	if (ret == GS_ENOTFOUND)
		ret = gs_diag_set(d, ret, "no note '%.64s' is held here", id);
	else if (ret == GS_EEXIST)
		ret = gs_diag_set(d, GS_EUSAGE, "'%.64s' names more than one note: give more of its id", id);
	else if (ret)
		ret = gs_diag_set(d, ret, "cannot read the notes");
	else if (note_parse((const char *)*buf, sd.note_len, sn, d) || dipnote_parse(sn->text, sn->text_len, out, d))
		ret = gs_diag_set(d, GS_EIO, "damaged note %.16s", full);
	else if (strcmp(out->from, n->self.code))
		ret = gs_diag_set(d, GS_EDENIED, "note %.16s is by %s: only the notes this node made are its to give "
				  "out or discard", full, out->from);
	if (!ret) {
		*len = sd.note_len;
		snprintf(out->id, sizeof(out->id), "%s", full);
	} else {
		free(*buf);
		*buf = NULL;
	}
	free(sn);
	return ret;
}

int node_note_export(struct node *n, const char *id, char **out, size_t *outlen, struct gs_diag *d)
{
	struct dipnote *note = calloc(1, sizeof(*note));
	char full[GS_NOTE_ID_HEX];
	uint8_t *buf = NULL;
	int64_t at;
	gs_instant now;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (!note)
		return GS_ENOMEM;
	if ((ret = node_now(n, &now, d)) || (ret = own_note(n, id, full, &buf, &len, note, d)))
		goto out;
	if (store_dipnote_given(n->st, full, &at) == 0) {
		ret = 0; /* given out before: nothing changes */
	} else if ((ret = store_begin(n->st)) || (ret = store_dipnote_set_given(n->st, full, now)) ||
		   (ret = ledger_event(n, NULL, LEDGER_NOTE, now, note->agreement, d, "kind",
				       dipnote_kind_name(note->kind), "note", full, "event", "given-out", NULL)) ||
		   (ret = store_commit(n->st))) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the note as given out");
		goto out;
	}
	*out = (char *)buf;
	*outlen = len;
	buf = NULL;
out:
	free(buf);
	free(note);
	return ret;
}

int node_note_discard(struct node *n, const char *id, struct dipnote *discarded, struct gs_diag *d)
{
	struct agreement_view v;
	char full[GS_NOTE_ID_HEX], when[GS_INSTANT_STR];
	uint8_t *buf = NULL;
	size_t len;
	int64_t at;
	gs_instant now;
	int ret;

	memset(discarded, 0, sizeof(*discarded));
	if ((ret = node_now(n, &now, d)) || (ret = own_note(n, id, full, &buf, &len, discarded, d)))
		return ret;
	free(buf);
	if (store_dipnote_given(n->st, full, &at) == 0) {
		instant_format((gs_instant)at, when);
		return gs_diag_set(d, GS_EDENIED, "note %.16s was given out at %s (exported or queued for "
				   "delivery); it stands, and only a later note can answer it", full, when);
	}
	/* the history without it must still hold together */
	if ((ret = agreement_view_load(n, discarded->agreement, &v, d)))
		return ret;
	ret = replay_with(&v, NULL, full, d);
	agreement_view_release(&v);
	if (ret)
		return ret;
	if ((ret = store_begin(n->st)) || (ret = store_dipnote_delete(n->st, full)) ||
	    (ret = ledger_event(n, NULL, LEDGER_NOTE, now, discarded->agreement, d, "kind",
				dipnote_kind_name(discarded->kind), "note", full, "event", "discarded", NULL)) ||
	    (ret = store_commit(n->st))) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot discard note %.16s", full);
		return ret;
	}
	return 0;
}

int node_agreement_each(struct node *n, int (*fn)(void *ctx, const char *id, int version), void *ctx)
{
	return store_agreement_each(n->st, fn, ctx);
}

/* ---- kept views ---- */

#define VIEW_CACHE_SLOTS 8

struct view_slot {
	bool used;
	char id[GS_MAX_ID];
	struct agreement_view v;
};

struct view_cache {
	uint64_t external, internal; /* store_evidence_version() when filled */
	unsigned next;               /* the slot to reuse when all are taken */
	struct view_slot slot[VIEW_CACHE_SLOTS];
};

static void cache_clear(struct view_cache *c)
{
	int i;

	for (i = 0; i < VIEW_CACHE_SLOTS; i++) {
		if (c->slot[i].used)
			agreement_view_release(&c->slot[i].v);
		c->slot[i].used = false;
	}
}

void agreement_cache_release(struct node *n)
{
	if (!n->views)
		return;
	cache_clear(n->views);
	free(n->views);
	n->views = NULL;
}

int agreement_view_cached(struct node *n, const char *id, const struct agreement_view **out,
			  struct gs_diag *d)
{
	struct view_cache *c = n->views;
	struct view_slot *s = NULL;
	uint64_t ext, in;
	int i, ret;

	if (strlen(id) >= GS_MAX_ID)
		return gs_diag_set(d, GS_ENOTFOUND, "unknown agreement '%.64s'", id);
	if (!c && !(c = n->views = calloc(1, sizeof(*c))))
		return GS_ENOMEM;
	if ((ret = store_evidence_version(n->st, &ext, &in)))
		return gs_diag_set(d, ret, "cannot read the database");
	if (ext != c->external || in != c->internal) {
		cache_clear(c);
		c->external = ext;
		c->internal = in;
	}
	for (i = 0; i < VIEW_CACHE_SLOTS; i++) {
		if (c->slot[i].used && !strcmp(c->slot[i].id, id)) {
			*out = &c->slot[i].v;
			return 0;
		}
		if (!s && !c->slot[i].used)
			s = &c->slot[i];
	}
	if (!s) {
		s = &c->slot[c->next];
		c->next = (c->next + 1) % VIEW_CACHE_SLOTS;
		agreement_view_release(&s->v);
		s->used = false;
	}
	if ((ret = agreement_view_load(n, id, &s->v, d)))
		return ret;
	s->used = true;
	memcpy(s->id, id, strlen(id) + 1);
	*out = &s->v;
	return 0;
}

json_t *members_json(const struct lifecycle_status *st)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < st->nmembers && i < GS_MAX_PARTIES; i++) {
		const struct lifecycle_member *m = &st->members[i];
		json_t *o = json_object();

		json_object_set_new(o, "party", json_string(m->code));
		json_object_set_new(o, "original", json_boolean(m->original));
		json_object_set_new(o, "state", json_string(member_state_name(m->state)));
		json_object_set_new(o, "joined_at", jinstant(m->joined_at));
		json_object_set_new(o, "notice_at", jinstant(m->notice_at));
		json_object_set_new(o, "leaves_at", jinstant(m->leaves_at));
		json_object_set_new(o, "left_at", jinstant(m->left_at));
		json_object_set_new(o, "accession_at", jinstant(m->accession_at));
		json_object_set_new(o, "accepted_at", jinstant(m->accepted_at));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *agreement_status_json(const struct agreement_view *v, const struct lifecycle_status *st, gs_instant at)
{
	const struct agreement *a = agreement_view_base(v);
	json_t *o = json_object(), *events = json_array();
	char missing[GS_MAX_NAME], date[GS_DATE_STR];
	int i;

	agreement_view_missing(v, 0, missing, sizeof(missing));
	json_object_set_new(o, "agreement", json_string(a->id));
	json_object_set_new(o, "at", jinstant(at));
	json_object_set_new(o, "state", json_string(state_name(st->state)));
	json_object_set_new(o, "term", st->term ? json_integer(st->term) : json_null());
	json_object_set_new(o, "term_start", jinstant(st->term_start));
	json_object_set_new(o, "term_end", jinstant(st->term_end));
	if (st->has_notice_deadline) {
		date_format(st->notice_deadline, date);
		json_object_set_new(o, "notice_deadline", json_string(date));
	} else {
		json_object_set_new(o, "notice_deadline", json_null());
	}
	json_object_set_new(o, "terminates_at", jinstant(st->terminates_at));
	json_object_set_new(o, "in_force_since", jinstant(st->in_force_since));
	json_object_set_new(o, "version", json_integer(st->version));
	json_object_set_new(o, "signed", json_boolean(agreement_view_signed(v, 0)));
	json_object_set_new(o, "missing_signatures", json_string(missing));
	json_object_set_new(o, "reason", json_string(st->reason));
	json_object_set_new(o, "members", members_json(st));
	for (i = 0; i < st->nevents && i < GS_MAX_EVENTS; i++) {
		const struct lifecycle_event *ev = &st->events[i];
		const struct dipnote *n = &v->notes[ev->note];
		json_t *e = json_object();

		json_object_set_new(e, "note", json_string(n->id));
		json_object_set_new(e, "kind", json_string(dipnote_kind_name(n->kind)));
		json_object_set_new(e, "from", json_string(n->from));
		json_object_set_new(e, "delivered", jinstant(n->delivered));
		json_object_set_new(e, "effect", json_string(ev->effect == EFFECT_APPLIED ? "applied" : "ignored"));
		json_object_set_new(e, "state_after", json_string(state_name(ev->state_after)));
		json_object_set_new(e, "what", json_string(ev->what));
		json_array_append_new(events, e);
	}
	json_object_set_new(o, "events", events);
	/* verified notes the rules do not let apply, with the reason */
	events = json_array();
	for (size_t k = 0; k < v->nignored; k++) {
		const struct ignored_note *x = &v->ignored[k];
		json_t *e;

		if (x->note.delivered > at)
			continue;
		e = json_object();
		json_object_set_new(e, "note", json_string(x->note.id));
		json_object_set_new(e, "kind", json_string(dipnote_kind_name(x->note.kind)));
		json_object_set_new(e, "from", json_string(x->note.from));
		json_object_set_new(e, "delivered", jinstant(x->note.delivered));
		json_object_set_new(e, "reason", json_string(x->reason));
		json_array_append_new(events, e);
	}
	json_object_set_new(o, "ignored", events);
	return o;
}
