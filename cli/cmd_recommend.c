/* cmd_recommend.c - `mcred recommend`: a learner's next credentials among
 * the organisation's achievements, scored by the goal (a target
 * occupation's missing skills), market demand (imported job postings) and
 * co-earning (what learners holding the same credentials went on to earn),
 * each with its reasons. The verb is lib/skills/recommend.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "skills/recommend.h"
#include "store/store.h"

static const char usage[] =
    "usage: mcred recommend --learner ID [--target OCCUPATION] [--top N] [--json] [--db DSN]\n"
    "\n"
    "Recommends the learner's next credentials among the organisation's achievements they\n"
    "do not hold. Each gets a score from three parts in [0, 1]: goal (the share of the\n"
    "target occupation's missing skill weight it teaches; only with --target), demand (the\n"
    "largest share of imported job postings naming one of its skills) and co-earning (the\n"
    "largest cosine similarity between it and a credential the learner holds, over the\n"
    "learners' valid credentials). score = 0.5 goal + 0.25 demand + 0.25 co-earning with a\n"
    "target, else 0.5 demand + 0.5 co-earning; ties by achievement id. --top: 1..100\n"
    "(default 10). ID is a learner's row id, e-mail address or DID.\n"
    "exit codes: 0 done; 1 refused (unknown learner or occupation); 2 usage or store error\n";

int cmd_recommend(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *target = NULL, *top_s = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "learner", &learner, NULL },
                              { "target", &target, NULL }, { "top", &top_s, NULL },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_recommend_opts o;
    struct mc_recommendations rec;
    struct mc_learner l;
    struct admin a;
    struct mc_err err;
    int64_t n = 0;
    size_t i, top = 10;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (!rc)
        rc = admin_parse_count("top", top_s, 1, MC_RECOMMEND_MAX_TOP, &top);
    if (rc)
        return rc;
    if (!learner) {
        cli_error("recommend: --learner ID is required");
        return CLI_USAGE;
    }
    memset(&a, 0, sizeof(a));
    memset(&l, 0, sizeof(l));
    memset(&rec, 0, sizeof(rec));
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    admin_parse_id(learner, &n);
    if (mc_store_learner_get(a.st, a.org, n, n ? NULL : learner, &l, &err)) {
        cli_error("recommend: learner '%s': %s", learner,
                  err.rc == MCRED_ERR_NOTFOUND ? "not found (mcred learner list)"
                                               : mc_err_msg(&err));
        rc = err.rc == MCRED_ERR_NOTFOUND ? CLI_FAILED : CLI_USAGE;
        goto out;
    }
    mc_recommend_opts_init(&o);
    o.target = target;
    o.top = top;
    o.now = time(NULL);
    if (mc_recommend(a.st, a.org, l.id, &o, &rec, &err)) {
        cli_error("recommend: %s", mc_err_msg(&err));
        rc = err.rc == MCRED_ERR_NOTFOUND || err.rc == MCRED_ERR_INVALID ? CLI_FAILED
                                                                          : CLI_USAGE;
        goto out;
    }
    if (json) {
        cJSON *j = mc_recommendations_json(&rec);

        if (j)
            admin_json_int(j, "learner", l.id);
        rc = j ? admin_print_json(j) : CLI_USAGE;
        cJSON_Delete(j);
        goto out;
    }
    printf("recommendations for learner %lld%s%s (%zu job postings, %zu other learners)\n",
           (long long)l.id, rec.target_label ? " towards " : "",
           rec.target_label ? rec.target_label : "", rec.postings, rec.peers);
    for (i = 0; i < rec.n; i++) {
        const struct mc_recommendation *r = &rec.v[i];

        printf("\n%2zu. %.3f  %s\n    %s\n    goal %.3f  demand %.3f  co-earning %.3f\n", i + 1,
               r->score, r->name, r->uri, r->goal, r->demand, r->co);
        if (r->goal_why)
            printf("    - %s\n", r->goal_why);
        if (r->demand_why)
            printf("    - %s\n", r->demand_why);
        if (r->co_why)
            printf("    - %s\n", r->co_why);
    }
    if (rec.n == 0)
        printf("nothing to recommend (no achievement scores above 0)\n");
    if (rec.attribution)
        printf("\n%s\n", rec.attribution);
out:
    mc_recommendations_release(&rec);
    mc_learner_release(&l);
    admin_close(&a);
    return rc;
}
