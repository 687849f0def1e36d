/* admin.h - what the data-directory commands (user, learner, token,
 * achievement, credential list/show/export, key rotate) share: opening the
 * store and organisation named by MCRED_HOME, mapping store errors to exit
 * codes, and printing rows as text or JSON.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MCRED_CLI_ADMIN_H
#define MCRED_CLI_ADMIN_H

#include "internal.h"

#include <time.h>

#include "cli.h"
#include "home.h"
#include "store/store.h"
#include "util/json.h"

/* The store and organisation of the data directory. */
struct admin {
    struct home_conf conf;    /* mcred.conf with flags and environment applied */
    struct mc_store *st;      /* owned */
    int64_t org;              /* the configured organisation */
};

/* Open MCRED_HOME's settings (db_flag: --db, may be NULL), its store and its
 * organisation. Prints errors; returns 0, or CLI_USAGE with nothing to close. */
int admin_open(struct admin *a, const char *db_flag);
void admin_close(struct admin *a);    /* accepts a zeroed struct */
/* Read the issuer mcred.conf names into out (release with mc_issuer_release).
 * Prints errors; returns 0 or CLI_USAGE. */
int admin_issuer(struct admin *a, struct mc_issuer *out);

/* Append an audit entry (actor "cli", now) for what this command did. */
MC_NODISCARD mcred_rc admin_audit(struct mc_store *st, int64_t org, const char *action,
                                  const char *subject, const char *detail, struct mc_err *err);

/* Print "mcred: error: <what>: <store detail>" and return the exit code of
 * the failure in err: CLI_FAILED when the input was refused (INVALID,
 * CONFLICT, NOTFOUND, LIMIT), CLI_USAGE otherwise (the store or the system
 * failed). */
int admin_store_error(const struct mc_err *err, const char *fmt, ...) MC_PRINTF(2, 3);

/* Parse a row id (1 .. INT64_MAX, decimal). False when s is anything else. */
bool admin_parse_id(const char *s, int64_t *out);
/* Parse a --name option holding a count within [min, max]; NULL keeps *out.
 * Prints the error; returns 0 or CLI_USAGE. */
int admin_parse_count(const char *name, const char *s, size_t min, size_t max, size_t *out);

/* Helpers building cJSON objects; false on allocation failure. A NULL string
 * and a time 0 become JSON null. */
bool admin_json_str(cJSON *o, const char *name, const char *s);
bool admin_json_int(cJSON *o, const char *name, int64_t v);
bool admin_json_time(cJSON *o, const char *name, time_t t);
/* Print v (borrowed) as indented JSON and a newline on stdout. Returns 0 or
 * CLI_USAGE (printed). */
int admin_print_json(const cJSON *v);
/* Format t as RFC 3339 ("-" for 0) into buf. */
const char *admin_time(time_t t, char buf[32]);

#endif /* MCRED_CLI_ADMIN_H */
