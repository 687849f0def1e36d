/* cmd_plan.c - `mcred plan`: a learner's pathway to an occupation or a job
 * description: the credentials that close the skills gap at the least total
 * hours (or cost), prerequisites first, on a calendar; as text, JSON or an
 * SVG timeline. The verb is lib/skills/planner.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "skills/planner.h"
#include "store/store.h"

static const char usage[] =
    "usage: mcred plan --learner ID (--target OCCUPATION | --job FILE) --hours-per-week N\n"
    "                  [--start YYYY-MM-DD] [--minimize hours|cost] [--catalog FILE]\n"
    "                  [--svg FILE] [--json] [--db DSN]\n"
    "\n"
    "Plans the credentials that close the learner's skills gap for an occupation (a URI of\n"
    "an imported framework, or an O*NET-SOC code) or a job description (FILE, - for\n"
    "standard input; at most 1 MiB). The catalog is the organisation's achievements with\n"
    "the planning extension (hours, cost, level, prerequisites; skills are their\n"
    "alignments), the imported catalog (mcred catalog import), and --catalog FILE (JSON\n"
    "achievements or CSV; see docs/skills.md).\n"
    "Every coverable required skill (ESCO essential, O*NET technology, named in the job)\n"
    "is covered at the least total hours (--minimize cost: cost), preferring credentials\n"
    "that cover several skills and foundational ones; a chosen credential's prerequisites\n"
    "that the learner lacks are planned first. Up to 25 candidates (after dropping\n"
    "dominated ones) the plan is proved optimal; beyond, a greedy plan with its bound.\n"
    "The calendar starts on --start (default today) at N hours a week. --svg writes the\n"
    "timeline chart. ID is a learner's row id, e-mail address or DID. Framework data is\n"
    "shown with its attribution (ESCO: the European Commission's classification; O*NET:\n"
    "USDOL/ETA, CC BY 4.0) as the last lines, and as \"attribution\" in JSON.\n"
    "exit codes: 0 done; 1 the input was refused (unknown occupation, empty job text, bad\n"
    "            catalog, no such learner); 2 usage, I/O or store error\n";

static int fail(const struct mc_err *err)
{
    return admin_store_error(err, "plan");   /* 1 refused, 2 usage or I/O */
}

static int find_learner(struct admin *a, const char *ref, int64_t *id)
{
    struct mc_learner l;
    struct mc_err err;
    int64_t n = 0;
    int rc;

    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    admin_parse_id(ref, &n);
    rc = mc_store_learner_get(a->st, a->org, n, n ? NULL : ref, &l, &err);
    if (rc) {
        cli_error("plan: learner '%s': %s", ref,
                  rc == MCRED_ERR_NOTFOUND ? "not found (mcred learner list)" : mc_err_msg(&err));
        return rc == MCRED_ERR_NOTFOUND ? CLI_FAILED : CLI_USAGE;
    }
    *id = l.id;
    mc_learner_release(&l);
    return CLI_OK;
}

static int parse_opts(const char *hpw, const char *start, const char *minimize,
                      struct mc_plan_opts *o)
{
    char *end;

    mc_plan_opts_init(o);
    if (!hpw) {
        cli_error("plan: --hours-per-week N is required");
        return CLI_USAGE;
    }
    o->hours_per_week = strtod(hpw, &end);
    if (end == hpw || *end || !isfinite(o->hours_per_week) || o->hours_per_week <= 0 ||
        o->hours_per_week > 168) {
        cli_error("plan: --hours-per-week '%s': give a number above 0 and at most 168", hpw);
        return CLI_USAGE;
    }
    if (start && !mc_plan_day_parse(start, &o->start_day)) {
        cli_error("plan: --start '%s': give a date YYYY-MM-DD from 1970 on", start);
        return CLI_USAGE;
    }
    if (!start)
        o->start_day = (int64_t)(time(NULL) / 86400);
    if (minimize && strcmp(minimize, "hours") != 0 && strcmp(minimize, "cost") != 0) {
        cli_error("plan: --minimize '%s': hours or cost", minimize);
        return CLI_USAGE;
    }
    o->minimize = minimize && strcmp(minimize, "cost") == 0 ? MC_PLAN_COST : MC_PLAN_HOURS;
    return CLI_OK;
}

static void print_text(const struct mc_learner_plan *lp, int64_t learner)
{
    const struct mc_plan *p = &lp->plan;
    char d1[11], d2[11];
    size_t i, j;

    mc_plan_day_str(lp->opts.start_day, d1);
    mc_plan_day_str(p->n ? p->end_day : lp->opts.start_day, d2);
    if (lp->target.uri)
        printf("plan of learner %lld for %s\n  %s\n", (long long)learner, lp->target.label,
               lp->target.uri);
    else
        printf("plan of learner %lld for the job description\n", (long long)learner);
    printf("gap: %zu of %zu target skills missing (held weight %.2f of %.2f)\n",
           lp->gap.missing, lp->gap.n, lp->gap.covered, lp->gap.total);
    printf("plan: %zu credential%s, %.1f hours, cost %.2f, %s to %s at %.1f h/week\n", p->n,
           p->n == 1 ? "" : "s", p->hours, p->cost, d1, d2, lp->opts.hours_per_week);
    if (p->optimal)
        printf("      optimal (minimum total %s; %zu candidates, %zu after reduction, "
               "%zu nodes)\n", lp->opts.minimize == MC_PLAN_COST ? "cost" : "hours",
               p->candidates, p->branching, p->nodes);
    else if (p->bound > 0)
        printf("      greedy: at most %.3f x the optimum (H(d)); lower bound %.1f; %zu "
               "candidates, %zu after reduction\n", p->bound, p->lower_bound, p->candidates,
               p->branching);
    else
        printf("      greedy (prerequisites: no factor stated); lower bound %.1f; %zu "
               "candidates, %zu after reduction\n", p->lower_bound, p->candidates,
               p->branching);
    printf("coverage: %zu of %zu coverable required skills (%zu required; weight %.2f of "
           "%.2f); %zu optional too\n", p->covered, p->coverable, p->required, p->covered_w,
           p->required_w, p->optional_covered);
    if (lp->credentials)
        printf("focus: %zu of the learner's %zu credentials are relevant (%.0f%%)\n",
               lp->relevant, lp->credentials,
               100.0 * (double)lp->relevant / (double)lp->credentials);
    else
        printf("focus: the learner holds no valid credential yet\n");
    for (i = 0; i < p->n; i++) {
        const struct mc_plan_step *st = &p->v[i];
        const struct mc_catalog_item *it = &lp->catalog->v[st->item];

        mc_plan_day_str(st->start_day, d1);
        mc_plan_day_str(st->end_day, d2);
        printf("\n%2zu. %s  (%s)\n    %s .. %s  %.1f h  cost %.2f  level %d\n    %s\n", i + 1,
               it->name, it->issuer ? it->issuer : "-", d1, d2, it->hours, it->cost,
               it->level, it->uri);
        for (j = 0; j < st->ncovers; j++) {
            const struct mc_target_skill *s = &lp->target.v[lp->need_skill[st->covers[j]]];

            printf("    covers %s%s\n", s->label ? s->label : s->uri,
                   lp->need[st->covers[j]].required ? "" : " (optional)");
        }
        for (j = 0; j < st->nprereq_of; j++)
            printf("    prerequisite of %s\n", lp->catalog->v[p->v[st->prereq_of[j]].item].name);
    }
    if (p->nuncovered) {
        printf("\nuncovered (no catalog entry teaches them):\n");
        for (i = 0; i < p->nuncovered; i++) {
            const struct mc_target_skill *s = &lp->target.v[lp->need_skill[p->uncovered[i]]];

            printf("  %s\n", s->label ? s->label : s->uri);
        }
    }
    for (i = 0; i < lp->nattribution; i++)
        printf("%s%s\n", i == 0 ? "\n" : "", lp->attribution[i]);
}

static int write_svg(const struct mc_learner_plan *lp, const char *path)
{
    struct mc_buf b;
    int rc;

    mc_buf_init(&b, MC_PLAN_SVG_MAX);
    if (mc_learner_plan_svg(lp, &b)) {
        mc_buf_release(&b);
        cli_error("plan: cannot draw the timeline");
        return CLI_USAGE;
    }
    rc = cli_write_file(path, b.ptr, b.len, 0644, true);
    mc_buf_release(&b);
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *target = NULL, *job = NULL, *hpw = NULL;
    const char *start = NULL, *minimize = NULL, *catalog = NULL, *svg = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = {
        { "db", &db, NULL }, { "learner", &learner, NULL }, { "target", &target, NULL },
        { "job", &job, NULL }, { "hours-per-week", &hpw, NULL }, { "start", &start, NULL },
        { "minimize", &minimize, NULL }, { "catalog", &catalog, NULL }, { "svg", &svg, NULL },
        { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_plan_request rq;
    struct mc_learner_plan lp;
    struct admin a;
    struct mc_err err;
    char *text = NULL, *cat = NULL;
    size_t n = 0, ncat = 0;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    memset(&rq, 0, sizeof(rq));
    memset(&lp, 0, sizeof(lp));
    memset(&a, 0, sizeof(a));
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner || !target == !job) {
        cli_error("plan: give --learner ID and one of --target OCCUPATION, --job FILE");
        return CLI_USAGE;
    }
    rc = parse_opts(hpw, start, minimize, &rq.opts);
    if (rc)
        return rc;
    if (job) {
        bool readable = strcmp(job, "-") == 0 || access(job, R_OK) == 0;

        rc = cli_read_input(job, MC_EXTRACT_MAX_TEXT, &text, &n);
        if (rc)
            return readable ? CLI_FAILED : rc;
        if (n == 0) {
            cli_error("plan: the job description '%s' is empty", job);
            mc_free(text);
            return CLI_FAILED;
        }
    }
    if (catalog) {
        bool readable = access(catalog, R_OK) == 0;

        rc = cli_read_input(catalog, MC_PLAN_MAX_FILE, &cat, &ncat);
        if (rc) {
            mc_free(text);
            return readable ? CLI_FAILED : rc;
        }
    }
    rc = admin_open(&a, db);
    if (!rc)
        rc = find_learner(&a, learner, &rq.learner);
    if (rc)
        goto out;
    rq.org = a.org;
    rq.target = target;
    rq.job = job ? text : NULL;
    rq.job_len = n;
    rq.catalog = cat;
    rq.catalog_len = ncat;
    rq.catalog_name = catalog;
    rq.now = time(NULL);
    mc_err_clear(&err);
    if (mc_plan_learner(a.st, &rq, &lp, &err)) {
        rc = fail(&err);
        goto out;
    }
    if (json) {
        cJSON *o = mc_learner_plan_json(&lp);

        if (o)
            admin_json_int(o, "learner", rq.learner);
        rc = o ? admin_print_json(o) : CLI_USAGE;
        cJSON_Delete(o);
    } else {
        print_text(&lp, rq.learner);
    }
    if (!rc && svg)
        rc = write_svg(&lp, svg);
out:
    mc_learner_plan_release(&lp);
    admin_close(&a);
    mc_free(text);
    mc_free(cat);
    return rc;
}
