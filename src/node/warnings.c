/* SPDX-License-Identifier: Apache-2.0 */
/* Missile warnings at a node (node/warnings.h, docs/warnings.md). */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/warning_message.h"
#include "node/access.h"
#include "node/agreements.h"
#include "node/commit.h"
#include "node/items.h"
#include "node/items_internal.h"
#include "node/ledger.h"
#include "node/onward.h"
#include "node/outbox.h"
#include "node/registers.h"
#include "node/record.h"
#include "node/warnings.h"
#include "store/warning_store.h"
#include "util/encode.h"
#include "xml/cot.h"
#include "util/banned.h"

_Static_assert(NODE_COT_MAX_XML == COT_MAX_XML && NODE_COT_MAX_OUT == COT_MAX_OUT, "node/warnings.h and xml/cot.h agree");

/* The name a warning's item carries (the bundle's `name`): how a
 * recipient knows to read it as one. */
#define WARNING_ITEM_SUFFIX ".warning.txt"
/* What a sealed warning may weigh: a bigger bundle is not read as one. */
#define WARNING_BUNDLE_MAX (WARNING_MESSAGE_MAX + (64u << 10))

int node_warning_from_cot(const char *buf, size_t len, const struct warning *base, struct warning *out,
			  struct gs_diag *d)
{
	return cot_read(buf, len, base, out, d);
}

int node_warning_to_cot(const struct warning *w, char *out, size_t cap, size_t *len)
{
	return cot_write(w, out, cap, len);
}

/* The machine's clock in milliseconds: what the hops measure. */
static int64_t clock_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static json_t *jms(int64_t ms)
{
	char s[WARNING_TIME_STR];

	warning_time_format(ms, s);
	return json_string(s);
}

/* ---- watchers: one list per process ---- */

#define BUS_MAX 64
static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	unsigned token;
	void (*fn)(void *ctx, int64_t seq);
	void *ctx;
} bus[BUS_MAX];
static unsigned bus_next = 1;

unsigned node_warning_subscribe(void (*fn)(void *ctx, int64_t seq), void *ctx)
{
	unsigned token = 0;

	pthread_mutex_lock(&bus_lock);
	for (int i = 0; i < BUS_MAX; i++)
		if (!bus[i].token) {
			bus[i].token = token = bus_next++;
			bus[i].fn = fn;
			bus[i].ctx = ctx;
			break;
		}
	pthread_mutex_unlock(&bus_lock);
	return token;
}

void node_warning_unsubscribe(unsigned token)
{
	pthread_mutex_lock(&bus_lock);
	for (int i = 0; i < BUS_MAX; i++)
		if (token && bus[i].token == token)
			bus[i].token = 0;
	pthread_mutex_unlock(&bus_lock);
}

static void bus_tell(int64_t seq)
{
	pthread_mutex_lock(&bus_lock);
	for (int i = 0; i < BUS_MAX; i++)
		if (bus[i].token)
			bus[i].fn(bus[i].ctx, seq);
	pthread_mutex_unlock(&bus_lock);
}

/* ---- the messages opened lately, in memory only ---- */

#define KEPT_MAX 512
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char item[GS_MAX_ID];
	char *text;
	size_t len;
} kept[KEPT_MAX];
static unsigned kept_next;

static void keep_message(const char *item, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	unsigned i;

	if (!copy)
		return;
	memcpy(copy, text, len);
	pthread_mutex_lock(&kept_lock);
	i = kept_next++ % KEPT_MAX;
	if (kept[i].text) {
		sodium_memzero(kept[i].text, kept[i].len);
		free(kept[i].text);
	}
	copy_str(kept[i].item, sizeof(kept[i].item), item);
	kept[i].text = copy;
	kept[i].len = len;
	pthread_mutex_unlock(&kept_lock);
}

/* The kept message of item into m: 0, or GS_ENOTFOUND. */
static int kept_message(const char *item, struct warning_message *m)
{
	int ret = GS_ENOTFOUND;

	pthread_mutex_lock(&kept_lock);
	for (unsigned i = 0; i < KEPT_MAX; i++)
		if (kept[i].text && !strcmp(kept[i].item, item)) {
			ret = warning_message_parse(kept[i].text, kept[i].len, m, NULL) ? GS_EINVAL : 0;
			break;
		}
	pthread_mutex_unlock(&kept_lock);
	return ret;
}

static bool is_warning_item(json_t *rec)
{
	const char *name = jstr(rec, "name");
	size_t n = strlen(name), k = strlen(WARNING_ITEM_SUFFIX);

	return n > k && !strcmp(name + n - k, WARNING_ITEM_SUFFIX);
}

/* Opens the held item rec in memory: its message text (malloc'd). */
static int open_message(struct node *n, json_t *rec, char **text, size_t *len, struct gs_diag *d)
{
	char obj[GS_PATH_MAX];
	struct stat sb;
	ssize_t k;
	off_t size;
	int fd, ret;

	*text = NULL;
	/* opened as an open would: right after its receipt commits, the
	 * bundle may still be under its pending name */
	if ((fd = item_object_open(n, jstr(rec, "bundle"), obj, sizeof(obj), d)) < 0)
		return fd;
	ret = fstat(fd, &sb);
	close(fd);
	if (ret != 0)
		return gs_diag_set(d, GS_EIO, "%s: %s", obj, strerror(errno));
	if ((uint64_t)sb.st_size > WARNING_BUNDLE_MAX)
		return gs_diag_set(d, GS_ELIMIT, "item '%s' is too big to be a warning", jstr(rec, "id"));
	fd = memfd_create("gsomia-warning", MFD_CLOEXEC);
	if (fd < 0)
		return gs_diag_set(d, GS_EIO, "memfd_create: %s", strerror(errno));
	if ((ret = node_item_decrypt(n, rec, fd, d)))
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || (uint64_t)size > WARNING_MESSAGE_MAX) {
		ret = gs_diag_set(d, GS_ELIMIT, "item '%s' holds more than a warning", jstr(rec, "id"));
		goto out;
	}
	*text = malloc((size_t)size + 1);
	if (!*text) {
		ret = GS_ENOMEM;
		goto out;
	}
	k = pread(fd, *text, (size_t)size, 0);
	if (k != size) {
		free(*text);
		*text = NULL;
		ret = gs_diag_set(d, GS_EIO, "memfd: short read");
		goto out;
	}
	(*text)[size] = 0;
	*len = (size_t)size;
out:
	close(fd);
	return ret;
}

/* The message of the held warning item rec: kept, else opened. */
static int item_message(struct node *n, json_t *rec, struct warning_message *m, struct gs_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (!kept_message(jstr(rec, "id"), m))
		return 0;
	if ((ret = open_message(n, rec, &text, &len, d)))
		return ret;
	ret = warning_message_parse(text, len, m, d);
	if (!ret)
		keep_message(jstr(rec, "id"), text, len);
	sodium_memzero(text, len);
	free(text);
	return ret;
}

/* ---- standing rules ---- */

static const char *kind_ok(const char *k)
{
	return k && (!strcmp(k, "publish") || !strcmp(k, "relay")) ? k : NULL;
}

/* Whether agreement a binds (or an arrangement names) both parties. */
static bool has_party(const struct agreement *a, const char *code)
{
	return agreement_party_index(a, code) >= 0;
}

/* The leg's agreement for a warning under `under` from self to `to`:
 * under itself when it is an agreement of both; else the first
 * agreement of both that the arrangement under relies on. */
static int find_leg(struct node *n, const char *under, const char *self, const char *to, char leg[GS_MAX_ID],
		    struct gs_diag *d)
{
	const struct agreement_view *v;
	const struct agreement *a;
	char relies[GS_MAX_RELIES_ON][GS_MAX_ID];
	int nrelies, ret;

	if ((ret = agreement_view_cached(n, under, &v, d)))
		return ret;
	a = agreement_view_base(v);
	if (a->binding || !a->nrelies) {
		if (!has_party(a, self) || !has_party(a, to))
			return gs_diag_set(d, GS_EDENIED, "%s and %s are not both parties to '%s'", self, to, under);
		copy_str(leg, GS_MAX_ID, a->id);
		return 0;
	}
	nrelies = a->nrelies;
	memcpy(relies, a->relies_on, sizeof(relies));
	for (int i = 0; i < nrelies; i++) {
		if (agreement_view_cached(n, relies[i], &v, NULL))
			continue;
		a = agreement_view_base(v);
		if (has_party(a, self) && has_party(a, to)) {
			copy_str(leg, GS_MAX_ID, a->id);
			return 0;
		}
	}
	return gs_diag_set(d, GS_EDENIED, "'%s' relies on no agreement held here between %s and %s", under, self, to);
}

int node_warning_rule_add(struct node *n, const struct warning_rule *r, int64_t *id, struct gs_diag *d)
{
	struct warning_rule_row row;
	struct party p;
	const struct agreement_view *v;
	const char *origin = r->from ? r->from : n->self.code;
	char leg[GS_MAX_ID], rid[24];
	gs_instant now;
	int ret;

	if (!kind_ok(r->kind))
		return gs_diag_set(d, GS_EUSAGE, "a rule is 'publish' or 'relay'");
	if (!r->to || !r->under || !r->topic || !r->topic[0])
		return gs_diag_set(d, GS_EUSAGE, "a rule names --to, the agreement or arrangement, and --topic");
	if (!strcmp(r->kind, "relay") && (!r->from || !strcmp(r->from, n->self.code)))
		return gs_diag_set(d, GS_EUSAGE, "a relay rule names --from, the originator it relays for (not this node)");
	if (!strcmp(r->kind, "publish") && r->from && strcmp(r->from, n->self.code))
		return gs_diag_set(d, GS_EUSAGE, "a publish rule sends this node's own warnings");
	if (!strcmp(r->to, n->self.code) || !strcmp(r->to, origin))
		return gs_diag_set(d, GS_EUSAGE, "a rule sends to another party than %s", origin);
	if ((ret = node_party_get(n, r->to, &p, d)) || (strcmp(origin, n->self.code) && (ret = node_party_get(n, origin, &p, d))))
		return ret;
	if ((ret = agreement_view_cached(n, r->under, &v, d)))
		return ret;
	if (!strcmp(r->kind, "relay") && (agreement_view_base(v)->binding || !agreement_view_base(v)->nrelies))
		return gs_diag_set(d, GS_EINVAL, "'%s' is not an arrangement that relies on agreements: a hub relays under one",
				   r->under);
	/* the leg must exist now, so that a rule never waits on a typo */
	if (r->agreement) {
		if ((ret = agreement_view_cached(n, r->agreement, &v, d)))
			return ret;
		if (!has_party(agreement_view_base(v), n->self.code) || !has_party(agreement_view_base(v), r->to))
			return gs_diag_set(d, GS_EINVAL, "%s and %s are not both parties to '%s'", n->self.code, r->to,
					   r->agreement);
	} else if ((ret = find_leg(n, r->under, n->self.code, r->to, leg, d))) {
		return ret == GS_EDENIED ? GS_EINVAL : ret;
	}
	if ((ret = node_now(n, &now, d)))
		return ret;
	memset(&row, 0, sizeof(row));
	row.kind = r->kind;
	row.origin = origin;
	row.to = r->to;
	row.under = r->under;
	row.agreement = r->agreement ? r->agreement : "";
	row.topic = r->topic;
	row.purpose = r->purpose ? r->purpose : "";
	row.added_at = (int64_t)now;
	row.added_by = n->actor;
	node_mutex_lock(n);
	if ((ret = store_begin(n->st)))
		goto out;
	ret = store_warning_rule_add(n->st, &row, id);
	if (ret == GS_EEXIST)
		gs_diag_set(d, ret, "that %s rule is there already", r->kind);
	snprintf(rid, sizeof(rid), "%lld", (long long)*id);
	if (!ret)
		ret = ledger_event(n, NULL, LEDGER_WARNING_RULE, now, NULL, d, "event", "added", "rule", rid, "kind", r->kind,
				   "from", origin, "to", r->to, "under", r->under, "topic", r->topic, (const char *)NULL);
	if (!ret)
		ret = store_commit(n->st);
	if (ret) {
		store_rollback(n->st);
		if (!d->msg[0])
			gs_diag_set(d, ret, "cannot record the rule");
	}
out:
	node_mutex_unlock(n);
	return ret;
}

int node_warning_rule_remove(struct node *n, int64_t id, struct gs_diag *d)
{
	char rid[24], *what = NULL;
	gs_instant now;
	int ret;

	if ((ret = node_now(n, &now, d)))
		return ret;
	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	node_mutex_lock(n);
	if ((ret = store_begin(n->st)))
		goto out;
	ret = store_warning_rule_remove(n->st, id, &what);
	if (ret == GS_ENOTFOUND)
		gs_diag_set(d, ret, "no warning rule %s", rid);
	if (!ret)
		ret = ledger_event(n, NULL, LEDGER_WARNING_RULE, now, NULL, d, "event", "removed", "rule", rid, "was", what,
				   (const char *)NULL);
	if (!ret)
		ret = store_commit(n->st);
	if (ret)
		store_rollback(n->st);
out:
	node_mutex_unlock(n);
	free(what);
	return ret;
}

static json_t *rule_json(const struct warning_rule_row *r)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s}", "id", (json_int_t)r->id, "kind", r->kind, "from",
			 r->origin, "to", r->to, "under", r->under, "agreement", r->agreement, "topic", r->topic,
			 "purpose", r->purpose[0] ? r->purpose : WARNING_DEFAULT_PURPOSE, "added_at",
			 jinstant((gs_instant)r->added_at), "added_by", r->added_by);
}

static int rule_collect(void *ctx, const struct warning_rule_row *r)
{
	json_t *o = ctx, *j = rule_json(r);

	if (!j)
		return GS_ENOMEM;
	return json_array_append_new(json_object_get(o, r->kind), j) ? GS_ENOMEM : 0;
}

int node_warning_rules(struct node *n, json_t **out, struct gs_diag *d)
{
	json_t *o = json_pack("{s:[],s:[]}", "publish", "relay");
	int ret;

	if (!o)
		return GS_ENOMEM;
	node_mutex_lock(n);
	ret = store_warning_rule_each(n->st, NULL, rule_collect, o);
	node_mutex_unlock(n);
	if (ret) {
		json_decref(o);
		return gs_diag_set(d, ret, "cannot read the warning rules");
	}
	*out = o;
	return 0;
}

/* The rules of kind for a warning of originator under `under` about topic. */
struct rule_match {
	const char *kind, *origin, *under, *topic;
	json_t *rules;
};

static int rule_match(void *ctx, const struct warning_rule_row *r)
{
	struct rule_match *m = ctx;

	if (strcmp(r->origin, m->origin) || strcmp(r->under, m->under) || strcmp(r->topic, m->topic))
		return 0;
	return json_array_append_new(m->rules, rule_json(r)) ? GS_ENOMEM : 0;
}

static int rules_for(struct node *n, const char *kind, const struct warning *w, json_t **rules, struct gs_diag *d)
{
	struct rule_match m = { kind, w->originator, w->agreement, w->topic, json_array() };
	int ret;

	if (!m.rules)
		return GS_ENOMEM;
	node_mutex_lock(n);
	ret = store_warning_rule_each(n->st, kind, rule_match, &m);
	node_mutex_unlock(n);
	if (ret) {
		json_decref(m.rules);
		return gs_diag_set(d, ret, "cannot read the warning rules");
	}
	*rules = m.rules;
	return 0;
}

/* ---- the row a warning keeps ---- */

static json_t *chain_json(const struct warning_message *m, const char *self, int64_t received)
{
	json_t *chain = json_array();

	for (int i = 0; i < m->nhops; i++) {
		json_t *h = json_pack("{s:s}", "party", m->hops[i].party);

		if (i > 0)
			json_object_set_new(h, "received", jms(m->hops[i].received));
		json_object_set_new(h, "sent", jms(m->hops[i].sent));
		json_array_append_new(chain, h);
	}
	if (self)
		json_array_append_new(chain, json_pack("{s:s,s:o}", "party", self, "received", jms(received)));
	return chain;
}

/* The latency of each hop: from the sender's "sent" to the next party's
 * "received", in milliseconds (two machines' clocks). */
static json_t *hops_json(const struct warning_message *m, const char *self, int64_t received)
{
	json_t *hops = json_array();

	for (int i = 0; i < m->nhops; i++) {
		const char *to = i + 1 < m->nhops ? m->hops[i + 1].party : self;
		int64_t at = i + 1 < m->nhops ? m->hops[i + 1].received : received;

		if (!to)
			break;
		json_array_append_new(hops, json_pack("{s:s,s:s,s:I}", "from", m->hops[i].party, "to", to, "ms",
						      (json_int_t)(at - m->hops[i].sent)));
	}
	return hops;
}

static char *dump(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* ---- publish ---- */

struct publish_ctx {
	const struct warning *w;
	json_t *row;          /* as committed so far */
	json_t *pending;      /* with this release, until its commit returns */
	int64_t seq;          /* 0 until the row is there */
	int64_t pending_seq;
	const char *to, *agreement;
	int64_t at_ms;
};

/* In the release's own transaction: the warning's row, made with the
 * first release (its unique index refuses a second publication of the
 * same id) and completed with each later one. */
static int publish_also(struct node *n, void *ctx, const char *item, const char *bundle, struct gs_diag *d)
{
	struct publish_ctx *pc = ctx;
	json_t *row = json_deep_copy(pc->row);
	char *text;
	int ret;

	(void)n;
	if (!row)
		return GS_ENOMEM;
	if (!pc->seq)
		json_object_set_new(row, "item", json_string(item));
	json_array_append_new(json_object_get(row, "published"),
			      json_pack("{s:s,s:s,s:s,s:s}", "to", pc->to, "item", item, "bundle", bundle, "agreement",
					pc->agreement));
	text = dump(row);
	if (!text) {
		json_decref(row);
		return GS_ENOMEM;
	}
	if (!pc->seq) {
		ret = store_warning_add(n->st, "warning", pc->w->originator, pc->w->id, item, text, pc->at_ms, &pc->pending_seq);
		if (ret == GS_EEXIST)
			gs_diag_set(d, GS_EINVAL, "warning '%s' of %s was published here already", pc->w->id, pc->w->originator);
		else if (ret)
			gs_diag_set(d, ret, "cannot record warning '%s'", pc->w->id);
		if (ret == GS_EEXIST)
			ret = GS_EINVAL;
	} else {
		pc->pending_seq = pc->seq;
		ret = store_warning_set_record(n->st, pc->seq, text);
	}
	free(text);
	if (ret) {
		json_decref(row);
		return ret;
	}
	json_decref(pc->pending);
	pc->pending = row;
	return 0;
}

/* The node's clock in milliseconds: the machine's, unless the node runs at
 * a set instant (GSOMIA_NOW), then the end of that second. */
static int node_now_ms(struct node *n, int64_t *out, struct gs_diag *d)
{
	gs_instant now;
	int64_t real = clock_ms();
	int ret;

	if ((ret = node_now(n, &now, d)))
		return ret;
	*out = llabs((long long)(real / 1000 - (int64_t)now)) <= 1 ? real : (int64_t)now * 1000 + 999;
	return 0;
}

int node_warning_publish(struct node *n, const char *buf, size_t len, const char *actor, json_t **out,
			 struct gs_diag *d)
{
	struct warning_message *m = calloc(1, sizeof(*m));
	struct publish_ctx pc;
	json_t *rules = NULL, *published = json_array(), *refused = json_array();
	char text[WARNING_MESSAGE_MAX], title[GS_MAX_ID + 32], name[GS_MAX_ID + 32];
	size_t tlen, i;
	int64_t now_ms, seq = 0;
	int ret;

	*out = NULL;
	memset(&pc, 0, sizeof(pc));
	if (!m || !published || !refused) {
		ret = GS_ENOMEM;
		goto out;
	}
	if (!n->keys_loaded) {
		ret = gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
		goto out;
	}
	if ((ret = warning_json_parse(buf, len, &m->w, d)) || (ret = node_now_ms(n, &now_ms, d)) ||
	    (ret = warning_check_time(&m->w, now_ms, WARNING_SKEW_MS, d)))
		goto out;
	if (strcmp(m->w.originator, n->self.code)) {
		ret = gs_diag_set(d, GS_EINVAL, "warning '%s' is %s's: a node publishes its own warnings (this is %s); "
				  "a hub relays others' by its relay rules", m->w.id, m->w.originator, n->self.code);
		goto out;
	}
	node_mutex_lock(n);
	ret = store_warning_find(n->st, m->w.originator, m->w.id, &seq, NULL, NULL);
	node_mutex_unlock(n);
	if (!ret) {
		ret = gs_diag_set(d, GS_EINVAL, "warning '%s' of %s was published here already", m->w.id, m->w.originator);
		goto out;
	}
	if (ret != GS_ENOTFOUND)
		goto out;
	if ((ret = rules_for(n, "publish", &m->w, &rules, d)))
		goto out;
	if (!json_array_size(rules)) {
		ret = gs_diag_set(d, GS_EINVAL, "no standing rule publishes warnings of topic '%s' under '%s' "
				  "(gsomia warn rule add --to PARTY --under %s --topic %s)", m->w.topic, m->w.agreement,
				  m->w.agreement, m->w.topic);
		goto out;
	}
	m->nhops = 1;
	copy_str(m->hops[0].party, sizeof(m->hops[0].party), n->self.code);
	m->hops[0].received = -1;
	m->hops[0].sent = clock_ms();
	if ((ret = warning_message_write(m, text, sizeof(text), &tlen)))
		goto out;
	pc.w = &m->w;
	pc.at_ms = m->hops[0].sent;
	pc.row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:[],s:[]}", "originator", m->w.originator, "id",
			   m->w.id, "item", "", "from", n->self.code, "topic", m->w.topic, "agreement", m->w.agreement,
			   "banner_originator", m->w.classification, "banner_recipient", "", "exercise",
			   n->self.exercise, "received", jms(m->hops[0].sent), "chain", chain_json(m, NULL, 0), "published",
			   "relays");
	if (!pc.row) {
		ret = GS_ENOMEM;
		goto out;
	}
	snprintf(title, sizeof(title), "Missile warning %s", m->w.id);
	snprintf(name, sizeof(name), "%s%s", m->w.id, WARNING_ITEM_SUFFIX);
	for (i = 0; i < json_array_size(rules); i++) {
		json_t *rule = json_array_get(rules, i);
		struct release_request rr;
		struct release_result res;
		struct decision dec;
		struct gs_diag rd = { { 0 } };
		char leg[GS_MAX_ID], reason[GS_MAX_LINE];
		int r;

		if (jstr(rule, "agreement")[0])
			copy_str(leg, sizeof(leg), jstr(rule, "agreement"));
		else if (node_mutex_lock(n), r = find_leg(n, m->w.agreement, n->self.code, jstr(rule, "to"), leg, &rd),
			 node_mutex_unlock(n), r) {
			json_array_append_new(refused, json_pack("{s:s,s:s,s:s,s:I}", "to", jstr(rule, "to"), "rule",
								 "warning.leg", "reason", rd.msg, "by_rule",
								 json_integer_value(json_object_get(rule, "id"))));
			continue;
		}
		memset(&rr, 0, sizeof(rr));
		rr.to = jstr(rule, "to");
		rr.agreement = leg;
		rr.label = m->w.classification;
		rr.purpose = jstr(rule, "purpose");
		rr.topic = m->w.topic;
		rr.title = title;
		rr.name = name;
		rr.form = "electronic";
		rr.output = NULL;
		rr.deliver = true;
		rr.data = (const uint8_t *)text;
		rr.data_len = tlen;
		rr.also = publish_also;
		rr.also_ctx = &pc;
		rr.actor = actor;
		pc.to = rr.to;
		pc.agreement = leg;
		r = node_release(n, &rr, &res, &dec, &rd);
		if (!r) {
			/* committed: what publish_also wrote is the row now */
			json_decref(pc.row);
			pc.row = pc.pending;
			pc.pending = NULL;
			pc.seq = pc.pending_seq;
			json_array_append_new(published, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "to", rr.to, "item", res.item,
								   "bundle", res.bundle, "agreement", leg,
								   "banner_recipient", res.banner_recipient, "queued", 1));
			if (i == 0 || !jstr(pc.row, "banner_recipient")[0])
				json_object_set_new(pc.row, "banner_recipient", json_string(res.banner_recipient));
			continue;
		}
		json_decref(pc.pending);
		pc.pending = NULL;
		if (r == GS_EINVAL && !pc.seq && strstr(rd.msg, "published here already")) {
			/* a publication of the same id at the same moment won */
			ret = gs_diag_set(d, GS_EINVAL, "%s", rd.msg);
			goto out;
		}
		if (r == GS_EDENIED && dec.rule_id)
			decision_reason(&dec, reason, sizeof(reason));
		else
			copy_str(reason, sizeof(reason), rd.msg[0] ? rd.msg : gs_strerror(r));
		json_array_append_new(refused, json_pack("{s:s,s:s,s:s,s:s,s:I}", "to", rr.to, "agreement", leg, "rule",
							 r == GS_EDENIED && dec.rule_id ? dec.rule_id : "warning.release",
							 "reason", reason, "by_rule",
							 json_integer_value(json_object_get(rule, "id"))));
	}
	if (!pc.seq) {
		json_t *first = json_array_get(refused, 0);

		*out = json_pack("{s:s,s:s,s:O,s:O}", "warning", m->w.id, "originator", m->w.originator, "published",
				 published, "refused", refused);
		ret = gs_diag_set(d, GS_EDENIED, "warning '%s' was released to no one: %s: %s [%s]", m->w.id,
				  first ? jstr(first, "to") : "?", first ? jstr(first, "reason") : "?",
				  first ? jstr(first, "rule") : "?");
		goto out;
	}
	/* the banner of the first recipient, for the originator's own view */
	{
		char *t = dump(pc.row);

		node_mutex_lock(n);
		if (t)
			(void)store_warning_set_record(n->st, pc.seq, t);
		node_mutex_unlock(n);
		free(t);
	}
	keep_message(jstr(pc.row, "item"), text, tlen);
	bus_tell(pc.seq);
	*out = json_pack("{s:s,s:s,s:I,s:O,s:O}", "warning", m->w.id, "originator", m->w.originator, "seq",
			 (json_int_t)pc.seq, "published", published, "refused", refused);
	ret = *out ? 0 : GS_ENOMEM;
out:
	sodium_memzero(text, sizeof(text));
	json_decref(rules);
	json_decref(published);
	json_decref(refused);
	json_decref(pc.row);
	json_decref(pc.pending);
	free(m);
	return ret;
}

/* ---- relay, at a hub ---- */

/* The originator is told of a refused relay: a `warning_refusal`
 * delivery, queued with the ledger entry in one transaction. */
static int refuse_relay(struct node *n, const struct warning_message *m, json_t *rule, const char *to,
			const char *rule_id, const char *reason, struct gs_diag *d)
{
	uint8_t h[32];
	char ref[33], path[GS_PATH_MAX], *body = NULL, rid[24];
	const char *peers[1] = { m->w.originator };
	json_t *j;
	gs_instant now;
	int ret;

	if ((ret = node_now(n, &now, d)))
		return ret;
	snprintf(rid, sizeof(rid), "%lld", (long long)json_integer_value(json_object_get(rule, "id")));
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "warning", m->w.id, "originator", m->w.originator,
		      "hub", n->self.code, "to", to, "rule", rule_id, "reason", reason, "at", jms(clock_ms()),
		      "arrangement", jstr(rule, "under"), "topic", m->w.topic, "relay_rule", rid);
	body = j ? dump(j) : NULL;
	json_decref(j);
	if (!body)
		return GS_ENOMEM;
	{
		crypto_hash_sha256_state st;

		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, (const uint8_t *)m->w.id, strlen(m->w.id) + 1);
		crypto_hash_sha256_update(&st, (const uint8_t *)to, strlen(to));
		crypto_hash_sha256_final(&st, h);
		hex_encode(h, 16, ref, sizeof(ref));
	}
	node_mutex_lock(n);
	if ((ret = store_begin(n->st)))
		goto out;
	ret = ledger_event(n, m->w.originator, LEDGER_RELAY_REFUSAL, now, m->w.id, d, "to", to, "rule", rule_id,
			   "reason", reason, "relay-rule", rid, "arrangement", jstr(rule, "under"), (const char *)NULL);
	if (!ret && node_outbox_reachable(n, m->w.originator, NULL) == 0)
		ret = node_outbox_keep_and_queue(n, "warning_refusal", ref, body, strlen(body), peers, 1, path,
						 sizeof(path), d);
	if (!ret)
		ret = store_commit(n->st);
	if (ret)
		store_rollback(n->st);
out:
	node_mutex_unlock(n);
	free(body);
	return ret;
}

/* Each relay rule for the warning m held as item: onward-released with
 * this node's hop added, or refused (logged, the originator told). */
/* A failure that another attempt may get past (memory, a file, the
 * database), as opposed to a rule's refusal or a bad message. */
static bool transient(int ret)
{
	return ret == GS_ENOMEM || ret == GS_EIO;
}

/* Relays by the standing relay rules; the outcome of each is added to
 * row's "relays". Returns 0, or the transient failure that left a party
 * unreached (nothing recorded for it: the next attempt makes it). */
static int relay(struct node *n, const char *item, const struct warning_message *m, int64_t received, json_t *row)
{
	struct warning_message *next = malloc(sizeof(*next));
	char text[WARNING_MESSAGE_MAX];
	json_t *rules = NULL;
	size_t tlen;
	int failed = 0;

	if (!next) {
		failed = GS_ENOMEM;
		goto out;
	}
	if ((failed = rules_for(n, "relay", &m->w, &rules, NULL)) || !json_array_size(rules) ||
	    m->nhops >= WARNING_MAX_HOPS)
		goto out;
	for (size_t i = 0; i < json_array_size(rules); i++) {
		json_t *rule = json_array_get(rules, i);
		const char *to = jstr(rule, "to");
		struct onward_request r;
		struct release_result res;
		struct decision dec;
		struct gs_diag rd = { { 0 } };
		char leg[GS_MAX_ID], reason[GS_MAX_LINE];
		const char *rule_id = "warning.relay";
		int ret = 0;

		/* never back to a party the warning went through, nor twice */
		for (int k = 0; k < m->nhops; k++)
			if (!strcmp(m->hops[k].party, to))
				ret = 1;
		for (size_t k = 0; k < json_array_size(json_object_get(row, "relays")); k++)
			if (!strcmp(jstr(json_array_get(json_object_get(row, "relays"), k), "to"), to))
				ret = 1;
		if (ret)
			continue;
		*next = *m;
		copy_str(next->hops[next->nhops].party, sizeof(next->hops[0].party), n->self.code);
		next->hops[next->nhops].received = received;
		next->hops[next->nhops].sent = clock_ms();
		next->nhops++;
		if (jstr(rule, "agreement")[0])
			copy_str(leg, sizeof(leg), jstr(rule, "agreement"));
		else {
			node_mutex_lock(n);
			ret = find_leg(n, jstr(rule, "under"), n->self.code, to, leg, &rd);
			node_mutex_unlock(n);
		}
		if (!ret && !(ret = warning_message_write(next, text, sizeof(text), &tlen))) {
			memset(&r, 0, sizeof(r));
			r.item = item;
			r.to = to;
			r.agreement = leg;
			r.arrangement = jstr(rule, "under");
			r.deliver = true;
			r.data = (const uint8_t *)text;
			r.data_len = tlen;
			ret = node_release_onward(n, &r, &res, &dec, &rd);
		}
		sodium_memzero(text, sizeof(text));
		if (!ret) {
			json_array_append_new(json_object_get(row, "relays"),
					      json_pack("{s:s,s:s,s:s,s:s,s:o}", "to", to, "outcome", "relayed", "bundle",
							res.bundle, "agreement", leg, "at", jms(next->hops[next->nhops - 1].sent)));
			continue;
		}
		if (transient(ret)) {
			failed = ret;
			continue;
		}
		if (ret == GS_EDENIED && dec.rule_id) {
			rule_id = dec.rule_id;
			decision_reason(&dec, reason, sizeof(reason));
		} else {
			copy_str(reason, sizeof(reason), rd.msg[0] ? rd.msg : gs_strerror(ret));
		}
		{
			struct gs_diag fd = { { 0 } };
			int told = refuse_relay(n, m, rule, to, rule_id, reason, &fd);

			json_array_append_new(json_object_get(row, "relays"),
					      json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:b}", "to", to, "outcome", "refused", "rule",
							rule_id, "reason", reason, "relay_rule",
							json_integer_value(json_object_get(rule, "id")), "at", jms(clock_ms()),
							"originator_told", told == 0));
		}
	}
out:
	json_decref(rules);
	free(next);
	return failed;
}

/* Indexes, tells and relays one received item. Returns 0 when done (or
 * when there is nothing to do: not a warning, a replay, a message that is
 * not the item it came as), else the transient failure that stopped it:
 * what was done is kept, and another attempt finishes the rest. */
static int warning_received(struct node *n, const char *item)
{
	struct warning_message *m = NULL;
	json_t *rec = NULL, *row = NULL;
	char *text = NULL, *rowtext = NULL, labels[GS_MAX_LINE];
	size_t len = 0;
	int64_t seq, received;
	int ret, failed = 0;

	if (!n->keys_loaded)
		goto out;
	if ((ret = node_item_get(n, item, &rec, NULL))) {
		failed = transient(ret) ? ret : 0;
		goto out;
	}
	if (!is_warning_item(rec))
		goto out;
	node_mutex_lock(n);
	ret = store_warning_of_item(n->st, item, &seq, &rowtext);
	node_mutex_unlock(n);
	if (ret && ret != GS_ENOTFOUND) {
		failed = ret;
		goto out;
	}
	if (!ret) {
		/* shown once: a replay is not news; but a relay a crash or a
		 * failure cut short is finished (relay() skips the parties it
		 * reached) */
		if (!(row = json_loads(rowtext, 0, NULL)) || !(m = calloc(1, sizeof(*m)))) {
			failed = GS_ENOMEM;
			goto out;
		}
		if (json_is_true(json_object_get(row, "relay_done")))
			goto out;
		if ((ret = item_message(n, rec, m, NULL))) {
			failed = transient(ret) ? ret : 0;
			goto out;
		}
		received = (int64_t)json_integer_value(json_object_get(row, "received_ms"));
		failed = relay(n, item, m, received, row);
		goto record;
	}
	received = clock_ms();
	if (!(m = calloc(1, sizeof(*m)))) {
		failed = GS_ENOMEM;
		goto out;
	}
	if ((ret = open_message(n, rec, &text, &len, NULL))) {
		failed = transient(ret) ? ret : 0;
		goto out;
	}
	if (warning_message_parse(text, len, m, NULL))
		goto out;
	/* the message must be the item it came as: same originator, topic,
	 * classification, and its last hop the party that sent it */
	if (strcmp(m->w.originator, jstr(rec, "originator")) || strcmp(m->w.topic, jstr(rec, "topic")) ||
	    strcmp(m->w.classification, jstr(rec, "label")) || strcmp(m->hops[m->nhops - 1].party, jstr(rec, "released_by")))
		goto out;
	labels[0] = 0;
	{
		json_t *mk = json_object_get(rec, "marking");
		size_t i, k = 0;

		for (i = 0; i < json_array_size(mk); i++)
			k += (size_t)snprintf(labels + k, k < sizeof(labels) ? sizeof(labels) - k : 0, "%s%s", i ? "," : "",
					      json_string_value(json_array_get(mk, i)));
	}
	row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o,s:[],s:[]}", "originator", m->w.originator, "id",
			m->w.id, "item", item, "from", jstr(rec, "released_by"), "topic", m->w.topic, "agreement",
			m->w.agreement, "banner_originator", m->w.classification, "banner_recipient", labels, "exercise",
			n->self.exercise, "received", jms(received), "chain", chain_json(m, n->self.code, received), "hops",
			hops_json(m, n->self.code, received), "published", "relays");
	if (!row) {
		failed = GS_ENOMEM;
		goto out;
	}
	json_object_set_new(row, "received_ms", json_integer((json_int_t)received));
	json_object_set_new(row, "relay_done", json_false());
	if (!(rowtext = dump(row))) {
		failed = GS_ENOMEM;
		goto out;
	}
	node_mutex_lock(n);
	ret = store_warning_add(n->st, "warning", m->w.originator, m->w.id, item, rowtext, received, &seq);
	node_mutex_unlock(n);
	/* GS_EEXIST: the same warning by another way (two hubs): held, shown once */
	if (ret) {
		failed = ret == GS_EEXIST ? 0 : ret;
		goto out;
	}
	keep_message(item, text, len);
	bus_tell(seq);
	failed = relay(n, item, m, received, row);
record:
	/* relayed (or refused) to every party its rules name: done; else
	 * the relays made so far are kept for the next attempt */
	json_object_set_new(row, "relay_done", json_boolean(!failed));
	free(rowtext);
	if (!(rowtext = dump(row))) {
		failed = failed ? failed : GS_ENOMEM;
		goto out;
	}
	node_mutex_lock(n);
	ret = store_warning_set_record(n->st, seq, rowtext);
	node_mutex_unlock(n);
	failed = failed ? failed : ret;
out:
	if (text)
		sodium_memzero(text, len);
	free(text);
	free(rowtext);
	free(m);
	json_decref(row);
	json_decref(rec);
	return failed;
}

/* Items whose indexing or relay a transient failure stopped, in memory:
 * node_warnings_retry() tries them again (a crash leaves them to
 * node_warnings_recover() at the next start). */
#define RETRY_MAX 256
static pthread_mutex_t retry_lock = PTHREAD_MUTEX_INITIALIZER;
static char retry_items[RETRY_MAX][GS_MAX_ID];
static unsigned retry_n;

static void retry_later(const char *item)
{
	pthread_mutex_lock(&retry_lock);
	for (unsigned i = 0; i < retry_n; i++)
		if (!strcmp(retry_items[i], item))
			goto out;
	if (retry_n < RETRY_MAX)
		copy_str(retry_items[retry_n++], sizeof(retry_items[0]), item);
out:
	pthread_mutex_unlock(&retry_lock);
}

void node_warning_received(struct node *n, const char *item)
{
	if (warning_received(n, item))
		retry_later(item);
}

int node_warnings_retry(struct node *n, unsigned *done, unsigned *left)
{
	char (*items)[GS_MAX_ID];
	unsigned k;
	int last = 0;

	*done = *left = 0;
	pthread_mutex_lock(&retry_lock);
	k = retry_n;
	items = k ? malloc(sizeof(*items) * k) : NULL;
	if (items) {
		memcpy(items, retry_items, sizeof(*items) * k);
		retry_n = 0;
	}
	pthread_mutex_unlock(&retry_lock);
	if (!items)
		return k ? GS_ENOMEM : 0;
	for (unsigned i = 0; i < k; i++) {
		int ret = warning_received(n, items[i]);

		if (ret) {
			retry_later(items[i]);
			(*left)++;
			last = ret;
		} else {
			(*done)++;
		}
	}
	free(items);
	return last;
}

/* ---- after a crash ---- */

struct recover_ctx {
	json_t *items;
	const char *self;
};

static int recover_one(void *ctx, const struct item_row *r)
{
	struct recover_ctx *rc = ctx;
	size_t n = strlen(r->name), k = strlen(WARNING_ITEM_SUFFIX);

	if (n > k && !strcmp(r->name + n - k, WARNING_ITEM_SUFFIX) && strcmp(r->originator, rc->self))
		return json_array_append_new(rc->items, json_string(r->id)) ? GS_ENOMEM : 0;
	return 0;
}

int node_warnings_recover(struct node *n, unsigned *done, struct gs_diag *d)
{
	struct recover_ctx rc = { json_array(), n->self.code };
	int ret;

	*done = 0;
	if (!rc.items)
		return GS_ENOMEM;
	node_mutex_lock(n);
	ret = node_item_rows(n, recover_one, &rc, d);
	node_mutex_unlock(n);
	for (size_t i = 0; !ret && i < json_array_size(rc.items); i++) {
		const char *item = json_string_value(json_array_get(rc.items, i));
		char *rowtext = NULL;
		json_t *row = NULL;
		int64_t seq;
		int r;

		node_mutex_lock(n);
		r = store_warning_of_item(n->st, item, &seq, &rowtext);
		node_mutex_unlock(n);
		row = rowtext ? json_loads(rowtext, 0, NULL) : NULL;
		/* a warning received here (not one this node published) whose
		 * index or relay a crash cut short */
		if (r == GS_ENOTFOUND || (row && json_is_false(json_object_get(row, "relay_done")))) {
			node_warning_received(n, item);
			(*done)++;
		}
		json_decref(row);
		free(rowtext);
	}
	json_decref(rc.items);
	return ret;
}

/* ---- a hub's word of a refused relay, at the originator ---- */

int node_warning_refusal_import(struct node *n, const char *peer, const uint8_t *body, size_t len, json_t **out,
				struct gs_diag *d)
{
	static const char *const members[] = { "warning", "originator", "hub", "to", "rule", "reason", "at",
						"arrangement", "topic", "relay_rule" };
	json_error_t je;
	json_t *j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je), *row = NULL, *relays;
	char *item = NULL, *rowtext = NULL, *text = NULL;
	int64_t seq, at, rseq = 0;
	gs_instant now;
	size_t i;
	int ret;

	*out = NULL;
	if (!j || !json_is_object(j) || json_object_size(j) != sizeof(members) / sizeof(members[0])) {
		ret = gs_diag_set(d, GS_EINVAL, "relay refusal: not the JSON object of docs/warnings.md%s%s", j ? "" : ": ",
				  j ? "" : je.text);
		goto out;
	}
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const char *v = json_string_value(json_object_get(j, members[i]));

		if (!v || !v[0] || strlen(v) > 1024 || strpbrk(v, "\n\r")) {
			ret = gs_diag_set(d, GS_EINVAL, "relay refusal: member '%s' is not a one-line string", members[i]);
			goto out;
		}
	}
	if (strcmp(jstr(j, "hub"), peer) || strcmp(jstr(j, "originator"), n->self.code)) {
		ret = gs_diag_set(d, GS_EDENIED, "relay refusal: from %s about %s's warning, but delivered by %s to %s",
				  jstr(j, "hub"), jstr(j, "originator"), peer, n->self.code);
		goto out;
	}
	if (warning_time_parse(jstr(j, "at"), &at, NULL)) {
		ret = gs_diag_set(d, GS_EINVAL, "relay refusal: 'at' is not an instant");
		goto out;
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	node_mutex_lock(n);
	ret = store_warning_find(n->st, n->self.code, jstr(j, "warning"), &seq, &item, &rowtext);
	if (ret == GS_ENOTFOUND)
		gs_diag_set(d, ret, "relay refusal: %s published no warning '%s'", n->self.code, jstr(j, "warning"));
	if (!ret && !(row = json_loads(rowtext, 0, NULL)))
		ret = GS_EIO;
	relays = json_object_get(row, "relays");
	for (i = 0; !ret && i < json_array_size(relays); i++) {
		json_t *r = json_array_get(relays, i);

		if (!strcmp(jstr(r, "via"), peer) && !strcmp(jstr(r, "to"), jstr(j, "to")))
			ret = GS_EEXIST; /* told before: nothing new */
	}
	if (!ret) {
		json_array_append_new(relays, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "via", peer, "to", jstr(j, "to"),
							"outcome", "refused", "rule", jstr(j, "rule"), "reason",
							jstr(j, "reason"), "at", jstr(j, "at")));
		free(rowtext);
		rowtext = dump(row);
		json_object_set_new(j, "kind", json_string("relay-refusal"));
		text = dump(j);
		if (!rowtext || !text)
			ret = GS_ENOMEM;
	}
	if (!ret && !(ret = store_begin(n->st))) {
		if ((ret = store_warning_set_record(n->st, seq, rowtext)) ||
		    (ret = store_warning_add(n->st, "relay-refusal", n->self.code, jstr(j, "warning"), item, text, at, &rseq)) ||
		    (ret = ledger_event(n, peer, LEDGER_RELAY_REFUSAL, now, jstr(j, "warning"), d, "to", jstr(j, "to"), "rule",
					jstr(j, "rule"), "reason", jstr(j, "reason"), "hub", peer, (const char *)NULL)) ||
		    (ret = store_commit(n->st)))
			store_rollback(n->st);
	}
	node_mutex_unlock(n);
	if (ret == GS_EEXIST) {
		*out = json_pack("{s:s,s:b}", "warning", jstr(j, "warning"), "already", 1);
		ret = *out ? 0 : GS_ENOMEM;
		goto out;
	}
	if (ret) {
		if (!d->msg[0])
			gs_diag_set(d, ret, "relay refusal: cannot record it");
		goto out;
	}
	bus_tell(rseq);
	*out = json_pack("{s:s,s:I,s:b}", "warning", jstr(j, "warning"), "seq", (json_int_t)rseq, "already", 0);
	ret = *out ? 0 : GS_ENOMEM;
out:
	json_decref(j);
	json_decref(row);
	free(item);
	free(rowtext);
	free(text);
	return ret;
}

/* ---- showing them ---- */

struct row_list {
	size_t n, cap;
	struct {
		int64_t seq;
		char *kind, *item, *record;
	} *v;
};

static int collect_row(void *ctx, int64_t seq, const char *kind, const char *item, const char *record)
{
	struct row_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (!v)
			return GS_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].seq = seq;
	l->v[l->n].kind = strdup(kind);
	l->v[l->n].item = strdup(item);
	l->v[l->n].record = strdup(record);
	if (!l->v[l->n].kind || !l->v[l->n].item || !l->v[l->n].record) {
		free(l->v[l->n].kind);
		free(l->v[l->n].item);
		free(l->v[l->n].record);
		return GS_ENOMEM;
	}
	l->n++;
	return 0;
}

int node_warnings_for(struct node *n, const char *person, int64_t after, unsigned limit, bool log_access,
		      json_t **records, int64_t *next, struct gs_diag *d)
{
	struct row_list l = { 0 };
	struct warning_message *m = calloc(1, sizeof(*m));
	json_t *outv = json_array(), *shown = json_array();
	gs_instant now;
	size_t i;
	int ret;

	*records = NULL;
	*next = after;
	if (!m || !outv || !shown) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = node_now(n, &now, d)))
		goto out;
	{
		struct person *p = calloc(1, sizeof(*p));

		ret = p ? node_person_get(n, person, p, d) : GS_ENOMEM;
		free(p);
		if (ret)
			goto out;
	}
	node_mutex_lock(n);
	ret = store_warning_each_after(n->st, after, limit, collect_row, &l);
	node_mutex_unlock(n);
	if (ret) {
		gs_diag_set(d, ret, "cannot read the warnings");
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		json_t *rec = NULL, *o = json_loads(l.v[i].record, 0, NULL);
		struct decision dec;
		int r;

		*next = l.v[i].seq;
		node_mutex_lock(n);
		r = o ? node_item_get(n, l.v[i].item, &rec, NULL) : GS_EIO;
		if (!r)
			r = node_item_access(n, rec, person, now, &dec, NULL);
		node_mutex_unlock(n);
		if (r || !dec.permit) {
			json_decref(o);
			json_decref(rec);
			continue;
		}
		json_object_set_new(o, "seq", json_integer((json_int_t)l.v[i].seq));
		json_object_set_new(o, "kind", json_string(l.v[i].kind));
		if (!strcmp(l.v[i].kind, "warning")) {
			char canon[WARNING_MAX_CANONICAL];
			size_t clen;

			node_mutex_lock(n);
			r = item_message(n, rec, m, NULL);
			node_mutex_unlock(n);
			if (r || warning_json_write(&m->w, canon, sizeof(canon), &clen)) {
				json_decref(o);
				json_decref(rec);
				continue;
			}
			json_object_set_new(o, "warning", json_loadb(canon, clen, 0, NULL));
			sodium_memzero(canon, clen);
			json_array_append_new(shown, json_pack("{s:s,s:s,s:s}", "item", l.v[i].item, "originator",
							       jstr(rec, "originator"), "rule", dec.rule_id ? dec.rule_id : ""));
		}
		json_array_append_new(outv, o);
		json_decref(rec);
	}
	if (log_access && json_array_size(shown)) {
		node_mutex_lock(n);
		if (!(ret = store_begin(n->st))) {
			for (i = 0; !ret && i < json_array_size(shown); i++) {
				json_t *s = json_array_get(shown, i);
				struct ledger_entry e;
				const char *orig = jstr(s, "originator");

				ledger_entry_start(&e, n, LEDGER_ACCESS_GRANT, now, jstr(s, "item"), person);
				ledger_entry_field(&e, "rule", jstr(s, "rule"));
				ledger_entry_field(&e, "via", "warning-watch");
				ret = ledger_append(n, strcmp(orig, n->self.code) ? orig : NULL, &e, NULL, d);
			}
			if (!ret)
				ret = store_commit(n->st);
			if (ret)
				store_rollback(n->st);
		}
		node_mutex_unlock(n);
		if (ret) {
			if (!d->msg[0])
				gs_diag_set(d, ret, "cannot log the warnings shown");
			goto out;
		}
	}
	*records = outv;
	outv = NULL;
out:
	for (i = 0; i < l.n; i++) {
		free(l.v[i].kind);
		free(l.v[i].item);
		free(l.v[i].record);
	}
	free(l.v);
	free(m);
	json_decref(outv);
	json_decref(shown);
	return ret;
}
