/* plan.c - the planner's solver (plan.h): weighted set cover of a learner's
 * required skills by catalog entries, every chosen entry bringing the
 * prerequisites the learner lacks, then a calendar in prerequisite order.
 *
 * Design. The "pool" holds every entry that teaches a required skill (the
 * candidates) and every prerequisite they pull in. A candidate's closure
 * is itself plus its prerequisites, transitively, less what is held.
 * Reduction drops candidates another dominates (teaches a superset of
 * required skills with a closure costing no more than the candidate alone;
 * never one that is a prerequisite of another). Then:
 *  - exact (at most opts.exact_max branching candidates): branch and bound.
 *    At a node, take the uncovered skill with fewest usable candidates; some
 *    entry teaching it is in every solution, so branch on each, adding its
 *    closure, and forbid the ones tried in the later branches (each solution
 *    is explored once). Bound: the cost so far plus, for each uncovered
 *    skill, the least cost share (cost / uncovered skills taught) of an entry
 *    teaching it; this never exceeds the LP relaxation's value. The greedy
 *    plan is the first incumbent; past node_limit the best plan found is
 *    returned, not marked optimal.
 *  - greedy: repeatedly add the candidate (with its closure) of least added
 *    cost per newly covered required skill; then drop chosen entries that
 *    became redundant. Without prerequisites this is Chvatal's rule, at most
 *    H(d) times the optimum.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "skills/plan.h"

#define NONE MC_INTERN_NONE
#define DOMINANCE_MAX 2048    /* candidates compared pairwise for dominance */
#define EPS 1e-9

struct pent {                 /* one entry of the pool */
    uint32_t item;            /* catalog index */
    double obj;               /* its hours or cost */
    uint32_t *el;             /* required elements it teaches */
    size_t nel;
    uint32_t *clo;            /* candidates: the closure (pool indices, itself first) */
    size_t nclo;
    double clo_obj;
    bool cand, branch, is_prereq, blocked, closed;
};

struct solver {
    const struct mc_catalog *c;
    const struct mc_plan_opts *o;
    const struct mc_plan_need *need;
    struct pent *p;
    size_t np, capp;
    uint32_t *pool_of;        /* per catalog entry: pool index + 1, or 0 */
    uint32_t *stamp;          /* per catalog entry: closure walk marks */
    uint32_t stamp_now;
    uint8_t *held;            /* per catalog entry */
    struct mc_intern *held_uris;
    size_t ne;                /* elements: the required needs found in the catalog */
    uint32_t *el_need;        /* element -> need index; sorted by skill */
    uint32_t *el_skill;
    uint32_t *cnt;            /* per element: chosen entries teaching it (dead ones: 1) */
    uint32_t *el_stamp;
    uint32_t el_now;
    size_t nunc;              /* live elements not covered */
    uint8_t *chosen, *forbid; /* per pool entry */
    uint32_t *stack;          /* chosen pool entries in order */
    size_t nstack;
    double cost;              /* objective of the chosen */
    uint32_t *best;           /* the incumbent */
    size_t nbest;
    double best_obj;
    long best_lv;
    bool have_best;
    uint32_t *bc_at, *bc;     /* per element: branching candidates teaching it */
    double *share;            /* scratch per element */
    size_t work, nodes, limit;
    bool aborted;
    struct mc_err *err;
};

static mcred_rc work(struct solver *s, size_t n)
{
    s->work += n;
    if (s->work > MC_PLAN_MAX_WORK)
        return mc_err_set(s->err, MCRED_ERR_LIMIT, "the plan needs more than %zu steps: the "
                          "catalog or the target is too large", MC_PLAN_MAX_WORK);
    return MCRED_OK;
}

/* ---- the pool ------------------------------------------------------------------------- */

/* The required elements taught by catalog entry item, into *out (owned). */
static mcred_rc elements_of(struct solver *s, uint32_t item, uint32_t **out, size_t *n)
{
    const struct mc_catalog_item *it = &s->c->v[item];
    size_t i, lo, hi, k = 0, cap = 0;
    uint32_t *v = NULL;
    mcred_rc rc = work(s, it->nskills);

    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    for (i = 0; i < it->nskills; i++) {
        uint32_t sk = it->skills[i];

        lo = 0;
        hi = s->ne;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (s->el_skill[mid] < sk)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < s->ne && s->el_skill[lo] == sk; lo++) {
            if (k == cap) {
                size_t ncap = cap ? cap * 2 : 4;
                uint32_t *nv = mc_realloc(v, ncap * sizeof(*nv));

                if (!nv) {
                    mc_free(v);
                    return MCRED_ERR_NOMEM;
                }
                v = nv;
                cap = ncap;
            }
            v[k++] = (uint32_t)lo;
        }
    }
    *out = v;
    *n = k;
    return MCRED_OK;
}

/* The pool index of catalog entry item, added when absent. */
static mcred_rc pool_add(struct solver *s, uint32_t item, uint32_t *out)
{
    struct pent *e;
    mcred_rc rc;

    if (s->pool_of[item]) {
        *out = s->pool_of[item] - 1;
        return MCRED_OK;
    }
    if (s->np == s->capp) {
        size_t ncap = s->capp ? s->capp * 2 : 64;
        struct pent *v = mc_realloc(s->p, ncap * sizeof(*v));

        if (!v)
            return MCRED_ERR_NOMEM;
        s->p = v;
        s->capp = ncap;
    }
    e = &s->p[s->np];
    memset(e, 0, sizeof(*e));
    e->item = item;
    e->obj = s->o->minimize == MC_PLAN_COST ? s->c->v[item].cost : s->c->v[item].hours;
    rc = elements_of(s, item, &e->el, &e->nel);
    if (rc)
        return rc;
    s->pool_of[item] = (uint32_t)++s->np;
    *out = (uint32_t)(s->np - 1);
    return MCRED_OK;
}

/* Compute the closure of pool entry pi (depth first over prerequisites,
 * skipping held ones); blocked when a prerequisite is neither in the
 * catalog nor held. */
static mcred_rc close_entry(struct solver *s, uint32_t pi)
{
    const struct mc_catalog *c = s->c;
    uint32_t *todo = NULL, *clo = NULL, x, q;
    size_t ntodo = 0, cap = 0, nclo = 0, ccap = 0, j;
    bool blocked = false;
    mcred_rc rc = MCRED_OK;

    if (++s->stamp_now == 0) {
        memset(s->stamp, 0, c->n * sizeof(*s->stamp));
        s->stamp_now = 1;
    }
    x = s->p[pi].item;
    todo = mc_malloc(16 * sizeof(*todo));
    if (!todo)
        return MCRED_ERR_NOMEM;
    cap = 16;
    todo[ntodo++] = x;
    s->stamp[x] = s->stamp_now;
    while (ntodo && !rc) {
        const struct mc_catalog_item *it = &c->v[todo[--ntodo]];
        uint32_t item = todo[ntodo];

        rc = work(s, 1 + it->nprereq);
        if (!rc)
            rc = pool_add(s, item, &q);
        if (!rc && nclo == ccap) {
            size_t ncap = ccap ? ccap * 2 : 4;
            uint32_t *v = mc_realloc(clo, ncap * sizeof(*v));

            if (v) {
                clo = v;
                ccap = ncap;
            } else {
                rc = MCRED_ERR_NOMEM;
            }
        }
        if (rc)
            break;
        clo[nclo++] = q;
        if (q != pi)
            s->p[q].is_prereq = true;
        for (j = 0; j < it->nprereq; j++) {
            uint32_t pr = it->prereq[j];

            if (pr == NONE) {
                const char *u = it->prereq_uri[j];

                if (mc_intern_find(s->held_uris, u, strlen(u)) == NONE)
                    blocked = true;
                continue;
            }
            if (s->held[pr] || s->stamp[pr] == s->stamp_now)
                continue;
            s->stamp[pr] = s->stamp_now;
            if (ntodo == cap) {
                uint32_t *v = mc_realloc(todo, cap * 2 * sizeof(*v));

                if (!v) {
                    rc = MCRED_ERR_NOMEM;
                    break;
                }
                todo = v;
                cap *= 2;
            }
            todo[ntodo++] = pr;
        }
    }
    mc_free(todo);
    if (rc) {
        mc_free(clo);
        return rc;
    }
    s->p[pi].clo = clo;
    s->p[pi].nclo = nclo;
    s->p[pi].blocked = blocked;
    s->p[pi].closed = true;
    s->p[pi].clo_obj = 0;
    for (j = 0; j < nclo; j++)
        s->p[pi].clo_obj += s->p[clo[j]].obj;
    return MCRED_OK;
}

/* Elements: required needs whose skill some catalog entry teaches, by skill. */
static int el_cmp_skill(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

static mcred_rc make_elements(struct solver *s, size_t nneed)
{
    const struct mc_catalog *c = s->c;
    uint32_t *pairs = mc_allocarray(nneed ? nneed * 2 : 2, sizeof(*pairs));
    size_t i, k = 0;

    if (!pairs)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < nneed; i++) {
        const char *u = s->need[i].uri;
        uint32_t sk = mc_intern_find(c->skills, u, strlen(u));

        if (!s->need[i].required || sk == NONE || c->post_at[sk + 1] == c->post_at[sk])
            continue;
        pairs[2 * k] = sk;
        pairs[2 * k + 1] = (uint32_t)i;
        k++;
    }
    qsort(pairs, k, 2 * sizeof(*pairs), el_cmp_skill);
    s->ne = k;
    s->el_need = mc_allocarray(k ? k : 1, sizeof(*s->el_need));
    s->el_skill = mc_allocarray(k ? k : 1, sizeof(*s->el_skill));
    s->cnt = mc_calloc(k ? k : 1, sizeof(*s->cnt));
    s->el_stamp = mc_calloc(k ? k : 1, sizeof(*s->el_stamp));
    s->share = mc_allocarray(k ? k : 1, sizeof(*s->share));
    if (!s->el_need || !s->el_skill || !s->cnt || !s->el_stamp || !s->share) {
        mc_free(pairs);
        return MCRED_ERR_NOMEM;
    }
    for (i = 0; i < k; i++) {
        s->el_skill[i] = pairs[2 * i];
        s->el_need[i] = pairs[2 * i + 1];
    }
    mc_free(pairs);
    return MCRED_OK;
}

/* Every non-held entry teaching an element joins the pool with its closure;
 * elements no usable candidate teaches are dead (cnt 1, never uncovered). */
static mcred_rc gather(struct solver *s)
{
    const struct mc_catalog *c = s->c;
    size_t e, j;
    uint32_t pi;
    mcred_rc rc;

    for (e = 0; e < s->ne; e++) {
        uint32_t sk = s->el_skill[e];

        if (e > 0 && s->el_skill[e - 1] == sk)
            continue;
        rc = work(s, c->post_at[sk + 1] - c->post_at[sk]);
        for (j = c->post_at[sk]; !rc && j < c->post_at[sk + 1]; j++) {
            uint32_t item = c->post[j];

            if (s->held[item])
                continue;
            rc = pool_add(s, item, &pi);
            if (!rc && !s->p[pi].closed)
                rc = close_entry(s, pi);
            if (!rc)
                s->p[pi].cand = !s->p[pi].blocked;
        }
        if (rc)
            return rc;
    }
    for (j = 0; j < s->np; j++) {
        for (e = 0; s->p[j].cand && e < s->p[j].nel; e++)
            s->cnt[s->p[j].el[e]] = 1;   /* coverable: mark for now */
    }
    for (e = 0; e < s->ne; e++) {
        s->cnt[e] = s->cnt[e] ? 0 : 1;   /* live: 0; dead: 1 */
        s->nunc += s->cnt[e] == 0;
    }
    return MCRED_OK;
}

/* ---- reduction ----------------------------------------------------------------------- */

static bool subset(const struct pent *a, const struct pent *b)
{
    size_t i = 0, j = 0;

    while (i < a->nel && j < b->nel) {
        if (a->el[i] == b->el[j]) {
            i++;
            j++;
        } else if (a->el[i] > b->el[j]) {
            j++;
        } else {
            return false;
        }
    }
    return i == a->nel;
}

/* d dominates x: x is never needed in an optimal plan when d is usable. */
static bool dominates(const struct pent *d, uint32_t di, const struct pent *x, uint32_t xi)
{
    if (d->clo_obj > x->obj + EPS || d->nel < x->nel || !subset(x, d))
        return false;
    if (d->clo_obj < x->obj - EPS || d->nel > x->nel)
        return true;
    /* equal sets, equal cost: the one with a closure costing more, else the later */
    if (x->clo_obj > d->clo_obj + EPS)
        return true;
    return x->clo_obj >= d->clo_obj - EPS && di < xi;
}

static mcred_rc reduce(struct solver *s, size_t *ncand, size_t *nbranch)
{
    size_t i, j, k = 0, n = 0;
    uint32_t *cands = mc_allocarray(s->np ? s->np : 1, sizeof(*cands));

    if (!cands)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < s->np; i++) {
        if (s->p[i].cand) {
            s->p[i].branch = true;
            cands[n++] = (uint32_t)i;
        }
    }
    *ncand = n;
    for (i = 0; n <= DOMINANCE_MAX && i < n; i++) {
        struct pent *x = &s->p[cands[i]];

        if (x->is_prereq)
            continue;
        for (j = 0; j < n; j++) {
            if (j != i && s->p[cands[j]].branch &&
                dominates(&s->p[cands[j]], cands[j], x, cands[i])) {
                x->branch = false;
                break;
            }
        }
    }
    for (i = 0; i < n; i++)
        k += s->p[cands[i]].branch;
    *nbranch = k;
    mc_free(cands);
    return MCRED_OK;
}

/* ---- choosing and undoing -------------------------------------------------------------- */

static void choose(struct solver *s, uint32_t x)
{
    struct pent *e = &s->p[x];
    size_t i;

    s->chosen[x] = 1;
    s->stack[s->nstack++] = x;
    s->cost += e->obj;
    for (i = 0; i < e->nel; i++) {
        if (s->cnt[e->el[i]]++ == 0)
            s->nunc--;
    }
}

static void unchoose(struct solver *s, uint32_t x)
{
    struct pent *e = &s->p[x];
    size_t i;

    s->chosen[x] = 0;
    s->cost -= e->obj;
    for (i = 0; i < e->nel; i++) {
        if (--s->cnt[e->el[i]] == 0)
            s->nunc++;
    }
}

static void undo_to(struct solver *s, size_t depth)
{
    while (s->nstack > depth)
        unchoose(s, s->stack[--s->nstack]);
}

static void choose_closure(struct solver *s, uint32_t x)
{
    size_t i;

    for (i = 0; i < s->p[x].nclo; i++) {
        if (!s->chosen[s->p[x].clo[i]])
            choose(s, s->p[x].clo[i]);
    }
}

static long levels(const struct solver *s, const uint32_t *v, size_t n)
{
    long lv = 0;
    size_t i;

    for (i = 0; i < n; i++)
        lv += s->c->v[s->p[v[i]].item].level;
    return lv;
}

/* Keep the chosen set as the incumbent when it is better. */
static mcred_rc offer(struct solver *s)
{
    long lv = levels(s, s->stack, s->nstack);
    bool better = !s->have_best || s->cost < s->best_obj - EPS;

    if (!better && s->cost <= s->best_obj + EPS)
        better = s->nstack < s->nbest || (s->nstack == s->nbest && lv < s->best_lv);
    if (!better)
        return MCRED_OK;
    memcpy(s->best, s->stack, s->nstack * sizeof(*s->best));
    s->nbest = s->nstack;
    s->best_obj = s->cost;
    s->best_lv = lv;
    s->have_best = true;
    return MCRED_OK;
}

/* ---- greedy --------------------------------------------------------------------------- */

/* Added cost, newly covered elements and their weight of adding x's closure. */
static void gain(struct solver *s, uint32_t x, double *add, size_t *cnt, double *w,
                 size_t *added)
{
    const struct pent *e = &s->p[x];
    size_t i, j;

    *add = *w = 0;
    *cnt = *added = 0;
    if (++s->el_now == 0) {
        memset(s->el_stamp, 0, s->ne * sizeof(*s->el_stamp));
        s->el_now = 1;
    }
    for (i = 0; i < e->nclo; i++) {
        const struct pent *y = &s->p[e->clo[i]];

        if (s->chosen[e->clo[i]])
            continue;
        *add += y->obj;
        (*added)++;
        for (j = 0; j < y->nel; j++) {
            uint32_t el = y->el[j];

            if (s->cnt[el] || s->el_stamp[el] == s->el_now)
                continue;
            s->el_stamp[el] = s->el_now;
            (*cnt)++;
            *w += s->need[s->el_need[el]].weight;
        }
    }
}

/* x is a direct prerequisite of a chosen entry. */
static bool needed_by_chosen(const struct solver *s, uint32_t x)
{
    size_t i, j;

    for (i = 0; i < s->nstack; i++) {
        const struct mc_catalog_item *it = &s->c->v[s->p[s->stack[i]].item];

        if (!s->chosen[s->stack[i]])
            continue;
        for (j = 0; j < it->nprereq; j++) {
            if (it->prereq[j] == s->p[x].item)
                return true;
        }
    }
    return false;
}

static void drop_redundant(struct solver *s)
{
    size_t i, j, k = 0;

    for (i = s->nstack; i-- > 0;) {
        uint32_t x = s->stack[i];
        const struct pent *e = &s->p[x];
        bool need = false;

        for (j = 0; j < e->nel && !need; j++)
            need = s->cnt[e->el[j]] < 2;
        if (!need && !needed_by_chosen(s, x))
            unchoose(s, x);
    }
    for (i = 0; i < s->nstack; i++) {
        if (s->chosen[s->stack[i]])
            s->stack[k++] = s->stack[i];
    }
    s->nstack = k;
}

static mcred_rc greedy(struct solver *s)
{
    size_t i;
    mcred_rc rc;

    while (s->nunc > 0) {
        uint32_t pick = NONE;
        double b_add = 0, b_w = 0;
        size_t b_cnt = 0, b_added = 0;
        long b_lv = 0;

        rc = work(s, s->np);
        if (rc)
            return rc;
        for (i = 0; i < s->np; i++) {
            double add, w;
            size_t cnt, added;
            long lv;
            bool better;

            if (!s->p[i].branch || s->chosen[i])
                continue;
            rc = work(s, s->p[i].nclo + s->p[i].nel);
            if (rc)
                return rc;
            gain(s, (uint32_t)i, &add, &cnt, &w, &added);
            if (cnt == 0)
                continue;
            lv = s->c->v[s->p[i].item].level;
            /* least cost per newly covered skill: add / cnt < b_add / b_cnt */
            better = pick == NONE || add * (double)b_cnt < b_add * (double)cnt - EPS;
            if (!better && pick != NONE && fabs(add * (double)b_cnt - b_add * (double)cnt) <= EPS)
                better = w > b_w + EPS ||
                         (fabs(w - b_w) <= EPS && (added < b_added ||
                                                   (added == b_added && lv < b_lv)));
            if (better) {
                pick = (uint32_t)i;
                b_add = add;
                b_cnt = cnt;
                b_w = w;
                b_added = added;
                b_lv = lv;
            }
        }
        if (pick == NONE)
            return mc_err_set(s->err, MCRED_ERR_INTERNAL, "plan: a coverable skill has no "
                              "candidate");
        choose_closure(s, pick);
    }
    drop_redundant(s);
    return offer(s);
}

/* ---- branch and bound ---------------------------------------------------------------- */

/* The cost so far plus the per-skill share bound; INFINITY when an uncovered
 * skill has no usable entry left. */
static double bound(struct solver *s)
{
    double lb = s->cost;
    size_t i, j, e;

    for (e = 0; e < s->ne; e++)
        s->share[e] = INFINITY;
    for (i = 0; i < s->np; i++) {
        const struct pent *x = &s->p[i];
        size_t u = 0;

        if (s->chosen[i] || s->forbid[i] || x->blocked)
            continue;
        for (j = 0; j < x->nel; j++)
            u += s->cnt[x->el[j]] == 0;
        for (j = 0; u && j < x->nel; j++) {
            if (s->cnt[x->el[j]] == 0 && x->obj / (double)u < s->share[x->el[j]])
                s->share[x->el[j]] = x->obj / (double)u;
        }
    }
    for (e = 0; e < s->ne; e++) {
        if (s->cnt[e] == 0)
            lb += s->share[e];
    }
    return lb;
}

static void branch(struct solver *s)
{
    size_t e, i, pick = SIZE_MAX, best_n = SIZE_MAX, depth = s->nstack;
    uint32_t *tried;

    if (s->aborted)
        return;
    if (++s->nodes > s->limit) {
        s->aborted = true;
        return;
    }
    if (s->nunc == 0) {
        (void)offer(s);
        return;
    }
    if (bound(s) > s->best_obj + EPS * (1 + s->best_obj))
        return;
    for (e = 0; e < s->ne && best_n > 1; e++) {
        size_t n = 0;

        if (s->cnt[e])
            continue;
        for (i = s->bc_at[e]; i < s->bc_at[e + 1]; i++)
            n += !s->forbid[s->bc[i]];
        if (n < best_n) {
            best_n = n;
            pick = e;
        }
    }
    if (best_n == 0)
        return;
    tried = &s->bc[s->bc_at[pick]];
    for (i = 0; i < s->bc_at[pick + 1] - s->bc_at[pick]; i++) {
        uint32_t x = tried[i];
        size_t j;
        bool ok = true;

        if (s->forbid[x])
            continue;
        for (j = 0; j < s->p[x].nclo && ok; j++)
            ok = !s->forbid[s->p[x].clo[j]];
        if (ok) {
            choose_closure(s, x);
            branch(s);
            undo_to(s, depth);
        }
        s->forbid[x] = 1;
    }
    for (i = 0; i < s->bc_at[pick + 1] - s->bc_at[pick]; i++)
        s->forbid[tried[i]] = 0;
}

/* Branching order: the cheaper closure first, then the one teaching more. */
static int bc_cmp(const struct solver *s, uint32_t a, uint32_t b)
{
    const struct pent *x = &s->p[a], *y = &s->p[b];

    if (fabs(x->clo_obj - y->clo_obj) > EPS)
        return x->clo_obj < y->clo_obj ? -1 : 1;
    if (x->nel != y->nel)
        return x->nel > y->nel ? -1 : 1;
    return a < b ? -1 : a > b;
}

static mcred_rc branch_lists(struct solver *s)
{
    size_t i, j, total = 0;
    uint32_t *fill;

    s->bc_at = mc_calloc(s->ne + 1, sizeof(*s->bc_at));
    if (!s->bc_at)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < s->np; i++) {
        for (j = 0; s->p[i].branch && j < s->p[i].nel; j++) {
            s->bc_at[s->p[i].el[j] + 1]++;
            total++;
        }
    }
    for (i = 0; i < s->ne; i++)
        s->bc_at[i + 1] += s->bc_at[i];
    s->bc = mc_allocarray(total ? total : 1, sizeof(*s->bc));
    fill = mc_allocarray(s->ne ? s->ne : 1, sizeof(*fill));
    if (!s->bc || !fill) {
        mc_free(fill);
        return MCRED_ERR_NOMEM;
    }
    memcpy(fill, s->bc_at, s->ne * sizeof(*fill));
    for (i = 0; i < s->np; i++) {
        for (j = 0; s->p[i].branch && j < s->p[i].nel; j++)
            s->bc[fill[s->p[i].el[j]]++] = (uint32_t)i;
    }
    mc_free(fill);
    /* each list in branching order (insertion sort: the lists are short
     * where it matters, and qsort has no context argument) */
    for (i = 0; i < s->ne; i++) {
        uint32_t *v = &s->bc[s->bc_at[i]];
        size_t n = s->bc_at[i + 1] - s->bc_at[i], a, b;

        if (n > 64)
            continue;   /* only the exact search uses the order */
        for (a = 1; a < n; a++) {
            uint32_t t = v[a];

            for (b = a; b > 0 && bc_cmp(s, v[b - 1], t) > 0; b--)
                v[b] = v[b - 1];
            v[b] = t;
        }
    }
    return MCRED_OK;
}

/* ---- the result ------------------------------------------------------------------------- */

void mc_plan_release(struct mc_plan *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n; i++) {
        mc_free(p->v[i].covers);
        mc_free(p->v[i].prereq_of);
    }
    mc_free(p->v);
    mc_free(p->uncovered);
    memset(p, 0, sizeof(*p));
}

/* Calendar order: prerequisites first; among the ready ones the lower
 * level, then the one teaching more required skills, then catalog order. */
static mcred_rc order_steps(struct solver *s, uint32_t *ord)
{
    size_t n = s->nbest, k, i, j;
    uint8_t *done = mc_calloc(n ? n : 1, 1);

    if (!done)
        return MCRED_ERR_NOMEM;
    for (k = 0; k < n; k++) {
        size_t pick = SIZE_MAX;

        for (i = 0; i < n; i++) {
            const struct mc_catalog_item *it = &s->c->v[s->p[s->best[i]].item];
            bool ready = !done[i];

            for (j = 0; ready && j < it->nprereq; j++) {
                size_t q;

                for (q = 0; q < n; q++) {
                    if (!done[q] && s->p[s->best[q]].item == it->prereq[j])
                        ready = false;
                }
            }
            if (!ready)
                continue;
            if (pick == SIZE_MAX) {
                pick = i;
            } else {
                const struct pent *a = &s->p[s->best[i]], *b = &s->p[s->best[pick]];
                int la = s->c->v[a->item].level, lb = s->c->v[b->item].level;

                if (la < lb || (la == lb && (a->nel > b->nel ||
                                             (a->nel == b->nel && a->item < b->item))))
                    pick = i;
            }
        }
        if (pick == SIZE_MAX) {
            mc_free(done);
            return MCRED_ERR_INTERNAL;   /* a cycle: refused by mc_catalog_build */
        }
        done[pick] = 1;
        ord[k] = s->best[pick];
    }
    mc_free(done);
    return MCRED_OK;
}

static mcred_rc push_u32(uint32_t **v, size_t *n, uint32_t x)
{
    uint32_t *nv = mc_realloc(*v, (*n + 1) * sizeof(*nv));

    if (!nv)
        return MCRED_ERR_NOMEM;
    nv[(*n)++] = x;
    *v = nv;
    return MCRED_OK;
}

#define LAST_DAY 2932896   /* 9999-12-31 */

static mcred_rc fill_steps(struct solver *s, size_t nneed, struct mc_plan *out)
{
    const struct mc_catalog *c = s->c;
    uint32_t *ord = mc_allocarray(s->nbest ? s->nbest : 1, sizeof(*ord));
    int64_t day = s->o->start_day;
    size_t i, j, k;
    mcred_rc rc;

    if (!ord)
        return MCRED_ERR_NOMEM;
    rc = order_steps(s, ord);
    out->v = rc ? NULL : mc_calloc(s->nbest ? s->nbest : 1, sizeof(*out->v));
    if (!rc && !out->v)
        rc = MCRED_ERR_NOMEM;
    for (i = 0; !rc && i < s->nbest; i++) {
        struct mc_plan_step *st = &out->v[out->n++];
        const struct mc_catalog_item *it = &c->v[s->p[ord[i]].item];
        double days = ceil(it->hours * 7.0 / s->o->hours_per_week - EPS);

        st->item = s->p[ord[i]].item;
        out->hours += it->hours;
        out->cost += it->cost;
        st->start_day = day;
        if (days < 1)
            days = 1;
        if (days > (double)(LAST_DAY + 1 - day))
            rc = mc_err_set(s->err, MCRED_ERR_INVALID, "the plan would end after 9999-12-31 "
                            "at %g hours a week", s->o->hours_per_week);
        else
            day += (int64_t)days;
        st->end_day = day;
        for (j = 0; !rc && j < nneed; j++) {
            const char *u = s->need[j].uri;
            uint32_t sk = mc_intern_find(c->skills, u, strlen(u));
            size_t lo = 0, hi = it->nskills;

            while (sk != NONE && lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (it->skills[mid] < sk)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (sk != NONE && lo < it->nskills && it->skills[lo] == sk)
                rc = push_u32(&st->covers, &st->ncovers, (uint32_t)j);
        }
    }
    for (i = 0; !rc && i < out->n; i++) {
        for (j = 0; !rc && j < out->n; j++) {
            const struct mc_catalog_item *it = &c->v[out->v[j].item];

            for (k = 0; !rc && k < it->nprereq; k++) {
                if (it->prereq[k] == out->v[i].item)
                    rc = push_u32(&out->v[i].prereq_of, &out->v[i].nprereq_of, (uint32_t)j);
            }
        }
    }
    out->end_day = day;
    mc_free(ord);
    return rc;
}

static mcred_rc coverage(struct solver *s, size_t nneed, struct mc_plan *out)
{
    uint8_t *mark = mc_calloc(nneed ? nneed : 1, 1);   /* 1 taught by the plan, 2 coverable */
    size_t i, j;
    mcred_rc rc = MCRED_OK;

    if (!mark)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < out->n; i++) {
        for (j = 0; j < out->v[i].ncovers; j++)
            mark[out->v[i].covers[j]] |= 1;
    }
    /* live elements: cnt 0 once the search has undone its choices */
    for (i = 0; i < s->ne; i++) {
        if (s->cnt[i] == 0) {
            mark[s->el_need[i]] |= 2;
            out->coverable++;
            out->coverable_w += s->need[s->el_need[i]].weight;
        }
    }
    for (i = 0; !rc && i < nneed; i++) {
        const struct mc_plan_need *n = &s->need[i];

        if (!n->required) {
            out->optional_covered += mark[i] & 1;
            continue;
        }
        out->required++;
        out->required_w += n->weight;
        if (mark[i] & 1) {
            out->covered++;
            out->covered_w += n->weight;
        }
        if (!(mark[i] & 2))
            rc = push_u32(&out->uncovered, &out->nuncovered, (uint32_t)i);
    }
    mc_free(mark);
    return rc;
}

static void solver_release(struct solver *s)
{
    size_t i;

    for (i = 0; i < s->np; i++) {
        mc_free(s->p[i].el);
        mc_free(s->p[i].clo);
    }
    mc_free(s->p);
    mc_free(s->pool_of);
    mc_free(s->stamp);
    mc_free(s->held);
    mc_intern_free(s->held_uris);
    mc_free(s->el_need);
    mc_free(s->el_skill);
    mc_free(s->cnt);
    mc_free(s->el_stamp);
    mc_free(s->share);
    mc_free(s->chosen);
    mc_free(s->forbid);
    mc_free(s->stack);
    mc_free(s->best);
    mc_free(s->bc_at);
    mc_free(s->bc);
}

static mcred_rc check_input(const struct mc_catalog *c, const struct mc_plan_need *need,
                            size_t nneed, const struct mc_plan_opts *o, struct mc_err *err)
{
    size_t i;

    if (!c || !c->built)
        return mc_err_set(err, MCRED_ERR_INVALID, "plan: the catalog is not built");
    if (!o || !isfinite(o->hours_per_week) || o->hours_per_week <= 0 ||
        o->hours_per_week > 168)
        return mc_err_set(err, MCRED_ERR_INVALID, "hours per week must be a number above 0 "
                          "and at most 168");
    if (o->start_day < 0 || o->start_day > LAST_DAY)
        return mc_err_set(err, MCRED_ERR_INVALID, "the start date must be from 1970-01-01 to "
                          "9999-12-31");
    if (nneed > MC_PLAN_MAX_NEEDS)
        return mc_err_set(err, MCRED_ERR_INVALID, "a plan takes at most %zu target skills",
                          MC_PLAN_MAX_NEEDS);
    for (i = 0; i < nneed; i++) {
        if (!need[i].uri || !isfinite(need[i].weight) || need[i].weight < 0)
            return mc_err_set(err, MCRED_ERR_INVALID, "target skill %zu has no URI or a bad "
                              "weight", i);
    }
    return MCRED_OK;
}

static mcred_rc solver_init(struct solver *s, const struct mc_catalog *c,
                            const char *const *held, size_t nheld)
{
    size_t i;
    uint32_t id;

    s->pool_of = mc_calloc(c->n ? c->n : 1, sizeof(*s->pool_of));
    s->stamp = mc_calloc(c->n ? c->n : 1, sizeof(*s->stamp));
    s->held = mc_calloc(c->n ? c->n : 1, 1);
    if (!s->pool_of || !s->stamp || !s->held || mc_intern_new(&s->held_uris))
        return MCRED_ERR_NOMEM;
    for (i = 0; i < nheld; i++) {
        if (!held[i])
            continue;
        if (mc_intern_add(s->held_uris, held[i], strlen(held[i]), &id, NULL))
            return MCRED_ERR_NOMEM;
        id = mc_catalog_find(c, held[i]);
        if (id != NONE)
            s->held[id] = 1;
    }
    return MCRED_OK;
}

static mcred_rc search(struct solver *s, struct mc_plan *out)
{
    size_t i, d = 0;
    bool prereqs = false;
    mcred_rc rc;

    s->chosen = mc_calloc(s->np ? s->np : 1, 1);
    s->forbid = mc_calloc(s->np ? s->np : 1, 1);
    s->stack = mc_allocarray(s->np ? s->np : 1, sizeof(*s->stack));
    s->best = mc_allocarray(s->np ? s->np : 1, sizeof(*s->best));
    if (!s->chosen || !s->forbid || !s->stack || !s->best)
        return MCRED_ERR_NOMEM;
    rc = branch_lists(s);
    if (rc)
        return rc;
    for (i = 0; i < s->np; i++) {
        if (s->p[i].branch && s->p[i].nel > d)
            d = s->p[i].nel;
        if (s->p[i].cand && s->p[i].nclo > 1)
            prereqs = true;
    }
    out->lower_bound = bound(s);
    rc = greedy(s);
    if (rc)
        return rc;
    undo_to(s, 0);
    out->optimal = false;
    out->bound = prereqs ? 0.0 : mc_plan_harmonic(d);
    if (s->nunc > 0 && out->branching <= s->o->exact_max) {
        s->limit = s->o->node_limit ? s->o->node_limit : MC_PLAN_NODE_LIMIT;
        branch(s);
        out->nodes = s->nodes;
        if (!s->aborted) {
            out->optimal = true;
            out->bound = 1.0;
            out->lower_bound = s->best_obj;
        }
    } else if (s->nunc == 0) {
        out->optimal = true;     /* nothing to cover: the empty plan */
        out->bound = 1.0;
    }
    out->objective = s->have_best ? s->best_obj : 0;
    return MCRED_OK;
}

mcred_rc mc_plan_solve(const struct mc_catalog *c, const struct mc_plan_need *need,
                       size_t nneed, const char *const *held, size_t nheld,
                       const struct mc_plan_opts *o, struct mc_plan *out, struct mc_err *err)
{
    struct solver s;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    rc = check_input(c, need, nneed, o, err);
    if (rc)
        return rc;
    s.c = c;
    s.o = o;
    s.need = need;
    s.err = err;
    rc = solver_init(&s, c, held, nheld);
    if (!rc)
        rc = make_elements(&s, nneed);
    if (!rc)
        rc = gather(&s);
    if (!rc)
        rc = reduce(&s, &out->candidates, &out->branching);
    if (!rc)
        rc = search(&s, out);
    if (!rc)
        rc = fill_steps(&s, nneed, out);
    if (!rc)
        rc = coverage(&s, nneed, out);
    if (rc == MCRED_ERR_NOMEM)
        mc_err_set(err, rc, "out of memory planning");
    else if (rc == MCRED_ERR_INTERNAL && !err->msg[0])
        mc_err_set(err, rc, "plan: inconsistent prerequisites");
    solver_release(&s);
    if (rc)
        mc_plan_release(out);
    return rc;
}

void mc_plan_opts_init(struct mc_plan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->minimize = MC_PLAN_HOURS;
    o->hours_per_week = 10;
    o->exact_max = MC_PLAN_EXACT_MAX;
}

double mc_plan_harmonic(size_t d)
{
    double h = 0;
    size_t i;

    for (i = 1; i <= d; i++)
        h += 1.0 / (double)i;
    return d <= 1 ? 1.0 : h;
}

/* ---- dates (proleptic Gregorian, days since 1970-01-01) ------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void mc_plan_day_str(int64_t z, char out[11])
{
    int64_t era, y;
    unsigned doe, yoe, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    {
        char tmp[48];

        snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u", (int)y, m, d);
        mc_strlcpy(out, tmp, 11);
    }
}

bool mc_plan_day_parse(const char *s, int64_t *day)
{
    static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    unsigned y, m, d;
    size_t i;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    }
    y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
    m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    *day = days_from_civil(y, m, d);
    return true;
}
