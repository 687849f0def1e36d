/* issue_vc.c - the VC API's verbs on whole credentials: issue one the caller
 * brings (checked, completed, signed and stored in one transaction), read
 * one back for a principal, change its status, and verify a presentation
 * with the credentials inside it. Signing keys, status lists and revocation
 * come from issue.c and platform.c through their public functions.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "jsonld/jcs.h"
#include "model/ob.h"
#include "proof/di.h"
#include "service/issue.h"
#include "service/issue_vc.h"
#include "service/stacks.h"
#include "status/bitstring.h"
#include "util/json.h"
#include "util/time.h"

#define GENERIC_ACHIEVEMENT "/achievements/vc-api-credential"
#define MAX_REF 1024           /* ids and recipients we accept from a request */

/* ---- the shape of a credential to issue ------------------------------------------- */

/* A string, or a non-empty array of strings. */
static bool str_or_strs(const cJSON *v)
{
    const cJSON *e;

    if (cJSON_IsString(v))
        return true;
    if (!cJSON_IsArray(v) || !v->child)
        return false;
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsString(e))
            return false;
    }
    return true;
}

static mcred_rc check_context(const cJSON *c, struct mc_err *err)
{
    const cJSON *ctx = mc_json_get(c, "@context"), *first, *e;
    int i = 0;

    if (!ctx)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.@context: missing");
    if (!cJSON_IsArray(ctx) && !cJSON_IsString(ctx))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "credential.@context: expected an array or a string");
    first = cJSON_IsArray(ctx) ? ctx->child : ctx;
    if (!cJSON_IsString(first) || strcmp(first->valuestring, MC_VC2_CONTEXT) != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.@context: the first context must "
                          "be '%s' (only VC 2.0 credentials are issued)", MC_VC2_CONTEXT);
    if (cJSON_IsArray(ctx)) {
        cJSON_ArrayForEach(e, ctx) {
            if (!cJSON_IsString(e) && !cJSON_IsObject(e))
                return mc_err_set(err, MCRED_ERR_INVALID, "credential.@context[%d]: expected a "
                                  "string or an object", i);
            i++;
        }
    }
    return MCRED_OK;
}

static mcred_rc check_subject(const cJSON *c, struct mc_err *err)
{
    const cJSON *s = mc_json_get(c, "credentialSubject"), *e;
    int i = 0;

    if (!s)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.credentialSubject: missing");
    if (cJSON_IsObject(s))
        return MCRED_OK;
    if (!cJSON_IsArray(s) || !s->child)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.credentialSubject: expected an "
                          "object or a non-empty array of objects");
    cJSON_ArrayForEach(e, s) {
        if (!cJSON_IsObject(e))
            return mc_err_set(err, MCRED_ERR_INVALID, "credential.credentialSubject[%d]: "
                              "expected an object", i);
        i++;
    }
    return MCRED_OK;
}

static mcred_rc check_dates(const cJSON *c, struct mc_err *err)
{
    static const char *const names[] = { "validFrom", "validUntil" };
    size_t i;
    time_t t;

    for (i = 0; i < 2; i++) {
        const cJSON *v = mc_json_get(c, names[i]);

        if (!v)
            continue;
        if (!cJSON_IsString(v))
            return mc_err_set(err, MCRED_ERR_INVALID, "credential.%s: expected a string",
                              names[i]);
        if (mc_time_parse(v->valuestring, false, &t) != MCRED_OK)
            return mc_err_set(err, MCRED_ERR_INVALID, "credential.%s: '%.60s' is not an "
                              "xsd:dateTime", names[i], v->valuestring);
    }
    return MCRED_OK;
}

/* Everything about the shape of the request's credential that does not need
 * the store. */
static mcred_rc check_shape(const cJSON *c, struct mc_err *err)
{
    static const char *const refused[][2] = {
        { "proof", "the credential to issue must be unsigned: leave proof out" },
        { "credentialStatus", "the issuer adds the status entries: leave it out" },
        { "issuanceDate", "a VC 1.1 term: VC 2.0 credentials use validFrom" },
        { "expirationDate", "a VC 1.1 term: VC 2.0 credentials use validUntil" },
    };
    const cJSON *type = mc_json_get(c, "type"), *id = mc_json_get(c, "id");
    const cJSON *iss = mc_json_get(c, "issuer");
    size_t i;
    mcred_rc rc;

    if (!cJSON_IsObject(c))
        return mc_err_set(err, MCRED_ERR_INVALID, "credential: expected an object");
    rc = check_context(c, err);
    if (rc)
        return rc;
    if (!type)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.type: missing");
    if (!str_or_strs(type))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "credential.type: expected a string or an array of strings");
    if (!mc_json_has_str(type, "VerifiableCredential"))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "credential.type: must include 'VerifiableCredential'");
    if (id && (!cJSON_IsString(id) || !mc_is_uri(id->valuestring)))
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.id: expected a URI string");
    if (id && strlen(id->valuestring) > MAX_REF)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.id: longer than %d bytes",
                          MAX_REF);
    if (iss && !cJSON_IsString(iss) && !cJSON_IsObject(iss))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "credential.issuer: expected a string or an object");
    if (cJSON_IsObject(iss) && !cJSON_IsString(mc_json_get(iss, "id")))
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.issuer.id: %s",
                          mc_json_get(iss, "id") ? "expected a string" : "missing");
    rc = check_subject(c, err);
    if (!rc)
        rc = check_dates(c, err);
    for (i = 0; !rc && i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (mc_json_get(c, refused[i][0]))
            rc = mc_err_set(err, MCRED_ERR_INVALID, "credential.%s: %s", refused[i][0],
                            refused[i][1]);
    }
    return rc;
}

/* The issuer the credential names (a string or a Profile's id), or NULL. */
static const char *issuer_ref(const cJSON *c)
{
    const cJSON *iss = mc_json_get(c, "issuer");

    return cJSON_IsString(iss) ? iss->valuestring : mc_json_str(iss, "id");
}

/* The organisation's issuer whose DID is want (NULL: its first issuer). */
static mcred_rc pick_issuer(struct mc_store *st, int64_t org, const char *want, int64_t *id,
                            struct mc_err *err)
{
    struct mc_store_list all;
    const struct mc_issuer *rows;
    size_t i;
    mcred_rc rc;

    *id = 0;
    memset(&all, 0, sizeof(all));
    rc = mc_store_issuer_list(st, org, &all, err);
    if (rc)
        return rc;
    rows = all.rows;
    if (all.n == 0) {
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "the organisation has no issuer yet");
    } else if (!want) {
        *id = rows[0].id;
    } else {
        for (i = 0; i < all.n && !*id; i++) {
            if (rows[i].did && strcmp(rows[i].did, want) == 0)
                *id = rows[i].id;
        }
        if (!*id)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "credential.issuer: '%.200s' is not an "
                            "issuer of this organisation (its issuer is %s)", want,
                            rows[0].did ? rows[0].did : "unnamed");
    }
    mc_store_list_clear(&all);
    return rc;
}

/* ---- completing the credential ------------------------------------------------------ */

static bool add_str(cJSON *o, const char *name, const char *v)
{
    return cJSON_AddStringToObject(o, name, v) != NULL;
}

/* The issuer member: a Profile for Open Badges (which require one), the DID
 * otherwise. */
static mcred_rc add_issuer(cJSON *doc, const struct mc_issuer *iss, bool badge)
{
    cJSON *p, *type;

    if (!badge)
        return add_str(doc, "issuer", iss->did) ? MCRED_OK : MCRED_ERR_NOMEM;
    p = cJSON_CreateObject();
    type = cJSON_CreateStringArray((const char *const[]){ "Profile" }, 1);
    if (!p || !type || !add_str(p, "id", iss->did) ||
        !cJSON_AddItemToObject(p, "type", type)) {
        cJSON_Delete(p);
        cJSON_Delete(type);
        return MCRED_ERR_NOMEM;
    }
    if ((iss->name && !add_str(p, "name", iss->name)) ||
        (iss->url && iss->url[0] && !add_str(p, "url", iss->url)) ||
        !cJSON_AddItemToObject(doc, "issuer", p)) {
        cJSON_Delete(p);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

/* Fill what the issuer decides: issuer, id (NULL: leave it out), validFrom. */
static mcred_rc complete(cJSON *doc, const struct mc_issuer *iss, bool badge, const char *id,
                         time_t now)
{
    char when[32];

    if (!mc_json_get(doc, "issuer") && add_issuer(doc, iss, badge))
        return MCRED_ERR_NOMEM;
    if (id && !mc_json_get(doc, "id") && !add_str(doc, "id", id))
        return MCRED_ERR_NOMEM;
    mc_time_format(now, when);
    if (!mc_json_get(doc, "validFrom") && !add_str(doc, "validFrom", when))
        return MCRED_ERR_NOMEM;
    return MCRED_OK;
}

/* The subject: the object, or the first of an array. */
static const cJSON *subject_of(const cJSON *doc)
{
    const cJSON *s = mc_json_get(doc, "credentialSubject");

    return cJSON_IsArray(s) ? s->child : s;
}

/* Who receives it: the subject's id, else a plain e-mail identifier (OB
 * IdentityObject with hashed false), else the first identityHash. */
static mcred_rc recipient_of(const cJSON *doc, char *out, size_t cap, struct mc_err *err)
{
    const cJSON *s = subject_of(doc), *ids = mc_json_get(s, "identifier"), *e;
    const char *r = mc_json_str(s, "id"), *first = NULL;

    if (!r && ids) {
        const cJSON *one = cJSON_IsArray(ids) ? ids->child : ids;

        for (e = one; e && !r; e = cJSON_IsArray(ids) ? e->next : NULL) {
            const char *h = mc_json_str(e, "identityHash");
            const char *t = mc_json_str(e, "identityType");

            if (h && !first)
                first = h;
            if (h && t && strcmp(t, "emailAddress") == 0 && cJSON_IsFalse(mc_json_get(e, "hashed")))
                r = h;
        }
    }
    if (!r)
        r = first ? first : "(no subject id)";
    if (strlen(r) > MAX_REF)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential.credentialSubject: its id or "
                          "identifier is longer than %d bytes", MAX_REF);
    mc_strlcpy(out, r, cap);
    return MCRED_OK;
}

/* An Achievement for credentials that are not Open Badges: the store links
 * every credential to one. Owned JSON text (mc_free). */
static char *generic_achievement(const char *uri)
{
    cJSON *a = cJSON_CreateObject(), *crit;
    struct mc_buf b;
    char *out = NULL;

    mc_buf_init(&b, 0);
    crit = a ? cJSON_AddObjectToObject(a, "criteria") : NULL;
    if (crit && add_str(a, "id", uri) &&
        cJSON_AddItemToObject(a, "type",
                              cJSON_CreateStringArray((const char *const[]){ "Achievement" }, 1)) &&
        add_str(a, "name", "Verifiable credential (VC API)") &&
        add_str(a, "description", "Credentials issued through the W3C VC API that are not "
                                  "Open Badges") &&
        add_str(crit, "narrative", "Issued by the organisation through POST /credentials/issue") &&
        mc_json_stringify(a, 0, &b, NULL) == MCRED_OK)
        out = mc_buf_take(&b, NULL);
    mc_buf_release(&b);
    cJSON_Delete(a);
    return out;
}

/* The achievement row the credential is linked to, created when the
 * organisation has none of that id (inside the caller's transaction). */
static mcred_rc achievement_row(struct mc_store *st, int64_t org, const char *public_url,
                                const cJSON *doc, bool badge, int64_t *ach_id,
                                struct mc_err *err)
{
    const cJSON *ach = badge ? mc_json_get(subject_of(doc), "achievement") : NULL;
    struct mc_achievement a;
    struct mc_buf b;
    char uri[MAX_REF + 128];
    char *json = NULL;
    mcred_rc rc;

    if (badge)
        mc_strlcpy(uri, mc_json_str(ach, "id") ? mc_json_str(ach, "id") : "", sizeof(uri));
    else
        snprintf(uri, sizeof(uri), "%s%s", public_url, GENERIC_ACHIEVEMENT);
    memset(&a, 0, sizeof(a));
    rc = mc_store_achievement_get(st, org, 0, uri, &a, err);
    *ach_id = a.id;
    mc_achievement_release(&a);
    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    mc_err_clear(err);
    if (badge) {
        struct mc_err aerr;

        mc_err_clear(&aerr);
        rc = mc_ob_validate_achievement(ach, NULL, &aerr);
        if (rc)
            return mc_err_set(err, rc, "credential.credentialSubject.achievement: %s",
                              mc_err_msg(&aerr));
        mc_buf_init(&b, 0);
        rc = mc_json_stringify(ach, 0, &b, err);
        json = rc ? NULL : mc_buf_take(&b, NULL);
        mc_buf_release(&b);
    } else {
        json = generic_achievement(uri);
    }
    if (!json)
        return rc ? rc : mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    memset(&a, 0, sizeof(a));
    a.org_id = org;
    a.uri = uri;
    a.json = json;
    rc = mc_store_achievement_put(st, &a, err);
    *ach_id = a.id;
    mc_free(json);
    return rc;
}

/* The learner the recipient names, or 0 (inside the caller's transaction). */
static mcred_rc learner_of(struct mc_store *st, int64_t org, const char *recipient,
                           int64_t *id, struct mc_err *err)
{
    struct mc_learner l;
    struct mc_err lerr;
    mcred_rc rc;

    *id = 0;
    if (strncmp(recipient, "did:", 4) != 0 && !mc_is_email(recipient))
        return MCRED_OK;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&lerr);
    rc = mc_store_learner_get(st, org, 0, recipient, &l, &lerr);
    if (rc == MCRED_OK)
        *id = l.id;
    mc_learner_release(&l);
    if (rc == MCRED_ERR_STORAGE || rc == MCRED_ERR_NOMEM)
        return mc_err_set(err, rc, "%s", mc_err_msg(&lerr));
    return MCRED_OK;
}

/* One status entry of purpose for a new credential: an index of the current
 * list (a new list, published all clear, when it is full). */
struct entry {
    int64_t list, index;
    char url[1024];
};

static mcred_rc add_status(cJSON *doc, const struct entry *rev, const struct entry *sus,
                           struct mc_err *err)
{
    cJSON *arr, *e = NULL;
    const struct entry *es[2] = { rev, sus };
    enum mc_status_purpose ps[2] = { MC_STATUS_PURPOSE_REVOCATION, MC_STATUS_PURPOSE_SUSPENSION };
    size_t i;
    mcred_rc rc;

    if (!sus->list) {   /* revocation alone: one entry, an object (issue.h) */
        rc = mc_status_entry(rev->url, ps[0], (size_t)rev->index, 1, NULL, &e, err);
        if (!rc && !cJSON_AddItemToObject(doc, "credentialStatus", e)) {
            cJSON_Delete(e);
            rc = MCRED_ERR_NOMEM;
        }
        return rc;
    }
    arr = cJSON_AddArrayToObject(doc, "credentialStatus");
    rc = arr ? MCRED_OK : MCRED_ERR_NOMEM;
    for (i = 0; i < 2 && !rc; i++) {
        rc = mc_status_entry(es[i]->url, ps[i], (size_t)es[i]->index, 1, NULL, &e, err);
        if (!rc && !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            rc = MCRED_ERR_NOMEM;
        }
    }
    return rc;
}

/* ---- issuing -------------------------------------------------------------------------- */

/* What one issue carries from step to step. */
struct issue_job {
    const struct mc_vc_issue_opts *o;
    struct mc_platform_issuer pi;
    cJSON *doc;                    /* the credential being completed, owned */
    bool badge;
    char id[MAX_REF + 1];          /* the stored id */
    char recipient[MAX_REF + 1];
    time_t now;
};

/* Open Badges rules, reported with the path of the first problem. */
static mcred_rc check_badge(const cJSON *doc, struct mc_err *err)
{
    struct mc_ob_report rep;

    if (mc_ob_validate_credential(doc, &rep, NULL) == MCRED_OK)
        return MCRED_OK;
    if (rep.n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential: not a valid Open Badges 3.0 "
                          "credential");
    return mc_err_set(err, MCRED_ERR_INVALID, "credential.%s%s", rep.problems[0],
                      rep.total > 1 ? " (and more problems)" : "");
}

/* Sign j->doc and store it with its rows; inside the caller's transaction. */
static mcred_rc sign_and_store(struct mc_store *st, struct issue_job *j, char **doc_out,
                               struct mc_err *err)
{
    const struct mc_issuing *is = &j->pi.is;
    struct mc_di_env env = { NULL, is->contexts, is->cache, j->now };
    struct mc_di_sign_opts so;
    struct entry rev, sus;
    struct mc_credential c;
    struct mc_audit au;
    struct mc_buf out;
    int64_t ach = 0, learner = 0;
    const char *until = mc_json_str(j->doc, "validUntil");
    time_t valid_until = 0;
    mcred_rc rc;

    memset(&rev, 0, sizeof(rev));
    memset(&sus, 0, sizeof(sus));
    mc_buf_init(&out, MC_STORE_MAX_DOC);
    rc = achievement_row(st, is->org, is->public_url, j->doc, j->badge, &ach, err);
    if (!rc)
        rc = learner_of(st, is->org, j->recipient, &learner, err);
    if (!rc)
        rc = mc_issue_alloc_status(is, MC_STATUS_PURPOSE_REVOCATION, &rev.list, &rev.index,
                                   rev.url, sizeof(rev.url), err);
    if (!rc && is->suspension)
        rc = mc_issue_alloc_status(is, MC_STATUS_PURPOSE_SUSPENSION, &sus.list, &sus.index,
                                   sus.url, sizeof(sus.url), err);
    if (!rc)
        rc = add_status(j->doc, &rev, &sus, err);
    if (!rc) {
        struct mc_err serr;

        memset(&so, 0, sizeof(so));
        so.cryptosuite = j->o->suite;
        so.verification_method = is->vm_id;
        mc_err_clear(&serr);
        rc = mc_di_sign(j->doc, is->key, &so, &env, NULL, &serr);
        if (rc)
            rc = mc_err_set(err, rc == MCRED_ERR_NOMEM ? rc : MCRED_ERR_INVALID,
                            "credential: cannot be signed: %s", mc_err_msg(&serr));
    }
    if (!rc)
        rc = mc_json_stringify(j->doc, 0, &out, err);
    if (!rc && until && mc_time_parse(until, false, &valid_until) != MCRED_OK)
        valid_until = 0;
    if (!rc) {
        memset(&c, 0, sizeof(c));
        c.id = j->id;
        c.org_id = is->org;
        c.issuer_id = is->issuer->id;
        c.achievement_id = ach;
        c.learner_id = learner;
        c.recipient = j->recipient;
        c.state = MC_CRED_ACTIVE;
        c.status_list_rev = rev.list;
        c.status_index_rev = rev.index;
        c.status_list_sus = sus.list;
        c.status_index_sus = sus.index;
        c.issued = j->now;
        c.valid_until = valid_until;
        c.doc = out.ptr;
        rc = mc_store_cred_put(st, &c, NULL, err);
        if (rc == MCRED_ERR_CONFLICT)
            rc = mc_err_set(err, rc, "credential id '%.200s' is already taken", j->id);
    }
    if (!rc) {
        memset(&au, 0, sizeof(au));
        au.org_id = is->org;
        au.at = j->now;
        au.actor = (char *)(uintptr_t)(j->o->actor ? j->o->actor : "vc-api");
        au.action = "issue";
        au.subject = j->id;
        au.detail = "vc-api";
        rc = mc_store_audit_add(st, &au, err);
    }
    if (!rc) {
        *doc_out = mc_buf_take(&out, NULL);
        if (!*doc_out)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    mc_buf_release(&out);
    return rc;
}

/* The stored id: credential.id, else options.credentialId, else a new one
 * (written into the credential). */
static mcred_rc choose_id(struct issue_job *j, const cJSON *cred, bool *assign,
                          struct mc_err *err)
{
    const char *given = mc_json_str(cred, "id"), *cid = j->o->credential_id;
    char uuid[46];

    *assign = false;
    if (cid && (!cid[0] || strlen(cid) > MAX_REF))
        return mc_err_set(err, MCRED_ERR_INVALID, "options.credentialId: expected 1 to %d "
                          "bytes", MAX_REF);
    if (given && cid && strcmp(given, cid) != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "options.credentialId: differs from "
                          "credential.id (give one or the other)");
    if (given || cid) {
        mc_strlcpy(j->id, given ? given : cid, sizeof(j->id));
        return MCRED_OK;
    }
    mc_uuid7_urn(uuid);   /* time-ordered, like mc_issue_one's */
    if ((size_t)snprintf(j->id, sizeof(j->id), "%s/credentials/%s", j->pi.is.public_url,
                         uuid + 9) >= sizeof(j->id))
        return mc_err_set(err, MCRED_ERR_INVALID, "the public URL is too long for an id");
    *assign = true;
    return MCRED_OK;
}

mcred_rc mc_vc_issue(struct mc_platform *p, struct mc_store *st, int64_t org, const cJSON *cred,
                     const struct mc_vc_issue_opts *o, char **doc_out, char *id_out, size_t cap,
                     struct mc_err *err)
{
    struct issue_job j;
    int64_t issuer_id = 0;
    bool assign = false;
    mcred_rc rc;

    *doc_out = NULL;
    if (cap)
        id_out[0] = '\0';
    memset(&j, 0, sizeof(j));
    j.o = o;
    j.now = time(NULL);
    if (o->suite && strcmp(o->suite, "eddsa-rdfc-2022") != 0 &&
        strcmp(o->suite, "eddsa-jcs-2022") != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "options.cryptosuite: '%.60s' is not "
                          "'eddsa-rdfc-2022' or 'eddsa-jcs-2022'", o->suite);
    rc = check_shape(cred, err);
    if (!rc)
        rc = pick_issuer(st, org, issuer_ref(cred), &issuer_id, err);
    if (!rc)
        rc = mc_platform_issuing(p, st, org, issuer_id, o->actor, &j.pi, err);
    if (rc)
        return rc;
    rc = choose_id(&j, cred, &assign, err);
    if (!rc) {
        j.doc = cJSON_Duplicate(cred, true);
        rc = j.doc ? MCRED_OK : mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    if (!rc) {
        j.badge = mc_ob_is_badge(j.doc);
        rc = complete(j.doc, &j.pi.issuer, j.badge, assign ? j.id : NULL, j.now);
        if (rc)
            mc_err_set(err, rc, "out of memory");
    }
    if (!rc && j.badge)
        rc = check_badge(j.doc, err);
    if (!rc)
        rc = recipient_of(j.doc, j.recipient, sizeof(j.recipient), err);
    if (!rc)
        rc = mc_store_begin(st, err);
    if (!rc) {
        rc = sign_and_store(st, &j, doc_out, err);
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            (void)mc_store_rollback(st);
    }
    if (!rc) {   /* stacks naming its achievement look at its learner again */
        struct mc_stacks_ctx sc;

        memset(&sc, 0, sizeof(sc));
        sc.st = st;
        sc.org = org;
        sc.is = &j.pi.is;
        sc.now = j.now;
        if (mc_stacks_on_credential(&sc, j.id, NULL) != MCRED_OK) {
            /* the credential stands; the stacks catch up at the next sweep */
        }
    }
    if (rc) {
        mc_free(*doc_out);
        *doc_out = NULL;
    } else if (cap) {
        mc_strlcpy(id_out, j.id, cap);
    }
    cJSON_Delete(j.doc);
    mc_platform_issuer_release(&j.pi);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

static bool is_uuid(const char *s)
{
    size_t i;

    if (strlen(s) != 36)
        return false;
    for (i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* The credential ref names in org: the uuid tail of our own ids first, then
 * ref as a whole id. */
static mcred_rc lookup(struct mc_store *st, int64_t org, const char *public_url, const char *ref,
                       struct mc_credential *out, struct mc_err *err)
{
    char id[MAX_REF + 256];
    mcred_rc rc = MCRED_ERR_NOTFOUND;

    memset(out, 0, sizeof(*out));
    if (!ref[0] || strlen(ref) > MAX_REF)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no such credential");
    if (is_uuid(ref)) {
        snprintf(id, sizeof(id), "%s/credentials/%s", public_url, ref);
        rc = mc_store_cred_get(st, org, id, out, err);
    }
    if (rc == MCRED_ERR_NOTFOUND) {
        mc_credential_release(out);
        memset(out, 0, sizeof(*out));
        mc_err_clear(err);
        rc = mc_store_cred_get(st, org, ref, out, err);
    }
    if (rc == MCRED_ERR_NOTFOUND)
        mc_err_set(err, rc, "no such credential");
    return rc;
}

/* True when the learner principal `who` is the credential's recipient. */
static bool learner_owns(struct mc_store *st, const struct mc_vc_reader *who,
                         const struct mc_credential *c)
{
    struct mc_learner l;
    bool own = false;

    if (!who->email || !who->email[0])
        return false;
    if (c->recipient && strcasecmp(c->recipient, who->email) == 0)
        return true;
    memset(&l, 0, sizeof(l));
    if (mc_store_learner_get(st, who->org, 0, who->email, &l, NULL) == MCRED_OK)
        own = (c->learner_id && c->learner_id == l.id) ||
              (l.did && c->recipient && strcmp(l.did, c->recipient) == 0);
    mc_learner_release(&l);
    return own;
}

mcred_rc mc_vc_get(struct mc_store *st, const struct mc_vc_reader *who, const char *public_url,
                   const char *ref, struct mc_credential *out, struct mc_err *err)
{
    bool staff = who->role == MC_ROLE_ADMIN || who->role == MC_ROLE_ISSUER ||
                 who->role == MC_ROLE_ASSESSOR;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!staff && who->role != MC_ROLE_LEARNER)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no such credential");
    rc = lookup(st, who->org, public_url, ref, out, err);
    if (rc)
        return rc;
    if (!staff && !learner_owns(st, who, out)) {
        mc_credential_release(out);
        memset(out, 0, sizeof(*out));
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no such credential");
    }
    return MCRED_OK;
}

/* ---- status ------------------------------------------------------------------------------ */

mcred_rc mc_vc_set_status(struct mc_platform *p, struct mc_store *st, int64_t org,
                          const char *actor, const char *ref, enum mc_status_purpose purpose,
                          bool on, enum mc_cred_state *state, char *id_out, size_t cap,
                          struct mc_err *err)
{
    struct mc_platform_issuer pi;
    struct mc_credential c;
    enum mc_cred_state to;
    mcred_rc rc;

    if (purpose != MC_STATUS_PURPOSE_REVOCATION && purpose != MC_STATUS_PURPOSE_SUSPENSION)
        return mc_err_set(err, MCRED_ERR_INVALID, "statusPurpose: expected 'revocation' or "
                          "'suspension'");
    rc = lookup(st, org, mc_platform_public_url(p), ref, &c, err);
    if (rc)
        return rc;
    if (id_out && cap)
        mc_strlcpy(id_out, c.id, cap);
    if (purpose == MC_STATUS_PURPOSE_REVOCATION && !on) {
        rc = mc_err_set(err, MCRED_ERR_CONFLICT, c.state == MC_CRED_REVOKED ?
                        "credential '%.200s' is revoked: revocation is final" :
                        "credential '%.200s' is not revoked", c.id);
        mc_credential_release(&c);
        return rc;
    }
    to = purpose == MC_STATUS_PURPOSE_REVOCATION ? MC_CRED_REVOKED :
         on ? MC_CRED_SUSPENDED : MC_CRED_ACTIVE;
    rc = mc_platform_issuing(p, st, org, c.issuer_id, actor, &pi, err);
    if (!rc) {
        rc = mc_issue_set_state(&pi.is, c.id, to, "vc-api", err);
        mc_platform_issuer_release(&pi);
    }
    if (!rc && state)
        *state = to;
    mc_credential_release(&c);
    return rc;
}

/* ---- verifying ---------------------------------------------------------------------------- */

static void add_check(struct mc_verdict *v, const char *name, enum mc_check_state s,
                      const char *fmt, ...) MC_PRINTF(4, 5);

static void add_check(struct mc_verdict *v, const char *name, enum mc_check_state s,
                      const char *fmt, ...)
{
    struct mc_check *c;
    va_list ap;

    if (v->n == MC_VERDICT_MAX_CHECKS)
        return;
    c = &v->checks[v->n++];
    mc_strlcpy(c->name, name, sizeof(c->name));
    c->state = s;
    va_start(ap, fmt);
    vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
    va_end(ap);
    /* a failure makes the verdict invalid; an unknown, indeterminate */
    if (s == MC_CHECK_FAIL)
        v->kind = MC_VERDICT_INVALID;
    else if (s == MC_CHECK_UNKNOWN && mc_verdict_exit_code(v) == 0)
        v->kind = MC_VERDICT_INDETERMINATE;
}

static const char *const envelope_prefixes[] = {
    "data:application/vc+jwt,", "data:application/vc+ld+json+jwt,",
};

mcred_rc mc_vc_verify_value(const cJSON *cred, const struct mc_verify_opts *o,
                            struct mc_verdict *v, struct mc_err *err)
{
    const char *id;
    size_t i;

    memset(v, 0, offsetof(struct mc_verdict, checks));   /* the header: see verify.h */
    if (cJSON_IsString(cred))
        return mc_verify_bytes(cred->valuestring, strlen(cred->valuestring), o, v, err);
    if (!cJSON_IsObject(cred))
        return mc_err_set(err, MCRED_ERR_INVALID, "expected an object (a credential) or a "
                          "string (a VC-JWT)");
    if (mc_json_has_str(mc_json_get(cred, "type"), "EnvelopedVerifiableCredential")) {
        id = mc_json_str(cred, "id");
        for (i = 0; id && i < sizeof(envelope_prefixes) / sizeof(envelope_prefixes[0]); i++) {
            size_t n = strlen(envelope_prefixes[i]);

            if (strncmp(id, envelope_prefixes[i], n) == 0)
                return mc_verify_bytes(id + n, strlen(id + n), o, v, err);
        }
        return mc_err_set(err, MCRED_ERR_INVALID, "id: an EnvelopedVerifiableCredential's id "
                          "must be a data: URL of a VC-JWT (data:application/vc+jwt,...)");
    }
    return mc_verify_value(cred, o, v, err);
}

/* The verdict of a presentation whose proof was not asked for. */
static void proofless(struct mc_verdict *v, const cJSON *vp)
{
    memset(v, 0, sizeof(*v));
    mc_strlcpy(v->format, "json-ld (no proof)", sizeof(v->format));
    v->kind = MC_VERDICT_VALID;
    add_check(v, "format", MC_CHECK_PASS, "a JSON presentation");
    if (mc_json_has_str(mc_json_get(vp, "type"), "VerifiablePresentation"))
        add_check(v, "structure", MC_CHECK_PASS, "a W3C presentation");
    else
        add_check(v, "structure", MC_CHECK_FAIL, "type does not name VerifiablePresentation");
    add_check(v, "proof", MC_CHECK_SKIPPED, "a presentation without proof was asked for: who "
                                            "presents it is not established");
}

void mc_vp_verdict_release(struct mc_vp_verdict *r)
{
    mc_free(r->credentials);
    r->credentials = NULL;
    r->n = 0;
}

bool mc_vp_verdict_ok(const struct mc_vp_verdict *r)
{
    size_t i;

    if (mc_verdict_exit_code(&r->presentation) != 0)
        return false;
    for (i = 0; i < r->n; i++) {
        if (mc_verdict_exit_code(&r->credentials[i]) != 0)
            return false;
    }
    return true;
}

mcred_rc mc_vc_verify_presentation(const cJSON *vp, bool need_proof,
                                   const struct mc_verify_opts *o, struct mc_vp_verdict *out,
                                   struct mc_err *err)
{
    const cJSON *vcs = mc_json_get(vp, "verifiableCredential"), *e;
    struct mc_verify_opts co = *o;
    struct mc_err cerr;
    struct mc_buf b;
    size_t n, i = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(vp))
        return mc_err_set(err, MCRED_ERR_INVALID, "expected an object");
    if (need_proof) {
        /* the verify verb checks the presentation's proof, its holder and
         * every credential inside it */
        mc_buf_init(&b, MC_JSON_MAX_BYTES);
        rc = mc_json_stringify(vp, 0, &b, err);
        if (!rc)
            rc = mc_verify_bytes(b.ptr, b.len, o, &out->presentation, err);
        mc_buf_release(&b);
        return rc;
    }
    if (vcs && !cJSON_IsArray(vcs) && !cJSON_IsObject(vcs) && !cJSON_IsString(vcs))
        return mc_err_set(err, MCRED_ERR_INVALID, "verifiableCredential: expected an object, a "
                          "string or an array");
    n = !vcs ? 0 : cJSON_IsArray(vcs) ? (size_t)cJSON_GetArraySize(vcs) : 1;
    if (n > MC_VC_MAX_PRESENTED)
        return mc_err_set(err, MCRED_ERR_LIMIT, "verifiableCredential: %zu credentials; at "
                          "most %d are verified in one presentation", n, MC_VC_MAX_PRESENTED);
    if (n) {
        out->credentials = mc_allocarray(n, sizeof(*out->credentials));
        if (!out->credentials)
            return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    proofless(&out->presentation, vp);
    /* a challenge and a domain bind a presentation's proof, never a credential's */
    co.challenge = NULL;
    co.domain = NULL;
    e = cJSON_IsArray(vcs) ? vcs->child : vcs;
    for (; e && i < n; e = cJSON_IsArray(vcs) ? e->next : NULL, i++) {
        mc_err_clear(&cerr);
        rc = mc_vc_verify_value(e, &co, &out->credentials[i], &cerr);
        if (rc == MCRED_ERR_INVALID && cJSON_IsArray(vcs))
            return mc_err_set(err, rc, "verifiableCredential[%zu]: %s", i, mc_err_msg(&cerr));
        if (rc == MCRED_ERR_INVALID)
            return mc_err_set(err, rc, "verifiableCredential: %s", mc_err_msg(&cerr));
        if (rc)
            return mc_err_set(err, rc, "%s", mc_err_msg(&cerr));
        out->n = i + 1;
    }
    return MCRED_OK;
}
