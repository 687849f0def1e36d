/* cmd_token.c - `mcred token create`: an API token for a user, shown once
 * and kept in the store only as its SHA-256.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "store/store.h"
#include "service/admin.h"

static const char usage[] =
    "usage: mcred token create --user ID [--label TEXT] [--db DSN]\n"
    "\n"
    "Create an API token for user ID (see `mcred user list`) and print it once: it is\n"
    "32 random bytes in base64url. The store keeps only the lowercase hex SHA-256 of the\n"
    "token as printed, so a lost token cannot be shown again; create another.\n";

static int token_create(int argc, char **argv)
{
    const char *user = NULL, *db = NULL, *label = NULL, *pos[1];
    struct cli_opt opts[] = { { "user", &user, NULL }, { "db", &db, NULL },
                              { "label", &label, NULL }, { NULL, NULL, NULL } };
    struct mc_admin_token tok;
    struct mc_user u;
    struct admin a;
    struct mc_err err;
    int64_t id;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!user || !admin_parse_id(user, &id)) {
        cli_error("token create: --user takes a user id (a positive number; see "
                  "`mcred user list`)");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&u, 0, sizeof(u));
    mc_err_clear(&err);
    if (mc_store_user_get(a.st, a.org, id, &u, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND) {
            cli_error("token create: no user %lld in organisation '%s'", (long long)id,
                      a.conf.org);
            rc = CLI_FAILED;
        } else {
            rc = admin_store_error(&err, "token create");
        }
    } else if (mc_admin_token_create(a.st, a.org, id, label, "cli", &tok, &err)) {
        /* the verb the API uses too (lib/service/admin.c): random text, stored hashed,
         * audited */
        rc = admin_store_error(&err, "token create");
    } else {
        printf("%s\n", tok.token);
        fprintf(stderr, "token %s for user %lld (%s): shown only this once\n", tok.id,
                (long long)id, u.email);
        mc_admin_token_wipe(&tok);
    }
    mc_user_release(&u);
    admin_close(&a);
    return rc;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "create") == 0)
        return token_create(argc - 1, argv + 1);
    cli_error("token: unknown subcommand '%s' (create)", argv[1]);
    return CLI_USAGE;
}
