/* test_status.c - unit tests of lib/status (W3C Bitstring Status List v1.0):
 * the published encodedList vectors (../shared/data/bitstring-status-list),
 * encode/decode round trips, hostile encodedLists (bad multibase, base64url,
 * gzip, bombs, truncation), the JSON shape of entries and list credentials,
 * the verifier's check with every outcome, fault injection and encoding speed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <zlib.h>

#include "check.h"
#include "crypto/did.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jcs.h"
#include "proof/di.h"
#include "status/bitstring.h"
#include "util/codec.h"
#include "util/json.h"

static const char *data_dir;
static const time_t NOW = 1750000000;   /* 2025-06-15 */

/* --- helpers ---------------------------------------------------------------- */

static cJSON *load_json(const char *rel)
{
    char path[4096];
    char *text;
    size_t n;
    cJSON *v = NULL;
    struct mc_err err;

    snprintf(path, sizeof(path), "%s/%s", data_dir, rel);
    text = check_read_file(path, &n);
    CHECK(text != NULL, "read %s", path);
    if (!text)
        return NULL;
    CHECK_RC(mc_json_parse(text, n, 0, &v, &err), MCRED_OK, rel);
    free(text);
    return v;
}

static cJSON *parse(const char *s)
{
    cJSON *v = NULL;
    struct mc_err err;

    if (mc_json_parse(s, strlen(s), 0, &v, &err) != MCRED_OK)
        printf("test JSON does not parse: %s\n%s\n", err.msg, s);
    return v;
}

/* gzip p[0..n) with zlib directly (the test's own reference encoder);
 * malloc'ed, *len set. */
static uint8_t *gzip_raw(const void *p, size_t n, int level, size_t *len)
{
    z_stream zs;
    uLong bound;
    uint8_t *out;

    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, level, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    bound = deflateBound(&zs, n);
    out = malloc(bound);
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)bound;
    if (!out || deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        free(out);
        deflateEnd(&zs);
        return NULL;
    }
    *len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* 'u' + base64url(p[0..n)), malloc'ed. */
static char *u_encode(const void *p, size_t n)
{
    struct mc_buf b;
    char *s, *r;

    mc_buf_init(&b, 0);
    if (mc_buf_appendc(&b, 'u') != MCRED_OK || mc_b64url_encode(&b, p, n) != MCRED_OK) {
        mc_buf_release(&b);
        return NULL;
    }
    s = mc_buf_take(&b, NULL);
    r = s ? strdup(s) : NULL;
    mc_free(s);
    return r;
}

/* encodedList of n bytes all equal to fill, through the reference encoder. */
static char *encoded_fill(size_t n, uint8_t fill)
{
    uint8_t *raw = malloc(n ? n : 1), *gz;
    size_t gzlen = 0;
    char *s = NULL;

    if (!raw)
        return NULL;
    memset(raw, fill, n);
    gz = gzip_raw(raw, n, 9, &gzlen);
    if (gz)
        s = u_encode(gz, gzlen);
    free(gz);
    free(raw);
    return s;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static mcred_rc decode_s(const char *s, unsigned size, size_t max, struct mc_bitstring *bs,
                         struct mc_err *err)
{
    return mc_bitstring_decode(s, strlen(s), size, max, bs, err);
}

/* --- the published vectors ------------------------------------------------------ */

/* vectors.json: each vector's encodedList decodes to `uncompressedBytes` bytes
 * (`bits` entries) from `gzipBytes` bytes of gzip, the bits in setIndexes are
 * set and no other bit is. */
static void test_vectors(void)
{
    cJSON *doc = load_json("bitstring-status-list/vectors.json"), *vecs, *v;
    struct mc_err err;
    int nvec = 0, nset_total = 0;

    vecs = cJSON_GetObjectItemCaseSensitive(doc, "vectors");
    CHECK(cJSON_IsArray(vecs), "vectors.json has a vectors array");
    cJSON_ArrayForEach(v, vecs) {
        const char *enc = mc_json_str(v, "encodedList"), *src = mc_json_str(v, "source");
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(v, "setIndexes"), *ix;
        double want_bytes = cJSON_GetObjectItemCaseSensitive(v, "uncompressedBytes")->valuedouble;
        double want_bits = cJSON_GetObjectItemCaseSensitive(v, "bits")->valuedouble;
        double want_gz = cJSON_GetObjectItemCaseSensitive(v, "gzipBytes")->valuedouble;
        struct mc_bitstring bs;
        struct mc_buf gz;
        size_t i, ones = 0, nset = 0;
        unsigned bit;

        nvec++;
        CHECK(enc && src && cJSON_IsArray(set), "vector %d is complete", nvec);
        if (!enc || !cJSON_IsArray(set))
            continue;
        /* the gzip length, through the plain base64url decoder */
        mc_buf_init(&gz, 0);
        CHECK_RC(mc_b64url_decode(&gz, enc + 1, strlen(enc) - 1), MCRED_OK, "vector base64url");
        CHECK(gz.len == (size_t)want_gz, "vector %d: %zu gzip bytes, want %.0f", nvec, gz.len,
              want_gz);
        mc_buf_release(&gz);

        CHECK_RC(decode_s(enc, 1, 0, &bs, &err), MCRED_OK, src);
        if (!bs.bits)
            continue;
        CHECK(bs.nbytes == (size_t)want_bytes, "vector %d: %zu bytes, want %.0f", nvec,
              bs.nbytes, want_bytes);
        CHECK(bs.entries == (size_t)want_bits && bs.entries == MC_STATUS_MIN_ENTRIES,
              "vector %d: %zu entries, want %.0f", nvec, bs.entries, want_bits);
        cJSON_ArrayForEach(ix, set) {
            size_t k = (size_t)ix->valuedouble;

            nset++;
            CHECK(mc_bitstring_get(&bs, k, &bit, &err) == MCRED_OK && bit == 1,
                  "vector %d: bit %zu is set", nvec, k);
            /* the neighbours are not: bit order is left-most first */
            if (k > 0)
                CHECK(mc_bitstring_get(&bs, k - 1, &bit, &err) == MCRED_OK && bit == 0,
                      "vector %d: bit %zu is clear", nvec, k - 1);
            CHECK(mc_bitstring_get(&bs, k + 1, &bit, &err) == MCRED_OK && bit == 0,
                  "vector %d: bit %zu is clear", nvec, k + 1);
            /* the same byte read right-to-left would be bit 7 - k%8 */
            if (k % 8 != 7 - k % 8)
                CHECK(mc_bitstring_get(&bs, k - k % 8 + (7 - k % 8), &bit, &err) == MCRED_OK &&
                      bit == 0, "vector %d: mirrored bit of %zu is clear", nvec, k);
        }
        for (i = 0; i < bs.entries; i++) {
            if (mc_bitstring_get(&bs, i, &bit, NULL) == MCRED_OK && bit)
                ones++;
        }
        CHECK(ones == nset, "vector %d: %zu bits set in the list, %zu listed", nvec, ones, nset);
        nset_total += (int)nset;
        CHECK(mc_bitstring_get(&bs, bs.entries, &bit, &err) == MCRED_ERR_INVALID,
              "vector %d: index past the end", nvec);
        mc_bitstring_release(&bs);
    }
    CHECK(nvec == 2 && nset_total == 1, "vectors.json: %d vectors with %d set bits", nvec,
          nset_total);
    printf("vectors.json: %d encodedLists decoded, %d set bits found\n", nvec, nset_total);
    cJSON_Delete(doc);
}

/* Our encoder is zlib's gzip at the default level with a zeroed header, as
 * Node's zlib.gzip: an empty minimum list encodes to the spec's Example 3. */
static void test_encode_matches_spec(void)
{
    cJSON *doc = load_json("bitstring-status-list/vectors.json");
    const cJSON *v0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "vectors"), 0);
    const char *want = mc_json_str(v0, "encodedList");
    struct mc_bitstring bs;
    struct mc_buf b;
    struct mc_err err;

    CHECK(want && strstr(mc_json_str(v0, "source"), "Example 3"), "vector 0 is Example 3");
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, &err), MCRED_OK, "init");
    mc_buf_init(&b, 0);
    CHECK_RC(mc_bitstring_encode(&bs, &b, &err), MCRED_OK, "encode empty list");
    CHECK_STR_EQ(b.ptr, want, "empty 131,072-entry list");
    mc_buf_release(&b);
    mc_bitstring_release(&bs);
    cJSON_Delete(doc);
}

/* The 1EdTech validator's revocation list credential: its encodedList is
 * vector 1, and a BitstringStatusListEntry for index 23 reads as revoked. */
static mcred_rc one_doc_get(void *ud, const char *url, cJSON **out, struct mc_err *err)
{
    const cJSON *doc = ud;

    *out = NULL;
    if (strcmp(url, mc_json_str(doc, "id")) != 0)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no list at '%s'", url);
    *out = cJSON_Duplicate(doc, 1);
    return *out ? MCRED_OK : MCRED_ERR_NOMEM;
}

static void test_1edtech_list(void)
{
    cJSON *list = load_json("bitstring-status-list/1edtech-testlist.json");
    cJSON *vec = load_json("bitstring-status-list/vectors.json");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(list, "credentialSubject");
    const cJSON *v1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(vec, "vectors"), 1);
    struct mc_status_source src = { one_doc_get, list };
    struct mc_status_opts o = { NOW, &src, 0 };
    struct mc_status_result res[MC_STATUS_MAX_ENTRIES];
    struct mc_err err;
    size_t n = 0;
    char entry[512];
    const int idx = (int)cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(v1, "setIndexes"), 0)->valuedouble;
    const char *url = mc_json_str(list, "id");
    cJSON *cs;

    CHECK_STR_EQ(mc_json_str(sub, "encodedList"), mc_json_str(v1, "encodedList"),
                 "1edtech-testlist.json holds vector 1");
    CHECK_STR_EQ(mc_json_str(sub, "statusPurpose"), mc_json_str(v1, "statusPurpose"),
                 "1edtech list purpose");

    /* as the 1EdTech sample gives it: a JSON integer index (lenient flag) */
    snprintf(entry, sizeof(entry), "{\"id\":\"%s#%d\",\"type\":\"BitstringStatusListEntry\","
             "\"statusPurpose\":\"revocation\",\"statusListIndex\":%d,"
             "\"statusListCredential\":\"%s\"}", url, idx, idx, url);
    cs = parse(entry);
    CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_OK, "check integer index, strict");
    CHECK(n == 1 && res[0].outcome == MC_STATUS_ERROR && res[0].error == MC_STATUS_ERR_MALFORMED,
          "strict: an integer statusListIndex is malformed (%s)", n ? res[0].reason : "");
    o.flags = MC_STATUS_LENIENT_INDEX;
    CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_OK, "check integer index, lenient");
    CHECK(n == 1 && res[0].outcome == MC_STATUS_REVOKED && res[0].value == 1 &&
          res[0].index == (uint64_t)idx, "1EdTech index %d is revoked (%s)", idx,
          n ? res[0].reason : "");
    CHECK_STR_EQ(res[0].list_issuer, mc_json_str(list, "issuer"), "list issuer reported");
    cJSON_Delete(cs);

    /* as the spec wants it: a string, and its neighbours are not revoked */
    o.flags = 0;
    snprintf(entry, sizeof(entry), "[{\"type\":\"BitstringStatusListEntry\","
             "\"statusPurpose\":\"revocation\",\"statusListIndex\":\"%d\","
             "\"statusListCredential\":\"%s\"},{\"type\":\"BitstringStatusListEntry\","
             "\"statusPurpose\":\"revocation\",\"statusListIndex\":\"%d\","
             "\"statusListCredential\":\"%s\"},{\"type\":\"BitstringStatusListEntry\","
             "\"statusPurpose\":\"suspension\",\"statusListIndex\":\"%d\","
             "\"statusListCredential\":\"%s\"}]", idx, url, idx + 1, url, idx, url);
    cs = parse(entry);
    CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_OK, "check string index");
    CHECK(n == 3, "three results");
    CHECK(res[0].outcome == MC_STATUS_REVOKED, "index %d revoked: %s", idx, res[0].reason);
    CHECK(res[1].outcome == MC_STATUS_OK && res[1].value == 0, "index %d ok: %s", idx + 1,
          res[1].reason);
    CHECK(res[2].outcome == MC_STATUS_ERROR && res[2].error == MC_STATUS_ERR_VERIFICATION,
          "a suspension entry against a revocation list: %s", res[2].reason);
    cJSON_Delete(cs);
    cJSON_Delete(list);
    cJSON_Delete(vec);
}

/* --- round trips, sizes ---------------------------------------------------------- */

static void test_round_trip(void)
{
    static const struct {
        size_t entries;
        unsigned size;
        unsigned nset;   /* random entries given random non-zero values */
    } cases[] = {
        { 131072, 1, 0 },            /* empty minimum list */
        { 131072, 1, 1000 },         /* a typical revocation list */
        { 131072 * 3 + 5, 1, 5000 }, /* not a multiple of 8: the last byte is partial */
        { 131072, 2, 3000 },         /* message lists */
        { 131073, 3, 3000 },
        { 131072, 8, 20000 },
        { 1 << 20, 1, 200000 },      /* dense: barely compressible */
    };
    size_t c;

    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct mc_bitstring bs, back;
        struct mc_buf b;
        struct mc_err err;
        unsigned *want = calloc(cases[c].entries, sizeof(unsigned)), got = 0, i;
        size_t k, bad = 0;
        unsigned max = (1u << cases[c].size) - 1;

        CHECK_RC(mc_bitstring_init(&bs, cases[c].entries, cases[c].size, &err), MCRED_OK,
                 "init");
        CHECK(bs.entries == cases[c].entries &&
              bs.nbytes == (cases[c].entries * cases[c].size + 7) / 8, "case %zu: sizes", c);
        for (i = 0; i < cases[c].nset; i++) {
            size_t at = (size_t)(rng() % cases[c].entries);
            unsigned val = (unsigned)(rng() % max) + 1;

            want[at] = val;
            if (mc_bitstring_set(&bs, at, val, &err) != MCRED_OK)
                bad++;
        }
        /* clearing works too */
        for (i = 0; i < cases[c].nset / 10; i++) {
            size_t at = (size_t)(rng() % cases[c].entries);

            want[at] = 0;
            if (mc_bitstring_set(&bs, at, 0, &err) != MCRED_OK)
                bad++;
        }
        CHECK(bad == 0, "case %zu: every set succeeded", c);
        mc_buf_init(&b, 0);
        CHECK_RC(mc_bitstring_encode(&bs, &b, &err), MCRED_OK, "encode");
        CHECK(b.len > 0 && b.ptr[0] == 'u' && !strchr(b.ptr, '=') && !strchr(b.ptr, '+') &&
              !strchr(b.ptr, '/'), "case %zu: 'u' base64url without padding", c);
        CHECK_RC(decode_s(b.ptr, cases[c].size, 0, &back, &err), MCRED_OK, "decode");
        CHECK(back.nbytes == bs.nbytes && back.bits && memcmp(back.bits, bs.bits, bs.nbytes) == 0,
              "case %zu: same bytes after the round trip", c);
        CHECK(back.entries >= cases[c].entries && back.entries - cases[c].entries < 8,
              "case %zu: %zu entries decoded", c, back.entries);
        for (k = 0; k < cases[c].entries && back.bits; k++) {
            if (mc_bitstring_get(&back, k, &got, NULL) != MCRED_OK || got != want[k])
                bad++;
        }
        CHECK(bad == 0, "case %zu: %zu entries read back wrong", c, bad);
        mc_bitstring_release(&back);
        mc_buf_release(&b);
        mc_bitstring_release(&bs);
        free(want);
    }
}

static void test_sizes_and_bits(void)
{
    struct mc_bitstring bs;
    struct mc_err err;
    unsigned v = 7;
    char *s;

    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES - 1, 1, &err), MCRED_ERR_INVALID,
             "131,071 entries are too few");
    CHECK(bs.bits == NULL && bs.nbytes == 0, "zeroed after a failed init");
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 0, &err), MCRED_ERR_INVALID,
             "statusSize 0");
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 9, &err), MCRED_ERR_INVALID,
             "statusSize 9");
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MAX_BYTES * 8 + 1, 1, &err), MCRED_ERR_LIMIT,
             "a list past the cap");
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MAX_BYTES * 8 / 8, 8, &err), MCRED_OK,
             "a list exactly at the cap");
    mc_bitstring_release(&bs);

    /* bit positions: entry 0 is the left-most (most significant) bit */
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, &err), MCRED_OK, "init");
    CHECK_RC(mc_bitstring_set(&bs, 0, 1, &err), MCRED_OK, "set 0");
    CHECK_RC(mc_bitstring_set(&bs, 9, 1, &err), MCRED_OK, "set 9");
    CHECK_RC(mc_bitstring_set(&bs, MC_STATUS_MIN_ENTRIES - 1, 1, &err), MCRED_OK, "set last");
    CHECK(bs.bits[0] == 0x80 && bs.bits[1] == 0x40 && bs.bits[bs.nbytes - 1] == 0x01,
          "MSB-first layout: %02x %02x %02x", bs.bits[0], bs.bits[1], bs.bits[bs.nbytes - 1]);
    CHECK_RC(mc_bitstring_set(&bs, MC_STATUS_MIN_ENTRIES, 1, &err), MCRED_ERR_INVALID,
             "set past the end");
    CHECK_RC(mc_bitstring_set(&bs, 1, 2, &err), MCRED_ERR_INVALID, "value 2 in one bit");
    CHECK_RC(mc_bitstring_get(&bs, MC_STATUS_MIN_ENTRIES, &v, &err), MCRED_ERR_INVALID,
             "get past the end");
    CHECK(v == 0, "value zeroed on failure");
    mc_bitstring_release(&bs);
    mc_bitstring_release(&bs);   /* twice is harmless */

    /* 2-bit values: entry 1 is bits 2..3, most significant first */
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 2, &err), MCRED_OK, "init 2-bit");
    CHECK_RC(mc_bitstring_set(&bs, 1, 2, &err), MCRED_OK, "set 1 := 2");
    CHECK_RC(mc_bitstring_set(&bs, 3, 1, &err), MCRED_OK, "set 3 := 1");
    CHECK(bs.bits[0] == 0x21, "2-bit layout: %02x", bs.bits[0]);
    CHECK_RC(mc_bitstring_set(&bs, 3, 4, &err), MCRED_ERR_INVALID, "value 4 in two bits");
    mc_bitstring_release(&bs);

    /* the minimum decoded size is 16 KB exactly */
    s = encoded_fill(MC_STATUS_MIN_BYTES, 0);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_OK, "a 16384-byte list");
    CHECK(bs.entries == MC_STATUS_MIN_ENTRIES, "131,072 entries");
    mc_bitstring_release(&bs);
    free(s);
    s = encoded_fill(MC_STATUS_MIN_BYTES - 1, 0);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "a 16383-byte list");
    CHECK(strstr(err.msg, "16 KB") != NULL, "message names the minimum: %s", err.msg);
    CHECK(bs.bits == NULL && bs.nbytes == 0 && bs.entries == 0, "zeroed on failure");
    free(s);
    s = encoded_fill(MC_STATUS_MIN_BYTES * 2, 0xff);
    CHECK_RC(decode_s(s, 2, 0, &bs, &err), MCRED_OK, "32 KB as 2-bit values");
    CHECK(bs.entries == MC_STATUS_MIN_ENTRIES && mc_bitstring_get(&bs, 5, &v, &err) == 0 &&
          v == 3, "131,072 2-bit values of 3");
    mc_bitstring_release(&bs);
    CHECK_RC(decode_s(s, 0, 0, &bs, &err), MCRED_ERR_INVALID, "decode with statusSize 0");
    CHECK_RC(decode_s(s, 9, 0, &bs, &err), MCRED_ERR_INVALID, "decode with statusSize 9");
    free(s);
}

/* --- hostile encodedLists ---------------------------------------------------------- */

/* gzip whose data are n zero bytes, with the trailer's ISIZE replaced when
 * forged_isize is not ~0. */
static char *zero_gzip(size_t n, uint32_t forged_isize, size_t *gzlen)
{
    uint8_t *raw = calloc(n, 1), *gz;
    size_t len = 0;
    char *s;

    gz = raw ? gzip_raw(raw, n, 9, &len) : NULL;
    free(raw);
    if (!gz)
        return NULL;
    if (forged_isize != ~(uint32_t)0) {
        gz[len - 4] = (uint8_t)forged_isize;
        gz[len - 3] = (uint8_t)(forged_isize >> 8);
        gz[len - 2] = (uint8_t)(forged_isize >> 16);
        gz[len - 1] = (uint8_t)(forged_isize >> 24);
    }
    *gzlen = len;
    s = u_encode(gz, len);
    free(gz);
    return s;
}

static void test_bad_text(void)
{
    static const struct {
        const char *s;
        mcred_rc rc;
        const char *what;
    } cases[] = {
        { "", MCRED_ERR_INVALID, "empty" },
        { "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
          MCRED_ERR_INVALID, "no multibase prefix (StatusList2021 style)" },
        { "zH4sIAAAAAAAAA", MCRED_ERR_INVALID, "base58btc multibase" },
        { "mH4sIAAAAAAAAA", MCRED_ERR_INVALID, "base64 multibase" },
        { "u", MCRED_ERR_INVALID, "prefix only" },
        { "uH4sIAAAAAAAAA+3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
          MCRED_ERR_INVALID, "'+' from the standard alphabet" },
        { "uH4sIAAAAAAAAA/3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
          MCRED_ERR_INVALID, "'/' from the standard alphabet" },
        { "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA==",
          MCRED_ERR_INVALID, "padding" },
        { "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA ",
          MCRED_ERR_INVALID, "trailing space" },
        { "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAAA",
          MCRED_ERR_INVALID, "length 1 mod 4" },
        { "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAB",
          MCRED_ERR_INVALID, "non-canonical trailing bits" },
        { "uAAAA", MCRED_ERR_INVALID, "three zero bytes" },
        { "uH4sI", MCRED_ERR_INVALID, "gzip magic only" },
        { "ueJzLSM3JyQcABiwCFQ", MCRED_ERR_INVALID, "a zlib stream, not gzip" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mc_bitstring bs;
        struct mc_err err;

        mc_err_clear(&err);
        CHECK_RC(decode_s(cases[i].s, 1, 0, &bs, &err), cases[i].rc, cases[i].what);
        CHECK(bs.bits == NULL && bs.nbytes == 0, "%s: output zeroed", cases[i].what);
        CHECK(err.msg[0] != '\0', "%s: a message", cases[i].what);
    }
}

static void test_bad_gzip(void)
{
    uint8_t raw[MC_STATUS_MIN_BYTES], *gz, *mod;
    size_t gzlen = 0, cut, n;
    struct mc_bitstring bs;
    struct mc_err err;
    char *s;
    int truncated_ok = 0, truncated_n = 0;
    mcred_rc rc;

    memset(raw, 0, sizeof(raw));
    raw[100] = 0x5a;
    gz = gzip_raw(raw, sizeof(raw), 6, &gzlen);
    mod = malloc(gzlen * 2 + 64);

    /* truncated anywhere: never accepted */
    for (cut = 0; cut < gzlen; cut++) {
        s = u_encode(gz, cut);
        rc = decode_s(s, 1, 0, &bs, &err);
        truncated_n++;
        truncated_ok += rc == MCRED_ERR_INVALID && bs.bits == NULL;
        mc_bitstring_release(&bs);
        free(s);
    }
    CHECK(truncated_ok == truncated_n, "truncated gzip: %d of %d cuts rejected", truncated_ok,
          truncated_n);

    /* trailing garbage, a second member */
    memcpy(mod, gz, gzlen);
    mod[gzlen] = 0;
    s = u_encode(mod, gzlen + 1);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "one byte after the member");
    CHECK(strstr(err.msg, "follow") != NULL, "names the trailing bytes: %s", err.msg);
    free(s);
    memcpy(mod + gzlen, gz, gzlen);
    s = u_encode(mod, gzlen * 2);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "two gzip members");
    free(s);

    /* corrupt CRC, corrupt length, corrupt deflate data, bad method, reserved flags */
    memcpy(mod, gz, gzlen);
    mod[gzlen - 8] ^= 1;
    s = u_encode(mod, gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "bad CRC-32");
    free(s);
    memcpy(mod, gz, gzlen);
    mod[gzlen - 4] ^= 1;
    s = u_encode(mod, gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "ISIZE off by one");
    free(s);
    memcpy(mod, gz, gzlen);
    mod[10] = 0xff;   /* first deflate header byte: reserved block type */
    s = u_encode(mod, gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "bad deflate block");
    free(s);
    memcpy(mod, gz, gzlen);
    mod[2] = 7;       /* compression method */
    s = u_encode(mod, gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "method 7");
    free(s);
    memcpy(mod, gz, gzlen);
    mod[3] = 0xe0;    /* reserved flag bits */
    s = u_encode(mod, gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_INVALID, "reserved flags");
    free(s);

    /* a valid member with FEXTRA and FNAME header fields is gzip all the same */
    n = 0;
    memcpy(mod, gz, 10);
    mod[3] = 0x04 | 0x08;
    mod[10] = 3;
    mod[11] = 0;
    memcpy(mod + 12, "abc", 3);
    memcpy(mod + 15, "list.bin", 9);
    n = 24;
    memcpy(mod + n, gz + 10, gzlen - 10);
    s = u_encode(mod, n + gzlen - 10);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_OK, "gzip with extra and name fields");
    CHECK(bs.nbytes == sizeof(raw) && bs.bits && bs.bits[100] == 0x5a, "its data");
    mc_bitstring_release(&bs);
    free(s);

    free(mod);
    free(gz);
}

static void test_bombs(void)
{
    struct mc_bitstring bs;
    struct mc_err err;
    size_t gzlen = 0;
    char *s;
    clock_t t0;

    /* 17 MiB of zeros in ~17 KB: stopped once 16 MiB have come out */
    s = zero_gzip(MC_STATUS_MAX_BYTES + (1 << 20), ~(uint32_t)0, &gzlen);
    CHECK(s && gzlen < 20000, "bomb of %zu gzip bytes", gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_LIMIT, "gzip bomb");
    CHECK(bs.bits == NULL, "nothing kept");
    printf("bomb (%zu bytes -> 17 MiB): %s\n", gzlen, err.msg);
    free(s);

    /* the same with a forged small ISIZE: stopped by the running count */
    s = zero_gzip(MC_STATUS_MAX_BYTES + (1 << 20), MC_STATUS_MIN_BYTES, &gzlen);
    t0 = clock();
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_LIMIT, "bomb with forged ISIZE");
    CHECK(strstr(err.msg, "past the limit") != NULL, "stopped while inflating: %s", err.msg);
    printf("forged-ISIZE bomb stopped after %.1f ms\n",
           (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC);
    free(s);

    /* ISIZE wrapped past 2^32 reads as 0: still the running count */
    s = zero_gzip(MC_STATUS_MAX_BYTES + 1, 0, &gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_ERR_LIMIT, "bomb with ISIZE 0");
    free(s);

    /* a caller's own cap, exactly at and one byte past */
    s = zero_gzip(65536, ~(uint32_t)0, &gzlen);
    CHECK_RC(decode_s(s, 1, 65536, &bs, &err), MCRED_OK, "65536 bytes with a 65536 cap");
    mc_bitstring_release(&bs);
    CHECK_RC(decode_s(s, 1, 65535, &bs, &err), MCRED_ERR_LIMIT, "65536 bytes with a 65535 cap");
    free(s);
    s = zero_gzip(65536, 20000, &gzlen);
    CHECK_RC(decode_s(s, 1, 65535, &bs, &err), MCRED_ERR_LIMIT, "forged ISIZE, small cap");
    free(s);
    /* exactly the default cap is accepted */
    s = zero_gzip(MC_STATUS_MAX_BYTES, ~(uint32_t)0, &gzlen);
    CHECK_RC(decode_s(s, 1, 0, &bs, &err), MCRED_OK, "exactly 16 MiB");
    CHECK(bs.nbytes == MC_STATUS_MAX_BYTES, "16 MiB decoded");
    mc_bitstring_release(&bs);
    free(s);

    /* an encoded string longer than any list within the cap */
    {
        size_t n = 200000;
        char *big = malloc(n + 1);

        memset(big, 'A', n);
        big[0] = 'u';
        big[n] = '\0';
        CHECK_RC(decode_s(big, 1, 65536, &bs, &err), MCRED_ERR_LIMIT, "overlong encodedList");
        free(big);
    }
}

/* --- JSON shapes ------------------------------------------------------------------ */

static void test_entry_shape(void)
{
    /* the spec's example entry (§2.1, "Example StatusListCredential using
     * simple entries"), rebuilt */
    static const char *want =
        "{\"id\":\"https://example.com/credentials/status/3#94567\","
        "\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusListIndex\":\"94567\","
        "\"statusListCredential\":\"https://example.com/credentials/status/3\"}";
    static const char *const msgs[] = { "pending_review", "accepted", "rejected", "undefined" };
    cJSON *e = NULL, *w = parse(want), *m;
    struct mc_buf a, b;
    struct mc_err err;
    int i = 0;

    CHECK_RC(mc_status_entry("https://example.com/credentials/status/3",
                             MC_STATUS_PURPOSE_REVOCATION, 94567, 1, NULL, &e, &err), MCRED_OK,
             "entry");
    mc_buf_init(&a, 0);
    mc_buf_init(&b, 0);
    CHECK(mc_jcs_canon(e, &a, &err) == MCRED_OK && mc_jcs_canon(w, &b, &err) == MCRED_OK &&
          a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0,
          "the spec's example entry: got %s", a.ptr ? a.ptr : "(null)");
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "statusListIndex")),
          "statusListIndex is a string");
    CHECK(!cJSON_GetObjectItemCaseSensitive(e, "statusSize"), "no statusSize for 1 bit");
    mc_buf_release(&a);
    mc_buf_release(&b);
    cJSON_Delete(e);
    cJSON_Delete(w);

    /* the spec's message example: statusSize 2 with four messages */
    CHECK_RC(mc_status_entry("https://example.com/credentials/status/8", MC_STATUS_PURPOSE_MESSAGE,
                             492847, 2, msgs, &e, &err), MCRED_OK, "message entry");
    CHECK_STR_EQ(mc_json_str(e, "id"), "https://example.com/credentials/status/8#492847", "id");
    CHECK_STR_EQ(mc_json_str(e, "statusPurpose"), "message", "purpose");
    CHECK_STR_EQ(mc_json_str(e, "statusListIndex"), "492847", "index");
    CHECK(cJSON_GetObjectItemCaseSensitive(e, "statusSize") &&
          cJSON_GetObjectItemCaseSensitive(e, "statusSize")->valuedouble == 2, "statusSize 2");
    m = cJSON_GetObjectItemCaseSensitive(e, "statusMessage");
    CHECK(cJSON_GetArraySize(m) == 4, "four statusMessage elements");
    cJSON_ArrayForEach(w, m) {
        char hex[8];

        snprintf(hex, sizeof(hex), "0x%x", i);
        CHECK_STR_EQ(mc_json_str(w, "status"), hex, "status");
        CHECK_STR_EQ(mc_json_str(w, "message"), msgs[i], "message");
        i++;
    }
    cJSON_Delete(e);

    CHECK_RC(mc_status_entry("https://x.example/s", MC_STATUS_PURPOSE_MESSAGE, 1, 2, NULL, &e,
                             &err), MCRED_ERR_INVALID, "statusSize 2 without messages");
    CHECK(e == NULL, "no output");
    CHECK_RC(mc_status_entry("", MC_STATUS_PURPOSE_REVOCATION, 1, 1, NULL, &e, &err),
             MCRED_ERR_INVALID, "no url");
    CHECK_RC(mc_status_entry("https://x.example/s", (enum mc_status_purpose)9, 1, 1, NULL, &e,
                             &err), MCRED_ERR_INVALID, "bad purpose");
    CHECK_RC(mc_status_entry("https://x.example/s", MC_STATUS_PURPOSE_REVOCATION, 1, 9, NULL,
                             &e, &err), MCRED_ERR_INVALID, "statusSize 9");
}

/* Members of a JSON object, as a sorted comma list, into buf. */
static void key_list(const cJSON *obj, const char *skip, char *buf, size_t n)
{
    const char *keys[32];
    size_t k = 0, i, j, len = 0;
    const cJSON *m;

    cJSON_ArrayForEach(m, obj) {
        if (k < 32 && (!skip || strcmp(m->string, skip) != 0))
            keys[k++] = m->string;
    }
    for (i = 1; i < k; i++) {
        for (j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];

            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    }
    buf[0] = '\0';
    for (i = 0; i < k && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? "," : "", keys[i]);
}

static void test_list_credential_shape(void)
{
    cJSON *pub = load_json("bitstring-status-list/1edtech-testlist.json");
    struct mc_status_list_desc d = { "https://issuer.example/status/7", "did:example:12345",
                                     1617633000, 0, 0, MC_STATUS_PURPOSE_SUSPENSION };
    struct mc_bitstring bs, back;
    struct mc_err err;
    cJSON *vc = NULL, *ctx, *type, *sub;
    char got_keys[256], want_keys[256];
    unsigned bit = 0;

    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, &err), MCRED_OK, "init");
    CHECK_RC(mc_bitstring_set(&bs, 4242, 1, &err), MCRED_OK, "set");
    CHECK_RC(mc_status_list_credential(&d, &bs, &vc, &err), MCRED_OK, "list credential");

    /* the same members as the published list credentials (less the proof) */
    key_list(vc, NULL, got_keys, sizeof(got_keys));
    key_list(pub, "proof", want_keys, sizeof(want_keys));
    CHECK_STR_EQ(got_keys, want_keys, "top-level members as 1edtech-testlist.json");
    sub = cJSON_GetObjectItemCaseSensitive(vc, "credentialSubject");
    key_list(sub, NULL, got_keys, sizeof(got_keys));
    key_list(cJSON_GetObjectItemCaseSensitive(pub, "credentialSubject"), NULL, want_keys,
             sizeof(want_keys));
    CHECK_STR_EQ(got_keys, want_keys, "credentialSubject members as 1edtech-testlist.json");

    /* field by field (spec §2.2) */
    ctx = cJSON_GetObjectItemCaseSensitive(vc, "@context");
    CHECK(cJSON_IsArray(ctx) && cJSON_GetArraySize(ctx) == 1, "@context: one URL");
    CHECK_STR_EQ(cJSON_GetArrayItem(ctx, 0)->valuestring,
                 cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pub, "@context"), 0)
                     ->valuestring, "@context is the VC 2.0 context");
    CHECK_STR_EQ(mc_json_str(vc, "id"), d.url, "id is the list URL");
    type = cJSON_GetObjectItemCaseSensitive(vc, "type");
    CHECK(cJSON_IsArray(type) && cJSON_GetArraySize(type) == 2 &&
          mc_json_has_str(type, "VerifiableCredential") &&
          mc_json_has_str(type, "BitstringStatusListCredential"), "type");
    CHECK_STR_EQ(mc_json_str(vc, "issuer"), d.issuer, "issuer");
    CHECK_STR_EQ(mc_json_str(vc, "validFrom"), "2021-04-05T14:30:00Z", "validFrom");
    CHECK(!cJSON_GetObjectItemCaseSensitive(vc, "validUntil"), "no validUntil");
    CHECK_STR_EQ(mc_json_str(sub, "id"), "https://issuer.example/status/7#list", "subject id");
    CHECK_STR_EQ(mc_json_str(sub, "type"), "BitstringStatusList", "subject type");
    CHECK_STR_EQ(mc_json_str(sub, "statusPurpose"), "suspension", "statusPurpose");
    CHECK(mc_json_str(sub, "encodedList") &&
          decode_s(mc_json_str(sub, "encodedList"), 1, 0, &back, &err) == MCRED_OK &&
          mc_bitstring_get(&back, 4242, &bit, &err) == MCRED_OK && bit == 1 &&
          memcmp(back.bits, bs.bits, bs.nbytes) == 0, "encodedList holds the list");
    mc_bitstring_release(&back);
    cJSON_Delete(vc);

    /* validUntil and ttl when asked */
    d.valid_until = 1617633000 + 86400;
    d.ttl_ms = 300000;
    CHECK_RC(mc_status_list_credential(&d, &bs, &vc, &err), MCRED_OK, "with validUntil, ttl");
    CHECK_STR_EQ(mc_json_str(vc, "validUntil"), "2021-04-06T14:30:00Z", "validUntil");
    sub = cJSON_GetObjectItemCaseSensitive(vc, "credentialSubject");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(sub, "ttl")) &&
          cJSON_GetObjectItemCaseSensitive(sub, "ttl")->valuedouble == 300000, "ttl");
    cJSON_Delete(vc);

    d.issuer = NULL;
    CHECK_RC(mc_status_list_credential(&d, &bs, &vc, &err), MCRED_ERR_INVALID, "no issuer");
    CHECK(vc == NULL, "no output");
    mc_bitstring_release(&bs);
    cJSON_Delete(pub);
}

/* The list credential signs and verifies with eddsa-rdfc-2022: every term
 * is defined by the VC 2.0 context (safe mode would refuse others). */
static void test_list_signs(void)
{
    char dir[4096];
    struct mc_ctxstore *store = NULL;
    struct mc_di_env env = { NULL, NULL, NULL, NOW };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    struct mc_status_list_desc d = { NULL, NULL, NOW - 60, 0, 0, MC_STATUS_PURPOSE_REVOCATION };
    struct mc_bitstring bs;
    struct mc_key k;
    struct mc_err err;
    uint8_t seed[32];
    struct mc_buf did;
    char url[64];
    size_t n = 0;
    cJSON *vc = NULL;
    const cJSON *proof;

    snprintf(dir, sizeof(dir), "%s/contexts", data_dir);
    CHECK_RC(mc_ctxstore_new(&store, dir, &err), MCRED_OK, "context store");
    env.contexts = store;
    memset(seed, 0x5b, sizeof(seed));
    CHECK_RC(mc_key_generate(&k, seed), MCRED_OK, "key");
    mc_buf_init(&did, 0);
    CHECK_RC(mc_key_did(&k, &did), MCRED_OK, "did:key");
    snprintf(url, sizeof(url), "https://issuer.example/status/%d", 1);
    d.url = url;
    d.issuer = did.ptr;
    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, &err), MCRED_OK, "init");
    CHECK_RC(mc_bitstring_set(&bs, 77, 1, &err), MCRED_OK, "set");
    CHECK_RC(mc_status_list_credential(&d, &bs, &vc, &err), MCRED_OK, "list");
    CHECK_RC(mc_di_sign(vc, &k, NULL, &env, NULL, &err), MCRED_OK, "sign with eddsa-rdfc-2022");
    if (err.rc)
        printf("  sign: %s\n", err.msg);
    proof = cJSON_GetObjectItemCaseSensitive(vc, "proof");
    CHECK_STR_EQ(mc_json_str(proof, "cryptosuite"), "eddsa-rdfc-2022", "default suite");
    CHECK_RC(mc_di_verify(vc, NULL, &env, res, &n, NULL, &err), MCRED_OK, "verify");
    CHECK(n == 1 && res[0].rc == MCRED_OK, "one verified proof");
    /* flipping a bit of the list breaks the proof */
    {
        cJSON *sub = cJSON_GetObjectItemCaseSensitive(vc, "credentialSubject");
        struct mc_buf b;

        mc_buf_init(&b, 0);
        CHECK_RC(mc_bitstring_set(&bs, 78, 1, &err), MCRED_OK, "set another");
        CHECK_RC(mc_bitstring_encode(&bs, &b, &err), MCRED_OK, "encode");
        cJSON_ReplaceItemInObjectCaseSensitive(sub, "encodedList", cJSON_CreateString(b.ptr));
        CHECK_RC(mc_di_verify(vc, NULL, &env, res, &n, NULL, &err), MCRED_ERR_VERIFY,
                 "a revoked bit added after signing");
        mc_buf_release(&b);
    }
    cJSON_Delete(vc);
    mc_bitstring_release(&bs);
    mc_key_clear(&k);
    mc_buf_release(&did);
    mc_ctxstore_free(store);
}

/* --- the verifier's check --------------------------------------------------------- */

#define NLISTS 16

struct fake_src {
    const char *url[NLISTS];
    cJSON *doc[NLISTS];
    mcred_rc rc[NLISTS];   /* returned instead of the document when non-zero */
    size_t n;
    int calls;
};

static mcred_rc fake_get(void *ud, const char *url, cJSON **out, struct mc_err *err)
{
    struct fake_src *f = ud;
    size_t i;

    f->calls++;
    *out = NULL;
    for (i = 0; i < f->n; i++) {
        if (strcmp(url, f->url[i]) != 0)
            continue;
        if (f->rc[i])
            return mc_err_set(err, f->rc[i], "fake failure %d for '%s'", (int)f->rc[i], url);
        *out = cJSON_Duplicate(f->doc[i], 1);
        return *out ? MCRED_OK : mc_err_set(err, MCRED_ERR_NOMEM, "duplicate");
    }
    return mc_err_set(err, MCRED_ERR_NOTFOUND, "404 for '%s'", url);
}

static void add_list(struct fake_src *f, const char *url, cJSON *doc, mcred_rc rc)
{
    f->url[f->n] = url;
    f->doc[f->n] = doc;
    f->rc[f->n] = rc;
    f->n++;
}

/* A list at url with purpose, the given values set. */
static cJSON *make_list(const char *url, enum mc_status_purpose p, unsigned size,
                        time_t from, time_t until, const size_t *idx, const unsigned *val,
                        size_t n)
{
    struct mc_status_list_desc d = { url, "did:example:issuer", from, until, 0, p };
    struct mc_bitstring bs;
    struct mc_err err;
    cJSON *vc = NULL;
    size_t i;

    if (mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, size, &err) != MCRED_OK)
        return NULL;
    for (i = 0; i < n; i++) {
        if (mc_bitstring_set(&bs, idx[i], val[i], &err) != MCRED_OK)
            printf("make_list: %s\n", err.msg);
    }
    if (mc_status_list_credential(&d, &bs, &vc, &err) != MCRED_OK)
        printf("make_list: %s\n", err.msg);
    mc_bitstring_release(&bs);
    return vc;
}

static void set_member(cJSON *obj, const char *key, cJSON *v)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
    else
        cJSON_AddItemToObject(obj, key, v);
}

#define L(n) "https://issuer.example/status/" #n
#define ENTRY(purpose, index, list)                                                        \
    "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"" purpose "\","            \
    "\"statusListIndex\":" index ",\"statusListCredential\":\"" list "\"}"
#define ERR(e) MC_STATUS_ERROR, MC_STATUS_ERR_##e, 0, NULL
#define MSGS4                                                                              \
    "[{\"status\":\"0x0\",\"message\":\"pending\"},{\"status\":\"0x1\",\"message\":"       \
    "\"accepted\"},{\"status\":\"0x2\",\"message\":\"rejected\"},{\"status\":\"0x3\","     \
    "\"message\":\"undefined\"}]"

static struct fake_src *make_lists(void)
{
    static const size_t ri[] = { 5, 131071 }, si[] = { 7 }, mi[] = { 10, 11 };
    static const unsigned one[] = { 1, 1 }, mv[] = { 2, 3 };
    struct fake_src *f = calloc(1, sizeof(*f));
    cJSON *v, *sub;
    char *short_list;

    add_list(f, L(1), make_list(L(1), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 2),
             0);
    add_list(f, L(2), make_list(L(2), MC_STATUS_PURPOSE_SUSPENSION, 1, NOW - 100, 0, si, one, 1),
             0);
    add_list(f, L(3), make_list(L(3), MC_STATUS_PURPOSE_MESSAGE, 2, NOW - 100, 0, mi, mv, 2), 0);
    /* expired, not yet valid */
    add_list(f, L(4), make_list(L(4), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, NOW - 1, ri,
                                one, 0), 0);
    add_list(f, L(5), make_list(L(5), MC_STATUS_PURPOSE_REVOCATION, 1, NOW + 100, 0, ri, one, 0),
             0);
    /* published under another id */
    add_list(f, L(6), make_list(L(7), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 0),
             0);
    /* not a BitstringStatusListCredential */
    v = make_list(L(8), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 0);
    set_member(v, "type", parse("[\"VerifiableCredential\"]"));
    add_list(f, L(8), v, 0);
    /* garbage encodedList */
    v = make_list(L(9), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 0);
    sub = cJSON_GetObjectItemCaseSensitive(v, "credentialSubject");
    set_member(sub, "encodedList", cJSON_CreateString("uAAAA"));
    add_list(f, L(9), v, 0);
    /* an 8 KB list: too short */
    v = make_list(L(10), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 0);
    sub = cJSON_GetObjectItemCaseSensitive(v, "credentialSubject");
    short_list = encoded_fill(8192, 0);
    set_member(sub, "encodedList", cJSON_CreateString(short_list));
    free(short_list);
    add_list(f, L(10), v, 0);
    /* two purposes in one list */
    v = make_list(L(11), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, si, one, 1);
    sub = cJSON_GetObjectItemCaseSensitive(v, "credentialSubject");
    set_member(sub, "statusPurpose", parse("[\"revocation\",\"suspension\"]"));
    add_list(f, L(11), v, 0);
    /* retrieval and verification failures */
    add_list(f, L(12), NULL, MCRED_ERR_IO);
    add_list(f, L(13), NULL, MCRED_ERR_VERIFY);
    /* no credentialSubject purpose; a bad validUntil */
    v = make_list(L(14), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 0);
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(v,
                                            "credentialSubject"), "statusPurpose");
    add_list(f, L(14), v, 0);
    v = make_list(L(15), MC_STATUS_PURPOSE_REVOCATION, 1, NOW - 100, 0, ri, one, 0);
    set_member(v, "validUntil", cJSON_CreateString("tomorrow"));
    add_list(f, L(15), v, 0);
    return f;
}

static void free_lists(struct fake_src *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        cJSON_Delete(f->doc[i]);
    free(f);
}

static void test_check(void)
{
    static const struct {
        const char *status;          /* credentialStatus */
        enum mc_status_outcome out;
        enum mc_status_error error;
        unsigned value;
        const char *message;
    } cases[] = {
        /* outcomes */
        { ENTRY("revocation", "\"5\"", L(1)), MC_STATUS_REVOKED, 0, 1, NULL },
        { ENTRY("revocation", "\"131071\"", L(1)), MC_STATUS_REVOKED, 0, 1, NULL },
        { ENTRY("revocation", "\"6\"", L(1)), MC_STATUS_OK, 0, 0, NULL },
        { ENTRY("revocation", "\"0\"", L(1)), MC_STATUS_OK, 0, 0, NULL },
        { ENTRY("revocation", "\"00005\"", L(1)), MC_STATUS_REVOKED, 0, 1, NULL },
        { ENTRY("suspension", "\"7\"", L(2)), MC_STATUS_SUSPENDED, 0, 1, NULL },
        { ENTRY("suspension", "\"8\"", L(2)), MC_STATUS_OK, 0, 0, NULL },
        { ENTRY("suspension", "\"7\"", L(11)), MC_STATUS_SUSPENDED, 0, 1, NULL },
        { ENTRY("revocation", "\"7\"", L(11)), MC_STATUS_REVOKED, 0, 1, NULL },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
          "\"statusListIndex\":\"10\",\"statusSize\":2,\"statusListCredential\":\"" L(3) "\","
          "\"statusMessage\":" MSGS4 "}", MC_STATUS_MESSAGE, 0, 2, "rejected" },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
          "\"statusListIndex\":\"12\",\"statusSize\":2,\"statusListCredential\":\"" L(3) "\","
          "\"statusMessage\":" MSGS4 "}", MC_STATUS_MESSAGE, 0, 0, "pending" },
        /* the list */
        { ENTRY("suspension", "\"5\"", L(1)), ERR(VERIFICATION) },
        { ENTRY("revocation", "\"5\"", L(4)), ERR(VALIDITY) },
        { ENTRY("revocation", "\"5\"", L(5)), ERR(VALIDITY) },
        { ENTRY("revocation", "\"5\"", L(6)), ERR(VERIFICATION) },
        { ENTRY("revocation", "\"5\"", L(8)), ERR(VERIFICATION) },
        { ENTRY("revocation", "\"5\"", L(9)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"5\"", L(10)), ERR(LENGTH) },
        { ENTRY("revocation", "\"5\"", L(12)), ERR(RETRIEVAL) },
        { ENTRY("revocation", "\"5\"", L(13)), ERR(VERIFICATION) },
        { ENTRY("revocation", "\"5\"", L(14)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"5\"", L(15)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"5\"", L(99)), ERR(RETRIEVAL) },
        /* 2-bit entries against a 16 KB list: 65,536 entries, too few */
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\",\"statusSize\":2,\"statusListCredential\":\"" L(1) "\","
          "\"statusMessage\":" MSGS4 "}", ERR(LENGTH) },
        /* the index */
        { ENTRY("revocation", "\"131072\"", L(1)), ERR(RANGE) },
        { ENTRY("revocation", "\"99999999999999999999999999\"", L(1)), ERR(RANGE) },
        { ENTRY("revocation", "5", L(1)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"-1\"", L(1)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"1.5\"", L(1)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"\"", L(1)), ERR(MALFORMED) },
        { ENTRY("revocation", "\" 5\"", L(1)), ERR(MALFORMED) },
        { ENTRY("revocation", "\"0x5\"", L(1)), ERR(MALFORMED) },
        { ENTRY("revocation", "null", L(1)), ERR(MALFORMED) },
        /* the entry */
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\"}", ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusListIndex\":\"5\","
          "\"statusListCredential\":\"" L(1) "\"}", ERR(MALFORMED) },
        { "{\"type\":\"StatusList2021Entry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\",\"statusListCredential\":\"" L(1) "\"}", ERR(UNSUPPORTED) },
        { "{\"statusPurpose\":\"revocation\",\"statusListIndex\":\"5\","
          "\"statusListCredential\":\"" L(1) "\"}", ERR(UNSUPPORTED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
          "\"statusListIndex\":\"10\",\"statusSize\":2,\"statusListCredential\":\"" L(3) "\"}",
          ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
          "\"statusListIndex\":\"10\",\"statusSize\":2,\"statusListCredential\":\"" L(3) "\","
          "\"statusMessage\":[{\"status\":\"0x0\",\"message\":\"a\"}]}", ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
          "\"statusListIndex\":\"10\",\"statusSize\":1,\"statusListCredential\":\"" L(3) "\","
          "\"statusMessage\":[{\"status\":\"0x0\",\"message\":\"a\"},{\"status\":\"0x2\","
          "\"message\":\"b\"}]}", ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\",\"statusSize\":0,\"statusListCredential\":\"" L(1) "\"}",
          ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\",\"statusSize\":\"1\",\"statusListCredential\":\"" L(1) "\"}",
          ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\",\"statusSize\":1.5,\"statusListCredential\":\"" L(1) "\"}",
          ERR(MALFORMED) },
        { "{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
          "\"statusListIndex\":\"5\",\"statusSize\":12,\"statusListCredential\":\"" L(1) "\"}",
          ERR(UNSUPPORTED) },
        { "[42]", ERR(MALFORMED) },
        { "{\"id\":\"" L(1) "\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":"
          "\"revocation\",\"statusListIndex\":\"5\",\"statusListCredential\":\"" L(1) "\"}",
          ERR(MALFORMED) },
        { "{\"id\":\"" L(1) "#5\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":"
          "\"revocation\",\"statusListIndex\":\"5\",\"statusListCredential\":\"" L(1) "\"}",
          MC_STATUS_REVOKED, 0, 1, NULL },
    };
    struct fake_src *f = make_lists();
    struct mc_status_source src = { fake_get, f };
    struct mc_status_opts o = { NOW, &src, 0 };
    struct mc_status_result res[MC_STATUS_MAX_ENTRIES];
    struct mc_err err;
    size_t i, n;
    int never_ok = 0, errors = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *cs = parse(cases[i].status);

        n = 0;
        CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_OK, cases[i].status);
        CHECK(n == 1, "case %zu: one result", i);
        if (n != 1) {
            cJSON_Delete(cs);
            continue;
        }
        CHECK(res[0].outcome == cases[i].out && res[0].error == cases[i].error,
              "case %zu: %s/%s, want %s/%s: %s", i, mc_status_outcome_name(res[0].outcome),
              mc_status_error_name(res[0].error), mc_status_outcome_name(cases[i].out),
              mc_status_error_name(cases[i].error), res[0].reason);
        CHECK(res[0].reason[0] != '\0', "case %zu: a reason", i);
        if (cases[i].out != MC_STATUS_ERROR) {
            CHECK(res[0].value == cases[i].value, "case %zu: value %u", i, res[0].value);
            CHECK(!cases[i].message || (res[0].message &&
                                        strcmp(res[0].message, cases[i].message) == 0),
                  "case %zu: message %s", i, res[0].message ? res[0].message : "(none)");
        } else {
            errors++;
            never_ok += res[0].outcome != MC_STATUS_OK;
        }
        cJSON_Delete(cs);
    }
    CHECK(never_ok == errors, "fail closed: %d of %d error cases are not ok", never_ok, errors);

    /* integers only with the lenient flag */
    {
        cJSON *cs = parse(ENTRY("revocation", "5", L(1)));

        o.flags = MC_STATUS_LENIENT_INDEX;
        CHECK(mc_status_check(cs, &o, res, &n, &err) == MCRED_OK && n == 1 &&
              res[0].outcome == MC_STATUS_REVOKED, "lenient integer index");
        cJSON_Delete(cs);
        cs = parse(ENTRY("revocation", "-5", L(1)));
        CHECK(mc_status_check(cs, &o, res, &n, &err) == MCRED_OK && n == 1 &&
              res[0].error == MC_STATUS_ERR_MALFORMED, "lenient: negative still malformed");
        cJSON_Delete(cs);
        cs = parse(ENTRY("revocation", "5.5", L(1)));
        CHECK(mc_status_check(cs, &o, res, &n, &err) == MCRED_OK && n == 1 &&
              res[0].error == MC_STATUS_ERR_MALFORMED, "lenient: fraction still malformed");
        cJSON_Delete(cs);
        o.flags = 0;
    }

    /* an array of entries: one fetch per list */
    {
        cJSON *cs = parse("[" ENTRY("revocation", "\"5\"", L(1)) ","
                          ENTRY("revocation", "\"6\"", L(1)) ","
                          ENTRY("suspension", "\"7\"", L(2)) "]");

        f->calls = 0;
        CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_OK, "array");
        CHECK(n == 3 && res[0].outcome == MC_STATUS_REVOKED && res[1].outcome == MC_STATUS_OK &&
              res[2].outcome == MC_STATUS_SUSPENDED, "three outcomes");
        CHECK(f->calls == 2, "two lists fetched once each (%d calls)", f->calls);
        CHECK(res[0].list_url && strcmp(res[0].list_url, L(1)) == 0 && res[0].purpose &&
              strcmp(res[0].purpose, "revocation") == 0 && res[0].index == 5 &&
              res[0].has_index && res[0].size == 1, "result fields");
        CHECK_STR_EQ(res[0].list_issuer, "did:example:issuer", "list issuer");
        cJSON_Delete(cs);
    }

    /* the whole call fails */
    {
        static const char *const bad[] = { "\"x\"", "[]", "null", "3" };
        char nine[4096];
        cJSON *cs;

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            cs = parse(bad[i]);
            n = 7;
            CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_ERR_INVALID, bad[i]);
            CHECK(n == 0, "no results");
            cJSON_Delete(cs);
        }
        CHECK_RC(mc_status_check(NULL, &o, res, &n, &err), MCRED_ERR_INVALID, "NULL");
        strcpy(nine, "[");
        for (i = 0; i < 9; i++)
            strcat(strcat(nine, i ? "," : ""), ENTRY("revocation", "\"5\"", L(1)));
        strcat(nine, "]");
        cs = parse(nine);
        CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_ERR_LIMIT, "nine entries");
        CHECK(n == 0, "no results past the limit");
        o.src = NULL;
        CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_ERR_INVALID, "no source");
        o.src = &src;
        cJSON_Delete(cs);
    }

    /* the source running out of memory ends the check */
    {
        cJSON *cs = parse(ENTRY("revocation", "\"5\"", L(16)));

        add_list(f, L(16), NULL, MCRED_ERR_NOMEM);
        CHECK_RC(mc_status_check(cs, &o, res, &n, &err), MCRED_ERR_NOMEM, "source NOMEM");
        CHECK(n == 0, "no results on NOMEM");
        cJSON_Delete(cs);
    }
    free_lists(f);
}

static void test_names(void)
{
    CHECK_STR_EQ(mc_status_purpose_name(MC_STATUS_PURPOSE_REVOCATION), "revocation", "purpose");
    CHECK_STR_EQ(mc_status_purpose_name(MC_STATUS_PURPOSE_MESSAGE), "message", "purpose");
    CHECK(mc_status_purpose_name((enum mc_status_purpose)42) == NULL, "bad purpose");
    CHECK_STR_EQ(mc_status_outcome_name(MC_STATUS_REVOKED), "revoked", "outcome");
    CHECK_STR_EQ(mc_status_outcome_name((enum mc_status_outcome)42), "error", "bad outcome");
    CHECK_STR_EQ(mc_status_error_name(MC_STATUS_ERR_RANGE), "RANGE_ERROR", "error name");
    CHECK_STR_EQ(mc_status_error_name(MC_STATUS_ERR_LENGTH), "STATUS_LIST_LENGTH_ERROR",
                 "error name");
    CHECK_STR_EQ(mc_status_error_name(MC_STATUS_ERR_NONE), "", "no error");
}

/* --- fault injection ---------------------------------------------------------------- */

/* The whole issuer + verifier path once; every failure must be NOMEM and
 * leave outputs empty (ASan checks for leaks). */
static mcred_rc torture_once(void)
{
    struct mc_status_list_desc d = { L(1), "did:example:issuer", NOW - 10, 0, 0,
                                      MC_STATUS_PURPOSE_REVOCATION };
    struct mc_bitstring bs, back;
    struct mc_buf b;
    struct mc_err err;
    struct mc_status_result res[MC_STATUS_MAX_ENTRIES];
    cJSON *vc = NULL, *e = NULL, *arr = NULL;
    struct mc_status_source src = { one_doc_get, NULL };
    struct mc_status_opts o = { NOW, &src, 0 };
    size_t n = 0;
    mcred_rc rc;

    memset(&back, 0, sizeof(back));
    mc_buf_init(&b, 0);
    rc = mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, &err);
    if (rc)
        return rc;
    rc = mc_bitstring_set(&bs, 3, 1, &err);
    if (!rc)
        rc = mc_bitstring_encode(&bs, &b, &err);
    if (!rc)
        rc = mc_bitstring_decode(b.ptr, b.len, 1, 0, &back, &err);
    if (rc && (back.bits || back.nbytes))
        rc = MCRED_ERR_INTERNAL;
    if (!rc)
        rc = mc_status_list_credential(&d, &bs, &vc, &err);
    if (rc && vc)
        rc = MCRED_ERR_INTERNAL;
    if (!rc)
        rc = mc_status_entry(L(1), MC_STATUS_PURPOSE_REVOCATION, 3, 1, NULL, &e, &err);
    if (rc && e)
        rc = MCRED_ERR_INTERNAL;
    if (!rc) {
        arr = cJSON_CreateArray();
        rc = arr ? MCRED_OK : MCRED_ERR_NOMEM;
    }
    if (!rc) {
        cJSON_AddItemToArray(arr, e);
        e = NULL;
        src.ud = vc;
        rc = mc_status_check(arr, &o, res, &n, &err);
        if (rc && n)
            rc = MCRED_ERR_INTERNAL;
        if (!rc && (n != 1 || res[0].outcome != MC_STATUS_REVOKED))
            rc = MCRED_ERR_INTERNAL;
    }
    cJSON_Delete(arr);
    cJSON_Delete(e);
    cJSON_Delete(vc);
    mc_bitstring_release(&back);
    mc_bitstring_release(&bs);
    mc_buf_release(&b);
    return rc;
}

static void test_torture(void)
{
    unsigned long nth;
    int nomem = 0, other = 0;
    mcred_rc rc = MCRED_ERR_NOMEM;

    for (nth = 1; nth < 2000; nth++) {
        mcred_test_fail_alloc(nth);
        rc = torture_once();
        mcred_test_fail_alloc(0);
        if (rc == MCRED_OK)
            break;
        if (rc == MCRED_ERR_NOMEM)
            nomem++;
        else
            other++;
    }
    CHECK(rc == MCRED_OK && nomem == (int)nth - 1 && other == 0,
          "torture: %d allocation failures reported as NOMEM, %d otherwise, success at %lu",
          nomem, other, nth);
    printf("torture: %lu allocation points\n", nth - 1);
}

/* --- speed ------------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void test_speed(void)
{
    struct mc_bitstring bs;
    struct mc_buf b;
    struct mc_err err;
    double t0, enc_ms, set_ns;
    int i, rounds = 200, bad = 0;

    CHECK_RC(mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, &err), MCRED_OK, "init");
    for (i = 0; i < 500; i++)
        bad += mc_bitstring_set(&bs, (size_t)(rng() % MC_STATUS_MIN_ENTRIES), 1, &err) != 0;
    mc_buf_init(&b, 0);
    t0 = now_ms();
    for (i = 0; i < rounds; i++) {
        mc_buf_reset(&b);
        bad += mc_bitstring_encode(&bs, &b, &err) != MCRED_OK;
    }
    enc_ms = (now_ms() - t0) / rounds;
    t0 = now_ms();
    for (i = 0; i < 1000000; i++)
        bad += mc_bitstring_set(&bs, (size_t)i % MC_STATUS_MIN_ENTRIES, (unsigned)i & 1u,
                                NULL) != 0;
    set_ns = (now_ms() - t0) * 1e6 / 1000000;
    CHECK(bad == 0, "speed runs succeeded");
    CHECK(enc_ms < 3.0, "encoding a 131,072-entry list with 500 bits set takes %.3f ms", enc_ms);
    CHECK(set_ns < 1000.0, "setting a bit takes %.1f ns", set_ns);
    printf("encode 131,072 entries (500 set, %zu chars): %.3f ms; set: %.1f ns\n", b.len, enc_ms,
           set_ns);
    mc_buf_release(&b);
    mc_bitstring_release(&bs);
}

/* Decoded lists are remembered per thread: decoding A, B, then A again must
 * give A's bits each time; a remembered list still obeys the size limit; a
 * list decoded on another thread is decoded there afresh. */
static char *encode_with(size_t bit)
{
    struct mc_bitstring bs;
    struct mc_buf b;
    char *s = NULL;

    mc_buf_init(&b, 0);
    if (mc_bitstring_init(&bs, MC_STATUS_MIN_ENTRIES, 1, NULL) == MCRED_OK &&
        mc_bitstring_set(&bs, bit, 1, NULL) == MCRED_OK &&
        mc_bitstring_encode(&bs, &b, NULL) == MCRED_OK)
        s = mc_buf_take(&b, NULL);
    mc_bitstring_release(&bs);
    mc_buf_release(&b);
    return s;
}

static int bit_of(const char *s, size_t bit)
{
    struct mc_bitstring bs;
    unsigned v = 9;

    if (mc_bitstring_decode(s, strlen(s), 1, 0, &bs, NULL) != MCRED_OK)
        return -1;
    if (mc_bitstring_get(&bs, bit, &v, NULL) != MCRED_OK)
        v = 9;
    mc_bitstring_release(&bs);
    return (int)v;
}

static void *other_thread(void *arg)
{
    const char *a = arg;

    return (void *)(intptr_t)(bit_of(a, 5) == 1 && bit_of(a, 6) == 0);
}

static void test_memo(void)
{
    char *a = encode_with(5), *b = encode_with(6);
    struct mc_bitstring bs;
    pthread_t t;
    void *ok = NULL;
    int round;

    CHECK(a && b && strcmp(a, b) != 0, "two different lists");
    for (round = 0; round < 3; round++) {
        CHECK(bit_of(a, 5) == 1 && bit_of(a, 6) == 0, "memo round %d: list A read right", round);
        CHECK(bit_of(b, 5) == 0 && bit_of(b, 6) == 1, "memo round %d: list B read right", round);
    }
    /* remembered, but larger than this caller allows: still refused */
    CHECK_RC(mc_bitstring_decode(a, strlen(a), 1, 1024, &bs, NULL), MCRED_ERR_LIMIT,
             "a remembered list over the caller's limit is refused");
    CHECK(pthread_create(&t, NULL, other_thread, a) == 0 && pthread_join(t, &ok) == 0 && ok,
          "another thread decodes the list right");
    mc_free(a);
    mc_free(b);
}

int main(void)
{
    data_dir = check_shared_data();
    test_vectors();
    test_encode_matches_spec();
    test_1edtech_list();
    test_round_trip();
    test_sizes_and_bits();
    test_bad_text();
    test_bad_gzip();
    test_bombs();
    test_entry_shape();
    test_list_credential_shape();
    test_list_signs();
    test_check();
    test_names();
    test_torture();
    test_memo();
    test_speed();
    return check_report();
}
