/* bench_stacks.c - stack re-evaluation after a bulk issue. Into a fresh
 * SQLite file store (and PostgreSQL when MCRED_TEST_PG names a database):
 * L learners, 2,000 achievements, 500 stacks of 3-8 components (all-of, or
 * 2-of-n), then N credentials (10 per learner) issued in bulk through the
 * service `mcred issue --csv` uses, whose hook re-evaluates the affected
 * stacks of each learner as each batch commits. Then every issued
 * (achievement, learners) batch is replayed through the re-evaluation alone,
 * with 500 stacks and again with 5,000 stacks (4,500 more, naming
 * achievements nobody was issued): the time and the evaluations stay those of
 * the affected stacks, far below stacks x learners. Prints evaluations/s,
 * total times and the ratios.
 * usage: bench_stacks [CREDENTIALS]   (default 100000; learners = CREDENTIALS / 10;
 *        PostgreSQL: MCRED_BENCH_STACKS_PG credentials, default a tenth)
 * SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE 1   /* mkdtemp */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "service/issue.h"
#include "service/stacks.h"
#include "util/json.h"

#define ACHIEVEMENTS 2000
#define PER_LEARNER 10
#define STACKS 500
#define MORE_STACKS 4500
#define AURI "https://bench.example/a/"

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* Rows "recipient" of one achievement, generated into the reader's buffer. */
struct gen {
    const uint32_t *learners;
    size_t n, next;
    bool header_done;
    char pending[128];
    size_t plen, poff;
};

static long gen_read(void *ud, void *buf, size_t n)
{
    struct gen *g = ud;
    size_t out = 0;

    while (out < n) {
        if (g->poff == g->plen) {
            if (!g->header_done) {
                g->plen = (size_t)snprintf(g->pending, sizeof(g->pending), "recipient\n");
                g->header_done = true;
            } else if (g->next < g->n) {
                g->plen = (size_t)snprintf(g->pending, sizeof(g->pending),
                                           "l%u@bench.example\n", g->learners[g->next++]);
            } else {
                break;
            }
            g->poff = 0;
        }
        while (out < n && g->poff < g->plen)
            ((char *)buf)[out++] = g->pending[g->poff++];
    }
    return (long)out;
}

static int die(const char *what, const struct mc_err *err)
{
    fprintf(stderr, "bench_stacks: %s: %s\n", what, err->msg);
    return 2;
}

static int put_achievement(struct mc_store *st, int64_t org, const char *uri, int i)
{
    struct mc_achievement a;
    struct mc_err err;
    char json[600];

    snprintf(json, sizeof(json), "{\"id\":\"%s\",\"type\":[\"Achievement\"],\"name\":\"Course "
             "%d\",\"description\":\"Course %d\",\"criteria\":{\"narrative\":\"Pass it\"},"
             "\"creditsAvailable\":%d}", uri, i, i, 1 + i % 5);
    memset(&a, 0, sizeof(a));
    a.org_id = org;
    a.uri = (char *)(uintptr_t)uri;
    a.json = json;
    mc_err_clear(&err);
    return mc_store_achievement_put(st, &a, &err) ? die("achievement", &err) : 0;
}

/* Stacks first .. first+n: components from achievements [lo, lo+span). */
static int define_stacks(struct mc_stacks_ctx *c, int first, int n, int lo, int span)
{
    struct mc_err err;
    char def[4000], rule[3000];
    int s, k;

    for (s = first; s < first + n; s++) {
        int m = 3 + (int)rnd(6), used[8];
        size_t len = 0;
        bool all = rnd(4) == 0;

        len += (size_t)snprintf(rule + len, sizeof(rule) - len, all ? "{\"allOf\":[" :
                                "{\"nOf\":2,\"of\":[");
        for (k = 0; k < m; k++) {
            int a, j;
            bool dup;

            do {
                a = lo + (int)rnd((uint32_t)span);
                dup = false;
                for (j = 0; j < k; j++)
                    dup |= used[j] == a;
            } while (dup);
            used[k] = a;
            len += (size_t)snprintf(rule + len, sizeof(rule) - len, "%s{\"achievement\":\"" AURI
                                    "%d\"}", k ? "," : "", a);
        }
        snprintf(rule + len, sizeof(rule) - len, "]}");
        snprintf(def, sizeof(def), "{\"achievement\":{\"id\":\"" AURI "stack-%d\",\"type\":"
                 "[\"Achievement\"],\"name\":\"Stack %d\",\"description\":\"A stack\","
                 "\"criteria\":{\"narrative\":\"Its components\"}},\"rule\":%s}", s, s, rule);
        mc_err_clear(&err);
        if (mc_stacks_define(c, def, strlen(def), NULL, &err))
            return die("stack", &err);
    }
    return 0;
}

/* Replay every achievement's batch of recipients through the re-evaluation. */
static int replay(struct mc_stacks_ctx *c, uint32_t **holders, const size_t *nh,
                  unsigned long long *evals, double *secs)
{
    struct mc_stacks_stats a, b;
    struct mc_err err;
    char **r = NULL;
    size_t cap = 0, i, j;
    double t0 = wall();

    mc_stacks_stats(&a);
    for (i = 0; i < ACHIEVEMENTS; i++) {
        char uri[100];

        if (nh[i] > cap) {
            size_t k;

            for (k = 0; k < cap; k++)
                free(r[k]);
            free(r);
            cap = nh[i] * 2;
            r = calloc(cap, sizeof(*r));
            if (!r)
                return 2;
            for (k = 0; k < cap; k++)
                r[k] = malloc(40);
        }
        for (j = 0; j < nh[i]; j++)
            snprintf(r[j], 40, "l%u@bench.example", holders[i][j]);
        snprintf(uri, sizeof(uri), AURI "%zu", i);
        mc_err_clear(&err);
        if (mc_stacks_on_recipients(c, uri, (const char *const *)r, nh[i], &err))
            return die("re-evaluation", &err);
    }
    *secs = wall() - t0;
    mc_stacks_stats(&b);
    *evals = b.evaluations - a.evaluations;
    for (j = 0; j < cap; j++)
        free(r[j]);
    free(r);
    return 0;
}

static int run(const char *label, const char *dsn, size_t ncreds, const struct mc_key *k,
               struct mc_ctxstore *ctx, struct mc_jsonld_cache *cache)
{
    size_t nlearners = ncreds / PER_LEARNER, i, j, nh[ACHIEVEMENTS], issued = 0;
    uint32_t *holders[ACHIEVEMENTS];
    struct mc_store *st = NULL;
    struct mc_issuer issuer;
    struct mc_issuing is;
    struct mc_stacks_ctx c;
    struct mc_stacks_stats s0, s1;
    struct mc_buf did, vm;
    struct mc_err err;
    char name[80];
    unsigned long long e500 = 0, e5000 = 0;
    double t0, t_issue, t500 = 0, t5000 = 0;
    int64_t org;
    int rc = 0;

    mc_err_clear(&err);
    mc_buf_init(&did, 0);
    mc_buf_init(&vm, 0);
    memset(&issuer, 0, sizeof(issuer));
    if (mc_store_open(&st, dsn, &err) || mc_key_did(k, &did) || mc_key_vm_id(k, &vm))
        return die(label, &err);
    snprintf(name, sizeof(name), "bench-stacks-%ld-%ld", (long)getpid(), (long)time(NULL));
    if (mc_store_org_create(st, name, &org, &err))
        return die("org", &err);
    issuer.org_id = org;
    issuer.name = "Bench University";
    issuer.did = did.ptr;
    if (mc_store_issuer_put(st, &issuer, &err))
        return die("issuer", &err);
    memset(&is, 0, sizeof(is));
    is.st = st;
    is.org = org;
    is.issuer = &issuer;
    is.key = k;
    is.vm_id = vm.ptr;
    is.public_url = "https://bench.example";
    is.contexts = ctx;
    is.cache = cache;
    is.actor = "bench";
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.org = org;
    c.is = &is;
    t0 = wall();
    if (mc_store_begin(st, &err))
        return die("begin", &err);
    for (i = 0; i < 2 * ACHIEVEMENTS; i++) {   /* the second half: never issued */
        char uri[100];

        snprintf(uri, sizeof(uri), AURI "%zu", i);
        if (put_achievement(st, org, uri, (int)i))
            return 2;
    }
    for (i = 0; i < nlearners; i++) {
        struct mc_learner l;
        char email[64];

        snprintf(email, sizeof(email), "l%zu@bench.example", i);
        memset(&l, 0, sizeof(l));
        l.org_id = org;
        l.name = "Learner";
        l.email = email;
        if (mc_store_learner_put(st, &l, &err))
            return die("learner", &err);
    }
    if (mc_store_commit(st, &err))
        return die("commit", &err);
    /* who holds what: 10 distinct achievements a learner, a few popular ones */
    memset(nh, 0, sizeof(nh));
    for (i = 0; i < ACHIEVEMENTS; i++)
        holders[i] = malloc(sizeof(uint32_t) * (nlearners / 10 + 64));
    for (i = 0; i < nlearners; i++) {
        uint32_t got[PER_LEARNER];

        for (j = 0; j < PER_LEARNER; j++) {
            uint32_t a;
            size_t q;
            bool dup;

            do {
                a = rnd(4) == 0 ? rnd(50) : rnd(ACHIEVEMENTS);   /* a quarter: popular */
                dup = nh[a] >= nlearners / 10 + 64;
                for (q = 0; q < j; q++)
                    dup |= got[q] == a;
            } while (dup);
            got[j] = a;
            holders[a][nh[a]++] = (uint32_t)i;
        }
    }
    if (define_stacks(&c, 0, STACKS, 0, ACHIEVEMENTS))
        return 2;
    printf("  %-8s setup: %zu learners, %d achievements, %d stacks in %.1f s\n", label,
           nlearners, 2 * ACHIEVEMENTS, STACKS, wall() - t0);

    /* the bulk issue, the hook evaluating as each batch commits */
    mc_stacks_stats(&s0);
    t0 = wall();
    for (i = 0; i < ACHIEVEMENTS && !rc; i++) {
        struct mc_achievement a;
        struct mc_bulk_result res;
        struct mc_bulk_opts o;
        struct gen g;
        struct mc_reader r = { gen_read, &g };
        struct mc_rows *rs = NULL;
        char uri[100];

        if (nh[i] == 0)
            continue;
        snprintf(uri, sizeof(uri), AURI "%zu", i);
        memset(&a, 0, sizeof(a));
        memset(&g, 0, sizeof(g));
        memset(&o, 0, sizeof(o));
        g.learners = holders[i];
        g.n = nh[i];
        if (mc_store_achievement_get(st, org, 0, uri, &a, &err) ||
            mc_rows_open(&rs, MC_ROWS_CSV, &r, &err) ||
            mc_issue_bulk(&is, &a, rs, &o, &res, &err))
            rc = die("bulk issue", &err);
        issued += res.issued;
        mc_rows_free(rs);
        mc_achievement_release(&a);
    }
    t_issue = wall() - t0;
    mc_stacks_stats(&s1);
    printf("  %-8s bulk issue: %zu credentials in %.1f s (%.0f/s) with the hook: %llu "
           "evaluations, %llu stack credentials issued\n", label, issued, t_issue,
           (double)issued / t_issue, s1.evaluations - s0.evaluations, s1.issued - s0.issued);

    /* re-evaluation alone: every (achievement, learners) batch again. On a
     * fresh connection: PostgreSQL keeps the generic plans it made for the
     * prepared statements while the tables were empty (seconds ago) until
     * autovacuum's ANALYZE invalidates them; a new handle plans with what the
     * tables hold now, as a server's handles do in steady state. */
    mc_store_close(st);
    st = NULL;
    if (!rc && mc_store_open(&st, dsn, &err))
        return die("reopen", &err);
    c.st = is.st = st;
    if (!rc)
        rc = replay(&c, holders, nh, &e500, &t500);
    if (!rc)
        printf("  %-8s re-evaluation, %5d stacks: %llu evaluations in %.2f s = %.0f "
               "evaluations/s; stacks x learners = %zu (%.3f%% of it)\n", label, STACKS,
               e500, t500, (double)e500 / t500, (size_t)STACKS * nlearners,
               100.0 * (double)e500 / ((double)STACKS * (double)nlearners));
    /* 4,500 more stacks over achievements nobody holds: the same credentials */
    if (!rc) {
        t0 = wall();
        rc = define_stacks(&c, STACKS, MORE_STACKS, ACHIEVEMENTS, ACHIEVEMENTS);
        printf("  %-8s %d more stacks defined in %.1f s\n", label, MORE_STACKS, wall() - t0);
    }
    if (!rc)
        rc = replay(&c, holders, nh, &e5000, &t5000);
    if (!rc) {
        printf("  %-8s re-evaluation, %5d stacks: %llu evaluations in %.2f s = %.0f "
               "evaluations/s; stacks x learners = %zu (%.4f%% of it)\n", label,
               STACKS + MORE_STACKS, e5000, t5000, (double)e5000 / t5000,
               (size_t)(STACKS + MORE_STACKS) * nlearners,
               100.0 * (double)e5000 / ((double)(STACKS + MORE_STACKS) * (double)nlearners));
        printf("  %-8s 10x the stacks, none affected: %.2fx the time, %.2fx the evaluations "
               "(work follows the affected stacks, not stacks x learners)\n", label,
               t5000 / t500, (double)e5000 / (double)(e500 ? e500 : 1));
        printf("RESULT stacks %s credentials=%zu learners=%zu issue_secs=%.2f evals_500=%llu "
               "secs_500=%.3f rate_500=%.0f evals_5000=%llu secs_5000=%.3f ratio=%.2f\n",
               label, issued, nlearners, t_issue, e500, t500, (double)e500 / t500, e5000,
               t5000, t5000 / t500);
    }
    for (i = 0; i < ACHIEVEMENTS; i++)
        free(holders[i]);
    issuer.name = issuer.did = NULL;
    mc_issuer_release(&issuer);
    mc_store_close(st);
    mc_buf_release(&did);
    mc_buf_release(&vm);
    return rc;
}

int main(int argc, char **argv)
{
    size_t creds = argc > 1 ? (size_t)atoll(argv[1]) : 100000;
    const char *pg = getenv("MCRED_TEST_PG");
    static const uint8_t seed[32] = { 78 };
    struct mc_ctxstore *ctx = NULL;
    struct mc_jsonld_cache *cache = NULL;
    char dir[] = "/tmp/mcred-bench-stacks-XXXXXX", dsn[300];
    struct mc_key k;
    int rc;

    if (creds < 1000 || creds > 10000000) {
        fprintf(stderr, "usage: bench_stacks [CREDENTIALS (1000..10000000)]\n");
        return 2;
    }
    if (sodium_init() < 0 || mc_key_generate(&k, seed) || !mkdtemp(dir))
        return 2;
    if (mc_ctxstore_new(&ctx, NULL, NULL) || mc_jsonld_cache_new(&cache))
        return 2;
    printf("stacks: re-evaluation after a bulk issue of %zu credentials, %d then %d stacks\n",
           creds, STACKS, STACKS + MORE_STACKS);
    snprintf(dsn, sizeof(dsn), "sqlite:%s/bench.db", dir);
    rc = run("sqlite", dsn, creds, &k, ctx, cache);
    if (pg && pg[0]) {
        /* PostgreSQL commits cost an fsync each: a tenth of the credentials by
         * default (MCRED_BENCH_STACKS_PG=N for another count) */
        const char *n = getenv("MCRED_BENCH_STACKS_PG");
        size_t pc = n && atoll(n) >= 1000 ? (size_t)atoll(n) : creds / 10;

        rc |= run("postgres", pg, pc < 1000 ? 1000 : pc, &k, ctx, cache);
    }
    else
        printf("  postgres: not measured (MCRED_TEST_PG unset; `make bench` sets it)\n");
    snprintf(dsn, sizeof(dsn), "rm -rf '%s'", dir);
    if (system(dsn) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(ctx);
    mc_key_clear(&k);
    return rc;
}
