/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/note.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/encode.h"
#include "util/utf8.h"
#include "util/banned.h"

static const char em_dash_sp[] = "\xe2\x80\x94 "; /* U+2014, space */
#define EM_DASH_SP_LEN 4

static int is_unicode_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

int note_name_valid(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, n;
	uint32_t c;

	if (len == 0 || len >= GS_MAX_NAME)
		return 0;
	while (i < len) {
		n = utf8_decode(s + i, len - i, &c);
		if (n == 0 || c < 0x20 || c == '+' || is_unicode_space(c))
			return 0;
		i += n;
	}
	return 1;
}

/* UTF-8 and control characters over a whole buffer, with line:column of the
 * first offence. */
static int check_chars(const char *buf, size_t len, const char *what,
		       struct gs_diag *d)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n, line = 1, col = 1;
	uint32_t c;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &c);
		if (n == 0)
			return gs_diag_set(d, GS_EINVAL,
					   "%s %zu:%zu: invalid UTF-8", what, line, col);
		if (c < 0x20 && c != '\n')
			return gs_diag_set(d, GS_EINVAL,
					   "%s %zu:%zu: control character 0x%02x",
					   what, line, col, (unsigned)c);
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return 0;
}

int note_text_check(const char *text, size_t len, struct gs_diag *d)
{
	int ret;

	if (len > GS_MAX_NOTE_BYTES)
		return gs_diag_set(d, GS_ELIMIT, "note text is %zu bytes, the limit is %d",
				   len, GS_MAX_NOTE_BYTES);
	if (len == 0 || text[len - 1] != '\n')
		return gs_diag_set(d, GS_EINVAL, "note text must end with a newline");
	ret = check_chars(text, len, "note text", d);
	return ret;
}

uint32_t note_key_id(const char *name, uint8_t type, const uint8_t *pk,
		     size_t pklen)
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];
	uint8_t nl = '\n';

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, &nl, 1);
	crypto_hash_sha256_update(&st, &type, 1);
	crypto_hash_sha256_update(&st, pk, pklen);
	crypto_hash_sha256_final(&st, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* One signature line (without its '\n') into sig; lineno for messages. */
static int parse_sig_line(const char *line, size_t len, size_t lineno,
			  struct note_sig *sig, struct gs_diag *d)
{
	uint8_t small[4 + NOTE_SIG_KEEP];
	uint8_t *raw = small;
	const char *name, *sp, *b64;
	size_t namelen, b64len, max, n = 0;
	int ret;

	if (len < EM_DASH_SP_LEN || memcmp(line, em_dash_sp, EM_DASH_SP_LEN) != 0)
		return gs_diag_set(d, GS_EINVAL,
				   "signed note line %zu: a signature line starts with an em dash and a space",
				   lineno);
	name = line + EM_DASH_SP_LEN;
	sp = memchr(name, ' ', len - EM_DASH_SP_LEN);
	if (!sp)
		return gs_diag_set(d, GS_EINVAL,
				   "signed note line %zu: no space between key name and signature",
				   lineno);
	namelen = (size_t)(sp - name);
	if (!note_name_valid(name, namelen))
		return gs_diag_set(d, GS_EINVAL, "signed note line %zu: invalid key name",
				   lineno);
	b64 = sp + 1;
	b64len = len - EM_DASH_SP_LEN - namelen - 1;
	max = B64_DECODED_MAX(b64len);
	if (max > sizeof(small)) {
		raw = malloc(max);
		if (!raw)
			return GS_ENOMEM;
	}
	ret = b64_decode(b64, b64len, raw, max, &n);
	if (ret == 0 && n < 5)
		ret = GS_EINVAL;
	if (ret != 0) {
		ret = gs_diag_set(d, ret == GS_ENOMEM ? GS_ENOMEM : GS_EINVAL,
				  "signed note line %zu: signature is not canonical base64 of a key id and a signature",
				  lineno);
		goto out;
	}
	memcpy(sig->name, name, namelen);
	sig->name[namelen] = '\0';
	sig->key_id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		      (uint32_t)raw[2] << 8 | raw[3];
	sig->siglen = n - 4;
	memcpy(sig->sig, raw + 4, sig->siglen < NOTE_SIG_KEEP ? sig->siglen : NOTE_SIG_KEEP);
	sig->line = line;
	sig->line_len = len + 1;
out:
	if (raw != small)
		free(raw);
	return ret;
}

/* Offset of the '\n' that ends the text (the first of the last "\n\n"), or
 * len if there is none. */
static size_t find_split(const char *buf, size_t len)
{
	size_t i;

	if (len < 2)
		return len;
	for (i = len - 1; i-- > 0;)
		if (buf[i] == '\n' && buf[i + 1] == '\n')
			return i;
	return len;
}

int note_parse(const char *buf, size_t len, struct signed_note *out,
	       struct gs_diag *d)
{
	size_t split, pos, lineno, nsigs = 0, eol;
	struct note_sig *sigs;
	const char *nl;
	int ret;

	if (len > GS_MAX_NOTE_BYTES)
		return gs_diag_set(d, GS_ELIMIT, "signed note is %zu bytes, the limit is %d",
				   len, GS_MAX_NOTE_BYTES);
	if (len == 0)
		return gs_diag_set(d, GS_EINVAL, "signed note is empty");
	ret = check_chars(buf, len, "signed note", d);
	if (ret)
		return ret;
	if (buf[len - 1] != '\n')
		return gs_diag_set(d, GS_EINVAL,
				   "signed note does not end with a newline (truncated?)");
	split = find_split(buf, len);
	if (split == len)
		return gs_diag_set(d, GS_EINVAL,
				   "signed note has no blank line before its signatures");
	if (split + 2 == len)
		return gs_diag_set(d, GS_EINVAL, "signed note has no signature lines");
	sigs = calloc(GS_MAX_NOTE_SIGS, sizeof(*sigs));
	if (!sigs)
		return GS_ENOMEM;
	lineno = 2;
	for (pos = 0; pos <= split; pos++)
		if (buf[pos] == '\n')
			lineno++;
	pos = split + 2;
	while (pos < len) {
		nl = memchr(buf + pos, '\n', len - pos);
		eol = (size_t)(nl - buf); /* found: buf ends with '\n' */
		if (nsigs == GS_MAX_NOTE_SIGS) {
			ret = gs_diag_set(d, GS_ELIMIT,
					  "signed note has more than %d signatures",
					  GS_MAX_NOTE_SIGS);
			goto out;
		}
		ret = parse_sig_line(buf + pos, eol - pos, lineno, &sigs[nsigs], d);
		if (ret)
			goto out;
		nsigs++;
		lineno++;
		pos = eol + 1;
	}
	out->text = buf;
	out->text_len = split + 1;
	out->nsigs = nsigs;
	memcpy(out->sigs, sigs, nsigs * sizeof(*sigs));
	ret = 0;
out:
	free(sigs);
	return ret;
}

/* A buffer is taken as a signed note when its last blank line is followed
 * by a line that starts like a signature line. */
static int looks_signed(const char *buf, size_t len)
{
	size_t split = find_split(buf, len);

	return split < len && len - (split + 2) >= EM_DASH_SP_LEN &&
	       memcmp(buf + split + 2, em_dash_sp, EM_DASH_SP_LEN) == 0;
}

/* Parses note_or_text into n: a signed note as is, a plain text as a note
 * with no signatures. */
static int load_input(const char *buf, size_t len, struct signed_note *n,
		      struct gs_diag *d)
{
	int ret;

	if (looks_signed(buf, len))
		return note_parse(buf, len, n, d);
	ret = note_text_check(buf, len, d);
	if (ret)
		return ret;
	n->text = buf;
	n->text_len = len;
	n->nsigs = 0;
	return 0;
}

static int add_line(const struct signed_note *n, const char *name,
		    uint32_t key_id, const uint8_t *sig, size_t siglen,
		    char **out, size_t *outlen, struct gs_diag *d)
{
	size_t namelen = strlen(name), rawlen, b64size, total, i, pos;
	uint8_t *raw = NULL;
	char *b64 = NULL, *res = NULL;
	int dup = 0, ret;

	if (!note_name_valid(name, namelen))
		return gs_diag_set(d, GS_EINVAL, "invalid key name '%.64s'", name);
	if (siglen == 0 || siglen > GS_MAX_NOTE_BYTES)
		return gs_diag_set(d, GS_EINVAL, "invalid signature length %zu", siglen);
	for (i = 0; i < n->nsigs; i++)
		if (n->sigs[i].key_id == key_id && strcmp(n->sigs[i].name, name) == 0)
			dup = 1;
	if (!dup && n->nsigs >= GS_MAX_NOTE_SIGS)
		return gs_diag_set(d, GS_ELIMIT, "signed note already has %d signatures",
				   GS_MAX_NOTE_SIGS);
	rawlen = 4 + siglen;
	b64size = B64_ENCODED_SIZE(rawlen);
	raw = malloc(rawlen);
	b64 = malloc(b64size);
	if (!raw || !b64) {
		ret = GS_ENOMEM;
		goto out;
	}
	raw[0] = (uint8_t)(key_id >> 24);
	raw[1] = (uint8_t)(key_id >> 16);
	raw[2] = (uint8_t)(key_id >> 8);
	raw[3] = (uint8_t)key_id;
	memcpy(raw + 4, sig, siglen);
	ret = b64_encode(raw, rawlen, b64, b64size);
	if (ret)
		goto out;
	total = n->text_len + 1;
	for (i = 0; i < n->nsigs; i++)
		total += n->sigs[i].line_len;
	if (!dup)
		total += EM_DASH_SP_LEN + namelen + 1 + (b64size - 1) + 1;
	if (total > GS_MAX_NOTE_BYTES) {
		ret = gs_diag_set(d, GS_ELIMIT, "signed note would be %zu bytes, the limit is %d",
				  total, GS_MAX_NOTE_BYTES);
		goto out;
	}
	res = malloc(total + 1);
	if (!res) {
		ret = GS_ENOMEM;
		goto out;
	}
	pos = 0;
	memcpy(res, n->text, n->text_len);
	pos += n->text_len;
	res[pos++] = '\n';
	for (i = 0; i < n->nsigs; i++) {
		memcpy(res + pos, n->sigs[i].line, n->sigs[i].line_len);
		pos += n->sigs[i].line_len;
	}
	if (!dup) {
		memcpy(res + pos, em_dash_sp, EM_DASH_SP_LEN);
		pos += EM_DASH_SP_LEN;
		memcpy(res + pos, name, namelen);
		pos += namelen;
		res[pos++] = ' ';
		memcpy(res + pos, b64, b64size - 1);
		pos += b64size - 1;
		res[pos++] = '\n';
	}
	res[pos] = '\0';
	*out = res;
	*outlen = pos;
	res = NULL;
	ret = 0;
out:
	free(raw);
	free(b64);
	free(res);
	return ret;
}

int note_add_sig(const char *note_or_text, size_t len, const char *name,
		 uint32_t key_id, const uint8_t *sig, size_t siglen, char **out,
		 size_t *outlen, struct gs_diag *d)
{
	struct signed_note *n;
	int ret;

	n = malloc(sizeof(*n));
	if (!n)
		return GS_ENOMEM;
	ret = load_input(note_or_text, len, n, d);
	if (ret == 0)
		ret = add_line(n, name, key_id, sig, siglen, out, outlen, d);
	free(n);
	return ret;
}

int note_sign(const char *note_or_text, size_t len, const char *name,
	      const uint8_t sk[64], char **out, size_t *outlen,
	      struct gs_diag *d)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	struct signed_note *n;
	int ret;

	if (!note_name_valid(name, strlen(name)))
		return gs_diag_set(d, GS_EINVAL, "invalid key name '%.64s'", name);
	n = malloc(sizeof(*n));
	if (!n)
		return GS_ENOMEM;
	ret = load_input(note_or_text, len, n, d);
	if (ret)
		goto out;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	crypto_sign_detached(sig, NULL, (const uint8_t *)n->text, n->text_len, sk);
	ret = add_line(n, name, note_key_id(name, NOTE_TYPE_ED25519, pk, sizeof(pk)),
		       sig, sizeof(sig), out, outlen, d);
out:
	free(n);
	return ret;
}

int note_verify(const struct signed_note *n, const char *name,
		const uint8_t pk[32])
{
	uint32_t id = note_key_id(name, NOTE_TYPE_ED25519, pk, 32);
	int found = 0;
	size_t i;

	for (i = 0; i < n->nsigs; i++) {
		const struct note_sig *s = &n->sigs[i];

		if (s->key_id != id || strcmp(s->name, name) != 0)
			continue;
		if (s->siglen != crypto_sign_BYTES ||
		    crypto_sign_verify_detached(s->sig, (const uint8_t *)n->text,
						n->text_len, pk) != 0)
			return GS_ECRYPTO;
		found = 1;
	}
	return found ? 0 : GS_ENOTFOUND;
}

int note_vkey_encode(const char *name, uint8_t type, const uint8_t pk[32],
		     char *out, size_t outsz)
{
	uint8_t raw[33];
	char b64[B64_ENCODED_SIZE(33)];
	size_t namelen = strlen(name), need;
	uint32_t id;
	int i;

	if (!note_name_valid(name, namelen))
		return GS_EINVAL;
	need = namelen + 1 + 8 + 1 + (sizeof(b64) - 1) + 1;
	if (outsz < need)
		return GS_ELIMIT;
	raw[0] = type;
	memcpy(raw + 1, pk, 32);
	if (b64_encode(raw, sizeof(raw), b64, sizeof(b64)) != 0)
		return GS_ELIMIT;
	id = note_key_id(name, type, pk, 32);
	memcpy(out, name, namelen);
	out[namelen] = '+';
	for (i = 0; i < 8; i++)
		out[namelen + 1 + i] = "0123456789abcdef"[(id >> (28 - 4 * i)) & 0xf];
	out[namelen + 9] = '+';
	memcpy(out + namelen + 10, b64, sizeof(b64));
	return 0;
}

int note_vkey_parse(const char *s, size_t len, struct note_vkey *out,
		    struct gs_diag *d)
{
	const char *p1, *p2;
	size_t namelen, i;
	char name[GS_MAX_NAME];
	uint8_t raw[33];
	uint32_t id = 0;
	char c;

	p1 = memchr(s, '+', len);
	if (!p1)
		return gs_diag_set(d, GS_EINVAL, "verifier key: expected name+id+key");
	namelen = (size_t)(p1 - s);
	if (!note_name_valid(s, namelen))
		return gs_diag_set(d, GS_EINVAL, "verifier key: invalid key name");
	if (len - namelen < 10 || p1[9] != '+')
		return gs_diag_set(d, GS_EINVAL,
				   "verifier key: the key id must be 8 lowercase hex digits");
	for (i = 1; i <= 8; i++) {
		c = p1[i];
		if (c >= '0' && c <= '9')
			id = id << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			id = id << 4 | (uint32_t)(c - 'a' + 10);
		else
			return gs_diag_set(d, GS_EINVAL,
					   "verifier key: the key id must be 8 lowercase hex digits");
	}
	p2 = p1 + 10;
	if (b64_decode_exact(p2, len - (size_t)(p2 - s), raw, sizeof(raw)) != 0)
		return gs_diag_set(d, GS_EINVAL,
				   "verifier key: expected canonical base64 of a type byte and a 32-byte key");
	if (raw[0] != NOTE_TYPE_ED25519 && raw[0] != NOTE_TYPE_COSIGNATURE)
		return gs_diag_set(d, GS_EINVAL, "verifier key: unsupported key type 0x%02x",
				   raw[0]);
	memcpy(name, s, namelen);
	name[namelen] = '\0';
	if (note_key_id(name, raw[0], raw + 1, 32) != id)
		return gs_diag_set(d, GS_EINVAL,
				   "verifier key '%s': key id does not match the key", name);
	memcpy(out->name, name, namelen + 1);
	out->key_id = id;
	out->type = raw[0];
	memcpy(out->pk, raw + 1, 32);
	return 0;
}
