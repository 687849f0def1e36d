/* cmd_catalog.c - `mcred catalog`: the planner's imported catalog, the
 * achievements of other issuers (with hours, cost, level, prerequisites and
 * skills) that `mcred plan` and the server plan with besides the
 * organisation's own. The verb is lib/skills/planner.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "skills/planner.h"
#include "store/store.h"

static const char usage[] =
    "usage: mcred catalog import FILE [--db DSN]\n"
    "       mcred catalog list [--json] [--db DSN]\n"
    "\n"
    "import replaces the organisation's imported catalog by FILE: JSON (an array of OB 3.0\n"
    "Achievements, or {\"achievements\": [...]}, with the planning fields) or CSV (columns\n"
    "uri, name, hours and issuer, cost, level, prerequisites, skills; lists separated by\n"
    "'|'); see docs/skills.md. Every entry is checked first (a bad one, or a prerequisite\n"
    "cycle, names FILE and the entry or line and changes nothing); then the catalog is\n"
    "replaced in one transaction. Achievements without hours are not stored. list shows\n"
    "the imported entries.\n"
    "exit codes: 0 done; 1 the file was refused; 2 usage, I/O or store error\n";

static int catalog_import(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { NULL, NULL, NULL } };
    struct admin a;
    struct mc_err err;
    char *data = NULL;
    size_t n = 0, count = 0, skipped = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("catalog import: give the catalog FILE");
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], MC_PLAN_MAX_FILE, &data, &n);
    if (rc)
        return access(pos[0], R_OK) == 0 ? CLI_FAILED : rc;
    memset(&a, 0, sizeof(a));
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(data);
        return rc;
    }
    mc_err_clear(&err);
    if (mc_catalog_import(a.st, a.org, data, n, pos[0], &count, &skipped, &err)) {
        cli_error("catalog import: %s", mc_err_msg(&err));
        fprintf(stderr, "mcred: nothing was imported; the stored catalog is unchanged\n");
        rc = err.rc == MCRED_ERR_INVALID || err.rc == MCRED_ERR_LIMIT ? CLI_FAILED : CLI_USAGE;
    } else {
        printf("imported %zu catalog entries", count);
        if (skipped)
            printf(" (%zu achievements without hours skipped)", skipped);
        printf("\n");
    }
    mc_free(data);
    admin_close(&a);
    return rc;
}

static int catalog_list(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_store_list l;
    const struct mc_achievement *e;
    struct admin a;
    struct mc_err err;
    cJSON *arr = NULL;
    size_t i;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    memset(&a, 0, sizeof(a));
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_store_catalog_list(a.st, a.org, &l, &err)) {
        admin_close(&a);
        return admin_store_error(&err, "catalog list");
    }
    e = l.rows;
    arr = json ? cJSON_CreateArray() : NULL;
    for (i = 0; i < l.n; i++) {
        cJSON *doc = NULL;

        if (mc_json_parse(e[i].json, strlen(e[i].json), 0, &doc, NULL))
            continue;
        if (arr) {
            cJSON_AddItemToArray(arr, doc);
            continue;
        }
        printf("%s  %s\n", e[i].uri, mc_json_str(doc, "name") ? mc_json_str(doc, "name") : "");
        cJSON_Delete(doc);
    }
    if (arr)
        rc = admin_print_json(arr);
    else
        printf("%zu entries\n", l.n);
    cJSON_Delete(arr);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

int cmd_catalog(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "import") == 0)
        return catalog_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return catalog_list(argc - 1, argv + 1);
    cli_error("catalog: unknown subcommand '%s' (import, list)", argv[1]);
    return CLI_USAGE;
}
