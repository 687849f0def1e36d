/* keyfile.c - encrypted key files (Argon2id + secretbox, or an operator key).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sodium.h>

#include "crypto/keyfile.h"
#include "util/codec.h"

#define KEYFILE_FORMAT "mcred-key-v1"

static mcred_rc derive(const struct mc_keyfile_lock *lock, const uint8_t *salt,
                       unsigned long long ops, size_t mem, uint8_t key[32], struct mc_err *err)
{
    if (lock->operator_key) {
        memcpy(key, lock->operator_key, 32);
        return MCRED_OK;
    }
    if (crypto_pwhash(key, 32, lock->passphrase, strlen(lock->passphrase), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return mc_err_set(err, MCRED_ERR_NOMEM, "argon2id could not allocate %zu bytes", mem);
    return MCRED_OK;
}

static mcred_rc check_lock(const struct mc_keyfile_lock *lock, struct mc_err *err)
{
    if (!lock || (!lock->passphrase == !lock->operator_key))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "a key file needs either a passphrase or an operator key");
    if (lock->passphrase && !lock->passphrase[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "the passphrase is empty");
    return MCRED_OK;
}

mcred_rc mc_keyfile_write(const struct mc_key *k, const struct mc_keyfile_lock *lock,
                          struct mc_buf *out, struct mc_err *err)
{
    uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
    uint8_t ct[crypto_secretbox_MACBYTES + MC_ED25519_SEED_BYTES];
    uint8_t *key = NULL;
    const unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    const size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    mcred_rc rc;

    if (mc_crypto_ready() != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "libsodium failed to initialise");
    if (!k->sk)
        return mc_err_set(err, MCRED_ERR_INVALID, "the key has no secret part to store");
    rc = check_lock(lock, err);
    if (rc)
        return rc;
    key = sodium_malloc(32);
    if (!key)
        return MCRED_ERR_NOMEM;
    randombytes_buf(salt, sizeof(salt));
    randombytes_buf(nonce, sizeof(nonce));
    rc = derive(lock, salt, ops, mem, key, err);
    if (rc)
        goto out;
    crypto_secretbox_easy(ct, k->sk, MC_ED25519_SEED_BYTES, nonce, key);
    rc = mc_buf_appends(out, "{\n  \"format\": \"" KEYFILE_FORMAT "\",\n  \"type\": \"Multikey\","
                             "\n  \"controller\": \"");
    if (!rc)
        rc = mc_key_did(k, out);
    if (!rc)
        rc = mc_buf_appends(out, "\",\n  \"publicKeyMultibase\": \"");
    if (!rc)
        rc = mc_key_pub_multibase(k, out);
    if (!rc && lock->operator_key)
        rc = mc_buf_appends(out, "\",\n  \"kdf\": {\"alg\": \"operator-key\"");
    if (!rc && !lock->operator_key) {
        rc = mc_buf_printf(out, "\",\n  \"kdf\": {\"alg\": \"argon2id13\", \"opslimit\": %llu, "
                                "\"memlimit\": %zu, \"salt\": \"", ops, mem);
        if (!rc)
            rc = mc_b64url_encode(out, salt, sizeof(salt));
        if (!rc)
            rc = mc_buf_appendc(out, '"');
    }
    if (!rc)
        rc = mc_buf_appends(out, "},\n  \"cipher\": \"xsalsa20poly1305\",\n  \"nonce\": \"");
    if (!rc)
        rc = mc_b64url_encode(out, nonce, sizeof(nonce));
    if (!rc)
        rc = mc_buf_appends(out, "\",\n  \"ciphertext\": \"");
    if (!rc)
        rc = mc_b64url_encode(out, ct, sizeof(ct));
    if (!rc)
        rc = mc_buf_appends(out, "\"\n}\n");
out:
    sodium_free(key);
    return rc;
}

/* Decode base64url member `name` of o into exactly n bytes at dst. */
static mcred_rc member_bytes(const cJSON *o, const char *name, uint8_t *dst, size_t n,
                             struct mc_err *err)
{
    const char *v = mc_json_str(o, name);
    struct mc_buf b;
    mcred_rc rc = MCRED_OK;

    if (!v)
        return mc_err_set(err, MCRED_ERR_INVALID, "key file: '%s' is missing", name);
    mc_buf_init(&b, 256);
    if (mc_b64url_decode(&b, v, strlen(v)) != MCRED_OK || b.len != n)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "key file: '%s' is not %zu bytes of base64url",
                        name, n);
    else
        memcpy(dst, b.ptr, n);
    mc_buf_release(&b);
    return rc;
}

static mcred_rc unlock(const cJSON *doc, const struct mc_keyfile_lock *lock, struct mc_key *k,
                       struct mc_err *err)
{
    const cJSON *kdf = cJSON_GetObjectItemCaseSensitive(doc, "kdf");
    const char *alg = mc_json_str(kdf, "alg");
    uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
    uint8_t ct[crypto_secretbox_MACBYTES + MC_ED25519_SEED_BYTES];
    uint8_t *key, *seed;
    unsigned long long ops = 0;
    size_t mem = 0;
    struct mc_key full;
    mcred_rc rc;

    rc = check_lock(lock, err);
    if (rc)
        return rc;
    if (!alg)
        return mc_err_set(err, MCRED_ERR_INVALID, "key file: 'kdf.alg' is missing");
    if (strcmp(alg, "operator-key") == 0 && !lock->operator_key)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "this key file is locked with an operator key (set MCRED_KEY_FILE)");
    if (strcmp(alg, "argon2id13") == 0) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(kdf, "opslimit");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(kdf, "memlimit");

        if (!lock->passphrase)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "this key file is locked with a passphrase, not an operator key");
        if (!cJSON_IsNumber(o) || !cJSON_IsNumber(m) || o->valuedouble < 1 ||
            o->valuedouble > 64 || m->valuedouble < 8192 || m->valuedouble > (1u << 30))
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "key file: argon2id opslimit/memlimit missing or out of range");
        ops = (unsigned long long)o->valuedouble;
        mem = (size_t)m->valuedouble;
        rc = member_bytes(kdf, "salt", salt, sizeof(salt), err);
        if (rc)
            return rc;
    } else if (strcmp(alg, "operator-key") != 0) {
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "key file: unknown kdf '%s'", alg);
    }
    rc = member_bytes(doc, "nonce", nonce, sizeof(nonce), err);
    if (!rc)
        rc = member_bytes(doc, "ciphertext", ct, sizeof(ct), err);
    if (rc)
        return rc;
    key = sodium_malloc(32);
    seed = sodium_malloc(MC_ED25519_SEED_BYTES);
    if (!key || !seed) {
        rc = MCRED_ERR_NOMEM;
        goto out;
    }
    rc = derive(lock, salt, ops, mem, key, err);
    if (rc)
        goto out;
    if (crypto_secretbox_open_easy(seed, ct, sizeof(ct), nonce, key) != 0) {
        rc = mc_err_set(err, MCRED_ERR_CRYPTO,
                        "cannot decrypt the key file: wrong passphrase or operator key");
        goto out;
    }
    rc = mc_key_generate(&full, seed);
    if (rc)
        goto out;
    if (sodium_memcmp(full.pk, k->pk, 32) != 0) {
        mc_key_clear(&full);
        rc = mc_err_set(err, MCRED_ERR_INVALID,
                        "key file: the secret does not match publicKeyMultibase");
        goto out;
    }
    mc_key_clear(k);
    *k = full;
out:
    sodium_free(key);
    sodium_free(seed);
    return rc;
}

mcred_rc mc_keyfile_read(const char *json, size_t n, const struct mc_keyfile_lock *lock,
                         struct mc_key *k, struct mc_err *err)
{
    cJSON *doc = NULL;
    const char *fmt, *pub;
    mcred_rc rc;

    memset(k, 0, sizeof(*k));
    if (mc_crypto_ready() != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "libsodium failed to initialise");
    rc = mc_json_parse(json, n, 64 * 1024, &doc, err);
    if (rc)
        return rc;
    fmt = mc_json_str(doc, "format");
    pub = mc_json_str(doc, "publicKeyMultibase");
    if (!fmt || strcmp(fmt, KEYFILE_FORMAT) != 0) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "not a microcred key file (format '%s')",
                        fmt ? fmt : "(missing)");
        goto out;
    }
    if (!pub) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "key file: 'publicKeyMultibase' is missing");
        goto out;
    }
    rc = mc_key_from_multibase(k, pub, err);
    if (!rc && k->sk) {
        mc_key_clear(k);
        rc = mc_err_set(err, MCRED_ERR_INVALID,
                        "key file: 'publicKeyMultibase' holds a secret key in clear");
    }
    if (!rc && lock)
        rc = unlock(doc, lock, k, err);
    if (rc)
        mc_key_clear(k);
out:
    cJSON_Delete(doc);
    return rc;
}

mcred_rc mc_opkey_parse(const char *p, size_t n, uint8_t key[MC_OPKEY_BYTES], struct mc_err *err)
{
    size_t bin_len = 0;

    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    if (n == MC_OPKEY_BYTES) {
        memcpy(key, p, n);
        return MCRED_OK;
    }
    if (n == 2 * MC_OPKEY_BYTES &&
        sodium_hex2bin(key, MC_OPKEY_BYTES, p, n, NULL, &bin_len, NULL) == 0 &&
        bin_len == MC_OPKEY_BYTES)
        return MCRED_OK;
    sodium_memzero(key, MC_OPKEY_BYTES);
    return mc_err_set(err, MCRED_ERR_INVALID,
                      "operator key file must hold 32 raw bytes or 64 hex digits");
}
