/* page_wallet.c - the learner's wallet pages: my credentials (/me/wallet:
 * every wallet item with the verdict it was kept with, and every credential
 * issued to the learner, with share state and links), import (a file, pasted
 * text or a URL, through mc_wallet_import), the share page of an item (the
 * link on and off, its QR code, LinkedIn and embed snippets), presentations
 * (chosen items, challenge and domain: a signed presentation to download),
 * and the QR code of a public badge (/badges/{share}/qr.svg). Every page is
 * the signed-in user's own: another learner's item is 404. Forms carry the
 * session's CSRF token (the import form is multipart, checked here).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <strings.h>

#include <sodium.h>

#include "pages.h"
#include "service/qr.h"
#include "service/share.h"
#include "service/wallet.h"

#define WAL_MAX_ISSUED 100        /* issued credentials listed on /me/wallet */
#define WAL_MAX_FIELD 4096        /* a form field other than the file */

/* --- who: the signed-in user's learner ----------------------------------------------- */

/* The learner whose wallet the signed-in user holds, into *learner; a user
 * with the learner role gets one on first use. Writes the response (the
 * sign-in page, or 404 for a user without a wallet) and returns false
 * otherwise. */
static bool wal_learner(struct srv_req *r, struct srv_resp *w, int64_t *learner)
{
    struct mc_err err;
    mcred_rc rc;

    *learner = 0;
    if (r->who.kind != SRV_AUTH_SESSION && r->who.kind != SRV_AUTH_TOKEN) {
        page_redirect(w, "/login");
        return false;
    }
    mc_err_clear(&err);
    rc = mc_wallet_learner_of(r->st, r->who.org, r->who.email, r->who.role == MC_ROLE_LEARNER,
                              learner, &err);
    if (rc == MCRED_ERR_NOTFOUND) {
        page_error(r, w, 404, "not_found", "%s has no wallet here: wallets belong to "
                                           "learners", r->who.email);
        return false;
    }
    if (rc) {
        page_error_rc(r, w, &err);
        return false;
    }
    return true;
}

/* The wallet context of the request (verifying with the platform's options,
 * kept in *o and *src). The holder-key lock is set by wal_present alone. */
static void wal_ctx(struct srv_req *r, struct mc_platform_status *src, struct mc_verify_opts *o,
                    struct mc_wallet_ctx *c)
{
    mc_platform_verify_opts(r->srv->plat, r->st, src, o);
    o->now = r->now;
    memset(c, 0, sizeof(*c));
    c->st = r->st;
    c->org = r->who.org;
    c->verify = o;
    c->contexts = o->contexts;
    c->cache = o->cache;
    c->now = r->now;
}

/* A page context with the session's CSRF token (csrf) for its forms. */
static cJSON *wal_page(struct srv_req *r, const char *title)
{
    struct mc_session s;
    cJSON *ctx = page_ctx(r, title);

    if (ctx && r->who.kind == SRV_AUTH_SESSION && page_session(r, &s, NULL) == MCRED_OK) {
        bool ok = page_put(ctx, "csrf", s.csrf);

        mc_session_release(&s);
        if (!ok) {
            cJSON_Delete(ctx);
            return NULL;
        }
    }
    return ctx;
}

/* A wallet item id from a path segment: decimal digits, 1..2^62; else 0. */
static int64_t item_id(const char *s)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 18)
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The name a held document shows: its achievement's, else its own, else
 * its format; a JWT's payload is not opened here. Owned by ctx' strings. */
static const char *doc_name(const cJSON *doc)
{
    const char *n = mc_json_str(page_cred_achievement(doc), "name");

    return n ? n : mc_json_str(doc, "name");
}

/* --- /me/wallet --------------------------------------------------------------------- */

/* One wallet item as a row: {id, name, format, source, verdict, imported,
 * imported_day, shared, share_url, share_page}. */
static bool item_row(struct srv_req *r, const struct mc_wallet_item *it, cJSON *list)
{
    struct mc_share sh;
    struct mc_buf url;
    char when[32], day[11], page[64], idtxt[24];
    cJSON *doc = NULL, *o = cJSON_CreateObject();
    const char *name = NULL;
    bool ok = o && cJSON_AddItemToArray(list, o), jwt;

    if (!ok) {
        cJSON_Delete(o);
        return false;
    }
    if (mc_share_doc_credential(it->doc, &doc, &jwt, NULL) == MCRED_OK)
        name = doc_name(doc);
    page_iso_time(it->imported, when, day);
    snprintf(idtxt, sizeof(idtxt), "%lld", (long long)it->id);
    snprintf(page, sizeof(page), "/me/wallet/%lld/share", (long long)it->id);
    ok = page_put(o, "id", idtxt) &&
         page_put(o, "name", name ? name : (it->cred_id ? it->cred_id : "A credential")) &&
         page_put(o, "format", it->format) && page_put(o, "source", it->source) &&
         page_put(o, "verdict", it->verdict) && page_put(o, "imported", when) &&
         page_put(o, "imported_day", day) && page_put(o, "share_page", page) &&
         cJSON_AddBoolToObject(o, "ok", strcmp(it->verdict, "valid") == 0 ||
                                            strcmp(it->verdict, "untrusted") == 0);
    cJSON_Delete(doc);
    mc_buf_init(&url, 8192);
    if (ok && mc_store_wallet_share_get(r->st, it->org_id, it->learner_id, it->id, &sh, NULL) ==
                  MCRED_OK) {
        ok = cJSON_AddBoolToObject(o, "shared", sh.enabled) &&
             !mc_share_url(mc_platform_public_url(r->srv->plat), sh.share_id, &url) &&
             page_put(o, "share_url", url.ptr);
        mc_share_release(&sh);
    }
    mc_buf_release(&url);
    return ok;
}

/* One issued credential as a row: {id, name, state, issued_day, shared,
 * share_url}. */
static bool issued_row(struct srv_req *r, const struct mc_credential *c, cJSON *list)
{
    struct mc_share sh;
    struct mc_buf url;
    char when[32], day[11];
    cJSON *doc = NULL, *o = cJSON_CreateObject();
    const char *name = NULL;
    bool ok = o && cJSON_AddItemToArray(list, o);

    if (!ok) {
        cJSON_Delete(o);
        return false;
    }
    if (mc_json_parse(c->doc, strlen(c->doc), 0, &doc, NULL) == MCRED_OK)
        name = doc_name(doc);
    page_iso_time(c->issued, when, day);
    ok = page_put(o, "id", c->id) && page_put(o, "name", name ? name : c->id) &&
         page_put(o, "issued", when) && page_put(o, "issued_day", day) &&
         page_put(o, "state", mc_cred_state_name(c->state));
    cJSON_Delete(doc);
    mc_buf_init(&url, 8192);
    if (ok && mc_share_get(r->st, c->org_id, c->id, &sh, NULL) == MCRED_OK) {
        ok = cJSON_AddBoolToObject(o, "shared", sh.enabled) &&
             !mc_share_url(mc_platform_public_url(r->srv->plat), sh.share_id, &url) &&
             page_put(o, "share_url", url.ptr);
        mc_share_release(&sh);
    }
    mc_buf_release(&url);
    return ok;
}

static void wal_list(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list items, issued;
    struct mc_err err;
    int64_t learner;
    cJSON *ctx, *held, *iss;
    size_t i;
    bool ok;

    if (!wal_learner(r, w, &learner))
        return;
    mc_err_clear(&err);
    memset(&issued, 0, sizeof(issued));
    if (mc_store_wallet_list(r->st, r->who.org, learner, &items, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    if (mc_store_cred_list_recipient(r->st, r->who.org, r->who.email, 0, WAL_MAX_ISSUED,
                                     &issued, &err) != MCRED_OK) {
        mc_store_list_clear(&items);
        page_error_rc(r, w, &err);
        return;
    }
    ctx = wal_page(r, "My credentials");
    held = ctx ? cJSON_AddArrayToObject(ctx, "items") : NULL;
    iss = ctx ? cJSON_AddArrayToObject(ctx, "issued") : NULL;
    ok = held && iss;
    for (i = items.n; ok && i-- > 0;)   /* newest first */
        ok = item_row(r, &((const struct mc_wallet_item *)items.rows)[i], held);
    for (i = 0; ok && i < issued.n; i++)
        ok = issued_row(r, &((const struct mc_credential *)issued.rows)[i], iss);
    if (ok && items.n)
        ok = cJSON_AddTrueToObject(ctx, "has_items") != NULL;
    if (ok && issued.n)
        ok = cJSON_AddTrueToObject(ctx, "has_issued") != NULL;
    mc_store_list_clear(&items);
    mc_store_list_clear(&issued);
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, 200, "wallet", ctx);
}

/* --- import ----------------------------------------------------------------------------- */

/* A part of a multipart/form-data body (RFC 7578), borrowed from it. */
struct part {
    char name[64];
    bool file;                 /* it had a filename */
    const char *data;
    size_t len;
};

static const char *find(const char *p, const char *end, const char *s, size_t n)
{
    for (; n && p < end && (size_t)(end - p) >= n; p++) {
        if (*p == *s && memcmp(p, s, n) == 0)
            return p;
    }
    return NULL;
}

/* The boundary of a multipart/form-data Content-Type into b (with the
 * leading "--"); false when it is not one. */
static bool mp_boundary(const char *ct, char *b, size_t cap)
{
    const char *k;
    size_t n;

    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
        return false;
    k = strstr(ct, "boundary=");
    if (!k)
        return false;
    k += 9;
    if (*k == '"')
        k++;
    n = strcspn(k, "\"; \t");
    if (n == 0 || n > 70 || n + 3 > cap)
        return false;
    b[0] = b[1] = '-';
    memcpy(b + 2, k, n);
    b[n + 2] = '\0';
    return true;
}

/* The next part after *p (just past a delimiter line); false at the end or
 * on a malformed body. */
static bool mp_next(const char **p, const char *end, const char *bnd, struct part *pt)
{
    size_t bl = strlen(bnd);
    const char *q = *p, *hend, *cd, *nm, *next;
    char delim[80];

    memset(pt, 0, sizeof(pt[0]));
    if (end - q < 2 || (q[0] == '-' && q[1] == '-'))
        return false;                          /* the closing delimiter */
    if (q[0] != '\r' || q[1] != '\n')
        return false;
    q += 2;
    hend = find(q, end, "\r\n\r\n", 4);
    if (!hend)
        return false;
    /* Content-Disposition: form-data; name="x"; filename="y" (either order) */
    cd = find(q, hend, "name=\"", 6);
    while (cd && cd > q && cd[-1] != ' ' && cd[-1] != ';')
        cd = find(cd + 1, hend, "name=\"", 6);   /* that was filename= */
    if (!cd)
        return false;
    nm = cd + 6;
    {
        const char *close = find(nm, hend, "\"", 1);

        if (!close || (size_t)(close - nm) >= sizeof(pt->name))
            return false;
        memcpy(pt->name, nm, (size_t)(close - nm));
        pt->name[close - nm] = '\0';
    }
    pt->file = find(q, hend, "filename=\"", 10) != NULL;
    pt->data = hend + 4;
    snprintf(delim, sizeof(delim), "\r\n%s", bnd);
    next = find(pt->data, end, delim, bl + 2);
    if (!next)
        return false;
    pt->len = (size_t)(next - pt->data);
    *p = next + bl + 2;
    return true;
}

/* The fields of the import form. */
struct import_form {
    char csrf[PAGE_TOKEN_LEN + 8];
    const char *file;              /* borrowed from the body */
    size_t file_len;
    const char *text;
    size_t text_len;
    bool text_is_url;
};

static bool parse_import(const struct srv_req *r, struct import_form *f)
{
    char bnd[80];
    const char *p, *end;
    struct part pt;

    memset(f, 0, sizeof(*f));
    if (!r->body || !mp_boundary(r->header(r, "Content-Type"), bnd, sizeof(bnd)))
        return false;
    end = r->body + r->body_len;
    p = find(r->body, end, bnd, strlen(bnd));
    if (!p)
        return false;
    p += strlen(bnd);
    while (mp_next(&p, end, bnd, &pt)) {
        if (strcmp(pt.name, "csrf_token") == 0 && pt.len < sizeof(f->csrf)) {
            memcpy(f->csrf, pt.data, pt.len);
            f->csrf[pt.len] = '\0';
        } else if (strcmp(pt.name, "file") == 0 && pt.file && pt.len) {
            f->file = pt.data;
            f->file_len = pt.len;
        } else if ((strcmp(pt.name, "text") == 0 || strcmp(pt.name, "url") == 0) && pt.len &&
                   !f->text) {
            f->text = pt.data;
            f->text_len = pt.len;
            f->text_is_url = pt.name[0] == 'u';
        }
    }
    return true;
}

/* The CSRF check of a multipart form (page_auth_session reads urlencoded
 * forms and headers only): the signed-in session's token must match; on
 * success r->who is the session's user. */
static bool mp_csrf(struct srv_req *r, const char *token)
{
    struct mc_session s;
    size_t n = strlen(token);
    bool ok;

    if (r->who.kind == SRV_AUTH_TOKEN || r->who.kind == SRV_AUTH_SESSION)
        return true;   /* an API token (no cookie: nothing to forge), or a session whose
                        * X-CSRF-Token header the session hook checked already */
    if (page_session(r, &s, NULL) != MCRED_OK)
        return false;
    ok = n > 0 && n == strlen(s.csrf) && sodium_memcmp(token, s.csrf, n) == 0;
    if (ok && r->who.kind == SRV_AUTH_NONE) {
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

/* The import page: the form, and with res the verdict of what was imported,
 * or with error what was wrong. */
static void import_page(struct srv_req *r, struct srv_resp *w, int status,
                        const struct mc_wallet_import *res, const char *error)
{
    cJSON *ctx = wal_page(r, "Import a credential"), *v, *checks;
    char page[64];
    size_t i;
    bool ok = ctx && page_put(ctx, "error", error);

    if (ok && res) {
        v = cJSON_AddObjectToObject(ctx, "result");
        snprintf(page, sizeof(page), "/me/wallet/%lld/share", (long long)res->id);
        ok = v && page_put(v, "verdict", mc_verdict_name(res->verdict.kind)) &&
             page_put(v, "format", res->verdict.format) &&
             page_put(v, "issuer", res->verdict.issuer[0] ? res->verdict.issuer : NULL) &&
             page_put(v, "share_page", page) &&
             cJSON_AddBoolToObject(v, "duplicate", res->duplicate);
        checks = ok ? cJSON_AddArrayToObject(v, "checks") : NULL;
        ok = ok && checks;
        for (i = 0; ok && i < res->verdict.n; i++) {
            const struct mc_check *c = &res->verdict.checks[i];
            cJSON *o = cJSON_CreateObject();

            ok = o && cJSON_AddItemToArray(checks, o) && page_put(o, "name", c->name) &&
                 page_put(o, "state", mc_check_state_name(c->state)) &&
                 page_put(o, "reason", c->reason);
        }
    }
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, status, "wallet_import", ctx);
}

static void wal_import_form(struct srv_req *r, struct srv_resp *w)
{
    int64_t learner;

    if (wal_learner(r, w, &learner))
        import_page(r, w, 200, NULL, NULL);
}

static void wal_import(struct srv_req *r, struct srv_resp *w)
{
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_wallet_ctx c;
    struct mc_wallet_import *res;
    struct mc_platform_issuer pi;
    struct import_form f;
    struct mc_err err;
    int64_t learner;
    bool have_pi;
    char msg[MC_ERRMSG_MAX + 64];

    if (!parse_import(r, &f)) {
        page_error(r, w, 400, "invalid", "the import form must be sent as multipart/form-data");
        return;
    }
    if (!mp_csrf(r, f.csrf)) {
        page_form_auth(r, w);   /* 403 for a session with a wrong token, else sign in */
        return;
    }
    if (!wal_learner(r, w, &learner))
        return;
    if (!f.file && !f.text) {
        import_page(r, w, 400, NULL, "Choose a file, paste a credential or give a URL.");
        return;
    }
    res = mc_calloc(1, sizeof(*res));
    if (!res) {
        page_error(r, w, 500, "internal", "out of memory");
        return;
    }
    wal_ctx(r, &src, &o, &c);
    /* stack credentials the import completes are issued at once when this
     * server can sign for the organisation (else they wait: wallet.h) */
    mc_err_clear(&err);
    memset(&pi, 0, sizeof(pi));
    have_pi = mc_platform_issuing(r->srv->plat, r->st, r->who.org, 0, r->who.email, &pi,
                                  &err) == MCRED_OK;
    if (have_pi)
        c.issuing = &pi.is;
    mc_err_clear(&err);
    if (mc_wallet_import(&c, learner, f.file ? f.file : f.text, f.file ? f.file_len : f.text_len,
                         f.file ? "file" : (f.text_is_url ? "url" : "paste"), res,
                         &err) != MCRED_OK) {
        struct srv_resp tmp;

        srv_resp_init(&tmp);
        srv_error_rc(&tmp, &err);
        snprintf(msg, sizeof(msg), "Nothing was imported: %s.", mc_err_msg(&err));
        import_page(r, w, tmp.status >= 500 ? tmp.status : 400, NULL, msg);
        srv_resp_release(&tmp);
    } else {
        import_page(r, w, res->duplicate ? 200 : 201, res, NULL);
    }
    if (have_pi)
        mc_platform_issuer_release(&pi);
    mc_free(res);
}

/* --- share ------------------------------------------------------------------------------ */

/* The LinkedIn "add to profile" link of a shared badge: its name, the
 * issuer's (doc may be NULL), the issue year and month, the link and id. */
static mcred_rc linkedin(struct mc_buf *b, const char *name, const cJSON *doc, const char *url,
                         const char *share_id)
{
    const char *iname = NULL, *iurl = NULL, *from = mc_json_str(doc, "validFrom");

    if (doc)
        page_cred_issuer(doc, &iname, &iurl);
    if (!from)
        from = mc_json_str(doc, "issuanceDate");
    return page_linkedin_url(b, name, iname, from, url, share_id);
}

static void share_page(struct srv_req *r, struct srv_resp *w, int64_t learner, int64_t item)
{
    struct mc_wallet_item it;
    struct mc_share sh;
    struct mc_buf url, li, em;
    struct mc_err err;
    cJSON *ctx, *doc = NULL;
    char qr[96], idtxt[24];
    const char *name = NULL;
    bool ok, shareable, jwt;

    mc_err_clear(&err);
    if (mc_store_wallet_get(r->st, r->who.org, learner, item, &it, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    if (mc_share_item_get(r->st, r->who.org, learner, item, &sh, &err) != MCRED_OK) {
        mc_wallet_item_release(&it);
        page_error_rc(r, w, &err);
        return;
    }
    shareable = mc_share_doc_credential(it.doc, &doc, &jwt, NULL) == MCRED_OK;
    if (shareable)
        name = doc_name(doc);
    if (!name)
        name = it.cred_id ? it.cred_id : "A credential";
    mc_buf_init(&url, 8192);
    mc_buf_init(&li, 32768);
    mc_buf_init(&em, 32768);
    snprintf(qr, sizeof(qr), "/badges/%s/qr.svg", sh.share_id);
    snprintf(idtxt, sizeof(idtxt), "%lld", (long long)item);
    ctx = wal_page(r, "Share a credential");
    ok = ctx && !mc_share_url(mc_platform_public_url(r->srv->plat), sh.share_id, &url) &&
         !linkedin(&li, name, doc, url.ptr, sh.share_id) &&
         !page_embed_snippet(&em, url.ptr, name, NULL, NULL) &&
         page_put(ctx, "id", idtxt) && page_put(ctx, "name", name) &&
         page_put(ctx, "verdict", it.verdict) && page_put(ctx, "format", it.format) &&
         page_put(ctx, "share_url", url.ptr) && page_put(ctx, "linkedin_url", li.ptr) &&
         page_put(ctx, "embed", em.ptr) && page_put(ctx, "qr_url", qr) &&
         cJSON_AddBoolToObject(ctx, "shared", sh.enabled) &&
         cJSON_AddBoolToObject(ctx, "shareable", shareable);
    mc_buf_release(&url);
    mc_buf_release(&li);
    mc_buf_release(&em);
    cJSON_Delete(doc);
    mc_share_release(&sh);
    mc_wallet_item_release(&it);
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_csp_images(w);
    page_render(r, w, 200, "wallet_share", ctx);
}

static void wal_share_get(struct srv_req *r, struct srv_resp *w)
{
    int64_t learner, item = item_id(r->params[0]);

    if (!item) {   /* never an item id: 404 whoever asks */
        page_error(r, w, 404, "not_found", "wallet item '%.40s' not found", r->params[0]);
        return;
    }
    if (wal_learner(r, w, &learner))
        share_page(r, w, learner, item);
}

static void wal_share_set(struct srv_req *r, struct srv_resp *w)
{
    char en[8], to[64];
    struct mc_wallet_item it;
    struct mc_err err;
    bool json;
    int64_t learner, item = item_id(r->params[0]);

    if (!item) {
        page_error(r, w, 404, "not_found", "wallet item '%.40s' not found", r->params[0]);
        return;
    }
    if (!page_form_auth(r, w) || !wal_learner(r, w, &learner))
        return;
    if (!page_form(r, "enabled", en, sizeof(en)) || (strcmp(en, "1") && strcmp(en, "0"))) {
        page_error(r, w, 400, "invalid", "the form needs enabled (1 or 0)");
        return;
    }
    mc_err_clear(&err);
    if (mc_store_wallet_get(r->st, r->who.org, learner, item, &it, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    {   /* a JSON credential or a VC-JWT has a badge page; OB 2.0 items do not */
        cJSON *doc = NULL;
        bool jwt;

        json = mc_share_doc_credential(it.doc, &doc, &jwt, NULL) == MCRED_OK;
        cJSON_Delete(doc);
    }
    mc_wallet_item_release(&it);
    if (en[0] == '1' && !json) {
        page_error(r, w, 400, "invalid", "wallet item %lld is an OB 2.0 assertion or a URL: "
                   "it cannot have a public badge page here", (long long)item);
        return;
    }
    if (mc_share_item_set(r->st, r->who.org, learner, item, en[0] == '1', r->who.email, NULL,
                          &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    snprintf(to, sizeof(to), "/me/wallet/%lld/share", (long long)item);
    page_redirect(w, to);
}

/* /badges/{share}/qr.svg: the QR code of a shared badge's link. */
static void wal_badge_qr(struct srv_req *r, struct srv_resp *w)
{
    struct mc_share sh;
    struct mc_credential c;
    struct mc_buf url;
    struct mc_err err;

    mc_err_clear(&err);
    if (mc_share_resolve(r->st, r->params[0], &sh, &c, &err) != MCRED_OK) {
        srv_error_rc(w, &err);
        return;
    }
    mc_buf_init(&url, 8192);
    mc_buf_reset(&w->body);
    if (mc_share_url(mc_platform_public_url(r->srv->plat), sh.share_id, &url) ||
        mc_qr_svg(url.ptr, &w->body, NULL, &err)) {
        srv_error(w, 500, "internal", "qr: %s", mc_err_msg(&err));
    } else {
        w->status = 200;
        w->content_type = "image/svg+xml";
        (void)srv_set_header(w, "Cache-Control", "no-cache");
        page_cors_public(w);
    }
    mc_buf_release(&url);
    mc_share_release(&sh);
    mc_credential_release(&c);
}

/* --- presentations -------------------------------------------------------------------------- */

static void wal_present_form(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list items;
    struct mc_err err;
    int64_t learner;
    cJSON *ctx, *list;
    size_t i;
    bool ok;

    if (!wal_learner(r, w, &learner))
        return;
    mc_err_clear(&err);
    if (mc_store_wallet_list(r->st, r->who.org, learner, &items, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    ctx = wal_page(r, "Make a presentation");
    list = ctx ? cJSON_AddArrayToObject(ctx, "items") : NULL;
    ok = list != NULL;
    for (i = items.n; ok && i-- > 0;)
        ok = item_row(r, &((const struct mc_wallet_item *)items.rows)[i], list);
    if (ok && items.n)
        ok = cJSON_AddTrueToObject(ctx, "has_items") != NULL;
    mc_store_list_clear(&items);
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, 200, "wallet_present", ctx);
}

/* Every value of the urlencoded field name ("item", repeated) as item ids
 * into ids (at most cap); false on a value that is no item id. */
static bool form_items(const struct srv_req *r, int64_t *ids, size_t cap, size_t *n)
{
    const char *q = r->body, *end = r->body ? r->body + r->body_len : NULL;

    *n = 0;
    while (q && q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        size_t len = (size_t)((amp ? amp : end) - q);
        char v[24];

        if (len > 5 && memcmp(q, "item=", 5) == 0) {
            if (len - 5 >= sizeof(v) || *n >= cap)
                return false;
            memcpy(v, q + 5, len - 5);
            v[len - 5] = '\0';
            ids[*n] = item_id(v);
            if (!ids[(*n)++])
                return false;
        }
        q += len + 1;
    }
    return true;
}

static void wal_present(struct srv_req *r, struct srv_resp *w)
{
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_wallet_ctx c;
    struct mc_keyfile_lock lock;
    struct mc_err err;
    int64_t learner, ids[MC_WALLET_MAX_PRESENT];
    char challenge[512], domain[512];
    const char *dom;
    size_t n;

    if (!page_form_auth(r, w) || !wal_learner(r, w, &learner))
        return;
    if (!form_items(r, ids, MC_WALLET_MAX_PRESENT, &n) || n == 0) {
        page_error(r, w, 400, "invalid", "choose 1 to %d credentials of your wallet",
                   MC_WALLET_MAX_PRESENT);
        return;
    }
    if (!page_form(r, "challenge", challenge, sizeof(challenge)) || !challenge[0]) {
        page_error(r, w, 400, "invalid", "the presentation needs the verifier's challenge");
        return;
    }
    dom = page_form(r, "domain", domain, sizeof(domain));
    wal_ctx(r, &src, &o, &c);
    if (mc_platform_keylock(r->srv->plat, &lock))
        c.lock = &lock;   /* else the wallet verb says the key cannot be unlocked */
    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (mc_wallet_present(&c, learner, ids, n, challenge, dom && dom[0] ? dom : NULL, &w->body,
                          &err) != MCRED_OK) {
        mc_buf_reset(&w->body);
        page_error_rc(r, w, &err);
        return;
    }
    w->status = 200;
    w->content_type = "application/json";
    (void)srv_set_header(w, "Content-Disposition",
                         "attachment; filename=\"presentation.json\"");
}

/* --- routes ------------------------------------------------------------------------------- */

const struct srv_route srv_routes_wallet[] = {
    { "GET", "/me/wallet", wal_list, SRV_PUBLIC },
    { "GET", "/me/wallet/import", wal_import_form, SRV_PUBLIC },
    { "POST", "/me/wallet/import", wal_import, SRV_PUBLIC },
    { "GET", "/me/wallet/present", wal_present_form, SRV_PUBLIC },
    { "POST", "/me/wallet/present", wal_present, SRV_PUBLIC },
    { "GET", "/me/wallet/{item}/share", wal_share_get, SRV_PUBLIC },
    { "POST", "/me/wallet/{item}/share", wal_share_set, SRV_PUBLIC },
    { "GET", "/badges/{share}/qr.svg", wal_badge_qr, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};
