/* test_jcs.c - unit tests for lib/jsonld/jcs.c: the RFC 8785 test data and
 * ES6 number file from cyberphone/json-canonicalization, the eddsa-jcs-2022
 * canonical documents from vc-di-eddsa, RFC 8785 Appendix B numbers, and our
 * own tables for ordering, escaping, duplicates, limits and allocation
 * failures.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "jsonld/jcs.h"
#include "util/buf.h"
#include "util/json.h"

static const char *data_dir;

/* Read data_dir/rel; exits the check with a failure when missing. */
static char *read_data(const char *rel, size_t *len)
{
    char path[4096];
    char *p;

    (void)snprintf(path, sizeof(path), "%s/%s", data_dir, rel);
    p = check_read_file(path, len);
    CHECK(p != NULL, "read %s", path);
    return p;
}

/* Parse json[0..n) and canonicalize it into out (reset first). */
static mcred_rc canon_text(const char *json, size_t n, struct mc_buf *out, struct mc_err *err)
{
    cJSON *v = NULL;
    mcred_rc rc;

    mc_buf_reset(out);
    mc_err_clear(err);
    rc = mc_json_parse(json, n, 0, &v, err);
    if (rc)
        return rc;
    rc = mc_jcs_canon(v, out, err);
    cJSON_Delete(v);
    return rc;
}

static bool same_bytes(const struct mc_buf *b, const char *want, size_t n)
{
    return b->len == n && (n == 0 || memcmp(b->ptr, want, n) == 0);
}

/* Canonicalizing the parse of canonical bytes gives the same bytes. */
static void check_idempotent(const struct mc_buf *b, const char *what)
{
    struct mc_buf again;

    mc_buf_init(&again, 0);
    CHECK_RC(canon_text(b->ptr, b->len, &again, NULL), MCRED_OK, what);
    CHECK(same_bytes(&again, b->ptr, b->len), "%s: canonical form is a fixed point", what);
    mc_buf_release(&again);
}

/* Decode whitespace-separated hex pairs ("7b 22 ...") into out. */
static bool hex_bytes(const char *s, struct mc_buf *out)
{
    int hi = -1;

    for (; *s; s++) {
        int v;

        if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            return false;
        if (hi < 0) {
            hi = v;
        } else {
            if (mc_buf_appendc(out, (char)(hi << 4 | v)))
                return false;
            hi = -1;
        }
    }
    return hi < 0;
}

/* ---- published vectors --------------------------------------------------- */

/* Every input/X.json of the cyberphone test data against output/X.json and
 * outhex/X.txt. */
static void test_testdata(void)
{
    char dir[4096], rel[512];
    DIR *d;
    struct dirent *e;
    int cases = 0, passed = 0;

    (void)snprintf(dir, sizeof(dir), "%s/jcs/testdata/input", data_dir);
    d = opendir(dir);
    CHECK(d != NULL, "open %s", dir);
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t nlen = strlen(e->d_name), in_len, out_len;
        char *in, *want, *hex;
        struct mc_buf got, hexb;
        struct mc_err err;
        bool ok;

        mc_err_clear(&err);

        if (nlen < 6 || strcmp(e->d_name + nlen - 5, ".json") != 0)
            continue;
        cases++;
        (void)snprintf(rel, sizeof(rel), "jcs/testdata/input/%s", e->d_name);
        in = read_data(rel, &in_len);
        (void)snprintf(rel, sizeof(rel), "jcs/testdata/output/%s", e->d_name);
        want = read_data(rel, &out_len);
        (void)snprintf(rel, sizeof(rel), "jcs/testdata/outhex/%.*s.txt", (int)(nlen - 5),
                       e->d_name);
        hex = read_data(rel, NULL);
        if (!in || !want || !hex) {
            free(in);
            free(want);
            free(hex);
            continue;
        }
        mc_buf_init(&got, 0);
        mc_buf_init(&hexb, 0);
        CHECK_RC(canon_text(in, in_len, &got, &err), MCRED_OK, e->d_name);
        ok = same_bytes(&got, want, out_len);
        CHECK(ok, "%s: got '%s', want '%s'", e->d_name, got.ptr ? got.ptr : "", want);
        CHECK(hex_bytes(hex, &hexb), "%s: outhex parses", e->d_name);
        CHECK(same_bytes(&got, hexb.ptr, hexb.len), "%s: matches outhex", e->d_name);
        if (ok && same_bytes(&got, hexb.ptr, hexb.len))
            passed++;
        check_idempotent(&got, e->d_name);
        mc_buf_release(&got);
        mc_buf_release(&hexb);
        free(in);
        free(want);
        free(hex);
    }
    closedir(d);
    CHECK(cases >= 6, "jcs/testdata has its six cases (found %d)", cases);
    printf("jcs/testdata: %d of %d cases match output/ and outhex/\n", passed, cases);
}

/* Each line "HEX,EXPECTED": the IEEE-754 bits and ECMAScript's string. */
static void test_es6_numbers(void)
{
    char *text = read_data("jcs/es6testfile-first10k.txt", NULL);
    char *line, *next;
    struct mc_buf got;
    int lines = 0, bad = 0;

    if (!text)
        return;
    mc_buf_init(&got, 0);
    for (line = text; *line; line = next) {
        char *comma, *nl = strchr(line, '\n'), *end;
        unsigned long long bits;
        double d;
        mcred_rc rc;

        next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        if (!*line)
            continue;
        lines++;
        comma = strchr(line, ',');
        if (!comma) {
            bad++;
            continue;
        }
        *comma = '\0';
        bits = strtoull(line, &end, 16);
        memcpy(&d, &bits, sizeof(d));
        mc_buf_reset(&got);
        rc = mc_jcs_number(d, &got);
        if (rc || strcmp(got.ptr, comma + 1) != 0) {
            if (++bad <= 10)
                printf("es6 number %s: got '%s', want '%s'\n", line, rc ? "(error)" : got.ptr,
                       comma + 1);
        }
    }
    CHECK(lines == 10000, "es6testfile-first10k has 10000 lines (read %d)", lines);
    CHECK(bad == 0, "es6 numbers: %d of %d lines wrong", bad, lines);
    printf("es6testfile-first10k: %d of %d numbers match\n", lines - bad, lines);
    mc_buf_release(&got);
    free(text);
}

/* vc-di-eddsa eddsa-jcs-2022: the credential and the proof configuration. */
static void test_eddsa_jcs_vectors(void)
{
    static const struct {
        const char *in, *want;
    } v[] = {
        { "vc-di-eddsa/TestVectors/unsigned.json",
          "vc-di-eddsa/TestVectors/eddsa-jcs-2022/canonDocJCS.txt" },
        { "vc-di-eddsa/TestVectors/eddsa-jcs-2022/proofConfigJCS.json",
          "vc-di-eddsa/TestVectors/eddsa-jcs-2022/proofCanonJCS.txt" },
    };
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t in_len, want_len;
        char *in = read_data(v[i].in, &in_len), *want = read_data(v[i].want, &want_len);
        struct mc_buf got;

        mc_buf_init(&got, 0);
        if (in && want) {
            while (want_len && (want[want_len - 1] == '\n' || want[want_len - 1] == '\r'))
                want_len--;
            CHECK_RC(canon_text(in, in_len, &got, NULL), MCRED_OK, v[i].in);
            CHECK(same_bytes(&got, want, want_len), "%s: got '%s'", v[i].want,
                  got.ptr ? got.ptr : "");
        }
        mc_buf_release(&got);
        free(in);
        free(want);
    }
}

/* RFC 8785 Appendix B: IEEE-754 bits and the ECMAScript serialization; NULL
 * marks the values that must be refused. */
static const struct {
    unsigned long long bits;
    const char *want;
} rfc8785_numbers[] = {
    { 0x0000000000000000ULL, "0" },
    { 0x8000000000000000ULL, "0" },                         /* minus zero */
    { 0x0000000000000001ULL, "5e-324" },                    /* min positive */
    { 0x8000000000000001ULL, "-5e-324" },
    { 0x7fefffffffffffffULL, "1.7976931348623157e+308" },   /* max */
    { 0xffefffffffffffffULL, "-1.7976931348623157e+308" },
    { 0x4340000000000000ULL, "9007199254740992" },          /* 2^53 */
    { 0xc340000000000000ULL, "-9007199254740992" },
    { 0x4430000000000000ULL, "295147905179352830000" },     /* 2^68 */
    { 0x7fffffffffffffffULL, NULL },                        /* NaN */
    { 0x7ff0000000000000ULL, NULL },                        /* Infinity */
    { 0x44b52d02c7e14af5ULL, "9.999999999999997e+22" },
    { 0x44b52d02c7e14af6ULL, "1e+23" },
    { 0x44b52d02c7e14af7ULL, "1.0000000000000001e+23" },
    { 0x444b1ae4d6e2ef4eULL, "999999999999999700000" },
    { 0x444b1ae4d6e2ef4fULL, "999999999999999900000" },     /* below 1e21 */
    { 0x444b1ae4d6e2ef50ULL, "1e+21" },                     /* 1e21 */
    { 0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7" },
    { 0x3eb0c6f7a0b5ed8dULL, "0.000001" },                  /* 1e-6 */
    { 0x41b3de4355555553ULL, "333333333.3333332" },
    { 0x41b3de4355555554ULL, "333333333.33333325" },
    { 0x41b3de4355555555ULL, "333333333.3333333" },
    { 0x41b3de4355555556ULL, "333333333.3333334" },
    { 0x41b3de4355555557ULL, "333333333.33333343" },
    { 0xbecbf647612f3696ULL, "-0.0000033333333333333333" },
    { 0x43143ff3c1cb0959ULL, "1424953923781206.2" },
    { 0xfff0000000000000ULL, NULL },                        /* -Infinity */
    { 0xfff8000000000000ULL, NULL },                        /* another NaN */
};

static void test_rfc_numbers(void)
{
    struct mc_buf b;
    size_t i;

    mc_buf_init(&b, 0);
    for (i = 0; i < sizeof(rfc8785_numbers) / sizeof(rfc8785_numbers[0]); i++) {
        double d;
        mcred_rc rc;

        memcpy(&d, &rfc8785_numbers[i].bits, sizeof(d));
        mc_buf_reset(&b);
        rc = mc_jcs_number(d, &b);
        if (!rfc8785_numbers[i].want) {
            CHECK(rc == MCRED_ERR_INVALID && b.len == 0, "%016llx refused",
                  rfc8785_numbers[i].bits);
            continue;
        }
        CHECK_RC(rc, MCRED_OK, "number");
        CHECK_STR_EQ(b.ptr, rfc8785_numbers[i].want, "RFC 8785 Appendix B number");
    }
    mc_buf_release(&b);
}

/* ---- our own tables ------------------------------------------------------- */

/* JSON text in, canonical bytes out (want NULL: rc expected, and err must
 * mention needle). */
struct canon_case {
    const char *in;
    const char *want;
    mcred_rc rc;
    const char *needle;
};

static const struct canon_case canon_cases[] = {
    /* U+10000 (surrogates D800 DC00) sorts before U+E000, unlike UTF-8 bytes */
    { "{\"\\ue000\":1,\"\\ud800\\udc00\":2}",
      "{\"\xf0\x90\x80\x80\":2,\"\xee\x80\x80\":1}", MCRED_OK, NULL },
    /* "" < "a" < U+D7FF < U+1F600 < U+FFFF */
    { "{\"\\uffff\":0,\"\\ud83d\\ude00\":1,\"\\ud7ff\":2,\"a\":3,\"\":4}",
      "{\"\":4,\"a\":3,\"\xed\x9f\xbf\":2,\"\xf0\x9f\x98\x80\":1,\"\xef\xbf\xbf\":0}",
      MCRED_OK, NULL },
    /* two supplementary characters: by code point (their surrogates agree) */
    { "{\"\\ud83d\\ude00\":1,\"\\ud801\\udc00\":2,\"\\ud83d\\ude01\":3}",
      "{\"\xf0\x90\x90\x80\":2,\"\xf0\x9f\x98\x80\":1,\"\xf0\x9f\x98\x81\":3}", MCRED_OK, NULL },
    /* keys differing in the second byte of a 2-byte sequence; prefix ordering */
    { "{\"\\u00ea\":1,\"\\u00e9\":2,\"ab\":3,\"a\":4,\"B\":5}",
      "{\"B\":5,\"a\":4,\"ab\":3,\"\xc3\xa9\":2,\"\xc3\xaa\":1}", MCRED_OK, NULL },
    /* every control character: the short escapes, else \u00xx in lowercase */
    { "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e"
      "\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
      "\\u001B\\u001c\\u001d\\u001e\\u001f\"",
      "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e"
      "\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
      "\\u001b\\u001c\\u001d\\u001e\\u001f\"", MCRED_OK, NULL },
    /* DEL, U+2028, U+2029, '/' (escaped or not) and U+FFFF stay literal */
    { "\"\\u007f\\u2028\\u2029\\/ /\\uffff\"",
      "\"\x7f\xe2\x80\xa8\xe2\x80\xa9/ /\xef\xbf\xbf\"", MCRED_OK, NULL },
    /* quote and backslash; escaped ASCII letters become literal */
    { "\"\\\"\\\\\\u0041\"", "\"\\\"\\\\A\"", MCRED_OK, NULL },
    /* whitespace between tokens disappears; scalars at the top level */
    { " [ 1 , true , false , null , \"x\" , { } , [ ] ] ",
      "[1,true,false,null,\"x\",{},[]]", MCRED_OK, NULL },
    { "null", "null", MCRED_OK, NULL },
    /* numbers as written by JSON: -0, the 1e21 boundary, tiny, exponents */
    { "[-0,0.0,-0.0,1e21,999999999999999868928,1E20,5e-324,1e-7,0.000001,1.5e300,-2.5]",
      "[0,0,0,1e+21,999999999999999900000,100000000000000000000,5e-324,1e-7,0.000001,"
      "1.5e+300,-2.5]", MCRED_OK, NULL },
    /* a number literal too large for a double reads as Infinity: refused */
    { "{\"big\":1e400}", NULL, MCRED_ERR_INVALID, "'big'" },
    /* duplicate keys, at the top, nested, and spelled with an escape */
    { "{\"a\":1,\"a\":2}", NULL, MCRED_ERR_INVALID, "duplicate key 'a'" },
    { "{\"x\":{\"b\":1,\"c\":2,\"b\":3}}", NULL, MCRED_ERR_INVALID, "duplicate key 'b'" },
    { "{\"\\u0061\":1,\"a\":2}", NULL, MCRED_ERR_INVALID, "duplicate key 'a'" },
    { "[{\"\\ud83d\\ude00\":1,\"z\":0,\"\\ud83d\\ude00\":2}]", NULL, MCRED_ERR_INVALID,
      "duplicate key '\xf0\x9f\x98\x80'" },
    /* the same key in sibling objects is fine */
    { "[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]", MCRED_OK, NULL },
};

static void test_canon_table(void)
{
    struct mc_buf b;
    struct mc_err err;
    size_t i;

    mc_err_clear(&err);
    mc_buf_init(&b, 0);
    for (i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
        const struct canon_case *c = &canon_cases[i];
        mcred_rc rc = canon_text(c->in, strlen(c->in), &b, &err);

        CHECK(rc == c->rc, "case %zu (%s): rc %d, want %d (%s)", i, c->in, (int)rc, (int)c->rc,
              mc_err_msg(&err));
        if (c->want && rc == MCRED_OK) {
            CHECK_STR_EQ(b.ptr, c->want, c->in);
            check_idempotent(&b, c->in);
        }
        if (c->needle && rc != MCRED_OK) {
            CHECK(strstr(err.msg, c->needle) != NULL, "case %zu: message '%s' names '%s'", i,
                  err.msg, c->needle);
            CHECK(b.len == 0, "case %zu: nothing appended on failure", i);
        }
    }
    mc_buf_release(&b);
}

/* Numbers given as doubles (not through the parser). */
static void test_numbers_direct(void)
{
    static const struct {
        double d;
        const char *want;
    } t[] = {
        { -0.0, "0" },                      /* -0 */
        { 1e21, "1e+21" },                  /* first exponent form */
        { 1e20, "100000000000000000000" },  /* last integer form below it */
        { 5e-324, "5e-324" },               /* smallest subnormal */
        { 1e-7, "1e-7" },                   /* first small exponent form */
        { 0.1, "0.1" },
        { 0.5, "0.5" },
        { -1.0, "-1" },
        { 1.5e-9, "1.5e-9" },
        { 123456789012345680000.0, "123456789012345680000" },
        { 4294967296.0, "4294967296" },
        { 2.2250738585072014e-308, "2.2250738585072014e-308" }, /* smallest normal */
    };
    /* Powers of two have a rounding interval half as wide below as above, so
     * the closest 16-digit decimal (below) does not read back while the next
     * one up does: ECMAScript's shortest form has 16 digits, not 17. Expected
     * strings checked against Python's repr (Gay's shortest, closest). */
    static const struct {
        unsigned long long bits;
        const char *want;
    } pow2[] = {
        { 0x0060000000000000ULL, "7.120236347223045e-307" },   /* 2^-1017 */
        { 0x1480000000000000ULL, "6.083493012144512e-210" },   /* 2^-695 */
        { 0x2d70000000000000ULL, "7.854549544476363e-90" },    /* 2^-296 */
        { 0x4ab0000000000000ULL, "5.986310706507379e+51" },    /* 2^172 */
        { 0x6150000000000000ULL, "5.623642243178996e+160" },   /* 2^534 */
        { 0x7cf0000000000000ULL, "6.386688990511104e+293" },   /* 2^976 */
    };
    struct mc_buf b;
    size_t i;

    mc_buf_init(&b, 0);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        mc_buf_reset(&b);
        CHECK_RC(mc_jcs_number(t[i].d, &b), MCRED_OK, t[i].want);
        CHECK_STR_EQ(b.ptr, t[i].want, "mc_jcs_number");
    }
    for (i = 0; i < sizeof(pow2) / sizeof(pow2[0]); i++) {
        double d;

        memcpy(&d, &pow2[i].bits, sizeof(d));
        mc_buf_reset(&b);
        CHECK_RC(mc_jcs_number(d, &b), MCRED_OK, pow2[i].want);
        CHECK_STR_EQ(b.ptr, pow2[i].want, "power of two, asymmetric interval");
        mc_buf_reset(&b);
        CHECK_RC(mc_jcs_number(-d, &b), MCRED_OK, pow2[i].want);
        CHECK(b.ptr[0] == '-' && strcmp(b.ptr + 1, pow2[i].want) == 0, "negated: %s", b.ptr);
    }
    mc_buf_reset(&b);
    CHECK_RC(mc_jcs_number(NAN, &b), MCRED_ERR_INVALID, "NaN refused");
    CHECK_RC(mc_jcs_number(-INFINITY, &b), MCRED_ERR_INVALID, "-Infinity refused");
    CHECK(b.len == 0, "nothing appended for NaN");
    mc_buf_release(&b);
}

/* Trees built in code: bad strings and keys, NaN, raw nodes, depth. */
static void test_built_trees(void)
{
    static const char *const bad_utf8[] = {
        "\xc3\x28",          /* bad continuation */
        "\xed\xa0\x80",      /* UTF-8 encoded surrogate */
        "ab\xe2\x82",        /* truncated */
        "\xc0\xaf",          /* overlong '/' */
        "\xf4\x90\x80\x80",  /* above U+10FFFF */
        "\xff",
    };
    struct mc_buf b;
    struct mc_err err;
    cJSON *v, *inner;
    size_t i;
    int depth;

    mc_err_clear(&err);
    mc_buf_init(&b, 0);
    for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "k", bad_utf8[i]);
        CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_INVALID, "invalid UTF-8 value");
        CHECK(strstr(err.msg, "UTF-8") && strstr(err.msg, "'k'"), "message: %s", err.msg);
        cJSON_Delete(v);
        v = cJSON_CreateObject();
        cJSON_AddNullToObject(v, bad_utf8[i]);
        CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_INVALID, "invalid UTF-8 key");
        cJSON_Delete(v);
    }
    CHECK(b.len == 0, "failures append nothing");

    v = cJSON_CreateArray();
    cJSON_AddItemToArray(v, cJSON_CreateNumber(NAN));
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_INVALID, "NaN node refused");
    cJSON_Delete(v);
    v = cJSON_CreateRaw("{\"b\":1,\"a\":2}");
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_INVALID, "raw node refused");
    cJSON_Delete(v);
    CHECK_RC(mc_jcs_canon(NULL, &b, &err), MCRED_ERR_INVALID, "NULL refused");

    /* 128 nested arrays are fine, 129 are not */
    v = cJSON_CreateArray();
    inner = v;
    for (depth = 1; depth < MC_JCS_MAX_DEPTH; depth++) {
        cJSON *a = cJSON_CreateArray();

        cJSON_AddItemToArray(inner, a);
        inner = a;
    }
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_OK, "128 levels");
    CHECK(b.len == 2 * (size_t)MC_JCS_MAX_DEPTH && b.ptr[0] == '[' && b.ptr[b.len - 1] == ']',
          "128 levels written");
    mc_buf_reset(&b);
    cJSON_AddItemToArray(inner, cJSON_CreateObject());
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_LIMIT, "129 levels refused");
    CHECK(strstr(err.msg, "deeper") != NULL, "depth message: %s", err.msg);
    cJSON_Delete(v);
    mc_buf_release(&b);
}

/* The deepest document mc_json_parse accepts goes through unchanged. */
static void test_deep_parse(void)
{
    char text[2 * MC_JSON_MAX_DEPTH + 1];
    struct mc_buf b;
    int i;

    for (i = 0; i < MC_JSON_MAX_DEPTH; i++) {
        text[i] = '[';
        text[sizeof(text) - 2 - (size_t)i] = ']';
    }
    text[sizeof(text) - 1] = '\0';
    mc_buf_init(&b, 0);
    CHECK_RC(canon_text(text, strlen(text), &b, NULL), MCRED_OK, "deepest parse");
    CHECK_STR_EQ(b.ptr, text, "deepest parse round trip");
    mc_buf_release(&b);
}

/* Objects beyond the stack array and the insertion-sort size. */
static void test_large_objects(void)
{
    struct mc_buf b, want;
    struct mc_err err;
    cJSON *v;
    char key[16];
    int i;

    mc_err_clear(&err);
    mc_buf_init(&b, 0);
    mc_buf_init(&want, 0);
    v = cJSON_CreateObject();
    for (i = 99; i >= 0; i--) {
        (void)snprintf(key, sizeof(key), "k%03d", i);
        cJSON_AddNumberToObject(v, key, i);
    }
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_OK, "100 members");
    CHECK(mc_buf_appendc(&want, '{') == MCRED_OK, "build");
    for (i = 0; i < 100; i++)
        CHECK(mc_buf_printf(&want, "%s\"k%03d\":%d", i ? "," : "", i, i) == MCRED_OK, "build");
    CHECK(mc_buf_appendc(&want, '}') == MCRED_OK, "build");
    CHECK_STR_EQ(b.ptr, want.ptr, "100 members sorted");
    cJSON_AddNumberToObject(v, "k050", 1);
    mc_buf_reset(&b);
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_INVALID, "duplicate among 101 members");
    CHECK(strstr(err.msg, "'k050'") != NULL, "message: %s", err.msg);
    cJSON_Delete(v);
    mc_buf_release(&b);
    mc_buf_release(&want);
}

/* Output goes after what the buffer held; a failure leaves that intact. */
static void test_output_buffer(void)
{
    struct mc_buf b;
    struct mc_err err;
    cJSON *v = NULL;
    const char *doc = "{\"b\":[1,2,3],\"a\":\"some text\"}";

    mc_err_clear(&err);
    CHECK_RC(mc_json_parse(doc, strlen(doc), 0, &v, NULL), MCRED_OK, "parse");
    mc_buf_init(&b, 0);
    CHECK(mc_buf_appends(&b, "pre:") == MCRED_OK, "prefix");
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_OK, "append");
    CHECK_STR_EQ(b.ptr, "pre:{\"a\":\"some text\",\"b\":[1,2,3]}", "appended after prefix");
    mc_buf_release(&b);

    mc_buf_init(&b, 20);
    CHECK(mc_buf_appends(&b, "pre:") == MCRED_OK, "prefix");
    CHECK_RC(mc_jcs_canon(v, &b, &err), MCRED_ERR_LIMIT, "output cap");
    CHECK(strstr(err.msg, "limit") != NULL, "limit message: %s", err.msg);
    CHECK(b.len == 4 && strcmp(b.ptr, "pre:") == 0, "prefix intact after failure");
    mc_buf_release(&b);
    cJSON_Delete(v);
}

/* Fail each allocation in turn: NOMEM, nothing appended, no leak (ASan). */
static void test_alloc_failures(void)
{
    size_t n;
    char *text = read_data("ob-clr-ldp-vectors/clrv2p0/unsigned.json", &n);
    struct mc_buf ref, b;
    struct mc_err err;
    cJSON *v = NULL, *big;
    unsigned long nth;
    int failures = 0;
    char key[16];
    int i;

    mc_err_clear(&err);
    if (!text)
        return;
    CHECK_RC(mc_json_parse(text, n, 0, &v, NULL), MCRED_OK, "parse clr");
    big = cJSON_AddObjectToObject(v, "zz-big");     /* > SMALL_OBJECT members: heap path */
    for (i = 0; i < 40; i++) {
        (void)snprintf(key, sizeof(key), "m%02d", 39 - i);
        cJSON_AddTrueToObject(big, key);
    }
    mc_buf_init(&ref, 0);
    CHECK_RC(mc_jcs_canon(v, &ref, NULL), MCRED_OK, "reference");
    for (nth = 1; nth < 1000; nth++) {
        mcred_rc rc;

        mc_buf_init(&b, 0);
        mcred_test_fail_alloc(nth);
        rc = mc_jcs_canon(v, &b, &err);
        mcred_test_fail_alloc(0);
        if (rc == MCRED_OK) {
            CHECK(same_bytes(&b, ref.ptr, ref.len), "same bytes after %lu allocations", nth);
            mc_buf_release(&b);
            break;
        }
        failures++;
        CHECK(rc == MCRED_ERR_NOMEM && b.len == 0, "allocation %lu fails cleanly: rc %d (%s)",
              nth, (int)rc, err.msg);
        mc_buf_release(&b);
    }
    CHECK(failures >= 2, "allocation failures injected: %d", failures);
    printf("fault injection: %d allocation failure points, each NOMEM and clean\n", failures);
    mc_buf_release(&ref);
    cJSON_Delete(v);
    free(text);
}

/* Not asserted (timings vary under sanitizers): how long a credential takes. */
static void report_speed(void)
{
    size_t n;
    char *text = read_data("ob-clr-ldp-vectors/clrv2p0/unsigned.json", &n);
    struct timespec t0, t1;
    struct mc_buf b;
    cJSON *v = NULL;
    int i, rounds = 2000;
    double us;

    if (!text || mc_json_parse(text, n, 0, &v, NULL) != MCRED_OK) {
        free(text);
        return;
    }
    mc_buf_init(&b, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < rounds; i++) {
        mc_buf_reset(&b);
        if (mc_jcs_canon(v, &b, NULL) != MCRED_OK)
            break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3;
    printf("speed: %zu-byte credential -> %zu canonical bytes in %.2f us\n", n, b.len,
           us / rounds);
    mc_buf_release(&b);
    cJSON_Delete(v);
    free(text);
}

int main(void)
{
    data_dir = check_shared_data();
    test_testdata();
    test_es6_numbers();
    test_eddsa_jcs_vectors();
    test_rfc_numbers();
    test_canon_table();
    test_numbers_direct();
    test_built_trees();
    test_deep_parse();
    test_large_objects();
    test_output_buffer();
    test_alloc_failures();
    report_speed();
    return check_report();
}
