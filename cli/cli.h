/* cli.h - what every `mcred` command shares: the command table, reading input
 * files with a cap, error printing and the exit codes (0 ok/valid, 1 a check
 * failed, 2 indeterminate or a usage/I-O error).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MCRED_CLI_H
#define MCRED_CLI_H

#include "internal.h"

#include <stdio.h>

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

#define CLI_MAX_INPUT ((size_t)16 << 20)  /* the largest credential file we read */

/* A command: argv[0] is the command name; returns the process exit code. */
struct cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;   /* one line for `mcred help` */
};

/* Print "mcred: error: ..." to stderr. */
void cli_error(const char *fmt, ...) MC_PRINTF(1, 2);
/* Read a whole file, or stdin for "-", into an owned NUL-terminated buffer
 * (mc_free). Refuses more than max bytes. Prints the error itself; returns 0
 * or CLI_USAGE. */
int cli_read_input(const char *path, size_t max, char **out, size_t *len);
/* True when argv has -h or --help. */
bool cli_wants_help(int argc, char **argv);
/* Passphrase for key files: MCRED_PASSPHRASE, --passphrase-file, or the
 * terminal (never a prompt without one). Owned, wipe with sodium_free.
 * file may be NULL. Prints the error and returns NULL when none can be had. */
char *cli_passphrase(const char *file, bool confirm);


struct mc_ctxstore;
/* The contexts directory in force: `given` (--contexts-dir), else
 * $MCRED_HOME/contexts when it holds a manifest.json, else NULL (embedded
 * contexts only). buf holds the composed path. */
const char *cli_contexts_dir(const char *given, char *buf, size_t cap);
/* Open the context store (embedded + the directory above). Prints errors;
 * returns 0 or CLI_USAGE. *out is owned (mc_ctxstore_free). */
int cli_ctxstore_open(const char *given, struct mc_ctxstore **out);

/* The pinned contexts and the processed-context cache the JSON-LD suites use. */
struct mc_jsonld_cache;
struct cli_contexts {
    struct mc_ctxstore *store;
    struct mc_jsonld_cache *cache;
};
/* Open both (given: --contexts-dir, may be NULL). Prints errors; 0 or CLI_USAGE. */
int cli_contexts_open(const char *given, struct cli_contexts *c);
void cli_contexts_close(struct cli_contexts *c);


/* Options of a command: "--name VALUE", "--name=VALUE" or a flag "--name". */
struct cli_opt {
    const char *name;    /* without the dashes */
    const char **value;  /* where the value goes (options with a value), else NULL */
    bool *flag;          /* set to true (flags), else NULL */
};

/* Parse argv[1..argc) against opts (terminated by a {NULL}); positional
 * arguments go to pos[0..*npos) (at most maxpos). Prints the error and returns
 * CLI_USAGE on an unknown option, a missing value or too many arguments. */
int cli_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int maxpos,
              int *npos);

struct mc_key;
/* Load a key file: with the secret unless public_only. The secret is
 * unlocked by the operator key file named by MCRED_KEY_FILE, or else by a
 * passphrase (cli_passphrase). Prints errors; returns 0 or CLI_USAGE. */
int cli_load_key(const char *path, const char *passphrase_file, bool public_only,
                 struct mc_key *out);
/* Write data to path (or stdout for NULL or "-"), creating the file with mode
 * (0600 for secrets). Refuses to overwrite unless force. Returns 0 or CLI_USAGE. */
int cli_write_file(const char *path, const char *data, size_t n, int mode, bool force);
/* Parse an RFC 3339 time option, or return time(NULL) for NULL. -1 on error
 * (printed). */
long long cli_time_opt(const char *name, const char *value);

#endif /* MCRED_CLI_H */
