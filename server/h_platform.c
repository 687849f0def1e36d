/* h_platform.c - the platform API (/api/v1/...) and /openapi.json: the
 * caller's organisation, users and roles, API tokens, issuers, achievements,
 * learners, issuing one credential or a file of them as a background job,
 * revocation and suspension, credentials and the audit log. Thin: each
 * handler parses the request, calls one lib/service verb (service/admin.h,
 * service/issue.h, service/jobs.h) or store read, and renders JSON. Rows of
 * another organisation answer 404, exactly like rows that do not exist.
 * docs/platform-api.md is the reference; server/openapi.json the contract.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <strings.h>

#include "h_platform.h"
#include "server.h"
#include "service/admin.h"
#include "service/issue.h"
#include "service/jobs.h"
#include "util/time.h"

#define PAGE_DEFAULT 50            /* items per page unless ?limit= says */
#define PAGE_MAX 200               /* the most ?limit= may ask */
#define OFFSET_MAX ((size_t)1 << 40)
#define REASON_MAX 1000            /* bytes of a revocation or suspension reason */

/* ---- the jobs runner of this process -------------------------------------------------------- */

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mc_jobs *jobs;       /* made on the first job */
static bool swept;                 /* the start-up sweep of abandoned jobs ran */

void srv_platform_stop(struct srv *s)
{
    struct mc_jobs *j;

    (void)s;
    pthread_mutex_lock(&jobs_mu);
    j = jobs;
    jobs = NULL;
    swept = false;
    pthread_mutex_unlock(&jobs_mu);
    mc_jobs_free(j);
}

/* The runner, made on first use. NULL (with err) on failure. */
static struct mc_jobs *get_jobs(struct srv *s, struct mc_err *err)
{
    struct mc_jobs_conf c;
    struct mc_jobs *j;

    pthread_mutex_lock(&jobs_mu);
    if (!jobs) {
        memset(&c, 0, sizeof(c));
        c.plat = s->plat;
        if (mc_jobs_new(&jobs, &c, err) != MCRED_OK)
            jobs = NULL;
    }
    j = jobs;
    pthread_mutex_unlock(&jobs_mu);
    return j;
}

/* Jobs a stopped server left unfinished are failed the first time jobs are
 * submitted or read after a start, and when they are read (at most every
 * MC_JOBS_HEARTBEAT seconds: a sweep is a write), so a reader never sees a
 * dead job as running for much longer than MC_JOBS_STALE. */
static void sweep(struct srv_req *r, bool reading)
{
    static time_t last;
    bool run;

    pthread_mutex_lock(&jobs_mu);
    run = !swept || (reading && r->now - last >= MC_JOBS_HEARTBEAT);
    if (run) {
        swept = true;
        last = r->now;
    }
    pthread_mutex_unlock(&jobs_mu);
    if (run && mc_jobs_sweep(r->st, r->now, NULL, NULL) != MCRED_OK)
        return;   /* the store failed: a later read sweeps again */
}

/* ---- rendering ------------------------------------------------------------------------------ */

static bool add_str(cJSON *o, const char *name, const char *s)
{
    return s ? cJSON_AddStringToObject(o, name, s) != NULL
             : cJSON_AddNullToObject(o, name) != NULL;
}

static bool add_int(cJSON *o, const char *name, int64_t v)
{
    return cJSON_AddNumberToObject(o, name, (double)v) != NULL;
}

static bool add_opt_int(cJSON *o, const char *name, int64_t v)   /* 0: null */
{
    return v ? add_int(o, name, v) : cJSON_AddNullToObject(o, name) != NULL;
}

static bool add_time(cJSON *o, const char *name, time_t t)       /* 0: null */
{
    char buf[32];

    if (!t)
        return cJSON_AddNullToObject(o, name) != NULL;
    mc_time_format(t, buf);
    return cJSON_AddStringToObject(o, name, buf) != NULL;
}

/* Add a parsed copy of the JSON text doc under name (null when it does not
 * parse: a stored document is never made up). */
static bool add_doc(cJSON *o, const char *name, const char *doc)
{
    cJSON *v = NULL;

    if (!doc || mc_json_parse(doc, strlen(doc), MC_STORE_MAX_DOC, &v, NULL) != MCRED_OK)
        return cJSON_AddNullToObject(o, name) != NULL;
    if (!cJSON_AddItemToObject(o, name, v)) {
        cJSON_Delete(v);
        return false;
    }
    return true;
}

static void nomem(struct srv_resp *w)
{
    srv_error(w, 500, "internal", "out of memory");
}

/* Send o (deleted here); NULL: out of memory. */
static void reply(struct srv_resp *w, int status, cJSON *o)
{
    if (!o)
        nomem(w);
    else
        srv_json(w, status, o);
    cJSON_Delete(o);
}

static cJSON *user_json(const struct mc_user *u)
{
    cJSON *o = cJSON_CreateObject();

    if (o && add_int(o, "id", u->id) && add_str(o, "email", u->email) &&
        add_str(o, "role", mc_role_name(u->role)) && add_time(o, "created", u->created))
        return o;
    cJSON_Delete(o);
    return NULL;
}

static cJSON *token_json(const struct mc_token *t)
{
    cJSON *o = cJSON_CreateObject();

    if (o && add_str(o, "id", t->id) && add_int(o, "user", t->user_id) &&
        add_str(o, "email", t->email) && add_str(o, "role", mc_role_name(t->role)) &&
        add_str(o, "label", t->label) && add_time(o, "created", t->created))
        return o;
    cJSON_Delete(o);
    return NULL;
}

static cJSON *issuer_json(const struct mc_issuer *is)
{
    cJSON *o = cJSON_CreateObject();

    if (o && add_int(o, "id", is->id) && add_str(o, "name", is->name) &&
        add_str(o, "url", is->url) && add_str(o, "email", is->email) &&
        add_str(o, "image", is->image) && add_str(o, "did", is->did) &&
        add_time(o, "created", is->created))
        return o;
    cJSON_Delete(o);
    return NULL;
}

/* An achievement's summary; with_doc adds the Achievement itself. */
static cJSON *achievement_json(const struct mc_achievement *a, bool with_doc)
{
    cJSON *o = cJSON_CreateObject(), *doc = NULL;
    bool ok;

    if (a->json && mc_json_parse(a->json, strlen(a->json), MC_STORE_MAX_DOC, &doc, NULL))
        doc = NULL;
    ok = o && add_int(o, "id", a->id) && add_str(o, "uri", a->uri) &&
         add_int(o, "version", a->version) && add_str(o, "name", mc_json_str(doc, "name")) &&
         add_time(o, "created", a->created);
    if (ok && with_doc) {
        ok = doc ? cJSON_AddItemToObject(o, "achievement", doc) != 0
                 : cJSON_AddNullToObject(o, "achievement") != NULL;
        if (ok)
            doc = NULL;
    }
    cJSON_Delete(doc);
    if (ok)
        return o;
    cJSON_Delete(o);
    return NULL;
}

static cJSON *learner_json(const struct mc_learner *l)
{
    cJSON *o = cJSON_CreateObject();

    if (o && add_int(o, "id", l->id) && add_str(o, "name", l->name) &&
        add_str(o, "email", l->email) && add_str(o, "did", l->did) &&
        add_time(o, "created", l->created))
        return o;
    cJSON_Delete(o);
    return NULL;
}

/* A credential's record; with_doc adds the signed document. */
static cJSON *cred_json(const struct mc_credential *c, bool with_doc)
{
    cJSON *o = cJSON_CreateObject();
    bool ok;

    ok = o && add_str(o, "id", c->id) && add_str(o, "state", mc_cred_state_name(c->state)) &&
         add_str(o, "reason", c->reason) && add_str(o, "recipient", c->recipient) &&
         add_time(o, "issued", c->issued) && add_time(o, "valid_until", c->valid_until) &&
         add_int(o, "achievement", c->achievement_id) && add_int(o, "issuer", c->issuer_id) &&
         add_opt_int(o, "learner", c->learner_id);
    if (ok && with_doc)
        ok = add_doc(o, "credential", c->doc);
    if (ok)
        return o;
    cJSON_Delete(o);
    return NULL;
}

static cJSON *job_json(const struct mc_job *j)
{
    cJSON *o = cJSON_CreateObject(), *errs = NULL;
    bool ok;

    ok = o && add_int(o, "id", j->id) && add_int(o, "achievement", j->achievement_id) &&
         add_opt_int(o, "user", j->user_id) &&
         add_str(o, "format", mc_job_format_name(j->format)) &&
         add_str(o, "state", mc_job_state_name(j->state)) && add_int(o, "bytes", j->bytes) &&
         add_int(o, "bytes_read", j->bytes_read) && add_int(o, "rows", j->rows) &&
         add_int(o, "issued", j->issued) && add_int(o, "already", j->already) &&
         add_int(o, "failed", j->failed);
    if (ok && j->row_errors &&
        mc_json_parse(j->row_errors, strlen(j->row_errors), 0, &errs, NULL) == MCRED_OK &&
        cJSON_IsArray(errs)) {
        ok = cJSON_AddItemToObject(o, "row_errors", errs) != 0;
        if (ok)
            errs = NULL;
    } else if (ok) {
        ok = cJSON_AddArrayToObject(o, "row_errors") != NULL;
    }
    cJSON_Delete(errs);
    ok = ok && add_str(o, "error", j->error) && add_time(o, "created", j->created) &&
         add_time(o, "started", j->started) && add_time(o, "finished", j->finished);
    if (ok)
        return o;
    cJSON_Delete(o);
    return NULL;
}

static cJSON *audit_json(const struct mc_audit *a)
{
    cJSON *o = cJSON_CreateObject();

    if (o && add_int(o, "id", a->id) && add_time(o, "at", a->at) &&
        add_str(o, "actor", a->actor) && add_str(o, "action", a->action) &&
        add_str(o, "subject", a->subject) && add_str(o, "detail", a->detail))
        return o;
    cJSON_Delete(o);
    return NULL;
}

/* ---- request parsing ------------------------------------------------------------------------ */

/* Up to 60 bytes of s for a message: printable ASCII kept, anything else
 * (control bytes, and every byte of a multi-byte or broken UTF-8 sequence)
 * shown as '?', so the JSON error body is always valid UTF-8. */
static const char *shown(const char *s, char buf[64])
{
    size_t i;

    for (i = 0; i < 60 && s[i]; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (s[i])
        buf[i - 1] = buf[i - 2] = buf[i - 3] = '.';
    buf[i] = '\0';
    return buf;
}

/* A decimal number 0..max without sign or spaces. */
static bool parse_size(const char *s, size_t max, size_t *out)
{
    size_t v = 0;

    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (max - (size_t)(*s - '0')) / 10)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* A row id in a path: 1..INT64_MAX; anything else names no row. */
static bool parse_id(const char *s, int64_t *out)
{
    size_t v = 0;

    *out = 0;
    if (!parse_size(s, (size_t)INT64_MAX, &v) || v == 0)
        return false;
    *out = (int64_t)v;
    return true;
}

struct page {
    size_t offset, limit;
};

/* ?limit= (1..PAGE_MAX, default PAGE_DEFAULT) and ?offset= (default 0). */
static bool get_page(const struct srv_req *r, struct srv_resp *w, struct page *pg)
{
    char buf[32];
    const char *v;

    pg->offset = 0;
    pg->limit = PAGE_DEFAULT;
    v = srv_query(r, "limit", buf, sizeof(buf));
    if (v && (!parse_size(v, PAGE_MAX, &pg->limit) || pg->limit == 0)) {
        srv_error(w, 400, "invalid_query", "query: limit: expected a whole number from 1 to %d",
                  PAGE_MAX);
        return false;
    }
    v = srv_query(r, "offset", buf, sizeof(buf));
    if (v && !parse_size(v, OFFSET_MAX, &pg->offset)) {
        srv_error(w, 400, "invalid_query", "query: offset: expected a whole number from 0 to "
                  "%zu", OFFSET_MAX);
        return false;
    }
    return true;
}

/* Send a page: {"items", "offset", "limit", "next_offset", "total"?}.
 * items is taken. total < 0: not known. */
static void send_page(struct srv_resp *w, cJSON *items, const struct page *pg, bool more,
                      int64_t total)
{
    cJSON *o = items ? cJSON_CreateObject() : NULL;
    bool ok = o && cJSON_AddItemToObject(o, "items", items);

    if (!ok)
        cJSON_Delete(items);
    ok = ok && add_int(o, "offset", (int64_t)pg->offset) && add_int(o, "limit", (int64_t)pg->limit);
    ok = ok && (more ? add_int(o, "next_offset", (int64_t)(pg->offset + pg->limit))
                     : cJSON_AddNullToObject(o, "next_offset") != NULL);
    ok = ok && (total < 0 || add_int(o, "total", total));
    reply(w, 200, ok ? o : NULL);
    if (!ok)
        cJSON_Delete(o);
}

/* The page pg of a list fetched whole (small lists: users, tokens, issuers,
 * achievements), rendered row by row with fn. */
static void send_slice(struct srv_resp *w, const struct mc_store_list *l, const struct page *pg,
                       cJSON *(*fn)(const void *row))
{
    cJSON *items = cJSON_CreateArray();
    size_t i;

    for (i = pg->offset; items && i < l->n && i < pg->offset + pg->limit; i++) {
        cJSON *o = fn((const char *)l->rows + i * l->row_size);

        if (!o || !cJSON_AddItemToArray(items, o)) {
            cJSON_Delete(o);
            cJSON_Delete(items);
            items = NULL;
        }
    }
    if (!items) {
        nomem(w);
        return;
    }
    send_page(w, items, pg, pg->offset + pg->limit < l->n, (int64_t)l->n);
}

/* The rows of a page fetched with one more than the limit: render at most
 * limit; more tells whether the extra row came. */
static void send_fetched(struct srv_resp *w, const struct mc_store_list *l,
                         const struct page *pg, cJSON *(*fn)(const void *row), int64_t total)
{
    cJSON *items = cJSON_CreateArray();
    size_t i;

    for (i = 0; items && i < l->n && i < pg->limit; i++) {
        cJSON *o = fn((const char *)l->rows + i * l->row_size);

        if (!o || !cJSON_AddItemToArray(items, o)) {
            cJSON_Delete(o);
            cJSON_Delete(items);
            items = NULL;
        }
    }
    if (!items) {
        nomem(w);
        return;
    }
    send_page(w, items, pg, l->n > pg->limit, total);
}

/* Row renderers for the lists. */
static cJSON *v_user(const void *p) { return user_json(p); }
static cJSON *v_token(const void *p) { return token_json(p); }
static cJSON *v_issuer(const void *p) { return issuer_json(p); }
static cJSON *v_achievement(const void *p) { return achievement_json(p, false); }
static cJSON *v_learner(const void *p) { return learner_json(p); }
static cJSON *v_cred(const void *p) { return cred_json(p, false); }
static cJSON *v_job(const void *p) { return job_json(p); }
static cJSON *v_audit(const void *p) { return audit_json(p); }

/* The request body as a JSON object (400/415 written when it is not). An
 * empty body is an empty object when optional. Free with cJSON_Delete. */
static cJSON *body_object(struct srv_req *r, struct srv_resp *w, bool optional)
{
    cJSON *o;

    if (optional && r->body_len == 0)
        return cJSON_CreateObject();
    o = srv_body_json(r, w);
    if (o && !cJSON_IsObject(o)) {
        srv_error(w, 400, "invalid_body", "request body: expected a JSON object");
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Every member of o is one of names (NULL-ended); else a 400 naming it. */
static bool only_members(const cJSON *o, const char *const *names, struct srv_resp *w)
{
    const cJSON *m;
    size_t i;
    char b[64];

    cJSON_ArrayForEach(m, o) {
        for (i = 0; names[i] && strcmp(names[i], m->string) != 0; i++)
            ;
        if (!names[i]) {
            srv_error(w, 400, "invalid_body", "request body: unknown member '%s'",
                      shown(m->string, b));
            return false;
        }
    }
    return true;
}

/* A string member (NULL when absent and optional); else a 400. */
static bool member_str(const cJSON *o, const char *name, bool required, const char **out,
                       struct srv_resp *w)
{
    const cJSON *m = mc_json_get(o, name);

    *out = NULL;
    if (!m || cJSON_IsNull(m)) {
        if (!required)
            return true;
        srv_error(w, 400, "invalid_body", "request body: %s is missing", name);
        return false;
    }
    if (!cJSON_IsString(m)) {
        srv_error(w, 400, "invalid_body", "request body: %s: expected a string", name);
        return false;
    }
    *out = m->valuestring;
    return true;
}

/* A row id member (0 when absent); else a 400. */
static bool member_id(const cJSON *o, const char *name, int64_t *out, struct srv_resp *w)
{
    const cJSON *m = mc_json_get(o, name);
    double d;

    *out = 0;
    if (!m || cJSON_IsNull(m))
        return true;
    d = cJSON_IsNumber(m) ? m->valuedouble : -1;
    if (d < 1 || d > 9007199254740991.0 || d != (double)(int64_t)d) {
        srv_error(w, 400, "invalid_body", "request body: %s: expected a row id (a whole "
                  "number from 1)", name);
        return false;
    }
    *out = (int64_t)d;
    return true;
}

/* A role member; else a 400. */
static bool member_role(const cJSON *o, enum mc_role *out, struct srv_resp *w)
{
    const char *s;
    char b[64];

    if (!member_str(o, "role", true, &s, w))
        return false;
    if (mc_role_parse(s, out) != MCRED_OK) {
        srv_error(w, 400, "invalid_body", "request body: role: '%s' is not one of admin, "
                  "issuer, assessor, learner, recruiter", shown(s, b));
        return false;
    }
    return true;
}

/* Who acts, for the audit log: the user's e-mail. */
static const char *actor(const struct srv_req *r)
{
    return r->who.email[0] ? r->who.email : "api";
}

/* A library error as a response (srv_error_rc's statuses), with where it
 * came from for a 400 when where is given. */
static void fail(struct srv_resp *w, const struct mc_err *err, const char *where)
{
    struct mc_err e = *err;   /* srv_error makes the message valid UTF-8 */

    if (e.rc == MCRED_ERR_INVALID && where) {
        srv_error(w, 400, "invalid_body", "%s: %s", where, mc_err_msg(&e));
        return;
    }
    srv_error_rc(w, &e);
}

/* ---- the organisation and the caller -------------------------------------------------------- */

static void get_org(struct srv_req *r, struct srv_resp *w)
{
    struct mc_org org;
    struct mc_err err;
    int64_t creds = 0;
    cJSON *o;

    mc_err_clear(&err);
    if (mc_store_org_get(r->st, r->who.org, &org, &err) ||
        mc_store_cred_count(r->st, r->who.org, &creds, &err)) {
        mc_org_release(&org);
        fail(w, &err, NULL);
        return;
    }
    o = cJSON_CreateObject();
    if (o && !(add_int(o, "id", org.id) && add_str(o, "name", org.name) &&
               add_time(o, "created", org.created) && add_int(o, "credentials", creds))) {
        cJSON_Delete(o);
        o = NULL;
    }
    mc_org_release(&org);
    reply(w, 200, o);
}

static const char *auth_name(enum srv_auth a)
{
    switch (a) {
    case SRV_AUTH_TOKEN:
        return "token";
    case SRV_AUTH_SESSION:
        return "session";
    case SRV_AUTH_OAUTH:
        return "oauth";
    default:
        return "none";
    }
}

static void get_me(struct srv_req *r, struct srv_resp *w)
{
    cJSON *o = cJSON_CreateObject();

    if (o && !(add_int(o, "id", r->who.user) && add_str(o, "email", r->who.email) &&
               add_str(o, "role", mc_role_name(r->who.role)) && add_int(o, "org", r->who.org) &&
               add_str(o, "auth", auth_name(r->who.kind)))) {
        cJSON_Delete(o);
        o = NULL;
    }
    reply(w, 200, o);
}

static void list_my_credentials(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;

    if (!get_page(r, w, &pg))
        return;
    mc_err_clear(&err);
    if (!r->who.email[0]) {
        send_page(w, cJSON_CreateArray(), &pg, false, 0);
        return;
    }
    if (mc_store_cred_list_recipient(r->st, r->who.org, r->who.email, pg.offset, pg.limit + 1,
                                     &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_fetched(w, &l, &pg, v_cred, -1);
    mc_store_list_clear(&l);
}

/* The full id of a credential named in a path: as given when it holds a
 * ':' (a URL or a URN), else the last segment of an id this server issued. */
static void cred_id(const struct srv_req *r, const char *param, char *out, size_t cap)
{
    if (strchr(param, ':'))
        mc_strlcpy(out, param, cap);
    else
        snprintf(out, cap, "%s/credentials/%s", mc_platform_public_url(r->srv->plat), param);
}

/* Credential id of org, for a 404 that names what was asked. */
static bool get_cred(struct srv_req *r, struct srv_resp *w, const char *param,
                     struct mc_credential *c)
{
    char id[MC_STORE_MAX_TEXT + 1];
    struct mc_err err;
    char b[64];

    cred_id(r, param, id, sizeof(id));
    mc_err_clear(&err);
    if (mc_store_cred_get(r->st, r->who.org, id, c, &err) == MCRED_OK)
        return true;
    if (err.rc == MCRED_ERR_NOTFOUND || err.rc == MCRED_ERR_INVALID ||
        err.rc == MCRED_ERR_LIMIT)
        srv_error(w, 404, "not_found", "no credential '%s' in this organisation",
                  shown(param, b));
    else
        fail(w, &err, NULL);
    return false;
}

/* Whether credential c was issued to the caller (by e-mail, or to the DID
 * or row of the organisation's learner with the caller's e-mail). */
static bool is_mine(struct srv_req *r, const struct mc_credential *c)
{
    struct mc_learner l;
    bool mine = r->who.email[0] && strcasecmp(c->recipient, r->who.email) == 0;

    if (mine || !r->who.email[0])
        return mine;
    if (mc_store_learner_get(r->st, r->who.org, 0, r->who.email, &l, NULL) != MCRED_OK)
        return false;
    mine = (l.did && strcmp(l.did, c->recipient) == 0) || (c->learner_id == l.id);
    mc_learner_release(&l);
    return mine;
}

static void get_my_credential(struct srv_req *r, struct srv_resp *w)
{
    struct mc_credential c;
    char b[64];

    if (!get_cred(r, w, r->params[0], &c))
        return;
    if (is_mine(r, &c))
        reply(w, 200, cred_json(&c, true));
    else
        srv_error(w, 404, "not_found", "no credential '%s' of yours", shown(r->params[0], b));
    mc_credential_release(&c);
}

/* ---- users and roles ------------------------------------------------------------------------ */

/* A page of a small list of the caller's organisation, fetched whole by
 * list (users, issuers, achievements) and rendered with view. */
static void list_whole(struct srv_req *r, struct srv_resp *w,
                       mcred_rc (*list)(struct mc_store *, int64_t, struct mc_store_list *,
                                        struct mc_err *),
                       cJSON *(*view)(const void *row))
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;

    if (!get_page(r, w, &pg))
        return;
    mc_err_clear(&err);
    if (list(r->st, r->who.org, &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_slice(w, &l, &pg, view);
    mc_store_list_clear(&l);
}

static void list_users(struct srv_req *r, struct srv_resp *w)
{
    list_whole(r, w, mc_store_user_list, v_user);
}

/* User params[0] of the caller's organisation; a 404 written otherwise. */
static bool get_user(struct srv_req *r, struct srv_resp *w, struct mc_user *u)
{
    struct mc_err err;
    int64_t id;
    char b[64];

    memset(u, 0, sizeof(*u));
    mc_err_clear(&err);
    if (parse_id(r->params[0], &id) && mc_store_user_get(r->st, r->who.org, id, u, &err) == 0)
        return true;
    if (err.rc && err.rc != MCRED_ERR_NOTFOUND)
        fail(w, &err, NULL);
    else
        srv_error(w, 404, "not_found", "no user '%s' in this organisation",
                  shown(r->params[0], b));
    return false;
}

static void get_user_h(struct srv_req *r, struct srv_resp *w)
{
    struct mc_user u;

    if (!get_user(r, w, &u))
        return;
    reply(w, 200, user_json(&u));
    mc_user_release(&u);
}

static void add_user(struct srv_req *r, struct srv_resp *w)
{
    static const char *const names[] = { "email", "role", NULL };
    cJSON *b = body_object(r, w, false);
    const char *email;
    enum mc_role role;
    struct mc_user u;
    struct mc_err err;
    int64_t id;
    char loc[64];

    if (!b)
        return;
    if (only_members(b, names, w) && member_str(b, "email", true, &email, w) &&
        member_role(b, &role, w)) {
        mc_err_clear(&err);
        if (mc_admin_user_add(r->st, r->who.org, email, role, actor(r), &id, &err) ||
            mc_store_user_get(r->st, r->who.org, id, &u, &err)) {
            fail(w, &err, "request body: email");
        } else {
            snprintf(loc, sizeof(loc), "/api/v1/users/%lld", (long long)id);
            (void)srv_set_header(w, "Location", loc);
            reply(w, 201, user_json(&u));
            mc_user_release(&u);
        }
    }
    cJSON_Delete(b);
}

static void set_role(struct srv_req *r, struct srv_resp *w)
{
    static const char *const names[] = { "role", NULL };
    struct mc_user u;
    struct mc_err err;
    enum mc_role role;
    int64_t id;
    cJSON *b;

    if (!get_user(r, w, &u))
        return;
    id = u.id;
    mc_user_release(&u);
    b = body_object(r, w, false);
    if (b && only_members(b, names, w) && member_role(b, &role, w)) {
        mc_err_clear(&err);
        if (mc_admin_user_set_role(r->st, r->who.org, id, role, actor(r), &err))
            fail(w, &err, NULL);
        else if (get_user(r, w, &u))
            reply(w, 200, user_json(&u));
        mc_user_release(&u);
    }
    cJSON_Delete(b);
}

/* ---- API tokens ----------------------------------------------------------------------------- */

static void list_tokens(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;
    int64_t only = r->who.role == MC_ROLE_ADMIN ? 0 : r->who.user;

    if (!get_page(r, w, &pg))
        return;
    mc_err_clear(&err);
    if (mc_store_token_list(r->st, r->who.org, only, &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_slice(w, &l, &pg, v_token);
    mc_store_list_clear(&l);
}

static cJSON *new_token_json(const struct mc_admin_token *t, const struct mc_user *u,
                             const char *label)
{
    cJSON *o = cJSON_CreateObject();

    if (o && add_str(o, "id", t->id) && add_str(o, "token", t->token) &&
        add_int(o, "user", u->id) && add_str(o, "email", u->email) &&
        add_str(o, "role", mc_role_name(u->role)) && add_str(o, "label", label) &&
        add_str(o, "note", "the token is shown only this once; store it now"))
        return o;
    cJSON_Delete(o);
    return NULL;
}

static void create_token(struct srv_req *r, struct srv_resp *w)
{
    static const char *const names[] = { "user", "label", NULL };
    struct mc_admin_token t;
    struct mc_user u;
    struct mc_err err;
    const char *label;
    int64_t user;
    cJSON *b = body_object(r, w, true), *o;

    memset(&t, 0, sizeof(t));
    memset(&u, 0, sizeof(u));
    if (!b || !only_members(b, names, w) || !member_id(b, "user", &user, w) ||
        !member_str(b, "label", false, &label, w)) {
        cJSON_Delete(b);
        return;
    }
    if (!user)
        user = r->who.user;
    mc_err_clear(&err);
    if (mc_admin_token_create(r->st, r->who.org, user, label, actor(r), &t, &err) ||
        mc_store_user_get(r->st, r->who.org, user, &u, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 400, "invalid_body", "request body: user: no user %lld in this "
                      "organisation", (long long)user);
        else
            fail(w, &err, "request body");
    } else {
        o = new_token_json(&t, &u, label);
        reply(w, 201, o);
    }
    mc_admin_token_wipe(&t);
    mc_user_release(&u);
    cJSON_Delete(b);
}

static void revoke_token(struct srv_req *r, struct srv_resp *w)
{
    struct mc_err err;
    int64_t only = r->who.role == MC_ROLE_ADMIN ? 0 : r->who.user;

    mc_err_clear(&err);
    if (mc_admin_token_revoke(r->st, r->who.org, r->params[0], only, actor(r), &err)) {
        fail(w, &err, NULL);
        return;
    }
    w->status = 204;
}

/* ---- issuers -------------------------------------------------------------------------------- */

static void list_issuers(struct srv_req *r, struct srv_resp *w)
{
    list_whole(r, w, mc_store_issuer_list, v_issuer);
}

/* The issuer's keys, oldest first (public parts only). */
static bool add_keys(struct srv_req *r, cJSON *o, int64_t issuer, struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_issuer_key *k;
    cJSON *arr = cJSON_AddArrayToObject(o, "keys");
    size_t i;
    bool ok = arr != NULL;

    if (!ok || mc_store_key_list(r->st, r->who.org, issuer, &l, err))
        return false;
    k = l.rows;
    for (i = 0; ok && i < l.n; i++) {
        cJSON *e = cJSON_CreateObject();

        ok = e && cJSON_AddItemToArray(arr, e);
        if (!ok)
            cJSON_Delete(e);
        ok = ok && add_str(e, "verification_method", k[i].vm_id) &&
             add_str(e, "public_key_multibase", k[i].public_multibase) &&
             add_time(e, "created", k[i].created) && add_time(e, "retired", k[i].retired);
    }
    mc_store_list_clear(&l);
    if (!ok)
        mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    return ok;
}

static void get_issuer(struct srv_req *r, struct srv_resp *w)
{
    struct mc_issuer is;
    struct mc_err err;
    int64_t id;
    char b[64];
    cJSON *o;

    mc_err_clear(&err);
    memset(&is, 0, sizeof(is));
    if (!parse_id(r->params[0], &id) ||
        mc_store_issuer_get(r->st, r->who.org, id, &is, &err) != MCRED_OK) {
        if (err.rc && err.rc != MCRED_ERR_NOTFOUND)
            fail(w, &err, NULL);
        else
            srv_error(w, 404, "not_found", "no issuer '%s' in this organisation",
                      shown(r->params[0], b));
        return;
    }
    o = issuer_json(&is);
    if (o && !add_keys(r, o, is.id, &err)) {
        cJSON_Delete(o);
        mc_issuer_release(&is);
        fail(w, &err, NULL);
        return;
    }
    mc_issuer_release(&is);
    reply(w, 200, o);
}

/* ---- achievements --------------------------------------------------------------------------- */

static void list_achievements(struct srv_req *r, struct srv_resp *w)
{
    list_whole(r, w, mc_store_achievement_list, v_achievement);
}

/* Achievement params[0] of the caller's organisation: a row id (that
 * version), else its URI (the latest version). A 404 written otherwise. */
static bool get_achievement(struct srv_req *r, struct srv_resp *w, struct mc_achievement *a)
{
    struct mc_err err;
    int64_t id;
    mcred_rc rc;
    char b[64];

    mc_err_clear(&err);
    if (parse_id(r->params[0], &id))
        rc = mc_store_achievement_get(r->st, r->who.org, id, NULL, a, &err);
    else
        rc = mc_store_achievement_get(r->st, r->who.org, 0, r->params[0], a, &err);
    if (rc == MCRED_OK)
        return true;
    if (rc != MCRED_ERR_NOTFOUND && rc != MCRED_ERR_INVALID && rc != MCRED_ERR_LIMIT)
        fail(w, &err, NULL);
    else
        srv_error(w, 404, "not_found", "no achievement '%s' in this organisation",
                  shown(r->params[0], b));
    return false;
}

static void get_achievement_h(struct srv_req *r, struct srv_resp *w)
{
    struct mc_achievement a;

    if (!get_achievement(r, w, &a))
        return;
    reply(w, 200, achievement_json(&a, true));
    mc_achievement_release(&a);
}

static cJSON *problems_json(const struct mc_ob_report *rep)
{
    cJSON *o = cJSON_CreateObject(), *arr = o ? cJSON_AddArrayToObject(o, "problems") : NULL;
    size_t i;

    for (i = 0; arr && i < rep->n; i++) {
        char p[sizeof(rep->problems[i])];

        mc_strlcpy(p, rep->problems[i], sizeof(p));
        srv_utf8_fix(p);
        if (!cJSON_AddItemToArray(arr, cJSON_CreateString(p)))
            arr = NULL;
    }
    if (arr)
        return o;
    cJSON_Delete(o);
    return NULL;
}

static void create_achievement(struct srv_req *r, struct srv_resp *w)
{
    struct mc_ob_report rep;
    struct mc_achievement a;
    struct mc_err err;
    char loc[64];
    cJSON *o;

    o = body_object(r, w, false);   /* type and syntax first: 415 / 400 with where */
    if (!o)
        return;
    cJSON_Delete(o);
    mc_err_clear(&err);
    if (mc_admin_achievement_create(r->st, r->who.org, r->body, r->body_len, actor(r), &rep,
                                    &a, &err) == MCRED_OK) {
        snprintf(loc, sizeof(loc), "/api/v1/achievements/%lld", (long long)a.id);
        (void)srv_set_header(w, "Location", loc);
        o = cJSON_CreateObject();
        if (o && !(add_int(o, "id", a.id) && add_str(o, "uri", a.uri) &&
                   add_int(o, "version", a.version) && add_time(o, "created", a.created))) {
            cJSON_Delete(o);
            o = NULL;
        }
        mc_achievement_release(&a);
        reply(w, 201, o);
        return;
    }
    if (err.rc != MCRED_ERR_INVALID) {
        fail(w, &err, NULL);
        return;
    }
    /* the usual error body, with every problem listed */
    srv_utf8_fix(err.msg);
    o = problems_json(&rep);
    if (o && !(add_str(o, "error", "invalid_achievement") &&
               add_str(o, "message", mc_err_msg(&err)))) {
        cJSON_Delete(o);
        o = NULL;
    }
    reply(w, 400, o);
}

/* ---- learners ------------------------------------------------------------------------------- */

static void list_learners(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;

    if (!get_page(r, w, &pg))
        return;
    mc_err_clear(&err);
    if (mc_store_learner_page(r->st, r->who.org, pg.offset, pg.limit + 1, &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_fetched(w, &l, &pg, v_learner, -1);
    mc_store_list_clear(&l);
}

static void get_learner(struct srv_req *r, struct srv_resp *w)
{
    struct mc_learner l;
    struct mc_err err;
    int64_t id;
    mcred_rc rc;
    char b[64];

    mc_err_clear(&err);
    if (parse_id(r->params[0], &id))
        rc = mc_store_learner_get(r->st, r->who.org, id, NULL, &l, &err);
    else
        rc = mc_store_learner_get(r->st, r->who.org, 0, r->params[0], &l, &err);
    if (rc == MCRED_OK) {
        reply(w, 200, learner_json(&l));
        mc_learner_release(&l);
    } else if (rc != MCRED_ERR_NOTFOUND && rc != MCRED_ERR_INVALID && rc != MCRED_ERR_LIMIT) {
        fail(w, &err, NULL);
    } else {
        srv_error(w, 404, "not_found", "no learner '%s' in this organisation",
                  shown(r->params[0], b));
    }
}

static void add_learner(struct srv_req *r, struct srv_resp *w)
{
    static const char *const names[] = { "name", "email", "did", NULL };
    struct mc_learner l;
    struct mc_err err;
    const char *name, *email, *did;
    char loc[64];
    cJSON *b = body_object(r, w, false);

    if (!b)
        return;
    memset(&l, 0, sizeof(l));
    if (only_members(b, names, w) && member_str(b, "name", true, &name, w) &&
        member_str(b, "email", false, &email, w) && member_str(b, "did", false, &did, w)) {
        /* the row borrows the body's strings: it is not released */
        l.name = (char *)(uintptr_t)name;
        l.email = (char *)(uintptr_t)email;
        l.did = (char *)(uintptr_t)did;
        mc_err_clear(&err);
        if (mc_admin_learner_add(r->st, r->who.org, &l, actor(r), &err)) {
            fail(w, &err, "request body");
        } else {
            snprintf(loc, sizeof(loc), "/api/v1/learners/%lld", (long long)l.id);
            (void)srv_set_header(w, "Location", loc);
            reply(w, 201, learner_json(&l));
        }
    }
    cJSON_Delete(b);
}

/* ---- issuing -------------------------------------------------------------------------------- */

/* The issuer (0: the organisation's first) ready to sign; a response
 * written otherwise. */
static bool issuing(struct srv_req *r, struct srv_resp *w, int64_t issuer,
                    struct mc_platform_issuer *pi)
{
    struct mc_err err;

    mc_err_clear(&err);
    if (mc_platform_issuing(r->srv->plat, r->st, r->who.org, issuer, actor(r), pi, &err) ==
        MCRED_OK)
        return true;
    if (err.rc == MCRED_ERR_NOTFOUND && issuer)
        srv_error(w, 400, "invalid_body", "issuer: no issuer %lld in this organisation",
                  (long long)issuer);
    else if (err.rc == MCRED_ERR_NOTFOUND)
        srv_error(w, 409, "conflict", "%s", mc_err_msg(&err));
    else
        fail(w, &err, NULL);
    return false;
}

/* Send credential id (just issued, or issued before when already). */
static void send_issued(struct srv_req *r, struct srv_resp *w, const char *id, bool already)
{
    struct mc_credential c;
    struct mc_err err;
    cJSON *o;

    mc_err_clear(&err);
    if (mc_store_cred_get(r->st, r->who.org, id, &c, &err)) {
        fail(w, &err, NULL);
        return;
    }
    o = cred_json(&c, true);
    if (o && !cJSON_AddBoolToObject(o, "already", already)) {
        cJSON_Delete(o);
        o = NULL;
    }
    reply(w, already ? 200 : 201, o);
    mc_credential_release(&c);
}

static void issue_one(struct srv_req *r, struct srv_resp *w)
{
    struct mc_achievement a;
    struct mc_platform_issuer pi;
    struct mc_admin_row row;
    struct mc_issue_result res;
    struct mc_err err;
    int64_t issuer = 0;
    cJSON *b;

    if (!get_achievement(r, w, &a))
        return;
    memset(&row, 0, sizeof(row));
    b = body_object(r, w, false);
    if (!b || !member_id(b, "issuer", &issuer, w))
        goto out;
    cJSON_DeleteItemFromObjectCaseSensitive(b, "issuer");
    mc_err_clear(&err);
    if (mc_admin_row_from_json(b, &row, &err)) {
        fail(w, &err, "request body");
        goto out;
    }
    if (!issuing(r, w, issuer, &pi))
        goto out;
    if (mc_issue_one(&pi.is, &a, &row.row, &res, &err))
        fail(w, &err, "request body");
    else
        send_issued(r, w, res.id, res.already);
    mc_platform_issuer_release(&pi);
out:
    mc_admin_row_release(&row);
    cJSON_Delete(b);
    mc_achievement_release(&a);
}

/* The format a bulk file's Content-Type names; false (415 written) else. */
static bool file_format(struct srv_req *r, struct srv_resp *w, enum mc_job_format *f)
{
    const char *ct = r->header(r, "Content-Type");
    size_t n = ct ? strcspn(ct, "; \t") : 0;

    if (ct && n == 8 && strncasecmp(ct, "text/csv", n) == 0) {
        *f = MC_JOB_CSV;
        return true;
    }
    if (ct && ((n == 20 && strncasecmp(ct, "application/x-ndjson", n) == 0) ||
               (n == 17 && strncasecmp(ct, "application/jsonl", n) == 0) ||
               (n == 22 && strncasecmp(ct, "application/json-lines", n) == 0))) {
        *f = MC_JOB_JSONL;
        return true;
    }
    srv_error(w, 415, "unsupported_media_type", "the body must be a CSV file (Content-Type: "
              "text/csv) or JSON Lines (Content-Type: application/x-ndjson)");
    return false;
}

static void submit_job(struct srv_req *r, struct srv_resp *w)
{
    struct mc_job_request rq;
    struct mc_achievement a;
    struct mc_jobs *j;
    struct mc_err err;
    char buf[32], loc[64];
    const char *v;
    int64_t id = 0;
    cJSON *o;

    memset(&rq, 0, sizeof(rq));
    if (!get_achievement(r, w, &a))
        return;
    v = srv_query(r, "issuer", buf, sizeof(buf));
    if (v && !parse_id(v, &rq.issuer_id)) {
        srv_error(w, 400, "invalid_query", "query: issuer: expected a row id");
        goto out;
    }
    if (!file_format(r, w, &rq.format))
        goto out;
    sweep(r, false);
    rq.org = r->who.org;
    rq.user = r->who.user;
    rq.actor = actor(r);
    rq.achievement_id = a.id;
    rq.body = r->body;
    rq.len = r->body_len;
    mc_err_clear(&err);
    j = get_jobs(r->srv, &err);
    if (!j || mc_jobs_submit(j, r->st, &rq, &id, &err)) {
        if (err.rc == MCRED_ERR_LIMIT) {
            srv_error(w, 503, "busy", "%s", mc_err_msg(&err));
            (void)srv_set_header(w, "Retry-After", "10");
        } else if (err.rc == MCRED_ERR_NOTFOUND && rq.issuer_id) {
            srv_error(w, 400, "invalid_query", "query: issuer: no issuer %lld in this "
                      "organisation", (long long)rq.issuer_id);
        } else if (err.rc == MCRED_ERR_NOTFOUND) {
            srv_error(w, 409, "conflict", "%s", mc_err_msg(&err));
        } else {
            fail(w, &err, "request body");
        }
        goto out;
    }
    snprintf(loc, sizeof(loc), "/api/v1/jobs/%lld", (long long)id);
    (void)srv_set_header(w, "Location", loc);
    o = cJSON_CreateObject();
    if (o && !(add_int(o, "id", id) && add_str(o, "state", "queued") &&
               add_str(o, "location", loc))) {
        cJSON_Delete(o);
        o = NULL;
    }
    reply(w, 202, o);
out:
    mc_achievement_release(&a);
}

static void list_jobs(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;

    if (!get_page(r, w, &pg))
        return;
    sweep(r, true);
    mc_err_clear(&err);
    if (mc_store_job_list(r->st, r->who.org, pg.offset, pg.limit + 1, &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_fetched(w, &l, &pg, v_job, -1);
    mc_store_list_clear(&l);
}

static void get_job(struct srv_req *r, struct srv_resp *w)
{
    struct mc_job j;
    struct mc_err err;
    int64_t id;
    char b[64];

    sweep(r, true);
    mc_err_clear(&err);
    memset(&j, 0, sizeof(j));
    if (!parse_id(r->params[0], &id) || mc_store_job_get(r->st, r->who.org, id, &j, &err)) {
        if (err.rc && err.rc != MCRED_ERR_NOTFOUND)
            fail(w, &err, NULL);
        else
            srv_error(w, 404, "not_found", "no job '%s' in this organisation",
                      shown(r->params[0], b));
        return;
    }
    reply(w, 200, job_json(&j));
    mc_job_release(&j);
}

/* ---- credentials ---------------------------------------------------------------------------- */

static void list_credentials(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;
    int64_t total = 0;

    if (!get_page(r, w, &pg))
        return;
    mc_err_clear(&err);
    if (mc_store_cred_count(r->st, r->who.org, &total, &err) ||
        mc_store_cred_list(r->st, r->who.org, pg.offset, pg.limit + 1, &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_fetched(w, &l, &pg, v_cred, total);
    mc_store_list_clear(&l);
}

static void get_credential(struct srv_req *r, struct srv_resp *w)
{
    struct mc_credential c;

    if (!get_cred(r, w, r->params[0], &c))
        return;
    reply(w, 200, cred_json(&c, true));
    mc_credential_release(&c);
}

/* Revoke, suspend or unsuspend (state ACTIVE) credential params[0]. */
static void set_state(struct srv_req *r, struct srv_resp *w, enum mc_cred_state state)
{
    static const char *const names[] = { "reason", NULL };
    struct mc_credential c;
    struct mc_platform_issuer pi;
    struct mc_err err;
    const char *reason = NULL;
    cJSON *b;

    if (!get_cred(r, w, r->params[0], &c))
        return;
    b = body_object(r, w, true);
    if (!b || !only_members(b, names, w) || !member_str(b, "reason", false, &reason, w))
        goto out;
    if (reason && strlen(reason) > REASON_MAX) {
        srv_error(w, 400, "invalid_body", "request body: reason: at most %d bytes", REASON_MAX);
        goto out;
    }
    if (!issuing(r, w, c.issuer_id, &pi))
        goto out;
    mc_err_clear(&err);
    if (mc_issue_set_state(&pi.is, c.id, state, reason && reason[0] ? reason : NULL, &err)) {
        fail(w, &err, NULL);
    } else {
        mc_credential_release(&c);
        if (get_cred(r, w, r->params[0], &c))
            reply(w, 200, cred_json(&c, false));
    }
    mc_platform_issuer_release(&pi);
out:
    cJSON_Delete(b);
    mc_credential_release(&c);
}

static void revoke(struct srv_req *r, struct srv_resp *w)
{
    set_state(r, w, MC_CRED_REVOKED);
}

static void suspend(struct srv_req *r, struct srv_resp *w)
{
    set_state(r, w, MC_CRED_SUSPENDED);
}

static void unsuspend(struct srv_req *r, struct srv_resp *w)
{
    set_state(r, w, MC_CRED_ACTIVE);
}

/* ---- audit log and the API's own description ------------------------------------------------ */

static void list_audit(struct srv_req *r, struct srv_resp *w)
{
    struct mc_store_list l;
    struct mc_err err;
    struct page pg;

    if (!get_page(r, w, &pg))
        return;
    mc_err_clear(&err);
    if (mc_store_audit_page(r->st, r->who.org, pg.offset, pg.limit + 1, &l, &err)) {
        fail(w, &err, NULL);
        return;
    }
    send_fetched(w, &l, &pg, v_audit, -1);
    mc_store_list_clear(&l);
}

static void openapi(struct srv_req *r, struct srv_resp *w)
{
    (void)r;
    w->status = 200;
    w->content_type = "application/json";
    if (mc_buf_append(&w->body, srv_openapi_json, srv_openapi_json_len) != MCRED_OK)
        nomem(w);
    else
        (void)srv_set_header(w, "Cache-Control", "public, max-age=300");
}

#define ANY_STAFF (SRV_ADMIN | SRV_ISSUER)
#define READERS (SRV_ADMIN | SRV_ISSUER | SRV_ASSESSOR)

const struct srv_route srv_routes_platform[] = {
    { "GET", "/openapi.json", openapi, SRV_PUBLIC },
    { "GET", "/api/v1/org", get_org, SRV_AUTH },
    { "GET", "/api/v1/me", get_me, SRV_AUTH },
    { "GET", "/api/v1/me/credentials", list_my_credentials, SRV_AUTH },
    { "GET", "/api/v1/me/credentials/{id}", get_my_credential, SRV_AUTH },
    { "GET", "/api/v1/users", list_users, SRV_ADMIN },
    { "POST", "/api/v1/users", add_user, SRV_ADMIN },
    { "GET", "/api/v1/users/{id}", get_user_h, SRV_ADMIN },
    { "PUT", "/api/v1/users/{id}/role", set_role, SRV_ADMIN },
    { "GET", "/api/v1/tokens", list_tokens, SRV_AUTH },
    { "POST", "/api/v1/tokens", create_token, SRV_ADMIN },
    { "DELETE", "/api/v1/tokens/{id}", revoke_token, SRV_AUTH },
    { "GET", "/api/v1/issuers", list_issuers, ANY_STAFF },
    { "GET", "/api/v1/issuers/{id}", get_issuer, ANY_STAFF },
    { "GET", "/api/v1/achievements", list_achievements, READERS },
    { "POST", "/api/v1/achievements", create_achievement, ANY_STAFF },
    { "GET", "/api/v1/achievements/{id}", get_achievement_h, READERS },
    { "POST", "/api/v1/achievements/{id}/issue", issue_one, ANY_STAFF },
    { "POST", "/api/v1/achievements/{id}/jobs", submit_job, ANY_STAFF },
    { "GET", "/api/v1/learners", list_learners, READERS },
    { "POST", "/api/v1/learners", add_learner, ANY_STAFF },
    { "GET", "/api/v1/learners/{id}", get_learner, READERS },
    { "GET", "/api/v1/jobs", list_jobs, ANY_STAFF },
    { "GET", "/api/v1/jobs/{id}", get_job, ANY_STAFF },
    { "GET", "/api/v1/credentials", list_credentials, ANY_STAFF },
    { "GET", "/api/v1/credentials/{id}", get_credential, ANY_STAFF },
    { "POST", "/api/v1/credentials/{id}/revoke", revoke, ANY_STAFF },
    { "POST", "/api/v1/credentials/{id}/suspend", suspend, ANY_STAFF },
    { "POST", "/api/v1/credentials/{id}/unsuspend", unsuspend, ANY_STAFF },
    { "GET", "/api/v1/audit", list_audit, SRV_ADMIN },
    { NULL, NULL, NULL, 0 },
};
