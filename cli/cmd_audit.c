/* cmd_audit.c - `mcred audit`: what the store holds, and with --verify a
 * verification of every stored credential (proof, issuer binding, dates and
 * status from the organisation's own lists).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "home.h"
#include "service/issue.h"
#include "service/verify.h"

static const char usage[] =
    "usage: mcred audit [--verify]\n"
    "\n"
    "Count the organisation's credentials by state; with --verify, verify every stored\n"
    "credential as `mcred verify` would (status read from the store's own lists) and list\n"
    "each one that is not what its state says. exit 1 when any is not.\n";

int cmd_audit(int argc, char **argv)
{
    const char *pos[1];
    bool verify = false;
    struct cli_opt opts[] = { { "verify", NULL, &verify }, { NULL, NULL, NULL } };
    size_t counts[3] = { 0, 0, 0 }, verdicts[8] = { 0 }, bad = 0, offset = 0, i;
    struct mc_issue_source src;
    struct mc_verify_opts vo;
    struct home h;
    struct mc_err err;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = home_open(&h, NULL, false, NULL);
    if (rc)
        return rc;
    mc_issue_status_source(&src, h.st, h.org);
    memset(&vo, 0, sizeof(vo));
    vo.now = time(NULL);
    vo.contexts = h.ctx.store;
    vo.cache = h.ctx.cache;
    vo.status = &src.src;
    for (;;) {
        struct mc_store_list page;

        memset(&page, 0, sizeof(page));
        mc_err_clear(&err);
        if (mc_store_cred_list(h.st, h.org, offset, 1000, &page, &err)) {
            cli_error("audit: %s", mc_err_msg(&err));
            rc = CLI_USAGE;
            break;
        }
        for (i = 0; i < page.n; i++) {
            const struct mc_credential *c = &((const struct mc_credential *)page.rows)[i];
            struct mc_verdict v;
            enum mc_verdict_kind want;

            counts[c->state < 3 ? c->state : 0]++;
            if (!verify)
                continue;
            want = c->state == MC_CRED_REVOKED ? MC_VERDICT_REVOKED :
                   c->state == MC_CRED_SUSPENDED ? MC_VERDICT_SUSPENDED : MC_VERDICT_VALID;
            if (mc_verify_bytes(c->doc, strlen(c->doc), &vo, &v, &err) != MCRED_OK) {
                cli_error("audit: %s", mc_err_msg(&err));
                rc = CLI_USAGE;
                break;
            }
            verdicts[v.kind]++;
            if (v.kind != want && !(want == MC_VERDICT_VALID && v.kind == MC_VERDICT_EXPIRED)) {
                bad++;
                printf("%s: %s, but stored as %s\n", c->id, mc_verdict_name(v.kind),
                       mc_cred_state_name(c->state));
            }
        }
        {
            size_t got = page.n;

            offset += got;
            mc_store_list_clear(&page);
            if (rc || got < 1000)
                break;
        }
    }
    printf("credentials: %zu (active %zu, revoked %zu, suspended %zu)\n", offset, counts[0],
           counts[1], counts[2]);
    if (verify && !rc) {
        printf("verified: %zu valid, %zu revoked, %zu suspended, %zu expired, %zu other; %zu "
               "not as stored\n", verdicts[MC_VERDICT_VALID], verdicts[MC_VERDICT_REVOKED],
               verdicts[MC_VERDICT_SUSPENDED], verdicts[MC_VERDICT_EXPIRED],
               offset - verdicts[MC_VERDICT_VALID] - verdicts[MC_VERDICT_REVOKED] -
                   verdicts[MC_VERDICT_SUSPENDED] - verdicts[MC_VERDICT_EXPIRED], bad);
        if (bad)
            rc = CLI_FAILED;
    }
    home_close(&h);
    return rc;
}
