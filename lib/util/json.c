/* json.c - bounded JSON parsing into cJSON trees (our own parser: strict
 * RFC 8259, UTF-8 and depth checked in the same pass), with located errors;
 * the per-thread arena for trees; small accessors.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

/* The arena: chunks chained newest first. At the end of a scope up to
 * ARENA_KEEP chunks of the usual size are kept for the next scopes (the
 * server's verify route needs a few per request), the others are freed. */
struct arena_chunk {
    struct arena_chunk *next;
    size_t cap;            /* bytes in data */
    size_t used;
    max_align_t data[];    /* aligned storage */
};

struct arena {
    struct arena_chunk *head;   /* newest chunk */
    struct arena_chunk *spare;  /* kept empty chunks, taken before malloc */
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
    for (c = arena.spare; c;) {
        struct arena_chunk *next = c->next;

        mc_free(c);
        c = next;
    }
    arena.spare = NULL;
    arena.head = NULL;
    arena.total = 0;
}

static void arena_key_make(void)
{
    (void)pthread_key_create(&arena_key, arena_thread_end);
}

#define ARENA_CHUNK ((size_t)64 * 1024)
#define ARENA_KEEP 4

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

    if (c)   /* the parser's strings may have left it unaligned */
        c->used = (c->used + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (!c || c->used > c->cap || c->cap - c->used < need) {
        size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

        if (arena.spare && cap == ARENA_CHUNK) {
            c = arena.spare;
            arena.spare = c->next;
            arena.total -= cap;   /* counted again below */
        } else {
            if (arena.total + cap > MC_JSON_ARENA_MAX) {
                arena.spilled = true;   /* trees must now be freed node by node */
                return mc_malloc(n);
            }
            c = mc_malloc(sizeof(*c) + cap);
            if (!c)
                return NULL;
            c->cap = cap;
        }
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

static void *hook_malloc(size_t n)
{
    return arena.active ? arena_alloc(n) : mc_malloc(n);
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

/* n bytes aligned to align (a power of two, at most that of max_align_t):
 * a pointer bump in the arena's current chunk when a scope is open and it
 * has room, else hook_malloc. */
static inline void *fast_alloc(size_t n, size_t align)
{
    struct arena_chunk *c = arena.head;

    if (arena.active && c) {
        size_t at = (c->used + align - 1) & ~(align - 1);

        if (at <= c->cap && c->cap - at >= n) {
            c->used = at + n;
            return (char *)c->data + at;
        }
    }
    return hook_malloc(n);
}

cJSON *mc_json_node(int type)
{
    cJSON *v = fast_alloc(sizeof(*v), _Alignof(cJSON));

    if (v) {
        memset(v, 0, sizeof(*v));
        v->type = type;
    }
    return v;
}

char *mc_json_strndup(const char *s, size_t n)
{
    char *p = fast_alloc(n + 1, 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
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
    struct arena_chunk *c;
    size_t kept = 0;

    arena.active = false;
    for (c = arena.spare; c; c = c->next)
        kept++;
    /* keep the oldest chunk for the next scope, a few more as spares, free
     * the rest */
    c = arena.head;
    while (c && c->next) {
        struct arena_chunk *next = c->next;

        if (c->cap == ARENA_CHUNK && kept < ARENA_KEEP) {
            c->next = arena.spare;   /* still counted in total */
            arena.spare = c;
            kept++;
        } else {
            arena.total -= c->cap;
            mc_free(c);
        }
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

/* ---- the parser ------------------------------------------------------------
 * Design note: our own recursive-descent parser builds the cJSON tree that the rest of lib/ reads
 * (same node layout, same allocator hooks, so cJSON_Delete and the arena treat its nodes like
 * cJSON's own). It checks in the same pass what used to take separate passes over the input: UTF-8
 * (in strings; outside them only ASCII is accepted), nesting depth and "\u0000". It takes about a
 * third of cJSON_Parse's time on a credential: strings are scanned sixteen bytes at a time (SSE2;
 * else eight) and copied once, literals are not tried by strncmp before every value, and nodes
 * come straight from the arena. It follows RFC 8259 strictly where cJSON was lax (whitespace other
 * than space, tab, CR and LF; raw control characters in strings; invalid \u escapes, which cJSON
 * read as U+0000; numbers such as "01" or "1."), as JSON.parse does. A UTF-8 byte order mark at
 * the start is skipped, as cJSON did. When it fails, the old diagnosis runs: invalid UTF-8 first,
 * then "\u0000" and depth (prescan), then where the syntax broke. */

struct jp {
    const unsigned char *p;     /* cursor */
    const unsigned char *end;
    const unsigned char *fail;  /* where the syntax broke */
    unsigned depth;             /* open arrays and objects */
    bool nomem;
};

#define JP_ONES 0x0101010101010101ULL
#define JP_HIGHS 0x8080808080808080ULL

/* True when none of the 8 bytes at p ends or interrupts a plain string run:
 * all ASCII, none a control character, '"' or '\\'. */
static inline bool jp_plain8(const unsigned char *p)
{
    uint64_t w, q, bs;

    memcpy(&w, p, sizeof(w));
    q = w ^ (JP_ONES * '"');
    bs = w ^ (JP_ONES * '\\');
    return ((w | ((w - JP_ONES * 0x20) & ~w) | ((q - JP_ONES) & ~q) | ((bs - JP_ONES) & ~bs)) &
            JP_HIGHS) == 0;
}

/* The first byte at or after p that is not plain (see jp_plain8), or end
 * (or a little before it: the caller looks at the rest byte by byte). */
static inline const unsigned char *jp_plain_run(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(' ');

    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed compare: controls and bytes >= 0x80 (negative) are below ' ' */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
                                              _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);

        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (end - p >= 8 && jp_plain8(p))
        p += 8;
    return p;
}

static inline const unsigned char *jp_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static bool jp_fail(struct jp *j, const unsigned char *at)
{
    j->fail = at;
    return false;
}

/* A zeroed node of the given type, from the hooks' allocator (the arena
 * inside a scope). */
static cJSON *jp_node(struct jp *j, int type)
{
    cJSON *v = fast_alloc(sizeof(*v), _Alignof(cJSON));

    if (!v) {
        j->nomem = true;
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->type = type;
    return v;
}

/* Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or 0:
 * no overlongs, surrogates or values above U+10FFFF (as mc_utf8_valid). */
static size_t jp_utf8(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t k, i;
    uint32_t cp;

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
        return 0;
    }
    if ((size_t)(end - p) <= k)
        return 0;
    for (i = 1; i <= k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k + 1;
}

static int jp_hex4(const unsigned char *p)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        unsigned c = p[i];

        if (c >= '0' && c <= '9')
            v = v * 16 + (int)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v = v * 16 + (int)((c | 0x20) - 'a' + 10);
        else
            return -1;
    }
    return v;
}

/* Decode the escapes of s[0..n) (well-formed but for the escapes, which are
 * checked here) into w; returns the end of what was written, or NULL with
 * j->fail set. The result is never longer than the input. */
static char *jp_unescape(struct jp *j, const unsigned char *s, size_t n, char *w)
{
    const unsigned char *r = s, *end = s + n;

    while (r < end) {
        const unsigned char *bs = memchr(r, '\\', (size_t)(end - r));
        uint32_t cp;
        int hi, lo;

        if (!bs) {
            memcpy(w, r, (size_t)(end - r));
            return w + (end - r);
        }
        memcpy(w, r, (size_t)(bs - r));
        w += bs - r;
        r = bs + 2;   /* the scan made sure an escape has its second byte */
        switch (bs[1]) {
        case '"': *w++ = '"'; continue;
        case '\\': *w++ = '\\'; continue;
        case '/': *w++ = '/'; continue;
        case 'b': *w++ = '\b'; continue;
        case 'f': *w++ = '\f'; continue;
        case 'n': *w++ = '\n'; continue;
        case 'r': *w++ = '\r'; continue;
        case 't': *w++ = '\t'; continue;
        case 'u': break;
        default: jp_fail(j, bs); return NULL;
        }
        if (end - r < 4 || (hi = jp_hex4(r)) < 0 || hi == 0 || (hi >= 0xdc00 && hi <= 0xdfff)) {
            jp_fail(j, bs);
            return NULL;
        }
        r += 4;
        cp = (uint32_t)hi;
        if (hi >= 0xd800 && hi <= 0xdbff) {
            if (end - r < 6 || r[0] != '\\' || r[1] != 'u' || (lo = jp_hex4(r + 2)) < 0xdc00 ||
                lo > 0xdfff) {
                jp_fail(j, bs);
                return NULL;
            }
            r += 6;
            cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
        }
        if (cp < 0x80) {
            *w++ = (char)cp;
        } else if (cp < 0x800) {
            *w++ = (char)(0xc0 | cp >> 6);
            *w++ = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            *w++ = (char)(0xe0 | cp >> 12);
            *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
            *w++ = (char)(0x80 | (cp & 0x3f));
        } else {
            *w++ = (char)(0xf0 | cp >> 18);
            *w++ = (char)(0x80 | (cp >> 12 & 0x3f));
            *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
            *w++ = (char)(0x80 | (cp & 0x3f));
        }
    }
    return w;
}

/* The string at j->p (its opening quote) as a new C string in *out. */
static bool jp_string(struct jp *j, char **out)
{
    const unsigned char *s = j->p + 1, *q = s, *end = j->end;
    bool esc = false;
    size_t k;
    char *str, *w;

    for (;;) {
        q = jp_plain_run(q, end);
        if (q >= end)
            return jp_fail(j, end);
        if (*q == '"')
            break;
        if (*q == '\\') {
            if (end - q < 2)
                return jp_fail(j, end);
            esc = true;
            q += 2;
        } else if (*q < 0x20) {
            return jp_fail(j, q);
        } else if (*q < 0x80) {
            q++;
        } else if ((k = jp_utf8(q, end)) != 0) {
            q += k;
        } else {
            return jp_fail(j, q);
        }
    }
    str = fast_alloc((size_t)(q - s) + 1, 1);
    if (!str) {
        j->nomem = true;
        return false;
    }
    if (!esc) {
        memcpy(str, s, (size_t)(q - s));
        w = str + (q - s);
    } else if (!(w = jp_unescape(j, s, (size_t)(q - s), str))) {
        hook_free(str);
        return false;
    }
    *w = '\0';
    *out = str;
    j->p = q + 1;
    return true;
}

#define JP_NUMBER_MAX 63   /* cJSON's bound on a number's text */

static bool jp_number(struct jp *j, cJSON *v)
{
    const unsigned char *p = j->p, *q = p, *end = j->end;
    bool plain = true;
    uint64_t u = 0;
    double d;
    size_t n;

    if (*q == '-')
        q++;
    if (q < end && *q == '0') {
        q++;
    } else if (q < end && *q >= '1' && *q <= '9') {
        while (q < end && *q >= '0' && *q <= '9')
            u = u * 10 + (uint64_t)(*q++ - '0');
    } else {
        return jp_fail(j, q);
    }
    if (q - p > 16)
        plain = false;   /* more digits than a double holds exactly: strtod rounds */
    if (q < end && *q == '.') {
        plain = false;
        if (++q >= end || *q < '0' || *q > '9')
            return jp_fail(j, q);
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < end && (*q | 0x20) == 'e') {
        plain = false;
        if (++q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || *q < '0' || *q > '9')
            return jp_fail(j, q);
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    }
    n = (size_t)(q - p);
    if (n > JP_NUMBER_MAX)
        return jp_fail(j, p + JP_NUMBER_MAX);
    if (plain && u < ((uint64_t)1 << 53)) {
        d = *p == '-' ? -(double)u : (double)u;
    } else {
        char buf[JP_NUMBER_MAX + 1], *dot;

        memcpy(buf, p, n);
        buf[n] = '\0';
        dot = memchr(buf, '.', n);
        if (dot)
            *dot = *localeconv()->decimal_point;   /* strtod reads the locale's */
        d = strtod(buf, NULL);
    }
    v->type = cJSON_Number;
    v->valuedouble = d;
    v->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    j->p = q;
    return true;
}

static bool jp_value(struct jp *j, cJSON *v);

/* Append a new node to the container v (after *last). */
static cJSON *jp_child(struct jp *j, cJSON *v, cJSON **last)
{
    cJSON *c = jp_node(j, cJSON_Invalid);

    if (!c)
        return NULL;
    if (*last) {
        (*last)->next = c;
        c->prev = *last;
    } else {
        v->child = c;
    }
    v->child->prev = c;   /* cJSON keeps the last item there */
    *last = c;
    return c;
}

static bool jp_array(struct jp *j, cJSON *v)
{
    cJSON *last = NULL, *c;

    v->type = cJSON_Array;
    if (++j->depth > MC_JSON_MAX_DEPTH)
        return jp_fail(j, j->p);
    j->p = jp_ws(j->p + 1, j->end);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        c = jp_child(j, v, &last);
        if (!c || !jp_value(j, c))
            return false;
        j->p = jp_ws(j->p, j->end);
        if (j->p < j->end && *j->p == ',') {
            j->p = jp_ws(j->p + 1, j->end);
            continue;
        }
        if (j->p < j->end && *j->p == ']')
            break;
        return jp_fail(j, j->p);
    }
    j->p++;
    j->depth--;
    return true;
}

static bool jp_object(struct jp *j, cJSON *v)
{
    cJSON *last = NULL, *c;
    char *key;

    v->type = cJSON_Object;
    if (++j->depth > MC_JSON_MAX_DEPTH)
        return jp_fail(j, j->p);
    j->p = jp_ws(j->p + 1, j->end);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        if (j->p >= j->end || *j->p != '"')
            return jp_fail(j, j->p);
        if (!jp_string(j, &key))
            return false;
        j->p = jp_ws(j->p, j->end);
        if (j->p >= j->end || *j->p != ':') {
            hook_free(key);
            return jp_fail(j, j->p);
        }
        c = jp_child(j, v, &last);
        if (!c) {
            hook_free(key);
            return false;
        }
        c->string = key;
        j->p = jp_ws(j->p + 1, j->end);
        if (!jp_value(j, c))
            return false;
        j->p = jp_ws(j->p, j->end);
        if (j->p < j->end && *j->p == ',') {
            j->p = jp_ws(j->p + 1, j->end);
            continue;
        }
        if (j->p < j->end && *j->p == '}')
            break;
        return jp_fail(j, j->p);
    }
    j->p++;
    j->depth--;
    return true;
}

/* A literal: true, false or null. */
static bool jp_literal(struct jp *j, cJSON *v, const char *word, size_t n, int type)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return jp_fail(j, j->p);
    v->type = type;
    v->valueint = type == cJSON_True;
    j->p += n;
    return true;
}

/* Fill v (already in the tree) with the value at j->p. */
static bool jp_value(struct jp *j, cJSON *v)
{
    if (j->p >= j->end)
        return jp_fail(j, j->end);
    switch (*j->p) {
    case '"':
        v->type = cJSON_String;
        return jp_string(j, &v->valuestring);
    case '{':
        return jp_object(j, v);
    case '[':
        return jp_array(j, v);
    case 't':
        return jp_literal(j, v, "true", 4, cJSON_True);
    case 'f':
        return jp_literal(j, v, "false", 5, cJSON_False);
    case 'n':
        return jp_literal(j, v, "null", 4, cJSON_NULL);
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
    case '8': case '9':
        return jp_number(j, v);
    default:
        return jp_fail(j, j->p);
    }
}

static mcred_rc located(const char *p, size_t off, const char *what, struct mc_err *err)
{
    size_t line, col;

    locate(p, off, &line, &col);
    return mc_err_set(err, what[0] == 'n' ? MCRED_ERR_LIMIT : MCRED_ERR_INVALID,
                      "JSON %s (line %zu, column %zu)", what, line, col);
}

/* Why the parser failed, in the order of the checks it merges. */
static mcred_rc diagnose(const char *p, size_t n, size_t fail_off, struct mc_err *err)
{
    const char *what = NULL;
    size_t off, line, col;

    if (!mc_utf8_valid(p, n))
        return mc_err_set(err, MCRED_ERR_INVALID, "JSON input is not valid UTF-8");
    off = prescan(p, n, &what);
    if (off < n)
        return located(p, off, what, err);
    if (fail_off >= n && n > 0)
        fail_off = n - 1;   /* the last byte, as cJSON reported the end */
    locate(p, fail_off, &line, &col);
    return mc_err_set(err, MCRED_ERR_INVALID, "malformed JSON at line %zu, column %zu", line,
                      col);
}

mcred_rc mc_json_parse(const char *p, size_t n, size_t max_bytes, cJSON **out,
                       struct mc_err *err)
{
    struct jp j;
    size_t off, line, col;
    cJSON *v;

    *out = NULL;
    pthread_once(&hooks_once, set_hooks);   /* cJSON_Delete must free what we allocate */
    if (!max_bytes)
        max_bytes = MC_JSON_MAX_BYTES;
    if (n > max_bytes)
        return mc_err_set(err, MCRED_ERR_LIMIT, "JSON input of %zu bytes exceeds the limit of %zu",
                          n, max_bytes);
    j.p = (const unsigned char *)p;
    j.end = j.p + n;
    j.fail = j.p;
    j.depth = 0;
    j.nomem = false;
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        j.p += 3;
    j.p = jp_ws(j.p, j.end);
    v = jp_node(&j, cJSON_Invalid);
    if (!v)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory parsing JSON");
    if (!jp_value(&j, v)) {
        cJSON_Delete(v);
        if (j.nomem)
            return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory parsing JSON");
        return diagnose(p, n, (size_t)(j.fail - (const unsigned char *)p), err);
    }
    off = (size_t)(jp_ws(j.p, j.end) - (const unsigned char *)p);
    if (off < n && p[off] != '\0') {
        cJSON_Delete(v);
        locate(p, off, &line, &col);
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "unexpected data after the JSON value at line %zu, column %zu", line,
                          col);
    }
    /* a NUL that ends a C string may follow the value (callers hand over
     * buffers with their terminator); anything else after it is data */
    while (off < n && p[off] == '\0')
        off++;
    if (off < n) {
        cJSON_Delete(v);
        locate(p, off, &line, &col);
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "unexpected data after a NUL byte at line %zu, column %zu", line, col);
    }
    *out = v;
    return MCRED_OK;
}

const char *mc_json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = mc_json_get(obj, key);

    return mc_json_is_string(v) ? v->valuestring : NULL;
}

bool mc_json_has_str(const cJSON *v, const char *s)
{
    const cJSON *e;

    if (mc_json_is_string(v))
        return strcmp(v->valuestring, s) == 0;
    if (!mc_json_is_array(v))
        return false;
    cJSON_ArrayForEach(e, v) {
        if (mc_json_is_string(e) && strcmp(e->valuestring, s) == 0)
            return true;
    }
    return false;
}

bool mc_json_add_ref(cJSON *obj, const char *name, const cJSON *item)
{
    cJSON *ref = mc_json_node(cJSON_NULL);

    if (!ref)
        return false;
    memcpy(ref, item, sizeof(*ref));
    ref->string = NULL;
    ref->next = NULL;
    ref->prev = NULL;
    ref->type |= cJSON_IsReference;   /* cJSON_Delete(ref) leaves child and value alone */
    /* under the item's own name (views of a document), the name is borrowed
     * like the rest of the item: no copy */
    if (!(name == item->string ? cJSON_AddItemToObjectCS(obj, name, ref)
                               : cJSON_AddItemToObject(obj, name, ref))) {
        cJSON_Delete(ref);
        return false;
    }
    return true;
}
