/* stack.h - stackable credentials: a stack's rule over component
 * achievements, checked when it is defined (shape, size, depth, unknown
 * achievements, prerequisite cycles) and evaluated against the components a
 * learner holds (already verified by the caller): satisfied or not, which
 * credentials it used, and the shortest way to finish.
 *
 * A rule is JSON, one of:
 *   {"achievement": URI, "issuer": ID?, "after": URI?, "credits": N?}
 *        a component: a held credential of achievement URI (of that issuer
 *        when given) that is usable (not revoked, not expired when the stack
 *        asks for freshness); with "after", it counts only when issued after
 *        a usable credential of achievement "after" (a prerequisite);
 *        "credits" is what the component is worth when the credential does
 *        not say (creditsEarned)
 *   {"allOf": [RULE, ...]}           every one
 *   {"anyOf": [RULE, ...]}           at least one (alternatives)
 *   {"nOf": N, "of": [RULE, ...]}    at least N of them
 *   {"minCredits": X, "of": [RULE, ...]}  satisfied components worth >= X
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_STACK_H
#define MC_STACK_H

#include <time.h>

#include "internal.h"
#include "util/json.h"

#define MC_STACK_MAX_NODES 1000    /* rule nodes (components and operators) */
#define MC_STACK_MAX_DEPTH 32
#define MC_STACK_MAX_HELD 100000   /* credentials one evaluation looks at */
#define MC_STACK_UNREACHABLE ((size_t)1 << 40)

struct mc_stack;   /* a checked rule; opaque */

/* Is uri an achievement the platform knows? (definition-time check) */
typedef bool (*mc_stack_known_fn)(void *ud, const char *uri);

/* Parse and check rule. Errors (MCRED_ERR_INVALID / LIMIT, err names the
 * JSON path): not a rule of the forms above, an empty list, nOf outside
 * 1..len, minCredits not positive, more than MC_STACK_MAX_NODES nodes or
 * deeper than MC_STACK_MAX_DEPTH, an achievement known() says is unknown
 * (known may be NULL: no check), a prerequisite ("after") that is not a
 * component of the stack, prerequisites in a cycle (A after B after A). */
MC_NODISCARD mcred_rc mc_stack_parse(const cJSON *rule, mc_stack_known_fn known, void *ud,
                                     struct mc_stack **out, struct mc_err *err);
void mc_stack_free(struct mc_stack *s);   /* accepts NULL */

/* Every distinct achievement URI the rule names (components), borrowed from
 * s, in rule order. */
size_t mc_stack_components(const struct mc_stack *s, const char ***uris);

/* A credential the learner holds, verified by the caller. */
struct mc_stack_held {
    const char *credential_id;
    const char *achievement;     /* the achievement id it is of */
    const char *issuer;          /* its issuer id */
    time_t issued;
    time_t valid_until;          /* 0: none */
    bool revoked, suspended;
    double credits;              /* creditsEarned; < 0: unknown (the rule's credits apply) */
};

struct mc_stack_eval_opts {
    time_t now;
    bool freshness;              /* expired components do not count */
};

struct mc_stack_result {
    bool satisfied;
    /* credentials the satisfied (or best partial) rule used, each once:
     * indexes into the held array, in rule order */
    size_t *used, nused;
    /* the fewest further components that would satisfy it (0 when
     * satisfied; MC_STACK_UNREACHABLE when its parts cannot be worth enough
     * credits), and those achievements (borrowed from the stack) */
    size_t missing;
    const char **todo;
    size_t ntodo;
    /* every credential that satisfies a component of the rule (whether the
     * best completion uses it or not): indexes into the held array, ascending */
    size_t *counted, ncounted;
    /* per component of the rule, why it did or did not count: one line each */
    char **why;
    size_t nwhy;
};

/* Evaluate s against held[0..n). */
MC_NODISCARD mcred_rc mc_stack_eval(const struct mc_stack *s, const struct mc_stack_held *held,
                                    size_t n, const struct mc_stack_eval_opts *o,
                                    struct mc_stack_result *out, struct mc_err *err);
void mc_stack_result_release(struct mc_stack_result *r);

/* Stacks whose components are other stacks: is there a cycle? edges[i] =
 * {from, to}: stack achievement `from` has `to` as a component. MCRED_OK
 * when acyclic, MCRED_ERR_INVALID naming one cycle otherwise. */
struct mc_stack_edge {
    const char *from, *to;
};
MC_NODISCARD mcred_rc mc_stack_check_cycles(const struct mc_stack_edge *edges, size_t n,
                                            struct mc_err *err);

#endif /* MC_STACK_H */
