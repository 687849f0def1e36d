/* page_badge.c - badge pages at /badges/{share_id} (HTML for people, the
 * signed credential for machines), their live verification, the verifier
 * page and its JSON endpoint, and the share switch: the signed-in user's
 * page (/me) and the learner's API (/api/v1/me/credentials/{id}/share).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

#include "pages.h"
#include "service/share.h"
#include "service/verify.h"
#include "util/codec.h"

#define CHECK_MAX_FETCH ((size_t)4 << 20)   /* a credential fetched by URL */
#define CHECK_MAX_DATA ((size_t)16 << 20)   /* a dropped file, decoded */
#define ME_MAX_CREDS 50                     /* credentials listed on /me */

/* --- the badge page ------------------------------------------------------------------- */

/* "2024-05-01T..." -> "2024-05-01" into day; false when s is no date. */
static bool day_of(const char *s, char day[11])
{
    size_t i;

    for (i = 0; s && i < 10; i++) {
        if (!s[i] || (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')))
            return false;
    }
    if (!s)
        return false;
    memcpy(day, s, 10);
    day[10] = '\0';
    return true;
}

/* ctx.<name> and ctx.<name>_day for a date of the credential. */
static bool put_date(cJSON *ctx, const char *name, const char *value)
{
    char day[11], key[32];

    if (!value)
        return true;
    snprintf(key, sizeof(key), "%s_day", name);
    return page_put(ctx, name, value) && page_put(ctx, key, day_of(value, day) ? day : value);
}

mcred_rc page_linkedin_url(struct mc_buf *b, const char *name, const char *issuer,
                           const char *issued, const char *share_url, const char *share_id)
{
    char day[11];
    mcred_rc rc = mc_buf_appends(b, "https://www.linkedin.com/profile/add?startTask="
                                    "CERTIFICATION_NAME&name=");

    if (!rc)
        rc = page_url_encode(b, name);
    if (!rc && issuer) {
        rc = mc_buf_appends(b, "&organizationName=");
        if (!rc)
            rc = page_url_encode(b, issuer);
    }
    if (!rc && day_of(issued, day))
        rc = mc_buf_printf(b, "&issueYear=%.4s&issueMonth=%d", day,
                           (day[5] - '0') * 10 + (day[6] - '0'));
    if (!rc)
        rc = mc_buf_appends(b, "&certUrl=");
    if (!rc)
        rc = page_url_encode(b, share_url);
    if (!rc)
        rc = mc_buf_appends(b, "&certId=");
    if (!rc)
        rc = page_url_encode(b, share_id);
    return rc;
}

mcred_rc page_embed_snippet(struct mc_buf *b, const char *share_url, const char *name,
                            const char *issuer, const char *image)
{
    mcred_rc rc = mc_buf_appends(b, "<a href=\"");

    if (!rc)
        rc = srv_html_escape(b, share_url);
    if (!rc && image) {
        rc = mc_buf_appends(b, "\"><img src=\"");
        if (!rc)
            rc = srv_html_escape(b, image);
        if (!rc)
            rc = mc_buf_appends(b, "\" width=\"120\" height=\"120\" alt=\"");
        if (!rc)
            rc = srv_html_escape(b, name);
        if (!rc)
            rc = mc_buf_appends(b, "\"></a>\n<a href=\"");
        if (!rc)
            rc = srv_html_escape(b, share_url);
    }
    if (!rc)
        rc = mc_buf_appends(b, "\">");
    if (!rc)
        rc = srv_html_escape(b, name);
    if (!rc)
        rc = mc_buf_appends(b, "</a>");
    if (!rc && issuer) {
        rc = mc_buf_appends(b, " \xc2\xb7 issued by ");
        if (!rc)
            rc = srv_html_escape(b, issuer);
    }
    return rc;
}

/* The learner's name, for "issued to" (NULL when unknown). Owned. */
static char *learner_name(struct srv_req *r, const struct mc_credential *c)
{
    struct mc_learner l;
    char *name;

    /* the learner row it was issued to, else the one its recipient names */
    if (mc_store_learner_get(r->st, c->org_id, c->learner_id > 0 ? c->learner_id : 0,
                             c->learner_id > 0 ? NULL : c->recipient, &l, NULL) != MCRED_OK)
        return NULL;
    name = l.name;
    l.name = NULL;
    mc_learner_release(&l);
    return name;
}

/* The share, verification and card fields of the badge page. */
static bool badge_links(struct srv_req *r, cJSON *ctx, const struct mc_share *sh,
                        const char *name, const char *issuer, const char *issued)
{
    const cJSON *img = mc_json_get(ctx, "image");
    const char *image = cJSON_IsString(img) ? img->valuestring : NULL;
    struct mc_buf url, li, embed;
    char local[96];
    cJSON *og;
    bool ok;

    mc_buf_init(&url, 8192);
    mc_buf_init(&li, 32768);
    mc_buf_init(&embed, 65536);
    ok = !mc_share_url(mc_platform_public_url(r->srv->plat), sh->share_id, &url) &&
         !page_linkedin_url(&li, name, issuer, issued, url.ptr, sh->share_id) &&
         !page_embed_snippet(&embed, url.ptr, name, issuer, page_safe_url(image, false));
    ok = ok && page_put(ctx, "share_url", url.ptr) && page_put(ctx, "linkedin_url", li.ptr) &&
         page_put(ctx, "embed", embed.ptr) && page_put(ctx, "pending", "Checking\xe2\x80\xa6");
    snprintf(local, sizeof(local), "/badges/%s/verify", sh->share_id);
    ok = ok && page_put(ctx, "verify_url", local);
    snprintf(local, sizeof(local), "/badges/%s/credential.json", sh->share_id);
    ok = ok && page_put(ctx, "download_url", local);
    snprintf(local, sizeof(local), "/badges/%s/qr.svg", sh->share_id);
    ok = ok && page_put(ctx, "qr_url", local);
    og = ok ? cJSON_AddObjectToObject(ctx, "og") : NULL;
    ok = og && page_put(og, "title", name) &&
         page_put(og, "description", mc_json_str(ctx, "description") ?
                                         mc_json_str(ctx, "description") : name) &&
         page_put(og, "url", url.ptr) && page_put(og, "image", page_safe_url(image, false));
    mc_buf_release(&url);
    mc_buf_release(&li);
    mc_buf_release(&embed);
    return ok;
}

/* Everything the badge template shows, from the signed credential. */
static cJSON *badge_ctx(struct srv_req *r, const struct mc_share *sh,
                        const struct mc_credential *c, const cJSON *doc)
{
    const cJSON *ach = page_cred_achievement(doc);
    const char *name = mc_json_str(ach, "name"), *iname, *iurl, *from, *until, *aid;
    const char *base = mc_platform_public_url(r->srv->plat);
    char *who = learner_name(r, c);
    cJSON *ctx, *iss;
    bool ok;

    if (!name)
        name = mc_json_str(doc, "name") ? mc_json_str(doc, "name") : "Badge";
    page_cred_issuer(doc, &iname, &iurl);
    from = mc_json_str(doc, "validFrom") ? mc_json_str(doc, "validFrom")
                                         : mc_json_str(doc, "issuanceDate");
    until = mc_json_str(doc, "validUntil") ? mc_json_str(doc, "validUntil")
                                           : mc_json_str(doc, "expirationDate");
    aid = mc_json_str(ach, "id");
    ctx = page_ctx(r, name);
    ok = ctx && page_achievement_fields(ctx, ach) && page_put(ctx, "name", NULL);
    /* the credential's own name when the achievement has none */
    if (ok && !mc_json_str(ach, "name"))
        ok = cJSON_ReplaceItemInObject(ctx, "name", cJSON_CreateString(name));
    iss = ok ? cJSON_AddObjectToObject(ctx, "issuer") : NULL;
    ok = iss && page_put(iss, "name", iname ? iname : "an unnamed issuer") &&
         page_put(iss, "url", iurl) && page_put(ctx, "recipient", who) &&
         put_date(ctx, "valid_from", from) && put_date(ctx, "valid_until", until);
    if (ok && aid && strncmp(aid, base, strlen(base)) == 0 &&
        strncmp(aid + strlen(base), "/achievements/", 14) == 0)
        ok = page_put(ctx, "achievement_url", aid + strlen(base));
    ok = ok && badge_links(r, ctx, sh, name, iname, from);
    mc_free(who);
    if (!ok) {
        cJSON_Delete(ctx);
        return NULL;
    }
    return ctx;
}

void page_badge(struct srv_req *r, struct srv_resp *w)
{
    struct mc_share sh;
    struct mc_credential c;
    struct mc_err err;
    cJSON *doc = NULL;
    bool jwt;

    (void)srv_set_header(w, "Vary", "Accept");
    mc_err_clear(&err);
    if (mc_share_resolve(r->st, r->params[0], &sh, &c, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    if (!srv_wants_html(r)) {
        /* machines get the signed credential itself (a VC-JWT as it is) */
        if (mc_buf_appends(&w->body, c.doc)) {
            srv_error(w, 500, "internal", "out of memory");
        } else {
            w->status = 200;
            w->content_type = c.doc[0] == '{' ? "application/json" : "application/vc+jwt";
            page_cors_public(w);
        }
    } else if (mc_share_doc_credential(c.doc, &doc, &jwt, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
    } else {
        page_csp_images(w);
        page_render(r, w, 200, "badge", badge_ctx(r, &sh, &c, doc));
    }
    cJSON_Delete(doc);
    mc_share_release(&sh);
    mc_credential_release(&c);
}

/* Verify p[0..n) with the platform's options; the verdict as the response. */
static void verdict_response(struct srv_req *r, struct srv_resp *w, const char *p, size_t n)
{
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_verdict *v = mc_calloc(1, sizeof(*v));
    struct mc_err err;

    if (!v) {
        srv_error(w, 500, "internal", "out of memory");
        return;
    }
    mc_platform_verify_opts(r->srv->plat, r->st, &src, &o);
    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (mc_verify_bytes(p, n, &o, v, &err) != MCRED_OK) {
        srv_error_rc(w, &err);
    } else if (mc_verdict_json(v, &w->body) != MCRED_OK) {
        srv_error(w, 500, "internal", "out of memory");
    } else {
        w->status = 200;
        w->content_type = "application/json";
    }
    mc_free(v);
}

void page_badge_verify(struct srv_req *r, struct srv_resp *w)
{
    struct mc_share sh;
    struct mc_credential c;
    struct mc_err err;

    mc_err_clear(&err);
    if (mc_share_resolve(r->st, r->params[0], &sh, &c, &err) != MCRED_OK) {
        srv_error_rc(w, &err);
        return;
    }
    verdict_response(r, w, c.doc, strlen(c.doc));
    mc_share_release(&sh);
    mc_credential_release(&c);
}

void page_badge_download(struct srv_req *r, struct srv_resp *w)
{
    struct mc_share sh;
    struct mc_credential c;
    struct mc_err err;

    mc_err_clear(&err);
    if (mc_share_resolve(r->st, r->params[0], &sh, &c, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    if (mc_buf_appends(&w->body, c.doc)) {
        srv_error(w, 500, "internal", "out of memory");
    } else if (c.doc[0] != '{') {   /* a VC-JWT, as it was signed */
        w->status = 200;
        w->content_type = "application/vc+jwt";
        (void)srv_set_header(w, "Content-Disposition", "attachment; filename=\"credential.jwt\"");
    } else {
        w->status = 200;
        w->content_type = "application/json";
        (void)srv_set_header(w, "Content-Disposition", "attachment; filename=\"credential.json\"");
    }
    mc_share_release(&sh);
    mc_credential_release(&c);
}

/* --- the verifier ------------------------------------------------------------------------ */

void page_verifier(struct srv_req *r, struct srv_resp *w)
{
    cJSON *ctx = page_ctx(r, "Verify a credential");

    if (ctx && !page_put(ctx, "pending", "")) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, 200, "verify", ctx);
}

static bool is_url(const char *s, size_t n)
{
    size_t i;

    if (n > 2048 || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
        return false;
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= ' ')
            return false;
    }
    return true;
}

/* Verify what was pasted: a URL (fetched through the platform's fetcher,
 * which refuses private addresses unless the operator allows them), or the
 * text itself (JSON or a JWT). */
static void check_text(struct srv_req *r, struct srv_resp *w, const char *s)
{
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_buf got;
    struct mc_err err;
    size_t n;
    char *url;

    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    if (n == 0) {
        srv_error(w, 400, "invalid", "request body: input: nothing to verify");
        return;
    }
    if (!is_url(s, n)) {
        verdict_response(r, w, s, n);
        return;
    }
    mc_platform_verify_opts(r->srv->plat, NULL, &src, &o);
    if (!o.fetcher) {
        srv_error(w, 501, "unsupported", "this server does not fetch URLs");
        return;
    }
    url = mc_strndup(s, n);
    mc_buf_init(&got, CHECK_MAX_FETCH);
    mc_err_clear(&err);
    if (!url) {
        srv_error(w, 500, "internal", "out of memory");
    } else if (o.fetcher->fetch(o.fetcher->ud, url, &got, &err) != MCRED_OK) {
        srv_error(w, err.rc == MCRED_ERR_NOMEM ? 500 : 400, "fetch_failed",
                  "request body: input: cannot fetch the URL: %s", mc_err_msg(&err));
    } else {
        verdict_response(r, w, got.ptr ? got.ptr : "", got.len);
    }
    mc_buf_release(&got);
    mc_free(url);
}

void page_verify_check(struct srv_req *r, struct srv_resp *w)
{
    cJSON *body = srv_body_json(r, w);
    const cJSON *input, *data;
    struct mc_buf raw;

    if (!body)
        return;
    input = mc_json_get(body, "input");
    data = mc_json_get(body, "data");
    if (cJSON_IsString(input)) {
        check_text(r, w, input->valuestring);
    } else if (cJSON_IsString(data)) {
        mc_buf_init(&raw, CHECK_MAX_DATA);
        if (mc_b64_decode(&raw, data->valuestring, strlen(data->valuestring)) != MCRED_OK)
            srv_error(w, 400, "invalid", "request body: data: not valid base64");
        else if (raw.len == 0)
            srv_error(w, 400, "invalid", "request body: data: the file is empty");
        else
            verdict_response(r, w, raw.ptr, raw.len);
        mc_buf_release(&raw);
    } else {
        srv_error(w, 400, "invalid", "request body: give \"input\" (a credential as JSON, a "
                                     "JWT or a URL) or \"data\" (a file, base64)");
    }
    cJSON_Delete(body);
}

/* --- share links: the user's page and the API ---------------------------------------- */

/* The credential id a path segment names: a whole id, or the last part of
 * one of this server's ids ("<public_url>/credentials/<uuid>"). */
static void cred_id_of(const struct srv_req *r, const char *seg, char *out, size_t cap)
{
    if (strchr(seg, ':'))
        mc_strlcpy(out, seg, cap);
    else
        snprintf(out, cap, "%s/credentials/%s", mc_platform_public_url(r->srv->plat), seg);
}

/* The credential id of org the principal may share: a learner only their
 * own, an administrator or issuer any of the organisation's. */
static mcred_rc may_share(struct srv_req *r, const char *id, struct mc_err *err)
{
    struct mc_credential c;
    mcred_rc rc;

    if (r->who.role != MC_ROLE_LEARNER && r->who.role != MC_ROLE_ADMIN &&
        r->who.role != MC_ROLE_ISSUER)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "credential '%s' not found", id);
    rc = mc_share_cred(r->st, r->who.org, id,
                       r->who.role == MC_ROLE_LEARNER ? r->who.email : NULL, &c, err);
    mc_credential_release(&c);
    return rc;
}

static void share_json(struct srv_req *r, struct srv_resp *w, const char *id, bool enabled,
                       const char *share_id)
{
    struct mc_buf url;
    cJSON *o = cJSON_CreateObject();
    bool ok;

    mc_buf_init(&url, 8192);
    ok = o && !mc_share_url(mc_platform_public_url(r->srv->plat), share_id, &url) &&
         page_put(o, "credential", id) && cJSON_AddBoolToObject(o, "enabled", enabled) &&
         page_put(o, "share_id", share_id) &&
         (enabled ? page_put(o, "share_url", url.ptr)
                  : cJSON_AddNullToObject(o, "share_url") != NULL);
    if (ok)
        srv_json(w, 200, o);
    else
        srv_error(w, 500, "internal", "out of memory");
    cJSON_Delete(o);
    mc_buf_release(&url);
}

void page_api_share_get(struct srv_req *r, struct srv_resp *w)
{
    char id[MC_STORE_MAX_TEXT];
    struct mc_share sh;
    struct mc_err err;

    cred_id_of(r, r->params[0], id, sizeof(id));
    mc_err_clear(&err);
    if (may_share(r, id, &err) != MCRED_OK || mc_share_get(r->st, r->who.org, id, &sh, &err)) {
        srv_error_rc(w, &err);
        return;
    }
    share_json(r, w, id, sh.enabled, sh.share_id);
    mc_share_release(&sh);
}

void page_api_share_set(struct srv_req *r, struct srv_resp *w)
{
    char id[MC_STORE_MAX_TEXT], sid[MC_SHARE_ID_LEN + 1];
    cJSON *body = srv_body_json(r, w);
    const cJSON *en;
    struct mc_err err;

    if (!body)
        return;
    en = mc_json_get(body, "enabled");
    if (!cJSON_IsBool(en)) {
        srv_error(w, 400, "invalid", "request body: enabled: expected true or false");
        cJSON_Delete(body);
        return;
    }
    cred_id_of(r, r->params[0], id, sizeof(id));
    mc_err_clear(&err);
    if (may_share(r, id, &err) != MCRED_OK ||
        mc_share_set(r->st, r->who.org, id, cJSON_IsTrue(en), r->who.email, sid, &err)) {
        srv_error_rc(w, &err);
    } else {
        share_json(r, w, id, cJSON_IsTrue(en), sid);
    }
    cJSON_Delete(body);
}

void page_me_share(struct srv_req *r, struct srv_resp *w)
{
    char id[MC_STORE_MAX_TEXT], en[8];
    struct mc_err err;

    if (!page_form_auth(r, w))
        return;
    if (!page_form(r, "credential", id, sizeof(id)) || !page_form(r, "enabled", en, sizeof(en)) ||
        (strcmp(en, "1") != 0 && strcmp(en, "0") != 0)) {
        page_error(r, w, 400, "invalid", "the form needs a credential and enabled (1 or 0)");
        return;
    }
    mc_err_clear(&err);
    if (may_share(r, id, &err) != MCRED_OK ||
        mc_share_set(r->st, r->who.org, id, en[0] == '1', r->who.email, NULL, &err)) {
        page_error_rc(r, w, &err);
        return;
    }
    page_redirect(w, "/me");
}

void page_iso_time(time_t t, char out[32], char day[11])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    memcpy(day, out, 10);
    day[10] = '\0';
}

/* One row of /me: {id, name, issued, issued_day, state, shared, share_url}. */
static bool me_row(struct srv_req *r, const struct mc_credential *c, cJSON *list)
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
        name = mc_json_str(page_cred_achievement(doc), "name");
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

/* The credentials /me lists: a learner's own; the newest of the
 * organisation for an administrator or issuer; none for other roles. */
static mcred_rc me_creds(struct srv_req *r, struct mc_store_list *out, struct mc_err *err)
{
    int64_t n = 0;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (r->who.role == MC_ROLE_LEARNER)
        return mc_store_cred_list_recipient(r->st, r->who.org, r->who.email, 0, ME_MAX_CREDS,
                                            out, err);
    if (r->who.role != MC_ROLE_ADMIN && r->who.role != MC_ROLE_ISSUER)
        return MCRED_OK;
    rc = mc_store_cred_count(r->st, r->who.org, &n, err);
    if (rc)
        return rc;
    return mc_store_cred_list(r->st, r->who.org,
                              n > ME_MAX_CREDS ? (size_t)(n - ME_MAX_CREDS) : 0, ME_MAX_CREDS,
                              out, err);
}

void page_me(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list creds;
    struct mc_session s;
    struct mc_err err;
    cJSON *ctx, *list;
    size_t i;
    bool ok;

    if (r->who.kind == SRV_AUTH_NONE) {
        page_redirect(w, "/login");
        return;
    }
    mc_err_clear(&err);
    if (me_creds(r, &creds, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    ctx = page_ctx(r, "Your credentials");
    ok = ctx && page_put(ctx, "heading", r->who.role == MC_ROLE_LEARNER ?
                                             "Your credentials" : "Recent credentials") &&
         cJSON_AddBoolToObject(ctx, "is_learner", r->who.role == MC_ROLE_LEARNER);
    if (ok && r->who.kind == SRV_AUTH_SESSION && page_session(r, &s, NULL) == MCRED_OK) {
        ok = page_put(ctx, "csrf", s.csrf);
        mc_session_release(&s);
    }
    if (ok && creds.n)
        ok = cJSON_AddTrueToObject(ctx, "has_creds") != NULL;
    list = ok && creds.n ? cJSON_AddArrayToObject(ctx, "creds") : NULL;
    ok = ok && (creds.n == 0 || list);
    /* newest first */
    for (i = creds.n; ok && i-- > 0;) {
        size_t k = r->who.role == MC_ROLE_LEARNER ? creds.n - 1 - i : i;

        ok = me_row(r, &((struct mc_credential *)creds.rows)[k], list);
    }
    mc_store_list_clear(&creds);
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_render(r, w, 200, "me", ctx);
}
