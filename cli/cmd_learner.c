/* cmd_learner.c - `mcred learner add|list|show`: the people credentials are
 * issued to, known by e-mail address, DID or both.
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
    "usage: mcred learner add --name NAME [--email EMAIL] [--did DID]\n"
    "       mcred learner list [--json]\n"
    "       mcred learner show [--json] ID|EMAIL|DID\n"
    "\n"
    "Add a learner to the organisation of the data directory (MCRED_HOME), list them,\n"
    "or show one. A learner has an e-mail address, a DID or both (at least one; each\n"
    "unique in the organisation). Every command takes --db DSN to use another store\n"
    "than mcred.conf names.\n";

static int learner_add(int argc, char **argv)
{
    const char *name = NULL, *email = NULL, *did = NULL, *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "name", &name, NULL }, { "email", &email, NULL },
                              { "did", &did, NULL }, { "db", &db, NULL },
                              { NULL, NULL, NULL } };
    struct mc_learner l;
    struct admin a;
    struct mc_err err;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!name || !name[0] || (!email && !did)) {
        cli_error("learner add: --name and one of --email or --did are required");
        return CLI_USAGE;
    }
    if (email && !mc_is_email(email)) {
        cli_error("learner add: '%s' is not an e-mail address", email);
        return CLI_USAGE;
    }
    if (did && (strncmp(did, "did:", 4) != 0 || !mc_is_uri(did))) {
        cli_error("learner add: '%s' is not a DID (did:METHOD:...)", did);
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    /* the row only borrows the option strings: it is not released */
    memset(&l, 0, sizeof(l));
    l.org_id = a.org;
    l.name = (char *)(uintptr_t)name;
    l.email = (char *)(uintptr_t)email;
    l.did = (char *)(uintptr_t)did;
    mc_err_clear(&err);
    /* the verb the API uses too (lib/service/admin.c): checks, insert, audit */
    if (mc_admin_learner_add(a.st, a.org, &l, "cli", &err)) {
        if (err.rc == MCRED_ERR_CONFLICT) {
            cli_error("learner add: a learner with that e-mail address or DID exists");
            rc = CLI_FAILED;
        } else {
            rc = admin_store_error(&err, "learner add");
        }
    } else {
        printf("%lld\n", (long long)l.id);
    }
    admin_close(&a);
    return rc;
}

static cJSON *learner_json(const struct mc_learner *l)
{
    cJSON *o = cJSON_CreateObject();

    if (o && admin_json_int(o, "id", l->id) && admin_json_str(o, "name", l->name) &&
        admin_json_str(o, "email", l->email) && admin_json_str(o, "did", l->did) &&
        admin_json_time(o, "created", l->created))
        return o;
    cJSON_Delete(o);
    return NULL;
}

static int print_learners(const struct mc_store_list *list, bool json)
{
    const struct mc_learner *l = list->rows;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    size_t i;
    int rc;

    if (!json) {
        for (i = 0; i < list->n; i++)
            printf("%-6lld %s  %s%s%s\n", (long long)l[i].id, l[i].name,
                   l[i].email ? l[i].email : "", l[i].email && l[i].did ? "  " : "",
                   l[i].did ? l[i].did : "");
        return CLI_OK;
    }
    for (i = 0; arr && i < list->n; i++) {
        cJSON *o = learner_json(&l[i]);

        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    rc = admin_print_json(arr);
    cJSON_Delete(arr);
    return rc;
}

static int learner_list(int argc, char **argv)
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
    if (mc_store_learner_list(a.st, a.org, &l, &err))
        rc = admin_store_error(&err, "learner list");
    else
        rc = print_learners(&l, json);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

static int learner_show(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_learner l;
    struct admin a;
    struct mc_err err;
    int64_t id;
    int npos, rc;
    char t[32];

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("learner show: which learner (an id, e-mail address or DID)?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    admin_parse_id(pos[0], &id);
    if (mc_store_learner_get(a.st, a.org, id, id ? NULL : pos[0], &l, &err)) {
        rc = admin_store_error(&err, "learner '%s'", pos[0]);
    } else if (json) {
        cJSON *o = learner_json(&l);

        rc = admin_print_json(o);
        cJSON_Delete(o);
    } else {
        printf("id:       %lld\nname:     %s\nemail:    %s\ndid:      %s\ncreated:  %s\n",
               (long long)l.id, l.name, l.email ? l.email : "-", l.did ? l.did : "-",
               admin_time(l.created, t));
    }
    mc_learner_release(&l);
    admin_close(&a);
    return rc;
}

int cmd_learner(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "add") == 0)
        return learner_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return learner_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return learner_show(argc - 1, argv + 1);
    cli_error("learner: unknown subcommand '%s' (add, list, show)", argv[1]);
    return CLI_USAGE;
}
