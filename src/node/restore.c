/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/checkpoint.h"
#include "crypto/note.h"
#include "core/kvtext.h"
#include "node/ledger.h"
#include "node/record.h"
#include "node/restore.h"
#include "store/backup_store.h"
#include "store/ledger_store.h"
#include "util/encode.h"
#include "util/file.h"
#include "util/banned.h"

#define HOLD_KEY "restore"
#define HOLD_UNKNOWN 0
#define HOLD_NONE 1
#define HOLD_HELD 2

/* ---- the hold ---------------------------------------------------------- */

static bool state_holds(const char *state)
{
	return state && (!strcmp(state, "unchecked") || !strcmp(state, "behind") || !strcmp(state, "forked"));
}

int restore_hold_get(struct node *n, json_t **out, struct gs_diag *d)
{
	json_error_t je;
	char *v = NULL;
	int ret;

	*out = NULL;
	ret = store_meta_get(n->st, HOLD_KEY, &v);
	if (ret == GS_ENOTFOUND)
		return 0;
	if (ret)
		return gs_diag_set(d, ret, "cannot read the restore hold");
	*out = json_loads(v, JSON_REJECT_DUPLICATES, &je);
	free(v);
	if (!*out || !json_is_array(json_object_get(*out, "logs"))) {
		json_decref(*out);
		*out = NULL;
		return gs_diag_set(d, GS_EIO, "the restore hold of '%s' is damaged", n->home);
	}
	return 0;
}

static int hold_put(struct node *n, json_t *hold, struct gs_diag *d)
{
	char *s = json_dumps(hold, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int ret;

	if (!s)
		return GS_ENOMEM;
	ret = store_meta_set(n->st, HOLD_KEY, s);
	free(s);
	n->restore_hold = HOLD_UNKNOWN; /* read again at the next append */
	return ret ? gs_diag_set(d, ret, "cannot record the restore hold") : 0;
}

static json_t *hold_log(json_t *hold, const char *peer)
{
	json_t *logs = json_object_get(hold, "logs"), *l;
	size_t i;

	json_array_foreach(logs, i, l)
		if (!strcmp(jstr(l, "peer"), peer))
			return l;
	return NULL;
}

struct begin_walk {
	struct node *n;
	json_t *logs;
	int ret;
	struct gs_diag *d;
};

static int begin_party(void *ctx, const struct store_party *p)
{
	struct begin_walk *w = ctx;
	char origin[GS_MAX_NAME];
	uint8_t root[32];
	uint64_t size = 0;

	if (p->is_self)
		return 0;
	if (ledger_head(w->n, p->code, &size, root, w->d) || !size)
		return 0; /* no log for this peer: nothing it could have cosigned */
	ledger_origin(w->n->self.code, w->n->self.exercise, p->code, origin);
	json_array_append_new(w->logs, json_pack("{s:s, s:s, s:I, s:s, s:n, s:s}", "peer", p->code, "origin", origin,
						 "size", (json_int_t)size, "state", "unchecked", "held", "detail",
						 "not yet compared with what the peer cosigned"));
	return 0;
}

int restore_hold_begin(struct node *n, gs_instant taken, struct gs_diag *d)
{
	char t[GS_INSTANT_STR], now_s[GS_INSTANT_STR];
	struct begin_walk w = { n, json_array(), 0, d };
	gs_instant now;
	json_t *hold;
	int ret;

	if ((ret = node_now(n, &now, d)))
		return ret;
	instant_format(taken, t);
	instant_format(now, now_s);
	if ((ret = store_party_each(n->st, begin_party, &w))) {
		json_decref(w.logs);
		return gs_diag_set(d, ret, "cannot list the parties");
	}
	hold = json_pack("{s:s, s:s, s:o}", "backup_taken", t, "restored_at", now_s, "logs", w.logs);
	if (!hold)
		return GS_ENOMEM;
	if ((ret = store_begin(n->st))) {
		json_decref(hold);
		return gs_diag_set(d, ret, "cannot begin a transaction");
	}
	if ((ret = hold_put(n, hold, d)) || (ret = store_commit(n->st))) {
		store_rollback(n->st);
		gs_diag_set(d, ret, "cannot record the restore hold");
	}
	json_decref(hold);
	return ret;
}

int restore_hold_refuses(struct node *n, const char *peer, struct gs_diag *d)
{
	json_t *hold = NULL, *logs, *l, *mine = NULL;
	bool any = false;
	size_t i;
	int ret;

	if (!peer || !*peer || n->restore_hold == HOLD_NONE)
		return 0;
	if ((ret = restore_hold_get(n, &hold, d)))
		return ret;
	if (!hold) {
		n->restore_hold = HOLD_NONE;
		return 0;
	}
	logs = json_object_get(hold, "logs");
	json_array_foreach(logs, i, l) {
		if (state_holds(jstr(l, "state"))) {
			any = true;
			if (!strcmp(jstr(l, "peer"), peer))
				mine = l;
		}
	}
	n->restore_hold = any ? HOLD_HELD : HOLD_NONE;
	if (mine)
		ret = gs_diag_set(d, GS_ESTATE,
				  "this node was restored from a backup taken %s, and %s; nothing is appended to that log "
				  "until a newer backup is restored or an officer records a restoration notice "
				  "('gsomia restore notice')",
				  jstr(hold, "backup_taken"), jstr(mine, "detail"));
	json_decref(hold);
	return ret;
}

/* Sets the log's state in the hold, in a transaction of its own. No hold,
 * or no record of the log: nothing to record. */
static int hold_record(struct node *n, const char *peer, const char *state, json_t *held, const char *detail,
		       char out_state[16], struct gs_diag *d)
{
	json_t *hold = NULL, *l;
	int ret;

	snprintf(out_state, 16, "%s", state);
	if ((ret = store_begin(n->st)))
		return gs_diag_set(d, ret, "cannot begin a transaction");
	if ((ret = restore_hold_get(n, &hold, d)) || !hold || !(l = hold_log(hold, peer))) {
		store_rollback(n->st);
		json_decref(hold);
		json_decref(held);
		if (!ret)
			snprintf(out_state, 16, "%s", "");
		return ret;
	}
	/* a notice, once signed, stands: the peer will be told */
	if (strcmp(jstr(l, "state"), "noticed")) {
		json_object_set_new(l, "state", json_string(state));
		json_object_set_new(l, "detail", json_string(detail));
	} else {
		snprintf(out_state, 16, "%s", "noticed");
	}
	json_object_set_new(l, "held", held ? held : json_null());
	held = NULL;
	if ((ret = hold_put(n, hold, d)) || (ret = store_commit(n->st)))
		store_rollback(n->st);
	json_decref(hold);
	return ret;
}

int restore_judge(struct node *n, const char *peer, const char *note, size_t len, struct restore_verdict *out,
		  struct gs_diag *d)
{
	struct checkpoint cp;
	char pr[GS_MAX_CODE];
	uint8_t root[32], at[32];
	bool same = true;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->peer, sizeof(out->peer), "%s", peer);
	ledger_origin(n->self.code, n->self.exercise, peer, out->origin);
	if ((ret = ledger_head(n, peer, &out->size, root, d)))
		return ret;
	if (note) {
		if ((ret = ledger_verify_checkpoint(&n->self, note, len, &cp, pr, d))) {
			gs_diag_prefix(d, "%s returned a checkpoint that is not this node's", peer);
			return GS_ECRYPTO;
		}
		if (strcmp(pr, peer))
			return gs_diag_set(d, GS_ECRYPTO, "%s returned a checkpoint of '%s', not of this node's log for %s",
					   peer, cp.origin, peer);
		out->held = cp.size;
		if (cp.size <= out->size) {
			if ((ret = ledger_root(n, peer, cp.size, at, d)))
				return ret;
			same = !memcmp(at, cp.root, 32);
		}
	}
	out->verdict = rollback_judge(out->size, out->held, same);
	rollback_explain(out->verdict, out->origin, peer, out->size, out->held, out->detail, sizeof(out->detail));
	{
		json_t *held = NULL;

		if (note) {
			char r64[B64_ENCODED_SIZE(32)];

			b64_encode(cp.root, 32, r64, sizeof(r64));
			held = json_pack("{s:I, s:s}", "size", (json_int_t)cp.size, "root", r64);
		}
		return hold_record(n, peer, rollback_verdict_name(out->verdict), held, out->detail, out->state, d);
	}
}

int restore_unreachable(struct node *n, const char *peer, const char *why, struct gs_diag *d)
{
	char detail[1024], origin[GS_MAX_NAME], state[16];
	uint64_t size = 0;
	uint8_t root[32];

	ledger_origin(n->self.code, n->self.exercise, peer, origin);
	if (ledger_head(n, peer, &size, root, NULL))
		size = 0;
	snprintf(detail, sizeof(detail),
		 "log '%s' (%" PRIu64 " entries) has not been compared with what %s cosigned (%s could not be asked: %.200s); run 'gsomia restore check'",
		 origin, size, peer, peer, why);
	return hold_record(n, peer, "unchecked", NULL, detail, state, d);
}

/* ---- notices ----------------------------------------------------------- */

/* A notice's id: the first 16 bytes of its SHA-256, in hex (an id the
 * outbox and the peer's inbox take: at most 63 characters). */
static void notice_id(const uint8_t *buf, size_t len, char id[65])
{
	uint8_t h[32];

	crypto_hash_sha256(h, buf, len);
	hex_encode(h, 16, id, 65);
}

static int ensure_outgoing(struct node *n, char *dir, size_t cap, struct gs_diag *d)
{
	snprintf(dir, cap, "%s/outgoing", n->home);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gs_diag_set(d, GS_EIO, "cannot make %s: %s", dir, strerror(errno));
	return 0;
}

static void u64s(uint64_t v, char out[24])
{
	snprintf(out, 24, "%" PRIu64, v);
}

/* Signs and logs the notice for one held log. */
static int notice_one(struct node *n, json_t *hold, json_t *l, const char *text, char id[65], char *path,
		      size_t pathcap, struct gs_diag *d)
{
	const char *peer = jstr(l, "peer");
	json_t *held = json_object_get(l, "held");
	char origin[GS_MAX_NAME], rs[24], hs[24], lf[24], now_s[GS_INSTANT_STR], dir[GS_PATH_MAX];
	char r64[B64_ENCODED_SIZE(32)], *cp64 = NULL, *cp = NULL, *note = NULL;
	uint8_t root[32];
	uint64_t size;
	size_t cplen = 0, notelen = 0;
	struct kvbuf b;
	gs_instant now;
	int ret;

	if ((ret = node_now(n, &now, d)) || (ret = ledger_head(n, peer, &size, root, d)) ||
	    (ret = ledger_checkpoint(n, peer, &cp, &cplen, d)))
		goto out;
	ledger_origin(n->self.code, n->self.exercise, peer, origin);
	instant_format(now, now_s);
	b64_encode(root, 32, r64, sizeof(r64));
	cp64 = malloc(B64_ENCODED_SIZE(cplen));
	if (!cp64) {
		ret = GS_ENOMEM;
		goto out;
	}
	b64_encode((const uint8_t *)cp, cplen, cp64, B64_ENCODED_SIZE(cplen));
	u64s(size, rs);
	kv_begin(&b, RESTORATION_MAGIC);
	kv_add(&b, "party", n->self.code);
	kv_add(&b, "peer", peer);
	kv_add(&b, "origin", origin);
	kv_add(&b, "restored-size", rs);
	kv_add(&b, "restored-root", r64);
	kv_add(&b, "checkpoint", cp64);
	if (json_is_object(held)) {
		u64s((uint64_t)json_integer_value(json_object_get(held, "size")), hs);
		kv_add(&b, "held-size", hs);
		kv_add(&b, "held-root", jstr(held, "root"));
	}
	kv_add(&b, "backup-taken", jstr(hold, "backup_taken"));
	kv_add(&b, "restored-at", now_s);
	kv_add(&b, "text", text);
	if ((ret = kv_end(&b, d)))
		goto out;
	ret = node_sign(n, b.buf, b.len, &note, &notelen, d);
	free(b.buf);
	if (ret)
		goto out;
	notice_id((const uint8_t *)note, notelen, id);
	/* the hold first, in the same transaction: the entry may then go in */
	json_object_set_new(l, "state", json_string("noticed"));
	json_object_set_new(l, "notice", json_string(id));
	json_object_set_new(l, "detail", json_string("a restoration notice was signed for it"));
	if ((ret = store_begin(n->st))) {
		gs_diag_set(d, ret, "cannot begin a transaction");
		goto out;
	}
	u64s(size, lf);
	if ((ret = hold_put(n, hold, d)) ||
	    (ret = ledger_event(n, peer, LEDGER_RESTORATION, now, id, d, "notice-id", id, "origin", origin,
				"restored-size", rs, "held-size", json_is_object(held) ? hs : "", "made-here", "yes",
				"text", text ? text : "", "notice", note, (const char *)NULL)) ||
	    (ret = store_commit(n->st))) {
		store_rollback(n->st);
		goto out;
	}
	if ((ret = ensure_outgoing(n, dir, sizeof(dir), d)))
		goto out;
	if (snprintf(path, pathcap, "%s/restoration-%s.note", dir, id) >= (int)pathcap) {
		ret = gs_diag_set(d, GS_ELIMIT, "%s: path too long", dir);
		goto out;
	}
	ret = write_file_atomic(path, note, notelen, 0600, d);
out:
	free(cp);
	free(cp64);
	free(note);
	return ret;
}

int restore_notice_make(struct node *n, const char *text,
			int (*fn)(void *ctx, const char *peer, const char *id, const char *path), void *ctx,
			struct gs_diag *d)
{
	json_t *hold = NULL, *l;
	char id[65], path[GS_PATH_MAX];
	size_t i;
	int ret, made = 0;

	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if (text && *text && !kv_value_ok(text))
		return gs_diag_set(d, GS_EINVAL, "the notice's text must be one line without control characters");
	if ((ret = restore_hold_get(n, &hold, d)))
		return ret;
	if (!hold)
		return gs_diag_set(d, GS_ESTATE, "home '%s' was not restored from a backup: there is nothing to give notice of",
				   n->home);
	json_array_foreach(json_object_get(hold, "logs"), i, l) {
		if (!state_holds(jstr(l, "state")))
			continue;
		if ((ret = notice_one(n, hold, l, text, id, path, sizeof(path), d)))
			break;
		made++;
		if (fn && (ret = fn(ctx, jstr(l, "peer"), id, path)))
			break;
	}
	json_decref(hold);
	if (!ret && !made)
		ret = gs_diag_set(d, GS_ESTATE, "no log is held: every log is whole, or already has its notice");
	return ret;
}

/* ---- the receiving side ---------------------------------------------- */

struct notice_fields {
	char party[GS_MAX_CODE], peer[GS_MAX_CODE], origin[GS_MAX_NAME];
	char rsize[24], rroot[64], checkpoint[8192], hsize[24], hroot[64];
	char taken[GS_INSTANT_STR], at[GS_INSTANT_STR], text[512];
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || (s[0] == '0' && s[1]) || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int notice_parse(const struct signed_note *sn, struct notice_fields *f, struct gs_diag *d)
{
	struct kv_field kv[] = {
		{ "party", f->party, sizeof(f->party), true },
		{ "peer", f->peer, sizeof(f->peer), true },
		{ "origin", f->origin, sizeof(f->origin), true },
		{ "restored-size", f->rsize, sizeof(f->rsize), true },
		{ "restored-root", f->rroot, sizeof(f->rroot), true },
		{ "checkpoint", f->checkpoint, sizeof(f->checkpoint), true },
		{ "held-size", f->hsize, sizeof(f->hsize), false },
		{ "held-root", f->hroot, sizeof(f->hroot), false },
		{ "backup-taken", f->taken, sizeof(f->taken), true },
		{ "restored-at", f->at, sizeof(f->at), true },
		{ "text", f->text, sizeof(f->text), false },
	};

	return kv_parse(sn->text, sn->text_len, RESTORATION_MAGIC, kv, sizeof(kv) / sizeof(kv[0]), d);
}

int restore_notice_parse(const uint8_t *buf, size_t len, struct restoration *out, struct gs_diag *d)
{
	struct signed_note *sn = malloc(sizeof(*sn));
	struct notice_fields *f = malloc(sizeof(*f));
	uint8_t root[32];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!sn || !f) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)buf, len, sn, d)) || (ret = notice_parse(sn, f, d)))
		goto out;
	if (parse_u64(f->rsize, &out->restored_size) || b64_decode_exact(f->rroot, strlen(f->rroot), root, 32) ||
	    (f->hsize[0] && parse_u64(f->hsize, &out->held_size)) || !party_code_is_valid(f->party) ||
	    !party_code_is_valid(f->peer) || kv_instant(f->taken, &(gs_instant){ 0 }) ||
	    kv_instant(f->at, &(gs_instant){ 0 })) {
		ret = gs_diag_set(d, GS_EINVAL, "restoration notice: a code, size, root or instant is malformed");
		goto out;
	}
	out->held_known = f->hsize[0] != 0;
	if (out->held_known && out->held_size > out->restored_size) {
		out->lost_from = out->restored_size;
		out->lost_to = out->held_size;
	}
	notice_id(buf, len, out->id);
	snprintf(out->party, sizeof(out->party), "%s", f->party);
	snprintf(out->peer, sizeof(out->peer), "%s", f->peer);
	snprintf(out->origin, sizeof(out->origin), "%s", f->origin);
	snprintf(out->backup_taken, sizeof(out->backup_taken), "%s", f->taken);
	snprintf(out->restored_at, sizeof(out->restored_at), "%s", f->at);
	snprintf(out->text, sizeof(out->text), "%s", f->text);
out:
	free(sn);
	free(f);
	return ret;
}


struct find_id {
	const char *id;
	bool found;
};

static int entry_field(const struct ledger_entry *e, const char *key, char *out, size_t cap)
{
	size_t i, n;

	out[0] = 0;
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].key_len == strlen(key) && !memcmp(e->fields[i].key, key, e->fields[i].key_len)) {
			n = e->fields[i].value_len < cap - 1 ? e->fields[i].value_len : cap - 1;
			memcpy(out, e->fields[i].value, n);
			out[n] = 0;
			return 0;
		}
	}
	return -1;
}

static int find_notice(void *ctx, uint64_t idx, const uint8_t *entry, size_t len)
{
	struct find_id *f = ctx;
	struct ledger_entry *e = malloc(sizeof(*e));
	char id[65];

	(void)idx;
	if (!e)
		return GS_ENOMEM;
	if (!ledger_entry_decode(entry, len, e, NULL) && !entry_field(e, "notice-id", id, sizeof(id)) &&
	    !strcmp(id, f->id))
		f->found = true;
	free(e);
	return 0;
}

int restore_notice_import(struct node *n, const char *sender, const uint8_t *buf, size_t len,
			  struct restoration *out, bool *already, struct gs_diag *d)
{
	struct signed_note *sn = malloc(sizeof(*sn));
	struct notice_fields *f = malloc(sizeof(*f));
	struct party *p = malloc(sizeof(*p));
	char keyname[GS_MAX_NAME], origin[GS_MAX_NAME], mylog[GS_MAX_NAME], pr[GS_MAX_CODE], hs[24], lf[24], lt[24];
	char *text = NULL;
	uint8_t *cp = NULL, root[32], *held_note = NULL;
	size_t cplen = 0, held_len = 0;
	uint64_t held = 0;
	struct checkpoint c;
	struct find_id fid;
	gs_instant now;
	int ret;

	memset(out, 0, sizeof(*out));
	*already = false;
	if (!sn || !f || !p) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = note_parse((const char *)buf, len, sn, d)) || (ret = notice_parse(sn, f, d))) {
		gs_diag_prefix(d, "restoration notice");
		goto out;
	}
	if (sender && strcmp(sender, f->party)) {
		ret = gs_diag_set(d, GS_EDENIED, "restoration notice: from %s, but delivered by %s", f->party, sender);
		goto out;
	}
	if (!strcmp(f->party, n->self.code)) {
		ret = gs_diag_set(d, GS_EINVAL, "restoration notice: it is this node's own");
		goto out;
	}
	if ((ret = node_party_get(n, f->party, p, d)))
		goto out;
	party_key_name(p->code, p->exercise, keyname);
	if (p->exercise != n->self.exercise) {
		ret = gs_diag_set(d, GS_EDENIED, "restoration notice: real and exercise nodes do not mix");
		goto out;
	}
	ret = note_verify(sn, keyname, p->sign_pk);
	if (ret) {
		ret = gs_diag_set(d, GS_ECRYPTO, "restoration notice: not signed by %s's registered key", p->code);
		goto out;
	}
	if (strcmp(f->peer, n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "restoration notice: addressed to %s, not to %s", f->peer, n->self.code);
		goto out;
	}
	ledger_origin(p->code, p->exercise, n->self.code, origin);
	if (strcmp(f->origin, origin)) {
		ret = gs_diag_set(d, GS_EINVAL, "restoration notice: '%s' is not %s's log for %s", f->origin, p->code,
				  n->self.code);
		goto out;
	}
	cp = malloc(B64_DECODED_MAX(strlen(f->checkpoint)) + 1);
	if (!cp) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (parse_u64(f->rsize, &out->restored_size) || b64_decode_exact(f->rroot, strlen(f->rroot), root, 32) ||
	    b64_decode(f->checkpoint, strlen(f->checkpoint), cp, B64_DECODED_MAX(strlen(f->checkpoint)), &cplen) ||
	    (f->hsize[0] && parse_u64(f->hsize, &out->held_size))) {
		ret = gs_diag_set(d, GS_EINVAL, "restoration notice: a size, root or checkpoint is malformed");
		goto out;
	}
	out->held_known = f->hsize[0] != 0;
	if ((ret = ledger_verify_checkpoint(p, (const char *)cp, cplen, &c, pr, d)) || strcmp(pr, n->self.code) ||
	    c.size != out->restored_size || memcmp(c.root, root, 32)) {
		if (!ret)
			gs_diag_set(d, GS_ECRYPTO, "the checkpoint is not of size %" PRIu64 " with the root stated",
				    out->restored_size);
		gs_diag_prefix(d, "restoration notice");
		ret = GS_ECRYPTO;
		goto out;
	}
	notice_id(buf, len, out->id);
	fid.id = out->id;
	fid.found = false;
	ledger_origin(n->self.code, n->self.exercise, p->code, mylog);
	if ((ret = store_ledger_kind_each(n->st, mylog, "restoration", find_notice, &fid)))
		goto out;
	if (fid.found) {
		*already = true;
		goto fill;
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	/* the notice goes into the entry whole, as a string */
	if (!(text = malloc(len + 1))) {
		ret = GS_ENOMEM;
		goto out;
	}
	memcpy(text, buf, len);
	text[len] = 0;
	if ((ret = store_begin(n->st))) {
		gs_diag_set(d, ret, "cannot begin a transaction");
		goto out;
	}
	ret = store_ledger_peer_checkpoint_latest(n->st, origin, &held, &held_note, &held_len);
	if (ret == GS_ENOTFOUND) {
		held = 0;
		ret = 0;
	}
	out->lost_from = out->lost_to = 0;
	if (!ret && held > out->restored_size) {
		out->lost_from = out->restored_size;
		out->lost_to = held;
		ret = store_ledger_peer_rewind(n->st, origin, n->self.code, out->restored_size);
		if (!ret)
			ret = store_ledger_peer_checkpoint_put(n->st, origin, c.size, cp, cplen, (int64_t)now);
	}
	u64s(held, hs);
	u64s(out->lost_from, lf);
	u64s(out->lost_to, lt);
	if (!ret)
		ret = ledger_event(n, p->code, LEDGER_RESTORATION, now, out->id, d, "notice-id", out->id, "origin",
				   origin, "restored-size", f->rsize, "held-size", hs, "lost-from",
				   out->lost_to ? lf : "", "lost-to", out->lost_to ? lt : "", "made-here", "no", "text",
				   f->text, "notice", text, (const char *)NULL);
	if (!ret)
		ret = store_commit(n->st);
	if (ret) {
		store_rollback(n->st);
		if (!d || !d->msg[0])
			gs_diag_set(d, ret, "cannot record the restoration notice");
		goto out;
	}
fill:
	snprintf(out->party, sizeof(out->party), "%s", p->code);
	snprintf(out->peer, sizeof(out->peer), "%s", n->self.code);
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	snprintf(out->backup_taken, sizeof(out->backup_taken), "%s", f->taken);
	snprintf(out->restored_at, sizeof(out->restored_at), "%s", f->at);
	snprintf(out->text, sizeof(out->text), "%s", f->text);
out:
	free(text);
	free(held_note);
	free(cp);
	free(sn);
	free(f);
	free(p);
	return ret;
}

/* ---- listing ------------------------------------------------------------ */

struct each_notice {
	struct node *n;
	const char *peer;
	int (*fn)(void *ctx, const struct restoration *r);
	void *ctx;
	struct gs_diag *d;
};

static int notice_of_entry(void *ctx, uint64_t idx, const uint8_t *entry, size_t len)
{
	struct each_notice *w = ctx;
	struct ledger_entry *e = malloc(sizeof(*e));
	struct restoration *r = calloc(1, sizeof(*r));
	struct signed_note *sn = malloc(sizeof(*sn));
	struct notice_fields *f = malloc(sizeof(*f));
	char v[64], *note = NULL;
	size_t i;
	int ret = 0;

	if (!e || !r || !sn || !f) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (ledger_entry_decode(entry, len, e, NULL))
		goto out; /* 'ledger verify' reports damaged entries */
	r->index = idx;
	entry_field(e, "notice-id", r->id, sizeof(r->id));
	entry_field(e, "origin", r->origin, sizeof(r->origin));
	entry_field(e, "text", r->text, sizeof(r->text));
	entry_field(e, "made-here", v, sizeof(v));
	r->made_here = !strcmp(v, "yes");
	if (!entry_field(e, "restored-size", v, sizeof(v)))
		parse_u64(v, &r->restored_size);
	if (!entry_field(e, "held-size", v, sizeof(v)) && v[0]) {
		r->held_known = !parse_u64(v, &r->held_size);
	}
	if (!entry_field(e, "lost-from", v, sizeof(v)) && v[0])
		parse_u64(v, &r->lost_from);
	if (!entry_field(e, "lost-to", v, sizeof(v)) && v[0])
		parse_u64(v, &r->lost_to);
	if (r->made_here && r->held_known && r->held_size > r->restored_size) {
		r->lost_from = r->restored_size;
		r->lost_to = r->held_size;
	}
	snprintf(r->party, sizeof(r->party), "%s", r->made_here ? w->n->self.code : w->peer);
	snprintf(r->peer, sizeof(r->peer), "%s", r->made_here ? w->peer : w->n->self.code);
	/* the instants, from the notice itself */
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].key_len == 6 && !memcmp(e->fields[i].key, "notice", 6)) {
			note = malloc(e->fields[i].value_len + 1);
			if (note) {
				memcpy(note, e->fields[i].value, e->fields[i].value_len);
				note[e->fields[i].value_len] = 0;
				if (!note_parse(note, e->fields[i].value_len, sn, NULL) && !notice_parse(sn, f, NULL)) {
					snprintf(r->backup_taken, sizeof(r->backup_taken), "%s", f->taken);
					snprintf(r->restored_at, sizeof(r->restored_at), "%s", f->at);
				}
			}
			break;
		}
	}
	ret = w->fn(w->ctx, r);
out:
	free(note);
	free(e);
	free(r);
	free(sn);
	free(f);
	return ret;
}

struct each_party {
	struct each_notice *w;
	int ret;
};

static int notices_of_party(void *ctx, const struct store_party *p)
{
	struct each_party *ep = ctx;
	char origin[GS_MAX_NAME];

	if (p->is_self || (ep->w->peer && strcmp(ep->w->peer, p->code)))
		return 0;
	ledger_origin(ep->w->n->self.code, ep->w->n->self.exercise, p->code, origin);
	{
		struct each_notice one = *ep->w;

		one.peer = p->code;
		return store_ledger_kind_each(ep->w->n->st, origin, "restoration", notice_of_entry, &one);
	}
}

int restore_notices_each(struct node *n, const char *peer, int (*fn)(void *ctx, const struct restoration *r),
			 void *ctx, struct gs_diag *d)
{
	struct each_notice w = { n, peer && *peer ? peer : NULL, fn, ctx, d };
	struct each_party ep = { &w, 0 };
	int ret = store_party_each(n->st, notices_of_party, &ep);

	if (ret == GS_EIO)
		gs_diag_set(d, ret, "cannot read the restorations");
	return ret;
}

int restore_peer_log_held(struct node *n, const char *peer, uint64_t *size, char **note, size_t *len,
			  struct gs_diag *d)
{
	char origin[GS_MAX_NAME];
	uint8_t *buf = NULL;
	int ret;

	*size = 0;
	*note = NULL;
	*len = 0;
	ledger_origin(peer, n->self.exercise, n->self.code, origin);
	ret = store_ledger_peer_checkpoint_latest(n->st, origin, size, &buf, len);
	if (ret == GS_ENOTFOUND) {
		*size = 0;
		return 0;
	}
	if (ret)
		return gs_diag_set(d, ret, "cannot read the checkpoints held of '%s'", origin);
	*note = (char *)buf;
	return 0;
}
