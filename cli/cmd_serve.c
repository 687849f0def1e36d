/* cmd_serve.c - `mcred serve`: the HTTP server (server/) over the data
 * directory's store. Settings come from flags, then MCRED_* variables, then
 * mcred.conf, then defaults.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "cli.h"
#include "cli_cmds.h"
#include "crypto/keyfile.h"
#include "fetch_curl.h"
#include "fetch_map.h"
#include "home.h"
#include "server.h"
#include "h_platform.h"

static const char usage[] =
    "usage: mcred serve [--db DSN] [--listen HOST:PORT] [--port-file FILE]\n"
    "                   [--public-url URL] [--tls-cert PEM --tls-key PEM]\n"
    "                   [--threads N] [--max-body BYTES] [--timeout SECONDS]\n"
    "                   [--rate PER_SECOND] [--burst N] [--access-log FILE|-]\n"
    "                   [--trust-proxy] [--contexts-dir DIR]\n"
    "                   [--documents MAPFILE] [--trust FILE] [--sweep-every SECONDS]\n"
    "\n"
    "Serve the data directory (MCRED_HOME) over HTTP: the W3C VC API, the Open Badges\n"
    "3.0 API, the platform API, public badge pages and the verifier page.\n"
    "\n"
    "  --listen HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a free\n"
    "                      port, written to --port-file)\n"
    "  --public-url URL    the base URL people and other servers reach this one at\n"
    "                      (ids in credentials, status lists, pages); behind a proxy\n"
    "                      or TLS terminator, its https URL\n"
    "  --tls-cert, --tls-key  serve https directly (PEM files)\n"
    "  --threads N         worker threads (default: the number of cores)\n"
    "  --max-body BYTES    largest request body (default 1048576; at most 16777216)\n"
    "  --timeout SECONDS   idle connection timeout (default 30); a request (headers and\n"
    "                      body) must arrive within twice --timeout\n"
    "  --rate R, --burst N per-client rate limit: N requests at once, refilled at R per\n"
    "                      second (default 50 and 100; --rate 0 turns it off)\n"
    "  --access-log FILE   one JSON line per request (- for stderr)\n"
    "  --trust-proxy       take the client address from the last X-Forwarded-For entry\n"
    "                      (only behind a proxy that sets it)\n"
    "  --documents MAP     a JSON object URL -> file: documents the verifier reads from\n"
    "                      disk instead of the network (air-gapped verification)\n"
    "  --trust FILE        issuers the verifier trusts (a JSON array of ids, or one per\n"
    "                      line); others are graded valid-issuer-not-trusted\n"
    "  --sweep-every S     the stack sweep (`mcred stack sweep`) for every organisation\n"
    "                      every S seconds (default 3600; 0: never): expired components\n"
    "                      are acted on, pending stack credentials issued\n"
    "\n"
    "Pages: / (home), /badges/ID (shared badges, /badges/ID/qr.svg their QR code),\n"
    "/verify (the verifier), /login, /me (your credentials), /me/wallet (import,\n"
    "share, present), /me/plan (the pathway to a target occupation), /positions/ID\n"
    "(an employer's ranked candidates). The CLR 2.0 export needs the CLR context: run\n"
    "`mcred contexts fetch` or give --contexts-dir.\n"
    "Public documents: /.well-known/did.json and /PATH/did.json (did:web issuers of\n"
    "this host), /status/... (status lists), /achievements/ID. APIs: /credentials/...\n"
    "(W3C VC API), /ims/ob/v3p0/... (Open Badges 3.0 API, OAuth 2.0 at /oauth/...),\n"
    "/api/v1/... (the platform API, described at /openapi.json). See docs/server.md.\n"
    "OAuth 2.0 for the OB 3.0 API: /oauth/register, /oauth/authorize, /oauth/token,\n"
    "/oauth/revoke (docs/ob-api.md); --public-url must be the URL clients reach.\n"
    "POST /credentials/issue and /credentials/status need the issuer keys unlocked\n"
    "(MCRED_KEY_FILE or MCRED_PASSPHRASE); without them they answer 503.\n"
    "Bulk issuing jobs run in the background; on SIGTERM a running job stops after its\n"
    "current batch and is marked failed (submit the same file again to finish it).\n"
    "\n"
    "Settings also come from MCRED_LISTEN, MCRED_DB, MCRED_PUBLIC_URL, MCRED_ACCESS_LOG,\n"
    "MCRED_RATE and from mcred.conf (listen, db, public_url, access_log, rate, burst,\n"
    "max_body, timeout). Issuing needs the issuer keys unlocked: MCRED_KEY_FILE (an\n"
    "operator key file) or MCRED_PASSPHRASE. SIGTERM stops accepting, finishes the\n"
    "requests in flight (at most 3x --timeout) and exits 0.\n";

/* --- a fetcher for many threads: one libcurl fetcher per thread ------------- */
static struct cli_fetch_opts fetch_opts;
static pthread_key_t fetch_key;

static void fetch_destroy(void *v)
{
    struct mc_fetcher *f = v;

    cli_fetcher_cleanup(f);
    mc_free(f);
}

static mcred_rc fetch_any(void *ud, const char *url, struct mc_buf *out, struct mc_err *err)
{
    struct mc_fetcher *f = pthread_getspecific(fetch_key);

    (void)ud;
    if (!f) {
        f = mc_calloc(1, sizeof(*f));
        if (!f || cli_fetcher_init(f, &fetch_opts) != 0) {
            mc_free(f);
            return mc_err_set(err, MCRED_ERR_NOMEM, "fetch %s: cannot start a fetcher", url);
        }
        if (pthread_setspecific(fetch_key, f) != 0) {
            fetch_destroy(f);
            return mc_err_set(err, MCRED_ERR_NOMEM, "fetch %s: out of memory", url);
        }
    }
    return f->fetch(f->ud, url, out, err);
}

static int parse_double(const char *name, const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    if (!s)
        return CLI_OK;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max)) {   /* NaN fails too */
        cli_error("--%s takes a number from %.15g to %.15g, not '%s'", name, min, max, s);
        return CLI_USAGE;
    }
    *out = v;
    return CLI_OK;
}

static const char *pick(const char *flag, const char *env, const char *conf)
{
    const char *e = env ? getenv(env) : NULL;

    return flag ? flag : (e && e[0]) ? e : conf;
}

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *listen = NULL, *port_file = NULL, *url = NULL, *cert = NULL,
               *key = NULL, *threads = NULL, *max_body = NULL, *timeout = NULL, *rate = NULL,
               *burst = NULL, *log = NULL, *ctxdir = NULL, *docs = NULL, *trust = NULL,
               *sweep = NULL;
    bool trust_proxy = false, help = false;
    struct cli_opt opts[] = {
        { "db", &db, NULL }, { "listen", &listen, NULL }, { "port-file", &port_file, NULL },
        { "public-url", &url, NULL }, { "tls-cert", &cert, NULL }, { "tls-key", &key, NULL },
        { "threads", &threads, NULL }, { "max-body", &max_body, NULL },
        { "timeout", &timeout, NULL }, { "rate", &rate, NULL }, { "burst", &burst, NULL },
        { "access-log", &log, NULL }, { "trust-proxy", NULL, &trust_proxy },
        { "contexts-dir", &ctxdir, NULL }, { "help", NULL, &help },
        { "documents", &docs, NULL }, { "trust", &trust, NULL },
        { "sweep-every", &sweep, NULL }, { NULL, NULL, NULL },
    };
    struct home_conf conf;
    struct cli_contexts ctx;
    struct mc_fetcher fetcher = { fetch_any, NULL }, mapf;
    struct cli_docmap *map = NULL;
    char **trusted = NULL;
    size_t ntrusted = 0;
    struct mc_platform_conf pc;
    struct srv s;
    struct mc_err err;
    uint8_t opkey[MC_OPKEY_BYTES];
    char *pass = NULL;
    const char *opfile = getenv("MCRED_KEY_FILE"), *envpass = getenv("MCRED_PASSPHRASE");
    double d;
    int npos = 0;
    int rc;

    if (cli_parse(argc, argv, opts, NULL, 0, &npos))
        return CLI_USAGE;
    if (help) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = home_load(&conf, NULL, db, url, true);
    if (rc)
        return rc;
    memset(&ctx, 0, sizeof(ctx));
    memset(&s, 0, sizeof(s));
    memset(&pc, 0, sizeof(pc));
    s.conf.listen = pick(listen, "MCRED_LISTEN", conf.listen);
    if (!s.conf.listen)
        s.conf.listen = "127.0.0.1:8080";
    s.conf.port_file = port_file;
    s.conf.tls_cert = cert;
    s.conf.tls_key = key;
    s.conf.access_log = pick(log, "MCRED_ACCESS_LOG", conf.access_log);
    s.conf.trust_proxy = trust_proxy;
    s.conf.max_body = SRV_MAX_BODY_DEFAULT;
    s.conf.timeout_s = SRV_TIMEOUT_DEFAULT;
    s.conf.max_conns = SRV_MAX_CONNS_DEFAULT;
    s.conf.rate = 50;
    s.conf.burst = 100;
    d = 0;
    rc = parse_double("threads", threads, 1, 256, &d);
    s.conf.threads = (unsigned)d;
    d = (double)s.conf.max_body;
    if (!rc)
        rc = parse_double("max-body", pick(max_body, NULL, conf.max_body), 1,
                          (double)SRV_MAX_BODY_LIMIT, &d);
    s.conf.max_body = (size_t)d;
    d = s.conf.timeout_s;
    if (!rc)
        rc = parse_double("timeout", pick(timeout, NULL, conf.timeout), 1, 3600, &d);
    s.conf.timeout_s = (unsigned)d;
    if (!rc)
        rc = parse_double("rate", pick(rate, "MCRED_RATE", conf.rate), 0, 1e9, &s.conf.rate);
    d = s.conf.burst;
    if (!rc)
        rc = parse_double("burst", pick(burst, NULL, conf.burst), 1, 1e9, &d);
    s.conf.burst = (unsigned)d;
    d = SRV_SWEEP_DEFAULT;
    if (!rc)
        rc = parse_double("sweep-every", sweep, 0, 31 * 86400, &d);
    s.conf.sweep_s = (unsigned)d;
    if (!rc && docs)
        rc = cli_docmap_load(docs, &map);
    if (!rc && trust)
        rc = cli_trust_load(trust, &trusted, &ntrusted);
    if (!rc)
        rc = cli_contexts_open(ctxdir ? ctxdir : conf.contexts_dir, &ctx);
    if (rc)
        goto out;

    /* how the issuer keys are unlocked: the operator key file, else a passphrase */
    if (opfile && opfile[0]) {
        char *text = NULL;
        size_t n;

        rc = cli_read_input(opfile, 4096, &text, &n);
        mc_err_clear(&err);
        if (!rc && mc_opkey_parse(text, n, opkey, &err) != MCRED_OK) {
            cli_error("operator key file '%s': %s", opfile, mc_err_msg(&err));
            rc = CLI_USAGE;
        }
        if (text) {
            sodium_memzero(text, n);
            mc_free(text);
        }
        if (rc)
            goto out;
        pc.operator_key = opkey;
    } else if (envpass && envpass[0]) {
        pass = mc_strdup(envpass);
        if (!pass) {
            rc = CLI_USAGE;
            goto out;
        }
        pc.passphrase = pass;
    } else {
        fprintf(stderr, "mcred serve: no MCRED_KEY_FILE or MCRED_PASSPHRASE: verifying and "
                        "serving only; issuing is refused\n");
    }
    cli_fetch_opts_from_env(&fetch_opts);
    if (pthread_key_create(&fetch_key, fetch_destroy) != 0) {
        cli_error("out of memory");
        rc = CLI_USAGE;
        goto out;
    }
    pc.dsn = conf.db;
    pc.public_url = conf.public_url;
    pc.contexts = ctx.store;
    pc.cache = ctx.cache;
    pc.fetcher = &fetcher;
    if (map) {
        cli_docmap_fetcher(map, &fetcher, &mapf);
        pc.fetcher = &mapf;
    }
    pc.trusted = (const char *const *)trusted;
    pc.ntrusted = ntrusted;
    mc_err_clear(&err);
    if (mc_platform_open(&s.plat, &pc, &err) != MCRED_OK) {
        cli_error("cannot open the store '%s': %s", conf.db, mc_err_msg(&err));
        rc = CLI_USAGE;
        pthread_key_delete(fetch_key);
        goto out;
    }
    rc = srv_run(&s) == 0 ? CLI_OK : CLI_USAGE;
    srv_platform_stop(&s);   /* the bulk job runner: a running job is marked failed */
    mc_platform_close(s.plat);
    {
        /* this thread's fetcher, if it made one */
        struct mc_fetcher *f = pthread_getspecific(fetch_key);

        if (f)
            fetch_destroy(f);
        pthread_key_delete(fetch_key);
    }
out:
    sodium_memzero(opkey, sizeof(opkey));
    if (pass) {
        sodium_memzero(pass, strlen(pass));
        mc_free(pass);
    }
    cli_contexts_close(&ctx);
    cli_docmap_free(map);
    cli_trust_free(trusted);
    home_release(&conf);
    return rc;
}
