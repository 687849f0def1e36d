/* srvtest.h - what the server's in-process tests share: a platform on a
 * temporary SQLite file with an organisation, a user and an API token of
 * every role (and an admin of a second organisation), and requests built by
 * hand (a header() function over a small table) run through srv_handle.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SRVTEST_H
#define MC_SRVTEST_H

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "server.h"

#define T_ROLES 5   /* MC_ROLE_ADMIN .. MC_ROLE_RECRUITER */

struct t_env {
    char dir[64];                    /* the temporary directory */
    char db[128], dsn[160];
    struct mc_ctxstore *ctx;
    struct mc_jsonld_cache *cache;
    struct mc_platform *plat;
    struct srv s;
    int64_t org, org2;
    int64_t users[T_ROLES];
    char tokens[T_ROLES][48];        /* API token of each role, in org */
    char token2[48];                 /* an admin of org2 */
};

/* The answer to one request: the response, its body as text and as JSON. */
struct t_res {
    struct srv_resp w;
    int status;
    char *body;                      /* NUL-terminated copy */
    cJSON *json;                     /* NULL when the body is not JSON */
};

static const char *const t_role_names[T_ROLES] = {
    "admin", "issuer", "assessor", "learner", "recruiter",
};

static inline bool t_add_user(struct t_env *e, struct mc_store *st, int64_t org, const char *email,
                       enum mc_role role, char *token, size_t cap, int64_t *id)
{
    struct mc_err err;
    char hash[65];

    mc_err_clear(&err);
    if (mc_store_user_add(st, org, email, role, id, &err) != MCRED_OK) {
        printf("user add %s: %s\n", email, mc_err_msg(&err));
        return false;
    }
    /* base64url text of a token's shape (mc_platform_token_user) */
    snprintf(token, cap, "srvtest-%s-%lld-0123456789abcdef", email[0] == 'x' ? "x" : "t",
             (long long)*id);
    mc_platform_token_hash(token, hash);
    if (mc_store_token_add(st, org, *id, hash, &err) != MCRED_OK) {
        printf("token add %s: %s\n", email, mc_err_msg(&err));
        return false;
    }
    (void)e;
    return true;
}

/* Open the platform; exits on failure (nothing else could be tested). */
static inline void t_env_open(struct t_env *e)
{
    struct mc_platform_conf pc;
    struct mc_store *st;
    struct mc_err err;
    int i;

    memset(e, 0, sizeof(*e));
    snprintf(e->dir, sizeof(e->dir), "/tmp/mcred-srvtest-XXXXXX");
    if (!mkdtemp(e->dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(e->db, sizeof(e->db), "%s/t.db", e->dir);
    snprintf(e->dsn, sizeof(e->dsn), "sqlite:%s", e->db);
    mc_err_clear(&err);
    if (mc_ctxstore_new(&e->ctx, NULL, &err) != MCRED_OK ||
        mc_jsonld_cache_new(&e->cache) != MCRED_OK) {
        printf("contexts: %s\n", mc_err_msg(&err));
        exit(1);
    }
    memset(&pc, 0, sizeof(pc));
    pc.dsn = e->dsn;
    pc.public_url = "http://127.0.0.1:8080";
    pc.contexts = e->ctx;
    pc.cache = e->cache;
    if (mc_platform_open(&e->plat, &pc, &err) != MCRED_OK ||
        mc_platform_store(e->plat, &st, &err) != MCRED_OK) {
        printf("platform: %s\n", mc_err_msg(&err));
        exit(1);
    }
    if (mc_store_org_create(st, "srvtest", &e->org, &err) != MCRED_OK ||
        mc_store_org_create(st, "srvtest-other", &e->org2, &err) != MCRED_OK) {
        printf("org: %s\n", mc_err_msg(&err));
        exit(1);
    }
    for (i = 0; i < T_ROLES; i++) {
        char email[64];

        snprintf(email, sizeof(email), "%s@srvtest.example", t_role_names[i]);
        if (!t_add_user(e, st, e->org, email, (enum mc_role)i, e->tokens[i],
                        sizeof(e->tokens[i]), &e->users[i]))
            exit(1);
    }
    {
        int64_t id;

        if (!t_add_user(e, st, e->org2, "xadmin@other.example", MC_ROLE_ADMIN, e->token2,
                        sizeof(e->token2), &id))
            exit(1);
    }
    e->s.conf.listen = "127.0.0.1:0";
    e->s.conf.max_body = SRV_MAX_BODY_DEFAULT;
    e->s.conf.timeout_s = SRV_TIMEOUT_DEFAULT;
    e->s.conf.max_conns = SRV_MAX_CONNS_DEFAULT;
    e->s.conf.rate = 0;
    e->s.plat = e->plat;
}

static inline void t_env_close(struct t_env *e)
{
    char p[200];

    mc_platform_close(e->plat);
    mc_jsonld_cache_free(e->cache);
    mc_ctxstore_free(e->ctx);
    unlink(e->db);
    snprintf(p, sizeof(p), "%s-wal", e->db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", e->db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-journal", e->db);
    unlink(p);
    rmdir(e->dir);
}

/* header() over a NULL-ended table of name, value pairs (r->adapter). */
static inline const char *t_header(const struct srv_req *r, const char *name)
{
    const char *const *h = r->adapter;

    for (; h && h[0]; h += 2)
        if (strcasecmp(h[0], name) == 0)
            return h[1];
    return NULL;
}

/* Run method path?query with body (may be NULL) and headers (name, value,
 * ..., NULL; may be NULL) from client through srv_handle. */
static inline void t_run_from(struct t_env *e, struct t_res *res, const char *client,
                       const char *method, const char *path, const char *query,
                       const char *body, size_t body_len, const char *const *headers)
{
    struct srv_req r;
    struct mc_err err;

    memset(&r, 0, sizeof(r));
    r.method = method;
    r.path = path;
    r.query = query ? query : "";
    r.body = body ? body : "";
    r.body_len = body ? body_len : 0;
    r.header = t_header;
    r.adapter = (void *)(uintptr_t)headers;
    mc_strlcpy(r.client, client, sizeof(r.client));
    memset(res, 0, sizeof(*res));
    srv_resp_init(&res->w);
    srv_handle(&e->s, &r, &res->w);
    res->status = res->w.status;
    res->body = mc_strndup(res->w.body.ptr ? res->w.body.ptr : "", res->w.body.len);
    mc_err_clear(&err);
    if (res->body && res->w.content_type && strstr(res->w.content_type, "json") &&
        mc_json_parse(res->body, res->w.body.len, 0, &res->json, &err) != MCRED_OK)
        res->json = NULL;
}

static inline void t_run(struct t_env *e, struct t_res *res, const char *method, const char *path,
                  const char *query, const char *body, const char *const *headers)
{
    t_run_from(e, res, "192.0.2.1", method, path, query, body, body ? strlen(body) : 0,
               headers);
}

static inline void t_done(struct t_res *res)
{
    cJSON_Delete(res->json);
    mc_free(res->body);
    srv_resp_release(&res->w);
    memset(res, 0, sizeof(*res));
}

/* A response header by name, NULL when absent. */
static inline const char *t_resp_header(const struct t_res *res, const char *name)
{
    size_t i;

    for (i = 0; i < res->w.nheaders; i++)
        if (strcasecmp(res->w.headers[i].name, name) == 0)
            return res->w.headers[i].value;
    return NULL;
}

/* The error code of a JSON error body, "" when there is none. */
static inline const char *t_error(const struct t_res *res)
{
    const char *s = mc_json_str(res->json, "error");

    return s ? s : "";
}

static inline const char *t_message(const struct t_res *res)
{
    const char *s = mc_json_str(res->json, "message");

    return s ? s : "";
}

/* Every response, errors included, carries the security headers. */
static inline bool t_has_security_headers(const struct t_res *res)
{
    return t_resp_header(res, "Content-Security-Policy") &&
           t_resp_header(res, "X-Content-Type-Options") && t_resp_header(res, "X-Frame-Options") &&
           t_resp_header(res, "Referrer-Policy");
}

#endif /* MC_SRVTEST_H */
