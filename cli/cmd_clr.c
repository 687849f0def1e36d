/* cmd_clr.c - `mcred clr export`: a learner's credentials, achievements and
 * their associations as one signed CLR 2.0 ClrCredential. Thin: the verb
 * lives in lib/service/clr.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "home.h"
#include "service/clr.h"

static const char clr_usage[] =
    "usage: mcred clr export --learner ID [--out FILE] [--force] [--contexts-dir DIR]\n"
    "                        [--passphrase-file FILE]\n"
    "\n"
    "Export a learner (row id, e-mail or DID) as a CLR 2.0 ClrCredential signed by the\n"
    "organisation's issuer (eddsa-rdfc-2022): every credential issued to the learner that is\n"
    "neither revoked nor suspended, their achievements, and the associations the\n"
    "organisation's stacks give between them (a component isPartOf its stack; a\n"
    "prerequisite precedes the component that needs it). Written to FILE (refused when it\n"
    "exists, unless --force) or standard output. Needs the CLR 2.0 context\n"
    "(context-2.0.1.json): `mcred contexts fetch`, or contexts_dir / --contexts-dir.\n"
    "exit codes: 0 exported; 2 usage or error (no such learner, no credentials, no context)\n";

int cmd_clr(int argc, char **argv)
{
    const char *learner = NULL, *out = NULL, *passfile = NULL, *ctxdir = NULL, *pos[1];
    bool force = false;
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "out", &out, NULL },
                              { "passphrase-file", &passfile, NULL }, { "force", NULL, &force },
                              { "contexts-dir", &ctxdir, NULL },
                              { NULL, NULL, NULL } };
    struct mc_err err;
    struct home h;
    char *doc = NULL;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(clr_usage, stdout);
        return CLI_OK;
    }
    if (argc < 2 || strcmp(argv[1], "export") != 0) {
        fputs(clr_usage, stderr);
        cli_error("clr: give the subcommand export");
        return CLI_USAGE;
    }
    rc = cli_parse(argc - 1, argv + 1, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner) {
        fputs(clr_usage, stderr);
        cli_error("clr export: give --learner");
        return CLI_USAGE;
    }
    rc = home_open(&h, NULL, true, passfile);
    if (rc)
        return rc;
    if (ctxdir) {   /* the given directory instead of the configured one */
        cli_contexts_close(&h.ctx);
        rc = cli_contexts_open(ctxdir, &h.ctx);
        if (rc) {
            home_close(&h);
            return rc;
        }
        h.is.contexts = h.ctx.store;
        h.is.cache = h.ctx.cache;
    }
    mc_err_clear(&err);
    if (mc_clr_export(&h.is, learner, &doc, &err) != MCRED_OK) {
        cli_error("clr export: %s", mc_err_msg(&err));
        rc = CLI_USAGE;
    } else {
        size_t n = strlen(doc);

        doc[n] = '\0';
        rc = out ? cli_write_file(out, doc, n, 0644, force) : CLI_OK;
        if (!out) {
            fwrite(doc, 1, n, stdout);
            fputc('\n', stdout);
        }
    }
    mc_free(doc);
    home_close(&h);
    return rc;
}
