/* cmd_key.c - `mcred key new|import|show|rotate`: issuer and holder keys,
 * stored encrypted at rest, and the rotation of a did:web issuer's signing
 * key (with the key helpers of keys_cli.h).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "service/didweb.h"
#include "cli_cmds.h"
#include "crypto/did.h"
#include "crypto/keyfile.h"
#include "crypto/keys.h"
#include "jsonld/jcs.h"
#include "keys_cli.h"
#include "util/codec.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred key new [--seed HEX] [--out FILE] [--passphrase-file FILE] [--force]\n"
    "       mcred key import (--multibase z... | --jwk FILE) [--out FILE] [...]\n"
    "       mcred key show [--json] FILE\n"
    "       mcred key rotate [--db DSN] [--passphrase-file FILE]\n"
    "\n"
    "Create, import and inspect Ed25519 keys. A key file holds the public key in clear\n"
    "and the secret encrypted: with a passphrase (Argon2id + XSalsa20-Poly1305) taken from\n"
    "MCRED_PASSPHRASE, --passphrase-file or the terminal, or with the operator key file\n"
    "named by MCRED_KEY_FILE (32 bytes or 64 hex digits). Without --out the key file\n"
    "is written to standard output.\n"
    "\n"
    "  --seed HEX        derive the key from a 32-byte seed (tests, vectors)\n"
    "  --multibase z...  import a Multikey secret (0x8026, 32- or 64-byte form)\n"
    "  --jwk FILE        import an RFC 8037 OKP Ed25519 JWK with a 32-byte \"d\"\n"
    "  --json            `show`: machine-readable output\n"
    "\n"
    "`key rotate` gives the issuer of the data directory (MCRED_HOME) a new signing key and\n"
    "retires the current one. Only a did:web issuer can rotate: its DID document\n"
    "($MCRED_HOME/did.json, rewritten) keeps every older key, so credentials signed before\n"
    "still verify. A did:key issuer's DID is its key and cannot change.\n";

int cli_key_encrypt(const struct mc_key *k, const char *passfile, struct mc_buf *out)
{
    const char *opfile = getenv("MCRED_KEY_FILE");
    struct mc_keyfile_lock lock = { NULL, NULL };
    uint8_t opkey[MC_OPKEY_BYTES];
    struct mc_err err;
    char *pass = NULL;
    int rc = CLI_OK;

    mc_err_clear(&err);
    if (opfile && opfile[0] && !passfile) {
        char *op = NULL;
        size_t n;

        rc = cli_read_input(opfile, 4096, &op, &n);
        if (!rc && mc_opkey_parse(op, n, opkey, &err)) {
            cli_error("operator key file '%s': %s", opfile, mc_err_msg(&err));
            rc = CLI_USAGE;
        }
        if (op) {
            sodium_memzero(op, n);
            mc_free(op);
        }
        lock.operator_key = opkey;
    } else {
        pass = cli_passphrase(passfile, true);
        if (!pass)
            rc = CLI_USAGE;
        lock.passphrase = pass;
    }
    if (!rc && mc_keyfile_write(k, &lock, out, &err)) {
        cli_error("cannot write the key file: %s", mc_err_msg(&err));
        rc = CLI_USAGE;
    }
    sodium_memzero(opkey, sizeof(opkey));
    if (pass)
        sodium_free(pass);
    return rc;
}

/* Lock and write k to out (a file, or stdout). */
static int save(const struct mc_key *k, const char *out, const char *passfile, bool force)
{
    struct mc_buf b;
    int rc;

    mc_buf_init(&b, 0);
    rc = cli_key_encrypt(k, passfile, &b);
    if (!rc)
        rc = cli_write_file(out, b.ptr, b.len, 0600, force);
    if (!rc && out && strcmp(out, "-") != 0) {
        struct mc_buf did;

        mc_buf_init(&did, 0);
        if (mc_key_did(k, &did) == MCRED_OK)
            fprintf(stderr, "wrote %s (%s)\n", out, did.ptr);
        mc_buf_release(&did);
    }
    mc_buf_release(&b);
    return rc;
}

static int key_new(int argc, char **argv)
{
    const char *seed = NULL, *out = NULL, *passfile = NULL, *pos[1];
    bool force = false;
    struct cli_opt opts[] = { { "seed", &seed, NULL }, { "out", &out, NULL },
                              { "passphrase-file", &passfile, NULL }, { "force", NULL, &force },
                              { NULL, NULL, NULL } };
    struct mc_buf sb;
    struct mc_key k;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    mc_buf_init(&sb, 64);
    if (seed && (mc_hex_decode(&sb, seed, strlen(seed)) != MCRED_OK || sb.len != 32)) {
        cli_error("--seed must be 64 hex digits (32 bytes)");
        mc_buf_release(&sb);
        return CLI_USAGE;
    }
    if (mc_key_generate(&k, seed ? (const uint8_t *)sb.ptr : NULL) != MCRED_OK) {
        cli_error("cannot create a key");
        mc_buf_release(&sb);
        return CLI_USAGE;
    }
    if (sb.ptr)
        sodium_memzero(sb.ptr, sb.cap);
    mc_buf_release(&sb);
    rc = save(&k, out, passfile, force);
    mc_key_clear(&k);
    return rc;
}

static int key_import(int argc, char **argv)
{
    const char *mb = NULL, *jwkfile = NULL, *out = NULL, *passfile = NULL, *pos[1];
    bool force = false;
    struct cli_opt opts[] = { { "multibase", &mb, NULL }, { "jwk", &jwkfile, NULL },
                              { "out", &out, NULL }, { "passphrase-file", &passfile, NULL },
                              { "force", NULL, &force }, { NULL, NULL, NULL } };
    struct mc_key k;
    struct mc_err err;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!mb == !jwkfile) {
        cli_error("key import: give exactly one of --multibase or --jwk");
        return CLI_USAGE;
    }
    mc_err_clear(&err);
    if (mb) {
        rc = mc_key_from_multibase(&k, mb, &err) ? CLI_USAGE : CLI_OK;
    } else {
        char *text = NULL;
        size_t n;
        cJSON *jwk = NULL;

        rc = cli_read_input(jwkfile, 64 * 1024, &text, &n);
        if (!rc && mc_json_parse(text, n, 0, &jwk, &err))
            rc = CLI_USAGE;
        if (!rc && mc_key_from_jwk(&k, jwk, &err))
            rc = CLI_USAGE;
        if (text) {
            sodium_memzero(text, n);
            mc_free(text);
        }
        cJSON_Delete(jwk);
    }
    if (rc) {
        if (err.msg[0])
            cli_error("key import: %s", err.msg);
        return rc;
    }
    if (!k.sk) {
        cli_error("key import: that is a public key; a key file needs the secret key");
        mc_key_clear(&k);
        return CLI_USAGE;
    }
    rc = save(&k, out, passfile, force);
    mc_key_clear(&k);
    return rc;
}

static int key_show(int argc, char **argv)
{
    const char *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_key k;
    struct mc_buf mb, did, jwk;
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1) {
        cli_error("key show: which key file?");
        return CLI_USAGE;
    }
    rc = cli_load_key(pos[0], NULL, true, &k);
    if (rc)
        return rc;
    mc_buf_init(&mb, 0);
    mc_buf_init(&did, 0);
    mc_buf_init(&jwk, 0);
    if (mc_key_pub_multibase(&k, &mb) || mc_key_did(&k, &did) || mc_key_to_jwk(&k, false, &jwk)) {
        cli_error("out of memory");
        rc = CLI_USAGE;
    } else if (json) {
        printf("{\"did\":\"%s\",\"verificationMethod\":\"%s#%s\",\"publicKeyMultibase\":\"%s\","
               "\"publicKeyJwk\":%s}\n", did.ptr, did.ptr, mb.ptr, mb.ptr, jwk.ptr);
    } else {
        printf("did:                 %s\nverificationMethod:  %s#%s\npublicKeyMultibase:  %s\n"
               "publicKeyJwk:        %s\n", did.ptr, did.ptr, mb.ptr, mb.ptr, jwk.ptr);
    }
    mc_buf_release(&mb);
    mc_buf_release(&did);
    mc_buf_release(&jwk);
    mc_key_clear(&k);
    return rc;
}

/* ---- issuer keys in the store (keys_cli.h) ---------------------------------- */

static bool is_did_key(const char *did)
{
    return strncmp(did, "did:key:", 8) == 0;
}

int cli_key_row(const struct mc_key *k, int64_t org, const struct mc_issuer *iss, size_t nprev,
                const char *passfile, struct mc_issuer_key *row)
{
    struct mc_buf vm, mb, kf;
    int rc = CLI_OK;

    memset(row, 0, sizeof(*row));
    if (!iss->did || !iss->did[0]) {
        cli_error("issuer %lld has no DID", (long long)iss->id);
        return CLI_USAGE;
    }
    mc_buf_init(&vm, MC_DID_MAX);
    mc_buf_init(&mb, 0);
    mc_buf_init(&kf, 0);
    if (mc_key_pub_multibase(k, &mb) != MCRED_OK ||
        (is_did_key(iss->did) ? mc_key_vm_id(k, &vm)
                              : mc_buf_printf(&vm, "%s#key-%zu", iss->did, nprev + 1))) {
        cli_error("the verification method id of the new key is too long");
        rc = CLI_USAGE;
    }
    if (!rc)
        rc = cli_key_encrypt(k, passfile, &kf);
    if (!rc) {
        row->org_id = org;
        row->issuer_id = iss->id;
        row->vm_id = mc_buf_take(&vm, NULL);
        row->public_multibase = mc_buf_take(&mb, NULL);
        row->key_file = mc_buf_take(&kf, NULL);
        if (!row->vm_id || !row->public_multibase || !row->key_file) {
            cli_error("out of memory");
            mc_issuer_key_release(row);
            rc = CLI_USAGE;
        }
    }
    mc_buf_release(&vm);
    mc_buf_release(&mb);
    mc_buf_release(&kf);
    return rc;
}

int cli_did_json_write(struct mc_store *st, int64_t org, const struct mc_issuer *iss,
                       const char *dir, char *path, size_t cap)
{
    struct mc_store_list keys;
    struct mc_buf doc;
    struct mc_err err;
    char tmp[4200];
    int rc;

    memset(&keys, 0, sizeof(keys));
    mc_err_clear(&err);
    if (mc_store_key_list(st, org, iss->id, &keys, &err)) {
        cli_error("issuer keys: %s", mc_err_msg(&err));
        return CLI_USAGE;
    }
    if (keys.n == 0) {
        cli_error("issuer %lld has no keys", (long long)iss->id);
        mc_store_list_clear(&keys);
        return CLI_USAGE;
    }
    if ((size_t)snprintf(path, cap, "%s/did.json", dir) >= cap ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        cli_error("the directory name '%s' is too long", dir);
        mc_store_list_clear(&keys);
        return CLI_USAGE;
    }
    mc_buf_init(&doc, 0);
    mc_store_list_clear(&keys);
    /* one builder for the file and the server's /did.json (lib/service/didweb.c) */
    if (mc_didweb_document(st, org, iss, 2, &doc, &err) != MCRED_OK ||
        mc_buf_appendc(&doc, '\n') != MCRED_OK) {
        cli_error("the DID document of '%s': %s", iss->did, mc_err_msg(&err));
        rc = CLI_USAGE;
    } else {
        rc = CLI_OK;
    }
    if (!rc)
        rc = cli_write_file(tmp, doc.ptr, doc.len, 0644, true);
    if (!rc && rename(tmp, path) != 0) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        rc = CLI_USAGE;
    }
    mc_buf_release(&doc);
    return rc;
}

/* Add row as the issuer's signing key and retire every key before it, in one
 * transaction. */
static int rotate_store(struct admin *a, const struct mc_store_list *keys,
                        struct mc_issuer_key *row)
{
    const struct mc_issuer_key *old = keys->rows;
    struct mc_err err;
    size_t i;
    mcred_rc rc;

    mc_err_clear(&err);
    rc = mc_store_begin(a->st, &err);
    if (!rc)
        rc = mc_store_key_add(a->st, row, &err);
    for (i = 0; !rc && i < keys->n; i++) {
        if (!old[i].retired)
            rc = mc_store_key_retire(a->st, a->org, old[i].id, row->created, &err);
    }
    if (!rc)
        rc = admin_audit(a->st, a->org, "key rotate", row->vm_id, NULL, &err);
    if (!rc)
        rc = mc_store_commit(a->st, &err);
    if (rc) {
        mc_store_rollback(a->st);
        return admin_store_error(&err, "key rotate");
    }
    return CLI_OK;
}

static int key_rotate(int argc, char **argv)
{
    const char *db = NULL, *passfile = NULL, *pos[1];
    struct cli_opt opts[] = { { "db", &db, NULL }, { "passphrase-file", &passfile, NULL },
                              { NULL, NULL, NULL } };
    struct admin a;
    struct mc_issuer iss;
    struct mc_store_list keys;
    struct mc_issuer_key row;
    struct mc_key k;
    struct mc_buf url;
    struct mc_err err;
    char path[4200];
    int npos, rc;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    rc = admin_open(&a, db);
    if (rc)
        return rc;
    memset(&keys, 0, sizeof(keys));
    memset(&row, 0, sizeof(row));
    memset(&k, 0, sizeof(k));
    mc_buf_init(&url, 0);
    mc_err_clear(&err);
    rc = admin_issuer(&a, &iss);
    if (rc)
        goto out;
    if (!iss.did || strncmp(iss.did, "did:web:", 8) != 0) {
        cli_error("key rotate: the issuer's DID '%s' is not a did:web%s", iss.did ? iss.did : "",
                  iss.did && is_did_key(iss.did)
                      ? ": a did:key is its key and cannot change keys (a new key would be a "
                        "new issuer; use `mcred init --did-web HOST` for a rotatable issuer)"
                      : "");
        rc = CLI_USAGE;
        goto out;
    }
    if (mc_store_key_list(a.st, a.org, iss.id, &keys, &err)) {
        rc = admin_store_error(&err, "issuer keys");
        goto out;
    }
    if (mc_key_generate(&k, NULL) != MCRED_OK) {
        cli_error("cannot create a key");
        rc = CLI_USAGE;
        goto out;
    }
    rc = cli_key_row(&k, a.org, &iss, keys.n, passfile, &row);
    if (rc)
        goto out;
    /* never older than the newest key: key_list orders by creation time */
    row.created = time(NULL);
    if (keys.n && ((struct mc_issuer_key *)keys.rows)[keys.n - 1].created > row.created)
        row.created = ((struct mc_issuer_key *)keys.rows)[keys.n - 1].created;
    rc = rotate_store(&a, &keys, &row);
    if (!rc)
        rc = cli_did_json_write(a.st, a.org, &iss, a.conf.dir, path, sizeof(path));
    if (rc)
        goto out;
    printf("new signing key: %s\n", row.vm_id);
    printf("earlier keys:    %zu (retired: they sign no more, and stay in the DID document)\n",
           keys.n);
    if (mc_did_web_url(iss.did, &url, &err) == MCRED_OK)
        printf("publish %s at %s\n", path, url.ptr);
out:
    mc_buf_release(&url);
    mc_key_clear(&k);
    mc_issuer_key_release(&row);
    mc_store_list_clear(&keys);
    mc_issuer_release(&iss);
    admin_close(&a);
    return rc;
}

int cmd_key(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "new") == 0)
        return key_new(argc - 1, argv + 1);
    if (strcmp(argv[1], "import") == 0)
        return key_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return key_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "rotate") == 0)
        return key_rotate(argc - 1, argv + 1);
    cli_error("key: unknown subcommand '%s' (new, import, show, rotate)", argv[1]);
    return CLI_USAGE;
}
