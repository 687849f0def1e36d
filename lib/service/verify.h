/* verify.h - the verify verb: bytes in (a JSON credential with Data
 * Integrity proofs, or a VC-JWT), a graded verdict out, listing every check
 * (format, structure, proof, issuer binding, dates, status) with its reason.
 * Used by `mcred verify` and, later, the server.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_VERIFY_H
#define MC_SVC_VERIFY_H

#include <time.h>

#include "internal.h"
#include "crypto/did.h"
#include "util/buf.h"
#include "util/fetch.h"

struct mc_ctxstore;
struct mc_status_source;
struct mc_jsonld_cache;

enum mc_check_state {
    MC_CHECK_PASS = 0,   /* established and fine */
    MC_CHECK_FAIL,       /* established and wrong */
    MC_CHECK_UNKNOWN,    /* could not be established */
    MC_CHECK_SKIPPED,    /* does not apply */
    MC_CHECK_WARN,       /* established, worth saying, not a failure (grading ignores it) */
};

enum mc_verdict_kind {
    MC_VERDICT_VALID = 0,
    MC_VERDICT_UNTRUSTED,       /* valid, but the issuer is not on a trust list */
    MC_VERDICT_EXPIRED,
    MC_VERDICT_NOT_YET_VALID,
    MC_VERDICT_REVOKED,
    MC_VERDICT_SUSPENDED,
    MC_VERDICT_INVALID,
    MC_VERDICT_INDETERMINATE,
};

struct mc_check {
    char name[24];                  /* "format", "structure", "proof", "issuer", "dates", ... */
    enum mc_check_state state;
    char reason[MC_ERRMSG_MAX];
};

#define MC_VERDICT_MAX_CHECKS 48   /* a presentation: 4 + 2 per credential (16 at most) */

struct mc_verdict {
    enum mc_verdict_kind kind;
    char format[64];                /* "json-ld (Data Integrity)", "vc-jwt", ... (baked PNG) */
    char issuer[MC_DID_MAX];        /* the issuer id, when found */
    char id[MC_DID_MAX];            /* the credential id, when found */
    size_t n;
    struct mc_check checks[MC_VERDICT_MAX_CHECKS];
};

struct mc_verify_opts {
    time_t now;                               /* the verifier's clock */
    const struct mc_fetcher *fetcher;         /* did:web, status lists; may be NULL */
    struct mc_ctxstore *contexts;             /* pinned contexts (RDF suites); may be NULL */
    struct mc_jsonld_cache *cache;            /* processed contexts of `contexts`; may be NULL */
    /* Where status list credentials come from first (the issuing service
     * passes one reading its own lists from the store); for lists it does not
     * have (NOTFOUND), and when NULL, the fetcher, which verifies each list's
     * proof and that its issuer is the credential's. Neither: unknown. */
    const struct mc_status_source *status;
    const char *challenge;                    /* expected, for presentations */
    const char *domain;
    /* The issuers the operator trusts (their ids: DIDs or URLs). NULL: no
     * trust list, the trust check is skipped. A credential that passes every
     * other check but whose issuer is not listed is graded
     * MC_VERDICT_UNTRUSTED. */
    const char *const *trusted;
    size_t ntrusted;
    /* OB 2.0: the recipient the verifier expects (e-mail, URL or phone),
     * matched against the assertion's (hashed) recipient; NULL: not checked. */
    const char *recipient;
};

/* Verify n bytes. Returns MCRED_OK whenever a verdict was reached (whatever
 * it is), or NOMEM. */
MC_NODISCARD mcred_rc mc_verify_bytes(const char *p, size_t n, const struct mc_verify_opts *o,
                                      struct mc_verdict *v, struct mc_err *err);

/* Verify a JSON value already parsed (by mc_json_parse: the same strict
 * parser mc_verify_bytes uses), as mc_verify_bytes verifies its bytes: a
 * credential, a presentation or an OB 2.0 assertion. A string is not taken
 * here (mc_verify_bytes reads JWTs, URLs and images). */
MC_NODISCARD mcred_rc mc_verify_value(const cJSON *doc, const struct mc_verify_opts *o,
                                      struct mc_verdict *v, struct mc_err *err);

/* 0 valid (or untrusted), 1 any check failed, 2 indeterminate. */
int mc_verdict_exit_code(const struct mc_verdict *v);
/* "valid", "expired", ... (static). */
const char *mc_verdict_name(enum mc_verdict_kind k);
const char *mc_check_state_name(enum mc_check_state s);
/* The verdict as a JSON object, appended to out. */
MC_NODISCARD mcred_rc mc_verdict_json(const struct mc_verdict *v, struct mc_buf *out);

#endif /* MC_SVC_VERIFY_H */
