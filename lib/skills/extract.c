/* extract.c - the Aho-Corasick automaton of extract.h over word ids.
 *
 * Design note. The alphabet is the set of distinct words of all labels
 * (mc_intern ids); a word of the text that no label has resets the automaton
 * to the root. States are trie nodes; goto edges live in one open-addressing
 * table keyed by (state, word). Failure links are computed breadth first (in
 * order of depth), and each state keeps a "dictionary link" to the nearest
 * state on its failure chain that ends a label, so every match ending at a
 * word is found in time proportional to the number of matches.
 *
 * Selection is streamed: a label has at most MC_EXTRACT_MAX_WORDS words, so
 * once the text is that many words past a start position, the longest match
 * starting there is known. A ring of MC_EXTRACT_MAX_WORDS slots holds the
 * longest match per recent start; starts are settled in order, a match taken
 * when it begins after the end of the last one taken (leftmost, then
 * longest). Memory while running is the ring plus the hits, whatever the
 * text's length.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "skills/extract.h"
#include "skills/intern.h"
#include "skills/text.h"

#define NONE UINT32_MAX
#define RING MC_EXTRACT_MAX_WORDS
#define MAX_HITS ((size_t)1 << 20)

_Static_assert(RING <= 255, "word counts fit a byte");

struct edge {
    uint64_t key;      /* state << 32 | word */
    uint32_t child;    /* NONE: empty slot */
};

/* (pattern, concept) pairs, collected while adding labels. */
struct ref {
    uint32_t pattern, concept;
    uint8_t pref;
    uint8_t cased;         /* a one-word label written with a capital: a name */
};

struct mc_extractor {
    struct mc_intern *words;
    /* per state */
    uint32_t *parent, *word, *fail, *out, *dict;
    uint8_t *depth;
    size_t nstates, scap;
    /* goto edges */
    struct edge *edges;
    size_t ecap, nedges;
    /* labels: refs, grouped by pattern after build (pfirst[p] .. pfirst[p + 1]) */
    struct ref *refs;
    size_t nrefs, rcap;
    uint32_t *pfirst;
    uint8_t *phas_pref;    /* pattern p is some concept's preferred label */
    uint8_t *poff;         /* pattern p never matches (a generic one-word label) */
    uint32_t *df;          /* per word: labels containing it */
    size_t dfcap;
    size_t npat;
    size_t labels;
    uint32_t generic_df;   /* see mc_extractor_set_generic; 0: off */
    bool built;
};

/* ---- building ------------------------------------------------------------------- */

static size_t edge_slot(const struct mc_extractor *x, uint64_t key)
{
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (x->ecap - 1);

    while (x->edges[i].child != NONE && x->edges[i].key != key)
        i = (i + 1) & (x->ecap - 1);
    return i;
}

static uint32_t edge_get(const struct mc_extractor *x, uint32_t state, uint32_t word)
{
    uint64_t key = (uint64_t)state << 32 | word;

    return x->edges[edge_slot(x, key)].child;
}

static mcred_rc edges_grow(struct mc_extractor *x)
{
    size_t cap = x->ecap ? x->ecap * 2 : 4096, i, old = x->ecap;
    struct edge *e = mc_allocarray(cap, sizeof(*e)), *prev = x->edges;

    if (!e)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < cap; i++)
        e[i].child = NONE;
    x->edges = e;
    x->ecap = cap;
    for (i = 0; i < old; i++) {
        if (prev[i].child != NONE)
            x->edges[edge_slot(x, prev[i].key)] = prev[i];
    }
    mc_free(prev);
    return MCRED_OK;
}

static mcred_rc states_grow(struct mc_extractor *x)
{
    size_t cap = x->scap ? x->scap * 2 : 4096;
    uint32_t **arrays[] = { &x->parent, &x->word, &x->fail, &x->out, &x->dict };
    uint8_t *depth;
    size_t i;

    for (i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
        uint32_t *p = mc_realloc(*arrays[i], cap * sizeof(uint32_t));

        if (!p)
            return MCRED_ERR_NOMEM;
        *arrays[i] = p;
    }
    depth = mc_realloc(x->depth, cap);
    if (!depth)
        return MCRED_ERR_NOMEM;
    x->depth = depth;
    x->scap = cap;
    return MCRED_OK;
}

static mcred_rc new_state(struct mc_extractor *x, uint32_t parent, uint32_t word, uint8_t depth,
                          uint32_t *out)
{
    mcred_rc rc;
    uint32_t s;

    if (x->nstates == x->scap) {
        rc = states_grow(x);
        if (rc)
            return rc;
    }
    if (x->nstates >= NONE - 1)
        return MCRED_ERR_LIMIT;
    s = (uint32_t)x->nstates++;
    x->parent[s] = parent;
    x->word[s] = word;
    x->fail[s] = 0;
    x->out[s] = NONE;
    x->dict[s] = NONE;
    x->depth[s] = depth;
    *out = s;
    return MCRED_OK;
}

mcred_rc mc_extractor_new(struct mc_extractor **out)
{
    struct mc_extractor *x = mc_calloc(1, sizeof(*x));
    uint32_t root;
    mcred_rc rc;

    *out = NULL;
    if (!x)
        return MCRED_ERR_NOMEM;
    x->generic_df = MC_EXTRACT_GENERIC_DF;
    rc = mc_intern_new(&x->words);
    if (!rc)
        rc = edges_grow(x);
    if (!rc)
        rc = new_state(x, 0, NONE, 0, &root);
    if (rc) {
        mc_extractor_free(x);
        return rc;
    }
    *out = x;
    return MCRED_OK;
}

void mc_extractor_free(struct mc_extractor *x)
{
    if (!x)
        return;
    mc_intern_free(x->words);
    mc_free(x->parent);
    mc_free(x->word);
    mc_free(x->fail);
    mc_free(x->out);
    mc_free(x->dict);
    mc_free(x->depth);
    mc_free(x->edges);
    mc_free(x->refs);
    mc_free(x->pfirst);
    mc_free(x->phas_pref);
    mc_free(x->poff);
    mc_free(x->df);
    mc_free(x);
}

/* The words of label, or false when it cannot be a pattern. */
static bool label_words(const char *label, size_t n, struct mc_word *w, size_t *count)
{
    struct mc_tokenizer t;
    struct mc_word tok;
    size_t k = 0;

    mc_tok_init(&t, label, n);
    while (mc_tok_next(&t, &tok)) {
        if (tok.too_long || k == MC_EXTRACT_MAX_WORDS)
            return false;
        w[k++] = tok;
    }
    *count = k;
    return k > 0;
}

/* Count word id (the i-th of the label's words w) once per label. */
static mcred_rc count_word(struct mc_extractor *x, uint32_t id, const struct mc_word *w, size_t i)
{
    size_t j;

    for (j = 0; j < i; j++) {
        if (w[j].len == w[i].len && memcmp(w[j].text, w[i].text, w[i].len) == 0)
            return MCRED_OK;   /* counted for this label already */
    }
    if (id >= x->dfcap) {
        size_t cap = x->dfcap ? x->dfcap * 2 : 1024;
        uint32_t *df;

        while (cap <= id)
            cap *= 2;
        df = mc_realloc(x->df, cap * sizeof(*df));
        if (!df)
            return MCRED_ERR_NOMEM;
        memset(df + x->dfcap, 0, (cap - x->dfcap) * sizeof(*df));
        x->df = df;
        x->dfcap = cap;
    }
    if (x->df[id] < UINT32_MAX)
        x->df[id]++;
    return MCRED_OK;
}

mcred_rc mc_extractor_add(struct mc_extractor *x, const char *label, size_t n, uint32_t concept,
                          bool pref, bool *used)
{
    struct mc_word w[MC_EXTRACT_MAX_WORDS];
    size_t k = 0, i, slot;
    uint32_t state = 0, id, next;
    mcred_rc rc;

    if (used)
        *used = false;
    if (x->built)
        return MCRED_ERR_INVALID;
    if (x->labels >= MC_EXTRACT_MAX_LABELS)
        return MCRED_ERR_LIMIT;
    if (!label_words(label, n, w, &k))
        return MCRED_OK;
    for (i = 0; i < k; i++) {
        rc = mc_intern_add(x->words, w[i].text, w[i].len, &id, NULL);
        if (!rc)
            rc = count_word(x, id, w, i);
        if (rc)
            return rc;
        next = edge_get(x, state, id);
        if (next == NONE) {
            if ((x->nedges + 1) * 4 > x->ecap * 3) {
                rc = edges_grow(x);
                if (rc)
                    return rc;
            }
            rc = new_state(x, state, id, (uint8_t)(i + 1), &next);
            if (rc)
                return rc;
            slot = edge_slot(x, (uint64_t)state << 32 | id);
            x->edges[slot].key = (uint64_t)state << 32 | id;
            x->edges[slot].child = next;
            x->nedges++;
        }
        state = next;
    }
    if (x->nrefs == x->rcap) {
        size_t cap = x->rcap ? x->rcap * 2 : 1024;
        struct ref *r = mc_realloc(x->refs, cap * sizeof(*r));

        if (!r)
            return MCRED_ERR_NOMEM;
        x->refs = r;
        x->rcap = cap;
    }
    if (x->out[state] == NONE)
        x->out[state] = (uint32_t)x->npat++;
    x->refs[x->nrefs].pattern = x->out[state];
    x->refs[x->nrefs].concept = concept;
    x->refs[x->nrefs].pref = pref;
    x->refs[x->nrefs].cased = k == 1 && label[w[0].start] >= 'A' && label[w[0].start] <= 'Z';
    x->nrefs++;
    x->labels++;
    if (used)
        *used = true;
    return MCRED_OK;
}

static int ref_cmp(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;

    if (x->pattern != y->pattern)
        return x->pattern < y->pattern ? -1 : 1;
    if (x->concept != y->concept)
        return x->concept < y->concept ? -1 : 1;
    return (int)y->pref - (int)x->pref;   /* the preferred one first */
}

/* Group the refs by pattern (one per concept, preferred if any of its labels
 * there is preferred). */
static mcred_rc group_refs(struct mc_extractor *x)
{
    size_t i, o = 0;

    if (x->nrefs)
        qsort(x->refs, x->nrefs, sizeof(*x->refs), ref_cmp);
    for (i = 0; i < x->nrefs; i++) {
        if (o && x->refs[o - 1].pattern == x->refs[i].pattern &&
            x->refs[o - 1].concept == x->refs[i].concept) {
            /* the same concept again: the first (preferred) kept, cased only
             * if every label of the concept here is */
            x->refs[o - 1].cased &= x->refs[i].cased;
            continue;
        }
        x->refs[o++] = x->refs[i];
    }
    x->nrefs = o;
    x->pfirst = mc_allocarray(x->npat + 1, sizeof(*x->pfirst));
    x->phas_pref = mc_calloc(x->npat + 1, 1);
    x->poff = mc_calloc(x->npat + 1, 1);
    if (!x->pfirst || !x->phas_pref || !x->poff)
        return MCRED_ERR_NOMEM;
    for (i = 0; i <= x->npat; i++)
        x->pfirst[i] = 0;
    for (i = 0; i < x->nrefs; i++) {
        x->pfirst[x->refs[i].pattern + 1]++;
        if (x->refs[i].pref)
            x->phas_pref[x->refs[i].pattern] = 1;
    }
    for (i = 0; i < x->npat; i++)
        x->pfirst[i + 1] += x->pfirst[i];
    return MCRED_OK;
}

void mc_extractor_set_generic(struct mc_extractor *x, uint32_t df)
{
    x->generic_df = df;
}

mcred_rc mc_extractor_build(struct mc_extractor *x)
{
    uint32_t *order, f, c, v;
    size_t count[RING + 2] = { 0 }, i;
    mcred_rc rc;

    if (x->built)
        return MCRED_OK;
    rc = group_refs(x);
    if (rc)
        return rc;
    /* one-word patterns that only alternative labels have, with a word many
     * labels share, are too generic to stand alone */
    for (i = 1; x->generic_df && i < x->nstates; i++) {
        uint32_t p = x->out[i];

        if (x->depth[i] == 1 && p != NONE && !x->phas_pref[p] && x->word[i] < x->dfcap &&
            x->df[x->word[i]] > x->generic_df)
            x->poff[p] = 1;
    }
    /* states in order of depth (a counting sort) */
    order = mc_allocarray(x->nstates, sizeof(*order));
    if (!order)
        return MCRED_ERR_NOMEM;
    for (i = 0; i < x->nstates; i++)
        count[x->depth[i] + 1]++;
    for (i = 1; i < RING + 2; i++)
        count[i] += count[i - 1];
    for (i = 0; i < x->nstates; i++)
        order[count[x->depth[i]]++] = (uint32_t)i;
    for (i = 1; i < x->nstates; i++) {
        v = order[i];
        if (x->depth[v] == 1) {
            x->fail[v] = 0;
        } else {
            f = x->fail[x->parent[v]];
            for (;;) {
                c = edge_get(x, f, x->word[v]);
                if (c != NONE) {
                    x->fail[v] = c;
                    break;
                }
                if (f == 0) {
                    x->fail[v] = 0;
                    break;
                }
                f = x->fail[f];
            }
        }
        f = x->fail[v];
        x->dict[v] = f != 0 && x->out[f] != NONE ? f : x->dict[f];
    }
    mc_free(order);
    x->built = true;
    return MCRED_OK;
}

/* ---- running -------------------------------------------------------------------- */

/* The longest match found so far for one start word. */
struct pending {
    size_t start, end;     /* bytes */
    uint32_t pattern;
    uint8_t words;         /* 0: none */
};

struct run {
    const struct mc_extractor *x;
    const char *text;
    struct mc_hits *out;
    struct pending ring[RING];
    size_t next_free;      /* the first word not inside a taken match */
};

static mcred_rc emit(struct run *r, const struct pending *p)
{
    const struct mc_extractor *x = r->x;
    uint32_t i;
    bool only_pref = x->phas_pref[p->pattern];
    bool capital = r->text[p->start] >= 'A' && r->text[p->start] <= 'Z';

    for (i = x->pfirst[p->pattern]; i < x->pfirst[p->pattern + 1]; i++) {
        struct mc_skill_hit *h;

        if ((only_pref && !x->refs[i].pref) || (x->refs[i].cased && !capital))
            continue;
        if (r->out->n == r->out->cap) {
            size_t cap = r->out->cap ? r->out->cap * 2 : 64;
            struct mc_skill_hit *v;

            if (r->out->n >= MAX_HITS)
                return MCRED_ERR_LIMIT;
            v = mc_realloc(r->out->v, cap * sizeof(*v));
            if (!v)
                return MCRED_ERR_NOMEM;
            r->out->v = v;
            r->out->cap = cap;
        }
        h = &r->out->v[r->out->n++];
        h->start = p->start;
        h->end = p->end;
        h->concept = x->refs[i].concept;
        h->words = p->words;
        h->pref = x->refs[i].pref;
    }
    return MCRED_OK;
}

/* Settle start word s: take its longest match unless it overlaps one taken. */
static mcred_rc settle(struct run *r, size_t s)
{
    struct pending *p = &r->ring[s % RING];
    mcred_rc rc = MCRED_OK;

    if (p->words && s >= r->next_free) {
        rc = emit(r, p);
        r->next_free = s + p->words;
    }
    p->words = 0;
    return rc;
}

/* Record every label ending at word i (whose bytes end at end) in state. */
static void matches_at(struct run *r, uint32_t state, size_t i, size_t end)
{
    const struct mc_extractor *x = r->x;
    uint32_t v = x->out[state] != NONE ? state : x->dict[state];

    while (v != NONE && v != 0) {
        size_t s = i + 1 - x->depth[v];
        struct pending *p = &r->ring[s % RING];

        if (x->depth[v] > p->words && !x->poff[x->out[v]]) {
            p->words = x->depth[v];
            p->end = end;
            p->pattern = x->out[v];
        }
        v = x->dict[v];
    }
}

static uint32_t step(const struct mc_extractor *x, uint32_t state, uint32_t word)
{
    uint32_t c;

    if (word == NONE)
        return 0;
    for (;;) {
        c = edge_get(x, state, word);
        if (c != NONE)
            return c;
        if (state == 0)
            return 0;
        state = x->fail[state];
    }
}

mcred_rc mc_extractor_run(const struct mc_extractor *x, const char *text, size_t n,
                          struct mc_hits *out, struct mc_err *err)
{
    struct mc_tokenizer t;
    struct mc_word tok;
    struct run r;
    size_t i = 0, s;
    uint32_t state = 0, word;
    mcred_rc rc = MCRED_OK;

    out->n = 0;
    if (!x->built)
        return mc_err_set(err, MCRED_ERR_INVALID, "extract: the extractor is not built");
    if (!text || n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "the text is empty");
    if (n > MC_EXTRACT_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_LIMIT, "the text is %zu bytes; the limit is %zu bytes "
                          "(1 MiB)", n, MC_EXTRACT_MAX_TEXT);
    memset(&r, 0, sizeof(r));
    r.x = x;
    r.text = text;
    r.out = out;
    mc_tok_init(&t, text, n);
    while (!rc && mc_tok_next(&t, &tok)) {
        if (i >= RING)
            rc = settle(&r, i - RING);
        r.ring[i % RING].start = tok.start;
        word = tok.too_long ? NONE : mc_intern_find(x->words, tok.text, tok.len);
        state = step(x, state, word);
        matches_at(&r, state, i, tok.end);
        i++;
    }
    for (s = i > RING ? i - RING : 0; !rc && s < i; s++)
        rc = settle(&r, s);
    if (!rc && i == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "the text has no words");
    if (rc == MCRED_ERR_LIMIT) {
        out->n = 0;
        return mc_err_set(err, rc, "more than %zu skill mentions in one text", MAX_HITS);
    }
    if (rc) {
        out->n = 0;
        return mc_err_set(err, rc, "out of memory extracting skills");
    }
    return MCRED_OK;
}

void mc_hits_release(struct mc_hits *h)
{
    if (!h)
        return;
    mc_free(h->v);
    memset(h, 0, sizeof(*h));
}

void mc_extractor_stats(const struct mc_extractor *x, struct mc_extractor_stats *out)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    out->labels = x->labels;
    out->patterns = x->npat;
    for (i = 0; x->poff && i < x->npat; i++)
        out->generic += x->poff[i];
    out->states = x->nstates;
    out->words = mc_intern_count(x->words);
    out->bytes = mc_intern_bytes(x->words) + x->scap * (5 * sizeof(uint32_t) + 1) +
                 x->ecap * sizeof(struct edge) + x->rcap * sizeof(struct ref) +
                 (x->npat + 1) * (sizeof(uint32_t) + 2) + x->dfcap * sizeof(uint32_t);
}
