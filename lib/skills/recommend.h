/* recommend.h - the next credentials for a learner: the organisation's
 * achievements the learner does not hold, scored by three parts, each in
 * [0, 1] and each with its reason:
 *   goal     the share of the target's missing weight the achievement
 *            teaches (only with a target occupation);
 *   demand   market demand: the largest share of imported job postings
 *            naming one of its skills;
 *   co       item-to-item co-earning: the largest cosine similarity, over
 *            the learners' valid credentials, between the achievement and
 *            one the learner holds (learners who hold what this learner
 *            holds went on to earn it).
 * score = 0.5 goal + 0.25 demand + 0.25 co with a target, else
 * 0.5 demand + 0.5 co; ties by achievement URI.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_RECOMMEND_H
#define MC_SKILLS_RECOMMEND_H

#include "internal.h"

#include <time.h>

#include "store/store.h"
#include "util/json.h"

#define MC_RECOMMEND_MAX_TOP 100
#define MC_RECOMMEND_MAX_CREDS ((size_t)200000)   /* credentials read for co-earning */
#define MC_RECOMMEND_MAX_ITEMS ((size_t)100000)   /* achievements considered */

struct mc_recommend_opts {
    const char *target;          /* an occupation URI or O*NET-SOC code, or NULL */
    size_t top;                  /* 1..MC_RECOMMEND_MAX_TOP (default 10) */
    time_t now;
};
void mc_recommend_opts_init(struct mc_recommend_opts *o);

struct mc_recommendation {
    char *uri, *name;            /* the achievement */
    double score, goal, demand, co;
    char *goal_why, *demand_why, *co_why;   /* NULL when the part is 0 */
};
struct mc_recommendations {
    struct mc_recommendation *v; /* owned; best first */
    size_t n;
    char *target_label;          /* with a target */
    char *attribution;           /* with a target: its framework's credit, or NULL */
    size_t postings;             /* job postings behind demand */
    size_t peers;                /* other learners behind co-earning */
    bool truncated;              /* more than MC_RECOMMEND_MAX_CREDS credentials */
};

/* Recommendations for learner of org. NOTFOUND (no such learner, unknown
 * occupation), INVALID (opts), STORAGE, NOMEM. out released on failure. */
MC_NODISCARD mcred_rc mc_recommend(struct mc_store *st, int64_t org, int64_t learner,
                                   const struct mc_recommend_opts *o,
                                   struct mc_recommendations *out, struct mc_err *err);
void mc_recommendations_release(struct mc_recommendations *r);
/* {"target", "postings", "peers", "recommendations": [{"achievement", "name", "score",
 * "parts": {"goal", "demand", "coEarning"}, "reasons": [...]}], "attribution": [...]};
 * owned, NULL on NOMEM. */
cJSON *mc_recommendations_json(const struct mc_recommendations *r);

#endif /* MC_SKILLS_RECOMMEND_H */
