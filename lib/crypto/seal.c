/* seal.c - passphrase-sealed bytes.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sodium.h>

#include "crypto/keys.h"
#include "crypto/seal.h"
#include "util/codec.h"
#include "util/json.h"

static mcred_rc derive(const char *pass, const uint8_t *salt, unsigned long long ops, size_t mem,
                       uint8_t key[crypto_secretbox_KEYBYTES], struct mc_err *err)
{
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, strlen(pass), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return mc_err_set(err, MCRED_ERR_NOMEM, "seal: the key derivation ran out of memory");
    return MCRED_OK;
}

mcred_rc mc_seal(const void *p, size_t n, const char *passphrase, struct mc_buf *out,
                 struct mc_err *err)
{
    uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
    const unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
    const size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
    uint8_t *key = NULL, *ct = NULL;
    mcred_rc rc;

    if (mc_crypto_ready() != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "libsodium failed to initialise");
    if (!passphrase || !passphrase[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "seal: the passphrase is empty");
    if (n > MC_SEAL_MAX)
        return mc_err_set(err, MCRED_ERR_LIMIT, "seal: %zu bytes; at most %zu", n, MC_SEAL_MAX);
    key = sodium_malloc(crypto_secretbox_KEYBYTES);
    ct = mc_malloc(n + crypto_secretbox_MACBYTES);
    if (!key || !ct) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "seal: out of memory");
        goto out;
    }
    randombytes_buf(salt, sizeof(salt));
    randombytes_buf(nonce, sizeof(nonce));
    rc = derive(passphrase, salt, ops, mem, key, err);
    if (rc)
        goto out;
    crypto_secretbox_easy(ct, p, n, nonce, key);
    rc = mc_buf_printf(out, "{\"format\":\"" MC_SEAL_FORMAT "\",\"kdf\":{\"alg\":\"argon2id\","
                            "\"ops\":%llu,\"mem\":%zu,\"salt\":\"", ops, mem);
    if (!rc)
        rc = mc_b64url_encode(out, salt, sizeof(salt));
    if (!rc)
        rc = mc_buf_appends(out, "\"},\"nonce\":\"");
    if (!rc)
        rc = mc_b64url_encode(out, nonce, sizeof(nonce));
    if (!rc)
        rc = mc_buf_appends(out, "\",\"ciphertext\":\"");
    if (!rc)
        rc = mc_b64url_encode(out, ct, n + crypto_secretbox_MACBYTES);
    if (!rc)
        rc = mc_buf_appends(out, "\"}\n");
    if (rc)
        rc = mc_err_set(err, rc, "seal: out of memory");
out:
    if (key)
        sodium_free(key);
    mc_free(ct);
    return rc;
}

static mcred_rc field(const cJSON *o, const char *name, size_t want, struct mc_buf *b,
                      struct mc_err *err)
{
    const char *s = mc_json_str(o, name);

    if (!s)
        return mc_err_set(err, MCRED_ERR_INVALID, "sealed document: '%s' is missing", name);
    if (mc_b64url_decode(b, s, strlen(s)) != MCRED_OK || (want && b->len != want))
        return mc_err_set(err, MCRED_ERR_INVALID, "sealed document: '%s' is not valid", name);
    return MCRED_OK;
}

mcred_rc mc_unseal(const char *json, size_t n, const char *passphrase, struct mc_buf *out,
                   struct mc_err *err)
{
    struct mc_buf salt, nonce, ct;
    const cJSON *kdf, *ops, *mem;
    uint8_t *key = NULL, *pt = NULL;
    cJSON *doc = NULL;
    mcred_rc rc;

    if (mc_crypto_ready() != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "libsodium failed to initialise");
    if (!passphrase || !passphrase[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "unseal: the passphrase is empty");
    mc_buf_init(&salt, 64);
    mc_buf_init(&nonce, 64);
    mc_buf_init(&ct, MC_SEAL_MAX + crypto_secretbox_MACBYTES);
    rc = mc_json_parse(json, n, MC_SEAL_MAX / 3 * 4 + 4096, &doc, err);
    if (rc)
        goto out;
    kdf = mc_json_get(doc, "kdf");
    ops = mc_json_get(kdf, "ops");
    mem = mc_json_get(kdf, "mem");
    if (!mc_json_str(doc, "format") || strcmp(mc_json_str(doc, "format"), MC_SEAL_FORMAT) != 0 ||
        !mc_json_str(kdf, "alg") || strcmp(mc_json_str(kdf, "alg"), "argon2id") != 0 ||
        !cJSON_IsNumber(ops) || !cJSON_IsNumber(mem)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "not a sealed document (format %s with an "
                                                "argon2id kdf)", MC_SEAL_FORMAT);
        goto out;
    }
    if (ops->valuedouble < crypto_pwhash_OPSLIMIT_MIN ||
        ops->valuedouble > crypto_pwhash_OPSLIMIT_MODERATE ||
        mem->valuedouble < crypto_pwhash_MEMLIMIT_MIN ||
        mem->valuedouble > crypto_pwhash_MEMLIMIT_MODERATE) {
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "sealed document: kdf limits outside what is "
                                              "accepted");
        goto out;
    }
    rc = field(kdf, "salt", crypto_pwhash_SALTBYTES, &salt, err);
    if (!rc)
        rc = field(doc, "nonce", crypto_secretbox_NONCEBYTES, &nonce, err);
    if (!rc)
        rc = field(doc, "ciphertext", 0, &ct, err);
    if (rc)
        goto out;
    if (ct.len < crypto_secretbox_MACBYTES) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "sealed document: the ciphertext is too short");
        goto out;
    }
    key = sodium_malloc(crypto_secretbox_KEYBYTES);
    pt = mc_malloc(ct.len - crypto_secretbox_MACBYTES + 1);
    if (!key || !pt) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "unseal: out of memory");
        goto out;
    }
    rc = derive(passphrase, (const uint8_t *)salt.ptr, (unsigned long long)ops->valuedouble,
                (size_t)mem->valuedouble, key, err);
    if (rc)
        goto out;
    if (crypto_secretbox_open_easy(pt, (const uint8_t *)ct.ptr, ct.len,
                                   (const uint8_t *)nonce.ptr, key) != 0) {
        rc = mc_err_set(err, MCRED_ERR_CRYPTO, "wrong passphrase, or the sealed document was "
                                               "altered");
        goto out;
    }
    rc = mc_buf_append(out, pt, ct.len - crypto_secretbox_MACBYTES);
    if (rc)
        rc = mc_err_set(err, rc, "unseal: the plaintext does not fit");
out:
    if (key)
        sodium_free(key);
    if (pt) {
        sodium_memzero(pt, ct.len > crypto_secretbox_MACBYTES ? ct.len -
                                                                   crypto_secretbox_MACBYTES : 0);
        mc_free(pt);
    }
    cJSON_Delete(doc);
    mc_buf_release(&salt);
    mc_buf_release(&nonce);
    mc_buf_release(&ct);
    return rc;
}
