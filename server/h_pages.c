/* h_pages.c - the pages and public documents of `mcred serve`: the route
 * table (handlers in page_auth.c, page_public.c and page_badge.c), the web
 * session hook the router calls, and what every page handler shares:
 * rendering a template as a page, errors for people and machines, cookies
 * and form fields. Templates and static files are embedded from web/.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "pages.h"
#include "template.h"
#include "web_assets.h"

bool srv_auth_session(struct srv_req *r)
{
    return page_auth_session(r);
}

/* --- contexts and rendering ------------------------------------------------------- */

bool page_put(cJSON *o, const char *name, const char *value)
{
    return !value || cJSON_AddStringToObject(o, name, value) != NULL;
}

/* "/static/<file>?v=<etag>": the URL changes with the content, so the file
 * can be cached for a year. */
static bool put_static(cJSON *o, const char *key, const char *file)
{
    char name[64], url[128];
    const struct web_asset *a;

    snprintf(name, sizeof(name), "static/%s", file);
    a = web_asset_find(name);
    snprintf(url, sizeof(url), "/static/%s?v=%s", file, a ? a->etag : "0");
    return page_put(o, key, url);
}

cJSON *page_ctx(const struct srv_req *r, const char *title)
{
    cJSON *ctx = cJSON_CreateObject(), *st, *user;
    bool ok = ctx && page_put(ctx, "title", title);

    st = ok ? cJSON_AddObjectToObject(ctx, "static") : NULL;
    ok = st && put_static(st, "css", "site.css") && put_static(st, "js", "pages.js") &&
         put_static(st, "icon", "favicon.svg");
    if (ok && r->who.kind == SRV_AUTH_SESSION) {
        user = cJSON_AddObjectToObject(ctx, "user");
        ok = user && page_put(user, "email", r->who.email) &&
             page_put(user, "role", mc_role_name(r->who.role));
    }
    if (!ok) {
        cJSON_Delete(ctx);
        return NULL;
    }
    return ctx;
}

void page_csp_images(struct srv_resp *w)
{
    (void)srv_set_header(w, "Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; "
                         "img-src 'self' data: https:; connect-src 'self'; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'");
}

void page_cors_public(struct srv_resp *w)
{
    (void)srv_set_header(w, "Access-Control-Allow-Origin", "*");
}

void page_render(struct srv_req *r, struct srv_resp *w, int status, const char *tmpl,
                 cJSON *ctx)
{
    struct mc_err err;

    (void)r;
    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (!ctx) {
        srv_error(w, 500, "internal", "out of memory rendering the page");
    } else if (tmpl_render(tmpl, ctx, &w->body, &err) != MCRED_OK) {
        srv_error(w, 500, "internal", "page '%s': %s", tmpl, mc_err_msg(&err));
    } else {
        w->status = status;
        w->content_type = "text/html; charset=utf-8";
    }
    cJSON_Delete(ctx);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad request";
    case 401:
        return "Sign in needed";
    case 403:
        return "Not allowed";
    case 404:
        return "Not found";
    case 413:
        return "Too large";
    default:
        return status >= 500 ? "Something went wrong" : "Error";
    }
}

static void error_msg(struct srv_req *r, struct srv_resp *w, int status, const char *code,
                      const char *msg)
{
    cJSON *ctx;

    if (!srv_wants_html(r)) {
        srv_error(w, status, code, "%s", msg);
        return;
    }
    ctx = page_ctx(r, status_title(status));
    if (ctx && !page_put(ctx, "message", msg)) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, status, "error", ctx);
}

void page_error(struct srv_req *r, struct srv_resp *w, int status, const char *code,
                const char *fmt, ...)
{
    char msg[MC_ERRMSG_MAX + 64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error_msg(r, w, status, code, msg);
}

void page_error_rc(struct srv_req *r, struct srv_resp *w, const struct mc_err *err)
{
    struct srv_resp tmp;

    /* the status and code srv_error_rc picks, with our rendering */
    srv_resp_init(&tmp);
    srv_error_rc(&tmp, err);
    page_error(r, w, tmp.status, tmp.status == 404 ? "not_found" : "error", "%s",
               mc_err_msg(err));
    srv_resp_release(&tmp);
}

void page_redirect(struct srv_resp *w, const char *path)
{
    mc_buf_reset(&w->body);
    w->status = 303;
    w->content_type = NULL;
    (void)srv_set_header(w, "Location", path);
}

/* --- URLs, cookies, forms ---------------------------------------------------------- */

static bool has_prefix_ci(const char *s, const char *p)
{
    return strncasecmp(s, p, strlen(p)) == 0;
}

const char *page_safe_url(const char *s, bool images)
{
    if (!s)
        return NULL;
    if ((has_prefix_ci(s, "https://") && s[8]) || (has_prefix_ci(s, "http://") && s[7]))
        return s;
    if (images && has_prefix_ci(s, "data:image/") && strncasecmp(s, "data:image/svg", 14) != 0)
        return s;
    return NULL;
}

mcred_rc page_url_encode(struct mc_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    mcred_rc rc = MCRED_OK;

    for (; s && *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            rc = mc_buf_appendc(out, (char)c);
        else
            rc = mc_buf_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return rc;
}

const char *page_cookie(const struct srv_req *r, const char *name, char *buf, size_t cap)
{
    const char *c = r->header(r, "Cookie");
    size_t nl = strlen(name);

    while (c && *c) {
        size_t len;

        while (*c == ' ' || *c == ';')
            c++;
        len = strcspn(c, ";");
        if (len > nl && memcmp(c, name, nl) == 0 && c[nl] == '=') {
            size_t vl = len - nl - 1;

            while (vl > 0 && c[nl + 1 + vl - 1] == ' ')
                vl--;
            if (vl + 1 > cap)
                return NULL;
            memcpy(buf, c + nl + 1, vl);
            buf[vl] = '\0';
            return buf;
        }
        c += len;
    }
    return NULL;
}

const char *page_form(const struct srv_req *r, const char *name, char *buf, size_t cap)
{
    const char *ct = r->header(r, "Content-Type");
    const char *q = r->body;
    const char *end = r->body ? r->body + r->body_len : NULL;
    size_t nl = strlen(name);

    if (!ct || !has_prefix_ci(ct, "application/x-www-form-urlencoded") || !q)
        return NULL;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        size_t len = (size_t)((amp ? amp : end) - q);
        const char *eq = memchr(q, '=', len);
        size_t kl = eq ? (size_t)(eq - q) : len;

        if (kl == nl && memcmp(q, name, nl) == 0) {
            const char *v = eq ? eq + 1 : q + len;

            return srv_url_decode(v, (size_t)(q + len - v), true, buf, cap) ? buf : NULL;
        }
        q += len + 1;
    }
    return NULL;
}

bool page_https(const struct srv_req *r)
{
    const char *u = mc_platform_public_url(r->srv->plat);

    return (u && has_prefix_ci(u, "https://")) || r->srv->conf.tls_cert;
}

/* --- routes ----------------------------------------------------------------------- */

const struct srv_route srv_routes_pages[] = {
    /* pages */
    { "GET", "/", page_home, SRV_PUBLIC },
    { "GET", "/verify", page_verifier, SRV_PUBLIC },
    { "POST", "/verify/check", page_verify_check, SRV_PUBLIC },
    { "GET", "/badges/{share}", page_badge, SRV_PUBLIC },
    { "GET", "/badges/{share}/verify", page_badge_verify, SRV_PUBLIC },
    { "GET", "/badges/{share}/credential.json", page_badge_download, SRV_PUBLIC },
    { "GET", "/login", page_login_get, SRV_PUBLIC },
    { "POST", "/login", page_login_post, SRV_PUBLIC },
    { "GET", "/logout", page_logout_get, SRV_PUBLIC },
    { "POST", "/logout", page_logout_post, SRV_PUBLIC },
    { "GET", "/me", page_me, SRV_PUBLIC },
    { "POST", "/me/credentials/share", page_me_share, SRV_PUBLIC },
    /* the learner's share switch as an API (JSON) */
    { "GET", "/api/v1/me/credentials/{id}/share", page_api_share_get,
      SRV_LEARNER | SRV_STAFF },
    { "POST", "/api/v1/me/credentials/{id}/share", page_api_share_set,
      SRV_LEARNER | SRV_STAFF },
    /* public documents */
    { "GET", "/static/{file}", page_static, SRV_PUBLIC },
    { "GET", "/achievements/{id}", page_achievement, SRV_PUBLIC },
    { "GET", "/status/{purpose}/{id}", page_status_list, SRV_PUBLIC },
    { "GET", "/.well-known/did.json", page_did, SRV_PUBLIC },
    { "GET", "/{a}/did.json", page_did, SRV_PUBLIC },
    { "GET", "/{a}/{b}/did.json", page_did, SRV_PUBLIC },
    { "GET", "/{a}/{b}/{c}/did.json", page_did, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};
