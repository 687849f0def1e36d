/* stack.c - stack rules: parse and check, evaluate against held
 * credentials, and cycle checks across stacks.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/stack.h"

enum kind { K_LEAF, K_ALL, K_ANY, K_NOF, K_CREDITS };

struct node {
    enum kind kind;
    size_t first, nkids;        /* children: s->kids[first .. first + nkids) */
    size_t n;                   /* K_NOF */
    double min;                 /* K_CREDITS */
    /* K_LEAF */
    const char *ach, *issuer, *after;   /* owned by s->strs */
    double credits;             /* < 0: none given */
};

struct mc_stack {
    struct node *nodes;
    size_t nn, cap;
    size_t *kids;
    size_t nkids, kcap;
    char **strs;                /* every owned string */
    size_t nstrs, scap;
    const char **uris;          /* distinct component achievements */
    size_t nuris;
    size_t root;
};

/* --- building ------------------------------------------------------------------- */

static const char *keep(struct mc_stack *s, const char *v)
{
    char *d;

    if (s->nstrs == s->scap) {
        size_t nc = s->scap ? s->scap * 2 : 16;
        char **ns = mc_realloc(s->strs, nc * sizeof(*ns));

        if (!ns)
            return NULL;
        s->strs = ns;
        s->scap = nc;
    }
    d = mc_strdup(v);
    if (d)
        s->strs[s->nstrs++] = d;
    return d;
}

static mcred_rc new_node(struct mc_stack *s, size_t *out, struct mc_err *err)
{
    if (s->nn == MC_STACK_MAX_NODES)
        return mc_err_set(err, MCRED_ERR_LIMIT, "stack rule: more than %d nodes",
                          MC_STACK_MAX_NODES);
    if (s->nn == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        struct node *nn = mc_realloc(s->nodes, nc * sizeof(*nn));

        if (!nn)
            return mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
        s->nodes = nn;
        s->cap = nc;
    }
    memset(&s->nodes[s->nn], 0, sizeof(s->nodes[0]));
    s->nodes[s->nn].credits = -1;
    *out = s->nn++;
    return MCRED_OK;
}

static mcred_rc add_kids(struct mc_stack *s, const size_t *k, size_t n, size_t *first,
                         struct mc_err *err)
{
    if (s->nkids + n > s->kcap) {
        size_t nc = s->kcap ? s->kcap : 16;
        size_t *nk;

        while (nc < s->nkids + n)
            nc *= 2;
        nk = mc_realloc(s->kids, nc * sizeof(*nk));
        if (!nk)
            return mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
        s->kids = nk;
        s->kcap = nc;
    }
    memcpy(s->kids + s->nkids, k, n * sizeof(*k));
    *first = s->nkids;
    s->nkids += n;
    return MCRED_OK;
}

static bool only_keys(const cJSON *o, const char *const *allowed, const char **bad)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, o) {
        size_t i;
        bool ok = false;

        for (i = 0; allowed[i]; i++)
            ok |= strcmp(m->string, allowed[i]) == 0;
        if (!ok) {
            *bad = m->string;
            return false;
        }
    }
    return true;
}

static mcred_rc parse_node(struct mc_stack *s, const cJSON *r, const char *path, int depth,
                           mc_stack_known_fn known, void *ud, size_t *out,
                           struct mc_err *err);

static mcred_rc parse_list(struct mc_stack *s, const cJSON *list, const char *path,
                           const char *key, int depth, mc_stack_known_fn known, void *ud,
                           size_t self, struct mc_err *err)
{
    size_t *k, n, i = 0;
    const cJSON *e;
    mcred_rc rc = MCRED_OK;

    if (!cJSON_IsArray(list))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected an array of rules", path,
                          key);
    n = (size_t)cJSON_GetArraySize(list);
    if (n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: an empty list", path, key);
    if (n > MC_STACK_MAX_NODES)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%s.%s: more than %d rules", path, key,
                          MC_STACK_MAX_NODES);
    k = mc_allocarray(n, sizeof(*k));
    if (!k)
        return mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
    cJSON_ArrayForEach(e, list) {
        char sub[512];

        snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, key, i);
        rc = parse_node(s, e, sub, depth + 1, known, ud, &k[i++], err);
        if (rc)
            break;
    }
    if (!rc)
        rc = add_kids(s, k, n, &s->nodes[self].first, err);
    if (!rc)
        s->nodes[self].nkids = n;
    mc_free(k);
    return rc;
}

static mcred_rc opt_str(struct mc_stack *s, const cJSON *r, const char *key, const char *path,
                        const char **out, struct mc_err *err)
{
    const cJSON *v = mc_json_get(r, key);

    *out = NULL;
    if (!v)
        return MCRED_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > 2048)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected a non-empty string (at most "
                                                  "2048 bytes)", path, key);
    *out = keep(s, v->valuestring);
    return *out ? MCRED_OK : mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
}

static mcred_rc parse_node(struct mc_stack *s, const cJSON *r, const char *path, int depth,
                           mc_stack_known_fn known, void *ud, size_t *out,
                           struct mc_err *err)
{
    static const char *const leaf_keys[] = { "achievement", "issuer", "after", "credits", NULL };
    static const char *const all_keys[] = { "allOf", NULL };
    static const char *const any_keys[] = { "anyOf", NULL };
    static const char *const nof_keys[] = { "nOf", "of", NULL };
    static const char *const cred_keys[] = { "minCredits", "of", NULL };
    const char *bad = NULL;
    size_t self = 0;
    struct node *nd;
    mcred_rc rc;

    if (depth > MC_STACK_MAX_DEPTH)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%s: rules nested deeper than %d", path,
                          MC_STACK_MAX_DEPTH);
    if (!cJSON_IsObject(r))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: expected a rule (an object)", path);
    rc = new_node(s, &self, err);
    if (rc)
        return rc;
    *out = self;
    if (mc_json_get(r, "achievement")) {
        const cJSON *cr = mc_json_get(r, "credits");
        const char *ach, *iss, *after;

        if (!only_keys(r, leaf_keys, &bad))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown member '%s' in a component",
                              path, bad);
        rc = opt_str(s, r, "achievement", path, &ach, err);
        if (!rc)
            rc = opt_str(s, r, "issuer", path, &iss, err);
        if (!rc)
            rc = opt_str(s, r, "after", path, &after, err);
        if (rc)
            return rc;
        if (cr && (!cJSON_IsNumber(cr) || !(cr->valuedouble >= 0) || cr->valuedouble > 1e6))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.credits: expected a number from 0 to "
                                                      "1000000", path);
        if (known && !known(ud, ach))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.achievement: unknown achievement '%s'",
                              path, ach);
        nd = &s->nodes[self];
        nd->kind = K_LEAF;
        nd->ach = ach;
        nd->issuer = iss;
        nd->after = after;
        nd->credits = cr ? cr->valuedouble : -1;
        return MCRED_OK;
    }
    if (mc_json_get(r, "allOf")) {
        if (!only_keys(r, all_keys, &bad))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown member '%s' beside allOf",
                              path, bad);
        s->nodes[self].kind = K_ALL;
        return parse_list(s, mc_json_get(r, "allOf"), path, "allOf", depth, known, ud, self,
                          err);
    }
    if (mc_json_get(r, "anyOf")) {
        if (!only_keys(r, any_keys, &bad))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown member '%s' beside anyOf",
                              path, bad);
        s->nodes[self].kind = K_ANY;
        return parse_list(s, mc_json_get(r, "anyOf"), path, "anyOf", depth, known, ud, self,
                          err);
    }
    if (mc_json_get(r, "nOf") || mc_json_get(r, "minCredits")) {
        bool nof = mc_json_get(r, "nOf") != NULL;
        const cJSON *v = mc_json_get(r, nof ? "nOf" : "minCredits");

        if (!only_keys(r, nof ? nof_keys : cred_keys, &bad))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown member '%s' beside %s", path,
                              bad, nof ? "nOf" : "minCredits");
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 1e9 ||
            (nof && v->valuedouble != floor(v->valuedouble)))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected a positive %s", path,
                              nof ? "nOf" : "minCredits", nof ? "integer" : "number");
        s->nodes[self].kind = nof ? K_NOF : K_CREDITS;
        rc = parse_list(s, mc_json_get(r, "of"), path, "of", depth, known, ud, self, err);
        if (rc)
            return rc;
        nd = &s->nodes[self];
        if (nof) {
            nd->n = (size_t)v->valuedouble;
            if (nd->n > nd->nkids)
                return mc_err_set(err, MCRED_ERR_INVALID, "%s.nOf: %zu of only %zu rules", path,
                                  nd->n, nd->nkids);
        } else {
            nd->min = v->valuedouble;
        }
        return MCRED_OK;
    }
    return mc_err_set(err, MCRED_ERR_INVALID, "%s: expected one of achievement, allOf, anyOf, "
                                              "nOf, minCredits", path);
}

/* --- prerequisite cycles and the component list -------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static mcred_rc collect_uris(struct mc_stack *s, struct mc_err *err)
{
    size_t i, j;

    s->uris = mc_allocarray(s->nn ? s->nn : 1, sizeof(*s->uris));
    if (!s->uris)
        return mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
    for (i = 0; i < s->nn; i++) {
        bool seen = false;

        if (s->nodes[i].kind != K_LEAF)
            continue;
        for (j = 0; j < s->nuris && !seen; j++)
            seen = strcmp(s->uris[j], s->nodes[i].ach) == 0;
        if (!seen)
            s->uris[s->nuris++] = s->nodes[i].ach;
    }
    return MCRED_OK;
}

/* Generic: DFS over edges sorted by from (white 0, grey 1, black 2). */
struct graph {
    const struct mc_stack_edge *e;   /* sorted by from */
    size_t n;
    const char **nodes;              /* sorted distinct names */
    size_t nn;
    unsigned char *color;
    size_t *parent;
};

static size_t find_node(const struct graph *g, const char *name)
{
    const char **hit = bsearch(&name, g->nodes, g->nn, sizeof(*g->nodes), cmp_str);

    return hit ? (size_t)(hit - g->nodes) : (size_t)-1;
}

static int cmp_edge(const void *a, const void *b)
{
    const struct mc_stack_edge *x = a, *y = b;
    int c = strcmp(x->from, y->from);

    return c ? c : strcmp(x->to, y->to);
}

static mcred_rc cycles(const struct mc_stack_edge *in, size_t n, const char *what,
                       struct mc_err *err)
{
    struct graph g;
    struct mc_stack_edge *e = NULL;
    size_t *stack = NULL, *iter = NULL, i, k;
    mcred_rc rc = MCRED_OK;

    memset(&g, 0, sizeof(g));
    if (n == 0)
        return MCRED_OK;
    e = mc_allocarray(n, sizeof(*e));
    g.nodes = mc_allocarray(2 * n, sizeof(*g.nodes));
    if (!e || !g.nodes) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(e, in, n * sizeof(*e));
    qsort(e, n, sizeof(*e), cmp_edge);
    for (i = 0; i < n; i++) {
        g.nodes[g.nn++] = e[i].from;
        g.nodes[g.nn++] = e[i].to;
    }
    qsort(g.nodes, g.nn, sizeof(*g.nodes), cmp_str);
    for (i = k = 0; i < g.nn; i++)
        if (k == 0 || strcmp(g.nodes[k - 1], g.nodes[i]) != 0)
            g.nodes[k++] = g.nodes[i];
    g.nn = k;
    g.e = e;
    g.n = n;
    g.color = mc_calloc(g.nn, 1);
    g.parent = mc_allocarray(g.nn, sizeof(size_t));
    stack = mc_allocarray(g.nn, sizeof(size_t));
    iter = mc_allocarray(g.nn, sizeof(size_t));
    if (!g.color || !g.parent || !stack || !iter) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < g.nn && !rc; i++) {
        size_t sp = 0;

        if (g.color[i])
            continue;
        /* iterative DFS: iter[v] is the next edge index of v to look at */
        stack[sp++] = i;
        g.color[i] = 1;
        {
            struct mc_stack_edge key = { g.nodes[i], "" };
            size_t lo = 0, hi = n;

            while (lo < hi) {
                size_t mid = (lo + hi) / 2;

                if (strcmp(e[mid].from, key.from) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            iter[i] = lo;
        }
        while (sp && !rc) {
            size_t v = stack[sp - 1];

            if (iter[v] < n && strcmp(e[iter[v]].from, g.nodes[v]) == 0) {
                size_t w = find_node(&g, e[iter[v]++].to);

                if (g.color[w] == 1) {
                    rc = mc_err_set(err, MCRED_ERR_INVALID, "%s form a cycle: %s -> %s", what,
                                    g.nodes[v], g.nodes[w]);
                } else if (g.color[w] == 0) {
                    size_t lo = 0, hi = n;

                    while (lo < hi) {
                        size_t mid = (lo + hi) / 2;

                        if (strcmp(e[mid].from, g.nodes[w]) < 0)
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    iter[w] = lo;
                    g.color[w] = 1;
                    stack[sp++] = w;
                }
            } else {
                g.color[v] = 2;
                sp--;
            }
        }
    }
out:
    mc_free(e);
    mc_free(g.nodes);
    mc_free(g.color);
    mc_free(g.parent);
    mc_free(stack);
    mc_free(iter);
    return rc;
}

mcred_rc mc_stack_check_cycles(const struct mc_stack_edge *edges, size_t n, struct mc_err *err)
{
    return cycles(edges, n, "stacks", err);
}

static mcred_rc check_prereqs(struct mc_stack *s, struct mc_err *err)
{
    struct mc_stack_edge *e;
    size_t i, j, n = 0;
    mcred_rc rc;

    e = mc_allocarray(s->nn ? s->nn : 1, sizeof(*e));
    if (!e)
        return mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
    for (i = 0; i < s->nn; i++) {
        const struct node *nd = &s->nodes[i];
        bool member = false;

        if (nd->kind != K_LEAF || !nd->after)
            continue;
        for (j = 0; j < s->nuris && !member; j++)
            member = strcmp(s->uris[j], nd->after) == 0;
        if (!member) {
            mc_free(e);
            return mc_err_set(err, MCRED_ERR_INVALID, "component '%s': its prerequisite '%s' is "
                                                      "not a component of the stack", nd->ach,
                              nd->after);
        }
        if (strcmp(nd->after, nd->ach) == 0) {
            mc_free(e);
            return mc_err_set(err, MCRED_ERR_INVALID, "component '%s' is its own prerequisite",
                              nd->ach);
        }
        e[n].from = nd->ach;
        e[n].to = nd->after;
        n++;
    }
    rc = cycles(e, n, "prerequisites", err);
    mc_free(e);
    return rc;
}

mcred_rc mc_stack_parse(const cJSON *rule, mc_stack_known_fn known, void *ud,
                        struct mc_stack **out, struct mc_err *err)
{
    struct mc_stack *s = mc_calloc(1, sizeof(*s));
    mcred_rc rc;

    *out = NULL;
    if (!s)
        return mc_err_set(err, MCRED_ERR_NOMEM, "stack rule: out of memory");
    rc = parse_node(s, rule, "rule", 0, known, ud, &s->root, err);
    if (!rc)
        rc = collect_uris(s, err);
    if (!rc)
        rc = check_prereqs(s, err);
    if (rc) {
        mc_stack_free(s);
        return rc;
    }
    *out = s;
    return MCRED_OK;
}

void mc_stack_free(struct mc_stack *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->nstrs; i++)
        mc_free(s->strs[i]);
    mc_free(s->strs);
    mc_free(s->nodes);
    mc_free(s->kids);
    mc_free(s->uris);
    mc_free(s);
}

size_t mc_stack_components(const struct mc_stack *s, const char ***uris)
{
    *uris = s->uris;
    return s->nuris;
}

/* --- evaluation ----------------------------------------------------------------- */

struct nres {
    bool sat;
    size_t cost;       /* fewest further components to satisfy */
    double credits;    /* worth when satisfied */
    double potential;  /* worth once completed (for minCredits planning) */
    size_t held;       /* K_LEAF: index of the held credential used, or (size_t)-1 */
};

struct ev {
    const struct mc_stack *s;
    const struct mc_stack_held *held;
    size_t n;
    const struct mc_stack_eval_opts *o;
    struct nres *r;
    struct mc_stack_result *out;
    bool *used;        /* per held credential */
    bool *counted;     /* per held credential: satisfies some leaf */
    bool *todo;        /* per node (leaves) */
};

static bool usable(const struct ev *ev, const struct mc_stack_held *h)
{
    if (h->revoked || h->suspended)
        return false;
    if (ev->o->freshness && h->valid_until && h->valid_until <= ev->o->now)
        return false;
    return true;
}

/* The earliest usable credential of achievement uri (any issuer), or 0. */
static time_t earliest(const struct ev *ev, const char *uri)
{
    time_t best = 0;
    size_t i;

    for (i = 0; i < ev->n; i++) {
        const struct mc_stack_held *h = &ev->held[i];

        if (h->achievement && strcmp(h->achievement, uri) == 0 && usable(ev, h) &&
            (!best || h->issued < best))
            best = h->issued;
    }
    return best;
}

static mcred_rc why(struct ev *ev, const char *fmt, ...) MC_PRINTF(2, 3);
static mcred_rc why(struct ev *ev, const char *fmt, ...)
{
    struct mc_stack_result *o = ev->out;
    char line[1024], **nw, *d;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    nw = mc_realloc(o->why, (o->nwhy + 1) * sizeof(*nw));
    if (!nw)
        return MCRED_ERR_NOMEM;
    o->why = nw;
    d = mc_strdup(line);
    if (!d)
        return MCRED_ERR_NOMEM;
    o->why[o->nwhy++] = d;
    return MCRED_OK;
}

static mcred_rc eval_leaf(struct ev *ev, const struct node *nd, struct nres *r)
{
    const char *reason = "not held";
    time_t pre = nd->after ? earliest(ev, nd->after) : 0;
    size_t i, best = (size_t)-1;

    r->sat = false;
    r->held = (size_t)-1;
    for (i = 0; i < ev->n; i++) {
        const struct mc_stack_held *h = &ev->held[i];

        if (!h->achievement || strcmp(h->achievement, nd->ach) != 0)
            continue;
        if (nd->issuer && (!h->issuer || strcmp(h->issuer, nd->issuer) != 0)) {
            reason = "held, but from another issuer than the stack names";
            continue;
        }
        if (h->revoked) {
            reason = "held, but revoked";
            continue;
        }
        if (h->suspended) {
            reason = "held, but suspended";
            continue;
        }
        if (ev->o->freshness && h->valid_until && h->valid_until <= ev->o->now) {
            reason = "held, but expired";
            continue;
        }
        if (nd->after && (!pre || h->issued <= pre)) {
            reason = pre ? "held, but earned before its prerequisite" :
                           "held, but its prerequisite is not";
            continue;
        }
        if (best == (size_t)-1 || h->issued < ev->held[best].issued)
            best = i;
    }
    r->potential = nd->credits > 0 ? nd->credits : 0;
    if (best != (size_t)-1) {
        const struct mc_stack_held *h = &ev->held[best];

        r->sat = true;
        r->held = best;
        r->cost = 0;
        ev->counted[best] = true;
        r->credits = h->credits >= 0 ? h->credits : (nd->credits > 0 ? nd->credits : 0);
        r->potential = r->credits;
        return why(ev, "%s: counted (%s)", nd->ach, h->credential_id ? h->credential_id : "?");
    }
    r->cost = 1;
    r->credits = 0;
    return why(ev, "%s: %s", nd->ach, reason);
}

static size_t add_sat(size_t a, size_t b)
{
    return a > MC_STACK_UNREACHABLE - b ? MC_STACK_UNREACHABLE : a + b;
}

static int cmp_cost(const void *a, const void *b, const struct nres *r)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return r[x].cost < r[y].cost ? -1 : r[x].cost > r[y].cost ? 1 : x < y ? -1 : x > y;
}

/* qsort has no context: sort small index arrays by insertion. */
static void sort_by(size_t *k, size_t n, const struct nres *r, bool by_potential)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        size_t v = k[i];

        for (j = i; j > 0; j--) {
            bool before = by_potential ? r[v].potential > r[k[j - 1]].potential :
                                         cmp_cost(&v, &k[j - 1], r) < 0;
            if (!before)
                break;
            k[j] = k[j - 1];
        }
        k[j] = v;
    }
}

static mcred_rc eval_node(struct ev *ev, size_t id)
{
    const struct node *nd = &ev->s->nodes[id];
    struct nres *r = &ev->r[id];
    size_t i, nsat = 0, *k;
    mcred_rc rc;

    if (nd->kind == K_LEAF)
        return eval_leaf(ev, nd, r);
    for (i = 0; i < nd->nkids; i++) {
        rc = eval_node(ev, ev->s->kids[nd->first + i]);
        if (rc)
            return rc;
    }
    k = mc_allocarray(nd->nkids, sizeof(*k));
    if (!k)
        return MCRED_ERR_NOMEM;
    memcpy(k, ev->s->kids + nd->first, nd->nkids * sizeof(*k));
    r->credits = r->potential = 0;
    r->cost = 0;
    for (i = 0; i < nd->nkids; i++)
        nsat += ev->r[k[i]].sat;
    switch (nd->kind) {
    case K_ALL:
        r->sat = nsat == nd->nkids;
        for (i = 0; i < nd->nkids; i++) {
            r->cost = add_sat(r->cost, ev->r[k[i]].cost);
            r->credits += ev->r[k[i]].sat ? ev->r[k[i]].credits : 0;
            r->potential += ev->r[k[i]].potential;
        }
        break;
    case K_ANY:
    case K_NOF: {
        size_t need = nd->kind == K_ANY ? 1 : nd->n;

        sort_by(k, nd->nkids, ev->r, false);   /* cheapest first: satisfied ones cost 0 */
        r->sat = nsat >= need;
        for (i = 0; i < need; i++) {
            r->cost = add_sat(r->cost, ev->r[k[i]].cost);
            r->potential += ev->r[k[i]].potential;
        }
        for (i = 0; i < nd->nkids; i++)
            r->credits += ev->r[k[i]].sat ? ev->r[k[i]].credits : 0;
        break;
    }
    case K_CREDITS: {
        double have = 0;

        for (i = 0; i < nd->nkids; i++) {
            have += ev->r[k[i]].sat ? ev->r[k[i]].credits : 0;
            r->potential += ev->r[k[i]].potential;
        }
        r->credits = have;
        r->sat = have >= nd->min;
        if (!r->sat) {
            /* the fewest unfinished parts worth enough: largest worth first */
            double gap = nd->min - have;

            sort_by(k, nd->nkids, ev->r, true);
            for (i = 0; i < nd->nkids && gap > 0; i++) {
                if (ev->r[k[i]].sat || ev->r[k[i]].potential <= 0)
                    continue;
                r->cost = add_sat(r->cost, ev->r[k[i]].cost);
                gap -= ev->r[k[i]].potential;
            }
            if (gap > 0)
                r->cost = MC_STACK_UNREACHABLE;   /* these parts are not worth enough */
        }
        break;
    }
    case K_LEAF:
        break;
    }
    mc_free(k);
    return MCRED_OK;
}

/* Mark what a node uses (satisfied) or needs (the cheapest completion). */
static mcred_rc mark(struct ev *ev, size_t id)
{
    const struct node *nd = &ev->s->nodes[id];
    const struct nres *r = &ev->r[id];
    size_t i, *k, need = 0;
    mcred_rc rc = MCRED_OK;

    if (nd->kind == K_LEAF) {
        if (r->sat)
            ev->used[r->held] = true;
        else
            ev->todo[id] = true;
        return MCRED_OK;
    }
    k = mc_allocarray(nd->nkids, sizeof(*k));
    if (!k)
        return MCRED_ERR_NOMEM;
    memcpy(k, ev->s->kids + nd->first, nd->nkids * sizeof(*k));
    switch (nd->kind) {
    case K_ALL:
        need = nd->nkids;
        break;
    case K_ANY:
    case K_NOF:
        sort_by(k, nd->nkids, ev->r, false);
        need = nd->kind == K_ANY ? 1 : nd->n;
        break;
    case K_CREDITS:
        /* every satisfied part counts; unfinished ones largest first until enough */
        {
            double have = r->credits;

            sort_by(k, nd->nkids, ev->r, true);
            for (i = 0; i < nd->nkids && !rc; i++) {
                if (ev->r[k[i]].sat)
                    rc = mark(ev, k[i]);
                else if (have < nd->min && ev->r[k[i]].potential > 0) {
                    have += ev->r[k[i]].potential;
                    rc = mark(ev, k[i]);
                }
            }
            mc_free(k);
            return rc;
        }
    case K_LEAF:
        break;
    }
    for (i = 0; i < need && !rc; i++)
        rc = mark(ev, k[i]);
    mc_free(k);
    return rc;
}

mcred_rc mc_stack_eval(const struct mc_stack *s, const struct mc_stack_held *held, size_t n,
                       const struct mc_stack_eval_opts *o, struct mc_stack_result *out,
                       struct mc_err *err)
{
    struct ev ev;
    size_t i, nu = 0, nt = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (n > MC_STACK_MAX_HELD)
        return mc_err_set(err, MCRED_ERR_LIMIT, "stack: more than %d credentials to evaluate",
                          MC_STACK_MAX_HELD);
    memset(&ev, 0, sizeof(ev));
    ev.s = s;
    ev.held = held;
    ev.n = n;
    ev.o = o;
    ev.out = out;
    ev.r = mc_calloc(s->nn, sizeof(*ev.r));
    ev.used = mc_calloc(n ? n : 1, sizeof(bool));
    ev.counted = mc_calloc(n ? n : 1, sizeof(bool));
    ev.todo = mc_calloc(s->nn, sizeof(bool));
    rc = ev.r && ev.used && ev.counted && ev.todo ? MCRED_OK : MCRED_ERR_NOMEM;
    if (!rc)
        rc = eval_node(&ev, s->root);
    if (!rc)
        rc = mark(&ev, s->root);
    if (!rc) {
        out->satisfied = ev.r[s->root].sat;
        out->missing = ev.r[s->root].cost;
        for (i = 0; i < n; i++)
            nu += ev.used[i];
        for (i = 0; i < s->nn; i++)
            nt += ev.todo[i];
        out->used = mc_allocarray(nu ? nu : 1, sizeof(size_t));
        out->counted = mc_allocarray(n ? n : 1, sizeof(size_t));
        out->todo = mc_allocarray(nt ? nt : 1, sizeof(char *));
        if (!out->used || !out->counted || !out->todo)
            rc = MCRED_ERR_NOMEM;
    }
    if (!rc) {
        for (i = 0; i < n; i++) {
            if (ev.used[i])
                out->used[out->nused++] = i;
            if (ev.counted[i])
                out->counted[out->ncounted++] = i;
        }
        for (i = 0; i < s->nn; i++) {
            size_t j;
            bool dup = false;

            if (!ev.todo[i])
                continue;
            for (j = 0; j < out->ntodo && !dup; j++)
                dup = strcmp(out->todo[j], s->nodes[i].ach) == 0;
            if (!dup)
                out->todo[out->ntodo++] = s->nodes[i].ach;
        }
    }
    mc_free(ev.r);
    mc_free(ev.used);
    mc_free(ev.counted);
    mc_free(ev.todo);
    if (rc) {
        mc_stack_result_release(out);
        return mc_err_set(err, rc, "stack: out of memory");
    }
    return MCRED_OK;
}

void mc_stack_result_release(struct mc_stack_result *r)
{
    size_t i;

    for (i = 0; i < r->nwhy; i++)
        mc_free(r->why[i]);
    mc_free(r->why);
    mc_free(r->used);
    mc_free(r->counted);
    mc_free(r->todo);
    memset(r, 0, sizeof(*r));
}
