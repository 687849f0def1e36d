/* rdfc.c - RDF Dataset Canonicalization (W3C RDFC-1.0): canonical blank node
 * labels for a dataset and its canonical N-Quads, with a work bound against
 * poison datasets. Used once per credential signed or verified with
 * eddsa-rdfc-2022, so the common case (tens of quads, a few blank nodes, all
 * told apart by their first-degree hashes) is kept cheap; see the design
 * notes below. Hash N-degree quads follows the spec's steps literally; its
 * cost is what max_work bounds.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/hash.h"
#include "jsonld/rdf.h"

/* Design notes.
 *
 * Terms, not lines. A term is escaped into st->text and known by a number
 * (struct tx); a term struct with the same pointers (kind, value, datatype,
 * lang) as the one at the same position of the quad before reuses its
 * number without reading a string, since a producer writes the quads of a
 * subject together, often with one predicate. (A table of all term structs
 * seen cost more in lookups than it saved in escapes.) An IRI marked
 * MC_RDF_PLAIN is copied, not scanned. A quad is four such numbers. Blank
 * nodes are numbered by label, through a table of the label texts.
 *
 * Lines are never stored. The order of canonical N-Quads lines is the order
 * of their terms compared one by one (subject, predicate, object, graph):
 * each term is followed by ' ' or " .\n", and a term whose text is a proper
 * prefix of another's is followed there by a character above ' ' ('@', '^',
 * a digit, '-': never a raw space or control, which the writer escapes), so
 * comparing whole lines and comparing term by term agree; an absent graph
 * name is the empty text, first as " ." is before " <" and " _". Equal term
 * numbers compare equal without reading the text, which skips the long
 * shared subjects. Each text is stored with the ' ' that follows it in a
 * line, so a line is written as three or four copies and ".\n". The output
 * and each first-degree hash input are written once, in order.
 *
 * Repeated quads (the dataset is a set). Those with a blank node are removed
 * when loading, through a table of their texts' hashes, before anything
 * counts them. Repeated quads without one are left for the final sort, which
 * compares every pair that ends up adjacent (insertion sort does; merging
 * compares each element with the head of the other run): only when some
 * comparison found two lines equal are adjacent equal lines skipped. So a
 * credential pays neither a hash of every text nor a pass for duplicates.
 *
 * Digests go through crypto/hash.c, which keeps one digest context a
 * thread; a lone blank node is labelled c14n0 without hashing anything. */

#define HASH_MAX 48              /* SHA-384 */
#define HEX_MAX (2 * HASH_MAX)
#define NAME_MAX_LEN 20          /* "_:c14n" or "_:b" plus a 32-bit number, and ' ' */
#define TEXT_MAX ((size_t)1 << 30)
#define NO_BN (-1)

struct tx {                      /* a term and its text */
    uint32_t off, len;           /* the text in st->text, followed there by ' '
                                    (tx 0 is the empty text of the default graph) */
    int32_t bn;                  /* the blank node it names, or NO_BN */
    bool hashed;                 /* h is set */
    uint64_t h;                  /* mc_rdf_hash of the text, made when needed */
};

struct rq {                      /* one quad of the input */
    const struct mc_rdf_quad *q;
    uint32_t t[4];               /* term texts at s, p, o, g (0 for the default graph) */
    int32_t bn[4];               /* blank node at s, p, o, g, or NO_BN */
    bool blank;                  /* some bn[k] is not NO_BN */
};

struct rbn {                     /* one blank node */
    const char *label;           /* input label, borrowed from the dataset */
    uint64_t h;                  /* mc_rdf_hash of the label */
    uint32_t first, n;           /* the quads mentioning it: st->bq[first .. first + n) */
    int32_t canon;               /* canonical number (c14n<canon>), or -1 */
    uint32_t name_len;           /* canonical label "_:c14n<canon>" in name (then ' ') */
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
    struct rq *q;                /* the quads in input order, repeats with blank nodes
                                    removed */
    size_t nq;
    struct tx *tx;               /* terms; tx[0] is the empty text */
    size_t ntx, tx_cap;
    struct rbn *bn;              /* blank nodes in order of first mention */
    size_t nbn, bn_cap;
    uint32_t *btab;              /* 1 + index into bn by label; 0: empty */
    size_t bsize;
    uint32_t *order;             /* scratch: quad numbers to sort, then merge space;
                                    while loading, the quads with a blank node */
    size_t nblank;               /* quads with a blank node, in order[] */
    uint32_t *bq;                /* quad lists of all blank nodes, back to back */
    int32_t *canon;              /* canon[k]: the blank node that got c14n<k> */
    size_t ncanon;
    struct mc_buf text;          /* term texts */
    struct mc_buf scratch;       /* scratch: input of a hash */
    size_t hex_len;              /* 64 or 96 */
    uint64_t seed;               /* of the tables' hashes (mc_rdf_hash_seed) */
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

static const char hexl[] = "0123456789abcdef";

/* The digest of p[0..n) in lowercase hex (st->hex_len characters and a NUL),
 * through the per-thread digest context of crypto/hash.c. */
static mcred_rc hash_buf(struct rdfc *st, const char *p, size_t n, char *hex)
{
    uint8_t md[MC_SHA384_BYTES];
    size_t i, len = st->hex_len / 2;

    if (len == MC_SHA384_BYTES)
        mc_sha384(p, n, md);
    else
        mc_sha256(p, n, md);
    for (i = 0; i < len; i++) {
        hex[2 * i] = hexl[md[i] >> 4];
        hex[2 * i + 1] = hexl[md[i] & 15];
    }
    hex[2 * len] = '\0';
    return MCRED_OK;
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

/* --- loading: term texts, blank nodes, quads ---------------------------------- */

/* One multiply-xorshift round: combines the (seeded) text hashes and blank
 * node numbers of a quad into its slot hash. */
static uint64_t mix64(uint64_t h)
{
    h *= 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* a and b are the same term for sure: the same pointers (see the notes). */
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

/* Double the table of blank node labels (its load stays at most one half). */
static mcred_rc btab_grow(struct rdfc *st)
{
    size_t size = st->bsize * 2, i, j;
    uint32_t *tab = mc_calloc(size, sizeof(*tab));

    if (!tab)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < st->nbn; i++) {
        for (j = (size_t)st->bn[i].h & (size - 1); tab[j]; j = (j + 1) & (size - 1))
            ;
        tab[j] = (uint32_t)(i + 1);
    }
    mc_free(st->btab);
    st->btab = tab;
    st->bsize = size;
    return MCRED_OK;
}

/* The blank node labelled by the term t, numbered in order of first mention. */
static mcred_rc blank_number(struct rdfc *st, const struct mc_rdf_term *t, int32_t *out)
{
    size_t n = strlen(t->value), mask = st->bsize - 1, slot;
    uint64_t h = mc_rdf_hash(st->seed, t->value, n);
    struct rbn *b;

    for (slot = (size_t)h & mask; st->btab[slot]; slot = (slot + 1) & mask) {
        b = &st->bn[st->btab[slot] - 1];
        if (b->h == h && strcmp(b->label, t->value) == 0) {
            *out = (int32_t)(st->btab[slot] - 1);
            return MCRED_OK;
        }
    }
    if (st->nbn == st->bn_cap) {
        size_t cap = st->bn_cap ? st->bn_cap * 2 : 8;
        struct rbn *nb = cap > INT32_MAX / 2 ? NULL : mc_allocarray(cap, sizeof(*nb));

        if (!nb)
            return MCRED_ERR_NOMEM;
        if (st->nbn)
            memcpy(nb, st->bn, st->nbn * sizeof(*nb));
        mc_free(st->bn);
        st->bn = nb;
        st->bn_cap = cap;
    }
    b = &st->bn[st->nbn];
    b->label = t->value;
    b->h = h;
    b->first = 0;
    b->n = 0;
    b->canon = -1;
    b->name_len = 0;
    b->h1[0] = '\0';
    *out = (int32_t)st->nbn;
    st->btab[slot] = (uint32_t)++st->nbn;
    if (st->nbn * 2 > st->bsize)
        return btab_grow(st);
    return MCRED_OK;
}

/* Append the canonical text of t and a ' ' to st->text: an IRI marked
 * MC_RDF_PLAIN is copied as it is, everything else goes through the writer. */
static mcred_rc put_text(struct rdfc *st, const struct mc_rdf_term *t)
{
    struct mc_buf *b = &st->text;
    size_t n;
    mcred_rc rc;

    if (t->kind == MC_RDF_IRI && (t->flags & MC_RDF_PLAIN)) {
        n = strlen(t->value);
        rc = mc_buf_grow(b, n + 3);
        if (rc)
            return rc;
        b->ptr[b->len] = '<';
        memcpy(b->ptr + b->len + 1, t->value, n);
        memcpy(b->ptr + b->len + 1 + n, "> ", 3);
        b->len += n + 3;
        return MCRED_OK;
    }
    rc = mc_rdf_term_write(b, t);
    return rc ? rc : mc_buf_appendc(b, ' ');
}

/* A new number for term t (not the default graph), with its text. */
static mcred_rc term_number(struct rdfc *st, const struct mc_rdf_term *t, uint32_t *out)
{
    size_t off = st->text.len;
    struct tx *x;
    int32_t bn = NO_BN;
    mcred_rc rc;

    rc = t->kind == MC_RDF_BLANK ? blank_number(st, t, &bn) : MCRED_OK;
    if (!rc)
        rc = put_text(st, t);
    if (!rc && st->text.len - 1 - off > UINT32_MAX)
        rc = MCRED_ERR_LIMIT;
    if (!rc && st->ntx == st->tx_cap) {
        size_t cap = st->tx_cap * 2;
        struct tx *n = cap > UINT32_MAX / 2 ? NULL : mc_allocarray(cap, sizeof(*n));

        if (n) {
            memcpy(n, st->tx, st->ntx * sizeof(*n));
            mc_free(st->tx);
            st->tx = n;
            st->tx_cap = cap;
        } else {
            rc = MCRED_ERR_NOMEM;
        }
    }
    if (rc)
        return rc;
    x = &st->tx[st->ntx];
    x->off = (uint32_t)off;
    x->len = (uint32_t)(st->text.len - 1 - off);
    x->bn = bn;
    x->hashed = false;
    *out = (uint32_t)st->ntx++;
    return MCRED_OK;
}

/* Number the terms of every quad (see the design notes), and the blank
 * nodes in order of first mention. */
static mcred_rc load_quads(struct rdfc *st, const struct mc_rdf_dataset *d)
{
    const struct mc_rdf_term *last[4] = { NULL, NULL, NULL, NULL };
    uint32_t last_tx[4] = { 0, 0, 0, 0 };
    size_t i;
    mcred_rc rc = MCRED_OK;
    int k;

    for (i = 0; i < d->n && !rc; i++) {
        const struct mc_rdf_quad *q = &d->quads[i];
        const struct mc_rdf_term *t[4] = { &q->s, &q->p, &q->o, &q->g };
        struct rq *r = &st->q[i];

        rc = check_quad(st, q, i);
        r->q = q;
        r->blank = false;
        for (k = 0; k < 4 && !rc; k++) {
            r->t[k] = 0;
            if (last[k] && same_ptrs(last[k], t[k])) {
                r->t[k] = last_tx[k];
            } else if (t[k]->kind != MC_RDF_DEFAULT) {
                rc = term_number(st, t[k], &r->t[k]);
                last[k] = t[k];
                last_tx[k] = r->t[k];
            }
            r->bn[k] = st->tx[r->t[k]].bn;
            r->blank |= r->bn[k] >= 0;
        }
        if (r->blank)
            st->order[st->nblank++] = (uint32_t)i;
    }
    st->nq = d->n;
    return rc;
}

/* The hash of the text of term number i. */
static uint64_t text_hash(struct rdfc *st, uint32_t i)
{
    struct tx *x = &st->tx[i];

    if (!x->hashed) {
        x->h = mc_rdf_hash(st->seed, st->text.ptr + x->off, x->len);
        x->hashed = true;
    }
    return x->h;
}

/* True when quads a and b are the same: the same blank nodes and texts. */
static bool same_quad(const struct rdfc *st, const struct rq *a, const struct rq *b)
{
    int k;

    for (k = 0; k < 4; k++) {
        const struct tx *x = &st->tx[a->t[k]], *y = &st->tx[b->t[k]];

        if (a->t[k] == b->t[k])
            continue;
        if (a->bn[k] != b->bn[k] || x->len != y->len ||
            memcmp(st->text.ptr + x->off, st->text.ptr + y->off, x->len) != 0)
            return false;
    }
    return true;
}

/* Remove the repeats of quads with a blank node, keeping the first (the
 * others are left for serialize, see the design notes). Only the quads
 * listed in st->order are looked at, and the list is kept up to date. */
static mcred_rc load_distinct(struct rdfc *st)
{
    size_t size, i, k, slot, dups = 0;
    uint32_t *tab;
    uint64_t h;
    int j;

    if (!st->nblank)
        return MCRED_OK;
    size = table_size(st->nblank);
    tab = mc_calloc(size, sizeof(*tab));
    if (!tab)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < st->nblank; i++) {
        struct rq *r = &st->q[st->order[i]];

        for (h = 0, j = 0; j < 4; j++)
            h = mix64(h ^ (r->bn[j] >= 0 ? (uint64_t)r->bn[j] : text_hash(st, r->t[j])));
        for (slot = (size_t)h & (size - 1); tab[slot]; slot = (slot + 1) & (size - 1)) {
            if (same_quad(st, &st->q[tab[slot] - 1], r)) {
                r->q = NULL;  /* a repeat: dropped below */
                dups++;
                break;
            }
        }
        if (r->q)
            tab[slot] = st->order[i] + 1;
    }
    mc_free(tab);
    if (!dups)
        return MCRED_OK;
    st->nblank = 0;
    for (i = 0, k = 0; i < st->nq; i++) {
        if (!st->q[i].q)
            continue;
        if (st->q[i].blank)
            st->order[st->nblank++] = (uint32_t)k;
        st->q[k++] = st->q[i];
    }
    st->nq = k;
    return MCRED_OK;
}

/* The blank node to quads map, as one array sliced per blank node. A quad is
 * listed once per blank node even when it mentions it twice. */
static mcred_rc load_lists(struct rdfc *st)
{
    size_t i, total = 0;
    int k, j;

    for (i = 0; i < st->nblank; i++) {
        const struct rq *r = &st->q[st->order[i]];

        for (k = 0; k < 4; k++) {
            int32_t b = r->bn[k];

            for (j = 0; j < k && b >= 0; j++)
                if (r->bn[j] == b)
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
    for (i = 0; i < st->nblank; i++) {
        const struct rq *r = &st->q[st->order[i]];

        for (k = 0; k < 4; k++) {
            int32_t b = r->bn[k];

            for (j = 0; j < k && b >= 0; j++)
                if (r->bn[j] == b)
                    b = -1;
            if (b >= 0)
                st->bq[st->bn[b].first + st->bn[b].n++] = st->order[i];
        }
    }
    return MCRED_OK;
}

/* --- lines -------------------------------------------------------------------- */

/* The text of term k of q, blank nodes named by mode; a ' ' follows it. */
static inline const char *term_text(const struct rdfc *st, const struct rq *q, int k,
                                    enum naming mode, int32_t ref, size_t *len)
{
    int32_t b = q->bn[k];
    const struct tx *x;

    if (b >= 0 && mode == NAME_AZ) {
        *len = 3;
        return b == ref ? "_:a " : "_:z ";
    }
    if (b >= 0) {
        *len = st->bn[b].name_len;
        return st->bn[b].name;
    }
    x = &st->tx[q->t[k]];
    *len = x->len;
    return st->text.ptr + x->off;
}

/* The order of the lines of quads a and b (see the design notes); *equal is
 * set when they are the same line. */
static int quad_cmp(const struct rdfc *st, uint32_t a, uint32_t b, enum naming mode,
                    int32_t ref, bool *equal)
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
    *equal = true;
    return 0;
}

/* Sort the quad numbers a[0..n) by their lines: insertion sort for short
 * runs, merge sort above (stable, O(n log n), tmp holds n numbers). Both
 * compare every pair that ends up adjacent, so *equal tells whether two
 * lines are the same. */
static void sort_quads(const struct rdfc *st, uint32_t *a, size_t n, uint32_t *tmp,
                       enum naming mode, int32_t ref, bool *equal)
{
    size_t i, j, k, h;

    if (n <= 12) {
        for (i = 1; i < n; i++) {
            uint32_t v = a[i];

            for (j = i; j > 0 && quad_cmp(st, a[j - 1], v, mode, ref, equal) > 0; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    h = n / 2;
    sort_quads(st, a, h, tmp, mode, ref, equal);
    sort_quads(st, a + h, n - h, tmp, mode, ref, equal);
    if (quad_cmp(st, a[h - 1], a[h], mode, ref, equal) <= 0)
        return;  /* already in order */
    memcpy(tmp, a, h * sizeof(*a));
    for (i = 0, j = h, k = 0; i < h; k++) {
        if (j < n && quad_cmp(st, a[j], tmp[i], mode, ref, equal) < 0)
            a[k] = a[j++];
        else
            a[k] = tmp[i++];
    }
}

/* Append the lines of quads idx[0..n), in that order, to b: three or four
 * copies of texts with their ' ' and ".\n" a line. With skip, a line equal
 * to the one before is left out. */
static mcred_rc put_lines(const struct rdfc *st, struct mc_buf *b, const uint32_t *idx,
                          size_t n, enum naming mode, int32_t ref, bool skip)
{
    const char *s[4];
    size_t len[4], i, line;
    bool equal = false;
    char *p;
    int k;
    mcred_rc rc;

    for (i = 0; i < n; i++) {
        const struct rq *q = &st->q[idx[i]];

        if (skip && i && quad_cmp(st, idx[i - 1], idx[i], mode, ref, &equal) == 0)
            continue;
        line = 2;
        for (k = 0; k < 4; k++) {
            s[k] = term_text(st, q, k, mode, ref, &len[k]);
            line += len[k] + 1;
        }
        if (len[3] == 0)
            line--;  /* the default graph */
        if (b->cap - b->len <= line) {
            rc = mc_buf_grow(b, line);
            if (rc)
                return rc;
        }
        p = b->ptr + b->len;
        for (k = 0; k < 4; k++) {
            if (k == 3 && len[3] == 0)
                break;
            memcpy(p, s[k], len[k] + 1);
            p += len[k] + 1;
        }
        memcpy(p, ".\n", 2);
        b->len += line;
    }
    if (b->ptr)
        b->ptr[b->len] = '\0';
    return MCRED_OK;
}

/* Hash First Degree Quads (RDFC-1.0 4.6): the sorted lines of b's quads,
 * with _:a for b and _:z for the other blank nodes, hashed in one update. */
static mcred_rc hash_first_degree(struct rdfc *st, int32_t b)
{
    const struct rbn *n = &st->bn[b];
    uint32_t *idx = st->order;
    bool equal = false;
    mcred_rc rc;

    memcpy(idx, st->bq + n->first, n->n * sizeof(*idx));
    sort_quads(st, idx, n->n, idx + n->n, NAME_AZ, b, &equal);
    mc_buf_reset(&st->scratch);
    rc = put_lines(st, &st->scratch, idx, n->n, NAME_AZ, b, false);
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
    n->name[n->name_len] = ' ';
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

    if (st->nbn == 1) {  /* its hash is unique whatever it is: not computed */
        issue_canon(st, 0);
        return MCRED_OK;
    }
    if (st->nbn)
        rc = mc_buf_grow(&st->scratch, 4096);  /* the hash inputs, grown once */
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

/* Step 7: the canonical N-Quads, sorted. Distinct quads give distinct lines
 * (distinct blank nodes have distinct canonical labels), so only repeated
 * quads without blank nodes can meet here, as equal adjacent lines. Lines
 * with an IRI subject ('<') come before those with a blank node ('_'), so
 * the two kinds are sorted apart: toRdf writes the first kind nearly in
 * order already, which the sort then only confirms. */
static mcred_rc serialize(struct rdfc *st, struct mc_buf *out)
{
    size_t i, k = 0, n = st->nq;
    uint32_t *tmp = st->order + n;
    bool equal = false;

    for (i = 0; i < n; i++) {
        if (st->q[i].bn[0] < 0)
            st->order[k++] = (uint32_t)i;
        else
            tmp[i - k] = (uint32_t)i;
    }
    memcpy(st->order + k, tmp, (n - k) * sizeof(*tmp));
    sort_quads(st, st->order, k, tmp, NAME_CANON, NO_BN, &equal);
    sort_quads(st, st->order + k, n - k, tmp, NAME_CANON, NO_BN, &equal);
    return put_lines(st, out, st->order, n, NAME_CANON, NO_BN, equal);
}

/* The arrays sized by the input: quads, the merge space, and the starting
 * sizes of the terms and texts (a credential has under three new terms and 80
 * bytes of text a quad; they grow past that). */
static mcred_rc load_init(struct rdfc *st, size_t n)
{
    size_t guess = 3 * n + 8;

    st->q = mc_allocarray(n ? n : 1, sizeof(*st->q));
    st->order = mc_allocarray(n ? n : 1, 2 * sizeof(*st->order));
    st->tx_cap = guess;
    st->tx = mc_allocarray(guess, sizeof(*st->tx));
    st->bsize = 16;
    st->btab = mc_calloc(st->bsize, sizeof(*st->btab));
    if (!st->q || !st->order || !st->tx || !st->btab)
        return MCRED_ERR_NOMEM;
    st->tx[0].off = 0;  /* tx 0: the empty text of the default graph */
    st->tx[0].len = 0;
    st->tx[0].bn = NO_BN;
    st->tx[0].hashed = false;
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
    if (!rc)
        rc = load_distinct(st);
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
    st.seed = mc_rdf_hash_seed();
    st.hex_len = opts && opts->hash == MC_RDFC_SHA384 ? 96 : 64;
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
    mc_buf_release(&st.text);
    mc_buf_release(&st.scratch);
    mc_free(st.q);
    mc_free(st.order);
    mc_free(st.tx);
    mc_free(st.bn);
    mc_free(st.btab);
    mc_free(st.bq);
    mc_free(st.canon);
    return rc;
}

mcred_rc mc_rdfc_canon(const struct mc_rdf_dataset *d, const struct mc_rdfc_opts *opts,
                       struct mc_buf *out, struct mc_err *err)
{
    return mc_rdfc_canon_map(d, opts, out, NULL, err);
}
