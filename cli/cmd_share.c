/* cmd_share.c - `mcred share`: turn the public badge page of an issued
 * credential (its share link, /badges/{share_id}) on or off, and set the
 * organisation's default for new links and whether its shared badges are
 * listed on the server's home page. The verbs are lib/service/share.h's.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "service/qr.h"
#include "service/share.h"

static const char usage[] =
    "usage: mcred share [--off] [--json] [--qr FILE] [--db DSN] ID\n"
    "       mcred share --default private|public [--db DSN]\n"
    "       mcred share --showcase on|off [--db DSN]\n"
    "\n"
    "Turn the share link of the issued credential ID on (or off with --off) and print\n"
    "its public badge page, <public_url>/badges/<share id>. ID is the credential's id,\n"
    "or the last part of one of ours (<public_url>/credentials/<ID>). A link keeps its\n"
    "id when it is turned off and on again; while off, the page answers 404.\n"
    "--qr FILE also writes the QR code of the link to FILE (SVG; '-' for standard output).\n"
    "\n"
    "--default sets whether the links of the organisation's credentials start out\n"
    "public or private (private unless set). --showcase on lists the organisation's\n"
    "shared badges on the server's home page (off unless set).\n";

static int set_setting(struct admin *a, const char *def, const char *showcase)
{
    struct mc_err err;
    mcred_rc rc;

    mc_err_clear(&err);
    if (def && strcmp(def, "public") != 0 && strcmp(def, "private") != 0) {
        cli_error("share --default takes 'public' or 'private', not '%s'", def);
        return CLI_USAGE;
    }
    if (showcase && strcmp(showcase, "on") != 0 && strcmp(showcase, "off") != 0) {
        cli_error("share --showcase takes 'on' or 'off', not '%s'", showcase);
        return CLI_USAGE;
    }
    rc = def ? mc_share_set_default(a->st, a->org, strcmp(def, "public") == 0, "cli", &err)
             : MCRED_OK;
    if (!rc && showcase)
        rc = mc_share_set_showcase(a->st, a->org, strcmp(showcase, "on") == 0, "cli", &err);
    if (rc)
        return admin_store_error(&err, "share");
    if (def)
        printf("new share links of '%s' start %s\n", a->conf.org, def);
    if (showcase)
        printf("shared badges of '%s' on the home page: %s\n", a->conf.org, showcase);
    return CLI_OK;
}

/* The QR code of url as SVG into path ("-": standard output). */
static int write_qr(const char *path, const char *url)
{
    struct mc_buf svg;
    struct mc_err err;
    FILE *f;
    int rc = CLI_OK;

    mc_buf_init(&svg, 1 << 20);
    mc_err_clear(&err);
    if (mc_qr_svg(url, &svg, NULL, &err)) {
        cli_error("share --qr: %s", mc_err_msg(&err));
        mc_buf_release(&svg);
        return CLI_FAILED;
    }
    f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f || fwrite(svg.ptr, 1, svg.len, f) != svg.len || (f != stdout && fclose(f) != 0)) {
        cli_error("share --qr: cannot write '%s'", path);
        rc = CLI_USAGE;
    }
    mc_buf_release(&svg);
    return rc;
}

static int share_one(struct admin *a, const char *arg, bool off, bool json, const char *qr)
{
    char id[MC_STORE_MAX_TEXT], sid[MC_SHARE_ID_LEN + 1];
    struct mc_buf url;
    struct mc_err err;
    cJSON *o;
    int rc = CLI_OK;

    if (strchr(arg, ':'))
        mc_strlcpy(id, arg, sizeof(id));
    else
        snprintf(id, sizeof(id), "%s/credentials/%s", a->conf.public_url, arg);
    mc_err_clear(&err);
    if (mc_share_set(a->st, a->org, id, !off, "cli", sid, &err))
        return admin_store_error(&err, "share '%s'", id);
    mc_buf_init(&url, 0);
    if (mc_share_url(a->conf.public_url, sid, &url)) {
        cli_error("out of memory");
        rc = CLI_USAGE;
    } else if (json) {
        o = cJSON_CreateObject();
        if (!o || !admin_json_str(o, "credential", id) ||
            !cJSON_AddBoolToObject(o, "enabled", !off) || !admin_json_str(o, "share_id", sid) ||
            !admin_json_str(o, "share_url", off ? NULL : url.ptr))
            rc = CLI_USAGE;
        else
            rc = admin_print_json(o);
        cJSON_Delete(o);
    } else if (off) {
        printf("not shared: %s (the page %s answers 404)\n", id, url.ptr);
    } else if (!qr || strcmp(qr, "-") != 0) {
        printf("%s\n", url.ptr);
    }
    if (!rc && qr)
        rc = write_qr(qr, url.ptr);
    mc_buf_release(&url);
    return rc;
}

int cmd_share(int argc, char **argv)
{
    const char *db = NULL, *def = NULL, *showcase = NULL, *qr = NULL, *pos[1];
    bool off = false, json = false;
    struct cli_opt opts[] = {
        { "db", &db, NULL }, { "off", NULL, &off }, { "json", NULL, &json },
        { "default", &def, NULL }, { "showcase", &showcase, NULL }, { "qr", &qr, NULL },
        { NULL, NULL, NULL },
    };
    struct admin a;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if ((npos == 1) == (def || showcase)) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (qr && (off || json)) {
        cli_error("share --qr: the QR code is of a link that is on (not with --off or --json)");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    if (npos == 1)
        rc = share_one(&a, pos[0], off, json, qr);
    else
        rc = set_setting(&a, def, showcase);
    admin_close(&a);
    return rc;
}
