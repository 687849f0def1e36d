/* planner.c - the planner verb over the store (planner.h): target, the
 * learner's skills and gap, the catalog, the plan and the focus score.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "skills/planner.h"

void mc_learner_plan_release(struct mc_learner_plan *lp)
{
    size_t i;

    if (!lp)
        return;
    mc_target_release(&lp->target);
    mc_learner_skills_release(&lp->skills);
    mc_gap_release(&lp->gap);
    mc_catalog_free(lp->catalog);
    mc_free(lp->need);
    mc_free(lp->need_skill);
    mc_plan_release(&lp->plan);
    for (i = 0; i < lp->nattribution; i++)
        mc_free(lp->attribution[i]);
    mc_free(lp->attribution);
    memset(lp, 0, sizeof(*lp));
}

char *mc_framework_attribution(const struct mc_skill_framework *f)
{
    char text[512];

    if (strcmp(f->name, "onet") == 0) {
        snprintf(text, sizeof(text), "This includes information from the O*NET %s Database by "
                 "the U.S. Department of Labor, Employment and Training Administration "
                 "(USDOL/ETA), used under the CC BY 4.0 license.",
                 f->version ? f->version : "");
        return mc_strdup(text);
    }
    if (f->attribution)
        return mc_strdup(f->attribution);
    return mc_strdup(f->title ? f->title : f->name);
}

/* The imported catalog's entries (checked when imported: a bad one now is
 * skipped like a bad achievement). */
static mcred_rc add_imported(struct mc_store *st, int64_t org, struct mc_catalog *c,
                             struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_achievement *a;
    size_t i;
    mcred_rc rc = mc_store_catalog_list(st, org, &l, err);

    if (rc)
        return rc;
    a = l.rows;
    for (i = 0; !rc && i < l.n; i++) {
        cJSON *doc = NULL;
        struct mc_err e;

        mc_err_clear(&e);
        if (mc_json_parse(a[i].json, strlen(a[i].json), 0, &doc, &e)) {
            c->skipped++;
            continue;
        }
        rc = mc_catalog_add_achievement(c, doc, false, a[i].uri, &e);
        if (rc == MCRED_ERR_INVALID) {
            c->skipped++;
            rc = MCRED_OK;
        } else if (rc) {
            mc_err_set(err, rc, "%s", mc_err_msg(&e));
        }
        cJSON_Delete(doc);
    }
    mc_store_list_clear(&l);
    return rc;
}

/* One entry as the Achievement JSON the store keeps (owned; NULL: NOMEM). */
static char *entry_json(const struct mc_catalog *c, const struct mc_catalog_item *it)
{
    cJSON *o = cJSON_CreateObject(), *plan, *arr;
    char *text = NULL;
    size_t i;

    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "id", it->uri);
    cJSON_AddItemToObject(o, "type", cJSON_CreateString("Achievement"));
    cJSON_AddStringToObject(o, "name", it->name);
    if (it->issuer)
        cJSON_AddStringToObject(o, "issuer", it->issuer);
    plan = cJSON_AddObjectToObject(o, "mcPlan");
    if (plan) {
        cJSON_AddNumberToObject(plan, "hours", it->hours);
        cJSON_AddNumberToObject(plan, "cost", it->cost);
        cJSON_AddNumberToObject(plan, "level", it->level);
        arr = cJSON_AddArrayToObject(plan, "prerequisites");
        for (i = 0; arr && i < it->nprereq; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateString(it->prereq_uri[i]));
    }
    arr = cJSON_AddArrayToObject(o, "alignment");
    for (i = 0; arr && i < it->nskills; i++) {
        cJSON *al = cJSON_CreateObject();

        if (al && cJSON_AddItemToArray(arr, al)) {
            cJSON_AddItemToObject(al, "type", cJSON_CreateString("Alignment"));
            cJSON_AddStringToObject(al, "targetUrl", mc_intern_str(c->skills, it->skills[i]));
        }
    }
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

mcred_rc mc_catalog_import(struct mc_store *st, int64_t org, const char *data, size_t n,
                           const char *file, size_t *count, size_t *skipped,
                           struct mc_err *err)
{
    struct mc_catalog *c = NULL;
    time_t now = time(NULL);
    size_t i;
    mcred_rc rc;

    *count = *skipped = 0;
    if (mc_catalog_new(&c))
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    rc = mc_catalog_load(c, data, n, file, err);
    if (!rc)
        rc = mc_catalog_build(c, err);
    if (!rc)
        rc = mc_store_begin(st, err);
    if (!rc) {
        rc = mc_store_catalog_clear(st, org, err);
        for (i = 0; !rc && i < c->n; i++) {
            char *json = entry_json(c, &c->v[i]);

            rc = json ? mc_store_catalog_put(st, org, c->v[i].uri, json, now, err)
                      : mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
            cJSON_free(json);
        }
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            mc_store_rollback(st);
    }
    if (!rc) {
        *count = c->n;
        *skipped = c->skipped;
    }
    mc_catalog_free(c);
    return rc;
}

/* The catalog: the organisation's achievements, the imported catalog, then
 * the file (later entries replace earlier ones with the same id). Stored achievements whose mcPlan
 * is malformed are skipped (counted), since one bad row must not stop every
 * plan of the organisation. */
static mcred_rc load_catalog(struct mc_store *st, const struct mc_plan_request *rq,
                             struct mc_catalog **out, struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_achievement *a;
    struct mc_catalog *c = NULL;
    size_t i;
    mcred_rc rc;

    *out = NULL;
    if (mc_catalog_new(&c))
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    rc = mc_store_achievement_list(st, rq->org, &l, err);
    if (rc) {
        mc_catalog_free(c);
        return rc;
    }
    a = l.rows;
    for (i = 0; !rc && i < l.n; i++) {
        cJSON *doc = NULL;
        struct mc_err e;

        mc_err_clear(&e);
        if (!a[i].json || mc_json_parse(a[i].json, strlen(a[i].json), 0, &doc, &e)) {
            c->skipped++;
            continue;
        }
        rc = mc_catalog_add_achievement(c, doc, true, a[i].uri, &e);
        if (rc == MCRED_ERR_INVALID) {
            c->skipped++;
            rc = MCRED_OK;
        } else if (rc) {
            mc_err_set(err, rc, "%s", mc_err_msg(&e));
        }
        cJSON_Delete(doc);
    }
    mc_store_list_clear(&l);
    if (!rc)
        rc = add_imported(st, rq->org, c, err);
    if (!rc && rq->catalog)
        rc = mc_catalog_load(c, rq->catalog, rq->catalog_len,
                             rq->catalog_name ? rq->catalog_name : "catalog", err);
    if (!rc)
        rc = mc_catalog_build(c, err);
    if (rc) {
        mc_catalog_free(c);
        return rc;
    }
    *out = c;
    return MCRED_OK;
}

/* The gap's missing skills as the solver's needs. */
static mcred_rc make_needs(struct mc_learner_plan *lp)
{
    const struct mc_gap *g = &lp->gap;
    size_t i;

    lp->need = mc_calloc(g->missing ? g->missing : 1, sizeof(*lp->need));
    lp->need_skill = mc_calloc(g->missing ? g->missing : 1, sizeof(*lp->need_skill));
    if (!lp->need || !lp->need_skill)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < g->n; i++) {
        const struct mc_target_skill *s = &lp->target.v[g->v[i].skill];

        if (g->v[i].status != MC_GAP_MISSING)
            continue;
        lp->need[lp->nneed].uri = s->uri;
        lp->need[lp->nneed].weight = s->weight;
        lp->need[lp->nneed].required = s->need != MC_NEED_OPTIONAL;
        lp->need_skill[lp->nneed] = (uint32_t)g->v[i].skill;
        lp->nneed++;
    }
    return MCRED_OK;
}

/* The achievements the learner holds (valid credentials), and the focus:
 * how many of those credentials align to a skill of the target. */
static mcred_rc held_and_focus(struct mc_store *st, const struct mc_plan_request *rq,
                               struct mc_learner_plan *lp, char ***held, size_t *nheld,
                               struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_skill_held *h;
    struct mc_intern *target = NULL, *al = NULL;
    size_t i, j;
    mcred_rc rc = mc_store_skill_held(st, rq->org, rq->learner, rq->now, &l, err);

    *held = NULL;
    *nheld = 0;
    if (rc)
        return rc;
    h = l.rows;
    *held = mc_calloc(l.n ? l.n : 1, sizeof(**held));
    if (!*held || mc_intern_new(&target))
        rc = MCRED_ERR_NOMEM;
    for (i = 0; !rc && i < lp->target.n; i++) {
        uint32_t id;

        rc = mc_intern_add(target, lp->target.v[i].uri, strlen(lp->target.v[i].uri), &id,
                           NULL);
    }
    for (i = 0; !rc && i < l.n; i++) {
        cJSON *doc = NULL;
        bool relevant = false;

        lp->credentials++;
        if (h[i].achievement_json &&
            !mc_json_parse(h[i].achievement_json, strlen(h[i].achievement_json), 0, &doc,
                           NULL) && mc_json_str(doc, "id")) {
            (*held)[*nheld] = mc_strdup(mc_json_str(doc, "id"));
            if (!(*held)[(*nheld)++])
                rc = MCRED_ERR_NOMEM;
        }
        cJSON_Delete(doc);
        mc_intern_free(al);
        al = NULL;
        if (!rc && mc_intern_new(&al))
            rc = MCRED_ERR_NOMEM;
        if (!rc && mc_skills_alignments(h[i].achievement_json, al, NULL) == MCRED_ERR_NOMEM)
            rc = MCRED_ERR_NOMEM;
        for (j = 0; !rc && j < mc_intern_count(al) && !relevant; j++) {
            const char *u = mc_intern_str(al, (uint32_t)j);

            relevant = mc_intern_find(target, u, strlen(u)) != MC_INTERN_NONE;
        }
        lp->relevant += relevant;
    }
    mc_intern_free(al);
    mc_intern_free(target);
    mc_store_list_clear(&l);
    if (rc == MCRED_ERR_NOMEM)
        mc_err_set(err, rc, "out of memory reading the learner's credentials");
    return rc;
}

/* The attribution of every framework a target skill comes from. */
static mcred_rc attributions(struct mc_store *st, struct mc_learner_plan *lp,
                             struct mc_err *err)
{
    struct mc_store_list fw;
    const struct mc_skill_framework *f;
    bool *used;
    size_t i, j;
    mcred_rc rc = mc_store_skill_framework_list(st, &fw, err);

    if (rc)
        return rc;
    f = fw.rows;
    used = mc_calloc(fw.n ? fw.n : 1, sizeof(*used));
    lp->attribution = mc_calloc(fw.n ? fw.n : 1, sizeof(*lp->attribution));
    if (!used || !lp->attribution)
        rc = MCRED_ERR_NOMEM;
    for (j = 0; !rc && j < fw.n; j++)
        used[j] = lp->target.framework && strcmp(lp->target.framework, f[j].name) == 0;
    for (i = 0; !rc && !lp->target.framework && i < lp->target.n && i < 4096; i++) {
        struct mc_skill k;

        memset(&k, 0, sizeof(k));
        if (mc_store_skill_get(st, lp->target.v[i].uri, &k, NULL) == MCRED_OK) {
            for (j = 0; j < fw.n; j++)
                used[j] = used[j] || (k.framework && strcmp(k.framework, f[j].name) == 0);
        }
        mc_skill_release(&k);
    }
    for (j = 0; !rc && j < fw.n; j++) {
        if (!used[j])
            continue;
        lp->attribution[lp->nattribution] = mc_framework_attribution(&f[j]);
        if (!lp->attribution[lp->nattribution++])
            rc = MCRED_ERR_NOMEM;
    }
    mc_free(used);
    mc_store_list_clear(&fw);
    if (rc == MCRED_ERR_NOMEM)
        mc_err_set(err, rc, "out of memory");
    return rc;
}

static mcred_rc target_of(struct mc_store *st, const struct mc_plan_request *rq,
                          struct mc_target *t, struct mc_err *err)
{
    struct mc_skills_index *own = NULL;
    mcred_rc rc;

    if (!rq->target == !rq->job)
        return mc_err_set(err, MCRED_ERR_INVALID, "give a target occupation or a job "
                          "description, not both or neither");
    if (rq->target)
        return mc_skills_target_occupation(st, rq->target, t, err);
    if (rq->job_len == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "the job description is empty");
    if (rq->job_len > MC_EXTRACT_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_LIMIT, "the job description is longer than %zu bytes",
                          (size_t)MC_EXTRACT_MAX_TEXT);
    if (!rq->ix) {
        rc = mc_skills_index_load(st, &own, err);
        if (rc)
            return rc;
    }
    rc = mc_skills_target_job(rq->ix ? rq->ix : own, rq->job, rq->job_len, t, err);
    mc_skills_index_free(own);
    return rc;
}

mcred_rc mc_plan_learner(struct mc_store *st, const struct mc_plan_request *rq,
                         struct mc_learner_plan *out, struct mc_err *err)
{
    char **held = NULL;
    size_t nheld = 0, i;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    out->opts = rq->opts;
    rc = mc_skills_of_learner(st, rq->org, rq->learner, rq->now, &out->skills, err);
    if (!rc)
        rc = target_of(st, rq, &out->target, err);
    if (!rc)
        rc = mc_skills_target_demand(st, &out->target, err);
    if (!rc)
        rc = mc_skills_gap(st, &out->target, &out->skills, &out->gap, err);
    if (!rc && make_needs(out))
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = load_catalog(st, rq, &out->catalog, err);
    if (!rc)
        rc = held_and_focus(st, rq, out, &held, &nheld, err);
    if (!rc)
        rc = mc_plan_solve(out->catalog, out->need, out->nneed, (const char *const *)held,
                           nheld, &rq->opts, &out->plan, err);
    if (!rc)
        rc = attributions(st, out, err);
    for (i = 0; i < nheld; i++)
        mc_free(held[i]);
    mc_free(held);
    if (rc)
        mc_learner_plan_release(out);
    return rc;
}
