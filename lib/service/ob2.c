/* ob2.c - Open Badges 2.0 (and 1.x) assertions, hosted and signed: the
 * hosted copy fetched from its own URL, or the JWS checked with the key its
 * verify.creator names; the BadgeClass and Issuer (fetched or embedded); the
 * issuer's verification policy (the assertion's origin); its revocation
 * list; the hashed recipient against the one the verifier expects; dates.
 * Everything fetched goes through the verifier's fetcher (https only and no
 * private addresses unless the operator allows; or a local document map).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "proof/jwt.h"
#include "service/verify_int.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/time.h"

#define OB2_DOC_MAX ((size_t)1 << 20)   /* one fetched assertion, badge, issuer, list */

static bool has_ctx(const cJSON *doc, const char *needle)
{
    const cJSON *c = mc_json_get(doc, "@context"), *e;

    if (cJSON_IsString(c))
        return strstr(c->valuestring, needle) != NULL;
    cJSON_ArrayForEach(e, c)
        if (cJSON_IsString(e) && strstr(e->valuestring, needle))
            return true;
    return false;
}

bool mc_ob2_is_assertion(const cJSON *doc)
{
    const cJSON *verify = mc_json_get(doc, "verify");

    if (!cJSON_IsObject(doc))
        return false;
    if (has_ctx(doc, "w3id.org/openbadges/v2") || has_ctx(doc, "openbadges/v1"))
        return mc_json_get(doc, "recipient") != NULL;
    /* 1.0 assertions carry no context: uid, recipient, badge, verify */
    return cJSON_IsObject(verify) && mc_json_get(doc, "recipient") && mc_json_get(doc, "badge") &&
           mc_json_str(verify, "type") != NULL;
}

/* Fetch url and parse it as a JSON object. NULL (with why) on failure;
 * *gone when the server said the document is gone (revoked, for hosted
 * assertions). */
static cJSON *fetch_json(const struct mc_verify_opts *o, const char *url, char *why, size_t cap)
{
    struct mc_buf b;
    struct mc_err err;
    cJSON *doc = NULL;

    if (!o->fetcher) {
        snprintf(why, cap, "%s: no fetcher (offline; give a document map)", url);
        return NULL;
    }
    mc_buf_init(&b, OB2_DOC_MAX);
    mc_err_clear(&err);
    if (o->fetcher->fetch(o->fetcher->ud, url, &b, &err) != MCRED_OK) {
        snprintf(why, cap, "%s", mc_err_msg(&err));
        mc_buf_release(&b);
        return NULL;
    }
    if (mc_json_parse(b.ptr ? b.ptr : "", b.len, 0, &doc, &err) != MCRED_OK ||
        !cJSON_IsObject(doc)) {
        snprintf(why, cap, "%s: not a JSON object%s%s", url, doc ? "" : ": ",
                 doc ? "" : mc_err_msg(&err));
        mc_json_delete(doc);
        doc = NULL;
    }
    mc_buf_release(&b);
    return doc;
}

/* The host part of an http(s) URL into out ("" when none). */
static void url_host(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url ? url : "", "://");
    size_t n;

    out[0] = '\0';
    if (!p)
        return;
    p += 3;
    n = strcspn(p, "/?#");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* OB dates: RFC 3339 date-time, a date, or (1.0) a Unix timestamp. */
static bool ob_time(const cJSON *v, time_t *out)
{
    char buf[64];

    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e11) {
        *out = (time_t)v->valuedouble;
        return true;
    }
    if (!cJSON_IsString(v))
        return false;
    if (strlen(v->valuestring) == 10 && v->valuestring[4] == '-') {
        snprintf(buf, sizeof(buf), "%sT00:00:00Z", v->valuestring);
        return mc_time_parse(buf, false, out) == MCRED_OK;
    }
    if (strspn(v->valuestring, "0123456789") == strlen(v->valuestring) &&
        strlen(v->valuestring) < 12 && v->valuestring[0]) {
        *out = (time_t)strtoll(v->valuestring, NULL, 10);
        return true;
    }
    return mc_time_parse(v->valuestring, false, out) == MCRED_OK;
}

/* sha256$hex or md5$hex of identity + salt, compared with the hashed value. */
static bool hashed_match(const char *hashed, const char *identity, const char *salt)
{
    const char *dollar = strchr(hashed, '$');
    const EVP_MD *md;
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    EVP_MD_CTX *ctx;
    bool ok;

    if (!dollar)
        return false;
    if ((size_t)(dollar - hashed) == 6 && strncasecmp(hashed, "sha256", 6) == 0)
        md = EVP_sha256();
    else if ((size_t)(dollar - hashed) == 3 && strncasecmp(hashed, "md5", 3) == 0)
        md = EVP_md5();
    else
        return false;
    ctx = EVP_MD_CTX_new();
    if (!ctx)
        return false;
    ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
         EVP_DigestUpdate(ctx, identity, strlen(identity)) == 1 &&
         (!salt || EVP_DigestUpdate(ctx, salt, strlen(salt)) == 1) &&
         EVP_DigestFinal_ex(ctx, h, &hl) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return false;
    sodium_bin2hex(hex, sizeof(hex), h, hl);
    return strcasecmp(hex, dollar + 1) == 0;
}

static void check_recipient(struct mc_verdict *v, const cJSON *a, const struct mc_verify_opts *o)
{
    const cJSON *r = mc_json_get(a, "recipient");
    const char *identity = mc_json_str(r, "identity"), *salt = mc_json_str(r, "salt");
    const cJSON *hashed = mc_json_get(r, "hashed");

    if (cJSON_IsString(r))   /* 0.5 / 1.0 era: a plain or hashed e-mail string */
        identity = r->valuestring;
    if (!identity) {
        mc_verdict_check(v, "recipient", MC_CHECK_FAIL, "the assertion names no recipient");
        return;
    }
    if (!o->recipient) {
        mc_verdict_check(v, "recipient", MC_CHECK_SKIPPED, "no expected recipient given (the "
                                                           "verifier can pass one to match)");
        return;
    }
    if (cJSON_IsTrue(hashed) || strchr(identity, '$')) {
        if (hashed_match(identity, o->recipient, salt))
            mc_verdict_check(v, "recipient", MC_CHECK_PASS, "the hashed recipient is %s",
                             o->recipient);
        else
            mc_verdict_check(v, "recipient", MC_CHECK_FAIL, "the hashed recipient is not %s",
                             o->recipient);
        return;
    }
    if (strcasecmp(identity, o->recipient) == 0)
        mc_verdict_check(v, "recipient", MC_CHECK_PASS, "the recipient is %s", identity);
    else
        mc_verdict_check(v, "recipient", MC_CHECK_FAIL, "the recipient is %s, not %s", identity,
                         o->recipient);
}

/* A member that is a URL to fetch or an embedded object. *owned is set when
 * fetched (free it). NULL with the check added on failure. */
static const cJSON *resolve(struct mc_verdict *v, const cJSON *parent, const char *name,
                            const char *what, const struct mc_verify_opts *o, cJSON **owned)
{
    const cJSON *m = mc_json_get(parent, name);
    char why[MC_ERRMSG_MAX];

    *owned = NULL;
    if (cJSON_IsObject(m))
        return m;
    if (!cJSON_IsString(m)) {
        mc_verdict_check(v, what, MC_CHECK_FAIL, "the %s is neither a URL nor an object", what);
        return NULL;
    }
    *owned = fetch_json(o, m->valuestring, why, sizeof(why));
    if (!*owned)
        mc_verdict_check(v, what, MC_CHECK_UNKNOWN, "could not fetch the %s: %s", what, why);
    return *owned;
}

/* The hosted policy: the assertion must be served from the issuer's origin
 * (its verification.allowedOrigins / startsWith, else the host of its id). */
static void check_policy(struct mc_verdict *v, const cJSON *issuer, const char *hosted)
{
    const cJSON *pol = mc_json_get(issuer, "verification");
    const cJSON *allowed = mc_json_get(pol, "allowedOrigins"), *starts = mc_json_get(pol,
                                                                                 "startsWith");
    const char *iid = mc_json_str(issuer, "id");
    char host[256], ihost[256];
    const cJSON *e;

    url_host(hosted, host, sizeof(host));
    if (cJSON_IsString(starts) && strncmp(hosted, starts->valuestring,
                                          strlen(starts->valuestring)) == 0) {
        mc_verdict_check(v, "issuer", MC_CHECK_PASS, "hosted at %s, which the issuer allows",
                         hosted);
        return;
    }
    if (cJSON_IsString(allowed) && strcasecmp(allowed->valuestring, host) == 0) {
        mc_verdict_check(v, "issuer", MC_CHECK_PASS, "hosted on %s, an origin the issuer allows",
                         host);
        return;
    }
    cJSON_ArrayForEach(e, allowed) {
        if (cJSON_IsString(e) && strcasecmp(e->valuestring, host) == 0) {
            mc_verdict_check(v, "issuer", MC_CHECK_PASS, "hosted on %s, an origin the issuer "
                                                         "allows", host);
            return;
        }
    }
    if (allowed || starts) {
        mc_verdict_check(v, "issuer", MC_CHECK_FAIL, "hosted on %s, which the issuer's "
                                                     "verification policy does not allow", host);
        return;
    }
    if (!iid)
        iid = mc_json_str(issuer, "url");
    url_host(iid, ihost, sizeof(ihost));
    if (ihost[0] && strcasecmp(ihost, host) == 0)
        mc_verdict_check(v, "issuer", MC_CHECK_PASS, "hosted on the issuer's own host %s", host);
    else
        mc_verdict_check(v, "issuer", MC_CHECK_FAIL, "hosted on %s, not on the issuer's host "
                                                     "%s", host[0] ? host : "(none)",
                         ihost[0] ? ihost : "(none)");
}

static void check_revocation(struct mc_verdict *v, const cJSON *a, const cJSON *issuer,
                             const char *aid, const struct mc_verify_opts *o, bool *revoked)
{
    const char *list = mc_json_str(issuer, "revocationList");
    const cJSON *revs, *e;
    char why[MC_ERRMSG_MAX];
    cJSON *doc;

    if (cJSON_IsTrue(mc_json_get(a, "revoked"))) {
        *revoked = true;
        mc_verdict_check(v, "status", MC_CHECK_FAIL, "revoked: %s",
                         mc_json_str(a, "revocationReason") ? mc_json_str(a, "revocationReason")
                                                             : "(no reason given)");
        return;
    }
    if (!list) {
        mc_verdict_check(v, "status", MC_CHECK_PASS, "the issuer publishes no revocation list");
        return;
    }
    doc = fetch_json(o, list, why, sizeof(why));
    if (!doc) {
        mc_verdict_check(v, "status", MC_CHECK_UNKNOWN, "could not fetch the revocation list: "
                                                        "%s", why);
        return;
    }
    revs = mc_json_get(doc, "revokedAssertions");
    cJSON_ArrayForEach(e, revs) {
        const char *id = cJSON_IsString(e) ? e->valuestring : mc_json_str(e, "id");
        const char *uid = cJSON_IsObject(e) ? mc_json_str(e, "uid") : NULL;

        if ((id && aid && strcmp(id, aid) == 0) ||
            (uid && mc_json_str(a, "uid") && strcmp(uid, mc_json_str(a, "uid")) == 0)) {
            const char *reason = mc_json_str(e, "revocationReason");

            *revoked = true;
            mc_verdict_check(v, "status", MC_CHECK_FAIL, "revoked (in %s)%s%s", list,
                             reason ? ": " : "", reason ? reason : "");
            mc_json_delete(doc);
            return;
        }
    }
    mc_verdict_check(v, "status", MC_CHECK_PASS, "not in the revocation list %s", list);
    mc_json_delete(doc);
}

static void check_dates(struct mc_verdict *v, const cJSON *a, time_t now,
                        struct mc_ob2_flags *f)
{
    const cJSON *on = mc_json_get(a, "issuedOn"), *exp = mc_json_get(a, "expires");
    time_t t;

    if (on && !ob_time(on, &t)) {
        mc_verdict_check(v, "dates", MC_CHECK_FAIL, "issuedOn is not a date");
        return;
    }
    if (on && t > now) {
        f->early = true;
        mc_verdict_check(v, "dates", MC_CHECK_FAIL, "issued in the future");
        return;
    }
    if (exp && !ob_time(exp, &t)) {
        mc_verdict_check(v, "dates", MC_CHECK_FAIL, "expires is not a date");
        return;
    }
    if (exp && t <= now) {
        f->expired = true;
        mc_verdict_check(v, "dates", MC_CHECK_FAIL, "expired");
        return;
    }
    mc_verdict_check(v, "dates", MC_CHECK_PASS, "%s", exp ? "issued, not yet expired" :
                                                            "issued, no expiry");
}

/* The signed form: the key at verify.creator (a CryptographicKey with a
 * PEM), owned by the issuer. */
static void check_signed(struct mc_verdict *v, const cJSON *a, const cJSON *issuer,
                         const char *jws, size_t n, const struct mc_verify_opts *o)
{
    const char *creator = mc_json_str(mc_json_get(a, "verify"), "creator");
    const char *owner, *pem, *iid = mc_json_str(issuer, "id");
    struct mc_jwt_key key;
    struct mc_err err;
    char why[MC_ERRMSG_MAX];
    cJSON *kdoc;

    if (!creator) {
        mc_verdict_check(v, "proof", MC_CHECK_FAIL, "a signed assertion without verify.creator "
                                                    "(the key's URL)");
        return;
    }
    kdoc = fetch_json(o, creator, why, sizeof(why));
    if (!kdoc) {
        mc_verdict_check(v, "proof", MC_CHECK_UNKNOWN, "could not fetch the key: %s", why);
        return;
    }
    pem = mc_json_str(kdoc, "publicKeyPem");
    owner = mc_json_str(kdoc, "owner");
    memset(&key, 0, sizeof(key));
    mc_err_clear(&err);
    if (!pem || mc_jwt_key_from_pem(&key, pem, strlen(pem), NULL, &err) != MCRED_OK) {
        mc_verdict_check(v, "proof", MC_CHECK_FAIL, "the key at %s has no usable publicKeyPem%s"
                                                    "%s", creator, pem ? ": " : "",
                         pem ? mc_err_msg(&err) : "");
    } else if (mc_jws_verify_key(jws, n, &key, &err) != MCRED_OK) {
        mc_verdict_check(v, "proof", err.rc == MCRED_ERR_VERIFY ? MC_CHECK_FAIL :
                                                                  MC_CHECK_UNKNOWN,
                         "the signature does not verify with %s: %s", creator,
                         mc_err_msg(&err));
    } else if (!owner || !iid || strcmp(owner, iid) != 0) {
        mc_verdict_check(v, "proof", MC_CHECK_FAIL, "the signature verifies with %s, but that "
                                                    "key's owner %s is not the issuer %s",
                         creator, owner ? owner : "(none)", iid ? iid : "(none)");
    } else {
        mc_verdict_check(v, "proof", MC_CHECK_PASS, "signed with the issuer's key %s", creator);
    }
    mc_jwt_key_clear(&key);
    mc_json_delete(kdoc);
}

mcred_rc mc_ob2_verify(struct mc_verdict *v, const cJSON *doc, const char *fetched_from,
                       const char *jws, size_t jws_n, const struct mc_verify_opts *o,
                       struct mc_ob2_flags *f)
{
    const cJSON *verify = mc_json_get(doc, "verify"), *a = doc, *badge, *issuer;
    const char *vtype = mc_json_str(verify, "type"), *hosted = NULL, *aid;
    bool v2 = has_ctx(doc, "openbadges/v2");
    cJSON *remote = NULL, *bowned = NULL, *iowned = NULL;
    char why[MC_ERRMSG_MAX];

    memset(f, 0, sizeof(*f));
    if (!vtype)
        vtype = jws ? "signed" : "hosted";
    snprintf(v->format, sizeof(v->format), "ob%s %s assertion", v2 ? "2" : "1", vtype);
    mc_verdict_check(v, "format", MC_CHECK_PASS, "an Open Badges %s assertion (%s)",
                     v2 ? "2.0" : "1.x", vtype);
    if (strcasecmp(vtype, "hosted") == 0) {
        hosted = mc_json_str(verify, "url");
        if (!hosted)
            hosted = mc_json_str(doc, "id");
        if (!hosted) {
            mc_verdict_check(v, "assertion", MC_CHECK_FAIL, "a hosted assertion with no URL "
                                                            "(verify.url or id)");
            return MCRED_OK;
        }
        if (fetched_from && strcmp(fetched_from, hosted) == 0) {
            mc_verdict_check(v, "assertion", MC_CHECK_PASS, "fetched from its own URL %s",
                             hosted);
        } else {
            remote = fetch_json(o, hosted, why, sizeof(why));
            if (!remote) {
                mc_verdict_check(v, "assertion", MC_CHECK_UNKNOWN, "could not fetch the hosted "
                                                                   "assertion: %s", why);
                return MCRED_OK;
            }
            a = remote;
            mc_verdict_check(v, "assertion", MC_CHECK_PASS, "the hosted copy at %s", hosted);
        }
    } else if (strcasecmp(vtype, "signed") != 0 || !jws) {
        mc_verdict_check(v, "assertion", MC_CHECK_FAIL, "verify.type '%s' %s", vtype,
                         jws ? "is unknown" : "needs the signed (JWS) form, not the JSON alone");
        return MCRED_OK;
    }
    aid = mc_json_str(a, "id");
    mc_strlcpy(v->id, aid ? aid : hosted ? hosted : "", sizeof(v->id));
    badge = resolve(v, a, "badge", "badge", o, &bowned);
    if (!badge)
        goto out;
    mc_verdict_check(v, "badge", MC_CHECK_PASS, "BadgeClass '%.120s'",
                     mc_json_str(badge, "name") ? mc_json_str(badge, "name") : "(no name)");
    issuer = resolve(v, badge, "issuer", "issuer", o, &iowned);
    if (!issuer)
        goto out;
    mc_strlcpy(v->issuer, mc_json_str(issuer, "id") ? mc_json_str(issuer, "id") :
                          mc_json_str(issuer, "url") ? mc_json_str(issuer, "url") : "",
               sizeof(v->issuer));
    if (hosted)
        check_policy(v, issuer, hosted);
    else
        check_signed(v, a, issuer, jws, jws_n, o);
    check_revocation(v, a, issuer, aid, o, &f->revoked);
    check_recipient(v, a, o);
    check_dates(v, a, o->now, f);
out:
    mc_json_delete(remote);
    mc_json_delete(bowned);
    mc_json_delete(iowned);
    return MCRED_OK;
}
