/* intern.c - the string set of intern.h: open addressing (linear probing)
 * over slots holding an id and the string's 32-bit hash, doubling at three
 * quarters full; strings live in 64 KiB chunks (a longer string gets a chunk
 * of its own) and are found again through a per-id pointer array.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "skills/intern.h"

#define CHUNK ((size_t)64 * 1024)

struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
};

struct slot {
    uint32_t id;     /* MC_INTERN_NONE: empty */
    uint32_t hash;
};

struct mc_intern {
    struct slot *t;        /* owned; cap slots, a power of two */
    size_t cap;
    const char **str;      /* owned array; str[id] points into a chunk */
    uint32_t *len;         /* len[id] */
    size_t n, ncap;        /* strings, and the arrays' capacity */
    struct chunk *chunks;  /* owned list, newest first */
    size_t bytes;
};

/* FNV-1a, 32 bits. The keys are taxonomy data and words; lookups of hostile
 * text never insert, so a flood of colliding keys cannot be forced here. */
static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

mcred_rc mc_intern_new(struct mc_intern **out)
{
    struct mc_intern *m = mc_calloc(1, sizeof(*m));
    size_t i;

    *out = NULL;
    if (!m)
        return MCRED_ERR_NOMEM;
    m->cap = 1024;
    m->t = mc_allocarray(m->cap, sizeof(*m->t));
    if (!m->t) {
        mc_free(m);
        return MCRED_ERR_NOMEM;
    }
    for (i = 0; i < m->cap; i++)
        m->t[i].id = MC_INTERN_NONE;
    m->bytes = m->cap * sizeof(*m->t);
    *out = m;
    return MCRED_OK;
}

void mc_intern_free(struct mc_intern *m)
{
    struct chunk *c, *next;

    if (!m)
        return;
    for (c = m->chunks; c; c = next) {
        next = c->next;
        mc_free(c);
    }
    mc_free(m->t);
    mc_free(m->str);
    mc_free(m->len);
    mc_free(m);
}

static size_t probe(const struct mc_intern *m, const char *s, size_t n, uint32_t h)
{
    size_t i = h & (m->cap - 1);

    for (;;) {
        const struct slot *sl = &m->t[i];

        if (sl->id == MC_INTERN_NONE)
            return i;
        if (sl->hash == h && m->len[sl->id] == n && memcmp(m->str[sl->id], s, n) == 0)
            return i;
        i = (i + 1) & (m->cap - 1);
    }
}

uint32_t mc_intern_find(const struct mc_intern *m, const char *s, size_t n)
{
    return m->t[probe(m, s, n, hash(s, n))].id;
}

static mcred_rc grow_table(struct mc_intern *m)
{
    size_t cap = m->cap * 2, i, j;
    struct slot *t = mc_allocarray(cap, sizeof(*t));

    if (!t)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < cap; i++)
        t[i].id = MC_INTERN_NONE;
    for (i = 0; i < m->cap; i++) {
        if (m->t[i].id == MC_INTERN_NONE)
            continue;
        j = m->t[i].hash & (cap - 1);
        while (t[j].id != MC_INTERN_NONE)
            j = (j + 1) & (cap - 1);
        t[j] = m->t[i];
    }
    m->bytes += (cap - m->cap) * sizeof(*t);
    mc_free(m->t);
    m->t = t;
    m->cap = cap;
    return MCRED_OK;
}

static mcred_rc grow_arrays(struct mc_intern *m)
{
    size_t ncap = m->ncap ? m->ncap * 2 : 256;
    const char **str = mc_allocarray(ncap, sizeof(*str));
    uint32_t *len = mc_allocarray(ncap, sizeof(*len));

    if (!str || !len) {
        mc_free(str);
        mc_free(len);
        return MCRED_ERR_NOMEM;
    }
    if (m->n) {
        memcpy(str, m->str, m->n * sizeof(*str));
        memcpy(len, m->len, m->n * sizeof(*len));
    }
    mc_free(m->str);
    mc_free(m->len);
    m->str = str;
    m->len = len;
    m->bytes += (ncap - m->ncap) * (sizeof(*str) + sizeof(*len));
    m->ncap = ncap;
    return MCRED_OK;
}

/* A copy of s[0..n) and a NUL in the chunks. */
static const char *store(struct mc_intern *m, const char *s, size_t n)
{
    struct chunk *c = m->chunks;
    char *p;

    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > CHUNK ? n + 1 : CHUNK;

        c = mc_malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = m->chunks;
        m->chunks = c;
        m->bytes += sizeof(*c) + cap;
    }
    p = c->data + c->used;
    memcpy(p, s, n);
    p[n] = '\0';
    c->used += n + 1;
    return p;
}

mcred_rc mc_intern_add(struct mc_intern *m, const char *s, size_t n, uint32_t *id, bool *added)
{
    uint32_t h = hash(s, n);
    size_t i = probe(m, s, n, h);
    const char *copy;
    mcred_rc rc;

    if (added)
        *added = false;
    if (m->t[i].id != MC_INTERN_NONE) {
        *id = m->t[i].id;
        return MCRED_OK;
    }
    *id = MC_INTERN_NONE;
    if (m->n >= MC_INTERN_MAX || n > UINT32_MAX)
        return MCRED_ERR_LIMIT;
    if ((m->n + 1) * 4 > m->cap * 3) {
        rc = grow_table(m);
        if (rc)
            return rc;
        i = probe(m, s, n, h);
    }
    if (m->n == m->ncap) {
        rc = grow_arrays(m);
        if (rc)
            return rc;
    }
    copy = store(m, s, n);
    if (!copy)
        return MCRED_ERR_NOMEM;
    m->str[m->n] = copy;
    m->len[m->n] = (uint32_t)n;
    m->t[i].id = (uint32_t)m->n;
    m->t[i].hash = h;
    *id = (uint32_t)m->n;
    m->n++;
    if (added)
        *added = true;
    return MCRED_OK;
}

const char *mc_intern_str(const struct mc_intern *m, uint32_t id)
{
    return id < m->n ? m->str[id] : NULL;
}

size_t mc_intern_len(const struct mc_intern *m, uint32_t id)
{
    return id < m->n ? m->len[id] : 0;
}

size_t mc_intern_count(const struct mc_intern *m)
{
    return m->n;
}

size_t mc_intern_bytes(const struct mc_intern *m)
{
    return m->bytes;
}
