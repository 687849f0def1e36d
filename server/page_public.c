/* page_public.c - public documents and the home page: did:web DID documents
 * of this host's issuers, the signed status list credentials at the URLs the
 * issuers put into credentials, achievement pages (JSON or HTML by content
 * negotiation), the embedded static files, and the front page with the
 * badges organisations chose to showcase.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "pages.h"
#include "service/didweb.h"
#include "web_assets.h"

#define PAGE_LIST_MAX 100      /* items of one list (skills, tags) shown from a document */
#define HOME_BADGES 24         /* badges on the front page */

/* --- fields of credentials and achievements ------------------------------------------- */

const cJSON *page_cred_achievement(const cJSON *cred)
{
    const cJSON *subj = mc_json_get(cred, "credentialSubject");

    if (cJSON_IsArray(subj))
        subj = subj->child;
    return cJSON_IsObject(mc_json_get(subj, "achievement")) ? mc_json_get(subj, "achievement")
                                                             : NULL;
}

void page_cred_issuer(const cJSON *cred, const char **name, const char **url)
{
    const cJSON *iss = mc_json_get(cred, "issuer");

    *name = NULL;
    *url = NULL;
    if (cJSON_IsString(iss)) {
        *name = iss->valuestring;
        return;
    }
    *name = mc_json_str(iss, "name");
    if (!*name)
        *name = mc_json_str(iss, "id");
    *url = page_safe_url(mc_json_str(iss, "url"), false);
}

/* An image's URL: a string, or an object's id (OB 3.0 Image). */
static const char *image_url(const cJSON *img)
{
    if (cJSON_IsString(img))
        return page_safe_url(img->valuestring, true);
    return page_safe_url(mc_json_str(img, "id"), true);
}

/* A list named name added to ctx, with "has_<name>": true beside it (a
 * section over the list itself would repeat once per element). */
static cJSON *add_list(cJSON *ctx, const char *name)
{
    char flag[48];

    snprintf(flag, sizeof(flag), "has_%s", name);
    if (!cJSON_AddTrueToObject(ctx, flag))
        return NULL;
    return cJSON_AddArrayToObject(ctx, name);
}

/* ctx.name = the strings of arr (at most PAGE_LIST_MAX); nothing when none. */
static bool put_strings(cJSON *ctx, const char *name, const cJSON *arr)
{
    const cJSON *e;
    cJSON *out;
    size_t n = 0;

    if (!cJSON_IsArray(arr) || !arr->child)
        return true;
    out = add_list(ctx, name);
    if (!out)
        return false;
    cJSON_ArrayForEach(e, arr) {
        cJSON *s;

        if (!cJSON_IsString(e) || n++ >= PAGE_LIST_MAX)
            continue;
        s = cJSON_CreateString(e->valuestring);
        if (!s || !cJSON_AddItemToArray(out, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return true;
}

/* ctx.skills = [{name, framework, url}] of the alignments. */
static bool put_skills(cJSON *ctx, const cJSON *align)
{
    const cJSON *a;
    cJSON *out;
    size_t n = 0;

    if (!cJSON_IsArray(align) || !align->child)
        return true;
    out = add_list(ctx, "skills");
    if (!out)
        return false;
    cJSON_ArrayForEach(a, align) {
        const char *name = mc_json_str(a, "targetName");
        cJSON *o;

        if (!name || n++ >= PAGE_LIST_MAX)
            continue;
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(out, o)) {
            cJSON_Delete(o);
            return false;
        }
        if (!page_put(o, "name", name) ||
            !page_put(o, "framework", mc_json_str(a, "targetFramework")) ||
            !page_put(o, "url", page_safe_url(mc_json_str(a, "targetUrl"), false)))
            return false;
    }
    return true;
}

/* ctx.results = [{name, kind}] of the result descriptions. */
static bool put_results(cJSON *ctx, const cJSON *rds)
{
    const cJSON *d;
    cJSON *out;
    size_t n = 0;

    if (!cJSON_IsArray(rds) || !rds->child)
        return true;
    out = add_list(ctx, "results");
    if (!out)
        return false;
    cJSON_ArrayForEach(d, rds) {
        cJSON *o;

        if (!mc_json_str(d, "name") || n++ >= PAGE_LIST_MAX)
            continue;
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(out, o)) {
            cJSON_Delete(o);
            return false;
        }
        if (!page_put(o, "name", mc_json_str(d, "name")) ||
            !page_put(o, "kind", mc_json_str(d, "resultType")))
            return false;
    }
    return true;
}

bool page_achievement_fields(cJSON *ctx, const cJSON *ach)
{
    const cJSON *crit = mc_json_get(ach, "criteria"), *credits;
    const char *name = mc_json_str(ach, "name");
    bool ok;

    ok = page_put(ctx, "name", name ? name : "Achievement") &&
         page_put(ctx, "description", mc_json_str(ach, "description")) &&
         page_put(ctx, "type", mc_json_str(ach, "achievementType")) &&
         page_put(ctx, "image", image_url(mc_json_get(ach, "image"))) &&
         page_put(ctx, "field", mc_json_str(ach, "fieldOfStudy")) &&
         put_strings(ctx, "tags", mc_json_get(ach, "tag")) &&
         put_skills(ctx, mc_json_get(ach, "alignment")) &&
         put_results(ctx, mc_json_get(ach, "resultDescription"));
    if (ok && cJSON_IsObject(crit)) {
        const char *narr = mc_json_str(crit, "narrative");
        const char *url = page_safe_url(mc_json_str(crit, "id"), false);

        if (narr || url) {
            cJSON *c = cJSON_AddObjectToObject(ctx, "criteria");

            ok = c && page_put(c, "narrative", narr) && page_put(c, "url", url);
        }
    }
    credits = mc_json_get(ach, "creditsAvailable");
    if (ok && cJSON_IsNumber(credits))
        ok = cJSON_AddNumberToObject(ctx, "credits", credits->valuedouble) != NULL;
    return ok;
}

/* --- static files ---------------------------------------------------------------------- */

void page_static(struct srv_req *r, struct srv_resp *w)
{
    char name[128], etag[32];
    const struct web_asset *a;
    const char *inm = r->header(r, "If-None-Match");

    snprintf(name, sizeof(name), "static/%s", r->params[0]);
    a = strlen(r->params[0]) < 96 ? web_asset_find(name) : NULL;
    if (!a) {
        srv_error(w, 404, "not_found", "no static file '%s'", r->params[0]);
        return;
    }
    snprintf(etag, sizeof(etag), "\"%s\"", a->etag);
    (void)srv_set_header(w, "ETag", etag);
    (void)srv_set_header(w, "Cache-Control", "public, max-age=31536000, immutable");
    if (inm && strstr(inm, etag)) {
        w->status = 304;
        w->content_type = NULL;
        return;
    }
    if (mc_buf_append(&w->body, a->data, a->len)) {
        srv_error(w, 500, "internal", "out of memory");
        return;
    }
    w->status = 200;
    w->content_type = a->type;
}

/* --- did:web, status lists, achievements ---------------------------------------------- */

void page_did(struct srv_req *r, struct srv_resp *w)
{
    struct mc_err err;

    mc_err_clear(&err);
    mc_buf_reset(&w->body);
    if (mc_didweb_serve(r->st, mc_platform_public_url(r->srv->plat), r->path, &w->body,
                        &err) != MCRED_OK) {
        mc_buf_reset(&w->body);
        srv_error_rc(w, &err);
        return;
    }
    w->status = 200;
    w->content_type = "application/did+json";
    page_cors_public(w);
    (void)srv_set_header(w, "Cache-Control", "public, max-age=300");
}

static bool plain_segment(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 128)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

void page_status_list(struct srv_req *r, struct srv_resp *w)
{
    const char *purpose = r->params[0], *id = r->params[1];
    struct mc_status_list l;
    struct mc_err err;
    char url[1024];

    if ((strcmp(purpose, "revocation") != 0 && strcmp(purpose, "suspension") != 0) ||
        !plain_segment(id)) {
        srv_error(w, 404, "not_found", "no status list at %s", r->path);
        return;
    }
    snprintf(url, sizeof(url), "%s/status/%s/%s", mc_platform_public_url(r->srv->plat), purpose,
             id);
    mc_err_clear(&err);
    if (mc_store_status_list_by_url(r->st, url, &l, &err) != MCRED_OK) {
        srv_error_rc(w, &err);
        return;
    }
    if (!l.doc) {
        srv_error(w, 404, "not_found", "the status list %s has not been published yet", url);
    } else if (mc_buf_appends(&w->body, l.doc)) {
        srv_error(w, 500, "internal", "out of memory");
    } else {
        w->status = 200;
        w->content_type = "application/json";
        page_cors_public(w);
        /* short: a revocation must be seen soon */
        (void)srv_set_header(w, "Cache-Control", "public, max-age=60");
    }
    mc_status_list_release(&l);
}

static void achievement_html(struct srv_req *r, struct srv_resp *w,
                             const struct mc_achievement *row, const char *uri)
{
    struct mc_err err;
    cJSON *ach = NULL, *ctx;

    mc_err_clear(&err);
    if (mc_json_parse(row->json, strlen(row->json), 0, &ach, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    ctx = page_ctx(r, mc_json_str(ach, "name") ? mc_json_str(ach, "name") : "Achievement");
    if (ctx && !(page_achievement_fields(ctx, ach) &&
                 cJSON_AddNumberToObject(ctx, "version", row->version) &&
                 page_put(ctx, "json_url", uri))) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    cJSON_Delete(ach);
    page_csp_images(w);
    page_render(r, w, 200, "achievement", ctx);
}

void page_achievement(struct srv_req *r, struct srv_resp *w)
{
    struct mc_achievement row;
    struct mc_err err;
    char uri[1024];

    (void)srv_set_header(w, "Vary", "Accept");
    if ((size_t)snprintf(uri, sizeof(uri), "%s/achievements/%s",
                         mc_platform_public_url(r->srv->plat), r->params[0]) >= sizeof(uri)) {
        page_error(r, w, 404, "not_found", "no such achievement");
        return;
    }
    mc_err_clear(&err);
    if (mc_store_achievement_by_uri(r->st, uri, &row, &err) != MCRED_OK) {
        page_error_rc(r, w, &err);
        return;
    }
    if (srv_wants_html(r)) {
        achievement_html(r, w, &row, uri);
    } else if (mc_buf_appends(&w->body, row.json)) {
        srv_error(w, 500, "internal", "out of memory");
    } else {
        w->status = 200;
        w->content_type = "application/json";
        page_cors_public(w);
    }
    mc_achievement_release(&row);
}

/* --- the home page ---------------------------------------------------------------------- */

/* One showcased badge: {url, name, issuer, image}. */
static bool home_badge(struct srv_req *r, const struct mc_share *sh, cJSON *list)
{
    struct mc_credential c;
    cJSON *doc = NULL, *o;
    const char *iname, *iurl;
    char url[64];
    bool ok = true;

    if (mc_store_cred_get(r->st, sh->org_id, sh->cred_id, &c, NULL) != MCRED_OK)
        return true;   /* gone: skip */
    if (mc_json_parse(c.doc, strlen(c.doc), 0, &doc, NULL) == MCRED_OK) {
        const cJSON *ach = page_cred_achievement(doc);

        page_cred_issuer(doc, &iname, &iurl);
        snprintf(url, sizeof(url), "/badges/%s", sh->share_id);
        o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(list, o);
        if (!ok)
            cJSON_Delete(o);
        ok = ok && page_put(o, "url", url) &&
             page_put(o, "name", mc_json_str(ach, "name") ? mc_json_str(ach, "name") : "Badge") &&
             page_put(o, "issuer", iname) &&
             page_put(o, "image", image_url(mc_json_get(ach, "image")));
        cJSON_Delete(doc);
    }
    mc_credential_release(&c);
    return ok;
}

void page_home(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list shares;
    cJSON *ctx = page_ctx(r, "Verifiable micro-credentials"), *list;
    size_t i;
    bool ok = ctx != NULL;

    memset(&shares, 0, sizeof(shares));
    if (ok && mc_store_share_showcase(r->st, HOME_BADGES, &shares, NULL) == MCRED_OK &&
        shares.n > 0) {
        list = cJSON_AddArrayToObject(ctx, "badges");
        ok = list != NULL;
        for (i = 0; ok && i < shares.n; i++)
            ok = home_badge(r, &((struct mc_share *)shares.rows)[i], list);
    }
    mc_store_list_clear(&shares);
    if (ok && cJSON_GetArraySize(mc_json_get(ctx, "badges")) > 0)
        ok = cJSON_AddTrueToObject(ctx, "has_badges") != NULL;
    if (!ok) {
        cJSON_Delete(ctx);
        ctx = NULL;
    }
    page_csp_images(w);
    page_render(r, w, 200, "home", ctx);
}
