/* test_skills_data.c - lib/skills over the published frameworks in
 * $MCRED_SHARED_DATA/skills (skips without them): ESCO v1.1.1 and O*NET 29.2
 * read and imported into a SQLite store with the counts their files hold,
 * the rows they name but do not define reported, a malformed file refused
 * with file:line and a failing import leaving the stored framework intact,
 * an occupation target against the raw relations, and the extractor over our
 * hand-tagged job descriptions (tests/vectors/skills/jobs) with precision
 * and recall printed and held above a floor.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "skills/skills.h"
#include "store/store.h"

/* The extraction floors (docs/skills.md, "How good is extraction"). Phrase
 * matching finds a skill only where a posting uses one of ESCO's labels
 * (modulo case, punctuation and plurals), while our gold standard was tagged
 * by meaning ("Pick and pack customer orders" -> "pick orders for
 * dispatching"), so recall measures how often postings use ESCO's wording;
 * precision is lost to labels a person would not tag ("make decisions").
 * Measured on the eighteen postings: precision 0.64, recall 0.39. The floors
 * sit below that by about a tenth of each (0.55, 0.33): a label added to
 * ESCO or a small tokenizer change moves the numbers without failing, while
 * dropping the generic-word rule (precision 0.48, printed below) or breaking
 * the word normalisation fails. */
#define FLOOR_PRECISION 0.55
#define FLOOR_RECALL 0.33

static const char *data_dir;
static char esco_dir[1200], onet_dir[1200];

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static const struct mc_fw_file *file_of(struct mc_fw *f, const char *name)
{
    const struct mc_fw_report *r = mc_fw_report(f);
    size_t i;

    for (i = 0; i < r->nfiles; i++) {
        if (strcmp(r->files[i].name, name) == 0)
            return &r->files[i];
    }
    return NULL;
}

/* Concepts of each kind and relations of each kind in a framework read. */
static void count_rows(struct mc_fw *f, size_t kinds[MC_SK_COUNT], size_t rels[MC_SR_COUNT])
{
    const struct mc_skill_import *im = mc_fw_import(f);
    size_t i;

    memset(kinds, 0, MC_SK_COUNT * sizeof(*kinds));
    memset(rels, 0, MC_SR_COUNT * sizeof(*rels));
    for (i = 0; i < im->nconcepts; i++)
        kinds[im->concepts[i].kind]++;
    for (i = 0; i < im->nedges; i++)
        rels[im->edges[i].rel]++;
}

/* ---- ESCO ----------------------------------------------------------------------------- */

static struct mc_fw *read_esco(void)
{
    struct mc_fw *f = NULL;
    struct mc_err err;
    struct timespec t0, t1;
    size_t kinds[MC_SK_COUNT], rels[MC_SR_COUNT];
    const struct mc_fw_file *rel;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RC(mc_skills_read_esco(esco_dir, "1.1.1", NULL, &f, &err), MCRED_OK, "read ESCO");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!f) {
        printf("  %s\n", err.msg);
        return NULL;
    }
    count_rows(f, kinds, rels);
    printf("ESCO read in %.2f s: %zu skills, %zu knowledge, %zu occupations, %zu skill groups, "
           "%zu ISCO groups; %zu essential, %zu optional\n", secs(&t0, &t1), kinds[MC_SK_SKILL],
           kinds[MC_SK_KNOWLEDGE], kinds[MC_SK_OCCUPATION], kinds[MC_SK_SKILL_GROUP],
           kinds[MC_SK_OCCUPATION_GROUP], rels[MC_SR_ESSENTIAL], rels[MC_SR_OPTIONAL]);
    /* the figures of the issue and of SOURCES.md */
    CHECK(kinds[MC_SK_SKILL] + kinds[MC_SK_KNOWLEDGE] == 13896, "13,896 ESCO skills");
    CHECK(kinds[MC_SK_SKILL] == 10837 && kinds[MC_SK_KNOWLEDGE] == 3059,
          "10,837 skill/competence (6 without skillType) and 3,059 knowledge");
    CHECK(kinds[MC_SK_OCCUPATION] == 3007, "3,007 ESCO occupations");
    CHECK(kinds[MC_SK_SKILL_GROUP] == 640 && kinds[MC_SK_OCCUPATION_GROUP] == 619,
          "640 skill groups, 619 ISCO groups");
    rel = file_of(f, "occupationSkillRelations.csv");
    CHECK(rel && rel->rows == 123855, "123,855 occupation-skill relation rows read");
    /* 67 of them name an occupation that occupations_en.csv does not have */
    CHECK(rel && rel->skipped == 67 &&
          strstr(rel->first_skip, "occupation/a9e54177-a185-404d-b6e6-15663d31137e"),
          "67 rows name the occupation a9e54177-... that no file defines: %s",
          rel ? rel->first_skip : "-");
    CHECK(rels[MC_SR_ESSENTIAL] + rels[MC_SR_OPTIONAL] == 123855 - 67,
          "123,788 occupation-skill relations kept");
    CHECK(rels[MC_SR_SKILL_ESSENTIAL] == 191 && rels[MC_SR_SKILL_OPTIONAL] == 5708,
          "5,899 skill-skill relations");
    CHECK(rels[MC_SR_BROADER] == (20656 - 7) + (3617 - 1), "the hierarchies less 8 dangling");
    CHECK(mc_fw_report(f)->duplicates == 0, "no relation given twice");
    return f;
}

static struct mc_fw *read_onet(void)
{
    struct mc_fw *f = NULL;
    struct mc_err err;
    struct timespec t0, t1;
    size_t kinds[MC_SK_COUNT], rels[MC_SR_COUNT], i, hot = 0, demand = 0;
    const struct mc_skill_import *im;
    const struct mc_fw_file *alt;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RC(mc_skills_read_onet(onet_dir, NULL, &f, &err), MCRED_OK, "read O*NET");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!f) {
        printf("  %s\n", err.msg);
        return NULL;
    }
    count_rows(f, kinds, rels);
    im = mc_fw_import(f);
    for (i = 0; i < im->nedges; i++) {
        hot += (im->edges[i].flags & MC_SKILL_HOT) != 0;
        demand += (im->edges[i].flags & MC_SKILL_IN_DEMAND) != 0;
    }
    printf("O*NET read in %.2f s: %zu occupations, %zu technologies, %zu commodities, %zu "
           "technology relations (%zu hot, %zu in demand), %zu labels\n", secs(&t0, &t1),
           kinds[MC_SK_OCCUPATION], kinds[MC_SK_TECHNOLOGY], kinds[MC_SK_SKILL_GROUP],
           rels[MC_SR_TECHNOLOGY], hot, demand, im->nlabels);
    CHECK(im->version && strcmp(im->version, "29.2") == 0, "release 29.2 from Read Me.txt");
    CHECK(kinds[MC_SK_OCCUPATION] == 1016, "1,016 O*NET occupations");
    CHECK(kinds[MC_SK_TECHNOLOGY] == 8768, "8,768 distinct technology examples");
    CHECK(kinds[MC_SK_SKILL_GROUP] == 135, "135 UNSPSC commodities");
    CHECK(rels[MC_SR_TECHNOLOGY] == 32627, "32,627 technology relations (one a row)");
    CHECK(hot == 9601 + 2020 && demand == 2020 + 300, "hot and in-demand flags as in the file");
    CHECK(rels[MC_SR_BROADER] == 8927, "8,927 example-commodity pairs");
    alt = file_of(f, "Alternate Titles.txt");
    CHECK(alt && alt->rows == 56560 && alt->skipped == 0, "56,560 alternate titles read");
    return f;
}

static void check_stats(struct mc_store *st, int64_t fw, struct mc_fw *f, const char *what)
{
    struct mc_skill_stats s;
    size_t kinds[MC_SK_COUNT], rels[MC_SR_COUNT], i;
    struct mc_err err;
    bool same = true;

    count_rows(f, kinds, rels);
    CHECK_RC(mc_store_skill_stats(st, fw, &s, &err), MCRED_OK, "stats");
    for (i = 0; i < MC_SK_COUNT; i++)
        same = same && s.kinds[i] == (int64_t)kinds[i];
    for (i = 1; i < MC_SR_COUNT; i++)
        same = same && s.rels[i] == (int64_t)rels[i];
    CHECK(same && s.labels == (int64_t)mc_fw_import(f)->nlabels, "%s: the store holds every row "
          "read (%lld labels)", what, (long long)s.labels);
}

static int64_t import(struct mc_store *st, struct mc_fw *f, const char *what)
{
    struct timespec t0, t1;
    struct mc_err err;
    int64_t fw = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RC(mc_skills_import(st, f, NULL, &fw, &err), MCRED_OK, what);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (fw)
        printf("%s stored in %.2f s\n", what, secs(&t0, &t1));
    else
        printf("  %s\n", err.msg);
    return fw;
}

/* ---- malformed and conflicting input -------------------------------------------------- */

static const char tiny_skills[] =
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,description\n"
    "KnowledgeSkillCompetence,http://example.org/esco/s1,knowledge,,tiny skill,,\n"
    "KnowledgeSkillCompetence,http://example.org/esco/s2,knowledge,,\"broken \"quote\",,\n";
static const char tiny_occ[] =
    "conceptType,conceptUri,preferredLabel,altLabels,code\n"
    "Occupation,http://example.org/esco/o1,tiny occupation,,1\n";
static const char tiny_rel[] = "occupationUri,relationType,skillType,skillUri\n"
                               "http://example.org/esco/o1,essential,knowledge,"
                               "http://example.org/esco/s1\n";

static void put_file(const char *dir, const char *name, const char *text)
{
    char path[1200];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "wb");
    CHECK(fp != NULL, "write %s", path);
    if (!fp)
        return;
    fputs(text, fp);
    fclose(fp);
}

static void remove_files(const char *dir)
{
    static const char *const names[] = { "skills_en.csv", "occupations_en.csv",
                                         "occupationSkillRelations.csv" };
    char path[1200];
    size_t i;

    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
}

static void test_bad_input(struct mc_store *st, int64_t esco_fw, struct mc_fw *esco)
{
    char dir[] = "/tmp/mcred-esco-XXXXXX", fixed[sizeof(tiny_skills) + 64];
    struct mc_fw *f = NULL;
    struct mc_err err;
    struct mc_target t;
    int64_t fw = 0;

    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    put_file(dir, "skills_en.csv", tiny_skills);
    put_file(dir, "occupations_en.csv", tiny_occ);
    put_file(dir, "occupationSkillRelations.csv", tiny_rel);
    CHECK_RC(mc_skills_read_esco(dir, NULL, NULL, &f, &err), MCRED_ERR_INVALID,
             "a malformed row is refused");
    CHECK(f == NULL && strstr(err.msg, "skills_en.csv:3: text after the closing quote"),
          "named by file and line: %s", err.msg);
    /* fixed, it reads, but a concept URI clashing with O*NET's fails the
     * import as a whole and the stored ESCO stays as it was */
    snprintf(fixed, sizeof(fixed), "%.*s%s", (int)(strstr(tiny_skills, "KnowledgeSkillCompetence,"
             "http://example.org/esco/s2") - tiny_skills), tiny_skills,
             "KnowledgeSkillCompetence,urn:onet:tech:Python,knowledge,,clash,,\n");
    put_file(dir, "skills_en.csv", fixed);
    CHECK_RC(mc_skills_read_esco(dir, NULL, NULL, &f, &err), MCRED_OK, "the fixed files read");
    if (f)
        CHECK_RC(mc_skills_import(st, f, NULL, &fw, &err), MCRED_ERR_CONFLICT, "clash refused");
    CHECK(strstr(err.msg, "'urn:onet:tech:Python' is defined by framework 'onet'") != NULL,
          "the clash named: %s", err.msg);
    mc_fw_free(f);
    check_stats(st, esco_fw, esco, "ESCO after a failed re-import");
    remove_files(dir);
    /* an unknown occupation and a missing directory */
    CHECK_RC(mc_skills_target_occupation(st, "http://data.europa.eu/esco/occupation/none", &t,
                                         &err), MCRED_ERR_NOTFOUND, "unknown occupation");
    CHECK(strstr(err.msg, "unknown occupation") != NULL, "message: %s", err.msg);
    CHECK_RC(mc_skills_read_esco("/nonexistent/esco", NULL, NULL, &f, &err), MCRED_ERR_IO,
             "a missing directory");
    CHECK(strstr(err.msg, "skills_en.csv") != NULL, "names the file: %s", err.msg);
}

/* The skills of "data analyst" from the store against the relations read. */
static void test_target(struct mc_store *st, struct mc_fw *esco)
{
    static const char occ[] =
        "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2";
    const struct mc_skill_import *im = mc_fw_import(esco);
    uint32_t o = mc_fw_find(esco, occ);
    size_t i, ess = 0, opt = 0, got_ess = 0, got_opt = 0;
    struct mc_target t;
    struct mc_err err;

    for (i = 0; i < im->nedges; i++) {
        if (im->edges[i].from != o)
            continue;
        ess += im->edges[i].rel == MC_SR_ESSENTIAL;
        opt += im->edges[i].rel == MC_SR_OPTIONAL;
    }
    CHECK_RC(mc_skills_target_occupation(st, occ, &t, &err), MCRED_OK, "data analyst target");
    for (i = 0; i < t.n; i++) {
        got_ess += t.v[i].need == MC_NEED_ESSENTIAL;
        got_opt += t.v[i].need == MC_NEED_OPTIONAL;
    }
    CHECK(t.label && strcmp(t.label, "data analyst") == 0, "the occupation's label");
    CHECK(ess > 5 && got_ess == ess && got_opt == opt, "data analyst: %zu essential, %zu "
          "optional (the file: %zu, %zu)", got_ess, got_opt, ess, opt);
    CHECK(t.n && t.v[0].need == MC_NEED_ESSENTIAL && t.v[t.n - 1].need == MC_NEED_OPTIONAL,
          "essential skills weigh more");
    mc_target_release(&t);
    CHECK_RC(mc_skills_target_occupation(st, "15-2051.00", &t, &err), MCRED_OK,
             "an O*NET-SOC code as the target");
    CHECK(t.n > 10 && t.v[0].need == MC_NEED_TECHNOLOGY && t.label &&
          strcmp(t.label, "Data Scientists") == 0, "O*NET data scientists: %zu technologies",
          t.n);
    CHECK(t.n && (t.v[0].flags & MC_SKILL_HOT) && (t.v[0].flags & MC_SKILL_IN_DEMAND),
          "hot and in-demand technologies first");
    mc_target_release(&t);
}

static void test_crosswalk(struct mc_store *st)
{
    struct mc_store_list l;
    const struct mc_skill *k;
    struct mc_err err;
    size_t i;
    bool onet = false;

    /* ESCO's Python (alternative label "Python") and O*NET's example "Python" */
    CHECK_RC(mc_store_skill_map_list(st, "http://data.europa.eu/esco/skill/"
                                     "ccd0a1d9-afda-43d9-b901-96344886e14d", &l, &err), MCRED_OK,
             "crosswalk of ESCO Python");
    k = l.rows;
    for (i = 0; i < l.n; i++)
        onet = onet || strcmp(k[i].uri, "urn:onet:tech:Python") == 0;
    CHECK(onet, "ESCO Python maps to O*NET Python by label (%zu mappings)", l.n);
    mc_store_list_clear(&l);
}

/* ---- extraction quality --------------------------------------------------------------- */

static struct mc_skills_index *esco_index(struct mc_fw *f, bool generic_rule)
{
    const struct mc_skill_import *im = mc_fw_import(f);
    struct mc_skills_index *ix = NULL;
    size_t i;

    if (mc_skills_index_new(&ix))
        return NULL;
    for (i = 0; i < im->nlabels; i++) {
        const struct mc_skill_concept_in *c = &im->concepts[im->labels[i].concept];

        if ((c->kind == MC_SK_SKILL || c->kind == MC_SK_KNOWLEDGE) &&
            mc_skills_index_add(ix, c->uri, im->labels[i].label, c->kind, im->labels[i].pref)) {
            mc_skills_index_free(ix);
            return NULL;
        }
    }
    if (!generic_rule)
        mc_extractor_set_generic(ix->x, 0);
    if (mc_skills_index_build(ix)) {
        mc_skills_index_free(ix);
        return NULL;
    }
    return ix;
}

/* The URIs of a .tags file into gold (one a line, '#' comments). */
static size_t read_tags(const char *path, struct mc_intern *gold)
{
    char *text = check_read_file(path, NULL), *line, *save = NULL, *hash;
    uint32_t id;

    if (!text)
        return 0;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        line[strcspn(line, " \t\r")] = '\0';
        if (line[0] && mc_intern_add(gold, line, strlen(line), &id, NULL))
            break;
    }
    free(text);
    return mc_intern_count(gold);
}

/* Precision and recall of the extractor over the tagged postings; checked
 * against the floors when check is set, else only printed. */
static void test_extraction(struct mc_fw *esco, bool generic_rule, bool check)
{
    static const char *const jobs[] = {
        "01-data-analyst", "02-software-developer", "03-registered-nurse", "04-electrician",
        "05-chef", "06-accountant", "07-marketing-manager", "08-truck-driver", "09-welder",
        "10-teacher", "11-customer-service", "12-hr-generalist", "13-project-manager",
        "14-graphic-designer", "15-warehouse-operative", "16-pharmacist", "17-plumber",
        "18-social-worker",
    };
    const char *src = getenv("MCRED_SOURCE_DIR");
    struct mc_skills_index *ix = esco_index(esco, generic_rule);
    struct mc_extractor_stats xs;
    size_t j, i, tp_all = 0, found_all = 0, gold_all = 0;
    struct timespec t0, t1;
    double busy = 0;

    CHECK(ix != NULL, "an index of ESCO's skill labels");
    if (!ix)
        return;
    mc_extractor_stats(ix->x, &xs);
    printf("extractor%s: %zu labels, %zu patterns (%zu generic), %zu states, %zu words, "
           "%.1f MB\n", generic_rule ? "" : " without the generic-word rule", xs.labels,
           xs.patterns, xs.generic, xs.states, xs.words, (double)xs.bytes / 1e6);
    if (check)
        printf("%-26s %5s %5s %5s %6s %6s\n", "job description", "gold", "found", "both",
               "prec", "recall");
    for (j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
        char path[1200];
        struct mc_intern *gold = NULL, *found = NULL;
        struct mc_hits h;
        struct mc_err err;
        size_t n = 0, tp = 0, ng;
        char *text;
        uint32_t id;

        memset(&h, 0, sizeof(h));
        snprintf(path, sizeof(path), "%s/tests/vectors/skills/jobs/%s.txt", src ? src : ".",
                 jobs[j]);
        text = check_read_file(path, &n);
        CHECK(text != NULL, "read %s", path);
        if (!text || mc_intern_new(&gold) || mc_intern_new(&found)) {
            free(text);
            mc_intern_free(gold);
            continue;
        }
        snprintf(path, sizeof(path), "%s/tests/vectors/skills/jobs/%s.tags", src ? src : ".",
                 jobs[j]);
        ng = read_tags(path, gold);
        CHECK(ng >= 5, "%s: the gold standard has skills", jobs[j]);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CHECK_RC(mc_skills_extract(ix, text, n, &h, &err), MCRED_OK, jobs[j]);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        busy += secs(&t0, &t1);
        for (i = 0; i < h.n; i++) {
            const char *uri = mc_intern_str(ix->uris, h.v[i].concept);
            bool added = false;

            if (!mc_intern_add(found, uri, strlen(uri), &id, &added) && added)
                tp += mc_intern_find(gold, uri, strlen(uri)) != MC_INTERN_NONE;
        }
        if (check)
            printf("%-26s %5zu %5zu %5zu %6.2f %6.2f\n", jobs[j], ng, mc_intern_count(found),
                   tp, mc_intern_count(found) ? (double)tp / (double)mc_intern_count(found)
                   : 0.0, ng ? (double)tp / (double)ng : 0.0);
        if (check && getenv("MCRED_SKILLS_VERBOSE")) {
            for (i = 0; i < mc_intern_count(found); i++) {
                const char *uri = mc_intern_str(found, (uint32_t)i);

                printf("    %s %s %s\n", mc_intern_find(gold, uri, strlen(uri)) ==
                       MC_INTERN_NONE ? "+" : "=", uri + 33,
                       mc_skills_index_label(ix, mc_intern_find(ix->uris, uri, strlen(uri))));
            }
        }
        tp_all += tp;
        found_all += mc_intern_count(found);
        gold_all += ng;
        mc_hits_release(&h);
        mc_intern_free(gold);
        mc_intern_free(found);
        free(text);
    }
    {
        double p = found_all ? (double)tp_all / (double)found_all : 0.0;
        double r = gold_all ? (double)tp_all / (double)gold_all : 0.0;

        printf("all (micro-averaged)       %5zu %5zu %5zu %6.2f %6.2f   F1 %.2f; %.1f us a "
               "posting\n", gold_all, found_all, tp_all, p, r, p + r > 0 ? 2 * p * r / (p + r)
               : 0.0, busy * 1e6 / (double)(sizeof(jobs) / sizeof(jobs[0])));
        if (check) {
            CHECK(p >= FLOOR_PRECISION, "precision %.2f >= %.2f", p, FLOOR_PRECISION);
            CHECK(r >= FLOOR_RECALL, "recall %.2f >= %.2f", r, FLOOR_RECALL);
        }
    }
    mc_skills_index_free(ix);
}

int main(void)
{
    char dir[] = "/tmp/mcred-skills-XXXXXX", dsn[256], path[128];
    struct mc_store *st = NULL;
    struct mc_fw *esco, *onet;
    struct mc_err err;
    int64_t esco_fw = 0, onet_fw = 0;

    data_dir = check_shared_data();
    snprintf(esco_dir, sizeof(esco_dir), "%s/skills/esco", data_dir);
    snprintf(onet_dir, sizeof(onet_dir), "%s/skills/onet/onet-29.2", data_dir);
    esco = read_esco();
    onet = read_onet();
    if (esco) {
        test_extraction(esco, true, true);
        test_extraction(esco, false, false);
    }
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return check_report();
    }
    snprintf(path, sizeof(path), "%s/store.db", dir);
    snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
    CHECK_RC(mc_store_open(&st, dsn, &err), MCRED_OK, "open a SQLite store");
    if (st && esco && onet) {
        esco_fw = import(st, esco, "ESCO");
        onet_fw = import(st, onet, "O*NET");
        if (esco_fw)
            check_stats(st, esco_fw, esco, "ESCO");
        if (onet_fw)
            check_stats(st, onet_fw, onet, "O*NET");
        esco_fw = import(st, esco, "ESCO again (replacing it)");
        if (esco_fw && onet_fw) {
            check_stats(st, esco_fw, esco, "ESCO replaced");
            test_target(st, esco);
            test_crosswalk(st);
            test_bad_input(st, esco_fw, esco);
        }
    }
    mc_store_close(st);
    mc_fw_free(esco);
    mc_fw_free(onet);
    snprintf(dsn, sizeof(dsn), "%s-wal", path);
    remove(dsn);
    snprintf(dsn, sizeof(dsn), "%s-shm", path);
    remove(dsn);
    remove(path);
    rmdir(dir);
    return check_report();
}
