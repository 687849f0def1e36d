/* cmd_canon.c - `mcred canon`: canonical forms of a document (RFC 8785 JCS).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/jcs.h"
#include "util/json.h"

static const char usage[] =
    "usage: mcred canon --jcs IN\n"
    "\n"
    "Print the canonical form of IN (a file, or - for standard input):\n"
    "  --jcs     RFC 8785 JSON Canonicalization Scheme bytes (no trailing newline)\n";

int cmd_canon(int argc, char **argv)
{
    const char *pos[1];
    bool jcs = false;
    struct cli_opt opts[] = { { "jcs", NULL, &jcs }, { NULL, NULL, NULL } };
    struct mc_buf out;
    struct mc_err err;
    cJSON *doc = NULL;
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
    if (npos != 1 || !jcs) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    rc = cli_read_input(pos[0], CLI_MAX_INPUT, &in, &n);
    if (rc)
        return rc;
    mc_buf_init(&out, 0);
    mc_err_clear(&err);
    if (mc_json_parse(in, n, 0, &doc, &err) || mc_jcs_canon(doc, &out, &err)) {
        cli_error("canon: %s: %s", pos[0], mc_err_msg(&err));
        rc = CLI_FAILED;
    } else {
        fwrite(out.ptr, 1, out.len, stdout);
    }
    cJSON_Delete(doc);
    mc_buf_release(&out);
    mc_free(in);
    return rc;
}
