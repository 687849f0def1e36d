/* jcs.c - RFC 8785 JSON Canonicalization Scheme over cJSON trees: ECMAScript
 * number serialization, JSON.stringify string escaping and UTF-16 ordering of
 * object members.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonld/jcs.h"
#include "util/buf.h"
#include "util/json.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- numbers -----------------------------------------------------------------
 * Design note. ECMAScript (ECMA-262 Number::toString) wants the fewest decimal
 * digits k that read back as the double, and among k-digit candidates the one
 * closest to it. glibc's printf("%.*e") rounds correctly, so the k-digit
 * candidate it prints is the closest one, and glibc's strtod tells whether it
 * reads back. When the double's rounding interval is symmetric, "k digits
 * read back" is monotone in k (the closest k+1-digit decimal is never farther
 * than the closest k-digit one), so a binary search over k = 1..17 finds the
 * shortest in about five tries; 17 digits always read back.
 *
 * A double whose significand is a power of two (other than the smallest
 * normal) has a rounding interval half as wide below as above. There the
 * closest k-digit decimal may sit below, outside the narrow half, while the
 * next one up still reads back; such values take a linear scan that also tries
 * that upper neighbour. Every conversion avoids the locale's decimal point:
 * digits are read out of printf's output and fed back as "DIGITSeEXP". */

#define DIGITS_MAX 17  /* enough for any double to read back */

struct decimal {
    uint64_t s;  /* the significand digits as an integer, no trailing zeros needed */
    int k;       /* number of digits in s */
    int e;       /* value = s * 10^e */
};

/* The closest p-digit decimal to x > 0 (printf's correct rounding). */
static void closest_digits(double x, int p, struct decimal *dec)
{
    char buf[64];
    const char *c;
    int exp10 = 0, sign = 1;

    (void)snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
    dec->s = 0;
    dec->k = 0;
    for (c = buf; *c && *c != 'e'; c++) {
        if (*c >= '0' && *c <= '9') {
            dec->s = dec->s * 10 + (uint64_t)(*c - '0');
            dec->k++;
        }
    }
    if (*c == 'e')
        c++;
    if (*c == '-' || *c == '+') {
        sign = *c == '-' ? -1 : 1;
        c++;
    }
    for (; *c >= '0' && *c <= '9'; c++)
        exp10 = exp10 * 10 + (*c - '0');
    dec->e = sign * exp10 - (dec->k - 1);
}

/* True when the decimal reads back (round to nearest) as exactly x. */
static bool reads_back(const struct decimal *dec, double x)
{
    char buf[48];

    (void)snprintf(buf, sizeof(buf), "%llue%d", (unsigned long long)dec->s, dec->e);
    return strtod(buf, NULL) == x;
}

static uint64_t pow10_u64(int k)
{
    uint64_t r = 1;

    while (k-- > 0)
        r *= 10;
    return r;
}

/* The p-digit decimal one unit in the last place above dec. */
static void next_up(struct decimal *dec, int p)
{
    dec->s++;
    if (dec->s == pow10_u64(p)) {
        dec->s /= 10;
        dec->e++;
    }
}

/* Shortest decimal that reads back as the finite x > 0; ties go to printf's
 * round-half-even, which is ECMAScript's rule too. */
static void shortest_decimal(double x, struct decimal *dec)
{
    uint64_t bits;
    int lo = 1, hi = DIGITS_MAX, p;
    bool asymmetric;

    memcpy(&bits, &x, sizeof(bits));
    asymmetric = (bits & 0xfffffffffffffULL) == 0 && (bits >> 52) > 1;
    if (asymmetric) {
        for (p = 1; p < DIGITS_MAX; p++) {
            closest_digits(x, p, dec);
            if (reads_back(dec, x))
                return;
            next_up(dec, p);
            if (reads_back(dec, x))
                return;
        }
        closest_digits(x, DIGITS_MAX, dec);
        return;
    }
    while (lo < hi) {
        p = lo + (hi - lo) / 2;
        closest_digits(x, p, dec);
        if (reads_back(dec, x))
            hi = p;
        else
            lo = p + 1;
    }
    closest_digits(x, lo, dec);
}

/* Write the digits of v into buf (no terminator), returning how many. */
static int u64_digits(uint64_t v, char *buf)
{
    char tmp[20];
    int n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* ECMA-262 Number::toString steps for digits d[0..k) with value 0.d * 10^n. */
static size_t format_number(char *o, bool neg, const char *d, int k, int n)
{
    size_t len = 0;
    int i, e;

    if (neg)
        o[len++] = '-';
    if (k <= n && n <= 21) {           /* integer: digits then zeros */
        memcpy(o + len, d, (size_t)k);
        len += (size_t)k;
        for (i = k; i < n; i++)
            o[len++] = '0';
    } else if (0 < n && n <= 21) {     /* point inside the digits */
        memcpy(o + len, d, (size_t)n);
        len += (size_t)n;
        o[len++] = '.';
        memcpy(o + len, d + n, (size_t)(k - n));
        len += (size_t)(k - n);
    } else if (-6 < n && n <= 0) {     /* 0.000ddd */
        o[len++] = '0';
        o[len++] = '.';
        for (i = n; i < 0; i++)
            o[len++] = '0';
        memcpy(o + len, d, (size_t)k);
        len += (size_t)k;
    } else {                           /* d.ddde+x */
        o[len++] = d[0];
        if (k > 1) {
            o[len++] = '.';
            memcpy(o + len, d + 1, (size_t)(k - 1));
            len += (size_t)(k - 1);
        }
        e = n - 1;
        o[len++] = 'e';
        o[len++] = e < 0 ? '-' : '+';
        len += (size_t)u64_digits((uint64_t)(e < 0 ? -e : e), o + len);
    }
    return len;
}

mcred_rc mc_jcs_number(double d, struct mc_buf *out)
{
    char out_chars[40], digits[24];
    struct decimal dec;
    bool neg = false;
    double x = d;
    int k;

    if (!isfinite(d))
        return MCRED_ERR_INVALID;
    if (x < 0) {
        neg = true;
        x = -x;
    }
    if (x == 0)                        /* +0 and -0 */
        return mc_buf_appendc(out, '0');
    if (x < 9007199254740992.0 && x == (double)(uint64_t)x) {
        /* exact integer below 2^53: its digits are the shortest */
        k = u64_digits((uint64_t)x, out_chars + neg);
        if (neg)
            out_chars[0] = '-';
        return mc_buf_append(out, out_chars, (size_t)k + neg);
    }
    shortest_decimal(x, &dec);
    while (dec.s % 10 == 0) {          /* only after a carry in next_up */
        dec.s /= 10;
        dec.e++;
    }
    k = u64_digits(dec.s, digits);
    return mc_buf_append(out, out_chars,
                         format_number(out_chars, neg, digits, k, dec.e + k));
}

/* ---- strings and keys --------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80, n bytes
 * available), or 0 when it is not one: no overlongs, surrogates or values
 * above U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t k, j;
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
    if (n <= k)
        return 0;
    for (j = 1; j <= k; j++) {
        if ((p[j] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[j] & 0x3f);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k + 1;
}

/* Append n bytes. Writes straight into spare capacity (leaving room for the
 * terminator, which mc_jcs_canon adds at the end) and falls back to
 * mc_buf_append, which grows the buffer, otherwise. */
static inline mcred_rc out_bytes(struct mc_buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && n <= b->max - b->len) {
        memcpy(b->ptr + b->len, p, n);
        b->len += n;
        return MCRED_OK;
    }
    return mc_buf_append(b, p, n);
}

static inline mcred_rc out_char(struct mc_buf *b, char c)
{
    if (1 < b->cap - b->len && b->len < b->max) {
        b->ptr[b->len++] = c;
        return MCRED_OK;
    }
    return mc_buf_append(b, &c, 1);
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* True when none of the 8 bytes at p needs attention: all ASCII, none a
 * control character, '"' or '\\' (the classic "has zero / has less" tests). */
static inline bool plain8(const unsigned char *p)
{
    uint64_t w, q, bs;

    memcpy(&w, p, sizeof(w));
    q = w ^ (ONES * '"');
    bs = w ^ (ONES * '\\');
    return ((w | ((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((bs - ONES) & ~bs)) &
            HIGHS) == 0;
}

/* Length of the longest prefix of p[0..n) that is copied as is: printable
 * ASCII other than '"' and '\\', and well-formed UTF-8 sequences. It stops at
 * a byte to escape or at the start of an ill-formed sequence. */
static size_t plain_run(const unsigned char *p, size_t n)
{
    size_t i = 0, k;

    for (;;) {
#ifdef __SSE2__
        while (n - i >= 16) {
            const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            /* signed compare: controls and bytes >= 0x80 (negative) are below ' ' */
            const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                                         _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                                           _mm_cmplt_epi8(x, _mm_set1_epi8(' ')));
            unsigned bits = (unsigned)_mm_movemask_epi8(m);

            if (bits) {
                i += (size_t)__builtin_ctz(bits);
                goto special;
            }
            i += 16;
        }
#endif
        while (n - i >= 8 && plain8(p + i))
            i += 8;
        while (i < n && (unsigned)(p[i] - 0x20) < 0x60 && p[i] != '"' && p[i] != '\\')
            i++;
#ifdef __SSE2__
special:
#endif
        if (i >= n)
            return n;
        if (p[i] < 0x80)
            return i;   /* a byte to escape */
        k = utf8_seq(p + i, n - i);
        if (!k)
            return i;
        i += k;
    }
}

/* Append the escape of the ASCII byte c (a control character, '"' or '\\'). */
static mcred_rc put_escape(struct mc_buf *out, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4 & 0xf], hex[c & 0xf] };

    switch (c) {
    case '"': return out_bytes(out, "\\\"", 2);
    case '\\': return out_bytes(out, "\\\\", 2);
    case '\b': return out_bytes(out, "\\b", 2);
    case '\t': return out_bytes(out, "\\t", 2);
    case '\n': return out_bytes(out, "\\n", 2);
    case '\f': return out_bytes(out, "\\f", 2);
    case '\r': return out_bytes(out, "\\r", 2);
    default: return out_bytes(out, esc, sizeof(esc));
    }
}

/* Append s[0..n) as a JSON string the way JSON.stringify writes it.
 * MCRED_ERR_INVALID when s is not valid UTF-8; buffer errors pass through. */
static mcred_rc put_string(struct mc_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t k;
    mcred_rc rc;

    /* the common case: room for it, and nothing to escape: one copy */
    if (n + 2 < out->cap - out->len && n + 2 <= out->max - out->len) {
        k = plain_run(p, n);
        if (k == n) {
            char *w = out->ptr + out->len;

            w[0] = '"';
            memcpy(w + 1, s, n);
            w[n + 1] = '"';
            out->len += n + 2;
            return MCRED_OK;
        }
    }
    rc = out_char(out, '"');
    while (!rc) {
        k = plain_run(p, (size_t)(end - p));
        rc = out_bytes(out, p, k);
        p += k;
        if (rc || p == end)
            break;
        if (*p >= 0x80)
            return MCRED_ERR_INVALID;
        rc = put_escape(out, *p++);
    }
    return rc ? rc : out_char(out, '"');
}

mcred_rc mc_json_put_string(struct mc_buf *out, const char *s, size_t n)
{
    return put_string(out, s, n);
}

/* The code point of the UTF-8 sequence at p, or 0 at the terminator. Reads
 * no further than the sequence's continuation bytes, so an ill-formed key
 * (refused later, when it is written) cannot make it overrun. */
static uint32_t decode_cp(const unsigned char *p)
{
    uint32_t cp = p[0];
    int k, i;

    if (cp < 0x80)
        return cp;
    if (cp >= 0xf0) {
        k = 3;
        cp &= 0x07;
    } else if (cp >= 0xe0) {
        k = 2;
        cp &= 0x0f;
    } else {
        k = 1;
        cp &= 0x1f;
    }
    for (i = 1; i <= k && (p[i] & 0xc0) == 0x80; i++)
        cp = (cp << 6) | (p[i] & 0x3f);
    return cp;
}

/* A weight whose order is the UTF-16 order of the code point's first unit:
 * U+E000..U+FFFF come after every supplementary character (whose high
 * surrogate is 0xD800..0xDBFF); otherwise code point order already agrees. */
static uint32_t utf16_weight(uint32_t cp)
{
    return cp >= 0xe000 && cp <= 0xffff ? cp + 0x200000 : cp;
}

/* Compare two valid UTF-8, NUL-terminated keys by their UTF-16 code units.
 * UTF-8 byte order is code point order, which differs from UTF-16 order only
 * between U+E000..U+FFFF and the supplementary planes; so find the first
 * differing byte, step back to the start of its code point (the prefix is
 * shared, so both strings have a code point starting there) and compare the
 * two code points by weight. */
static inline int key_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    size_t i = 0;
    uint32_t wa, wb;

    while (p[i] == q[i]) {
        if (!p[i])
            return 0;
        i++;
    }
    if (p[i] < 0x80 || q[i] < 0x80)
        return p[i] < q[i] ? -1 : 1;   /* an ASCII byte: below any other code point */
    while (i > 0 && (p[i] & 0xc0) == 0x80)
        i--;
    wa = utf16_weight(decode_cp(p + i));
    wb = utf16_weight(decode_cp(q + i));
    return wa < wb ? -1 : 1;
}

static int member_cmp(const void *a, const void *b)
{
    const cJSON *const *x = a, *const *y = b;

    return key_cmp((*x)->string, (*y)->string);
}

/* Sort members by key and return one whose key occurs twice, or NULL.
 * Small objects, which credentials are made of, take an insertion sort, which
 * meets any duplicate as a comparison returning 0; larger ones take qsort and
 * a pass over neighbours. qsort needs a consistent order, which key_cmp gives
 * for well-formed keys only: the caller checks them first (n > 16). */
static const cJSON *sort_members(const cJSON **m, size_t n)
{
    const cJSON *dup = NULL;
    size_t i, j;
    int c = 1;

    if (n > 16) {
        qsort(m, n, sizeof(*m), member_cmp); /* NOLINT(bugprone-sizeof-expression): pointers */
        for (i = 1; i < n && !dup; i++) {
            if (strcmp(m[i - 1]->string, m[i]->string) == 0)
                dup = m[i];
        }
        return dup;
    }
    for (i = 1; i < n; i++) {
        const cJSON *t = m[i];

        for (j = i; j > 0; j--) {
            c = key_cmp(m[j - 1]->string, t->string);
            if (c <= 0)
                break;
            m[j] = m[j - 1];
        }
        m[j] = t;
        if (c == 0 && !dup)
            dup = t;
    }
    return dup;
}

/* ---- the tree walk -------------------------------------------------------------- */

#define SMALL_OBJECT 32  /* members sorted in a stack array; larger ones allocate */

struct jcs {
    struct mc_buf *out;  /* where the bytes go */
    struct mc_err *err;  /* detail for the caller; may be NULL */
    bool plain;          /* JSON.stringify: members in document order, duplicates kept */
    int indent;          /* plain only: spaces per level (0: none, no newlines) */
};

/* A newline and the indentation of `depth` levels (plain, indented output). */
static mcred_rc put_newline(struct jcs *j, int depth)
{
    mcred_rc rc;
    int i;

    if (!j->plain || j->indent <= 0)
        return MCRED_OK;
    rc = out_char(j->out, '\n');
    for (i = 0; !rc && i < depth * j->indent; i++)
        rc = out_char(j->out, ' ');
    return rc;
}

/* Bytes of key to quote in a message: at most 64, well-formed UTF-8 only. */
static int shown(const char *key)
{
    const unsigned char *p = (const unsigned char *)key;
    size_t n = strlen(key), i = 0, k;

    if (n > 64)
        n = 64;
    while (i < n) {
        k = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i);
        if (!k)
            break;
        i += k;
    }
    return (int)i;
}

/* Record rc with a message saying what failed and in which member. */
static mcred_rc fail(struct jcs *j, mcred_rc rc, const char *what, const char *key)
{
    if (rc == MCRED_ERR_NOMEM)
        return mc_err_set(j->err, rc, "out of memory while canonicalizing JSON");
    if (rc == MCRED_ERR_LIMIT && !what)
        return mc_err_set(j->err, rc, "canonical JSON exceeds the output limit of %zu bytes",
                          j->out->max);
    if (key)
        return mc_err_set(j->err, rc, "%s (in member '%.*s')", what, shown(key), key);
    return mc_err_set(j->err, rc, "%s", what);
}

static mcred_rc put_value(struct jcs *j, const cJSON *v, const char *key, int depth);

static inline mcred_rc put_char(struct jcs *j, char c)
{
    struct mc_buf *b = j->out;
    mcred_rc rc;

    if (1 < b->cap - b->len && b->len < b->max) {
        b->ptr[b->len++] = c;
        return MCRED_OK;
    }
    rc = mc_buf_append(b, &c, 1);
    return rc ? fail(j, rc, NULL, NULL) : MCRED_OK;
}

static mcred_rc put_text(struct jcs *j, const char *s, const char *key)
{
    mcred_rc rc;

    if (!s)
        return fail(j, MCRED_ERR_INVALID, "string node without a value", key);
    rc = put_string(j->out, s, strlen(s));
    if (rc == MCRED_ERR_INVALID)
        return fail(j, rc, "string is not valid UTF-8", key);
    return rc ? fail(j, rc, NULL, NULL) : MCRED_OK;
}

/* Collect obj's members into m (room for n; *got says how many were
 * stored); when check_keys, make sure each key is well-formed UTF-8 (qsort's
 * precondition). */
static mcred_rc collect_members(struct jcs *j, const cJSON *obj, const cJSON **m, size_t n,
                                size_t *got, bool check_keys, const char *key)
{
    const cJSON *c;

    *got = 0;
    for (c = obj->child; c && *got < n; c = c->next) {
        if (!c->string)
            return fail(j, MCRED_ERR_INVALID, "object member without a key", key);
        if (check_keys && !mc_utf8_valid(c->string, strlen(c->string)))
            return fail(j, MCRED_ERR_INVALID, "object member key is not valid UTF-8", key);
        m[(*got)++] = c;
    }
    return MCRED_OK;
}

/* Write the members of m[0..n), sorted. */
static mcred_rc put_members(struct jcs *j, const cJSON **m, size_t n, const char *key,
                            int depth)
{
    mcred_rc rc = MCRED_OK;
    size_t i;

    for (i = 0; i < n && !rc; i++) {
        if (i)
            rc = put_char(j, ',');
        if (!rc)
            rc = put_newline(j, depth);
        if (!rc)
            rc = put_string(j->out, m[i]->string, strlen(m[i]->string));
        if (rc == MCRED_ERR_INVALID)
            return fail(j, rc, "object member key is not valid UTF-8", key);
        if (rc)
            return fail(j, rc, NULL, NULL);
        rc = put_char(j, ':');
        if (!rc && j->plain && j->indent > 0)
            rc = put_char(j, ' ');
        if (!rc)
            rc = put_value(j, m[i], m[i]->string, depth);
    }
    if (!rc && n)
        rc = put_newline(j, depth - 1);
    return rc;
}

static mcred_rc put_object(struct jcs *j, const cJSON *obj, const char *key, int depth)
{
    const cJSON *small[SMALL_OBJECT], **m = small, *c, *dup;
    size_t n = 0, got;
    mcred_rc rc;

    for (c = obj->child; c; c = c->next)
        n++;
    if (n > SMALL_OBJECT) {
        m = mc_allocarray(n, sizeof(*m)); /* NOLINT(bugprone-sizeof-expression): pointers */
        if (!m)
            return fail(j, MCRED_ERR_NOMEM, NULL, NULL);
    }
    rc = collect_members(j, obj, m, n, &got, n > 16 && !j->plain, key);
    if (rc)
        goto out;
    n = got;
    dup = j->plain ? NULL : sort_members(m, n);
    if (dup) {
        rc = mc_err_set(j->err, MCRED_ERR_INVALID, "duplicate key '%.*s' in one object",
                        shown(dup->string), dup->string);
        goto out;
    }
    rc = put_char(j, '{');
    if (!rc)
        rc = put_members(j, m, n, key, depth);
    if (!rc)
        rc = put_char(j, '}');
out:
    if (m != small)
        mc_free(m);
    return rc;
}

static mcred_rc put_array(struct jcs *j, const cJSON *arr, const char *key, int depth)
{
    const cJSON *c;
    mcred_rc rc;

    rc = put_char(j, '[');
    for (c = arr->child; c && !rc; c = c->next) {
        if (c != arr->child)
            rc = put_char(j, ',');
        if (!rc)
            rc = put_newline(j, depth);
        if (!rc)
            rc = put_value(j, c, key, depth);
    }
    if (!rc && arr->child)
        rc = put_newline(j, depth - 1);
    return rc ? rc : put_char(j, ']');
}

/* Append v; key names the member v sits in (for messages), depth counts the
 * containers around v. */
static mcred_rc put_value(struct jcs *j, const cJSON *v, const char *key, int depth)
{
    mcred_rc rc;

    switch (v->type & 0xff) {
    case cJSON_NULL:
        rc = out_bytes(j->out, "null", 4);
        break;
    case cJSON_False:
        rc = out_bytes(j->out, "false", 5);
        break;
    case cJSON_True:
        rc = out_bytes(j->out, "true", 4);
        break;
    case cJSON_Number:
        if (!isfinite(v->valuedouble))
            return fail(j, MCRED_ERR_INVALID, "number is NaN or infinite", key);
        rc = mc_jcs_number(v->valuedouble, j->out);
        break;
    case cJSON_String:
        return put_text(j, v->valuestring, key);
    case cJSON_Array:
    case cJSON_Object:
        if (depth >= MC_JCS_MAX_DEPTH)
            return fail(j, MCRED_ERR_LIMIT, "JSON nested deeper than 128 levels", key);
        if ((v->type & 0xff) == cJSON_Array)
            return put_array(j, v, key, depth + 1);
        return put_object(j, v, key, depth + 1);
    case cJSON_Raw:
        return fail(j, MCRED_ERR_INVALID, "raw JSON node cannot be canonicalized", key);
    default:
        return fail(j, MCRED_ERR_INVALID, "JSON node of unknown type", key);
    }
    return rc ? fail(j, rc, NULL, NULL) : MCRED_OK;
}

mcred_rc mc_jcs_canon(const cJSON *v, struct mc_buf *out, struct mc_err *err)
{
    struct jcs j = { out, err, false, 0 };
    size_t start = out->len;
    mcred_rc rc;

    if (!v)
        return mc_err_set(err, MCRED_ERR_INVALID, "no JSON value to canonicalize");
    rc = put_value(&j, v, NULL, 0);
    if (rc)
        out->len = start;
    if (out->ptr)
        out->ptr[out->len] = '\0';  /* the fast writes leave it off */
    return rc;
}

mcred_rc mc_json_stringify(const cJSON *v, int indent, struct mc_buf *out, struct mc_err *err)
{
    struct jcs j = { out, err, true, indent };
    size_t start = out->len;
    mcred_rc rc;

    if (!v)
        return mc_err_set(err, MCRED_ERR_INVALID, "no JSON value to write");
    rc = put_value(&j, v, NULL, 0);
    if (rc)
        out->len = start;
    if (out->ptr)
        out->ptr[out->len] = '\0';
    return rc;
}
