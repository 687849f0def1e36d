/* cmd_position.c - `mcred position` (create, list, show, share) and `mcred
 * match`: an employer's positions and the ranking of the learners who shared
 * their credentials with it, on verified skills only, through
 * lib/service/positions.h (docs/employers.md).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/jcs.h"
#include "service/positions.h"

static const char usage[] =
    "usage: mcred position create FILE [--db DSN]\n"
    "       mcred position list [--json] [--db DSN]\n"
    "       mcred position show ID [--db DSN]\n"
    "       mcred position share --learner L --employer ORG\n"
    "                            [--credentials ID,ID... | --presentation VP.json] [--db DSN]\n"
    "\n"
    "An employer's positions (the organisation of MCRED_HOME). FILE is a JSON position:\n"
    "  {\"title\": \"Data analyst\", \"missingRequired\": \"rank-below\" | \"exclude\",\n"
    "   \"required\": [{\"skill\": URI, \"weight\": 2, \"minLevel\": 3}, {\"credential\": URI}],\n"
    "   \"preferred\": [{\"skill\": URI, \"weight\": 0.5}]}\n"
    "(skills of an imported framework, credentials by achievement URI; see\n"
    "docs/employers.md). `share` records that learner L of this organisation shares\n"
    "every credential (or the ones listed, or those of a Verifiable Presentation made\n"
    "by `mcred present`) with the organisation ORG (its name or id): L then becomes a\n"
    "candidate for ORG's positions (`mcred match`). Sharing again replaces the list.\n"
    "\n"
    "exit codes: 0 done; 1 the input was refused (malformed, unknown, not found);\n"
    "            2 usage, I/O or store error\n";

static const char match_usage[] =
    "usage: mcred match --position ID [--top N] [--format table|json|csv] [--db DSN]\n"
    "\n"
    "Rank the candidates of a position of this organisation: the learners who shared\n"
    "their credentials with it (`mcred position share`), on verified skills only\n"
    "(credentials issued here that are active and not expired; wallet items imported\n"
    "as valid). Score: the weights of the required and preferred needs held; a\n"
    "candidate missing a required one ranks below every candidate holding them all\n"
    "(or is left out: \"missingRequired\": \"exclude\"); ties by learner id. Each\n"
    "result lists what matched (from which credential), what is missing, and the\n"
    "claims ignored (self-declared skills; revoked, suspended, expired or invalid\n"
    "credentials). --top: 1..1000 (default 50). CSV (RFC 4180, formula-safe) and JSON\n"
    "are for applicant tracking systems.\n"
    "\n"
    "exit codes: 0 done; 1 no such position; 2 usage, I/O or store error\n";

static int fail(const struct mc_err *err, const char *what)
{
    return admin_store_error(err, "%s", what);   /* 1 refused, 2 usage or I/O */
}

static int position_create(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { NULL, NULL, NULL } };
    struct admin a;
    struct mc_err err;
    char *text = NULL;
    size_t n = 0;
    int64_t id = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("position create: which file (a JSON position, or - for stdin)?");
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], MC_POSITION_MAX_DOC, &text, &n);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(text);
        return rc;
    }
    mc_err_clear(&err);
    if (mc_position_create(a.st, a.org, text, n, "cli", &id, &err))
        rc = fail(&err, pos[0]);
    else
        printf("%lld\n", (long long)id);
    mc_free(text);
    admin_close(&a);
    return rc;
}

static int position_list(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_store_list l;
    struct admin a;
    struct mc_err err;
    cJSON *arr = NULL;
    size_t i;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_store_position_list(a.st, a.org, &l, &err)) {
        rc = fail(&err, "position list");
        admin_close(&a);
        return rc;
    }
    if (json)
        arr = cJSON_CreateArray();
    for (i = 0; i < l.n; i++) {
        const struct mc_position *p = &((const struct mc_position *)l.rows)[i];
        char t[32];

        if (arr)
            cJSON_AddItemToArray(arr, mc_position_json(p));
        else
            printf("%lld\t%s\t%s\n", (long long)p->id, admin_time(p->created, t), p->title);
    }
    if (arr)
        rc = admin_print_json(arr);
    cJSON_Delete(arr);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

static int position_show(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { NULL, NULL, NULL } };
    struct mc_position p;
    struct admin a;
    struct mc_err err;
    int64_t id = 0;
    cJSON *o;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1 || !admin_parse_id(pos[0], &id)) {
        cli_error("position show: which position (its id)?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_store_position_get(a.st, a.org, id, &p, &err)) {
        rc = fail(&err, "position show");
    } else {
        o = mc_position_json(&p);
        rc = o ? admin_print_json(o) : CLI_USAGE;
        if (!o)
            cli_error("position show: the stored position %lld does not parse", (long long)id);
        cJSON_Delete(o);
        mc_position_release(&p);
    }
    admin_close(&a);
    return rc;
}

static int position_share(int argc, char **argv)
{
    const char *db = NULL, *learner = NULL, *employer = NULL, *creds = NULL, *vp = NULL;
    const char *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { "learner", &learner, NULL },
                              { "employer", &employer, NULL }, { "credentials", &creds, NULL },
                              { "presentation", &vp, NULL }, { NULL, NULL, NULL } };
    const char *list[MC_POSITION_MAX_SCOPE];
    struct mc_learner l;
    struct mc_org o;
    struct admin a;
    struct mc_err err;
    char *copy = NULL, *s, *save = NULL, *vp_text = NULL;
    size_t n = 0, vp_len = 0;
    int64_t lid = 0, eid = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner || !employer) {
        cli_error("position share: --learner L and --employer ORG are required");
        return CLI_USAGE;
    }
    if (creds && vp) {
        cli_error("position share: give --credentials or --presentation, not both");
        return CLI_USAGE;
    }
    if (vp) {
        rc = cli_read_input(vp, MC_STORE_MAX_DOC, &vp_text, &vp_len);
        if (rc)
            return rc;
    }
    if (creds) {
        copy = mc_strdup(creds);
        if (!copy)
            return CLI_USAGE;
        for (s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
            if (n == MC_POSITION_MAX_SCOPE) {
                cli_error("position share: more than %d credentials", MC_POSITION_MAX_SCOPE);
                mc_free(copy);
                return CLI_USAGE;
            }
            list[n++] = s;
        }
    }
    rc = admin_open(&a, db);
    if (rc) {
        mc_free(copy);
        mc_free(vp_text);
        return rc;
    }
    mc_err_clear(&err);
    memset(&l, 0, sizeof(l));
    memset(&o, 0, sizeof(o));
    admin_parse_id(learner, &lid);
    if (mc_store_learner_get(a.st, a.org, lid, lid ? NULL : learner, &l, &err)) {
        rc = fail(&err, "position share: --learner");
        goto out;
    }
    if (admin_parse_id(employer, &eid) ? mc_store_org_get(a.st, eid, &o, &err)
                                       : mc_store_org_find(a.st, employer, &o, &err)) {
        rc = fail(&err, "position share: --employer");
        goto out;
    }
    if (vp_text ? mc_position_share_presentation(a.st, o.id, a.org, l.id, vp_text, vp_len,
                                                 "cli", NULL, &err)
                : mc_position_share(a.st, o.id, a.org, l.id, list, n, "cli", NULL, &err))
        rc = fail(&err, "position share");
    else
        printf("learner %lld shares %s with organisation %lld (%s)\n", (long long)l.id,
               vp_text ? "the presentation's credentials"
                       : n ? "the credentials listed" : "every credential",
               (long long)o.id, o.name);
out:
    mc_learner_release(&l);
    mc_org_release(&o);
    mc_free(copy);
    mc_free(vp_text);
    admin_close(&a);
    return rc;
}

int cmd_position(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "create") == 0)
        return position_create(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return position_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return position_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "share") == 0)
        return position_share(argc - 1, argv + 1);
    cli_error("position: unknown subcommand '%s' (create, list, show, share)", argv[1]);
    return CLI_USAGE;
}

/* ---- mcred match ---------------------------------------------------------------------- */

static void print_reasons(const cJSON *arr, const char *head, const char *via)
{
    const cJSON *e;

    for (e = mc_json_is_array(arr) ? arr->child : NULL; e; e = e->next) {
        const char *uri = mc_json_str(e, "uri"), *label = mc_json_str(e, "label");
        const char *extra = mc_json_str(e, via);

        if (!uri)
            uri = mc_json_str(e, "credential") ? mc_json_str(e, "credential")
                                               : mc_json_str(e, "skill");
        printf("    %-8s %s%s%s%s%s%s\n", head, label ? label : "", label ? " <" : "",
               uri ? uri : "", label ? ">" : "", extra ? " - " : "", extra ? extra : "");
    }
}

int cmd_match(int argc, char **argv)
{
    const char *db = NULL, *position = NULL, *top_s = NULL, *format = "table", *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { "position", &position, NULL },
                              { "top", &top_s, NULL }, { "format", &format, NULL },
                              { NULL, NULL, NULL } };
    struct admin a;
    struct mc_err err;
    cJSON *m = NULL;
    const cJSON *r;
    size_t top = MC_POSITION_TOP_DEFAULT;
    int64_t id = 0;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(match_usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!position || !admin_parse_id(position, &id)) {
        cli_error("match: --position ID is required (mcred position list)");
        return CLI_USAGE;
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "csv") != 0) {
        cli_error("match: --format: expected table, json or csv");
        return CLI_USAGE;
    }
    rc = admin_parse_count("top", top_s, 1, MC_POSITION_TOP_MAX, &top);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_position_match(a.st, a.org, id, top, time(NULL), &m, &err)) {
        rc = fail(&err, "match");
        admin_close(&a);
        return rc;
    }
    if (strcmp(format, "json") == 0) {
        rc = admin_print_json(m);
    } else if (strcmp(format, "csv") == 0) {
        struct mc_buf b;

        mc_buf_init(&b, (size_t)256 << 20);
        if (mc_position_csv(m, &b)) {
            cli_error("match: out of memory writing CSV");
            rc = CLI_USAGE;
        } else if (b.len && fwrite(b.ptr, 1, b.len, stdout) != b.len) {
            rc = CLI_USAGE;
        }
        mc_buf_release(&b);
    } else {
        const cJSON *p = mc_json_get(m, "position");
        const cJSON *cand = mc_json_get(m, "candidates"), *ranked = mc_json_get(m, "ranked");

        printf("position %.0f: %s: %.0f candidates, %.0f ranked (%s)\n",
               cJSON_GetNumberValue(mc_json_get(p, "id")), mc_json_str(p, "title"),
               cJSON_GetNumberValue(cand), cJSON_GetNumberValue(ranked),
               mc_json_str(m, "policy"));
        r = mc_json_get(m, "results");
        for (r = r ? r->child : NULL; r; r = r->next) {
            const char *email = mc_json_str(r, "email");

            printf("%3.0f. score %-6g %s  learner %.0f %s%s%s%s  (required %.0f/%.0f)\n",
                   cJSON_GetNumberValue(mc_json_get(r, "rank")),
                   cJSON_GetNumberValue(mc_json_get(r, "score")),
                   cJSON_IsTrue(mc_json_get(r, "complete")) ? "complete  " : "incomplete",
                   cJSON_GetNumberValue(mc_json_get(r, "learner")), mc_json_str(r, "name"),
                   email ? " <" : "", email ? email : "", email ? ">" : "",
                   cJSON_GetNumberValue(mc_json_get(r, "requiredHeld")),
                   cJSON_GetNumberValue(mc_json_get(r, "requiredTotal")));
            print_reasons(mc_json_get(r, "matched"), "matched", "credential");
            print_reasons(mc_json_get(r, "missing"), "missing", "why");
            print_reasons(mc_json_get(r, "ignored"), "ignored", "why");
        }
        r = mc_json_get(m, "attribution");
        for (r = r ? r->child : NULL; r; r = r->next)
            printf("%s%s\n", r == mc_json_get(m, "attribution")->child ? "\n" : "",
                   cJSON_GetStringValue(r));
    }
    cJSON_Delete(m);
    admin_close(&a);
    return rc;
}
