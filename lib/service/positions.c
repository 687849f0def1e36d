/* positions.c - the employer verbs of positions.h: positions, shares with an
 * organisation, the ranking of candidates on verified skills with reasons,
 * CSV for applicant tracking systems.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonld/jcs.h"
#include "model/ob.h"
#include "service/admin.h"
#include "service/positions.h"
#include "skills/intern.h"
#include "skills/rank.h"
#include "util/codec.h"

#define TITLE_MAX 200
#define DESCRIPTION_MAX 10000
#define LEVEL_MAX 1000.0

static mcred_rc nomem(struct mc_err *err)
{
    return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
}

/* ---- the position document ------------------------------------------------------------ */

static bool only_members(const cJSON *o, const char *const *names, const char *where,
                         struct mc_err *err)
{
    const cJSON *m;
    size_t i;

    for (m = o->child; m; m = m->next) {
        for (i = 0; names[i] && strcmp(names[i], m->string) != 0; i++)
            ;
        if (!names[i]) {
            mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown member '%.100s'", where, m->string);
            return false;
        }
    }
    return true;
}

static mcred_rc parse_need(struct mc_store *st, const cJSON *e, const char *where,
                           cJSON *seen, cJSON *out, struct mc_err *err)
{
    static const char *const names[] = { "skill", "credential", "weight", "minLevel", "label",
                                         "framework", NULL };
    const cJSON *sk = mc_json_get(e, "skill"), *cr = mc_json_get(e, "credential");
    const cJSON *w = mc_json_get(e, "weight"), *ml = mc_json_get(e, "minLevel");
    const char *kind = sk ? "skill" : "credential", *uri;
    char *label = NULL, *fw = NULL;
    uint32_t wt;
    cJSON *o;
    mcred_rc rc = MCRED_OK;

    if (!mc_json_is_object(e))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: expected an object", where);
    if (!only_members(e, names, where, err))
        return MCRED_ERR_INVALID;
    if ((sk != NULL) == (cr != NULL))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: give exactly one of \"skill\" (a skill "
                          "URI) and \"credential\" (an achievement URI)", where);
    uri = sk ? sk->valuestring : cr->valuestring;
    if (!cJSON_IsString(sk ? sk : cr) || !mc_is_uri(uri) || strlen(uri) > MC_STORE_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected an absolute URI", where,
                          kind);
    if (mc_json_has_str(seen, uri))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: '%.200s' is named twice", where, kind,
                          uri);
    if (w && (!cJSON_IsNumber(w) || !mc_rank_weight(w->valuedouble, &wt)))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.weight: expected a number above 0, at "
                          "most %u", where, MC_RANK_MAX_WEIGHT / 1000);
    if (ml && (!cJSON_IsNumber(ml) || !(ml->valuedouble >= 0.0) ||
               !(ml->valuedouble <= LEVEL_MAX)))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.minLevel: expected a number from 0 to "
                          "%g", where, LEVEL_MAX);
    if (sk) {
        struct mc_skill k;
        struct mc_err e2;

        mc_err_clear(&e2);
        rc = mc_store_skill_get(st, uri, &k, &e2);
        if (rc == MCRED_ERR_NOTFOUND)
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.skill: '%.200s' is not a concept of "
                              "an imported skills framework", where, uri);
        if (rc)
            return mc_err_set(err, rc, "%s.skill: %s", where, mc_err_msg(&e2));
        if (k.kind == MC_SK_OCCUPATION || k.kind == MC_SK_OCCUPATION_GROUP)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "%s.skill: '%.200s' is an occupation, not "
                            "a skill", where, uri);
        else if ((k.label && !(label = mc_strdup(k.label))) ||
                 (k.framework && !(fw = mc_strdup(k.framework))))
            rc = nomem(err);
        mc_skill_release(&k);
        if (rc)
            mc_free(label);
        if (rc)
            return rc;
    } else {
        struct mc_achievement a;
        cJSON *doc = NULL;

        memset(&a, 0, sizeof(a));
        if (mc_store_achievement_by_uri(st, uri, &a, NULL) == MCRED_OK && a.json &&
            mc_json_parse(a.json, strlen(a.json), 0, &doc, NULL) == MCRED_OK) {
            const char *name = mc_json_str(doc, "name");

            if (name && !(label = mc_strdup(name)))
                rc = nomem(err);
        }
        cJSON_Delete(doc);
        mc_achievement_release(&a);
        if (rc)
            return rc;
    }
    o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, kind, uri) ||
        (label && !cJSON_AddStringToObject(o, "label", label)) ||
        (fw && !cJSON_AddStringToObject(o, "framework", fw)) ||
        !cJSON_AddNumberToObject(o, "weight", w ? (double)wt / 1000.0 : 1.0) ||
        (ml && !cJSON_AddNumberToObject(o, "minLevel", ml->valuedouble)) ||
        !cJSON_AddItemToArray(out, o) || !cJSON_AddItemToArray(seen, cJSON_CreateString(uri))) {
        mc_free(label);
        mc_free(fw);
        return nomem(err);
    }
    mc_free(label);
    mc_free(fw);
    return MCRED_OK;
}

mcred_rc mc_position_parse(struct mc_store *st, const char *text, size_t n, cJSON **out,
                           struct mc_err *err)
{
    static const char *const names[] = { "title", "description", "missingRequired", "required",
                                         "preferred", NULL };
    static const char *const lists[] = { "required", "preferred" };
    cJSON *doc = NULL, *norm = NULL, *seen = NULL;
    const cJSON *t, *d, *p, *e;
    size_t i, k, count = 0;
    char where[64];
    mcred_rc rc;

    *out = NULL;
    if (n > MC_POSITION_MAX_DOC)
        return mc_err_set(err, MCRED_ERR_LIMIT, "position: the document is larger than %zu "
                          "bytes", MC_POSITION_MAX_DOC);
    rc = mc_json_parse(text, n, MC_POSITION_MAX_DOC, &doc, err);
    if (rc)
        return rc;
    if (!mc_json_is_object(doc)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "position: expected a JSON object");
        goto out;
    }
    if (!only_members(doc, names, "position", err)) {
        rc = MCRED_ERR_INVALID;
        goto out;
    }
    t = mc_json_get(doc, "title");
    d = mc_json_get(doc, "description");
    p = mc_json_get(doc, "missingRequired");
    if (!cJSON_IsString(t) || !t->valuestring[0] || strlen(t->valuestring) > TITLE_MAX) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "position.title: expected a string of 1 to %d "
                        "bytes", TITLE_MAX);
        goto out;
    }
    if (d && (!cJSON_IsString(d) || strlen(d->valuestring) > DESCRIPTION_MAX)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "position.description: expected a string of "
                        "at most %d bytes", DESCRIPTION_MAX);
        goto out;
    }
    if (p && (!cJSON_IsString(p) || (strcmp(p->valuestring, "rank-below") != 0 &&
                                     strcmp(p->valuestring, "exclude") != 0))) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "position.missingRequired: expected "
                        "\"rank-below\" or \"exclude\"");
        goto out;
    }
    norm = cJSON_CreateObject();
    seen = cJSON_CreateArray();
    if (!norm || !seen || !cJSON_AddStringToObject(norm, "title", t->valuestring) ||
        (d && !cJSON_AddStringToObject(norm, "description", d->valuestring)) ||
        !cJSON_AddStringToObject(norm, "missingRequired", p ? p->valuestring : "rank-below")) {
        rc = nomem(err);
        goto out;
    }
    for (k = 0; k < 2 && !rc; k++) {
        const cJSON *l = mc_json_get(doc, lists[k]);
        cJSON *arr = cJSON_AddArrayToObject(norm, lists[k]);

        if (!arr) {
            rc = nomem(err);
            break;
        }
        if (l && !mc_json_is_array(l)) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "position.%s: expected an array",
                            lists[k]);
            break;
        }
        for (i = 0, e = l ? l->child : NULL; e && !rc; e = e->next, i++) {
            if (++count > MC_RANK_MAX_NEEDS) {
                rc = mc_err_set(err, MCRED_ERR_INVALID, "position: more than %d required and "
                                "preferred entries", MC_RANK_MAX_NEEDS);
                break;
            }
            snprintf(where, sizeof(where), "position.%s[%zu]", lists[k], i);
            rc = parse_need(st, e, where, seen, arr, err);
        }
    }
    if (!rc && count == 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "position: no required or preferred skill or "
                        "credential");
out:
    cJSON_Delete(doc);
    cJSON_Delete(seen);
    if (rc)
        cJSON_Delete(norm);
    else
        *out = norm;
    return rc;
}

static mcred_rc finish(struct mc_store *st, mcred_rc rc, struct mc_err *err)
{
    if (!rc)
        return mc_store_commit(st, err);
    (void)mc_store_rollback(st);
    return rc;
}

mcred_rc mc_position_create(struct mc_store *st, int64_t org, const char *text, size_t n,
                            const char *actor, int64_t *id, struct mc_err *err)
{
    struct mc_position p;
    struct mc_buf b;
    cJSON *norm = NULL;
    char subject[32];
    mcred_rc rc;

    *id = 0;
    rc = mc_position_parse(st, text, n, &norm, err);
    if (rc)
        return rc;
    mc_buf_init(&b, MC_STORE_MAX_DOC);
    rc = mc_json_stringify(norm, 0, &b, err);
    if (rc) {
        cJSON_Delete(norm);
        mc_buf_release(&b);
        return rc == MCRED_ERR_NOMEM ? nomem(err) : rc;
    }
    memset(&p, 0, sizeof(p));
    p.org_id = org;
    p.title = (char *)(uintptr_t)mc_json_str(norm, "title");
    p.doc = b.ptr;
    rc = mc_store_begin(st, err);
    if (!rc) {
        rc = mc_store_position_put(st, &p, err);
        snprintf(subject, sizeof(subject), "%lld", (long long)p.id);
        if (!rc)
            rc = mc_audit(st, org, actor, "position create", subject, p.title, err);
        rc = finish(st, rc, err);
    }
    if (!rc)
        *id = p.id;
    cJSON_Delete(norm);
    mc_buf_release(&b);
    return rc;
}

cJSON *mc_position_json(const struct mc_position *p)
{
    cJSON *doc = NULL, *o;

    if (mc_json_parse(p->doc, strlen(p->doc), 0, &doc, NULL) || !mc_json_is_object(doc)) {
        cJSON_Delete(doc);
        return NULL;
    }
    o = cJSON_CreateObject();
    if (o && cJSON_AddNumberToObject(o, "id", (double)p->id) &&
        cJSON_AddNumberToObject(o, "created", (double)p->created)) {
        while (doc->child) {
            cJSON *m = cJSON_DetachItemViaPointer(doc, doc->child);

            cJSON_AddItemToArray(o, m);   /* keeps m->string: an object member */
        }
        cJSON_Delete(doc);
        return o;
    }
    cJSON_Delete(o);
    cJSON_Delete(doc);
    return NULL;
}

/* ---- sharing with an organisation ------------------------------------------------------ */

mcred_rc mc_position_share(struct mc_store *st, int64_t employer, int64_t org, int64_t learner,
                           const char *const *creds, size_t ncreds, const char *actor,
                           struct mc_org_share *out, struct mc_err *err)
{
    struct mc_org_share s;
    struct mc_store_list cl, wl;
    struct mc_learner l;
    cJSON *scope = NULL;
    char subject[64], *scope_text = NULL;
    size_t i, j;
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    memset(&cl, 0, sizeof(cl));
    memset(&wl, 0, sizeof(wl));
    if (ncreds > MC_POSITION_MAX_SCOPE)
        return mc_err_set(err, MCRED_ERR_INVALID, "share: more than %d credentials",
                          MC_POSITION_MAX_SCOPE);
    rc = mc_store_learner_get(st, org, learner, NULL, &l, err);
    if (rc)
        return rc;
    mc_learner_release(&l);
    if (ncreds) {
        rc = mc_store_cand_creds(st, org, learner, &cl, err);
        if (!rc)
            rc = mc_store_wallet_list(st, org, learner, &wl, err);
        scope = rc ? NULL : cJSON_CreateArray();
        if (!rc && !scope)
            rc = nomem(err);
        for (i = 0; !rc && i < ncreds; i++) {
            const struct mc_cand_cred *c = cl.rows;
            const struct mc_wallet_item *w = wl.rows;
            bool found = false;

            for (j = 0; !found && j < cl.n; j++)
                found = strcmp(c[j].cred_id, creds[i]) == 0;
            for (j = 0; !found && j < wl.n; j++)
                found = w[j].cred_id && strcmp(w[j].cred_id, creds[i]) == 0;
            if (!found)
                rc = mc_err_set(err, MCRED_ERR_INVALID, "share: '%.200s' is not a credential "
                                "of learner %lld", creds[i], (long long)learner);
            else if (!cJSON_AddItemToArray(scope, cJSON_CreateString(creds[i])))
                rc = nomem(err);
        }
        mc_store_list_clear(&cl);
        mc_store_list_clear(&wl);
        if (!rc) {
            char *printed = cJSON_PrintUnformatted(scope);

            scope_text = printed ? mc_strdup(printed) : NULL;
            cJSON_free(printed);
            if (!scope_text)
                rc = nomem(err);
        }
        cJSON_Delete(scope);
        if (rc)
            return rc;
    }
    memset(&s, 0, sizeof(s));
    s.employer_id = employer;
    s.org_id = org;
    s.learner_id = learner;
    s.scope = scope_text;
    rc = mc_store_begin(st, err);
    if (!rc) {
        rc = mc_store_org_share_put(st, &s, err);
        snprintf(subject, sizeof(subject), "learner %lld -> organisation %lld",
                 (long long)learner, (long long)employer);
        if (!rc)
            rc = mc_audit(st, org, actor, "share with organisation", subject,
                       scope_text ? scope_text : "all credentials", err);
        rc = finish(st, rc, err);
    }
    if (!rc && out) {
        *out = s;
        out->scope = scope_text;
        scope_text = NULL;
    }
    mc_free(scope_text);
    return rc;
}

static cJSON *wallet_doc(const char *doc);

mcred_rc mc_position_share_presentation(struct mc_store *st, int64_t employer, int64_t org,
                                        int64_t learner, const char *vp_text, size_t n,
                                        const char *actor, struct mc_org_share *out,
                                        struct mc_err *err)
{
    const char *ids[MC_POSITION_MAX_SCOPE];
    cJSON *vp = NULL, *docs[MC_POSITION_MAX_SCOPE];
    const cJSON *list, *c;
    size_t k = 0, i, ndocs = 0;
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = mc_json_parse(vp_text, n, MC_STORE_MAX_DOC, &vp, err);
    if (rc)
        return rc;
    list = mc_json_get(vp, "verifiableCredential");
    if (!mc_json_has_str(mc_json_get(vp, "type"), "VerifiablePresentation") ||
        !(mc_json_is_array(list) || mc_json_is_object(list))) {
        cJSON_Delete(vp);
        return mc_err_set(err, MCRED_ERR_INVALID, "presentation: expected a Verifiable "
                          "Presentation with verifiableCredential");
    }
    c = mc_json_is_array(list) ? list->child : list;
    for (; c && !rc; c = mc_json_is_array(list) ? c->next : NULL, k++) {
        const char *id = mc_json_str(c, "id");

        if (k == MC_POSITION_MAX_SCOPE) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "presentation: more than %d credentials",
                            MC_POSITION_MAX_SCOPE);
            break;
        }
        if (id && strncmp(id, "data:application/vc+jwt,", 24) == 0) {
            /* an enveloped VC-JWT: the credential's own id is in its payload */
            docs[ndocs] = wallet_doc(id + 24);
            id = mc_json_str(docs[ndocs], "id");
            ndocs++;
        }
        if (!id)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "presentation: verifiableCredential[%zu] "
                            "has no id", k);
        ids[k] = id;
    }
    if (!rc && k == 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "presentation: no credential");
    if (!rc)
        rc = mc_position_share(st, employer, org, learner, ids, k, actor, out, err);
    for (i = 0; i < ndocs; i++)
        cJSON_Delete(docs[i]);
    cJSON_Delete(vp);
    return rc;
}

/* ---- matching --------------------------------------------------------------------------- */

struct need {
    const char *uri, *label;       /* borrowed from the position document */
    bool skill, required;
    struct mc_rank_need rn;
};

/* What the gathering keeps per (candidate, need): the credential that gives
 * it at the highest level. */
struct held {
    int32_t cred;                  /* index into creds (an intern of ids), -1: none */
    int32_t via;                   /* held through this equivalent URI (need_ix id), -1 */
    float level;
};

struct gather {
    struct mc_store *st;
    time_t now;
    struct need *needs;
    size_t nneeds;
    struct mc_intern *need_ix;     /* need URIs and their crosswalk equivalents */
    uint32_t *need_of;             /* need_ix id -> need index */
    size_t need_of_cap;
    struct mc_intern *creds;       /* credential ids named in reasons */
    struct held *held;             /* ncand * nneeds */
    struct mc_rank_posting *post;
    size_t npost, post_cap;
    cJSON **ignored;               /* per candidate, NULL when nothing */
};

/* A number from a string: the whole string, within 0..LEVEL_MAX; else -1. */
static double level_of(const char *v)
{
    char *end;
    double x;

    if (!v || !v[0])
        return -1.0;
    x = strtod(v, &end);
    return *end == '\0' && isfinite(x) && x >= 0.0 && x <= LEVEL_MAX ? x : -1.0;
}

/* The level a Result's achievedLevel names: the "level" of the rubric
 * criterion level with that id in the achievement's resultDescription[]. */
static double rubric_level(const cJSON *ach, const char *id)
{
    const cJSON *rd = mc_json_get(ach, "resultDescription"), *d, *l;

    for (d = mc_json_is_array(rd) ? rd->child : NULL; d; d = d->next) {
        const cJSON *levels = mc_json_get(d, "rubricCriterionLevel");

        for (l = mc_json_is_array(levels) ? levels->child : NULL; l; l = l->next) {
            const char *lid = mc_json_str(l, "id");

            if (lid && strcmp(lid, id) == 0)
                return level_of(mc_json_str(l, "level"));
        }
    }
    return -1.0;
}

/* The level a credential states: the largest of its credentialSubject.
 * result[] entries' numeric "value" and the numeric "level" of the rubric
 * criterion level their "achievedLevel" names; MC_RANK_NO_LEVEL when none. */
static float cred_level(const cJSON *cred, const cJSON *ach)
{
    const cJSON *subj = mc_json_get(cred, "credentialSubject"), *res, *r;
    double best = -1.0, x;

    if (mc_json_is_array(subj))
        subj = subj->child;
    res = mc_json_get(subj, "result");
    for (r = mc_json_is_array(res) ? res->child : NULL; r; r = r->next) {
        const char *al = mc_json_str(r, "achievedLevel");

        x = level_of(mc_json_str(r, "value"));
        if (x > best)
            best = x;
        x = al ? rubric_level(ach, al) : -1.0;
        if (x > best)
            best = x;
    }
    return best < 0.0 ? MC_RANK_NO_LEVEL : (float)best;
}

static mcred_rc add_posting(struct gather *g, uint32_t cand, uint32_t need, float level)
{
    if (g->npost == g->post_cap) {
        size_t cap = g->post_cap ? g->post_cap * 2 : 256;
        struct mc_rank_posting *p = mc_realloc(g->post, cap * sizeof(*p));

        if (!p)
            return MCRED_ERR_NOMEM;
        g->post = p;
        g->post_cap = cap;
    }
    g->post[g->npost].cand = cand;
    g->post[g->npost].item = need;
    g->post[g->npost].level = level;
    g->npost++;
    return MCRED_OK;
}

/* One credential of candidate cand: the needs it covers (its achievement,
 * the skills the achievement aligns to) become postings when it verifies
 * (why NULL), else one "ignored" reason listing them. */
static mcred_rc take_cred(struct gather *g, uint32_t cand, const char *cred_id,
                          const char *ach_uri, const cJSON *ach, const cJSON *cred,
                          const char *why)
{
    uint32_t covered[MC_RANK_MAX_NEEDS], nc = 0, k, id, u_id;
    int32_t via[MC_RANK_MAX_NEEDS];
    const cJSON *al = mc_json_get(ach, "alignment"), *a;
    float level = cred ? cred_level(cred, ach) : MC_RANK_NO_LEVEL;
    mcred_rc rc = MCRED_OK;

    if (ach_uri) {
        k = mc_intern_find(g->need_ix, ach_uri, strlen(ach_uri));
        if (k != MC_INTERN_NONE && k < g->nneeds && !g->needs[k].skill) {
            via[nc] = -1;
            covered[nc++] = k;
        }
    }
    for (a = mc_json_is_array(al) ? al->child : NULL; a; a = a->next) {
        const char *u = mc_json_str(a, "targetUrl");
        uint32_t j;
        bool dup = false;

        if (!u)
            continue;
        u_id = mc_intern_find(g->need_ix, u, strlen(u));
        if (u_id == MC_INTERN_NONE)
            continue;
        k = g->need_of[u_id];
        if (!g->needs[k].skill)
            continue;
        for (j = 0; j < nc && !dup; j++) {
            dup = covered[j] == k;
            if (dup && u_id == k)
                via[j] = -1;   /* the need itself beats an equivalent */
        }
        if (!dup && nc < MC_RANK_MAX_NEEDS) {
            via[nc] = u_id == k ? -1 : (int32_t)u_id;
            covered[nc++] = k;
        }
    }
    if (nc == 0)
        return MCRED_OK;
    if (mc_intern_add(g->creds, cred_id, strlen(cred_id), &id, NULL))
        return MCRED_ERR_NOMEM;
    if (!why) {
        for (k = 0; k < nc && !rc; k++) {
            struct held *h = &g->held[(size_t)cand * g->nneeds + covered[k]];

            rc = add_posting(g, cand, covered[k], level);
            if (h->cred < 0 || level > h->level ||
                (level == h->level && h->via >= 0 && via[k] < 0)) {
                h->cred = (int32_t)id;
                h->via = via[k];
                h->level = level;
            }
        }
        return rc;
    } else {
        cJSON *o = cJSON_CreateObject(), *cov;

        if (!g->ignored[cand])
            g->ignored[cand] = cJSON_CreateArray();
        if (!o || !g->ignored[cand] || !cJSON_AddStringToObject(o, "credential", cred_id) ||
            !cJSON_AddStringToObject(o, "why", why) ||
            !(cov = cJSON_AddArrayToObject(o, "covers"))) {
            cJSON_Delete(o);
            return MCRED_ERR_NOMEM;
        }
        for (k = 0; k < nc; k++) {
            if (!cJSON_AddItemToArray(cov, cJSON_CreateString(g->needs[covered[k]].uri))) {
                cJSON_Delete(o);
                return MCRED_ERR_NOMEM;
            }
        }
        cJSON_AddItemToArray(g->ignored[cand], o);
    }
    return MCRED_OK;
}

static bool in_scope(const cJSON *scope, const char *id)
{
    return !scope || (id && mc_json_has_str(scope, id));
}

/* A wallet item's credential as JSON: the document itself, or a VC-JWT's
 * payload (its "vc" claim when it has one). NULL when unreadable. */
static cJSON *wallet_doc(const char *doc)
{
    cJSON *v = NULL, *vc;
    const char *dot1, *dot2;
    struct mc_buf b;

    if (!doc)
        return NULL;
    if (doc[0] == '{') {
        if (mc_json_parse(doc, strlen(doc), 0, &v, NULL))
            return NULL;
        return v;
    }
    dot1 = strchr(doc, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2)
        return NULL;
    mc_buf_init(&b, MC_STORE_MAX_DOC);
    if (mc_b64url_decode(&b, dot1 + 1, (size_t)(dot2 - dot1 - 1)) ||
        mc_json_parse(b.ptr, b.len, 0, &v, NULL)) {
        mc_buf_release(&b);
        return NULL;
    }
    mc_buf_release(&b);
    vc = mc_json_get(v, "vc");
    if (mc_json_is_object(vc)) {
        vc = cJSON_DetachItemViaPointer(v, vc);
        cJSON_Delete(v);
        return vc;
    }
    return v;
}

static const cJSON *subject_achievement(const cJSON *cred)
{
    const cJSON *s = mc_json_get(cred, "credentialSubject");

    if (mc_json_is_array(s))
        s = s->child;
    return mc_json_get(s, "achievement");
}

static const char *state_why(const struct mc_cand_cred *c, time_t now)
{
    if (c->state == MC_CRED_REVOKED)
        return "revoked";
    if (c->state == MC_CRED_SUSPENDED)
        return "suspended";
    if (c->valid_until && c->valid_until <= now)
        return "expired";
    return NULL;
}

static mcred_rc gather_candidate(struct gather *g, uint32_t cand, const struct mc_org_share *s,
                                 struct mc_err *err)
{
    struct mc_store_list cl, wl, dl;
    struct mc_intern *seen = NULL;
    cJSON *scope = NULL;
    size_t i;
    mcred_rc rc;

    memset(&cl, 0, sizeof(cl));
    memset(&wl, 0, sizeof(wl));
    memset(&dl, 0, sizeof(dl));
    if (s->scope && (mc_json_parse(s->scope, strlen(s->scope), 0, &scope, NULL) ||
                     !mc_json_is_array(scope))) {
        cJSON_Delete(scope);
        return mc_err_set(err, MCRED_ERR_STORAGE, "share %lld: the stored scope is not a JSON "
                          "array", (long long)s->id);
    }
    if (mc_intern_new(&seen)) {
        cJSON_Delete(scope);
        return nomem(err);
    }
    rc = mc_store_cand_creds(g->st, s->org_id, s->learner_id, &cl, err);
    for (i = 0; !rc && i < cl.n; i++) {
        const struct mc_cand_cred *c = &((const struct mc_cand_cred *)cl.rows)[i];
        cJSON *ach = NULL, *doc = NULL;
        uint32_t id;

        if (!in_scope(scope, c->cred_id))
            continue;
        if (mc_intern_add(seen, c->cred_id, strlen(c->cred_id), &id, NULL)) {
            rc = nomem(err);
            break;
        }
        if (mc_json_parse(c->achievement_json, strlen(c->achievement_json), 0, &ach, NULL))
            ach = NULL;   /* unreadable: covers nothing */
        if (mc_json_parse(c->doc, strlen(c->doc), 0, &doc, NULL))
            doc = NULL;
        if (take_cred(g, cand, c->cred_id, c->achievement_uri, ach, doc, state_why(c, g->now)))
            rc = nomem(err);
        cJSON_Delete(ach);
        cJSON_Delete(doc);
    }
    if (!rc)
        rc = mc_store_wallet_list(g->st, s->org_id, s->learner_id, &wl, err);
    for (i = 0; !rc && i < wl.n; i++) {
        const struct mc_wallet_item *w = &((const struct mc_wallet_item *)wl.rows)[i];
        const cJSON *ach;
        cJSON *doc;
        char label[64], why[160];
        const char *cid = w->cred_id;

        if (!in_scope(scope, cid) || (cid && mc_intern_find(seen, cid, strlen(cid)) !=
                                      MC_INTERN_NONE))
            continue;   /* not shared, or issued here and taken above */
        doc = wallet_doc(w->doc);
        ach = subject_achievement(doc);
        if (!cid) {
            snprintf(label, sizeof(label), "wallet item %lld", (long long)w->id);
            cid = label;
        }
        snprintf(why, sizeof(why), "wallet item imported with the verdict '%.100s'",
                 w->verdict);
        if (take_cred(g, cand, cid, mc_json_str(ach, "id"), ach, doc,
                      strcmp(w->verdict, "valid") == 0 ? NULL : why))
            rc = nomem(err);
        cJSON_Delete(doc);
    }
    if (!rc)
        rc = mc_store_skill_declared(g->st, s->org_id, s->learner_id, &dl, err);
    for (i = 0; !rc && i < dl.n; i++) {
        const struct mc_skill *k = &((const struct mc_skill *)dl.rows)[i];
        uint32_t n = mc_intern_find(g->need_ix, k->uri, strlen(k->uri));
        cJSON *o;

        if (n == MC_INTERN_NONE || n >= g->nneeds || !g->needs[n].skill)
            continue;
        if (!g->ignored[cand])
            g->ignored[cand] = cJSON_CreateArray();
        o = cJSON_CreateObject();
        if (!o || !g->ignored[cand] || !cJSON_AddStringToObject(o, "skill", k->uri) ||
            !cJSON_AddStringToObject(o, "why", "self-declared, not verified by a credential")) {
            cJSON_Delete(o);
            rc = nomem(err);
            break;
        }
        cJSON_AddItemToArray(g->ignored[cand], o);
    }
    mc_store_list_clear(&cl);
    mc_store_list_clear(&wl);
    mc_store_list_clear(&dl);
    mc_intern_free(seen);
    cJSON_Delete(scope);
    return rc;
}

static bool add_need_fields(cJSON *o, const struct need *d)
{
    return cJSON_AddStringToObject(o, "kind", d->skill ? "skill" : "credential") &&
           cJSON_AddStringToObject(o, "uri", d->uri) &&
           (d->label ? cJSON_AddStringToObject(o, "label", d->label) != NULL
                     : cJSON_AddNullToObject(o, "label") != NULL) &&
           cJSON_AddBoolToObject(o, "required", d->required) &&
           cJSON_AddNumberToObject(o, "weight", (double)d->rn.weight / 1000.0);
}

/* The reasons of one ranked candidate. */
static bool reasons(struct gather *g, uint32_t cand, cJSON *r)
{
    cJSON *m = cJSON_AddArrayToObject(r, "matched"), *x = cJSON_AddArrayToObject(r, "missing");
    size_t k;

    if (!m || !x)
        return false;
    for (k = 0; k < g->nneeds; k++) {
        const struct need *d = &g->needs[k];
        const struct held *h = &g->held[(size_t)cand * g->nneeds + k];
        bool ok = h->cred >= 0 && (d->rn.min_level <= MC_RANK_NO_LEVEL ||
                                   h->level >= d->rn.min_level);
        cJSON *o = cJSON_CreateObject();
        char why[200];

        if (!o || !cJSON_AddItemToArray(ok ? m : x, o) || !add_need_fields(o, d))
            return false;
        if (ok) {
            if (!cJSON_AddStringToObject(o, "credential", mc_intern_str(g->creds,
                                                                          (uint32_t)h->cred)) ||
                (h->via >= 0 &&
                 !cJSON_AddStringToObject(o, "equivalent",
                                          mc_intern_str(g->need_ix, (uint32_t)h->via))) ||
                !(h->level > MC_RANK_NO_LEVEL
                      ? cJSON_AddNumberToObject(o, "level", (double)h->level) != NULL
                      : cJSON_AddNullToObject(o, "level") != NULL))
                return false;
            continue;
        }
        if (h->cred < 0)
            snprintf(why, sizeof(why), "no verified credential");
        else if (h->level <= MC_RANK_NO_LEVEL)
            snprintf(why, sizeof(why), "below the minimum level %g (the credential states no "
                     "level)", (double)d->rn.min_level);
        else
            snprintf(why, sizeof(why), "below the minimum level %g (held at %g)",
                     (double)d->rn.min_level, (double)h->level);
        if (!cJSON_AddStringToObject(o, "why", why))
            return false;
    }
    if (g->ignored[cand]) {   /* moved: each candidate is in the results once */
        cJSON_AddItemToObject(r, "ignored", g->ignored[cand]);
        g->ignored[cand] = NULL;
        return true;
    }
    return cJSON_AddArrayToObject(r, "ignored") != NULL;
}

/* The crosswalk (mc_store_skill_map_list: label matches between frameworks
 * and operators' mappings) adds, for each skill need, the URIs that stand
 * for the same skill: a credential aligned to one of them holds the need
 * (the gap analysis does the same). need_of maps every need_ix id to its
 * need; the needs themselves keep ids 0..nneeds). */
static mcred_rc equivalents(struct gather *g, struct mc_err *err)
{
    struct mc_store_list m;
    size_t k, j;
    uint32_t id;
    bool added;
    mcred_rc rc = MCRED_OK;

    g->need_of_cap = g->nneeds + 64;
    g->need_of = mc_malloc(g->need_of_cap * sizeof(*g->need_of));
    if (!g->need_of)
        return nomem(err);
    for (k = 0; k < g->nneeds; k++)
        g->need_of[k] = (uint32_t)k;
    for (k = 0; k < g->nneeds && !rc; k++) {
        if (!g->needs[k].skill)
            continue;
        rc = mc_store_skill_map_list(g->st, g->needs[k].uri, &m, err);
        for (j = 0; !rc && j < m.n; j++) {
            const char *u = ((const struct mc_skill *)m.rows)[j].uri;

            if (mc_intern_add(g->need_ix, u, strlen(u), &id, &added)) {
                rc = nomem(err);
                break;
            }
            if (!added)
                continue;   /* a need itself, or already another need's equivalent */
            if (id >= g->need_of_cap) {
                size_t cap = g->need_of_cap * 2;
                uint32_t *n = mc_realloc(g->need_of, cap * sizeof(*n));

                if (!n) {
                    rc = nomem(err);
                    break;
                }
                g->need_of = n;
                g->need_of_cap = cap;
            }
            g->need_of[id] = (uint32_t)k;
        }
        mc_store_list_clear(&m);
    }
    return rc;
}

static mcred_rc load_needs(const cJSON *doc, struct gather *g, size_t *nreq, struct mc_err *err)
{
    static const char *const lists[] = { "required", "preferred" };
    const cJSON *e;
    size_t k;
    uint32_t id;
    bool added;

    *nreq = 0;
    g->needs = mc_calloc(MC_RANK_MAX_NEEDS, sizeof(*g->needs));
    if (!g->needs || mc_intern_new(&g->need_ix))
        return nomem(err);
    for (k = 0; k < 2; k++) {
        const cJSON *l = mc_json_get(doc, lists[k]);

        for (e = mc_json_is_array(l) ? l->child : NULL; e; e = e->next) {
            struct need *d = &g->needs[g->nneeds];
            const cJSON *w = mc_json_get(e, "weight"), *ml = mc_json_get(e, "minLevel");

            d->skill = mc_json_str(e, "skill") != NULL;
            d->uri = d->skill ? mc_json_str(e, "skill") : mc_json_str(e, "credential");
            d->label = mc_json_str(e, "label");
            d->required = k == 0;
            if (!d->uri || g->nneeds >= MC_RANK_MAX_NEEDS ||
                !mc_rank_weight(cJSON_IsNumber(w) ? w->valuedouble : 1.0, &d->rn.weight))
                return mc_err_set(err, MCRED_ERR_STORAGE, "position: the stored document is "
                                  "malformed");
            if (mc_intern_add(g->need_ix, d->uri, strlen(d->uri), &id, &added))
                return nomem(err);
            if (!added)
                continue;   /* a stored document never repeats a URI; keep the first */
            d->rn.item = id;
            d->rn.required = d->required;
            d->rn.min_level = cJSON_IsNumber(ml) ? (float)ml->valuedouble : MC_RANK_NO_LEVEL;
            *nreq += d->required;
            g->nneeds++;
        }
    }
    return equivalents(g, err);
}

/* "attribution": what the frameworks whose labels the position shows ask to
 * be credited with (docs/skills.md), each once. */
static bool add_attribution(struct mc_store *st, const cJSON *doc, cJSON *res)
{
    static const char *const lists[] = { "required", "preferred" };
    struct mc_store_list l;
    cJSON *arr = cJSON_AddArrayToObject(res, "attribution");
    size_t i, k;

    if (!arr)
        return false;
    if (mc_store_skill_framework_list(st, &l, NULL) != MCRED_OK)
        return true;   /* nothing imported any more: nothing to credit */
    for (i = 0; i < l.n; i++) {
        const struct mc_skill_framework *f = &((const struct mc_skill_framework *)l.rows)[i];
        const char *text = f->attribution ? f->attribution : f->title ? f->title : f->name;
        bool used = false;

        for (k = 0; k < 2 && !used; k++) {
            const cJSON *e = mc_json_get(doc, lists[k]);

            for (e = e ? e->child : NULL; e && !used; e = e->next) {
                const char *fw = mc_json_str(e, "framework");

                used = fw && strcmp(fw, f->name) == 0;
            }
        }
        if (used && !cJSON_AddItemToArray(arr, cJSON_CreateString(text))) {
            mc_store_list_clear(&l);
            return false;
        }
    }
    mc_store_list_clear(&l);
    return true;
}

mcred_rc mc_position_match(struct mc_store *st, int64_t org, int64_t position, size_t top,
                           time_t now, cJSON **out, struct mc_err *err)
{
    struct mc_position p;
    struct mc_store_list sl;
    struct gather g;
    struct mc_rank_index ix;
    struct mc_rank_work w;
    struct mc_rank_hit *hits = NULL;
    struct mc_rank_need rn[MC_RANK_MAX_NEEDS];
    const struct mc_org_share *sh;
    cJSON *doc = NULL, *res = NULL, *arr, *o;
    const char *policy;
    size_t nreq = 0, i, n = 0;
    mcred_rc rc;

    *out = NULL;
    memset(&g, 0, sizeof(g));
    memset(&ix, 0, sizeof(ix));
    memset(&w, 0, sizeof(w));
    memset(&sl, 0, sizeof(sl));
    if (top == 0 || top > MC_POSITION_TOP_MAX)
        return mc_err_set(err, MCRED_ERR_INVALID, "top: expected 1 to %d",
                          MC_POSITION_TOP_MAX);
    rc = mc_store_position_get(st, org, position, &p, err);
    if (rc)
        return rc;
    if (mc_json_parse(p.doc, strlen(p.doc), 0, &doc, NULL) || !mc_json_is_object(doc)) {
        rc = mc_err_set(err, MCRED_ERR_STORAGE, "position %lld: the stored document does not "
                        "parse", (long long)position);
        goto out;
    }
    g.st = st;
    g.now = now;
    rc = load_needs(doc, &g, &nreq, err);
    if (!rc)
        rc = mc_store_org_share_list(st, org, &sl, err);
    if (rc)
        goto out;
    sh = sl.rows;
    g.held = mc_malloc((sl.n ? sl.n : 1) * (g.nneeds ? g.nneeds : 1) * sizeof(*g.held));
    g.ignored = mc_calloc(sl.n ? sl.n : 1, sizeof(*g.ignored));
    hits = mc_calloc(top, sizeof(*hits));
    if (!g.held || !g.ignored || !hits || mc_intern_new(&g.creds)) {
        rc = nomem(err);
        goto out;
    }
    for (i = 0; i < sl.n * g.nneeds; i++) {
        g.held[i].cred = -1;
        g.held[i].via = -1;
        g.held[i].level = MC_RANK_NO_LEVEL;
    }
    /* candidates are numbered in the order of the share list: by learner id */
    for (i = 0; !rc && i < sl.n; i++)
        rc = gather_candidate(&g, (uint32_t)i, &sh[i], err);
    for (i = 0; i < g.nneeds; i++)
        rn[i] = g.needs[i].rn;
    policy = mc_json_str(doc, "missingRequired");
    if (!policy)
        policy = "rank-below";
    if (!rc && sl.n) {
        rc = mc_rank_index_build((uint32_t)g.nneeds, (uint32_t)sl.n, g.post, g.npost, true,
                                 &ix, err);
        if (!rc && mc_rank_work_init(&w, (uint32_t)sl.n))
            rc = nomem(err);
        if (!rc)
            rc = mc_rank_query(&ix, &w, rn, g.nneeds, strcmp(policy, "exclude") == 0 ?
                               MC_RANK_EXCLUDE : MC_RANK_BELOW, top, hits, &n, err);
    }
    if (rc)
        goto out;
    res = cJSON_CreateObject();
    o = cJSON_AddObjectToObject(res, "position");
    if (!res || !o || !cJSON_AddNumberToObject(o, "id", (double)p.id) ||
        !cJSON_AddStringToObject(o, "title", p.title) ||
        !cJSON_AddStringToObject(res, "policy", policy) ||
        !cJSON_AddNumberToObject(res, "candidates", (double)sl.n) ||
        !cJSON_AddNumberToObject(res, "ranked", (double)n) ||
        !add_attribution(st, doc, res) ||
        !(arr = cJSON_AddArrayToObject(res, "results"))) {
        rc = nomem(err);
        goto out;
    }
    for (i = 0; i < n; i++) {
        const struct mc_org_share *s = &sh[hits[i].cand];
        struct mc_learner l;
        cJSON *r = cJSON_CreateObject();
        bool ok;

        memset(&l, 0, sizeof(l));
        rc = mc_store_learner_get(st, s->org_id, s->learner_id, NULL, &l, err);
        if (rc) {
            cJSON_Delete(r);
            goto out;
        }
        ok = r && cJSON_AddItemToArray(arr, r) &&
             cJSON_AddNumberToObject(r, "rank", (double)(i + 1)) &&
             cJSON_AddNumberToObject(r, "learner", (double)s->learner_id) &&
             cJSON_AddNumberToObject(r, "organisation", (double)s->org_id) &&
             cJSON_AddStringToObject(r, "name", l.name ? l.name : "") &&
             (l.email ? cJSON_AddStringToObject(r, "email", l.email) != NULL
                      : cJSON_AddNullToObject(r, "email") != NULL) &&
             cJSON_AddNumberToObject(r, "score", (double)hits[i].score / 1000.0) &&
             cJSON_AddBoolToObject(r, "complete", hits[i].complete) &&
             cJSON_AddNumberToObject(r, "requiredHeld", (double)hits[i].required) &&
             cJSON_AddNumberToObject(r, "requiredTotal", (double)nreq) &&
             reasons(&g, hits[i].cand, r);
        mc_learner_release(&l);
        if (!ok) {
            rc = nomem(err);
            goto out;
        }
    }
out:
    if (rc) {
        cJSON_Delete(res);
        res = NULL;
    }
    *out = res;
    for (i = 0; g.ignored && i < sl.n; i++)
        cJSON_Delete(g.ignored[i]);
    mc_free(g.ignored);
    mc_free(g.held);
    mc_free(g.post);
    mc_free(g.needs);
    mc_intern_free(g.need_ix);
    mc_free(g.need_of);
    mc_intern_free(g.creds);
    mc_free(hits);
    mc_rank_index_release(&ix);
    mc_rank_work_release(&w);
    mc_store_list_clear(&sl);
    cJSON_Delete(doc);
    mc_position_release(&p);
    return rc;
}

/* ---- CSV ----------------------------------------------------------------------------------- */

mcred_rc mc_csv_field(struct mc_buf *out, const char *s)
{
    bool quote = false, guard;
    const char *c;
    mcred_rc rc = MCRED_OK;

    if (!s)
        s = "";
    guard = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
            s[0] == '\r';
    for (c = s; *c && !quote; c++)
        quote = *c == ',' || *c == '"' || *c == '\r' || *c == '\n';
    if (quote)
        rc = mc_buf_appendc(out, '"');
    if (!rc && guard)
        rc = mc_buf_appendc(out, '\'');
    for (c = s; *c && !rc; c++) {
        rc = mc_buf_appendc(out, *c);
        if (!rc && *c == '"')
            rc = mc_buf_appendc(out, '"');
    }
    if (!rc && quote)
        rc = mc_buf_appendc(out, '"');
    return rc;
}

/* "label (uri) via credential" items of a reasons array joined with "; ". */
static mcred_rc join_reasons(struct mc_buf *b, const cJSON *arr, const char *via)
{
    const cJSON *e;
    mcred_rc rc = MCRED_OK;

    for (e = mc_json_is_array(arr) ? arr->child : NULL; e && !rc; e = e->next) {
        const char *uri = mc_json_str(e, "uri"), *label = mc_json_str(e, "label");
        const char *extra = mc_json_str(e, via);

        if (!uri)
            uri = mc_json_str(e, "credential") ? mc_json_str(e, "credential")
                                               : mc_json_str(e, "skill");
        if (e != arr->child)
            rc = mc_buf_appends(b, "; ");
        if (!rc && label)
            rc = mc_buf_printf(b, "%s <%s>", label, uri ? uri : "");
        else if (!rc)
            rc = mc_buf_appends(b, uri ? uri : "");
        if (!rc && extra)
            rc = mc_buf_printf(b, " (%s: %s)", via, extra);
    }
    return rc;
}

mcred_rc mc_position_csv(const cJSON *match, struct mc_buf *out)
{
    static const char *const head[] = { "rank", "learner", "name", "email", "score",
                                        "complete", "required_held", "required_total",
                                        "matched", "missing", "ignored" };
    const cJSON *r;
    struct mc_buf cell;
    size_t i;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < sizeof(head) / sizeof(head[0]) && !rc; i++) {
        rc = mc_buf_appends(out, i ? "," : "");
        if (!rc)
            rc = mc_buf_appends(out, head[i]);
    }
    if (!rc)
        rc = mc_buf_appends(out, "\r\n");
    mc_buf_init(&cell, MC_STORE_MAX_DOC);
    r = mc_json_get(match, "results");
    for (r = mc_json_is_array(r) ? r->child : NULL; r && !rc; r = r->next) {
        char num[64];
        const char *email = mc_json_str(r, "email");
        const cJSON *v;

#define NUMF(name, fmt)                                                            \
    do {                                                                           \
        v = mc_json_get(r, name);                                                  \
        snprintf(num, sizeof(num), fmt, cJSON_IsNumber(v) ? v->valuedouble : 0.0); \
    } while (0)
        NUMF("rank", "%.0f");
        rc = mc_csv_field(out, num);
        NUMF("learner", "%.0f");
        if (!rc)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = mc_csv_field(out, num);
        if (!rc)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = mc_csv_field(out, mc_json_str(r, "name"));
        if (!rc)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = mc_csv_field(out, email);
        NUMF("score", "%g");
        if (!rc)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = mc_csv_field(out, num);
        if (!rc)
            rc = mc_buf_appends(out, cJSON_IsTrue(mc_json_get(r, "complete")) ? ",yes"
                                                                               : ",no");
        NUMF("requiredHeld", "%.0f");
        if (!rc)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = mc_csv_field(out, num);
        NUMF("requiredTotal", "%.0f");
        if (!rc)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = mc_csv_field(out, num);
#undef NUMF
        {
            static const char *const lists[] = { "matched", "missing", "ignored" };
            static const char *const via[] = { "credential", "why", "why" };

            for (i = 0; i < 3 && !rc; i++) {
                mc_buf_reset(&cell);
                rc = join_reasons(&cell, mc_json_get(r, lists[i]), via[i]);
                if (!rc)
                    rc = mc_buf_appendc(out, ',');
                if (!rc)
                    rc = mc_csv_field(out, cell.ptr);
            }
        }
        if (!rc)
            rc = mc_buf_appends(out, "\r\n");
    }
    mc_buf_release(&cell);
    return rc;
}
