/* cmd_verify.c - `mcred verify`: a verdict on any credential, with every
 * check and its reason.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "cli_cmds.h"
#include "fetch_curl.h"
#include "fetch_map.h"
#include "home.h"
#include "service/issue.h"
#include "service/verify.h"

static const char usage[] =
    "usage: mcred verify [--json] [--now RFC3339] [--challenge C] [--domain D]\n"
    "                    [--trust FILE] [--trusted-only] [--recipient ID]\n"
    "                    [--documents MAPFILE] [--offline] [--contexts-dir DIR] IN\n"
    "\n"
    "Verify a credential from IN (a file, - for standard input, or an http(s) URL to\n"
    "fetch): OB 3.0 / VC 2.0 and VC 1.1 with Data Integrity proofs (eddsa-rdfc-2022,\n"
    "eddsa-jcs-2022, Ed25519Signature2020), VC-JWT, Verifiable Presentations, and\n"
    "Open Badges 2.0 / 1.x assertions (hosted, or signed JWS). Every check is listed:\n"
    "format, structure (the Open Badges 3.0 rules), proof, binding of the key to the\n"
    "issuer, validity dates, status, and for presentations the holder and each\n"
    "credential inside.\n"
    "\n"
    "  --trust FILE       the issuers you trust (a JSON array of ids, or one per line);\n"
    "                     others are graded valid-issuer-not-trusted\n"
    "  --trusted-only     exit 1 when the issuer is not on the trust list\n"
    "  --recipient ID     OB 2.0: the recipient you expect (e-mail, URL), matched against\n"
    "                     the assertion's hashed recipient\n"
    "  --documents MAP    a JSON object URL -> file: documents served from disk instead\n"
    "                     of the network (status lists, DID documents, OB 2.0 assertions,\n"
    "                     badge classes, issuers, keys)\n"
    "  --offline          fetch nothing from the network (only --documents)\n"
    "\n"
    "Fetching follows MCRED_FETCH_* (docs/operations.md): https only and public addresses\n"
    "only unless allowed.\n"
    "\n"
    "exit codes: 0 valid (also when the issuer is merely untrusted, unless --trusted-only);\n"
    "            1 a check failed (invalid, expired, not yet valid, revoked, suspended);\n"
    "            2 nothing failed but something could not be established (indeterminate),\n"
    "              or a usage or I/O error\n";

/* When a data directory is configured (MCRED_HOME), status lists of this
 * organisation are read from its store rather than fetched. Best effort: a
 * missing or unusable store just leaves the fetcher. */
struct own_lists {
    struct home_conf conf;
    struct mc_store *st;
    struct mc_issue_source src;
};

static void own_lists_open(struct own_lists *o)
{
    struct mc_org org;

    memset(o, 0, sizeof(*o));
    if (home_load(&o->conf, NULL, NULL, NULL, false) != CLI_OK)
        return;
    if (!o->conf.org || mc_store_open(&o->st, o->conf.db, NULL) != MCRED_OK) {
        o->st = NULL;
        return;
    }
    memset(&org, 0, sizeof(org));
    if (mc_store_org_find(o->st, o->conf.org, &org, NULL) != MCRED_OK) {
        mc_store_close(o->st);
        o->st = NULL;
        return;
    }
    mc_issue_status_source(&o->src, o->st, org.id);
    mc_org_release(&org);
}

static void own_lists_close(struct own_lists *o)
{
    mc_store_close(o->st);
    home_release(&o->conf);
}

static void print_human(const struct mc_verdict *v)
{
    static const char *const marks[] = { "ok  ", "FAIL", "??  ", "--  ", "warn" };
    size_t i;

    printf("verdict: %s\n", mc_verdict_name(v->kind));
    printf("format:  %s\n", v->format);
    if (v->issuer[0])
        printf("issuer:  %s\n", v->issuer);
    if (v->id[0])
        printf("id:      %s\n", v->id);
    for (i = 0; i < v->n; i++)
        printf("  [%s] %-9s %s\n", marks[v->checks[i].state], v->checks[i].name,
               v->checks[i].reason);
}

int cmd_verify(int argc, char **argv)
{
    const char *now = NULL, *challenge = NULL, *domain = NULL, *ctxdir = NULL, *pos[1];
    const char *trust = NULL, *recipient = NULL, *docs = NULL;
    bool json = false, trusted_only = false, offline = false;
    struct cli_opt opts[] = { { "json", NULL, &json }, { "now", &now, NULL },
                              { "challenge", &challenge, NULL }, { "domain", &domain, NULL },
                              { "contexts-dir", &ctxdir, NULL }, { "trust", &trust, NULL },
                              { "trusted-only", NULL, &trusted_only },
                              { "recipient", &recipient, NULL }, { "documents", &docs, NULL },
                              { "offline", NULL, &offline }, { NULL, NULL, NULL } };
    struct cli_docmap *map = NULL;
    struct mc_fetcher mapf;
    char **trusted = NULL;
    size_t ntrusted = 0;
    struct cli_contexts ctx = { NULL, NULL };
    struct cli_fetch_opts fo;
    struct mc_fetcher fetcher;
    struct own_lists own;
    struct mc_verify_opts vo = { 0 };
    struct mc_verdict v;
    struct mc_err err;
    char *in = NULL;
    size_t n;
    long long t;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    t = cli_time_opt("now", now);
    if (t < 0)
        return CLI_USAGE;
    if ((strncmp(pos[0], "https://", 8) == 0 || strncmp(pos[0], "http://", 7) == 0) &&
        access(pos[0], F_OK) != 0) {
        in = mc_strdup(pos[0]);   /* a URL: the verifier fetches it */
        n = in ? strlen(in) : 0;
        rc = in ? CLI_OK : CLI_USAGE;
    } else {
        rc = cli_read_input(pos[0], CLI_MAX_INPUT, &in, &n);
    }
    if (rc)
        return rc;
    if (trust && cli_trust_load(trust, &trusted, &ntrusted) != CLI_OK) {
        mc_free(in);
        return CLI_USAGE;
    }
    if (trusted_only && !trust) {
        cli_error("verify: --trusted-only needs --trust FILE");
        mc_free(in);
        return CLI_USAGE;
    }
    if (docs && cli_docmap_load(docs, &map) != CLI_OK) {
        cli_trust_free(trusted);
        mc_free(in);
        return CLI_USAGE;
    }
    rc = cli_contexts_open(ctxdir, &ctx);
    if (rc) {
        cli_docmap_free(map);
        cli_trust_free(trusted);
        mc_free(in);
        return rc;
    }
    vo.contexts = ctx.store;
    vo.cache = ctx.cache;
    vo.now = (time_t)t;
    cli_fetch_opts_from_env(&fo);
    if (cli_fetcher_init(&fetcher, &fo) != 0) {
        cli_error("verify: cannot start the HTTP client");
        cli_contexts_close(&ctx);
        mc_free(in);
        return CLI_USAGE;
    }
    vo.fetcher = offline ? NULL : &fetcher;
    if (map) {
        cli_docmap_fetcher(map, offline ? NULL : &fetcher, &mapf);
        vo.fetcher = &mapf;
    }
    vo.trusted = (const char *const *)trusted;
    vo.ntrusted = ntrusted;
    vo.recipient = recipient;
    own_lists_open(&own);
    if (own.st)
        vo.status = &own.src.src;
    vo.challenge = challenge;
    vo.domain = domain;
    mc_err_clear(&err);
    if (mc_verify_bytes(in, n, &vo, &v, &err) != MCRED_OK) {
        cli_error("verify: %s", mc_err_msg(&err));
        rc = CLI_USAGE;
    }
    own_lists_close(&own);
    cli_fetcher_cleanup(&fetcher);
    cli_contexts_close(&ctx);
    cli_docmap_free(map);
    cli_trust_free(trusted);
    mc_free(in);
    if (rc)
        return rc;
    if (json) {
        struct mc_buf b;

        mc_buf_init(&b, 0);
        if (mc_verdict_json(&v, &b) == MCRED_OK)
            printf("%s\n", b.ptr);
        mc_buf_release(&b);
    } else {
        print_human(&v);
    }
    if (trusted_only && v.kind == MC_VERDICT_UNTRUSTED)
        return CLI_FAILED;
    return mc_verdict_exit_code(&v);
}
