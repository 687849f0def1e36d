/* home.c - the data directory: mcred.conf, the store, the organisation's
 * issuer and its current signing key.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypto/keyfile.h"
#include "admin.h"
#include "home.h"

#define CONF_MAX (64 * 1024)

static int set(char **slot, const char *v)
{
    char *d = v ? mc_strdup(v) : NULL;

    if (v && !d) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    mc_free(*slot);
    *slot = d;
    return CLI_OK;
}

/* Parse "key = value" lines (# comments, blank lines). Unknown keys are an
 * error naming the line: a typo must not pass silently. */
static int parse_conf(struct home_conf *c, char *text, const char *path)
{
    char *line = text, *next;
    int lineno = 0;

    for (; line && *line; line = next) {
        char *eq, *k, *v, *end;

        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line == '#' || *line == '\0' || *line == '\r')
            continue;
        eq = strchr(line, '=');
        if (!eq) {
            cli_error("%s:%d: expected 'key = value'", path, lineno);
            return CLI_USAGE;
        }
        *eq = '\0';
        k = line;
        v = eq + 1;
        for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
            end[-1] = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\r' ||
                                              end[-1] == '\t'); end--)
            end[-1] = '\0';
        if (strcmp(k, "db") == 0 ? set(&c->db, v) :
            strcmp(k, "org") == 0 ? set(&c->org, v) :
            strcmp(k, "public_url") == 0 ? set(&c->public_url, v) :
            strcmp(k, "contexts_dir") == 0 ? set(&c->contexts_dir, v) :
            strcmp(k, "issuer") == 0 ? set(&c->issuer_id, v) :
            strcmp(k, "listen") == 0 ? set(&c->listen, v) :
            strcmp(k, "access_log") == 0 ? set(&c->access_log, v) :
            strcmp(k, "rate") == 0 ? set(&c->rate, v) :
            strcmp(k, "burst") == 0 ? set(&c->burst, v) :
            strcmp(k, "max_body") == 0 ? set(&c->max_body, v) :
            strcmp(k, "timeout") == 0 ? set(&c->timeout, v) : -1) {
            cli_error("%s:%d: unknown setting '%s' (db, org, public_url, contexts_dir, issuer, "
                      "listen, access_log, rate, burst, max_body, timeout)", path, lineno, k);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

int home_load(struct home_conf *c, const char *dir, const char *db_flag, const char *url_flag,
              bool must_exist)
{
    char path[4096];
    char *text = NULL;
    size_t n;
    const char *env;
    int rc = CLI_OK;

    memset(c, 0, sizeof(*c));
    if (!dir)
        dir = getenv("MCRED_HOME");
    if (!dir || !dir[0])
        dir = HOME_DEFAULT;
    if (set(&c->dir, dir))
        return CLI_USAGE;
    snprintf(path, sizeof(path), "%s/%s", dir, HOME_CONF);
    if (access(path, F_OK) == 0) {
        rc = cli_read_input(path, CONF_MAX, &text, &n);
        if (!rc)
            rc = parse_conf(c, text, path);
        mc_free(text);
    } else if (must_exist) {
        cli_error("no microcred data directory at '%s' (run `mcred init`, or set MCRED_HOME)",
                  dir);
        rc = CLI_USAGE;
    }
    env = getenv("MCRED_DB");
    if (!rc && env && env[0])
        rc = set(&c->db, env);
    env = getenv("MCRED_PUBLIC_URL");
    if (!rc && env && env[0])
        rc = set(&c->public_url, env);
    if (!rc && db_flag)
        rc = set(&c->db, db_flag);
    if (!rc && url_flag)
        rc = set(&c->public_url, url_flag);
    if (!rc && !c->public_url)
        rc = set(&c->public_url, HOME_PUBLIC_URL_DEFAULT);
    if (!rc && !c->db) {
        snprintf(path, sizeof(path), "sqlite:%s/mcred.db", dir);
        rc = set(&c->db, path);
    }
    if (rc)
        home_release(c);
    return rc;
}

int home_save(const struct home_conf *c)
{
    char path[4096], tmp[4200];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", c->dir, HOME_CONF);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        cli_error("cannot write '%s': %s", tmp, strerror(errno));
        return CLI_USAGE;
    }
    fprintf(f, "# microcred settings (flags and MCRED_* variables override these)\n");
    if (c->db)
        fprintf(f, "db = %s\n", c->db);
    if (c->org)
        fprintf(f, "org = %s\n", c->org);
    if (c->public_url)
        fprintf(f, "public_url = %s\n", c->public_url);
    if (c->contexts_dir)
        fprintf(f, "contexts_dir = %s\n", c->contexts_dir);
    if (c->issuer_id)
        fprintf(f, "issuer = %s\n", c->issuer_id);
    {
        const char *const kv[][2] = {
            { "listen", c->listen }, { "access_log", c->access_log }, { "rate", c->rate },
            { "burst", c->burst }, { "max_body", c->max_body }, { "timeout", c->timeout },
        };
        size_t i;

        for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
            if (kv[i][1])
                fprintf(f, "%s = %s\n", kv[i][0], kv[i][1]);
    }
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        return CLI_USAGE;
    }
    return CLI_OK;
}

void home_release(struct home_conf *c)
{
    mc_free(c->dir);
    mc_free(c->db);
    mc_free(c->org);
    mc_free(c->public_url);
    mc_free(c->contexts_dir);
    mc_free(c->issuer_id);
    mc_free(c->listen);
    mc_free(c->access_log);
    mc_free(c->rate);
    mc_free(c->burst);
    mc_free(c->max_body);
    mc_free(c->timeout);
    memset(c, 0, sizeof(*c));
}

/* The current (newest, unretired) key of the issuer, unlocked when need_key. */
static int load_key(struct home *h, bool need_key, const char *passphrase_file)
{
    struct mc_store_list keys;
    struct mc_issuer_key *k = NULL;
    struct mc_err err;
    char tmp[] = "/tmp/mcred-key-XXXXXX";
    size_t i;
    int fd, rc = CLI_OK;

    memset(&keys, 0, sizeof(keys));
    mc_err_clear(&err);
    if (mc_store_key_list(h->st, h->org, h->issuer.id, &keys, &err)) {
        cli_error("issuer keys: %s", mc_err_msg(&err));
        return CLI_USAGE;
    }
    for (i = 0; i < keys.n; i++) {
        struct mc_issuer_key *r = &((struct mc_issuer_key *)keys.rows)[i];

        if (!r->retired)
            k = r;   /* oldest first: the last unretired one is the newest */
    }
    if (!k) {
        cli_error("the issuer has no active signing key (`mcred key rotate`)");
        rc = CLI_USAGE;
        goto out;
    }
    mc_strlcpy(h->vm_id, k->vm_id, sizeof(h->vm_id));
    if (!need_key) {
        rc = mc_key_from_multibase(&h->key, k->public_multibase, &err) ? CLI_USAGE : CLI_OK;
        goto out;
    }
    /* the key file text goes through the same path as `--key FILE` */
    fd = mkstemp(tmp);
    if (fd < 0 || write(fd, k->key_file, strlen(k->key_file)) != (ssize_t)strlen(k->key_file)) {
        cli_error("cannot stage the key: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        rc = CLI_USAGE;
        goto out;
    }
    close(fd);
    rc = cli_load_key(tmp, passphrase_file, false, &h->key);
    unlink(tmp);
out:
    mc_store_list_clear(&keys);
    return rc;
}

int home_open(struct home *h, const char *db_flag, bool need_key, const char *passphrase_file)
{
    struct admin a;
    int rc;

    memset(h, 0, sizeof(*h));
    /* the settings, the store and the organisation are opened as every
     * data-directory command opens them; then the issuer and its key */
    rc = admin_open(&a, db_flag);
    if (rc)
        return rc;
    h->conf = a.conf;
    h->st = a.st;
    h->org = a.org;
    rc = admin_issuer(&a, &h->issuer);
    if (rc)
        goto fail;
    rc = load_key(h, need_key, passphrase_file);
    if (!rc)
        rc = cli_contexts_open(h->conf.contexts_dir, &h->ctx);
    if (rc)
        goto fail;
    h->is.st = h->st;
    h->is.org = h->org;
    h->is.issuer = &h->issuer;
    h->is.key = &h->key;
    h->is.vm_id = h->vm_id;
    h->is.public_url = h->conf.public_url;
    h->is.contexts = h->ctx.store;
    h->is.cache = h->ctx.cache;
    h->is.actor = "cli";
    h->is.suspension = mc_issue_suspension(h->st, h->org);
    return CLI_OK;
fail:
    home_close(h);
    return CLI_USAGE;
}

void home_close(struct home *h)
{
    cli_contexts_close(&h->ctx);
    mc_key_clear(&h->key);
    mc_issuer_release(&h->issuer);
    mc_store_close(h->st);
    home_release(&h->conf);
    memset(h, 0, sizeof(*h));
}
