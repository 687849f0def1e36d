/* gap.c - a learner's skills, targets and the gap between them (skills.h):
 * the learner's verified skills are the alignments of their valid
 * credentials, a target is an occupation's skills or those named in a job
 * description, weighted, and the gap is the target minus what the learner
 * holds (directly or through the crosswalk).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "model/ob.h"
#include "skills/skills.h"
#include "util/json.h"

/* ---- a learner's skills ------------------------------------------------------------- */

mcred_rc mc_skills_alignments(const char *achievement_json, struct mc_intern *out,
                              struct mc_err *err)
{
    cJSON *doc = NULL;
    const cJSON *al, *a;
    const char *url;
    uint32_t id;
    mcred_rc rc;

    if (!achievement_json)
        return mc_err_set(err, MCRED_ERR_INVALID, "no achievement");
    rc = mc_json_parse(achievement_json, strlen(achievement_json), 0, &doc, err);
    if (rc)
        return rc;
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return mc_err_set(err, MCRED_ERR_INVALID, "the achievement is not a JSON object");
    }
    al = mc_json_get(doc, "alignment");
    for (a = cJSON_IsArray(al) ? al->child : NULL; a && !rc; a = a->next) {
        url = mc_json_str(a, "targetUrl");
        if (url && mc_is_uri(url) && strlen(url) <= MC_STORE_MAX_TEXT) {
            rc = mc_intern_add(out, url, strlen(url), &id, NULL);
            if (rc)
                mc_err_set(err, rc, "out of memory reading alignments");
        }
    }
    cJSON_Delete(doc);
    return rc;
}

void mc_learner_skills_release(struct mc_learner_skills *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++) {
        mc_free(l->v[i].uri);
        mc_free(l->v[i].label);
        mc_free(l->v[i].framework);
        mc_free(l->v[i].credential);
    }
    mc_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* The claim of uri in l (claims are numbered as uris numbers them). */
static struct mc_claim *claim(struct mc_learner_skills *l, struct mc_intern *uris,
                              const char *uri, size_t *cap, mcred_rc *rc)
{
    uint32_t id;
    bool added = false;

    *rc = mc_intern_add(uris, uri, strlen(uri), &id, &added);
    if (*rc)
        return NULL;
    if (!added)
        return &l->v[id];
    if (l->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        struct mc_claim *v = mc_realloc(l->v, ncap * sizeof(*v));

        if (!v) {
            *rc = MCRED_ERR_NOMEM;
            return NULL;
        }
        l->v = v;
        *cap = ncap;
    }
    memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
    l->v[l->n].uri = mc_strdup(uri);
    if (!l->v[l->n].uri) {
        *rc = MCRED_ERR_NOMEM;
        return NULL;
    }
    return &l->v[l->n++];
}

static mcred_rc add_held(struct mc_learner_skills *l, struct mc_intern *uris, size_t *cap,
                         const struct mc_store_list *held, struct mc_err *err)
{
    const struct mc_skill_held *h = held->rows;
    struct mc_intern *al = NULL;
    struct mc_claim *c;
    size_t i, j;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < held->n && !rc; i++) {
        struct mc_err e;

        mc_intern_free(al);
        al = NULL;
        rc = mc_intern_new(&al);
        if (rc)
            break;
        mc_err_clear(&e);
        if (mc_skills_alignments(h[i].achievement_json, al, &e) == MCRED_ERR_NOMEM) {
            rc = MCRED_ERR_NOMEM;
            break;
        }
        for (j = 0; j < mc_intern_count(al) && !rc; j++) {
            c = claim(l, uris, mc_intern_str(al, (uint32_t)j), cap, &rc);
            if (!c)
                break;
            if (!c->verified) {
                c->verified = true;
                l->verified++;
                c->credential = mc_strdup(h[i].credential_id);
                if (!c->credential)
                    rc = MCRED_ERR_NOMEM;
            }
            c->credentials++;
        }
    }
    mc_intern_free(al);
    return rc ? mc_err_set(err, rc, "out of memory gathering the learner's skills") : MCRED_OK;
}

static mcred_rc add_declared(struct mc_learner_skills *l, struct mc_intern *uris, size_t *cap,
                             const struct mc_store_list *declared, struct mc_err *err)
{
    const struct mc_skill *d = declared->rows;
    struct mc_claim *c;
    size_t i;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < declared->n; i++) {
        c = claim(l, uris, d[i].uri, cap, &rc);
        if (!c)
            return mc_err_set(err, rc, "out of memory gathering the learner's skills");
        c->declared = true;
    }
    return MCRED_OK;
}

/* Labels and frameworks from the store (NULL for URIs no framework has). */
static mcred_rc name_claims(struct mc_store *st, struct mc_learner_skills *l,
                            struct mc_err *err)
{
    struct mc_skill k;
    size_t i;
    mcred_rc rc;

    for (i = 0; i < l->n; i++) {
        rc = mc_store_skill_get(st, l->v[i].uri, &k, err);
        if (rc == MCRED_ERR_NOTFOUND)
            continue;
        if (rc)
            return rc;
        l->v[i].label = k.label;
        l->v[i].framework = k.framework;
        k.label = k.framework = NULL;
        mc_skill_release(&k);
    }
    mc_err_clear(err);
    return MCRED_OK;
}

static int strcmp_null(const char *a, const char *b)
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0;   /* named ones first */
    return strcmp(a, b);
}

static int claim_cmp(const void *a, const void *b)
{
    const struct mc_claim *x = a, *y = b;
    int c;

    if (x->verified != y->verified)
        return x->verified ? -1 : 1;
    c = strcmp_null(x->label, y->label);
    return c ? c : strcmp(x->uri, y->uri);
}

mcred_rc mc_skills_of_learner(struct mc_store *st, int64_t org, int64_t learner, time_t now,
                              struct mc_learner_skills *out, struct mc_err *err)
{
    struct mc_store_list held, declared;
    struct mc_learner who;
    struct mc_intern *uris = NULL;
    size_t cap = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&held, 0, sizeof(held));
    memset(&declared, 0, sizeof(declared));
    rc = mc_store_learner_get(st, org, learner, NULL, &who, err);
    mc_learner_release(&who);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, rc, "no learner %lld in this organisation", (long long)learner);
    if (!rc)
        rc = mc_store_skill_held(st, org, learner, now, &held, err);
    if (!rc)
        rc = mc_store_skill_declared(st, org, learner, &declared, err);
    if (!rc && mc_intern_new(&uris))
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = add_held(out, uris, &cap, &held, err);
    if (!rc)
        rc = add_declared(out, uris, &cap, &declared, err);
    if (!rc)
        rc = name_claims(st, out, err);
    if (!rc && out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), claim_cmp);
    mc_intern_free(uris);
    mc_store_list_clear(&held);
    mc_store_list_clear(&declared);
    if (rc)
        mc_learner_skills_release(out);
    return rc;
}

/* ---- targets ------------------------------------------------------------------------- */

void mc_target_release(struct mc_target *t)
{
    size_t i;

    if (!t)
        return;
    for (i = 0; i < t->n; i++) {
        mc_free(t->v[i].uri);
        mc_free(t->v[i].label);
    }
    mc_free(t->v);
    mc_free(t->uri);
    mc_free(t->label);
    mc_free(t->framework);
    memset(t, 0, sizeof(*t));
}

static int target_cmp(const void *a, const void *b)
{
    const struct mc_target_skill *x = a, *y = b;
    int c;

    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    c = strcmp_null(x->label, y->label);
    return c ? c : strcmp(x->uri, y->uri);
}

/* Each skill's weight from its need, flags and demand; then sort. */
static void weigh(struct mc_target *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        struct mc_target_skill *s = &t->v[i];
        double w = MC_WEIGHT_MENTIONED;

        if (s->need == MC_NEED_ESSENTIAL)
            w = MC_WEIGHT_ESSENTIAL;
        else if (s->need == MC_NEED_OPTIONAL)
            w = MC_WEIGHT_OPTIONAL;
        else if (s->need == MC_NEED_TECHNOLOGY)
            w = MC_WEIGHT_TECH + MC_WEIGHT_TECH_FLAG * !!(s->flags & MC_SKILL_HOT) +
                MC_WEIGHT_TECH_FLAG * !!(s->flags & MC_SKILL_IN_DEMAND);
        s->weight = w * (1.0 + s->demand);
    }
    if (t->n > 1)
        qsort(t->v, t->n, sizeof(*t->v), target_cmp);
}

static mcred_rc target_add(struct mc_target *t, size_t *cap, const char *uri, const char *label,
                           enum mc_skill_kind kind, enum mc_need need, int flags)
{
    struct mc_target_skill *s;

    if (t->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        struct mc_target_skill *v = mc_realloc(t->v, ncap * sizeof(*v));

        if (!v)
            return MCRED_ERR_NOMEM;
        t->v = v;
        *cap = ncap;
    }
    s = &t->v[t->n];
    memset(s, 0, sizeof(*s));
    s->uri = mc_strdup(uri);
    s->label = label ? mc_strdup(label) : NULL;
    s->kind = kind;
    s->need = need;
    s->flags = flags;
    if (!s->uri || (label && !s->label)) {
        mc_free(s->uri);
        mc_free(s->label);
        return MCRED_ERR_NOMEM;
    }
    t->n++;
    return MCRED_OK;
}

static mcred_rc occupation_skills(struct mc_store *st, const struct mc_skill *occ,
                                  struct mc_target *out, struct mc_err *err)
{
    struct mc_store_list links;
    const struct mc_skill *k;
    size_t i, cap = 0;
    mcred_rc rc = mc_store_skill_links(st, occ->id, false, &links, err);

    k = links.rows;
    for (i = 0; !rc && i < links.n; i++) {
        enum mc_need need;

        if (k[i].rel == MC_SR_ESSENTIAL)
            need = MC_NEED_ESSENTIAL;
        else if (k[i].rel == MC_SR_OPTIONAL)
            need = MC_NEED_OPTIONAL;
        else if (k[i].rel == MC_SR_TECHNOLOGY)
            need = MC_NEED_TECHNOLOGY;
        else
            continue;
        if (target_add(out, &cap, k[i].uri, k[i].label, k[i].kind, need, k[i].flags))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory reading the occupation");
    }
    mc_store_list_clear(&links);
    return rc;
}

mcred_rc mc_skills_target_occupation(struct mc_store *st, const char *uri, struct mc_target *out,
                                     struct mc_err *err)
{
    char onet[256];
    struct mc_skill occ;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!uri || !uri[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "no occupation given");
    if (mc_onet_occupation_uri(uri, onet, sizeof(onet)))
        uri = onet;
    rc = mc_store_skill_get(st, uri, &occ, err);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, rc, "unknown occupation '%.200s': no imported framework defines "
                          "it (mcred skills search --kind occupation TEXT)", uri);
    if (rc)
        return rc;
    if (occ.kind != MC_SK_OCCUPATION) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "'%.200s' is a %s ('%.100s'), not an "
                        "occupation", uri, mc_skill_kind_name(occ.kind), occ.label);
        mc_skill_release(&occ);
        return rc;
    }
    rc = occupation_skills(st, &occ, out, err);
    if (!rc && out->n == 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "occupation '%.100s' lists no skills",
                        occ.label);
    if (!rc) {
        out->uri = occ.uri;
        out->label = occ.label;
        out->framework = occ.framework;
        occ.uri = occ.label = occ.framework = NULL;
        weigh(out);
    }
    mc_skill_release(&occ);
    if (rc)
        mc_target_release(out);
    return rc;
}

mcred_rc mc_skills_target_job(const struct mc_skills_index *ix, const char *text, size_t n,
                              struct mc_target *out, struct mc_err *err)
{
    struct mc_hits h;
    uint32_t *slot = NULL;   /* per index id: its target skill + 1, or 0 */
    size_t i, cap = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&h, 0, sizeof(h));
    if (!text || n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "the job description is empty");
    rc = mc_skills_extract(ix, text, n, &h, err);
    if (rc == MCRED_ERR_INVALID)
        rc = mc_err_set(err, rc, "the job description has no words");
    if (!rc && h.n == 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "no skill of the imported frameworks is named "
                        "in the job description");
    if (!rc) {
        slot = mc_calloc(ix->n ? ix->n : 1, sizeof(*slot));
        if (!slot) {
            rc = MCRED_ERR_NOMEM;
            mc_err_set(err, rc, "out of memory");
        }
    }
    for (i = 0; !rc && slot && i < h.n; i++) {
        uint32_t c = h.v[i].concept;

        if (!slot[c]) {
            if (target_add(out, &cap, mc_intern_str(ix->uris, c), mc_skills_index_label(ix, c),
                           ix->kind_of[c], MC_NEED_MENTIONED, 0)) {
                rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
                break;
            }
            slot[c] = (uint32_t)out->n;
            out->v[out->n - 1].first = h.v[i].start;
        }
        out->v[slot[c] - 1].mentions++;
    }
    mc_free(slot);
    mc_hits_release(&h);
    if (rc) {
        mc_target_release(out);
        return rc;
    }
    weigh(out);
    return MCRED_OK;
}

mcred_rc mc_skills_target_demand(struct mc_store *st, struct mc_target *t, struct mc_err *err)
{
    struct mc_store_list l;
    struct mc_intern *seen = NULL;
    const struct mc_skill *d;
    int64_t postings = 0;
    size_t i;
    uint32_t id;
    mcred_rc rc = mc_store_skill_demand(st, MC_SKILL_MAX_DEMAND, &l, &postings, err);

    if (rc)
        return rc;
    d = l.rows;
    if (postings > 0 && mc_intern_new(&seen))
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    for (i = 0; !rc && postings > 0 && i < l.n; i++) {
        if (mc_intern_add(seen, d[i].uri, strlen(d[i].uri), &id, NULL))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    for (i = 0; !rc && i < t->n; i++) {
        id = seen ? mc_intern_find(seen, t->v[i].uri, strlen(t->v[i].uri)) : MC_INTERN_NONE;
        t->v[i].demand = id == MC_INTERN_NONE ? 0.0 : (double)d[id].count / (double)postings;
    }
    if (!rc)
        weigh(t);
    mc_intern_free(seen);
    mc_store_list_clear(&l);
    return rc;
}

/* ---- the gap ------------------------------------------------------------------------- */

void mc_gap_release(struct mc_gap *g)
{
    size_t i;

    if (!g)
        return;
    for (i = 0; i < g->n; i++)
        mc_free(g->v[i].via);
    mc_free(g->v);
    memset(g, 0, sizeof(*g));
}

/* The sort needs the target: a file-local pointer is simplest, and the sort
 * runs to completion on this thread before it changes. */
static _Thread_local const struct mc_target *sort_target;

static int gap_cmp(const void *a, const void *b)
{
    const struct mc_gap_item *x = a, *y = b;
    const struct mc_target_skill *s = &sort_target->v[x->skill], *t = &sort_target->v[y->skill];

    if ((x->status == MC_GAP_MISSING) != (y->status == MC_GAP_MISSING))
        return x->status == MC_GAP_MISSING ? -1 : 1;
    return target_cmp(s, t);
}

/* The URIs the crosswalk maps each verified skill to: equiv (URI -> the
 * verified skill's index in l). */
static mcred_rc equivalents(struct mc_store *st, const struct mc_learner_skills *l,
                            struct mc_intern *equiv, uint32_t **from, size_t *cap,
                            struct mc_err *err)
{
    struct mc_store_list m;
    const struct mc_skill *k;
    size_t i, j;
    uint32_t id;
    bool added;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < l->n && !rc; i++) {
        if (!l->v[i].verified)
            continue;
        rc = mc_store_skill_map_list(st, l->v[i].uri, &m, err);
        k = m.rows;
        for (j = 0; !rc && j < m.n; j++) {
            rc = mc_intern_add(equiv, k[j].uri, strlen(k[j].uri), &id, &added);
            if (!rc && added && id >= *cap) {
                size_t ncap = *cap ? *cap * 2 : 64;
                uint32_t *f = mc_realloc(*from, ncap * sizeof(*f));

                if (f) {
                    *from = f;
                    *cap = ncap;
                } else {
                    rc = MCRED_ERR_NOMEM;
                }
            }
            if (!rc && added)
                (*from)[id] = (uint32_t)i;
            if (rc == MCRED_ERR_NOMEM)
                mc_err_set(err, rc, "out of memory reading the crosswalk");
        }
        mc_store_list_clear(&m);
    }
    return rc;
}

static const struct mc_claim *find_claim(const struct mc_learner_skills *l, const char *uri)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].uri, uri) == 0)
            return &l->v[i];
    }
    return NULL;
}

mcred_rc mc_skills_gap(struct mc_store *st, const struct mc_target *t,
                       const struct mc_learner_skills *l, struct mc_gap *out,
                       struct mc_err *err)
{
    struct mc_intern *equiv = NULL;
    uint32_t *from = NULL, id;
    size_t i, cap = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!t || !l)
        return mc_err_set(err, MCRED_ERR_INVALID, "gap: no target or no learner skills");
    out->v = mc_calloc(t->n ? t->n : 1, sizeof(*out->v));
    if (!out->v || mc_intern_new(&equiv)) {
        mc_free(out->v);
        out->v = NULL;
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory computing the gap");
    }
    rc = equivalents(st, l, equiv, &from, &cap, err);
    for (i = 0; !rc && i < t->n; i++) {
        const struct mc_target_skill *s = &t->v[i];
        const struct mc_claim *c = find_claim(l, s->uri);
        struct mc_gap_item *g = &out->v[out->n++];

        g->skill = i;
        g->declared = c && c->declared;
        id = mc_intern_find(equiv, s->uri, strlen(s->uri));
        if (c && c->verified) {
            g->status = MC_GAP_HELD;
            g->via = mc_strdup(c->credential ? c->credential : "");
        } else if (id != MC_INTERN_NONE && from && id < cap) {
            g->status = MC_GAP_EQUIVALENT;
            g->via = mc_strdup(l->v[from[id]].uri);
        }
        if (g->status != MC_GAP_MISSING && !g->via)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory computing the gap");
        out->total += s->weight;
        if (g->status == MC_GAP_MISSING)
            out->missing++;
        else
            out->covered += s->weight;
    }
    mc_intern_free(equiv);
    mc_free(from);
    if (rc) {
        mc_gap_release(out);
        return rc;
    }
    sort_target = t;
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), gap_cmp);
    sort_target = NULL;
    return MCRED_OK;
}

mcred_rc mc_gap_missing_set(const struct mc_gap *g, const struct mc_target *t,
                            struct mc_intern *universe, struct mc_skillset *out)
{
    size_t i;
    uint32_t id;
    mcred_rc rc;

    out->n = 0;
    for (i = 0; i < g->n; i++) {
        const char *uri = t->v[g->v[i].skill].uri;

        if (g->v[i].status != MC_GAP_MISSING)
            continue;
        rc = mc_intern_add(universe, uri, strlen(uri), &id, NULL);
        if (!rc)
            rc = mc_skillset_push(out, id);
        if (rc)
            return rc;
    }
    mc_skillset_normalize(out);
    return MCRED_OK;
}
