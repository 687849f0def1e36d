/* framework.c - the in-memory framework of framework.h: growing arrays of
 * the store's import rows, URIs numbered by an mc_intern, other strings
 * copied into a chunked pool, relations deduplicated by a second mc_intern
 * keyed by (from, to, relation).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "skills/framework.h"
#include "skills/intern.h"
#include "skills/text.h"
#include "util/json.h"

#define POOL_CHUNK ((size_t)256 * 1024)

struct pool_chunk {
    struct pool_chunk *next;
    size_t used, cap;
    char data[];
};

struct mc_fw {
    struct mc_skill_import im;          /* points at the arrays below */
    char *name, *version, *title, *attribution;
    struct mc_intern *uris;             /* concept uri -> index */
    struct mc_intern *edge_keys;        /* (from, to, rel) -> edge index */
    struct mc_intern *label_keys;       /* (concept, label): labels given */
    struct mc_skill_concept_in *concepts;
    const char **where;                 /* where each concept was defined */
    size_t nconcepts, ccap;
    struct mc_skill_label_in *labels;
    size_t nlabels, lcap;
    struct mc_skill_edge_in *edges;
    size_t nedges, ecap;
    struct pool_chunk *pool;
    struct mc_fw_report report;
};

/* ---- the string pool -------------------------------------------------------------- */

static const char *pool_copy(struct mc_fw *f, const char *s, size_t n)
{
    struct pool_chunk *c = f->pool;
    char *p;

    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > POOL_CHUNK ? n + 1 : POOL_CHUNK;

        c = mc_malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = f->pool;
        f->pool = c;
    }
    p = c->data + c->used;
    memcpy(p, s, n);
    p[n] = '\0';
    c->used += n + 1;
    return p;
}

static const char *pool_str(struct mc_fw *f, const char *s)
{
    return s ? pool_copy(f, s, strlen(s)) : NULL;
}

/* Grow an array of elements of size sz to hold one more. */
static bool grow(void **a, size_t *cap, size_t n, size_t sz)
{
    size_t ncap;
    void *p;

    if (n < *cap)
        return true;
    ncap = *cap ? *cap * 2 : 1024;
    p = mc_realloc(*a, ncap * sz);
    if (!p)
        return false;
    *a = p;
    *cap = ncap;
    return true;
}

/* ---- the framework ------------------------------------------------------------------ */

mcred_rc mc_fw_new(struct mc_fw **out, const char *name, const char *version, const char *title,
                   const char *attribution)
{
    struct mc_fw *f = mc_calloc(1, sizeof(*f));

    *out = NULL;
    if (!f)
        return MCRED_ERR_NOMEM;
    f->name = mc_strdup(name ? name : "");
    f->version = version ? mc_strdup(version) : NULL;
    f->title = title ? mc_strdup(title) : NULL;
    f->attribution = attribution ? mc_strdup(attribution) : NULL;
    if (!f->name || (version && !f->version) || (title && !f->title) ||
        (attribution && !f->attribution) || mc_intern_new(&f->uris) ||
        mc_intern_new(&f->edge_keys) || mc_intern_new(&f->label_keys)) {
        mc_fw_free(f);
        return MCRED_ERR_NOMEM;
    }
    *out = f;
    return MCRED_OK;
}

void mc_fw_free(struct mc_fw *f)
{
    struct pool_chunk *c, *next;

    if (!f)
        return;
    for (c = f->pool; c; c = next) {
        next = c->next;
        mc_free(c);
    }
    mc_intern_free(f->uris);
    mc_intern_free(f->edge_keys);
    mc_intern_free(f->label_keys);
    mc_free(f->concepts);
    mc_free(f->where);
    mc_free(f->labels);
    mc_free(f->edges);
    mc_free(f->name);
    mc_free(f->version);
    mc_free(f->title);
    mc_free(f->attribution);
    mc_free(f);
}

/* Append a label of concept (the caller checked it). */
static mcred_rc add_label(struct mc_fw *f, uint32_t concept, const char *label, size_t n,
                          bool pref)
{
    char norm[MC_STORE_MAX_TEXT + 1], key[MC_STORE_MAX_TEXT + 4];
    struct mc_skill_label_in *l;
    size_t nlen = 0;
    uint32_t id;
    bool added = false;

    if (n + 4 > sizeof(key))
        return MCRED_ERR_INVALID;
    memcpy(key, &concept, 4);
    memcpy(key + 4, label, n);
    if (mc_intern_add(f->label_keys, key, n + 4, &id, &added))
        return MCRED_ERR_NOMEM;
    if (!added)
        return MCRED_OK;   /* the concept has it already */
    if (!grow((void **)&f->labels, &f->lcap, f->nlabels, sizeof(*f->labels)))
        return MCRED_ERR_NOMEM;
    if (mc_text_norm(label, n, norm, sizeof(norm), &nlen) != MCRED_OK)
        norm[0] = '\0';   /* no words, or one too long: never an exact match */
    l = &f->labels[f->nlabels];
    l->concept = concept;
    l->pref = pref;
    l->label = pool_copy(f, label, n);
    l->norm = pool_copy(f, norm, strlen(norm));
    if (!l->label || !l->norm)
        return MCRED_ERR_NOMEM;
    f->nlabels++;
    return MCRED_OK;
}

/* Room for one more concept in the per-concept arrays. */
static bool grow_concepts(struct mc_fw *f)
{
    size_t cap = f->ccap ? f->ccap * 2 : 1024;
    struct mc_skill_concept_in *c;
    const char **w;

    if (f->nconcepts < f->ccap)
        return true;
    c = mc_realloc(f->concepts, cap * sizeof(*c));
    if (c)
        f->concepts = c;
    w = c ? mc_realloc(f->where, cap * sizeof(*w)) : NULL;
    if (!w)
        return false;
    f->where = w;
    f->ccap = cap;
    return true;
}

/* A label's text: valid UTF-8 of at most MC_STORE_MAX_TEXT bytes, no NUL. */
static mcred_rc check_label(const char *s, size_t n, const char *what, struct mc_err *err)
{
    if (n > MC_STORE_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s is %zu bytes long; the limit is %zu", what,
                          n, MC_STORE_MAX_TEXT);
    if (memchr(s, '\0', n) || !mc_utf8_valid(s, n))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s is not valid UTF-8 text", what);
    return MCRED_OK;
}

mcred_rc mc_fw_concept(struct mc_fw *f, const char *uri, enum mc_skill_kind kind,
                       const char *label, const char *code, const char *description,
                       const char *where, uint32_t *index, struct mc_err *err)
{
    struct mc_skill_concept_in *c;
    uint32_t id;
    bool added = false;
    size_t n;
    mcred_rc rc;

    *index = MC_INTERN_NONE;
    if (!uri || !uri[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "the concept URI is empty");
    if (!label || !label[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "concept '%.200s' has no label", uri);
    rc = check_label(uri, strlen(uri), "the concept URI", err);
    if (!rc)
        rc = check_label(label, strlen(label), "the label", err);
    if (!rc && code)
        rc = check_label(code, strlen(code), "the code", err);
    if (rc)
        return rc;
    n = description ? strlen(description) : 0;
    if (n > MC_SKILL_MAX_DESCRIPTION)
        return mc_err_set(err, MCRED_ERR_INVALID, "the description of '%.200s' is %zu bytes; "
                          "the limit is %zu", uri, n, MC_SKILL_MAX_DESCRIPTION);
    if (n && !mc_utf8_valid(description, n))
        return mc_err_set(err, MCRED_ERR_INVALID, "the description is not valid UTF-8");
    if (f->nconcepts >= MC_SKILL_MAX_CONCEPTS)
        return mc_err_set(err, MCRED_ERR_LIMIT, "more than %zu concepts", MC_SKILL_MAX_CONCEPTS);
    rc = mc_intern_add(f->uris, uri, strlen(uri), &id, &added);
    if (rc)
        return mc_err_set(err, rc, "out of memory reading concepts");
    if (!added)
        return mc_err_set(err, MCRED_ERR_CONFLICT, "concept '%.200s' is defined twice (first "
                          "at %s)", uri, f->where[id] ? f->where[id] : "?");
    if (!grow_concepts(f))
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory reading concepts");
    c = &f->concepts[f->nconcepts];
    c->uri = mc_intern_str(f->uris, id);
    c->kind = kind;
    c->label = pool_str(f, label);
    c->code = code && code[0] ? pool_str(f, code) : NULL;
    c->description = n ? pool_str(f, description) : NULL;
    f->where[f->nconcepts] = pool_str(f, where ? where : "?");
    if (!c->label || (code && code[0] && !c->code) || (n && !c->description) ||
        !f->where[f->nconcepts])
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory reading concepts");
    f->nconcepts++;
    rc = add_label(f, id, label, strlen(label), true);
    if (rc)
        return mc_err_set(err, rc, "out of memory reading labels");
    *index = id;
    return MCRED_OK;
}

mcred_rc mc_fw_alt(struct mc_fw *f, uint32_t concept, const char *label, size_t n,
                   struct mc_err *err)
{
    mcred_rc rc;

    while (n && (*label == ' ' || *label == '\t' || *label == '\r' || *label == '\n')) {
        label++;
        n--;
    }
    while (n && (label[n - 1] == ' ' || label[n - 1] == '\t' || label[n - 1] == '\r' ||
                 label[n - 1] == '\n'))
        n--;
    if (!n || concept >= f->nconcepts)
        return MCRED_OK;
    rc = check_label(label, n, "an alternative label", err);
    if (rc)
        return rc;
    if (f->nlabels >= MC_SKILL_MAX_ROWS)
        return mc_err_set(err, MCRED_ERR_LIMIT, "more than %zu labels", MC_SKILL_MAX_ROWS);
    rc = add_label(f, concept, label, n, false);
    return rc ? mc_err_set(err, rc, "out of memory reading labels") : MCRED_OK;
}

mcred_rc mc_fw_alts(struct mc_fw *f, uint32_t concept, const char *list, char sep,
                    struct mc_err *err)
{
    const char *p = list, *end;
    mcred_rc rc;

    while (p && *p) {
        end = strchr(p, sep);
        rc = mc_fw_alt(f, concept, p, end ? (size_t)(end - p) : strlen(p), err);
        if (rc)
            return rc;
        p = end ? end + 1 : NULL;
    }
    return MCRED_OK;
}

uint32_t mc_fw_find(const struct mc_fw *f, const char *uri)
{
    return uri ? mc_intern_find(f->uris, uri, strlen(uri)) : MC_INTERN_NONE;
}

mcred_rc mc_fw_edge(struct mc_fw *f, uint32_t from, uint32_t to, enum mc_skill_rel rel,
                    int flags, bool *dup)
{
    unsigned char key[9];
    uint32_t id;
    bool added = false;
    mcred_rc rc;

    if (dup)
        *dup = false;
    if (rel == MC_SR_NONE || from >= f->nconcepts || to >= f->nconcepts)
        return MCRED_ERR_INVALID;
    if (f->nedges >= MC_SKILL_MAX_ROWS)
        return MCRED_ERR_LIMIT;
    memcpy(key, &from, 4);
    memcpy(key + 4, &to, 4);
    key[8] = (unsigned char)rel;
    rc = mc_intern_add(f->edge_keys, (const char *)key, sizeof(key), &id, &added);
    if (rc)
        return rc;
    if (!added) {
        f->edges[id].flags |= flags;
        if (dup)
            *dup = true;
        else
            f->report.duplicates++;
        return MCRED_OK;
    }
    if (!grow((void **)&f->edges, &f->ecap, f->nedges, sizeof(*f->edges)))
        return MCRED_ERR_NOMEM;
    f->edges[f->nedges].from = from;
    f->edges[f->nedges].to = to;
    f->edges[f->nedges].rel = rel;
    f->edges[f->nedges].flags = flags;
    f->nedges++;
    return MCRED_OK;
}

const struct mc_skill_import *mc_fw_import(struct mc_fw *f)
{
    struct mc_skill_import *im = &f->im;

    memset(im, 0, sizeof(*im));
    im->name = f->name;
    im->version = f->version;
    im->title = f->title;
    im->attribution = f->attribution;
    im->concepts = f->concepts;
    im->nconcepts = f->nconcepts;
    im->labels = f->labels;
    im->nlabels = f->nlabels;
    im->edges = f->edges;
    im->nedges = f->nedges;
    return im;
}

const struct mc_skill_concept_in *mc_fw_concept_at(const struct mc_fw *f, uint32_t index)
{
    return index < f->nconcepts ? &f->concepts[index] : NULL;
}

struct mc_fw_report *mc_fw_report(struct mc_fw *f)
{
    return &f->report;
}

struct mc_fw_file *mc_fw_file(struct mc_fw *f, const char *name)
{
    struct mc_fw_file *file;

    if (f->report.nfiles >= MC_FW_MAX_FILES)
        return NULL;
    file = &f->report.files[f->report.nfiles++];
    memset(file, 0, sizeof(*file));
    mc_strlcpy(file->name, name, sizeof(file->name));
    return file;
}

void mc_fw_skip(struct mc_fw_file *file, size_t line, const char *what, const char *uri)
{
    if (!file)
        return;
    if (file->skipped++ == 0)
        (void)snprintf(file->first_skip, sizeof(file->first_skip), "line %zu: %s '%.160s'",
                       line, what, uri);
}
