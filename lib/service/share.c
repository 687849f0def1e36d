/* share.c - share links of issued credentials and of wallet items (what a
 * learner imported): random ids, on/off with an audit entry, the
 * organisation's default and showcase settings, and the
 * public lookup behind /badges/{share_id}.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include <sodium.h>

#include "proof/jwt.h"
#include "service/admin.h"
#include "service/share.h"
#include "util/codec.h"
#include "util/json.h"

bool mc_share_id_valid(const char *s)
{
    size_t i;

    if (!s)
        return false;
    for (i = 0; i < MC_SHARE_ID_LEN; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return s[MC_SHARE_ID_LEN] == '\0';
}

/* A boolean setting: *on is true when its value is on_word; false when it
 * is anything else or was never set. */
static mcred_rc setting_bool(struct mc_store *st, int64_t org, const char *name,
                             const char *on_word, bool *on, struct mc_err *err)
{
    struct mc_org_setting s;
    mcred_rc rc;

    *on = false;
    rc = mc_store_setting_get(st, org, name, &s, err);
    if (rc == MCRED_ERR_NOTFOUND) {
        mc_err_clear(err);
        return MCRED_OK;
    }
    if (rc)
        return rc;
    *on = strcmp(s.value, on_word) == 0;
    mc_org_setting_release(&s);
    return MCRED_OK;
}

/* Run the setting change and its audit entry in one transaction (the
 * caller's when one is open). */
static mcred_rc setting_write(struct mc_store *st, int64_t org, const char *name,
                              const char *value, const char *actor, struct mc_err *err)
{
    bool own = !mc_store_in_transaction(st);
    mcred_rc rc = own ? mc_store_begin(st, err) : MCRED_OK;

    if (!rc)
        rc = mc_store_setting_set(st, org, name, value, 0, err);
    if (!rc)
        rc = mc_audit(st, org, actor, "setting", name, value, err);
    if (own) {
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            (void)mc_store_rollback(st);
    }
    return rc;
}

mcred_rc mc_share_default(struct mc_store *st, int64_t org, bool *public, struct mc_err *err)
{
    return setting_bool(st, org, MC_SHARE_SETTING_DEFAULT, "public", public, err);
}

mcred_rc mc_share_set_default(struct mc_store *st, int64_t org, bool public, const char *actor,
                              struct mc_err *err)
{
    return setting_write(st, org, MC_SHARE_SETTING_DEFAULT, public ? "public" : "private",
                         actor, err);
}

mcred_rc mc_share_showcase(struct mc_store *st, int64_t org, bool *on, struct mc_err *err)
{
    return setting_bool(st, org, MC_SHARE_SETTING_SHOWCASE, "on", on, err);
}

mcred_rc mc_share_set_showcase(struct mc_store *st, int64_t org, bool on, const char *actor,
                               struct mc_err *err)
{
    return setting_write(st, org, MC_SHARE_SETTING_SHOWCASE, on ? "on" : "off", actor, err);
}

mcred_rc mc_share_cred(struct mc_store *st, int64_t org, const char *cred_id,
                       const char *learner_email, struct mc_credential *out, struct mc_err *err)
{
    struct mc_learner l;
    bool mine;
    mcred_rc rc = mc_store_cred_get(st, org, cred_id, out, err);

    if (rc || !learner_email)
        return rc;
    /* the learner's own (as mc_store_cred_list_recipient lists them): issued
     * to the e-mail (any case), or to the row or the DID of the
     * organisation's learner with that e-mail */
    mine = out->recipient && strcasecmp(out->recipient, learner_email) == 0;
    if (!mine) {
        memset(&l, 0, sizeof(l));
        rc = mc_store_learner_get(st, org, 0, learner_email, &l, err);
        if (rc && rc != MCRED_ERR_NOTFOUND) {
            mc_credential_release(out);
            return rc;
        }
        mine = !rc && l.email && strcasecmp(l.email, learner_email) == 0 &&
               ((out->learner_id > 0 && out->learner_id == l.id) ||
                (l.did && out->recipient && strcmp(l.did, out->recipient) == 0));
        mc_learner_release(&l);
    }
    if (!mine) {
        mc_credential_release(out);
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "credential '%s' not found", cred_id);
    }
    return MCRED_OK;
}

/* A new random share id into id (MC_SHARE_ID_LEN + 1 bytes). */
static mcred_rc new_share_id(char *id, struct mc_err *err)
{
    unsigned char raw[16];
    struct mc_buf b;
    mcred_rc rc;

    randombytes_buf(raw, sizeof(raw));
    mc_buf_init(&b, 64);
    rc = mc_b64url_encode(&b, raw, sizeof(raw));
    if (!rc && b.len != MC_SHARE_ID_LEN)
        rc = MCRED_ERR_INTERNAL;
    if (!rc)
        memcpy(id, b.ptr, MC_SHARE_ID_LEN + 1);
    mc_buf_release(&b);
    return rc ? mc_err_set(err, rc, "share: cannot make a share id") : MCRED_OK;
}

/* Store the link of cred_id as enabled (a fresh id when it has none). */
static mcred_rc share_put(struct mc_store *st, int64_t org, const char *cred_id, bool enabled,
                          struct mc_share *out, struct mc_err *err)
{
    char id[MC_SHARE_ID_LEN + 1];
    struct mc_share in;
    mcred_rc rc = new_share_id(id, err);

    if (rc)
        return rc;
    memset(&in, 0, sizeof(in));
    in.share_id = id;
    in.org_id = org;
    in.cred_id = (char *)(uintptr_t)cred_id;
    in.enabled = enabled;
    return mc_store_share_put(st, &in, out, err);
}

mcred_rc mc_share_set(struct mc_store *st, int64_t org, const char *cred_id, bool enabled,
                      const char *actor, char out_share_id[MC_SHARE_ID_LEN + 1],
                      struct mc_err *err)
{
    struct mc_share sh;
    bool own = !mc_store_in_transaction(st);
    mcred_rc rc;

    if (out_share_id)
        out_share_id[0] = '\0';
    memset(&sh, 0, sizeof(sh));
    rc = own ? mc_store_begin(st, err) : MCRED_OK;
    if (!rc)
        rc = share_put(st, org, cred_id, enabled, &sh, err);
    if (!rc)
        rc = mc_audit(st, org, actor, enabled ? "share on" : "share off", cred_id, NULL, err);
    if (own) {
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            (void)mc_store_rollback(st);
    }
    if (!rc && out_share_id)
        mc_strlcpy(out_share_id, sh.share_id, MC_SHARE_ID_LEN + 1);
    mc_share_release(&sh);
    return rc;
}

mcred_rc mc_share_get(struct mc_store *st, int64_t org, const char *cred_id,
                      struct mc_share *out, struct mc_err *err)
{
    bool public = false;
    mcred_rc rc = mc_store_share_get(st, org, cred_id, out, err);

    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    mc_err_clear(err);
    rc = mc_share_default(st, org, &public, err);
    if (rc)
        return rc;
    /* two requests racing both insert: the upsert keeps the first id, and
     * enabled is the same default either way */
    return share_put(st, org, cred_id, public, out, err);
}

/* --- wallet items ------------------------------------------------------------------ */

mcred_rc mc_share_item_set(struct mc_store *st, int64_t org, int64_t learner, int64_t item,
                           bool enabled, const char *actor,
                           char out_share_id[MC_SHARE_ID_LEN + 1], struct mc_err *err)
{
    char id[MC_SHARE_ID_LEN + 1], subject[48];
    struct mc_share sh;
    bool own = !mc_store_in_transaction(st);
    mcred_rc rc;

    if (out_share_id)
        out_share_id[0] = '\0';
    memset(&sh, 0, sizeof(sh));
    snprintf(subject, sizeof(subject), "wallet item %lld", (long long)item);
    rc = new_share_id(id, err);
    if (!rc && own)
        rc = mc_store_begin(st, err);
    if (!rc)
        rc = mc_store_wallet_share_put(st, org, learner, item, id, enabled, 0, &sh, err);
    if (!rc)
        rc = mc_audit(st, org, actor, enabled ? "share on" : "share off", subject, NULL, err);
    if (own) {
        if (!rc)
            rc = mc_store_commit(st, err);
        else
            (void)mc_store_rollback(st);
    }
    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(err, rc, "wallet item %lld not found", (long long)item);
    if (!rc && out_share_id)
        mc_strlcpy(out_share_id, sh.share_id, MC_SHARE_ID_LEN + 1);
    mc_share_release(&sh);
    return rc;
}

mcred_rc mc_share_item_get(struct mc_store *st, int64_t org, int64_t learner, int64_t item,
                           struct mc_share *out, struct mc_err *err)
{
    char id[MC_SHARE_ID_LEN + 1];
    bool public = false;
    mcred_rc rc = mc_store_wallet_share_get(st, org, learner, item, out, err);

    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    mc_err_clear(err);
    rc = mc_share_default(st, org, &public, err);
    if (!rc)
        rc = new_share_id(id, err);
    if (!rc)
        rc = mc_store_wallet_share_put(st, org, learner, item, id, public, 0, out, err);
    if (rc == MCRED_ERR_NOTFOUND)
        rc = mc_err_set(err, rc, "wallet item %lld not found", (long long)item);
    return rc;
}

mcred_rc mc_share_doc_credential(const char *doc, cJSON **out, bool *jwt, struct mc_err *err)
{
    size_t n = strlen(doc);
    cJSON *h = NULL, *pl = NULL, *vc;
    mcred_rc rc;

    *out = NULL;
    *jwt = false;
    if (doc[0] == '{')
        return mc_json_parse(doc, n, 0, out, err);
    if (!mc_jws_shape(doc, n, NULL, NULL))
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "a URL (an OB 2.0 hosted assertion) has no "
                          "badge page here");
    rc = mc_jws_decode(doc, n, &h, &pl, err);
    cJSON_Delete(h);
    if (rc)
        return rc;
    vc = mc_json_get(pl, "vc");
    if (!cJSON_IsObject(vc))
        vc = pl;
    if (!cJSON_IsObject(vc) || !mc_json_has_str(mc_json_get(vc, "type"), "VerifiableCredential")) {
        cJSON_Delete(pl);
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "a signed OB 2.0 assertion has no badge "
                          "page here (its issuer hosts it)");
    }
    *out = vc == pl ? pl : cJSON_DetachItemFromObjectCaseSensitive(pl, "vc");
    if (vc != pl)
        cJSON_Delete(pl);
    *jwt = true;
    return MCRED_OK;
}

/* The wallet item behind share_id (turned on) as a credential row: its
 * document, organisation, learner and credential id. */
static mcred_rc resolve_item(struct mc_store *st, const char *share_id, struct mc_share *sh,
                             struct mc_credential *cred, struct mc_err *err)
{
    struct mc_wallet_item it;
    mcred_rc rc = mc_store_wallet_share_item(st, share_id, &it, err);

    if (!rc) {   /* a JSON credential or a VC-JWT; not OB 2.0 (mc_share_doc_credential) */
        cJSON *c = NULL;
        bool jwt;

        rc = mc_share_doc_credential(it.doc, &c, &jwt, NULL);
        cJSON_Delete(c);
        if (rc) {
            mc_wallet_item_release(&it);
            rc = MCRED_ERR_NOTFOUND;
        }
    }
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, rc, "no such badge (unknown, or no longer shared)");
    if (rc)
        return rc;
    sh->share_id = mc_strdup(share_id);
    sh->org_id = it.org_id;
    sh->cred_id = mc_strdup(it.cred_id ? it.cred_id : "");
    sh->enabled = true;
    sh->created = sh->updated = it.imported;
    cred->id = mc_strdup(it.cred_id ? it.cred_id : "");
    cred->org_id = it.org_id;
    cred->learner_id = it.learner_id;
    cred->issued = it.imported;
    cred->doc = it.doc;
    it.doc = NULL;
    mc_wallet_item_release(&it);
    if (!sh->share_id || !sh->cred_id || !cred->id) {
        mc_share_release(sh);
        mc_credential_release(cred);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    return MCRED_OK;
}

mcred_rc mc_share_resolve(struct mc_store *st, const char *share_id, struct mc_share *sh,
                          struct mc_credential *cred, struct mc_err *err)
{
    mcred_rc rc;

    memset(sh, 0, sizeof(*sh));
    memset(cred, 0, sizeof(*cred));
    if (!mc_share_id_valid(share_id))
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no such badge");
    rc = mc_store_share_find(st, share_id, sh, err);
    if (rc == MCRED_ERR_NOTFOUND) {
        mc_err_clear(err);
        return resolve_item(st, share_id, sh, cred, err);
    }
    if (!rc && !sh->enabled)
        rc = MCRED_ERR_NOTFOUND;
    if (!rc)
        rc = mc_store_cred_get(st, sh->org_id, sh->cred_id, cred, err);
    if (rc) {
        mc_share_release(sh);
        mc_credential_release(cred);
        /* the same answer whether the id never existed or was turned off */
        if (rc == MCRED_ERR_NOTFOUND)
            return mc_err_set(err, rc, "no such badge (unknown, or no longer shared)");
    }
    return rc;
}

mcred_rc mc_share_url(const char *public_url, const char *share_id, struct mc_buf *out)
{
    mcred_rc rc = mc_buf_appends(out, public_url);

    if (!rc)
        rc = mc_buf_appends(out, "/badges/");
    if (!rc)
        rc = mc_buf_appends(out, share_id);
    return rc;
}
