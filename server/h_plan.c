/* h_plan.c - the planner over HTTP: a learner's plan (GET with a target
 * occupation in the query, or POST with a target or a job description) as
 * JSON or as an SVG timeline, the learner's recommendations, and the page
 * /me/plan (search a target occupation, see the gap, the plan and its
 * timeline). Administrators, issuers and assessors reach any learner of
 * their organisation (/api/v1/learners/{id}/...; another organisation's
 * learner is 404); a learner only their own (/api/v1/me/..., the learner
 * row of the signed-in e-mail address, made on first use as the wallet's).
 * The verbs are lib/skills/planner.h and recommend.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pages.h"
#include "server.h"
#include "skills/planner.h"
#include "service/wallet.h"
#include "skills/recommend.h"

#define PLAN_READERS (SRV_ADMIN | SRV_ISSUER | SRV_ASSESSOR)
#define PLAN_MAX_PARAM 2048

/* ---- who and which learner ------------------------------------------------------------- */

/* The learner row named by ref (row id, e-mail or DID) of the caller's
 * organisation; else the 404 response is written (another organisation's
 * learner looks absent). */
static bool org_learner(struct srv_req *r, struct srv_resp *w, const char *ref, int64_t *id)
{
    struct mc_learner l;
    struct mc_err err;
    char *end;
    long long n;
    mcred_rc rc;

    *id = 0;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    n = strtoll(ref, &end, 10);
    if (*ref && !*end && n > 0)
        rc = mc_store_learner_get(r->st, r->who.org, (int64_t)n, NULL, &l, &err);
    else
        rc = mc_store_learner_get(r->st, r->who.org, 0, ref, &l, &err);
    *id = l.id;
    mc_learner_release(&l);
    if (rc == MCRED_OK)
        return true;
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT)
        srv_error(w, 404, "not_found", "no learner '%.100s' in this organisation", ref);
    else
        srv_error_rc(w, &err);
    return false;
}

/* The signed-in learner's own row (made on first use, as the wallet does). */
static bool my_learner(struct srv_req *r, struct srv_resp *w, int64_t *id)
{
    struct mc_err err;
    mcred_rc rc;

    mc_err_clear(&err);
    rc = mc_wallet_learner_of(r->st, r->who.org, r->who.email, r->who.role == MC_ROLE_LEARNER,
                              id, &err);
    if (rc == MCRED_ERR_NOTFOUND)
        srv_error(w, 404, "not_found", "%s is not a learner of this organisation",
                  r->who.email);
    else if (rc)
        srv_error_rc(w, &err);
    return rc == MCRED_OK;
}

/* The learner a route names: {id} of the organisation, or the caller. */
static bool plan_learner(struct srv_req *r, struct srv_resp *w, int64_t *id)
{
    return r->nparams ? org_learner(r, w, r->params[0], id) : my_learner(r, w, id);
}

/* ---- the request's parameters ----------------------------------------------------------- */

struct plan_in {
    char target[PLAN_MAX_PARAM];
    const char *job;             /* borrowed from the body */
    size_t job_len;
    struct mc_plan_opts opts;
};

static bool set_hours(struct srv_resp *w, const char *s, double v, struct plan_in *in)
{
    char *end = NULL;

    if (s) {
        v = strtod(s, &end);
        if (end == s || *end)
            v = NAN;
    }
    if (!isfinite(v) || v <= 0 || v > 168) {
        srv_error(w, 400, "invalid_request", "hoursPerWeek: give a number above 0 and at most "
                  "168");
        return false;
    }
    in->opts.hours_per_week = v;
    return true;
}

static bool set_common(struct srv_req *r, struct srv_resp *w, const char *start,
                       const char *minimize, struct plan_in *in)
{
    if (start && !mc_plan_day_parse(start, &in->opts.start_day)) {
        srv_error(w, 400, "invalid_request", "start: give a date YYYY-MM-DD from 1970 on");
        return false;
    }
    if (!start)
        in->opts.start_day = (int64_t)(r->now / 86400);
    if (minimize && strcmp(minimize, "hours") != 0 && strcmp(minimize, "cost") != 0) {
        srv_error(w, 400, "invalid_request", "minimize: hours or cost");
        return false;
    }
    in->opts.minimize = minimize && strcmp(minimize, "cost") == 0 ? MC_PLAN_COST
                                                                  : MC_PLAN_HOURS;
    return true;
}

/* From the query: target (required), hoursPerWeek (10), start (today), minimize. */
static bool query_in(struct srv_req *r, struct srv_resp *w, struct plan_in *in)
{
    char hours[64], start[64], minimize[64];
    const char *h, *s, *m;

    memset(in, 0, sizeof(*in));
    mc_plan_opts_init(&in->opts);
    if (!srv_query(r, "target", in->target, sizeof(in->target)) || !in->target[0]) {
        srv_error(w, 400, "invalid_request", "target: give the URI of an occupation (or an "
                  "O*NET-SOC code) in the query; POST a job description instead");
        return false;
    }
    h = srv_query(r, "hoursPerWeek", hours, sizeof(hours));
    s = srv_query(r, "start", start, sizeof(start));
    m = srv_query(r, "minimize", minimize, sizeof(minimize));
    return set_hours(w, h, h ? 0 : 10, in) && set_common(r, w, s, m, in);
}

/* From a JSON body: {"target" | "job", "hoursPerWeek", "start", "minimize"}. */
static bool body_in(struct srv_req *r, struct srv_resp *w, const cJSON *b, struct plan_in *in)
{
    const cJSON *t = mc_json_get(b, "target"), *j = mc_json_get(b, "job");
    const cJSON *h = mc_json_get(b, "hoursPerWeek"), *s = mc_json_get(b, "start");
    const cJSON *m = mc_json_get(b, "minimize");

    memset(in, 0, sizeof(*in));
    mc_plan_opts_init(&in->opts);
    if (!cJSON_IsObject(b) || !t == !j) {
        srv_error(w, 400, "invalid_request", "request body: give an object with \"target\" "
                  "(an occupation URI) or \"job\" (a job description), not both");
        return false;
    }
    if ((t && !mc_json_is_string(t)) || (j && !mc_json_is_string(j)) ||
        (s && !mc_json_is_string(s)) || (m && !mc_json_is_string(m)) ||
        (h && !cJSON_IsNumber(h))) {
        srv_error(w, 400, "invalid_request", "request body: target, job, start and minimize "
                  "are strings, hoursPerWeek a number");
        return false;
    }
    if (t && (!t->valuestring[0] || strlen(t->valuestring) >= sizeof(in->target))) {
        srv_error(w, 400, "invalid_request", "request body: target: empty or too long");
        return false;
    }
    if (t)
        mc_strlcpy(in->target, t->valuestring, sizeof(in->target));
    if (j) {
        in->job = j->valuestring;
        in->job_len = strlen(j->valuestring);
    }
    return set_hours(w, NULL, h ? h->valuedouble : 10, in) &&
           set_common(r, w, s ? s->valuestring : NULL, m ? m->valuestring : NULL, in);
}

static bool run_plan(struct srv_req *r, struct srv_resp *w, int64_t learner,
                     const struct plan_in *in, struct mc_learner_plan *lp)
{
    struct mc_plan_request rq;
    struct mc_err err;

    memset(&rq, 0, sizeof(rq));
    rq.org = r->who.org;
    rq.learner = learner;
    rq.target = in->job ? NULL : in->target;
    rq.job = in->job;
    rq.job_len = in->job_len;
    if (in->job && in->job_len == 0)
        rq.job = "";
    rq.opts = in->opts;
    rq.now = r->now;
    mc_err_clear(&err);
    if (mc_plan_learner(r->st, &rq, lp, &err)) {
        srv_error_rc(w, &err);
        return false;
    }
    return true;
}

static void send_plan(struct srv_resp *w, int64_t learner, const struct mc_learner_plan *lp)
{
    cJSON *o = mc_learner_plan_json(lp);

    if (!o) {
        srv_error(w, 500, "internal", "out of memory");
        return;
    }
    cJSON_AddNumberToObject(o, "learner", (double)learner);
    srv_json(w, 200, o);
    cJSON_Delete(o);
}

static void get_plan(struct srv_req *r, struct srv_resp *w)
{
    struct mc_learner_plan lp;
    struct plan_in in;
    int64_t id;

    memset(&lp, 0, sizeof(lp));
    if (!plan_learner(r, w, &id) || !query_in(r, w, &in))
        return;
    if (run_plan(r, w, id, &in, &lp))
        send_plan(w, id, &lp);
    mc_learner_plan_release(&lp);
}

static void post_plan(struct srv_req *r, struct srv_resp *w)
{
    struct mc_learner_plan lp;
    struct plan_in in;
    cJSON *b;
    int64_t id;

    memset(&lp, 0, sizeof(lp));
    if (!plan_learner(r, w, &id))
        return;
    b = srv_body_json(r, w);
    if (!b)
        return;
    if (body_in(r, w, b, &in) && run_plan(r, w, id, &in, &lp))
        send_plan(w, id, &lp);
    mc_learner_plan_release(&lp);
    cJSON_Delete(b);
}

static void get_plan_svg(struct srv_req *r, struct srv_resp *w)
{
    struct mc_learner_plan lp;
    struct plan_in in;
    int64_t id;

    memset(&lp, 0, sizeof(lp));
    if (!plan_learner(r, w, &id) || !query_in(r, w, &in))
        return;
    if (run_plan(r, w, id, &in, &lp)) {
        mc_buf_reset(&w->body);
        if (mc_learner_plan_svg(&lp, &w->body)) {
            srv_error(w, 500, "internal", "cannot draw the timeline");
        } else {
            w->status = 200;
            w->content_type = "image/svg+xml";
        }
    }
    mc_learner_plan_release(&lp);
}

/* ---- recommendations ---------------------------------------------------------------------- */

static void get_recommendations(struct srv_req *r, struct srv_resp *w)
{
    struct mc_recommend_opts o;
    struct mc_recommendations rec;
    struct mc_err err;
    char target[PLAN_MAX_PARAM], top[32];
    const char *t, *k;
    int64_t id;
    cJSON *out;

    if (!plan_learner(r, w, &id))
        return;
    t = srv_query(r, "target", target, sizeof(target));
    k = srv_query(r, "top", top, sizeof(top));
    mc_recommend_opts_init(&o);
    o.target = t && t[0] ? t : NULL;
    if (k) {
        char *end;
        long v = strtol(k, &end, 10);

        if (end == k || *end || v < 1 || v > MC_RECOMMEND_MAX_TOP) {
            srv_error(w, 400, "invalid_request", "top: give a number from 1 to %d",
                      MC_RECOMMEND_MAX_TOP);
            return;
        }
        o.top = (size_t)v;
    }
    o.now = r->now;
    mc_err_clear(&err);
    if (mc_recommend(r->st, r->who.org, id, &o, &rec, &err)) {
        srv_error_rc(w, &err);
        return;
    }
    out = mc_recommendations_json(&rec);
    if (out) {
        cJSON_AddNumberToObject(out, "learner", (double)id);
        srv_json(w, 200, out);
    } else {
        srv_error(w, 500, "internal", "out of memory");
    }
    cJSON_Delete(out);
    mc_recommendations_release(&rec);
}

/* ---- the page /me/plan -------------------------------------------------------------------- */

static bool put_num(cJSON *o, const char *k, double v)
{
    return cJSON_AddNumberToObject(o, k, v) != NULL;
}

/* Occupations matching q, as links to plan them. */
static bool page_search(struct srv_req *r, cJSON *ctx, const char *q, const char *hours)
{
    struct mc_store_list l;
    struct mc_err err;
    const struct mc_skill *k;
    struct mc_buf url;
    cJSON *arr;
    size_t i;
    bool ok = true;

    mc_err_clear(&err);
    if (mc_skills_search(r->st, q, "occupation", 20, &l, &err))
        return page_put(ctx, "search_error", mc_err_msg(&err));
    k = l.rows;
    arr = cJSON_AddArrayToObject(ctx, "results");
    ok = arr && (l.n == 0 || cJSON_AddTrueToObject(ctx, "has_results"));
    for (i = 0; ok && i < l.n; i++) {
        cJSON *o = cJSON_CreateObject();

        mc_buf_init(&url, 8192);
        ok = o && cJSON_AddItemToArray(arr, o) && page_put(o, "label", k[i].label) &&
             page_put(o, "uri", k[i].uri) && page_put(o, "framework", k[i].framework) &&
             !mc_buf_appends(&url, "/me/plan?target=") && !page_url_encode(&url, k[i].uri) &&
             !mc_buf_appends(&url, "&hours=") && !page_url_encode(&url, hours) &&
             page_put(o, "href", url.ptr);
        mc_buf_release(&url);
    }
    if (ok && l.n == 0)
        ok = cJSON_AddTrueToObject(ctx, "no_results") != NULL;
    mc_store_list_clear(&l);
    return ok;
}

static bool page_steps(const struct mc_learner_plan *lp, cJSON *ctx)
{
    cJSON *plan = mc_learner_plan_json(lp), *steps, *arr;
    const cJSON *c;
    bool ok = plan != NULL;

    /* the JSON is the page's model: steps with their reasons, coverage, focus */
    steps = ok ? cJSON_DetachItemFromObject(plan, "steps") : NULL;
    ok = ok && steps && cJSON_AddItemToObject(ctx, "steps", steps);
    if (ok && cJSON_GetArraySize(steps) > 0)
        ok = cJSON_AddTrueToObject(ctx, "has_steps") != NULL;
    arr = ok ? cJSON_DetachItemFromObject(plan, "uncovered") : NULL;
    ok = ok && arr && cJSON_AddItemToObject(ctx, "uncovered", arr);
    if (ok && cJSON_GetArraySize(arr) > 0)
        ok = cJSON_AddTrueToObject(ctx, "has_uncovered") != NULL;
    arr = ok ? cJSON_DetachItemFromObject(plan, "attribution") : NULL;
    ok = ok && arr && cJSON_AddItemToObject(ctx, "attribution", arr);
    c = ok ? cJSON_GetObjectItem(plan, "end") : NULL;
    ok = ok && page_put(ctx, "end", c ? c->valuestring : "");
    ok = ok && put_num(ctx, "total_hours", lp->plan.hours) &&
         put_num(ctx, "covered", (double)lp->plan.covered) &&
         put_num(ctx, "coverable", (double)lp->plan.coverable) &&
         put_num(ctx, "required", (double)lp->plan.required) &&
         put_num(ctx, "credentials", (double)lp->credentials) &&
         put_num(ctx, "relevant", (double)lp->relevant);
    if (ok && lp->plan.optimal)
        ok = cJSON_AddTrueToObject(ctx, "optimal") != NULL;
    cJSON_Delete(plan);
    return ok;
}

/* The gap: missing skills by weight, and what is held. */
static bool page_gap(const struct mc_learner_plan *lp, cJSON *ctx)
{
    cJSON *miss = cJSON_AddArrayToObject(ctx, "missing"), *held;
    size_t i;
    bool ok = miss != NULL;

    held = ok ? cJSON_AddArrayToObject(ctx, "held") : NULL;
    ok = ok && held;
    for (i = 0; ok && i < lp->gap.n; i++) {
        const struct mc_target_skill *s = &lp->target.v[lp->gap.v[i].skill];
        cJSON *o = cJSON_CreateObject();
        char wt[32];

        snprintf(wt, sizeof(wt), "%.2f", s->weight);
        ok = o && cJSON_AddItemToArray(lp->gap.v[i].status == MC_GAP_MISSING ? miss : held, o)
             && page_put(o, "label", s->label ? s->label : s->uri) &&
             page_put(o, "need", s->need == MC_NEED_ESSENTIAL ? "essential" :
                                 s->need == MC_NEED_OPTIONAL ? "optional" :
                                 s->need == MC_NEED_TECHNOLOGY ? "technology" : "named") &&
             page_put(o, "weight", wt);
    }
    if (ok && lp->gap.n > lp->gap.missing)
        ok = cJSON_AddTrueToObject(ctx, "has_held") != NULL;
    return ok && put_num(ctx, "missing_n", (double)lp->gap.missing) &&
           put_num(ctx, "skills_n", (double)lp->gap.n);
}

static bool page_planned(struct srv_req *r, cJSON *ctx, int64_t learner,
                         const struct plan_in *in, const char *hours)
{
    struct mc_plan_request rq;
    struct mc_learner_plan lp;
    struct mc_err err;
    struct mc_buf url;
    char start[11];
    bool ok;

    memset(&rq, 0, sizeof(rq));
    rq.org = r->who.org;
    rq.learner = learner;
    rq.target = in->target;
    rq.opts = in->opts;
    rq.now = r->now;
    mc_err_clear(&err);
    if (mc_plan_learner(r->st, &rq, &lp, &err))
        return page_put(ctx, "plan_error", mc_err_msg(&err));
    mc_buf_init(&url, 16384);
    mc_plan_day_str(in->opts.start_day, start);
    ok = page_put(ctx, "target_label", lp.target.label) &&
         page_put(ctx, "target_uri", lp.target.uri) && page_put(ctx, "start", start) &&
         page_put(ctx, "hours", hours) && page_gap(&lp, ctx) && page_steps(&lp, ctx) &&
         !mc_buf_appends(&url, "/api/v1/me/plan.svg?target=") &&
         !page_url_encode(&url, in->target) && !mc_buf_appends(&url, "&hoursPerWeek=") &&
         !page_url_encode(&url, hours) && !mc_buf_printf(&url, "&start=%s", start) &&
         page_put(ctx, "svg_url", url.ptr) && cJSON_AddTrueToObject(ctx, "planned");
    mc_buf_release(&url);
    mc_learner_plan_release(&lp);
    return ok;
}

static void page_plan(struct srv_req *r, struct srv_resp *w)
{
    char q[256], hours[32];
    struct plan_in in;
    int64_t me = 0;
    struct mc_err err;
    const char *qs, *hs;
    cJSON *ctx;
    bool ok;

    if (r->who.kind != SRV_AUTH_SESSION && r->who.kind != SRV_AUTH_TOKEN) {
        page_redirect(w, "/login");
        return;
    }
    mc_err_clear(&err);
    if (mc_wallet_learner_of(r->st, r->who.org, r->who.email, r->who.role == MC_ROLE_LEARNER,
                             &me, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            page_error(r, w, 404, "not_found", "%s is not a learner of this organisation: "
                       "plans are for learners", r->who.email);
        else
            page_error_rc(r, w, &err);
        return;
    }
    memset(&in, 0, sizeof(in));
    mc_plan_opts_init(&in.opts);
    in.opts.start_day = (int64_t)(r->now / 86400);
    qs = srv_query(r, "q", q, sizeof(q));
    hs = srv_query(r, "hours", hours, sizeof(hours));
    if (!hs || !hs[0])
        mc_strlcpy(hours, "5", sizeof(hours));
    in.opts.hours_per_week = strtod(hours, NULL);
    if (!isfinite(in.opts.hours_per_week) || in.opts.hours_per_week <= 0 ||
        in.opts.hours_per_week > 168) {
        mc_strlcpy(hours, "5", sizeof(hours));
        in.opts.hours_per_week = 5;
    }
    ctx = page_ctx(r, "Your learning plan");
    ok = ctx && page_put(ctx, "q", qs ? qs : "") && page_put(ctx, "hours", hours);
    if (ok && qs && qs[0])
        ok = page_search(r, ctx, qs, hours);
    if (ok && srv_query(r, "target", in.target, sizeof(in.target)) && in.target[0])
        ok = page_planned(r, ctx, me, &in, hours);
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, 200, "plan", ctx);
}

const struct srv_route srv_routes_plan[] = {
    { "GET", "/api/v1/learners/{id}/plan", get_plan, PLAN_READERS },
    { "POST", "/api/v1/learners/{id}/plan", post_plan, PLAN_READERS },
    { "GET", "/api/v1/learners/{id}/plan.svg", get_plan_svg, PLAN_READERS },
    { "GET", "/api/v1/learners/{id}/recommendations", get_recommendations, PLAN_READERS },
    { "GET", "/api/v1/me/plan", get_plan, SRV_LEARNER },
    { "POST", "/api/v1/me/plan", post_plan, SRV_LEARNER },
    { "GET", "/api/v1/me/plan.svg", get_plan_svg, SRV_LEARNER },
    { "GET", "/api/v1/me/recommendations", get_recommendations, SRV_LEARNER },
    { "GET", "/me/plan", page_plan, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};
