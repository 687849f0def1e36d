/* test_routes.c - properties every route of the real tables (the handler
 * files linked into `mcred serve`) must have, checked in process through
 * srv_handle: well-formed patterns (a leading '/', {x} segments, {*} last, at
 * most SRV_MAX_PARAMS), known methods and access bits, no duplicate and no
 * route hidden behind an earlier one; then, for every route that needs a
 * principal, 401 without one and 403 for each role its flags leave out (and
 * neither for the roles they let in); and ids that try to climb out of a
 * directory or carry a NUL never get a 2xx or a 5xx.
 * SPDX-License-Identifier: Apache-2.0 */
#include "srvtest.h"

static struct t_env env;

struct t_route {
    const struct srv_route *rt;
    const char *table;
};

static struct t_route routes[512];
static size_t nroutes;

static void collect(const struct srv_route *t, const char *name)
{
    for (; t->method; t++) {
        CHECK(nroutes < sizeof(routes) / sizeof(routes[0]), "fewer than 512 routes");
        if (nroutes >= sizeof(routes) / sizeof(routes[0]))
            return;
        routes[nroutes].rt = t;
        routes[nroutes].table = name;
        nroutes++;
    }
}

/* Does pattern p match the concrete path s (the router's rules: {x} one
 * non-empty segment, a final {*} the non-empty rest)? */
static bool matches(const char *p, const char *s)
{
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            bool rest = pe && pe - p == 2 && p[1] == '*';
            size_t n = rest ? strlen(s) : strcspn(s, "/");

            if (!pe || n == 0)
                return false;
            s += n;
            p = pe + 1;
            continue;
        }
        if (*p++ != *s++)
            return false;
    }
    return *p == '\0' && *s == '\0';
}

/* The path of pattern p with each {x} replaced by seg and {*} by rest. */
static void build(const char *p, const char *seg, const char *rest, char *out, size_t cap)
{
    out[0] = '\0';
    while (*p) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');

            if (!pe)
                break;
            mc_strlcat(out, pe - p == 2 && p[1] == '*' ? rest : seg, cap);
            p = pe + 1;
            continue;
        }
        {
            size_t n = strlen(out);

            if (n + 1 < cap) {
                out[n] = *p;
                out[n + 1] = '\0';
            }
        }
        p++;
    }
}

static bool same_method(const char *route, const char *req)
{
    return strcmp(route, req) == 0 || (strcmp(req, "HEAD") == 0 && strcmp(route, "GET") == 0);
}

/* The route the router picks for method path: the first match in order. */
static const struct srv_route *first_match(const char *method, const char *path)
{
    size_t i;

    for (i = 0; i < nroutes; i++)
        if (same_method(routes[i].rt->method, method) && matches(routes[i].rt->pattern, path))
            return routes[i].rt;
    return NULL;
}

static void test_shapes(void)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "PATCH" };
    const unsigned roles = SRV_ADMIN | SRV_ISSUER | SRV_ASSESSOR | SRV_LEARNER | SRV_RECRUITER;
    size_t i, j;

    for (i = 0; i < nroutes; i++) {
        const struct srv_route *rt = routes[i].rt;
        const char *p = rt->pattern;
        size_t nparams = 0;
        bool known = false, braces = true;

        for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++)
            known = known || strcmp(rt->method, methods[j]) == 0;
        CHECK(known, "%s: %s %s: a known method", routes[i].table, rt->method, p);
        CHECK(rt->fn != NULL, "%s: %s %s: a handler", routes[i].table, rt->method, p);
        CHECK(p && p[0] == '/', "%s: %s %s starts with '/'", routes[i].table, rt->method, p);
        CHECK(rt->access == SRV_PUBLIC || rt->access == SRV_AUTH || !(rt->access & ~roles),
              "%s: %s %s: access is PUBLIC, AUTH or role bits (0x%x)", routes[i].table,
              rt->method, p, rt->access);
        for (; p && *p; p++) {
            if (*p == '}')
                braces = false;   /* a '}' outside {x} */
            if (*p != '{')
                continue;
            {
                const char *pe = strchr(p, '}');

                if (!pe || p == rt->pattern || p[-1] != '/' ||
                    (pe[1] != '/' && pe[1] != '\0') || pe == p + 1) {
                    braces = false;
                    break;
                }
                if (pe - p == 2 && p[1] == '*' && pe[1] != '\0')
                    braces = false;   /* {*} not last */
                nparams++;
                p = pe;
            }
        }
        CHECK(braces, "%s: %s %s: each {x} is a whole segment, {*} the last", routes[i].table,
              rt->method, rt->pattern);
        CHECK(nparams <= SRV_MAX_PARAMS, "%s: %s %s: at most %d {x} (a route with more never "
              "matches)", routes[i].table, rt->method, rt->pattern, SRV_MAX_PARAMS);
    }
    /* no duplicate, and no route unreachable behind an earlier one */
    for (i = 0; i < nroutes; i++) {
        char path[1024];

        build(routes[i].rt->pattern, "srvtest-id", "srvtest/rest", path, sizeof(path));
        for (j = 0; j < i; j++) {
            const struct srv_route *a = routes[j].rt, *b = routes[i].rt;

            if (strcmp(a->method, b->method) != 0)
                continue;
            CHECK(strcmp(a->pattern, b->pattern) != 0, "%s %s is registered twice (%s, %s)",
                  b->method, b->pattern, routes[j].table, routes[i].table);
            /* a literal route an earlier pattern already takes */
            if (!strchr(b->pattern, '{'))
                CHECK(!matches(a->pattern, b->pattern), "%s %s (%s) is hidden behind %s (%s)",
                      b->method, b->pattern, routes[i].table, a->pattern, routes[j].table);
        }
        (void)path;
    }
}

/* The first role whose token the route lets in, or -1 (PUBLIC: -2). */
static int allowed_role(const struct srv_route *rt)
{
    int role;

    if (rt->access == SRV_PUBLIC)
        return -2;
    for (role = 0; role < T_ROLES; role++)
        if (rt->access == SRV_AUTH || (rt->access & SRV_ROLE(role)))
            return role;
    return -1;
}

static bool router_forbade(const struct t_res *res, const struct srv_route *rt)
{
    char needle[300];

    /* the router's own 403 names the method and the pattern */
    snprintf(needle, sizeof(needle), "may not %s %s", rt->method, rt->pattern);
    return res->status == 403 && strstr(t_message(res), needle) != NULL;
}

static void test_access(void)
{
    size_t i;
    size_t checked = 0;

    for (i = 0; i < nroutes; i++) {
        const struct srv_route *rt = routes[i].rt, *picked;
        char path[1024], auth[128];
        const char *h[] = { "Authorization", auth, "Content-Type", "application/json", NULL };
        struct t_res res;
        int role;

        if (rt->access == SRV_PUBLIC)
            continue;
        build(rt->pattern, "srvtest-id", "srvtest/rest", path, sizeof(path));
        picked = first_match(rt->method, path);
        if (picked != rt)
            continue;   /* the path reaches an earlier route: test_shapes judged it */
        checked++;
        t_run(&env, &res, rt->method, path, NULL, "{}", h + 2);
        CHECK(res.status == 401 && t_resp_header(&res, "WWW-Authenticate"),
              "%s %s without a token: 401, got %d", rt->method, path, res.status);
        t_done(&res);
        for (role = 0; role < T_ROLES; role++) {
            bool may = rt->access == SRV_AUTH || (rt->access & SRV_ROLE(role));

            snprintf(auth, sizeof(auth), "Bearer %s", env.tokens[role]);
            t_run(&env, &res, rt->method, path, NULL, "{}", h);
            if (may)
                CHECK(res.status != 401 && !router_forbade(&res, rt) && res.status < 500,
                      "%s %s as %s: let in (%d: %s)", rt->method, path, t_role_names[role],
                      res.status, res.body);
            else
                CHECK(router_forbade(&res, rt), "%s %s as %s: 403 from the router, got %d",
                      rt->method, path, t_role_names[role], res.status);
            CHECK(t_has_security_headers(&res), "%s %s: security headers", rt->method, path);
            t_done(&res);
        }
    }
    printf("access checked on %zu routes that need a principal\n", checked);
}

/* Ids that climb out of a directory, carry a NUL or are not percent-encoding:
 * never a 2xx, never a 5xx. */
static void test_hostile_ids(void)
{
    static const char *const segs[] = {
        "..%2F..%2Fetc%2Fpasswd", "..", "%2e%2e", "%00", "a%00b", "%zz", "%",
        "..%5C..%5Cwindows", "%2F", "%C0%AE%C0%AE",
    };
    static const char *const rests[] = {
        "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "a/../../../etc/passwd", "%00",
        "a%00.css", "./../x", "%2e%2e/%2e%2e/etc/passwd", "..\\..\\x",
    };
    size_t i, s, checked = 0;

    for (i = 0; i < nroutes; i++) {
        const struct srv_route *rt = routes[i].rt;
        bool rest = strstr(rt->pattern, "{*}") != NULL;
        size_t n = rest ? sizeof(rests) / sizeof(rests[0]) : sizeof(segs) / sizeof(segs[0]);
        int role = allowed_role(rt);
        char auth[128];
        const char *h[] = { "Authorization", auth, NULL };

        if (strcmp(rt->method, "GET") != 0 || !strchr(rt->pattern, '{') || role == -1)
            continue;
        snprintf(auth, sizeof(auth), "Bearer %s", role >= 0 ? env.tokens[role] : "");
        for (s = 0; s < n; s++) {
            char path[1024];
            struct t_res res;

            build(rt->pattern, rest ? "srvtest-id" : segs[s], rest ? rests[s] : "srvtest-id",
                  path, sizeof(path));
            if (first_match("GET", path) != rt)
                continue;
            checked++;
            t_run(&env, &res, "GET", path, NULL, NULL, role >= 0 ? h : NULL);
            CHECK(res.status == 400 || res.status == 404,
                  "GET %s: 400 or 404, got %d (%.200s)", path, res.status, res.body);
            t_done(&res);
        }
    }
    printf("hostile ids tried on %zu paths\n", checked);
}

int main(void)
{
    struct t_res res;

    t_env_open(&env);
    collect(srv_routes_core, "core");
    collect(srv_routes_vcapi, "vcapi");
    collect(srv_routes_ob, "ob");
    collect(srv_routes_platform, "platform");
    collect(srv_routes_pages, "pages");
    collect(srv_routes_wallet, "wallet");
    collect(srv_routes_assess, "assess");
    collect(srv_routes_stacks, "stacks");
    collect(srv_routes_plan, "plan");
    printf("%zu routes\n", nroutes);
    CHECK(first_match("GET", "/healthz") != NULL, "GET /healthz is a route");
    t_run(&env, &res, "GET", "/healthz", NULL, NULL, NULL);
    CHECK(res.status == 200, "GET /healthz: %d", res.status);
    t_done(&res);
    test_shapes();
    test_access();
    test_hostile_ids();
    t_env_close(&env);
    return check_report();
}
