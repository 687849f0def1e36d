/* seal.h - bytes sealed under a passphrase (wallet backups): Argon2id
 * (libsodium crypto_pwhash, moderate limits) derives the key, XSalsa20-
 * Poly1305 (crypto_secretbox) seals the bytes; the result is a small JSON
 * document carrying the KDF parameters, salt, nonce and ciphertext.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SEAL_H
#define MC_SEAL_H

#include "internal.h"
#include "util/buf.h"

#define MC_SEAL_FORMAT "mcred-sealed-1"
#define MC_SEAL_MAX ((size_t)64 << 20)   /* the largest plaintext sealed or opened */

/* Append the sealed JSON of p[0..n) to out. INVALID for an empty passphrase,
 * LIMIT past MC_SEAL_MAX. */
MC_NODISCARD mcred_rc mc_seal(const void *p, size_t n, const char *passphrase,
                              struct mc_buf *out, struct mc_err *err);
/* Open sealed JSON text; append the plaintext to out. CRYPTO for a wrong
 * passphrase or altered bytes (nothing appended), INVALID for a document
 * that is not a sealed one (named). KDF limits above the moderate ones are
 * refused (LIMIT): a hostile file cannot make us spend gigabytes. */
MC_NODISCARD mcred_rc mc_unseal(const char *json, size_t n, const char *passphrase,
                                struct mc_buf *out, struct mc_err *err);

#endif /* MC_SEAL_H */
