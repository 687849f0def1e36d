/* expand.c - JSON-LD 1.1 expansion (API §5.1) and value expansion (§5.3):
 * turns a document into expanded form using the active contexts that
 * context.c builds. Output is a new cJSON tree; the input is only read.
 *
 * Safe mode (opts->safe) turns every place where the algorithm silently drops
 * or leaves something unresolved into an error naming the term and where it
 * is: undefined terms, relative @id/@type IRIs, free-floating values and
 * nodes, value objects that vanish. Signing and verifying use it so that what
 * is signed is exactly what the document says.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "jsonld/iri.h"
#include "jsonld/jsonld_int.h"

static mcred_rc expand(struct jld_state *st, const struct jld_ctx *active, const char *aprop,
                       const struct jld_term *adef, const cJSON *elem, bool from_map,
                       cJSON **out);

/* --- small JSON helpers ---------------------------------------------------
 * Design note: expansion builds a few hundred nodes per credential, and
 * cJSON's constructors, adders and predicates are calls into the shared
 * library (a function pointer to the allocator, a memset, a strdup of every
 * key) that cost as much as the expansion itself. These do the same with
 * inline code and mc_json_node/mc_json_strndup (cJSON's allocator, the arena
 * inside a scope), so cJSON_Delete frees what they build. */

static inline bool of_type(const cJSON *v, int type)
{
    return v && (v->type & 0xff) == type;
}

static inline bool is_array(const cJSON *v)
{
    return of_type(v, cJSON_Array);
}

static inline bool is_object(const cJSON *v)
{
    return of_type(v, cJSON_Object);
}

static inline bool is_string(const cJSON *v)
{
    return of_type(v, cJSON_String);
}

static inline bool is_null(const cJSON *v)
{
    return of_type(v, cJSON_NULL);
}

static inline bool is_number(const cJSON *v)
{
    return of_type(v, cJSON_Number);
}

static inline bool is_bool(const cJSON *v)
{
    return v && (v->type & (cJSON_True | cJSON_False)) != 0;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return mc_json_get(o, k);
}

static bool is_scalar(const cJSON *v)
{
    return is_string(v) || is_number(v) || is_bool(v);
}

/* A new string node holding a copy of s. NULL on NOMEM. */
static cJSON *new_string(const char *s)
{
    cJSON *v = mc_json_node(cJSON_String);

    if (v && !(v->valuestring = mc_json_strndup(s, strlen(s)))) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

/* cJSON_AddItemToArray: item (not NULL, not in a list) becomes the last. */
static void link_last(cJSON *arr, cJSON *item)
{
    cJSON *first = arr->child;

    item->next = NULL;
    if (!first) {
        arr->child = item;
        item->prev = item;
    } else {
        first->prev->next = item;
        item->prev = first->prev;
        first->prev = item;
    }
}

/* cJSON_AddItemToObject (copy) or cJSON_AddItemToObjectCS (borrow): key
 * names item, which becomes o's last member. False on NOMEM (item then is
 * untouched). */
static bool add_member(cJSON *o, const char *key, cJSON *item, bool borrow)
{
    char *k = borrow ? (char *)(uintptr_t)key : mc_json_strndup(key, strlen(key));

    if (!k)
        return false;
    if (!(item->type & cJSON_StringIsConst) && item->string)
        cJSON_free(item->string);
    item->string = k;
    item->type = borrow ? item->type | cJSON_StringIsConst : item->type & ~cJSON_StringIsConst;
    link_last(o, item);
    return true;
}

/* True when every member of o is one of the NULL-terminated keys. */
static bool only_keys(const cJSON *o, const char *const *keys)
{
    const cJSON *m;
    size_t i;

    for (m = o->child; m; m = m->next) {
        for (i = 0; keys[i] && strcmp(m->string, keys[i]) != 0; i++)
            ;
        if (!keys[i])
            return false;
    }
    return true;
}

/* Every member of o has a name (always so for parsed JSON; trees built in
 * code are checked before their keys are read). */
static bool named(const cJSON *o)
{
    const cJSON *m;

    for (m = o->child; m; m = m->next) {
        if (!m->string)
            return false;
    }
    return true;
}

static bool is_value_object(const cJSON *v)
{
    return is_object(v) && get(v, "@value");
}

static bool is_list_object(const cJSON *v)
{
    return is_object(v) && get(v, "@list");
}

static bool is_graph_object(const cJSON *v)
{
    static const char *const keys[] = { "@graph", "@id", "@index", NULL };

    return is_object(v) && get(v, "@graph") && only_keys(v, keys);
}

/* Move src's items to the end of dst in O(1) and free src (cJSON keeps the
 * last item in child->prev). */
static void splice(cJSON *dst, cJSON *src)
{
    cJSON *first = src->child, *last;

    if (first) {
        last = first->prev;
        if (!dst->child) {
            dst->child = first;
        } else {
            first->prev = dst->child->prev;
            dst->child->prev->next = first;
            dst->child->prev = last;
        }
        src->child = NULL;
    }
    cJSON_Delete(src);
}

/* Append v (owned, may be NULL) to arr; an array's items are appended. */
static mcred_rc append(cJSON *arr, cJSON *v)
{
    if (!v)
        return MCRED_OK;
    if (is_array(v)) {
        splice(arr, v);
        return MCRED_OK;
    }
    link_last(arr, v);
    return MCRED_OK;
}

/* v (owned) as an array: v itself, or a new array holding it. NULL on NOMEM. */
static cJSON *as_array(cJSON *v)
{
    cJSON *a;

    if (is_array(v))
        return v;
    a = mc_json_node(cJSON_Array);
    if (!a) {
        cJSON_Delete(v);
        return NULL;
    }
    if (v)
        link_last(a, v);
    return a;
}

/* Set key (a static keyword literal, not copied) of o to v (owned, freed on
 * failure; o NULL is a failure). */
static mcred_rc put_kw(cJSON *o, const char *kw, cJSON *v)
{
    if (!o || !v || !add_member(o, kw, v, true)) {
        cJSON_Delete(v);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

/* Set key (copied) of o to v (owned, freed on failure). */
static mcred_rc put(cJSON *o, const char *key, cJSON *v)
{
    if (!o || !v || !add_member(o, key, v, false)) {
        cJSON_Delete(v);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

/* s is the keyword kw: most strings compared with one are IRIs. */
static inline bool is_kw(const char *s, const char *kw)
{
    return s[0] == '@' && strcmp(s, kw) == 0;
}

/* The static keyword literal equal to kw (so it can be a constant key). */
static const char *kw_literal(const char *kw)
{
    return jld_keywords[jld_keyword(kw)];
}

/* "add value" with as array true (§ definitions): key of o gets v's items. */
static mcred_rc add_value(cJSON *o, const char *key, cJSON *v)
{
    cJSON *cur = mc_json_get(o, key), *arr;
    const char *lit;

    if (!cur) {
        arr = as_array(v);
        if (!arr)
            return MCRED_ERR_NOMEM;
        lit = key[0] == '@' ? kw_literal(key) : NULL;
        return lit ? put_kw(o, lit, arr) : put(o, key, arr);
    }
    if (!is_array(cur)) {
        cJSON *detached = cJSON_DetachItemViaPointer(o, cur);

        arr = as_array(detached);
        if (!arr) {
            cJSON_Delete(v);
            return MCRED_ERR_NOMEM;
        }
        lit = key[0] == '@' ? kw_literal(key) : NULL;
        if ((lit ? put_kw(o, lit, arr) : put(o, key, arr)) != MCRED_OK) {
            cJSON_Delete(v);
            return MCRED_ERR_NOMEM;
        }
        cur = arr;
    }
    return append(cur, v);
}

/* Depth of nesting of v, without recursion: @json literals are copied with
 * cJSON_Duplicate, which recurses. */
static size_t json_depth(const cJSON *v, size_t limit)
{
    const cJSON *stack[MC_JSON_MAX_DEPTH + 2];
    size_t n = 0, max = 0;
    const cJSON *c = v;

    for (;;) {
        while (c && c->child && (is_array(c) || is_object(c))) {
            if (n >= limit || n >= MC_JSON_MAX_DEPTH + 1)
                return n + 1;
            stack[n++] = c;
            if (n > max)
                max = n;
            c = c->child;
        }
        while (c && !c->next && n > 0)
            c = stack[--n];
        if (!c || n == 0)
            return max;
        c = c->next;
    }
}

/* A copy of v, without its key. NULL on NOMEM. */
static cJSON *dup(const cJSON *v)
{
    cJSON *c;

    if (is_array(v) || is_object(v))
        return cJSON_Duplicate(v, true);   /* @json literals: rare */
    c = mc_json_node(v->type & 0xff);
    if (!c)
        return NULL;
    c->valueint = v->valueint;
    c->valuedouble = v->valuedouble;
    if (v->valuestring && !(c->valuestring = mc_json_strndup(v->valuestring,
                                                             strlen(v->valuestring)))) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

/* --- path (for messages) -------------------------------------------------- */

static void push_key(struct jld_state *st, const char *key)
{
    if (st->npath < JLD_MAX_PATH)
        st->path[st->npath] = (struct jld_path){ key, 0 };
    st->npath++;
}

static void push_idx(struct jld_state *st, size_t idx)
{
    if (st->npath < JLD_MAX_PATH)
        st->path[st->npath] = (struct jld_path){ NULL, idx };
    st->npath++;
}

static void pop(struct jld_state *st)
{
    st->npath--;
}

static mcred_rc nomem(struct jld_state *st)
{
    return mc_err_set(st->err, MCRED_ERR_NOMEM, "out of memory during JSON-LD expansion");
}

static bool is_iri_or_bnode(const char *s)
{
    return s && ((s[0] == '_' && s[1] == ':') || mc_iri_is_absolute(s));
}

/* The keyword key maps to in c (itself or through an alias), else KW_NO: what
 * IRI expansion of a key returns when it returns a keyword. */
static enum jld_kw key_keyword(const struct jld_ctx *c, const char *key)
{
    const struct jld_term *t;

    if (key[0] == '@')
        return jld_keyword(key);
    t = jld_alias_get(c, key);
    return t ? (enum jld_kw)t->kw : KW_NO;
}

static const struct jld_term *term_of(const struct jld_ctx *c, const char *prop)
{
    return prop ? jld_term_get(c, prop, strlen(prop)) : NULL;
}

/* An expanded IRI as a new string node; safe mode requires it absolute. */
static mcred_rc iri_node(struct jld_state *st, const char *what, const char *src, const char *iri,
                         cJSON **out)
{
    *out = NULL;
    if (st->o->safe && !is_iri_or_bnode(iri))
        return jld_fail(st, MCRED_ERR_INVALID, "safe mode: %s '%.80s' does not expand to an "
                        "absolute IRI", what, src);
    if (!iri)
        return MCRED_OK;
    *out = new_string(iri);
    return *out ? MCRED_OK : nomem(st);
}

/* --- value expansion (§5.3) ----------------------------------------------- */

/* t: the term definition of the active property in active, or NULL. */
static mcred_rc value_expand(struct jld_state *st, const struct jld_ctx *active,
                             const struct jld_term *t, const cJSON *value, cJSON **out)
{
    const char *type = t ? t->type : NULL, *lang, *iri;
    cJSON *r, *s;
    struct mc_buf buf;
    unsigned dir;
    mcred_rc rc;

    *out = NULL;
    if (type && is_string(value) && (is_kw(type, "@id") || is_kw(type, "@vocab"))) {
        mc_buf_init(&buf, 0);
        rc = jld_expand_iri(st, active, value->valuestring,
                            JLD_I_DOCREL | (type[1] == 'v' ? JLD_I_VOCAB : 0), &buf, &iri);
        if (!rc)
            rc = iri_node(st, "IRI value", value->valuestring, iri, &s);
        mc_buf_release(&buf);
        if (rc)
            return rc;
        r = mc_json_node(cJSON_Object);
        if (put_kw(r, "@id", s ? s : mc_json_node(cJSON_NULL))) {
            cJSON_Delete(r);
            return nomem(st);
        }
        *out = r;
        return MCRED_OK;
    }
    r = mc_json_node(cJSON_Object);
    if (!r || put_kw(r, "@value", dup(value)))
        goto fail;
    if (type && (type[0] != '@' || (strcmp(type, "@id") != 0 && strcmp(type, "@vocab") != 0 &&
                                    strcmp(type, "@none") != 0))) {
        if (put_kw(r, "@type", new_string(type)))
            goto fail;
    } else if (is_string(value)) {
        lang = t && t->has_lang ? t->lang : active->lang;
        dir = t && t->has_dir ? t->dir : active->dir;
        if (lang && put_kw(r, "@language", new_string(lang)))
            goto fail;
        if (dir && put_kw(r, "@direction", new_string(dir == JLD_DIR_LTR ? "ltr" : "rtl")))
            goto fail;
    }
    *out = r;
    return MCRED_OK;
fail:
    cJSON_Delete(r);
    return nomem(st);
}

/* --- node expansion -------------------------------------------------------- */

#define NODE_PROPS 16   /* properties of a map found without scanning its members */

/* What the entries of one map (and its nested maps) share. */
struct node {
    cJSON *result;                 /* the expanded map being built */
    const struct jld_ctx *tsc;     /* type-scoped context, for @type values */
    const char *aprop;             /* active property */
    bool json_input;               /* input type is @json */
    bool props_full;               /* props could not list them all: scan result */
    unsigned nprops;               /* entries of props */
    struct {
        size_t len;                /* strlen(item->string) */
        cJSON *item;               /* a property member of result (an array) */
    } props[NODE_PROPS];
};

/* add_value (as array) for a property, not a keyword, of the map being
 * built. Expanded property IRIs share long prefixes, so finding the member
 * by comparing the key with each one cost more than the rest of adding. */
static mcred_rc add_prop(struct node *nd, const char *key, cJSON *v)
{
    size_t len, i;
    cJSON *arr;

    if (key[0] == '@')
        return add_value(nd->result, key, v);
    len = strlen(key);
    for (i = 0; i < nd->nprops; i++) {
        if (nd->props[i].len == len && memcmp(nd->props[i].item->string, key, len) == 0)
            return append(nd->props[i].item, v);
    }
    if (nd->props_full)
        return add_value(nd->result, key, v);
    arr = as_array(v);
    if (!arr || put(nd->result, key, arr))
        return MCRED_ERR_NOMEM;
    if (nd->nprops < NODE_PROPS) {
        nd->props[nd->nprops].len = len;
        nd->props[nd->nprops].item = arr;
        nd->nprops++;
    } else {
        nd->props_full = true;
    }
    return MCRED_OK;
}

static mcred_rc entries(struct jld_state *st, struct node *nd, const struct jld_ctx *active,
                        const cJSON *elem);

static mcred_rc kw_id(struct jld_state *st, const struct jld_ctx *active, const cJSON *value,
                      cJSON **ev)
{
    struct mc_buf buf;
    const char *iri;
    mcred_rc rc;

    if (!is_string(value))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @id value: not a string");
    mc_buf_init(&buf, 0);
    rc = jld_expand_iri(st, active, value->valuestring, JLD_I_DOCREL, &buf, &iri);
    if (!rc)
        rc = iri_node(st, "@id", value->valuestring, iri, ev);
    mc_buf_release(&buf);
    if (!rc && !*ev && !(*ev = mc_json_node(cJSON_NULL)))
        rc = nomem(st);  /* the form of a keyword: ignored, @id null (test t0122) */
    return rc;
}

static mcred_rc kw_type(struct jld_state *st, struct node *nd, const cJSON *value, cJSON **ev)
{
    const cJSON *it;
    struct mc_buf buf;
    const char *iri;
    cJSON *s, *arr = NULL, *cur;
    mcred_rc rc = MCRED_OK;

    *ev = NULL;
    if (is_array(value)) {
        for (it = value->child; it; it = it->next) {
            if (!is_string(it))
                return jld_fail(st, MCRED_ERR_INVALID, "invalid type value: not a string");
        }
    } else if (!is_string(value)) {
        return jld_fail(st, MCRED_ERR_INVALID, "invalid type value: not a string or array");
    }
    arr = mc_json_node(cJSON_Array);
    if (!arr)
        return nomem(st);
    mc_buf_init(&buf, 0);
    for (it = is_array(value) ? value->child : value; it && !rc;
         it = is_array(value) ? it->next : NULL) {
        rc = jld_expand_iri(st, nd->tsc, it->valuestring, JLD_I_DOCREL | JLD_I_VOCAB, &buf, &iri);
        if (!rc)
            rc = iri_node(st, "type", it->valuestring, iri, &s);
        if (!rc && s)
            link_last(arr, s);
    }
    mc_buf_release(&buf);
    if (rc) {
        cJSON_Delete(arr);
        return rc;
    }
    cur = cJSON_DetachItemFromObjectCaseSensitive(nd->result, "@type");
    if (cur) {
        cur = as_array(cur);
        if (!cur) {
            cJSON_Delete(arr);
            return nomem(st);
        }
        splice(cur, arr);
        *ev = cur;
    } else if (is_string(value)) {
        *ev = arr->child ? cJSON_DetachItemViaPointer(arr, arr->child) : NULL;
        cJSON_Delete(arr);
    } else {
        *ev = arr;
    }
    return MCRED_OK;
}

/* @reverse inside a node (§5.1 step 13.4.13): merges into nd->result. */
static mcred_rc kw_reverse(struct jld_state *st, struct node *nd, const struct jld_ctx *active,
                           const cJSON *value)
{
    cJSON *ev = NULL, *m, *next, *rmap, *items, *item;
    mcred_rc rc;

    if (!is_object(value))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @reverse value: not a map");
    rc = expand(st, active, "@reverse", NULL, value, false, &ev);
    if (rc || !is_object(ev)) {
        cJSON_Delete(ev);
        return rc;
    }
    rmap = cJSON_DetachItemFromObjectCaseSensitive(ev, "@reverse");
    for (m = rmap ? rmap->child : NULL; m && !rc; m = next) {
        next = m->next;
        items = cJSON_DetachItemViaPointer(rmap, m);
        rc = add_prop(nd, items->string, items) ? nomem(st) : MCRED_OK;
    }
    cJSON_Delete(rmap);
    if (!rc && ev->child) {
        rmap = mc_json_get(nd->result, "@reverse");
        if (!rmap) {
            rmap = mc_json_node(cJSON_Object);
            if (put_kw(nd->result, "@reverse", rmap)) {
                cJSON_Delete(ev);
                return nomem(st);
            }
        }
        for (m = ev->child; m && !rc; m = m->next) {
            for (item = m->child; item; item = item->next) {
                if (is_value_object(item) || is_list_object(item)) {
                    rc = jld_fail(st, MCRED_ERR_INVALID,
                                  "invalid reverse property value: '%.80s'", m->string);
                    cJSON_Delete(ev);
                    return rc;
                }
            }
        }
        while (!rc && ev->child) {
            m = cJSON_DetachItemViaPointer(ev, ev->child);
            rc = add_value(rmap, m->string, m) ? nomem(st) : MCRED_OK;
        }
    }
    cJSON_Delete(ev);
    return rc;
}

/* @value, @language, @direction, @index: checked scalars (§5.1 13.4.7-10). */
static mcred_rc kw_scalar(struct jld_state *st, struct node *nd, enum jld_kw kw,
                          const cJSON *value, cJSON **ev)
{
    *ev = NULL;
    if (kw == KW_VALUE) {
        if (nd->json_input) {
            if (st->o->json10)
                return jld_fail(st, MCRED_ERR_INVALID, "invalid value object value: @json");
            if (json_depth(value, MC_JSON_MAX_DEPTH) > MC_JSON_MAX_DEPTH)
                return jld_fail(st, MCRED_ERR_LIMIT, "JSON literal nested too deeply");
        } else if (!is_scalar(value) && !is_null(value)) {
            return jld_fail(st, MCRED_ERR_INVALID, "invalid value object value: not a scalar");
        }
    } else if (kw == KW_LANGUAGE) {
        if (!is_string(value))
            return jld_fail(st, MCRED_ERR_INVALID,
                            "invalid language-tagged string: @language is not a string");
    } else if (kw == KW_DIRECTION) {
        if (!is_string(value) ||
            (strcmp(value->valuestring, "ltr") != 0 && strcmp(value->valuestring, "rtl") != 0))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid base direction: not ltr or rtl");
    } else if (!is_string(value)) {
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @index value: not a string");
    }
    *ev = dup(value);
    return *ev ? MCRED_OK : nomem(st);
}

/* A key that expands to a keyword (§5.1 step 13.4). */
static mcred_rc keyword_entry(struct jld_state *st, struct node *nd,
                              const struct jld_ctx *active, enum jld_kw kw,
                              const cJSON *value, const cJSON ***nests, size_t *nnests)
{
    const char *lit = jld_keywords[kw];
    cJSON *ev = NULL, *cur, *it;
    mcred_rc rc = MCRED_OK;

    if (nd->aprop && is_kw(nd->aprop, "@reverse"))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid reverse property map: keyword '%s'",
                        lit ? lit : value->string);
    if (kw == KW_NO)
        return MCRED_OK;   /* "@..." with a colon but no keyword: nothing to expand */
    cur = mc_json_get(nd->result, lit);
    if (cur && kw != KW_INCLUDED && (kw != KW_TYPE || st->o->json10))
        return jld_fail(st, MCRED_ERR_INVALID, "colliding keywords: '%s' twice", lit);
    switch (kw) {
    case KW_ID:
        rc = kw_id(st, active, value, &ev);
        break;
    case KW_TYPE:
        rc = kw_type(st, nd, value, &ev);
        break;
    case KW_GRAPH:
        rc = expand(st, active, "@graph", NULL, value, false, &ev);
        if (!rc && !(ev = as_array(ev)))
            rc = nomem(st);
        break;
    case KW_INCLUDED:
        if (st->o->json10)
            return MCRED_OK;
        /* "@included" rather than null as the active property: so that
         * values and lists in it are kept, and rejected below */
        rc = expand(st, active, "@included", NULL, value, false, &ev);
        if (!rc && !(ev = as_array(ev)))
            rc = nomem(st);
        for (it = ev ? ev->child : NULL; it && !rc; it = it->next) {
            if (!is_object(it) || get(it, "@value") || get(it, "@list") || get(it, "@set"))
                rc = jld_fail(st, MCRED_ERR_INVALID, "invalid @included value: not a node");
        }
        if (!rc && cur) {
            cur = cJSON_DetachItemViaPointer(nd->result, cur);
            splice(cur, ev);
            ev = cur;
        }
        break;
    case KW_DIRECTION:
        if (st->o->json10)
            return MCRED_OK;
        rc = kw_scalar(st, nd, kw, value, &ev);
        break;
    case KW_VALUE:
    case KW_LANGUAGE:
    case KW_INDEX:
        rc = kw_scalar(st, nd, kw, value, &ev);
        break;
    case KW_LIST:
        if (!nd->aprop || is_kw(nd->aprop, "@graph")) {
            if (st->o->safe)
                return jld_fail(st, MCRED_ERR_INVALID, "safe mode: free-floating list dropped");
            return MCRED_OK;
        }
        rc = expand(st, active, nd->aprop, term_of(active, nd->aprop), value, false, &ev);
        if (!rc && !(ev = as_array(ev)))
            rc = nomem(st);
        break;
    case KW_SET:
        rc = expand(st, active, nd->aprop, term_of(active, nd->aprop), value, false, &ev);
        break;
    case KW_REVERSE:
        return kw_reverse(st, nd, active, value);
    case KW_NEST: {
        size_t k = *nnests;
        const cJSON **n = *nests;

        /* capacity 4, 8, 16...: grow when k is 0 or a power of two from 4 */
        if (k == 0 || (k >= 4 && !(k & (k - 1)))) {
            /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
            n = mc_realloc((void *)n, (k ? 2 * k : 4) * sizeof(*n));
            if (!n)
                return nomem(st);
            *nests = n;
        }
        n[(*nnests)++] = value;
        return MCRED_OK;
    }
    default:
        return MCRED_OK;  /* @context, @base and other keywords: nothing to expand */
    }
    if (rc) {
        cJSON_Delete(ev);
        return rc;
    }
    if (!ev)
        return MCRED_OK;
    return put_kw(nd->result, lit, ev) ? nomem(st) : MCRED_OK;
}

/* A language map (§5.1 step 13.7). */
static mcred_rc language_map(struct jld_state *st, const struct jld_ctx *active,
                             const struct jld_term *t, const cJSON *value, cJSON **out)
{
    unsigned dir = t->has_dir ? t->dir : active->dir;
    const cJSON *m, *it;
    const char *lang;
    struct mc_buf buf;
    cJSON *arr, *v;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (!named(value))
        return jld_fail(st, MCRED_ERR_INVALID, "a map member without a name");
    arr = mc_json_node(cJSON_Array);
    if (!arr)
        return nomem(st);
    mc_buf_init(&buf, 0);
    for (m = value->child; m && !rc; m = m->next) {
        bool none = !strcmp(m->string, "@none");

        if (!none) {
            rc = jld_expand_iri(st, active, m->string, JLD_I_VOCAB, &buf, &lang);
            none = !rc && lang && !strcmp(lang, "@none");
        }
        for (it = is_array(m) ? m->child : m; it && !rc; it = is_array(m) ? it->next
                                                                                 : NULL) {
            if (is_null(it))
                continue;
            if (!is_string(it)) {
                rc = jld_fail(st, MCRED_ERR_INVALID,
                              "invalid language map value: '%.40s' is not a string", m->string);
                break;
            }
            v = mc_json_node(cJSON_Object);
            if (put_kw(v, "@value", new_string(it->valuestring)) ||
                (!none && put_kw(v, "@language", new_string(m->string))) ||
                (dir && put_kw(v, "@direction",
                               new_string(dir == JLD_DIR_LTR ? "ltr" : "rtl")))) {
                cJSON_Delete(v);
                rc = nomem(st);
            } else if (append(arr, v)) {
                rc = nomem(st);
            }
        }
    }
    mc_buf_release(&buf);
    if (rc) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return MCRED_OK;
}

/* Prepend first (owned) to the array at key of item (created if absent). */
static mcred_rc prepend(cJSON *item, const char *key, cJSON *first)
{
    cJSON *cur = cJSON_DetachItemFromObjectCaseSensitive(item, key);
    cJSON *arr = as_array(first);
    const char *lit = key[0] == '@' ? kw_literal(key) : NULL;

    if (!arr) {
        cJSON_Delete(cur);
        return MCRED_ERR_NOMEM;
    }
    if (cur) {
        cur = as_array(cur);
        if (!cur) {
            cJSON_Delete(arr);
            return MCRED_ERR_NOMEM;
        }
        splice(arr, cur);
    }
    return lit ? put_kw(item, lit, arr) : put(item, key, arr);
}

/* One expanded item of an index, id or type map gets its index (§5.1 13.8.3.7). */
static mcred_rc index_item(struct jld_state *st, const struct jld_ctx *active,
                           const struct jld_term *t, const char *index, const char *eidx,
                           cJSON *item)
{
    const char *index_key = t->index ? t->index : "@index", *iri;
    bool none = eidx && !strcmp(eidx, "@none");
    unsigned c = t->container;
    struct mc_buf buf;
    cJSON *s = NULL, *re = NULL;
    mcred_rc rc = MCRED_OK;

    if (none)
        return MCRED_OK;
    mc_buf_init(&buf, 0);
    if ((c & JLD_C_INDEX) && strcmp(index_key, "@index") != 0) {
        s = new_string(index);
        rc = s ? value_expand(st, active, term_of(active, index_key), s, &re) : nomem(st);
        cJSON_Delete(s);
        if (!rc)
            rc = jld_expand_iri(st, active, index_key, JLD_I_VOCAB, &buf, &iri);
        if (!rc && is_value_object(item)) {
            rc = jld_fail(st, MCRED_ERR_INVALID,
                          "invalid value object: value in a property-valued index map");
        } else if (!rc && iri) {
            rc = prepend(item, iri, re) ? nomem(st) : MCRED_OK;
            re = NULL;
        } else if (!rc) {
            rc = jld_fail(st, MCRED_ERR_INVALID, "invalid term definition: index '%.40s'",
                          index_key);
        }
        cJSON_Delete(re);
    } else if ((c & JLD_C_INDEX) && !get(item, "@index")) {
        rc = put_kw(item, "@index", new_string(index)) ? nomem(st) : MCRED_OK;
    } else if ((c & JLD_C_ID) && !get(item, "@id")) {
        rc = jld_expand_iri(st, active, index, JLD_I_DOCREL, &buf, &iri);
        if (!rc)
            rc = iri_node(st, "@id", index, iri, &s);
        if (!rc && s)
            rc = put_kw(item, "@id", s) ? nomem(st) : MCRED_OK;
    } else if (c & JLD_C_TYPE) {
        rc = iri_node(st, "type", index, eidx, &s);
        if (!rc && s)
            rc = prepend(item, "@type", s) ? nomem(st) : MCRED_OK;
    }
    mc_buf_release(&buf);
    return rc;
}

/* An index, id or type map (§5.1 step 13.8). */
static mcred_rc index_map(struct jld_state *st, const struct jld_ctx *active, const char *key,
                          const struct jld_term *t, const cJSON *value, cJSON **out)
{
    unsigned c = t->container;
    const struct jld_ctx *mctx;
    const struct jld_term *it;
    const char *eidx;
    struct mc_buf buf;
    const cJSON *m;
    cJSON *arr, *iv, *item, *g;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (!named(value))
        return jld_fail(st, MCRED_ERR_INVALID, "a map member without a name");
    arr = mc_json_node(cJSON_Array);
    if (!arr)
        return nomem(st);
    mc_buf_init(&buf, 0);
    for (m = value->child; m && !rc; m = m->next) {
        mctx = active;
        if (c & JLD_C_TYPE) {
            const struct jld_ctx *base = active->prev ? active->prev : active;

            it = term_of(base, m->string);
            if (it && it->has_context)
                rc = jld_process(st, base, it->context, it->ctx_base, it->ctx_persistent, 0,
                                 &mctx);
            if (rc)
                break;
        }
        rc = jld_expand_iri(st, active, m->string, JLD_I_VOCAB, &buf, &eidx);
        if (rc)
            break;
        push_key(st, m->string);
        iv = NULL;
        rc = expand(st, mctx, key, mctx == active ? t : term_of(mctx, key), m, true, &iv);
        pop(st);
        if (!rc && !(iv = as_array(iv)))
            rc = nomem(st);
        while (!rc && iv && iv->child) {
            item = cJSON_DetachItemViaPointer(iv, iv->child);
            if ((c & JLD_C_GRAPH) && !is_graph_object(item)) {
                g = mc_json_node(cJSON_Object);
                if (put_kw(g, "@graph", as_array(item))) {
                    cJSON_Delete(g);
                    rc = nomem(st);
                    break;
                }
                item = g;
            }
            rc = index_item(st, active, t, m->string, eidx, item);
            if (!rc && append(arr, item))
                rc = nomem(st);
            else if (rc)
                cJSON_Delete(item);
        }
        cJSON_Delete(iv);
    }
    mc_buf_release(&buf);
    if (rc) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return MCRED_OK;
}

/* The expanded value of a property that is not a keyword (§5.1 13.5-13.13). */
static mcred_rc property_entry(struct jld_state *st, struct node *nd,
                               const struct jld_ctx *active, const char *key,
                               const struct jld_term *t, const char *prop, const cJSON *value)
{
    unsigned c = t ? t->container : 0;
    cJSON *ev = NULL, *w, *it, *rmap;
    mcred_rc rc;

    push_key(st, key);
    if (t && t->type && is_kw(t->type, "@json")) {
        if (json_depth(value, MC_JSON_MAX_DEPTH) > MC_JSON_MAX_DEPTH) {
            rc = jld_fail(st, MCRED_ERR_LIMIT, "JSON literal nested too deeply");
        } else {
            ev = mc_json_node(cJSON_Object);
            rc = !ev || put_kw(ev, "@value", dup(value)) ||
                         put_kw(ev, "@type", new_string("@json")) ? nomem(st) : MCRED_OK;
        }
    } else if ((c & JLD_C_LANGUAGE) && is_object(value)) {
        rc = language_map(st, active, t, value, &ev);
    } else if ((c & (JLD_C_INDEX | JLD_C_TYPE | JLD_C_ID)) && is_object(value)) {
        rc = index_map(st, active, key, t, value, &ev);
    } else {
        rc = expand(st, active, key, t, value, false, &ev);
    }
    pop(st);
    if (rc || !ev) {
        cJSON_Delete(ev);
        return rc;
    }
    if ((c & JLD_C_LIST) && !is_list_object(ev)) {
        w = mc_json_node(cJSON_Object);
        if (put_kw(w, "@list", as_array(ev))) {
            cJSON_Delete(w);
            return nomem(st);
        }
        ev = w;
    }
    if ((c & JLD_C_GRAPH) && !(c & (JLD_C_ID | JLD_C_INDEX))) {
        cJSON *arr = as_array(ev), *res = mc_json_node(cJSON_Array);

        if (!arr || !res) {
            cJSON_Delete(arr);
            cJSON_Delete(res);
            return nomem(st);
        }
        while (arr->child) {
            it = cJSON_DetachItemViaPointer(arr, arr->child);
            w = mc_json_node(cJSON_Object);
            if (put_kw(w, "@graph", as_array(it))) {
                cJSON_Delete(w);
                w = NULL;
            }
            if (!w || append(res, w)) {
                cJSON_Delete(arr);
                cJSON_Delete(res);
                return nomem(st);
            }
        }
        cJSON_Delete(arr);
        ev = res;
    }
    if (t && t->reverse) {
        rmap = mc_json_get(nd->result, "@reverse");
        if (!rmap) {
            rmap = mc_json_node(cJSON_Object);
            if (put_kw(nd->result, "@reverse", rmap)) {
                cJSON_Delete(ev);
                return nomem(st);
            }
        }
        ev = as_array(ev);
        if (!ev)
            return nomem(st);
        for (it = ev->child; it; it = it->next) {
            if (is_value_object(it) || is_list_object(it)) {
                cJSON_Delete(ev);
                return jld_fail(st, MCRED_ERR_INVALID, "invalid reverse property value: "
                                "'%.80s'", key);
            }
        }
        return add_value(rmap, prop, ev) ? nomem(st) : MCRED_OK;
    }
    return add_prop(nd, prop, ev) ? nomem(st) : MCRED_OK;
}

/* Values of the nesting keys (§5.1 step 14): nests are members of the map
 * whose keys expand to @nest. */
static mcred_rc nested(struct jld_state *st, struct node *nd, const struct jld_ctx *active,
                       const cJSON **nests, size_t nnests)
{
    const struct jld_ctx *nctx;
    const struct jld_term *t;
    const cJSON *v, *nv, *k;
    size_t i;
    mcred_rc rc = MCRED_OK;

    if (st->depth >= JLD_MAX_DEPTH)
        return jld_fail(st, MCRED_ERR_LIMIT, "@nest nested deeper than %d levels",
                        JLD_MAX_DEPTH);
    st->depth++;
    for (i = 0; i < nnests && !rc; i++) {
        v = nests[i];
        push_key(st, v->string);
        for (nv = is_array(v) ? v->child : v; nv && !rc;
             nv = is_array(v) ? nv->next : NULL) {
            rc = jld_work(st, 1);
            if (!rc && (!is_object(nv) || !named(nv)))
                rc = jld_fail(st, MCRED_ERR_INVALID, "invalid @nest value: not a map");
            for (k = nv->child; k && !rc; k = k->next) {
                if (key_keyword(active, k->string) == KW_VALUE)
                    rc = jld_fail(st, MCRED_ERR_INVALID, "invalid @nest value: has @value");
            }
            if (rc)
                break;
            nctx = active;
            t = term_of(active, v->string);
            if (t && t->has_context)
                rc = jld_process(st, active, t->context, t->ctx_base, t->ctx_persistent,
                                 JLD_P_OVERRIDE, &nctx);
            if (!rc)
                rc = entries(st, nd, nctx, nv);
        }
        pop(st);
    }
    st->depth--;
    return rc;
}

/* The entries of elem expanded into nd->result (§5.1 steps 13 and 14). */
static mcred_rc entries(struct jld_state *st, struct node *nd, const struct jld_ctx *active,
                        const cJSON *elem)
{
    const cJSON **nests = NULL;
    const char *prop;
    const struct jld_term *t;
    enum jld_kw kw;
    bool known;
    size_t nnests = 0;
    struct mc_buf buf;
    const cJSON *m;
    mcred_rc rc = MCRED_OK;

    mc_buf_init(&buf, 0);
    for (m = elem->child; m && !rc; m = m->next) {
        if (is_kw(m->string, "@context"))
            continue;
        rc = jld_work(st, 1);
        if (rc)
            break;
        rc = jld_expand_key(st, active, m->string, &buf, &prop, &t);
        if (rc)
            break;
        /* a term's IRI: what it is was found out when the term was defined */
        known = t && prop == t->iri;
        kw = !prop ? KW_NO : known ? (enum jld_kw)t->kw : jld_keyword(prop);
        if (!prop || (!(known ? t->iri_colon : strchr(prop, ':') != NULL) && kw == KW_NO)) {
            if (st->o->safe)
                rc = jld_fail(st, MCRED_ERR_INVALID, "safe mode: term '%.80s' is not defined "
                              "in the context, it would be dropped", m->string);
            continue;
        }
        if (st->o->safe && prop[0] != '@' && !(known ? t->iri_abs : mc_iri_is_absolute(prop))) {
            rc = jld_fail(st, MCRED_ERR_INVALID, "safe mode: property '%.80s' expands to '%.80s', "
                          "not an absolute IRI", m->string, prop);
            break;
        }
        if (prop[0] == '@')
            rc = keyword_entry(st, nd, active, kw, m, &nests, &nnests);
        else
            rc = property_entry(st, nd, active, m->string, t, prop, m);
    }
    mc_buf_release(&buf);
    if (!rc && nnests)
        rc = nested(st, nd, active, nests, nnests);
    mc_free((void *)nests);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Step 12: whether the last value of the first @type entry expands to @json. */
static mcred_rc input_type(struct jld_state *st, const struct jld_ctx *active,
                           const cJSON *first, bool *json_input)
{
    const cJSON *last = is_array(first) ? (first->child ? first->child->prev : NULL) : first;
    struct mc_buf buf;
    const char *ty;
    mcred_rc rc;

    if (!last || !is_string(last))
        return MCRED_OK;
    mc_buf_init(&buf, 0);
    rc = jld_expand_iri(st, active, last->valuestring, JLD_I_VOCAB, &buf, &ty);
    *json_input = !rc && ty && is_kw(ty, "@json");
    mc_buf_release(&buf);
    return rc;
}

/* The @type entries of elem (keys in code point order, then their values in
 * code point order): the type-scoped contexts apply (§5.1 step 11) and the
 * input type is found (step 12). */
static mcred_rc type_scoped(struct jld_state *st, const cJSON *elem, const struct jld_ctx **active,
                            bool *json_input)
{
    const struct jld_ctx *tsc = *active;
    const char *kbuf[4], *vbuf[8], **keys = kbuf, **vals;
    size_t nk = 0, nv, i, j;
    const cJSON *m, *v, *first = NULL;
    mcred_rc rc = MCRED_OK;

    for (m = elem->child; m; m = m->next) {
        if (key_keyword(tsc, m->string) != KW_TYPE)
            continue;
        if (nk == sizeof(kbuf) / sizeof(kbuf[0]))
            break;  /* more than fit: count them all below */
        kbuf[nk++] = m->string;
    }
    if (!nk)
        return MCRED_OK;
    if (m) {
        for (nk = 0, m = elem->child; m; m = m->next)
            nk += key_keyword(tsc, m->string) == KW_TYPE;
        keys = mc_allocarray(nk, sizeof(*keys));
        if (!keys)
            return nomem(st);
        for (nk = 0, m = elem->child; m; m = m->next) {
            if (key_keyword(tsc, m->string) == KW_TYPE)
                keys[nk++] = m->string;
        }
    }
    if (nk > 1)
        qsort((void *)keys, nk, sizeof(*keys), cmp_str);
    for (i = 0; i < nk && !rc; i++) {
        v = get(elem, keys[i]);
        if (!first)
            first = v;
        nv = is_array(v) ? (size_t)cJSON_GetArraySize(v) : 1;
        vals = vbuf;
        if (nv > sizeof(vbuf) / sizeof(vbuf[0]) && !(vals = mc_allocarray(nv, sizeof(*vals)))) {
            rc = nomem(st);
            break;
        }
        nv = 0;
        for (m = is_array(v) ? v->child : v; m; m = is_array(v) ? m->next : NULL) {
            if (is_string(m))
                vals[nv++] = m->valuestring;
        }
        rc = jld_work(st, nv);
        if (!rc && nv > 1)
            qsort((void *)vals, nv, sizeof(*vals), cmp_str);
        for (j = 0; j < nv && !rc; j++) {
            const struct jld_term *t = jld_term_get(tsc, vals[j], strlen(vals[j]));

            if (t && t->has_context)
                rc = jld_process(st, *active, t->context, t->ctx_base, t->ctx_persistent,
                                 JLD_P_NOPROPAGATE, active);
        }
        if (vals != vbuf)
            mc_free((void *)vals);
    }
    if (keys != kbuf)
        mc_free((void *)keys);
    if (!rc && first)
        rc = input_type(st, *active, first, json_input);
    return rc;
}

/* Keywords among the keys of an expanded map, as bits, for finish_map. */
enum {
    K_VALUE = 1 << 0, K_TYPE = 1 << 1, K_LANGUAGE = 1 << 2, K_DIRECTION = 1 << 3,
    K_INDEX = 1 << 4, K_SET = 1 << 5, K_LIST = 1 << 6, K_ID = 1 << 7, K_OTHER = 1 << 8,
};

static unsigned key_bits(const cJSON *r, size_t *n)
{
    const cJSON *m;
    unsigned bits = 0;

    *n = 0;
    for (m = r->child; m; m = m->next) {
        (*n)++;
        switch (jld_keyword(m->string)) {
        case KW_VALUE: bits |= K_VALUE; break;
        case KW_TYPE: bits |= K_TYPE; break;
        case KW_LANGUAGE: bits |= K_LANGUAGE; break;
        case KW_DIRECTION: bits |= K_DIRECTION; break;
        case KW_INDEX: bits |= K_INDEX; break;
        case KW_SET: bits |= K_SET; break;
        case KW_LIST: bits |= K_LIST; break;
        case KW_ID: bits |= K_ID; break;
        default: bits |= K_OTHER; break;
        }
    }
    return bits;
}

/* Steps 15-20: checks on the finished map, and what it becomes. */
static mcred_rc finish_map(struct jld_state *st, const char *aprop, cJSON *r, cJSON **out)
{
    const cJSON *v, *ty;
    size_t n;
    unsigned k = key_bits(r, &n);

    *out = NULL;
    if (k & K_VALUE) {
        v = get(r, "@value");
        ty = get(r, "@type");
        if ((k & (K_SET | K_LIST | K_ID | K_OTHER)) ||
            ((k & K_TYPE) && (k & (K_LANGUAGE | K_DIRECTION))))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid value object: unexpected entries");
        if (!(is_string(ty) && !strcmp(ty->valuestring, "@json"))) {
            if (is_null(v) || (is_array(v) && !v->child)) {
                if (st->o->safe)
                    return jld_fail(st, MCRED_ERR_INVALID, "safe mode: null @value dropped");
                cJSON_Delete(r);
                return MCRED_OK;
            }
            if (!is_string(v) && (k & K_LANGUAGE))
                return jld_fail(st, MCRED_ERR_INVALID,
                                "invalid language-tagged value: @value is not a string");
            if (ty && (!is_string(ty) || !mc_iri_is_valid(ty->valuestring)))
                return jld_fail(st, MCRED_ERR_INVALID, "invalid typed value: @type is not an "
                                "IRI");
        }
    } else if ((k & K_TYPE) && !is_array(get(r, "@type"))) {
        cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(r, "@type");

        if (put_kw(r, "@type", as_array(d)))
            return nomem(st);
    } else if (k & (K_SET | K_LIST)) {
        if (n > 2 || (n == 2 && !(k & K_INDEX)))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid set or list object: extra entries");
        if (k & K_SET) {
            *out = cJSON_DetachItemFromObjectCaseSensitive(r, "@set");
            cJSON_Delete(r);
            return MCRED_OK;
        }
    }
    if (n == 1 && k == K_LANGUAGE) {
        if (st->o->safe)
            return jld_fail(st, MCRED_ERR_INVALID, "safe mode: object with only @language "
                            "dropped");
        cJSON_Delete(r);
        return MCRED_OK;
    }
    if ((!aprop || is_kw(aprop, "@graph")) &&
        (n == 0 || (k & (K_VALUE | K_LIST)) || (n == 1 && k == K_ID))) {
        if (st->o->safe)
            return jld_fail(st, MCRED_ERR_INVALID, "safe mode: free-floating %s dropped",
                            n == 0 ? "empty object" : k == K_ID ? "node reference" : "value");
        cJSON_Delete(r);
        return MCRED_OK;
    }
    *out = r;
    return MCRED_OK;
}

/* Step 7: entering a node object reverts a type-scoped context, unless elem
 * is a value object or a lone node reference. */
static bool keeps_context(const struct jld_ctx *c, const cJSON *elem)
{
    const cJSON *m;

    for (m = elem->child; m; m = m->next) {
        if (key_keyword(c, m->string) == KW_VALUE)
            return true;
    }
    m = elem->child;
    return m && !m->next && key_keyword(c, m->string) == KW_ID;
}

static mcred_rc expand_map(struct jld_state *st, const struct jld_ctx *active,
                           const char *aprop, const struct jld_term *pdef, const cJSON *elem,
                           bool from_map, cJSON **out)
{
    const cJSON *cv;
    struct node nd;
    mcred_rc rc;

    if (!named(elem))
        return jld_fail(st, MCRED_ERR_INVALID, "a map member without a name");
    if (active->prev && !from_map && !keeps_context(active, elem))
        active = active->prev;
    if (pdef && pdef->has_context) {
        rc = jld_process(st, active, pdef->context, pdef->ctx_base, pdef->ctx_persistent,
                         JLD_P_OVERRIDE, &active);
        if (rc)
            return rc;
    }
    cv = get(elem, "@context");
    if (cv) {
        push_key(st, "@context");
        rc = jld_process(st, active, cv, st->base, false, 0, &active);
        pop(st);
        if (rc)
            return rc;
    }
    nd.tsc = active;
    nd.aprop = aprop;
    nd.json_input = false;
    nd.props_full = false;
    nd.nprops = 0;
    rc = type_scoped(st, elem, &active, &nd.json_input);
    if (rc)
        return rc;
    nd.result = mc_json_node(cJSON_Object);
    if (!nd.result)
        return nomem(st);
    rc = entries(st, &nd, active, elem);
    if (rc) {
        cJSON_Delete(nd.result);
        return rc;
    }
    rc = finish_map(st, aprop, nd.result, out);
    if (rc)
        cJSON_Delete(nd.result);
    return rc;
}

static mcred_rc expand_array(struct jld_state *st, const struct jld_ctx *active,
                             const char *aprop, const struct jld_term *t, const cJSON *elem,
                             bool from_map, cJSON **out)
{
    bool list = t && (t->container & JLD_C_LIST);
    const cJSON *it;
    cJSON *res, *e, *w;
    size_t i = 0;
    mcred_rc rc = MCRED_OK;

    res = mc_json_node(cJSON_Array);
    if (!res)
        return nomem(st);
    for (it = elem->child; it && !rc; it = it->next, i++) {
        e = NULL;
        push_idx(st, i);
        rc = expand(st, active, aprop, t, it, from_map, &e);
        pop(st);
        if (rc)
            break;
        if (list && is_array(e)) {
            if (st->o->json10) {
                cJSON_Delete(e);
                rc = jld_fail(st, MCRED_ERR_INVALID, "list of lists: not in json-ld-1.0 mode");
                break;
            }
            w = mc_json_node(cJSON_Object);
            if (put_kw(w, "@list", e)) {
                cJSON_Delete(w);
                rc = nomem(st);
                break;
            }
            e = w;
        }
        if (append(res, e))
            rc = nomem(st);
    }
    if (rc) {
        cJSON_Delete(res);
        return rc;
    }
    *out = res;
    return MCRED_OK;
}

static mcred_rc expand_scalar(struct jld_state *st, const struct jld_ctx *active,
                              const char *aprop, const struct jld_term *pdef, const cJSON *elem,
                              cJSON **out)
{
    mcred_rc rc;

    if (!aprop || is_kw(aprop, "@graph")) {
        if (st->o->safe)
            return jld_fail(st, MCRED_ERR_INVALID, "safe mode: free-floating value dropped");
        return MCRED_OK;
    }
    if (pdef && pdef->has_context) {
        rc = jld_process(st, active, pdef->context, pdef->ctx_base, pdef->ctx_persistent, 0,
                         &active);
        if (rc)
            return rc;
        pdef = term_of(active, aprop);  /* as the scoped context defines it */
    }
    return value_expand(st, active, pdef, elem, out);
}

/* The expansion algorithm (§5.1); *out is owned, NULL for null. adef is the
 * term definition of aprop in active (NULL when none). */
static mcred_rc expand(struct jld_state *st, const struct jld_ctx *active, const char *aprop,
                       const struct jld_term *adef, const cJSON *elem, bool from_map,
                       cJSON **out)
{
    mcred_rc rc;

    *out = NULL;
    if (!elem || is_null(elem))
        return MCRED_OK;
    if (st->depth >= JLD_MAX_DEPTH)
        return jld_fail(st, MCRED_ERR_LIMIT, "JSON-LD document nested deeper than %d levels",
                        JLD_MAX_DEPTH);
    rc = jld_work(st, 1);
    if (rc)
        return rc;
    st->depth++;
    if (is_array(elem))
        rc = expand_array(st, active, aprop, adef, elem, from_map, out);
    else if (is_object(elem))
        rc = expand_map(st, active, aprop, adef, elem, from_map, out);
    else if (is_scalar(elem))
        rc = expand_scalar(st, active, aprop, adef, elem, out);
    else
        rc = jld_fail(st, MCRED_ERR_INVALID, "not a JSON value JSON-LD can expand");
    st->depth--;
    return rc;
}

mcred_rc mc_jsonld_expand(const cJSON *doc, const struct mc_jsonld_opts *o, cJSON **out,
                          struct mc_err *err)
{
    struct jld_state st;
    const struct jld_ctx *active;
    const cJSON *ec;
    cJSON *r = NULL, *g;
    mcred_rc rc;

    *out = NULL;
    rc = jld_state_init(&st, o, err);
    if (rc)
        return rc;
    rc = jld_root(&st, &active);
    if (!rc && o->expand_context) {
        ec = o->expand_context;
        if (is_object(ec) && get(ec, "@context"))
            ec = get(ec, "@context");
        rc = jld_process(&st, active, ec, o->base, false, 0, &active);
    }
    if (!rc)
        rc = expand(&st, active, NULL, NULL, doc, false, &r);
    if (!rc && r && is_object(r) && r->child && !r->child->next && get(r, "@graph")) {
        g = cJSON_DetachItemFromObjectCaseSensitive(r, "@graph");
        cJSON_Delete(r);
        r = g;
    }
    if (!rc && !(r = as_array(r)))
        rc = nomem(&st);
    jld_state_release(&st);
    if (rc) {
        cJSON_Delete(r);
        return rc;
    }
    *out = r;
    return MCRED_OK;
}
