/* bench_rank.c - employer ranking (issue 8 point 7): 1,000,000 candidates,
 * each with a seeded random set of 5..40 verified skills over an id space
 * the size of ESCO's (13,896 skills; popular skills drawn more often), and
 * a position of 15 skills. Our ranking (lib/skills/rank.h: the inverted
 * index built once, then each query on one core) beside PostgreSQL in the
 * same run: a table candidates(id int, skills int[]) loaded with COPY, the
 * intarray GIN index (gin__int_ops) and the query ordering by
 * icount(skills & position) DESC, id ASC, LIMIT 50, with 2 parallel workers.
 * Prints ms per query (p50 of several repetitions) for both, the ratio
 * against the targets (ours <= 10 ms, >= 30x faster), and whether the top 50
 * are identical; exits 1 when they are not.
 * PostgreSQL is the database MCRED_TEST_PG names (scripts/with-pg.sh).
 * usage: bench_rank [CANDIDATES] [REPETITIONS]
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "skills/rank.h"

#define NSKILLS 13896u    /* ESCO v1.1.1 skills */
#define NQUERY 15         /* skills of the position */
#define TOP 50

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    uint64_t x = rng_state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

/* A skill id, popular ones (low ids) more often: id = N * u^2. */
static uint32_t draw_skill(void)
{
    double u = (double)(rng() >> 11) / 9007199254740992.0;
    uint32_t s = (uint32_t)((double)NSKILLS * u * u);

    return s < NSKILLS ? s : NSKILLS - 1;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), dbl_cmp);
    return n ? v[n / 2] : 0.0;
}

static bool pg_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

    if (!ok)
        fprintf(stderr, "bench_rank: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* COPY the candidates into the table, 1 MB of text at a time. */
static bool pg_load(PGconn *c, uint32_t ncand, const uint64_t *coff, const uint32_t *items)
{
    static char buf[1 << 20];
    size_t n = 0;
    uint32_t i;
    uint64_t j;
    PGresult *r = PQexec(c, "COPY candidates (id, skills) FROM STDIN");

    if (PQresultStatus(r) != PGRES_COPY_IN) {
        fprintf(stderr, "bench_rank: COPY: %s", PQerrorMessage(c));
        PQclear(r);
        return false;
    }
    PQclear(r);
    for (i = 0; i < ncand; i++) {
        if (sizeof(buf) - n < 512) {
            if (PQputCopyData(c, buf, (int)n) != 1)
                return false;
            n = 0;
        }
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%u\t{", i);
        for (j = coff[i]; j < coff[i + 1]; j++)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, j > coff[i] ? ",%u" : "%u",
                                  items[j]);
        buf[n++] = '}';
        buf[n++] = '\n';
    }
    if ((n && PQputCopyData(c, buf, (int)n) != 1) || PQputCopyEnd(c, NULL) != 1)
        return false;
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "bench_rank: COPY: %s", PQerrorMessage(c));
        PQclear(r);
        return false;
    }
    PQclear(r);
    while ((r = PQgetResult(c)) != NULL)
        PQclear(r);
    return true;
}

int main(int argc, char **argv)
{
    uint32_t ncand = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000u;
    int reps = argc > 2 ? atoi(argv[2]) : 30;
    const char *dsn = getenv("MCRED_TEST_PG");
    uint64_t *coff = NULL, total;
    uint32_t *items = NULL, cap, i, k, tmp[64];
    struct mc_rank_index ix;
    struct mc_rank_work w;
    struct mc_rank_need needs[NQUERY];
    struct mc_rank_hit hits[TOP];
    struct mc_err err;
    double t0, *ours = NULL, *theirs = NULL, our_p50, pg_p50 = 0.0;
    size_t n = 0, pgn = 0, j;
    uint32_t pg_ids[TOP], pg_scores[TOP];
    char arr[NQUERY * 12 + 4], sql[1024];
    bool same = true;
    int status = 0, r;
    PGconn *c = NULL;

    if (ncand < TOP || reps < 1) {
        fprintf(stderr, "usage: bench_rank [CANDIDATES >= %d] [REPETITIONS >= 1]\n", TOP);
        return 2;
    }
    mc_err_clear(&err);
    memset(&ix, 0, sizeof(ix));
    memset(&w, 0, sizeof(w));
    printf("ranking %u candidates (5..40 verified skills each over %u skill ids, seeded) for "
           "a position of %d skills, top %d\n", ncand, NSKILLS, NQUERY, TOP);
    /* the candidates, as per-candidate sorted skill lists */
    cap = ncand * 23u;
    coff = malloc(((size_t)ncand + 1) * sizeof(*coff));
    items = malloc((size_t)cap * sizeof(*items));
    ours = malloc((size_t)reps * sizeof(*ours));
    theirs = malloc((size_t)reps * sizeof(*theirs));
    if (!coff || !items || !ours || !theirs) {
        fprintf(stderr, "bench_rank: out of memory\n");
        return 2;
    }
    total = 0;
    coff[0] = 0;
    t0 = wall();
    for (i = 0; i < ncand; i++) {
        uint32_t want = 5 + (uint32_t)(rng() % 36), m = 0;

        for (k = 0; k < want; k++)
            tmp[k] = draw_skill();
        qsort(tmp, want, sizeof(*tmp), u32_cmp);
        for (k = 0; k < want; k++) {
            if (m == 0 || tmp[k] != tmp[m - 1])
                tmp[m++] = tmp[k];
        }
        if (total + m > cap) {
            uint32_t *bigger;

            cap = cap + cap / 2 + 64;
            bigger = realloc(items, (size_t)cap * sizeof(*items));
            if (!bigger) {
                fprintf(stderr, "bench_rank: out of memory\n");
                return 2;
            }
            items = bigger;
        }
        memcpy(items + total, tmp, m * sizeof(*tmp));
        total += m;
        coff[i + 1] = total;
    }
    printf("  generated %llu (candidate, skill) pairs in %.2f s\n", (unsigned long long)total,
           wall() - t0);
    /* the position: 15 distinct skills, spread over popular and rare ones */
    for (k = 0; k < NQUERY; k++) {
        uint32_t s;
        bool dup;

        do {
            s = k < 5 ? draw_skill() : (uint32_t)(rng() % NSKILLS);
            dup = false;
            for (i = 0; i < k; i++)
                dup = dup || needs[i].item == s;
        } while (dup);
        needs[k].item = s;
        needs[k].weight = 1000;   /* 1.0 each: the score is the count PostgreSQL's icount gives */
        needs[k].required = false;
        needs[k].min_level = MC_RANK_NO_LEVEL;
    }
    /* ours: the index once, then the query on one core */
    t0 = wall();
    if (mc_rank_index_build_csr(NSKILLS, ncand, coff, items, &ix, &err) ||
        mc_rank_work_init(&w, ncand)) {
        fprintf(stderr, "bench_rank: %s\n", mc_err_msg(&err));
        return 2;
    }
    printf("  ours: index built in %.0f ms (%.0f MB)\n", (wall() - t0) * 1e3,
           (double)(total * 4 + (uint64_t)NSKILLS * 4 + (uint64_t)ncand * 10) / 1e6);
    for (r = -2; r < reps; r++) {
        t0 = wall();
        if (mc_rank_query(&ix, &w, needs, NQUERY, MC_RANK_BELOW, TOP, hits, &n, &err)) {
            fprintf(stderr, "bench_rank: %s\n", mc_err_msg(&err));
            return 2;
        }
        if (r >= 0)
            ours[r] = (wall() - t0) * 1e3;
    }
    our_p50 = median(ours, (size_t)reps);
    printf("  ours: %.3f ms per query (p50 of %d; min %.3f, max %.3f), one core\n", our_p50,
           reps, ours[0], ours[reps - 1]);
    printf("  ours: top scores %u..%u (thousandths), %zu results\n", n ? hits[0].score : 0,
           n ? hits[n - 1].score : 0, n);
    if (!dsn || !dsn[0]) {
        printf("  PostgreSQL: MCRED_TEST_PG not set (run under scripts/with-pg.sh); no "
               "comparison\n");
        goto out;
    }
    /* PostgreSQL: COPY, GIN (gin__int_ops), then the same query */
    c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_rank: PostgreSQL: %s", PQerrorMessage(c));
        status = 2;
        goto out;
    }
    if (!pg_ok(c, "SET client_min_messages = warning") ||
        !pg_ok(c, "CREATE EXTENSION IF NOT EXISTS intarray") ||
        !pg_ok(c, "DROP TABLE IF EXISTS candidates") ||
        !pg_ok(c, "CREATE TABLE candidates (id int PRIMARY KEY, skills int[] NOT NULL)")) {
        status = 2;
        goto out;
    }
    t0 = wall();
    if (!pg_load(c, ncand, coff, items)) {
        fprintf(stderr, "bench_rank: loading PostgreSQL failed: %s", PQerrorMessage(c));
        status = 2;
        goto out;
    }
    printf("  PostgreSQL: COPY of %u rows in %.1f s\n", ncand, wall() - t0);
    t0 = wall();
    if (!pg_ok(c, "SET maintenance_work_mem = '1GB'") ||
        !pg_ok(c, "CREATE INDEX candidates_skills ON candidates USING gin "
                  "(skills gin__int_ops)") ||
        !pg_ok(c, "VACUUM ANALYZE candidates") ||
        !pg_ok(c, "SET max_parallel_workers_per_gather = 2") ||
        !pg_ok(c, "SET work_mem = '64MB'")) {
        status = 2;
        goto out;
    }
    printf("  PostgreSQL: GIN index (gin__int_ops) and VACUUM ANALYZE in %.1f s\n",
           wall() - t0);
    j = 0;
    arr[j++] = '{';
    for (k = 0; k < NQUERY; k++)
        j += (size_t)snprintf(arr + j, sizeof(arr) - j, k ? ",%u" : "%u", needs[k].item);
    arr[j++] = '}';
    arr[j] = '\0';
    snprintf(sql, sizeof(sql),
             "SELECT id, icount(skills & '%s'::int[]) AS score FROM candidates "
             "WHERE skills && '%s'::int[] ORDER BY score DESC, id LIMIT %d", arr, arr, TOP);
    {
        char explain[1200];
        PGresult *res;
        int row;

        snprintf(explain, sizeof(explain), "EXPLAIN %s", sql);
        res = PQexec(c, explain);
        printf("  PostgreSQL plan:\n");
        for (row = 0; PQresultStatus(res) == PGRES_TUPLES_OK && row < PQntuples(res); row++)
            printf("    %s\n", PQgetvalue(res, row, 0));
        PQclear(res);
    }
    for (r = -1; r < reps; r++) {
        PGresult *res;

        t0 = wall();
        res = PQexec(c, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            fprintf(stderr, "bench_rank: query: %s", PQerrorMessage(c));
            PQclear(res);
            status = 2;
            goto out;
        }
        if (r >= 0)
            theirs[r] = (wall() - t0) * 1e3;
        pgn = (size_t)PQntuples(res);
        for (j = 0; j < pgn && j < TOP; j++) {
            pg_ids[j] = (uint32_t)strtoul(PQgetvalue(res, (int)j, 0), NULL, 10);
            pg_scores[j] = (uint32_t)strtoul(PQgetvalue(res, (int)j, 1), NULL, 10);
        }
        PQclear(res);
    }
    pg_p50 = median(theirs, (size_t)reps);
    printf("  PostgreSQL: %.1f ms per query (p50 of %d; min %.1f), 2 parallel workers "
           "allowed\n", pg_p50, reps, theirs[0]);
    same = pgn == n;
    for (j = 0; same && j < n; j++)
        same = pg_ids[j] == hits[j].cand && pg_scores[j] * 1000 == hits[j].score;
    printf("ranking: ours %.3f ms, PostgreSQL %.1f ms: %.0fx faster (targets: <= 10 ms: %s; "
           ">= 30x: %s)\n", our_p50, pg_p50, our_p50 > 0 ? pg_p50 / our_p50 : 0.0,
           our_p50 <= 10.0 ? "met" : "MISSED",
           our_p50 > 0 && pg_p50 / our_p50 >= 30.0 ? "met" : "MISSED");
    printf("identical top %d: %s\n", TOP, same ? "yes" : "no");
    if (!same) {
        for (j = 0; j < n || j < pgn; j++)
            printf("  %2zu: ours %u (%u)  PostgreSQL %u (%u)\n", j,
                   j < n ? hits[j].cand : 0, j < n ? hits[j].score : 0,
                   j < pgn ? pg_ids[j] : 0, j < pgn ? pg_scores[j] : 0);
        status = 1;
    }
    (void)pg_ok(c, "DROP TABLE candidates");
out:
    if (c)
        PQfinish(c);
    mc_rank_index_release(&ix);
    mc_rank_work_release(&w);
    free(coff);
    free(items);
    free(ours);
    free(theirs);
    return status;
}
