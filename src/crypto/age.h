/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_AGE_H
#define GS_AGE_H

/*
 * The age v1 file format (https://c2sp.org/age) with X25519 recipients,
 * byte for byte what age 1.1.1 writes and reads:
 *
 *     age-encryption.org/v1\n
 *     -> X25519 <base64 ephemeral share, 32 bytes>\n      one stanza per recipient
 *     <base64 wrapped file key, 32 bytes>\n               body wrapped at 64 columns
 *     --- <base64 HMAC-SHA-256, 32 bytes>\n
 *     <16-byte nonce> <chunk 0> ... <final chunk>
 *
 * Base64 is the standard alphabet without padding; decoders reject '=',
 * line breaks and non-canonical encodings (unused trailing bits set).
 * The file key is 16 random bytes. The header MAC is HMAC-SHA-256 under
 * HKDF(file key, salt "", info "header") over the header up to and
 * including "---". The payload key is HKDF(file key, salt nonce, info
 * "payload"); each 64 KiB plaintext chunk is sealed with
 * ChaCha20-Poly1305 under the nonce 11-byte big-endian counter || flag
 * (1 on the final chunk). The final chunk may be full (a 65536-byte
 * plaintext is one full final chunk) and is empty only when the whole
 * plaintext is: 0 B -> 200 B file, 65536 B -> 65736 B with one recipient.
 *
 * Caps (util/limits.h), all checked while parsing and before any scalar
 * multiplication: GS_AGE_MAX_HEADER bytes of header, GS_AGE_MAX_STANZAS
 * stanzas, GS_AGE_MAX_ARGS arguments and GS_AGE_MAX_BODY body bytes per
 * stanza. X25519 stanzas are checked as the spec asks (two arguments, a
 * canonical 32-byte share, a 32-byte body, no all-zero shared secret);
 * other stanza types are parsed and ignored, except that an scrypt stanza
 * must stand alone.
 *
 * Bulk work (ChaCha20-Poly1305, SHA-256) goes through OpenSSL's libcrypto,
 * which is 2-3x faster than libsodium here; keys, X25519 and HMAC use
 * libsodium. Streams are processed in constant memory (a ring of
 * AGE_RING_SLOTS slots of 4 chunks) by a pool of threads, the calling
 * thread included, each taking whichever stage has a slot ready: read,
 * encrypt/decrypt and leaf hashes (any slot), whole-stream hash and write
 * (in order). threads == 0 uses one thread per online CPU; threads == 1
 * runs everything on the calling thread (the same bytes). Callbacks (the
 * sink, leaves, expect) are called from one thread at a time, in order.
 *
 * Secrets: identities and file keys are caller buffers; this module wipes
 * every copy it makes (payload keys, wrap keys, shared secrets) before
 * returning. A gs_diag never carries key bytes.
 *
 * Errors: GS_EINVAL malformed input, GS_ELIMIT a cap exceeded, GS_ECRYPTO
 * a MAC, tag or unwrap failure (also "no identity matched"), GS_EIO a
 * read or write failed or the input ended early, GS_ENOMEM.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/limits.h"

#define AGE_FILE_KEY_BYTES 16
#define AGE_NONCE_BYTES 16
#define AGE_CHUNK 65536
#define AGE_TAG 16
#define AGE_ENC_CHUNK (AGE_CHUNK + AGE_TAG)
#define AGE_RING_SLOTS 8

/* Bytes of a header with n X25519 stanzas (168 for one recipient). */
#define AGE_X25519_HEADER_SIZE(n) (22 + 98 * (n) + 48)
/* Bytes of the payload (nonce and chunks) for a plaintext of n bytes. */
uint64_t age_payload_size(uint64_t plaintext_len);

/* ---- HKDF-SHA-256 (RFC 5869), on libsodium's HMAC-SHA-256 ------------- */

/* outlen at most 255 * 32. Returns 0 or GS_EINVAL. */
int age_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
		    size_t ikmlen, const uint8_t *info, size_t infolen,
		    uint8_t *out, size_t outlen);

/* ---- keys as text (Bech32, BIP 173, without the 90-character limit) --- */

#define AGE_RECIPIENT_SIZE 63 /* "age1" + 52 + 6 + NUL */
#define AGE_IDENTITY_SIZE 75  /* "AGE-SECRET-KEY-1" + 52 + 6 + NUL */

/* age1... (lowercase) for an X25519 public key. */
int age_recipient_encode(const uint8_t pk[32], char out[AGE_RECIPIENT_SIZE]);
/* AGE-SECRET-KEY-1... (uppercase) for an X25519 secret key. The text is a
 * secret: the caller wipes it. */
int age_identity_encode(const uint8_t sk[32], char out[AGE_IDENTITY_SIZE]);
/* Strict decoders: the right prefix, one case, a valid checksum, 32 bytes.
 * GS_EINVAL otherwise. */
int age_recipient_parse(const char *s, size_t len, uint8_t pk[32])
	__attribute__((warn_unused_result));
int age_identity_parse(const char *s, size_t len, uint8_t sk[32])
	__attribute__((warn_unused_result));

/* ---- header ----------------------------------------------------------- */

struct age_stanza {
	size_t nargs;                          /* type included, >= 1 */
	const char *args[GS_AGE_MAX_ARGS];     /* point into the parsed buffer */
	size_t arglen[GS_AGE_MAX_ARGS];
	uint8_t body[GS_AGE_MAX_BODY];
	size_t bodylen;
};

struct age_header {
	size_t len;       /* bytes of the header, MAC line included */
	size_t mac_off;   /* offset of "---" + 3: the MAC covers [0, mac_off) */
	uint8_t mac[32];
	size_t nstanzas;
	struct age_stanza stanzas[GS_AGE_MAX_STANZAS];
};

/*
 * Parses a header at the start of buf[0..len); buf may hold more (the
 * payload), and must hold the whole header. The result points into buf.
 * Nothing is verified but the syntax. GS_EINVAL malformed or incomplete
 * (d says which line), GS_ELIMIT too large or too many stanzas or args.
 */
int age_header_parse(const uint8_t *buf, size_t len, struct age_header *h,
		     struct gs_diag *d) __attribute__((warn_unused_result));

/*
 * Unwraps the file key with an X25519 identity: tries every X25519 stanza
 * (at most GS_AGE_MAX_STANZAS scalar multiplications), then checks the
 * header MAC with the key found. buf is the buffer h was parsed from.
 * GS_ECRYPTO no stanza for this identity or a bad MAC, GS_EINVAL a
 * malformed X25519 stanza or a lone-scrypt violation.
 */
int age_header_unwrap(const struct age_header *h, const uint8_t *buf,
		      const uint8_t identity[32],
		      uint8_t file_key[AGE_FILE_KEY_BYTES], struct gs_diag *d)
	__attribute__((warn_unused_result));

/* Checks the header MAC with a known file key. 0 or GS_ECRYPTO. */
int age_header_verify_mac(const struct age_header *h, const uint8_t *buf,
			  const uint8_t file_key[AGE_FILE_KEY_BYTES])
	__attribute__((warn_unused_result));

/*
 * Writes a header for n X25519 recipients (1..GS_AGE_MAX_STANZAS) around
 * a given file key into out (at least AGE_X25519_HEADER_SIZE(n) bytes);
 * *outlen is its length. Used by age_encrypt, and to wrap an existing file
 * key for new recipients: a new header followed by the old payload is a
 * valid file, so giving a holding to another key re-encrypts nothing.
 */
int age_header_write(const uint8_t (*recipients)[32], size_t n,
		     const uint8_t file_key[AGE_FILE_KEY_BYTES], uint8_t *out,
		     size_t outsz, size_t *outlen)
	__attribute__((warn_unused_result));

/* ---- streams ---------------------------------------------------------- */

/* Receives plaintext in order, from one thread at a time. Returns 0 or a
 * negative gs_err, which stops the stream and is returned. */
typedef int (*age_sink_fn)(void *ctx, const uint8_t *p, size_t n);

/*
 * Leaves: an age file cut where its chunks start, for a Merkle tree over it
 * (bundle v2, docs/bundle-format.md). Leaf 0 is every byte before the first
 * chunk (the header and the 16-byte payload nonce); leaf k (k >= 1) is
 * ciphertext chunk k-1, tag included. A leaf's hash is its RFC 6962 leaf
 * hash, SHA-256(0x00 || bytes) (crypto/merkle.h), computed on the pool's
 * threads beside the cipher, so no serial pass over the file is left.
 */
#define AGE_LEAF_HASH 32
/* Leaves of an age file whose payload (nonce and chunks) is payload_len
 * bytes: 1 + its chunks; 0 if no chunk geometry fits that length. */
uint64_t age_leaf_count(uint64_t payload_len);

/* Receives leaf hashes first .. first+n-1, in order, from one thread at a
 * time (age_encrypt: leaf 0 first). A negative gs_err (with d set) stops
 * the stream and is returned. */
typedef int (*age_leaves_fn)(void *ctx, uint64_t first, const uint8_t (*hashes)[AGE_LEAF_HASH],
			     size_t n, struct gs_diag *d);
/* Gives the hashes leaves first .. first+n-1 must have (chunks first-1 ..),
 * asked in order by the reading thread before those chunks are worked on;
 * `last` is set when the input ended with them (n may then be 0). A
 * negative gs_err (d set) stops the stream: a caller refuses here a
 * payload with fewer or more chunks than it holds hashes for. */
typedef int (*age_expect_fn)(void *ctx, uint64_t first, size_t n, int last,
			     uint8_t (*out)[AGE_LEAF_HASH], struct gs_diag *d);

#define AGE_LEN_UNKNOWN UINT64_MAX

struct age_stream {
	/* input: in_pre[0..in_pre_len) then in_fd (read with read(2) from
	 * its current offset): in_len bytes, or to end of file if
	 * AGE_LEN_UNKNOWN (then more input than in_len is an error) */
	const uint8_t *in_pre;
	size_t in_pre_len;
	int in_fd;
	uint64_t in_len;
	/* output: out_fd (write(2)), or sink if out_fd < 0; nothing if both
	 * are unset (hash only) */
	int out_fd;
	age_sink_fn sink;
	void *sink_ctx;
	/* optional: SHA-256 of hash_pre || the ciphertext (the age bytes
	 * written by age_encrypt, or read by age_decrypt) */
	const uint8_t *hash_pre;
	size_t hash_pre_len;
	uint8_t *sha256;     /* 32 bytes, or NULL */
	uint64_t *ciphertext_len; /* bytes of ciphertext seen, or NULL */
	unsigned threads;    /* 0 automatic, 1 inline */
	/* optional, leaves (above): age_encrypt reports every leaf hash of
	 * the file it writes to `leaves`; age_decrypt_payload and
	 * age_hash_stream (whose input then starts at chunk 0) check every
	 * chunk's leaf hash against `expect` and refuse a chunk that differs,
	 * naming it, before decrypting it */
	age_leaves_fn leaves;
	age_expect_fn expect;
	void *leaves_ctx;
};

/* Fills s with defaults: no input, no output, no hash, automatic threads. */
void age_stream_init(struct age_stream *s);

/*
 * Encrypts the input (plaintext) to n X25519 recipients and writes the
 * whole age file (header, nonce, chunks) to the output. If file_key is
 * non-NULL it receives the fresh file key (the caller keeps it sealed for
 * later decryption, or wipes it). On error the output holds a partial
 * file: callers write to a temporary file and rename on success.
 */
int age_encrypt(const uint8_t (*recipients)[32], size_t n,
		const struct age_stream *s, uint8_t file_key[AGE_FILE_KEY_BYTES],
		struct gs_diag *d) __attribute__((warn_unused_result));

/*
 * Decrypts a payload (nonce and chunks, the bytes after the header) given
 * the file key, writing plaintext in order to the output; each chunk is
 * released only after its tag verified. Succeeds only when the final
 * chunk verified and the input ended right after it. On error some
 * verified chunks may have been written: callers write to a temporary
 * file and rename on success. With hash_pre set to the header bytes, the
 * hash covers the whole age file.
 */
int age_decrypt_payload(const uint8_t file_key[AGE_FILE_KEY_BYTES],
			const struct age_stream *s, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * Hashes the input (SHA-256 into s->sha256, length into
 * s->ciphertext_len), reading and hashing on the pool's threads, nothing
 * decrypted. Used to check a digest before decrypting. With s->expect,
 * the input is chunks (from chunk 0) and each chunk's leaf hash is checked
 * instead, on every thread of the pool.
 */
int age_hash_stream(const struct age_stream *s, struct gs_diag *d)
	__attribute__((warn_unused_result));

/*
 * A whole age file from fd with an identity: reads and parses the header
 * (at most GS_AGE_MAX_HEADER bytes), unwraps the file key, checks the MAC,
 * decrypts the payload to out_fd. The simple entry point for interop.
 */
int age_decrypt_fd(int in_fd, const uint8_t identity[32], int out_fd,
		   struct gs_diag *d) __attribute__((warn_unused_result));

#endif
