/* cli.c - shared helpers of the `mcred` commands: errors, capped input,
 * passphrases.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "util/buf.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("mcred: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_read_input(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct mc_buf b;
    char chunk[65536];
    size_t n;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    *len = 0;
    if (!f) {
        cli_error("cannot open '%s': %s", path, strerror(errno));
        return CLI_USAGE;
    }
    mc_buf_init(&b, max);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = mc_buf_append(&b, chunk, n);
        if (rc)
            break;
    }
    if (!rc && ferror(f)) {
        cli_error("cannot read '%s': %s", path, strerror(errno));
        rc = MCRED_ERR_IO;
    } else if (rc == MCRED_ERR_LIMIT) {
        cli_error("'%s' is larger than the limit of %zu bytes", path, max);
    } else if (rc) {
        cli_error("cannot read '%s': %s", path, mcred_strerror(rc));
    }
    if (f != stdin)
        fclose(f);
    if (rc) {
        mc_buf_release(&b);
        return CLI_USAGE;
    }
    *out = mc_buf_take(&b, len);
    return *out ? CLI_OK : CLI_USAGE;
}

bool cli_wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

static char *read_secret_line(FILE *f)
{
    char *s = sodium_malloc(1024);
    size_t n;

    if (!s)
        return NULL;
    if (!fgets(s, 1024, f)) {
        sodium_free(s);
        return NULL;
    }
    n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static char *prompt(const char *what)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    char *s;

    if (!tty)
        return NULL;
    fprintf(tty, "%s: ", what);
    fflush(tty);
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    s = read_secret_line(tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    return s;
}

char *cli_passphrase(const char *file, bool confirm)
{
    const char *env = getenv("MCRED_PASSPHRASE");
    char *s, *again;

    if (file) {
        FILE *f = fopen(file, "r");

        if (!f) {
            cli_error("cannot open passphrase file '%s': %s", file, strerror(errno));
            return NULL;
        }
        s = read_secret_line(f);
        fclose(f);
        if (!s || !s[0]) {
            cli_error("passphrase file '%s' is empty", file);
            if (s)
                sodium_free(s);
            return NULL;
        }
        return s;
    }
    if (env && env[0]) {
        s = sodium_malloc(strlen(env) + 1);
        if (s)
            memcpy(s, env, strlen(env) + 1);
        return s;
    }
    if (!isatty(STDIN_FILENO)) {
        cli_error("a passphrase is needed: set MCRED_PASSPHRASE, give --passphrase-file FILE, "
                  "or use an operator key file (MCRED_KEY_FILE)");
        return NULL;
    }
    s = prompt("passphrase");
    if (!s || !confirm)
        return s;
    again = prompt("passphrase again");
    if (!again || strcmp(s, again) != 0) {
        cli_error("the passphrases differ");
        sodium_free(s);
        if (again)
            sodium_free(again);
        return NULL;
    }
    sodium_free(again);
    return s;
}
