/* jwt.c - VC-JWT (Open Badges 3.0 §8.2): keys (Ed25519 through our mc_key,
 * RSA and EC P-256 through OpenSSL 3), compact JWS signing and verification,
 * and the check of the registered claims against the credential they wrap.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "jsonld/jcs.h"
#include "proof/jwt.h"
#include "util/codec.h"
#include "util/time.h"

#define MIN_NUMERIC_DATE (-62135596800LL)  /* 0001-01-01T00:00:00Z */
#define MAX_NUMERIC_DATE 253402300799LL    /* 9999-12-31T23:59:59Z */
#define MAX_SIG_BYTES (MC_JWT_RSA_MAX_BITS / 8)
#define MAX_KID 2048                       /* longest "kid" we sign with */

/* --- small helpers ------------------------------------------------------------ */

/* A printable, shortened copy of untrusted text for an error message. */
struct qbuf {
    char s[72];
};

static const char *q(struct qbuf *b, const char *s)
{
    size_t i = 0;

    if (!s)
        return "(none)";
    for (; *s && i < sizeof(b->s) - 4; s++) {
        unsigned char c = (unsigned char)*s;
        char ch = *s;

        if (c < 0x20 || c == 0x7f)
            ch = '?';
        b->s[i++] = ch;
    }
    if (*s) {
        while (i > 0 && ((unsigned char)b->s[i - 1] & 0xc0) == 0x80)
            i--;  /* drop a cut UTF-8 sequence: its continuation bytes */
        if (i > 0 && (unsigned char)b->s[i - 1] >= 0xc0)
            i--;  /* ... and its lead byte */
        memcpy(b->s + i, "...", 3);
        i += 3;
    }
    b->s[i] = '\0';
    return b->s;
}

static void buf_truncate(struct mc_buf *b, size_t len)
{
    b->len = len;
    if (b->ptr)
        b->ptr[len] = '\0';
}

/* Record an OpenSSL failure with its last reason, and empty its error queue
 * so nothing leaks into the next caller on this thread. */
static mcred_rc ossl_fail(struct mc_err *err, mcred_rc rc, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;

    ERR_clear_error();
    if (reason)
        return mc_err_set(err, rc, "%s: %s", what, reason);
    return mc_err_set(err, rc, "%s", what);
}

/* The first of names[0..n) that is the name of more than one member of obj,
 * or NULL. cJSON keeps duplicates and returns the first, while other parsers
 * take the last: a token must not mean two things. Work is members * n. */
static const char *dup_member(const cJSON *obj, const char *const *names, size_t n)
{
    unsigned char seen[32] = { 0 };
    const cJSON *m;
    size_t i;

    if (n > sizeof(seen))
        n = sizeof(seen);
    cJSON_ArrayForEach(m, obj) {
        for (i = 0; m->string && i < n; i++) {
            if (strcmp(m->string, names[i]) == 0 && seen[i]++)
                return names[i];
        }
    }
    return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- names ---------------------------------------------------------------------- */

const char *mc_jwt_alg_name(enum mc_jwt_alg alg)
{
    switch (alg) {
    case MC_JWT_ALG_EDDSA:
        return "EdDSA";
    case MC_JWT_ALG_RS256:
        return "RS256";
    case MC_JWT_ALG_ES256:
        return "ES256";
    default:
        return "unknown";
    }
}

enum mc_jwt_alg mc_jwt_kty_alg(enum mc_jwt_kty kty)
{
    switch (kty) {
    case MC_JWT_KTY_ED25519:
        return MC_JWT_ALG_EDDSA;
    case MC_JWT_KTY_RSA:
        return MC_JWT_ALG_RS256;
    case MC_JWT_KTY_P256:
        return MC_JWT_ALG_ES256;
    default:
        return MC_JWT_ALG_UNKNOWN;
    }
}

static const char *kty_name(enum mc_jwt_kty kty)
{
    switch (kty) {
    case MC_JWT_KTY_ED25519:
        return "an Ed25519 key";
    case MC_JWT_KTY_RSA:
        return "an RSA key";
    case MC_JWT_KTY_P256:
        return "an EC P-256 key";
    default:
        return "no key";
    }
}

/* --- keys ----------------------------------------------------------------------- */

void mc_jwt_key_clear(struct mc_jwt_key *k)
{
    if (!k)
        return;
    mc_key_clear(&k->ed);
    EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof(*k));
}

mcred_rc mc_jwt_key_from_ed25519(struct mc_jwt_key *k, const struct mc_key *src)
{
    mcred_rc rc;

    memset(k, 0, sizeof(*k));
    rc = mc_key_copy(&k->ed, src);
    if (rc)
        return rc;
    k->kty = MC_JWT_KTY_ED25519;
    k->has_private = k->ed.sk != NULL;
    return MCRED_OK;
}

/* The public half of src, sharing src's OpenSSL key by reference. */
static mcred_rc key_copy_public(struct mc_jwt_key *dst, const struct mc_jwt_key *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->kty = src->kty;
    memcpy(dst->ed.pk, src->ed.pk, sizeof(dst->ed.pk));
    if (src->pkey) {
        if (EVP_PKEY_up_ref(src->pkey) != 1)
            return MCRED_ERR_CRYPTO;
        dst->pkey = src->pkey;
    }
    return MCRED_OK;
}

/* An OpenSSL Ed25519 key into k->ed (libsodium does our Ed25519). */
static mcred_rc adopt_ed25519(struct mc_jwt_key *k, EVP_PKEY *pkey, bool priv, struct mc_err *err)
{
    uint8_t pk[MC_ED25519_PK_BYTES], seed[MC_ED25519_SEED_BYTES];
    size_t len = sizeof(pk);
    mcred_rc rc = MCRED_OK;

    if (EVP_PKEY_get_raw_public_key(pkey, pk, &len) != 1 || len != sizeof(pk))
        return ossl_fail(err, MCRED_ERR_INVALID, "cannot read the Ed25519 public key");
    if (!priv) {
        memcpy(k->ed.pk, pk, sizeof(pk));
    } else {
        len = sizeof(seed);
        if (EVP_PKEY_get_raw_private_key(pkey, seed, &len) != 1 || len != sizeof(seed))
            return ossl_fail(err, MCRED_ERR_INVALID, "cannot read the Ed25519 private key");
        rc = mc_key_generate(&k->ed, seed);
        sodium_memzero(seed, sizeof(seed));
        if (rc)
            return mc_err_set(err, rc, "cannot load the Ed25519 private key");
        if (memcmp(k->ed.pk, pk, sizeof(pk)) != 0) {
            mc_key_clear(&k->ed);
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "Ed25519 PEM key: public key does not match the private key");
        }
    }
    k->kty = MC_JWT_KTY_ED25519;
    k->has_private = priv;
    return MCRED_OK;
}

/* Classify pkey and move it into k (k is empty). Takes pkey even on failure. */
static mcred_rc adopt_pkey(struct mc_jwt_key *k, EVP_PKEY *pkey, bool priv, struct mc_err *err)
{
    char group[64];
    size_t glen = 0;
    mcred_rc rc;
    int bits;

    if (EVP_PKEY_is_a(pkey, "RSA")) {
        bits = EVP_PKEY_get_bits(pkey);
        if (bits < MC_JWT_RSA_MIN_BITS || bits > MC_JWT_RSA_MAX_BITS) {
            EVP_PKEY_free(pkey);
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "RSA key has %d bits; RS256 needs %d to %d", bits,
                              MC_JWT_RSA_MIN_BITS, MC_JWT_RSA_MAX_BITS);
        }
        k->kty = MC_JWT_KTY_RSA;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof(group), &glen) != 1)
            group[0] = '\0';
        if (strcmp(group, "prime256v1") != 0) {
            EVP_PKEY_free(pkey);
            ERR_clear_error();
            return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                              "EC key on curve '%s'; only P-256 (ES256) is supported",
                              group[0] ? group : "unknown");
        }
        k->kty = MC_JWT_KTY_P256;
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        rc = adopt_ed25519(k, pkey, priv, err);
        EVP_PKEY_free(pkey);
        return rc;
    } else {
        rc = mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                        "key type '%s' is not supported; RSA, EC P-256 or Ed25519 expected",
                        EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?");
        EVP_PKEY_free(pkey);
        return rc;
    }
    k->pkey = pkey;
    k->has_private = priv;
    return MCRED_OK;
}

/* Passphrase callback: never prompts; no passphrase means failure. */
static int pem_pass(char *buf, int size, int rwflag, void *u)
{
    const char *pass = u;
    size_t n;

    (void)rwflag;
    if (!pass || size < 0)
        return -1;
    n = strlen(pass);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, pass, n);
    return (int)n;
}

/* True when needle occurs in p[0..n). */
static bool has_text(const char *p, size_t n, const char *needle)
{
    size_t m = strlen(needle), i;

    for (i = 0; m <= n && i <= n - m; i++) {
        if (memcmp(p + i, needle, m) == 0)
            return true;
    }
    return false;
}

mcred_rc mc_jwt_key_from_pem(struct mc_jwt_key *k, const char *pem, size_t n,
                             const char *passphrase, struct mc_err *err)
{
    EVP_PKEY *pkey = NULL;
    bool priv;
    BIO *bio;

    memset(k, 0, sizeof(*k));
    if (n > MC_JWT_MAX_PEM)
        return mc_err_set(err, MCRED_ERR_LIMIT, "PEM key of %zu bytes exceeds the limit of %zu",
                          n, MC_JWT_MAX_PEM);
    if (has_text(pem, n, "PRIVATE KEY-----"))
        priv = true;
    else if (has_text(pem, n, "PUBLIC KEY-----"))
        priv = false;
    else
        return mc_err_set(err, MCRED_ERR_INVALID, "no PEM private or public key found");
    bio = BIO_new_mem_buf(pem, (int)n);
    if (!bio)
        return ossl_fail(err, MCRED_ERR_NOMEM, "cannot read the PEM key");
    if (priv)
        pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_pass, (void *)(uintptr_t)passphrase);
    else
        pkey = PEM_read_bio_PUBKEY(bio, NULL, pem_pass, NULL);
    BIO_free(bio);
    if (!pkey) {
        if (priv && has_text(pem, n, "ENCRYPTED"))
            return ossl_fail(err, MCRED_ERR_CRYPTO,
                             passphrase ? "cannot decrypt the PEM private key (wrong passphrase?)"
                                        : "the PEM private key is encrypted; a passphrase is "
                                          "needed");
        return ossl_fail(err, MCRED_ERR_INVALID,
                         priv ? "malformed PEM private key" : "malformed PEM public key");
    }
    return adopt_pkey(k, pkey, priv, err);
}

/* Decode the base64url JWK member name into b: between min and max bytes,
 * and, when minimal, without leading zero bytes (RFC 7518 §6.3.1). */
static mcred_rc jwk_bytes(const cJSON *jwk, const char *name, size_t min, size_t max,
                          bool minimal, struct mc_buf *b, struct mc_err *err)
{
    const char *v = mc_json_str(jwk, name);
    size_t n;

    if (!v)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' is missing or not a string",
                          name);
    n = strlen(v);
    if (n > (max * 4 + 2) / 3)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' is longer than %zu bytes",
                          name, max);
    mc_buf_init(b, max + 3);
    if (mc_b64url_decode(b, v, n) != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' is not valid base64url", name);
    if (b->len < min || b->len > max)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' has %zu bytes; %zu to %zu "
                          "expected", name, b->len, min, max);
    if (minimal && (uint8_t)b->ptr[0] == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' has a leading zero byte",
                          name);
    return MCRED_OK;
}

/* Build an OpenSSL public key of type name ("RSA", "EC") from params. */
static mcred_rc pkey_fromdata(const char *name, OSSL_PARAM *params, EVP_PKEY **out,
                              struct mc_err *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
    EVP_PKEY_CTX *check = NULL;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (!ctx)
        return ossl_fail(err, MCRED_ERR_NOMEM, "cannot create an OpenSSL key context");
    if (EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        rc = ossl_fail(err, MCRED_ERR_INVALID, "JWK is not a valid public key");
        goto out;
    }
    check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
    if (!check || EVP_PKEY_public_check(check) != 1)
        rc = ossl_fail(err, MCRED_ERR_INVALID, "JWK public key fails its validity check");
out:
    if (rc) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

static mcred_rc jwk_rsa(struct mc_jwt_key *k, const cJSON *jwk, struct mc_err *err)
{
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    struct mc_buf n, e;
    EVP_PKEY *pkey = NULL;
    mcred_rc rc;

    mc_buf_init(&n, 0);
    mc_buf_init(&e, 0);
    rc = jwk_bytes(jwk, "n", MC_JWT_RSA_MIN_BITS / 8, MC_JWT_RSA_MAX_BITS / 8, true, &n, err);
    if (!rc)
        rc = jwk_bytes(jwk, "e", 1, 8, true, &e, err);
    if (rc)
        goto out;
    bn_n = BN_bin2bn((const unsigned char *)n.ptr, (int)n.len, NULL);
    bn_e = BN_bin2bn((const unsigned char *)e.ptr, (int)e.len, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
        !(params = OSSL_PARAM_BLD_to_param(bld))) {
        rc = ossl_fail(err, MCRED_ERR_NOMEM, "cannot build the RSA key");
        goto out;
    }
    rc = pkey_fromdata("RSA", params, &pkey, err);
    if (!rc)
        rc = adopt_pkey(k, pkey, false, err);
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    mc_buf_release(&n);
    mc_buf_release(&e);
    return rc;
}

static mcred_rc jwk_p256(struct mc_jwt_key *k, const cJSON *jwk, struct mc_err *err)
{
    char group[] = "prime256v1";
    unsigned char point[65];
    OSSL_PARAM params[3];
    struct mc_buf x, y;
    EVP_PKEY *pkey = NULL;
    mcred_rc rc;

    mc_buf_init(&x, 0);
    mc_buf_init(&y, 0);
    rc = jwk_bytes(jwk, "x", 32, 32, false, &x, err);
    if (!rc)
        rc = jwk_bytes(jwk, "y", 32, 32, false, &y, err);
    if (rc)
        goto out;
    point[0] = 0x04;  /* uncompressed SEC1 point */
    memcpy(point + 1, x.ptr, 32);
    memcpy(point + 33, y.ptr, 32);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point,
                                                  sizeof(point));
    params[2] = OSSL_PARAM_construct_end();
    rc = pkey_fromdata("EC", params, &pkey, err);
    if (!rc)
        rc = adopt_pkey(k, pkey, false, err);
out:
    mc_buf_release(&x);
    mc_buf_release(&y);
    return rc;
}

static mcred_rc jwk_okp(struct mc_jwt_key *k, const cJSON *jwk, struct mc_err *err)
{
    const char *crv = mc_json_str(jwk, "crv");
    struct mc_buf x;
    mcred_rc rc;

    if (!crv || strcmp(crv, "Ed25519") != 0) {
        struct qbuf qb;

        return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                          "OKP JWK curve '%s' is not supported; only Ed25519", q(&qb, crv));
    }
    mc_buf_init(&x, 0);
    rc = jwk_bytes(jwk, "x", MC_ED25519_PK_BYTES, MC_ED25519_PK_BYTES, false, &x, err);
    if (!rc) {
        memcpy(k->ed.pk, x.ptr, MC_ED25519_PK_BYTES);
        k->kty = MC_JWT_KTY_ED25519;
    }
    mc_buf_release(&x);
    return rc;
}

mcred_rc mc_jwt_key_from_jwk(struct mc_jwt_key *k, const cJSON *jwk, struct mc_err *err)
{
    static const char *const private_members[] = { "d", "p", "q", "dp", "dq", "qi", "oth",
                                                   "k" };
    static const char *const members[] = { "kty", "crv", "x", "y", "n", "e" };
    const char *kty, *dup;
    struct qbuf qb;
    size_t i;
    mcred_rc rc;

    memset(k, 0, sizeof(*k));
    if (!cJSON_IsObject(jwk))
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK is not a JSON object");
    for (i = 0; i < COUNT(private_members); i++) {
        if (mc_json_get(jwk, private_members[i]))
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "JWK has the private key member '%s'; only a public key may be "
                              "given", private_members[i]);
    }
    dup = dup_member(jwk, members, COUNT(members));
    if (dup)
        return mc_err_set(err, MCRED_ERR_INVALID, "JWK member '%s' appears twice", dup);
    kty = mc_json_str(jwk, "kty");
    if (kty && strcmp(kty, "OKP") == 0) {
        rc = jwk_okp(k, jwk, err);
    } else if (kty && strcmp(kty, "RSA") == 0) {
        rc = jwk_rsa(k, jwk, err);
    } else if (kty && strcmp(kty, "EC") == 0) {
        const char *crv = mc_json_str(jwk, "crv");

        if (!crv || strcmp(crv, "P-256") != 0)
            return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                              "EC JWK curve '%s' is not supported; only P-256", q(&qb, crv));
        rc = jwk_p256(k, jwk, err);
    } else {
        return mc_err_set(err, kty ? MCRED_ERR_UNSUPPORTED : MCRED_ERR_INVALID,
                          "JWK kty '%s' is not supported; OKP, RSA or EC expected",
                          q(&qb, kty));
    }
    if (rc)
        mc_jwt_key_clear(k);
    return rc;
}

/* Append "name":"<base64url of bn, padded to pad bytes when pad > 0>". */
static mcred_rc jwk_append_bn(struct mc_buf *out, const char *name, const BIGNUM *bn, int pad)
{
    unsigned char tmp[MC_JWT_RSA_MAX_BITS / 8];
    int len = pad > 0 ? pad : BN_num_bytes(bn);
    mcred_rc rc;

    if (len <= 0 || len > (int)sizeof(tmp) || BN_bn2binpad(bn, tmp, len) != len)
        return MCRED_ERR_INTERNAL;
    rc = mc_buf_printf(out, ",\"%s\":\"", name);
    if (!rc)
        rc = mc_b64url_encode(out, tmp, (size_t)len);
    if (!rc)
        rc = mc_buf_appendc(out, '"');
    return rc;
}

mcred_rc mc_jwt_key_to_jwk(const struct mc_jwt_key *k, struct mc_buf *out)
{
    const char *p1 = NULL, *p2 = NULL;
    BIGNUM *a = NULL, *b = NULL;
    size_t start = out->len;
    int pad = 0;
    mcred_rc rc;

    switch (k->kty) {
    case MC_JWT_KTY_ED25519:
        return mc_key_to_jwk(&k->ed, false, out);
    case MC_JWT_KTY_RSA:
        p1 = OSSL_PKEY_PARAM_RSA_N;
        p2 = OSSL_PKEY_PARAM_RSA_E;
        rc = mc_buf_appends(out, "{\"kty\":\"RSA\"");
        break;
    case MC_JWT_KTY_P256:
        p1 = OSSL_PKEY_PARAM_EC_PUB_X;
        p2 = OSSL_PKEY_PARAM_EC_PUB_Y;
        pad = 32;
        rc = mc_buf_appends(out, "{\"kty\":\"EC\",\"crv\":\"P-256\"");
        break;
    default:
        return MCRED_ERR_INVALID;
    }
    if (!rc && (EVP_PKEY_get_bn_param(k->pkey, p1, &a) != 1 ||
                EVP_PKEY_get_bn_param(k->pkey, p2, &b) != 1)) {
        ERR_clear_error();
        rc = MCRED_ERR_CRYPTO;
    }
    if (!rc)
        rc = jwk_append_bn(out, k->kty == MC_JWT_KTY_RSA ? "n" : "x", a, pad);
    if (!rc)
        rc = jwk_append_bn(out, k->kty == MC_JWT_KTY_RSA ? "e" : "y", b, pad);
    if (!rc)
        rc = mc_buf_appendc(out, '}');
    if (rc)
        buf_truncate(out, start);
    BN_free(a);
    BN_free(b);
    return rc;
}

bool mc_jwt_key_equal(const struct mc_jwt_key *a, const struct mc_jwt_key *b)
{
    if (a->kty != b->kty || a->kty == MC_JWT_KTY_NONE)
        return false;
    if (a->kty == MC_JWT_KTY_ED25519)
        return memcmp(a->ed.pk, b->ed.pk, MC_ED25519_PK_BYTES) == 0;
    return a->pkey && b->pkey && EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

/* --- signatures --------------------------------------------------------------------- */

mcred_rc mc_jwt_ecdsa_der_to_raw(const uint8_t *der, size_t n, struct mc_buf *out)
{
    const unsigned char *p = der;
    const BIGNUM *r, *s;
    uint8_t raw[64];
    ECDSA_SIG *sig;
    mcred_rc rc = MCRED_ERR_INVALID;

    if (n > 128)
        return MCRED_ERR_INVALID;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
    if (sig && p == der + n) {
        ECDSA_SIG_get0(sig, &r, &s);
        if (BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32)
            rc = MCRED_OK;
    }
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return rc ? rc : mc_buf_append(out, raw, sizeof(raw));
}

mcred_rc mc_jwt_ecdsa_raw_to_der(const uint8_t *raw, size_t n, struct mc_buf *out)
{
    BIGNUM *r, *s;
    ECDSA_SIG *sig;
    unsigned char *p;
    mcred_rc rc;
    int len;

    if (n != 64)
        return MCRED_ERR_INVALID;
    r = BN_bin2bn(raw, 32, NULL);
    s = BN_bin2bn(raw + 32, 32, NULL);
    sig = ECDSA_SIG_new();
    if (!r || !s || !sig || ECDSA_SIG_set0(sig, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        ERR_clear_error();
        return MCRED_ERR_NOMEM;
    }
    len = i2d_ECDSA_SIG(sig, NULL);
    rc = len > 0 ? mc_buf_grow(out, (size_t)len) : MCRED_ERR_CRYPTO;
    if (!rc) {
        p = (unsigned char *)out->ptr + out->len;
        if (i2d_ECDSA_SIG(sig, &p) == len) {
            out->len += (size_t)len;
            out->ptr[out->len] = '\0';
        } else {
            rc = MCRED_ERR_CRYPTO;
        }
    }
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return rc;
}

/* SHA-256 signature with an OpenSSL key (PKCS#1 v1.5 for RSA, DER for ECDSA). */
static mcred_rc evp_sign(EVP_PKEY *pkey, const void *msg, size_t n, struct mc_buf *sig,
                         struct mc_err *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t len = 0;
    mcred_rc rc;

    if (!md)
        return ossl_fail(err, MCRED_ERR_NOMEM, "cannot create a digest context");
    if (EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, pkey, NULL) != 1 ||
        EVP_DigestSign(md, NULL, &len, msg, n) != 1) {
        rc = ossl_fail(err, MCRED_ERR_CRYPTO, "cannot start the signature");
        goto out;
    }
    rc = mc_buf_grow(sig, len);
    if (rc) {
        mc_err_set(err, rc, "no room for a %zu-byte signature", len);
        goto out;
    }
    if (EVP_DigestSign(md, (unsigned char *)sig->ptr + sig->len, &len, msg, n) != 1) {
        rc = ossl_fail(err, MCRED_ERR_CRYPTO, "signing failed");
        goto out;
    }
    sig->len += len;
    sig->ptr[sig->len] = '\0';
out:
    EVP_MD_CTX_free(md);
    return rc;
}

static mcred_rc evp_verify(EVP_PKEY *pkey, const void *msg, size_t n, const uint8_t *sig,
                           size_t siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    mcred_rc rc = MCRED_ERR_VERIFY;

    if (!md)
        return MCRED_ERR_NOMEM;
    if (EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, pkey, NULL) == 1 &&
        EVP_DigestVerify(md, sig, siglen, msg, n) == 1)
        rc = MCRED_OK;
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return rc;
}

/* The JWS signature of msg[0..n) with private key k, appended to sig. */
static mcred_rc sign_bytes(const struct mc_jwt_key *k, const void *msg, size_t n,
                           struct mc_buf *sig, struct mc_err *err)
{
    uint8_t ed[MC_ED25519_SIG_BYTES];
    struct mc_buf der;
    mcred_rc rc;

    switch (k->kty) {
    case MC_JWT_KTY_ED25519:
        rc = mc_key_sign(&k->ed, msg, n, ed);
        if (rc)
            return mc_err_set(err, rc, "Ed25519 signing failed");
        return mc_buf_append(sig, ed, sizeof(ed));
    case MC_JWT_KTY_RSA:
        return evp_sign(k->pkey, msg, n, sig, err);
    case MC_JWT_KTY_P256:
        mc_buf_init(&der, 256);
        rc = evp_sign(k->pkey, msg, n, &der, err);
        if (!rc)
            rc = mc_jwt_ecdsa_der_to_raw((const uint8_t *)der.ptr, der.len, sig);
        mc_buf_release(&der);
        return rc;
    default:
        return mc_err_set(err, MCRED_ERR_INVALID, "the signing key is empty");
    }
}

/* Check the JWS signature sig[0..siglen) of msg[0..n) with public key k. */
static mcred_rc verify_bytes(const struct mc_jwt_key *k, const void *msg, size_t n,
                             const uint8_t *sig, size_t siglen, struct mc_err *err)
{
    const char *alg = mc_jwt_alg_name(mc_jwt_kty_alg(k->kty));
    size_t want = 64;
    struct mc_buf der;
    mcred_rc rc;

    if (k->kty == MC_JWT_KTY_RSA)
        want = (size_t)EVP_PKEY_get_size(k->pkey);
    if (siglen != want)
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt %s signature has %zu bytes; %zu "
                          "expected", alg, siglen, want);
    switch (k->kty) {
    case MC_JWT_KTY_ED25519:
        rc = mc_key_verify(&k->ed, msg, n, sig);
        break;
    case MC_JWT_KTY_RSA:
        rc = evp_verify(k->pkey, msg, n, sig, siglen);
        break;
    case MC_JWT_KTY_P256:
        mc_buf_init(&der, 256);
        rc = mc_jwt_ecdsa_raw_to_der(sig, siglen, &der);
        if (!rc)
            rc = evp_verify(k->pkey, msg, n, (const uint8_t *)der.ptr, der.len);
        mc_buf_release(&der);
        break;
    default:
        rc = MCRED_ERR_INTERNAL;
        break;
    }
    if (rc == MCRED_ERR_VERIFY)
        return mc_err_set(err, rc, "vc-jwt %s signature does not verify with %s", alg,
                          kty_name(k->kty));
    if (rc)
        return mc_err_set(err, rc, "vc-jwt %s signature check failed: %s", alg,
                          mcred_strerror(rc));
    return MCRED_OK;
}

/* --- the credential's side of the claims ---------------------------------------- */

/* issuer id: the issuer string, or issuer.id. NULL when neither. */
static const char *issuer_id(const cJSON *cred)
{
    const cJSON *iss = mc_json_get(cred, "issuer");

    if (cJSON_IsString(iss))
        return iss->valuestring;
    return cJSON_IsObject(iss) ? mc_json_str(iss, "id") : NULL;
}

/* The single credentialSubject object. MCRED_ERR_INVALID when there is none,
 * or several (VC-JWT's "sub" names one subject). */
static mcred_rc subject_of(const cJSON *cred, cJSON **out, struct mc_err *err)
{
    cJSON *s = mc_json_get(cred, "credentialSubject");

    *out = NULL;
    if (cJSON_IsArray(s) && cJSON_GetArraySize(s) == 1)
        s = cJSON_GetArrayItem(s, 0);
    if (cJSON_IsArray(s))
        return mc_err_set(err, MCRED_ERR_INVALID, "credential has %d credentialSubjects; "
                          "vc-jwt 'sub' names exactly one", cJSON_GetArraySize(s));
    if (!cJSON_IsObject(s))
        return mc_err_set(err, MCRED_ERR_INVALID, "credential has no credentialSubject object");
    *out = s;
    return MCRED_OK;
}

/* A string member that may be absent: NULL then. Present but not a string is
 * MCRED_ERR_INVALID. what prefixes the message ("credential", "vc-jwt"). */
static mcred_rc opt_str(const cJSON *obj, const char *name, const char *what, const char **out,
                        struct mc_err *err)
{
    const cJSON *v = mc_json_get(obj, name);

    *out = NULL;
    if (!v)
        return MCRED_OK;
    if (!cJSON_IsString(v))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s '%s' is not a string", what, name);
    *out = v->valuestring;
    return MCRED_OK;
}

/* The credential's start (validFrom, else issuanceDate) or end (validUntil,
 * else expirationDate) as seconds; *name says which member, NULL when absent. */
static mcred_rc cred_date(const cJSON *cred, bool end, const char **name, int64_t *t,
                          struct mc_err *err)
{
    const char *first = end ? "validUntil" : "validFrom";
    const char *second = end ? "expirationDate" : "issuanceDate";
    const char *s;
    struct qbuf qb;
    time_t v;
    mcred_rc rc;

    *name = NULL;
    *t = 0;
    *name = mc_json_get(cred, first) ? first : second;
    rc = opt_str(cred, *name, "credential", &s, err);
    if (rc || !s) {
        *name = NULL;
        return rc;
    }
    if (mc_time_parse(s, false, &v) != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential '%s' '%s' is not an XML Schema "
                          "dateTime", *name, q(&qb, s));
    *t = (int64_t)v;
    return MCRED_OK;
}

/* The claims a credential implies (signing) or a token carries (verifying). */
struct claims {
    const char *iss, *jti, *sub;  /* borrowed; NULL when absent */
    bool has_nbf, has_exp;
    int64_t nbf, exp;
};

/* --- signing -------------------------------------------------------------------------- */

static const char *const claim_names[] = { "iss", "jti", "sub", "nbf", "exp" };

/* The claims OB 3.0 requires a credential to yield. */
static mcred_rc claims_for(const cJSON *cred, struct claims *c, struct mc_err *err)
{
    const char *name = NULL;
    cJSON *subj;
    mcred_rc rc;

    memset(c, 0, sizeof(*c));
    if (!cJSON_IsObject(cred))
        return mc_err_set(err, MCRED_ERR_INVALID, "the credential is not a JSON object");
    c->iss = issuer_id(cred);
    if (!c->iss)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential has no issuer id for vc-jwt 'iss'");
    rc = opt_str(cred, "id", "credential", &c->jti, err);
    if (!rc && !c->jti)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "credential has no 'id' for vc-jwt 'jti'");
    if (!rc)
        rc = subject_of(cred, &subj, err);
    if (!rc)
        rc = opt_str(subj, "id", "credentialSubject", &c->sub, err);
    if (!rc && !c->sub)
        rc = mc_err_set(err, MCRED_ERR_INVALID,
                        "credentialSubject has no 'id' for vc-jwt 'sub' (OB 3.0 requires it)");
    if (!rc)
        rc = cred_date(cred, false, &name, &c->nbf, err);
    if (!rc && !name)
        rc = mc_err_set(err, MCRED_ERR_INVALID,
                        "credential has neither 'validFrom' nor 'issuanceDate' for vc-jwt 'nbf'");
    c->has_nbf = true;
    if (!rc)
        rc = cred_date(cred, true, &name, &c->exp, err);
    c->has_exp = name != NULL;
    return rc;
}

static mcred_rc add_str(cJSON *obj, const char *name, const char *v)
{
    return cJSON_AddStringToObject(obj, name, v) ? MCRED_OK : MCRED_ERR_NOMEM;
}

static mcred_rc add_num(cJSON *obj, const char *name, int64_t v)
{
    return cJSON_AddNumberToObject(obj, name, (double)v) ? MCRED_OK : MCRED_ERR_NOMEM;
}

/* The payload: a copy of cred whose claim members are replaced by c. */
static mcred_rc build_payload(const cJSON *cred, const struct claims *c, cJSON **out)
{
    cJSON *p = cJSON_Duplicate(cred, true);
    mcred_rc rc;
    size_t i;

    *out = NULL;
    if (!p)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < COUNT(claim_names); i++) {
        while (mc_json_get(p, claim_names[i]))
            cJSON_DeleteItemFromObjectCaseSensitive(p, claim_names[i]);
    }
    rc = add_str(p, "iss", c->iss);
    if (!rc)
        rc = add_str(p, "jti", c->jti);
    if (!rc)
        rc = add_str(p, "sub", c->sub);
    if (!rc)
        rc = add_num(p, "nbf", c->nbf);
    if (!rc && c->has_exp)
        rc = add_num(p, "exp", c->exp);
    if (rc) {
        cJSON_Delete(p);
        return rc;
    }
    *out = p;
    return MCRED_OK;
}

static mcred_rc build_header(const struct mc_jwt_key *key, const struct mc_jwt_sign_opts *opts,
                             cJSON **out, struct mc_err *err)
{
    const char *kid = opts ? opts->kid : NULL;
    cJSON *h = cJSON_CreateObject(), *jwk = NULL;
    struct mc_buf b;
    mcred_rc rc;

    *out = NULL;
    if (!h)
        return MCRED_ERR_NOMEM;
    rc = add_str(h, "alg", mc_jwt_alg_name(mc_jwt_kty_alg(key->kty)));
    if (!rc)
        rc = add_str(h, "typ", "JWT");
    if (!rc && kid) {
        size_t n = strlen(kid);

        if (n == 0 || n > MAX_KID || !mc_utf8_valid(kid, n))
            rc = mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt 'kid' must be 1 to %d bytes of "
                            "UTF-8", MAX_KID);
        else
            rc = add_str(h, "kid", kid);
    }
    if (!rc && (!kid || opts->embed_jwk)) {
        mc_buf_init(&b, 4096);
        rc = mc_jwt_key_to_jwk(key, &b);
        if (!rc)
            rc = mc_json_parse(b.ptr, b.len, 0, &jwk, err);
        if (!rc && !cJSON_AddItemToObject(h, "jwk", jwk)) {
            cJSON_Delete(jwk);
            rc = MCRED_ERR_NOMEM;
        }
        mc_buf_release(&b);
    }
    if (rc) {
        cJSON_Delete(h);
        return rc;
    }
    *out = h;
    return MCRED_OK;
}

/* Append BASE64URL(JSON of v), written as JavaScript's JSON.stringify would
 * (cJSON's printer rounds doubles: a verifier comparing the payload with the
 * credential would see other numbers). */
static mcred_rc append_b64_json(struct mc_buf *out, const cJSON *v, struct mc_err *err)
{
    struct mc_buf j;
    mcred_rc rc;

    mc_buf_init(&j, MC_JWT_MAX_TOKEN);
    rc = mc_json_stringify(v, 0, &j, err);
    if (rc == MCRED_ERR_LIMIT)
        rc = mc_err_set(err, rc, "vc-jwt would exceed %zu bytes", MC_JWT_MAX_TOKEN);
    if (!rc)
        rc = mc_b64url_encode(out, j.ptr, j.len);
    mc_buf_release(&j);
    return rc;
}

mcred_rc mc_jwt_sign(const cJSON *cred, const struct mc_jwt_key *key,
                     const struct mc_jwt_sign_opts *opts, struct mc_buf *out,
                     struct mc_err *err)
{
    size_t start = out->len;
    cJSON *hdr = NULL, *pl = NULL;
    struct claims c;
    struct mc_buf sig;
    mcred_rc rc;

    mc_buf_init(&sig, MAX_SIG_BYTES);
    if (!key->has_private)
        return mc_err_set(err, MCRED_ERR_INVALID, "the vc-jwt signing key has no private part");
    rc = claims_for(cred, &c, err);
    if (!rc)
        rc = build_header(key, opts, &hdr, err);
    if (!rc)
        rc = build_payload(cred, &c, &pl);
    if (!rc)
        rc = append_b64_json(out, hdr, err);
    if (!rc)
        rc = mc_buf_appendc(out, '.');
    if (!rc)
        rc = append_b64_json(out, pl, err);
    if (!rc && out->len - start > MC_JWT_MAX_TOKEN)
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "vc-jwt would exceed %zu bytes", MC_JWT_MAX_TOKEN);
    if (!rc)
        rc = sign_bytes(key, out->ptr + start, out->len - start, &sig, err);
    if (!rc)
        rc = mc_buf_appendc(out, '.');
    if (!rc)
        rc = mc_b64url_encode(out, sig.ptr, sig.len);
    if (rc) {
        buf_truncate(out, start);
        if (rc == MCRED_ERR_NOMEM && err && !err->msg[0])
            mc_err_set(err, rc, "out of memory while signing the vc-jwt");
    }
    cJSON_Delete(hdr);
    cJSON_Delete(pl);
    mc_buf_release(&sig);
    return rc;
}

/* --- verifying: form and header ----------------------------------------------------- */

struct parts {
    const char *h, *p, *s;  /* the three base64url segments */
    size_t hn, pn, sn;
};

static mcred_rc split(const char *t, size_t n, struct parts *pt, struct mc_err *err)
{
    size_t dots = 0, at[2] = { 0, 0 }, i;

    if (n > MC_JWT_MAX_TOKEN)
        return mc_err_set(err, MCRED_ERR_LIMIT, "vc-jwt of %zu bytes exceeds the limit of %zu",
                          n, MC_JWT_MAX_TOKEN);
    for (i = 0; i < n; i++) {
        if (t[i] == '.') {
            if (dots < 2)
                at[dots] = i;
            dots++;
        }
    }
    if (dots != 2)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt has %zu parts separated by '.'; a "
                          "compact JWS has 3", dots + 1);
    pt->h = t;
    pt->hn = at[0];
    pt->p = t + at[0] + 1;
    pt->pn = at[1] - at[0] - 1;
    pt->s = t + at[1] + 1;
    pt->sn = n - at[1] - 1;
    if (!pt->hn || !pt->pn || !pt->sn)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt %s part is empty",
                          !pt->hn ? "header" : !pt->pn ? "payload" : "signature");
    return MCRED_OK;
}

/* Decode base64url part [s, s+n) (at most max bytes) and parse it as a JSON
 * object. what names the part in messages. */
static mcred_rc decode_json(const char *s, size_t n, size_t max, const char *what, cJSON **out,
                            struct mc_err *err)
{
    struct mc_err inner;
    struct mc_buf b;
    mcred_rc rc;

    *out = NULL;
    if (n > (max * 4 + 2) / 3)
        return mc_err_set(err, MCRED_ERR_LIMIT, "vc-jwt %s exceeds %zu bytes", what, max);
    mc_buf_init(&b, max + 3);
    rc = mc_b64url_decode(&b, s, n);
    if (rc == MCRED_ERR_INVALID) {
        rc = mc_err_set(err, rc, "vc-jwt %s is not valid base64url (unpadded, canonical)", what);
        goto out;
    }
    if (rc)
        goto out;
    if (b.len > max) {
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "vc-jwt %s exceeds %zu bytes", what, max);
        goto out;
    }
    mc_err_clear(&inner);
    rc = mc_json_parse(b.ptr, b.len, max, out, &inner);
    if (rc) {
        rc = mc_err_set(err, rc, "vc-jwt %s: %s", what, mc_err_msg(&inner));
        goto out;
    }
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        rc = mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt %s is not a JSON object", what);
    }
out:
    mc_buf_release(&b);
    return rc;
}

static mcred_rc check_typ(const cJSON *h, struct mc_err *err)
{
    static const char *const ok[] = { "JWT", "vc+jwt", "vc-ld+jwt" };
    const cJSON *typ = mc_json_get(h, "typ");
    const char *t;
    struct qbuf qb;
    size_t i;

    if (!typ)
        return MCRED_OK;
    if (!cJSON_IsString(typ))
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header 'typ' is not a string");
    t = typ->valuestring;
    if (strncasecmp(t, "application/", 12) == 0)
        t += 12;
    for (i = 0; i < COUNT(ok); i++) {
        if (strcasecmp(t, ok[i]) == 0)
            return MCRED_OK;
    }
    return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header 'typ' is '%s'; OB 3.0 requires "
                      "'JWT'", q(&qb, typ->valuestring));
}

/* The header's alg, refusing the unsecured and the shared-secret ones. */
static mcred_rc check_alg(const cJSON *h, enum mc_jwt_alg *alg, struct mc_err *err)
{
    const char *a = mc_json_str(h, "alg");
    struct qbuf qb;

    *alg = MC_JWT_ALG_UNKNOWN;
    if (!a)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header has no 'alg' string");
    if (strcmp(a, "EdDSA") == 0 || strcmp(a, "Ed25519") == 0)
        *alg = MC_JWT_ALG_EDDSA;
    else if (strcmp(a, "RS256") == 0)
        *alg = MC_JWT_ALG_RS256;
    else if (strcmp(a, "ES256") == 0)
        *alg = MC_JWT_ALG_ES256;
    else if (strcasecmp(a, "none") == 0)
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt 'alg' is '%s': an unsecured JWT proves "
                          "nothing and is refused", q(&qb, a));
    else if (strncmp(a, "HS", 2) == 0)
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt 'alg' '%s' is a shared-secret MAC, not "
                          "an issuer's signature, and is refused", q(&qb, a));
    else
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "vc-jwt 'alg' '%s' is not supported "
                          "(EdDSA, RS256, ES256)", q(&qb, a));
    return MCRED_OK;
}

static const char *const header_names[] = { "alg", "kid", "jwk", "typ", "crit" };

/* Header checks of step 2 and 3; sets out->alg and out->kid, and *jwk. */
static mcred_rc check_header(struct mc_jwt_result *out, const cJSON **jwk, struct mc_err *err)
{
    const cJSON *h = out->header, *kid;
    const char *dup;
    mcred_rc rc;

    dup = dup_member(h, header_names, COUNT(header_names));
    if (dup)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header has '%s' twice", dup);
    rc = check_alg(h, &out->alg, err);
    if (!rc)
        rc = check_typ(h, err);
    if (rc)
        return rc;
    if (mc_json_get(h, "crit"))
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "vc-jwt header has 'crit' extensions, "
                          "which this verifier does not implement");
    kid = mc_json_get(h, "kid");
    if (kid && (!cJSON_IsString(kid) || !kid->valuestring[0]))
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header 'kid' is not a non-empty string");
    out->kid = kid ? kid->valuestring : NULL;
    *jwk = mc_json_get(h, "jwk");
    if (*jwk && !cJSON_IsObject(*jwk))
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header 'jwk' is not a JSON object");
    return MCRED_OK;
}

/* --- verifying: the key ----------------------------------------------------------------- */

/* did:key:<mb>[#<mb>] with an Ed25519 Multikey <mb>: the key is in the DID. */
static mcred_rc did_key_resolve(const char *kid, struct mc_jwt_key *out, struct mc_err *err)
{
    const char *msid = kid + 8, *frag = strchr(kid, '#');
    size_t len = frag ? (size_t)(frag - msid) : strlen(msid);
    struct mc_key k;
    struct qbuf qb;
    char mb[128];
    mcred_rc rc;

    if (len < 4 || memcmp(msid, "z6Mk", 4) != 0)  /* 0xed01 in base58btc */
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "did:key kid '%s' is not an Ed25519 key; "
                          "a resolver is needed for it", q(&qb, kid));
    if (len >= sizeof(mb))
        return mc_err_set(err, MCRED_ERR_INVALID, "did:key kid '%s' is malformed", q(&qb, kid));
    memcpy(mb, msid, len);
    mb[len] = '\0';
    if (frag && strcmp(frag + 1, mb) != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "did:key kid '%s': the fragment is not the "
                          "key of the DID", q(&qb, kid));
    rc = mc_key_from_multibase(&k, mb, err);
    if (rc)
        return rc;
    if (k.sk) {
        mc_key_clear(&k);
        return mc_err_set(err, MCRED_ERR_INVALID, "did:key kid holds a secret key");
    }
    memset(out, 0, sizeof(*out));
    out->kty = MC_JWT_KTY_ED25519;
    memcpy(out->ed.pk, k.pk, MC_ED25519_PK_BYTES);
    return MCRED_OK;
}

static mcred_rc resolve_kid(const struct mc_jwt_verify_opts *opts, struct mc_jwt_result *out,
                            struct mc_err *err)
{
    const struct mc_jwt_resolver *r = opts->resolver;
    struct qbuf qb;
    mcred_rc rc;

    if (r && r->resolve) {
        mc_err_clear(err);
        rc = r->resolve(r->ud, out->kid, mc_jwt_alg_name(out->alg), &out->key, err);
        if (!rc && out->key.kty == MC_JWT_KTY_NONE)
            rc = MCRED_ERR_NOTFOUND;
        if (rc) {
            mc_jwt_key_clear(&out->key);
            if (err && !err->msg[0])
                mc_err_set(err, rc, "cannot resolve vc-jwt 'kid' '%s': %s", q(&qb, out->kid),
                           mcred_strerror(rc));
            return rc;
        }
        out->key.has_private = false;
        out->key_source = MC_JWT_KEYSRC_RESOLVER;
        return MCRED_OK;
    }
    if (strncmp(out->kid, "did:key:", 8) == 0) {
        rc = did_key_resolve(out->kid, &out->key, err);
        if (!rc)
            out->key_source = MC_JWT_KEYSRC_DID_KEY;
        return rc;
    }
    return mc_err_set(err, MCRED_ERR_NOTFOUND, "no resolver for vc-jwt 'kid' '%s'",
                      q(&qb, out->kid));
}

/* Step 4: the verifying key into out->key, and its fit with alg. */
static mcred_rc find_key(const struct mc_jwt_verify_opts *opts, const cJSON *jwk_json,
                         struct mc_jwt_result *out, struct mc_err *err)
{
    struct mc_jwt_key jwk;
    struct mc_err inner;
    mcred_rc rc = MCRED_OK;

    memset(&jwk, 0, sizeof(jwk));
    if (jwk_json) {
        mc_err_clear(&inner);
        rc = mc_jwt_key_from_jwk(&jwk, jwk_json, &inner);
        if (rc)
            return mc_err_set(err, rc, "vc-jwt header 'jwk': %s", mc_err_msg(&inner));
    }
    if (opts->key) {
        rc = key_copy_public(&out->key, opts->key);
        out->key_source = MC_JWT_KEYSRC_CALLER;
        if (!rc && jwk_json && !mc_jwt_key_equal(&jwk, &out->key))
            rc = mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt header 'jwk' is not the key given "
                            "to verify with");
    } else if (out->kid && (opts->resolver || !jwk_json ||
                            strncmp(out->kid, "did:key:", 8) == 0)) {
        rc = resolve_kid(opts, out, err);
        if (!rc && jwk_json && !mc_jwt_key_equal(&jwk, &out->key))
            rc = mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt header 'jwk' is not the key its "
                            "'kid' names");
    } else if (jwk_json) {
        out->key = jwk;
        memset(&jwk, 0, sizeof(jwk));
        out->key_source = MC_JWT_KEYSRC_JWK;
    } else {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt header has neither 'kid' nor 'jwk': "
                        "the signing key cannot be found");
    }
    mc_jwt_key_clear(&jwk);
    if (!rc && mc_jwt_kty_alg(out->key.kty) != out->alg)
        rc = mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt 'alg' is %s but the key is %s (%s)",
                        mc_jwt_alg_name(out->alg), kty_name(out->key.kty),
                        mc_jwt_alg_name(mc_jwt_kty_alg(out->key.kty)));
    return rc;
}

static mcred_rc check_signature(const struct parts *pt, const struct mc_jwt_result *out,
                                struct mc_err *err)
{
    struct mc_buf sig;
    mcred_rc rc;

    if (pt->sn > (MAX_SIG_BYTES * 4 + 2) / 3)
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt signature is longer than %d bytes",
                          MAX_SIG_BYTES);
    mc_buf_init(&sig, MAX_SIG_BYTES + 3);
    rc = mc_b64url_decode(&sig, pt->s, pt->sn);
    if (rc) {
        mc_buf_release(&sig);
        if (rc != MCRED_ERR_INVALID)
            return rc;
        return mc_err_set(err, rc, "vc-jwt signature is not valid base64url (unpadded, "
                          "canonical)");
    }
    /* the signing input is ASCII(header '.' payload) exactly as received */
    rc = verify_bytes(&out->key, pt->h, pt->hn + 1 + pt->pn, (const uint8_t *)sig.ptr, sig.len,
                      err);
    mc_buf_release(&sig);
    return rc;
}

/* --- verifying: claims -------------------------------------------------------------------- */

static const char *const payload_names[] = { "iss", "jti", "sub", "nbf", "exp", "vc",
                                             "@context" };
static const char *const cred_names[] = { "issuer", "id", "credentialSubject", "validFrom",
                                          "validUntil", "issuanceDate", "expirationDate" };

/* A NumericDate claim that may be absent. */
static mcred_rc claim_date(const cJSON *pl, const char *name, bool *has, int64_t *t,
                           struct mc_err *err)
{
    const cJSON *v = mc_json_get(pl, name);
    double d;

    *has = false;
    *t = 0;
    if (!v)
        return MCRED_OK;
    d = cJSON_IsNumber(v) ? floor(v->valuedouble) : NAN;
    if (!isfinite(d) || d < (double)MIN_NUMERIC_DATE || d > (double)MAX_NUMERIC_DATE)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt '%s' is not a NumericDate between "
                          "years 1 and 9999", name);
    *has = true;
    *t = (int64_t)d;
    return MCRED_OK;
}

static mcred_rc read_claims(const cJSON *pl, struct claims *c, struct mc_err *err)
{
    mcred_rc rc;

    memset(c, 0, sizeof(*c));
    rc = opt_str(pl, "iss", "vc-jwt", &c->iss, err);
    if (!rc)
        rc = opt_str(pl, "jti", "vc-jwt", &c->jti, err);
    if (!rc)
        rc = opt_str(pl, "sub", "vc-jwt", &c->sub, err);
    if (!rc)
        rc = claim_date(pl, "nbf", &c->has_nbf, &c->nbf, err);
    if (!rc)
        rc = claim_date(pl, "exp", &c->has_exp, &c->exp, err);
    if (!rc && !c->iss)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt has no 'iss' claim");
    return rc;
}

static void fmt_time(int64_t t, char buf[32])
{
    mc_time_format((time_t)t, buf);
}

/* VC 1.1 §6.3.1 decoding: fill what the "vc" claim left to the JWT claims. */
static mcred_rc vc11_fill(cJSON *cred, const struct claims *c)
{
    char when[32];
    cJSON *subj;
    mcred_rc rc = MCRED_OK;

    if (!mc_json_get(cred, "issuer"))
        rc = add_str(cred, "issuer", c->iss);
    if (!rc && c->jti && !mc_json_get(cred, "id"))
        rc = add_str(cred, "id", c->jti);
    if (!rc && c->has_nbf && !mc_json_get(cred, "validFrom") &&
        !mc_json_get(cred, "issuanceDate")) {
        fmt_time(c->nbf, when);
        rc = add_str(cred, "issuanceDate", when);
    }
    if (!rc && c->has_exp && !mc_json_get(cred, "validUntil") &&
        !mc_json_get(cred, "expirationDate")) {
        fmt_time(c->exp, when);
        rc = add_str(cred, "expirationDate", when);
    }
    subj = mc_json_get(cred, "credentialSubject");
    if (!rc && c->sub && cJSON_IsObject(subj) && !mc_json_get(subj, "id"))
        rc = add_str(subj, "id", c->sub);
    return rc;
}

/* One string claim against its credential member (what names it). */
static mcred_rc match_str(const char *claim, const char *cv, const char *c_val,
                          const char *what, struct mc_err *err)
{
    struct qbuf q1, q2;

    if (!cv && !c_val)
        return MCRED_OK;
    if (!cv)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt has no '%s' claim for the credential "
                          "%s '%s'", claim, what, q(&q2, c_val));
    if (!c_val)
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt '%s' '%s' has no credential %s to "
                          "match", claim, q(&q1, cv), what);
    if (strcmp(cv, c_val) != 0)
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt '%s' '%s' does not match the "
                          "credential %s '%s'", claim, q(&q1, cv), what, q(&q2, c_val));
    return MCRED_OK;
}

/* One NumericDate claim against the credential date. */
static mcred_rc match_date(const char *claim, bool has, int64_t v, bool end, const cJSON *cred,
                           struct mc_err *err)
{
    const char *name;
    char a[32], b[32];
    int64_t t;
    mcred_rc rc;

    rc = cred_date(cred, end, &name, &t, err);
    if (rc)
        return rc;
    if (!name) {
        if (!has || end)  /* an exp alone sets validUntil (OB 3.0 §8.2.6.1) */
            return MCRED_OK;
        fmt_time(v, a);
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt 'nbf' %s has no credential "
                          "'validFrom' or 'issuanceDate' to match", a);
    }
    fmt_time(t, b);
    if (!has)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt has no '%s' claim for the credential "
                          "'%s' %s", claim, name, b);
    if (v != t) {
        fmt_time(v, a);
        return mc_err_set(err, MCRED_ERR_VERIFY, "vc-jwt '%s' %s does not match the credential "
                          "'%s' %s", claim, a, name, b);
    }
    return MCRED_OK;
}

/* Steps 6 and 7. */
static mcred_rc check_claims(struct mc_jwt_result *out, struct mc_err *err)
{
    cJSON *pl = out->payload, *vc = mc_json_get(pl, "vc"), *subj;
    const char *dup, *id, *sid;
    struct claims c;
    mcred_rc rc;

    dup = dup_member(pl, payload_names, COUNT(payload_names));
    if (dup)
        return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt payload has '%s' twice", dup);
    rc = read_claims(pl, &c, err);
    if (rc)
        return rc;
    out->iss = c.iss;
    out->has_nbf = c.has_nbf;
    out->nbf = c.nbf;
    out->has_exp = c.has_exp;
    out->exp = c.exp;
    if (cJSON_IsObject(vc) && !mc_json_get(pl, "@context")) {
        out->shape = MC_JWT_SHAPE_VC_CLAIM;
        out->credential = vc;
        dup = dup_member(vc, cred_names, COUNT(cred_names));
        if (dup)
            return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt 'vc' has '%s' twice", dup);
        rc = vc11_fill(vc, &c);
        if (rc)
            return mc_err_set(err, rc, "out of memory while decoding the 'vc' claim");
    } else {
        out->shape = MC_JWT_SHAPE_CREDENTIAL;
        out->credential = pl;
        dup = dup_member(pl, cred_names, COUNT(cred_names));
        if (dup)
            return mc_err_set(err, MCRED_ERR_INVALID, "vc-jwt credential has '%s' twice", dup);
    }
    id = issuer_id(out->credential);
    if (!id)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential has no issuer id to match vc-jwt "
                          "'iss'");
    rc = match_str("iss", c.iss, id, "issuer id", err);
    if (!rc)
        rc = opt_str(out->credential, "id", "credential", &id, err);
    if (!rc)
        rc = match_str("jti", c.jti, id, "id", err);
    if (!rc)
        rc = subject_of(out->credential, &subj, err);
    if (!rc)
        rc = opt_str(subj, "id", "credentialSubject", &sid, err);
    if (!rc)
        rc = match_str("sub", c.sub, sid, "credentialSubject id", err);
    if (!rc)
        rc = match_date("nbf", c.has_nbf, c.nbf, false, out->credential, err);
    if (!rc)
        rc = match_date("exp", c.has_exp, c.exp, true, out->credential, err);
    return rc;
}

/* Step 8. */
static mcred_rc check_time(struct mc_jwt_result *out, time_t now, struct mc_err *err)
{
    char a[32], b[32];

    out->not_yet_valid = out->has_nbf && out->nbf > (int64_t)now;
    out->expired = out->has_exp && out->exp <= (int64_t)now;
    fmt_time((int64_t)now, b);
    if (out->not_yet_valid) {
        fmt_time(out->nbf, a);
        return mc_err_set(err, MCRED_ERR_EXPIRED, "vc-jwt is not valid before %s ('nbf'); now "
                          "is %s", a, b);
    }
    if (out->expired) {
        fmt_time(out->exp, a);
        return mc_err_set(err, MCRED_ERR_EXPIRED, "vc-jwt expired at %s ('exp'); now is %s", a,
                          b);
    }
    return MCRED_OK;
}

static bool kid_names_issuer(const char *kid, const char *iss)
{
    const char *hash;
    size_t n;

    if (!kid || !iss)
        return false;
    hash = strchr(kid, '#');
    n = hash ? (size_t)(hash - kid) : strlen(kid);
    return strlen(iss) == n && memcmp(kid, iss, n) == 0;
}

/* True when iss is an Ed25519 did:key whose key is k: the DID is the key. */
static bool key_is_did_key(const struct mc_jwt_key *k, const char *iss)
{
    struct mc_jwt_key d;
    bool same;

    if (!iss || k->kty != MC_JWT_KTY_ED25519 || strncmp(iss, "did:key:", 8) != 0 ||
        strchr(iss, '#'))
        return false;
    memset(&d, 0, sizeof(d));
    if (did_key_resolve(iss, &d, NULL) != MCRED_OK)
        return false;
    same = mc_jwt_key_equal(&d, k);
    mc_jwt_key_clear(&d);
    return same;
}

mcred_rc mc_jwt_verify(const char *token, size_t n, const struct mc_jwt_verify_opts *opts,
                       struct mc_jwt_result *out, struct mc_err *err)
{
    const cJSON *jwk = NULL;
    struct parts pt;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&pt, 0, sizeof(pt));
    mc_err_clear(err);
    rc = split(token, n, &pt, err);
    if (!rc)
        rc = decode_json(pt.h, pt.hn, MC_JWT_MAX_HEADER, "header", &out->header, err);
    if (!rc)
        rc = check_header(out, &jwk, err);
    if (!rc)
        rc = find_key(opts, jwk, out, err);
    if (!rc)
        rc = check_signature(&pt, out, err);
    if (!rc)
        rc = decode_json(pt.p, pt.pn, MC_JWT_MAX_TOKEN, "payload", &out->payload, err);
    if (!rc)
        rc = check_claims(out, err);
    if (!rc) {
        out->kid_in_issuer = (out->key_source == MC_JWT_KEYSRC_RESOLVER ||
                              out->key_source == MC_JWT_KEYSRC_DID_KEY) &&
                             kid_names_issuer(out->kid, out->iss);
        out->key_is_iss_did_key = key_is_did_key(&out->key, out->iss);
        rc = check_time(out, opts->now, err);
        if (rc == MCRED_ERR_EXPIRED)
            return rc;
    }
    if (rc)
        mc_jwt_result_release(out);
    return rc;
}

void mc_jwt_result_release(struct mc_jwt_result *out)
{
    if (!out)
        return;
    cJSON_Delete(out->header);
    cJSON_Delete(out->payload);
    mc_jwt_key_clear(&out->key);
    memset(out, 0, sizeof(*out));
}

/* --- plain JWS (OB 2.0 signed assertions) ---------------------------------------- */

mcred_rc mc_jws_decode(const char *token, size_t n, cJSON **header, cJSON **payload,
                       struct mc_err *err)
{
    struct parts pt;
    mcred_rc rc;

    *header = *payload = NULL;
    rc = split(token, n, &pt, err);
    if (!rc)
        rc = decode_json(pt.h, pt.hn, MC_JWT_MAX_HEADER, "header", header, err);
    if (!rc)
        rc = decode_json(pt.p, pt.pn, MC_JWT_MAX_TOKEN, "payload", payload, err);
    if (rc) {
        cJSON_Delete(*header);
        cJSON_Delete(*payload);
        *header = *payload = NULL;
    }
    return rc;
}

mcred_rc mc_jws_verify_key(const char *token, size_t n, const struct mc_jwt_key *key,
                           struct mc_err *err)
{
    struct mc_jwt_result r;
    struct parts pt;
    cJSON *h = NULL;
    mcred_rc rc;

    memset(&r, 0, sizeof(r));
    rc = split(token, n, &pt, err);
    if (!rc)
        rc = decode_json(pt.h, pt.hn, MC_JWT_MAX_HEADER, "header", &h, err);
    if (!rc)
        rc = check_alg(h, &r.alg, err);
    if (!rc && mc_jwt_kty_alg(key->kty) != r.alg)
        rc = mc_err_set(err, MCRED_ERR_VERIFY, "jws 'alg' is %s but the key is %s",
                        mc_jwt_alg_name(r.alg), kty_name(key->kty));
    if (!rc) {
        r.key = *key;   /* borrowed: never released from r */
        rc = check_signature(&pt, &r, err);
    }
    cJSON_Delete(h);
    return rc;
}
