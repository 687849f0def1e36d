/* json.h - the one door to the JSON library (cJSON, chosen by measurement:
 * DESIGN.md §5). Parsing is bounded (size, depth, UTF-8 validity) and reports
 * where the input went wrong. Everything else in lib/ reads documents through
 * cJSON's tree and these accessors.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_JSON_H
#define MC_JSON_H

#include <cjson/cJSON.h>

#include "internal.h"
#include "util/buf.h"

#define MC_JSON_MAX_BYTES ((size_t)16 << 20) /* a credential or document */
#define MC_JSON_MAX_DEPTH 128                /* nesting of arrays and objects */

/* Parse n bytes of JSON (RFC 8259, strictly: as JSON.parse reads it; a
 * leading UTF-8 byte order mark is skipped) into *out (owned: cJSON_Delete).
 * Rejects invalid UTF-8, nesting deeper than MC_JSON_MAX_DEPTH, more than
 * max_bytes (0 selects MC_JSON_MAX_BYTES), trailing garbage and "\u0000" in
 * strings; err says what and at which line and column. *out is NULL on
 * failure. The tree is cJSON's own layout, made with cJSON's allocator hooks
 * (the arena inside an mc_json_arena_begin scope). */
MC_NODISCARD mcred_rc mc_json_parse(const char *p, size_t n, size_t max_bytes, cJSON **out,
                                    struct mc_err *err);

/* A per-thread scratch arena for JSON trees. Between mc_json_arena_begin and
 * mc_json_arena_end every cJSON allocation on this thread is a pointer bump in
 * memory the arena keeps between calls, and cJSON_Delete frees nothing: the
 * whole scope is released at once by mc_json_arena_end. Parsing and freeing a
 * credential then costs a fraction of malloc/free per node.
 * Rules: every tree made inside the scope is deleted (or abandoned) before
 * mc_json_arena_end, and none made outside is handed in to be kept. Scopes do
 * not nest (begin returns false when one is open, and the caller then simply
 * does not call end). Past MC_JSON_ARENA_MAX bytes allocations fall back to
 * the heap. */
#define MC_JSON_ARENA_MAX ((size_t)32 << 20)
bool mc_json_arena_begin(void);
void mc_json_arena_end(void);
/* Delete a tree; inside an arena scope a tree made in the arena needs no
 * walk (the scope's end frees it), so this returns at once. */
void mc_json_delete(cJSON *v);

/* Memory for code that builds cJSON trees itself (expansion makes hundreds of
 * nodes a credential): from the allocator cJSON's hooks use, a pointer bump
 * in the arena inside a scope, so cJSON_Delete and cJSON_free release it like
 * cJSON's own. mc_json_node: a zeroed node of the given type;
 * mc_json_strndup: a copy of s[0..n) and a NUL. NULL on NOMEM. */
cJSON *mc_json_node(int type);
char *mc_json_strndup(const char *s, size_t n);

/* True when p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool mc_utf8_valid(const char *p, size_t n);

/* cJSON_IsString, cJSON_IsArray and cJSON_IsObject inline: the library's
 * are calls through the PLT, made thousands of times a credential. */
static inline bool mc_json_is_string(const cJSON *v)
{
    return v && (v->type & 0xff) == cJSON_String;
}

static inline bool mc_json_is_array(const cJSON *v)
{
    return v && (v->type & 0xff) == cJSON_Array;
}

static inline bool mc_json_is_object(const cJSON *v)
{
    return v && (v->type & 0xff) == cJSON_Object;
}

/* Member name of obj (NULL when obj is not an object or has no such member).
 * cJSON_GetObjectItemCaseSensitive's result, compared inline: validation
 * and expansion look up hundreds of members per credential. */
static inline cJSON *mc_json_get(const cJSON *obj, const char *name)
{
    cJSON *c;

    if (!obj || (obj->type & 0xff) != cJSON_Object)
        return NULL;
    for (c = obj->child; c; c = c->next) {
        const char *a = c->string, *b = name;

        if (!a || a[0] != b[0])
            continue;
        while (*a && *a == *b) {   /* member names are short: no call to strcmp */
            a++;
            b++;
        }
        if (*a == *b)
            return c;
    }
    return NULL;
}

/* Member key of obj as a string, or NULL when absent or not a string. Borrowed. */
const char *mc_json_str(const cJSON *obj, const char *key);
/* Add to obj, under name, a reference to item (item is not copied and not
 * freed with obj). name is copied, unless it is item->string itself: then it
 * is borrowed like the item. Unlike cJSON_AddItemReferenceToObject, nothing
 * leaks when an allocation fails. */
bool mc_json_add_ref(cJSON *obj, const char *name, const cJSON *item);

/* True when v is an array containing the string s, or is the string s. */
bool mc_json_has_str(const cJSON *v, const char *s);

#endif /* MC_JSON_H */
