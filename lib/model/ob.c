/* ob.c - Open Badges 3.0 structural rules and credential builders. The rules
 * follow the OB 3.0 data model (required fields and their kinds); tests
 * cross-check them against the published JSON Schema.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>

#include "crypto/hash.h"
#include "crypto/keys.h"
#include "model/ob.h"
#include "util/codec.h"
#include "util/time.h"

/* ---- helpers ---------------------------------------------------------------- */

/* The bytes that end the scan of a URI's rest: NUL (the end) and those a
 * URI may not hold (controls, space, '"', '<', '>', '\\'). A table lookup a
 * byte: validation checks every URI of a credential. */
static const unsigned char uri_stop[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [' '] = 1, ['"'] = 1, ['<'] = 1,
    ['>'] = 1, ['\\'] = 1,
};

bool mc_is_uri(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || !p[1])
        return false;
    while (!uri_stop[*p])
        p++;
    return *p == '\0';
}

bool mc_is_email(const char *s)
{
    const char *at = strchr(s, '@'), *dot;
    const char *p;

    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == ',' ||
            *p == ';' || *p == '\\' || *p == '(' || *p == ')')
            return false;
    }
    return true;
}

void mc_uuid_urn(char out[46])
{
    uint8_t b[16];

    randombytes_buf(b, sizeof(b));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 46,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

void mc_uuid7_urn(char out[46])
{
    struct timespec ts;
    uint64_t ms;
    uint8_t b[16];

    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
    randombytes_buf(b, sizeof(b));
    b[0] = (uint8_t)(ms >> 40);
    b[1] = (uint8_t)(ms >> 32);
    b[2] = (uint8_t)(ms >> 24);
    b[3] = (uint8_t)(ms >> 16);
    b[4] = (uint8_t)(ms >> 8);
    b[5] = (uint8_t)ms;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x70);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 46,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

bool mc_ob_is_badge(const cJSON *doc)
{
    const cJSON *t = mc_json_get(doc, "type");

    return mc_json_has_str(t, "OpenBadgeCredential") || mc_json_has_str(t, "AchievementCredential");
}

/* ---- the validator ---------------------------------------------------------- */

struct vctx {
    struct mc_ob_report *rep;
    struct mc_err *err;
    size_t found;
};

/* Where in the document a check is: a chain of member names and array
 * indexes, written out only when there is a problem to report (building the
 * path string for every member cost more than the checks themselves). */
struct vpath {
    const struct vpath *up;  /* the enclosing value, NULL at the root */
    const char *name;        /* member name, or NULL for an array element */
    int index;               /* array index when name is NULL */
};

static size_t render(const struct vpath *p, char *buf, size_t cap)
{
    size_t n = p && p->up ? render(p->up, buf, cap) : 0;
    int w;

    if (!p || n >= cap)
        return n;
    if (p->name)
        w = snprintf(buf + n, cap - n, "%s%s", n ? "." : "", p->name);
    else
        w = snprintf(buf + n, cap - n, "[%d]", p->index);
    return w < 0 ? n : n + (size_t)w;
}

static void problem(struct vctx *v, const struct vpath *path, const char *fmt, ...) MC_PRINTF(3, 4);

static void problem(struct vctx *v, const struct vpath *path, const char *fmt, ...)
{
    char what[160], at[160];
    va_list ap;

    at[0] = '\0';
    if (!render(path, at, sizeof(at)))
        snprintf(at, sizeof(at), "(root)");
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (v->found == 0)
        mc_err_set(v->err, MCRED_ERR_INVALID, "%s: %s", at, what);
    if (v->rep) {
        if (v->rep->n < MC_OB_MAX_PROBLEMS)
            snprintf(v->rep->problems[v->rep->n++], sizeof(v->rep->problems[0]), "%s: %s", at,
                     what);
        v->rep->total++;
    }
    v->found++;
}

enum kind { K_STRING, K_URI, K_DATETIME, K_NUMBER, K_BOOL };

/* A field of kind k: check presence (when required) and kind. Returns the
 * member, or NULL. */
static const cJSON *field(struct vctx *v, const cJSON *obj, const struct vpath *path,
                          const char *name, enum kind k, bool required)
{
    const cJSON *m = mc_json_get(obj, name);
    struct vpath here = { path, name, 0 }, *p = &here;
    time_t t;

#define FIELD_PATH() (void)0
    if (!m) {
        if (required) {
            FIELD_PATH();
            problem(v, p, "is required but missing");
        }
        return NULL;
    }
    switch (k) {
    case K_NUMBER:
        if (!cJSON_IsNumber(m)) {
            FIELD_PATH();
            problem(v, p, "must be a number");
        }
        return m;
    case K_BOOL:
        if (!cJSON_IsBool(m)) {
            FIELD_PATH();
            problem(v, p, "must be true or false");
        }
        return m;
    default:
        break;
    }
    if (!mc_json_is_string(m)) {
        FIELD_PATH();
        problem(v, p, "must be a string");
        return NULL;
    }
    if (k == K_STRING && !m->valuestring[0] && required) {
        FIELD_PATH();
        problem(v, p, "must not be empty");
    }
    if (k == K_URI && !mc_is_uri(m->valuestring)) {
        FIELD_PATH();
        problem(v, p, "'%.60s' is not an absolute URI", m->valuestring);
    }
    if (k == K_DATETIME && mc_time_parse(m->valuestring, true, &t)) {
        FIELD_PATH();
        problem(v, p, "'%.60s' is not a date-time with a time zone (RFC 3339)", m->valuestring);
    }
#undef FIELD_PATH
    return m;
}

/* "type" must be present and include `want` (a string or array of strings). */
static void type_has(struct vctx *v, const cJSON *obj, const struct vpath *path, const char *want,
                     const char *alt)
{
    const cJSON *t = mc_json_get(obj, "type"), *e;
    struct vpath here = { path, "type", 0 }, *p = &here;

    if (t && (mc_json_has_str(t, want) || (alt && mc_json_has_str(t, alt))) &&
        (mc_json_is_string(t) || mc_json_is_array(t))) {
        bool all_strings = true;

        cJSON_ArrayForEach(e, t) all_strings = all_strings && mc_json_is_string(e);
        if (all_strings || mc_json_is_string(t))
            return;   /* the common case: nothing to report, no path to write */
    }
    if (!t) {
        problem(v, p, "is required but missing");
        return;
    }
    if (mc_json_is_array(t)) {
        cJSON_ArrayForEach(e, t) {
            if (!mc_json_is_string(e)) {
                problem(v, p, "must hold only strings");
                return;
            }
        }
    } else if (!mc_json_is_string(t)) {
        problem(v, p, "must be a string or an array of strings");
        return;
    }
    if (!mc_json_has_str(t, want) && !(alt && mc_json_has_str(t, alt))) {
        if (alt)
            problem(v, p, "must include '%s' or '%s'", want, alt);
        else
            problem(v, p, "must include '%s'", want);
    }
}

typedef void (*class_fn)(struct vctx *v, const cJSON *o, const struct vpath *path);

/* An object (or, with many, an array of objects) of a class. */
static void nested(struct vctx *v, const cJSON *obj, const struct vpath *path, const char *name,
                   class_fn fn, bool required, bool many)
{
    const cJSON *m = mc_json_get(obj, name), *e;
    struct vpath here = { path, name, 0 }, *p = &here;
    int i = 0;

    if (!m) {
        if (required)
            problem(v, p, "is required but missing");
        return;
    }
    if (mc_json_is_object(m)) {
        fn(v, m, p);
        return;
    }
    if (!many || !mc_json_is_array(m)) {
        problem(v, p, many ? "must be an object or an array of objects" : "must be an object");
        return;
    }
    cJSON_ArrayForEach(e, m) {
        struct vpath item = { p, NULL, i++ };

        if (!mc_json_is_object(e))
            problem(v, &item, "must be an object");
        else
            fn(v, e, &item);
    }
}

static void c_image(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, true);
    type_has(v, o, path, "Image", NULL);
}

/* Image: an object, or (as many issuers write it) a URI string. */
static void image(struct vctx *v, const cJSON *obj, const struct vpath *path)
{
    const cJSON *m = mc_json_get(obj, "image");

    if (m && mc_json_is_string(m))
        field(v, obj, path, "image", K_URI, false);
    else
        nested(v, obj, path, "image", c_image, false, false);
}

static void c_profile(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, true);
    type_has(v, o, path, "Profile", NULL);
    field(v, o, path, "name", K_STRING, false);
    field(v, o, path, "url", K_URI, false);
    field(v, o, path, "email", K_STRING, false);
    image(v, o, path);
}

static void c_alignment(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    type_has(v, o, path, "Alignment", NULL);
    field(v, o, path, "targetName", K_STRING, true);
    field(v, o, path, "targetUrl", K_URI, true);
}

static void c_criteria(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, false);
    field(v, o, path, "narrative", K_STRING, false);
    if (!mc_json_get(o, "id") &&
        !mc_json_get(o, "narrative"))
        problem(v, path, "needs an id or a narrative");
}

static void c_rubric_level(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, true);
    type_has(v, o, path, "RubricCriterionLevel", NULL);
    field(v, o, path, "name", K_STRING, true);
}

static void c_result_description(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, true);
    type_has(v, o, path, "ResultDescription", NULL);
    field(v, o, path, "name", K_STRING, true);
    field(v, o, path, "resultType", K_STRING, true);
    nested(v, o, path, "rubricCriterionLevel", c_rubric_level, false, true);
    nested(v, o, path, "alignment", c_alignment, false, true);
}

static void c_achievement(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    const cJSON *tags, *e;

    field(v, o, path, "id", K_URI, true);
    type_has(v, o, path, "Achievement", NULL);
    nested(v, o, path, "criteria", c_criteria, true, false);
    field(v, o, path, "description", K_STRING, true);
    field(v, o, path, "name", K_STRING, true);
    image(v, o, path);
    nested(v, o, path, "alignment", c_alignment, false, true);
    nested(v, o, path, "resultDescription", c_result_description, false, true);
    nested(v, o, path, "creator", c_profile, false, false);
    field(v, o, path, "creditsAvailable", K_NUMBER, false);
    field(v, o, path, "fieldOfStudy", K_STRING, false);
    field(v, o, path, "humanCode", K_STRING, false);
    field(v, o, path, "version", K_STRING, false);
    tags = mc_json_get(o, "tag");
    if (tags) {
        bool ok = mc_json_is_array(tags);

        cJSON_ArrayForEach(e, tags) ok = ok && mc_json_is_string(e);
        if (!ok) {
            struct vpath here = { path, "tag", 0 };

            problem(v, &here, "must be an array of strings");
        }
    }
}

static void c_result(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    type_has(v, o, path, "Result", NULL);
    field(v, o, path, "resultDescription", K_URI, false);
    field(v, o, path, "value", K_STRING, false);
    field(v, o, path, "status", K_STRING, false);
    nested(v, o, path, "alignment", c_alignment, false, true);
}

static void c_identity(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    type_has(v, o, path, "IdentityObject", NULL);
    field(v, o, path, "hashed", K_BOOL, true);
    field(v, o, path, "identityHash", K_STRING, true);
    field(v, o, path, "identityType", K_STRING, true);
    field(v, o, path, "salt", K_STRING, false);
}

static void c_subject(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    type_has(v, o, path, "AchievementSubject", NULL);
    field(v, o, path, "id", K_URI, false);
    nested(v, o, path, "achievement", c_achievement, true, false);
    nested(v, o, path, "identifier", c_identity, false, true);
    nested(v, o, path, "result", c_result, false, true);
    field(v, o, path, "creditsEarned", K_NUMBER, false);
    field(v, o, path, "activityStartDate", K_DATETIME, false);
    field(v, o, path, "activityEndDate", K_DATETIME, false);
    if (!mc_json_get(o, "id") &&
        !mc_json_get(o, "identifier"))
        problem(v, path, "needs an id or an identifier naming the recipient");
}

static void c_evidence(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    type_has(v, o, path, "Evidence", NULL);
    field(v, o, path, "id", K_URI, false);
    field(v, o, path, "narrative", K_STRING, false);
}

static void c_status(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, true);
    field(v, o, path, "type", K_STRING, true);
}

static void c_schema(struct vctx *v, const cJSON *o, const struct vpath *path)
{
    field(v, o, path, "id", K_URI, true);
    field(v, o, path, "type", K_STRING, true);
}

static void check_context(struct vctx *v, const cJSON *doc)
{
    const cJSON *c = mc_json_get(doc, "@context"), *e;
    const struct vpath at = { NULL, "@context", 0 }, first = { &at, NULL, 0 };
    bool ob = false;

    if (!c) {
        problem(v, &at, "is required but missing");
        return;
    }
    if (!mc_json_is_array(c) || cJSON_GetArraySize(c) < 2) {
        problem(v, &at, "must be an array of at least two contexts");
        return;
    }
    if (!mc_json_is_string(c->child) || strcmp(c->child->valuestring, MC_VC2_CONTEXT) != 0)
        problem(v, &first, "must be '%s'", MC_VC2_CONTEXT);
    cJSON_ArrayForEach(e, c) {
        if (mc_json_is_string(e) && strncmp(e->valuestring, MC_OB3_CONTEXT_PREFIX,
                                         strlen(MC_OB3_CONTEXT_PREFIX)) == 0)
            ob = true;
    }
    if (!ob)
        problem(v, &at, "must include the Open Badges 3.0 context (%s)", MC_OB3_CONTEXT);
}

mcred_rc mc_ob_validate_credential(const cJSON *doc, struct mc_ob_report *rep, struct mc_err *err)
{
    struct vctx v = { rep, err, 0 };
    const struct vpath issuer_path = { NULL, "issuer", 0 };
    const struct vpath subject_path = { NULL, "credentialSubject", 0 };
    const cJSON *issuer;

    if (rep)
        memset(rep, 0, sizeof(*rep));
    if (!mc_json_is_object(doc)) {
        problem(&v, NULL, "the credential must be a JSON object");
        return MCRED_ERR_INVALID;
    }
    check_context(&v, doc);
    field(&v, doc, NULL, "id", K_URI, true);
    type_has(&v, doc, NULL, "VerifiableCredential", NULL);
    type_has(&v, doc, NULL, "OpenBadgeCredential", "AchievementCredential");
    issuer = mc_json_get(doc, "issuer");
    if (mc_json_is_string(issuer))
        problem(&v, &issuer_path, "must be a Profile object with id and type, not a string");
    else
        nested(&v, doc, NULL, "issuer", c_profile, true, false);
    field(&v, doc, NULL, "validFrom", K_DATETIME, true);
    field(&v, doc, NULL, "validUntil", K_DATETIME, false);
    field(&v, doc, NULL, "awardedDate", K_DATETIME, false);
    field(&v, doc, NULL, "name", K_STRING, false);
    field(&v, doc, NULL, "description", K_STRING, false);
    image(&v, doc, NULL);
    if (mc_json_is_array(mc_json_get(doc, "credentialSubject")))
        problem(&v, &subject_path, "must be a single AchievementSubject object");
    else
        nested(&v, doc, NULL, "credentialSubject", c_subject, true, false);
    nested(&v, doc, NULL, "evidence", c_evidence, false, true);
    nested(&v, doc, NULL, "credentialStatus", c_status, false, true);
    nested(&v, doc, NULL, "credentialSchema", c_schema, false, true);
    return v.found ? MCRED_ERR_INVALID : MCRED_OK;
}

mcred_rc mc_ob_validate_achievement(const cJSON *a, struct mc_ob_report *rep, struct mc_err *err)
{
    struct vctx v = { rep, err, 0 };
    const struct vpath root = { NULL, "achievement", 0 };

    if (rep)
        memset(rep, 0, sizeof(*rep));
    if (!mc_json_is_object(a)) {
        problem(&v, NULL, "an Achievement must be a JSON object");
        return MCRED_ERR_INVALID;
    }
    c_achievement(&v, a, &root);
    return v.found ? MCRED_ERR_INVALID : MCRED_OK;
}

/* ---- the builder ------------------------------------------------------------ */

static bool add_s(cJSON *o, const char *name, const char *s)
{
    return !s || cJSON_AddStringToObject(o, name, s) != NULL;
}

static cJSON *type_array(const char *a, const char *b)
{
    cJSON *t = cJSON_CreateArray();

    if (t && a && !cJSON_AddItemToArray(t, cJSON_CreateString(a)))
        goto fail;
    if (t && b && !cJSON_AddItemToArray(t, cJSON_CreateString(b)))
        goto fail;
    return t;
fail:
    cJSON_Delete(t);
    return NULL;
}

/* OB 3.0 IdentityObject for an e-mail: plain, or "sha256$" + hex(SHA-256(email + salt)). */
static cJSON *email_identity(const char *email, bool hashed)
{
    cJSON *id = cJSON_CreateObject();
    uint8_t salt_raw[16], h[MC_SHA256_BYTES];
    struct mc_buf b, salt;
    bool ok = id != NULL;

    mc_buf_init(&b, 1024);
    mc_buf_init(&salt, 64);
    ok = ok && add_s(id, "type", "IdentityObject");
    ok = ok && cJSON_AddBoolToObject(id, "hashed", hashed);
    if (ok && hashed) {
        randombytes_buf(salt_raw, sizeof(salt_raw));
        ok = mc_hex_encode(&salt, salt_raw, sizeof(salt_raw)) == MCRED_OK &&
             mc_buf_appends(&b, email) == MCRED_OK && mc_buf_append(&b, salt.ptr, salt.len) == 0;
        if (ok) {
            mc_sha256(b.ptr, b.len, h);
            mc_buf_reset(&b);
            ok = mc_buf_appends(&b, "sha256$") == MCRED_OK &&
                 mc_hex_encode(&b, h, sizeof(h)) == MCRED_OK;
        }
        ok = ok && add_s(id, "identityHash", b.ptr);
    } else if (ok) {
        ok = add_s(id, "identityHash", email);
    }
    ok = ok && add_s(id, "identityType", "emailAddress");
    if (ok && hashed)
        ok = add_s(id, "salt", salt.ptr);
    mc_buf_release(&b);
    mc_buf_release(&salt);
    if (!ok) {
        cJSON_Delete(id);
        return NULL;
    }
    return id;
}

static mcred_rc check_inputs(const struct mc_ob_issue *in, struct mc_err *err)
{
    if (!in->issuer_id || !mc_is_uri(in->issuer_id))
        return mc_err_set(err, MCRED_ERR_INVALID, "issuer '%s' is not a DID or URL",
                          in->issuer_id ? in->issuer_id : "(missing)");
    if (!in->recipient || !in->recipient[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "a recipient (DID or e-mail) is required");
    if (strncmp(in->recipient, "did:", 4) != 0 && !mc_is_email(in->recipient))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "recipient '%.80s' is neither a DID nor an e-mail address",
                          in->recipient);
    if (strncmp(in->recipient, "did:", 4) == 0 && !mc_is_uri(in->recipient))
        return mc_err_set(err, MCRED_ERR_INVALID, "recipient '%.80s' is not a valid DID",
                          in->recipient);
    if (in->valid_until && in->valid_until <= in->valid_from)
        return mc_err_set(err, MCRED_ERR_INVALID, "validUntil must be after validFrom");
    if (in->evidence_url && !mc_is_uri(in->evidence_url))
        return mc_err_set(err, MCRED_ERR_INVALID, "evidence URL '%.80s' is not an absolute URI",
                          in->evidence_url);
    if (in->achievement_checked)
        return MCRED_OK;   /* the caller validated it once for a whole batch */
    return mc_ob_validate_achievement(in->achievement, NULL, err);
}

mcred_rc mc_ob_credential_new(const struct mc_ob_issue *in, cJSON **out, struct mc_err *err)
{
    cJSON *c = NULL, *issuer, *subj, *ach, *ctx;
    char id[46], from[32], until[32];
    const char *name;
    bool ok;
    mcred_rc rc;

    *out = NULL;
    if (mc_crypto_ready() != MCRED_OK)
        return mc_err_set(err, MCRED_ERR_CRYPTO, "libsodium failed to initialise");
    rc = check_inputs(in, err);
    if (rc)
        return rc;
    if (!in->id)
        mc_uuid_urn(id);
    mc_time_format(in->valid_from, from);
    name = in->name ? in->name : mc_json_str(in->achievement, "name");
    c = cJSON_CreateObject();
    ctx = type_array(MC_VC2_CONTEXT, MC_OB3_CONTEXT);
    ok = c && ctx && cJSON_AddItemToObject(c, "@context", ctx);
    if (!ok)
        cJSON_Delete(ctx);
    ok = ok && add_s(c, "id", in->id ? in->id : id);
    ok = ok && cJSON_AddItemToObject(c, "type", type_array("VerifiableCredential",
                                                           "OpenBadgeCredential"));
    ok = ok && add_s(c, "name", name);
    issuer = ok ? cJSON_AddObjectToObject(c, "issuer") : NULL;
    ok = issuer && add_s(issuer, "id", in->issuer_id) &&
         cJSON_AddItemToObject(issuer, "type", type_array("Profile", NULL)) &&
         add_s(issuer, "name", in->issuer_name) && add_s(issuer, "url", in->issuer_url);
    ok = ok && add_s(c, "validFrom", from);
    if (ok && in->valid_until) {
        mc_time_format(in->valid_until, until);
        ok = add_s(c, "validUntil", until);
    }
    subj = ok ? cJSON_AddObjectToObject(c, "credentialSubject") : NULL;
    ok = subj != NULL;
    if (ok && strncmp(in->recipient, "did:", 4) == 0) {
        ok = add_s(subj, "id", in->recipient);
    }
    ok = ok && cJSON_AddItemToObject(subj, "type", type_array("AchievementSubject", NULL));
    if (ok && strncmp(in->recipient, "did:", 4) != 0) {
        cJSON *ids = cJSON_AddArrayToObject(subj, "identifier");

        ok = ids && cJSON_AddItemToArray(ids, email_identity(in->recipient, in->hash_email));
    }
    ach = ok ? cJSON_Duplicate(in->achievement, 1) : NULL;
    ok = ach && cJSON_AddItemToObject(subj, "achievement", ach);
    if (!ok)
        cJSON_Delete(ach);
    if (ok && in->evidence_url) {
        cJSON *ev = cJSON_AddArrayToObject(c, "evidence"), *e = cJSON_CreateObject();

        ok = ev && e && add_s(e, "id", in->evidence_url) &&
             cJSON_AddItemToObject(e, "type", type_array("Evidence", NULL));
        ok = ok && cJSON_AddItemToArray(ev, e);
        if (!ok)
            cJSON_Delete(e);
    }
    if (!ok) {
        cJSON_Delete(c);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory building the credential");
    }
    *out = c;
    return MCRED_OK;
}
