/* test_oauth.c - lib/service/oauth.c and obapi.c without HTTP: the URI and
 * scope rules (tables), the redirect encoding, the whole authorization code
 * flow on a SQLite ":memory:" store with the PKCE pair of RFC 7636 Appendix
 * B, refresh rotation and replay, revocation, wallet paging links, and the
 * flow again with every allocation made to fail in turn (no crash; ASan
 * reports any leak).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "service/oauth.h"
#include "service/obapi.h"
#include "store/store.h"
#include "util/json.h"

/* RFC 7636 Appendix B: the code_verifier and its S256 code_challenge. */
#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC7636_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

#define NOW ((time_t)1800000000)

static void t_redirects(void)
{
    static const struct { const char *uri; bool ok; const char *origin; } cases[] = {
        { "https://app.example/cb", true, "https://app.example" },
        { "https://app.example:8443/a/b?x=1", true, "https://app.example:8443" },
        { "https://app.example", true, "https://app.example" },
        { "http://127.0.0.1:9/callback", true, "http://127.0.0.1:9" },
        { "http://localhost/cb", true, "http://localhost" },
        { "http://[::1]:8080/cb", true, "http://[::1]:8080" },
        { "http://app.example/cb", false, NULL },          /* plain http off loopback */
        { "http://127.0.0.2/cb", false, NULL },            /* not the loopback name */
        { "https://app.example/cb#frag", false, NULL },    /* RFC 6749 3.1.2: no fragment */
        { "https://user@app.example/cb", false, NULL },    /* user info */
        { "https:///cb", false, NULL },                    /* no host */
        { "https://app.example:99999/cb", false, NULL },   /* a port over 65535 */
        { "https://app.example:123456/cb", false, NULL },  /* six digits */
        { "https://app.example:/cb", false, NULL },        /* an empty port */
        { "https://app example/cb", false, NULL },         /* a space */
        { "https://app.example/\"cb", false, NULL },       /* a quote (HTML, headers) */
        { "https://app.example/cb\r\nX: y", false, NULL }, /* header injection */
        { "javascript:alert(1)", false, NULL },
        { "custom.app:/cb", false, NULL },
        { "", false, NULL },
        { "https://ex;ample/cb", false, NULL },            /* ';' in the host (CSP) */
    };
    char origin[256];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK(mc_oauth_redirect_ok(cases[i].uri) == cases[i].ok, "redirect_ok('%s') %d",
              cases[i].uri, cases[i].ok);
        if (cases[i].origin) {
            CHECK(mc_oauth_origin(cases[i].uri, origin, sizeof(origin)) &&
                  strcmp(origin, cases[i].origin) == 0, "origin of '%s': '%s'", cases[i].uri,
                  origin);
        }
    }
    CHECK(!mc_oauth_redirect_ok(NULL), "redirect_ok(NULL)");
    CHECK(!mc_oauth_origin("https://app.example/cb", origin, 8), "an origin that does not fit");
}

static void t_scopes(void)
{
    static const struct { const char *s; mcred_rc rc; unsigned bits; size_t unknown; } cases[] = {
        { MC_OAUTH_SCOPE_PREFIX "credential.readonly", MCRED_OK, MC_OAUTH_CRED_READ, 0 },
        { MC_OAUTH_SCOPE_PREFIX "credential.upsert  " MC_OAUTH_SCOPE_PREFIX "profile.update",
          MCRED_OK, MC_OAUTH_CRED_UPSERT | MC_OAUTH_PROFILE_UPDATE, 0 },
        { "offline_access openid " MC_OAUTH_SCOPE_PREFIX "profile.readonly", MCRED_OK,
          MC_OAUTH_OFFLINE | MC_OAUTH_PROFILE_READ, 1 },
        { "openid email", MCRED_OK, 0, 2 },
        { MC_OAUTH_SCOPE_PREFIX "credential.readonlyX", MCRED_OK, 0, 1 },  /* whole names */
        { "", MCRED_ERR_INVALID, 0, 0 },
        { "   ", MCRED_ERR_INVALID, 0, 0 },
        { "a\tb", MCRED_ERR_INVALID, 0, 0 },
    };
    struct mc_buf b;
    struct mc_err err;
    unsigned bits;
    size_t i, unknown;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mcred_rc rc = mc_oauth_scope_parse(cases[i].s, &bits, &unknown, &err);

        CHECK(rc == cases[i].rc && (rc || (bits == cases[i].bits &&
                                          unknown == cases[i].unknown)),
              "scope_parse('%s'): rc %d bits %u unknown %zu", cases[i].s, rc, bits, unknown);
    }
    mc_buf_init(&b, 0);
    CHECK(mc_oauth_scope_format(MC_OAUTH_SCOPES_ALL, &b) == MCRED_OK &&
          mc_oauth_scope_parse(b.ptr, &bits, &unknown, &err) == MCRED_OK &&
          bits == MC_OAUTH_SCOPES_ALL && unknown == 0, "scope_format round trip: %s", b.ptr);
    mc_buf_release(&b);
    CHECK(mc_oauth_scope_name(MC_OAUTH_CRED_READ) &&
          strcmp(mc_oauth_scope_name(MC_OAUTH_CRED_READ),
                 "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly") == 0 &&
          !mc_oauth_scope_name(1u << 9), "scope names");
}

static void t_locations(void)
{
    struct mc_buf b;

    mc_buf_init(&b, 0);
    CHECK(mc_oauth_error_location("https://app.example/cb?x=1", "access_denied", "a b",
                                  "s&t=1", &b) == MCRED_OK &&
          strcmp(b.ptr, "https://app.example/cb?x=1&error=access_denied&error_description=a%20b"
                        "&state=s%26t%3D1") == 0, "error location: %s", b.ptr);
    mc_buf_reset(&b);
    CHECK(mc_oauth_error_location("https://app.example/cb", "invalid_scope", NULL, NULL, &b) ==
          MCRED_OK && strcmp(b.ptr, "https://app.example/cb?error=invalid_scope") == 0,
          "error location without state: %s", b.ptr);
    mc_buf_release(&b);
}

static void t_links(void)
{
    struct mc_obapi_page pg = { 3, 3, false, 0 };
    struct mc_buf b;

    mc_buf_init(&b, 0);
    CHECK(mc_obapi_links("https://h/c", &pg, 7, 3, &b) == MCRED_OK &&
          strcmp(b.ptr, "<https://h/c?limit=3&offset=6>; rel=\"next\", "
                        "<https://h/c?limit=3&offset=6>; rel=\"last\", "
                        "<https://h/c?limit=3&offset=0>; rel=\"first\", "
                        "<https://h/c?limit=3&offset=0>; rel=\"prev\"") == 0,
          "links of a middle page: %s", b.ptr);
    mc_buf_reset(&b);
    pg.offset = 0;
    pg.has_since = true;
    pg.since = 946684800;
    CHECK(mc_obapi_links("https://h/c", &pg, 0, 0, &b) == MCRED_OK &&
          strcmp(b.ptr, "<https://h/c?limit=3&offset=0&since=2000-01-01T00:00:00Z>; "
                        "rel=\"last\", <https://h/c?limit=3&offset=0&since="
                        "2000-01-01T00:00:00Z>; rel=\"first\"") == 0,
          "links of an empty wallet: %s", b.ptr);
    mc_buf_release(&b);
}

/* --- the flow ------------------------------------------------------------------- */

static const char reg_json[] =
    "{\"client_name\":\"App\",\"client_uri\":\"https://app.example/\","
    "\"logo_uri\":\"https://app.example/l.png\",\"tos_uri\":\"https://app.example/tos\","
    "\"policy_uri\":\"https://app.example/p\",\"software_id\":\"app\",\"software_version\":\"1\","
    "\"redirect_uris\":[\"https://app.example/cb\"],"
    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
    "\"scope\":\"" MC_OAUTH_SCOPE_PREFIX "credential.readonly " MC_OAUTH_SCOPE_PREFIX
    "profile.readonly\"}";

/* A query parameter of a URL, copied into buf; false when absent. */
static bool url_param(const char *url, const char *name, char *buf, size_t cap)
{
    const char *p = strchr(url, '?');
    size_t nl = strlen(name), n;

    while (p && *p) {
        p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            n = strcspn(p + nl + 1, "&");
            if (n >= cap)
                return false;
            memcpy(buf, p + nl + 1, n);
            buf[n] = '\0';
            return true;
        }
        p = strchr(p, '&');
    }
    return false;
}

struct flow {
    struct mc_store *st;
    int64_t org, user;
    char client_id[64], secret[64];
};

/* Register, consent, exchange, refresh, replay, revoke. In checking mode
 * (strict) every step must succeed as the protocol says; under allocation
 * failures (strict false) a step may fail, and the flow stops there. */
static bool run_flow(struct flow *f, bool strict)
{
    struct mc_oauth_authz_req q = { "code", NULL, "https://app.example/cb",
                                    MC_OAUTH_SCOPE_PREFIX "credential.readonly", "st",
                                    RFC7636_CHALLENGE, "S256" };
    struct mc_oauth_token_req tq = { "authorization_code", NULL, "https://app.example/cb",
                                     RFC7636_VERIFIER, NULL, NULL };
    struct mc_oauth_client_auth ca = { f->client_id, f->secret };
    struct mc_oauth_authz a;
    struct mc_oauth_issued t, t2, t3;
    struct mc_user u;
    struct mc_buf out, loc;
    const char *oerr = NULL;
    char nonce[MC_OAUTH_SECRET_SIZE], code[64];
    cJSON *req = NULL, *resp = NULL;
    bool redirectable, ok = false;
    unsigned scopes;
    struct mc_err err;

    memset(&a, 0, sizeof(a));
    memset(&u, 0, sizeof(u));
    memset(&t, 0, sizeof(t));
    memset(&t2, 0, sizeof(t2));
    memset(&t3, 0, sizeof(t3));
    mc_buf_init(&out, 0);
    mc_buf_init(&loc, 0);
    if (mc_json_parse(reg_json, strlen(reg_json), 0, &req, &err) ||
        mc_oauth_register(f->st, req, NOW, &out, &oerr, &err) ||
        mc_json_parse(out.ptr, out.len, 0, &resp, &err))
        goto out;
    mc_strlcpy(f->client_id, mc_json_str(resp, "client_id"), sizeof(f->client_id));
    mc_strlcpy(f->secret, mc_json_str(resp, "client_secret"), sizeof(f->secret));
    q.client_id = f->client_id;
    if (mc_oauth_authz_check(f->st, &q, &a, &redirectable, &oerr, &err) ||
        mc_oauth_consent_start(f->st, &a, f->org, f->user, NOW, nonce, &err) ||
        mc_oauth_consent_finish(f->st, f->org, f->user, nonce, true, NOW, &loc, &err) ||
        !url_param(loc.ptr, "code", code, sizeof(code)))
        goto out;
    tq.code = code;
    if (mc_oauth_token(f->st, &ca, &tq, NOW + 1, &t, &oerr, &err))
        goto out;
    if (strict) {
        CHECK(t.refresh_token[0] && t.scopes == MC_OAUTH_CRED_READ &&
              t.expires_in == MC_OAUTH_ACCESS_TTL, "the RFC 7636 verifier opens the code");
        CHECK(mc_oauth_authenticate(f->st, t.access_token, NOW + 2, &u, &scopes, &err) ==
              MCRED_OK && u.id == f->user && scopes == MC_OAUTH_CRED_READ,
              "the access token authenticates its user: %s", mc_err_msg(&err));
        mc_user_release(&u);
        CHECK(mc_oauth_authenticate(f->st, t.access_token, NOW + 1 + MC_OAUTH_ACCESS_TTL, &u,
                                    &scopes, &err) == MCRED_ERR_NOTFOUND,
              "an access token expires after an hour");
        CHECK(mc_oauth_authenticate(f->st, t.refresh_token, NOW + 2, &u, &scopes, &err) ==
              MCRED_ERR_NOTFOUND, "a refresh token is no access token");
    }
    tq.grant_type = "refresh_token";
    tq.refresh_token = t.refresh_token;
    if (mc_oauth_token(f->st, &ca, &tq, NOW + 3, &t2, &oerr, &err))
        goto out;
    if (strict) {
        CHECK(strcmp(t2.refresh_token, t.refresh_token) != 0, "refresh rotates");
        CHECK(mc_oauth_token(f->st, &ca, &tq, NOW + 4, &t3, &oerr, &err) == MCRED_ERR_INVALID &&
              oerr && strcmp(oerr, "invalid_grant") == 0, "a rotated refresh token is refused");
        CHECK(mc_oauth_authenticate(f->st, t2.access_token, NOW + 5, &u, &scopes, &err) ==
              MCRED_ERR_NOTFOUND, "and its replay revoked the grant");
    }
    if (mc_oauth_revoke(f->st, &ca, t2.access_token, "access_token", NOW + 6, &oerr, &err))
        goto out;
    ok = true;
out:
    if (strict)
        CHECK(ok, "the flow ran: %s (%s)", mc_err_msg(&err), oerr ? oerr : "-");
    mc_oauth_issued_clear(&t);
    mc_oauth_issued_clear(&t2);
    mc_oauth_issued_clear(&t3);
    mc_oauth_authz_release(&a);
    mc_buf_release(&out);
    mc_buf_release(&loc);
    cJSON_Delete(req);
    cJSON_Delete(resp);
    return ok;
}

static bool flow_open(struct flow *f)
{
    struct mc_err err;

    memset(f, 0, sizeof(*f));
    if (mc_store_open(&f->st, ":memory:", &err) != MCRED_OK ||
        mc_store_org_create(f->st, "Org", &f->org, &err) != MCRED_OK ||
        mc_store_user_add(f->st, f->org, "ann@x.example", MC_ROLE_LEARNER, &f->user, &err)) {
        CHECK(0, "open a store: %s", err.msg);
        mc_store_close(f->st);
        return false;
    }
    return true;
}

static void t_flow(void)
{
    struct flow f;

    if (!flow_open(&f))
        return;
    (void)run_flow(&f, true);
    mc_store_close(f.st);
}

/* The flow with the nth allocation failing, for n = 1, 2, ... until one
 * run makes fewer allocations than n (every failure point was reached). */
static void t_alloc_failures(void)
{
    struct flow f;
    unsigned long n, used = 0;
    int runs = 0;

    for (n = 1; n < 100000; n += n < 200 ? 1 : 7) {
        if (!flow_open(&f))
            return;
        (void)mcred_test_fail_alloc(n);
        (void)run_flow(&f, false);
        used = mcred_test_fail_alloc(0);
        mc_store_close(f.st);
        runs++;
        if (used < n)
            break;
    }
    CHECK(used < n && runs > 50, "allocation failures: %d runs, every point reached (%lu < %lu)",
          runs, used, n);
}

int main(void)
{
    t_redirects();
    t_scopes();
    t_locations();
    t_links();
    t_flow();
    t_alloc_failures();
    return check_report();
}
