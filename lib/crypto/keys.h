/* keys.h - Ed25519 keys for issuers and holders: generation, the import and
 * export forms (Multikey, JWK per RFC 8037, raw seed), did:key, and key files
 * encrypted at rest. Secrets live in sodium_malloc memory, wiped on free.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_KEYS_H
#define MC_KEYS_H

#include "internal.h"
#include "util/buf.h"
#include "util/json.h"

#define MC_ED25519_PK_BYTES 32
#define MC_ED25519_SK_BYTES 64   /* libsodium form: seed || public key */
#define MC_ED25519_SEED_BYTES 32
#define MC_ED25519_SIG_BYTES 64

/* An Ed25519 key pair, or a public key alone (sk == NULL). */
struct mc_key {
    uint8_t pk[MC_ED25519_PK_BYTES];  /* public key */
    uint8_t *sk;                      /* NULL, or 64 bytes in sodium_malloc memory */
};

/* Initialise libsodium once (thread-safe); every entry point that needs it
 * calls this. MCRED_ERR_CRYPTO when the library cannot start. */
MC_NODISCARD mcred_rc mc_crypto_ready(void);

/* New key from 32 random bytes, or from seed when seed != NULL. */
MC_NODISCARD mcred_rc mc_key_generate(struct mc_key *k, const uint8_t *seed);
/* Wipe and free the secret; k becomes empty. Accepts an empty key. */
void mc_key_clear(struct mc_key *k);
/* Copy (public part, and the secret when present). */
MC_NODISCARD mcred_rc mc_key_copy(struct mc_key *dst, const struct mc_key *src);

/* Multikey forms: public "z6Mk..." (multicodec 0xed01), secret "z3u2..."
 * (multicodec 0x8026 + 32-byte seed; 64-byte seed||pk also accepted on input,
 * and then the halves must agree). */
MC_NODISCARD mcred_rc mc_key_from_multibase(struct mc_key *k, const char *s, struct mc_err *err);
MC_NODISCARD mcred_rc mc_key_pub_multibase(const struct mc_key *k, struct mc_buf *out);
MC_NODISCARD mcred_rc mc_key_secret_multibase(const struct mc_key *k, struct mc_buf *out);

/* JWK (RFC 8037 OKP Ed25519; "d" 32 bytes; a public-only JWK gives a public key). */
MC_NODISCARD mcred_rc mc_key_from_jwk(struct mc_key *k, const cJSON *jwk, struct mc_err *err);
/* Appends the JWK JSON; with_secret adds "d". */
MC_NODISCARD mcred_rc mc_key_to_jwk(const struct mc_key *k, bool with_secret, struct mc_buf *out);

/* did:key of the public key ("did:key:z6Mk...") and its verification method id
 * ("did:key:z6Mk...#z6Mk..."). */
MC_NODISCARD mcred_rc mc_key_did(const struct mc_key *k, struct mc_buf *out);
MC_NODISCARD mcred_rc mc_key_vm_id(const struct mc_key *k, struct mc_buf *out);

/* Sign / verify raw bytes. sig is 64 bytes. Verify returns MCRED_ERR_VERIFY on a
 * bad signature. */
MC_NODISCARD mcred_rc mc_key_sign(const struct mc_key *k, const void *msg, size_t n,
                                  uint8_t sig[MC_ED25519_SIG_BYTES]);
MC_NODISCARD mcred_rc mc_key_verify(const struct mc_key *k, const void *msg, size_t n,
                                    const uint8_t sig[MC_ED25519_SIG_BYTES]);

#endif /* MC_KEYS_H */
