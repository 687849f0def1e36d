/* to_rdf.c - JSON-LD 1.1 deserialization to RDF (JSON-LD 1.1 API §8.1-§8.3)
 * by way of the node map of the expanded document (§7.2). The node map
 * borrows the caller's cJSON tree and lives in one arena; quads go to the
 * caller's dataset with blank nodes relabeled _:b0, _:b1, ... in the order
 * jsonld.js issues them.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonld/jcs.h"
#include "jsonld/jsonld.h"
#include "jsonld/rdf.h"
#include "util/buf.h"
#include "util/json.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Design notes.
 *
 * Cost: one pass over the expanded document builds the node map, one pass
 * over the node map writes quads. Every lookup (blank node labels, graphs,
 * nodes of a graph, properties of a node, and the "no duplicate values" rule
 * of §7.2) goes through one open-addressing hash table, so the work is linear
 * in the input plus the sorting the spec asks for (graphs, subjects and
 * properties are visited in code point order, which fixes the blank node
 * labels of lists and compound literals the way jsonld.js numbers them).
 *
 * Tricks that keep a credential cheap (a few microseconds):
 * - A node met once takes its properties from the distinct keys of one
 *   object, so they are made without a table lookup; only a node met again
 *   (or reached by @reverse, or an object with a repeated key) has its
 *   properties entered into the table (get_prop).
 * - Each IRI is checked once with a table of byte classes (iri_check), and
 *   the verdict also says whether the N-Quads writer would escape anything
 *   in it: terms carry that as MC_RDF_PLAIN, so RDFC-1.0 copies instead of
 *   scanning them again.
 * - With d->borrow the dataset points at the strings of the expanded
 *   document instead of copying them; the quad array is reserved once from
 *   the number of values the node map holds.
 *
 * Bounds: nesting depth (TORDF_MAX_DEPTH), items in one list
 * (TORDF_MAX_LIST), quads (the dataset's max_quads, else MC_RDF_MAX_QUADS)
 * and processing steps (opts->max_work, else TORDF_DEFAULT_WORK) each end
 * the run with MCRED_ERR_LIMIT. Memory is the arena (proportional to the
 * input) plus the quads.
 *
 * What is dropped: a graph name, subject, predicate, object or datatype that
 * is not a well-formed absolute IRI (or blank node), a malformed language
 * tag, blank node predicates without produceGeneralizedRdf, and @direction
 * without rdfDirection. In safe mode each of these is MCRED_ERR_INVALID
 * instead, as jsonld.js's safe mode does. */

#define TORDF_MAX_DEPTH 512                   /* nesting of the expanded document */
#define TORDF_MAX_LIST 100000                 /* items in one @list */
#define TORDF_DEFAULT_WORK ((size_t)1 << 24)  /* elements visited plus quads */

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define XSD_NS "http://www.w3.org/2001/XMLSchema#"
#define I18N_NS "https://www.w3.org/ns/i18n#"

static const char rdf_type[] = RDF_NS "type";
static const char rdf_first[] = RDF_NS "first";
static const char rdf_rest[] = RDF_NS "rest";
static const char rdf_nil[] = RDF_NS "nil";
static const char rdf_value[] = RDF_NS "value";
static const char rdf_language[] = RDF_NS "language";
static const char rdf_direction[] = RDF_NS "direction";
static const char rdf_json[] = RDF_NS "JSON";
static const char rdf_langstring[] = RDF_NS "langString";
static const char xsd_string[] = XSD_NS "string";
static const char xsd_boolean[] = XSD_NS "boolean";
static const char xsd_integer[] = XSD_NS "integer";
static const char xsd_double[] = XSD_NS "double";

/* --- arena ----------------------------------------------------------------- */

struct arena_blk {
    struct arena_blk *next;
    size_t size;                /* bytes of data */
    size_t used;                /* bytes handed out */
    max_align_t data[];         /* the storage, aligned for anything */
};

struct arena {
    struct arena_blk *head;     /* newest block first */
    size_t next_size;           /* size of the next block */
};

static void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_blk *b = a->head;
    size_t size;
    void *p;

    if (n > SIZE_MAX / 4)
        return NULL;
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!b || b->size - b->used < n) {
        size = a->next_size ? a->next_size : 16384; /* a credential's node map */
        if (size < n)
            size = n;
        b = mc_malloc(sizeof(*b) + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        if (a->next_size < ((size_t)256 << 10))
            a->next_size = a->next_size ? a->next_size * 2 : 32768;
    }
    p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static void arena_release(struct arena *a)
{
    struct arena_blk *b = a->head, *next;

    while (b) {
        next = b->next;
        mc_free(b);
        b = next;
    }
    a->head = NULL;
}

/* --- node map -------------------------------------------------------------- */

enum item_kind { IT_REF, IT_VALUE, IT_LIST };

struct items {
    struct item *head, *tail;
    size_t n;
};

struct item {
    struct item *next;          /* next value of the property or list */
    enum item_kind kind;
    const char *id;             /* IT_REF: node id, borrowed or in the arena */
    const cJSON *value;         /* IT_VALUE: the @value member, borrowed */
    const char *type, *lang;    /* IT_VALUE: @type, @language or NULL, borrowed */
    const char *dir, *index;    /* IT_VALUE: @direction, @index or NULL, borrowed */
    struct items list;          /* IT_LIST: the list's items */
};

/* The keyword members of one object of the expanded document, found in one
 * pass (cJSON's own lookup would walk the members once per keyword). */
struct kw {
    const cJSON *id, *type, *value, *list, *set, *language, *direction, *index;
};

struct prop {
    struct prop *next;          /* next property of the node, first seen first */
    const char *name;           /* IRI, blank node id or "@type" */
    struct items vals;
};

struct node {
    struct node *next;          /* next node of its graph */
    const char *id;
    const char *index;          /* @index, for the conflicting indexes check */
    struct prop *props, *props_tail;
    size_t nprops;
    bool indexed;               /* its properties are in the hash table */
};

struct graph {
    struct graph *next;         /* next named graph */
    const char *name;           /* NULL for the default graph */
    struct node *nodes, *nodes_tail;
    size_t nnodes;
};

/* One hash table serves every lookup; kind and owner keep the uses apart. */
enum hkind { HK_BNODE = 1, HK_GRAPH, HK_NODE, HK_PROP, HK_VALUE };

struct hslot {
    uint64_t h;                 /* 0: empty slot */
    const void *owner;          /* graph of a node, node of a prop, prop of a value */
    const void *key;            /* NUL-terminated string, or a struct item (HK_VALUE) */
    void *val;                  /* what the key maps to */
    int kind;                   /* enum hkind */
};

struct tordf {
    const struct mc_jsonld_opts *o;
    struct mc_rdf_dataset *d;
    struct mc_err *err;
    struct arena arena;
    struct hslot *tab;          /* mc_calloc'd, power-of-two size */
    size_t tab_cap, tab_n;
    struct graph dflt;          /* the default graph */
    struct graph *named, *named_tail;
    size_t nnamed;
    unsigned long next_bnode;   /* counter of the _:bN issuer */
    size_t work, max_work;
    size_t max_quads;
    struct mc_buf lex;          /* scratch for lexical forms */
    const char *lex_str;        /* the lexical form when not in lex: a borrowed string */
    bool lex_plain;             /* the lexical form is one we wrote: nothing to escape */
    uint64_t seed;              /* of the table's hash (mc_rdf_hash_seed) */
    size_t nitems;              /* values and list items: about the quads to come */
};

/* Table keys are hashed with mc_rdf_hash from a secret per-process seed, so
 * that a document cannot be crafted to make the table quadratic. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    return mc_rdf_hash(h, p, n);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    return mc_rdf_hash(h, s, strlen(s));
}

/* The start of the hash of a key of kind owned by owner. */
static uint64_t hash_start(const struct tordf *t, int kind, const void *owner)
{
    uint64_t h = (t->seed ^ (uint64_t)(uintptr_t)owner) * 0x9e3779b97f4a7c15ULL;

    return h ^ (h >> 29) ^ (uint64_t)kind;
}

/* s == kw for short keywords: an inline loop costs less than a call. */
static inline bool kw_is(const char *s, const char *kw)
{
    for (; *s == *kw; s++, kw++) {
        if (!*s)
            return true;
    }
    return false;
}

static void first_of(const cJSON **slot, const cJSON *c)
{
    if (!*slot)
        *slot = c; /* a repeated key: the first wins, as cJSON's lookup has it */
}

static void kw_scan(const cJSON *obj, struct kw *k)
{
    memset(k, 0, sizeof(*k));
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *s = c->string;

        if (!s || s[0] != '@')
            continue;
        switch (s[1]) {
        case 'i':
            if (kw_is(s, "@id"))
                first_of(&k->id, c);
            else if (kw_is(s, "@index"))
                first_of(&k->index, c);
            break;
        case 't':
            if (kw_is(s, "@type"))
                first_of(&k->type, c);
            break;
        case 'v':
            if (kw_is(s, "@value"))
                first_of(&k->value, c);
            break;
        case 'l':
            if (kw_is(s, "@list"))
                first_of(&k->list, c);
            else if (kw_is(s, "@language"))
                first_of(&k->language, c);
            break;
        case 's':
            if (kw_is(s, "@set"))
                first_of(&k->set, c);
            break;
        case 'd':
            if (kw_is(s, "@direction"))
                first_of(&k->direction, c);
            break;
        default:
            break;
        }
    }
}

/* Values are compared on @value, @type, @language, @direction and @index
 * (§7.2 "equivalent map entries"). A @json value (object or array) is never
 * merged: jsonld.js compares those by reference, and equal ones give equal
 * quads anyway. */
static bool value_dedupable(const struct item *it)
{
    const cJSON *x = it->value;

    return mc_json_is_string(x) || cJSON_IsNumber(x) || cJSON_IsBool(x);
}

static uint64_t hash_opt(uint64_t h, const char *s)
{
    return s ? hash_str(h, s) : hash_bytes(h, "\x01", 1);
}

static uint64_t value_hash(uint64_t h, const struct item *it)
{
    const cJSON *x = it->value;
    double num;

    if (mc_json_is_string(x)) {
        h = hash_str(h ^ 's', x->valuestring);
    } else if (cJSON_IsNumber(x)) {
        num = x->valuedouble == 0 ? 0.0 : x->valuedouble;
        h = hash_bytes(h ^ 'n', &num, sizeof(num));
    } else {
        h = hash_bytes(h ^ 'b', cJSON_IsTrue(x) ? "t" : "f", 1);
    }
    h = hash_opt(h, it->type);
    h = hash_opt(h, it->lang);
    h = hash_opt(h, it->dir);
    return hash_opt(h, it->index);
}

static bool str_eq_opt(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool value_eq(const struct item *a, const struct item *b)
{
    const cJSON *x = a->value, *y = b->value;

    if (mc_json_is_string(x)) {
        if (!mc_json_is_string(y) || strcmp(x->valuestring, y->valuestring) != 0)
            return false;
    } else if (cJSON_IsNumber(x)) {
        if (!cJSON_IsNumber(y) || x->valuedouble != y->valuedouble)
            return false;
    } else if (!cJSON_IsBool(y) || cJSON_IsTrue(x) != cJSON_IsTrue(y)) {
        return false;
    }
    return str_eq_opt(a->type, b->type) && str_eq_opt(a->lang, b->lang) &&
           str_eq_opt(a->dir, b->dir) && str_eq_opt(a->index, b->index);
}

static bool slot_eq(const struct hslot *s, int kind, const void *owner, const void *key)
{
    const struct item *a, *b;

    if (s->kind != kind || s->owner != owner)
        return false;
    if (kind != HK_VALUE)
        return strcmp(s->key, key) == 0;
    a = s->key;
    b = key;
    if (a->kind != b->kind)
        return false;
    if (a->kind == IT_REF)
        return strcmp(a->id, b->id) == 0;
    return value_eq(a, b);
}

/* The slot holding (kind, owner, key), or the empty slot where it belongs. */
static struct hslot *ht_find(struct tordf *t, int kind, const void *owner, const void *key,
                             uint64_t h)
{
    size_t mask = t->tab_cap - 1, i = (size_t)h & mask;

    while (t->tab[i].h) {
        if (t->tab[i].h == h && slot_eq(&t->tab[i], kind, owner, key))
            return &t->tab[i];
        i = (i + 1) & mask;
    }
    return &t->tab[i];
}

static mcred_rc ht_grow(struct tordf *t)
{
    size_t cap = t->tab_cap ? t->tab_cap * 2 : 64, mask = cap - 1;
    struct hslot *tab = mc_calloc(cap, sizeof(*tab));

    if (!tab)
        return MCRED_ERR_NOMEM;
    for (size_t i = 0; i < t->tab_cap; i++) {
        size_t j;

        if (!t->tab[i].h)
            continue;
        j = (size_t)t->tab[i].h & mask;
        while (tab[j].h)
            j = (j + 1) & mask;
        tab[j] = t->tab[i];
    }
    mc_free(t->tab);
    t->tab = tab;
    t->tab_cap = cap;
    return MCRED_OK;
}

/* Fill the empty slot s returned by ht_find; keeps the load under one half. */
static mcred_rc ht_put(struct tordf *t, struct hslot *s, int kind, const void *owner,
                       const void *key, uint64_t h, void *val)
{
    s->h = h;
    s->kind = kind;
    s->owner = owner;
    s->key = key;
    s->val = val;
    t->tab_n++;
    if (t->tab_n * 2 > t->tab_cap)
        return ht_grow(t);
    return MCRED_OK;
}

static mcred_rc nomem(struct tordf *t)
{
    mc_err_set(t->err, MCRED_ERR_NOMEM, "out of memory in json-ld to rdf");
    return MCRED_ERR_NOMEM; /* not mc_err_set's value: lets analyzers see it is nonzero */
}

static mcred_rc step(struct tordf *t)
{
    if (++t->work > t->max_work)
        return mc_err_set(t->err, MCRED_ERR_LIMIT,
                          "json-ld to rdf: more than %zu processing steps", t->max_work);
    return MCRED_OK;
}

/* Write "<prefix>b<n>" into out (24 bytes); returns the length. */
static size_t bnode_label(char out[24], bool prefix, unsigned long n)
{
    char digits[21];
    size_t k = 0, len = 0;

    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (prefix) {
        out[len++] = '_';
        out[len++] = ':';
    }
    out[len++] = 'b';
    while (k)
        out[len++] = digits[--k];
    out[len] = '\0';
    return len;
}

static bool is_bnode(const char *s)
{
    return s[0] == '_' && s[1] == ':';
}

/* The blank node issuer (§7.3 Generate Blank Node Identifier): the new
 * label for old, or a fresh one when old is NULL. *out points into the
 * arena. */
static mcred_rc issue(struct tordf *t, const char *old, const char **out)
{
    uint64_t h = 0;
    struct hslot *s = NULL;
    char *label;
    mcred_rc rc;

    *out = NULL;
    if (old) {
        h = hash_str(hash_start(t, HK_BNODE, NULL), old) | 1;
        s = ht_find(t, HK_BNODE, NULL, old, h);
        if (s->h) {
            *out = s->val;
            return MCRED_OK;
        }
    }
    label = arena_alloc(&t->arena, 24);
    if (!label)
        return nomem(t);
    bnode_label(label, true, t->next_bnode++);
    *out = label;
    if (!old)
        return MCRED_OK;
    rc = ht_put(t, s, HK_BNODE, NULL, old, h, label);
    return rc ? nomem(t) : MCRED_OK;
}

/* old relabeled when it is a blank node identifier, else old itself. */
static mcred_rc relabel(struct tordf *t, const char *old, const char **out)
{
    if (is_bnode(old))
        return issue(t, old, out);
    *out = old;
    return MCRED_OK;
}

static mcred_rc get_graph(struct tordf *t, const char *name, struct graph **out)
{
    uint64_t h = hash_str(hash_start(t, HK_GRAPH, NULL), name) | 1;
    struct hslot *s = ht_find(t, HK_GRAPH, NULL, name, h);
    struct graph *g;

    *out = NULL;
    if (s->h) {
        *out = s->val;
        return MCRED_OK;
    }
    g = arena_alloc(&t->arena, sizeof(*g));
    if (!g)
        return nomem(t);
    memset(g, 0, sizeof(*g));
    g->name = name;
    if (t->named_tail)
        t->named_tail->next = g;
    else
        t->named = g;
    t->named_tail = g;
    t->nnamed++;
    *out = g;
    return ht_put(t, s, HK_GRAPH, NULL, name, h, g) ? nomem(t) : MCRED_OK;
}

static mcred_rc get_node(struct tordf *t, struct graph *g, const char *id, struct node **out)
{
    uint64_t h = hash_str(hash_start(t, HK_NODE, g), id) | 1;
    struct hslot *s = ht_find(t, HK_NODE, g, id, h);
    struct node *n;

    *out = NULL;
    if (s->h) {
        *out = s->val;
        return MCRED_OK;
    }
    n = arena_alloc(&t->arena, sizeof(*n));
    if (!n)
        return nomem(t);
    memset(n, 0, sizeof(*n));
    n->id = id;
    if (g->nodes_tail)
        g->nodes_tail->next = n;
    else
        g->nodes = n;
    g->nodes_tail = n;
    g->nnodes++;
    *out = n;
    return ht_put(t, s, HK_NODE, g, id, h, n) ? nomem(t) : MCRED_OK;
}

static struct prop *new_prop(struct tordf *t, struct node *n, const char *name)
{
    struct prop *p = arena_alloc(&t->arena, sizeof(*p));

    if (!p)
        return NULL;
    memset(p, 0, sizeof(*p));
    p->name = name;
    if (n->props_tail)
        n->props_tail->next = p;
    else
        n->props = p;
    n->props_tail = p;
    n->nprops++;
    return p;
}

/* Enter the properties of n into the hash table (see get_prop). */
static mcred_rc index_props(struct tordf *t, struct node *n)
{
    struct hslot *s;
    uint64_t h;

    n->indexed = true;
    for (struct prop *p = n->props; p; p = p->next) {
        h = hash_str(hash_start(t, HK_PROP, n), p->name) | 1;
        s = ht_find(t, HK_PROP, n, p->name, h);
        if (!s->h && ht_put(t, s, HK_PROP, n, p->name, h, p))
            return nomem(t);
    }
    return MCRED_OK;
}

/* The property name of node n, made when new. Most nodes are seen once, and
 * then their properties come from the distinct keys of one object: the
 * caller says so with fresh, and as long as n is not indexed the property is
 * made without a lookup. Anything else (a node seen again, @reverse, an
 * object with a repeated key) first enters the node's properties into the
 * hash table, and from then on every property of n goes through it. */
static mcred_rc get_prop(struct tordf *t, struct node *n, const char *name, bool fresh,
                         struct prop **out)
{
    uint64_t h;
    struct hslot *s;
    struct prop *p;
    mcred_rc rc;

    *out = NULL;
    if (!n->indexed && fresh) {
        *out = new_prop(t, n, name);
        return *out ? MCRED_OK : nomem(t);
    }
    if (!n->indexed) {
        rc = index_props(t, n);
        if (rc)
            return rc;
    }
    h = hash_str(hash_start(t, HK_PROP, n), name) | 1;
    s = ht_find(t, HK_PROP, n, name, h);
    if (s->h) {
        *out = s->val;
        return MCRED_OK;
    }
    p = new_prop(t, n, name);
    if (!p)
        return nomem(t);
    *out = p;
    return ht_put(t, s, HK_PROP, n, name, h, p) ? nomem(t) : MCRED_OK;
}

static struct item *new_item(struct tordf *t, enum item_kind kind)
{
    struct item *it = arena_alloc(&t->arena, sizeof(*it));

    if (it) {
        memset(it, 0, sizeof(*it));
        it->kind = kind;
        t->nitems++;
    }
    return it;
}

static void items_append(struct items *l, struct item *it)
{
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
    l->n++;
}

static mcred_rc list_append(struct tordf *t, struct items *l, struct item *it)
{
    if (l->n >= TORDF_MAX_LIST)
        return mc_err_set(t->err, MCRED_ERR_LIMIT, "json-ld to rdf: a @list has more than %d items",
                          TORDF_MAX_LIST);
    items_append(l, it);
    return MCRED_OK;
}

static bool dedupable(const struct item *it)
{
    return it->kind == IT_REF || (it->kind == IT_VALUE && value_dedupable(it));
}

/* Look it up among the values of p already in the table; *seen says whether
 * an equivalent one is there, and if not, it is entered. */
static mcred_rc value_seen(struct tordf *t, struct prop *p, struct item *it, bool *seen)
{
    uint64_t h = hash_start(t, HK_VALUE, p);
    struct hslot *s;

    h = (it->kind == IT_REF ? hash_str(h ^ 'r', it->id) : value_hash(h, it)) | 1;
    s = ht_find(t, HK_VALUE, p, it, h);
    *seen = s->h != 0;
    if (*seen)
        return MCRED_OK;
    return ht_put(t, s, HK_VALUE, p, it, h, it) ? nomem(t) : MCRED_OK;
}

/* Add it to the values of p unless an equivalent value is there already.
 * Most properties have one value: the table learns of a property's values
 * only when a second one comes. */
static mcred_rc prop_add(struct tordf *t, struct prop *p, struct item *it)
{
    bool seen = false;
    mcred_rc rc;

    if (p->vals.n == 1 && dedupable(p->vals.head)) {
        rc = value_seen(t, p, p->vals.head, &seen);
        if (rc)
            return rc;
    }
    if (p->vals.n >= 1 && dedupable(it)) {
        rc = value_seen(t, p, it, &seen);
        if (rc || seen)
            return rc;
    }
    items_append(&p->vals, it);
    return MCRED_OK;
}

/* Add a reference to node id to the values of p. */
static mcred_rc add_ref(struct tordf *t, struct prop *p, const char *id)
{
    struct item *it = new_item(t, IT_REF);

    if (!it)
        return nomem(t);
    it->id = id;
    return prop_add(t, p, it);
}

static mcred_rc nm_elem(struct tordf *t, const cJSON *el, struct graph *g, struct items *list,
                        int depth);
static mcred_rc nm_node(struct tordf *t, const cJSON *el, const struct kw *k, struct graph *g,
                        const char *name, struct items *list, int depth);

static mcred_rc bad(struct tordf *t, const char *what)
{
    mc_err_set(t->err, MCRED_ERR_INVALID, "json-ld to rdf: %s in the expanded document", what);
    return MCRED_ERR_INVALID;
}

/* Count one step of work and check the nesting depth. */
static mcred_rc enter(struct tordf *t, int depth)
{
    if (depth > TORDF_MAX_DEPTH)
        return mc_err_set(t->err, MCRED_ERR_LIMIT,
                          "json-ld to rdf: the expanded document nests deeper than %d",
                          TORDF_MAX_DEPTH);
    return step(t);
}

/* Sort n pointers with a qsort comparator: insertion sort up to 32 of them
 * (linear on the already sorted key order expansion writes), qsort beyond. */
static void sort_ptrs(void *a, size_t n, int (*cmp)(const void *, const void *))
{
    const size_t sz = sizeof(void *);
    char *base = a;
    void *x;

    if (n > 32) {
        qsort(a, n, sz, cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        size_t j = i;

        memcpy(&x, base + i * sz, sz);
        while (j > 0 && cmp(base + (j - 1) * sz, &x) > 0) {
            memcpy(base + j * sz, base + (j - 1) * sz, sz);
            j--;
        }
        memcpy(base + j * sz, &x, sz);
    }
}

static int key_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

    return strcmp(x->string, y->string);
}

/* Sort members by key as sort_ptrs does; true when no two keys are equal.
 * Insertion sort compares every pair that ends up adjacent, so it sees an
 * equal pair if there is one; after qsort the adjacent pairs are compared. */
static bool sort_keys(const cJSON **a, size_t n)
{
    bool distinct = true;
    const cJSON *x;
    int c = 1;

    if (n > 32) {
        qsort(a, n, sizeof(*a), key_cmp);
        for (size_t i = 1; i < n && distinct; i++)
            distinct = strcmp(a[i - 1]->string, a[i]->string) != 0;
        return distinct;
    }
    for (size_t i = 1; i < n; i++) {
        size_t j = i;

        x = a[i];
        while (j > 0 && (c = strcmp(a[j - 1]->string, x->string)) > 0) {
            a[j] = a[j - 1];
            j--;
        }
        if (j > 0 && c == 0)
            distinct = false;
        a[j] = x;
    }
    return distinct;
}

/* The members of obj sorted by key into an arena array of *n entries;
 * *distinct tells whether the keys are. */
static mcred_rc sorted_members(struct tordf *t, const cJSON *obj, const cJSON ***out, size_t *n,
                               bool *distinct)
{
    const cJSON *c, **arr;
    size_t k = 0;

    for (c = obj->child; c; c = c->next)
        k++;
    arr = arena_alloc(&t->arena, (k ? k : 1) * sizeof(void *));
    if (!arr)
        return nomem(t);
    k = 0;
    for (c = obj->child; c; c = c->next) {
        if (!c->string)
            return bad(t, "an object member without a key");
        arr[k++] = c;
    }
    *distinct = sort_keys(arr, k);
    *out = arr;
    *n = k;
    return MCRED_OK;
}

/* The id a node object stands for: its relabeled @id, or a fresh blank
 * node. *out is NULL for "@id": null, which jsonld.js skips. */
static mcred_rc node_name(struct tordf *t, const struct kw *k, const char **out)
{
    const cJSON *id = k->id;

    *out = NULL;
    if (!id)
        return issue(t, NULL, out);
    if (cJSON_IsNull(id))
        return MCRED_OK;
    if (!mc_json_is_string(id))
        return bad(t, "an @id that is not a string");
    return relabel(t, id->valuestring, out);
}

static bool opt_str(const cJSON *v, const char **out)
{
    *out = v && mc_json_is_string(v) ? v->valuestring : NULL;
    return !v || *out;
}

/* A value object as an item, or a list object as an empty list item. */
static mcred_rc value_item(struct tordf *t, const struct kw *k, struct item **out)
{
    struct item *it = new_item(t, k->value ? IT_VALUE : IT_LIST);

    *out = it;
    if (!it)
        return nomem(t);
    if (!k->value)
        return MCRED_OK;
    it->value = k->value;
    if (!opt_str(k->type, &it->type) || !opt_str(k->language, &it->lang) ||
        !opt_str(k->direction, &it->dir) || !opt_str(k->index, &it->index))
        return bad(t, "a value object member that is not a string");
    return MCRED_OK;
}

/* One value of a (forward) property p. */
static mcred_rc nm_value(struct tordf *t, struct graph *g, struct prop *p,
                         const cJSON *o, int depth)
{
    struct item *it;
    struct kw k;
    const char *id;
    mcred_rc rc;

    if (!mc_json_is_object(o))
        return bad(t, "a property value that is not an object");
    kw_scan(o, &k);
    if (k.value || k.list) {
        rc = value_item(t, &k, &it);
        if (!rc && it->kind == IT_LIST)
            rc = nm_elem(t, k.list, g, &it->list, depth + 1);
        return rc ? rc : prop_add(t, p, it);
    }
    if (k.set)
        return bad(t, "a @set object");
    rc = node_name(t, &k, &id);
    if (rc || !id)
        return rc;
    rc = add_ref(t, p, id);
    if (rc)
        return rc;
    return nm_node(t, o, &k, g, id, NULL, depth + 1);
}

/* A property member m of the object of node n; fresh as for get_prop. */
static mcred_rc nm_property(struct tordf *t, struct graph *g, struct node *n, const cJSON *m,
                            bool fresh, int depth)
{
    const char *name;
    struct prop *p;
    const cJSON *v;
    mcred_rc rc = relabel(t, m->string, &name);

    if (rc)
        return rc;
    rc = get_prop(t, n, name, fresh, &p);
    if (rc)
        return rc;
    if (!mc_json_is_array(m))
        return nm_value(t, g, p, m, depth);
    cJSON_ArrayForEach(v, m) {
        rc = nm_value(t, g, p, v, depth);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

/* @reverse: each value becomes a node of g pointing back at the node id. */
static mcred_rc nm_reverse(struct tordf *t, struct graph *g, const char *id, const cJSON *rev,
                           int depth)
{
    const cJSON *m, *v;
    const char *prop, *vid;
    struct node *target;
    struct prop *p;
    struct kw k;
    mcred_rc rc;

    if (!mc_json_is_object(rev))
        return bad(t, "a @reverse value that is not an object");
    cJSON_ArrayForEach(m, rev) {
        rc = relabel(t, m->string, &prop);
        if (rc)
            return rc;
        cJSON_ArrayForEach(v, m) {
            if (!mc_json_is_object(v))
                return bad(t, "a reverse property value that is not a node");
            kw_scan(v, &k);
            if (k.value || k.list || k.set)
                return bad(t, "a reverse property value that is not a node");
            rc = node_name(t, &k, &vid);
            if (!rc && vid)
                rc = nm_node(t, v, &k, g, vid, NULL, depth + 1);
            if (!rc && vid)
                rc = get_node(t, g, vid, &target);
            if (!rc && vid)
                rc = get_prop(t, target, prop, false, &p);
            if (!rc && vid)
                rc = add_ref(t, p, id);
            if (rc)
                return rc;
        }
    }
    return MCRED_OK;
}

/* The @type member of the object of node n; fresh as for get_prop. */
static mcred_rc nm_types(struct tordf *t, struct node *n, const cJSON *types, bool fresh)
{
    const cJSON *v;
    const char *id;
    struct prop *p = NULL;
    mcred_rc rc;

    if (mc_json_is_string(types)) {
        rc = relabel(t, types->valuestring, &id);
        if (!rc)
            rc = get_prop(t, n, "@type", fresh, &p);
        return rc ? rc : add_ref(t, p, id);
    }
    if (!mc_json_is_array(types))
        return bad(t, "a node @type that is not an array of strings");
    cJSON_ArrayForEach(v, types) {
        if (!mc_json_is_string(v))
            return bad(t, "a node @type that is not an array of strings");
        rc = relabel(t, v->valuestring, &id);
        if (!rc && !p)
            rc = get_prop(t, n, "@type", fresh, &p);
        if (!rc)
            rc = add_ref(t, p, id);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

static mcred_rc nm_index(struct tordf *t, struct node *n, const cJSON *v)
{
    if (!mc_json_is_string(v))
        return bad(t, "an @index that is not a string");
    if (n->index && strcmp(n->index, v->valuestring) != 0)
        return mc_err_set(t->err, MCRED_ERR_INVALID,
                          "conflicting indexes: node '%.200s' has @index '%.40s' and '%.40s'",
                          n->id, n->index, v->valuestring);
    n->index = v->valuestring;
    return MCRED_OK;
}

/* One member of a node object, keywords first handled by their own rules;
 * fresh as for get_prop. */
static mcred_rc nm_member(struct tordf *t, struct graph *g, struct node *n, const cJSON *m,
                          bool fresh, int depth)
{
    const char *k = m->string;
    struct graph *sub = NULL;
    mcred_rc rc;

    if (k[0] != '@')
        return nm_property(t, g, n, m, fresh, depth);
    if (kw_is(k, "@type"))
        return nm_types(t, n, m, fresh);
    if (kw_is(k, "@reverse"))
        return nm_reverse(t, g, n->id, m, depth);
    if (kw_is(k, "@index"))
        return nm_index(t, n, m);
    if (kw_is(k, "@included"))
        return nm_elem(t, m, g, NULL, depth + 1);
    if (kw_is(k, "@graph")) {
        rc = get_graph(t, n->id, &sub);
        return rc ? rc : nm_elem(t, m, sub, NULL, depth + 1);
    }
    return MCRED_OK; /* @id, and keywords that carry nothing for RDF */
}

/* A node object (§7.2 step 6) with its keywords k, named name when the
 * caller already knows it. */
static mcred_rc nm_node(struct tordf *t, const cJSON *el, const struct kw *k, struct graph *g,
                        const char *name, struct items *list, int depth)
{
    const cJSON **mem = NULL, *types = k->type, *v;
    const char *label;
    size_t n = 0, seen;
    struct node *node;
    struct item *it;
    bool fresh = false;
    mcred_rc rc = enter(t, depth);

    if (rc)
        return rc;
    /* jsonld.js labels blank node types before anything else of the node */
    if (mc_json_is_array(types)) {
        cJSON_ArrayForEach(v, types) {
            if (mc_json_is_string(v) && is_bnode(v->valuestring)) {
                rc = issue(t, v->valuestring, &label);
                if (rc)
                    return rc;
            }
        }
    }
    if (!name) {
        rc = node_name(t, k, &name);
        if (rc || !name)
            return rc;
    }
    if (list) {
        it = new_item(t, IT_REF);
        if (!it)
            return nomem(t);
        it->id = name;
        rc = list_append(t, list, it);
        if (rc)
            return rc;
    }
    seen = g->nnodes;
    rc = get_node(t, g, name, &node);
    if (!rc)
        rc = sorted_members(t, el, &mem, &n, &fresh);
    fresh = fresh && g->nnodes > seen; /* a new node, and distinct keys */
    for (size_t i = 0; !rc && i < n; i++)
        rc = nm_member(t, g, node, mem[i], fresh, depth);
    return rc;
}

/* Node Map Generation (§7.2) for el, an array or a map, adding to list when
 * el sits inside a @list. */
static mcred_rc nm_elem(struct tordf *t, const cJSON *el, struct graph *g, struct items *list,
                        int depth)
{
    const cJSON *v;
    struct item *it;
    struct kw k;
    mcred_rc rc;

    rc = enter(t, depth);
    if (rc)
        return rc;
    if (mc_json_is_array(el)) {
        cJSON_ArrayForEach(v, el) {
            rc = nm_elem(t, v, g, list, depth + 1);
            if (rc)
                return rc;
        }
        return MCRED_OK;
    }
    if (!mc_json_is_object(el))
        return MCRED_OK; /* a free-floating scalar: nothing to say in RDF */
    kw_scan(el, &k);
    if (k.value || k.list) {
        if (!list)
            return MCRED_OK; /* free-floating value or list */
        rc = value_item(t, &k, &it);
        if (!rc && it->kind == IT_LIST)
            rc = nm_elem(t, k.list, g, &it->list, depth + 1);
        return rc ? rc : list_append(t, list, it);
    }
    return nm_node(t, el, &k, g, NULL, list, depth + 1);
}

/* --- well-formedness ------------------------------------------------------- */

/* Bytes of an IRI after its scheme: IC_BAD never allowed (controls, space
 * and <>"{}|^`\\, which N-Quads could not carry either); IC_PCT, IC_HASH and
 * IC_BRACKET allowed only in some places (checked by iri_syntax_ok); IC_C0
 * allowed, but the N-Quads writer escapes it (the lead byte of a stored
 * U+0000). NUL ends the string first. */
enum { IC_BAD = 1, IC_PCT = 2, IC_HASH = 4, IC_BRACKET = 8, IC_C0 = 16 };

static const unsigned char iri_class[256] = {
    [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1,
    [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1,
    [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1,
    [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [0x7f] = 1, [' '] = 1, ['<'] = 1, ['>'] = 1,
    ['"'] = 1, ['{'] = 1, ['}'] = 1, ['|'] = 1, ['^'] = 1, ['`'] = 1, ['\\'] = 1,
    ['%'] = IC_PCT, ['#'] = IC_HASH, ['['] = IC_BRACKET, [']'] = IC_BRACKET, [0xc0] = IC_C0,
};

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The RFC 3987 rules for the bytes in acc (IC_* of s): '%' starts a
 * percent-encoding, one '#' starts the fragment, '[' and ']' only in the
 * authority (IP literals). Each rule is one library scan for its byte. */
static bool iri_syntax_ok(const char *s, unsigned acc)
{
    const char *p, *auth_end = s;

    if (acc & IC_HASH) {
        p = strchr(s, '#');
        if (strchr(p + 1, '#'))
            return false;
    }
    for (p = acc & IC_PCT ? strchr(s, '%') : NULL; p; p = strchr(p + 1, '%')) {
        if (!is_hex((unsigned char)p[1]) || !is_hex((unsigned char)p[2]))
            return false;
    }
    if (acc & IC_BRACKET) {
        if (s[0] == '/' && s[1] == '/')
            auth_end = s + 2 + strcspn(s + 2, "/?#");
        if (strpbrk(auth_end, "[]"))
            return false;
    }
    return true;
}

enum iri_verdict { IRI_BAD = 0, IRI_OK, IRI_PLAIN };

static bool scheme_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '-' || c == '.';
}

/* Whether s is a well-formed absolute IRI (JSON-LD 1.1 API §8.1 drops the
 * others): a scheme (RFC 3986 §3.1), ':', no byte that RFC 3987 or an
 * N-Quads IRIREF forbids, percent-encodings complete, at most one fragment.
 * IRI_PLAIN when it is, and the N-Quads writer has nothing to escape in it.
 * What follows the scheme costs eight table lookups a step without a branch
 * each, and a library scan per kind of byte with a rule. */
static enum iri_verdict iri_check(const char *s)
{
    const unsigned char *r;
    const char *p = s;
    size_t n, i = 0;
    unsigned acc = 0;

    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return IRI_BAD;
    for (p++; *p != ':'; p++) {
        if (!scheme_char(*p))
            return IRI_BAD;  /* NUL included: no ':' */
    }
    r = (const unsigned char *)p + 1;
    n = strlen((const char *)r);
#ifdef __SSE2__
    /* sixteen bytes a step: only those that may have a class are looked up
     * (<= '%', '<' to '>', '[' to '^', '`', >= '{'; '!', '$', '=' and '~'
     * come along and have none) */
    for (; i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(r + i));
        const __m128i lo = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x25)), x);
        const __m128i hi = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x7b)), x);
        const __m128i a = _mm_sub_epi8(x, _mm_set1_epi8(0x3c));
        const __m128i b = _mm_sub_epi8(x, _mm_set1_epi8(0x5b));
        const __m128i ma = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(2)), a);
        const __m128i mb = _mm_cmpeq_epi8(_mm_min_epu8(b, _mm_set1_epi8(3)), b);
        const __m128i bq = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x60));
        unsigned bits = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_or_si128(lo, hi), _mm_or_si128(ma, mb)), bq));

        while (bits) {
            acc |= iri_class[r[i + (unsigned)__builtin_ctz(bits)]];
            bits &= bits - 1;
        }
    }
#endif
    for (; i + 8 <= n; i += 8) {
        acc |= iri_class[r[i]] | iri_class[r[i + 1]] | iri_class[r[i + 2]] |
               iri_class[r[i + 3]] | iri_class[r[i + 4]] | iri_class[r[i + 5]] |
               iri_class[r[i + 6]] | iri_class[r[i + 7]];
    }
    for (; i < n; i++)
        acc |= iri_class[r[i]];
    if (acc & IC_BAD)
        return IRI_BAD;
    if ((acc & (IC_PCT | IC_HASH | IC_BRACKET)) && !iri_syntax_ok((const char *)r, acc))
        return IRI_BAD;
    return acc & IC_C0 ? IRI_OK : IRI_PLAIN;
}

/* BCP 47 well-formedness as JSON-LD processors check it: alphanumeric
 * subtags of 1 to 8 characters, the first alphabetic. */
static bool lang_ok(const char *s)
{
    size_t run = 0;
    bool first = true;

    for (const char *p = s;; p++) {
        if (*p == '-' || *p == '\0') {
            if (run == 0 || run > 8)
                return false;
            if (*p == '\0')
                return true;
            run = 0;
            first = false;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (!first && *p >= '0' && *p <= '9')) {
            run++;
        } else {
            return false;
        }
    }
}

/* --- lexical forms --------------------------------------------------------- */

/* a > 0 finite. When a lies exactly halfway between two 16-digit decimals,
 * return true and the upper one (ECMAScript's toExponential picks the larger
 * n; printf rounds ties to even) as 16 digits in dig and the exponent. */
static bool exp16_tie(double a, char dig[17], int *exp10)
{
    int e2, n;
    uint64_t m, pow5 = 1, p, r;
    char tmp[24];

    m = (uint64_t)ldexp(frexp(a, &e2), 53);
    e2 -= 53;
    while (m && !(m & 1)) {
        m >>= 1;
        e2++;
    }
    /* a = m * 2^e2 = m * 5^n / 10^n with n = -e2: exactly 17 significant
     * digits (ending in 5) is the only tie at 16 digits */
    if (e2 >= 0 || e2 < -24)
        return false;
    n = -e2;
    for (int i = 0; i < n; i++)
        pow5 *= 5;
    if (m > 99999999999999999ULL / pow5)
        return false;
    p = m * pow5;
    if (p < 10000000000000000ULL)
        return false;
    r = p / 10 + 1;
    *exp10 = 16 - n;
    if (r == 10000000000000000ULL) {
        r /= 10;
        (*exp10)++;
    }
    (void)snprintf(tmp, sizeof(tmp), "%016llu", (unsigned long long)r);
    memcpy(dig, tmp, 17);
    return true;
}

/* The xsd:double lexical form jsonld.js writes: toExponential(15) with the
 * mantissa's trailing zeros removed, "1.5E0", "1.0E21", "-1.234E-7". */
static void fmt_double(double d, char out[40])
{
    char buf[40], dig[17];
    int exp10, last;
    char *o = out;

    if (isnan(d) || isinf(d)) {
        (void)snprintf(out, 40, "%s", isnan(d) ? "NaN" : d > 0 ? "INF" : "-INF");
        return;
    }
    if (d == 0)
        d = 0.0; /* no "-0" */
    if (d < 0)
        *o++ = '-';
    d = fabs(d);
    if (d == 0 || !exp16_tie(d, dig, &exp10)) {
        (void)snprintf(buf, sizeof(buf), "%.15e", d);
        dig[0] = buf[0];
        memcpy(dig + 1, buf + 2, 15);
        dig[16] = '\0';
        exp10 = (int)strtol(buf + 18, NULL, 10);
    }
    for (last = 15; last > 1 && dig[last] == '0'; last--)
        ;
    *o++ = dig[0];
    *o++ = '.';
    memcpy(o, dig + 1, (size_t)last);
    o += last;
    (void)snprintf(o, 40 - (size_t)(o - out), "E%d", exp10);
}

/* True when s reads as a JSON number (RFC 8259 §6) and nothing else. */
static bool json_number_text(const char *s)
{
    const char *p = s;

    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* --- quads ----------------------------------------------------------------- */

static mcred_rc drop(struct tordf *t, const char *what, const char *s)
{
    if (!t->o->safe)
        return MCRED_OK;
    return mc_err_set(t->err, MCRED_ERR_INVALID,
                      "safe mode: %s '%.200s' would be dropped from the rdf output", what, s);
}

/* A copy of s[0..n) in the dataset. */
static mcred_rc intern(struct tordf *t, const char *s, size_t n, const char **out)
{
    *out = mc_rdf_intern(t->d, s, n);
    return *out ? MCRED_OK : nomem(t);
}

/* s for a term of the dataset, s being stable (a string of the expanded
 * document, a static one, or one already in the dataset): s itself when the
 * dataset borrows (d->borrow), else a copy. */
static mcred_rc ref(struct tordf *t, const char *s, const char **out)
{
    if (t->d->borrow) {
        *out = s;
        return MCRED_OK;
    }
    return intern(t, s, strlen(s), out);
}

static mcred_rc add_quad(struct tordf *t, const struct mc_rdf_term *s,
                         const struct mc_rdf_term *p, const struct mc_rdf_term *o,
                         const struct mc_rdf_term *g)
{
    struct mc_rdf_quad q = { *s, *p, *o, *g };
    mcred_rc rc;

    if (t->d->n >= t->max_quads)
        return mc_err_set(t->err, MCRED_ERR_LIMIT, "json-ld to rdf: more than %zu quads",
                          t->max_quads);
    rc = step(t);
    if (rc)
        return rc;
    rc = mc_rdf_add(t->d, &q);
    if (rc == MCRED_ERR_LIMIT)
        return mc_err_set(t->err, rc, "json-ld to rdf: more than %zu quads", t->max_quads);
    return rc ? nomem(t) : MCRED_OK;
}

/* The term for one of the static IRIs above. */
static void iri_term(struct mc_rdf_term *term, const char *iri)
{
    memset(term, 0, sizeof(*term));
    term->kind = MC_RDF_IRI;
    term->flags = MC_RDF_PLAIN;
    term->value = iri;
}

/* The term for a node id (blank node or IRI, interned) in *term, or
 * *ok = false when id is an IRI that is not well-formed (what names the
 * position for drop). */
static mcred_rc id_term(struct tordf *t, const char *id, const char *what,
                        struct mc_rdf_term *term, bool *ok)
{
    enum iri_verdict v = IRI_OK;

    memset(term, 0, sizeof(*term));
    *ok = false;
    if (is_bnode(id)) {
        term->kind = MC_RDF_BLANK;
        *ok = true;
        return intern(t, id + 2, strlen(id + 2), &term->value);
    }
    v = iri_check(id);
    if (v == IRI_BAD)
        return drop(t, what, id);
    term->kind = MC_RDF_IRI;
    term->flags = v == IRI_PLAIN ? MC_RDF_PLAIN : 0;
    *ok = true;
    return ref(t, id, &term->value); /* IRIs come from the document */
}

static mcred_rc fresh_bnode(struct tordf *t, struct mc_rdf_term *term)
{
    char label[24];
    size_t n = bnode_label(label, false, t->next_bnode++);

    memset(term, 0, sizeof(*term));
    term->kind = MC_RDF_BLANK;
    return intern(t, label, n, &term->value);
}

/* The static copy of dt when it is one of the datatypes toRdf writes by
 * default (pointer equality first: those usually come from here), else NULL. */
static const char *known_datatype(const char *dt)
{
    static const char *const known[] = { xsd_integer, xsd_double, xsd_boolean, rdf_json,
                                         rdf_langstring, xsd_string };
    const size_t nx = sizeof(XSD_NS) - 1, nr = sizeof(RDF_NS) - 1;
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (dt == known[i])
            return dt;
    }
    if (strncmp(dt, XSD_NS, nx) == 0) {
        for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
            if (strncmp(known[i], XSD_NS, nx) == 0 && strcmp(dt + nx, known[i] + nx) == 0)
                return known[i];
        }
    } else if (strncmp(dt, RDF_NS, nr) == 0) {
        if (strcmp(dt + nr, rdf_json + nr) == 0)
            return rdf_json;
        if (strcmp(dt + nr, rdf_langstring + nr) == 0)
            return rdf_langstring;
    }
    return NULL;
}

/* A literal term: lexical form lex, datatype dt (NULL: xsd:string), both
 * stable (see ref); flags are the MC_RDF_PLAIN hints known for them. */
static mcred_rc literal_term(struct tordf *t, const char *lex, const char *dt, unsigned flags,
                             struct mc_rdf_term *term)
{
    const char *known;
    mcred_rc rc;

    memset(term, 0, sizeof(*term));
    term->kind = MC_RDF_LITERAL;
    term->flags = flags & MC_RDF_PLAIN;
    rc = ref(t, lex, &term->value);
    if (rc || !dt)
        return rc;
    known = known_datatype(dt);
    if (known == xsd_string)
        return MCRED_OK;
    if (known) {
        term->datatype = known; /* a default: static */
        term->flags |= MC_RDF_PLAIN_DT;
        return MCRED_OK;
    }
    term->flags |= flags & MC_RDF_PLAIN_DT;
    return ref(t, dt, &term->datatype);
}

static mcred_rc obj_to_rdf(struct tordf *t, const struct item *it, const struct mc_rdf_term *g,
                           struct mc_rdf_term *out, bool *ok);

/* List Conversion (§8.3): the head of the RDF collection in *out. */
static mcred_rc list_to_rdf(struct tordf *t, const struct items *l, const struct mc_rdf_term *g,
                            struct mc_rdf_term *out)
{
    struct mc_rdf_term first, rest, subj, obj, next;
    const struct item *it;
    bool ok;
    mcred_rc rc;

    if (!l->head) {
        iri_term(out, rdf_nil);
        return MCRED_OK;
    }
    iri_term(&first, rdf_first);
    iri_term(&rest, rdf_rest);
    rc = fresh_bnode(t, out);
    subj = *out;
    for (it = l->head; !rc && it; it = it->next) {
        rc = obj_to_rdf(t, it, g, &obj, &ok);
        if (rc)
            break;
        if (it->next)
            rc = fresh_bnode(t, &next);
        else
            iri_term(&next, rdf_nil);
        if (!rc && ok)
            rc = add_quad(t, &subj, &first, &obj, g);
        if (!rc)
            rc = add_quad(t, &subj, &rest, &next, g);
        subj = next;
    }
    return rc;
}

/* s with ASCII letters lowercased, in the dataset; the i18n namespace or
 * any other prefix first when given. */
static mcred_rc lower_dup(struct tordf *t, const char *prefix, const char *s, const char **out)
{
    size_t np = prefix ? strlen(prefix) : 0, n = strlen(s);
    char *r = arena_alloc(&t->arena, np + n + 1);

    if (!r)
        return nomem(t);
    if (np) /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the loop copies the NUL */
        memcpy(r, prefix, np);
    for (size_t i = 0; i <= n; i++)
        r[np + i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    return intern(t, r, np + n, out);
}

/* rdfDirection compound-literal (§8.2 step 13.3): a blank node carrying
 * rdf:value, rdf:language and rdf:direction. */
static mcred_rc compound_literal(struct tordf *t, const char *lex, const char *lang,
                                 const char *dir, const struct mc_rdf_term *g,
                                 struct mc_rdf_term *out)
{
    struct mc_rdf_term p, o;
    const char *low;
    mcred_rc rc = fresh_bnode(t, out);

    iri_term(&p, rdf_value);
    if (!rc)
        rc = literal_term(t, lex, NULL, 0, &o);
    if (!rc)
        rc = add_quad(t, out, &p, &o, g);
    if (!rc && lang) {
        iri_term(&p, rdf_language);
        rc = lower_dup(t, NULL, lang, &low);
        if (!rc)
            rc = literal_term(t, low, NULL, 0, &o);
        if (!rc)
            rc = add_quad(t, out, &p, &o, g);
    }
    iri_term(&p, rdf_direction);
    if (!rc)
        rc = literal_term(t, dir, NULL, 0, &o);
    if (!rc)
        rc = add_quad(t, out, &p, &o, g);
    return rc;
}

static mcred_rc lex_put(struct tordf *t, const char *s)
{
    mcred_rc rc = mc_buf_appends(&t->lex, s);

    if (rc == MCRED_ERR_LIMIT)
        return mc_err_set(t->err, rc, "json-ld to rdf: a literal is longer than %zu bytes",
                          t->lex.max);
    return rc ? nomem(t) : MCRED_OK;
}

/* A numeric string read back as JSON reads it (locale-independent). */
static mcred_rc parse_double(struct tordf *t, const char *s, double *out)
{
    cJSON *v = NULL;
    mcred_rc rc = mc_json_parse(s, strlen(s), 0, &v, NULL);

    if (rc == MCRED_OK && cJSON_IsNumber(v))
        *out = v->valuedouble;
    else if (rc == MCRED_OK)
        rc = MCRED_ERR_INTERNAL;
    cJSON_Delete(v);
    return rc == MCRED_ERR_NOMEM ? nomem(t) : rc;
}

/* The lexical form of @value x, in t->lex or, for a string kept as it is, in
 * t->lex_str, and its datatype (§8.2 steps 8-12): type when given, else the
 * default for x. */
static mcred_rc lexical(struct tordf *t, const cJSON *x, const char *type, const char **dt)
{
    char num[40];
    mcred_rc rc;

    mc_buf_reset(&t->lex);
    t->lex_str = NULL;
    t->lex_plain = false;
    if (type && kw_is(type, "@json")) {
        *dt = rdf_json;
        rc = mc_jcs_canon(x, &t->lex, t->err);
        return rc == MCRED_ERR_NOMEM ? nomem(t) : rc;
    }
    t->lex_plain = true; /* "true", "false" and numbers below */
    if (cJSON_IsBool(x)) {
        *dt = type ? type : xsd_boolean;
        return lex_put(t, cJSON_IsTrue(x) ? "true" : "false");
    }
    if (cJSON_IsNumber(x)) {
        double d = x->valuedouble;

        if (!isfinite(d) && t->o->safe)
            return mc_err_set(t->err, MCRED_ERR_INVALID, "safe mode: a number is not finite");
        if (d != floor(d) || fabs(d) >= 1e21 || !isfinite(d) ||
            (type && strcmp(type, xsd_double) == 0)) {
            fmt_double(d, num);
            *dt = type ? type : xsd_double;
        } else {
            (void)snprintf(num, sizeof(num), "%.0f", d == 0 ? 0.0 : d);
            *dt = type ? type : xsd_integer;
        }
        return lex_put(t, num);
    }
    if (!mc_json_is_string(x))
        return bad(t, "a @value that is not a string, number or boolean");
    *dt = type;
    t->lex_plain = false;
    if (type && strcmp(type, xsd_double) == 0 && json_number_text(x->valuestring)) {
        /* jsonld.js and pyld write numeric xsd:double strings canonically too */
        double d = 0;

        rc = parse_double(t, x->valuestring, &d);
        if (rc == MCRED_OK) {
            fmt_double(d, num);
            t->lex_plain = true;
            return lex_put(t, num);
        }
        if (rc != MCRED_ERR_INTERNAL)
            return rc;
    }
    t->lex_str = x->valuestring; /* as it is: no copy */
    return MCRED_OK;
}

/* rdfDirection i18n-datatype: https://www.w3.org/ns/i18n#{language}_{direction},
 * the language lowercased. */
static mcred_rc i18n_datatype(struct tordf *t, const char *lang, const char *dir,
                              const char **out)
{
    struct mc_buf b;
    mcred_rc rc;

    mc_buf_init(&b, 0);
    rc = mc_buf_appends(&b, lang ? lang : "");
    if (!rc)
        rc = mc_buf_appendc(&b, '_');
    if (!rc)
        rc = mc_buf_appends(&b, dir);
    if (!rc)
        rc = lower_dup(t, I18N_NS, b.ptr, out);
    mc_buf_release(&b);
    return rc == MCRED_ERR_NOMEM ? nomem(t) : rc;
}

/* Object to RDF Conversion (§8.2) of a value object. */
static mcred_rc value_to_rdf(struct tordf *t, const struct item *it,
                             const struct mc_rdf_term *g, struct mc_rdf_term *out, bool *ok)
{
    const char *type = it->type, *lang = it->lang, *dir = it->dir, *dt = NULL, *lex;
    enum iri_verdict dtv = IRI_PLAIN;
    unsigned flags;
    mcred_rc rc;

    *ok = false;
    if (type && !kw_is(type, "@json")) {
        dtv = iri_check(type);
        if (dtv == IRI_BAD)
            return drop(t, "malformed datatype iri", type);
    }
    if (lang && !lang_ok(lang))
        return drop(t, "malformed language tag", lang);
    rc = lexical(t, it->value, type, &dt);
    if (rc)
        return rc;
    lex = t->lex_str; /* a string of the document, else one we wrote: copied */
    if (!lex)
        rc = intern(t, t->lex.ptr ? t->lex.ptr : "", t->lex.len, &lex);
    if (rc)
        return rc;
    if (dir && t->o->rdf_direction == 1) {
        lang = NULL;
        rc = i18n_datatype(t, it->lang, dir, &dt);
        if (!rc)
            dtv = iri_check(dt);
        if (!rc && dtv == IRI_BAD)
            return drop(t, "malformed @direction", dir);
    } else if (dir && t->o->rdf_direction == 2) {
        rc = compound_literal(t, lex, lang, dir, g, out);
        *ok = !rc;
        return rc;
    } else if (dir && t->o->safe) {
        return mc_err_set(t->err, MCRED_ERR_INVALID,
                          "safe mode: @direction '%.20s' needs the rdfDirection option", dir);
    }
    if (rc)
        return rc;
    flags = (t->lex_plain && !t->lex_str ? MC_RDF_PLAIN : 0) |
            (dtv == IRI_PLAIN ? MC_RDF_PLAIN_DT : 0);
    rc = literal_term(t, lex, lang ? NULL : dt, flags, out);
    if (!rc && lang)
        rc = ref(t, lang, &out->lang);
    *ok = !rc;
    return rc;
}

/* Object to RDF Conversion (§8.2); *ok is false when the object is dropped
 * (not well-formed), which in safe mode the caller turns into an error. */
static mcred_rc obj_to_rdf(struct tordf *t, const struct item *it, const struct mc_rdf_term *g,
                           struct mc_rdf_term *out, bool *ok)
{
    *ok = false;
    if (it->kind == IT_VALUE)
        return value_to_rdf(t, it, g, out, ok);
    if (it->kind == IT_LIST) {
        *ok = true;
        return list_to_rdf(t, &it->list, g, out);
    }
    return id_term(t, it->id, "relative or malformed object iri", out, ok);
}

static int prop_cmp(const void *a, const void *b)
{
    const struct prop *x = *(const struct prop *const *)a, *y = *(const struct prop *const *)b;

    return strcmp(x->name, y->name);
}

static int node_cmp(const void *a, const void *b)
{
    const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;

    return strcmp(x->id, y->id);
}

static int graph_cmp(const void *a, const void *b)
{
    const struct graph *x = *(const struct graph *const *)a;
    const struct graph *y = *(const struct graph *const *)b;

    return strcmp(x->name, y->name);
}

/* The predicate term for property name, or ok = false when it is dropped. */
static mcred_rc pred_term(struct tordf *t, const char *name, struct mc_rdf_term *term, bool *ok)
{
    *ok = false;
    if (kw_is(name, "@type")) {
        iri_term(term, rdf_type);
        *ok = true;
        return MCRED_OK;
    }
    if (is_bnode(name) && !t->o->produce_generalized_rdf)
        return drop(t, "blank node predicate", name);
    return id_term(t, name, "relative or malformed predicate iri", term, ok);
}

static mcred_rc emit_prop(struct tordf *t, const struct mc_rdf_term *s, const struct prop *p,
                          const struct mc_rdf_term *g)
{
    struct mc_rdf_term pred, obj;
    bool ok;
    mcred_rc rc;

    if (!p->vals.head)
        return MCRED_OK;
    rc = pred_term(t, p->name, &pred, &ok);
    if (rc || !ok)
        return rc;
    for (const struct item *it = p->vals.head; it; it = it->next) {
        rc = obj_to_rdf(t, it, g, &obj, &ok);
        if (!rc && !ok)
            continue;
        if (!rc)
            rc = add_quad(t, s, &pred, &obj, g);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

static mcred_rc emit_node(struct tordf *t, const struct node *n, const struct mc_rdf_term *g)
{
    const struct prop **props, *p;
    struct mc_rdf_term subj;
    size_t k = 0;
    bool any = false, ok;
    mcred_rc rc;

    for (p = n->props; p && !any; p = p->next) {
        if (p->vals.head && (p->name[0] != '@' || kw_is(p->name, "@type")))
            any = true;
    }
    if (!any)
        return MCRED_OK;
    rc = id_term(t, n->id, "relative or malformed subject iri", &subj, &ok);
    if (rc || !ok)
        return rc;
    props = arena_alloc(&t->arena, n->nprops * sizeof(void *));
    if (!props)
        return nomem(t);
    for (p = n->props; p; p = p->next)
        props[k++] = p;
    if (k > 1)
        sort_ptrs(props, k, prop_cmp);
    for (size_t i = 0; !rc && i < k; i++)
        rc = emit_prop(t, &subj, props[i], g);
    return rc;
}

static mcred_rc emit_graph(struct tordf *t, const struct graph *gr)
{
    const struct node **nodes, *n;
    struct mc_rdf_term g;
    size_t k = 0;
    bool ok;
    mcred_rc rc = MCRED_OK;

    memset(&g, 0, sizeof(g));
    if (gr->name) {
        for (n = gr->nodes; n && !n->props; n = n->next)
            ;
        if (!n)
            return MCRED_OK; /* nothing in it */
        rc = id_term(t, gr->name, "relative or malformed graph name", &g, &ok);
        if (rc || !ok)
            return rc;
    }
    if (!gr->nnodes)
        return MCRED_OK;
    nodes = arena_alloc(&t->arena, gr->nnodes * sizeof(void *));
    if (!nodes)
        return nomem(t);
    for (n = gr->nodes; n; n = n->next)
        nodes[k++] = n;
    if (k > 1)
        sort_ptrs(nodes, k, node_cmp);
    for (size_t i = 0; !rc && i < k; i++)
        rc = emit_node(t, nodes[i], &g);
    return rc;
}

static mcred_rc emit_all(struct tordf *t)
{
    const struct graph **named, *gr;
    size_t k = 0;
    mcred_rc rc = emit_graph(t, &t->dflt);

    if (rc || !t->nnamed)
        return rc;
    named = arena_alloc(&t->arena, t->nnamed * sizeof(void *));
    if (!named)
        return nomem(t);
    for (gr = t->named; gr; gr = gr->next)
        named[k++] = gr;
    if (k > 1)
        sort_ptrs(named, k, graph_cmp);
    for (size_t i = 0; !rc && i < k; i++)
        rc = emit_graph(t, named[i]);
    return rc;
}

mcred_rc mc_jsonld_to_rdf(const cJSON *expanded, const struct mc_jsonld_opts *o,
                          struct mc_rdf_dataset *d, struct mc_err *err)
{
    static const struct mc_jsonld_opts defaults;
    struct tordf t;
    size_t n0 = d->n;
    mcred_rc rc;

    memset(&t, 0, sizeof(t));
    t.o = o ? o : &defaults;
    t.d = d;
    t.err = err;
    t.max_work = t.o->max_work ? t.o->max_work : TORDF_DEFAULT_WORK;
    t.seed = mc_rdf_hash_seed();
    t.max_quads = d->max_quads && d->max_quads < MC_RDF_MAX_QUADS ? d->max_quads
                                                                  : MC_RDF_MAX_QUADS;
    mc_buf_init(&t.lex, MC_JSON_MAX_BYTES);
    rc = ht_grow(&t);
    if (rc)
        rc = nomem(&t);
    if (!rc && (t.o->rdf_direction < 0 || t.o->rdf_direction > 2))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "json-ld to rdf: unknown rdfDirection %d",
                        t.o->rdf_direction);
    if (!rc)
        rc = nm_elem(&t, expanded, &t.dflt, NULL, 0);
    if (!rc && mc_rdf_reserve(d, t.nitems + 16))
        rc = nomem(&t);
    if (!rc)
        rc = emit_all(&t);
    if (rc)
        d->n = n0; /* strings already interned stay until mc_rdf_release */
    mc_buf_release(&t.lex);
    mc_free(t.tab);
    arena_release(&t.arena);
    return rc;
}
