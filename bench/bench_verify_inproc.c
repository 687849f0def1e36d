/* bench_verify_inproc.c - the in-process verify rate that bench_server.sh
 * sets the server's against: the same credential bytes verified with
 * mc_verify_bytes, on one thread, with the options the server uses
 * (mc_platform_verify_opts: embedded contexts, status lists read from the
 * same store), on whatever core the caller pins it to.
 * Prints "inproc_verify_per_s <rate by wall clock> inproc_verify_per_cpu_s
 * <rate by this process's CPU time> verdict <name>": on a shared machine the
 * CPU-time rate is the one that does not depend on the neighbours.
 * usage: bench_verify_inproc DSN CREDENTIAL.json [SECONDS]
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "service/platform.h"
#include "service/verify.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[len] = '\0';
        *n = (size_t)len;
    }
    return p;
}

int main(int argc, char **argv)
{
    struct mc_ctxstore *ctx = NULL;
    struct mc_jsonld_cache *cache = NULL;
    struct mc_platform *plat = NULL;
    struct mc_platform_conf pc;
    struct mc_platform_status src;
    struct mc_verify_opts o;
    struct mc_verdict *v = malloc(sizeof(*v));
    struct mc_store *st;
    struct mc_err err;
    double secs = argc > 3 ? atof(argv[3]) : 5.0, t0, t, c0;
    size_t n = 0;
    long count = 0;
    char *cred;
    int rc = 1;

    if (argc < 3 || !v) {
        fprintf(stderr, "usage: bench_verify_inproc DSN CREDENTIAL.json [SECONDS]\n");
        return 2;
    }
    cred = read_file(argv[2], &n);
    if (!cred) {
        fprintf(stderr, "bench_verify_inproc: cannot read '%s'\n", argv[2]);
        return 1;
    }
    mc_err_clear(&err);
    memset(&pc, 0, sizeof(pc));
    if (mc_ctxstore_new(&ctx, NULL, &err) != MCRED_OK || mc_jsonld_cache_new(&cache)) {
        fprintf(stderr, "bench_verify_inproc: contexts: %s\n", mc_err_msg(&err));
        goto out;
    }
    pc.dsn = argv[1];
    pc.public_url = "http://127.0.0.1:8080";
    pc.contexts = ctx;
    pc.cache = cache;
    if (mc_platform_open(&plat, &pc, &err) != MCRED_OK ||
        mc_platform_store(plat, &st, &err) != MCRED_OK) {
        fprintf(stderr, "bench_verify_inproc: %s\n", mc_err_msg(&err));
        goto out;
    }
    mc_platform_verify_opts(plat, st, &src, &o);
    if (mc_verify_bytes(cred, n, &o, v, &err) != MCRED_OK) {
        fprintf(stderr, "bench_verify_inproc: %s\n", mc_err_msg(&err));
        goto out;
    }
    t0 = clock_s(CLOCK_MONOTONIC);
    c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    do {
        int i;

        for (i = 0; i < 16; i++)
            if (mc_verify_bytes(cred, n, &o, v, &err) != MCRED_OK) {
                fprintf(stderr, "bench_verify_inproc: %s\n", mc_err_msg(&err));
                goto out;
            }
        count += 16;
        t = clock_s(CLOCK_MONOTONIC) - t0;
    } while (t < secs);
    printf("inproc_verify_per_s %.1f inproc_verify_per_cpu_s %.1f verdict %s\n",
           (double)count / t, (double)count / (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0),
           mc_verdict_name(v->kind));
    rc = 0;
out:
    mc_platform_close(plat);
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(ctx);
    free(cred);
    free(v);
    return rc;
}
