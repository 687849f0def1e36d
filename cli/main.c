/* main.c - the `mcred` tool: finds the command and runs it.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include <sodium.h>

#include "cli.h"
#include "cli_cmds.h"

static int cmd_version(int argc, char **argv)
{
    printf("mcred %s\n", mcred_version());
    return CLI_OK;
}

static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
#define CLI_CMD(name, fn, summary) { name, fn, summary },
#include "cli_cmds.h"
#undef CLI_CMD
    { "help", cmd_help, "show this help, or a command's with `mcred help COMMAND`" },
    { "version", cmd_version, "print the version" },
};

static const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static const struct cli_cmd *find(const char *name)
{
    size_t i;

    for (i = 0; i < ncommands; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    size_t i;

    if (argc > 1 && argv[1][0] != '-') {
        const struct cli_cmd *c = find(argv[1]);
        char *sub[] = { argv[1], "--help", NULL };

        if (!c) {
            cli_error("unknown command '%s'", argv[1]);
            return CLI_USAGE;
        }
        return c->run(2, sub);
    }
    printf("usage: mcred COMMAND [OPTIONS] [ARGS]\n\n"
           "microcred: issue, hold and verify Open Badges 3.0 / W3C Verifiable Credentials.\n\n"
           "commands:\n");
    for (i = 0; i < ncommands; i++)
        printf("  %-12s %s\n", commands[i].name, commands[i].summary);
    printf("\n`mcred COMMAND --help` describes a command.\n"
           "exit codes: 0 ok or valid; 1 a check failed (not valid); 2 indeterminate, or a\n"
           "usage or input/output error.\n");
    return CLI_OK;
}

int main(int argc, char **argv)
{
    const struct cli_cmd *c;

    if (sodium_init() < 0) {
        cli_error("libsodium failed to initialise");
        return CLI_USAGE;
    }
    if (argc < 2) {
        cmd_help(1, argv);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv);
    c = find(argv[1]);
    if (!c) {
        cli_error("unknown command '%s' (see `mcred help`)", argv[1]);
        return CLI_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
