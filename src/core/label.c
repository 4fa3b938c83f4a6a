/* SPDX-License-Identifier: Apache-2.0 */
#include "core/label.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define OID_URN "urn:oid:"

const char *party_policy_name(const struct party *p)
{
	return p->policy_name[0] ? p->policy_name : p->code;
}

static bool copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

int label_make(const struct party *p, const char *classification, gs_instant created, gs_instant review,
	       const char *const *releasable_to, int nreleasable, bool alternative, struct conf_label *out,
	       struct gs_diag *d)
{
	int i;

	memset(out, 0, sizeof(*out));
	if (!p->policy[0])
		return gs_diag_set(d, GS_EINVAL,
				   "%s's identity names no security policy, so no label can name its scheme (docs/labels.md)",
				   p->code);
	if (!copy_str(out->classification, sizeof(out->classification), classification))
		return gs_diag_set(d, GS_ELIMIT, "classification '%s' too long", classification);
	copy_str(out->policy_uri, sizeof(out->policy_uri), p->policy);
	copy_str(out->policy_name, sizeof(out->policy_name), party_policy_name(p));
	out->alternative = alternative;
	out->created = created;
	out->review = review;
	if (nreleasable > 0) {
		struct label_category *c = &out->categories[0];

		if (nreleasable > GS_MAX_CATEGORY_VALUES)
			return gs_diag_set(d, GS_ELIMIT, "too many parties to release to (at most %d)",
					   GS_MAX_CATEGORY_VALUES);
		copy_str(c->tag_name, sizeof(c->tag_name), LABEL_RELEASABLE_TO);
		c->type = LABEL_CAT_PERMISSIVE;
		for (i = 0; i < nreleasable; i++)
			if (!copy_str(c->values[i], sizeof(c->values[i]), releasable_to[i]))
				return gs_diag_set(d, GS_ELIMIT, "party code too long");
		c->nvalues = nreleasable;
		out->ncategories = 1;
	}
	return 0;
}

int label_alternatives(const struct agreement *a, const struct annex_version *v, const struct party *parties,
		       const char *originator, const struct conf_label *orig, const char *holder,
		       const char *holder_marking, struct conf_label *alts, int *nalts, struct gs_diag *d)
{
	int oi = agreement_party_index(a, originator), row, i, ret;
	bool never = false;

	*nalts = 0;
	if (oi < 0)
		return gs_diag_set(d, GS_EINVAL, "'%s' is not a party to agreement '%s'", originator, a->id);
	if (!v)
		return gs_diag_set(d, GS_EDENIED,
				   "agreement '%s' has no equivalence annex in effect, so its parties' equivalent labels are unknown",
				   a->id);
	row = annex_find(v, oi, orig->classification, &never);
	if (row < 0)
		return gs_diag_set(d, GS_EDENIED,
				   never ? "%s's '%s' may never be released under agreement '%s': it has no equivalent"
					 : "%s's '%s' has no row in the annex of agreement '%s'",
				   originator, orig->classification, a->id);
	for (i = 0; i < a->nparties; i++) {
		const struct annex_cell *cell = &v->rows[row].cells[i];
		const char *lbl;
		struct conf_label *alt = &alts[*nalts];

		if (i == oi)
			continue;
		if (*nalts >= GS_MAX_ALT_LABELS)
			return gs_diag_set(d, GS_ELIMIT, "too many alternative labels (at most %d)", GS_MAX_ALT_LABELS);
		if (cell->nlabels < 1)
			return gs_diag_set(d, GS_EDENIED, "%s has no label in row '%s' of agreement '%s'",
					   a->parties[i], v->rows[row].level, a->id);
		lbl = cell->labels[0];
		if (holder && holder_marking && holder_marking[0] && !strcmp(a->parties[i], holder))
			lbl = holder_marking;
		if ((ret = label_make(&parties[i], lbl, orig->created, orig->review, NULL, 0, true, alt, d)))
			return ret;
		/* the same categories: the releasability is the item's, whichever
		 * policy reads it */
		alt->ncategories = orig->ncategories;
		memcpy(alt->categories, orig->categories, sizeof(alt->categories));
		(*nalts)++;
	}
	return 0;
}

int label_release_classification(const struct conf_label *l, const struct party *self, const char *to,
				 const char **label_out, struct gs_diag *d)
{
	bool released_to = true, found;
	int i, k;

	*label_out = NULL;
	if (l->alternative)
		return gs_diag_set(d, GS_EINVAL,
				   "an alternative label is another policy's reading; release takes the originator's label (originatorConfidentialityLabel)");
	if (!self->policy[0])
		return gs_diag_set(d, GS_EINVAL,
				   "this node's identity names no security policy, so no label can be taken as its own");
	if (!l->policy_uri[0])
		return gs_diag_set(d, GS_EDENIED,
				   "the label names its policy only as '%s', without its urn:oid: URI; refused, not guessed",
				   l->policy_name);
	if (strcmp(l->policy_uri, self->policy))
		return gs_diag_set(d, GS_EDENIED, "the label's policy %s ('%s') is not %s's policy (%s); refused",
				   l->policy_uri, l->policy_name, self->code, self->policy);
	if (l->policy_name[0] && strcmp(l->policy_name, party_policy_name(self)))
		return gs_diag_set(d, GS_EINVAL,
				   "the label names policy %s '%s', but %s calls it '%s'; refused",
				   l->policy_uri, l->policy_name, self->code, party_policy_name(self));
	if (scheme_find(&self->scheme, l->classification) < 0)
		return gs_diag_set(d, GS_EDENIED, "'%s' is not a classification of %s's policy %s; refused",
				   l->classification, self->code, self->policy);
	for (i = 0; i < l->ncategories; i++) {
		const struct label_category *c = &l->categories[i];

		if (strcmp(c->tag_name, LABEL_RELEASABLE_TO) || c->type != LABEL_CAT_PERMISSIVE)
			return gs_diag_set(d, GS_EDENIED,
					   "unknown category '%s' in the label (gsomia knows only the permissive '" LABEL_RELEASABLE_TO "'); refused",
					   c->tag_name);
		found = false;
		for (k = 0; k < c->nvalues; k++) {
			if (!party_code_is_valid(c->values[k]))
				return gs_diag_set(d, GS_EDENIED,
						   "'" LABEL_RELEASABLE_TO "' value '%s' is not a party code; refused",
						   c->values[k]);
			if (!strcmp(c->values[k], to))
				found = true;
		}
		/* every such category must allow the recipient */
		released_to = released_to && found;
	}
	if (!released_to)
		return gs_diag_set(d, GS_EDENIED, "the label does not make the item releasable to %s; refused", to);
	*label_out = l->classification;
	return 0;
}

/* ---- SPIFs ---- */

int spif_find_lacv(const struct spif *s, unsigned long lacv)
{
	int i;

	for (i = 0; i < s->nclasses; i++)
		if (s->classes[i].lacv == lacv)
			return i;
	return -1;
}

/* A growing text in a caller's buffer; full once it no longer fits. */
struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

/* Classification indexes of s, most sensitive first. */
static void by_hierarchy(const struct spif *s, int *order)
{
	int i, j;

	for (i = 0; i < s->nclasses; i++)
		order[i] = i;
	for (i = 1; i < s->nclasses; i++)
		for (j = i; j > 0 && s->classes[order[j]].hierarchy > s->classes[order[j - 1]].hierarchy; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

/* A field of a level line: no ',' or '|' (the formats' separators) and
 * no leading '#' (a comment after a space). */
static bool level_field_ok(const char *s)
{
	return s[0] != '#' && !strchr(s, ',') && !strchr(s, '|');
}

int spif_levels_text(const struct spif *s, char *buf, size_t cap, struct gs_diag *d)
{
	struct out o = { buf, cap, 0, false };
	int order[GS_MAX_SPIF_CLASSES], i;

	if (cap)
		buf[0] = '\0';
	if (s->nclasses > GS_MAX_SCHEME_LEVELS)
		return gs_diag_set(d, GS_ELIMIT, "the SPIF has %d classifications; a scheme has at most %d",
				   s->nclasses, GS_MAX_SCHEME_LEVELS);
	by_hierarchy(s, order);
	put(&o, "policy: " OID_URN "%s", s->policy_id);
	if (policy_name_is_valid(s->policy_name, strlen(s->policy_name)))
		put(&o, " | %s", s->policy_name);
	put(&o, "\n");
	for (i = 0; i < s->nclasses; i++) {
		const struct spif_class *c = &s->classes[order[i]];

		if (!level_field_ok(c->name) || !level_field_ok(c->roman) || !level_field_ok(c->gloss))
			return gs_diag_set(d, GS_EINVAL,
					   "%d: classification '%s' cannot be a level ('|' or ',' in a name or marking, or a leading '#')",
					   c->line, c->name);
		put(&o, "level: %s", c->name);
		if (c->roman[0] || c->gloss[0])
			put(&o, " | %s", c->roman);
		if (c->gloss[0])
			put(&o, " | %s", c->gloss);
		put(&o, "\n");
	}
	if (o.full)
		return gs_diag_set(d, GS_ELIMIT, "the levels do not fit in %zu bytes", cap);
	return (int)o.len;
}

/* ---- annex rows from two SPIFs ---- */

#define NMAX GS_MAX_SPIF_CLASSES
#define FROM_OWN 1   /* the sender's SPIF says it (encrypt) */
#define FROM_OTHER 2 /* the receiver's SPIF says it (decrypt) */

struct prop_row {
	bool a_in[NMAX], b_in[NMAX];  /* real labels of each party in the row */
	int a_protect, b_protect;     /* a protect-as cell: the label's index, else -1 */
	double amin, amax, bmin, bmax;
};

struct prop {
	const struct spif *a, *b;
	const struct annex_proposal *o;
	unsigned char ab[NMAX][NMAX]; /* a's i is marked b's j at B: FROM_* bits */
	unsigned char ba[NMAX][NMAX]; /* b's j is marked a's i at A */
	int comp[2 * NMAX];
	int row_of_a[NMAX], row_of_b[NMAX]; /* real rows; -1 if none */
	int nrows;
	struct prop_row rows[NMAX];
};

static int find(int *comp, int x)
{
	while (comp[x] != x)
		x = comp[x] = comp[comp[x]];
	return x;
}

/* Resolves x's equivalences to y's classifications into e[i][j]: bit
 * `own` for applied encrypt (x sends i as j), and into the reverse
 * matrix r[j][i] bit FROM_OTHER for decrypt (x receives y's j as i). */
static int resolve(const struct spif *x, const struct spif *y, const char *xfile, const char *ycode,
		   unsigned char e[NMAX][NMAX], unsigned char r[NMAX][NMAX], struct gs_diag *d)
{
	int i, k, j;

	for (i = 0; i < x->nclasses; i++) {
		const struct spif_class *c = &x->classes[i];

		for (k = 0; k < c->nequiv; k++) {
			const struct spif_equiv *q = &c->equiv[k];

			if (strcmp(q->policy_id, y->policy_id))
				continue; /* a third policy's equivalence: not this annex's */
			j = spif_find_lacv(y, q->lacv);
			if (j < 0)
				return gs_diag_set(d, GS_EINVAL,
						   "%s:%d: '%s' is equivalent to lacv %lu of policy '%s', which %s's SPIF does not define (a dangling equivalence)",
						   xfile, q->line, c->name, q->lacv, q->policy_ref, ycode);
			if (q->applied & SPIF_APPLIED_ENCRYPT)
				e[i][j] |= FROM_OWN;
			if (q->applied & SPIF_APPLIED_DECRYPT)
				r[j][i] |= FROM_OTHER;
		}
	}
	return 0;
}

static void row_bounds(const struct prop *p, struct prop_row *r)
{
	int i;

	r->amin = r->bmin = 1e300;
	r->amax = r->bmax = -1e300;
	for (i = 0; i < p->a->nclasses; i++)
		if (r->a_in[i]) {
			double h = (double)p->a->classes[i].hierarchy;

			r->amin = h < r->amin ? h : r->amin;
			r->amax = h > r->amax ? h : r->amax;
		}
	for (i = 0; i < p->b->nclasses; i++)
		if (r->b_in[i]) {
			double h = (double)p->b->classes[i].hierarchy;

			r->bmin = h < r->bmin ? h : r->bmin;
			r->bmax = h > r->bmax ? h : r->bmax;
		}
}

/* One-way equivalences: x's label i is marked y's j only in that
 * direction. If i has no row and j has one, i gets a row in which y
 * protects it as j (a protect-as cell); otherwise the equivalence is only
 * shown. side 0: x = a; side 1: x = b. */
static void one_way(struct prop *p, int side, struct out *notes)
{
	const struct spif *x = side ? p->b : p->a, *y = side ? p->a : p->b;
	const char *xc = side ? p->o->code_b : p->o->code_a, *yc = side ? p->o->code_a : p->o->code_b;
	int *row_x = side ? p->row_of_b : p->row_of_a, *row_y = side ? p->row_of_a : p->row_of_b;
	int i, j;

	for (i = 0; i < x->nclasses; i++) {
		int best = -1;

		for (j = 0; j < y->nclasses; j++) {
			unsigned char fwd = side ? p->ba[i][j] : p->ab[i][j];
			unsigned char back = side ? p->ab[j][i] : p->ba[j][i];

			if (!fwd || back)
				continue;
			put(notes, "# one-way: %s %s is marked %s %s when %s sends it (%s%s%s%s%s), but not the reverse\n",
			    xc, x->classes[i].name, yc, y->classes[j].name, xc,
			    fwd & FROM_OWN ? xc : "", fwd & FROM_OWN ? "'s SPIF, encrypt" : "",
			    fwd == (FROM_OWN | FROM_OTHER) ? "; " : "", fwd & FROM_OTHER ? yc : "",
			    fwd & FROM_OTHER ? "'s SPIF, decrypt" : "");
			if (row_x[i] >= 0) {
				put(notes, "#   not a row: %s %s already has its row\n", xc, x->classes[i].name);
				continue;
			}
			if (row_y[j] < 0) {
				put(notes, "#   not a row: %s %s has no row of its own to protect it as\n", yc,
				    y->classes[j].name);
				continue;
			}
			if (best < 0 || y->classes[j].hierarchy > y->classes[best].hierarchy)
				best = j;
		}
		if (best >= 0 && p->nrows < NMAX) {
			struct prop_row *r = &p->rows[p->nrows++];
			double h = (double)x->classes[i].hierarchy;
			const struct prop_row *t = &p->rows[row_y[best]];

			memset(r, 0, sizeof(*r));
			r->a_protect = r->b_protect = -1;
			if (side) {
				r->b_in[i] = true;
				r->a_protect = best;
				r->bmin = r->bmax = h;
				r->amin = r->amax = t->amin - 0.5;
			} else {
				r->a_in[i] = true;
				r->b_protect = best;
				r->amin = r->amax = h;
				r->bmin = r->bmax = t->bmin - 0.5;
			}
			row_x[i] = p->nrows - 1; /* not real, but it has a row now */
			put(notes, "#   row: %s protects %s %s as %s\n", yc, xc, x->classes[i].name, y->classes[best].name);
		}
	}
}

/* Upper-case ASCII of a gloss, if it can be a row's level name. */
static bool level_name_from(const char *gloss, char *out, size_t cap)
{
	size_t i, n = strlen(gloss);

	if (n == 0 || n >= cap)
		return false;
	for (i = 0; i < n; i++) {
		char c = gloss[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (c == ' ' && i > 0 && i + 1 < n && gloss[i + 1] != ' ')))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return strcmp(out, "ALL") && strcmp(out, "ANY") && strcmp(out, "NEVER");
}

/* The labels of one cell, the default first: the labels the sending
 * party's own SPIF marks its row labels as (encrypt), then by hierarchy. */
static int cell_order(const struct spif *x, const bool *in, unsigned char m[NMAX][NMAX], const bool *senders,
		      int nsenders, int *out)
{
	int order[NMAX], n = 0, i, k, pass;

	by_hierarchy(x, order);
	for (pass = 0; pass < 2; pass++)
		for (k = 0; k < x->nclasses; k++) {
			bool chosen = false;

			i = order[k];
			if (!in[i])
				continue;
			for (int s = 0; s < nsenders; s++)
				if (senders[s] && (m[s][i] & FROM_OWN))
					chosen = true;
			if (chosen == (pass == 0))
				out[n++] = i;
		}
	return n;
}

int spif_annex_propose(const struct spif *a, const struct spif *b, const struct annex_proposal *o, char *buf,
		       size_t cap, struct gs_diag *d)
{
	struct prop *p = calloc(1, sizeof(*p));
	struct agreement *check = NULL;
	struct out notes = { NULL, 0, 0, false }, t = { buf, cap, 0, false };
	char date[GS_DATE_STR], *text = NULL, names[NMAX][GS_MAX_NAME];
	int order[NMAX], i, j, k, ret = 0, n;

	if (cap)
		buf[0] = '\0';
	if (!p || !(notes.buf = malloc(16384)) || !(text = malloc(GS_MAX_AGREEMENT_BYTES))) {
		ret = GS_ENOMEM;
		goto out;
	}
	notes.cap = 16384;
	notes.buf[0] = '\0';
	p->a = a;
	p->b = b;
	p->o = o;
	if (!strcmp(a->policy_id, b->policy_id)) {
		ret = gs_diag_set(d, GS_EINVAL, "both SPIFs are of policy %s%s: give one SPIF per party", OID_URN,
				  a->policy_id);
		goto out;
	}
	if ((ret = resolve(a, b, o->file_a, o->code_b, p->ab, p->ba, d)) ||
	    (ret = resolve(b, a, o->file_b, o->code_a, p->ba, p->ab, d)))
		goto out;

	/* rows: the labels joined by equivalences that hold both ways */
	for (i = 0; i < 2 * NMAX; i++)
		p->comp[i] = i;
	for (i = 0; i < a->nclasses; i++)
		for (j = 0; j < b->nclasses; j++)
			if (p->ab[i][j] && p->ba[j][i])
				p->comp[find(p->comp, i)] = find(p->comp, NMAX + j);
	for (i = 0; i < NMAX; i++)
		p->row_of_a[i] = p->row_of_b[i] = -1;
	for (i = 0; i < a->nclasses; i++) {
		int root = find(p->comp, i);
		bool paired = false;

		for (j = 0; j < b->nclasses; j++)
			if (find(p->comp, NMAX + j) == root)
				paired = true;
		if (!paired)
			continue;
		for (k = 0; k < i; k++)
			if (p->row_of_a[k] >= 0 && find(p->comp, k) == root)
				break;
		if (k < i) {
			p->row_of_a[i] = p->row_of_a[k];
		} else {
			struct prop_row *r = &p->rows[p->nrows];

			r->a_protect = r->b_protect = -1;
			p->row_of_a[i] = p->nrows++;
		}
		p->rows[p->row_of_a[i]].a_in[i] = true;
		for (j = 0; j < b->nclasses; j++)
			if (find(p->comp, NMAX + j) == root) {
				p->rows[p->row_of_a[i]].b_in[j] = true;
				p->row_of_b[j] = p->row_of_a[i];
			}
	}
	for (i = 0; i < p->nrows; i++)
		row_bounds(p, &p->rows[i]);
	one_way(p, 0, &notes);
	one_way(p, 1, &notes);

	/* most sensitive first, and the same order for both parties: else
	 * the equivalences and the hierarchies form a cycle */
	for (i = 0; i < p->nrows; i++)
		order[i] = i;
	for (i = 1; i < p->nrows; i++)
		for (j = i; j > 0 && p->rows[order[j]].amax > p->rows[order[j - 1]].amax; j--) {
			int tmp = order[j];

			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	for (i = 0; i + 1 < p->nrows; i++) {
		const struct prop_row *u = &p->rows[order[i]], *w = &p->rows[order[i + 1]];

		if (!(u->amin > w->amax) || !(u->bmin > w->bmax)) {
			ret = gs_diag_set(d, GS_EINVAL,
					  "%s and %s: the equivalences contradict the hierarchies (a cycle): a row cannot be both above and below another for %s and %s",
					  o->file_a, o->file_b, o->code_a, o->code_b);
			goto out;
		}
	}
	if (p->nrows > GS_MAX_ANNEX_ROWS) {
		ret = gs_diag_set(d, GS_ELIMIT, "%d rows proposed; an annex has at most %d", p->nrows, GS_MAX_ANNEX_ROWS);
		goto out;
	}
	if (o->nrow_names && o->nrow_names != p->nrows) {
		ret = gs_diag_set(d, GS_EUSAGE, "%d row names given for %d rows", o->nrow_names, p->nrows);
		goto out;
	}

	/* names */
	for (i = 0; i < p->nrows; i++) {
		const struct prop_row *r = &p->rows[order[i]];
		char base[GS_MAX_NAME];
		int cand[NMAX], nc, dup = 1;

		if (o->nrow_names) {
			snprintf(names[i], sizeof(names[i]), "%s", o->row_names[i]);
			continue;
		}
		base[0] = '\0';
		nc = cell_order(a, r->a_in, p->ba, r->b_in, b->nclasses, cand);
		if (!(nc > 0 && level_name_from(a->classes[cand[0]].gloss, base, sizeof(base)))) {
			nc = cell_order(b, r->b_in, p->ab, r->a_in, a->nclasses, cand);
			if (!(nc > 0 && level_name_from(b->classes[cand[0]].gloss, base, sizeof(base))))
				snprintf(base, sizeof(base), "LEVEL-%d", i + 1);
		}
		snprintf(names[i], sizeof(names[i]), "%s", base);
		for (k = 0; k < i; k++)
			if (!strcmp(names[k], names[i])) {
				snprintf(names[i], sizeof(names[i]), "%.200s-%d", base, ++dup);
				k = -1;
			}
	}

	date_format(o->effective, date);
	put(&t, "# Annex rows proposed from the equivalent classifications of two SPIFs:\n");
	put(&t, "#   %s: policy %s (%s%s)\n", o->code_a, a->policy_name, OID_URN, a->policy_id);
	put(&t, "#   %s: policy %s (%s%s)\n", o->code_b, b->policy_name, OID_URN, b->policy_id);
	put(&t, "# A proposal to review: it binds no one until every party signs an\n"
		"# agreement that contains it.\n");
	if (notes.len)
		put(&t, "%s", notes.buf);
	put(&t, "[annex %d effective %s]\n", o->annex_number, date);
	for (i = 0; i < p->nrows; i++) {
		const struct prop_row *r = &p->rows[order[i]];
		int cand[NMAX], nc;

		put(&t, "%s = %s: ", names[i], o->code_a);
		if (r->a_protect >= 0) {
			put(&t, "protect-as %s", a->classes[r->a_protect].name);
		} else {
			nc = cell_order(a, r->a_in, p->ba, r->b_in, b->nclasses, cand);
			for (k = 0; k < nc; k++)
				put(&t, "%s%s", k ? ", " : "", a->classes[cand[k]].name);
		}
		put(&t, " | %s: ", o->code_b);
		if (r->b_protect >= 0) {
			put(&t, "protect-as %s", b->classes[r->b_protect].name);
		} else {
			nc = cell_order(b, r->b_in, p->ab, r->a_in, a->nclasses, cand);
			for (k = 0; k < nc; k++)
				put(&t, "%s%s", k ? ", " : "", b->classes[cand[k]].name);
		}
		put(&t, "\n");
	}
	/* what has no equivalence at all may never be released */
	{
		int na = 0, nb = 0, oa[NMAX], ob[NMAX];

		by_hierarchy(a, oa);
		by_hierarchy(b, ob);
		for (k = 0; k < a->nclasses; k++)
			na += p->row_of_a[oa[k]] < 0;
		for (k = 0; k < b->nclasses; k++)
			nb += p->row_of_b[ob[k]] < 0;
		if (na || nb) {
			put(&t, "never =");
			n = 0;
			if (na) {
				put(&t, " %s: ", o->code_a);
				for (k = 0; k < a->nclasses; k++)
					if (p->row_of_a[oa[k]] < 0)
						put(&t, "%s%s", n++ ? ", " : "", a->classes[oa[k]].name);
			}
			if (nb) {
				put(&t, "%s %s: ", na ? " |" : "", o->code_b);
				n = 0;
				for (k = 0; k < b->nclasses; k++)
					if (p->row_of_b[ob[k]] < 0)
						put(&t, "%s%s", n++ ? ", " : "", b->classes[ob[k]].name);
			}
			put(&t, "\n");
		}
	}
	if (t.full || notes.full) {
		ret = gs_diag_set(d, GS_ELIMIT, "the proposal does not fit in %zu bytes", cap);
		goto out;
	}

	/* the proposal must be an annex the agreement format accepts */
	n = snprintf(text, GS_MAX_AGREEMENT_BYTES,
		     "gsomia-agreement/v1\nid: PROPOSAL\ntitle: proposal\nparties: %s %s\nzone: +00:00\nsigned: %s\n%s",
		     o->code_a, o->code_b, date, buf);
	if (n < 0 || n >= (int)GS_MAX_AGREEMENT_BYTES || !(check = agreement_new())) {
		ret = n < 0 || n >= (int)GS_MAX_AGREEMENT_BYTES ? GS_ELIMIT : GS_ENOMEM;
		goto out;
	}
	if ((ret = agreement_parse(text, (size_t)n, check, d))) {
		gs_diag_prefix(d, "the proposed rows do not make a valid annex");
		goto out;
	}
	ret = (int)t.len;
out:
	if (ret < 0 && cap)
		buf[0] = '\0';
	agreement_free(check);
	free(text);
	free(notes.buf);
	free(p);
	return ret;
}
