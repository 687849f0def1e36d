/* admin.c - the administrative verbs of admin.h: users, roles, API tokens,
 * learners and achievements, each checked, stored and audited in one
 * transaction; and one issue request checked as a row of a bulk file.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

#include <sodium.h>

#include "jsonld/jcs.h"
#include "service/admin.h"
#include "service/platform.h"
#include "util/buf.h"
#include "util/codec.h"

#define LABEL_MAX 200

mcred_rc mc_audit(struct mc_store *st, int64_t org, const char *actor, const char *action,
                  const char *subject, const char *detail, struct mc_err *err)
{
    struct mc_audit au;

    /* the row's strings are not const, but audit_add only reads them */
    memset(&au, 0, sizeof(au));
    au.org_id = org;
    au.at = time(NULL);
    au.actor = (char *)(uintptr_t)(actor ? actor : "system");
    au.action = (char *)(uintptr_t)action;
    au.subject = (char *)(uintptr_t)subject;
    au.detail = (char *)(uintptr_t)detail;
    return mc_store_audit_add(st, &au, err);
}

/* End a verb's transaction: commit when rc is OK, else roll back. */
static mcred_rc finish(struct mc_store *st, mcred_rc rc, struct mc_err *err)
{
    if (!rc)
        return mc_store_commit(st, err);
    (void)mc_store_rollback(st);
    return rc;
}

static mcred_rc need_actor(const char *actor, struct mc_err *err)
{
    if (!actor || !actor[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "admin: the actor is missing");
    return MCRED_OK;
}

/* A C0 control, DEL or a C1 control (UTF-8 C2 80..C2 9F). */
static bool has_control(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return true;
    }
    return false;
}

/* ---- users ---------------------------------------------------------------------------------- */

mcred_rc mc_admin_user_add(struct mc_store *st, int64_t org, const char *email,
                           enum mc_role role, const char *actor, int64_t *id,
                           struct mc_err *err)
{
    mcred_rc rc;

    *id = 0;
    rc = need_actor(actor, err);
    if (rc)
        return rc;
    if (!email || !mc_is_email(email))
        return mc_err_set(err, MCRED_ERR_INVALID, "'%.200s' is not an e-mail address",
                          email ? email : "");
    if (!mc_role_name(role))
        return mc_err_set(err, MCRED_ERR_INVALID, "unknown role %d", (int)role);
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_user_add(st, org, email, role, id, err);
    if (rc == MCRED_ERR_CONFLICT)
        rc = mc_err_set(err, rc, "a user with the e-mail '%s' exists", email);
    if (!rc)
        rc = mc_audit(st, org, actor, "user add", email, mc_role_name(role), err);
    rc = finish(st, rc, err);
    if (rc)
        *id = 0;
    return rc;
}

/* How many admins org has. */
static mcred_rc count_admins(struct mc_store *st, int64_t org, size_t *n, struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_user *u;
    size_t i;
    mcred_rc rc = mc_store_user_list(st, org, &l, err);

    *n = 0;
    if (rc)
        return rc;
    u = l.rows;
    for (i = 0; i < l.n; i++)
        *n += u[i].role == MC_ROLE_ADMIN;
    mc_store_list_clear(&l);
    return MCRED_OK;
}

mcred_rc mc_admin_user_set_role(struct mc_store *st, int64_t org, int64_t id,
                                enum mc_role role, const char *actor, struct mc_err *err)
{
    struct mc_user u;
    char detail[64];
    size_t admins = 0;
    mcred_rc rc;

    rc = need_actor(actor, err);
    if (rc)
        return rc;
    if (!mc_role_name(role))
        return mc_err_set(err, MCRED_ERR_INVALID, "unknown role %d", (int)role);
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_user_get(st, org, id, &u, err);
    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(err, rc, "no user %lld in this organisation", (long long)id);
    if (!rc && u.role == role) {
        mc_user_release(&u);
        (void)mc_store_rollback(st);
        return MCRED_OK;
    }
    if (!rc && u.role == MC_ROLE_ADMIN)
        rc = count_admins(st, org, &admins, err);
    if (!rc && u.role == MC_ROLE_ADMIN && admins <= 1)
        rc = mc_err_set(err, MCRED_ERR_CONFLICT, "user %lld is the organisation's last admin; "
                        "make another user admin first", (long long)id);
    if (!rc)
        rc = mc_store_user_set_role(st, org, id, role, err);
    if (!rc) {
        snprintf(detail, sizeof(detail), "%s -> %s", mc_role_name(u.role), mc_role_name(role));
        rc = mc_audit(st, org, actor, "user role", u.email, detail, err);
    }
    mc_user_release(&u);
    return finish(st, rc, err);
}

/* ---- API tokens ----------------------------------------------------------------------------- */

void mc_admin_token_wipe(struct mc_admin_token *t)
{
    if (t)
        sodium_memzero(t, sizeof(*t));
}

/* A fresh token into out->token and the hex SHA-256 of its text into hash. */
static mcred_rc make_token(struct mc_admin_token *out, char hash[65], struct mc_err *err)
{
    uint8_t raw[MC_ADMIN_TOKEN_BYTES];
    struct mc_buf b;
    mcred_rc rc;

    mc_buf_init(&b, sizeof(out->token) - 1);
    randombytes_buf(raw, sizeof(raw));
    rc = mc_b64url_encode(&b, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    if (!rc)
        mc_strlcpy(out->token, b.ptr, sizeof(out->token));
    if (b.ptr)
        sodium_memzero(b.ptr, b.cap);
    mc_buf_release(&b);
    if (rc)
        return mc_err_set(err, rc, "cannot make a token: out of memory");
    mc_platform_token_hash(out->token, hash);
    memcpy(out->id, hash, MC_TOKEN_ID_LEN);
    out->id[MC_TOKEN_ID_LEN] = '\0';
    return MCRED_OK;
}

mcred_rc mc_admin_token_create(struct mc_store *st, int64_t org, int64_t user, const char *label,
                               const char *actor, struct mc_admin_token *out,
                               struct mc_err *err)
{
    struct mc_user u;
    char hash[65];
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    rc = need_actor(actor, err);
    if (rc)
        return rc;
    if (label && (strlen(label) > LABEL_MAX || has_control(label)))
        return mc_err_set(err, MCRED_ERR_INVALID, "label: at most %d bytes without control "
                          "characters", LABEL_MAX);
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_user_get(st, org, user, &u, err);
    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(err, rc, "no user %lld in this organisation", (long long)user);
    if (!rc)
        rc = make_token(out, hash, err);
    if (!rc)
        rc = mc_store_token_create(st, org, user, hash, label && label[0] ? label : NULL, err);
    if (!rc)
        rc = mc_audit(st, org, actor, "token create", u.email, out->id, err);
    mc_user_release(&u);
    rc = finish(st, rc, err);
    if (rc)
        mc_admin_token_wipe(out);
    return rc;
}

mcred_rc mc_admin_token_revoke(struct mc_store *st, int64_t org, const char *id,
                               int64_t only_user, const char *actor, struct mc_err *err)
{
    mcred_rc rc = need_actor(actor, err);

    if (rc)
        return rc;
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_token_revoke(st, org, id, only_user, err);
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID)
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "no token '%.40s'%s", id,
                        only_user ? " of yours" : "");
    if (!rc)
        rc = mc_audit(st, org, actor, "token revoke", id, NULL, err);
    return finish(st, rc, err);
}

/* ---- learners ------------------------------------------------------------------------------- */

mcred_rc mc_admin_learner_add(struct mc_store *st, int64_t org, struct mc_learner *in_out,
                              const char *actor, struct mc_err *err)
{
    struct mc_learner *l = in_out;
    mcred_rc rc = need_actor(actor, err);

    if (rc)
        return rc;
    l->id = 0;
    l->org_id = org;
    if (!l->name || !l->name[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "name is missing");
    if (strlen(l->name) > MC_ROWS_MAX_NAME || has_control(l->name))
        return mc_err_set(err, MCRED_ERR_INVALID, "name: at most %d bytes without control "
                          "characters", MC_ROWS_MAX_NAME);
    if (!l->email && !l->did)
        return mc_err_set(err, MCRED_ERR_INVALID, "an e-mail address or a DID is needed");
    if (l->email && !mc_is_email(l->email))
        return mc_err_set(err, MCRED_ERR_INVALID, "email '%.200s' is not an e-mail address",
                          l->email);
    if (l->did && !mc_rows_is_did(l->did))
        return mc_err_set(err, MCRED_ERR_INVALID, "did '%.200s' is not a DID (did:METHOD:...)",
                          l->did);
    rc = mc_store_begin(st, err);
    if (rc)
        return rc;
    rc = mc_store_learner_put(st, l, err);
    if (rc == MCRED_ERR_CONFLICT)
        rc = mc_err_set(err, rc, "a learner with that e-mail address or DID exists");
    if (!rc)
        rc = mc_audit(st, org, actor, "learner add", l->email ? l->email : l->did, l->name, err);
    rc = finish(st, rc, err);
    if (rc)
        l->id = 0;
    return rc;
}

/* ---- achievements --------------------------------------------------------------------------- */

/* Parse and validate; *out owned (cJSON_Delete). */
static mcred_rc parse_achievement(const char *json, size_t n, struct mc_ob_report *rep,
                                  cJSON **out, struct mc_err *err)
{
    struct mc_ob_report local;
    struct mc_err e;
    mcred_rc rc;

    *out = NULL;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof(*rep));
    if (n > MC_ADMIN_MAX_ACHIEVEMENT)
        return mc_err_set(err, MCRED_ERR_LIMIT, "the achievement is %zu bytes; the limit is %zu",
                          n, MC_ADMIN_MAX_ACHIEVEMENT);
    mc_err_clear(&e);
    rc = mc_json_parse(json, n, MC_ADMIN_MAX_ACHIEVEMENT, out, &e);
    if (rc)
        return mc_err_set(err, rc == MCRED_ERR_NOMEM ? rc : MCRED_ERR_INVALID, "%s",
                          mc_err_msg(&e));
    rc = mc_ob_validate_achievement(*out, rep, &e);
    if (rc == MCRED_OK)
        return MCRED_OK;
    cJSON_Delete(*out);
    *out = NULL;
    if (rc != MCRED_ERR_INVALID)
        return mc_err_set(err, rc, "%s", mc_err_msg(&e));
    return mc_err_set(err, rc, "not a valid Open Badges 3.0 Achievement: %s%s",
                      rep->n ? rep->problems[0] : mc_err_msg(&e),
                      rep->total > 1 ? " (and more)" : "");
}

mcred_rc mc_admin_achievement_create(struct mc_store *st, int64_t org, const char *json,
                                     size_t n, const char *actor, struct mc_ob_report *rep,
                                     struct mc_achievement *out, struct mc_err *err)
{
    struct mc_buf b;
    char ver[32];
    cJSON *doc = NULL;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (rep)
        memset(rep, 0, sizeof(*rep));
    rc = need_actor(actor, err);
    if (!rc)
        rc = parse_achievement(json, n, rep, &doc, err);
    if (rc)
        return rc;
    mc_buf_init(&b, MC_STORE_MAX_DOC);
    rc = mc_json_stringify(doc, 0, &b, err);
    if (!rc) {
        out->uri = mc_strdup(mc_json_str(doc, "id"));
        if (!out->uri)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    if (!rc)
        rc = mc_store_begin(st, err);
    if (rc) {
        mc_buf_release(&b);
        cJSON_Delete(doc);
        mc_achievement_release(out);
        return rc;
    }
    out->org_id = org;
    out->json = b.ptr;   /* borrowed for the put */
    rc = mc_store_achievement_put(st, out, err);
    out->json = NULL;
    if (!rc) {
        snprintf(ver, sizeof(ver), "version %d", out->version);
        rc = mc_audit(st, org, actor, "achievement create", out->uri, ver, err);
    }
    rc = finish(st, rc, err);
    mc_buf_release(&b);
    cJSON_Delete(doc);
    if (rc)
        mc_achievement_release(out);
    return rc;
}

/* ---- one issue request ---------------------------------------------------------------------- */

static long read_text(void *ud, void *buf, size_t n)
{
    struct mc_admin_row *r = ud;
    size_t left = r->text.len - r->pos;

    if (n > left)
        n = left;
    memcpy(buf, r->text.ptr + r->pos, n);
    r->pos += n;
    return (long)n;
}

mcred_rc mc_admin_row_from_json(const cJSON *obj, struct mc_admin_row *r, struct mc_err *err)
{
    struct mc_reader rd;
    struct mc_err e;
    const char *m;
    mcred_rc rc;

    memset(r, 0, sizeof(*r));
    mc_buf_init(&r->text, MC_ROWS_MAX_RECORD);
    if (!cJSON_IsObject(obj))
        return mc_err_set(err, MCRED_ERR_INVALID, "expected a JSON object");
    /* one line of JSON: exactly what a JSON Lines file would hold */
    rc = mc_json_stringify(obj, 0, &r->text, err);
    if (rc == MCRED_ERR_LIMIT)
        return mc_err_set(err, rc, "the request is longer than %zu bytes", MC_ROWS_MAX_RECORD);
    if (rc)
        return rc;
    rd.read = read_text;
    rd.ud = r;
    mc_err_clear(&e);
    rc = mc_rows_open(&r->rs, MC_ROWS_JSONL, &rd, &e);
    if (!rc)
        rc = mc_rows_next(r->rs, &r->row, &e);
    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(&e, MCRED_ERR_INVALID, "recipient is missing");
    if (!rc)
        return MCRED_OK;
    /* drop the reader's "row 1 (line 1): " prefix: there is one row */
    m = mc_err_msg(&e);
    if (strncmp(m, "row 1 (line 1): ", 16) == 0)
        m += 16;
    return mc_err_set(err, rc, "%s", m);
}

void mc_admin_row_release(struct mc_admin_row *r)
{
    mc_rows_free(r->rs);
    mc_buf_release(&r->text);
    memset(r, 0, sizeof(*r));
}
