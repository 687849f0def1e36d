/* h_ob.c - the 1EdTech Open Badges 3.0 API under /ims/ob/v3p0 (the service
 * discovery document, getCredentials, upsertCredential, getProfile,
 * putProfile), its route table with the OAuth 2.0 endpoints (oauth.c), and
 * srv_auth_oauth, which admits OAuth access tokens to this API only.
 *
 * The API routes are public in the table and check the caller themselves,
 * so that every error has the OB 3.0 Imsx_StatusInfo shape: an OAuth access
 * token with the operation's scope, or an API token (all scopes). A web
 * session cookie is not accepted here (a cross-site form could otherwise
 * post a credential with the user's cookie).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "jsonld/jcs.h"
#include "ob.h"
#include "server.h"
#include "service/oauth.h"
#include "service/obapi.h"
#include "util/time.h"

_Static_assert((unsigned)SRV_SCOPE_CREDENTIAL_READONLY == (unsigned)MC_OAUTH_CRED_READ &&
               (unsigned)SRV_SCOPE_CREDENTIAL_UPSERT == (unsigned)MC_OAUTH_CRED_UPSERT &&
               (unsigned)SRV_SCOPE_PROFILE_READONLY == (unsigned)MC_OAUTH_PROFILE_READ &&
               (unsigned)SRV_SCOPE_PROFILE_UPDATE == (unsigned)MC_OAUTH_PROFILE_UPDATE,
               "server scope bits are the OAuth service's");

/* --- errors: Imsx_StatusInfo ------------------------------------------------------- */

/* An OB 3.0 error: {imsx_codeMajor, imsx_severity, imsx_description,
 * imsx_codeMinor} with minor one of the spec's Imsx_CodeMinorFieldValue. */
static void imsx(struct srv_resp *w, int status, const char *minor, const char *fmt, ...)
    MC_PRINTF(4, 5);
static void imsx(struct srv_resp *w, int status, const char *minor, const char *fmt, ...)
{
    char msg[MC_ERRMSG_MAX + 64];
    cJSON *o = cJSON_CreateObject(), *cm, *fields, *f;
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    srv_utf8_fix(msg);
    cm = cJSON_AddObjectToObject(o, "imsx_codeMinor");
    fields = cJSON_AddArrayToObject(cm, "imsx_codeMinorField");
    f = cJSON_CreateObject();
    if (!f || !cJSON_AddItemToArray(fields, f)) {
        cJSON_Delete(f);
        f = NULL;
    }
    if (o && f && cJSON_AddStringToObject(o, "imsx_codeMajor", "failure") &&
        cJSON_AddStringToObject(o, "imsx_severity", "error") &&
        cJSON_AddStringToObject(o, "imsx_description", msg) &&
        cJSON_AddStringToObject(f, "imsx_codeMinorFieldName", "TargetEndSystem") &&
        cJSON_AddStringToObject(f, "imsx_codeMinorFieldValue", minor))
        srv_json(w, status, o);
    else
        srv_error(w, 500, "internal", "out of memory");
    cJSON_Delete(o);
}

static void imsx_rc(struct srv_resp *w, const struct mc_err *err)
{
    switch (err->rc) {
    case MCRED_ERR_INVALID:
        imsx(w, 400, "invalid_data", "%s", mc_err_msg(err));
        break;
    case MCRED_ERR_LIMIT:
        imsx(w, 413, "invalid_data", "%s", mc_err_msg(err));
        break;
    case MCRED_ERR_NOTFOUND:
        imsx(w, 404, "not_found", "%s", mc_err_msg(err));
        break;
    case MCRED_ERR_STORAGE:
        imsx(w, 503, "server_busy", "%s", mc_err_msg(err));
        break;
    default:
        imsx(w, 500, "internal_server_error", "%s", mc_err_msg(err));
        break;
    }
}

/* The caller may use an operation needing scope: an OAuth access token
 * granted it, or an API token. Otherwise 401 / 403 is written. */
static bool allowed(const struct srv_req *r, struct srv_resp *w, unsigned scope)
{
    char hdr[256];

    if (r->who.kind != SRV_AUTH_OAUTH && r->who.kind != SRV_AUTH_TOKEN) {
        imsx(w, 401, "unauthorizedrequest", "the Open Badges API needs an access token "
             "(Authorization: Bearer); get one at %s",
             mc_platform_public_url(r->srv->plat));
        (void)srv_set_header(w, "WWW-Authenticate", "Bearer realm=\"mcred\"");
        return false;
    }
    if (r->who.scopes & scope)
        return true;
    imsx(w, 403, "forbidden", "the access token was not granted the scope %s",
         mc_oauth_scope_name(scope));
    snprintf(hdr, sizeof(hdr), "Bearer realm=\"mcred\", error=\"insufficient_scope\", "
             "scope=\"%s\"", mc_oauth_scope_name(scope));
    (void)srv_set_header(w, "WWW-Authenticate", hdr);
    return false;
}

/* --- srv_auth_oauth ------------------------------------------------------------------- */

bool srv_auth_oauth(struct srv_req *r, const char *bearer)
{
    struct mc_user u;
    unsigned scopes = 0;
    struct mc_err err;

    /* an OAuth access token opens the Open Badges API and nothing else */
    if (strncmp(r->path, OB_API_BASE "/", sizeof(OB_API_BASE)) != 0 || !r->st)
        return false;
    mc_err_clear(&err);
    if (mc_oauth_authenticate(r->st, bearer, r->now, &u, &scopes, &err) != MCRED_OK)
        return false;
    r->who.kind = SRV_AUTH_OAUTH;
    r->who.org = u.org_id;
    r->who.user = u.id;
    r->who.role = u.role;
    mc_strlcpy(r->who.email, u.email ? u.email : "", sizeof(r->who.email));
    r->who.scopes = scopes;
    mc_user_release(&u);
    return true;
}

/* --- GET /ims/ob/v3p0/credentials ----------------------------------------------------- */

/* A query parameter that is a non-negative integer (positive when min is
 * 1) into *out; *set false when absent. False (the 400 written) when it is
 * malformed or repeated. */
static bool query_size(const struct srv_req *r, struct srv_resp *w, const char *name,
                       size_t min, size_t *out, bool *set)
{
    char buf[32], *end;
    int f = ob_form_find(r->query, strlen(r->query), name, buf, sizeof(buf));
    unsigned long long n;

    *set = false;
    if (f == 0)
        return true;
    if (f == 1 && buf[0] >= '0' && buf[0] <= '9') {
        n = strtoull(buf, &end, 10);
        if (*end == '\0' && n >= min && n <= (unsigned long long)INT64_MAX) {
            *out = (size_t)n;
            *set = true;
            return true;
        }
    }
    imsx(w, 400, "invalid_query_parameter", "%s must be %s integer (given once)", name,
         min ? "a positive" : "a non-negative");
    return false;
}

static void get_credentials(struct srv_req *r, struct srv_resp *w)
{
    struct mc_obapi_page pg = { 0, MC_OBAPI_LIMIT_DEFAULT, false, 0 };
    char since[64], base[1024], count[32];
    struct mc_buf links;
    struct mc_err err;
    int64_t total = 0;
    size_t returned = 0, limit = 0;
    bool set;

    if (!allowed(r, w, SRV_SCOPE_CREDENTIAL_READONLY) ||
        !query_size(r, w, "limit", 1, &limit, &set))
        return;
    if (set)
        pg.limit = limit < MC_OBAPI_LIMIT_MAX ? limit : MC_OBAPI_LIMIT_MAX;
    if (!query_size(r, w, "offset", 0, &pg.offset, &set))
        return;
    switch (ob_form_find(r->query, strlen(r->query), "since", since, sizeof(since))) {
    case 0:
        break;
    case 1:
        if (mc_time_parse(since, false, &pg.since) == MCRED_OK) {
            pg.has_since = true;
            break;
        }
        /* fall through */
    default:
        imsx(w, 400, "invalid_query_parameter", "since must be a date and time such as "
             "2024-01-31T12:00:00Z (given once)");
        return;
    }
    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (mc_obapi_list(r->st, r->who.org, r->who.user, &pg, &w->body, &total, &returned,
                      &err) != MCRED_OK) {
        imsx_rc(w, &err);
        return;
    }
    w->status = 200;
    w->content_type = "application/json";
    snprintf(count, sizeof(count), "%lld", (long long)total);
    snprintf(base, sizeof(base), "%s%s/credentials", mc_platform_public_url(r->srv->plat),
             OB_API_BASE);
    mc_buf_init(&links, 8192);
    if (!srv_set_header(w, "X-Total-Count", count) ||
        mc_obapi_links(base, &pg, total, returned, &links) != MCRED_OK ||
        !srv_set_header(w, "Link", links.ptr))
        imsx(w, 500, "internal_server_error", "out of memory");
    mc_buf_release(&links);
}

/* --- POST /ims/ob/v3p0/credentials -------------------------------------------------- */

/* The body's media type: 1 JSON, 2 a compact JWS (text/plain), 0 other. */
static int body_kind(const struct srv_req *r, const char **echo_type)
{
    const char *ct = r->header(r, "Content-Type");
    size_t n;

    if (!ct)
        return 0;
    n = strcspn(ct, "; ");
    *echo_type = "application/json";
    if (n == 10 && strncasecmp(ct, "text/plain", 10) == 0) {
        *echo_type = "text/plain";
        return 2;
    }
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    if (n == 22 && strncasecmp(ct, "application/vc+ld+json", 22) == 0) {
        *echo_type = "application/vc+ld+json";
        return 1;
    }
    if (n == 19 && strncasecmp(ct, "application/ld+json", 19) == 0) {
        *echo_type = "application/ld+json";
        return 1;
    }
    return 0;
}

static void upsert_credential(struct srv_req *r, struct srv_resp *w)
{
    struct mc_platform_status src;
    struct mc_verify_opts vo;
    const char *type = NULL;
    struct mc_err err;
    bool created = false;
    int kind;

    if (!allowed(r, w, SRV_SCOPE_CREDENTIAL_UPSERT))
        return;
    kind = body_kind(r, &type);
    if (!kind) {
        imsx(w, 415, "invalid_data", "the body must be a credential as JSON "
             "(application/json or application/vc+ld+json) or a compact JWS (text/plain)");
        return;
    }
    mc_platform_verify_opts(r->srv->plat, r->st, &src, &vo);
    vo.now = r->now;
    mc_err_clear(&err);
    if (mc_obapi_upsert(r->st, r->who.org, r->who.user, r->body, r->body_len, kind == 2, &vo,
                        r->now, &created, &err) != MCRED_OK) {
        imsx_rc(w, &err);
        return;
    }
    /* the response body is the credential of the request */
    mc_buf_reset(&w->body);
    w->status = created ? 201 : 200;
    w->content_type = type;
    if (mc_buf_append(&w->body, r->body, r->body_len) != MCRED_OK)
        imsx(w, 500, "internal_server_error", "out of memory");
}

/* --- GET and PUT /ims/ob/v3p0/profile ---------------------------------------------- */

static void write_profile(struct srv_req *r, struct srv_resp *w)
{
    struct mc_err err;

    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (mc_obapi_profile_get(r->st, r->who.org, r->who.user, r->who.email,
                             mc_platform_public_url(r->srv->plat), &w->body, &err)) {
        imsx_rc(w, &err);
        return;
    }
    w->status = 200;
    w->content_type = "application/json";
}

static void get_profile(struct srv_req *r, struct srv_resp *w)
{
    if (allowed(r, w, SRV_SCOPE_PROFILE_READONLY))
        write_profile(r, w);
}

static void put_profile(struct srv_req *r, struct srv_resp *w)
{
    const char *type = NULL;
    struct mc_err err;

    if (!allowed(r, w, SRV_SCOPE_PROFILE_UPDATE))
        return;
    if (body_kind(r, &type) != 1) {
        imsx(w, 415, "invalid_data", "the body must be a Profile as JSON (application/json)");
        return;
    }
    mc_err_clear(&err);
    if (mc_obapi_profile_put(r->st, r->who.org, r->who.user, r->body, r->body_len, r->now,
                             &err) != MCRED_OK) {
        imsx_rc(w, &err);
        return;
    }
    write_profile(r, w);
}

/* --- GET /ims/ob/v3p0/discovery ---------------------------------------------------------- */

/* One operation of the OpenAPI document. */
static cJSON *operation(const char *id, const char *summary, unsigned scope, bool paged)
{
    cJSON *op = cJSON_CreateObject(), *sec, *req, *scopes, *resp, *ok, *dflt, *params;
    char code[4] = "200";

    if (!op || !cJSON_AddStringToObject(op, "operationId", id) ||
        !cJSON_AddStringToObject(op, "summary", summary))
        goto fail;
    if (paged) {
        static const char *const names[] = { "limit", "offset", "since" };
        static const char *const types[] = { "integer", "integer", "string" };
        size_t i;

        params = cJSON_AddArrayToObject(op, "parameters");
        for (i = 0; params && i < 3; i++) {
            cJSON *p = cJSON_CreateObject(), *s;

            if (!p || !cJSON_AddItemToArray(params, p) ||
                !cJSON_AddStringToObject(p, "name", names[i]) ||
                !cJSON_AddStringToObject(p, "in", "query") ||
                !cJSON_AddFalseToObject(p, "required"))
                goto fail;
            s = cJSON_AddObjectToObject(p, "schema");
            if (!s || !cJSON_AddStringToObject(s, "type", types[i]) ||
                (i == 2 && !cJSON_AddStringToObject(s, "format", "date-time")) ||
                (i < 2 && !cJSON_AddNumberToObject(s, "minimum", i == 0 ? 1 : 0)))
                goto fail;
        }
    }
    resp = cJSON_AddObjectToObject(op, "responses");
    ok = cJSON_AddObjectToObject(resp, code);
    dflt = cJSON_AddObjectToObject(resp, "default");
    if (!ok || !cJSON_AddStringToObject(ok, "description", "OK") || !dflt ||
        !cJSON_AddStringToObject(dflt, "description", "An Imsx_StatusInfo error"))
        goto fail;
    if (scope) {
        sec = cJSON_AddArrayToObject(op, "security");
        req = cJSON_CreateObject();
        if (!sec || !req || !cJSON_AddItemToArray(sec, req)) {
            cJSON_Delete(req);
            goto fail;
        }
        scopes = cJSON_AddArrayToObject(req, "OAuth2ACG");
        if (!scopes ||
            !cJSON_AddItemToArray(scopes, cJSON_CreateString(mc_oauth_scope_name(scope))))
            goto fail;
    }
    return op;
fail:
    cJSON_Delete(op);
    return NULL;
}

static bool add_op(cJSON *paths, const char *path, const char *method, cJSON *op)
{
    cJSON *p = mc_json_get(paths, path);

    if (!op)
        return false;
    if (!p)
        p = cJSON_AddObjectToObject(paths, path);
    if (!p || !cJSON_AddItemToObject(p, method, op)) {
        cJSON_Delete(op);
        return false;
    }
    return true;
}

static bool add_url(cJSON *o, const char *name, const char *base, const char *path)
{
    char url[1024];

    snprintf(url, sizeof(url), "%s%s", base, path);
    return cJSON_AddStringToObject(o, name, url) != NULL;
}

/* components.securitySchemes.OAuth2ACG with our endpoints and scopes. */
static bool security_scheme(cJSON *doc, const char *base)
{
    cJSON *comp = cJSON_AddObjectToObject(doc, "components");
    cJSON *schemes = cJSON_AddObjectToObject(comp, "securitySchemes");
    cJSON *acg = cJSON_AddObjectToObject(schemes, "OAuth2ACG");
    cJSON *flows = cJSON_AddObjectToObject(acg, "flows");
    cJSON *code = cJSON_AddObjectToObject(flows, "authorizationCode");
    cJSON *scopes = cJSON_AddObjectToObject(code, "scopes");
    unsigned bit;

    if (!scopes || !cJSON_AddStringToObject(acg, "type", "oauth2") ||
        !cJSON_AddStringToObject(acg, "description",
                                 "OAuth 2.0 Authorization Code Grant authorization") ||
        !cJSON_AddStringToObject(acg, "x-imssf-name", "microcred") ||
        !add_url(acg, "x-imssf-privacyPolicyUrl", base, "/privacy") ||
        !add_url(acg, "x-imssf-registrationUrl", base, "/oauth/register") ||
        !add_url(acg, "x-imssf-termsOfServiceUrl", base, "/terms") ||
        !add_url(code, "authorizationUrl", base, "/oauth/authorize") ||
        !add_url(code, "tokenUrl", base, "/oauth/token") ||
        !add_url(code, "refreshUrl", base, "/oauth/token") ||
        !add_url(acg, "x-mcred-revocationUrl", base, "/oauth/revoke"))
        return false;
    for (bit = 1; bit <= MC_OAUTH_PROFILE_UPDATE; bit <<= 1)
        if (!cJSON_AddStringToObject(scopes, mc_oauth_scope_name(bit), mc_oauth_scope_text(bit)))
            return false;
    return true;
}

static void discovery(struct srv_req *r, struct srv_resp *w)
{
    const char *base = mc_platform_public_url(r->srv->plat);
    cJSON *doc = cJSON_CreateObject(), *info, *servers, *srv, *paths;
    bool ok;

    info = cJSON_AddObjectToObject(doc, "info");
    servers = cJSON_AddArrayToObject(doc, "servers");
    srv = cJSON_CreateObject();
    if (srv && !cJSON_AddItemToArray(servers, srv)) {
        cJSON_Delete(srv);
        srv = NULL;
    }
    ok = doc && info && srv && cJSON_AddStringToObject(doc, "openapi", "3.0.1") &&
         cJSON_AddStringToObject(info, "title", "microcred Open Badges API") &&
         cJSON_AddStringToObject(info, "description", "The 1EdTech Open Badges 3.0 API of "
                                 "this microcred server: each user's credentials and profile.") &&
         cJSON_AddStringToObject(info, "version", "3.0") &&
         add_url(info, "termsOfService", base, "/terms") &&
         add_url(info, "x-imssf-privacyPolicyUrl", base, "/privacy") &&
         add_url(srv, "url", base, OB_API_BASE);
    paths = ok ? cJSON_AddObjectToObject(doc, "paths") : NULL;
    ok = ok && paths &&
         add_op(paths, "/credentials", "get",
                operation("getCredentials", "The user's credentials, a page at a time",
                          MC_OAUTH_CRED_READ, true)) &&
         add_op(paths, "/credentials", "post",
                operation("upsertCredential", "Add a credential or replace the same one",
                          MC_OAUTH_CRED_UPSERT, false)) &&
         add_op(paths, "/profile", "get",
                operation("getProfile", "The user's profile", MC_OAUTH_PROFILE_READ, false)) &&
         add_op(paths, "/profile", "put",
                operation("putProfile", "Replace the user's profile", MC_OAUTH_PROFILE_UPDATE,
                          false)) &&
         add_op(paths, "/discovery", "get",
                operation("getServiceDescription", "This document", 0, false)) &&
         security_scheme(doc, base);
    if (ok) {
        srv_json(w, 200, doc);
        (void)srv_set_header(w, "Cache-Control", "public, max-age=300");
    } else {
        imsx(w, 500, "internal_server_error", "out of memory");
    }
    cJSON_Delete(doc);
}

const struct srv_route srv_routes_ob[] = {
    /* the Open Badges 3.0 API: public here, each handler checks token and scope */
    { "GET", OB_API_BASE "/discovery", discovery, SRV_PUBLIC },
    { "GET", OB_API_BASE "/credentials", get_credentials, SRV_PUBLIC },
    { "POST", OB_API_BASE "/credentials", upsert_credential, SRV_PUBLIC },
    { "GET", OB_API_BASE "/profile", get_profile, SRV_PUBLIC },
    { "PUT", OB_API_BASE "/profile", put_profile, SRV_PUBLIC },
    /* OAuth 2.0 (oauth.c) */
    { "POST", "/oauth/register", ob_oauth_register, SRV_PUBLIC },
    { "GET", "/oauth/authorize", ob_oauth_authorize_get, SRV_PUBLIC },
    { "POST", "/oauth/authorize", ob_oauth_authorize_post, SRV_PUBLIC },
    { "POST", "/oauth/token", ob_oauth_token, SRV_PUBLIC },
    { "POST", "/oauth/revoke", ob_oauth_revoke, SRV_PUBLIC },
    { "GET", "/.well-known/oauth-authorization-server", ob_oauth_metadata, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};
