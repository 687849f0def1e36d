/* verify.c - the verify verb: format detection, structure, proofs, issuer
 * binding, validity dates and status, folded into one graded verdict.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "bake/bake.h"
#include "jsonld/jcs.h"
#include "model/ob.h"
#include "proof/di.h"
#include "proof/jwt.h"
#include "service/verify.h"
#include "service/verify_int.h"
#include "status/bitstring.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/time.h"

static void check(struct mc_verdict *v, const char *name, enum mc_check_state st,
                  const char *fmt, ...) MC_PRINTF(4, 5);

static void check(struct mc_verdict *v, const char *name, enum mc_check_state st,
                  const char *fmt, ...)
{
    struct mc_check *c;
    va_list ap;

    if (v->n == MC_VERDICT_MAX_CHECKS) {
        /* full: a failure or an unknown must never be lost, so it takes the
         * last slot (passing checks are dropped) */
        if (st == MC_CHECK_PASS || st == MC_CHECK_SKIPPED)
            return;
        v->n--;
    }
    c = &v->checks[v->n++];
    mc_strlcpy(c->name, name, sizeof(c->name));
    c->state = st;
    va_start(ap, fmt);
    vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
    va_end(ap);
}

void mc_verdict_check(struct mc_verdict *v, const char *name, enum mc_check_state st,
                      const char *fmt, ...)
{
    char reason[MC_ERRMSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    check(v, name, st, "%s", reason);
}

/* A check whose reason is the concatenation of the strings given (NULL ends
 * the list): the common, passing checks skip printf's formatting. */
static void check_cat(struct mc_verdict *v, const char *name, enum mc_check_state st, ...)
{
    struct mc_check *c;
    const char *part;
    va_list ap;

    if (v->n == MC_VERDICT_MAX_CHECKS) {
        if (st == MC_CHECK_PASS || st == MC_CHECK_SKIPPED)
            return;
        v->n--;   /* as in check(): never lose a failure */
    }
    c = &v->checks[v->n++];
    mc_strlcpy(c->name, name, sizeof(c->name));
    c->state = st;
    c->reason[0] = '\0';
    va_start(ap, st);
    while ((part = va_arg(ap, const char *)) != NULL)
        mc_strlcat(c->reason, part, sizeof(c->reason));
    va_end(ap);
}

const char *mc_verdict_name(enum mc_verdict_kind k)
{
    static const char *const names[] = { "valid", "valid-issuer-not-trusted", "expired",
                                         "not-yet-valid", "revoked", "suspended", "invalid",
                                         "indeterminate" };

    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

const char *mc_check_state_name(enum mc_check_state s)
{
    static const char *const names[] = { "pass", "fail", "unknown", "skipped", "warn" };

    return (unsigned)s < 5 ? names[s] : "unknown";
}

int mc_verdict_exit_code(const struct mc_verdict *v)
{
    switch (v->kind) {
    case MC_VERDICT_VALID:
    case MC_VERDICT_UNTRUSTED:
        return 0;
    case MC_VERDICT_INDETERMINATE:
        return 2;
    default:
        return 1;
    }
}

/* The issuer id: a string, or the id of a Profile object. Borrowed. */
static const char *issuer_id(const cJSON *doc)
{
    const cJSON *iss = mc_json_get(doc, "issuer");

    return cJSON_IsString(iss) ? iss->valuestring : mc_json_str(iss, "id");
}

/* The DID part of a DID URL (up to '#' or '?'), compared with did. */
static bool same_did(const char *did_url, const char *did)
{
    size_t n = strcspn(did_url, "#?");

    return strlen(did) == n && strncmp(did_url, did, n) == 0;
}

/* Structure: the OB 3.0 rules for badges, the VC core for anything else. */
static void check_structure(struct mc_verdict *v, const cJSON *doc)
{
    struct mc_ob_report rep;
    const cJSON *ctx = mc_json_get(doc, "@context");
    if (mc_ob_is_badge(doc)) {
        if (mc_ob_validate_credential(doc, &rep, NULL) == MCRED_OK) {
            check_cat(v, "structure", MC_CHECK_PASS, "an Open Badges 3.0 credential with every "
                                                     "required field", (const char *)NULL);
        } else {
            check(v, "structure", MC_CHECK_FAIL, "%zu problem(s); first: %s", rep.total,
                  rep.problems[0]);
        }
        return;
    }
    if (!mc_json_has_str(mc_json_get(doc, "type"), "VerifiableCredential") &&
        !mc_json_has_str(mc_json_get(doc, "type"),
                         "VerifiablePresentation")) {
        check(v, "structure", MC_CHECK_FAIL, "type names neither VerifiableCredential nor "
                                             "VerifiablePresentation");
        return;
    }
    if (!ctx) {
        check(v, "structure", MC_CHECK_FAIL, "@context is missing");
        return;
    }
    if (mc_json_has_str(mc_json_get(doc, "type"), "VerifiableCredential") &&
        (!issuer_id(doc) || !mc_json_get(doc, "credentialSubject"))) {
        check(v, "structure", MC_CHECK_FAIL, "a credential needs an issuer and a "
                                             "credentialSubject");
        return;
    }
    check(v, "structure", MC_CHECK_PASS, "a W3C verifiable credential (not an Open Badge: "
                                         "the OB 3.0 rules do not apply)");
}

/* Dates: validFrom/validUntil (VC 2.0), issuanceDate/expirationDate (VC 1.1). */
static void check_dates(struct mc_verdict *v, const cJSON *doc, time_t now, bool *expired,
                        bool *early)
{
    const char *from = mc_json_str(doc, "validFrom"), *until = mc_json_str(doc, "validUntil");
    time_t t;

    if (!from)
        from = mc_json_str(doc, "issuanceDate");
    if (!until)
        until = mc_json_str(doc, "expirationDate");
    if (from && mc_time_parse(from, false, &t) != MCRED_OK) {
        check(v, "dates", MC_CHECK_FAIL, "validFrom '%.40s' is not a date-time", from);
        return;
    }
    if (from && t > now) {
        *early = true;
        check(v, "dates", MC_CHECK_FAIL, "not valid before %s", from);
        return;
    }
    if (until && mc_time_parse(until, false, &t) != MCRED_OK) {
        check(v, "dates", MC_CHECK_FAIL, "validUntil '%.40s' is not a date-time", until);
        return;
    }
    if (until && t <= now) {
        *expired = true;
        check(v, "dates", MC_CHECK_FAIL, "expired at %s", until);
        return;
    }
    check_cat(v, "dates", MC_CHECK_PASS, from ? "valid from " : "no validFrom",
              from ? from : "", until ? " until " : ", no expiry", until ? until : "",
              (const char *)NULL);
}

/* Binding of the verifying key to the issuer. */
static void check_binding(struct mc_verdict *v, const char *issuer, const char *controller,
                          const char *vm)
{
    if (!issuer) {
        check(v, "issuer", MC_CHECK_FAIL, "the credential names no issuer");
    } else if (same_did(vm, issuer) || strcmp(controller, issuer) == 0) {
        check_cat(v, "issuer", MC_CHECK_PASS, "the key ", vm, " belongs to the issuer ", issuer,
                  (const char *)NULL);
    } else if (strncmp(issuer, "did:", 4) == 0) {
        check(v, "issuer", MC_CHECK_FAIL, "the key %s is controlled by %s, not by the issuer %s",
              vm, controller[0] ? controller : "someone else", issuer);
    } else {
        check(v, "issuer", MC_CHECK_UNKNOWN,
              "the issuer %s is not a DID, and the key %s is controlled by %s: the binding of "
              "the key to the issuer cannot be established", issuer, vm,
              controller[0] ? controller : "an unknown controller");
    }
}

/* The default status source: fetch the list credential, verify its proofs,
 * and insist it comes from the credential's own issuer. */
struct fetched_source {
    const struct mc_verify_opts *o;
    const char *issuer;   /* the credential's issuer id */
};

#define STATUS_LIST_MAX_BYTES ((size_t)4 << 20)

static mcred_rc fetched_list(void *ud, const char *url, cJSON **out, struct mc_err *err)
{
    const struct fetched_source *fs = ud;
    struct mc_di_env env = { fs->o->fetcher, fs->o->contexts, fs->o->cache, fs->o->now };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    struct mc_buf body;
    cJSON *doc = NULL;
    const char *iss;
    size_t n;
    mcred_rc rc;

    *out = NULL;
    mc_buf_init(&body, STATUS_LIST_MAX_BYTES);
    rc = fs->o->fetcher->fetch(fs->o->fetcher->ud, url, &body, err);
    if (!rc)
        rc = mc_json_parse(body.ptr ? body.ptr : "", body.len, STATUS_LIST_MAX_BYTES, &doc, err);
    mc_buf_release(&body);
    if (rc)
        return rc;
    rc = mc_di_verify(doc, NULL, &env, res, &n, NULL, err);
    if (rc) {
        cJSON_Delete(doc);
        return mc_di_rc_is_failure(rc) ? MCRED_ERR_VERIFY : rc;
    }
    iss = issuer_id(doc);
    if (!iss || !fs->issuer || strcmp(iss, fs->issuer) != 0) {
        cJSON_Delete(doc);
        return mc_err_set(err, MCRED_ERR_VERIFY, "the status list at %s is issued by %s, not by "
                          "the credential's issuer", url, iss ? iss : "nobody");
    }
    *out = doc;
    return MCRED_OK;
}

/* The caller's source first (e.g. the issuer's own store), then the fetcher
 * for lists it does not hold. */
struct chained_source {
    const struct mc_status_source *first;
    struct mc_status_source fetched;
    bool have_fetcher;
};

static mcred_rc chained_list(void *ud, const char *url, cJSON **out, struct mc_err *err)
{
    struct chained_source *c = ud;
    mcred_rc rc = c->first->get(c->first->ud, url, out, err);

    if (rc == MCRED_ERR_NOTFOUND && c->have_fetcher) {
        mc_err_clear(err);
        rc = c->fetched.get(c->fetched.ud, url, out, err);
    }
    return rc;
}

/* Status: every credentialStatus entry checked against its list; revoked or
 * suspended fail, anything unreadable is unknown (fails closed). */
static void check_status(struct mc_verdict *v, const cJSON *doc, const struct mc_verify_opts *o,
                         bool *revoked, bool *suspended)
{
    const cJSON *cs = mc_json_get(doc, "credentialStatus");
    struct fetched_source fs = { o, issuer_id(doc) };
    struct chained_source chain = { o->status, { fetched_list, &fs }, o->fetcher != NULL };
    struct mc_status_source chained = { chained_list, &chain };
    struct mc_status_opts so = { o->now, o->status ? &chained : &chain.fetched, 0 };
    struct mc_status_result res[MC_STATUS_MAX_ENTRIES];
    struct mc_err err;
    size_t n = 0, i;

    if (!cs) {
        check_cat(v, "status", MC_CHECK_SKIPPED, "no credentialStatus", (const char *)NULL);
        return;
    }
    if (!o->status && !o->fetcher) {
        check(v, "status", MC_CHECK_UNKNOWN, "credentialStatus is present but this verifier "
                                             "cannot fetch status lists");
        return;
    }
    mc_err_clear(&err);
    if (mc_status_check(cs, &so, res, &n, &err) != MCRED_OK) {
        check(v, "status", MC_CHECK_FAIL, "credentialStatus: %s", mc_err_msg(&err));
        return;
    }
    for (i = 0; i < n; i++) {
        const struct mc_status_result *r = &res[i];
        char where[96];

        snprintf(where, sizeof(where), "%s #%llu", r->purpose ? r->purpose : "status",
                 (unsigned long long)r->index);
        /* a list is the credential issuer's word only: one from the
         * verifier's own store is held to what a fetched one is */
        if (r->list_issuer[0] && (!fs.issuer || strcmp(r->list_issuer, fs.issuer) != 0)) {
            check(v, "status", MC_CHECK_FAIL, "%s: the status list %s is issued by %s, not by "
                  "the credential's issuer", where, r->list_url ? r->list_url : "",
                  r->list_issuer);
            continue;
        }
        switch (r->outcome) {
        case MC_STATUS_REVOKED:
            *revoked = true;
            check(v, "status", MC_CHECK_FAIL, "revoked (%s in %s)", where, r->list_url);
            break;
        case MC_STATUS_SUSPENDED:
            *suspended = true;
            check(v, "status", MC_CHECK_FAIL, "suspended (%s in %s)", where, r->list_url);
            break;
        case MC_STATUS_ERROR:
            check(v, "status", r->error == MC_STATUS_ERR_MALFORMED ? MC_CHECK_FAIL :
                  MC_CHECK_UNKNOWN, "%s: %s %s", where, mc_status_error_name(r->error),
                  r->reason);
            break;
        default:
            check(v, "status", MC_CHECK_PASS, "%s: %s (%s)", where,
                  mc_status_outcome_name(r->outcome), r->list_url ? r->list_url : "");
            break;
        }
    }
}

static void verify_di(struct mc_verdict *v, const cJSON *doc, const struct mc_verify_opts *o)
{
    struct mc_di_env env = { o->fetcher, o->contexts, o->cache, o->now };
    struct mc_di_expect ex = { NULL, o->challenge, o->domain };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    size_t n = 0, i;
    struct mc_err err;
    mcred_rc rc;
    const char *iss = issuer_id(doc);
    bool bound = false;

    mc_err_clear(&err);
    if (mc_json_has_str(mc_json_get(doc, "type"), "VerifiablePresentation"))
        ex.proof_purpose = "authentication";
    rc = mc_di_verify(doc, &ex, &env, res, &n, NULL, &err);
    if (n == 0) {
        check(v, "proof", mc_di_rc_is_failure(rc) ? MC_CHECK_FAIL : MC_CHECK_UNKNOWN, "%s",
              mc_err_msg(&err));
        check(v, "issuer", MC_CHECK_UNKNOWN, "no verified proof to bind to the issuer");
        return;
    }
    for (i = 0; i < n; i++) {
        enum mc_check_state st = res[i].rc == MCRED_OK ? MC_CHECK_PASS :
                                 mc_di_rc_is_failure(res[i].rc) ? MC_CHECK_FAIL : MC_CHECK_UNKNOWN;

        check_cat(v, "proof", st, res[i].reason, (const char *)NULL);
    }
    for (i = 0; i < n; i++) {
        if (res[i].rc == MCRED_OK && ex.proof_purpose == NULL && !bound) {
            check_binding(v, iss, res[i].controller, res[i].verification_method);
            bound = true;
        }
    }
    if (!bound && ex.proof_purpose == NULL)
        check(v, "issuer", MC_CHECK_UNKNOWN, "no verified proof to bind to the issuer");
}

/* kid resolution for VC-JWT: DID URLs through the DID resolver (did:key,
 * did:web with the verifier's fetcher). */
static mcred_rc jwt_resolve(void *ud, const char *kid, const char *alg, struct mc_jwt_key *out,
                            struct mc_err *err)
{
    const struct mc_verify_opts *o = ud;
    struct mc_vm vm;
    mcred_rc rc;

    rc = mc_did_resolve_vm(kid, o->fetcher, &vm, err);
    if (rc)
        return rc;
    rc = mc_jwt_key_from_ed25519(out, &vm.key);
    mc_key_clear(&vm.key);
    return rc;
}

/* The JWT checks before a payload exists: what kind of failure it was. */
static void jwt_early_failure(struct mc_verdict *v, mcred_rc rc, const struct mc_err *err)
{
    if (rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT) {
        check(v, "format", MC_CHECK_FAIL, "%s", mc_err_msg(err));
        return;
    }
    check(v, "format", MC_CHECK_PASS, "a compact JWS (VC-JWT)");
    check(v, "proof", mc_di_rc_is_failure(rc) ? MC_CHECK_FAIL : MC_CHECK_UNKNOWN, "%s",
          mc_err_msg(err));
}

static mcred_rc verify_jwt(struct mc_verdict *v, const char *p, size_t n,
                           const struct mc_verify_opts *o, bool *expired, bool *early,
                           bool *revoked, bool *suspended)
{
    struct mc_jwt_resolver resolver = { jwt_resolve, (void *)(uintptr_t)o };
    struct mc_jwt_verify_opts jo = { o->now, &resolver, NULL };
    struct mc_jwt_result r;
    struct mc_err err;
    mcred_rc rc;
    const char *iss;

    snprintf(v->format, sizeof(v->format), "vc-jwt");
    memset(&r, 0, sizeof(r));
    mc_err_clear(&err);
    rc = mc_jwt_verify(p, n, &jo, &r, &err);
    if (rc == MCRED_ERR_NOMEM) {
        mc_jwt_result_release(&r);
        return rc;
    }
    if (!r.payload) {
        jwt_early_failure(v, rc, &err);
        mc_jwt_result_release(&r);
        return MCRED_OK;
    }
    check(v, "format", MC_CHECK_PASS, "VC-JWT, %s, the credential %s", mc_jwt_alg_name(r.alg),
          r.shape == MC_JWT_SHAPE_VC_CLAIM ? "under the \"vc\" claim (VC 1.1)" :
                                             "as the payload (OB 3.0 / VC 2.0)");
    if (r.credential) {
        check_structure(v, r.credential);
        iss = issuer_id(r.credential);
        mc_strlcpy(v->issuer, iss ? iss : "", sizeof(v->issuer));
        mc_strlcpy(v->id, mc_json_str(r.credential, "id") ?
                 mc_json_str(r.credential, "id") : "", sizeof(v->id));
    }
    if (rc == MCRED_OK || rc == MCRED_ERR_EXPIRED) {
        check(v, "proof", MC_CHECK_PASS, "%s signature verified%s%s", mc_jwt_alg_name(r.alg),
              r.kid ? " with " : " with the header's jwk", r.kid ? r.kid : "");
        iss = r.iss;
        if (r.key_is_iss_did_key)
            check(v, "issuer", MC_CHECK_PASS, "the key is the issuer's own did:key %s", iss);
        else if (r.key_source == MC_JWT_KEYSRC_DID_KEY || r.key_source == MC_JWT_KEYSRC_RESOLVER)
            check_binding(v, iss, "", r.kid);
        else
            check(v, "issuer", MC_CHECK_UNKNOWN, "the key came from the token's own header "
                                                 "(jwk): it is not bound to the issuer %s",
                  iss ? iss : "(none)");
    } else {
        check(v, "proof", mc_di_rc_is_failure(rc) ? MC_CHECK_FAIL : MC_CHECK_UNKNOWN, "%s",
              mc_err_msg(&err));
    }
    if (r.credential)
        check_dates(v, r.credential, o->now, expired, early);
    if (r.not_yet_valid)
        *early = true;
    if (r.expired)
        *expired = true;
    if (r.credential)
        check_status(v, r.credential, o, revoked, suspended);
    mc_jwt_result_release(&r);
    return MCRED_OK;
}

static void grade(struct mc_verdict *v, bool expired, bool early, bool revoked, bool suspended)
{
    size_t i, fails = 0, unknown = 0, date_fails = 0, status_fails = 0;
    bool untrusted = false;

    for (i = 0; i < v->n; i++) {
        if (v->checks[i].state == MC_CHECK_FAIL && strcmp(v->checks[i].name, "trust") == 0) {
            untrusted = true;   /* not a failure of the credential: graded below */
            continue;
        }
        if (v->checks[i].state == MC_CHECK_FAIL) {
            fails++;
            date_fails += strcmp(v->checks[i].name, "dates") == 0;
            status_fails += strcmp(v->checks[i].name, "status") == 0;
        }
        unknown += v->checks[i].state == MC_CHECK_UNKNOWN;
    }
    /* a credential whose signature holds but whose issuer revoked or
     * suspended it is graded so, even when it has also expired */
    if (fails && fails == date_fails + status_fails && (revoked || suspended))
        v->kind = revoked ? MC_VERDICT_REVOKED : MC_VERDICT_SUSPENDED;
    else if (fails && fails == date_fails)
        v->kind = expired ? MC_VERDICT_EXPIRED : early ? MC_VERDICT_NOT_YET_VALID :
                                                         MC_VERDICT_INVALID;
    else if (fails)
        v->kind = MC_VERDICT_INVALID;
    else if (unknown)
        v->kind = MC_VERDICT_INDETERMINATE;
    else
        v->kind = untrusted ? MC_VERDICT_UNTRUSTED : MC_VERDICT_VALID;
}

/* The operator's trust list: is the issuer on it? */
static void check_trust(struct mc_verdict *v, const struct mc_verify_opts *o)
{
    size_t i;

    if (!o->trusted)
        return;
    if (!v->issuer[0]) {
        check(v, "trust", MC_CHECK_FAIL, "no issuer to look up in the trust list");
        return;
    }
    for (i = 0; i < o->ntrusted; i++) {
        if (o->trusted[i] && strcmp(o->trusted[i], v->issuer) == 0) {
            check_cat(v, "trust", MC_CHECK_PASS, "the issuer ", v->issuer, " is on the trust list",
                      (const char *)NULL);
            return;
        }
    }
    check(v, "trust", MC_CHECK_FAIL, "the issuer %s is not on the trust list", v->issuer);
}

#define MC_VP_MAX_CREDENTIALS 16

static mcred_rc verify_bytes(const char *p, size_t n, const struct mc_verify_opts *o,
                             struct mc_verdict *v, int depth, const char *fetched_from,
                             struct mc_err *err);

/* The holder of a presentation: a string, or the id of an object. Borrowed. */
static const char *holder_id(const cJSON *doc)
{
    const cJSON *h = mc_json_get(doc, "holder");

    return cJSON_IsString(h) ? h->valuestring : mc_json_str(h, "id");
}

/* True when a credentialSubject (object or array of objects) has id. */
static bool about(const cJSON *cred, const char *id)
{
    const cJSON *cs = mc_json_get(cred, "credentialSubject"), *e;

    if (cJSON_IsObject(cs))
        return mc_json_str(cs, "id") && strcmp(mc_json_str(cs, "id"), id) == 0;
    cJSON_ArrayForEach(e, cs)
        if (mc_json_str(e, "id") && strcmp(mc_json_str(e, "id"), id) == 0)
            return true;
    return false;
}

/* The first subject id of a credential, for messages. */
static const char *subject_id(const cJSON *cred)
{
    const cJSON *cs = mc_json_get(cred, "credentialSubject");

    if (cJSON_IsArray(cs))
        cs = cJSON_GetArrayItem(cs, 0);
    return mc_json_str(cs, "id");
}

/* The credential a VC-JWT carries (its signature was checked by the
 * credential's own verification): the "vc" claim of a VC 1.1 token, or the
 * payload of a VC 2.0 one. *root owns the tree; NULL when not decodable. */
static const cJSON *jwt_credential(const char *t, size_t n, cJSON **root)
{
    const char *d1 = memchr(t, '.', n), *d2;
    struct mc_buf b;
    const cJSON *vc;

    *root = NULL;
    if (!d1)
        return NULL;
    d2 = memchr(d1 + 1, '.', (size_t)(t + n - d1 - 1));
    if (!d2)
        return NULL;
    mc_buf_init(&b, MC_JWT_MAX_TOKEN);
    if (mc_b64url_decode(&b, d1 + 1, (size_t)(d2 - d1 - 1)) != MCRED_OK ||
        mc_json_parse(b.ptr, b.len, 0, root, NULL) != MCRED_OK) {
        mc_buf_release(&b);
        return NULL;
    }
    mc_buf_release(&b);
    vc = mc_json_get(*root, "vc");
    return cJSON_IsObject(vc) && !mc_json_get(*root, "@context") ? vc : *root;
}

/* One credential inside a presentation: verified on its own (no challenge
 * or domain: those belong to the presentation's proof), summed up as one
 * check, then bound to the holder. */
static mcred_rc vp_credential(struct mc_verdict *v, size_t i, const cJSON *c, const char *holder,
                              const struct mc_verify_opts *o, int depth)
{
    struct mc_verify_opts co = *o;
    struct mc_verdict *sub = mc_malloc(sizeof(*sub));
    struct mc_buf b;
    const char *bytes = NULL, *first = NULL;
    const cJSON *parsed = c;
    cJSON *jwt_payload = NULL;
    char name[24];
    size_t len = 0, k;
    mcred_rc rc = MCRED_OK;

    snprintf(name, sizeof(name), "credential[%zu]", i);
    mc_buf_init(&b, (size_t)16 << 20);
    if (!sub)
        return MCRED_ERR_NOMEM;
    co.challenge = co.domain = NULL;
    if (cJSON_IsString(c)) {
        bytes = c->valuestring;
        len = strlen(bytes);
    } else if (cJSON_IsObject(c) &&
               mc_json_has_str(mc_json_get(c, "type"), "EnvelopedVerifiableCredential")) {
        const char *d = mc_json_str(c, "id");
        static const char pfx[] = "data:application/vc+jwt,";

        if (!d || strncmp(d, pfx, sizeof(pfx) - 1) != 0) {
            check(v, name, MC_CHECK_FAIL, "an enveloped credential whose id is not a "
                                          "data:application/vc+jwt URL");
            goto out;
        }
        bytes = d + sizeof(pfx) - 1;
        len = strlen(bytes);
    } else if (cJSON_IsObject(c)) {
        rc = mc_json_stringify(c, 0, &b, NULL);
        if (rc)
            goto out;
        bytes = b.ptr;
        len = b.len;
    } else {
        check(v, name, MC_CHECK_FAIL, "not a credential (an object or a VC-JWT string)");
        goto out;
    }
    rc = verify_bytes(bytes, len, &co, sub, depth + 1, NULL, NULL);
    if (rc)
        goto out;
    for (k = 0; k < sub->n && !first; k++)
        if (sub->checks[k].state == MC_CHECK_FAIL || sub->checks[k].state == MC_CHECK_UNKNOWN)
            first = sub->checks[k].reason;
    switch (sub->kind) {
    case MC_VERDICT_VALID:
    case MC_VERDICT_UNTRUSTED:
        check(v, name, MC_CHECK_PASS, "%s: %s", sub->id[0] ? sub->id : "(no id)",
              mc_verdict_name(sub->kind));
        if (sub->kind == MC_VERDICT_UNTRUSTED)
            check(v, "trust", MC_CHECK_FAIL, "%s: the issuer %s is not on the trust list", name,
                  sub->issuer[0] ? sub->issuer : "(none)");
        break;
    case MC_VERDICT_INDETERMINATE:
        check(v, name, MC_CHECK_UNKNOWN, "%s: indeterminate: %s", sub->id[0] ? sub->id :
              "(no id)", first ? first : "");
        break;
    default:
        check(v, name, MC_CHECK_FAIL, "%s: %s: %s", sub->id[0] ? sub->id : "(no id)",
              mc_verdict_name(sub->kind), first ? first : "");
        break;
    }
    /* holder binding: the credential must be about the holder */
    if (!cJSON_IsObject(c) || bytes != b.ptr)
        parsed = jwt_credential(bytes, len, &jwt_payload);
    if (!holder)
        check(v, "holder", MC_CHECK_UNKNOWN, "%s: no holder to bind the credential to", name);
    else if (!parsed || !about(parsed, holder))
        check(v, "holder", MC_CHECK_FAIL, "%s is about %s, not the holder %s", name,
              parsed && subject_id(parsed) ? subject_id(parsed) : "(no subject id)", holder);
out:
    mc_json_delete(jwt_payload);
    mc_buf_release(&b);
    mc_free(sub);
    return rc;
}

/* A presentation: its proof (purpose authentication, the expected challenge
 * and domain) made by its holder, then every credential in it. */
static mcred_rc verify_vp(struct mc_verdict *v, const cJSON *doc, const struct mc_verify_opts *o,
                          int depth)
{
    struct mc_di_env env = { o->fetcher, o->contexts, o->cache, o->now };
    struct mc_di_expect ex = { "authentication", o->challenge, o->domain };
    struct mc_di_result res[MC_DI_MAX_PROOFS];
    const cJSON *vcs = mc_json_get(doc, "verifiableCredential"), *c;
    const char *holder = holder_id(doc), *signer = NULL;
    size_t n = 0, i, count;
    struct mc_err err;
    mcred_rc rc;

    if (depth > 0) {
        check(v, "structure", MC_CHECK_FAIL, "a presentation inside a presentation");
        return MCRED_OK;
    }
    mc_err_clear(&err);
    if (!mc_json_get(doc, "proof")) {
        check(v, "proof", MC_CHECK_FAIL, "the presentation has no proof: the holder is not "
                                         "authenticated");
    } else {
        rc = mc_di_verify(doc, &ex, &env, res, &n, NULL, &err);
        if (n == 0)
            check(v, "proof", mc_di_rc_is_failure(rc) ? MC_CHECK_FAIL : MC_CHECK_UNKNOWN, "%s",
                  mc_err_msg(&err));
        for (i = 0; i < n; i++) {
            enum mc_check_state st = res[i].rc == MCRED_OK ? MC_CHECK_PASS :
                                     mc_di_rc_is_failure(res[i].rc) ? MC_CHECK_FAIL :
                                                                      MC_CHECK_UNKNOWN;

            check_cat(v, "proof", st, res[i].reason, (const char *)NULL);
            if (res[i].rc == MCRED_OK && !signer)
                signer = res[i].controller;
        }
    }
    if (signer && holder && strcmp(signer, holder) != 0)
        check(v, "holder", MC_CHECK_FAIL, "the presentation is signed by %s, but its holder is "
                                          "%s", signer, holder);
    else if (signer)
        check(v, "holder", MC_CHECK_PASS, "the presentation is signed by its holder %s", signer);
    if (!holder)
        holder = signer;
    count = cJSON_IsArray(vcs) ? (size_t)cJSON_GetArraySize(vcs) : vcs ? 1 : 0;
    if (count == 0) {
        check(v, "credentials", MC_CHECK_SKIPPED, "the presentation carries no credential");
        return MCRED_OK;
    }
    if (count > MC_VP_MAX_CREDENTIALS) {
        check(v, "credentials", MC_CHECK_FAIL, "%zu credentials: at most %d in one presentation "
                                               "are verified", count, MC_VP_MAX_CREDENTIALS);
        return MCRED_OK;
    }
    if (!cJSON_IsArray(vcs))
        return vp_credential(v, 0, vcs, holder, o, depth);
    i = 0;
    cJSON_ArrayForEach(c, vcs) {
        rc = vp_credential(v, i++, c, holder, o, depth);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

/* A URL to fetch the credential or assertion from (http or https, one
 * line, no spaces). */
static bool looks_like_url(const char *p, size_t n)
{
    size_t i;

    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    if (n < 8 || n > 2048 || (strncmp(p, "https://", 8) != 0 && strncmp(p, "http://", 7) != 0))
        return false;
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
            return false;
    return true;
}

/* Fetch a URL (through the verifier's fetcher, with its policy) and verify
 * what it serves; an OB 2.0 hosted assertion then counts as fetched from
 * its own URL. */
static mcred_rc verify_url(const char *p, size_t n, const struct mc_verify_opts *o,
                           struct mc_verdict *v, int depth, struct mc_err *err)
{
    char url[2049];
    struct mc_buf b;
    struct mc_err ferr;
    mcred_rc rc;

    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    memcpy(url, p, n);
    url[n] = '\0';
    memset(v, 0, sizeof(*v));
    snprintf(v->format, sizeof(v->format), "url");
    if (!o->fetcher) {
        check(v, "format", MC_CHECK_UNKNOWN, "a URL, but this verifier cannot fetch (offline)");
        grade(v, false, false, false, false);
        return MCRED_OK;
    }
    mc_buf_init(&b, (size_t)16 << 20);
    mc_err_clear(&ferr);
    rc = o->fetcher->fetch(o->fetcher->ud, url, &b, &ferr);
    if (rc == MCRED_ERR_NOMEM) {
        mc_buf_release(&b);
        return mc_err_set(err, rc, "out of memory while fetching");
    }
    if (rc) {
        check(v, "format", rc == MCRED_ERR_NOTFOUND ? MC_CHECK_FAIL : MC_CHECK_UNKNOWN,
              "could not fetch %s: %s", url, mc_err_msg(&ferr));
        mc_buf_release(&b);
        grade(v, false, false, false, false);
        return MCRED_OK;
    }
    rc = verify_bytes(b.ptr ? b.ptr : "", b.len, o, v, depth + 1, url, err);
    mc_buf_release(&b);
    return rc;
}

/* The image the credential was baked into against the achievement's own
 * image (when that is a data: URI, or fetchable): baking the credential
 * into the achievement's image again must give these bytes. A difference is
 * reported, not failed: the credential's proof does not cover its picture. */
static void check_image(struct mc_verdict *v, const char *cred, size_t cn,
                        const unsigned char *img, size_t in, const struct mc_verify_opts *o)
{
    const cJSON *ach, *image;
    const char *src;
    struct mc_buf raw, again;
    cJSON *doc = NULL;

    if (mc_json_parse(cred, cn, 0, &doc, NULL) != MCRED_OK)
        return;   /* a JWT or an OB 2.0 URL: no achievement image to compare */
    ach = mc_json_get(mc_json_get(doc, "credentialSubject"), "achievement");
    image = mc_json_get(ach, "image");
    src = cJSON_IsString(image) ? image->valuestring : mc_json_str(image, "id");
    mc_buf_init(&raw, MC_BAKE_MAX_IMAGE);
    mc_buf_init(&again, MC_BAKE_MAX_IMAGE + MC_BAKE_MAX_TEXT);
    if (!src) {
        check(v, "image", MC_CHECK_SKIPPED, "the achievement names no image");
        goto out;
    }
    if (strncmp(src, "data:", 5) == 0) {
        const char *comma = strchr(src, ',');

        if (!comma || !strstr(src, ";base64,") ||
            mc_b64_decode(&raw, comma + 1, strlen(comma + 1)) != MCRED_OK) {
            check(v, "image", MC_CHECK_WARN, "the achievement's image is a data: URI that "
                                             "cannot be read");
            goto out;
        }
    } else if (!o->fetcher ||
               o->fetcher->fetch(o->fetcher->ud, src, &raw, NULL) != MCRED_OK) {
        check(v, "image", MC_CHECK_SKIPPED, "the achievement's image %s could not be fetched "
                                            "to compare", src);
        goto out;
    }
    if (mc_bake(raw.ptr ? (const unsigned char *)raw.ptr : (const unsigned char *)"", raw.len,
                mc_bake_sniff((const unsigned char *)raw.ptr, raw.len), cred, cn, &again, NULL,
                NULL) != MCRED_OK) {
        check(v, "image", MC_CHECK_WARN, "the badge image is not the achievement's image (that "
                                         "one cannot carry a credential)");
    } else if (again.len == in && memcmp(again.ptr, img, in) == 0) {
        check(v, "image", MC_CHECK_PASS, "baked into the achievement's own image");
    } else {
        check(v, "image", MC_CHECK_WARN, "baked into another image than the achievement's: the "
                                         "credential still verifies, the picture is not its own");
    }
out:
    mc_buf_release(&raw);
    mc_buf_release(&again);
    mc_json_delete(doc);
}

/* A baked PNG or SVG badge: take the credential out and verify it. */
static mcred_rc verify_baked(const char *p, size_t n, const struct mc_verify_opts *o,
                             struct mc_verdict *v, int depth, struct mc_err *err)
{
    struct mc_baked b;
    struct mc_err berr;
    enum mc_bake_image kind = mc_bake_sniff((const unsigned char *)p, n);
    char fmt[sizeof(v->format) + 32];
    mcred_rc rc;

    memset(v, 0, sizeof(*v));
    mc_err_clear(&berr);
    rc = mc_unbake((const unsigned char *)p, n, &b, &berr);
    if (rc == MCRED_ERR_NOMEM)
        return mc_err_set(err, rc, "out of memory while unbaking");
    if (rc) {
        snprintf(v->format, sizeof(v->format), "%s image", mc_bake_image_name(kind));
        check(v, "format", MC_CHECK_FAIL, "%s", mc_err_msg(&berr));
        grade(v, false, false, false, false);
        return MCRED_OK;
    }
    rc = verify_bytes(b.data, b.len, o, v, depth, NULL, err);
    if (!rc) {
        snprintf(fmt, sizeof(fmt), "%s (baked %s)", v->format, mc_bake_image_name(kind));
        mc_strlcpy(v->format, fmt, sizeof(v->format));
        check(v, "baked", MC_CHECK_PASS, "taken from the %s's %s", mc_bake_image_name(kind),
              b.where);
        if (b.form == MC_BAKE_FORM_JSON && b.version == 3)
            check_image(v, b.data, b.len, (const unsigned char *)p, n, o);
    }
    mc_baked_release(&b);
    return rc;
}

static mcred_rc verify_doc(const cJSON *doc, const struct mc_verify_opts *o,
                           struct mc_verdict *v, int depth, const char *fetched_from,
                           struct mc_err *err);

static mcred_rc verify_bytes(const char *p, size_t n, const struct mc_verify_opts *o,
                             struct mc_verdict *v, int depth, const char *fetched_from,
                             struct mc_err *err)
{
    struct mc_err perr;
    cJSON *doc = NULL;
    bool expired = false, early = false, revoked = false, suspended = false;
    size_t skip = 0, m;
    mcred_rc rc;

    /* the header only: each check entry is written whole before it is read */
    memset(v, 0, offsetof(struct mc_verdict, checks));
    while (skip < n && (p[skip] == ' ' || p[skip] == '\n' || p[skip] == '\r' || p[skip] == '\t'))
        skip++;
    m = n - skip;
    while (m && (p[skip + m - 1] == '\n' || p[skip + m - 1] == '\r' || p[skip + m - 1] == ' '))
        m--;
    if (mc_jws_shape(p + skip, m, NULL, NULL)) {
        cJSON *h = NULL, *pl = NULL;

        /* an OB 2.0 signed assertion is a JWS whose payload is an Assertion */
        if (mc_jws_decode(p + skip, m, &h, &pl, NULL) == MCRED_OK && mc_ob2_is_assertion(pl)) {
            struct mc_ob2_flags f;

            rc = mc_ob2_verify(v, pl, NULL, p + skip, m, o, &f);
            cJSON_Delete(h);
            cJSON_Delete(pl);
            if (rc)
                return mc_err_set(err, rc, "out of memory while verifying");
            check_trust(v, o);
            grade(v, f.expired, f.early, f.revoked, false);
            return MCRED_OK;
        }
        cJSON_Delete(h);
        cJSON_Delete(pl);
        rc = verify_jwt(v, p + skip, m, o, &expired, &early, &revoked, &suspended);
        if (rc)
            return mc_err_set(err, rc, "out of memory while verifying");
        check_trust(v, o);
        grade(v, expired, early, revoked, suspended);
        return MCRED_OK;
    }
    if (depth == 0 && looks_like_url(p + skip, n - skip))
        return verify_url(p + skip, n - skip, o, v, depth, err);
    if (depth == 0 && mc_bake_sniff((const unsigned char *)p, n) != MC_BAKE_IMAGE_UNKNOWN)
        return verify_baked(p, n, o, v, depth, err);
    mc_err_clear(&perr);
    rc = mc_json_parse(p, n, 0, &doc, &perr);
    if (rc == MCRED_ERR_NOMEM)
        return mc_err_set(err, rc, "out of memory while parsing");
    if (rc) {
        snprintf(v->format, sizeof(v->format), "unknown");
        check(v, "format", MC_CHECK_FAIL, "neither a JSON credential nor a VC-JWT: %s",
              mc_err_msg(&perr));
        grade(v, false, false, false, false);
        return MCRED_OK;
    }
    rc = verify_doc(doc, o, v, depth, fetched_from, err);
    mc_json_delete(doc);   /* free, or left to the arena scope */
    return rc;
}

/* The JSON branch of verify_bytes: doc parsed (any JSON value), v's header
 * cleared; doc stays the caller's. */
static mcred_rc verify_doc(const cJSON *doc, const struct mc_verify_opts *o,
                           struct mc_verdict *v, int depth, const char *fetched_from,
                           struct mc_err *err)
{
    bool expired = false, early = false, revoked = false, suspended = false;
    const char *iss, *id;
    mcred_rc rc;

    if (!cJSON_IsObject(doc)) {
        snprintf(v->format, sizeof(v->format), "json");
        check(v, "format", MC_CHECK_FAIL, "the JSON is not an object");
        goto out;
    }
    if (mc_ob2_is_assertion(doc)) {
        struct mc_ob2_flags f;

        rc = mc_ob2_verify(v, doc, fetched_from, NULL, 0, o, &f);
        if (rc)
            return mc_err_set(err, rc, "out of memory while verifying");
        expired = f.expired;
        early = f.early;
        revoked = f.revoked;
        goto out;
    }
    snprintf(v->format, sizeof(v->format), "json-ld (Data Integrity)");
    check_cat(v, "format", MC_CHECK_PASS, "a JSON-LD document with Data Integrity proofs",
              (const char *)NULL);
    iss = issuer_id(doc);
    id = mc_json_str(doc, "id");
    mc_strlcpy(v->issuer, iss ? iss : "", sizeof(v->issuer));
    mc_strlcpy(v->id, id ? id : "", sizeof(v->id));
    check_structure(v, doc);
    if (mc_json_has_str(mc_json_get(doc, "type"), "VerifiablePresentation")) {
        snprintf(v->format, sizeof(v->format), "presentation (Data Integrity)");
        rc = verify_vp(v, doc, o, depth);
        if (rc)
            return mc_err_set(err, rc, "out of memory while verifying");
        goto out;
    }
    verify_di(v, doc, o);
    check_dates(v, doc, o->now, &expired, &early);
    check_status(v, doc, o, &revoked, &suspended);
out:
    if (v->n && strcmp(v->checks[0].name, "format") == 0 && v->checks[0].state == MC_CHECK_PASS &&
        strncmp(v->format, "presentation", 12) != 0)
        check_trust(v, o);   /* a presentation's credentials were each checked */
    grade(v, expired, early, revoked, suspended);
    return MCRED_OK;
}

mcred_rc mc_verify_bytes(const char *p, size_t n, const struct mc_verify_opts *o,
                         struct mc_verdict *v, struct mc_err *err)
{
    bool scoped = mc_json_arena_begin();   /* every tree below dies in this call */
    mcred_rc rc = verify_bytes(p, n, o, v, 0, NULL, err);

    if (scoped)
        mc_json_arena_end();
    return rc;
}

mcred_rc mc_verify_value(const cJSON *doc, const struct mc_verify_opts *o, struct mc_verdict *v,
                         struct mc_err *err)
{
    bool scoped = mc_json_arena_begin();
    mcred_rc rc;

    memset(v, 0, offsetof(struct mc_verdict, checks));
    rc = verify_doc(doc, o, v, 0, NULL, err);
    if (scoped)
        mc_json_arena_end();
    return rc;
}

static mcred_rc json_str(struct mc_buf *out, const char *s)
{
    return mc_json_put_string(out, s, strlen(s));
}

mcred_rc mc_verdict_json(const struct mc_verdict *v, struct mc_buf *out)
{
    size_t i;
    mcred_rc rc;

    rc = mc_buf_appends(out, "{\"verdict\":\"");
    if (!rc)
        rc = mc_buf_appends(out, mc_verdict_name(v->kind));
    if (!rc)
        rc = mc_buf_appends(out, mc_verdict_exit_code(v) == 0 ? "\",\"valid\":true,\"format\":" :
                            "\",\"valid\":false,\"format\":");
    if (!rc)
        rc = json_str(out, v->format);
    if (!rc && v->issuer[0]) {
        rc = mc_buf_appends(out, ",\"issuer\":");
        if (!rc)
            rc = json_str(out, v->issuer);
    }
    if (!rc && v->id[0]) {
        rc = mc_buf_appends(out, ",\"id\":");
        if (!rc)
            rc = json_str(out, v->id);
    }
    if (!rc)
        rc = mc_buf_appends(out, ",\"checks\":[");
    for (i = 0; !rc && i < v->n; i++) {
        rc = mc_buf_appends(out, i ? ",{\"check\":" : "{\"check\":");
        if (!rc)
            rc = json_str(out, v->checks[i].name);
        if (!rc)
            rc = mc_buf_appends(out, ",\"result\":\"");
        if (!rc)
            rc = mc_buf_appends(out, mc_check_state_name(v->checks[i].state));
        if (!rc)
            rc = mc_buf_appends(out, "\",\"reason\":");
        if (!rc)
            rc = json_str(out, v->checks[i].reason);
        if (!rc)
            rc = mc_buf_appendc(out, '}');
    }
    if (!rc)
        rc = mc_buf_appends(out, "]}");
    return rc;
}
