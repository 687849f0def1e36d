/* h_vcapi.c - the W3C VC API (v0.3): POST /credentials/issue,
 * /credentials/verify, /presentations/verify, /credentials/status and GET
 * /credentials/{id}. Each handler checks the request body's shape (naming
 * the member that is wrong), calls one verb of lib/service/issue_vc.h or
 * verify.h, and writes the answer. docs/vc-api.md describes the contract.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "jsonld/jcs.h"
#include "service/issue_vc.h"
#include "server.h"

#define ERR_REQUEST "invalid_request"

/* ---- request shapes -------------------------------------------------------------- */

/* False (with the 400 written) when obj has a member not in allowed (NULL
 * ended): the VC API says unknown data and options are errors. */
static bool known_members(const cJSON *obj, const char *const *allowed, const char *where,
                          struct srv_resp *w)
{
    const cJSON *m;
    size_t i;

    cJSON_ArrayForEach(m, obj) {
        bool ok = false;

        for (i = 0; allowed[i] && !ok; i++)
            ok = strcmp(m->string, allowed[i]) == 0;
        if (!ok) {
            srv_error(w, 400, ERR_REQUEST, "request body: %s%s%.80s: unknown %s", where,
                      where[0] ? "." : "", m->string, where[0] ? "option" : "member");
            return false;
        }
    }
    return true;
}

/* The body as a JSON object with only the allowed members; NULL (answered)
 * otherwise. */
static cJSON *body_object(struct srv_req *r, struct srv_resp *w, const char *const *allowed)
{
    cJSON *body = srv_body_json(r, w);

    if (!body)
        return NULL;
    if (!cJSON_IsObject(body)) {
        srv_error(w, 400, ERR_REQUEST, "request body: expected a JSON object");
        cJSON_Delete(body);
        return NULL;
    }
    if (!known_members(body, allowed, "", w)) {
        cJSON_Delete(body);
        return NULL;
    }
    return body;
}

/* options: absent, or an object of allowed members; false when answered. */
static bool options_ok(const cJSON *opts, const char *const *allowed, struct srv_resp *w)
{
    if (!opts)
        return true;
    if (!cJSON_IsObject(opts)) {
        srv_error(w, 400, ERR_REQUEST, "request body: options: expected an object");
        return false;
    }
    return known_members(opts, allowed, "options", w);
}

/* options.<name>: absent, or of the right JSON type; false when answered. */
static bool option_string(const cJSON *opts, const char *name, const char **out,
                          struct srv_resp *w)
{
    const cJSON *v = mc_json_get(opts, name);

    *out = NULL;
    if (!v)
        return true;
    if (!cJSON_IsString(v)) {
        srv_error(w, 400, ERR_REQUEST, "request body: options.%s: expected a string", name);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static bool option_bool(const cJSON *opts, const char *name, bool *out, struct srv_resp *w)
{
    const cJSON *v = mc_json_get(opts, name);

    *out = false;
    if (!v)
        return true;
    if (!cJSON_IsBool(v)) {
        srv_error(w, 400, ERR_REQUEST, "request body: options.%s: expected true or false",
                  name);
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

/* OAuth principals need the scope as well as the role. */
static bool scoped(struct srv_req *r, struct srv_resp *w, unsigned scope)
{
    if (r->who.kind != SRV_AUTH_OAUTH || (r->who.scopes & scope))
        return true;
    srv_error(w, 403, "insufficient_scope", "the access token's scopes do not allow %s %s",
              r->method, r->path);
    return false;
}

/* A library error of a verb: INVALID names the body's member. */
static void verb_error(struct srv_resp *w, const struct mc_err *err)
{
    if (err->rc == MCRED_ERR_INVALID)
        srv_error(w, 400, ERR_REQUEST, "request body: %s", mc_err_msg(err));
    else if (err->rc == MCRED_ERR_UNSUPPORTED)   /* no key unlocked: the operator's to fix */
        srv_error(w, 503, "cannot_sign", "%s", mc_err_msg(err));
    else
        srv_error_rc(w, err);
}

static void oom(struct srv_resp *w)
{
    srv_error(w, 500, "internal", "out of memory");
}

/* ---- POST /credentials/issue ---------------------------------------------------------- */

static void issue(struct srv_req *r, struct srv_resp *w)
{
    static const char *const members[] = { "credential", "options", NULL };
    static const char *const options[] = { "cryptosuite", "credentialId", NULL };
    struct mc_vc_issue_opts o;
    struct mc_err err;
    cJSON *body, *opts;
    char actor[48], id[1100], *doc = NULL;
    const cJSON *cred;

    if (!scoped(r, w, SRV_SCOPE_CREDENTIAL_UPSERT))
        return;
    body = body_object(r, w, members);
    if (!body)
        return;
    cred = mc_json_get(body, "credential");
    opts = mc_json_get(body, "options");
    memset(&o, 0, sizeof(o));
    if (!cred) {
        srv_error(w, 400, ERR_REQUEST, "request body: credential: missing");
        goto out;
    }
    if (mc_json_get(opts, "mandatoryPointers")) {
        srv_error(w, 400, ERR_REQUEST, "request body: options.mandatoryPointers: selective "
                                       "disclosure is not offered by this issuer");
        goto out;
    }
    if (!options_ok(opts, options, w) || !option_string(opts, "cryptosuite", &o.suite, w) ||
        !option_string(opts, "credentialId", &o.credential_id, w))
        goto out;
    snprintf(actor, sizeof(actor), "user:%lld", (long long)r->who.user);
    o.actor = actor;
    mc_err_clear(&err);
    if (mc_vc_issue(r->srv->plat, r->st, r->who.org, cred, &o, &doc, id, sizeof(id), &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 409, "no_issuer", "%s", mc_err_msg(&err));
        else
            verb_error(w, &err);
        goto out;
    }
    w->status = 201;
    w->content_type = "application/json";
    if (mc_buf_appends(&w->body, "{\"verifiableCredential\":") ||
        mc_buf_appends(&w->body, doc) || mc_buf_appendc(&w->body, '}'))
        oom(w);
out:
    mc_free(doc);
    cJSON_Delete(body);
}

/* ---- verification results -------------------------------------------------------- */

/* The VC Data Model 2.0 / Bitstring Status List problem type of a check. */
static const char *problem_type(const struct mc_check *c)
{
    if (strcmp(c->name, "format") == 0)
        return "https://www.w3.org/TR/vc-data-model#PARSING_ERROR";
    if (strcmp(c->name, "structure") == 0)
        return "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR";
    if (strcmp(c->name, "dates") == 0)
        return "https://www.w3.org/TR/vc-data-model#RANGE_ERROR";
    if (strncmp(c->name, "credential[", 11) == 0) {
        /* a presented credential's summary: "<id>: <verdict>: <reason>" */
        if (strstr(c->reason, ": revoked: ") || strstr(c->reason, ": suspended: "))
            return "https://www.w3.org/TR/vc-bitstring-status-list#STATUS_VERIFICATION_ERROR";
        if (strstr(c->reason, ": expired: ") || strstr(c->reason, ": not-yet-valid: "))
            return "https://www.w3.org/TR/vc-data-model#RANGE_ERROR";
    }
    if (strcmp(c->name, "status") == 0)
        return c->state == MC_CHECK_UNKNOWN ?
               "https://www.w3.org/TR/vc-bitstring-status-list#STATUS_RETRIEVAL_ERROR" :
               "https://www.w3.org/TR/vc-bitstring-status-list#STATUS_VERIFICATION_ERROR";
    return "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR";
}

/* ---- writing a result -------------------------------------------------------------- */
/* A result is written straight into the answer's buffer: the same JSON a tree
 * of the members would print, without building one (verifying is the
 * server's busiest route). */

/* One verdict whose findings go into the result, each error and warning
 * prefixed by where ("" or "verifiableCredential[0]: "). */
struct finding_src {
    const struct mc_verdict *v;
    const char *where;
};

/* s as a JSON string; text that is not UTF-8 (a reason quoting the input)
 * is written with '?' for the bad bytes. */
static mcred_rc put_str(struct mc_buf *b, const char *s)
{
    size_t len = b->len, n = strlen(s);
    mcred_rc rc = mc_json_put_string(b, s, n);
    char *copy;

    if (rc != MCRED_ERR_INVALID)
        return rc;
    b->len = len;
    copy = mc_malloc(n + 1);
    if (!copy)
        return MCRED_ERR_NOMEM;
    memcpy(copy, s, n + 1);
    srv_utf8_fix(copy);
    rc = mc_json_put_string(b, copy, n);
    mc_free(copy);
    return rc;
}

/* "%s%s%s" of where, a and c as one JSON string. */
static mcred_rc put_str3(struct mc_buf *b, const char *where, const char *a, const char *c)
{
    char line[MC_ERRMSG_MAX + 192];

    snprintf(line, sizeof(line), "%s%s%s", where, a, c);
    return put_str(b, line);
}

static bool failed(const struct mc_check *c)
{
    return c->state == MC_CHECK_FAIL || c->state == MC_CHECK_UNKNOWN;
}

/* "checks": the names of the checks performed, each once, in order. */
static mcred_rc put_checks(struct mc_buf *b, const struct finding_src *f, size_t nf)
{
    const char *seen[MC_VERDICT_MAX_CHECKS];
    size_t nseen = 0, i, k, j;
    mcred_rc rc = mc_buf_appends(b, "\"checks\":[");

    for (i = 0; !rc && i < nf; i++)
        for (k = 0; !rc && k < f[i].v->n; k++) {
            const char *name = f[i].v->checks[k].name;

            if (f[i].v->checks[k].state == MC_CHECK_SKIPPED)
                continue;
            for (j = 0; j < nseen && strcmp(seen[j], name) != 0; j++)
                ;
            if (j < nseen)
                continue;
            if (nseen == sizeof(seen) / sizeof(seen[0]))
                break;   /* more distinct names than one verdict holds: enough */
            seen[nseen++] = name;
            if (nseen > 1)
                rc = mc_buf_appendc(b, ',');
            if (!rc)
                rc = put_str(b, name);
        }
    return rc ? rc : mc_buf_appendc(b, ']');
}

/* ",warnings", ",errors" and ",problemDetails" of the sources; extra: a
 * warning after the first source's (NULL: none). */
static mcred_rc put_findings(struct mc_buf *b, const struct finding_src *f, size_t nf,
                             const char *extra)
{
    size_t i, k, n = 0;
    mcred_rc rc = mc_buf_appends(b, ",\"warnings\":[");

    for (i = 0; !rc && i < nf; i++) {
        if (f[i].v->kind == MC_VERDICT_UNTRUSTED) {
            rc = n++ ? mc_buf_appendc(b, ',') : MCRED_OK;
            if (!rc)
                rc = put_str3(b, f[i].where, "issuer: valid, but the issuer is not on a "
                              "trust list", "");
        }
        if (!rc && i == 0 && extra) {
            rc = n++ ? mc_buf_appendc(b, ',') : MCRED_OK;
            if (!rc)
                rc = put_str(b, extra);
        }
    }
    if (!rc)
        rc = mc_buf_appends(b, "],\"errors\":[");
    for (i = 0, n = 0; !rc && i < nf; i++)
        for (k = 0; !rc && k < f[i].v->n; k++) {
            const struct mc_check *c = &f[i].v->checks[k];
            char head[MC_ERRMSG_MAX];

            if (!failed(c))
                continue;
            rc = n++ ? mc_buf_appendc(b, ',') : MCRED_OK;
            snprintf(head, sizeof(head), "%s%s: ", f[i].where, c->name);
            if (!rc)
                rc = put_str3(b, head, c->reason, "");
        }
    if (!rc)
        rc = mc_buf_appends(b, "],\"problemDetails\":[");
    for (i = 0, n = 0; !rc && i < nf; i++)
        for (k = 0; !rc && k < f[i].v->n; k++) {
            const struct mc_check *c = &f[i].v->checks[k];

            if (!failed(c))
                continue;
            rc = mc_buf_appends(b, n++ ? ",{\"type\":" : "{\"type\":");
            if (!rc)
                rc = put_str(b, problem_type(c));
            if (!rc)
                rc = mc_buf_appends(b, ",\"title\":");
            if (!rc)
                rc = put_str(b, c->name);
            if (!rc)
                rc = mc_buf_appends(b, ",\"detail\":");
            if (!rc)
                rc = put_str3(b, f[i].where, c->reason, "");
            if (!rc)
                rc = mc_buf_appendc(b, '}');
        }
    return rc ? rc : mc_buf_appendc(b, ']');
}

/* {"verified", "checks", "warnings", "errors", "problemDetails", "verdict"
 * (of the first source) — and the caller closes it. */
static mcred_rc put_result(struct mc_buf *b, bool verified, const struct finding_src *f,
                           size_t nf, const char *extra)
{
    mcred_rc rc = mc_buf_appends(b, verified ? "{\"verified\":true," :
                                 "{\"verified\":false,");

    if (!rc)
        rc = put_checks(b, f, nf);
    if (!rc)
        rc = put_findings(b, f, nf, extra);
    if (!rc)
        rc = mc_buf_appends(b, ",\"verdict\":");
    return rc ? rc : mc_verdict_json(f[0].v, b);
}

/* The result of one credential: the VC API's members and our verdict. */
static mcred_rc put_credential_result(struct mc_buf *b, const struct mc_verdict *v)
{
    struct finding_src f = { v, "" };
    mcred_rc rc = put_result(b, mc_verdict_exit_code(v) == 0, &f, 1, NULL);

    return rc ? rc : mc_buf_appendc(b, '}');
}

/* The answer: result written by put (which leaves the object open), then
 * ,"<member>": copy of the request's value when asked, and the status. */
static void answer(struct srv_resp *w, int status, mcred_rc rc, const char *member,
                   const cJSON *copy)
{
    if (!rc && copy) {
        rc = mc_buf_appends(&w->body, ",\"");
        if (!rc)
            rc = mc_buf_appends(&w->body, member);
        if (!rc)
            rc = mc_buf_appends(&w->body, "\":");
        if (!rc)
            rc = mc_json_stringify(copy, 0, &w->body, NULL);
    }
    if (!rc)
        rc = mc_buf_appendc(&w->body, '}');
    if (rc) {
        oom(w);
        return;
    }
    w->status = status;
    w->content_type = "application/json";
}

/* ---- POST /credentials/verify --------------------------------------------------------- */

/* options.checks: the checks the caller asks for. Every check always runs;
 * names we do not perform are an error (unknown options are). */
static bool checks_ok(const cJSON *opts, struct srv_resp *w)
{
    static const char *const known[] = { "proof", "status", "dates", "structure", "issuer",
                                         "format", "credentialStatus", "validFrom",
                                         "validUntil", NULL };
    const cJSON *c = mc_json_get(opts, "checks"), *e;
    int i = 0;

    if (!c)
        return true;
    if (!cJSON_IsArray(c)) {
        srv_error(w, 400, ERR_REQUEST, "request body: options.checks: expected an array of "
                                       "strings");
        return false;
    }
    cJSON_ArrayForEach(e, c) {
        size_t k;
        bool ok = false;

        for (k = 0; cJSON_IsString(e) && known[k] && !ok; k++)
            ok = strcmp(e->valuestring, known[k]) == 0;
        if (!ok) {
            srv_error(w, 400, ERR_REQUEST, "request body: options.checks[%d]: expected one of "
                      "proof, status, dates, structure, issuer", i);
            return false;
        }
        i++;
    }
    return true;
}

static void verify_credential_in(struct srv_req *r, struct srv_resp *w)
{
    static const char *const members[] = { "verifiableCredential", "options", NULL };
    static const char *const options[] = { "checks", "returnCredential", "returnResults",
                                           "returnProblemDetails", NULL };
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_verdict *v = NULL;
    struct mc_err err;
    cJSON *body, *opts, *vc;
    bool ret_cred = false, unused;

    body = body_object(r, w, members);
    if (!body)
        return;
    vc = mc_json_get(body, "verifiableCredential");
    opts = mc_json_get(body, "options");
    if (!vc) {
        srv_error(w, 400, ERR_REQUEST, "request body: verifiableCredential: missing");
        goto out;
    }
    if (!options_ok(opts, options, w) || !checks_ok(opts, w) ||
        !option_bool(opts, "returnCredential", &ret_cred, w) ||
        !option_bool(opts, "returnResults", &unused, w) ||
        !option_bool(opts, "returnProblemDetails", &unused, w))
        goto out;
    v = mc_malloc(sizeof(*v));
    if (!v) {
        oom(w);
        goto out;
    }
    mc_platform_verify_opts(r->srv->plat, r->st, &src, &o);
    mc_err_clear(&err);
    if (mc_vc_verify_value(vc, &o, v, &err) != MCRED_OK) {
        if (err.rc == MCRED_ERR_INVALID)
            srv_error(w, 400, ERR_REQUEST, "request body: verifiableCredential: %s",
                      mc_err_msg(&err));
        else
            srv_error_rc(w, &err);
        goto out;
    }
    {
        struct finding_src f = { v, "" };
        bool ok = mc_verdict_exit_code(v) == 0;

        /* a credential that does not verify is answered 400 with the whole result */
        mc_buf_reset(&w->body);
        answer(w, ok ? 200 : 400, put_result(&w->body, ok, &f, 1, NULL), "credential",
               ret_cred ? vc : NULL);
    }
out:
    mc_free(v);
    mc_json_delete(body);
}

/* ---- POST /presentations/verify ----------------------------------------------------- */

/* The presentation's result, left open: its findings and those of each
 * credential inside (proofless: with "credentialResults", one each). */
static mcred_rc put_presentation_result(struct mc_buf *b, const struct mc_vp_verdict *vr,
                                        bool challenged, bool proofless)
{
    struct finding_src *f;
    char (*where)[48];
    size_t i, nf = 1 + (proofless ? vr->n : 0);
    mcred_rc rc;

    f = mc_calloc(nf, sizeof(*f));
    where = mc_calloc(nf, sizeof(*where));
    if (!f || !where) {
        mc_free(f);
        mc_free(where);
        return MCRED_ERR_NOMEM;
    }
    f[0].v = &vr->presentation;
    f[0].where = "presentation: ";
    for (i = 1; i < nf; i++) {
        snprintf(where[i], sizeof(where[i]), "verifiableCredential[%zu]: ", i - 1);
        f[i].v = &vr->credentials[i - 1];
        f[i].where = where[i];
    }
    rc = put_result(b, mc_vp_verdict_ok(vr), f, nf, challenged ? NULL :
                    "presentation: no options.challenge was given, so a replayed "
                    "presentation would verify too");
    if (!rc && proofless) {
        rc = mc_buf_appends(b, ",\"credentialResults\":[");
        for (i = 0; !rc && i < vr->n; i++) {
            rc = i ? mc_buf_appendc(b, ',') : MCRED_OK;
            if (!rc)
                rc = put_credential_result(b, &vr->credentials[i]);
        }
        if (!rc)
            rc = mc_buf_appendc(b, ']');
    }
    mc_free(where);
    mc_free(f);
    return rc;
}

static void verify_presentation_in(struct srv_req *r, struct srv_resp *w)
{
    static const char *const members[] = { "verifiablePresentation", "presentation", "options",
                                           NULL };
    static const char *const options[] = { "challenge", "domain", "returnPresentation", NULL };
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_vp_verdict vr;
    struct mc_err err;
    cJSON *body, *opts, *vp, *plain;
    const char *challenge = NULL, *domain = NULL;
    bool ret_vp = false;

    memset(&vr, 0, sizeof(vr));
    body = body_object(r, w, members);
    if (!body)
        return;
    vp = mc_json_get(body, "verifiablePresentation");
    plain = mc_json_get(body, "presentation");
    opts = mc_json_get(body, "options");
    if (!vp && !plain) {
        srv_error(w, 400, ERR_REQUEST, "request body: verifiablePresentation: missing");
        goto out;
    }
    if (vp && plain) {
        srv_error(w, 400, ERR_REQUEST, "request body: presentation: give verifiablePresentation "
                                       "or presentation, not both");
        goto out;
    }
    if (!options_ok(opts, options, w) || !option_string(opts, "challenge", &challenge, w) ||
        !option_string(opts, "domain", &domain, w) ||
        !option_bool(opts, "returnPresentation", &ret_vp, w))
        goto out;
    mc_platform_verify_opts(r->srv->plat, r->st, &src, &o);
    o.challenge = challenge;
    o.domain = domain;
    mc_err_clear(&err);
    if (mc_vc_verify_presentation(vp ? vp : plain, vp != NULL, &o, &vr, &err) != MCRED_OK) {
        if (err.rc == MCRED_ERR_INVALID)
            srv_error(w, 400, ERR_REQUEST, "request body: %s: %s",
                      vp ? "verifiablePresentation" : "presentation", mc_err_msg(&err));
        else
            srv_error_rc(w, &err);
        goto out;
    }
    mc_buf_reset(&w->body);
    answer(w, mc_vp_verdict_ok(&vr) ? 200 : 400,
           put_presentation_result(&w->body, &vr, challenge != NULL || !vp, !vp),
           "presentation", ret_vp ? (vp ? vp : plain) : NULL);
out:
    mc_vp_verdict_release(&vr);
    mc_json_delete(body);
}

/* Verifying makes JSON trees only for the request: the body, the verdict and
 * the answer all live in this thread's JSON arena (util/json.h), released at
 * once when the answer is written. */
static void verify_credential(struct srv_req *r, struct srv_resp *w)
{
    bool scoped = mc_json_arena_begin();

    verify_credential_in(r, w);
    if (scoped)
        mc_json_arena_end();
}

static void verify_presentation(struct srv_req *r, struct srv_resp *w)
{
    bool scoped = mc_json_arena_begin();

    verify_presentation_in(r, w);
    if (scoped)
        mc_json_arena_end();
}

/* ---- POST /credentials/status -------------------------------------------------------- */

/* One status change asked for: purpose and the new bit. */
struct status_change {
    enum mc_status_purpose purpose;
    bool on;
};

/* An entry {type, statusPurpose[, id, statusListIndex, statusListCredential]
 * [, status]}; status_inside: the array form carries status in the entry. */
static bool parse_entry(const cJSON *e, const char *where, bool status_inside,
                        struct status_change *out, struct srv_resp *w)
{
    static const char *const members[] = { "type", "statusPurpose", "id", "statusListIndex",
                                           "statusListCredential", "status", NULL };
    const char *type = mc_json_str(e, "type"), *purpose = mc_json_str(e, "statusPurpose");
    const cJSON *m, *st = mc_json_get(e, "status");
    size_t i;

    if (!cJSON_IsObject(e)) {
        srv_error(w, 400, ERR_REQUEST, "request body: %s: expected an object", where);
        return false;
    }
    cJSON_ArrayForEach(m, e) {
        bool ok = false;

        for (i = 0; members[i] && !ok; i++)
            ok = strcmp(m->string, members[i]) == 0 &&
                 (status_inside || strcmp(m->string, "status") != 0);
        if (!ok) {
            srv_error(w, 400, ERR_REQUEST, "request body: %s.%.80s: unknown member", where,
                      m->string);
            return false;
        }
        if (strcmp(m->string, "status") != 0 && !cJSON_IsString(m)) {
            srv_error(w, 400, ERR_REQUEST, "request body: %s.%s: expected a string", where,
                      m->string);
            return false;
        }
    }
    if (!type || (strcmp(type, "BitstringStatusListEntry") != 0 &&
                  strcmp(type, "BitstringStatusList") != 0)) {
        srv_error(w, 400, ERR_REQUEST, "request body: %s.type: %s", where,
                  type ? "expected 'BitstringStatusListEntry'" : "missing");
        return false;
    }
    if (!purpose || (strcmp(purpose, "revocation") != 0 && strcmp(purpose, "suspension") != 0)) {
        srv_error(w, 400, ERR_REQUEST, "request body: %s.statusPurpose: %s", where,
                  purpose ? "expected 'revocation' or 'suspension'" : "missing");
        return false;
    }
    out->purpose = strcmp(purpose, "revocation") == 0 ? MC_STATUS_PURPOSE_REVOCATION :
                                                        MC_STATUS_PURPOSE_SUSPENSION;
    if (status_inside && !cJSON_IsBool(st)) {
        srv_error(w, 400, ERR_REQUEST, "request body: %s.status: %s", where,
                  st ? "expected true or false" : "missing");
        return false;
    }
    if (status_inside)
        out->on = cJSON_IsTrue(st);
    return true;
}

/* The spec's shape {credentialId, credentialStatus: {...}, status: bool}, or
 * credentialStatus as an array of one entry carrying its own status. */
static bool parse_status(const cJSON *body, struct status_change *out, struct srv_resp *w)
{
    const cJSON *cs = mc_json_get(body, "credentialStatus"), *st = mc_json_get(body, "status");

    if (!cs) {
        srv_error(w, 400, ERR_REQUEST, "request body: credentialStatus: missing");
        return false;
    }
    if (cJSON_IsArray(cs)) {
        if (cJSON_GetArraySize(cs) != 1) {
            srv_error(w, 400, ERR_REQUEST, "request body: credentialStatus: expected one entry "
                                           "(one change per request)");
            return false;
        }
        if (st) {
            srv_error(w, 400, ERR_REQUEST, "request body: status: give it inside the "
                                           "credentialStatus entry, or use the object form");
            return false;
        }
        return parse_entry(cs->child, "credentialStatus[0]", true, out, w);
    }
    if (!cJSON_IsObject(cs)) {
        srv_error(w, 400, ERR_REQUEST, "request body: credentialStatus: expected an object");
        return false;
    }
    if (!cJSON_IsBool(st)) {
        srv_error(w, 400, ERR_REQUEST, "request body: status: %s",
                  st ? "expected true or false" : "missing");
        return false;
    }
    out->on = cJSON_IsTrue(st);
    return parse_entry(cs, "credentialStatus", false, out, w);
}

static bool status_entry_json(cJSON *arr, const char *purpose, bool on)
{
    cJSON *e = cJSON_CreateObject();

    if (!e || !cJSON_AddItemToArray(arr, e)) {
        cJSON_Delete(e);
        return false;
    }
    return cJSON_AddStringToObject(e, "type", "BitstringStatusListEntry") &&
           cJSON_AddStringToObject(e, "statusPurpose", purpose) &&
           cJSON_AddBoolToObject(e, "status", on);
}

static void update_status(struct srv_req *r, struct srv_resp *w)
{
    static const char *const members[] = { "credentialId", "credentialStatus", "status", NULL };
    struct status_change ch;
    enum mc_cred_state state = MC_CRED_ACTIVE;
    struct mc_err err;
    cJSON *body, *res = NULL, *arr;
    const cJSON *cid;
    char actor[48], id[1100];

    if (!scoped(r, w, SRV_SCOPE_CREDENTIAL_UPSERT))
        return;
    body = body_object(r, w, members);
    if (!body)
        return;
    cid = mc_json_get(body, "credentialId");
    if (!cJSON_IsString(cid)) {
        srv_error(w, 400, ERR_REQUEST, "request body: credentialId: %s",
                  cid ? "expected a string" : "missing");
        goto out;
    }
    memset(&ch, 0, sizeof(ch));
    if (!parse_status(body, &ch, w))
        goto out;
    snprintf(actor, sizeof(actor), "user:%lld", (long long)r->who.user);
    mc_err_clear(&err);
    if (mc_vc_set_status(r->srv->plat, r->st, r->who.org, actor, cid->valuestring, ch.purpose,
                         ch.on, &state, id, sizeof(id), &err) != MCRED_OK) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 404, "not_found", "credentialId: no such credential");
        else
            verb_error(w, &err);
        goto out;
    }
    res = cJSON_CreateObject();
    arr = res ? cJSON_AddArrayToObject(res, "credentialStatus") : NULL;
    if (!arr || !cJSON_AddStringToObject(res, "credentialId", id) ||
        !status_entry_json(arr, "revocation", state == MC_CRED_REVOKED) ||
        !status_entry_json(arr, "suspension", state == MC_CRED_SUSPENDED) ||
        !cJSON_AddStringToObject(res, "state", mc_cred_state_name(state))) {
        oom(w);
        goto out;
    }
    srv_json(w, 200, res);
out:
    cJSON_Delete(res);
    cJSON_Delete(body);
}

/* ---- GET /credentials/{id} ------------------------------------------------------------ */

static void get_credential(struct srv_req *r, struct srv_resp *w)
{
    struct mc_vc_reader who = { r->who.org, r->who.role, r->who.email };
    struct mc_credential c;
    struct mc_err err;

    if (!scoped(r, w, SRV_SCOPE_CREDENTIAL_READONLY))
        return;
    mc_err_clear(&err);
    if (mc_vc_get(r->st, &who, mc_platform_public_url(r->srv->plat), r->params[0], &c,
                  &err) != MCRED_OK) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            srv_error(w, 404, "not_found", "no such credential");
        else
            srv_error_rc(w, &err);
        return;
    }
    w->status = 200;
    w->content_type = "application/json";
    if (mc_buf_appends(&w->body, c.doc))
        oom(w);
    mc_credential_release(&c);
}

/* Order matters only between a literal and a {param} segment of one method:
 * GET /credentials/{id} takes every GET under /credentials/. */
const struct srv_route srv_routes_vcapi[] = {
    { "POST", "/credentials/issue", issue, SRV_STAFF },
    { "POST", "/credentials/verify", verify_credential, SRV_PUBLIC },
    { "POST", "/credentials/status", update_status, SRV_STAFF },
    { "POST", "/presentations/verify", verify_presentation, SRV_PUBLIC },
    { "GET", "/credentials/{id}", get_credential,
      SRV_ADMIN | SRV_ISSUER | SRV_ASSESSOR | SRV_LEARNER },
    { NULL, NULL, NULL, 0 },
};
