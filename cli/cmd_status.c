/* cmd_status.c - `mcred status publish`: write the organisation's signed
 * Bitstring Status List credentials to a directory laid out like their URLs,
 * ready to be served under the public URL.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "home.h"
#include "service/issue.h"

static const char usage[] =
    "usage: mcred status publish --out DIR\n"
    "       mcred status suspension on|off [--db DSN]\n"
    "\n"
    "Write every status list credential of the issuer to DIR, at the path its URL has\n"
    "under the public URL (e.g. DIR/status/revocation/<id>). Serve DIR at the public URL\n"
    "so that verifiers anywhere can check revocation and suspension. Lists are signed\n"
    "again each time a credential is revoked, suspended or unsuspended.\n"
    "\n"
    "suspension: whether credentials issued from now on can be suspended. Off (the\n"
    "default): credentialStatus is one revocation entry, as Open Badges 3.0 and CLR 2.0\n"
    "allow. On: a revocation and a suspension entry (W3C VC 2.0 allows a list; the\n"
    "1EdTech JSON Schemas do not, so such badges fail their validators).\n";

/* mkdir -p for the directories of path (not the last component). */
static int make_parents(char *path)
{
    char *s;

    for (s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            cli_error("status: cannot create '%s': %s", path, strerror(errno));
            *s = '/';
            return CLI_USAGE;
        }
        *s = '/';
    }
    return CLI_OK;
}

static int publish(struct home *h, const char *out)
{
    struct mc_store_list lists;
    struct mc_err err;
    size_t i, base = strlen(h->conf.public_url), written = 0;
    int rc = CLI_OK;

    memset(&lists, 0, sizeof(lists));
    mc_err_clear(&err);
    if (mc_store_status_list_all(h->st, h->org, &lists, &err)) {
        cli_error("status: %s", mc_err_msg(&err));
        return CLI_USAGE;
    }
    for (i = 0; i < lists.n && !rc; i++) {
        const struct mc_status_list *l = &((const struct mc_status_list *)lists.rows)[i];
        char path[4096];

        if (!l->doc)
            continue;
        if (strncmp(l->url, h->conf.public_url, base) != 0 || l->url[base] != '/' ||
            strstr(l->url + base, "/../") || strstr(l->url + base, "/./")) {
            cli_error("status: list %s is not under the public URL %s; skipped", l->url,
                      h->conf.public_url);
            continue;
        }
        snprintf(path, sizeof(path), "%s%s", out, l->url + base);
        rc = make_parents(path);
        if (!rc)
            rc = cli_write_file(path, l->doc, strlen(l->doc), 0644, true);
        if (!rc) {
            printf("%s -> %s\n", l->url, path);
            written++;
        }
    }
    mc_store_list_clear(&lists);
    if (!rc)
        printf("%zu status list(s) written to %s\n", written, out);
    return rc;
}

/* `mcred status suspension on|off`: the organisation's setting. */
static int suspension(int argc, char **argv)
{
    const char *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { NULL, NULL, NULL } };
    struct mc_err err;
    struct admin a;
    int npos, rc;
    bool on;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1 || (strcmp(pos[0], "on") != 0 && strcmp(pos[0], "off") != 0)) {
        cli_error("status suspension: give 'on' or 'off'");
        return CLI_USAGE;
    }
    on = strcmp(pos[0], "on") == 0;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_issue_set_suspension(a.st, a.org, on, "cli", &err) != MCRED_OK)
        rc = admin_store_error(&err, "status suspension");
    else
        printf("credentials of '%s' issued from now on: %s\n", a.conf.org,
               on ? "revocation and suspension entries" : "one revocation entry");
    admin_close(&a);
    return rc;
}

int cmd_status(int argc, char **argv)
{
    const char *out = NULL, *pos[1];
    struct cli_opt opts[] = { { "out", &out, NULL }, { NULL, NULL, NULL } };
    struct home h;
    int npos, rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "suspension") == 0)
        return suspension(argc - 1, argv + 1);
    if (strcmp(argv[1], "publish") != 0) {
        cli_error("status: unknown subcommand '%s' (publish, suspension)", argv[1]);
        return CLI_USAGE;
    }
    rc = cli_parse(argc - 1, argv + 1, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!out) {
        cli_error("status publish: --out DIR is required");
        return CLI_USAGE;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        cli_error("status publish: cannot create '%s': %s", out, strerror(errno));
        return CLI_USAGE;
    }
    rc = home_open(&h, NULL, false, NULL);
    if (rc)
        return rc;
    rc = publish(&h, out);
    home_close(&h);
    return rc;
}
