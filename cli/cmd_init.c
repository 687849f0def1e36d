/* cmd_init.c - `mcred init`: a new data directory (MCRED_HOME) with its
 * store, organisation, issuer profile and first signing key, and the
 * mcred.conf that names them.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "crypto/did.h"
#include "crypto/keys.h"
#include "home.h"
#include "keys_cli.h"
#include "model/ob.h"
#include "store/store.h"

static const char usage[] =
    "usage: mcred init [--db sqlite:PATH|postgres://...] [--org NAME] [--issuer-name NAME]\n"
    "                  [--did-web HOST[/PATH]] [--public-url URL] [--passphrase-file FILE]\n"
    "\n"
    "Create the data directory MCRED_HOME (default ./mcred-data, mode 0700) with its\n"
    "settings file mcred.conf, the store (default: SQLite in MCRED_HOME/mcred.db; --db or\n"
    "MCRED_DB choose another), an organisation, its issuer profile and a new Ed25519\n"
    "signing key. The key is kept in the store encrypted with the operator key file\n"
    "(MCRED_KEY_FILE) or a passphrase (--passphrase-file, MCRED_PASSPHRASE, the terminal).\n"
    "A directory that was initialised before is refused.\n"
    "\n"
    "  --org NAME          the organisation (default \"default\"); unique in the store\n"
    "  --issuer-name NAME  the issuer's display name (default \"Issuer\")\n"
    "  --did-web HOST[/PATH]  use did:web:HOST[:PATH] as the issuer DID and write its DID\n"
    "                      document to MCRED_HOME/did.json, to be published at\n"
    "                      https://HOST/PATH/did.json (HOST/.well-known/did.json without\n"
    "                      PATH); keys can then be rotated. Default: the key's did:key\n"
    "  --public-url URL    base URL under which credential ids and status lists are\n"
    "                      published (default " HOME_PUBLIC_URL_DEFAULT ")\n";

struct init_opts {
    const char *db, *org, *name, *did_web, *url, *passfile;
};

/* True when s is fit for a line of mcred.conf: no control characters and no
 * space at either end (the parser would trim it). */
static bool conf_value_ok(const char *s)
{
    size_t n = strlen(s);
    const unsigned char *p;

    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return false;
    for (p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

/* did:web:HOST[:PATH] from "HOST[/PATH]" (or "HOST:PATH", or a whole did:web). */
static int did_web_from(const char *arg, char *did, size_t cap)
{
    struct mc_buf url;
    struct mc_err err;
    size_t n, i;
    int rc = CLI_OK;

    if (strstr(arg, "://")) {
        cli_error("--did-web '%s': give the host and path (example.org/issuers/1), not a URL",
                  arg);
        return CLI_USAGE;
    }
    if (strncmp(arg, "did:web:", 8) == 0)
        arg += 8;
    n = mc_strlcpy(did, "did:web:", cap);
    if (mc_strlcat(did, arg, cap) >= cap) {
        cli_error("--did-web '%s' is too long", arg);
        return CLI_USAGE;
    }
    for (i = n; did[i]; i++) {
        if (did[i] == '/')
            did[i] = ':';
    }
    while (i > n && did[i - 1] == ':')
        did[--i] = '\0';
    mc_buf_init(&url, 0);
    mc_err_clear(&err);
    if (i == n || mc_did_web_url(did, &url, &err) != MCRED_OK) {
        cli_error("--did-web '%s': %s", arg, i == n ? "a host is needed" : mc_err_msg(&err));
        rc = CLI_USAGE;
    }
    mc_buf_release(&url);
    return rc;
}

/* Check the settings init will write, and that the directory is new. */
static int check_conf(struct home_conf *c)
{
    char path[4200];
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", c->dir, HOME_CONF);
    if (access(path, F_OK) == 0) {
        cli_error("'%s' is already initialised ('%s' exists); remove it or set MCRED_HOME "
                  "to start another", c->dir, path);
        return CLI_USAGE;
    }
    n = strlen(c->public_url);
    while (n > 1 && c->public_url[n - 1] == '/')
        c->public_url[--n] = '\0';
    if ((strncmp(c->public_url, "http://", 7) != 0 &&
         strncmp(c->public_url, "https://", 8) != 0) || !mc_is_uri(c->public_url) ||
        strlen(c->public_url) <= 8) {
        cli_error("--public-url '%s' is not an http or https URL", c->public_url);
        return CLI_USAGE;
    }
    if (!conf_value_ok(c->db) || !conf_value_ok(c->org) || !conf_value_ok(c->dir)) {
        cli_error("the store, organisation and directory names must be non-empty, without "
                  "control characters or spaces at either end");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int make_dir(const char *dir)
{
    struct stat sb;

    if (mkdir(dir, 0700) == 0)
        return CLI_OK;
    if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return CLI_OK;
    cli_error("cannot create the directory '%s': %s", dir, strerror(errno));
    return CLI_USAGE;
}

/* The organisation, its issuer and its first key, in one transaction. */
static int create_rows(struct mc_store *st, const char *org_name, struct mc_issuer *iss,
                       struct mc_issuer_key *row, int64_t *org)
{
    struct mc_err err;
    mcred_rc rc;

    mc_err_clear(&err);
    rc = mc_store_begin(st, &err);
    if (!rc)
        rc = mc_store_org_create(st, org_name, org, &err);
    if (rc == MCRED_ERR_CONFLICT) {
        mc_store_rollback(st);
        cli_error("the store already has an organisation '%s' (choose another --org)",
                  org_name);
        return CLI_USAGE;
    }
    iss->org_id = *org;
    if (!rc)
        rc = mc_store_issuer_put(st, iss, &err);
    row->org_id = *org;
    row->issuer_id = iss->id;
    if (!rc)
        rc = mc_store_key_add(st, row, &err);
    if (!rc)
        rc = admin_audit(st, *org, "init", iss->did, iss->name, &err);
    if (!rc)
        rc = mc_store_commit(st, &err);
    if (rc) {
        mc_store_rollback(st);
        admin_store_error(&err, "init");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static void report(const struct home_conf *c, const struct mc_store *st,
                   const struct mc_issuer *iss, const struct mc_issuer_key *row,
                   const char *didjson)
{
    const char *backend = mc_store_ops(st)->name;
    struct mc_buf url;
    struct mc_err err;

    printf("initialised %s\n", c->dir);
    /* a PostgreSQL DSN may hold a password: name the backend only */
    printf("  store:         %s\n", strcmp(backend, "sqlite") == 0 ? c->db : backend);
    printf("  organisation:  %s\n", c->org);
    printf("  issuer:        %s (%s, id %lld)\n", iss->did, iss->name, (long long)iss->id);
    printf("  signing key:   %s\n", row->vm_id);
    printf("  public URL:    %s\n", c->public_url);
    mc_buf_init(&url, 0);
    mc_err_clear(&err);
    if (didjson && mc_did_web_url(iss->did, &url, &err) == MCRED_OK)
        printf("publish %s at %s\n", didjson, url.ptr);
    mc_buf_release(&url);
}

/* Write mcred.conf. The default store (MCRED_HOME/mcred.db) is not written
 * down: it then follows the directory wherever MCRED_HOME names it from. */
static int save_conf(struct home_conf *c, const struct init_opts *o)
{
    const char *env = getenv("MCRED_DB");
    char *db = c->db;
    int rc;

    if (!o->db && !(env && env[0]))
        c->db = NULL;
    rc = home_save(c);
    c->db = db;
    return rc;
}

/* Everything after the checks: key, store rows, DID document, mcred.conf. */
static int init_home(struct home_conf *c, const struct init_opts *o)
{
    struct mc_issuer iss;
    struct mc_issuer_key row;
    struct mc_store *st = NULL;
    struct mc_key k;
    struct mc_buf did;
    struct mc_err err;
    char didweb[MC_DID_MAX], path[4200], idtext[32];
    int64_t org = 0;
    int rc;

    memset(&iss, 0, sizeof(iss));
    memset(&row, 0, sizeof(row));
    memset(&k, 0, sizeof(k));
    mc_buf_init(&did, MC_DID_MAX);
    mc_err_clear(&err);
    rc = o->did_web ? did_web_from(o->did_web, didweb, sizeof(didweb)) : CLI_OK;
    if (!rc && mc_key_generate(&k, NULL) != MCRED_OK) {
        cli_error("cannot create a key");
        rc = CLI_USAGE;
    }
    if (!rc && !o->did_web && mc_key_did(&k, &did) != MCRED_OK) {
        cli_error("out of memory");
        rc = CLI_USAGE;
    }
    iss.name = (char *)(uintptr_t)(o->name ? o->name : "Issuer");
    iss.did = o->did_web ? didweb : did.ptr;
    /* seal the key before touching the store: a refused passphrase leaves nothing */
    if (!rc)
        rc = cli_key_row(&k, 0, &iss, 0, o->passfile, &row);
    if (!rc)
        rc = make_dir(c->dir);
    if (!rc && mc_store_open(&st, c->db, &err)) {
        cli_error("cannot open the store '%s': %s", c->db, mc_err_msg(&err));
        rc = CLI_USAGE;
    }
    if (!rc)
        rc = create_rows(st, c->org, &iss, &row, &org);
    if (!rc && o->did_web)
        rc = cli_did_json_write(st, org, &iss, c->dir, path, sizeof(path));
    if (!rc) {
        snprintf(idtext, sizeof(idtext), "%lld", (long long)iss.id);
        c->issuer_id = mc_strdup(idtext);
        rc = c->issuer_id ? save_conf(c, o) : CLI_USAGE;
    }
    if (!rc)
        report(c, st, &iss, &row, o->did_web ? path : NULL);
    mc_store_close(st);
    mc_issuer_key_release(&row);
    mc_key_clear(&k);
    mc_buf_release(&did);
    return rc;
}

int cmd_init(int argc, char **argv)
{
    struct init_opts o = { 0 };
    const char *pos[1];
    struct cli_opt opts[] = {
        { "db", &o.db, NULL }, { "org", &o.org, NULL }, { "issuer-name", &o.name, NULL },
        { "did-web", &o.did_web, NULL }, { "public-url", &o.url, NULL },
        { "passphrase-file", &o.passfile, NULL }, { NULL, NULL, NULL } };
    struct home_conf c;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (o.name && (!o.name[0] || strlen(o.name) > 200)) {
        cli_error("--issuer-name must have 1 to 200 characters");
        return CLI_USAGE;
    }
    rc = home_load(&c, NULL, o.db, o.url, false);
    if (rc)
        return rc;
    mc_free(c.org);
    c.org = mc_strdup(o.org ? o.org : "default");
    rc = c.org ? check_conf(&c) : CLI_USAGE;
    if (!rc)
        rc = init_home(&c, &o);
    home_release(&c);
    return rc;
}
