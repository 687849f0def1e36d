/* test_verdicts.c - the verdict table of the universal verifier, for each
 * proof format (eddsa-rdfc-2022, eddsa-jcs-2022, VC-JWT): valid, expired,
 * not yet valid, revoked, suspended, tampered (every field, one at a time),
 * a proof pointing at the wrong key, a credential signed by a key that is not
 * the issuer's, an issuer not on the trust list, and an unreachable status
 * list (indeterminate). The contexts are the embedded ones.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jcs.h"
#include "jsonld/jsonld.h"
#include "proof/di.h"
#include "service/sign.h"
#include "service/verify.h"
#include "status/bitstring.h"
#include "util/codec.h"
#include "util/json.h"

#define NOW 1800000000
#define STATUS_URL "https://issuer.example/status/1"

static struct mc_ctxstore *store;
static struct mc_jsonld_cache *cache;
static const char *const suites[] = { "eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt" };

/* The status list document served at STATUS_URL (NULL: unreachable). */
static char *list_doc;

static mcred_rc fetch(void *ud, const char *url, struct mc_buf *out, struct mc_err *err)
{
    (void)ud;
    if (!list_doc || strcmp(url, STATUS_URL) != 0)
        return mc_err_set(err, MCRED_ERR_IO, "%s: connection refused", url);
    return mc_buf_appends(out, list_doc);
}

static const struct mc_fetcher fetcher = { fetch, NULL };

static char *did_of(const struct mc_key *k)
{
    struct mc_buf b;

    mc_buf_init(&b, 0);
    if (mc_key_did(k, &b) != MCRED_OK)
        return NULL;
    return mc_buf_take(&b, NULL);
}

/* A signed list of issuer k with bit `set` (or none) of purpose p. */
static char *make_list(const struct mc_key *k, enum mc_status_purpose p, long set)
{
    struct mc_bitstring bs;
    struct mc_status_list_desc d = { 0 };
    struct mc_di_env env = { NULL, store, cache, 1750000000 };
    struct mc_buf out;
    cJSON *list = NULL;
    char *did = did_of(k), *s = NULL;

    mc_buf_init(&out, 0);
    if (mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, NULL) != MCRED_OK)
        return NULL;
    if (set >= 0 && mc_bitstring_set(&bs, (size_t)set, 1, NULL) != MCRED_OK)
        goto out;
    d.url = STATUS_URL;
    d.issuer = did;
    d.valid_from = 1740000000;
    d.purpose = p;
    if (mc_status_list_credential(&d, &bs, &list, NULL) == MCRED_OK &&
        mc_di_sign(list, k, NULL, &env, NULL, NULL) == MCRED_OK &&
        mc_json_stringify(list, 0, &out, NULL) == MCRED_OK)
        s = mc_buf_take(&out, NULL);
out:
    cJSON_Delete(list);
    mc_bitstring_release(&bs);
    mc_buf_release(&out);
    free(did);
    return s;
}

/* The credential, issuer `issuer_did`, subject a DID (VC-JWT needs one), with
 * optional dates and a status entry; signed by k with suite. */
static char *make_cred(const char *suite, const struct mc_key *k, const char *issuer_did,
                       const char *valid_from, const char *valid_until,
                       enum mc_status_purpose purpose, bool status)
{
    char text[4096];
    struct mc_sign_opts so = { 0 };
    struct mc_buf out;
    cJSON *cred = NULL, *entry = NULL;
    char *json, *s = NULL;

    snprintf(text, sizeof(text),
             "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\","
             " \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],"
             " \"id\": \"urn:uuid:2d8f1a0e-5b7c-4b1e-9a57-1f0c6c1d2e3f\","
             " \"type\": [\"VerifiableCredential\", \"OpenBadgeCredential\"],"
             " \"name\": \"Data Analysis Badge\","
             " \"issuer\": {\"id\": \"%s\", \"type\": [\"Profile\"], \"name\": \"Example U\"},"
             " \"validFrom\": \"%s\"%s%s%s,"
             " \"credentialSubject\": {\"id\": \"did:example:learner\","
             " \"type\": [\"AchievementSubject\"],"
             " \"achievement\": {\"id\": \"https://example.edu/a/1\", \"type\": [\"Achievement\"],"
             " \"name\": \"Data analysis\", \"description\": \"Analyses data\","
             " \"criteria\": {\"narrative\": \"Passed the exam\"}, \"creditsAvailable\": 2.5}}}",
             issuer_did, valid_from, valid_until ? ", \"validUntil\": \"" : "",
             valid_until ? valid_until : "", valid_until ? "\"" : "");
    if (mc_json_parse(text, strlen(text), 0, &cred, NULL) != MCRED_OK)
        return NULL;
    if (status) {
        if (mc_status_entry(STATUS_URL, purpose, 42, 1, NULL, &entry, NULL) != MCRED_OK) {
            cJSON_Delete(cred);
            return NULL;
        }
        cJSON_AddItemToObject(cred, "credentialStatus", entry);
    }
    json = cJSON_PrintUnformatted(cred);
    cJSON_Delete(cred);
    so.suite = suite;
    so.now = 1750000000;
    so.contexts = store;
    so.cache = cache;
    mc_buf_init(&out, 0);
    if (json && mc_sign_bytes(json, strlen(json), k, &so, &out, NULL) == MCRED_OK)
        s = mc_buf_take(&out, NULL);
    mc_buf_release(&out);
    cJSON_free(json);
    return s;
}

static enum mc_verdict_kind verdict(const char *p, const char *const *trusted, size_t nt,
                                    struct mc_verdict *v)
{
    struct mc_verify_opts vo = { 0 };

    vo.now = NOW;
    vo.contexts = store;
    vo.cache = cache;
    vo.fetcher = &fetcher;
    vo.trusted = trusted;
    vo.ntrusted = nt;
    if (!p || mc_verify_bytes(p, strlen(p), &vo, v, NULL) != MCRED_OK)
        return (enum mc_verdict_kind)-1;
    return v->kind;
}

/* A status source like the verifier's own store: list_doc for STATUS_URL. */
static mcred_rc store_get(void *ud, const char *url, cJSON **out, struct mc_err *err)
{
    (void)ud;
    if (!list_doc || strcmp(url, STATUS_URL) != 0)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "%s: no such list", url);
    return mc_json_parse(list_doc, strlen(list_doc), 0, out, err);
}

/* The verdict with list_doc coming from the store source, no fetcher. */
static enum mc_verdict_kind verdict_store(const char *p, struct mc_verdict *v)
{
    static const struct mc_status_source src = { store_get, NULL };
    struct mc_verify_opts vo = { 0 };

    vo.now = NOW;
    vo.contexts = store;
    vo.cache = cache;
    vo.status = &src;
    if (!p || mc_verify_bytes(p, strlen(p), &vo, v, NULL) != MCRED_OK)
        return (enum mc_verdict_kind)-1;
    return v->kind;
}

static bool has_reason(const struct mc_verdict *v, const char *check, const char *text)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        if (strcmp(v->checks[i].name, check) == 0 && strstr(v->checks[i].reason, text))
            return true;
    return false;
}

/* --- tampering ------------------------------------------------------------------ */

/* Change the n-th leaf (depth-first, "proof" skipped) of v; false when there
 * are fewer leaves. */
static bool mutate_nth(cJSON *v, size_t *n)
{
    cJSON *e;

    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v) {
            if (e->string && strcmp(e->string, "proof") == 0)
                continue;
            if (mutate_nth(e, n))
                return true;
        }
        return false;
    }
    if ((*n)-- != 0)
        return false;
    if (cJSON_IsString(v)) {
        size_t len = strlen(v->valuestring);
        char *s = malloc(len + 2);

        memcpy(s, v->valuestring, len);
        s[len] = len && v->valuestring[len - 1] == 'x' ? 'y' : 'x';
        s[len + 1] = '\0';
        cJSON_SetValuestring(v, s);
        free(s);
    } else if (cJSON_IsNumber(v)) {
        cJSON_SetNumberValue(v, v->valuedouble + 1);
    } else if (cJSON_IsBool(v)) {
        v->type = cJSON_IsTrue(v) ? cJSON_False : cJSON_True;
    }
    return true;
}

/* Tamper with every leaf of the credential in turn: never valid. For a JWT
 * the payload is changed and re-encoded under the old signature. */
static void tamper_all(const char *suite, const char *signed_text)
{
    bool jwt = strcmp(suite, "vc-jwt") == 0;
    size_t i, leaves = 0, bad = 0;

    for (i = 0; i < 200; i++) {
        struct mc_verdict v;
        cJSON *doc = NULL;
        char *text = NULL;
        size_t n = i;
        const char *d1 = NULL, *d2 = NULL;
        struct mc_buf b;

        mc_buf_init(&b, 0);
        if (jwt) {
            d1 = strchr(signed_text, '.');
            d2 = strchr(d1 + 1, '.');
            if (mc_b64url_decode(&b, d1 + 1, (size_t)(d2 - d1 - 1)) != MCRED_OK ||
                mc_json_parse(b.ptr, b.len, 0, &doc, NULL) != MCRED_OK)
                break;
        } else if (mc_json_parse(signed_text, strlen(signed_text), 0, &doc, NULL) != MCRED_OK) {
            break;
        }
        if (!mutate_nth(doc, &n)) {
            cJSON_Delete(doc);
            mc_buf_release(&b);
            break;
        }
        leaves++;
        mc_buf_reset(&b);
        if (jwt) {
            char *payload = cJSON_PrintUnformatted(doc);
            struct mc_buf enc;

            mc_buf_init(&enc, 0);
            if (mc_buf_append(&enc, signed_text, (size_t)(d1 - signed_text + 1)) == MCRED_OK &&
                mc_b64url_encode(&enc, (const uint8_t *)payload, strlen(payload)) == MCRED_OK &&
                mc_buf_appends(&enc, d2) == MCRED_OK)
                text = mc_buf_take(&enc, NULL);
            mc_buf_release(&enc);
            cJSON_free(payload);
        } else {
            text = cJSON_PrintUnformatted(doc);
        }
        if (verdict(text, NULL, 0, &v) == MC_VERDICT_VALID || mc_verdict_exit_code(&v) == 0) {
            bad++;
            printf("%s: tampered leaf %zu still verifies\n", suite, i);
        }
        free(text);
        cJSON_Delete(doc);
        mc_buf_release(&b);
    }
    CHECK(leaves >= 15, "%s: %zu leaves tampered", suite, leaves);
    CHECK(bad == 0, "%s: every tampered field is caught (%zu of %zu verify)", suite, bad, leaves);
}

/* Point the proof (or the JWT kid) at another key. */
static char *wrong_key(const char *suite, const char *text, const struct mc_key *other)
{
    char *odid = did_of(other), vm[512], *out = NULL;

    snprintf(vm, sizeof(vm), "%s#%s", odid, odid + strlen("did:key:"));
    if (strcmp(suite, "vc-jwt") == 0) {
        /* a new header naming the other key, the old payload and signature */
        char hdr[1024];
        struct mc_buf b;
        const char *d1 = strchr(text, '.');

        snprintf(hdr, sizeof(hdr), "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", vm);
        mc_buf_init(&b, 0);
        if (mc_b64url_encode(&b, (const uint8_t *)hdr, strlen(hdr)) == MCRED_OK &&
            mc_buf_appends(&b, d1) == MCRED_OK)
            out = mc_buf_take(&b, NULL);
        mc_buf_release(&b);
    } else {
        cJSON *doc = NULL;

        if (mc_json_parse(text, strlen(text), 0, &doc, NULL) == MCRED_OK) {
            cJSON_ReplaceItemInObject(mc_json_get(doc, "proof") ?
                                      cJSON_GetObjectItem(doc, "proof") : doc,
                                      "verificationMethod", cJSON_CreateString(vm));
            out = cJSON_PrintUnformatted(doc);
            cJSON_Delete(doc);
        }
    }
    free(odid);
    return out;
}

static void test_suite(const char *suite)
{
    static const uint8_t s1[32] = { 21 }, s2[32] = { 22 };
    struct mc_key k, other;
    struct mc_verdict v;
    char *did, *c;
    const char *trusted_other[] = { "did:example:someone-else" };
    enum mc_verdict_kind got;

    CHECK_RC(mc_key_generate(&k, s1), MCRED_OK, "key");
    CHECK_RC(mc_key_generate(&other, s2), MCRED_OK, "other key");
    did = did_of(&k);

    /* valid */
    c = make_cred(suite, &k, did, "2025-01-01T00:00:00Z", NULL, 0, false);
    CHECK(c != NULL, "%s: signed", suite);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_VALID, "%s: valid (%s)", suite, mc_verdict_name(got));
    /* untrusted issuer: valid but untrusted, exit 0; trusted: valid */
    got = verdict(c, trusted_other, 1, &v);
    CHECK(got == MC_VERDICT_UNTRUSTED && mc_verdict_exit_code(&v) == 0,
          "%s: untrusted issuer (%s)", suite, mc_verdict_name(got));
    {
        const char *mine[] = { did };

        got = verdict(c, mine, 1, &v);
        CHECK(got == MC_VERDICT_VALID, "%s: trusted issuer (%s)", suite, mc_verdict_name(got));
    }
    tamper_all(suite, c);
    {
        char *w = wrong_key(suite, c, &other);

        got = verdict(w, NULL, 0, &v);
        CHECK(got == MC_VERDICT_INVALID || got == MC_VERDICT_INDETERMINATE,
              "%s: proof pointing at the wrong key is not valid (%s)", suite,
              mc_verdict_name(got));
        CHECK(got == MC_VERDICT_INVALID, "%s: wrong key: invalid (%s)", suite,
              mc_verdict_name(got));
        free(w);
    }
    free(c);

    /* signed by a key that is not the issuer's */
    c = make_cred(suite, &other, did, "2025-01-01T00:00:00Z", NULL, 0, false);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_INVALID, "%s: issuer/key mismatch: invalid (%s)", suite,
          mc_verdict_name(got));
    free(c);

    /* dates */
    c = make_cred(suite, &k, did, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 0, false);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_EXPIRED && mc_verdict_exit_code(&v) == 1, "%s: expired (%s)", suite,
          mc_verdict_name(got));
    free(c);
    c = make_cred(suite, &k, did, "2030-01-01T00:00:00Z", NULL, 0, false);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_NOT_YET_VALID && mc_verdict_exit_code(&v) == 1,
          "%s: not yet valid (%s)", suite, mc_verdict_name(got));
    free(c);

    /* status: revoked, suspended, clear, unreachable */
    c = make_cred(suite, &k, did, "2025-01-01T00:00:00Z", NULL, MC_STATUS_PURPOSE_REVOCATION,
                  true);
    list_doc = make_list(&k, MC_STATUS_PURPOSE_REVOCATION, 42);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_REVOKED, "%s: revoked (%s)", suite, mc_verdict_name(got));
    free(list_doc);
    list_doc = make_list(&k, MC_STATUS_PURPOSE_REVOCATION, 7);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_VALID, "%s: status clear: valid (%s)", suite, mc_verdict_name(got));
    free(list_doc);
    list_doc = NULL;
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_INDETERMINATE && mc_verdict_exit_code(&v) == 2,
          "%s: unreachable status list: indeterminate (%s)", suite, mc_verdict_name(got));
    free(c);
    c = make_cred(suite, &k, did, "2025-01-01T00:00:00Z", NULL, MC_STATUS_PURPOSE_SUSPENSION,
                  true);
    list_doc = make_list(&k, MC_STATUS_PURPOSE_SUSPENSION, 42);
    got = verdict(c, NULL, 0, &v);
    CHECK(got == MC_VERDICT_SUSPENDED, "%s: suspended (%s)", suite, mc_verdict_name(got));
    free(list_doc);
    list_doc = NULL;
    free(c);

    /* a list from the verifier's own store counts only when the credential's
     * issuer signed it: one of another issuer (bit clear or set) fails */
    c = make_cred(suite, &k, did, "2025-01-01T00:00:00Z", NULL, MC_STATUS_PURPOSE_REVOCATION,
                  true);
    list_doc = make_list(&k, MC_STATUS_PURPOSE_REVOCATION, 7);
    got = verdict_store(c, &v);
    CHECK(got == MC_VERDICT_VALID, "%s: the issuer's own list from the store: valid (%s)", suite,
          mc_verdict_name(got));
    free(list_doc);
    list_doc = make_list(&other, MC_STATUS_PURPOSE_REVOCATION, 7);
    got = verdict_store(c, &v);
    CHECK(got == MC_VERDICT_INVALID && has_reason(&v, "status", "not by the credential's issuer"),
          "%s: another issuer's list from the store: invalid (%s)", suite, mc_verdict_name(got));
    free(list_doc);
    list_doc = NULL;
    free(c);

    free(did);
    mc_key_clear(&k);
    mc_key_clear(&other);
}

int main(void)
{
    struct mc_err err;
    size_t i;

    mc_err_clear(&err);
    if (mc_ctxstore_new(&store, NULL, &err) || mc_jsonld_cache_new(&cache)) {
        CHECK(0, "contexts: %s", err.msg);
        return check_report();
    }
    for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        test_suite(suites[i]);
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(store);
    return check_report();
}
