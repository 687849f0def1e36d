/* sign.c - the sign verb over Data Integrity suites and VC-JWT.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "jsonld/jcs.h"
#include "model/ob.h"
#include "proof/di.h"
#include "proof/jwt.h"
#include "service/sign.h"
#include "util/json.h"

static mcred_rc sign_jwt(const cJSON *doc, const struct mc_key *k, const struct mc_sign_opts *o,
                         struct mc_buf *out, struct mc_err *err)
{
    struct mc_jwt_key jk;
    struct mc_jwt_sign_opts jo = { NULL, false };
    struct mc_buf kid;
    mcred_rc rc;

    mc_buf_init(&kid, MC_DID_MAX);
    rc = mc_jwt_key_from_ed25519(&jk, k);
    if (rc)
        return mc_err_set(err, rc, "cannot use the key for VC-JWT: %s", mcred_strerror(rc));
    if (o->verification_method) {
        jo.kid = o->verification_method;
    } else {
        rc = mc_key_vm_id(k, &kid);
        jo.kid = kid.ptr;
    }
    if (!rc)
        rc = mc_jwt_sign(doc, &jk, &jo, out, err);
    mc_jwt_key_clear(&jk);
    mc_buf_release(&kid);
    return rc;
}

static mcred_rc sign_bytes(const char *p, size_t n, const struct mc_key *k,
                           const struct mc_sign_opts *o, struct mc_buf *out, struct mc_err *err)
{
    const char *suite = o->suite ? o->suite : "eddsa-rdfc-2022";
    struct mc_di_sign_opts so = { 0 };
    struct mc_di_env env = { NULL, o->contexts, o->cache, o->now };
    cJSON *doc = NULL;
    mcred_rc rc;

    rc = mc_json_parse(p, n, 0, &doc, err);
    if (rc)
        return rc;
    if (!cJSON_IsObject(doc)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "the credential must be a JSON object");
        goto out;
    }
    if (mc_ob_is_badge(doc)) {
        rc = mc_ob_validate_credential(doc, NULL, err);
        if (rc)
            goto out;
    }
    if (strcmp(suite, "vc-jwt") == 0) {
        if (cJSON_GetObjectItemCaseSensitive(doc, "proof")) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "a VC-JWT secures a credential without "
                                                    "an embedded proof; remove 'proof' first");
            goto out;
        }
        rc = sign_jwt(doc, k, o, out, err);
        goto out;
    }
    so.cryptosuite = suite;
    so.created = o->created;
    so.verification_method = o->verification_method;
    so.proof_purpose = o->proof_purpose;
    so.challenge = o->challenge;
    so.domain = o->domain;
    rc = mc_di_sign(doc, k, &so, &env, NULL, err);
    if (rc)
        goto out;
    rc = mc_json_stringify(doc, o->pretty ? 2 : 0, out, err);
out:
    cJSON_Delete(doc);
    return rc;
}

mcred_rc mc_sign_bytes(const char *p, size_t n, const struct mc_key *k,
                       const struct mc_sign_opts *o, struct mc_buf *out, struct mc_err *err)
{
    bool scoped = mc_json_arena_begin();   /* every tree below dies in this call */
    mcred_rc rc = sign_bytes(p, n, k, o, out, err);

    if (scoped)
        mc_json_arena_end();
    return rc;
}
