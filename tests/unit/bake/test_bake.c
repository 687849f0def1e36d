/* test_bake.c - unit tests for lib/bake: PNG and SVG bake/unbake round trips
 * (OB 3.0 JSON from the 1EdTech vectors and a VC-JWT, OB 2.0 assertions),
 * re-baking, the Badgr OB 1.x baked PNG, and hostile images (truncated,
 * bad CRC, oversized, zlib bombs, billion laughs, external entities and DTDs
 * with a local listener proving nothing was fetched, non-images).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include "bake/bake.h"
#include "check.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/json.h"

static const char *data_dir;

static char *read_data(const char *rel, size_t *n)
{
    char path[4096];
    char *p;

    snprintf(path, sizeof(path), "%s/%s", data_dir, rel);
    p = check_read_file(path, n);
    CHECK(p != NULL, "read %s", path);
    return p;
}

/* --- PNG building ------------------------------------------------------------------ */

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void chunk(struct mc_buf *b, const char *type, const void *data, size_t n)
{
    unsigned char h[8];
    uLong crc = crc32(crc32(0L, (const Bytef *)type, 4), data, (uInt)n);

    put32(h, (uint32_t)n);
    memcpy(h + 4, type, 4);
    if (mc_buf_append(b, h, 8) || mc_buf_append(b, data, n))
        abort();
    put32(h, (uint32_t)crc);
    if (mc_buf_append(b, h, 4))
        abort();
}

/* A valid 2x2 grey PNG; text: an extra tEXt chunk before IDAT. */
static void make_png(struct mc_buf *b, bool text)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    static const unsigned char raw[6] = { 0, 0x10, 0x80, 0, 0xff, 0x40 };   /* filter + 2 px */
    unsigned char ihdr[13] = { 0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0 };
    unsigned char z[64];
    uLongf zn = sizeof(z);

    mc_buf_init(b, 0);
    if (mc_buf_append(b, sig, 8) || compress2(z, &zn, raw, sizeof(raw), 9) != Z_OK)
        abort();
    chunk(b, "IHDR", ihdr, 13);
    if (text)
        chunk(b, "tEXt", "Software\0microcred test", 23);
    chunk(b, "IDAT", z, zn);
    chunk(b, "IEND", "", 0);
}

/* An iTXt chunk with the given fields, written by hand. */
static void itxt(struct mc_buf *b, const char *kw, int flag, const char *lang, const void *text,
                 size_t n)
{
    struct mc_buf d;

    mc_buf_init(&d, 0);
    if (mc_buf_append(&d, kw, strlen(kw) + 1) || mc_buf_appendc(&d, (char)flag) ||
        mc_buf_appendc(&d, 0) || mc_buf_append(&d, lang, strlen(lang) + 1) ||
        mc_buf_appendc(&d, 0) || mc_buf_append(&d, text, n))
        abort();
    chunk(b, "iTXt", d.ptr, d.len);
    mc_buf_release(&d);
}

/* A PNG with extra chunks (already encoded in mid) inserted before IEND. */
static void png_with(struct mc_buf *out, const struct mc_buf *mid)
{
    struct mc_buf base;

    make_png(&base, false);
    mc_buf_init(out, 0);
    if (mc_buf_append(out, base.ptr, base.len - 12) || mc_buf_append(out, mid->ptr, mid->len) ||
        mc_buf_append(out, base.ptr + base.len - 12, 12))
        abort();
    mc_buf_release(&base);
}

/* How many text chunks (iTXt/tEXt/zTXt) with keyword kw; total chunk count in *all. */
static int count_chunks(const unsigned char *p, size_t n, const char *kw, int *all)
{
    size_t off = 8;
    int c = 0;

    *all = 0;
    while (off + 12 <= n) {
        uint32_t len = get32(p + off);
        const unsigned char *t = p + off + 4;

        if ((memcmp(t, "iTXt", 4) == 0 || memcmp(t, "tEXt", 4) == 0 ||
             memcmp(t, "zTXt", 4) == 0) && len > strlen(kw) &&
            memcmp(t + 4, kw, strlen(kw) + 1) == 0)
            c++;
        (*all)++;
        off += 12 + (size_t)len;
    }
    return c;
}

/* p without the chunks whose keyword is kw (to compare the rest byte for byte). */
static void strip_chunks(const unsigned char *p, size_t n, const char *kw, struct mc_buf *out)
{
    size_t off = 8;

    mc_buf_init(out, 0);
    if (mc_buf_append(out, p, 8))
        abort();
    while (off + 12 <= n) {
        uint32_t len = get32(p + off);
        const unsigned char *t = p + off + 4;

        if (!(memcmp(t, "iTXt", 4) == 0 && memcmp(t + 4, kw, strlen(kw) + 1) == 0) &&
            mc_buf_append(out, p + off, 12 + (size_t)len))
            abort();
        off += 12 + (size_t)len;
    }
}

/* A compact JWS whose payload is a minimal VC: enough to be baked. */
static const char tiny_jws[] =
    "eyJhbGciOiJFZERTQSJ9.eyJAY29udGV4dCI6WyJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvdjIiXS"
    "widHlwZSI6WyJWZXJpZmlhYmxlQ3JlZGVudGlhbCJdfQ.c2ln";
#define TINY tiny_jws, sizeof(tiny_jws) - 1

static const char plain_svg[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 512 512\">\n"
    "  <circle cx=\"256\" cy=\"256\" r=\"200\" fill=\"#08c\"/>\n"
    "</svg>\n";

/* --- credentials -------------------------------------------------------------------- */

struct creds {
    char *ob3_json;      /* the 1EdTech OB 3.0 signed vector */
    size_t ob3_json_n;
    char *ob2_json;      /* the Badgr OB 2.0 assertion */
    size_t ob2_json_n;
    struct mc_buf jwt;   /* header.payload.signature with the OB 3.0 credential as payload */
    struct mc_buf ob2_jws;
};

static void make_jws(struct mc_buf *out, const char *payload, size_t n)
{
    static const char hdr[] = "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\"}";
    unsigned char sig[64];
    size_t i;

    for (i = 0; i < sizeof(sig); i++)
        sig[i] = (unsigned char)(i * 37 + 11);
    mc_buf_init(out, 0);
    if (mc_b64url_encode(out, hdr, sizeof(hdr) - 1) || mc_buf_appendc(out, '.') ||
        mc_b64url_encode(out, payload, n) || mc_buf_appendc(out, '.') ||
        mc_b64url_encode(out, sig, sizeof(sig)))
        abort();
}

static void load_creds(struct creds *c)
{
    c->ob3_json = read_data("ob-clr-ldp-vectors/obv3p0/signed.json", &c->ob3_json_n);
    c->ob2_json = read_data("badges/ob2-badgr/2_0_assertion_embedded_badgeclass.json",
                            &c->ob2_json_n);
    if (!c->ob3_json || !c->ob2_json)
        exit(check_report());
    make_jws(&c->jwt, c->ob3_json, c->ob3_json_n);
    make_jws(&c->ob2_jws, c->ob2_json, c->ob2_json_n);
}

static void free_creds(struct creds *c)
{
    free(c->ob3_json);
    free(c->ob2_json);
    mc_buf_release(&c->jwt);
    mc_buf_release(&c->ob2_jws);
}

/* The text without surrounding whitespace (what baking stores). */
static void trimmed(const char *p, size_t n, const char **s, size_t *len)
{
    while (n && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\t'))
        n--;
    *s = p;
    *len = n;
}

/* --- round trips -------------------------------------------------------------------- */

/* Bake cred into img, check the result, unbake it and compare. */
static void round_trip(const char *what, const unsigned char *img, size_t n,
                       enum mc_bake_image type, const char *cred, size_t len, int version,
                       enum mc_bake_form form, bool hosted, struct mc_buf *baked)
{
    struct mc_baked info, got;
    struct mc_err err;
    const char *want;
    size_t want_n;

    trimmed(cred, len, &want, &want_n);
    mc_buf_init(baked, 0);
    mc_err_clear(&err);
    CHECK_RC(mc_bake(img, n, type, cred, len, baked, &info, &err), MCRED_OK, what);
    if (err.rc)
        printf("  (%s: %s)\n", what, mc_err_msg(&err));
    CHECK(info.version == version && info.form == form && info.hosted == hosted,
          "%s: classified as version %d form %s hosted %d", what, info.version,
          mc_bake_form_name(info.form), info.hosted);
    CHECK(mc_bake_sniff((const unsigned char *)baked->ptr, baked->len) == type,
          "%s: the baked image is still a %s", what, mc_bake_image_name(type));
    CHECK_RC(mc_unbake((const unsigned char *)baked->ptr, baked->len, &got, &err), MCRED_OK, what);
    CHECK(got.data && got.len == want_n && memcmp(got.data, want, want_n) == 0,
          "%s: unbake gives back the credential byte for byte", what);
    CHECK(got.image == type && got.version == version && got.form == form &&
          got.hosted == hosted && got.where != NULL,
          "%s: unbaked as %s version %d form %s hosted %d", what, mc_bake_image_name(got.image),
          got.version, mc_bake_form_name(got.form), got.hosted);
    mc_baked_release(&got);
}

/* The PNG side: exactly one baked chunk, with the spec's fields. */
static void check_png_chunk(const char *what, const struct mc_buf *b, const char *kw)
{
    const unsigned char *p = (const unsigned char *)b->ptr;
    size_t off = 8, kl = strlen(kw);
    int all, n = count_chunks(p, b->len, kw, &all);
    bool fields = false, before_iend = false;

    CHECK(n == 1, "%s: exactly one '%s' chunk, got %d", what, kw, n);
    while (off + 12 <= b->len) {
        uint32_t len = get32(p + off);

        if (memcmp(p + off + 4, "iTXt", 4) == 0 && memcmp(p + off + 8, kw, kl + 1) == 0) {
            /* compression flag 0, method 0, empty language tag and translated keyword */
            fields = len > kl + 5 && memcmp(p + off + 8 + kl + 1, "\0\0\0\0", 4) == 0;
            before_iend = memcmp(p + off + 12 + len + 4, "IEND", 4) == 0;
        }
        off += 12 + (size_t)len;
    }
    CHECK(fields, "%s: iTXt '%s' is uncompressed with no language tag", what, kw);
    CHECK(before_iend, "%s: the iTXt chunk sits just before IEND", what);
}

/* The SVG side: namespace on the root, the element its first child, JSON in
 * CDATA or the JWS in verify. */
static void check_svg_element(const char *what, const struct mc_buf *b, int version,
                              enum mc_bake_form form)
{
    const char *ns = version == 3 ? MC_BAKE_OB3_NS : MC_BAKE_OB2_NS;
    const char *name = version == 3 ? "credential" : "assertion";
    xmlDocPtr doc = xmlReadMemory(b->ptr, (int)b->len, NULL, NULL, XML_PARSE_NONET);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, el = NULL, c;
    xmlNsPtr d;
    bool on_root = false;
    int count = 0;

    CHECK(root != NULL, "%s: the baked SVG parses", what);
    if (!root)
        return;
    for (d = root->nsDef; d; d = d->next)
        on_root |= d->prefix && strcmp((const char *)d->prefix, "openbadges") == 0 &&
                   strcmp((const char *)d->href, ns) == 0;
    CHECK(on_root, "%s: xmlns:openbadges=\"%s\" on <svg>", what, ns);
    for (c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!el)
            el = c;
        if (c->ns && strcmp((const char *)c->ns->href, ns) == 0 &&
            strcmp((const char *)c->name, name) == 0)
            count++;
    }
    CHECK(el && el->ns && strcmp((const char *)el->ns->href, ns) == 0 &&
          strcmp((const char *)el->name, name) == 0,
          "%s: <openbadges:%s> is the first child of <svg>", what, name);
    CHECK(count == 1, "%s: exactly one <openbadges:%s>, got %d", what, name, count);
    if (el && form == MC_BAKE_FORM_JSON)
        CHECK(el->children && el->children->type == XML_CDATA_SECTION_NODE,
              "%s: the JSON is in a CDATA section", what);
    if (el && form == MC_BAKE_FORM_JWS) {
        xmlChar *v = xmlGetNoNsProp(el, (const xmlChar *)"verify");

        CHECK(v && !el->children, "%s: the JWS is in verify=\"\" with no body", what);
        xmlFree(v);
    }
    xmlFreeDoc(doc);
}

static void test_round_trips(const struct creds *c)
{
    static const char url[] = "https://example.org/assertions/42.json";
    struct {
        const char *what;
        const char *p;
        size_t n;
        int version;
        enum mc_bake_form form;
        bool hosted;
    } rows[] = {
        /* OB 3.0 credential, Data Integrity proof: the 1EdTech vector */
        { "OB 3.0 JSON", c->ob3_json, c->ob3_json_n, 3, MC_BAKE_FORM_JSON, false },
        /* OB 3.0 VC-JWT: the credential as the JWT payload */
        { "OB 3.0 VC-JWT", c->jwt.ptr, c->jwt.len, 3, MC_BAKE_FORM_JWS, false },
        /* OB 2.0 assertion (Badgr's), hosted verification */
        { "OB 2.0 assertion", c->ob2_json, c->ob2_json_n, 2, MC_BAKE_FORM_JSON, true },
        /* OB 2.0 signed assertion */
        { "OB 2.0 JWS", c->ob2_jws.ptr, c->ob2_jws.len, 2, MC_BAKE_FORM_JWS, false },
        /* OB 2.0 hosted assertion by URL */
        { "OB 2.0 URL", url, sizeof(url) - 1, 2, MC_BAKE_FORM_URL, true },
    };
    struct mc_buf png, baked;
    char what[128];
    size_t i;

    make_png(&png, true);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        snprintf(what, sizeof(what), "png, %s", rows[i].what);
        round_trip(what, (const unsigned char *)png.ptr, png.len, MC_BAKE_IMAGE_PNG, rows[i].p,
                   rows[i].n, rows[i].version, rows[i].form, rows[i].hosted, &baked);
        check_png_chunk(what, &baked,
                        rows[i].version == 3 ? MC_BAKE_OB3_KEYWORD : MC_BAKE_OB2_KEYWORD);
        mc_buf_release(&baked);
        snprintf(what, sizeof(what), "svg, %s", rows[i].what);
        round_trip(what, (const unsigned char *)plain_svg, sizeof(plain_svg) - 1,
                   MC_BAKE_IMAGE_SVG, rows[i].p, rows[i].n, rows[i].version, rows[i].form,
                   rows[i].hosted, &baked);
        check_svg_element(what, &baked, rows[i].version, rows[i].form);
        mc_buf_release(&baked);
    }
    mc_buf_release(&png);
}

/* JSON holding "]]>" survives the CDATA section (libxml2 splits it). */
static void test_cdata_end(void)
{
    static const char cred[] = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],"
                               "\"type\":[\"VerifiableCredential\"],\"name\":\"x]]>y]]]]>\"}";
    struct mc_buf baked;

    round_trip("svg, JSON with ]]>", (const unsigned char *)plain_svg, sizeof(plain_svg) - 1,
               MC_BAKE_IMAGE_SVG, cred, sizeof(cred) - 1, 3, MC_BAKE_FORM_JSON, false, &baked);
    mc_buf_release(&baked);
}

/* Baking twice, or over the other version, leaves exactly one credential. */
static void test_rebake(const struct creds *c)
{
    struct mc_buf png, once, twice, stripped;
    struct mc_baked got;
    struct mc_err err;
    const unsigned char *p;
    int all1 = 0, all2 = 0;

    make_png(&png, true);
    mc_buf_init(&once, 0);
    mc_buf_init(&twice, 0);
    CHECK_RC(mc_bake((const unsigned char *)png.ptr, png.len, MC_BAKE_IMAGE_PNG, c->ob3_json,
                     c->ob3_json_n, &once, NULL, &err), MCRED_OK, "png: first bake");
    CHECK_RC(mc_bake((const unsigned char *)once.ptr, once.len, MC_BAKE_IMAGE_PNG, c->jwt.ptr,
                     c->jwt.len, &twice, NULL, &err), MCRED_OK, "png: bake again");
    p = (const unsigned char *)twice.ptr;
    CHECK(count_chunks(p, twice.len, MC_BAKE_OB3_KEYWORD, &all2) == 1 &&
              count_chunks((const unsigned char *)once.ptr, once.len, MC_BAKE_OB3_KEYWORD,
                           &all1) == 1 && all1 == all2,
          "png: re-baking replaces the chunk (one remains, %d chunks before and %d after)", all1,
          all2);
    CHECK_RC(mc_unbake(p, twice.len, &got, &err), MCRED_OK, "png: unbake the re-baked image");
    CHECK(got.form == MC_BAKE_FORM_JWS && got.len == c->jwt.len &&
          memcmp(got.data, c->jwt.ptr, got.len) == 0, "png: the second credential is the one read");
    mc_baked_release(&got);
    /* every other chunk is kept byte for byte */
    strip_chunks(p, twice.len, MC_BAKE_OB3_KEYWORD, &stripped);
    CHECK(stripped.len == png.len && memcmp(stripped.ptr, png.ptr, png.len) == 0,
          "png: apart from the iTXt chunk the image is unchanged byte for byte");
    mc_buf_release(&stripped);
    /* an OB 2.0 bake over the OB 3.0 one removes the OB 3.0 chunk */
    mc_buf_reset(&once);
    CHECK_RC(mc_bake(p, twice.len, MC_BAKE_IMAGE_PNG, c->ob2_json, c->ob2_json_n, &once, NULL,
                     &err), MCRED_OK, "png: OB 2.0 over OB 3.0");
    CHECK(count_chunks((const unsigned char *)once.ptr, once.len, MC_BAKE_OB3_KEYWORD, &all1) ==
              0 && count_chunks((const unsigned char *)once.ptr, once.len, MC_BAKE_OB2_KEYWORD,
                                &all1) == 1,
          "png: baking another version replaces the old credential too");
    mc_buf_release(&once);
    mc_buf_release(&twice);

    /* SVG: twice, then the other version */
    mc_buf_init(&once, 0);
    mc_buf_init(&twice, 0);
    CHECK_RC(mc_bake((const unsigned char *)plain_svg, sizeof(plain_svg) - 1, MC_BAKE_IMAGE_SVG,
                     c->ob3_json, c->ob3_json_n, &once, NULL, &err), MCRED_OK, "svg: first bake");
    CHECK_RC(mc_bake((const unsigned char *)once.ptr, once.len, MC_BAKE_IMAGE_SVG, c->jwt.ptr,
                     c->jwt.len, &twice, NULL, &err), MCRED_OK, "svg: bake again");
    check_svg_element("svg, re-baked", &twice, 3, MC_BAKE_FORM_JWS);
    CHECK(strstr(twice.ptr, "CDATA") == NULL, "svg: the old JSON body is gone");
    mc_buf_reset(&once);
    CHECK_RC(mc_bake((const unsigned char *)twice.ptr, twice.len, MC_BAKE_IMAGE_SVG, c->ob2_json,
                     c->ob2_json_n, &once, NULL, &err), MCRED_OK, "svg: OB 2.0 over OB 3.0");
    check_svg_element("svg, OB 2.0 over OB 3.0", &once, 2, MC_BAKE_FORM_JSON);
    CHECK(strstr(once.ptr, "openbadges:credential") == NULL && strstr(once.ptr, MC_BAKE_OB3_NS) ==
              NULL, "svg: no trace of the OB 3.0 element or namespace is left");
    CHECK_RC(mc_unbake((const unsigned char *)once.ptr, once.len, &got, &err), MCRED_OK,
             "svg: unbake OB 2.0 over OB 3.0");
    CHECK(got.version == 2 && got.hosted, "svg: the OB 2.0 assertion is read, hosted");
    mc_baked_release(&got);
    mc_buf_release(&once);
    mc_buf_release(&twice);
    mc_buf_release(&png);
}

/* --- the Badgr images ---------------------------------------------------------------- */

static void test_badgr(const struct creds *c)
{
    struct mc_baked got;
    struct mc_err err;
    struct mc_buf baked, stripped;
    cJSON *a = NULL, *b = NULL;
    char *img, *plain, *inst;
    size_t n, pn, in;

    img = read_data("badges/ob2-badgr/baked_image.png", &n);
    plain = read_data("badges/ob2-badgr/unbaked_image.png", &pn);
    inst = read_data("badges/ob2-badgr/1_0_basic_instance.json", &in);
    if (!img || !plain || !inst)
        goto out;
    mc_err_clear(&err);
    CHECK_RC(mc_unbake((const unsigned char *)img, n, &got, &err), MCRED_OK,
             "badgr baked_image.png unbakes");
    CHECK(got.image == MC_BAKE_IMAGE_PNG && got.version == 2 && got.form == MC_BAKE_FORM_JSON &&
          got.hosted, "badgr: an OB 2.0-era JSON hosted assertion (version %d, form %s, hosted %d)",
          got.version, mc_bake_form_name(got.form), got.hosted);
    CHECK(got.where && strstr(got.where, "iTXt 'openbadges'"), "badgr: found in iTXt 'openbadges'");
    CHECK(got.data && mc_json_parse(got.data, got.len, 0, &a, NULL) == MCRED_OK &&
          mc_json_parse(inst, in, 0, &b, NULL) == MCRED_OK && cJSON_Compare(a, b, 1),
          "badgr: the baked assertion equals 1_0_basic_instance.json");
    CHECK_STR_EQ(mc_json_str(mc_json_get(a, "verify"), "url"), "http://a.com/instance",
                 "badgr: the hosted assertion's URL");
    mc_baked_release(&got);
    CHECK_RC(mc_unbake((const unsigned char *)plain, pn, &got, &err), MCRED_ERR_NOTFOUND,
             "badgr unbaked_image.png: nothing baked");
    CHECK(strstr(err.msg, "no credential is baked in") != NULL, "message: %s", err.msg);
    /* baking into Badgr's plain image changes nothing but the added chunk */
    mc_buf_init(&baked, 0);
    CHECK_RC(mc_bake((const unsigned char *)plain, pn, MC_BAKE_IMAGE_PNG, c->ob3_json,
                     c->ob3_json_n, &baked, NULL, &err), MCRED_OK, "bake into unbaked_image.png");
    strip_chunks((const unsigned char *)baked.ptr, baked.len, MC_BAKE_OB3_KEYWORD, &stripped);
    CHECK(stripped.len == pn && memcmp(stripped.ptr, plain, pn) == 0,
          "badgr: baked minus the iTXt chunk is unbaked_image.png byte for byte");
    mc_buf_release(&stripped);
    /* and into the baked one: its OB 2.0 chunk is replaced */
    mc_buf_reset(&baked);
    CHECK_RC(mc_bake((const unsigned char *)img, n, MC_BAKE_IMAGE_PNG, c->ob3_json,
                     c->ob3_json_n, &baked, NULL, &err), MCRED_OK, "bake into baked_image.png");
    strip_chunks((const unsigned char *)baked.ptr, baked.len, MC_BAKE_OB3_KEYWORD, &stripped);
    CHECK(stripped.len == pn && memcmp(stripped.ptr, plain, pn) == 0,
          "badgr: re-baked minus the new chunk is unbaked_image.png (the old chunk is gone)");
    mc_buf_release(&stripped);
    mc_buf_release(&baked);
out:
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(img);
    free(plain);
    free(inst);
}

/* --- what other bakers write ------------------------------------------------------------ */

static void expect_unbake(const char *what, const struct mc_buf *img, mcred_rc want,
                          const char *msg_part, const char *data)
{
    struct mc_baked got;
    struct mc_err err;
    mcred_rc rc;

    mc_err_clear(&err);
    rc = mc_unbake((const unsigned char *)img->ptr, img->len, &got, &err);
    CHECK(rc == want, "%s: rc %d, want %d (%s)", what, rc, want, err.msg);
    if (msg_part)
        CHECK(strstr(err.msg, msg_part) != NULL, "%s: message '%s' names '%s'", what, err.msg,
              msg_part);
    if (data)
        CHECK(got.data && strcmp(got.data, data) == 0, "%s: got '%s'", what,
              got.data ? got.data : "(null)");
    if (rc)
        CHECK(got.data == NULL && got.len == 0, "%s: output zeroed on failure", what);
    mc_baked_release(&got);
}

static void test_other_png_bakers(void)
{
    static const char url[] = "https://example.org/a.json";
    struct mc_buf mid, img, bomb;
    unsigned char z[256];
    uLongf zn = sizeof(z);
    char *big;
    size_t bn = MC_BAKE_MAX_TEXT + 4096;

    /* a compressed iTXt (flag 1) is inflated */
    mc_buf_init(&mid, 0);
    if (compress2(z, &zn, (const Bytef *)url, sizeof(url) - 1, 9) != Z_OK)
        abort();
    itxt(&mid, "openbadges", 1, "", z, zn);
    png_with(&img, &mid);
    expect_unbake("compressed iTXt", &img, MCRED_OK, NULL, url);
    mc_buf_release(&img);
    /* a language tag is allowed when reading */
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 0, "en", url, sizeof(url) - 1);
    png_with(&img, &mid);
    expect_unbake("iTXt with a language tag", &img, MCRED_OK, NULL, url);
    mc_buf_release(&img);
    /* the pre-2.0 tEXt form: a hosted assertion's URL */
    mc_buf_reset(&mid);
    chunk(&mid, "tEXt", "openbadges\0https://example.org/a.json", 11 + sizeof(url) - 1);
    png_with(&img, &mid);
    expect_unbake("legacy tEXt 'openbadges'", &img, MCRED_OK, NULL, url);
    mc_buf_release(&img);
    /* OB 3.0 wins over OB 2.0 when both are there */
    mc_buf_reset(&mid);
    itxt(&mid, "openbadges", 0, "", url, sizeof(url) - 1);
    itxt(&mid, "openbadgecredential", 0, "", "a.b.c", 5);
    png_with(&img, &mid);
    expect_unbake("both versions", &img, MCRED_OK, NULL, "a.b.c");
    mc_buf_release(&img);
    /* two openbadgecredential chunks are refused */
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 0, "", "a.b.c", 5);
    itxt(&mid, "openbadgecredential", 0, "", "d.e.f", 5);
    png_with(&img, &mid);
    expect_unbake("two chunks", &img, MCRED_ERR_INVALID, "two iTXt 'openbadgecredential'", NULL);
    mc_buf_release(&img);
    /* a zlib bomb: 8 MiB + 4 KiB of spaces inflate past the cap */
    big = malloc(bn);
    if (!big)
        abort();
    memset(big, ' ', bn);
    big[0] = '{';
    zn = compressBound(bn);
    mc_buf_init(&bomb, 0);
    if (mc_buf_grow(&bomb, zn) || compress2((Bytef *)bomb.ptr, &zn, (Bytef *)big, bn, 9) != Z_OK)
        abort();
    free(big);
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 1, "", bomb.ptr, zn);
    png_with(&img, &mid);
    CHECK(img.len < 64 * 1024, "the bomb PNG is small (%zu bytes)", img.len);
    expect_unbake("zlib bomb", &img, MCRED_ERR_LIMIT, "inflates to more than", NULL);
    mc_buf_release(&img);
    mc_buf_release(&bomb);
    /* broken zlib data */
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 1, "", "\x78\x9c\xff\xff\xff", 5);
    png_with(&img, &mid);
    expect_unbake("bad zlib", &img, MCRED_ERR_INVALID, "compressed iTXt", NULL);
    mc_buf_release(&img);
    /* iTXt missing its translated keyword terminator */
    mc_buf_reset(&mid);
    chunk(&mid, "iTXt", "openbadgecredential\0\0\0en", 24);
    png_with(&img, &mid);
    expect_unbake("iTXt without terminators", &img, MCRED_ERR_INVALID, "not NUL-terminated",
                  NULL);
    mc_buf_release(&img);
    /* text that is not a credential */
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 0, "", "hello world", 11);
    png_with(&img, &mid);
    expect_unbake("not a credential", &img, MCRED_ERR_INVALID, "neither a JSON object", NULL);
    mc_buf_release(&img);
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 0, "", "{\"a\":", 5);
    png_with(&img, &mid);
    expect_unbake("broken JSON", &img, MCRED_ERR_INVALID, "does not parse", NULL);
    mc_buf_release(&img);
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 0, "", "a.b\0.c", 6);
    png_with(&img, &mid);
    expect_unbake("NUL in the text", &img, MCRED_ERR_INVALID, "NUL byte", NULL);
    mc_buf_release(&img);
    mc_buf_reset(&mid);
    itxt(&mid, "openbadgecredential", 0, "", "\"\xff\xfe\"", 4);
    png_with(&img, &mid);
    expect_unbake("bad UTF-8", &img, MCRED_ERR_INVALID, "UTF-8", NULL);
    mc_buf_release(&img);
    mc_buf_release(&mid);
}

/* --- hostile PNGs ------------------------------------------------------------------------- */

static void test_bad_png(void)
{
    struct mc_buf png, img, mid;
    struct mc_baked got;
    struct mc_err err;
    size_t i, bad = 0, named = 0;
    unsigned char *huge;
    mcred_rc rc;

    make_png(&png, true);
    /* every truncation is refused, and says so */
    for (i = 0; i < png.len; i++) {
        mc_err_clear(&err);
        rc = mc_unbake((const unsigned char *)png.ptr, i, &got, &err);
        if (rc == MCRED_OK)
            bad++;
        if (i >= 8 && strstr(err.msg, "truncated"))
            named++;
        mc_baked_release(&got);
    }
    CHECK(bad == 0, "every truncated PNG is refused (%zu accepted)", bad);
    CHECK(named == png.len - 8, "every truncation past the signature is named (%zu of %zu)",
          named, png.len - 8);
    /* a CRC mismatch in IDAT, for reading and for baking */
    mc_buf_init(&img, 0);
    if (mc_buf_append(&img, png.ptr, png.len))
        abort();
    img.ptr[8 + 25 + 35 + 9] ^= 0x01;   /* a byte of IDAT's data */
    expect_unbake("CRC mismatch", &img, MCRED_ERR_INVALID, "CRC mismatch", NULL);
    mc_buf_init(&mid, 0);
    mc_err_clear(&err);
    CHECK_RC(mc_bake((const unsigned char *)img.ptr, img.len, MC_BAKE_IMAGE_PNG, TINY, &mid,
                     NULL, &err), MCRED_ERR_INVALID, "bake refuses a CRC mismatch");
    CHECK(strstr(err.msg, "CRC mismatch") && strstr(err.msg, "IDAT") && mid.len == 0,
          "bake: the message names the chunk (%s), nothing written", err.msg);
    /* a length over 2^31-1 */
    img.len = 0;
    if (mc_buf_append(&img, png.ptr, png.len))
        abort();
    put32((unsigned char *)img.ptr + 8 + 25 + 35, 0x80000010u);
    expect_unbake("length over 2^31-1", &img, MCRED_ERR_INVALID, "more than 2^31-1", NULL);
    /* data after IEND; IEND missing; IHDR not first */
    img.len = 0;
    if (mc_buf_append(&img, png.ptr, png.len) || mc_buf_appends(&img, "junk"))
        abort();
    expect_unbake("bytes after IEND", &img, MCRED_ERR_INVALID, "after the IEND", NULL);
    img.len = 0;
    if (mc_buf_append(&img, png.ptr, png.len - 12))
        abort();
    expect_unbake("no IEND", &img, MCRED_ERR_INVALID, "no IEND", NULL);
    img.len = 0;
    if (mc_buf_append(&img, png.ptr, 8))
        abort();
    chunk(&img, "IDAT", "x", 1);
    expect_unbake("IDAT first", &img, MCRED_ERR_INVALID, "not a 13-byte IHDR", NULL);
    img.len = 0;
    if (mc_buf_append(&img, png.ptr, 8 + 25) ||
        mc_buf_append(&img, "\0\0\0\0\x01\x02\x03\x04\0\0\0\0", 12))
        abort();
    expect_unbake("non-letter chunk type", &img, MCRED_ERR_INVALID, "not letters", NULL);
    mc_buf_release(&img);
    mc_buf_release(&mid);
    /* a 50 MB image is refused at the cap before anything is read */
    huge = calloc(1, (size_t)50 << 20);
    if (!huge)
        abort();
    memcpy(huge, png.ptr, png.len);
    mc_err_clear(&err);
    CHECK_RC(mc_unbake(huge, (size_t)50 << 20, &got, &err), MCRED_ERR_LIMIT, "50 MB PNG unbake");
    CHECK(strstr(err.msg, "more than the limit of 16777216"), "50 MB: %s", err.msg);
    mc_buf_init(&mid, 0);
    CHECK_RC(mc_bake(huge, (size_t)50 << 20, MC_BAKE_IMAGE_PNG, TINY, &mid, NULL, &err),
             MCRED_ERR_LIMIT, "50 MB PNG bake");
    CHECK(mid.len == 0 && mid.ptr == NULL, "50 MB: nothing allocated for the output");
    free(huge);
    mc_buf_release(&png);
}

/* --- hostile SVGs ---------------------------------------------------------------------------- */

/* A listening TCP socket on 127.0.0.1; *port gets its port. */
static int listener(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        abort();
    *port = ntohs(a.sin_port);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* Whether anyone connected to the listener. */
static bool connected(int fd)
{
    int c = accept(fd, NULL, NULL);

    if (c < 0)
        return false;
    close(c);
    return true;
}

static void expect_svg(const char *what, const char *svg, mcred_rc want, const char *msg_part)
{
    struct mc_buf img;

    mc_buf_init(&img, 0);
    if (mc_buf_appends(&img, svg))
        abort();
    expect_unbake(what, &img, want, msg_part, NULL);
    mc_buf_release(&img);
}

static void test_svg_node_cap(void)
{
    struct mc_buf img;
    size_t i;

    mc_buf_init(&img, 0);
    if (mc_buf_appends(&img, "<svg xmlns=\"http://www.w3.org/2000/svg\">"))
        abort();
    for (i = 0; i < MC_BAKE_MAX_SVG_NODES / 3 + 1; i++) {
        if (mc_buf_appends(&img, "<g a=\"1\" b=\"2\"/>"))
            abort();
    }
    if (mc_buf_appends(&img, "</svg>"))
        abort();
    expect_unbake("too many nodes", &img, MCRED_ERR_LIMIT, "more than 200000 elements", NULL);
    img.len -= 6 + 3 * strlen("<g a=\"1\" b=\"2\"/>");
    if (mc_buf_appends(&img, "</svg>"))
        abort();
    expect_unbake("just under the node cap", &img, MCRED_ERR_NOTFOUND, "no credential", NULL);
    mc_buf_release(&img);
}

static void test_bad_svg(void)
{
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE svg [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" "
        "xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
        "<openbadges:credential verify=\"&lol9;\">&lol9;</openbadges:credential></svg>\n";
    char svg[2048];
    struct mc_buf out;
    struct mc_err err;
    clock_t t0;
    int port, fd = listener(&port);

    t0 = clock();
    expect_svg("billion laughs", laughs, MCRED_ERR_INVALID, "declares the entity 'lol'");
    mc_buf_init(&out, 0);
    mc_err_clear(&err);
    CHECK_RC(mc_bake((const unsigned char *)laughs, sizeof(laughs) - 1, MC_BAKE_IMAGE_SVG,
                     TINY, &out, NULL, &err), MCRED_ERR_INVALID, "bake: billion laughs");
    CHECK(out.len == 0 && strstr(err.msg, "entity"), "bake: billion laughs: %s", err.msg);
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0, "billion laughs refused without work");
    mc_buf_release(&out);
    /* an external general entity, fetched over http: refused, no connection */
    snprintf(svg, sizeof(svg),
             "<!DOCTYPE svg [<!ENTITY xxe SYSTEM \"http://127.0.0.1:%d/secret\">]>"
             "<svg xmlns=\"http://www.w3.org/2000/svg\">&xxe;</svg>", port);
    expect_svg("external entity (http)", svg, MCRED_ERR_INVALID, "declares the entity 'xxe'");
    snprintf(svg, sizeof(svg),
             "<!DOCTYPE svg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
             "<svg xmlns=\"http://www.w3.org/2000/svg\">"
             "<openbadges:credential xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
             "&xxe;</openbadges:credential></svg>");
    expect_svg("external entity (file)", svg, MCRED_ERR_INVALID, "declares the entity 'xxe'");
    /* an external parameter entity */
    snprintf(svg, sizeof(svg),
             "<!DOCTYPE svg [<!ENTITY %% p SYSTEM \"http://127.0.0.1:%d/p.dtd\"> %%p;]>"
             "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", port);
    expect_svg("external parameter entity", svg, MCRED_ERR_INVALID, "declares the entity 'p'");
    /* an external DTD whose entities would be used: the reference is refused */
    snprintf(svg, sizeof(svg),
             "<!DOCTYPE svg SYSTEM \"http://127.0.0.1:%d/evil.dtd\">"
             "<svg xmlns=\"http://www.w3.org/2000/svg\">&ext;</svg>", port);
    expect_svg("entity from an external DTD", svg, MCRED_ERR_INVALID, "'&ext;'");
    snprintf(svg, sizeof(svg),
             "<!DOCTYPE svg SYSTEM \"http://127.0.0.1:%d/evil.dtd\">"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" "
             "xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
             "<openbadges:credential verify=\"a.&ext;.c\"/></svg>", port);
    expect_svg("entity from an external DTD in an attribute", svg, MCRED_ERR_INVALID, "'&ext;'");
    /* the usual SVG 1.1 DOCTYPE is accepted, and its DTD is not fetched */
    snprintf(svg, sizeof(svg),
             "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://127.0.0.1:%d/svg11.dtd\">"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" "
             "xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
             "<openbadges:credential verify=\"a.b.c\"/></svg>", port);
    expect_svg("external DTD, not loaded", svg, MCRED_OK, NULL);
    CHECK(!connected(fd), "no connection was made to the entity or DTD URLs");
    close(fd);
    /* a flood of tiny elements: stopped at the node cap, not built into a huge tree */
    test_svg_node_cap();
    /* other bad SVGs */
    expect_svg("not well-formed", "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
               MCRED_ERR_INVALID, "not well-formed XML: line 1");
    expect_svg("root is not svg", "<html><openbadges:credential/></html>", MCRED_ERR_INVALID,
               "not an SVG <svg>");
    expect_svg("svg in another namespace", "<svg xmlns=\"urn:not-svg\"/>", MCRED_ERR_INVALID,
               "not an SVG <svg>");
    expect_svg("nothing baked", plain_svg, MCRED_ERR_NOTFOUND, "no credential is baked in");
    expect_svg("two credential elements",
               "<svg xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">\n"
               "<openbadges:credential verify=\"a.b.c\"/>\n"
               "<openbadges:credential verify=\"d.e.f\"/></svg>",
               MCRED_ERR_INVALID, "two <openbadges:credential> elements (lines 2 and 3)");
    expect_svg("empty element",
               "<svg xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
               "<openbadges:credential/></svg>", MCRED_ERR_INVALID, "is empty");
}

/* SVGs as other bakers write them. */
static void test_other_svg_bakers(void)
{
    struct mc_buf img;
    static const struct {
        const char *what;
        const char *svg;
        const char *want;
    } rows[] = {
        /* the OB 3.0 spec's example shape: pretty JSON with whitespace around it */
        { "OB 3.0, spec layout",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\"\n"
          "  xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\" viewBox=\"0 0 512 512\">\n"
          "  <openbadges:credential>\n    <![CDATA[\n      {\"type\": \"x\"}\n    ]]>\n"
          "  </openbadges:credential>\n  <!-- rest-of-image -->\n</svg>\n",
          "{\"type\": \"x\"}" },
        /* a VC-JWT with an empty body */
        { "OB 3.0, verify", "<svg xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
          "<openbadges:credential verify=\"h.p.s\"></openbadges:credential></svg>", "h.p.s" },
        /* verify="" next to a JSON body: the body */
        { "OB 3.0, empty verify", "<svg xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
          "<openbadges:credential verify=\"\"><![CDATA[{\"a\":1}]]></openbadges:credential></svg>",
          "{\"a\":1}" },
        /* JSON as escaped text instead of CDATA */
        { "OB 3.0, escaped text", "<svg xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
          "<openbadges:credential>{&quot;a&quot;:&quot;&lt;&amp;&gt;&#x41;&quot;}"
          "</openbadges:credential></svg>", "{\"a\":\"<&>A\"}" },
        /* a different prefix for the same namespace */
        { "OB 3.0, other prefix", "<svg xmlns:ob=\"https://purl.imsglobal.org/ob/v3p0\">"
          "<g><ob:credential verify=\"h.p.s\"/></g></svg>", "h.p.s" },
        /* the prefix used without its declaration (read leniently) */
        { "OB 3.0, undeclared prefix", "<svg xmlns=\"http://www.w3.org/2000/svg\">"
          "<openbadges:credential verify=\"h.p.s\"/></svg>", "h.p.s" },
        /* OB 2.0, hosted: verify is the URL, the body the assertion */
        { "OB 2.0, hosted", "<svg xmlns:openbadges=\"http://openbadges.org\">"
          "<openbadges:assertion verify=\"https://example.org/a.json\"><![CDATA[ {\"b\":2} ]]>"
          "</openbadges:assertion></svg>", "{\"b\":2}" },
        /* OB 2.0, signed: self-closing with the JWS in verify */
        { "OB 2.0, signed", "<svg xmlns:openbadges=\"http://openbadges.org\">"
          "<openbadges:assertion verify=\"h.p.s\"/></svg>", "h.p.s" },
        /* both versions: OB 3.0 is read */
        { "both versions", "<svg xmlns:openbadges=\"http://openbadges.org\" "
          "xmlns:ob3=\"https://purl.imsglobal.org/ob/v3p0\">"
          "<openbadges:assertion verify=\"https://example.org/a.json\"/>"
          "<ob3:credential verify=\"h.p.s\"/></svg>", "h.p.s" },
    };
    size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        mc_buf_init(&img, 0);
        if (mc_buf_appends(&img, rows[i].svg))
            abort();
        expect_unbake(rows[i].what, &img, MCRED_OK, NULL, rows[i].want);
        mc_buf_release(&img);
    }
}

/* Baking where the prefix is taken, or into an empty <svg/>. */
static void test_svg_namespaces(const struct creds *c)
{
    static const char taken[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                "xmlns:openbadges=\"urn:something-else\" openbadges:x=\"1\"/>";
    static const char empty[] = "<svg/>";
    struct mc_buf out;
    struct mc_baked got;
    struct mc_err err;

    mc_buf_init(&out, 0);
    CHECK_RC(mc_bake((const unsigned char *)taken, sizeof(taken) - 1, MC_BAKE_IMAGE_SVG,
                     c->jwt.ptr, c->jwt.len, &out, NULL, &err), MCRED_OK, "bake: prefix taken");
    CHECK(strstr(out.ptr, "urn:something-else") && strstr(out.ptr, "openbadges:x=\"1\""),
          "the other binding and its attribute are kept");
    CHECK_RC(mc_unbake((const unsigned char *)out.ptr, out.len, &got, &err), MCRED_OK,
             "unbake: prefix taken");
    CHECK(got.len == c->jwt.len && memcmp(got.data, c->jwt.ptr, got.len) == 0,
          "prefix taken: the credential round-trips (namespace declared on the element)");
    mc_baked_release(&got);
    mc_buf_reset(&out);
    CHECK_RC(mc_bake((const unsigned char *)empty, sizeof(empty) - 1, MC_BAKE_IMAGE_SVG,
                     c->ob3_json, c->ob3_json_n, &out, NULL, &err), MCRED_OK, "bake into <svg/>");
    check_svg_element("empty svg", &out, 3, MC_BAKE_FORM_JSON);
    mc_buf_release(&out);
}

/* --- refused credentials and non-images ------------------------------------------------- */

static void test_bad_credentials(void)
{
    static const struct {
        const char *what;
        const char *cred;
        size_t n;
        mcred_rc rc;
        const char *msg;
    } rows[] = {
        { "empty", "  \n", 3, MCRED_ERR_INVALID, "is empty" },
        { "plain text", "hello", 5, MCRED_ERR_INVALID, "neither a JSON object" },
        { "JSON, not a credential", "{\"a\":1}", 7, MCRED_ERR_INVALID, "neither a Verifiable" },
        { "broken JSON", "{\"a\":", 5, MCRED_ERR_INVALID, "does not parse" },
        { "JWS, bad payload", "eyJhIjoxfQ.!!!.c", 16, MCRED_ERR_INVALID, "neither a JSON" },
        { "JWS, payload not JSON", "eyJhIjoxfQ.aGVsbG8.c", 20, MCRED_ERR_INVALID,
          "payload is not JSON" },
        { "JWS, payload not a credential", "eyJhIjoxfQ.eyJhIjoxfQ.c", 23, MCRED_ERR_INVALID,
          "JWS payload is neither" },
        { "NUL byte", "{\"type\":\"Assertion\"}\0", 21, MCRED_ERR_INVALID, "NUL byte" },
        { "bad UTF-8", "{\"type\":\"Assertion\",\"n\":\"\xc3\x28\"}", 29, MCRED_ERR_INVALID,
          "UTF-8" },
        { "ftp URL", "ftp://example.org/a", 19, MCRED_ERR_INVALID, "neither a JSON object" },
        { "URL with a space", "https://example.org/a b", 23, MCRED_ERR_INVALID, "neither" },
    };
    struct mc_buf png, out;
    struct mc_err err;
    size_t i;

    make_png(&png, false);
    mc_buf_init(&out, 0);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        mc_err_clear(&err);
        CHECK_RC(mc_bake((const unsigned char *)png.ptr, png.len, MC_BAKE_IMAGE_PNG, rows[i].cred,
                         rows[i].n, &out, NULL, &err), rows[i].rc, rows[i].what);
        CHECK(strstr(err.msg, rows[i].msg) && out.len == 0, "%s: '%s' names '%s'", rows[i].what,
              err.msg, rows[i].msg);
    }
    /* the image type must be the one asked for */
    CHECK_RC(mc_bake((const unsigned char *)png.ptr, png.len, MC_BAKE_IMAGE_SVG, TINY, &out,
                     NULL, &err), MCRED_ERR_INVALID, "an SVG expected, a PNG given");
    CHECK(strstr(err.msg, "svg image was expected"), "message: %s", err.msg);
    mc_buf_release(&out);
    mc_buf_release(&png);
}

static void test_not_images(void)
{
    static const struct {
        const char *what;
        const char *p;
        size_t n;
    } rows[] = {
        { "empty", "", 0 },
        { "GIF", "GIF89a\x01\0\x01\0", 10 },
        { "JPEG", "\xff\xd8\xff\xe0\0\x10JFIF", 10 },
        { "JSON", "{\"a\":1}", 7 },
        { "half a PNG signature", "\x89PNG", 4 },
    };
    struct mc_baked got;
    struct mc_buf out;
    struct mc_err err;
    size_t i;

    mc_buf_init(&out, 0);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        mc_err_clear(&err);
        CHECK_RC(mc_unbake((const unsigned char *)rows[i].p, rows[i].n, &got, &err),
                 MCRED_ERR_UNSUPPORTED, rows[i].what);
        CHECK(strstr(err.msg, rows[i].n ? "not a PNG or SVG image" : "empty"), "%s: %s",
              rows[i].what, err.msg);
        CHECK_RC(mc_bake((const unsigned char *)rows[i].p, rows[i].n, MC_BAKE_IMAGE_UNKNOWN,
                         TINY, &out, NULL, &err), MCRED_ERR_UNSUPPORTED, rows[i].what);
    }
    CHECK(mc_bake_sniff((const unsigned char *)"\xef\xbb\xbf  <svg/>", 9) == MC_BAKE_IMAGE_SVG,
          "sniff: BOM and spaces before an SVG");
    mc_buf_release(&out);
}

/* --- allocation failures ---------------------------------------------------------------- */

static mcred_rc torture_once(const struct creds *c, const unsigned char *img, size_t n)
{
    struct mc_buf out;
    struct mc_baked got;
    mcred_rc rc;

    mc_buf_init(&out, 0);
    rc = mc_bake(img, n, MC_BAKE_IMAGE_UNKNOWN, c->ob3_json, c->ob3_json_n, &out, NULL, NULL);
    if (!rc)
        rc = mc_unbake((const unsigned char *)out.ptr, out.len, &got, NULL);
    if (!rc)
        mc_baked_release(&got);
    mc_buf_release(&out);
    return rc;
}

static void test_torture(const struct creds *c)
{
    struct mc_buf png;
    unsigned long nth;
    int nomem = 0, other = 0, k;
    mcred_rc rc = MCRED_ERR_NOMEM;

    make_png(&png, true);
    for (k = 0; k < 2; k++) {
        const unsigned char *img = k ? (const unsigned char *)plain_svg
                                     : (const unsigned char *)png.ptr;
        size_t n = k ? sizeof(plain_svg) - 1 : png.len;

        nomem = other = 0;
        for (nth = 1; nth < 5000; nth++) {
            mcred_test_fail_alloc(nth);
            rc = torture_once(c, img, n);
            mcred_test_fail_alloc(0);
            if (rc == MCRED_OK)
                break;
            if (rc == MCRED_ERR_NOMEM)
                nomem++;
            else
                other++;
        }
        CHECK(rc == MCRED_OK && nomem == (int)nth - 1 && other == 0,
              "%s torture: %d failures reported as NOMEM, %d otherwise, success at %lu",
              k ? "svg" : "png", nomem, other, nth);
    }
    mc_buf_release(&png);
}

int main(void)
{
    struct creds c;

    data_dir = check_shared_data();
    load_creds(&c);
    test_round_trips(&c);
    test_cdata_end();
    test_rebake(&c);
    test_badgr(&c);
    test_other_png_bakers();
    test_other_svg_bakers();
    test_svg_namespaces(&c);
    test_bad_png();
    test_bad_svg();
    test_bad_credentials();
    test_not_images();
    test_torture(&c);
    free_creds(&c);
    xmlCleanupParser();
    return check_report();
}
