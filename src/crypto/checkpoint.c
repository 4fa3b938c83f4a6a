/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/checkpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/encode.h"
#include "util/banned.h"

int checkpoint_format(const struct checkpoint *c, char *out, size_t outsz,
		      size_t *outlen)
{
	char b64[B64_ENCODED_SIZE(32)];
	size_t olen = strnlen(c->origin, sizeof(c->origin));
	int n;

	if (olen == sizeof(c->origin) || !note_name_valid(c->origin, olen))
		return GS_EINVAL;
	if (b64_encode(c->root, 32, b64, sizeof(b64)) != 0)
		return GS_ELIMIT;
	n = snprintf(out, outsz, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
	if (n < 0 || (size_t)n >= outsz)
		return GS_ELIMIT;
	*outlen = (size_t)n;
	return 0;
}

/* The next line of text[*pos..len) without its '\n'; -1 if none. */
static int next_line(const char *text, size_t len, size_t *pos,
		     const char **line, size_t *linelen)
{
	const char *nl;

	if (*pos >= len)
		return -1;
	nl = memchr(text + *pos, '\n', len - *pos);
	if (!nl)
		return -1;
	*line = text + *pos;
	*linelen = (size_t)(nl - *line);
	*pos = (size_t)(nl - text) + 1;
	return 0;
}

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return GS_EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return GS_EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return GS_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int checkpoint_parse(const char *text, size_t len, struct checkpoint *out,
		     struct gs_diag *d)
{
	const char *origin, *size, *root;
	size_t olen, slen, rlen, pos = 0;
	struct checkpoint c;

	if (len > CHECKPOINT_TEXT_SIZE)
		return gs_diag_set(d, GS_EINVAL, "checkpoint is too long (%zu bytes)", len);
	if (next_line(text, len, &pos, &origin, &olen) ||
	    next_line(text, len, &pos, &size, &slen) ||
	    next_line(text, len, &pos, &root, &rlen))
		return gs_diag_set(d, GS_EINVAL,
				   "checkpoint must have three lines: origin, size, root");
	if (pos != len)
		return gs_diag_set(d, GS_EINVAL,
				   "checkpoint line 4: extension lines are not accepted");
	if (!note_name_valid(origin, olen))
		return gs_diag_set(d, GS_EINVAL, "checkpoint line 1: invalid origin");
	memset(&c, 0, sizeof(c));
	memcpy(c.origin, origin, olen);
	if (parse_u64(size, slen, &c.size))
		return gs_diag_set(d, GS_EINVAL,
				   "checkpoint line 2: size must be a decimal number without leading zeros");
	if (b64_decode_exact(root, rlen, c.root, sizeof(c.root)))
		return gs_diag_set(d, GS_EINVAL,
				   "checkpoint line 3: root must be canonical base64 of 32 bytes");
	*out = c;
	return 0;
}

int checkpoint_open(const char *buf, size_t len, const char *origin,
		    const uint8_t log_pk[32], struct checkpoint *out,
		    struct signed_note *n, struct gs_diag *d)
{
	struct signed_note *sn;
	struct checkpoint c;
	int ret;

	sn = malloc(sizeof(*sn));
	if (!sn)
		return GS_ENOMEM;
	ret = note_parse(buf, len, sn, d);
	if (ret)
		goto out;
	ret = note_verify(sn, origin, log_pk);
	if (ret == GS_ENOTFOUND) {
		ret = gs_diag_set(d, ret, "checkpoint: no signature by log '%s'", origin);
		goto out;
	}
	if (ret) {
		ret = gs_diag_set(d, ret, "checkpoint: bad signature by log '%s'", origin);
		goto out;
	}
	ret = checkpoint_parse(sn->text, sn->text_len, &c, d);
	if (ret)
		goto out;
	if (strcmp(c.origin, origin) != 0) {
		ret = gs_diag_set(d, GS_EINVAL, "checkpoint: origin '%s' is not '%s'",
				  c.origin, origin);
		goto out;
	}
	*out = c;
	if (n)
		*n = *sn;
out:
	free(sn);
	return ret;
}

uint32_t cosig_key_id(const char *name, const uint8_t pk[32])
{
	return note_key_id(name, NOTE_TYPE_COSIGNATURE, pk, 32);
}

/* "cosignature/v1\ntime <ts>\n" || text, malloc'd. */
static uint8_t *cosig_message(const char *text, size_t len, uint64_t ts,
			      size_t *mlen)
{
	char head[64];
	uint8_t *m;
	int n;

	n = snprintf(head, sizeof(head), "cosignature/v1\ntime %" PRIu64 "\n", ts);
	if (n < 0 || (size_t)n >= sizeof(head))
		return NULL;
	m = malloc((size_t)n + len);
	if (!m)
		return NULL;
	memcpy(m, head, (size_t)n);
	memcpy(m + n, text, len);
	*mlen = (size_t)n + len;
	return m;
}

int cosig_sign(const char *note, size_t len, const char *name,
	       const uint8_t sk[64], uint64_t timestamp, char **out,
	       size_t *outlen, struct gs_diag *d)
{
	uint8_t pk[32], blob[8 + crypto_sign_BYTES];
	struct signed_note *sn = NULL;
	struct checkpoint c;
	uint8_t *msg = NULL;
	size_t mlen, i;
	int ret;

	sn = malloc(sizeof(*sn));
	if (!sn)
		return GS_ENOMEM;
	/* Accept a signed checkpoint or a bare text, like note_sign. */
	ret = note_parse(note, len, sn, NULL);
	if (ret) {
		sn->text = note;
		sn->text_len = len;
	}
	ret = checkpoint_parse(sn->text, sn->text_len, &c, d);
	if (ret)
		goto out;
	msg = cosig_message(sn->text, sn->text_len, timestamp, &mlen);
	if (!msg) {
		ret = GS_ENOMEM;
		goto out;
	}
	for (i = 0; i < 8; i++)
		blob[i] = (uint8_t)(timestamp >> (56 - 8 * i));
	crypto_sign_detached(blob + 8, NULL, msg, mlen, sk);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	ret = note_add_sig(note, len, name, cosig_key_id(name, pk), blob,
			   sizeof(blob), out, outlen, d);
out:
	free(msg);
	free(sn);
	return ret;
}

int cosig_verify(const struct signed_note *n, const char *name,
		 const uint8_t pk[32], uint64_t *timestamp)
{
	uint32_t id = cosig_key_id(name, pk);
	uint64_t ts, latest = 0;
	uint8_t *msg;
	size_t i, mlen;
	int found = 0, bad;

	for (i = 0; i < n->nsigs; i++) {
		const struct note_sig *s = &n->sigs[i];

		if (s->key_id != id || strcmp(s->name, name) != 0)
			continue;
		if (cosig_timestamp(s, &ts) != 0)
			return GS_ECRYPTO;
		msg = cosig_message(n->text, n->text_len, ts, &mlen);
		if (!msg)
			return GS_ENOMEM;
		bad = crypto_sign_verify_detached(s->sig + 8, msg, mlen, pk);
		free(msg);
		if (bad)
			return GS_ECRYPTO;
		if (!found || ts > latest)
			latest = ts;
		found = 1;
	}
	if (!found)
		return GS_ENOTFOUND;
	*timestamp = latest;
	return 0;
}

int cosig_timestamp(const struct note_sig *s, uint64_t *timestamp)
{
	uint64_t ts = 0;
	size_t j;

	if (s->siglen != 8 + crypto_sign_BYTES)
		return GS_EINVAL;
	for (j = 0; j < 8; j++)
		ts = ts << 8 | s->sig[j];
	*timestamp = ts;
	return 0;
}
