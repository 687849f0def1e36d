/* server.c - the router: match a route, authenticate, check access, run the
 * handler, add the security headers; and the helpers handlers share.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <strings.h>

#include "jsonld/jcs.h"
#include "util/json.h"
#include "server.h"
#include "ratelimit.h"

static const struct srv_route *const route_tables[] = {
    srv_routes_core, srv_routes_vcapi, srv_routes_ob, srv_routes_platform, srv_routes_pages,
    srv_routes_wallet,
    srv_routes_assess,
    srv_routes_positions,
    srv_routes_stacks,
    srv_routes_plan,
};

void srv_resp_init(struct srv_resp *w)
{
    memset(w, 0, sizeof(*w));
    w->status = 200;
    mc_buf_init(&w->body, SRV_MAX_BODY_LIMIT * 2);
}

void srv_resp_release(struct srv_resp *w)
{
    size_t i;

    for (i = 0; i < w->nheaders; i++) {
        mc_free(w->headers[i].name);
        mc_free(w->headers[i].value);
    }
    mc_buf_release(&w->body);
    memset(w, 0, sizeof(*w));
}

bool srv_set_header(struct srv_resp *w, const char *name, const char *value)
{
    struct srv_header *h;

    if (w->nheaders >= SRV_MAX_HEADERS)
        return false;
    h = &w->headers[w->nheaders];
    h->name = mc_strdup(name);
    h->value = mc_strdup(value);
    if (!h->name || !h->value) {
        mc_free(h->name);
        mc_free(h->value);
        h->name = h->value = NULL;
        return false;
    }
    w->nheaders++;
    return true;
}

static bool has_header(const struct srv_resp *w, const char *name)
{
    size_t i;

    for (i = 0; i < w->nheaders; i++)
        if (strcasecmp(w->headers[i].name, name) == 0)
            return true;
    return false;
}

static void set_fallback(struct srv_resp *w)
{
    /* the body could not be made: say so without allocating */
    mc_buf_reset(&w->body);
    w->status = 500;
    w->content_type = "application/json";
    if (mc_buf_appends(&w->body, "{\"error\":\"internal\",\"message\":\"out of memory\"}"))
        w->content_type = NULL;
}

void srv_json(struct srv_resp *w, int status, const cJSON *v)
{
    mc_buf_reset(&w->body);
    w->status = status;
    w->content_type = "application/json";
    if (mc_json_stringify(v, 0, &w->body, NULL) != MCRED_OK)
        set_fallback(w);
}

void srv_utf8_fix(char *s)
{
    size_t i = 0, n = strlen(s), len;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];

        len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
              (c & 0xf8) == 0xf0 ? 4 : 0;
        if (len == 0 || i + len > n || !mc_utf8_valid(s + i, len)) {
            s[i++] = '?';
            continue;
        }
        i += len;
    }
}

void srv_error(struct srv_resp *w, int status, const char *code, const char *fmt, ...)
{
    char msg[MC_ERRMSG_MAX + 64];
    cJSON *o;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    srv_utf8_fix(msg);   /* a path or a value echoed back may not be UTF-8 */
    o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "error", code) ||
        !cJSON_AddStringToObject(o, "message", msg)) {
        cJSON_Delete(o);
        set_fallback(w);
        return;
    }
    srv_json(w, status, o);
    cJSON_Delete(o);
}

void srv_error_rc(struct srv_resp *w, const struct mc_err *err)
{
    int status;
    const char *code;

    switch (err->rc) {
    case MCRED_ERR_INVALID:
        status = 400, code = "invalid";
        break;
    case MCRED_ERR_NOTFOUND:
        status = 404, code = "not_found";
        break;
    case MCRED_ERR_CONFLICT:
        status = 409, code = "conflict";
        break;
    case MCRED_ERR_LIMIT:
        status = 413, code = "too_large";
        break;
    case MCRED_ERR_UNSUPPORTED:
        status = 501, code = "unsupported";
        break;
    default:
        status = 500, code = "internal";
        break;
    }
    srv_error(w, status, code, "%s", mc_err_msg(err));
}

static bool is_json_type(const char *ct)
{
    size_t n;

    if (!ct)
        return false;
    n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    /* application/json, application/ld+json, application/vc+json, ... */
    if (n >= 16 && strncasecmp(ct, "application/json", 16) == 0 && n == 16)
        return true;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

cJSON *srv_body_json(struct srv_req *r, struct srv_resp *w)
{
    struct mc_err err;
    cJSON *v = NULL;

    if (!is_json_type(r->header(r, "Content-Type"))) {
        srv_error(w, 415, "unsupported_media_type",
                  "the body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    mc_err_clear(&err);
    if (mc_json_parse(r->body ? r->body : "", r->body_len, 0, &v, &err) != MCRED_OK) {
        srv_error(w, err.rc == MCRED_ERR_NOMEM ? 500 : 400, "invalid_json", "request body: %s",
                  mc_err_msg(&err));
        return NULL;
    }
    return v;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool srv_url_decode(const char *s, size_t n, bool plus, char *out, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            int hi, lo;

            if (i + 2 >= n)
                return false;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= cap)
            return false;
        out[o++] = c;
    }
    if (cap == 0)
        return false;
    out[o] = '\0';
    return true;
}

const char *srv_query(const struct srv_req *r, const char *name, char *buf, size_t cap)
{
    const char *q = r->query ? r->query : "";
    size_t nl = strlen(name);

    while (*q) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        size_t kl = eq ? (size_t)(eq - q) : len;

        if (kl == nl && memcmp(q, name, nl) == 0) {
            const char *v = eq ? eq + 1 : q + len;
            size_t vl = (size_t)(q + len - v);

            return srv_url_decode(v, vl, true, buf, cap) && mc_utf8_valid(buf, strlen(buf)) ?
                       buf : NULL;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return NULL;
}

bool srv_wants_html(const struct srv_req *r)
{
    const char *a = r->header(r, "Accept");
    const char *h, *j;

    if (!a)
        return false;
    h = strstr(a, "text/html");
    if (!h)
        return false;
    j = strstr(a, "application/json");
    if (!j)
        j = strstr(a, "application/ld+json");
    /* browsers list text/html first; an explicit JSON preference wins */
    return !j || h < j;
}

mcred_rc srv_html_escape(struct mc_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    mcred_rc rc = MCRED_OK;

    for (; *p && !rc; p++) {
        switch (*p) {
        case '&':
            rc = mc_buf_appends(out, "&amp;");
            break;
        case '<':
            rc = mc_buf_appends(out, "&lt;");
            break;
        case '>':
            rc = mc_buf_appends(out, "&gt;");
            break;
        case '"':
            rc = mc_buf_appends(out, "&quot;");
            break;
        case '\'':
            rc = mc_buf_appends(out, "&#39;");
            break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t')
                rc = mc_buf_printf(out, "&#%u;", 0xfffdu);
            else
                rc = mc_buf_appendc(out, (char)*p);
            break;
        }
    }
    return rc;
}

/* --- routing -------------------------------------------------------------------- */

/* Match path against pattern, filling r->params (decoded into store, which
 * has room for the whole path). */
static bool match(const char *pattern, const char *path, struct srv_req *r, char *store,
                  size_t cap)
{
    const char *p = pattern, *s = path;
    size_t used = 0;

    r->nparams = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            bool rest = pe && pe - p == 2 && p[1] == '*';
            size_t n = rest ? strlen(s) : strcspn(s, "/");

            if (!pe || n == 0 || r->nparams >= SRV_MAX_PARAMS || used + n + 1 > cap)
                return false;
            memcpy(store + used, s, n);
            store[used + n] = '\0';
            r->params[r->nparams++] = store + used;
            used += n + 1;
            s += n;
            p = pe + 1;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

static void security_headers(struct srv_resp *w)
{
    static const char *const h[][2] = {
        { "Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" },
        { "X-Content-Type-Options", "nosniff" },
        { "X-Frame-Options", "DENY" },
        { "Referrer-Policy", "no-referrer" },
        { "Cross-Origin-Opener-Policy", "same-origin" },
        { "Cache-Control", "no-store" },
    };
    size_t i;

    for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
        if (!has_header(w, h[i][0]))
            (void)srv_set_header(w, h[i][0], h[i][1]);
}

/* Authenticate from Authorization: Bearer, then the session hook. False
 * (with the 401 written) when credentials were presented and are wrong. */
static bool authenticate(struct srv *s, struct srv_req *r, struct srv_resp *w)
{
    const char *a = r->header(r, "Authorization");
    struct mc_user u;
    struct mc_err err;

    memset(&r->who, 0, sizeof(r->who));
    if (a) {
        const char *tok;

        if (strncasecmp(a, "Basic ", 6) == 0 && strncmp(r->path, "/oauth/", 7) == 0)
            return true;   /* OAuth client authentication (RFC 6749 2.3.1): the handler checks it */
        if (strncasecmp(a, "Bearer ", 7) != 0) {
            srv_error(w, 401, "unauthorized", "Authorization must be 'Bearer <token>'");
            goto deny;
        }
        tok = a + 7;
        while (*tok == ' ')
            tok++;
        mc_err_clear(&err);
        if (mc_platform_token_user(r->st, tok, &u, &err) == MCRED_OK) {
            r->who.kind = SRV_AUTH_TOKEN;
            r->who.org = u.org_id;
            r->who.user = u.id;
            r->who.role = u.role;
            mc_strlcpy(r->who.email, u.email ? u.email : "", sizeof(r->who.email));
            r->who.scopes = ~0u;
            mc_user_release(&u);
            return true;
        }
        if (err.rc != MCRED_ERR_NOTFOUND) {
            srv_error_rc(w, &err);
            return false;
        }
        if (srv_auth_oauth(r, tok))
            return true;
        srv_error(w, 401, "unauthorized", "the token is not valid (unknown, revoked or expired)");
        goto deny;
    }
    (void)srv_auth_session(r);
    return true;
deny:
    (void)srv_set_header(w, "WWW-Authenticate", "Bearer realm=\"mcred\"");
    return false;
}

static bool allowed(const struct srv_route *rt, struct srv_req *r, struct srv_resp *w)
{
    if (rt->access == SRV_PUBLIC)
        return true;
    if (r->who.kind == SRV_AUTH_NONE) {
        srv_error(w, 401, "unauthorized", "this route needs a token (Authorization: Bearer)");
        (void)srv_set_header(w, "WWW-Authenticate", "Bearer realm=\"mcred\"");
        return false;
    }
    if (rt->access == SRV_AUTH || (rt->access & SRV_ROLE(r->who.role)))
        return true;
    srv_error(w, 403, "forbidden", "the role '%s' may not %s %s", mc_role_name(r->who.role),
              rt->method, rt->pattern);
    return false;
}

void srv_handle(struct srv *s, struct srv_req *r, struct srv_resp *w)
{
    const struct srv_route *found = NULL;
    char allow[64] = "";
    size_t plen = strlen(r->path), t;
    char *store = mc_malloc(plen + SRV_MAX_PARAMS + 1);
    struct mc_err err;

    r->srv = s;
    if (!r->now)
        r->now = time(NULL);
    if (!store) {
        set_fallback(w);
        goto out;
    }
    if (s->conf.rate > 0 && !srv_rate_take(s->limiter, r->client, r->now)) {
        srv_error(w, 429, "rate_limited", "too many requests from %s; slow down", r->client);
        {
            char ra[24];

            snprintf(ra, sizeof(ra), "%u", srv_rate_retry_after(s->limiter));
            (void)srv_set_header(w, "Retry-After", ra);
        }
        goto out;
    }
    for (t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]) && !found; t++) {
        const struct srv_route *rt;

        for (rt = route_tables[t]; rt->method; rt++) {
            if (!match(rt->pattern, r->path, r, store, plen + SRV_MAX_PARAMS + 1))
                continue;
            if (strcmp(rt->method, r->method) == 0 ||
                (strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
                found = rt;
                break;
            }
            if (strlen(allow) + strlen(rt->method) + 3 < sizeof(allow)) {
                if (allow[0])
                    mc_strlcat(allow, ", ", sizeof(allow));
                mc_strlcat(allow, rt->method, sizeof(allow));
            }
        }
    }
    if (!found) {
        if (allow[0]) {
            srv_error(w, 405, "method_not_allowed", "%s is not allowed on %s (allowed: %s)",
                      r->method, r->path, allow);
            (void)srv_set_header(w, "Allow", allow);
        } else {
            srv_error(w, 404, "not_found", "no such route: %s", r->path);
        }
        goto out;
    }
    /* params were filled by the last match attempt: match again the winner */
    (void)match(found->pattern, r->path, r, store, plen + SRV_MAX_PARAMS + 1);
    for (t = 0; t < r->nparams; t++) {
        /* decode each segment in place; a NUL or a bad escape is a 400 */
        char *p = store + (r->params[t] - store);

        if (!srv_url_decode(p, strlen(p), false, p, strlen(p) + 1) ||
            !mc_utf8_valid(p, strlen(p))) {
            srv_error(w, 400, "invalid_path", "a path segment is not valid percent-encoded "
                                              "UTF-8");
            goto out;
        }
    }
    mc_err_clear(&err);
    if (mc_platform_store(s->plat, &r->st, &err) != MCRED_OK) {
        srv_error(w, 503, "unavailable", "the store is not available: %s", mc_err_msg(&err));
        goto out;
    }
    if (!authenticate(s, r, w) || !allowed(found, r, w))
        goto out;
    found->fn(r, w);
    if (r->st && mc_store_in_transaction(r->st))
        (void)mc_store_rollback(r->st);   /* a handler that failed half-way */
out:
    security_headers(w);
    mc_free(store);
    r->nparams = 0;
}
