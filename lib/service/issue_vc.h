/* issue_vc.h - the W3C VC API's verbs on credentials the caller brings
 * whole: issue an unsigned VC 2.0 / OB 3.0 credential as the caller's
 * organisation's issuer (issuer checked, id, validFrom and Bitstring Status
 * List entries added, signed, stored with its achievement row); read one back
 * for a principal; change its revocation or suspension status; and verify a
 * presentation together with every credential inside it.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_ISSUE_VC_H
#define MC_SVC_ISSUE_VC_H

#include "internal.h"
#include "service/platform.h"
#include "service/verify.h"
#include "store/store.h"
#include "util/json.h"

/* --- issuing ---------------------------------------------------------------- */

struct mc_vc_issue_opts {
    const char *suite;          /* "eddsa-rdfc-2022" (NULL: the default) or "eddsa-jcs-2022" */
    const char *credential_id;  /* the VC API's options.credentialId; may be NULL */
    const char *actor;          /* who, for the audit log (e.g. "user:7") */
};

/* Issue `cred` (an unsigned credential; borrowed, never modified) as an
 * issuer of organisation org, in one transaction:
 * - @context must start with the VC 2.0 context; type must name
 *   VerifiableCredential; proof and credentialStatus must be absent;
 * - issuer: when given (a string or a Profile's id) it must be one of the
 *   organisation's issuers, which then signs; when absent the first issuer
 *   signs and is written in (a Profile object for Open Badges, else its DID);
 * - id: kept when given; else options.credentialId names the stored row and
 *   the credential stays without id; else PUBLIC_URL/credentials/<uuidv7>;
 * - validFrom: now when absent;
 * - a revocation and a suspension BitstringStatusListEntry are added (a new
 *   list is created and published when the current one is full);
 * - an Open Badges credential is checked against the OB 3.0 rules and linked
 *   to the organisation's achievement of the same id (stored from the
 *   credential when the organisation has none); any other credential is
 *   linked to the organisation's "VC API credential" achievement;
 * - the subject's id (a DID) or plain e-mail identifier links a learner.
 * On success *doc_out (owned, mc_free) is the signed credential as stored and
 * id_out (cap bytes) its stored id. Errors: INVALID naming the member
 * ("credential.issuer: ..."), CONFLICT (the id is taken), NOTFOUND (the
 * organisation has no issuer), UNSUPPORTED (this process cannot sign),
 * STORAGE, NOMEM. Nothing is stored on failure. */
MC_NODISCARD mcred_rc mc_vc_issue(struct mc_platform *p, struct mc_store *st, int64_t org,
                                  const cJSON *cred, const struct mc_vc_issue_opts *o,
                                  char **doc_out, char *id_out, size_t cap, struct mc_err *err);

/* --- reading ------------------------------------------------------------------ */

/* Who reads: the principal's organisation, role and e-mail. */
struct mc_vc_reader {
    int64_t org;
    enum mc_role role;
    const char *email;
};

/* Credential `ref` as `who` may see it. ref is a whole stored id, or the
 * uuid tail of PUBLIC_URL/credentials/<uuid> (public_url: the platform's).
 * Staff who may read credentials (admin, issuer, assessor) see every
 * credential of their organisation; a learner only one whose learner is
 * theirs, or whose recipient is their e-mail or their learner's DID. Anyone
 * else, and another organisation's credential: NOTFOUND (never a hint that
 * it exists). *out: a row to release. */
MC_NODISCARD mcred_rc mc_vc_get(struct mc_store *st, const struct mc_vc_reader *who,
                                const char *public_url, const char *ref,
                                struct mc_credential *out, struct mc_err *err);

/* --- status ------------------------------------------------------------------- */

/* Set the status bit of purpose (revocation or suspension) of credential ref
 * (as for mc_vc_get) of org to `on`, through the credential's own issuer: revocation on revokes
 * (final), suspension on suspends, suspension off lifts a suspension; the
 * status list is regenerated and signed in the same transaction. Errors:
 * NOTFOUND (no such credential in org), CONFLICT (already so; revocation is
 * final; turning revocation off), INVALID, UNSUPPORTED, STORAGE. *state
 * (may be NULL): OUT, the credential's state afterwards; id_out (cap bytes,
 * may be NULL): OUT, its stored id. */
MC_NODISCARD mcred_rc mc_vc_set_status(struct mc_platform *p, struct mc_store *st, int64_t org,
                                       const char *actor, const char *ref,
                                       enum mc_status_purpose purpose, bool on,
                                       enum mc_cred_state *state, char *id_out, size_t cap,
                                       struct mc_err *err);

/* --- verifying ---------------------------------------------------------------- */

/* Verify one credential given as a JSON value: an object (a credential with
 * Data Integrity proofs), a string (a VC-JWT), or an
 * EnvelopedVerifiableCredential whose id is a data: URL of a VC-JWT. Returns
 * MCRED_OK with *v set whenever a verdict was reached; INVALID (nothing
 * verified) when the value is none of these; NOMEM. */
MC_NODISCARD mcred_rc mc_vc_verify_value(const cJSON *cred, const struct mc_verify_opts *o,
                                         struct mc_verdict *v, struct mc_err *err);

#define MC_VC_MAX_PRESENTED 16   /* credentials verified in one presentation */

struct mc_vp_verdict {
    /* The presentation's verdict. With its proof: mc_verify_bytes's, which
     * covers the proof (proofPurpose authentication, o->challenge and
     * o->domain when given), the holder binding and every credential inside
     * (a "credential[i]" check each). Proofless: its structure only. */
    struct mc_verdict presentation;
    size_t n;                         /* proofless: the credentials inside it */
    struct mc_verdict *credentials;   /* owned, n entries: each verified on its own */
};

/* Verify presentation vp (an object; borrowed). need_proof false (the VC
 * API's proofless request) verifies only the credentials inside, each on its
 * own, without the challenge and domain (those bind a presentation's proof).
 * Returns MCRED_OK whenever verdicts were reached; INVALID naming the member
 * when vp is not a presentation's shape (e.g. "verifiableCredential[2]:
 * expected an object or a string"), LIMIT past MC_VC_MAX_PRESENTED, NOMEM.
 * Release *out with mc_vp_verdict_release (also after failure). */
MC_NODISCARD mcred_rc mc_vc_verify_presentation(const cJSON *vp, bool need_proof,
                                                const struct mc_verify_opts *o,
                                                struct mc_vp_verdict *out, struct mc_err *err);
void mc_vp_verdict_release(struct mc_vp_verdict *r);
/* True when the presentation and every credential in it are valid. */
bool mc_vp_verdict_ok(const struct mc_vp_verdict *r);

#endif /* MC_SVC_ISSUE_VC_H */
