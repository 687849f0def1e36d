/* cmd_token.c - `mcred token create`: an API token for a user, shown once
 * and kept in the store only as its SHA-256.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "crypto/hash.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/codec.h"

#define TOKEN_BYTES 32

static const char usage[] =
    "usage: mcred token create --user ID [--db DSN]\n"
    "\n"
    "Create an API token for user ID (see `mcred user list`) and print it once: it is\n"
    "32 random bytes in base64url. The store keeps only the lowercase hex SHA-256 of the\n"
    "token as printed, so a lost token cannot be shown again; create another.\n";

/* The user id of the organisation, with its e-mail copied to email. */
static int find_user(struct admin *a, int64_t id, char *email, size_t cap)
{
    struct mc_store_list l;
    struct mc_err err;
    const struct mc_user *u;
    size_t i;
    int rc = CLI_FAILED;

    memset(&l, 0, sizeof(l));
    mc_err_clear(&err);
    if (mc_store_user_list(a->st, a->org, &l, &err))
        return admin_store_error(&err, "token create");
    u = l.rows;
    for (i = 0; i < l.n; i++) {
        if (u[i].id == id) {
            mc_strlcpy(email, u[i].email, cap);
            rc = CLI_OK;
        }
    }
    if (rc)
        cli_error("token create: no user %lld in organisation '%s'", (long long)id,
                  a->conf.org);
    mc_store_list_clear(&l);
    return rc;
}

/* A fresh token (base64url text) and the hex SHA-256 of that text. */
static int make_token(struct mc_buf *tok, struct mc_buf *hash)
{
    uint8_t raw[TOKEN_BYTES], h[MC_SHA256_BYTES];
    mcred_rc rc;

    randombytes_buf(raw, sizeof(raw));
    rc = mc_b64url_encode(tok, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    if (!rc) {
        mc_sha256(tok->ptr, tok->len, h);
        rc = mc_hex_encode(hash, h, sizeof(h));
    }
    if (rc) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int token_create(int argc, char **argv)
{
    const char *user = NULL, *db = NULL, *pos[1];
    struct cli_opt opts[] = { { "user", &user, NULL }, { "db", &db, NULL },
                              { NULL, NULL, NULL } };
    struct admin a;
    struct mc_buf tok, hash;
    struct mc_err err;
    char email[MC_STORE_MAX_TEXT + 1];
    int64_t id;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!user || !admin_parse_id(user, &id)) {
        cli_error("token create: --user takes a user id (a positive number; see "
                  "`mcred user list`)");
        return CLI_USAGE;
    }
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    mc_buf_init(&tok, 0);
    mc_buf_init(&hash, 0);
    mc_err_clear(&err);
    rc = find_user(&a, id, email, sizeof(email));
    if (!rc)
        rc = make_token(&tok, &hash);
    if (!rc && (mc_store_begin(a.st, &err) ||
                mc_store_token_add(a.st, a.org, id, hash.ptr, &err) ||
                admin_audit(a.st, a.org, "token create", email, NULL, &err) ||
                mc_store_commit(a.st, &err))) {
        mc_store_rollback(a.st);
        rc = admin_store_error(&err, "token create");
    }
    if (!rc) {
        printf("%s\n", tok.ptr);
        fprintf(stderr, "token for user %lld (%s): shown only this once\n", (long long)id,
                email);
    }
    if (tok.ptr)
        sodium_memzero(tok.ptr, tok.cap);
    mc_buf_release(&tok);
    mc_buf_release(&hash);
    admin_close(&a);
    return rc;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "create") == 0)
        return token_create(argc - 1, argv + 1);
    cli_error("token: unknown subcommand '%s' (create)", argv[1]);
    return CLI_USAGE;
}
