/* skillset.c - sorted-array sets and bitsets of skill ids (skillset.h).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "skills/skillset.h"

void mc_skillset_release(struct mc_skillset *s)
{
    mc_free(s->v);
    memset(s, 0, sizeof(*s));
}

static mcred_rc reserve(struct mc_skillset *s, size_t n)
{
    size_t cap = s->cap ? s->cap : 16;
    uint32_t *v;

    if (n <= s->cap)
        return MCRED_OK;
    while (cap < n)
        cap *= 2;
    v = mc_realloc(s->v, cap * sizeof(*v));
    if (!v)
        return MCRED_ERR_NOMEM;
    s->v = v;
    s->cap = cap;
    return MCRED_OK;
}

mcred_rc mc_skillset_push(struct mc_skillset *s, uint32_t id)
{
    mcred_rc rc = reserve(s, s->n + 1);

    if (rc)
        return rc;
    s->v[s->n++] = id;
    return MCRED_OK;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

void mc_skillset_normalize(struct mc_skillset *s)
{
    size_t i, o = 0;

    if (s->n < 2)
        return;
    qsort(s->v, s->n, sizeof(*s->v), u32_cmp);
    for (i = 0; i < s->n; i++) {
        if (o == 0 || s->v[o - 1] != s->v[i])
            s->v[o++] = s->v[i];
    }
    s->n = o;
}

bool mc_skillset_has(const struct mc_skillset *s, uint32_t id)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->v[mid] == id)
            return true;
        if (s->v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

enum setop { OP_UNION, OP_MINUS, OP_AND };

static mcred_rc merge(const struct mc_skillset *a, const struct mc_skillset *b,
                      struct mc_skillset *out, enum setop op)
{
    size_t i = 0, j = 0;
    mcred_rc rc;

    out->n = 0;
    rc = reserve(out, op == OP_UNION ? a->n + b->n : a->n);
    if (rc)
        return rc;
    while (i < a->n || j < b->n) {
        if (j >= b->n || (i < a->n && a->v[i] < b->v[j])) {
            if (op != OP_AND)
                out->v[out->n++] = a->v[i];
            i++;
        } else if (i >= a->n || b->v[j] < a->v[i]) {
            if (op == OP_UNION)
                out->v[out->n++] = b->v[j];
            j++;
        } else {
            if (op != OP_MINUS)
                out->v[out->n++] = a->v[i];
            i++;
            j++;
        }
    }
    return MCRED_OK;
}

mcred_rc mc_skillset_union(const struct mc_skillset *a, const struct mc_skillset *b,
                           struct mc_skillset *out)
{
    return merge(a, b, out, OP_UNION);
}

mcred_rc mc_skillset_minus(const struct mc_skillset *a, const struct mc_skillset *b,
                           struct mc_skillset *out)
{
    return merge(a, b, out, OP_MINUS);
}

mcred_rc mc_skillset_intersect(const struct mc_skillset *a, const struct mc_skillset *b,
                               struct mc_skillset *out)
{
    return merge(a, b, out, OP_AND);
}

size_t mc_skillset_overlap(const struct mc_skillset *a, const struct mc_skillset *b)
{
    size_t i = 0, j = 0, k = 0;

    while (i < a->n && j < b->n) {
        if (a->v[i] < b->v[j]) {
            i++;
        } else if (b->v[j] < a->v[i]) {
            j++;
        } else {
            k++;
            i++;
            j++;
        }
    }
    return k;
}

mcred_rc mc_bitset_init(struct mc_bitset *b, size_t nbits)
{
    size_t words = (nbits + 63) / 64;

    b->nbits = 0;
    b->w = mc_calloc(words ? words : 1, sizeof(*b->w));
    if (!b->w)
        return MCRED_ERR_NOMEM;
    b->nbits = nbits;
    return MCRED_OK;
}

void mc_bitset_release(struct mc_bitset *b)
{
    mc_free(b->w);
    memset(b, 0, sizeof(*b));
}

void mc_bitset_from(struct mc_bitset *b, const struct mc_skillset *s)
{
    size_t i;

    memset(b->w, 0, ((b->nbits + 63) / 64) * sizeof(*b->w));
    for (i = 0; i < s->n; i++) {
        if (s->v[i] < b->nbits)
            b->w[s->v[i] >> 6] |= (uint64_t)1 << (s->v[i] & 63);
    }
}

size_t mc_bitset_and_count(const struct mc_bitset *a, const struct mc_bitset *b)
{
    size_t i, k = 0, words = ((a->nbits < b->nbits ? a->nbits : b->nbits) + 63) / 64;

    for (i = 0; i < words; i++)
        k += (size_t)__builtin_popcountll(a->w[i] & b->w[i]);
    return k;
}
