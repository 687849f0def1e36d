/* keyfile.h - key files: an Ed25519 secret encrypted at rest with
 * XSalsa20-Poly1305 (libsodium secretbox) under a key derived from a
 * passphrase with Argon2id, or under a 32-byte operator key. The file is JSON
 * and also carries the public key and did:key so `mcred key show` needs no
 * secret. The library reads and writes bytes; the CLI does the file I/O.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_KEYFILE_H
#define MC_KEYFILE_H

#include "crypto/keys.h"

#define MC_OPKEY_BYTES 32

/* How the secret is protected: exactly one of the two is set. */
struct mc_keyfile_lock {
    const char *passphrase;        /* Argon2id-derived key; borrowed */
    const uint8_t *operator_key;   /* MC_OPKEY_BYTES raw bytes; borrowed */
};

/* Append the key file JSON for k (which must hold a secret) to out. */
MC_NODISCARD mcred_rc mc_keyfile_write(const struct mc_key *k, const struct mc_keyfile_lock *lock,
                                       struct mc_buf *out, struct mc_err *err);
/* Read a key file. With lock == NULL only the public key is loaded. A wrong
 * passphrase or operator key is MCRED_ERR_CRYPTO. */
MC_NODISCARD mcred_rc mc_keyfile_read(const char *json, size_t n,
                                      const struct mc_keyfile_lock *lock, struct mc_key *k,
                                      struct mc_err *err);
/* Parse an operator key file's contents: 64 hex digits or 32 raw bytes
 * (surrounding whitespace ignored). */
MC_NODISCARD mcred_rc mc_opkey_parse(const char *p, size_t n, uint8_t key[MC_OPKEY_BYTES],
                                     struct mc_err *err);

#endif /* MC_KEYFILE_H */
