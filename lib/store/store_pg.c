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
    Q_ORG_CREATE, Q_ORG_GET, Q_ORG_FIND, Q_ORG_LIST,
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
    Q_SET_GET, Q_SET_PUT, Q_SHARE_PUT, Q_SHARE_GET, Q_SHARE_FIND, Q_SHARE_SHOWCASE,
    Q_SESSION_ADD, Q_SESSION_GET, Q_SESSION_DEL, Q_SESSION_PURGE, Q_ISSUER_BY_DID,
    Q_ACH_BY_URI,
    /* v3 oauth */
    Q_OAC_ADD, Q_OAC_GET, Q_OAG_ADD, Q_OAG_DECIDE, Q_OAG_BY_CODE, Q_OAG_USE, Q_OAG_EXISTS,
    Q_OAG_REVOKE, Q_OAT_ADD, Q_OAT_GET, Q_OAT_USE, Q_OAT_EXISTS, Q_OAT_REVOKE,
    Q_OA_PURGE_TOKENS, Q_OA_PURGE_GRANTS, Q_OBW_UPD, Q_OBW_INS, Q_OBW_LIST, Q_OBW_COUNT,
    Q_OBP_GET, Q_OBP_PUT,
    /* v3 platform */
    Q_USER_GET, Q_USER_ROLE, Q_TOKEN_CREATE, Q_TOKEN_LIST, Q_TOKEN_REVOKE, Q_LEARNER_PAGE,
    Q_CRED_RECIPIENT, Q_AUDIT_PAGE, Q_JOB_CREATE, Q_JOB_GET, Q_JOB_EXISTS, Q_JOB_LIST,
    Q_JOB_UPDATE, Q_JOB_TOUCH, Q_JOB_ABANDON,
    /* v3 skills */
    Q_SK_LOCK, Q_SK_FW_DELETE, Q_SK_XW_CLEAR, Q_SK_FW_INSERT, Q_SK_MAX_ID, Q_SK_CONCEPT_BULK,
    Q_SK_LABEL_BULK, Q_SK_EDGE_BULK, Q_SK_XW_LABEL, Q_SK_FW_COUNTS, Q_SK_FW_LIST,
    Q_SK_FW_EXISTS, Q_SK_STATS_KIND, Q_SK_STATS_REL, Q_SK_STATS_LABEL, Q_SK_GET, Q_SK_LINKS,
    Q_SK_LINKS_REV, Q_SK_SEARCH, Q_SK_LABELS, Q_SK_MAP_PUT, Q_SK_MAP_LIST, Q_SK_LEARNER_EXISTS,
    Q_SK_DECLARE, Q_SK_DECLARED, Q_SK_HELD, Q_SK_POST_PUT, Q_SK_POST_CLEAR, Q_SK_POST_SKILLS,
    Q_SK_DEMAND, Q_SK_POSTINGS,
    /* v3 wallet */
    Q_HK_PUT, Q_HK_GET, Q_W_PUT, Q_W_GET, Q_W_FIND, Q_W_LIST,
    /* v4 plan */
    Q_CAT_PUT, Q_CAT_CLEAR, Q_CAT_LIST,
    /* v4 stacks */
    Q_STK_PUT, Q_STK_COMP, Q_STK_GET_ID, Q_STK_GET_URI, Q_STK_LIST, Q_STK_BY_COMP, Q_STK_CREDS,
    Q_AW_CLAIM, Q_AW_GET, Q_AW_SET, Q_AW_LINK, Q_AW_LIST, Q_AW_DUE,
    /* v4 wallet pages */
    Q_W_UPDATE, Q_WS_PUT, Q_WS_GET, Q_WS_ITEM,
    /* v4 assess */
    Q_AS_PUT, Q_AS_LIST, Q_AS_CREDS,
    /* v4 positions */
    Q_POS_PUT, Q_POS_GET, Q_POS_LIST, Q_OSH_ORG, Q_OSH_LEARNER, Q_OSH_PUT, Q_OSH_LIST,
    Q_CAND_CREDS,
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
    [Q_ORG_LIST] = "SELECT " MC_ORG_COLS " FROM orgs ORDER BY org_id",

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
    [Q_SET_GET] = "SELECT " MC_SETTING_COLS " FROM org_settings WHERE org_id = $1 AND name = $2",
    [Q_SET_PUT] = "INSERT INTO org_settings (org_id, name, value, updated) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, name) "
                  "DO UPDATE SET value = EXCLUDED.value, updated = EXCLUDED.updated",
    [Q_SHARE_PUT] = "INSERT INTO shares (share_id, org_id, cred_id, enabled, created, updated) "
                    "SELECT $1::text, $2::bigint, id, $4::smallint, $5::bigint, $5::bigint "
                    "FROM credentials WHERE org_id = $2::bigint AND id = $3::text "
                    "ON CONFLICT (org_id, cred_id) "
                    "DO UPDATE SET enabled = EXCLUDED.enabled, updated = EXCLUDED.updated "
                    "RETURNING " MC_SHARE_COLS,
    [Q_SHARE_GET] = "SELECT " MC_SHARE_COLS " FROM shares WHERE org_id = $1 AND cred_id = $2",
    [Q_SHARE_FIND] = "SELECT " MC_SHARE_COLS " FROM shares WHERE share_id = $1",
    [Q_SHARE_SHOWCASE] = "SELECT " MC_SHARE_COLS " FROM shares WHERE enabled = 1 AND org_id IN "
                         "(SELECT org_id FROM org_settings WHERE name = 'showcase' AND "
                         "value = 'on') ORDER BY updated DESC, share_id LIMIT $1",
    [Q_SESSION_ADD] = "INSERT INTO web_sessions (id_hash, org_id, user_id, csrf, created, "
                      "expires) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    [Q_SESSION_GET] = "SELECT " MC_SESSION_COLS " FROM web_sessions s JOIN users u "
                      "ON u.org_id = s.org_id AND u.id = s.user_id "
                      "WHERE s.id_hash = $1 AND s.expires > $2",
    [Q_SESSION_DEL] = "DELETE FROM web_sessions WHERE id_hash = $1",
    [Q_SESSION_PURGE] = "DELETE FROM web_sessions WHERE expires <= $1",
    [Q_ISSUER_BY_DID] = "SELECT " MC_ISSUER_COLS " FROM issuers WHERE did = $1 "
                        "ORDER BY org_id, id LIMIT 1",
    [Q_ACH_BY_URI] = "SELECT " MC_ACH_COLS " FROM achievements WHERE uri = $1 "
                     "ORDER BY org_id, version DESC LIMIT 1",
    /* v3 oauth */
    [Q_OAC_ADD] = "INSERT INTO oauth_clients (" MC_OAUTH_CLIENT_COLS ") VALUES ($1, $2, $3, $4) "
                  "ON CONFLICT DO NOTHING",
    [Q_OAC_GET] = "SELECT " MC_OAUTH_CLIENT_COLS " FROM oauth_clients WHERE client_id = $1",
    [Q_OAG_ADD] = "INSERT INTO oauth_grants (org_id, user_id, client_id, redirect_uri, scopes, "
                  "state, challenge, nonce_hash, expires, created) VALUES ($1, $2, $3, $4, $5, "
                  "$6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id",
    [Q_OAG_DECIDE] = "UPDATE oauth_grants SET nonce_hash = NULL, code_hash = $4, "
                     "expires = CASE WHEN $4::text IS NULL THEN expires ELSE $5::bigint END, "
                     "revoked = CASE WHEN $4::text IS NULL THEN $6::bigint ELSE revoked END "
                     "WHERE org_id = $1 AND user_id = $2 AND nonce_hash = $3 AND "
                     "expires > $6 AND revoked IS NULL RETURNING " MC_OAUTH_GRANT_COLS,
    [Q_OAG_BY_CODE] = "SELECT " MC_OAUTH_GRANT_COLS " FROM oauth_grants WHERE code_hash = $1",
    [Q_OAG_USE] = "UPDATE oauth_grants SET code_used = $3 "
                  "WHERE org_id = $1 AND id = $2 AND code_used IS NULL",
    [Q_OAG_EXISTS] = "SELECT 1 FROM oauth_grants WHERE org_id = $1 AND id = $2",
    [Q_OAG_REVOKE] = "UPDATE oauth_grants SET revoked = COALESCE(revoked, $3), nonce_hash = NULL "
                     "WHERE org_id = $1 AND id = $2",
    [Q_OAT_ADD] = "INSERT INTO oauth_tokens (hash, org_id, grant_id, kind, scopes, created, "
                  "expires) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    [Q_OAT_GET] = "SELECT " MC_OAUTH_TOKEN_COLS " FROM oauth_tokens t "
                  "JOIN oauth_grants g ON g.org_id = t.org_id AND g.id = t.grant_id "
                  "JOIN users u ON u.org_id = g.org_id AND u.id = g.user_id WHERE t.hash = $1",
    [Q_OAT_USE] = "UPDATE oauth_tokens SET used = $2 WHERE hash = $1 AND used IS NULL",
    [Q_OAT_EXISTS] = "SELECT 1 FROM oauth_tokens WHERE hash = $1",
    [Q_OAT_REVOKE] = "UPDATE oauth_tokens SET revoked = COALESCE(revoked, $2) WHERE hash = $1",
    [Q_OA_PURGE_TOKENS] = "DELETE FROM oauth_tokens WHERE expires < $1",
    [Q_OA_PURGE_GRANTS] = "DELETE FROM oauth_grants WHERE expires < $1 AND NOT EXISTS "
                          "(SELECT 1 FROM oauth_tokens t WHERE t.org_id = oauth_grants.org_id "
                          "AND t.grant_id = oauth_grants.id)",
    [Q_OBW_UPD] = "UPDATE ob_wallet SET format = $5, doc = $6, issued = $7, updated = $8 "
                  "WHERE org_id = $1 AND user_id = $2 AND issuer_key = $3 AND cred_key = $4",
    [Q_OBW_INS] = "INSERT INTO ob_wallet (org_id, user_id, issuer_key, cred_key, format, doc, "
                  "issued, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
                  "ON CONFLICT DO NOTHING",
/* The wallet of user $2 of org $1 issued after $3 (NULL: any time): what was
 * put there, and what org issued to the user's e-mail address (or to the DID
 * or row of its learner with that address). */
#define PG_OB_WALLET                                                                       \
    "SELECT w.cred_key AS k, CASE WHEN w.format = 'jws' THEN 1 ELSE 0 END AS jws, "        \
    "w.doc AS doc, w.issued AS t FROM ob_wallet w WHERE w.org_id = $1 AND "                \
    "w.user_id = $2 AND ($3::bigint IS NULL OR w.issued > $3) "                             \
    "UNION ALL SELECT c.id, 0, c.doc, c.issued FROM credentials c "                        \
    "JOIN users u ON u.org_id = c.org_id AND u.id = $2 "                                   \
    "WHERE c.org_id = $1 AND ($3::bigint IS NULL OR c.issued > $3) AND "                   \
    "(lower(c.recipient) = lower(u.email) OR c.recipient IN (SELECT l.did FROM learners l " \
    "WHERE l.org_id = $1 AND lower(l.email) = lower(u.email) AND l.did IS NOT NULL) OR "    \
    "c.learner_id IN (SELECT l.id FROM learners l WHERE l.org_id = $1 AND "                \
    "lower(l.email) = lower(u.email))) AND NOT EXISTS (SELECT 1 FROM ob_wallet x "          \
    "WHERE x.org_id = $1 AND x.user_id = $2 AND x.cred_key = c.id)"
    [Q_OBW_LIST] = "SELECT " MC_OB_ITEM_COLS " FROM (" PG_OB_WALLET ") AS wallet "
                   "ORDER BY t, k LIMIT $4 OFFSET $5",
    [Q_OBW_COUNT] = "SELECT COUNT(*) FROM (" PG_OB_WALLET ") AS wallet",
#undef PG_OB_WALLET
    [Q_OBP_GET] = "SELECT " MC_OB_PROFILE_COLS " FROM ob_profiles "
                  "WHERE org_id = $1 AND user_id = $2",
    [Q_OBP_PUT] = "INSERT INTO ob_profiles (org_id, user_id, doc, updated) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id) "
                  "DO UPDATE SET doc = excluded.doc, updated = excluded.updated",
    /* v3 platform */
    [Q_USER_GET] = "SELECT " MC_USER_COLS " FROM users WHERE org_id = $1 AND id = $2",
    [Q_USER_ROLE] = "UPDATE users SET role = $3 WHERE org_id = $1 AND id = $2",
    [Q_TOKEN_CREATE] = "INSERT INTO tokens (hash, org_id, user_id, label, created) "
                       "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    [Q_TOKEN_LIST] = "SELECT " MC_TOKEN_COLS " FROM tokens t JOIN users u "
                     "ON u.org_id = t.org_id AND u.id = t.user_id "
                     "WHERE t.org_id = $1 AND ($2::bigint = 0 OR t.user_id = $2::bigint) "
                     "ORDER BY t.created, t.hash",
    [Q_TOKEN_REVOKE] = "DELETE FROM tokens WHERE org_id = $1 AND substr(hash, 1, 16) = $2 "
                       "AND ($3::bigint = 0 OR user_id = $3::bigint)",
    [Q_LEARNER_PAGE] = "SELECT " MC_LEARNER_COLS " FROM learners WHERE org_id = $1 "
                       "ORDER BY id LIMIT $2 OFFSET $3",
    [Q_CRED_RECIPIENT] = "SELECT " MC_CRED_COLS " FROM credentials WHERE org_id = $1 AND "
                         "(lower(recipient) = lower($2::text) OR recipient IN (SELECT did FROM "
                         "learners WHERE org_id = $1 AND lower(email) = lower($2::text) AND did IS "
                         "NOT NULL) OR learner_id IN (SELECT id FROM learners WHERE "
                         "org_id = $1 AND lower(email) = lower($2::text))) "
                         "ORDER BY issued DESC, id DESC LIMIT $3 OFFSET $4",
    [Q_AUDIT_PAGE] = "SELECT " MC_AUDIT_COLS " FROM audit WHERE org_id = $1 "
                     "ORDER BY id DESC LIMIT $2 OFFSET $3",
    [Q_JOB_CREATE] = "INSERT INTO jobs (org_id, achievement_id, user_id, format, state, bytes, "
                     "bytes_read, n_rows, n_issued, n_already, n_failed, created, heartbeat) "
                     "VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, 0, $7, $7) RETURNING id",
    [Q_JOB_GET] = "SELECT " MC_JOB_COLS " FROM jobs WHERE org_id = $1 AND id = $2",
    [Q_JOB_EXISTS] = "SELECT 1 FROM jobs WHERE org_id = $1 AND id = $2",
    [Q_JOB_LIST] = "SELECT " MC_JOB_COLS " FROM jobs WHERE org_id = $1 "
                   "ORDER BY id DESC LIMIT $2 OFFSET $3",
    [Q_JOB_UPDATE] = "UPDATE jobs SET state = $3, bytes_read = $4, n_rows = $5, n_issued = $6, "
                     "n_already = $7, n_failed = $8, row_errors = $9, error = $10, "
                     "started = $11, finished = $12, heartbeat = $13 WHERE org_id = $1 AND "
                     "id = $2 AND state IN ('queued', 'running')",
    [Q_JOB_TOUCH] = "UPDATE jobs SET heartbeat = $3 WHERE org_id = $1 AND id = $2 AND "
                    "state IN ('queued', 'running')",
    [Q_JOB_ABANDON] = "UPDATE jobs SET state = 'failed', error = $2, finished = $3 "
                      "WHERE state IN ('queued', 'running') AND heartbeat < $1",
    /* v3 skills */
    /* imports take this lock: concept ids are the maximum + 1 + index */
    [Q_SK_LOCK] = "SELECT pg_advisory_xact_lock(7166804357)",
    [Q_SK_FW_DELETE] = "DELETE FROM skill_frameworks WHERE name = $1",
    [Q_SK_XW_CLEAR] = "DELETE FROM skill_crosswalk WHERE how = 'label' AND "
                      "(from_fw = $1 OR to_fw = $1)",
    [Q_SK_FW_INSERT] = "INSERT INTO skill_frameworks (name, version, title, attribution, "
                       "imported) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [Q_SK_MAX_ID] = "SELECT COALESCE(MAX(id), 0) FROM skill_concepts",
    /* multi-row inserts: one statement per batch, the columns as arrays */
    [Q_SK_CONCEPT_BULK] = "INSERT INTO skill_concepts (id, framework_id, uri, kind, label, code, "
                          "description) SELECT u.id, $1, u.uri, u.kind, u.label, u.code, "
                          "u.description FROM unnest($2::bigint[], $3::text[], $4::text[], "
                          "$5::text[], $6::text[], $7::text[]) "
                          "AS u (id, uri, kind, label, code, description)",
    [Q_SK_LABEL_BULK] = "INSERT INTO skill_labels (concept_id, label, norm, pref) "
                        "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[])",
    [Q_SK_EDGE_BULK] = "INSERT INTO skill_edges (src, dst, rel, flags) "
                       "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[])",
    [Q_SK_XW_LABEL] = "INSERT INTO skill_crosswalk (from_uri, to_uri, how, from_fw, to_fw, "
                      "created) SELECT DISTINCT a.uri, b.uri, 'label', fa.name, fb.name, "
                      "$2::bigint FROM skill_concepts a "
                      "JOIN skill_labels la ON la.concept_id = a.id "
                      "JOIN skill_labels lb ON lb.norm = la.norm AND la.norm <> '' "
                      "AND (la.pref = 1 OR lb.pref = 1) "
                      "JOIN skill_concepts b ON b.id = lb.concept_id "
                      "AND b.framework_id <> a.framework_id "
                      "JOIN skill_frameworks fa ON fa.id = a.framework_id "
                      "JOIN skill_frameworks fb ON fb.id = b.framework_id "
                      "WHERE a.framework_id = $1 AND ((a.kind IN ('skill', 'knowledge', "
                      "'technology') AND b.kind IN ('skill', 'knowledge', 'technology')) OR "
                      "(a.kind = 'occupation' AND b.kind = 'occupation')) "
                      "ON CONFLICT DO NOTHING",
    [Q_SK_FW_COUNTS] = "UPDATE skill_frameworks SET n_concepts = $2, n_labels = $3, "
                       "n_edges = $4 WHERE id = $1",
    [Q_SK_FW_LIST] = "SELECT " MC_SKILL_FW_COLS " FROM skill_frameworks ORDER BY name",
    [Q_SK_FW_EXISTS] = "SELECT 1 FROM skill_frameworks WHERE id = $1",
    [Q_SK_STATS_KIND] = "SELECT kind, COUNT(*) FROM skill_concepts WHERE framework_id = $1 "
                        "GROUP BY kind",
    [Q_SK_STATS_REL] = "SELECT e.rel, COUNT(*), SUM(e.flags & 1), SUM((e.flags >> 1) & 1) "
                       "FROM skill_edges e JOIN skill_concepts c ON c.id = e.src "
                       "WHERE c.framework_id = $1 GROUP BY e.rel",
    [Q_SK_STATS_LABEL] = "SELECT COUNT(*), COALESCE(SUM(l.pref), 0) FROM skill_labels l "
                         "JOIN skill_concepts c ON c.id = l.concept_id "
                         "WHERE c.framework_id = $1",
    [Q_SK_GET] = "SELECT c.id, c.uri, c.label, c.kind, f.name, c.code, c.description, NULL, 0, "
                 "NULL, 0 FROM skill_concepts c JOIN skill_frameworks f "
                 "ON f.id = c.framework_id WHERE c.uri = $1",
    [Q_SK_LINKS] = "SELECT c.id, c.uri, c.label, c.kind, f.name, c.code, NULL, e.rel, e.flags, "
                   "NULL, 0 FROM skill_edges e JOIN skill_concepts c ON c.id = e.dst "
                   "JOIN skill_frameworks f ON f.id = c.framework_id WHERE e.src = $1 "
                   "ORDER BY e.rel COLLATE \"C\", c.label COLLATE \"C\", c.uri COLLATE \"C\"",
    [Q_SK_LINKS_REV] = "SELECT c.id, c.uri, c.label, c.kind, f.name, c.code, NULL, e.rel, "
                       "e.flags, NULL, 0 FROM skill_edges e JOIN skill_concepts c "
                       "ON c.id = e.src JOIN skill_frameworks f ON f.id = c.framework_id "
                       "WHERE e.dst = $1 ORDER BY e.rel COLLATE \"C\", c.label COLLATE \"C\", "
                       "c.uri COLLATE \"C\"",
    /* one row per concept: its best label (an exact match of the normalised
     * query, then ts_rank, then preferred, then short) */
    [Q_SK_SEARCH] = "SELECT id, uri, label, kind, framework, code, NULL, NULL, 0, matched, 0 "
                    "FROM (SELECT c.id, c.uri, c.label, c.kind, f.name AS framework, c.code, "
                    "l.label AS matched, COALESCE(l.norm = $2::text, false) AS exact, "
                    "ts_rank(to_tsvector('simple', l.label), q) AS rnk, l.pref AS pref, "
                    "length(l.label) AS len, ROW_NUMBER() OVER (PARTITION BY c.id ORDER BY "
                    "COALESCE(l.norm = $2::text, false) DESC, "
                    "ts_rank(to_tsvector('simple', l.label), q) DESC, l.pref DESC, "
                    "length(l.label), l.id) AS rn "
                    "FROM to_tsquery('simple', $1) q, skill_labels l "
                    "JOIN skill_concepts c ON c.id = l.concept_id "
                    "JOIN skill_frameworks f ON f.id = c.framework_id "
                    "WHERE to_tsvector('simple', l.label) @@ q AND ($3::text IS NULL OR "
                    "strpos(',' || $3::text || ',', ',' || c.kind || ',') > 0)) s "
                    "WHERE rn = 1 ORDER BY exact DESC, rnk DESC, pref DESC, len, "
                    "uri COLLATE \"C\" LIMIT $4",
    [Q_SK_LABELS] = "SELECT l.concept_id, c.uri, l.label, c.kind, l.pref FROM skill_labels l "
                    "JOIN skill_concepts c ON c.id = l.concept_id WHERE $1::text IS NULL OR "
                    "strpos(',' || $1::text || ',', ',' || c.kind || ',') > 0 "
                    "ORDER BY l.concept_id, l.pref DESC, l.id",
    [Q_SK_MAP_PUT] = "INSERT INTO skill_crosswalk (from_uri, to_uri, how, from_fw, to_fw, "
                     "created) VALUES ($1, $2, 'operator', (SELECT f.name FROM skill_concepts c "
                     "JOIN skill_frameworks f ON f.id = c.framework_id WHERE c.uri = $1), "
                     "(SELECT f.name FROM skill_concepts c JOIN skill_frameworks f "
                     "ON f.id = c.framework_id WHERE c.uri = $2), $3) "
                     "ON CONFLICT (from_uri, to_uri) DO UPDATE SET how = 'operator', "
                     "created = excluded.created",
    [Q_SK_MAP_LIST] = "SELECT COALESCE(c.id, 0), x.uri, c.label, c.kind, f.name, c.code, NULL, "
                      "NULL, 0, x.how, 0 FROM (SELECT to_uri AS uri, how FROM skill_crosswalk "
                      "WHERE from_uri = $1 UNION SELECT from_uri, how FROM skill_crosswalk "
                      "WHERE to_uri = $1) x LEFT JOIN skill_concepts c ON c.uri = x.uri "
                      "LEFT JOIN skill_frameworks f ON f.id = c.framework_id "
                      "ORDER BY x.how = 'operator' DESC, x.uri COLLATE \"C\"",
    [Q_SK_LEARNER_EXISTS] = "SELECT 1 FROM learners WHERE org_id = $1 AND id = $2",
    [Q_SK_DECLARE] = "INSERT INTO skill_declared (org_id, learner_id, uri, created) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [Q_SK_DECLARED] = "SELECT COALESCE(c.id, 0), d.uri, c.label, c.kind, f.name, c.code, NULL, "
                      "NULL, 0, NULL, d.created FROM skill_declared d "
                      "LEFT JOIN skill_concepts c ON c.uri = d.uri "
                      "LEFT JOIN skill_frameworks f ON f.id = c.framework_id "
                      "WHERE d.org_id = $1 AND d.learner_id = $2 ORDER BY d.uri COLLATE \"C\"",
    [Q_SK_HELD] = "SELECT " MC_SKILL_HELD_COLS " FROM credentials c "
                  "JOIN learners l ON l.org_id = c.org_id AND l.id = $2 "
                  "JOIN achievements a ON a.org_id = c.org_id AND a.id = c.achievement_id "
                  "WHERE c.org_id = $1 AND c.state = 'active' AND "
                  "(c.valid_until IS NULL OR c.valid_until > $3) AND (c.learner_id = l.id OR "
                  "lower(c.recipient) = lower(l.email) OR c.recipient = l.did) "
                  "ORDER BY c.issued, c.id COLLATE \"C\"",
    [Q_SK_POST_PUT] = "INSERT INTO skill_postings (ref, title, imported) VALUES ($1, $2, $3) "
                      "ON CONFLICT (ref) DO UPDATE SET title = excluded.title, "
                      "imported = excluded.imported RETURNING id",
    [Q_SK_POST_CLEAR] = "DELETE FROM skill_posting_skills WHERE posting_id = $1",
    [Q_SK_POST_SKILLS] = "INSERT INTO skill_posting_skills (posting_id, uri, hits) "
                         "SELECT $1, u.uri, SUM(u.hits) FROM unnest($2::text[], $3::bigint[]) "
                         "AS u (uri, hits) GROUP BY u.uri",
    [Q_SK_DEMAND] = "SELECT COALESCE(c.id, 0), s.uri, c.label, c.kind, f.name, c.code, NULL, "
                    "NULL, 0, NULL, s.n FROM (SELECT uri, COUNT(*) AS n "
                    "FROM skill_posting_skills GROUP BY uri) s "
                    "LEFT JOIN skill_concepts c ON c.uri = s.uri "
                    "LEFT JOIN skill_frameworks f ON f.id = c.framework_id "
                    "ORDER BY s.n DESC, s.uri COLLATE \"C\" LIMIT $1",
    [Q_SK_POSTINGS] = "SELECT COUNT(*) FROM skill_postings",
    /* v3 wallet */
    [Q_HK_PUT] = "INSERT INTO holder_keys (org_id, learner_id, did, public_multibase, key_file, "
                 "created) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
    [Q_HK_GET] = "SELECT " MC_HOLDER_KEY_COLS " FROM holder_keys WHERE org_id = $1 AND "
                 "learner_id = $2",
    [Q_W_PUT] = "INSERT INTO wallet_items (org_id, learner_id, cred_id, hash, format, source, "
                "verdict, report, doc, imported) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                "$10) ON CONFLICT DO NOTHING RETURNING id",
    [Q_W_GET] = "SELECT " MC_WALLET_COLS " FROM wallet_items WHERE org_id = $1 AND "
                "learner_id = $2 AND id = $3",
    [Q_W_FIND] = "SELECT " MC_WALLET_COLS " FROM wallet_items WHERE org_id = $1 AND "
                 "learner_id = $2 AND hash = $3",
    [Q_W_LIST] = "SELECT " MC_WALLET_COLS " FROM wallet_items WHERE org_id = $1 AND "
                 "learner_id = $2 ORDER BY id LIMIT 100000",
    /* v4 plan */
    [Q_CAT_PUT] = "INSERT INTO plan_catalog (org_id, uri, json, imported) VALUES ($1, $2, $3, "
                  "$4) ON CONFLICT (org_id, uri) DO UPDATE SET json = excluded.json, "
                  "imported = excluded.imported",
    [Q_CAT_CLEAR] = "DELETE FROM plan_catalog WHERE org_id = $1",
    [Q_CAT_LIST] = "SELECT id, org_id, uri, 1, json, imported FROM plan_catalog WHERE "
                   "org_id = $1 ORDER BY id LIMIT 4194304",
    /* v4 stacks */
    [Q_STK_PUT] = "INSERT INTO stacks (org_id, achievement_uri, rule, freshness, policy, created) "
                  "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING "
                  "RETURNING id",
    [Q_STK_COMP] = "INSERT INTO stack_components (org_id, stack_id, component_uri) "
                   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    [Q_STK_GET_ID] = "SELECT " MC_STACK_COLS " FROM stacks WHERE org_id = $1 AND id = $2",
    [Q_STK_GET_URI] = "SELECT " MC_STACK_COLS " FROM stacks WHERE org_id = $1 AND "
                      "achievement_uri = $2",
    [Q_STK_LIST] = "SELECT " MC_STACK_COLS " FROM stacks WHERE org_id = $1 ORDER BY id",
    [Q_STK_BY_COMP] = "SELECT s.id, s.org_id, s.achievement_uri, s.rule, s.freshness, s.policy, "
                      "s.created FROM stack_components c JOIN stacks s ON s.org_id = c.org_id "
                      "AND s.id = c.stack_id WHERE c.org_id = $1 AND c.component_uri = $2 "
                      "ORDER BY s.id",
    [Q_STK_CREDS] = "SELECT c.id, a.uri, i.did, c.state, c.issued, c.valid_until, "
                    "CASE WHEN jsonb_typeof(a.json::jsonb -> 'creditsAvailable') = 'number' "
                    "THEN a.json::jsonb ->> 'creditsAvailable' END "
                    "FROM credentials c JOIN achievements a ON a.org_id = c.org_id AND "
                    "a.id = c.achievement_id JOIN issuers i ON i.org_id = c.org_id AND "
                    "i.id = c.issuer_id WHERE c.org_id = $1 AND "
                    "lower(c.recipient) IN (lower($2::text), lower($3::text)) "
                    "ORDER BY c.issued, c.id COLLATE \"C\" LIMIT 100000",
    [Q_AW_CLAIM] = "INSERT INTO stack_awards (org_id, stack_id, learner_id, cred_id, state, "
                   "created, updated) VALUES ($1, $2, $3, NULL, 'pending', $4, $4) "
                   "ON CONFLICT (org_id, stack_id, learner_id) DO UPDATE SET updated = "
                   "excluded.updated WHERE stack_awards.state = 'pending' AND "
                   "stack_awards.cred_id IS NULL RETURNING id",
    [Q_AW_GET] = "SELECT " MC_AWARD_COLS " FROM stack_awards WHERE org_id = $1 AND "
                 "stack_id = $2 AND learner_id = $3",
    [Q_AW_SET] = "UPDATE stack_awards SET cred_id = COALESCE($3, cred_id), state = $4, "
                 "updated = $5 WHERE org_id = $1 AND id = $2",
    [Q_AW_LINK] = "INSERT INTO stack_award_links (org_id, award_id, cred_id, valid_until) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [Q_AW_LIST] = "SELECT " MC_AWARD_COLS " FROM stack_awards WHERE org_id = $1 AND "
                  "($2::bigint = 0 OR learner_id = $2) ORDER BY id",
    [Q_AW_DUE] = "SELECT " MC_AWARD_COLS " FROM stack_awards a WHERE a.org_id = $1 AND "
                 "(a.state = 'pending' OR (a.state IN ('issued', 'flagged') AND EXISTS "
                 "(SELECT 1 FROM stack_award_links k WHERE k.org_id = a.org_id AND "
                 "k.award_id = a.id AND k.valid_until IS NOT NULL AND "
                 "k.valid_until <= $2))) "
                 "ORDER BY a.id",
    /* v4 wallet pages */
    [Q_W_UPDATE] = "UPDATE wallet_items SET cred_id = $4, hash = $5, format = $6, source = $7, "
                   "verdict = $8, report = $9, doc = $10, imported = $11 WHERE org_id = $1 AND "
                   "learner_id = $2 AND id = $3 RETURNING id",
    [Q_WS_PUT] = "INSERT INTO wallet_shares (share_id, org_id, learner_id, item_id, enabled, "
                 "created, updated) SELECT $1::text, org_id, learner_id, id, $5::smallint, "
                 "$6::bigint, $6::bigint FROM wallet_items WHERE org_id = $2 AND learner_id = $3 AND id = $4 "
                 "ON CONFLICT (org_id, item_id) DO UPDATE SET enabled = EXCLUDED.enabled, "
                 "updated = EXCLUDED.updated RETURNING share_id, org_id, "
                 "CAST(item_id AS TEXT), enabled, created, updated",
    [Q_WS_GET] = "SELECT share_id, org_id, CAST(item_id AS TEXT), enabled, created, updated "
                 "FROM wallet_shares WHERE org_id = $1 AND learner_id = $2 AND item_id = $3",
    [Q_WS_ITEM] = "SELECT " MC_WALLET_COLS " FROM wallet_items WHERE id = (SELECT item_id "
                  "FROM wallet_shares WHERE share_id = $1 AND enabled = 1)",
    /* v4 assess */
    [Q_AS_PUT] = "INSERT INTO assessments (org_id, learner_id, achievement_id, achievement_uri, "
                 "rd_id, kind, value, assessor, evidence, met, missing, cred_id, at) VALUES "
                 "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    [Q_AS_LIST] = "SELECT " MC_ASSESS_COLS " FROM assessments WHERE org_id = $1 AND "
                  "learner_id = $2 ORDER BY id LIMIT 10000",
    [Q_AS_CREDS] = "SELECT " MC_CRED_COLS " FROM credentials WHERE org_id = $1 AND "
                   "(learner_id = $2 OR lower(recipient) IN (SELECT lower(email) FROM learners "
                   "WHERE org_id = $1 AND id = $2 AND email IS NOT NULL) OR recipient IN "
                   "(SELECT did FROM learners WHERE org_id = $1 AND id = $2 AND did IS NOT "
                   "NULL)) ORDER BY issued, id LIMIT 10000",
    /* v4 positions */
    [Q_POS_PUT] = "INSERT INTO positions (org_id, title, doc, created) VALUES ($1, $2, $3, "
                  "$4) RETURNING id",
    [Q_POS_GET] = "SELECT " MC_POSITION_COLS " FROM positions WHERE org_id = $1 AND id = $2",
    [Q_POS_LIST] = "SELECT " MC_POSITION_COLS " FROM positions WHERE org_id = $1 "
                   "ORDER BY id LIMIT 100000",
    [Q_OSH_ORG] = "SELECT 1 FROM orgs WHERE org_id = $1",
    [Q_OSH_LEARNER] = "SELECT 1 FROM learners WHERE org_id = $1 AND id = $2",
    [Q_OSH_PUT] = "INSERT INTO org_shares (employer_id, org_id, learner_id, scope, created) "
                  "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (employer_id, org_id, "
                  "learner_id) DO UPDATE SET scope = excluded.scope, created = excluded.created "
                  "RETURNING id",
    [Q_OSH_LIST] = "SELECT " MC_ORG_SHARE_COLS " FROM org_shares WHERE employer_id = $1 "
                   "ORDER BY learner_id, id LIMIT 100000",
    [Q_CAND_CREDS] = "SELECT " MC_CAND_CRED_COLS " FROM credentials c "
                     "JOIN learners l ON l.org_id = c.org_id AND l.id = $2 "
                     "JOIN achievements a ON a.org_id = c.org_id AND a.id = c.achievement_id "
                     "WHERE c.org_id = $1 AND (c.learner_id = l.id OR "
                     "lower(c.recipient) = lower(l.email) OR c.recipient = l.did) "
                     "ORDER BY c.issued, c.id COLLATE \"C\" LIMIT 100000",
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

static mcred_rc pg_org_list(struct mc_store *st, struct mc_store_list *out, struct mc_err *err)
{
    return pg_list(pg(st), Q_ORG_LIST, NULL, 0, &mc_row_org, out, err);
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
static mcred_rc pg_setting_get(struct mc_store *st, int64_t org, const char *name,
                               struct mc_org_setting *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(name) };

    return pg_one(pg(st), Q_SET_GET, p, NP(p), &mc_row_org_setting, out, err);
}

static mcred_rc pg_setting_set(struct mc_store *st, int64_t org, const char *name,
                               const char *value, time_t now, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(name), mc_p_text(value),
                            mc_p_i64(mc_store_time(now)) };

    return pg_exec(pg(st), Q_SET_PUT, p, NP(p), NULL, err);
}

static mcred_rc pg_share_put(struct mc_store *st, const struct mc_share *in,
                             struct mc_share *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(in->share_id), mc_p_i64(in->org_id),
                            mc_p_text(in->cred_id), mc_p_i64(in->enabled ? 1 : 0),
                            mc_p_i64(mc_store_time(in->updated)) };

    return pg_one(pg(st), Q_SHARE_PUT, p, NP(p), &mc_row_share, out, err);
}

static mcred_rc pg_share_get(struct mc_store *st, int64_t org, const char *cred_id,
                             struct mc_share *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(cred_id) };

    return pg_one(pg(st), Q_SHARE_GET, p, NP(p), &mc_row_share, out, err);
}

static mcred_rc pg_share_find(struct mc_store *st, const char *share_id, struct mc_share *out,
                              struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(share_id) };

    return pg_one(pg(st), Q_SHARE_FIND, p, NP(p), &mc_row_share, out, err);
}

static mcred_rc pg_share_showcase(struct mc_store *st, size_t limit, struct mc_store_list *out,
                                  struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64((int64_t)limit) };

    return pg_list(pg(st), Q_SHARE_SHOWCASE, p, NP(p), &mc_row_share, out, err);
}

static mcred_rc pg_session_add(struct mc_store *st, const struct mc_session *s,
                               struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(s->id_hash), mc_p_i64(s->org_id), mc_p_i64(s->user_id),
                            mc_p_text(s->csrf), mc_p_i64(mc_store_time(s->created)),
                            mc_p_i64((int64_t)s->expires) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_SESSION_ADD, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_session_get(struct mc_store *st, const char *id_hash, time_t now,
                               struct mc_session *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(id_hash), mc_p_i64((int64_t)now) };

    return pg_one(pg(st), Q_SESSION_GET, p, NP(p), &mc_row_session, out, err);
}

static mcred_rc pg_session_delete(struct mc_store *st, const char *id_hash, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(id_hash) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_SESSION_DEL, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_session_purge(struct mc_store *st, time_t now, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64((int64_t)now) };

    return pg_exec(pg(st), Q_SESSION_PURGE, p, NP(p), NULL, err);
}

static mcred_rc pg_issuer_by_did(struct mc_store *st, const char *did, struct mc_issuer *out,
                                 struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(did) };

    return pg_one(pg(st), Q_ISSUER_BY_DID, p, NP(p), &mc_row_issuer, out, err);
}

static mcred_rc pg_achievement_by_uri(struct mc_store *st, const char *uri,
                                      struct mc_achievement *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(uri) };

    return pg_one(pg(st), Q_ACH_BY_URI, p, NP(p), &mc_row_achievement, out, err);
}

/* v3 oauth: clients, codes, tokens */
static mcred_rc pg_oauth_client_add(struct mc_store *st, const struct mc_oauth_client *c,
                                    struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(c->client_id), mc_p_text(c->secret_hash),
                            mc_p_text(c->meta), mc_p_i64(mc_store_time(c->created)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OAC_ADD, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_oauth_client_get(struct mc_store *st, const char *client_id,
                                    struct mc_oauth_client *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(client_id) };

    return pg_one(pg(st), Q_OAC_GET, p, NP(p), &mc_row_oauth_client, out, err);
}

static mcred_rc pg_oauth_grant_add(struct mc_store *st, struct mc_oauth_grant *in_out,
                                   struct mc_err *err)
{
    struct mc_oauth_grant *g = in_out;
    struct mc_param p[] = { mc_p_i64(g->org_id), mc_p_i64(g->user_id), mc_p_text(g->client_id),
                            mc_p_text(g->redirect_uri), mc_p_i64(g->scopes),
                            mc_p_text(g->state), mc_p_text(g->challenge),
                            mc_p_text(g->nonce_hash), mc_p_i64(g->expires),
                            mc_p_i64(mc_store_time(g->created)) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(pg_i64(pg(st), Q_OAG_ADD, p, NP(p), &id, err));

    if (!rc) {
        g->id = id;
        g->created = (time_t)p[9].i;
    }
    return rc;
}

static mcred_rc pg_oauth_grant_decide(struct mc_store *st, int64_t org, int64_t user,
                                      const char *nonce_hash, const char *code_hash,
                                      time_t code_expires, time_t now,
                                      struct mc_oauth_grant *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user), mc_p_text(nonce_hash),
                            mc_p_text(code_hash), mc_p_i64(code_expires), mc_p_i64(now) };

    return pg_one(pg(st), Q_OAG_DECIDE, p, NP(p), &mc_row_oauth_grant, out, err);
}

static mcred_rc pg_oauth_grant_by_code(struct mc_store *st, const char *code_hash,
                                       struct mc_oauth_grant *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(code_hash) };

    return pg_one(pg(st), Q_OAG_BY_CODE, p, NP(p), &mc_row_oauth_grant, out, err);
}

static mcred_rc pg_oauth_grant_use_code(struct mc_store *st, int64_t org, int64_t id,
                                        time_t now, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_i64(now) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OAG_USE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    return pg_which_miss(pg(st), Q_OAG_EXISTS, org, NULL, id, err);
}

static mcred_rc pg_oauth_grant_revoke(struct mc_store *st, int64_t org, int64_t id, time_t now,
                                      struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_i64(now) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OAG_REVOKE, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_oauth_token_add(struct mc_store *st, const struct mc_oauth_token *t,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(t->hash), mc_p_i64(t->org_id), mc_p_i64(t->grant_id),
                            mc_p_text(t->refresh ? "refresh" : "access"), mc_p_i64(t->scopes),
                            mc_p_i64(mc_store_time(t->created)), mc_p_i64(t->expires) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OAT_ADD, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_oauth_token_get(struct mc_store *st, const char *hash,
                                   struct mc_oauth_token *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(hash) };

    return pg_one(pg(st), Q_OAT_GET, p, NP(p), &mc_row_oauth_token, out, err);
}

static mcred_rc pg_oauth_token_use(struct mc_store *st, const char *hash, time_t now,
                                   struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(hash), mc_p_i64(now) };
    struct mc_param q[] = { mc_p_text(hash) };
    int changes = 0;
    int64_t one = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OAT_USE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    rc = pg_i64(pg(st), Q_OAT_EXISTS, q, NP(q), &one, err);
    return rc ? rc : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_oauth_token_revoke(struct mc_store *st, const char *hash, time_t now,
                                      struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(hash), mc_p_i64(now) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OAT_REVOKE, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_oauth_purge(struct mc_store *st, time_t before, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(before) };
    mcred_rc rc = pg_exec(pg(st), Q_OA_PURGE_TOKENS, p, NP(p), NULL, err);

    return rc ? rc : pg_exec(pg(st), Q_OA_PURGE_GRANTS, p, NP(p), NULL, err);
}

/* Replace the stored credential, else add it; a concurrent adder that wins
 * the race makes this a replacement after all. */
static mcred_rc pg_ob_wallet_put(struct mc_store *st, int64_t org, int64_t user,
                                 const char *issuer_key, const char *cred_key, bool jws,
                                 const char *doc, time_t issued, time_t now, bool *created,
                                 struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user), mc_p_text(issuer_key),
                            mc_p_text(cred_key), mc_p_text(jws ? "jws" : "json"),
                            mc_p_text(doc), mc_p_i64(issued), mc_p_i64(now) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_OBW_UPD, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    rc = pg_exec(pg(st), Q_OBW_INS, p, NP(p), &changes, err);
    if (rc || changes) {
        *created = !rc;
        return rc;
    }
    return pg_exec(pg(st), Q_OBW_UPD, p, NP(p), NULL, err);
}

static mcred_rc pg_ob_wallet_list(struct mc_store *st, int64_t org, int64_t user,
                                  const time_t *since, size_t offset, size_t limit,
                                  struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user),
                            since ? mc_p_i64(*since) : mc_p_text(NULL),
                            mc_p_i64((int64_t)limit), mc_p_i64((int64_t)offset) };

    return pg_list(pg(st), Q_OBW_LIST, p, NP(p), &mc_row_ob_item, out, err);
}

static mcred_rc pg_ob_wallet_count(struct mc_store *st, int64_t org, int64_t user,
                                   const time_t *since, int64_t *n, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user),
                            since ? mc_p_i64(*since) : mc_p_text(NULL) };

    return pg_i64(pg(st), Q_OBW_COUNT, p, NP(p), n, err);
}

static mcred_rc pg_ob_profile_get(struct mc_store *st, int64_t org, int64_t user,
                                  struct mc_ob_profile *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user) };

    return pg_one(pg(st), Q_OBP_GET, p, NP(p), &mc_row_ob_profile, out, err);
}

static mcred_rc pg_ob_profile_put(struct mc_store *st, int64_t org, int64_t user,
                                  const char *doc, time_t now, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user), mc_p_text(doc), mc_p_i64(now) };

    return pg_exec(pg(st), Q_OBP_PUT, p, NP(p), NULL, err);
}

/* v3 platform: jobs */
static mcred_rc pg_user_get(struct mc_store *st, int64_t org, int64_t id, struct mc_user *out,
                            struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return pg_one(pg(st), Q_USER_GET, p, NP(p), &mc_row_user, out, err);
}

static mcred_rc pg_user_set_role(struct mc_store *st, int64_t org, int64_t id,
                                 enum mc_role role, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_text(mc_role_name(role)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_USER_ROLE, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_token_create(struct mc_store *st, int64_t org, int64_t user,
                                const char *token_hash, const char *label, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(token_hash), mc_p_i64(org), mc_p_i64(user),
                            mc_p_text(label), mc_p_i64(mc_store_time(0)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_TOKEN_CREATE, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_CONFLICT;
}

static mcred_rc pg_token_list(struct mc_store *st, int64_t org, int64_t user,
                              struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(user) };

    return pg_list(pg(st), Q_TOKEN_LIST, p, NP(p), &mc_row_token, out, err);
}

static mcred_rc pg_token_revoke(struct mc_store *st, int64_t org, const char *id, int64_t user,
                                struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(id), mc_p_i64(user) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_TOKEN_REVOKE, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_learner_page(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                                struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit), mc_p_i64((int64_t)offset) };

    return pg_list(pg(st), Q_LEARNER_PAGE, p, NP(p), &mc_row_learner, out, err);
}

static mcred_rc pg_cred_list_recipient(struct mc_store *st, int64_t org, const char *email,
                                       size_t offset, size_t limit, struct mc_store_list *out,
                                       struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(email), mc_p_i64((int64_t)limit),
                            mc_p_i64((int64_t)offset) };

    return pg_list(pg(st), Q_CRED_RECIPIENT, p, NP(p), &mc_row_cred, out, err);
}

static mcred_rc pg_audit_page(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                              struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit), mc_p_i64((int64_t)offset) };

    return pg_list(pg(st), Q_AUDIT_PAGE, p, NP(p), &mc_row_audit, out, err);
}

static mcred_rc pg_job_create(struct mc_store *st, struct mc_job *in_out, struct mc_err *err)
{
    struct mc_job *j = in_out;
    struct mc_param p[] = { mc_p_i64(j->org_id), mc_p_i64(j->achievement_id),
                            mc_p_opt(j->user_id), mc_p_text(mc_job_format_name(j->format)),
                            mc_p_text(mc_job_state_name(j->state)), mc_p_i64(j->bytes),
                            mc_p_i64(mc_store_time(j->created)) };
    int64_t id = 0;
    mcred_rc rc = pg_i64(pg(st), Q_JOB_CREATE, p, NP(p), &id, err);

    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: job insert returned no id");
    if (rc)
        return rc;
    j->id = id;
    j->created = j->heartbeat = (time_t)p[6].i;
    j->bytes_read = j->rows = j->issued = j->already = j->failed = 0;
    return MCRED_OK;
}

static mcred_rc pg_job_get(struct mc_store *st, int64_t org, int64_t id, struct mc_job *out,
                           struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return pg_one(pg(st), Q_JOB_GET, p, NP(p), &mc_row_job, out, err);
}

static mcred_rc pg_job_list(struct mc_store *st, int64_t org, size_t offset, size_t limit,
                            struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64((int64_t)limit), mc_p_i64((int64_t)offset) };

    return pg_list(pg(st), Q_JOB_LIST, p, NP(p), &mc_row_job, out, err);
}

static mcred_rc pg_job_update(struct mc_store *st, const struct mc_job *j, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(j->org_id), mc_p_i64(j->id),
                            mc_p_text(mc_job_state_name(j->state)), mc_p_i64(j->bytes_read),
                            mc_p_i64(j->rows), mc_p_i64(j->issued), mc_p_i64(j->already),
                            mc_p_i64(j->failed), mc_p_text(j->row_errors), mc_p_text(j->error),
                            mc_p_opt(j->started), mc_p_opt(j->finished),
                            mc_p_i64(mc_store_time(j->heartbeat)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_JOB_UPDATE, p, NP(p), &changes, err);

    if (rc || changes)
        return rc;
    return pg_which_miss(pg(st), Q_JOB_EXISTS, j->org_id, NULL, j->id, err);
}

static mcred_rc pg_job_touch(struct mc_store *st, int64_t org, int64_t id, time_t now,
                             struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id), mc_p_i64((int64_t)now) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_JOB_TOUCH, p, NP(p), &changes, err);

    if (rc)
        return rc;
    return changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_job_abandon(struct mc_store *st, time_t before, const char *error,
                               time_t now, int64_t *n, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64((int64_t)before), mc_p_text(error),
                            mc_p_i64(mc_store_time(now)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_JOB_ABANDON, p, NP(p), &changes, err);

    *n = rc ? 0 : changes;
    return rc;
}


/* v3 skills: frameworks, skills, occupations */
/* A PostgreSQL array literal being built: {"a","b",NULL} or {1,2}. */
struct pg_arr {
    char *p;
    size_t n, cap;
};

static bool arr_put(struct pg_arr *a, const char *s, size_t k)
{
    if (a->n + k + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4096;
        char *p;

        while (cap < a->n + k + 2)
            cap *= 2;
        p = mc_realloc(a->p, cap);
        if (!p)
            return false;
        a->p = p;
        a->cap = cap;
    }
    memcpy(a->p + a->n, s, k);
    a->n += k;
    a->p[a->n] = '\0';
    return true;
}

/* Start the literal, or close it (end). */
static bool arr_edge(struct pg_arr *a, bool end)
{
    return arr_put(a, end ? "}" : "{", 1);
}

/* Append a text element (NULL: SQL NULL), quoted with \ and " escaped. */
static bool arr_text(struct pg_arr *a, const char *s)
{
    const char *run;
    size_t k;

    if (a->n > 1 && !arr_put(a, ",", 1))
        return false;
    if (!s)
        return arr_put(a, "NULL", 4);
    if (!arr_put(a, "\"", 1))
        return false;
    while (*s) {
        k = strcspn(s, "\"\\");
        run = s;
        if (k && !arr_put(a, run, k))
            return false;
        s += k;
        if (*s) {
            char esc[2] = { '\\', *s };

            if (!arr_put(a, esc, 2))
                return false;
            s++;
        }
    }
    return arr_put(a, "\"", 1);
}

static bool arr_i64(struct pg_arr *a, int64_t v)
{
    char num[24];
    int k = snprintf(num, sizeof(num), "%lld", (long long)v);

    if (a->n > 1 && !arr_put(a, ",", 1))
        return false;
    return arr_put(a, num, (size_t)k);
}

#define SK_BATCH_ROWS 5000                  /* rows per multi-row insert */
#define SK_BATCH_BYTES ((size_t)4 << 20)    /* text per multi-row insert */

/* Report progress (after each batch). */
static void skill_progress(const struct mc_skill_import *im, size_t done, size_t total)
{
    if (im->progress)
        im->progress(im->progress_ud, done, total);
}

/* Send the arrays a[0..k) as the parameters after the fixed ones (first:
 * the framework id, or none when first is 0), then empty them. */
static mcred_rc pg_flush(struct pg_store *p, enum pg_q q, int64_t first, struct pg_arr *a,
                         size_t k, struct mc_err *err)
{
    struct mc_param prm[8];
    size_t i, n = 0;
    mcred_rc rc = MCRED_OK;

    if (first)
        prm[n++] = mc_p_i64(first);
    for (i = 0; i < k; i++) {
        if (!arr_edge(&a[i], true))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory importing");
        prm[n++] = mc_p_text(a[i].p);
    }
    if (!rc)
        rc = pg_exec(p, q, prm, n, NULL, err);
    for (i = 0; i < k; i++) {
        a[i].n = 0;
        if (!arr_edge(&a[i], false) && !rc)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory importing");
    }
    return rc;
}

static void arrs_free(struct pg_arr *a, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++)
        mc_free(a[i].p);
}

static mcred_rc arrs_start(struct pg_arr *a, size_t k, struct mc_err *err)
{
    size_t i;

    memset(a, 0, k * sizeof(*a));
    for (i = 0; i < k; i++) {
        if (!arr_edge(&a[i], false))
            return mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory importing");
    }
    return MCRED_OK;
}

static mcred_rc pg_sk_concepts(struct pg_store *p, const struct mc_skill_import *im, int64_t fw,
                               int64_t base, size_t *done, size_t total, struct mc_err *err)
{
    struct pg_arr a[6];
    size_t i, rows = 0;
    mcred_rc rc = arrs_start(a, 6, err);

    for (i = 0; i < im->nconcepts && !rc; i++) {
        const struct mc_skill_concept_in *c = &im->concepts[i];

        if (!arr_i64(&a[0], base + 1 + (int64_t)i) || !arr_text(&a[1], c->uri) ||
            !arr_text(&a[2], mc_skill_kind_name(c->kind)) || !arr_text(&a[3], c->label) ||
            !arr_text(&a[4], c->code) || !arr_text(&a[5], c->description))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory importing");
        if (!rc && (++rows == SK_BATCH_ROWS || a[5].n + a[3].n > SK_BATCH_BYTES ||
                    i + 1 == im->nconcepts)) {
            rc = pg_flush(p, Q_SK_CONCEPT_BULK, fw, a, 6, err);
            *done += rows;
            rows = 0;
            skill_progress(im, *done, total);
        }
    }
    arrs_free(a, 6);
    return rc;
}

static mcred_rc pg_sk_labels(struct pg_store *p, const struct mc_skill_import *im, int64_t base,
                             size_t *done, size_t total, struct mc_err *err)
{
    struct pg_arr a[4];
    size_t i, rows = 0;
    mcred_rc rc = arrs_start(a, 4, err);

    for (i = 0; i < im->nlabels && !rc; i++) {
        const struct mc_skill_label_in *l = &im->labels[i];

        if (!arr_i64(&a[0], base + 1 + l->concept) || !arr_text(&a[1], l->label) ||
            !arr_text(&a[2], l->norm) || !arr_i64(&a[3], l->pref))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory importing");
        if (!rc && (++rows == SK_BATCH_ROWS || a[1].n + a[2].n > SK_BATCH_BYTES ||
                    i + 1 == im->nlabels)) {
            rc = pg_flush(p, Q_SK_LABEL_BULK, 0, a, 4, err);
            *done += rows;
            rows = 0;
            skill_progress(im, *done, total);
        }
    }
    arrs_free(a, 4);
    return rc;
}

static mcred_rc pg_sk_edges(struct pg_store *p, const struct mc_skill_import *im, int64_t base,
                            size_t *done, size_t total, struct mc_err *err)
{
    struct pg_arr a[4];
    size_t i, rows = 0;
    mcred_rc rc = arrs_start(a, 4, err);

    for (i = 0; i < im->nedges && !rc; i++) {
        const struct mc_skill_edge_in *e = &im->edges[i];

        if (!arr_i64(&a[0], base + 1 + e->from) || !arr_i64(&a[1], base + 1 + e->to) ||
            !arr_text(&a[2], mc_skill_rel_name(e->rel)) || !arr_i64(&a[3], e->flags))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory importing");
        if (!rc && (++rows == SK_BATCH_ROWS || i + 1 == im->nedges)) {
            rc = pg_flush(p, Q_SK_EDGE_BULK, 0, a, 4, err);
            *done += rows;
            rows = 0;
            skill_progress(im, *done, total);
        }
    }
    arrs_free(a, 4);
    return rc;
}

/* Replace framework im->name by im (inside the wrapper's transaction, under
 * an advisory lock that serialises imports): delete the old one, insert the
 * new rows with multi-row inserts, recompute the crosswalk. */
static mcred_rc pg_skill_import(struct mc_store *st, const struct mc_skill_import *im,
                                int64_t *framework_id, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    struct mc_param name[] = { mc_p_text(im->name) };
    struct mc_param fw[] = { mc_p_text(im->name), mc_p_text(im->version),
                             mc_p_text(im->title), mc_p_text(im->attribution),
                             mc_p_i64(mc_store_time(0)) };
    size_t done = 0, total = im->nconcepts + im->nlabels + im->nedges;
    int64_t base = 0, id = 0;
    mcred_rc rc = pg_exec(p, Q_SK_LOCK, NULL, 0, NULL, err);

    if (!rc)
        rc = pg_exec(p, Q_SK_FW_DELETE, name, NP(name), NULL, err);
    if (!rc)
        rc = pg_exec(p, Q_SK_XW_CLEAR, name, NP(name), NULL, err);
    if (!rc)
        rc = pg_i64(p, Q_SK_FW_INSERT, fw, NP(fw), &id, err);
    if (!rc)
        rc = pg_i64(p, Q_SK_MAX_ID, NULL, 0, &base, err);
    if (!rc && im->nconcepts)
        rc = pg_sk_concepts(p, im, id, base, &done, total, err);
    if (!rc && im->nlabels)
        rc = pg_sk_labels(p, im, base, &done, total, err);
    if (!rc && im->nedges)
        rc = pg_sk_edges(p, im, base, &done, total, err);
    if (!rc) {
        struct mc_param prm[] = { mc_p_i64(id), mc_p_i64(mc_store_time(0)) };

        rc = pg_exec(p, Q_SK_XW_LABEL, prm, NP(prm), NULL, err);
    }
    if (!rc) {
        struct mc_param prm[] = { mc_p_i64(id), mc_p_i64((int64_t)im->nconcepts),
                                  mc_p_i64((int64_t)im->nlabels),
                                  mc_p_i64((int64_t)im->nedges) };

        rc = pg_exec(p, Q_SK_FW_COUNTS, prm, NP(prm), NULL, err);
    }
    if (!rc)
        *framework_id = id;
    return rc;
}

static mcred_rc pg_skill_framework_list(struct mc_store *st, struct mc_store_list *out,
                                        struct mc_err *err)
{
    return pg_list(pg(st), Q_SK_FW_LIST, NULL, 0, &mc_row_skill_framework, out, err);
}

static mcred_rc pg_skill_stats(struct mc_store *st, int64_t framework_id,
                               struct mc_skill_stats *out, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    struct mc_param prm[] = { mc_p_i64(framework_id) };
    static const enum pg_q qs[] = { Q_SK_STATS_KIND, Q_SK_STATS_REL, Q_SK_STATS_LABEL };
    PGresult *res;
    int64_t one = 0;
    size_t i;
    int r;
    mcred_rc rc = pg_i64(p, Q_SK_FW_EXISTS, prm, NP(prm), &one, err);

    for (i = 0; i < 3 && !rc; i++) {
        rc = pg_run(p, qs[i], prm, NP(prm), &res, err);
        for (r = 0; !rc && r < PQntuples(res); r++) {
            const char *name = PQgetvalue(res, r, 0);
            enum mc_skill_kind k;
            enum mc_skill_rel rel;

            if (qs[i] == Q_SK_STATS_KIND && !mc_skill_kind_parse(name, &k)) {
                out->kinds[k] = pg_parse_i64(PQgetvalue(res, r, 1));
            } else if (qs[i] == Q_SK_STATS_REL && !mc_skill_rel_parse(name, &rel)) {
                out->rels[rel] = pg_parse_i64(PQgetvalue(res, r, 1));
                out->hot += pg_parse_i64(PQgetvalue(res, r, 2));
                out->in_demand += pg_parse_i64(PQgetvalue(res, r, 3));
            } else if (qs[i] == Q_SK_STATS_LABEL) {
                out->labels = pg_parse_i64(PQgetvalue(res, r, 0));
                out->pref_labels = pg_parse_i64(PQgetvalue(res, r, 1));
            }
        }
        if (!rc)
            PQclear(res);
    }
    return rc;
}

static mcred_rc pg_skill_get(struct mc_store *st, const char *uri, struct mc_skill *out,
                             struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_text(uri) };

    return pg_one(pg(st), Q_SK_GET, prm, NP(prm), &mc_row_skill, out, err);
}

static mcred_rc pg_skill_links(struct mc_store *st, int64_t id, bool reverse,
                               struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_i64(id) };

    return pg_list(pg(st), reverse ? Q_SK_LINKS_REV : Q_SK_LINKS, prm, NP(prm), &mc_row_skill,
                   out, err);
}

/* The tsquery of words: every word a quoted prefix ('data':* & 'anal':*). */
static void pg_ts_query(const char *words, char *q, size_t cap)
{
    const char *w = words;
    size_t o = 0, n;

    q[0] = '\0';
    while (*w) {
        n = strcspn(w, " ");
        if (n && o + n + 12 < cap)
            o += (size_t)snprintf(q + o, cap - o, "%s'%.*s':*", o ? " & " : "", (int)n, w);
        w += n;
        while (*w == ' ')
            w++;
    }
}

static mcred_rc pg_skill_search(struct mc_store *st, const char *words, const char *norm,
                                const char *kinds, size_t limit, struct mc_store_list *out,
                                struct mc_err *err)
{
    char q[1300];
    struct mc_param prm[] = { mc_p_text(q), mc_p_text(norm), mc_p_text(kinds),
                              mc_p_i64((int64_t)limit) };

    pg_ts_query(words, q, sizeof(q));
    return pg_list(pg(st), Q_SK_SEARCH, prm, NP(prm), &mc_row_skill, out, err);
}

static mcred_rc pg_skill_label_scan(struct mc_store *st, const char *kinds,
                                    mcred_rc (*cb)(void *ud, const struct mc_skill_label *l),
                                    void *ud, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_text(kinds) };
    struct mc_skill_label l;
    PGresult *res;
    int r;
    mcred_rc rc = pg_run(pg(st), Q_SK_LABELS, prm, NP(prm), &res, err);

    for (r = 0; !rc && r < PQntuples(res); r++) {
        l.concept = pg_parse_i64(PQgetvalue(res, r, 0));
        l.uri = PQgetvalue(res, r, 1);
        l.label = PQgetvalue(res, r, 2);
        l.pref = pg_parse_i64(PQgetvalue(res, r, 4)) != 0;
        if (mc_skill_kind_parse(PQgetvalue(res, r, 3), &l.kind))
            rc = mc_err_set(err, MCRED_ERR_STORAGE, "store postgres: a malformed skill label");
        if (!rc)
            rc = cb(ud, &l);
    }
    PQclear(res);
    return rc;
}

static mcred_rc pg_skill_map_put(struct mc_store *st, const char *from_uri, const char *to_uri,
                                 time_t at, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_text(from_uri), mc_p_text(to_uri), mc_p_i64((int64_t)at) };

    return pg_exec(pg(st), Q_SK_MAP_PUT, prm, NP(prm), NULL, err);
}

static mcred_rc pg_skill_map_list(struct mc_store *st, const char *uri, struct mc_store_list *out,
                                  struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_text(uri) };

    return pg_list(pg(st), Q_SK_MAP_LIST, prm, NP(prm), &mc_row_skill, out, err);
}

static mcred_rc pg_skill_declare(struct mc_store *st, int64_t org, int64_t learner,
                                 const char *uri, time_t at, struct mc_err *err)
{
    struct mc_param who[] = { mc_p_i64(org), mc_p_i64(learner) };
    struct mc_param prm[] = { mc_p_i64(org), mc_p_i64(learner), mc_p_text(uri),
                              mc_p_i64((int64_t)at) };
    int64_t one = 0;
    mcred_rc rc = pg_i64(pg(st), Q_SK_LEARNER_EXISTS, who, NP(who), &one, err);

    if (rc)
        return rc;
    return pg_exec(pg(st), Q_SK_DECLARE, prm, NP(prm), NULL, err);
}

static mcred_rc pg_skill_declared(struct mc_store *st, int64_t org, int64_t learner,
                                  struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_list(pg(st), Q_SK_DECLARED, prm, NP(prm), &mc_row_skill, out, err);
}

static mcred_rc pg_skill_held(struct mc_store *st, int64_t org, int64_t learner, time_t now,
                              struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_i64(org), mc_p_i64(learner), mc_p_i64((int64_t)now) };

    return pg_list(pg(st), Q_SK_HELD, prm, NP(prm), &mc_row_skill_held, out, err);
}

static mcred_rc pg_skill_posting_put(struct mc_store *st, const char *ref, const char *title,
                                     const char *const *uris, const int64_t *hits, size_t n,
                                     time_t at, int64_t *id, struct mc_err *err)
{
    struct pg_store *p = pg(st);
    struct mc_param prm[] = { mc_p_text(ref), mc_p_text(title), mc_p_i64((int64_t)at) };
    struct pg_arr a[2];
    size_t i;
    mcred_rc rc = pg_i64(p, Q_SK_POST_PUT, prm, NP(prm), id, err);

    if (!rc) {
        struct mc_param c[] = { mc_p_i64(*id) };

        rc = pg_exec(p, Q_SK_POST_CLEAR, c, NP(c), NULL, err);
    }
    if (!rc && n) {
        rc = arrs_start(a, 2, err);
        for (i = 0; i < n && !rc; i++) {
            if (!arr_text(&a[0], uris[i]) || !arr_i64(&a[1], hits[i]))
                rc = mc_err_set(err, MCRED_ERR_NOMEM, "store postgres: out of memory");
        }
        if (!rc)
            rc = pg_flush(p, Q_SK_POST_SKILLS, *id, a, 2, err);
        arrs_free(a, 2);
    }
    if (rc)
        *id = 0;
    return rc;
}

static mcred_rc pg_skill_demand(struct mc_store *st, size_t limit, struct mc_store_list *out,
                                int64_t *postings, struct mc_err *err)
{
    struct mc_param prm[] = { mc_p_i64((int64_t)limit) };
    mcred_rc rc = pg_i64(pg(st), Q_SK_POSTINGS, NULL, 0, postings, err);

    if (!rc)
        rc = pg_list(pg(st), Q_SK_DEMAND, prm, NP(prm), &mc_row_skill, out, err);
    if (rc)
        *postings = 0;
    return rc;
}

/* v3 wallet: holder keys, wallet items */
static mcred_rc pg_holder_key_put(struct mc_store *st, struct mc_holder_key *in_out,
                                 struct mc_err *err)
{
    struct mc_holder_key *k = in_out;
    struct mc_param p[] = { mc_p_i64(k->org_id), mc_p_i64(k->learner_id), mc_p_text(k->did),
                            mc_p_text(k->public_multibase), mc_p_text(k->key_file),
                            mc_p_i64(mc_store_time(k->created)) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(pg_i64(pg(st), Q_HK_PUT, p, NP(p), &id, err));

    if (!rc) {
        k->id = id;
        k->created = (time_t)p[5].i;
    }
    return rc;
}

static mcred_rc pg_holder_key_get(struct mc_store *st, int64_t org, int64_t learner,
                                 struct mc_holder_key *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_one(pg(st), Q_HK_GET, p, NP(p), &mc_row_holder_key, out, err);
}

static mcred_rc pg_wallet_put(struct mc_store *st, struct mc_wallet_item *in_out,
                             struct mc_err *err)
{
    struct mc_wallet_item *w = in_out;
    struct mc_param p[] = { mc_p_i64(w->org_id), mc_p_i64(w->learner_id), mc_p_text(w->cred_id),
                            mc_p_text(w->hash), mc_p_text(w->format), mc_p_text(w->source),
                            mc_p_text(w->verdict), mc_p_text(w->report), mc_p_text(w->doc),
                            mc_p_i64(mc_store_time(w->imported)) };
    int64_t id = 0;
    mcred_rc rc = conflict_if_none(pg_i64(pg(st), Q_W_PUT, p, NP(p), &id, err));

    if (!rc) {
        w->id = id;
        w->imported = (time_t)p[9].i;
    }
    return rc;
}

static mcred_rc pg_wallet_get(struct mc_store *st, int64_t org, int64_t learner, int64_t id,
                             struct mc_wallet_item *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner), mc_p_i64(id) };

    return pg_one(pg(st), Q_W_GET, p, NP(p), &mc_row_wallet_item, out, err);
}

static mcred_rc pg_wallet_find(struct mc_store *st, int64_t org, int64_t learner,
                              const char *hash, struct mc_wallet_item *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner), mc_p_text(hash) };

    return pg_one(pg(st), Q_W_FIND, p, NP(p), &mc_row_wallet_item, out, err);
}

static mcred_rc pg_wallet_list(struct mc_store *st, int64_t org, int64_t learner,
                              struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_list(pg(st), Q_W_LIST, p, NP(p), &mc_row_wallet_item, out, err);
}

/* v4 plan: the planner's imported catalog */
static mcred_rc pg_catalog_put(struct mc_store *st, int64_t org, const char *uri,
                               const char *json, time_t imported, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(uri), mc_p_text(json),
                            mc_p_i64((int64_t)imported) };

    return pg_exec(pg(st), Q_CAT_PUT, p, NP(p), NULL, err);
}

static mcred_rc pg_catalog_clear(struct mc_store *st, int64_t org, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_exec(pg(st), Q_CAT_CLEAR, p, NP(p), NULL, err);
}

static mcred_rc pg_catalog_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_CAT_LIST, p, NP(p), &mc_row_achievement, out, err);
}

/* v4 stacks: stacks, their component index, awards */
static mcred_rc pg_stack_put(struct mc_store *st, struct mc_stack_def *in_out,
                           const char *const *components, size_t n, struct mc_err *err)
{
    struct mc_stack_def *d = in_out;
    struct mc_param p[] = { mc_p_i64(d->org_id), mc_p_text(d->achievement_uri),
                            mc_p_text(d->rule), mc_p_i64(d->freshness ? 1 : 0),
                            mc_p_text(mc_stack_policy_name(d->policy)),
                            mc_p_i64(mc_store_time(d->created)) };
    int64_t id = 0;
    size_t i;
    mcred_rc rc = conflict_if_none(pg_i64(pg(st), Q_STK_PUT, p, NP(p), &id, err));

    for (i = 0; !rc && i < n; i++) {
        struct mc_param c[] = { mc_p_i64(d->org_id), mc_p_i64(id), mc_p_text(components[i]) };

        rc = pg_exec(pg(st), Q_STK_COMP, c, NP(c), NULL, err);
    }
    if (!rc) {
        d->id = id;
        d->created = (time_t)p[5].i;
    }
    return rc;
}

static mcred_rc pg_stack_get(struct mc_store *st, int64_t org, int64_t id, const char *uri,
                           struct mc_stack_def *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), id ? mc_p_i64(id) : mc_p_text(uri) };

    return pg_one(pg(st), id ? Q_STK_GET_ID : Q_STK_GET_URI, p, NP(p), &mc_row_stack_def, out,
                  err);
}

static mcred_rc pg_stack_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                            struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_STK_LIST, p, NP(p), &mc_row_stack_def, out, err);
}

static mcred_rc pg_stack_by_component(struct mc_store *st, int64_t org, const char *uri,
                                    struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_text(uri) };

    return pg_list(pg(st), Q_STK_BY_COMP, p, NP(p), &mc_row_stack_def, out, err);
}

/* Two steps: the learner's addresses, then their credentials by the
 * (org_id, lower(recipient)) index (a plan no statistics can spoil). */
static mcred_rc pg_stack_creds(struct mc_store *st, int64_t org, int64_t learner,
                             struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };
    struct mc_learner l;
    mcred_rc rc;

    memset(&l, 0, sizeof(l));
    rc = pg_one(pg(st), Q_LEARNER_GET_ID, p, NP(p), &mc_row_learner, &l, err);
    if (rc == MCRED_ERR_NOTFOUND) {   /* no such learner: holds nothing */
        mc_store_list_start(out, &mc_row_stack_cred);
        return MCRED_OK;
    }
    if (!rc) {
        struct mc_param q[] = { mc_p_i64(org), mc_p_text(l.email), mc_p_text(l.did) };

        rc = pg_list(pg(st), Q_STK_CREDS, q, NP(q), &mc_row_stack_cred, out, err);
    }
    mc_learner_release(&l);
    return rc;
}

static mcred_rc pg_award_claim(struct mc_store *st, int64_t org, int64_t stack, int64_t learner,
                             time_t now, int64_t *award_id, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(stack), mc_p_i64(learner),
                            mc_p_i64(mc_store_time(now)) };

    return conflict_if_none(pg_i64(pg(st), Q_AW_CLAIM, p, NP(p), award_id, err));
}

static mcred_rc pg_award_get(struct mc_store *st, int64_t org, int64_t stack, int64_t learner,
                           struct mc_stack_award *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(stack), mc_p_i64(learner) };

    return pg_one(pg(st), Q_AW_GET, p, NP(p), &mc_row_stack_award, out, err);
}

static mcred_rc pg_award_set(struct mc_store *st, int64_t org, int64_t award_id,
                           const char *cred_id, enum mc_award_state state, time_t now,
                           struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(award_id), mc_p_text(cred_id),
                            mc_p_text(mc_award_state_name(state)),
                            mc_p_i64(mc_store_time(now)) };
    int changes = 0;
    mcred_rc rc = pg_exec(pg(st), Q_AW_SET, p, NP(p), &changes, err);

    return rc ? rc : changes ? MCRED_OK : MCRED_ERR_NOTFOUND;
}

static mcred_rc pg_award_link(struct mc_store *st, int64_t org, int64_t award_id,
                            const char *cred_id, time_t valid_until, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(award_id), mc_p_text(cred_id),
                            mc_p_opt(valid_until) };

    return pg_exec(pg(st), Q_AW_LINK, p, NP(p), NULL, err);
}

static mcred_rc pg_award_list(struct mc_store *st, int64_t org, int64_t learner,
                            struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_list(pg(st), Q_AW_LIST, p, NP(p), &mc_row_stack_award, out, err);
}

static mcred_rc pg_award_due(struct mc_store *st, int64_t org, time_t now,
                           struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(mc_store_time(now)) };

    return pg_list(pg(st), Q_AW_DUE, p, NP(p), &mc_row_stack_award, out, err);
}

/* v4 wallet pages: replacing a wallet item; wallet items' share links */
static mcred_rc pg_wallet_update(struct mc_store *st, const struct mc_wallet_item *w,
                                 struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(w->org_id), mc_p_i64(w->learner_id), mc_p_i64(w->id),
                            mc_p_text(w->cred_id), mc_p_text(w->hash), mc_p_text(w->format),
                            mc_p_text(w->source), mc_p_text(w->verdict), mc_p_text(w->report),
                            mc_p_text(w->doc), mc_p_i64(mc_store_time(w->imported)) };
    int64_t id = 0;

    return pg_i64(pg(st), Q_W_UPDATE, p, NP(p), &id, err);
}

static mcred_rc pg_wallet_share_put(struct mc_store *st, int64_t org, int64_t learner,
                                    int64_t item, const char *share_id, bool enabled,
                                    time_t now, struct mc_share *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(share_id), mc_p_i64(org), mc_p_i64(learner),
                            mc_p_i64(item), mc_p_i64(enabled ? 1 : 0), mc_p_i64(now) };

    return pg_one(pg(st), Q_WS_PUT, p, NP(p), &mc_row_share, out, err);
}

static mcred_rc pg_wallet_share_get(struct mc_store *st, int64_t org, int64_t learner,
                                    int64_t item, struct mc_share *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner), mc_p_i64(item) };

    return pg_one(pg(st), Q_WS_GET, p, NP(p), &mc_row_share, out, err);
}

static mcred_rc pg_wallet_share_item(struct mc_store *st, const char *share_id,
                                     struct mc_wallet_item *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_text(share_id) };

    return pg_one(pg(st), Q_WS_ITEM, p, NP(p), &mc_row_wallet_item, out, err);
}

/* v4 assess: assessment attempts; a learner's credentials */
static mcred_rc pg_assess_put(struct mc_store *st, struct mc_assessment *in_out,
                              struct mc_err *err)
{
    struct mc_assessment *a = in_out;
    struct mc_param p[] = { mc_p_i64(a->org_id), mc_p_i64(a->learner_id),
                            mc_p_i64(a->achievement_id), mc_p_text(a->achievement_uri),
                            mc_p_text(a->rd_id), mc_p_text(a->kind), mc_p_text(a->value),
                            mc_p_text(a->assessor), mc_p_text(a->evidence),
                            mc_p_i64(a->met ? 1 : 0), mc_p_text(a->missing),
                            mc_p_text(a->cred_id), mc_p_i64(mc_store_time(a->at)) };
    int64_t id = 0;
    mcred_rc rc = pg_i64(pg(st), Q_AS_PUT, p, NP(p), &id, err);

    if (!rc) {
        a->id = id;
        a->at = (time_t)p[12].i;
    }
    return rc;
}

static mcred_rc pg_assess_list(struct mc_store *st, int64_t org, int64_t learner,
                               struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_list(pg(st), Q_AS_LIST, p, NP(p), &mc_row_assessment, out, err);
}

static mcred_rc pg_cred_list_learner(struct mc_store *st, int64_t org, int64_t learner,
                                     struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_list(pg(st), Q_AS_CREDS, p, NP(p), &mc_row_cred, out, err);
}

/* v4 positions: employers' positions, shares with organisations */
static mcred_rc pg_position_put(struct mc_store *st, struct mc_position *in_out,
                               struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(in_out->org_id), mc_p_text(in_out->title),
                            mc_p_text(in_out->doc), mc_p_i64(mc_store_time(in_out->created)) };
    int64_t id = 0;
    mcred_rc rc = pg_i64(pg(st), Q_POS_PUT, p, NP(p), &id, err);

    if (!rc) {
        in_out->id = id;
        in_out->created = (time_t)p[3].i;
    }
    return rc;
}

static mcred_rc pg_position_get(struct mc_store *st, int64_t org, int64_t id,
                               struct mc_position *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(id) };

    return pg_one(pg(st), Q_POS_GET, p, NP(p), &mc_row_position, out, err);
}

static mcred_rc pg_position_list(struct mc_store *st, int64_t org, struct mc_store_list *out,
                                struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org) };

    return pg_list(pg(st), Q_POS_LIST, p, NP(p), &mc_row_position, out, err);
}

static mcred_rc pg_org_share_put(struct mc_store *st, struct mc_org_share *in_out,
                                struct mc_err *err)
{
    struct mc_param e[] = { mc_p_i64(in_out->employer_id) };
    struct mc_param l[] = { mc_p_i64(in_out->org_id), mc_p_i64(in_out->learner_id) };
    struct mc_param p[] = { mc_p_i64(in_out->employer_id), mc_p_i64(in_out->org_id),
                            mc_p_i64(in_out->learner_id), mc_p_text(in_out->scope),
                            mc_p_i64(mc_store_time(in_out->created)) };
    int64_t one = 0, id = 0;
    mcred_rc rc = pg_i64(pg(st), Q_OSH_ORG, e, NP(e), &one, err);

    if (!rc)
        rc = pg_i64(pg(st), Q_OSH_LEARNER, l, NP(l), &one, err);
    if (!rc)
        rc = pg_i64(pg(st), Q_OSH_PUT, p, NP(p), &id, err);
    if (!rc) {
        in_out->id = id;
        in_out->created = (time_t)p[4].i;
    }
    return rc;
}

static mcred_rc pg_org_share_list(struct mc_store *st, int64_t employer,
                                 struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(employer) };

    return pg_list(pg(st), Q_OSH_LIST, p, NP(p), &mc_row_org_share, out, err);
}

static mcred_rc pg_cand_creds(struct mc_store *st, int64_t org, int64_t learner,
                             struct mc_store_list *out, struct mc_err *err)
{
    struct mc_param p[] = { mc_p_i64(org), mc_p_i64(learner) };

    return pg_list(pg(st), Q_CAND_CREDS, p, NP(p), &mc_row_cand_cred, out, err);
}

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
    .setting_get = pg_setting_get,
    .setting_set = pg_setting_set,
    .share_put = pg_share_put,
    .share_get = pg_share_get,
    .share_find = pg_share_find,
    .share_showcase = pg_share_showcase,
    .session_add = pg_session_add,
    .session_get = pg_session_get,
    .session_delete = pg_session_delete,
    .session_purge = pg_session_purge,
    .issuer_by_did = pg_issuer_by_did,
    .achievement_by_uri = pg_achievement_by_uri,
    /* v3 oauth */
    .oauth_client_add = pg_oauth_client_add,
    .oauth_client_get = pg_oauth_client_get,
    .oauth_grant_add = pg_oauth_grant_add,
    .oauth_grant_decide = pg_oauth_grant_decide,
    .oauth_grant_by_code = pg_oauth_grant_by_code,
    .oauth_grant_use_code = pg_oauth_grant_use_code,
    .oauth_grant_revoke = pg_oauth_grant_revoke,
    .oauth_token_add = pg_oauth_token_add,
    .oauth_token_get = pg_oauth_token_get,
    .oauth_token_use = pg_oauth_token_use,
    .oauth_token_revoke = pg_oauth_token_revoke,
    .oauth_purge = pg_oauth_purge,
    .ob_wallet_put = pg_ob_wallet_put,
    .ob_wallet_list = pg_ob_wallet_list,
    .ob_wallet_count = pg_ob_wallet_count,
    .ob_profile_get = pg_ob_profile_get,
    .ob_profile_put = pg_ob_profile_put,
    /* v3 platform */
    .user_get = pg_user_get,
    .user_set_role = pg_user_set_role,
    .token_create = pg_token_create,
    .token_list = pg_token_list,
    .token_revoke = pg_token_revoke,
    .learner_page = pg_learner_page,
    .cred_list_recipient = pg_cred_list_recipient,
    .audit_page = pg_audit_page,
    .job_create = pg_job_create,
    .job_get = pg_job_get,
    .job_list = pg_job_list,
    .job_update = pg_job_update,
    .job_touch = pg_job_touch,
    .job_abandon = pg_job_abandon,
    /* v3 skills */
    .skill_import = pg_skill_import,
    .skill_framework_list = pg_skill_framework_list,
    .skill_stats = pg_skill_stats,
    .skill_get = pg_skill_get,
    .skill_links = pg_skill_links,
    .skill_search = pg_skill_search,
    .skill_label_scan = pg_skill_label_scan,
    .skill_map_put = pg_skill_map_put,
    .skill_map_list = pg_skill_map_list,
    .skill_declare = pg_skill_declare,
    .skill_declared = pg_skill_declared,
    .skill_held = pg_skill_held,
    .skill_posting_put = pg_skill_posting_put,
    .skill_demand = pg_skill_demand,
    /* v3 wallet */
    .holder_key_put = pg_holder_key_put,
    .holder_key_get = pg_holder_key_get,
    .wallet_put = pg_wallet_put,
    .wallet_get = pg_wallet_get,
    .wallet_find = pg_wallet_find,
    .wallet_list = pg_wallet_list,
    /* v4 plan */
    .catalog_put = pg_catalog_put,
    .catalog_clear = pg_catalog_clear,
    .catalog_list = pg_catalog_list,
    /* v4 stacks */
    .stack_put = pg_stack_put,
    .stack_get = pg_stack_get,
    .stack_list = pg_stack_list,
    .stack_by_component = pg_stack_by_component,
    .stack_creds = pg_stack_creds,
    .award_claim = pg_award_claim,
    .award_get = pg_award_get,
    .award_set = pg_award_set,
    .award_link = pg_award_link,
    .award_list = pg_award_list,
    .award_due = pg_award_due,
    /* v4 wallet pages */
    .wallet_update = pg_wallet_update,
    .wallet_share_put = pg_wallet_share_put,
    .wallet_share_get = pg_wallet_share_get,
    .wallet_share_item = pg_wallet_share_item,
    /* v4 assess */
    .assess_put = pg_assess_put,
    .assess_list = pg_assess_list,
    .cred_list_learner = pg_cred_list_learner,
    .org_list = pg_org_list,
    /* v4 positions */
    .position_put = pg_position_put,
    .position_get = pg_position_get,
    .position_list = pg_position_list,
    .org_share_put = pg_org_share_put,
    .org_share_list = pg_org_share_list,
    .cand_creds = pg_cand_creds,
};
