/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/age.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/merkle.h"
#include "util/progress.h"
#include "util/file.h"
#include "util/banned.h"

static const char v1_line[] = "age-encryption.org/v1\n";
static const char x25519_info[] = "age-encryption.org/v1/X25519";

uint64_t age_payload_size(uint64_t n)
{
	uint64_t chunks = n == 0 ? 1 : (n + AGE_CHUNK - 1) / AGE_CHUNK;

	return AGE_NONCE_BYTES + n + chunks * AGE_TAG;
}

uint64_t age_leaf_count(uint64_t payload_len)
{
	uint64_t c, full, rem;

	if (payload_len < AGE_NONCE_BYTES + AGE_TAG)
		return 0;
	c = payload_len - AGE_NONCE_BYTES;
	full = c / AGE_ENC_CHUNK;
	rem = c % AGE_ENC_CHUNK;
	/* a short last chunk holds at least one byte, except the one empty
	 * chunk of an empty plaintext */
	if (rem == 0)
		return 1 + full;
	if (rem < AGE_TAG || (rem == AGE_TAG && full > 0))
		return 0;
	return 2 + full;
}

/* ---- base64 without padding, strict ------------------------------------ */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Writes b64_len(n) characters, no NUL. */
static void b64_raw_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
	}
}

/* Canonical unpadded base64: a length that is not 1 mod 4, only alphabet
 * characters, and zero unused bits in the last character. */
static int b64_raw_decode(const uint8_t *in, size_t len, uint8_t *out,
			  size_t outsz, size_t *outlen)
{
	size_t i, o = 0, rem = len % 4, n = len / 4 * 3 + (rem ? rem - 1 : 0);
	int a, b, c, e;

	if (rem == 1)
		return GS_EINVAL;
	if (n > outsz)
		return GS_ELIMIT;
	for (i = 0; i + 4 <= len; i += 4) {
		a = b64_value(in[i]);
		b = b64_value(in[i + 1]);
		c = b64_value(in[i + 2]);
		e = b64_value(in[i + 3]);
		if ((a | b | c | e) < 0)
			return GS_EINVAL;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		out[o++] = (uint8_t)(b << 4 | c >> 2);
		out[o++] = (uint8_t)(c << 6 | e);
	}
	if (rem >= 2) {
		a = b64_value(in[i]);
		b = b64_value(in[i + 1]);
		if ((a | b) < 0)
			return GS_EINVAL;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		if (rem == 2) {
			if (b & 15)
				return GS_EINVAL;
		} else {
			c = b64_value(in[i + 2]);
			if (c < 0 || (c & 3))
				return GS_EINVAL;
			out[o++] = (uint8_t)(b << 4 | c >> 2);
		}
	}
	*outlen = o;
	return 0;
}

/* ---- HKDF-SHA-256 ------------------------------------------------------ */

int age_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
		    size_t ikmlen, const uint8_t *info, size_t infolen,
		    uint8_t *out, size_t outlen)
{
	crypto_auth_hmacsha256_state st;
	uint8_t prk[32], t[32];
	uint8_t ctr;
	size_t done = 0, tlen = 0, n;

	static const uint8_t empty[1];

	if (outlen > 255 * 32)
		return GS_EINVAL;
	/* libsodium declares its pointers non-null, also for empty inputs */
	if (!salt)
		salt = empty;
	if (!ikm)
		ikm = empty;
	if (!info)
		info = empty;
	/* Extract: an absent salt is HashLen zeros, which HMAC pads to the
	 * same block as an empty key. */
	crypto_auth_hmacsha256_init(&st, salt, saltlen);
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	for (ctr = 1; done < outlen; ctr++) {
		crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
		crypto_auth_hmacsha256_update(&st, t, tlen);
		crypto_auth_hmacsha256_update(&st, info, infolen);
		crypto_auth_hmacsha256_update(&st, &ctr, 1);
		crypto_auth_hmacsha256_final(&st, t);
		tlen = sizeof(t);
		n = outlen - done < 32 ? outlen - done : 32;
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	sodium_memzero(&st, sizeof(st));
	return 0;
}

/* ---- Bech32 ------------------------------------------------------------ */

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t bech32_polymod_step(uint32_t pre)
{
	uint8_t b = (uint8_t)(pre >> 25);

	return ((pre & 0x1ffffff) << 5) ^ (-((b >> 0) & 1) & 0x3b6a57b2UL) ^
	       (-((b >> 1) & 1) & 0x26508e6dUL) ^ (-((b >> 2) & 1) & 0x1ea119faUL) ^
	       (-((b >> 3) & 1) & 0x3d4233ddUL) ^ (-((b >> 4) & 1) & 0x2a1462b3UL);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static uint32_t bech32_hrp_checksum_start(const char *hrp, size_t hlen)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < hlen; i++)
		chk = bech32_polymod_step(chk) ^ ((uint32_t)lower(hrp[i]) >> 5);
	chk = bech32_polymod_step(chk);
	for (i = 0; i < hlen; i++)
		chk = bech32_polymod_step(chk) ^ ((uint32_t)lower(hrp[i]) & 0x1f);
	return chk;
}

/* 32 bytes -> "hrp1" + 52 data + 6 checksum characters, in `upper` case. */
static void bech32_encode32(const char *hrp, const uint8_t in[32], int upper,
			    char *out)
{
	uint8_t data[52];
	size_t hlen = strlen(hrp), i, o = 0, nd = 0;
	uint32_t acc = 0, chk;
	int bits = 0;

	for (i = 0; i < 32; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			data[nd++] = (uint8_t)((acc >> bits) & 31);
		}
	}
	if (bits)
		data[nd++] = (uint8_t)((acc << (5 - bits)) & 31);
	chk = bech32_hrp_checksum_start(hrp, hlen);
	for (i = 0; i < nd; i++)
		chk = bech32_polymod_step(chk) ^ data[i];
	for (i = 0; i < 6; i++)
		chk = bech32_polymod_step(chk);
	chk ^= 1;
	for (i = 0; i < hlen; i++)
		out[o++] = upper ? hrp[i] : (char)lower(hrp[i]);
	out[o++] = '1';
	for (i = 0; i < nd; i++)
		out[o++] = bech32_charset[data[i]];
	for (i = 0; i < 6; i++)
		out[o++] = bech32_charset[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (i = hlen; i < o; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 32);
	sodium_memzero(data, sizeof(data));
	acc = 0;
}

/* Decodes s (one case throughout, the case of hrp, which must match
 * exactly as age requires) into exactly 32 bytes. */
static int bech32_decode32(const char *hrp, const char *s, size_t len,
			   uint8_t out[32])
{
	uint8_t data[52], bytes[32];
	size_t hlen = strlen(hrp), i, nb = 0;
	uint32_t chk, acc = 0;
	int has_lower = 0, has_upper = 0, bits = 0, ret = GS_EINVAL;
	const char *p;

	if (len != hlen + 1 + 52 + 6)
		return GS_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126)
			return GS_EINVAL;
		if (c >= 'a' && c <= 'z')
			has_lower = 1;
		if (c >= 'A' && c <= 'Z')
			has_upper = 1;
	}
	if (has_lower && has_upper)
		return GS_EINVAL;
	for (i = 0; i < hlen; i++)
		if (s[i] != hrp[i])
			return GS_EINVAL;
	if (s[hlen] != '1')
		return GS_EINVAL;
	chk = bech32_hrp_checksum_start(hrp, hlen);
	for (i = 0; i < 58; i++) {
		p = memchr(bech32_charset, lower(s[hlen + 1 + i]), 32);
		if (!p || *p == '\0')
			goto out;
		chk = bech32_polymod_step(chk) ^ (uint32_t)(p - bech32_charset);
		if (i < 52)
			data[i] = (uint8_t)(p - bech32_charset);
	}
	if (chk != 1)
		goto out;
	for (i = 0; i < 52; i++) {
		acc = acc << 5 | data[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			bytes[nb++] = (uint8_t)(acc >> bits);
		}
	}
	/* 52 * 5 = 260 bits: 4 bits of padding, which must be zero. */
	if (nb != 32 || bits != 4 || (acc & 15))
		goto out;
	memcpy(out, bytes, 32);
	ret = 0;
out:
	sodium_memzero(data, sizeof(data));
	sodium_memzero(bytes, sizeof(bytes));
	return ret;
}

int age_recipient_encode(const uint8_t pk[32], char out[AGE_RECIPIENT_SIZE])
{
	bech32_encode32("age", pk, 0, out);
	return 0;
}

int age_identity_encode(const uint8_t sk[32], char out[AGE_IDENTITY_SIZE])
{
	bech32_encode32("AGE-SECRET-KEY-", sk, 1, out);
	return 0;
}

int age_recipient_parse(const char *s, size_t len, uint8_t pk[32])
{
	/* age writes recipients in lower case only */
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return GS_EINVAL;
	return bech32_decode32("age", s, len, pk);
}

int age_identity_parse(const char *s, size_t len, uint8_t sk[32])
{
	return bech32_decode32("AGE-SECRET-KEY-", s, len, sk);
}

/* ---- header ------------------------------------------------------------ */

static int header_mac(const uint8_t *buf, size_t mac_off,
		      const uint8_t file_key[AGE_FILE_KEY_BYTES], uint8_t mac[32])
{
	static const uint8_t info[] = "header";
	uint8_t k[32];
	int ret;

	ret = age_hkdf_sha256(NULL, 0, file_key, AGE_FILE_KEY_BYTES, info,
			      sizeof(info) - 1, k, sizeof(k));
	if (ret == 0)
		crypto_auth_hmacsha256(mac, buf, mac_off, k);
	sodium_memzero(k, sizeof(k));
	return ret;
}

/* The length of the line at buf[0..len) without its '\n', or -1 if no
 * '\n' is found. */
static long line_len(const uint8_t *buf, size_t len)
{
	const uint8_t *nl = memchr(buf, '\n', len);

	return nl ? (long)(nl - buf) : -1;
}

int age_header_parse(const uint8_t *buf, size_t len, struct age_header *h,
		     struct gs_diag *d)
{
	struct age_header *tmp;
	struct age_stanza *st;
	size_t pos, lineno = 2, avail = len < GS_AGE_MAX_HEADER ? len : GS_AGE_MAX_HEADER;
	size_t i, got, a;
	long ll;
	int ret = GS_EINVAL, rc;

	tmp = calloc(1, sizeof(*tmp));
	if (!tmp)
		return GS_ENOMEM;
	if (avail < sizeof(v1_line) - 1 || memcmp(buf, v1_line, sizeof(v1_line) - 1)) {
		gs_diag_set(d, GS_EINVAL, "age header line 1: not 'age-encryption.org/v1'");
		goto out;
	}
	pos = sizeof(v1_line) - 1;
	for (;;) {
		ll = line_len(buf + pos, avail - pos);
		if (ll < 0) {
			if (avail < len || len >= GS_AGE_MAX_HEADER)
				ret = gs_diag_set(d, GS_ELIMIT,
						  "age header is longer than %d bytes",
						  GS_AGE_MAX_HEADER);
			else
				gs_diag_set(d, GS_EINVAL, "age header line %zu: incomplete header",
					    lineno);
			goto out;
		}
		if (ll >= 3 && !memcmp(buf + pos, "---", 3)) {
			/* MAC line: "--- " + 43 characters */
			if (tmp->nstanzas == 0) {
				gs_diag_set(d, GS_EINVAL, "age header has no recipient stanza");
				goto out;
			}
			if (ll != 4 + 43 || buf[pos + 3] != ' ' ||
			    b64_raw_decode(buf + pos + 4, 43, tmp->mac, 32, &got) || got != 32) {
				gs_diag_set(d, GS_EINVAL, "age header line %zu: malformed MAC line",
					    lineno);
				goto out;
			}
			tmp->mac_off = pos + 3;
			tmp->len = pos + (size_t)ll + 1;
			break;
		}
		if (ll < 3 || memcmp(buf + pos, "-> ", 3)) {
			gs_diag_set(d, GS_EINVAL,
				    "age header line %zu: expected a stanza ('-> ') or the MAC line ('---')",
				    lineno);
			goto out;
		}
		if (tmp->nstanzas == GS_AGE_MAX_STANZAS) {
			ret = gs_diag_set(d, GS_ELIMIT, "age header has more than %d stanzas",
					  GS_AGE_MAX_STANZAS);
			goto out;
		}
		st = &tmp->stanzas[tmp->nstanzas++];
		/* arguments: non-empty runs of VCHAR separated by one space */
		a = pos + 3;
		while (a <= pos + (size_t)ll) {
			size_t e = a;

			while (e < pos + (size_t)ll && buf[e] != ' ')
				e++;
			if (e == a) {
				gs_diag_set(d, GS_EINVAL, "age header line %zu: empty stanza argument",
					    lineno);
				goto out;
			}
			for (i = a; i < e; i++)
				if (buf[i] < 33 || buf[i] > 126) {
					gs_diag_set(d, GS_EINVAL,
						    "age header line %zu: bad character in stanza argument",
						    lineno);
					goto out;
				}
			if (st->nargs == GS_AGE_MAX_ARGS) {
				ret = gs_diag_set(d, GS_ELIMIT,
						  "age header line %zu: more than %d stanza arguments",
						  lineno, GS_AGE_MAX_ARGS);
				goto out;
			}
			st->args[st->nargs] = (const char *)buf + a;
			st->arglen[st->nargs++] = e - a;
			a = e + 1;
		}
		pos += (size_t)ll + 1;
		lineno++;
		/* body: full 64-column lines, then one shorter line */
		for (;;) {
			ll = line_len(buf + pos, avail - pos);
			if (ll < 0)
				break; /* reported at the top of the loop */
			if (ll > 64) {
				gs_diag_set(d, GS_EINVAL, "age header line %zu: body line longer than 64 columns",
					    lineno);
				goto out;
			}
			rc = b64_raw_decode(buf + pos, (size_t)ll, st->body + st->bodylen,
					    GS_AGE_MAX_BODY - st->bodylen, &got);
			if (rc == GS_ELIMIT) {
				ret = gs_diag_set(d, rc, "age header line %zu: stanza body longer than %d bytes",
						  lineno, GS_AGE_MAX_BODY);
				goto out;
			}
			if (rc) {
				gs_diag_set(d, GS_EINVAL,
					    "age header line %zu: body line is not canonical unpadded base64",
					    lineno);
				goto out;
			}
			st->bodylen += got;
			pos += (size_t)ll + 1;
			lineno++;
			if (ll < 64)
				break;
		}
		if (ll < 0) {
			if (avail < len || len >= GS_AGE_MAX_HEADER)
				ret = gs_diag_set(d, GS_ELIMIT,
						  "age header is longer than %d bytes",
						  GS_AGE_MAX_HEADER);
			else
				gs_diag_set(d, GS_EINVAL, "age header line %zu: incomplete header",
					    lineno);
			goto out;
		}
	}
	*h = *tmp;
	ret = 0;
out:
	sodium_memzero(tmp, sizeof(*tmp));
	free(tmp);
	return ret;
}

static int arg_is(const struct age_stanza *st, size_t i, const char *s)
{
	return st->nargs > i && st->arglen[i] == strlen(s) && !memcmp(st->args[i], s, strlen(s));
}

int age_header_verify_mac(const struct age_header *h, const uint8_t *buf,
			  const uint8_t file_key[AGE_FILE_KEY_BYTES])
{
	uint8_t mac[32];
	int ret;

	ret = header_mac(buf, h->mac_off, file_key, mac);
	if (ret == 0 && sodium_memcmp(mac, h->mac, 32) != 0)
		ret = GS_ECRYPTO;
	sodium_memzero(mac, sizeof(mac));
	return ret;
}

int age_header_unwrap(const struct age_header *h, const uint8_t *buf,
		      const uint8_t identity[32],
		      uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
{
	static const uint8_t zero_nonce[12];
	uint8_t our_pk[32], share[32], shared[32], salt[64], wrap[32], fk[16];
	const struct age_stanza *st;
	size_t i, got;
	int ret = GS_ECRYPTO, found = 0;

	for (i = 0; i < h->nstanzas; i++)
		if (arg_is(&h->stanzas[i], 0, "scrypt") && h->nstanzas != 1)
			return gs_diag_set(d, GS_EINVAL, "age header: an scrypt stanza must stand alone");
	if (crypto_scalarmult_base(our_pk, identity) != 0)
		return gs_diag_set(d, GS_ECRYPTO, "age: unusable X25519 identity");
	for (i = 0; i < h->nstanzas && !found; i++) {
		st = &h->stanzas[i];
		if (!arg_is(st, 0, "X25519"))
			continue;
		if (st->nargs != 2 || st->arglen[1] != 43 ||
		    b64_raw_decode((const uint8_t *)st->args[1], 43, share, 32, &got) ||
		    got != 32 || st->bodylen != 32) {
			ret = gs_diag_set(d, GS_EINVAL, "age header: malformed X25519 stanza %zu",
					  i + 1);
			goto out;
		}
		if (crypto_scalarmult(shared, identity, share) != 0) {
			ret = gs_diag_set(d, GS_ECRYPTO,
					  "age header: X25519 stanza %zu gives an all-zero shared secret",
					  i + 1);
			goto out;
		}
		memcpy(salt, share, 32);
		memcpy(salt + 32, our_pk, 32);
		if (age_hkdf_sha256(salt, 64, shared, 32, (const uint8_t *)x25519_info,
				    sizeof(x25519_info) - 1, wrap, 32))
			goto out;
		if (crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL, NULL, st->body, 32,
							      NULL, 0, zero_nonce, wrap) == 0)
			found = 1;
	}
	if (!found) {
		ret = gs_diag_set(d, GS_ECRYPTO, "age header: no stanza for this identity");
		goto out;
	}
	if (age_header_verify_mac(h, buf, fk) != 0) {
		ret = gs_diag_set(d, GS_ECRYPTO, "age header: bad header MAC");
		goto out;
	}
	memcpy(file_key, fk, AGE_FILE_KEY_BYTES);
	ret = 0;
out:
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(wrap, sizeof(wrap));
	sodium_memzero(fk, sizeof(fk));
	return ret;
}

int age_header_write(const uint8_t (*recipients)[32], size_t n,
		     const uint8_t file_key[AGE_FILE_KEY_BYTES], uint8_t *out,
		     size_t outsz, size_t *outlen)
{
	static const uint8_t zero_nonce[12];
	uint8_t eph[32], share[32], shared[32], salt[64], wrap[32], body[32], mac[32];
	size_t i, o = 0;
	int ret = GS_EINVAL;

	if (n == 0 || n > GS_AGE_MAX_STANZAS)
		return GS_EINVAL;
	if (outsz < AGE_X25519_HEADER_SIZE(n))
		return GS_ELIMIT;
	if (sodium_init() < 0)
		return GS_ECRYPTO;
	memcpy(out, v1_line, sizeof(v1_line) - 1);
	o = sizeof(v1_line) - 1;
	for (i = 0; i < n; i++) {
		randombytes_buf(eph, sizeof(eph));
		if (crypto_scalarmult_base(share, eph) != 0 ||
		    crypto_scalarmult(shared, eph, recipients[i]) != 0)
			goto out; /* a low-order recipient key */
		memcpy(salt, share, 32);
		memcpy(salt + 32, recipients[i], 32);
		if (age_hkdf_sha256(salt, 64, shared, 32, (const uint8_t *)x25519_info,
				    sizeof(x25519_info) - 1, wrap, 32))
			goto out;
		crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key,
							  AGE_FILE_KEY_BYTES, NULL, 0, NULL,
							  zero_nonce, wrap);
		memcpy(out + o, "-> X25519 ", 10);
		o += 10;
		b64_raw_encode(share, 32, (char *)out + o);
		o += 43;
		out[o++] = '\n';
		b64_raw_encode(body, 32, (char *)out + o);
		o += 43;
		out[o++] = '\n';
	}
	memcpy(out + o, "---", 3);
	o += 3;
	if ((ret = header_mac(out, o, file_key, mac)) != 0)
		goto out;
	out[o++] = ' ';
	b64_raw_encode(mac, 32, (char *)out + o);
	o += 43;
	out[o++] = '\n';
	*outlen = o;
	ret = 0;
out:
	sodium_memzero(eph, sizeof(eph));
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(wrap, sizeof(wrap));
	return ret;
}

/* ---- streaming engine -------------------------------------------------- */

/*
 * Input is read in slots of SLOT_CHUNKS chunks. Each slot goes through
 * up to four stages: read (in order), work (encrypt or decrypt, and the
 * chunks' leaf hashes; slots are independent, so any number at once), hash
 * (in order: the whole-stream digest of v1 bundles) and write (in order:
 * output, and leaf hashes to the caller). A pool of threads, the calling thread
 * included, runs whichever stage has a slot ready, the ordered stages
 * first: with one free core one thread does everything in turn with no
 * hand-offs, with more cores the serial hash overlaps the rest. A slot is
 * free again when every stage that applies is done. The ring has
 * AGE_RING_SLOTS slots, so memory is constant: about AGE_RING_SLOTS *
 * SLOT_CHUNKS * 128 KiB.
 *
 * The final chunk is found with one byte of lookahead when the input
 * length is unknown: a slot reads one byte more than it holds and carries
 * it into the next, so the last slot is the one that came up short.
 */

#define SLOT_CHUNKS 4
#define MAX_THREADS 8

enum mode { MODE_ENC, MODE_DEC, MODE_HASH };

struct slot {
	uint8_t *in;   /* SLOT_CHUNKS * AGE_ENC_CHUNK + 1 */
	uint8_t *out;  /* SLOT_CHUNKS * AGE_ENC_CHUNK */
	size_t in_len, out_len;
	const uint8_t *hash_p; /* what the hasher takes: set by the stage before it */
	size_t hash_len;
	uint64_t seq;        /* slot number in the stream */
	uint64_t first_chunk;
	int final;           /* holds the final chunk */
	uint8_t leaf[SLOT_CHUNKS][AGE_LEAF_HASH];   /* computed (encrypting) */
	uint8_t expect[SLOT_CHUNKS][AGE_LEAF_HASH]; /* what the caller holds */
	int filled, claimed, worked, hashed, written;
};

struct engine {
	enum mode mode;
	const struct age_stream *s;
	uint8_t *key; /* 32-byte payload key, sodium_malloc'd */
	int hashing, writing;
	int working;   /* the work stage runs: a cipher, or leaf checks */
	int leafing;   /* leaf hashes go to s->leaves */
	int expecting; /* chunks are checked against s->expect */
	EVP_MD_CTX *sha;
	uint64_t count; /* ciphertext bytes read (DEC, HASH) or made (ENC), under mu */
	size_t unit; /* input bytes per chunk */

	/* reader state (one reader at a time) */
	size_t pre_off;
	uint64_t in_left; /* input bytes still to read, or AGE_LEN_UNKNOWN */
	uint64_t consumed; /* input bytes read into slots: what the wipe must cover */
	int carry_valid;
	uint8_t carry;
	uint64_t next_chunk;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slots[AGE_RING_SLOTS];
	size_t nslots;
	uint64_t next_read, next_work, next_hash, next_write, nworked;
	int reading, hash_busy, write_busy;
	uint64_t total;     /* slots in the stream, UINT64_MAX until known */
	int err;
	int err_from_sink;
	struct gs_diag diag;
};

static void eng_fail(struct engine *e, int err, int from_sink, const char *msg)
{
	if (e->err == 0) {
		e->err = err;
		e->err_from_sink = from_sink;
		if (msg)
			gs_diag_set(&e->diag, err, "%s", msg);
	}
}

/* Fills up to want bytes (want + 1 with lookahead) into buf from the
 * input. Returns bytes read or a negative gs_err. */
static long long read_input(struct engine *e, uint8_t *buf, size_t want)
{
	const struct age_stream *s = e->s;
	size_t got = 0, n;
	ssize_t r;

	if (e->carry_valid && want > 0) {
		buf[got++] = e->carry;
		e->carry_valid = 0;
	}
	while (got < want) {
		if (e->in_left != AGE_LEN_UNKNOWN && e->in_left == 0)
			break;
		n = want - got;
		if (e->in_left != AGE_LEN_UNKNOWN && n > e->in_left)
			n = (size_t)e->in_left;
		if (e->pre_off < s->in_pre_len) {
			if (n > s->in_pre_len - e->pre_off)
				n = s->in_pre_len - e->pre_off;
			memcpy(buf + got, s->in_pre + e->pre_off, n);
			e->pre_off += n;
			r = (ssize_t)n;
		} else {
			if (s->in_fd < 0)
				break;
			r = read(s->in_fd, buf + got, n);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return GS_EIO;
			}
			if (r == 0)
				break;
		}
		got += (size_t)r;
		e->consumed += (uint64_t)r;
		progress_add((uint64_t)r); /* the progress meter (util/progress.h) */
		if (e->in_left != AGE_LEN_UNKNOWN)
			e->in_left -= (uint64_t)r;
	}
	return (long long)got;
}

static int fill_slot_input(struct engine *e, struct slot *sl, struct gs_diag *d);

/* Fills slot sl with the next input; sets final. In DEC and HASH modes the
 * hasher takes the input as read. */
static int fill_slot(struct engine *e, struct slot *sl, struct gs_diag *d)
{
	int ret = fill_slot_input(e, sl, d);
	size_t n;

	if (ret == 0 && e->mode != MODE_ENC) {
		sl->hash_p = sl->in;
		sl->hash_len = sl->in_len;
	}
	if (ret == 0 && e->expecting) {
		n = (sl->in_len + e->unit - 1) / e->unit;
		if (n > 0 || sl->final)
			ret = e->s->expect(e->s->leaves_ctx, sl->first_chunk + 1, n, sl->final,
					   sl->expect, d);
	}
	return ret;
}

static int fill_slot_input(struct engine *e, struct slot *sl, struct gs_diag *d)
{
	size_t cap = SLOT_CHUNKS * e->unit;
	long long got;
	uint8_t extra;
	ssize_t r;

	if (e->in_left != AGE_LEN_UNKNOWN) {
		got = read_input(e, sl->in, cap);
		if (got < 0)
			return gs_diag_set(d, (int)got, "read failed");
		if ((size_t)got < cap && e->in_left != 0)
			return gs_diag_set(d, GS_EIO, "input ended early");
		sl->in_len = (size_t)got;
		sl->final = e->in_left == 0;
		if (sl->final && e->s->in_fd >= 0) {
			/* the input must not have grown */
			do
				r = read(e->s->in_fd, &extra, 1);
			while (r < 0 && errno == EINTR);
			if (r != 0)
				return gs_diag_set(d, GS_EIO, "input changed while it was read");
		}
	} else {
		got = read_input(e, sl->in, cap + 1);
		if (got < 0)
			return gs_diag_set(d, (int)got, "read failed");
		if ((size_t)got == cap + 1) {
			e->carry = sl->in[cap];
			e->carry_valid = 1;
			sl->in_len = cap;
			sl->final = 0;
		} else {
			sl->in_len = (size_t)got;
			sl->final = 1;
		}
	}
	return 0;
}

/* Chunks in a slot of in_len input bytes. */
static size_t slot_chunks(const struct engine *e, const struct slot *sl)
{
	if (sl->in_len == 0)
		return sl->final && sl->seq == 0 && e->mode == MODE_ENC ? 1 : 0;
	return (sl->in_len + e->unit - 1) / e->unit;
}

static void chunk_nonce(uint8_t nonce[12], uint64_t ctr, int final)
{
	int i;

	memset(nonce, 0, 12);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (uint8_t)(ctr >> (8 * i));
	nonce[11] = final ? 1 : 0;
}

/* The leaf hashes of n chunks laid out every `stride` bytes from base
 * (total bytes, the last chunk shorter), two at a time where the CPU
 * allows (crypto/merkle.h). */
static void chunk_leaves(const uint8_t *base, size_t total, size_t stride, size_t n,
			 uint8_t (*out)[AGE_LEAF_HASH])
{
	const uint8_t *p[SLOT_CHUNKS];
	size_t len[SLOT_CHUNKS], j;

	for (j = 0; j < n; j++) {
		p[j] = base + j * stride;
		len[j] = total - j * stride < stride ? total - j * stride : stride;
	}
	merkle_leaf_hashes(p, len, n, out);
}

/* Encrypts or decrypts the chunks of one slot into sl->out. */
static int work_slot(struct engine *e, EVP_CIPHER_CTX *ctx, struct slot *sl,
		     struct gs_diag *d)
{
	size_t nch = slot_chunks(e, sl), j, off, len, o = 0;
	uint8_t nonce[12], leaves[SLOT_CHUNKS][AGE_LEAF_HASH];
	int outl, finl, last;

	if (e->mode == MODE_DEC && nch == 0 && sl->final)
		return gs_diag_set(d, GS_EIO, "age payload: no final chunk");
	/* the chunks as received must be the ones the caller holds the
	 * hashes of, before anything is made of them */
	if (e->expecting) {
		chunk_leaves(sl->in, sl->in_len, e->unit, nch, leaves);
		for (j = 0; j < nch; j++)
			if (memcmp(leaves[j], sl->expect[j], AGE_LEAF_HASH) != 0)
				return gs_diag_set(d, GS_ECRYPTO,
						   "chunk %llu does not match its hash in the chunk-hash section",
						   (unsigned long long)(sl->first_chunk + j));
	}
	if (e->mode == MODE_HASH)
		nch = 0;
	for (j = 0; j < nch; j++) {
		off = j * e->unit;
		len = sl->in_len - off < e->unit ? sl->in_len - off : e->unit;
		last = sl->final && j == nch - 1;
		chunk_nonce(nonce, sl->first_chunk + j, last);
		if (e->mode == MODE_ENC) {
			if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) != 1 ||
			    EVP_CipherUpdate(ctx, sl->out + o, &outl, sl->in + off, (int)len) != 1 ||
			    EVP_CipherFinal_ex(ctx, sl->out + o + outl, &finl) != 1 ||
			    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AGE_TAG,
						sl->out + o + len) != 1)
				return gs_diag_set(d, GS_ECRYPTO, "encryption failed");
			o += len + AGE_TAG;
		} else {
			if (len < AGE_TAG || (len == AGE_TAG && (!last || sl->first_chunk + j != 0)))
				return gs_diag_set(d, len < AGE_TAG ? GS_EINVAL : GS_ECRYPTO,
						   "age payload: %s chunk %llu",
						   len < AGE_TAG ? "truncated" : "empty final",
						   (unsigned long long)(sl->first_chunk + j));
			if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 0) != 1 ||
			    EVP_CipherUpdate(ctx, sl->out + o, &outl, sl->in + off,
					     (int)(len - AGE_TAG)) != 1 ||
			    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AGE_TAG,
						sl->in + off + len - AGE_TAG) != 1 ||
			    EVP_CipherFinal_ex(ctx, sl->out + o + outl, &finl) != 1)
				return gs_diag_set(d, GS_ECRYPTO,
						   "age payload: chunk %llu does not verify%s",
						   (unsigned long long)(sl->first_chunk + j),
						   last ? " as the final chunk" : "");
			o += len - AGE_TAG;
		}
	}
	sl->out_len = o;
	if (e->mode == MODE_ENC) {
		if (e->leafing)
			chunk_leaves(sl->out, o, AGE_ENC_CHUNK, nch, sl->leaf);
		sl->hash_p = sl->out;
		sl->hash_len = o;
	}
	return 0;
}

/* The bytes of a slot the hasher sees: ciphertext. */
static void hash_slot(struct engine *e, const struct slot *sl)
{
	EVP_DigestUpdate(e->sha, sl->hash_p, sl->hash_len);
}

/* Returns 0, or the sink's error (from_sink set), or GS_EIO. */
static int output_bytes(struct engine *e, const uint8_t *p, size_t n, int *from_sink)
{
	const struct age_stream *s = e->s;

	*from_sink = 0;
	if (n == 0)
		return 0;
	if (s->out_fd >= 0)
		return write_all(s->out_fd, p, n);
	if (s->sink) {
		*from_sink = 1;
		return s->sink(s->sink_ctx, p, n);
	}
	return 0;
}

/* The ordered stage: the slot's output, then its leaf hashes. Returns 0,
 * the sink's error (from_sink set), GS_EIO, or the leaves callback's
 * error (with d set). */
static int output_slot(struct engine *e, struct slot *sl, int *from_sink, struct gs_diag *d)
{
	int ret;

	if (e->mode != MODE_HASH &&
	    (ret = output_bytes(e, sl->out, sl->out_len, from_sink)) != 0) {
		if (!*from_sink)
			gs_diag_set(d, ret, "write failed");
		return ret;
	}
	if (e->leafing)
		return e->s->leaves(e->s->leaves_ctx, sl->first_chunk + 1,
				    (const uint8_t(*)[AGE_LEAF_HASH])sl->leaf, slot_chunks(e, sl), d);
	return 0;
}

static EVP_CIPHER_CTX *cipher_ctx(struct engine *e)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx && EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, e->key, NULL,
				     e->mode == MODE_ENC) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static void slot_release_if_done(struct engine *e, struct slot *sl)
{
	if (sl->filled && (sl->worked || !e->working) &&
	    (sl->hashed || !e->hashing) && (sl->written || !e->writing))
		sl->filled = sl->claimed = sl->worked = sl->hashed = sl->written = 0;
}

static struct slot *slot_of(struct engine *e, uint64_t seq)
{
	struct slot *sl = &e->slots[seq % e->nslots];

	return sl->filled && sl->seq == seq ? sl : NULL;
}

enum task { T_NONE, T_READ, T_WORK, T_HASH, T_WRITE };

/* The next task for a pool thread, claimed under the lock. */
static enum task pick(struct engine *e, struct slot **out)
{
	struct slot *sl;

	if (e->hashing && !e->hash_busy && e->next_hash < e->total &&
	    (sl = slot_of(e, e->next_hash)) && (e->mode != MODE_ENC || sl->worked)) {
		e->hash_busy = 1;
		*out = sl;
		return T_HASH;
	}
	if (e->writing && !e->write_busy && e->next_write < e->total &&
	    (sl = slot_of(e, e->next_write)) && (sl->worked || !e->working)) {
		e->write_busy = 1;
		*out = sl;
		return T_WRITE;
	}
	if (e->working && e->next_work < e->total &&
	    (sl = slot_of(e, e->next_work)) && !sl->claimed) {
		sl->claimed = 1;
		e->next_work++;
		*out = sl;
		return T_WORK;
	}
	if (!e->reading && e->total == UINT64_MAX &&
	    !e->slots[e->next_read % e->nslots].filled) {
		sl = &e->slots[e->next_read % e->nslots];
		e->reading = 1;
		sl->seq = e->next_read;
		sl->first_chunk = e->next_chunk;
		*out = sl;
		return T_READ;
	}
	return T_NONE;
}

static int finished(const struct engine *e)
{
	if (e->total == UINT64_MAX)
		return 0;
	if (e->working && e->nworked < e->total)
		return 0;
	if (e->hashing && e->next_hash < e->total)
		return 0;
	return !e->writing || e->next_write >= e->total;
}

/* One pool thread; the calling thread runs it too. */
static void *pool_main(void *arg)
{
	struct engine *e = arg;
	EVP_CIPHER_CTX *ctx = NULL;
	struct gs_diag ld = { "" };
	struct slot *sl = NULL;
	enum task t;
	int ret, from_sink = 0;

	if (e->mode != MODE_HASH && !(ctx = cipher_ctx(e))) {
		pthread_mutex_lock(&e->mu);
		eng_fail(e, GS_ENOMEM, 0, "cannot set up the cipher");
		pthread_cond_broadcast(&e->cv);
		pthread_mutex_unlock(&e->mu);
		return NULL;
	}
	pthread_mutex_lock(&e->mu);
	while (!e->err && !finished(e)) {
		t = pick(e, &sl);
		if (t == T_NONE) {
			pthread_cond_wait(&e->cv, &e->mu);
			continue;
		}
		pthread_mutex_unlock(&e->mu);
		ret = 0;
		from_sink = 0;
		switch (t) {
		case T_READ:
			ret = fill_slot(e, sl, &ld);
			if (ret == 0)
				e->next_chunk += slot_chunks(e, sl);
			break;
		case T_WORK:
			ret = work_slot(e, ctx, sl, &ld);
			break;
		case T_HASH:
			hash_slot(e, sl);
			break;
		case T_WRITE:
			ret = output_slot(e, sl, &from_sink, &ld);
			break;
		case T_NONE:
			break;
		}
		pthread_mutex_lock(&e->mu);
		if (ret) {
			eng_fail(e, ret, from_sink, from_sink ? NULL : ld.msg);
			break;
		}
		switch (t) {
		case T_READ:
			if (e->mode != MODE_ENC)
				e->count += sl->in_len;
			sl->filled = 1;
			e->reading = 0;
			e->next_read++;
			if (sl->final)
				e->total = e->next_read;
			break;
		case T_WORK:
			if (e->mode == MODE_ENC)
				e->count += sl->out_len;
			sl->worked = 1;
			e->nworked++;
			break;
		case T_HASH:
			sl->hashed = 1;
			e->hash_busy = 0;
			e->next_hash++;
			break;
		case T_WRITE:
			sl->written = 1;
			e->write_busy = 0;
			e->next_write++;
			break;
		case T_NONE:
			break;
		}
		slot_release_if_done(e, sl);
		pthread_cond_broadcast(&e->cv);
	}
	pthread_cond_broadcast(&e->cv);
	pthread_mutex_unlock(&e->mu);
	EVP_CIPHER_CTX_free(ctx);
	return NULL;
}

static unsigned auto_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	return (unsigned)n;
}

/* Runs the pool: nthreads - 1 helpers and the calling thread. A helper
 * that cannot start only makes the pool smaller. */
static int run_pool(struct engine *e, unsigned nthreads)
{
	pthread_t th[MAX_THREADS];
	unsigned started = 0, i;

	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th[started], NULL, pool_main, e) == 0)
			started++;
	pool_main(e);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return e->err;
}

/*
 * Sets up and runs an engine. For MODE_ENC, head[0..head_len) (the age
 * header and the nonce) is written and hashed before the chunks.
 */
static int engine_run(enum mode mode, const uint8_t *key,
		      const uint8_t *head, size_t head_len,
		      const struct age_stream *s, struct gs_diag *d)
{
	struct engine *e;
	unsigned nthreads;
	unsigned char md[32];
	unsigned mdlen;
	size_t i, in_wipe, out_wipe;
	int ret = GS_ENOMEM, from_sink;

	e = calloc(1, sizeof(*e));
	if (!e)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	e->mode = mode;
	e->s = s;
	e->unit = mode == MODE_ENC ? AGE_CHUNK : AGE_ENC_CHUNK;
	e->in_left = s->in_len;
	e->total = UINT64_MAX;
	/* the whole-stream digest is the one serial pass: only when asked for
	 * (v1 bundles); a byte count alone costs nothing */
	e->hashing = s->sha256 != NULL;
	e->leafing = mode == MODE_ENC && s->leaves != NULL;
	e->expecting = mode != MODE_ENC && s->expect != NULL;
	e->working = mode != MODE_HASH || e->expecting;
	e->writing = (mode != MODE_HASH && (s->out_fd >= 0 || s->sink)) || e->leafing;
	nthreads = s->threads == 0 ? auto_threads() : s->threads;
	/* an input that fits one slot has nothing to overlap: no helper
	 * threads to start for it (a small release) */
	if (s->threads == 0 && s->in_len != AGE_LEN_UNKNOWN && s->in_len <= SLOT_CHUNKS * e->unit)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	if (s->in_len != AGE_LEN_UNKNOWN && s->in_len < s->in_pre_len) {
		free(e);
		return gs_diag_set(d, GS_EINVAL, "input length shorter than its prefix");
	}
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);
	if (key) {
		e->key = sodium_malloc(32);
		if (!e->key)
			goto out;
		memcpy(e->key, key, 32);
	}
	e->nslots = nthreads == 1 ? 1 : AGE_RING_SLOTS;
	for (i = 0; i < e->nslots; i++) {
		e->slots[i].in = malloc(SLOT_CHUNKS * AGE_ENC_CHUNK + 1);
		e->slots[i].out = mode == MODE_HASH ? NULL : malloc(SLOT_CHUNKS * AGE_ENC_CHUNK);
		if (!e->slots[i].in || (mode != MODE_HASH && !e->slots[i].out))
			goto out;
	}
	if (e->hashing) {
		e->sha = EVP_MD_CTX_new();
		if (!e->sha || EVP_DigestInit_ex(e->sha, EVP_sha256(), NULL) != 1)
			goto out;
		if (s->hash_pre_len)
			EVP_DigestUpdate(e->sha, s->hash_pre, s->hash_pre_len);
		if (head_len)
			EVP_DigestUpdate(e->sha, head, head_len);
	}
	if (head_len && e->writing) {
		uint8_t leaf0[AGE_LEAF_HASH];

		if ((ret = output_bytes(e, head, head_len, &from_sink)) != 0) {
			if (!from_sink)
				gs_diag_set(d, ret, "write failed");
			goto out;
		}
		if (e->leafing) {
			merkle_leaf_hash(head, head_len, leaf0);
			if ((ret = s->leaves(s->leaves_ctx, 0, (const uint8_t(*)[AGE_LEAF_HASH])leaf0, 1,
					     d)) != 0)
				goto out;
		}
	}
	ret = run_pool(e, nthreads);
	if (ret && !e->err_from_sink)
		gs_diag_set(d, ret, "%s", e->diag.msg);
	if (ret == 0 && e->hashing) {
		if (EVP_DigestFinal_ex(e->sha, md, &mdlen) != 1) {
			ret = gs_diag_set(d, GS_ECRYPTO, "hash failed");
			goto out;
		}
		memcpy(s->sha256, md, 32);
	}
	if (ret == 0 && s->ciphertext_len)
		*s->ciphertext_len = s->hash_pre_len + head_len + e->count;
out:
	if (ret == GS_ENOMEM)
		gs_diag_set(d, GS_ENOMEM, "out of memory");
	EVP_MD_CTX_free(e->sha);
	/* Wipes what the slots held: no slot holds more than was read (its
	 * output: that and a tag per chunk), so a small input costs a small
	 * wipe, not the whole ring's. */
	in_wipe = SLOT_CHUNKS * AGE_ENC_CHUNK + 1;
	out_wipe = SLOT_CHUNKS * AGE_ENC_CHUNK;
	if (e->consumed < in_wipe)
		in_wipe = (size_t)e->consumed;
	if (e->consumed + SLOT_CHUNKS * AGE_TAG < out_wipe)
		out_wipe = (size_t)e->consumed + SLOT_CHUNKS * AGE_TAG;
	for (i = 0; i < AGE_RING_SLOTS; i++) {
		if (e->slots[i].in) {
			sodium_memzero(e->slots[i].in, in_wipe);
			free(e->slots[i].in);
		}
		if (e->slots[i].out) {
			sodium_memzero(e->slots[i].out, out_wipe);
			free(e->slots[i].out);
		}
	}
	sodium_free(e->key);
	pthread_mutex_destroy(&e->mu);
	pthread_cond_destroy(&e->cv);
	free(e);
	return ret;
}

void age_stream_init(struct age_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->in_fd = -1;
	s->out_fd = -1;
	s->in_len = AGE_LEN_UNKNOWN;
}

static int payload_key(const uint8_t file_key[AGE_FILE_KEY_BYTES],
		       const uint8_t nonce[AGE_NONCE_BYTES], uint8_t key[32])
{
	static const uint8_t info[] = "payload";

	return age_hkdf_sha256(nonce, AGE_NONCE_BYTES, file_key, AGE_FILE_KEY_BYTES,
			       info, sizeof(info) - 1, key, 32);
}

/* sodium_malloc and randombytes need libsodium started; sodium_init is
 * idempotent. */
static int sodium_ready(struct gs_diag *d)
{
	if (sodium_init() < 0)
		return gs_diag_set(d, GS_ECRYPTO, "libsodium cannot start");
	return 0;
}

int age_encrypt(const uint8_t (*recipients)[32], size_t n,
		const struct age_stream *s, uint8_t file_key[AGE_FILE_KEY_BYTES],
		struct gs_diag *d)
{
	uint8_t head[AGE_X25519_HEADER_SIZE(GS_AGE_MAX_STANZAS) + AGE_NONCE_BYTES];
	uint8_t *keys;
	size_t hlen;
	int ret;

	if (n == 0 || n > GS_AGE_MAX_STANZAS)
		return gs_diag_set(d, GS_EINVAL, "age: between 1 and %d recipients",
				   GS_AGE_MAX_STANZAS);
	if ((ret = sodium_ready(d)) != 0)
		return ret;
	keys = sodium_malloc(AGE_FILE_KEY_BYTES + 32);
	if (!keys)
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	randombytes_buf(keys, AGE_FILE_KEY_BYTES);
	ret = age_header_write(recipients, n, keys, head, sizeof(head), &hlen);
	if (ret) {
		gs_diag_set(d, ret, "age: unusable recipient key");
		goto out;
	}
	randombytes_buf(head + hlen, AGE_NONCE_BYTES);
	if ((ret = payload_key(keys, head + hlen, keys + AGE_FILE_KEY_BYTES)) != 0)
		goto out;
	ret = engine_run(MODE_ENC, keys + AGE_FILE_KEY_BYTES, head,
			 hlen + AGE_NONCE_BYTES, s, d);
	if (ret == 0 && file_key)
		memcpy(file_key, keys, AGE_FILE_KEY_BYTES);
out:
	sodium_free(keys);
	return ret;
}

int age_decrypt_payload(const uint8_t file_key[AGE_FILE_KEY_BYTES],
			const struct age_stream *s, struct gs_diag *d)
{
	struct age_stream s2 = *s;
	uint8_t nonce[AGE_NONCE_BYTES];
	uint8_t *key, *hash_pre = NULL;
	size_t got = 0, from_pre;
	ssize_t r;
	int ret;

	if ((ret = sodium_ready(d)) != 0)
		return ret;
	/* the nonce: from the prefix, then the fd */
	from_pre = s->in_pre_len < AGE_NONCE_BYTES ? s->in_pre_len : AGE_NONCE_BYTES;
	memcpy(nonce, s->in_pre, from_pre);
	got = from_pre;
	while (got < AGE_NONCE_BYTES && s->in_fd >= 0) {
		r = read(s->in_fd, nonce + got, AGE_NONCE_BYTES - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < AGE_NONCE_BYTES)
		return gs_diag_set(d, GS_EINVAL, "age payload: truncated nonce");
	progress_add(AGE_NONCE_BYTES);
	s2.in_pre = s->in_pre + from_pre;
	s2.in_pre_len = s->in_pre_len - from_pre;
	if (s->in_len != AGE_LEN_UNKNOWN) {
		if (s->in_len < AGE_NONCE_BYTES)
			return gs_diag_set(d, GS_EINVAL, "age payload: truncated nonce");
		s2.in_len = s->in_len - AGE_NONCE_BYTES;
	}
	/* the nonce is ciphertext too: hash it after hash_pre */
	if (s->sha256 || s->ciphertext_len) {
		hash_pre = malloc(s->hash_pre_len + AGE_NONCE_BYTES);
		if (!hash_pre)
			return gs_diag_set(d, GS_ENOMEM, "out of memory");
		if (s->hash_pre_len)
			memcpy(hash_pre, s->hash_pre, s->hash_pre_len);
		memcpy(hash_pre + s->hash_pre_len, nonce, AGE_NONCE_BYTES);
		s2.hash_pre = hash_pre;
		s2.hash_pre_len = s->hash_pre_len + AGE_NONCE_BYTES;
	}
	key = sodium_malloc(32);
	if (!key) {
		free(hash_pre);
		return gs_diag_set(d, GS_ENOMEM, "out of memory");
	}
	ret = payload_key(file_key, nonce, key);
	if (ret == 0)
		ret = engine_run(MODE_DEC, key, NULL, 0, &s2, d);
	sodium_free(key);
	free(hash_pre);
	return ret;
}

int age_hash_stream(const struct age_stream *s, struct gs_diag *d)
{
	return engine_run(MODE_HASH, NULL, NULL, 0, s, d);
}

int age_decrypt_fd(int in_fd, const uint8_t identity[32], int out_fd,
		   struct gs_diag *d)
{
	struct age_header *h;
	struct age_stream s;
	uint8_t *buf, *fk;
	size_t len = 0;
	ssize_t r;
	int ret;

	if ((ret = sodium_ready(d)) != 0)
		return ret;
	buf = malloc(GS_AGE_MAX_HEADER);
	h = malloc(sizeof(*h));
	fk = sodium_malloc(AGE_FILE_KEY_BYTES);
	if (!buf || !h || !fk) {
		ret = gs_diag_set(d, GS_ENOMEM, "out of memory");
		goto out;
	}
	while (len < GS_AGE_MAX_HEADER) {
		r = read(in_fd, buf + len, GS_AGE_MAX_HEADER - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = gs_diag_set(d, GS_EIO, "read failed");
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if ((ret = age_header_parse(buf, len, h, d)) != 0)
		goto out;
	if ((ret = age_header_unwrap(h, buf, identity, fk, d)) != 0)
		goto out;
	age_stream_init(&s);
	s.in_pre = buf + h->len;
	s.in_pre_len = len - h->len;
	s.in_fd = in_fd;
	s.out_fd = out_fd;
	ret = age_decrypt_payload(fk, &s, d);
out:
	free(buf);
	free(h);
	sodium_free(fk);
	return ret;
}
