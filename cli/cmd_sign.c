/* cmd_sign.c - `mcred sign`: secure a credential with an issuer key.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "crypto/keys.h"
#include "service/sign.h"

static const char usage[] =
    "usage: mcred sign --key FILE [--suite SUITE] [--created RFC3339] [--contexts-dir DIR]\n"
    "                  [--verification-method ID] [--purpose P] [--challenge C] [--domain D]\n"
    "                  [--passphrase-file FILE] [--compact] IN\n"
    "\n"
    "Sign the credential in IN (a file, or - for standard input) and print it secured.\n"
    "The default proof is eddsa-rdfc-2022, the one Open Badges 3.0 certification requires.\n"
    "Open Badges 3.0 credentials are checked against the OB 3.0 rules first.\n"
    "\n"
    "  --suite SUITE   eddsa-rdfc-2022 (default), eddsa-jcs-2022, vc-jwt (a compact JWT)\n"
    "  --contexts-dir DIR  pinned JSON-LD contexts beyond the built-in ones\n"
    "  --created T     the proof's created time (default: now)\n"
    "  --verification-method ID   default: the key's did:key method\n"
    "  --purpose P     proofPurpose (default assertionMethod)\n"
    "  --compact       one line of JSON instead of indented output\n";

int cmd_sign(int argc, char **argv)
{
    const char *keyfile = NULL, *suite = NULL, *created = NULL, *vm = NULL, *purpose = NULL;
    const char *challenge = NULL, *domain = NULL, *passfile = NULL, *ctxdir = NULL, *pos[1];
    bool compact = false;
    struct cli_opt opts[] = {
        { "key", &keyfile, NULL }, { "suite", &suite, NULL }, { "created", &created, NULL },
        { "verification-method", &vm, NULL }, { "purpose", &purpose, NULL },
        { "challenge", &challenge, NULL }, { "domain", &domain, NULL },
        { "passphrase-file", &passfile, NULL }, { "compact", NULL, &compact },
        { "contexts-dir", &ctxdir, NULL },
        { NULL, NULL, NULL } };
    struct mc_sign_opts so = { 0 };
    struct cli_contexts ctx = { NULL, NULL };
    struct mc_key k;
    struct mc_buf out;
    struct mc_err err;
    char *in = NULL;
    size_t n;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (!keyfile || npos != 1) {
        fputs(usage, stderr);
        cli_error("sign: needs --key FILE and one input");
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], CLI_MAX_INPUT, &in, &n);
    if (rc)
        return rc;
    rc = cli_contexts_open(ctxdir, &ctx);
    if (!rc)
        rc = cli_load_key(keyfile, passfile, false, &k);
    if (rc) {
        cli_contexts_close(&ctx);
        mc_free(in);
        return rc;
    }
    so.contexts = ctx.store;
    so.cache = ctx.cache;
    so.suite = suite;
    so.created = created;
    so.verification_method = vm;
    so.proof_purpose = purpose;
    so.challenge = challenge;
    so.domain = domain;
    so.now = time(NULL);
    so.pretty = !compact;
    mc_buf_init(&out, 0);
    mc_err_clear(&err);
    if (mc_sign_bytes(in, n, &k, &so, &out, &err) != MCRED_OK) {
        cli_error("sign: %s: %s", pos[0], mc_err_msg(&err));
        rc = err.rc == MCRED_ERR_INVALID ? CLI_FAILED : CLI_USAGE;
    } else {
        fwrite(out.ptr, 1, out.len, stdout);
        fputc('\n', stdout);
    }
    mc_buf_release(&out);
    mc_key_clear(&k);
    cli_contexts_close(&ctx);
    mc_free(in);
    return rc;
}
