/* h_positions.c - employers (issue 8 point 8): an organisation's positions
 * and the ranking of the candidates who shared their credentials with it,
 * for the organisation's admins and recruiters (API tokens or a web
 * session): the API under /api/v1/positions (JSON; the candidates also as
 * CSV for applicant tracking systems), a learner's share with an
 * organisation (POST /api/v1/me/shares), and the page /positions/{id}.
 * Thin: every verb is lib/service/positions.h. One organisation never sees
 * another's positions: any id that is not the caller's is a 404.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pages.h"
#include "server.h"
#include "service/positions.h"

static const char *actor(const struct srv_req *r)
{
    return r->who.email[0] ? r->who.email : "api";
}

/* API tokens and web sessions only (an OAuth token is for the OB 3.0 API). */
static bool platform_caller(struct srv_req *r, struct srv_resp *w)
{
    if (r->who.kind == SRV_AUTH_TOKEN || r->who.kind == SRV_AUTH_SESSION)
        return true;
    srv_error(w, 403, "forbidden", "the positions API needs an API token or a web session");
    return false;
}

static bool parse_id(const char *s, int64_t *out)
{
    int64_t v = 0;

    *out = 0;
    if (!s || !*s || strlen(s) > 18)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return v > 0;
}

static void reply(struct srv_resp *w, int status, cJSON *o)
{
    if (!o)
        srv_error(w, 500, "internal", "out of memory");
    else
        srv_json(w, status, o);
    cJSON_Delete(o);
}

/* The caller's position named by the path, or a 404 written. */
static bool get_position(struct srv_req *r, struct srv_resp *w, struct mc_position *p)
{
    struct mc_err err;
    int64_t id;

    memset(p, 0, sizeof(*p));
    mc_err_clear(&err);
    if (parse_id(r->params[0], &id) &&
        mc_store_position_get(r->st, r->who.org, id, p, &err) == MCRED_OK)
        return true;
    if (err.rc && err.rc != MCRED_ERR_NOTFOUND) {
        srv_error_rc(w, &err);
        return false;
    }
    srv_error(w, 404, "not_found", "no position '%.40s' in this organisation", r->params[0]);
    return false;
}

static void create_position(struct srv_req *r, struct srv_resp *w)
{
    struct mc_position p;
    struct mc_err err;
    int64_t id = 0;
    char loc[64];
    cJSON *body;

    if (!platform_caller(r, w))
        return;
    body = srv_body_json(r, w);   /* the type and the syntax first: 415 / 400 */
    if (!body)
        return;
    cJSON_Delete(body);
    mc_err_clear(&err);
    if (mc_position_create(r->st, r->who.org, r->body, r->body_len, actor(r), &id, &err)) {
        if (err.rc == MCRED_ERR_INVALID)
            srv_error(w, 400, "invalid_body", "request body: %s", mc_err_msg(&err));
        else
            srv_error_rc(w, &err);
        return;
    }
    if (mc_store_position_get(r->st, r->who.org, id, &p, &err)) {
        srv_error_rc(w, &err);
        return;
    }
    snprintf(loc, sizeof(loc), "/api/v1/positions/%lld", (long long)id);
    (void)srv_set_header(w, "Location", loc);
    reply(w, 201, mc_position_json(&p));
    mc_position_release(&p);
}

static void list_positions(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    cJSON *o, *arr;
    size_t i;

    if (!platform_caller(r, w))
        return;
    mc_err_clear(&err);
    if (mc_store_position_list(r->st, r->who.org, &l, &err)) {
        srv_error_rc(w, &err);
        return;
    }
    o = cJSON_CreateObject();
    arr = o ? cJSON_AddArrayToObject(o, "positions") : NULL;
    for (i = 0; arr && i < l.n; i++) {
        if (!cJSON_AddItemToArray(arr, mc_position_json(&((struct mc_position *)l.rows)[i])))
            arr = NULL;
    }
    if (!arr) {
        cJSON_Delete(o);
        o = NULL;
    }
    mc_store_list_clear(&l);
    reply(w, 200, o);
}

static void get_position_h(struct srv_req *r, struct srv_resp *w)
{
    struct mc_position p;

    if (!platform_caller(r, w) || !get_position(r, w, &p))
        return;
    reply(w, 200, mc_position_json(&p));
    mc_position_release(&p);
}

/* ?top= (1..MC_POSITION_TOP_MAX, default MC_POSITION_TOP_DEFAULT); else a 400. */
static bool get_top(const struct srv_req *r, struct srv_resp *w, size_t *top)
{
    char buf[16];
    const char *v = srv_query(r, "top", buf, sizeof(buf));
    int64_t n;

    *top = MC_POSITION_TOP_DEFAULT;
    if (!v)
        return true;
    if (!parse_id(v, &n) || n > MC_POSITION_TOP_MAX) {
        srv_error(w, 400, "invalid_query", "top: expected a number from 1 to %d",
                  MC_POSITION_TOP_MAX);
        return false;
    }
    *top = (size_t)n;
    return true;
}

/* CSV when ?format=csv, or the Accept header names text/csv (and ?format is
 * not json). */
static bool wants_csv(const struct srv_req *r, struct srv_resp *w, bool *csv)
{
    char buf[16];
    const char *f = srv_query(r, "format", buf, sizeof(buf));
    const char *accept = r->header(r, "Accept");

    *csv = false;
    if (f && strcmp(f, "csv") != 0 && strcmp(f, "json") != 0) {
        srv_error(w, 400, "invalid_query", "format: expected csv or json");
        return false;
    }
    *csv = f ? strcmp(f, "csv") == 0 : accept && strstr(accept, "text/csv") != NULL;
    return true;
}

static void candidates(struct srv_req *r, struct srv_resp *w)
{
    struct mc_position p;
    struct mc_err err;
    cJSON *m = NULL;
    size_t top;
    bool csv;

    if (!platform_caller(r, w) || !get_top(r, w, &top) || !wants_csv(r, w, &csv) ||
        !get_position(r, w, &p))
        return;
    mc_err_clear(&err);
    if (mc_position_match(r->st, r->who.org, p.id, top, r->now, &m, &err)) {
        mc_position_release(&p);
        srv_error_rc(w, &err);
        return;
    }
    mc_position_release(&p);
    if (!csv) {
        reply(w, 200, m);
        return;
    }
    mc_buf_reset(&w->body);
    if (mc_position_csv(m, &w->body)) {
        srv_error(w, 500, "internal", "out of memory writing CSV");
    } else {
        w->status = 200;
        w->content_type = "text/csv; charset=utf-8";
        (void)srv_set_header(w, "Content-Disposition",
                             "attachment; filename=\"candidates.csv\"");
    }
    cJSON_Delete(m);
}

/* "credentials": the shared ids (the stored JSON array), or "all". */
static bool add_scope(cJSON *o, const char *scope)
{
    cJSON *v = NULL;

    if (!scope)
        return cJSON_AddStringToObject(o, "credentials", "all") != NULL;
    if (mc_json_parse(scope, strlen(scope), 0, &v, NULL) != MCRED_OK)
        return false;
    cJSON_AddItemToObject(o, "credentials", v);
    return true;
}

/* A learner shares their credentials with an organisation:
 * {"employer": "<organisation name>" | id, "credentials": ["<id>", ...]}
 * or {"employer": ..., "presentation": {a Verifiable Presentation}}
 * (neither: every credential). The learner is the caller's learner record
 * (by the user's e-mail). */
static void share_me(struct srv_req *r, struct srv_resp *w)
{
    const char *list[MC_POSITION_MAX_SCOPE];
    struct mc_org_share s;
    struct mc_learner l;
    struct mc_org o;
    struct mc_err err;
    const cJSON *e, *c, *m, *vp;
    cJSON *body, *out;
    char *vp_text = NULL;
    size_t n = 0;

    if (!platform_caller(r, w))
        return;
    body = srv_body_json(r, w);
    if (!body)
        return;
    memset(&o, 0, sizeof(o));
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    for (m = body->child; m; m = m->next) {
        if (strcmp(m->string, "employer") != 0 && strcmp(m->string, "credentials") != 0 &&
            strcmp(m->string, "presentation") != 0) {
            srv_error(w, 400, "invalid_body", "request body: unknown member '%.60s'",
                      m->string);
            goto out;
        }
    }
    e = mc_json_get(body, "employer");
    c = mc_json_get(body, "credentials");
    vp = mc_json_get(body, "presentation");
    if (vp && (c || !mc_json_is_object(vp))) {
        srv_error(w, 400, "invalid_body", "request body: presentation: expected a Verifiable "
                  "Presentation (an object), without credentials");
        goto out;
    }
    if (!(cJSON_IsString(e) && e->valuestring[0]) &&
        !(cJSON_IsNumber(e) && e->valuedouble >= 1 && e->valuedouble < 9e15)) {
        srv_error(w, 400, "invalid_body", "request body: employer: expected an organisation "
                  "name or id");
        goto out;
    }
    if (c && !mc_json_is_array(c)) {
        srv_error(w, 400, "invalid_body", "request body: credentials: expected an array of "
                  "credential ids");
        goto out;
    }
    for (c = c ? c->child : NULL; c; c = c->next) {
        if (!cJSON_IsString(c) || n == MC_POSITION_MAX_SCOPE) {
            srv_error(w, 400, "invalid_body", "request body: credentials[%zu]: expected a "
                      "credential id (at most %d)", n, MC_POSITION_MAX_SCOPE);
            goto out;
        }
        list[n++] = c->valuestring;
    }
    if ((cJSON_IsString(e) ? mc_store_org_find(r->st, e->valuestring, &o, &err)
                           : mc_store_org_get(r->st, (int64_t)e->valuedouble, &o, &err))) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 404, "not_found", "employer: no such organisation");
        else
            srv_error_rc(w, &err);
        goto out;
    }
    if (mc_store_learner_get(r->st, r->who.org, 0, r->who.email, &l, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 404, "not_found", "no learner record for '%s' in this organisation",
                      r->who.email);
        else
            srv_error_rc(w, &err);
        goto out;
    }
    if (vp && !(vp_text = cJSON_PrintUnformatted(vp))) {
        srv_error(w, 500, "internal", "out of memory");
        goto out;
    }
    if (vp_text ? mc_position_share_presentation(r->st, o.id, r->who.org, l.id, vp_text,
                                                 strlen(vp_text), actor(r), &s, &err)
                : mc_position_share(r->st, o.id, r->who.org, l.id, list, n, actor(r), &s,
                                    &err)) {
        if (err.rc == MCRED_ERR_INVALID)
            srv_error(w, 400, "invalid_body", "request body: %s", mc_err_msg(&err));
        else
            srv_error_rc(w, &err);
        goto out;
    }
    out = cJSON_CreateObject();
    if (out && !(cJSON_AddNumberToObject(out, "employer", (double)s.employer_id) &&
                 cJSON_AddNumberToObject(out, "learner", (double)s.learner_id) &&
                 cJSON_AddNumberToObject(out, "created", (double)s.created) &&
                 add_scope(out, s.scope))) {
        cJSON_Delete(out);
        out = NULL;
    }
    mc_org_share_release(&s);
    reply(w, 201, out);
out:
    cJSON_free(vp_text);
    mc_org_release(&o);
    mc_learner_release(&l);
    cJSON_Delete(body);
}

/* ---- the page ------------------------------------------------------------------------------ */

static bool copy_str(cJSON *to, const char *name, const cJSON *from, const char *key)
{
    const char *v = mc_json_str(from, key);

    return !v || cJSON_AddStringToObject(to, name, v) != NULL;
}

/* Page rows of a reasons array: {text, detail}. */
static bool page_reasons(cJSON *ctx, const char *name, const cJSON *arr, const char *via)
{
    cJSON *out = cJSON_AddArrayToObject(ctx, name);
    const cJSON *e;

    for (e = out && mc_json_is_array(arr) ? arr->child : NULL; e; e = e->next) {
        cJSON *o = cJSON_CreateObject();
        const char *uri = mc_json_str(e, "uri");

        if (!uri)
            uri = mc_json_str(e, "credential") ? mc_json_str(e, "credential")
                                               : mc_json_str(e, "skill");
        if (!o || !cJSON_AddItemToArray(out, o) ||
            !cJSON_AddStringToObject(o, "label", mc_json_str(e, "label") ?
                                                   mc_json_str(e, "label") : uri ? uri : "") ||
            !page_put(o, "uri", uri) || !copy_str(o, "detail", e, via) ||
            (cJSON_IsTrue(mc_json_get(e, "required")) && !cJSON_AddTrueToObject(o, "required")))
            return false;
    }
    return out != NULL;
}

static void page_position(struct srv_req *r, struct srv_resp *w)
{
    struct mc_position p;
    struct mc_err err;
    cJSON *m = NULL, *ctx, *rows;
    const cJSON *res;
    char num[64];
    bool ok;

    if (r->who.kind == SRV_AUTH_NONE) {
        page_redirect(w, "/login");
        return;
    }
    if (r->who.role != MC_ROLE_ADMIN && r->who.role != MC_ROLE_RECRUITER) {
        page_error(r, w, 403, "forbidden", "only an administrator or a recruiter of the "
                   "organisation sees its candidates");
        return;
    }
    memset(&p, 0, sizeof(p));
    mc_err_clear(&err);
    {
        int64_t id;

        if (!parse_id(r->params[0], &id) ||
            mc_store_position_get(r->st, r->who.org, id, &p, &err) != MCRED_OK) {
            if (err.rc && err.rc != MCRED_ERR_NOTFOUND)
                page_error_rc(r, w, &err);
            else
                page_error(r, w, 404, "not_found", "no such position in this organisation");
            return;
        }
    }
    if (mc_position_match(r->st, r->who.org, p.id, MC_POSITION_TOP_DEFAULT, r->now, &m, &err)) {
        mc_position_release(&p);
        page_error_rc(r, w, &err);
        return;
    }
    ctx = page_ctx(r, p.title);
    snprintf(num, sizeof(num), "%lld", (long long)p.id);
    ok = ctx && page_put(ctx, "position", p.title) && page_put(ctx, "id", num) &&
         cJSON_AddNumberToObject(ctx, "candidates",
                                 cJSON_GetNumberValue(mc_json_get(m, "candidates"))) &&
         page_put(ctx, "policy", mc_json_str(m, "policy")) &&
         cJSON_AddItemToObject(ctx, "attribution",
                               cJSON_Duplicate(mc_json_get(m, "attribution"), true)) &&
         (rows = cJSON_AddArrayToObject(ctx, "results")) != NULL;
    res = mc_json_get(m, "results");
    for (res = ok && res ? res->child : NULL; ok && res; res = res->next) {
        cJSON *o = cJSON_CreateObject();

        ok = o && cJSON_AddItemToArray(rows, o) &&
             cJSON_AddNumberToObject(o, "rank",
                                     cJSON_GetNumberValue(mc_json_get(res, "rank"))) &&
             cJSON_AddNumberToObject(o, "score",
                                     cJSON_GetNumberValue(mc_json_get(res, "score"))) &&
             copy_str(o, "name", res, "name") && copy_str(o, "email", res, "email") &&
             (!cJSON_IsTrue(mc_json_get(res, "complete")) ||
              cJSON_AddTrueToObject(o, "complete")) &&
             cJSON_AddNumberToObject(o, "held",
                                     cJSON_GetNumberValue(mc_json_get(res, "requiredHeld"))) &&
             cJSON_AddNumberToObject(o, "of",
                                     cJSON_GetNumberValue(mc_json_get(res, "requiredTotal"))) &&
             page_reasons(o, "matched", mc_json_get(res, "matched"), "credential") &&
             page_reasons(o, "missing", mc_json_get(res, "missing"), "why") &&
             page_reasons(o, "ignored", mc_json_get(res, "ignored"), "why");
    }
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    cJSON_Delete(m);
    mc_position_release(&p);
    page_render(r, w, 200, "positions", ctx);
}

const struct srv_route srv_routes_positions[] = {
    { "POST", "/api/v1/positions", create_position, SRV_ADMIN | SRV_RECRUITER },
    { "GET", "/api/v1/positions", list_positions, SRV_ADMIN | SRV_RECRUITER },
    { "GET", "/api/v1/positions/{id}", get_position_h, SRV_ADMIN | SRV_RECRUITER },
    { "GET", "/api/v1/positions/{id}/candidates", candidates, SRV_ADMIN | SRV_RECRUITER },
    { "POST", "/api/v1/me/shares", share_me, SRV_LEARNER },
    { "GET", "/positions/{id}", page_position, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};
