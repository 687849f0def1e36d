/* cli_cmds.h - the table of `mcred` commands, one CLI_CMD line each; every
 * command lives in cli/cmd_<name>.c as int cmd_<name>(int argc, char **argv).
 * Included twice by main.c: once for the declarations, once for the table.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CLI_CMD
#ifndef MCRED_CLI_CMDS_DECL
#define MCRED_CLI_CMDS_DECL
#define CLI_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli_cmds.h"
#undef CLI_CMD
#endif
#else
/* name, function, summary */
CLI_CMD("key", cmd_key, "create, import and show issuer keys (encrypted at rest)")
CLI_CMD("credential", cmd_credential, "build an unsigned Open Badges 3.0 credential")
CLI_CMD("sign", cmd_sign, "secure a credential: eddsa-jcs-2022 or VC-JWT")
CLI_CMD("verify", cmd_verify, "verify any credential and list every check")
CLI_CMD("canon", cmd_canon, "print a document's canonical form (JCS)")
CLI_CMD("contexts", cmd_contexts, "list, check and fetch the pinned JSON-LD context documents")
#endif
