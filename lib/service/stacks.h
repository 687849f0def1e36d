/* stacks.h - stackable credentials as a platform verb: defining a stack (an
 * achievement of the organisation with a rule over component achievements,
 * lib/model/stack.h), re-evaluating the stacks an event affects for that
 * learner only, issuing a satisfied stack's credential exactly once (its
 * evidence names the component credentials), applying the stack's policy
 * when a component is revoked, sweeping expired components, and a learner's
 * progress. Used by the issuing service's hooks, `mcred stack` and the
 * server.
 *
 * A learner's components are the credentials that verify:
 *  - credentials this organisation issued to the learner (by e-mail or DID),
 *    with their state (revoked and suspended ones never count, expired ones
 *    not when the stack asks for freshness);
 *  - wallet items (lib/service/wallet.h) kept with the verdict "valid" (or
 *    "expired", which counts like an expired credential; "revoked" and
 *    "suspended" are held but never count); anything else - a forged or
 *    unverifiable credential - is not a component at all. A wallet item is
 *    matched by its achievement id and, when the rule names one, its issuer.
 *
 * Exactly once: the award of (stack, learner) is claimed by an insert into a
 * UNIQUE (stack, learner) row in the same transaction that stores the stack
 * credential; a concurrent evaluator (another thread or process) waits on the
 * key and then finds the award taken, so it issues nothing.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_STACKS_H
#define MC_SVC_STACKS_H

#include <time.h>

#include "internal.h"
#include "service/issue.h"
#include "store/store.h"
#include "util/buf.h"

#define MC_STACKS_MAX_DEFINITION ((size_t)4 << 20)   /* bytes of a stack definition */
#define MC_STACKS_MAX_DEPTH 16   /* stacks of stacks issued by one event */

/* What the verbs need; everything borrowed. */
struct mc_stacks_ctx {
    struct mc_store *st;
    int64_t org;
    /* The issuer of stack credentials (its signing key unlocked). NULL: a
     * satisfied stack is claimed (award "pending") and its credential is
     * issued by the next evaluation or sweep that has an issuer. */
    const struct mc_issuing *is;
    time_t now;                     /* 0: the clock */
};

/* Process-wide counters (atomic), for the benchmark and tests. */
struct mc_stacks_stats {
    unsigned long long evaluations;   /* (learner, stack) rule evaluations */
    unsigned long long issued;        /* stack credentials issued */
    unsigned long long pending;       /* awards claimed without an issuer */
    unsigned long long flagged, revoked;   /* policies applied */
};
void mc_stacks_stats(struct mc_stacks_stats *out);
void mc_stacks_stats_reset(void);

/* Define a stack from a JSON definition p[0..n):
 *   {"achievement": {OB 3.0 Achievement} | "achievementId": URI,
 *    "rule": RULE, "freshness": bool?, "onComponentRevoked": "keep"|"flag"|"revoke"?,
 *    "external": [URI, ...]?}
 * The achievement object is stored as a new achievement (version) of the
 * organisation; achievementId names one it has. Components must be
 * achievements the store knows (of any organisation) or listed in
 * "external" (other issuers' achievements). Checked here, with clear
 * errors (INVALID / LIMIT naming the path): the rule's form and size (at
 * most MC_STACK_MAX_NODES nodes: a stack of 10,000 components is refused),
 * unknown achievements, prerequisite cycles, and cycles across stacks (a
 * stack reaching itself through stacks that are its components). CONFLICT
 * when the achievement is a stack already. *out (may be NULL) receives the
 * stored row (release with mc_stack_def_release). */
MC_NODISCARD mcred_rc mc_stacks_define(const struct mc_stacks_ctx *c, const char *p, size_t n,
                                       struct mc_stack_def *out, struct mc_err *err);

/* An event: learner's credential (or wallet item) of achievement uri was
 * issued, imported, revoked, suspended or expired. Re-evaluates only the
 * stacks whose index names uri, for that learner only: a satisfied stack is
 * awarded once; an awarded one no longer satisfied gets its policy. Call it
 * outside any transaction. */
MC_NODISCARD mcred_rc mc_stacks_on_event(const struct mc_stacks_ctx *c, int64_t learner,
                                         const char *uri, struct mc_err *err);

/* The same for many credentials of one achievement (bulk issuing): the
 * affected stacks are read once, and each (learner, stack) pair is
 * evaluated once. recipients are as issued (e-mail or DID); those that are
 * no learner of the organisation are skipped. */
MC_NODISCARD mcred_rc mc_stacks_on_recipients(const struct mc_stacks_ctx *c, const char *uri,
                                              const char *const *recipients, size_t n,
                                              struct mc_err *err);

/* After a state change of credential cred_id of the organisation. */
MC_NODISCARD mcred_rc mc_stacks_on_credential(const struct mc_stacks_ctx *c,
                                              const char *cred_id, struct mc_err *err);

/* After learner imported doc (a JSON credential) with a valid verdict. */
MC_NODISCARD mcred_rc mc_stacks_on_import(const struct mc_stacks_ctx *c, int64_t learner,
                                          const char *doc, struct mc_err *err);

/* Expiry has no event of its own: the sweep re-evaluates every award that
 * is pending (issuing it when c->is is given) or was made from a component
 * credential that has expired by now (a stack with freshness then applies
 * its policy). Run it periodically (`mcred stack sweep`, e.g. from cron).
 * *looked (may be NULL) counts the awards re-evaluated. */
MC_NODISCARD mcred_rc mc_stacks_sweep(const struct mc_stacks_ctx *c, size_t *looked,
                                      struct mc_err *err);

/* Evaluate learner against one stack (stack_id) or every stack (0) and act
 * on it as an event would: for a stack defined after its components were
 * issued (events evaluate only from then on). NOTFOUND for an unknown
 * stack; an unknown learner holds nothing. */
MC_NODISCARD mcred_rc mc_stacks_evaluate(const struct mc_stacks_ctx *c, int64_t learner,
                                         int64_t stack_id, struct mc_err *err);

/* The learner's progress on one stack (stack_id) or on every stack (0), as
 * JSON appended to out: {"learner": ID, "stacks": [{"id", "achievement",
 * "satisfied", "award": {"state", "credential"} | null, "done":
 * [{"achievement", "credential"}] (every component credential that counts),
 * "missing": N | null (cannot be reached),
 * "todo": [URI, ...] (the shortest way to finish), "why": [TEXT, ...]}]}.
 * NOTFOUND for an unknown learner or stack. */
MC_NODISCARD mcred_rc mc_stacks_progress(const struct mc_stacks_ctx *c, int64_t learner,
                                         int64_t stack_id, struct mc_buf *out,
                                         struct mc_err *err);

/* The organisation's stacks as a JSON array appended to out: [{"id",
 * "achievement", "rule", "freshness", "onComponentRevoked", "created"}]. */
MC_NODISCARD mcred_rc mc_stacks_list(const struct mc_stacks_ctx *c, struct mc_buf *out,
                                     struct mc_err *err);
/* One stack (as an element of mc_stacks_list) appended to out. */
MC_NODISCARD mcred_rc mc_stacks_json(const struct mc_stack_def *d, struct mc_buf *out,
                                     struct mc_err *err);

#endif /* MC_SVC_STACKS_H */
