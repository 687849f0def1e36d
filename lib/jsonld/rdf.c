/* rdf.c - the in-memory RDF dataset: string storage, quad array, duplicate
 * removal, and the canonical N-Quads writer shared by RDFC-1.0 and callers
 * that print a dataset; also the seed of the hash that the tables of toRdf
 * and RDFC-1.0 use.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>

#include <openssl/rand.h>

#include "jsonld/rdf.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static uint64_t hash_seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void make_seed(void)
{
    unsigned char b[8];

    if (RAND_bytes(b, sizeof(b)) == 1)
        memcpy(&hash_seed, b, sizeof(b));
    else
        hash_seed = (uint64_t)(uintptr_t)&hash_seed * 0x9e3779b97f4a7c15ULL;
}

uint64_t mc_rdf_hash_seed(void)
{
    (void)pthread_once(&seed_once, make_seed);
    return hash_seed;
}

/* String storage: a list of chunks filled front to back. The head chunk is
 * the one being filled; a string too big for a fresh chunk gets a chunk of its
 * own linked behind the head, so the head's free room is not wasted. */
struct mc_rdf_chunk {
    struct mc_rdf_chunk *next;
    size_t used;    /* bytes handed out */
    size_t cap;     /* bytes in data */
    char data[];
};

#define CHUNK_MIN 8192  /* the strings of a credential's quads, when copied */
#define CHUNK_MAX 65536

void mc_rdf_init(struct mc_rdf_dataset *d)
{
    d->quads = NULL;
    d->n = 0;
    d->cap = 0;
    d->max_quads = MC_RDF_MAX_QUADS;
    d->chunks = NULL;
    d->borrow = false;
}

void mc_rdf_release(struct mc_rdf_dataset *d)
{
    struct mc_rdf_chunk *c, *next;

    if (!d)
        return;
    for (c = d->chunks; c; c = next) {
        next = c->next;
        mc_free(c);
    }
    mc_free(d->quads);
    d->quads = NULL;
    d->n = 0;
    d->cap = 0;
    d->chunks = NULL;
}

static struct mc_rdf_chunk *chunk_new(size_t cap)
{
    struct mc_rdf_chunk *c;

    if (cap > SIZE_MAX - sizeof(*c))
        return NULL;
    c = mc_malloc(sizeof(*c) + cap);
    if (!c)
        return NULL;
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    return c;
}

const char *mc_rdf_intern(struct mc_rdf_dataset *d, const char *s, size_t n)
{
    struct mc_rdf_chunk *head = d->chunks, *c;
    size_t cap;
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    if (!head || head->cap - head->used < n + 1) {
        /* a borrowing dataset interns only a few strings (lexical forms
         * toRdf writes): a small first chunk, from malloc's fast bins */
        cap = head ? head->cap * 2 : d->borrow ? CHUNK_MIN / 32 : CHUNK_MIN;
        if (cap > CHUNK_MAX)
            cap = CHUNK_MAX;
        if (n + 1 > cap / 4 && head) {
            /* a big string: its own chunk behind the head */
            c = chunk_new(n + 1);
            if (!c)
                return NULL;
            c->next = head->next;
            head->next = c;
        } else {
            c = chunk_new(n + 1 > cap ? n + 1 : cap);
            if (!c)
                return NULL;
            c->next = head;
            d->chunks = c;
        }
    } else {
        c = head;
    }
    p = c->data + c->used;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    c->used += n + 1;
    return p;
}

/* Reallocate the quad array to cap quads (cap >= d->n). */
static mcred_rc set_cap(struct mc_rdf_dataset *d, size_t cap)
{
    struct mc_rdf_quad *nq = mc_allocarray(cap, sizeof(*nq));

    if (!nq)
        return MCRED_ERR_NOMEM;
    if (d->n)
        memcpy(nq, d->quads, d->n * sizeof(*nq));
    mc_free(d->quads);
    d->quads = nq;
    d->cap = cap;
    return MCRED_OK;
}

mcred_rc mc_rdf_reserve(struct mc_rdf_dataset *d, size_t n)
{
    size_t max = d->max_quads ? d->max_quads : MC_RDF_MAX_QUADS;

    if (n > max - (d->n < max ? d->n : max))
        n = max - (d->n < max ? d->n : max);
    if (d->n + n <= d->cap)
        return MCRED_OK;
    return set_cap(d, d->n + n);
}

mcred_rc mc_rdf_add(struct mc_rdf_dataset *d, const struct mc_rdf_quad *q)
{
    size_t max = d->max_quads ? d->max_quads : MC_RDF_MAX_QUADS;
    mcred_rc rc;

    if (d->n >= max)
        return MCRED_ERR_LIMIT;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;

        rc = set_cap(d, cap > max ? max : cap);
        if (rc)
            return rc;
    }
    d->quads[d->n++] = *q;
    return MCRED_OK;
}

/* --- term equality and duplicate removal ---------------------------------- */

/* The datatype that decides equality: NULL for xsd:string and for literals
 * with a language tag (whose datatype is always rdf:langString). */
static const char *eff_datatype(const struct mc_rdf_term *t)
{
    if (t->kind != MC_RDF_LITERAL || t->lang || !t->datatype)
        return NULL;
    if (strcmp(t->datatype, MC_RDF_XSD_STRING) == 0)
        return NULL;
    return t->datatype;
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return a == b || strcmp(a, b) == 0;
}

bool mc_rdf_term_eq(const struct mc_rdf_term *a, const struct mc_rdf_term *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == MC_RDF_DEFAULT)
        return true;
    if (!str_eq(a->value, b->value))
        return false;
    if (a->kind != MC_RDF_LITERAL)
        return true;
    return str_eq(a->lang, b->lang) && str_eq(eff_datatype(a), eff_datatype(b));
}

static bool quad_eq(const struct mc_rdf_quad *a, const struct mc_rdf_quad *b)
{
    return mc_rdf_term_eq(&a->s, &b->s) && mc_rdf_term_eq(&a->p, &b->p) &&
           mc_rdf_term_eq(&a->o, &b->o) && mc_rdf_term_eq(&a->g, &b->g);
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    if (!s)
        return (h ^ 0xffu) * 0x100000001b3ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return (h ^ 0xfeu) * 0x100000001b3ULL;  /* terminator: "ab"+"c" != "a"+"bc" */
}

static uint64_t term_hash(uint64_t h, const struct mc_rdf_term *t)
{
    h = (h ^ (unsigned)t->kind) * 0x100000001b3ULL;
    if (t->kind == MC_RDF_DEFAULT)
        return h;
    h = fnv_str(h, t->value);
    if (t->kind == MC_RDF_LITERAL) {
        h = fnv_str(h, t->lang);
        h = fnv_str(h, eff_datatype(t));
    }
    return h;
}

mcred_rc mc_rdf_dedup(struct mc_rdf_dataset *d)
{
    struct entry {
        uint64_t h;    /* the quad's hash */
        size_t idx;    /* 1 + its index among the kept quads; 0 when empty */
    } *tab;
    size_t size = 16, i, k = 0;

    if (d->n < 2)
        return MCRED_OK;
    while (size < d->n * 2)
        size *= 2;
    tab = mc_calloc(size, sizeof(*tab));
    if (!tab)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < d->n; i++) {
        const struct mc_rdf_quad *q = &d->quads[i];
        uint64_t h = 0xcbf29ce484222325ULL;
        size_t slot;
        bool dup = false;

        h = term_hash(h, &q->s);
        h = term_hash(h, &q->p);
        h = term_hash(h, &q->o);
        h = term_hash(h, &q->g);
        for (slot = (size_t)h & (size - 1); tab[slot].idx; slot = (slot + 1) & (size - 1)) {
            if (tab[slot].h == h && quad_eq(&d->quads[tab[slot].idx - 1], q)) {
                dup = true;
                break;
            }
        }
        if (dup)
            continue;
        d->quads[k] = *q;
        tab[slot].h = h;
        tab[slot].idx = ++k;
    }
    d->n = k;
    mc_free(tab);
    return MCRED_OK;
}

/* --- canonical N-Quads writer ---------------------------------------------- */

static const char hexu[] = "0123456789ABCDEF";

static mcred_rc put_uchar(struct mc_buf *out, unsigned cp)
{
    char e[6] = { '\\', 'u', hexu[(cp >> 12) & 15], hexu[(cp >> 8) & 15], hexu[(cp >> 4) & 15],
                  hexu[cp & 15] };

    return mc_buf_append(out, e, sizeof(e));
}

/* Bytes that may need escaping: in literals (bit 1) controls, '"', '\\',
 * DEL, and the lead bytes C0 (the stored U+0000) and EF (U+FFFE, U+FFFF); in
 * IRIs (bit 2) controls, C0, space and <>"{}|^`\\. */
static const unsigned char special[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    [' '] = 2, ['"'] = 3, ['<'] = 2, ['>'] = 2, ['\\'] = 3, ['^'] = 2, ['`'] = 2,
    ['{'] = 2, ['|'] = 2, ['}'] = 2, [0x7f] = 1, [0xc0] = 3, [0xef] = 1,
};

/* The ECHAR of c inside a literal, or NULL when it takes a UCHAR. */
static const char *echar(unsigned c)
{
    switch (c) {
    case '\b': return "\\b";
    case '\t': return "\\t";
    case '\n': return "\\n";
    case '\f': return "\\f";
    case '\r': return "\\r";
    case '"': return "\\\"";
    case '\\': return "\\\\";
    default: return NULL;
    }
}

/* Escape s for a literal (lit true) or an IRI into out. */
static mcred_rc put_escaped(struct mc_buf *out, const char *s, bool lit)
{
    const unsigned char *p = (const unsigned char *)s, *span = p;
    unsigned mask = lit ? 1 : 2;
    mcred_rc rc;

    for (;; p++) {
        unsigned c, cp;
        const char *e = NULL;
        size_t skip = 1;

        while (!(special[*p] & mask))  /* NUL is special: the scan stops there */
            p++;
        c = *p;
        cp = c;
        if (c == 0xc0 && p[1] != 0x80)
            continue;  /* not the stored U+0000 (cannot happen in UTF-8) */
        if (c == 0xef && (p[1] != 0xbf || (p[2] != 0xbe && p[2] != 0xbf)))
            continue;  /* U+F000..U+FFFD: written as is */
        if (p > span) {
            rc = mc_buf_append(out, span, (size_t)(p - span));
            if (rc)
                return rc;
        }
        if (!c)
            return MCRED_OK;
        if (c == 0xc0) {
            cp = 0;
            skip = 2;
        } else if (c == 0xef) {
            cp = p[2] == 0xbe ? 0xfffe : 0xffff;
            skip = 3;
        } else if (lit) {
            e = echar(c);
        }
        rc = e ? mc_buf_append(out, e, 2) : put_uchar(out, cp);
        if (rc)
            return rc;
        p += skip - 1;
        span = p + 1;
    }
}

/* Append open, s escaped, close. The common case, nothing to escape, is one
 * scan and one copy. */
static mcred_rc put_delimited(struct mc_buf *out, char open, const char *s, char close, bool lit)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned mask = lit ? 1 : 2;
    size_t n = strlen(s), i = 0;
    mcred_rc rc;

#ifdef __SSE2__
    /* literals, sixteen bytes a step: controls, '"', '\\', DEL, 0xc0, 0xef */
    for (; lit && i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
        const __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(ctl, _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
                         _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)))),
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xc0)),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xef))));

        if (_mm_movemask_epi8(m))
            break;
    }
#endif
    for (; i + 8 <= n; i += 8) {  /* eight lookups per branch */
        if ((special[p[i]] | special[p[i + 1]] | special[p[i + 2]] | special[p[i + 3]] |
             special[p[i + 4]] | special[p[i + 5]] | special[p[i + 6]] | special[p[i + 7]]) &
            mask)
            break;
    }
    while (i < n && !(special[p[i]] & mask))
        i++;
    if (i < n) {
        rc = mc_buf_appendc(out, open);
        if (!rc)
            rc = put_escaped(out, s, lit);
        return rc ? rc : mc_buf_appendc(out, close);
    }
    rc = mc_buf_grow(out, n + 2);
    if (rc)
        return rc;
    out->ptr[out->len] = open;
    memcpy(out->ptr + out->len + 1, s, n);
    out->ptr[out->len + 1 + n] = close;
    out->len += n + 2;
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

/* Append open, s, close: s is known to need no escape (MC_RDF_PLAIN). */
static mcred_rc put_plain(struct mc_buf *out, char open, const char *s, char close)
{
    size_t n = strlen(s);
    mcred_rc rc = mc_buf_grow(out, n + 2);

    if (rc)
        return rc;
    out->ptr[out->len] = open;
    memcpy(out->ptr + out->len + 1, s, n);
    out->ptr[out->len + 1 + n] = close;
    out->len += n + 2;
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

static mcred_rc put_term(struct mc_buf *out, const struct mc_rdf_term *t)
{
    mcred_rc rc;
    const char *dt;

    if (t->kind != MC_RDF_DEFAULT && !t->value)
        return MCRED_ERR_INVALID;
    switch (t->kind) {
    case MC_RDF_DEFAULT:
        return MCRED_OK;
    case MC_RDF_IRI:
        if (t->flags & MC_RDF_PLAIN)
            return put_plain(out, '<', t->value, '>');
        return put_delimited(out, '<', t->value, '>', false);
    case MC_RDF_BLANK:
        rc = mc_buf_append(out, "_:", 2);
        return rc ? rc : mc_buf_appends(out, t->value);
    case MC_RDF_LITERAL:
        break;
    default:
        return MCRED_ERR_INTERNAL;
    }
    if (t->flags & MC_RDF_PLAIN)
        rc = put_plain(out, '"', t->value, '"');
    else
        rc = put_delimited(out, '"', t->value, '"', true);
    if (rc)
        return rc;
    if (t->lang) {
        rc = mc_buf_appendc(out, '@');
        return rc ? rc : mc_buf_appends(out, t->lang);
    }
    dt = eff_datatype(t);
    if (!dt)
        return MCRED_OK;
    rc = mc_buf_append(out, "^^", 2);
    if (rc)
        return rc;
    if (t->flags & MC_RDF_PLAIN_DT)
        return put_plain(out, '<', dt, '>');
    return put_delimited(out, '<', dt, '>', false);
}

mcred_rc mc_rdf_term_write(struct mc_buf *out, const struct mc_rdf_term *t)
{
    size_t len0 = out->len;
    mcred_rc rc = put_term(out, t);

    if (rc) {
        out->len = len0;
        if (out->ptr)
            out->ptr[len0] = '\0';
    }
    return rc;
}

mcred_rc mc_rdf_quad_write(struct mc_buf *out, const struct mc_rdf_quad *q)
{
    size_t len0 = out->len;
    mcred_rc rc;

    rc = mc_rdf_term_write(out, &q->s);
    if (!rc)
        rc = mc_buf_appendc(out, ' ');
    if (!rc)
        rc = mc_rdf_term_write(out, &q->p);
    if (!rc)
        rc = mc_buf_appendc(out, ' ');
    if (!rc)
        rc = mc_rdf_term_write(out, &q->o);
    if (!rc && q->g.kind != MC_RDF_DEFAULT) {
        rc = mc_buf_appendc(out, ' ');
        if (!rc)
            rc = mc_rdf_term_write(out, &q->g);
    }
    if (!rc)
        rc = mc_buf_append(out, " .\n", 3);
    if (rc) {
        out->len = len0;
        if (out->ptr)
            out->ptr[len0] = '\0';
    }
    return rc;
}
