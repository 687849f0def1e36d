/* test_router.c - the router (server/server.c) and its helpers, in process.
 * This program is linked with server.c and ratelimit.c alone and defines the
 * route tables and authentication hooks itself, so every rule of the router
 * is checked against routes whose shape and access flags are known: {x}
 * segments, a final {*}, percent-decoding per segment (an encoded '/' stays
 * inside its segment, %00 and bad escapes are 400), 404 against 405 with
 * Allow, 401 against 403 by access flags, the rate limit (429 with
 * Retry-After), the transaction a failed handler left open, the security
 * headers; then srv_url_decode, srv_query, srv_html_escape, srv_wants_html,
 * srv_body_json, and the token buckets of ratelimit.c on a fake clock.
 * SPDX-License-Identifier: Apache-2.0 */
#include "srvtest.h"

#include "ratelimit.h"

static struct t_env env;

/* --- the routes this program serves ---------------------------------------- */

/* {"params": [...], "kind": N, "role": "...", "org": N, "user": N} */
static void echo(struct srv_req *r, struct srv_resp *w)
{
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "params");
    size_t i;

    for (i = 0; i < r->nparams; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(r->params[i]));
    cJSON_AddNumberToObject(o, "kind", r->who.kind);
    cJSON_AddStringToObject(o, "role", r->who.kind ? mc_role_name(r->who.role) : "");
    cJSON_AddNumberToObject(o, "org", (double)r->who.org);
    cJSON_AddNumberToObject(o, "user", (double)r->who.user);
    cJSON_AddStringToObject(o, "method", r->method);
    srv_json(w, 200, o);
    cJSON_Delete(o);
}

/* The body parsed by srv_body_json, sent back. */
static void echo_body(struct srv_req *r, struct srv_resp *w)
{
    cJSON *v = srv_body_json(r, w);

    if (!v)
        return;
    srv_json(w, 200, v);
    cJSON_Delete(v);
}

/* Begins a transaction, writes, and fails without committing: the router
 * must roll it back (nothing half-written). */
static void half_write(struct srv_req *r, struct srv_resp *w)
{
    struct mc_err err;
    int64_t id;

    mc_err_clear(&err);
    if (mc_store_begin(r->st, &err) != MCRED_OK ||
        mc_store_org_create(r->st, "half-written", &id, &err) != MCRED_OK) {
        srv_error_rc(w, &err);
        return;
    }
    srv_error(w, 400, "invalid", "failed half-way on purpose");
}

const struct srv_route srv_routes_core[] = {
    { "GET", "/healthz", echo, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};

const struct srv_route srv_routes_vcapi[] = {
    { "GET", "/items/{id}", echo, SRV_PUBLIC },
    { "PUT", "/items/{id}", echo, SRV_STAFF },
    { "DELETE", "/items/{id}", echo, SRV_ADMIN },
    { "GET", "/items/{id}/parts/{part}", echo, SRV_AUTH },
    { "POST", "/echo", echo_body, SRV_PUBLIC },
    { "POST", "/half", half_write, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};

const struct srv_route srv_routes_ob[] = {
    { "GET", "/four/{a}/{b}/{c}/{d}", echo, SRV_PUBLIC },
    /* more {x} than SRV_MAX_PARAMS: never matches */
    { "GET", "/five/{a}/{b}/{c}/{d}/{e}", echo, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};

const struct srv_route srv_routes_platform[] = {
    { "GET", "/learner/{id}", echo, SRV_LEARNER | SRV_ADMIN },
    /* the same path in a later table: Allow lists the methods of every table */
    { "POST", "/items/{id}", echo, SRV_ISSUER },
    { NULL, NULL, NULL, 0 },
};

const struct srv_route srv_routes_pages[] = {
    { "GET", "/static/{*}", echo, SRV_PUBLIC },
    { "GET", "/files/{dir}/{*}", echo, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};

const struct srv_route srv_routes_wallet[] = { { NULL, NULL, NULL, 0 } };   /* area E */
const struct srv_route srv_routes_assess[] = { { NULL, NULL, NULL, 0 } };   /* area A */
const struct srv_route srv_routes_positions[] = { { NULL, NULL, NULL, 0 } };   /* area D */
const struct srv_route srv_routes_stacks[] = { { NULL, NULL, NULL, 0 } };   /* area B */
const struct srv_route srv_routes_plan[] = { { NULL, NULL, NULL, 0 } };   /* area C */

/* Cookie "session=learner" is a learner's web session. */
bool srv_auth_session(struct srv_req *r)
{
    const char *c = r->header(r, "Cookie");

    if (!c || strcmp(c, "session=learner") != 0)
        return false;
    r->who.kind = SRV_AUTH_SESSION;
    r->who.org = env.org;
    r->who.user = env.users[MC_ROLE_LEARNER];
    r->who.role = MC_ROLE_LEARNER;
    return true;
}

/* One OAuth access token that is not an API token: an issuer's. */
bool srv_auth_oauth(struct srv_req *r, const char *bearer)
{
    if (strcmp(bearer, "oauth-access-token-0123456789") != 0)
        return false;
    r->who.kind = SRV_AUTH_OAUTH;
    r->who.org = env.org;
    r->who.user = env.users[MC_ROLE_ISSUER];
    r->who.role = MC_ROLE_ISSUER;
    r->who.scopes = SRV_SCOPE_CREDENTIAL_READONLY;
    return true;
}

/* --- route matching ------------------------------------------------------------ */

/* The params the echo handler saw, joined with '|'; "" when not routed. */
static const char *params_of(const struct t_res *res, char *buf, size_t cap)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(res->json, "params"), *p;

    buf[0] = '\0';
    cJSON_ArrayForEach(p, a) {
        if (buf[0])
            mc_strlcat(buf, "|", cap);
        mc_strlcat(buf, cJSON_GetStringValue(p) ? cJSON_GetStringValue(p) : "?", cap);
    }
    return buf;
}

static void test_matching(void)
{
    static const struct {
        const char *path;
        int status;            /* 200: routed to echo */
        const char *params;    /* what the handler saw, or the error code */
    } cases[] = {
        { "/healthz", 200, "" },
        { "/healthz/", 404, "not_found" },        /* no trailing-slash folding */
        { "/healthzz", 404, "not_found" },
        { "/health", 404, "not_found" },
        { "/HEALTHZ", 404, "not_found" },         /* paths are case-sensitive */
        { "", 404, "not_found" },
        { "/", 404, "not_found" },
        { "//healthz", 404, "not_found" },
        { "/heal%74hz", 404, "not_found" },       /* literal parts are not decoded */
        { "/items/abc", 200, "abc" },
        { "/items/a%20b", 200, "a b" },
        { "/items/a+b", 200, "a+b" },             /* '+' is a space only in queries */
        { "/items/%41%62%63", 200, "Abc" },
        { "/items/%e2%82%ac", 200, "\xe2\x82\xac" },
        { "/items/a%2Fb", 200, "a/b" },           /* an encoded '/' stays in its segment */
        { "/items/..%2F..%2Fetc%2Fpasswd", 200, "../../etc/passwd" },
        { "/items/..", 200, ".." },               /* not normalised: just an id */
        { "/items/.", 200, "." },
        { "/items/a/b", 404, "not_found" },       /* a real '/' ends the segment */
        { "/items/", 404, "not_found" },          /* an empty segment matches nothing */
        { "/items", 404, "not_found" },
        { "/items//parts/x", 404, "not_found" },
        { "/items/%00", 400, "invalid_path" },
        { "/items/a%00b", 400, "invalid_path" },
        { "/items/%", 400, "invalid_path" },
        { "/items/%4", 400, "invalid_path" },
        { "/items/%zz", 400, "invalid_path" },
        { "/items/%G1", 400, "invalid_path" },
        /* decoded segments must be UTF-8: handlers put ids in JSON and HTML */
        { "/items/%ff", 400, "invalid_path" },
        { "/items/%C0%AE%C0%AE", 400, "invalid_path" },   /* overlong "..": not UTF-8 */
        { "/items/%ed%a0%80", 400, "invalid_path" },       /* a surrogate */
        { "/items/caf%C3%A9", 200, "caf\xc3\xa9" },
        { "/\xff\xfe", 404, "not_found" },                 /* raw bytes in an unknown path */
        { "/items/\xc3(", 400, "invalid_path" },
        { "/items/ok/parts/%", 400, "invalid_path" }, /* decoding first, then access */
        { "/four/1/2/3/4", 200, "1|2|3|4" },
        { "/four/1/2/3", 404, "not_found" },
        { "/four/1/2/3/4/5", 404, "not_found" },
        { "/five/1/2/3/4/5", 404, "not_found" },  /* too many {x}: the route never matches */
        { "/static/a.css", 200, "a.css" },
        { "/static/css/a.css", 200, "css/a.css" },
        { "/static/../../etc/passwd", 200, "../../etc/passwd" },  /* the handler's to refuse */
        { "/static/%2e%2e/x", 200, "../x" },
        { "/static/", 404, "not_found" },         /* {*} needs at least one byte */
        { "/static", 404, "not_found" },
        { "/static/a%00", 400, "invalid_path" },
        { "/files/d/x/y", 200, "d|x/y" },
        { "/files/d/", 404, "not_found" },
    };
    char buf[512];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct t_res res;

        t_run(&env, &res, "GET", cases[i].path, NULL, NULL, NULL);
        CHECK(res.status == cases[i].status, "GET '%s': status %d, want %d (%s)", cases[i].path,
              res.status, cases[i].status, res.body);
        if (cases[i].status == 200)
            CHECK_STR_EQ(params_of(&res, buf, sizeof(buf)), cases[i].params, cases[i].path);
        else
            CHECK_STR_EQ(t_error(&res), cases[i].params, cases[i].path);
        CHECK(t_has_security_headers(&res), "GET '%s': security headers", cases[i].path);
        CHECK(res.w.content_type && strcmp(res.w.content_type, "application/json") == 0,
              "GET '%s': a JSON body", cases[i].path);
        t_done(&res);
    }
}

/* Long paths: no crash, no truncation, decoded in full. */
static void test_long_paths(void)
{
    size_t n = 200000, i;
    char *path = malloc(n + 16), *want = malloc(n / 3 + 2);
    struct t_res res;
    const cJSON *p;

    memcpy(path, "/items/", 7);
    for (i = 0; i < n / 3; i++) {
        memcpy(path + 7 + 3 * i, "%41", 3);
        want[i] = 'A';
    }
    path[7 + 3 * (n / 3)] = '\0';
    want[n / 3] = '\0';
    t_run(&env, &res, "GET", path, NULL, NULL, NULL);
    p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res.json, "params"), 0);
    CHECK(res.status == 200 && cJSON_GetStringValue(p) &&
              strcmp(cJSON_GetStringValue(p), want) == 0,
          "a 200 kB path is decoded whole: %d", res.status);
    t_done(&res);

    memset(path, '/', n);
    path[n] = '\0';
    t_run(&env, &res, "GET", path, NULL, NULL, NULL);
    CHECK(res.status == 404, "a path of 200k slashes: 404, got %d", res.status);
    t_done(&res);

    memcpy(path, "/static/", 8);
    memset(path + 8, 'a', n - 8);
    path[n] = '\0';
    t_run(&env, &res, "GET", path, NULL, NULL, NULL);
    CHECK(res.status == 200, "a 200 kB {*} rest: %d", res.status);
    t_done(&res);
    free(path);
    free(want);
}

static void test_methods(void)
{
    struct t_res res;

    t_run(&env, &res, "POST", "/healthz", NULL, NULL, NULL);
    CHECK(res.status == 405 && strcmp(t_error(&res), "method_not_allowed") == 0,
          "POST /healthz: 405, got %d", res.status);
    CHECK_STR_EQ(t_resp_header(&res, "Allow"), "GET", "Allow of /healthz");
    CHECK(t_has_security_headers(&res), "405: security headers");
    t_done(&res);

    t_run(&env, &res, "PATCH", "/items/x", NULL, NULL, NULL);
    CHECK(res.status == 405, "PATCH /items/x: 405, got %d", res.status);
    CHECK_STR_EQ(t_resp_header(&res, "Allow"), "GET, PUT, DELETE, POST",
                 "Allow lists the methods of every table");
    CHECK(strstr(t_message(&res), "PATCH") && strstr(t_message(&res), "/items/x"),
          "405 message names the method and path: %s", t_message(&res));
    t_done(&res);

    t_run(&env, &res, "get", "/healthz", NULL, NULL, NULL);
    CHECK(res.status == 405, "methods are case-sensitive: 'get' is 405, got %d", res.status);
    t_done(&res);

    t_run(&env, &res, "HEAD", "/healthz", NULL, NULL, NULL);
    CHECK(res.status == 200, "HEAD runs the GET route: %d", res.status);
    t_done(&res);

    t_run(&env, &res, "HEAD", "/echo", NULL, NULL, NULL);
    CHECK(res.status == 405, "HEAD where there is no GET: 405, got %d", res.status);
    t_done(&res);

    /* a 405 only when the path matches: otherwise 404 */
    t_run(&env, &res, "DELETE", "/nowhere", NULL, NULL, NULL);
    CHECK(res.status == 404 && !t_resp_header(&res, "Allow"), "DELETE /nowhere: 404");
    t_done(&res);

    /* a bad escape on a path that matches no route of this method: still 405 */
    t_run(&env, &res, "PATCH", "/items/%zz", NULL, NULL, NULL);
    CHECK(res.status == 405, "PATCH /items/%%zz: 405, got %d", res.status);
    t_done(&res);
}

/* --- access ----------------------------------------------------------------------- */

static void bearer(char *buf, size_t cap, const char *tok)
{
    snprintf(buf, cap, "Bearer %s", tok);
}

static int status_as(const char *method, const char *path, const char *token)
{
    char auth[128];
    const char *h[] = { "Authorization", auth, NULL };
    struct t_res res;
    int st;

    bearer(auth, sizeof(auth), token ? token : "");
    t_run(&env, &res, method, path, NULL, NULL, token ? h : NULL);
    st = res.status;
    if (st == 401)
        CHECK(t_resp_header(&res, "WWW-Authenticate") != NULL, "%s %s: 401 with "
              "WWW-Authenticate", method, path);
    if (st == 403)
        CHECK(strcmp(t_error(&res), "forbidden") == 0 && strstr(t_message(&res), method),
              "%s %s: 403 names the method: %s", method, path, t_message(&res));
    t_done(&res);
    return st;
}

static void test_access(void)
{
    static const struct {
        const char *method, *path;
        unsigned who;       /* bit per role that may: (1 << role); ~0: any authenticated */
        bool pub;
    } cases[] = {
        { "GET", "/items/x", 0, true },
        { "PUT", "/items/x", 1u << MC_ROLE_ADMIN | 1u << MC_ROLE_ISSUER, false },
        { "DELETE", "/items/x", 1u << MC_ROLE_ADMIN, false },
        { "POST", "/items/x", 1u << MC_ROLE_ISSUER, false },
        { "GET", "/items/x/parts/y", ~0u, false },
        { "GET", "/learner/1", 1u << MC_ROLE_LEARNER | 1u << MC_ROLE_ADMIN, false },
    };
    size_t i;
    int role, st;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        st = status_as(cases[i].method, cases[i].path, NULL);
        CHECK(st == (cases[i].pub ? 200 : 401), "%s %s anonymous: %d", cases[i].method,
              cases[i].path, st);
        for (role = 0; role < T_ROLES; role++) {
            int want = cases[i].pub || (cases[i].who & (1u << role)) ? 200 : 403;

            st = status_as(cases[i].method, cases[i].path, env.tokens[role]);
            CHECK(st == want, "%s %s as %s: %d, want %d", cases[i].method, cases[i].path,
                  t_role_names[role], st, want);
        }
    }
}

static void test_authentication(void)
{
    static const char *const bad[] = {
        "Bearer not-a-token-we-ever-made-000",    /* a token's shape, unknown */
        "Bearer short",                           /* not a token's shape */
        "Bearer ",                                /* empty */
        "Bearer a.b.c/d+e=f-0123456789abcdef",    /* characters no token has */
        "Basic YWRtaW46YWRtaW4=",                 /* another scheme */
        "bearer",                                 /* no token at all */
        "",
    };
    char auth[128];
    const char *h[] = { "Authorization", auth, NULL };
    struct t_res res;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mc_strlcpy(auth, bad[i], sizeof(auth));
        /* wrong credentials are refused even on a public route */
        t_run(&env, &res, "GET", "/items/x", NULL, NULL, h);
        CHECK(res.status == 401 && strcmp(t_error(&res), "unauthorized") == 0 &&
                  t_resp_header(&res, "WWW-Authenticate"),
              "Authorization '%s': 401, got %d", bad[i], res.status);
        t_done(&res);
    }

    /* scheme case-insensitive, extra spaces before the token */
    snprintf(auth, sizeof(auth), "bEaReR   %s", env.tokens[MC_ROLE_ADMIN]);
    t_run(&env, &res, "DELETE", "/items/x", NULL, NULL, h);
    CHECK(res.status == 200, "'bEaReR   <token>' authenticates: %d", res.status);
    CHECK(mc_json_get(res.json, "user") &&
              (int64_t)mc_json_get(res.json, "user")->valuedouble == env.users[MC_ROLE_ADMIN],
          "the principal is the token's user");
    t_done(&res);

    /* an admin of another organisation is authenticated as that org's admin */
    bearer(auth, sizeof(auth), env.token2);
    t_run(&env, &res, "DELETE", "/items/x", NULL, NULL, h);
    CHECK(res.status == 200 && mc_json_get(res.json, "org") &&
              (int64_t)mc_json_get(res.json, "org")->valuedouble == env.org2,
          "the principal's organisation is the token's");
    t_done(&res);

    /* the OAuth hook: a bearer that is not an API token */
    bearer(auth, sizeof(auth), "oauth-access-token-0123456789");
    t_run(&env, &res, "PUT", "/items/x", NULL, NULL, h);
    CHECK(res.status == 200 && mc_json_get(res.json, "kind") &&
              mc_json_get(res.json, "kind")->valueint == SRV_AUTH_OAUTH,
          "an OAuth token authenticates through srv_auth_oauth: %d", res.status);
    t_done(&res);
    t_run(&env, &res, "DELETE", "/items/x", NULL, NULL, h);
    CHECK(res.status == 403, "the OAuth principal's role is checked: %d", res.status);
    t_done(&res);

    /* the session hook: cookies, when there is no Authorization */
    {
        const char *ck[] = { "Cookie", "session=learner", NULL };
        const char *both[] = { "Cookie", "session=learner", "Authorization", "Basic x", NULL };

        t_run(&env, &res, "GET", "/learner/1", NULL, NULL, ck);
        CHECK(res.status == 200 && mc_json_get(res.json, "kind") &&
                  mc_json_get(res.json, "kind")->valueint == SRV_AUTH_SESSION,
              "a session cookie authenticates: %d", res.status);
        t_done(&res);
        t_run(&env, &res, "PUT", "/items/x", NULL, NULL, ck);
        CHECK(res.status == 403, "a learner's session may not PUT: %d", res.status);
        t_done(&res);
        t_run(&env, &res, "GET", "/learner/1", NULL, NULL, both);
        CHECK(res.status == 401, "a bad Authorization is not rescued by a cookie: %d",
              res.status);
        t_done(&res);
    }
}

/* --- rate limit, transactions ----------------------------------------------------- */

static void test_rate_limit(void)
{
    struct t_res res;
    int i, ok = 0, limited = 0;

    env.s.conf.rate = 0.5;
    env.s.conf.burst = 3;
    env.s.limiter = srv_rate_new(env.s.conf.rate, env.s.conf.burst);
    for (i = 0; i < 5; i++) {
        t_run_from(&env, &res, "198.51.100.7", "GET", "/healthz", NULL, NULL, 0, NULL);
        if (res.status == 200)
            ok++;
        if (res.status == 429) {
            limited++;
            CHECK(strcmp(t_error(&res), "rate_limited") == 0, "429 says rate_limited");
            CHECK(t_resp_header(&res, "Retry-After") != NULL, "429 has Retry-After");
            CHECK(t_has_security_headers(&res), "429: security headers");
        }
        t_done(&res);
    }
    CHECK(ok == 3 && limited == 2, "burst 3 then 429: %d ok, %d limited", ok, limited);
    /* another client has its own bucket; unknown routes count too */
    t_run_from(&env, &res, "198.51.100.8", "GET", "/nowhere", NULL, NULL, 0, NULL);
    CHECK(res.status == 404, "another client is not limited: %d", res.status);
    t_done(&res);
    srv_rate_free(env.s.limiter);
    env.s.limiter = NULL;
    env.s.conf.rate = 0;
}

static void test_rollback(void)
{
    struct t_res res;
    struct mc_store *st;
    struct mc_org o;
    struct mc_err err;

    t_run(&env, &res, "POST", "/half", NULL, NULL, NULL);
    CHECK(res.status == 400, "half-write handler: %d", res.status);
    t_done(&res);
    mc_err_clear(&err);
    CHECK(mc_platform_store(env.plat, &st, &err) == MCRED_OK, "store: %s", mc_err_msg(&err));
    CHECK(!mc_store_in_transaction(st), "no transaction left open");
    CHECK(mc_store_org_find(st, "half-written", &o, &err) == MCRED_ERR_NOTFOUND,
          "a failed handler's write was rolled back");
}

/* --- srv_body_json ---------------------------------------------------------------------- */

static void test_body_json(void)
{
    static const struct {
        const char *ctype, *body;
        int status;
        const char *needle;      /* in the message */
    } cases[] = {
        { "application/json", "{\"a\":1}", 200, NULL },
        { "application/json; charset=utf-8", "[1]", 200, NULL },
        { "Application/JSON", "1", 200, NULL },
        { "application/ld+json", "{}", 200, NULL },
        { "application/vc+ld+json", "{}", 200, NULL },
        { "application/vc+json ;profile=x", "{}", 200, NULL },
        { NULL, "{}", 415, "Content-Type" },
        { "text/plain", "{}", 415, "Content-Type" },
        { "application/x-www-form-urlencoded", "a=1", 415, "JSON" },
        { "application/jsonx", "{}", 415, NULL },
        { "application/+json", "{}", 415, NULL },
        { "text/json", "{}", 415, NULL },
        { "", "{}", 415, NULL },
        { "application/json", "", 400, "request body" },
        { "application/json", "{\"a\": [1, 2,}", 400, "line 1, column" },
        { "application/json", "{\n  \"a\": 1,\n  \"b\": tru\n}", 400, "line 3" },
        { "application/json", "{\"a\":1} x", 400, "after the JSON value" },
        { "application/json", "\"\xff\xfe\"", 400, "UTF-8" },
        { "application/json", "{\"a\":\"\\u0000\"}", 400, "request body" },
        { "application/json", "{'a':1}", 400, "request body" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h[] = { "Content-Type", cases[i].ctype, NULL };
        struct t_res res;

        t_run(&env, &res, "POST", "/echo", NULL, cases[i].body, cases[i].ctype ? h : NULL);
        CHECK(res.status == cases[i].status, "POST /echo '%s' (%s): %d, want %d: %s",
              cases[i].body, cases[i].ctype ? cases[i].ctype : "no type", res.status,
              cases[i].status, res.body);
        if (cases[i].status == 415)
            CHECK(strcmp(t_error(&res), "unsupported_media_type") == 0, "415 error code");
        if (cases[i].status == 400) {
            CHECK(strcmp(t_error(&res), "invalid_json") == 0, "400 error code: %s", res.body);
            CHECK(strncmp(t_message(&res), "request body: ", 14) == 0,
                  "the message says where: %s", t_message(&res));
        }
        if (cases[i].needle)
            CHECK(strstr(t_message(&res), cases[i].needle) != NULL, "message '%s' has '%s'",
                  t_message(&res), cases[i].needle);
        t_done(&res);
    }
}

static void test_body_bombs(void)
{
    const char *h[] = { "Content-Type", "application/json", NULL };
    size_t n = 100000, i;
    char *b = malloc(2 * n + 1);
    struct t_res res;

    /* a depth bomb */
    for (i = 0; i < n; i++) {
        b[i] = '[';
        b[n + i] = ']';
    }
    b[2 * n] = '\0';
    t_run(&env, &res, "POST", "/echo", NULL, b, h);
    CHECK(res.status == 400 && strstr(t_message(&res), "request body"),
          "100k nested arrays: 400, got %d: %.200s", res.status, res.body);
    t_done(&res);
    /* nesting just within the limit is fine */
    for (i = 0; i < MC_JSON_MAX_DEPTH; i++)
        b[i] = '[';
    for (i = 0; i < MC_JSON_MAX_DEPTH; i++)
        b[MC_JSON_MAX_DEPTH + i] = ']';
    b[2 * MC_JSON_MAX_DEPTH] = '\0';
    t_run(&env, &res, "POST", "/echo", NULL, b, h);
    CHECK(res.status == 200, "%d nested arrays: 200, got %d", MC_JSON_MAX_DEPTH, res.status);
    t_done(&res);
    /* many members, long strings: bounded by the body cap, parsed whole */
    mc_strlcpy(b, "{", 2 * n + 1);
    for (i = 0; i < 5000; i++) {
        char m[32];

        snprintf(m, sizeof(m), "%s\"k%zu\":\"%s\"", i ? "," : "", i, "vvvvvvvv");
        mc_strlcat(b, m, 2 * n + 1);
    }
    mc_strlcat(b, "}", 2 * n + 1);
    t_run(&env, &res, "POST", "/echo", NULL, b, h);
    CHECK(res.status == 200, "5000 members: 200, got %d", res.status);
    t_done(&res);
    free(b);
}

/* --- helpers ---------------------------------------------------------------------------- */

static void test_url_decode(void)
{
    static const struct {
        const char *in;
        bool plus;
        size_t cap;
        const char *want;        /* NULL: refused */
    } cases[] = {
        { "", false, 1, "" },
        { "abc", false, 4, "abc" },
        { "abc", false, 3, NULL },               /* no room for the NUL */
        { "abc", false, 0, NULL },
        { "", false, 0, NULL },
        { "%41", false, 2, "A" },
        { "%41", false, 1, NULL },
        { "%4a%4A", false, 8, "JJ" },            /* either case of hex */
        { "a%2Fb", false, 8, "a/b" },
        { "a+b", false, 8, "a+b" },
        { "a+b", true, 8, "a b" },
        { "%2B", true, 8, "+" },                 /* an encoded '+' stays a '+' */
        { "%", false, 8, NULL },
        { "%4", false, 8, NULL },
        { "a%4", false, 8, NULL },
        { "%zz", false, 8, NULL },
        { "%g0", false, 8, NULL },
        { "%0g", false, 8, NULL },
        { "% 1", false, 8, NULL },
        { "%00", false, 8, NULL },               /* a NUL byte */
        { "a%00", true, 8, NULL },
        { "%ff%fe", false, 8, "\xff\xfe" },      /* bytes, not characters: callers check */
        { "%25", false, 8, "%" },
        { "%2541", false, 8, "%41" },            /* decoded once only */
    };
    char out[16];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool ok = srv_url_decode(cases[i].in, strlen(cases[i].in), cases[i].plus, out,
                                 cases[i].cap);

        if (cases[i].want)
            CHECK(ok && strcmp(out, cases[i].want) == 0, "decode '%s' (cap %zu): %s",
                  cases[i].in, cases[i].cap, ok ? out : "refused");
        else
            CHECK(!ok, "decode '%s' (cap %zu) is refused", cases[i].in, cases[i].cap);
    }
    /* n bounds the input: bytes past it are not read */
    CHECK(srv_url_decode("ab%41", 2, false, out, sizeof(out)) && strcmp(out, "ab") == 0,
          "n bounds the input");
    CHECK(!srv_url_decode("ab%41", 4, false, out, sizeof(out)), "an escape cut by n is bad");
}

static void test_query(void)
{
    static const struct {
        const char *query, *name, *want;   /* want NULL: absent */
    } cases[] = {
        { "a=1&b=2", "a", "1" },
        { "a=1&b=2", "b", "2" },
        { "a=1&b=2", "c", NULL },
        { "aa=1&a=2", "a", "2" },            /* whole names only */
        { "a=1&a=2", "a", "1" },             /* the first of several */
        { "a", "a", "" },
        { "a=", "a", "" },
        { "=1", "a", NULL },
        { "&&a=1&", "a", "1" },
        { "a=%41+b%2B", "a", "A b+" },
        { "a=x%3Dy%26z", "a", "x=y&z" },
        { "a=%00", "a", NULL },              /* a NUL: refused, as if absent */
        { "a=%zz", "a", NULL },
        { "", "a", NULL },
        { "q=%e2%82%ac", "q", "\xe2\x82\xac" },
    };
    char buf[16];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct srv_req r;
        const char *got;

        memset(&r, 0, sizeof(r));
        r.query = cases[i].query;
        got = srv_query(&r, cases[i].name, buf, sizeof(buf));
        if (cases[i].want)
            CHECK(got && strcmp(got, cases[i].want) == 0, "query '%s' %s: %s", cases[i].query,
                  cases[i].name, got ? got : "(absent)");
        else
            CHECK(!got, "query '%s' %s is absent: %s", cases[i].query, cases[i].name, got);
    }
    {
        struct srv_req r;

        memset(&r, 0, sizeof(r));
        r.query = NULL;
        CHECK(!srv_query(&r, "a", buf, sizeof(buf)), "a NULL query has nothing");
        r.query = "a=0123456789abcdef";
        CHECK(!srv_query(&r, "a", buf, sizeof(buf)), "a value longer than the buffer: absent");
        r.query = "a=0123456789abcde";
        CHECK(srv_query(&r, "a", buf, sizeof(buf)) != NULL, "a value that just fits");
    }
}

static void test_html_escape(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        { "", "" },
        { "plain text", "plain text" },
        { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "a & b", "a &amp; b" },
        { "&amp;", "&amp;amp;" },                         /* escaped again, never trusted */
        { "\"onmouseover=\"x", "&quot;onmouseover=&quot;x" },
        { "'single'", "&#39;single&#39;" },
        { "line\nnext\ttab", "line\nnext\ttab" },
        { "cr\rlf", "cr&#65533;lf" },
        { "\x01\x1b[31m\x1f", "&#65533;&#65533;[31m&#65533;" },
        { "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
        { "<img src=x onerror='a'>", "&lt;img src=x onerror=&#39;a&#39;&gt;" },
    };
    struct mc_buf b;
    size_t i;
    int c;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mc_buf_init(&b, 1024);
        CHECK(srv_html_escape(&b, cases[i].in) == MCRED_OK && mc_buf_appendc(&b, 0) == 0,
              "escape '%s'", cases[i].in);
        CHECK_STR_EQ(b.ptr, cases[i].want, cases[i].in);
        mc_buf_release(&b);
    }
    /* NULL is empty */
    mc_buf_init(&b, 16);
    CHECK(srv_html_escape(&b, NULL) == MCRED_OK && b.len == 0, "NULL escapes to nothing");
    mc_buf_release(&b);
    /* every byte: nothing dangerous survives, and no control byte but \t \n */
    for (c = 1; c < 256; c++) {
        char in[2] = { (char)c, 0 };
        size_t j;
        bool clean = true;

        mc_buf_init(&b, 64);
        CHECK(srv_html_escape(&b, in) == MCRED_OK, "escape byte %d", c);
        for (j = 0; j < b.len; j++) {
            unsigned char o = (unsigned char)b.ptr[j];

            if (o == '<' || o == '>' || o == '"' || o == '\'' ||
                (o < 0x20 && o != '\n' && o != '\t'))
                clean = false;
            if (o == '&' && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' &&
                !(c < 0x20))
                clean = false;
        }
        CHECK(clean, "byte 0x%02x escapes cleanly", c);
        mc_buf_release(&b);
    }
    /* the output buffer's cap is honoured */
    mc_buf_init(&b, 8);
    CHECK(srv_html_escape(&b, "<<<<<<<<") == MCRED_ERR_LIMIT, "a full buffer is LIMIT");
    mc_buf_release(&b);
}

static void test_wants_html(void)
{
    static const struct {
        const char *accept;      /* NULL: no Accept header */
        bool html;
    } cases[] = {
        { NULL, false },
        { "*/*", false },
        { "application/json", false },
        { "application/ld+json", false },
        { "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", true },
        { "text/html", true },
        { "text/html, application/json", true },
        { "application/json, text/html", false },   /* an explicit JSON preference wins */
        { "application/ld+json, text/html;q=0.5", false },
        { "text/plain", false },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h[] = { "Accept", cases[i].accept, NULL };
        struct srv_req r;

        memset(&r, 0, sizeof(r));
        r.header = t_header;
        r.adapter = cases[i].accept ? (void *)h : NULL;
        CHECK(srv_wants_html(&r) == cases[i].html, "Accept '%s': html %d",
              cases[i].accept ? cases[i].accept : "(none)", !cases[i].html);
    }
}

static void test_errors(void)
{
    static const struct {
        mcred_rc rc;
        int status;
        const char *code;
    } cases[] = {
        { MCRED_ERR_INVALID, 400, "invalid" },     { MCRED_ERR_NOTFOUND, 404, "not_found" },
        { MCRED_ERR_CONFLICT, 409, "conflict" },   { MCRED_ERR_LIMIT, 413, "too_large" },
        { MCRED_ERR_UNSUPPORTED, 501, "unsupported" }, { MCRED_ERR_STORAGE, 500, "internal" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct srv_resp w;
        struct mc_err err;
        cJSON *v = NULL;

        srv_resp_init(&w);
        mc_err_set(&err, cases[i].rc, "credential.issuer: expected a string");
        srv_error_rc(&w, &err);
        CHECK(w.status == cases[i].status, "rc %d: status %d", cases[i].rc, w.status);
        CHECK(mc_json_parse(w.body.ptr, w.body.len, 0, &v, NULL) == MCRED_OK &&
                  mc_json_str(v, "error") && strcmp(mc_json_str(v, "error"), cases[i].code) == 0 &&
                  mc_json_str(v, "message") &&
                  strcmp(mc_json_str(v, "message"), "credential.issuer: expected a string") == 0,
              "rc %d: the error body", cases[i].rc);
        cJSON_Delete(v);
        srv_resp_release(&w);
    }
    /* a message with quotes and control bytes is still valid JSON */
    {
        struct srv_resp w;
        cJSON *v = NULL;

        srv_resp_init(&w);
        srv_error(&w, 400, "invalid", "field \"%s\"", "a\"b\\c\n\x01");
        CHECK(mc_json_parse(w.body.ptr, w.body.len, 0, &v, NULL) == MCRED_OK,
              "error bodies escape their messages");
        cJSON_Delete(v);
        srv_resp_release(&w);
    }
    /* headers: 16 at most, the 17th refused */
    {
        struct srv_resp w;
        int i2;

        srv_resp_init(&w);
        for (i2 = 0; i2 < SRV_MAX_HEADERS; i2++)
            CHECK(srv_set_header(&w, "X-A", "b"), "header %d", i2);
        CHECK(!srv_set_header(&w, "X-A", "b"), "header %d is refused", SRV_MAX_HEADERS + 1);
        srv_resp_release(&w);
    }
}

/* --- the token buckets on a fake clock ------------------------------------------------- */

static void test_buckets(void)
{
    struct srv_limiter *l = srv_rate_new(5, 5);
    int i, ok;

    CHECK(l != NULL, "limiter");
    for (i = 0, ok = 0; i < 6; i++)
        ok += srv_rate_take_at(l, "203.0.113.1", 100.0);
    CHECK(ok == 5, "burst 5 at once: %d pass, the 6th is refused", ok);
    CHECK(!srv_rate_take_at(l, "203.0.113.1", 100.1), "0.1 s later: half a token, refused");
    CHECK(srv_rate_take_at(l, "203.0.113.1", 100.2), "0.2 s later: one token");
    CHECK(!srv_rate_take_at(l, "203.0.113.1", 100.2), "and only one");
    CHECK(srv_rate_take_at(l, "203.0.113.2", 100.2), "another client has its own bucket");
    CHECK(!srv_rate_take_at(l, "203.0.113.1", 50.0), "a clock going back adds nothing");
    for (i = 0, ok = 0; i < 20; i++)
        ok += srv_rate_take_at(l, "203.0.113.1", 1000.0);
    CHECK(ok == 5, "a long rest refills to the burst, no more: %d", ok);
    for (i = 0, ok = 0; i < 50; i++)
        ok += srv_rate_take_at(l, "203.0.113.1", 1001.0 + i * 0.2);
    CHECK(ok >= 49 && ok <= 50, "at exactly the rate, requests pass: %d of 50", ok);
    CHECK(srv_rate_retry_after(l) == 1, "Retry-After at 5/s: 1");
    srv_rate_free(l);

    l = srv_rate_new(0.1, 0);
    CHECK(srv_rate_take_at(l, "x", 1.0) && !srv_rate_take_at(l, "x", 2.0),
          "burst 0 is taken as 1");
    CHECK(srv_rate_take_at(l, "x", 11.0), "refilled after 10 s at 0.1/s");
    CHECK(srv_rate_retry_after(l) == 10, "Retry-After at 0.1/s: 10, got %u",
          srv_rate_retry_after(l));
    srv_rate_free(l);

    l = srv_rate_new(0, 1);
    for (i = 0, ok = 0; i < 100; i++)
        ok += srv_rate_take_at(l, "x", 1.0);
    CHECK(ok == 100, "rate 0: no limit");
    srv_rate_free(l);
    CHECK(srv_rate_take(NULL, "x", 0) && srv_rate_take_at(NULL, NULL, 0),
          "a NULL limiter allows all");
    srv_rate_free(NULL);

    /* many clients: memory is bounded, none is wrongly refused its first request
     * unless it shares a slot with one that used it up */
    l = srv_rate_new(1, 2);
    for (i = 0, ok = 0; i < 100000; i++) {
        char c[32];

        snprintf(c, sizeof(c), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        ok += srv_rate_take_at(l, c, 5.0);
    }
    CHECK(ok >= 8192 && ok < 100000, "100k clients share 4096 slots of burst 2: %d pass", ok);
    srv_rate_free(l);
}

/* --- out of memory everywhere in the router ------------------------------------------ */

static void test_oom(void)
{
    static const char *const paths[] = { "/items/a%2Fb", "/nowhere", "/static/x/y" };
    size_t p;

    for (p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
        unsigned long n;
        bool done = false;

        for (n = 1; n < 400 && !done; n++) {
            struct srv_req r;
            struct srv_resp w;
            unsigned long counted;

            memset(&r, 0, sizeof(r));
            r.method = "GET";
            r.path = paths[p];
            r.query = "";
            r.body = "";
            r.header = t_header;
            mc_strlcpy(r.client, "192.0.2.9", sizeof(r.client));
            srv_resp_init(&w);
            mcred_test_fail_alloc(n);
            srv_handle(&env.s, &r, &w);
            counted = mcred_test_fail_alloc(0);
            CHECK(w.status >= 200 && w.status < 600, "OOM at %lu on %s: status %d", n,
                  paths[p], w.status);
            done = counted < n;   /* the nth allocation never came: a clean run */
            srv_resp_release(&w);
        }
        CHECK(done, "%s: a run without failures within 400 allocations", paths[p]);
    }
}

int main(void)
{
    t_env_open(&env);
    test_matching();
    test_long_paths();
    test_methods();
    test_access();
    test_authentication();
    test_rate_limit();
    test_rollback();
    test_body_json();
    test_body_bombs();
    test_url_decode();
    test_query();
    test_html_escape();
    test_wants_html();
    test_errors();
    test_buckets();
    test_oom();
    t_env_close(&env);
    return check_report();
}
