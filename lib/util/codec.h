/* codec.h - byte encodings used by credentials and keys: base64url (no
 * padding), base58btc, multibase ('z' base58btc, 'u' base64url), unsigned
 * varints (multicodec prefixes) and hex. Encoders append to a buffer;
 * decoders reject every malformed input with MCRED_ERR_INVALID.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_CODEC_H
#define MC_CODEC_H

#include "internal.h"
#include "util/buf.h"

/* base64url without padding (RFC 4648 §5, RFC 7515 style). */
MC_NODISCARD mcred_rc mc_b64url_encode(struct mc_buf *out, const void *p, size_t n);
/* Decodes base64url; rejects '=', characters outside the alphabet and
 * non-canonical trailing bits. Appends to out. */
MC_NODISCARD mcred_rc mc_b64url_decode(struct mc_buf *out, const char *s, size_t n);
/* Standard base64 with padding, for JWK-less contexts (x5c, data URIs). */
MC_NODISCARD mcred_rc mc_b64_decode(struct mc_buf *out, const char *s, size_t n);
MC_NODISCARD mcred_rc mc_b64_encode(struct mc_buf *out, const void *p, size_t n);

/* base58btc (Bitcoin alphabet). Inputs are limited to 1 KiB: keys and
 * signatures are small, and the algorithm is quadratic. */
#define MC_BASE58_MAX 1024
MC_NODISCARD mcred_rc mc_base58_encode(struct mc_buf *out, const void *p, size_t n);
MC_NODISCARD mcred_rc mc_base58_decode(struct mc_buf *out, const char *s, size_t n);

/* Multibase: the first character names the base ('z' or 'u'). */
MC_NODISCARD mcred_rc mc_multibase_decode(struct mc_buf *out, const char *s, size_t n);
MC_NODISCARD mcred_rc mc_multibase_encode(struct mc_buf *out, char base, const void *p, size_t n);

/* Unsigned LEB128 varint as multicodec uses (at most 9 bytes, minimal form).
 * Decode reads from p[0..n), stores the value and the bytes used. */
MC_NODISCARD mcred_rc mc_varint_decode(const uint8_t *p, size_t n, uint64_t *val, size_t *used);
MC_NODISCARD mcred_rc mc_varint_encode(struct mc_buf *out, uint64_t val);

/* The shape of a compact JWS (RFC 7515): base64url characters and exactly
 * two '.' (parts may be empty: a caller that needs them not to be checks
 * the dots). dot1 and dot2 (may be NULL) receive where the dots are. */
bool mc_jws_shape(const char *p, size_t n, size_t *dot1, size_t *dot2);

/* Lowercase hex. Decode accepts either case and needs an even length. */
MC_NODISCARD mcred_rc mc_hex_encode(struct mc_buf *out, const void *p, size_t n);
MC_NODISCARD mcred_rc mc_hex_decode(struct mc_buf *out, const char *s, size_t n);

#endif /* MC_CODEC_H */
