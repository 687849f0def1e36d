/* rdfc.c - RDF Dataset Canonicalization (W3C RDFC-1.0): canonical blank node
 * labels for a dataset and its canonical N-Quads, with a work bound against
 * poison datasets. Used once per credential signed or verified with
 * eddsa-rdfc-2022, so the common case (tens of quads, a few blank nodes, all
 * told apart by their first-degree hashes) is kept cheap; see the design
 * notes below. Hash N-degree quads follows the spec's steps literally; its
 * cost is what max_work bounds.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "jsonld/rdf.h"

/* Design notes.
 *
 * Terms, not lines. Every distinct term is escaped once into st->text and
 * known by a number (struct tx). A term struct seen before is found by its
 * pointers (kind, value, datatype, lang) without reading its strings: toRdf
 * hands the same subject, predicate and datatype strings to many quads. A
 * new one is escaped and then looked up by its text, so that equal texts get
 * one number whatever their pointers. A quad is then four numbers: duplicate
 * quads are equal numbers, and a blank node is the number of its label.
 *
 * Lines are never stored. The order of canonical N-Quads lines is the order
 * of their terms compared one by one (subject, predicate, object, graph):
 * each term is followed by ' ' or " .\n", and a term whose text is a proper
 * prefix of another's is followed there by a character above ' ' ('@', '^',
 * a digit, '-': never a raw space or control, which the writer escapes), so
 * comparing whole lines and comparing term by term agree; an absent graph
 * name is the empty text, first as " ." is before " <" and " _". Equal term
 * numbers compare equal without reading the text, which skips the long
 * shared subjects and predicates. The output and each first-degree hash
 * input are written once, in order, straight from the term texts.
 *
 * Memory: the arrays sized by the input come in a few allocations; the
 * digest context is made only when a blank node needs a hash. */

#define HASH_MAX 48              /* SHA-384 */
#define HEX_MAX (2 * HASH_MAX)
#define NAME_MAX_LEN 16          /* "_:c14n" or "_:b" plus a 32-bit number */
#define TEXT_MAX ((size_t)1 << 30)
#define NO_BN (-1)

struct tx {                      /* one distinct term text */
    uint64_t h;                  /* hash64 of the text */
    uint32_t off, len;           /* the text, in st->text (number 0: the empty text) */
    int32_t bn;                  /* the blank node it names, or NO_BN */
    const char *value;           /* blank nodes: the label, borrowed from the dataset */
};

struct pent {                    /* a term struct already seen, by its pointers */
    const struct mc_rdf_term *t;
    uint32_t tx;                 /* its text */
};

struct rq {                      /* one distinct quad of the input */
    const struct mc_rdf_quad *q;
    uint32_t t[4];               /* term text at s, p, o, g (0 for the default graph) */
    int32_t bn[4];               /* blank node at s, p, o, g, or NO_BN */
};

struct rbn {                     /* one blank node */
    const char *label;           /* input label, borrowed from the dataset */
    uint32_t first, n;           /* the quads mentioning it: st->bq[first .. first + n) */
    int32_t canon;               /* canonical number (c14n<canon>), or -1 */
    uint32_t name_len;           /* canonical label "_:c14n<canon>" in name, once issued */
    char name[NAME_MAX_LEN];
    char h1[HEX_MAX + 1];        /* first-degree hash, lowercase hex */
};

struct issuer {                  /* a temporary issuer (prefix "b") */
    int32_t *ids;                /* blank nodes in issue order: ids[k] got "b<k>" */
    uint32_t n, cap;
};

enum naming {
    NAME_AZ,     /* _:a for the reference blank node, _:z for the others */
    NAME_CANON,  /* _:c14n<k> */
};

struct rdfc {
    struct rq *q;                /* distinct quads, in input order */
    size_t nq;
    struct tx *tx;               /* distinct term texts; tx[0] is the empty text */
    size_t ntx, tx_cap;
    struct pent *pent;           /* term structs seen */
    size_t pn, pent_cap;
    uint32_t *ptab;              /* 1 + index into pent by pointers; 0: empty */
    size_t psize;
    uint32_t *ttab;              /* 1 + index into tx by text; 0: empty */
    size_t tsize;
    uint32_t *order;             /* scratch: quad numbers to sort, then merge space */
    struct rbn *bn;              /* blank nodes in order of first mention */
    size_t nbn;
    uint32_t *bq;                /* quad lists of all blank nodes, back to back */
    int32_t *canon;              /* canon[k]: the blank node that got c14n<k> */
    size_t ncanon;
    struct mc_buf text;          /* term texts */
    struct mc_buf scratch;       /* scratch: input of a hash */
    EVP_MD_CTX *ctx;             /* made on the first hash */
    const EVP_MD *md;
    size_t hex_len;              /* 64 or 96 */
    size_t work, max_work;
    unsigned depth;              /* current recursion of hash N-degree quads */
    bool reported;               /* err holds the detail of the failure */
    struct mc_err *err;
};

/* Record the detail of a failure in st->err. */
static mcred_rc report(struct rdfc *st, mcred_rc rc, const char *fmt, ...) MC_PRINTF(3, 4);

static mcred_rc report(struct rdfc *st, mcred_rc rc, const char *fmt, ...)
{
    char msg[MC_ERRMSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    st->reported = true;
    return mc_err_set(st->err, rc, "RDFC-1.0: %s", msg);
}

/* --- digests ---------------------------------------------------------------- */

static EVP_MD *md_sha256, *md_sha384;
static uint64_t table_seed;      /* secret start of hash64, against crafted collisions */
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

/* Explicit fetches: an implicit one (EVP_sha256()) looks the provider up on
 * every init in OpenSSL 3, which costs more than hashing a short line. */
static void setup(void)
{
    unsigned char seed[8];

    md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    md_sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
    if (RAND_bytes(seed, sizeof(seed)) == 1)
        memcpy(&table_seed, seed, sizeof(seed));
    else
        table_seed = (uint64_t)(uintptr_t)&table_seed * 0x9e3779b97f4a7c15ULL;
}

static const char hexl[] = "0123456789abcdef";

static mcred_rc hash_begin(struct rdfc *st)
{
    if (!st->ctx) {
        st->ctx = EVP_MD_CTX_new();
        if (!st->ctx)
            return report(st, MCRED_ERR_NOMEM, "out of memory");
    }
    if (EVP_DigestInit_ex2(st->ctx, st->md, NULL) != 1)
        return report(st, MCRED_ERR_CRYPTO, "digest initialization failed");
    return MCRED_OK;
}

static mcred_rc hash_update(struct rdfc *st, const void *p, size_t n)
{
    if (EVP_DigestUpdate(st->ctx, p, n) != 1)
        return report(st, MCRED_ERR_CRYPTO, "digest update failed");
    return MCRED_OK;
}

/* Finish into hex (st->hex_len characters and a NUL). */
static mcred_rc hash_end(struct rdfc *st, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    size_t i;

    if (EVP_DigestFinal_ex(st->ctx, md, &n) != 1 || (size_t)n * 2 != st->hex_len)
        return report(st, MCRED_ERR_CRYPTO, "digest failed");
    for (i = 0; i < n; i++) {
        hex[2 * i] = hexl[md[i] >> 4];
        hex[2 * i + 1] = hexl[md[i] & 15];
    }
    hex[2 * (size_t)n] = '\0';
    return MCRED_OK;
}

static mcred_rc hash_buf(struct rdfc *st, const char *p, size_t n, char *hex)
{
    mcred_rc rc = hash_begin(st);

    if (!rc)
        rc = hash_update(st, p, n);
    if (!rc)
        rc = hash_end(st, hex);
    return rc;
}

/* --- small helpers ------------------------------------------------------------ */

/* Decimal digits of v at p; returns the count (at most 10). */
static size_t put_u32(char *p, uint32_t v)
{
    char t[10];
    size_t n = 0, i;

    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        p[i] = t[n - 1 - i];
    return n;
}

static mcred_rc append_name(struct mc_buf *b, const char *prefix, uint32_t v)
{
    char t[NAME_MAX_LEN];
    size_t n = strlen(prefix);

    memcpy(t, prefix, n);
    n += put_u32(t + n, v);
    return mc_buf_append(b, t, n);
}

/* Code point order of two UTF-8 strings is their byte order. */
static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);

    if (c)
        return c;
    return (an > bn) - (an < bn);
}

static mcred_rc work(struct rdfc *st, size_t steps, int32_t at)
{
    st->work += steps;
    if (st->work <= st->max_work)
        return MCRED_OK;
    return report(st, MCRED_ERR_LIMIT, "work limit of %zu steps exceeded at blank node "
                  "'_:%.60s' (a poison dataset?)", st->max_work, st->bn[at].label);
}

/* --- loading: term texts, distinct quads, blank nodes ------------------------ */

/* A word-at-a-time hash for the text table, started from a secret
 * per-process seed so that input cannot be crafted to collide (that would
 * make the tables quadratic). Tables keep the whole 64-bit value: a chance
 * collision of the slot bits costs an integer compare. */
static uint64_t hash64(const char *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = table_seed, w;
    size_t tail;

    for (; n >= 8; p += 8, n -= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    tail = n;
    for (w = 0; n; n--)  /* not memcpy: a call for a few bytes costs more */
        w = w << 8 | (unsigned char)p[n - 1];
    h = (h ^ w ^ ((uint64_t)tail << 59)) * k;
    return h ^ (h >> 29);
}

/* The slot hash of a term struct's pointers and of a quad's term numbers.
 * Neither is fed by input bytes, so they need no seed. */
static uint64_t mix64(uint64_t h)
{
    h *= 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

static uint64_t ptr_hash(const struct mc_rdf_term *t)
{
    return mix64((uint64_t)(uintptr_t)t->value ^ mix64((uint64_t)(uintptr_t)t->datatype ^
                 mix64((uint64_t)(uintptr_t)t->lang + (unsigned)t->kind)));
}

static bool same_ptrs(const struct mc_rdf_term *a, const struct mc_rdf_term *b)
{
    return a->value == b->value && a->kind == b->kind && a->datatype == b->datatype &&
           a->lang == b->lang;
}

static size_t table_size(size_t n)
{
    size_t size = 16;

    while (size < n * 2)
        size *= 2;
    return size;
}

/* What RDF allows at each position (bit 1 << kind), and its name. */
static const struct {
    unsigned kinds;
    const char *name;
} positions[4] = {
    { 1u << MC_RDF_IRI | 1u << MC_RDF_BLANK, "subject" },
    { 1u << MC_RDF_IRI, "predicate" },
    { 1u << MC_RDF_IRI | 1u << MC_RDF_BLANK | 1u << MC_RDF_LITERAL, "object" },
    { 1u << MC_RDF_DEFAULT | 1u << MC_RDF_IRI | 1u << MC_RDF_BLANK, "graph name" },
};

static mcred_rc check_quad(struct rdfc *st, const struct mc_rdf_quad *q, size_t i)
{
    const struct mc_rdf_term *t[4] = { &q->s, &q->p, &q->o, &q->g };
    int k;

    if (q->p.kind == MC_RDF_BLANK)
        return report(st, MCRED_ERR_INVALID, "quad %zu has the blank node predicate "
                      "'_:%.60s' (generalized RDF)", i + 1, q->p.value ? q->p.value : "");
    for (k = 0; k < 4; k++) {
        if ((unsigned)t[k]->kind > MC_RDF_LITERAL ||
            !(positions[k].kinds & 1u << t[k]->kind) ||
            (t[k]->kind != MC_RDF_DEFAULT && !t[k]->value))
            return report(st, MCRED_ERR_INVALID, "quad %zu has a term of kind %d and value "
                          "%s as its %s", i + 1, (int)t[k]->kind,
                          t[k]->value ? "set" : "NULL", positions[k].name);
    }
    return MCRED_OK;
}

/* Double the pointer table (its load stays at most one half). */
static mcred_rc ptab_grow(struct rdfc *st)
{
    size_t size = st->psize * 2, i, j;
    uint32_t *tab = mc_calloc(size, sizeof(*tab));

    if (!tab)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < st->pn; i++) {
        j = (size_t)ptr_hash(st->pent[i].t) & (size - 1);
        while (tab[j])
            j = (j + 1) & (size - 1);
        tab[j] = (uint32_t)(i + 1);
    }
    mc_free(st->ptab);
    st->ptab = tab;
    st->psize = size;
    return MCRED_OK;
}

/* Double the text table. */
static mcred_rc ttab_grow(struct rdfc *st)
{
    size_t size = st->tsize * 2, i, j;
    uint32_t *tab = mc_calloc(size, sizeof(*tab));

    if (!tab)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < st->tsize; i++) {
        if (!st->ttab[i])
            continue;
        for (j = (size_t)st->tx[st->ttab[i] - 1].h & (size - 1); tab[j]; j = (j + 1) & (size - 1))
            ;
        tab[j] = st->ttab[i];
    }
    mc_free(st->ttab);
    st->ttab = tab;
    st->tsize = size;
    return MCRED_OK;
}

/* The number of the text just written at st->text[off..): an earlier equal
 * text (the new copy is dropped), else a new entry for it. */
static mcred_rc text_number(struct rdfc *st, const struct mc_rdf_term *t, size_t off,
                            uint32_t *out)
{
    size_t len = st->text.len - off, mask = st->tsize - 1, slot;
    uint64_t h = hash64(st->text.ptr + off, len);
    struct tx *x;

    for (slot = (size_t)h & mask; st->ttab[slot]; slot = (slot + 1) & mask) {
        x = &st->tx[st->ttab[slot] - 1];
        if (x->h == h && x->len == len && memcmp(st->text.ptr + x->off, st->text.ptr + off,
                                                 len) == 0) {
            st->text.len = off;
            st->text.ptr[off] = '\0';
            *out = st->ttab[slot] - 1;
            return MCRED_OK;
        }
    }
    if (st->ntx == st->tx_cap) {
        size_t cap = st->tx_cap * 2;
        struct tx *n = cap > UINT32_MAX / 2 ? NULL : mc_allocarray(cap, sizeof(*n));

        if (!n)
            return MCRED_ERR_NOMEM;
        memcpy(n, st->tx, st->ntx * sizeof(*n));
        mc_free(st->tx);
        st->tx = n;
        st->tx_cap = cap;
    }
    x = &st->tx[st->ntx];
    x->h = h;
    x->off = (uint32_t)off;
    x->len = (uint32_t)len;
    x->bn = NO_BN;
    x->value = NULL;
    if (t->kind == MC_RDF_BLANK) {
        x->bn = (int32_t)st->nbn++;
        x->value = t->value;
    }
    *out = (uint32_t)st->ntx;
    st->ttab[slot] = (uint32_t)++st->ntx;
    if (st->ntx * 2 > st->tsize)
        return ttab_grow(st);
    return MCRED_OK;
}

/* The text number of term t (not the default graph): by its pointers when
 * seen before, else escaped and looked up by text. */
static mcred_rc term_number(struct rdfc *st, const struct mc_rdf_term *t, uint32_t *out)
{
    size_t mask = st->psize - 1, slot, off = st->text.len;
    struct pent *e;
    mcred_rc rc;

    for (slot = (size_t)ptr_hash(t) & mask; st->ptab[slot]; slot = (slot + 1) & mask) {
        e = &st->pent[st->ptab[slot] - 1];
        if (same_ptrs(e->t, t)) {
            *out = e->tx;
            return MCRED_OK;
        }
    }
    rc = mc_rdf_term_write(&st->text, t);
    if (!rc && st->text.len - off > UINT32_MAX)
        rc = MCRED_ERR_LIMIT;
    if (!rc)
        rc = text_number(st, t, off, out);
    if (rc)
        return rc;
    if (st->pn == st->pent_cap) {
        size_t cap = st->pent_cap * 2;
        struct pent *n = cap > UINT32_MAX / 2 ? NULL : mc_allocarray(cap, sizeof(*n));

        if (!n)
            return MCRED_ERR_NOMEM;
        memcpy(n, st->pent, st->pn * sizeof(*n));
        mc_free(st->pent);
        st->pent = n;
        st->pent_cap = cap;
    }
    e = &st->pent[st->pn];
    e->t = t;
    e->tx = *out;
    st->ptab[slot] = (uint32_t)++st->pn;
    if (st->pn * 2 > st->psize)
        return ptab_grow(st);
    return MCRED_OK;
}

static uint64_t quad_hash(const struct rq *r)
{
    return mix64(r->t[0] ^ mix64(r->t[1] ^ mix64(r->t[2] ^ mix64(r->t[3]))));
}

/* Number the terms of every quad and keep the first of each repeated quad
 * (the dataset is a set). Blank nodes are numbered in order of first mention. */
static mcred_rc load_quads(struct rdfc *st, const struct mc_rdf_dataset *d)
{
    size_t size = table_size(d->n), i, slot;
    uint32_t *tab = mc_calloc(size, sizeof(*tab));
    mcred_rc rc = MCRED_OK;
    int k;

    if (!tab)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < d->n && !rc; i++) {
        const struct mc_rdf_quad *q = &d->quads[i];
        const struct mc_rdf_term *t[4] = { &q->s, &q->p, &q->o, &q->g };
        struct rq *r = &st->q[st->nq];

        rc = check_quad(st, q, i);
        r->q = q;
        for (k = 0; k < 4 && !rc; k++) {
            r->t[k] = 0;
            if (t[k]->kind != MC_RDF_DEFAULT)
                rc = term_number(st, t[k], &r->t[k]);
        }
        if (rc)
            break;
        for (k = 0; k < 4; k++)
            r->bn[k] = st->tx[r->t[k]].bn;
        for (slot = (size_t)quad_hash(r) & (size - 1); tab[slot]; slot = (slot + 1) & (size - 1))
            if (memcmp(st->q[tab[slot] - 1].t, r->t, sizeof(r->t)) == 0)
                break;
        if (!tab[slot])
            tab[slot] = (uint32_t)++st->nq;
    }
    mc_free(tab);
    return rc;
}

/* The blank nodes, from the texts that name them. */
static mcred_rc load_bnodes(struct rdfc *st)
{
    size_t i;

    st->bn = mc_allocarray(st->nbn, sizeof(*st->bn));
    if (!st->bn)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < st->ntx; i++) {
        struct rbn *b;

        if (st->tx[i].bn < 0)
            continue;
        b = &st->bn[st->tx[i].bn];
        b->label = st->tx[i].value;
        b->first = 0;
        b->n = 0;
        b->canon = -1;
        b->name_len = 0;
        b->h1[0] = '\0';
    }
    return MCRED_OK;
}

/* The blank node to quads map, as one array sliced per blank node. A quad is
 * listed once per blank node even when it mentions it twice. */
static mcred_rc load_lists(struct rdfc *st)
{
    size_t i, total = 0;
    int k, j;

    for (i = 0; i < st->nq; i++) {
        for (k = 0; k < 4; k++) {
            int32_t b = st->q[i].bn[k];

            for (j = 0; j < k && b >= 0; j++)
                if (st->q[i].bn[j] == b)
                    b = -1;
            if (b >= 0) {
                st->bn[b].n++;
                total++;
            }
        }
    }
    st->bq = mc_allocarray(total ? total : 1, sizeof(*st->bq));
    if (!st->bq)
        return MCRED_ERR_NOMEM;
    total = 0;
    for (i = 0; i < st->nbn; i++) {
        st->bn[i].first = (uint32_t)total;
        total += st->bn[i].n;
        st->bn[i].n = 0;
    }
    for (i = 0; i < st->nq; i++) {
        for (k = 0; k < 4; k++) {
            int32_t b = st->q[i].bn[k];

            for (j = 0; j < k && b >= 0; j++)
                if (st->q[i].bn[j] == b)
                    b = -1;
            if (b >= 0)
                st->bq[st->bn[b].first + st->bn[b].n++] = (uint32_t)i;
        }
    }
    return MCRED_OK;
}

/* --- lines -------------------------------------------------------------------- */

/* The text of term k of q, blank nodes named by mode. */
static inline const char *term_text(const struct rdfc *st, const struct rq *q, int k,
                             enum naming mode, int32_t ref, size_t *len)
{
    int32_t b = q->bn[k];
    const struct tx *x;

    if (b >= 0 && mode == NAME_AZ) {
        *len = 3;
        return b == ref ? "_:a" : "_:z";
    }
    if (b >= 0) {
        *len = st->bn[b].name_len;
        return st->bn[b].name;
    }
    x = &st->tx[q->t[k]];
    *len = x->len;
    return st->text.ptr + x->off;
}

/* The order of the lines of quads a and b (see the design notes). */
static int quad_cmp(const struct rdfc *st, uint32_t a, uint32_t b, enum naming mode,
                    int32_t ref)
{
    const struct rq *x = &st->q[a], *y = &st->q[b];
    int k, c;

    for (k = 0; k < 4; k++) {
        const char *p, *r;
        size_t pn, rn;

        if (x->t[k] == y->t[k])
            continue;  /* the same term: the same text */
        p = term_text(st, x, k, mode, ref, &pn);
        r = term_text(st, y, k, mode, ref, &rn);
        c = bytes_cmp(p, pn, r, rn);
        if (c)
            return c;
    }
    return 0;
}

/* Sort the quad numbers a[0..n) by their lines: insertion sort for short
 * runs, merge sort above (stable, O(n log n), tmp holds n numbers). */
static void sort_quads(const struct rdfc *st, uint32_t *a, size_t n, uint32_t *tmp,
                       enum naming mode, int32_t ref)
{
    size_t i, j, k, h;

    if (n <= 12) {
        for (i = 1; i < n; i++) {
            uint32_t v = a[i];

            for (j = i; j > 0 && quad_cmp(st, a[j - 1], v, mode, ref) > 0; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    h = n / 2;
    sort_quads(st, a, h, tmp, mode, ref);
    sort_quads(st, a + h, n - h, tmp, mode, ref);
    if (quad_cmp(st, a[h - 1], a[h], mode, ref) <= 0)
        return;  /* already in order */
    memcpy(tmp, a, h * sizeof(*a));
    for (i = 0, j = h, k = 0; i < h; k++) {
        if (j < n && quad_cmp(st, a[j], tmp[i], mode, ref) < 0)
            a[k] = a[j++];
        else
            a[k] = tmp[i++];
    }
}

/* Append the lines of quads idx[0..n), in that order, to b: one grow, then
 * copies of the term texts. */
static mcred_rc put_lines(const struct rdfc *st, struct mc_buf *b, const uint32_t *idx,
                          size_t n, enum naming mode, int32_t ref)
{
    size_t need = 0, i, len;
    const char *s;
    char *p;
    int k;
    mcred_rc rc;

    for (i = 0; i < n; i++) {
        const struct rq *q = &st->q[idx[i]];

        for (k = 0; k < 4; k++) {
            (void)term_text(st, q, k, mode, ref, &len);
            need += len + 1;
        }
        need += 2;
    }
    rc = mc_buf_grow(b, need);
    if (rc)
        return rc;
    p = b->ptr + b->len;
    for (i = 0; i < n; i++) {
        const struct rq *q = &st->q[idx[i]];

        for (k = 0; k < 4; k++) {
            s = term_text(st, q, k, mode, ref, &len);
            if (k == 3 && len == 0)
                break;  /* the default graph */
            if (k)
                *p++ = ' ';
            memcpy(p, s, len);
            p += len;
        }
        memcpy(p, " .\n", 3);
        p += 3;
    }
    b->len = (size_t)(p - b->ptr);
    b->ptr[b->len] = '\0';
    return MCRED_OK;
}

/* Hash First Degree Quads (RDFC-1.0 4.6): the sorted lines of b's quads,
 * with _:a for b and _:z for the other blank nodes, hashed in one update. */
static mcred_rc hash_first_degree(struct rdfc *st, int32_t b)
{
    const struct rbn *n = &st->bn[b];
    uint32_t *idx = st->order;
    mcred_rc rc;

    memcpy(idx, st->bq + n->first, n->n * sizeof(*idx));
    sort_quads(st, idx, n->n, idx + n->n, NAME_AZ, b);
    mc_buf_reset(&st->scratch);
    rc = put_lines(st, &st->scratch, idx, n->n, NAME_AZ, b);
    if (rc)
        return rc;
    return hash_buf(st, st->scratch.ptr, st->scratch.len, st->bn[b].h1);
}

/* --- identifier issuers -------------------------------------------------------- */

static void issue_canon(struct rdfc *st, int32_t b)
{
    struct rbn *n = &st->bn[b];

    if (n->canon >= 0)
        return;
    n->canon = (int32_t)st->ncanon;
    memcpy(n->name, "_:c14n", 6);
    n->name_len = (uint32_t)(6 + put_u32(n->name + 6, (uint32_t)st->ncanon));
    st->canon[st->ncanon++] = b;
}
static void issuer_release(struct issuer *is)
{
    mc_free(is->ids);
    is->ids = NULL;
    is->n = 0;
    is->cap = 0;
}

/* The temporary identifier number of b, or -1. */
static int32_t issuer_find(const struct issuer *is, int32_t b)
{
    uint32_t i;

    for (i = 0; i < is->n; i++)
        if (is->ids[i] == b)
            return (int32_t)i;
    return -1;
}

/* Issue Identifier (RDFC-1.0 4.5): *num is b's temporary number. */
static mcred_rc issuer_issue(struct issuer *is, int32_t b, uint32_t *num)
{
    int32_t k = issuer_find(is, b);

    if (k >= 0) {
        *num = (uint32_t)k;
        return MCRED_OK;
    }
    if (is->n == is->cap) {
        uint32_t cap = is->cap ? is->cap * 2 : 8;
        int32_t *ids = mc_allocarray(cap, sizeof(*ids));

        if (!ids)
            return MCRED_ERR_NOMEM;
        if (is->n)
            memcpy(ids, is->ids, is->n * sizeof(*ids));
        mc_free(is->ids);
        is->ids = ids;
        is->cap = cap;
    }
    *num = is->n;
    is->ids[is->n++] = b;
    return MCRED_OK;
}

static mcred_rc issuer_copy(struct issuer *dst, const struct issuer *src)
{
    dst->n = 0;
    dst->cap = src->n + 8;
    dst->ids = mc_allocarray(dst->cap, sizeof(*dst->ids));
    if (!dst->ids)
        return MCRED_ERR_NOMEM;
    if (src->n)
        memcpy(dst->ids, src->ids, src->n * sizeof(*dst->ids));
    dst->n = src->n;
    return MCRED_OK;
}

/* --- hash N-degree quads ------------------------------------------------------- */

struct related {                 /* one entry of the hash to related blank nodes map */
    char h[HEX_MAX + 1];
    int32_t bn;
    uint32_t seq;                /* order of discovery, to keep the sort stable */
};

static int related_cmp(const void *a, const void *b)
{
    const struct related *x = a, *y = b;
    int c = strcmp(x->h, y->h);

    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Hash Related Blank Node (RDFC-1.0 4.7) for blank node r at position pos
 * ('s', 'o' or 'g') of quad q, with the temporary issuer is. */
static mcred_rc hash_related(struct rdfc *st, const struct issuer *is, int32_t r,
                             const struct rq *q, char pos, char *hex)
{
    struct mc_buf *b = &st->scratch;
    int32_t k;
    mcred_rc rc;

    mc_buf_reset(b);
    rc = mc_buf_appendc(b, pos);
    if (!rc && pos != 'g') {
        rc = mc_buf_appendc(b, '<');
        if (!rc)
            rc = mc_buf_appends(b, q->q->p.value);
        if (!rc)
            rc = mc_buf_appendc(b, '>');
    }
    if (rc)
        return rc;
    k = issuer_find(is, r);
    if (st->bn[r].canon >= 0)
        rc = append_name(b, "_:c14n", (uint32_t)st->bn[r].canon);
    else if (k >= 0)
        rc = append_name(b, "_:b", (uint32_t)k);
    else
        rc = mc_buf_append(b, st->bn[r].h1, st->hex_len);
    if (rc)
        return rc;
    return hash_buf(st, b->ptr, b->len, hex);
}

/* The hash to related blank nodes map of b, as entries sorted by hash. */
static mcred_rc related_map(struct rdfc *st, int32_t b, const struct issuer *is,
                            struct related **out, size_t *nout)
{
    static const struct { int k; char pos; } slots[3] = { { 0, 's' }, { 2, 'o' }, { 3, 'g' } };
    const struct rbn *n = &st->bn[b];
    struct related *rel;
    size_t nrel = 0, i;
    int j;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    *nout = 0;
    rel = mc_allocarray((size_t)n->n * 3 + 1, sizeof(*rel));
    if (!rel)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < n->n && !rc; i++) {
        const struct rq *q = &st->q[st->bq[n->first + i]];

        for (j = 0; j < 3 && !rc; j++) {
            int32_t r = q->bn[slots[j].k];

            if (r < 0 || r == b)
                continue;
            rc = work(st, 1, b);
            if (!rc)
                rc = hash_related(st, is, r, q, slots[j].pos, rel[nrel].h);
            rel[nrel].bn = r;
            rel[nrel].seq = (uint32_t)nrel;
            nrel++;
        }
    }
    if (rc) {
        mc_free(rel);
        return rc;
    }
    if (nrel > 1)
        qsort(rel, nrel, sizeof(*rel), related_cmp);
    *out = rel;
    *nout = nrel;
    return MCRED_OK;
}

/* Permutations in lexicographic order of input labels; false after the last. */
static bool next_perm(const struct rdfc *st, int32_t *a, size_t n)
{
    size_t i, j;

    if (n < 2)
        return false;
    i = n - 1;
    while (i > 0 && strcmp(st->bn[a[i - 1]].label, st->bn[a[i]].label) >= 0)
        i--;
    if (i == 0)
        return false;
    j = n - 1;
    while (strcmp(st->bn[a[j]].label, st->bn[a[i - 1]].label) <= 0)
        j--;
    {
        int32_t t = a[i - 1];

        a[i - 1] = a[j];
        a[j] = t;
    }
    for (j = n - 1; i < j; i++, j--) {
        int32_t t = a[i];

        a[i] = a[j];
        a[j] = t;
    }
    return true;
}

static int label_cmp(const struct rdfc *st, int32_t a, int32_t b)
{
    return strcmp(st->bn[a].label, st->bn[b].label);
}

/* Insertion sort by label: the lists are short (one related hash each). */
static void sort_by_label(const struct rdfc *st, int32_t *a, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        int32_t v = a[i];

        for (j = i; j > 0 && label_cmp(st, a[j - 1], v) > 0; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* path may not become the chosen path: it is already longer and greater. */
static bool prune(const struct mc_buf *path, const struct mc_buf *chosen, bool have)
{
    return have && path->len >= chosen->len &&
           bytes_cmp(path->ptr, path->len, chosen->ptr, chosen->len) > 0;
}

static mcred_rc hash_n_degree(struct rdfc *st, int32_t b, struct issuer *is, char *hex);

/* Steps 5.4.4.1-5.4.4.4 for one permutation list[0..n): the path through it
 * and the issuer that results, unless pruned (*pruned). copy is filled. */
static mcred_rc walk_permutation(struct rdfc *st, const int32_t *list, size_t n,
                                 const struct issuer *is, struct issuer *copy,
                                 struct mc_buf *path, const struct mc_buf *chosen, bool have,
                                 int32_t *rec, bool *pruned)
{
    char h[HEX_MAX + 1];
    size_t i, nrec = 0;
    uint32_t num;
    mcred_rc rc;

    *pruned = false;
    mc_buf_reset(path);
    rc = issuer_copy(copy, is);
    for (i = 0; !rc && i < n; i++) {
        int32_t r = list[i];

        if (st->bn[r].canon >= 0) {
            rc = append_name(path, "_:c14n", (uint32_t)st->bn[r].canon);
        } else {
            if (issuer_find(copy, r) < 0)
                rec[nrec++] = r;
            rc = issuer_issue(copy, r, &num);
            if (!rc)
                rc = append_name(path, "_:b", num);
        }
        if (!rc && prune(path, chosen, have)) {
            *pruned = true;
            return MCRED_OK;
        }
    }
    for (i = 0; !rc && i < nrec; i++) {
        rc = hash_n_degree(st, rec[i], copy, h);
        if (!rc)
            rc = issuer_issue(copy, rec[i], &num);
        if (!rc)
            rc = append_name(path, "_:b", num);
        if (!rc)
            rc = mc_buf_appendc(path, '<');
        if (!rc)
            rc = mc_buf_append(path, h, st->hex_len);
        if (!rc)
            rc = mc_buf_appendc(path, '>');
        if (!rc && prune(path, chosen, have)) {
            *pruned = true;
            return MCRED_OK;
        }
    }
    return rc;
}

/* Step 5.4 for one related hash: choose the least path over every permutation
 * of list, append it to data and make its issuer *is. */
static mcred_rc choose_path(struct rdfc *st, int32_t b, int32_t *list, size_t n,
                            struct issuer *is, struct mc_buf *data)
{
    struct mc_buf path, chosen, tmp;
    struct issuer copy = { 0 }, best = { 0 }, t;
    int32_t *rec = mc_allocarray(n, sizeof(*rec));
    bool have = false, pruned;
    mcred_rc rc = MCRED_OK;

    if (!rec)
        return MCRED_ERR_NOMEM;
    mc_buf_init(&path, TEXT_MAX);
    mc_buf_init(&chosen, TEXT_MAX);
    sort_by_label(st, list, n);
    do {
        rc = work(st, 1 + n / 8 + is->n / 64, b);
        if (!rc)
            rc = walk_permutation(st, list, n, is, &copy, &path, &chosen, have, rec, &pruned);
        if (rc)
            break;
        if (!pruned && (!have || bytes_cmp(path.ptr, path.len, chosen.ptr, chosen.len) < 0)) {
            tmp = path;
            path = chosen;
            chosen = tmp;
            t = copy;
            copy = best;
            best = t;
            have = true;
        }
        issuer_release(&copy);
    } while (next_perm(st, list, n));
    if (!rc)
        rc = mc_buf_append(data, chosen.ptr ? chosen.ptr : "", chosen.len);
    if (!rc) {
        t = *is;
        *is = best;
        best = t;
    }
    issuer_release(&copy);
    issuer_release(&best);
    mc_buf_release(&path);
    mc_buf_release(&chosen);
    mc_free(rec);
    return rc;
}

/* Hash N-Degree Quads (RDFC-1.0 4.8) of blank node b with the temporary
 * issuer is, which is replaced by the chosen one. hex receives the hash. */
static mcred_rc hash_n_degree(struct rdfc *st, int32_t b, struct issuer *is, char *hex)
{
    struct related *rel = NULL;
    struct mc_buf data;
    int32_t *list = NULL;
    size_t nrel = 0, i, j, k;
    mcred_rc rc;

    if (st->depth >= MC_RDFC_MAX_DEPTH)
        return report(st, MCRED_ERR_LIMIT, "hash N-degree quads recursion deeper than %d "
                      "at blank node '_:%.60s'", MC_RDFC_MAX_DEPTH, st->bn[b].label);
    rc = work(st, 1, b);
    if (rc)
        return rc;
    st->depth++;
    mc_buf_init(&data, TEXT_MAX);
    rc = related_map(st, b, is, &rel, &nrel);
    if (!rc && nrel) {
        list = mc_allocarray(nrel, sizeof(*list));
        if (!list)
            rc = MCRED_ERR_NOMEM;
    }
    for (i = 0; !rc && i < nrel; i = j) {
        for (j = i; j < nrel && strcmp(rel[j].h, rel[i].h) == 0; j++)
            list[j - i] = rel[j].bn;
        k = j - i;
        rc = mc_buf_append(&data, rel[i].h, st->hex_len);
        if (!rc)
            rc = choose_path(st, b, list, k, is, &data);
    }
    if (!rc)
        rc = hash_buf(st, data.ptr ? data.ptr : "", data.len, hex);
    st->depth--;
    mc_buf_release(&data);
    mc_free(list);
    mc_free(rel);
    return rc;
}

/* --- the canonicalization algorithm (RDFC-1.0 4.4) ----------------------------- */

struct nd_result {               /* one entry of the hash path list */
    char h[HEX_MAX + 1];
    struct issuer is;
    uint32_t seq;
};

static int nd_cmp(const void *a, const void *b)
{
    const struct nd_result *x = a, *y = b;
    int c = strcmp(x->h, y->h);

    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

struct h1_ref {
    const char *h;
    int32_t bn;
};

static int h1_cmp(const void *a, const void *b)
{
    const struct h1_ref *x = a, *y = b;
    int c = strcmp(x->h, y->h);

    if (c)
        return c;
    return (x->bn > y->bn) - (x->bn < y->bn);
}

/* Step 5 for one shared first-degree hash: blank nodes group[0..n). */
static mcred_rc label_group(struct rdfc *st, const struct h1_ref *group, size_t n)
{
    struct nd_result *res = mc_calloc(n, sizeof(*res));
    size_t nres = 0, i, k;
    uint32_t num;
    mcred_rc rc = MCRED_OK;

    if (!res)
        return MCRED_ERR_NOMEM;
    for (i = 0; !rc && i < n; i++) {
        int32_t b = group[i].bn;

        if (st->bn[b].canon >= 0)
            continue;
        res[nres].seq = (uint32_t)nres;
        rc = issuer_issue(&res[nres].is, b, &num);
        nres++;
        if (!rc)
            rc = hash_n_degree(st, b, &res[nres - 1].is, res[nres - 1].h);
    }
    if (!rc && nres > 1)
        qsort(res, nres, sizeof(*res), nd_cmp);
    for (i = 0; !rc && i < nres; i++)
        for (k = 0; k < res[i].is.n; k++)
            issue_canon(st, res[i].is.ids[k]);
    for (i = 0; i < nres; i++)
        issuer_release(&res[i].is);
    mc_free(res);
    return rc;
}

/* Steps 3-5: canonical numbers for every blank node. */
static mcred_rc label_all(struct rdfc *st)
{
    struct h1_ref *order;
    size_t i, j;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < st->nbn && !rc; i++)
        rc = hash_first_degree(st, (int32_t)i);
    if (rc || st->nbn == 0)
        return rc;
    order = mc_allocarray(st->nbn, sizeof(*order));
    if (!order)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < st->nbn; i++) {
        order[i].h = st->bn[i].h1;
        order[i].bn = (int32_t)i;
    }
    qsort(order, st->nbn, sizeof(*order), h1_cmp);
    for (i = 0; i < st->nbn; i = j) {  /* step 4: unique hashes first */
        for (j = i + 1; j < st->nbn && strcmp(order[j].h, order[i].h) == 0; j++)
            ;
        if (j - i == 1)
            issue_canon(st, order[i].bn);
    }
    for (i = 0; i < st->nbn && !rc; i = j) {  /* step 5: shared hashes in order */
        for (j = i + 1; j < st->nbn && strcmp(order[j].h, order[i].h) == 0; j++)
            ;
        if (j - i > 1)
            rc = label_group(st, order + i, j - i);
    }
    mc_free(order);
    return rc;
}


/* Step 7: the canonical N-Quads, sorted. Distinct quads give distinct lines:
 * distinct blank nodes have distinct canonical labels. */
static mcred_rc serialize(struct rdfc *st, struct mc_buf *out)
{
    size_t i;

    for (i = 0; i < st->nq; i++)
        st->order[i] = (uint32_t)i;
    sort_quads(st, st->order, st->nq, st->order + st->nq, NAME_CANON, NO_BN);
    return put_lines(st, out, st->order, st->nq, NAME_CANON, NO_BN);
}

/* The arrays sized by the input: quads, the merge space, and the starting
 * sizes of the term tables and texts (a credential has about two distinct
 * terms and 80 bytes of term text a quad; the tables grow past that). */
static mcred_rc load_init(struct rdfc *st, size_t n)
{
    size_t guess = 2 * n + 8;

    st->q = mc_allocarray(n ? n : 1, sizeof(*st->q));
    st->order = mc_allocarray(n ? n : 1, 2 * sizeof(*st->order));
    st->tx_cap = guess;
    st->tx = mc_allocarray(guess, sizeof(*st->tx));
    st->pent_cap = guess;
    st->pent = mc_allocarray(guess, sizeof(*st->pent));
    st->psize = table_size(guess);
    st->ptab = mc_calloc(st->psize, sizeof(*st->ptab));
    st->tsize = st->psize;
    st->ttab = mc_calloc(st->tsize, sizeof(*st->ttab));
    if (!st->q || !st->order || !st->tx || !st->pent || !st->ptab || !st->ttab)
        return MCRED_ERR_NOMEM;
    st->tx[0].h = 0;  /* text 0: the empty text of the default graph */
    st->tx[0].off = 0;
    st->tx[0].len = 0;
    st->tx[0].bn = NO_BN;
    st->tx[0].value = NULL;
    st->ntx = 1;
    return mc_buf_grow(&st->text, n < 1000000 ? 96 * n + 64 : 96000064);
}

static mcred_rc run(struct rdfc *st, const struct mc_rdf_dataset *d, struct mc_buf *out,
                    struct mc_rdfc_map *map)
{
    size_t i;
    mcred_rc rc;

    rc = load_init(st, d->n);
    if (!rc)
        rc = load_quads(st, d);
    if (!rc && st->nbn)
        rc = load_bnodes(st);
    if (!st->max_work) {
        st->max_work = MC_RDFC_DEFAULT_WORK + MC_RDFC_WORK_PER_BNODE * st->nbn;
        if (st->max_work > MC_RDFC_DEFAULT_WORK_CAP)
            st->max_work = MC_RDFC_DEFAULT_WORK_CAP;
    }
    if (!rc && st->nbn) {
        rc = load_lists(st);
        st->canon = mc_allocarray(st->nbn, sizeof(*st->canon));
        if (!rc && !st->canon)
            rc = MCRED_ERR_NOMEM;
    }
    if (getenv("RDFC_DEBUG"))
        fprintf(stderr, "n %zu nq %zu pn %zu ntx %zu nbn %zu text %zu\n", d->n, st->nq, st->pn, st->ntx, st->nbn, st->text.len);
    if (!rc)
        rc = label_all(st);
    if (!rc && out)
        rc = serialize(st, out);
    if (!rc && map) {
        map->label = mc_allocarray(st->ncanon ? st->ncanon : 1, sizeof(*map->label));
        if (!map->label)
            return MCRED_ERR_NOMEM;
        for (i = 0; i < st->ncanon; i++)
            map->label[i] = st->bn[st->canon[i]].label;
        map->n = st->ncanon;
    }
    return rc;
}

void mc_rdfc_map_release(struct mc_rdfc_map *map)
{
    if (!map)
        return;
    mc_free(map->label);
    map->label = NULL;
    map->n = 0;
}

mcred_rc mc_rdfc_canon_map(const struct mc_rdf_dataset *d, const struct mc_rdfc_opts *opts,
                           struct mc_buf *out, struct mc_rdfc_map *map, struct mc_err *err)
{
    struct rdfc st;
    size_t len0 = out ? out->len : 0;
    mcred_rc rc;

    memset(&st, 0, sizeof(st));
    st.err = err;
    st.max_work = opts ? opts->max_work : 0;
    if (pthread_once(&setup_once, setup) != 0)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "RDFC-1.0: digest setup failed");
    st.md = opts && opts->hash == MC_RDFC_SHA384 ? md_sha384 : md_sha256;
    st.hex_len = opts && opts->hash == MC_RDFC_SHA384 ? 96 : 64;
    if (!st.md)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "RDFC-1.0: SHA-%s is not available",
                          st.hex_len == 96 ? "384" : "256");
    if (map) {
        map->label = NULL;
        map->n = 0;
    }
    if (d->n > UINT32_MAX / 8)
        return mc_err_set(err, MCRED_ERR_LIMIT, "RDFC-1.0: %zu quads are too many", d->n);
    mc_buf_init(&st.text, TEXT_MAX);
    mc_buf_init(&st.scratch, TEXT_MAX);
    rc = run(&st, d, out, map);
    if (rc && out) {
        out->len = len0;
        if (out->ptr)
            out->ptr[len0] = '\0';
    }
    if (rc && !st.reported)
        mc_err_set(err, rc, "RDFC-1.0: %s", rc == MCRED_ERR_LIMIT ?
                   "output larger than its buffer allows" : mcred_strerror(rc));
    EVP_MD_CTX_free(st.ctx);
    mc_buf_release(&st.text);
    mc_buf_release(&st.scratch);
    mc_free(st.q);
    mc_free(st.order);
    mc_free(st.tx);
    mc_free(st.pent);
    mc_free(st.ptab);
    mc_free(st.ttab);
    mc_free(st.bn);
    mc_free(st.bq);
    mc_free(st.canon);
    return rc;
}

mcred_rc mc_rdfc_canon(const struct mc_rdf_dataset *d, const struct mc_rdfc_opts *opts,
                       struct mc_buf *out, struct mc_err *err)
{
    return mc_rdfc_canon_map(d, opts, out, NULL, err);
}
