/* SPDX-License-Identifier: Apache-2.0 */
/* Opening a held item: the access decision, logged either way, then the
 * decryption of the kept bundle. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/note.h"
#include "node/agreements.h"
#include "node/commit.h"
#include "node/consent.h"
#include "node/decisions.h"
#include "node/items.h"
#include "node/outbox.h"
#include "util/outfile.h"
#include "node/items_internal.h"
#include "node/keyhistory.h"
#include "node/ledger.h"
#include "node/onward.h"
#include "node/registers.h"
#include "node/visits.h"
#include "util/progress.h"
#include "util/encode.h"
#include "util/fault.h"
#include "node/record.h"
#include "util/file.h"
#include "util/banned.h"

static int item_box_key_at(json_t *rec, const struct party *recipient, gs_instant at, uint8_t out[32],
			   struct gs_diag *d)
{
	const char *b64 = jstr(rec, "box_key");
	const uint8_t *sign, *box;
	int ret;

	if (*b64 && !strcmp(recipient->code, jstr(rec, "holder")))
		return b64_decode_exact(b64, strlen(b64), out, 32) ? gs_diag_set(d, GS_EIO, "damaged box_key of item '%s'",
										   jstr(rec, "id"))
								  : 0;
	if ((ret = party_keys_at(recipient, at, &sign, &box, d)))
		return ret;
	memcpy(out, box, 32);
	return 0;
}

int node_item_decrypt(struct node *n, json_t *rec, int out_fd, struct gs_diag *d)
{
	struct bundle_manifest *m = calloc(1, sizeof(*m));
	struct party *sender = calloc(1, sizeof(*sender)), *r = calloc(1, sizeof(*r));
	struct bundle_open_keys k;
	char obj[GS_PATH_MAX], keyname[GS_MAX_NAME];
	uint8_t fk[AGE_FILE_KEY_BYTES], box[32];
	const uint8_t *unused;
	int fd = -1, ret;

	if (!m || !sender || !r) {
		ret = GS_ENOMEM;
		goto out;
	}
	if ((ret = item_unseal_key(n, jstr(rec, "id"), fk, d)))
		goto out;
	if ((fd = item_object_open(n, jstr(rec, "bundle"), obj, sizeof(obj), d)) < 0) {
		ret = fd;
		goto out;
	}
	if ((ret = bundle_read_manifest(fd, m, NULL, d)) || lseek(fd, 0, SEEK_SET) != 0) {
		ret = ret ? ret : GS_EIO;
		goto out;
	}
	if ((ret = node_party_get(n, m->sender, sender, d)) || (ret = node_party_get(n, m->recipient, r, d)))
		goto out;
	party_key_name(sender->code, sender->exercise, keyname);
	memset(&k, 0, sizeof(k));
	k.key_name = keyname;
	k.file_key = fk;
	/* the keys of the sealing instant (node/keyhistory.h) */
	if ((ret = party_keys_at(sender, m->created, &k.sender_pk, &unused, d)) ||
	    (ret = item_box_key_at(rec, r, m->created, box, d)))
		goto out;
	k.box_pk = box;
	ret = bundle_open(fd, &k, out_fd, 0, m, d);
out:
	sodium_memzero(fk, sizeof(fk));
	if (fd >= 0)
		close(fd);
	free(m);
	free(sender);
	free(r);
	return ret;
}

/* A refusal of the kept bundle's own bytes (cut short, altered: it was
 * whole and verified when it came) as GS_ECRYPTO naming the item, so that
 * it reads as damaged evidence (docs/api.md, "A damaged bundle"), not as
 * a bad request nor as a failure of the node; other errors as they are. */
static int kept_bundle_error(int ret, const char *item, struct gs_diag *d)
{
	if (ret != GS_EINVAL && ret != GS_ECRYPTO && ret != GS_ELIMIT)
		return ret;
	gs_diag_prefix(d, "the bundle kept for item '%s' is damaged", item);
	return GS_ECRYPTO;
}

int node_open_item(struct node *n, const char *item, const char *person, const char *output,
		   struct decision *dec, struct gs_diag *d)
{
	return node_open_item_at(n, item, person, NULL, NULL, output, dec, d);
}

int node_open_item_at(struct node *n, const char *item, const char *person, const char *facility,
		      const char *purpose, const char *output, struct decision *dec, struct gs_diag *d)
{
	struct person *p = NULL;
	struct holding *h = NULL;
	struct party *sender = NULL;
	struct bundle_open_keys k;
	struct bundle_manifest *m = NULL;
	json_t *rec = NULL;
	char reason[GS_MAX_LINE], obj[GS_PATH_MAX], keyname[GS_MAX_NAME];
	uint8_t fk[AGE_FILE_KEY_BYTES];
	struct outfile of;
	const char *peer;
	gs_instant now;
	int ret, fd = -1, granted;

	memset(dec, 0, sizeof(*dec));
	if (!n->keys_loaded)
		return gs_diag_set(d, GS_ESTATE, "the node's keys are locked");
	if ((ret = node_now(n, &now, d)) || (ret = node_item_get(n, item, &rec, d)))
		return ret;
	p = calloc(1, sizeof(*p));
	h = calloc(1, sizeof(*h));
	sender = calloc(1, sizeof(*sender));
	m = calloc(1, sizeof(*m));
	if (!p || !h || !sender || !m) {
		ret = GS_ENOMEM;
		goto out;
	}
	item_to_holding(rec, h);
	if ((ret = node_person_get(n, person, p, d)))
		goto out;
	if (!facility || !facility[0])
		facility = p->facility;
	if (purpose && !purpose[0])
		purpose = NULL;
	/* The same decision 'gsomia decide access --item' takes
	 * (node/decisions.h): the state of the agreement is not an input,
	 * since termination never relaxes access to what was released under
	 * it (survival); the consents held are. */
	if ((ret = node_judge_access(n, h, person, facility, purpose, now, dec, d)))
		goto out;
	granted = dec->permit;
	decision_reason(dec, reason, sizeof(reason));
	/* The originator's log when the item came from a peer, else internal. */
	peer = strcmp(h->item.originator, n->self.code) ? h->item.originator : NULL;
	if ((ret = store_begin(n->st)))
		goto out;
	{
		struct ledger_entry e;

		ledger_entry_start(&e, n, granted ? LEDGER_ACCESS_GRANT : LEDGER_ACCESS_REFUSAL, now, item, person);
		ledger_entry_field(&e, "rule", dec->rule_id);
		ledger_entry_field(&e, "reason", reason);
		ledger_entry_field(&e, "facility", facility);
		if (purpose && strcmp(purpose, h->item.purpose))
			ledger_entry_field(&e, "purpose", purpose);
		if ((granted && (ret = store_custody_add(n->st, item, now, "opened", person, facility))) ||
		    (ret = ledger_append(n, peer, &e, NULL, d)) || (ret = store_commit(n->st))) {
			store_rollback(n->st);
			if (!d || !d->msg[0])
				gs_diag_set(d, ret, "cannot record the access decision");
			goto out;
		}
	}
	if (!granted) {
		ret = GS_EDENIED;
		goto out;
	}
	/* Decrypt with the item's key. */
	if ((ret = item_unseal_key(n, item, fk, d)))
		goto out;
	if ((fd = item_object_open(n, jstr(rec, "bundle"), obj, sizeof(obj), d)) < 0) {
		ret = fd;
		goto out;
	}
	if ((ret = bundle_read_manifest(fd, m, NULL, d)) || lseek(fd, 0, SEEK_SET) != 0) {
		ret = ret ? kept_bundle_error(ret, item, d) : GS_EIO;
		goto out;
	}
	if ((ret = node_party_get(n, m->sender, sender, d)))
		goto out;
	party_key_name(sender->code, sender->exercise, keyname);
	memset(&k, 0, sizeof(k));
	k.key_name = keyname;
	k.file_key = fk;
	{
		/* The keys of the sealing instant (node/keyhistory.h); at the
		 * originator, its own copy is sealed to the recipient's key. */
		struct party *r = calloc(1, sizeof(*r));
		const uint8_t *unused;

		if (!r || (ret = party_keys_at(sender, m->created, &k.sender_pk, &unused, d)) ||
		    (ret = node_party_get(n, m->recipient, r, d)) ||
		    (ret = item_box_key_at(rec, r, m->created, sender->box_pk, d))) {
			free(r);
			ret = ret ? ret : GS_ENOMEM;
			goto out;
		}
		free(r);
		k.box_pk = sender->box_pk;
	}
	/* Into a temporary file renamed into place only when every check of
	 * the bundle has passed (a device or FIFO is written in place). */
	if ((ret = outfile_open(&of, output, 0600, d)))
		goto out;
	if ((ret = bundle_open(fd, &k, of.fd, 0, m, d))) {
		outfile_abort(&of);
		ret = kept_bundle_error(ret, item, d);
	} else {
		ret = outfile_commit(&of, d);
	}
out:
	sodium_memzero(fk, sizeof(fk));
	if (fd >= 0)
		close(fd);
	json_decref(rec);
	free(p);
	free(h);
	free(sender);
	free(m);
	return ret;
}
