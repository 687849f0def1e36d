/* cmd_issue.c - `mcred issue`: one credential, or a CSV / JSON Lines file of
 * rows in bulk; `mcred revoke|suspend|unsuspend`; `mcred status publish`.
 * Thin: the verbs live in lib/service/issue.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_cmds.h"
#include "home.h"
#include "service/issue.h"
#include "service/rows.h"

static const char issue_usage[] =
    "usage: mcred issue --achievement ID (--recipient EMAIL|DID | --csv FILE | --jsonl FILE)\n"
    "                   [--name NAME] [--key KEY] [--valid-until RFC3339] [--evidence URL]\n"
    "                   [--all-or-nothing] [--threads N] [--quiet] [--passphrase-file FILE]\n"
    "\n"
    "Issue an Open Badges 3.0 credential of achievement ID (a row id or the achievement's\n"
    "URI; the latest version), signed with eddsa-rdfc-2022 and carrying revocation and\n"
    "suspension status entries. With --csv or --jsonl (FILE may be - for standard input)\n"
    "every row becomes a credential: columns recipient (required), name, key (the\n"
    "idempotency key; default: derived from achievement and recipient), valid_until,\n"
    "evidence_url. Rows are streamed, signed on every core and stored in batches; a bad\n"
    "row is reported with its number and the rest go on (unless --all-or-nothing). Running\n"
    "the same file again issues nothing twice.\n"
    "exit codes: 0 all rows issued (or issued before); 1 some rows were rejected;\n"
    "            2 usage, input or store error\n";

static long read_file(void *ud, void *buf, size_t n)
{
    FILE *f = ud;
    size_t r = fread(buf, 1, n, f);

    return r == 0 && ferror(f) ? -1 : (long)r;
}

/* Look the achievement up by row id, or by URI (latest version). */
static int find_achievement(struct home *h, const char *ref, struct mc_achievement *a)
{
    struct mc_err err;
    char *end = NULL;
    long long id = strtoll(ref, &end, 10);

    memset(a, 0, sizeof(*a));
    mc_err_clear(&err);
    if (end && *end == '\0' && id > 0) {
        if (mc_store_achievement_get(h->st, h->org, id, NULL, a, &err) == MCRED_OK)
            return CLI_OK;
    } else if (mc_store_achievement_get(h->st, h->org, 0, ref, a, &err) == MCRED_OK) {
        return CLI_OK;
    }
    cli_error("issue: achievement '%s' not found (`mcred achievement list`)", ref);
    return CLI_USAGE;
}

struct progress {
    bool tty;
    bool quiet;
};

static void on_progress(void *ud, size_t rows, size_t issued, size_t already, size_t failed)
{
    const struct progress *p = ud;

    if (p->tty && !p->quiet) {
        fprintf(stderr, "\r%zu rows: %zu issued, %zu already issued, %zu rejected", rows, issued,
                already, failed);
        fflush(stderr);
    }
}

static void on_row_error(void *ud, size_t row, size_t line, const char *msg)
{
    const struct progress *p = ud;

    if (p->tty && !p->quiet)
        fputc('\n', stderr);
    fprintf(stderr, "mcred: row %zu (line %zu): %s\n", row, line, msg);
}

static int issue_file(struct home *h, const struct mc_achievement *a, const char *path,
                      enum mc_rows_format fmt, bool all, int threads, bool quiet)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct mc_reader r = { read_file, f };
    struct progress pr = { isatty(STDERR_FILENO) != 0, quiet };
    struct mc_bulk_opts o;
    struct mc_bulk_result res;
    struct mc_rows *rs = NULL;
    struct mc_err err;
    mcred_rc rc;

    if (!f) {
        cli_error("issue: cannot open '%s': %s", path, strerror(errno));
        return CLI_USAGE;
    }
    mc_err_clear(&err);
    rc = mc_rows_open(&rs, fmt, &r, &err);
    if (rc) {
        cli_error("issue: %s: %s", path, mc_err_msg(&err));
        if (f != stdin)
            fclose(f);
        return CLI_USAGE;
    }
    memset(&o, 0, sizeof(o));
    o.all_or_nothing = all;
    o.threads = threads;
    o.progress = on_progress;
    o.row_error = on_row_error;
    o.ud = &pr;
    rc = mc_issue_bulk(&h->is, a, rs, &o, &res, &err);
    if (pr.tty && !quiet)
        fputc('\n', stderr);
    mc_rows_free(rs);
    if (f != stdin)
        fclose(f);
    printf("%zu rows: %zu issued, %zu already issued, %zu rejected\n", res.rows, res.issued,
           res.already, res.failed);
    if (rc) {
        cli_error("issue: %s: %s%s", path, mc_err_msg(&err),
                  all ? " (nothing was issued)" : "");
        return rc == MCRED_ERR_INVALID ? CLI_FAILED : CLI_USAGE;
    }
    return res.failed ? CLI_FAILED : CLI_OK;
}

int cmd_issue(int argc, char **argv)
{
    const char *ach = NULL, *recipient = NULL, *csv = NULL, *jsonl = NULL, *name = NULL;
    const char *key = NULL, *until = NULL, *evidence = NULL, *threads_s = NULL, *passfile = NULL;
    const char *pos[1];
    bool all = false, quiet = false;
    struct cli_opt opts[] = {
        { "achievement", &ach, NULL }, { "recipient", &recipient, NULL }, { "csv", &csv, NULL },
        { "jsonl", &jsonl, NULL }, { "name", &name, NULL }, { "key", &key, NULL },
        { "valid-until", &until, NULL }, { "evidence", &evidence, NULL },
        { "threads", &threads_s, NULL }, { "passphrase-file", &passfile, NULL },
        { "all-or-nothing", NULL, &all }, { "quiet", NULL, &quiet }, { NULL, NULL, NULL } };
    struct mc_achievement a;
    struct home h;
    int npos, rc, threads = 0;

    if (cli_wants_help(argc, argv)) {
        fputs(issue_usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!ach || (!!recipient + !!csv + !!jsonl) != 1) {
        fputs(issue_usage, stderr);
        cli_error("issue: give --achievement and exactly one of --recipient, --csv, --jsonl");
        return CLI_USAGE;
    }
    if (threads_s) {
        char *end = NULL;

        threads = (int)strtol(threads_s, &end, 10);
        if (!end || *end || threads < 1 || threads > 64) {
            cli_error("issue: --threads must be 1 to 64");
            return CLI_USAGE;
        }
    }
    rc = home_open(&h, NULL, true, passfile);
    if (rc)
        return rc;
    rc = find_achievement(&h, ach, &a);
    if (!rc && recipient) {
        struct mc_row row;
        struct mc_issue_result res;
        struct mc_err err;

        memset(&row, 0, sizeof(row));
        row.number = 1;
        row.line = 1;
        row.recipient = recipient;
        row.name = name;
        row.key = key;
        row.valid_until = until;
        row.evidence_url = evidence;
        mc_err_clear(&err);
        if (mc_issue_one(&h.is, &a, &row, &res, &err) != MCRED_OK) {
            cli_error("issue: %s", mc_err_msg(&err));
            rc = err.rc == MCRED_ERR_INVALID ? CLI_FAILED : CLI_USAGE;
        } else {
            printf("%s%s\n", res.id, res.already ? " (already issued: nothing new)" : "");
        }
    } else if (!rc) {
        rc = issue_file(&h, &a, csv ? csv : jsonl, csv ? MC_ROWS_CSV : MC_ROWS_JSONL, all,
                        threads, quiet);
    }
    mc_achievement_release(&a);
    home_close(&h);
    return rc;
}

/* ---- revoke, suspend, unsuspend ----------------------------------------------------- */

static int set_state(int argc, char **argv, enum mc_cred_state state, const char *verb)
{
    const char *reason = NULL, *passfile = NULL, *pos[1];
    struct cli_opt opts[] = { { "reason", &reason, NULL },
                              { "passphrase-file", &passfile, NULL }, { NULL, NULL, NULL } };
    struct home h;
    struct mc_err err;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        printf("usage: mcred %s CREDENTIAL_ID [--reason TEXT]\n\n"
               "%s the credential and republish its status list (signed with the issuer's\n"
               "key).%s\n", verb, state == MC_CRED_REVOKED ? "Revoke" :
               state == MC_CRED_SUSPENDED ? "Suspend" : "Lift the suspension of",
               state == MC_CRED_REVOKED ? " Revocation is final." : "");
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("%s: which credential? (`mcred credential list`)", verb);
        return CLI_USAGE;
    }
    rc = home_open(&h, NULL, true, passfile);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_issue_set_state(&h.is, pos[0], state, reason, &err) != MCRED_OK) {
        cli_error("%s: %s", verb, mc_err_msg(&err));
        rc = err.rc == MCRED_ERR_CONFLICT || err.rc == MCRED_ERR_NOTFOUND ? CLI_FAILED :
                                                                               CLI_USAGE;
    } else {
        printf("%s: %s\n", pos[0], mc_cred_state_name(state));
    }
    home_close(&h);
    return rc;
}

int cmd_revoke(int argc, char **argv)
{
    return set_state(argc, argv, MC_CRED_REVOKED, "revoke");
}

int cmd_suspend(int argc, char **argv)
{
    return set_state(argc, argv, MC_CRED_SUSPENDED, "suspend");
}

int cmd_unsuspend(int argc, char **argv)
{
    return set_state(argc, argv, MC_CRED_ACTIVE, "unsuspend");
}
