/* cmd_canon.c - `mcred canon`: canonical forms of a document: RFC 8785 JCS,
 * RDFC-1.0 N-Quads of a JSON-LD document, or of an N-Quads dataset.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "crypto/hash.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jcs.h"
#include "jsonld/jsonld.h"
#include "jsonld/rdf.h"
#include "proof/rdfc_suite.h"
#include "util/codec.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred canon --jcs IN\n"
    "       mcred canon --rdfc [--contexts-dir DIR] IN.jsonld\n"
    "       mcred canon --nquads [--hash sha256|sha384] IN.nq\n"
    "\n"
    "Print the canonical form of IN (a file, or - for standard input):\n"
    "  --jcs     RFC 8785 JSON Canonicalization Scheme bytes (no trailing newline)\n"
    "  --rdfc    RDFC-1.0 canonical N-Quads of a JSON-LD document (contexts only from the\n"
    "            pinned store; a term that does not expand is an error)\n"
    "  --nquads  RDFC-1.0 canonical N-Quads of an N-Quads dataset; --hash chooses the\n"
    "            algorithm RDFC-1.0 uses (sha256 by default)\n"
    "  --digest  also print the SHA-256 of the canonical bytes on standard error\n";

static int canon_json(const char *in, size_t n, bool rdfc, const char *ctxdir,
                      struct mc_buf *out, const char *name)
{
    struct cli_contexts ctx = { NULL, NULL };
    struct mc_jsonld_loader loader;
    struct mc_err err;
    cJSON *doc = NULL;
    int rc = CLI_OK;

    mc_err_clear(&err);
    if (mc_json_parse(in, n, 0, &doc, &err)) {
        cli_error("canon: %s: %s", name, mc_err_msg(&err));
        return CLI_FAILED;
    }
    if (!rdfc) {
        if (mc_jcs_canon(doc, out, &err)) {
            cli_error("canon: %s: %s", name, mc_err_msg(&err));
            rc = CLI_FAILED;
        }
        cJSON_Delete(doc);
        return rc;
    }
    rc = cli_contexts_open(ctxdir, &ctx);
    if (!rc) {
        mc_ctxstore_loader(ctx.store, &loader);
        if (mc_rdfc_canonize_doc(doc, &loader, ctx.cache, out, &err)) {
            cli_error("canon: %s: %s", name, mc_err_msg(&err));
            rc = err.rc == MCRED_ERR_NOMEM ? CLI_USAGE : CLI_FAILED;
        }
    }
    cli_contexts_close(&ctx);
    cJSON_Delete(doc);
    return rc;
}

static int canon_nquads(const char *in, size_t n, const char *hash, struct mc_buf *out,
                        const char *name)
{
    struct mc_rdf_dataset ds;
    struct mc_rdfc_opts o = { MC_RDFC_SHA256, 0 };
    struct mc_err err;
    int rc = CLI_OK;

    if (hash && strcmp(hash, "sha384") == 0) {
        o.hash = MC_RDFC_SHA384;
    } else if (hash && strcmp(hash, "sha256") != 0) {
        cli_error("canon: --hash is sha256 or sha384, not '%s'", hash);
        return CLI_USAGE;
    }
    mc_rdf_init(&ds);
    mc_err_clear(&err);
    if (mc_nquads_parse(in, n, &ds, &err) || mc_rdfc_canon(&ds, &o, out, &err)) {
        cli_error("canon: %s: %s", name, mc_err_msg(&err));
        rc = err.rc == MCRED_ERR_NOMEM ? CLI_USAGE : CLI_FAILED;
    }
    mc_rdf_release(&ds);
    return rc;
}

int cmd_canon(int argc, char **argv)
{
    const char *hash = NULL, *ctxdir = NULL, *pos[1];
    bool jcs = false, rdfc = false, nquads = false, digest = false;
    struct cli_opt opts[] = { { "jcs", NULL, &jcs }, { "rdfc", NULL, &rdfc },
                              { "nquads", NULL, &nquads }, { "hash", &hash, NULL },
                              { "contexts-dir", &ctxdir, NULL }, { "digest", NULL, &digest },
                              { NULL, NULL, NULL } };
    struct mc_buf out;
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
    if (npos != 1 || (jcs + rdfc + nquads) != 1) {
        fputs(usage, stderr);
        cli_error("canon: give one input and exactly one of --jcs, --rdfc, --nquads");
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], CLI_MAX_INPUT, &in, &n);
    if (rc)
        return rc;
    mc_buf_init(&out, 0);
    rc = nquads ? canon_nquads(in, n, hash, &out, pos[0])
                : canon_json(in, n, rdfc, ctxdir, &out, pos[0]);
    if (!rc) {
        fwrite(out.ptr ? out.ptr : "", 1, out.len, stdout);
        if (digest) {
            uint8_t h[MC_SHA256_BYTES];
            struct mc_buf hex;

            mc_sha256(out.ptr ? out.ptr : "", out.len, h);
            mc_buf_init(&hex, 0);
            if (mc_hex_encode(&hex, h, sizeof(h)) == MCRED_OK)
                fprintf(stderr, "sha256 %s\n", hex.ptr);
            mc_buf_release(&hex);
        }
    }
    mc_buf_release(&out);
    mc_free(in);
    return rc;
}
