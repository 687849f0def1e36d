/* catalog.c - the planner's catalog (plan.h): achievements of any issuer
 * with hours, cost, level, prerequisites and skills, read from Achievement
 * JSON (the "mcPlan" extension and alignment[]) or a catalog file (JSON or
 * CSV), then resolved (prerequisites, cycles) and indexed by skill.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/ob.h"
#include "skills/csv.h"
#include "skills/plan.h"
#include "util/json.h"

mcred_rc mc_catalog_new(struct mc_catalog **out)
{
    struct mc_catalog *c = mc_calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return MCRED_ERR_NOMEM;
    if (mc_intern_new(&c->uris) || mc_intern_new(&c->skills)) {
        mc_catalog_free(c);
        return MCRED_ERR_NOMEM;
    }
    *out = c;
    return MCRED_OK;
}

static void item_release(struct mc_catalog_item *it)
{
    size_t i;

    mc_free(it->uri);
    mc_free(it->name);
    mc_free(it->issuer);
    for (i = 0; i < it->nprereq; i++)
        mc_free(it->prereq_uri[i]);
    mc_free(it->prereq_uri);
    mc_free(it->prereq);
    mc_free(it->skills);
    memset(it, 0, sizeof(*it));
}

void mc_catalog_free(struct mc_catalog *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        item_release(&c->v[i]);
    mc_free(c->v);
    mc_intern_free(c->uris);
    mc_intern_free(c->skills);
    mc_free(c->post_at);
    mc_free(c->post);
    mc_free(c);
}

uint32_t mc_catalog_find(const struct mc_catalog *c, const char *uri)
{
    return uri ? mc_intern_find(c->uris, uri, strlen(uri)) : MC_INTERN_NONE;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Fill it (zeroed) from the arguments; on failure it holds what was copied. */
static mcred_rc item_fill(struct mc_catalog *c, struct mc_catalog_item *it,
                          const char *const *prereqs, size_t nprereq,
                          const char *const *skills, size_t nskills)
{
    size_t i, k = 0;
    uint32_t id;

    if (nprereq) {
        it->prereq_uri = mc_calloc(nprereq, sizeof(*it->prereq_uri));
        if (!it->prereq_uri)
            return MCRED_ERR_NOMEM;
    }
    for (i = 0; i < nprereq; i++) {
        it->prereq_uri[i] = mc_strdup(prereqs[i]);
        if (!it->prereq_uri[i])
            return MCRED_ERR_NOMEM;
        it->nprereq++;
    }
    it->skills = mc_allocarray(nskills ? nskills : 1, sizeof(*it->skills));
    if (!it->skills)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < nskills; i++) {
        if (mc_intern_add(c->skills, skills[i], strlen(skills[i]), &id, NULL))
            return MCRED_ERR_NOMEM;
        it->skills[k++] = id;
    }
    qsort(it->skills, k, sizeof(*it->skills), u32_cmp);
    for (i = 0, it->nskills = 0; i < k; i++) {
        if (it->nskills == 0 || it->skills[it->nskills - 1] != it->skills[i])
            it->skills[it->nskills++] = it->skills[i];
    }
    return MCRED_OK;
}

static mcred_rc check_entry(const char *uri, double hours, double cost, int level,
                            const char *const *prereqs, size_t nprereq,
                            const char *const *skills, size_t nskills, struct mc_err *err)
{
    size_t i;

    if (!uri || !mc_is_uri(uri) || strlen(uri) > 2048)
        return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': the id is not an "
                          "absolute URI", uri ? uri : "");
    if (!isfinite(hours) || hours <= 0 || hours > MC_PLAN_MAX_HOURS)
        return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': hours must be a "
                          "number above 0 and at most %.0f", uri, MC_PLAN_MAX_HOURS);
    if (!isfinite(cost) || cost < 0 || cost > MC_PLAN_MAX_COST)
        return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': cost must be a "
                          "number from 0 to %.0f", uri, MC_PLAN_MAX_COST);
    if (level < 0 || level > 10)
        return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': level must be an "
                          "integer from 0 to 10", uri);
    if (nprereq > MC_PLAN_MAX_PREREQS || nskills > MC_PLAN_MAX_SKILLS)
        return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': more than %d "
                          "prerequisites or %d skills", uri, MC_PLAN_MAX_PREREQS,
                          MC_PLAN_MAX_SKILLS);
    for (i = 0; i < nprereq; i++) {
        if (!prereqs[i] || !mc_is_uri(prereqs[i]) || strlen(prereqs[i]) > 2048)
            return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': prerequisite "
                              "%zu is not an absolute URI", uri, i);
        if (strcmp(prereqs[i], uri) == 0)
            return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s' is its own "
                              "prerequisite", uri);
    }
    for (i = 0; i < nskills; i++) {
        if (!skills[i] || !mc_is_uri(skills[i]) || strlen(skills[i]) > 2048)
            return mc_err_set(err, MCRED_ERR_INVALID, "catalog entry '%.100s': skill %zu is "
                              "not an absolute URI", uri, i);
    }
    return MCRED_OK;
}

mcred_rc mc_catalog_add(struct mc_catalog *c, const char *uri, const char *name,
                        const char *issuer, double hours, double cost, int level, bool local,
                        const char *const *prereqs, size_t nprereq,
                        const char *const *skills, size_t nskills, struct mc_err *err)
{
    struct mc_catalog_item it;
    uint32_t id;
    bool added = false;
    mcred_rc rc;

    if (c->built)
        return mc_err_set(err, MCRED_ERR_INVALID, "the catalog is already built");
    rc = check_entry(uri, hours, cost, level, prereqs, nprereq, skills, nskills, err);
    if (rc)
        return rc;
    if (c->n >= MC_PLAN_MAX_ITEMS && mc_catalog_find(c, uri) == MC_INTERN_NONE)
        return mc_err_set(err, MCRED_ERR_LIMIT, "the catalog has more than %zu entries",
                          MC_PLAN_MAX_ITEMS);
    memset(&it, 0, sizeof(it));
    it.uri = mc_strdup(uri);
    it.name = mc_strdup(name ? name : uri);
    it.issuer = issuer ? mc_strdup(issuer) : NULL;
    it.hours = hours;
    it.cost = cost;
    it.level = level;
    it.local = local;
    rc = (!it.uri || !it.name || (issuer && !it.issuer)) ? MCRED_ERR_NOMEM : MCRED_OK;
    if (!rc)
        rc = item_fill(c, &it, prereqs, nprereq, skills, nskills);
    if (!rc && c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct mc_catalog_item *v = mc_realloc(c->v, ncap * sizeof(*v));

        if (v) {
            c->v = v;
            c->cap = ncap;
        } else {
            rc = MCRED_ERR_NOMEM;
        }
    }
    if (!rc)
        rc = mc_intern_add(c->uris, uri, strlen(uri), &id, &added);
    if (rc) {
        item_release(&it);
        return mc_err_set(err, rc, "out of memory adding to the catalog");
    }
    if (added) {
        c->v[c->n++] = it;
    } else {
        item_release(&c->v[id]);
        c->v[id] = it;
    }
    return MCRED_OK;
}

/* ---- Achievement JSON ------------------------------------------------------------------- */

static const char *issuer_of(const cJSON *a)
{
    const cJSON *i = mc_json_get(a, "creator");

    if (!i)
        i = mc_json_get(a, "issuer");
    if (mc_json_is_string(i))
        return i->valuestring;
    if (mc_json_str(i, "name"))
        return mc_json_str(i, "name");
    return mc_json_str(i, "id");
}

/* Strings of a JSON array member into v[0..max); INVALID for a non-string. */
static mcred_rc str_list(const cJSON *arr, const char *what, const char *uri,
                         const char **v, size_t max, size_t *n, struct mc_err *err)
{
    const cJSON *e;

    *n = 0;
    if (!arr)
        return MCRED_OK;
    if (!mc_json_is_array(arr))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': %s must be an "
                          "array", uri, what);
    for (e = arr->child; e; e = e->next) {
        if (!mc_json_is_string(e))
            return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': %s[%zu] must be "
                              "a string", uri, what, *n);
        if (*n == max)
            return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': more than %zu "
                              "%s", uri, max, what);
        v[(*n)++] = e->valuestring;
    }
    return MCRED_OK;
}

static mcred_rc plan_number(const cJSON *v, const char *key, const char *uri, double *out,
                            struct mc_err *err)
{
    if (!v)
        return MCRED_OK;
    if (!cJSON_IsNumber(v))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': %s must be a number",
                          uri, key);
    *out = v->valuedouble;
    return MCRED_OK;
}

/* The planning fields: the "mcPlan" object, else the top-level members
 * named by MC_PLAN_NS IRIs (the form that survives JSON-LD expansion when
 * the achievement is issued). */
struct plan_fields {
    const cJSON *hours, *cost, *level, *pre;
    const char *name;            /* for messages: "mcPlan.hours" or the IRI */
};

static bool plan_fields(const cJSON *a, struct plan_fields *f)
{
    const cJSON *plan = mc_json_get(a, "mcPlan");

    memset(f, 0, sizeof(*f));
    if (plan) {
        f->hours = mc_json_get(plan, "hours");
        f->cost = mc_json_get(plan, "cost");
        f->level = mc_json_get(plan, "level");
        f->pre = mc_json_get(plan, "prerequisites");
        f->name = "mcPlan.";
        return true;
    }
    f->hours = mc_json_get(a, MC_PLAN_NS "hours");
    f->cost = mc_json_get(a, MC_PLAN_NS "cost");
    f->level = mc_json_get(a, MC_PLAN_NS "level");
    f->pre = mc_json_get(a, MC_PLAN_NS "prerequisite");
    f->name = MC_PLAN_NS;
    return f->hours != NULL;
}

mcred_rc mc_catalog_add_achievement(struct mc_catalog *c, const void *achievement, bool local,
                                    const char *where, struct mc_err *err)
{
    const cJSON *a = achievement, *al, *e;
    const char *uri = mc_json_str(a, "id"), *pre[MC_PLAN_MAX_PREREQS], **sk = NULL;
    double hours = -1, cost = 0, level = 0;
    struct plan_fields f;
    char what[96];
    size_t npre = 0, nsk = 0;
    mcred_rc rc;

    if (!mc_json_is_object(a) || !uri)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: an achievement must be an object with "
                          "an id", where ? where : "catalog");
    if (mc_json_get(a, "mcPlan") && !mc_json_is_object(mc_json_get(a, "mcPlan")))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': mcPlan must be an "
                          "object", uri);
    if (!plan_fields(a, &f) || !f.hours) {
        c->skipped++;
        return MCRED_OK;
    }
    snprintf(what, sizeof(what), "%shours", f.name);
    rc = plan_number(f.hours, what, uri, &hours, err);
    snprintf(what, sizeof(what), "%scost", f.name);
    if (!rc)
        rc = plan_number(f.cost, what, uri, &cost, err);
    snprintf(what, sizeof(what), "%slevel", f.name);
    if (!rc)
        rc = plan_number(f.level, what, uri, &level, err);
    if (!rc && (level != floor(level) || level < 0 || level > 10))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': %s must be an integer "
                        "from 0 to 10", uri, what);
    snprintf(what, sizeof(what), "%sprerequisite%s", f.name, f.name[0] == 'm' ? "s" : "");
    if (!rc && mc_json_is_string(f.pre)) {
        pre[npre++] = f.pre->valuestring;
    } else if (!rc) {
        rc = str_list(f.pre, what, uri, pre, MC_PLAN_MAX_PREREQS, &npre, err);
    }
    if (rc)
        return rc;
    al = mc_json_get(a, "alignment");
    if (al && !mc_json_is_array(al))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': alignment must be an "
                          "array", uri);
    sk = mc_allocarray(MC_PLAN_MAX_SKILLS, sizeof(*sk));
    if (!sk)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    for (e = al ? al->child : NULL; e; e = e->next) {
        const char *url = mc_json_str(e, "targetUrl");

        if (!url || !mc_is_uri(url))
            continue;
        if (nsk == MC_PLAN_MAX_SKILLS) {
            mc_free(sk);
            return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.100s': more than %d "
                              "alignments", uri, MC_PLAN_MAX_SKILLS);
        }
        sk[nsk++] = url;
    }
    rc = mc_catalog_add(c, uri, mc_json_str(a, "name"), issuer_of(a), hours, cost, (int)level,
                        local, pre, npre, sk, nsk, err);
    mc_free(sk);
    return rc;
}

/* ---- catalog files ------------------------------------------------------------------------ */

static mcred_rc load_json(struct mc_catalog *c, const char *data, size_t n, const char *file,
                          struct mc_err *err)
{
    cJSON *doc = NULL;
    const cJSON *arr, *e;
    size_t i = 0;
    char where[300];
    mcred_rc rc = mc_json_parse(data, n, MC_PLAN_MAX_FILE, &doc, err);

    if (rc)
        return rc;
    arr = mc_json_is_array(doc) ? doc : mc_json_get(doc, "achievements");
    if (!mc_json_is_array(arr)) {
        cJSON_Delete(doc);
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: a catalog is an array of achievements "
                          "or an object with \"achievements\": [...]", file);
    }
    for (e = arr->child; e && !rc; e = e->next, i++) {
        snprintf(where, sizeof(where), "%.200s: achievements[%zu]", file, i);
        rc = mc_catalog_add_achievement(c, e, false, where, err);
    }
    cJSON_Delete(doc);
    return rc;
}

/* Split s at '|' into v[0..max), in place; empty parts dropped. */
static size_t split_bar(char *s, const char **v, size_t max, bool *over)
{
    size_t n = 0;
    char *p = s, *q;

    *over = false;
    while (p && *p) {
        q = strchr(p, '|');
        if (q)
            *q = '\0';
        while (*p == ' ')
            p++;
        if (*p) {
            if (n == max) {
                *over = true;
                return n;
            }
            v[n++] = p;
        }
        p = q ? q + 1 : NULL;
    }
    return n;
}

struct csv_cols {
    int uri, name, hours, issuer, cost, level, pre, skills;
};

static const char *col(const struct mc_csv_record *r, int i)
{
    return i >= 0 && (size_t)i < r->n && r->field[i][0] ? r->field[i] : NULL;
}

static mcred_rc csv_number(const char *s, const char *what, const char *file, size_t line,
                           double dflt, double *out, struct mc_err *err)
{
    char *end;

    *out = dflt;
    if (!s)
        return MCRED_OK;
    *out = strtod(s, &end);
    if (end == s || *end)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s:%zu: %s '%.40s' is not a number", file,
                          line, what, s);
    return MCRED_OK;
}

static mcred_rc csv_row(struct mc_catalog *c, const struct csv_cols *k,
                        const struct mc_csv_record *r, const char *file, const char **pre,
                        const char **sk, struct mc_err *err)
{
    char *pbuf = NULL, *sbuf = NULL;
    double hours, cost, level;
    size_t np = 0, ns = 0;
    bool over1 = false, over2 = false;
    mcred_rc rc;

    rc = csv_number(col(r, k->hours), "hours", file, r->line, -1, &hours, err);
    if (!rc)
        rc = csv_number(col(r, k->cost), "cost", file, r->line, 0, &cost, err);
    if (!rc)
        rc = csv_number(col(r, k->level), "level", file, r->line, 0, &level, err);
    if (rc)
        return rc;
    if (level != floor(level) || level < 0 || level > 10)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s:%zu: level must be an integer from 0 "
                          "to 10", file, r->line);
    pbuf = mc_strdup(col(r, k->pre) ? col(r, k->pre) : "");
    sbuf = mc_strdup(col(r, k->skills) ? col(r, k->skills) : "");
    if (!pbuf || !sbuf) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    np = split_bar(pbuf, pre, MC_PLAN_MAX_PREREQS, &over1);
    ns = split_bar(sbuf, sk, MC_PLAN_MAX_SKILLS, &over2);
    if (over1 || over2) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%s:%zu: more than %d prerequisites or %d "
                        "skills", file, r->line, MC_PLAN_MAX_PREREQS, MC_PLAN_MAX_SKILLS);
        goto out;
    }
    rc = mc_catalog_add(c, col(r, k->uri), col(r, k->name), col(r, k->issuer), hours, cost,
                        (int)level, false, pre, np, sk, ns, err);
    if (rc == MCRED_ERR_INVALID) {
        char m[MC_ERRMSG_MAX];

        mc_strlcpy(m, mc_err_msg(err), sizeof(m));
        rc = mc_err_set(err, rc, "%s:%zu: %s", file, r->line, m);
    }
out:
    mc_free(pbuf);
    mc_free(sbuf);
    return rc;
}

static mcred_rc load_csv(struct mc_catalog *c, const char *data, size_t n, const char *file,
                         struct mc_err *err)
{
    struct mc_csv *csv = NULL;
    struct mc_csv_record r;
    struct csv_cols k;
    const char **pre = NULL, **sk = NULL;
    mcred_rc rc = mc_csv_open_mem(&csv, data, n, NULL, file, err);

    if (rc)
        return rc;
    k.uri = mc_csv_column(csv, "uri");
    k.name = mc_csv_column(csv, "name");
    k.hours = mc_csv_column(csv, "hours");
    k.issuer = mc_csv_column(csv, "issuer");
    k.cost = mc_csv_column(csv, "cost");
    k.level = mc_csv_column(csv, "level");
    k.pre = mc_csv_column(csv, "prerequisites");
    k.skills = mc_csv_column(csv, "skills");
    if (k.uri < 0 || k.name < 0 || k.hours < 0) {
        mc_csv_free(csv);
        return mc_err_set(err, MCRED_ERR_INVALID, "%s:1: the header must name the columns "
                          "uri, name and hours", file);
    }
    pre = mc_allocarray(MC_PLAN_MAX_PREREQS, sizeof(*pre));
    sk = mc_allocarray(MC_PLAN_MAX_SKILLS, sizeof(*sk));
    if (!pre || !sk)
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    while (!rc) {
        rc = mc_csv_next(csv, &r, err);
        if (rc == MCRED_ERR_NOTFOUND) {
            rc = MCRED_OK;
            break;
        }
        if (!rc)
            rc = csv_row(c, &k, &r, file, pre, sk, err);
    }
    mc_free(pre);
    mc_free(sk);
    mc_csv_free(csv);
    return rc;
}

mcred_rc mc_catalog_load(struct mc_catalog *c, const char *data, size_t n, const char *file,
                         struct mc_err *err)
{
    size_t i = 0;

    if (!file)
        file = "catalog";
    if (n > MC_PLAN_MAX_FILE)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%s: a catalog file is at most %zu bytes", file,
                          MC_PLAN_MAX_FILE);
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == n)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: the catalog file is empty", file);
    if (data[i] == '[' || data[i] == '{')
        return load_json(c, data, n, file, err);
    return load_csv(c, data, n, file, err);
}

/* ---- build: prerequisites, cycles, the skill index ------------------------------------------ */

static mcred_rc cycle_error(const struct mc_catalog *c, const uint32_t *stack, size_t depth,
                            uint32_t back, struct mc_err *err)
{
    char msg[MC_ERRMSG_MAX] = "";
    size_t i = depth;

    while (i > 0 && stack[i - 1] != back)
        i--;
    for (i = i ? i - 1 : 0; i < depth; i++) {
        mc_strlcat(msg, c->v[stack[i]].uri, sizeof(msg));
        mc_strlcat(msg, " -> ", sizeof(msg));
    }
    mc_strlcat(msg, c->v[back].uri, sizeof(msg));
    return mc_err_set(err, MCRED_ERR_INVALID, "prerequisite cycle: %s", msg);
}

/* Depth-first over prerequisite edges, iteratively (chains may be long). */
static mcred_rc find_cycles(const struct mc_catalog *c, struct mc_err *err)
{
    uint8_t *color = mc_calloc(c->n ? c->n : 1, 1);   /* 0 new, 1 on the path, 2 done */
    uint32_t *stack = mc_allocarray(c->n ? c->n : 1, sizeof(*stack));
    uint32_t *edge = mc_allocarray(c->n ? c->n : 1, sizeof(*edge));
    size_t root, depth;
    mcred_rc rc = MCRED_OK;

    if (!color || !stack || !edge)
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory checking prerequisites");
    for (root = 0; !rc && root < c->n; root++) {
        if (color[root])
            continue;
        depth = 0;
        stack[depth] = (uint32_t)root;
        edge[depth++] = 0;
        color[root] = 1;
        while (depth > 0 && !rc) {
            const struct mc_catalog_item *it = &c->v[stack[depth - 1]];
            uint32_t next;

            if (edge[depth - 1] == it->nprereq) {
                color[stack[--depth]] = 2;
                continue;
            }
            next = it->prereq[edge[depth - 1]++];
            if (next == MC_INTERN_NONE || color[next] == 2)
                continue;
            if (color[next] == 1) {
                rc = cycle_error(c, stack, depth, next, err);
                break;
            }
            color[next] = 1;
            stack[depth] = next;
            edge[depth++] = 0;
        }
    }
    mc_free(color);
    mc_free(stack);
    mc_free(edge);
    return rc;
}

static mcred_rc build_index(struct mc_catalog *c)
{
    size_t ns = mc_intern_count(c->skills), i, j, total = 0;
    uint32_t *fill;

    c->post_at = mc_calloc(ns + 1, sizeof(*c->post_at));
    if (!c->post_at)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < c->n; i++) {
        for (j = 0; j < c->v[i].nskills; j++)
            c->post_at[c->v[i].skills[j] + 1]++;
        total += c->v[i].nskills;
    }
    if (total > UINT32_MAX)
        return MCRED_ERR_LIMIT;
    for (i = 0; i < ns; i++)
        c->post_at[i + 1] += c->post_at[i];
    c->post = mc_allocarray(total ? total : 1, sizeof(*c->post));
    fill = mc_allocarray(ns ? ns : 1, sizeof(*fill));
    if (!c->post || !fill) {
        mc_free(fill);
        return MCRED_ERR_NOMEM;
    }
    memcpy(fill, c->post_at, ns * sizeof(*fill));
    for (i = 0; i < c->n; i++) {
        for (j = 0; j < c->v[i].nskills; j++)
            c->post[fill[c->v[i].skills[j]]++] = (uint32_t)i;
    }
    mc_free(fill);
    return MCRED_OK;
}

mcred_rc mc_catalog_build(struct mc_catalog *c, struct mc_err *err)
{
    size_t i, j;
    mcred_rc rc;

    if (c->built)
        return MCRED_OK;
    for (i = 0; i < c->n; i++) {
        struct mc_catalog_item *it = &c->v[i];

        mc_free(it->prereq);
        it->prereq = mc_allocarray(it->nprereq ? it->nprereq : 1, sizeof(*it->prereq));
        if (!it->prereq)
            return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory building the catalog");
        for (j = 0; j < it->nprereq; j++)
            it->prereq[j] = mc_catalog_find(c, it->prereq_uri[j]);
    }
    rc = find_cycles(c, err);
    if (rc)
        return rc;
    rc = build_index(c);
    if (rc)
        return mc_err_set(err, rc, "cannot index the catalog's skills");
    c->built = true;
    return MCRED_OK;
}
