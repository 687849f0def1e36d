/* cli.c - shared helpers of the `mcred` commands: errors, capped input,
 * passphrases.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypto/keyfile.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "util/buf.h"
#include "util/time.h"

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

int cli_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int maxpos,
              int *npos)
{
    int i;
    bool only_pos = false;

    *npos = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *eq;
        const struct cli_opt *o;
        size_t len;

        if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
            if (*npos == maxpos) {
                cli_error("%s: unexpected argument '%s'", argv[0], a);
                return CLI_USAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (a[1] != '-') {
            cli_error("%s: unknown option '%s' (options are spelled --name)", argv[0], a);
            return CLI_USAGE;
        }
        a += 2;
        eq = strchr(a, '=');
        len = eq ? (size_t)(eq - a) : strlen(a);
        for (o = opts; o->name; o++) {
            if (strlen(o->name) == len && strncmp(o->name, a, len) == 0)
                break;
        }
        if (!o->name) {
            cli_error("%s: unknown option '--%.*s' (see `mcred %s --help`)", argv[0], (int)len, a,
                      argv[0]);
            return CLI_USAGE;
        }
        if (o->flag) {
            if (eq) {
                cli_error("%s: option '--%s' takes no value", argv[0], o->name);
                return CLI_USAGE;
            }
            *o->flag = true;
        } else if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            cli_error("%s: option '--%s' needs a value", argv[0], o->name);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

int cli_load_key(const char *path, const char *passphrase_file, bool public_only,
                 struct mc_key *out)
{
    const char *opfile = getenv("MCRED_KEY_FILE");
    struct mc_keyfile_lock lock = { NULL, NULL };
    uint8_t opkey[MC_OPKEY_BYTES];
    char *text = NULL, *pass = NULL;
    size_t n;
    struct mc_err err;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = cli_read_input(path, 64 * 1024, &text, &n);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (!public_only && opfile && opfile[0] && !passphrase_file) {
        char *op = NULL;
        size_t opn;

        rc = cli_read_input(opfile, 4096, &op, &opn);
        if (!rc && mc_opkey_parse(op, opn, opkey, &err) != MCRED_OK) {
            cli_error("operator key file '%s': %s", opfile, mc_err_msg(&err));
            rc = CLI_USAGE;
        }
        if (op) {
            sodium_memzero(op, opn);
            mc_free(op);
        }
        if (rc)
            goto out;
        lock.operator_key = opkey;
    } else if (!public_only) {
        pass = cli_passphrase(passphrase_file, false);
        if (!pass) {
            rc = CLI_USAGE;
            goto out;
        }
        lock.passphrase = pass;
    }
    if (mc_keyfile_read(text, n, public_only ? NULL : &lock, out, &err) != MCRED_OK) {
        cli_error("key file '%s': %s", path, mc_err_msg(&err));
        rc = CLI_USAGE;
    }
out:
    sodium_memzero(opkey, sizeof(opkey));
    if (pass)
        sodium_free(pass);
    mc_free(text);
    return rc;
}

int cli_write_file(const char *path, const char *data, size_t n, int mode, bool force)
{
    int fd;
    size_t off = 0;

    if (!path || strcmp(path, "-") == 0) {
        if (fwrite(data, 1, n, stdout) != n) {
            cli_error("cannot write to standard output");
            return CLI_USAGE;
        }
        return CLI_OK;
    }
    fd = open(path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), mode);
    if (fd < 0) {
        cli_error("cannot create '%s': %s%s", path, strerror(errno),
                  errno == EEXIST ? " (use --force to overwrite)" : "");
        return CLI_USAGE;
    }
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            cli_error("cannot write '%s': %s", path, strerror(errno));
            close(fd);
            return CLI_USAGE;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return CLI_USAGE;
    }
    return CLI_OK;
}

long long cli_time_opt(const char *name, const char *value)
{
    time_t t;

    if (!value)
        return (long long)time(NULL);
    if (mc_time_parse(value, true, &t) != MCRED_OK) {
        cli_error("--%s '%s' is not an RFC 3339 date-time such as 2025-01-31T12:00:00Z", name,
                  value);
        return -1;
    }
    return (long long)t;
}

int cli_contexts_open(const char *given, struct cli_contexts *c)
{
    int rc;

    c->store = NULL;
    c->cache = NULL;
    rc = cli_ctxstore_open(given, &c->store);
    if (rc)
        return rc;
    if (mc_jsonld_cache_new(&c->cache) != MCRED_OK) {
        cli_error("out of memory");
        cli_contexts_close(c);
        return CLI_USAGE;
    }
    return CLI_OK;
}

void cli_contexts_close(struct cli_contexts *c)
{
    mc_jsonld_cache_free(c->cache);   /* before the store whose documents it points into */
    mc_ctxstore_free(c->store);
    c->cache = NULL;
    c->store = NULL;
}
