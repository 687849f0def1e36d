/* test_rdfc_vectors.c - the JSON-LD proof suites against published vectors:
 * W3C vc-di-eddsa eddsa-rdfc-2022 (plain and employ) and 1EdTech's OB 3.0 and
 * CLR 2.0 vectors are reproduced byte for byte with their intermediate values
 * (canonical document, canonical proof configuration, hashes, proofValue);
 * the Ed25519Signature2020 vector and the proof set and chain vectors verify.
 * Contexts come from ../shared/data/contexts through the pinned store.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "check.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "proof/di.h"
#include "proof/rdfc_suite.h"
#include "util/codec.h"
#include "util/json.h"

static const char *data;
static struct mc_ctxstore *store;
static struct mc_jsonld_cache *cache;

static char *text(const char *rel, size_t *n)
{
    char path[1024];
    char *p;
    size_t len = 0;

    snprintf(path, sizeof(path), "%s/%s", data, rel);
    p = check_read_file(path, &len);
    CHECK(p != NULL, "read %s", rel);
    while (p && len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        p[--len] = '\0';
    if (n)
        *n = len;
    return p;
}

static cJSON *json(const char *rel)
{
    size_t n;
    char *p = text(rel, &n);
    cJSON *v = NULL;

    if (p && mc_json_parse(p, n, 0, &v, NULL) != MCRED_OK)
        v = NULL;
    free(p);
    CHECK(v != NULL, "parse %s", rel);
    return v;
}

static void hex_of(const uint8_t *p, size_t n, struct mc_buf *out)
{
    mc_buf_reset(out);
    if (mc_hex_encode(out, p, n) != MCRED_OK)
        CHECK(0, "hex");
}

struct vector {
    const char *name;
    const char *unsigned_doc;   /* relative to shared/data */
    const char *proof_config;
    const char *signed_doc;
    const char *canon_doc, *canon_proof;   /* text files; NULL: not published */
    const char *doc_hash, *proof_hash;     /* hex text files; NULL: from expected.json */
    const char *expected;                  /* 1EdTech expected.json, or NULL */
};

static const struct vector vectors[] = {
    { "W3C eddsa-rdfc-2022", "vc-di-eddsa/TestVectors/unsigned.json",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/proofConfigDataInt.json",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/canonDocDataInt.txt",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/proofCanonDataInt.txt",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/docHashDataInt.txt",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/proofHashDataInt.txt", NULL },
    { "W3C eddsa-rdfc-2022 employ", "vc-di-eddsa/TestVectors/employmentAuth.json",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/proofConfigDataInt.json",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/signedDataInt.json",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/canonDocDataInt.txt",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/proofCanonDataInt.txt",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/docHashDataInt.txt",
      "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/proofHashDataInt.txt", NULL },
    { "1EdTech OB 3.0", "ob-clr-ldp-vectors/obv3p0/unsigned.json",
      "ob-clr-ldp-vectors/obv3p0/proof-config.json", "ob-clr-ldp-vectors/obv3p0/signed.json",
      "ob-clr-ldp-vectors/obv3p0/document-canon.txt",
      "ob-clr-ldp-vectors/obv3p0/proof-canon.txt", NULL, NULL,
      "ob-clr-ldp-vectors/obv3p0/expected.json" },
    { "1EdTech CLR 2.0", "ob-clr-ldp-vectors/clrv2p0/unsigned.json",
      "ob-clr-ldp-vectors/clrv2p0/proof-config.json", "ob-clr-ldp-vectors/clrv2p0/signed.json",
      "ob-clr-ldp-vectors/clrv2p0/document-canon.txt",
      "ob-clr-ldp-vectors/clrv2p0/proof-canon.txt", NULL, NULL,
      "ob-clr-ldp-vectors/clrv2p0/expected.json" },
};

static bool load_key(const struct vector *v, struct mc_key *k)
{
    struct mc_err err;
    bool ok;

    if (v->expected) {
        cJSON *e = json(v->expected);
        const char *hex = mc_json_str(e, "Private key (hex)");
        struct mc_buf b;

        mc_buf_init(&b, 0);
        ok = hex && mc_hex_decode(&b, hex, strlen(hex)) == MCRED_OK && b.len == 64 &&
             mc_key_generate(k, (const uint8_t *)b.ptr) == MCRED_OK &&
             memcmp(k->pk, b.ptr + 32, 32) == 0;
        mc_buf_release(&b);
        cJSON_Delete(e);
    } else {
        cJSON *kp = json("vc-di-eddsa/TestVectors/keyPair.json");

        ok = mc_key_from_multibase(k, mc_json_str(kp, "privateKeyMultibase"), &err) == MCRED_OK;
        cJSON_Delete(kp);
    }
    CHECK(ok, "%s: key loads", v->name);
    return ok;
}

static void run_vector(const struct vector *v)
{
    cJSON *doc = json(v->unsigned_doc), *cfg = json(v->proof_config), *want = json(v->signed_doc);
    struct mc_buf cd, cp, hex;
    struct mc_di_trace tr = { &cd, &cp, { 0 }, 0 };
    struct mc_di_sign_opts o = { 0 };
    struct mc_di_env env = { NULL, store, cache, 0 };
    struct mc_err err;
    struct mc_key k;
    char *exp_doc = text(v->canon_doc, NULL), *exp_proof = text(v->canon_proof, NULL);
    const char *got_pv, *want_pv;

    mc_buf_init(&cd, 0);
    mc_buf_init(&cp, 0);
    mc_buf_init(&hex, 0);
    if (!doc || !cfg || !want || !load_key(v, &k))
        goto out;
    o.cryptosuite = mc_json_str(cfg, "cryptosuite");
    o.created = mc_json_str(cfg, "created");
    o.verification_method = mc_json_str(cfg, "verificationMethod");
    o.proof_purpose = mc_json_str(cfg, "proofPurpose");
    mc_err_clear(&err);
    CHECK_RC(mc_di_sign(doc, &k, &o, &env, &tr, &err), MCRED_OK, v->name);
    if (err.msg[0])
        printf("%s: %s\n", v->name, err.msg);
    /* the published canonical forms end with a newline the loader trimmed */
    CHECK(cd.len && cd.ptr[cd.len - 1] == '\n', "%s: canonical document ends a line", v->name);
    if (cd.len)
        cd.ptr[--cd.len] = '\0';
    if (cp.len)
        cp.ptr[--cp.len] = '\0';
    CHECK_STR_EQ(cd.ptr, exp_doc, "canonical document");
    CHECK_STR_EQ(cp.ptr, exp_proof, "canonical proof configuration");
    if (v->doc_hash) {
        char *dh = text(v->doc_hash, NULL), *ph = text(v->proof_hash, NULL);

        hex_of(tr.hash, 32, &hex);
        CHECK_STR_EQ(hex.ptr, ph, "proof hash");
        hex_of(tr.hash + 32, 32, &hex);
        CHECK_STR_EQ(hex.ptr, dh, "document hash");
        free(dh);
        free(ph);
    } else {
        cJSON *e = json(v->expected);

        hex_of(tr.hash, 32, &hex);
        CHECK_STR_EQ(hex.ptr, mc_json_str(e, "Proof hash (hex)"), "proof hash (expected.json)");
        hex_of(tr.hash + 32, 32, &hex);
        CHECK_STR_EQ(hex.ptr, mc_json_str(e, "Document hash (hex)"),
                     "document hash (expected.json)");
        cJSON_Delete(e);
    }
    got_pv = mc_json_str(cJSON_GetObjectItemCaseSensitive(doc, "proof"), "proofValue");
    {
        const cJSON *wp = cJSON_GetObjectItemCaseSensitive(want, "proof");

        /* 1EdTech's CLR vector stores its one proof in an array */
        want_pv = mc_json_str(cJSON_IsArray(wp) ? wp->child : wp, "proofValue");
    }
    CHECK_STR_EQ(got_pv, want_pv, "proofValue byte for byte");
    printf("%s: %s\n", v->name, got_pv && want_pv && strcmp(got_pv, want_pv) == 0 ?
           "reproduced byte for byte" : "DIFFERS");
    mc_key_clear(&k);
out:
    free(exp_doc);
    free(exp_proof);
    mc_buf_release(&cd);
    mc_buf_release(&cp);
    mc_buf_release(&hex);
    cJSON_Delete(doc);
    cJSON_Delete(cfg);
    cJSON_Delete(want);
}

static mcred_rc verify_file(const char *rel, size_t *nres, struct mc_di_result *res)
{
    cJSON *doc = json(rel);
    struct mc_di_env env = { NULL, store, cache, 1800000000 };
    struct mc_err err;
    mcred_rc rc;

    mc_err_clear(&err);
    rc = doc ? mc_di_verify(doc, NULL, &env, res, nres, NULL, &err) : MCRED_ERR_INVALID;
    if (rc)
        printf("%s: %s\n", rel, err.msg);
    cJSON_Delete(doc);
    return rc;
}

static void test_verify_vectors(void)
{
    static const char *files[] = {
        "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json",
        "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/signedDataInt.json",
        "vc-di-eddsa/TestVectors/Ed25519Signature2020/signedEdSig.json",
        "vc-di-eddsa/TestVectors/proof-set-chain/signedProofSet1.json",
        "vc-di-eddsa/TestVectors/proof-set-chain/signedProofSet2.json",
        "vc-di-eddsa/TestVectors/proof-set-chain/signedProofChain1.json",
        "vc-di-eddsa/TestVectors/proof-set-chain/signedProofChain2.json",
    };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    size_t i, n = 0;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        CHECK_RC(verify_file(files[i], &n, res), MCRED_OK, files[i]);
        CHECK(n >= 1, "%s: proofs checked", files[i]);
    }
}

/* Tampering fails; a term no context defines (the OB context has no @vocab)
 * is refused by signing and by verifying, with the term named. */
static void test_tamper(void)
{
    static const char ob[] =
        "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\","
        "\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],"
        "\"id\":\"urn:uuid:0b7d1d3e-3d0c-4d7c-9d4e-8d3a3e0b9a11\","
        "\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],"
        "\"issuer\":{\"id\":\"did:example:issuer\",\"type\":[\"Profile\"],\"name\":\"É\"},"
        "\"validFrom\":\"2025-01-01T00:00:00Z\",\"credentialSubject\":{\"id\":\"did:example:x\","
        "\"type\":[\"AchievementSubject\"],\"achievement\":{\"id\":\"https://e.x/a\","
        "\"type\":[\"Achievement\"],\"name\":\"A\",\"description\":\"D\","
        "\"criteria\":{\"narrative\":\"N\"}}}}";
    static const uint8_t seed[32] = { 5 };
    cJSON *doc = json("vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json");
    struct mc_di_env env = { NULL, store, cache, 1800000000 };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    struct mc_di_sign_opts o = { 0 };
    struct mc_err err;
    struct mc_key k;
    size_t n;

    cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(doc, "credentialSubject"),
                              "alumniOf", cJSON_CreateString("Another School"));
    CHECK_RC(mc_di_verify(doc, NULL, &env, res, &n, NULL, &err), MCRED_ERR_VERIFY,
             "tampered rdfc credential");
    cJSON_Delete(doc);

    CHECK_RC(mc_key_generate(&k, seed), MCRED_OK, "key");
    CHECK(mc_json_parse(ob, sizeof(ob) - 1, 0, &doc, NULL) == MCRED_OK, "OB sample parses");
    o.cryptosuite = "eddsa-rdfc-2022";
    CHECK_RC(mc_di_sign(doc, &k, &o, &env, NULL, &err), MCRED_OK, "sign an OB credential");
    CHECK_RC(mc_di_verify(doc, NULL, &env, res, &n, NULL, &err), MCRED_OK, "and verify it");
    cJSON_AddStringToObject(doc, "undefinedTerm", "x");
    mc_err_clear(&err);
    CHECK_RC(mc_di_verify(doc, NULL, &env, res, &n, NULL, &err), MCRED_ERR_VERIFY,
             "a term no context defines fails verification");
    CHECK(strstr(res[0].reason, "undefinedTerm") != NULL, "the reason names the term: %s",
          res[0].reason);
    cJSON_DeleteItemFromObject(doc, "proof");
    mc_err_clear(&err);
    CHECK_RC(mc_di_sign(doc, &k, &o, &env, NULL, &err), MCRED_ERR_INVALID,
             "signing refuses a term no context defines");
    CHECK(strstr(err.msg, "undefinedTerm") != NULL, "the message names the term: %s", err.msg);
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "proof") == NULL, "nothing half-signed");
    cJSON_Delete(doc);
    mc_key_clear(&k);
}

/* The direct proof-configuration lines equal the general canonicalization
 * for every configuration of the usual shape, and anything else is refused. */
static void test_config_template(void)
{
    static const char *const same[] = {
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
        "\"created\":\"2023-02-24T23:36:38Z\",\"verificationMethod\":\"did:key:z6Mkr#z6Mkr\","
        "\"proofPurpose\":\"assertionMethod\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-jcs-2022\","
        "\"created\":\"2024-12-31T23:59:59.123+02:00\","
        "\"verificationMethod\":\"did:web:example.com%3A8443:u:a#key-1\","
        "\"proofPurpose\":\"authentication\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"ecdsa-rdfc-2019\","
        "\"created\":\"2025-01-01T00:00:00Z\",\"verificationMethod\":\"https://x.example/k\","
        "\"proofPurpose\":\"capabilityInvocation\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
        "\"created\":\"2025-01-01\",\"verificationMethod\":\"urn:uuid:1#k\","
        "\"proofPurpose\":\"capabilityDelegation\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
        "\"created\":\"not a date\",\"verificationMethod\":\"did:key:z#z\","
        "\"proofPurpose\":\"keyAgreement\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
        "\"created\":\"2025-01-01T00:00:00Z\",\"verificationMethod\":\"did:key:z#z\","
        "\"proofPurpose\":\"somethingElse\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
        "\"created\":\"2025-01-01T00:00:00Z\",\"verificationMethod\":\"did:key:z#z\","
        "\"proofPurpose\":\"assertionMethod\",\"expires\":\"2030-01-01T00:00:00Z\"}",
        "{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
        "\"created\":\"2025-01-01T00:00:00Z\",\"verificationMethod\":\"did:key:z#z\","
        "\"proofPurpose\":\"assertionMethod\",\"challenge\":\"abc\"}",
    };
    static const char *const contexts[] = {
        "[\"https://www.w3.org/ns/credentials/v2\","
        "\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"]",
        "[\"https://www.w3.org/ns/credentials/v2\","
        "\"https://www.w3.org/ns/credentials/examples/v2\"]",
        "[\"https://www.w3.org/ns/credentials/v2\"]",
        "[\"https://www.w3.org/2018/credentials/v1\","
        "\"https://w3id.org/security/data-integrity/v2\"]",
    };
    struct mc_jsonld_loader loader;
    size_t i, j;
    int fast = 0;

    mc_ctxstore_loader(store, &loader);
    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        for (j = 0; j < sizeof(contexts) / sizeof(contexts[0]); j++) {
            cJSON *cfg = NULL, *ctx = NULL;
            struct mc_buf a, b;
            struct mc_err err;
            bool took;
            mcred_rc rc;

            if (mc_json_parse(same[i], strlen(same[i]), 0, &cfg, NULL) ||
                mc_json_parse(contexts[j], strlen(contexts[j]), 0, &ctx, NULL)) {
                CHECK(0, "table parses");
                continue;
            }
            cJSON_AddItemToObject(cfg, "@context", ctx);
            mc_buf_init(&a, 0);
            mc_buf_init(&b, 0);
            took = mc_rdfc_config_template(cfg, &a);
            mc_err_clear(&err);
            rc = mc_rdfc_canonize_doc(cfg, &loader, cache, &b, &err);
            if (took) {
                fast++;
                CHECK(rc == MCRED_OK && a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0,
                      "config %zu with contexts %zu: direct lines differ from RDFC-1.0:\n%s\n%s",
                      i, j, a.ptr ? a.ptr : "", b.ptr ? b.ptr : err.msg);
            }
            CHECK(!took || j < 3, "config %zu: the template needs the VC 2.0 context first", i);
            CHECK(!took || i < 5, "config %zu: an unusual configuration is left to RDFC-1.0", i);
            mc_buf_release(&a);
            mc_buf_release(&b);
            cJSON_Delete(cfg);
        }
    }
    CHECK(fast >= 6, "the direct path served %d usual configurations", fast);
}

int main(void)
{
    char dir[1024];
    struct mc_err err;
    size_t i;

    data = check_shared_data();
    snprintf(dir, sizeof(dir), "%s/contexts", data);
    mc_err_clear(&err);
    if (mc_ctxstore_new(&store, dir, &err) != MCRED_OK || mc_jsonld_cache_new(&cache)) {
        CHECK(0, "context store: %s", err.msg);
        return check_report();
    }
    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
        run_vector(&vectors[i]);
    test_verify_vectors();
    test_tamper();
    test_config_template();
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(store);
    return check_report();
}
