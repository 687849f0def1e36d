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
/* v3 wallet rows */
struct mc_holder_key {
    int64_t id, org_id, learner_id;
    char *did;                 /* did:key of the holder key */
    char *public_multibase;
    char *key_file;            /* the sealed key file (JSON) */
    time_t created;
};
struct mc_wallet_item {
    int64_t id, org_id, learner_id;
    char *cred_id;             /* the credential's id, or NULL when it has none */
    char *hash;                /* hex SHA-256 of doc: duplicates are refused */
    char *format;              /* the verdict's format ("json-ld (Data Integrity)", ...) */
    char *source;              /* "file", "url", "paste", "issued", "restore" */
    char *verdict;             /* the verdict name when imported */
    char *report;              /* the verdict as JSON */
    char *doc;                 /* the credential as held: JSON, or a JWT */
    time_t imported;
};
/* v4 positions rows (see the v4 positions wrappers below) */
struct mc_position {
    int64_t id, org_id;        /* org_id: the employer */
    char *title;
    char *doc;                 /* the position as JSON (lib/skills/rank.h reads it) */
    time_t created;
};
struct mc_org_share {          /* a learner shares credentials with an organisation */
    int64_t id;
    int64_t employer_id;       /* the organisation shared with */
    int64_t org_id, learner_id;   /* the learner, of organisation org_id */
    char *scope;               /* JSON array of the credential ids shared; NULL: all */
    time_t created;
};
struct mc_cand_cred {          /* a credential issued to a learner, in any state */
    char *cred_id;
    char *achievement_uri, *achievement_json;   /* the version it was issued for */
    enum mc_cred_state state;
    time_t issued, valid_until;   /* valid_until 0: none */
    char *doc;                 /* the signed credential */
};
/* v4 assess rows */
struct mc_assessment {
    int64_t id, org_id, learner_id, achievement_id;
    char *achievement_uri;     /* the Achievement id assessed */
    char *rd_id;               /* the ResultDescription id the result is against */
    char *kind;                /* "rubric", "score" or "status" */
    char *value;               /* the level id, the score as text, "pass" or "fail" */
    char *assessor;            /* who assessed (a user's e-mail, or the actor) */
    char *evidence;            /* the OB 3.0 Evidence objects as a JSON array */
    bool met;                  /* the result met the requirement */
    char *missing;             /* what was missing when not met, else NULL */
    char *cred_id;             /* the credential awarded (or awarded before), or NULL */
    time_t at;
};

/* v4 stacks rows (see the v4 stacks wrappers below) */
enum mc_stack_policy { MC_STACK_KEEP = 0, MC_STACK_FLAG, MC_STACK_REVOKE };
enum mc_award_state { MC_AWARD_PENDING = 0, MC_AWARD_ISSUED, MC_AWARD_FLAGGED,
                      MC_AWARD_REVOKED };
struct mc_stack_def {          /* a stack: an achievement of the organisation with a rule */
    int64_t id, org_id;
    char *achievement_uri;     /* the stack's achievement (its OB id) */
    char *rule;                /* the rule as JSON text (lib/model/stack.h) */
    bool freshness;            /* expired components do not count */
    enum mc_stack_policy policy;   /* when a component is revoked later */
    time_t created;
};
struct mc_stack_award {        /* a stack credential of a learner (or its claim) */
    int64_t id, org_id, stack_id, learner_id;
    char *cred_id;             /* NULL while pending */
    enum mc_award_state state;
    time_t created, updated;
};
struct mc_stack_cred {         /* a credential this organisation issued to a learner */
    char *cred_id;
    char *achievement_uri;
    char *issuer_did;
    enum mc_cred_state state;
    time_t issued, valid_until;   /* valid_until 0: none */
    double credits;            /* the achievement's creditsAvailable; < 0: none */
};

/* v3 web rows (see the v3 web wrappers below). */
struct mc_org_setting {
    int64_t org_id;
    char *name, *value;
    time_t updated;
};
struct mc_share {
    char *share_id;            /* 22 characters of base64url (128 random bits) */
    int64_t org_id;
    char *cred_id;             /* the credential's id */
    bool enabled;              /* the link works (else /badges/{share_id} is 404) */
    time_t created, updated;
};
struct mc_session {
    char *id_hash;             /* hex SHA-256 of the cookie value */
    int64_t org_id, user_id;
    char *email;               /* the user's (session_get fills it and role) */
    enum mc_role role;
    char *csrf;                /* the session's CSRF token */
    time_t created, expires;
};

/* v3 oauth rows (see the v3 oauth wrappers below). */
struct mc_oauth_client {
    char *client_id;           /* public, random */
    char *secret_hash;         /* hex SHA-256 of the client secret */
    char *meta;                /* the registered metadata (JSON text, no secret) */
    time_t created;
};
struct mc_oauth_grant {
    int64_t id, org_id, user_id;   /* the user who is asked, then consented */
    char *client_id;
    char *redirect_uri;
    unsigned scopes;           /* scope bits (lib/service/oauth.h), > 0 */
    char *state;               /* the client's state, may be NULL */
    char *challenge;           /* PKCE S256 code_challenge */
    char *nonce_hash;          /* the consent form's nonce while undecided, else NULL */
    char *code_hash;           /* the authorization code once approved, else NULL */
    time_t expires;            /* of the nonce, then of the code */
    time_t code_used, revoked, created;   /* 0: not (yet) */
};
struct mc_oauth_token {
    char *hash;                /* hex SHA-256 of the token */
    int64_t org_id, grant_id;
    bool refresh;              /* a refresh token, else an access token */
    unsigned scopes;
    time_t created, expires;
    time_t used, revoked;      /* 0: not (yet); used: a refresh token exchanged */
    /* read by oauth_token_get only: its grant and the user who consented */
    char *client_id;
    time_t grant_revoked;
    struct mc_user user;
};
struct mc_ob_item {            /* a credential of a user's wallet */
    char *key;                 /* its id */
    bool jws;                  /* doc is a compact JWS, else JSON text */
    char *doc;
    time_t issued;
};
struct mc_ob_profile {
    int64_t org_id, user_id;
    char *doc;                 /* Profile JSON text */
    time_t updated;
};

/* v3 platform rows (see the v3 platform wrappers below). */
enum mc_job_state { MC_JOB_QUEUED = 0, MC_JOB_RUNNING, MC_JOB_DONE, MC_JOB_FAILED };
enum mc_job_format { MC_JOB_CSV = 0, MC_JOB_JSONL };
#define MC_TOKEN_ID_LEN 16     /* hex digits of a token's public id */
struct mc_token {
    char *id;                  /* public id: the first MC_TOKEN_ID_LEN hex digits of its hash */
    int64_t org_id, user_id;
    char *email;               /* the user's e-mail */
    enum mc_role role;         /* the user's role */
    char *label;               /* may be NULL */
    time_t created;
};
struct mc_job {
    int64_t id, org_id, achievement_id;
    int64_t user_id;           /* who submitted it; 0: nobody known */
    enum mc_job_format format;
    enum mc_job_state state;
    int64_t bytes, bytes_read; /* size of the input, and how much of it was read */
    int64_t rows, issued, already, failed;   /* as struct mc_bulk_result */
    char *row_errors;          /* JSON array text of the first rejected rows, or NULL */
    char *error;               /* why a failed job stopped, or NULL */
    time_t created, started, finished;       /* 0: not yet */
    time_t heartbeat;          /* last sign of life while queued or running */
};

/* v3 skills rows (see the v3 skills wrappers below). Frameworks are reference
 * data shared by every organisation (no org_id); what a learner declares is
 * per organisation. */
enum mc_skill_kind {
    MC_SK_SKILL = 0,           /* a skill or competence (ESCO skill/competence, custom) */
    MC_SK_KNOWLEDGE,           /* ESCO knowledge */
    MC_SK_TECHNOLOGY,          /* O*NET technology skill (a software product) */
    MC_SK_SKILL_GROUP,         /* ESCO skill group; O*NET UNSPSC commodity */
    MC_SK_OCCUPATION,          /* ESCO occupation; O*NET-SOC occupation */
    MC_SK_OCCUPATION_GROUP,    /* ISCO-08 group */
};
#define MC_SK_COUNT 6
enum mc_skill_rel {
    MC_SR_NONE = 0,            /* not a relation (a row that is a concept) */
    MC_SR_ESSENTIAL,           /* occupation -> a skill it requires */
    MC_SR_OPTIONAL,            /* occupation -> a skill it may use */
    MC_SR_TECHNOLOGY,          /* O*NET occupation -> technology skill (flags) */
    MC_SR_SKILL_ESSENTIAL,     /* skill -> a skill essential to it */
    MC_SR_SKILL_OPTIONAL,      /* skill -> a skill optional to it */
    MC_SR_BROADER,             /* narrower concept -> broader one (the hierarchy) */
};
#define MC_SR_COUNT 7
#define MC_SKILL_HOT 1         /* relation flag: O*NET Hot Technology */
#define MC_SKILL_IN_DEMAND 2   /* relation flag: O*NET In Demand */

/* A framework to import (mc_store_skill_import); everything is borrowed.
 * Concepts are numbered by their index; labels and edges refer to them so. */
struct mc_skill_concept_in {
    const char *uri;           /* unique across all frameworks */
    const char *label;         /* the preferred label */
    const char *code;          /* ESCO/ISCO/O*NET code, or NULL */
    const char *description;   /* or NULL */
    enum mc_skill_kind kind;
};
struct mc_skill_label_in {
    uint32_t concept;          /* index into concepts */
    bool pref;                 /* the preferred label (one per concept) */
    const char *label;
    const char *norm;          /* its normalised words (lib/skills/text.h) */
};
struct mc_skill_edge_in {
    uint32_t from, to;         /* indexes into concepts */
    enum mc_skill_rel rel;     /* not MC_SR_NONE */
    int flags;                 /* MC_SKILL_HOT | MC_SKILL_IN_DEMAND, else 0 */
};
struct mc_skill_import {
    const char *name;          /* "esco", "onet" or a custom name: [a-z0-9_-]{1,40} */
    const char *version, *title, *attribution;   /* each may be NULL */
    const struct mc_skill_concept_in *concepts;
    size_t nconcepts;
    const struct mc_skill_label_in *labels;
    size_t nlabels;
    const struct mc_skill_edge_in *edges;
    size_t nedges;
    void (*progress)(void *ud, size_t done, size_t total);   /* rows written; may be NULL */
    void *progress_ud;
};

struct mc_skill_framework {
    int64_t id;
    char *name, *version, *title, *attribution;
    time_t imported;
    int64_t concepts, labels, edges;   /* rows stored by its import */
};
/* A concept: itself (skill_get), or as the end of a relation (rel, flags),
 * a search hit (extra: the label that matched), a crosswalk entry (extra:
 * "label" or "operator"), a declared or in-demand skill (count). */
struct mc_skill {
    int64_t id;                /* row id; 0 for a URI no framework defines */
    char *uri;
    char *label;               /* NULL for a URI no framework defines */
    enum mc_skill_kind kind;
    char *framework;           /* its framework's name, or NULL */
    char *code, *description;  /* description: skill_get only */
    enum mc_skill_rel rel;
    int flags;
    char *extra;
    int64_t count;             /* demand: postings mentioning it; declared: when */
};
/* One label (skill_label_scan); strings borrowed for the callback's duration. */
struct mc_skill_label {
    int64_t concept;
    const char *uri, *label;
    enum mc_skill_kind kind;
    bool pref;
};
/* A valid credential of a learner with its achievement (skill_held). */
struct mc_skill_held {
    char *credential_id;
    int64_t achievement_id;
    char *achievement_json;    /* the Achievement version it was issued for */
    time_t issued;
};
/* Row counts of one framework, straight from the tables (skill_stats). */
struct mc_skill_stats {
    int64_t kinds[MC_SK_COUNT];   /* concepts per enum mc_skill_kind */
    int64_t rels[MC_SR_COUNT];    /* edges per enum mc_skill_rel */
    int64_t labels, pref_labels;
    int64_t hot, in_demand;       /* edges with each flag */
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
    mcred_rc (*setting_get)(struct mc_store *st, int64_t org, const char *name,
                            struct mc_org_setting *out, struct mc_err *err);
    mcred_rc (*setting_set)(struct mc_store *st, int64_t org, const char *name,
                            const char *value, time_t now, struct mc_err *err);
    mcred_rc (*share_put)(struct mc_store *st, const struct mc_share *in, struct mc_share *out,
                          struct mc_err *err);
    mcred_rc (*share_get)(struct mc_store *st, int64_t org, const char *cred_id,
                          struct mc_share *out, struct mc_err *err);
    mcred_rc (*share_find)(struct mc_store *st, const char *share_id, struct mc_share *out,
                           struct mc_err *err);
    mcred_rc (*share_showcase)(struct mc_store *st, size_t limit, struct mc_store_list *out,
                               struct mc_err *err);
    mcred_rc (*session_add)(struct mc_store *st, const struct mc_session *s, struct mc_err *err);
    mcred_rc (*session_get)(struct mc_store *st, const char *id_hash, time_t now,
                            struct mc_session *out, struct mc_err *err);
    mcred_rc (*session_delete)(struct mc_store *st, const char *id_hash, struct mc_err *err);
    mcred_rc (*session_purge)(struct mc_store *st, time_t now, struct mc_err *err);
    mcred_rc (*issuer_by_did)(struct mc_store *st, const char *did, struct mc_issuer *out,
                              struct mc_err *err);
    mcred_rc (*achievement_by_uri)(struct mc_store *st, const char *uri,
                                   struct mc_achievement *out, struct mc_err *err);
    /* v3 oauth: clients, codes, tokens */
    mcred_rc (*oauth_client_add)(struct mc_store *st, const struct mc_oauth_client *c,
                                 struct mc_err *err);
    mcred_rc (*oauth_client_get)(struct mc_store *st, const char *client_id,
                                 struct mc_oauth_client *out, struct mc_err *err);
    mcred_rc (*oauth_grant_add)(struct mc_store *st, struct mc_oauth_grant *in_out,
                                struct mc_err *err);
    mcred_rc (*oauth_grant_decide)(struct mc_store *st, int64_t org, int64_t user,
                                   const char *nonce_hash, const char *code_hash,
                                   time_t code_expires, time_t now,
                                   struct mc_oauth_grant *out, struct mc_err *err);
    mcred_rc (*oauth_grant_by_code)(struct mc_store *st, const char *code_hash,
                                    struct mc_oauth_grant *out, struct mc_err *err);
    mcred_rc (*oauth_grant_use_code)(struct mc_store *st, int64_t org, int64_t id, time_t now,
                                     struct mc_err *err);
    mcred_rc (*oauth_grant_revoke)(struct mc_store *st, int64_t org, int64_t id, time_t now,
                                   struct mc_err *err);
    mcred_rc (*oauth_token_add)(struct mc_store *st, const struct mc_oauth_token *t,
                                struct mc_err *err);
    mcred_rc (*oauth_token_get)(struct mc_store *st, const char *hash,
                                struct mc_oauth_token *out, struct mc_err *err);
    mcred_rc (*oauth_token_use)(struct mc_store *st, const char *hash, time_t now,
                                struct mc_err *err);
    mcred_rc (*oauth_token_revoke)(struct mc_store *st, const char *hash, time_t now,
                                   struct mc_err *err);
    mcred_rc (*oauth_purge)(struct mc_store *st, time_t before, struct mc_err *err);
    mcred_rc (*ob_wallet_put)(struct mc_store *st, int64_t org, int64_t user,
                              const char *issuer_key, const char *cred_key, bool jws,
                              const char *doc, time_t issued, time_t now, bool *created,
                              struct mc_err *err);
    mcred_rc (*ob_wallet_list)(struct mc_store *st, int64_t org, int64_t user,
                               const time_t *since, size_t offset, size_t limit,
                               struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*ob_wallet_count)(struct mc_store *st, int64_t org, int64_t user,
                                const time_t *since, int64_t *n, struct mc_err *err);
    mcred_rc (*ob_profile_get)(struct mc_store *st, int64_t org, int64_t user,
                               struct mc_ob_profile *out, struct mc_err *err);
    mcred_rc (*ob_profile_put)(struct mc_store *st, int64_t org, int64_t user, const char *doc,
                               time_t now, struct mc_err *err);
    /* v3 platform: jobs */
    mcred_rc (*user_get)(struct mc_store *st, int64_t org, int64_t id, struct mc_user *out,
                         struct mc_err *err);
    mcred_rc (*user_set_role)(struct mc_store *st, int64_t org, int64_t id, enum mc_role role,
                              struct mc_err *err);
    mcred_rc (*token_create)(struct mc_store *st, int64_t org, int64_t user,
                             const char *token_hash, const char *label, struct mc_err *err);
    mcred_rc (*token_list)(struct mc_store *st, int64_t org, int64_t user,
                           struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*token_revoke)(struct mc_store *st, int64_t org, const char *id, int64_t user,
                             struct mc_err *err);
    mcred_rc (*learner_page)(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                             struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*cred_list_recipient)(struct mc_store *st, int64_t org, const char *email,
                                    size_t offset, size_t limit, struct mc_store_list *out,
                                    struct mc_err *err);
    mcred_rc (*audit_page)(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                           struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*job_create)(struct mc_store *st, struct mc_job *in_out, struct mc_err *err);
    mcred_rc (*job_get)(struct mc_store *st, int64_t org, int64_t id, struct mc_job *out,
                        struct mc_err *err);
    mcred_rc (*job_list)(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                         struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*job_update)(struct mc_store *st, const struct mc_job *j, struct mc_err *err);
    mcred_rc (*job_touch)(struct mc_store *st, int64_t org, int64_t id, time_t now,
                          struct mc_err *err);
    mcred_rc (*job_abandon)(struct mc_store *st, time_t before, const char *error, time_t now,
                            int64_t *n, struct mc_err *err);
    /* v3 skills: frameworks, skills, occupations */
    mcred_rc (*skill_import)(struct mc_store *st, const struct mc_skill_import *im,
                             int64_t *framework_id, struct mc_err *err);
    mcred_rc (*skill_framework_list)(struct mc_store *st, struct mc_store_list *out,
                                     struct mc_err *err);
    mcred_rc (*skill_stats)(struct mc_store *st, int64_t framework_id,
                            struct mc_skill_stats *out, struct mc_err *err);
    mcred_rc (*skill_get)(struct mc_store *st, const char *uri, struct mc_skill *out,
                          struct mc_err *err);
    mcred_rc (*skill_links)(struct mc_store *st, int64_t id, bool reverse,
                            struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*skill_search)(struct mc_store *st, const char *words, const char *norm,
                             const char *kinds, size_t limit, struct mc_store_list *out,
                             struct mc_err *err);
    mcred_rc (*skill_label_scan)(struct mc_store *st, const char *kinds,
                                 mcred_rc (*cb)(void *ud, const struct mc_skill_label *l),
                                 void *ud, struct mc_err *err);
    mcred_rc (*skill_map_put)(struct mc_store *st, const char *from_uri, const char *to_uri,
                              time_t at, struct mc_err *err);
    mcred_rc (*skill_map_list)(struct mc_store *st, const char *uri, struct mc_store_list *out,
                               struct mc_err *err);
    mcred_rc (*skill_declare)(struct mc_store *st, int64_t org, int64_t learner,
                              const char *uri, time_t at, struct mc_err *err);
    mcred_rc (*skill_declared)(struct mc_store *st, int64_t org, int64_t learner,
                               struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*skill_held)(struct mc_store *st, int64_t org, int64_t learner, time_t now,
                           struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*skill_posting_put)(struct mc_store *st, const char *ref, const char *title,
                                  const char *const *uris, const int64_t *hits, size_t n,
                                  time_t at, int64_t *id, struct mc_err *err);
    mcred_rc (*skill_demand)(struct mc_store *st, size_t limit, struct mc_store_list *out,
                             int64_t *postings, struct mc_err *err);
    /* v3 wallet: holder keys, wallet items */
    mcred_rc (*holder_key_put)(struct mc_store *st, struct mc_holder_key *in_out,
                               struct mc_err *err);
    mcred_rc (*holder_key_get)(struct mc_store *st, int64_t org, int64_t learner,
                               struct mc_holder_key *out, struct mc_err *err);
    mcred_rc (*wallet_put)(struct mc_store *st, struct mc_wallet_item *in_out,
                           struct mc_err *err);
    mcred_rc (*wallet_get)(struct mc_store *st, int64_t org, int64_t learner, int64_t id,
                           struct mc_wallet_item *out, struct mc_err *err);
    mcred_rc (*wallet_find)(struct mc_store *st, int64_t org, int64_t learner,
                            const char *hash, struct mc_wallet_item *out, struct mc_err *err);
    mcred_rc (*wallet_list)(struct mc_store *st, int64_t org, int64_t learner,
                            struct mc_store_list *out, struct mc_err *err);
    /* v4 plan: the planner's imported catalog */
    mcred_rc (*catalog_put)(struct mc_store *st, int64_t org, const char *uri, const char *json,
                            time_t imported, struct mc_err *err);
    mcred_rc (*catalog_clear)(struct mc_store *st, int64_t org, struct mc_err *err);
    mcred_rc (*catalog_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                             struct mc_err *err);
    /* v4 stacks: stacks, their component index, awards */
    mcred_rc (*stack_put)(struct mc_store *st, struct mc_stack_def *in_out,
                          const char *const *components, size_t n, struct mc_err *err);
    mcred_rc (*stack_get)(struct mc_store *st, int64_t org, int64_t id, const char *uri,
                          struct mc_stack_def *out, struct mc_err *err);
    mcred_rc (*stack_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                           struct mc_err *err);
    mcred_rc (*stack_by_component)(struct mc_store *st, int64_t org, const char *uri,
                                   struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*stack_creds)(struct mc_store *st, int64_t org, int64_t learner,
                            struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*award_claim)(struct mc_store *st, int64_t org, int64_t stack, int64_t learner,
                            time_t now, int64_t *award_id, struct mc_err *err);
    mcred_rc (*award_get)(struct mc_store *st, int64_t org, int64_t stack, int64_t learner,
                          struct mc_stack_award *out, struct mc_err *err);
    mcred_rc (*award_set)(struct mc_store *st, int64_t org, int64_t award_id,
                          const char *cred_id, enum mc_award_state state, time_t now,
                          struct mc_err *err);
    mcred_rc (*award_link)(struct mc_store *st, int64_t org, int64_t award_id,
                           const char *cred_id, time_t valid_until, struct mc_err *err);
    mcred_rc (*award_list)(struct mc_store *st, int64_t org, int64_t learner,
                           struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*award_due)(struct mc_store *st, int64_t org, time_t now,
                          struct mc_store_list *out, struct mc_err *err);
    /* v4 wallet pages: replacing a wallet item; wallet items' share links */
    mcred_rc (*wallet_update)(struct mc_store *st, const struct mc_wallet_item *in,
                              struct mc_err *err);
    mcred_rc (*wallet_share_put)(struct mc_store *st, int64_t org, int64_t learner,
                                 int64_t item, const char *share_id, bool enabled, time_t now,
                                 struct mc_share *out, struct mc_err *err);
    mcred_rc (*wallet_share_get)(struct mc_store *st, int64_t org, int64_t learner,
                                 int64_t item, struct mc_share *out, struct mc_err *err);
    mcred_rc (*wallet_share_item)(struct mc_store *st, const char *share_id,
                                  struct mc_wallet_item *out, struct mc_err *err);
    /* v4 positions: employers' positions, shares with organisations */
    mcred_rc (*position_put)(struct mc_store *st, struct mc_position *in_out,
                             struct mc_err *err);
    mcred_rc (*position_get)(struct mc_store *st, int64_t org, int64_t id,
                             struct mc_position *out, struct mc_err *err);
    mcred_rc (*position_list)(struct mc_store *st, int64_t org, struct mc_store_list *out,
                              struct mc_err *err);
    mcred_rc (*org_share_put)(struct mc_store *st, struct mc_org_share *in_out,
                              struct mc_err *err);
    mcred_rc (*org_share_list)(struct mc_store *st, int64_t employer, struct mc_store_list *out,
                               struct mc_err *err);
    mcred_rc (*cand_creds)(struct mc_store *st, int64_t org, int64_t learner,
                           struct mc_store_list *out, struct mc_err *err);
    /* v4 assess: assessment attempts; a learner's credentials */
    mcred_rc (*assess_put)(struct mc_store *st, struct mc_assessment *in_out,
                           struct mc_err *err);
    mcred_rc (*assess_list)(struct mc_store *st, int64_t org, int64_t learner,
                            struct mc_store_list *out, struct mc_err *err);
    mcred_rc (*cred_list_learner)(struct mc_store *st, int64_t org, int64_t learner,
                                  struct mc_store_list *out, struct mc_err *err);
    /* every organisation, for work that runs across them (the sweep) */
    mcred_rc (*org_list)(struct mc_store *st, struct mc_store_list *out, struct mc_err *err);
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
/* Every organisation, oldest first (rows are struct mc_org): for work that
 * runs across them (the server's stack sweep), not for answering a user. */
MC_NODISCARD mcred_rc mc_store_org_list(struct mc_store *st, struct mc_store_list *out,
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
/* v3 web: sessions, share links.
 * setting_get: the value of a named organisation setting (NOTFOUND when never
 * set); setting_set stores or replaces it (name and value at most
 * MC_STORE_MAX_TEXT bytes; now 0: the clock).
 * share_put: the share link of in->cred_id, a credential of in->org_id
 * (NOTFOUND when the organisation has no such credential): inserted with
 * in->share_id and in->enabled when it has none, else only enabled is changed
 * (the share id is kept). *out (OUT) is the stored row; CONFLICT when the new
 * share id is taken. share_get: by credential; share_find: by share id in any
 * organisation (whether enabled or not; the caller decides). share_showcase:
 * at most limit (1..MC_STORE_PAGE_MAX) enabled shares of organisations whose
 * setting "showcase" is "on", most recently changed first (rows are struct
 * mc_share).
 * session_add stores s (id_hash, org_id, user_id, csrf, expires required;
 * created 0: now; CONFLICT when id_hash exists); session_get returns the
 * session with its user's e-mail and role when it exists and expires after
 * now (NOTFOUND otherwise); session_delete removes one (NOTFOUND when
 * absent); session_purge removes every session that expired at or before now.
 * issuer_by_did: the issuer whose DID is did, in whichever organisation has
 * it (the oldest); achievement_by_uri: the latest version of the achievement
 * uri in whichever organisation has it (the oldest); both NOTFOUND when none. */
MC_NODISCARD mcred_rc mc_store_setting_get(struct mc_store *st, int64_t org, const char *name,
                                           struct mc_org_setting *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_setting_set(struct mc_store *st, int64_t org, const char *name,
                                           const char *value, time_t now, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_share_put(struct mc_store *st, const struct mc_share *in,
                                         struct mc_share *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_share_get(struct mc_store *st, int64_t org, const char *cred_id,
                                         struct mc_share *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_share_find(struct mc_store *st, const char *share_id,
                                          struct mc_share *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_share_showcase(struct mc_store *st, size_t limit,
                                              struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_session_add(struct mc_store *st, const struct mc_session *s,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_session_get(struct mc_store *st, const char *id_hash, time_t now,
                                           struct mc_session *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_session_delete(struct mc_store *st, const char *id_hash,
                                              struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_session_purge(struct mc_store *st, time_t now,
                                             struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_issuer_by_did(struct mc_store *st, const char *did,
                                             struct mc_issuer *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_achievement_by_uri(struct mc_store *st, const char *uri,
                                                  struct mc_achievement *out,
                                                  struct mc_err *err);
void mc_org_setting_release(struct mc_org_setting *r);
void mc_share_release(struct mc_share *r);
void mc_session_release(struct mc_session *r);
/* v3 oauth: clients, codes, tokens; the OB 3.0 API's wallets and profiles.
 * Secrets are given and kept as hashes (hex SHA-256, 64 characters); the
 * service layer (lib/service/oauth.c, obapi.c) makes and checks them.
 * oauth_client_add stores c (client_id, secret_hash, meta required; created
 * 0: now): CONFLICT when client_id is taken. oauth_client_get: NOTFOUND when
 * unknown. oauth_grant_add stores an undecided grant (org_id, user_id of that
 * organisation, client_id of a stored client, redirect_uri, scopes > 0,
 * challenge, nonce_hash, expires required; state may be NULL; created 0:
 * now) and sets id and created; CONFLICT when nonce_hash is taken.
 * oauth_grant_decide takes the undecided grant of org's user whose nonce is
 * nonce_hash, unexpired at now and not revoked (NOTFOUND otherwise: a nonce
 * works once), clears the nonce and approves it (code_hash given: the code,
 * valid until code_expires) or denies it (code_hash NULL: revoked at now);
 * out: the grant afterwards. oauth_grant_by_code: the grant whose code is
 * code_hash, whatever its state (NOTFOUND when none). oauth_grant_use_code
 * marks the code used at now once: CONFLICT when it was used before,
 * NOTFOUND when there is no such grant. oauth_grant_revoke revokes a grant
 * (the first revocation time is kept), which ends every token issued under
 * it; NOTFOUND when absent. oauth_token_add stores t (hash, org_id,
 * grant_id of that organisation, scopes > 0, expires required; created 0:
 * now): CONFLICT when the hash is taken. oauth_token_get: the token with its
 * grant's client and revocation and the granting user, in any state
 * (NOTFOUND when unknown). oauth_token_use marks a token used at now once
 * (refresh rotation): CONFLICT when used before. oauth_token_revoke: the
 * first revocation time is kept; NOTFOUND when unknown. oauth_purge deletes
 * tokens that expired before `before`, and grants whose nonce or code
 * expired before it and that no token refers to any more.
 * ob_wallet_put stores the credential (issuer_key, cred_key) of org's user:
 * doc (at most MC_STORE_MAX_DOC bytes) replaces the stored one when the pair
 * is there (*created false), else it is added (*created true); keys are at
 * most MC_STORE_OB_KEY_MAX bytes. ob_wallet_list: a page of the user's
 * wallet, ordered by issue time then id: the credentials put there, and
 * those org issued to the user's e-mail address, compared without ASCII case
 * (or to the DID or row of org's learner with that address), unless one with
 * the same id was put; since (may be NULL): only those issued after
 * it; 1 <= limit <= MC_STORE_PAGE_MAX (rows are struct mc_ob_item).
 * ob_wallet_count: how many such credentials there are. ob_profile_get: the
 * user's stored Profile (NOTFOUND when none); ob_profile_put stores or
 * replaces it. A user outside org is INVALID (puts) or has none (gets). */
#define MC_STORE_OB_KEY_MAX ((size_t)1024)
MC_NODISCARD mcred_rc mc_store_oauth_client_add(struct mc_store *st,
                                                const struct mc_oauth_client *c,
                                                struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_client_get(struct mc_store *st, const char *client_id,
                                                struct mc_oauth_client *out,
                                                struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_grant_add(struct mc_store *st,
                                               struct mc_oauth_grant *in_out,
                                               struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_grant_decide(struct mc_store *st, int64_t org,
                                                  int64_t user, const char *nonce_hash,
                                                  const char *code_hash, time_t code_expires,
                                                  time_t now, struct mc_oauth_grant *out,
                                                  struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_grant_by_code(struct mc_store *st, const char *code_hash,
                                                   struct mc_oauth_grant *out,
                                                   struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_grant_use_code(struct mc_store *st, int64_t org,
                                                    int64_t id, time_t now,
                                                    struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_grant_revoke(struct mc_store *st, int64_t org, int64_t id,
                                                  time_t now, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_token_add(struct mc_store *st,
                                               const struct mc_oauth_token *t,
                                               struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_token_get(struct mc_store *st, const char *hash,
                                               struct mc_oauth_token *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_token_use(struct mc_store *st, const char *hash,
                                               time_t now, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_token_revoke(struct mc_store *st, const char *hash,
                                                  time_t now, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_oauth_purge(struct mc_store *st, time_t before,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_ob_wallet_put(struct mc_store *st, int64_t org, int64_t user,
                                             const char *issuer_key, const char *cred_key,
                                             bool jws, const char *doc, time_t issued,
                                             time_t now, bool *created, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_ob_wallet_list(struct mc_store *st, int64_t org, int64_t user,
                                              const time_t *since, size_t offset,
                                              size_t limit, struct mc_store_list *out,
                                              struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_ob_wallet_count(struct mc_store *st, int64_t org, int64_t user,
                                               const time_t *since, int64_t *n,
                                               struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_ob_profile_get(struct mc_store *st, int64_t org, int64_t user,
                                              struct mc_ob_profile *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_ob_profile_put(struct mc_store *st, int64_t org, int64_t user,
                                              const char *doc, time_t now,
                                              struct mc_err *err);
void mc_oauth_client_release(struct mc_oauth_client *r);
void mc_oauth_grant_release(struct mc_oauth_grant *r);
void mc_oauth_token_release(struct mc_oauth_token *r);
void mc_ob_item_release(struct mc_ob_item *r);
void mc_ob_profile_release(struct mc_ob_profile *r);
/* v3 platform: jobs */
/* Users, tokens and paged lists for the platform API; bulk issuing jobs.
 * user_get: a user of org by id. user_set_role: NOTFOUND when org has no
 * such user. token_create stores the hash of a new API token with an
 * optional label (at most MC_STORE_MAX_TEXT bytes); CONFLICT when the hash is
 * stored already. token_list: the tokens of org (user 0), or of one user,
 * oldest first, without any secret (rows are struct mc_token). token_revoke
 * deletes the token whose public id is id (MC_TOKEN_ID_LEN lowercase hex
 * digits, else INVALID) in org, and when user is not 0 only if it is that
 * user's: NOTFOUND otherwise. A revoked token no longer authenticates.
 * learner_page and audit_page: a page of learner_list (oldest first) and of
 * audit_list (newest first); 1 <= limit <= MC_STORE_PAGE_MAX.
 * cred_list_recipient: the credentials of org issued to email (compared
 * without ASCII case), to the DID of org's learner with that e-mail, or to
 * that learner's row; newest first, a page as cred_list.
 * job_create inserts a job from in_out's org_id, achievement_id (of org),
 * user_id (0: none), format, state and bytes, with zero counts and no texts
 * or times but created (0: now), which is also its first heartbeat; it sets
 * id, created, heartbeat and zeroes the counts of in_out. job_get by id;
 * job_list: a page, newest first. job_update writes state, bytes_read, the counts,
 * row_errors, error, started, finished and heartbeat of j (by org_id and id)
 * while the stored job is queued or running: NOTFOUND when there is no such
 * job, CONFLICT when it has finished (done or failed). job_touch sets the
 * heartbeat of an unfinished job (NOTFOUND when there is no unfinished job
 * id). job_abandon marks failed, with error and finished = now, every queued
 * or running job (of every organisation) whose heartbeat is before `before`;
 * *n (OUT) counts them. row_errors and error are at most MC_STORE_MAX_DOC and
 * MC_STORE_MAX_TEXT bytes. */
MC_NODISCARD mcred_rc mc_store_user_get(struct mc_store *st, int64_t org, int64_t id,
                                        struct mc_user *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_user_set_role(struct mc_store *st, int64_t org, int64_t id,
                                             enum mc_role role, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_token_create(struct mc_store *st, int64_t org, int64_t user,
                                            const char *token_hash, const char *label,
                                            struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_token_list(struct mc_store *st, int64_t org, int64_t user,
                                          struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_token_revoke(struct mc_store *st, int64_t org, const char *id,
                                            int64_t user, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_learner_page(struct mc_store *st, int64_t org, size_t offset,
                                            size_t limit, struct mc_store_list *out,
                                            struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_list_recipient(struct mc_store *st, int64_t org,
                                                   const char *email, size_t offset,
                                                   size_t limit, struct mc_store_list *out,
                                                   struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_audit_page(struct mc_store *st, int64_t org, size_t offset,
                                          size_t limit, struct mc_store_list *out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_job_create(struct mc_store *st, struct mc_job *in_out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_job_get(struct mc_store *st, int64_t org, int64_t id,
                                       struct mc_job *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_job_list(struct mc_store *st, int64_t org, size_t offset,
                                        size_t limit, struct mc_store_list *out,
                                        struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_job_update(struct mc_store *st, const struct mc_job *j,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_job_touch(struct mc_store *st, int64_t org, int64_t id,
                                         time_t now, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_job_abandon(struct mc_store *st, time_t before, const char *error,
                                           time_t now, int64_t *n, struct mc_err *err);
void mc_token_release(struct mc_token *r);
void mc_job_release(struct mc_job *r);
/* Names as stored ("queued", "csv", ...): static, NULL outside the enum;
 * the parsers return INVALID for an unknown name. */
const char *mc_job_state_name(enum mc_job_state s);
const char *mc_job_format_name(enum mc_job_format f);
MC_NODISCARD mcred_rc mc_job_state_parse(const char *s, enum mc_job_state *out);
MC_NODISCARD mcred_rc mc_job_format_parse(const char *s, enum mc_job_format *out);
/* v3 skills: frameworks, skills, occupations */
/* Skills frameworks (reference data shared by all organisations), the
 * crosswalk between them, what learners declare, and job postings.
 *
 * skill_import replaces the framework named im->name by im, in one
 * transaction of its own (INVALID when the caller has one open): the old
 * framework's concepts, labels and relations are deleted, the new ones
 * written (PostgreSQL: multi-row inserts, thousands of rows a statement),
 * the crosswalk's label matches touching the framework recomputed (a concept
 * whose label, normalised, equals a label of a concept of another framework,
 * one of the two being a preferred label, skills with skills and occupations
 * with occupations), and operator mappings kept. On any failure nothing
 * changes: the previous framework stays as it was. Checked: name
 * ([a-z0-9_-]{1,40}); each concept's uri and label (UTF-8, at most
 * MC_STORE_MAX_TEXT bytes), description (MC_SKILL_MAX_DESCRIPTION); label
 * and edge indexes in range, edges not MC_SR_NONE; at most
 * MC_SKILL_MAX_CONCEPTS concepts and MC_SKILL_MAX_ROWS labels and edges.
 * CONFLICT when a uri is defined by another framework (or twice), or the
 * same edge appears twice. *framework_id: OUT. progress (may be NULL) is
 * called with rows written so far and the total, every few thousand rows.
 *
 * skill_framework_list: every framework, by name (rows: struct
 * mc_skill_framework). skill_stats: the row counts of one framework
 * (NOTFOUND when there is none with that id). skill_get: the concept with
 * that URI (NOTFOUND). skill_links: the concepts concept id points to
 * (reverse: those pointing to it) with the relation in rel and flags,
 * ordered by relation, then label (rows: struct mc_skill). skill_search:
 * concepts whose labels contain every one of the space-separated words (each
 * a prefix of a label word: "manag team" finds "manage teams"; words are
 * lowercase letters and digits), one row per concept with the best label in
 * extra; concepts with a label whose normalised form equals norm (may be
 * NULL) come first, then by rank (SQLite FTS5 bm25, PostgreSQL ts_rank), a
 * preferred label before an alternative one, then shorter labels, then uri.
 * kinds (may be NULL: all) is a comma-separated list of kind names
 * ("skill,knowledge"); 1 <= limit <= MC_STORE_PAGE_MAX. skill_label_scan
 * calls cb for every label of every concept of the given kinds (NULL: all),
 * ordered by concept; a non-OK return from cb stops the scan and is
 * returned.
 *
 * skill_map_put records an operator's mapping from_uri -> to_uri (both must
 * be defined by some framework, else NOTFOUND; INVALID when they are the
 * same); it survives re-imports and replaces a label match of the same pair.
 * skill_map_list: the concepts mapped to or from uri, in either direction,
 * with how in extra ("operator" before "label"), then by uri.
 *
 * skill_declare records that learner (of org) claims uri (any absolute URI;
 * a second claim is a no-op; NOTFOUND when org has no such learner).
 * skill_declared: the learner's claims, by uri, count = when declared; label
 * and framework are NULL for a URI no framework defines.
 * skill_held: the credentials of org issued to learner (by learner id, or to
 * the learner's e-mail or DID) that are active and not expired at now, oldest
 * first, each with the achievement version it was issued for (rows: struct
 * mc_skill_held).
 *
 * skill_posting_put stores a job posting by its reference (unique; a second
 * put replaces the first, skills included) with the skills found in it:
 * uris[0..n) with the number of mentions hits[i] (>= 1); *id OUT.
 * skill_demand: the skills mentioned in postings, most postings first, then
 * by uri, count = postings mentioning it (1 <= limit <= MC_SKILL_MAX_DEMAND);
 * *postings (OUT) = all postings stored. */
#define MC_SKILL_MAX_CONCEPTS ((size_t)1 << 20)
#define MC_SKILL_MAX_ROWS ((size_t)8 << 20)
#define MC_SKILL_MAX_DESCRIPTION ((size_t)64 * 1024)
#define MC_SKILL_MAX_DEMAND ((size_t)1 << 20)
MC_NODISCARD mcred_rc mc_store_skill_import(struct mc_store *st, const struct mc_skill_import *im,
                                            int64_t *framework_id, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_framework_list(struct mc_store *st,
                                                    struct mc_store_list *out,
                                                    struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_stats(struct mc_store *st, int64_t framework_id,
                                           struct mc_skill_stats *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_get(struct mc_store *st, const char *uri,
                                         struct mc_skill *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_links(struct mc_store *st, int64_t id, bool reverse,
                                           struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_search(struct mc_store *st, const char *words,
                                            const char *norm, const char *kinds, size_t limit,
                                            struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_label_scan(struct mc_store *st, const char *kinds,
                                                mcred_rc (*cb)(void *ud,
                                                               const struct mc_skill_label *l),
                                                void *ud, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_map_put(struct mc_store *st, const char *from_uri,
                                             const char *to_uri, time_t at, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_map_list(struct mc_store *st, const char *uri,
                                              struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_declare(struct mc_store *st, int64_t org, int64_t learner,
                                             const char *uri, time_t at, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_declared(struct mc_store *st, int64_t org, int64_t learner,
                                              struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_held(struct mc_store *st, int64_t org, int64_t learner,
                                          time_t now, struct mc_store_list *out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_posting_put(struct mc_store *st, const char *ref,
                                                 const char *title, const char *const *uris,
                                                 const int64_t *hits, size_t n, time_t at,
                                                 int64_t *id, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_skill_demand(struct mc_store *st, size_t limit,
                                            struct mc_store_list *out, int64_t *postings,
                                            struct mc_err *err);
void mc_skill_framework_release(struct mc_skill_framework *r);
void mc_skill_release(struct mc_skill *r);
void mc_skill_held_release(struct mc_skill_held *r);
/* Names as stored ("skill", "essential", ...): static, NULL outside the
 * enum; the parsers return INVALID for an unknown name. */
const char *mc_skill_kind_name(enum mc_skill_kind k);
const char *mc_skill_rel_name(enum mc_skill_rel r);
MC_NODISCARD mcred_rc mc_skill_kind_parse(const char *s, enum mc_skill_kind *out);
MC_NODISCARD mcred_rc mc_skill_rel_parse(const char *s, enum mc_skill_rel *out);

/* v3 wallet. holder_key_put inserts the learner's holder key (sets id and
 * created; CONFLICT when the learner has one); holder_key_get NOTFOUND when
 * none. wallet_put inserts an item (sets id, imported when 0): CONFLICT when
 * the learner already holds the same bytes (hash). wallet_get: by id, of that
 * learner only; wallet_find: by hash; wallet_list: the learner's items,
 * oldest first (rows are struct mc_wallet_item). */
MC_NODISCARD mcred_rc mc_store_holder_key_put(struct mc_store *st, struct mc_holder_key *in_out,
                                              struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_holder_key_get(struct mc_store *st, int64_t org, int64_t learner,
                                              struct mc_holder_key *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_put(struct mc_store *st, struct mc_wallet_item *in_out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_get(struct mc_store *st, int64_t org, int64_t learner,
                                          int64_t id, struct mc_wallet_item *out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_find(struct mc_store *st, int64_t org, int64_t learner,
                                           const char *hash, struct mc_wallet_item *out,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_list(struct mc_store *st, int64_t org, int64_t learner,
                                           struct mc_store_list *out, struct mc_err *err);
void mc_holder_key_release(struct mc_holder_key *r);
void mc_wallet_item_release(struct mc_wallet_item *r);

/* v4 plan. The planner's imported catalog (lib/skills/plan.h): entries of any
 * issuer an organisation plans with, each an Achievement JSON with its
 * planning fields. catalog_put stores json under uri for org, replacing the
 * entry with that uri (imported 0: now); catalog_clear deletes every entry of
 * org; catalog_list: the organisation's entries in the order they were put
 * (rows are struct mc_achievement: version 1, created = when imported). An
 * import is clear + puts in one transaction (the caller's). */
MC_NODISCARD mcred_rc mc_store_catalog_put(struct mc_store *st, int64_t org, const char *uri,
                                           const char *json, time_t imported,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_catalog_clear(struct mc_store *st, int64_t org,
                                             struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_catalog_list(struct mc_store *st, int64_t org,
                                            struct mc_store_list *out, struct mc_err *err);

/* v4 stacks. stack_put inserts a stack (org_id, achievement_uri, rule
 * required; sets id, and created when 0) and its index rows, one per
 * distinct component achievement components[0..n) (n <= MC_STACK_MAX_INDEX),
 * in the caller's transaction (or one of its own); CONFLICT when the
 * achievement is a stack already. stack_get: by id, or id 0 and the stack's
 * achievement uri. stack_list: the organisation's stacks, oldest first (rows
 * struct mc_stack_def). stack_by_component: the stacks whose rule names
 * achievement uri (through the index), oldest first. stack_creds: the
 * credentials of org issued to learner (by learner id, or to the learner's
 * e-mail, without ASCII case, or DID), in any state, oldest first, each with
 * its achievement's uri, its issuer's DID and the achievement's
 * creditsAvailable (rows struct mc_stack_cred; at most 100000 rows).
 * award_claim is the exactly-once claim of (stack, learner): a new award in
 * state pending, or the existing one while it is pending without a
 * credential; *award_id (OUT) is its id. CONFLICT when the award exists in
 * any other state (someone else issued it): the caller then issues nothing.
 * Inside a transaction, a concurrent claimer of the same pair waits for it
 * (SQLite: one writer; PostgreSQL: the unique key's row lock) and then sees
 * CONFLICT once this one has issued. award_get: NOTFOUND when none.
 * award_set sets its credential (may be NULL: kept) and state. award_link
 * records that the award was made from credential cred_id (valid_until 0:
 * none; a second link of the same pair is a no-op). award_list: the awards
 * of a learner (learner 0: of everyone), oldest first (rows struct
 * mc_stack_award). award_due: awards that need another look at now: pending
 * ones, and issued ones made from a credential that expired at or before
 * now. */
#define MC_STACK_MAX_INDEX ((size_t)1000)
MC_NODISCARD mcred_rc mc_store_stack_put(struct mc_store *st, struct mc_stack_def *in_out,
                                         const char *const *components, size_t n,
                                         struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_stack_get(struct mc_store *st, int64_t org, int64_t id,
                                         const char *uri, struct mc_stack_def *out,
                                         struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_stack_list(struct mc_store *st, int64_t org,
                                          struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_stack_by_component(struct mc_store *st, int64_t org,
                                                  const char *uri, struct mc_store_list *out,
                                                  struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_stack_creds(struct mc_store *st, int64_t org, int64_t learner,
                                           struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_award_claim(struct mc_store *st, int64_t org, int64_t stack,
                                           int64_t learner, time_t now, int64_t *award_id,
                                           struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_award_get(struct mc_store *st, int64_t org, int64_t stack,
                                         int64_t learner, struct mc_stack_award *out,
                                         struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_award_set(struct mc_store *st, int64_t org, int64_t award_id,
                                         const char *cred_id, enum mc_award_state state,
                                         time_t now, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_award_link(struct mc_store *st, int64_t org, int64_t award_id,
                                          const char *cred_id, time_t valid_until,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_award_list(struct mc_store *st, int64_t org, int64_t learner,
                                          struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_award_due(struct mc_store *st, int64_t org, time_t now,
                                         struct mc_store_list *out, struct mc_err *err);
void mc_stack_def_release(struct mc_stack_def *r);
void mc_stack_award_release(struct mc_stack_award *r);
void mc_stack_cred_release(struct mc_stack_cred *r);
/* Names as stored ("keep", "pending", ...): static, NULL outside the enum;
 * the parsers return INVALID for an unknown name. */
const char *mc_stack_policy_name(enum mc_stack_policy p);
const char *mc_award_state_name(enum mc_award_state s);
MC_NODISCARD mcred_rc mc_stack_policy_parse(const char *s, enum mc_stack_policy *out);
MC_NODISCARD mcred_rc mc_award_state_parse(const char *s, enum mc_award_state *out);

/* v4 wallet pages. wallet_update replaces what item in->id of learner
 * (in->org_id, in->learner_id) holds (cred_id, hash, format, source, verdict,
 * report, doc, imported; the id and its share link stay): NOTFOUND when the
 * learner has no such item, CONFLICT when another item of theirs holds the
 * same bytes (hash). wallet_share_put: the share link of the learner's item,
 * made with share_id and enabled when it has none, else only enabled is
 * changed (the id is kept); *out is the stored row, its cred_id the item id
 * in decimal. NOTFOUND when the item is not the learner's; CONFLICT when the
 * new share id is taken. wallet_share_get: NOTFOUND when the item has no
 * link. wallet_share_item: the item behind a share id that is turned on
 * (NOTFOUND for an unknown id or one turned off). */
MC_NODISCARD mcred_rc mc_store_wallet_update(struct mc_store *st,
                                             const struct mc_wallet_item *in,
                                             struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_share_put(struct mc_store *st, int64_t org,
                                                int64_t learner, int64_t item,
                                                const char *share_id, bool enabled, time_t now,
                                                struct mc_share *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_share_get(struct mc_store *st, int64_t org,
                                                int64_t learner, int64_t item,
                                                struct mc_share *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_wallet_share_item(struct mc_store *st, const char *share_id,
                                                 struct mc_wallet_item *out,
                                                 struct mc_err *err);

/* v4 positions. position_put inserts an employer's position (org_id, title
 * and doc required; sets id, and created when 0); position_get by id, of that
 * organisation only (NOTFOUND otherwise); position_list: the organisation's
 * positions, oldest first (rows are struct mc_position).
 * org_share_put records that learner (in_out->learner_id, of in_out->org_id)
 * shares with the organisation in_out->employer_id every credential (scope
 * NULL) or those a JSON array of ids lists; a second share of the same
 * learner with the same organisation replaces scope and created (sets id and
 * created). NOTFOUND when either organisation or the learner does not exist.
 * org_share_list: the shares made with employer, by learner id (rows are
 * struct mc_org_share).
 * cand_creds: every credential org issued to learner (by learner id, or to
 * the learner's e-mail or DID), in any state, with its achievement version,
 * oldest first (rows are struct mc_cand_cred); the caller decides which
 * verify. */
MC_NODISCARD mcred_rc mc_store_position_put(struct mc_store *st, struct mc_position *in_out,
                                            struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_position_get(struct mc_store *st, int64_t org, int64_t id,
                                            struct mc_position *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_position_list(struct mc_store *st, int64_t org,
                                             struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_org_share_put(struct mc_store *st, struct mc_org_share *in_out,
                                             struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_org_share_list(struct mc_store *st, int64_t employer,
                                              struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cand_creds(struct mc_store *st, int64_t org, int64_t learner,
                                          struct mc_store_list *out, struct mc_err *err);
void mc_position_release(struct mc_position *r);
void mc_org_share_release(struct mc_org_share *r);
void mc_cand_cred_release(struct mc_cand_cred *r);

/* v4 assess. assess_put inserts an attempt (sets id, and at when 0): org,
 * learner and achievement ids of the organisation, achievement_uri, rd_id,
 * kind, value, assessor and evidence required; missing and cred_id may be
 * NULL. assess_list: the learner's attempts, oldest first, at most
 * MC_STORE_ASSESS_MAX (rows are struct mc_assessment). cred_list_learner:
 * the credentials of org issued to `learner` (linked to its row, or to its
 * e-mail without ASCII case, or to its DID), oldest first, at most
 * MC_STORE_ASSESS_MAX (rows are struct mc_credential). */
#define MC_STORE_ASSESS_MAX ((size_t)10000)
MC_NODISCARD mcred_rc mc_store_assess_put(struct mc_store *st, struct mc_assessment *in_out,
                                          struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_assess_list(struct mc_store *st, int64_t org, int64_t learner,
                                           struct mc_store_list *out, struct mc_err *err);
MC_NODISCARD mcred_rc mc_store_cred_list_learner(struct mc_store *st, int64_t org,
                                                 int64_t learner, struct mc_store_list *out,
                                                 struct mc_err *err);
void mc_assessment_release(struct mc_assessment *r);

#endif /* MC_STORE_H */
