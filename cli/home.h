/* home.h - the data directory of `mcred` (MCRED_HOME, default ./mcred-data):
 * its config file mcred.conf, the store it names, and the issuer and signing
 * key of the organisation. Settings come from flags, then the environment,
 * then the config file, then defaults.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MCRED_CLI_HOME_H
#define MCRED_CLI_HOME_H

#include "internal.h"

#include "cli.h"
#include "crypto/did.h"
#include "crypto/keys.h"
#include "service/issue.h"
#include "store/store.h"

#define HOME_DEFAULT "./mcred-data"
#define HOME_CONF "mcred.conf"
#define HOME_PUBLIC_URL_DEFAULT "http://127.0.0.1:8080"

/* Settings: each NULL when unset. Strings owned by the struct. */
struct home_conf {
    char *dir;          /* the data directory */
    char *db;           /* store DSN: sqlite:PATH or postgres://... */
    char *org;          /* organisation name */
    char *public_url;   /* base URL of credential ids and status lists */
    char *contexts_dir; /* pinned contexts beyond the embedded ones */
    char *issuer_id;    /* the issuer row id, as text */
    /* `mcred serve` settings (flags and MCRED_* variables override them) */
    char *listen;       /* HOST:PORT */
    char *access_log;   /* file or - */
    char *rate, *burst; /* per-client requests per second, and burst */
    char *max_body;     /* bytes */
    char *timeout;      /* seconds */
};

/* Read MCRED_HOME (or dir when given) and its mcred.conf; apply MCRED_DB and
 * MCRED_PUBLIC_URL over the file, and db/public_url flags (may be NULL) over
 * those. A missing config file is fine when must_exist is false. Prints
 * errors; returns 0 or CLI_USAGE. */
int home_load(struct home_conf *c, const char *dir, const char *db_flag, const char *url_flag,
              bool must_exist);
/* Write c to dir/mcred.conf (atomically: a temporary file renamed). */
int home_save(const struct home_conf *c);
void home_release(struct home_conf *c);

/* Everything an issuing command needs, opened from the data directory. */
struct home {
    struct home_conf conf;
    struct mc_store *st;
    int64_t org;
    struct mc_issuer issuer;
    struct mc_key key;               /* with the secret when opened for signing */
    char vm_id[MC_DID_MAX];
    struct cli_contexts ctx;
    struct mc_issuing is;            /* ready for lib/service/issue.h */
};

/* Open the data directory, the store, the organisation and its issuer; with
 * need_key, also decrypt the current signing key (passphrase_file may be
 * NULL: MCRED_KEY_FILE, MCRED_PASSPHRASE or the terminal). Prints errors;
 * returns 0, or CLI_USAGE (nothing to close then). */
int home_open(struct home *h, const char *db_flag, bool need_key, const char *passphrase_file);
void home_close(struct home *h);

#endif /* MCRED_CLI_HOME_H */
