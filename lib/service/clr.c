/* clr.c - the CLR 2.0 export of clr.h: the learner's credentials gathered
 * from the store, their achievements, the associations the organisation's
 * stacks give between them, one signed ClrCredential.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include <sodium.h>

#include "crypto/hash.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jcs.h"
#include "model/ob.h"
#include "proof/di.h"
#include "service/assess.h"
#include "service/clr.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/time.h"

#define RULE_MAX_DEPTH 32      /* as lib/model/stack.h's MC_STACK_MAX_DEPTH */

static bool add_s(cJSON *o, const char *name, const char *v)
{
    return cJSON_AddStringToObject(o, name, v) != NULL;
}

static bool add_type(cJSON *o, const char *a, const char *b)
{
    const char *t[2] = { a, b };
    cJSON *arr = cJSON_CreateStringArray(t, b ? 2 : 1);

    if (arr && cJSON_AddItemToObject(o, "type", arr))
        return true;
    cJSON_Delete(arr);
    return false;
}

/* Is there an achievement of id uri in the CLR's achievement array? */
static bool holds(const cJSON *achievements, const char *uri)
{
    const cJSON *a;

    for (a = achievements ? achievements->child : NULL; a; a = a->next) {
        const char *id = mc_json_str(a, "id");

        if (id && strcmp(id, uri) == 0)
            return true;
    }
    return false;
}

/* Add {type Association, associationType, sourceId, targetId} once. */
static mcred_rc add_assoc(cJSON *assoc, const char *type, const char *src, const char *dst)
{
    const cJSON *e;
    cJSON *o;

    for (e = assoc->child; e; e = e->next) {
        if (strcmp(mc_json_str(e, "associationType"), type) == 0 &&
            strcmp(mc_json_str(e, "sourceId"), src) == 0 &&
            strcmp(mc_json_str(e, "targetId"), dst) == 0)
            return MCRED_OK;
    }
    o = cJSON_CreateObject();
    if (o && add_s(o, "type", "Association") && add_s(o, "associationType", type) &&
        add_s(o, "sourceId", src) && add_s(o, "targetId", dst) && cJSON_AddItemToArray(assoc, o))
        return MCRED_OK;
    cJSON_Delete(o);
    return MCRED_ERR_NOMEM;
}

/* Walk a stack rule (shape of lib/model/stack.h; checked when the stack was
 * defined, walked defensively all the same): every component the CLR holds
 * isPartOf the stack when the CLR holds the stack's achievement too;
 * "after" A on component B, both held, gives A precedes B. */
static mcred_rc walk_rule(const cJSON *node, const char *stack, bool stack_held,
                          const cJSON *achievements, cJSON *assoc, int depth)
{
    const cJSON *kids, *k;
    const char *uri, *after;
    mcred_rc rc = MCRED_OK;

    if (depth > RULE_MAX_DEPTH || !mc_json_is_object(node))
        return MCRED_OK;
    uri = mc_json_str(node, "achievement");
    if (uri) {
        after = mc_json_str(node, "after");
        if (stack_held && holds(achievements, uri) && strcmp(uri, stack) != 0)
            rc = add_assoc(assoc, "isPartOf", uri, stack);
        if (!rc && after && holds(achievements, uri) && holds(achievements, after))
            rc = add_assoc(assoc, "precedes", after, uri);
        return rc;
    }
    kids = mc_json_get(node, "allOf");
    if (!kids)
        kids = mc_json_get(node, "anyOf");
    if (!kids)
        kids = mc_json_get(node, "of");
    for (k = mc_json_is_array(kids) ? kids->child : NULL; k && !rc; k = k->next)
        rc = walk_rule(k, stack, stack_held, achievements, assoc, depth + 1);
    return rc;
}

/* The associations the organisation's stacks give between achievements
 * the CLR holds. A store without stacks (an older backend) gives none. */
static mcred_rc associations(const struct mc_issuing *is, const cJSON *achievements,
                             cJSON *assoc, struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_stack_def *d;
    struct mc_err lerr;
    size_t i;
    mcred_rc rc;

    mc_err_clear(&lerr);
    rc = mc_store_stack_list(is->st, is->org, &l, &lerr);
    if (rc == MCRED_ERR_UNSUPPORTED)
        return MCRED_OK;
    if (rc)
        return mc_err_set(err, rc, "%s", mc_err_msg(&lerr));
    d = l.rows;
    for (i = 0; i < l.n && !rc; i++) {
        cJSON *rule = NULL;

        if (!d[i].rule || !d[i].achievement_uri)
            continue;
        if (mc_json_parse(d[i].rule, strlen(d[i].rule), 0, &rule, NULL) != MCRED_OK)
            continue;   /* a stored rule was checked when defined; never made up */
        rc = walk_rule(rule, d[i].achievement_uri, holds(achievements, d[i].achievement_uri),
                       achievements, assoc, 0);
        cJSON_Delete(rule);
    }
    mc_store_list_clear(&l);
    return rc ? mc_err_set(err, rc, "out of memory") : MCRED_OK;
}

/* An OB IdentityObject of email: salted SHA-256 ("sha256$" + hex). */
static cJSON *email_identity(const char *email)
{
    cJSON *id = cJSON_CreateObject();
    uint8_t salt_raw[16], h[MC_SHA256_BYTES];
    struct mc_buf b, salt;
    bool ok = id != NULL;

    mc_buf_init(&b, 8192);
    mc_buf_init(&salt, 64);
    randombytes_buf(salt_raw, sizeof(salt_raw));
    ok = ok && mc_hex_encode(&salt, salt_raw, sizeof(salt_raw)) == MCRED_OK &&
         mc_buf_appends(&b, email) == MCRED_OK && mc_buf_append(&b, salt.ptr, salt.len) == 0;
    if (ok) {
        mc_sha256(b.ptr, b.len, h);
        mc_buf_reset(&b);
        ok = mc_buf_appends(&b, "sha256$") == MCRED_OK &&
             mc_hex_encode(&b, h, sizeof(h)) == MCRED_OK;
    }
    ok = ok && add_s(id, "type", "IdentityObject") && cJSON_AddBoolToObject(id, "hashed", 1) &&
         add_s(id, "identityHash", b.ptr) && add_s(id, "identityType", "emailAddress") &&
         add_s(id, "salt", salt.ptr);
    mc_buf_release(&b);
    mc_buf_release(&salt);
    if (!ok) {
        cJSON_Delete(id);
        return NULL;
    }
    return id;
}

/* The learner's usable credentials (as signed) and their achievements. */
static mcred_rc gather(const struct mc_issuing *is, const struct mc_learner *l, cJSON *vcs,
                       cJSON *achievements, struct mc_err *err)
{
    struct mc_store_list list;
    const struct mc_credential *c;
    size_t i, n = 0;
    mcred_rc rc = mc_store_cred_list_learner(is->st, is->org, l->id, &list, err);

    if (rc)
        return rc;
    c = list.rows;
    for (i = 0; i < list.n && !rc; i++) {
        cJSON *doc = NULL, *ach;
        const char *aid;

        if (c[i].state != MC_CRED_ACTIVE || !c[i].doc || c[i].doc[0] != '{')
            continue;   /* revoked, suspended, or a VC-JWT (not embeddable as JSON-LD) */
        if (n == MC_CLR_MAX_CREDENTIALS) {
            rc = mc_err_set(err, MCRED_ERR_LIMIT, "learner %lld has more than %d credentials "
                            "for one CLR", (long long)l->id, MC_CLR_MAX_CREDENTIALS);
            break;
        }
        if (mc_json_parse(c[i].doc, strlen(c[i].doc), MC_STORE_MAX_DOC, &doc, NULL) != MCRED_OK)
            continue;   /* a stored document that does not parse is left out, never made up */
        ach = mc_json_get(mc_json_get(doc, "credentialSubject"), "achievement");
        aid = mc_json_str(ach, "id");
        if (aid && !holds(achievements, aid)) {
            cJSON *copy = cJSON_Duplicate(ach, true);

            if (!copy || !cJSON_AddItemToArray(achievements, copy)) {
                cJSON_Delete(copy);
                rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
            }
        }
        if (!rc && !cJSON_AddItemToArray(vcs, doc))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        if (rc)
            cJSON_Delete(doc);
        n++;
    }
    mc_store_list_clear(&list);
    if (!rc && n == 0)
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "learner %lld has no credentials to export "
                        "(a CLR holds at least one)", (long long)l->id);
    return rc;
}

static mcred_rc build(const struct mc_issuing *is, const struct mc_learner *l, time_t now,
                      cJSON **out, struct mc_err *err)
{
    static const char *const ctx[3] = { MC_VC2_CONTEXT, MC_CLR_CONTEXT, MC_OB3_CONTEXT };
    cJSON *c = cJSON_CreateObject(), *issuer, *subj = NULL, *vcs = NULL, *achs = NULL;
    cJSON *assoc = NULL, *cx;
    char id[46], from[32], name[600];
    bool ok;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    mc_uuid_urn(id);
    mc_time_format(now, from);
    snprintf(name, sizeof(name), "Comprehensive Learner Record of %.500s",
             l->name ? l->name : "a learner");
    cx = c ? cJSON_CreateStringArray(ctx, 3) : NULL;
    ok = cx && cJSON_AddItemToObject(c, "@context", cx);
    if (!ok)
        cJSON_Delete(cx);
    ok = ok && add_s(c, "id", id) && add_type(c, "VerifiableCredential", "ClrCredential") &&
         add_s(c, "name", name);
    issuer = ok ? cJSON_AddObjectToObject(c, "issuer") : NULL;
    ok = issuer && add_s(issuer, "id", is->issuer->did) && add_type(issuer, "Profile", NULL) &&
         add_s(issuer, "name", is->issuer->name) &&
         (!is->issuer->url || add_s(issuer, "url", is->issuer->url)) &&
         add_s(c, "validFrom", from);
    subj = ok ? cJSON_AddObjectToObject(c, "credentialSubject") : NULL;
    ok = subj != NULL;
    if (ok && l->did)
        ok = add_s(subj, "id", l->did);
    ok = ok && add_s(subj, "type", "ClrSubject");
    if (ok && !l->did && l->email) {
        cJSON *ids = cJSON_AddArrayToObject(subj, "identifier"), *one = email_identity(l->email);

        ok = ids && one && cJSON_AddItemToArray(ids, one);
        if (!ok)
            cJSON_Delete(one);
    }
    vcs = ok ? cJSON_AddArrayToObject(subj, "verifiableCredential") : NULL;
    achs = vcs ? cJSON_CreateArray() : NULL;
    assoc = achs ? cJSON_CreateArray() : NULL;
    if (!assoc) {
        cJSON_Delete(achs);
        cJSON_Delete(c);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    rc = gather(is, l, vcs, achs, err);
    if (!rc)
        rc = associations(is, achs, assoc, err);
    if (!rc && !cJSON_AddItemToObject(subj, "achievement", achs))
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    else if (!rc)
        achs = NULL;
    if (!rc && cJSON_GetArraySize(assoc) > 0) {
        if (!cJSON_AddItemToObject(subj, "association", assoc))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        else
            assoc = NULL;
    }
    cJSON_Delete(achs);
    cJSON_Delete(assoc);
    if (rc) {
        cJSON_Delete(c);
        return rc;
    }
    *out = c;
    return MCRED_OK;
}

mcred_rc mc_clr_export(const struct mc_issuing *is, const char *learner, char **doc_out,
                       struct mc_err *err)
{
    struct mc_learner l;
    struct mc_di_sign_opts so;
    time_t now = is->now ? is->now : time(NULL);
    struct mc_di_env env = { NULL, is->contexts, is->cache, now };
    struct mc_buf out;
    cJSON *c = NULL;
    mcred_rc rc;

    *doc_out = NULL;
    if (!is->contexts || mc_ctxstore_count(is->contexts, MC_CLR_CONTEXT) == 0)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "the CLR 2.0 context %s is not available "
                          "to sign with: run `mcred contexts fetch`, or give a contexts "
                          "directory holding it (contexts_dir / --contexts-dir)",
                          MC_CLR_CONTEXT);
    rc = mc_assess_learner(is->st, is->org, learner, &l, err);
    if (rc)
        return rc;
    rc = build(is, &l, now, &c, err);
    if (!rc) {
        struct mc_err serr;

        memset(&so, 0, sizeof(so));
        so.cryptosuite = is->suite;
        so.verification_method = is->vm_id;
        mc_err_clear(&serr);
        rc = mc_di_sign(c, is->key, &so, &env, NULL, &serr);
        if (rc)
            rc = mc_err_set(err, rc, "the ClrCredential cannot be signed: %s",
                            mc_err_msg(&serr));
    }
    mc_buf_init(&out, MC_JSON_MAX_BYTES);
    if (!rc)
        rc = mc_json_stringify(c, 2, &out, err);
    if (!rc) {
        *doc_out = mc_buf_take(&out, NULL);
        if (!*doc_out)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    mc_buf_release(&out);
    cJSON_Delete(c);
    mc_learner_release(&l);
    return rc;
}
