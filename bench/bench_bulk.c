/* bench_bulk.c - bulk issuance: N eddsa-rdfc-2022 Open Badges credentials,
 * generated as CSV rows on the fly (never stored as a file), issued into a
 * fresh SQLite file store (and into PostgreSQL when MCRED_TEST_PG names a
 * database) through the same service `mcred issue --csv` uses: streamed,
 * signed on every core, written in batches. Prints credentials/s, peak RSS
 * and the ratio to raw libsodium signing on all cores measured in this run.
 * usage: bench_bulk [ROWS] [ACHIEVEMENT.json]   (ROWS default 100000)
 * SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE 1   /* mkdtemp */
#include "internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "service/issue.h"
#include "util/json.h"

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rows "recipient,key" generated into the reader's buffer. */
struct gen {
    size_t rows, next;
    bool header_done;
    char pending[256];
    size_t plen, poff;
};

static long gen_read(void *ud, void *buf, size_t n)
{
    struct gen *g = ud;
    size_t out = 0;

    while (out < n) {
        if (g->poff == g->plen) {
            if (!g->header_done) {
                g->plen = (size_t)snprintf(g->pending, sizeof(g->pending), "recipient,key\n");
                g->header_done = true;
            } else if (g->next < g->rows) {
                g->plen = (size_t)snprintf(g->pending, sizeof(g->pending),
                                           "learner%zu@example.org,bench-%zu\n", g->next,
                                           g->next);
                g->next++;
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

struct raw {
    const struct mc_key *k;
    double secs;
    double rate;
};

static void *raw_sign(void *arg)
{
    struct raw *r = arg;
    uint8_t msg[64] = { 1 }, sig[64];
    double t0 = wall();
    long n = 0;

    while (wall() - t0 < r->secs) {
        for (int i = 0; i < 64; i++)
            crypto_sign_detached(sig, NULL, msg, sizeof(msg), r->k->sk);
        n += 64;
    }
    r->rate = (double)n / (wall() - t0);
    return NULL;
}

/* libsodium signatures per second with every core busy. */
static double raw_all_cores(const struct mc_key *k, int cores)
{
    pthread_t t[64];
    struct raw r[64];
    double total = 0;
    int i;

    for (i = 0; i < cores; i++) {
        r[i].k = k;
        r[i].secs = 1.0;
        pthread_create(&t[i], NULL, raw_sign, &r[i]);
    }
    for (i = 0; i < cores; i++) {
        pthread_join(t[i], NULL);
        total += r[i].rate;
    }
    return total;
}

static int run(const char *label, const char *dsn, size_t rows, const char *ach_text,
               const struct mc_key *k, struct mc_ctxstore *ctx, struct mc_jsonld_cache *cache,
               double raw)
{
    struct mc_store *st = NULL;
    struct mc_err err;
    struct mc_issuer issuer;
    struct mc_achievement a;
    struct mc_issuing is;
    struct mc_bulk_result res;
    struct mc_bulk_opts o;
    struct gen g;
    struct mc_reader r = { gen_read, &g };
    struct mc_rows *rs = NULL;
    struct mc_buf did, vm;
    struct rusage ru;
    char org_name[64];
    int64_t org;
    double t0, dt;

    mc_err_clear(&err);
    memset(&issuer, 0, sizeof(issuer));
    memset(&a, 0, sizeof(a));
    mc_buf_init(&did, 0);
    mc_buf_init(&vm, 0);
    if (mc_store_open(&st, dsn, &err) || mc_key_did(k, &did) || mc_key_vm_id(k, &vm)) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        return 2;
    }
    snprintf(org_name, sizeof(org_name), "bench-%ld-%ld", (long)getpid(), (long)time(NULL));
    issuer.name = "Bench University";
    issuer.did = did.ptr;
    a.uri = "https://example.edu/achievements/c-programming-101";
    a.json = (char *)(uintptr_t)ach_text;
    if (mc_store_org_create(st, org_name, &org, &err)) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        return 2;
    }
    issuer.org_id = org;
    a.org_id = org;
    if (mc_store_issuer_put(st, &issuer, &err) || mc_store_achievement_put(st, &a, &err)) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        return 2;
    }
    memset(&is, 0, sizeof(is));
    is.st = st;
    is.org = org;
    is.issuer = &issuer;
    is.key = k;
    is.vm_id = vm.ptr;
    is.public_url = "https://badges.example.edu";
    is.contexts = ctx;
    is.cache = cache;
    is.actor = "bench";
    memset(&g, 0, sizeof(g));
    g.rows = rows;
    memset(&o, 0, sizeof(o));
    if (mc_rows_open(&rs, MC_ROWS_CSV, &r, &err)) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        return 2;
    }
    t0 = wall();
    if (mc_issue_bulk(&is, &a, rs, &o, &res, &err)) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        return 2;
    }
    dt = wall() - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("  %-10s %9zu credentials in %6.2f s: %8.0f/s   peak RSS %5ld MB   %.2f of raw "
           "signing on all cores\n", label, res.issued, dt, (double)res.issued / dt,
           ru.ru_maxrss / 1024, (double)res.issued / dt / raw);
    printf("RESULT bulk %s rows=%zu issued=%zu secs=%.2f rate=%.0f rss_mb=%ld raw=%.0f\n", label,
           rows, res.issued, dt, (double)res.issued / dt, ru.ru_maxrss / 1024, raw);
    mc_rows_free(rs);
    /* the row strings set above are ours, not the store's */
    issuer.name = issuer.did = NULL;
    mc_issuer_release(&issuer);
    mc_store_close(st);
    mc_buf_release(&did);
    mc_buf_release(&vm);
    return res.issued == rows ? 0 : 1;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)atoll(argv[1]) : 100000;
    const char *ach_path = argc > 2 ? argv[2] : "tests/vectors/ob/achievement.json";
    const char *pg = getenv("MCRED_TEST_PG");
    static const uint8_t seed[32] = { 77 };
    struct mc_ctxstore *ctx = NULL;
    struct mc_jsonld_cache *cache = NULL;
    char dir[] = "/tmp/mcred-bench-XXXXXX", dsn[256], *ach;
    struct mc_key k;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double raw;
    FILE *f;
    long len;
    int rc;

    if (sodium_init() < 0 || mc_key_generate(&k, seed) || !mkdtemp(dir))
        return 2;
    f = fopen(ach_path, "rb");
    if (!f)
        return 2;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    ach = calloc(1, (size_t)len + 1);
    if (!ach || fread(ach, 1, (size_t)len, f) != (size_t)len)
        return 2;
    fclose(f);
    if (mc_ctxstore_new(&ctx, NULL, NULL) || mc_jsonld_cache_new(&cache))
        return 2;
    raw = raw_all_cores(&k, (int)cores);
    printf("bulk issuance, eddsa-rdfc-2022, %zu rows generated on the fly, %ld cores\n", rows,
           cores);
    printf("  raw libsodium Ed25519 sign on all cores: %.0f/s\n", raw);
    snprintf(dsn, sizeof(dsn), "sqlite:%s/bench.db", dir);
    rc = run("sqlite", dsn, rows, ach, &k, ctx, cache, raw);
    if (pg && pg[0])
        rc |= run("postgres", pg, rows, ach, &k, ctx, cache, raw);
    else
        printf("  postgres: not measured (MCRED_TEST_PG unset; `make bench` sets it)\n");
    printf("  targets (issue 4): >= 16000/s into SQLite; peak RSS <= 256 MB at 1,000,000\n");
    snprintf(dsn, sizeof(dsn), "rm -rf '%s'", dir);
    if (system(dsn) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(ctx);
    mc_key_clear(&k);
    free(ach);
    return rc;
}
