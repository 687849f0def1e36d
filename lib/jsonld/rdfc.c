/* rdfc.c - RDF Dataset Canonicalization (W3C RDFC-1.0): canonical blank node
 * labels for a dataset and its canonical N-Quads, with a work bound against
 * poison datasets. Used once per credential signed or verified with
 * eddsa-rdfc-2022, so the common case (tens of quads, a few blank nodes, all
 * told apart by their first-degree hashes) is kept cheap: every term is
 * escaped once, lines are built by copying those texts and sorted by a merge
 * sort on (pointer, length) keys, and each hash is one update of an EVP
 * context whose digest was fetched once per process. Hash N-degree quads
 * follows the spec's steps literally; its cost is what max_work bounds.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "jsonld/rdf.h"

#define HASH_MAX 48              /* SHA-384 */
#define HEX_MAX (2 * HASH_MAX)
#define NAME_MAX_LEN 16          /* "_:c14n" or "_:b" plus a 32-bit number */
#define TEXT_MAX ((size_t)1 << 30)

struct rq {                      /* one distinct quad of the input */
    const struct mc_rdf_quad *q;
    int32_t bn[4];               /* blank node index at s, p, o, g; -1 when none */
    uint32_t off[4], len[4];     /* each term in canonical N-Quads text, in st->text */
    uint32_t line_off, line_len; /* the whole line with input labels, in st->text */
    bool ground;                 /* no blank nodes: the line is already canonical */
};

struct rbn {                     /* one blank node */
    const char *label;           /* input label, borrowed from the dataset */
    uint32_t first, n;           /* the quads mentioning it: st->bq[first .. first + n) */
    int32_t canon;               /* canonical number (c14n<canon>), or -1 */
    char h1[HEX_MAX + 1];        /* first-degree hash, lowercase hex */
};

struct line {                    /* a line to sort, borrowed from a buffer */
    const char *p;
    size_t len;
};

struct issuer {                  /* a temporary issuer (prefix "b") */
    int32_t *ids;                /* blank nodes in issue order: ids[k] got "b<k>" */
    uint32_t n, cap;
};

struct rdfc {
    struct rq *q;                /* distinct quads */
    size_t nq;
    struct rbn *bn;              /* blank nodes in order of first mention */
    size_t nbn;
    uint32_t *bq;                /* quad lists of all blank nodes, back to back */
    int32_t *canon;              /* canon[k]: the blank node that got c14n<k> */
    size_t ncanon;
    struct mc_buf text;          /* term texts */
    struct mc_buf lines;         /* scratch: lines to sort */
    struct line *refs;           /* scratch: their sort keys */
    size_t refs_cap;
    struct mc_buf scratch;       /* scratch: input of hash related blank node */
    EVP_MD_CTX *ctx;
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

static int line_cmp(const struct line *x, const struct line *y)
{
    return bytes_cmp(x->p, x->len, y->p, y->len);
}

/* Sort lines in code point order: insertion sort for short runs, merge sort
 * above (stable, O(n log n), tmp holds n lines). Cheaper than qsort's
 * indirect calls for the tens of lines of a credential. */
static void sort_lines(struct line *a, size_t n, struct line *tmp)
{
    size_t i, j, k, h;

    if (n <= 12) {
        for (i = 1; i < n; i++) {
            struct line v = a[i];

            for (j = i; j > 0 && line_cmp(&a[j - 1], &v) > 0; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    h = n / 2;
    sort_lines(a, h, tmp);
    sort_lines(a + h, n - h, tmp);
    if (line_cmp(&a[h - 1], &a[h]) <= 0)
        return;  /* already in order */
    memcpy(tmp, a, h * sizeof(*a));
    for (i = 0, j = h, k = 0; i < h; k++) {
        if (j < n && line_cmp(&a[j], &tmp[i]) < 0)
            a[k] = a[j++];
        else
            a[k] = tmp[i++];
    }
}

static mcred_rc work(struct rdfc *st, size_t steps, int32_t at)
{
    st->work += steps;
    if (st->work <= st->max_work)
        return MCRED_OK;
    return report(st, MCRED_ERR_LIMIT, "work limit of %zu steps exceeded at blank node "
                  "'_:%.60s' (a poison dataset?)", st->max_work, st->bn[at].label);
}

/* --- loading: distinct quads, blank nodes and their quad lists -------------- */

/* A word-at-a-time hash for the duplicate and label tables, started from a
 * secret per-process seed so that input cannot be crafted to collide (that
 * would make the tables quadratic). Tables keep the whole 64-bit value: a
 * chance collision of the slot bits costs an integer compare. */
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

struct slot {                    /* a hash table entry */
    uint64_t h;                  /* the key's hash64 */
    uint32_t idx;                /* 1 + index of the entry; 0 when empty */
};

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

/* Escape every term of d once into st->text. */
static mcred_rc load_texts(struct rdfc *st, const struct mc_rdf_dataset *d, struct rq *all)
{
    size_t i;
    int k;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < d->n && !rc; i++) {
        const struct mc_rdf_quad *q = &d->quads[i];
        const struct mc_rdf_term *t[4] = { &q->s, &q->p, &q->o, &q->g };
        struct rq *r = &all[i];

        rc = check_quad(st, q, i);
        if (rc)
            return rc;
        r->q = q;
        r->ground = true;
        r->line_off = (uint32_t)st->text.len;
        for (k = 0; k < 4 && !rc; k++) {
            r->bn[k] = t[k]->kind == MC_RDF_BLANK ? 0 : -1;
            r->ground &= r->bn[k] < 0;
            if (k && t[k]->kind != MC_RDF_DEFAULT)
                rc = mc_buf_appendc(&st->text, ' ');
            r->off[k] = (uint32_t)st->text.len;
            if (!rc)
                rc = mc_rdf_term_write(&st->text, t[k]);
            r->len[k] = (uint32_t)(st->text.len - r->off[k]);
        }
        if (!rc)
            rc = mc_buf_append(&st->text, " .\n", 3);
        r->line_len = (uint32_t)(st->text.len - r->line_off);
    }
    return rc;
}

/* Lines are equal exactly when quads are: the canonical form of a term is
 * unique, and a line parses back into its terms one way only. */
static bool rq_eq(const struct rdfc *st, const struct rq *a, const struct rq *b)
{
    return a->line_len == b->line_len &&
           memcmp(st->text.ptr + a->line_off, st->text.ptr + b->line_off, a->line_len) == 0;
}

/* Keep the first of each repeated quad: the dataset is a set. */
static mcred_rc load_distinct(struct rdfc *st, struct rq *all, size_t n)
{
    size_t size = table_size(n), i;
    struct slot *tab = mc_calloc(size, sizeof(*tab));

    if (!tab)
        return MCRED_ERR_NOMEM;
    st->nq = 0;
    for (i = 0; i < n; i++) {
        uint64_t h = hash64(st->text.ptr + all[i].line_off, all[i].line_len);
        size_t slot;
        bool dup = false;

        for (slot = (size_t)h & (size - 1); tab[slot].idx; slot = (slot + 1) & (size - 1)) {
            if (tab[slot].h == h && rq_eq(st, &all[tab[slot].idx - 1], &all[i])) {
                dup = true;
                break;
            }
        }
        if (dup)
            continue;
        all[st->nq] = all[i];
        tab[slot].h = h;
        tab[slot].idx = (uint32_t)(st->nq + 1);
        st->nq++;
    }
    mc_free(tab);
    st->q = all;
    return MCRED_OK;
}

static const char *term_label(const struct rq *q, int k)
{
    const struct mc_rdf_term *t[4] = { &q->q->s, &q->q->p, &q->q->o, &q->q->g };

    return t[k]->value;
}

/* Number the blank nodes in order of first mention (s, o, g of each quad). */
static mcred_rc load_bnodes(struct rdfc *st)
{
    size_t occ = 0, size, i;
    struct slot *tab;
    int k;

    for (i = 0; i < st->nq; i++)
        for (k = 0; k < 4; k++)
            occ += st->q[i].bn[k] == 0;
    if (!occ)
        return MCRED_OK;
    size = table_size(occ);
    tab = mc_calloc(size, sizeof(*tab));
    st->bn = mc_allocarray(occ, sizeof(*st->bn));
    if (!tab || !st->bn) {
        mc_free(tab);
        return MCRED_ERR_NOMEM;
    }
    for (i = 0; i < st->nq; i++) {
        for (k = 0; k < 4; k++) {
            const char *label;
            size_t slot;
            uint64_t h;

            if (st->q[i].bn[k] < 0)
                continue;
            label = term_label(&st->q[i], k);
            h = hash64(label, strlen(label));
            slot = (size_t)h & (size - 1);
            while (tab[slot].idx && (tab[slot].h != h ||
                                     strcmp(st->bn[tab[slot].idx - 1].label, label) != 0))
                slot = (slot + 1) & (size - 1);
            if (!tab[slot].idx) {
                struct rbn *b = &st->bn[st->nbn];

                b->label = label;
                b->first = 0;
                b->n = 0;
                b->canon = -1;
                b->h1[0] = '\0';
                tab[slot].h = h;
                tab[slot].idx = (uint32_t)++st->nbn;
            }
            st->q[i].bn[k] = (int32_t)(tab[slot].idx - 1);
        }
    }
    mc_free(tab);
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

enum naming {
    NAME_AZ,     /* _:a for the reference blank node, _:z for the others */
    NAME_CANON,  /* _:c14n<k> */
};

/* Append quad q as a canonical N-Quads line with blank nodes named by mode. */
static mcred_rc put_line(struct rdfc *st, struct mc_buf *b, const struct rq *q,
                         enum naming mode, int32_t ref)
{
    size_t need = 3 + 4 * NAME_MAX_LEN, k;
    char *p;
    mcred_rc rc;

    if (q->ground)
        return mc_buf_append(b, st->text.ptr + q->line_off, q->line_len);
    for (k = 0; k < 4; k++)
        need += q->len[k] + 1;
    rc = mc_buf_grow(b, need);
    if (rc)
        return rc;
    p = b->ptr + b->len;
    for (k = 0; k < 4; k++) {
        int32_t bn = q->bn[k];

        if (k == 3 && q->len[3] == 0)
            break;  /* the default graph */
        if (k)
            *p++ = ' ';
        if (bn < 0) {
            memcpy(p, st->text.ptr + q->off[k], q->len[k]);
            p += q->len[k];
        } else if (mode == NAME_AZ) {
            memcpy(p, bn == ref ? "_:a" : "_:z", 3);
            p += 3;
        } else {
            memcpy(p, "_:c14n", 6);
            p += 6 + put_u32(p + 6, (uint32_t)st->bn[bn].canon);
        }
    }
    memcpy(p, " .\n", 3);
    p += 3;
    b->len = (size_t)(p - b->ptr);
    b->ptr[b->len] = '\0';
    return MCRED_OK;
}

/* Fill st->lines with the lines of quads idx[0..n) and sort them into
 * st->refs. */
static mcred_rc sorted_lines(struct rdfc *st, const uint32_t *idx, size_t n, enum naming mode,
                             int32_t ref)
{
    size_t i, off;
    mcred_rc rc;

    if (n > st->refs_cap) {  /* n lines, then n more as merge space */
        struct line *r = mc_allocarray(n, 2 * sizeof(*r));

        if (!r)
            return MCRED_ERR_NOMEM;
        mc_free(st->refs);
        st->refs = r;
        st->refs_cap = n;
    }
    mc_buf_reset(&st->lines);
    if (n == 0)
        return MCRED_OK;
    for (i = 0; i < n; i++) {
        off = st->lines.len;
        rc = put_line(st, &st->lines, &st->q[idx ? idx[i] : i], mode, ref);
        if (rc)
            return rc;
        st->refs[i].len = st->lines.len - off;
    }
    for (off = 0, i = 0; i < n; i++) {  /* the buffer has stopped moving */
        st->refs[i].p = st->lines.ptr + off;
        off += st->refs[i].len;
    }
    sort_lines(st->refs, n, st->refs + n);
    return MCRED_OK;
}

/* Hash First Degree Quads (RDFC-1.0 4.6). The sorted lines are copied into
 * one buffer first: one digest update costs less than one per line. */
static mcred_rc hash_first_degree(struct rdfc *st, int32_t b)
{
    const struct rbn *n = &st->bn[b];
    struct mc_buf *cat = &st->scratch;
    size_t i;
    mcred_rc rc;

    rc = sorted_lines(st, st->bq + n->first, n->n, NAME_AZ, b);
    if (rc)
        return rc;
    mc_buf_reset(cat);
    rc = mc_buf_grow(cat, st->lines.len);
    if (rc)
        return rc;
    for (i = 0; i < n->n; i++) {
        memcpy(cat->ptr + cat->len, st->refs[i].p, st->refs[i].len);
        cat->len += st->refs[i].len;
    }
    cat->ptr[cat->len] = '\0';
    return hash_buf(st, cat->ptr, cat->len, st->bn[b].h1);
}

/* --- identifier issuers -------------------------------------------------------- */

static void issue_canon(struct rdfc *st, int32_t b)
{
    if (st->bn[b].canon >= 0)
        return;
    st->bn[b].canon = (int32_t)st->ncanon;
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

/* Step 7: the canonical N-Quads, sorted, each line once. */
static mcred_rc serialize(struct rdfc *st, struct mc_buf *out)
{
    size_t i;
    mcred_rc rc;

    rc = sorted_lines(st, NULL, st->nq, NAME_CANON, -1);
    if (rc)
        return rc;
    rc = mc_buf_grow(out, st->lines.len);
    for (i = 0; !rc && i < st->nq; i++) {
        if (i && line_cmp(&st->refs[i - 1], &st->refs[i]) == 0)
            continue;
        rc = mc_buf_append(out, st->refs[i].p, st->refs[i].len);
    }
    return rc;
}

static mcred_rc run(struct rdfc *st, const struct mc_rdf_dataset *d, struct mc_buf *out,
                    struct mc_rdfc_map *map)
{
    struct rq *all;
    size_t i;
    mcred_rc rc;

    all = mc_allocarray(d->n ? d->n : 1, sizeof(*all));
    if (!all)
        return MCRED_ERR_NOMEM;
    rc = load_texts(st, d, all);
    if (!rc)
        rc = load_distinct(st, all, d->n);
    if (rc) {
        mc_free(all);
        return rc;
    }
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
    if (d->n > UINT32_MAX / 4)
        return mc_err_set(err, MCRED_ERR_LIMIT, "RDFC-1.0: %zu quads are too many", d->n);
    st.ctx = EVP_MD_CTX_new();
    if (!st.ctx)
        return mc_err_set(err, MCRED_ERR_NOMEM, "RDFC-1.0: out of memory");
    mc_buf_init(&st.text, TEXT_MAX);
    mc_buf_init(&st.lines, TEXT_MAX);
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
    mc_buf_release(&st.lines);
    mc_buf_release(&st.scratch);
    mc_free(st.refs);
    mc_free(st.q);
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
