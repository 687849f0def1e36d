/* test_openapi.c - the server's route tables against its OpenAPI document
 * (server/openapi.json, embedded as srv_openapi_json): every route of every
 * table srv_routes_* is an operation of the document with the same method,
 * its access flags equal the operation's x-mcred-roles, and every operation of
 * the document is a route (nothing documented that does not exist). Also the
 * document's shape (OpenAPI 3.1, path parameters declared, responses given,
 * x-mcred-kind only of known kinds), and a few requests through srv_handle
 * in-process: the document is served as embedded, and access is enforced.
 * A route pattern's final "{*}" is the OpenAPI path parameter "{path}".
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "h_platform.h"
#include "server.h"

static const struct {
    const char *name;
    const struct srv_route *routes;
} tables[] = {
    { "srv_routes_core", srv_routes_core },
    { "srv_routes_vcapi", srv_routes_vcapi },
    { "srv_routes_ob", srv_routes_ob },
    { "srv_routes_platform", srv_routes_platform },
    { "srv_routes_pages", srv_routes_pages },
    { "srv_routes_wallet", srv_routes_wallet },
    { "srv_routes_assess", srv_routes_assess },
    { "srv_routes_stacks", srv_routes_stacks },
    { "srv_routes_positions", srv_routes_positions },
    { "srv_routes_plan", srv_routes_plan },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static const char *const methods[] = { "get", "put", "post", "delete", "patch", "head",
                                       "options", "trace" };
static const char *const role_names[] = { "admin", "issuer", "assessor", "learner",
                                          "recruiter" };
/* What x-mcred-kind may say (tests/e2e/test_authz.py knows how to make each). */
static const char *const kinds[] = { "user", "token", "issuer", "achievement", "learner",
                                     "job", "credential" };

/* The OpenAPI path of a route pattern: "{*}" becomes "{path}". */
static void openapi_path(const char *pattern, char *out, size_t cap)
{
    const char *star = strstr(pattern, "{*}");

    if (star && star[3] == '\0')
        snprintf(out, cap, "%.*s{path}", (int)(star - pattern), pattern);
    else
        snprintf(out, cap, "%s", pattern);
}

static void lower(const char *s, char *out, size_t cap)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < cap; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    out[i] = '\0';
}

/* The roles a route's access flags grant, as x-mcred-roles would say. */
static void want_roles(unsigned access, const char **out, size_t *n)
{
    size_t i;

    *n = 0;
    if (access == SRV_PUBLIC) {
        out[(*n)++] = "public";
        return;
    }
    if (access & SRV_AUTH) {
        out[(*n)++] = "authenticated";
        return;
    }
    for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (access & SRV_ROLE(i))
            out[(*n)++] = role_names[i];
}

/* x-mcred-roles of op equals the set want[0..n). */
static bool roles_match(const cJSON *op, const char **want, size_t n, char *got, size_t cap)
{
    const cJSON *roles = mc_json_get(op, "x-mcred-roles"), *v;
    size_t i, count = 0;
    bool ok = cJSON_IsArray(roles);

    got[0] = '\0';
    cJSON_ArrayForEach(v, roles) {
        bool known = false;

        if (!cJSON_IsString(v)) {
            ok = false;
            continue;
        }
        mc_strlcat(got, v->valuestring, cap);
        mc_strlcat(got, " ", cap);
        for (i = 0; i < n; i++)
            known = known || strcmp(want[i], v->valuestring) == 0;
        ok = ok && known;
        count++;
    }
    return ok && count == n;
}

/* Every route of every table is documented, with matching roles. */
static void check_tables(const cJSON *paths)
{
    size_t t, total = 0;

    for (t = 0; t < NTABLES; t++) {
        const struct srv_route *rt;

        for (rt = tables[t].routes; rt->method; rt++) {
            char path[512], m[16], got[256];
            const char *want[8];
            size_t n;
            const cJSON *item, *op;

            total++;
            openapi_path(rt->pattern, path, sizeof(path));
            lower(rt->method, m, sizeof(m));
            item = mc_json_get(paths, path);
            op = mc_json_get(item, m);
            CHECK(op != NULL, "%s: %s %s is not in server/openapi.json (paths.\"%s\".%s)",
                  tables[t].name, rt->method, rt->pattern, path, m);
            if (!op)
                continue;
            want_roles(rt->access, want, &n);
            CHECK(roles_match(op, want, n, got, sizeof(got)),
                  "%s: %s %s: x-mcred-roles is [%s] but the route's access means %s%s%s%s%s",
                  tables[t].name, rt->method, rt->pattern, got, want[0], n > 1 ? " " : "",
                  n > 1 ? want[1] : "", n > 2 ? " " : "", n > 2 ? want[2] : "");
        }
    }
    printf("%zu routes in %zu tables\n", total, NTABLES);
    CHECK(total > 20, "the tables hold the platform API at least (%zu routes)", total);
}

/* The table route for (path, method), or NULL. */
static const struct srv_route *find_route(const char *path, const char *method)
{
    size_t t;

    for (t = 0; t < NTABLES; t++) {
        const struct srv_route *rt;

        for (rt = tables[t].routes; rt->method; rt++) {
            char p[512];

            openapi_path(rt->pattern, p, sizeof(p));
            if (strcmp(p, path) == 0 && strcasecmp(rt->method, method) == 0)
                return rt;
        }
    }
    return NULL;
}

/* A parameter object, following a local $ref into components. */
static const cJSON *deref(const cJSON *doc, const cJSON *p)
{
    const char *ref = mc_json_str(p, "$ref");
    const char *prefix = "#/components/parameters/";

    if (!ref)
        return p;
    if (strncmp(ref, prefix, strlen(prefix)) != 0)
        return NULL;
    return mc_json_get(mc_json_get(mc_json_get(doc, "components"), "parameters"),
                       ref + strlen(prefix));
}

/* Each {name} of path is declared by a path parameter of op, with a known
 * x-mcred-kind when it has one. */
static void check_params(const cJSON *doc, const char *path, const char *m, const cJSON *op)
{
    const char *s = path;

    while ((s = strchr(s, '{')) != NULL) {
        const char *e = strchr(s, '}');
        const cJSON *p;
        bool found = false;

        if (!e)
            break;
        cJSON_ArrayForEach(p, mc_json_get(op, "parameters")) {
            const cJSON *d = deref(doc, p);
            const char *name = mc_json_str(d, "name"), *in = mc_json_str(d, "in");
            const char *kind = mc_json_str(d, "x-mcred-kind");
            size_t k;
            bool known = false;

            if (!name || !in || strcmp(in, "path") != 0 || strlen(name) != (size_t)(e - s - 1) ||
                strncmp(name, s + 1, (size_t)(e - s - 1)) != 0)
                continue;
            found = true;
            for (k = 0; kind && k < sizeof(kinds) / sizeof(kinds[0]); k++)
                known = known || strcmp(kinds[k], kind) == 0;
            CHECK(!kind || known, "%s %s: x-mcred-kind '%s' is not a known kind", m, path,
                  kind);
        }
        CHECK(found, "%s %s: the path parameter %.*s is not declared", m, path,
              (int)(e - s + 1), s);
        s = e + 1;
    }
}

/* Every operation of the document is a route; each is well formed. */
static void check_document(const cJSON *doc, const cJSON *paths)
{
    const cJSON *item;
    size_t ops = 0;

    cJSON_ArrayForEach(item, paths) {
        size_t i;

        CHECK(item->string[0] == '/', "paths: '%s' does not start with /", item->string);
        for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
            const cJSON *op = mc_json_get(item, methods[i]);

            if (!op)
                continue;
            ops++;
            CHECK(find_route(item->string, methods[i]) != NULL,
                  "server/openapi.json documents %s %s, which no route table serves",
                  methods[i], item->string);
            CHECK(cJSON_IsArray(mc_json_get(op, "x-mcred-roles")),
                  "%s %s: x-mcred-roles is missing", methods[i], item->string);
            CHECK(cJSON_IsObject(mc_json_get(op, "responses")) &&
                      mc_json_get(op, "responses")->child,
                  "%s %s: no responses", methods[i], item->string);
            CHECK(mc_json_str(op, "summary") != NULL, "%s %s: no summary", methods[i],
                  item->string);
            check_params(doc, item->string, methods[i], op);
        }
    }
    printf("%zu operations documented\n", ops);
}

/* ---- in-process requests -------------------------------------------------------------------- */

struct fx {
    char dir[64], db[128], dsn[160];
    struct mc_platform *plat;
    struct srv s;
};

static const char *no_header(const struct srv_req *r, const char *name)
{
    const char *const *h = r->adapter;

    return h && strcasecmp(name, "Authorization") == 0 ? h[0] : NULL;
}

static int request(struct fx *f, const char *method, const char *path, const char *auth,
                   struct srv_resp *w)
{
    struct srv_req r;
    const char *hdr[1] = { auth };

    memset(&r, 0, sizeof(r));
    r.method = method;
    r.path = path;
    r.query = "";
    r.body = "";
    r.header = no_header;
    r.adapter = auth ? (void *)hdr : NULL;
    mc_strlcpy(r.client, "127.0.0.1", sizeof(r.client));
    srv_resp_init(w);
    srv_handle(&f->s, &r, w);
    return w->status;
}

static void check_requests(void)
{
    struct fx f;
    struct mc_platform_conf pc;
    struct mc_store *st = NULL;
    struct srv_resp w;
    struct mc_err err;
    int64_t org = 0, user = 0;
    char hash[65];
    const char *tok = "test-openapi-token-0123456789";

    memset(&f, 0, sizeof(f));
    snprintf(f.dir, sizeof(f.dir), "/tmp/mcred-openapi-XXXXXX");
    if (!mkdtemp(f.dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(f.db, sizeof(f.db), "%s/s.db", f.dir);
    snprintf(f.dsn, sizeof(f.dsn), "sqlite:%s", f.db);
    memset(&pc, 0, sizeof(pc));
    pc.dsn = f.dsn;
    pc.public_url = "http://127.0.0.1:8080";
    mc_err_clear(&err);
    mc_platform_token_hash(tok, hash);
    CHECK(mc_platform_open(&f.plat, &pc, &err) == MCRED_OK &&
              mc_platform_store(f.plat, &st, &err) == MCRED_OK &&
              mc_store_org_create(st, "openapi-test", &org, &err) == MCRED_OK &&
              mc_store_user_add(st, org, "learner@openapi.example", MC_ROLE_LEARNER, &user,
                                &err) == MCRED_OK &&
              mc_store_token_add(st, org, user, hash, &err) == MCRED_OK,
          "fixture: %s", err.msg);
    f.s.plat = f.plat;
    f.s.conf.max_body = SRV_MAX_BODY_DEFAULT;
    if (st) {
        char bearer[80];

        snprintf(bearer, sizeof(bearer), "Bearer %s", tok);
        CHECK(request(&f, "GET", "/openapi.json", NULL, &w) == 200 &&
                  w.body.len == srv_openapi_json_len &&
                  memcmp(w.body.ptr, srv_openapi_json, w.body.len) == 0,
              "GET /openapi.json serves the embedded document (%d)", w.status);
        srv_resp_release(&w);
        CHECK(request(&f, "GET", "/api/v1/org", NULL, &w) == 401, "anonymous: 401 (%d)",
              w.status);
        srv_resp_release(&w);
        CHECK(request(&f, "GET", "/api/v1/org", bearer, &w) == 200 && w.body.ptr &&
                  strstr(w.body.ptr, "\"openapi-test\""),
              "the learner reads their organisation (%d)", w.status);
        srv_resp_release(&w);
        CHECK(request(&f, "GET", "/api/v1/users", bearer, &w) == 403, "a learner may not list "
              "users: 403 (%d)", w.status);
        srv_resp_release(&w);
        CHECK(request(&f, "GET", "/api/v1/jobs/1", bearer, &w) == 403, "a learner may not read "
              "jobs: 403 (%d)", w.status);
        srv_resp_release(&w);
    }
    srv_platform_stop(&f.s);
    mc_platform_close(f.plat);
    {
        static const char *const sfx[] = { "", "-wal", "-shm" };
        char p[200];
        size_t i;

        for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
            snprintf(p, sizeof(p), "%s%s", f.db, sfx[i]);
            unlink(p);
        }
        rmdir(f.dir);
    }
}

int main(void)
{
    cJSON *doc = NULL;
    struct mc_err err;
    const cJSON *paths;

    mc_err_clear(&err);
    CHECK(srv_openapi_json_len == strlen(srv_openapi_json), "the document has no NUL byte");
    if (mc_json_parse(srv_openapi_json, srv_openapi_json_len, 0, &doc, &err) != MCRED_OK) {
        CHECK(0, "server/openapi.json does not parse: %s", err.msg);
        return check_report();
    }
    CHECK(mc_json_str(doc, "openapi") && strncmp(mc_json_str(doc, "openapi"), "3.1.", 4) == 0,
          "openapi: 3.1.x");
    CHECK(cJSON_IsObject(mc_json_get(doc, "info")), "info");
    paths = mc_json_get(doc, "paths");
    CHECK(cJSON_IsObject(paths), "paths is an object");
    check_tables(paths);
    check_document(doc, paths);
    cJSON_Delete(doc);
    check_requests();
    return check_report();
}
