/* test_service.c - the sign and verify verbs (lib/service): both proof
 * suites and VC-JWT from bytes to bytes, the spliced compact output, proof
 * sets written in full, verdict grading and exit codes, and memory-failure
 * paths. The context store is the embedded one (no ../shared needed).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "check.h"
#include "crypto/did.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "model/ob.h"
#include "service/sign.h"
#include "service/verify.h"
#include "util/fetch.h"
#include "status/bitstring.h"
#include "jsonld/jcs.h"
#include "proof/di.h"
#include "util/json.h"

static const char badge[] =
    "{\n  \"@context\": [\"https://www.w3.org/ns/credentials/v2\",\n"
    "    \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],\n"
    "  \"id\": \"urn:uuid:2d8f1a0e-5b7c-4b1e-9a57-1f0c6c1d2e3f\",\n"
    "  \"type\": [\"VerifiableCredential\", \"OpenBadgeCredential\"],\n"
    "  \"issuer\": {\"id\": \"ISSUER\", \"type\": [\"Profile\"], \"name\": \"Ünïcode U\"},\n"
    "  \"validFrom\": \"2025-01-01T00:00:00Z\",\n"
    "  \"credentialSubject\": {\"id\": \"did:example:learner\", \"type\": [\"AchievementSubject\"],\n"
    "    \"achievement\": {\"id\": \"https://example.edu/a/1\", \"type\": [\"Achievement\"],\n"
    "      \"name\": \"N\", \"description\": \"D\", \"criteria\": {\"narrative\": \"C\"},\n"
    "      \"creditsAvailable\": 2.5}}\n}\n";

static struct mc_ctxstore *store;
static struct mc_jsonld_cache *cache;

/* The badge with its issuer set to the key's DID. */
static char *badge_for(const struct mc_key *k)
{
    struct mc_buf did;
    const char *at = strstr(badge, "ISSUER");
    char *out;
    size_t n;

    mc_buf_init(&did, 0);
    if (mc_key_did(k, &did))
        return NULL;
    n = strlen(badge) - 6 + did.len;
    out = malloc(n + 1);
    snprintf(out, n + 1, "%.*s%s%s", (int)(at - badge), badge, did.ptr, at + 6);
    mc_buf_release(&did);
    return out;
}

static const struct mc_fetcher *test_fetcher;   /* did:web documents, when a test sets it */

static int verify_exit(const char *p, size_t n, struct mc_verdict *v)
{
    struct mc_verify_opts vo = { 0 };

    vo.fetcher = test_fetcher;
    vo.now = 1800000000;
    vo.contexts = store;
    vo.cache = cache;
    if (mc_verify_bytes(p, n, &vo, v, NULL) != MCRED_OK)
        return -1;
    return mc_verdict_exit_code(v);
}

static void test_suites(void)
{
    static const char *suites[] = { "eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt" };
    static const uint8_t seed[32] = { 3 };
    struct mc_key k;
    char *in;
    size_t i;

    CHECK_RC(mc_key_generate(&k, seed), MCRED_OK, "key");
    in = badge_for(&k);
    for (i = 0; i < 3; i++) {
        int pretty;

        for (pretty = 0; pretty < 2; pretty++) {
            struct mc_sign_opts so = { 0 };
            struct mc_verdict v;
            struct mc_buf out;
            struct mc_err err;
            cJSON *parsed = NULL;

            so.suite = suites[i];
            so.now = 1750000000;
            so.contexts = store;
            so.cache = cache;
            so.pretty = pretty;
            mc_buf_init(&out, 0);
            mc_err_clear(&err);
            CHECK_RC(mc_sign_bytes(in, strlen(in), &k, &so, &out, &err), MCRED_OK, suites[i]);
            if (err.msg[0])
                printf("%s: %s\n", suites[i], err.msg);
            CHECK(verify_exit(out.ptr, out.len, &v) == 0, "%s (pretty %d): valid, got %s",
                  suites[i], pretty, mc_verdict_name(v.kind));
            if (i < 2) {
                CHECK(mc_json_parse(out.ptr, out.len, 0, &parsed, NULL) == MCRED_OK,
                      "%s output parses", suites[i]);
                CHECK(mc_json_get(parsed, "proof") != NULL, "%s output has a proof", suites[i]);
                if (!pretty)   /* spliced: the issuer's own bytes come first, unchanged */
                    CHECK(strncmp(out.ptr, in, strlen(in) - 3) == 0,
                          "%s compact output keeps the input's bytes", suites[i]);
                cJSON_Delete(parsed);
            }
            mc_buf_release(&out);
        }
    }
    free(in);
    mc_key_clear(&k);
}

static void test_proof_set_and_grades(void)
{
    static const uint8_t s1[32] = { 4 }, s2[32] = { 5 };
    struct mc_key k1, k2;
    struct mc_sign_opts so = { 0 };
    struct mc_verdict v;
    struct mc_buf one, two;
    char *in;

    CHECK_RC(mc_key_generate(&k1, s1), MCRED_OK, "k1");
    CHECK_RC(mc_key_generate(&k2, s2), MCRED_OK, "k2");
    in = badge_for(&k1);
    so.now = 1750000000;
    so.contexts = store;
    so.cache = cache;
    mc_buf_init(&one, 0);
    mc_buf_init(&two, 0);
    CHECK_RC(mc_sign_bytes(in, strlen(in), &k1, &so, &one, NULL), MCRED_OK, "first proof");
    /* a second proof, by a key the issuer does not control: written in full */
    CHECK_RC(mc_sign_bytes(one.ptr, one.len, &k2, &so, &two, NULL), MCRED_OK, "second proof");
    CHECK(verify_exit(two.ptr, two.len, &v) == 0, "proof set: the issuer's proof binds");
    CHECK(strstr(two.ptr, "\"proof\":[") != NULL, "a proof set is an array");
    /* dates */
    {
        struct mc_verify_opts vo = { 0 };

        vo.contexts = store;
        vo.cache = cache;
        vo.now = 1000000000;
        CHECK(mc_verify_bytes(one.ptr, one.len, &vo, &v, NULL) == MCRED_OK &&
              v.kind == MC_VERDICT_NOT_YET_VALID && mc_verdict_exit_code(&v) == 1,
              "before validFrom: not-yet-valid, exit 1");
    }
    /* the wrong issuer */
    mc_buf_reset(&two);
    CHECK_RC(mc_sign_bytes(in, strlen(in), &k2, &so, &two, NULL), MCRED_OK, "sign by k2");
    CHECK(verify_exit(two.ptr, two.len, &v) == 1 && v.kind == MC_VERDICT_INVALID,
          "a key the issuer does not control: invalid");
    /* garbage */
    CHECK(verify_exit("{]", 2, &v) == 1 && v.kind == MC_VERDICT_INVALID, "garbage: invalid");
    CHECK(verify_exit("a.b.c", 5, &v) == 1, "a malformed JWT: invalid");
    {
        struct mc_buf j;

        mc_buf_init(&j, 0);
        CHECK(mc_verdict_json(&v, &j) == MCRED_OK && strstr(j.ptr, "\"verdict\":\"invalid\""),
              "verdict JSON");
        mc_buf_release(&j);
    }
    free(in);
    mc_buf_release(&one);
    mc_buf_release(&two);
    mc_key_clear(&k1);
    mc_key_clear(&k2);
}

/* A fetcher serving one document at one URL (status lists). */
struct one_doc {
    const char *url;
    const char *body;
};

static mcred_rc one_fetch(void *ud, const char *url, struct mc_buf *out, struct mc_err *err)
{
    const struct one_doc *d = ud;

    if (strcmp(url, d->url) != 0)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "nothing at %s", url);
    return mc_buf_appends(out, d->body);
}

/* A signed status list credential of issuer k with index `set` set (or none). */
static char *signed_list(const struct mc_key *k, const char *url, enum mc_status_purpose p,
                         long set)
{
    struct mc_bitstring bs;
    struct mc_status_list_desc d = { 0 };
    struct mc_di_env env = { NULL, store, cache, 1750000000 };
    struct mc_buf did, out;
    cJSON *list = NULL;
    char *s;

    mc_buf_init(&did, 0);
    mc_buf_init(&out, 0);
    CHECK(mc_key_did(k, &did) == MCRED_OK, "did");
    CHECK(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, NULL) == MCRED_OK, "bitstring");
    if (set >= 0)
        CHECK(mc_bitstring_set(&bs, (size_t)set, 1, NULL) == MCRED_OK, "set bit");
    d.url = url;
    d.issuer = did.ptr;
    d.valid_from = 1740000000;
    d.purpose = p;
    CHECK(mc_status_list_credential(&d, &bs, &list, NULL) == MCRED_OK, "list credential");
    CHECK(mc_di_sign(list, k, NULL, &env, NULL, NULL) == MCRED_OK, "sign the list");
    CHECK(mc_json_stringify(list, 0, &out, NULL) == MCRED_OK, "write the list");
    s = mc_buf_take(&out, NULL);
    cJSON_Delete(list);
    mc_bitstring_release(&bs);
    mc_buf_release(&did);
    return s;
}

/* credentialStatus: fetched, verified, read; revoked and suspended graded. */
static void test_status(void)
{
    static const uint8_t seed[32] = { 7 }, other_seed[32] = { 8 };
    const char *url = "https://issuer.example/status/1";
    struct mc_key k, other;
    struct one_doc d = { url, NULL };
    struct mc_fetcher f = { one_fetch, &d };
    struct mc_verify_opts vo = { 0 };
    struct mc_sign_opts so = { 0 };
    struct mc_verdict v;
    struct mc_buf signed_cred;
    cJSON *cred = NULL, *entry = NULL;
    char *in, *text, *list;
    struct {
        enum mc_status_purpose purpose;
        long set;
        enum mc_verdict_kind want;
    } cases[] = {
        { MC_STATUS_PURPOSE_REVOCATION, -1, MC_VERDICT_VALID },
        { MC_STATUS_PURPOSE_REVOCATION, 42, MC_VERDICT_REVOKED },
        { MC_STATUS_PURPOSE_REVOCATION, 41, MC_VERDICT_VALID },
        { MC_STATUS_PURPOSE_SUSPENSION, 42, MC_VERDICT_SUSPENDED },
    };
    size_t i;

    CHECK_RC(mc_key_generate(&k, seed), MCRED_OK, "key");
    CHECK_RC(mc_key_generate(&other, other_seed), MCRED_OK, "other key");
    in = badge_for(&k);
    so.now = 1750000000;
    so.contexts = store;
    so.cache = cache;
    vo.now = 1800000000;
    vo.contexts = store;
    vo.cache = cache;
    vo.fetcher = &f;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK(mc_json_parse(in, strlen(in), 0, &cred, NULL) == MCRED_OK, "parse");
        CHECK(mc_status_entry(url, cases[i].purpose, 42, 1, NULL, &entry, NULL) == MCRED_OK,
              "entry");
        cJSON_AddItemToObject(cred, "credentialStatus", entry);
        mc_buf_init(&signed_cred, 0);
        text = cJSON_PrintUnformatted(cred);
        CHECK_RC(mc_sign_bytes(text, strlen(text), &k, &so, &signed_cred, NULL), MCRED_OK,
                 "sign with credentialStatus");
        list = signed_list(&k, url, cases[i].purpose, cases[i].set);
        d.body = list;
        CHECK(mc_verify_bytes(signed_cred.ptr, signed_cred.len, &vo, &v, NULL) == MCRED_OK &&
              v.kind == cases[i].want, "status case %zu: %s, want %s", i, mc_verdict_name(v.kind),
              mc_verdict_name(cases[i].want));
        free(list);
        if (i == 0) {
            /* a list signed by someone else is not the issuer's word: unknown */
            list = signed_list(&other, url, cases[i].purpose, -1);
            d.body = list;
            CHECK(mc_verify_bytes(signed_cred.ptr, signed_cred.len, &vo, &v, NULL) == MCRED_OK &&
                  v.kind == MC_VERDICT_INDETERMINATE, "a list from another issuer: %s",
                  mc_verdict_name(v.kind));
            free(list);
            /* no list at the URL: unknown, never valid */
            d.url = "https://elsewhere.example/";
            CHECK(mc_verify_bytes(signed_cred.ptr, signed_cred.len, &vo, &v, NULL) == MCRED_OK &&
                  v.kind == MC_VERDICT_INDETERMINATE, "an unreachable list: indeterminate");
            d.url = url;
            vo.fetcher = NULL;
            CHECK(mc_verify_bytes(signed_cred.ptr, signed_cred.len, &vo, &v, NULL) == MCRED_OK &&
                  v.kind == MC_VERDICT_INDETERMINATE, "no fetcher: indeterminate");
            vo.fetcher = &f;
        }
        cJSON_free(text);
        cJSON_Delete(cred);
        mc_buf_release(&signed_cred);
    }
    free(in);
    mc_key_clear(&k);
    mc_key_clear(&other);
}

/* Key rotation for a did:web issuer: after a second key takes over, the DID
 * document lists both, and credentials signed with the first still verify. */
static void test_rotation(void)
{
    static const uint8_t s1[32] = { 21 }, s2[32] = { 22 };
    const char *did = "did:web:badges.example.edu";
    struct mc_key keys[2];
    struct mc_buf doc, old_cred, new_cred;
    struct one_doc d = { "https://badges.example.edu/.well-known/did.json", NULL };
    struct mc_fetcher f = { one_fetch, &d };
    struct mc_sign_opts so = { 0 };
    struct mc_verdict v;
    char *in, *at;
    size_t len;

    CHECK_RC(mc_key_generate(&keys[0], s1), MCRED_OK, "key 1");
    CHECK_RC(mc_key_generate(&keys[1], s2), MCRED_OK, "key 2");
    /* the badge, issued by the did:web DID */
    at = strstr(badge, "ISSUER");
    len = strlen(badge) - 6 + strlen(did);
    in = malloc(len + 1);
    snprintf(in, len + 1, "%.*s%s%s", (int)(at - badge), badge, did, at + 6);
    mc_buf_init(&doc, 0);
    mc_buf_init(&old_cred, 0);
    mc_buf_init(&new_cred, 0);
    so.now = 1750000000;
    so.contexts = store;
    so.cache = cache;
    so.verification_method = "did:web:badges.example.edu#key-1";
    CHECK_RC(mc_sign_bytes(in, strlen(in), &keys[0], &so, &old_cred, NULL), MCRED_OK,
             "signed with key 1");
    so.verification_method = "did:web:badges.example.edu#key-2";
    CHECK_RC(mc_sign_bytes(in, strlen(in), &keys[1], &so, &new_cred, NULL), MCRED_OK,
             "signed with key 2");
    test_fetcher = &f;
    /* before the rotation the document has key 1 only */
    CHECK_RC(mc_did_web_document(did, keys, 1, &doc, NULL), MCRED_OK, "document v1");
    d.body = doc.ptr;
    CHECK(verify_exit(old_cred.ptr, old_cred.len, &v) == 0, "key 1 verifies before rotation");
    CHECK(verify_exit(new_cred.ptr, new_cred.len, &v) == 1, "key 2 unknown before rotation");
    /* after: both keys, the newest last */
    mc_buf_reset(&doc);
    CHECK_RC(mc_did_web_document(did, keys, 2, &doc, NULL), MCRED_OK, "document v2");
    d.body = doc.ptr;
    CHECK(verify_exit(old_cred.ptr, old_cred.len, &v) == 0 && v.kind == MC_VERDICT_VALID,
          "a credential signed before the rotation still verifies: %s", mc_verdict_name(v.kind));
    CHECK(verify_exit(new_cred.ptr, new_cred.len, &v) == 0, "the new key verifies");
    test_fetcher = NULL;
    free(in);
    mc_buf_release(&doc);
    mc_buf_release(&old_cred);
    mc_buf_release(&new_cred);
    mc_key_clear(&keys[0]);
    mc_key_clear(&keys[1]);
}

/* Every allocation failing in turn: sign and verify return cleanly. */
static void test_torture(void)
{
    static const uint8_t seed[32] = { 6 };
    struct mc_sign_opts so = { 0 };
    struct mc_verify_opts vo = { 0 };
    struct mc_verdict v;
    struct mc_key k;
    char *in;
    unsigned long i;
    int done = 0;

    CHECK_RC(mc_key_generate(&k, seed), MCRED_OK, "key");
    in = badge_for(&k);
    so.suite = "eddsa-jcs-2022";
    so.now = 1750000000;
    vo.now = 1800000000;
    for (i = 1; i < 2000 && !done; i += 3) {
        struct mc_buf out;
        mcred_rc rc;

        mc_buf_init(&out, 0);
        mcred_test_fail_alloc(i);
        rc = mc_sign_bytes(in, strlen(in), &k, &so, &out, NULL);
        if (!rc)
            rc = mc_verify_bytes(out.ptr, out.len, &vo, &v, NULL);
        mcred_test_fail_alloc(0);
        done = rc == MCRED_OK;
        mc_buf_release(&out);
    }
    CHECK(done, "sign and verify succeed once allocations stop failing");
    free(in);
    mc_key_clear(&k);
}

/* --- presentations ----------------------------------------------------------- */

/* A string with every "from" replaced by "to" (malloc). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    struct mc_buf b;
    const char *at;
    size_t fl = strlen(from);
    char *out;
    size_t n;

    mc_buf_init(&b, 0);
    while ((at = strstr(s, from)) != NULL) {
        if (mc_buf_append(&b, s, (size_t)(at - s)) || mc_buf_appends(&b, to))
            return NULL;
        s = at + fl;
    }
    if (mc_buf_appends(&b, s))
        return NULL;
    out = mc_buf_take(&b, &n);
    return out;
}

static char *sign_with(const char *in, const struct mc_key *k, const char *suite,
                       const char *purpose, const char *challenge, const char *domain)
{
    struct mc_sign_opts so = { 0 };
    struct mc_buf out;
    struct mc_err err;
    size_t n;

    so.suite = suite;
    so.now = 1750000000;
    so.contexts = store;
    so.cache = cache;
    so.proof_purpose = purpose;
    so.challenge = challenge;
    so.domain = domain;
    mc_buf_init(&out, 0);
    mc_err_clear(&err);
    if (mc_sign_bytes(in, strlen(in), k, &so, &out, &err) != MCRED_OK) {
        printf("sign: %s\n", err.msg);
        mc_buf_release(&out);
        return NULL;
    }
    return mc_buf_take(&out, &n);
}

/* A presentation by holder (DID) of the credentials (JSON texts, or JWTs to
 * envelope), signed by k. */
static char *vp_of(const char *holder, const char *const *creds, size_t n, bool jwt,
                   const struct mc_key *k, const char *challenge)
{
    cJSON *vp = cJSON_CreateObject(), *ctx = cJSON_AddArrayToObject(vp, "@context");
    cJSON *type = cJSON_AddArrayToObject(vp, "type"), *list;
    struct mc_buf b;
    char *signed_vp;
    size_t i, len;

    cJSON_AddItemToArray(ctx, cJSON_CreateString("https://www.w3.org/ns/credentials/v2"));
    cJSON_AddItemToArray(type, cJSON_CreateString("VerifiablePresentation"));
    cJSON_AddStringToObject(vp, "holder", holder);
    list = cJSON_AddArrayToObject(vp, "verifiableCredential");
    for (i = 0; i < n; i++) {
        if (jwt) {
            cJSON *env = cJSON_CreateObject();
            char id[8192];

            snprintf(id, sizeof(id), "data:application/vc+jwt,%s", creds[i]);
            cJSON_AddStringToObject(env, "@context", "https://www.w3.org/ns/credentials/v2");
            cJSON_AddStringToObject(env, "id", id);
            cJSON_AddStringToObject(env, "type", "EnvelopedVerifiableCredential");
            cJSON_AddItemToArray(list, env);
        } else {
            cJSON *c = NULL;

            if (mc_json_parse(creds[i], strlen(creds[i]), 0, &c, NULL) == MCRED_OK)
                cJSON_AddItemToArray(list, c);
        }
    }
    mc_buf_init(&b, 0);
    if (mc_json_stringify(vp, 0, &b, NULL) != MCRED_OK) {
        cJSON_Delete(vp);
        return NULL;
    }
    cJSON_Delete(vp);
    signed_vp = sign_with(b.ptr, k, "eddsa-rdfc-2022", "authentication", challenge,
                          "verifier.example");
    mc_buf_release(&b);
    (void)len;
    return signed_vp;
}

static int verify_vp(const char *vp, const char *challenge, struct mc_verdict *v)
{
    struct mc_verify_opts vo = { 0 };

    vo.now = 1800000000;
    vo.contexts = store;
    vo.cache = cache;
    vo.challenge = challenge;
    vo.domain = "verifier.example";
    if (!vp || mc_verify_bytes(vp, strlen(vp), &vo, v, NULL) != MCRED_OK)
        return -1;
    return mc_verdict_exit_code(v);
}

static bool has_check(const struct mc_verdict *v, const char *name, enum mc_check_state st)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        if (strcmp(v->checks[i].name, name) == 0 && v->checks[i].state == st)
            return true;
    return false;
}

static void test_presentations(void)
{
    static const uint8_t s1[32] = { 11 }, s2[32] = { 12 }, s3[32] = { 13 };
    struct mc_key issuer, holder, other;
    struct mc_buf hdid, odid;
    struct mc_verdict v;
    char *badge_t, *mine, *cred, *theirs, *tampered, *jwt, *vp;
    const char *one[1];

    CHECK_RC(mc_key_generate(&issuer, s1), MCRED_OK, "issuer key");
    CHECK_RC(mc_key_generate(&holder, s2), MCRED_OK, "holder key");
    CHECK_RC(mc_key_generate(&other, s3), MCRED_OK, "other key");
    mc_buf_init(&hdid, 0);
    mc_buf_init(&odid, 0);
    CHECK(mc_key_did(&holder, &hdid) == MCRED_OK && mc_key_did(&other, &odid) == MCRED_OK,
          "DIDs");
    badge_t = badge_for(&issuer);
    mine = replace_all(badge_t, "did:example:learner", hdid.ptr);
    cred = sign_with(mine, &issuer, "eddsa-rdfc-2022", NULL, NULL, NULL);
    theirs = sign_with(badge_t, &issuer, "eddsa-rdfc-2022", NULL, NULL, NULL);
    jwt = sign_with(mine, &issuer, "vc-jwt", NULL, NULL, NULL);
    CHECK(cred && theirs && jwt, "credentials signed");
    if (!cred || !theirs || !jwt)
        goto out;

    /* valid: the holder presents their own credential, right challenge */
    one[0] = cred;
    vp = vp_of(hdid.ptr, one, 1, false, &holder, "c-123");
    CHECK(verify_vp(vp, "c-123", &v) == 0, "presentation valid: %s", mc_verdict_name(v.kind));
    CHECK(has_check(&v, "holder", MC_CHECK_PASS) &&
          has_check(&v, "credential[0]", MC_CHECK_PASS), "holder and credential checks pass");
    /* wrong challenge */
    CHECK(verify_vp(vp, "c-999", &v) == 1 && has_check(&v, "proof", MC_CHECK_FAIL),
          "wrong challenge: invalid (%s)", mc_verdict_name(v.kind));
    free(vp);

    /* a VC-JWT inside, enveloped */
    one[0] = jwt;
    vp = vp_of(hdid.ptr, one, 1, true, &holder, "c-123");
    CHECK(verify_vp(vp, "c-123", &v) == 0, "enveloped VC-JWT in a presentation: %s",
          mc_verdict_name(v.kind));
    free(vp);

    /* someone else's credential */
    one[0] = theirs;
    vp = vp_of(hdid.ptr, one, 1, false, &holder, "c-123");
    CHECK(verify_vp(vp, "c-123", &v) == 1 && has_check(&v, "holder", MC_CHECK_FAIL),
          "a credential about someone else: invalid, holder check fails");
    free(vp);

    /* signed by another key than the holder's */
    one[0] = cred;
    vp = vp_of(hdid.ptr, one, 1, false, &other, "c-123");
    CHECK(verify_vp(vp, "c-123", &v) == 1 && has_check(&v, "holder", MC_CHECK_FAIL),
          "presentation signed by a non-holder: invalid");
    free(vp);

    /* a tampered credential inside a validly signed presentation */
    tampered = replace_all(cred, "\"name\": \"N\"", "\"name\": \"Nobel Prize\"");
    if (!strstr(tampered, "Nobel"))
        tampered = replace_all(cred, "\"name\":\"N\"", "\"name\":\"Nobel Prize\"");
    CHECK(tampered && strstr(tampered, "Nobel"), "tampered copy made");
    one[0] = tampered;
    vp = vp_of(hdid.ptr, one, 1, false, &holder, "c-123");
    CHECK(verify_vp(vp, "c-123", &v) == 1 && has_check(&v, "credential[0]", MC_CHECK_FAIL),
          "a tampered credential inside: invalid, credential[0] fails (%s)",
          mc_verdict_name(v.kind));
    free(vp);
    free(tampered);
out:
    free(badge_t);
    free(mine);
    free(cred);
    free(theirs);
    free(jwt);
    mc_buf_release(&hdid);
    mc_buf_release(&odid);
    mc_key_clear(&issuer);
    mc_key_clear(&holder);
    mc_key_clear(&other);
}

int main(void)
{
    struct mc_err err;

    mc_err_clear(&err);
    if (mc_ctxstore_new(&store, NULL, &err) || mc_jsonld_cache_new(&cache)) {
        CHECK(0, "contexts: %s", err.msg);
        return check_report();
    }
    test_suites();
    test_proof_set_and_grades();
    test_status();
    test_rotation();
    test_torture();
    test_presentations();
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(store);
    return check_report();
}
