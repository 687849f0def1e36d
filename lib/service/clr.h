/* clr.h - the CLR 2.0 export: a learner's credentials issued by the
 * organisation, their achievements and the associations between those
 * achievements, in one ClrCredential signed by the organisation's issuer
 * (eddsa-rdfc-2022, as issuing signs).
 *
 * The ClrCredential's @context is VC 2.0, the CLR 2.0 context (2.0.1) and
 * the OB 3.0 context. The CLR context is pinned by hash but not embedded
 * (no npm package publishes it): it must be in the context store, from
 * `mcred contexts fetch` or a contexts directory; without it export fails
 * with UNSUPPORTED saying so.
 *
 * What goes in (credentialSubject, a ClrSubject):
 *  - verifiableCredential: every credential of the organisation issued to
 *    the learner (linked to the learner's row, e-mail or DID) that is
 *    neither revoked nor suspended, as signed, oldest first;
 *  - achievement: the Achievement of each of them, once per id;
 *  - association: from the organisation's stacks (lib/store v4 stacks rows,
 *    rule shape in lib/model/stack.h): a component achievement isPartOf the
 *    stack's achievement, and a prerequisite ("after": A on component B)
 *    gives A precedes B; only between achievements the CLR holds;
 *  - id: the learner's DID, else an IdentityObject of the learner's e-mail
 *    (salted SHA-256) in identifier.
 * The ClrCredential is not stored and carries no status entry: it is a
 * signed snapshot; each credential inside keeps its own status.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_CLR_H
#define MC_SVC_CLR_H

#include "internal.h"
#include "service/issue.h"
#include "store/store.h"

#define MC_CLR_CONTEXT "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#define MC_CLR_MAX_CREDENTIALS 1000   /* credentials in one ClrCredential */

/* Export learner (its row id, e-mail or DID in is->org) as a signed
 * ClrCredential. *doc_out: owned JSON text (mc_free), NULL on failure.
 * Errors: NOTFOUND (no such learner; a learner without credentials: a CLR
 * holds at least one), UNSUPPORTED (the CLR 2.0 context is not available),
 * LIMIT (more than MC_CLR_MAX_CREDENTIALS), STORAGE, NOMEM, or the signer's. */
MC_NODISCARD mcred_rc mc_clr_export(const struct mc_issuing *is, const char *learner,
                                    char **doc_out, struct mc_err *err);

#endif /* MC_SVC_CLR_H */
