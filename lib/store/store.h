/* store.h - the platform store: one interface (a versioned table of
 * operations, SQLite's io_methods idea) with two backends, SQLite (default, a
 * file in WAL mode) and PostgreSQL (libpq). The service layer calls only
 * mc_store_*; SQL dialects stay inside store_sqlite.c and store_pg.c.
 * Every table carries org_id so the schema can be distributed by it later.
 * A store handle is used by one thread at a time (one connection each).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_STORE_H
#define MC_STORE_H

#include <time.h>

#include "internal.h"
#include "status/bitstring.h"

struct mc_store;   /* opaque; made by mc_store_open */

enum mc_role { MC_ROLE_ADMIN = 0, MC_ROLE_ISSUER, MC_ROLE_ASSESSOR, MC_ROLE_LEARNER,
               MC_ROLE_RECRUITER };
enum mc_cred_state { MC_CRED_ACTIVE = 0, MC_CRED_REVOKED, MC_CRED_SUSPENDED };
/* Status list purposes are the status module's enum mc_status_purpose
 * (status/bitstring.h); the store keeps MC_STATUS_PURPOSE_REVOCATION and
 * MC_STATUS_PURPOSE_SUSPENSION lists. */

/* Rows. Strings in rows returned by the store are owned by the row and freed
 * with the matching _release (a list of rows: mc_store_list_clear). */
struct mc_org { int64_t id; char *name; time_t created; };
struct mc_user { int64_t id, org_id; char *email; enum mc_role role; time_t created; };
struct mc_issuer {
    int64_t id, org_id;
    char *name, *url, *email, *image;
    char *did;                 /* did:key or did:web of the issuer */
    time_t created;
};
struct mc_issuer_key {
    int64_t id, org_id, issuer_id;
    char *vm_id;               /* verification method id (DID URL) */
    char *public_multibase;    /* z6Mk... */
    char *key_file;            /* the encrypted key file (JSON text, secret sealed) */
    time_t created;
    time_t retired;            /* 0 while it signs */
};
struct mc_achievement {
    int64_t id, org_id;        /* id of this version's row */
    char *uri;                 /* the OB Achievement id, stable across versions */
    int version;               /* 1, 2, ... */
    char *json;                /* the Achievement JSON of this version */
    time_t created;
};
struct mc_learner {
    int64_t id, org_id;
    char *name, *email, *did; /* email and did may be NULL */
    time_t created;
};
struct mc_credential {
    char *id;                  /* the credential id (URL or urn:uuid) */
    int64_t org_id, issuer_id, achievement_id, learner_id;
    char *idem_key;            /* unique per organisation */
    char *recipient;           /* DID or e-mail as issued */
    enum mc_cred_state state;
    char *reason;              /* of the last state change, or NULL */
    int64_t status_list_rev;   /* status list (revocation) id, or 0 */
    int64_t status_index_rev;  /* index in it */
    int64_t status_list_sus, status_index_sus;   /* the suspension list */
    time_t issued, valid_until;  /* valid_until 0: none */
    char *doc;                 /* the signed credential */
};
struct mc_status_list {
    int64_t id, org_id, issuer_id;
    enum mc_status_purpose purpose;
    char *url;                 /* where the list credential is published */
    int64_t size;              /* entries (>= 131072) */
    int64_t next_index;        /* first index never handed out */
    char *doc;                 /* the last signed list credential, or NULL */
    time_t updated;
};
struct mc_audit {
    int64_t id, org_id;
    time_t at;
    char *actor, *action, *subject, *detail;
};

/* A page of rows for list operations. */
struct mc_store_list {
    void *rows;                /* array of the row type */
    size_t n;
    size_t row_size;           /* sizeof the row type (set by the op) */
    void (*release_row)(void *row);  /* its _release (set by the op) */
};

struct mc_store_ops {
    int version;               /* 1; new methods are only appended (2: cred_put_many...) */
    const char *name;          /* "sqlite" or "postgres" */
    mcred_rc (*open)(struct mc_store **out, const char *dsn, struct mc_err *err);
    void (*close)(struct mc_store *st);
    mcred_rc (*migrate)(struct mc_store *st, int *version, struct mc_err *err);
    mcred_rc (*begin)(struct mc_store *st, struct mc_err *err);
    mcred_rc (*commit)(struct mc_store *st, struct mc_err *err);
    mcred_rc (*rollback)(struct mc_store *st);

    mcred_rc (*org_create)(struct mc_store *st, const char *name, int64_t *id, struct mc_err *err);
    mcred_rc (*org_get)(struct mc_store *st, int64_t id, struct mc_org *out, struct mc_err *err);
    mcred_rc (*org_find)(struct mc_store *st, const char *name, struct mc_org *out,
                         struct mc_err *err);

    mcred_rc (*user_add)(struct mc_store *st, int64_t org, const char *email, enum mc_role role,
                         int64_t *id, struct mc_err *err);
    mcred_rc (*user_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                          struct mc_err *err);
    mcred_rc (*token_add)(struct mc_store *st, int64_t org, int64_t user,
                          const char *token_hash, struct mc_err *err);
    mcred_rc (*token_find)(struct mc_store *st, const char *token_hash, struct mc_user *out,
                           struct mc_err *err);

    mcred_rc (*issuer_put)(struct mc_store *st, struct mc_issuer *in_out, struct mc_err *err);
    mcred_rc (*issuer_get)(struct mc_store *st, int64_t org, int64_t id, struct mc_issuer *out,
                           struct mc_err *err);
    mcred_rc (*key_add)(struct mc_store *st, struct mc_issuer_key *in_out, struct mc_err *err);
    /* every key of an issuer, oldest first (retired ones included) */
    mcred_rc (*key_list)(struct mc_store *st, int64_t org, int64_t issuer,
                         struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*key_retire)(struct mc_store *st, int64_t org, int64_t key_id, time_t when,
                           struct mc_err *err);

    /* a new version of the achievement named by uri (version = last + 1) */
    mcred_rc (*achievement_put)(struct mc_store *st, struct mc_achievement *in_out,
                                struct mc_err *err);
    /* by row id, or (id 0) the latest version of uri */
    mcred_rc (*achievement_get)(struct mc_store *st, int64_t org, int64_t id, const char *uri,
                                struct mc_achievement *out, struct mc_err *err);
    mcred_rc (*achievement_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                 struct mc_err *err);

    mcred_rc (*learner_put)(struct mc_store *st, struct mc_learner *in_out, struct mc_err *err);
    /* by id, or (id 0) by e-mail or DID */
    mcred_rc (*learner_get)(struct mc_store *st, int64_t org, int64_t id, const char *email_or_did,
                            struct mc_learner *out, struct mc_err *err);
    mcred_rc (*learner_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                             struct mc_err *err);

    /* status lists of an issuer and purpose; create makes a new list */
    mcred_rc (*status_list_create)(struct mc_store *st, struct mc_status_list *in_out,
                                   struct mc_err *err);
    mcred_rc (*status_list_get)(struct mc_store *st, int64_t org, int64_t id,
                                struct mc_status_list *out, struct mc_err *err);
    /* the list of (issuer, purpose) with room, newest first; NOTFOUND when none */
    mcred_rc (*status_list_current)(struct mc_store *st, int64_t org, int64_t issuer,
                                    enum mc_status_purpose purpose, struct mc_status_list *out,
                                    struct mc_err *err);
    /* hand out n consecutive indexes of list id from next_index (inside the
     * caller's transaction); LIMIT when the list has fewer than n left */
    mcred_rc (*status_alloc)(struct mc_store *st, int64_t org, int64_t id, int64_t n,
                             int64_t *first, struct mc_err *err);
    mcred_rc (*status_list_set_doc)(struct mc_store *st, int64_t org, int64_t id,
                                    const char *doc, time_t updated, struct mc_err *err);
    /* indexes of list id whose credentials are in state (revoked for a
     * revocation list, suspended for a suspension list), ascending */
    mcred_rc (*status_set_bits)(struct mc_store *st, int64_t org, int64_t id,
                                int64_t **indexes, size_t *n, struct mc_err *err);

    /* insert; CONFLICT (and *existing_id, owned, set) when idem_key or id exists */
    mcred_rc (*cred_put)(struct mc_store *st, const struct mc_credential *c, char **existing_id,
                         struct mc_err *err);
    mcred_rc (*cred_get)(struct mc_store *st, int64_t org, const char *id,
                         struct mc_credential *out, struct mc_err *err);
    mcred_rc (*cred_find_idem)(struct mc_store *st, int64_t org, const char *idem_key,
                               struct mc_credential *out, struct mc_err *err);
    mcred_rc (*cred_set_state)(struct mc_store *st, int64_t org, const char *id,
                               enum mc_cred_state state, const char *reason, struct mc_err *err);
    /* a page ordered by issue time, then id: at most limit rows after offset */
    mcred_rc (*cred_list)(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                          struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*cred_count)(struct mc_store *st, int64_t org, int64_t *n, struct mc_err *err);

    mcred_rc (*audit_add)(struct mc_store *st, const struct mc_audit *a, struct mc_err *err);
    mcred_rc (*audit_list)(struct mc_store *st, int64_t org, size_t limit,
                           struct mc_store_list *out, struct mc_err *err);

    /* version 2: insert n credentials in one go (PostgreSQL: pipelined, one
     * round trip per batch); see mc_store_cred_put_many */
    mcred_rc (*cred_put_many)(struct mc_store *st, const struct mc_credential *cs, size_t n,
                              mcred_rc *results, char **existing_ids, struct mc_err *err);
    /* version 2: a status list by its URL; every list of an organisation */
    mcred_rc (*status_list_find)(struct mc_store *st, int64_t org, const char *url,
                                 struct mc_status_list *out, struct mc_err *err);
    mcred_rc (*status_list_all)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                struct mc_err *err);

    /* version 3 (the server). Each area appends below its own marker. */
    /* v3 core: every issuer of an organisation, oldest first; a status list
     * by URL in any organisation (public status list endpoint, verifying) */
    mcred_rc (*issuer_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                            struct mc_err *err);
    mcred_rc (*status_list_by_url)(struct mc_store *st, const char *url,
                                   struct mc_status_list *out, struct mc_err *err);
    /* v3 web: sessions, share links */
    /* v3 oauth: clients, codes, tokens */
    /* v3 platform: jobs */
};

/* Open the store named by dsn: "sqlite:PATH" (or a plain path), ":memory:",
 * or "postgres://..." / "postgresql://...". Runs the migrations.
 * (Addition: "pg:KEYWORDS" opens PostgreSQL with a keyword DSN such as
 * "pg:host=/run/postgresql dbname=mcred"; "postgres:" and "postgresql:"
 * without "//" work the same. *out is NULL on failure; errors:
 * INVALID or LIMIT for the dsn, STORAGE when the database cannot be opened
 * or migrated, NOMEM. A PostgreSQL password in the dsn is never echoed.) */
MC_NODISCARD mcred_rc mc_store_open(struct mc_store **out, const char *dsn, struct mc_err *err);
void mc_store_close(struct mc_store *st);            /* accepts NULL */
const struct mc_store_ops *mc_store_ops(const struct mc_store *st);
/* The ops of a backend by name ("sqlite", "postgres"), NULL when not built. */
const struct mc_store_ops *mc_store_backend(const char *name);

/* Release the strings a row owns (the row itself is the caller's). */
void mc_org_release(struct mc_org *r);
void mc_user_release(struct mc_user *r);
void mc_issuer_release(struct mc_issuer *r);
void mc_issuer_key_release(struct mc_issuer_key *r);
void mc_achievement_release(struct mc_achievement *r);
void mc_learner_release(struct mc_learner *r);
void mc_credential_release(struct mc_credential *r);
void mc_status_list_release(struct mc_status_list *r);
void mc_audit_release(struct mc_audit *r);
/* Free a list returned by an op of the given row type (release each row). */
void mc_store_list_free(struct mc_store_list *l, void (*release)(void *row), size_t row_size);

/* Names as stored ("admin", "revoked", ...): static, NULL for a value
 * outside the enum. The parsers return INVALID for an unknown name. */
const char *mc_role_name(enum mc_role r);
MC_NODISCARD mcred_rc mc_role_parse(const char *s, enum mc_role *out);
const char *mc_cred_state_name(enum mc_cred_state s);

/* --- additions (v1 wrappers and their contract) ------------------------------
 *
 * Every op below is a thin wrapper that checks its arguments the same way for
 * both backends and calls st->ops. Common rules:
 *
 * ERRORS. NOTFOUND: the row (in that organisation) does not exist. CONFLICT:
 * a unique key is taken (or a state forbids the change). INVALID: a bad
 * argument (NULL or empty required string, id <= 0, invalid UTF-8, a row that
 * refers to a missing or foreign row). LIMIT: a string or page larger than
 * the bounds below. STORAGE: the database failed; err holds its message.
 * NOMEM: an allocation failed. err may be NULL.
 *
 * OUTPUTS. On failure every output is left defined: rows and lists zeroed,
 * pointers NULL, counts 0. A row must be released (or a list cleared) after
 * success and may be released after failure.
 *
 * TRANSACTIONS. mc_store_begin starts one (INVALID if one is open);
 * mc_store_commit ends it (INVALID if none is open); mc_store_rollback undoes
 * it (a no-op returning OK when none is open, so cleanup paths may call it
 * unconditionally). Every op works inside or outside a transaction (outside,
 * each op commits on its own). Argument errors (INVALID, LIMIT), NOTFOUND and
 * CONFLICT leave an open transaction usable on both backends. An error the
 * database itself raises inside a transaction (STORAGE, or INVALID for a
 * reference to a missing row; PostgreSQL aborts the whole transaction then)
 * dooms it on both backends: further ops fail with STORAGE, and
 * mc_store_commit rolls back and returns STORAGE. A failed commit also rolls
 * back.
 *
 * TIMES are seconds since the epoch. A creation time of 0 in a row given to a
 * put op means "now" (time(NULL)); the row then holds the stored value.
 *
 * THREAD SAFETY: a handle belongs to one thread at a time; open one per
 * thread. Different handles may be used concurrently (SQLite WAL with a busy
 * timeout; PostgreSQL row locks). */

#define MC_STORE_MAX_TEXT ((size_t)4096)      /* names, e-mails, URLs, ids, hashes */
#define MC_STORE_MAX_DOC ((size_t)16 << 20)   /* documents: credentials, JSON, key files */
#define MC_STORE_PAGE_MAX ((size_t)1000)      /* rows per cred_list / audit_list page */
#define MC_STORE_STATUS_MIN_SIZE ((int64_t)131072)   /* Bitstring Status List minimum */
#define MC_STORE_STATUS_MAX_SIZE ((int64_t)1 << 27)  /* 16 MB of one-bit entries */

/* Bring the schema to the newest migration this build carries: the pending
 * numbered migrations run once, together in one transaction, and concurrent
 * openers serialise (SQLite BEGIN IMMEDIATE; a PostgreSQL advisory lock). An
 * up-to-date schema is recognised by a plain read, without any lock.
 * *version: OUT, the schema version afterwards. INVALID inside a transaction;
 * STORAGE when the database's schema is newer than this build. */
MC_NODISCARD mcred_rc mc_store_migrate(struct mc_store *st, int *version, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_begin(struct mc_store *st, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_commit(struct mc_store *st, struct mc_err *err);
mcred_rc mc_store_rollback(struct mc_store *st);
/* True between a successful mc_store_begin and its commit or rollback. */
bool mc_store_in_transaction(const struct mc_store *st);

/* Organisations. Names are unique (CONFLICT). *id: OUT. */
MC_NODISCARD mcred_rc mc_store_org_create(struct mc_store *st, const char *name, int64_t *id,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_org_get(struct mc_store *st, int64_t id, struct mc_org *out,
                                       struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_org_find(struct mc_store *st, const char *name,
                                        struct mc_org *out, struct mc_err *err);

/* Users: e-mail unique per organisation (CONFLICT). user_list: oldest first,
 * rows are struct mc_user. token_add stores the hash of an API token (unique
 * across organisations: CONFLICT); token_find returns its user. */
MC_NODISCARD mcred_rc mc_store_user_add(struct mc_store *st, int64_t org, const char *email,
                                        enum mc_role role, int64_t *id, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_user_list(struct mc_store *st, int64_t org,
                                         struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_token_add(struct mc_store *st, int64_t org, int64_t user,
                                         const char *token_hash, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_token_find(struct mc_store *st, const char *token_hash,
                                          struct mc_user *out, struct mc_err *err);

/* Issuers. issuer_put with in_out->id 0 inserts (sets id and created); with an
 * id it updates name, url, email, image and did (NOTFOUND when absent) and
 * reads back created. name is required; the rest may be NULL. */
MC_NODISCARD mcred_rc mc_store_issuer_put(struct mc_store *st, struct mc_issuer *in_out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_issuer_get(struct mc_store *st, int64_t org, int64_t id,
                                          struct mc_issuer *out, struct mc_err *err);

/* Issuer keys. key_add inserts (sets id, and created when 0); vm_id is unique
 * per organisation (CONFLICT); public_multibase is required, key_file may be
 * NULL (a verify-only key). key_list: rows are struct mc_issuer_key, oldest
 * first. key_retire sets retired = when (> 0) once: CONFLICT when the key is
 * already retired, so the first retirement time is kept. */
MC_NODISCARD mcred_rc mc_store_key_add(struct mc_store *st, struct mc_issuer_key *in_out,
                                       struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_key_list(struct mc_store *st, int64_t org, int64_t issuer,
                                        struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_key_retire(struct mc_store *st, int64_t org, int64_t key_id,
                                          time_t when, struct mc_err *err);

/* Achievements. put stores a new version of in_out->uri (sets id, version and
 * created; CONFLICT when a concurrent writer took that version: retry). get
 * takes a row id, or id 0 and the uri for its latest version. list returns
 * the latest version of every uri of the organisation, ordered by uri (rows
 * are struct mc_achievement). */
MC_NODISCARD mcred_rc mc_store_achievement_put(struct mc_store *st,
                                               struct mc_achievement *in_out,
                                               struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_achievement_get(struct mc_store *st, int64_t org, int64_t id,
                                               const char *uri, struct mc_achievement *out,
                                               struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_achievement_list(struct mc_store *st, int64_t org,
                                                struct mc_store_list *out,
                                                struct mc_err *err);

/* Learners. put with id 0 inserts, with an id updates name, email and did
 * (NOTFOUND when absent). email and did are each unique per organisation when
 * not NULL (CONFLICT). get by id, or id 0 and a string matched exactly against
 * both email and did. list: oldest first, rows are struct mc_learner. */
MC_NODISCARD mcred_rc mc_store_learner_put(struct mc_store *st, struct mc_learner *in_out,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_learner_get(struct mc_store *st, int64_t org, int64_t id,
                                           const char *email_or_did, struct mc_learner *out,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_learner_list(struct mc_store *st, int64_t org,
                                            struct mc_store_list *out, struct mc_err *err);

/* Status lists, of purpose MC_STATUS_PURPOSE_REVOCATION or _SUSPENSION only
 * (INVALID otherwise). create inserts (sets id, next_index 0, and updated when 0);
 * size must be within MC_STORE_STATUS_MIN_SIZE..MC_STORE_STATUS_MAX_SIZE; url
 * is unique per organisation (CONFLICT); doc may be NULL. current: see the op.
 * alloc hands out n >= 1 consecutive indexes, *first the lowest; it is one
 * atomic update (concurrent allocators never share an index); LIMIT when
 * fewer than n are left. set_bits: *indexes OUT, owned (mc_free), ascending,
 * NULL when *n is 0. */
MC_NODISCARD mcred_rc mc_store_status_list_create(struct mc_store *st,
                                                  struct mc_status_list *in_out,
                                                  struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_status_list_get(struct mc_store *st, int64_t org, int64_t id,
                                               struct mc_status_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_status_list_current(struct mc_store *st, int64_t org,
                                                   int64_t issuer,
                                                   enum mc_status_purpose purpose,
                                                   struct mc_status_list *out,
                                                   struct mc_err *err);
/* The list published at url (NOTFOUND when the organisation has none). */
MC_NODISCARD mcred_rc mc_store_status_list_find(struct mc_store *st, int64_t org,
                                                const char *url, struct mc_status_list *out,
                                                struct mc_err *err);
/* Every status list of the organisation, oldest first (rows are struct
 * mc_status_list, documents included). */
MC_NODISCARD mcred_rc mc_store_status_list_all(struct mc_store *st, int64_t org,
                                               struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_status_alloc(struct mc_store *st, int64_t org, int64_t id,
                                            int64_t n, int64_t *first, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_status_list_set_doc(struct mc_store *st, int64_t org,
                                                   int64_t id, const char *doc,
                                                   time_t updated, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_status_set_bits(struct mc_store *st, int64_t org, int64_t id,
                                               int64_t **indexes, size_t *n,
                                               struct mc_err *err);

/* Credentials. cred_put requires id, recipient, doc, issued > 0, and issuer
 * and achievement ids of the organisation; learner_id 0, idem_key NULL,
 * reason NULL, valid_until 0 and a status list 0 (its index is then ignored)
 * mean none. CONFLICT when the id, the (org, idem_key) or a (list, index)
 * pair is taken: *existing_id (OUT, owned, may be NULL when the caller passes
 * existing_id NULL) names the credential holding it, the idem_key holder
 * first. cred_set_state: CONFLICT once a credential is revoked (revocation is
 * final). cred_list: 1 <= limit <= MC_STORE_PAGE_MAX (rows are struct
 * mc_credential). */
MC_NODISCARD mcred_rc mc_store_cred_put(struct mc_store *st, const struct mc_credential *c,
                                        char **existing_id, struct mc_err *err);
/* Bulk issuance: insert cs[0..n) (1 <= n <= MC_STORE_BATCH_MAX), each
 * checked like cred_put. A row that conflicts is skipped: results[i] (OUT,
 * n entries) is MCRED_OK or MCRED_ERR_CONFLICT, and existing_ids[i] (OUT, n
 * entries, may be NULL; each owned) names the holder for a conflict, else
 * NULL; *conflicts (OUT) counts them. Any other error stops the batch: inside
 * the caller's transaction it dooms it; outside one the batch runs in its own
 * transaction, so either every non-conflicting row is stored or none. On
 * failure results[] all hold the error, existing_ids[] are NULL and
 * *conflicts is 0. On PostgreSQL the rows go in pipelined batches (one round
 * trip each) rather than one round trip per row. */
#define MC_STORE_BATCH_MAX ((size_t)100000)
MC_NODISCARD mcred_rc mc_store_cred_put_many(struct mc_store *st, const struct mc_credential *cs,
                                             size_t n, mcred_rc *results, char **existing_ids,
                                             size_t *conflicts, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_get(struct mc_store *st, int64_t org, const char *id,
                                        struct mc_credential *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_find_idem(struct mc_store *st, int64_t org,
                                              const char *idem_key, struct mc_credential *out,
                                              struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_set_state(struct mc_store *st, int64_t org, const char *id,
                                              enum mc_cred_state state, const char *reason,
                                              struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_list(struct mc_store *st, int64_t org, size_t offset,
                                         size_t limit, struct mc_store_list *out,
                                         struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_count(struct mc_store *st, int64_t org, int64_t *n,
                                          struct mc_err *err);

/* The audit log is append-only: there is no op to change or delete an entry,
 * and the schema refuses UPDATE and DELETE on it. audit_add requires actor and
 * action (at 0: now). audit_list: newest first, 1 <= limit <= MC_STORE_PAGE_MAX,
 * rows are struct mc_audit. */
MC_NODISCARD mcred_rc mc_store_audit_add(struct mc_store *st, const struct mc_audit *a,
                                         struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_audit_list(struct mc_store *st, int64_t org, size_t limit,
                                          struct mc_store_list *out, struct mc_err *err);

/* Release every row of a list filled by an op, and the array; l becomes
 * empty. Accepts NULL and an empty or zeroed list. */
void mc_store_list_clear(struct mc_store_list *l);

MC_NODISCARD mcred_rc mc_cred_state_parse(const char *s, enum mc_cred_state *out);

/* --- version 3 (the server); each area appends below its own marker -------- */
/* v3 core. issuer_list: every issuer of org, oldest first (rows are struct
 * mc_issuer). status_list_by_url: the list published at url, in whichever
 * organisation has it (NOTFOUND when none). */
MC_NODISCARD mcred_rc mc_store_issuer_list(struct mc_store *st, int64_t org,
                                           struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_status_list_by_url(struct mc_store *st, const char *url,
                                                  struct mc_status_list *out,
                                                  struct mc_err *err);
/* v3 web: sessions, share links */
/* v3 oauth: clients, codes, tokens */
/* v3 platform: jobs */

#endif /* MC_STORE_H */
