/* cmd_key.c - `mcred key new|import|show`: issuer and holder keys, stored
 * encrypted at rest.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "crypto/keyfile.h"
#include "crypto/keys.h"
#include "util/codec.h"

static const char usage[] =
    "usage: mcred key new [--seed HEX] [--out FILE] [--passphrase-file FILE] [--force]\n"
    "       mcred key import (--multibase z... | --jwk FILE) [--out FILE] [...]\n"
    "       mcred key show [--json] FILE\n"
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
    "  --json            `show`: machine-readable output\n";

/* Lock and write k to out (a file, or stdout). */
static int save(const struct mc_key *k, const char *out, const char *passfile, bool force)
{
    const char *opfile = getenv("MCRED_KEY_FILE");
    struct mc_keyfile_lock lock = { NULL, NULL };
    uint8_t opkey[MC_OPKEY_BYTES];
    struct mc_buf b;
    struct mc_err err;
    char *pass = NULL;
    int rc = CLI_OK;

    mc_buf_init(&b, 0);
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
    if (!rc && mc_keyfile_write(k, &lock, &b, &err)) {
        cli_error("cannot write the key file: %s", mc_err_msg(&err));
        rc = CLI_USAGE;
    }
    if (!rc)
        rc = cli_write_file(out, b.ptr, b.len, 0600, force);
    if (!rc && out && strcmp(out, "-") != 0) {
        struct mc_buf did;

        mc_buf_init(&did, 0);
        if (mc_key_did(k, &did) == MCRED_OK)
            fprintf(stderr, "wrote %s (%s)\n", out, did.ptr);
        mc_buf_release(&did);
    }
    sodium_memzero(opkey, sizeof(opkey));
    if (pass)
        sodium_free(pass);
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
    cli_error("key: unknown subcommand '%s' (new, import, show)", argv[1]);
    return CLI_USAGE;
}
