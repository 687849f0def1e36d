/* jwt.h - VC-JWT, the JSON Web Token proof format of Open Badges 3.0 §8.2:
 * a credential signed as a compact JWS (EdDSA, RS256 or ES256) whose
 * registered claims (iss, jti, sub, nbf, exp) repeat the credential's issuer,
 * id, subject and validity period. Signing writes the OB 3.0 shape (the
 * credential itself is the JWT payload); verifying also reads the VC 1.1
 * shape (the credential under a "vc" claim). docs/vc-jwt.md has the details.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_JWT_H
#define MC_JWT_H

#include <time.h>

#include <openssl/evp.h>

#include "internal.h"
#include "crypto/keys.h"
#include "util/buf.h"
#include "util/json.h"

#define MC_JWT_MAX_TOKEN ((size_t)1 << 20)  /* a whole compact JWS */
#define MC_JWT_MAX_HEADER ((size_t)8192)    /* the decoded JOSE header */
#define MC_JWT_MAX_PEM ((size_t)65536)      /* a PEM key given to mc_jwt_key_from_pem */
#define MC_JWT_RSA_MIN_BITS 2048            /* RFC 7518 §3.3 */
#define MC_JWT_RSA_MAX_BITS 8192            /* bounds the work of one verification */

/* JWS algorithms ("alg"). */
enum mc_jwt_alg {
    MC_JWT_ALG_UNKNOWN = 0,
    MC_JWT_ALG_EDDSA,  /* "EdDSA" over Ed25519 (RFC 8037); "Ed25519" is read as the same */
    MC_JWT_ALG_RS256,  /* RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3) */
    MC_JWT_ALG_ES256,  /* ECDSA P-256 with SHA-256, signature r||s, 64 bytes (RFC 7518 §3.4) */
};

/* Key types, each usable with exactly one alg. */
enum mc_jwt_kty {
    MC_JWT_KTY_NONE = 0,
    MC_JWT_KTY_ED25519,  /* JWK kty "OKP", crv "Ed25519" -> EdDSA */
    MC_JWT_KTY_RSA,      /* JWK kty "RSA" -> RS256 */
    MC_JWT_KTY_P256,     /* JWK kty "EC", crv "P-256" -> ES256 */
};

/* A VC-JWT key: public alone (verifying) or with its private half (signing).
 * Zero-initialise it (or let a mc_jwt_key_from_* fill it) and release it with
 * mc_jwt_key_clear. Not shared between threads while in use. */
struct mc_jwt_key {
    enum mc_jwt_kty kty;  /* NONE when empty */
    struct mc_key ed;     /* kty ED25519: pk, and sk (sodium memory) for a private key */
    EVP_PKEY *pkey;       /* kty RSA / P256: owned OpenSSL key */
    bool has_private;     /* can sign */
};

/* Static name of alg ("EdDSA", "RS256", "ES256"), or "unknown". */
const char *mc_jwt_alg_name(enum mc_jwt_alg alg);
/* The alg a key of this type signs and verifies with (UNKNOWN for NONE). */
enum mc_jwt_alg mc_jwt_kty_alg(enum mc_jwt_kty kty);

/* Wipe and free; k becomes empty. Accepts NULL and empty keys. */
void mc_jwt_key_clear(struct mc_jwt_key *k);
/* Copy an Ed25519 key (with its secret when src has one) into k. */
MC_NODISCARD mcred_rc mc_jwt_key_from_ed25519(struct mc_jwt_key *k, const struct mc_key *src);
/* Load a PEM key from memory (no file paths here): a private key (PKCS#8,
 * or traditional RSA / EC, encrypted when passphrase != NULL) or a public key
 * (SubjectPublicKeyInfo). RSA (2048..8192 bits), EC P-256 and Ed25519 keys
 * are accepted; anything else is MCRED_ERR_UNSUPPORTED. The library never
 * prompts: an encrypted key without passphrase, or a wrong one, is
 * MCRED_ERR_CRYPTO. At most MC_JWT_MAX_PEM bytes. k is empty on failure. */
MC_NODISCARD mcred_rc mc_jwt_key_from_pem(struct mc_jwt_key *k, const char *pem, size_t n,
                                          const char *passphrase, struct mc_err *err);
/* Load a public JWK (RFC 7517/7518/8037): OKP Ed25519, RSA, EC P-256. A JWK
 * with private members ("d", "p", "q", ...) is MCRED_ERR_INVALID: OB 3.0
 * says the header JWK MUST never contain "d". k is empty on failure. */
MC_NODISCARD mcred_rc mc_jwt_key_from_jwk(struct mc_jwt_key *k, const cJSON *jwk,
                                          struct mc_err *err);
/* Append the public JWK of k as compact JSON (members kty, crv/x/y or n/e). */
MC_NODISCARD mcred_rc mc_jwt_key_to_jwk(const struct mc_jwt_key *k, struct mc_buf *out);
/* True when a and b hold the same public key. */
bool mc_jwt_key_equal(const struct mc_jwt_key *a, const struct mc_jwt_key *b);

/* ECDSA P-256 signature conversions between DER (OpenSSL) and the raw 64-byte
 * r||s form JWS uses. Append to out; MCRED_ERR_INVALID on malformed input. */
MC_NODISCARD mcred_rc mc_jwt_ecdsa_der_to_raw(const uint8_t *der, size_t n, struct mc_buf *out);
MC_NODISCARD mcred_rc mc_jwt_ecdsa_raw_to_der(const uint8_t *raw, size_t n, struct mc_buf *out);

/* --- signing ---------------------------------------------------------------- */

struct mc_jwt_sign_opts {
    const char *kid;  /* "kid" header (a DID URL or other URI); NULL for none */
    bool embed_jwk;   /* also put the public key in "jwk"; implied when kid is NULL */
};

/* Sign cred (an OB 3.0 / VC credential object, borrowed) with key (which must
 * be private; its type picks alg: EdDSA, RS256 or ES256) and append the
 * compact JWS to out. The JOSE header is {"alg", "typ":"JWT", "kid" and/or
 * "jwk"} and nothing else (OB 3.0 §8.2.3). The payload is the credential's
 * members plus the claims iss = issuer id, jti = id, sub =
 * credentialSubject.id, nbf = validFrom (else issuanceDate) and, when the
 * credential has validUntil (else expirationDate), exp; claims already in
 * cred are replaced. A credential without issuer id, id, a single subject
 * with an id, or a valid start date is MCRED_ERR_INVALID (OB 3.0 makes these
 * claims required). out is unchanged on failure. Thread-safe for distinct
 * keys. */
MC_NODISCARD mcred_rc mc_jwt_sign(const cJSON *cred, const struct mc_jwt_key *key,
                                  const struct mc_jwt_sign_opts *opts, struct mc_buf *out,
                                  struct mc_err *err);

/* --- verifying -------------------------------------------------------------- */

/* Finds the public key a "kid" names. resolve fills out (empty on entry) and
 * returns MCRED_OK, or an error code with err set (MCRED_ERR_NOTFOUND for an
 * unknown key, MCRED_ERR_IO when fetching failed, ...); that code is what
 * mc_jwt_verify returns. alg is the header's "alg", for resolvers that keep
 * several keys under one id. mc_jwt_key_from_ed25519 / _from_jwk fill out. */
struct mc_jwt_resolver {
    mcred_rc (*resolve)(void *ud, const char *kid, const char *alg, struct mc_jwt_key *out,
                        struct mc_err *err);
    void *ud;  /* passed through to resolve */
};

struct mc_jwt_verify_opts {
    time_t now;  /* the clock nbf and exp are checked against */
    /* Resolves "kid". NULL: only did:key kids ("did:key:z6Mk...#z6Mk...",
     * Ed25519) are resolved, by decoding the key from the DID itself. */
    const struct mc_jwt_resolver *resolver;
    /* A key the caller already trusts (e.g. `mcred verify --key`). When set,
     * it alone verifies: "kid" is not resolved, and a header "jwk" must be
     * this same key. */
    const struct mc_jwt_key *key;
};

/* The two payload shapes. */
enum mc_jwt_shape {
    MC_JWT_SHAPE_NONE = 0,
    MC_JWT_SHAPE_CREDENTIAL,  /* OB 3.0 / VC 2.0: the payload is the credential */
    MC_JWT_SHAPE_VC_CLAIM,    /* VC 1.1: the credential is the payload's "vc" */
};

/* Where the verifying key came from. */
enum mc_jwt_key_source {
    MC_JWT_KEYSRC_NONE = 0,
    MC_JWT_KEYSRC_CALLER,    /* opts->key */
    MC_JWT_KEYSRC_RESOLVER,  /* opts->resolver, for "kid" */
    MC_JWT_KEYSRC_DID_KEY,   /* decoded from a did:key "kid" */
    MC_JWT_KEYSRC_JWK,       /* the header's "jwk": self-asserted, bind it to the issuer! */
};

struct mc_jwt_result {
    cJSON *header;                     /* owned: the JOSE header */
    cJSON *payload;                    /* owned: the JWT claims set */
    cJSON *credential;                 /* borrowed from payload: payload itself, or "vc" */
    enum mc_jwt_shape shape;
    enum mc_jwt_alg alg;
    const char *kid;                   /* borrowed from header; NULL when absent */
    bool kid_in_issuer;                /* the key was found through kid, and kid minus its
                                        * "#fragment" equals iss */
    bool key_is_iss_did_key;           /* iss is an Ed25519 did:key and key is its key
                                        * (holds whatever the key source) */
    struct mc_jwt_key key;             /* owned copy of the public key that verified */
    enum mc_jwt_key_source key_source;
    const char *iss;                   /* borrowed from payload: the issuer id */
    bool has_nbf, has_exp;
    int64_t nbf, exp;                  /* NumericDates, whole seconds (fractions dropped) */
    bool not_yet_valid;                /* now < nbf */
    bool expired;                      /* now >= exp */
};

/* Verify the compact JWS token[0..n) (no surrounding whitespace) as an
 * OB 3.0 VC-JWT, in this order:
 *  1. form: at most MC_JWT_MAX_TOKEN bytes, exactly three base64url parts
 *     (no padding, canonical), header at most MC_JWT_MAX_HEADER bytes;
 *     MCRED_ERR_LIMIT / MCRED_ERR_INVALID.
 *  2. header: a JSON object with "alg"; "typ", if present, "JWT" (or the VC
 *     JOSE "vc+jwt" / "vc-ld+jwt"); "kid" and/or "jwk"; no private JWK
 *     members; no duplicated names; MCRED_ERR_INVALID. "crit" is
 *     MCRED_ERR_UNSUPPORTED. Other members are ignored (RFC 7515 §4).
 *  3. alg: "none" and HMAC algs are MCRED_ERR_VERIFY, other algs than EdDSA,
 *     RS256 and ES256 MCRED_ERR_UNSUPPORTED, an alg that does not fit the
 *     key's type MCRED_ERR_VERIFY.
 *  4. key: opts->key; else "kid" through opts->resolver (with no resolver:
 *     a did:key kid is decoded here, another kid falls back to the "jwk" or
 *     is MCRED_ERR_NOTFOUND); else the header "jwk". When both "kid" (or
 *     opts->key) and "jwk" are used, they must be the same key
 *     (MCRED_ERR_VERIFY). Resolver errors pass through.
 *  5. signature: MCRED_ERR_VERIFY when it does not verify.
 *  6. payload: a JSON object; the credential is "vc" when that is an object
 *     and the payload has no "@context", else the payload. For the "vc" shape
 *     the VC 1.1 decoding fills the credential's missing issuer, id,
 *     issuanceDate, expirationDate and credentialSubject.id from the claims.
 *  7. claims against the credential: iss must equal the issuer id; jti the
 *     id, sub the credentialSubject id, nbf validFrom (else issuanceDate) and
 *     exp validUntil (else expirationDate), to the second. Each pair must be
 *     both present or both absent (iss is always required); an exp without
 *     an end date in the credential is accepted and governs expiry (OB 3.0).
 *     Absent/mistyped is MCRED_ERR_INVALID, a mismatch MCRED_ERR_VERIFY.
 *  8. time: nbf > now or exp <= now is MCRED_ERR_EXPIRED, with out filled
 *     (not_yet_valid / expired say which): the signature and claims held.
 * err names the failed check. On every other failure out is left empty; on
 * MCRED_OK and MCRED_ERR_EXPIRED release it with mc_jwt_result_release.
 * This proves who signed (out->key) and that claims and credential agree;
 * whether that key belongs to the issuer is the caller's check (see
 * key_source, kid_in_issuer and key_is_iss_did_key). opts must not be NULL. Thread-safe. */
MC_NODISCARD mcred_rc mc_jwt_verify(const char *token, size_t n,
                                    const struct mc_jwt_verify_opts *opts,
                                    struct mc_jwt_result *out, struct mc_err *err);
/* Free what out holds; it becomes empty. Accepts NULL and empty results. */
void mc_jwt_result_release(struct mc_jwt_result *out);

/* Plain compact JWS, for OB 2.0 signed assertions (whose payload is an
 * Assertion, not a credential). mc_jws_decode: the header and payload
 * objects, unverified (the caller needs them to find the key); free both
 * with cJSON_Delete. mc_jws_verify_key: the signature with key, under the
 * same refusals as mc_jwt_verify (none, HMAC, an alg that does not fit the
 * key): MCRED_OK or MCRED_ERR_VERIFY / INVALID / UNSUPPORTED / LIMIT. */
MC_NODISCARD mcred_rc mc_jws_decode(const char *token, size_t n, cJSON **header,
                                    cJSON **payload, struct mc_err *err);
MC_NODISCARD mcred_rc mc_jws_verify_key(const char *token, size_t n,
                                        const struct mc_jwt_key *key, struct mc_err *err);

#endif /* MC_JWT_H */
