/* cmd_stack.c - `mcred stack` (create, list, progress, sweep): stackable
 * credentials of the data directory's organisation. Thin: the verbs live in
 * lib/service/stacks.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "home.h"
#include "jsonld/jcs.h"
#include "service/stacks.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred stack create FILE [--json]\n"
    "       mcred stack list [--json]\n"
    "       mcred stack progress --learner L [--stack ID] [--json]\n"
    "       mcred stack sweep [--passphrase-file FILE]\n"
    "       mcred stack evaluate --learner L [--stack ID] [--passphrase-file FILE]\n"
    "\n"
    "Stackable credentials: an achievement of the organisation that is awarded by itself\n"
    "when a learner holds credentials satisfying its rule. FILE (- for stdin) is JSON:\n"
    "  {\"achievement\": {OB 3.0 Achievement} or \"achievementId\": URI,\n"
    "   \"rule\": RULE, \"freshness\": true|false,\n"
    "   \"onComponentRevoked\": \"keep\"|\"flag\"|\"revoke\", \"external\": [URI, ...]}\n"
    "RULE is {\"achievement\": URI, \"issuer\": DID?, \"after\": URI?, \"credits\": N?},\n"
    "{\"allOf\": [RULE...]}, {\"anyOf\": [RULE...]}, {\"nOf\": N, \"of\": [RULE...]} or\n"
    "{\"minCredits\": X, \"of\": [RULE...]}, nested to any depth (at most 1000 nodes).\n"
    "Components are achievements the store knows, or listed in \"external\" (other\n"
    "issuers' achievements, proven by verified credentials in the learner's wallet).\n"
    "Unknown achievements, cycles (across stacks or between prerequisites) and oversized\n"
    "rules are refused when the stack is created.\n"
    "\n"
    "Issuing, revoking, suspending a credential and importing one into a wallet\n"
    "re-evaluate the stacks naming its achievement, for that learner; a satisfied stack\n"
    "issues its credential once, with the component credentials as evidence.\n"
    "`progress` shows, per stack, what is done, what is missing and the shortest way to\n"
    "finish (L: id, e-mail or DID). `sweep` re-evaluates awards whose components expired\n"
    "(and issues awards claimed where no signing key was at hand, e.g. by a wallet\n"
    "import); run it periodically. `evaluate` evaluates one learner against every stack\n"
    "(or one) now, as an event would: for stacks defined after their components were\n"
    "issued.\n"
    "exit codes: 0 done; 1 refused (a bad definition, an unknown learner or stack);\n"
    "            2 usage, I/O or store error\n";

/* JSON text (as the service wrote it) indented; as it is if it does not parse. */
static void print_json_text(const char *text)
{
    cJSON *v = NULL;

    if (mc_json_parse(text, strlen(text), 0, &v, NULL) != MCRED_OK ||
        admin_print_json(v) != CLI_OK)
        printf("%s\n", text);
    cJSON_Delete(v);
}

static void ctx_of(struct mc_stacks_ctx *c, struct mc_store *st, int64_t org,
                   const struct mc_issuing *is)
{
    memset(c, 0, sizeof(*c));
    c->st = st;
    c->org = org;
    c->is = is;
}

static int s_create(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_stacks_ctx c;
    struct mc_stack_def d;
    struct mc_err err;
    struct admin a;
    char *text = NULL;
    size_t n = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], MC_STACKS_MAX_DEFINITION, &text, &n);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(text);
        return rc;
    }
    ctx_of(&c, a.st, a.org, NULL);
    mc_err_clear(&err);
    memset(&d, 0, sizeof(d));
    if (mc_stacks_define(&c, text, n, &d, &err) != MCRED_OK) {
        rc = admin_store_error(&err, "stack create: %s", pos[0]);
    } else if (json) {
        struct mc_buf b;

        mc_buf_init(&b, 0);
        if (mc_stacks_json(&d, &b, &err) == MCRED_OK)
            print_json_text(b.ptr);
        mc_buf_release(&b);
    } else {
        printf("stack %lld: %s (freshness %s, on a revoked component: %s)\n", (long long)d.id,
               d.achievement_uri, d.freshness ? "on" : "off", mc_stack_policy_name(d.policy));
    }
    mc_stack_def_release(&d);
    mc_free(text);
    admin_close(&a);
    return rc;
}

static int s_list(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_store_list l;
    struct mc_err err;
    struct admin a;
    size_t i;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (json) {
        struct mc_stacks_ctx c;
        struct mc_buf b;

        ctx_of(&c, a.st, a.org, NULL);
        mc_buf_init(&b, 0);
        if (mc_stacks_list(&c, &b, &err) != MCRED_OK)
            rc = admin_store_error(&err, "stack list");
        else
            print_json_text(b.ptr);
        mc_buf_release(&b);
        admin_close(&a);
        return rc;
    }
    if (mc_store_stack_list(a.st, a.org, &l, &err) != MCRED_OK) {
        rc = admin_store_error(&err, "stack list");
        admin_close(&a);
        return rc;
    }
    for (i = 0; i < l.n; i++) {
        const struct mc_stack_def *d = (const struct mc_stack_def *)l.rows + i;

        printf("%lld  %s  freshness %s  on revoked: %s\n    %s\n", (long long)d->id,
               d->achievement_uri, d->freshness ? "on" : "off", mc_stack_policy_name(d->policy),
               d->rule);
    }
    if (l.n == 0)
        printf("no stacks\n");
    mc_store_list_clear(&l);
    admin_close(&a);
    return CLI_OK;
}

static void print_progress(const char *text)
{
    const cJSON *s, *e;
    cJSON *v = NULL;

    if (mc_json_parse(text, strlen(text), 0, &v, NULL) != MCRED_OK)
        return;
    cJSON_ArrayForEach(s, mc_json_get(v, "stacks")) {
        const cJSON *aw = mc_json_get(s, "award"), *missing = mc_json_get(s, "missing");

        printf("stack %.0f  %s: %s", cJSON_GetNumberValue(mc_json_get(s, "id")),
               mc_json_str(s, "achievement"),
               cJSON_IsTrue(mc_json_get(s, "satisfied")) ? "complete" : "not complete");
        if (mc_json_is_object(aw))
            printf(" (award %s%s%s)", mc_json_str(aw, "state"),
                   mc_json_str(aw, "credential") ? ": " : "",
                   mc_json_str(aw, "credential") ? mc_json_str(aw, "credential") : "");
        printf("\n");
        cJSON_ArrayForEach(e, mc_json_get(s, "done"))
            printf("  done     %s  (%s)\n", mc_json_str(e, "achievement"),
                   mc_json_str(e, "credential") ? mc_json_str(e, "credential") : "-");
        if (cJSON_IsNull(missing))
            printf("  missing  cannot be completed: the components are not worth enough\n");
        else if (cJSON_GetNumberValue(missing) > 0)
            printf("  missing  %.0f more; the shortest way:\n", cJSON_GetNumberValue(missing));
        cJSON_ArrayForEach(e, mc_json_get(s, "todo"))
            printf("  todo     %s\n", e->valuestring);
        cJSON_ArrayForEach(e, mc_json_get(s, "why"))
            printf("  why      %s\n", e->valuestring);
    }
    if (cJSON_GetArraySize(mc_json_get(v, "stacks")) == 0)
        printf("no stacks\n");
    cJSON_Delete(v);
}

static int s_progress(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *stack = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "learner", &learner, NULL },
                              { "stack", &stack, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_stacks_ctx c;
    struct mc_learner l;
    struct mc_err err;
    struct mc_buf b;
    struct admin a;
    int64_t id = 0, sid = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner) {
        fputs(usage, stderr);
        cli_error("stack progress: give --learner (an id, e-mail or DID)");
        return CLI_USAGE;
    }
    if (stack && !admin_parse_id(stack, &sid)) {
        cli_error("stack progress: --stack '%s' is not a stack id", stack);
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    memset(&l, 0, sizeof(l));
    if (mc_store_learner_get(a.st, a.org, admin_parse_id(learner, &id) ? id : 0,
                             admin_parse_id(learner, &id) ? NULL : learner, &l, &err)) {
        rc = admin_store_error(&err, "stack progress: learner '%s'", learner);
        admin_close(&a);
        return rc;
    }
    ctx_of(&c, a.st, a.org, NULL);
    mc_buf_init(&b, 0);
    if (mc_stacks_progress(&c, l.id, sid, &b, &err) != MCRED_OK)
        rc = admin_store_error(&err, "stack progress");
    else if (json)
        print_json_text(b.ptr);
    else
        print_progress(b.ptr);
    mc_buf_release(&b);
    mc_learner_release(&l);
    admin_close(&a);
    return rc;
}

static int s_sweep(int argc, char **argv)
{
    const char *db = NULL, *passfile = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { "passphrase-file", &passfile, NULL },
                              { NULL, NULL, NULL } };
    struct mc_stacks_ctx c;
    struct mc_stacks_stats before, after;
    struct mc_err err;
    struct home h;
    size_t looked = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = home_open(&h, db, true, passfile);
    if (rc)
        return rc;
    ctx_of(&c, h.st, h.org, &h.is);
    mc_err_clear(&err);
    mc_stacks_stats(&before);
    if (mc_stacks_sweep(&c, &looked, &err) != MCRED_OK)
        rc = admin_store_error(&err, "stack sweep");
    mc_stacks_stats(&after);
    if (!rc)
        printf("stack sweep: %zu awards re-evaluated; %llu issued, %llu flagged, %llu revoked\n",
               looked, after.issued - before.issued, after.flagged - before.flagged,
               after.revoked - before.revoked);
    home_close(&h);
    return rc;
}

static int s_evaluate(int argc, char **argv)
{
    const char *db = NULL, *passfile = NULL, *learner = NULL, *stack = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { "passphrase-file", &passfile, NULL },
                              { "learner", &learner, NULL }, { "stack", &stack, NULL },
                              { NULL, NULL, NULL } };
    struct mc_stacks_ctx c;
    struct mc_stacks_stats before, after;
    struct mc_learner l;
    struct mc_err err;
    struct home h;
    int64_t id = 0, sid = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner) {
        fputs(usage, stderr);
        cli_error("stack evaluate: give --learner (an id, e-mail or DID)");
        return CLI_USAGE;
    }
    if (stack && !admin_parse_id(stack, &sid)) {
        cli_error("stack evaluate: --stack '%s' is not a stack id", stack);
        return CLI_USAGE;
    }
    rc = home_open(&h, db, true, passfile);
    if (rc)
        return rc;
    mc_err_clear(&err);
    memset(&l, 0, sizeof(l));
    if (mc_store_learner_get(h.st, h.org, admin_parse_id(learner, &id) ? id : 0,
                             admin_parse_id(learner, &id) ? NULL : learner, &l, &err)) {
        rc = admin_store_error(&err, "stack evaluate: learner '%s'", learner);
        home_close(&h);
        return rc;
    }
    ctx_of(&c, h.st, h.org, &h.is);
    mc_stacks_stats(&before);
    if (mc_stacks_evaluate(&c, l.id, sid, &err) != MCRED_OK)
        rc = admin_store_error(&err, "stack evaluate");
    mc_stacks_stats(&after);
    if (!rc)
        printf("stack evaluate: %llu evaluated; %llu issued, %llu flagged, %llu revoked\n",
               after.evaluations - before.evaluations, after.issued - before.issued,
               after.flagged - before.flagged, after.revoked - before.revoked);
    mc_learner_release(&l);
    home_close(&h);
    return rc;
}

int cmd_stack(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "create") == 0)
        return s_create(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return s_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "progress") == 0)
        return s_progress(argc - 1, argv + 1);
    if (strcmp(argv[1], "sweep") == 0)
        return s_sweep(argc - 1, argv + 1);
    if (strcmp(argv[1], "evaluate") == 0)
        return s_evaluate(argc - 1, argv + 1);
    fputs(usage, stderr);
    cli_error("stack: unknown subcommand '%s'", argv[1]);
    return CLI_USAGE;
}
