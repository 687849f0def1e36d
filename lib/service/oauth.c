/* oauth.c - the OAuth 2.0 authorization server of the OB 3.0 API: client
 * registration, the consent step, authorization codes with PKCE, token
 * issue and rotation, revocation and access token checks. The HTTP side
 * (server/oauth.c) only parses requests and writes what these return.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include <sodium.h>

#include "crypto/hash.h"
#include "jsonld/jcs.h"
#include "service/oauth.h"
#include "service/platform.h"
#include "util/codec.h"

#define META_MAX_TEXT 1024        /* a name, version or URL of the metadata */
#define META_MAX_LIST 10          /* redirect_uris, contacts */
#define REDIRECT_MAX 2048
#define PURGE_AFTER ((time_t)24 * 3600)   /* keep expired rows a day (replay detection) */

static const struct {
    unsigned bit;
    const char *name, *text;
} scope_table[] = {
    { MC_OAUTH_CRED_READ, MC_OAUTH_SCOPE_PREFIX "credential.readonly",
      "read your Open Badges credentials" },
    { MC_OAUTH_CRED_UPSERT, MC_OAUTH_SCOPE_PREFIX "credential.upsert",
      "add credentials to your wallet and replace them" },
    { MC_OAUTH_PROFILE_READ, MC_OAUTH_SCOPE_PREFIX "profile.readonly", "read your profile" },
    { MC_OAUTH_PROFILE_UPDATE, MC_OAUTH_SCOPE_PREFIX "profile.update", "update your profile" },
    { MC_OAUTH_OFFLINE, "offline_access", "keep this access while you are away" },
};
#define NSCOPES (sizeof(scope_table) / sizeof(scope_table[0]))

const char *mc_oauth_scope_name(unsigned bit)
{
    size_t i;

    for (i = 0; i < NSCOPES; i++)
        if (scope_table[i].bit == bit)
            return scope_table[i].name;
    return NULL;
}

const char *mc_oauth_scope_text(unsigned bit)
{
    size_t i;

    for (i = 0; i < NSCOPES; i++)
        if (scope_table[i].bit == bit)
            return scope_table[i].text;
    return NULL;
}

mcred_rc mc_oauth_scope_parse(const char *s, unsigned *bits, size_t *unknown, struct mc_err *err)
{
    size_t n, i, len;

    *bits = 0;
    if (unknown)
        *unknown = 0;
    if (!s)
        return mc_err_set(err, MCRED_ERR_INVALID, "scope is missing");
    n = strnlen(s, 4097);
    if (n > 4096)
        return mc_err_set(err, MCRED_ERR_INVALID, "scope is longer than 4096 bytes");
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return mc_err_set(err, MCRED_ERR_INVALID, "scope has a control character");
    while (*s) {
        while (*s == ' ')
            s++;
        len = strcspn(s, " ");
        if (len == 0)
            break;
        for (i = 0; i < NSCOPES; i++) {
            if (strlen(scope_table[i].name) == len && memcmp(scope_table[i].name, s, len) == 0)
                break;
        }
        if (i < NSCOPES)
            *bits |= scope_table[i].bit;
        else if (unknown)
            (*unknown)++;
        s += len;
    }
    if (*bits == 0 && (!unknown || *unknown == 0))
        return mc_err_set(err, MCRED_ERR_INVALID, "scope is empty");
    return MCRED_OK;
}

mcred_rc mc_oauth_scope_format(unsigned bits, struct mc_buf *out)
{
    size_t i;
    bool first = true;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < NSCOPES && !rc; i++) {
        if (!(bits & scope_table[i].bit))
            continue;
        if (!first)
            rc = mc_buf_appendc(out, ' ');
        if (!rc)
            rc = mc_buf_appends(out, scope_table[i].name);
        first = false;
    }
    return rc;
}

/* --- URIs ------------------------------------------------------------------------ */

/* The parts of an http(s) URI: where the host and port end, and whether it
 * is https. False when it is not one we accept (see mc_oauth_redirect_ok). */
static bool uri_split(const char *u, size_t *auth_end, bool *https, bool *loopback)
{
    size_t n = strnlen(u, REDIRECT_MAX + 1), i, start, hend, pstart;
    unsigned port;
    static const char bad[] = "\"<>\\^`{|}";

    if (n == 0 || n > REDIRECT_MAX)
        return false;
    for (i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f || strchr(bad, u[i]))
            return false;
    if (strchr(u, '#'))
        return false;
    if (strncmp(u, "https://", 8) == 0) {
        *https = true;
        start = 8;
    } else if (strncmp(u, "http://", 7) == 0) {
        *https = false;
        start = 7;
    } else {
        return false;
    }
    *auth_end = start + strcspn(u + start, "/?");
    if (*auth_end == start || memchr(u + start, '@', *auth_end - start))
        return false;
    if (u[start] == '[') {
        const char *close = memchr(u + start, ']', *auth_end - start);

        if (!close)
            return false;
        hend = (size_t)(close - u) + 1;
        for (i = start + 1; i + 1 < hend; i++)
            if (!(isxdigit((unsigned char)u[i]) || u[i] == ':' || u[i] == '.'))
                return false;
    } else {
        hend = start + strcspn(u + start, ":/?");
        if (hend > *auth_end)
            hend = *auth_end;
        if (hend == start)
            return false;
        for (i = start; i < hend; i++)
            if (!(isalnum((unsigned char)u[i]) || u[i] == '.' || u[i] == '-'))
                return false;
    }
    if (hend < *auth_end) {
        if (u[hend] != ':')
            return false;
        pstart = hend + 1;
        if (*auth_end - pstart < 1 || *auth_end - pstart > 5)
            return false;
        port = 0;
        for (i = pstart; i < *auth_end; i++) {
            if (!isdigit((unsigned char)u[i]))
                return false;
            port = port * 10 + (unsigned)(u[i] - '0');
        }
        if (port == 0 || port > 65535)
            return false;
    }
    *loopback = (hend - start == 9 && strncmp(u + start, "127.0.0.1", 9) == 0) ||
                (hend - start == 5 && strncmp(u + start, "[::1]", 5) == 0) ||
                (hend - start == 9 && strncasecmp(u + start, "localhost", 9) == 0);
    return true;
}

bool mc_oauth_redirect_ok(const char *uri)
{
    size_t end;
    bool https, loopback;

    if (!uri || !uri_split(uri, &end, &https, &loopback))
        return false;
    return https || loopback;
}

bool mc_oauth_origin(const char *uri, char *out, size_t cap)
{
    size_t end;
    bool https, loopback;

    if (!mc_oauth_redirect_ok(uri) || !uri_split(uri, &end, &https, &loopback) || end >= cap)
        return false;
    memcpy(out, uri, end);
    out[end] = '\0';
    return true;
}

/* Append s percent-encoded (all but ALPHA DIGIT - . _ ~). */
static mcred_rc url_encode(struct mc_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    mcred_rc rc = MCRED_OK;

    for (; *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            rc = mc_buf_appendc(out, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };

            rc = mc_buf_append(out, e, 3);
        }
    }
    return rc;
}

/* Append "name=value" to a redirect URI's query (the first after '?'). */
static mcred_rc add_param(struct mc_buf *loc, const char *name, const char *value)
{
    mcred_rc rc = mc_buf_appendc(loc, memchr(loc->ptr, '?', loc->len) ? '&' : '?');

    if (!rc)
        rc = mc_buf_appends(loc, name);
    if (!rc)
        rc = mc_buf_appendc(loc, '=');
    return rc ? rc : url_encode(loc, value);
}

mcred_rc mc_oauth_error_location(const char *redirect_uri, const char *error,
                                 const char *description, const char *state,
                                 struct mc_buf *location)
{
    mcred_rc rc = mc_buf_appends(location, redirect_uri);

    if (!rc)
        rc = add_param(location, "error", error);
    if (!rc && description)
        rc = add_param(location, "error_description", description);
    if (!rc && state)
        rc = add_param(location, "state", state);
    return rc;
}

/* --- secrets --------------------------------------------------------------------- */

/* A fresh secret: 32 random bytes in base64url. */
static mcred_rc secret_new(char out[MC_OAUTH_SECRET_SIZE], struct mc_err *err)
{
    uint8_t raw[32];
    struct mc_buf b;
    mcred_rc rc;

    mc_buf_init(&b, 64);
    randombytes_buf(raw, sizeof(raw));
    rc = mc_b64url_encode(&b, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    if (!rc && b.len != MC_OAUTH_SECRET_LEN)
        rc = MCRED_ERR_INTERNAL;
    if (!rc)
        memcpy(out, b.ptr, MC_OAUTH_SECRET_SIZE);
    if (b.ptr)
        sodium_memzero(b.ptr, b.len);
    mc_buf_release(&b);
    return rc ? mc_err_set(err, rc, "oauth: cannot make a secret") : MCRED_OK;
}

/* True when s has the shape of one of our secrets. */
static bool secret_shape(const char *s)
{
    size_t i;

    if (!s)
        return false;
    for (i = 0; i < MC_OAUTH_SECRET_LEN; i++) {
        char c = s[i];

        if (!(isalnum((unsigned char)c) || c == '-' || c == '_'))
            return false;
    }
    return s[i] == '\0';
}

/* Up to cap - 1 bytes of a request value for an error message: printable
 * ASCII kept, anything else shown as '?' (a message must stay valid UTF-8
 * and one line, whatever the client sent). */
static const char *shown(const char *s, char *buf, size_t cap)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < cap; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    buf[i] = '\0';
    return buf;
}

/* Two stored strings are equal (a NULL equals nothing). */
static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void secret_hash(const char *s, char out[65])
{
    mc_platform_token_hash(s, out);
}

/* A request error: *oerr = code, err = INVALID with the message. */
static mcred_rc fail(const char **oerr, const char *code, struct mc_err *err, const char *fmt,
                     ...) MC_PRINTF(4, 5);
static mcred_rc fail(const char **oerr, const char *code, struct mc_err *err, const char *fmt,
                     ...)
{
    char msg[MC_ERRMSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    *oerr = code;
    return mc_err_set(err, MCRED_ERR_INVALID, "%s", msg);
}

/* --- registration ------------------------------------------------------------------- */

/* A required (or, with required false, optional) string member of req,
 * copied into meta. */
static mcred_rc meta_str(const cJSON *req, cJSON *meta, const char *name, bool required,
                         bool url, const char **oerr, struct mc_err *err)
{
    const cJSON *v = mc_json_get(req, name);
    const char *s;

    if (!v) {
        if (!required)
            return MCRED_OK;
        return fail(oerr, "invalid_client_metadata", err, "%s is required (OB 3.0 §7.1.1)",
                    name);
    }
    s = cJSON_GetStringValue(v);
    if (!s || !s[0] || strlen(s) > META_MAX_TEXT)
        return fail(oerr, "invalid_client_metadata", err,
                    "%s must be a non-empty string of at most 1024 bytes", name);
    if (url && !mc_oauth_redirect_ok(s))
        return fail(oerr, "invalid_client_metadata", err,
                    "%s must be an https URL (or http on 127.0.0.1 or localhost)", name);
    if (!cJSON_AddStringToObject(meta, name, s))
        return mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
    return MCRED_OK;
}

/* An array of strings (1..META_MAX_LIST), each checked by ok (may be NULL),
 * copied into meta; absent: dflt (may be NULL: nothing). */
static mcred_rc meta_list(const cJSON *req, cJSON *meta, const char *name, bool (*ok)(const char *),
                          const char *dflt, const char *code, const char *what,
                          const char **oerr, struct mc_err *err)
{
    const cJSON *v = mc_json_get(req, name), *it;
    cJSON *arr;
    int i = 0;

    if (!v && !dflt)
        return MCRED_OK;
    arr = cJSON_AddArrayToObject(meta, name);
    if (!arr)
        return mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
    if (!v)
        return cJSON_AddItemToArray(arr, cJSON_CreateString(dflt))
                   ? MCRED_OK : mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 || cJSON_GetArraySize(v) > META_MAX_LIST)
        return fail(oerr, code, err, "%s must be an array of 1 to 10 strings", name);
    cJSON_ArrayForEach(it, v) {
        const char *s = cJSON_GetStringValue(it);
        char msg[64];

        if (!s || !s[0] || strlen(s) > REDIRECT_MAX || (ok && !ok(s))) {
            (void)snprintf(msg, sizeof(msg), "%s[%d]", name, i);
            *oerr = code;
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: %s", msg, what);
        }
        if (!cJSON_AddItemToArray(arr, cJSON_CreateString(s)))
            return mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
        i++;
    }
    return MCRED_OK;
}

static bool grant_type_ok(const char *s)
{
    return strcmp(s, "authorization_code") == 0 || strcmp(s, "refresh_token") == 0;
}

static bool response_type_ok(const char *s)
{
    return strcmp(s, "code") == 0;
}

static bool contact_ok(const char *s)
{
    return strlen(s) <= 256;
}

/* The registration's scope member: known scopes kept, at least one OB one. */
static mcred_rc meta_scope(const cJSON *req, cJSON *meta, const char **oerr, struct mc_err *err)
{
    const char *s = mc_json_str(req, "scope");
    struct mc_buf b;
    unsigned bits = 0;
    mcred_rc rc;

    if (!s)
        return fail(oerr, "invalid_client_metadata", err, "scope is required (a string)");
    rc = mc_oauth_scope_parse(s, &bits, NULL, err);
    if (rc)
        return fail(oerr, "invalid_client_metadata", err, "scope: %s", mc_err_msg(err));
    if (!(bits & MC_OAUTH_SCOPES_OB))
        return fail(oerr, "invalid_client_metadata", err,
                    "scope names none of the Open Badges API scopes (%s...)",
                    MC_OAUTH_SCOPE_PREFIX);
    mc_buf_init(&b, 4096);
    rc = mc_oauth_scope_format(bits, &b);
    if (!rc && !cJSON_AddStringToObject(meta, "scope", b.ptr))
        rc = MCRED_ERR_NOMEM;
    mc_buf_release(&b);
    return rc ? mc_err_set(err, rc, "oauth: out of memory") : MCRED_OK;
}

/* The metadata the client gets back and the store keeps. */
static mcred_rc build_meta(const cJSON *req, cJSON *meta, const char **oerr, struct mc_err *err)
{
    static const struct { const char *name; bool url; } strs[] = {
        { "client_name", false }, { "client_uri", true }, { "logo_uri", true },
        { "tos_uri", true }, { "policy_uri", true }, { "software_id", false },
        { "software_version", false },
    };
    const char *auth = mc_json_str(req, "token_endpoint_auth_method");
    const cJSON *gt;
    size_t i;
    mcred_rc rc = MCRED_OK;

    if (!cJSON_IsObject(req))
        return fail(oerr, "invalid_client_metadata", err, "the body must be a JSON object");
    for (i = 0; i < sizeof(strs) / sizeof(strs[0]) && !rc; i++)
        rc = meta_str(req, meta, strs[i].name, true, strs[i].url, oerr, err);
    if (!rc && !mc_json_get(req, "redirect_uris"))
        rc = fail(oerr, "invalid_redirect_uri", err, "redirect_uris is required");
    if (!rc)
        rc = meta_list(req, meta, "redirect_uris", mc_oauth_redirect_ok, NULL,
                       "invalid_redirect_uri",
                       "must be an https URL (or http on 127.0.0.1 or localhost) without "
                       "a fragment", oerr, err);
    if (!rc)
        rc = meta_scope(req, meta, oerr, err);
    if (!rc && mc_json_get(req, "token_endpoint_auth_method") &&
        (!auth || (strcmp(auth, "client_secret_basic") != 0 &&
                   strcmp(auth, "client_secret_post") != 0)))
        rc = fail(oerr, "invalid_client_metadata", err, "token_endpoint_auth_method must be "
                  "client_secret_basic (or client_secret_post)");
    if (!rc && !cJSON_AddStringToObject(meta, "token_endpoint_auth_method",
                                        auth ? auth : "client_secret_basic"))
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
    if (!rc)
        rc = meta_list(req, meta, "grant_types", grant_type_ok, "authorization_code",
                       "invalid_client_metadata",
                       "only authorization_code and refresh_token are supported", oerr, err);
    gt = mc_json_get(meta, "grant_types");
    if (!rc && !mc_json_has_str(gt, "authorization_code"))
        rc = fail(oerr, "invalid_client_metadata", err,
                  "grant_types must include authorization_code");
    if (!rc)
        rc = meta_list(req, meta, "response_types", response_type_ok, "code",
                       "invalid_client_metadata", "only code is supported", oerr, err);
    if (!rc)
        rc = meta_list(req, meta, "contacts", contact_ok, NULL, "invalid_client_metadata",
                       "must be a string of at most 256 bytes", oerr, err);
    return rc;
}

mcred_rc mc_oauth_register(struct mc_store *st, const cJSON *req, time_t now,
                           struct mc_buf *out, const char **oerr, struct mc_err *err)
{
    struct mc_oauth_client c = { 0 };
    char id[MC_OAUTH_SECRET_SIZE], secret[MC_OAUTH_SECRET_SIZE], hash[65];
    cJSON *meta = cJSON_CreateObject();
    struct mc_buf text;
    mcred_rc rc;

    *oerr = NULL;
    mc_buf_init(&text, MC_STORE_MAX_DOC);
    if (!meta) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
        goto out;
    }
    rc = build_meta(req, meta, oerr, err);
    if (!rc)
        rc = secret_new(id, err);
    if (!rc)
        rc = secret_new(secret, err);
    if (!rc)
        rc = mc_json_stringify(meta, 0, &text, err);
    if (rc)
        goto out;
    secret_hash(secret, hash);
    c.client_id = id;
    c.secret_hash = hash;
    c.meta = text.ptr;
    c.created = now;
    rc = mc_store_oauth_client_add(st, &c, err);
    if (rc)
        goto out;
    if (!cJSON_AddStringToObject(meta, "client_id", id) ||
        !cJSON_AddStringToObject(meta, "client_secret", secret) ||
        !cJSON_AddNumberToObject(meta, "client_id_issued_at", (double)now) ||
        !cJSON_AddNumberToObject(meta, "client_secret_expires_at", 0)) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "oauth: out of memory");
        goto out;
    }
    rc = mc_json_stringify(meta, 0, out, err);
out:
    sodium_memzero(secret, sizeof(secret));
    cJSON_Delete(meta);
    mc_buf_release(&text);
    return rc;
}

/* --- the authorization request ------------------------------------------------------- */

void mc_oauth_authz_release(struct mc_oauth_authz *a)
{
    if (!a)
        return;
    mc_oauth_client_release(&a->client);
    cJSON_Delete(a->meta);
    memset(a, 0, sizeof(*a));
}

/* The client and its parsed metadata. NOTFOUND for an unknown client. */
static mcred_rc client_load(struct mc_store *st, const char *client_id,
                            struct mc_oauth_client *c, cJSON **meta, struct mc_err *err)
{
    mcred_rc rc;

    *meta = NULL;
    rc = mc_store_oauth_client_get(st, client_id, c, err);
    if (rc)
        return rc;
    rc = mc_json_parse(c->meta, strlen(c->meta), MC_STORE_MAX_DOC, meta, err);
    if (rc == MCRED_ERR_INVALID)
        rc = mc_err_set(err, MCRED_ERR_STORAGE, "oauth: the stored metadata of client '%s' "
                        "is not JSON", client_id);
    return rc;
}

/* A PKCE S256 challenge: base64url of a SHA-256, 43 characters. */
static bool challenge_shape(const char *s)
{
    return secret_shape(s);
}

mcred_rc mc_oauth_authz_check(struct mc_store *st, const struct mc_oauth_authz_req *q,
                              struct mc_oauth_authz *out, bool *redirectable, const char **oerr,
                              struct mc_err *err)
{
    unsigned want = 0, registered = 0;
    char show[201];
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    *redirectable = false;
    *oerr = NULL;
    if (!q->client_id || !q->client_id[0])
        return fail(oerr, "invalid_request", err, "client_id is missing");
    rc = client_load(st, q->client_id, &out->client, &out->meta, err);
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT)
        return fail(oerr, "invalid_request", err, "client_id '%s' is not a registered client",
                    shown(q->client_id, show, 81));
    if (rc)
        return rc;
    if (!q->redirect_uri)
        return fail(oerr, "invalid_request", err, "redirect_uri is missing (OB 3.0 requires "
                    "it)");
    if (!mc_json_has_str(mc_json_get(out->meta, "redirect_uris"), q->redirect_uri))
        return fail(oerr, "invalid_request", err, "redirect_uri '%s' is not one this client "
                    "registered", shown(q->redirect_uri, show, sizeof(show)));
    *redirectable = true;
    out->redirect_uri = q->redirect_uri;
    out->state = q->state;
    if (!q->response_type)
        return fail(oerr, "invalid_request", err, "response_type is missing");
    if (strcmp(q->response_type, "code") != 0)
        return fail(oerr, "unsupported_response_type", err,
                    "response_type must be code, not '%s'", shown(q->response_type, show, 41));
    if (!q->state || !q->state[0] || strlen(q->state) > META_MAX_TEXT ||
        !mc_utf8_valid(q->state, strlen(q->state)))
        return fail(oerr, "invalid_request", err, "state is required (UTF-8, at most 1024 "
                    "bytes)");
    if (!q->code_challenge_method || strcmp(q->code_challenge_method, "S256") != 0)
        return fail(oerr, "invalid_request", err, "PKCE is required: code_challenge_method "
                    "must be S256");
    if (!challenge_shape(q->code_challenge))
        return fail(oerr, "invalid_request", err, "code_challenge must be the base64url "
                    "SHA-256 of the code_verifier (43 characters)");
    out->challenge = q->code_challenge;
    if (!q->scope)
        return fail(oerr, "invalid_request", err, "scope is missing");
    rc = mc_oauth_scope_parse(q->scope, &want, NULL, err);
    if (rc)
        return fail(oerr, "invalid_scope", err, "%s", mc_err_msg(err));
    rc = mc_oauth_scope_parse(mc_json_str(out->meta, "scope"), &registered, NULL, err);
    if (rc)
        return mc_err_set(err, MCRED_ERR_STORAGE, "oauth: client '%s' has no valid scope",
                          q->client_id);
    out->scopes = want & registered;
    if (!(out->scopes & MC_OAUTH_SCOPES_OB))
        return fail(oerr, "invalid_scope", err, "none of the requested scopes is one this "
                    "client registered");
    return MCRED_OK;
}

mcred_rc mc_oauth_consent_start(struct mc_store *st, const struct mc_oauth_authz *a,
                                int64_t org, int64_t user, time_t now,
                                char nonce[MC_OAUTH_SECRET_SIZE], struct mc_err *err)
{
    struct mc_oauth_grant g;
    char hash[65];
    mcred_rc rc;

    nonce[0] = '\0';
    memset(&g, 0, sizeof(g));
    rc = mc_store_oauth_purge(st, now - PURGE_AFTER, err);
    if (!rc)
        rc = secret_new(nonce, err);
    if (rc)
        return rc;
    secret_hash(nonce, hash);
    g.org_id = org;
    g.user_id = user;
    g.client_id = a->client.client_id;
    g.redirect_uri = (char *)(uintptr_t)a->redirect_uri;   /* read only */
    g.scopes = a->scopes;
    g.state = (char *)(uintptr_t)a->state;
    g.challenge = (char *)(uintptr_t)a->challenge;
    g.nonce_hash = hash;
    g.expires = now + MC_OAUTH_CONSENT_TTL;
    g.created = now;
    rc = mc_store_oauth_grant_add(st, &g, err);
    if (rc)
        sodium_memzero(nonce, MC_OAUTH_SECRET_SIZE);
    return rc;
}

mcred_rc mc_oauth_consent_finish(struct mc_store *st, int64_t org, int64_t user,
                                 const char *nonce, bool approve, time_t now,
                                 struct mc_buf *location, struct mc_err *err)
{
    struct mc_oauth_grant g;
    char code[MC_OAUTH_SECRET_SIZE] = "", nonce_hash[65], code_hash[65];
    struct mc_buf scope;
    mcred_rc rc;

    memset(&g, 0, sizeof(g));
    if (!secret_shape(nonce))
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "the consent form is not valid (no nonce)");
    secret_hash(nonce, nonce_hash);
    if (approve) {
        rc = secret_new(code, err);
        if (rc)
            return rc;
        secret_hash(code, code_hash);
    }
    rc = mc_store_oauth_grant_decide(st, org, user, nonce_hash, approve ? code_hash : NULL,
                                     now + MC_OAUTH_CODE_TTL, now, &g, err);
    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(err, rc, "this consent request is no longer valid (answered already, "
                        "expired, or another user's); start again from the application");
    if (rc)
        goto out;
    if (!approve) {
        rc = mc_oauth_error_location(g.redirect_uri, "access_denied",
                                     "the user declined the request", g.state, location);
        goto out_nomem;
    }
    mc_buf_init(&scope, 4096);
    rc = mc_oauth_scope_format(g.scopes, &scope);
    if (!rc)
        rc = mc_buf_appends(location, g.redirect_uri);
    if (!rc)
        rc = add_param(location, "code", code);
    if (!rc)
        rc = add_param(location, "scope", scope.ptr ? scope.ptr : "");
    if (!rc && g.state)
        rc = add_param(location, "state", g.state);
    mc_buf_release(&scope);
out_nomem:
    if (rc)
        rc = mc_err_set(err, rc, "oauth: out of memory");
out:
    sodium_memzero(code, sizeof(code));
    mc_oauth_grant_release(&g);
    return rc;
}

/* --- the token endpoint -------------------------------------------------------------- */

void mc_oauth_issued_clear(struct mc_oauth_issued *t)
{
    sodium_memzero(t, sizeof(*t));
}

/* Authenticate the client: *client and *meta (OUT) on success. */
static mcred_rc client_auth(struct mc_store *st, const struct mc_oauth_client_auth *ca,
                            struct mc_oauth_client *client, cJSON **meta, const char **oerr,
                            struct mc_err *err)
{
    char hash[65];
    mcred_rc rc;

    *meta = NULL;
    memset(client, 0, sizeof(*client));
    if (!ca || !ca->client_id || !ca->client_id[0] || !ca->client_secret)
        return fail(oerr, "invalid_client", err, "client authentication is missing: send "
                    "client_id and client_secret with HTTP Basic");
    rc = client_load(st, ca->client_id, client, meta, err);
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT ||
        (!rc && !secret_shape(ca->client_secret)))
        return fail(oerr, "invalid_client", err, "unknown client or wrong client secret");
    if (rc)
        return rc;
    secret_hash(ca->client_secret, hash);
    if (sodium_memcmp(hash, client->secret_hash, 64) != 0)
        return fail(oerr, "invalid_client", err, "unknown client or wrong client secret");
    return MCRED_OK;
}

/* Scopes asked for in a token request: a subset of granted (all when the
 * request names none). */
static mcred_rc want_scopes(const char *scope, unsigned granted, unsigned *out,
                            const char **oerr, struct mc_err *err)
{
    unsigned want = 0;

    *out = granted;
    if (!scope)
        return MCRED_OK;
    if (mc_oauth_scope_parse(scope, &want, NULL, err))
        return fail(oerr, "invalid_scope", err, "%s", mc_err_msg(err));
    if (want & ~granted)
        return fail(oerr, "invalid_scope", err, "scope asks for more than was granted");
    if (!(want & MC_OAUTH_SCOPES_OB))
        return fail(oerr, "invalid_scope", err, "scope names none of the API scopes");
    *out = want;
    return MCRED_OK;
}

/* Store a new access token (and refresh token when refresh_scopes is not
 * 0) under grant (org, grant_id). */
static mcred_rc issue(struct mc_store *st, int64_t org, int64_t grant_id, unsigned scopes,
                      unsigned refresh_scopes, time_t now, struct mc_oauth_issued *out,
                      struct mc_err *err)
{
    struct mc_oauth_token t;
    char hash[65];
    mcred_rc rc;

    memset(&t, 0, sizeof(t));
    rc = secret_new(out->access_token, err);
    if (rc)
        return rc;
    secret_hash(out->access_token, hash);
    t.hash = hash;
    t.org_id = org;
    t.grant_id = grant_id;
    t.scopes = scopes;
    t.created = now;
    t.expires = now + MC_OAUTH_ACCESS_TTL;
    rc = mc_store_oauth_token_add(st, &t, err);
    if (rc || !refresh_scopes)
        goto done;
    rc = secret_new(out->refresh_token, err);
    if (rc)
        return rc;
    secret_hash(out->refresh_token, hash);
    t.refresh = true;
    t.scopes = refresh_scopes;
    t.expires = now + MC_OAUTH_REFRESH_TTL;
    rc = mc_store_oauth_token_add(st, &t, err);
done:
    out->scopes = scopes;
    out->expires_in = MC_OAUTH_ACCESS_TTL;
    return rc;
}

/* A replay (a used code or a rotated refresh token): revoke the grant and
 * keep that, whatever the request gets. */
static mcred_rc replay(struct mc_store *st, int64_t org, int64_t grant_id, time_t now,
                       const char **oerr, struct mc_err *err, const char *what)
{
    mcred_rc rc = mc_store_oauth_grant_revoke(st, org, grant_id, now, err);

    if (!rc)
        rc = mc_store_commit(st, err);
    if (rc)
        return rc;
    return fail(oerr, "invalid_grant", err, "%s was used already; every token issued from "
                "this authorization is now revoked", what);
}

static bool verifier_ok(const char *v)
{
    size_t i, n = v ? strlen(v) : 0;

    if (n < 43 || n > 128)
        return false;
    for (i = 0; i < n; i++)
        if (!(isalnum((unsigned char)v[i]) || strchr("-._~", v[i])))
            return false;
    return true;
}

/* BASE64URL(SHA256(verifier)) == challenge, in constant time. */
static bool pkce_ok(const char *verifier, const char *challenge)
{
    uint8_t h[MC_SHA256_BYTES];
    struct mc_buf b;
    bool ok;

    mc_buf_init(&b, 64);
    mc_sha256(verifier, strlen(verifier), h);
    ok = mc_b64url_encode(&b, h, sizeof(h)) == MCRED_OK && b.len == MC_OAUTH_SECRET_LEN &&
         strlen(challenge) == MC_OAUTH_SECRET_LEN &&
         sodium_memcmp(b.ptr, challenge, MC_OAUTH_SECRET_LEN) == 0;
    mc_buf_release(&b);
    return ok;
}

static mcred_rc token_by_code(struct mc_store *st, const struct mc_oauth_client *client,
                              bool may_refresh, const struct mc_oauth_token_req *q, time_t now,
                              struct mc_oauth_issued *out, const char **oerr,
                              struct mc_err *err)
{
    struct mc_oauth_grant g;
    char hash[65];
    unsigned scopes = 0;
    mcred_rc rc;

    memset(&g, 0, sizeof(g));
    if (!q->code || !q->redirect_uri || !q->code_verifier)
        return fail(oerr, "invalid_request", err, "code, redirect_uri and code_verifier are "
                    "required");
    if (!verifier_ok(q->code_verifier))
        return fail(oerr, "invalid_request", err, "code_verifier must be 43 to 128 characters "
                    "of A-Z a-z 0-9 - . _ ~ (RFC 7636)");
    if (!secret_shape(q->code))
        return fail(oerr, "invalid_grant", err, "the authorization code is not valid");
    secret_hash(q->code, hash);
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_oauth_grant_by_code(st, hash, &g, err);
    if (rc == MCRED_ERR_NOTFOUND)
        rc = fail(oerr, "invalid_grant", err, "the authorization code is not valid");
    if (rc)
        goto out;
    if (!same(g.client_id, client->client_id)) {
        rc = fail(oerr, "invalid_grant", err, "the code was issued to another client");
    } else if (g.code_used) {
        rc = replay(st, g.org_id, g.id, now, oerr, err, "the authorization code");
    } else if (g.revoked) {
        rc = fail(oerr, "invalid_grant", err, "the authorization was revoked");
    } else if (g.expires <= now) {
        rc = fail(oerr, "invalid_grant", err, "the authorization code has expired");
    } else if (!same(g.redirect_uri, q->redirect_uri)) {
        rc = fail(oerr, "invalid_grant", err, "redirect_uri is not the one of the "
                  "authorization request");
    } else if (!pkce_ok(q->code_verifier, g.challenge)) {
        rc = fail(oerr, "invalid_grant", err, "code_verifier does not match the "
                  "code_challenge (PKCE S256)");
    } else {
        rc = want_scopes(q->scope, g.scopes, &scopes, oerr, err);
    }
    if (rc)
        goto out;
    rc = mc_store_oauth_grant_use_code(st, g.org_id, g.id, now, err);
    if (rc == MCRED_ERR_CONFLICT) {
        rc = replay(st, g.org_id, g.id, now, oerr, err, "the authorization code");
        goto out;
    }
    if (!rc)
        rc = issue(st, g.org_id, g.id, scopes, may_refresh ? g.scopes : 0, now, out, err);
    if (!rc)
        rc = mc_store_commit(st, err);
out:
    (void)mc_store_rollback(st);
    mc_oauth_grant_release(&g);
    return rc;
}

static mcred_rc token_by_refresh(struct mc_store *st, const struct mc_oauth_client *client,
                                 const struct mc_oauth_token_req *q, time_t now,
                                 struct mc_oauth_issued *out, const char **oerr,
                                 struct mc_err *err)
{
    struct mc_oauth_token t;
    char hash[65];
    unsigned scopes = 0;
    mcred_rc rc;

    memset(&t, 0, sizeof(t));
    if (!q->refresh_token)
        return fail(oerr, "invalid_request", err, "refresh_token is required");
    if (!secret_shape(q->refresh_token))
        return fail(oerr, "invalid_grant", err, "the refresh token is not valid");
    secret_hash(q->refresh_token, hash);
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_oauth_token_get(st, hash, &t, err);
    if (rc == MCRED_ERR_NOTFOUND || (!rc && !t.refresh))
        rc = fail(oerr, "invalid_grant", err, "the refresh token is not valid");
    if (rc)
        goto out;
    if (!same(t.client_id, client->client_id))
        rc = fail(oerr, "invalid_grant", err, "the refresh token was issued to another "
                  "client");
    else if (t.revoked || t.grant_revoked)
        rc = fail(oerr, "invalid_grant", err, "the refresh token was revoked");
    else if (t.used)
        rc = replay(st, t.org_id, t.grant_id, now, oerr, err, "the refresh token");
    else if (t.expires <= now)
        rc = fail(oerr, "invalid_grant", err, "the refresh token has expired");
    else
        rc = want_scopes(q->scope, t.scopes, &scopes, oerr, err);
    if (rc)
        goto out;
    rc = mc_store_oauth_token_use(st, hash, now, err);
    if (rc == MCRED_ERR_CONFLICT) {
        rc = replay(st, t.org_id, t.grant_id, now, oerr, err, "the refresh token");
        goto out;
    }
    if (!rc)
        rc = issue(st, t.org_id, t.grant_id, scopes, t.scopes, now, out, err);
    if (!rc)
        rc = mc_store_commit(st, err);
out:
    (void)mc_store_rollback(st);
    mc_oauth_token_release(&t);
    return rc;
}

mcred_rc mc_oauth_token(struct mc_store *st, const struct mc_oauth_client_auth *ca,
                        const struct mc_oauth_token_req *q, time_t now,
                        struct mc_oauth_issued *out, const char **oerr, struct mc_err *err)
{
    struct mc_oauth_client client;
    cJSON *meta = NULL;
    char show[41];
    bool may_refresh;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    *oerr = NULL;
    rc = client_auth(st, ca, &client, &meta, oerr, err);
    if (rc)
        goto out;
    may_refresh = mc_json_has_str(mc_json_get(meta, "grant_types"), "refresh_token");
    if (!q->grant_type) {
        rc = fail(oerr, "invalid_request", err, "grant_type is missing");
    } else if (strcmp(q->grant_type, "authorization_code") == 0) {
        rc = token_by_code(st, &client, may_refresh, q, now, out, oerr, err);
    } else if (strcmp(q->grant_type, "refresh_token") == 0) {
        if (!may_refresh)
            rc = fail(oerr, "unauthorized_client", err, "this client did not register the "
                      "refresh_token grant type");
        else
            rc = token_by_refresh(st, &client, q, now, out, oerr, err);
    } else {
        rc = fail(oerr, "unsupported_grant_type", err, "grant_type '%s' is not supported "
                  "(authorization_code, refresh_token)", shown(q->grant_type, show, 41));
    }
out:
    if (rc)
        mc_oauth_issued_clear(out);
    cJSON_Delete(meta);
    mc_oauth_client_release(&client);
    return rc;
}

mcred_rc mc_oauth_revoke(struct mc_store *st, const struct mc_oauth_client_auth *ca,
                         const char *token, const char *hint, time_t now, const char **oerr,
                         struct mc_err *err)
{
    struct mc_oauth_client client;
    struct mc_oauth_token t;
    cJSON *meta = NULL;
    char hash[65];
    mcred_rc rc;

    (void)hint;   /* both kinds are looked up by their hash alike */
    *oerr = NULL;
    memset(&t, 0, sizeof(t));
    rc = client_auth(st, ca, &client, &meta, oerr, err);
    if (rc)
        goto out;
    if (!token || !token[0]) {
        rc = fail(oerr, "invalid_request", err, "token is missing");
        goto out;
    }
    if (!secret_shape(token))
        goto out;                  /* not one of ours: nothing to revoke */
    secret_hash(token, hash);
    rc = mc_store_oauth_token_get(st, hash, &t, err);
    if (rc == MCRED_ERR_NOTFOUND || (!rc && !same(t.client_id, client.client_id))) {
        rc = MCRED_OK;             /* unknown, or not this client's: RFC 7009 §2.2 */
        goto out;
    }
    if (!rc)
        rc = mc_store_oauth_token_revoke(st, hash, now, err);
    if (!rc && t.refresh)
        rc = mc_store_oauth_grant_revoke(st, t.org_id, t.grant_id, now, err);
out:
    mc_oauth_token_release(&t);
    cJSON_Delete(meta);
    mc_oauth_client_release(&client);
    return rc;
}

/* --- the resource server -------------------------------------------------------------- */

mcred_rc mc_oauth_authenticate(struct mc_store *st, const char *token, time_t now,
                               struct mc_user *user, unsigned *scopes, struct mc_err *err)
{
    struct mc_oauth_token t;
    char hash[65];
    mcred_rc rc;

    memset(user, 0, sizeof(*user));
    *scopes = 0;
    if (!secret_shape(token))
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "unknown token");
    secret_hash(token, hash);
    rc = mc_store_oauth_token_get(st, hash, &t, err);
    if (rc)
        return rc;
    if (t.refresh || t.revoked || t.grant_revoked || t.expires <= now) {
        mc_oauth_token_release(&t);
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "the access token has expired or was "
                          "revoked");
    }
    *user = t.user;                      /* moved */
    memset(&t.user, 0, sizeof(t.user));
    *scopes = t.scopes & MC_OAUTH_SCOPES_OB;
    mc_oauth_token_release(&t);
    return MCRED_OK;
}
