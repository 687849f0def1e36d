/* cmd_skills.c - `mcred skills`: import skills frameworks (ESCO, O*NET,
 * custom) from their published files, search them, map concepts between
 * them, record what learners declare, find skills in a job description,
 * import job postings for market demand, and show a learner's skills gap
 * against an occupation or a job description. Framework data is shown with
 * its attribution (a footer line; "attribution" in JSON).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "skills/skills.h"
#include "store/store.h"

static const char usage[] =
    "usage: mcred skills import esco DIR [--release VERSION] [--quiet]\n"
    "       mcred skills import onet DIR [--quiet]\n"
    "       mcred skills import custom FILE [--name NAME] [--quiet]\n"
    "       mcred skills frameworks [--json]\n"
    "       mcred skills search [--kind KINDS] [--limit N] [--json] TEXT...\n"
    "       mcred skills show [--json] URI|ONET-SOC-CODE\n"
    "       mcred skills map FROM_URI TO_URI\n"
    "       mcred skills map --list [--json] URI\n"
    "       mcred skills declare --learner ID URI\n"
    "       mcred skills learner --learner ID [--json]\n"
    "       mcred skills extract [--json] FILE\n"
    "       mcred skills postings import FILE.jsonl\n"
    "       mcred skills demand [--top N] [--json]\n"
    "       mcred skills gap --learner ID (--target OCCUPATION | --job FILE) [--json]\n"
    "\n"
    "import reads a framework's published files and replaces the framework of that name\n"
    "in one transaction: ESCO's English CSV files (v1.1.x; --release records its version),\n"
    "O*NET's text files (29.x), or a custom CSV or JSON file (see docs/skills.md). A\n"
    "malformed row stops the import with FILE:LINE and nothing changes. A progress bar is\n"
    "drawn on standard error when it is a terminal (--quiet: never).\n"
    "search finds skills and occupations by their labels and alternative labels (every\n"
    "word a prefix; --kind: skill,knowledge,technology,skill-group,occupation,\n"
    "occupation-group). show prints one concept and its relations. map records that two\n"
    "concepts of different frameworks are the same (the crosswalk also holds exact label\n"
    "matches, found at import). declare records a skill a learner claims (unverified);\n"
    "learner lists a learner's skills: those of their valid credentials (the achievements'\n"
    "alignment targetUrl) and the declared ones. extract prints the skills named in a job\n"
    "description (FILE, - for standard input; at most 1 MiB) with their byte positions.\n"
    "postings import reads JSON Lines ({\"id\", \"title\", \"text\"}) and stores the skills\n"
    "of each posting; demand lists skills by the share of postings naming them. gap shows\n"
    "the target's skills the learner has no valid credential for, by weight (essential 1,\n"
    "optional 0.5, O*NET technology 0.5 to 1 by its hot and in-demand flags, named in the\n"
    "job 1; times 1 + the skill's demand). ID is a learner's row id, e-mail address or DID.\n"
    "Every command takes --db DSN to use another store than mcred.conf names.\n"
    "exit codes: 0 done; 1 the input was refused (malformed, unknown, not found);\n"
    "            2 usage, I/O or store error\n";

/* ---- output helpers ------------------------------------------------------------------- */

/* Exit code of a library error, printed with what. */
static int fail(const struct mc_err *err, const char *what)
{
    return admin_store_error(err, "%s", what);   /* 1 refused, 2 usage or I/O */
}

/* Framework names seen in the output, for the attribution footer. */
struct seen {
    char names[16][48];
    size_t n;
};

static void see(struct seen *s, const char *name)
{
    size_t i;

    if (!name)
        return;
    for (i = 0; i < s->n; i++) {
        if (strcmp(s->names[i], name) == 0)
            return;
    }
    if (s->n < 16)
        mc_strlcpy(s->names[s->n++], name, sizeof(s->names[0]));
}

/* The attribution of each seen framework: printed as footer lines, or
 * (arr not NULL) added to a JSON array. */
static void attribution(struct mc_store *st, const struct seen *s, cJSON *arr)
{
    struct mc_store_list l;
    const struct mc_skill_framework *f;
    struct mc_err err;
    size_t i, j;

    if (!s->n || mc_store_skill_framework_list(st, &l, &err))
        return;
    f = l.rows;
    for (i = 0; i < s->n; i++) {
        for (j = 0; j < l.n; j++) {
            const char *text = f[j].attribution;

            if (strcmp(f[j].name, s->names[i]) != 0)
                continue;
            if (!text)
                text = f[j].title ? f[j].title : f[j].name;
            if (arr)
                cJSON_AddItemToArray(arr, cJSON_CreateString(text));
            else
                printf("%s%s\n", i == 0 ? "\n" : "", text);
        }
    }
    mc_store_list_clear(&l);
}

/* A learner by row id, e-mail address or DID. */
static int find_learner(struct admin *a, const char *ref, int64_t *id)
{
    struct mc_learner l;
    struct mc_err err;
    int64_t n = 0;
    int rc;

    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    if (!ref) {
        cli_error("skills: --learner ID is required");
        return CLI_USAGE;
    }
    admin_parse_id(ref, &n);
    rc = mc_store_learner_get(a->st, a->org, n, n ? NULL : ref, &l, &err);
    if (rc) {
        cli_error("skills: learner '%s': %s", ref,
                  rc == MCRED_ERR_NOTFOUND ? "not found (mcred learner list)" : mc_err_msg(&err));
        return rc == MCRED_ERR_NOTFOUND ? CLI_FAILED : CLI_USAGE;
    }
    *id = l.id;
    mc_learner_release(&l);
    return CLI_OK;
}

/* ---- the progress bar ------------------------------------------------------------------ */

struct bar {
    bool on;
    int last;          /* per mille last drawn */
    char phase[48];
};

static void draw(void *ud, const char *phase, size_t done, size_t total)
{
    struct bar *b = ud;
    int permille = total ? (int)((double)done * 1000.0 / (double)total) : 1000, i, fill;
    char line[128];

    if (!b->on)
        return;
    if (permille > 1000)
        permille = 1000;
    if (permille / 10 == b->last / 10 && strcmp(b->phase, phase) == 0)
        return;
    b->last = permille;
    mc_strlcpy(b->phase, phase, sizeof(b->phase));
    fill = permille * 30 / 1000;
    for (i = 0; i < 30; i++)
        line[i] = i < fill ? '#' : ' ';
    line[30] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %-40.40s", line, permille / 10, phase);
    fflush(stderr);
}

static void bar_end(struct bar *b)
{
    if (b->on && b->last >= 0)
        fputs("\n", stderr);
    b->last = -1;
}

/* ---- import ------------------------------------------------------------------------------ */

static void print_stats(const char *name, const struct mc_skill_stats *s, int64_t concepts)
{
    printf("imported %s: %lld concepts (%lld skills, %lld knowledge, %lld technologies, "
           "%lld skill groups, %lld occupations, %lld occupation groups)\n", name,
           (long long)concepts, (long long)s->kinds[MC_SK_SKILL],
           (long long)s->kinds[MC_SK_KNOWLEDGE], (long long)s->kinds[MC_SK_TECHNOLOGY],
           (long long)s->kinds[MC_SK_SKILL_GROUP], (long long)s->kinds[MC_SK_OCCUPATION],
           (long long)s->kinds[MC_SK_OCCUPATION_GROUP]);
    printf("  labels: %lld (%lld preferred, %lld alternative)\n", (long long)s->labels,
           (long long)s->pref_labels, (long long)(s->labels - s->pref_labels));
    printf("  relations: %lld essential, %lld optional, %lld technology (%lld hot, %lld in "
           "demand), %lld skill-essential, %lld skill-optional, %lld broader\n",
           (long long)s->rels[MC_SR_ESSENTIAL], (long long)s->rels[MC_SR_OPTIONAL],
           (long long)s->rels[MC_SR_TECHNOLOGY], (long long)s->hot, (long long)s->in_demand,
           (long long)s->rels[MC_SR_SKILL_ESSENTIAL], (long long)s->rels[MC_SR_SKILL_OPTIONAL],
           (long long)s->rels[MC_SR_BROADER]);
}

static void print_report(struct mc_fw *f)
{
    const struct mc_fw_report *r = mc_fw_report(f);
    size_t i;

    for (i = 0; i < r->nfiles; i++) {
        const struct mc_fw_file *file = &r->files[i];

        if (!file->present) {
            printf("  %s: absent\n", file->name);
            continue;
        }
        printf("  %s: %zu rows", file->name, file->rows);
        if (file->skipped)
            printf(", %zu skipped (the first: %s)", file->skipped, file->first_skip);
        printf("\n");
    }
    if (r->duplicates)
        printf("  %zu relations were given twice (merged)\n", r->duplicates);
}

static int skills_import(int argc, char **argv)
{
    const char *db = NULL, *release = NULL, *name = NULL, *pos[2];
    bool quiet = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "release", &release, NULL },
                              { "name", &name, NULL }, { "quiet", NULL, &quiet },
                              { NULL, NULL, NULL } };
    struct bar b = { false, -1, "" };
    struct mc_skills_progress p = { draw, &b };
    struct mc_skill_stats stats;
    struct mc_fw *f = NULL;
    struct admin a;
    struct mc_err err;
    struct seen seen = { .n = 0 };
    int64_t fw = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 2, &npos);
    if (rc)
        return rc;
    if (npos != 2 || (strcmp(pos[0], "esco") != 0 && strcmp(pos[0], "onet") != 0 &&
                      strcmp(pos[0], "custom") != 0)) {
        cli_error("skills import: give esco DIR, onet DIR or custom FILE");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    b.on = !quiet && isatty(2);
    mc_err_clear(&err);
    if (strcmp(pos[0], "esco") == 0)
        rc = mc_skills_read_esco(pos[1], release, &p, &f, &err);
    else if (strcmp(pos[0], "onet") == 0)
        rc = mc_skills_read_onet(pos[1], &p, &f, &err);
    else
        rc = mc_skills_read_custom(pos[1], name, &f, &err);
    if (!rc)
        rc = mc_skills_import(a.st, f, &p, &fw, &err);
    bar_end(&b);
    if (rc) {
        rc = fail(&err, "skills import");
        fprintf(stderr, "mcred: nothing was imported; the stored frameworks are unchanged\n");
    } else if (mc_store_skill_stats(a.st, fw, &stats, &err)) {
        rc = admin_store_error(&err, "skills import");
    } else {
        const struct mc_skill_import *im = mc_fw_import(f);

        print_stats(im->name, &stats, (int64_t)im->nconcepts);
        print_report(f);
        see(&seen, im->name);
        attribution(a.st, &seen, NULL);
    }
    mc_fw_free(f);
    admin_close(&a);
    return rc;
}

/* ---- frameworks, search, show, map ------------------------------------------------------ */

static cJSON *skill_json(const struct mc_skill *k)
{
    cJSON *o = cJSON_CreateObject();

    if (o && admin_json_str(o, "uri", k->uri) && admin_json_str(o, "label", k->label) &&
        admin_json_str(o, "kind", k->label ? mc_skill_kind_name(k->kind) : NULL) &&
        admin_json_str(o, "framework", k->framework) &&
        (!k->code || admin_json_str(o, "code", k->code)))
        return o;
    cJSON_Delete(o);
    return NULL;
}

static int skills_frameworks(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    const struct mc_skill_framework *f;
    struct mc_store_list l;
    struct admin a;
    struct mc_err err;
    cJSON *arr;
    char t[32];
    size_t i;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    if (mc_store_skill_framework_list(a.st, &l, &err)) {
        admin_close(&a);
        return admin_store_error(&err, "skills frameworks");
    }
    f = l.rows;
    arr = json ? cJSON_CreateArray() : NULL;
    for (i = 0; i < l.n; i++) {
        if (arr) {
            cJSON *o = cJSON_CreateObject();

            admin_json_str(o, "name", f[i].name);
            admin_json_str(o, "version", f[i].version);
            admin_json_str(o, "title", f[i].title);
            admin_json_str(o, "attribution", f[i].attribution);
            admin_json_time(o, "imported", f[i].imported);
            admin_json_int(o, "concepts", f[i].concepts);
            admin_json_int(o, "labels", f[i].labels);
            admin_json_int(o, "relations", f[i].edges);
            cJSON_AddItemToArray(arr, o);
        } else {
            printf("%-10s %-8s %8lld concepts %8lld labels %8lld relations  imported %s\n",
                   f[i].name, f[i].version ? f[i].version : "-", (long long)f[i].concepts,
                   (long long)f[i].labels, (long long)f[i].edges, admin_time(f[i].imported, t));
            if (f[i].attribution)
                printf("           %s\n", f[i].attribution);
        }
    }
    if (arr)
        rc = admin_print_json(arr);
    else if (l.n == 0)
        printf("no skills framework is imported (mcred skills import esco|onet|custom)\n");
    cJSON_Delete(arr);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

static int skills_search(int argc, char **argv)
{
    const char *db = NULL, *kinds = NULL, *limit_s = NULL, *pos[16];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "kind", &kinds, NULL },
                              { "limit", &limit_s, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    char text[1024] = "";
    struct mc_store_list l;
    const struct mc_skill *k;
    struct seen seen = { .n = 0 };
    struct admin a;
    struct mc_err err;
    size_t limit = 20, i;
    cJSON *out = NULL, *arr = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 16, &npos);
    if (!rc)
        rc = admin_parse_count("limit", limit_s, 1, MC_STORE_PAGE_MAX, &limit);
    if (rc)
        return rc;
    for (i = 0; i < (size_t)npos; i++) {
        mc_strlcat(text, i ? " " : "", sizeof(text));
        mc_strlcat(text, pos[i], sizeof(text));
    }
    if (!text[0]) {
        cli_error("skills search: what to look for?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_skills_search(a.st, text, kinds, limit, &l, &err)) {
        admin_close(&a);
        return fail(&err, "skills search");
    }
    k = l.rows;
    if (json) {
        out = cJSON_CreateObject();
        arr = cJSON_AddArrayToObject(out, "results");
    }
    for (i = 0; i < l.n; i++) {
        see(&seen, k[i].framework);
        if (arr) {
            cJSON *o = skill_json(&k[i]);

            admin_json_str(o, "matched", k[i].extra);
            cJSON_AddItemToArray(arr, o);
            continue;
        }
        printf("%-16s %-6s %s", mc_skill_kind_name(k[i].kind), k[i].framework, k[i].label);
        if (k[i].extra && strcmp(k[i].extra, k[i].label) != 0)
            printf("  (\"%s\")", k[i].extra);
        printf("\n  %s\n", k[i].uri);
    }
    if (!json && l.n == 0)
        printf("nothing found for '%s'\n", text);
    if (out) {
        attribution(a.st, &seen, cJSON_AddArrayToObject(out, "attribution"));
        rc = admin_print_json(out);
    } else {
        attribution(a.st, &seen, NULL);
    }
    cJSON_Delete(out);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

static const char *rel_title(enum mc_skill_rel r, bool reverse)
{
    switch (r) {
    case MC_SR_ESSENTIAL:
        return reverse ? "essential for occupation" : "essential skill";
    case MC_SR_OPTIONAL:
        return reverse ? "optional for occupation" : "optional skill";
    case MC_SR_TECHNOLOGY:
        return reverse ? "used in occupation" : "technology";
    case MC_SR_SKILL_ESSENTIAL:
        return reverse ? "essential to skill" : "needs skill";
    case MC_SR_SKILL_OPTIONAL:
        return reverse ? "optional to skill" : "may need skill";
    case MC_SR_BROADER:
        return reverse ? "narrower" : "broader";
    default:
        return "related";
    }
}

static void show_links(const struct mc_store_list *l, bool reverse, cJSON *arr)
{
    const struct mc_skill *k = l->rows;
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (arr) {
            cJSON *o = skill_json(&k[i]);

            admin_json_str(o, "relation", mc_skill_rel_name(k[i].rel));
            admin_json_str(o, "direction", reverse ? "in" : "out");
            if (k[i].flags & MC_SKILL_HOT)
                cJSON_AddBoolToObject(o, "hot", 1);
            if (k[i].flags & MC_SKILL_IN_DEMAND)
                cJSON_AddBoolToObject(o, "inDemand", 1);
            cJSON_AddItemToArray(arr, o);
            continue;
        }
        printf("  %-26s %s%s%s\n      %s\n", rel_title(k[i].rel, reverse), k[i].label,
               k[i].flags & MC_SKILL_HOT ? " [hot]" : "",
               k[i].flags & MC_SKILL_IN_DEMAND ? " [in demand]" : "", k[i].uri);
    }
}

static int skills_show(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_store_list out_l, in_l, map_l;
    struct seen seen = { .n = 0 };
    struct mc_skill k;
    struct admin a;
    struct mc_err err;
    char onet[256];
    const char *uri;
    cJSON *o = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("skills show: which concept (a URI, or an O*NET-SOC code)?");
        return CLI_USAGE;
    }
    uri = mc_onet_occupation_uri(pos[0], onet, sizeof(onet)) ? onet : pos[0];
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&out_l, 0, sizeof(out_l));
    memset(&in_l, 0, sizeof(in_l));
    memset(&map_l, 0, sizeof(map_l));
    mc_err_clear(&err);
    if (mc_store_skill_get(a.st, uri, &k, &err) ||
        mc_store_skill_links(a.st, k.id, false, &out_l, &err) ||
        mc_store_skill_links(a.st, k.id, true, &in_l, &err) ||
        mc_store_skill_map_list(a.st, k.uri, &map_l, &err)) {
        rc = fail(&err, "skills show");
        goto out;
    }
    see(&seen, k.framework);
    if (json) {
        o = skill_json(&k);
        admin_json_str(o, "description", k.description);
        show_links(&out_l, false, cJSON_AddArrayToObject(o, "relations"));
        show_links(&in_l, true, cJSON_GetObjectItem(o, "relations"));
        show_links(&map_l, false, cJSON_AddArrayToObject(o, "crosswalk"));
        attribution(a.st, &seen, cJSON_AddArrayToObject(o, "attribution"));
        rc = admin_print_json(o);
        cJSON_Delete(o);
        goto out;
    }
    printf("%s\n  %s (%s, %s%s%s)\n", k.label, k.uri, mc_skill_kind_name(k.kind), k.framework,
           k.code ? ", code " : "", k.code ? k.code : "");
    if (k.description)
        printf("\n%s\n", k.description);
    if (out_l.n + in_l.n)
        printf("\nrelations:\n");
    show_links(&out_l, false, NULL);
    show_links(&in_l, true, NULL);
    if (map_l.n) {
        const struct mc_skill *m = map_l.rows;
        size_t i;

        printf("\ncrosswalk:\n");
        for (i = 0; i < map_l.n; i++) {
            printf("  %-9s %s\n      %s\n", m[i].extra, m[i].label ? m[i].label : "(not "
                   "imported)", m[i].uri);
            see(&seen, m[i].framework);
        }
    }
    attribution(a.st, &seen, NULL);
out:
    mc_skill_release(&k);
    mc_store_list_clear(&out_l);
    mc_store_list_clear(&in_l);
    mc_store_list_clear(&map_l);
    admin_close(&a);
    return rc;
}

static int skills_map(int argc, char **argv)
{
    const char *db = NULL, *pos[2];
    bool list = false, json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "list", NULL, &list },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_store_list l;
    struct admin a;
    struct mc_err err;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 2, &npos);
    if (rc)
        return rc;
    if (npos != (list ? 1 : 2)) {
        cli_error(list ? "skills map --list: which concept?"
                       : "skills map: give the two concepts, FROM_URI TO_URI");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (!list) {
        if (mc_store_skill_map_put(a.st, pos[0], pos[1], 0, &err))
            rc = fail(&err, "skills map");
        else
            printf("mapped %s -> %s\n", pos[0], pos[1]);
    } else if (mc_store_skill_map_list(a.st, pos[0], &l, &err)) {
        rc = fail(&err, "skills map --list");
    } else {
        const struct mc_skill *k = l.rows;
        cJSON *arr = json ? cJSON_CreateArray() : NULL;
        size_t i;

        for (i = 0; i < l.n; i++) {
            if (arr) {
                cJSON *o = skill_json(&k[i]);

                admin_json_str(o, "how", k[i].extra);
                cJSON_AddItemToArray(arr, o);
            } else {
                printf("%-9s %s  %s\n", k[i].extra, k[i].uri, k[i].label ? k[i].label : "");
            }
        }
        if (arr)
            rc = admin_print_json(arr);
        cJSON_Delete(arr);
        mc_store_list_clear(&l);
    }
    admin_close(&a);
    return rc;
}

/* ---- learners ------------------------------------------------------------------------------ */

static int skills_declare(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { "learner", &learner, NULL },
                              { NULL, NULL, NULL } };
    struct admin a;
    struct mc_err err;
    int64_t id = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("skills declare: which skill (its URI)?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    rc = find_learner(&a, learner, &id);
    mc_err_clear(&err);
    if (!rc && (mc_store_skill_declare(a.st, a.org, id, pos[0], 0, &err) ||
                admin_audit(a.st, a.org, "skills declare", pos[0], learner, &err)))
        rc = fail(&err, "skills declare");
    else if (!rc)
        printf("learner %lld declares %s (unverified)\n", (long long)id, pos[0]);
    admin_close(&a);
    return rc;
}

static int skills_learner(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "learner", &learner, NULL },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_learner_skills ls;
    struct seen seen = { .n = 0 };
    struct admin a;
    struct mc_err err;
    int64_t id = 0;
    size_t i;
    cJSON *out = NULL, *arr = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    rc = find_learner(&a, learner, &id);
    mc_err_clear(&err);
    if (!rc && mc_skills_of_learner(a.st, a.org, id, time(NULL), &ls, &err))
        rc = fail(&err, "skills learner");
    if (rc) {
        admin_close(&a);
        return rc;
    }
    if (json) {
        out = cJSON_CreateObject();
        admin_json_int(out, "learner", id);
        arr = cJSON_AddArrayToObject(out, "skills");
    }
    for (i = 0; i < ls.n; i++) {
        const struct mc_claim *c = &ls.v[i];

        see(&seen, c->framework);
        if (arr) {
            cJSON *o = cJSON_CreateObject();

            admin_json_str(o, "uri", c->uri);
            admin_json_str(o, "label", c->label);
            admin_json_str(o, "framework", c->framework);
            cJSON_AddBoolToObject(o, "verified", c->verified);
            cJSON_AddBoolToObject(o, "declared", c->declared);
            admin_json_str(o, "credential", c->credential);
            admin_json_int(o, "credentials", (int64_t)c->credentials);
            cJSON_AddItemToArray(arr, o);
            continue;
        }
        printf("%-10s %s\n  %s%s%s\n", c->verified ? "verified" : "unverified",
               c->label ? c->label : "(not in an imported framework)", c->uri,
               c->verified ? "  via " : "", c->verified ? c->credential : "");
    }
    if (!json)
        printf("%zu skills: %zu verified by valid credentials, %zu declared only\n", ls.n,
               ls.verified, ls.n - ls.verified);
    if (out) {
        attribution(a.st, &seen, cJSON_AddArrayToObject(out, "attribution"));
        rc = admin_print_json(out);
    } else {
        attribution(a.st, &seen, NULL);
    }
    cJSON_Delete(out);
    mc_learner_skills_release(&ls);
    admin_close(&a);
    return rc;
}

/* ---- extraction, postings, demand ------------------------------------------------------------ */

/* Read a job description: at most MC_EXTRACT_MAX_TEXT bytes (a longer file
 * is refused after reading that much, so memory stays bounded). CLI_USAGE
 * when the file cannot be read, CLI_FAILED when it is too large. */
static int read_job(const char *path, char **text, size_t *n)
{
    bool readable = strcmp(path, "-") == 0 || access(path, R_OK) == 0;
    int rc = cli_read_input(path, MC_EXTRACT_MAX_TEXT, text, n);

    return rc && readable ? CLI_FAILED : rc;
}

static int skills_extract(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_skills_index *ix = NULL;
    struct mc_hits h;
    struct seen seen = { .n = 0 };
    struct admin a;
    struct mc_err err;
    char *text = NULL;
    size_t n = 0, i;
    cJSON *out = NULL, *arr = NULL;
    int npos, rc;

    memset(&h, 0, sizeof(h));
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("skills extract: which file (- for standard input)?");
        return CLI_USAGE;
    }
    rc = read_job(pos[0], &text, &n);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(text);
        return rc;
    }
    mc_err_clear(&err);
    if (mc_skills_index_load(a.st, &ix, &err) || mc_skills_extract(ix, text, n, &h, &err)) {
        rc = fail(&err, "skills extract");
        goto out;
    }
    if (json) {
        out = cJSON_CreateObject();
        arr = cJSON_AddArrayToObject(out, "hits");
    }
    for (i = 0; i < h.n; i++) {
        const struct mc_skill_hit *x = &h.v[i];
        const char *uri = mc_intern_str(ix->uris, x->concept);
        const char *label = mc_skills_index_label(ix, x->concept);
        struct mc_skill k;
        char *span;

        if (mc_store_skill_get(a.st, uri, &k, NULL) == MCRED_OK)
            see(&seen, k.framework);
        mc_skill_release(&k);
        if (arr) {
            cJSON *o = cJSON_CreateObject();

            admin_json_int(o, "start", (int64_t)x->start);
            admin_json_int(o, "end", (int64_t)x->end);
            span = mc_strndup(text + x->start, x->end - x->start);
            admin_json_str(o, "text", span ? span : "");
            mc_free(span);
            admin_json_str(o, "uri", uri);
            admin_json_str(o, "label", label);
            cJSON_AddBoolToObject(o, "preferredLabel", x->pref);
            cJSON_AddItemToArray(arr, o);
            continue;
        }
        printf("%6zu-%-6zu %-40.*s %s\n              %s\n", x->start, x->end,
               (int)(x->end - x->start), text + x->start, label, uri);
    }
    if (!json)
        printf("%zu skill mentions\n", h.n);
    if (out) {
        attribution(a.st, &seen, cJSON_AddArrayToObject(out, "attribution"));
        rc = admin_print_json(out);
    } else {
        attribution(a.st, &seen, NULL);
    }
out:
    cJSON_Delete(out);
    mc_hits_release(&h);
    mc_skills_index_free(ix);
    mc_free(text);
    admin_close(&a);
    return rc;
}

static int skills_postings(int argc, char **argv)
{
    const char *db = NULL, *pos[2];
    struct cli_opt opts[] = { { "db", &db, NULL }, { NULL, NULL, NULL } };
    struct mc_skills_index *ix = NULL;
    struct mc_postings_report rep;
    struct admin a;
    struct mc_err err;
    char *data = NULL;
    size_t n = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 2, &npos);
    if (rc)
        return rc;
    if (npos != 2 || strcmp(pos[0], "import") != 0) {
        cli_error("skills postings: usage: mcred skills postings import FILE.jsonl");
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[1], MC_SKILLS_MAX_POSTINGS, &data, &n);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(data);
        return rc;
    }
    mc_err_clear(&err);
    if (mc_skills_index_load(a.st, &ix, &err) ||
        mc_skills_postings_import(a.st, ix, data, n, pos[1], &rep, &err)) {
        rc = fail(&err, "skills postings import");
        if (err.rc != MCRED_ERR_NOTFOUND)
            fprintf(stderr, "mcred: no posting was imported\n");
    } else {
        printf("imported %zu postings: %zu skill mentions, %zu postings without a known skill\n",
               rep.postings, rep.mentions, rep.without_skills);
    }
    mc_skills_index_free(ix);
    mc_free(data);
    admin_close(&a);
    return rc;
}

static int skills_demand(int argc, char **argv)
{
    const char *db = NULL, *top_s = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "top", &top_s, NULL },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_store_list l;
    const struct mc_skill *k;
    struct seen seen = { .n = 0 };
    struct admin a;
    struct mc_err err;
    int64_t postings = 0;
    size_t top = 20, i;
    cJSON *out = NULL, *arr = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (!rc)
        rc = admin_parse_count("top", top_s, 1, MC_SKILL_MAX_DEMAND, &top);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_store_skill_demand(a.st, top, &l, &postings, &err)) {
        admin_close(&a);
        return fail(&err, "skills demand");
    }
    k = l.rows;
    if (json) {
        out = cJSON_CreateObject();
        admin_json_int(out, "postings", postings);
        arr = cJSON_AddArrayToObject(out, "skills");
    }
    for (i = 0; i < l.n; i++) {
        double share = postings ? (double)k[i].count / (double)postings : 0.0;

        see(&seen, k[i].framework);
        if (arr) {
            cJSON *o = skill_json(&k[i]);

            admin_json_int(o, "postings", k[i].count);
            cJSON_AddNumberToObject(o, "share", share);
            cJSON_AddItemToArray(arr, o);
            continue;
        }
        printf("%5.1f%% %6lld  %s\n        %s\n", share * 100.0, (long long)k[i].count,
               k[i].label ? k[i].label : "(not in an imported framework)", k[i].uri);
    }
    if (!json)
        printf("%lld postings\n", (long long)postings);
    if (out) {
        attribution(a.st, &seen, cJSON_AddArrayToObject(out, "attribution"));
        rc = admin_print_json(out);
    } else {
        attribution(a.st, &seen, NULL);
    }
    cJSON_Delete(out);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

/* ---- the gap --------------------------------------------------------------------------------- */

static const char *need_name(enum mc_need n)
{
    static const char *const names[] = { "essential", "optional", "technology", "mentioned" };

    return (unsigned)n < 4 ? names[n] : "?";
}

static cJSON *gap_item_json(const struct mc_target *t, const struct mc_gap_item *g)
{
    const struct mc_target_skill *s = &t->v[g->skill];
    static const char *const status[] = { "missing", "held", "equivalent" };
    cJSON *o = cJSON_CreateObject();

    admin_json_str(o, "uri", s->uri);
    admin_json_str(o, "label", s->label);
    admin_json_str(o, "kind", mc_skill_kind_name(s->kind));
    admin_json_str(o, "need", need_name(s->need));
    cJSON_AddNumberToObject(o, "weight", s->weight);
    cJSON_AddNumberToObject(o, "demand", s->demand);
    if (s->flags & MC_SKILL_HOT)
        cJSON_AddBoolToObject(o, "hot", 1);
    if (s->flags & MC_SKILL_IN_DEMAND)
        cJSON_AddBoolToObject(o, "inDemand", 1);
    if (s->mentions)
        admin_json_int(o, "mentions", (int64_t)s->mentions);
    admin_json_str(o, "status", status[g->status]);
    if (g->declared)
        cJSON_AddBoolToObject(o, "declaredUnverified", g->status == MC_GAP_MISSING);
    if (g->via && g->via[0])
        admin_json_str(o, g->status == MC_GAP_HELD ? "credential" : "via", g->via);
    return o;
}

static int print_gap(struct mc_store *st, int64_t learner, const char *job,
                     const struct mc_target *t, const struct mc_gap *g, bool json)
{
    struct seen seen = { .n = 0 };
    double cov = g->total > 0 ? g->covered / g->total : 0.0;
    size_t i;
    int rc = CLI_OK;

    see(&seen, t->framework);
    for (i = 0; !t->framework && i < t->n; i++) {
        struct mc_skill k;

        if (mc_store_skill_get(st, t->v[i].uri, &k, NULL) == MCRED_OK)
            see(&seen, k.framework);
        mc_skill_release(&k);
    }
    if (json) {
        cJSON *o = cJSON_CreateObject(), *tg = cJSON_AddObjectToObject(o, "target");
        cJSON *miss = NULL, *held = NULL;

        admin_json_int(o, "learner", learner);
        if (t->uri) {
            admin_json_str(tg, "occupation", t->uri);
            admin_json_str(tg, "label", t->label);
            admin_json_str(tg, "framework", t->framework);
        } else {
            admin_json_str(tg, "job", job);
        }
        admin_json_int(tg, "skills", (int64_t)t->n);
        cJSON_AddNumberToObject(o, "totalWeight", g->total);
        cJSON_AddNumberToObject(o, "coveredWeight", g->covered);
        cJSON_AddNumberToObject(o, "coverage", cov);
        miss = cJSON_AddArrayToObject(o, "missing");
        held = cJSON_AddArrayToObject(o, "held");
        for (i = 0; i < g->n; i++)
            cJSON_AddItemToArray(g->v[i].status == MC_GAP_MISSING ? miss : held,
                                 gap_item_json(t, &g->v[i]));
        attribution(st, &seen, cJSON_AddArrayToObject(o, "attribution"));
        rc = admin_print_json(o);
        cJSON_Delete(o);
        return rc;
    }
    if (t->uri)
        printf("gap of learner %lld for %s\n  %s (%s)\n", (long long)learner, t->label,
               t->uri, t->framework ? t->framework : "-");
    else
        printf("gap of learner %lld for the job description %s\n", (long long)learner, job);
    printf("coverage %.0f%% of the weight (%.2f of %.2f); %zu of %zu skills missing\n",
           cov * 100.0, g->covered, g->total, g->missing, g->n);
    for (i = 0; i < g->n; i++) {
        const struct mc_gap_item *it = &g->v[i];
        const struct mc_target_skill *s = &t->v[it->skill];

        if (i == 0 || (it->status == MC_GAP_MISSING) != (g->v[i - 1].status == MC_GAP_MISSING))
            printf("\n%s:\n", it->status == MC_GAP_MISSING ? "missing (highest weight first)"
                                                           : "held (valid credentials)");
        printf("  %5.2f %-10s %s%s%s%s\n", s->weight, need_name(s->need),
               s->label ? s->label : s->uri,
               it->declared && it->status == MC_GAP_MISSING ? "  [declared, unverified]" : "",
               it->status == MC_GAP_EQUIVALENT ? "  [by the crosswalk from " : "",
               it->status == MC_GAP_EQUIVALENT ? it->via : "");
        if (it->status == MC_GAP_EQUIVALENT)
            printf("]");
        printf("\n        %s%s%s\n", s->uri, it->status == MC_GAP_HELD ? "  via " : "",
               it->status == MC_GAP_HELD ? it->via : "");
    }
    attribution(st, &seen, NULL);
    return rc;
}

static int skills_gap(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *target = NULL, *job = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "learner", &learner, NULL },
                              { "target", &target, NULL }, { "job", &job, NULL },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_skills_index *ix = NULL;
    struct mc_learner_skills ls;
    struct mc_target t;
    struct mc_gap g;
    struct admin a;
    struct mc_err err;
    char *text = NULL;
    size_t n = 0;
    int64_t id = 0;
    int npos, rc;

    memset(&ls, 0, sizeof(ls));
    memset(&t, 0, sizeof(t));
    memset(&g, 0, sizeof(g));
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner || !target == !job) {
        cli_error("skills gap: give --learner ID and one of --target OCCUPATION, --job FILE");
        return CLI_USAGE;
    }
    rc = job ? read_job(job, &text, &n) : CLI_OK;
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(text);
        return rc;
    }
    rc = find_learner(&a, learner, &id);
    mc_err_clear(&err);
    if (!rc && target && mc_skills_target_occupation(a.st, target, &t, &err))
        rc = fail(&err, "skills gap");
    if (!rc && job && (mc_skills_index_load(a.st, &ix, &err) ||
                       mc_skills_target_job(ix, text, n, &t, &err)))
        rc = fail(&err, "skills gap");
    if (!rc && (mc_skills_target_demand(a.st, &t, &err) ||
                mc_skills_of_learner(a.st, a.org, id, time(NULL), &ls, &err) ||
                mc_skills_gap(a.st, &t, &ls, &g, &err)))
        rc = fail(&err, "skills gap");
    if (!rc)
        rc = print_gap(a.st, id, job, &t, &g, json);
    mc_gap_release(&g);
    mc_learner_skills_release(&ls);
    mc_target_release(&t);
    mc_skills_index_free(ix);
    mc_free(text);
    admin_close(&a);
    return rc;
}

int cmd_skills(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } subs[] = {
        { "import", skills_import }, { "frameworks", skills_frameworks },
        { "search", skills_search }, { "show", skills_show }, { "map", skills_map },
        { "declare", skills_declare }, { "learner", skills_learner },
        { "extract", skills_extract }, { "postings", skills_postings },
        { "demand", skills_demand }, { "gap", skills_gap },
    };
    size_t i;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    }
    cli_error("skills: unknown subcommand '%s' (import, frameworks, search, show, map, declare, "
              "learner, extract, postings, demand, gap)", argv[1]);
    return CLI_USAGE;
}
