/* bench_plan.c - the planner's latency: a generated catalog of 100,000
 * achievements over the 13,896 ESCO v1.1.1 skills (each teaching 1-8
 * skills drawn mostly from one occupation's skills, 20% with prerequisites),
 * and plans for random ESCO occupations (their essential skills required,
 * the optional ones not, a fifth of the essentials held). Prints p50/p95/max
 * of mc_plan_solve over the runs (target p95 <= 20 ms), the share proved
 * optimal, and beside it the same plans greedy-only (the reference: what
 * the exact search costs on top).
 * usage: bench_plan [RUNS] [SHARED_DATA_DIR]
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skills/csv.h"
#include "skills/intern.h"
#include "skills/plan.h"

#define ITEMS 100000

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng >> 33) % n);
}

struct occ {
    uint32_t *ess, *opt;
    size_t ness, nopt, cess, copt;
};

struct data {
    struct mc_intern *skills, *occs;
    struct occ *o;
    size_t nocc, cap;
};

static void push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = realloc(*v, *cap * sizeof(**v));
        if (!*v)
            exit(2);
    }
    (*v)[(*n)++] = x;
}

static struct mc_csv *open_csv(const char *dir, const char *file, char **buf)
{
    char path[4096];
    struct mc_csv *c = NULL;
    struct mc_err err;
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/skills/esco/%s", dir, file);
    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "bench_plan: cannot read %s\n", path);
        exit(77);
    }
    *buf = malloc((size_t)n + 1);
    if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    fclose(f);
    if (mc_csv_open_mem(&c, *buf, (size_t)n, NULL, file, &err)) {
        fprintf(stderr, "bench_plan: %s\n", mc_err_msg(&err));
        exit(2);
    }
    return c;
}

static void load(const char *dir, struct data *d)
{
    struct mc_csv_record r;
    struct mc_err err;
    struct mc_csv *c;
    char *buf;
    uint32_t id, sk;
    int col, ocol, tcol, scol;

    if (mc_intern_new(&d->skills) || mc_intern_new(&d->occs))
        exit(2);
    c = open_csv(dir, "skills_en.csv", &buf);
    col = mc_csv_column(c, "conceptUri");
    while (mc_csv_next(c, &r, &err) == MCRED_OK) {
        if (mc_intern_add(d->skills, r.field[col], r.len[col], &id, NULL))
            exit(2);
    }
    mc_csv_free(c);
    free(buf);
    c = open_csv(dir, "occupationSkillRelations.csv", &buf);
    ocol = mc_csv_column(c, "occupationUri");
    tcol = mc_csv_column(c, "relationType");
    scol = mc_csv_column(c, "skillUri");
    while (mc_csv_next(c, &r, &err) == MCRED_OK) {
        bool added;
        struct occ *o;

        sk = mc_intern_find(d->skills, r.field[scol], r.len[scol]);
        if (sk == MC_INTERN_NONE ||
            mc_intern_add(d->occs, r.field[ocol], r.len[ocol], &id, &added))
            continue;
        if (added) {
            if (d->nocc == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 1024;
                d->o = realloc(d->o, d->cap * sizeof(*d->o));
                if (!d->o)
                    exit(2);
            }
            memset(&d->o[d->nocc++], 0, sizeof(*d->o));
        }
        o = &d->o[id];
        if (strcmp(r.field[tcol], "essential") == 0)
            push(&o->ess, &o->ness, &o->cess, sk);
        else
            push(&o->opt, &o->nopt, &o->copt, sk);
    }
    mc_csv_free(c);
    free(buf);
}

static struct mc_catalog *make_catalog(const struct data *d, double *secs)
{
    struct mc_catalog *c = NULL;
    struct mc_err err;
    char uri[64], pre_uri[2][64];
    const char *sk[8], *pre[2];
    size_t i, j;
    double t0 = wall();

    if (mc_catalog_new(&c))
        exit(2);
    for (i = 0; i < ITEMS; i++) {
        const struct occ *o = &d->o[rnd((uint32_t)d->nocc)];
        size_t k = 1 + rnd(8), np = 0;

        for (j = 0; j < k; j++) {
            uint32_t s;

            if (rnd(10) < 8 && o->ness + o->nopt > 0) {
                uint32_t x = rnd((uint32_t)(o->ness + o->nopt));

                s = x < o->ness ? o->ess[x] : o->opt[x - o->ness];
            } else {
                s = rnd((uint32_t)mc_intern_count(d->skills));
            }
            sk[j] = mc_intern_str(d->skills, s);
        }
        if (i > 0 && rnd(5) == 0) {
            np = 1 + rnd(2);
            for (j = 0; j < np; j++) {
                snprintf(pre_uri[j], sizeof(pre_uri[j]), "https://catalog.example/a%u",
                         rnd((uint32_t)i));
                pre[j] = pre_uri[j];
            }
            if (np == 2 && strcmp(pre[0], pre[1]) == 0)
                np = 1;
        }
        snprintf(uri, sizeof(uri), "https://catalog.example/a%zu", i);
        if (mc_catalog_add(c, uri, uri, "Bench U", 5 + rnd(76), rnd(2000), (int)rnd(4), false,
                           pre, np, sk, k, &err)) {
            fprintf(stderr, "bench_plan: %s\n", mc_err_msg(&err));
            exit(2);
        }
    }
    if (mc_catalog_build(c, &err)) {
        fprintf(stderr, "bench_plan: %s\n", mc_err_msg(&err));
        exit(2);
    }
    *secs = wall() - t0;
    return c;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

struct stats {
    double p50, p95, max, avg_cand, optimal_share, avg_steps;
};

static void run(const struct data *d, const struct mc_catalog *c, size_t runs, bool exact,
                struct stats *st)
{
    double *t = calloc(runs, sizeof(*t)), cand = 0, steps = 0;
    struct mc_plan_need *need = calloc(4096, sizeof(*need));
    size_t i, j, opt = 0;

    if (!t || !need)
        exit(2);
    rng = 0x1234567ULL;   /* the same occupations in both modes */
    for (i = 0; i < runs; i++) {
        const struct occ *o;
        struct mc_plan_opts po;
        struct mc_plan p;
        struct mc_err err;
        size_t n = 0;
        double t0;

        do {
            o = &d->o[rnd((uint32_t)d->nocc)];
        } while (o->ness == 0);
        for (j = 0; j < o->ness && n < 4096; j++) {
            if (rnd(5) == 0)
                continue;   /* held */
            need[n].uri = mc_intern_str(d->skills, o->ess[j]);
            need[n].weight = 1;
            need[n++].required = true;
        }
        for (j = 0; j < o->nopt && n < 4096; j++) {
            need[n].uri = mc_intern_str(d->skills, o->opt[j]);
            need[n].weight = 0.5;
            need[n++].required = false;
        }
        mc_plan_opts_init(&po);
        po.exact_max = exact ? MC_PLAN_EXACT_MAX : 0;
        t0 = wall();
        if (mc_plan_solve(c, need, n, NULL, 0, &po, &p, &err)) {
            fprintf(stderr, "bench_plan: %s\n", mc_err_msg(&err));
            exit(2);
        }
        t[i] = wall() - t0;
        cand += (double)p.candidates;
        steps += (double)p.n;
        opt += p.optimal;
        mc_plan_release(&p);
    }
    qsort(t, runs, sizeof(*t), dbl_cmp);
    st->p50 = t[runs / 2] * 1e3;
    st->p95 = t[runs * 95 / 100] * 1e3;
    st->max = t[runs - 1] * 1e3;
    st->avg_cand = cand / (double)runs;
    st->avg_steps = steps / (double)runs;
    st->optimal_share = (double)opt / (double)runs;
    free(t);
    free(need);
}

int main(int argc, char **argv)
{
    size_t runs = argc > 1 ? (size_t)atol(argv[1]) : 500;
    const char *dir = argc > 2 ? argv[2] : getenv("MCRED_SHARED_DATA");
    struct data d;
    struct mc_catalog *c;
    struct stats ex, gr;
    double build;

    if (!dir)
        dir = "../shared/data";
    if (runs < 20)
        runs = 20;
    memset(&d, 0, sizeof(d));
    load(dir, &d);
    c = make_catalog(&d, &build);
    printf("planner: catalog of %d achievements over %zu ESCO skills (%zu occupations), "
           "built in %.2f s\n", ITEMS, mc_intern_count(d.skills), d.nocc, build);
    run(&d, c, runs, true, &ex);
    run(&d, c, runs, false, &gr);
    printf("  plan latency, %zu plans (random occupations; essentials required):\n", runs);
    printf("    planner          p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms  (target p95 <= 20 ms: "
           "%s)\n", ex.p50, ex.p95, ex.max, ex.p95 <= 20.0 ? "met" : "MISSED");
    printf("    greedy only      p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms  (reference)\n", gr.p50,
           gr.p95, gr.max);
    printf("    ratio p95 planner / greedy: %.2f; %.0f candidates and %.1f credentials a plan "
           "on average; %.0f%% proved optimal\n", gr.p95 > 0 ? ex.p95 / gr.p95 : 0, ex.avg_cand,
           ex.avg_steps, ex.optimal_share * 100);
    mc_catalog_free(c);
    return 0;
}
