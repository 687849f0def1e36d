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

/* Design note: the signed credential is the input plus one member, so for
 * compact output the proof is spliced in before the input's closing brace
 * instead of writing the whole document again: the issuer's bytes stay as
 * they were (JCS and RDFC sign the parsed values, not the spelling), and a
 * third of the serialization cost goes. Used only for a first proof on a
 * non-empty object; anything else is written out in full. */
static mcred_rc splice_proof(const char *p, size_t n, const cJSON *proof, struct mc_buf *out,
                             struct mc_err *err)
{
    size_t end = n, start = out->len;
    mcred_rc rc;

    while (end > 0 && p[end - 1] != '}')
        end--;   /* the parser accepted only whitespace after the object */
    if (end == 0)
        return mc_err_set(err, MCRED_ERR_INTERNAL, "signed document has no closing brace");
    rc = mc_buf_append(out, p, end - 1);
    if (!rc)
        rc = mc_buf_appends(out, ",\"proof\":");
    if (!rc)
        rc = mc_json_stringify(proof, 0, out, err);
    if (!rc)
        rc = mc_buf_appendc(out, '}');
    if (rc) {
        out->len = start;
        if (out->ptr)
            out->ptr[start] = '\0';
    }
    return rc;
}

static mcred_rc sign_bytes(const char *p, size_t n, const struct mc_key *k,
                           const struct mc_sign_opts *o, struct mc_buf *out, struct mc_err *err)
{
    const char *suite = o->suite ? o->suite : "eddsa-rdfc-2022";
    struct mc_di_sign_opts so = { 0 };
    struct mc_di_env env = { NULL, o->contexts, o->cache, o->now };
    cJSON *doc = NULL;
    bool had_proof;
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
    had_proof = mc_json_get(doc, "proof") != NULL;
    rc = mc_di_sign(doc, k, &so, &env, NULL, err);
    if (rc)
        goto out;
    if (o->pretty || had_proof || !doc->child || !doc->child->next)
        rc = mc_json_stringify(doc, o->pretty ? 2 : 0, out, err);
    else
        rc = splice_proof(p, n, mc_json_get(doc, "proof"), out, err);
out:
    mc_json_delete(doc);   /* free, or left to the arena scope */
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
