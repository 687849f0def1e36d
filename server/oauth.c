/* oauth.c - the OAuth 2.0 endpoints of the Open Badges 3.0 API: dynamic
 * client registration, the authorization endpoint with its consent page,
 * the token and revocation endpoints, and the RFC 8414 metadata. Each
 * handler parses the request, calls lib/service/oauth.h and writes what it
 * returns; errors follow RFC 6749 §5.2 ({"error", "error_description"},
 * plus our "message").
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "jsonld/jcs.h"
#include "ob.h"
#include "pages.h"
#include "server.h"
#include "service/oauth.h"
#include "util/codec.h"

#define PARAM_MAX 4097       /* a decoded form or query value (scope is the longest) */

/* --- forms and queries ------------------------------------------------------------ */

int ob_form_find(const char *s, size_t n, const char *name, char *buf, size_t cap)
{
    const char *p = s, *end = s + n;
    size_t nl = strlen(name);
    int found = 0;

    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        size_t len = (size_t)((amp ? amp : end) - p);
        const char *eq = memchr(p, '=', len);
        size_t kl = eq ? (size_t)(eq - p) : len;

        if (kl == nl && memcmp(p, name, nl) == 0) {
            const char *v = eq ? eq + 1 : p + len;

            if (found || !srv_url_decode(v, (size_t)(p + len - v), true, buf, cap))
                return -1;
            found = 1;
        }
        p += len + 1;
    }
    return found;
}

struct params {
    const char *src;         /* the query or the form body */
    size_t len;
    const char *bad;         /* the first parameter that was repeated or malformed */
};

/* The value of name (copied into buf), NULL when absent or bad (p->bad). */
static const char *param(struct params *p, const char *name, char *buf, size_t cap)
{
    int f = ob_form_find(p->src, p->len, name, buf, cap);

    if (f < 0 && !p->bad)
        p->bad = name;
    return f == 1 ? buf : NULL;
}

static bool is_form(const struct srv_req *r)
{
    const char *ct = r->header(r, "Content-Type");

    return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
           (ct[33] == '\0' || ct[33] == ';' || ct[33] == ' ');
}

/* --- responses ---------------------------------------------------------------------- */

/* An RFC 6749 error. error_description keeps to the characters §5.2 allows. */
static void oauth_error(struct srv_resp *w, int status, const char *code, const char *fmt, ...)
    MC_PRINTF(4, 5);
static void oauth_error(struct srv_resp *w, int status, const char *code, const char *fmt, ...)
{
    char msg[MC_ERRMSG_MAX + 64], desc[sizeof(msg)];
    cJSON *o = cJSON_CreateObject();
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    srv_utf8_fix(msg);
    for (i = 0; msg[i]; i++) {
        unsigned char c = (unsigned char)msg[i];

        desc[i] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '\'' : (char)c;
    }
    desc[i] = '\0';
    if (o && cJSON_AddStringToObject(o, "error", code) &&
        cJSON_AddStringToObject(o, "error_description", desc) &&
        cJSON_AddStringToObject(o, "message", msg))
        srv_json(w, status, o);
    else
        srv_error(w, 500, "server_error", "out of memory");
    cJSON_Delete(o);
    (void)srv_set_header(w, "Pragma", "no-cache");
    if (strcmp(code, "invalid_client") == 0)
        (void)srv_set_header(w, "WWW-Authenticate", "Basic realm=\"mcred\"");
}

/* The answer to a failed service call: the client's error, or ours. */
static void oauth_fail(struct srv_resp *w, const char *oerr, const struct mc_err *err)
{
    if (oerr)
        oauth_error(w, strcmp(oerr, "invalid_client") == 0 ? 401 : 400, oerr, "%s",
                    mc_err_msg(err));
    else
        oauth_error(w, err->rc == MCRED_ERR_STORAGE ? 503 : 500, "server_error", "%s",
                    mc_err_msg(err));
}

static void redirect(struct srv_resp *w, int status, const char *location)
{
    mc_buf_reset(&w->body);
    w->status = status;
    w->content_type = NULL;
    if (!srv_set_header(w, "Location", location))
        srv_error(w, 500, "server_error", "out of memory");
}

static const char *public_url(const struct srv_req *r)
{
    return mc_platform_public_url(r->srv->plat);
}

/* --- POST /oauth/register ------------------------------------------------------------- */

void ob_oauth_register(struct srv_req *r, struct srv_resp *w)
{
    const char *oerr = NULL;
    struct mc_err err;
    cJSON *req = srv_body_json(r, w);

    if (!req)
        return;
    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (mc_oauth_register(r->st, req, r->now, &w->body, &oerr, &err) != MCRED_OK) {
        oauth_fail(w, oerr, &err);
    } else {
        w->status = 201;
        w->content_type = "application/json";
    }
    cJSON_Delete(req);
}

/* --- GET /oauth/authorize -------------------------------------------------------------- */

/* The consent page's Content-Security-Policy: the router's, with the
 * client's redirect origin allowed as a form target (a form's redirect is
 * checked against form-action by browsers). */
static void consent_csp(struct srv_resp *w, const char *redirect_uri)
{
    char origin[512], csp[1024];

    if (!mc_oauth_origin(redirect_uri, origin, sizeof(origin)))
        return;
    snprintf(csp, sizeof(csp), "default-src 'none'; script-src 'self'; style-src 'self'; "
             "img-src 'self' data:; connect-src 'self'; form-action 'self' %s; "
             "frame-ancestors 'none'; base-uri 'none'", origin);
    (void)srv_set_header(w, "Content-Security-Policy", csp);
}

static mcred_rc html_field(struct mc_buf *b, const char *label, const char *value, bool link)
{
    mcred_rc rc;

    if (!value)
        return MCRED_OK;
    rc = mc_buf_printf(b, "<dt>%s</dt><dd>", label);
    if (!rc && link)
        rc = mc_buf_appends(b, "<a rel=\"noopener noreferrer\" href=\"");
    if (!rc && link)
        rc = srv_html_escape(b, value);
    if (!rc && link)
        rc = mc_buf_appends(b, "\">");
    if (!rc)
        rc = srv_html_escape(b, value);
    if (!rc && link)
        rc = mc_buf_appends(b, "</a>");
    return rc ? rc : mc_buf_appends(b, "</dd>");
}

/* The consent page: who asks for what, and a form that answers with the
 * one-time nonce (and, for a web session, its CSRF token). */
static mcred_rc consent_html(struct mc_buf *b, const struct srv_req *r,
                             const struct mc_oauth_authz *a, const char *nonce,
                             const char *csrf)
{
    const char *name = mc_json_str(a->meta, "client_name");
    unsigned bit;
    mcred_rc rc = mc_buf_appends(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                                    "<meta charset=\"utf-8\"><title>Allow access?</title>"
                                    "<meta name=\"viewport\" content=\"width=device-width\">"
                                    "<link rel=\"stylesheet\" href=\"/static/site.css\">"
                                    "</head><body><main class=\"consent\"><h1>");

    if (!rc)
        rc = srv_html_escape(b, name);
    if (!rc)
        rc = mc_buf_appends(b, " asks to use your microcred account</h1><p>Signed in as ");
    if (!rc)
        rc = srv_html_escape(b, r->who.email);
    if (!rc)
        rc = mc_buf_appends(b, ".</p><p>If you allow it, it may:</p><ul>");
    for (bit = 1; bit <= MC_OAUTH_OFFLINE && !rc; bit <<= 1) {
        if (!(a->scopes & bit))
            continue;
        rc = mc_buf_appends(b, "<li>");
        if (!rc)
            rc = srv_html_escape(b, mc_oauth_scope_text(bit));
        if (!rc)
            rc = mc_buf_appends(b, "</li>");
    }
    if (!rc)
        rc = mc_buf_appends(b, "</ul><dl>");
    if (!rc)
        rc = html_field(b, "Application", mc_json_str(a->meta, "client_uri"), true);
    if (!rc)
        rc = html_field(b, "Terms of service", mc_json_str(a->meta, "tos_uri"), true);
    if (!rc)
        rc = html_field(b, "Privacy policy", mc_json_str(a->meta, "policy_uri"), true);
    if (!rc)
        rc = html_field(b, "You will be sent back to", a->redirect_uri, false);
    if (!rc)
        rc = mc_buf_printf(b, "</dl><form method=\"post\" action=\"/oauth/authorize\">"
                              "<input type=\"hidden\" name=\"nonce\" value=\"%s\">", nonce);
    if (!rc && csrf)
        rc = mc_buf_appends(b, "<input type=\"hidden\" name=\"csrf_token\" value=\"");
    if (!rc && csrf)
        rc = srv_html_escape(b, csrf);
    if (!rc && csrf)
        rc = mc_buf_appends(b, "\">");
    if (!rc)
        rc = mc_buf_appends(b, "<button type=\"submit\" name=\"decision\" value=\"approve\">"
                               "Allow</button> <button type=\"submit\" name=\"decision\" "
                               "value=\"deny\">Deny</button></form></main></body></html>\n");
    return rc;
}

static mcred_rc consent_json(struct mc_buf *b, const struct mc_oauth_authz *a,
                             const char *nonce)
{
    static const char *const keys[] = { "client_name", "client_uri", "logo_uri", "tos_uri",
                                        "policy_uri" };
    cJSON *o = cJSON_CreateObject(), *c = cJSON_AddObjectToObject(o, "client"), *sc;
    struct mc_buf scope;
    unsigned bit;
    size_t i;
    mcred_rc rc = MCRED_ERR_NOMEM;

    mc_buf_init(&scope, 4096);
    sc = cJSON_AddArrayToObject(o, "scopes");
    if (!c || !sc || !cJSON_AddStringToObject(c, "client_id", a->client.client_id))
        goto out;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (mc_json_str(a->meta, keys[i]) &&
            !cJSON_AddStringToObject(c, keys[i], mc_json_str(a->meta, keys[i])))
            goto out;
    for (bit = 1; bit <= MC_OAUTH_OFFLINE; bit <<= 1)
        if ((a->scopes & bit) &&
            !cJSON_AddItemToArray(sc, cJSON_CreateString(mc_oauth_scope_name(bit))))
            goto out;
    if (mc_oauth_scope_format(a->scopes, &scope) ||
        !cJSON_AddStringToObject(o, "scope", scope.ptr ? scope.ptr : "") ||
        !cJSON_AddStringToObject(o, "redirect_uri", a->redirect_uri) ||
        !cJSON_AddStringToObject(o, "nonce", nonce) ||
        !cJSON_AddStringToObject(o, "action", "/oauth/authorize"))
        goto out;
    rc = mc_json_stringify(o, 0, b, NULL);
out:
    mc_buf_release(&scope);
    cJSON_Delete(o);
    return rc;
}

/* Not signed in: people go to the login page and come back here. */
static void need_login(struct srv_req *r, struct srv_resp *w)
{
    struct mc_buf loc;
    bool ok;

    mc_buf_init(&loc, 16384);
    ok = mc_buf_appends(&loc, "/login?next=") == MCRED_OK &&
         page_url_encode(&loc, r->path) == MCRED_OK &&
         (!r->query[0] || (page_url_encode(&loc, "?") == MCRED_OK &&
                           page_url_encode(&loc, r->query) == MCRED_OK));
    if (!ok) {
        srv_error(w, 500, "server_error", "out of memory");
    } else if (srv_wants_html(r)) {
        redirect(w, 303, loc.ptr);
    } else {
        oauth_error(w, 401, "login_required", "sign in to answer this authorization request: "
                    "%s", loc.ptr);
        (void)srv_set_header(w, "WWW-Authenticate", "Bearer realm=\"mcred\"");
    }
    mc_buf_release(&loc);
}

/* An authorization request that must not go back to the client: tell the
 * user (RFC 6749 §4.1.2.1). */
static void authz_error_here(struct srv_req *r, struct srv_resp *w, const char *code,
                             const struct mc_err *err)
{
    struct mc_buf *b = &w->body;

    if (!srv_wants_html(r)) {
        oauth_error(w, 400, code, "%s", mc_err_msg(err));
        return;
    }
    mc_buf_reset(b);
    w->status = 400;
    w->content_type = "text/html; charset=utf-8";
    if (mc_buf_appends(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<title>Authorization request refused</title>"
                          "<link rel=\"stylesheet\" href=\"/static/site.css\"></head><body>"
                          "<main><h1>This authorization request cannot be answered</h1><p>") ||
        srv_html_escape(b, mc_err_msg(err)) ||
        mc_buf_appends(b, "</p><p>Go back to the application and start again.</p></main>"
                          "</body></html>\n"))
        srv_error(w, 500, "server_error", "out of memory");
}

void ob_oauth_authorize_get(struct srv_req *r, struct srv_resp *w)
{
    char buf[7][PARAM_MAX], nonce[MC_OAUTH_SECRET_SIZE];
    struct params p = { r->query, strlen(r->query), NULL };
    struct mc_oauth_authz_req q;
    struct mc_oauth_authz a;
    struct mc_session s;
    struct mc_buf loc;
    const char *oerr = NULL;
    bool redirectable = false;
    struct mc_err err;
    mcred_rc rc;

    q.response_type = param(&p, "response_type", buf[0], PARAM_MAX);
    q.client_id = param(&p, "client_id", buf[1], PARAM_MAX);
    q.redirect_uri = param(&p, "redirect_uri", buf[2], PARAM_MAX);
    q.scope = param(&p, "scope", buf[3], PARAM_MAX);
    q.state = param(&p, "state", buf[4], PARAM_MAX);
    q.code_challenge = param(&p, "code_challenge", buf[5], PARAM_MAX);
    q.code_challenge_method = param(&p, "code_challenge_method", buf[6], PARAM_MAX);
    mc_err_clear(&err);
    rc = mc_oauth_authz_check(r->st, &q, &a, &redirectable, &oerr, &err);
    if (!rc && p.bad) {
        rc = mc_err_set(&err, MCRED_ERR_INVALID, "%s is repeated or badly encoded", p.bad);
        oerr = "invalid_request";
    }
    if (rc && (!oerr || !redirectable)) {
        if (oerr)
            authz_error_here(r, w, oerr, &err);
        else
            oauth_fail(w, NULL, &err);
        goto out;
    }
    mc_buf_init(&loc, 16384);
    if (rc) {
        if (mc_oauth_error_location(q.redirect_uri, oerr, mc_err_msg(&err), q.state, &loc))
            srv_error(w, 500, "server_error", "out of memory");
        else
            redirect(w, 303, loc.ptr);
        mc_buf_release(&loc);
        goto out;
    }
    mc_buf_release(&loc);
    if (r->who.kind != SRV_AUTH_TOKEN && r->who.kind != SRV_AUTH_SESSION) {
        need_login(r, w);
        goto out;
    }
    rc = mc_oauth_consent_start(r->st, &a, r->who.org, r->who.user, r->now, nonce, &err);
    if (rc) {
        oauth_fail(w, NULL, &err);
        goto out;
    }
    mc_buf_reset(&w->body);
    w->status = 200;
    if (srv_wants_html(r)) {
        memset(&s, 0, sizeof(s));
        if (r->who.kind == SRV_AUTH_SESSION && page_session(r, &s, NULL) != MCRED_OK)
            memset(&s, 0, sizeof(s));
        w->content_type = "text/html; charset=utf-8";
        rc = consent_html(&w->body, r, &a, nonce, s.csrf);
        mc_session_release(&s);
        consent_csp(w, a.redirect_uri);
        (void)srv_set_header(w, "X-Frame-Options", "DENY");
    } else {
        w->content_type = "application/json";
        rc = consent_json(&w->body, &a, nonce);
    }
    if (rc)
        srv_error(w, 500, "server_error", "out of memory");
out:
    mc_oauth_authz_release(&a);
}

/* --- POST /oauth/authorize (the consent form) --------------------------------------- */

void ob_oauth_authorize_post(struct srv_req *r, struct srv_resp *w)
{
    char nonce[64], decision[16];
    struct params p = { r->body ? r->body : "", r->body_len, NULL };
    struct mc_buf loc;
    struct mc_err err;
    mcred_rc rc;

    if (r->who.kind != SRV_AUTH_TOKEN && r->who.kind != SRV_AUTH_SESSION) {
        oauth_error(w, 401, "login_required", "sign in (and send the consent form from the "
                    "page that showed it) to answer an authorization request");
        return;
    }
    if (!is_form(r)) {
        oauth_error(w, 415, "invalid_request", "the consent must be an "
                    "application/x-www-form-urlencoded form");
        return;
    }
    if (!param(&p, "nonce", nonce, sizeof(nonce)) ||
        !param(&p, "decision", decision, sizeof(decision)) || p.bad ||
        (strcmp(decision, "approve") != 0 && strcmp(decision, "deny") != 0)) {
        oauth_error(w, 400, "invalid_request", "the consent form needs nonce and decision "
                    "(approve or deny), once each");
        return;
    }
    mc_err_clear(&err);
    mc_buf_init(&loc, 16384);
    rc = mc_oauth_consent_finish(r->st, r->who.org, r->who.user, nonce,
                                 strcmp(decision, "approve") == 0, r->now, &loc, &err);
    if (rc == MCRED_ERR_NOTFOUND)
        authz_error_here(r, w, "invalid_request", &err);
    else if (rc)
        oauth_fail(w, NULL, &err);
    else
        redirect(w, 303, loc.ptr);
    mc_buf_release(&loc);
}

/* --- POST /oauth/token and /oauth/revoke --------------------------------------------- */

struct client_creds {
    char basic[1024];        /* "id:secret" from the Basic header, decoded */
    char id[PARAM_MAX], secret[PARAM_MAX];
    struct mc_oauth_client_auth ca;
};

/* The client's credentials: HTTP Basic (client_secret_basic, RFC 6749
 * §2.3.1: each half form-encoded), else client_id and client_secret in the
 * form (client_secret_post). Both at once is an invalid_request. */
static bool client_creds(const struct srv_req *r, struct params *p, struct client_creds *c,
                         struct srv_resp *w)
{
    const char *h = r->header(r, "Authorization");
    const char *fid = param(p, "client_id", c->id, sizeof(c->id));
    const char *fsecret = param(p, "client_secret", c->secret, sizeof(c->secret));
    struct mc_buf raw;
    char *colon;
    bool ok;

    memset(&c->ca, 0, sizeof(c->ca));
    if (!h || strncasecmp(h, "Basic ", 6) != 0) {
        c->ca.client_id = fid;
        c->ca.client_secret = fsecret;
        return true;
    }
    if (fsecret) {
        oauth_error(w, 400, "invalid_request", "use one client authentication method: HTTP "
                    "Basic or client_secret in the form, not both");
        return false;
    }
    h += 6;
    while (*h == ' ')
        h++;
    mc_buf_init(&raw, sizeof(c->basic) - 1);
    ok = mc_b64_decode(&raw, h, strlen(h)) == MCRED_OK && raw.ptr &&
         !memchr(raw.ptr, '\0', raw.len);
    if (ok) {
        memcpy(c->basic, raw.ptr, raw.len + 1);
        colon = strchr(c->basic, ':');
        ok = colon && srv_url_decode(c->basic, (size_t)(colon - c->basic), true, c->id,
                                     sizeof(c->id)) &&
             srv_url_decode(colon + 1, strlen(colon + 1), true, c->secret, sizeof(c->secret));
    }
    if (raw.ptr)
        memset(raw.ptr, 0, raw.len);
    mc_buf_release(&raw);
    if (!ok || (fid && strcmp(fid, c->id) != 0)) {
        oauth_error(w, 401, "invalid_client", "the Basic credentials are not "
                    "base64(client_id:client_secret)");
        return false;
    }
    c->ca.client_id = c->id;
    c->ca.client_secret = c->secret;
    return true;
}

static void wipe_creds(struct client_creds *c)
{
    memset(c->basic, 0, sizeof(c->basic));
    memset(c->secret, 0, sizeof(c->secret));
}

static void token_response(struct srv_resp *w, const struct mc_oauth_issued *t)
{
    struct mc_buf scope;
    cJSON *o = cJSON_CreateObject();
    bool ok;

    mc_buf_init(&scope, 4096);
    ok = o && mc_oauth_scope_format(t->scopes, &scope) == MCRED_OK &&
         cJSON_AddStringToObject(o, "access_token", t->access_token) &&
         cJSON_AddStringToObject(o, "token_type", "Bearer") &&
         cJSON_AddNumberToObject(o, "expires_in", t->expires_in) &&
         cJSON_AddStringToObject(o, "scope", scope.ptr ? scope.ptr : "") &&
         (!t->refresh_token[0] || cJSON_AddStringToObject(o, "refresh_token", t->refresh_token));
    if (ok)
        srv_json(w, 200, o);
    else
        srv_error(w, 500, "server_error", "out of memory");
    (void)srv_set_header(w, "Pragma", "no-cache");
    mc_buf_release(&scope);
    cJSON_Delete(o);
}

/* A heap copy of the request's form fields (big buffers stay off the stack). */
struct token_form {
    struct client_creds c;
    char grant_type[64], code[PARAM_MAX], redirect_uri[PARAM_MAX], verifier[PARAM_MAX];
    char refresh[PARAM_MAX], scope[PARAM_MAX], token[PARAM_MAX], hint[64];
};

void ob_oauth_token(struct srv_req *r, struct srv_resp *w)
{
    struct params p = { r->body ? r->body : "", r->body_len, NULL };
    struct token_form *f = mc_calloc(1, sizeof(*f));
    struct mc_oauth_token_req q;
    struct mc_oauth_issued t;
    const char *oerr = NULL;
    struct mc_err err;

    if (!f) {
        srv_error(w, 500, "server_error", "out of memory");
        return;
    }
    if (!is_form(r)) {
        oauth_error(w, 400, "invalid_request", "the token request must be an "
                    "application/x-www-form-urlencoded form");
        goto out;
    }
    if (!client_creds(r, &p, &f->c, w))
        goto out;
    q.grant_type = param(&p, "grant_type", f->grant_type, sizeof(f->grant_type));
    q.code = param(&p, "code", f->code, sizeof(f->code));
    q.redirect_uri = param(&p, "redirect_uri", f->redirect_uri, sizeof(f->redirect_uri));
    q.code_verifier = param(&p, "code_verifier", f->verifier, sizeof(f->verifier));
    q.refresh_token = param(&p, "refresh_token", f->refresh, sizeof(f->refresh));
    q.scope = param(&p, "scope", f->scope, sizeof(f->scope));
    if (p.bad) {
        oauth_error(w, 400, "invalid_request", "%s is repeated or badly encoded", p.bad);
        goto out;
    }
    mc_err_clear(&err);
    if (mc_oauth_token(r->st, &f->c.ca, &q, r->now, &t, &oerr, &err) != MCRED_OK) {
        oauth_fail(w, oerr, &err);
        goto out;
    }
    token_response(w, &t);
    mc_oauth_issued_clear(&t);
out:
    wipe_creds(&f->c);
    mc_free(f);
}

void ob_oauth_revoke(struct srv_req *r, struct srv_resp *w)
{
    struct params p = { r->body ? r->body : "", r->body_len, NULL };
    struct token_form *f = mc_calloc(1, sizeof(*f));
    const char *oerr = NULL, *token, *hint;
    struct mc_err err;

    if (!f) {
        srv_error(w, 500, "server_error", "out of memory");
        return;
    }
    if (!is_form(r)) {
        oauth_error(w, 400, "invalid_request", "the revocation request must be an "
                    "application/x-www-form-urlencoded form");
        goto out;
    }
    if (!client_creds(r, &p, &f->c, w))
        goto out;
    token = param(&p, "token", f->token, sizeof(f->token));
    hint = param(&p, "token_type_hint", f->hint, sizeof(f->hint));
    if (p.bad) {
        oauth_error(w, 400, "invalid_request", "%s is repeated or badly encoded", p.bad);
        goto out;
    }
    mc_err_clear(&err);
    if (mc_oauth_revoke(r->st, &f->c.ca, token, hint, r->now, &oerr, &err) != MCRED_OK) {
        oauth_fail(w, oerr, &err);
        goto out;
    }
    mc_buf_reset(&w->body);
    w->status = 200;
    w->content_type = NULL;
out:
    wipe_creds(&f->c);
    memset(f->token, 0, sizeof(f->token));
    mc_free(f);
}

/* --- GET /.well-known/oauth-authorization-server ------------------------------------ */

static bool add_url(cJSON *o, const char *name, const char *base, const char *path)
{
    char url[1024];

    snprintf(url, sizeof(url), "%s%s", base, path);
    return cJSON_AddStringToObject(o, name, url) != NULL;
}

static bool add_strings(cJSON *o, const char *name, const char *const *v, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    size_t i;

    for (i = 0; a && i < n; i++)
        if (!cJSON_AddItemToArray(a, cJSON_CreateString(v[i])))
            return false;
    return a != NULL;
}

void ob_oauth_metadata(struct srv_req *r, struct srv_resp *w)
{
    static const char *const grants[] = { "authorization_code", "refresh_token" };
    static const char *const auth[] = { "client_secret_basic", "client_secret_post" };
    static const char *const code[] = { "code" }, *const s256[] = { "S256" };
    const char *base = public_url(r);
    const char *scopes[5];
    cJSON *o = cJSON_CreateObject();
    unsigned bit;
    size_t n = 0;
    bool ok;

    for (bit = 1; bit <= MC_OAUTH_OFFLINE; bit <<= 1)
        scopes[n++] = mc_oauth_scope_name(bit);
    ok = o && cJSON_AddStringToObject(o, "issuer", base) &&
         add_url(o, "authorization_endpoint", base, "/oauth/authorize") &&
         add_url(o, "token_endpoint", base, "/oauth/token") &&
         add_url(o, "registration_endpoint", base, "/oauth/register") &&
         add_url(o, "revocation_endpoint", base, "/oauth/revoke") &&
         add_url(o, "service_documentation", base, OB_API_BASE "/discovery") &&
         add_strings(o, "scopes_supported", scopes, n) &&
         add_strings(o, "response_types_supported", code, 1) &&
         add_strings(o, "grant_types_supported", grants, 2) &&
         add_strings(o, "token_endpoint_auth_methods_supported", auth, 2) &&
         add_strings(o, "revocation_endpoint_auth_methods_supported", auth, 2) &&
         add_strings(o, "code_challenge_methods_supported", s256, 1);
    if (ok)
        srv_json(w, 200, o);
    else
        srv_error(w, 500, "server_error", "out of memory");
    cJSON_Delete(o);
}
