/* admin.h - the platform's administrative verbs, once for the CLI and the
 * server: users and their roles, API tokens, learners and achievements, and
 * the check of one issue request given as an object. Each verb that changes
 * the store checks its input first, then changes the store and appends an
 * audit entry naming the actor in one transaction (nothing half-written), so
 * `mcred user add` and POST /api/v1/users behave the same.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_ADMIN_H
#define MC_SVC_ADMIN_H

#include "internal.h"

#include "model/ob.h"
#include "service/rows.h"
#include "store/store.h"
#include "util/json.h"

/* COMMON RULES. st is the caller's store handle and must not be inside a
 * transaction (INVALID otherwise: the verb opens its own). org is the
 * caller's organisation; ids of another organisation's rows are NOTFOUND, as
 * if they did not exist. actor (required) names who acts in the audit log:
 * "cli" for the command line, the user's e-mail for the API. Errors carry a
 * message naming what was wrong: INVALID (bad input), NOTFOUND, CONFLICT
 * (taken, or a rule below), LIMIT, STORAGE, NOMEM. */

/* Append the audit entry of a verb, dated now, inside the caller's
 * transaction (actor NULL: "system"). Every verb of lib/service that writes
 * the audit log without a clock of its own goes through this. */
MC_NODISCARD mcred_rc mc_audit(struct mc_store *st, int64_t org, const char *actor,
                               const char *action, const char *subject, const char *detail,
                               struct mc_err *err);

/* Add a user with an e-mail address unique in org (CONFLICT "a user with the
 * e-mail ... exists"; INVALID when email is not an e-mail address). *id: OUT. */
MC_NODISCARD mcred_rc mc_admin_user_add(struct mc_store *st, int64_t org, const char *email,
                                        enum mc_role role, const char *actor, int64_t *id,
                                        struct mc_err *err);

/* Change user id's role. CONFLICT when that would leave org without an
 * admin (the last admin cannot demote themselves). Setting the role a user
 * has already is a success that changes nothing (and is not audited). */
MC_NODISCARD mcred_rc mc_admin_user_set_role(struct mc_store *st, int64_t org, int64_t id,
                                             enum mc_role role, const char *actor,
                                             struct mc_err *err);

/* A new API token: MC_ADMIN_TOKEN_BYTES random bytes as base64url text. The
 * store keeps only the lowercase hex SHA-256 of that text; the text is shown
 * once (here) and never again. */
#define MC_ADMIN_TOKEN_BYTES 32
struct mc_admin_token {
    char token[64];                      /* the secret; wipe with mc_admin_token_wipe */
    char id[MC_TOKEN_ID_LEN + 1];        /* its public id (for listing and revoking) */
};

/* Create a token for user (of org; NOTFOUND otherwise) with an optional
 * label (at most 200 bytes, no control characters: INVALID). *out is filled
 * on success and wiped on failure. */
MC_NODISCARD mcred_rc mc_admin_token_create(struct mc_store *st, int64_t org, int64_t user,
                                            const char *label, const char *actor,
                                            struct mc_admin_token *out, struct mc_err *err);
/* Overwrite the secret (sodium_memzero). Accepts NULL. */
void mc_admin_token_wipe(struct mc_admin_token *t);
/* Revoke (delete) the token whose public id is id. only_user 0: any token of
 * org (an admin); else only a token of that user (NOTFOUND for another
 * user's, so a user cannot learn which ids exist). */
MC_NODISCARD mcred_rc mc_admin_token_revoke(struct mc_store *st, int64_t org, const char *id,
                                            int64_t only_user, const char *actor,
                                            struct mc_err *err);

/* Add a learner: in_out->name (required, at most 500 bytes, no control
 * characters), email and did (at least one; an e-mail address, a DID; each
 * unique in org: CONFLICT) are borrowed; org_id is set to org, id and created
 * are set. The row's strings stay the caller's: do not release them here. */
MC_NODISCARD mcred_rc mc_admin_learner_add(struct mc_store *st, int64_t org,
                                           struct mc_learner *in_out, const char *actor,
                                           struct mc_err *err);

/* Create an achievement from JSON text (at most MC_ADMIN_MAX_ACHIEVEMENT
 * bytes: LIMIT): parsed, validated as an Open Badges 3.0 Achievement (id,
 * type, name, description, criteria, and the kinds of every field) and
 * stored as the next version of its id. On INVALID, rep (may be NULL) lists
 * every problem found ("path: what is wrong"), and err names the first.
 * out: OUT, the stored row without its JSON (id, uri, version, created;
 * release with mc_achievement_release). */
#define MC_ADMIN_MAX_ACHIEVEMENT ((size_t)1 << 20)
MC_NODISCARD mcred_rc mc_admin_achievement_create(struct mc_store *st, int64_t org,
                                                  const char *json, size_t n, const char *actor,
                                                  struct mc_ob_report *rep,
                                                  struct mc_achievement *out,
                                                  struct mc_err *err);

/* One issue request given as a JSON object whose members are those of a bulk
 * row (recipient, and optionally name, key, valid_until, evidence_url; all
 * strings), checked by exactly the rules a row of a bulk file is checked by
 * (service/rows.h). On success r->row is ready for mc_issue_one (its strings
 * are borrowed from r: valid until mc_admin_row_release). INVALID names the
 * member that is wrong. Release r after success or failure. */
struct mc_admin_row {
    struct mc_rows *rs;      /* the reader the row came from */
    struct mc_buf text;      /* the object as one line of JSON */
    size_t pos;              /* read position in text */
    struct mc_row row;       /* OUT */
};
MC_NODISCARD mcred_rc mc_admin_row_from_json(const cJSON *obj, struct mc_admin_row *r,
                                             struct mc_err *err);
void mc_admin_row_release(struct mc_admin_row *r);

#endif /* MC_SVC_ADMIN_H */
