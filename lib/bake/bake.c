/* bake.c - the entry points of Open Badges baking: which image a byte string
 * is, what a credential text is (OB 3.0 or 2.0; JSON, JWS or URL), and the
 * dispatch to the PNG and SVG halves (png.c, svg.c).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "bake/bake_int.h"
#include "util/codec.h"
#include "util/json.h"

static const unsigned char png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

enum mc_bake_image mc_bake_sniff(const unsigned char *p, size_t n)
{
    size_t i = 0;

    if (n >= sizeof(png_signature) && memcmp(p, png_signature, sizeof(png_signature)) == 0)
        return MC_BAKE_IMAGE_PNG;
    if (n >= 2 && ((p[0] == 0xfe && p[1] == 0xff) || (p[0] == 0xff && p[1] == 0xfe)))
        return MC_BAKE_IMAGE_SVG;   /* UTF-16 XML; libxml2 decides the rest */
    if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i < n && p[i] == '<' ? MC_BAKE_IMAGE_SVG : MC_BAKE_IMAGE_UNKNOWN;
}

const char *mc_bake_image_name(enum mc_bake_image t)
{
    switch (t) {
    case MC_BAKE_IMAGE_PNG:
        return "png";
    case MC_BAKE_IMAGE_SVG:
        return "svg";
    default:
        return "unknown";
    }
}

const char *mc_bake_form_name(enum mc_bake_form f)
{
    switch (f) {
    case MC_BAKE_FORM_JSON:
        return "json";
    case MC_BAKE_FORM_JWS:
        return "jws";
    case MC_BAKE_FORM_URL:
        return "url";
    default:
        return "none";
    }
}

void mc_baked_release(struct mc_baked *b)
{
    if (!b)
        return;
    mc_free(b->data);
    memset(b, 0, sizeof(*b));
}

/* --- what a text is ---------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char *p, size_t n, size_t *start, size_t *len)
{
    size_t a = 0;

    while (a < n && is_space(p[a]))
        a++;
    while (n > a && is_space(p[n - 1]))
        n--;
    *start = a;
    *len = n - a;
}

/* Three base64url parts; header and payload not empty. dot1/dot2: where. */
static bool jws_shape(const char *p, size_t n, size_t *dot1, size_t *dot2)
{
    return mc_jws_shape(p, n, dot1, dot2) && *dot1 > 0 && *dot2 > *dot1 + 1;
}

/* p starts with the lowercase ASCII prefix pre, in any case. */
static bool prefix_ci(const char *p, size_t n, const char *pre)
{
    size_t i, m = strlen(pre);

    if (n < m)
        return false;
    for (i = 0; i < m; i++) {
        char c = p[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != pre[i])
            return false;
    }
    return true;
}

/* An absolute http(s) URL of printable ASCII without spaces. */
static bool is_url(const char *p, size_t n)
{
    size_t i, pre;

    if (n > 8 && prefix_ci(p, n, "https://"))
        pre = 8;
    else if (n > 7 && prefix_ci(p, n, "http://"))
        pre = 7;
    else
        return false;
    for (i = pre; i < n; i++) {
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
            return false;
    }
    return true;
}

static bool has_string(const cJSON *v, const char *s)
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

/* 3: a Verifiable Credential; 2: an Open Badges 2.0 / 1.x assertion; 0: neither. */
static int json_version(const cJSON *doc)
{
    const cJSON *ctx = mc_json_get(doc, "@context"), *type = mc_json_get(doc, "type");

    if (has_string(ctx, "https://www.w3.org/ns/credentials/v2") ||
        has_string(ctx, "https://www.w3.org/2018/credentials/v1") ||
        has_string(type, "VerifiableCredential"))
        return 3;
    if (has_string(ctx, "https://w3id.org/openbadges/v2") || has_string(type, "Assertion") ||
        (mc_json_get(doc, "recipient") && mc_json_get(doc, "badge")))
        return 2;
    return 0;
}

/* OB 2.0 "verification" (alias "verify") of type hosted / HostedBadge; OB 1.0
 * "verify": {"type": "hosted"}. *url: its "url" member, borrowed, or NULL. */
static bool json_hosted(const cJSON *doc, const char **url)
{
    const cJSON *v = mc_json_get(doc, "verification");
    const char *type;

    *url = NULL;
    if (!v)
        v = mc_json_get(doc, "verify");
    type = mc_json_str(v, "type");
    if (!type || (strcmp(type, "hosted") != 0 && strcmp(type, "HostedBadge") != 0))
        return false;
    *url = mc_json_str(v, "url");
    return true;
}

/* Parse the JWS payload p[0..n) (base64url) as a JSON object. */
static mcred_rc jws_payload(const char *p, size_t n, cJSON **doc, struct mc_err *err)
{
    struct mc_buf b;
    struct mc_err perr;
    mcred_rc rc;

    *doc = NULL;
    mc_buf_init(&b, MC_BAKE_MAX_TEXT);
    rc = mc_b64url_decode(&b, p, n);
    if (rc) {
        mc_buf_release(&b);
        return rc == MCRED_ERR_NOMEM ? rc
                                     : mc_err_set(err, MCRED_ERR_INVALID,
                                                  "the JWS payload is not base64url");
    }
    mc_err_clear(&perr);
    rc = mc_json_parse(b.ptr ? b.ptr : "", b.len, MC_BAKE_MAX_TEXT, doc, &perr);
    mc_buf_release(&b);
    if (rc == MCRED_ERR_NOMEM)
        return rc;
    if (rc)
        return mc_err_set(err, MCRED_ERR_INVALID, "the JWS payload is not JSON: %s",
                          mc_err_msg(&perr));
    if (!cJSON_IsObject(*doc)) {
        cJSON_Delete(*doc);
        *doc = NULL;
        return mc_err_set(err, MCRED_ERR_INVALID, "the JWS payload is not a JSON object");
    }
    return MCRED_OK;
}

/* Size, NUL and UTF-8 checks of a text to be baked or just found. */
static mcred_rc text_ok(const char *p, size_t n, const char *what, struct mc_err *err)
{
    const char *nul;

    if (n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s is empty", what);
    if (n > MC_BAKE_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%s is %zu bytes, more than the limit of %zu",
                          what, n, MC_BAKE_MAX_TEXT);
    nul = memchr(p, '\0', n);
    if (nul)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s has a NUL byte at offset %zu", what,
                          (size_t)(nul - p));
    if (!mc_utf8_valid(p, n))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s is not valid UTF-8", what);
    return MCRED_OK;
}

struct cls {
    int version;
    enum mc_bake_form form;
    bool hosted;
    cJSON *doc;   /* owned: the JSON, or the JWS payload */
};

/* Classify p[0..n) (already trimmed and checked). strict: baking, so the
 * JSON must be a credential or an assertion (version known). */
static mcred_rc classify(const char *p, size_t n, bool strict, struct cls *c, struct mc_err *err)
{
    struct mc_err perr;
    const char *url;
    size_t d1 = 0, d2 = 0;
    mcred_rc rc;

    memset(c, 0, sizeof(*c));
    if (p[0] == '{') {
        mc_err_clear(&perr);
        rc = mc_json_parse(p, n, MC_BAKE_MAX_TEXT, &c->doc, &perr);
        if (rc == MCRED_ERR_NOMEM)
            return rc;
        if (rc)
            return mc_err_set(err, MCRED_ERR_INVALID, "the JSON does not parse: %s",
                              mc_err_msg(&perr));
        c->form = MC_BAKE_FORM_JSON;
        c->version = json_version(c->doc);
        c->hosted = c->version != 3 && json_hosted(c->doc, &url);
        if (strict && !c->version)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "the JSON is neither a Verifiable Credential (Open Badges 3.0: "
                              "@context or type) nor an Open Badges 2.0 assertion");
        return MCRED_OK;
    }
    if (jws_shape(p, n, &d1, &d2)) {
        c->form = MC_BAKE_FORM_JWS;
        if (!strict)
            return MCRED_OK;
        rc = jws_payload(p + d1 + 1, d2 - d1 - 1, &c->doc, err);
        if (rc)
            return rc;
        if (cJSON_IsObject(mc_json_get(c->doc, "vc")) && !mc_json_get(c->doc, "@context"))
            c->version = 3;   /* a VC 1.1 JWT claims set */
        else
            c->version = json_version(c->doc);
        if (!c->version)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "the JWS payload is neither a Verifiable Credential (Open Badges "
                              "3.0) nor an Open Badges 2.0 assertion");
        return MCRED_OK;
    }
    if (is_url(p, n)) {
        c->form = MC_BAKE_FORM_URL;
        c->version = 2;
        c->hosted = true;
        return MCRED_OK;
    }
    return mc_err_set(err, MCRED_ERR_INVALID,
                      "the text is neither a JSON object, a compact JWS nor an http(s) URL "
                      "(it starts with '%.16s')", p);
}

mcred_rc mc_bake_classify(const char *cred, size_t len, int *version, enum mc_bake_form *form,
                          bool *hosted, size_t *start, size_t *tlen, struct mc_err *err)
{
    struct cls c;
    mcred_rc rc;

    *version = 0;
    *form = MC_BAKE_FORM_NONE;
    *hosted = false;
    trim(cred, len, start, tlen);
    rc = text_ok(cred + *start, *tlen, "the credential", err);
    if (rc)
        return rc;
    rc = classify(cred + *start, *tlen, true, &c, err);
    if (!rc) {
        *version = c.version;
        *form = c.form;
        *hosted = c.hosted;
    }
    cJSON_Delete(c.doc);
    return rc;
}

mcred_rc mc_bake_found(struct mc_baked *out, enum mc_bake_image image, int version,
                       const char *where, const char *p, size_t n, bool trimmed,
                       struct mc_err *err)
{
    struct cls c;
    size_t a = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (trimmed)
        trim(p, n, &a, &n);
    rc = text_ok(p + a, n, where, err);
    if (rc)
        return rc;
    rc = classify(p + a, n, false, &c, err);
    cJSON_Delete(c.doc);
    if (rc == MCRED_ERR_INVALID && err) {
        char why[MC_ERRMSG_MAX];

        mc_strlcpy(why, err->msg, sizeof(why));
        return mc_err_set(err, rc, "%s: %s", where, why);
    }
    if (rc)
        return rc;
    out->data = mc_strndup(p + a, n);
    if (!out->data)
        return MCRED_ERR_NOMEM;
    out->len = n;
    out->image = image;
    out->version = version;
    out->form = c.form;
    out->hosted = c.hosted;
    out->where = where;
    return MCRED_OK;
}

/* --- entry points -------------------------------------------------------------- */

static mcred_rc unsupported(const unsigned char *p, size_t n, struct mc_err *err)
{
    unsigned char b[4] = { 0, 0, 0, 0 };

    memcpy(b, p, n < 4 ? n : 4);
    if (n == 0)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "the image is empty");
    return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                      "not a PNG or SVG image (it starts with bytes %02x %02x %02x %02x)", b[0],
                      b[1], b[2], b[3]);
}

static mcred_rc size_ok(size_t n, struct mc_err *err)
{
    if (n > MC_BAKE_MAX_IMAGE)
        return mc_err_set(err, MCRED_ERR_LIMIT,
                          "the image is %zu bytes, more than the limit of %zu (MC_BAKE_MAX_IMAGE)",
                          n, MC_BAKE_MAX_IMAGE);
    return MCRED_OK;
}

mcred_rc mc_unbake(const unsigned char *p, size_t n, struct mc_baked *out, struct mc_err *err)
{
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    rc = size_ok(n, err);
    if (rc)
        return rc;
    switch (mc_bake_sniff(p, n)) {
    case MC_BAKE_IMAGE_PNG:
        rc = mc_bake_png_read(p, n, out, err);
        break;
    case MC_BAKE_IMAGE_SVG:
        rc = mc_bake_svg_read(p, n, out, err);
        break;
    default:
        return unsupported(p, n, err);
    }
    if (rc)
        mc_baked_release(out);
    return rc;
}

mcred_rc mc_bake(const unsigned char *img, size_t n, enum mc_bake_image want, const char *cred,
                 size_t len, struct mc_buf *out, struct mc_baked *info, struct mc_err *err)
{
    enum mc_bake_image got = mc_bake_sniff(img, n);
    struct mc_bake_text t;
    struct cls c;
    size_t start, tlen, keep = out->len;
    const char *url = NULL;
    mcred_rc rc;

    if (info)
        memset(info, 0, sizeof(*info));
    rc = size_ok(n, err);
    if (rc)
        return rc;
    if (got == MC_BAKE_IMAGE_UNKNOWN)
        return unsupported(img, n, err);
    if (want != MC_BAKE_IMAGE_UNKNOWN && want != got)
        return mc_err_set(err, MCRED_ERR_INVALID, "a %s image was expected, this is %s",
                          mc_bake_image_name(want), got == MC_BAKE_IMAGE_PNG ? "a PNG" : "SVG");
    trim(cred, len, &start, &tlen);
    rc = text_ok(cred + start, tlen, "the credential", err);
    if (rc)
        return rc;
    rc = classify(cred + start, tlen, true, &c, err);
    if (rc) {
        cJSON_Delete(c.doc);
        return rc;
    }
    if (c.form == MC_BAKE_FORM_JSON && c.version == 2)
        json_hosted(c.doc, &url);
    t.version = c.version;
    t.form = c.form;
    t.p = cred + start;
    t.n = tlen;
    t.hosted_url = url && is_url(url, strlen(url)) ? url : NULL;
    if (got == MC_BAKE_IMAGE_PNG)
        rc = mc_bake_png_write(img, n, &t, out, err);
    else
        rc = mc_bake_svg_write(img, n, &t, out, err);
    if (rc) {
        out->len = keep;
        if (out->ptr)
            out->ptr[keep] = '\0';
    } else if (info) {
        info->image = got;
        info->version = c.version;
        info->form = c.form;
        info->hosted = c.hosted;
        info->len = tlen;
    }
    cJSON_Delete(c.doc);
    return rc;
}
