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
void mc_org_setting_release(struct mc_org_setting *r)
{
    if (!r)
        return;
    mc_free(r->name);
    mc_free(r->value);
    memset(r, 0, sizeof(*r));
}

void mc_share_release(struct mc_share *r)
{
    if (!r)
        return;
    mc_free(r->share_id);
    mc_free(r->cred_id);
    memset(r, 0, sizeof(*r));
}

void mc_session_release(struct mc_session *r)
{
    if (!r)
        return;
    mc_free(r->id_hash);
    mc_free(r->email);
    if (r->csrf)
        memset(r->csrf, 0, strlen(r->csrf));
    mc_free(r->csrf);
    memset(r, 0, sizeof(*r));
}

static void setting_release_v(void *r) { mc_org_setting_release(r); }
static void share_release_v(void *r) { mc_share_release(r); }
static void session_release_v(void *r) { mc_session_release(r); }

static mcred_rc read_setting(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_org_setting *o = row;
    static const int cols[] = { 1, 2 };
    char **const outs[] = { &o->name, &o->value };

    o->org_id = col_i64(r, 0);
    o->updated = (time_t)col_i64(r, 3);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, o, setting_release_v, "setting", err);
    return MCRED_OK;
}

static mcred_rc read_share(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_share *sh = row;
    static const int cols[] = { 0, 2 };
    char **const outs[] = { &sh->share_id, &sh->cred_id };

    sh->org_id = col_i64(r, 1);
    sh->enabled = col_i64(r, 3) != 0;
    sh->created = (time_t)col_i64(r, 4);
    sh->updated = (time_t)col_i64(r, 5);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, sh, share_release_v, "share", err);
    return MCRED_OK;
}

static mcred_rc read_session(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_session *s = row;
    static const int cols[] = { 0, 3, 5 };
    char **const outs[] = { &s->id_hash, &s->email, &s->csrf };
    const char *role = r->ops->text(r, 4);

    s->org_id = col_i64(r, 1);
    s->user_id = col_i64(r, 2);
    s->created = (time_t)col_i64(r, 6);
    s->expires = (time_t)col_i64(r, 7);
    if (mc_role_parse(role, &s->role))
        return bad_value(err, "role", role);
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, s, session_release_v, "session", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_org_setting, "setting", struct mc_org_setting, setting_release_v, read_setting);
ROW_TYPE(mc_row_share, "share", struct mc_share, share_release_v, read_share);
ROW_TYPE(mc_row_session, "session", struct mc_session, session_release_v, read_session);

/* The backend has the v3 web op (a NULL op: UNSUPPORTED). */
static mcred_rc web_op(const struct mc_store *st, bool has, const char *name,
                       struct mc_err *err)
{
    if (st->ops->version < 3 || !has)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no %s", st->ops->name,
                          name);
    return MCRED_OK;
}

mcred_rc mc_store_setting_get(struct mc_store *st, int64_t org, const char *name,
                              struct mc_org_setting *out, struct mc_err *err)
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
        rc = req_text(name, "setting name", err);
    if (!rc)
        rc = web_op(st, st->ops->setting_get != NULL, "setting_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->setting_get(st, org, name, out, err), MCRED_ERR_NOTFOUND,
                   "store: organisation %lld has no setting '%s'", (long long)org, name);
}

mcred_rc mc_store_setting_set(struct mc_store *st, int64_t org, const char *name,
                              const char *value, time_t now, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(name, "setting name", err);
    if (!rc)
        rc = check_str(value, true, MC_STORE_MAX_TEXT, "setting value", err);
    if (!rc)
        rc = check_time(now, "setting time", err);
    if (!rc)
        rc = web_op(st, st->ops->setting_set != NULL, "setting_set", err);
    if (rc)
        return rc;
    return st->ops->setting_set(st, org, name, value, now, err);
}

mcred_rc mc_store_share_put(struct mc_store *st, const struct mc_share *in, struct mc_share *out,
                            struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(in, "share", err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(in->org_id, "organisation", err);
    if (!rc)
        rc = req_text(in->share_id, "share id", err);
    if (!rc)
        rc = req_text(in->cred_id, "credential id", err);
    if (!rc)
        rc = check_time(in->updated, "share time", err);
    if (!rc)
        rc = web_op(st, st->ops->share_put != NULL, "share_put", err);
    if (rc)
        return rc;
    rc = st->ops->share_put(st, in, out, err);
    rc = explain(err, rc, MCRED_ERR_NOTFOUND, "store: credential '%s' not found",
                 in->cred_id);
    return explain(err, rc, MCRED_ERR_CONFLICT, "store: share id '%s' is taken",
                   in->share_id);
}

mcred_rc mc_store_share_get(struct mc_store *st, int64_t org, const char *cred_id,
                            struct mc_share *out, struct mc_err *err)
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
        rc = req_text(cred_id, "credential id", err);
    if (!rc)
        rc = web_op(st, st->ops->share_get != NULL, "share_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->share_get(st, org, cred_id, out, err), MCRED_ERR_NOTFOUND,
                   "store: credential '%s' has no share link", cred_id);
}

mcred_rc mc_store_share_find(struct mc_store *st, const char *share_id, struct mc_share *out,
                             struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(share_id, "share id", err);
    if (!rc)
        rc = web_op(st, st->ops->share_find != NULL, "share_find", err);
    if (rc)
        return rc;
    return explain(err, st->ops->share_find(st, share_id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no share link '%s'", share_id);
}

mcred_rc mc_store_share_showcase(struct mc_store *st, size_t limit, struct mc_store_list *out,
                                 struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_page(limit, "share showcase", err);
    if (!rc)
        rc = web_op(st, st->ops->share_showcase != NULL, "share_showcase", err);
    if (rc)
        return rc;
    return st->ops->share_showcase(st, limit, out, err);
}

mcred_rc mc_store_session_add(struct mc_store *st, const struct mc_session *s,
                              struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(s, "session", err);
    if (!rc)
        rc = req_text(s->id_hash, "session id hash", err);
    if (!rc)
        rc = check_id(s->org_id, "organisation", err);
    if (!rc)
        rc = check_id(s->user_id, "user", err);
    if (!rc)
        rc = req_text(s->csrf, "session CSRF token", err);
    if (!rc)
        rc = check_time(s->created, "session creation time", err);
    if (!rc && s->expires <= 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: a session needs an expiry time");
    if (!rc)
        rc = web_op(st, st->ops->session_add != NULL, "session_add", err);
    if (rc)
        return rc;
    return explain(err, st->ops->session_add(st, s, err), MCRED_ERR_CONFLICT,
                   "store: that session id is already stored");
}

mcred_rc mc_store_session_get(struct mc_store *st, const char *id_hash, time_t now,
                              struct mc_session *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(id_hash, "session id hash", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = web_op(st, st->ops->session_get != NULL, "session_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->session_get(st, id_hash, now, out, err), MCRED_ERR_NOTFOUND,
                   "store: no such session (or it expired)");
}

mcred_rc mc_store_session_delete(struct mc_store *st, const char *id_hash, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = req_text(id_hash, "session id hash", err);
    if (!rc)
        rc = web_op(st, st->ops->session_delete != NULL, "session_delete", err);
    if (rc)
        return rc;
    return explain(err, st->ops->session_delete(st, id_hash, err), MCRED_ERR_NOTFOUND,
                   "store: no such session");
}

mcred_rc mc_store_session_purge(struct mc_store *st, time_t now, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = web_op(st, st->ops->session_purge != NULL, "session_purge", err);
    if (rc)
        return rc;
    return st->ops->session_purge(st, now, err);
}

mcred_rc mc_store_issuer_by_did(struct mc_store *st, const char *did, struct mc_issuer *out,
                                struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(did, "issuer DID", err);
    if (!rc)
        rc = web_op(st, st->ops->issuer_by_did != NULL, "issuer_by_did", err);
    if (rc)
        return rc;
    return explain(err, st->ops->issuer_by_did(st, did, out, err), MCRED_ERR_NOTFOUND,
                   "store: no issuer has the DID '%s'", did);
}

mcred_rc mc_store_achievement_by_uri(struct mc_store *st, const char *uri,
                                     struct mc_achievement *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(uri, "achievement uri", err);
    if (!rc)
        rc = web_op(st, st->ops->achievement_by_uri != NULL, "achievement_by_uri", err);
    if (rc)
        return rc;
    return explain(err, st->ops->achievement_by_uri(st, uri, out, err), MCRED_ERR_NOTFOUND,
                   "store: no achievement '%s'", uri);
}

/* v3 oauth: clients, codes, tokens */
void mc_oauth_client_release(struct mc_oauth_client *r)
{
    if (!r)
        return;
    mc_free(r->client_id);
    mc_free(r->secret_hash);
    mc_free(r->meta);
    memset(r, 0, sizeof(*r));
}

void mc_oauth_grant_release(struct mc_oauth_grant *r)
{
    if (!r)
        return;
    mc_free(r->client_id);
    mc_free(r->redirect_uri);
    mc_free(r->state);
    mc_free(r->challenge);
    mc_free(r->nonce_hash);
    mc_free(r->code_hash);
    memset(r, 0, sizeof(*r));
}

void mc_oauth_token_release(struct mc_oauth_token *r)
{
    if (!r)
        return;
    mc_free(r->hash);
    mc_free(r->client_id);
    mc_user_release(&r->user);
    memset(r, 0, sizeof(*r));
}

void mc_ob_item_release(struct mc_ob_item *r)
{
    if (!r)
        return;
    mc_free(r->key);
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

void mc_ob_profile_release(struct mc_ob_profile *r)
{
    if (!r)
        return;
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

static void oauth_client_release_v(void *r) { mc_oauth_client_release(r); }
static void oauth_grant_release_v(void *r) { mc_oauth_grant_release(r); }
static void oauth_token_release_v(void *r) { mc_oauth_token_release(r); }
static void ob_item_release_v(void *r) { mc_ob_item_release(r); }
static void ob_profile_release_v(void *r) { mc_ob_profile_release(r); }

/* Scope bits as stored: a positive integer that fits unsigned. */
static mcred_rc col_scopes(const struct mc_row *r, int col, unsigned *out, struct mc_err *err)
{
    int64_t v = col_i64(r, col);

    *out = 0;
    if (v <= 0 || v > (int64_t)UINT32_MAX)
        return mc_err_set(err, MCRED_ERR_STORAGE, "store: unexpected scopes %lld in the "
                          "database", (long long)v);
    *out = (unsigned)v;
    return MCRED_OK;
}

/* MC_OAUTH_CLIENT_COLS */
static mcred_rc read_oauth_client(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_oauth_client *c = row;
    static const int cols[] = { 0, 1, 2 };
    char **const outs[] = { &c->client_id, &c->secret_hash, &c->meta };

    c->created = (time_t)col_i64(r, 3);
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, c, oauth_client_release_v, "oauth client", err);
    return MCRED_OK;
}

/* MC_OAUTH_GRANT_COLS */
static mcred_rc read_oauth_grant(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_oauth_grant *g = row;
    static const int cols[] = { 3, 4, 6, 7, 8, 9 };
    char **const outs[] = { &g->client_id, &g->redirect_uri, &g->state, &g->challenge,
                            &g->nonce_hash, &g->code_hash };

    g->id = col_i64(r, 0);
    g->org_id = col_i64(r, 1);
    g->user_id = col_i64(r, 2);
    g->expires = (time_t)col_i64(r, 10);
    g->code_used = (time_t)col_i64(r, 11);
    g->revoked = (time_t)col_i64(r, 12);
    g->created = (time_t)col_i64(r, 13);
    if (col_scopes(r, 5, &g->scopes, err))
        return MCRED_ERR_STORAGE;
    if (col_strs(r, cols, outs, 6))
        return read_fail(MCRED_ERR_NOMEM, g, oauth_grant_release_v, "oauth grant", err);
    return MCRED_OK;
}

/* MC_OAUTH_TOKEN_COLS */
static mcred_rc read_oauth_token(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_oauth_token *t = row;
    static const int cols[] = { 0, 9, 13 };
    char **const outs[] = { &t->hash, &t->client_id, &t->user.email };
    const char *kind = r->ops->text(r, 3), *role = r->ops->text(r, 14);

    t->org_id = col_i64(r, 1);
    t->grant_id = col_i64(r, 2);
    t->created = (time_t)col_i64(r, 5);
    t->expires = (time_t)col_i64(r, 6);
    t->used = (time_t)col_i64(r, 7);
    t->revoked = (time_t)col_i64(r, 8);
    t->grant_revoked = (time_t)col_i64(r, 10);
    t->user.id = col_i64(r, 11);
    t->user.org_id = col_i64(r, 12);
    t->user.created = (time_t)col_i64(r, 15);
    if (!kind || (strcmp(kind, "access") != 0 && strcmp(kind, "refresh") != 0))
        return bad_value(err, "token kind", kind);
    t->refresh = strcmp(kind, "refresh") == 0;
    if (mc_role_parse(role, &t->user.role))
        return bad_value(err, "role", role);
    if (col_scopes(r, 4, &t->scopes, err))
        return MCRED_ERR_STORAGE;
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, t, oauth_token_release_v, "oauth token", err);
    return MCRED_OK;
}

/* MC_OB_ITEM_COLS */
static mcred_rc read_ob_item(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_ob_item *it = row;
    static const int cols[] = { 0, 2 };
    char **const outs[] = { &it->key, &it->doc };

    it->jws = col_i64(r, 1) != 0;
    it->issued = (time_t)col_i64(r, 3);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, it, ob_item_release_v, "wallet credential", err);
    return MCRED_OK;
}

/* MC_OB_PROFILE_COLS */
static mcred_rc read_ob_profile(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_ob_profile *p = row;

    p->org_id = col_i64(r, 0);
    p->user_id = col_i64(r, 1);
    p->updated = (time_t)col_i64(r, 3);
    if (col_str(r, 2, &p->doc))
        return read_fail(MCRED_ERR_NOMEM, p, ob_profile_release_v, "profile", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_oauth_client, "oauth client", struct mc_oauth_client, oauth_client_release_v,
         read_oauth_client);
ROW_TYPE(mc_row_oauth_grant, "oauth grant", struct mc_oauth_grant, oauth_grant_release_v,
         read_oauth_grant);
ROW_TYPE(mc_row_oauth_token, "oauth token", struct mc_oauth_token, oauth_token_release_v,
         read_oauth_token);
ROW_TYPE(mc_row_ob_item, "wallet credential", struct mc_ob_item, ob_item_release_v,
         read_ob_item);
ROW_TYPE(mc_row_ob_profile, "profile", struct mc_ob_profile, ob_profile_release_v,
         read_ob_profile);

/* The backend has the v3 oauth op (a NULL op: UNSUPPORTED). */
static mcred_rc oauth_op(const struct mc_store *st, bool has, const char *name,
                         struct mc_err *err)
{
    if (st->ops->version >= 3 && has)
        return MCRED_OK;
    (void)mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no %s", st->ops->name, name);
    return MCRED_ERR_UNSUPPORTED;
}

/* A stored secret: the hex SHA-256 of the secret's text. */
static mcred_rc check_hash(const char *h, const char *what, struct mc_err *err)
{
    size_t i;

    if (!h)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s is missing", what);
    for (i = 0; h[i]; i++) {
        if (i >= 64 || !((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            break;
    }
    if (i != 64 || h[i])
        return mc_err_set(err, MCRED_ERR_INVALID, "store: %s is not a hex SHA-256", what);
    return MCRED_OK;
}

static mcred_rc check_scopes(unsigned scopes, struct mc_err *err)
{
    if (scopes == 0 || scopes > INT32_MAX)
        return mc_err_set(err, MCRED_ERR_INVALID, "store: scopes %u are not valid", scopes);
    return MCRED_OK;
}

mcred_rc mc_store_oauth_client_add(struct mc_store *st, const struct mc_oauth_client *c,
                                   struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(c, "client", err);
    if (!rc)
        rc = req_text(c->client_id, "client_id", err);
    if (!rc)
        rc = check_hash(c->secret_hash, "client secret hash", err);
    if (!rc)
        rc = check_str(c->meta, true, MC_STORE_MAX_DOC, "client metadata", err);
    if (!rc)
        rc = check_time(c->created, "client creation time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_client_add != NULL, "oauth_client_add", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_client_add(st, c, err), MCRED_ERR_CONFLICT,
                   "store: client '%s' exists already", c->client_id);
}

mcred_rc mc_store_oauth_client_get(struct mc_store *st, const char *client_id,
                                   struct mc_oauth_client *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(client_id, "client_id", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_client_get != NULL, "oauth_client_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_client_get(st, client_id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no client '%s'", client_id);
}

mcred_rc mc_store_oauth_grant_add(struct mc_store *st, struct mc_oauth_grant *in_out,
                                  struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "grant", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->user_id, "user", err);
    if (!rc)
        rc = req_text(in_out->client_id, "client_id", err);
    if (!rc)
        rc = req_text(in_out->redirect_uri, "redirect_uri", err);
    if (!rc)
        rc = opt_text(in_out->state, "state", err);
    if (!rc)
        rc = req_text(in_out->challenge, "code challenge", err);
    if (!rc)
        rc = check_hash(in_out->nonce_hash, "consent nonce hash", err);
    if (!rc)
        rc = check_scopes(in_out->scopes, err);
    if (!rc)
        rc = check_time(in_out->created, "grant creation time", err);
    if (!rc && in_out->expires <= 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: a grant needs an expiry time");
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_grant_add != NULL, "oauth_grant_add", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_grant_add(st, in_out, err), MCRED_ERR_CONFLICT,
                   "store: the consent nonce is taken");
}

mcred_rc mc_store_oauth_grant_decide(struct mc_store *st, int64_t org, int64_t user,
                                     const char *nonce_hash, const char *code_hash,
                                     time_t code_expires, time_t now,
                                     struct mc_oauth_grant *out, struct mc_err *err)
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
        rc = check_id(user, "user", err);
    if (!rc)
        rc = check_hash(nonce_hash, "consent nonce hash", err);
    if (!rc && code_hash)
        rc = check_hash(code_hash, "code hash", err);
    if (!rc && code_hash && code_expires <= now)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: the code expires before it is made");
    if (!rc)
        rc = check_time(now, "decision time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_grant_decide != NULL, "oauth_grant_decide", err);
    if (rc)
        return rc;
    rc = st->ops->oauth_grant_decide(st, org, user, nonce_hash, code_hash, code_expires, now,
                                     out, err);
    if (rc == MCRED_ERR_CONFLICT)   /* a code hash collision: as good as unknown */
        rc = mc_err_set(err, MCRED_ERR_CONFLICT, "store: the code is taken");
    return explain(err, rc, MCRED_ERR_NOTFOUND,
                   "store: no undecided consent with that nonce (used, expired or not yours)");
}

mcred_rc mc_store_oauth_grant_by_code(struct mc_store *st, const char *code_hash,
                                      struct mc_oauth_grant *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_hash(code_hash, "code hash", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_grant_by_code != NULL, "oauth_grant_by_code", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_grant_by_code(st, code_hash, out, err),
                   MCRED_ERR_NOTFOUND, "store: no such authorization code");
}

mcred_rc mc_store_oauth_grant_use_code(struct mc_store *st, int64_t org, int64_t id,
                                       time_t now, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "grant", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_grant_use_code != NULL, "oauth_grant_use_code", err);
    if (rc)
        return rc;
    rc = st->ops->oauth_grant_use_code(st, org, id, now, err);
    rc = explain(err, rc, MCRED_ERR_CONFLICT, "store: the code of grant %lld was used already",
                 (long long)id);
    return explain(err, rc, MCRED_ERR_NOTFOUND, "store: no grant %lld", (long long)id);
}

mcred_rc mc_store_oauth_grant_revoke(struct mc_store *st, int64_t org, int64_t id, time_t now,
                                     struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "grant", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_grant_revoke != NULL, "oauth_grant_revoke", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_grant_revoke(st, org, id, now, err), MCRED_ERR_NOTFOUND,
                   "store: no grant %lld", (long long)id);
}

mcred_rc mc_store_oauth_token_add(struct mc_store *st, const struct mc_oauth_token *t,
                                  struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(t, "token", err);
    if (!rc)
        rc = check_hash(t->hash, "token hash", err);
    if (!rc)
        rc = check_id(t->org_id, "organisation", err);
    if (!rc)
        rc = check_id(t->grant_id, "grant", err);
    if (!rc)
        rc = check_scopes(t->scopes, err);
    if (!rc)
        rc = check_time(t->created, "token creation time", err);
    if (!rc && t->expires <= 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: a token needs an expiry time");
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_token_add != NULL, "oauth_token_add", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_token_add(st, t, err), MCRED_ERR_CONFLICT,
                   "store: the token is taken");
}

mcred_rc mc_store_oauth_token_get(struct mc_store *st, const char *hash,
                                  struct mc_oauth_token *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_hash(hash, "token hash", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_token_get != NULL, "oauth_token_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_token_get(st, hash, out, err), MCRED_ERR_NOTFOUND,
                   "store: no such token");
}

mcred_rc mc_store_oauth_token_use(struct mc_store *st, const char *hash, time_t now,
                                  struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_hash(hash, "token hash", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_token_use != NULL, "oauth_token_use", err);
    if (rc)
        return rc;
    rc = explain(err, st->ops->oauth_token_use(st, hash, now, err), MCRED_ERR_CONFLICT,
                 "store: the token was used already");
    return explain(err, rc, MCRED_ERR_NOTFOUND, "store: no such token");
}

mcred_rc mc_store_oauth_token_revoke(struct mc_store *st, const char *hash, time_t now,
                                     struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_hash(hash, "token hash", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_token_revoke != NULL, "oauth_token_revoke", err);
    if (rc)
        return rc;
    return explain(err, st->ops->oauth_token_revoke(st, hash, now, err), MCRED_ERR_NOTFOUND,
                   "store: no such token");
}

mcred_rc mc_store_oauth_purge(struct mc_store *st, time_t before, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_time(before, "purge time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->oauth_purge != NULL, "oauth_purge", err);
    if (rc)
        return rc;
    return st->ops->oauth_purge(st, before, err);
}

mcred_rc mc_store_ob_wallet_put(struct mc_store *st, int64_t org, int64_t user,
                                const char *issuer_key, const char *cred_key, bool jws,
                                const char *doc, time_t issued, time_t now, bool *created,
                                struct mc_err *err)
{
    mcred_rc rc;

    if (created)
        *created = false;
    rc = ready(st, err);
    if (!rc)
        rc = need(created, "created", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(user, "user", err);
    if (!rc)
        rc = check_str(issuer_key, true, MC_STORE_OB_KEY_MAX, "issuer id", err);
    if (!rc)
        rc = check_str(cred_key, true, MC_STORE_OB_KEY_MAX, "credential id", err);
    if (!rc)
        rc = check_str(doc, true, MC_STORE_MAX_DOC, "credential", err);
    if (!rc)
        rc = check_time(issued, "issue time", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->ob_wallet_put != NULL, "ob_wallet_put", err);
    if (rc)
        return rc;
    return st->ops->ob_wallet_put(st, org, user, issuer_key, cred_key, jws, doc, issued,
                                  mc_store_time(now), created, err);
}

mcred_rc mc_store_ob_wallet_list(struct mc_store *st, int64_t org, int64_t user,
                                 const time_t *since, size_t offset, size_t limit,
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
        rc = check_id(user, "user", err);
    if (!rc)
        rc = check_page(limit, "wallet", err);
    if (!rc && offset > (size_t)INT64_MAX)
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "store: wallet: offset %zu is too large", offset);
    if (!rc)
        rc = oauth_op(st, st->ops->ob_wallet_list != NULL, "ob_wallet_list", err);
    if (rc)
        return rc;
    return st->ops->ob_wallet_list(st, org, user, since, offset, limit, out, err);
}

mcred_rc mc_store_ob_wallet_count(struct mc_store *st, int64_t org, int64_t user,
                                  const time_t *since, int64_t *n, struct mc_err *err)
{
    mcred_rc rc;

    if (n)
        *n = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(n, "n", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(user, "user", err);
    if (!rc)
        rc = oauth_op(st, st->ops->ob_wallet_count != NULL, "ob_wallet_count", err);
    if (rc)
        return rc;
    rc = st->ops->ob_wallet_count(st, org, user, since, n, err);
    if (rc)
        *n = 0;
    return rc;
}

mcred_rc mc_store_ob_profile_get(struct mc_store *st, int64_t org, int64_t user,
                                 struct mc_ob_profile *out, struct mc_err *err)
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
        rc = check_id(user, "user", err);
    if (!rc)
        rc = oauth_op(st, st->ops->ob_profile_get != NULL, "ob_profile_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->ob_profile_get(st, org, user, out, err), MCRED_ERR_NOTFOUND,
                   "store: user %lld has no profile", (long long)user);
}

mcred_rc mc_store_ob_profile_put(struct mc_store *st, int64_t org, int64_t user,
                                 const char *doc, time_t now, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(user, "user", err);
    if (!rc)
        rc = check_str(doc, true, MC_STORE_MAX_DOC, "profile", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = oauth_op(st, st->ops->ob_profile_put != NULL, "ob_profile_put", err);
    if (rc)
        return rc;
    return st->ops->ob_profile_put(st, org, user, doc, mc_store_time(now), err);
}


/* v3 platform: jobs */
void mc_token_release(struct mc_token *r)
{
    if (!r)
        return;
    mc_free(r->id);
    mc_free(r->email);
    mc_free(r->label);
    memset(r, 0, sizeof(*r));
}

void mc_job_release(struct mc_job *r)
{
    if (!r)
        return;
    mc_free(r->row_errors);
    mc_free(r->error);
    memset(r, 0, sizeof(*r));
}

static const char *const job_state_names[] = {
    [MC_JOB_QUEUED] = "queued", [MC_JOB_RUNNING] = "running",
    [MC_JOB_DONE] = "done",     [MC_JOB_FAILED] = "failed",
};
static const char *const job_format_names[] = {
    [MC_JOB_CSV] = "csv", [MC_JOB_JSONL] = "jsonl",
};

const char *mc_job_state_name(enum mc_job_state s)
{
    return NAME_OF(job_state_names, s);
}

const char *mc_job_format_name(enum mc_job_format f)
{
    return NAME_OF(job_format_names, f);
}

mcred_rc mc_job_state_parse(const char *s, enum mc_job_state *out)
{
    int i = name_index(job_state_names, sizeof(job_state_names) / sizeof(job_state_names[0]), s);

    *out = i < 0 ? MC_JOB_FAILED : (enum mc_job_state)i;
    return i < 0 ? MCRED_ERR_INVALID : MCRED_OK;
}

mcred_rc mc_job_format_parse(const char *s, enum mc_job_format *out)
{
    int i = name_index(job_format_names, sizeof(job_format_names) / sizeof(job_format_names[0]),
                       s);

    *out = i < 0 ? MC_JOB_CSV : (enum mc_job_format)i;
    return i < 0 ? MCRED_ERR_INVALID : MCRED_OK;
}

static void token_release_v(void *r) { mc_token_release(r); }
static void job_release_v(void *r) { mc_job_release(r); }

static mcred_rc read_token(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_token *t = row;
    static const int cols[] = { 0, 3, 5 };
    char **const outs[] = { &t->id, &t->email, &t->label };
    const char *role = r->ops->text(r, 4);

    t->org_id = col_i64(r, 1);
    t->user_id = col_i64(r, 2);
    t->created = (time_t)col_i64(r, 6);
    if (mc_role_parse(role, &t->role))
        return bad_value(err, "role", role);
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, t, token_release_v, "token", err);
    return MCRED_OK;
}

static mcred_rc read_job(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_job *j = row;
    static const int cols[] = { 12, 13 };
    char **const outs[] = { &j->row_errors, &j->error };
    const char *format = r->ops->text(r, 4), *state = r->ops->text(r, 5);

    j->id = col_i64(r, 0);
    j->org_id = col_i64(r, 1);
    j->achievement_id = col_i64(r, 2);
    j->user_id = col_i64(r, 3);
    j->bytes = col_i64(r, 6);
    j->bytes_read = col_i64(r, 7);
    j->rows = col_i64(r, 8);
    j->issued = col_i64(r, 9);
    j->already = col_i64(r, 10);
    j->failed = col_i64(r, 11);
    j->created = (time_t)col_i64(r, 14);
    j->started = (time_t)col_i64(r, 15);
    j->finished = (time_t)col_i64(r, 16);
    j->heartbeat = (time_t)col_i64(r, 17);
    if (mc_job_format_parse(format, &j->format))
        return bad_value(err, "job format", format);
    if (mc_job_state_parse(state, &j->state))
        return bad_value(err, "job state", state);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, j, job_release_v, "job", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_token, "token", struct mc_token, token_release_v, read_token);
ROW_TYPE(mc_row_job, "job", struct mc_job, job_release_v, read_job);

/* The backend has the v3 platform op (a NULL op: UNSUPPORTED). */
static mcred_rc platform_op(const struct mc_store *st, bool has, const char *name,
                            struct mc_err *err)
{
    if (st->ops->version < 3 || !has)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no %s", st->ops->name,
                          name);
    return MCRED_OK;
}

/* The common checks of a paged list of org. */
static mcred_rc page_args(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                          struct mc_store_list *out, const char *what, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_page(limit, what, err);
    if (!rc && offset > (size_t)INT64_MAX)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: %s: offset %zu", what, offset);
    return rc;
}

mcred_rc mc_store_user_get(struct mc_store *st, int64_t org, int64_t id, struct mc_user *out,
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
        rc = check_id(id, "user", err);
    if (!rc)
        rc = platform_op(st, st->ops->user_get != NULL, "user_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->user_get(st, org, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no user %lld in organisation %lld", (long long)id, (long long)org);
}

mcred_rc mc_store_user_set_role(struct mc_store *st, int64_t org, int64_t id, enum mc_role role,
                                struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "user", err);
    if (!rc && !mc_role_name(role))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: unknown role %d", (int)role);
    if (!rc)
        rc = platform_op(st, st->ops->user_set_role != NULL, "user_set_role", err);
    if (rc)
        return rc;
    return explain(err, st->ops->user_set_role(st, org, id, role, err), MCRED_ERR_NOTFOUND,
                   "store: no user %lld in organisation %lld", (long long)id, (long long)org);
}

mcred_rc mc_store_token_create(struct mc_store *st, int64_t org, int64_t user,
                               const char *token_hash, const char *label, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(user, "user", err);
    if (!rc)
        rc = req_text(token_hash, "token hash", err);
    if (!rc)
        rc = opt_text(label, "token label", err);
    if (!rc)
        rc = platform_op(st, st->ops->token_create != NULL, "token_create", err);
    if (rc)
        return rc;
    return explain(err, st->ops->token_create(st, org, user, token_hash, label, err),
                   MCRED_ERR_CONFLICT, "store: that token hash is already stored");
}

mcred_rc mc_store_token_list(struct mc_store *st, int64_t org, int64_t user,
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
        rc = check_opt_id(user, "user", err);
    if (!rc)
        rc = platform_op(st, st->ops->token_list != NULL, "token_list", err);
    if (rc)
        return rc;
    return st->ops->token_list(st, org, user, out, err);
}

/* A token's public id: exactly MC_TOKEN_ID_LEN lowercase hex digits. */
static bool token_id_ok(const char *id)
{
    size_t i;

    for (i = 0; i < MC_TOKEN_ID_LEN; i++) {
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    }
    return id[MC_TOKEN_ID_LEN] == '\0';
}

mcred_rc mc_store_token_revoke(struct mc_store *st, int64_t org, const char *id, int64_t user,
                               struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_opt_id(user, "user", err);
    if (!rc)
        rc = need(id, "token id", err);
    if (!rc && !token_id_ok(id))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: token id '%.40s' is not %d hex digits",
                        id, MC_TOKEN_ID_LEN);
    if (!rc)
        rc = platform_op(st, st->ops->token_revoke != NULL, "token_revoke", err);
    if (rc)
        return rc;
    return explain(err, st->ops->token_revoke(st, org, id, user, err), MCRED_ERR_NOTFOUND,
                   "store: no token '%s' in organisation %lld", id, (long long)org);
}

mcred_rc mc_store_learner_page(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                               struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc = page_args(st, org, offset, limit, out, "learner_page", err);

    if (!rc)
        rc = platform_op(st, st->ops->learner_page != NULL, "learner_page", err);
    if (rc)
        return rc;
    return st->ops->learner_page(st, org, offset, limit, out, err);
}

mcred_rc mc_store_cred_list_recipient(struct mc_store *st, int64_t org, const char *email,
                                      size_t offset, size_t limit, struct mc_store_list *out,
                                      struct mc_err *err)
{
    mcred_rc rc = page_args(st, org, offset, limit, out, "cred_list_recipient", err);

    if (!rc)
        rc = req_text(email, "recipient e-mail", err);
    if (!rc)
        rc = platform_op(st, st->ops->cred_list_recipient != NULL, "cred_list_recipient", err);
    if (rc)
        return rc;
    return st->ops->cred_list_recipient(st, org, email, offset, limit, out, err);
}

mcred_rc mc_store_audit_page(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                             struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc = page_args(st, org, offset, limit, out, "audit_page", err);

    if (!rc)
        rc = platform_op(st, st->ops->audit_page != NULL, "audit_page", err);
    if (rc)
        return rc;
    return st->ops->audit_page(st, org, offset, limit, out, err);
}

/* The checks job_create and job_update share. */
static mcred_rc check_job(const struct mc_job *j, struct mc_err *err)
{
    mcred_rc rc = check_id(j->org_id, "organisation", err);

    if (!rc && !mc_job_state_name(j->state))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: unknown job state %d", (int)j->state);
    if (!rc && !mc_job_format_name(j->format))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: unknown job format %d",
                        (int)j->format);
    if (!rc && (j->bytes < 0 || j->bytes_read < 0 || j->rows < 0 || j->issued < 0 ||
                j->already < 0 || j->failed < 0))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: a job count is negative");
    if (!rc)
        rc = check_str(j->row_errors, false, MC_STORE_MAX_DOC, "job row errors", err);
    if (!rc)
        rc = opt_text(j->error, "job error", err);
    if (!rc)
        rc = check_time(j->started, "job start", err);
    if (!rc)
        rc = check_time(j->finished, "job end", err);
    if (!rc)
        rc = check_time(j->heartbeat, "job heartbeat", err);
    return rc;
}

mcred_rc mc_store_job_create(struct mc_store *st, struct mc_job *in_out, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "job", err);
    if (!rc)
        rc = check_job(in_out, err);
    if (!rc)
        rc = check_id(in_out->achievement_id, "achievement", err);
    if (!rc)
        rc = check_opt_id(in_out->user_id, "user", err);
    if (!rc)
        rc = check_time(in_out->created, "job creation", err);
    if (!rc)
        rc = platform_op(st, st->ops->job_create != NULL, "job_create", err);
    if (rc)
        return rc;
    return st->ops->job_create(st, in_out, err);
}

mcred_rc mc_store_job_get(struct mc_store *st, int64_t org, int64_t id, struct mc_job *out,
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
        rc = check_id(id, "job", err);
    if (!rc)
        rc = platform_op(st, st->ops->job_get != NULL, "job_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->job_get(st, org, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no job %lld in organisation %lld", (long long)id, (long long)org);
}

mcred_rc mc_store_job_list(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                           struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc = page_args(st, org, offset, limit, out, "job_list", err);

    if (!rc)
        rc = platform_op(st, st->ops->job_list != NULL, "job_list", err);
    if (rc)
        return rc;
    return st->ops->job_list(st, org, offset, limit, out, err);
}

mcred_rc mc_store_job_update(struct mc_store *st, const struct mc_job *j, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(j, "job", err);
    if (!rc)
        rc = check_job(j, err);
    if (!rc)
        rc = check_id(j->id, "job", err);
    if (!rc)
        rc = platform_op(st, st->ops->job_update != NULL, "job_update", err);
    if (rc)
        return rc;
    rc = st->ops->job_update(st, j, err);
    rc = explain(err, rc, MCRED_ERR_NOTFOUND, "store: no job %lld in organisation %lld",
                 (long long)j->id, (long long)j->org_id);
    return explain(err, rc, MCRED_ERR_CONFLICT, "store: job %lld has finished",
                   (long long)j->id);
}

mcred_rc mc_store_job_touch(struct mc_store *st, int64_t org, int64_t id, time_t now,
                            struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(id, "job", err);
    if (!rc)
        rc = check_time(now, "job heartbeat", err);
    if (!rc)
        rc = platform_op(st, st->ops->job_touch != NULL, "job_touch", err);
    if (rc)
        return rc;
    return explain(err, st->ops->job_touch(st, org, id, now, err), MCRED_ERR_NOTFOUND,
                   "store: no unfinished job %lld in organisation %lld", (long long)id,
                   (long long)org);
}

mcred_rc mc_store_job_abandon(struct mc_store *st, time_t before, const char *error, time_t now,
                              int64_t *n, struct mc_err *err)
{
    mcred_rc rc;

    if (n)
        *n = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(n, "n", err);
    if (!rc)
        rc = req_text(error, "job error", err);
    if (!rc)
        rc = check_time(before, "heartbeat limit", err);
    if (!rc)
        rc = check_time(now, "job end", err);
    if (!rc)
        rc = platform_op(st, st->ops->job_abandon != NULL, "job_abandon", err);
    if (rc)
        return rc;
    return st->ops->job_abandon(st, before, error, now, n, err);
}


/* v3 skills: frameworks, skills, occupations */
void mc_skill_framework_release(struct mc_skill_framework *r)
{
    if (!r)
        return;
    mc_free(r->name);
    mc_free(r->version);
    mc_free(r->title);
    mc_free(r->attribution);
    memset(r, 0, sizeof(*r));
}

void mc_skill_release(struct mc_skill *r)
{
    if (!r)
        return;
    mc_free(r->uri);
    mc_free(r->label);
    mc_free(r->framework);
    mc_free(r->code);
    mc_free(r->description);
    mc_free(r->extra);
    memset(r, 0, sizeof(*r));
}

void mc_skill_held_release(struct mc_skill_held *r)
{
    if (!r)
        return;
    mc_free(r->credential_id);
    mc_free(r->achievement_json);
    memset(r, 0, sizeof(*r));
}

static void skill_fw_release_v(void *r) { mc_skill_framework_release(r); }
static void skill_release_v(void *r) { mc_skill_release(r); }
static void skill_held_release_v(void *r) { mc_skill_held_release(r); }

static const char *const skill_kind_names[] = {
    [MC_SK_SKILL] = "skill", [MC_SK_KNOWLEDGE] = "knowledge",
    [MC_SK_TECHNOLOGY] = "technology", [MC_SK_SKILL_GROUP] = "skill-group",
    [MC_SK_OCCUPATION] = "occupation", [MC_SK_OCCUPATION_GROUP] = "occupation-group",
};
static const char *const skill_rel_names[] = {
    [MC_SR_NONE] = NULL, [MC_SR_ESSENTIAL] = "essential", [MC_SR_OPTIONAL] = "optional",
    [MC_SR_TECHNOLOGY] = "technology", [MC_SR_SKILL_ESSENTIAL] = "skill-essential",
    [MC_SR_SKILL_OPTIONAL] = "skill-optional", [MC_SR_BROADER] = "broader",
};
_Static_assert(sizeof(skill_kind_names) / sizeof(skill_kind_names[0]) == MC_SK_COUNT,
               "a name per skill kind");
_Static_assert(sizeof(skill_rel_names) / sizeof(skill_rel_names[0]) == MC_SR_COUNT,
               "a name per skill relation");

const char *mc_skill_kind_name(enum mc_skill_kind k)
{
    return NAME_OF(skill_kind_names, k);
}

const char *mc_skill_rel_name(enum mc_skill_rel r)
{
    return NAME_OF(skill_rel_names, r);
}

mcred_rc mc_skill_kind_parse(const char *s, enum mc_skill_kind *out)
{
    int i = name_index(skill_kind_names, MC_SK_COUNT, s);

    *out = i < 0 ? MC_SK_SKILL : (enum mc_skill_kind)i;
    return i < 0 ? MCRED_ERR_INVALID : MCRED_OK;
}

mcred_rc mc_skill_rel_parse(const char *s, enum mc_skill_rel *out)
{
    int i = name_index(skill_rel_names, MC_SR_COUNT, s);

    *out = i < 0 ? MC_SR_NONE : (enum mc_skill_rel)i;
    return i < 0 ? MCRED_ERR_INVALID : MCRED_OK;
}

static mcred_rc read_skill_fw(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_skill_framework *f = row;
    static const int cols[] = { 1, 2, 3, 4 };
    char **const outs[] = { &f->name, &f->version, &f->title, &f->attribution };

    f->id = col_i64(r, 0);
    f->imported = (time_t)col_i64(r, 5);
    f->concepts = col_i64(r, 6);
    f->labels = col_i64(r, 7);
    f->edges = col_i64(r, 8);
    if (col_strs(r, cols, outs, 4))
        return read_fail(MCRED_ERR_NOMEM, f, skill_fw_release_v, "skills framework", err);
    return MCRED_OK;
}

static mcred_rc read_skill(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_skill *k = row;
    static const int cols[] = { 1, 2, 4, 5, 6, 9 };
    char **const outs[] = { &k->uri, &k->label, &k->framework, &k->code, &k->description,
                            &k->extra };
    const char *kind = r->ops->text(r, 3), *rel = r->ops->text(r, 7);

    k->id = col_i64(r, 0);
    k->flags = (int)col_i64(r, 8);
    k->count = col_i64(r, 10);
    if (kind && mc_skill_kind_parse(kind, &k->kind))
        return bad_value(err, "skill kind", kind);
    if (rel && mc_skill_rel_parse(rel, &k->rel))
        return bad_value(err, "skill relation", rel);
    if (col_strs(r, cols, outs, 6))
        return read_fail(MCRED_ERR_NOMEM, k, skill_release_v, "skill", err);
    return MCRED_OK;
}

static mcred_rc read_skill_held(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_skill_held *h = row;
    static const int cols[] = { 0, 2 };
    char **const outs[] = { &h->credential_id, &h->achievement_json };

    h->achievement_id = col_i64(r, 1);
    h->issued = (time_t)col_i64(r, 3);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, h, skill_held_release_v, "held credential", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_skill_framework, "skills framework", struct mc_skill_framework,
         skill_fw_release_v, read_skill_fw);
ROW_TYPE(mc_row_skill, "skill", struct mc_skill, skill_release_v, read_skill);
ROW_TYPE(mc_row_skill_held, "held credential", struct mc_skill_held, skill_held_release_v,
         read_skill_held);

/* The backend has the v3 skills op (a NULL op: UNSUPPORTED). */
static mcred_rc skills_op(const struct mc_store *st, bool has, const char *name,
                          struct mc_err *err)
{
    if (st->ops->version < 3 || !has)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no %s", st->ops->name,
                          name);
    return MCRED_OK;
}

/* A framework name: [a-z0-9_-]{1,40}. */
static bool skill_name_ok(const char *s)
{
    size_t i;

    for (i = 0; s && s[i]; i++) {
        char c = s[i];

        if (i >= 40 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                         c == '-'))
            return false;
    }
    return s && i > 0;
}

/* An absolute URI by its shape: scheme ":" and no space or control. */
static bool skill_uri_ok(const char *s)
{
    const char *p = s;

    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || !p[1])
        return false;
    for (; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

/* Every row of an import against the documented bounds. */
static mcred_rc check_import(const struct mc_skill_import *im, struct mc_err *err)
{
    size_t i;
    mcred_rc rc = MCRED_OK;

    if (!skill_name_ok(im->name))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: skills framework name '%s' is not "
                          "1 to 40 of a-z 0-9 _ -", im->name ? im->name : "(null)");
    rc = opt_text(im->version, "framework version", err);
    if (!rc)
        rc = opt_text(im->title, "framework title", err);
    if (!rc)
        rc = opt_text(im->attribution, "framework attribution", err);
    if (rc)
        return rc;
    if (im->nconcepts > MC_SKILL_MAX_CONCEPTS || im->nlabels > MC_SKILL_MAX_ROWS ||
        im->nedges > MC_SKILL_MAX_ROWS)
        return mc_err_set(err, MCRED_ERR_LIMIT, "store: framework '%s': %zu concepts, %zu "
                          "labels, %zu relations; the limits are %zu, %zu, %zu", im->name,
                          im->nconcepts, im->nlabels, im->nedges, MC_SKILL_MAX_CONCEPTS,
                          MC_SKILL_MAX_ROWS, MC_SKILL_MAX_ROWS);
    if ((im->nconcepts && !im->concepts) || (im->nlabels && !im->labels) ||
        (im->nedges && !im->edges))
        return mc_err_set(err, MCRED_ERR_INVALID, "store: framework '%s': rows missing",
                          im->name);
    for (i = 0; i < im->nconcepts && !rc; i++) {
        const struct mc_skill_concept_in *c = &im->concepts[i];

        rc = req_text(c->uri, "concept uri", err);
        if (!rc)
            rc = req_text(c->label, "concept label", err);
        if (!rc)
            rc = opt_text(c->code, "concept code", err);
        if (!rc)
            rc = check_str(c->description, false, MC_SKILL_MAX_DESCRIPTION,
                           "concept description", err);
        if (!rc && !mc_skill_kind_name(c->kind))
            rc = mc_err_set(err, MCRED_ERR_INVALID, "store: concept %zu: unknown kind %d", i,
                            (int)c->kind);
    }
    for (i = 0; i < im->nlabels && !rc; i++) {
        const struct mc_skill_label_in *l = &im->labels[i];

        if (l->concept >= im->nconcepts)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "store: label %zu: concept %u out of range",
                            i, (unsigned)l->concept);
        if (!rc)
            rc = req_text(l->label, "label", err);
        if (!rc)
            rc = l->norm ? opt_text(l->norm, "normalised label", err)
                         : mc_err_set(err, MCRED_ERR_INVALID, "store: label %zu: no normalised "
                                      "form", i);
    }
    for (i = 0; i < im->nedges && !rc; i++) {
        const struct mc_skill_edge_in *e = &im->edges[i];

        if (e->from >= im->nconcepts || e->to >= im->nconcepts || e->rel == MC_SR_NONE ||
            !mc_skill_rel_name(e->rel) || e->flags < 0 ||
            e->flags > (MC_SKILL_HOT | MC_SKILL_IN_DEMAND))
            rc = mc_err_set(err, MCRED_ERR_INVALID, "store: relation %zu: bad concept index, "
                            "relation or flags", i);
    }
    return rc;
}

/* After a CONFLICT: name a concept URI another framework defines. */
static void import_conflict(struct mc_store *st, const struct mc_skill_import *im,
                            struct mc_err *err)
{
    struct mc_skill k;
    size_t i;

    for (i = 0; i < im->nconcepts; i++) {
        memset(&k, 0, sizeof(k));
        if (st->ops->skill_get(st, im->concepts[i].uri, &k, NULL) == MCRED_OK &&
            k.framework && strcmp(k.framework, im->name) != 0) {
            mc_err_set(err, MCRED_ERR_CONFLICT, "store: concept '%.200s' is defined by "
                       "framework '%s' already", im->concepts[i].uri, k.framework);
            mc_skill_release(&k);
            return;
        }
        mc_skill_release(&k);
    }
    mc_err_set(err, MCRED_ERR_CONFLICT, "store: framework '%s' defines a concept URI or a "
               "relation twice", im->name);
}

mcred_rc mc_store_skill_import(struct mc_store *st, const struct mc_skill_import *im,
                               int64_t *framework_id, struct mc_err *err)
{
    mcred_rc rc;

    if (framework_id)
        *framework_id = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(im, "import", err);
    if (!rc)
        rc = need(framework_id, "framework_id", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_import != NULL, "skill_import", err);
    if (!rc && st->in_tx)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: skill_import runs in a transaction "
                        "of its own; commit or roll back the open one first");
    if (!rc)
        rc = check_import(im, err);
    if (!rc)
        rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = st->ops->skill_import(st, im, framework_id, err);
    if (!rc)
        rc = mc_store_commit(st, err);
    if (rc) {
        (void)mc_store_rollback(st);
        *framework_id = 0;
        if (rc == MCRED_ERR_CONFLICT)
            import_conflict(st, im, err);
    }
    return rc;
}

mcred_rc mc_store_skill_framework_list(struct mc_store *st, struct mc_store_list *out,
                                       struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_framework_list != NULL, "skill_framework_list", err);
    if (rc)
        return rc;
    return st->ops->skill_framework_list(st, out, err);
}

mcred_rc mc_store_skill_stats(struct mc_store *st, int64_t framework_id,
                              struct mc_skill_stats *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(framework_id, "framework", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_stats != NULL, "skill_stats", err);
    if (rc)
        return rc;
    rc = st->ops->skill_stats(st, framework_id, out, err);
    if (rc)
        memset(out, 0, sizeof(*out));
    return explain(err, rc, MCRED_ERR_NOTFOUND, "store: no skills framework %lld",
                   (long long)framework_id);
}

mcred_rc mc_store_skill_get(struct mc_store *st, const char *uri, struct mc_skill *out,
                            struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(uri, "concept uri", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_get != NULL, "skill_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->skill_get(st, uri, out, err), MCRED_ERR_NOTFOUND,
                   "store: no skills framework defines '%.200s'", uri);
}

mcred_rc mc_store_skill_links(struct mc_store *st, int64_t id, bool reverse,
                              struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(id, "concept", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_links != NULL, "skill_links", err);
    if (rc)
        return rc;
    return st->ops->skill_links(st, id, reverse, out, err);
}

/* Search words: lowercase ASCII letters, digits, non-ASCII UTF-8, single
 * spaces between words; at most 16 words. */
static mcred_rc check_words(const char *w, struct mc_err *err)
{
    size_t i, words = 1;
    mcred_rc rc = check_str(w, true, 1000, "search words", err);

    if (rc)
        return rc;
    for (i = 0; w[i]; i++) {
        unsigned char c = (unsigned char)w[i];

        if (c == ' ' && i > 0 && w[i + 1] && w[i + 1] != ' ') {
            words++;
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            continue;
        return mc_err_set(err, MCRED_ERR_INVALID, "store: search words: unexpected '%c' "
                          "(lowercase words separated by single spaces)", c);
    }
    if (words > 16)
        return mc_err_set(err, MCRED_ERR_LIMIT, "store: search words: %zu words; at most 16",
                          words);
    return MCRED_OK;
}

/* A kinds filter: NULL, or known kind names separated by commas. */
static mcred_rc check_kinds(const char *kinds, struct mc_err *err)
{
    char name[32];
    const char *p = kinds, *comma;
    enum mc_skill_kind k;
    size_t n;

    while (p && *p) {
        comma = strchr(p, ',');
        n = comma ? (size_t)(comma - p) : strlen(p);
        if (n >= sizeof(name))
            n = sizeof(name) - 1;
        memcpy(name, p, n);
        name[n] = '\0';
        if (mc_skill_kind_parse(name, &k))
            return mc_err_set(err, MCRED_ERR_INVALID, "store: unknown skill kind '%s'", name);
        p = comma ? comma + 1 : NULL;
    }
    return MCRED_OK;
}

mcred_rc mc_store_skill_search(struct mc_store *st, const char *words, const char *norm,
                               const char *kinds, size_t limit, struct mc_store_list *out,
                               struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_words(words, err);
    if (!rc)
        rc = opt_text(norm, "normalised query", err);
    if (!rc)
        rc = check_kinds(kinds, err);
    if (!rc)
        rc = check_page(limit, "skill_search", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_search != NULL, "skill_search", err);
    if (rc)
        return rc;
    return st->ops->skill_search(st, words, norm, kinds, limit, out, err);
}

mcred_rc mc_store_skill_label_scan(struct mc_store *st, const char *kinds,
                                   mcred_rc (*cb)(void *ud, const struct mc_skill_label *l),
                                   void *ud, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc && !cb)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: skill_label_scan: no callback");
    if (!rc)
        rc = check_kinds(kinds, err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_label_scan != NULL, "skill_label_scan", err);
    if (rc)
        return rc;
    return st->ops->skill_label_scan(st, kinds, cb, ud, err);
}

mcred_rc mc_store_skill_map_put(struct mc_store *st, const char *from_uri, const char *to_uri,
                                time_t at, struct mc_err *err)
{
    struct mc_skill k;
    mcred_rc rc = ready(st, err);

    memset(&k, 0, sizeof(k));
    if (!rc)
        rc = req_text(from_uri, "mapped uri", err);
    if (!rc)
        rc = req_text(to_uri, "mapped uri", err);
    if (!rc)
        rc = check_time(at, "mapping time", err);
    if (!rc && strcmp(from_uri, to_uri) == 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: a concept cannot be mapped to itself");
    if (!rc)
        rc = skills_op(st, st->ops->skill_map_put != NULL && st->ops->skill_get != NULL,
                       "skill_map_put", err);
    if (!rc)
        rc = mc_store_skill_get(st, from_uri, &k, err);
    mc_skill_release(&k);
    if (!rc)
        rc = mc_store_skill_get(st, to_uri, &k, err);
    mc_skill_release(&k);
    if (rc)
        return rc;
    return st->ops->skill_map_put(st, from_uri, to_uri, mc_store_time(at), err);
}

mcred_rc mc_store_skill_map_list(struct mc_store *st, const char *uri, struct mc_store_list *out,
                                 struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(uri, "concept uri", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_map_list != NULL, "skill_map_list", err);
    if (rc)
        return rc;
    return st->ops->skill_map_list(st, uri, out, err);
}

mcred_rc mc_store_skill_declare(struct mc_store *st, int64_t org, int64_t learner,
                                const char *uri, time_t at, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = req_text(uri, "declared skill uri", err);
    if (!rc && !skill_uri_ok(uri))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: declared skill '%.200s' is not an "
                        "absolute URI", uri);
    if (!rc)
        rc = check_time(at, "declaration time", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_declare != NULL, "skill_declare", err);
    if (rc)
        return rc;
    return explain(err, st->ops->skill_declare(st, org, learner, uri, mc_store_time(at), err),
                   MCRED_ERR_NOTFOUND, "store: no learner %lld in organisation %lld",
                   (long long)learner, (long long)org);
}

mcred_rc mc_store_skill_declared(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_declared != NULL, "skill_declared", err);
    if (rc)
        return rc;
    return st->ops->skill_declared(st, org, learner, out, err);
}

mcred_rc mc_store_skill_held(struct mc_store *st, int64_t org, int64_t learner, time_t now,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = check_time(now, "now", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_held != NULL, "skill_held", err);
    if (rc)
        return rc;
    return st->ops->skill_held(st, org, learner, mc_store_time(now), out, err);
}

mcred_rc mc_store_skill_posting_put(struct mc_store *st, const char *ref, const char *title,
                                    const char *const *uris, const int64_t *hits, size_t n,
                                    time_t at, int64_t *id, struct mc_err *err)
{
    size_t i;
    mcred_rc rc;

    if (id)
        *id = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(id, "id", err);
    if (!rc)
        rc = req_text(ref, "posting reference", err);
    if (!rc)
        rc = opt_text(title, "posting title", err);
    if (!rc && n && (!uris || !hits))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: posting '%.200s': skills missing", ref);
    if (!rc && n > MC_STORE_BATCH_MAX)
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "store: posting '%.200s': %zu skills; at most %zu",
                        ref, n, MC_STORE_BATCH_MAX);
    for (i = 0; i < n && !rc; i++) {
        rc = req_text(uris[i], "posting skill uri", err);
        if (!rc && hits[i] < 1)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "store: posting '%.200s': %lld mentions",
                            ref, (long long)hits[i]);
    }
    if (!rc)
        rc = check_time(at, "posting time", err);
    if (!rc)
        rc = skills_op(st, st->ops->skill_posting_put != NULL, "skill_posting_put", err);
    if (rc)
        return rc;
    return st->ops->skill_posting_put(st, ref, title, uris, hits, n, mc_store_time(at), id, err);
}

mcred_rc mc_store_skill_demand(struct mc_store *st, size_t limit, struct mc_store_list *out,
                               int64_t *postings, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    if (postings)
        *postings = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = need(postings, "postings", err);
    if (!rc && (limit == 0 || limit > MC_SKILL_MAX_DEMAND))
        rc = mc_err_set(err, limit ? MCRED_ERR_LIMIT : MCRED_ERR_INVALID, "store: "
                        "skill_demand: limit %zu is not within 1..%zu", limit,
                        MC_SKILL_MAX_DEMAND);
    if (!rc)
        rc = skills_op(st, st->ops->skill_demand != NULL, "skill_demand", err);
    if (rc)
        return rc;
    return st->ops->skill_demand(st, limit, out, postings, err);
}

/* v3 wallet: holder keys, wallet items */
static mcred_rc req_doc(const char *s, const char *what, struct mc_err *err)
{
    return check_str(s, true, MC_STORE_MAX_DOC, what, err);
}

void mc_holder_key_release(struct mc_holder_key *r)
{
    if (!r)
        return;
    mc_free(r->did);
    mc_free(r->public_multibase);
    mc_free(r->key_file);
    memset(r, 0, sizeof(*r));
}

void mc_wallet_item_release(struct mc_wallet_item *r)
{
    if (!r)
        return;
    mc_free(r->cred_id);
    mc_free(r->hash);
    mc_free(r->format);
    mc_free(r->source);
    mc_free(r->verdict);
    mc_free(r->report);
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

static void holder_key_release_v(void *r)
{
    mc_holder_key_release(r);
}

static void wallet_item_release_v(void *r)
{
    mc_wallet_item_release(r);
}

static mcred_rc read_holder_key(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_holder_key *k = row;
    static const int cols[] = { 3, 4, 5 };
    char **const outs[] = { &k->did, &k->public_multibase, &k->key_file };

    k->id = col_i64(r, 0);
    k->org_id = col_i64(r, 1);
    k->learner_id = col_i64(r, 2);
    k->created = (time_t)col_i64(r, 6);
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, k, holder_key_release_v, "holder key", err);
    return MCRED_OK;
}

static mcred_rc read_wallet_item(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_wallet_item *w = row;
    static const int cols[] = { 3, 4, 5, 6, 7, 8, 9 };
    char **const outs[] = { &w->cred_id, &w->hash, &w->format, &w->source, &w->verdict,
                            &w->report, &w->doc };

    w->id = col_i64(r, 0);
    w->org_id = col_i64(r, 1);
    w->learner_id = col_i64(r, 2);
    w->imported = (time_t)col_i64(r, 10);
    if (col_strs(r, cols, outs, 7))
        return read_fail(MCRED_ERR_NOMEM, w, wallet_item_release_v, "wallet item", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_holder_key, "holder key", struct mc_holder_key, holder_key_release_v,
         read_holder_key);
ROW_TYPE(mc_row_wallet_item, "wallet item", struct mc_wallet_item, wallet_item_release_v,
         read_wallet_item);

static mcred_rc has_op(const struct mc_store *st, bool present, const char *name,
                       struct mc_err *err)
{
    if (st->ops->version < 3 || !present)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "store: %s has no %s", st->ops->name,
                          name);
    return MCRED_OK;
}

mcred_rc mc_store_holder_key_put(struct mc_store *st, struct mc_holder_key *in_out,
                                 struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "holder key", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->learner_id, "learner", err);
    if (!rc)
        rc = req_text(in_out->did, "holder did", err);
    if (!rc)
        rc = req_text(in_out->public_multibase, "holder public key", err);
    if (!rc)
        rc = req_doc(in_out->key_file, "holder key file", err);
    if (!rc)
        rc = has_op(st, st->ops->holder_key_put != NULL, "holder_key_put", err);
    if (rc)
        return rc;
    return explain(err, st->ops->holder_key_put(st, in_out, err), MCRED_ERR_CONFLICT,
                   "store: learner %lld already has a holder key", (long long)in_out->learner_id);
}

mcred_rc mc_store_holder_key_get(struct mc_store *st, int64_t org, int64_t learner,
                                 struct mc_holder_key *out, struct mc_err *err)
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->holder_key_get != NULL, "holder_key_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->holder_key_get(st, org, learner, out, err), MCRED_ERR_NOTFOUND,
                   "store: learner %lld has no holder key", (long long)learner);
}

mcred_rc mc_store_wallet_put(struct mc_store *st, struct mc_wallet_item *in_out,
                             struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "wallet item", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->learner_id, "learner", err);
    if (!rc)
        rc = req_text(in_out->hash, "wallet item hash", err);
    if (!rc)
        rc = req_text(in_out->format, "wallet item format", err);
    if (!rc)
        rc = req_text(in_out->source, "wallet item source", err);
    if (!rc)
        rc = req_text(in_out->verdict, "wallet item verdict", err);
    if (!rc)
        rc = req_doc(in_out->report, "wallet item report", err);
    if (!rc)
        rc = req_doc(in_out->doc, "wallet item document", err);
    if (!rc && in_out->cred_id)
        rc = req_text(in_out->cred_id, "wallet item credential id", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_put != NULL, "wallet_put", err);
    if (rc)
        return rc;
    return explain(err, st->ops->wallet_put(st, in_out, err), MCRED_ERR_CONFLICT,
                   "store: the learner already holds this credential");
}

mcred_rc mc_store_wallet_get(struct mc_store *st, int64_t org, int64_t learner, int64_t id,
                             struct mc_wallet_item *out, struct mc_err *err)
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = check_id(id, "wallet item", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_get != NULL, "wallet_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->wallet_get(st, org, learner, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no wallet item %lld for learner %lld", (long long)id,
                   (long long)learner);
}

mcred_rc mc_store_wallet_find(struct mc_store *st, int64_t org, int64_t learner,
                              const char *hash, struct mc_wallet_item *out, struct mc_err *err)
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = req_text(hash, "wallet item hash", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_find != NULL, "wallet_find", err);
    if (rc)
        return rc;
    return explain(err, st->ops->wallet_find(st, org, learner, hash, out, err),
                   MCRED_ERR_NOTFOUND, "store: learner %lld holds nothing with that hash",
                   (long long)learner);
}

mcred_rc mc_store_wallet_list(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_list != NULL, "wallet_list", err);
    if (rc)
        return rc;
    return st->ops->wallet_list(st, org, learner, out, err);
}

/* v4 plan: the planner's imported catalog */
mcred_rc mc_store_catalog_put(struct mc_store *st, int64_t org, const char *uri,
                              const char *json, time_t imported, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = req_text(uri, "catalog entry uri", err);
    if (!rc)
        rc = check_str(json, true, MC_STORE_MAX_DOC, "catalog entry", err);
    if (!rc)
        rc = check_time(imported, "catalog entry imported", err);
    if (!rc)
        rc = has_op(st, st->ops->catalog_put != NULL, "catalog_put", err);
    if (rc)
        return rc;
    return st->ops->catalog_put(st, org, uri, json, imported ? imported : time(NULL), err);
}

mcred_rc mc_store_catalog_clear(struct mc_store *st, int64_t org, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = has_op(st, st->ops->catalog_clear != NULL, "catalog_clear", err);
    if (rc)
        return rc;
    return st->ops->catalog_clear(st, org, err);
}

mcred_rc mc_store_catalog_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                               struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = has_op(st, st->ops->catalog_list != NULL, "catalog_list", err);
    if (rc)
        return rc;
    return st->ops->catalog_list(st, org, out, err);
}

/* v4 stacks: stacks, their component index, awards */
static const char *const stack_policy_names[] = { "keep", "flag", "revoke" };
static const char *const award_state_names[] = { "pending", "issued", "flagged", "revoked" };

const char *mc_stack_policy_name(enum mc_stack_policy p)
{
    return (unsigned)p < 3 ? stack_policy_names[p] : NULL;
}

const char *mc_award_state_name(enum mc_award_state s)
{
    return (unsigned)s < 4 ? award_state_names[s] : NULL;
}

mcred_rc mc_stack_policy_parse(const char *s, enum mc_stack_policy *out)
{
    int i;

    for (i = 0; s && i < 3; i++) {
        if (strcmp(s, stack_policy_names[i]) == 0) {
            *out = (enum mc_stack_policy)i;
            return MCRED_OK;
        }
    }
    return MCRED_ERR_INVALID;
}

mcred_rc mc_award_state_parse(const char *s, enum mc_award_state *out)
{
    int i;

    for (i = 0; s && i < 4; i++) {
        if (strcmp(s, award_state_names[i]) == 0) {
            *out = (enum mc_award_state)i;
            return MCRED_OK;
        }
    }
    return MCRED_ERR_INVALID;
}

void mc_stack_def_release(struct mc_stack_def *r)
{
    if (!r)
        return;
    mc_free(r->achievement_uri);
    mc_free(r->rule);
    memset(r, 0, sizeof(*r));
}

void mc_stack_award_release(struct mc_stack_award *r)
{
    if (!r)
        return;
    mc_free(r->cred_id);
    memset(r, 0, sizeof(*r));
}

void mc_stack_cred_release(struct mc_stack_cred *r)
{
    if (!r)
        return;
    mc_free(r->cred_id);
    mc_free(r->achievement_uri);
    mc_free(r->issuer_did);
    memset(r, 0, sizeof(*r));
}

static void stack_def_release_v(void *r)
{
    mc_stack_def_release(r);
}

static void stack_award_release_v(void *r)
{
    mc_stack_award_release(r);
}

static void stack_cred_release_v(void *r)
{
    mc_stack_cred_release(r);
}

static mcred_rc read_stack_def(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_stack_def *d = row;
    static const int cols[] = { 2, 3 };
    char **const outs[] = { &d->achievement_uri, &d->rule };
    const char *policy;

    d->id = col_i64(r, 0);
    d->org_id = col_i64(r, 1);
    d->freshness = col_i64(r, 4) != 0;
    d->created = (time_t)col_i64(r, 6);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, d, stack_def_release_v, "stack", err);
    policy = r->ops->text(r, 5);
    if (mc_stack_policy_parse(policy, &d->policy)) {
        mcred_rc rc = bad_value(err, "stack policy", policy);

        mc_stack_def_release(d);
        return rc;
    }
    return MCRED_OK;
}

static mcred_rc read_stack_award(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_stack_award *a = row;
    const char *state;

    a->id = col_i64(r, 0);
    a->org_id = col_i64(r, 1);
    a->stack_id = col_i64(r, 2);
    a->learner_id = col_i64(r, 3);
    a->created = (time_t)col_i64(r, 6);
    a->updated = (time_t)col_i64(r, 7);
    if (col_str(r, 4, &a->cred_id))
        return read_fail(MCRED_ERR_NOMEM, a, stack_award_release_v, "stack award", err);
    state = r->ops->text(r, 5);
    if (mc_award_state_parse(state, &a->state)) {
        mcred_rc rc = bad_value(err, "award state", state);

        mc_stack_award_release(a);
        return rc;
    }
    return MCRED_OK;
}

static mcred_rc read_stack_cred(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_stack_cred *c = row;
    static const int cols[] = { 0, 1, 2 };
    char **const outs[] = { &c->cred_id, &c->achievement_uri, &c->issuer_did };
    const char *state = r->ops->text(r, 3), *credits = r->ops->text(r, 6);

    c->issued = (time_t)col_i64(r, 4);
    c->valid_until = (time_t)col_i64(r, 5);
    c->credits = -1;
    if (credits) {
        char *end = NULL;
        double v = strtod(credits, &end);

        if (end && end != credits && *end == '\0' && v >= 0 && v <= 1e9)
            c->credits = v;
    }
    if (col_strs(r, cols, outs, 3))
        return read_fail(MCRED_ERR_NOMEM, c, stack_cred_release_v, "stack credential", err);
    if (mc_cred_state_parse(state, &c->state)) {
        mcred_rc rc = bad_value(err, "credential state", state);

        mc_stack_cred_release(c);
        return rc;
    }
    return MCRED_OK;
}

ROW_TYPE(mc_row_stack_def, "stack", struct mc_stack_def, stack_def_release_v, read_stack_def);
ROW_TYPE(mc_row_stack_award, "stack award", struct mc_stack_award, stack_award_release_v,
         read_stack_award);
ROW_TYPE(mc_row_stack_cred, "stack credential", struct mc_stack_cred, stack_cred_release_v,
         read_stack_cred);

mcred_rc mc_store_stack_put(struct mc_store *st, struct mc_stack_def *in_out,
                            const char *const *components, size_t n, struct mc_err *err)
{
    size_t i;
    bool own;
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "stack", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = req_text(in_out->achievement_uri, "stack achievement", err);
    if (!rc)
        rc = req_doc(in_out->rule, "stack rule", err);
    if (!rc && mc_stack_policy_name(in_out->policy) == NULL)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: stack policy %d is not one of keep, "
                        "flag, revoke", (int)in_out->policy);
    if (!rc && n > MC_STACK_MAX_INDEX)
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "store: a stack of %zu component achievements "
                        "(at most %zu)", n, MC_STACK_MAX_INDEX);
    if (!rc && n && !components)
        rc = need(NULL, "components", err);
    for (i = 0; !rc && i < n; i++)
        rc = req_text(components[i], "stack component", err);
    if (!rc)
        rc = has_op(st, st->ops->stack_put != NULL, "stack_put", err);
    if (rc)
        return rc;
    own = !st->in_tx;
    if (own) {
        rc = mc_store_begin(st, err);
        if (rc)
            return rc;
    }
    rc = explain(err, st->ops->stack_put(st, in_out, components, n, err), MCRED_ERR_CONFLICT,
                 "store: achievement '%s' is a stack already", in_out->achievement_uri);
    if (own) {
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            (void)mc_store_rollback(st);
    }
    return rc;
}

mcred_rc mc_store_stack_get(struct mc_store *st, int64_t org, int64_t id, const char *uri,
                            struct mc_stack_def *out, struct mc_err *err)
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
        rc = id ? check_id(id, "stack", err) : req_text(uri, "stack achievement", err);
    if (!rc)
        rc = has_op(st, st->ops->stack_get != NULL, "stack_get", err);
    if (rc)
        return rc;
    if (id)
        return explain(err, st->ops->stack_get(st, org, id, NULL, out, err), MCRED_ERR_NOTFOUND,
                       "store: no stack %lld", (long long)id);
    return explain(err, st->ops->stack_get(st, org, 0, uri, out, err), MCRED_ERR_NOTFOUND,
                   "store: achievement '%s' is not a stack", uri);
}

mcred_rc mc_store_stack_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                             struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = has_op(st, st->ops->stack_list != NULL, "stack_list", err);
    if (rc)
        return rc;
    return st->ops->stack_list(st, org, out, err);
}

mcred_rc mc_store_org_list(struct mc_store *st, struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = has_op(st, st->ops->org_list != NULL, "org_list", err);
    if (rc)
        return rc;
    return st->ops->org_list(st, out, err);
}

mcred_rc mc_store_stack_by_component(struct mc_store *st, int64_t org, const char *uri,
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
        rc = req_text(uri, "component achievement", err);
    if (!rc)
        rc = has_op(st, st->ops->stack_by_component != NULL, "stack_by_component", err);
    if (rc)
        return rc;
    return st->ops->stack_by_component(st, org, uri, out, err);
}

mcred_rc mc_store_stack_creds(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->stack_creds != NULL, "stack_creds", err);
    if (rc)
        return rc;
    return st->ops->stack_creds(st, org, learner, out, err);
}

mcred_rc mc_store_award_claim(struct mc_store *st, int64_t org, int64_t stack, int64_t learner,
                              time_t now, int64_t *award_id, struct mc_err *err)
{
    mcred_rc rc;

    if (award_id)
        *award_id = 0;
    rc = ready(st, err);
    if (!rc)
        rc = need(award_id, "award_id", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(stack, "stack", err);
    if (!rc)
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = has_op(st, st->ops->award_claim != NULL, "award_claim", err);
    if (rc)
        return rc;
    return explain(err, st->ops->award_claim(st, org, stack, learner, now, award_id, err),
                   MCRED_ERR_CONFLICT, "store: stack %lld was awarded to learner %lld already",
                   (long long)stack, (long long)learner);
}

mcred_rc mc_store_award_get(struct mc_store *st, int64_t org, int64_t stack, int64_t learner,
                            struct mc_stack_award *out, struct mc_err *err)
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
        rc = check_id(stack, "stack", err);
    if (!rc)
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->award_get != NULL, "award_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->award_get(st, org, stack, learner, out, err),
                   MCRED_ERR_NOTFOUND, "store: stack %lld has no award for learner %lld",
                   (long long)stack, (long long)learner);
}

mcred_rc mc_store_award_set(struct mc_store *st, int64_t org, int64_t award_id,
                            const char *cred_id, enum mc_award_state state, time_t now,
                            struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(award_id, "award", err);
    if (!rc)
        rc = opt_text(cred_id, "award credential", err);
    if (!rc && mc_award_state_name(state) == NULL)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: award state %d is not valid",
                        (int)state);
    if (!rc)
        rc = check_time(now, "time", err);
    if (!rc)
        rc = has_op(st, st->ops->award_set != NULL, "award_set", err);
    if (rc)
        return rc;
    return explain(err, st->ops->award_set(st, org, award_id, cred_id, state, now, err),
                   MCRED_ERR_NOTFOUND, "store: no award %lld", (long long)award_id);
}

mcred_rc mc_store_award_link(struct mc_store *st, int64_t org, int64_t award_id,
                             const char *cred_id, time_t valid_until, struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = check_id(award_id, "award", err);
    if (!rc)
        rc = req_text(cred_id, "component credential", err);
    if (!rc)
        rc = check_time(valid_until, "valid_until", err);
    if (!rc)
        rc = has_op(st, st->ops->award_link != NULL, "award_link", err);
    if (rc)
        return rc;
    return st->ops->award_link(st, org, award_id, cred_id, valid_until, err);
}

mcred_rc mc_store_award_list(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_opt_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->award_list != NULL, "award_list", err);
    if (rc)
        return rc;
    return st->ops->award_list(st, org, learner, out, err);
}

mcred_rc mc_store_award_due(struct mc_store *st, int64_t org, time_t now,
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
        rc = check_time(now, "time", err);
    if (!rc)
        rc = has_op(st, st->ops->award_due != NULL, "award_due", err);
    if (rc)
        return rc;
    return st->ops->award_due(st, org, now, out, err);
}

/* v4 assess: assessment attempts; a learner's credentials */
void mc_assessment_release(struct mc_assessment *r)
{
    if (!r)
        return;
    mc_free(r->achievement_uri);
    mc_free(r->rd_id);
    mc_free(r->kind);
    mc_free(r->value);
    mc_free(r->assessor);
    mc_free(r->evidence);
    mc_free(r->missing);
    mc_free(r->cred_id);
    memset(r, 0, sizeof(*r));
}

static void assessment_release_v(void *r)
{
    mc_assessment_release(r);
}

static mcred_rc read_assessment(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_assessment *a = row;
    static const int cols[] = { 4, 5, 6, 7, 8, 9, 11, 12 };
    char **const outs[] = { &a->achievement_uri, &a->rd_id, &a->kind, &a->value, &a->assessor,
                            &a->evidence, &a->missing, &a->cred_id };

    a->id = col_i64(r, 0);
    a->org_id = col_i64(r, 1);
    a->learner_id = col_i64(r, 2);
    a->achievement_id = col_i64(r, 3);
    a->met = col_i64(r, 10) != 0;
    a->at = (time_t)col_i64(r, 13);
    if (col_strs(r, cols, outs, 8))
        return read_fail(MCRED_ERR_NOMEM, a, assessment_release_v, "assessment", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_assessment, "assessment", struct mc_assessment, assessment_release_v,
         read_assessment);

static bool assess_kind_ok(const char *k)
{
    return k && (strcmp(k, "rubric") == 0 || strcmp(k, "score") == 0 ||
                 strcmp(k, "status") == 0);
}

mcred_rc mc_store_assess_put(struct mc_store *st, struct mc_assessment *in_out,
                             struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "assessment", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->learner_id, "learner", err);
    if (!rc)
        rc = check_id(in_out->achievement_id, "achievement", err);
    if (!rc)
        rc = req_text(in_out->achievement_uri, "assessment achievement", err);
    if (!rc)
        rc = req_text(in_out->rd_id, "assessment result description", err);
    if (!rc && !assess_kind_ok(in_out->kind))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "store: assessment kind '%.20s' is not "
                        "rubric, score or status", in_out->kind ? in_out->kind : "");
    if (!rc)
        rc = req_text(in_out->value, "assessment value", err);
    if (!rc)
        rc = req_text(in_out->assessor, "assessor", err);
    if (!rc)
        rc = req_doc(in_out->evidence, "assessment evidence", err);
    if (!rc && in_out->missing)
        rc = req_text(in_out->missing, "assessment missing", err);
    if (!rc && in_out->cred_id)
        rc = req_text(in_out->cred_id, "assessment credential id", err);
    if (!rc)
        rc = has_op(st, st->ops->assess_put != NULL, "assess_put", err);
    if (rc)
        return rc;
    return st->ops->assess_put(st, in_out, err);
}

mcred_rc mc_store_assess_list(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->assess_list != NULL, "assess_list", err);
    if (rc)
        return rc;
    return st->ops->assess_list(st, org, learner, out, err);
}

mcred_rc mc_store_cred_list_learner(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->cred_list_learner != NULL, "cred_list_learner", err);
    if (rc)
        return rc;
    return st->ops->cred_list_learner(st, org, learner, out, err);
}

/* v4 positions: employers' positions, shares with organisations */
void mc_position_release(struct mc_position *r)
{
    if (!r)
        return;
    mc_free(r->title);
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

void mc_org_share_release(struct mc_org_share *r)
{
    if (!r)
        return;
    mc_free(r->scope);
    memset(r, 0, sizeof(*r));
}

void mc_cand_cred_release(struct mc_cand_cred *r)
{
    if (!r)
        return;
    mc_free(r->cred_id);
    mc_free(r->achievement_uri);
    mc_free(r->achievement_json);
    mc_free(r->doc);
    memset(r, 0, sizeof(*r));
}

static void position_release_v(void *r)
{
    mc_position_release(r);
}

static void org_share_release_v(void *r)
{
    mc_org_share_release(r);
}

static void cand_cred_release_v(void *r)
{
    mc_cand_cred_release(r);
}

static mcred_rc read_position(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_position *p = row;
    static const int cols[] = { 2, 3 };
    char **const outs[] = { &p->title, &p->doc };

    p->id = col_i64(r, 0);
    p->org_id = col_i64(r, 1);
    p->created = (time_t)col_i64(r, 4);
    if (col_strs(r, cols, outs, 2))
        return read_fail(MCRED_ERR_NOMEM, p, position_release_v, "position", err);
    return MCRED_OK;
}

static mcred_rc read_org_share(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_org_share *s = row;
    static const int cols[] = { 4 };
    char **const outs[] = { &s->scope };

    s->id = col_i64(r, 0);
    s->employer_id = col_i64(r, 1);
    s->org_id = col_i64(r, 2);
    s->learner_id = col_i64(r, 3);
    s->created = (time_t)col_i64(r, 5);
    if (col_strs(r, cols, outs, 1))
        return read_fail(MCRED_ERR_NOMEM, s, org_share_release_v, "share", err);
    return MCRED_OK;
}

static mcred_rc read_cand_cred(const struct mc_row *r, void *row, struct mc_err *err)
{
    struct mc_cand_cred *c = row;
    static const int cols[] = { 0, 1, 2, 6 };
    char **const outs[] = { &c->cred_id, &c->achievement_uri, &c->achievement_json, &c->doc };
    const char *state = r->ops->text(r, 3);

    c->issued = (time_t)col_i64(r, 4);
    c->valid_until = (time_t)col_i64(r, 5);
    if (state && mc_cred_state_parse(state, &c->state))
        return bad_value(err, "credential state", state);
    if (col_strs(r, cols, outs, 4))
        return read_fail(MCRED_ERR_NOMEM, c, cand_cred_release_v, "credential", err);
    return MCRED_OK;
}

ROW_TYPE(mc_row_position, "position", struct mc_position, position_release_v, read_position);
ROW_TYPE(mc_row_org_share, "share", struct mc_org_share, org_share_release_v, read_org_share);
ROW_TYPE(mc_row_cand_cred, "credential", struct mc_cand_cred, cand_cred_release_v,
         read_cand_cred);

mcred_rc mc_store_position_put(struct mc_store *st, struct mc_position *in_out,
                               struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "position", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = req_text(in_out->title, "position title", err);
    if (!rc)
        rc = check_str(in_out->doc, true, MC_STORE_MAX_DOC, "position document", err);
    if (!rc)
        rc = check_time(in_out->created, "position created", err);
    if (!rc)
        rc = has_op(st, st->ops->position_put != NULL, "position_put", err);
    if (rc)
        return rc;
    return st->ops->position_put(st, in_out, err);
}

mcred_rc mc_store_position_get(struct mc_store *st, int64_t org, int64_t id,
                               struct mc_position *out, struct mc_err *err)
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
        rc = check_id(id, "position", err);
    if (!rc)
        rc = has_op(st, st->ops->position_get != NULL, "position_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->position_get(st, org, id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no position %lld", (long long)id);
}

mcred_rc mc_store_position_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(org, "organisation", err);
    if (!rc)
        rc = has_op(st, st->ops->position_list != NULL, "position_list", err);
    if (rc)
        return rc;
    return st->ops->position_list(st, org, out, err);
}

mcred_rc mc_store_org_share_put(struct mc_store *st, struct mc_org_share *in_out,
                                struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in_out, "share", err);
    if (!rc)
        rc = check_id(in_out->employer_id, "organisation shared with", err);
    if (!rc)
        rc = check_id(in_out->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in_out->learner_id, "learner", err);
    if (!rc)
        rc = check_str(in_out->scope, false, MC_STORE_MAX_DOC, "share scope", err);
    if (!rc)
        rc = check_time(in_out->created, "share created", err);
    if (!rc)
        rc = has_op(st, st->ops->org_share_put != NULL, "org_share_put", err);
    if (rc)
        return rc;
    return explain(err, st->ops->org_share_put(st, in_out, err), MCRED_ERR_NOTFOUND,
                   "store: no organisation %lld, or no learner %lld in organisation %lld",
                   (long long)in_out->employer_id, (long long)in_out->learner_id,
                   (long long)in_out->org_id);
}

mcred_rc mc_store_org_share_list(struct mc_store *st, int64_t employer,
                                 struct mc_store_list *out, struct mc_err *err)
{
    mcred_rc rc;

    list_zero(out);
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = check_id(employer, "organisation", err);
    if (!rc)
        rc = has_op(st, st->ops->org_share_list != NULL, "org_share_list", err);
    if (rc)
        return rc;
    return st->ops->org_share_list(st, employer, out, err);
}

mcred_rc mc_store_cand_creds(struct mc_store *st, int64_t org, int64_t learner,
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = has_op(st, st->ops->cand_creds != NULL, "cand_creds", err);
    if (rc)
        return rc;
    return st->ops->cand_creds(st, org, learner, out, err);
}

/* v4 wallet pages: replacing a wallet item; wallet items' share links */
mcred_rc mc_store_wallet_update(struct mc_store *st, const struct mc_wallet_item *in,
                                struct mc_err *err)
{
    mcred_rc rc = ready(st, err);

    if (!rc)
        rc = need(in, "wallet item", err);
    if (!rc)
        rc = check_id(in->org_id, "organisation", err);
    if (!rc)
        rc = check_id(in->learner_id, "learner", err);
    if (!rc)
        rc = check_id(in->id, "wallet item", err);
    if (!rc)
        rc = req_text(in->hash, "wallet item hash", err);
    if (!rc)
        rc = req_text(in->format, "wallet item format", err);
    if (!rc)
        rc = req_text(in->source, "wallet item source", err);
    if (!rc)
        rc = req_text(in->verdict, "wallet item verdict", err);
    if (!rc)
        rc = req_doc(in->report, "wallet item report", err);
    if (!rc)
        rc = req_doc(in->doc, "wallet item document", err);
    if (!rc && in->cred_id)
        rc = req_text(in->cred_id, "wallet item credential id", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_update != NULL, "wallet_update", err);
    if (rc)
        return rc;
    rc = explain(err, st->ops->wallet_update(st, in, err), MCRED_ERR_NOTFOUND,
                 "store: learner %lld has no wallet item %lld", (long long)in->learner_id,
                 (long long)in->id);
    return explain(err, rc, MCRED_ERR_CONFLICT,
                   "store: the learner already holds this credential in another item");
}

mcred_rc mc_store_wallet_share_put(struct mc_store *st, int64_t org, int64_t learner,
                                   int64_t item, const char *share_id, bool enabled, time_t now,
                                   struct mc_share *out, struct mc_err *err)
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = check_id(item, "wallet item", err);
    if (!rc)
        rc = req_text(share_id, "share id", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_share_put != NULL, "wallet_share_put", err);
    if (rc)
        return rc;
    rc = explain(err, st->ops->wallet_share_put(st, org, learner, item, share_id, enabled,
                                                mc_store_time(now), out, err),
                 MCRED_ERR_NOTFOUND, "store: learner %lld has no wallet item %lld",
                 (long long)learner, (long long)item);
    return explain(err, rc, MCRED_ERR_CONFLICT, "store: share id '%s' is taken", share_id);
}

mcred_rc mc_store_wallet_share_get(struct mc_store *st, int64_t org, int64_t learner,
                                   int64_t item, struct mc_share *out, struct mc_err *err)
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
        rc = check_id(learner, "learner", err);
    if (!rc)
        rc = check_id(item, "wallet item", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_share_get != NULL, "wallet_share_get", err);
    if (rc)
        return rc;
    return explain(err, st->ops->wallet_share_get(st, org, learner, item, out, err),
                   MCRED_ERR_NOTFOUND, "store: wallet item %lld has no share link",
                   (long long)item);
}

mcred_rc mc_store_wallet_share_item(struct mc_store *st, const char *share_id,
                                    struct mc_wallet_item *out, struct mc_err *err)
{
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = ready(st, err);
    if (!rc)
        rc = need(out, "out", err);
    if (!rc)
        rc = req_text(share_id, "share id", err);
    if (!rc)
        rc = has_op(st, st->ops->wallet_share_item != NULL, "wallet_share_item", err);
    if (rc)
        return rc;
    return explain(err, st->ops->wallet_share_item(st, share_id, out, err), MCRED_ERR_NOTFOUND,
                   "store: no shared wallet item '%s'", share_id);
}
