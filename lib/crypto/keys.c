/* keys.c - Ed25519 key pairs over libsodium, and their Multikey, JWK and
 * did:key forms.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <sodium.h>

#include "crypto/keys.h"
#include "util/codec.h"

/* multicodec prefixes (varint-encoded): ed25519-pub 0xed, ed25519-priv 0x1300 */
static const uint8_t ed25519_pub_prefix[2] = { 0xed, 0x01 };
static const uint8_t ed25519_priv_prefix[2] = { 0x80, 0x26 };

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;

static void sodium_setup(void)
{
    sodium_ok = sodium_init() >= 0;
}

mcred_rc mc_crypto_ready(void)
{
    pthread_once(&sodium_once, sodium_setup);
    return sodium_ok ? MCRED_OK : MCRED_ERR_CRYPTO;
}

void mc_key_clear(struct mc_key *k)
{
    if (!k)
        return;
    if (k->sk)
        sodium_free(k->sk);   /* wipes before freeing */
    k->sk = NULL;
    memset(k->pk, 0, sizeof(k->pk));
}

/* Fill k from a 32-byte seed. */
static mcred_rc from_seed(struct mc_key *k, const uint8_t *seed)
{
    uint8_t *sk = sodium_malloc(MC_ED25519_SK_BYTES);

    if (!sk)
        return MCRED_ERR_NOMEM;
    crypto_sign_seed_keypair(k->pk, sk, seed);
    k->sk = sk;
    return MCRED_OK;
}

mcred_rc mc_key_generate(struct mc_key *k, const uint8_t *seed)
{
    uint8_t fresh[MC_ED25519_SEED_BYTES];
    mcred_rc rc;

    memset(k, 0, sizeof(*k));
    rc = mc_crypto_ready();
    if (rc)
        return rc;
    if (!seed) {
        randombytes_buf(fresh, sizeof(fresh));
        seed = fresh;
    }
    rc = from_seed(k, seed);
    sodium_memzero(fresh, sizeof(fresh));
    return rc;
}

mcred_rc mc_key_copy(struct mc_key *dst, const struct mc_key *src)
{
    memset(dst, 0, sizeof(*dst));
    memcpy(dst->pk, src->pk, sizeof(dst->pk));
    if (!src->sk)
        return MCRED_OK;
    dst->sk = sodium_malloc(MC_ED25519_SK_BYTES);
    if (!dst->sk)
        return MCRED_ERR_NOMEM;
    memcpy(dst->sk, src->sk, MC_ED25519_SK_BYTES);
    return MCRED_OK;
}

/* Secret key bytes (32-byte seed, or 64-byte seed || public key). */
static mcred_rc from_secret(struct mc_key *k, const uint8_t *p, size_t n, struct mc_err *err)
{
    mcred_rc rc;

    if (n != 32 && n != 64)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "Ed25519 secret key has %zu bytes; 32 (seed) or 64 (seed and "
                          "public key) expected", n);
    rc = from_seed(k, p);
    if (rc)
        return mc_err_set(err, rc, "cannot load the secret key: %s", mcred_strerror(rc));
    if (n == 64 && sodium_memcmp(k->pk, p + 32, 32) != 0) {
        mc_key_clear(k);
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "the public half of the 64-byte secret key does not match its seed");
    }
    return MCRED_OK;
}

mcred_rc mc_key_from_multibase(struct mc_key *k, const char *s, struct mc_err *err)
{
    struct mc_buf b;
    const uint8_t *p;
    uint64_t codec;
    size_t used;
    mcred_rc rc;

    memset(k, 0, sizeof(*k));
    rc = mc_crypto_ready();
    if (rc)
        return mc_err_set(err, rc, "libsodium failed to initialise");
    mc_buf_init(&b, 256);
    if (s[0] != 'z') {
        rc = mc_err_set(err, MCRED_ERR_INVALID,
                        "multibase key '%.60s' does not start with 'z' (base58btc)", s);
        goto out;
    }
    rc = mc_multibase_decode(&b, s, strlen(s));
    if (rc) {
        rc = mc_err_set(err, rc == MCRED_ERR_LIMIT ? MCRED_ERR_INVALID : rc,
                        "invalid base58btc in multibase key '%.60s'", s);
        goto out;
    }
    p = (const uint8_t *)b.ptr;
    rc = mc_varint_decode(p, b.len, &codec, &used);
    if (rc) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "multibase key has no valid multicodec prefix");
        goto out;
    }
    if (codec == 0xed) {
        if (b.len - used != MC_ED25519_PK_BYTES) {
            rc = mc_err_set(err, MCRED_ERR_INVALID,
                            "Ed25519 public key has %zu bytes; 32 expected", b.len - used);
            goto out;
        }
        memcpy(k->pk, p + used, MC_ED25519_PK_BYTES);
    } else if (codec == 0x1300) {
        rc = from_secret(k, p + used, b.len - used, err);
    } else {
        rc = mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                        "multikey codec 0x%llx is not Ed25519 (0xed public, 0x1300 secret)",
                        (unsigned long long)codec);
    }
out:
    if (b.ptr)
        sodium_memzero(b.ptr, b.cap);
    mc_buf_release(&b);
    return rc;
}

mcred_rc mc_key_pub_multibase(const struct mc_key *k, struct mc_buf *out)
{
    uint8_t raw[sizeof(ed25519_pub_prefix) + MC_ED25519_PK_BYTES];

    memcpy(raw, ed25519_pub_prefix, sizeof(ed25519_pub_prefix));
    memcpy(raw + sizeof(ed25519_pub_prefix), k->pk, MC_ED25519_PK_BYTES);
    return mc_multibase_encode(out, 'z', raw, sizeof(raw));
}

mcred_rc mc_key_secret_multibase(const struct mc_key *k, struct mc_buf *out)
{
    uint8_t raw[sizeof(ed25519_priv_prefix) + MC_ED25519_SEED_BYTES];
    mcred_rc rc;

    if (!k->sk)
        return MCRED_ERR_INVALID;
    memcpy(raw, ed25519_priv_prefix, sizeof(ed25519_priv_prefix));
    memcpy(raw + sizeof(ed25519_priv_prefix), k->sk, MC_ED25519_SEED_BYTES);
    rc = mc_multibase_encode(out, 'z', raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return rc;
}

/* Decode one base64url JWK member into exactly `want` bytes. */
static mcred_rc jwk_bytes(const cJSON *jwk, const char *name, size_t want, struct mc_buf *b,
                          struct mc_err *err)
{
    const char *v = mc_json_str(jwk, name);

    if (!v)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' is missing or not a string",
                          name);
    if (mc_b64url_decode(b, v, strlen(v)) != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' is not valid base64url",
                          name);
    if (b->len != want)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' has %zu bytes; %zu expected",
                          name, b->len, want);
    return MCRED_OK;
}

mcred_rc mc_key_from_jwk(struct mc_key *k, const cJSON *jwk, struct mc_err *err)
{
    const char *kty = mc_json_str(jwk, "kty"), *crv = mc_json_str(jwk, "crv");
    struct mc_buf x, d;
    mcred_rc rc;

    memset(k, 0, sizeof(*k));
    rc = mc_crypto_ready();
    if (rc)
        return mc_err_set(err, rc, "libsodium failed to initialise");
    if (!cJSON_IsObject(jwk))
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK is not a JSON object");
    if (!kty || strcmp(kty, "OKP") != 0 || !crv || strcmp(crv, "Ed25519") != 0)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                          "JWK is kty '%s' crv '%s'; only OKP Ed25519 keys are supported",
                          kty ? kty : "(none)", crv ? crv : "(none)");
    mc_buf_init(&x, 64);
    mc_buf_init(&d, 64);
    rc = jwk_bytes(jwk, "x", MC_ED25519_PK_BYTES, &x, err);
    if (rc)
        goto out;
    if (!cJSON_GetObjectItemCaseSensitive(jwk, "d")) {
        memcpy(k->pk, x.ptr, MC_ED25519_PK_BYTES);
        goto out;
    }
    rc = jwk_bytes(jwk, "d", MC_ED25519_SEED_BYTES, &d, err);
    if (rc)
        goto out;
    rc = from_secret(k, (const uint8_t *)d.ptr, d.len, err);
    if (!rc && sodium_memcmp(k->pk, x.ptr, MC_ED25519_PK_BYTES) != 0) {
        mc_key_clear(k);
        rc = mc_err_set(err, MCRED_ERR_INVALID, "JWK 'x' is not the public key of its 'd'");
    }
out:
    if (d.ptr)
        sodium_memzero(d.ptr, d.cap);
    mc_buf_release(&d);
    mc_buf_release(&x);
    return rc;
}

mcred_rc mc_key_to_jwk(const struct mc_key *k, bool with_secret, struct mc_buf *out)
{
    mcred_rc rc;

    if (with_secret && !k->sk)
        return MCRED_ERR_INVALID;
    rc = mc_buf_appends(out, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"");
    if (!rc)
        rc = mc_b64url_encode(out, k->pk, MC_ED25519_PK_BYTES);
    if (!rc && with_secret) {
        rc = mc_buf_appends(out, "\",\"d\":\"");
        if (!rc)
            rc = mc_b64url_encode(out, k->sk, MC_ED25519_SEED_BYTES);
    }
    if (!rc)
        rc = mc_buf_appends(out, "\"}");
    return rc;
}

mcred_rc mc_key_did(const struct mc_key *k, struct mc_buf *out)
{
    mcred_rc rc = mc_buf_appends(out, "did:key:");

    return rc ? rc : mc_key_pub_multibase(k, out);
}

mcred_rc mc_key_vm_id(const struct mc_key *k, struct mc_buf *out)
{
    mcred_rc rc = mc_key_did(k, out);

    if (!rc)
        rc = mc_buf_appendc(out, '#');
    return rc ? rc : mc_key_pub_multibase(k, out);
}

mcred_rc mc_key_sign(const struct mc_key *k, const void *msg, size_t n,
                     uint8_t sig[MC_ED25519_SIG_BYTES])
{
    if (!k->sk)
        return MCRED_ERR_INVALID;
    crypto_sign_detached(sig, NULL, msg, n, k->sk);
    return MCRED_OK;
}

mcred_rc mc_key_verify(const struct mc_key *k, const void *msg, size_t n,
                       const uint8_t sig[MC_ED25519_SIG_BYTES])
{
    mcred_rc rc = mc_crypto_ready();

    if (rc)
        return rc;
    return crypto_sign_verify_detached(sig, msg, n, k->pk) == 0 ? MCRED_OK : MCRED_ERR_VERIFY;
}
