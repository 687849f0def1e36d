/* store_pg.c - the PostgreSQL backend of the platform store over libpq:
 * statements prepared once per connection (PQprepare on first use, then
 * PQexecPrepared), values passed as text parameters only, unique violations
 * (SQLSTATE 23505) reported as CONFLICT. The SQL dialect of PostgreSQL stays
 * in this file.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/store_int.h"

#define PG_MIN_VERSION 110000          /* identity columns, EXECUTE FUNCTION */
#define PG_MIGRATE_LOCK "7166804356" /* pg_advisory_xact_lock key of migrations */

/* Every statement this backend prepares, on first use, as "mc<N>". */
enum pg_q {
    Q_MIG_EXISTS, Q_MIG_VERSION, Q_MIG_RECORD,
    Q_ORG_CREATE, Q_ORG_GET, Q_ORG_FIND,
    Q_USER_ADD, Q_USER_LIST, Q_TOKEN_ADD, Q_TOKEN_FIND,
    Q_ISSUER_INS, Q_ISSUER_UPD, Q_ISSUER_GET,
    Q_KEY_ADD, Q_KEY_LIST, Q_KEY_RETIRE, Q_KEY_EXISTS,
    Q_ACH_PUT, Q_ACH_GET_ID, Q_ACH_GET_URI, Q_ACH_LIST,
    Q_LEARNER_INS, Q_LEARNER_UPD, Q_LEARNER_EXISTS, Q_LEARNER_GET_ID, Q_LEARNER_GET_KEY,
    Q_LEARNER_LIST,
    Q_SL_CREATE, Q_SL_GET, Q_SL_FIND, Q_SL_ALL, Q_SL_CURRENT, Q_SL_ALLOC, Q_SL_PURPOSE,
    Q_SL_SET_DOC,
    Q_BITS_REV, Q_BITS_SUS,
    Q_CRED_PUT, Q_CRED_HOLDER, Q_CRED_GET, Q_CRED_IDEM, Q_CRED_STATE, Q_CRED_EXISTS,
    Q_CRED_LIST, Q_CRED_COUNT,
    Q_AUDIT_ADD, Q_AUDIT_LIST,
    /* v3 core */
    Q_ISSUER_LIST, Q_SL_BY_URL,
    /* v3 web */
    /* v3 oauth */
    /* v3 platform */
    Q_COUNT
};

static const char *const pg_sql[Q_COUNT] = {
    [Q_MIG_EXISTS] = "SELECT 1 WHERE to_regclass('mc_schema') IS NOT NULL",
    [Q_MIG_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM mc_schema",
    [Q_MIG_RECORD] = "INSERT INTO mc_schema (version, name, applied) VALUES ($1, $2, $3)",

    [Q_ORG_CREATE] = "INSERT INTO orgs (name, created) VALUES ($1, $2) "
                     "ON CONFLICT DO NOTHING RETURNING org_id",
    [Q_ORG_GET] = "SELECT " MC_ORG_COLS " FROM orgs WHERE org_id = $1",
    [Q_ORG_FIND] = "SELECT " MC_ORG_COLS " FROM orgs WHERE name = $1",

    [Q_USER_ADD] = "INSERT INTO users (org_id, email, role, created) VALUES ($1, $2, $3, $4) "
                   "ON CONFLICT DO NOTHING RETURNING id",
    [Q_USER_LIST] = "SELECT " MC_USER_COLS " FROM users WHERE org_id = $1 ORDER BY id",
    [Q_TOKEN_ADD] = "INSERT INTO tokens (hash, org_id, user_id, created) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [Q_TOKEN_FIND] = "SELECT u.id, u.org_id, u.email, u.role, u.created FROM tokens t "
                     "JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id "
                     "WHERE t.hash = $1",

    [Q_ISSUER_INS] = "INSERT INTO issuers (org_id, name, url, email, image, did, created) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    [Q_ISSUER_UPD] = "UPDATE issuers SET name = $3, url = $4, email = $5, image = $6, did = $7 "
                     "WHERE org_id = $1 AND id = $2 RETURNING created",
    [Q_ISSUER_GET] = "SELECT " MC_ISSUER_COLS " FROM issuers WHERE org_id = $1 AND id = $2",

    [Q_KEY_ADD] = "INSERT INTO issuer_keys (org_id, issuer_id, vm_id, public_multibase, "
                  "key_file, created, retired) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                  "ON CONFLICT DO NOTHING RETURNING id",
    [Q_KEY_LIST] = "SELECT " MC_KEY_COLS " FROM issuer_keys WHERE org_id = $1 AND "
                   "issuer_id = $2 ORDER BY created, id",
    [Q_KEY_RETIRE] = "UPDATE issuer_keys SET retired = $3 "
                     "WHERE org_id = $1 AND id = $2 AND retired IS NULL",
    [Q_KEY_EXISTS] = "SELECT 1 FROM issuer_keys WHERE org_id = $1 AND id = $2",

    [Q_ACH_PUT] = "INSERT INTO achievements (org_id, uri, version, json, created) "
                  "SELECT $1::bigint, $2::text, COALESCE(MAX(version), 0) + 1, $3::text, "
                  "$4::bigint FROM achievements WHERE org_id = $1::bigint AND uri = $2::text "
                  "ON CONFLICT DO NOTHING RETURNING id, version",
    [Q_ACH_GET_ID] = "SELECT " MC_ACH_COLS " FROM achievements WHERE org_id = $1 AND id = $2",
    [Q_ACH_GET_URI] = "SELECT " MC_ACH_COLS " FROM achievements WHERE org_id = $1 AND "
                      "uri = $2 ORDER BY version DESC LIMIT 1",
    [Q_ACH_LIST] = "SELECT " MC_ACH_COLS " FROM achievements a WHERE org_id = $1 AND "
                   "version = (SELECT MAX(b.version) FROM achievements b "
                   "WHERE b.org_id = a.org_id AND b.uri = a.uri) ORDER BY uri",

    [Q_LEARNER_INS] = "INSERT INTO learners (org_id, name, email, did, created) "
                      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
    [Q_LEARNER_UPD] = "UPDATE learners SET name = $3, email = $4, did = $5 "
                      "WHERE org_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM learners o "
                      "WHERE o.org_id = $1 AND o.id <> $2 AND (o.email = $4 OR o.did = $5)) "
                      "RETURNING created",
    [Q_LEARNER_EXISTS] = "SELECT 1 FROM learners WHERE org_id = $1 AND id = $2",
    [Q_LEARNER_GET_ID] = "SELECT " MC_LEARNER_COLS " FROM learners "
                         "WHERE org_id = $1 AND id = $2",
    [Q_LEARNER_GET_KEY] = "SELECT " MC_LEARNER_COLS " FROM learners WHERE org_id = $1 AND "
                          "(email = $2 OR did = $2) "
                          "ORDER BY (email = $2) IS TRUE DESC, id LIMIT 1",
    [Q_LEARNER_LIST] = "SELECT " MC_LEARNER_COLS " FROM learners WHERE org_id = $1 "
                       "ORDER BY id",

    [Q_SL_CREATE] = "INSERT INTO status_lists (org_id, issuer_id, purpose, url, size, "
                    "next_index, doc, updated) VALUES ($1, $2, $3, $4, $5, 0, $6, $7) "
                    "ON CONFLICT DO NOTHING RETURNING id",
    [Q_SL_GET] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = $1 AND id = $2",
    [Q_SL_FIND] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = $1 AND url = $2",
    [Q_SL_ALL] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = $1 ORDER BY id",
    [Q_SL_CURRENT] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = $1 AND "
                     "issuer_id = $2 AND purpose = $3 AND next_index < size "
                     "ORDER BY id DESC LIMIT 1",
    [Q_SL_ALLOC] = "UPDATE status_lists SET next_index = next_index + $3 "
                   "WHERE org_id = $1 AND id = $2 AND next_index + $3 <= size "
                   "RETURNING next_index - $3",
    [Q_SL_PURPOSE] = "SELECT purpose FROM status_lists WHERE org_id = $1 AND id = $2",
    [Q_SL_SET_DOC] = "UPDATE status_lists SET doc = $3, updated = $4 "
                     "WHERE org_id = $1 AND id = $2",
    [Q_BITS_REV] = "SELECT status_index_rev FROM credentials WHERE org_id = $1 AND "
                   "status_list_rev = $2 AND state = 'revoked' ORDER BY status_index_rev",
    [Q_BITS_SUS] = "SELECT status_index_sus FROM credentials WHERE org_id = $1 AND "
                   "status_list_sus = $2 AND state = 'suspended' ORDER BY status_index_sus",

    [Q_CRED_PUT] = "INSERT INTO credentials (" MC_CRED_COLS ") VALUES ($1, $2, $3, $4, $5, "
                   "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING",
    [Q_CRED_HOLDER] = "SELECT id FROM credentials WHERE id = $2 "
                      "OR (org_id = $1 AND idem_key = $3) "
                      "OR (org_id = $1 AND status_list_rev = $4 AND status_index_rev = $5) "
                      "OR (org_id = $1 AND status_list_sus = $6 AND status_index_sus = $7) "
                      "ORDER BY CASE WHEN org_id = $1 AND idem_key = $3 THEN 0 "
                      "WHEN id = $2 THEN 1 ELSE 2 END LIMIT 1",
    [Q_CRED_GET] = "SELECT " MC_CRED_COLS " FROM credentials WHERE org_id = $1 AND id = $2",
    [Q_CRED_IDEM] = "SELECT " MC_CRED_COLS " FROM credentials "
                    "WHERE org_id = $1 AND idem_key = $2",
    [Q_CRED_STATE] = "UPDATE credentials SET state = $3, reason = $4 "
                     "WHERE org_id = $1 AND id = $2 AND state <> 'revoked'",
    [Q_CRED_EXISTS] = "SELECT 1 FROM credentials WHERE org_id = $1 AND id = $2",
    [Q_CRED_LIST] = "SELECT " MC_CRED_COLS " FROM credentials WHERE org_id = $1 "
                    "ORDER BY issued, id LIMIT $2 OFFSET $3",
    [Q_CRED_COUNT] = "SELECT COUNT(*) FROM credentials WHERE org_id = $1",

    [Q_AUDIT_ADD] = "INSERT INTO audit (org_id, at, actor, action, subject, detail) "
                    "VALUES ($1, $2, $3, $4, $5, $6)",
    [Q_AUDIT_LIST] = "SELECT " MC_AUDIT_COLS " FROM audit WHERE org_id = $1 "
                     "ORDER BY id DESC LIMIT $2",
    /* v3 core */
    [Q_ISSUER_LIST] = "SELECT " MC_ISSUER_COLS " FROM issuers WHERE org_id = $1 ORDER BY id",
    [Q_SL_BY_URL] = "SELECT " MC_SL_COLS " FROM status_lists WHERE url = $1 "
                    "ORDER BY id LIMIT 1",
    /* v3 web */
    /* v3 oauth */
    /* v3 platform */
};

/* Run before the numbered migrations, under the advisory lock. */
static const char pg_schema_table[] =
    "CREATE TABLE IF NOT EXISTS mc_schema (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied BIGINT NOT NULL)";

struct pg_store {
    struct mc_store base;           /* first: the handle callers hold */
    PGconn *conn;
    bool prepared[Q_COUNT];         /* statement "mc<N>" exists on this connection */
};

static struct pg_store *pg(struct mc_store *st)
{
    return (struct pg_store *)st;
}

/* --- errors, statements, rows --------------------------------------------------- */

/* libpq prints notices (NOTICE, WARNING) to stderr by default; the library
 * never prints. */
static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Length of msg without its trailing newlines. */
static int pg_msglen(const char *msg)
{
    size_t n = strlen(msg);

    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        n--;
    return n > 1000 ? 1000 : (int)n;
}

/* Map a failed result (res may be NULL) to a result code with the server's
 * message, and doom an open transaction. */
static mcred_rc pg_error_msg(struct pg_store *p, const PGresult *res, const char *what,
                             struct mc_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    mcred_rc code = MCRED_ERR_STORAGE;

    mc_store_doom(&p->base);
    if (!msg)
        msg = PQerrorMessage(p->conn);
    if (state && strcmp(state, "23505") == 0)
        code = MCRED_ERR_CONFLICT;               /* unique_violation */
    else if (state && strncmp(state, "23", 2) == 0)
        code = MCRED_ERR_INVALID;                /* foreign key, check, not null */
    else if (!res && PQstatus(p->conn) == CONNECTION_OK)
        code = MCRED_ERR_NOMEM;                  /* libpq could not allocate a result */
    return mc_err_set(err, code, "store postgres: %.*s (in '%.60s')", pg_msglen(msg), msg,
                      what);
}

/* pg_error_msg, then clear res. A lost connection is reset so the handle
 * works again for the next op (its statements are then prepared anew). */
static mcred_rc pg_error(struct pg_store *p, PGresult *res, const char *what,
                         struct mc_err *err)
{
    mcred_rc code = pg_error_msg(p, res, what, err);

    PQclear(res);
    if (PQstatus(p->conn) == CONNECTION_BAD) {
        PQreset(p->conn);
        memset(p->prepared, 0, sizeof(p->prepared));
    }
    return code;
}

/* Statement q's name on the connection. */
static void pg_name(enum pg_q q, char name[16])
{
    (void)snprintf(name, 16, "mc%d", (int)q);
}

/* Prepare q on this connection unless done already. */
static mcred_rc pg_prepare(struct pg_store *p, enum pg_q q, struct mc_err *err)
{
    char name[16];
    PGresult *res;

    if (p->prepared[q])
        return MCRED_OK;
    pg_name(q, name);
    res = PQprepare(p->conn, name, pg_sql[q], 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return pg_error(p, res, pg_sql[q], err);
    PQclear(res);
    p->prepared[q] = true;
    return MCRED_OK;
}

/* The parameters as libpq's text values (NULL for SQL NULL); integers are
 * written into nums. n <= MC_MAX_PARAMS. */
static void pg_values(const struct mc_param *prm, size_t n, const char **vals,
                      char nums[][24])
{
    size_t i;

    for (i = 0; i < n; i++) {
        vals[i] = NULL;
        if (prm[i].kind == MC_P_TEXT) {
            vals[i] = prm[i].s;
        } else if (prm[i].kind == MC_P_I64) {
            (void)snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)prm[i].i);
            vals[i] = nums[i];
        }
    }
}

/* Run q with params; *out: OUT, the result (PQclear) on success. */
static mcred_rc pg_run(struct pg_store *p, enum pg_q q, const struct mc_param *prm, size_t n,
                       PGresult **out, struct mc_err *err)
{
    const char *vals[MC_MAX_PARAMS];
    char nums[MC_MAX_PARAMS][24];
    char name[16];
    PGresult *res;
    ExecStatusType status;
    mcred_rc rc;

    *out = NULL;
    if (n > MC_MAX_PARAMS)
        return mc_err_set(err, MCRED_ERR_INTERNAL, "store postgres: %zu parameters", n);
    rc = pg_prepare(p, q, err);
    if (rc)
        return rc;
    pg_name(q, name);
    pg_values(prm, n, vals, nums);
    res = PQexecPrepared(p->conn, name, (int)n, n ? vals : NULL, NULL, NULL, 0);
    status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return pg_error(p, res, pg_sql[q], err);
    *out = res;
    return MCRED_OK;
}

/* Run a fixed statement without parameters (simple protocol). */
static mcred_rc pg_simple(struct pg_store *p, const char *sql, struct mc_err *err)
{
    PGresult *res = PQexec(p->conn, sql);
    ExecStatusType status = PQresultStatus(res);

    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return pg_error(p, res, sql, err);
    PQclear(res);
    return MCRED_OK;
}

/* Run q; *changes (may be NULL): rows it changed. */
static mcred_rc pg_exec(struct pg_store *p, enum pg_q q, const struct mc_param *prm, size_t n,
                        int *changes, struct mc_err *err)
{
    PGresult *res;
    mcred_rc rc = pg_run(p, q, prm, n, &res, err);

    if (rc)
        return rc;
    if (changes)
        *changes = (int)strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return MCRED_OK;
}

static int64_t pg_parse_i64(const char *v)
{
    return v ? (int64_t)strtoll(v, NULL, 10) : 0;
}

/* Run q and read integer column 0 of its first row; NOTFOUND when none. */
static mcred_rc pg_i64(struct pg_store *p, enum pg_q q, const struct mc_param *prm, size_t n,
                       int64_t *v, struct mc_err *err)
{
    PGresult *res;
    mcred_rc rc = pg_run(p, q, prm, n, &res, err);

    if (rc)
        return rc;
    rc = MCRED_ERR_NOTFOUND;
    if (PQntuples(res) > 0) {
        *v = PQgetisnull(res, 0, 0) ? 0 : pg_parse_i64(PQgetvalue(res, 0, 0));
        rc = MCRED_OK;
    }
    PQclear(res);
    return rc;
}

static bool pg_is_null(const struct mc_row *r, int col)
{
    return PQgetisnull(r->res, r->row, col) != 0;
}

static int64_t pg_col_i64(const struct mc_row *r, int col)
{
    if (pg_is_null(r, col))
        return 0;
    return pg_parse_i64(PQgetvalue(r->res, r->row, col));
}

static const char *pg_col_text(const struct mc_row *r, int col)
{
    if (pg_is_null(r, col))
        return NULL;
    return PQgetvalue(r->res, r->row, col);
}

static const struct mc_row_ops pg_row_ops = { pg_is_null, pg_col_i64, pg_col_text };

/* Run q and read its first row of type t into out; NOTFOUND when none. */
static mcred_rc pg_one(struct pg_store *p, enum pg_q q, const struct mc_param *prm, size_t n,
                       const struct mc_row_type *t, void *out, struct mc_err *err)
{
    PGresult *res;
    struct mc_row r = { &pg_row_ops, NULL, 0 };
    mcred_rc rc = pg_run(p, q, prm, n, &res, err);

    if (rc)
        return rc;
    r.res = res;
    rc = PQntuples(res) > 0 ? t->read(&r, out, err) : MCRED_ERR_NOTFOUND;
    PQclear(res);
    return rc;
}

/* Run q and read all its rows of type t into out. */
static mcred_rc pg_list(struct pg_store *p, enum pg_q q, const struct mc_param *prm, size_t n,
                        const struct mc_row_type *t, struct mc_store_list *out,
                        struct mc_err *err)
{
    PGresult *res;
    struct mc_row r = { &pg_row_ops, NULL, 0 };
    size_t cap = 0;
    void *dst;
    int i, rows;
    mcred_rc rc;

    mc_store_list_start(out, t);
    rc = pg_run(p, q, prm, n, &res, err);
    if (rc)
        return rc;
    r.res = res;
    rows = PQntuples(res);
    for (i = 0; i < rows && !rc; i++) {
        r.row = i;
        dst = mc_store_list_add(out, &cap);
        rc = dst ? t->read(&r, dst, err)
                 : mc_err_set(err, MCRED_ERR_NOMEM, "store: out of memory listing rows");
    }
    PQclear(res);
    if (rc)
        mc_store_list_clear(out);
    return rc;
}

/* An INSERT ... ON CONFLICT DO NOTHING RETURNING that returned no row hit a
 * unique key. */
static mcred_rc conflict_if_none(mcred_rc rc)
{
    return rc == MCRED_ERR_NOTFOUND ? MCRED_ERR_CONFLICT : rc;
}

#define NP(a) (sizeof(a) / sizeof((a)[0]))

/* --- opening, migrations, transactions -------------------------------------------- */

static void pg_close(struct mc_store *st)
{
    struct pg_store *p = pg(st);

    if (!p)
        return;
    PQfinish(p->conn);
    mc_free(p);
}

/* dsn: a URI (postgresql://...) or keyword string (host=... dbname=...).
 * Defaults that the dsn may override: a 10 s connect timeout, UTF-8. */
static mcred_rc pg_open(struct mc_store **out, const char *dsn, struct mc_err *err)
{
    static const char *const keys[] = { "connect_timeout", "client_encoding",
                                        "application_name", "dbname", NULL };
    const char *vals[] = { "10", "UTF8", "microcred", dsn, NULL };
    struct pg_store *p;

    *out = NULL;
    p = mc_calloc(1, sizeof(*p));
    if (!p)
        return mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory");
    p->base.ops = &mc_store_pg_ops;
    p->conn = PQconnectdbParams(keys, vals, 1);
    if (!p->conn) {
        mc_free(p);
        return mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory connecting");
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(p->conn);

        /* the message names host and database, never the password */
        mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: cannot connect: %.*s",
                   pg_msglen(msg), msg);
        pg_close(&p->base);
        return MCRED_ERR_STORAGE;
    }
    PQsetNoticeProcessor(p->conn, pg_quiet, NULL);
    if (PQserverVersion(p->conn) < PG_MIN_VERSION) {
        mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: server version %d is older than "
                   "the %d this store needs", PQserverVersion(p->conn), PG_MIN_VERSION);
        pg_close(&p->base);
        return MCRED_ERR_STORAGE;
    }
    *out = &p->base;
    return MCRED_OK;
}

static mcred_rc pg_rollback(struct mc_store *st)
{
    return pg_simple(pg(st), "ROLLBACK", NULL);
}

/* The schema version without any lock (0: no schema yet). */
static mcred_rc pg_version(struct pg_store *p, int64_t *have, struct mc_err *err)
{
    int64_t one = 0;
    mcred_rc rc = pg_i64(p, Q_MIG_EXISTS, NULL, 0, &one, err);

    *have = 0;
    if (rc == MCRED_ERR_NOTFOUND)
        return MCRED_OK;
    if (rc)
        return rc;
    return pg_i64(p, Q_MIG_VERSION, NULL, 0, have, err);
}

/* Apply the pending migrations in one transaction, under an advisory lock
 * that serialises servers migrating the same database at once. A schema
 * already up to date is seen with a plain read. */
static mcred_rc pg_migrate(struct mc_store *st, int *version, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    const size_t n = mc_migrations_postgres_n;
    int64_t have = 0;
    size_t i;
    mcred_rc rc = pg_version(p, &have, err);

    if (!rc && have == (int64_t)n) {
        *version = (int)n;
        return MCRED_OK;
    }
    if (!rc)
        rc = pg_simple(p, "BEGIN", err);
    if (rc)
        return rc;
    rc = pg_simple(p, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")", err);
    if (!rc)
        rc = pg_simple(p, pg_schema_table, err);
    if (!rc)
        rc = pg_i64(p, Q_MIG_VERSION, NULL, 0, &have, err);
    if (rc)
        goto out_rollback;
    if (have > (int64_t)n) {
        rc = mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: the database has schema "
                        "version %lld, newer than this build's %zu", (long long)have, n);
        goto out_rollback;
    }
    for (i = (size_t)have; i < n; i++) {
        const struct mc_migration *m = &mc_migrations_postgres[i];
        struct mc_param prm[] = { mc_p_i64(m->version), mc_p_text(m->name),
                                  mc_p_i64(mc_store_time(0)) };

        rc = pg_simple(p, m->sql, err);
        if (!rc)
            rc = pg_exec(p, Q_MIG_RECORD, prm, NP(prm), NULL, err);
        if (rc)
            goto out_rollback;
    }
    rc = pg_simple(p, "COMMIT", err);
    if (rc)
        return rc;
    *version = (int)n;
    return MCRED_OK;

out_rollback:
    (void)pg_rollback(st);
    return rc;
}

static mcred_rc pg_begin(struct mc_store *st, struct mc_err *err)
{
    return pg_simple(pg(st), "BEGIN", err);
}

/* COMMIT of a transaction the server had aborted answers "ROLLBACK". */
static mcred_rc pg_commit(struct mc_store *st, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    PGresult *res = PQexec(p->conn, "COMMIT");

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return pg_error(p, res, "COMMIT", err);
    if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        PQclear(res);
        return mc_err_set(err, MCRED_ERR_STORAGE,
                          "store postgres: the server rolled the transaction back");
    }
    PQclear(res);
    return MCRED_OK;
}

/* --- organisations, users, tokens ---------------------------------------------------- */

static mcred_rc pg_org_create(struct mc_store *st, const char *name, int64_t *id,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(name), mc_p_i64(mc_store_time(0)) };

    return conflict_if_none(pg_i64(pg(st), Q_ORG_CREATE, p, NP(p), id, err));
}

static mcred_rc pg_org_get(struct mc_store *st, int64_t id, struct mc_org *out,
                           struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(id) };

    return pg_one(pg(st), Q_ORG_GET, p, NP(p), &mc_row_org, out, err);
}

static mcred_rc pg_org_find(struct mc_store *st, const char *name, struct mc_org *out,
                            struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(name) };

    return pg_one(pg(st), Q_ORG_FIND, p, NP(p), &mc_row_org, out, err);
}

static mcred_rc pg_user_add(struct mc_store *st, int64_t org, const char *email,
                            enum mc_role role, int64_t *id, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(email), mc_p_text(mc_role_name(role)),
                            mc_p_i64(mc_store_time(0)) };

    return conflict_if_none(pg_i64(pg(st), Q_USER_ADD, p, NP(p), id, err));
}

static mcred_rc pg_user_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                             struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_USER_LIST, p, NP(p), &mc_row_user, out, err);
}

static mcred_rc pg_token_add(struct mc_store *st, int64_t org, int64_t user,
                             const char *token_hash, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(token_hash), mc_p_i64(org), mc_p_i64(user),
                            mc_p_i64(mc_store_time(0)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_TOKEN_ADD, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_token_find(struct mc_store *st, const char *token_hash, struct mc_user *out,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(token_hash) };

    return pg_one(pg(st), Q_TOKEN_FIND, p, NP(p), &mc_row_user, out, err);
}

/* --- issuers and keys ----------------------------------------------------------------- */

static mcred_rc pg_issuer_put(struct mc_store *st, struct mc_issuer *in_out, struct mc_err *err)
{
    struct mc_issuer *is = in_out;
    int64_t v = 0;
    mcred_rc rc;

    if (is->id == 0) {
        struct mc_param p[] = { mc_p_i64(is->org_id), mc_p_text(is->name), mc_p_text(is->url),
                                mc_p_text(is->email), mc_p_text(is->image),
                                mc_p_text(is->did), mc_p_i64(mc_store_time(is->created)) };

        rc = pg_i64(pg(st), Q_ISSUER_INS, p, NP(p), &v, err);
        if (!rc) {
            is->id = v;
            is->created = (time_t)p[6].i;
        }
        return rc;
    } else {
        struct mc_param p[] = { mc_p_i64(is->org_id), mc_p_i64(is->id), mc_p_text(is->name),
                                mc_p_text(is->url), mc_p_text(is->email),
                                mc_p_text(is->image), mc_p_text(is->did) };

        rc = pg_i64(pg(st), Q_ISSUER_UPD, p, NP(p), &v, err);
        if (!rc)
            is->created = (time_t)v;
        return rc;
    }
}

static mcred_rc pg_issuer_get(struct mc_store *st, int64_t org, int64_t id,
                              struct mc_issuer *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return pg_one(pg(st), Q_ISSUER_GET, p, NP(p), &mc_row_issuer, out, err);
}

static mcred_rc pg_key_add(struct mc_store *st, struct mc_issuer_key *in_out,
                           struct mc_err *err)
{
    struct mc_issuer_key *k = in_out;
    struct mc_param p[] = { mc_p_i64(k->org_id), mc_p_i64(k->issuer_id), mc_p_text(k->vm_id),
                            mc_p_text(k->public_multibase), mc_p_text(k->key_file),
                            mc_p_i64(mc_store_time(k->created)), mc_p_opt(k->retired) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(pg_i64(pg(st), Q_KEY_ADD, p, NP(p), &id, err));

    if (!rc) {
        k->id = id;
        k->created = (time_t)p[5].i;
    }
    return rc;
}

static mcred_rc pg_key_list(struct mc_store *st, int64_t org, int64_t issuer,
                            struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(issuer) };

    return pg_list(pg(st), Q_KEY_LIST, p, NP(p), &mc_row_key, out, err);
}

/* CONFLICT (the row exists) or NOTFOUND after an UPDATE matched no row. */
static mcred_rc pg_which_miss(struct pg_store *p, enum pg_q exists, int64_t org,
                              const char *key_text, int64_t key_id, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_i64(org),
                              key_text ? mc_p_text(key_text) : mc_p_i64(key_id) };
    int64_t one = 0;
    mcred_rc rc = pg_i64(p, exists, prm, NP(prm), &one, err);

    return rc ? rc : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_key_retire(struct mc_store *st, int64_t org, int64_t key_id, time_t when,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(key_id), mc_p_i64(when) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_KEY_RETIRE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    return pg_which_miss(pg(st), Q_KEY_EXISTS, org, NULL, key_id, err);
}

/* --- achievements and learners ---------------------------------------------------------- */

static mcred_rc pg_achievement_put(struct mc_store *st, struct mc_achievement *in_out,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(in_out->org_id), mc_p_text(in_out->uri),
                            mc_p_text(in_out->json), mc_p_i64(mc_store_time(in_out->created)) };
    PGresult *res;
    mcred_rc rc = pg_run(pg(st), Q_ACH_PUT, p, NP(p), &res, err);

    if (rc)
        return rc;
    rc = MCRED_ERR_CONFLICT;
    if (PQntuples(res) > 0) {
        in_out->id = pg_parse_i64(PQgetvalue(res, 0, 0));
        in_out->version = (int)pg_parse_i64(PQgetvalue(res, 0, 1));
        in_out->created = (time_t)p[3].i;
        rc = MCRED_OK;
    }
    PQclear(res);
    return rc;
}

static mcred_rc pg_achievement_get(struct mc_store *st, int64_t org, int64_t id,
                                   const char *uri, struct mc_achievement *out,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), id ? mc_p_i64(id) : mc_p_text(uri) };

    return pg_one(pg(st), id ? Q_ACH_GET_ID : Q_ACH_GET_URI, p, NP(p), &mc_row_achievement,
                  out, err);
}

static mcred_rc pg_achievement_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                    struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_ACH_LIST, p, NP(p), &mc_row_achievement, out, err);
}

static mcred_rc pg_learner_put(struct mc_store *st, struct mc_learner *in_out,
                               struct mc_err *err)
{
    struct mc_learner *l = in_out;
    int64_t v = 0;
    mcred_rc rc;

    if (l->id == 0) {
        struct mc_param p[] = { mc_p_i64(l->org_id), mc_p_text(l->name), mc_p_text(l->email),
                                mc_p_text(l->did), mc_p_i64(mc_store_time(l->created)) };

        rc = conflict_if_none(pg_i64(pg(st), Q_LEARNER_INS, p, NP(p), &v, err));
        if (!rc) {
            l->id = v;
            l->created = (time_t)p[4].i;
        }
        return rc;
    } else {
        struct mc_param p[] = { mc_p_i64(l->org_id), mc_p_i64(l->id), mc_p_text(l->name),
                                mc_p_text(l->email), mc_p_text(l->did) };

        rc = pg_i64(pg(st), Q_LEARNER_UPD, p, NP(p), &v, err);
        if (!rc)
            l->created = (time_t)v;
        if (rc == MCRED_ERR_NOTFOUND)
            rc = pg_which_miss(pg(st), Q_LEARNER_EXISTS, l->org_id, NULL, l->id, err);
        return rc;
    }
}

static mcred_rc pg_learner_get(struct mc_store *st, int64_t org, int64_t id,
                               const char *email_or_did, struct mc_learner *out,
                               struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), id ? mc_p_i64(id) : mc_p_text(email_or_did) };

    return pg_one(pg(st), id ? Q_LEARNER_GET_ID : Q_LEARNER_GET_KEY, p, NP(p),
                  &mc_row_learner, out, err);
}

static mcred_rc pg_learner_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_LEARNER_LIST, p, NP(p), &mc_row_learner, out, err);
}

/* --- status lists ------------------------------------------------------------------------- */

static mcred_rc pg_status_list_create(struct mc_store *st, struct mc_status_list *in_out,
                                      struct mc_err *err)
{
    struct mc_status_list *sl = in_out;
    struct mc_param p[] = { mc_p_i64(sl->org_id), mc_p_i64(sl->issuer_id),
                            mc_p_text(mc_status_purpose_name(sl->purpose)), mc_p_text(sl->url),
                            mc_p_i64(sl->size), mc_p_text(sl->doc),
                            mc_p_i64(mc_store_time(sl->updated)) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(pg_i64(pg(st), Q_SL_CREATE, p, NP(p), &id, err));

    if (!rc) {
        sl->id = id;
        sl->next_index = 0;
        sl->updated = (time_t)p[6].i;
    }
    return rc;
}

static mcred_rc pg_status_list_get(struct mc_store *st, int64_t org, int64_t id,
                                   struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return pg_one(pg(st), Q_SL_GET, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc pg_status_list_find(struct mc_store *st, int64_t org, const char *url,
                                    struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(url) };

    return pg_one(pg(st), Q_SL_FIND, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc pg_status_list_all(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_SL_ALL, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc pg_status_list_current(struct mc_store *st, int64_t org, int64_t issuer,
                                       enum mc_status_purpose purpose,
                                       struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(issuer),
                            mc_p_text(mc_status_purpose_name(purpose)) };

    return pg_one(pg(st), Q_SL_CURRENT, p, NP(p), &mc_row_status_list, out, err);
}

/* One UPDATE: the row lock serialises concurrent allocators. */
static mcred_rc pg_status_alloc(struct mc_store *st, int64_t org, int64_t id, int64_t n,
                                int64_t *first, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_i64(n) };
    mcred_rc rc = pg_i64(pg(st), Q_SL_ALLOC, p, NP(p), first, err);

    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    rc = pg_which_miss(pg(st), Q_SL_PURPOSE, org, NULL, id, err);
    return rc == MCRED_ERR_CONFLICT ? MCRED_ERR_LIMIT : rc;
}

static mcred_rc pg_status_list_set_doc(struct mc_store *st, int64_t org, int64_t id,
                                       const char *doc, time_t updated, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_text(doc),
                            mc_p_i64(mc_store_time(updated)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_SL_SET_DOC, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_status_set_bits(struct mc_store *st, int64_t org, int64_t id,
                                   int64_t **indexes, size_t *n, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    struct mc_param prm[] = { mc_p_i64(org), mc_p_i64(id) };
    enum mc_status_purpose purpose;
    PGresult *res;
    size_t cap = 0;
    int i, rows;
    const char *v;
    mcred_rc rc = pg_run(p, Q_SL_PURPOSE, prm, NP(prm), &res, err);

    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return MCRED_ERR_NOTFOUND;
    }
    v = PQgetvalue(res, 0, 0);
    if (mc_store_purpose_parse(v, &purpose)) {
        mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: status list %lld has purpose '%s'",
                   (long long)id, v);
        PQclear(res);
        return MCRED_ERR_STORAGE;
    }
    PQclear(res);
    rc = pg_run(p, purpose == MC_STATUS_PURPOSE_REVOCATION ? Q_BITS_REV : Q_BITS_SUS, prm, NP(prm),
                &res, err);
    if (rc)
        return rc;
    rows = PQntuples(res);
    for (i = 0; i < rows && !rc; i++)
        rc = mc_store_i64_push(indexes, n, &cap, pg_parse_i64(PQgetvalue(res, i, 0)));
    PQclear(res);
    if (rc) {
        mc_free(*indexes);
        *indexes = NULL;
        *n = 0;
        return mc_err_set(err, rc, "store: out of memory reading status list %lld",
                          (long long)id);
    }
    return MCRED_OK;
}

/* --- credentials ---------------------------------------------------------------------------- */

/* After a cred_put conflict: the id of the credential holding the id, the
 * idempotency key or a status index of c (idem_key holder first). */
static mcred_rc pg_cred_holder(struct pg_store *p, const struct mc_credential *c,
                               char **existing_id, struct mc_err *err)
{
    struct mc_param prm[] = {
        mc_p_i64(c->org_id), mc_p_text(c->id), mc_p_text(c->idem_key),
        mc_p_opt(c->status_list_rev),
        c->status_list_rev ? mc_p_i64(c->status_index_rev) : mc_p_text(NULL),
        mc_p_opt(c->status_list_sus),
        c->status_list_sus ? mc_p_i64(c->status_index_sus) : mc_p_text(NULL),
    };
    PGresult *res;
    mcred_rc rc = pg_run(p, Q_CRED_HOLDER, prm, NP(prm), &res, err);

    if (rc)
        return rc;
    rc = MCRED_ERR_CONFLICT;
    if (PQntuples(res) > 0) {
        *existing_id = mc_strdup(PQgetvalue(res, 0, 0));
        if (!*existing_id)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store: out of memory after a conflict");
    }
    PQclear(res);
    return rc;
}

static mcred_rc pg_cred_put(struct mc_store *st, const struct mc_credential *c,
                            char **existing_id, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    struct mc_param prm[MC_CRED_PARAMS];
    int changes = 0;
    mcred_rc rc;

    mc_store_cred_params(c, prm);
    rc = pg_exec(p, Q_CRED_PUT, prm, MC_CRED_PARAMS, &changes, err);

    if (rc || changes)
        return rc;
    if (!existing_id)
        return MCRED_ERR_CONFLICT;
    return pg_cred_holder(p, c, existing_id, err);
}

/* One pipelined batch of cs[0..m): send every INSERT, one Sync, then read
 * the m results in order. m is small enough (PG_BATCH) that the server's
 * answers fit the socket buffers while libpq is still sending, so blocking
 * I/O cannot deadlock. */
static mcred_rc pg_put_batch(struct pg_store *p, const struct mc_credential *cs, size_t m,
                             mcred_rc *results, struct mc_err *err)
{
    struct mc_param prm[MC_CRED_PARAMS];
    const char *vals[MC_CRED_PARAMS];
    char nums[MC_CRED_PARAMS][24];
    char name[16];
    PGresult *res;
    ExecStatusType status;
    size_t i, got = 0;
    bool sent = true, last_null = false;
    mcred_rc rc = MCRED_OK;

    if (!PQenterPipelineMode(p->conn))
        return pg_error(p, NULL, "pipeline mode", err);
    pg_name(Q_CRED_PUT, name);
    for (i = 0; i < m && sent; i++) {
        mc_store_cred_params(&cs[i], prm);
        pg_values(prm, MC_CRED_PARAMS, vals, nums);
        sent = PQsendQueryPrepared(p->conn, name, MC_CRED_PARAMS, vals, NULL, NULL, 0) == 1;
    }
    if (!PQpipelineSync(p->conn) || !sent)
        rc = pg_error_msg(p, NULL, "pipelined insert", err);
    /* results: R0 NULL R1 NULL ... SYNC; two NULLs in a row: nothing left */
    for (;;) {
        res = PQgetResult(p->conn);
        if (!res) {
            if (last_null)
                break;
            last_null = true;
            continue;
        }
        last_null = false;
        status = PQresultStatus(res);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (got < m && status == PGRES_COMMAND_OK)
            results[got] = strtol(PQcmdTuples(res), NULL, 10) ? MCRED_OK : MCRED_ERR_CONFLICT;
        else if (!rc)
            rc = pg_error_msg(p, res, pg_sql[Q_CRED_PUT], err);
        got++;
        PQclear(res);
    }
    if (!PQexitPipelineMode(p->conn) && !rc)
        rc = pg_error_msg(p, NULL, "pipeline mode", err);
    if (!rc && got != m)
        rc = mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: %zu results for %zu inserts",
                        got, m);
    if (rc && PQstatus(p->conn) == CONNECTION_BAD) {
        PQreset(p->conn);
        memset(p->prepared, 0, sizeof(p->prepared));
    }
    return rc;
}

#define PG_BATCH 256

static mcred_rc pg_cred_put_many(struct mc_store *st, const struct mc_credential *cs, size_t n,
                                 mcred_rc *results, char **existing_ids, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    size_t done, i, m;
    mcred_rc rc = pg_prepare(p, Q_CRED_PUT, err);

    for (done = 0; done < n && !rc; done += m) {
        m = n - done < PG_BATCH ? n - done : PG_BATCH;
        rc = pg_put_batch(p, cs + done, m, results + done, err);
    }
    for (i = 0; i < n && !rc && existing_ids; i++) {
        if (results[i] == MCRED_ERR_CONFLICT) {
            rc = pg_cred_holder(p, &cs[i], &existing_ids[i], err);
            if (rc == MCRED_ERR_CONFLICT)
                rc = MCRED_OK;
        }
    }
    return rc;
}

static mcred_rc pg_cred_get(struct mc_store *st, int64_t org, const char *id,
                            struct mc_credential *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(id) };

    return pg_one(pg(st), Q_CRED_GET, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc pg_cred_find_idem(struct mc_store *st, int64_t org, const char *idem_key,
                                  struct mc_credential *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(idem_key) };

    return pg_one(pg(st), Q_CRED_IDEM, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc pg_cred_set_state(struct mc_store *st, int64_t org, const char *id,
                                  enum mc_cred_state state, const char *reason,
                                  struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(id),
                            mc_p_text(mc_cred_state_name(state)), mc_p_text(reason) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_CRED_STATE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    return pg_which_miss(pg(st), Q_CRED_EXISTS, org, id, 0, err);
}

static mcred_rc pg_cred_list(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                             struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit), mc_p_i64((int64_t)offset) };

    return pg_list(pg(st), Q_CRED_LIST, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc pg_cred_count(struct mc_store *st, int64_t org, int64_t *n, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_i64(pg(st), Q_CRED_COUNT, p, NP(p), n, err);
}

/* --- audit ---------------------------------------------------------------------------------- */

static mcred_rc pg_audit_add(struct mc_store *st, const struct mc_audit *a, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(a->org_id), mc_p_i64(mc_store_time(a->at)),
                            mc_p_text(a->actor), mc_p_text(a->action), mc_p_text(a->subject),
                            mc_p_text(a->detail) };

    return pg_exec(pg(st), Q_AUDIT_ADD, p, NP(p), NULL, err);
}

static mcred_rc pg_audit_list(struct mc_store *st, int64_t org, size_t limit,
                              struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit) };

    return pg_list(pg(st), Q_AUDIT_LIST, p, NP(p), &mc_row_audit, out, err);
}

/* --- version 3 (the server); each area appends below its own marker -------- */
/* v3 core */
static mcred_rc pg_issuer_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_ISSUER_LIST, p, NP(p), &mc_row_issuer, out, err);
}

static mcred_rc pg_status_list_by_url(struct mc_store *st, const char *url,
                                     struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(url) };

    return pg_one(pg(st), Q_SL_BY_URL, p, NP(p), &mc_row_status_list, out, err);
}

/* v3 web: sessions, share links */

/* v3 oauth: clients, codes, tokens */

/* v3 platform: jobs */

const struct mc_store_ops mc_store_pg_ops = {
    .version = 3,
    .name = "postgres",
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .org_create = pg_org_create,
    .org_get = pg_org_get,
    .org_find = pg_org_find,
    .user_add = pg_user_add,
    .user_list = pg_user_list,
    .token_add = pg_token_add,
    .token_find = pg_token_find,
    .issuer_put = pg_issuer_put,
    .issuer_get = pg_issuer_get,
    .key_add = pg_key_add,
    .key_list = pg_key_list,
    .key_retire = pg_key_retire,
    .achievement_put = pg_achievement_put,
    .achievement_get = pg_achievement_get,
    .achievement_list = pg_achievement_list,
    .learner_put = pg_learner_put,
    .learner_get = pg_learner_get,
    .learner_list = pg_learner_list,
    .status_list_create = pg_status_list_create,
    .status_list_get = pg_status_list_get,
    .status_list_current = pg_status_list_current,
    .status_alloc = pg_status_alloc,
    .status_list_set_doc = pg_status_list_set_doc,
    .status_set_bits = pg_status_set_bits,
    .cred_put = pg_cred_put,
    .cred_get = pg_cred_get,
    .cred_find_idem = pg_cred_find_idem,
    .cred_set_state = pg_cred_set_state,
    .cred_list = pg_cred_list,
    .cred_count = pg_cred_count,
    .audit_add = pg_audit_add,
    .audit_list = pg_audit_list,
    .cred_put_many = pg_cred_put_many,
    .status_list_find = pg_status_list_find,
    .status_list_all = pg_status_list_all,
    /* v3 core */
    .issuer_list = pg_issuer_list,
    .status_list_by_url = pg_status_list_by_url,
    /* v3 web */
    /* v3 oauth */
    /* v3 platform */
};
