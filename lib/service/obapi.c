/* obapi.c - the OB 3.0 API's wallet and profile verbs: checking what a
 * client puts (credential shape, ids for equality, optional verification),
 * keeping it as sent in the learner's wallet (lib/service/wallet.h: one
 * wallet per learner), and writing pages and paging links.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "crypto/hash.h"
#include "jsonld/jcs.h"
#include "model/ob.h"
#include "proof/jwt.h"
#include "service/obapi.h"
#include "service/wallet.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/time.h"

/* body without a byte order mark and surrounding white space. */
static const char *trim(const char *p, size_t *n)
{
    if (*n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        *n -= 3;
    }
    while (*n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
        (*n)--;
    }
    while (*n > 0 && (p[*n - 1] == ' ' || p[*n - 1] == '\t' || p[*n - 1] == '\r' ||
                      p[*n - 1] == '\n'))
        (*n)--;
    return p;
}

/* err's message with prefix in front (the code rc kept). */
static mcred_rc prefixed(struct mc_err *err, mcred_rc rc, const char *prefix)
{
    char msg[MC_ERRMSG_MAX];

    mc_strlcpy(msg, mc_err_msg(err), sizeof(msg));
    return mc_err_set(err, rc, "%s: %s", prefix, msg);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* OB 3.0 credential equality: the id percent-decoded, then trimmed of
 * leading and trailing white space; owned (mc_free) in *out. */
static mcred_rc equality_key(const char *id, const char *what, char **out, struct mc_err *err)
{
    size_t n = strlen(id), i, o = 0;
    char *k;
    const char *s;

    *out = NULL;
    if (n > MC_STORE_OB_KEY_MAX * 3)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%s is longer than %zu bytes", what,
                          MC_STORE_OB_KEY_MAX);
    k = mc_malloc(n + 1);
    if (!k)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        int hi = -1, lo = -1;

        if (id[i] == '%' && i + 2 < n) {
            hi = hexval(id[i + 1]);
            lo = hexval(id[i + 2]);
        }
        if (hi >= 0 && lo >= 0) {
            k[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            k[o++] = id[i];     /* not an escape: kept as it is */
        }
    }
    k[o] = '\0';
    if (memchr(k, '\0', o)) {
        mc_free(k);
        return mc_err_set(err, MCRED_ERR_INVALID, "%s has an escaped NUL byte", what);
    }
    n = o;
    s = trim(k, &n);
    memmove(k, s, n);
    k[n] = '\0';
    if (n == 0 || n > MC_STORE_OB_KEY_MAX || !mc_utf8_valid(k, n)) {
        mc_free(k);
        return mc_err_set(err, n > MC_STORE_OB_KEY_MAX ? MCRED_ERR_LIMIT : MCRED_ERR_INVALID,
                          "%s is empty, longer than %zu bytes or not UTF-8 once decoded", what,
                          MC_STORE_OB_KEY_MAX);
    }
    *out = k;
    return MCRED_OK;
}

/* The pieces of a credential the wallet keys and orders it by. */
struct cred_facts {
    const char *id, *issuer;   /* borrowed from the tree */
    time_t issued;             /* 0: unknown */
};

static void facts_of(const cJSON *cred, const cJSON *claims, struct cred_facts *f)
{
    const cJSON *iss = mc_json_get(cred, "issuer");
    const char *from = mc_json_str(cred, "validFrom");
    const cJSON *nbf;

    memset(f, 0, sizeof(*f));
    f->id = mc_json_str(cred, "id");
    f->issuer = cJSON_IsString(iss) ? iss->valuestring : mc_json_str(iss, "id");
    if (!from)
        from = mc_json_str(cred, "issuanceDate");
    if (from && mc_time_parse(from, false, &f->issued) != MCRED_OK)
        f->issued = 0;
    if (!claims)
        return;
    if (!f->id)
        f->id = mc_json_str(claims, "jti");
    if (!f->issuer)
        f->issuer = mc_json_str(claims, "iss");
    nbf = mc_json_get(claims, "nbf");
    if (!f->issued && cJSON_IsNumber(nbf) && nbf->valuedouble > 0 && nbf->valuedouble < 1e11)
        f->issued = (time_t)nbf->valuedouble;
}

/* A compact JWS (RFC 7515): three base64url parts, the middle one may be
 * empty (OB 3.0's CompactJws pattern). */
static bool jws_shape(const char *p, size_t n, size_t *dot1, size_t *dot2)
{
    return n > 0 && n <= MC_JWT_MAX_TOKEN && mc_jws_shape(p, n, dot1, dot2) && *dot1 > 0 &&
           *dot2 + 1 < n;
}

/* Parse the credential: *tree (OUT, owned) is the whole document (JSON) or
 * the JWT claims (JWS), *cred points at the credential inside it. */
static mcred_rc parse_cred(const char *p, size_t n, bool jws, cJSON **tree, const cJSON **cred,
                           const cJSON **claims, struct mc_err *err)
{
    size_t d1 = 0, d2 = 0;
    struct mc_buf payload;
    const cJSON *vc;
    mcred_rc rc;

    *tree = NULL;
    *cred = *claims = NULL;
    if (!jws) {
        rc = mc_json_parse(p, n, MC_STORE_MAX_DOC, tree, err);
        if (rc)
            return rc == MCRED_ERR_NOMEM ? rc : prefixed(err, rc, "credential");
        *cred = *tree;
        return MCRED_OK;
    }
    if (!jws_shape(p, n, &d1, &d2))
        return mc_err_set(err, MCRED_ERR_INVALID, "credential: a text/plain body must be a "
                          "compact JWS (header.payload.signature in base64url)");
    mc_buf_init(&payload, MC_JWT_MAX_TOKEN);
    rc = mc_b64url_decode(&payload, p + d1 + 1, d2 - d1 - 1);
    if (rc)
        rc = mc_err_set(err, rc == MCRED_ERR_NOMEM ? rc : MCRED_ERR_INVALID,
                        "credential: the JWS payload is not base64url");
    if (!rc)
        rc = mc_json_parse(payload.ptr ? payload.ptr : "", payload.len, MC_STORE_MAX_DOC, tree,
                           err);
    mc_buf_release(&payload);
    if (rc)
        return rc;
    *claims = *tree;
    vc = mc_json_get(*tree, "vc");
    *cred = cJSON_IsObject(vc) ? vc : *tree;
    return MCRED_OK;
}

/* Verify the credential into v (with vo; without it v says indeterminate,
 * unchecked) and refuse it when the verdict is invalid, naming the check
 * that failed. */
static mcred_rc verify(const char *p, size_t n, bool jws, const struct mc_verify_opts *vo,
                       struct mc_verdict *v, struct mc_err *err)
{
    const struct mc_check *c = NULL;
    size_t i;
    mcred_rc rc;

    if (!vo) {
        memset(v, 0, sizeof(*v));
        v->kind = MC_VERDICT_INDETERMINATE;
        mc_strlcpy(v->format, jws ? "vc-jwt" : "json", sizeof(v->format));
        return MCRED_OK;
    }
    rc = mc_verify_bytes(p, n, vo, v, err);
    if (rc || v->kind != MC_VERDICT_INVALID)
        return rc;
    for (i = 0; i < v->n && !c; i++)
        if (v->checks[i].state == MC_CHECK_FAIL)
            c = &v->checks[i];
    return mc_err_set(err, MCRED_ERR_INVALID, "credential does not verify: %s: %s",
                      c ? c->name : "verdict", c ? c->reason : "invalid");
}

/* The equality keys of a held document (NULLs when it has no id or issuer). */
static void held_keys(const char *doc, char **ikey, char **ckey)
{
    const cJSON *cred = NULL, *claims = NULL;
    cJSON *tree = NULL;
    struct cred_facts f;
    bool jws = doc[0] != '{';

    *ikey = *ckey = NULL;
    if (parse_cred(doc, strlen(doc), jws, &tree, &cred, &claims, NULL) != MCRED_OK)
        return;
    facts_of(cred, claims, &f);
    if (f.id && f.issuer && equality_key(f.issuer, "issuer", ikey, NULL) == MCRED_OK &&
        equality_key(f.id, "id", ckey, NULL) != MCRED_OK) {
        mc_free(*ikey);
        *ikey = NULL;
    }
    cJSON_Delete(tree);
}

/* The item of the learner's wallet that is the same credential as (ikey,
 * ckey) by OB 3.0 credential equality: *item its id, 0 when none. */
static mcred_rc same_item(struct mc_store *st, int64_t org, int64_t learner, const char *ikey,
                          const char *ckey, int64_t *item, struct mc_err *err)
{
    struct mc_store_list l;
    size_t i;
    mcred_rc rc = mc_store_wallet_list(st, org, learner, &l, err);

    *item = 0;
    for (i = 0; !rc && i < l.n && !*item; i++) {
        const struct mc_wallet_item *it = &((const struct mc_wallet_item *)l.rows)[i];
        char *ik = NULL, *ck = NULL;

        if (!it->cred_id || equality_key(it->cred_id, "id", &ck, NULL) != MCRED_OK ||
            strcmp(ck, ckey) != 0) {
            mc_free(ck);
            continue;
        }
        mc_free(ck);
        held_keys(it->doc, &ik, &ck);
        if (ik && ck && strcmp(ik, ikey) == 0 && strcmp(ck, ckey) == 0)
            *item = it->id;
        mc_free(ik);
        mc_free(ck);
    }
    mc_store_list_clear(&l);
    return rc;
}

/* The learner whose wallet is the user's (made for a user without one when
 * create). *email (OUT, owned) is the user's address. */
static mcred_rc user_learner(struct mc_store *st, int64_t org, int64_t user, bool create,
                             int64_t *learner, char **email, struct mc_err *err)
{
    struct mc_user u;
    mcred_rc rc;

    *learner = 0;
    *email = NULL;
    memset(&u, 0, sizeof(u));
    rc = mc_store_user_get(st, org, user, &u, err);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, MCRED_ERR_INVALID, "wallet: user %lld is not of organisation "
                          "%lld", (long long)user, (long long)org);
    if (rc)
        return rc;
    *email = u.email;
    u.email = NULL;
    mc_user_release(&u);
    rc = mc_wallet_learner_of(st, org, *email, create, learner, err);
    if (rc == MCRED_ERR_NOTFOUND && !create) {
        mc_err_clear(err);
        rc = MCRED_OK;
    }
    return rc;
}

mcred_rc mc_obapi_upsert(struct mc_store *st, int64_t org, int64_t user, const char *body,
                         size_t n, bool jws, const struct mc_verify_opts *vo, time_t now,
                         bool *created, struct mc_err *err)
{
    const cJSON *cred = NULL, *claims = NULL;
    cJSON *tree = NULL;
    struct cred_facts f;
    struct mc_verdict *v = NULL;
    struct mc_wallet_ctx wc;
    char *ikey = NULL, *ckey = NULL, *doc = NULL, *email = NULL;
    int64_t learner = 0, item = 0, id = 0;
    bool fresh = false, own;
    mcred_rc rc;

    *created = false;
    body = trim(body ? body : "", &n);
    if (n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "credential: the body is empty");
    rc = parse_cred(body, n, jws, &tree, &cred, &claims, err);
    if (rc)
        goto out;
    if (!cJSON_IsObject(cred) || !mc_ob_is_badge(cred)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "credential: type must include "
                        "OpenBadgeCredential or AchievementCredential");
        goto out;
    }
    facts_of(cred, claims, &f);
    if (!f.id || !f.issuer) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "credential: %s is missing (a string)",
                        !f.id ? "id" : "issuer.id");
        goto out;
    }
    rc = equality_key(f.issuer, "credential: issuer.id", &ikey, err);
    if (!rc)
        rc = equality_key(f.id, "credential: id", &ckey, err);
    if (!rc) {
        v = mc_calloc(1, sizeof(*v));
        doc = mc_strndup(body, n);
        if (!v || !doc)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    if (!rc)
        rc = verify(body, n, jws, vo, v, err);
    if (!rc && !v->id[0])
        mc_strlcpy(v->id, f.id, sizeof(v->id));   /* the wallet finds it by this id */
    /* the learner's wallet: one transaction for the learner, the lookup and the write
     * (the caller's when one is open) */
    own = !mc_store_in_transaction(st);
    if (!rc && own)
        rc = mc_store_begin(st, err);
    if (rc)
        goto out;
    rc = user_learner(st, org, user, true, &learner, &email, err);
    if (!rc)
        rc = same_item(st, org, learner, ikey, ckey, &item, err);
    if (!rc) {
        memset(&wc, 0, sizeof(wc));
        wc.st = st;
        wc.org = org;
        wc.verify = vo;
        wc.now = now;
        rc = mc_wallet_keep(&wc, learner, item, doc, v, "obapi", &id, &fresh, err);
    }
    if (own) {
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            (void)mc_store_rollback(st);
    }
    if (!rc)
        *created = fresh;
out:
    cJSON_Delete(tree);
    mc_free(v);
    mc_free(ikey);
    mc_free(ckey);
    mc_free(doc);
    mc_free(email);
    return rc;
}

/* --- listing ------------------------------------------------------------------------- */

/* One credential of the wallet as the API lists it. */
struct entry {
    const char *doc;          /* borrowed from the store rows */
    bool jws;
    time_t issued;
    int src;                  /* 0 held, 1 issued: the order after issued */
    size_t seq;               /* its place in its list */
};

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->issued != y->issued)
        return x->issued < y->issued ? -1 : 1;
    if (x->src != y->src)
        return x->src - y->src;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Whether a held document is an OB 3.0 credential the API can carry (JSON,
 * or a compact JWS; the wallet also holds OB 2.0 assertions and their URLs,
 * which it cannot), and when it was issued: validFrom, issuanceDate or nbf,
 * else fallback. */
static bool held_cred(const char *doc, time_t fallback, time_t *issued)
{
    const cJSON *cred = NULL, *claims = NULL;
    cJSON *tree = NULL;
    struct cred_facts f;
    size_t n = strlen(doc);
    bool jws = doc[0] != '{', ok;

    *issued = fallback;
    if (jws && !mc_jws_shape(doc, n, NULL, NULL))
        return false;
    if (parse_cred(doc, n, jws, &tree, &cred, &claims, NULL) != MCRED_OK)
        return false;
    ok = cJSON_IsObject(cred) && mc_ob_is_badge(cred);
    facts_of(cred, claims, &f);
    cJSON_Delete(tree);
    if (f.issued > 0)
        *issued = f.issued;
    return ok;
}

/* The user's wallet: the learner's items that are OB 3.0 credentials, and
 * what org issued to the user's address that the learner does not hold (by
 * credential id), issued after since (may be NULL), in order. e (OUT, mc_free) and the lists (OUT,
 * mc_store_list_clear) hold it. */
static mcred_rc wallet_entries(struct mc_store *st, int64_t org, int64_t user,
                               const time_t *since, struct mc_store_list *held,
                               struct mc_store_list *issued, struct entry **e, size_t *n,
                               struct mc_err *err)
{
    struct mc_store_list page;
    char *email = NULL;
    int64_t learner = 0;
    size_t i, k, cap;
    mcred_rc rc;

    memset(held, 0, sizeof(*held));
    memset(issued, 0, sizeof(*issued));
    *e = NULL;
    *n = 0;
    rc = user_learner(st, org, user, false, &learner, &email, err);
    if (!rc && learner)
        rc = mc_store_wallet_list(st, org, learner, held, err);
    /* issued to the address (or the learner), page by page */
    while (!rc && email) {
        struct mc_credential *all;

        rc = mc_store_cred_list_recipient(st, org, email, issued->n, MC_STORE_PAGE_MAX, &page,
                                          err);
        if (rc || page.n == 0) {
            mc_store_list_clear(&page);
            break;
        }
        all = mc_realloc(issued->rows, (issued->n + page.n) * sizeof(*all));
        if (!all) {
            mc_store_list_clear(&page);
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(all + issued->n, page.rows, page.n * sizeof(*all));
        issued->rows = all;
        issued->row_size = page.row_size;
        issued->release_row = page.release_row;
        issued->n += page.n;
        mc_free(page.rows);   /* the rows moved; their strings now belong to issued */
        if (page.n < MC_STORE_PAGE_MAX)
            break;
    }
    mc_free(email);
    cap = held->n + issued->n;
    if (!rc && cap) {
        *e = mc_calloc(cap, sizeof(**e));
        if (!*e)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    for (i = 0; !rc && i < held->n; i++) {
        const struct mc_wallet_item *it = &((const struct mc_wallet_item *)held->rows)[i];
        struct entry x = { it->doc, it->doc[0] != '{', 0, 0, i };

        if (held_cred(it->doc, it->imported, &x.issued) && (!since || x.issued > *since))
            (*e)[(*n)++] = x;
    }
    for (i = 0; !rc && i < issued->n; i++) {
        const struct mc_credential *c = &((const struct mc_credential *)issued->rows)[i];
        struct entry x = { c->doc, false, c->issued, 1, i };
        bool have = false;

        for (k = 0; k < held->n && !have; k++) {
            const char *hid = ((const struct mc_wallet_item *)held->rows)[k].cred_id;

            have = hid && c->id && strcmp(hid, c->id) == 0;
        }
        if (!have && (!since || x.issued > *since))
            (*e)[(*n)++] = x;
    }
    if (!rc && *n > 1)
        qsort(*e, *n, sizeof(**e), entry_cmp);
    return rc;
}

mcred_rc mc_obapi_list(struct mc_store *st, int64_t org, int64_t user,
                       const struct mc_obapi_page *pg, struct mc_buf *out, int64_t *total,
                       size_t *returned, struct mc_err *err)
{
    const time_t *since = pg->has_since ? &pg->since : NULL;
    struct mc_store_list held, issued;
    struct mc_buf creds, jwss;
    struct entry *e = NULL;
    size_t i, n = 0, bytes = 0;
    mcred_rc rc;

    *total = 0;
    *returned = 0;
    mc_buf_init(&creds, 0);
    mc_buf_init(&jwss, 0);
    rc = wallet_entries(st, org, user, since, &held, &issued, &e, &n, err);
    if (!rc)
        *total = (int64_t)n;
    for (i = pg->offset; !rc && i < n && *returned < pg->limit; i++) {
        const struct entry *it = &e[i];
        size_t len = strlen(it->doc);
        struct mc_buf *b = it->jws ? &jwss : &creds;

        if (*returned > 0 && bytes + len > MC_OBAPI_PAGE_BYTES)
            break;                        /* the rest on the next page */
        if (it->jws && !mc_jws_shape(it->doc, len, NULL, NULL)) {
            /* a stored JWS goes into a JSON string as it is: nothing to escape */
            rc = mc_err_set(err, MCRED_ERR_STORAGE, "wallet: a held credential is neither "
                            "JSON nor a compact JWS");
            break;
        }
        if (b->len)
            rc = mc_buf_appendc(b, ',');
        if (!rc && it->jws)
            rc = mc_buf_appendc(b, '"');
        if (!rc)
            rc = mc_buf_append(b, it->doc, len);
        if (!rc && it->jws)
            rc = mc_buf_appendc(b, '"');
        if (rc)
            rc = mc_err_set(err, rc, "wallet: the page does not fit in memory");
        bytes += len;
        (*returned)++;
    }
    if (!rc)
        rc = mc_buf_printf(out, "{\"credential\":[%s],\"compactJwsString\":[%s]}",
                           creds.ptr ? creds.ptr : "", jwss.ptr ? jwss.ptr : "");
    if (rc) {
        *total = 0;
        *returned = 0;
    }
    mc_free(e);
    mc_store_list_clear(&held);
    mc_store_list_clear(&issued);
    mc_buf_release(&creds);
    mc_buf_release(&jwss);
    return rc;
}

static mcred_rc link(struct mc_buf *out, const char *base, const struct mc_obapi_page *pg,
                     size_t offset, const char *rel)
{
    char since[32];
    mcred_rc rc = mc_buf_printf(out, "%s<%s?limit=%zu&offset=%zu", out->len ? ", " : "", base,
                                pg->limit, offset);

    if (!rc && pg->has_since) {
        mc_time_format(pg->since, since);
        rc = mc_buf_printf(out, "&since=%s", since);   /* digits, '-', ':', 'T', 'Z' */
    }
    return rc ? rc : mc_buf_printf(out, ">; rel=\"%s\"", rel);
}

mcred_rc mc_obapi_links(const char *base, const struct mc_obapi_page *pg, int64_t total,
                        size_t returned, struct mc_buf *out)
{
    size_t n = total > 0 ? (size_t)total : 0, last = 0;
    mcred_rc rc = MCRED_OK;

    if (n > 0)
        last = (n - 1) / pg->limit * pg->limit;
    if (pg->offset + returned < n)
        rc = link(out, base, pg, pg->offset + returned, "next");
    if (!rc)
        rc = link(out, base, pg, last, "last");
    if (!rc)
        rc = link(out, base, pg, 0, "first");
    if (!rc && pg->offset > 0)
        rc = link(out, base, pg, pg->offset > pg->limit ? pg->offset - pg->limit : 0, "prev");
    return rc;
}

/* --- profiles ------------------------------------------------------------------------ */

/* A name-based UUID (RFC 9562 version 8, from SHA-256) of the user in this
 * deployment: stable across calls without storing anything. */
static void profile_id(const char *public_url, int64_t org, int64_t user, char out[46])
{
    char name[600];
    uint8_t h[MC_SHA256_BYTES];
    int len = snprintf(name, sizeof(name), "mcred profile\n%.512s\n%lld\n%lld",
                       public_url ? public_url : "", (long long)org, (long long)user);

    mc_sha256(name, len > 0 ? (size_t)len : 0, h);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x80);   /* version 8 */
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);   /* the RFC variant */
    (void)snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8],
             h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

mcred_rc mc_obapi_profile_get(struct mc_store *st, int64_t org, int64_t user,
                              const char *email, const char *public_url, struct mc_buf *out,
                              struct mc_err *err)
{
    struct mc_ob_profile p;
    cJSON *o = NULL, *ctx, *type;
    char id[46];
    mcred_rc rc = mc_store_ob_profile_get(st, org, user, &p, err);

    if (!rc) {
        rc = mc_buf_appends(out, p.doc);
        mc_ob_profile_release(&p);
        return rc ? mc_err_set(err, rc, "out of memory") : MCRED_OK;
    }
    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    profile_id(public_url, org, user, id);
    o = cJSON_CreateObject();
    ctx = cJSON_AddArrayToObject(o, "@context");
    rc = MCRED_ERR_NOMEM;
    if (ctx && cJSON_AddItemToArray(ctx, cJSON_CreateString(MC_OB3_CONTEXT)) &&
        cJSON_AddStringToObject(o, "id", id)) {
        type = cJSON_AddArrayToObject(o, "type");
        if (type && cJSON_AddItemToArray(type, cJSON_CreateString("Profile")) &&
            (!email || cJSON_AddStringToObject(o, "email", email)))
            rc = mc_json_stringify(o, 0, out, err);
    }
    cJSON_Delete(o);
    return rc == MCRED_ERR_NOMEM ? mc_err_set(err, rc, "out of memory") : rc;
}

mcred_rc mc_obapi_profile_put(struct mc_store *st, int64_t org, int64_t user, const char *body,
                              size_t n, time_t now, struct mc_err *err)
{
    cJSON *doc = NULL;
    const char *id;
    char *text = NULL;
    mcred_rc rc;

    body = trim(body ? body : "", &n);
    rc = mc_json_parse(body, n, MC_STORE_MAX_DOC, &doc, err);
    if (rc)
        return rc == MCRED_ERR_NOMEM ? rc : prefixed(err, rc, "profile");
    id = mc_json_str(doc, "id");
    if (!cJSON_IsObject(doc))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "profile: must be a JSON object");
    else if (!mc_json_has_str(mc_json_get(doc, "type"), "Profile"))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "profile: type must include \"Profile\"");
    else if (!id || !mc_is_uri(id))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "profile: id must be a URI");
    if (!rc) {
        text = mc_strndup(body, n);
        rc = text ? mc_store_ob_profile_put(st, org, user, text, now, err)
                  : mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    mc_free(text);
    cJSON_Delete(doc);
    return rc;
}
