/* context.c - JSON-LD 1.1 context processing (API §4.1), create term
 * definition (§4.2) and IRI expansion (§4.3). Active contexts, their term
 * tables and the memo of processing steps live in ctxcache.c.
 *
 * Design notes:
 * - An active context is immutable once built. Building one clones the term
 *   table (pointers only) and defines terms in the clone. Term definitions
 *   point into the context documents where they can (term names, scoped
 *   contexts, language tags), so nothing is re-parsed or copied; computed
 *   IRIs are copied into the arena.
 * - Every context processing step from expansion (a context value applied to
 *   an active context) is memoized: key (active context, context value or
 *   remote document, base URL, flags), value the resulting context. Steps that
 *   only involve remote context documents go to the shared cache, the rest to
 *   a per-call table; so a credential whose contexts are all remote pays for
 *   each scoped context once per process, not once per node.
 * - The "defined" map of §4.2 is a hash index over the local context's
 *   entries (with those of its @import), built once per context definition.
 * - Bounds: recursion depth (JLD_MAX_DEPTH), remote contexts loaded per call
 *   and nested (JLD_MAX_REMOTE), and work steps (opts->max_work).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "jsonld/iri.h"
#include "jsonld/jsonld_int.h"

/* --- keywords ------------------------------------------------------------ */

const char *const jld_keywords[KW_COUNT] = {
    NULL, "@base", "@container", "@context", "@direction", "@graph", "@id", "@import",
    "@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix",
    "@propagate", "@protected", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
};

enum jld_kw jld_keyword(const char *s)
{
    /* jld_keywords is sorted: the first index for each second letter b..v */
    static const unsigned char first[21] = {
        KW_BASE, KW_CONTAINER, KW_DIRECTION, 0, 0, KW_GRAPH, 0, KW_ID, KW_JSON, 0,
        KW_LANGUAGE, 0, KW_NEST, 0, KW_PREFIX, 0, KW_REVERSE, KW_SET, KW_TYPE, 0, KW_VALUE,
    };
    unsigned i;

    if (s[0] != '@' || s[1] < 'b' || s[1] > 'v')
        return KW_NO;
    for (i = first[s[1] - 'b']; i && i < KW_COUNT && jld_keywords[i][1] == s[1]; i++) {
        const char *a = s + 2, *b = jld_keywords[i] + 2;

        while (*a && *a == *b) {   /* short strings: a loop costs less than a call */
            a++;
            b++;
        }
        if (*a == *b)
            return (enum jld_kw)i;
    }
    return KW_NO;
}

bool jld_is_keyword(const char *s)
{
    return jld_keyword(s) != KW_NO;
}

bool jld_keyword_form(const char *s)
{
    size_t i;

    if (s[0] != '@' || !s[1])
        return false;
    for (i = 1; s[i]; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    }
    return true;
}

/* --- remote documents ---------------------------------------------------- */

struct jld_doc {
    struct jld_doc *next;
    const char *url;
    const cJSON *doc;
};

static mcred_rc load_doc(struct jld_state *st, const char *url, const cJSON **out)
{
    const struct mc_jsonld_loader *l = st->o->loader;
    struct jld_doc *d;
    struct mc_err lerr;
    mcred_rc rc;

    *out = NULL;
    for (d = st->docs; d; d = d->next) {
        if (strcmp(d->url, url) == 0) {
            *out = d->doc;
            return MCRED_OK;
        }
    }
    if (!l || !l->load)
        return jld_fail(st, MCRED_ERR_INVALID,
                        "loading remote context failed: no document loader for '%.120s'", url);
    if (st->loads >= JLD_MAX_REMOTE)
        return jld_fail(st, MCRED_ERR_LIMIT, "context overflow: more than %d remote contexts",
                        JLD_MAX_REMOTE);
    st->loads++;
    mc_err_clear(&lerr);
    rc = l->load(l->ud, url, out, &lerr);
    if (rc == MCRED_ERR_NOMEM)
        return jld_nomem(st);
    if (rc || !*out)
        return jld_fail(st, MCRED_ERR_INVALID, "loading remote context failed: '%.120s': %s",
                        url, rc ? mc_err_msg(&lerr) : "no document");
    d = jld_alloc(&st->scratch, sizeof(*d));
    if (!d)
        return jld_nomem(st);
    d->url = jld_strndup(&st->scratch, url, strlen(url));
    if (!d->url)
        return jld_nomem(st);
    d->doc = *out;
    d->next = st->docs;
    st->docs = d;
    return MCRED_OK;
}

/* --- the local context being processed: its entries and "defined" --------- */

enum { DEF_NO = 0, DEF_BUSY, DEF_DONE };

struct lentry {
    const char *key;
    size_t len;
    uint32_t hash;
    const cJSON *value;
    unsigned char state;
};

struct lindex {
    struct lentry *e;        /* owned; entries in definition order */
    uint32_t *slot;          /* owned; index + 1 into e, 0 empty */
    size_t n, cap;           /* entries; slots (power of two) */
};

static struct lentry *li_find(const struct lindex *li, const char *s, size_t len)
{
    uint32_t h = jld_hash(s, len);
    size_t i, mask = li->cap - 1;

    if (!li->cap)
        return NULL;
    for (i = h & mask; li->slot[i]; i = (i + 1) & mask) {
        struct lentry *e = &li->e[li->slot[i] - 1];

        if (e->hash == h && e->len == len && memcmp(e->key, s, len) == 0)
            return e;
    }
    return NULL;
}

/* Keys of a context definition that are not term definitions. */
static bool ctx_keyword(const char *k)
{
    static const char *const kw[] = {
        "@base", "@direction", "@import", "@language", "@propagate", "@protected",
        "@version", "@vocab",
    };
    size_t i;

    if (k[0] != '@')
        return false;
    for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
        if (strcmp(k, kw[i]) == 0)
            return true;
    }
    return false;
}

static void li_add_all(struct lindex *li, const cJSON *obj)
{
    const cJSON *m;

    for (m = obj ? obj->child : NULL; m; m = m->next) {
        size_t len, i;
        uint32_t h;

        if (!m->string || ctx_keyword(m->string))
            continue;
        len = strlen(m->string);
        if (li_find(li, m->string, len))
            continue;
        h = jld_hash(m->string, len);
        li->e[li->n] = (struct lentry){ m->string, len, h, m, DEF_NO };
        for (i = h & (li->cap - 1); li->slot[i]; i = (i + 1) & (li->cap - 1))
            ;
        li->slot[i] = (uint32_t)++li->n;
    }
}

static mcred_rc li_build(struct lindex *li, const cJSON *obj, const cJSON *imp)
{
    size_t n = (size_t)cJSON_GetArraySize(obj) + (imp ? (size_t)cJSON_GetArraySize(imp) : 0);

    memset(li, 0, sizeof(*li));
    li->cap = 8;
    while (li->cap < n * 2)
        li->cap *= 2;
    li->e = mc_allocarray(n ? n : 1, sizeof(*li->e));
    li->slot = mc_calloc(li->cap, sizeof(*li->slot));
    if (!li->e || !li->slot)
        return MCRED_ERR_NOMEM;
    li_add_all(li, obj);
    li_add_all(li, imp);
    return MCRED_OK;
}

static void li_release(struct lindex *li)
{
    mc_free(li->e);
    mc_free(li->slot);
}

/* Everything create-term-definition needs besides the term. */
struct tdef {
    struct jld_state *st;
    struct jld_ctx *r;            /* the context being built */
    struct jld_arena *a;          /* where r lives */
    struct lindex *li;            /* the local context and "defined" */
    const char *base_url;         /* for scoped contexts */
    bool protect;                 /* @protected of the local context */
    unsigned flags;               /* JLD_P_OVERRIDE, JLD_P_NOVALIDATE */
    bool persistent;              /* r and the local context are cached */
};

static mcred_rc create_term(struct tdef *td, struct lentry *e);
static mcred_rc process_list(struct jld_state *st, const struct jld_ctx *active,
                             const cJSON *local, const char *base_url, bool lpers,
                             unsigned flags, const struct jld_ctx **out);

static const struct jld_term *term_get(const struct jld_ctx *c, const char *s)
{
    return jld_term_get(c, s, strlen(s));
}

/* --- IRI expansion (§4.3) ------------------------------------------------- */

/* With td (context processing), terms of the local context that value or
 * its prefix names are defined first. */
static mcred_rc expand_iri_t(struct tdef *td, struct jld_state *st, const struct jld_ctx *c,
                             const char *v, unsigned flags, struct mc_buf *buf, const char **out,
                             const struct jld_term **tout)
{
    const struct jld_term *t;
    struct lentry *e;
    const char *colon;
    size_t len;
    mcred_rc rc;

    *out = NULL;
    if (v[0] == '@') {
        if (jld_is_keyword(v))
            *out = v;
        if (jld_keyword_form(v) || *out)
            return MCRED_OK;
    }
    len = strlen(v);
    if (td) {
        e = li_find(td->li, v, len);
        if (e && e->state != DEF_DONE) {
            rc = create_term(td, e);
            if (rc)
                return rc;
        }
    }
    /* without vocab only a keyword alias matters (§4.3 step 4): the
     * context's short list of them answers without hashing the value */
    t = (flags & JLD_I_VOCAB) || td ? jld_term_get(c, v, len) : jld_alias_get(c, v);
    if (tout)
        *tout = t;
    if (t && t->iri && t->iri[0] == '@') {
        *out = t->iri;
        return MCRED_OK;
    }
    if ((flags & JLD_I_VOCAB) && t) {
        *out = t->iri;
        return MCRED_OK;
    }
    colon = len > 1 ? memchr(v + 1, ':', len - 1) : NULL;
    if (colon) {
        size_t plen = (size_t)(colon - v);

        if ((plen == 1 && v[0] == '_') || (colon[1] == '/' && colon[2] == '/')) {
            *out = v;
            return MCRED_OK;
        }
        if (td) {
            e = li_find(td->li, v, plen);
            if (e && e->state != DEF_DONE) {
                rc = create_term(td, e);
                if (rc)
                    return rc;
            }
        }
        t = jld_term_get(c, v, plen);
        if (t && t->iri && t->prefix) {
            mc_buf_reset(buf);
            if (mc_buf_appends(buf, t->iri) || mc_buf_appends(buf, colon + 1))
                return jld_nomem(st);
            *out = buf->ptr;
            return MCRED_OK;
        }
        if (mc_iri_is_absolute(v)) {
            *out = v;
            return MCRED_OK;
        }
    }
    if ((flags & JLD_I_VOCAB) && c->vocab) {
        mc_buf_reset(buf);
        if (mc_buf_appends(buf, c->vocab) || mc_buf_appends(buf, v))
            return jld_nomem(st);
        *out = buf->ptr;
    } else if ((flags & JLD_I_DOCREL) && c->base) {
        mc_buf_reset(buf);
        rc = mc_iri_resolve_buf(c->base, v, buf);
        if (rc)
            return rc == MCRED_ERR_NOMEM ? jld_nomem(st)
                                         : jld_fail(st, rc, "IRI '%.80s' too long", v);
        *out = buf->ptr;
    } else {
        *out = v;
    }
    return MCRED_OK;
}

static mcred_rc expand_iri(struct tdef *td, struct jld_state *st, const struct jld_ctx *c,
                           const char *v, unsigned flags, struct mc_buf *buf, const char **out)
{
    return expand_iri_t(td, st, c, v, flags, buf, out, NULL);
}

mcred_rc jld_expand_iri(struct jld_state *st, const struct jld_ctx *c, const char *value,
                        unsigned flags, struct mc_buf *buf, const char **out)
{
    return expand_iri_t(NULL, st, c, value, flags, buf, out, NULL);
}

mcred_rc jld_expand_key(struct jld_state *st, const struct jld_ctx *c, const char *key,
                        struct mc_buf *buf, const char **out, const struct jld_term **term)
{
    *term = NULL;
    return expand_iri_t(NULL, st, c, key, JLD_I_VOCAB, buf, out, term);
}

/* --- create term definition (§4.2) ---------------------------------------- */

static bool is_iri_or_bnode(const char *s)
{
    return s && ((s[0] == '_' && s[1] == ':') || mc_iri_is_absolute(s));
}

static bool gen_delim(char c)
{
    return c && strchr(":/?#[]@", c) != NULL;
}

/* A colon anywhere but first or last (§4.2 step 15.4). */
static bool inner_colon(const char *s)
{
    size_t n = strlen(s);

    return n > 2 && memchr(s + 1, ':', n - 2) != NULL;
}

static const char *tstrdup(struct tdef *td, const char *s)
{
    if (!s)
        return NULL;
    return jld_strndup(td->a, s, strlen(s));
}

static mcred_rc tfail(struct tdef *td, const char *code, const char *term, const char *what)
{
    return jld_fail(td->st, MCRED_ERR_INVALID, "%s: term '%.60s'%s%s", code, term,
                    what[0] ? ": " : "", what);
}

/* Parse @container into JLD_C_* bits (§4.2 step 19). */
static mcred_rc parse_container(struct tdef *td, const char *term, const cJSON *v,
                                unsigned *bits)
{
    static const struct { const char *kw; unsigned bit; } map[] = {
        { "@list", JLD_C_LIST }, { "@set", JLD_C_SET }, { "@language", JLD_C_LANGUAGE },
        { "@index", JLD_C_INDEX }, { "@id", JLD_C_ID }, { "@type", JLD_C_TYPE },
        { "@graph", JLD_C_GRAPH },
    };
    const cJSON *it;
    unsigned b = 0, k, rest;
    size_t i;
    bool found;

    *bits = 0;
    if (cJSON_IsNull(v))
        return MCRED_OK;
    if (!cJSON_IsString(v) && !cJSON_IsArray(v))
        return tfail(td, "invalid container mapping", term, "not a string or array");
    if (cJSON_IsArray(v) && td->r->json10)
        return tfail(td, "invalid container mapping", term, "array in json-ld-1.0 mode");
    for (it = cJSON_IsArray(v) ? v->child : v; it; it = cJSON_IsArray(v) ? it->next : NULL) {
        if (!cJSON_IsString(it))
            return tfail(td, "invalid container mapping", term, "not a keyword");
        found = false;
        for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
            if (strcmp(it->valuestring, map[i].kw) == 0) {
                if (b & map[i].bit)
                    return tfail(td, "invalid container mapping", term, "repeated keyword");
                b |= map[i].bit;
                found = true;
            }
        }
        if (!found)
            return tfail(td, "invalid container mapping", term, it->valuestring);
    }
    if (td->r->json10 && (b & (JLD_C_GRAPH | JLD_C_ID | JLD_C_TYPE)))
        return tfail(td, "invalid container mapping", term, "not in json-ld-1.0 mode");
    rest = b & ~JLD_C_SET;
    k = 0;
    for (i = 0; i < 7; i++)
        k += (rest >> i) & 1;
    if (b & JLD_C_LIST) {
        if (b != JLD_C_LIST)
            return tfail(td, "invalid container mapping", term, "@list with others");
    } else if (rest & JLD_C_GRAPH) {
        if (rest != JLD_C_GRAPH && rest != (JLD_C_GRAPH | JLD_C_ID) &&
            rest != (JLD_C_GRAPH | JLD_C_INDEX))
            return tfail(td, "invalid container mapping", term, "bad @graph combination");
    } else if (k > 1) {
        return tfail(td, "invalid container mapping", term, "bad combination");
    }
    *bits = b;
    return MCRED_OK;
}

static bool json_eq(const cJSON *a, const cJSON *b)
{
    if (a == b)
        return true;
    if (!a || !b)
        return false;
    return cJSON_Compare(a, b, true) != 0;
}

/* Equal apart from the protected flag (§4.2 step 27). */
static bool same_def(const struct jld_term *a, const struct jld_term *b)
{
    return jld_str_eq(a->iri, b->iri) && a->prefix == b->prefix && a->reverse == b->reverse &&
           jld_str_eq(a->type, b->type) && a->container == b->container &&
           a->has_lang == b->has_lang && (!a->has_lang || jld_str_eq(a->lang, b->lang)) &&
           a->has_dir == b->has_dir && (!a->has_dir || a->dir == b->dir) &&
           jld_str_eq(a->index, b->index) && jld_str_eq(a->nest, b->nest) &&
           a->has_context == b->has_context && (!a->has_context || json_eq(a->context, b->context));
}

static const char *const term_keys[] = {
    "@id", "@reverse", "@container", "@context", "@direction", "@index", "@language",
    "@nest", "@prefix", "@protected", "@type",
};

static bool allowed_key(const char *k)
{
    size_t i;

    for (i = 0; i < sizeof(term_keys) / sizeof(term_keys[0]); i++) {
        if (strcmp(k, term_keys[i]) == 0)
            return true;
    }
    return false;
}

/* The @type entry of a term definition. */
static mcred_rc def_type(struct tdef *td, const char *term, const cJSON *v,
                         struct jld_term *d, struct mc_buf *buf)
{
    const char *ty;
    mcred_rc rc;

    if (!cJSON_IsString(v))
        return tfail(td, "invalid type mapping", term, "@type is not a string");
    rc = expand_iri(td, td->st, td->r, v->valuestring, JLD_I_VOCAB, buf, &ty);
    if (rc)
        return rc;
    if (ty && td->r->json10 && (!strcmp(ty, "@json") || !strcmp(ty, "@none")))
        return tfail(td, "invalid type mapping", term, ty);
    if (!ty || (strcmp(ty, "@id") != 0 && strcmp(ty, "@json") != 0 &&
                strcmp(ty, "@none") != 0 && strcmp(ty, "@vocab") != 0 && !mc_iri_is_absolute(ty)))
        return tfail(td, "invalid type mapping", term, v->valuestring);
    d->type = tstrdup(td, ty);
    return d->type ? MCRED_OK : jld_nomem(td->st);
}

/* @reverse (§4.2 step 14). *skip: the value has the form of a keyword. */
static mcred_rc def_reverse(struct tdef *td, const char *term, const cJSON *value,
                            struct jld_term *d, struct mc_buf *buf, bool *skip)
{
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(value, "@reverse");
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(value, "@container");
    const char *iri;
    mcred_rc rc;

    if (cJSON_GetObjectItemCaseSensitive(value, "@id") ||
        cJSON_GetObjectItemCaseSensitive(value, "@nest"))
        return tfail(td, "invalid reverse property", term, "@reverse with @id or @nest");
    if (!cJSON_IsString(rv))
        return tfail(td, "invalid IRI mapping", term, "@reverse is not a string");
    if (jld_keyword_form(rv->valuestring)) {
        *skip = true;
        return MCRED_OK;
    }
    rc = expand_iri(td, td->st, td->r, rv->valuestring, JLD_I_VOCAB, buf, &iri);
    if (rc)
        return rc;
    if (!is_iri_or_bnode(iri))
        return tfail(td, "invalid IRI mapping", term, rv->valuestring);
    d->iri = tstrdup(td, iri);
    if (!d->iri)
        return jld_nomem(td->st);
    if (cv) {
        if (!cJSON_IsNull(cv) &&
            !(cJSON_IsString(cv) && (!strcmp(cv->valuestring, "@set") ||
                                     !strcmp(cv->valuestring, "@index"))))
            return tfail(td, "invalid reverse property", term, "container not @set or @index");
        d->container = cJSON_IsNull(cv) ? 0 : !strcmp(cv->valuestring, "@set") ? JLD_C_SET
                                                                            : JLD_C_INDEX;
    }
    d->reverse = true;
    return MCRED_OK;
}

/* @id, compact IRI, relative IRI or @vocab: the IRI mapping (§4.2 steps
 * 15-18). *skip: @id has the form of a keyword. */
static mcred_rc def_iri(struct tdef *td, struct lentry *e, const cJSON *idv, bool simple,
                        struct jld_term *d, struct mc_buf *buf, bool *skip)
{
    const char *term = e->key, *iri, *colon;
    struct jld_state *st = td->st;
    mcred_rc rc;

    if (idv && !(cJSON_IsString(idv) && strcmp(idv->valuestring, term) == 0)) {
        if (cJSON_IsNull(idv))
            return MCRED_OK;
        if (!cJSON_IsString(idv))
            return tfail(td, "invalid IRI mapping", term, "@id is not a string");
        if (!jld_is_keyword(idv->valuestring) && jld_keyword_form(idv->valuestring)) {
            *skip = true;
            return MCRED_OK;
        }
        rc = expand_iri(td, st, td->r, idv->valuestring, JLD_I_VOCAB, buf, &iri);
        if (rc)
            return rc;
        if (!iri || (!jld_is_keyword(iri) && !is_iri_or_bnode(iri)))
            return tfail(td, "invalid IRI mapping", term, idv->valuestring);
        if (strcmp(iri, "@context") == 0)
            return tfail(td, "invalid keyword alias", term, "@context");
        d->iri = tstrdup(td, iri);
        if (!d->iri)
            return jld_nomem(st);
        if (inner_colon(term) || strchr(term, '/')) {
            struct mc_buf b2;
            const char *again;
            bool same;

            e->state = DEF_DONE;
            mc_buf_init(&b2, 0);
            rc = expand_iri(td, st, td->r, term, JLD_I_VOCAB, &b2, &again);
            same = !rc && jld_str_eq(again, d->iri);
            mc_buf_release(&b2);
            if (rc)
                return rc;
            if (!same)
                return tfail(td, "invalid IRI mapping", term, "does not expand to its @id");
        }
        if (!strchr(term, ':') && !strchr(term, '/') && simple &&
            ((d->iri[0] == '_' && d->iri[1] == ':') || gen_delim(d->iri[strlen(d->iri) - 1])))
            d->prefix = true;
        return MCRED_OK;
    }
    colon = term[0] ? strchr(term + 1, ':') : NULL;
    if (colon) {
        size_t plen = (size_t)(colon - term);
        struct lentry *pe = li_find(td->li, term, plen);
        const struct jld_term *pt;

        if (pe && pe->state != DEF_DONE) {
            rc = create_term(td, pe);
            if (rc)
                return rc;
        }
        pt = jld_term_get(td->r, term, plen);
        if (pt && pt->iri) {
            mc_buf_reset(buf);
            if (mc_buf_appends(buf, pt->iri) || mc_buf_appends(buf, colon + 1))
                return jld_nomem(st);
            d->iri = tstrdup(td, buf->ptr);
        } else {
            d->iri = term;
        }
    } else if (strchr(term, '/')) {
        rc = expand_iri(NULL, st, td->r, term, JLD_I_VOCAB, buf, &iri);
        if (rc)
            return rc;
        if (!mc_iri_is_absolute(iri))
            return tfail(td, "invalid IRI mapping", term, "relative IRI");
        d->iri = tstrdup(td, iri);
    } else if (strcmp(term, "@type") == 0) {
        d->iri = "@type";
    } else if (td->r->vocab) {
        mc_buf_reset(buf);
        if (mc_buf_appends(buf, td->r->vocab) || mc_buf_appends(buf, term))
            return jld_nomem(st);
        d->iri = tstrdup(td, buf->ptr);
    } else {
        return tfail(td, "invalid IRI mapping", term, "no @id and no @vocab");
    }
    return d->iri ? MCRED_OK : jld_nomem(st);
}

/* @context of a term: validated now (§4.2 step 21), applied during expansion. */
static mcred_rc def_context(struct tdef *td, const char *term, const cJSON *cv,
                            struct jld_term *d)
{
    struct jld_state *st = td->st;
    const struct jld_ctx *ignored;
    unsigned saved = st->nremote;
    mcred_rc rc;

    if (td->r->json10)
        return tfail(td, "invalid term definition", term, "@context in json-ld-1.0 mode");
    rc = process_list(st, td->r, cv, td->base_url, td->persistent,
                      JLD_P_OVERRIDE | JLD_P_NOVALIDATE, &ignored);
    st->nremote = saved;
    if (rc == MCRED_ERR_INVALID && st->err && !strstr(st->err->msg, "invalid scoped context")) {
        char inner[MC_ERRMSG_MAX];

        memcpy(inner, st->err->msg, sizeof(inner));
        mc_err_set(st->err, rc, "invalid scoped context: term '%.40s': %.240s", term, inner);
    }
    if (rc)
        return rc;
    d->context = cv;
    d->has_context = true;
    d->ctx_base = td->base_url;
    d->ctx_persistent = td->persistent;
    return MCRED_OK;
}

/* The entries after the IRI mapping (§4.2 steps 19-26). */
static mcred_rc def_rest(struct tdef *td, const char *term, const cJSON *value,
                         struct jld_term *d, struct mc_buf *buf)
{
    struct jld_state *st = td->st;
    bool json10 = td->r->json10;
    const cJSON *v, *ty = cJSON_GetObjectItemCaseSensitive(value, "@type");
    const char *iri;
    mcred_rc rc;

    v = cJSON_GetObjectItemCaseSensitive(value, "@container");
    if (v && !d->reverse) {
        rc = parse_container(td, term, v, &d->container);
        if (rc)
            return rc;
        if (d->container & JLD_C_TYPE) {
            if (!d->type)
                d->type = "@id";
            if (strcmp(d->type, "@id") != 0 && strcmp(d->type, "@vocab") != 0)
                return tfail(td, "invalid type mapping", term, "type map needs @id or @vocab");
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(value, "@index");
    if (v) {
        if (json10 || !(d->container & JLD_C_INDEX) || !cJSON_IsString(v))
            return tfail(td, "invalid term definition", term, "misplaced @index");
        rc = expand_iri(td, st, td->r, v->valuestring, JLD_I_VOCAB, buf, &iri);
        if (rc)
            return rc;
        if (!mc_iri_is_absolute(iri))
            return tfail(td, "invalid term definition", term, "@index is not an IRI");
        d->index = v->valuestring;
    }
    v = cJSON_GetObjectItemCaseSensitive(value, "@context");
    if (v) {
        rc = def_context(td, term, v, d);
        if (rc)
            return rc;
    }
    v = cJSON_GetObjectItemCaseSensitive(value, "@language");
    if (v && !ty) {
        if (!cJSON_IsNull(v) && !cJSON_IsString(v))
            return tfail(td, "invalid language mapping", term, "not a string or null");
        d->has_lang = true;
        d->lang = cJSON_IsString(v) ? v->valuestring : NULL;
    }
    v = cJSON_GetObjectItemCaseSensitive(value, "@direction");
    if (v && !ty) {
        if (cJSON_IsNull(v))
            d->dir = JLD_DIR_NONE;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "ltr"))
            d->dir = JLD_DIR_LTR;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "rtl"))
            d->dir = JLD_DIR_RTL;
        else
            return tfail(td, "invalid base direction", term, "not ltr, rtl or null");
        d->has_dir = true;
    }
    v = cJSON_GetObjectItemCaseSensitive(value, "@nest");
    if (v) {
        if (json10)
            return tfail(td, "invalid term definition", term, "@nest in json-ld-1.0 mode");
        if (!cJSON_IsString(v) ||
            (jld_is_keyword(v->valuestring) && strcmp(v->valuestring, "@nest") != 0))
            return tfail(td, "invalid @nest value", term, "not a string or @nest");
        d->nest = v->valuestring;
    }
    v = cJSON_GetObjectItemCaseSensitive(value, "@prefix");
    if (v) {
        if (json10 || strchr(term, ':') || strchr(term, '/'))
            return tfail(td, "invalid term definition", term, "misplaced @prefix");
        if (!cJSON_IsBool(v))
            return tfail(td, "invalid @prefix value", term, "not a boolean");
        d->prefix = cJSON_IsTrue(v);
        if (d->prefix && d->iri && jld_is_keyword(d->iri))
            return tfail(td, "invalid term definition", term, "keyword used as prefix");
    }
    for (v = value->child; v; v = v->next) {
        if (!allowed_key(v->string))
            return tfail(td, "invalid term definition", term, v->string);
    }
    return MCRED_OK;
}

/* The @type keyword may only get @container @set and @protected (§4.2 step 4). */
static mcred_rc check_type_term(struct tdef *td, const cJSON *value)
{
    const cJSON *m;

    if (td->r->json10)
        return tfail(td, "keyword redefinition", "@type", "in json-ld-1.0 mode");
    if (!cJSON_IsObject(value) || !value->child)
        return tfail(td, "keyword redefinition", "@type", "not a map");
    for (m = value->child; m; m = m->next) {
        if (!m->string)
            return tfail(td, "keyword redefinition", "@type", "a member without a name");
        if (!strcmp(m->string, "@container") && cJSON_IsString(m) &&
            !strcmp(m->valuestring, "@set"))
            continue;
        if (!strcmp(m->string, "@protected"))
            continue;
        return tfail(td, "keyword redefinition", "@type", m->string);
    }
    return MCRED_OK;
}

static mcred_rc create_term_body(struct tdef *td, struct lentry *e, struct mc_buf *buf)
{
    struct jld_state *st = td->st;
    const char *term = e->key;
    const cJSON *value = e->value, *pv;
    const struct jld_term *prev;
    struct jld_term *d;
    bool skip = false;
    mcred_rc rc;

    if (!strcmp(term, "@type")) {
        rc = check_type_term(td, value);
        if (rc)
            return rc;
    } else if (jld_is_keyword(term)) {
        return tfail(td, "keyword redefinition", term, "keywords cannot be redefined");
    } else if (jld_keyword_form(term)) {
        return MCRED_OK;  /* reserved for future keywords: ignored */
    }
    prev = term_get(td->r, term);
    jld_table_remove(td->r, term);
    if (!cJSON_IsString(value) && !cJSON_IsNull(value) && !cJSON_IsObject(value))
        return tfail(td, "invalid term definition", term, "not a string, map or null");
    for (pv = cJSON_IsObject(value) ? value->child : NULL; pv; pv = pv->next) {
        if (!pv->string)
            return tfail(td, "invalid term definition", term, "a member without a name");
    }
    d = jld_alloc(td->a, sizeof(*d));
    if (!d)
        return jld_nomem(st);
    memset(d, 0, sizeof(*d));
    d->name = term;
    d->len = e->len;
    d->hash = e->hash;
    d->protect = td->protect;
    if (cJSON_IsString(value)) {
        rc = def_iri(td, e, value, true, d, buf, &skip);
        if (rc || skip)
            return rc;
    } else if (cJSON_IsObject(value)) {
        pv = cJSON_GetObjectItemCaseSensitive(value, "@protected");
        if (pv) {
            if (td->r->json10)
                return tfail(td, "invalid term definition", term, "@protected in json-ld-1.0");
            if (!cJSON_IsBool(pv))
                return tfail(td, "invalid @protected value", term, "not a boolean");
            d->protect = cJSON_IsTrue(pv);
        }
        pv = cJSON_GetObjectItemCaseSensitive(value, "@type");
        if (pv) {
            rc = def_type(td, term, pv, d, buf);
            if (rc)
                return rc;
        }
        if (cJSON_GetObjectItemCaseSensitive(value, "@reverse"))
            rc = def_reverse(td, term, value, d, buf, &skip);
        else
            rc = def_iri(td, e, cJSON_GetObjectItemCaseSensitive(value, "@id"), false, d, buf,
                         &skip);
        if (rc || skip)
            return rc;
        rc = def_rest(td, term, value, d, buf);
        if (rc)
            return rc;
    } else {
        /* null: {"@id": null}, kept to detect redefinitions */
        rc = def_iri(td, e, value, false, d, buf, &skip);
        if (rc)
            return rc;
    }
    d->iri_colon = d->iri && strchr(d->iri, ':');
    d->iri_abs = d->iri && mc_iri_is_absolute(d->iri);
    d->kw = d->iri ? (unsigned char)jld_keyword(d->iri) : KW_NO;
    if (!(td->flags & JLD_P_OVERRIDE) && prev && prev->protect) {
        if (!same_def(d, prev))
            return tfail(td, "protected term redefinition", term, "");
        rc = jld_table_put(td->a, td->r, prev);
        return rc ? jld_nomem(st) : MCRED_OK;
    }
    rc = jld_table_put(td->a, td->r, d);
    return rc ? jld_nomem(st) : MCRED_OK;
}

static mcred_rc create_term(struct tdef *td, struct lentry *e)
{
    struct jld_state *st = td->st;
    struct mc_buf buf;
    mcred_rc rc;

    if (e->state == DEF_DONE)
        return MCRED_OK;
    if (e->state == DEF_BUSY)
        return tfail(td, "cyclic IRI mapping", e->key, "defined in terms of itself");
    if (!e->key[0])
        return tfail(td, "invalid term definition", "", "empty term");
    e->state = DEF_BUSY;
    if (st->depth >= JLD_MAX_DEPTH)
        return jld_fail(st, MCRED_ERR_LIMIT, "term definitions nested deeper than %d levels",
                        JLD_MAX_DEPTH);
    rc = jld_work(st, 1);
    if (rc)
        return rc;
    st->depth++;
    mc_buf_init(&buf, 0);
    rc = create_term_body(td, e, &buf);
    mc_buf_release(&buf);
    st->depth--;
    if (!rc)
        e->state = DEF_DONE;
    return rc;
}

/* --- context processing (§4.1) -------------------------------------------- */

/* An entry of the context definition, or of its @import context. */
static const cJSON *entry(const cJSON *obj, const cJSON *imp, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return v || !imp ? v : cJSON_GetObjectItemCaseSensitive(imp, key);
}

static mcred_rc resolve_url(struct jld_state *st, const char *base_url, const char *ref,
                            struct mc_buf *out)
{
    mcred_rc rc;

    mc_buf_reset(out);
    if (!mc_iri_is_absolute(ref) && !(base_url && mc_iri_is_absolute(base_url)))
        return jld_fail(st, MCRED_ERR_INVALID,
                        "loading document failed: relative context reference '%.80s' without a "
                        "base", ref);
    rc = mc_iri_resolve_buf(base_url, ref, out);
    if (rc)
        return rc == MCRED_ERR_NOMEM ? jld_nomem(st) : jld_fail(st, rc, "context URL too long");
    return MCRED_OK;
}

/* @import (§4.1 step 5.6): the context definition it names. */
static mcred_rc load_import(struct jld_state *st, const struct jld_ctx *r, const cJSON *v,
                            const char *base_url, const cJSON **imp)
{
    struct mc_buf ub;
    const cJSON *doc = NULL, *c;
    mcred_rc rc;

    *imp = NULL;
    if (r->json10)
        return jld_fail(st, MCRED_ERR_INVALID, "invalid context entry: @import in json-ld-1.0");
    if (!cJSON_IsString(v))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @import value: not a string");
    mc_buf_init(&ub, 0);
    rc = resolve_url(st, base_url, v->valuestring, &ub);
    if (!rc)
        rc = load_doc(st, ub.ptr, &doc);
    if (!rc) {
        c = cJSON_GetObjectItemCaseSensitive(doc, "@context");
        if (!cJSON_IsObject(doc) || !cJSON_IsObject(c))
            rc = jld_fail(st, MCRED_ERR_INVALID,
                          "invalid remote context: '%.120s' has no @context map", ub.ptr);
        else if (cJSON_GetObjectItemCaseSensitive(c, "@import"))
            rc = jld_fail(st, MCRED_ERR_INVALID,
                          "invalid context entry: imported context '%.120s' has @import",
                          ub.ptr);
        else
            *imp = c;
    }
    mc_buf_release(&ub);
    return rc;
}

static mcred_rc set_base(struct jld_state *st, struct jld_arena *a, struct jld_ctx *r,
                         const cJSON *v)
{
    struct mc_buf b;
    mcred_rc rc;

    if (cJSON_IsNull(v)) {
        r->base = NULL;
        return MCRED_OK;
    }
    if (!cJSON_IsString(v))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid base IRI: @base is not a string");
    if (mc_iri_is_absolute(v->valuestring)) {
        r->base = v->valuestring;
        return MCRED_OK;
    }
    if (!r->base)
        return jld_fail(st, MCRED_ERR_INVALID,
                        "invalid base IRI: relative @base '%.80s' without a base IRI",
                        v->valuestring);
    mc_buf_init(&b, 0);
    rc = mc_iri_resolve_buf(r->base, v->valuestring, &b);
    if (!rc) {
        r->base = jld_strndup(a, b.ptr, b.len);
        rc = r->base ? MCRED_OK : MCRED_ERR_NOMEM;
    }
    mc_buf_release(&b);
    return rc ? jld_nomem(st) : MCRED_OK;
}

static mcred_rc set_vocab(struct jld_state *st, struct jld_arena *a, struct jld_ctx *r,
                          const cJSON *v)
{
    struct mc_buf b;
    const char *iri;
    mcred_rc rc;

    if (cJSON_IsNull(v)) {
        r->vocab = NULL;
        return MCRED_OK;
    }
    if (!cJSON_IsString(v))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid vocab mapping: @vocab is not a string");
    if (r->json10 && !is_iri_or_bnode(v->valuestring))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid vocab mapping: relative '%.80s'",
                        v->valuestring);
    mc_buf_init(&b, 0);
    rc = expand_iri(NULL, st, r, v->valuestring, JLD_I_VOCAB | JLD_I_DOCREL, &b, &iri);
    if (!rc && iri && !jld_is_keyword(iri)) {
        r->vocab = iri == v->valuestring ? iri : jld_strndup(a, iri, strlen(iri));
        if (!r->vocab)
            rc = jld_nomem(st);
    } else if (!rc) {
        rc = jld_fail(st, MCRED_ERR_INVALID, "invalid vocab mapping: '%.80s'", v->valuestring);
    }
    mc_buf_release(&b);
    return rc;
}

/* @base, @vocab, @language, @direction, @propagate, @protected (§4.1 5.7-5.12). */
static mcred_rc ctx_settings(struct jld_state *st, struct jld_arena *a, struct jld_ctx *r,
                             const cJSON *obj, const cJSON *imp)
{
    const cJSON *v;
    mcred_rc rc;

    v = entry(obj, imp, "@base");
    if (v && !st->in_url) {
        rc = set_base(st, a, r, v);
        if (rc)
            return rc;
    }
    v = entry(obj, imp, "@vocab");
    if (v) {
        rc = set_vocab(st, a, r, v);
        if (rc)
            return rc;
    }
    v = entry(obj, imp, "@language");
    if (v) {
        if (!cJSON_IsNull(v) && !cJSON_IsString(v))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid default language: not a string");
        r->lang = cJSON_IsString(v) ? v->valuestring : NULL;
    }
    v = entry(obj, imp, "@direction");
    if (v) {
        if (r->json10)
            return jld_fail(st, MCRED_ERR_INVALID, "invalid context entry: @direction in 1.0");
        if (cJSON_IsNull(v))
            r->dir = JLD_DIR_NONE;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "ltr"))
            r->dir = JLD_DIR_LTR;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "rtl"))
            r->dir = JLD_DIR_RTL;
        else
            return jld_fail(st, MCRED_ERR_INVALID, "invalid base direction: not ltr or rtl");
    }
    v = entry(obj, imp, "@propagate");
    if (v) {
        if (r->json10)
            return jld_fail(st, MCRED_ERR_INVALID, "invalid context entry: @propagate in 1.0");
        if (!cJSON_IsBool(v))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid @propagate value: not a boolean");
    }
    v = entry(obj, imp, "@protected");
    if (v && !cJSON_IsBool(v))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @protected value: not a boolean");
    return MCRED_OK;
}

/* A context definition (a map) applied to active (§4.1 steps 5.5-5.13). */
static mcred_rc process_map(struct jld_state *st, const struct jld_ctx *active,
                            const cJSON *obj, const char *base_url, bool lpers, unsigned flags,
                            const struct jld_ctx **out)
{
    bool persistent = active->persistent && lpers && st->gen;
    struct jld_arena *a = jld_arena_for(st, persistent);
    const cJSON *imp = NULL, *v;
    struct jld_ctx *r;
    struct lindex li;
    struct tdef td;
    size_t i;
    mcred_rc rc;

    r = jld_ctx_clone(st, a, active, persistent);
    if (!r)
        return jld_nomem(st);
    v = cJSON_GetObjectItemCaseSensitive(obj, "@version");
    if (v) {
        if (!cJSON_IsNumber(v) || (v->valuedouble != 1.1 && v->valuedouble != 1.2))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid @version value: not 1.1");
        if (r->json10)
            return jld_fail(st, MCRED_ERR_INVALID,
                            "processing mode conflict: @version 1.1 in json-ld-1.0 mode");
    }
    v = cJSON_GetObjectItemCaseSensitive(obj, "@import");
    if (v) {
        rc = load_import(st, r, v, base_url, &imp);
        if (rc)
            return rc;
    }
    rc = ctx_settings(st, a, r, obj, imp);
    if (rc)
        return rc;
    if (li_build(&li, obj, imp)) {
        li_release(&li);
        return jld_nomem(st);
    }
    v = entry(obj, imp, "@protected");
    td = (struct tdef){ st, r, a, &li, base_url, cJSON_IsTrue(v),
                        flags & (JLD_P_OVERRIDE | JLD_P_NOVALIDATE), persistent };
    for (i = 0; i < li.n && !rc; i++)
        rc = create_term(&td, &li.e[i]);
    li_release(&li);
    if (!rc)
        *out = r;
    return rc;
}

/* A remote context reference (§4.1 step 5.2). */
static mcred_rc process_remote(struct jld_state *st, const struct jld_ctx *result,
                               const char *ref, const char *base_url, unsigned flags,
                               const struct jld_ctx **out)
{
    bool shared = result->persistent && st->gen;
    const char *url, *saved = st->in_url;
    const cJSON *doc = NULL, *lc;
    struct jld_key k;
    struct mc_buf ub;
    unsigned i, me;
    mcred_rc rc;

    *out = result;
    mc_buf_init(&ub, 0);
    rc = resolve_url(st, base_url, ref, &ub);
    if (rc)
        goto out;
    for (i = 0; i < st->nremote; i++) {
        if (strcmp(st->remote[i].url, ub.ptr) != 0)
            continue;
        if (flags & JLD_P_NOVALIDATE)
            goto out;
        if (st->remote[i].active) {
            rc = jld_fail(st, MCRED_ERR_INVALID, "recursive context inclusion: '%.120s'",
                          ub.ptr);
            goto out;
        }
    }
    if (st->nremote >= JLD_MAX_REMOTE) {
        rc = jld_fail(st, MCRED_ERR_LIMIT, "context overflow: more than %d remote contexts",
                      JLD_MAX_REMOTE);
        goto out;
    }
    /* the loader is asked every time (it may pick revisions per call and
     * record what it was asked for); the document it returns is the key */
    rc = load_doc(st, ub.ptr, &doc);
    if (rc)
        goto out;
    lc = cJSON_GetObjectItemCaseSensitive(doc, "@context");
    if (!cJSON_IsObject(doc) || !lc) {
        rc = jld_fail(st, MCRED_ERR_INVALID, "invalid remote context: '%.120s' has no @context",
                      ub.ptr);
        goto out;
    }
    jld_key_init(&k, result, doc, ub.ptr, NULL, flags & JLD_P_OVERRIDE);
    if (!(flags & JLD_P_NOVALIDATE)) {
        const struct jld_ctx *hit = jld_transition_find(st, &k, shared);

        if (hit) {
            *out = hit;
            goto out;
        }
    }
    url = jld_strndup(jld_arena_for(st, shared), ub.ptr, ub.len);
    if (!url) {
        rc = jld_nomem(st);
        goto out;
    }
    me = st->nremote++;
    st->remote[me].url = url;
    st->remote[me].active = true;
    st->in_url = url;
    rc = process_list(st, result, lc, url, st->gen != NULL,
                      flags & (JLD_P_OVERRIDE | JLD_P_NOVALIDATE), out);
    st->in_url = saved;
    st->remote[me].active = false;
    if (!rc && !(flags & JLD_P_NOVALIDATE))
        jld_transition_add(st, &k, shared, *out);
out:
    mc_buf_release(&ub);
    return rc;
}

/* §4.1: local (null, a string, a map or an array of those) applied to active. */
static mcred_rc process_list(struct jld_state *st, const struct jld_ctx *active,
                             const cJSON *local, const char *base_url, bool lpers,
                             unsigned flags, const struct jld_ctx **out)
{
    bool persistent = active->persistent && lpers && st->gen;
    bool propagate = !(flags & JLD_P_NOPROPAGATE);
    const struct jld_ctx *result = active;
    const cJSON *item, *pv;
    unsigned mark = st->nremote;
    bool arr = cJSON_IsArray(local);
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (st->depth >= JLD_MAX_DEPTH)
        return jld_fail(st, MCRED_ERR_LIMIT, "contexts nested deeper than %d levels",
                        JLD_MAX_DEPTH);
    rc = jld_work(st, 1);
    if (rc)
        return rc;
    st->depth++;
    pv = cJSON_IsObject(local) ? cJSON_GetObjectItemCaseSensitive(local, "@propagate") : NULL;
    if (cJSON_IsBool(pv))
        propagate = cJSON_IsTrue(pv);
    if (!propagate && !result->prev) {
        struct jld_ctx *c = jld_ctx_clone(st, jld_arena_for(st, persistent), active, persistent);

        if (!c) {
            rc = jld_nomem(st);
            goto out;
        }
        c->prev = active;
        result = c;
    }
    for (item = arr ? local->child : local; item && !rc; item = arr ? item->next : NULL) {
        if (cJSON_IsNull(item)) {
            struct jld_ctx *c;

            if (!(flags & JLD_P_OVERRIDE) && jld_has_protected(result)) {
                rc = jld_fail(st, MCRED_ERR_INVALID, "invalid context nullification: the "
                              "active context has protected terms");
                break;
            }
            c = jld_ctx_new(jld_arena_for(st, persistent), active->orig_base, active->json10,
                        persistent);
            if (!c) {
                rc = jld_nomem(st);
                break;
            }
            if (!propagate)
                c->prev = result;
            result = c;
        } else if (cJSON_IsString(item)) {
            rc = process_remote(st, result, item->valuestring, base_url, flags, &result);
        } else if (cJSON_IsObject(item)) {
            rc = process_map(st, result, item, base_url, lpers, flags, &result);
        } else {
            rc = jld_fail(st, MCRED_ERR_INVALID,
                          "invalid local context: not a map, string or null");
        }
    }
out:
    st->nremote = mark;
    st->depth--;
    if (!rc)
        *out = result;
    return rc;
}

mcred_rc jld_process(struct jld_state *st, const struct jld_ctx *active, const cJSON *local,
                     const char *base_url, bool lpers, unsigned flags,
                     const struct jld_ctx **out)
{
    bool shared = lpers && active->persistent && st->gen;
    const struct jld_ctx *hit;
    struct jld_key k;
    mcred_rc rc;

    jld_key_init(&k, active, local, NULL, base_url, flags);
    hit = jld_transition_find(st, &k, shared);
    if (hit) {
        *out = hit;
        return MCRED_OK;
    }
    rc = process_list(st, active, local, base_url, lpers, flags, out);
    if (!rc)
        jld_transition_add(st, &k, shared, *out);
    return rc;
}
