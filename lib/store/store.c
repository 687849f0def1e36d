/* store.c - the front of the platform store: mc_store_open picks a backend by
 * DSN, and one thin mc_store_<op>() wrapper per op checks arguments the same
 * way for both backends, keeps the transaction state and calls st->ops. Also
 * the row release functions, list helpers and enum names.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store_int.h"
#include "util/json.h"

/* --- backends and opening ---------------------------------------------------- */

static const struct mc_store_ops *const backends[] = {
    &mc_store_sqlite_ops,
    &mc_store_pg_ops,
};

const struct mc_store_ops *mc_store_backend(const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    }
    return NULL;
}

const struct mc_store_ops *mc_store_ops(const struct mc_store *st)
{
    return st ? st->ops : NULL;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Split dsn into a backend and the string that backend opens. */
static const struct mc_store_ops *pick_backend(const char *dsn, const char **arg)
{
    *arg = dsn;
    if (has_prefix(dsn, "postgresql://") || has_prefix(dsn, "postgres://"))
        return &mc_store_pg_ops;
    /* a keyword DSN ("host=... dbname=...") after "pg:", "postgres:" or "postgresql:" */
    if (has_prefix(dsn, "pg:") || has_prefix(dsn, "postgres:") ||
        has_prefix(dsn, "postgresql:")) {
        *arg = strchr(dsn, ':') + 1;
        return &mc_store_pg_ops;
    }
    if (has_prefix(dsn, "sqlite:"))
        *arg = dsn + 7;
    return &mc_store_sqlite_ops;
}

mcred_rc mc_store_open(struct mc_store **out, const char *dsn, struct mc_err *err)
{
    const struct mc_store_ops *ops;
    struct mc_store *st = NULL;
    const char *arg;
    mcred_rc rc;
    int version;

    if (out)
        *out = NULL;
    if (!out || !dsn)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: no dsn given");
    if (strnlen(dsn, MC_STORE_MAX_TEXT + 1) > MC_STORE_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_LIMIT, "store: dsn longer than %zu bytes",
                          MC_STORE_MAX_TEXT);
    ops = pick_backend(dsn, &arg);
    if (!arg[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "store: empty %s dsn", ops->name);
    rc = ops->open(&st, arg, err);
    if (rc)
        return rc;
    st->in_tx = false;
    st->doomed = false;
    rc = mc_store_migrate(st, &version, err);
    if (rc) {
        ops->close(st);
        return rc;
    }
    *out = st;
    return MCRED_OK;
}

void mc_store_close(struct mc_store *st)
{
    if (st)
        st->ops->close(st);
}

/* --- argument checks ---------------------------------------------------------- */

/* The handle is usable: not NULL, and not inside a doomed transaction. */
static mcred_rc ready(struct mc_store *st, struct mc_err *err)
{
    if (!st)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: handle is NULL");
    if (st->in_tx && st->doomed)
        return mc_err_set(err, MCRED_ERR_STORAGE,
                          "store: the transaction was aborted by an earlier error; roll it back");
    return MCRED_OK;
}

/* A string argument: NULL only when optional, not empty when required, at
 * most max bytes, valid UTF-8 (PostgreSQL refuses anything else, so SQLite
 * must too for one behaviour). */
static mcred_rc check_str(const char *s, bool required, size_t max, const char *what,
                          struct mc_err *err)
{
    size_t n;

    if (!s) {
        if (required)
            return mc_err_set(err, MCRED_ERR_INVALID, "store: %s is missing", what);
        return MCRED_OK;
    }
    n = strnlen(s, max + 1);
    if (required && n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s is empty", what);
    if (n > max)
        return mc_err_set(err, MCRED_ERR_LIMIT, "store: %s is longer than %zu bytes", what, max);
    if (!mc_utf8_valid(s, n))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s is not valid UTF-8", what);
    return MCRED_OK;
}

static mcred_rc req_text(const char *s, const char *what, struct mc_err *err)
{
    return check_str(s, true, MC_STORE_MAX_TEXT, what, err);
}

static mcred_rc opt_text(const char *s, const char *what, struct mc_err *err)
{
    return check_str(s, false, MC_STORE_MAX_TEXT, what, err);
}

static mcred_rc check_id(int64_t id, const char *what, struct mc_err *err)
{
    if (id <= 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s %lld is not a valid id", what,
                          (long long)id);
    return MCRED_OK;
}

static mcred_rc check_opt_id(int64_t id, const char *what, struct mc_err *err)
{
    if (id < 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s %lld is not a valid id", what,
                          (long long)id);
    return MCRED_OK;
}

static mcred_rc check_time(time_t t, const char *what, struct mc_err *err)
{
    if (t < 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s %lld is before 1970", what,
                          (long long)t);
    return MCRED_OK;
}

static mcred_rc check_page(size_t limit, const char *what, struct mc_err *err)
{
    if (limit == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s: limit is 0", what);
    if (limit > MC_STORE_PAGE_MAX)
        return mc_err_set(err, MCRED_ERR_LIMIT, "store: %s: limit %zu is above %zu", what,
                          limit, MC_STORE_PAGE_MAX);
    return MCRED_OK;
}

/* Give a bare code that a backend returned (NOTFOUND, CONFLICT, LIMIT: the
 * backends leave the wording here, so it is the same for both) its message. */
static mcred_rc explain(struct mc_err *err, mcred_rc rc, mcred_rc which, const char *fmt, ...)
    MC_PRINTF(4, 5);
static mcred_rc explain(struct mc_err *err, mcred_rc rc, mcred_rc which, const char *fmt, ...)
{
    va_list ap;

    if (rc != which || !err)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

static void list_zero(struct mc_store_list *out)
{
    if (out)
        memset(out, 0, sizeof(*out));
}

static mcred_rc need(const void *p, const char *what, struct mc_err *err)
{
    if (p)
        return MCRED_OK;
    mc_err_set(err, MCRED_ERR_INVALID, "store: %s is NULL", what);
    return MCRED_ERR_INVALID;
}

/* --- schema and transactions --------------------------------------------------- */

mcred_rc mc_store_migrate(struct mc_store *st, int *version, struct mc_err *err)
{
    mcred_rc rc;

    if (version)
        *version = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(version, "version", err);
    if (rc)
        return rc;
    if (st->in_tx)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: cannot migrate inside a transaction");
    return st->ops->migrate(st, version, err);
}

mcred_rc mc_store_begin(struct mc_store *st, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (rc)
        return rc;
    if (st->in_tx)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: a transaction is already open");
    rc = st->ops->begin(st, err);
    if (rc)
        return rc;
    st->in_tx = true;
    st->doomed = false;
    return MCRED_OK;
}

mcred_rc mc_store_commit(struct mc_store *st, struct mc_err *err)
{
    mcred_rc rc;

    if (!st)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: handle is NULL");
    if (!st->in_tx)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: commit without a transaction");
    if (st->doomed) {
        (void)st->ops->rollback(st);
        st->in_tx = st->doomed = false;
        return mc_err_set(err, MCRED_ERR_STORAGE,
                          "store: the transaction was aborted by an earlier error "
                          "and has been rolled back");
    }
    rc = st->ops->commit(st, err);   /* rolls back itself on failure */
    st->in_tx = st->doomed = false;
    return rc;
}

mcred_rc mc_store_rollback(struct mc_store *st)
{
    mcred_rc rc;

    if (!st)
        return MCRED_ERR_INVALID;
    if (!st->in_tx)
        return MCRED_OK;
    rc = st->ops->rollback(st);
    st->in_tx = st->doomed = false;
    return rc;
}

bool mc_store_in_transaction(const struct mc_store *st)
{
    return st && st->in_tx;
}

/* --- organisations, users, tokens ------------------------------------------------ */

mcred_rc mc_store_org_create(struct mc_store *st, const char *name, int64_t *id,
                             struct mc_err *err)
{
    mcred_rc rc;

    if (id)
        *id = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(id, "id", err);
    if (!rc)
        rc = req_text(name, "organisation name", err);
    if (rc)
        return rc;
    return explain(err, st->ops->org_create(st, name, id, err), MCRED_ERR_CONFLICT,
                   "store: organisation '%s' already exists", name);
}

mcred_rc mc_store_org_get(struct mc_store *st, int64_t id, struct mc_org *out,
                          struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(id, "organisation", err);
    if (rc)
        return rc;
    return explain(err, st->ops->org_get(st, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: organisation %lld not found", (long long)id);
}

mcred_rc mc_store_org_find(struct mc_store *st, const char *name, struct mc_org *out,
                           struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(name, "organisation name", err);
    if (rc)
        return rc;
    return explain(err, st->ops->org_find(st, name, out, err), MCRED_ERR_NOTFOUND,
                   "store: organisation '%s' not found", name);
}

mcred_rc mc_store_user_add(struct mc_store *st, int64_t org, const char *email,
                           enum mc_role role, int64_t *id, struct mc_err *err)
{
    mcred_rc rc;

    if (id)
        *id = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(id, "id", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(email, "user e-mail", err);
    if (rc)
        return rc;
    if (!mc_role_name(role))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: unknown role %d", (int)role);
    return explain(err, st->ops->user_add(st, org, email, role, id, err), MCRED_ERR_CONFLICT,
                   "store: user '%s' already exists in organisation %lld", email,
                   (long long)org);
}

mcred_rc mc_store_user_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                            struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (rc)
        return rc;
    return st->ops->user_list(st, org, out, err);
}

mcred_rc mc_store_token_add(struct mc_store *st, int64_t org, int64_t user,
                            const char *token_hash, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(user, "user", err);
    if (!rc)
        rc = req_text(token_hash, "token hash", err);
    if (rc)
        return rc;
    return explain(err, st->ops->token_add(st, org, user, token_hash, err), MCRED_ERR_CONFLICT,
                   "store: that token hash is already stored");
}

mcred_rc mc_store_token_find(struct mc_store *st, const char *token_hash, struct mc_user *out,
                             struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(token_hash, "token hash", err);
    if (rc)
        return rc;
    return explain(err, st->ops->token_find(st, token_hash, out, err), MCRED_ERR_NOTFOUND,
                   "store: no such token");
}

/* --- issuers and keys -------------------------------------------------------------- */

mcred_rc mc_store_issuer_put(struct mc_store *st, struct mc_issuer *in_out, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "issuer", err);
    if (rc)
        return rc;
    rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_opt_id(in_out->id, "issuer", err);
    if (!rc)
        rc = req_text(in_out->name, "issuer name", err);
    if (!rc)
        rc = opt_text(in_out->url, "issuer url", err);
    if (!rc)
        rc = opt_text(in_out->email, "issuer e-mail", err);
    if (!rc)
        rc = check_str(in_out->image, false, MC_STORE_MAX_DOC, "issuer image", err);
    if (!rc)
        rc = opt_text(in_out->did, "issuer did", err);
    if (!rc)
        rc = check_time(in_out->created, "issuer created", err);
    if (rc)
        return rc;
    return explain(err, st->ops->issuer_put(st, in_out, err), MCRED_ERR_NOTFOUND,
                   "store: issuer %lld not found in organisation %lld", (long long)in_out->id,
                   (long long)in_out->org_id);
}

mcred_rc mc_store_issuer_get(struct mc_store *st, int64_t org, int64_t id,
                             struct mc_issuer *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "issuer", err);
    if (rc)
        return rc;
    return explain(err, st->ops->issuer_get(st, org, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: issuer %lld not found in organisation %lld", (long long)id,
                   (long long)org);
}

mcred_rc mc_store_key_add(struct mc_store *st, struct mc_issuer_key *in_out,
                          struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "issuer key", err);
    if (rc)
        return rc;
    rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->issuer_id, "issuer", err);
    if (!rc)
        rc = req_text(in_out->vm_id, "key vm_id", err);
    if (!rc)
        rc = req_text(in_out->public_multibase, "key public_multibase", err);
    if (!rc)
        rc = check_str(in_out->key_file, false, MC_STORE_MAX_DOC, "key file", err);
    if (!rc)
        rc = check_time(in_out->created, "key created", err);
    if (!rc)
        rc = check_time(in_out->retired, "key retired", err);
    if (rc)
        return rc;
    return explain(err, st->ops->key_add(st, in_out, err), MCRED_ERR_CONFLICT,
                   "store: key '%s' already exists in organisation %lld", in_out->vm_id,
                   (long long)in_out->org_id);
}

mcred_rc mc_store_key_list(struct mc_store *st, int64_t org, int64_t issuer,
                           struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(issuer, "issuer", err);
    if (rc)
        return rc;
    return st->ops->key_list(st, org, issuer, out, err);
}

mcred_rc mc_store_key_retire(struct mc_store *st, int64_t org, int64_t key_id, time_t when,
                             struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(key_id, "key", err);
    if (rc)
        return rc;
    if (when <= 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: key %lld: retirement time %lld",
                          (long long)key_id, (long long)when);
    rc = explain(err, st->ops->key_retire(st, org, key_id, when, err), MCRED_ERR_NOTFOUND,
                 "store: key %lld not found in organisation %lld", (long long)key_id,
                 (long long)org);
    return explain(err, rc, MCRED_ERR_CONFLICT, "store: key %lld is already retired",
                   (long long)key_id);
}

/* --- achievements and learners ------------------------------------------------------ */

mcred_rc mc_store_achievement_put(struct mc_store *st, struct mc_achievement *in_out,
                                  struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "achievement", err);
    if (rc)
        return rc;
    rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = req_text(in_out->uri, "achievement uri", err);
    if (!rc)
        rc = check_str(in_out->json, true, MC_STORE_MAX_DOC, "achievement json", err);
    if (!rc)
        rc = check_time(in_out->created, "achievement created", err);
    if (rc)
        return rc;
    return explain(err, st->ops->achievement_put(st, in_out, err), MCRED_ERR_CONFLICT,
                   "store: achievement '%s' got a new version concurrently; retry",
                   in_out->uri);
}

mcred_rc mc_store_achievement_get(struct mc_store *st, int64_t org, int64_t id,
                                  const char *uri, struct mc_achievement *out,
                                  struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_opt_id(id, "achievement", err);
    if (!rc && id == 0)
        rc = req_text(uri, "achievement uri", err);
    if (rc)
        return rc;
    rc = st->ops->achievement_get(st, org, id, id ? NULL : uri, out, err);
    if (id)
        return explain(err, rc, MCRED_ERR_NOTFOUND,
                       "store: achievement %lld not found in organisation %lld",
                       (long long)id, (long long)org);
    return explain(err, rc, MCRED_ERR_NOTFOUND,
                   "store: achievement '%s' not found in organisation %lld", uri,
                   (long long)org);
}

mcred_rc mc_store_achievement_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                   struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (rc)
        return rc;
    return st->ops->achievement_list(st, org, out, err);
}

mcred_rc mc_store_learner_put(struct mc_store *st, struct mc_learner *in_out,
                              struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "learner", err);
    if (rc)
        return rc;
    rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_opt_id(in_out->id, "learner", err);
    if (!rc)
        rc = req_text(in_out->name, "learner name", err);
    if (!rc)
        rc = opt_text(in_out->email, "learner e-mail", err);
    if (!rc)
        rc = opt_text(in_out->did, "learner did", err);
    if (!rc)
        rc = check_time(in_out->created, "learner created", err);
    if (rc)
        return rc;
    rc = explain(err, st->ops->learner_put(st, in_out, err), MCRED_ERR_NOTFOUND,
                 "store: learner %lld not found in organisation %lld", (long long)in_out->id,
                 (long long)in_out->org_id);
    return explain(err, rc, MCRED_ERR_CONFLICT,
                   "store: learner e-mail or did already in use in organisation %lld",
                   (long long)in_out->org_id);
}

mcred_rc mc_store_learner_get(struct mc_store *st, int64_t org, int64_t id,
                              const char *email_or_did, struct mc_learner *out,
                              struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_opt_id(id, "learner", err);
    if (!rc && id == 0)
        rc = req_text(email_or_did, "learner e-mail or did", err);
    if (rc)
        return rc;
    rc = st->ops->learner_get(st, org, id, id ? NULL : email_or_did, out, err);
    if (id)
        return explain(err, rc, MCRED_ERR_NOTFOUND,
                       "store: learner %lld not found in organisation %lld", (long long)id,
                       (long long)org);
    return explain(err, rc, MCRED_ERR_NOTFOUND,
                   "store: no learner '%s' in organisation %lld", email_or_did,
                   (long long)org);
}

mcred_rc mc_store_learner_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                               struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (rc)
        return rc;
    return st->ops->learner_list(st, org, out, err);
}

/* --- status lists --------------------------------------------------------------------- */

mcred_rc mc_store_status_list_create(struct mc_store *st, struct mc_status_list *in_out,
                                     struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "status list", err);
    if (rc)
        return rc;
    rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->issuer_id, "issuer", err);
    if (!rc)
        rc = req_text(in_out->url, "status list url", err);
    if (!rc)
        rc = check_str(in_out->doc, false, MC_STORE_MAX_DOC, "status list doc", err);
    if (!rc)
        rc = check_time(in_out->updated, "status list updated", err);
    if (rc)
        return rc;
    if (!mc_store_purpose_ok(in_out->purpose))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "store: no status lists of purpose %d (only revocation, suspension)",
                          (int)in_out->purpose);
    if (in_out->size < MC_STORE_STATUS_MIN_SIZE || in_out->size > MC_STORE_STATUS_MAX_SIZE)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "store: status list size %lld is outside %lld..%lld",
                          (long long)in_out->size, (long long)MC_STORE_STATUS_MIN_SIZE,
                          (long long)MC_STORE_STATUS_MAX_SIZE);
    return explain(err, st->ops->status_list_create(st, in_out, err), MCRED_ERR_CONFLICT,
                   "store: status list '%s' already exists in organisation %lld",
                   in_out->url, (long long)in_out->org_id);
}

mcred_rc mc_store_status_list_get(struct mc_store *st, int64_t org, int64_t id,
                                  struct mc_status_list *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "status list", err);
    if (rc)
        return rc;
    return explain(err, st->ops->status_list_get(st, org, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: status list %lld not found in organisation %lld", (long long)id,
                   (long long)org);
}

mcred_rc mc_store_status_list_current(struct mc_store *st, int64_t org, int64_t issuer,
                                      enum mc_status_purpose purpose, struct mc_status_list *out,
                                      struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(issuer, "issuer", err);
    if (rc)
        return rc;
    if (!mc_store_purpose_ok(purpose))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "store: no status lists of purpose %d (only revocation, suspension)",
                          (int)purpose);
    return explain(err, st->ops->status_list_current(st, org, issuer, purpose, out, err),
                   MCRED_ERR_NOTFOUND, "store: issuer %lld has no %s status list with room",
                   (long long)issuer, mc_status_purpose_name(purpose));
}

mcred_rc mc_store_status_list_find(struct mc_store *st, int64_t org, const char *url,
                                   struct mc_status_list *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(url, "status list url", err);
    if (rc)
        return rc;
    if (st->ops->version < 2 || !st->ops->status_list_find)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no status_list_find",
                          st->ops->name);
    return explain(err, st->ops->status_list_find(st, org, url, out, err), MCRED_ERR_NOTFOUND,
                   "store: no status list '%s' in organisation %lld", url, (long long)org);
}

mcred_rc mc_store_status_list_all(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                  struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (rc)
        return rc;
    if (st->ops->version < 2 || !st->ops->status_list_all)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no status_list_all",
                          st->ops->name);
    return st->ops->status_list_all(st, org, out, err);
}

mcred_rc mc_store_status_alloc(struct mc_store *st, int64_t org, int64_t id, int64_t n,
                               int64_t *first, struct mc_err *err)
{
    mcred_rc rc;

    if (first)
        *first = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(first, "first", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "status list", err);
    if (rc)
        return rc;
    if (n < 1 || n > MC_STORE_STATUS_MAX_SIZE)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: status list %lld: cannot allocate "
                          "%lld indexes", (long long)id, (long long)n);
    rc = explain(err, st->ops->status_alloc(st, org, id, n, first, err), MCRED_ERR_NOTFOUND,
                 "store: status list %lld not found in organisation %lld", (long long)id,
                 (long long)org);
    return explain(err, rc, MCRED_ERR_LIMIT,
                   "store: status list %lld has fewer than %lld indexes left",
                   (long long)id, (long long)n);
}

mcred_rc mc_store_status_list_set_doc(struct mc_store *st, int64_t org, int64_t id,
                                      const char *doc, time_t updated, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "status list", err);
    if (!rc)
        rc = check_str(doc, true, MC_STORE_MAX_DOC, "status list doc", err);
    if (!rc)
        rc = check_time(updated, "status list updated", err);
    if (rc)
        return rc;
    return explain(err, st->ops->status_list_set_doc(st, org, id, doc, updated, err),
                   MCRED_ERR_NOTFOUND, "store: status list %lld not found in organisation %lld",
                   (long long)id, (long long)org);
}

mcred_rc mc_store_status_set_bits(struct mc_store *st, int64_t org, int64_t id,
                                  int64_t **indexes, size_t *n, struct mc_err *err)
{
    mcred_rc rc;

    if (indexes)
        *indexes = NULL;
    if (n)
        *n = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(indexes, "indexes", err);
    if (!rc)
        rc = need(n, "n", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "status list", err);
    if (rc)
        return rc;
    return explain(err, st->ops->status_set_bits(st, org, id, indexes, n, err),
                   MCRED_ERR_NOTFOUND, "store: status list %lld not found in organisation %lld",
                   (long long)id, (long long)org);
}

/* --- credentials ------------------------------------------------------------------------ */

static mcred_rc check_status_ref(int64_t list, int64_t index, const char *what,
                                 struct mc_err *err)
{
    if (list < 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s status list %lld", what,
                          (long long)list);
    if (list > 0 && (index < 0 || index >= MC_STORE_STATUS_MAX_SIZE))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s status index %lld", what,
                          (long long)index);
    return MCRED_OK;
}

static mcred_rc check_cred(const struct mc_credential *c, struct mc_err *err)
{
    mcred_rc rc = req_text(c->id, "credential id", err);

    if (!rc)
        rc = check_id(c->org_id, "organisation", err);
    if (!rc)
        rc = check_id(c->issuer_id, "issuer", err);
    if (!rc)
        rc = check_id(c->achievement_id, "achievement", err);
    if (!rc)
        rc = check_opt_id(c->learner_id, "learner", err);
    if (!rc)
        rc = opt_text(c->idem_key, "idempotency key", err);
    if (!rc)
        rc = req_text(c->recipient, "recipient", err);
    if (!rc)
        rc = opt_text(c->reason, "reason", err);
    if (!rc)
        rc = check_status_ref(c->status_list_rev, c->status_index_rev, "revocation", err);
    if (!rc)
        rc = check_status_ref(c->status_list_sus, c->status_index_sus, "suspension", err);
    if (!rc)
        rc = check_time(c->valid_until, "valid_until", err);
    if (!rc)
        rc = check_str(c->doc, true, MC_STORE_MAX_DOC, "credential doc", err);
    if (rc)
        return rc;
    if (c->issued <= 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: credential '%s': issued %lld", c->id,
                          (long long)c->issued);
    if (!mc_cred_state_name(c->state))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: credential '%s': unknown state %d",
                          c->id, (int)c->state);
    return MCRED_OK;
}

mcred_rc mc_store_cred_put(struct mc_store *st, const struct mc_credential *c,
                           char **existing_id, struct mc_err *err)
{
    mcred_rc rc;

    if (existing_id)
        *existing_id = NULL;
    rc = ready(st, err);
    if (!rc)
        rc = need(c, "credential", err);
    if (!rc)
        rc = check_cred(c, err);
    if (rc)
        return rc;
    rc = st->ops->cred_put(st, c, existing_id, err);
    return explain(err, rc, MCRED_ERR_CONFLICT,
                   "store: credential '%s': its id, idempotency key or a status index is "
                   "taken%s%s", c->id, existing_id && *existing_id ? " by " : "",
                   existing_id && *existing_id ? *existing_id : "");
}

void mc_store_cred_params(const struct mc_credential *c, struct mc_param p[MC_CRED_PARAMS])
{
    p[0] = mc_p_text(c->id);
    p[1] = mc_p_i64(c->org_id);
    p[2] = mc_p_i64(c->issuer_id);
    p[3] = mc_p_i64(c->achievement_id);
    p[4] = mc_p_opt(c->learner_id);
    p[5] = mc_p_text(c->idem_key);
    p[6] = mc_p_text(c->recipient);
    p[7] = mc_p_text(mc_cred_state_name(c->state));
    p[8] = mc_p_text(c->reason);
    p[9] = mc_p_opt(c->status_list_rev);
    p[10] = c->status_list_rev ? mc_p_i64(c->status_index_rev) : mc_p_text(NULL);
    p[11] = mc_p_opt(c->status_list_sus);
    p[12] = c->status_list_sus ? mc_p_i64(c->status_index_sus) : mc_p_text(NULL);
    p[13] = mc_p_i64(c->issued);
    p[14] = mc_p_opt(c->valid_until);
    p[15] = mc_p_text(c->doc);
}

mcred_rc mc_store_cred_put_loop(struct mc_store *st, const struct mc_credential *cs, size_t n,
                                mcred_rc *results, char **existing_ids, struct mc_err *err)
{
    size_t i;
    mcred_rc rc;

    for (i = 0; i < n; i++) {
        rc = st->ops->cred_put(st, &cs[i], existing_ids ? &existing_ids[i] : NULL, err);
        if (rc && rc != MCRED_ERR_CONFLICT)
            return rc;
        results[i] = rc;
    }
    return MCRED_OK;
}

/* Undo the outputs of a failed cred_put_many. */
static mcred_rc put_many_fail(mcred_rc rc, size_t n, mcred_rc *results, char **existing_ids)
{
    size_t i;

    for (i = 0; i < n; i++) {
        results[i] = rc;
        if (existing_ids) {
            mc_free(existing_ids[i]);
            existing_ids[i] = NULL;
        }
    }
    return rc;
}

mcred_rc mc_store_cred_put_many(struct mc_store *st, const struct mc_credential *cs, size_t n,
                                mcred_rc *results, char **existing_ids, size_t *conflicts,
                                struct mc_err *err)
{
    char msg[MC_ERRMSG_MAX];
    bool own_tx;
    size_t i;
    mcred_rc rc;

    if (conflicts)
        *conflicts = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(cs, "credentials", err);
    if (!rc)
        rc = need(results, "results", err);
    if (!rc)
        rc = need(conflicts, "conflicts", err);
    if (!rc && (n == 0 || n > MC_STORE_BATCH_MAX))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: cred_put_many: %zu rows (1..%zu)", n,
                        MC_STORE_BATCH_MAX);
    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        results[i] = MCRED_OK;
        if (existing_ids)
            existing_ids[i] = NULL;
    }
    for (i = 0; i < n; i++) {
        rc = check_cred(&cs[i], err);
        if (rc) {
            (void)snprintf(msg, sizeof(msg), "%s", mc_err_msg(err));
            mc_err_set(err, rc, "%s (row %zu)", msg, i);
            return put_many_fail(rc, n, results, existing_ids);
        }
    }
    own_tx = !st->in_tx;
    if (own_tx) {
        rc = mc_store_begin(st, err);
        if (rc)
            return put_many_fail(rc, n, results, existing_ids);
    }
    if (st->ops->version >= 2 && st->ops->cred_put_many)
        rc = st->ops->cred_put_many(st, cs, n, results, existing_ids, err);
    else
        rc = mc_store_cred_put_loop(st, cs, n, results, existing_ids, err);
    if (!rc && own_tx)
        rc = mc_store_commit(st, err);
    if (rc) {
        if (own_tx)
            (void)mc_store_rollback(st);
        return put_many_fail(rc, n, results, existing_ids);
    }
    for (i = 0; i < n; i++)
        *conflicts += results[i] == MCRED_ERR_CONFLICT;
    return MCRED_OK;
}

mcred_rc mc_store_cred_get(struct mc_store *st, int64_t org, const char *id,
                           struct mc_credential *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(id, "credential id", err);
    if (rc)
        return rc;
    return explain(err, st->ops->cred_get(st, org, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: credential '%s' not found in organisation %lld", id,
                   (long long)org);
}

mcred_rc mc_store_cred_find_idem(struct mc_store *st, int64_t org, const char *idem_key,
                                 struct mc_credential *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(idem_key, "idempotency key", err);
    if (rc)
        return rc;
    return explain(err, st->ops->cred_find_idem(st, org, idem_key, out, err),
                   MCRED_ERR_NOTFOUND,
                   "store: no credential with idempotency key '%s' in organisation %lld",
                   idem_key, (long long)org);
}

mcred_rc mc_store_cred_set_state(struct mc_store *st, int64_t org, const char *id,
                                 enum mc_cred_state state, const char *reason,
                                 struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(id, "credential id", err);
    if (!rc)
        rc = opt_text(reason, "reason", err);
    if (rc)
        return rc;
    if (!mc_cred_state_name(state))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: credential '%s': unknown state %d",
                          id, (int)state);
    rc = explain(err, st->ops->cred_set_state(st, org, id, state, reason, err),
                 MCRED_ERR_NOTFOUND, "store: credential '%s' not found in organisation %lld",
                 id, (long long)org);
    return explain(err, rc, MCRED_ERR_CONFLICT,
                   "store: credential '%s' is revoked, and revocation is final", id);
}

mcred_rc mc_store_cred_list(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                            struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_page(limit, "cred_list", err);
    if (rc)
        return rc;
    if (offset > (size_t)INT64_MAX)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: cred_list: offset %zu", offset);
    return st->ops->cred_list(st, org, offset, limit, out, err);
}

mcred_rc mc_store_cred_count(struct mc_store *st, int64_t org, int64_t *n, struct mc_err *err)
{
    mcred_rc rc;

    if (n)
        *n = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(n, "n", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (rc)
        return rc;
    return st->ops->cred_count(st, org, n, err);
}

/* --- audit ------------------------------------------------------------------------------ */

mcred_rc mc_store_audit_add(struct mc_store *st, const struct mc_audit *a, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(a, "audit entry", err);
    if (rc)
        return rc;
    rc = check_id(a->org_id, "organisation", err);
    if (!rc)
        rc = req_text(a->actor, "audit actor", err);
    if (!rc)
        rc = req_text(a->action, "audit action", err);
    if (!rc)
        rc = opt_text(a->subject, "audit subject", err);
    if (!rc)
        rc = check_str(a->detail, false, MC_STORE_MAX_DOC, "audit detail", err);
    if (!rc)
        rc = check_time(a->at, "audit time", err);
    if (rc)
        return rc;
    return st->ops->audit_add(st, a, err);
}

mcred_rc mc_store_audit_list(struct mc_store *st, int64_t org, size_t limit,
                             struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_page(limit, "audit_list", err);
    if (rc)
        return rc;
    return st->ops->audit_list(st, org, limit, out, err);
}

/* --- rows and lists ----------------------------------------------------------------------- */

void mc_org_release(struct mc_org *r)
{
    if (!r)
        return;
    mc_free(r->name);
    memset(r, 0, sizeof(*r));
}

void mc_user_release(struct mc_user *r)
{
    if (!r)
        return;
    mc_free(r->email);
    memset(r, 0, sizeof(*r));
}

void mc_issuer_release(struct mc_issuer *r)
{
    if (!r)
        return;
    mc_free(r->name);
    mc_free(r->url);
    mc_free(r->email);
    mc_free(r->image);
    mc_free(r->did);
    memset(r, 0, sizeof(*r));
}

void mc_issuer_key_release(struct mc_issuer_key *r)
{
    if (!r)
        return;
    mc_free(r->vm_id);
    mc_free(r->public_multibase);
    mc_free(r->key_file);
    memset(r, 0, sizeof(*r));
}

void mc_achievement_release(struct mc_achievement *r)
{
    if (!r)
        return;
    mc_free(r->uri);
    mc_free(r->json);
    memset(r, 0, sizeof(*r));
}

void mc_learner_release(struct mc_learner *r)
{
    if (!r)
        return;
    mc_free(r->name);
    mc_free(r->email);
    mc_free(r->did);
    memset(r, 0, sizeof(*r));
}

void mc_credential_release(struct mc_credential *r)
{
    if (!r)
        return;
    mc_free(r->id);
    mc_free(r->idem_key);
    mc_free(r->recipient);
    mc_free(r->reason);
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

void mc_status_list_release(struct mc_status_list *r)
{
    if (!r)
        return;
    mc_free(r->url);
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

void mc_audit_release(struct mc_audit *r)
{
    if (!r)
        return;
    mc_free(r->actor);
    mc_free(r->action);
    mc_free(r->subject);
    mc_free(r->detail);
    memset(r, 0, sizeof(*r));
}

static void org_release_v(void *r) { mc_org_release(r); }
static void user_release_v(void *r) { mc_user_release(r); }
static void issuer_release_v(void *r) { mc_issuer_release(r); }
static void key_release_v(void *r) { mc_issuer_key_release(r); }
static void achievement_release_v(void *r) { mc_achievement_release(r); }
static void learner_release_v(void *r) { mc_learner_release(r); }
static void cred_release_v(void *r) { mc_credential_release(r); }
static void status_list_release_v(void *r) { mc_status_list_release(r); }
static void audit_release_v(void *r) { mc_audit_release(r); }

void mc_store_list_free(struct mc_store_list *l, void (*release)(void *row), size_t row_size)
{
    size_t i;

    if (!l)
        return;
    if (!release)
        release = l->release_row;
    if (!row_size)
        row_size = l->row_size;
    if (release && row_size) {
        for (i = 0; i < l->n; i++)
            release((char *)l->rows + i * row_size);
    }
    mc_free(l->rows);
    memset(l, 0, sizeof(*l));
}

void mc_store_list_clear(struct mc_store_list *l)
{
    if (l)
        mc_store_list_free(l, l->release_row, l->row_size);
}

void mc_store_list_start(struct mc_store_list *l, const struct mc_row_type *t)
{
    memset(l, 0, sizeof(*l));
    l->row_size = t->size;
    l->release_row = t->release;
}

void *mc_store_list_add(struct mc_store_list *l, size_t *cap)
{
    char *row;

    if (l->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        void *p = mc_allocarray(ncap, l->row_size);

        if (!p)
            return NULL;
        if (l->n)
            memcpy(p, l->rows, l->n * l->row_size);
        mc_free(l->rows);
        l->rows = p;
        *cap = ncap;
    }
    row = (char *)l->rows + l->n * l->row_size;
    memset(row, 0, l->row_size);
    l->n++;
    return row;
}

mcred_rc mc_store_i64_push(int64_t **a, size_t *n, size_t *cap, int64_t v)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        int64_t *p = mc_allocarray(ncap, sizeof(*p));

        if (!p)
            return MCRED_ERR_NOMEM;
        if (*n)
            memcpy(p, *a, *n * sizeof(*p));
        mc_free(*a);
        *a = p;
        *cap = ncap;
    }
    (*a)[(*n)++] = v;
    return MCRED_OK;
}

/* --- reading rows (both backends) ------------------------------------------------------ */

/* A copy of a text column into *out (NULL for SQL NULL). */
static mcred_rc col_str(const struct mc_row *r, int col, char **out)
{
    const char *v = r->ops->text(r, col);

    *out = NULL;
    if (!v)
        return MCRED_OK;
    *out = mc_strdup(v);
    return *out ? MCRED_OK : MCRED_ERR_NOMEM;
}

static int64_t col_i64(const struct mc_row *r, int col)
{
    return r->ops->i64(r, col);
}

/* Copy the text columns cols[0..n) into the fields outs[0..n). */
static mcred_rc col_strs(const struct mc_row *r, const int *cols, char **const *outs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (col_str(r, cols[i], outs[i]))
            return MCRED_ERR_NOMEM;
    }
    return MCRED_OK;
}

static mcred_rc read_fail(mcred_rc rc, void *row, void (*release)(void *), const char *what,
                          struct mc_err *err)
{
    release(row);
    if (rc == MCRED_ERR_NOMEM)
        return mc_err_set(err, rc, "store: out of memory reading a %s", what);
    return rc;
}

static mcred_rc bad_value(struct mc_err *err, const char *column, const char *v)
{
    return mc_err_set(err, MCRED_ERR_STORAGE, "store: unexpected %s '%s' in the database",
                      column, v ? v : "NULL");
}

static mcred_rc read_org(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_org *o = row;

    o->id = col_i64(r, 0);
    o->created = (time_t)col_i64(r, 2);
    if (col_str(r, 1, &o->name))
        return read_fail(MCRED_ERR_NOMEM, o, org_release_v, "organisation", err);
    return MCRED_OK;
}

static mcred_rc read_user(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_user *u = row;
    const char *role = r->ops->text(r, 3);

    u->id = col_i64(r, 0);
    u->org_id = col_i64(r, 1);
    u->created = (time_t)col_i64(r, 4);
    if (mc_role_parse(role, &u->role))
        return bad_value(err, "role", role);
    if (col_str(r, 2, &u->email))
        return read_fail(MCRED_ERR_NOMEM, u, user_release_v, "user", err);
    return MCRED_OK;
}

static mcred_rc read_issuer(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_issuer *is = row;
    static const int cols[] = { 2, 3, 4, 5, 6 };
    char **const outs[] = { &is->name, &is->url, &is->email, &is->image, &is->did };

    is->id = col_i64(r, 0);
    is->org_id = col_i64(r, 1);
    is->created = (time_t)col_i64(r, 7);
    if (col_strs(r, cols, outs, 5))
        return read_fail(MCRED_ERR_NOMEM, is, issuer_release_v, "issuer", err);
    return MCRED_OK;
}

static mcred_rc read_key(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_issuer_key *k = row;
    static const int cols[] = { 3, 4, 5 };
    char **const outs[] = { &k->vm_id, &k->public_multibase, &k->key_file };

    k->id = col_i64(r, 0);
    k->org_id = col_i64(r, 1);
    k->issuer_id = col_i64(r, 2);
    k->created = (time_t)col_i64(r, 6);
    k->retired = (time_t)col_i64(r, 7);
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, k, key_release_v, "issuer key", err);
    return MCRED_OK;
}

static mcred_rc read_achievement(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_achievement *a = row;
    static const int cols[] = { 2, 4 };
    char **const outs[] = { &a->uri, &a->json };

    a->id = col_i64(r, 0);
    a->org_id = col_i64(r, 1);
    a->version = (int)col_i64(r, 3);
    a->created = (time_t)col_i64(r, 5);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, a, achievement_release_v, "achievement", err);
    return MCRED_OK;
}

static mcred_rc read_learner(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_learner *l = row;
    static const int cols[] = { 2, 3, 4 };
    char **const outs[] = { &l->name, &l->email, &l->did };

    l->id = col_i64(r, 0);
    l->org_id = col_i64(r, 1);
    l->created = (time_t)col_i64(r, 5);
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, l, learner_release_v, "learner", err);
    return MCRED_OK;
}

static mcred_rc read_cred(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_credential *c = row;
    static const int cols[] = { 0, 5, 6, 8, 15 };
    char **const outs[] = { &c->id, &c->idem_key, &c->recipient, &c->reason, &c->doc };
    const char *state = r->ops->text(r, 7);

    c->org_id = col_i64(r, 1);
    c->issuer_id = col_i64(r, 2);
    c->achievement_id = col_i64(r, 3);
    c->learner_id = col_i64(r, 4);
    c->status_list_rev = col_i64(r, 9);
    c->status_index_rev = col_i64(r, 10);
    c->status_list_sus = col_i64(r, 11);
    c->status_index_sus = col_i64(r, 12);
    c->issued = (time_t)col_i64(r, 13);
    c->valid_until = (time_t)col_i64(r, 14);
    if (mc_cred_state_parse(state, &c->state))
        return bad_value(err, "credential state", state);
    if (col_strs(r, cols, outs, 5))
        return read_fail(MCRED_ERR_NOMEM, c, cred_release_v, "credential", err);
    return MCRED_OK;
}

static mcred_rc read_status_list(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_status_list *sl = row;
    static const int cols[] = { 4, 7 };
    char **const outs[] = { &sl->url, &sl->doc };
    const char *purpose = r->ops->text(r, 3);

    sl->id = col_i64(r, 0);
    sl->org_id = col_i64(r, 1);
    sl->issuer_id = col_i64(r, 2);
    sl->size = col_i64(r, 5);
    sl->next_index = col_i64(r, 6);
    sl->updated = (time_t)col_i64(r, 8);
    if (mc_store_purpose_parse(purpose, &sl->purpose))
        return bad_value(err, "status purpose", purpose);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, sl, status_list_release_v, "status list", err);
    return MCRED_OK;
}

static mcred_rc read_audit(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_audit *a = row;
    static const int cols[] = { 3, 4, 5, 6 };
    char **const outs[] = { &a->actor, &a->action, &a->subject, &a->detail };

    a->id = col_i64(r, 0);
    a->org_id = col_i64(r, 1);
    a->at = (time_t)col_i64(r, 2);
    if (col_strs(r, cols, outs, 4))
        return read_fail(MCRED_ERR_NOMEM, a, audit_release_v, "audit entry", err);
    return MCRED_OK;
}

#define ROW_TYPE(var, label, type, rel, rd) \
    const struct mc_row_type var = { label, sizeof(type), rel, rd }
ROW_TYPE(mc_row_org, "organisation", struct mc_org, org_release_v, read_org);
ROW_TYPE(mc_row_user, "user", struct mc_user, user_release_v, read_user);
ROW_TYPE(mc_row_issuer, "issuer", struct mc_issuer, issuer_release_v, read_issuer);
ROW_TYPE(mc_row_key, "issuer key", struct mc_issuer_key, key_release_v, read_key);
ROW_TYPE(mc_row_achievement, "achievement", struct mc_achievement, achievement_release_v,
         read_achievement);
ROW_TYPE(mc_row_learner, "learner", struct mc_learner, learner_release_v, read_learner);
ROW_TYPE(mc_row_cred, "credential", struct mc_credential, cred_release_v, read_cred);
ROW_TYPE(mc_row_status_list, "status list", struct mc_status_list, status_list_release_v,
         read_status_list);
ROW_TYPE(mc_row_audit, "audit entry", struct mc_audit, audit_release_v, read_audit);

/* --- names ------------------------------------------------------------------------------------ */

static const char *const role_names[] = {
    [MC_ROLE_ADMIN] = "admin",       [MC_ROLE_ISSUER] = "issuer",
    [MC_ROLE_ASSESSOR] = "assessor", [MC_ROLE_LEARNER] = "learner",
    [MC_ROLE_RECRUITER] = "recruiter",
};
static const char *const state_names[] = {
    [MC_CRED_ACTIVE] = "active",
    [MC_CRED_REVOKED] = "revoked",
    [MC_CRED_SUSPENDED] = "suspended",
};

#define NAME_OF(table, v) \
    ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[(unsigned)(v)] : NULL)

/* Index of s in table, or -1. */
static int name_index(const char *const *table, size_t n, const char *s)
{
    size_t i;

    for (i = 0; s && i < n; i++) {
        if (table[i] && strcmp(table[i], s) == 0)
            return (int)i;
    }
    return -1;
}

const char *mc_role_name(enum mc_role r)
{
    return NAME_OF(role_names, r);
}

mcred_rc mc_role_parse(const char *s, enum mc_role *out)
{
    int i = name_index(role_names, sizeof(role_names) / sizeof(role_names[0]), s);

    *out = MC_ROLE_LEARNER;
    if (i < 0)
        return MCRED_ERR_INVALID;
    *out = (enum mc_role)i;
    return MCRED_OK;
}

const char *mc_cred_state_name(enum mc_cred_state s)
{
    return NAME_OF(state_names, s);
}

mcred_rc mc_cred_state_parse(const char *s, enum mc_cred_state *out)
{
    int i = name_index(state_names, sizeof(state_names) / sizeof(state_names[0]), s);

    *out = MC_CRED_ACTIVE;
    if (i < 0)
        return MCRED_ERR_INVALID;
    *out = (enum mc_cred_state)i;
    return MCRED_OK;
}

/* Only the purposes the store keeps lists of. */
mcred_rc mc_store_purpose_parse(const char *s, enum mc_status_purpose *out)
{
    *out = MC_STATUS_PURPOSE_REVOCATION;
    if (s && strcmp(s, "revocation") == 0)
        return MCRED_OK;
    *out = MC_STATUS_PURPOSE_SUSPENSION;
    if (s && strcmp(s, "suspension") == 0)
        return MCRED_OK;
    *out = MC_STATUS_PURPOSE_REVOCATION;
    return MCRED_ERR_INVALID;
}

bool mc_store_purpose_ok(enum mc_status_purpose p)
{
    return p == MC_STATUS_PURPOSE_REVOCATION || p == MC_STATUS_PURPOSE_SUSPENSION;
}

/* --- version 3 (the server); each area appends below its own marker -------- */
/* v3 core */
mcred_rc mc_store_issuer_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                              struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (rc)
        return rc;
    if (st->ops->version < 3 || !st->ops->issuer_list)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no issuer_list",
                          st->ops->name);
    return st->ops->issuer_list(st, org, out, err);
}

mcred_rc mc_store_status_list_by_url(struct mc_store *st, const char *url,
                                     struct mc_status_list *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(url, "status list url", err);
    if (rc)
        return rc;
    if (st->ops->version < 3 || !st->ops->status_list_by_url)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no status_list_by_url",
                          st->ops->name);
    return explain(err, st->ops->status_list_by_url(st, url, out, err), MCRED_ERR_NOTFOUND,
                   "store: no status list '%s'", url);
}

/* v3 web: sessions, share links */

/* v3 oauth: clients, codes, tokens */

/* v3 platform: jobs */
