/* cmd_credential.c - `mcred credential new`: an unsigned Open Badges 3.0
 * AchievementCredential from an achievement, an issuer and a recipient.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/jcs.h"
#include "model/ob.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred credential new --issuer DID|URL --achievement FILE --recipient DID|EMAIL\n"
    "                            [--issuer-name NAME] [--id URI] [--valid-from RFC3339]\n"
    "                            [--valid-until RFC3339] [--evidence URL] [--hash-email]\n"
    "\n"
    "Print an unsigned Open Badges 3.0 AchievementCredential. FILE holds an OB 3.0\n"
    "Achievement (id, type, name, description, criteria are required). A recipient given\n"
    "as an e-mail address becomes an IdentityObject, salted and hashed with --hash-email.\n"
    "Sign the result with `mcred sign`.\n";

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

int cmd_credential(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "new") == 0)
        return credential_new(argc - 1, argv + 1);
    cli_error("credential: unknown subcommand '%s' (new)", argv[1]);
    return CLI_USAGE;
}
