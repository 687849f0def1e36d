/* cmd_user.c - `mcred user add|list`: the people of the organisation and
 * their roles (API tokens are made by `mcred token create`).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "service/admin.h"
#include "cli_cmds.h"
#include "model/ob.h"
#include "store/store.h"

static const char usage[] =
    "usage: mcred user add --email EMAIL --role admin|issuer|assessor|learner|recruiter\n"
    "       mcred user list [--json]\n"
    "\n"
    "Add a user to the organisation of the data directory (MCRED_HOME), or list them.\n"
    "An e-mail address names one user per organisation. Every command takes --db DSN\n"
    "to use another store than mcred.conf names.\n";

static int user_add(int argc, char **argv)
{
    const char *email = NULL, *role = NULL, *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "email", &email, NULL }, { "role", &role, NULL },
                              { "db", &db, NULL }, { NULL, NULL, NULL } };
    enum mc_role r;
    struct admin a;
    struct mc_err err;
    int64_t id = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!email || !role) {
        cli_error("user add: --email and --role are required");
        return CLI_USAGE;
    }
    if (!mc_is_email(email)) {
        cli_error("user add: '%s' is not an e-mail address", email);
        return CLI_USAGE;
    }
    if (mc_role_parse(role, &r) != MCRED_OK) {
        cli_error("user add: unknown role '%s' (admin, issuer, assessor, learner, recruiter)",
                  role);
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    /* the verb the API uses too (lib/service/admin.c): checks, insert, audit */
    if (mc_admin_user_add(a.st, a.org, email, r, "cli", &id, &err)) {
        if (err.rc == MCRED_ERR_CONFLICT) {
            cli_error("user add: a user with the e-mail '%s' exists", email);
            rc = CLI_FAILED;
        } else {
            rc = admin_store_error(&err, "user add");
        }
    } else {
        printf("%lld\n", (long long)id);
    }
    admin_close(&a);
    return rc;
}

static int print_users(const struct mc_store_list *l, bool json)
{
    const struct mc_user *u = l->rows;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    char t[32];
    size_t i;
    int rc;

    if (!json) {
        for (i = 0; i < l->n; i++)
            printf("%-6lld %-10s %s  %s\n", (long long)u[i].id, mc_role_name(u[i].role),
                   admin_time(u[i].created, t), u[i].email);
        return CLI_OK;
    }
    for (i = 0; arr && i < l->n; i++) {
        cJSON *o = cJSON_CreateObject();

        if (!o || !cJSON_AddItemToArray(arr, o) || !admin_json_int(o, "id", u[i].id) ||
            !admin_json_str(o, "email", u[i].email) ||
            !admin_json_str(o, "role", mc_role_name(u[i].role)) ||
            !admin_json_time(o, "created", u[i].created)) {
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    rc = admin_print_json(arr);
    cJSON_Delete(arr);
    return rc;
}

static int user_list(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_store_list l;
    struct admin a;
    struct mc_err err;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    if (mc_store_user_list(a.st, a.org, &l, &err))
        rc = admin_store_error(&err, "user list");
    else
        rc = print_users(&l, json);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "add") == 0)
        return user_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return user_list(argc - 1, argv + 1);
    cli_error("user: unknown subcommand '%s' (add, list)", argv[1]);
    return CLI_USAGE;
}
