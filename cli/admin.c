/* admin.c - shared helpers of the data-directory commands: the store and
 * organisation of MCRED_HOME, store errors as exit codes, JSON output.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "jsonld/jcs.h"
#include "util/buf.h"
#include "util/time.h"

int admin_open(struct admin *a, const char *db_flag)
{
    struct mc_org org;
    struct mc_err err;
    int rc;

    memset(a, 0, sizeof(*a));
    rc = home_load(&a->conf, NULL, db_flag, NULL, true);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_store_open(&a->st, a->conf.db, &err)) {
        cli_error("cannot open the store '%s': %s", a->conf.db, mc_err_msg(&err));
        goto fail;
    }
    memset(&org, 0, sizeof(org));
    if (!a->conf.org) {
        cli_error("'%s/%s' names no organisation (run `mcred init`)", a->conf.dir, HOME_CONF);
        goto fail;
    }
    if (mc_store_org_find(a->st, a->conf.org, &org, &err)) {
        if (err.rc == MCRED_ERR_NOTFOUND)
            cli_error("organisation '%s' not found in the store '%s' (run `mcred init`)",
                      a->conf.org, a->conf.db);
        else
            cli_error("organisation '%s': %s", a->conf.org, mc_err_msg(&err));
        goto fail;
    }
    a->org = org.id;
    mc_org_release(&org);
    return CLI_OK;
fail:
    admin_close(a);
    return CLI_USAGE;
}

void admin_close(struct admin *a)
{
    mc_store_close(a->st);
    home_release(&a->conf);
    memset(a, 0, sizeof(*a));
}

int admin_issuer(struct admin *a, struct mc_issuer *out)
{
    struct mc_err err;
    int64_t id;

    memset(out, 0, sizeof(*out));
    if (!a->conf.issuer_id || !admin_parse_id(a->conf.issuer_id, &id)) {
        cli_error("'%s/%s' names no issuer (run `mcred init`)", a->conf.dir, HOME_CONF);
        return CLI_USAGE;
    }
    mc_err_clear(&err);
    if (mc_store_issuer_get(a->st, a->org, id, out, &err)) {
        cli_error("issuer %lld: %s", (long long)id, mc_err_msg(&err));
        return CLI_USAGE;
    }
    return CLI_OK;
}

mcred_rc admin_audit(struct mc_store *st, int64_t org, const char *action,
                     const char *subject, const char *detail, struct mc_err *err)
{
    struct mc_audit au;

    /* the row's strings are not const, but audit_add only reads them */
    memset(&au, 0, sizeof(au));
    au.org_id = org;
    au.at = time(NULL);
    au.actor = (char *)(uintptr_t)"cli";
    au.action = (char *)(uintptr_t)action;
    au.subject = (char *)(uintptr_t)subject;
    au.detail = (char *)(uintptr_t)detail;
    return mc_store_audit_add(st, &au, err);
}

int admin_store_error(const struct mc_err *err, const char *fmt, ...)
{
    va_list ap;

    fputs("mcred: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", mc_err_msg(err));
    switch (err->rc) {
    case MCRED_ERR_INVALID:
    case MCRED_ERR_CONFLICT:
    case MCRED_ERR_NOTFOUND:
    case MCRED_ERR_LIMIT:
        return CLI_FAILED;
    default:
        return CLI_USAGE;
    }
}

bool admin_parse_id(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    *out = 0;
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0)
        return false;
    *out = (int64_t)v;
    return true;
}

int admin_parse_count(const char *name, const char *s, size_t min, size_t max, size_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (!s)
        return CLI_OK;
    errno = 0;
    v = (*s >= '0' && *s <= '9') ? strtoull(s, &end, 10) : 0;
    if (!end || errno || *end || v < min || v > max) {
        cli_error("--%s '%s': expected a whole number from %zu to %zu", name, s, min, max);
        return CLI_USAGE;
    }
    *out = (size_t)v;
    return CLI_OK;
}

bool admin_json_str(cJSON *o, const char *name, const char *s)
{
    return s ? cJSON_AddStringToObject(o, name, s) != NULL
             : cJSON_AddNullToObject(o, name) != NULL;
}

bool admin_json_int(cJSON *o, const char *name, int64_t v)
{
    return cJSON_AddNumberToObject(o, name, (double)v) != NULL;
}

bool admin_json_time(cJSON *o, const char *name, time_t t)
{
    char buf[32];

    if (!t)
        return cJSON_AddNullToObject(o, name) != NULL;
    mc_time_format(t, buf);
    return cJSON_AddStringToObject(o, name, buf) != NULL;
}

int admin_print_json(const cJSON *v)
{
    struct mc_buf b;
    struct mc_err err;
    int rc = CLI_OK;

    mc_buf_init(&b, 0);
    mc_err_clear(&err);
    if (!v || mc_json_stringify(v, 2, &b, &err)) {
        cli_error("cannot print JSON: %s", v ? mc_err_msg(&err) : "out of memory");
        rc = CLI_USAGE;
    } else {
        printf("%s\n", b.ptr);
    }
    mc_buf_release(&b);
    return rc;
}

const char *admin_time(time_t t, char buf[32])
{
    if (t)
        mc_time_format(t, buf);
    else
        mc_strlcpy(buf, "-", 32);
    return buf;
}
