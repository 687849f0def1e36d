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
CLI_CMD("key", cmd_key, "create, import, show and rotate issuer keys (encrypted at rest)")
CLI_CMD("credential", cmd_credential, "build an unsigned credential; list, show, export issued ones")
CLI_CMD("sign", cmd_sign, "secure a credential: eddsa-rdfc-2022, eddsa-jcs-2022 or VC-JWT")
CLI_CMD("verify", cmd_verify, "verify any credential and list every check")
CLI_CMD("canon", cmd_canon, "print a canonical form: JCS, RDFC-1.0 of JSON-LD or N-Quads")
CLI_CMD("contexts", cmd_contexts, "list, check and fetch the pinned JSON-LD context documents")
CLI_CMD("init", cmd_init, "create the data directory: store, organisation, issuer and key")
CLI_CMD("user", cmd_user, "add and list the users of the organisation")
CLI_CMD("learner", cmd_learner, "add, list and show learners (e-mail or DID)")
CLI_CMD("token", cmd_token, "create an API token for a user (shown once)")
CLI_CMD("achievement", cmd_achievement, "store, list and show OB 3.0 achievements")
CLI_CMD("issue", cmd_issue, "issue a credential, or a CSV / JSON Lines file of them in bulk")
CLI_CMD("revoke", cmd_revoke, "revoke an issued credential (final)")
CLI_CMD("suspend", cmd_suspend, "suspend an issued credential")
CLI_CMD("unsuspend", cmd_unsuspend, "lift a suspension")
CLI_CMD("status", cmd_status, "publish the signed status lists to a directory")
CLI_CMD("audit", cmd_audit, "count stored credentials; --verify checks every one")
CLI_CMD("bake", cmd_bake, "bake a credential into a PNG or SVG badge image")
CLI_CMD("unbake", cmd_unbake, "print the credential baked into a PNG or SVG badge image")
CLI_CMD("share", cmd_share, "turn a credential's public badge page on or off; sharing defaults")
CLI_CMD("wallet", cmd_wallet, "a learner's wallet: import from anywhere, list, export, backup, restore")
CLI_CMD("present", cmd_present, "a Verifiable Presentation of wallet items, signed by the holder")
CLI_CMD("skills", cmd_skills, "skills frameworks, search, job descriptions and the gap")
CLI_CMD("plan", cmd_plan, "plan the credentials closing a learner's skills gap, on a calendar")
CLI_CMD("recommend", cmd_recommend, "a learner's next credentials: goal, demand, co-earning")
CLI_CMD("catalog", cmd_catalog, "import the planner's catalog of other issuers' achievements")
CLI_CMD("position", cmd_position, "an employer's positions; learners share credentials with it")
CLI_CMD("match", cmd_match, "rank a position's candidates on verified skills (table, JSON, CSV)")
CLI_CMD("assess", cmd_assess, "record an assessment; the award is issued when the result meets it")
CLI_CMD("clr", cmd_clr, "export a learner's CLR 2.0 ClrCredential, signed")
CLI_CMD("stack", cmd_stack, "stackable credentials: define, list, progress, evaluate, sweep")
CLI_CMD("serve", cmd_serve, "run the HTTP server: VC API, OB 3.0 API, platform API, pages")
#endif
