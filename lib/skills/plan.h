/* plan.h - the pathway planner: a catalog of achievements (any issuer) with
 * their hours, cost, level, prerequisites and the skills they teach, and the
 * solver that picks the credentials closing a learner's skills gap at the
 * least total hours (or cost), prerequisites first, laid on a calendar.
 *
 * The problem is weighted set cover with prerequisite closure: every chosen
 * item brings its prerequisites the learner does not hold. Small instances
 * (at most MC_PLAN_EXACT_MAX branching candidates after reduction) are solved
 * exactly by branch and bound, which proves optimality; larger ones by the
 * greedy rule (least cost per newly covered required skill), whose cost is
 * at most H(d) = 1 + 1/2 + ... + 1/d times the optimum when no candidate
 * needs a prerequisite (d: the most required skills one candidate covers).
 * Every plan also reports a lower bound on the optimum (the per-skill share
 * bound, never above the LP relaxation), so cost / lowerBound bounds the gap.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_PLAN_H
#define MC_SKILLS_PLAN_H

#include "internal.h"

#include "skills/intern.h"

#define MC_PLAN_EXACT_MAX 25                 /* branching candidates solved exactly */
#define MC_PLAN_NODE_LIMIT ((size_t)2000000)  /* branch-and-bound nodes, then greedy */
#define MC_PLAN_MAX_ITEMS ((size_t)1 << 22)  /* catalog entries */
#define MC_PLAN_MAX_PREREQS 64               /* prerequisites of one entry */
#define MC_PLAN_MAX_SKILLS 1024              /* skills of one entry */
#define MC_PLAN_MAX_NEEDS ((size_t)1 << 16)  /* target skills of one plan */
#define MC_PLAN_MAX_WORK ((size_t)1 << 28)   /* steps of one plan: closures, greedy rounds */
#define MC_PLAN_MAX_HOURS 100000.0           /* hours of one entry */
#define MC_PLAN_MAX_COST 1e9                 /* cost of one entry */

/* One catalog entry. Strings owned by the catalog. */
struct mc_catalog_item {
    char *uri;                   /* the Achievement id */
    char *name;
    char *issuer;                /* the issuer's name or id, or NULL */
    double hours, cost;          /* hours > 0, cost >= 0 */
    int level;                   /* 0 unspecified, 1 foundational, 2, 3, ... */
    bool local;                  /* one of this organisation's achievements */
    char **prereq_uri;           /* as given (owned) */
    size_t nprereq;
    uint32_t *prereq;            /* after build: catalog indices (NONE: not in the catalog) */
    uint32_t *skills;            /* skill ids of the catalog's universe, ascending */
    size_t nskills;
};

struct mc_catalog {
    struct mc_catalog_item *v;   /* owned */
    size_t n, cap;
    struct mc_intern *uris;      /* item URI -> index */
    struct mc_intern *skills;    /* skill URI -> id */
    uint32_t *post_at;           /* after build: per skill id, start of its items in post */
    uint32_t *post;              /* item indices teaching each skill, ascending */
    size_t skipped;              /* achievements added without hours (not plannable) */
    bool built;
};

/* An empty catalog; *out owned (mc_catalog_free). NOMEM. */
MC_NODISCARD mcred_rc mc_catalog_new(struct mc_catalog **out);
void mc_catalog_free(struct mc_catalog *c);   /* accepts NULL */

/* Add one entry; an entry with the URI of an earlier one replaces it (a
 * file's entry overrides the store's achievement). Everything is copied.
 * INVALID (with the entry named in the message) for a bad URI, hours or cost
 * out of [0, MC_PLAN_MAX_*], a level outside 0..10, more than
 * MC_PLAN_MAX_PREREQS prerequisites or MC_PLAN_MAX_SKILLS skills, an entry
 * that is its own prerequisite, or after build; LIMIT past MC_PLAN_MAX_ITEMS;
 * NOMEM. */
MC_NODISCARD mcred_rc mc_catalog_add(struct mc_catalog *c, const char *uri, const char *name,
                                     const char *issuer, double hours, double cost, int level,
                                     bool local, const char *const *prereqs, size_t nprereq,
                                     const char *const *skills, size_t nskills,
                                     struct mc_err *err);

/* The planning extension of an Achievement, as top-level members named by
 * IRIs under this namespace: MC_PLAN_NS "hours", "cost", "level" (numbers)
 * and "prerequisite" (an achievement URI or an array of them). Absolute-IRI
 * members survive JSON-LD expansion, so such an achievement can be issued;
 * catalog files may use the object "mcPlan": {"hours", "cost", "level",
 * "prerequisites"} instead. */
#define MC_PLAN_NS "https://w3id.org/microcred/plan#"

/* Add an OB 3.0 Achievement (cJSON object, borrowed): its id, name, issuer
 * (creator, or the "issuer" member: a string or an object with name/id),
 * the alignment[] targetUrl values as its skills, and the planning fields
 * above. An achievement without hours is counted in c->skipped and not
 * added. where names the input in messages. INVALID, LIMIT, NOMEM as
 * mc_catalog_add. */
MC_NODISCARD mcred_rc mc_catalog_add_achievement(struct mc_catalog *c, const void *achievement,
                                                 bool local, const char *where,
                                                 struct mc_err *err);

/* Add the entries of a catalog file data[0..n): JSON (an array of
 * Achievements, or {"achievements": [...]}) when it starts with '[' or '{',
 * else CSV with the header columns uri, name, hours (required) and issuer,
 * cost, level, prerequisites, skills (lists separated by '|'). file names
 * the input in messages ("catalog.csv:7: ..."). INVALID, LIMIT (more than
 * MC_PLAN_MAX_FILE bytes), NOMEM; on failure entries read before the bad
 * one stay added (the caller drops the catalog). */
#define MC_PLAN_MAX_FILE ((size_t)256 << 20)
MC_NODISCARD mcred_rc mc_catalog_load(struct mc_catalog *c, const char *data, size_t n,
                                      const char *file, struct mc_err *err);

/* Resolve prerequisites, refuse cycles and build the skill -> items index;
 * after this the catalog is read-only and may be shared between threads.
 * INVALID "prerequisite cycle: A -> B -> A"; NOMEM. */
MC_NODISCARD mcred_rc mc_catalog_build(struct mc_catalog *c, struct mc_err *err);

/* The index of the entry with uri, or MC_INTERN_NONE. */
uint32_t mc_catalog_find(const struct mc_catalog *c, const char *uri);

/* ---- the solver ---------------------------------------------------------------------- */

enum mc_plan_minimize { MC_PLAN_HOURS = 0, MC_PLAN_COST };

/* One skill of the gap (borrowed by the solver). */
struct mc_plan_need {
    const char *uri;
    double weight;
    bool required;               /* must be covered when the catalog can */
};

struct mc_plan_opts {
    enum mc_plan_minimize minimize;
    double hours_per_week;       /* > 0 */
    int64_t start_day;           /* the calendar's first day, days since 1970-01-01 */
    size_t exact_max;            /* branching candidates solved exactly (0: none, greedy) */
    size_t node_limit;           /* 0: MC_PLAN_NODE_LIMIT */
};
/* minimize hours, 10 hours a week from day 0, exact up to MC_PLAN_EXACT_MAX. */
void mc_plan_opts_init(struct mc_plan_opts *o);

/* One credential of the plan, in calendar order. */
struct mc_plan_step {
    uint32_t item;               /* catalog index */
    uint32_t *covers;            /* needs (indices into the caller's array) it teaches */
    size_t ncovers;
    uint32_t *prereq_of;         /* steps (indices into plan v[]) that need it */
    size_t nprereq_of;
    int64_t start_day, end_day;  /* end exclusive: the next step starts on it */
};

struct mc_plan {
    struct mc_plan_step *v;      /* owned; prerequisites before what needs them */
    size_t n;
    bool optimal;                /* proved optimal (branch and bound completed) */
    double bound;                /* cost <= bound x optimum: 1 when optimal; H(d) for a
                                  * greedy plan without prerequisites; 0: not stated */
    double lower_bound;          /* <= the optimum's objective */
    double objective;            /* total hours or cost, as minimized */
    double hours, cost;          /* totals of the chosen entries */
    int64_t end_day;             /* the day after the last step ends */
    size_t candidates;           /* entries teaching a required skill (before reduction) */
    size_t branching;            /* after reduction */
    size_t nodes;                /* branch-and-bound nodes visited */
    size_t required, coverable, covered;        /* required needs: all, taught, covered */
    double required_w, coverable_w, covered_w;  /* the same, weighted */
    size_t optional_covered;     /* needs not required that the plan covers too */
    uint32_t *uncovered;         /* required needs no catalog entry teaches */
    size_t nuncovered;
};

/* Choose the credentials covering every coverable required need (see the
 * file comment), excluding the achievements the learner holds (held[0..nheld),
 * their URIs; they also satisfy prerequisites, in the catalog or not), and
 * lay them on the calendar. An entry with a prerequisite outside the catalog
 * that the learner does not hold cannot be taken. c must be built.
 * INVALID (hours per week not in (0, 168], a need without a URI, more
 * than MC_PLAN_MAX_NEEDS needs, a calendar past 9999-12-31), LIMIT (past
 * MC_PLAN_MAX_WORK steps), NOMEM. out is released on failure. Deterministic: ties are broken
 * by fewer credentials, then lower levels, then catalog order. */
MC_NODISCARD mcred_rc mc_plan_solve(const struct mc_catalog *c, const struct mc_plan_need *need,
                                    size_t nneed, const char *const *held, size_t nheld,
                                    const struct mc_plan_opts *o, struct mc_plan *out,
                                    struct mc_err *err);
void mc_plan_release(struct mc_plan *p);

/* H(d) = 1 + 1/2 + ... + 1/d (1 for d <= 1). */
double mc_plan_harmonic(size_t d);

/* "YYYY-MM-DD" of a day number (days since 1970-01-01) into out[11]. */
void mc_plan_day_str(int64_t day, char out[11]);
/* The day number of "YYYY-MM-DD"; false unless it is a real date in years
 * 1970..9999. */
bool mc_plan_day_parse(const char *s, int64_t *day);

#endif /* MC_SKILLS_PLAN_H */
