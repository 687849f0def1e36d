/* recommend.c - a learner's next credentials (recommend.h): goal coverage,
 * market demand and item-to-item co-earning over the organisation's
 * credentials, each part with its reason.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "skills/planner.h"
#include "skills/recommend.h"
#include "skills/skills.h"

#define MAX_HELD 256             /* the learner's achievements used for co-earning */

struct ritem {
    char *uri, *name;
    uint32_t *sk;                /* skill ids (struct rctx.skills) */
    size_t nsk;
    bool held;
    double goal, demand, co;
    size_t goal_n;
    uint32_t demand_skill, co_from;
    size_t co_peers;
};

struct rctx {
    struct mc_store *st;
    int64_t org, learner;
    struct ritem *v;
    size_t n;
    struct mc_intern *uris;      /* achievement URI -> item */
    struct mc_intern *skills;    /* skill URI -> id */
    struct mc_intern *versions;  /* achievement row id (decimal) -> slot in version_item */
    uint32_t *version_item;
    size_t nversion_cap;
    double *missing;             /* per skill id: missing target weight (goal) */
    size_t nmissing_cap;
    double missing_total;
    double *share;               /* per skill id: demand share */
    size_t nshare_cap;
    struct mc_err *err;
};

void mc_recommend_opts_init(struct mc_recommend_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->top = 10;
}

void mc_recommendations_release(struct mc_recommendations *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n; i++) {
        mc_free(r->v[i].uri);
        mc_free(r->v[i].name);
        mc_free(r->v[i].goal_why);
        mc_free(r->v[i].demand_why);
        mc_free(r->v[i].co_why);
    }
    mc_free(r->v);
    mc_free(r->target_label);
    mc_free(r->attribution);
    memset(r, 0, sizeof(*r));
}

static mcred_rc grow_doubles(double **v, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 64, i;
    double *nv;

    if (need <= *cap)
        return MCRED_OK;
    while (ncap < need)
        ncap *= 2;
    nv = mc_realloc(*v, ncap * sizeof(*nv));
    if (!nv)
        return MCRED_ERR_NOMEM;
    for (i = *cap; i < ncap; i++)
        nv[i] = 0;
    *v = nv;
    *cap = ncap;
    return MCRED_OK;
}

static mcred_rc skill_id(struct rctx *c, const char *uri, uint32_t *id)
{
    mcred_rc rc = mc_intern_add(c->skills, uri, strlen(uri), id, NULL);

    if (!rc)
        rc = grow_doubles(&c->missing, &c->nmissing_cap, *id + 1);
    if (!rc)
        rc = grow_doubles(&c->share, &c->nshare_cap, *id + 1);
    return rc;
}

/* The organisation's achievements (latest versions) with their skills. */
static mcred_rc load_items(struct rctx *c)
{
    struct mc_store_list l;
    const struct mc_achievement *a;
    struct mc_intern *al = NULL;
    size_t i, j;
    uint32_t id;
    mcred_rc rc = mc_store_achievement_list(c->st, c->org, &l, c->err);

    if (rc)
        return rc;
    a = l.rows;
    c->v = mc_calloc(l.n ? l.n : 1, sizeof(*c->v));
    if (!c->v)
        rc = MCRED_ERR_NOMEM;
    for (i = 0; !rc && i < l.n && i < MC_RECOMMEND_MAX_ITEMS; i++) {
        struct ritem *it = &c->v[c->n];
        cJSON *doc = NULL;

        if (mc_intern_add(c->uris, a[i].uri, strlen(a[i].uri), &id, NULL) || id != c->n) {
            rc = MCRED_ERR_NOMEM;
            break;
        }
        c->n++;
        it->uri = mc_strdup(a[i].uri);
        if (a[i].json && !mc_json_parse(a[i].json, strlen(a[i].json), 0, &doc, NULL))
            it->name = mc_json_str(doc, "name") ? mc_strdup(mc_json_str(doc, "name")) : NULL;
        cJSON_Delete(doc);
        if (!it->name)
            it->name = mc_strdup(a[i].uri);
        mc_intern_free(al);
        al = NULL;
        if (!it->uri || !it->name || mc_intern_new(&al) ||
            mc_skills_alignments(a[i].json, al, NULL) == MCRED_ERR_NOMEM) {
            rc = MCRED_ERR_NOMEM;
            break;
        }
        it->sk = mc_allocarray(mc_intern_count(al) + 1, sizeof(*it->sk));
        for (j = 0; it->sk && !rc && j < mc_intern_count(al); j++) {
            rc = skill_id(c, mc_intern_str(al, (uint32_t)j), &it->sk[it->nsk]);
            it->nsk += !rc;
        }
        if (!it->sk)
            rc = MCRED_ERR_NOMEM;
    }
    mc_intern_free(al);
    mc_store_list_clear(&l);
    return rc;
}

/* The item of an achievement version row, or MC_INTERN_NONE. */
static uint32_t version_item(struct rctx *c, int64_t achievement_id)
{
    struct mc_achievement a;
    char key[32];
    uint32_t slot, item = MC_INTERN_NONE;
    bool added = false;

    snprintf(key, sizeof(key), "%lld", (long long)achievement_id);
    if (mc_intern_add(c->versions, key, strlen(key), &slot, &added))
        return MC_INTERN_NONE;
    if (!added)
        return slot < c->nversion_cap ? c->version_item[slot] : MC_INTERN_NONE;
    memset(&a, 0, sizeof(a));
    if (mc_store_achievement_get(c->st, c->org, achievement_id, NULL, &a, NULL) == MCRED_OK)
        item = mc_intern_find(c->uris, a.uri, strlen(a.uri));
    mc_achievement_release(&a);
    if (slot >= c->nversion_cap) {
        size_t ncap = c->nversion_cap ? c->nversion_cap * 2 : 64;
        uint32_t *v = mc_realloc(c->version_item, ncap * sizeof(*v));

        if (!v)
            return MC_INTERN_NONE;
        c->version_item = v;
        c->nversion_cap = ncap;
    }
    c->version_item[slot] = item;
    return item;
}

/* The attribution of framework name into out->attribution. */
static mcred_rc credit(struct rctx *c, const char *name, struct mc_recommendations *out)
{
    struct mc_store_list l;
    const struct mc_skill_framework *f;
    size_t i;
    mcred_rc rc = mc_store_skill_framework_list(c->st, &l, c->err);

    if (rc)
        return rc;
    f = l.rows;
    for (i = 0; i < l.n && !out->attribution; i++) {
        if (strcmp(f[i].name, name) == 0) {
            out->attribution = mc_framework_attribution(&f[i]);
            if (!out->attribution)
                rc = MCRED_ERR_NOMEM;
            break;
        }
    }
    mc_store_list_clear(&l);
    return rc;
}

/* ---- goal --------------------------------------------------------------------------------- */

static mcred_rc goal(struct rctx *c, const char *target, time_t now,
                     struct mc_recommendations *out)
{
    struct mc_target t;
    struct mc_learner_skills ls;
    struct mc_gap g;
    size_t i, j;
    uint32_t id;
    mcred_rc rc;

    memset(&ls, 0, sizeof(ls));
    memset(&g, 0, sizeof(g));
    rc = mc_skills_target_occupation(c->st, target, &t, c->err);
    if (!rc)
        rc = mc_skills_target_demand(c->st, &t, c->err);
    if (!rc)
        rc = mc_skills_of_learner(c->st, c->org, c->learner, now, &ls, c->err);
    if (!rc)
        rc = mc_skills_gap(c->st, &t, &ls, &g, c->err);
    for (i = 0; !rc && i < g.n; i++) {
        const struct mc_target_skill *s = &t.v[g.v[i].skill];

        if (g.v[i].status != MC_GAP_MISSING)
            continue;
        id = mc_intern_find(c->skills, s->uri, strlen(s->uri));
        c->missing_total += s->weight;
        if (id != MC_INTERN_NONE)
            c->missing[id] += s->weight;
    }
    for (i = 0; !rc && i < c->n && c->missing_total > 0; i++) {
        struct ritem *it = &c->v[i];

        for (j = 0; j < it->nsk; j++) {
            if (c->missing[it->sk[j]] > 0) {
                it->goal += c->missing[it->sk[j]];
                it->goal_n++;
            }
        }
        it->goal /= c->missing_total;
    }
    if (!rc) {
        out->target_label = mc_strdup(t.label ? t.label : target);
        if (!out->target_label)
            rc = MCRED_ERR_NOMEM;
    }
    if (!rc && t.framework)
        rc = credit(c, t.framework, out);
    mc_gap_release(&g);
    mc_learner_skills_release(&ls);
    mc_target_release(&t);
    return rc;
}

/* ---- demand -------------------------------------------------------------------------------- */

static mcred_rc demand(struct rctx *c, struct mc_recommendations *out)
{
    struct mc_store_list l;
    const struct mc_skill *d;
    int64_t postings = 0;
    size_t i, j;
    uint32_t id;
    mcred_rc rc = mc_store_skill_demand(c->st, MC_SKILL_MAX_DEMAND, &l, &postings, c->err);

    if (rc)
        return rc;
    d = l.rows;
    out->postings = (size_t)postings;
    for (i = 0; postings > 0 && i < l.n; i++) {
        id = mc_intern_find(c->skills, d[i].uri, strlen(d[i].uri));
        if (id != MC_INTERN_NONE)
            c->share[id] = (double)d[i].count / (double)postings;
    }
    for (i = 0; i < c->n; i++) {
        struct ritem *it = &c->v[i];

        for (j = 0; j < it->nsk; j++) {
            if (c->share[it->sk[j]] > it->demand) {
                it->demand = c->share[it->sk[j]];
                it->demand_skill = it->sk[j];
            }
        }
    }
    mc_store_list_clear(&l);
    return MCRED_OK;
}

/* ---- co-earning ------------------------------------------------------------------------------ */

struct pair {
    uint32_t holder, item;
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    if (x->holder != y->holder)
        return x->holder < y->holder ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* (holder, item) of every valid credential of other learners. */
static mcred_rc read_pairs(struct rctx *c, time_t now, const struct mc_learner *me,
                           struct pair **out, size_t *np, struct mc_recommendations *rec)
{
    struct mc_intern *holders = NULL;
    struct mc_store_list l;
    size_t off = 0, i, cap = 0;
    mcred_rc rc = mc_intern_new(&holders);

    *out = NULL;
    *np = 0;
    while (!rc) {
        const struct mc_credential *cr;

        if (off >= MC_RECOMMEND_MAX_CREDS) {
            rec->truncated = true;
            break;
        }
        rc = mc_store_cred_list(c->st, c->org, off, MC_STORE_PAGE_MAX, &l, c->err);
        if (rc)
            break;
        cr = l.rows;
        for (i = 0; !rc && i < l.n; i++) {
            char key[320];
            uint32_t h, item;

            if (cr[i].state != MC_CRED_ACTIVE || (cr[i].valid_until && cr[i].valid_until < now))
                continue;
            if (cr[i].learner_id == me->id || (cr[i].recipient &&
                ((me->email && strcasecmp(cr[i].recipient, me->email) == 0) ||
                 (me->did && strcmp(cr[i].recipient, me->did) == 0))))
                continue;
            if (cr[i].learner_id)
                snprintf(key, sizeof(key), "L%lld", (long long)cr[i].learner_id);
            else
                snprintf(key, sizeof(key), "R%.300s", cr[i].recipient ? cr[i].recipient : "");
            item = version_item(c, cr[i].achievement_id);
            if (item == MC_INTERN_NONE)
                continue;
            rc = mc_intern_add(holders, key, strlen(key), &h, NULL);
            if (!rc && *np == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                struct pair *v = mc_realloc(*out, ncap * sizeof(*v));

                if (v) {
                    *out = v;
                    cap = ncap;
                } else {
                    rc = MCRED_ERR_NOMEM;
                }
            }
            if (!rc) {
                (*out)[*np].holder = h;
                (*out)[(*np)++].item = item;
            }
        }
        off += l.n;
        i = l.n;
        mc_store_list_clear(&l);
        if (i < MC_STORE_PAGE_MAX)
            break;
    }
    rec->peers = mc_intern_count(holders);
    mc_intern_free(holders);
    if (*np > 1)
        qsort(*out, *np, sizeof(**out), pair_cmp);
    return rc;
}

static mcred_rc co_earning(struct rctx *c, time_t now, struct mc_recommendations *rec)
{
    struct mc_learner me;
    struct pair *p = NULL;
    uint32_t *hidx = NULL, *cnt = NULL, *both = NULL, nh = 0;
    size_t np = 0, i, j, k, a, b;
    mcred_rc rc;

    memset(&me, 0, sizeof(me));
    rc = mc_store_learner_get(c->st, c->org, c->learner, NULL, &me, c->err);
    if (!rc)
        rc = read_pairs(c, now, &me, &p, &np, rec);
    hidx = mc_calloc(c->n ? c->n : 1, sizeof(*hidx));   /* item -> held index + 1 */
    cnt = mc_calloc(c->n ? c->n : 1, sizeof(*cnt));
    if (!rc && (!hidx || !cnt))
        rc = MCRED_ERR_NOMEM;
    for (i = 0; !rc && i < c->n && nh < MAX_HELD; i++) {
        if (c->v[i].held)
            hidx[i] = ++nh;
    }
    both = !rc && nh ? mc_calloc((size_t)nh * c->n, sizeof(*both)) : NULL;
    if (!rc && nh && !both)
        rc = MCRED_ERR_NOMEM;
    /* per holder (a run of p): count items, and pairs (held item, other item) */
    for (a = 0; !rc && a < np; a = b) {
        for (b = a; b < np && p[b].holder == p[a].holder; b++) {
            if (b == a || p[b].item != p[b - 1].item)
                cnt[p[b].item]++;
        }
        for (j = a; nh && j < b; j++) {
            if (!hidx[p[j].item] || (j > a && p[j].item == p[j - 1].item))
                continue;
            for (k = a; k < b; k++) {
                if (!hidx[p[k].item] && (k == a || p[k].item != p[k - 1].item))
                    both[(size_t)(hidx[p[j].item] - 1) * c->n + p[k].item]++;
            }
        }
    }
    for (i = 0; !rc && nh && i < c->n; i++) {
        for (j = 0; j < c->n && !c->v[i].held; j++) {
            uint32_t n2;
            double cs;

            if (!hidx[j])
                continue;
            n2 = both[(size_t)(hidx[j] - 1) * c->n + i];
            if (!n2)
                continue;
            cs = (double)n2 / sqrt((double)cnt[i] * (double)cnt[j]);
            if (cs > c->v[i].co + 1e-12) {
                c->v[i].co = cs;
                c->v[i].co_from = (uint32_t)j;
                c->v[i].co_peers = n2;
            }
        }
    }
    mc_learner_release(&me);
    mc_free(p);
    mc_free(hidx);
    mc_free(cnt);
    mc_free(both);
    return rc;
}

/* ---- assembling ---------------------------------------------------------------------------- */

static mcred_rc mark_held(struct rctx *c, time_t now)
{
    struct mc_store_list l;
    const struct mc_skill_held *h;
    size_t i;
    mcred_rc rc = mc_store_skill_held(c->st, c->org, c->learner, now, &l, c->err);

    if (rc)
        return rc;
    h = l.rows;
    for (i = 0; i < l.n; i++) {
        cJSON *doc = NULL;
        const char *id;
        uint32_t k;

        if (!h[i].achievement_json ||
            mc_json_parse(h[i].achievement_json, strlen(h[i].achievement_json), 0, &doc, NULL))
            continue;
        id = mc_json_str(doc, "id");
        k = id ? mc_intern_find(c->uris, id, strlen(id)) : MC_INTERN_NONE;
        if (k != MC_INTERN_NONE)
            c->v[k].held = true;
        cJSON_Delete(doc);
    }
    mc_store_list_clear(&l);
    return MCRED_OK;
}

static int rec_cmp(const void *a, const void *b)
{
    const struct mc_recommendation *x = a, *y = b;

    if (fabs(x->score - y->score) > 1e-12)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->uri, y->uri);
}

static char *fmt(const char *f, ...) MC_PRINTF(1, 2);

static char *fmt(const char *f, ...)
{
    char b[600];
    va_list ap;

    va_start(ap, f);
    vsnprintf(b, sizeof(b), f, ap);
    va_end(ap);
    return mc_strdup(b);
}

static mcred_rc assemble(struct rctx *c, bool with_goal, size_t top,
                         struct mc_recommendations *out)
{
    size_t i, k = 0;

    out->v = mc_calloc(c->n ? c->n : 1, sizeof(*out->v));
    if (!out->v)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < c->n; i++) {
        const struct ritem *it = &c->v[i];
        struct mc_recommendation *r = &out->v[k];

        if (it->held)
            continue;
        r->goal = with_goal ? it->goal : 0;
        r->demand = it->demand;
        r->co = it->co;
        r->score = with_goal ? 0.5 * r->goal + 0.25 * r->demand + 0.25 * r->co
                             : 0.5 * r->demand + 0.5 * r->co;
        if (r->score <= 0)
            continue;
        k++;
        out->n = k;
        r->uri = mc_strdup(it->uri);
        r->name = mc_strdup(it->name);
        if (!r->uri || !r->name)
            return MCRED_ERR_NOMEM;
        if (r->goal > 0 && !(r->goal_why = fmt("teaches %zu missing skill%s of %.200s (%.0f%% of "
                                               "the missing weight)", it->goal_n,
                                               it->goal_n == 1 ? "" : "s", out->target_label,
                                               r->goal * 100)))
            return MCRED_ERR_NOMEM;
        if (r->demand > 0 &&
            !(r->demand_why = fmt("teaches %.300s, named in %.0f%% of %zu job postings",
                                  mc_intern_str(c->skills, it->demand_skill), r->demand * 100,
                                  out->postings)))
            return MCRED_ERR_NOMEM;
        if (r->co > 0 &&
            !(r->co_why = fmt("%zu learner%s holding %.200s also earned it (cosine %.2f)",
                              it->co_peers, it->co_peers == 1 ? "" : "s",
                              c->v[it->co_from].name, r->co)))
            return MCRED_ERR_NOMEM;
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), rec_cmp);
    while (out->n > top) {
        struct mc_recommendation *r = &out->v[--out->n];

        mc_free(r->uri);
        mc_free(r->name);
        mc_free(r->goal_why);
        mc_free(r->demand_why);
        mc_free(r->co_why);
    }
    return MCRED_OK;
}

mcred_rc mc_recommend(struct mc_store *st, int64_t org, int64_t learner,
                      const struct mc_recommend_opts *o, struct mc_recommendations *out,
                      struct mc_err *err)
{
    struct rctx c;
    struct mc_learner who;
    size_t i;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    if (!o || o->top < 1 || o->top > MC_RECOMMEND_MAX_TOP)
        return mc_err_set(err, MCRED_ERR_INVALID, "top must be from 1 to %d",
                          MC_RECOMMEND_MAX_TOP);
    memset(&who, 0, sizeof(who));
    rc = mc_store_learner_get(st, org, learner, NULL, &who, err);
    mc_learner_release(&who);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, rc, "no learner %lld in this organisation", (long long)learner);
    if (rc)
        return rc;
    c.st = st;
    c.org = org;
    c.learner = learner;
    c.err = err;
    if (mc_intern_new(&c.uris) || mc_intern_new(&c.skills) || mc_intern_new(&c.versions))
        rc = MCRED_ERR_NOMEM;
    if (!rc)
        rc = load_items(&c);
    if (!rc)
        rc = mark_held(&c, o->now);
    if (!rc && o->target)
        rc = goal(&c, o->target, o->now, out);
    if (!rc)
        rc = demand(&c, out);
    if (!rc)
        rc = co_earning(&c, o->now, out);
    if (!rc)
        rc = assemble(&c, o->target != NULL, o->top, out);
    if (rc == MCRED_ERR_NOMEM)
        mc_err_set(err, rc, "out of memory recommending");
    for (i = 0; i < c.n; i++) {
        mc_free(c.v[i].uri);
        mc_free(c.v[i].name);
        mc_free(c.v[i].sk);
    }
    mc_free(c.v);
    mc_intern_free(c.uris);
    mc_intern_free(c.skills);
    mc_intern_free(c.versions);
    mc_free(c.version_item);
    mc_free(c.missing);
    mc_free(c.share);
    if (rc)
        mc_recommendations_release(out);
    return rc;
}

cJSON *mc_recommendations_json(const struct mc_recommendations *r)
{
    cJSON *o = cJSON_CreateObject(), *arr, *credits;
    size_t i;

    if (!o)
        return NULL;
    if (r->target_label)
        cJSON_AddStringToObject(o, "target", r->target_label);
    cJSON_AddNumberToObject(o, "postings", (double)r->postings);
    cJSON_AddNumberToObject(o, "peers", (double)r->peers);
    if (r->truncated)
        cJSON_AddBoolToObject(o, "truncated", 1);
    arr = cJSON_AddArrayToObject(o, "recommendations");
    for (i = 0; arr && i < r->n; i++) {
        const struct mc_recommendation *x = &r->v[i];
        cJSON *e = cJSON_CreateObject(), *parts, *why;

        if (!e || !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            arr = NULL;
            break;
        }
        cJSON_AddStringToObject(e, "achievement", x->uri);
        cJSON_AddStringToObject(e, "name", x->name);
        cJSON_AddNumberToObject(e, "score", x->score);
        parts = cJSON_AddObjectToObject(e, "parts");
        if (parts) {
            cJSON_AddNumberToObject(parts, "goal", x->goal);
            cJSON_AddNumberToObject(parts, "demand", x->demand);
            cJSON_AddNumberToObject(parts, "coEarning", x->co);
        }
        why = cJSON_AddArrayToObject(e, "reasons");
        if (why && x->goal_why)
            cJSON_AddItemToArray(why, cJSON_CreateString(x->goal_why));
        if (why && x->demand_why)
            cJSON_AddItemToArray(why, cJSON_CreateString(x->demand_why));
        if (why && x->co_why)
            cJSON_AddItemToArray(why, cJSON_CreateString(x->co_why));
    }
    credits = arr ? cJSON_AddArrayToObject(o, "attribution") : NULL;
    if (credits && r->attribution)
        cJSON_AddItemToArray(credits, cJSON_CreateString(r->attribution));
    if (!arr || !credits) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
