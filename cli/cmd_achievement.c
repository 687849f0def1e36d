/* cmd_achievement.c - `mcred achievement create|list|show`: the Open Badges
 * 3.0 Achievements an organisation issues, validated on the way in and kept
 * as numbered versions of their id.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/jcs.h"
#include "model/ob.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json.h"

#define ACH_MAX_INPUT ((size_t)1 << 20)

static const char usage[] =
    "usage: mcred achievement create [--json] FILE\n"
    "       mcred achievement list [--json]\n"
    "       mcred achievement show [--json] ID|URI\n"
    "\n"
    "`create` reads an Open Badges 3.0 Achievement (JSON, at most 1 MiB; - for standard\n"
    "input), checks it (id, type, name, description, criteria and the kinds of every\n"
    "field, each problem named by its path: exit 1) and stores it as the next version of\n"
    "its id; it prints the new row id and the version. `list` shows the latest version\n"
    "of every achievement; `show` prints one as JSON, by row id or (latest version) by\n"
    "its URI. Every command takes --db DSN to use another store than mcred.conf names.\n";

/* Parse and validate an Achievement; prints every problem. 0, CLI_FAILED or
 * CLI_USAGE (the file could not be read). */
static int load(const char *file, cJSON **out)
{
    struct mc_ob_report rep;
    struct mc_err err;
    char *text = NULL;
    size_t n, i;
    int rc;

    *out = NULL;
    rc = cli_read_input(file, ACH_MAX_INPUT, &text, &n);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_json_parse(text, n, 0, out, &err)) {
        cli_error("achievement '%s': %s", file, mc_err_msg(&err));
        mc_free(text);
        return CLI_FAILED;
    }
    mc_free(text);
    if (mc_ob_validate_achievement(*out, &rep, &err) == MCRED_OK)
        return CLI_OK;
    cli_error("achievement '%s' is not a valid Open Badges 3.0 Achievement:", file);
    for (i = 0; i < rep.n; i++)
        fprintf(stderr, "  %s\n", rep.problems[i]);
    if (rep.total > rep.n)
        fprintf(stderr, "  (and %zu more)\n", rep.total - rep.n);
    if (rep.n == 0)
        fprintf(stderr, "  %s\n", mc_err_msg(&err));
    cJSON_Delete(*out);
    *out = NULL;
    return CLI_FAILED;
}

/* Store ach (validated) as the next version of its id. */
static int store_achievement(struct admin *a, const cJSON *ach, struct mc_achievement *row)
{
    struct mc_buf b;
    struct mc_err err;
    char ver[32];
    int rc = CLI_OK;

    memset(row, 0, sizeof(*row));
    mc_buf_init(&b, MC_STORE_MAX_DOC);
    mc_err_clear(&err);
    if (mc_json_stringify(ach, 0, &b, &err)) {
        cli_error("achievement create: %s", mc_err_msg(&err));
        mc_buf_release(&b);
        return CLI_FAILED;
    }
    /* the row borrows the id and the text; the caller must not release it */
    row->org_id = a->org;
    row->uri = (char *)(uintptr_t)mc_json_str(ach, "id");
    row->json = b.ptr;
    if (mc_store_begin(a->st, &err) || mc_store_achievement_put(a->st, row, &err)) {
        mc_store_rollback(a->st);
        rc = admin_store_error(&err, "achievement create");
    } else {
        snprintf(ver, sizeof(ver), "version %d", row->version);
        if (admin_audit(a->st, a->org, "achievement create", row->uri, ver, &err) ||
            mc_store_commit(a->st, &err)) {
            mc_store_rollback(a->st);
            rc = admin_store_error(&err, "achievement create");
        }
    }
    row->json = NULL;
    mc_buf_release(&b);
    return rc;
}

static int achievement_create(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_achievement row;
    struct admin a;
    cJSON *ach = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("achievement create: which file (an OB 3.0 Achievement in JSON)?");
        return CLI_USAGE;
    }
    rc = load(pos[0], &ach);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (!rc) {
        rc = store_achievement(&a, ach, &row);
        if (!rc && json)
            printf("{\"id\":%lld,\"version\":%d}\n", (long long)row.id, row.version);
        else if (!rc)
            printf("%lld version %d\n", (long long)row.id, row.version);
        admin_close(&a);
    }
    cJSON_Delete(ach);
    return rc;
}

static cJSON *summary_json(const struct mc_achievement *r, const cJSON *doc)
{
    cJSON *o = cJSON_CreateObject();

    if (o && admin_json_int(o, "id", r->id) && admin_json_str(o, "uri", r->uri) &&
        admin_json_int(o, "version", r->version) &&
        admin_json_str(o, "name", mc_json_str(doc, "name")) &&
        admin_json_time(o, "created", r->created))
        return o;
    cJSON_Delete(o);
    return NULL;
}

static int print_achievements(const struct mc_store_list *l, bool json)
{
    const struct mc_achievement *r = l->rows;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    size_t i;
    int rc = CLI_OK;

    for (i = 0; i < l->n && (arr || !json); i++) {
        cJSON *doc = NULL, *o;
        const char *name;

        /* a row that does not parse still lists, without its name */
        if (mc_json_parse(r[i].json, strlen(r[i].json), MC_STORE_MAX_DOC, &doc, NULL))
            doc = NULL;
        name = mc_json_str(doc, "name");
        if (!json) {
            printf("%-6lld v%-3d %s  %s\n", (long long)r[i].id, r[i].version, r[i].uri,
                   name ? name : "");
        } else {
            o = summary_json(&r[i], doc);
            if (!o || !cJSON_AddItemToArray(arr, o)) {
                cJSON_Delete(o);
                cJSON_Delete(arr);
                arr = NULL;
            }
        }
        cJSON_Delete(doc);
    }
    if (json)
        rc = admin_print_json(arr);
    cJSON_Delete(arr);
    return rc;
}

static int achievement_list(int argc, char **argv)
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
    if (mc_store_achievement_list(a.st, a.org, &l, &err))
        rc = admin_store_error(&err, "achievement list");
    else
        rc = print_achievements(&l, json);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

static int achievement_show(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;   /* accepted for symmetry: the output is JSON anyway */
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_achievement r;
    struct admin a;
    struct mc_err err;
    cJSON *doc = NULL;
    int64_t id;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("achievement show: which achievement (a row id or its URI)?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&r, 0, sizeof(r));
    mc_err_clear(&err);
    admin_parse_id(pos[0], &id);
    if (mc_store_achievement_get(a.st, a.org, id, id ? NULL : pos[0], &r, &err)) {
        rc = admin_store_error(&err, "achievement '%s'", pos[0]);
    } else if (mc_json_parse(r.json, strlen(r.json), MC_STORE_MAX_DOC, &doc, &err)) {
        cli_error("achievement '%s' in the store: %s", pos[0], mc_err_msg(&err));
        rc = CLI_USAGE;
    } else {
        rc = admin_print_json(doc);
    }
    cJSON_Delete(doc);
    mc_achievement_release(&r);
    admin_close(&a);
    return rc;
}

int cmd_achievement(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "create") == 0)
        return achievement_create(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return achievement_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return achievement_show(argc - 1, argv + 1);
    cli_error("achievement: unknown subcommand '%s' (create, list, show)", argv[1]);
    return CLI_USAGE;
}
