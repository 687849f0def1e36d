/* test_skills.c - unit tests for lib/skills without the published data: the
 * CSV reader (RFC 4180 cases, TSV, every malformation with its file:line,
 * chunked input, bounds), the word normalisation, the extractor (leftmost-
 * longest, positions, tolerance, bad input), skill sets, custom frameworks
 * (CSV and JSON, and their errors), and the verbs over a SQLite store: import,
 * re-import, a failed import leaving the previous framework intact, search,
 * relations, the crosswalk, declared and verified skills, targets, postings,
 * demand and the gap. Allocation failures are injected into the parsers.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "skills/csv.h"
#include "skills/extract.h"
#include "skills/skills.h"
#include "skills/skillset.h"
#include "skills/text.h"
#include "store/store.h"

/* ---- CSV ---------------------------------------------------------------------------- */

struct csv_case {
    const char *name;     /* what it shows */
    const char *in;
    bool tsv;
    const char *want;     /* the data records: fields joined by '|', records by ';' */
};

static const struct csv_case csv_ok[] = {
    { "plain", "a,b\n1,2\n3,4\n", false, "1|2;3|4" },
    { "no final line end", "a,b\n1,2", false, "1|2" },
    { "CRLF line ends", "a,b\r\n1,2\r\n", false, "1|2" },
    { "quoted field with comma", "a,b\n\"x,y\",2\n", false, "x,y|2" },
    { "doubled quote", "a,b\n\"say \"\"hi\"\"\",2\n", false, "say \"hi\"|2" },
    { "line break inside quotes", "a,b\n\"one\ntwo\",2\n", false, "one\ntwo|2" },
    { "CRLF inside quotes kept", "a,b\r\n\"one\r\ntwo\",2\r\n", false, "one\r\ntwo|2" },
    { "empty fields", "a,b,c\n,,\n", false, "||" },
    { "empty quoted field", "a\n\"\"\n", false, "" },
    { "blank lines skipped", "a,b\n\n1,2\n\n\n3,4\n", false, "1|2;3|4" },
    { "byte order mark", "\xef\xbb\xbf" "a,b\n1,2\n", false, "1|2" },
    { "spaces are data", "a,b\n 1 , 2 \n", false, " 1 | 2 " },
    { "UTF-8 text", "a\nK\xc3\xb6ln\n", false, "K\xc3\xb6ln" },
    { "header only", "a,b\n", false, "" },
    { "TSV", "a\tb\r\nx\"y\t2\r\n", true, "x\"y|2" },
    { "TSV comma is data", "a\tb\n1,5\t2\n", true, "1,5|2" },
};

struct csv_bad {
    const char *name;
    const char *in;
    size_t n;             /* 0: strlen(in) */
    mcred_rc rc;
    const char *msg;      /* a part of the message, with the line */
};

static const struct csv_bad csv_errors[] = {
    { "quote inside an unquoted field", "a,b\n1,x\"y\n", 0, MCRED_ERR_INVALID,
      "t.csv:2: a quote inside field 2" },
    { "text after the closing quote", "a,b\n\"x\"y,2\n", 0, MCRED_ERR_INVALID,
      "t.csv:2: text after the closing quote of field 1" },
    { "quote left open", "a,b\n1,2\n3,\"open\nmore\n", 0, MCRED_ERR_INVALID,
      "opened on line 3 is not closed" },
    { "bare CR", "a,b\n1,2\r3,4\n", 0, MCRED_ERR_INVALID, "t.csv:2: a carriage return" },
    { "NUL byte", "a,b\n1,x\0y\n", 9, MCRED_ERR_INVALID, "t.csv:2: field 2 contains a NUL" },
    { "invalid UTF-8", "a,b\n1,\xff\n", 0, MCRED_ERR_INVALID, "t.csv:2: field 2 is not valid" },
    { "too few fields", "a,b,c\n1,2,3\n1,2\n", 0, MCRED_ERR_INVALID,
      "t.csv:3: 2 fields, the header has 3" },
    { "too many fields", "a,b\n1,2,3\n", 0, MCRED_ERR_INVALID, "t.csv:2: 3 fields" },
    { "empty input", "", 0, MCRED_ERR_INVALID, "empty input" },
};

/* Records of a reader joined as in struct csv_case. */
static mcred_rc csv_collect(struct mc_csv *c, char *out, size_t cap, struct mc_err *err)
{
    struct mc_csv_record r;
    size_t i;
    mcred_rc rc;

    out[0] = '\0';
    while ((rc = mc_csv_next(c, &r, err)) == MCRED_OK) {
        if (out[0])
            mc_strlcat(out, ";", cap);
        for (i = 0; i < r.n; i++) {
            if (i)
                mc_strlcat(out, "|", cap);
            mc_strlcat(out, r.field[i], cap);
        }
    }
    return rc == MCRED_ERR_NOTFOUND ? MCRED_OK : rc;
}

/* A source handing out the input a few bytes at a time. */
struct chunks {
    const char *p;
    size_t n, pos, step;
};

static long chunk_read(void *ud, void *buf, size_t n)
{
    struct chunks *c = ud;
    size_t k = c->n - c->pos;

    if (k > c->step)
        k = c->step;
    if (k > n)
        k = n;
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (long)k;
}

static long broken_read(void *ud, void *buf, size_t n)
{
    (void)ud;
    (void)buf;
    (void)n;
    return -1;
}

/* trim and resync: the options lib/service/rows.c's CSV needs. */
static void test_csv_lenient(void)
{
    static const char in[] = "a , b\n  1 ,\"x \"  \n1,x\"y\n3,4\n5\n\"q\nq\"z,8\n6,7";
    struct mc_csv_opts o = { .delim = ',', .trim = true, .resync = true };
    struct mc_csv_record r;
    struct mc_err err;
    struct mc_csv *c = NULL;
    char got[256] = "";
    mcred_rc rc;

    CHECK_RC(mc_csv_open_mem(&c, in, sizeof(in) - 1, &o, "t.csv", &err), MCRED_OK, "lenient");
    if (!c)
        return;
    CHECK(mc_csv_column(c, "b") == 1, "header names trimmed");
    while ((rc = mc_csv_next(c, &r, &err)) != MCRED_ERR_NOTFOUND) {
        char one[64];

        if (rc == MCRED_OK)
            snprintf(one, sizeof(one), "%zu:%s|%s ", r.line, r.field[0], r.field[1]);
        else
            snprintf(one, sizeof(one), "%zu:bad ", r.line);
        mc_strlcat(got, one, sizeof(got));
        if (rc != MCRED_OK && rc != MCRED_ERR_INVALID)
            break;
    }
    CHECK(strcmp(got, "2:1|x  3:bad 4:3|4 5:bad 6:bad 8:6|7 ") == 0,
          "trimmed values, bad records skipped and the rest read: '%s'", got);
    mc_csv_free(c);
}

static void test_csv(void)
{
    struct mc_csv_opts tsv = { .delim = '\t', .no_quotes = true };
    char got[512];
    struct mc_err err;
    struct mc_csv *c;
    size_t i, step;

    for (i = 0; i < sizeof(csv_ok) / sizeof(csv_ok[0]); i++) {
        const struct csv_case *k = &csv_ok[i];

        for (step = 1; step <= 7; step += 6) {
            struct chunks ch = { k->in, strlen(k->in), 0, step };
            struct mc_csv_source src = { chunk_read, &ch };

            c = NULL;
            CHECK_RC(mc_csv_open(&c, &src, k->tsv ? &tsv : NULL, "t.csv", &err), MCRED_OK,
                     k->name);
            if (!c)
                continue;
            CHECK_RC(csv_collect(c, got, sizeof(got), &err), MCRED_OK, k->name);
            CHECK(strcmp(got, k->want) == 0, "%s (chunks of %zu): got '%s', want '%s'",
                  k->name, step, got, k->want);
            mc_csv_free(c);
        }
    }
    for (i = 0; i < sizeof(csv_errors) / sizeof(csv_errors[0]); i++) {
        const struct csv_bad *k = &csv_errors[i];
        size_t n = k->n ? k->n : strlen(k->in);
        mcred_rc rc;

        mc_err_clear(&err);
        c = NULL;
        rc = mc_csv_open_mem(&c, k->in, n, NULL, "t.csv", &err);
        if (!rc) {
            rc = csv_collect(c, got, sizeof(got), &err);
            CHECK_RC(mc_csv_next(c, (struct mc_csv_record[1]){ { 0 } }, &err), k->rc,
                     "the error repeats");
        }
        CHECK(rc == k->rc && strstr(err.msg, k->msg), "%s: rc %d '%s', want '%s'", k->name, rc,
              err.msg, k->msg);
        mc_csv_free(c);
    }
    /* bounds */
    {
        struct mc_csv_opts small = { .delim = ',', .max_field = 8, .max_record = 64,
                                     .max_fields = 4 };
        char buf[200];

        CHECK_RC(mc_csv_open_mem(&c, "a\n123456789\n", 12, &small, "t.csv", &err), MCRED_OK,
                 "open with small bounds");
        CHECK(csv_collect(c, got, sizeof(got), &err) == MCRED_ERR_LIMIT &&
              strstr(err.msg, "t.csv:2: field 1 is longer than 8"), "field bound: %s", err.msg);
        mc_csv_free(c);
        CHECK_RC(mc_csv_open_mem(&c, "a,b,c,d,e\n", 10, &small, "t.csv", &err), MCRED_ERR_LIMIT,
                 "field count bound in the header");
        CHECK(c == NULL && strstr(err.msg, "more than 4 fields"), "count bound: %s", err.msg);
        memset(buf, 'x', sizeof(buf));
        memcpy(buf, "a,b,c\n", 6);
        CHECK_RC(mc_csv_open_mem(&c, buf, sizeof(buf), &small, "t.csv", &err), MCRED_OK,
                 "open for the record bound");
        CHECK_RC(csv_collect(c, got, sizeof(got), &err), MCRED_ERR_LIMIT, "a long record");
        mc_csv_free(c);
    }
    {
        struct mc_csv_source src = { broken_read, NULL };

        CHECK_RC(mc_csv_open(&c, &src, NULL, "t.csv", &err), MCRED_ERR_IO, "a read error");
        CHECK(c == NULL, "no reader after a read error");
    }
    test_csv_lenient();
    CHECK_RC(mc_csv_open_mem(&c, "x,y,x\n", 6, NULL, "t.csv", &err), MCRED_OK, "columns");
    CHECK(mc_csv_column(c, "y") == 1 && mc_csv_column(c, "x") == 0 &&
          mc_csv_column(c, "z") == -1, "columns by name (the first of a duplicate)");
    mc_csv_free(c);
}

/* ---- words ------------------------------------------------------------------------------ */

struct norm_case {
    const char *in, *want;   /* want NULL: no words */
};

static const struct norm_case norm_cases[] = {
    { "Data Analysis", "data analysis" },
    { "problem-solving skills", "problem solving skill" },
    { "  C++ and C# (programming)", "c++ and c# programming" },
    { "R&D, employer's needs", "r&d employer need" },
    { "technologies / processes / analysis / classes", "technology process analysis class" },
    { "approaches, boxes, wishes, dishes", "approach box wish dish" },
    { "bus glass gas", "bus glass gas" },
    { "K\xc3\x96LN \xe2\x80\x93 M\xc3\x9cNCHEN", "k\xc3\xb6ln m\xc3\xbcnchen" },
    { "the manager\xe2\x80\x99s team", "the manager team" },
    { "5 years' experience", "5 year experience" },
    { "--- !!! ...", NULL },
};

static void test_words(void)
{
    char out[256];
    size_t i, n;
    struct mc_tokenizer t;
    struct mc_word w;

    for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
        const struct norm_case *k = &norm_cases[i];
        mcred_rc rc = mc_text_norm(k->in, strlen(k->in), out, sizeof(out), &n);

        if (!k->want)
            CHECK(rc == MCRED_ERR_INVALID && n == 0, "'%s' has no words", k->in);
        else
            CHECK(rc == MCRED_OK && strcmp(out, k->want) == 0 && n == strlen(k->want),
                  "norm '%s': got '%s', want '%s'", k->in, out, k->want);
    }
    /* positions, and a word too long to match */
    mc_tok_init(&t, "ab  cd", 6);
    CHECK(mc_tok_next(&t, &w) && w.start == 0 && w.end == 2, "first word at 0..2");
    CHECK(mc_tok_next(&t, &w) && w.start == 4 && w.end == 6, "second word at 4..6");
    CHECK(!mc_tok_next(&t, &w), "two words");
    memset(out, 'a', 100);
    mc_tok_init(&t, out, 100);
    CHECK(mc_tok_next(&t, &w) && w.too_long && w.end == 100, "a 100-letter word is too long");
    CHECK_RC(mc_text_norm(out, 100, out + 100, 100, &n), MCRED_ERR_LIMIT, "too long to norm");
    /* invalid UTF-8 counts as letters but never splits a character */
    CHECK_RC(mc_text_norm("a\xc3\x28z", 4, out, sizeof(out), &n), MCRED_OK, "a stray byte");
}

/* ---- the extractor ----------------------------------------------------------------------- */

struct label_def {
    const char *label;
    uint32_t concept;
    bool pref;
};

static const struct label_def labels[] = {
    { "data analysis", 1, true },
    { "analysis", 2, true },
    { "data", 3, true },
    { "Python (computer programming)", 4, true },
    { "Python", 4, false },
    { "SQL", 5, true },
    { "project management", 6, true },
    { "manage projects", 6, false },
    { "C++", 7, true },
    { "teamwork principles", 8, true },
    { "teamwork", 8, false },
    { "teamwork", 9, false },          /* an alternative label of two concepts */
    { "statistics", 10, true },
    { "stat", 11, false },
    { "customer service", 12, true },
    { "!!!", 13, true },               /* no words: skipped */
};

struct hit_want {
    const char *text;
    const char *want;   /* "start-end:concept" joined by spaces */
};

static const struct hit_want hit_cases[] = {
    { "Strong Data-Analysis skills.", "7-20:1" },
    /* "analyses" folds to "analyse" (the verb ESCO uses), not to "analysis" */
    { "data analysis and analyses", "0-13:1" },
    { "You know Python, SQL and C++!", "9-15:4 17-20:5 25-28:7" },
    /* one-word labels written with a capital are names: lowercase is not them */
    { "you know python, sql and c++", "" },
    { "Projects: you manage projects", "14-29:6" },
    { "teamwork", "0-8:9 0-8:8" },
    { "statistical statistics", "12-22:10" },
    { "customer-service; CUSTOMER SERVICES", "0-16:12 18-35:12" },
    { "nothing to see here", "" },
};

static void hits_str(const struct mc_hits *h, char *out, size_t cap)
{
    size_t i;
    char one[64];

    out[0] = '\0';
    for (i = 0; i < h->n; i++) {
        snprintf(one, sizeof(one), "%s%zu-%zu:%u", i ? " " : "", h->v[i].start, h->v[i].end,
                 (unsigned)h->v[i].concept);
        mc_strlcat(out, one, cap);
    }
}

static struct mc_extractor *small_extractor(void)
{
    struct mc_extractor *x = NULL;
    size_t i;
    bool used;

    if (mc_extractor_new(&x))
        return NULL;
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (mc_extractor_add(x, labels[i].label, strlen(labels[i].label), labels[i].concept,
                             labels[i].pref, &used)) {
            mc_extractor_free(x);
            return NULL;
        }
        CHECK(used == (labels[i].concept != 13), "label '%s' used", labels[i].label);
    }
    if (mc_extractor_build(x)) {
        mc_extractor_free(x);
        return NULL;
    }
    return x;
}

static void test_extract(void)
{
    struct mc_extractor *x = small_extractor();
    struct mc_extractor_stats st;
    struct mc_hits h;
    struct mc_err err;
    char got[256], *big;
    size_t i;

    memset(&h, 0, sizeof(h));
    CHECK(x != NULL, "extractor built");
    if (!x)
        return;
    for (i = 0; i < sizeof(hit_cases) / sizeof(hit_cases[0]); i++) {
        const struct hit_want *k = &hit_cases[i];

        CHECK_RC(mc_extractor_run(x, k->text, strlen(k->text), &h, &err), MCRED_OK, k->text);
        hits_str(&h, got, sizeof(got));
        /* the two concepts of "teamwork": concept 8 has it as an alternative
         * label too, so both are reported, in concept order */
        if (strcmp(k->text, "teamwork") == 0)
            CHECK(strcmp(got, "0-8:8 0-8:9") == 0, "shared alternative label: %s", got);
        else
            CHECK(strcmp(got, k->want) == 0, "'%s': got '%s', want '%s'", k->text, got,
                  k->want);
    }
    mc_extractor_stats(x, &st);
    CHECK(st.labels == 15 && st.patterns == 14 && st.words > 10, "stats: %zu labels, %zu "
          "patterns, %zu words", st.labels, st.patterns, st.words);
    CHECK_RC(mc_extractor_run(x, "", 0, &h, &err), MCRED_ERR_INVALID, "empty text");
    CHECK(strstr(err.msg, "empty") != NULL, "empty text message: %s", err.msg);
    CHECK_RC(mc_extractor_run(x, " ,;- ", 5, &h, &err), MCRED_ERR_INVALID, "no words");
    CHECK(h.n == 0, "no hits after an error");
    big = malloc(MC_EXTRACT_MAX_TEXT + 1);
    if (big) {
        memset(big, 'a', MC_EXTRACT_MAX_TEXT + 1);
        CHECK_RC(mc_extractor_run(x, big, MC_EXTRACT_MAX_TEXT + 1, &h, &err), MCRED_ERR_LIMIT,
                 "a text past the cap");
        CHECK(strstr(err.msg, "limit") != NULL, "cap message: %s", err.msg);
        /* at the cap: repeated labels, bounded memory (hits only) */
        for (i = 0; i + 5 <= MC_EXTRACT_MAX_TEXT; i += 5)
            memcpy(big + i, "SQL, ", 5);
        CHECK_RC(mc_extractor_run(x, big, MC_EXTRACT_MAX_TEXT, &h, &err), MCRED_OK,
                 "a text at the cap");
        CHECK(h.n == MC_EXTRACT_MAX_TEXT / 5, "every SQL found: %zu", h.n);
        free(big);
    }
    CHECK_RC(mc_extractor_add(x, "late", 4, 1, true, NULL), MCRED_ERR_INVALID,
             "no labels after build");
    mc_hits_release(&h);
    mc_extractor_free(x);
}

static void test_skillset(void)
{
    struct mc_skillset a = { 0 }, b = { 0 }, c = { 0 };
    struct mc_bitset ba, bb;
    static const uint32_t av[] = { 9, 3, 5, 3, 1, 200 }, bv[] = { 5, 2, 9, 7, 300 };
    size_t i;

    for (i = 0; i < 6; i++)
        CHECK_RC(mc_skillset_push(&a, av[i]), MCRED_OK, "push a");
    for (i = 0; i < 5; i++)
        CHECK_RC(mc_skillset_push(&b, bv[i]), MCRED_OK, "push b");
    mc_skillset_normalize(&a);
    mc_skillset_normalize(&b);
    CHECK(a.n == 5 && a.v[0] == 1 && a.v[4] == 200, "sorted, duplicates gone");
    CHECK(mc_skillset_has(&a, 5) && !mc_skillset_has(&a, 4), "membership");
    CHECK(mc_skillset_union(&a, &b, &c) == MCRED_OK && c.n == 8, "union of 5 and 5 sharing 2");
    CHECK(mc_skillset_minus(&a, &b, &c) == MCRED_OK && c.n == 3 && c.v[0] == 1 &&
          c.v[1] == 3 && c.v[2] == 200, "minus");
    CHECK(mc_skillset_intersect(&a, &b, &c) == MCRED_OK && c.n == 2 && c.v[0] == 5 &&
          c.v[1] == 9, "intersect");
    CHECK(mc_skillset_overlap(&a, &b) == 2, "overlap count");
    CHECK(mc_bitset_init(&ba, 256) == MCRED_OK && mc_bitset_init(&bb, 256) == MCRED_OK, "bits");
    mc_bitset_from(&ba, &a);
    mc_bitset_from(&bb, &b);
    CHECK(mc_bitset_and_count(&ba, &bb) == 2 && mc_bitset_get(&ba, 200) &&
          !mc_bitset_get(&bb, 300), "bitset overlap (ids past nbits left out)");
    mc_bitset_release(&ba);
    mc_bitset_release(&bb);
    mc_skillset_release(&a);
    mc_skillset_release(&b);
    mc_skillset_release(&c);
}

/* ---- custom frameworks --------------------------------------------------------------------- */

static const char custom_csv[] =
    "uri,label,kind,alt_labels,broader,essential,optional,description\n"
    "https://ex.org/occ/dev,software developer,occupation,programmer|coder,,"
    "https://ex.org/s/c|https://ex.org/s/test,https://ex.org/s/sql,Writes software\n"
    "https://ex.org/s/c,C programming,skill,C|C language,https://ex.org/g/prog,,,\n"
    "https://ex.org/s/test,software testing,skill,testing,https://ex.org/g/prog,,,\n"
    "https://ex.org/s/sql,SQL,knowledge,structured query language,,,,\n"
    "https://ex.org/g/prog,programming,skill-group,,,,,\n";

struct custom_bad {
    const char *name, *in;
    bool json;
    const char *msg;
};

static const struct custom_bad custom_errors[] = {
    { "unknown column", "uri,label,colour\nu:a,A,red\n", false,
      "t.csv:1: unknown column 'colour'" },
    { "missing label column", "uri\nu:a\n", false, "t.csv:1: the header has no column 'label'" },
    { "empty label", "uri,label\nu:a,\n", false, "t.csv:2: concept 'u:a' has no label" },
    { "unknown kind", "uri,label,kind\nu:a,A,hobby\n", false, "t.csv:2: unknown kind 'hobby'" },
    { "dangling broader", "uri,label,broader\nu:a,A,u:zz\n", false,
      "t.csv:2: broader names 'u:zz', which the file does not define" },
    { "duplicate uri", "uri,label\nu:a,A\nu:a,B\n", false,
      "t.csv:3: concept 'u:a' is defined twice (first at t.csv:2)" },
    { "essential from a skill", "uri,label,essential\nu:a,A,u:b\nu:b,B,\n", false,
      "only an occupation has essential skills" },
    { "bad quoting", "uri,label\nu:a,\"A\n", false, "is not closed" },
    { "JSON: not an object", "[1]", true, "expected a JSON object" },
    { "JSON: concepts not an array", "{\"name\":\"x\",\"concepts\":{}}", true,
      "\"concepts\" must be an array" },
    { "JSON: unknown member", "{\"name\":\"x\",\"concepts\":[{\"uri\":\"u:a\",\"label\":\"A\","
      "\"lable\":\"B\"}]}", true, "t.json: concepts[0]: unknown member 'lable'" },
    { "JSON: label not a string", "{\"name\":\"x\",\"concepts\":[{\"uri\":\"u:a\",\"label\":3}]}",
      true, "concepts[0].label: expected a string" },
    { "JSON: no name", "{\"concepts\":[]}", true, "no framework name" },
    { "JSON: reserved name", "{\"name\":\"esco\",\"concepts\":[]}", true, "not esco or onet" },
    { "JSON: syntax", "{\"name\":\"x\",", true, "" },
};

static void test_custom(void)
{
    static const char json[] =
        "{\"name\":\"acme\",\"version\":\"2\",\"title\":\"ACME skills\",\"concepts\":["
        "{\"uri\":\"https://acme.example/s/weld\",\"label\":\"welding\",\"altLabels\":"
        "[\"arc welding\",\"welding\"]},"
        "{\"uri\":\"https://acme.example/o/welder\",\"label\":\"welder\",\"kind\":\"occupation\","
        "\"essential\":[\"https://acme.example/s/weld\"]}]}";
    const struct mc_skill_import *im;
    struct mc_fw *f = NULL;
    struct mc_err err;
    size_t i;

    CHECK_RC(mc_skills_read_custom_mem(custom_csv, sizeof(custom_csv) - 1, false, "exorg",
                                       "t.csv", &f, &err), MCRED_OK, "custom CSV");
    if (f) {
        im = mc_fw_import(f);
        CHECK(im->nconcepts == 5 && im->nedges == 5, "5 concepts, 5 relations: %zu %zu",
              im->nconcepts, im->nedges);
        CHECK(im->nlabels == 5 + 6, "preferred and alternative labels: %zu", im->nlabels);
        CHECK(mc_fw_report(f)->nfiles == 1 && mc_fw_report(f)->files[0].rows == 5,
              "one file, five rows reported");
        mc_fw_free(f);
    }
    CHECK_RC(mc_skills_read_custom_mem(json, sizeof(json) - 1, true, NULL, "t.json", &f, &err),
             MCRED_OK, "custom JSON");
    if (f) {
        im = mc_fw_import(f);
        CHECK(strcmp(im->name, "acme") == 0 && strcmp(im->version, "2") == 0 &&
              im->nconcepts == 2 && im->nlabels == 3 && im->nedges == 1,
              "JSON framework: the duplicate alternative label dropped");
        CHECK(im->edges[0].rel == MC_SR_ESSENTIAL && im->edges[0].from == 1 &&
              im->edges[0].to == 0, "a relation to a concept defined before");
        mc_fw_free(f);
    }
    for (i = 0; i < sizeof(custom_errors) / sizeof(custom_errors[0]); i++) {
        const struct custom_bad *k = &custom_errors[i];
        mcred_rc rc;

        mc_err_clear(&err);
        rc = mc_skills_read_custom_mem(k->in, strlen(k->in), k->json, k->json ? NULL : "x",
                                       k->json ? "t.json" : "t.csv", &f, &err);
        CHECK(rc != MCRED_OK && f == NULL && strstr(err.msg, k->msg), "%s: rc %d '%s'",
              k->name, rc, err.msg);
    }
    CHECK_RC(mc_skills_read_custom_mem(custom_csv, 10, false, NULL, "t.csv", &f, &err),
             MCRED_ERR_INVALID, "CSV needs a name");
    CHECK_RC(mc_skills_read_custom_mem(custom_csv, 10, false, "Bad Name", "t.csv", &f, &err),
             MCRED_ERR_INVALID, "a name with spaces");
}

/* ---- the verbs over a store -------------------------------------------------------------- */

static int64_t put_credential(struct mc_store *st, int64_t org, int64_t issuer, int64_t ach,
                              const char *id, const char *recipient, time_t valid_until)
{
    struct mc_credential c;

    memset(&c, 0, sizeof(c));
    c.id = (char *)(uintptr_t)id;
    c.org_id = org;
    c.issuer_id = issuer;
    c.achievement_id = ach;
    c.recipient = (char *)(uintptr_t)recipient;
    c.state = MC_CRED_ACTIVE;
    c.issued = 1700000000;
    c.valid_until = valid_until;
    c.doc = "{}";
    return mc_store_cred_put(st, &c, NULL, NULL) == MCRED_OK;
}

static int64_t put_achievement(struct mc_store *st, int64_t org, const char *uri,
                               const char *skill_a, const char *skill_b)
{
    struct mc_achievement a;
    char json[1024];

    snprintf(json, sizeof(json), "{\"id\":\"%s\",\"type\":[\"Achievement\"],\"name\":\"A\","
             "\"alignment\":[{\"type\":[\"Alignment\"],\"targetName\":\"x\",\"targetUrl\":\"%s\"},"
             "{\"targetUrl\":\"%s\"},{\"targetUrl\":\"not a uri\"},{\"targetName\":\"y\"}]}",
             uri, skill_a, skill_b);
    memset(&a, 0, sizeof(a));
    a.org_id = org;
    a.uri = (char *)(uintptr_t)uri;
    a.json = json;
    return mc_store_achievement_put(st, &a, NULL) == MCRED_OK ? a.id : 0;
}

static void test_store_import(struct mc_store *st)
{
    struct mc_fw *f = NULL, *bad = NULL;
    struct mc_skill_stats s;
    struct mc_store_list l;
    const struct mc_skill *k;
    struct mc_skill one;
    struct mc_err err;
    int64_t fw = 0, fw2 = 0;
    static const char clash[] = "uri,label\nhttps://ex.org/s/c,C again\n";

    CHECK_RC(mc_skills_read_custom_mem(custom_csv, sizeof(custom_csv) - 1, false, "exorg",
                                       "t.csv", &f, &err), MCRED_OK, "read");
    CHECK_RC(mc_skills_import(st, f, NULL, &fw, &err), MCRED_OK, "import");
    CHECK_RC(mc_store_skill_stats(st, fw, &s, &err), MCRED_OK, "stats");
    CHECK(s.kinds[MC_SK_SKILL] == 2 && s.kinds[MC_SK_KNOWLEDGE] == 1 &&
          s.kinds[MC_SK_OCCUPATION] == 1 && s.kinds[MC_SK_SKILL_GROUP] == 1, "kinds stored");
    CHECK(s.rels[MC_SR_ESSENTIAL] == 2 && s.rels[MC_SR_OPTIONAL] == 1 &&
          s.rels[MC_SR_BROADER] == 2, "relations stored");
    CHECK(s.labels == 11 && s.pref_labels == 5, "labels stored: %lld", (long long)s.labels);
    /* importing again replaces (same counts, new ids) */
    CHECK_RC(mc_skills_import(st, f, NULL, &fw2, &err), MCRED_OK, "import again");
    CHECK_RC(mc_store_skill_stats(st, fw2, &s, &err), MCRED_OK, "stats again");
    CHECK(s.labels == 11 && s.rels[MC_SR_ESSENTIAL] == 2, "nothing doubled");
    /* a framework defining another's concept fails whole, the first intact */
    CHECK_RC(mc_skills_read_custom_mem(clash, sizeof(clash) - 1, false, "other", "c.csv", &bad,
                                       &err), MCRED_OK, "read the clashing framework");
    CHECK_RC(mc_skills_import(st, bad, NULL, &fw, &err), MCRED_ERR_CONFLICT, "clash refused");
    CHECK(strstr(err.msg, "'https://ex.org/s/c' is defined by framework 'exorg'") != NULL,
          "the clash named: %s", err.msg);
    CHECK_RC(mc_store_skill_get(st, "https://ex.org/s/c", &one, &err), MCRED_OK, "still there");
    CHECK(one.label && strcmp(one.label, "C programming") == 0, "the first framework's label");
    mc_skill_release(&one);
    CHECK_RC(mc_store_skill_framework_list(st, &l, &err), MCRED_OK, "framework list");
    CHECK(l.n == 1, "only the first framework: %zu", l.n);
    mc_store_list_clear(&l);
    /* search: every word a prefix; exact label first */
    CHECK_RC(mc_skills_search(st, "softw test", NULL, 10, &l, &err), MCRED_OK, "search");
    k = l.rows;
    CHECK(l.n == 1 && strcmp(k[0].uri, "https://ex.org/s/test") == 0, "found by prefixes");
    mc_store_list_clear(&l);
    CHECK_RC(mc_skills_search(st, "programming", NULL, 10, &l, &err), MCRED_OK, "search 2");
    k = l.rows;
    CHECK(l.n == 2 && strcmp(k[0].uri, "https://ex.org/g/prog") == 0,
          "the exact label first: %s", l.n ? k[0].uri : "-");
    mc_store_list_clear(&l);
    CHECK_RC(mc_skills_search(st, "programming", "occupation", 10, &l, &err), MCRED_OK, "kinds");
    CHECK(l.n == 0, "no occupation is called programming");
    mc_store_list_clear(&l);
    CHECK_RC(mc_skills_search(st, "coder", "occupation", 10, &l, &err), MCRED_OK, "alt label");
    k = l.rows;
    CHECK(l.n == 1 && strcmp(k[0].extra, "coder") == 0, "found by an alternative label");
    mc_store_list_clear(&l);
    CHECK_RC(mc_skills_search(st, "+++", NULL, 10, &l, &err), MCRED_ERR_INVALID, "no words");
    CHECK_RC(mc_skills_search(st, "x", "hobby", 10, &l, &err), MCRED_ERR_INVALID, "bad kind");
    mc_fw_free(f);
    mc_fw_free(bad);
}

/* A second framework: its "C programming" matches the first's by label; an
 * operator maps the first's C onto its quality assurance. */
static void test_crosswalk(struct mc_store *st, const struct mc_learner_skills *ls)
{
    static const char alt[] =
        "uri,label,kind,essential\n"
        "https://alt.example/o/dev,developer,occupation,https://alt.example/s/c|"
        "https://alt.example/s/qa\n"
        "https://alt.example/s/c,C programming,skill,\n"
        "https://alt.example/s/qa,quality assurance,skill,\n";
    struct mc_store_list l;
    const struct mc_skill *k;
    struct mc_target t;
    struct mc_gap g;
    struct mc_fw *f = NULL;
    struct mc_err err;
    int64_t fw = 0;

    CHECK_RC(mc_skills_read_custom_mem(alt, sizeof(alt) - 1, false, "alt", "alt.csv", &f, &err),
             MCRED_OK, "read alt");
    CHECK_RC(mc_skills_import(st, f, NULL, &fw, &err), MCRED_OK, "import alt");
    mc_fw_free(f);
    CHECK_RC(mc_store_skill_map_list(st, "https://ex.org/s/c", &l, &err), MCRED_OK, "map list");
    k = l.rows;
    CHECK(l.n == 1 && strcmp(k[0].uri, "https://alt.example/s/c") == 0 &&
          strcmp(k[0].extra, "label") == 0, "an exact label match in the crosswalk");
    mc_store_list_clear(&l);
    CHECK_RC(mc_skills_target_occupation(st, "https://alt.example/o/dev", &t, &err), MCRED_OK,
             "alt target");
    CHECK_RC(mc_skills_gap(st, &t, ls, &g, &err), MCRED_OK, "alt gap");
    CHECK(g.n == 2 && g.missing == 1 && g.v[1].status == MC_GAP_EQUIVALENT &&
          strcmp(g.v[1].via, "https://ex.org/s/c") == 0, "C covered through the crosswalk");
    mc_gap_release(&g);
    CHECK_RC(mc_store_skill_map_put(st, "https://ex.org/s/c", "https://alt.example/s/qa", 0,
                                    &err), MCRED_OK, "operator mapping");
    CHECK_RC(mc_store_skill_map_put(st, "https://ex.org/s/c", "https://ex.org/s/c", 0, &err),
             MCRED_ERR_INVALID, "a concept onto itself");
    CHECK_RC(mc_store_skill_map_list(st, "https://ex.org/s/c", &l, &err), MCRED_OK, "map list 2");
    k = l.rows;
    CHECK(l.n == 2 && strcmp(k[0].extra, "operator") == 0, "operator mappings first");
    mc_store_list_clear(&l);
    CHECK_RC(mc_skills_gap(st, &t, ls, &g, &err), MCRED_OK, "alt gap again");
    CHECK(g.n == 2 && g.missing == 0 && g.covered == g.total, "both covered now");
    mc_gap_release(&g);
    mc_target_release(&t);
    /* re-importing the first framework keeps the operator mapping */
    CHECK_RC(mc_skills_read_custom_mem(custom_csv, sizeof(custom_csv) - 1, false, "exorg",
                                       "t.csv", &f, &err), MCRED_OK, "read exorg");
    CHECK_RC(mc_skills_import(st, f, NULL, &fw, &err), MCRED_OK, "import exorg again");
    mc_fw_free(f);
    CHECK_RC(mc_store_skill_map_list(st, "https://alt.example/s/qa", &l, &err), MCRED_OK,
             "map list 3");
    CHECK(l.n == 1, "the operator mapping survived the re-import");
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_skill_map_list(st, "https://alt.example/s/c", &l, &err), MCRED_OK,
             "map list 4");
    CHECK(l.n == 1, "the label match was recomputed");
    mc_store_list_clear(&l);
}

static void test_store_learner(struct mc_store *st)
{
    struct mc_learner_skills ls;
    struct mc_target t;
    struct mc_gap g;
    struct mc_learner ln;
    struct mc_issuer is;
    struct mc_skills_index *ix = NULL;
    struct mc_postings_report rep;
    struct mc_err err;
    int64_t org = 0, ach, ach2;
    size_t i;
    static const char postings[] =
        "{\"id\":\"p1\",\"title\":\"Dev\",\"text\":\"C programming and software testing\"}\n"
        "\n"
        "{\"id\":\"p2\",\"text\":\"We need C programming.\"}\n"
        "{\"id\":\"p3\",\"text\":\"\"}\n";

    CHECK_RC(mc_store_org_create(st, "skills-org", &org, &err), MCRED_OK, "org");
    memset(&is, 0, sizeof(is));
    is.org_id = org;
    is.name = "Uni";
    CHECK_RC(mc_store_issuer_put(st, &is, &err), MCRED_OK, "issuer");
    memset(&ln, 0, sizeof(ln));
    ln.org_id = org;
    ln.name = "Ada";
    ln.email = "ada@example.org";
    CHECK_RC(mc_store_learner_put(st, &ln, &err), MCRED_OK, "learner");
    ach = put_achievement(st, org, "https://uni.example/a/c", "https://ex.org/s/c",
                          "https://elsewhere.example/skill/x");
    ach2 = put_achievement(st, org, "https://uni.example/a/sql", "https://ex.org/s/sql",
                           "https://ex.org/s/sql");
    CHECK(ach && ach2, "achievements");
    CHECK(put_credential(st, org, is.id, ach, "urn:uuid:1", "ADA@example.org", 0),
          "a credential to the learner's e-mail (any case)");
    CHECK(put_credential(st, org, is.id, ach2, "urn:uuid:2", "ada@example.org", 1000),
          "an expired credential");
    CHECK_RC(mc_store_skill_declare(st, org, ln.id, "https://ex.org/s/test", 0, &err), MCRED_OK,
             "declare");
    CHECK_RC(mc_store_skill_declare(st, org, ln.id, "https://ex.org/s/test", 0, &err), MCRED_OK,
             "declare twice");
    CHECK_RC(mc_store_skill_declare(st, org, ln.id + 99, "https://ex.org/s/test", 0, &err),
             MCRED_ERR_NOTFOUND, "declare for an unknown learner");
    CHECK_RC(mc_store_skill_declare(st, org, ln.id, "not a uri", 0, &err), MCRED_ERR_INVALID,
             "declare a non-URI");
    CHECK_RC(mc_skills_of_learner(st, org, ln.id, 2000000000, &ls, &err), MCRED_OK, "learner");
    CHECK(ls.n == 3 && ls.verified == 2, "two verified (one unknown to frameworks), one "
          "declared: %zu %zu", ls.n, ls.verified);
    CHECK(ls.n == 3 && ls.v[0].verified && strcmp(ls.v[0].uri, "https://ex.org/s/c") == 0 &&
          strcmp(ls.v[0].credential, "urn:uuid:1") == 0 && ls.v[0].label, "verified C");
    CHECK(ls.n == 3 && ls.v[1].verified && !ls.v[1].label, "a skill no framework defines");
    CHECK(ls.n == 3 && !ls.v[2].verified && ls.v[2].declared, "declared, unverified");
    /* an occupation target and its gap */
    CHECK_RC(mc_skills_target_occupation(st, "https://ex.org/occ/dev", &t, &err), MCRED_OK,
             "occupation target");
    CHECK(t.n == 3 && t.v[0].need == MC_NEED_ESSENTIAL && t.v[2].need == MC_NEED_OPTIONAL &&
          t.v[0].weight == 1.0 && t.v[2].weight == 0.5, "essential above optional");
    CHECK_RC(mc_skills_gap(st, &t, &ls, &g, &err), MCRED_OK, "gap");
    CHECK(g.n == 3 && g.missing == 2 && g.total == 2.5 && g.covered == 1.0, "gap sums");
    CHECK(g.n == 3 && g.v[0].status == MC_GAP_MISSING && g.v[0].declared &&
          strcmp(t.v[g.v[0].skill].uri, "https://ex.org/s/test") == 0,
          "declared testing is still missing, first");
    CHECK(g.n == 3 && g.v[2].status == MC_GAP_HELD && strcmp(g.v[2].via, "urn:uuid:1") == 0,
          "C held via its credential");
    mc_gap_release(&g);
    /* the crosswalk: the unknown skill mapped onto testing covers it */
    CHECK_RC(mc_store_skill_map_put(st, "https://elsewhere.example/skill/x",
                                    "https://ex.org/s/test", 0, &err), MCRED_ERR_NOTFOUND,
             "a mapping needs both concepts imported");
    mc_target_release(&t);
    test_crosswalk(st, &ls);
    mc_learner_skills_release(&ls);
    CHECK_RC(mc_skills_of_learner(st, org, ln.id + 99, 0, &ls, &err), MCRED_ERR_NOTFOUND,
             "unknown learner");
    CHECK_RC(mc_skills_target_occupation(st, "https://ex.org/s/c", &t, &err), MCRED_ERR_INVALID,
             "a skill is not an occupation");
    CHECK(strstr(err.msg, "not an occupation") != NULL, "message: %s", err.msg);
    CHECK_RC(mc_skills_target_occupation(st, "https://ex.org/occ/none", &t, &err),
             MCRED_ERR_NOTFOUND, "unknown occupation");
    CHECK(strstr(err.msg, "unknown occupation 'https://ex.org/occ/none'") != NULL, "message: "
          "%s", err.msg);
    /* job text, postings and demand */
    CHECK_RC(mc_skills_index_load(st, &ix, &err), MCRED_OK, "index");
    CHECK_RC(mc_skills_target_job(ix, "Coder wanted: SQL, C and testing.", 33, &t, &err),
             MCRED_OK, "job target");
    CHECK(t.n == 3 && t.v[0].need == MC_NEED_MENTIONED, "three skills named");
    mc_target_release(&t);
    CHECK_RC(mc_skills_target_job(ix, "", 0, &t, &err), MCRED_ERR_INVALID, "empty job");
    CHECK_RC(mc_skills_target_job(ix, "Nothing here.", 13, &t, &err), MCRED_ERR_INVALID,
             "no skill named");
    CHECK_RC(mc_skills_postings_import(st, ix, postings, sizeof(postings) - 1, "p.jsonl", &rep,
                                       &err), MCRED_OK, "postings");
    CHECK(rep.postings == 3 && rep.mentions == 5 && rep.without_skills == 1,
          "postings report (C programming is a label of two frameworks now)");
    CHECK_RC(mc_skills_postings_import(st, ix, "{\"id\":\"p9\",\"text\":\"C\"}\n{\"id\":3}\n",
                                       33, "q.jsonl", &rep, &err), MCRED_ERR_INVALID,
             "a bad posting");
    CHECK(strstr(err.msg, "q.jsonl:2:") && rep.postings == 0, "named by line: %s", err.msg);
    CHECK_RC(mc_skills_target_occupation(st, "https://ex.org/occ/dev", &t, &err), MCRED_OK,
             "occupation target again");
    CHECK_RC(mc_skills_target_demand(st, &t, &err), MCRED_OK, "demand");
    for (i = 0; i < t.n; i++) {
        if (strcmp(t.v[i].uri, "https://ex.org/s/c") == 0)
            CHECK(t.v[i].demand > 0.66 && t.v[i].demand < 0.67 && t.v[i].weight > 1.66,
                  "C in 2 of 3 postings (p9 was not stored): %f", t.v[i].demand);
    }
    mc_target_release(&t);
    mc_skills_index_free(ix);
}

static void test_store(void)
{
    struct mc_store *st = NULL;
    struct mc_err err;

    CHECK_RC(mc_store_open(&st, ":memory:", &err), MCRED_OK, "open :memory:");
    if (!st)
        return;
    test_store_import(st);
    test_store_learner(st);
    mc_store_close(st);
}

/* ---- allocation failures ------------------------------------------------------------------ */

static mcred_rc parse_all(void)
{
    struct mc_fw *f = NULL;
    struct mc_extractor *x = NULL;
    struct mc_hits h;
    mcred_rc rc;

    memset(&h, 0, sizeof(h));
    rc = mc_skills_read_custom_mem(custom_csv, sizeof(custom_csv) - 1, false, "exorg", "t.csv",
                                   &f, NULL);
    if (!rc)
        rc = mc_extractor_new(&x);
    if (!rc)
        rc = mc_extractor_add(x, "software testing", 16, 1, true, NULL);
    if (!rc)
        rc = mc_extractor_add(x, "C programming", 13, 2, true, NULL);
    if (!rc)
        rc = mc_extractor_build(x);
    if (!rc)
        rc = mc_extractor_run(x, "Software testing in C programming.", 34, &h, NULL);
    mc_hits_release(&h);
    mc_extractor_free(x);
    mc_fw_free(f);
    return rc;
}

static void test_torture(void)
{
    unsigned long n;
    int failures = 0;
    mcred_rc rc = MCRED_ERR_NOMEM;

    for (n = 1; n < 2000 && rc; n++) {
        mcred_test_fail_alloc(n);
        rc = parse_all();
        mcred_test_fail_alloc(0);
        failures += rc == MCRED_ERR_NOMEM;
    }
    CHECK(rc == MCRED_OK && failures == (int)n - 2, "allocation failures: %d handled before "
          "success at %lu", failures, n - 1);
}

int main(void)
{
    test_csv();
    test_words();
    test_extract();
    test_skillset();
    test_custom();
    test_store();
    test_torture();
    return check_report();
}
