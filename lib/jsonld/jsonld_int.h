/* jsonld_int.h - private to lib/jsonld/ context.c and expand.c: active
 * contexts and term definitions, the processed-context cache, and the state
 * of one expansion call.
 *
 * Memory: contexts, term definitions and their strings are never freed one by
 * one. They live in an arena: the call's scratch arena (freed when the call
 * ends), or, for contexts built only from remote context documents, a
 * generation of the shared cache (freed when the cache rotates and no call
 * uses that generation any more). Contexts are immutable once built.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_JSONLD_INT_H
#define MC_JSONLD_INT_H

#include <pthread.h>

#include "internal.h"
#include "jsonld/jsonld.h"
#include "util/buf.h"

#define JLD_MAX_DEPTH 256          /* nested expansion/context-processing frames */
#define JLD_MAX_REMOTE 32          /* distinct remote contexts loaded per call */
#define JLD_DEFAULT_WORK 1000000   /* default opts->max_work */
#define JLD_MAX_PATH (2 * JLD_MAX_DEPTH + 8) /* JSON path segments kept for messages */

/* --- arena --------------------------------------------------------------- */
struct jld_chunk;
struct jld_arena {
    struct jld_chunk *head;  /* owned list of chunks */
    size_t bytes;            /* total allocated */
};

/* --- term definitions and active contexts --------------------------------- */
enum {
    JLD_C_LIST = 1 << 0,
    JLD_C_SET = 1 << 1,
    JLD_C_LANGUAGE = 1 << 2,
    JLD_C_INDEX = 1 << 3,
    JLD_C_ID = 1 << 4,
    JLD_C_TYPE = 1 << 5,
    JLD_C_GRAPH = 1 << 6,
};

enum jld_dir { JLD_DIR_NONE = 0, JLD_DIR_LTR, JLD_DIR_RTL };

#define JLD_KWAL_MAX 8             /* keyword aliases a context lists (jld_ctx.kwal) */

struct jld_term {
    const char *name;       /* the term */
    size_t len;             /* strlen(name) */
    uint32_t hash;          /* of name */
    const char *iri;        /* IRI mapping or keyword; NULL when mapped to null */
    const char *type;       /* type mapping, or NULL */
    const char *lang;       /* language mapping when has_lang (NULL: null) */
    const char *index;      /* index mapping, or NULL */
    const char *nest;       /* nest value, or NULL */
    const cJSON *context;   /* scoped context when has_context (may be a JSON null) */
    const char *ctx_base;   /* base URL for context, or NULL */
    unsigned container;     /* JLD_C_* bits */
    unsigned char dir;      /* direction mapping when has_dir (JLD_DIR_NONE: null) */
    bool has_lang, has_dir, has_context;
    bool prefix;            /* usable as a compact-IRI prefix */
    bool protect;           /* protected */
    bool reverse;           /* reverse property */
    bool ctx_persistent;    /* context lives in a cached remote document */
    /* Facts about iri that expansion asks of every key (derived, set when
     * the definition is complete) */
    bool iri_colon;         /* iri contains ':' */
    bool iri_abs;           /* iri is an absolute IRI */
    unsigned char kw;       /* jld_keyword(iri): enum jld_kw, KW_NO for none */
};

struct jld_ctx {
    const struct jld_term **slot; /* open addressing; NULL empty, jld_tomb removed */
    uint32_t cap;           /* slots, a power of two or 0 */
    uint32_t used;          /* slots not NULL (terms and tombstones) */
    uint32_t n;             /* terms */
    const char *base;       /* base IRI, NULL when none */
    const char *orig_base;  /* original base URL */
    const char *vocab;      /* vocabulary mapping, or NULL */
    const char *lang;       /* default language, or NULL */
    unsigned char dir;      /* default base direction */
    bool json10;            /* processing mode json-ld-1.0 */
    bool persistent;        /* lives in a cache generation */
    bool kwal_full;         /* more aliases than kwal holds: look them up in the table */
    unsigned char nkwal;    /* entries of kwal */
    const struct jld_ctx *prev; /* previous context (non-propagated), or NULL */
    /* The terms that map to a keyword ("id": "@id"), kept by jld_table_put
     * and jld_table_remove: expansion asks of every key whether it is one,
     * and a context has only a few. */
    const struct jld_term *kwal[JLD_KWAL_MAX];
};

extern const struct jld_term jld_tomb;

/* The keywords, as small numbers (0: not a keyword). */
enum jld_kw {
    KW_NO = 0, KW_BASE, KW_CONTAINER, KW_CONTEXT, KW_DIRECTION, KW_GRAPH, KW_ID, KW_IMPORT,
    KW_INCLUDED, KW_INDEX, KW_JSON, KW_LANGUAGE, KW_LIST, KW_NEST, KW_NONE, KW_PREFIX,
    KW_PROPAGATE, KW_PROTECTED, KW_REVERSE, KW_SET, KW_TYPE, KW_VALUE, KW_VERSION, KW_VOCAB,
    KW_COUNT
};
extern const char *const jld_keywords[KW_COUNT]; /* their names; [KW_NO] is NULL */

/* --- transitions (memo) and the shared cache ------------------------------ */
struct jld_memo_ent;
struct jld_memo {
    struct jld_memo_ent **b;  /* owned bucket array (mc_malloc) */
    size_t nb;                /* buckets, a power of two or 0 */
    size_t n;                 /* entries */
};

struct jld_gen;

struct mc_jsonld_cache {
    pthread_mutex_t mu;       /* guards everything below and cur's contents */
    struct jld_gen *cur;      /* generation new contexts go into */
};

/* --- per-call state ------------------------------------------------------- */
struct jld_path {
    const char *key;          /* member name, or NULL for an array index */
    size_t idx;
};

struct jld_remote {           /* remote contexts being or already processed */
    const char *url;
    bool active;              /* still being processed: including it again recurses */
};

struct jld_doc;

struct jld_state {
    const struct mc_jsonld_opts *o;
    struct mc_err *err;
    const char *base;             /* document base URL (opts->base) */
    size_t work, max_work;        /* steps taken, bound */
    unsigned depth;               /* nesting of recursive frames */
    unsigned loads;               /* remote contexts loaded this call */
    struct jld_arena scratch;     /* per-call contexts, terms, strings */
    struct jld_arena pers;        /* candidates for the cache generation */
    bool published;               /* something in pers is referenced by the cache */
    struct mc_jsonld_cache *cache;
    struct jld_gen *gen;          /* referenced generation, or NULL */
    struct jld_memo memo;         /* per-call transitions */
    struct jld_doc *docs;         /* per-call loaded documents */
    struct jld_remote remote[JLD_MAX_REMOTE + 1];
    unsigned nremote;
    const char *in_url;           /* remote context being processed, for messages */
    unsigned npath;               /* pushed; only the first JLD_MAX_PATH are kept */
    struct jld_path path[JLD_MAX_PATH];  /* last: not cleared at the start of a call */
};

/* Flags of jld_process. */
enum {
    JLD_P_OVERRIDE = 1 << 0,    /* override protected */
    JLD_P_NOPROPAGATE = 1 << 1, /* propagate false */
    JLD_P_NOVALIDATE = 1 << 2,  /* validate scoped context false */
};

/* Flags of jld_expand_iri. */
enum {
    JLD_I_DOCREL = 1 << 0,      /* document relative */
    JLD_I_VOCAB = 1 << 1,       /* vocab relative */
};

/* The key of a memoized context processing step. */
struct jld_key {
    uint32_t hash;
    unsigned flags;               /* JLD_P_* that change the result */
    const struct jld_ctx *from;   /* the active context */
    const cJSON *node;            /* the context value, or the remote document */
    const char *url;              /* remote context URL, or NULL */
    const char *base;             /* base URL, or NULL */
};

static inline bool jld_str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return a == b || strcmp(a, b) == 0;
}

/* --- ctxcache.c: memory, term tables, transitions, state ------------------ */
void *jld_alloc(struct jld_arena *a, size_t n);           /* NULL on NOMEM */
char *jld_strndup(struct jld_arena *a, const char *s, size_t n);
uint32_t jld_hash(const char *s, size_t n);
const struct jld_term *jld_term_get(const struct jld_ctx *c, const char *s, size_t len);
/* The term named s (NUL-terminated) when it maps to a keyword, else NULL:
 * what IRI expansion without vocab needs of a term, without a table lookup
 * (expansion asks it of every key, so it is inline). */
static inline const struct jld_term *jld_alias_get(const struct jld_ctx *c, const char *s)
{
    const struct jld_term *t;
    unsigned i;

    if (c->kwal_full) {
        t = jld_term_get(c, s, strlen(s));
        return t && t->iri && t->iri[0] == '@' ? t : NULL;
    }
    for (i = 0; i < c->nkwal; i++) {
        t = c->kwal[i];
        if (t->name[0] == s[0] && (!s[0] || t->name[1] == s[1]) &&
            strncmp(t->name, s, t->len) == 0 && s[t->len] == '\0')
            return t;
    }
    return NULL;
}
/* Define or replace t in c (a context being built, living in a). NOMEM. */
MC_NODISCARD mcred_rc jld_table_put(struct jld_arena *a, struct jld_ctx *c,
                                    const struct jld_term *t);
void jld_table_remove(struct jld_ctx *c, const char *s);
bool jld_has_protected(const struct jld_ctx *c);
/* A copy of src in a (its term table too), or NULL on NOMEM. Counts work. */
struct jld_ctx *jld_ctx_clone(struct jld_state *st, struct jld_arena *a,
                              const struct jld_ctx *src, bool persistent);
/* A new empty context with base IRI and original base URL base. */
struct jld_ctx *jld_ctx_new(struct jld_arena *a, const char *base, bool json10,
                            bool persistent);
/* The arena contexts go into: the call's cache candidates or its scratch. */
struct jld_arena *jld_arena_for(struct jld_state *st, bool persistent);
void jld_key_init(struct jld_key *k, const struct jld_ctx *from, const cJSON *node,
                  const char *url, const char *base, unsigned flags);
/* shared: the key and the contexts it names live in the cache (else the call). */
const struct jld_ctx *jld_transition_find(struct jld_state *st, const struct jld_key *k,
                                          bool shared);
void jld_transition_add(struct jld_state *st, const struct jld_key *k, bool shared,
                        const struct jld_ctx *to);

mcred_rc jld_state_init(struct jld_state *st, const struct mc_jsonld_opts *o, struct mc_err *err);
void jld_state_release(struct jld_state *st);
/* The initial active context for the call (base and processing mode from opts). */
MC_NODISCARD mcred_rc jld_root(struct jld_state *st, const struct jld_ctx **out);
/* Record an error (message plus the JSON path and remote context) and return rc. */
mcred_rc jld_fail(struct jld_state *st, mcred_rc rc, const char *fmt, ...) MC_PRINTF(3, 4);
mcred_rc jld_nomem(struct jld_state *st);
/* Count n steps of work; MCRED_ERR_LIMIT past opts->max_work. */
MC_NODISCARD mcred_rc jld_work(struct jld_state *st, size_t n);

/* --- context.c: the algorithms -------------------------------------------- */
/* Context Processing (§4.1) from expansion: remote contexts empty, validate
 * scoped context true. local_persistent: local lives in a cached remote
 * document (so the result may be cached). Memoized. */
MC_NODISCARD mcred_rc jld_process(struct jld_state *st, const struct jld_ctx *active,
                                  const cJSON *local, const char *base_url,
                                  bool local_persistent, unsigned flags,
                                  const struct jld_ctx **out);
/* IRI Expansion (§4.3) outside context processing. *out is borrowed (from the
 * context, value or buf) or NULL for null; buf may be reset and written. */
MC_NODISCARD mcred_rc jld_expand_iri(struct jld_state *st, const struct jld_ctx *c,
                                     const char *value, unsigned flags, struct mc_buf *buf,
                                     const char **out);
/* A map key expanded (vocab relative), and its term definition (or NULL). */
MC_NODISCARD mcred_rc jld_expand_key(struct jld_state *st, const struct jld_ctx *c,
                                     const char *key, struct mc_buf *buf, const char **out,
                                     const struct jld_term **term);
bool jld_is_keyword(const char *s);
enum jld_kw jld_keyword(const char *s);
bool jld_keyword_form(const char *s);   /* "@" 1*ALPHA */

#endif /* MC_JSONLD_INT_H */
