/* fuzz_router.c - fuzz target for the HTTP router and every handler behind
 * it: an input is a request as text,
 *     METHOD SP PATH[?QUERY] LF
 *     (Name: value LF)*       at most SRV_MAX_HEADERS
 *     LF
 *     body (the rest, any bytes)
 * run through srv_handle against a platform on a temporary SQLite file with
 * one organisation and a user of every role, whose API tokens are
 * "fuzz-token-<role>-0123456789" (admin, issuer, assessor, learner,
 * recruiter), so corpus entries can reach the routes behind authentication.
 * Checked: a status of 100..599; every JSON error body an object with
 * "error" and a message (or the VC API's and OB 3.0 API's own error
 * shapes); a 500
 * aborts (a handler that failed in a way nobody meant).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "h_platform.h"
#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const roles[] = { "admin", "issuer", "assessor", "learner", "recruiter" };

static struct {
    char dir[64], db[128], dsn[160];
    struct mc_ctxstore *ctx;
    struct mc_jsonld_cache *cache;
    struct mc_platform *plat;
    struct srv s;
} F;

static void cleanup(void)
{
    char p[200];
    static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
    size_t i;

    srv_platform_stop(&F.s);
    mc_platform_close(F.plat);
    mc_jsonld_cache_free(F.cache);
    mc_ctxstore_free(F.ctx);
    for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", F.db, sfx[i]);
        unlink(p);
    }
    rmdir(F.dir);
}

static void setup(void)
{
    struct mc_platform_conf pc;
    struct mc_store *st;
    struct mc_err err;
    int64_t org, user;
    size_t i;

    snprintf(F.dir, sizeof(F.dir), "/tmp/mcred-fuzz-router-XXXXXX");
    if (!mkdtemp(F.dir))
        abort();
    snprintf(F.db, sizeof(F.db), "%s/f.db", F.dir);
    snprintf(F.dsn, sizeof(F.dsn), "sqlite:%s", F.db);
    mc_err_clear(&err);
    if (mc_ctxstore_new(&F.ctx, NULL, &err) != MCRED_OK || mc_jsonld_cache_new(&F.cache))
        abort();
    memset(&pc, 0, sizeof(pc));
    pc.dsn = F.dsn;
    pc.public_url = "http://127.0.0.1:8080";
    pc.contexts = F.ctx;
    pc.cache = F.cache;
    if (mc_platform_open(&F.plat, &pc, &err) != MCRED_OK ||
        mc_platform_store(F.plat, &st, &err) != MCRED_OK ||
        mc_store_org_create(st, "fuzz", &org, &err) != MCRED_OK)
        abort();
    for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        char email[64], token[64], hash[65];

        snprintf(email, sizeof(email), "%s@fuzz.example", roles[i]);
        snprintf(token, sizeof(token), "fuzz-token-%s-0123456789", roles[i]);
        mc_platform_token_hash(token, hash);
        if (mc_store_user_add(st, org, email, (enum mc_role)i, &user, &err) != MCRED_OK ||
            mc_store_token_add(st, org, user, hash, &err) != MCRED_OK)
            abort();
    }
    F.s.conf.listen = "127.0.0.1:0";
    F.s.conf.max_body = SRV_MAX_BODY_DEFAULT;
    F.s.conf.timeout_s = SRV_TIMEOUT_DEFAULT;
    F.s.conf.max_conns = SRV_MAX_CONNS_DEFAULT;
    F.s.plat = F.plat;
    atexit(cleanup);
}

struct fz_req {
    char *names[SRV_MAX_HEADERS], *values[SRV_MAX_HEADERS];
    size_t n;
};

static const char *fz_header(const struct srv_req *r, const char *name)
{
    const struct fz_req *f = r->adapter;
    size_t i;

    for (i = 0; i < f->n; i++)
        if (strcasecmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

/* One line of p[0..n) from *off (without its LF), NUL-terminated; NULL when
 * the input ended or the line holds a NUL (HTTP lines cannot). */
static char *line(const char *p, size_t n, size_t *off)
{
    const char *s = p + *off, *e = memchr(s, '\n', n - *off);
    size_t len = e ? (size_t)(e - s) : n - *off;

    if (*off >= n || memchr(s, '\0', len))
        return NULL;
    *off += len + (e ? 1 : 0);
    if (len && s[len - 1] == '\r')
        len--;
    return mc_strndup(s, len);
}

/* A JSON error body: an object with "error" and its explanation ("message";
 * OAuth 2.0's "error_description"), a VC API verification result
 * ("verified": false with its errors), or the OB 3.0 API's imsx_StatusInfo
 * ("imsx_codeMajor": "failure" with an "imsx_description"). */
static bool error_body_ok(const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return false;
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "error")))
        return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "message")) ||
               cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "error_description"));
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "imsx_codeMajor")))
        return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "imsx_description"));
    return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(v, "verified"));
}

static void check_resp(const struct srv_resp *w)
{
    cJSON *v = NULL;

    if (w->status < 100 || w->status > 599)
        abort();
    if (w->status == 500) {
        fprintf(stderr, "fuzz_router: 500: %.*s\n", (int)w->body.len, w->body.ptr);
        abort();
    }
    if (w->status >= 400 && w->content_type &&
        strcmp(w->content_type, "application/json") == 0) {
        if (mc_json_parse(w->body.ptr ? w->body.ptr : "", w->body.len, 0, &v, NULL) != MCRED_OK ||
            !error_body_ok(v)) {
            fprintf(stderr, "fuzz_router: %d: not an error body: %.*s\n", w->status,
                    (int)w->body.len, w->body.ptr);
            abort();
        }
        cJSON_Delete(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t off = 0, i;
    char *first, *sp, *q, *body;
    struct fz_req f;
    struct srv_req r;
    struct srv_resp w;

    if (!F.plat)
        setup();
    if (size > (1u << 20))
        return 0;
    first = line(p, size, &off);
    if (!first)
        return 0;
    sp = strchr(first, ' ');
    if (!sp || !sp[1]) {
        mc_free(first);
        return 0;
    }
    *sp = '\0';
    q = strchr(sp + 1, '?');
    if (q)
        *q++ = '\0';
    memset(&f, 0, sizeof(f));
    for (;;) {
        char *h = line(p, size, &off), *colon;

        if (!h || !h[0]) {
            mc_free(h);
            break;
        }
        colon = strchr(h, ':');
        if (!colon || f.n >= SRV_MAX_HEADERS) {
            mc_free(h);
            continue;
        }
        *colon++ = '\0';
        while (*colon == ' ')
            colon++;
        f.names[f.n] = h;
        f.values[f.n] = colon;
        f.n++;
    }
    body = mc_strndup(p + off, size - off);
    if (!body)
        abort();
    memset(&r, 0, sizeof(r));
    r.method = first;
    r.path = sp + 1;
    r.query = q ? q : "";
    r.body = body;
    r.body_len = size - off;
    r.header = fz_header;
    r.adapter = &f;
    r.now = 1767225600;   /* 2026-01-01T00:00:00Z: results do not depend on the day */
    mc_strlcpy(r.client, "192.0.2.1", sizeof(r.client));
    srv_resp_init(&w);
    srv_handle(&F.s, &r, &w);
    check_resp(&w);
    srv_resp_release(&w);
    for (i = 0; i < f.n; i++)
        mc_free(f.names[i]);
    mc_free(body);
    mc_free(first);
    return 0;
}
