/* h_assess.c - assessments and the CLR 2.0 export in the platform API:
 * POST /api/v1/assessments (an assessor or admin records a learner's result;
 * 201 with the credential when it awards one, 200 with the attempt and what
 * is missing otherwise, 200 with the earlier credential when the learner was
 * awarded it before), GET /api/v1/learners/{id}/assessments and
 * GET /api/v1/learners/{id}/clr. A learner reads only their own (their
 * learner row is the one with their e-mail); any other learner id, and
 * another organisation's, answers 404. Thin: lib/service/assess.h, clr.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <strings.h>

#include "server.h"
#include "service/assess.h"
#include "service/clr.h"

static const char *actor(const struct srv_req *r)
{
    return r->who.email[0] ? r->who.email : "api";
}

static void nomem(struct srv_resp *w)
{
    srv_error(w, 500, "internal", "out of memory");
}

static void reply(struct srv_resp *w, int status, cJSON *o)
{
    if (!o) {
        nomem(w);
        return;
    }
    srv_json(w, status, o);
    cJSON_Delete(o);
}

/* A library error as a response; INVALID is the request body's fault. */
static void fail(struct srv_resp *w, const struct mc_err *err, bool body)
{
    if (err->rc == MCRED_ERR_INVALID && body)
        srv_error(w, 400, "invalid_body", "request body: %s", mc_err_msg(err));
    else
        srv_error_rc(w, err);
}

/* The learner {id} as the principal may see it: staff of the organisation
 * see every learner, a learner only their own. A response is written when
 * false. */
static bool visible_learner(struct srv_req *r, struct srv_resp *w, struct mc_learner *l)
{
    struct mc_err err;
    mcred_rc rc;

    mc_err_clear(&err);
    rc = mc_assess_learner(r->st, r->who.org, r->params[0], l, &err);
    if (rc == MCRED_OK && r->who.role == MC_ROLE_LEARNER &&
        (!l->email || strcasecmp(l->email, r->who.email) != 0)) {
        mc_learner_release(l);
        rc = mc_err_set(&err, MCRED_ERR_NOTFOUND, "learner: no learner '%.200s' in this "
                        "organisation", r->params[0]);
    }
    if (rc) {
        srv_utf8_fix(err.msg);
        srv_error_rc(w, &err);
        return false;
    }
    return true;
}

/* A member that is a string, or a whole number written as one (ids). */
static bool ref_member(const cJSON *b, const char *name, char *buf, size_t cap,
                       struct srv_resp *w)
{
    const cJSON *v = mc_json_get(b, name);

    if (mc_json_is_string(v) && v->valuestring[0] && strlen(v->valuestring) < cap) {
        mc_strlcpy(buf, v->valuestring, cap);
        return true;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 9e15 &&
        floor(v->valuedouble) == v->valuedouble) {
        snprintf(buf, cap, "%.0f", v->valuedouble);
        return true;
    }
    srv_error(w, 400, "invalid_body", "request body: %s: expected an id, URI, e-mail or DID",
              name);
    return false;
}

static bool opt_str(const cJSON *o, const char *name, const char *where, size_t i,
                    const char **out, struct srv_resp *w)
{
    const cJSON *v = mc_json_get(o, name);

    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return true;
    if (mc_json_is_string(v)) {
        *out = v->valuestring;
        return true;
    }
    srv_error(w, 400, "invalid_body", "request body: %s[%zu].%s: expected a string", where, i,
              name);
    return false;
}

static bool only_members(const cJSON *o, const char *const *names, const char *where,
                         struct srv_resp *w)
{
    const cJSON *m;
    size_t i;

    for (m = o->child; m; m = m->next) {
        for (i = 0; names[i] && strcmp(names[i], m->string) != 0; i++)
            ;
        if (!names[i]) {
            char shown[64];

            mc_strlcpy(shown, m->string, sizeof(shown));
            srv_utf8_fix(shown);
            srv_error(w, 400, "invalid_body", "request body: %s'%s' is not a member (%s)",
                      where, shown, "see /openapi.json");
            return false;
        }
    }
    return true;
}

/* The result: exactly one of level, score, status. */
static bool result_of(const cJSON *b, struct mc_assess_result *res, struct srv_resp *w)
{
    const cJSON *level = mc_json_get(b, "level"), *score = mc_json_get(b, "score");
    const cJSON *status = mc_json_get(b, "status");

    memset(res, 0, sizeof(*res));
    if (!!level + !!score + !!status != 1) {
        srv_error(w, 400, "invalid_body", "request body: give exactly one of level, score, "
                  "status");
        return false;
    }
    if (level) {
        if (!mc_json_is_string(level)) {
            srv_error(w, 400, "invalid_body", "request body: level: expected a string");
            return false;
        }
        res->kind = MC_RD_RUBRIC;
        res->level = level->valuestring;
    } else if (score) {
        if (!cJSON_IsNumber(score) || !isfinite(score->valuedouble)) {
            srv_error(w, 400, "invalid_body", "request body: score: expected a number");
            return false;
        }
        res->kind = MC_RD_SCORE;
        res->score = score->valuedouble;
    } else {
        const char *s = mc_json_is_string(status) ? status->valuestring : "";

        res->kind = MC_RD_STATUS;
        if (strcmp(s, "pass") == 0 || strcmp(s, "Completed") == 0) {
            res->pass = true;
        } else if (strcmp(s, "fail") != 0 && strcmp(s, "Failed") != 0) {
            srv_error(w, 400, "invalid_body", "request body: status: expected \"pass\" or "
                      "\"fail\"");
            return false;
        }
    }
    return true;
}

static bool evidence_of(const cJSON *b, struct mc_assess_evidence *ev, size_t *n,
                        struct srv_resp *w)
{
    static const char *const names[] = { "url", "id", "narrative", "name", "sha256", NULL };
    const cJSON *arr = mc_json_get(b, "evidence"), *e;
    size_t i = 0;

    *n = 0;
    if (!arr || cJSON_IsNull(arr))
        return true;
    if (!mc_json_is_array(arr)) {
        srv_error(w, 400, "invalid_body", "request body: evidence: expected an array");
        return false;
    }
    for (e = arr->child; e; e = e->next, i++) {
        const char *url = NULL, *id = NULL;

        if (i >= MC_ASSESS_MAX_EVIDENCE) {
            srv_error(w, 413, "too_large", "request body: evidence: more than %d pieces",
                      MC_ASSESS_MAX_EVIDENCE);
            return false;
        }
        if (!mc_json_is_object(e)) {
            srv_error(w, 400, "invalid_body", "request body: evidence[%zu]: expected an "
                      "object", i);
            return false;
        }
        memset(&ev[i], 0, sizeof(ev[i]));
        if (!only_members(e, names, "evidence: ", w) ||
            !opt_str(e, "url", "evidence", i, &url, w) ||
            !opt_str(e, "id", "evidence", i, &id, w) ||
            !opt_str(e, "narrative", "evidence", i, &ev[i].narrative, w) ||
            !opt_str(e, "name", "evidence", i, &ev[i].name, w) ||
            !opt_str(e, "sha256", "evidence", i, &ev[i].file_sha256, w))
            return false;
        ev[i].url = url ? url : id;   /* "id", as an OB Evidence object names it */
    }
    *n = i;
    return true;
}

static void post_assessment(struct srv_req *r, struct srv_resp *w)
{
    static const char *const names[] = { "achievement", "learner", "level", "score", "status",
                                         "resultDescription", "evidence", NULL };
    struct mc_assess_evidence ev[MC_ASSESS_MAX_EVIDENCE];
    struct mc_assess_req rq;
    struct mc_assess_outcome out;
    struct mc_platform_issuer pi;
    struct mc_err err;
    char ach[2048], learner[2048];
    const char *rd = NULL;
    cJSON *b = srv_body_json(r, w), *o, *doc = NULL;

    if (!b)
        return;
    memset(&rq, 0, sizeof(rq));
    if (!mc_json_is_object(b)) {
        srv_error(w, 400, "invalid_body", "request body: expected an object");
        goto out;
    }
    if (!only_members(b, names, "", w) || !ref_member(b, "achievement", ach, sizeof(ach), w) ||
        !ref_member(b, "learner", learner, sizeof(learner), w) ||
        !result_of(b, &rq.result, w) || !evidence_of(b, ev, &rq.nevidence, w) ||
        !opt_str(b, "resultDescription", "", 0, &rd, w))
        goto out;
    rq.achievement = ach;
    rq.learner = learner;
    rq.result_description = rd;
    rq.evidence = ev;
    rq.assessor = r->who.email[0] ? r->who.email : NULL;
    mc_err_clear(&err);
    if (mc_platform_issuing(r->srv->plat, r->st, r->who.org, 0, actor(r), &pi, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 409, "conflict", "%s", mc_err_msg(&err));
        else
            srv_error_rc(w, &err);
        goto out;
    }
    if (mc_assess_record(&pi.is, &rq, &out, &err)) {
        srv_utf8_fix(err.msg);
        fail(w, &err, true);
    } else {
        o = cJSON_CreateObject();
        if (o && out.doc &&
            mc_json_parse(out.doc, strlen(out.doc), MC_STORE_MAX_DOC, &doc, NULL) != MCRED_OK)
            doc = NULL;
        if (o && !(cJSON_AddNumberToObject(o, "attempt", (double)out.attempt) &&
                   cJSON_AddNumberToObject(o, "learner", (double)out.learner) &&
                   cJSON_AddBoolToObject(o, "met", out.met) &&
                   cJSON_AddBoolToObject(o, "already", out.already) &&
                   (out.met ? cJSON_AddStringToObject(o, "credential", out.credential_id)
                            : cJSON_AddNullToObject(o, "credential")) &&
                   (out.met ? cJSON_AddNullToObject(o, "missing")
                            : cJSON_AddStringToObject(o, "missing", out.missing)))) {
            cJSON_Delete(o);
            o = NULL;
        }
        if (o && doc && !cJSON_AddItemToObject(o, "document", doc)) {
            cJSON_Delete(o);
            o = NULL;
        } else if (o) {
            doc = NULL;
        }
        cJSON_Delete(doc);
        if (o && out.met && !out.already) {
            char loc[300];

            snprintf(loc, sizeof(loc), "/api/v1/credentials/%s", out.credential_id);
            (void)srv_set_header(w, "Location", loc);
        }
        reply(w, out.met && !out.already ? 201 : 200, o);
        mc_assess_outcome_release(&out);
    }
    mc_platform_issuer_release(&pi);
out:
    cJSON_Delete(b);
}

static void list_assessments(struct srv_req *r, struct srv_resp *w)
{
    struct mc_learner l;
    struct mc_store_list list;
    struct mc_err err;
    cJSON *o, *items;
    size_t i;

    if (!visible_learner(r, w, &l))
        return;
    mc_err_clear(&err);
    if (mc_store_assess_list(r->st, r->who.org, l.id, &list, &err)) {
        mc_learner_release(&l);
        srv_error_rc(w, &err);
        return;
    }
    o = cJSON_CreateObject();
    items = o ? cJSON_AddArrayToObject(o, "items") : NULL;
    if (items && !cJSON_AddNumberToObject(o, "learner", (double)l.id))
        items = NULL;
    for (i = 0; items && i < list.n; i++) {
        cJSON *a = NULL;

        if (mc_assess_attempt_json(&((const struct mc_assessment *)list.rows)[i], &a, NULL) ||
            !cJSON_AddItemToArray(items, a)) {
            cJSON_Delete(a);
            items = NULL;
        }
    }
    if (!items) {
        cJSON_Delete(o);
        o = NULL;
    }
    reply(w, 200, o);
    mc_store_list_clear(&list);
    mc_learner_release(&l);
}

static void get_clr(struct srv_req *r, struct srv_resp *w)
{
    struct mc_learner l;
    struct mc_platform_issuer pi;
    struct mc_err err;
    char ref[32], *doc = NULL;

    if (!visible_learner(r, w, &l))
        return;
    snprintf(ref, sizeof(ref), "%lld", (long long)l.id);
    mc_learner_release(&l);
    mc_err_clear(&err);
    if (mc_platform_issuing(r->srv->plat, r->st, r->who.org, 0, actor(r), &pi, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 409, "conflict", "%s", mc_err_msg(&err));
        else
            srv_error_rc(w, &err);
        return;
    }
    if (mc_clr_export(&pi.is, ref, &doc, &err)) {
        srv_utf8_fix(err.msg);
        srv_error_rc(w, &err);
    } else {
        w->status = 200;
        w->content_type = "application/json";
        if (mc_buf_append(&w->body, doc, strlen(doc)) != MCRED_OK)
            nomem(w);
    }
    mc_free(doc);
    mc_platform_issuer_release(&pi);
}

#define ASSESSORS (SRV_ADMIN | SRV_ASSESSOR)
#define LEARNER_READERS (SRV_ADMIN | SRV_ISSUER | SRV_ASSESSOR | SRV_LEARNER)

const struct srv_route srv_routes_assess[] = {
    { "POST", "/api/v1/assessments", post_assessment, ASSESSORS },
    { "GET", "/api/v1/learners/{id}/assessments", list_assessments, LEARNER_READERS },
    { "GET", "/api/v1/learners/{id}/clr", get_clr, LEARNER_READERS },
    { NULL, NULL, NULL, 0 },
};
