/* test_di.c - Data Integrity proofs (lib/proof/di.c) with eddsa-jcs-2022:
 * the W3C vc-di-eddsa vector reproduced byte for byte with its intermediate
 * values, verification of the signed vector, tampering, proof options
 * (purpose, expires, challenge, domain), proof sets and chains.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "check.h"
#include "crypto/keys.h"
#include "proof/di.h"
#include "util/codec.h"
#include "util/json.h"

static const char *data;

static char *read_rel(const char *rel, size_t *n)
{
    char path[1024];
    char *p;

    snprintf(path, sizeof(path), "%s/vc-di-eddsa/TestVectors/%s", data, rel);
    p = check_read_file(path, n);
    CHECK(p != NULL, "read %s", rel);
    return p;
}

static cJSON *load(const char *rel)
{
    size_t n;
    char *p = read_rel(rel, &n);
    cJSON *v = NULL;

    if (p && mc_json_parse(p, n, 0, &v, NULL) != MCRED_OK)
        v = NULL;
    free(p);
    CHECK(v != NULL, "parse %s", rel);
    return v;
}

/* The vector's text file, trailing newline dropped. */
static char *load_text(const char *rel)
{
    size_t n;
    char *p = read_rel(rel, &n);

    while (p && n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        p[--n] = '\0';
    return p;
}

static struct mc_key vector_key(void)
{
    cJSON *kp = load("keyPair.json");
    struct mc_key k;
    struct mc_err err;

    if (mc_key_from_multibase(&k, mc_json_str(kp, "privateKeyMultibase"), &err) != MCRED_OK)
        CHECK(0, "vector key: %s", err.msg);
    cJSON_Delete(kp);
    return k;
}

static void test_vector_sign(void)
{
    cJSON *doc = load("unsigned.json"), *cfg = load("eddsa-jcs-2022/proofConfigJCS.json");
    cJSON *want = load("eddsa-jcs-2022/signedJCS.json");
    char *canon_doc = load_text("eddsa-jcs-2022/canonDocJCS.txt");
    char *canon_proof = load_text("eddsa-jcs-2022/proofCanonJCS.txt");
    char *doc_hash = load_text("eddsa-jcs-2022/docHashJCS.txt");
    char *proof_hash = load_text("eddsa-jcs-2022/proofHashJCS.txt");
    char *combined = load_text("eddsa-jcs-2022/combinedHashJCS.txt");
    struct mc_key k = vector_key();
    struct mc_buf cd, cp, hex;
    struct mc_di_trace tr = { &cd, &cp, { 0 }, 0 };
    struct mc_di_sign_opts o = { 0 };
    struct mc_di_env env = { NULL, NULL, NULL, 0 };
    struct mc_err err;
    const cJSON *got_proof, *want_proof;

    mc_buf_init(&cd, 0);
    mc_buf_init(&cp, 0);
    mc_buf_init(&hex, 0);
    o.cryptosuite = mc_json_str(cfg, "cryptosuite");
    o.created = mc_json_str(cfg, "created");
    o.verification_method = mc_json_str(cfg, "verificationMethod");
    o.proof_purpose = mc_json_str(cfg, "proofPurpose");
    mc_err_clear(&err);
    CHECK_RC(mc_di_sign(doc, &k, &o, &env, &tr, &err), MCRED_OK, "sign the W3C vector");
    CHECK_STR_EQ(cd.ptr, canon_doc, "canonical document (canonDocJCS.txt)");
    CHECK_STR_EQ(cp.ptr, canon_proof, "canonical proof configuration (proofCanonJCS.txt)");
    CHECK(tr.hash_len == 64, "hashData is 64 bytes");
    CHECK_RC(mc_hex_encode(&hex, tr.hash, 32), MCRED_OK, "hex");
    CHECK_STR_EQ(hex.ptr, proof_hash, "proof config hash (proofHashJCS.txt)");
    mc_buf_reset(&hex);
    CHECK_RC(mc_hex_encode(&hex, tr.hash + 32, 32), MCRED_OK, "hex");
    CHECK_STR_EQ(hex.ptr, doc_hash, "document hash (docHashJCS.txt)");
    mc_buf_reset(&hex);
    CHECK_RC(mc_hex_encode(&hex, tr.hash, 64), MCRED_OK, "hex");
    CHECK_STR_EQ(hex.ptr, combined, "combined hash (combinedHashJCS.txt)");
    got_proof = cJSON_GetObjectItemCaseSensitive(doc, "proof");
    want_proof = cJSON_GetObjectItemCaseSensitive(want, "proof");
    CHECK_STR_EQ(mc_json_str(got_proof, "proofValue"), mc_json_str(want_proof, "proofValue"),
                 "proofValue byte for byte");
    CHECK(cJSON_Compare(doc, want, 1), "the whole signed document equals signedJCS.json");
    mc_key_clear(&k);
    mc_buf_release(&cd);
    mc_buf_release(&cp);
    mc_buf_release(&hex);
    free(canon_doc);
    free(canon_proof);
    free(doc_hash);
    free(proof_hash);
    free(combined);
    cJSON_Delete(doc);
    cJSON_Delete(cfg);
    cJSON_Delete(want);
}

static mcred_rc verify(const cJSON *doc, const struct mc_di_expect *ex, time_t now,
                       struct mc_di_result *res, size_t *n)
{
    struct mc_di_env env = { NULL, NULL, NULL, now };
    struct mc_err err;

    mc_err_clear(&err);
    return mc_di_verify(doc, ex, &env, res, n, NULL, &err);
}

static void test_vector_verify(void)
{
    cJSON *doc = load("eddsa-jcs-2022/signedJCS.json");
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    size_t n = 0;
    cJSON *p;

    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_OK, "signedJCS.json verifies");
    CHECK(n == 1 && res[0].rc == MCRED_OK, "one proof, verified");
    CHECK_STR_EQ(res[0].controller,
                 "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "controller");
    /* one changed field breaks it */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(doc, "credentialSubject"),
                              "alumniOf", cJSON_CreateString("The School of Example"));
    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_ERR_VERIFY, "tampered subject");
    CHECK(strstr(res[0].reason, "does not match") != NULL, "reason: %s", res[0].reason);
    cJSON_Delete(doc);
    /* a changed proof option breaks it too */
    doc = load("eddsa-jcs-2022/signedJCS.json");
    p = cJSON_GetObjectItemCaseSensitive(doc, "proof");
    cJSON_ReplaceItemInObject(p, "created", cJSON_CreateString("2023-02-24T23:36:39Z"));
    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_ERR_VERIFY, "tampered created");
    cJSON_Delete(doc);
    doc = load("eddsa-jcs-2022/signedJCS.json");
    p = cJSON_GetObjectItemCaseSensitive(doc, "proof");
    cJSON_ReplaceItemInObject(p, "proofValue", cJSON_CreateString("z0000"));
    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_ERR_VERIFY, "bad base58 proofValue");
    CHECK(strstr(res[0].reason, "base58") != NULL, "reason: %s", res[0].reason);
    cJSON_ReplaceItemInObject(p, "proofValue", cJSON_CreateString("z2HnFSSPPBzR36"));
    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_ERR_VERIFY, "short proofValue");
    cJSON_ReplaceItemInObject(p, "cryptosuite", cJSON_CreateString("eddsa-2099"));
    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_ERR_VERIFY, "unknown suite fails closed");
    cJSON_DeleteItemFromObject(doc, "proof");
    CHECK_RC(verify(doc, NULL, 1700000000, res, &n), MCRED_ERR_INVALID, "no proof");
    cJSON_Delete(doc);
}

static cJSON *sample(void)
{
    static const char s[] =
        "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
        "\"issuer\":\"did:example:1\",\"credentialSubject\":{\"name\":\"Ada\",\"score\":2.5}}";
    cJSON *v = NULL;

    CHECK(mc_json_parse(s, sizeof(s) - 1, 0, &v, NULL) == MCRED_OK, "sample parses");
    return v;
}

static void test_options_and_sets(void)
{
    static const uint8_t s1[32] = { 9 }, s2[32] = { 10 };
    struct mc_key k1, k2;
    struct mc_di_env env = { NULL, NULL, NULL, 1800000000 };
    struct mc_di_sign_opts o = { 0 };
    struct mc_di_expect ex = { 0 };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    struct mc_err err;
    size_t n;
    cJSON *doc;

    CHECK_RC(mc_key_generate(&k1, s1), MCRED_OK, "k1");
    CHECK_RC(mc_key_generate(&k2, s2), MCRED_OK, "k2");

    /* authentication proof with challenge and domain (a presentation) */
    doc = sample();
    o.cryptosuite = "eddsa-jcs-2022";   /* this file tests the framework over JCS */
    o.proof_purpose = "authentication";
    o.challenge = "abc123";
    o.domain = "verifier.example";
    o.expires = "2030-01-01T00:00:00Z";
    CHECK_RC(mc_di_sign(doc, &k1, &o, &env, NULL, &err), MCRED_OK, "sign authentication");
    CHECK_RC(verify(doc, NULL, env.now, res, &n), MCRED_ERR_VERIFY, "purpose mismatch");
    CHECK(strstr(res[0].reason, "proofPurpose") != NULL, "reason: %s", res[0].reason);
    ex.proof_purpose = "authentication";
    ex.challenge = "abc123";
    ex.domain = "verifier.example";
    CHECK_RC(verify(doc, &ex, env.now, res, &n), MCRED_OK, "challenge and domain");
    ex.challenge = "other";
    CHECK_RC(verify(doc, &ex, env.now, res, &n), MCRED_ERR_VERIFY, "wrong challenge");
    ex.challenge = "abc123";
    ex.domain = "evil.example";
    CHECK_RC(verify(doc, &ex, env.now, res, &n), MCRED_ERR_VERIFY, "wrong domain");
    ex.domain = NULL;
    CHECK_RC(verify(doc, &ex, 1900000000, res, &n), MCRED_ERR_VERIFY, "expired proof");
    CHECK(strstr(res[0].reason, "expired") != NULL, "reason: %s", res[0].reason);
    cJSON_Delete(doc);

    /* a proof set: two independent proofs, then a chain */
    memset(&o, 0, sizeof(o));
    o.cryptosuite = "eddsa-jcs-2022";
    doc = sample();
    o.id = "urn:uuid:proof-1";
    CHECK_RC(mc_di_sign(doc, &k1, &o, &env, NULL, &err), MCRED_OK, "first proof");
    o.id = "urn:uuid:proof-2";
    CHECK_RC(mc_di_sign(doc, &k2, &o, &env, NULL, &err), MCRED_OK, "second proof");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "proof")) == 2, "proof set");
    CHECK_RC(verify(doc, NULL, env.now, res, &n), MCRED_OK, "proof set verifies");
    CHECK(n == 2, "two results");
    o.id = "urn:uuid:proof-3";
    o.previous_proof = "urn:uuid:proof-2";
    CHECK_RC(mc_di_sign(doc, &k1, &o, &env, NULL, &err), MCRED_OK, "chained proof");
    CHECK_RC(verify(doc, NULL, env.now, res, &n), MCRED_OK, "proof chain verifies");
    CHECK(n == 3, "three results");
    /* removing the proof the chain points at breaks the chained one */
    cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(doc, "proof"), 1);
    CHECK_RC(verify(doc, NULL, env.now, res, &n), MCRED_ERR_VERIFY, "broken chain");
    CHECK(res[0].rc == MCRED_OK && res[1].rc == MCRED_ERR_VERIFY, "only the chained proof fails");
    CHECK(strstr(res[1].reason, "previousProof") != NULL, "reason: %s", res[1].reason);
    o.previous_proof = "urn:uuid:none";
    CHECK_RC(mc_di_sign(doc, &k1, &o, &env, NULL, &err), MCRED_ERR_VERIFY, "chain to nothing");
    cJSON_Delete(doc);

    /* bad sign options */
    doc = sample();
    memset(&o, 0, sizeof(o));
    o.cryptosuite = "eddsa-jcs-2022";
    o.created = "yesterday";
    CHECK_RC(mc_di_sign(doc, &k1, &o, &env, NULL, &err), MCRED_ERR_INVALID, "bad created");
    CHECK(strstr(err.msg, "yesterday") != NULL, "message names the value: %s", err.msg);
    o.created = NULL;
    o.cryptosuite = "rsa-2048";
    CHECK_RC(mc_di_sign(doc, &k1, &o, &env, NULL, &err), MCRED_ERR_UNSUPPORTED, "unknown suite");
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "proof") == NULL, "failed sign leaves no proof");
    cJSON_Delete(doc);
    mc_key_clear(&k1);
    mc_key_clear(&k2);
}

/* Every allocation failing in turn: sign and verify return cleanly. */
static void test_torture(void)
{
    static const uint8_t s1[32] = { 11 };
    struct mc_key k;
    struct mc_di_env env = { NULL, NULL, NULL, 1800000000 };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    struct mc_di_sign_opts jcs = { 0 };
    unsigned long i;
    size_t n;
    int ok_at = 0;

    jcs.cryptosuite = "eddsa-jcs-2022";

    CHECK_RC(mc_key_generate(&k, s1), MCRED_OK, "key");
    for (i = 1; i < 400 && !ok_at; i++) {
        cJSON *doc = sample();
        mcred_rc rc;

        mcred_test_fail_alloc(i);
        rc = mc_di_sign(doc, &k, &jcs, &env, NULL, NULL);
        if (!rc)
            rc = mc_di_verify(doc, NULL, &env, res, &n, NULL, NULL);
        mcred_test_fail_alloc(0);
        if (!rc)
            ok_at = (int)i;
        cJSON_Delete(doc);
    }
    CHECK(ok_at > 1, "sign+verify succeed once allocations stop failing (at %d)", ok_at);
    mc_key_clear(&k);
}

int main(void)
{
    data = check_shared_data();
    test_vector_sign();
    test_vector_verify();
    test_options_and_sets();
    test_torture();
    return check_report();
}
