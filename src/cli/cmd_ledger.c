/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/restore_view.h"
#include "net/witness_client.h"
#include "node/audit.h"
#include "node/ledger.h"
#include "node/witness.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/banned.h"

static const char ledger_help[] =
	"usage: gsomia ledger list [--json]\n"
	"       gsomia ledger show [--peer CODE | --internal] [--json]\n"
	"       gsomia ledger show [--all] [--kind K] [--person P] [--item I] [--party C]\n"
	"                          [--since T] [--until T] [--peer CODE | --internal]\n"
	"                          [--json | --csv] [-o FILE]\n"
	"       gsomia ledger verify [--peer CODE | --internal] [--json]\n"
	"       gsomia ledger checkpoint [--peer CODE | --internal] [-o FILE | --json]\n"
	"       gsomia ledger prove INDEX [--peer CODE | --internal] [-o FILE]\n"
	"       gsomia ledger consistency OLD NEW [--peer CODE | --internal] [--json]\n"
	"       gsomia ledger verify-proof FILE --identity PARTY.id [--json]\n"
	"       gsomia ledger witness PEER [--json]\n"
	"       gsomia ledger peers [--json]\n"
	"common options: --home DIR, --passphrase-file FILE\n\n"
	"The ledger is one Merkle log (RFC 6962) per counterparty and one for the\n"
	"node's internal events (the default; --peer CODE picks a counterparty's).\n"
	"list shows every log with its size and root. show prints the entries.\n"
	"With --all or any of --kind, --person, --item, --party, --since, --until\n"
	"or --csv, show is an audit: the entries of every log (or of --peer's or\n"
	"the internal one) that match, oldest first; --party is the actor's party\n"
	"or the one the log is kept with; --since and --until take an instant or a\n"
	"date (a whole day, in this node's zone); --csv writes RFC 4180 CSV.\n"
	"verify recomputes every leaf, subtree and root from the entries and checks\n"
	"every stored checkpoint's signature and root (no --peer: every log).\n"
	"checkpoint signs the log's current size and root (a C2SP checkpoint) and\n"
	"prints it; it never signs a tree inconsistent with an earlier checkpoint.\n"
	"prove writes a proof file for entry INDEX (c2sp.org/tlog-proof@v1 with the\n"
	"entry and a signed checkpoint) that anyone can check with verify-proof.\n"
	"consistency proves that the log of size NEW extends the log of size OLD.\n"
	"verify-proof needs no home: it checks a proof file from any node against\n"
	"that node's identity file.\n"
	"witness sends the checkpoint of the log for PEER, with a consistency proof\n"
	"from the size PEER last cosigned, to PEER's node, which checks it and\n"
	"cosigns it; the cosigned checkpoint is kept ('gsomia serve' does this\n"
	"every few seconds for each peer with an endpoint).\n"
	"peers shows, for each peer, how far each side's log has been cosigned by\n"
	"the other, and any evidence of a peer's inconsistent checkpoints: exit 1\n"
	"when there is any. Formats: docs/ledger.md.\n";

/* A result whose message is already on stderr (write_output's). */
#define ALREADY_SAID 1

struct opts {
	const char *home, *passfile, *output, *identity, *peer;
	bool json, internal;
	bool audit, csv;            /* show as an audit (node/audit.h) */
	const char *filter[6][2];   /* audit filter members given: name, value */
	int nfilter;
};

static void escape_value(const char *v, size_t len, size_t max, FILE *f)
{
	size_t i;

	for (i = 0; i < len && i < max; i++) {
		if (v[i] == '\n')
			fputs("\\n", f);
		else
			fputc(v[i], f);
	}
	if (len > max)
		fputs("...", f);
}

static json_t *entry_json(uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	json_t *o = json_object(), *fields = json_object();
	char hex[HEX_ENCODED_SIZE(32)], nonce[HEX_ENCODED_SIZE(LEDGER_NONCE_BYTES)];
	char key[GS_MAX_LEDGER_KEY];
	size_t i;

	json_object_set_new(o, "index", json_integer((json_int_t)index));
	json_object_set_new(o, "time", jinstant(e->time));
	json_object_set_new(o, "kind", json_string(ledger_type_name(e->type)));
	json_object_set_new(o, "item", json_string(e->item));
	json_object_set_new(o, "party", json_string(e->party));
	json_object_set_new(o, "person", json_string(e->person));
	if (e->digest_alg != LEDGER_DIGEST_NONE) {
		hex_encode(e->digest, 32, hex, sizeof(hex));
		json_object_set_new(o, "digest_alg", json_string(e->digest_alg == LEDGER_DIGEST_SHA256 ?
									  "sha256" : "blake2b-256"));
		json_object_set_new(o, "digest", json_string(hex));
	}
	for (i = 0; i < e->nfields; i++) {
		snprintf(key, sizeof(key), "%.*s", (int)e->fields[i].key_len, e->fields[i].key);
		json_object_set_new(fields, key, json_stringn(e->fields[i].value, e->fields[i].value_len));
	}
	json_object_set_new(o, "fields", fields);
	hex_encode(e->nonce, LEDGER_NONCE_BYTES, nonce, sizeof(nonce));
	json_object_set_new(o, "nonce", json_string(nonce));
	hex_encode(leaf, 32, hex, sizeof(hex));
	json_object_set_new(o, "leaf_hash", json_string(hex));
	return o;
}

static void entry_print(uint64_t index, const struct ledger_entry *e)
{
	char t[GS_INSTANT_STR];
	size_t i;

	instant_format(e->time, t);
	printf("%6" PRIu64 "  %s  %-17s", index, t, ledger_type_name(e->type));
	if (e->item[0])
		printf(" %s", e->item);
	if (e->party[0] || e->person[0])
		printf(" by %s%s%s", e->party, e->person[0] ? "/" : "", e->person);
	for (i = 0; i < e->nfields; i++) {
		printf(" %.*s=", (int)e->fields[i].key_len, e->fields[i].key);
		escape_value(e->fields[i].value, e->fields[i].value_len, 60, stdout);
	}
	putchar('\n');
}

struct show_ctx {
	bool json;
	json_t *arr;
};

static int show_one(void *ctx, uint64_t index, const struct ledger_entry *e, const uint8_t leaf[32])
{
	struct show_ctx *c = ctx;

	if (c->json)
		json_array_append_new(c->arr, entry_json(index, e, leaf));
	else
		entry_print(index, e);
	return 0;
}

static json_t *report_json(const struct ledger_log_report *r)
{
	json_t *o = json_object();
	char b64[B64_ENCODED_SIZE(32)];

	b64_encode(r->root, 32, b64, sizeof(b64));
	json_object_set_new(o, "origin", json_string(r->origin));
	json_object_set_new(o, "peer", r->peer[0] ? json_string(r->peer) : json_null());
	json_object_set_new(o, "size", json_integer((json_int_t)r->size));
	json_object_set_new(o, "root", json_string(b64));
	return o;
}

struct list_ctx {
	bool json, verify;
	json_t *arr;
	size_t count;
};

static int list_one(void *ctx, const struct ledger_log_report *r)
{
	struct list_ctx *c = ctx;
	char b64[B64_ENCODED_SIZE(32)];

	c->count++;
	if (c->json) {
		json_t *o = report_json(r);

		if (c->verify)
			json_object_set_new(o, "checkpoints", json_integer((json_int_t)r->checkpoints));
		json_array_append_new(c->arr, o);
		return 0;
	}
	b64_encode(r->root, 32, b64, sizeof(b64));
	if (c->verify)
		printf("ok  %s  size %" PRIu64 "  root %s  %" PRIu64 " checkpoint%s\n", r->origin, r->size,
		       b64, r->checkpoints, r->checkpoints == 1 ? "" : "s");
	else
		printf("%s  size %" PRIu64 "  root %s\n", r->origin, r->size, b64);
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s[0] || s[0] == '-' || s[0] == '+' || (s[0] == '0' && s[1]))
		return -1;
	v = strtoull(s, &end, 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* Unlocks the node's keys with the usual passphrase sources. */
static int unlock(struct node *n, const struct opts *o, struct gs_diag *d)
{
	char *pass;
	size_t len;
	int ret;

	if ((ret = passphrase_get(o->passfile, false, &pass, &len, d)))
		return ret;
	ret = node_unlock(n, pass, len, d);
	passphrase_free(pass, len);
	return ret;
}

static int do_checkpoint(struct node *n, const struct opts *o, struct gs_diag *d)
{
	char *note = NULL;
	size_t len;
	int ret;

	ret = ledger_checkpoint(n, o->peer, &note, &len, d);
	if (ret == GS_ESTATE && !node_unlocked(n)) {
		if ((ret = unlock(n, o, d)))
			return ret;
		ret = ledger_checkpoint(n, o->peer, &note, &len, d);
	}
	if (ret)
		return ret;
	if (o->json && !o->output) {
		struct checkpoint cp;
		char peer[GS_MAX_CODE], b64[B64_ENCODED_SIZE(32)];
		json_t *j;

		if ((ret = ledger_verify_checkpoint(&(*node_self(n)), note, len, &cp, peer, d))) {
			free(note);
			return ret;
		}
		b64_encode(cp.root, 32, b64, sizeof(b64));
		j = json_object();
		json_object_set_new(j, "origin", json_string(cp.origin));
		json_object_set_new(j, "size", json_integer((json_int_t)cp.size));
		json_object_set_new(j, "root", json_string(b64));
		json_object_set_new(j, "checkpoint", json_stringn(note, len));
		print_json(j);
		free(note);
		return 0;
	}
	ret = write_output(o->output, note, len);
	free(note);
	return ret ? ALREADY_SAID : 0;
}

static int do_prove(struct node *n, const struct opts *o, uint64_t index, struct gs_diag *d)
{
	char *proof = NULL;
	size_t len;
	int ret;

	ret = ledger_proof_make(n, o->peer, index, &proof, &len, d);
	if (ret == GS_ESTATE && !node_unlocked(n)) {
		if ((ret = unlock(n, o, d)))
			return ret;
		ret = ledger_proof_make(n, o->peer, index, &proof, &len, d);
	}
	if (ret)
		return ret;
	ret = write_output(o->output, proof, len);
	free(proof);
	return ret ? ALREADY_SAID : 0;
}

static int do_consistency(struct node *n, const struct opts *o, uint64_t first, uint64_t second,
			  struct gs_diag *d)
{
	uint8_t (*proof)[32], r1[32], r2[32];
	char origin[GS_MAX_NAME], b1[B64_ENCODED_SIZE(32)], b2[B64_ENCODED_SIZE(32)];
	size_t np, i;
	int ret;

	proof = malloc(GS_MAX_PROOF_HASHES * sizeof(*proof));
	if (!proof)
		return GS_ENOMEM;
	ledger_origin(node_self(n)->code, node_self(n)->exercise, o->peer, origin);
	if ((ret = ledger_consistency_checked(n, o->peer, first, second, r1, r2, proof, &np, d)))
		goto out;
	b64_encode(r1, 32, b1, sizeof(b1));
	b64_encode(r2, 32, b2, sizeof(b2));
	if (o->json) {
		json_t *j = json_object(), *a = json_array();
		char h[B64_ENCODED_SIZE(32)];

		json_object_set_new(j, "origin", json_string(origin));
		json_object_set_new(j, "old_size", json_integer((json_int_t)first));
		json_object_set_new(j, "old_root", json_string(b1));
		json_object_set_new(j, "new_size", json_integer((json_int_t)second));
		json_object_set_new(j, "new_root", json_string(b2));
		for (i = 0; i < np; i++) {
			b64_encode(proof[i], 32, h, sizeof(h));
			json_array_append_new(a, json_string(h));
		}
		json_object_set_new(j, "proof", a);
		json_object_set_new(j, "consistent", json_true());
		print_json(j);
	} else {
		char h[B64_ENCODED_SIZE(32)];

		printf("%s\nold %" PRIu64 " %s\nnew %" PRIu64 " %s\n", origin, first, b1, second, b2);
		for (i = 0; i < np; i++) {
			b64_encode(proof[i], 32, h, sizeof(h));
			printf("%s\n", h);
		}
		printf("consistent (%zu proof hash%s)\n", np, np == 1 ? "" : "es");
	}
out:
	free(proof);
	return ret;
}

static int do_verify_proof(const struct opts *o, const char *file, struct gs_diag *d)
{
	struct party *p = NULL;
	struct ledger_proof *pf = NULL;
	struct ledger_verified *v = NULL;
	uint8_t *id = NULL, *buf = NULL;
	size_t idlen, len;
	char fpr[80], b64[B64_ENCODED_SIZE(32)];
	int ret;

	p = calloc(1, sizeof(*p));
	pf = malloc(sizeof(*pf));
	v = malloc(sizeof(*v));
	if (!p || !pf || !v) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = read_file(o->identity, GS_MAX_NOTE_BYTES, &id, &idlen, d)))
		goto out;
	if ((ret = identity_verify(id, idlen, p, fpr, d))) {
		gs_diag_prefix(d, "%s", o->identity);
		goto out;
	}
	if ((ret = read_file(file, GS_MAX_LEDGER_PROOF, &buf, &len, d)))
		goto out;
	if ((ret = ledger_proof_parse((const char *)buf, len, pf, d)) ||
	    (ret = ledger_verify_proof(p, pf, v, d))) {
		gs_diag_prefix(d, "%s", file);
		goto out;
	}
	b64_encode(v->cp.root, 32, b64, sizeof(b64));
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "verified", json_true());
		json_object_set_new(j, "party", json_string(p->code));
		json_object_set_new(j, "fingerprint", json_string(fpr));
		json_object_set_new(j, "origin", json_string(v->cp.origin));
		json_object_set_new(j, "peer", v->peer[0] ? json_string(v->peer) : json_null());
		json_object_set_new(j, "size", json_integer((json_int_t)v->cp.size));
		json_object_set_new(j, "root", json_string(b64));
		json_object_set_new(j, "entry", entry_json(v->index, &v->entry, v->leaf));
		print_json(j);
	} else {
		printf("verified: entry %" PRIu64 " is in %s at size %" PRIu64 "\n", v->index, v->cp.origin,
		       v->cp.size);
		printf("checkpoint signed by %s, fingerprint %s\nroot %s\n", p->code, fpr, b64);
		entry_print(v->index, &v->entry);
	}
out:
	free(id);
	free(buf);
	free(v);
	free(pf);
	free(p);
	return ret;
}

/* One audit row as a line: log, index, time, kind, item, actor, rule. */
static void row_print(json_t *row)
{
	const char *person = json_string_value(json_object_get(row, "person"));
	const char *party = json_string_value(json_object_get(row, "party"));
	const char *rule = json_string_value(json_object_get(row, "rule"));
	const char *item = json_string_value(json_object_get(row, "item"));

	printf("%-8s %6" JSON_INTEGER_FORMAT "  %s  %-17s", json_string_value(json_object_get(row, "log")),
	       json_integer_value(json_object_get(row, "index")), json_string_value(json_object_get(row, "at")),
	       json_string_value(json_object_get(row, "kind")));
	if (item && item[0])
		printf(" %s", item);
	if ((party && party[0]) || (person && person[0]))
		printf(" by %s%s%s", party ? party : "", person && person[0] ? "/" : "", person ? person : "");
	if (rule && rule[0])
		printf(" rule=%s", rule);
	putchar('\n');
}

/* ledger show as an audit: every log (or one), filtered, oldest first. */
static int do_audit(struct node *n, const struct opts *o, struct gs_diag *d)
{
	struct audit_filter f;
	json_t *rows = NULL, *echo = json_object(), *row;
	char *text = NULL;
	size_t len = 0, i;
	int k, ret = 0;

	audit_filter_init(&f);
	if (!echo)
		return GS_ENOMEM;
	for (k = 0; k < o->nfilter && !ret; k++) {
		ret = audit_filter_set(&f, o->filter[k][0], o->filter[k][1], node_self(n)->zone, d);
		json_object_set_new(echo, o->filter[k][0], json_string(o->filter[k][1]));
	}
	if (!ret && (o->peer || o->internal)) {
		ret = audit_filter_set(&f, "log", o->peer ? o->peer : "internal", node_self(n)->zone, d);
		json_object_set_new(echo, "log", json_string(o->peer ? o->peer : "internal"));
	}
	if (!ret)
		ret = audit_collect(n, &f, false, &rows, d);
	if (ret) {
		if (ret == GS_EINVAL)
			gs_diag_prefix(d, "--%s", o->filter[k - 1][0]);
		json_decref(echo);
		return ret;
	}
	if (o->csv) {
		if (!(ret = audit_csv(rows, &text, &len, d)))
			ret = write_output(o->output, text, len) ? ALREADY_SAID : 0;
	} else if (o->json) {
		json_t *j = json_pack("{s:O,s:I,s:O}", "filter", echo, "total", (json_int_t)json_array_size(rows),
				      "entries", rows);

		char *body = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

		json_decref(j);
		if (body && (text = malloc(strlen(body) + 2)))
			snprintf(text, strlen(body) + 2, "%s\n", body);
		free(body);
		if (!text)
			ret = GS_ENOMEM;
		else if (write_output(o->output, text, strlen(text)))
			ret = ALREADY_SAID;
	} else {
		json_array_foreach(rows, i, row)
			row_print(row);
		printf("%zu entr%s\n", json_array_size(rows), json_array_size(rows) == 1 ? "y" : "ies");
	}
	free(text);
	json_decref(rows);
	json_decref(echo);
	return ret;
}

static int do_witness(struct node *n, const struct opts *o, const char *peer, struct gs_diag *d)
{
	struct witness_result res;
	int ret;

	ret = witness_peer(n, peer, &res, d);
	if (ret == GS_ESTATE && !node_unlocked(n)) {
		struct gs_diag ud = { { 0 } };

		if ((ret = unlock(n, o, &ud))) {
			*d = ud;
			return ret;
		}
		ret = witness_peer(n, peer, &res, d);
	}
	if (ret)
		return ret;
	if (o->json) {
		json_t *j = json_object();
		char origin[GS_MAX_NAME];

		ledger_origin(node_self(n)->code, node_self(n)->exercise, peer, origin);
		json_object_set_new(j, "peer", json_string(peer));
		json_object_set_new(j, "origin", json_string(origin));
		json_object_set_new(j, "size", json_integer((json_int_t)res.size));
		json_object_set_new(j, "old_size", json_integer((json_int_t)res.old_size));
		json_object_set_new(j, "already", json_boolean(res.already));
		json_object_set_new(j, "resynced", json_boolean(res.retried));
		if (!res.already)
			json_object_set_new(j, "cosigned_at", jinstant((gs_instant)res.timestamp));
		print_json(j);
	} else if (res.already) {
		printf("%s has already cosigned this node's log at size %" PRIu64 "\n", peer, res.size);
	} else {
		printf("%s cosigned this node's log at size %" PRIu64 " (consistent from size %" PRIu64 "%s)\n",
		       peer, res.size, res.old_size, res.retried ? ", after a resync" : "");
	}
	return 0;
}

struct peers_ctx {
	struct node *n;
	bool json;
	json_t *arr;
	size_t evidence;
	struct gs_diag *d;
};

static json_t *size_at(bool have, uint64_t size, gs_instant at)
{
	if (!have)
		return json_null();
	return json_pack("{s:I, s:o}", "size", (json_int_t)size, "at", jinstant(at));
}

static int evidence_one(void *ctx, const struct store_evidence *e)
{
	char t[GS_INSTANT_STR];

	(void)ctx;
	instant_format(e->found_at, t);
	fprintf(stderr, "gsomia: INCONSISTENT: %s: %s (found %s; sizes %" PRIu64 " and %" PRIu64 ", problem %s)\n",
		e->peer, e->detail, t, e->held_size, e->new_size, e->problem);
	return 0;
}

static json_t *evidence_json(const struct store_evidence *e)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s%, s:I, s:s%, s:s, s:o}",
			 "id", (json_int_t)e->id, "origin", e->origin, "problem", e->problem,
			 "detail", e->detail, "held_size", (json_int_t)e->held_size,
			 "held_checkpoint", (const char *)e->held_note, e->held_len,
			 "new_size", (json_int_t)e->new_size,
			 "new_checkpoint", (const char *)e->new_note, e->new_len,
			 "proof", e->proof, "found_at", jinstant(e->found_at));
}

static int evidence_add(void *ctx, const struct store_evidence *e)
{
	json_t *j = evidence_json(e);

	if (!j)
		return GS_ENOMEM;
	return json_array_append_new(ctx, j) ? GS_ENOMEM : 0;
}

static int peers_one(void *ctx, const struct witness_status *s)
{
	struct peers_ctx *c = ctx;
	char t[GS_INSTANT_STR];
	int ret;

	c->evidence += s->evidence;
	if (c->json) {
		json_t *o = json_object(), *ev = json_array();

		json_object_set_new(o, "peer", json_string(s->peer));
		json_object_set_new(o, "endpoint", json_boolean(s->has_endpoint));
		json_object_set_new(o, "log", json_pack("{s:s, s:I, s:o}", "origin", s->origin,
							  "size", (json_int_t)s->size,
							  "cosigned_by_peer",
							  size_at(s->cosigned, s->cosigned_size, s->cosigned_at)));
		json_object_set_new(o, "peer_log", json_pack("{s:s, s:o, s:o}", "origin", s->peer_origin,
							       "verified", size_at(s->verified, s->verified_size, s->verified_at),
							       "cosigned", size_at(s->witnessed, s->witnessed_size, s->witnessed_at)));
		if ((ret = witness_evidence_each(c->n, s->peer, evidence_add, ev, c->d))) {
			json_decref(ev);
			json_decref(o);
			return ret;
		}
		json_object_set_new(o, "evidence", ev);
		/* the peer's restorations from a backup (node/restore.h) */
		json_object_set_new(o, "restorations", restorations_json(c->n, s->peer, c->d));
		json_array_append_new(c->arr, o);
		return 0;
	}
	printf("%s%s\n", s->peer, s->has_endpoint ? "" : " (no endpoint)");
	printf("  our log     %s  size %" PRIu64, s->origin, s->size);
	if (s->cosigned) {
		instant_format(s->cosigned_at, t);
		printf("  cosigned by %s up to %" PRIu64 " at %s\n", s->peer, s->cosigned_size, t);
	} else {
		printf("  never cosigned by %s\n", s->peer);
	}
	printf("  their log   %s", s->peer_origin);
	if (s->verified) {
		instant_format(s->verified_at, t);
		printf("  verified up to %" PRIu64 " at %s", s->verified_size, t);
	} else {
		printf("  nothing verified yet");
	}
	if (s->witnessed) {
		instant_format(s->witnessed_at, t);
		printf(", cosigned up to %" PRIu64 " at %s", s->witnessed_size, t);
	}
	putchar('\n');
	if (s->evidence)
		printf("  INCONSISTENT: %zu piece%s of evidence against %s (see stderr, or --json)\n", s->evidence,
		       s->evidence == 1 ? "" : "s", s->peer);
	return restorations_print(c->n, s->peer, stdout, "  ", c->d);
}

static int do_peers(struct node *n, const struct opts *o, struct gs_diag *d)
{
	struct peers_ctx c = { n, o->json, json_array(), 0, d };
	int ret;

	if (!c.arr)
		return GS_ENOMEM;
	if ((ret = witness_status_each(n, peers_one, &c, d))) {
		json_decref(c.arr);
		return ret;
	}
	if (o->json)
		print_json(c.arr);
	else
		json_decref(c.arr);
	fflush(stdout);
	if (c.evidence) {
		if ((ret = witness_evidence_each(n, NULL, evidence_one, &c, d)))
			return ret;
		fprintf(stderr, "gsomia: %zu inconsistenc%s found in peers' checkpoints: keep the evidence and raise it\n",
			c.evidence, c.evidence == 1 ? "y" : "ies");
		return ALREADY_SAID;
	}
	return 0;
}

int cmd_ledger(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "peer", required_argument, NULL, 'p' },
		{ "internal", no_argument, NULL, 'i' },
		{ "identity", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "all", no_argument, NULL, 'a' },
		{ "kind", required_argument, NULL, 'k' },
		{ "person", required_argument, NULL, 'r' },
		{ "item", required_argument, NULL, 't' },
		{ "party", required_argument, NULL, 'y' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int nargs;
	} subs[] = {
		{ "list", 0 }, { "show", 0 }, { "verify", 0 }, { "checkpoint", 0 },
		{ "prove", 1 }, { "consistency", 2 }, { "verify-proof", 1 }, { "witness", 1 },
		{ "peers", 0 },
	};
	struct opts o = { 0 };
	struct gs_diag d = { { 0 } };
	struct node *n = NULL;
	const char *sub;
	uint64_t a = 0, b = 0;
	size_t i;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': o.home = optarg; break;
		case 'P': o.passfile = optarg; break;
		case 'o': o.output = optarg; break;
		case 'p': o.peer = optarg; break;
		case 'i': o.internal = true; break;
		case 'I': o.identity = optarg; break;
		case 'j': o.json = true; break;
		case 'C': o.csv = o.audit = true; break;
		case 'a': o.audit = true; break;
		case 'k': case 'r': case 't': case 'y': case 's': case 'u': {
			const char *name = c == 'k' ? "kind" : c == 'r' ? "person" : c == 't' ? "item" : c == 'y' ? "party"
					   : c == 's' ? "since" : "until";
			int k;

			for (k = 0; k < o.nfilter; k++)
				if (!strcmp(o.filter[k][0], name))
					return usage_error("ledger", "--%s is given twice", name);
			o.filter[o.nfilter][0] = name;
			o.filter[o.nfilter++][1] = optarg;
			o.audit = true;
			break;
		}
		case 'h': fputs(ledger_help, stdout); return EXIT_OK;
		default: return usage_error("ledger", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("ledger", "missing subcommand (list, show, verify, checkpoint, prove, consistency, verify-proof, witness, peers)");
	sub = argv[optind++];
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(sub, subs[i].name))
			break;
	if (i == sizeof(subs) / sizeof(subs[0]))
		return usage_error("ledger", "unknown subcommand '%s'", sub);
	if (argc - optind != subs[i].nargs)
		return usage_error("ledger", "'%s' takes %d argument%s", sub, subs[i].nargs,
				   subs[i].nargs == 1 ? "" : "s");
	if (o.peer && o.internal)
		return usage_error("ledger", "--peer and --internal exclude each other");
	if (o.audit && strcmp(sub, "show"))
		return usage_error("ledger", "--all, --csv and the audit filters (--kind, --person, --item, --party, --since, --until) are for 'show'");
	if (o.csv && o.json)
		return usage_error("ledger", "--csv and --json exclude each other");
	if (o.peer && !party_code_is_valid(o.peer))
		return usage_error("ledger", "--peer '%s' is not a party code", o.peer);
	if (!strcmp(sub, "witness") && (!party_code_is_valid(argv[optind]) || o.peer || o.internal))
		return usage_error("ledger", "witness takes a party code, and no --peer or --internal");
	if (!strcmp(sub, "prove") && parse_u64(argv[optind], &a))
		return usage_error("ledger", "INDEX '%s' is not a number", argv[optind]);
	if (!strcmp(sub, "consistency") &&
	    (parse_u64(argv[optind], &a) || parse_u64(argv[optind + 1], &b)))
		return usage_error("ledger", "OLD and NEW must be numbers");
	if (!strcmp(sub, "verify-proof")) {
		if (!o.identity)
			return usage_error("ledger", "verify-proof needs --identity PARTY.id");
		ret = do_verify_proof(&o, argv[optind], &d);
		return ret ? fail(ret, &d) : EXIT_OK;
	}
	/* checkpoint, prove and witness sign and record; the rest only read */
	if ((ret = strcmp(sub, "checkpoint") && strcmp(sub, "prove") && strcmp(sub, "witness") ? open_node_read(o.home, &n)
													: open_node(o.home, &n)))
		return ret;
	if (!strcmp(sub, "list")) {
		struct list_ctx lc = { o.json, false, json_array(), 0 };

		ret = ledger_logs(n, list_one, &lc, &d);
		if (!ret && o.json)
			print_json(lc.arr);
		else
			json_decref(lc.arr);
	} else if (!strcmp(sub, "show") && o.audit) {
		ret = do_audit(n, &o, &d);
	} else if (!strcmp(sub, "show")) {
		struct show_ctx sc = { o.json, json_array() };
		char origin[GS_MAX_NAME];
		uint64_t size;
		uint8_t root[32];

		ledger_origin(node_self(n)->code, node_self(n)->exercise, o.peer, origin);
		if ((ret = ledger_head(n, o.peer, &size, root, &d)) == 0) {
			if (!o.json)
				printf("%s  size %" PRIu64 "\n", origin, size);
			ret = ledger_each(n, o.peer, 0, UINT64_MAX, show_one, &sc, &d);
		}
		if (!ret && o.json) {
			json_t *j = json_object();
			char b64[B64_ENCODED_SIZE(32)];

			b64_encode(root, 32, b64, sizeof(b64));
			json_object_set_new(j, "origin", json_string(origin));
			json_object_set_new(j, "size", json_integer((json_int_t)size));
			json_object_set_new(j, "root", json_string(b64));
			json_object_set_new(j, "entries", sc.arr);
			print_json(j);
		} else {
			json_decref(sc.arr);
		}
	} else if (!strcmp(sub, "verify")) {
		struct list_ctx lc = { o.json, true, json_array(), 0 };
		const char *only = o.peer ? o.peer : o.internal ? "" : NULL;

		ret = ledger_verify_local(n, only, list_one, &lc, &d);
		if (!ret && only && lc.count == 0 && !o.json) {
			char origin[GS_MAX_NAME];

			ledger_origin(node_self(n)->code, node_self(n)->exercise, o.peer, origin);
			printf("ok  %s  size 0 (no entries yet)\n", origin);
		}
		if (o.json) {
			json_t *j = json_object();

			json_object_set_new(j, "verified", json_boolean(ret == 0));
			if (ret)
				json_object_set_new(j, "error", json_string(d.msg[0] ? d.msg : gs_strerror(ret)));
			json_object_set_new(j, "logs", lc.arr);
			print_json(j);
		} else {
			json_decref(lc.arr);
		}
	} else if (!strcmp(sub, "checkpoint")) {
		ret = do_checkpoint(n, &o, &d);
	} else if (!strcmp(sub, "prove")) {
		ret = do_prove(n, &o, a, &d);
	} else if (!strcmp(sub, "witness")) {
		ret = do_witness(n, &o, argv[optind], &d);
	} else if (!strcmp(sub, "peers")) {
		ret = do_peers(n, &o, &d);
	} else {
		ret = do_consistency(n, &o, a, b, &d);
	}
	node_close(n);
	if (ret == ALREADY_SAID)
		return EXIT_FAIL;
	return ret ? fail(ret, &d) : EXIT_OK;
}
