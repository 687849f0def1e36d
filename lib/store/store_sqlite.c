/* store_sqlite.c - the SQLite backend of the platform store: one database
 * file in WAL mode (synchronous=NORMAL, foreign keys on, a busy timeout),
 * statements prepared once per handle on first use and reused, values bound
 * as parameters only. The SQL dialect of SQLite stays in this file.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

#include "store/store_int.h"

#define BUSY_TIMEOUT_MS 5000

/* Every statement this backend runs, prepared on first use. */
enum sq_q {
    Q_MIG_EXISTS, Q_MIG_VERSION, Q_MIG_RECORD,
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
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

static const char *const sq_sql[Q_COUNT] = {
    [Q_MIG_EXISTS] = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mc_schema'",
    [Q_MIG_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM mc_schema",
    [Q_MIG_RECORD] = "INSERT INTO mc_schema (version, name, applied) VALUES (?1, ?2, ?3)",
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",

    [Q_ORG_CREATE] = "INSERT INTO orgs (name, created) VALUES (?1, ?2) "
                     "ON CONFLICT DO NOTHING RETURNING org_id",
    [Q_ORG_GET] = "SELECT " MC_ORG_COLS " FROM orgs WHERE org_id = ?1",
    [Q_ORG_FIND] = "SELECT " MC_ORG_COLS " FROM orgs WHERE name = ?1",

    [Q_USER_ADD] = "INSERT INTO users (org_id, email, role, created) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT DO NOTHING RETURNING id",
    [Q_USER_LIST] = "SELECT " MC_USER_COLS " FROM users WHERE org_id = ?1 ORDER BY id",
    [Q_TOKEN_ADD] = "INSERT INTO tokens (hash, org_id, user_id, created) "
                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    [Q_TOKEN_FIND] = "SELECT u.id, u.org_id, u.email, u.role, u.created FROM tokens t "
                     "JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id "
                     "WHERE t.hash = ?1",

    [Q_ISSUER_INS] = "INSERT INTO issuers (org_id, name, url, email, image, did, created) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
    [Q_ISSUER_UPD] = "UPDATE issuers SET name = ?3, url = ?4, email = ?5, image = ?6, did = ?7 "
                     "WHERE org_id = ?1 AND id = ?2 RETURNING created",
    [Q_ISSUER_GET] = "SELECT " MC_ISSUER_COLS " FROM issuers WHERE org_id = ?1 AND id = ?2",

    [Q_KEY_ADD] = "INSERT INTO issuer_keys (org_id, issuer_id, vm_id, public_multibase, "
                  "key_file, created, retired) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                  "ON CONFLICT DO NOTHING RETURNING id",
    [Q_KEY_LIST] = "SELECT " MC_KEY_COLS " FROM issuer_keys WHERE org_id = ?1 AND "
                   "issuer_id = ?2 ORDER BY created, id",
    [Q_KEY_RETIRE] = "UPDATE issuer_keys SET retired = ?3 "
                     "WHERE org_id = ?1 AND id = ?2 AND retired IS NULL",
    [Q_KEY_EXISTS] = "SELECT 1 FROM issuer_keys WHERE org_id = ?1 AND id = ?2",

    [Q_ACH_PUT] = "INSERT INTO achievements (org_id, uri, version, json, created) "
                  "SELECT ?1, ?2, COALESCE(MAX(version), 0) + 1, ?3, ?4 FROM achievements "
                  "WHERE org_id = ?1 AND uri = ?2 ON CONFLICT DO NOTHING RETURNING id, version",
    [Q_ACH_GET_ID] = "SELECT " MC_ACH_COLS " FROM achievements WHERE org_id = ?1 AND id = ?2",
    [Q_ACH_GET_URI] = "SELECT " MC_ACH_COLS " FROM achievements WHERE org_id = ?1 AND "
                      "uri = ?2 ORDER BY version DESC LIMIT 1",
    [Q_ACH_LIST] = "SELECT " MC_ACH_COLS " FROM achievements a WHERE org_id = ?1 AND "
                   "version = (SELECT MAX(b.version) FROM achievements b "
                   "WHERE b.org_id = a.org_id AND b.uri = a.uri) ORDER BY uri",

    [Q_LEARNER_INS] = "INSERT INTO learners (org_id, name, email, did, created) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING RETURNING id",
    [Q_LEARNER_UPD] = "UPDATE learners SET name = ?3, email = ?4, did = ?5 "
                      "WHERE org_id = ?1 AND id = ?2 AND NOT EXISTS (SELECT 1 FROM learners o "
                      "WHERE o.org_id = ?1 AND o.id <> ?2 AND (o.email = ?4 OR o.did = ?5)) "
                      "RETURNING created",
    [Q_LEARNER_EXISTS] = "SELECT 1 FROM learners WHERE org_id = ?1 AND id = ?2",
    [Q_LEARNER_GET_ID] = "SELECT " MC_LEARNER_COLS " FROM learners "
                         "WHERE org_id = ?1 AND id = ?2",
    [Q_LEARNER_GET_KEY] = "SELECT " MC_LEARNER_COLS " FROM learners WHERE org_id = ?1 AND "
                          "(email = ?2 OR did = ?2) "
                          "ORDER BY (email = ?2) IS TRUE DESC, id LIMIT 1",
    [Q_LEARNER_LIST] = "SELECT " MC_LEARNER_COLS " FROM learners WHERE org_id = ?1 "
                       "ORDER BY id",

    [Q_SL_CREATE] = "INSERT INTO status_lists (org_id, issuer_id, purpose, url, size, "
                    "next_index, doc, updated) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7) "
                    "ON CONFLICT DO NOTHING RETURNING id",
    [Q_SL_GET] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = ?1 AND id = ?2",
    [Q_SL_FIND] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = ?1 AND url = ?2",
    [Q_SL_ALL] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = ?1 ORDER BY id",
    [Q_SL_CURRENT] = "SELECT " MC_SL_COLS " FROM status_lists WHERE org_id = ?1 AND "
                     "issuer_id = ?2 AND purpose = ?3 AND next_index < size "
                     "ORDER BY id DESC LIMIT 1",
    [Q_SL_ALLOC] = "UPDATE status_lists SET next_index = next_index + ?3 "
                   "WHERE org_id = ?1 AND id = ?2 AND next_index + ?3 <= size "
                   "RETURNING next_index - ?3",
    [Q_SL_PURPOSE] = "SELECT purpose FROM status_lists WHERE org_id = ?1 AND id = ?2",
    [Q_SL_SET_DOC] = "UPDATE status_lists SET doc = ?3, updated = ?4 "
                     "WHERE org_id = ?1 AND id = ?2",
    [Q_BITS_REV] = "SELECT status_index_rev FROM credentials WHERE org_id = ?1 AND "
                   "status_list_rev = ?2 AND state = 'revoked' ORDER BY status_index_rev",
    [Q_BITS_SUS] = "SELECT status_index_sus FROM credentials WHERE org_id = ?1 AND "
                   "status_list_sus = ?2 AND state = 'suspended' ORDER BY status_index_sus",

    [Q_CRED_PUT] = "INSERT INTO credentials (" MC_CRED_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, "
                   "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT DO NOTHING",
    [Q_CRED_HOLDER] = "SELECT id FROM credentials WHERE id = ?2 "
                      "OR (org_id = ?1 AND idem_key = ?3) "
                      "OR (org_id = ?1 AND status_list_rev = ?4 AND status_index_rev = ?5) "
                      "OR (org_id = ?1 AND status_list_sus = ?6 AND status_index_sus = ?7) "
                      "ORDER BY CASE WHEN org_id = ?1 AND idem_key = ?3 THEN 0 "
                      "WHEN id = ?2 THEN 1 ELSE 2 END LIMIT 1",
    [Q_CRED_GET] = "SELECT " MC_CRED_COLS " FROM credentials WHERE org_id = ?1 AND id = ?2",
    [Q_CRED_IDEM] = "SELECT " MC_CRED_COLS " FROM credentials "
                    "WHERE org_id = ?1 AND idem_key = ?2",
    [Q_CRED_STATE] = "UPDATE credentials SET state = ?3, reason = ?4 "
                     "WHERE org_id = ?1 AND id = ?2 AND state <> 'revoked'",
    [Q_CRED_EXISTS] = "SELECT 1 FROM credentials WHERE org_id = ?1 AND id = ?2",
    [Q_CRED_LIST] = "SELECT " MC_CRED_COLS " FROM credentials WHERE org_id = ?1 "
                    "ORDER BY issued, id LIMIT ?2 OFFSET ?3",
    [Q_CRED_COUNT] = "SELECT COUNT(*) FROM credentials WHERE org_id = ?1",

    [Q_AUDIT_ADD] = "INSERT INTO audit (org_id, at, actor, action, subject, detail) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_AUDIT_LIST] = "SELECT " MC_AUDIT_COLS " FROM audit WHERE org_id = ?1 "
                     "ORDER BY id DESC LIMIT ?2",
    /* v3 core */
    [Q_ISSUER_LIST] = "SELECT " MC_ISSUER_COLS " FROM issuers WHERE org_id = ?1 ORDER BY id",
    [Q_SL_BY_URL] = "SELECT " MC_SL_COLS " FROM status_lists WHERE url = ?1 "
                    "ORDER BY id LIMIT 1",
    /* v3 web */
    /* v3 oauth */
    /* v3 platform */
};

/* Run before the numbered migrations: the table that records them. */
static const char sq_schema_table[] =
    "CREATE TABLE IF NOT EXISTS mc_schema (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied INTEGER NOT NULL) STRICT";

struct sq_store {
    struct mc_store base;           /* first: the handle callers hold */
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_COUNT];    /* prepared on first use, finalized at close */
};

static struct sq_store *sq(struct mc_store *st)
{
    return (struct sq_store *)st;
}

/* --- errors, statements, rows --------------------------------------------------- */

/* Map the database's last error (rc) to a result code with its message, and
 * doom an open transaction. */
static mcred_rc sq_error(struct sq_store *s, int rc, const char *what, struct mc_err *err)
{
    int ext = sqlite3_extended_errcode(s->db);
    mcred_rc code = MCRED_ERR_STORAGE;

    mc_store_doom(&s->base);
    if ((rc & 0xff) == SQLITE_NOMEM)
        code = MCRED_ERR_NOMEM;
    else if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = MCRED_ERR_CONFLICT;
    else if ((rc & 0xff) == SQLITE_CONSTRAINT)
        code = MCRED_ERR_INVALID;     /* a foreign key, CHECK or NOT NULL */
    return mc_err_set(err, code, "store sqlite: %s (in '%.60s')", sqlite3_errmsg(s->db), what);
}

/* The prepared statement q with params bound, ready to step. */
static mcred_rc sq_start(struct sq_store *s, enum sq_q q, const struct mc_param *p, size_t n,
                         sqlite3_stmt **out, struct mc_err *err)
{
    sqlite3_stmt *stmt = s->stmt[q];
    size_t i;
    int rc = SQLITE_OK;

    *out = NULL;
    if (!stmt) {
        rc = sqlite3_prepare_v3(s->db, sq_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
        if (rc != SQLITE_OK)
            return sq_error(s, rc, "prepare", err);
        s->stmt[q] = stmt;
    }
    for (i = 0; i < n && rc == SQLITE_OK; i++) {
        int col = (int)i + 1;

        if (p[i].kind == MC_P_TEXT)
            rc = sqlite3_bind_text(stmt, col, p[i].s, -1, SQLITE_STATIC);
        else if (p[i].kind == MC_P_I64)
            rc = sqlite3_bind_int64(stmt, col, p[i].i);
        else
            rc = sqlite3_bind_null(stmt, col);
    }
    if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(stmt);
        return sq_error(s, rc, "bind", err);
    }
    *out = stmt;
    return MCRED_OK;
}

/* Reset a statement after use (bound strings are borrowed: unbind them). */
static void sq_end(sqlite3_stmt *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* Step once: *row says whether a row came; on error the statement is reset. */
static mcred_rc sq_step(struct sq_store *s, sqlite3_stmt *stmt, bool *row, struct mc_err *err)
{
    int rc = sqlite3_step(stmt);

    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return MCRED_OK;
    rc = sq_error(s, rc, sqlite3_sql(stmt), err);
    sq_end(stmt);
    return rc;
}

/* Run q to completion. *changes (may be NULL): rows it changed. */
static mcred_rc sq_exec(struct sq_store *s, enum sq_q q, const struct mc_param *p, size_t n,
                        int *changes, struct mc_err *err)
{
    sqlite3_stmt *stmt;
    bool row = true;
    mcred_rc rc = sq_start(s, q, p, n, &stmt, err);

    while (!rc && row)
        rc = sq_step(s, stmt, &row, err);
    if (rc)
        return rc;
    if (changes)
        *changes = sqlite3_changes(s->db);
    sq_end(stmt);
    return MCRED_OK;
}

/* Run q and read integer column 0 of its first row into *v; NOTFOUND when
 * it returns no row. */
static mcred_rc sq_i64(struct sq_store *s, enum sq_q q, const struct mc_param *p, size_t n,
                       int64_t *v, struct mc_err *err)
{
    sqlite3_stmt *stmt;
    bool row;
    mcred_rc rc = sq_start(s, q, p, n, &stmt, err);

    if (!rc)
        rc = sq_step(s, stmt, &row, err);
    if (rc)
        return rc;
    if (row)
        *v = sqlite3_column_int64(stmt, 0);
    sq_end(stmt);
    return row ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static bool sq_is_null(const struct mc_row *r, int col)
{
    return sqlite3_column_type(r->res, col) == SQLITE_NULL;
}

static int64_t sq_col_i64(const struct mc_row *r, int col)
{
    return sqlite3_column_int64(r->res, col);
}

static const char *sq_col_text(const struct mc_row *r, int col)
{
    if (sq_is_null(r, col))
        return NULL;
    return (const char *)sqlite3_column_text(r->res, col);
}

static const struct mc_row_ops sq_row_ops = { sq_is_null, sq_col_i64, sq_col_text };

/* Run q and read its first row of type t into out; NOTFOUND when none. */
static mcred_rc sq_one(struct sq_store *s, enum sq_q q, const struct mc_param *p, size_t n,
                       const struct mc_row_type *t, void *out, struct mc_err *err)
{
    sqlite3_stmt *stmt;
    struct mc_row r = { &sq_row_ops, NULL, 0 };
    bool row;
    mcred_rc rc = sq_start(s, q, p, n, &stmt, err);

    if (!rc)
        rc = sq_step(s, stmt, &row, err);
    if (rc)
        return rc;
    if (!row) {
        sq_end(stmt);
        return MCRED_ERR_NOTFOUND;
    }
    r.res = stmt;
    rc = t->read(&r, out, err);
    sq_end(stmt);
    return rc;
}

/* Run q and read all its rows of type t into out. */
static mcred_rc sq_list(struct sq_store *s, enum sq_q q, const struct mc_param *p, size_t n,
                        const struct mc_row_type *t, struct mc_store_list *out,
                        struct mc_err *err)
{
    sqlite3_stmt *stmt;
    struct mc_row r = { &sq_row_ops, NULL, 0 };
    size_t cap = 0;
    bool row = true;
    void *dst;
    mcred_rc rc;

    mc_store_list_start(out, t);
    rc = sq_start(s, q, p, n, &stmt, err);
    if (rc)
        return rc;
    r.res = stmt;
    for (;;) {
        rc = sq_step(s, stmt, &row, err);
        if (rc)
            break;                  /* the statement is reset */
        if (!row) {
            sq_end(stmt);
            break;
        }
        dst = mc_store_list_add(out, &cap);
        rc = dst ? t->read(&r, dst, err)
                 : mc_err_set(err, MCRED_ERR_NOMEM, "store: out of memory listing rows");
        if (rc) {
            sq_end(stmt);
            break;
        }
    }
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

#define NP(p) (sizeof(p) / sizeof((p)[0]))

/* --- opening, migrations, transactions -------------------------------------------- */

static void sq_close(struct mc_store *st)
{
    struct sq_store *s = sq(st);
    size_t i;

    if (!s)
        return;
    for (i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close_v2(s->db);
    mc_free(s);
}

/* The per-connection settings: WAL (readers never block the writer, and a
 * commit is one append to the log), synchronous=NORMAL (a committed
 * transaction survives a crash of the process; see docs/operations.md), and
 * foreign keys, which SQLite leaves off by default. */
static const char sq_pragmas[] =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
    /* 32 MiB of page cache (the default is 2 MiB): each insert touches six
     * indexes, and with a small cache a million-row load spends its time
     * re-reading pages (measured: 1M rows in 87 s with the default, 49 s with
     * this and time-ordered ids; peak RSS 199 MB, under the 256 MB goal). */
    "PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;";

static mcred_rc sq_open(struct mc_store **out, const char *path, struct mc_err *err)
{
    struct sq_store *s;
    int rc;

    *out = NULL;
    s = mc_calloc(1, sizeof(*s));
    if (!s)
        return mc_err_set(err, MCRED_ERR_NOMEM, "store sqlite: out of memory opening '%s'",
                          path);
    s->base.ops = &mc_store_sqlite_ops;
    rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, sq_pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        mcred_rc code = (rc & 0xff) == SQLITE_NOMEM ? MCRED_ERR_NOMEM : MCRED_ERR_STORAGE;

        mc_err_set(err, code, "store sqlite: cannot open '%s': %s", path,
                   s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sq_close(&s->base);
        return code;
    }
    *out = &s->base;
    return MCRED_OK;
}

static mcred_rc sq_rollback(struct mc_store *st)
{
    struct sq_store *s = sq(st);

    if (sqlite3_get_autocommit(s->db))
        return MCRED_OK;           /* SQLite already rolled back after an error */
    return sq_exec(s, Q_ROLLBACK, NULL, 0, NULL, NULL);
}

/* The schema version without taking the write lock (0: no schema yet). */
static mcred_rc sq_version(struct sq_store *s, int64_t *have, struct mc_err *err)
{
    int64_t one = 0;
    mcred_rc rc = sq_i64(s, Q_MIG_EXISTS, NULL, 0, &one, err);

    *have = 0;
    if (rc == MCRED_ERR_NOTFOUND)
        return MCRED_OK;
    if (rc)
        return rc;
    return sq_i64(s, Q_MIG_VERSION, NULL, 0, have, err);
}

/* Apply the pending migrations in one IMMEDIATE transaction (which also
 * serialises processes that open the same file at once). A schema already
 * up to date is seen with a plain read, so opening a handle never waits for
 * another handle's write transaction. */
static mcred_rc sq_migrate(struct mc_store *st, int *version, struct mc_err *err)
{
    struct sq_store *s = sq(st);
    const size_t n = mc_migrations_sqlite_n;
    int64_t have = 0;
    size_t i;
    mcred_rc rc = sq_version(s, &have, err);

    if (!rc && have == (int64_t)n) {
        *version = (int)n;
        return MCRED_OK;
    }
    if (!rc)
        rc = sq_exec(s, Q_BEGIN, NULL, 0, NULL, err);
    if (rc)
        return rc;
    if (sqlite3_exec(s->db, sq_schema_table, NULL, NULL, NULL) != SQLITE_OK) {
        rc = sq_error(s, sqlite3_errcode(s->db), "create mc_schema", err);
        goto out_rollback;
    }
    rc = sq_i64(s, Q_MIG_VERSION, NULL, 0, &have, err);
    if (rc)
        goto out_rollback;
    if (have > (int64_t)n) {
        rc = mc_err_set(err, MCRED_ERR_STORAGE, "store sqlite: the database has schema "
                        "version %lld, newer than this build's %zu", (long long)have, n);
        goto out_rollback;
    }
    for (i = (size_t)have; i < n; i++) {
        const struct mc_migration *m = &mc_migrations_sqlite[i];
        struct mc_param p[] = { mc_p_i64(m->version), mc_p_text(m->name),
                                mc_p_i64(mc_store_time(0)) };

        if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
            rc = sq_error(s, sqlite3_errcode(s->db), m->name, err);
            goto out_rollback;
        }
        rc = sq_exec(s, Q_MIG_RECORD, p, NP(p), NULL, err);
        if (rc)
            goto out_rollback;
    }
    rc = sq_exec(s, Q_COMMIT, NULL, 0, NULL, err);
    if (rc)
        goto out_rollback;
    *version = (int)n;
    return MCRED_OK;

out_rollback:
    (void)sq_rollback(st);
    return rc;
}

static mcred_rc sq_begin(struct mc_store *st, struct mc_err *err)
{
    return sq_exec(sq(st), Q_BEGIN, NULL, 0, NULL, err);
}

static mcred_rc sq_commit(struct mc_store *st, struct mc_err *err)
{
    mcred_rc rc = sq_exec(sq(st), Q_COMMIT, NULL, 0, NULL, err);

    if (rc)
        (void)sq_rollback(st);
    return rc;
}

/* --- organisations, users, tokens ---------------------------------------------------- */

static mcred_rc sq_org_create(struct mc_store *st, const char *name, int64_t *id,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(name), mc_p_i64(mc_store_time(0)) };

    return conflict_if_none(sq_i64(sq(st), Q_ORG_CREATE, p, NP(p), id, err));
}

static mcred_rc sq_org_get(struct mc_store *st, int64_t id, struct mc_org *out,
                           struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(id) };

    return sq_one(sq(st), Q_ORG_GET, p, NP(p), &mc_row_org, out, err);
}

static mcred_rc sq_org_find(struct mc_store *st, const char *name, struct mc_org *out,
                            struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(name) };

    return sq_one(sq(st), Q_ORG_FIND, p, NP(p), &mc_row_org, out, err);
}

static mcred_rc sq_user_add(struct mc_store *st, int64_t org, const char *email,
                            enum mc_role role, int64_t *id, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(email), mc_p_text(mc_role_name(role)),
                            mc_p_i64(mc_store_time(0)) };

    return conflict_if_none(sq_i64(sq(st), Q_USER_ADD, p, NP(p), id, err));
}

static mcred_rc sq_user_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                             struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return sq_list(sq(st), Q_USER_LIST, p, NP(p), &mc_row_user, out, err);
}

static mcred_rc sq_token_add(struct mc_store *st, int64_t org, int64_t user,
                             const char *token_hash, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(token_hash), mc_p_i64(org), mc_p_i64(user),
                            mc_p_i64(mc_store_time(0)) };
    int changes = 0;
    mcred_rc rc = sq_exec(sq(st), Q_TOKEN_ADD, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc sq_token_find(struct mc_store *st, const char *token_hash, struct mc_user *out,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(token_hash) };

    return sq_one(sq(st), Q_TOKEN_FIND, p, NP(p), &mc_row_user, out, err);
}

/* --- issuers and keys ----------------------------------------------------------------- */

static mcred_rc sq_issuer_put(struct mc_store *st, struct mc_issuer *in_out, struct mc_err *err)
{
    struct mc_issuer *is = in_out;
    int64_t v = 0;
    mcred_rc rc;

    if (is->id == 0) {
        struct mc_param p[] = { mc_p_i64(is->org_id), mc_p_text(is->name), mc_p_text(is->url),
                                mc_p_text(is->email), mc_p_text(is->image),
                                mc_p_text(is->did), mc_p_i64(mc_store_time(is->created)) };

        rc = sq_i64(sq(st), Q_ISSUER_INS, p, NP(p), &v, err);
        if (!rc) {
            is->id = v;
            is->created = (time_t)p[6].i;
        }
        return rc;
    } else {
        struct mc_param p[] = { mc_p_i64(is->org_id), mc_p_i64(is->id), mc_p_text(is->name),
                                mc_p_text(is->url), mc_p_text(is->email),
                                mc_p_text(is->image), mc_p_text(is->did) };

        rc = sq_i64(sq(st), Q_ISSUER_UPD, p, NP(p), &v, err);
        if (!rc)
            is->created = (time_t)v;
        return rc;
    }
}

static mcred_rc sq_issuer_get(struct mc_store *st, int64_t org, int64_t id,
                              struct mc_issuer *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return sq_one(sq(st), Q_ISSUER_GET, p, NP(p), &mc_row_issuer, out, err);
}

static mcred_rc sq_key_add(struct mc_store *st, struct mc_issuer_key *in_out,
                           struct mc_err *err)
{
    struct mc_issuer_key *k = in_out;
    struct mc_param p[] = { mc_p_i64(k->org_id), mc_p_i64(k->issuer_id), mc_p_text(k->vm_id),
                            mc_p_text(k->public_multibase), mc_p_text(k->key_file),
                            mc_p_i64(mc_store_time(k->created)), mc_p_opt(k->retired) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(sq_i64(sq(st), Q_KEY_ADD, p, NP(p), &id, err));

    if (!rc) {
        k->id = id;
        k->created = (time_t)p[5].i;
    }
    return rc;
}

static mcred_rc sq_key_list(struct mc_store *st, int64_t org, int64_t issuer,
                            struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(issuer) };

    return sq_list(sq(st), Q_KEY_LIST, p, NP(p), &mc_row_key, out, err);
}

/* CONFLICT (already retired) or NOTFOUND after an UPDATE matched no row. */
static mcred_rc sq_which_miss(struct sq_store *s, enum sq_q exists, int64_t org,
                              const char *key_text, int64_t key_id, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), key_text ? mc_p_text(key_text) : mc_p_i64(key_id) };
    int64_t one = 0;
    mcred_rc rc = sq_i64(s, exists, p, NP(p), &one, err);

    return rc ? rc : MCRED_ERR_CONFLICT;
}

static mcred_rc sq_key_retire(struct mc_store *st, int64_t org, int64_t key_id, time_t when,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(key_id), mc_p_i64(when) };
    int changes = 0;
    mcred_rc rc = sq_exec(sq(st), Q_KEY_RETIRE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    return sq_which_miss(sq(st), Q_KEY_EXISTS, org, NULL, key_id, err);
}

/* --- achievements and learners ---------------------------------------------------------- */

static mcred_rc sq_achievement_put(struct mc_store *st, struct mc_achievement *in_out,
                                   struct mc_err *err)
{
    struct sq_store *s = sq(st);
    struct mc_param p[] = { mc_p_i64(in_out->org_id), mc_p_text(in_out->uri),
                            mc_p_text(in_out->json), mc_p_i64(mc_store_time(in_out->created)) };
    sqlite3_stmt *stmt;
    bool row;
    mcred_rc rc = sq_start(s, Q_ACH_PUT, p, NP(p), &stmt, err);

    if (!rc)
        rc = sq_step(s, stmt, &row, err);
    if (rc)
        return rc;
    if (row) {
        in_out->id = sqlite3_column_int64(stmt, 0);
        in_out->version = sqlite3_column_int(stmt, 1);
        in_out->created = (time_t)p[3].i;
    }
    sq_end(stmt);
    return row ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc sq_achievement_get(struct mc_store *st, int64_t org, int64_t id,
                                   const char *uri, struct mc_achievement *out,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), id ? mc_p_i64(id) : mc_p_text(uri) };

    return sq_one(sq(st), id ? Q_ACH_GET_ID : Q_ACH_GET_URI, p, NP(p), &mc_row_achievement,
                  out, err);
}

static mcred_rc sq_achievement_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                    struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return sq_list(sq(st), Q_ACH_LIST, p, NP(p), &mc_row_achievement, out, err);
}

static mcred_rc sq_learner_put(struct mc_store *st, struct mc_learner *in_out,
                               struct mc_err *err)
{
    struct mc_learner *l = in_out;
    int64_t v = 0;
    mcred_rc rc;

    if (l->id == 0) {
        struct mc_param p[] = { mc_p_i64(l->org_id), mc_p_text(l->name), mc_p_text(l->email),
                                mc_p_text(l->did), mc_p_i64(mc_store_time(l->created)) };

        rc = conflict_if_none(sq_i64(sq(st), Q_LEARNER_INS, p, NP(p), &v, err));
        if (!rc) {
            l->id = v;
            l->created = (time_t)p[4].i;
        }
        return rc;
    } else {
        struct mc_param p[] = { mc_p_i64(l->org_id), mc_p_i64(l->id), mc_p_text(l->name),
                                mc_p_text(l->email), mc_p_text(l->did) };

        rc = sq_i64(sq(st), Q_LEARNER_UPD, p, NP(p), &v, err);
        if (!rc)
            l->created = (time_t)v;
        if (rc == MCRED_ERR_NOTFOUND)
            rc = sq_which_miss(sq(st), Q_LEARNER_EXISTS, l->org_id, NULL, l->id, err);
        return rc;
    }
}

static mcred_rc sq_learner_get(struct mc_store *st, int64_t org, int64_t id,
                               const char *email_or_did, struct mc_learner *out,
                               struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), id ? mc_p_i64(id) : mc_p_text(email_or_did) };

    return sq_one(sq(st), id ? Q_LEARNER_GET_ID : Q_LEARNER_GET_KEY, p, NP(p),
                  &mc_row_learner, out, err);
}

static mcred_rc sq_learner_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return sq_list(sq(st), Q_LEARNER_LIST, p, NP(p), &mc_row_learner, out, err);
}

/* --- status lists ------------------------------------------------------------------------- */

static mcred_rc sq_status_list_create(struct mc_store *st, struct mc_status_list *in_out,
                                      struct mc_err *err)
{
    struct mc_status_list *sl = in_out;
    struct mc_param p[] = { mc_p_i64(sl->org_id), mc_p_i64(sl->issuer_id),
                            mc_p_text(mc_status_purpose_name(sl->purpose)), mc_p_text(sl->url),
                            mc_p_i64(sl->size), mc_p_text(sl->doc),
                            mc_p_i64(mc_store_time(sl->updated)) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(sq_i64(sq(st), Q_SL_CREATE, p, NP(p), &id, err));

    if (!rc) {
        sl->id = id;
        sl->next_index = 0;
        sl->updated = (time_t)p[6].i;
    }
    return rc;
}

static mcred_rc sq_status_list_get(struct mc_store *st, int64_t org, int64_t id,
                                   struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return sq_one(sq(st), Q_SL_GET, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc sq_status_list_find(struct mc_store *st, int64_t org, const char *url,
                                    struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(url) };

    return sq_one(sq(st), Q_SL_FIND, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc sq_status_list_all(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return sq_list(sq(st), Q_SL_ALL, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc sq_status_list_current(struct mc_store *st, int64_t org, int64_t issuer,
                                       enum mc_status_purpose purpose,
                                       struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(issuer),
                            mc_p_text(mc_status_purpose_name(purpose)) };

    return sq_one(sq(st), Q_SL_CURRENT, p, NP(p), &mc_row_status_list, out, err);
}

static mcred_rc sq_status_alloc(struct mc_store *st, int64_t org, int64_t id, int64_t n,
                                int64_t *first, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_i64(n) };
    mcred_rc rc = sq_i64(sq(st), Q_SL_ALLOC, p, NP(p), first, err);

    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    rc = sq_which_miss(sq(st), Q_SL_PURPOSE, org, NULL, id, err);
    return rc == MCRED_ERR_CONFLICT ? MCRED_ERR_LIMIT : rc;
}

static mcred_rc sq_status_list_set_doc(struct mc_store *st, int64_t org, int64_t id,
                                       const char *doc, time_t updated, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_text(doc),
                            mc_p_i64(mc_store_time(updated)) };
    int changes = 0;
    mcred_rc rc = sq_exec(sq(st), Q_SL_SET_DOC, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

/* The purpose of list id, which decides the state whose indexes are set. */
static mcred_rc sq_list_purpose(struct sq_store *s, int64_t org, int64_t id,
                                enum mc_status_purpose *purpose, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };
    sqlite3_stmt *stmt;
    bool row;
    const char *v;
    mcred_rc rc = sq_start(s, Q_SL_PURPOSE, p, NP(p), &stmt, err);

    if (!rc)
        rc = sq_step(s, stmt, &row, err);
    if (rc)
        return rc;
    rc = MCRED_ERR_NOTFOUND;
    if (row) {
        v = (const char *)sqlite3_column_text(stmt, 0);
        rc = mc_store_purpose_parse(v, purpose);
        if (rc)
            rc = mc_err_set(err, MCRED_ERR_STORAGE, "store sqlite: status list %lld has "
                            "purpose '%s'", (long long)id, v ? v : "NULL");
    }
    sq_end(stmt);
    return rc;
}

static mcred_rc sq_status_set_bits(struct mc_store *st, int64_t org, int64_t id,
                                   int64_t **indexes, size_t *n, struct mc_err *err)
{
    struct sq_store *s = sq(st);
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };
    enum mc_status_purpose purpose;
    sqlite3_stmt *stmt;
    size_t cap = 0;
    bool row = true;
    mcred_rc rc = sq_list_purpose(s, org, id, &purpose, err);

    if (!rc)
        rc = sq_start(s, purpose == MC_STATUS_PURPOSE_REVOCATION ? Q_BITS_REV : Q_BITS_SUS, p,
                      NP(p), &stmt, err);
    if (rc)
        return rc;
    for (;;) {
        rc = sq_step(s, stmt, &row, err);
        if (rc)
            break;
        if (!row) {
            sq_end(stmt);
            break;
        }
        rc = mc_store_i64_push(indexes, n, &cap, sqlite3_column_int64(stmt, 0));
        if (rc) {
            mc_err_set(err, rc, "store: out of memory reading status list %lld", (long long)id);
            sq_end(stmt);
            break;
        }
    }
    if (rc) {
        mc_free(*indexes);
        *indexes = NULL;
        *n = 0;
    }
    return rc;
}

/* --- credentials ---------------------------------------------------------------------------- */

/* After a cred_put conflict: the id of the credential holding the id, the
 * idempotency key or a status index of c (idem_key holder first). */
static mcred_rc sq_cred_holder(struct sq_store *s, const struct mc_credential *c,
                               char **existing_id, struct mc_err *err)
{
    struct mc_param p[] = {
        mc_p_i64(c->org_id), mc_p_text(c->id), mc_p_text(c->idem_key),
        mc_p_opt(c->status_list_rev),
        c->status_list_rev ? mc_p_i64(c->status_index_rev) : mc_p_text(NULL),
        mc_p_opt(c->status_list_sus),
        c->status_list_sus ? mc_p_i64(c->status_index_sus) : mc_p_text(NULL),
    };
    sqlite3_stmt *stmt;
    bool row;
    mcred_rc rc = sq_start(s, Q_CRED_HOLDER, p, NP(p), &stmt, err);

    if (!rc)
        rc = sq_step(s, stmt, &row, err);
    if (rc)
        return rc;
    if (row) {
        *existing_id = mc_strdup((const char *)sqlite3_column_text(stmt, 0));
        if (!*existing_id)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store: out of memory after a conflict");
    }
    sq_end(stmt);
    return rc ? rc : MCRED_ERR_CONFLICT;
}

static mcred_rc sq_cred_put(struct mc_store *st, const struct mc_credential *c,
                            char **existing_id, struct mc_err *err)
{
    struct sq_store *s = sq(st);
    struct mc_param p[MC_CRED_PARAMS];
    int changes = 0;
    mcred_rc rc;

    mc_store_cred_params(c, p);
    rc = sq_exec(s, Q_CRED_PUT, p, MC_CRED_PARAMS, &changes, err);

    if (rc || changes)
        return rc;
    if (!existing_id)
        return MCRED_ERR_CONFLICT;
    return sq_cred_holder(s, c, existing_id, err);
}

static mcred_rc sq_cred_get(struct mc_store *st, int64_t org, const char *id,
                            struct mc_credential *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(id) };

    return sq_one(sq(st), Q_CRED_GET, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc sq_cred_find_idem(struct mc_store *st, int64_t org, const char *idem_key,
                                  struct mc_credential *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(idem_key) };

    return sq_one(sq(st), Q_CRED_IDEM, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc sq_cred_set_state(struct mc_store *st, int64_t org, const char *id,
                                  enum mc_cred_state state, const char *reason,
                                  struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(id),
                            mc_p_text(mc_cred_state_name(state)), mc_p_text(reason) };
    int changes = 0;
    mcred_rc rc = sq_exec(sq(st), Q_CRED_STATE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    return sq_which_miss(sq(st), Q_CRED_EXISTS, org, id, 0, err);
}

static mcred_rc sq_cred_list(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                             struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit), mc_p_i64((int64_t)offset) };

    return sq_list(sq(st), Q_CRED_LIST, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc sq_cred_count(struct mc_store *st, int64_t org, int64_t *n, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return sq_i64(sq(st), Q_CRED_COUNT, p, NP(p), n, err);
}

/* --- audit ---------------------------------------------------------------------------------- */

static mcred_rc sq_audit_add(struct mc_store *st, const struct mc_audit *a, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(a->org_id), mc_p_i64(mc_store_time(a->at)),
                            mc_p_text(a->actor), mc_p_text(a->action), mc_p_text(a->subject),
                            mc_p_text(a->detail) };

    return sq_exec(sq(st), Q_AUDIT_ADD, p, NP(p), NULL, err);
}

static mcred_rc sq_audit_list(struct mc_store *st, int64_t org, size_t limit,
                              struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit) };

    return sq_list(sq(st), Q_AUDIT_LIST, p, NP(p), &mc_row_audit, out, err);
}

/* --- version 3 (the server); each area appends below its own marker -------- */
/* v3 core */
static mcred_rc sq_issuer_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return sq_list(sq(st), Q_ISSUER_LIST, p, NP(p), &mc_row_issuer, out, err);
}

static mcred_rc sq_status_list_by_url(struct mc_store *st, const char *url,
                                     struct mc_status_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(url) };

    return sq_one(sq(st), Q_SL_BY_URL, p, NP(p), &mc_row_status_list, out, err);
}

/* v3 web: sessions, share links */

/* v3 oauth: clients, codes, tokens */

/* v3 platform: jobs */

const struct mc_store_ops mc_store_sqlite_ops = {
    .version = 3,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .migrate = sq_migrate,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .org_create = sq_org_create,
    .org_get = sq_org_get,
    .org_find = sq_org_find,
    .user_add = sq_user_add,
    .user_list = sq_user_list,
    .token_add = sq_token_add,
    .token_find = sq_token_find,
    .issuer_put = sq_issuer_put,
    .issuer_get = sq_issuer_get,
    .key_add = sq_key_add,
    .key_list = sq_key_list,
    .key_retire = sq_key_retire,
    .achievement_put = sq_achievement_put,
    .achievement_get = sq_achievement_get,
    .achievement_list = sq_achievement_list,
    .learner_put = sq_learner_put,
    .learner_get = sq_learner_get,
    .learner_list = sq_learner_list,
    .status_list_create = sq_status_list_create,
    .status_list_get = sq_status_list_get,
    .status_list_current = sq_status_list_current,
    .status_alloc = sq_status_alloc,
    .status_list_set_doc = sq_status_list_set_doc,
    .status_set_bits = sq_status_set_bits,
    .cred_put = sq_cred_put,
    .cred_get = sq_cred_get,
    .cred_find_idem = sq_cred_find_idem,
    .cred_set_state = sq_cred_set_state,
    .cred_list = sq_cred_list,
    .cred_count = sq_cred_count,
    .audit_add = sq_audit_add,
    .audit_list = sq_audit_list,
    .cred_put_many = mc_store_cred_put_loop,   /* statements are local: a loop is as fast */
    .status_list_find = sq_status_list_find,
    .status_list_all = sq_status_list_all,
    /* v3 core */
    .issuer_list = sq_issuer_list,
    .status_list_by_url = sq_status_list_by_url,
    /* v3 web */
    /* v3 oauth */
    /* v3 platform */
};
