/* test_util.c - unit tests for lib/util: error codes, capped buffers, codecs
 * (base64url, base58btc, multibase, varint, hex) and bounded JSON parsing.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "check.h"
#include "util/buf.h"
#include "util/codec.h"
#include "jsonld/jcs.h"
#include "util/json.h"

static void test_strerror(void)
{
    int i;

    for (i = 0; i < MCRED_RC_LAST; i++)
        CHECK(strcmp(mcred_strerror((mcred_rc)i), "unknown error") != 0, "message for rc %d", i);
    CHECK_STR_EQ(mcred_strerror(MCRED_RC_LAST), "unknown error", "past the last code");
    CHECK_STR_EQ(mcred_strerror((mcred_rc)-1), "unknown error", "negative code");
}

static void test_buf(void)
{
    struct mc_buf b;
    char *s;
    size_t n;

    mc_buf_init(&b, 8);
    CHECK_RC(mc_buf_appends(&b, "abcd"), MCRED_OK, "append within cap");
    CHECK_RC(mc_buf_printf(&b, "%d", 1234), MCRED_OK, "printf to the cap");
    CHECK_RC(mc_buf_appendc(&b, 'x'), MCRED_ERR_LIMIT, "one past the cap");
    CHECK_STR_EQ(b.ptr, "abcd1234", "content unchanged by the refused append");
    s = mc_buf_take(&b, &n);
    CHECK(n == 8 && strcmp(s, "abcd1234") == 0, "take hands over the bytes");
    CHECK(b.ptr == NULL && b.len == 0, "take leaves the buffer empty");
    mc_free(s);
    s = mc_buf_take(&b, &n);
    CHECK(s && n == 0 && s[0] == '\0', "take of an empty buffer gives an empty string");
    mc_free(s);
}

struct codec_case {
    const char *hex;   /* input bytes */
    const char *b64u;  /* base64url without padding */
    const char *b58;   /* base58btc */
};

static const struct codec_case codec_cases[] = {
    { "", "", "" },
    { "00", "AA", "1" },
    { "0000ff", "AAD_", "115Q" },
    { "61", "YQ", "2g" },
    { "626262", "YmJi", "a3gV" },
    { "73696d706c792061206c6f6e6720737472696e67", "c2ltcGx5IGEgbG9uZyBzdHJpbmc",
      "2cFupjhnEsSn59qHXstmK2ffpLv2" }, /* the base58 draft's example */
    { "fbff", "-_8", "LBG" },
};

static void test_codecs(void)
{
    size_t i;

    for (i = 0; i < sizeof(codec_cases) / sizeof(codec_cases[0]); i++) {
        const struct codec_case *c = &codec_cases[i];
        struct mc_buf bin, enc, dec;

        mc_buf_init(&bin, 0);
        mc_buf_init(&enc, 0);
        mc_buf_init(&dec, 0);
        CHECK_RC(mc_hex_decode(&bin, c->hex, strlen(c->hex)), MCRED_OK, c->hex);
        CHECK_RC(mc_b64url_encode(&enc, bin.ptr, bin.len), MCRED_OK, "b64url encode");
        CHECK_STR_EQ(enc.len ? enc.ptr : "", c->b64u, "base64url encode");
        CHECK_RC(mc_b64url_decode(&dec, c->b64u, strlen(c->b64u)), MCRED_OK, "b64url decode");
        CHECK(dec.len == bin.len && (!dec.len || memcmp(dec.ptr, bin.ptr, bin.len) == 0),
              "base64url round trip of %s", c->hex);
        mc_buf_reset(&enc);
        mc_buf_reset(&dec);
        CHECK_RC(mc_base58_encode(&enc, bin.ptr, bin.len), MCRED_OK, "b58 encode");
        CHECK_STR_EQ(enc.len ? enc.ptr : "", c->b58, "base58 encode");
        CHECK_RC(mc_base58_decode(&dec, c->b58, strlen(c->b58)), MCRED_OK, "b58 decode");
        CHECK(dec.len == bin.len && (!dec.len || memcmp(dec.ptr, bin.ptr, bin.len) == 0),
              "base58 round trip of %s", c->hex);
        mc_buf_release(&bin);
        mc_buf_release(&enc);
        mc_buf_release(&dec);
    }
}

static void test_codec_errors(void)
{
    static const char *bad_b58[] = { "0", "O", "I", "l", "abc+", "z\x80" };
    static const char *bad_b64u[] = { "YQ==", "Y", "Y+", "YR", "a b" };
    struct mc_buf b;
    size_t i;
    uint64_t v;
    size_t used;
    static const uint8_t vi_ok[] = { 0xed, 0x01 };      /* 0xed, the ed25519-pub codec */
    static const uint8_t vi_long[] = { 0x80, 0x00 };    /* not minimal */
    static const uint8_t vi_cut[] = { 0x80 };           /* truncated */

    mc_buf_init(&b, 0);
    for (i = 0; i < sizeof(bad_b58) / sizeof(bad_b58[0]); i++) {
        mc_buf_reset(&b);
        CHECK_RC(mc_base58_decode(&b, bad_b58[i], strlen(bad_b58[i])), MCRED_ERR_INVALID,
                 bad_b58[i]);
    }
    for (i = 0; i < sizeof(bad_b64u) / sizeof(bad_b64u[0]); i++) {
        mc_buf_reset(&b);
        CHECK_RC(mc_b64url_decode(&b, bad_b64u[i], strlen(bad_b64u[i])), MCRED_ERR_INVALID,
                 bad_b64u[i]);
    }
    mc_buf_reset(&b);
    CHECK_RC(mc_multibase_decode(&b, "mYQ", 3), MCRED_ERR_UNSUPPORTED, "base64 (m) multibase");
    CHECK_RC(mc_multibase_decode(&b, "z", 1), MCRED_ERR_INVALID, "empty multibase");
    mc_buf_reset(&b);
    CHECK_RC(mc_multibase_decode(&b, "uYQ", 3), MCRED_OK, "u multibase");
    CHECK(b.len == 1 && b.ptr[0] == 'a', "u multibase decodes to 'a'");
    CHECK_RC(mc_varint_decode(vi_ok, 2, &v, &used), MCRED_OK, "varint 0xed");
    CHECK(v == 0xed && used == 2, "varint 0xed value");
    CHECK_RC(mc_varint_decode(vi_long, 2, &v, &used), MCRED_ERR_INVALID, "non-minimal varint");
    CHECK_RC(mc_varint_decode(vi_cut, 1, &v, &used), MCRED_ERR_INVALID, "truncated varint");
    mc_buf_reset(&b);
    CHECK_RC(mc_varint_encode(&b, 0x1300), MCRED_OK, "varint encode 0x1300");
    CHECK(b.len == 2 && (uint8_t)b.ptr[0] == 0x80 && (uint8_t)b.ptr[1] == 0x26,
          "0x1300 encodes as 80 26");
    mc_buf_reset(&b);
    CHECK_RC(mc_hex_decode(&b, "abc", 3), MCRED_ERR_INVALID, "odd hex");
    CHECK_RC(mc_hex_decode(&b, "zz", 2), MCRED_ERR_INVALID, "non-hex");
    mc_buf_release(&b);
}

/* The textbook digit-by-digit base58 encoder, as a reference for the limb one. */
static void ref_b58(const uint8_t *in, size_t n, char *out)
{
    static const char a[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    uint8_t d[2048];
    size_t nd = 0, z = 0, i, j, o = 0;

    while (z < n && in[z] == 0)
        out[o++] = '1', z++;
    for (i = z; i < n; i++) {
        unsigned carry = in[i];

        for (j = 0; j < nd; j++) {
            carry += (unsigned)d[j] << 8;
            d[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry) {
            d[nd++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    for (i = 0; i < nd; i++)
        out[o++] = a[d[nd - 1 - i]];
    out[o] = '\0';
}

/* Random lengths 0..300 with random leading zeros: encode equals the reference
 * and decode gives the bytes back. */
static void test_base58_random(void)
{
    uint8_t in[300];
    char want[600];
    size_t i, len, k;
    int bad = 0;
    unsigned seed = 12345;

    for (i = 0; i < 3000; i++) {
        struct mc_buf enc, dec;

        len = i % 301;
        for (k = 0; k < len; k++) {
            seed = seed * 1103515245u + 12345u;
            in[k] = (uint8_t)(seed >> 16);
        }
        for (k = 0; k < len && k < i % 5; k++)
            in[k] = 0;
        ref_b58(in, len, want);
        mc_buf_init(&enc, 0);
        mc_buf_init(&dec, 0);
        if (mc_base58_encode(&enc, in, len) || strcmp(enc.len ? enc.ptr : "", want) != 0 ||
            mc_base58_decode(&dec, want, strlen(want)) || dec.len != len ||
            (len && memcmp(dec.ptr, in, len) != 0))
            bad++;
        mc_buf_release(&enc);
        mc_buf_release(&dec);
    }
    CHECK(bad == 0, "base58: %d of 3000 random round trips differ from the reference", bad);
}

struct json_case {
    const char *in;
    mcred_rc rc;
    const char *msg;   /* substring the error message must contain */
};

static const struct json_case json_cases[] = {
    { "{\"a\":1}", MCRED_OK, NULL },
    { "{\"a\":1} ", MCRED_OK, NULL },
    { "{\"a\":}", MCRED_ERR_INVALID, "line 1, column 6" },
    { "{\"a\":1}x", MCRED_ERR_INVALID, "unexpected data" },
    { "{\n\"a\":\n tru}", MCRED_ERR_INVALID, "line 3" },
    { "\"\xff\"", MCRED_ERR_INVALID, "UTF-8" },
    { "\"\xed\xa0\x80\"", MCRED_ERR_INVALID, "UTF-8" },   /* encoded surrogate */
    { "\"a\\u0000b\"", MCRED_ERR_INVALID, "\\u0000" },
    { "\"\\ud800\"", MCRED_ERR_INVALID, "malformed" },     /* lone surrogate */
    { "", MCRED_ERR_INVALID, "malformed" },
    /* strict RFC 8259, as JSON.parse: what cJSON let through is refused */
    { "01", MCRED_ERR_INVALID, NULL },
    { "[1.]", MCRED_ERR_INVALID, NULL },
    { "[-]", MCRED_ERR_INVALID, NULL },
    { "[1e]", MCRED_ERR_INVALID, NULL },
    { "\"\\u00zz\"", MCRED_ERR_INVALID, NULL },
    { "\"tab\tinside\"", MCRED_ERR_INVALID, NULL },        /* a raw control character */
    { "\v[1]", MCRED_ERR_INVALID, NULL },                    /* whitespace JSON does not have */
    { "[1,]", MCRED_ERR_INVALID, NULL },
    { "{\"a\":1,}", MCRED_ERR_INVALID, NULL },
    { "\xef\xbb\xbf{\"bom\":true}", MCRED_OK, NULL },    /* a UTF-8 BOM is skipped */
    { "[-0.5e+3, 1E2, 0, -0]", MCRED_OK, NULL },
    { "\"\\ud83d\\ude00\"", MCRED_OK, NULL },             /* a surrogate pair */
};

static void test_json(void)
{
    size_t i;
    struct mc_err err;
    cJSON *v;
    char *deep;
    const size_t depth = 10000;

    for (i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
        const struct json_case *c = &json_cases[i];

        mc_err_clear(&err);
        CHECK_RC(mc_json_parse(c->in, strlen(c->in), 0, &v, &err), c->rc, c->in);
        if (c->msg)
            CHECK(strstr(err.msg, c->msg) != NULL, "'%s': message '%s' lacks '%s'", c->in,
                  err.msg, c->msg);
        CHECK((v != NULL) == (c->rc == MCRED_OK), "output defined for '%s'", c->in);
        cJSON_Delete(v);
    }
    /* a NUL byte and anything after it: refused (the length is what counts) */
    CHECK_RC(mc_json_parse("[1]\0junk", 8, 0, &v, &err), MCRED_ERR_INVALID,
             "bytes after a NUL are refused");
    CHECK_RC(mc_json_parse("{\"a\":\"x\0y\"}", 11, 0, &v, &err), MCRED_ERR_INVALID,
             "a NUL inside a string is refused");
    deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    CHECK_RC(mc_json_parse(deep, depth * 2, 0, &v, &err), MCRED_ERR_LIMIT, "10,000-deep");
    CHECK(strstr(err.msg, "nesting") != NULL, "deep nesting message: %s", err.msg);
    CHECK_RC(mc_json_parse(deep, depth * 2, 100, &v, &err), MCRED_ERR_LIMIT, "size cap");
    /* 129 to 1000 levels: cJSON parses them, our depth check must refuse
     * (regression: the message's argument was read before it was set) */
    CHECK_RC(mc_json_parse(deep + depth - 200, 400, 0, &v, &err), MCRED_ERR_LIMIT, "200 deep");
    CHECK(strstr(err.msg, "nesting") != NULL && strstr(err.msg, "column 129") != NULL,
          "200 deep: %s", err.msg);
    free(deep);
}

/* Fail each allocation in turn: every path must return NOMEM cleanly (ASan
 * reports any leak or bad free). */
static void test_torture(void)
{
    static const char doc[] = "{\"a\":[1,2,{\"b\":\"c\"}],\"d\":\"zQ3s\"}";
    unsigned long n;
    int nomem = 0;

    for (n = 1; n < 200; n++) {
        cJSON *v = NULL;
        struct mc_buf b;
        mcred_rc rc;

        mc_buf_init(&b, 0);
        mcred_test_fail_alloc(n);
        rc = mc_json_parse(doc, sizeof(doc) - 1, 0, &v, NULL);
        if (!rc)
            rc = mc_json_stringify(v, 0, &b, NULL);
        if (!rc)
            rc = mc_base58_encode(&b, doc, sizeof(doc) - 1);
        mcred_test_fail_alloc(0);
        cJSON_Delete(v);
        mc_buf_release(&b);
        if (rc == MCRED_OK)
            break;
        nomem += rc == MCRED_ERR_NOMEM || rc == MCRED_ERR_INVALID;
    }
    CHECK(n < 200 && nomem == (int)n - 1, "torture: %d failures handled before success at %lu",
          nomem, n);
}

/* The compact JWS shape: base64url characters and exactly two dots. */
static void test_jws_shape(void)
{
    size_t d1 = 0, d2 = 0;

    CHECK(mc_jws_shape("eyJh.eyJi.c2ln", 14, &d1, &d2) && d1 == 4 && d2 == 9,
          "three parts, dots found");
    CHECK(mc_jws_shape("a..c", 4, &d1, &d2) && d1 == 1 && d2 == 2, "an empty payload");
    CHECK(!mc_jws_shape("a.b", 3, NULL, NULL), "two parts");
    CHECK(!mc_jws_shape("a.b.c.d", 7, NULL, NULL), "four parts");
    CHECK(!mc_jws_shape("a.b.c=", 6, NULL, NULL), "padding");
    CHECK(!mc_jws_shape("a.b+.c", 6, NULL, NULL), "a base64 (not url) character");
    CHECK(!mc_jws_shape("{\"a\":1}", 7, NULL, NULL), "JSON");
    CHECK(!mc_jws_shape("a.b.c\n", 6, NULL, NULL), "trailing newline (callers trim)");
    CHECK(!mc_jws_shape("", 0, NULL, NULL), "empty");
}

int main(void)
{
    test_strerror();
    test_buf();
    test_codecs();
    test_codec_errors();
    test_base58_random();
    test_json();
    test_jws_shape();
    test_torture();
    return check_report();
}
