/* test_plan.c - the planner (lib/skills/plan.h): on generated instances
 * (seeded RNG) the plan's cost equals a brute-force optimum computed here
 * independently (every subset of the catalog, closed under prerequisites),
 * prerequisites come first and the calendar follows the hours per week;
 * large instances are covered within the stated bound; bad catalogs and
 * options are refused; no leak when allocations fail.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>

#include <libxml/parser.h>

#include "check.h"
#include "skills/plan.h"
#include "skills/planner.h"

#define MAXN 200
#define MAXS 64

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

struct inst {
    size_t n, nskills, nneed;
    double hours[MAXN], cost[MAXN];
    int level[MAXN];
    uint64_t teach[MAXN];        /* skills taught (bit i: skill i), nskills <= 64 */
    uint64_t pre[MAXN];          /* prerequisites (bit j: item j), only for n <= 64 */
    size_t npre[MAXN], prei[MAXN][2];
    bool held[MAXN];
    int need_skill[MAXS];
    bool need_req[MAXS];
    char uri[MAXN][48], skill_uri[MAXS][48];
};

static void gen(struct inst *in, size_t n, size_t nskills, bool prereqs, bool held)
{
    size_t i, j;

    memset(in, 0, sizeof(*in));
    in->n = n;
    in->nskills = nskills;
    for (i = 0; i < nskills; i++)
        snprintf(in->skill_uri[i], sizeof(in->skill_uri[i]), "https://skills.example/s%zu", i);
    for (i = 0; i < n; i++) {
        size_t k = 1 + rnd(4);

        snprintf(in->uri[i], sizeof(in->uri[i]), "https://catalog.example/a%zu", i);
        in->hours[i] = 1 + rnd(40);
        in->cost[i] = rnd(500);
        in->level[i] = (int)rnd(4);
        for (j = 0; j < k; j++)
            in->teach[i] |= 1ULL << rnd((uint32_t)nskills);
        if (prereqs && i > 0 && rnd(10) < 3) {
            in->npre[i] = 1 + rnd(2);
            for (j = 0; j < in->npre[i]; j++) {
                in->prei[i][j] = rnd((uint32_t)i);
                if (n <= 64)
                    in->pre[i] |= 1ULL << in->prei[i][j];
            }
            if (in->npre[i] == 2 && in->prei[i][0] == in->prei[i][1])
                in->npre[i] = 1;
        }
        in->held[i] = held && rnd(12) == 0;
    }
    /* needs: most skills, a few optional; skills nobody teaches are uncoverable */
    for (i = 0; i < nskills; i++) {
        if (rnd(5) == 0)
            continue;
        in->need_skill[in->nneed] = (int)i;
        in->need_req[in->nneed] = rnd(6) != 0;
        in->nneed++;
    }
}

static struct mc_catalog *catalog_of(const struct inst *in)
{
    struct mc_catalog *c = NULL;
    struct mc_err err;
    size_t i, j;

    if (mc_catalog_new(&c))
        return NULL;
    for (i = 0; i < in->n; i++) {
        const char *pre[2], *sk[MAXS];
        size_t ns = 0;

        for (j = 0; j < in->npre[i]; j++)
            pre[j] = in->uri[in->prei[i][j]];
        for (j = 0; j < in->nskills; j++) {
            if (in->teach[i] >> j & 1)
                sk[ns++] = in->skill_uri[j];
        }
        if (mc_catalog_add(c, in->uri[i], in->uri[i], "Example", in->hours[i], in->cost[i],
                           in->level[i], false, pre, in->npre[i], sk, ns, &err)) {
            printf("add: %s\n", mc_err_msg(&err));
            mc_catalog_free(c);
            return NULL;
        }
    }
    if (mc_catalog_build(c, &err)) {
        printf("build: %s\n", mc_err_msg(&err));
        mc_catalog_free(c);
        return NULL;
    }
    return c;
}

/* ---- the brute force: every subset of the non-held items ------------------------- */

struct brute {
    const struct inst *in;
    const double *obj;
    uint64_t need;       /* coverable required skills */
    uint64_t heldmask;
    size_t idx[64], m;   /* non-held items */
    double best;
};

static void brute_rec(struct brute *b, size_t k, uint64_t chosen, uint64_t cover, double cost)
{
    size_t i;

    if (cost >= b->best)
        return;   /* costs are >= 0: no extension is cheaper */
    if (k == b->m) {
        if ((cover & b->need) != b->need)
            return;
        for (i = 0; i < b->in->n; i++) {
            if ((chosen >> i & 1) && (b->in->pre[i] & ~(chosen | b->heldmask)))
                return;   /* a prerequisite neither chosen nor held */
        }
        b->best = cost;
        return;
    }
    i = b->idx[k];
    brute_rec(b, k + 1, chosen | 1ULL << i, cover | b->in->teach[i], cost + b->obj[i]);
    brute_rec(b, k + 1, chosen, cover, cost);
}

static double brute_force(const struct inst *in, const double *obj, uint64_t *coverable)
{
    struct brute b;
    size_t i;

    memset(&b, 0, sizeof(b));
    b.in = in;
    b.obj = obj;
    b.best = INFINITY;
    for (i = 0; i < in->n; i++) {
        if (in->held[i]) {
            b.heldmask |= 1ULL << i;
            continue;
        }
        b.idx[b.m++] = i;
        b.need |= in->teach[i];
    }
    {
        uint64_t req = 0;

        for (i = 0; i < in->nneed; i++) {
            if (in->need_req[i])
                req |= 1ULL << in->need_skill[i];
        }
        b.need &= req;
    }
    *coverable = b.need;
    brute_rec(&b, 0, 0, 0, 0);
    return b.best;
}

/* ---- checking a plan -------------------------------------------------------------- */

static int plan_of(const struct inst *in, const struct mc_catalog *c,
                   const struct mc_plan_opts *o, struct mc_plan *p, struct mc_plan_need *need,
                   struct mc_err *err)
{
    const char *held[MAXN];
    size_t i, nh = 0;

    for (i = 0; i < in->nneed; i++) {
        need[i].uri = in->skill_uri[in->need_skill[i]];
        need[i].weight = in->need_req[i] ? 1.0 : 0.5;
        need[i].required = in->need_req[i];
    }
    for (i = 0; i < in->n; i++) {
        if (in->held[i])
            held[nh++] = in->uri[i];
    }
    return mc_plan_solve(c, need, in->nneed, held, nh, o, p, err);
}

/* Every coverable required skill covered, prerequisites first, the calendar
 * consistent; returns the skills covered (bits) for the caller. */
static void check_plan(const struct inst *in, const struct mc_catalog *c,
                       const struct mc_plan *p, const struct mc_plan_opts *o, uint64_t want,
                       const char *what)
{
    uint64_t cover = 0, before = 0;
    double hours = 0, obj = 0;
    size_t i, j, k;
    bool order = true, cal = true;
    int64_t day = o->start_day;

    for (i = 0; i < p->n; i++) {
        uint32_t it = p->v[i].item;
        double days = ceil(c->v[it].hours * 7.0 / o->hours_per_week - 1e-9);

        cover |= in->teach[it];
        hours += c->v[it].hours;
        obj += o->minimize == MC_PLAN_COST ? c->v[it].cost : c->v[it].hours;
        for (j = 0; j < in->npre[it]; j++) {
            size_t q = in->prei[it][j];
            bool found = in->held[q];

            for (k = 0; k < i && !found; k++)
                found = p->v[k].item == q;
            order = order && found;
        }
        cal = cal && p->v[i].start_day == day &&
              p->v[i].end_day - p->v[i].start_day == (int64_t)(days < 1 ? 1 : days);
        day = p->v[i].end_day;
        CHECK(!in->held[it], "%s: a held achievement is not planned again", what);
        before |= 1ULL << (it & 63);
    }
    CHECK((cover & want) == want, "%s: every coverable required skill is covered", what);
    CHECK(order, "%s: every prerequisite is held or scheduled before", what);
    CHECK(cal, "%s: the calendar follows hours per week, one after another", what);
    CHECK(fabs(obj - p->objective) < 1e-6, "%s: the objective is the sum (%g vs %g)", what,
          obj, p->objective);
    CHECK(fabs(hours - p->hours) < 1e-6, "%s: the hours are the sum (%g vs %g)", what, hours,
          p->hours);
    CHECK(p->covered == p->coverable && p->covered + p->nuncovered == p->required,
          "%s: coverage counts (covered %zu, coverable %zu, uncovered %zu, required %zu)",
          what, p->covered, p->coverable, p->nuncovered, p->required);
    CHECK(p->lower_bound <= p->objective + 1e-6, "%s: lower bound %g <= cost %g", what,
          p->lower_bound, p->objective);
    (void)before;
}

static void test_optimality(void)
{
    struct mc_plan_opts o;
    struct mc_plan_need need[MAXS];
    size_t round, exact = 0, nodes = 0, max_branch = 0;
    int mismatches = 0;

    for (round = 0; round < 240; round++) {
        struct inst in;
        struct mc_catalog *c;
        struct mc_plan p;
        struct mc_err err;
        double obj[MAXN], opt;
        uint64_t coverable;
        char what[64];
        size_t n = round < 200 ? 6 + rnd(15) : 21 + rnd(5), i;
        bool cost = round % 3 == 1;

        rng_state = 0x9e3779b97f4a7c15ULL ^ (round * 7919);
        gen(&in, n, 8 + rnd(20), round % 2 == 0, round % 4 < 2);
        c = catalog_of(&in);
        CHECK(c != NULL, "instance %zu: catalog", round);
        if (!c)
            continue;
        mc_plan_opts_init(&o);
        o.minimize = cost ? MC_PLAN_COST : MC_PLAN_HOURS;
        o.hours_per_week = 3 + rnd(20);
        o.start_day = 20000 + rnd(1000);
        for (i = 0; i < n; i++)
            obj[i] = cost ? in.cost[i] : in.hours[i];
        snprintf(what, sizeof(what), "instance %zu (%zu entries)", round, n);
        mc_err_clear(&err);
        if (plan_of(&in, c, &o, &p, need, &err)) {
            CHECK(0, "%s: plan: %s", what, mc_err_msg(&err));
            mc_catalog_free(c);
            continue;
        }
        opt = brute_force(&in, obj, &coverable);
        if (p.optimal)
            exact++;
        if (p.branching > max_branch)
            max_branch = p.branching;
        nodes += p.nodes;
        CHECK(p.optimal && p.bound == 1.0, "%s: proved optimal (%zu branching candidates)",
              what, p.branching);
        if (fabs(p.objective - (isinf(opt) ? 0 : opt)) > 1e-6) {
            mismatches++;
            printf("  %s: plan %g, brute force %g\n", what, p.objective, opt);
        }
        check_plan(&in, c, &p, &o, coverable, what);
        mc_plan_release(&p);
        mc_catalog_free(c);
    }
    CHECK(mismatches == 0, "the plan's cost equals the brute-force optimum on every instance "
          "(%d differ)", mismatches);
    printf("optimality: 240 instances (6-25 entries; 40 with 21-25), %zu proved optimal, at most "
           "%zu branching candidates, %zu nodes in all\n", exact, max_branch, nodes);
}

/* Greedy against the optimum on small instances without prerequisites:
 * cost <= H(d) x optimum, the bound it states. */
static void test_greedy_bound(void)
{
    size_t round, worst_i = 0;
    double worst = 1.0;

    for (round = 0; round < 120; round++) {
        struct inst in;
        struct mc_catalog *c;
        struct mc_plan p;
        struct mc_plan_opts o;
        struct mc_plan_need need[MAXS];
        struct mc_err err;
        double obj[MAXN], opt;
        uint64_t coverable;
        size_t n = 8 + rnd(13), i;
        char what[64];

        rng_state = 0x12345678ULL + round * 104729;
        gen(&in, n, 10 + rnd(18), false, false);
        c = catalog_of(&in);
        if (!c) {
            CHECK(0, "greedy instance %zu: catalog", round);
            continue;
        }
        mc_plan_opts_init(&o);
        o.exact_max = 0;   /* greedy only */
        for (i = 0; i < n; i++)
            obj[i] = in.hours[i];
        snprintf(what, sizeof(what), "greedy instance %zu", round);
        if (plan_of(&in, c, &o, &p, need, &err)) {
            CHECK(0, "%s: %s", what, mc_err_msg(&err));
            mc_catalog_free(c);
            continue;
        }
        opt = brute_force(&in, obj, &coverable);
        check_plan(&in, c, &p, &o, coverable, what);
        if (!isinf(opt) && opt > 0) {
            CHECK(p.bound >= 1.0 && p.objective <= p.bound * opt + 1e-6,
                  "%s: greedy %g <= bound %g x optimum %g", what, p.objective, p.bound, opt);
            if (p.objective / opt > worst) {
                worst = p.objective / opt;
                worst_i = round;
            }
        }
        mc_plan_release(&p);
        mc_catalog_free(c);
    }
    printf("greedy: 120 instances, worst ratio to the optimum %.3f (instance %zu)\n", worst,
           worst_i);
}

/* 200 candidates: greedy, every coverable skill covered, the bound stated. */
static void test_large(void)
{
    size_t round;

    for (round = 0; round < 6; round++) {
        static struct inst in;
        struct mc_catalog *c;
        struct mc_plan p;
        struct mc_plan_opts o;
        struct mc_plan_need need[MAXS];
        struct mc_err err;
        uint64_t want = 0;
        size_t i;
        bool prereqs = round >= 3;
        char what[64];

        rng_state = 0xabcdefULL + round;
        gen(&in, MAXN, 60, prereqs, !prereqs);
        c = catalog_of(&in);
        if (!c) {
            CHECK(0, "large instance %zu: catalog", round);
            continue;
        }
        mc_plan_opts_init(&o);
        snprintf(what, sizeof(what), "large instance %zu%s", round,
                 prereqs ? " (prerequisites)" : "");
        if (plan_of(&in, c, &o, &p, need, &err)) {
            CHECK(0, "%s: %s", what, mc_err_msg(&err));
            mc_catalog_free(c);
            continue;
        }
        for (i = 0; i < in.n; i++) {
            if (!in.held[i])
                want |= in.teach[i];
        }
        for (i = 0; i < in.nneed; i++) {
            if (!in.need_req[i])
                continue;
            if (!(want >> in.need_skill[i] & 1))
                want &= ~(1ULL << in.need_skill[i]);
        }
        {
            uint64_t req = 0;

            for (i = 0; i < in.nneed; i++) {
                if (in.need_req[i])
                    req |= 1ULL << in.need_skill[i];
            }
            want &= req;
        }
        check_plan(&in, c, &p, &o, want, what);
        CHECK(p.candidates > 25, "%s: %zu candidates", what, p.candidates);
        if (!p.optimal && !prereqs)
            CHECK(p.bound > 1.0, "%s: the greedy bound H(d) = %g is stated", what, p.bound);
        printf("%s: %zu candidates, %zu after reduction, %s, cost %g, lower bound %g, "
               "bound %g\n", what, p.candidates, p.branching,
               p.optimal ? "optimal" : "greedy", p.objective, p.lower_bound, p.bound);
        mc_plan_release(&p);
        mc_catalog_free(c);
    }
}

/* ---- a worked example: reasons, prerequisites, dates --------------------------------- */

static const char example[] =
    "uri,name,issuer,hours,cost,level,prerequisites,skills\n"
    "https://c.example/intro,Intro to data,Uni A,10,0,1,,https://s.example/basics\n"
    "https://c.example/sql,SQL,Uni A,20,100,2,https://c.example/intro,"
    "https://s.example/sql|https://s.example/basics\n"
    "https://c.example/stats,Statistics,Uni B,30,50,2,https://c.example/intro,"
    "https://s.example/stats\n"
    "https://c.example/combo,SQL and statistics,Uni C,45,500,3,https://c.example/intro,"
    "https://s.example/sql|https://s.example/stats\n"
    "https://c.example/viz,Visualisation,Uni B,8,20,1,,https://s.example/viz\n";

static void test_example(void)
{
    struct mc_catalog *c = NULL;
    struct mc_plan p;
    struct mc_plan_opts o;
    struct mc_err err;
    struct mc_plan_need need[] = {
        { "https://s.example/sql", 1.0, true },
        { "https://s.example/stats", 1.0, true },
        { "https://s.example/viz", 0.5, false },
        { "https://s.example/ml", 1.0, true },   /* nobody teaches it */
    };
    char d[11];
    int64_t start;

    CHECK(mc_catalog_new(&c) == MCRED_OK, "catalog");
    CHECK_RC(mc_catalog_load(c, example, strlen(example), "example.csv", &err), MCRED_OK,
             "load the CSV catalog");
    CHECK_RC(mc_catalog_build(c, &err), MCRED_OK, "build");
    mc_plan_opts_init(&o);
    o.hours_per_week = 5;
    CHECK(mc_plan_day_parse("2026-01-05", &start), "parse the start date");
    o.start_day = start;
    CHECK_RC(mc_plan_solve(c, need, 4, NULL, 0, &o, &p, &err), MCRED_OK, "plan");
    /* by hours: intro 10 + combo 45 = 55 > intro + sql + stats = 60? no: 55 wins */
    CHECK(p.optimal && fabs(p.objective - 55) < 1e-9 && p.n == 2, "hours: intro + combo (55 h), "
          "got %g in %zu", p.objective, p.n);
    if (p.n == 2) {
        CHECK_STR_EQ(c->v[p.v[0].item].uri, "https://c.example/intro", "the prerequisite first");
        CHECK(p.v[0].nprereq_of == 1 && p.v[0].prereq_of[0] == 1, "intro: prerequisite of "
              "step 2");
        mc_plan_day_str(p.v[0].start_day, d);
        CHECK_STR_EQ(d, "2026-01-05", "starts on the start date");
        mc_plan_day_str(p.v[0].end_day, d);
        CHECK_STR_EQ(d, "2026-01-19", "10 h at 5 h/week: two weeks");
        mc_plan_day_str(p.v[1].end_day, d);
        CHECK_STR_EQ(d, "2026-03-23", "45 h at 5 h/week: 63 days more");
        CHECK(p.v[1].ncovers == 2, "combo covers two required skills");
    }
    CHECK(p.nuncovered == 1 && p.uncovered[0] == 3 && p.required == 3 && p.coverable == 2,
          "ml is uncovered: no entry teaches it");
    mc_plan_release(&p);
    o.minimize = MC_PLAN_COST;
    CHECK_RC(mc_plan_solve(c, need, 4, NULL, 0, &o, &p, &err), MCRED_OK, "plan by cost");
    CHECK(p.optimal && fabs(p.objective - 150) < 1e-9 && p.n == 3,
          "cost: intro + sql + stats (150), got %g", p.objective);
    mc_plan_release(&p);
    {
        const char *held[] = { "https://c.example/intro" };

        o.minimize = MC_PLAN_HOURS;
        CHECK_RC(mc_plan_solve(c, need, 4, held, 1, &o, &p, &err), MCRED_OK, "plan, intro held");
        CHECK(p.n == 1 && fabs(p.objective - 45) < 1e-9, "a held prerequisite is not taken "
              "again: combo alone (45 h)");
        mc_plan_release(&p);
    }
    mc_catalog_free(c);
}

/* ---- bad input ------------------------------------------------------------------------ */

static mcred_rc load_str(const char *text, struct mc_err *err)
{
    struct mc_catalog *c = NULL;
    mcred_rc rc;

    if (mc_catalog_new(&c))
        return MCRED_ERR_NOMEM;
    mc_err_clear(err);
    rc = mc_catalog_load(c, text, strlen(text), "bad", err);
    if (!rc)
        rc = mc_catalog_build(c, err);
    mc_catalog_free(c);
    return rc;
}

static void test_bad(void)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        { "", "empty" },
        { "   \n", "empty" },
        { "[1, 2]", "an object with an id" },
        { "{\"achievements\": {}}", "array of achievements" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": \"ten\"}}]",
          "mcPlan.hours must be a number" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": -3}}]", "hours must be" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": 3, \"level\": 1.5}}]",
          "level must be an integer" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": 3, "
          "\"prerequisites\": [\"https://a.example/1\"]}}]", "its own prerequisite" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": 3, "
          "\"prerequisites\": [\"https://a.example/2\"]}},"
          "{\"id\": \"https://a.example/2\", \"mcPlan\": {\"hours\": 3, "
          "\"prerequisites\": [\"https://a.example/1\"]}}]",
          "prerequisite cycle: https://a.example/1 -> https://a.example/2 -> "
          "https://a.example/1" },
        { "[{\"id\": \"not a uri\", \"mcPlan\": {\"hours\": 3}}]", "not an absolute URI" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": 3}, \"alignment\": 7}]",
          "alignment must be an array" },
        { "uri,name\nhttps://a.example/1,x\n", "bad:1: the header must name" },
        { "uri,name,hours\nhttps://a.example/1,x,lots\n", "bad:2: hours 'lots' is not a number" },
        { "uri,name,hours\nhttps://a.example/1,x,1e300\n", "bad:2: catalog entry" },
        { "uri,name,hours\nhttps://a.example/1,\"x\n", "bad:" },
        { "[{\"id\": \"https://a.example/1\", \"mcPlan\": {\"hours\": 3}", "" },
    };
    struct mc_err err;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mcred_rc rc = load_str(bad[i].text, &err);

        CHECK(rc == MCRED_ERR_INVALID && strstr(mc_err_msg(&err), bad[i].msg),
              "bad catalog %zu refused with '%s': rc %d '%s'", i, bad[i].msg, (int)rc,
              mc_err_msg(&err));
    }
    {
        struct mc_catalog *c = NULL;
        struct mc_plan p;
        struct mc_plan_opts o;
        struct mc_plan_need need = { "https://s.example/x", 1, true };
        static const double hpw[] = { 0, -1, NAN, INFINITY, 169 };
        size_t k;

        CHECK(mc_catalog_new(&c) == MCRED_OK && mc_catalog_build(c, &err) == MCRED_OK,
              "empty catalog");
        mc_plan_opts_init(&o);
        for (k = 0; k < sizeof(hpw) / sizeof(hpw[0]); k++) {
            o.hours_per_week = hpw[k];
            CHECK(mc_plan_solve(c, &need, 1, NULL, 0, &o, &p, &err) == MCRED_ERR_INVALID &&
                  strstr(mc_err_msg(&err), "hours per week"), "hours per week %g refused",
                  hpw[k]);
        }
        o.hours_per_week = 10;
        CHECK_RC(mc_plan_solve(c, &need, 1, NULL, 0, &o, &p, &err), MCRED_OK,
                 "an empty catalog plans nothing");
        CHECK(p.n == 0 && p.nuncovered == 1, "and reports the skill uncovered");
        mc_plan_release(&p);
        CHECK(mc_catalog_add(c, "https://a.example/z", "z", NULL, 1, 0, 0, false, NULL, 0,
                             NULL, 0, &err) == MCRED_ERR_INVALID, "no add after build");
        mc_catalog_free(c);
    }
    {
        int64_t day;
        char d[11];

        CHECK(!mc_plan_day_parse("2026-02-29", &day) && !mc_plan_day_parse("2026-13-01", &day)
              && !mc_plan_day_parse("26-01-01", &day) && !mc_plan_day_parse("1969-12-31", &day),
              "bad dates refused");
        CHECK(mc_plan_day_parse("2024-02-29", &day), "a leap day");
        mc_plan_day_str(day, d);
        CHECK_STR_EQ(d, "2024-02-29", "round trip");
        CHECK(mc_plan_day_parse("1970-01-01", &day) && day == 0, "day 0");
    }
}

/* A calendar running past 9999 is refused, not wrapped. */
static void test_far_calendar(void)
{
    struct mc_catalog *c = NULL;
    struct mc_plan p;
    struct mc_plan_opts o;
    struct mc_plan_need need = { "https://s.example/x", 1, true };
    const char *sk[] = { "https://s.example/x" };
    struct mc_err err;

    CHECK(mc_catalog_new(&c) == MCRED_OK, "catalog");
    CHECK_RC(mc_catalog_add(c, "https://a.example/long", "long", NULL, 100000, 0, 0, false,
                            NULL, 0, sk, 1, &err), MCRED_OK, "a 100,000-hour entry");
    CHECK_RC(mc_catalog_build(c, &err), MCRED_OK, "build");
    mc_plan_opts_init(&o);
    o.hours_per_week = 0.01;
    CHECK(mc_plan_solve(c, &need, 1, NULL, 0, &o, &p, &err) == MCRED_ERR_INVALID &&
          strstr(mc_err_msg(&err), "9999"), "a plan ending after 9999 is refused: %s",
          mc_err_msg(&err));
    mc_catalog_free(c);
}

/* Allocation failures: every one returns NOMEM (or succeeds), no leak (ASan). */
static void test_alloc_failures(void)
{
    unsigned long nth;
    int failures = 0, oks = 0;

    for (nth = 1; nth < 400; nth++) {
        struct mc_catalog *c = NULL;
        struct mc_plan p;
        struct mc_plan_opts o;
        struct mc_err err;
        struct mc_plan_need need[] = {
            { "https://s.example/sql", 1.0, true }, { "https://s.example/stats", 1.0, true },
            { "https://s.example/viz", 0.5, false },
        };
        mcred_rc rc;

        mcred_test_fail_alloc(nth);
        rc = mc_catalog_new(&c);
        if (!rc)
            rc = mc_catalog_load(c, example, strlen(example), "example.csv", &err);
        if (!rc)
            rc = mc_catalog_build(c, &err);
        mc_plan_opts_init(&o);
        if (!rc)
            rc = mc_plan_solve(c, need, 3, NULL, 0, &o, &p, &err);
        mcred_test_fail_alloc(0);
        if (!rc) {
            oks++;
            mc_plan_release(&p);
        } else if (rc != MCRED_ERR_NOMEM && rc != MCRED_ERR_IO) {
            failures++;
            printf("  allocation %lu: rc %d %s\n", nth, (int)rc, mc_err_msg(&err));
        }
        mc_catalog_free(c);
        if (oks > 3)
            break;
    }
    CHECK(failures == 0, "every failed allocation gives NOMEM (%d do not)", failures);
}

/* The JSON and the SVG of a plan whose names are hostile: the SVG parses as
 * XML (libxml2), text is escaped, control characters are gone. */
static void test_output(void)
{
    static const char hostile[] = "Intro <script>&\"x\" 'y' \x01\x1f</svg>";
    static char sa[] = "https://s.example/a", sb[] = "https://s.example/b";
    const char *sk[] = { sa, sb };
    const char *pre[] = { "https://c.example/intro" };
    struct mc_learner_plan lp;
    struct mc_target_skill ts[2];
    struct mc_gap_item gi[2];
    struct mc_buf b;
    struct mc_err err;
    char *attr[] = { (char *)"This service uses the ESCO classification of the European "
                     "Commission." };
    cJSON *j;
    xmlDocPtr doc;

    memset(&lp, 0, sizeof(lp));
    memset(ts, 0, sizeof(ts));
    memset(gi, 0, sizeof(gi));
    CHECK(mc_catalog_new(&lp.catalog) == MCRED_OK, "catalog");
    CHECK_RC(mc_catalog_add(lp.catalog, "https://c.example/intro", hostile, "U <&>", 4, 0, 1,
                            false, NULL, 0, sk, 1, &err), MCRED_OK, "add intro");
    CHECK_RC(mc_catalog_add(lp.catalog, "https://c.example/next", "Next", NULL, 6, 5, 2, true,
                            pre, 1, sk + 1, 1, &err), MCRED_OK, "add next");
    CHECK_RC(mc_catalog_build(lp.catalog, &err), MCRED_OK, "build");
    ts[0].uri = sa;
    ts[0].label = (char *)"skill <a>";
    ts[1].uri = sb;
    ts[1].label = (char *)"skill & b";
    lp.target.v = ts;
    lp.target.n = 2;
    lp.target.label = (char *)"job <title> & co";
    gi[1].skill = 1;
    lp.gap.v = gi;
    lp.gap.n = lp.gap.missing = 2;
    lp.need = mc_calloc(2, sizeof(*lp.need));
    lp.need_skill = mc_calloc(2, sizeof(*lp.need_skill));
    lp.nneed = 2;
    lp.need[0].uri = sk[0];
    lp.need[1].uri = sk[1];
    lp.need[0].weight = lp.need[1].weight = 1;
    lp.need[0].required = lp.need[1].required = true;
    lp.need_skill[1] = 1;
    mc_plan_opts_init(&lp.opts);
    lp.opts.start_day = 20000;
    lp.attribution = attr;
    lp.nattribution = 1;
    CHECK_RC(mc_plan_solve(lp.catalog, lp.need, 2, NULL, 0, &lp.opts, &lp.plan, &err),
             MCRED_OK, "plan");
    CHECK(lp.plan.n == 2 && lp.plan.optimal, "both entries, intro first");
    mc_buf_init(&b, MC_PLAN_SVG_MAX);
    CHECK_RC(mc_learner_plan_svg(&lp, &b), MCRED_OK, "svg");
    doc = b.ptr ? xmlReadMemory(b.ptr, (int)b.len, "plan.svg", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                : NULL;
    CHECK(doc != NULL, "the SVG parses as XML");
    xmlFreeDoc(doc);
    CHECK(b.ptr && !strstr(b.ptr, "<script>") && !strstr(b.ptr, "\x01") &&
          strstr(b.ptr, "Intro &lt;script&gt;&amp;&quot;x&quot; &#39;y&#39; ??&lt;/svg&gt;") &&
          strstr(b.ptr, "ESCO classification"), "names escaped, control bytes replaced, "
          "the attribution drawn");
    mc_buf_release(&b);
    j = mc_learner_plan_json(&lp);
    CHECK(j && cJSON_GetArraySize(cJSON_GetObjectItem(j, "steps")) == 2 &&
          cJSON_IsTrue(cJSON_GetObjectItem(j, "optimal")) &&
          cJSON_GetArraySize(cJSON_GetObjectItem(j, "attribution")) == 1, "the JSON");
    if (j) {
        const cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "steps"), 0);
        const char *why = mc_json_str(s0, "why");

        CHECK(why && strstr(why, "teaches 1 required skill (skill <a>)") &&
              strstr(why, "prerequisite of Next"), "why: %s", why ? why : "(none)");
    }
    cJSON_Delete(j);
    mc_plan_release(&lp.plan);
    mc_catalog_free(lp.catalog);
    mc_free(lp.need);
    mc_free(lp.need_skill);
}

int main(void)
{
    test_output();
    test_example();
    test_optimality();
    test_greedy_bound();
    test_large();
    test_bad();
    test_far_calendar();
    test_alloc_failures();
    return check_report();
}
