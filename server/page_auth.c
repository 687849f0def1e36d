/* page_auth.c - web sessions: sign in with an e-mail address and an API
 * token (the form is protected by a short-lived cookie of its own), the
 * session cookie (HttpOnly, SameSite=Lax, Secure under https; stored hashed),
 * the CSRF token every form of a session carries, and signing out.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <strings.h>

#include <sodium.h>

#include "pages.h"
#include "util/codec.h"

#define LOGIN_TTL 1800   /* seconds a sign-in form stays usable */

/* A fresh random token (32 bytes, base64url) into out. */
static bool random_token(char out[PAGE_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    struct mc_buf b;
    bool ok;

    randombytes_buf(raw, sizeof(raw));
    mc_buf_init(&b, 64);
    ok = mc_b64url_encode(&b, raw, sizeof(raw)) == MCRED_OK && b.len == PAGE_TOKEN_LEN;
    if (ok)
        memcpy(out, b.ptr, PAGE_TOKEN_LEN + 1);
    sodium_memzero(raw, sizeof(raw));
    if (b.ptr)
        sodium_memzero(b.ptr, b.len);
    mc_buf_release(&b);
    return ok;
}

static bool token_shape(const char *s)
{
    size_t i;

    for (i = 0; i < PAGE_TOKEN_LEN; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return s[PAGE_TOKEN_LEN] == '\0';
}

/* Constant-time comparison of two tokens. */
static bool token_eq(const char *a, const char *b)
{
    size_t n = strlen(a);

    return n == strlen(b) && n > 0 && sodium_memcmp(a, b, n) == 0;
}

/* Best-effort store calls whose failure changes nothing for the user. */
static void best_effort(mcred_rc rc)
{
    (void)rc;
}

static bool safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* Set-Cookie for name=value with the attributes of the pages (max_age 0:
 * delete it). */
static void set_cookie(struct srv_req *r, struct srv_resp *w, const char *name,
                       const char *value, const char *path, const char *same_site, long max_age)
{
    char c[256];

    snprintf(c, sizeof(c), "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=%s%s", name, value,
             path, max_age, same_site, page_https(r) ? "; Secure" : "");
    (void)srv_set_header(w, "Set-Cookie", c);
}

/* The session cookie's value, hashed as stored; false when there is none. */
static bool cookie_hash(const struct srv_req *r, char hash[65])
{
    char v[PAGE_TOKEN_LEN + 8];

    if (!page_cookie(r, PAGE_SESSION_COOKIE, v, sizeof(v)) || !token_shape(v))
        return false;
    mc_platform_token_hash(v, hash);
    sodium_memzero(v, sizeof(v));
    return true;
}

mcred_rc page_session(struct srv_req *r, struct mc_session *s, struct mc_err *err)
{
    char hash[65];

    memset(s, 0, sizeof(*s));
    if (!r->st || !cookie_hash(r, hash))
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no session");
    return mc_store_session_get(r->st, hash, r->now, s, err);
}

bool page_auth_session(struct srv_req *r)
{
    struct mc_session s;
    char field[PAGE_TOKEN_LEN + 8];
    const char *csrf;
    bool ok;

    if (page_session(r, &s, NULL) != MCRED_OK)
        return false;
    ok = true;
    if (!safe_method(r->method)) {
        csrf = r->header(r, "X-CSRF-Token");
        if (!csrf)
            csrf = page_form(r, "csrf_token", field, sizeof(field));
        ok = csrf && token_eq(csrf, s.csrf);
    }
    if (ok) {
        r->who.kind = SRV_AUTH_SESSION;
        r->who.org = s.org_id;
        r->who.user = s.user_id;
        r->who.role = s.role;
        mc_strlcpy(r->who.email, s.email ? s.email : "", sizeof(r->who.email));
        r->who.scopes = ~0u;
    }
    mc_session_release(&s);
    return ok;
}

bool page_form_auth(struct srv_req *r, struct srv_resp *w)
{
    struct mc_session s;

    if (r->who.kind != SRV_AUTH_NONE)
        return true;
    if (page_session(r, &s, NULL) == MCRED_OK) {
        mc_session_release(&s);
        page_error(r, w, 403, "csrf", "the form's CSRF token is missing or wrong; reload the "
                                      "page and try again");
        return false;
    }
    page_redirect(w, "/login");
    return false;
}

/* --- signing in ---------------------------------------------------------------------- */

/* The sign-in page with the form token csrf; error and email may be NULL. */
static void login_page(struct srv_req *r, struct srv_resp *w, int status, const char *csrf,
                       const char *email, const char *error)
{
    cJSON *ctx = page_ctx(r, "Sign in");

    if (ctx && !(page_put(ctx, "csrf", csrf) && page_put(ctx, "email", email) &&
                 page_put(ctx, "error", error))) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, status, "login", ctx);
}

void page_login_get(struct srv_req *r, struct srv_resp *w)
{
    char tok[PAGE_TOKEN_LEN + 1];

    if (!random_token(tok)) {
        page_error(r, w, 500, "internal", "cannot make a sign-in form");
        return;
    }
    set_cookie(r, w, PAGE_LOGIN_COOKIE, tok, "/login", "Strict", LOGIN_TTL);
    login_page(r, w, 200, tok, NULL, NULL);
}

static void audit_login(struct srv_req *r, const struct mc_user *u)
{
    struct mc_audit a;

    memset(&a, 0, sizeof(a));
    a.org_id = u->org_id;
    a.actor = u->email;
    a.action = "login";
    a.subject = u->email;
    best_effort(mc_store_audit_add(r->st, &a, NULL));
}

/* Store a new session of u; its cookie value into sid. */
static bool start_session(struct srv_req *r, const struct mc_user *u,
                          char sid[PAGE_TOKEN_LEN + 1], struct mc_err *err)
{
    char hash[65], csrf[PAGE_TOKEN_LEN + 1];
    struct mc_session s;
    bool ok;

    if (!random_token(sid) || !random_token(csrf)) {
        mc_err_set(err, MCRED_ERR_INTERNAL, "cannot make a session id");
        return false;
    }
    mc_platform_token_hash(sid, hash);
    best_effort(mc_store_session_purge(r->st, r->now, NULL));   /* expired ones, in passing */
    memset(&s, 0, sizeof(s));
    s.id_hash = hash;
    s.org_id = u->org_id;
    s.user_id = u->id;
    s.csrf = csrf;
    s.created = r->now;
    s.expires = r->now + PAGE_SESSION_TTL;
    ok = mc_store_session_add(r->st, &s, err) == MCRED_OK;
    sodium_memzero(csrf, sizeof(csrf));
    return ok;
}

void page_login_post(struct srv_req *r, struct srv_resp *w)
{
    char cookie[PAGE_TOKEN_LEN + 8], field[PAGE_TOKEN_LEN + 8], email[256], token[256];
    char sid[PAGE_TOKEN_LEN + 1];
    struct mc_user u;
    struct mc_err err;
    bool known;

    if (!page_cookie(r, PAGE_LOGIN_COOKIE, cookie, sizeof(cookie)) || !token_shape(cookie) ||
        !page_form(r, "csrf_token", field, sizeof(field)) || !token_eq(cookie, field)) {
        page_error(r, w, 403, "csrf", "the sign-in form expired or did not come from this "
                                      "site; open /login again");
        return;
    }
    if (!page_form(r, "email", email, sizeof(email)) || !email[0] ||
        !page_form(r, "token", token, sizeof(token)) || !token[0]) {
        login_page(r, w, 400, cookie, NULL, "Give your e-mail address and your API token.");
        return;
    }
    mc_err_clear(&err);
    memset(&u, 0, sizeof(u));
    known = mc_platform_token_user(r->st, token, &u, &err) == MCRED_OK;
    sodium_memzero(token, sizeof(token));
    if (!known && err.rc != MCRED_ERR_NOTFOUND) {
        page_error_rc(r, w, &err);
        return;
    }
    if (!known || !u.email || strcasecmp(u.email, email) != 0) {
        mc_user_release(&u);
        login_page(r, w, 401, cookie, email, "That e-mail address and token do not match.");
        return;
    }
    mc_err_clear(&err);
    if (!start_session(r, &u, sid, &err)) {
        mc_user_release(&u);
        page_error_rc(r, w, &err);
        return;
    }
    audit_login(r, &u);
    mc_user_release(&u);
    set_cookie(r, w, PAGE_SESSION_COOKIE, sid, "/", "Lax", PAGE_SESSION_TTL);
    set_cookie(r, w, PAGE_LOGIN_COOKIE, "", "/login", "Strict", 0);
    sodium_memzero(sid, sizeof(sid));
    page_redirect(w, "/me");
}

/* --- signing out ------------------------------------------------------------------------ */

void page_logout_get(struct srv_req *r, struct srv_resp *w)
{
    struct mc_session s;
    cJSON *ctx = page_ctx(r, "Sign out");

    if (ctx && r->who.kind == SRV_AUTH_SESSION && page_session(r, &s, NULL) == MCRED_OK) {
        if (!page_put(ctx, "csrf", s.csrf)) {
            cJSON_Delete(ctx);
            ctx = NULL;
        }
        mc_session_release(&s);
    }
    page_render(r, w, 200, "logout", ctx);
}

void page_logout_post(struct srv_req *r, struct srv_resp *w)
{
    char hash[65];

    if (!page_form_auth(r, w))
        return;
    if (r->who.kind == SRV_AUTH_SESSION && cookie_hash(r, hash))
        best_effort(mc_store_session_delete(r->st, hash, NULL));
    set_cookie(r, w, PAGE_SESSION_COOKIE, "", "/", "Lax", 0);
    page_redirect(w, "/");
}
