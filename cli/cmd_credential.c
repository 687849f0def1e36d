/* cmd_credential.c - `mcred credential new`: an unsigned Open Badges 3.0
 * AchievementCredential from an achievement, an issuer and a recipient; and
 * `credential list|show|export`: the credentials issued into the store.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/jcs.h"
#include "model/ob.h"
#include "store/store.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred credential new --issuer DID|URL --achievement FILE --recipient DID|EMAIL\n"
    "                            [--issuer-name NAME] [--id URI] [--valid-from RFC3339]\n"
    "                            [--valid-until RFC3339] [--evidence URL] [--hash-email]\n"
    "\n"
    "Print an unsigned Open Badges 3.0 AchievementCredential. FILE holds an OB 3.0\n"
    "Achievement (id, type, name, description, criteria are required). A recipient given\n"
    "as an e-mail address becomes an IdentityObject, salted and hashed with --hash-email.\n"
    "Sign the result with `mcred sign`.\n"
    "\n"
    "usage: mcred credential list [--limit N] [--offset N] [--json]\n"
    "       mcred credential show [--json] ID\n"
    "       mcred credential export [--out FILE] [--force] ID\n"
    "\n"
    "The credentials issued into the store of the data directory (MCRED_HOME). `list`\n"
    "pages through them in issue order (--limit 1 to 1000, default 50; the count goes to\n"
    "standard error, or into the JSON); `show` prints a credential's state, the reason of\n"
    "its last change, its recipient and status entries, and the document; `export`\n"
    "writes the signed document alone, exactly as stored, to standard output or FILE.\n"
    "Each takes --db DSN to use another store than mcred.conf names.\n";

static int credential_new(int argc, char **argv)
{
    const char *issuer = NULL, *achfile = NULL, *recipient = NULL, *iname = NULL, *id = NULL;
    const char *from = NULL, *until = NULL, *evidence = NULL, *pos[1];
    bool hash = false;
    struct cli_opt opts[] = {
        { "issuer", &issuer, NULL }, { "achievement", &achfile, NULL },
        { "recipient", &recipient, NULL }, { "issuer-name", &iname, NULL }, { "id", &id, NULL },
        { "valid-from", &from, NULL }, { "valid-until", &until, NULL },
        { "evidence", &evidence, NULL }, { "hash-email", NULL, &hash }, { NULL, NULL, NULL } };
    struct mc_ob_issue in = { 0 };
    struct mc_err err;
    cJSON *ach = NULL, *cred = NULL;
    char *text = NULL;
    size_t n;
    long long t;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!issuer || !achfile || !recipient) {
        fputs(usage, stderr);
        cli_error("credential new: --issuer, --achievement and --recipient are required");
        return CLI_USAGE;
    }
    t = cli_time_opt("valid-from", from);
    if (t < 0)
        return CLI_USAGE;
    in.valid_from = (time_t)t;
    if (until) {
        t = cli_time_opt("valid-until", until);
        if (t < 0)
            return CLI_USAGE;
        in.valid_until = (time_t)t;
    }
    rc = cli_read_input(achfile, 1 << 20, &text, &n);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_json_parse(text, n, 0, &ach, &err)) {
        cli_error("credential new: achievement '%s': %s", achfile, mc_err_msg(&err));
        mc_free(text);
        return CLI_FAILED;
    }
    in.issuer_id = issuer;
    in.issuer_name = iname;
    in.achievement = ach;
    in.recipient = recipient;
    in.hash_email = hash;
    in.id = id;
    in.evidence_url = evidence;
    if (mc_ob_credential_new(&in, &cred, &err)) {
        cli_error("credential new: %s", mc_err_msg(&err));
        rc = err.rc == MCRED_ERR_INVALID ? CLI_FAILED : CLI_USAGE;
    } else {
        struct mc_buf b;

        mc_buf_init(&b, 0);
        if (mc_json_stringify(cred, 2, &b, &err) == MCRED_OK) {
            printf("%s\n", b.ptr);
        } else {
            cli_error("credential new: %s", mc_err_msg(&err));
            rc = CLI_USAGE;
        }
        mc_buf_release(&b);
    }
    cJSON_Delete(cred);
    cJSON_Delete(ach);
    mc_free(text);
    return rc;
}

/* ---- credentials in the store: list, show, export --------------------------- */

static cJSON *cred_json(const struct mc_credential *c)
{
    cJSON *o = cJSON_CreateObject();
    bool ok;

    ok = o && admin_json_str(o, "id", c->id) &&
         admin_json_str(o, "state", mc_cred_state_name(c->state)) &&
         admin_json_str(o, "reason", c->reason) && admin_json_str(o, "recipient", c->recipient) &&
         admin_json_time(o, "issued", c->issued) &&
         admin_json_time(o, "validUntil", c->valid_until) &&
         admin_json_int(o, "achievement", c->achievement_id);
    ok = ok && (c->learner_id ? admin_json_int(o, "learner", c->learner_id)
                              : cJSON_AddNullToObject(o, "learner") != NULL);
    if (ok)
        return o;
    cJSON_Delete(o);
    return NULL;
}

static int print_creds(const struct mc_store_list *l, int64_t total, size_t offset, bool json)
{
    const struct mc_credential *c = l->rows;
    cJSON *o = NULL, *arr = NULL;
    char t[32];
    size_t i;
    int rc;

    if (!json) {
        for (i = 0; i < l->n; i++)
            printf("%s  %-9s  %s  %s\n", c[i].id, mc_cred_state_name(c[i].state),
                   admin_time(c[i].issued, t), c[i].recipient);
        fprintf(stderr, "%zu of %lld credentials (from %zu)\n", l->n, (long long)total,
                offset);
        return CLI_OK;
    }
    o = cJSON_CreateObject();
    if (o && admin_json_int(o, "total", total) && admin_json_int(o, "offset", (int64_t)offset))
        arr = cJSON_AddArrayToObject(o, "credentials");
    for (i = 0; arr && i < l->n; i++) {
        cJSON *r = cred_json(&c[i]);

        if (!r || !cJSON_AddItemToArray(arr, r)) {
            cJSON_Delete(r);
            arr = NULL;
        }
    }
    rc = admin_print_json(arr ? o : NULL);
    cJSON_Delete(o);
    return rc;
}

static int credential_list(int argc, char **argv)
{
    const char *db = NULL, *lim = NULL, *off = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "limit", &lim, NULL },
                              { "offset", &off, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_store_list l;
    struct admin a;
    struct mc_err err;
    size_t limit = 50, offset = 0;
    int64_t total = 0;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (!rc)
        rc = admin_parse_count("limit", lim, 1, MC_STORE_PAGE_MAX, &limit);
    if (!rc)
        rc = admin_parse_count("offset", off, 0, (size_t)1 << 40, &offset);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    if (mc_store_cred_count(a.st, a.org, &total, &err) ||
        mc_store_cred_list(a.st, a.org, offset, limit, &l, &err))
        rc = admin_store_error(&err, "credential list");
    else
        rc = print_creds(&l, total, offset, json);
    mc_store_list_clear(&l);
    admin_close(&a);
    return rc;
}

/* "URL#index" of a status entry, or "-". */
static const char *status_of(struct admin *a, int64_t list, int64_t index, char *buf, size_t cap)
{
    struct mc_status_list sl;

    memset(&sl, 0, sizeof(sl));
    if (!list)
        mc_strlcpy(buf, "-", cap);
    else if (mc_store_status_list_get(a->st, a->org, list, &sl, NULL) == MCRED_OK)
        snprintf(buf, cap, "%s#%lld", sl.url, (long long)index);
    else
        snprintf(buf, cap, "list %lld, index %lld", (long long)list, (long long)index);
    mc_status_list_release(&sl);
    return buf;
}

static int show_text(struct admin *a, const struct mc_credential *c, const cJSON *doc)
{
    char t1[32], t2[32], rev[MC_STORE_MAX_TEXT + 32], sus[MC_STORE_MAX_TEXT + 32];
    int rc;

    printf("id:           %s\nstate:        %s\nreason:       %s\nrecipient:    %s\n"
           "issued:       %s\nvalid until:  %s\n", c->id, mc_cred_state_name(c->state),
           c->reason ? c->reason : "-", c->recipient, admin_time(c->issued, t1),
           admin_time(c->valid_until, t2));
    printf("achievement:  %lld\n", (long long)c->achievement_id);
    if (c->learner_id)
        printf("learner:      %lld\n", (long long)c->learner_id);
    else
        printf("learner:      -\n");
    printf("revocation:   %s\nsuspension:   %s\n\n",
           status_of(a, c->status_list_rev, c->status_index_rev, rev, sizeof(rev)),
           status_of(a, c->status_list_sus, c->status_index_sus, sus, sizeof(sus)));
    rc = admin_print_json(doc);
    return rc;
}

static int show_json(const struct mc_credential *c, cJSON *doc)
{
    cJSON *o = cred_json(c);
    int rc;

    /* doc moves into o: the caller must not delete it once this returns */
    if (o && !cJSON_AddItemToObject(o, "credential", doc)) {
        cJSON_Delete(doc);
        cJSON_Delete(o);
        o = NULL;
    } else if (!o) {
        cJSON_Delete(doc);
    }
    rc = admin_print_json(o);
    cJSON_Delete(o);
    return rc;
}

/* Look up credential id; prints the error. */
static int get_cred(struct admin *a, const char *id, struct mc_credential *c)
{
    struct mc_err err;

    mc_err_clear(&err);
    if (mc_store_cred_get(a->st, a->org, id, c, &err))
        return admin_store_error(&err, "credential '%s'", id);
    return CLI_OK;
}

static int credential_show(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_credential c;
    struct admin a;
    struct mc_err err;
    cJSON *doc = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("credential show: which credential (its id)?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&c, 0, sizeof(c));
    mc_err_clear(&err);
    rc = get_cred(&a, pos[0], &c);
    if (!rc && mc_json_parse(c.doc, strlen(c.doc), MC_STORE_MAX_DOC, &doc, &err)) {
        cli_error("credential '%s' in the store: %s", pos[0], mc_err_msg(&err));
        rc = CLI_USAGE;
    }
    if (!rc && json) {
        rc = show_json(&c, doc);
        doc = NULL;
    } else if (!rc) {
        rc = show_text(&a, &c, doc);
    }
    cJSON_Delete(doc);
    mc_credential_release(&c);
    admin_close(&a);
    return rc;
}

static int credential_export(int argc, char **argv)
{
    const char *db = NULL, *out = NULL, *pos[1];
    bool force = false;
    struct cli_opt opts[] = { { "db", &db, NULL }, { "out", &out, NULL },
                              { "force", NULL, &force }, { NULL, NULL, NULL } };
    struct mc_credential c;
    struct admin a;
    size_t n;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("credential export: which credential (its id)?");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&c, 0, sizeof(c));
    rc = get_cred(&a, pos[0], &c);
    if (!rc) {
        /* the stored bytes, as signed; a newline after them on a terminal or pipe */
        n = strlen(c.doc);
        rc = cli_write_file(out, c.doc, n, 0644, force);
        if (!rc && (!out || strcmp(out, "-") == 0) && (n == 0 || c.doc[n - 1] != '\n'))
            putchar('\n');
    }
    mc_credential_release(&c);
    admin_close(&a);
    return rc;
}

int cmd_credential(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "new") == 0)
        return credential_new(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return credential_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return credential_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "export") == 0)
        return credential_export(argc - 1, argv + 1);
    cli_error("credential: unknown subcommand '%s' (new, list, show, export)", argv[1]);
    return CLI_USAGE;
}
