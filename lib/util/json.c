/* json.c - bounded JSON parsing on top of cJSON, with located errors.
 * SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE 1   /* memmem */
#include "internal.h"

#include <pthread.h>
#include <string.h>

#include "util/json.h"

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

/* The arena: chunks chained newest first; the first chunk is kept between
 * scopes, the others are freed at the end of each scope. */
struct arena_chunk {
    struct arena_chunk *next;
    size_t cap;            /* bytes in data */
    size_t used;
    max_align_t data[];    /* aligned storage */
};

struct arena {
    struct arena_chunk *head;   /* newest chunk */
    size_t total;               /* bytes held by all chunks */
    bool active;
    bool spilled;               /* some allocation of this scope went to the heap */
};

static _Thread_local struct arena arena;

/* A thread that made an arena frees it when it ends (the kept chunk would
 * otherwise outlive the thread: bulk signing starts threads per batch). */
static pthread_key_t arena_key;
static pthread_once_t arena_key_once = PTHREAD_ONCE_INIT;

static void arena_thread_end(void *unused)
{
    struct arena_chunk *c = arena.head;

    (void)unused;
    while (c) {
        struct arena_chunk *next = c->next;

        mc_free(c);
        c = next;
    }
    arena.head = NULL;
    arena.total = 0;
}

static void arena_key_make(void)
{
    (void)pthread_key_create(&arena_key, arena_thread_end);
}

#define ARENA_CHUNK ((size_t)64 * 1024)

static bool arena_owns(const void *p)
{
    const struct arena_chunk *c;

    for (c = arena.head; c; c = c->next) {
        const char *lo = (const char *)c->data;

        if ((const char *)p >= lo && (const char *)p < lo + c->cap)
            return true;
    }
    return false;
}

static void *arena_alloc(size_t n)
{
    struct arena_chunk *c = arena.head;
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    void *p;

    if (!c || c->cap - c->used < need) {
        size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

        if (arena.total + cap > MC_JSON_ARENA_MAX) {
            arena.spilled = true;   /* trees must now be freed node by node */
            return mc_malloc(n);
        }
        c = mc_malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        if (!arena.head) {   /* this thread's first chunk: free it when the thread ends */
            pthread_once(&arena_key_once, arena_key_make);
            (void)pthread_setspecific(arena_key, &arena);
        }
        c->next = arena.head;
        arena.head = c;
        arena.total += cap;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    return p;
}

static _Thread_local bool alloc_failed;   /* cJSON says NULL for NOMEM and syntax alike */

static void *hook_malloc(size_t n)
{
    void *p = arena.active ? arena_alloc(n) : mc_malloc(n);

    if (!p)
        alloc_failed = true;
    return p;
}

static void hook_free(void *p)
{
    if (arena.active && arena_owns(p))
        return;
    mc_free(p);
}

static void set_hooks(void)
{
    cJSON_Hooks h = { hook_malloc, hook_free };

    cJSON_InitHooks(&h);
}

void mc_json_delete(cJSON *v)
{
    if (!v || (arena.active && !arena.spilled && arena_owns(v)))
        return;
    cJSON_Delete(v);
}

bool mc_json_arena_begin(void)
{
    pthread_once(&hooks_once, set_hooks);
    if (arena.active)
        return false;
    arena.active = true;
    arena.spilled = false;
    return true;
}

void mc_json_arena_end(void)
{
    struct arena_chunk *c = arena.head;

    arena.active = false;
    /* keep the oldest chunk for the next scope, free the rest */
    while (c && c->next) {
        struct arena_chunk *next = c->next;

        arena.total -= c->cap;
        mc_free(c);
        c = next;
    }
    if (c && c->cap > ARENA_CHUNK) {   /* an outsized chunk is not worth keeping */
        arena.total -= c->cap;
        mc_free(c);
        c = NULL;
    }
    arena.head = c;
    if (c)
        c->used = 0;
}

bool mc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned c = p[i];
        size_t k;
        uint32_t cp;

        if (c < 0x80) {
            uint64_t w;

            /* ASCII runs, eight bytes at a time */
            while (n - i >= 8) {
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull)
                    break;
                i += 8;
            }
            if (i < n && p[i] < 0x80)
                i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* Line and column (1-based) of byte offset off. */
static void locate(const char *p, size_t off, size_t *line, size_t *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < off; i++) {
        if (p[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* One pass outside strings: nesting depth and "\u0000" escapes. Returns the
 * offset of the first problem, or n when none; *what names it. */
static size_t prescan(const char *p, size_t n, const char **what)
{
    size_t i, depth = 0;
    bool in_str = false;

    for (i = 0; i < n; i++) {
        char c = p[i];

        if (in_str) {
            if (c == '\\' && i + 1 < n) {
                if (p[i + 1] == 'u' && n - i >= 6 && memcmp(p + i + 2, "0000", 4) == 0) {
                    *what = "\\u0000 in a string is not accepted";
                    return i;
                }
                i++;
            } else if (c == '"') {
                in_str = false;
            }
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > MC_JSON_MAX_DEPTH) {
                *what = "nesting deeper than 128 levels";
                return i;
            }
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return n;
}

/* Depth of a parsed tree (a scalar is 0), stopping once past the limit. */
static size_t tree_depth(const cJSON *v, size_t depth)
{
    const cJSON *c;
    size_t max = depth;

    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return depth;
    if (depth + 1 > MC_JSON_MAX_DEPTH)
        return depth + 1;
    for (c = v->child, max = depth + 1; c; c = c->next) {
        size_t d = tree_depth(c, depth + 1);

        if (d > max)
            max = d;
        if (max > MC_JSON_MAX_DEPTH)
            break;
    }
    return max;
}

static mcred_rc located(const char *p, size_t off, const char *what, struct mc_err *err)
{
    size_t line, col;

    locate(p, off, &line, &col);
    return mc_err_set(err, what[0] == 'n' ? MCRED_ERR_LIMIT : MCRED_ERR_INVALID,
                      "JSON %s (line %zu, column %zu)", what, line, col);
}

mcred_rc mc_json_parse(const char *p, size_t n, size_t max_bytes, cJSON **out,
                       struct mc_err *err)
{
    const char *end = NULL, *what = NULL;
    size_t off, line, col;
    cJSON *v;

    *out = NULL;
    pthread_once(&hooks_once, set_hooks);
    if (!max_bytes)
        max_bytes = MC_JSON_MAX_BYTES;
    if (n > max_bytes)
        return mc_err_set(err, MCRED_ERR_LIMIT, "JSON input of %zu bytes exceeds the limit of %zu",
                          n, max_bytes);
    if (!mc_utf8_valid(p, n))
        return mc_err_set(err, MCRED_ERR_INVALID, "JSON input is not valid UTF-8");
    /* Design note: the byte-by-byte prescan (depth, "\u0000") costs as much as
     * the parse itself, so it runs only when needed: when the input holds a
     * "\u0000" (memmem is vectorised), or when the parse failed (to say why);
     * the depth of a good parse is checked on the tree. cJSON's own nesting
     * limit (1000) keeps its recursion bounded meanwhile. */
    if (memmem(p, n, "\\u0000", 6)) {
        off = prescan(p, n, &what);
        if (off < n)
            return located(p, off, what, err);
    }
    alloc_failed = false;
    v = cJSON_ParseWithLengthOpts(p, n, &end, false);
    if (!v && alloc_failed)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory parsing JSON");
    if (v && tree_depth(v, 0) > MC_JSON_MAX_DEPTH) {
        cJSON_Delete(v);
        off = prescan(p, n, &what);   /* sets what: a separate statement (evaluation order) */
        return located(p, off, what, err);
    }
    if (!v) {
        off = prescan(p, n, &what);
        if (off < n)
            return located(p, off, what, err);
    }
    if (!v) {
        off = end && end >= p && end <= p + n ? (size_t)(end - p) : n;
        locate(p, off, &line, &col);
        return mc_err_set(err, MCRED_ERR_INVALID, "malformed JSON at line %zu, column %zu",
                          line, col);
    }
    off = (size_t)(end - p);
    while (off < n && (p[off] == ' ' || p[off] == '\n' || p[off] == '\r' || p[off] == '\t'))
        off++;
    if (off < n && p[off] != '\0') {
        cJSON_Delete(v);
        locate(p, off, &line, &col);
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "unexpected data after the JSON value at line %zu, column %zu", line,
                          col);
    }
    *out = v;
    return MCRED_OK;
}

const char *mc_json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = mc_json_get(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool mc_json_has_str(const cJSON *v, const char *s)
{
    const cJSON *e;

    if (cJSON_IsString(v))
        return strcmp(v->valuestring, s) == 0;
    if (!cJSON_IsArray(v))
        return false;
    cJSON_ArrayForEach(e, v) {
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return true;
    }
    return false;
}

bool mc_json_add_ref(cJSON *obj, const char *name, const cJSON *item)
{
    cJSON *ref = cJSON_CreateNull();

    if (!ref)
        return false;
    memcpy(ref, item, sizeof(*ref));
    ref->string = NULL;
    ref->next = NULL;
    ref->prev = NULL;
    ref->type |= cJSON_IsReference;   /* cJSON_Delete(ref) leaves child and value alone */
    if (!cJSON_AddItemToObject(obj, name, ref)) {
        cJSON_Delete(ref);
        return false;
    }
    return true;
}
