/* di.c - Data Integrity proofs: proof configuration, proof sets and chains,
 * signing and verifying over the registered cryptosuites; eddsa-jcs-2022.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

#include "crypto/hash.h"
#include "jsonld/jcs.h"
#include "proof/di.h"
#include "proof/rdfc_suite.h"
#include "util/codec.h"
#include "util/json.h"

static bool err_is_set(const struct mc_err *e)
{
    return e && e->msg[0];
}

/* ---- suite table -------------------------------------------------------- */

static mcred_rc jcs_hash(const struct mc_di_env *env, const cJSON *unsecured,
                         const cJSON *proof_config, struct mc_di_trace *trace,
                         struct mc_di_attempt *at, uint8_t *out, size_t *out_len,
                         struct mc_err *err);

static const struct mc_di_suite jcs_suite = {
    "eddsa-jcs-2022", "DataIntegrityProof", true, true, jcs_hash, NULL, NULL
};

#define MAX_SUITES 8
static const struct mc_di_suite *suites[MAX_SUITES] = { &jcs_suite, &mc_di_suite_rdfc,
                                                        &mc_di_suite_ed2020 };
static size_t nsuites = 3;
static pthread_mutex_t suites_lock = PTHREAD_MUTEX_INITIALIZER;

const struct mc_di_suite *mc_di_suite_find(const char *name)
{
    const struct mc_di_suite *found = NULL;
    size_t i;

    pthread_mutex_lock(&suites_lock);
    for (i = 0; i < nsuites && !found; i++) {
        if (strcmp(suites[i]->name, name) == 0)
            found = suites[i];
    }
    pthread_mutex_unlock(&suites_lock);
    return found;
}

mcred_rc mc_di_suite_register(const struct mc_di_suite *s)
{
    mcred_rc rc = MCRED_OK;
    size_t i;

    pthread_mutex_lock(&suites_lock);
    for (i = 0; i < nsuites; i++) {
        if (strcmp(suites[i]->name, s->name) == 0)
            break;
    }
    if (i < nsuites)
        suites[i] = s;
    else if (nsuites == MAX_SUITES)
        rc = MCRED_ERR_LIMIT;
    else
        suites[nsuites++] = s;
    pthread_mutex_unlock(&suites_lock);
    return rc;
}

/* ---- views: documents without some members, sharing the original nodes ---- */

/* A new object holding references to obj's members except the names in skip
 * (NULL-terminated). Free with cJSON_Delete: the referenced nodes survive. */
static cJSON *view_without(const cJSON *obj, const char *const *skip)
{
    cJSON *v = mc_json_node(cJSON_Object);
    const cJSON *m;

    if (!v)
        return NULL;
    cJSON_ArrayForEach(m, obj) {
        const char *const *s;
        bool drop = false;

        for (s = skip; *s && !drop; s++)
            drop = strcmp(m->string, *s) == 0;
        if (drop)
            continue;
        if (!mc_json_add_ref(v, m->string, m)) {
            cJSON_Delete(v);
            return NULL;
        }
    }
    return v;
}

/* Replace (or add) member name of a view with a reference to item. */
static bool view_set(cJSON *view, const char *name, const cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(view, name);
    return mc_json_add_ref(view, name, item);
}

/* ---- eddsa-jcs-2022 (vc-di-eddsa §3.3) ------------------------------------ */

static mcred_rc canon_hash(const cJSON *v, struct mc_buf *keep, uint8_t out[32],
                           struct mc_err *err)
{
    struct mc_buf tmp, *b = keep ? keep : &tmp;
    mcred_rc rc;

    if (!keep)
        mc_buf_init(&tmp, 0);
    rc = mc_buf_grow(b, 4096);   /* a credential's size: no doubling from 64 bytes */
    if (!rc)
        rc = mc_jcs_canon(v, b, err);
    if (!rc)
        mc_sha256(b->ptr ? b->ptr : "", b->len, out);
    if (!keep)
        mc_buf_release(&tmp);
    return rc;
}

static mcred_rc jcs_hash(const struct mc_di_env *env, const cJSON *unsecured,
                         const cJSON *proof_config, struct mc_di_trace *trace,
                         struct mc_di_attempt *at, uint8_t *out, size_t *out_len,
                         struct mc_err *err)
{
    mcred_rc rc;

    *out_len = 0;
    if (at && at->n > 0)
        return MCRED_ERR_NOTFOUND;   /* JCS reads a document one way only */
    rc = canon_hash(proof_config, trace ? trace->canon_proof : NULL, out, err);
    if (!rc)
        rc = canon_hash(unsecured, trace ? trace->canon_doc : NULL, out + 32, err);
    if (rc)
        return rc;
    *out_len = 64;
    return MCRED_OK;
}

/* JCS proofs carry the document's @context (set at signing; at verifying,
 * the document's must start with the proof's, which then stands for it). */
static bool context_prefix(const cJSON *doc_ctx, const cJSON *proof_ctx)
{
    const cJSON *d, *p;

    if (!doc_ctx)
        return false;
    if (!mc_json_is_array(proof_ctx))
        return cJSON_Compare(mc_json_is_array(doc_ctx) ? doc_ctx->child : doc_ctx, proof_ctx, 1);
    if (!mc_json_is_array(doc_ctx))
        return cJSON_GetArraySize(proof_ctx) == 1 && cJSON_Compare(doc_ctx, proof_ctx->child, 1);
    for (d = doc_ctx->child, p = proof_ctx->child; p; d = d->next, p = p->next) {
        if (!d || !cJSON_Compare(d, p, 1))
            return false;
    }
    return true;
}

/* ---- signing -------------------------------------------------------------- */

static mcred_rc add_str(cJSON *o, const char *name, const char *v)
{
    if (!v)
        return MCRED_OK;
    return cJSON_AddStringToObject(o, name, v) ? MCRED_OK : MCRED_ERR_NOMEM;
}

/* Proofs of `proofs` (object or array) whose id is listed in prev (string or
 * array of strings), as a new array of references. */
static mcred_rc matching_proofs(const cJSON *proofs, const cJSON *prev, cJSON **out,
                                struct mc_err *err)
{
    cJSON *arr = cJSON_CreateArray();
    const cJSON *want;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (!arr)
        return MCRED_ERR_NOMEM;
    for (want = mc_json_is_array(prev) ? prev->child : prev; want && !rc;
         want = mc_json_is_array(prev) ? want->next : NULL) {
        const cJSON *p, *found = NULL;

        if (!mc_json_is_string(want)) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "previousProof must be a string or strings");
            break;
        }
        for (p = mc_json_is_array(proofs) ? proofs->child : proofs; p && !found;
             p = mc_json_is_array(proofs) ? p->next : NULL) {
            const char *id = mc_json_str(p, "id");

            if (id && strcmp(id, want->valuestring) == 0)
                found = p;
        }
        if (!found)
            rc = mc_err_set(err, MCRED_ERR_VERIFY, "previousProof '%.100s' is not on the document",
                            want->valuestring);
        else if (!cJSON_AddItemReferenceToArray(arr, (cJSON *)(uintptr_t)found))
            rc = MCRED_ERR_NOMEM;
    }
    if (rc) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return MCRED_OK;
}

static mcred_rc build_config(const struct mc_di_sign_opts *o, const char *vm, const char *created,
                             const char *suite, cJSON **out)
{
    cJSON *c = cJSON_CreateObject();
    mcred_rc rc;

    *out = NULL;
    if (!c)
        return MCRED_ERR_NOMEM;
    rc = add_str(c, "type", "DataIntegrityProof");
    if (!rc)
        rc = add_str(c, "id", o->id);
    if (!rc)
        rc = add_str(c, "cryptosuite", suite);
    if (!rc)
        rc = add_str(c, "created", created);
    if (!rc)
        rc = add_str(c, "expires", o->expires);
    if (!rc)
        rc = add_str(c, "verificationMethod", vm);
    if (!rc)
        rc = add_str(c, "proofPurpose", o->proof_purpose ? o->proof_purpose : "assertionMethod");
    if (!rc)
        rc = add_str(c, "challenge", o->challenge);
    if (!rc)
        rc = add_str(c, "domain", o->domain);
    if (!rc)
        rc = add_str(c, "previousProof", o->previous_proof);
    if (rc) {
        cJSON_Delete(c);
        return rc;
    }
    *out = c;
    return MCRED_OK;
}

/* Sign hashData and put proofValue on cfg. */
static mcred_rc put_proof_value(cJSON *cfg, const struct mc_key *k, const uint8_t *hash,
                                size_t hlen)
{
    uint8_t sig[MC_ED25519_SIG_BYTES];
    struct mc_buf pv;
    mcred_rc rc;

    rc = mc_key_sign(k, hash, hlen, sig);
    if (rc)
        return rc;
    mc_buf_init(&pv, 256);
    rc = mc_multibase_encode(&pv, 'z', sig, sizeof(sig));
    if (!rc && !cJSON_AddStringToObject(cfg, "proofValue", pv.ptr))
        rc = MCRED_ERR_NOMEM;
    mc_buf_release(&pv);
    return rc;
}

/* Attach proof to doc: none before -> object; one or more -> array. */
static mcred_rc attach(cJSON *doc, cJSON *proof)
{
    cJSON *old = mc_json_get(doc, "proof");
    cJSON *arr;

    if (!old)
        return cJSON_AddItemToObject(doc, "proof", proof) ? MCRED_OK : MCRED_ERR_NOMEM;
    if (mc_json_is_array(old))
        return cJSON_AddItemToArray(old, proof) ? MCRED_OK : MCRED_ERR_NOMEM;
    arr = cJSON_CreateArray();
    if (!arr)
        return MCRED_ERR_NOMEM;
    old = cJSON_DetachItemFromObjectCaseSensitive(doc, "proof");
    cJSON_AddItemToArray(arr, old);
    cJSON_AddItemToArray(arr, proof);
    if (!cJSON_AddItemToObject(doc, "proof", arr)) {
        cJSON_DetachItemViaPointer(arr, old);
        cJSON_DetachItemViaPointer(arr, proof);
        cJSON_Delete(arr);
        cJSON_AddItemToObject(doc, "proof", old);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

mcred_rc mc_di_sign(cJSON *doc, const struct mc_key *k, const struct mc_di_sign_opts *o,
                    const struct mc_di_env *env, struct mc_di_trace *trace, struct mc_err *err)
{
    static const char *const skip_proof[] = { "proof", NULL };
    static const struct mc_di_sign_opts none;
    const struct mc_di_suite *suite;
    const char *suite_name, *vm;
    const cJSON *ctx;
    cJSON *cfg = NULL, *unsecured = NULL, *prev = NULL;
    struct mc_buf vmbuf;
    char created[32];
    uint8_t hash[96];
    size_t hlen = 0;
    time_t t;
    mcred_rc rc;

    if (!o)
        o = &none;
    suite_name = o->cryptosuite ? o->cryptosuite : "eddsa-rdfc-2022";
    if (!mc_json_is_object(doc))
        return mc_err_set(err, MCRED_ERR_INVALID, "only a JSON object can be signed");
    if (!k->sk)
        return mc_err_set(err, MCRED_ERR_INVALID, "the signing key has no secret part");
    suite = mc_di_suite_find(suite_name);
    if (!suite || !suite->sign || strcmp(suite->proof_type, "DataIntegrityProof") != 0)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "unknown cryptosuite '%s' for signing",
                          suite_name);
    if (o->created) {
        if (mc_time_parse(o->created, true, &t))
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "created '%s' is not an RFC 3339 date-time with a time zone",
                              o->created);
        mc_strlcpy(created, o->created, sizeof(created));
    } else {
        mc_time_format(env ? env->now : time(NULL), created);
    }
    if (suite->check_sign) {
        rc = suite->check_sign(doc, err);
        if (rc)
            return rc;
    }
    if (o->expires && mc_time_parse(o->expires, true, &t))
        return mc_err_set(err, MCRED_ERR_INVALID, "expires '%s' is not an RFC 3339 date-time",
                          o->expires);
    mc_buf_init(&vmbuf, MC_DID_MAX);
    vm = o->verification_method;
    if (!vm) {
        rc = mc_key_vm_id(k, &vmbuf);
        if (rc)
            goto out;
        vm = vmbuf.ptr;
    }
    rc = build_config(o, vm, created, suite_name, &cfg);
    if (rc)
        goto out;
    ctx = mc_json_get(doc, "@context");
    if (suite->proof_has_context && ctx) {
        cJSON *dup = cJSON_Duplicate(ctx, 1);

        if (!dup || !cJSON_AddItemToObject(cfg, "@context", dup)) {
            cJSON_Delete(dup);
            rc = MCRED_ERR_NOMEM;
            goto out;
        }
    }
    unsecured = view_without(doc, skip_proof);
    if (!unsecured) {
        rc = MCRED_ERR_NOMEM;
        goto out;
    }
    if (o->previous_proof) {
        const cJSON *proofs = mc_json_get(doc, "proof");
        cJSON *want = cJSON_CreateString(o->previous_proof);

        rc = want ? matching_proofs(proofs, want, &prev, err) : MCRED_ERR_NOMEM;
        cJSON_Delete(want);
        if (rc)
            goto out;
        if (!cJSON_AddItemToObject(unsecured, "proof", prev)) {
            cJSON_Delete(prev);
            rc = MCRED_ERR_NOMEM;
            goto out;
        }
    }
    {
        struct mc_di_attempt at = { 0, NULL, "" };

        rc = suite->hash(env, unsecured, cfg, trace, &at, hash, &hlen, err);
        if (suite->release)
            suite->release(&at);
    }
    if (rc)
        goto out;
    if (trace) {
        memcpy(trace->hash, hash, hlen);
        trace->hash_len = hlen;
    }
    rc = put_proof_value(cfg, k, hash, hlen);
    if (!rc)
        rc = attach(doc, cfg);
    if (!rc)
        cfg = NULL;
out:
    if (rc && !err_is_set(err))
        mc_err_set(err, rc, "cannot sign: %s", mcred_strerror(rc));
    cJSON_Delete(unsecured);
    cJSON_Delete(cfg);
    mc_buf_release(&vmbuf);
    return rc;
}

/* ---- verifying ------------------------------------------------------------ */

static void result_fail(struct mc_di_result *r, mcred_rc rc, const char *msg)
{
    r->rc = rc;
    mc_strlcpy(r->reason, msg, sizeof(r->reason));
}

/* Checks on the proof's own members before any crypto. */
static mcred_rc check_options(const cJSON *p, const struct mc_di_expect *ex,
                              const struct mc_di_env *env, struct mc_di_result *r,
                              struct mc_err *err)
{
    const char *type = mc_json_str(p, "type"), *purpose = mc_json_str(p, "proofPurpose");
    const char *created = mc_json_str(p, "created"), *expires = mc_json_str(p, "expires");
    const char *want_purpose = ex && ex->proof_purpose ? ex->proof_purpose : "assertionMethod";
    const char *vm = mc_json_str(p, "verificationMethod");
    time_t t;

    if (!mc_json_is_object(p))
        return mc_err_set(err, MCRED_ERR_INVALID, "proof is not an object");
    if (!type || (strcmp(type, "DataIntegrityProof") != 0 && !mc_di_suite_find(type)))
        return mc_err_set(err, MCRED_ERR_VERIFY, "proof type '%s' is not supported (fails "
                          "closed)", type ? type : "(missing)");
    if (!vm)
        return mc_err_set(err, MCRED_ERR_INVALID, "proof has no verificationMethod");
    mc_strlcpy(r->verification_method, vm, sizeof(r->verification_method));
    if (!purpose)
        return mc_err_set(err, MCRED_ERR_INVALID, "proof has no proofPurpose");
    if (strcmp(purpose, want_purpose) != 0)
        return mc_err_set(err, MCRED_ERR_VERIFY, "proofPurpose is '%s', expected '%s'", purpose,
                          want_purpose);
    if (created) {
        if (mc_time_parse(created, false, &t))
            return mc_err_set(err, MCRED_ERR_INVALID, "proof created '%.40s' is not a date-time",
                              created);
        mc_strlcpy(r->created, created, sizeof(r->created));
    }
    if (expires) {
        if (mc_time_parse(expires, false, &t))
            return mc_err_set(err, MCRED_ERR_INVALID, "proof expires '%.40s' is not a date-time",
                              expires);
        if (env && t < env->now)
            return mc_err_set(err, MCRED_ERR_VERIFY, "proof expired at %s", expires);
    }
    if (ex && ex->challenge) {
        const char *c = mc_json_str(p, "challenge");

        if (!c || strcmp(c, ex->challenge) != 0)
            return mc_err_set(err, MCRED_ERR_VERIFY,
                              "proof challenge '%s' is not the expected '%s'",
                              c ? c : "(none)", ex->challenge);
    }
    if (ex && ex->domain) {
        const cJSON *d = mc_json_get(p, "domain");

        if (!mc_json_has_str(d, ex->domain))
            return mc_err_set(err, MCRED_ERR_VERIFY, "proof domain does not include '%s'",
                              ex->domain);
    }
    return MCRED_OK;
}

static mcred_rc decode_proof_value(const cJSON *p, uint8_t sig[MC_ED25519_SIG_BYTES],
                                   struct mc_err *err)
{
    const char *pv = mc_json_str(p, "proofValue");
    struct mc_buf b;
    mcred_rc rc = MCRED_OK;

    if (!pv)
        return mc_err_set(err, MCRED_ERR_INVALID, "proof has no proofValue string");
    if (pv[0] != 'z')
        return mc_err_set(err, MCRED_ERR_INVALID, "proofValue is not multibase base58btc ('z')");
    mc_buf_init(&b, 256);
    if (mc_multibase_decode(&b, pv, strlen(pv)) != MCRED_OK)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "proofValue is not valid base58btc");
    else if (b.len != MC_ED25519_SIG_BYTES)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "proofValue holds %zu bytes, not a 64-byte "
                        "Ed25519 signature", b.len);
    else
        memcpy(sig, b.ptr, MC_ED25519_SIG_BYTES);
    mc_buf_release(&b);
    return rc;
}

/* Verify one proof p of doc (proofs: the document's whole "proof" value). */
static mcred_rc verify_one(const cJSON *doc, const cJSON *proofs, const cJSON *p,
                           const struct mc_di_expect *ex, const struct mc_di_env *env,
                           struct mc_di_result *r, struct mc_di_trace *trace, struct mc_err *err)
{
    static const char *const skip_proof[] = { "proof", NULL };
    static const char *const skip_value[] = { "proofValue", NULL };
    const struct mc_di_suite *suite;
    const char *suite_name = mc_json_str(p, "cryptosuite"), *type = mc_json_str(p, "type");
    const cJSON *pctx, *prev;
    cJSON *unsecured = NULL, *cfg = NULL, *chain = NULL;
    uint8_t sig[MC_ED25519_SIG_BYTES], hash[96];
    size_t hlen = 0;
    struct mc_vm vm;
    struct mc_di_attempt at = { 0, NULL, "" };
    mcred_rc rc;

    memset(&vm, 0, sizeof(vm));
    rc = check_options(p, ex, env, r, err);
    if (rc)
        return rc;
    if (strcmp(type, "DataIntegrityProof") != 0)
        suite_name = type;   /* a legacy suite, named by its proof type */
    if (!suite_name)
        return mc_err_set(err, MCRED_ERR_INVALID, "proof has no cryptosuite");
    mc_strlcpy(r->cryptosuite, suite_name, sizeof(r->cryptosuite));
    suite = mc_di_suite_find(suite_name);
    if (!suite || strcmp(suite->proof_type, type) != 0)
        return mc_err_set(err, MCRED_ERR_VERIFY, "cryptosuite '%s' is not supported (fails "
                          "closed)", suite_name);
    rc = decode_proof_value(p, sig, err);
    if (rc)
        return rc;
    unsecured = view_without(doc, skip_proof);
    cfg = view_without(p, skip_value);
    if (!unsecured || !cfg) {
        rc = MCRED_ERR_NOMEM;
        goto out;
    }
    pctx = mc_json_get(p, "@context");
    if (pctx && suite->proof_has_context) {
        if (!context_prefix(mc_json_get(doc, "@context"), pctx)) {
            rc = mc_err_set(err, MCRED_ERR_VERIFY,
                            "the document's @context does not start with the proof's @context");
            goto out;
        }
        if (!view_set(unsecured, "@context", pctx)) {
            rc = MCRED_ERR_NOMEM;
            goto out;
        }
    }
    prev = mc_json_get(p, "previousProof");
    if (prev) {
        rc = matching_proofs(proofs, prev, &chain, err);
        if (rc)
            goto out;
        if (!cJSON_AddItemToObject(unsecured, "proof", chain)) {
            cJSON_Delete(chain);
            rc = MCRED_ERR_NOMEM;
            goto out;
        }
    }
    rc = mc_did_resolve_vm(r->verification_method, env ? env->fetcher : NULL, &vm, err);
    if (rc)
        goto out;
    mc_strlcpy(r->controller, vm.controller, sizeof(r->controller));
    if (strcmp(mc_json_str(p, "proofPurpose"), "assertionMethod") == 0 && !vm.assertion) {
        rc = mc_err_set(err, MCRED_ERR_VERIFY, "'%s' is not an assertionMethod of its DID",
                        vm.id);
        goto out;
    }
    if (strcmp(mc_json_str(p, "proofPurpose"), "authentication") == 0 && !vm.authentication) {
        rc = mc_err_set(err, MCRED_ERR_VERIFY, "'%s' is not an authentication method of its DID",
                        vm.id);
        goto out;
    }
    /* hash and check; a suite that can read the document another way (older
     * context revisions) gets another try while the signature does not match */
    for (;;) {
        rc = suite->hash(env, unsecured, cfg, at.n == 0 ? trace : NULL, &at, hash, &hlen, err);
        if (rc == MCRED_ERR_NOTFOUND && at.n > 0) {
            rc = mc_err_set(err, MCRED_ERR_VERIFY, "the %s signature does not match the "
                            "document", suite_name);
            break;
        }
        if (rc == MCRED_ERR_NOMEM || (rc && at.n == 0))
            break;
        if (rc) {   /* an older reading that does not process: try the next one */
            at.n++;
            continue;
        }
        if (trace && at.n == 0) {
            memcpy(trace->hash, hash, hlen);
            trace->hash_len = hlen;
        }
        rc = mc_key_verify(&vm.key, hash, hlen, sig);
        if (rc == MCRED_OK) {
            mc_strlcpy(r->note, at.note, sizeof(r->note));
            break;
        }
        at.n++;
    }
out:
    if (suite && suite->release)
        suite->release(&at);
    mc_key_clear(&vm.key);
    cJSON_Delete(unsecured);
    cJSON_Delete(cfg);
    return rc;
}

bool mc_di_rc_is_failure(mcred_rc rc)
{
    return rc == MCRED_ERR_VERIFY || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_NOTFOUND;
}

mcred_rc mc_di_verify(const cJSON *doc, const struct mc_di_expect *ex, const struct mc_di_env *env,
                      struct mc_di_result res[MC_DI_MAX_PROOFS], size_t *nres,
                      struct mc_di_trace *trace, struct mc_err *err)
{
    const cJSON *proofs, *p;
    size_t n = 0;
    bool failed = false, unknown = false;

    *nres = 0;
    if (!mc_json_is_object(doc))
        return mc_err_set(err, MCRED_ERR_INVALID, "the document is not a JSON object");
    proofs = mc_json_get(doc, "proof");
    if (!proofs)
        return mc_err_set(err, MCRED_ERR_INVALID, "the document has no proof");
    if (mc_json_is_array(proofs) && cJSON_GetArraySize(proofs) == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "the document's proof set is empty");
    for (p = mc_json_is_array(proofs) ? proofs->child : proofs; p;
         p = mc_json_is_array(proofs) ? p->next : NULL) {
        struct mc_di_result *r = &res[n];
        struct mc_err e;

        if (n == MC_DI_MAX_PROOFS)
            return mc_err_set(err, MCRED_ERR_LIMIT, "more than %d proofs", MC_DI_MAX_PROOFS);
        memset(r, 0, sizeof(*r));
        mc_err_clear(&e);
        r->rc = verify_one(doc, proofs, p, ex, env, r, n == 0 ? trace : NULL, &e);
        if (r->rc) {
            result_fail(r, r->rc, mc_err_msg(&e));
        } else {
            /* concatenated, not printed: this runs on every verification */
            mc_strlcpy(r->reason, r->cryptosuite, sizeof(r->reason));
            mc_strlcat(r->reason, " signature verified with ", sizeof(r->reason));
            mc_strlcat(r->reason, r->verification_method, sizeof(r->reason));
            if (r->note[0]) {
                mc_strlcat(r->reason, " (", sizeof(r->reason));
                mc_strlcat(r->reason, r->note, sizeof(r->reason));
                mc_strlcat(r->reason, ")", sizeof(r->reason));
            }
        }
        failed |= mc_di_rc_is_failure(r->rc);
        unknown |= r->rc && !mc_di_rc_is_failure(r->rc);
        n++;
    }
    *nres = n;
    if (failed) {
        size_t i;

        for (i = 0; i < n && !mc_di_rc_is_failure(res[i].rc); i++)
            ;
        return mc_err_set(err, MCRED_ERR_VERIFY, "%s", res[i].reason);
    }
    if (unknown) {
        size_t i;

        for (i = 0; i < n && !res[i].rc; i++)
            ;
        return mc_err_set(err, res[i].rc, "%s", res[i].reason);
    }
    return MCRED_OK;
}
