/* planner.h - the planner verb over the store: a learner's gap against an
 * occupation or a job description, the catalog (the organisation's
 * achievements with the planning extension, the imported catalog of other
 * issuers' entries, and an optional catalog file),
 * the plan (plan.h), the focus score, and the plan as JSON or as an SVG
 * timeline. The CLI (`mcred plan`) and the server (GET/POST
 * /api/v1/learners/{id}/plan) both call these.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_PLANNER_H
#define MC_SKILLS_PLANNER_H

#include "internal.h"

#include <time.h>

#include "skills/plan.h"
#include "skills/skills.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json.h"

#define MC_PLAN_SVG_MAX ((size_t)4 << 20)   /* bytes of one timeline */

struct mc_plan_request {
    int64_t org, learner;
    const char *target;          /* an occupation URI or O*NET-SOC code, or NULL */
    const char *job;             /* or a job description (borrowed) */
    size_t job_len;
    const struct mc_skills_index *ix;   /* for job: borrowed; NULL: loaded */
    const char *catalog;         /* a catalog file's bytes (may be NULL) */
    size_t catalog_len;
    const char *catalog_name;    /* names it in messages */
    struct mc_plan_opts opts;
    time_t now;                  /* validity of the learner's credentials */
};

struct mc_learner_plan {
    struct mc_target target;
    struct mc_learner_skills skills;
    struct mc_gap gap;
    struct mc_catalog *catalog;
    struct mc_plan_need *need;   /* the gap's missing skills (index = need index) */
    uint32_t *need_skill;        /* need -> index into target.v */
    size_t nneed;
    struct mc_plan plan;
    struct mc_plan_opts opts;
    size_t credentials;          /* the learner's valid credentials */
    size_t relevant;             /* those aligned to a skill of the target */
    char **attribution;          /* of the frameworks shown (owned) */
    size_t nattribution;
};

/* The plan of learner (of org) for the request. Errors as the steps they
 * come from: NOTFOUND (no such learner, unknown occupation), INVALID (empty
 * or skill-less job text, a bad catalog, bad options), LIMIT (a job text
 * past MC_EXTRACT_MAX_TEXT, a catalog past its bounds), STORAGE, NOMEM;
 * the message says which. out is released on failure. */
MC_NODISCARD mcred_rc mc_plan_learner(struct mc_store *st, const struct mc_plan_request *rq,
                                      struct mc_learner_plan *out, struct mc_err *err);
void mc_learner_plan_release(struct mc_learner_plan *lp);

/* The plan as JSON (owned, cJSON_Delete; NULL on NOMEM): see docs/skills.md
 * for the members; "attribution" lists the frameworks' credits. */
cJSON *mc_learner_plan_json(const struct mc_learner_plan *lp);

/* The plan as an SVG timeline (one bar per credential on a calendar axis),
 * text escaped, appended to out. NOMEM, LIMIT (MC_PLAN_SVG_MAX). */
MC_NODISCARD mcred_rc mc_learner_plan_svg(const struct mc_learner_plan *lp, struct mc_buf *out);

/* Replace org's imported catalog (store: plan_catalog) by the entries of a
 * catalog file data[0..n) (the formats of mc_catalog_load), all checked
 * first (a bad entry or a prerequisite cycle changes nothing), then written
 * in one transaction. *count (OUT): the entries stored; *skipped (OUT):
 * achievements without hours, not stored. INVALID, LIMIT, STORAGE, NOMEM. */
MC_NODISCARD mcred_rc mc_catalog_import(struct mc_store *st, int64_t org, const char *data,
                                        size_t n, const char *file, size_t *count,
                                        size_t *skipped, struct mc_err *err);

/* The attribution text of a framework row (borrowed fields): O*NET's names
 * its release. Owned; NULL on NOMEM. */
char *mc_framework_attribution(const struct mc_skill_framework *f);

#endif /* MC_SKILLS_PLANNER_H */
