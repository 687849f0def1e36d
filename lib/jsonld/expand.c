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

/* --- small JSON helpers --------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static bool is_scalar(const cJSON *v)
{
    return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v);
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
    return cJSON_IsObject(v) && get(v, "@value");
}

static bool is_list_object(const cJSON *v)
{
    return cJSON_IsObject(v) && get(v, "@list");
}

static bool is_graph_object(const cJSON *v)
{
    static const char *const keys[] = { "@graph", "@id", "@index", NULL };

    return cJSON_IsObject(v) && get(v, "@graph") && only_keys(v, keys);
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
    if (cJSON_IsArray(v)) {
        splice(arr, v);
        return MCRED_OK;
    }
    if (!cJSON_AddItemToArray(arr, v)) {
        cJSON_Delete(v);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

/* v (owned) as an array: v itself, or a new array holding it. NULL on NOMEM. */
static cJSON *as_array(cJSON *v)
{
    cJSON *a;

    if (cJSON_IsArray(v))
        return v;
    a = cJSON_CreateArray();
    if (!a || (v && !cJSON_AddItemToArray(a, v))) {
        cJSON_Delete(a);
        cJSON_Delete(v);
        return NULL;
    }
    return a;
}

/* Set key (a static keyword literal, not copied) of o to v (owned, freed on
 * failure; o NULL is a failure). */
static mcred_rc put_kw(cJSON *o, const char *kw, cJSON *v)
{
    if (!o || !v || !cJSON_AddItemToObjectCS(o, kw, v)) {
        cJSON_Delete(v);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

/* Set key (copied) of o to v (owned, freed on failure). */
static mcred_rc put(cJSON *o, const char *key, cJSON *v)
{
    if (!o || !v || !cJSON_AddItemToObject(o, key, v)) {
        cJSON_Delete(v);
        return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

/* The static keyword literal equal to kw (so it can be a constant key). */
static const char *kw_literal(const char *kw)
{
    return jld_keywords[jld_keyword(kw)];
}

/* "add value" with as array true (§ definitions): key of o gets v's items. */
static mcred_rc add_value(cJSON *o, const char *key, cJSON *v)
{
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(o, key), *arr;
    const char *lit;

    if (!cur) {
        arr = as_array(v);
        if (!arr)
            return MCRED_ERR_NOMEM;
        lit = key[0] == '@' ? kw_literal(key) : NULL;
        return lit ? put_kw(o, lit, arr) : put(o, key, arr);
    }
    if (!cJSON_IsArray(cur)) {
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
        while (c && c->child && (cJSON_IsArray(c) || cJSON_IsObject(c))) {
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

static cJSON *dup(const cJSON *v)
{
    return cJSON_Duplicate(v, true);
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
    t = jld_term_get(c, key, strlen(key));
    return t && t->iri && t->iri[0] == '@' ? jld_keyword(t->iri) : KW_NO;
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
    *out = cJSON_CreateString(iri);
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
    if (type && cJSON_IsString(value) && (!strcmp(type, "@id") || !strcmp(type, "@vocab"))) {
        mc_buf_init(&buf, 0);
        rc = jld_expand_iri(st, active, value->valuestring,
                            JLD_I_DOCREL | (type[1] == 'v' ? JLD_I_VOCAB : 0), &buf, &iri);
        if (!rc)
            rc = iri_node(st, "IRI value", value->valuestring, iri, &s);
        mc_buf_release(&buf);
        if (rc)
            return rc;
        r = cJSON_CreateObject();
        if (put_kw(r, "@id", s ? s : cJSON_CreateNull())) {
            cJSON_Delete(r);
            return nomem(st);
        }
        *out = r;
        return MCRED_OK;
    }
    r = cJSON_CreateObject();
    if (!r || put_kw(r, "@value", dup(value)))
        goto fail;
    if (type && strcmp(type, "@id") != 0 && strcmp(type, "@vocab") != 0 &&
        strcmp(type, "@none") != 0) {
        if (put_kw(r, "@type", cJSON_CreateString(type)))
            goto fail;
    } else if (cJSON_IsString(value)) {
        lang = t && t->has_lang ? t->lang : active->lang;
        dir = t && t->has_dir ? t->dir : active->dir;
        if (lang && put_kw(r, "@language", cJSON_CreateString(lang)))
            goto fail;
        if (dir && put_kw(r, "@direction", cJSON_CreateString(dir == JLD_DIR_LTR ? "ltr" : "rtl")))
            goto fail;
    }
    *out = r;
    return MCRED_OK;
fail:
    cJSON_Delete(r);
    return nomem(st);
}

/* --- node expansion -------------------------------------------------------- */

/* What the entries of one map (and its nested maps) share. */
struct node {
    cJSON *result;                 /* the expanded map being built */
    const struct jld_ctx *tsc;     /* type-scoped context, for @type values */
    const char *aprop;             /* active property */
    bool json_input;               /* input type is @json */
};

static mcred_rc entries(struct jld_state *st, struct node *nd, const struct jld_ctx *active,
                        const cJSON *elem);

static mcred_rc kw_id(struct jld_state *st, const struct jld_ctx *active, const cJSON *value,
                      cJSON **ev)
{
    struct mc_buf buf;
    const char *iri;
    mcred_rc rc;

    if (!cJSON_IsString(value))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @id value: not a string");
    mc_buf_init(&buf, 0);
    rc = jld_expand_iri(st, active, value->valuestring, JLD_I_DOCREL, &buf, &iri);
    if (!rc)
        rc = iri_node(st, "@id", value->valuestring, iri, ev);
    mc_buf_release(&buf);
    if (!rc && !*ev && !(*ev = cJSON_CreateNull()))
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
    if (cJSON_IsArray(value)) {
        for (it = value->child; it; it = it->next) {
            if (!cJSON_IsString(it))
                return jld_fail(st, MCRED_ERR_INVALID, "invalid type value: not a string");
        }
    } else if (!cJSON_IsString(value)) {
        return jld_fail(st, MCRED_ERR_INVALID, "invalid type value: not a string or array");
    }
    arr = cJSON_CreateArray();
    if (!arr)
        return nomem(st);
    mc_buf_init(&buf, 0);
    for (it = cJSON_IsArray(value) ? value->child : value; it && !rc;
         it = cJSON_IsArray(value) ? it->next : NULL) {
        rc = jld_expand_iri(st, nd->tsc, it->valuestring, JLD_I_DOCREL | JLD_I_VOCAB, &buf, &iri);
        if (!rc)
            rc = iri_node(st, "type", it->valuestring, iri, &s);
        if (!rc && s && !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            rc = nomem(st);
        }
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
    } else if (cJSON_IsString(value)) {
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

    if (!cJSON_IsObject(value))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid @reverse value: not a map");
    rc = expand(st, active, "@reverse", NULL, value, false, &ev);
    if (rc || !cJSON_IsObject(ev)) {
        cJSON_Delete(ev);
        return rc;
    }
    rmap = cJSON_DetachItemFromObjectCaseSensitive(ev, "@reverse");
    for (m = rmap ? rmap->child : NULL; m && !rc; m = next) {
        next = m->next;
        items = cJSON_DetachItemViaPointer(rmap, m);
        rc = add_value(nd->result, items->string, items) ? nomem(st) : MCRED_OK;
    }
    cJSON_Delete(rmap);
    if (!rc && ev->child) {
        rmap = cJSON_GetObjectItemCaseSensitive(nd->result, "@reverse");
        if (!rmap) {
            rmap = cJSON_CreateObject();
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
        } else if (!is_scalar(value) && !cJSON_IsNull(value)) {
            return jld_fail(st, MCRED_ERR_INVALID, "invalid value object value: not a scalar");
        }
    } else if (kw == KW_LANGUAGE) {
        if (!cJSON_IsString(value))
            return jld_fail(st, MCRED_ERR_INVALID,
                            "invalid language-tagged string: @language is not a string");
    } else if (kw == KW_DIRECTION) {
        if (!cJSON_IsString(value) ||
            (strcmp(value->valuestring, "ltr") != 0 && strcmp(value->valuestring, "rtl") != 0))
            return jld_fail(st, MCRED_ERR_INVALID, "invalid base direction: not ltr or rtl");
    } else if (!cJSON_IsString(value)) {
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

    if (nd->aprop && !strcmp(nd->aprop, "@reverse"))
        return jld_fail(st, MCRED_ERR_INVALID, "invalid reverse property map: keyword '%s'", lit);
    cur = cJSON_GetObjectItemCaseSensitive(nd->result, lit);
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
            if (!cJSON_IsObject(it) || get(it, "@value") || get(it, "@list") || get(it, "@set"))
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
        if (!nd->aprop || !strcmp(nd->aprop, "@graph")) {
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
    arr = cJSON_CreateArray();
    if (!arr)
        return nomem(st);
    mc_buf_init(&buf, 0);
    for (m = value->child; m && !rc; m = m->next) {
        bool none = !strcmp(m->string, "@none");

        if (!none) {
            rc = jld_expand_iri(st, active, m->string, JLD_I_VOCAB, &buf, &lang);
            none = !rc && lang && !strcmp(lang, "@none");
        }
        for (it = cJSON_IsArray(m) ? m->child : m; it && !rc; it = cJSON_IsArray(m) ? it->next
                                                                                 : NULL) {
            if (cJSON_IsNull(it))
                continue;
            if (!cJSON_IsString(it)) {
                rc = jld_fail(st, MCRED_ERR_INVALID,
                              "invalid language map value: '%.40s' is not a string", m->string);
                break;
            }
            v = cJSON_CreateObject();
            if (put_kw(v, "@value", cJSON_CreateString(it->valuestring)) ||
                (!none && put_kw(v, "@language", cJSON_CreateString(m->string))) ||
                (dir && put_kw(v, "@direction",
                               cJSON_CreateString(dir == JLD_DIR_LTR ? "ltr" : "rtl")))) {
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
        s = cJSON_CreateString(index);
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
        rc = put_kw(item, "@index", cJSON_CreateString(index)) ? nomem(st) : MCRED_OK;
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
    arr = cJSON_CreateArray();
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
                g = cJSON_CreateObject();
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
    if (t && t->type && !strcmp(t->type, "@json")) {
        if (json_depth(value, MC_JSON_MAX_DEPTH) > MC_JSON_MAX_DEPTH) {
            rc = jld_fail(st, MCRED_ERR_LIMIT, "JSON literal nested too deeply");
        } else {
            ev = cJSON_CreateObject();
            rc = !ev || put_kw(ev, "@value", dup(value)) ||
                         put_kw(ev, "@type", cJSON_CreateString("@json")) ? nomem(st) : MCRED_OK;
        }
    } else if ((c & JLD_C_LANGUAGE) && cJSON_IsObject(value)) {
        rc = language_map(st, active, t, value, &ev);
    } else if ((c & (JLD_C_INDEX | JLD_C_TYPE | JLD_C_ID)) && cJSON_IsObject(value)) {
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
        w = cJSON_CreateObject();
        if (put_kw(w, "@list", as_array(ev))) {
            cJSON_Delete(w);
            return nomem(st);
        }
        ev = w;
    }
    if ((c & JLD_C_GRAPH) && !(c & (JLD_C_ID | JLD_C_INDEX))) {
        cJSON *arr = as_array(ev), *res = cJSON_CreateArray();

        if (!arr || !res) {
            cJSON_Delete(arr);
            cJSON_Delete(res);
            return nomem(st);
        }
        while (arr->child) {
            it = cJSON_DetachItemViaPointer(arr, arr->child);
            w = cJSON_CreateObject();
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
        rmap = cJSON_GetObjectItemCaseSensitive(nd->result, "@reverse");
        if (!rmap) {
            rmap = cJSON_CreateObject();
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
    return add_value(nd->result, prop, ev) ? nomem(st) : MCRED_OK;
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
        for (nv = cJSON_IsArray(v) ? v->child : v; nv && !rc;
             nv = cJSON_IsArray(v) ? nv->next : NULL) {
            rc = jld_work(st, 1);
            if (!rc && (!cJSON_IsObject(nv) || !named(nv)))
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
    size_t nnests = 0;
    struct mc_buf buf;
    const cJSON *m;
    mcred_rc rc = MCRED_OK;

    mc_buf_init(&buf, 0);
    for (m = elem->child; m && !rc; m = m->next) {
        if (!strcmp(m->string, "@context"))
            continue;
        rc = jld_work(st, 1);
        if (rc)
            break;
        rc = jld_expand_key(st, active, m->string, &buf, &prop, &t);
        if (rc)
            break;
        if (!prop || (!strchr(prop, ':') && !jld_is_keyword(prop))) {
            if (st->o->safe)
                rc = jld_fail(st, MCRED_ERR_INVALID, "safe mode: term '%.80s' is not defined "
                              "in the context, it would be dropped", m->string);
            continue;
        }
        if (st->o->safe && prop[0] != '@' && !mc_iri_is_absolute(prop)) {
            rc = jld_fail(st, MCRED_ERR_INVALID, "safe mode: property '%.80s' expands to '%.80s', "
                          "not an absolute IRI", m->string, prop);
            break;
        }
        if (prop[0] == '@')
            rc = keyword_entry(st, nd, active, jld_keyword(prop), m, &nests, &nnests);
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
    const cJSON *last = cJSON_IsArray(first) ? (first->child ? first->child->prev : NULL) : first;
    struct mc_buf buf;
    const char *ty;
    mcred_rc rc;

    if (!last || !cJSON_IsString(last))
        return MCRED_OK;
    mc_buf_init(&buf, 0);
    rc = jld_expand_iri(st, active, last->valuestring, JLD_I_VOCAB, &buf, &ty);
    *json_input = !rc && ty && !strcmp(ty, "@json");
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
        nv = cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 1;
        vals = vbuf;
        if (nv > sizeof(vbuf) / sizeof(vbuf[0]) && !(vals = mc_allocarray(nv, sizeof(*vals)))) {
            rc = nomem(st);
            break;
        }
        nv = 0;
        for (m = cJSON_IsArray(v) ? v->child : v; m; m = cJSON_IsArray(v) ? m->next : NULL) {
            if (cJSON_IsString(m))
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
        if (!(cJSON_IsString(ty) && !strcmp(ty->valuestring, "@json"))) {
            if (cJSON_IsNull(v) || (cJSON_IsArray(v) && !v->child)) {
                if (st->o->safe)
                    return jld_fail(st, MCRED_ERR_INVALID, "safe mode: null @value dropped");
                cJSON_Delete(r);
                return MCRED_OK;
            }
            if (!cJSON_IsString(v) && (k & K_LANGUAGE))
                return jld_fail(st, MCRED_ERR_INVALID,
                                "invalid language-tagged value: @value is not a string");
            if (ty && (!cJSON_IsString(ty) || !mc_iri_is_valid(ty->valuestring)))
                return jld_fail(st, MCRED_ERR_INVALID, "invalid typed value: @type is not an "
                                "IRI");
        }
    } else if ((k & K_TYPE) && !cJSON_IsArray(get(r, "@type"))) {
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
    if ((!aprop || !strcmp(aprop, "@graph")) &&
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
    rc = type_scoped(st, elem, &active, &nd.json_input);
    if (rc)
        return rc;
    nd.result = cJSON_CreateObject();
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

    res = cJSON_CreateArray();
    if (!res)
        return nomem(st);
    for (it = elem->child; it && !rc; it = it->next, i++) {
        e = NULL;
        push_idx(st, i);
        rc = expand(st, active, aprop, t, it, from_map, &e);
        pop(st);
        if (rc)
            break;
        if (list && cJSON_IsArray(e)) {
            if (st->o->json10) {
                cJSON_Delete(e);
                rc = jld_fail(st, MCRED_ERR_INVALID, "list of lists: not in json-ld-1.0 mode");
                break;
            }
            w = cJSON_CreateObject();
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

    if (!aprop || !strcmp(aprop, "@graph")) {
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
    if (!elem || cJSON_IsNull(elem))
        return MCRED_OK;
    if (st->depth >= JLD_MAX_DEPTH)
        return jld_fail(st, MCRED_ERR_LIMIT, "JSON-LD document nested deeper than %d levels",
                        JLD_MAX_DEPTH);
    rc = jld_work(st, 1);
    if (rc)
        return rc;
    st->depth++;
    if (cJSON_IsArray(elem))
        rc = expand_array(st, active, aprop, adef, elem, from_map, out);
    else if (cJSON_IsObject(elem))
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
        if (cJSON_IsObject(ec) && get(ec, "@context"))
            ec = get(ec, "@context");
        rc = jld_process(&st, active, ec, o->base, false, 0, &active);
    }
    if (!rc)
        rc = expand(&st, active, NULL, NULL, doc, false, &r);
    if (!rc && r && cJSON_IsObject(r) && r->child && !r->child->next && get(r, "@graph")) {
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
