/* cmd_wallet.c - `mcred wallet` (import, list, show, export, backup,
 * restore, key) and `mcred present`: a learner's wallet in the data
 * directory's store, through lib/service/wallet.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "crypto/keyfile.h"
#include "fetch_curl.h"
#include "service/issue.h"
#include "service/wallet.h"
#include "jsonld/jcs.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred wallet import --learner L [--json] IN...\n"
    "       mcred wallet list --learner L [--json]\n"
    "       mcred wallet show --learner L ITEM\n"
    "       mcred wallet export --learner L [--out FILE]\n"
    "       mcred wallet backup --learner L --out FILE [--backup-passphrase-file F]\n"
    "       mcred wallet restore --learner L [--backup-passphrase-file F] FILE\n"
    "       mcred wallet key --learner L\n"
    "\n"
    "A learner's wallet (L: the learner's id, e-mail or DID in the organisation of\n"
    "MCRED_HOME). `import` takes credentials from anywhere: a JSON credential, a VC-JWT,\n"
    "a baked PNG or SVG badge, an Open Badges 2.0 assertion, or an http(s) URL; each is\n"
    "verified and kept with its verdict (an invalid one is kept and marked, never\n"
    "hidden); the same credential twice is recognised. `export` writes every item as\n"
    "JSON; `backup` seals the wallet and the holder key under a passphrase (Argon2id +\n"
    "XSalsa20-Poly1305) and `restore` brings it back, verifying each credential again.\n"
    "`key` shows the learner's holder DID (did:key), made on first use and sealed like\n"
    "issuer keys (MCRED_KEY_FILE or a passphrase).\n"
    "\n"
    "The backup passphrase comes from --backup-passphrase-file, MCRED_BACKUP_PASSPHRASE\n"
    "or the terminal.\n"
    "\n"
    "exit codes: 0 done (import: every input imported, whatever its verdict);\n"
    "            1 an input held no credential, an item does not exist, or a wrong\n"
    "              backup passphrase; 2 usage, I/O or store error\n";

static const char present_usage[] =
    "usage: mcred present --learner L --credentials ITEM[,ITEM...] --challenge C\n"
    "                     [--domain D] [--out FILE]\n"
    "\n"
    "Make a Verifiable Presentation of wallet items (see `mcred wallet list`), signed\n"
    "by the learner's holder key with eddsa-rdfc-2022 (proof purpose authentication),\n"
    "bound to the verifier's challenge and, when given, domain. At most 16 items.\n";

/* Everything a wallet command holds open. */
struct wal {
    struct admin a;
    int64_t learner;
    struct mc_keyfile_lock lock;
    uint8_t opkey[MC_OPKEY_BYTES];
    char *pass;
    struct cli_contexts ctx;
    struct cli_fetch_opts fo;
    struct mc_fetcher fetcher;
    struct mc_issue_source src;
    struct mc_verify_opts vo;
    struct mc_wallet_ctx c;
};

static int wal_open(struct wal *w, const char *db, const char *learner, bool need_lock)
{
    const char *opfile = getenv("MCRED_KEY_FILE");
    struct mc_learner l;
    struct mc_err err;
    int64_t id = 0;
    int rc;

    memset(w, 0, sizeof(*w));
    if (!learner) {
        cli_error("wallet: --learner is required (an id, e-mail or DID)");
        return CLI_USAGE;
    }
    rc = admin_open(&w->a, db);
    if (rc)
        return rc;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    if (mc_store_learner_get(w->a.st, w->a.org, admin_parse_id(learner, &id) ? id : 0,
                             admin_parse_id(learner, &id) ? NULL : learner, &l, &err)) {
        admin_close(&w->a);
        return admin_store_error(&err, "wallet: learner '%s'", learner);
    }
    w->learner = l.id;
    mc_learner_release(&l);
    if (need_lock) {
        if (opfile && opfile[0]) {
            char *text = NULL;
            size_t n;

            rc = cli_read_input(opfile, 4096, &text, &n);
            if (!rc && mc_opkey_parse(text, n, w->opkey, &err) != MCRED_OK) {
                cli_error("operator key file '%s': %s", opfile, mc_err_msg(&err));
                rc = CLI_USAGE;
            }
            if (text) {
                sodium_memzero(text, n);
                mc_free(text);
            }
            w->lock.operator_key = w->opkey;
        } else {
            w->pass = cli_passphrase(NULL, false);
            rc = w->pass ? CLI_OK : CLI_USAGE;
            w->lock.passphrase = w->pass;
        }
        if (rc) {
            admin_close(&w->a);
            return rc;
        }
    }
    rc = cli_contexts_open(w->a.conf.contexts_dir, &w->ctx);
    if (!rc) {
        cli_fetch_opts_from_env(&w->fo);
        if (cli_fetcher_init(&w->fetcher, &w->fo) != 0) {
            cli_error("wallet: cannot start the HTTP client");
            cli_contexts_close(&w->ctx);
            rc = CLI_USAGE;
        }
    }
    if (rc) {
        if (w->pass)
            sodium_free(w->pass);
        admin_close(&w->a);
        return rc;
    }
    mc_issue_status_source(&w->src, w->a.st, w->a.org);
    w->vo.now = time(NULL);
    w->vo.fetcher = &w->fetcher;
    w->vo.contexts = w->ctx.store;
    w->vo.cache = w->ctx.cache;
    w->vo.status = &w->src.src;
    w->c.st = w->a.st;
    w->c.org = w->a.org;
    w->c.lock = &w->lock;
    w->c.verify = &w->vo;
    w->c.contexts = w->ctx.store;
    w->c.cache = w->ctx.cache;
    return CLI_OK;
}

static void wal_close(struct wal *w)
{
    cli_fetcher_cleanup(&w->fetcher);
    cli_contexts_close(&w->ctx);
    sodium_memzero(w->opkey, sizeof(w->opkey));
    if (w->pass)
        sodium_free(w->pass);
    admin_close(&w->a);
    memset(w, 0, sizeof(*w));
}

static int fail(const struct mc_err *err, const char *what)
{
    return admin_store_error(err, "%s", what);
}

static int w_import(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *pos[64];
    bool json = false;
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct wal w;
    int npos, rc, i, worst = CLI_OK;

    rc = cli_parse(argc, argv, opts, pos, 64, &npos);
    if (rc)
        return rc;
    if (npos < 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    rc = wal_open(&w, db, learner, false);
    if (rc)
        return rc;
    if (json)
        fputs("[", stdout);
    for (i = 0; i < npos; i++) {
        struct mc_wallet_import res;
        struct mc_err err;
        const char *src = "file";
        char *in = NULL;
        size_t n;

        if ((strncmp(pos[i], "https://", 8) == 0 || strncmp(pos[i], "http://", 7) == 0) &&
            access(pos[i], F_OK) != 0) {
            in = mc_strdup(pos[i]);
            n = in ? strlen(in) : 0;
            src = "url";
            rc = in ? CLI_OK : CLI_USAGE;
        } else {
            rc = cli_read_input(pos[i], (size_t)16 << 20, &in, &n);
            if (strcmp(pos[i], "-") == 0)
                src = "paste";
        }
        if (rc) {
            worst = CLI_USAGE;
            continue;
        }
        mc_err_clear(&err);
        if (mc_wallet_import(&w.c, w.learner, in, n, src, &res, &err) != MCRED_OK) {
            int r = fail(&err, pos[i]);

            worst = worst == CLI_USAGE ? worst : r;
        } else if (json) {
            printf("%s{\"input\":", i ? "," : "");
            {
                cJSON *s = cJSON_CreateString(pos[i]);
                struct mc_buf b;

                mc_buf_init(&b, 0);
                if (s && mc_json_stringify(s, 0, &b, NULL) == MCRED_OK)
                    fputs(b.ptr, stdout);
                mc_buf_release(&b);
                cJSON_Delete(s);
            }
            printf(",\"item\":%lld,\"duplicate\":%s,\"verdict\":\"%s\"}", (long long)res.id,
                   res.duplicate ? "true" : "false", mc_verdict_name(res.verdict.kind));
        } else {
            printf("%lld %s%s (%s)\n", (long long)res.id, mc_verdict_name(res.verdict.kind),
                   res.duplicate ? ", already held" : "", pos[i]);
        }
        mc_free(in);
    }
    if (json)
        fputs("]\n", stdout);
    wal_close(&w);
    return worst;
}

static int w_list(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_store_list l;
    struct mc_err err;
    struct wal w;
    int npos, rc;
    size_t i;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = wal_open(&w, db, learner, false);
    if (rc)
        return rc;
    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    if (mc_store_wallet_list(w.a.st, w.a.org, w.learner, &l, &err)) {
        rc = fail(&err, "wallet list");
        wal_close(&w);
        return rc;
    }
    if (json) {
        cJSON *arr = cJSON_CreateArray();

        for (i = 0; arr && i < l.n; i++) {
            const struct mc_wallet_item *it = &((struct mc_wallet_item *)l.rows)[i];
            cJSON *o = cJSON_CreateObject();

            cJSON_AddItemToArray(arr, o);
            admin_json_int(o, "item", it->id);
            admin_json_str(o, "id", it->cred_id);
            admin_json_str(o, "format", it->format);
            admin_json_str(o, "verdict", it->verdict);
            admin_json_str(o, "source", it->source);
            admin_json_time(o, "imported", it->imported);
        }
        rc = admin_print_json(arr);
        cJSON_Delete(arr);
    } else {
        for (i = 0; i < l.n; i++) {
            const struct mc_wallet_item *it = &((struct mc_wallet_item *)l.rows)[i];
            char t[32];

            printf("%lld\t%s\t%s\t%s\t%s\n", (long long)it->id, it->verdict,
                   admin_time(it->imported, t), it->format, it->cred_id ? it->cred_id : "-");
        }
    }
    mc_store_list_clear(&l);
    wal_close(&w);
    return rc;
}

static int w_show(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { NULL, NULL, NULL } };
    struct mc_wallet_item it;
    struct mc_err err;
    struct wal w;
    int64_t id;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1 || !admin_parse_id(pos[0], &id)) {
        cli_error("wallet show: give the item number (see `mcred wallet list`)");
        return CLI_USAGE;
    }
    rc = wal_open(&w, db, learner, false);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_store_wallet_get(w.a.st, w.a.org, w.learner, id, &it, &err)) {
        rc = fail(&err, "wallet show");
    } else {
        printf("%s\n", it.doc);
        fprintf(stderr, "verdict when imported: %s\n", it.report);
        mc_wallet_item_release(&it);
    }
    wal_close(&w);
    return rc;
}

static int w_export(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *out = NULL, *pos[1];
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { "out", &out, NULL }, { NULL, NULL, NULL } };
    struct mc_buf b;
    struct mc_err err;
    struct wal w;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = wal_open(&w, db, learner, false);
    if (rc)
        return rc;
    mc_buf_init(&b, 0);
    mc_err_clear(&err);
    if (mc_wallet_export(&w.c, w.learner, &b, &err) || mc_buf_appendc(&b, '\n'))
        rc = fail(&err, "wallet export");
    else
        rc = cli_write_file(out, b.ptr, b.len, 0600, false);
    mc_buf_release(&b);
    wal_close(&w);
    return rc;
}

static char *backup_pass(const char *file, bool confirm)
{
    const char *env = getenv("MCRED_BACKUP_PASSPHRASE");

    if (!file && env && env[0]) {
        size_t n = strlen(env);
        char *p = sodium_malloc(n + 1);

        if (p)
            memcpy(p, env, n + 1);
        return p;
    }
    /* cli_passphrase reads MCRED_PASSPHRASE first: the backup must not
     * silently reuse the key passphrase, so a file or the terminal only */
    if (!file && !isatty(STDIN_FILENO)) {
        cli_error("wallet: the backup passphrase: give --backup-passphrase-file or set "
                  "MCRED_BACKUP_PASSPHRASE");
        return NULL;
    }
    {
        char *saved = getenv("MCRED_PASSPHRASE") ? mc_strdup(getenv("MCRED_PASSPHRASE")) : NULL;
        char *p;

        unsetenv("MCRED_PASSPHRASE");
        p = cli_passphrase(file, confirm);
        if (saved) {
            setenv("MCRED_PASSPHRASE", saved, 1);
            mc_free(saved);
        }
        return p;
    }
}

static int w_backup(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *out = NULL, *pf = NULL, *pos[1];
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { "out", &out, NULL }, { "backup-passphrase-file", &pf, NULL },
                              { NULL, NULL, NULL } };
    struct mc_buf b;
    struct mc_err err;
    struct wal w;
    char *pass;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!out) {
        cli_error("wallet backup: --out FILE is required");
        return CLI_USAGE;
    }
    pass = backup_pass(pf, true);
    if (!pass)
        return CLI_USAGE;
    rc = wal_open(&w, db, learner, false);
    if (rc) {
        sodium_free(pass);
        return rc;
    }
    mc_buf_init(&b, 0);
    mc_err_clear(&err);
    if (mc_wallet_backup(&w.c, w.learner, pass, &b, &err))
        rc = fail(&err, "wallet backup");
    else
        rc = cli_write_file(out, b.ptr, b.len, 0600, false);
    mc_buf_release(&b);
    sodium_free(pass);
    wal_close(&w);
    return rc;
}

static int w_restore(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *pf = NULL, *pos[1];
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { "backup-passphrase-file", &pf, NULL }, { NULL, NULL, NULL } };
    struct mc_err err;
    struct wal w;
    size_t n, restored, skipped;
    char *pass, *in = NULL;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], (size_t)90 << 20, &in, &n);
    if (rc)
        return rc;
    pass = backup_pass(pf, false);
    if (!pass) {
        mc_free(in);
        return CLI_USAGE;
    }
    rc = wal_open(&w, db, learner, false);
    if (!rc) {
        mc_err_clear(&err);
        if (mc_store_begin(w.a.st, &err) ||
            mc_wallet_restore(&w.c, w.learner, in, n, pass, &restored, &skipped, &err) ||
            mc_store_commit(w.a.st, &err)) {
            (void)mc_store_rollback(w.a.st);
            rc = err.rc == MCRED_ERR_CRYPTO ? (cli_error("wallet restore: %s", mc_err_msg(&err)),
                                               CLI_FAILED) : fail(&err, "wallet restore");
        } else {
            printf("restored %zu, already held %zu\n", restored, skipped);
        }
        wal_close(&w);
    }
    sodium_free(pass);
    mc_free(in);
    return rc;
}

static int w_key(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { NULL, NULL, NULL } };
    char did[MC_DID_MAX];
    struct mc_key k;
    struct mc_err err;
    struct wal w;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = wal_open(&w, db, learner, true);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_wallet_holder(&w.c, w.learner, false, &k, did, &err)) {
        rc = fail(&err, "wallet key");
    } else {
        printf("%s\n", did);
        mc_key_clear(&k);
    }
    wal_close(&w);
    return rc;
}

int cmd_wallet(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "import") == 0)
        return w_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return w_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return w_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "export") == 0)
        return w_export(argc - 1, argv + 1);
    if (strcmp(argv[1], "backup") == 0)
        return w_backup(argc - 1, argv + 1);
    if (strcmp(argv[1], "restore") == 0)
        return w_restore(argc - 1, argv + 1);
    if (strcmp(argv[1], "key") == 0)
        return w_key(argc - 1, argv + 1);
    cli_error("wallet: unknown command '%s' (import, list, show, export, backup, restore, key)",
              argv[1]);
    return CLI_USAGE;
}

int cmd_present(int argc, char **argv)
{
    const char *learner = NULL, *db = NULL, *creds = NULL, *challenge = NULL, *domain = NULL,
               *out = NULL, *pos[1];
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "db", &db, NULL },
                              { "credentials", &creds, NULL }, { "challenge", &challenge, NULL },
                              { "domain", &domain, NULL }, { "out", &out, NULL },
                              { NULL, NULL, NULL } };
    int64_t ids[MC_WALLET_MAX_PRESENT];
    size_t n = 0;
    struct mc_buf b;
    struct mc_err err;
    struct wal w;
    const char *p;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(present_usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!creds || !challenge) {
        cli_error("present: --credentials and --challenge are required");
        fputs(present_usage, stderr);
        return CLI_USAGE;
    }
    for (p = creds; *p;) {
        char one[32];
        size_t len = strcspn(p, ",");

        if (len == 0 || len >= sizeof(one) || n == MC_WALLET_MAX_PRESENT) {
            cli_error("present: --credentials takes 1 to %d wallet item numbers, comma-separated",
                      MC_WALLET_MAX_PRESENT);
            return CLI_USAGE;
        }
        memcpy(one, p, len);
        one[len] = '\0';
        if (!admin_parse_id(one, &ids[n++])) {
            cli_error("present: '%s' is not a wallet item number", one);
            return CLI_USAGE;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    rc = wal_open(&w, db, learner, true);
    if (rc)
        return rc;
    mc_buf_init(&b, 0);
    mc_err_clear(&err);
    if (mc_wallet_present(&w.c, w.learner, ids, n, challenge, domain, &b, &err) ||
        mc_buf_appendc(&b, '\n'))
        rc = fail(&err, "present");
    else
        rc = cli_write_file(out, b.ptr, b.len, 0644, false);
    mc_buf_release(&b);
    wal_close(&w);
    return rc;
}
