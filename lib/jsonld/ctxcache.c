/* ctxcache.c - where active contexts live: arenas, the open-addressing term
 * tables, the memo of context processing steps ("transitions") and the
 * processed-context cache shared between calls, plus the per-call state
 * (errors with their JSON path, the work bound).
 *
 * Design notes:
 * - Contexts, term definitions and their strings are never freed one by one:
 *   they sit in an arena, the call's scratch arena or a generation of the
 *   shared cache. A generation is reference-counted by the calls using it;
 *   past GEN_MAX_ENTRIES entries or GEN_MAX_BYTES the cache starts a new one
 *   and the old one goes when its last call ends, so memory stays bounded
 *   whatever the documents ask for.
 * - Contexts built by a call that may go into the cache are allocated in the
 *   call's own "pers" arena; it is handed to the generation at the end of the
 *   call if a transition of the call was published there, else freed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "jsonld/jsonld_int.h"

#define GEN_MAX_ENTRIES 4096
#define GEN_MAX_BYTES ((size_t)32 << 20)

/* --- arena --------------------------------------------------------------- */

struct jld_chunk {
    struct jld_chunk *next;
    size_t size;            /* bytes in data */
    size_t used;            /* bytes handed out */
    max_align_t data[];
};

#define ARENA_ALIGN (sizeof(max_align_t))
#define ARENA_CHUNK 8192

void *jld_alloc(struct jld_arena *a, size_t n)
{
    struct jld_chunk *c = a->head;
    size_t sz;
    void *p;

    n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (!c || c->size - c->used < n) {
        /* small first (a call that only reads the cache allocates little),
         * then doubling up to ARENA_CHUNK */
        sz = a->bytes < 512 ? 512 : a->bytes < ARENA_CHUNK ? a->bytes : ARENA_CHUNK;
        if (n > sz / 2)
            sz = n;
        c = mc_malloc(sizeof(*c) + sz);
        if (!c)
            return NULL;
        c->size = sz;
        c->used = 0;
        a->bytes += sz;
        /* a big one-off block goes behind the current chunk, which stays in use */
        if (a->head && sz == n) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

char *jld_strndup(struct jld_arena *a, const char *s, size_t n)
{
    char *p = jld_alloc(a, n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void arena_release(struct jld_arena *a)
{
    struct jld_chunk *c = a->head, *next;

    while (c) {
        next = c->next;
        mc_free(c);
        c = next;
    }
    a->head = NULL;
    a->bytes = 0;
}

/* Move all of src's chunks into dst. */
static void arena_merge(struct jld_arena *dst, struct jld_arena *src)
{
    struct jld_chunk *tail = src->head;

    if (!tail)
        return;
    while (tail->next)
        tail = tail->next;
    tail->next = dst->head;
    dst->head = src->head;
    dst->bytes += src->bytes;
    src->head = NULL;
    src->bytes = 0;
}

/* --- errors and work ----------------------------------------------------- */

/* "$.a.b[2]" for the current JSON path; the tail when too long. */
static void path_format(const struct jld_state *st, char *out, size_t n)
{
    char tmp[512];
    size_t len = 1, i;

    tmp[0] = '$';
    tmp[1] = '\0';
    for (i = 0; i < st->npath && i < JLD_MAX_PATH && len < sizeof(tmp) - 1; i++) {
        int k;

        if (st->path[i].key)
            k = snprintf(tmp + len, sizeof(tmp) - len, ".%s", st->path[i].key);
        else
            k = snprintf(tmp + len, sizeof(tmp) - len, "[%zu]", st->path[i].idx);
        if (k < 0)
            break;
        len += (size_t)k;
        if (len >= sizeof(tmp))
            len = sizeof(tmp) - 1;
    }
    if (len < n) {
        memcpy(out, tmp, len + 1);
    } else {
        memcpy(out, "...", 3);
        memcpy(out + 3, tmp + len - (n - 4), n - 4);
        out[n - 1] = '\0';
    }
}

mcred_rc jld_fail(struct jld_state *st, mcred_rc rc, const char *fmt, ...)
{
    char detail[200], path[96];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (!st->err)
        return rc;
    path_format(st, path, sizeof(path));
    if (st->in_url)
        return mc_err_set(st->err, rc, "%s at %s, in context '%.80s'", detail, path, st->in_url);
    return mc_err_set(st->err, rc, "%s at %s", detail, path);
}

mcred_rc jld_nomem(struct jld_state *st)
{
    return mc_err_set(st->err, MCRED_ERR_NOMEM, "out of memory during JSON-LD processing");
}

mcred_rc jld_work(struct jld_state *st, size_t n)
{
    st->work += n;
    if (st->work > st->max_work)
        return jld_fail(st, MCRED_ERR_LIMIT,
                        "JSON-LD processing exceeds the work limit of %zu steps", st->max_work);
    return MCRED_OK;
}

/* --- term table ---------------------------------------------------------- */

const struct jld_term jld_tomb;

/* A fast hash of n bytes, eight at a time (values only used in-process). */
uint32_t jld_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;

    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    if (n) {
        size_t i;

        /* the tail a byte at a time (little-endian order, as memcpy would
         * load it there): a variable-length memcpy is a call */
        for (w = 0, i = 0; i < n; i++)
            w |= (uint64_t)(unsigned char)s[i] << (8 * i);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

static uint32_t hash_str(const char *s)
{
    return s ? jld_hash(s, strlen(s)) : 0x9e3779b9u;
}

/* memcmp(a, b, n) == 0 for the short names of terms, without a call. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y;

    for (; n >= 8; a += 8, b += 8, n -= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
    }
    while (n--) {
        if (*a++ != *b++)
            return false;
    }
    return true;
}

const struct jld_term *jld_term_get(const struct jld_ctx *c, const char *s, size_t len)
{
    uint32_t h, i, mask;
    const struct jld_term *t;

    if (!c->n)
        return NULL;
    h = jld_hash(s, len);
    mask = c->cap - 1;
    for (i = h & mask; (t = c->slot[i]) != NULL; i = (i + 1) & mask) {
        if (t != &jld_tomb && t->hash == h && t->len == len && same_bytes(t->name, s, len))
            return t;
    }
    return NULL;
}

static bool is_alias(const struct jld_term *t)
{
    return t->iri && t->iri[0] == '@';
}

static void kwal_drop(struct jld_ctx *c, const struct jld_term *t)
{
    unsigned i;

    for (i = 0; i < c->nkwal; i++) {
        if (c->kwal[i] == t) {
            c->kwal[i] = c->kwal[--c->nkwal];
            return;
        }
    }
}

static void kwal_add(struct jld_ctx *c, const struct jld_term *t)
{
    if (c->nkwal < JLD_KWAL_MAX)
        c->kwal[c->nkwal++] = t;
    else
        c->kwal_full = true;   /* for good: jld_alias_get falls back to the table */
}

/* Rebuild c's table with cap slots, dropping tombstones. */
static mcred_rc table_resize(struct jld_arena *a, struct jld_ctx *c, uint32_t cap)
{
    const struct jld_term **slot;
    size_t bytes = cap * sizeof(*slot); /* NOLINT(bugprone-sizeof-expression): pointers */
    uint32_t i, j;

    slot = jld_alloc(a, bytes);
    if (!slot)
        return MCRED_ERR_NOMEM;
    memset(slot, 0, bytes);
    for (i = 0; i < c->cap; i++) {
        const struct jld_term *t = c->slot[i];

        if (!t || t == &jld_tomb)
            continue;
        for (j = t->hash & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
            ;
        slot[j] = t;
    }
    c->slot = slot;
    c->cap = cap;
    c->used = c->n;
    return MCRED_OK;
}

/* Define (or replace) t in the context being built. */
mcred_rc jld_table_put(struct jld_arena *a, struct jld_ctx *c, const struct jld_term *t)
{
    uint32_t i, mask, tomb = UINT32_MAX;
    const struct jld_term *s;

    if ((c->used + 1) * 4 > c->cap * 3) {
        uint32_t cap = c->cap ? c->cap : 8;

        while ((c->n + 1) * 4 > cap * 2)
            cap *= 2;
        if (table_resize(a, c, cap))
            return MCRED_ERR_NOMEM;
    }
    mask = c->cap - 1;
    for (i = t->hash & mask; (s = c->slot[i]) != NULL; i = (i + 1) & mask) {
        if (s == &jld_tomb) {
            if (tomb == UINT32_MAX)
                tomb = i;
        } else if (s->hash == t->hash && s->len == t->len &&
                   memcmp(s->name, t->name, t->len) == 0) {
            if (is_alias(s))
                kwal_drop(c, s);
            if (is_alias(t))
                kwal_add(c, t);
            c->slot[i] = t;
            return MCRED_OK;
        }
    }
    if (tomb != UINT32_MAX) {
        c->slot[tomb] = t;
    } else {
        c->slot[i] = t;
        c->used++;
    }
    c->n++;
    if (is_alias(t))
        kwal_add(c, t);
    return MCRED_OK;
}

void jld_table_remove(struct jld_ctx *c, const char *s)
{
    size_t len = strlen(s);
    uint32_t h = jld_hash(s, len), i, mask;
    const struct jld_term *t;

    if (!c->n)
        return;
    mask = c->cap - 1;
    for (i = h & mask; (t = c->slot[i]) != NULL; i = (i + 1) & mask) {
        if (t != &jld_tomb && t->hash == h && t->len == len && memcmp(t->name, s, len) == 0) {
            if (is_alias(t))
                kwal_drop(c, t);
            c->slot[i] = &jld_tomb;
            c->n--;
            return;
        }
    }
}

bool jld_has_protected(const struct jld_ctx *c)
{
    uint32_t i;

    for (i = 0; i < c->cap; i++) {
        const struct jld_term *t = c->slot[i];

        if (t && t != &jld_tomb && t->protect)
            return true;
    }
    return false;
}

struct jld_ctx *jld_ctx_clone(struct jld_state *st, struct jld_arena *a,
                                 const struct jld_ctx *src, bool persistent)
{
    struct jld_ctx *c = jld_alloc(a, sizeof(*c));

    if (!c)
        return NULL;
    *c = *src;
    c->persistent = persistent;
    if (src->cap) {
        size_t bytes = src->cap * sizeof(*c->slot); /* NOLINT(bugprone-sizeof-expression) */

        c->slot = jld_alloc(a, bytes);
        if (!c->slot)
            return NULL;
        memcpy(c->slot, src->slot, bytes);
    }
    st->work += src->cap / 2;  /* bounds the memory clones take, too */
    return c;
}

/* --- memo: context transitions ------------------------------------------- */

struct jld_memo_ent {
    struct jld_memo_ent *next;
    uint32_t hash;
    unsigned flags;
    const struct jld_ctx *from;
    const cJSON *node;        /* context value, or NULL for a remote URL */
    const char *url;          /* remote URL, or NULL */
    const char *base;         /* base URL, or NULL */
    const struct jld_ctx *to;
};

void jld_key_init(struct jld_key *k, const struct jld_ctx *from, const cJSON *node,
                          const char *url, const char *base, unsigned flags)
{
    uint64_t h = (uint64_t)(uintptr_t)from * 0x9E3779B97F4A7C15ull;

    h ^= (uint64_t)(uintptr_t)node * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)hash_str(url) * 0x165667B19E3779F9ull;
    h ^= (uint64_t)hash_str(base) * 0x27D4EB2F165667C5ull;
    h ^= flags;
    k->hash = (uint32_t)(h ^ (h >> 29) ^ (h >> 41));
    k->flags = flags;
    k->from = from;
    k->node = node;
    k->url = url;
    k->base = base;
}

static const struct jld_ctx *memo_find(const struct jld_memo *m, const struct jld_key *k)
{
    const struct jld_memo_ent *e;

    if (!m->nb)
        return NULL;
    for (e = m->b[k->hash & (m->nb - 1)]; e; e = e->next) {
        if (e->hash == k->hash && e->from == k->from && e->node == k->node &&
            e->flags == k->flags && jld_str_eq(e->url, k->url) && jld_str_eq(e->base, k->base))
            return e->to;
    }
    return NULL;
}

/* Add k -> to; entry and strings go into a. A failure only loses the memo. */
static void memo_add(struct jld_memo *m, struct jld_arena *a, const struct jld_key *k,
                     const struct jld_ctx *to)
{
    struct jld_memo_ent *e;
    size_t i;

    if (m->n >= m->nb) {
        size_t nb = m->nb ? m->nb * 2 : 64;
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        struct jld_memo_ent **b = mc_calloc(nb, sizeof(*b));

        if (!b)
            return;
        for (i = 0; i < m->nb; i++) {
            while (m->b[i]) {
                e = m->b[i];
                m->b[i] = e->next;
                e->next = b[e->hash & (nb - 1)];
                b[e->hash & (nb - 1)] = e;
            }
        }
        mc_free(m->b);
        m->b = b;
        m->nb = nb;
    }
    e = jld_alloc(a, sizeof(*e));
    if (!e)
        return;
    e->hash = k->hash;
    e->flags = k->flags;
    e->from = k->from;
    e->node = k->node;
    e->to = to;
    e->url = k->url ? jld_strndup(a, k->url, strlen(k->url)) : NULL;
    e->base = k->base ? jld_strndup(a, k->base, strlen(k->base)) : NULL;
    if ((k->url && !e->url) || (k->base && !e->base))
        return;
    e->next = m->b[k->hash & (m->nb - 1)];
    m->b[k->hash & (m->nb - 1)] = e;
    m->n++;
}

static void memo_release(struct jld_memo *m)
{
    mc_free(m->b);
    m->b = NULL;
    m->nb = 0;
    m->n = 0;
}

/* --- the shared cache ---------------------------------------------------- */

struct jld_root {
    struct jld_root *next;
    const char *base;
    bool json10;
    const struct jld_ctx *ctx;
};

struct jld_gen {
    unsigned refs;             /* the cache (while current) plus calls using it */
    struct jld_arena arena;    /* contexts, terms, memo entries */
    struct jld_memo memo;
    struct jld_root *roots;
    size_t entries;            /* memo entries and roots */
};

static struct jld_gen *gen_new(void)
{
    struct jld_gen *g = mc_calloc(1, sizeof(*g));

    if (g)
        g->refs = 1;
    return g;
}

static void gen_free(struct jld_gen *g)
{
    if (!g)
        return;
    memo_release(&g->memo);
    arena_release(&g->arena);
    mc_free(g);
}

mcred_rc mc_jsonld_cache_new(struct mc_jsonld_cache **out)
{
    struct mc_jsonld_cache *c = mc_calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return MCRED_ERR_NOMEM;
    c->cur = gen_new();
    if (!c->cur || pthread_mutex_init(&c->mu, NULL) != 0) {
        gen_free(c->cur);
        mc_free(c);
        return MCRED_ERR_NOMEM;
    }
    *out = c;
    return MCRED_OK;
}

void mc_jsonld_cache_free(struct mc_jsonld_cache *c)
{
    if (!c)
        return;
    gen_free(c->cur);
    pthread_mutex_destroy(&c->mu);
    mc_free(c);
}

static void cache_acquire(struct jld_state *st)
{
    struct mc_jsonld_cache *c = st->o->cache;

    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    st->cache = c;
    st->gen = c->cur;
    st->gen->refs++;
    pthread_mutex_unlock(&c->mu);
}

static void cache_release(struct jld_state *st)
{
    struct mc_jsonld_cache *c = st->cache;
    struct jld_gen *g = st->gen, *dead = NULL;

    if (!g) {
        arena_release(&st->pers);
        return;
    }
    pthread_mutex_lock(&c->mu);
    if (st->published)
        arena_merge(&g->arena, &st->pers);
    if (g == c->cur && (g->entries > GEN_MAX_ENTRIES || g->arena.bytes > GEN_MAX_BYTES)) {
        struct jld_gen *n = gen_new();

        if (n) {
            c->cur = n;
            g->refs--;  /* the cache's reference */
        }
    }
    if (--g->refs == 0)
        dead = g;
    pthread_mutex_unlock(&c->mu);
    arena_release(&st->pers);
    gen_free(dead);
    st->gen = NULL;
}

/* Look a transition up: the shared generation for persistent keys, else the
 * call's own table. */
const struct jld_ctx *jld_transition_find(struct jld_state *st, const struct jld_key *k,
                                             bool shared)
{
    const struct jld_ctx *to;

    if (!shared)
        return memo_find(&st->memo, k);
    pthread_mutex_lock(&st->cache->mu);
    to = memo_find(&st->gen->memo, k);
    pthread_mutex_unlock(&st->cache->mu);
    return to;
}

void jld_transition_add(struct jld_state *st, const struct jld_key *k, bool shared,
                           const struct jld_ctx *to)
{
    if (!shared) {
        memo_add(&st->memo, &st->scratch, k, to);
        return;
    }
    pthread_mutex_lock(&st->cache->mu);
    if (!memo_find(&st->gen->memo, k)) {
        memo_add(&st->gen->memo, &st->gen->arena, k, to);
        st->gen->entries++;
        st->published = true;
    }
    pthread_mutex_unlock(&st->cache->mu);
}

/* --- state --------------------------------------------------------------- */

mcred_rc jld_state_init(struct jld_state *st, const struct mc_jsonld_opts *o, struct mc_err *err)
{
    memset(st, 0, offsetof(struct jld_state, path));  /* path[] is written before read */
    st->npath = 0;
    st->o = o;
    st->err = err;
    st->base = o->base;
    st->max_work = o->max_work ? o->max_work : JLD_DEFAULT_WORK;
    cache_acquire(st);
    return MCRED_OK;
}

void jld_state_release(struct jld_state *st)
{
    cache_release(st);
    memo_release(&st->memo);
    arena_release(&st->scratch);
}

struct jld_arena *jld_arena_for(struct jld_state *st, bool persistent)
{
    return persistent ? &st->pers : &st->scratch;
}

struct jld_ctx *jld_ctx_new(struct jld_arena *a, const char *base, bool json10,
                               bool persistent)
{
    struct jld_ctx *c = jld_alloc(a, sizeof(*c));

    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->base = base;
    c->orig_base = base;
    c->json10 = json10;
    c->persistent = persistent;
    return c;
}

mcred_rc jld_root(struct jld_state *st, const struct jld_ctx **out)
{
    const char *base = st->o->base;
    bool json10 = st->o->json10;
    struct jld_root *r;
    struct jld_ctx *c = NULL;
    struct jld_gen *g = st->gen;

    *out = NULL;
    if (!g) {
        *out = jld_ctx_new(&st->scratch, base, json10, false);
        return *out ? MCRED_OK : jld_nomem(st);
    }
    pthread_mutex_lock(&st->cache->mu);
    for (r = g->roots; r; r = r->next) {
        if (r->json10 == json10 && jld_str_eq(r->base, base)) {
            *out = r->ctx;
            break;
        }
    }
    if (!*out) {
        const char *b = base ? jld_strndup(&g->arena, base, strlen(base)) : NULL;

        r = jld_alloc(&g->arena, sizeof(*r));
        if ((!base || b) && r)
            c = jld_ctx_new(&g->arena, b, json10, true);
        if (c) {
            r->base = b;
            r->json10 = json10;
            r->ctx = c;
            r->next = g->roots;
            g->roots = r;
            g->entries++;
            *out = c;
        }
    }
    pthread_mutex_unlock(&st->cache->mu);
    return *out ? MCRED_OK : jld_nomem(st);
}
