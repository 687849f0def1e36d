/* verify_int.h - private to lib/service/verify.c and the format modules it
 * calls (ob2.c): adding checks to a verdict.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_VERIFY_INT_H
#define MC_SVC_VERIFY_INT_H

#include "internal.h"
#include "service/verify.h"
#include "util/json.h"

/* Add a check (a full verdict keeps failures and unknowns over passes). */
void mc_verdict_check(struct mc_verdict *v, const char *name, enum mc_check_state st,
                      const char *fmt, ...) MC_PRINTF(4, 5);

/* What an OB 2.0 verification found about dates and status, for grading. */
struct mc_ob2_flags {
    bool expired, early, revoked;
};

/* True when doc is an Open Badges 2.0 or 1.x assertion (JSON). */
bool mc_ob2_is_assertion(const cJSON *doc);

/* Verify an OB 2.0 / 1.x assertion: hosted (doc, whose verify.url is
 * fetched; or fetched_from: the URL doc was just fetched from), or signed
 * (jws: the compact JWS whose payload is doc). Adds the checks: format,
 * assertion (hosted copy / signature), badge, issuer (verification policy),
 * revocation, recipient, dates. NOMEM only. */
MC_NODISCARD mcred_rc mc_ob2_verify(struct mc_verdict *v, const cJSON *doc,
                                    const char *fetched_from, const char *jws, size_t jws_n,
                                    const struct mc_verify_opts *o, struct mc_ob2_flags *f);

#endif /* MC_SVC_VERIFY_INT_H */
