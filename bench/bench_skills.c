/* bench_skills.c - skills frameworks: reading ESCO v1.1.1 and O*NET 29.2 from
 * their published files, writing them into a fresh SQLite store and (when
 * MCRED_TEST_PG names a database: scripts/with-pg.sh) into PostgreSQL, and
 * extracting skills from 5 KB job postings with the automaton over every
 * ESCO skill label. Each figure is printed beside a reference measured in
 * the same run: import rows/s beside the SQLite figure (PostgreSQL), and
 * extraction beside cutting the same text into words alone (the floor of any
 * word-level matcher) and beside the naive alternative, a case-insensitive
 * substring search for every label.
 * usage: bench_skills [SECONDS] [SHARED_DATA_DIR] [JOBS_DIR]
 * SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE 1   /* mkdtemp, strcasestr, strndup */
#include "internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "skills/skills.h"
#include "skills/text.h"
#include "store/store.h"

#define POSTING 5000   /* bytes of a benchmark posting */

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static size_t rows_of(struct mc_fw *f)
{
    const struct mc_skill_import *im = mc_fw_import(f);

    return im->nconcepts + im->nlabels + im->nedges;
}

/* Import f into the store at dsn; the seconds it took, or -1. */
static double import_into(const char *dsn, struct mc_fw *f)
{
    struct mc_store *st = NULL;
    struct mc_err err;
    int64_t fw = 0;
    double t0, t;

    if (mc_store_open(&st, dsn, &err)) {
        fprintf(stderr, "bench_skills: %s\n", err.msg);
        return -1;
    }
    t0 = wall();
    if (mc_skills_import(st, f, NULL, &fw, &err)) {
        fprintf(stderr, "bench_skills: import: %s\n", err.msg);
        mc_store_close(st);
        return -1;
    }
    t = wall() - t0;
    mc_store_close(st);
    return t;
}

/* The job descriptions of dir, concatenated and cut into postings of
 * POSTING bytes (at a line end). */
static char *postings(const char *dir, size_t *n)
{
    char *all = NULL, path[2048];
    size_t len = 0;
    struct dirent *e;
    DIR *d = opendir(dir);

    *n = 0;
    if (!d)
        return NULL;
    while ((e = readdir(d)) != NULL) {
        FILE *fp;
        char buf[65536];
        size_t k;
        char *p;

        if (!strstr(e->d_name, ".txt"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        fp = fopen(path, "rb");
        if (!fp)
            continue;
        k = fread(buf, 1, sizeof(buf), fp);
        fclose(fp);
        p = realloc(all, len + k + 1);
        if (!p)
            break;
        all = p;
        memcpy(all + len, buf, k);
        len += k;
        all[len] = '\0';
    }
    closedir(d);
    *n = len;
    return all;
}

static void bench_extract(struct mc_fw *esco, double secs, const char *jobs)
{
    const struct mc_skill_import *im = mc_fw_import(esco);
    struct mc_skills_index *ix = NULL;
    struct mc_extractor_stats xs;
    struct mc_hits h;
    struct mc_err err;
    size_t n = 0, i, runs = 0, words = 0, hits = 0, naive_hits = 0;
    char *text = postings(jobs, &n), *lower;
    double t0, t_build, t_run, t_tok, t_naive;

    memset(&h, 0, sizeof(h));
    if (!text || n < POSTING) {
        fprintf(stderr, "bench_skills: no job descriptions in %s\n", jobs);
        free(text);
        return;
    }
    t0 = wall();
    if (mc_skills_index_new(&ix))
        exit(2);
    for (i = 0; i < im->nlabels; i++) {
        const struct mc_skill_concept_in *c = &im->concepts[im->labels[i].concept];

        if ((c->kind == MC_SK_SKILL || c->kind == MC_SK_KNOWLEDGE) &&
            mc_skills_index_add(ix, c->uri, im->labels[i].label, c->kind, im->labels[i].pref))
            exit(2);
    }
    if (mc_skills_index_build(ix))
        exit(2);
    t_build = wall() - t0;
    mc_extractor_stats(ix->x, &xs);
    /* the automaton over postings of 5 KB, round robin through the text */
    t0 = wall();
    do {
        size_t off = (runs * 1237) % (n - POSTING);

        if (mc_skills_extract(ix, text + off, POSTING, &h, &err))
            exit(2);
        hits += h.n;
        runs++;
    } while (wall() - t0 < secs);
    t_run = (wall() - t0) / (double)runs;
    /* the floor: cutting the same postings into words, nothing else */
    t0 = wall();
    for (i = 0; i < runs; i++) {
        struct mc_tokenizer t;
        struct mc_word w;

        mc_tok_init(&t, text + (i * 1237) % (n - POSTING), POSTING);
        while (mc_tok_next(&t, &w))
            words++;
    }
    t_tok = (wall() - t0) / (double)runs;
    /* naive: every label searched for in one posting (case-insensitive) */
    lower = strndup(text, POSTING);
    t0 = wall();
    for (i = 0; lower && i < im->nlabels; i++) {
        const struct mc_skill_concept_in *c = &im->concepts[im->labels[i].concept];

        if ((c->kind == MC_SK_SKILL || c->kind == MC_SK_KNOWLEDGE) &&
            strcasestr(lower, im->labels[i].label))
            naive_hits++;
    }
    t_naive = wall() - t0;
    free(lower);
    printf("extraction: %zu labels -> %zu patterns (%zu generic one-word ones off), %zu states, "
           "%.1f MB, built in %.0f ms\n", xs.labels, xs.patterns, xs.generic, xs.states,
           (double)xs.bytes / 1e6, t_build * 1e3);
    printf("  per 5 KB posting: %.1f us (%.0f MB/s, %.1f hits a posting)\n", t_run * 1e6,
           POSTING / t_run / 1e6, (double)hits / (double)runs);
    printf("  cutting it into words only: %.1f us (%.1f words): the automaton costs %.2fx "
           "the floor\n", t_tok * 1e6, (double)words / (double)runs, t_run / t_tok);
    printf("  naive substring search of every label: %.0f us (%zu raw hits): %.0fx slower\n",
           t_naive * 1e6, naive_hits, t_naive / t_run);
    mc_hits_release(&h);
    mc_skills_index_free(ix);
    free(text);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    const char *data = argc > 2 ? argv[2] : getenv("MCRED_SHARED_DATA");
    const char *jobs = argc > 3 ? argv[3] : "tests/vectors/skills/jobs";
    const char *pg = getenv("MCRED_TEST_PG");
    char esco_dir[1024], onet_dir[1024], dir[] = "/tmp/mcred-bench-skills-XXXXXX";
    char dsn[256], path[200];
    struct mc_fw *esco = NULL, *onet = NULL;
    struct mc_err err;
    double t0, t_esco, t_onet, sq_esco, sq_onet, pg_esco = -1, pg_onet = -1;

    if (!data) {
        fprintf(stderr, "bench_skills: give the shared data directory (or MCRED_SHARED_DATA)\n");
        return 2;
    }
    snprintf(esco_dir, sizeof(esco_dir), "%s/skills/esco", data);
    snprintf(onet_dir, sizeof(onet_dir), "%s/skills/onet/onet-29.2", data);
    t0 = wall();
    if (mc_skills_read_esco(esco_dir, "1.1.1", NULL, &esco, &err)) {
        fprintf(stderr, "bench_skills: %s\n", err.msg);
        return 2;
    }
    t_esco = wall() - t0;
    t0 = wall();
    if (mc_skills_read_onet(onet_dir, NULL, &onet, &err)) {
        fprintf(stderr, "bench_skills: %s\n", err.msg);
        return 2;
    }
    t_onet = wall() - t0;
    printf("skills frameworks (ESCO v1.1.1: %zu rows; O*NET 29.2: %zu rows)\n",
           rows_of(esco), rows_of(onet));
    printf("  read and checked: ESCO %.2f s (%.0f rows/s), O*NET %.2f s\n", t_esco,
           (double)rows_of(esco) / t_esco, t_onet);
    if (!mkdtemp(dir))
        return 2;
    snprintf(path, sizeof(path), "%s/store.db", dir);
    snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
    sq_esco = import_into(dsn, esco);
    sq_onet = import_into(dsn, onet);
    printf("  SQLite import: ESCO %.2f s (%.0f rows/s), O*NET %.2f s (%.0f rows/s)\n", sq_esco,
           (double)rows_of(esco) / sq_esco, sq_onet, (double)rows_of(onet) / sq_onet);
    if (pg && *pg) {
        pg_esco = import_into(pg, esco);
        pg_onet = import_into(pg, onet);
        if (pg_esco > 0 && pg_onet > 0)
            printf("  PostgreSQL import: ESCO %.2f s (%.0f rows/s, %.2fx SQLite's time), O*NET "
                   "%.2f s (%.2fx)\n", pg_esco, (double)rows_of(esco) / pg_esco,
                   pg_esco / sq_esco, pg_onet, pg_onet / sq_onet);
    } else {
        printf("  PostgreSQL: MCRED_TEST_PG not set (run under scripts/with-pg.sh)\n");
    }
    snprintf(dsn, sizeof(dsn), "%s-wal", path);
    remove(dsn);
    snprintf(dsn, sizeof(dsn), "%s-shm", path);
    remove(dsn);
    remove(path);
    rmdir(dir);
    bench_extract(esco, secs, jobs);
    printf("  peak RSS %ld MB\n", peak_rss_mb());
    mc_fw_free(esco);
    mc_fw_free(onet);
    return 0;
}
