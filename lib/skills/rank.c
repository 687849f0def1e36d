/* rank.c - the ranking engine of rank.h: a CSR inverted index, counters in
 * flat arrays, a bounded heap for the top N.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "skills/rank.h"

void mc_rank_index_release(struct mc_rank_index *ix)
{
    if (!ix)
        return;
    mc_free(ix->off);
    mc_free(ix->cand);
    mc_free(ix->level);
    memset(ix, 0, sizeof(*ix));
}

bool mc_rank_weight(double w, uint32_t *out)
{
    double t = w * 1000.0;

    if (!(w > 0.0) || !(t <= (double)MC_RANK_MAX_WEIGHT))
        return false;
    t = floor(t + 0.5);
    *out = t < 1.0 ? 1u : (uint32_t)t;
    return true;
}

static mcred_rc index_alloc(struct mc_rank_index *ix, uint32_t nitems, uint32_t ncand, size_t n,
                            bool levels, struct mc_err *err)
{
    memset(ix, 0, sizeof(*ix));
    ix->nitems = nitems;
    ix->ncand = ncand;
    ix->off = mc_calloc((size_t)nitems + 1, sizeof(*ix->off));
    ix->cand = mc_malloc((n ? n : 1) * sizeof(*ix->cand));
    if (levels)
        ix->level = mc_malloc((n ? n : 1) * sizeof(*ix->level));
    if (!ix->off || !ix->cand || (levels && !ix->level)) {
        mc_rank_index_release(ix);
        return mc_err_set(err, MCRED_ERR_NOMEM, "rank: out of memory building the index");
    }
    return MCRED_OK;
}

mcred_rc mc_rank_index_build(uint32_t nitems, uint32_t ncand, const struct mc_rank_posting *p,
                             size_t n, bool with_levels, struct mc_rank_index *ix,
                             struct mc_err *err)
{
    uint32_t *by_cand = NULL, *ccount = NULL, *pos = NULL;
    size_t i, j, k;
    mcred_rc rc;

    memset(ix, 0, sizeof(*ix));
    if (n >= UINT32_MAX)
        return mc_err_set(err, MCRED_ERR_LIMIT, "rank: %zu postings, more than the index holds",
                          n);
    for (i = 0; i < n; i++) {
        if (p[i].cand >= ncand || p[i].item >= nitems)
            return mc_err_set(err, MCRED_ERR_INVALID, "rank: posting %zu (candidate %u, item "
                              "%u) is out of range", i, p[i].cand, p[i].item);
    }
    rc = index_alloc(ix, nitems, ncand, n, with_levels, err);
    if (rc)
        return rc;
    /* counting sort by candidate, then a stable distribution by item: each
     * item's postings come out in ascending candidate order */
    by_cand = mc_malloc((n ? n : 1) * sizeof(*by_cand));
    ccount = mc_calloc((size_t)ncand + 1, sizeof(*ccount));
    pos = mc_malloc(((size_t)nitems + 1) * sizeof(*pos));
    if (!by_cand || !ccount || !pos) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "rank: out of memory building the index");
        goto out;
    }
    for (i = 0; i < n; i++)
        ccount[p[i].cand + 1]++;
    for (i = 0; i < ncand; i++)
        ccount[i + 1] += ccount[i];
    for (i = 0; i < n; i++)
        by_cand[ccount[p[i].cand]++] = (uint32_t)i;
    for (i = 0; i < n; i++)
        ix->off[p[i].item + 1]++;
    for (i = 0; i < nitems; i++)
        ix->off[i + 1] += ix->off[i];
    memcpy(pos, ix->off, ((size_t)nitems + 1) * sizeof(*pos));
    for (i = 0; i < n; i++) {
        const struct mc_rank_posting *q = &p[by_cand[i]];
        uint32_t at = pos[q->item]++;

        ix->cand[at] = q->cand;
        if (ix->level)
            ix->level[at] = q->level;
    }
    /* merge duplicate pairs (adjacent within an item), keeping the highest level */
    k = 0;
    for (i = 0; i < nitems; i++) {
        size_t lo = ix->off[i], hi = ix->off[i + 1];

        ix->off[i] = (uint32_t)k;
        for (j = lo; j < hi; j++) {
            if (k > ix->off[i] && ix->cand[k - 1] == ix->cand[j]) {
                if (ix->level && ix->level[j] > ix->level[k - 1])
                    ix->level[k - 1] = ix->level[j];
                continue;
            }
            ix->cand[k] = ix->cand[j];
            if (ix->level)
                ix->level[k] = ix->level[j];
            k++;
        }
    }
    ix->off[nitems] = (uint32_t)k;
out:
    mc_free(by_cand);
    mc_free(ccount);
    mc_free(pos);
    if (rc)
        mc_rank_index_release(ix);
    return rc;
}

mcred_rc mc_rank_index_build_csr(uint32_t nitems, uint32_t ncand, const uint64_t *coff,
                                 const uint32_t *items, struct mc_rank_index *ix,
                                 struct mc_err *err)
{
    uint32_t *pos;
    uint64_t n = coff[ncand], i;
    uint32_t c;
    mcred_rc rc;

    memset(ix, 0, sizeof(*ix));
    if (n >= UINT32_MAX)
        return mc_err_set(err, MCRED_ERR_LIMIT, "rank: %llu postings, more than the index "
                          "holds", (unsigned long long)n);
    for (c = 0; c < ncand; c++) {
        if (coff[c] > coff[c + 1])
            return mc_err_set(err, MCRED_ERR_INVALID, "rank: candidate %u: offsets decrease",
                              c);
        for (i = coff[c]; i < coff[c + 1]; i++) {
            if (items[i] >= nitems || (i > coff[c] && items[i] <= items[i - 1]))
                return mc_err_set(err, MCRED_ERR_INVALID, "rank: candidate %u: item list is "
                                  "not ascending within 0..%u", c, nitems);
        }
    }
    rc = index_alloc(ix, nitems, ncand, (size_t)n, false, err);
    if (rc)
        return rc;
    pos = mc_malloc(((size_t)nitems + 1) * sizeof(*pos));
    if (!pos) {
        mc_rank_index_release(ix);
        return mc_err_set(err, MCRED_ERR_NOMEM, "rank: out of memory building the index");
    }
    for (i = 0; i < n; i++)
        ix->off[items[i] + 1]++;
    for (c = 0; c < nitems; c++)
        ix->off[c + 1] += ix->off[c];
    memcpy(pos, ix->off, ((size_t)nitems + 1) * sizeof(*pos));
    for (c = 0; c < ncand; c++) {
        for (i = coff[c]; i < coff[c + 1]; i++)
            ix->cand[pos[items[i]]++] = c;
    }
    mc_free(pos);
    return MCRED_OK;
}

mcred_rc mc_rank_work_init(struct mc_rank_work *w, uint32_t ncand)
{
    memset(w, 0, sizeof(*w));
    w->ncand = ncand;
    w->score = mc_calloc((size_t)ncand + 1, sizeof(*w->score));
    w->req = mc_calloc((size_t)ncand + 1, sizeof(*w->req));
    w->touched = mc_malloc(((size_t)ncand + 1) * sizeof(*w->touched));
    if (!w->score || !w->req || !w->touched) {
        mc_rank_work_release(w);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

void mc_rank_work_release(struct mc_rank_work *w)
{
    if (!w)
        return;
    mc_free(w->score);
    mc_free(w->req);
    mc_free(w->touched);
    mc_free(w->heap);
    memset(w, 0, sizeof(*w));
}

bool mc_rank_before(const struct mc_rank_hit *a, const struct mc_rank_hit *b)
{
    if (a->complete != b->complete)
        return a->complete;
    if (a->score != b->score)
        return a->score > b->score;
    return a->cand < b->cand;
}

/* The heap keeps the worst hit at the root. */
static void sift_down(struct mc_rank_hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        struct mc_rank_hit t;

        if (l < n && mc_rank_before(&h[w], &h[l]))
            w = l;
        if (r < n && mc_rank_before(&h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(struct mc_rank_hit *h, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        struct mc_rank_hit t;

        if (!mc_rank_before(&h[parent], &h[i]))
            return;
        t = h[i];
        h[i] = h[parent];
        h[parent] = t;
        i = parent;
    }
}

static int hit_cmp(const void *a, const void *b)
{
    const struct mc_rank_hit *x = a, *y = b;

    if (mc_rank_before(x, y))
        return -1;
    return mc_rank_before(y, x) ? 1 : 0;
}

static mcred_rc check_needs(const struct mc_rank_index *ix, const struct mc_rank_need *needs,
                            size_t nneeds, size_t *nreq, struct mc_err *err)
{
    size_t i, j;

    if (nneeds > MC_RANK_MAX_NEEDS)
        return mc_err_set(err, MCRED_ERR_INVALID, "rank: %zu needs, more than %d", nneeds,
                          MC_RANK_MAX_NEEDS);
    *nreq = 0;
    for (i = 0; i < nneeds; i++) {
        if (needs[i].item >= ix->nitems)
            return mc_err_set(err, MCRED_ERR_INVALID, "rank: need %zu: item %u is out of "
                              "range", i, needs[i].item);
        if (needs[i].weight == 0 || needs[i].weight > MC_RANK_MAX_WEIGHT)
            return mc_err_set(err, MCRED_ERR_INVALID, "rank: need %zu: weight %u is outside "
                              "1..%u", i, needs[i].weight, MC_RANK_MAX_WEIGHT);
        for (j = 0; j < i; j++) {
            if (needs[j].item == needs[i].item)
                return mc_err_set(err, MCRED_ERR_INVALID, "rank: need %zu repeats item %u", i,
                                  needs[i].item);
        }
        if (needs[i].required)
            (*nreq)++;
    }
    return MCRED_OK;
}

mcred_rc mc_rank_query(const struct mc_rank_index *ix, struct mc_rank_work *w,
                       const struct mc_rank_need *needs, size_t nneeds,
                       enum mc_rank_policy policy, size_t top, struct mc_rank_hit *out,
                       size_t *n, struct mc_err *err)
{
    size_t nreq = 0, i, nh = 0;
    uint32_t c, j;
    mcred_rc rc;

    *n = 0;
    if (top == 0 || top > MC_RANK_MAX_TOP)
        return mc_err_set(err, MCRED_ERR_INVALID, "rank: top %zu is outside 1..%u", top,
                          MC_RANK_MAX_TOP);
    if (w->ncand != ix->ncand || !w->score)
        return mc_err_set(err, MCRED_ERR_INVALID, "rank: the work area is for %u candidates, "
                          "the index has %u", w->ncand, ix->ncand);
    rc = check_needs(ix, needs, nneeds, &nreq, err);
    if (rc)
        return rc;
    if (w->heap_cap < top) {
        struct mc_rank_hit *h = mc_realloc(w->heap, top * sizeof(*h));

        if (!h)
            return mc_err_set(err, MCRED_ERR_NOMEM, "rank: out of memory");
        w->heap = h;
        w->heap_cap = top;
    }
    /* count: one pass over each need's postings */
    w->ntouched = 0;
    for (i = 0; i < nneeds; i++) {
        const struct mc_rank_need *d = &needs[i];
        uint32_t lo = ix->off[d->item], hi = ix->off[d->item + 1];
        bool lv = ix->level && d->min_level > MC_RANK_NO_LEVEL;

        for (j = lo; j < hi; j++) {
            if (lv && !(ix->level[j] >= d->min_level))
                continue;
            c = ix->cand[j];
            if (w->score[c] == 0)
                w->touched[w->ntouched++] = c;
            w->score[c] += d->weight;
            w->req[c] += d->required;
        }
    }
    /* select: a heap of the best top, the worst at its root */
    for (i = 0; i < w->ntouched; i++) {
        struct mc_rank_hit h;

        c = w->touched[i];
        h.cand = c;
        h.score = w->score[c];
        h.required = w->req[c];
        h.complete = w->req[c] == nreq;
        if (!h.complete && policy == MC_RANK_EXCLUDE)
            continue;
        if (nh < top) {
            w->heap[nh] = h;
            sift_up(w->heap, nh++);
        } else if (mc_rank_before(&h, &w->heap[0])) {
            w->heap[0] = h;
            sift_down(w->heap, nh, 0);
        }
    }
    qsort(w->heap, nh, sizeof(*w->heap), hit_cmp);
    memcpy(out, w->heap, nh * sizeof(*out));
    /* candidates holding nothing come last, by id */
    if (nh < top && (nreq == 0 || policy == MC_RANK_BELOW)) {
        for (c = 0; c < ix->ncand && nh < top; c++) {
            if (w->score[c])
                continue;
            out[nh].cand = c;
            out[nh].score = 0;
            out[nh].required = 0;
            out[nh].complete = nreq == 0;
            nh++;
        }
    }
    /* reset only what this query touched */
    for (i = 0; i < w->ntouched; i++) {
        c = w->touched[i];
        w->score[c] = 0;
        w->req[c] = 0;
    }
    w->ntouched = 0;
    *n = nh;
    return MCRED_OK;
}
